//! `brink sensitivity`: which uncertain assumptions drive an outcome.
//!
//! Estimator: partial rank correlation coefficients (PRCC; Marino, Hogue, Ray & Kirschner 2008,
//! J. Theor. Biol. 254:178). Every uncertain number's sampled value and the run's outcome (its
//! indicator, or a continuous quantity) are rank-transformed (average ranks for ties); the PRCC
//! of a parameter is its correlation with the outcome controlling for every other parameter,
//! read from the inverse P of the rank correlation matrix: PRCC_i = −P_iy / √(P_ii·P_yy).
//! Its 95% interval is Fisher's: z = atanh(r), SE = 1/√(N − 3 − (k − 1)), tanh(z ± 1.959964·SE).
//!
//! The runs are those of `brink run` with the same seed (run r samples the same numbers), done
//! in parallel chunks and gathered in chunk order, so the result is the same for any number of
//! threads.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::Manifest;
use crate::engine::{Interrupted, RunPlan, for_each_chunk};
use crate::error::{Error, Result};
use crate::model::{Model, RunState, Silent, simulate};
use crate::numerics::rng::Master;
use crate::scenario::LoadedScenario;

/// Largest N·k (runs × uncertain numbers) held in memory.
pub const MAX_VALUES: u64 = 50_000_000;

/// The fewest runs per uncertain number `brink sensitivity` accepts (see [`run`]).
pub const MIN_RUNS_PER_PARAMETER: u64 = 10;

/// The most uncertain numbers one sample can rank: [`MIN_RUNS_PER_PARAMETER`] runs each, and
/// runs × numbers within [`MAX_VALUES`], so k·(10·k) ≤ 50,000,000, k ≤ 2,236 (fewer than the
/// scenario's own limit, [`crate::scenario::limits::MAX_UNCERTAIN`]).
pub const MAX_PARAMETERS: u64 = (MAX_VALUES / MIN_RUNS_PER_PARAMETER).isqrt();

/// The default number of runs of a sensitivity sample.
pub const DEFAULT_RUNS: u64 = 4000;

/// The 97.5% normal quantile.
const Z: f64 = 1.959_963_984_540_054;

/// What is ranked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A named outcome's indicator: 1 if it happened in the run, else 0.
    Outcome(usize),
    /// The highest dyad index H of the run (points).
    PeakIndex,
    /// H at the last step (points).
    FinalIndex,
    /// An actor's cumulative cost.
    Cost(usize),
}

impl Measure {
    /// The measure named by `--outcome` or `--measure` (default: the first named outcome).
    pub fn parse(m: &Model, outcome: Option<&str>, measure: Option<&str>) -> Result<Measure> {
        if let Some(q) = measure {
            if outcome.is_some() {
                return Err(Error::Input(
                    "give either --outcome or --measure, not both".into(),
                ));
            }
            return match q {
                "peak_index" => Ok(Measure::PeakIndex),
                "final_index" => Ok(Measure::FinalIndex),
                _ => q
                    .strip_prefix("cost_")
                    .and_then(|a| m.actors.iter().position(|x| x.name == a))
                    .map(Measure::Cost)
                    .ok_or_else(|| {
                        let mut names = vec!["peak_index".to_string(), "final_index".into()];
                        names.extend(m.actors.iter().map(|a| format!("cost_{}", a.name)));
                        Error::Input(format!(
                            "unknown measure {}; expected one of: {}",
                            crate::text::quoted_name(q),
                            names.join(", ")
                        ))
                    }),
            };
        }
        match outcome {
            Some(name) => m
                .outcomes
                .iter()
                .position(|o| o.name == name)
                .map(Measure::Outcome)
                .ok_or_else(|| {
                    Error::Input(format!(
                        "unknown outcome {}; expected one of: {}",
                        crate::text::quoted_name(name),
                        m.outcomes
                            .iter()
                            .map(|o| o.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }),
            None if !m.outcomes.is_empty() => Ok(Measure::Outcome(0)),
            None => Err(Error::Input(
                "the scenario defines no outcomes; name a quantity with --measure \
                 (peak_index, final_index or cost_<actor>)"
                    .into(),
            )),
        }
    }

    /// The measure's value in a finished run.
    pub fn value(self, st: &RunState) -> f64 {
        match self {
            Measure::Outcome(o) => f64::from(u8::from(st.outcome_hit(o))),
            Measure::PeakIndex => st.peak_index,
            Measure::FinalIndex => st.index,
            Measure::Cost(a) => st.cost[a],
        }
    }

    /// Its name: the outcome's, `peak_index`, `final_index` or `cost_<actor>`.
    pub fn name(self, m: &Model) -> String {
        match self {
            Measure::Outcome(o) => m.outcomes[o].name.clone(),
            Measure::PeakIndex => "peak_index".into(),
            Measure::FinalIndex => "final_index".into(),
            Measure::Cost(a) => format!("cost_{}", m.actors[a].name),
        }
    }

    /// How it reads in a title: "P(rupture)", "peak H", "russia's cost".
    pub fn title(self, m: &Model) -> String {
        match self {
            Measure::Outcome(o) => format!("P({})", m.outcomes[o].name),
            Measure::PeakIndex => "the peak of H".into(),
            Measure::FinalIndex => "H at the end".into(),
            Measure::Cost(a) => format!("{}'s cost", m.actors[a].name),
        }
    }
}

/// A source cut to its first reference: "article ¶14, ¶49 (…)" → "article ¶14",
/// "assumption: …" → "assumption", "goldstein.md: …" → "goldstein.md".
pub fn short_source(src: &str) -> String {
    // One line: a chart's label (a source of two lines drew its break as an empty box).
    let src = crate::text::one_line(src);
    let src = src.as_ref();
    let cut = src
        .find([':', ';', '(', ','])
        .map_or(src, |i| &src[..i])
        .trim();
    let cut = if cut.is_empty() { src.trim() } else { cut };
    // Closed where it is cut, as every other cut is: an override or isolate left open
    // reorders what follows the source on a chart.
    if cut.chars().count() > 28 {
        let s: String = cut.chars().take(27).collect();
        format!("{}…", crate::text::close_bidi(s.trim_end()))
    } else {
        crate::text::close_bidi(cut)
    }
}

/// Ranks 1..n of the values, ties sharing their average rank.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        // Positions i..j (0-based) share the mean of ranks i+1..=j.
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            r[k] = avg;
        }
        i = j;
    }
    r
}

/// What [`prcc`] returns when stopped.
pub const STOPPED: &str = "stopped";

/// The inverse of the n×n matrix `a` (row-major) by Gauss–Jordan elimination with partial
/// pivoting. `Err(j)`: the matrix is singular, column j being (numerically) a linear
/// combination of columns 0..j.
pub fn invert(a: &[f64], n: usize) -> std::result::Result<Vec<f64>, usize> {
    invert_until(a, n, &AtomicBool::new(false)).map_err(|j| j.unwrap_or(n))
}

/// [`invert`], checking `stop` at each pivot column: `Err(None)` once it is set (the
/// inversion of a matrix at the limits takes seconds).
fn invert_until(
    a: &[f64],
    n: usize,
    stop: &AtomicBool,
) -> std::result::Result<Vec<f64>, Option<usize>> {
    assert_eq!(a.len(), n * n, "invert: not an n×n matrix");
    let w = 2 * n;
    let mut m = vec![0.0; n * w];
    for i in 0..n {
        m[i * w..i * w + n].copy_from_slice(&a[i * n..(i + 1) * n]);
        m[i * w + n + i] = 1.0;
    }
    let scale = (0..n)
        .map(|i| a[i * n + i].abs())
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(None);
        }
        let (piv, best) = (col..n)
            .map(|r| (r, m[r * w + col].abs()))
            .fold((col, -1.0), |acc, x| if x.1 > acc.1 { x } else { acc });
        // NaN fails the test too.
        if best.is_nan() || best <= 1e-10 * scale {
            return Err(Some(col));
        }
        if piv != col {
            for c in 0..w {
                m.swap(piv * w + c, col * w + c);
            }
        }
        let p = m[col * w + col];
        for c in 0..w {
            m[col * w + c] /= p;
        }
        for r in 0..n {
            if r == col {
                continue;
            }
            let f = m[r * w + col];
            if f != 0.0 {
                for c in 0..w {
                    m[r * w + c] -= f * m[col * w + c];
                }
            }
        }
    }
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n..(i + 1) * n].copy_from_slice(&m[i * w + n..(i + 1) * w]);
    }
    Ok(inv)
}

/// The 95% Fisher interval of a partial correlation `r` from `n` runs controlling for `k − 1`
/// other parameters: tanh(atanh(r) ± 1.959964 / √(n − 3 − (k − 1))).
pub fn fisher_interval(r: f64, n: usize, k: usize) -> (f64, f64) {
    let df = n as f64 - 3.0 - (k as f64 - 1.0);
    if df <= 0.0 {
        return (-1.0, 1.0);
    }
    use crate::numerics::math::{atanh, tanh};
    let z = atanh(r.clamp(-1.0 + 1e-15, 1.0 - 1e-15));
    let se = 1.0 / df.sqrt();
    (tanh(z - Z * se), tanh(z + Z * se))
}

/// One parameter's partial rank correlation with the measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prcc {
    /// The column it came from.
    pub column: usize,
    /// The partial rank correlation, from −1 to 1.
    pub r: f64,
    /// Lower end of its 95% interval (Fisher's z).
    pub low: f64,
    /// Upper end of its 95% interval.
    pub high: f64,
}

/// PRCC of every column against `y`, and the columns left out with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct PrccResult {
    /// One per column kept, in column order.
    pub values: Vec<Prcc>,
    /// Columns left out, with the reason ("never varies in the sample", "collinear …").
    pub dropped: Vec<(usize, String)>,
    /// Parameters controlled for (k).
    pub k: usize,
}

/// Standardised ranks: zero mean, unit norm (None when constant).
fn standard_ranks(x: &[f64]) -> Option<Vec<f64>> {
    let mut r = average_ranks(x);
    let n = r.len() as f64;
    let mean = r.iter().sum::<f64>() / n;
    let mut ss = 0.0;
    for v in r.iter_mut() {
        *v -= mean;
        ss += *v * *v;
    }
    if ss <= 0.0 {
        return None;
    }
    let norm = ss.sqrt();
    r.iter_mut().for_each(|v| *v /= norm);
    Some(r)
}

/// The first column of `x` of which `y` is a monotone function in the sample: a measure with
/// no randomness of its own beyond that one number (an outcome decided by a threshold on it, a
/// final index that rises with it alone). PRCC of such a measure is no ranking: the one number
/// explains it whole, and the intervals, which assume noise, mean nothing. `None` when no
/// column does, or when one could by chance: an arrangement of `y`'s values that a random
/// order would give with probability above 10⁻⁹ is not taken as determination (an outcome
/// that happened in a single run is always "monotone" in some parameter).
///
/// ```
/// use brink::analysis::sensitivity::determined_by;
/// let x0: Vec<f64> = (0..100).map(|i| ((i * 37) % 100) as f64).collect();
/// let x1: Vec<f64> = (0..100).map(|i| ((i * 61) % 100) as f64).collect();
/// // Decided by x1 crossing 40: determined. A noisier rule is not.
/// let y: Vec<f64> = x1.iter().map(|&v| (v > 40.0) as u8 as f64).collect();
/// assert_eq!(determined_by(&[x0.clone(), x1.clone()], &y), Some(1));
/// let y: Vec<f64> = (0..100).map(|i| ((x1[i] + x0[i] / 4.0) > 50.0) as u8 as f64).collect();
/// assert_eq!(determined_by(&[x0, x1], &y), None);
/// ```
pub fn determined_by(x: &[Vec<f64>], y: &[f64]) -> Option<usize> {
    let n = y.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
    // Each run's group: the rank of its distinct value of y.
    let mut group = vec![0usize; n];
    let mut counts: Vec<usize> = vec![];
    for (at, &i) in order.iter().enumerate() {
        if at == 0 || y[i] != y[order[at - 1]] {
            counts.push(0);
        }
        group[i] = counts.len() - 1;
        *counts.last_mut()? += 1;
    }
    let groups = counts.len();
    if groups < 2 {
        return None;
    }
    // ln P(a random order of the runs puts the groups in one of the two monotone orders)
    // = ln 2 + Σ ln(c!) − ln(n!).
    let ln_chance = std::f64::consts::LN_2
        + counts
            .iter()
            .map(|&c| libm::lgamma(c as f64 + 1.0))
            .sum::<f64>()
        - libm::lgamma(n as f64 + 1.0);
    if ln_chance > -9.0 * std::f64::consts::LN_10 {
        return None;
    }
    let (mut low, mut high) = (vec![0.0; groups], vec![0.0; groups]);
    x.iter().position(|c| {
        low.fill(f64::INFINITY);
        high.fill(f64::NEG_INFINITY);
        for (&v, &g) in c.iter().zip(&group) {
            low[g] = low[g].min(v);
            high[g] = high[g].max(v);
        }
        let rising = (1..groups).all(|g| high[g - 1] < low[g]);
        let falling = (1..groups).all(|g| low[g - 1] > high[g]);
        rising || falling
    })
}

/// Partial rank correlation of each column of `x` with `y`. Constant columns and columns
/// collinear with the others are left out (and reported); the correlation matrix is computed
/// on `threads` threads, each entry by one thread in a fixed order, so the result does not
/// depend on them. `stop` is checked at each row of the matrix and each step of its inversion
/// (at the limits they take most of a minute): once it is set the error is [`STOPPED`].
pub fn prcc(
    x: Vec<Vec<f64>>,
    y: &[f64],
    threads: usize,
    stop: &AtomicBool,
) -> std::result::Result<PrccResult, String> {
    let n = y.len();
    let mut dropped = vec![];
    let mut cols = vec![];
    let mut z: Vec<Vec<f64>> = vec![];
    for (j, c) in x.into_iter().enumerate() {
        match standard_ranks(&c) {
            Some(r) => {
                cols.push(j);
                z.push(r);
            }
            None => dropped.push((j, "never varies in the sample".to_string())),
        }
    }
    let zy = standard_ranks(y).ok_or_else(|| {
        format!("the measure takes the same value in all {n} runs, so nothing can explain it")
    })?;
    z.push(zy);
    let p = z.len();
    // Rank correlation matrix (the ranks have unit norm, so it is their dot products).
    let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
    let rows = |i: usize| -> Vec<f64> {
        if stopped() {
            return vec![];
        }
        (0..p)
            .map(|j| {
                if j < i {
                    0.0
                } else {
                    z[i].iter().zip(&z[j]).map(|(a, b)| a * b).sum()
                }
            })
            .collect()
    };
    let upper: Vec<Vec<f64>> =
        crate::engine::on_threads(threads, || (0..p).into_par_iter().map(rows).collect());
    drop(z);
    if stopped() {
        return Err(STOPPED.into());
    }
    let mut c = vec![0.0; p * p];
    for i in 0..p {
        for j in i..p {
            c[i * p + j] = upper[i][j];
            c[j * p + i] = upper[i][j];
        }
    }
    // Invert; a column that depends on the ones before it is left out and the rest redone.
    let mut active: Vec<usize> = (0..p).collect();
    let inv = loop {
        let q = active.len();
        let mut sub = vec![0.0; q * q];
        for (a, &i) in active.iter().enumerate() {
            for (b, &j) in active.iter().enumerate() {
                sub[a * q + b] = c[i * p + j];
            }
        }
        match invert_until(&sub, q, stop) {
            Ok(inv) => break inv,
            Err(None) => return Err(STOPPED.into()),
            Err(Some(j)) if j + 1 < q => {
                dropped.push((
                    cols[active[j]],
                    "collinear with other parameters in the sample".to_string(),
                ));
                active.remove(j);
            }
            Err(_) => {
                return Err(
                    "the measure's ranks are an exact linear combination of the \
                            parameters' ranks (e.g. it is a monotone function of one parameter, \
                            with no randomness of its own); PRCC is undefined"
                        .into(),
                );
            }
        }
    };
    let q = active.len();
    let k = q - 1;
    if n < k + 4 {
        return Err(format!(
            "{n} runs are too few to control for {k} parameters (at least {} are needed, \
             and 10 × {k} are advised)",
            k + 4
        ));
    }
    let yy = inv[k * q + k];
    let values = (0..k)
        .map(|a| {
            let r = (-inv[a * q + k] / (inv[a * q + a] * yy).sqrt()).clamp(-1.0, 1.0);
            let (low, high) = fisher_interval(r, n, k);
            Prcc {
                column: cols[active[a]],
                r,
                low,
                high,
            }
        })
        .collect();
    dropped.sort_by_key(|d| d.0);
    Ok(PrccResult { values, dropped, k })
}

/// One parameter's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSensitivity {
    /// The parameter's path (`actors.north.resolve`).
    pub parameter: String,
    /// Its distribution, in words.
    pub distribution: String,
    /// Its source (else its record's).
    pub source: String,
    /// Partial rank correlation with the measure, from −1 to 1.
    pub prcc: f64,
    /// 95% interval (Fisher z).
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// 1 = largest |PRCC|.
    pub rank: usize,
    /// Whether the 95% interval excludes 0.
    pub excludes_zero: bool,
}

/// A parameter left out of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DroppedParam {
    /// The parameter's path.
    pub parameter: String,
    /// Its source (else its record's).
    pub source: String,
    /// Why it was left out.
    pub reason: String,
}

/// Everything `sensitivity.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityResult {
    /// Where the result came from.
    pub manifest: Manifest,
    /// The measure's name (an outcome, `peak_index`, `final_index`, `cost_<actor>`).
    pub measure: String,
    /// "outcome indicator" or "quantity".
    pub measure_kind: String,
    /// For an outcome: the share of runs in which it happened.
    pub outcome_rate: Option<f64>,
    /// For a quantity: its mean over the runs.
    pub measure_mean: Option<f64>,
    /// The method, in words ([`METHOD`]).
    pub method: String,
    /// Parameters ranked (k): each PRCC controls for the k − 1 others.
    pub parameters_ranked: usize,
    /// How many intervals exclude 0.
    pub excluding_zero: usize,
    /// Ranked by |PRCC|, largest first.
    pub parameters: Vec<ParamSensitivity>,
    /// Parameters left out of the ranking, with the reason.
    pub dropped: Vec<DroppedParam>,
    /// The measure in words for a title ("P(rupture)"); not written to the JSON.
    #[serde(skip)]
    pub measure_title: String,
}

/// What `brink sensitivity` was asked to do.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    /// The variant analysed; none for the base scenario.
    pub variant: Option<String>,
    /// The outcome to rank against (`--outcome`); default: the first named outcome.
    pub outcome: Option<String>,
    /// A quantity to rank against instead (`--measure`): `peak_index`, `final_index` or
    /// `cost_ACTOR`.
    pub measure: Option<String>,
    /// Runs in the sample.
    pub runs: u64,
    /// Master seed (run r samples the same numbers as in `brink run`).
    pub seed: u64,
    /// Worker threads (the results are the same for any number).
    pub threads: usize,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
}

/// The method, in words (for the JSON and the docs).
pub const METHOD: &str = "partial rank correlation coefficient (PRCC, Marino et al. 2008): \
    ranks with ties averaged; partial correlation from the inverse of the rank correlation \
    matrix, controlling for every other ranked parameter; 95% interval by Fisher's z with \
    SE = 1/sqrt(N - 3 - (k - 1))";

/// The sample: every uncertain number of every run (as columns) and the measure.
pub fn sample(
    m: &Model,
    measure: Measure,
    plan: &RunPlan,
    stop: &AtomicBool,
) -> std::result::Result<(Vec<Vec<f64>>, Vec<f64>), Interrupted> {
    let master = Master::new(plan.seed);
    let uncertain = m.uncertain_params_in_play();
    let n = plan.runs as usize;
    let mut cols: Vec<Vec<f64>> = uncertain.iter().map(|_| Vec::with_capacity(n)).collect();
    let mut y = Vec::with_capacity(n);
    for_each_chunk(
        plan,
        stop,
        |chunk| sample_chunk(m, measure, plan, &master, &uncertain, chunk, stop),
        |(xs, ys)| {
            let k = uncertain.len();
            for (row, v) in ys.iter().enumerate() {
                for (j, c) in cols.iter_mut().enumerate() {
                    c.push(xs[row * k + j]);
                }
                y.push(*v);
            }
        },
    )?;
    Ok((cols, y))
}

/// One chunk of the sample: each run's uncertain numbers (a row of `uncertain.len()`) and its
/// measure. Left part-done after a stop, checked before each run (nothing is merged after
/// one): a run at the size limits takes about a second, a chunk many minutes.
fn sample_chunk(
    m: &Model,
    measure: Measure,
    plan: &RunPlan,
    master: &Master,
    uncertain: &[usize],
    chunk: u64,
    stop: &AtomicBool,
) -> (Vec<f64>, Vec<f64>) {
    let mut st = RunState::new(m);
    let runs = plan.chunk_range(chunk);
    let mut xs = Vec::with_capacity(runs.clone().count() * uncertain.len());
    let mut ys = Vec::with_capacity(runs.clone().count());
    for r in crate::engine::until_stopped(runs, stop) {
        simulate(m, master, r, &mut st, &mut Silent);
        // Ranked as the run used them (a dated step by the step it fired at).
        xs.extend(uncertain.iter().map(|&i| m.value_used(i, st.values[i])));
        ys.push(measure.value(&st));
    }
    (xs, ys)
}

/// The `brink sweep` of one number of this sensitivity's model: its file, variant and other
/// `--set` numbers, each word quoted for a shell (a path's `->` is a redirection unquoted).
fn sweep_command(loaded: &LoadedScenario, variant: Option<&str>, path: &str) -> String {
    use crate::text::{shell_path, shell_word};
    let mut c = format!("brink sweep {}", shell_path(&loaded.path.to_string_lossy()));
    if let Some(v) = variant {
        c += &format!(" --variant {}", shell_word(v));
    }
    for o in loaded.overrides.iter().filter(|o| o.path != path) {
        c += &format!(" --set {}", shell_word(&format!("{}={}", o.path, o.text)));
    }
    c + &format!(" --set {}", shell_word(&format!("{path}=FROM..TO:STEPS")))
}

/// Runs the sensitivity sample and ranks the parameters.
pub fn run(
    loaded: &LoadedScenario,
    req: &SensitivityRequest,
    stop: &AtomicBool,
) -> Result<SensitivityResult> {
    let m = crate::model::compile(&loaded.scenario, req.variant.as_deref())?;
    let measure = Measure::parse(&m, req.outcome.as_deref(), req.measure.as_deref())?;
    let uncertain = m.uncertain_params_in_play();
    let k = uncertain.len() as u64;
    if k == 0 {
        return Err(Error::Input(
            "the scenario has no uncertain numbers (every number is fixed): nothing to rank".into(),
        ));
    }
    if req.runs == 0 {
        return Err(Error::Input("--runs must be at least 1".into()));
    }
    if k > MAX_PARAMETERS {
        // No --runs passes both checks below: say why, not "too few runs" then "too many".
        let need = MIN_RUNS_PER_PARAMETER * k;
        return Err(Error::Input(format!(
            "the scenario has {k} uncertain numbers (distributions), more than the \
             {MAX_PARAMETERS} one sensitivity sample can rank: PRCC needs at least \
             {MIN_RUNS_PER_PARAMETER} runs per number ({need} runs here), and the sample holds \
             runs × numbers values in memory, at most {MAX_VALUES} ({need} × {k} = {}); fix \
             the numbers least in doubt (a plain number in place of a distribution, in the file, \
             a variant or with --set PATH=VALUE) until at most {MAX_PARAMETERS} remain",
            need * k
        )));
    }
    if req.runs.saturating_mul(k) > MAX_VALUES {
        return Err(Error::Input(format!(
            "{} runs × {} = {} values to hold in memory, more than the limit of {}; use at \
             most --runs {}",
            crate::text::grouped(req.runs.into()),
            crate::text::counted(k as usize, "uncertain number", "uncertain numbers"),
            // The product as it is (it may pass 2^64, where a saturated one printed 2^64 − 1).
            crate::text::grouped(u128::from(req.runs) * u128::from(k)),
            crate::text::grouped(MAX_VALUES.into()),
            MAX_VALUES / k
        )));
    }
    // Each interval covers at any N > k + 3, but all k of them share one residual scale
    // estimated from N − k − 1 degrees of freedom, so they widen or narrow together: at
    // N = k + 4 one sample shows most intervals excluding 0 or none (24 null parameters, 28
    // runs: up to 21 of 24), and the count of exclusions says nothing. Its spread over samples
    // exceeds independent draws' by about a factor 1 + k/(N − k); from N = 10·k it is within
    // ~10% of them, so "about 5% by chance alone" holds of the sample at hand
    // (tests/sensitivity.rs, exclusions_of_null_parameters_are_five_percent_and_independent).
    if req.runs < MIN_RUNS_PER_PARAMETER * k {
        return Err(Error::Input(format!(
            "{} too few to rank {}: PRCC controls each for the others, and below \
             {MIN_RUNS_PER_PARAMETER} runs per number their intervals move together, so many \
             exclude 0 by chance at once; use --runs {} or more",
            crate::text::counted(req.runs as usize, "run is", "runs are"),
            crate::text::counted(k as usize, "uncertain number", "uncertain numbers"),
            MIN_RUNS_PER_PARAMETER * k
        )));
    }
    let plan = RunPlan::whole(req.seed, req.runs, req.threads);
    let (cols, y) = sample(&m, measure, &plan, stop).map_err(|Interrupted| {
        Error::Interrupted("stopped before the sample finished; nothing was written".into())
    })?;
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n as f64;
    let name = measure.name(&m);
    if matches!(measure, Measure::Outcome(_)) && (mean == 0.0 || mean == 1.0) {
        return Err(Error::Input(format!(
            "{name} happened in {} of the {n} runs (seed {}), so no parameter can make a \
             difference to it; pick another outcome or variant",
            if mean == 0.0 { "none" } else { "every one" },
            req.seed
        )));
    }
    // A measure that one number decides alone is an input error too (docs/analysis.md).
    if let Some(j) = determined_by(&cols, &y) {
        let path = &m.param_paths[uncertain[j]];
        return Err(Error::Input(format!(
            "{name} is decided by {path} alone in the {n} runs (seed {}): in every run it \
             rises or falls with that number, as if it had no randomness of its own, so PRCC \
             has nothing to rank; see its effect with `{}` (FROM, TO and STEPS yours), or pick \
             another measure",
            req.seed,
            sweep_command(loaded, req.variant.as_deref(), path)
        )));
    }
    let res = prcc(cols, &y, req.threads, stop).map_err(|e| {
        if e == STOPPED {
            return Error::Interrupted(
                "stopped while ranking the parameters; nothing was written".into(),
            );
        }
        Error::Input(format!(
            "cannot rank the parameters for {name} ({n} runs, seed {}): {e}",
            req.seed
        ))
    })?;
    // Every number left out (each of no width, as Uniform(0.3, 0.3)): an empty ranking
    // written with exit code 0 said nothing, where a scenario of fixed numbers is refused.
    if res.values.is_empty() {
        return Err(Error::Input(format!(
            "no uncertain number varies in the {n} runs (seed {}): {}; nothing to rank",
            req.seed,
            res.dropped
                .iter()
                .map(|(j, why)| format!("{} {why}", m.param_paths[uncertain[*j]]))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let sources = crate::model::param_sources(&m);
    let mut params: Vec<ParamSensitivity> = res
        .values
        .iter()
        .map(|v| {
            let i = uncertain[v.column];
            ParamSensitivity {
                parameter: m.param_paths[i].clone(),
                distribution: m.params[i].describe(),
                source: sources[i].clone(),
                prcc: v.r,
                low: v.low,
                high: v.high,
                rank: 0,
                excludes_zero: v.low > 0.0 || v.high < 0.0,
            }
        })
        .collect();
    // Largest |PRCC| first; ties in the file's order (the sort is stable).
    params.sort_by(|a, b| b.prcc.abs().total_cmp(&a.prcc.abs()));
    for (i, p) in params.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    let dropped = res
        .dropped
        .iter()
        .map(|(c, reason)| {
            let i = uncertain[*c];
            DroppedParam {
                parameter: m.param_paths[i].clone(),
                source: sources[i].clone(),
                reason: reason.clone(),
            }
        })
        .collect();
    let is_outcome = matches!(measure, Measure::Outcome(_));
    let manifest = Manifest::new(
        loaded,
        req.seed,
        req.variant.clone(),
        n as u64,
        n as u64,
        req.command.clone(),
    );
    let result = SensitivityResult {
        manifest,
        measure: name,
        measure_kind: if is_outcome {
            "outcome indicator"
        } else {
            "quantity"
        }
        .into(),
        outcome_rate: is_outcome.then_some(mean),
        measure_mean: (!is_outcome).then_some(mean),
        method: METHOD.into(),
        parameters_ranked: res.k,
        excluding_zero: params.iter().filter(|p| p.excludes_zero).count(),
        parameters: params,
        dropped,
        measure_title: measure.title(&m),
    };
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled base model of `scenarios/examples/NAME.ron`.
    fn example(name: &str) -> Model {
        let path = format!("scenarios/examples/{name}.ron");
        let loaded = crate::scenario::load(path.as_ref(), Default::default()).unwrap();
        crate::model::compile(&loaded.scenario, None).unwrap()
    }

    /// A stop ends a chunk of the sample before its next run (see `sample_chunk`).
    #[test]
    fn a_stop_ends_a_chunk_of_the_sample_before_its_next_run() {
        let m = example("richardson");
        let measure = Measure::parse(&m, None, Some("peak_index")).unwrap();
        let plan = RunPlan::whole(3, 5000, 1);
        let master = Master::new(3);
        let uncertain = m.uncertain_params_in_play();
        assert!(!uncertain.is_empty());
        let go = AtomicBool::new(false);
        let (xs, ys) = sample_chunk(&m, measure, &plan, &master, &uncertain, 1, &go);
        assert_eq!(ys.len(), crate::engine::CHUNK_RUNS as usize);
        assert_eq!(xs.len(), ys.len() * uncertain.len());
        let stop = AtomicBool::new(true);
        let (xs, ys) = sample_chunk(&m, measure, &plan, &master, &uncertain, 1, &stop);
        assert!(xs.is_empty() && ys.is_empty());
    }

    /// A dated event's step is ranked as the whole step the run fired it at (the tutorial's
    /// election): the draw's fraction of a week changes nothing in the run, and ranked it
    /// split runs that ran alike (and disagreed with runs.csv's column).
    #[test]
    fn a_dated_step_is_ranked_as_the_step_that_ran() {
        let m = example("tutorial");
        let measure = Measure::parse(&m, None, Some("peak_index")).unwrap();
        let plan = RunPlan::whole(3, 5000, 1);
        let master = Master::new(3);
        let uncertain = m.uncertain_params_in_play();
        let j = (uncertain.iter())
            .position(|&i| m.param_paths[i] == "events.election_south.step")
            .unwrap();
        let (xs, _) = sample_chunk(
            &m,
            measure,
            &plan,
            &master,
            &uncertain,
            0,
            &AtomicBool::new(false),
        );
        let steps: Vec<f64> = xs.chunks(uncertain.len()).map(|row| row[j]).collect();
        assert!(steps.len() > 100);
        assert!(
            steps
                .iter()
                .all(|x| x.fract() == 0.0 && (18.0..=34.0).contains(x))
        );
        // Still the sample's numbers: the steps differ from run to run.
        assert!(steps.iter().any(|&x| x != steps[0]));
    }

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]),
            vec![4.0, 1.0, 4.0, 2.0, 4.0]
        );
        assert_eq!(
            average_ranks(&[0.0, 1.0, 0.0, 1.0]),
            vec![1.5, 3.5, 1.5, 3.5]
        );
    }

    #[test]
    fn inverse_times_matrix_is_identity() {
        let a = [4.0, 7.0, 2.0, 3.0, 6.0, 1.0, 2.0, 5.0, 3.0];
        let inv = invert(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((s - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        // Needs a row swap: zero on the diagonal.
        assert!(invert(&[0.0, 1.0, 1.0, 0.0], 2).is_ok());
        // Third column = first + second.
        assert_eq!(
            invert(&[1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 2.0], 3),
            Err(2)
        );
    }

    /// Found by a reviewing helper: at the limits (2,236 numbers, 22,360 runs) the
    /// correlation matrix and its inversion ran 42 s after a SIGTERM, past the half minute a
    /// scheduler waits before SIGKILL. A stop now ends them.
    #[test]
    fn a_stop_ends_the_ranking() {
        let n = 50;
        let x: Vec<Vec<f64>> = (0..3)
            .map(|j| (0..n).map(|i| ((i * (j + 3)) % n) as f64).collect())
            .collect();
        let y: Vec<f64> = (0..n).map(|i| (i * 7 % n) as f64).collect();
        let stop = AtomicBool::new(true);
        assert_eq!(prcc(x.clone(), &y, 2, &stop).unwrap_err(), STOPPED);
        let a = [2.0, 1.0, 1.0, 3.0];
        assert_eq!(invert_until(&a, 2, &stop), Err(None));
        assert!(prcc(x, &y, 2, &AtomicBool::new(false)).is_ok());
    }

    #[test]
    fn prcc_finds_the_driver_and_drops_constant_and_collinear_columns() {
        // y depends on x0 only; x1 is noise; x2 is constant; x3 duplicates x0's ranks.
        let n = 500;
        let mut s = 12345u64;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let x0: Vec<f64> = (0..n).map(|_| u()).collect();
        let x1: Vec<f64> = (0..n).map(|_| u()).collect();
        let y: Vec<f64> = x0.iter().map(|&a| a + 0.1 * u()).collect();
        let x3: Vec<f64> = x0.iter().map(|&a| 2.0 * a + 1.0).collect();
        let r = prcc(
            vec![x0, x1, vec![1.0; n], x3],
            &y,
            2,
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(r.k, 2);
        assert_eq!(
            r.dropped.iter().map(|d| d.0).collect::<Vec<_>>(),
            vec![2, 3]
        );
        let d = r.values.iter().find(|v| v.column == 0).unwrap();
        assert!(d.r > 0.9 && d.low > 0.8, "{d:?}");
        let noise = r.values.iter().find(|v| v.column == 1).unwrap();
        assert!(noise.low < 0.0 && noise.high > 0.0, "{noise:?}");
    }

    #[test]
    fn fisher_interval_is_symmetric_in_z() {
        let (lo, hi) = fisher_interval(0.0, 103, 1);
        assert!((lo + hi).abs() < 1e-15);
        assert!((hi - (Z / 10.0).tanh()).abs() < 1e-12);
    }

    #[test]
    fn short_sources() {
        assert_eq!(
            short_source("article ¶14, ¶49, ¶50 (Kremlin regrets)"),
            "article ¶14"
        );
        assert_eq!(short_source("assumption: logit QRE range"), "assumption");
        assert_eq!(
            short_source("goldstein.md: weekly persistence"),
            "goldstein.md"
        );
        assert_eq!(short_source("(no source given)"), "(no source given)");
        // Cut inside an override, it is closed (found by a reviewing helper: the chart held
        // "\u{202e}ab" left open).
        let cut = short_source("\u{202e}ab: cd\u{202c}");
        assert_eq!(crate::text::unbalanced_bidi(&cut), None, "{cut:?}");
        assert!(cut.starts_with("\u{202e}ab"), "{cut:?}");
        // A chart's label is one line: a source's line breaks and tabs are spaces there.
        assert_eq!(
            short_source("expert\r\npanel\tof 2024"),
            "expert panel of 2024"
        );
    }
}
