//! Designs of experiments for `brink experiment`: where in the space of several parameters to
//! run the scenario. Three designs, each a list of points in the unit cube `[0, 1)^k` scaled to
//! each parameter's `LOW..HIGH`:
//!
//! - **Latin hypercube** (McKay, Beckman & Conover 1979): `N` points; each parameter's range is
//!   cut into `N` equal strata and each stratum holds exactly one point. The strata's order
//!   (one permutation per parameter) and each point's place inside its stratum are drawn from
//!   brink's own seeded streams ([`crate::numerics::rng`], component `DESIGN` at run index 0,
//!   key `"design.lhs"`), so that the design is reproducible from the seed alone and shares no
//!   draw with the runs.
//! - **Sobol** (Sobol' 1967), brink's own implementation with the direction numbers of Joe &
//!   Kuo (2008, `new-joe-kuo-6.21201`) embedded for up to [`MAX_PARAMETERS`] dimensions, points
//!   in Gray-code order (as SciPy's unscrambled `qmc.Sobol`). The first point, all zeros (every
//!   parameter at LOW), is **kept**: dropping it spoils the sequence's balance (Owen 2020, "On
//!   dropping the first Sobol' point"). Not scrambled, so not seed-dependent.
//! - **Full factorial**: `N` evenly spaced levels per parameter (both ends included), every
//!   combination, `N^k` points (the first parameter outer), refused above [`MAX_POINTS`].

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::numerics::rng::{Master, component, key_of};
use crate::scenario::param::fmt_num;

/// Most design points of one experiment (and most cells of a full factorial).
pub const MAX_POINTS: usize = 10_000;

/// Most parameters one design varies together (the Sobol direction numbers embedded).
pub const MAX_PARAMETERS: usize = 21;

/// Which design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DesignKind {
    /// Latin hypercube: N points, each parameter's N strata each hit once.
    Lhs,
    /// Sobol low-discrepancy sequence: the first N points (the all-LOW point first).
    Sobol,
    /// Full factorial: N levels per parameter, every combination (N^k points).
    Factorial,
}

impl FromStr for DesignKind {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim() {
            "lhs" => Ok(DesignKind::Lhs),
            "sobol" => Ok(DesignKind::Sobol),
            "factorial" => Ok(DesignKind::Factorial),
            other => Err(format!(
                "unknown design {other:?}; expected lhs, sobol or factorial"
            )),
        }
    }
}

impl DesignKind {
    /// The design's name in words.
    pub fn words(self) -> &'static str {
        match self {
            DesignKind::Lhs => "Latin hypercube",
            DesignKind::Sobol => "Sobol sequence",
            DesignKind::Factorial => "full factorial",
        }
    }
}

/// `PATH=REST` split at its first `=`, the path trimmed and not empty (`usage` ends an error).
pub(crate) fn split_path<'a>(
    s: &'a str,
    usage: &str,
) -> std::result::Result<(&'a str, &'a str), String> {
    let (path, rest) = s
        .split_once('=')
        .ok_or_else(|| format!("no '='; {usage}"))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("no parameter path before '='; {usage}"));
    }
    Ok((path, rest))
}

/// A finite number from a command-line argument; `what` names it in an error.
pub(crate) fn finite_number(what: &str, t: &str, usage: &str) -> std::result::Result<f64, String> {
    let v: f64 = t
        .trim()
        .parse()
        .map_err(|_| format!("{what} {t:?} is not a number; {usage}"))?;
    const MAX: f64 = crate::scenario::limits::MAX_ABS_NUMBER;
    if !v.is_finite() {
        Err(format!("{what} must be a finite number"))
    } else if v.abs() > MAX {
        // The limit every number of a scenario is held to; beyond it the grid's step
        // (TO − FROM) may not even be a number.
        Err(format!(
            "{what} {} is beyond ±10^12, the largest magnitude a scenario's number may have",
            t.trim()
        ))
    } else {
        // −0 is 0 (adding +0 turns −0 into +0 and changes nothing else): a grid from `-0`
        // was headed "from -0 to 1" and its value written as -0.
        Ok(v + 0.0)
    }
}

/// `PATH=LOW..HIGH`: a parameter the design varies, and its range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamRange {
    /// The parameter's path (`actors.north.sensitivity`; see `brink describe --paths`).
    pub path: String,
    /// Lowest value.
    pub low: f64,
    /// Highest value.
    pub high: f64,
}

/// A range `A..B` split at its two dots (`what` names it in a message). Three dots or more in a
/// row are refused: `1...2` would read as 1 to .2.
pub(crate) fn split_range<'a>(
    range: &'a str,
    what: &str,
    usage: &str,
) -> std::result::Result<(&'a str, &'a str), String> {
    let (a, b) = range
        .split_once("..")
        .ok_or_else(|| format!("no '{what}'; {usage}"))?;
    if b.starts_with('.') {
        return Err(format!(
            "{range:?} has more than two dots between its ends; {usage}"
        ));
    }
    Ok((a, b))
}

impl FromStr for ParamRange {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let usage = "expected PATH=LOW..HIGH, e.g. actors.north.sensitivity=0.2..1.2";
        let (path, range) = split_path(s, usage)?;
        let (low, high) = split_range(range, "LOW..HIGH", usage)?;
        let (low, high) = (
            finite_number("LOW", low, usage)?,
            finite_number("HIGH", high, usage)?,
        );
        if low >= high {
            return Err(format!(
                "LOW must be below HIGH, found {}..{}",
                fmt_num(low),
                fmt_num(high)
            ));
        }
        Ok(ParamRange {
            path: path.to_string(),
            low,
            high,
        })
    }
}

impl ParamRange {
    /// The value at `u` of the unit interval (0 is LOW, 1 is HIGH), rounded to 13 significant
    /// digits so that a grid of 0.1 steps reads 0.3, not 0.30000000000000004.
    pub fn scale(&self, u: f64) -> f64 {
        if u >= 1.0 {
            return self.high;
        }
        let x = self.low + (self.high - self.low) * u;
        let x: f64 = format!("{x:.12e}").parse().unwrap_or(x);
        x.clamp(self.low, self.high)
    }

    /// As written on the command line.
    pub fn describe(&self) -> String {
        format!(
            "{}={}..{}",
            self.path,
            fmt_num(self.low),
            fmt_num(self.high)
        )
    }
}

/// Checks a design's size before anything is built: 1 to [`MAX_PARAMETERS`] distinct
/// parameters, at least 2 points (levels), at most [`MAX_POINTS`] points in all.
pub fn check(kind: DesignKind, params: &[ParamRange], points: usize) -> Result<()> {
    if params.is_empty() {
        return Err(Error::Input(
            "no --param PATH=LOW..HIGH: name at least one parameter to vary".into(),
        ));
    }
    if params.len() > MAX_PARAMETERS {
        return Err(Error::Input(format!(
            "{} --param given; a design varies at most {MAX_PARAMETERS}",
            params.len()
        )));
    }
    for (i, a) in params.iter().enumerate() {
        if params[..i].iter().any(|b| b.path == a.path) {
            return Err(Error::Input(format!(
                "--param {} is given twice; each parameter once",
                a.path
            )));
        }
    }
    if points < 2 {
        return Err(Error::Input(format!(
            "--points must be at least 2, found {points}"
        )));
    }
    let total = size(kind, params.len(), points);
    if total > MAX_POINTS {
        return Err(Error::Input(match kind {
            DesignKind::Factorial => format!(
                "--points {points} levels for {} parameters make {} points; a design has at \
                 most {MAX_POINTS}: use fewer levels or parameters",
                params.len(),
                if total == usize::MAX {
                    "too many".to_string()
                } else {
                    total.to_string()
                }
            ),
            _ => format!("--points must be at most {MAX_POINTS}, found {points}"),
        }));
    }
    Ok(())
}

/// The number of points of a design of `k` parameters with `n` points (levels); `usize::MAX`
/// when it overflows.
pub fn size(kind: DesignKind, k: usize, n: usize) -> usize {
    match kind {
        DesignKind::Factorial => (0..k)
            .try_fold(1usize, |a, _| a.checked_mul(n))
            .unwrap_or(usize::MAX),
        _ => n,
    }
}

/// The design's points in the unit cube: `points[i][j]` is parameter `j` of point `i`, in
/// `[0, 1]` (a factorial's last level is exactly 1).
pub fn unit_points(kind: DesignKind, k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    match kind {
        DesignKind::Lhs => latin_hypercube(k, n, seed),
        DesignKind::Sobol => sobol(k, n),
        DesignKind::Factorial => factorial(k, n),
    }
}

/// The design's points scaled to each parameter's range.
pub fn points(kind: DesignKind, params: &[ParamRange], n: usize, seed: u64) -> Vec<Vec<f64>> {
    unit_points(kind, params.len(), n, seed)
        .into_iter()
        .map(|u| params.iter().zip(u).map(|(p, u)| p.scale(u)).collect())
        .collect()
}

/// A uniform whole number below `n` from 64 random bits (the multiply-shift map; its bias,
/// below n / 2^64, is far beneath anything a design could show).
fn below(bits: u64, n: usize) -> usize {
    ((bits as u128 * n as u128) >> 64) as usize
}

/// A Latin hypercube of `n` points in `k` dimensions: for each dimension a random permutation
/// of the `n` strata (Fisher–Yates), then a uniform place inside each point's stratum. The
/// permutations are drawn first (dimension by dimension), then the places (point by point).
pub fn latin_hypercube(k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let master = Master::new(seed);
    let mut s = master.keyed(0, component::DESIGN, key_of("design.lhs"));
    let perms: Vec<Vec<usize>> = (0..k)
        .map(|_| {
            let mut p: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = below(s.bits(), i + 1);
                p.swap(i, j);
            }
            p
        })
        .collect();
    (0..n)
        .map(|i| {
            perms
                .iter()
                .map(|p| (p[i] as f64 + s.uniform()) / n as f64)
                .collect()
        })
        .collect()
}

/// A full factorial: `n` levels `0, 1/(n−1), …, 1` per dimension, every combination, the
/// first dimension outer.
pub fn factorial(k: usize, n: usize) -> Vec<Vec<f64>> {
    let total = size(DesignKind::Factorial, k, n);
    let level = |l: usize| {
        if l + 1 == n {
            1.0
        } else {
            l as f64 / (n - 1).max(1) as f64
        }
    };
    (0..total)
        .map(|mut i| {
            let mut u = vec![0.0; k];
            for j in (0..k).rev() {
                u[j] = level(i % n);
                i /= n;
            }
            u
        })
        .collect()
}

/// Joe & Kuo's direction numbers (`new-joe-kuo-6.21201`) for dimensions 2 to 21: the degree
/// `s` of the primitive polynomial, its coefficients `a`, and the initial numbers `m_1..m_s`.
/// Dimension 1 is the van der Corput sequence and needs none.
const JOE_KUO: [(u32, u32, &[u32]); MAX_PARAMETERS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
];

/// Bits of each Sobol coordinate (2^32 points at most, far beyond [`MAX_POINTS`]).
const SOBOL_BITS: usize = 32;

/// The direction numbers `v_1..v_32` of dimension `d` (0-based), scaled to 32 bits.
fn directions(d: usize) -> [u32; SOBOL_BITS] {
    let mut v = [0u32; SOBOL_BITS];
    if d == 0 {
        for (i, x) in v.iter_mut().enumerate() {
            *x = 1 << (SOBOL_BITS - 1 - i);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[d - 1];
    let s = s as usize;
    for i in 0..s.min(SOBOL_BITS) {
        v[i] = m[i] << (SOBOL_BITS - 1 - i);
    }
    for i in s..SOBOL_BITS {
        let mut x = v[i - s] ^ (v[i - s] >> s);
        for k in 1..s {
            if (a >> (s - 1 - k)) & 1 == 1 {
                x ^= v[i - k];
            }
        }
        v[i] = x;
    }
    v
}

/// The first `n` points of the `k`-dimensional Sobol sequence in Gray-code order (Antonov &
/// Saleev 1979), the all-zeros point first.
pub fn sobol(k: usize, n: usize) -> Vec<Vec<f64>> {
    let k = k.min(MAX_PARAMETERS);
    let dirs: Vec<[u32; SOBOL_BITS]> = (0..k).map(directions).collect();
    let mut x = vec![0u32; k];
    let mut out = Vec::with_capacity(n);
    let scale = 1.0 / (1u64 << SOBOL_BITS) as f64;
    for i in 0..n {
        if i > 0 {
            // The lowest zero bit of i − 1 picks the direction number to add.
            let c = (!(i - 1)).trailing_zeros() as usize;
            for (xj, v) in x.iter_mut().zip(&dirs) {
                *xj ^= v[c.min(SOBOL_BITS - 1)];
            }
        }
        out.push(x.iter().map(|&xj| xj as f64 * scale).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_zero_is_zero() {
        for t in ["-0", "-0.0", " -0e5 "] {
            let v = finite_number("FROM", t, "").unwrap();
            assert_eq!(v.to_bits(), 0f64.to_bits(), "{t}");
        }
        let spec: crate::analysis::sweep::SweepSpec = "a.b=-0..1:3".parse().unwrap();
        assert_eq!(spec.from.to_bits(), 0f64.to_bits());
    }

    #[test]
    fn ranges_beyond_the_scenario_limit_are_refused() {
        // TO − FROM overflowed: the sweep said the number was NaN (found by a reviewer).
        let e = "x=-1e308..1e308:3"
            .parse::<crate::analysis::sweep::SweepSpec>()
            .unwrap_err();
        assert!(e.contains("FROM -1e308 is beyond ±10^12"), "{e}");
        let e = "x=0..2e12".parse::<ParamRange>().unwrap_err();
        assert!(e.contains("beyond ±10^12"), "{e}");
        assert!(
            "x=-1e12..1e12:3"
                .parse::<crate::analysis::sweep::SweepSpec>()
                .is_ok()
        );
    }

    #[test]
    fn sobol_starts_as_published() {
        // SciPy's `qmc.Sobol(d=3, scramble=False).random(8)`.
        let want = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
            [0.625, 0.125, 0.875],
            [0.125, 0.625, 0.375],
        ];
        let got = sobol(3, 8);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.as_slice(), w.as_slice());
        }
    }

    #[test]
    fn a_latin_hypercube_hits_every_stratum_once() {
        let n = 37;
        let pts = latin_hypercube(4, n, 9);
        for j in 0..4 {
            let mut hit = vec![0; n];
            for p in &pts {
                hit[(p[j] * n as f64) as usize] += 1;
            }
            assert!(hit.iter().all(|&h| h == 1), "dimension {j}: {hit:?}");
        }
        assert_eq!(pts, latin_hypercube(4, n, 9));
        assert_ne!(pts, latin_hypercube(4, n, 10));
    }

    #[test]
    fn a_factorial_is_the_full_grid() {
        let pts = factorial(2, 3);
        assert_eq!(pts.len(), 9);
        assert_eq!(pts[0], vec![0.0, 0.0]);
        assert_eq!(pts[1], vec![0.0, 0.5]);
        assert_eq!(pts[8], vec![1.0, 1.0]);
    }

    #[test]
    fn ranges_parse_and_refuse() {
        let r: ParamRange = "a.b=0.1..0.9".parse().unwrap();
        assert_eq!((r.low, r.high), (0.1, 0.9));
        assert!("a.b=0.9..0.1".parse::<ParamRange>().is_err());
        assert!("a.b=1..1".parse::<ParamRange>().is_err());
        assert!("a.b".parse::<ParamRange>().is_err());
        assert_eq!(r.scale(0.25), 0.3);
        // Three dots read as 0 to .1 before.
        let e = "a.b=0...1".parse::<ParamRange>().unwrap_err();
        assert!(e.contains("more than two dots"), "{e}");
    }

    #[test]
    fn sweep_grids_refuse_three_dots_and_ends_too_close() {
        use crate::analysis::sweep::SweepSpec;
        let e = "a.b=1...2:3".parse::<SweepSpec>().unwrap_err();
        assert!(e.contains("more than two dots"), "{e}");
        let e = "a.b=1..1.0000000000000002:5"
            .parse::<SweepSpec>()
            .unwrap_err();
        assert!(e.contains("too close for 5 distinct values"), "{e}");
        let g: SweepSpec = "a.b=1..1.000000001:5".parse().unwrap();
        assert_eq!(g.values().len(), 5);
        assert!("a.b=-2..-1:3".parse::<SweepSpec>().is_ok());
    }
}
