//! ChaCha8 blocks, many at a time: the same words as `rand_chacha`'s `ChaCha8Rng` (checked word
//! for word in the tests), computed without a generator per stream.
//!
//! A run reads a few words from each of some ninety parts of its streams (two words per sampled
//! number, 52 or 104 words of a part's per-step draws). Through `ChaCha8Rng` each part costs a
//! copy of the generator (its 256-byte buffer), a reset of the stream and four blocks at least;
//! here a part asks for exactly the blocks it reads, and the blocks of different parts are
//! computed side by side, one per SIMD lane (the rounds are the same integer operations in every
//! lane, so the words do not depend on the instruction set).
//!
//! ```
//! use brink::numerics::chacha::{BlockAt, Key, blocks};
//! let key = Key::from_seed_u64(7);
//! let mut words = Vec::new();
//! blocks(&key, &[BlockAt { stream: 3, counter: 0 }], |_, b| words.push(b.word(0)));
//! assert_eq!(words.len(), 1);
//! ```

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The 256-bit key of a master seed (as `ChaCha8Rng::seed_from_u64` derives it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(pub [u32; 8]);

impl Key {
    /// The key `ChaCha8Rng::seed_from_u64(seed)` uses.
    pub fn from_seed_u64(seed: u64) -> Self {
        Self::of(&ChaCha8Rng::seed_from_u64(seed))
    }

    /// The key of a generator.
    pub fn of(rng: &ChaCha8Rng) -> Self {
        let seed = rng.get_seed();
        let mut k = [0u32; 8];
        for (w, b) in k.iter_mut().zip(seed.chunks_exact(4)) {
            *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        Key(k)
    }
}

/// Which block: block `counter` (words `16·counter ..`) of stream `stream` (the stream number
/// `ChaCha8Rng::set_stream` takes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockAt {
    /// The stream (ChaCha's 64-bit nonce).
    pub stream: u64,
    /// The block counter.
    pub counter: u64,
}

/// Blocks computed side by side: 16 lanes fill AVX-512's registers, two AVX2 registers, or
/// four SSE2 ones.
const LANES: usize = 16;

/// `[word][lane]`: lane l's block is column l.
type Lanes = [[u32; LANES]; 16];

const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Computes the block at each of `at`, in order, handing each to `emit` with its index.
pub fn blocks(key: &Key, at: &[BlockAt], mut emit: impl FnMut(usize, Block<'_>)) {
    let mut lanes = [[0u32; LANES]; 16];
    let mut out = [[0u32; 16]; LANES];
    for (c, chunk) in at.chunks(LANES).enumerate() {
        let mut counter = [0u64; LANES];
        let mut stream = [0u64; LANES];
        for (l, a) in chunk.iter().enumerate() {
            counter[l] = a.counter;
            stream[l] = a.stream;
        }
        compute(key, &counter, &stream, chunk.len(), &mut lanes);
        transpose(&lanes, chunk.len(), &mut out);
        for (lane, words) in out[..chunk.len()].iter().enumerate() {
            emit(c * LANES + lane, Block { words });
        }
    }
}

/// One block of [`blocks`]: its 16 words, in order. (The lanes compute a block as a column;
/// they are transposed once, in AVX2 registers where the processor has them, so that a
/// block's words are read and copied together rather than one strided load each.)
#[derive(Clone, Copy)]
pub struct Block<'a> {
    words: &'a [u32; 16],
}

impl Block<'_> {
    /// Word `w` (0..16) of the block.
    #[inline]
    pub fn word(&self, w: usize) -> u32 {
        self.words[w]
    }

    /// The 64-bit draw of words `2i` and `2i + 1`, the first in the low half (as
    /// `ChaCha8Rng::next_u64` makes it).
    #[inline]
    pub fn word64(&self, i: usize) -> u64 {
        self.word(2 * i) as u64 | (self.word(2 * i + 1) as u64) << 32
    }

    /// Copies the block's first `out.len()` words into `out` (16 at most: the rest of a longer
    /// `out` is left as it was).
    #[inline]
    pub fn copy_to(&self, out: &mut [u32]) {
        // A whole block (most of them) as one fixed-size copy; a part of one word by word.
        if let Ok(whole) = <&mut [u32; 16]>::try_from(&mut *out) {
            *whole = *self.words;
        } else {
            for (o, w) in out.iter_mut().zip(self.words) {
                *o = *w;
            }
        }
    }
}

/// One block, computed alone (the reference the lanes are tested against).
pub fn block(key: &Key, at: BlockAt) -> [u32; 16] {
    let mut x = input(key, at);
    let start = x;
    for _ in 0..4 {
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 1, 5, 9, 13);
        quarter(&mut x, 2, 6, 10, 14);
        quarter(&mut x, 3, 7, 11, 15);
        quarter(&mut x, 0, 5, 10, 15);
        quarter(&mut x, 1, 6, 11, 12);
        quarter(&mut x, 2, 7, 8, 13);
        quarter(&mut x, 3, 4, 9, 14);
    }
    for (o, s) in x.iter_mut().zip(start) {
        *o = o.wrapping_add(s);
    }
    x
}

fn input(key: &Key, at: BlockAt) -> [u32; 16] {
    let mut x = [0u32; 16];
    x[..4].copy_from_slice(&SIGMA);
    x[4..12].copy_from_slice(&key.0);
    x[12] = at.counter as u32;
    x[13] = (at.counter >> 32) as u32;
    x[14] = at.stream as u32;
    x[15] = (at.stream >> 32) as u32;
    x
}

fn quarter(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

/// The widest instruction set this processor has (the check is cached by the standard library).
/// Lanes `n..` may be left as they were (a chunk's last batch, or a run's few blocks).
fn compute(key: &Key, counter: &[u64; LANES], stream: &[u64; LANES], n: usize, out: &mut Lanes) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F (checked on the line above).
            return unsafe { x86::compute_avx512(key, counter, stream, out) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked on the line above).
            return unsafe { x86::compute_avx2(key, counter, stream, n, out) };
        }
    }
    compute_scalar(key, counter, stream, n, out)
}

/// Each lane's block as a row: `out[lane][word] = lanes[word][lane]`, for the first `n` lanes
/// at least (those the chunk uses; the AVX2 path does eight at a time).
#[inline]
fn transpose(lanes: &Lanes, n: usize, out: &mut [[u32; 16]; LANES]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked on the line above).
            return unsafe { x86::transpose_avx2(lanes, n, out) };
        }
    }
    transpose_scalar(lanes, n, out)
}

/// [`transpose`] one word at a time.
fn transpose_scalar(lanes: &Lanes, n: usize, out: &mut [[u32; 16]; LANES]) {
    for (w, row) in lanes.iter().enumerate() {
        for (l, &x) in row[..n].iter().enumerate() {
            out[l][w] = x;
        }
    }
}

/// One lane at a time (processors without AVX2, and other architectures), the first `n`.
fn compute_scalar(
    key: &Key,
    counter: &[u64; LANES],
    stream: &[u64; LANES],
    n: usize,
    out: &mut Lanes,
) {
    for l in 0..n.min(LANES) {
        let b = block(
            key,
            BlockAt {
                stream: stream[l],
                counter: counter[l],
            },
        );
        for (w, x) in b.into_iter().enumerate() {
            out[w][l] = x;
        }
    }
}

/// The lanes' first state: words 0..12 (ChaCha's constant and the key) are the same in every
/// lane and come once; words 12..16 (counter and stream) as `[word − 12][lane]`. Building only
/// what differs between lanes keeps the setup a fraction of the rounds' cost.
fn start(
    key: &Key,
    counter: &[u64; LANES],
    stream: &[u64; LANES],
) -> ([u32; 12], [[u32; LANES]; 4]) {
    let zero = BlockAt {
        stream: 0,
        counter: 0,
    };
    let mut shared = [0u32; 12];
    shared.copy_from_slice(&input(key, zero)[..12]);
    let mut lanes = [[0u32; LANES]; 4];
    for l in 0..LANES {
        let at = BlockAt {
            stream: stream[l],
            counter: counter[l],
        };
        for (row, v) in lanes.iter_mut().zip(&input(key, at)[12..]) {
            row[l] = *v;
        }
    }
    (shared, lanes)
}

/// The eight rounds on sixteen vectors, one word of every lane each, then the first state
/// added back: ChaCha's column and diagonal rounds, in `block`'s order.
macro_rules! rounds {
    ($x:ident, $add:ident, $xor_rotate:ident) => {{
        let [
            mut x0,
            mut x1,
            mut x2,
            mut x3,
            mut x4,
            mut x5,
            mut x6,
            mut x7,
            mut x8,
            mut x9,
            mut x10,
            mut x11,
            mut x12,
            mut x13,
            mut x14,
            mut x15,
        ] = $x;
        macro_rules! quarter {
            ($a:ident, $b:ident, $c:ident, $d:ident) => {
                $a = $add($a, $b);
                $d = $xor_rotate!($d, $a, 16);
                $c = $add($c, $d);
                $b = $xor_rotate!($b, $c, 12);
                $a = $add($a, $b);
                $d = $xor_rotate!($d, $a, 8);
                $c = $add($c, $d);
                $b = $xor_rotate!($b, $c, 7);
            };
        }
        for _ in 0..4 {
            quarter!(x0, x4, x8, x12);
            quarter!(x1, x5, x9, x13);
            quarter!(x2, x6, x10, x14);
            quarter!(x3, x7, x11, x15);
            quarter!(x0, x5, x10, x15);
            quarter!(x1, x6, x11, x12);
            quarter!(x2, x7, x8, x13);
            quarter!(x3, x4, x9, x14);
        }
        let y = [
            x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15,
        ];
        // Loops, not closures: a closure would not inherit the caller's instruction set.
        let mut r = y;
        for i in 0..16 {
            r[i] = $add(y[i], $x[i]);
        }
        r
    }};
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Key, LANES, Lanes, start};
    use std::arch::x86_64::*;

    /// Sixteen lanes in one AVX-512 register per word.
    #[target_feature(enable = "avx512f")]
    pub(super) fn compute_avx512(
        key: &Key,
        counter: &[u64; LANES],
        stream: &[u64; LANES],
        out: &mut Lanes,
    ) {
        let (shared, lanes) = start(key, counter, stream);
        let mut x = [_mm512_setzero_si512(); 16];
        for (v, &w) in x.iter_mut().zip(&shared) {
            *v = _mm512_set1_epi32(w as i32);
        }
        for (v, row) in x[12..].iter_mut().zip(&lanes) {
            // SAFETY: each row is 16 u32s, 64 bytes, read and written unaligned.
            *v = unsafe { _mm512_loadu_epi32(row.as_ptr().cast()) };
        }
        macro_rules! xor_rotate {
            ($a:expr, $b:expr, $r:literal) => {
                _mm512_rol_epi32::<$r>(_mm512_xor_si512($a, $b))
            };
        }
        let y = rounds!(x, _mm512_add_epi32, xor_rotate);
        for (row, v) in out.iter_mut().zip(y) {
            // SAFETY: as above.
            unsafe { _mm512_storeu_epi32(row.as_mut_ptr().cast(), v) };
        }
    }

    /// Sixteen lanes as two halves of eight, one AVX2 register per word; the second half only
    /// when more than eight lanes (`n`) are wanted.
    #[target_feature(enable = "avx2")]
    pub(super) fn compute_avx2(
        key: &Key,
        counter: &[u64; LANES],
        stream: &[u64; LANES],
        n: usize,
        out: &mut Lanes,
    ) {
        let (shared, lanes) = start(key, counter, stream);
        macro_rules! xor_rotate {
            ($a:expr, $b:expr, 16) => {
                rotate_bytes($a, $b, ROTATE16)
            };
            ($a:expr, $b:expr, 8) => {
                rotate_bytes($a, $b, ROTATE8)
            };
            ($a:expr, $b:expr, 12) => {{
                let v = _mm256_xor_si256($a, $b);
                _mm256_or_si256(_mm256_slli_epi32::<12>(v), _mm256_srli_epi32::<20>(v))
            }};
            ($a:expr, $b:expr, 7) => {{
                let v = _mm256_xor_si256($a, $b);
                _mm256_or_si256(_mm256_slli_epi32::<7>(v), _mm256_srli_epi32::<25>(v))
            }};
        }
        const ROTATE16: [i8; 32] = rotation(2);
        const ROTATE8: [i8; 32] = rotation(1);
        /// Rotating every 32-bit word left by `k` bytes: byte i of a (little-endian) word from
        /// its byte (i − k) mod 4.
        const fn rotation(k: usize) -> [i8; 32] {
            let mut m = [0i8; 32];
            let mut i = 0;
            while i < 32 {
                m[i] = ((i / 4) * 4 + (i % 4 + 4 - k) % 4) as i8;
                i += 1;
            }
            m
        }
        #[inline(always)]
        fn rotate_bytes(a: __m256i, b: __m256i, mask: [i8; 32]) -> __m256i {
            // SAFETY: AVX2 is enabled in every caller (this function is inlined into them).
            unsafe {
                let m = _mm256_loadu_si256(mask.as_ptr().cast());
                _mm256_shuffle_epi8(_mm256_xor_si256(a, b), m)
            }
        }
        for half in 0..n.div_ceil(8).min(2) {
            let mut x = [_mm256_setzero_si256(); 16];
            for (v, &w) in x.iter_mut().zip(&shared) {
                *v = _mm256_set1_epi32(w as i32);
            }
            for (v, row) in x[12..].iter_mut().zip(&lanes) {
                // SAFETY: 8 u32s, 32 bytes, from the middle of a 16-u32 row, unaligned.
                *v = unsafe { _mm256_loadu_si256(row[8 * half..].as_ptr().cast()) };
            }
            let y = rounds!(x, _mm256_add_epi32, xor_rotate);
            for (row, v) in out.iter_mut().zip(y) {
                // SAFETY: as above.
                unsafe { _mm256_storeu_si256(row[8 * half..].as_mut_ptr().cast(), v) };
            }
        }
    }
    /// [`super::transpose`] in 8×8 tiles of AVX2 registers: each tile's eight rows (a word
    /// of eight lanes each) become eight columns (eight words of one lane) in three rounds of
    /// shuffles.
    #[target_feature(enable = "avx2")]
    pub(super) fn transpose_avx2(lanes: &Lanes, n: usize, out: &mut [[u32; 16]; LANES]) {
        for (lane0, word0) in [(0, 0), (0, 8), (8, 0), (8, 8)] {
            if lane0 >= n {
                break;
            }
            // A loop, not `array::from_fn`: a closure would not inherit AVX2.
            let mut r = [_mm256_setzero_si256(); 8];
            for (i, v) in r.iter_mut().enumerate() {
                // SAFETY: 8 u32s (32 bytes) of a 16-u32 row from `lane0` ≤ 8, unaligned.
                *v = unsafe { _mm256_loadu_si256(lanes[word0 + i][lane0..].as_ptr().cast()) };
            }
            // t[2i], t[2i + 1]: rows 2i and 2i + 1 interleaved word by word (lanes 0, 1, 4, 5
            // and lanes 2, 3, 6, 7).
            let mut t = r;
            for i in 0..4 {
                t[2 * i] = _mm256_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
                t[2 * i + 1] = _mm256_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
            }
            // u[j]: words 0..4 of lane j (low half) and of lane j + 4 (high half), u[4 + j]
            // words 4..8 of the same lanes.
            let mut u = t;
            for half in [0, 4] {
                for k in 0..2 {
                    let (a, b) = (t[half + k], t[half + k + 2]);
                    u[half + 2 * k] = _mm256_unpacklo_epi64(a, b);
                    u[half + 2 * k + 1] = _mm256_unpackhi_epi64(a, b);
                }
            }
            for j in 0..4 {
                let low = _mm256_permute2x128_si256::<0x20>(u[j], u[4 + j]);
                let high = _mm256_permute2x128_si256::<0x31>(u[j], u[4 + j]);
                // SAFETY: 8 u32s (32 bytes) into a 16-u32 row from `word0` ≤ 8.
                unsafe {
                    _mm256_storeu_si256(out[lane0 + j][word0..].as_mut_ptr().cast(), low);
                    _mm256_storeu_si256(out[lane0 + j + 4][word0..].as_mut_ptr().cast(), high);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// The words `ChaCha8Rng` gives from word `16·counter` of `stream`.
    fn reference(seed: u64, at: BlockAt, words: usize) -> Vec<u32> {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(at.stream);
        r.set_word_pos(at.counter as u128 * 16);
        (0..words).map(|_| r.next_u32()).collect()
    }

    #[test]
    fn blocks_are_the_words_of_rand_chacha() {
        for seed in [0, 1, 42, u64::MAX] {
            let key = Key::from_seed_u64(seed);
            let mut at = Vec::new();
            // Streams and counters as brink uses them (run·2^16 + component; key·2^28 + j)
            // and at the edges of both (the counter's carry into its high word).
            for (i, stream) in [0, 1, (5 << 16) | 3, (1 << 48) - 1, u64::MAX]
                .into_iter()
                .enumerate()
            {
                for counter in [0, 1, 0xffff_ffff, 0x1_0000_0000, 0xabc << 28, u64::MAX - 3] {
                    at.push(BlockAt {
                        stream,
                        counter: counter ^ i as u64,
                    });
                }
            }
            let mut got = vec![[0u32; 16]; at.len()];
            blocks(&key, &at, |i, b| b.copy_to(&mut got[i]));
            for (a, g) in at.iter().zip(&got) {
                let want = reference(seed, *a, 16);
                assert_eq!(g.as_slice(), want.as_slice(), "{a:?}");
                assert_eq!(block(&key, *a), *g);
            }
        }
    }

    #[test]
    fn every_instruction_set_computes_the_same_words() {
        let key = Key::from_seed_u64(5);
        let counter: [u64; LANES] =
            std::array::from_fn(|l| (l as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 3);
        let stream: [u64; LANES] = std::array::from_fn(|l| ((l as u64) << 16) | 2);
        let mut want = [[0u32; LANES]; 16];
        compute_scalar(&key, &counter, &stream, LANES, &mut want);
        for l in 0..LANES {
            let b = block(
                &key,
                BlockAt {
                    stream: stream[l],
                    counter: counter[l],
                },
            );
            assert!((0..16).all(|w| want[w][l] == b[w]));
        }
        // Fewer lanes wanted: those computed, the rest untouched.
        let mut part = [[0u32; LANES]; 16];
        compute_scalar(&key, &counter, &stream, 3, &mut part);
        for (p, w) in part.iter().zip(&want) {
            assert_eq!(p[..3], w[..3]);
            assert_eq!(p[3..], [0; LANES - 3]);
        }
        #[cfg(target_arch = "x86_64")]
        {
            let mut got = [[0u32; LANES]; 16];
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: checked on the line above.
                unsafe { x86::compute_avx2(&key, &counter, &stream, LANES, &mut got) };
                assert_eq!(got, want, "AVX2");
                // Eight lanes or fewer wanted: the first eight computed, the rest untouched.
                for n in [1, 8] {
                    let mut part = [[0u32; LANES]; 16];
                    // SAFETY: as above.
                    unsafe { x86::compute_avx2(&key, &counter, &stream, n, &mut part) };
                    for (p, w) in part.iter().zip(&want) {
                        assert_eq!(p[..8], w[..8], "AVX2, {n} lanes");
                        assert_eq!(p[8..], [0; 8], "AVX2, {n} lanes");
                    }
                }
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                got = [[0u32; LANES]; 16];
                // SAFETY: checked on the line above.
                unsafe { x86::compute_avx512(&key, &counter, &stream, &mut got) };
                assert_eq!(got, want, "AVX-512");
            }
        }
    }

    #[test]
    fn every_instruction_set_transposes_the_same() {
        let mut lanes = [[0u32; LANES]; 16];
        for (w, row) in lanes.iter_mut().enumerate() {
            for (l, x) in row.iter_mut().enumerate() {
                *x = (w as u32) << 8 | l as u32 | 0xabcd_0000;
            }
        }
        let mut want = [[0u32; 16]; LANES];
        transpose_scalar(&lanes, LANES, &mut want);
        for (l, row) in want.iter().enumerate() {
            for (w, &x) in row.iter().enumerate() {
                assert_eq!(x, lanes[w][l]);
            }
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            let mut got = [[0u32; 16]; LANES];
            // SAFETY: checked on the line above.
            unsafe { x86::transpose_avx2(&lanes, LANES, &mut got) };
            assert_eq!(got, want, "AVX2");
            // A chunk of eight lanes or fewer: the first eight rows, the rest untouched.
            let mut part = [[0u32; 16]; LANES];
            // SAFETY: as above.
            unsafe { x86::transpose_avx2(&lanes, 5, &mut part) };
            assert_eq!(part[..8], want[..8], "AVX2, 5 lanes");
            assert!(part[8..].iter().all(|row| *row == [0; 16]));
        }
    }

    #[test]
    fn consecutive_blocks_continue_the_stream() {
        let key = Key::from_seed_u64(9);
        let at: Vec<BlockAt> = (0..40)
            .map(|j| BlockAt {
                stream: 77,
                counter: (123 << 28) + j,
            })
            .collect();
        let mut words = Vec::new();
        blocks(&key, &at, |_, b| {
            let mut w = [0u32; 16];
            b.copy_to(&mut w);
            words.extend_from_slice(&w);
            assert_eq!(b.word64(3), w[6] as u64 | (w[7] as u64) << 32);
        });
        assert_eq!(words, reference(9, at[0], 640));
    }
}
