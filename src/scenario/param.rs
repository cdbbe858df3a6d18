//! Numbers that may be uncertain: a plain number or a distribution with its source.

use serde::{Deserialize, Serialize};

/// A scenario number. Written as a plain number (`0.3`) when it is known, or as a
/// distribution (`Uniform(min: 0.2, max: 0.4, source: "article ¶28")`) when it is an assumption
/// whose uncertainty should be carried through the runs. It is sampled once per run.
///
/// ```
/// let p: brink::scenario::Param = ron::from_str("Triangular(min: 1, mode: 2, max: 4)").unwrap();
/// assert!(p.is_uncertain());
/// assert_eq!(p.central(), 7.0 / 3.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// A known number.
    Value(f64),
    /// A distribution (or a `Fixed` value with a source).
    Dist(Dist),
}

impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Value(v)
    }
}

/// The distributions a scenario number may follow. Every variant takes an optional `source`:
/// the article paragraph, a data source, or "assumption".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Dist {
    /// A known value with its source.
    Fixed {
        value: f64,
        #[serde(default)]
        source: String,
    },
    /// Every value in `[min, max]` equally likely.
    Uniform {
        min: f64,
        max: f64,
        #[serde(default)]
        source: String,
    },
    /// Triangular on `[min, max]` peaking at `mode`.
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
        #[serde(default)]
        source: String,
    },
    /// PERT (a scaled beta with shape 4) on `[min, max]` with the most likely value `mode`.
    Pert {
        min: f64,
        mode: f64,
        max: f64,
        #[serde(default)]
        source: String,
    },
    /// Normal with `mean` and `sd`, truncated to `[min, max]` (both optional).
    Normal {
        mean: f64,
        sd: f64,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
        #[serde(default)]
        source: String,
    },
    /// Beta(`alpha`, `beta`) scaled to `[min, max]` (default `[0, 1]`).
    Beta {
        alpha: f64,
        beta: f64,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
        #[serde(default)]
        source: String,
    },
    /// Log-normal with the given `median` and `sigma` (the standard deviation of its logarithm).
    LogNormal {
        median: f64,
        sigma: f64,
        #[serde(default)]
        source: String,
    },
}

impl Param {
    /// True when the number varies from run to run.
    pub fn is_uncertain(&self) -> bool {
        match self {
            Param::Value(_) | Param::Dist(Dist::Fixed { .. }) => false,
            Param::Dist(_) => true,
        }
    }

    /// The source string of a distribution, if any.
    pub fn source(&self) -> Option<&str> {
        match self {
            Param::Value(_) => None,
            Param::Dist(d) => Some(d.source()).filter(|s| !s.is_empty()),
        }
    }

    /// The central value: the number itself, or the distribution's mean (median for log-normal,
    /// truncation ignored). Used by `describe` and as the value of a number in tables.
    pub fn central(&self) -> f64 {
        match self {
            Param::Value(v) => *v,
            Param::Dist(d) => d.central(),
        }
    }

    /// The range the value can take, `(low, high)`.
    pub fn range(&self) -> (f64, f64) {
        match self {
            Param::Value(v) => (*v, *v),
            Param::Dist(d) => d.range(),
        }
    }

    /// Checks the parameters of the distribution; returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Param::Value(v) => finite("value", *v),
            Param::Dist(d) => d.check(),
        }
    }

    /// Draws one value from a uniform number `u` in `[0, 1)` and, for beta-shaped
    /// distributions, a seed for an auxiliary generator (see [`Dist::sample`]).
    pub fn sample(&self, u: f64, aux_seed: u64) -> f64 {
        match self {
            Param::Value(v) => *v,
            Param::Dist(d) => d.sample(u, aux_seed),
        }
    }

    /// A short human form: `0.3`, `Uniform(0.2, 0.4)`.
    pub fn describe(&self) -> String {
        match self {
            Param::Value(v) => fmt_num(*v),
            Param::Dist(d) => d.describe(),
        }
    }
}

fn finite(name: &str, v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("{name} must be a finite number, found {v}"))
    }
}

/// Formats a number without a trailing `.0` and with at most 4 significant decimals.
pub fn fmt_num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl Dist {
    /// The distribution's source string.
    pub fn source(&self) -> &str {
        match self {
            Dist::Fixed { source, .. }
            | Dist::Uniform { source, .. }
            | Dist::Triangular { source, .. }
            | Dist::Pert { source, .. }
            | Dist::Normal { source, .. }
            | Dist::Beta { source, .. }
            | Dist::LogNormal { source, .. } => source,
        }
    }

    fn central(&self) -> f64 {
        let c = match *self {
            Dist::Fixed { value, .. } => value,
            Dist::Uniform { min, max, .. } => 0.5 * (min + max),
            Dist::Triangular { min, mode, max, .. } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max, .. } => (min + 4.0 * mode + max) / 6.0,
            Dist::Normal { mean, .. } => mean,
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => {
                let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
                lo + (hi - lo) * alpha / (alpha + beta)
            }
            Dist::LogNormal { median, .. } => median,
        };
        if matches!(self, Dist::Normal { .. }) {
            // Truncation is ignored: the mean may lie outside the window.
            return c;
        }
        // The mean of any other distribution lies inside its range; rounding (a triangular at
        // min = mode = max) must not move it out, or validation would refuse a valid number.
        let (lo, hi) = self.range();
        if lo <= hi { c.clamp(lo, hi) } else { c }
    }

    fn range(&self) -> (f64, f64) {
        match *self {
            Dist::Fixed { value, .. } => (value, value),
            Dist::Uniform { min, max, .. }
            | Dist::Triangular { min, max, .. }
            | Dist::Pert { min, max, .. } => (min, max),
            Dist::Normal { min, max, .. } => (
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            ),
            Dist::Beta { min, max, .. } => (min.unwrap_or(0.0), max.unwrap_or(1.0)),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
        }
    }

    fn check(&self) -> Result<(), String> {
        match *self {
            Dist::Fixed { value, .. } => finite("value", value),
            Dist::Uniform { min, max, .. } => {
                finite("min", min)?;
                finite("max", max)?;
                if min > max {
                    return Err(format!("min ({min}) must not exceed max ({max})"));
                }
                Ok(())
            }
            Dist::Triangular { min, mode, max, .. } | Dist::Pert { min, mode, max, .. } => {
                finite("min", min)?;
                finite("mode", mode)?;
                finite("max", max)?;
                if !(min <= mode && mode <= max) {
                    return Err(format!(
                        "expected min <= mode <= max, found min {min}, mode {mode}, max {max}"
                    ));
                }
                Ok(())
            }
            Dist::Normal {
                mean, sd, min, max, ..
            } => {
                finite("mean", mean)?;
                finite("sd", sd)?;
                if sd <= 0.0 {
                    return Err(format!("sd must be greater than 0, found {sd}"));
                }
                check_bounds(min, max)?;
                let (lo, hi) = (
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                );
                // A truncation window far in a tail leaves no probability mass to sample from.
                if norm_cdf((hi - mean) / sd) - norm_cdf((lo - mean) / sd) < 1e-9 {
                    return Err(format!(
                        "the truncation window [{lo}, {hi}] holds almost none of Normal(mean {mean}, sd {sd})"
                    ));
                }
                Ok(())
            }
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => {
                finite("alpha", alpha)?;
                finite("beta", beta)?;
                if alpha <= 0.0 || beta <= 0.0 {
                    return Err(format!(
                        "alpha and beta must be greater than 0, found alpha {alpha}, beta {beta}"
                    ));
                }
                check_bounds(min, max)
            }
            Dist::LogNormal { median, sigma, .. } => {
                finite("median", median)?;
                finite("sigma", sigma)?;
                if median <= 0.0 {
                    return Err(format!("median must be greater than 0, found {median}"));
                }
                if sigma <= 0.0 {
                    return Err(format!("sigma must be greater than 0, found {sigma}"));
                }
                Ok(())
            }
        }
    }

    /// Draws a value. `u` is one uniform number in `[0, 1)`; every distribution is sampled by
    /// inverse CDF from it alone (PERT and Beta through a quantile table), except Beta shapes
    /// outside [`beta_uses_table`], which need a variable number of draws (Gamma rejection)
    /// taken from a private generator seeded with `aux_seed`, so that each parameter still
    /// consumes exactly one draw of the run's parameter stream.
    pub fn sample(&self, u: f64, aux_seed: u64) -> f64 {
        match *self {
            Dist::Fixed { value, .. } => value,
            Dist::Uniform { min, max, .. } => min + (max - min) * u,
            Dist::Triangular { min, mode, max, .. } => {
                if max <= min {
                    return min;
                }
                let f = (mode - min) / (max - min);
                if u < f {
                    min + ((max - min) * (mode - min) * u).sqrt()
                } else {
                    max - ((max - min) * (max - mode) * (1.0 - u)).sqrt()
                }
            }
            Dist::Pert { min, mode, max, .. } => {
                if max <= min {
                    return min;
                }
                let a = 1.0 + 4.0 * (mode - min) / (max - min);
                let b = 1.0 + 4.0 * (max - mode) / (max - min);
                min + (max - min) * beta_draw(a, b, u, aux_seed)
            }
            Dist::Normal {
                mean, sd, min, max, ..
            } => {
                let lo = min.map_or(0.0, |m| norm_cdf((m - mean) / sd));
                let hi = max.map_or(1.0, |m| norm_cdf((m - mean) / sd));
                let p = (lo + (hi - lo) * u).clamp(1e-300, 1.0 - 1e-16);
                let x = mean + sd * norm_inv(p);
                x.clamp(min.unwrap_or(f64::MIN), max.unwrap_or(f64::MAX))
            }
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => {
                let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
                lo + (hi - lo) * beta_draw(alpha, beta, u, aux_seed)
            }
            Dist::LogNormal { median, sigma, .. } => {
                let p = u.clamp(1e-300, 1.0 - 1e-16);
                median * (sigma * norm_inv(p)).exp()
            }
        }
    }

    fn describe(&self) -> String {
        let n = fmt_num;
        match *self {
            Dist::Fixed { value, .. } => n(value),
            Dist::Uniform { min, max, .. } => format!("Uniform({}, {})", n(min), n(max)),
            Dist::Triangular { min, mode, max, .. } => {
                format!("Triangular({}, {}, {})", n(min), n(mode), n(max))
            }
            Dist::Pert { min, mode, max, .. } => {
                format!("PERT({}, {}, {})", n(min), n(mode), n(max))
            }
            Dist::Normal {
                mean, sd, min, max, ..
            } => {
                let mut s = format!("Normal({}, sd {}", n(mean), n(sd));
                if min.is_some() || max.is_some() {
                    let lo = min.map_or("-inf".into(), n);
                    let hi = max.map_or("inf".into(), n);
                    s += &format!(", in [{lo}, {hi}]");
                }
                s + ")"
            }
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => format!(
                "Beta({}, {}) on [{}, {}]",
                n(alpha),
                n(beta),
                n(min.unwrap_or(0.0)),
                n(max.unwrap_or(1.0))
            ),
            Dist::LogNormal { median, sigma, .. } => {
                format!("LogNormal(median {}, sigma {})", n(median), n(sigma))
            }
        }
    }
}

fn check_bounds(min: Option<f64>, max: Option<f64>) -> Result<(), String> {
    if let Some(m) = min {
        finite("min", m)?;
    }
    if let Some(m) = max {
        finite("max", m)?;
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo >= hi
    {
        return Err(format!("min ({lo}) must be below max ({hi})"));
    }
    Ok(())
}

/// Points of a quantile table (the table has `TABLE_POINTS + 1` entries).
const TABLE_POINTS: usize = 1024;

/// Whether a Beta shape is sampled from a quantile table: 1 ≤ a, b ≤ 8 (every PERT is). Outside
/// it the density is unbounded or so peaked that a 1024-point table loses accuracy in the tail,
/// and the Gamma sampler is used instead.
pub fn beta_uses_table(a: f64, b: f64) -> bool {
    (1.0..=8.0).contains(&a) && (1.0..=8.0).contains(&b)
}

/// The quantile function of Beta(a, b) on [0, 1] as a table of `TABLE_POINTS + 1` values at
/// p = 0, 1/1024, …, 1, for shapes where [`beta_uses_table`] holds. Built once per shape (cached) from the
/// CDF integrated with the trapezoid rule on 8192 intervals; sampling then takes one uniform
/// and a linear interpolation, like every other distribution, instead of a rejection sampler.
pub fn beta_quantile_table(a: f64, b: f64) -> std::sync::Arc<QuantileTable> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<(u64, u64), Arc<QuantileTable>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (a.to_bits(), b.to_bits());
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(t) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return t;
    }
    const GRID: usize = 8192;
    let pdf = |x: f64| {
        let l = (a - 1.0) * if a == 1.0 { 0.0 } else { x.ln() }
            + (b - 1.0) * if b == 1.0 { 0.0 } else { (1.0 - x).ln() };
        l.exp()
    };
    let mut cdf = vec![0.0; GRID + 1];
    let mut prev = pdf(0.0);
    for i in 1..=GRID {
        let f = pdf(i as f64 / GRID as f64);
        cdf[i] = cdf[i - 1] + 0.5 * (prev + f) / GRID as f64;
        prev = f;
    }
    let total = cdf[GRID];
    let mut table = Vec::with_capacity(TABLE_POINTS + 1);
    let mut i = 0;
    for j in 0..=TABLE_POINTS {
        let target = j as f64 / TABLE_POINTS as f64 * total;
        while i < GRID && cdf[i + 1] < target {
            i += 1;
        }
        let x = if i >= GRID {
            1.0
        } else {
            let (c0, c1) = (cdf[i], cdf[i + 1]);
            let frac = if c1 > c0 {
                ((target - c0) / (c1 - c0)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (i as f64 + frac) / GRID as f64
        };
        table.push(x);
    }
    let t = Arc::new(QuantileTable { q: table, a, b });
    if let Ok(mut c) = cache.lock() {
        c.insert(key, t.clone());
    }
    t
}

/// A Beta quantile function as a table (see [`beta_quantile_table`]).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileTable {
    q: Vec<f64>,
    a: f64,
    b: f64,
}

impl QuantileTable {
    /// The quantile at `u` in [0, 1): linear between table points, except in the first and
    /// last interval, where the density behaves like x^(a−1) (resp. (1−x)^(b−1)) and the
    /// quantile like a power of p, which a straight line would misplace.
    #[inline]
    pub fn at(&self, u: f64) -> f64 {
        let t = &self.q;
        let n = t.len() - 1;
        let x = u * n as f64;
        let i = (x as usize).min(n - 1);
        let f = (x - i as f64).clamp(0.0, 1.0);
        if i == 0 && self.a > 1.0 {
            t[1] * f.powf(1.0 / self.a)
        } else if i == n - 1 && self.b > 1.0 {
            1.0 - (1.0 - t[n - 1]) * (1.0 - f).powf(1.0 / self.b)
        } else {
            t[i] + (t[i + 1] - t[i]) * f
        }
    }
}

/// The shape of a Beta-shaped distribution on `[lo, hi]`: `(alpha, beta, lo, hi)`.
pub fn beta_shape(d: &Dist) -> Option<(f64, f64, f64, f64)> {
    match *d {
        Dist::Pert { min, mode, max, .. } if max > min => Some((
            1.0 + 4.0 * (mode - min) / (max - min),
            1.0 + 4.0 * (max - mode) / (max - min),
            min,
            max,
        )),
        Dist::Beta {
            alpha,
            beta,
            min,
            max,
            ..
        } => Some((alpha, beta, min.unwrap_or(0.0), max.unwrap_or(1.0))),
        _ => None,
    }
}

/// A Beta(a, b) draw: from the quantile table at `u` where [`beta_uses_table`], else from
/// the Gamma sampler seeded with `aux_seed`.
pub fn beta_draw(a: f64, b: f64, u: f64, aux_seed: u64) -> f64 {
    if beta_uses_table(a, b) {
        beta_quantile_table(a, b).at(u)
    } else {
        beta_sample(a, b, aux_seed)
    }
}

/// Beta(a, b) from two Gamma draws (Marsaglia–Tsang) of a private SplitMix64 generator. Seeding
/// a ChaCha generator per draw would cost more than the rest of a run's sampling together.
fn beta_sample(a: f64, b: f64, seed: u64) -> f64 {
    let mut g = SplitMix64(seed);
    let x = gamma_sample(a, &mut g);
    let y = gamma_sample(b, &mut g);
    if x + y > 0.0 {
        x / (x + y)
    } else {
        a / (a + b)
    }
}

/// A small generator for the variable number of draws of rejection sampling.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn open01(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }
}

/// Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 by the boost
/// Gamma(a) = Gamma(a + 1)·U^(1/a).
fn gamma_sample(shape: f64, g: &mut SplitMix64) -> f64 {
    if shape < 1.0 {
        let u = g.open01();
        return gamma_sample(shape + 1.0, g) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    // The acceptance rate is above 95% for every shape; the cap only guards against a
    // pathological generator state.
    for _ in 0..1000 {
        let x = norm_inv(g.open01());
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = g.open01();
        if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
    shape
}

/// The standard normal CDF, via the complementary error function (Numerical Recipes erfc,
/// relative error below 1.2e-7, enough for truncation bounds).
pub fn norm_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 { 1.0 - 0.5 * r } else { 0.5 * r }
}

/// The standard normal quantile (Acklam's rational approximation, relative error below
/// 1.2e-9). One uniform in, one normal out: this is what keeps draws per step fixed.
pub fn norm_inv(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_inv_inverts_cdf() {
        for &p in &[1e-6, 0.01, 0.1, 0.3, 0.5, 0.77, 0.975, 0.999_99] {
            let x = norm_inv(p);
            assert!((norm_cdf(x) - p).abs() < 2e-7 * p.max(1e-3), "p {p} x {x}");
        }
        assert!((norm_inv(0.975) - 1.959_963_985).abs() < 1e-8);
    }

    #[test]
    fn triangular_quantiles() {
        let d = Dist::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 2.0,
            source: String::new(),
        };
        assert_eq!(d.sample(0.5, 0), 1.0);
        assert_eq!(d.sample(0.0, 0), 0.0);
        assert!((d.sample(0.125, 0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn truncated_normal_stays_inside() {
        let d = Dist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(0.5),
            max: Some(0.6),
            source: String::new(),
        };
        for i in 0..100 {
            let x = d.sample(i as f64 / 100.0, 0);
            assert!((0.5..=0.6).contains(&x), "{x}");
        }
    }

    /// The quantile table reproduces Beta's mean and variance (integrated over the table) and
    /// its known quantiles: Beta(2, 2) has median 0.5 and CDF 3x² − 2x³.
    #[test]
    fn beta_table_matches_the_distribution() {
        let t = beta_quantile_table(2.0, 2.0);
        assert!((t.at(0.5) - 0.5).abs() < 1e-6);
        let x = t.at(0.1);
        assert!((3.0 * x * x - 2.0 * x * x * x - 0.1).abs() < 1e-5, "{x}");
        for &(a, b) in &[
            (2.0, 5.0),
            (1.0, 1.0),
            (1.0 + 4.0 * 0.25, 1.0 + 4.0 * 0.75),
            (8.0, 1.0),
        ] {
            let t = beta_quantile_table(a, b);
            let n = 100_000;
            let xs: Vec<f64> = (0..n).map(|i| t.at((i as f64 + 0.5) / n as f64)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!((mean - m).abs() < 1e-4, "a {a} b {b}: mean {mean} vs {m}");
            assert!(
                (var / v - 1.0).abs() < 0.01,
                "a {a} b {b}: var {var} vs {v}"
            );
        }
    }

    /// Beta draws have the right mean and variance: 20,000 draws, 5 standard errors.
    #[test]
    fn beta_moments() {
        for &(a, b) in &[(2.0, 5.0), (0.5, 0.5), (1.0 + 4.0 * 0.25, 1.0 + 4.0 * 0.75)] {
            let n = 20_000;
            let xs: Vec<f64> = (0..n)
                .map(|i| beta_sample(a, b, i as u64 * 7919 + 1))
                .collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!(
                (mean - m).abs() < 5.0 * (v / n as f64).sqrt(),
                "a {a} b {b}: mean {mean} vs {m}"
            );
            assert!(
                (var / v - 1.0).abs() < 0.05,
                "a {a} b {b}: var {var} vs {v}"
            );
        }
    }

    #[test]
    fn invalid_distributions_are_reported() {
        let bad: Vec<Param> = vec![
            ron::from_str("Uniform(min: 2, max: 1)").unwrap(),
            ron::from_str("Normal(mean: 0, sd: 0)").unwrap(),
            ron::from_str("Beta(alpha: -1, beta: 1)").unwrap(),
            ron::from_str("LogNormal(median: 0, sigma: 1)").unwrap(),
            ron::from_str("Pert(min: 0, mode: 3, max: 2)").unwrap(),
        ];
        for p in bad {
            assert!(p.check().is_err(), "{p:?}");
        }
    }
}
