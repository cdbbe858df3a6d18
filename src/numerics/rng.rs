//! Random streams: one key from the master seed; run r's component c reads ChaCha8 stream
//! `r·2^16 + c`. A named part of a component (an event, an actor, a relation, a measure, a block
//! of parameters) reads its own stretch of that stream: 2^32 words starting at word
//! `key·2^32`, where `key` is 36 bits of the FNV-1a hash of its name ([`key_of`]). So each
//! part's numbers depend only on (seed, r, c, its name): adding, removing or reordering
//! events or levers shifts no other part's draws.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::numerics::chacha::{BlockAt, Key};

/// Component numbers of the streams of a run. Each is split into named parts ([`key_of`]).
pub mod component {
    /// Sampling of the uncertain parameters (one part per block: an actor, a relation, a
    /// pressure, a lever, an event).
    pub const PARAMS: u64 = 0;
    /// Event draws (one part per event, one 32-bit draw per step).
    pub const EVENTS: u64 = 1;
    /// Relation noise (one part per relation, one 32-bit draw per step).
    pub const NOISE: u64 = 2;
    /// Actors' choices (one part per actor, two 64-bit draws per step).
    pub const ACTORS: u64 = 3;
    /// Measures' lifting reviews (one part per measure, one 32-bit draw per step).
    pub const LIFTING: u64 = 4;
    /// Designs of experiments (`brink experiment --design lhs`): read at run index 0 only,
    /// under a key of their own, so that a design depends on the seed alone and shares no
    /// draw with any run.
    pub const DESIGN: u64 = 5;
}

/// Bits of a name's hash that select its part of a component's stream.
const KEY_BITS: u32 = 36;

/// The key of a named part of a stream: 36 bits of the 64-bit FNV-1a hash of the name, the
/// same on every platform. Two names of one component with the same key would share draws;
/// compilation refuses them (a chance of about n²/2^37 for n names).
pub fn key_of(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h >> (64 - KEY_BITS)
}

/// Largest run index the stream layout supports (2^48 − 1).
pub const MAX_RUN_INDEX: u64 = (1 << 48) - 1;

/// The key every stream of a master seed derives from.
#[derive(Clone)]
pub struct Master(ChaCha8Rng, Key);

impl Master {
    /// The master generator for a seed.
    pub fn new(seed: u64) -> Self {
        let rng = ChaCha8Rng::seed_from_u64(seed);
        let key = Key::of(&rng);
        Master(rng, key)
    }

    /// The ChaCha8 key of every stream, for [`crate::numerics::chacha::blocks`].
    pub fn key(&self) -> &Key {
        &self.1
    }

    /// Block `block` (words `16·block ..`) of the part of a component's stream that belongs to
    /// a named thing: the words [`Master::keyed`]'s stream gives from its word `16·block`.
    #[inline]
    pub fn keyed_block(run: u64, component: u64, key: u64, block: u64) -> BlockAt {
        BlockAt {
            stream: stream_of(run, component),
            counter: first_block(key).wrapping_add(block),
        }
    }

    /// The stream of one component of one run, at its start.
    pub fn stream(&self, run: u64, component: u64) -> Stream {
        let mut r = self.0.clone();
        r.set_stream(stream_of(run, component));
        Stream(r)
    }

    /// The part of a component's stream that belongs to a named thing ([`key_of`] its name).
    pub fn keyed(&self, run: u64, component: u64, key: u64) -> Stream {
        let mut s = self.stream(run, component);
        s.0.set_word_pos(first_block(key) as u128 * 16);
        s
    }
}

/// The ChaCha stream number of one component of one run.
fn stream_of(run: u64, component: u64) -> u64 {
    (run << 16) | component
}

/// The first ChaCha block of a named part: its word key·2^32 (16 words a block).
fn first_block(key: u64) -> u64 {
    (key & ((1 << KEY_BITS) - 1)) << 28
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

/// [`normal_of32`] of every word of `bits`, into `out` (the same numbers, computed a slice at
/// a time: see [`crate::numerics::dist::norm_inv_of32`]).
pub fn normals_of32(bits: &[u32], out: &mut [f64]) {
    crate::numerics::dist::norm_inv_of32(bits, out);
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
    fn keyed_parts_are_distinct_and_reproducible() {
        let m = Master::new(7);
        let (a, b) = (key_of("summit"), key_of("arrests"));
        assert_ne!(a, b);
        assert!(a < 1 << 36 && b < 1 << 36);
        // FNV-1a of "a" is 0xaf63dc4c8601ec8c; its top 36 bits are the key.
        assert_eq!(key_of("a"), 0xaf63dc4c8601ec8c >> 28);
        let x = m.keyed(3, 1, a).bits();
        assert_eq!(m.keyed(3, 1, a).bits(), x);
        assert_ne!(m.keyed(3, 1, b).bits(), x);
        assert_ne!(m.keyed(4, 1, a).bits(), x);
        assert_ne!(m.keyed(3, 2, a).bits(), x);
    }

    #[test]
    fn a_keyed_block_holds_the_keyed_streams_words() {
        let m = Master::new(21);
        let key = key_of("lever");
        let mut s = m.keyed(9, 3, key);
        let want: Vec<u32> = (0..48).map(|_| s.bits32()).collect();
        let at: Vec<BlockAt> = (0..3).map(|j| Master::keyed_block(9, 3, key, j)).collect();
        let mut got = Vec::new();
        crate::numerics::chacha::blocks(m.key(), &at, |_, b| {
            got.extend((0..16).map(|w| b.word(w)))
        });
        assert_eq!(got, want);
    }

    #[test]
    fn normals_of_a_slice_are_the_normals_one_by_one() {
        // Words spread over the whole range, and those around the edges of the tails.
        let mut bits: Vec<u32> = (0..10_007u64)
            .map(|i| (i * u32::MAX as u64 / 10_006) as u32)
            .collect();
        let edge = (0.02425 * (1u64 << 32) as f64) as u32;
        bits.extend(edge - 3..edge + 3);
        bits.extend(u32::MAX - edge - 3..u32::MAX - edge + 3);
        let mut out = vec![0.0; bits.len()];
        normals_of32(&bits, &mut out);
        for (&b, &x) in bits.iter().zip(&out) {
            assert_eq!(x.to_bits(), normal_of32(b).to_bits(), "word {b}");
        }
    }
}
