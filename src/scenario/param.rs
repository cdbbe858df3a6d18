//! Numbers that may be uncertain: a plain number or a distribution with its source.

use crate::numerics::dist::{beta_draw, norm_cdf, norm_inv};
use crate::numerics::math::exp;
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
        /// The value.
        value: f64,
        /// Where the number comes from (an article paragraph, a data set, "assumption").
        #[serde(default)]
        source: String,
    },
    /// Every value in `[min, max]` equally likely.
    Uniform {
        /// Lowest value.
        min: f64,
        /// Highest value (`min ≤ max`).
        max: f64,
        /// Where the number comes from.
        #[serde(default)]
        source: String,
    },
    /// Triangular on `[min, max]` peaking at `mode`.
    Triangular {
        /// Lowest value.
        min: f64,
        /// Most likely value (`min ≤ mode ≤ max`).
        mode: f64,
        /// Highest value.
        max: f64,
        /// Where the number comes from.
        #[serde(default)]
        source: String,
    },
    /// PERT (a scaled beta with shape 4) on `[min, max]` with the most likely value `mode`.
    Pert {
        /// Lowest value.
        min: f64,
        /// Most likely value (`min ≤ mode ≤ max`).
        mode: f64,
        /// Highest value.
        max: f64,
        /// Where the number comes from.
        #[serde(default)]
        source: String,
    },
    /// Normal with `mean` and `sd`, truncated to `[min, max]` (both optional).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
        /// Lower truncation bound, if any: no draw falls below it.
        #[serde(default)]
        min: Option<f64>,
        /// Upper truncation bound, if any: no draw falls above it.
        #[serde(default)]
        max: Option<f64>,
        /// Where the number comes from.
        #[serde(default)]
        source: String,
    },
    /// Beta(`alpha`, `beta`) scaled to `[min, max]` (default `[0, 1]`).
    Beta {
        /// First shape parameter (> 0).
        alpha: f64,
        /// Second shape parameter (> 0).
        beta: f64,
        /// Lower end of the scaled range (default 0).
        #[serde(default)]
        min: Option<f64>,
        /// Upper end of the scaled range (default 1).
        #[serde(default)]
        max: Option<f64>,
        /// Where the number comes from.
        #[serde(default)]
        source: String,
    },
    /// Log-normal with the given `median` and `sigma` (the standard deviation of its logarithm).
    LogNormal {
        /// Median (> 0): the log of the number is normal with mean ln(median).
        median: f64,
        /// Standard deviation of the number's logarithm (> 0).
        sigma: f64,
        /// Where the number comes from.
        #[serde(default)]
        source: String,
    },
    /// The value of one of the scenario's named `shared` numbers: drawn once per run and the same
    /// wherever it is used (one uncertain war risk behind several events). Compilation replaces
    /// it; on its own it has no value (NaN).
    Shared(String),
}

impl Param {
    /// True when the number varies from run to run.
    pub fn is_uncertain(&self) -> bool {
        match self {
            // A shared number's uncertainty is the shared number's own.
            Param::Value(_) | Param::Dist(Dist::Fixed { .. } | Dist::Shared(_)) => false,
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

    /// The central value: the number itself, or the mean of its draws (the median for a
    /// log-normal; for a normal cut on either side, the cut curve's mean), within the
    /// magnitude every draw is held to (a normal cut below −10^12 has its mean beyond it). A
    /// sweep or an experiment marks the scenario's value of a number by it.
    pub fn central(&self) -> f64 {
        let max = super::limits::MAX_ABS_NUMBER;
        match self {
            Param::Value(v) => *v,
            Param::Dist(d) => d.central().clamp(-max, max),
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
            Param::Dist(d) => d.describe_with(false),
        }
    }

    /// As [`Param::describe`], every number to the digits that read back as it, for a message
    /// that tells two numbers apart which differ beyond the fourth decimal.
    ///
    /// ```
    /// use brink::scenario::param::{Dist, Param};
    /// let p = Param::Dist(Dist::Uniform { min: 0.00011, max: 0.00029, source: String::new() });
    /// assert_eq!(p.describe(), "Uniform(0.0001, 0.0003)");
    /// assert_eq!(p.describe_exact(), "Uniform(0.00011, 0.00029)");
    /// ```
    pub fn describe_exact(&self) -> String {
        match self {
            Param::Value(v) => fmt_exact(*v),
            Param::Dist(d) => d.describe_with(true),
        }
    }

    /// Whether two numbers are the same value or the same distribution, whatever their
    /// sources say: compared number by number, not by how they print.
    ///
    /// ```
    /// use brink::scenario::param::{Dist, Param};
    /// let u = |min, source: &str| {
    ///     Param::Dist(Dist::Uniform { min, max: 0.3, source: source.into() })
    /// };
    /// assert!(u(0.1, "case a").same_numbers(&u(0.1, "case b")));
    /// assert!(!u(0.00011, "").same_numbers(&u(0.00014, "")));
    /// let beta = |min| Param::Dist(Dist::Beta {
    ///     alpha: 4.0, beta: 5.0, min, max: None, source: String::new(),
    /// });
    /// assert!(beta(None).same_numbers(&beta(Some(0.0))));
    /// let fixed = Param::Dist(Dist::Fixed { value: 0.45, source: "s".into() });
    /// assert!(Param::Value(0.45).same_numbers(&fixed));
    /// ```
    pub fn same_numbers(&self, other: &Param) -> bool {
        // A number as its value, a Beta with its default bounds written out: `0.45` and
        // `Fixed(value: 0.45)`, `Beta(alpha: 4, beta: 5)` and the same with `min: Some(0.0)`
        // are one number.
        fn plain(p: &Param) -> Param {
            match p {
                Param::Dist(Dist::Fixed { value, .. }) => Param::Value(*value),
                Param::Dist(Dist::Beta {
                    alpha,
                    beta,
                    min,
                    max,
                    ..
                }) => Param::Dist(Dist::Beta {
                    alpha: *alpha,
                    beta: *beta,
                    min: Some(min.unwrap_or(0.0)),
                    max: Some(max.unwrap_or(1.0)),
                    source: String::new(),
                }),
                Param::Dist(d) => Param::Dist(d.without_source()),
                Param::Value(v) => Param::Value(*v),
            }
        }
        plain(self) == plain(other)
    }
}

fn finite(name: &str, v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("{name} must be a finite number, found {v}"))
    }
}

/// Formats a number without a trailing `.0` and with at most 4 decimals; a number too small
/// for 4 decimals (it would read as 0) or too large to write out (1e308 has 309 digits) in
/// scientific notation with at most 4 decimals: `2.5e-5`, `1e308`.
///
/// ```
/// use brink::scenario::param::fmt_num;
/// assert_eq!(fmt_num(0.25), "0.25");
/// assert_eq!(fmt_num(-0.00002), "-2e-5");
/// assert_eq!(fmt_num(-1e308), "-1e308");
/// ```
pub fn fmt_num(v: f64) -> String {
    let trim = |s: &str| s.trim_end_matches('0').trim_end_matches('.').to_string();
    let a = v.abs();
    if a.is_finite() && a != 0.0 && !(1e-4..1e15).contains(&a) {
        let s = format!("{v:.4e}");
        match s.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim(mantissa)),
            None => s,
        }
    } else if v == v.trunc() && a < 1e15 {
        format!("{v:.0}")
    } else {
        trim(&format!("{v:.4}"))
    }
}

impl Dist {
    /// Gives a distribution with no `source` of its own the one named: the command line's or
    /// a variant's, so that its own block's (the file's words for the number it replaces) is
    /// not credited with it.
    pub(crate) fn credit(&mut self, to: impl FnOnce() -> String) {
        match self {
            Dist::Fixed { source, .. }
            | Dist::Uniform { source, .. }
            | Dist::Triangular { source, .. }
            | Dist::Pert { source, .. }
            | Dist::Normal { source, .. }
            | Dist::Beta { source, .. }
            | Dist::LogNormal { source, .. } => {
                if source.trim().is_empty() {
                    *source = to();
                }
            }
            Dist::Shared(_) => {}
        }
    }

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
            Dist::Shared(_) => "",
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
            Dist::Shared(_) => return f64::NAN,
        };
        if let Dist::Normal {
            mean, sd, min, max, ..
        } = *self
        {
            if min.is_none() && max.is_none() {
                return mean;
            }
            // A cut normal's draws have the cut curve's mean, not μ: a normal centred at 1.5
            // and cut to [0.2, 0.9] was reported at 1.5, one at 1000 cut to [0.1, 0.9] (nearly
            // flat there) draws around 0.5.
            let (lo, hi) = self.range();
            let cut = truncated_normal_mean(mean, sd, lo, hi);
            // Validation refuses windows holding almost none of the curve (below 10^-9),
            // so this is finite for every valid number; the window is a safe answer anyway.
            return if cut.is_finite() {
                cut.clamp(lo, hi)
            } else {
                mean.clamp(lo, hi)
            };
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
            // Unknown until it is resolved to the shared number it names.
            Dist::Shared(_) => (f64::NEG_INFINITY, f64::INFINITY),
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
                    return Err(format!(
                        "sd must be greater than 0, found {}",
                        shown_zero(sd)
                    ));
                }
                check_bounds(min, max)?;
                let (lo, hi) = (
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                );
                // A truncation window far in a tail leaves no probability mass to sample from.
                if norm_cdf((hi - mean) / sd) - norm_cdf((lo - mean) / sd) < 1e-9 {
                    let [lo, hi, mean, sd] = [lo, hi, mean, sd].map(fmt_exact);
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
                // Below it a draw's logarithms overflow to −∞ and it cannot tell its two ends
                // apart (it gave the mean, a value such a Beta almost never takes).
                if alpha < MIN_BETA_SHAPE || beta < MIN_BETA_SHAPE {
                    let show = |x: f64| {
                        if x < 1e-6 {
                            format!("{x:e}")
                        } else {
                            x.to_string()
                        }
                    };
                    return Err(format!(
                        "alpha and beta must be at least {MIN_BETA_SHAPE:e}, found alpha {}, \
                         beta {}",
                        show(alpha),
                        show(beta)
                    ));
                }
                // A Beta is on [0, 1] unless told otherwise: one bound alone must still lie on
                // its side of the other's default (`min: 3` alone was drawn mirrored on [3, 1]).
                check_bounds(min, max)?;
                let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
                if lo >= hi {
                    let [lo, hi] = [lo, hi].map(fmt_exact);
                    return Err(format!(
                        "min ({lo}) must be below max ({hi}; a Beta without min or max is on 0 \
                         to 1)"
                    ));
                }
                Ok(())
            }
            Dist::LogNormal { median, sigma, .. } => {
                finite("median", median)?;
                finite("sigma", sigma)?;
                if median <= 0.0 {
                    return Err(format!(
                        "median must be greater than 0, found {}",
                        shown_zero(median)
                    ));
                }
                if sigma <= 0.0 {
                    return Err(format!(
                        "sigma must be greater than 0, found {}",
                        shown_zero(sigma)
                    ));
                }
                Ok(())
            }
            // Validation checks the shared number it names.
            Dist::Shared(_) => Ok(()),
        }
    }

    /// Draws a value. `u` is one uniform number in `[0, 1)`; every distribution is sampled by
    /// inverse CDF from it alone (PERT and Beta through a quantile table), except Beta shapes
    /// outside [`crate::numerics::dist::beta_uses_table`], which need a variable number of draws (Gamma rejection)
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
                median * exp(sigma * norm_inv(p))
            }
            Dist::Shared(_) => f64::NAN,
        }
    }

    /// The distribution as it is, its source left empty.
    fn without_source(&self) -> Dist {
        let mut d = self.clone();
        match &mut d {
            Dist::Fixed { source, .. }
            | Dist::Uniform { source, .. }
            | Dist::Triangular { source, .. }
            | Dist::Pert { source, .. }
            | Dist::Normal { source, .. }
            | Dist::Beta { source, .. }
            | Dist::LogNormal { source, .. } => source.clear(),
            Dist::Shared(_) => {}
        }
        d
    }

    fn describe_with(&self, exact: bool) -> String {
        // Four decimals read well, but two different numbers of one distribution must not
        // read the same (a Uniform from 0.50001 to 0.50002 was "Uniform(0.5, 0.5)"): then
        // each is printed to the digits that tell it apart.
        let grid = fmt_grid(&self.numbers());
        let n = |v: f64| if exact { fmt_exact(v) } else { grid(v) };
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
            Dist::Shared(ref name) => format!("Shared({name})"),
        }
    }
}

impl Dist {
    /// The numbers that define the distribution, in the order [`Param::describe`] names them.
    fn numbers(&self) -> Vec<f64> {
        match *self {
            Dist::Fixed { value, .. } => vec![value],
            Dist::Uniform { min, max, .. } => vec![min, max],
            Dist::Triangular { min, mode, max, .. } | Dist::Pert { min, mode, max, .. } => {
                vec![min, mode, max]
            }
            Dist::Normal {
                mean, sd, min, max, ..
            } => [Some(mean), Some(sd), min, max]
                .into_iter()
                .flatten()
                .collect(),
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => vec![alpha, beta, min.unwrap_or(0.0), max.unwrap_or(1.0)],
            Dist::LogNormal { median, sigma, .. } => vec![median, sigma],
            Dist::Shared(_) => vec![],
        }
    }
}

/// How to write the values of a grid: [`fmt_num`]'s four decimals when they tell every value
/// apart (a sweep from 0.0001 to 0.0002 in 6 steps read "0.0001 0.0001 0.0001 0.0002 0.0002
/// 0.0002"), else the fewest significant digits that do (a grid of 500 steps over that range
/// reads 0.00010681, not 0.0001068136272545), else [`fmt_exact`].
///
/// ```
/// use brink::scenario::param::fmt_grid;
/// let grid = [0.0001, 0.00012, 0.00014];
/// let f = fmt_grid(&grid);
/// assert_eq!(grid.map(f), ["0.0001", "0.00012", "0.00014"]);
/// assert_eq!(fmt_grid(&[0.0, 0.5, 1.0])(0.5), "0.5");
/// assert_eq!(fmt_grid(&[0.0001, 0.00010681])(0.0001068136), "0.00010681");
/// ```
pub fn fmt_grid(values: &[f64]) -> impl Fn(f64) -> String + Copy + use<> {
    // 0: four decimals; else that many significant digits (17 read back as any value).
    let digits = if tells_apart(values, fmt_num) {
        0
    } else {
        (5..17)
            .find(|&d| tells_apart(values, |v| fmt_sig(v, d)))
            .unwrap_or(17)
    };
    move |v| match digits {
        0 => fmt_num(v),
        d => fmt_sig(v, d),
    }
}

/// `v` rounded to `digits` significant digits, in the shortest digits that read back as that.
fn fmt_sig(v: f64, digits: usize) -> String {
    let rounded: f64 = format!("{:.*e}", digits.saturating_sub(1), v)
        .parse()
        .unwrap_or(v);
    fmt_exact(rounded)
}

/// Whether `write` writes different values of `values` differently: each value written once,
/// so that a grid of 1,000 values costs 1,000 formats, not a million comparisons of two.
///
/// ```
/// use brink::scenario::param::{fmt_num, tells_apart};
/// assert!(tells_apart(&[0.1, 0.2, 0.1], fmt_num));
/// assert!(!tells_apart(&[0.00011, 0.00012], fmt_num));
/// ```
pub fn tells_apart(values: &[f64], write: impl Fn(f64) -> String) -> bool {
    use std::collections::hash_map::{Entry, HashMap};
    let mut seen: HashMap<String, f64> = HashMap::with_capacity(values.len());
    values.iter().all(|&v| match seen.entry(write(v)) {
        Entry::Occupied(e) => *e.get() == v,
        Entry::Vacant(e) => {
            e.insert(v);
            true
        }
    })
}

/// A number to the shortest digits that read back as it: 0.50001, 1.0000000002e-7.
pub fn fmt_exact(v: f64) -> String {
    let a = v.abs();
    if a.is_finite() && a != 0.0 && !(1e-4..1e15).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
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
        let [lo, hi] = [lo, hi].map(fmt_exact);
        return Err(format!("min ({lo}) must be below max ({hi})"));
    }
    Ok(())
}

/// The smallest shape (`alpha`, `beta`) of a Beta: all but certainly at one of its ends, and
/// still drawn at the right one (see `numerics::dist::beta_draw`).
pub const MIN_BETA_SHAPE: f64 = 1e-300;

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

/// A number for a message: a 0 says that a written number too small for an `f64` reads as 0
/// (`sd: 1e-400` said "found 0").
fn shown_zero(x: f64) -> String {
    if x == 0.0 {
        "0 (a written number below about 5e-324 in magnitude reads as 0)".into()
    } else {
        x.to_string()
    }
}

/// The mean of a normal (μ, σ) cut to [lo, hi]: μ + σ(φ(a) − φ(b)) / (Φ(b) − Φ(a)), with a, b
/// the cuts in standard deviations. The window's mass is taken from the tail it lies in, with
/// `libm`'s erfc (to the last bits; [`norm_cdf`]'s 1e-7 made the mean of a narrow window far in
/// a tail wrong in its sixth digit).
fn truncated_normal_mean(mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    let norm_cdf = |x: f64| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
    let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
    let pdf = |z: f64| {
        if z.is_finite() {
            exp(-0.5 * z * z) / (2.0 * std::f64::consts::PI).sqrt()
        } else {
            0.0
        }
    };
    let mass = if a > 0.0 {
        norm_cdf(-a) - norm_cdf(-b)
    } else {
        norm_cdf(b) - norm_cdf(a)
    };
    mean + sd * (pdf(a) - pdf(b)) / mass
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_central_value_is_within_the_magnitude_draws_are_held_to() {
        // The cut curve's mean is −1.37e12; every draw is clamped to −1e12.
        let p: Param =
            ron::from_str(r#"Normal(mean: 1e12, sd: 1e12, max: -1e12, source: "s")"#).unwrap();
        assert_eq!(p.central(), -1e12);
        let q: Param = ron::from_str(r#"Normal(mean: 0.5, sd: 1, min: 0, source: "s")"#).unwrap();
        assert!(q.central() > 0.5 && q.central() < 2.0);
    }

    #[test]
    fn a_distributions_numbers_never_read_the_same_when_they_differ() {
        let d = |t: &str| ron::from_str::<Dist>(t).unwrap().describe_with(false);
        assert_eq!(
            d(r#"Uniform(min: 0.50001, max: 0.50002, source: "s")"#),
            "Uniform(0.50001, 0.50002)"
        );
        assert_eq!(
            d(r#"Pert(min: 1, mode: 1.000001, max: 2, source: "s")"#),
            "PERT(1, 1.000001, 2)"
        );
        assert_eq!(
            d(r#"Uniform(min: 0.00001, max: 0.0000100001, source: "s")"#),
            "Uniform(1e-5, 1.00001e-5)"
        );
        // Apart at four decimals: as short as before.
        assert_eq!(
            d(r#"Pert(min: 0.1, mode: 0.123456, max: 0.3, source: "s")"#),
            "PERT(0.1, 0.1235, 0.3)"
        );
    }

    #[test]
    fn numbers_are_written_short_and_never_as_zero_when_they_are_not() {
        for (v, want) in [
            (0.0, "0"),
            (3.0, "3"),
            (-12.0, "-12"),
            (0.3, "0.3"),
            (0.12345, "0.1235"),
            (1e12, "1000000000000"),
            (0.0001, "0.0001"),
            (0.00002, "2e-5"),
            (-0.000012345, "-1.2345e-5"),
            (5e-324, "4.9407e-324"),
            (1e15, "1e15"),
            (-1e308, "-1e308"),
            (1.5e300, "1.5e300"),
        ] {
            assert_eq!(fmt_num(v), want, "{v:e}");
        }
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
