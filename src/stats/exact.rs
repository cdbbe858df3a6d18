//! Exact floating-point sums (Shewchuk's algorithm, as in Python's `math.fsum`).
//!
//! Float addition is not associative, so a plain sum of chunk results depends on how runs were
//! grouped (threads, shards). An `ExactSum` keeps the exact sum as a few non-overlapping
//! partials; its value is the correctly rounded exact sum, whatever the order of additions and
//! merges. That is what makes sharded results bit-identical to a single run.

use serde::{Deserialize, Serialize};

/// The exact sum of the f64 values added to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    /// An empty sum.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a finite value (non-finite values are ignored: they never reach the statistics).
    ///
    /// Called once per run and step for the per-step means, so it is kept cheap: the error of
    /// each partial sum comes from Knuth's branch-free TwoSum (the exact error, the same as
    /// Shewchuk's ordered FastTwoSum gives, so the partials are the same bits), and the new
    /// total overwrites the first free slot instead of truncating and pushing.
    #[inline]
    pub fn add(&mut self, mut x: f64) {
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
        self.partials.clear();
    }

    /// Adds every partial of another sum.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The correctly rounded value of the sum.
    pub fn value(&self) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn add_leaves_the_same_partials_as_shewchuks_step() {
        // Values of every magnitude and sign (a fixed pseudo-random sequence), so that partials
        // grow, cancel and shrink.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut fast = ExactSum::new();
        let mut reference = vec![];
        for k in 0..200_000 {
            let r = next();
            let mantissa = (r >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = ((r % 80) as i32) - 40;
            let sign = if r & 1 == 0 { 1.0 } else { -1.0 };
            let x = if k % 97 == 0 {
                0.0
            } else {
                sign * mantissa * 2f64.powi(exponent)
            };
            fast.add(x);
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
