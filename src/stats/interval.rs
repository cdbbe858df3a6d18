//! Confidence intervals: Wilson for probabilities, Newcombe's hybrid score for differences of
//! probabilities (paired and independent), Student's t for means.

use serde::{Deserialize, Serialize};

use super::ExactSum;
use crate::numerics::dist::student_t_inv;

/// The 97.5% standard normal quantile: 95% two-sided intervals.
pub const Z95: f64 = 1.959_963_984_540_054;

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The point estimate: a probability, or a mean in its quantity's unit.
    pub estimate: f64,
    /// Lower end of the 95% interval; −∞ when the data give none (a mean of fewer than two
    /// runs), written `null` in JSON.
    #[serde(serialize_with = "bound::write", deserialize_with = "bound::low")]
    pub low: f64,
    /// Upper end of the 95% interval; +∞ when the data give none, written `null` in JSON.
    #[serde(serialize_with = "bound::write", deserialize_with = "bound::high")]
    pub high: f64,
}

impl Interval {
    /// Half the width of the interval.
    pub fn half_width(&self) -> f64 {
        0.5 * (self.high - self.low)
    }

    /// How far the interval reaches from the estimate: the farther of its two ends. A Wilson
    /// interval near 0 or 1 is lopsided (0 hits in 2,048 runs: 0 to 0.0019), so half its
    /// width (0.0009) understates how far the truth may be from the estimate.
    ///
    /// ```
    /// let i = brink::stats::wilson(0, 2048, brink::stats::Z95);
    /// assert!(i.reach() > 1.9 * i.half_width());
    /// ```
    pub fn reach(&self) -> f64 {
        (self.estimate - self.low).max(self.high - self.estimate)
    }

    /// Whether the data bound the interval (a mean of one run has no interval).
    pub fn is_bounded(&self) -> bool {
        self.low.is_finite() && self.high.is_finite()
    }

    /// The interval as text, `low` and `high` each by `end` joined by `between`, or
    /// [`NO_INTERVAL`] when the data give none.
    ///
    /// ```
    /// let i = brink::stats::mean_interval(1, 5.0, 25.0);
    /// assert_eq!(i.text(|x| format!("{x:.1}"), " – "), brink::stats::NO_INTERVAL);
    /// ```
    pub fn text(&self, end: impl Fn(f64) -> String, between: &str) -> String {
        if self.is_bounded() {
            format!("{}{between}{}", end(self.low), end(self.high))
        } else {
            NO_INTERVAL.to_string()
        }
    }
}

/// What a report shows for an interval the data do not bound (a mean of fewer than two runs).
pub const NO_INTERVAL: &str = "none (under 2 runs)";

/// An interval's ends in JSON: a number, or `null` for an unbounded end (JSON has no
/// infinity), read back as −∞ for a low end and +∞ for a high one.
pub(crate) mod bound {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn write<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_none()
        }
    }

    pub fn low<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
    }

    pub fn high<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }

    /// A share of nothing (written `null`) read back as NaN.
    pub fn nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Wilson score interval for `k` successes in `n` trials.
///
/// ```
/// let i = brink::stats::wilson(50, 100, brink::stats::Z95);
/// assert!((i.estimate - 0.5).abs() < 1e-12);
/// assert!((i.low - 0.4038).abs() < 1e-4 && (i.high - 0.5962).abs() < 1e-4);
/// ```
pub fn wilson(k: u64, n: u64, z: f64) -> Interval {
    if n == 0 {
        return Interval {
            estimate: 0.0,
            low: 0.0,
            high: 1.0,
        };
    }
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let (centre, half) = wilson_centre_half(p, n_f, z);
    // At k = 0 (k = n) the low (high) end is 0 (1) exactly; rounding left about 1e-19.
    Interval {
        estimate: p,
        low: if k == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        high: if k >= n {
            1.0
        } else {
            (centre + half).min(1.0)
        },
    }
}

/// The centre and half-width of Wilson's score interval for a proportion `p` of `n` trials.
fn wilson_centre_half(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    (centre, half)
}

/// The 95% interval of a mean from n, Σx and Σx²: Student's t with n − 1 degrees of freedom
/// (the normal interval it replaces covered 88% of the time at five runs). Fewer than two runs
/// give no interval: −∞ to +∞ (one value says nothing of the spread).
///
/// ```
/// // 1, 2, 3: mean 2, standard error 1/√3, t(0.975, 2) = 4.303.
/// let i = brink::stats::mean_interval(3, 6.0, 14.0);
/// assert!((i.estimate - 2.0).abs() < 1e-12);
/// assert!((i.high - (2.0 + 4.302_652_73 / 3f64.sqrt())).abs() < 1e-7);
/// assert!(!brink::stats::mean_interval(1, 6.0, 36.0).is_bounded());
/// ```
pub fn mean_interval(n: u64, sum: f64, sumsq: f64) -> Interval {
    let exact = |x: f64| {
        let mut s = ExactSum::new();
        s.add(x);
        s
    };
    mean_interval_of(n, &exact(sum), &exact(sumsq))
}

/// As [`mean_interval`], from the exact sums of the values and of their squares: the spread is
/// n·Σx² − (Σx)², worked out exactly from 106 bits of each sum, so that values far from 0 that
/// vary little (10^9 ± 100) keep their interval (in doubles it cancelled to zero width).
pub(crate) fn mean_interval_of(n: u64, sum: &ExactSum, sumsq: &ExactSum) -> Interval {
    let (mean, var) = mean_variance_of(n, sum, sumsq);
    if n < 2 {
        return Interval {
            estimate: mean,
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
        };
    }
    let n_f = n as f64;
    let half = student_t_inv(0.975, n - 1) * (var / n_f).sqrt();
    Interval {
        estimate: mean,
        low: mean - half,
        high: mean + half,
    }
}

/// The 95% interval of a mean of `n` values that all lie in `[lo, hi]` from their mean and an
/// upper bound `sd` on their sample standard deviation: Student's t, cut to `[lo, hi]`. When
/// the values show no spread at all (`sd` 0: every run at the same level, on the same rung
/// for the same number of steps), t gives an interval of no width, which says the other
/// runs' values could not differ; then the interval is what Wilson's interval on the share
/// of runs at that value (all of them) leaves room for: the runs it could miss lying at
/// either bound. None (−∞ to +∞) below two values.
///
/// ```
/// use brink::stats::bounded_mean_interval;
/// // 100 runs all at level 2 of levels 0 to 3: not [2, 2].
/// let i = bounded_mean_interval(100, 2.0, 0.0, (0.0, 3.0));
/// assert!(i.low < 2.0 && i.high > 2.0 && i.low > 1.9 && i.high < 2.05);
/// // With a spread, Student's t cut to the bounds.
/// let j = bounded_mean_interval(3, 0.5, 0.5, (0.0, 1.0));
/// assert_eq!((j.low, j.high), (0.0, 1.0));
/// ```
pub fn bounded_mean_interval(n: u64, mean: f64, sd: f64, (lo, hi): (f64, f64)) -> Interval {
    // Below two values, or an unknown spread (NaN, which is not "no spread"): no interval.
    if n < 2 || sd.is_nan() {
        return Interval {
            estimate: mean,
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
        };
    }
    if sd > 0.0 {
        let half = student_t_inv(0.975, n - 1) * sd / (n as f64).sqrt();
        return Interval {
            estimate: mean,
            low: (mean - half).clamp(lo, hi),
            high: (mean + half).clamp(lo, hi),
        };
    }
    // Every run at `mean`: at least a share `all.low` of runs like these lie there, the rest
    // anywhere in the bounds.
    let missed = 1.0 - wilson(n, n, Z95).low;
    Interval {
        estimate: mean,
        low: mean - missed * (mean - lo),
        high: mean + missed * (hi - mean),
    }
}

/// As [`bounded_mean_interval`], from `n`, Σx and Σx² of values in `[lo, hi]` (whole
/// numbers of steps or levels: the sums are exact in `u128`).
pub(crate) fn bounded_mean_interval_of_sums(
    n: u64,
    sum: u128,
    squares: u128,
    bounds: (f64, f64),
) -> Interval {
    // Each sum in pieces of 48 bits, each exact as a double and scaled by a power of two
    // (exact too), added exactly.
    let exact = |x: u128| {
        let mut s = ExactSum::new();
        for shift in [96, 48, 0] {
            let piece = (x >> shift) & ((1 << 48) - 1);
            s.add(piece as f64 * (1u128 << shift) as f64);
        }
        s
    };
    let (mean, var) = mean_variance_of(n, &exact(sum), &exact(squares));
    bounded_mean_interval(n, mean, var.max(0.0).sqrt(), bounds)
}

/// The 95% interval of a mean level from the runs at each level (`counts[l]` runs at level
/// `l`, levels 0 to `counts.len()` − 1); none below two runs. Most runs of a measure often sit
/// at one level with a few elsewhere (three of 1,000 runs raised it), where Student's t, a
/// Wald interval on that handful, covers the truth about 85% of the time, and far less when
/// the few runs spread over levels at different distances and a sample misses the far ones.
/// So the mean is also taken apart about the level most runs are at, `v`: v plus, for each
/// other level, its share times its distance from `v`, each share's interval by Wilson and
/// their deviations combined in quadrature (the MOVER method of Zou and Donner, as Newcombe
/// combines two proportions); the levels no run reached on a side count as one share, as
/// large as Wilson's interval on none of the runs allows, at the farthest of them. The
/// interval is the hull of that and Student's t, within the levels. (Exact enumeration in
/// the tests: at least 0.93 coverage on two and three levels in use, where t alone fell to
/// 0.65.)
///
/// ```
/// use brink::stats::levels_mean_interval;
/// // 997 of 1,000 runs at level 0, 3 at level 3: mean 0.009.
/// let i = levels_mean_interval(&[997, 0, 0, 3]).unwrap();
/// assert!(i.low < 0.009 && i.high > 0.02 && i.high < 0.04);
/// assert!(levels_mean_interval(&[1, 0]).is_none());
/// ```
pub fn levels_mean_interval(counts: &[u64]) -> Option<Interval> {
    // In u128: counts near 2^64 (a damaged file) must not wrap.
    let n128: u128 = counts.iter().map(|&c| u128::from(c)).sum();
    let n = u64::try_from(n128).ok()?;
    if n < 2 {
        return None;
    }
    let top = counts.len() - 1;
    let (sum, squares) = counts
        .iter()
        .enumerate()
        .fold((0u128, 0u128), |(s, q), (l, &c)| {
            let (l, c) = (l as u128, u128::from(c));
            (s + l * c, q + l * l * c)
        });
    let t = bounded_mean_interval_of_sums(n, sum, squares, (0.0, top as f64));
    // The level most runs are at (the lowest of equals).
    let v = (0..counts.len()).fold(0, |b, l| if counts[l] > counts[b] { l } else { b });
    // The shares move against each other (they sum to 1): the sum of squares treats them as
    // independent, which on one side of `v` overstates the variance of the mean by a factor
    // (Σd²p − Σd²p²) / (Σd²p − (Σdp)²): 1.28 times as wide at [0.4, 0.2, 0.2, 0.2], however
    // many the runs. Scaled back to the multinomial's variance (never widened: Student's t holds
    // the other case), it keeps Wilson's skew where few runs are off `v` (there the ratio is
    // about 1) and comes to Student's t as the runs grow.
    // One pass over the levels off `v`: those moments, and the squared deviations below and
    // above the mean, scaled after.
    let (mut d2p, mut d2p2, mut dp) = (0.0f64, 0.0f64, 0.0f64);
    let (mut below, mut above) = (0.0f64, 0.0f64);
    for (l, &c) in counts.iter().enumerate() {
        if l == v || c == 0 {
            continue;
        }
        let (d, p) = (l as f64 - v as f64, c as f64 / n as f64);
        d2p += d * d * p;
        d2p2 += d * d * p * p;
        dp += d * p;
        let w = wilson(c, n, Z95);
        let (less, more) = (
            (w.estimate - w.low) * d.abs(),
            (w.high - w.estimate) * d.abs(),
        );
        let (lo, hi) = if d > 0.0 { (less, more) } else { (more, less) };
        below += lo * lo;
        above += hi * hi;
    }
    let shrink = if d2p > d2p2 {
        ((d2p - dp * dp) / (d2p - d2p2)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    below *= shrink;
    above *= shrink;
    // The levels no run reached: above `v`, as many runs as Wilson allows none of them to be
    // at the farthest; below, likewise.
    let none = wilson(0, n, Z95).high;
    let far_up = (v + 1..=top).rev().find(|&l| counts[l] == 0).map(|l| l - v);
    let far_down = (0..v).find(|&l| counts[l] == 0).map(|l| v - l);
    if let Some(d) = far_up {
        above += (none * d as f64).powi(2);
    }
    if let Some(d) = far_down {
        below += (none * d as f64).powi(2);
    }
    Some(Interval {
        estimate: t.estimate,
        low: t.low.min(t.estimate - below.sqrt()).max(0.0),
        high: t.high.max(t.estimate + above.sqrt()).min(top as f64),
    })
}

/// The mean and the sample variance (n − 1 in the denominator; NaN below two values) from
/// the exact sums, as [`mean_interval_of`] takes them.
pub(crate) fn mean_variance_of(n: u64, sum: &ExactSum, sumsq: &ExactSum) -> (f64, f64) {
    let mean = if n == 0 { 0.0 } else { sum.value() / n as f64 };
    if n < 2 {
        return (mean, f64::NAN);
    }
    let n_f = n as f64;
    let ((s, s_rest), (q, q_rest)) = (sum.value_two(), sumsq.value_two());
    let mut spread = ExactSum::new();
    spread.add_product(n_f, q);
    spread.add_product(n_f, q_rest);
    spread.add_product(-s, s);
    spread.add_product(-2.0 * s, s_rest);
    spread.add_product(-s_rest, s_rest);
    let var = (spread.value() / (n_f * (n_f - 1.0))).max(0.0);
    (mean, var)
}

/// Wilson's interval for a proportion `p` estimated from clustered trials, at their effective
/// number `n_eff` (Kish's: p(1 − p) over the estimate's variance) and the quantile `z`: the
/// ends stay within 0 and 1 and off 0 (1) when `p` is above 0 (below 1), where a t interval
/// on the clusters' means, cut at 0, read 0 after hits.
///
/// ```
/// // At n_eff = n, Wilson's interval itself.
/// let a = brink::stats::wilson_effective(0.5, 100.0, brink::stats::Z95);
/// let b = brink::stats::wilson(50, 100, brink::stats::Z95);
/// assert_eq!((a.low, a.high), (b.low, b.high));
/// ```
pub fn wilson_effective(p: f64, n_eff: f64, z: f64) -> Interval {
    let (centre, half) = wilson_centre_half(p, n_eff, z);
    Interval {
        estimate: p,
        low: if p <= 0.0 {
            0.0
        } else {
            (centre - half).clamp(0.0, p)
        },
        high: if p >= 1.0 {
            1.0
        } else {
            (centre + half).clamp(p, 1.0)
        },
    }
}

/// Interval for the difference of two paired proportions (variant − base on the same runs):
/// `k_variant` runs of `n` in which the variant had the outcome, `gained` in which only the
/// variant had it, `lost` in which only the base had it.
///
/// Newcombe's hybrid score interval for paired data (1998, Statistics in Medicine 17:2635,
/// method 10): each arm's Wilson interval, combined with the correlation φ of the two arms'
/// indicators. The normal interval of the mean difference collapses to a point whenever no run
/// disagrees or all that do disagree one way (+1.000 .. +1.000 from one run); this one keeps
/// its coverage there because Wilson's does. φ carries Newcombe's continuity correction
/// (ad − bc reduced by n/2 when above n/2, 0 from 0 to n/2, kept when negative, as in
/// Altman et al., *Statistics with Confidence*).
pub fn paired_diff_interval(k_variant: u64, gained: u64, lost: u64, n: u64, z: f64) -> Interval {
    if n == 0 {
        return Interval {
            estimate: 0.0,
            low: -1.0,
            high: 1.0,
        };
    }
    // The 2×2 table of base (rows) by variant (columns): both, only base, only variant, neither.
    let k_base = (k_variant + lost).saturating_sub(gained);
    let both = k_base.saturating_sub(lost) as f64;
    let neither = n.saturating_sub(k_base + gained) as f64;
    let (b, c) = (lost as f64, gained as f64);
    let nf = n as f64;
    let (base, var) = (wilson(k_base, n, z), wilson(k_variant, n, z));
    let margins = k_base as f64
        * (n - k_base.min(n)) as f64
        * k_variant as f64
        * (n - k_variant.min(n)) as f64;
    let phi = if margins > 0.0 {
        let ad_bc = both * neither - b * c;
        let corrected = if ad_bc > nf / 2.0 {
            ad_bc - nf / 2.0
        } else {
            ad_bc.min(0.0)
        };
        corrected / margins.sqrt()
    } else {
        0.0
    };
    let (p1, p2) = (base.estimate, var.estimate);
    // From the discordant runs, so that it is exactly the mean of the per-run differences.
    let d = (c - b) / nf;
    let spread = |x: f64, y: f64| (x * x - 2.0 * phi * x * y + y * y).max(0.0).sqrt();
    Interval {
        estimate: d,
        low: (d - spread(p2 - var.low, base.high - p1)).max(-1.0),
        high: (d + spread(var.high - p2, p1 - base.low)).min(1.0),
    }
}

/// Newcombe's hybrid score interval (his method 10, 1998) for the difference `k_b/n_b −
/// k_a/n_a` of two independent proportions: each proportion's Wilson interval, combined as
/// `d − sqrt((p_b − l_b)² + (u_a − p_a)²)` to `d + sqrt((u_b − p_b)² + (p_a − l_a)²)`. Unlike the
/// Wald interval it stays inside [−1, 1] and keeps its coverage near 0 and 1.
pub fn newcombe_diff_interval(k_a: u64, n_a: u64, k_b: u64, n_b: u64, z: f64) -> Interval {
    let a = wilson(k_a, n_a, z);
    let b = wilson(k_b, n_b, z);
    let d = b.estimate - a.estimate;
    Interval {
        estimate: d,
        low: (d - ((b.estimate - b.low).powi(2) + (a.high - a.estimate).powi(2)).sqrt()).max(-1.0),
        high: (d + ((b.high - b.estimate).powi(2) + (a.estimate - a.low).powi(2)).sqrt()).min(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::rng::Master;

    /// Wilson 95% intervals cover the true probability at about their nominal rate. Coverage
    /// is estimated over 4,000 simulated experiments, so its own standard error is about
    /// sqrt(0.95·0.05/4000) ≈ 0.0034; the bounds below are ±4 of those.
    #[test]
    fn wilson_covers_at_nominal_rate() {
        let master = Master::new(42);
        for &(p, n) in &[(0.5, 100u64), (0.1, 200), (0.03, 500)] {
            let trials = 4000;
            let mut covered = 0;
            for t in 0..trials {
                let mut s = master.stream(t, 0);
                let k = (0..n).filter(|_| s.uniform() < p).count() as u64;
                let i = wilson(k, n, Z95);
                if i.low <= p && p <= i.high {
                    covered += 1;
                }
            }
            let rate = covered as f64 / trials as f64;
            // Wilson's coverage oscillates around 95% with n; 0.93 is its known low for these n.
            assert!(
                (0.93 - 0.0136..=0.97 + 0.0136).contains(&rate),
                "p {p} n {n}: coverage {rate}"
            );
        }
    }

    /// Mean intervals cover the true mean at their nominal rate at small n, where the normal
    /// interval they replace did not (about 0.88 at n = 5). Each case is 4,000 samples of
    /// normals on fixed streams: a coverage estimate has a standard error of about
    /// √(0.95·0.05/4000) ≈ 0.0034, and the bounds are ±4 of those around 0.95 (t is exact for
    /// normal data).
    #[test]
    fn mean_intervals_cover_at_nominal_rate_at_small_n() {
        let master = Master::new(11);
        for n in [2u64, 3, 5, 12] {
            let (mu, sigma) = (3.0, 2.0);
            let trials = 4000;
            let mut covered = 0;
            for t in 0..trials {
                let mut s = master.stream(t, n);
                let (mut sum, mut sumsq) = (0.0, 0.0);
                for _ in 0..n {
                    let x = mu + sigma * crate::numerics::dist::norm_inv(s.uniform());
                    sum += x;
                    sumsq += x * x;
                }
                let i = mean_interval(n, sum, sumsq);
                assert!(i.is_bounded());
                if i.low <= mu && mu <= i.high {
                    covered += 1;
                }
            }
            let rate = covered as f64 / trials as f64;
            assert!((rate - 0.95).abs() <= 0.0136, "n {n}: coverage {rate}");
        }
    }

    /// An unknown spread (NaN: a histogram of fewer than two values) gives no interval, not
    /// the interval of values that all agree.
    #[test]
    fn an_unknown_spread_gives_no_interval() {
        let i = bounded_mean_interval(10, 1.0, f64::NAN, (0.0, 3.0));
        assert!(!i.is_bounded(), "{i:?}");
    }

    /// A mean of whole numbers within bounds covers at its nominal rate or above where most
    /// samples agree on one value: levels 0 and 3, level 3 in a share q of runs. A t interval
    /// of zero width (every run at 0, 82% of samples at q = 0.001 and n = 200) covered only
    /// when a sample held a run at 3. 4,000 samples a case: bounds 0.95 − 4 standard errors
    /// (0.0034) and 1. (Where a few runs of a sample are at 3, Student's t itself covers less:
    /// [`levels_mean_interval`] is for levels; steps keep only their sums.)
    #[test]
    fn a_bounded_mean_covers_where_most_samples_agree() {
        let master = Master::new(12);
        for &(q, n) in &[(0.001, 200u64), (0.01, 50), (0.3, 20)] {
            let trials = 4000;
            let mut covered = 0;
            for t in 0..trials {
                let mut s = master.stream(t, n);
                let hits = (0..n).filter(|_| s.uniform() < q).count() as u128;
                let i = bounded_mean_interval_of_sums(n, 3 * hits, 9 * hits, (0.0, 3.0));
                assert!(i.low < i.high && 0.0 <= i.low && i.high <= 3.0, "{i:?}");
                if i.low <= 3.0 * q && 3.0 * q <= i.high {
                    covered += 1;
                }
            }
            let rate = covered as f64 / trials as f64;
            assert!(rate >= 0.95 - 0.0136, "q {q} n {n}: coverage {rate}");
        }
    }

    /// The exact coverage of [`levels_mean_interval`] where runs are at one of two levels, `a`
    /// in a share 1 − q and `b` in a share q, over every count of runs at `b` weighed by its
    /// binomial probability (no sampling error): at least 0.95 less Wilson's own dips (0.93)
    /// across 1 to 60 runs expected at `b`, where Student's t alone fell to 0.85 at three.
    #[test]
    fn a_mean_level_covers_at_its_nominal_rate_exactly() {
        // The worst coverage of this interval, and of Student's t alone on the same samples.
        let (mut worst, mut worst_t): (f64, f64) = (1.0, 1.0);
        for (levels, a, b) in [
            (4usize, 0usize, 3usize),
            (4, 0, 1),
            (4, 2, 3),
            (4, 3, 0),
            (3, 1, 0),
        ] {
            for n in [20u64, 50, 200, 1000] {
                for expected in [0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0, 30.0, 60.0] {
                    let q = expected / n as f64;
                    if q >= 0.5 {
                        continue;
                    }
                    let truth = a as f64 * (1.0 - q) + b as f64 * q;
                    let mut pmf = (1.0 - q).powi(n as i32);
                    let (mut coverage, mut coverage_t) = (0.0, 0.0);
                    for k in 0..=n {
                        let mut counts = vec![0; levels];
                        counts[a] = n - k;
                        counts[b] += k;
                        let i = levels_mean_interval(&counts).unwrap();
                        assert!(i.low <= i.estimate && i.estimate <= i.high, "{i:?}");
                        if i.low <= truth && truth <= i.high {
                            coverage += pmf;
                        }
                        let (a2, b2) = (a as u128, b as u128);
                        let (rest, k2) = (u128::from(n - k), u128::from(k));
                        let t = bounded_mean_interval_of_sums(
                            n,
                            a2 * rest + b2 * k2,
                            a2 * a2 * rest + b2 * b2 * k2,
                            (0.0, (levels - 1) as f64),
                        );
                        if t.low <= truth && truth <= t.high {
                            coverage_t += pmf;
                        }
                        pmf *= (n - k) as f64 / (k + 1) as f64 * q / (1.0 - q);
                    }
                    assert!(
                        coverage >= 0.93,
                        "levels {levels}, {a} and {b}, n {n}, q {q}: coverage {coverage}"
                    );
                    worst = worst.min(coverage);
                    worst_t = worst_t.min(coverage_t);
                }
            }
        }
        // The cases hold the samples where Student's t alone fails.
        assert!(worst_t < 0.9, "Student's t alone covers at least {worst_t}");
        eprintln!("worst coverage {worst}, Student's t alone {worst_t}");
    }

    /// Runs spread over the levels: about Student's t (the shares' deviations added in
    /// quadrature ignore that the shares move against each other: a little wider, here 5%).
    #[test]
    fn a_spread_mean_level_is_about_students_t() {
        let counts = [100u64, 600, 200, 100];
        let i = levels_mean_interval(&counts).unwrap();
        let t = bounded_mean_interval_of_sums(1000, 1300, 2300, (0.0, 3.0));
        assert!((i.estimate - 1.3).abs() < 1e-12 && i.estimate == t.estimate);
        assert!(i.low <= t.low && i.high >= t.high);
        assert!(
            i.half_width() < 1.06 * t.half_width(),
            "{i:?} against {t:?}"
        );
    }

    /// Runs spread over levels on one side of the commonest: the shares' deviations in
    /// quadrature took them as independent, 1.28 times Student's t however many the runs
    /// (0.98 to 0.99 coverage at 1,000 runs); scaled to the multinomial's variance, about t
    /// (Wilson's skew on a share of 5% of 1,000 runs still a little wider above).
    #[test]
    fn a_mean_level_spread_on_one_side_comes_to_students_t() {
        for (counts, sum, squares) in [
            ([4000u64, 2000, 2000, 2000], 12_000u128, 28_000u128),
            ([700, 150, 100, 50], 500, 1000),
            ([100, 600, 200, 100], 1300, 2300),
        ] {
            let n = counts.iter().sum();
            let i = levels_mean_interval(&counts).unwrap();
            let t = bounded_mean_interval_of_sums(n, sum, squares, (0.0, 3.0));
            assert!(i.estimate == t.estimate && i.low <= t.low && i.high >= t.high);
            assert!(
                i.half_width() < 1.06 * t.half_width(),
                "{counts:?}: {i:?} against {t:?}"
            );
        }
    }

    /// The exact coverage of [`levels_mean_interval`] where runs are at three levels, most at
    /// one and a few at each of two others (at different distances, on one side or both, the
    /// commonest level at the bottom, middle or top), over every split of the runs weighed by
    /// its multinomial probability. Where a sample misses the farthest runs, a side's part
    /// must allow for them: taking its observed runs' distance as known covered 0.66 to 0.86
    /// (a reviewer's cases, the first three below), Student's t alone 0.65.
    #[test]
    fn a_mean_level_over_three_levels_covers_exactly() {
        let ln_fact: Vec<f64> = (0..=1001)
            .scan(0.0, |acc, i: u32| {
                if i > 0 {
                    *acc += f64::from(i).ln();
                }
                Some(*acc)
            })
            .collect();
        let coverage = |levels: usize, at: [usize; 3], p: [f64; 3], n: usize| {
            let truth: f64 = (0..3).map(|j| at[j] as f64 * p[j]).sum();
            let mut covered = 0.0;
            for k1 in 0..=n {
                for k2 in 0..=(n - k1) {
                    let k0 = n - k1 - k2;
                    let ln_p = ln_fact[n] - ln_fact[k0] - ln_fact[k1] - ln_fact[k2]
                        + k0 as f64 * p[0].ln()
                        + k1 as f64 * p[1].ln()
                        + k2 as f64 * p[2].ln();
                    let pr = ln_p.exp();
                    if pr < 1e-13 {
                        continue;
                    }
                    let mut counts = vec![0u64; levels];
                    counts[at[0]] += k0 as u64;
                    counts[at[1]] += k1 as u64;
                    counts[at[2]] += k2 as u64;
                    let i = levels_mean_interval(&counts).unwrap();
                    if i.low <= truth && truth <= i.high {
                        covered += pr;
                    }
                }
            }
            covered
        };
        let mut cases = vec![
            (11, [0, 1, 10], [0.97, 0.025, 0.005], 200),
            (11, [10, 9, 0], [0.98, 0.015, 0.005], 200),
            (11, [0, 1, 10], [0.99, 0.009, 0.001], 1000),
            (6, [0, 1, 5], [0.99, 0.005, 0.005], 200),
            (11, [5, 0, 10], [0.98, 0.01, 0.01], 200),
            (4, [1, 0, 3], [0.96, 0.02, 0.02], 100),
        ];
        for (b, c) in [(1, 3), (1, 2), (2, 3)] {
            for (pb, pc) in [(0.01, 0.002), (0.002, 0.01), (0.03, 0.005), (0.1, 0.01)] {
                for n in [50, 200] {
                    cases.push((4, [0, b, c], [1.0 - pb - pc, pb, pc], n));
                    cases.push((4, [3, 3 - b, 3 - c], [1.0 - pb - pc, pb, pc], n));
                }
            }
        }
        let mut worst: f64 = 1.0;
        for (levels, at, p, n) in cases {
            let c = coverage(levels, at, p, n);
            assert!(
                c >= 0.93,
                "levels {levels}, at {at:?}, shares {p:?}, n {n}: {c}"
            );
            worst = worst.min(c);
        }
        eprintln!("three levels: worst coverage {worst}");
    }

    /// Three levels in use at once, sampled: 4,000 samples a case, coverage at least 0.95 − 4
    /// standard errors (0.0034), less Wilson's dips (0.93 − 0.0136).
    #[test]
    fn a_mean_level_over_three_levels_covers() {
        let master = Master::new(21);
        for (c, &(shares, n)) in [
            ([0.97, 0.02, 0.01, 0.0], 300u64),
            ([0.1, 0.6, 0.2, 0.1], 40),
        ]
        .iter()
        .enumerate()
        {
            let truth: f64 = shares.iter().enumerate().map(|(l, p)| l as f64 * p).sum();
            let mut covered = 0;
            for t in 0..4000 {
                let mut s = master.stream(t, c as u64);
                let mut counts = [0u64; 4];
                for _ in 0..n {
                    let u = s.uniform();
                    let mut acc = 0.0;
                    let l = shares
                        .iter()
                        .position(|p| {
                            acc += p;
                            u < acc
                        })
                        .unwrap_or(3);
                    counts[l] += 1;
                }
                let i = levels_mean_interval(&counts).unwrap();
                if i.low <= truth && truth <= i.high {
                    covered += 1;
                }
            }
            let rate = covered as f64 / 4000.0;
            assert!(rate >= 0.93 - 0.0136, "case {c}: coverage {rate}");
        }
    }

    /// Sums past 2^64 (10^12 runs of 5,200 steps: Σx² is 2.7·10^19) are read exactly: every
    /// run alike is no spread at all, not a rounding's, and the mean is the value.
    #[test]
    fn sums_past_64_bits_are_read_exactly() {
        let n: u64 = 1_000_000_000_000;
        let (x, n128) = (5200u128, u128::from(n));
        let i = bounded_mean_interval_of_sums(n, x * n128, x * x * n128, (0.0, 5200.0));
        assert_eq!(i.estimate, 5200.0);
        assert_eq!(i.high, 5200.0);
        assert!(i.low < 5200.0 && i.low > 5199.999, "{i:?}");
        // One run fewer at 5,199: a spread, and Student's t.
        let j = bounded_mean_interval_of_sums(
            n,
            x * n128 - 1,
            x * x * n128 - (x * x - 5199 * 5199),
            (0.0, 5200.0),
        );
        assert!(j.estimate < 5200.0 && j.low < j.estimate, "{j:?}");
    }

    /// Values far from 0 that vary little keep their interval: 10^9 + 0, 1, …, 9 (10^9 ± 3 in
    /// spread) had a zero-width interval when the variance was Σx²/n − mean² in doubles.
    #[test]
    fn a_mean_far_from_zero_keeps_its_spread() {
        let mut m = crate::stats::Moments::default();
        let mut t = crate::stats::Moments::default();
        for k in 0..10 {
            m.add(52e9 + k as f64);
            t.add(k as f64);
        }
        let (far, near) = (m.interval(), t.interval());
        assert_eq!(far.estimate, 52e9 + 4.5);
        // The same spread as 0 … 9 (whose half width is t(0.975, 9)·√(55/6)/√10 = 2.1658), to
        // the rounding of the ends near 5.2e10 (a unit in the last place is 7.6e-6).
        assert!(
            (far.half_width() - near.half_width()).abs() < 1e-5,
            "{far:?} {near:?}"
        );
        assert!((near.half_width() - 2.262_157_163 * (55.0f64 / 6.0 / 10.0).sqrt()).abs() < 1e-8);
        // The same values merged in another grouping give the same bits.
        let mut a = crate::stats::Moments::default();
        let mut b = crate::stats::Moments::default();
        for k in 0..10 {
            if k % 3 == 0 { &mut a } else { &mut b }.add(52e9 + k as f64);
        }
        b.merge(&a);
        assert_eq!(b.interval(), far);
    }

    /// A mean of fewer than two runs has no interval: unbounded, `null` in JSON and read back
    /// unbounded, and told as such in words.
    #[test]
    fn a_mean_of_one_run_has_no_interval() {
        for n in [0, 1] {
            let i = mean_interval(n, 4.0 * n as f64, 16.0 * n as f64);
            assert_eq!(i.estimate, 4.0 * n as f64);
            assert_eq!((i.low, i.high), (f64::NEG_INFINITY, f64::INFINITY));
            let json = serde_json::to_string(&i).unwrap();
            assert_eq!(
                json,
                format!("{{\"estimate\":{}.0,\"low\":null,\"high\":null}}", 4 * n)
            );
            let back: Interval = serde_json::from_str(&json).unwrap();
            assert_eq!(back, i);
            assert_eq!(i.text(|x| x.to_string(), ".."), NO_INTERVAL);
        }
        let i = mean_interval(2, 3.0, 5.0);
        assert!(i.is_bounded());
        let back: Interval = serde_json::from_str(&serde_json::to_string(&i).unwrap()).unwrap();
        assert_eq!(back, i);
        assert_eq!(i.text(|x| format!("{x:.1}"), ".."), "-4.9..7.9");
    }

    /// No hit gives a low end of exactly 0, every run a hit a high end of exactly 1 (rounding
    /// left 1e-19 in points.csv).
    #[test]
    fn wilson_ends_are_exact_at_no_hit_and_every_hit() {
        for n in [1, 7, 2000, 123_457] {
            assert_eq!(wilson(0, n, Z95).low, 0.0, "{n}");
            assert_eq!(wilson(n, n, Z95).high, 1.0, "{n}");
            assert!(wilson(0, n, Z95).high > 0.0 && wilson(n, n, Z95).low < 1.0);
        }
    }

    /// Newcombe (1998), Statistics in Medicine 17:873, table II, example (a): 56/70 against
    /// 48/80, method 10 gives 0.0524 to 0.3339.
    #[test]
    fn newcombe_matches_published_example() {
        let i = newcombe_diff_interval(48, 80, 56, 70, Z95);
        assert!((i.estimate - 0.2).abs() < 1e-12);
        assert!((i.low - 0.0524).abs() < 5e-5, "{i:?}");
        assert!((i.high - 0.3339).abs() < 5e-5, "{i:?}");
    }

    /// One run in which only the variant had the outcome: the interval does not collapse to
    /// +1 .. +1 but spans what one run can say (both Wilson intervals of 1 of 1 and 0 of 1).
    #[test]
    fn paired_interval_keeps_its_width_at_small_n() {
        let i = paired_diff_interval(1, 1, 0, 1, Z95);
        assert_eq!(i.estimate, 1.0);
        assert!(i.low < 0.0 && i.high == 1.0, "{i:?}");
        // No run disagrees: an interval around 0 of the width 100 runs allow.
        let i = paired_diff_interval(40, 0, 0, 100, Z95);
        assert_eq!(i.estimate, 0.0);
        assert!(i.low < -0.01 && i.high > 0.01, "{i:?}");
        // Hand computation of method 10: 10 runs, base 5, variant 7 (3 gained, 1 lost).
        let i = paired_diff_interval(7, 3, 1, 10, Z95);
        let (w1, w2) = (wilson(5, 10, Z95), wilson(7, 10, Z95));
        // both 4, neither 2: ad − bc = 8 − 3 = 5, not above n/2 = 5, so φ = 0.
        let phi = 0.0 / (5.0f64 * 5.0 * 7.0 * 3.0).sqrt();
        let lo = 0.2
            - ((0.7 - w2.low).powi(2) - 2.0 * phi * (0.7 - w2.low) * (w1.high - 0.5)
                + (w1.high - 0.5).powi(2))
            .sqrt();
        assert!((i.estimate - 0.2).abs() < 1e-12);
        assert!((i.low - lo).abs() < 1e-12, "{i:?} vs {lo}");
    }

    /// The paired interval covers the true difference at 95% or more, including at small n and
    /// near 0 and 1. Each case is 4,000 simulated experiments on fixed streams, so a coverage
    /// estimate has a standard error of about √(0.95·0.05/4000) ≈ 0.0034; the bound is the
    /// method's known low (0.93, as Wilson's) less 4 of those. It is conservative where few
    /// runs disagree (coverage 0.98 to 1 in cases 1, 2 and 4). The normal interval of the mean
    /// difference it replaces covered 0.38 in case 2 and 0.22 in case 4.
    #[test]
    fn paired_interval_covers_at_nominal_rate() {
        let master = Master::new(7);
        // (P(base), P(variant | base had it), P(variant | base had not), n)
        let cases = [
            (0.5, 0.9, 0.1, 100u64),
            (0.2, 0.95, 0.02, 200),
            (0.05, 1.0, 0.01, 50),
            (0.5, 0.5, 0.5, 10),
            (0.9, 1.0, 0.5, 5),
        ];
        for (c, &(pb, p_if, p_else, n)) in cases.iter().enumerate() {
            let truth = pb * p_if + (1.0 - pb) * p_else - pb;
            let trials = 4000;
            let mut covered = 0;
            for t in 0..trials {
                let mut s = master.stream(t, c as u64);
                let (mut kv, mut gained, mut lost) = (0, 0, 0);
                for _ in 0..n {
                    let base = s.uniform() < pb;
                    let var = s.uniform() < if base { p_if } else { p_else };
                    kv += u64::from(var);
                    gained += u64::from(var && !base);
                    lost += u64::from(base && !var);
                }
                let i = paired_diff_interval(kv, gained, lost, n, Z95);
                if i.low <= truth && truth <= i.high {
                    covered += 1;
                }
            }
            let rate = covered as f64 / trials as f64;
            assert!(rate >= 0.93 - 0.0136, "case {c}: coverage {rate}");
        }
    }
}
