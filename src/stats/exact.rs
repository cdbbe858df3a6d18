//! Exact floating-point sums (Shewchuk's algorithm, as in Python's `math.fsum`).
//!
//! Float addition is not associative, so a plain sum of chunk results depends on how runs were
//! grouped (threads, shards). An `ExactSum` keeps the exact sum as a few non-overlapping
//! partials; its value is the correctly rounded exact sum, whatever the order of additions and
//! merges. That is what makes sharded results bit-identical to a single run.

use serde::{Deserialize, Serialize};

/// The exact sum of the f64 values added to it.
///
/// Values of magnitude 2^-12 to 2^24 (every index value but those within 2^-12 of 0) are added
/// exactly to a 128-bit fixed-point total, an integer addition; the others go to the partials. The value is the correctly rounded sum of both, as before. Saved as the
/// partials alone (the fixed-point total folded in), so files keep their shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Partials", into = "Partials")]
pub struct ExactSum {
    /// The fixed-point part, in units of 2^-64 (|total| < 2^88 per value: 2^39 values fit).
    fixed: i128,
    partials: Vec<f64>,
}

/// How an [`ExactSum`] is saved.
#[derive(Serialize, Deserialize)]
struct Partials {
    partials: Vec<f64>,
}

impl From<Partials> for ExactSum {
    /// The partials as saved (so that a sum read back saves the same bytes: shard files are
    /// checked against the SHA-256 of their tally).
    fn from(p: Partials) -> Self {
        ExactSum {
            fixed: 0,
            partials: p.partials,
        }
    }
}

impl From<ExactSum> for Partials {
    fn from(s: ExactSum) -> Self {
        Partials {
            partials: s.folded().partials,
        }
    }
}

/// 2^64: the fixed-point part's unit is 1/SCALE.
const SCALE: f64 = 18_446_744_073_709_551_616.0;

impl ExactSum {
    /// An empty sum.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a finite value (non-finite values are ignored: they never reach the statistics).
    ///
    /// Called once per run and step for the per-step means, so it is kept cheap: a value of
    /// magnitude 2^-12 to 2^24 is its significand shifted to units of 2^-64, added as an
    /// integer (no float operation, no conversion call).
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i32 - 1023;
        if (-12..=23).contains(&exponent) {
            // The lowest bit of x is 2^(exponent − 52) ≥ 2^-64: x is a whole number of 2^-64,
            // its significand times 2^(exponent + 12), below 2^88.
            let significand = ((bits & ((1 << 52) - 1)) | (1 << 52)) as i128;
            let v = significand << (exponent + 12);
            let negative = -((bits >> 63) as i128);
            self.add_fixed((v ^ negative) - negative);
        } else if x != 0.0 {
            self.add_partial(x);
        }
    }

    /// Adds a value to the partials (Shewchuk's step).
    ///
    /// The error of each partial sum comes from Knuth's branch-free TwoSum (the exact error, the
    /// same as Shewchuk's ordered FastTwoSum gives, so the partials are the same bits), and the
    /// new total overwrites the first free slot instead of truncating and pushing.
    fn add_partial(&mut self, mut x: f64) {
        if !x.is_finite() {
            return;
        }
        let p = self.partials.as_mut_slice();
        let n = p.len();
        let mut i = 0;
        for j in 0..n {
            let y = p[j];
            let hi = x + y;
            let yv = hi - x;
            let lo = (x - (hi - yv)) + (y - yv);
            if lo != 0.0 {
                p[i] = lo;
                i += 1;
            }
            x = hi;
        }
        if i < n {
            p[i] = x;
            self.partials.truncate(i + 1);
        } else {
            self.partials.push(x);
        }
    }

    /// Back to zero, keeping the memory it has.
    pub fn clear(&mut self) {
        self.fixed = 0;
        self.partials.clear();
    }

    /// Adds every partial of another sum.
    pub fn merge(&mut self, other: &ExactSum) {
        self.add_fixed(other.fixed);
        for &p in &other.partials {
            self.add_partial(p);
        }
    }

    /// Adds to the fixed-point part; should it overflow (2^39 values of the largest magnitude:
    /// not in any run brink allows, but a sum must never wrap), the part moves into the
    /// partials first.
    #[inline]
    fn add_fixed(&mut self, v: i128) {
        match self.fixed.checked_add(v) {
            Some(f) => self.fixed = f,
            None => {
                *self = self.folded();
                self.fixed = v;
            }
        }
    }

    /// The same sum with the fixed-point part moved into the partials: four 32-bit pieces,
    /// each exactly a double.
    fn folded(&self) -> ExactSum {
        let mut s = ExactSum {
            fixed: 0,
            partials: self.partials.clone(),
        };
        if self.fixed != 0 {
            let mask = 0xffff_ffff_i128;
            let pieces = [
                ((self.fixed >> 96) as f64) * 4_294_967_296.0,
                ((self.fixed >> 64) & mask) as f64,
                ((self.fixed >> 32) & mask) as f64 / 4_294_967_296.0,
                (self.fixed & mask) as f64 / SCALE,
            ];
            pieces.into_iter().for_each(|x| s.add_partial(x));
        }
        s
    }

    /// The sum as two doubles, `hi + lo`: `hi` its correctly rounded value and `lo` the rest,
    /// rounded (106 bits of the sum, for a difference that cancels most of them).
    pub fn value_two(&self) -> (f64, f64) {
        let hi = self.value();
        let mut rest = self.clone();
        rest.add(-hi);
        (hi, rest.value())
    }

    /// Adds the product `a·b` exactly (as its rounded value and its rounding error, Dekker's
    /// product without a fused multiply-add, which some platforms lack; the same bits
    /// everywhere). Exact while the product and its factors are finite and below about 2^995.
    pub fn add_product(&mut self, a: f64, b: f64) {
        let p = a * b;
        let (ah, al) = split(a);
        let (bh, bl) = split(b);
        let err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
        self.add(p);
        self.add(err);
    }

    /// The correctly rounded value of the sum.
    pub fn value(&self) -> f64 {
        if self.fixed != 0 {
            return self.folded().value();
        }
        let p = &self.partials;
        let Some(&last) = p.last() else {
            return 0.0;
        };
        let mut hi = last;
        let mut lo = 0.0;
        let mut n = p.len() - 1;
        while n > 0 {
            let x = hi;
            let y = p[n - 1];
            n -= 1;
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half-even correction, as in fsum.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

/// Veltkamp's split of `x` into a high half of 26 significant bits and the rest, each of which
/// multiplies another such half exactly.
fn split(x: f64) -> (f64, f64) {
    let c = 134_217_729.0 * x; // 2^27 + 1
    let hi = c - (c - x);
    (hi, x - hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A product is added exactly: (2^40 + 3)(2^40 + 5) = 2^80 + 2^43 + 15 needs 81 bits, and
    /// comes back whole as two doubles.
    #[test]
    fn a_product_is_added_exactly() {
        let (a, b) = ((1u64 << 40) + 3, (1u64 << 40) + 5);
        let mut s = ExactSum::new();
        s.add_product(a as f64, b as f64);
        let (hi, lo) = s.value_two();
        let want = a as i128 * b as i128;
        assert_eq!(hi as i128 + lo as i128, want);
        assert!(lo != 0.0);
        s.add_product(-(a as f64), b as f64);
        assert_eq!(s.value_two(), (0.0, 0.0));
    }

    /// Shewchuk's original step (ordered FastTwoSum, truncate and push), kept to check that
    /// the faster `add` leaves the very same partials.
    fn add_reference(partials: &mut Vec<f64>, mut x: f64) {
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }

    /// A fixed pseudo-random sequence (xorshift64).
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// A value of either sign made of 53 bits of `r`, scaled by 2^exponent.
    fn value_of(r: u64, exponent: i32) -> f64 {
        let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64;
        let sign = if r & 1 == 0 { 1.0 } else { -1.0 };
        sign * mantissa * 2f64.powi(exponent)
    }

    #[test]
    fn add_leaves_the_same_partials_as_shewchuks_step() {
        // Values of every magnitude and sign (a fixed pseudo-random sequence), so that partials
        // grow, cancel and shrink.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut fast = ExactSum::new();
        let mut reference = vec![];
        for k in 0..200_000 {
            let r = next();
            let x = if k % 97 == 0 {
                0.0
            } else {
                value_of(r, ((r % 80) as i32) - 40)
            };
            fast.add_partial(x);
            add_reference(&mut reference, x);
            assert_eq!(
                fast.partials
                    .iter()
                    .map(|p| p.to_bits())
                    .collect::<Vec<_>>(),
                reference.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
                "after {k} additions"
            );
        }
    }

    #[test]
    fn the_fixed_point_part_changes_no_value() {
        // Values the fixed-point part takes, values it refuses (too small to be a multiple of
        // 2^-64, or 2^24 and above), and both at once, in sums that cancel and grow.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for round in 0..400 {
            let mut hybrid = ExactSum::new();
            let mut partials = ExactSum::new();
            let mut halves = [ExactSum::new(), ExactSum::new()];
            for k in 0..(1 + round * 7) {
                let r = next();
                let x = value_of(r, ((r % 120) as i32) - 80 + (round % 3) * 10);
                hybrid.add(x);
                partials.add_partial(x);
                halves[(k % 2) as usize].add(x);
            }
            assert_eq!(
                hybrid.value().to_bits(),
                partials.value().to_bits(),
                "{round}"
            );
            let [mut a, b] = halves;
            a.merge(&b);
            assert_eq!(a.value().to_bits(), partials.value().to_bits(), "{round}");
            // Saved and read back: the same value.
            let json = serde_json::to_string(&hybrid).unwrap();
            let back: ExactSum = serde_json::from_str(&json).unwrap();
            assert_eq!(back.value().to_bits(), partials.value().to_bits());
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
            assert!(json.starts_with("{\"partials\":["), "{json}");
        }
        // The fixed part's largest values and their cancellation.
        let mut s = ExactSum::new();
        let big = (1u64 << 24) as f64 - 2f64.powi(-28);
        for _ in 0..1000 {
            s.add(big);
            s.add(-big);
            s.add(big);
        }
        assert_eq!(s.value(), big * 1000.0);
        assert_eq!(s.fixed, ((big * SCALE) as i128) * 1000);
    }

    #[test]
    fn a_full_fixed_point_part_moves_into_the_partials() {
        let big = (1u64 << 24) as f64 - 1.0;
        for start in [i128::MAX - 5, i128::MIN + 5] {
            let mut s = ExactSum {
                fixed: start,
                partials: vec![],
            };
            let mut want = s.folded();
            let x = if start > 0 { big } else { -big };
            for _ in 0..3 {
                s.add(x);
                want.add_partial(x);
            }
            assert_eq!(s.value().to_bits(), want.value().to_bits());
            let mut m = ExactSum {
                fixed: start,
                partials: vec![],
            };
            m.merge(&ExactSum {
                fixed: start,
                partials: vec![1.5],
            });
            let mut want = ExactSum {
                fixed: start,
                partials: vec![],
            }
            .folded();
            want.merge(&want.clone());
            want.add_partial(1.5);
            assert_eq!(m.value().to_bits(), want.value().to_bits());
        }
    }

    #[test]
    fn grouping_does_not_change_the_sum() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 + if i % 3 == 0 { 1e8 } else { -1e-8 })
            .collect();
        let mut whole = ExactSum::new();
        xs.iter().for_each(|&x| whole.add(x));
        for split in [1, 7, 250, 999] {
            let (a, b) = xs.split_at(split);
            let mut sa = ExactSum::new();
            a.iter().rev().for_each(|&x| sa.add(x));
            let mut sb = ExactSum::new();
            b.iter().for_each(|&x| sb.add(x));
            sb.merge(&sa);
            assert_eq!(sb.value().to_bits(), whole.value().to_bits());
        }
        assert_eq!(
            {
                let mut s = ExactSum::new();
                [0.1; 10].iter().for_each(|&x| s.add(x));
                s.value()
            },
            1.0
        );
    }
}
