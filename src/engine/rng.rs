//! Random streams: one key from the master seed; run r's component c reads ChaCha8 stream
//! `r·2^16 + c`. Streams never overlap, and each component's numbers depend only on (seed, r, c).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Component numbers of the streams of a run.
pub mod component {
    /// Sampling of the uncertain parameters.
    pub const PARAMS: u64 = 0;
    /// Event draws (one per event per step).
    pub const EVENTS: u64 = 1;
    /// Relation noise (one per relation per step).
    pub const NOISE: u64 = 2;
    /// Actor a's choices use stream `ACTORS + a` (two draws per step).
    pub const ACTORS: u64 = 16;
}

/// Largest run index the stream layout supports (2^48 − 1).
pub const MAX_RUN_INDEX: u64 = (1 << 48) - 1;

/// The key every stream of a master seed derives from.
#[derive(Clone)]
pub struct Master(ChaCha8Rng);

impl Master {
    /// The master generator for a seed.
    pub fn new(seed: u64) -> Self {
        Master(ChaCha8Rng::seed_from_u64(seed))
    }

    /// The stream of one component of one run, at its start.
    pub fn stream(&self, run: u64, component: u64) -> Stream {
        let mut r = self.0.clone();
        r.set_stream((run << 16) | component);
        Stream(r)
    }
}

/// One random stream.
#[derive(Clone)]
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// The next 64 random bits.
    #[inline]
    pub fn bits(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform number in [0, 1) with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        to_unit(self.bits())
    }

    /// A standard normal number from exactly one draw (by inverse CDF).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        // Open interval (0, 1): add half an ulp so that 0 never reaches the quantile.
        let u = ((self.bits() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
        crate::scenario::param::norm_inv(u)
    }
}

/// Maps 64 random bits to [0, 1).
#[inline]
pub fn to_unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let m = Master::new(7);
        let a: Vec<u64> = (0..4).map(|_| m.stream(3, 1).bits()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        let mut s1 = m.stream(3, 1);
        let mut s2 = m.stream(3, 2);
        let mut s3 = m.stream(4, 1);
        let (x1, x2, x3) = (s1.bits(), s2.bits(), s3.bits());
        assert!(x1 != x2 && x1 != x3 && x2 != x3);
        assert_ne!(Master::new(8).stream(3, 1).bits(), x1);
    }
}
