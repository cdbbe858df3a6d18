//! `brink sensitivity`: which uncertain assumptions drive an outcome.
//!
//! Estimator: partial rank correlation coefficients (PRCC; Marino, Hogue, Ray & Kirschner 2008,
//! J. Theor. Biol. 254:178). Every uncertain number's sampled value and the run's outcome (its
//! indicator, or a continuous quantity) are rank-transformed (average ranks for ties); the PRCC
//! of a parameter is its correlation with the outcome controlling for every other parameter,
//! read from the inverse P of the rank correlation matrix: PRCC_i = −P_iy / √(P_ii·P_yy).
//! Its 95% interval is Fisher's: z = atanh(r), SE = 1/√(N − 3 − (k − 1)), tanh(z ± 1.96·SE).
//!
//! The runs are those of `brink run` with the same seed (run r samples the same numbers), done
//! in parallel chunks and gathered in chunk order, so the result is the same for any number of
//! threads.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::Manifest;
use crate::engine::{CHUNK_RUNS, Interrupted, RunPlan, for_each_chunk};
use crate::error::{Error, Result};
use crate::model::{Model, RunState, Silent, simulate};
use crate::numerics::rng::Master;
use crate::scenario::LoadedScenario;
use crate::scenario::paths::for_each_param;

/// Largest N·k (runs × uncertain numbers) held in memory.
pub const MAX_VALUES: u64 = 50_000_000;

/// The default number of runs of a sensitivity sample.
pub const DEFAULT_RUNS: u64 = 4000;

/// The 97.5% normal quantile.
const Z: f64 = 1.959_963_984_540_054;

/// What is ranked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A named outcome's indicator: 1 if it happened in the run, else 0.
    Outcome(usize),
    PeakIndex,
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
                            "unknown measure {q:?}; expected one of: {}",
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
                        "unknown outcome {name:?}; expected one of: {}",
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

/// The source of every number of the model (its own, else its block's), in sampling order.
pub fn param_sources(m: &Model) -> Vec<String> {
    let mut out = Vec::with_capacity(m.params.len());
    let mut s = m.scenario.clone();
    for_each_param(&mut s, &mut |site, p| {
        let src = p.source().unwrap_or(site.context_source).trim();
        out.push(if src.is_empty() {
            "(no source given)".to_string()
        } else {
            src.to_string()
        });
    });
    out
}

/// A source cut to its first reference: "article ¶14, ¶49 (…)" → "article ¶14",
/// "assumption: …" → "assumption", "goldstein.md: …" → "goldstein.md".
pub fn short_source(src: &str) -> String {
    let cut = src
        .find([':', ';', '(', ','])
        .map_or(src, |i| &src[..i])
        .trim();
    let cut = if cut.is_empty() { src.trim() } else { cut };
    if cut.chars().count() > 28 {
        let s: String = cut.chars().take(27).collect();
        format!("{}…", s.trim_end())
    } else {
        cut.to_string()
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

/// The inverse of the n×n matrix `a` (row-major) by Gauss–Jordan elimination with partial
/// pivoting. `Err(j)`: the matrix is singular, column j being (numerically) a linear
/// combination of columns 0..j.
pub fn invert(a: &[f64], n: usize) -> std::result::Result<Vec<f64>, usize> {
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
        let (piv, best) = (col..n)
            .map(|r| (r, m[r * w + col].abs()))
            .fold((col, -1.0), |acc, x| if x.1 > acc.1 { x } else { acc });
        // NaN fails the test too.
        if best.is_nan() || best <= 1e-10 * scale {
            return Err(col);
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
/// other parameters: tanh(atanh(r) ± 1.96 / √(n − 3 − (k − 1))).
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
    pub r: f64,
    pub low: f64,
    pub high: f64,
}

/// PRCC of every column against `y`, and the columns left out with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct PrccResult {
    pub values: Vec<Prcc>,
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

/// Partial rank correlation of each column of `x` with `y`. Constant columns and columns
/// collinear with the others are left out (and reported); the correlation matrix is computed
/// on `threads` threads, each entry by one thread in a fixed order, so the result does not
/// depend on them.
pub fn prcc(
    x: Vec<Vec<f64>>,
    y: &[f64],
    threads: usize,
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
    let rows = |i: usize| -> Vec<f64> {
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
    let upper: Vec<Vec<f64>> = match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| (0..p).into_par_iter().map(rows).collect()),
        Err(_) => (0..p).map(rows).collect(),
    };
    drop(z);
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
        match invert(&sub, q) {
            Ok(inv) => break inv,
            Err(j) if j + 1 < q => {
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
    pub parameter: String,
    pub distribution: String,
    pub source: String,
    pub prcc: f64,
    /// 95% interval (Fisher z).
    pub low: f64,
    pub high: f64,
    /// 1 = largest |PRCC|.
    pub rank: usize,
    /// Whether the 95% interval excludes 0.
    pub excludes_zero: bool,
}

/// A parameter left out of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DroppedParam {
    pub parameter: String,
    pub source: String,
    pub reason: String,
}

/// Everything `sensitivity.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityResult {
    pub manifest: Manifest,
    /// The measure's name (an outcome, `peak_index`, `final_index`, `cost_<actor>`).
    pub measure: String,
    /// "outcome indicator" or "quantity".
    pub measure_kind: String,
    /// For an outcome: the share of runs in which it happened.
    pub outcome_rate: Option<f64>,
    /// For a quantity: its mean over the runs.
    pub measure_mean: Option<f64>,
    pub method: String,
    /// Parameters ranked (k): each PRCC controls for the k − 1 others.
    pub parameters_ranked: usize,
    /// How many intervals exclude 0.
    pub excluding_zero: usize,
    /// Ranked by |PRCC|, largest first.
    pub parameters: Vec<ParamSensitivity>,
    pub dropped: Vec<DroppedParam>,
}

/// What `brink sensitivity` was asked to do.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    pub variant: Option<String>,
    pub outcome: Option<String>,
    pub measure: Option<String>,
    pub runs: u64,
    pub seed: u64,
    pub threads: usize,
    pub out: PathBuf,
    pub charts: bool,
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
    let uncertain = m.uncertain_params();
    let n = plan.runs as usize;
    let mut cols: Vec<Vec<f64>> = uncertain.iter().map(|_| Vec::with_capacity(n)).collect();
    let mut y = Vec::with_capacity(n);
    for_each_chunk(
        plan,
        stop,
        |chunk| {
            let mut st = RunState::new(m);
            let lo = chunk * CHUNK_RUNS;
            let hi = ((chunk + 1) * CHUNK_RUNS).min(plan.runs);
            let mut xs = Vec::with_capacity((hi - lo) as usize * uncertain.len());
            let mut ys = Vec::with_capacity((hi - lo) as usize);
            for r in lo..hi {
                simulate(m, &master, r, &mut st, &mut Silent);
                xs.extend(uncertain.iter().map(|&i| st.values[i]));
                ys.push(measure.value(&st));
            }
            (xs, ys)
        },
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

/// Runs the sensitivity sample and ranks the parameters.
pub fn analyse(
    loaded: &LoadedScenario,
    req: &SensitivityRequest,
    stop: &AtomicBool,
) -> Result<(SensitivityResult, String)> {
    let m = crate::job::compile(loaded, req.variant.as_deref())?;
    let measure = Measure::parse(&m, req.outcome.as_deref(), req.measure.as_deref())?;
    let uncertain = m.uncertain_params();
    let k = uncertain.len() as u64;
    if k == 0 {
        return Err(Error::Input(
            "the scenario has no uncertain numbers (every number is fixed): nothing to rank".into(),
        ));
    }
    if req.runs == 0 {
        return Err(Error::Input("--runs must be at least 1".into()));
    }
    if req.runs.saturating_mul(k) > MAX_VALUES {
        return Err(Error::Input(format!(
            "{} runs × {k} uncertain numbers = {} values to hold in memory, more than the \
             limit of {MAX_VALUES}; use at most --runs {}",
            req.runs,
            req.runs.saturating_mul(k),
            MAX_VALUES / k
        )));
    }
    if req.runs < k + 4 {
        return Err(Error::Input(format!(
            "PRCC controls for every other parameter, so it needs more runs than the {k} \
             uncertain numbers: use --runs {} or more (10 × {k} = {} advised)",
            k + 4,
            10 * k
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
    let res = prcc(cols, &y, req.threads).map_err(|e| {
        Error::Input(format!(
            "cannot rank the parameters for {name} ({n} runs, seed {}): {e}",
            req.seed
        ))
    })?;
    let sources = param_sources(&m);
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
    };
    Ok((result, measure.title(&m)))
}

/// `sensitivity.csv`: parameter, source, prcc, low, high, rank (ranked rows first).
pub fn csv(r: &SensitivityResult) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::Failed(format!("cannot write sensitivity.csv: {e}"));
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(["parameter", "source", "prcc", "low", "high", "rank"])
        .map_err(fail)?;
    for p in &r.parameters {
        w.write_record([
            p.parameter.clone(),
            p.source.clone(),
            p.prcc.to_string(),
            p.low.to_string(),
            p.high.to_string(),
            p.rank.to_string(),
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Failed(format!("cannot write sensitivity.csv: {e}")))
}

/// Runs the analysis and writes sensitivity.csv, sensitivity.json and the chart atomically.
pub fn run(
    loaded: &LoadedScenario,
    req: &SensitivityRequest,
    stop: &AtomicBool,
) -> Result<(SensitivityResult, PathBuf)> {
    let staging = crate::report::output::Staging::begin(&req.out, "sensitivity")?;
    let (r, title) = analyse(loaded, req, stop)?;
    let json = serde_json::to_vec_pretty(&r)
        .map_err(|e| Error::Failed(format!("cannot encode sensitivity.json: {e}")))?;
    staging.write("sensitivity.json", &json)?;
    staging.write("sensitivity.csv", &csv(&r)?)?;
    if req.charts {
        let chart = chart(&r, &title)?;
        staging.write("sensitivity.png", &chart.png)?;
        staging.write("sensitivity.svg", chart.svg.as_bytes())?;
    }
    let dir = staging.commit()?;
    Ok((r, dir))
}

/// The bar chart of the top 25 parameters; `measure` is the measure in words ("P(rupture)").
pub fn chart(r: &SensitivityResult, measure: &str) -> Result<crate::report::charts::Chart> {
    use crate::report::charts::sensitivity::{Bar, render};
    let bars: Vec<Bar> = r
        .parameters
        .iter()
        .take(25)
        .map(|p| Bar {
            label: p.parameter.clone(),
            source: short_source(&p.source),
            value: p.prcc,
            low: p.low,
            high: p.high,
        })
        .collect();
    let title = format!("What drives {measure}: partial rank correlations");
    let subtitle = format!(
        "Top {} of {} uncertain numbers by |PRCC| with {}, each controlling for all the others; \
         {} of {} intervals exclude 0",
        bars.len(),
        r.parameters_ranked,
        if r.measure_kind == "outcome indicator" {
            format!("whether {} happened", r.measure)
        } else {
            r.measure.clone()
        },
        r.excluding_zero,
        r.parameters_ranked
    );
    let mut footer = format!(
        "{} · seed {} · {} runs",
        r.manifest.scenario,
        r.manifest.seed,
        crate::report::charts::sensitivity::thousands(r.manifest.runs)
    );
    if let Some(v) = &r.manifest.variant {
        footer += &format!(" · variant {v}");
    }
    render(&title, &subtitle, &footer, &bars)
}

/// The readable summary: the top 15 parameters and which intervals exclude 0.
pub fn print(r: &SensitivityResult, dir: &std::path::Path) -> String {
    use crate::report::describe::Table;
    let mut o = format!(
        "{}{} — sensitivity of {} ({}) to {} uncertain numbers, {} runs, seed {}\n",
        r.manifest.scenario,
        r.manifest
            .variant
            .as_ref()
            .map(|v| format!(" (variant {v})"))
            .unwrap_or_default(),
        r.measure,
        match (r.outcome_rate, r.measure_mean) {
            (Some(p), _) => format!("happened in {:.1}% of runs", 100.0 * p),
            (_, Some(mu)) => format!("mean {mu:.3}"),
            _ => String::new(),
        },
        r.parameters_ranked,
        r.manifest.runs,
        r.manifest.seed
    );
    o += "PRCC: partial rank correlation with the measure, controlling for every other number; \
          95% interval by Fisher's z.\n\n";
    let mut t = Table::new(&["rank", "parameter", "PRCC", "95% interval", "source"]);
    for p in r.parameters.iter().take(15) {
        let src: String = if p.source.chars().count() > 60 {
            p.source.chars().take(59).collect::<String>() + "…"
        } else {
            p.source.clone()
        };
        t.row(vec![
            format!("{}{}", p.rank, if p.excludes_zero { "" } else { "*" }),
            p.parameter.clone(),
            format!("{:+.3}", p.prcc),
            format!("{:+.3} .. {:+.3}", p.low, p.high),
            src,
        ]);
    }
    o += &t.render();
    let shown = r.parameters.len().min(15);
    let unclear = r.parameters[..shown]
        .iter()
        .filter(|p| !p.excludes_zero)
        .count();
    if unclear > 0 {
        o += "* interval includes 0: no clear influence at this sample size\n";
    }
    o += &format!(
        "\n{} of {} parameters have a 95% interval that excludes 0{}.\n",
        r.excluding_zero,
        r.parameters_ranked,
        if r.excluding_zero > 0 {
            format!(
                " (ranks {})",
                compress_ranks(
                    &r.parameters
                        .iter()
                        .filter(|p| p.excludes_zero)
                        .map(|p| p.rank)
                        .collect::<Vec<_>>()
                )
            )
        } else {
            String::new()
        }
    );
    if r.parameters_ranked >= 20 {
        o += &format!(
            "(With {} intervals, about {} would exclude 0 by chance alone: read the small ones \
             with care.)\n",
            r.parameters_ranked,
            (r.parameters_ranked as f64 * 0.05).round()
        );
    }
    if !r.dropped.is_empty() {
        o += &format!("Left out ({}):\n", r.dropped.len());
        for d in &r.dropped {
            o += &format!("  {}: {}\n", d.parameter, d.reason);
        }
    }
    o += &format!("\nwrote {}\n", dir.display());
    o
}

/// "1-4, 6, 9-10".
fn compress_ranks(r: &[usize]) -> String {
    let mut parts = vec![];
    let mut i = 0;
    while i < r.len() {
        let mut j = i;
        while j + 1 < r.len() && r[j + 1] == r[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", r[i], r[j])
        } else {
            r[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let r = prcc(vec![x0, x1, vec![1.0; n], x3], &y, 2).unwrap();
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
    }
}
