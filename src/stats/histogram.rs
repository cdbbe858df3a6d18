//! Fixed-bin histograms: mergeable by adding counts, quantiles by interpolation within a bin.

use crate::numerics::math::{log10, pow};
use serde::{Deserialize, Serialize};

/// Equal-width bins on `[lo, hi]`; values outside are counted in the end bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) counts: Vec<u64>,
}

impl Histogram {
    /// `bins` equal bins on `[lo, hi]`.
    pub fn new(lo: f64, hi: f64, bins: usize) -> Self {
        Histogram {
            lo,
            hi,
            counts: vec![0; bins.max(1)],
        }
    }

    /// The bin of a value.
    #[inline]
    pub fn bin(&self, x: f64) -> usize {
        let n = self.counts.len();
        let f = (x - self.lo) / (self.hi - self.lo) * n as f64;
        // (With no bins, which `new` never makes, `last` is 0 and every value goes to the
        // first two arms.)
        let last = n.saturating_sub(1);
        if f.is_nan() || f < 0.0 {
            0
        } else if f >= last as f64 {
            last
        } else {
            // SAFETY: 0 <= f < last, and a Vec's length is below 2^63 (isize::MAX), so the
            // truncation is in range. (A checked `as usize` costs a fifth of the per-step
            // statistics of a model of relations alone.)
            unsafe { f.to_int_unchecked::<i64>() as usize }
        }
    }

    /// Counts a value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let b = self.bin(x);
        self.counts[b] += 1;
    }

    /// Adds another histogram with the same bins.
    pub fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
    }

    /// Number of values counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// An upper bound on the sample standard deviation of the values counted, all of which
    /// lie in `[lo, hi]` (as the dyad index does within its bounds): that of the bins' centres
    /// plus what half a bin can add. Each value lies within half a bin of its bin's centre, and
    /// moving n values by at most w/2 each moves their standard deviation by at most
    /// w/2 · √(n / (n − 1)) (Minkowski's inequality). NaN below two values.
    ///
    /// ```
    /// let mut h = brink::stats::Histogram::new(0.0, 10.0, 10);
    /// for x in [0.1, 0.9, 5.5, 9.9] {
    ///     h.add(x);
    /// }
    /// let exact_sd = 4.5402; // of 0.1, 0.9, 5.5, 9.9
    /// assert!(h.sd_bound() >= exact_sd && h.sd_bound() < exact_sd + 0.6);
    /// ```
    pub fn sd_bound(&self) -> f64 {
        let n = self.total();
        if n < 2 {
            return f64::NAN;
        }
        let w = (self.hi - self.lo) / self.counts.len() as f64;
        let centre = |i: usize| self.lo + w * (i as f64 + 0.5);
        let nf = n as f64;
        let mean = self
            .counts
            .iter()
            .enumerate()
            .map(|(i, &c)| c as f64 * centre(i))
            .sum::<f64>()
            / nf;
        let squares: f64 = self
            .counts
            .iter()
            .enumerate()
            .map(|(i, &c)| c as f64 * (centre(i) - mean) * (centre(i) - mean))
            .sum();
        (squares / (nf - 1.0)).sqrt() + 0.5 * w * (nf / (nf - 1.0)).sqrt()
    }

    /// The q-quantile (0 ≤ q ≤ 1), interpolated linearly inside its bin; accurate to a bin
    /// width.
    pub fn quantile(&self, q: f64) -> f64 {
        quantile_of(&self.counts, q, |i| {
            let w = (self.hi - self.lo) / self.counts.len() as f64;
            (self.lo + w * i as f64, self.lo + w * (i + 1) as f64)
        })
    }
}

fn quantile_of(counts: &[u64], q: f64, edges: impl Fn(usize) -> (f64, f64)) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return f64::NAN;
    }
    let target = q.clamp(0.0, 1.0) * total as f64;
    let mut acc = 0u64;
    for (i, &c) in counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        if (acc + c) as f64 >= target {
            let (a, b) = edges(i);
            let frac = ((target - acc as f64) / c as f64).clamp(0.0, 1.0);
            return a + (b - a) * frac;
        }
        acc += c;
    }
    let last = counts.iter().rposition(|&c| c > 0).unwrap_or(0);
    edges(last).1
}

/// Bins on a log scale for non-negative values that span many orders of magnitude (costs):
/// one bin for zero (and anything up to 10^MIN_EXP), then `PER_DECADE` bins per decade from
/// 10^MIN_EXP to 10^MAX_EXP (larger values count in the last). Quantiles are accurate to about
/// 5% of the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogHistogram {
    pub(crate) counts: Vec<u64>,
}

const PER_DECADE: f64 = 40.0;
/// From 10^-12: costs in a coarse unit (a cost unit of USD trillion makes 10^-12 a dollar).
/// The bins began at 10^-4, and everything below was counted as zero: a run's costs of 5e-5
/// gave every percentile as the smallest cost.
const MIN_EXP: f64 = -12.0;
/// To 10^20: a number may reach 10^12 (`MAX_ABS_NUMBER`), and costs add up over thousands
/// of steps and hundreds of measures.
const MAX_EXP: f64 = 20.0;
/// 10^MIN_EXP as a literal (the nearest double, which `pow(10.0, MIN_EXP)` also gives: a test
/// checks it), so that `add` takes no `pow` per value.
const MIN_VALUE: f64 = 1e-12;
/// The decade the bins are counted from: 10^-4, where they began, so that every bin from
/// there up has the same edges, to the bit, as before they reached lower.
const ANCHOR_EXP: f64 = -4.0;
/// The bins from 10^MIN_EXP to the anchor.
const BELOW_ANCHOR: isize = ((ANCHOR_EXP - MIN_EXP) * PER_DECADE) as isize;

impl Default for LogHistogram {
    fn default() -> Self {
        LogHistogram {
            counts: vec![0; 2 + ((MAX_EXP - MIN_EXP) * PER_DECADE) as usize],
        }
    }
}

impl LogHistogram {
    /// Counts a value (negative values count as zero).
    #[inline]
    pub fn add(&mut self, x: f64) {
        let n = self.counts.len();
        let b = if x.is_nan() || x <= MIN_VALUE {
            0
        } else {
            // Bins from the anchor, negative below it (`floor`: exact, the same bits
            // everywhere; above the anchor it is the truncation the bins always took).
            let k = ((log10(x) - ANCHOR_EXP) * PER_DECADE).floor();
            // Clamped as a float first: infinity cast to isize would overflow the sum.
            let k = k.clamp(-(BELOW_ANCHOR as f64), n as f64);
            (1 + BELOW_ANCHOR + k as isize).clamp(1, n as isize - 1) as usize
        };
        self.counts[b] += 1;
    }

    /// The bounds of bin `i` (the zero bin is `(0, 0)`).
    fn edges(i: usize) -> (f64, f64) {
        if i == 0 {
            (0.0, 0.0)
        } else {
            let e = ANCHOR_EXP + (i as isize - 1 - BELOW_ANCHOR) as f64 / PER_DECADE;
            (pow(10.0, e), pow(10.0, e + 1.0 / PER_DECADE))
        }
    }

    /// Adds another histogram.
    pub fn merge(&mut self, o: &LogHistogram) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
    }

    /// The q-quantile.
    pub fn quantile(&self, q: f64) -> f64 {
        quantile_of(&self.counts, q, Self::edges)
    }

    /// The bins as `(low, high, count)`, skipping empty ones.
    pub fn bins(&self) -> Vec<(f64, f64, u64)> {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                let (lo, hi) = Self::edges(i);
                (lo, hi, c)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    /// The bound on the spread holds the exact sample standard deviation of the values
    /// binned, and exceeds it by at most a bin times √(n / (n − 1)): 200 samples of 2 to 500
    /// values in [−10, 10], spread and clustered, including values on the bounds.
    #[test]
    fn the_spread_bound_holds_the_exact_spread() {
        let master = crate::numerics::rng::Master::new(3);
        for t in 0..200u64 {
            let mut s = master.stream(t, 0);
            let n = 2 + (s.uniform() * 499.0) as usize;
            let (centre, width) = (-10.0 + 20.0 * s.uniform(), 20.0 * s.uniform().powi(3));
            let xs: Vec<f64> = (0..n)
                .map(|_| (centre + width * (s.uniform() - 0.5)).clamp(-10.0, 10.0))
                .collect();
            let mut h = Histogram::new(-10.0, 10.0, 400);
            xs.iter().for_each(|&x| h.add(x));
            let mean = xs.iter().sum::<f64>() / n as f64;
            let sd =
                (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
            let bound = h.sd_bound();
            let most = sd + 0.05 * (n as f64 / (n - 1) as f64).sqrt();
            assert!(
                sd <= bound + 1e-12 && bound <= most + 1e-12,
                "sample {t}: n {n}, sd {sd}, bound {bound}"
            );
        }
        assert!(Histogram::new(0.0, 1.0, 4).sd_bound().is_nan());
    }

    use super::*;

    /// The bin is the checked conversion's, `(f as usize).min(n − 1)` (0 for NaN and below),
    /// at the edges of every bin, the ends, beyond them and at infinities.
    #[test]
    fn bins_are_the_truncated_fraction() {
        let h = Histogram::new(-10.0, 10.0, 400);
        let want = |x: f64| {
            let f = (x - h.lo) / (h.hi - h.lo) * 400.0;
            if f.is_nan() || f < 0.0 {
                0
            } else {
                (f as usize).min(399)
            }
        };
        let mut xs = vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            -0.0,
        ];
        for i in -2..=402 {
            let edge = -10.0 + i as f64 * 0.05;
            xs.extend([edge, edge.next_up(), edge.next_down()]);
        }
        for x in xs {
            assert_eq!(h.bin(x), want(x), "{x}");
        }
        assert_eq!(h.bin(10.0), 399);
        assert_eq!(h.bin(-10.0), 0);
    }

    #[test]
    fn min_value_is_ten_to_min_exp() {
        assert_eq!(MIN_VALUE.to_bits(), pow(10.0, MIN_EXP).to_bits());
    }

    #[test]
    fn small_and_large_costs_have_bins_of_their_own() {
        // Costs of 4.7e-5 to 5.2e-5 (a coarse cost unit) all counted as zero: every
        // percentile came out as the smallest cost.
        for scale in [1e-11, 5e-5, 1.0, 3e18] {
            let mut h = LogHistogram::default();
            for i in 0..1000 {
                h.add(scale * (1.0 + i as f64 / 1000.0));
            }
            for q in [0.05, 0.5, 0.95] {
                let want = scale * (1.0 + q);
                let got = h.quantile(q);
                assert!(
                    (got / want - 1.0).abs() < 0.06,
                    "{scale} q{q}: {got} for {want}"
                );
            }
        }
        // Bins from 10^-4 up keep their edges, to the bit, from before they reached lower.
        let mut h = LogHistogram::default();
        h.add(2.5);
        let (i, _) = h.counts.iter().enumerate().find(|(_, c)| **c > 0).unwrap();
        let old = 1 + ((log10(2.5) + 4.0) * PER_DECADE) as usize;
        assert_eq!(i, old + BELOW_ANCHOR as usize);
        let e = -4.0 + (old - 1) as f64 / PER_DECADE;
        assert_eq!(LogHistogram::edges(i).0.to_bits(), pow(10.0, e).to_bits());
        // At and below 10^-12: the zero bin.
        let mut h = LogHistogram::default();
        h.add(1e-12);
        h.add(1e-300);
        assert_eq!(h.counts[0], 2);
        // Beyond 10^20, infinity included: the last bin.
        h.add(1e30);
        h.add(f64::INFINITY);
        assert_eq!(h.counts[h.counts.len() - 1], 2);
    }

    #[test]
    fn quantiles_within_a_bin() {
        let mut h = Histogram::new(0.0, 1.0, 100);
        for i in 0..10_000 {
            h.add((i as f64 + 0.5) / 10_000.0);
        }
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            assert!((h.quantile(q) - q).abs() <= 0.01, "{q} {}", h.quantile(q));
        }
        let mut l = LogHistogram::default();
        for i in 1..=1000 {
            l.add(i as f64);
        }
        assert!(
            (l.quantile(0.5) / 500.0 - 1.0).abs() < 0.06,
            "{}",
            l.quantile(0.5)
        );
    }
}
