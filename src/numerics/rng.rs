//! Random streams: one key from the master seed; run r's component c reads ChaCha8 stream
//! `r·2^16 + c`. Streams never overlap, and each component's numbers depend only on (seed, r, c).

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Component numbers of the streams of a run.
pub mod component {
    /// Sampling of the uncertain parameters.
    pub const PARAMS: u64 = 0;
    /// Event draws (one 32-bit draw per event per step).
    pub const EVENTS: u64 = 1;
    /// Relation noise (one 32-bit draw per relation per step).
    pub const NOISE: u64 = 2;
    /// Actor a's choices use stream `ACTORS + a` (two 32-bit draws per step).
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

    /// Puts `s` at the start of the stream of one component of one run, in place (a run's
    /// state keeps its streams from run to run rather than building new ones).
    #[inline]
    pub fn reset(&self, s: &mut Stream, run: u64, component: u64) {
        s.0.clone_from(&self.0);
        s.0.set_stream((run << 16) | component);
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

    /// The next 32 random bits: half a 64-bit draw, and half the generator's work.
    #[inline]
    pub fn bits32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// Fills `out` with the next 32-bit draws, in order: the same numbers as as many calls of
    /// [`Stream::bits32`], without a call per draw.
    #[inline]
    pub fn fill32(&mut self, out: &mut [u32]) {
        // Through a byte buffer: rand's `fill` for `[u32]` measured slower here (callgrind,
        // about 1% of a flagship run), and a call per word slower still.
        let mut bytes = [0u8; 256];
        for chunk in out.chunks_mut(64) {
            let b = &mut bytes[..chunk.len() * 4];
            self.0.fill_bytes(b);
            for (x, w) in chunk.iter_mut().zip(b.chunks_exact(4)) {
                *x = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            }
        }
    }

    /// Fills `out` with the next 64-bit draws, in order (as [`Stream::bits`] would give them).
    #[inline]
    pub fn fill64(&mut self, out: &mut [u64]) {
        self.0.fill(out);
    }
}

/// Maps 32 random bits to [0, 1), on a grid of 2^-32. The per-step draws (events, choices,
/// noise) use these: 32 bits resolve probabilities to 2.3·10^-10, far below any sampling error,
/// for half the generator's work.
#[inline]
pub fn unit32(bits: u32) -> f64 {
    bits as f64 * (1.0 / (1u64 << 32) as f64)
}

/// A standard normal number from 32 random bits, by inverse CDF (so |ε| ≤ 6.23).
#[inline]
pub fn normal_of32(bits: u32) -> f64 {
    let u = (bits as f64 + 0.5) * (1.0 / (1u64 << 32) as f64);
    crate::numerics::dist::norm_inv(u)
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

    #[test]
    fn filling_gives_the_same_draws_as_drawing_one_by_one() {
        let m = Master::new(11);
        let mut one = m.stream(5, 2);
        let singles: Vec<u32> = (0..150).map(|_| one.bits32()).collect();
        let mut filled = vec![0u32; 150];
        let mut s = m.stream(5, 2);
        s.fill32(&mut filled[..7]);
        s.fill32(&mut filled[7..]);
        assert_eq!(singles, filled);
        // A 64-bit draw is two 32-bit draws, the first in the low half.
        let mut wide = vec![0u64; 75];
        m.stream(5, 2).fill64(&mut wide);
        let halves: Vec<u32> = wide
            .iter()
            .flat_map(|&w| [w as u32, (w >> 32) as u32])
            .collect();
        assert_eq!(singles, halves);
    }
}
