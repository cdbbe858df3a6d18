//! `brink experiment`: a design over several parameters (Latin hypercube, Sobol, full
//! factorial; [`super::design`]) × variants (policies), every (point, variant) pair played on
//! the same seed and run indices (common random numbers), so that two points or two variants
//! differ only by what they set, never by the luck of the draw. Per pair: each outcome's
//! probability with its Wilson interval and each actor's mean cost; per variant: its effect on
//! the chosen outcome averaged over the points, with a paired interval; and scenario discovery
//! ([`super::prim`]) on the base variant's runs: which ranges of the design parameters and of
//! the sampled uncertain numbers make the outcome likely.
//!
//! The work runs through [`super::sweep::run_models`] in (model, chunk) items merged in order,
//! a block of points at a time (so that memory holds a block's models, not the whole
//! design's): the results are bit-identical on any number of threads.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::design::{self, DesignKind, ParamRange};
use super::prim::{PrimData, PrimResult};
use super::sweep::{PointCost, PointOutcome, central, param_at};
use crate::analysis::Manifest;
use crate::engine::Accumulator;
use crate::engine::Cell;
use crate::error::{Error, Result};
use crate::model::{self, Model, Observer, RunState};
use crate::numerics::dist::student_t_inv;
use crate::scenario::param::{Param, fmt_num};
use crate::scenario::validate::{SetCheck, check_param};
use crate::scenario::{LoadedScenario, Scenario, Variant};
use crate::stats::{Interval, Moments, Z95, paired_diff_interval, wilson, wilson_effective};

/// The variant name of the scenario without a variant, in every table.
pub const BASE: &str = "base";

/// Most variants besides the base.
pub const MAX_VARIANTS: usize = 16;

/// Most rows of data PRIM reads (the first runs of every point, as many as fit).
pub const MAX_PRIM_ROWS: u64 = 2_000_000;

/// Most cells (rows × inputs) of data PRIM reads: bounds its memory and time.
pub const MAX_PRIM_CELLS: u64 = 40_000_000;

/// Points compiled and run together (the memory of one block of models).
const BLOCK_POINTS: usize = 64;

/// What `brink experiment` was asked to do.
#[derive(Debug, Clone)]
pub struct ExperimentRequest {
    /// The design.
    pub design: DesignKind,
    /// The parameters it varies, each with its range.
    pub params: Vec<ParamRange>,
    /// Points (Latin hypercube, Sobol) or levels per parameter (factorial).
    pub points: usize,
    /// Variants played at every point besides the base, in order.
    pub variants: Vec<String>,
    /// Runs per (point, variant).
    pub runs: u64,
    /// Master seed: every pair plays the same run indices; the Latin hypercube is drawn from it.
    pub seed: u64,
    /// Worker threads (the results are the same for any number).
    pub threads: usize,
    /// The outcome of scenario discovery and of the variants' effects (default: the first).
    pub outcome: Option<String>,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
}

/// A design parameter as the result records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentParameter {
    /// Its path.
    pub path: String,
    /// Lowest value of the design.
    pub low: f64,
    /// Highest value of the design.
    pub high: f64,
    /// The parameter as the base scenario has it: `0.7`, `Pert(0.5, 0.7, 0.9)`.
    pub scenario_param: String,
    /// Its central value there.
    pub scenario_value: f64,
}

/// One variant's results at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantAtPoint {
    /// The variant (`base` for none).
    pub variant: String,
    /// Runs played.
    pub runs: u64,
    /// Each outcome, in the scenario's order.
    pub outcomes: Vec<PointOutcome>,
    /// Each actor's mean cost, in the scenario's order.
    pub costs: Vec<PointCost>,
    /// The chosen outcome's probability minus the base's at this point, paired by run, with
    /// its 95% interval (none for the base, or when no outcome is chosen).
    pub difference: Option<Interval>,
}

/// One design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentPoint {
    /// Its index (0-based), the `point` column of the tables.
    pub point: usize,
    /// Each parameter's value, in the order of [`ExperimentResult::parameters`].
    pub values: Vec<f64>,
    /// The base first, then each variant.
    pub variants: Vec<VariantAtPoint>,
}

/// A variant's effect on the chosen outcome, averaged over the design's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantEffect {
    /// The variant.
    pub variant: String,
    /// Its probability of the outcome, pooled over every point's runs, with a 95% interval
    /// over the runs (each run's share of points with the outcome; Student's t): every point
    /// plays the same runs, so a run's rows are not independent of each other.
    pub probability: Interval,
    /// The mean over every (point, run) of its outcome minus the base's (+1, 0, −1), with a
    /// 95% interval over the runs (each run's mean over the points; Student's t). Where every
    /// run gave the same, Newcombe's hybrid score interval for paired proportions on the runs
    /// as units.
    pub difference: Interval,
}

/// What a valid design does not do as it suggests (the terminal prints it before the runs,
/// the page under the variants' effect): a design path of an event a compared variant removes
/// varies only the other arms; one a compared variant sets replaces the variant's own value at
/// every point.
#[derive(Debug, Clone, PartialEq)]
pub enum DesignNote {
    /// Variant `variant` removes event `event`, whose number `param` the design varies.
    Removes {
        /// The design path.
        param: String,
        /// The variant.
        variant: String,
        /// The event it removes.
        event: String,
    },
    /// Variant `variant` sets the number `param` itself.
    Sets {
        /// The design path.
        param: String,
        /// The variant.
        variant: String,
    },
}

impl std::fmt::Display for DesignNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DesignNote::Removes {
                param,
                variant,
                event,
            } => write!(
                f,
                "--param {param}: variant {variant} removes event {event}, so the parameter \
                 changes nothing in that variant's runs (the other arms vary it)"
            ),
            DesignNote::Sets { param, variant } => write!(
                f,
                "--param {param}: variant {variant} sets that number, and each point's value \
                 replaces the variant's own, so the variant differs from the base only in its \
                 other changes"
            ),
        }
    }
}

/// The [`DesignNote`]s of a valid design.
///
/// ```
/// let loaded = brink::scenario::load(
///     "scenarios/examples/tutorial.ron".as_ref(),
///     Default::default(),
/// )?;
/// let notes = brink::analysis::experiment::design_notes(
///     &loaded.scenario,
///     &["actors.south.sensitivity".to_string()],
///     &["pretext".to_string()],
/// );
/// assert!(notes[0].to_string().contains("variant pretext sets that number"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn design_notes(s: &Scenario, paths: &[String], variants: &[String]) -> Vec<DesignNote> {
    let mut notes = vec![];
    for p in paths {
        for v in variants {
            if let Some(event) = crate::scenario::overrides::removed_event(s, v, p) {
                notes.push(DesignNote::Removes {
                    param: p.clone(),
                    variant: v.clone(),
                    event: event.to_string(),
                });
            }
            if crate::scenario::overrides::variant_sets(s, v, p) {
                notes.push(DesignNote::Sets {
                    param: p.clone(),
                    variant: v.clone(),
                });
            }
        }
    }
    notes
}

/// Variant `vi`'s share of runs with outcome `k` over every point, from the counts: the mean
/// of the points' probabilities (every point plays the same runs), the same figure whichever
/// way it is printed (a mean of rounded shares read 90.2% beside hits / runs' 90.1%).
///
/// ```
/// # use brink::analysis::experiment::pooled_share;
/// # fn check(r: &brink::analysis::experiment::ExperimentResult) {
/// let p = pooled_share(r, 0, 0);
/// assert!((0.0..=1.0).contains(&p));
/// # }
/// ```
pub fn pooled_share(r: &ExperimentResult, vi: usize, k: usize) -> f64 {
    let (hits, runs) = r
        .points
        .iter()
        .filter_map(|p| p.variants.get(vi))
        .filter_map(|v| v.outcomes.get(k).map(|o| (o.runs_hit, v.runs)))
        .fold((0u64, 0u64), |(h, n), (a, b)| (h + a, n + b));
    if runs == 0 {
        0.0
    } else {
        hits as f64 / runs as f64
    }
}

/// Variant `vi`'s (0: the base) probability of the chosen outcome pooled over the points, with
/// its 95% interval over the runs; none without a chosen outcome, and for the base in results
/// written before brink kept it.
pub fn pooled_interval_of(r: &ExperimentResult, vi: usize) -> Option<Interval> {
    if vi == 0 {
        r.base_probability
    } else {
        let v = r.variants.get(vi)?;
        r.effects
            .iter()
            .find(|e| &e.variant == v)
            .map(|e| e.probability)
    }
}

/// Everything `experiment.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResult {
    /// Where the result came from (runs: per (point, variant)).
    pub manifest: Manifest,
    /// The design.
    pub design: DesignKind,
    /// `--points` as given (levels per parameter for a factorial).
    pub points_asked: usize,
    /// Whether the design is Sobol's, which keeps its first, all-LOW point (false for the
    /// other designs, which have no such point).
    pub sobol_first_point_kept: bool,
    /// The design's parameters.
    pub parameters: Vec<ExperimentParameter>,
    /// `base`, then each variant.
    pub variants: Vec<String>,
    /// The scenario's outcomes.
    pub outcomes: Vec<String>,
    /// The actors.
    pub actors: Vec<String>,
    /// Unit of every cost.
    pub cost_unit: String,
    /// The chosen outcome (scenario discovery, effects); none if the scenario names none.
    pub outcome: Option<String>,
    /// Every point, in design order.
    pub points: Vec<ExperimentPoint>,
    /// Each variant's effect on the chosen outcome over the points (not the base).
    pub effects: Vec<VariantEffect>,
    /// The base's probability of the chosen outcome, pooled over every point's runs, with its
    /// 95% interval over the runs (as [`VariantEffect::probability`]); none without a chosen
    /// outcome and in results written before brink kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_probability: Option<Interval>,
    /// Runs of each base point PRIM read (the first ones).
    pub prim_runs_per_point: u64,
    /// Scenario discovery on the base's runs, if an outcome is chosen.
    pub prim: Option<PrimResult>,
}

impl ExperimentResult {
    /// The position of the chosen outcome among [`ExperimentResult::outcomes`].
    pub fn outcome_index(&self) -> Option<usize> {
        let o = self.outcome.as_deref()?;
        self.outcomes.iter().position(|x| x == o)
    }
}

/// The light accumulator of an experiment: outcome counts and cost moments.
#[derive(Debug, Clone)]
pub struct PointTally {
    runs: u64,
    hits: Vec<u64>,
    cost: Vec<Moments>,
}

impl Observer for PointTally {}

impl Accumulator for PointTally {
    fn new(m: &Model) -> Self {
        PointTally {
            runs: 0,
            hits: vec![0; m.outcomes.len()],
            cost: vec![Moments::default(); m.actors.len()],
        }
    }
    fn clear(&mut self) {
        self.runs = 0;
        self.hits.iter_mut().for_each(|h| *h = 0);
        self.cost.iter_mut().for_each(Moments::clear);
    }
    fn record(&mut self, _run: u64, st: &RunState) {
        self.runs += 1;
        for (h, &f) in self.hits.iter_mut().zip(&st.outcome_first) {
            *h += u64::from(f != u32::MAX);
        }
        for (m, &c) in self.cost.iter_mut().zip(&st.cost) {
            m.add(c);
        }
    }
    fn merge(&mut self, o: &Self) {
        self.runs += o.runs;
        for (a, b) in self.hits.iter_mut().zip(&o.hits) {
            *a += b;
        }
        for (a, b) in self.cost.iter_mut().zip(&o.cost) {
            a.merge(b);
        }
    }
    fn runs(&self) -> u64 {
        self.runs
    }
}

/// An experiment checked and ready to run: its design points, its variants and the layout of
/// its per-run table. Built before the output folder is claimed, so that every input error
/// comes first.
pub struct Plan {
    /// The request.
    pub req: ExperimentRequest,
    /// Each point's parameter values.
    pub points: Vec<Vec<f64>>,
    /// Each variant besides the base (the scenario's).
    variants: Vec<Variant>,
    /// Each parameter as the base has it.
    parameters: Vec<ExperimentParameter>,
    /// The chosen outcome's index.
    outcome: Option<usize>,
    /// The sampled numbers of the per-run table: paths of numbers uncertain in any variant's
    /// model, the design's paths left out.
    pub sampled: Vec<String>,
    /// For each variant (base first), the index of each of `sampled` in its models.
    sampled_index: Vec<Vec<Option<usize>>>,
    /// For each of `sampled`, whether a variant's model has it as a dated event's step.
    sampled_dated_step: Vec<bool>,
    /// The base model (first point), for names and the table's levels.
    pub base: Model,
    /// Runs of each base point PRIM reads.
    prim_runs: u64,
}

/// The variant each (point, variant) model compiles: the variant's own overrides, then the
/// point's values.
fn point_variant(v: &Variant, params: &[ParamRange], xs: &[f64]) -> Variant {
    let mut v = v.clone();
    for (p, &x) in params.iter().zip(xs) {
        v.set.insert(p.path.clone(), Param::Value(x));
    }
    v
}

/// Checks the request and builds the plan: the design, its values checked as a variant's
/// `set` is (each parameter's valid range, and what the values together break in each
/// variant), the outcome and the variants.
pub fn plan(s: &Scenario, req: &ExperimentRequest) -> Result<Plan> {
    plan_until(s, req, &std::sync::atomic::AtomicBool::new(false))
}

/// [`plan`], ending early with [`Error::Interrupted`] once `stop` is set (checked at each
/// point of the design: checking 10,000 points against the scenario takes seconds).
pub fn plan_until(
    s: &Scenario,
    req: &ExperimentRequest,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<Plan> {
    design::check(req.design, &req.params, req.points)?;
    if req.variants.len() > MAX_VARIANTS {
        return Err(Error::Input(format!(
            "{} variants given; an experiment plays at most {MAX_VARIANTS} besides the base",
            req.variants.len()
        )));
    }
    let mut variants = vec![Variant {
        name: "experiment".into(),
        made_up: true,
        ..Variant::default()
    }];
    for (i, name) in req.variants.iter().enumerate() {
        // `--variants a,,b` or `,`: an empty name is no variant (it was reported as given twice).
        if name.trim().is_empty() {
            return Err(Error::Input(
                "--variants: a variant name is empty; expected names separated by commas, e.g. \
                 --variants a,b"
                    .into(),
            ));
        }
        if name == BASE {
            return Err(Error::Input(format!(
                "--variant {BASE}: the base is always played; name the scenario's variants"
            )));
        }
        if req.variants[..i].contains(name) {
            return Err(Error::Input(format!("--variant {name} is given twice")));
        }
        variants.push(model::find_variant(s, name)?.clone());
    }
    super::sweep::check_outcome(s, req.outcome.as_deref())?;
    let outcome = match req.outcome.as_deref() {
        Some(o) => s.outcomes.iter().position(|x| x.name == o),
        None => (!s.outcomes.is_empty()).then_some(0),
    };
    let mut points = design::points(req.design, &req.params, req.points, req.seed);
    // An event's step is rounded to a whole step when a run draws it: the design's values of
    // one are rounded here, so that the points recorded (points.csv, PRIM's data) are the
    // steps that ran (10.37 was recorded for a run at step 10). Several points may then share
    // a step; the range must hold two at least.
    let (base, _, _) = model::apply_variant(s, Some(&variants[0]))?;
    let whole_step =
        crate::scenario::field::ParamField::Timing(crate::scenario::field::TimingField::Step);
    let stepped: Vec<bool> = req
        .params
        .iter()
        .map(|p| param_at(&base, &p.path).is_ok_and(|(f, _)| f == whole_step))
        .collect();
    for x in &mut points {
        for (v, _) in x.iter_mut().zip(&stepped).filter(|(_, s)| **s) {
            *v = v.round();
        }
    }
    // A factorial's levels are the same values at every point, and a Latin hypercube or a
    // Sobol design puts each point in a stratum of its own: ends closer than 13 significant
    // digits tell apart gave one value several times (a Latin hypercube of 5 points all at
    // 1.0), run and charted as if they differed.
    for (j, p) in req.params.iter().enumerate() {
        let mut values: Vec<u64> = points.iter().map(|x| x[j].to_bits()).collect();
        values.sort_unstable();
        values.dedup();
        // A factorial's levels of a step must be distinct whole steps; the points of a Latin
        // hypercube or a Sobol design may share one, two at least being in range.
        let factorial = req.design == design::DesignKind::Factorial;
        let wanted = if stepped[j] && !factorial {
            2
        } else {
            req.points
        };
        if values.len() < wanted {
            let what = if factorial { "levels" } else { "values" };
            return Err(Error::Input(if stepped[j] {
                format!(
                    "--param {}: an event's step is a whole {} (it is rounded), and LOW and \
                     HIGH hold too few whole steps for {wanted} distinct {what}; expected a \
                     wider range{}",
                    p.describe(),
                    s.step_unit,
                    if factorial { " or fewer levels" } else { "" }
                )
            } else {
                format!(
                    "--param {}: LOW and HIGH are too close for {wanted} distinct {what} at 13 \
                     significant digits; expected a wider range",
                    p.describe()
                )
            }));
        }
    }
    let mut parameters = vec![];
    let checker = SetCheck::new(s);
    for (vi, v) in variants.iter().enumerate() {
        let (applied, _, _) = model::apply_variant(s, Some(v))?;
        for p in &req.params {
            let (field, current) = param_at(&applied, &p.path)
                .map_err(|e| Error::Input(format!("--param {}: {}", p.describe(), msg(&e))))?;
            if vi == 0 {
                parameters.push(ExperimentParameter {
                    path: p.path.clone(),
                    low: p.low,
                    high: p.high,
                    scenario_param: current.describe(),
                    scenario_value: central(&current, &applied),
                });
            }
            for x in [p.low, p.high] {
                if let Some((m, expected)) = check_param(&p.path, field, &Param::Value(x), s.bounds)
                {
                    return Err(Error::Input(format!(
                        "--param {}: {} = {}: {m}; expected {expected}",
                        p.describe(),
                        p.path,
                        fmt_num(x)
                    )));
                }
            }
        }
        // Each parameter's whole range, not only the values this design happened to draw: a
        // range reaching past a shared number's uses or the horizon was refused for some seeds
        // and run for others. Each end is checked beside the first point's other values.
        for (j, p) in req.params.iter().enumerate() {
            for x in [p.low, p.high] {
                let mut xs = points[0].clone();
                xs[j] = x;
                let pv = point_variant(v, &req.params, &xs);
                if let Some((m, expected)) = checker.check(&pv, &p.path, &Param::Value(x)) {
                    return Err(Error::Input(format!(
                        "--param {}: {} = {}{}: {m}; expected {expected}",
                        p.describe(),
                        p.path,
                        fmt_num(x),
                        variant_words(vi, v)
                    )));
                }
            }
        }
        for (i, xs) in points.iter().enumerate() {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Error::Interrupted(
                    "stopped while checking the design's points; nothing was written".into(),
                ));
            }
            let pv = point_variant(v, &req.params, xs);
            for (p, &x) in req.params.iter().zip(xs) {
                if let Some((m, expected)) = checker.check(&pv, &p.path, &Param::Value(x)) {
                    return Err(Error::Input(format!(
                        "--param {}: at point {i} ({} = {}{}): {m}; expected {expected}",
                        p.describe(),
                        p.path,
                        fmt_num(x),
                        variant_words(vi, v)
                    )));
                }
            }
        }
    }
    // One model per variant at the first point: the table's layout (the numbers each samples).
    let firsts = variants
        .iter()
        .map(|v| model::compile_variant(s, Some(&point_variant(v, &req.params, &points[0]))))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let design_paths: Vec<&str> = req.params.iter().map(|p| p.path.as_str()).collect();
    let mut sampled: Vec<String> = vec![];
    for m in &firsts {
        for i in m.uncertain_params_in_play() {
            let p = &m.param_paths[i];
            if !design_paths.contains(&p.as_str()) && !sampled.contains(p) {
                sampled.push(p.clone());
            }
        }
    }
    let sampled_index: Vec<Vec<Option<usize>>> = firsts
        .iter()
        .map(|m| {
            let at: HashMap<&str, usize> = m
                .param_paths
                .iter()
                .enumerate()
                .filter(|&(i, _)| m.param_in_play(i))
                .map(|(i, p)| (p.as_str(), i))
                .collect();
            sampled
                .iter()
                .map(|p| at.get(p.as_str()).copied())
                .collect()
        })
        .collect();
    let sampled_dated_step =
        crate::model::dated_steps_among(&firsts.iter().collect::<Vec<_>>(), &sampled_index);
    let inputs = (req.params.len() + sampled.len()).max(1) as u64;
    let cap = MAX_PRIM_ROWS.min(MAX_PRIM_CELLS / inputs);
    let prim_runs = (cap / points.len() as u64)
        .clamp(1, req.runs.max(1))
        .min(req.runs);
    let base = firsts
        .into_iter()
        .next()
        .ok_or_else(|| Error::Failed("the experiment has no base model".into()))?;
    Ok(Plan {
        req: req.clone(),
        points,
        variants: variants.into_iter().skip(1).collect(),
        parameters,
        outcome,
        sampled,
        sampled_index,
        sampled_dated_step,
        base,
        prim_runs,
    })
}

/// An error's message without its kind.
fn msg(e: &Error) -> String {
    match e {
        Error::Input(m) => m.clone(),
        e => e.to_string(),
    }
}

/// ", variant X" for a variant's check messages (nothing for the base).
fn variant_words(vi: usize, v: &Variant) -> String {
    if vi == 0 {
        String::new()
    } else {
        format!(", variant {}", v.name)
    }
}

impl Plan {
    /// Variant names: `base`, then each variant.
    pub fn variant_names(&self) -> Vec<String> {
        std::iter::once(BASE.to_string())
            .chain(self.variants.iter().map(|v| v.name.clone()))
            .collect()
    }

    /// For each variant (0: the base), the index in its model of each of
    /// [`Plan::sampled`] (`None`: the variant's model has no such number).
    pub fn sampled_index(&self) -> &[Vec<Option<usize>>] {
        &self.sampled_index
    }

    /// For each sampled number of the per-run table, whether a variant's model has it as a
    /// dated event's step (written as the whole step the run used).
    pub fn sampled_dated_step(&self) -> &[bool] {
        &self.sampled_dated_step
    }

    /// Runs of each base point that scenario discovery reads.
    pub fn prim_runs(&self) -> u64 {
        self.prim_runs
    }
}

/// What each (model, chunk) item hands back besides its tally.
#[derive(Default)]
struct Extra {
    /// The chosen outcome in each run of the chunk.
    hit: Vec<bool>,
    /// The per-run table's cells, run by run.
    cells: Vec<Cell>,
    /// The sampled numbers of the runs PRIM reads (base only), run by run.
    prim: Vec<f64>,
}

/// Receives the per-run table's cells of a (point, variant, chunk), row after row.
pub type RowSink<'a> = dyn FnMut(&[Cell]) -> Result<()> + 'a;

/// Appends one run's row of the per-run table: (design point, variant (0: the base), run,
/// the run's state at its end, the cells).
pub type RowMaker<'a> = dyn Fn(usize, usize, u64, &RunState, &mut Vec<Cell>) + Sync + 'a;

/// Runs the experiment. `rows`, when given, makes each run's row and receives the per-run
/// table's cells of each (point, variant, chunk) in table order: points in order, for each
/// the base then each variant, runs in order. An error from the sink ends the work.
pub fn run(
    loaded: &LoadedScenario,
    plan: &Plan,
    stop: &AtomicBool,
    rows: Option<(&RowMaker<'_>, &mut RowSink<'_>)>,
) -> Result<ExperimentResult> {
    let (make_row, mut rows) = match rows {
        Some((m, s)) => (Some(m), Some(s)),
        None => (None, None),
    };
    let s = &loaded.scenario;
    let req = &plan.req;
    let nv = plan.variants.len() + 1;
    let all_variants: Vec<Variant> = std::iter::once(Variant {
        name: "experiment".into(),
        made_up: true,
        ..Variant::default()
    })
    .chain(plan.variants.iter().cloned())
    .collect();
    let want_rows = rows.is_some();
    let outcome = plan.outcome;
    // PRIM's inputs: the design's parameters, then the base's sampled numbers.
    let base_sampled: Vec<(String, usize)> = plan
        .sampled
        .iter()
        .zip(&plan.sampled_index[0])
        .filter_map(|(p, ix)| ix.map(|i| (p.clone(), i)))
        .filter(|(_, i)| plan.base.params[*i].is_uncertain())
        .collect();
    let np = req.params.len();
    let mut prim_data = PrimData {
        inputs: req
            .params
            .iter()
            .map(|p| (p.path.clone(), true))
            .chain(base_sampled.iter().map(|(p, _)| (p.clone(), false)))
            .collect(),
        columns: vec![vec![]; np + base_sampled.len()],
        y: vec![],
        cluster: vec![],
        point: vec![],
    };
    let prim_runs = plan.prim_runs;
    let mut points: Vec<ExperimentPoint> = Vec::with_capacity(plan.points.len());
    // Paired differences over every point: per variant, runs where only it / only the base
    // had the outcome.
    let mut pooled: Vec<(u64, u64, u64, u64)> = vec![(0, 0, 0, 0); nv];
    // Per variant and run, over every point: the variant's hits, and its hits less the base's.
    // Every point plays the same runs (the same sampled numbers), so a run's rows at the
    // points are not independent pairs: the pooled effect's interval is taken over runs.
    let runs_n = usize::try_from(req.runs).unwrap_or(usize::MAX);
    let by_run_bytes = 4 * req.runs as u128 * (nv as u128 - 1);
    if outcome.is_some() && by_run_bytes > crate::engine::COUNTS_BUDGET as u128 {
        return Err(Error::Input(format!(
            "the variants' effects keep 4 bytes a run for each variant compared: {} MiB for \
             {} runs and {} variants, more than brink's budget of {} MiB; compare fewer \
             variants or play fewer runs",
            by_run_bytes >> 20,
            req.runs,
            nv - 1,
            crate::engine::COUNTS_BUDGET >> 20
        )));
    }
    // The base's hits a run (2 bytes) give its pooled probability an interval, where the
    // budget has room for them; without, the experiment runs and the base's pooled
    // probability has no interval.
    let base_kept = by_run_bytes + 2 * req.runs as u128 <= crate::engine::COUNTS_BUDGET as u128;
    // The base keeps its hits a run too: its pooled probability's interval.
    let mut by_run: Vec<(Vec<u16>, Vec<i16>)> = (0..nv)
        .map(|vi| match outcome {
            Some(_) if vi > 0 => (vec![0; runs_n], vec![0; runs_n]),
            Some(_) if base_kept => (vec![0; runs_n], vec![]),
            Some(_) => (vec![], vec![]),
            None => (vec![], vec![]),
        })
        .collect();
    let mut err: Option<Error> = None;
    if let (Some(xs), Some(v)) = (plan.points.first(), all_variants.first()) {
        // A block's points are whole compiled models, each variant's, held while it plays.
        crate::engine::heap::first_of_models(
            plan.points.len().min(BLOCK_POINTS) * all_variants.len(),
            "a block of the experiment's points (each variant at each of up to 64 points)",
            "fewer variants, or fewer --points (a block holds 64)",
            || model::compile_variant(s, Some(&point_variant(v, &req.params, xs))),
        )?;
    }
    for (block_no, block) in plan.points.chunks(BLOCK_POINTS).enumerate() {
        let first_point = block_no * BLOCK_POINTS;
        let models = block
            .iter()
            .flat_map(|xs| {
                all_variants.iter().map(move |v| {
                    model::compile_variant(s, Some(&point_variant(v, &req.params, xs)))
                })
            })
            .collect::<std::result::Result<Vec<Model>, _>>()?;
        let mut tallies: Vec<Option<PointTally>> = vec![None; models.len()];
        // The base's outcome per run, of the point being merged, and the pairs' counts.
        let mut base_hits: Vec<bool> = vec![];
        let mut pair: Vec<(u64, u64)> = vec![(0, 0); models.len()];
        let done = super::sweep::run_models(
            models.len(),
            |i| &models[i],
            req.seed,
            req.runs,
            req.threads,
            stop,
            Extra::default,
            |mi, r, st, e: &mut Extra| {
                let (pi, vi) = (first_point + mi / nv, mi % nv);
                if let Some(o) = outcome {
                    e.hit.push(st.outcome_first[o] != u32::MAX);
                }
                if let Some(make) = make_row {
                    make(pi, vi, r, st, &mut e.cells);
                }
                if vi == 0 && r < prim_runs && outcome.is_some() {
                    // As the run used them: a box's edge on a dated step is a whole step.
                    let m = &models[mi];
                    for (_, i) in &base_sampled {
                        e.prim.push(m.value_used(*i, st.values[*i]));
                    }
                }
            },
            |mi, chunk, t: PointTally, e| {
                let (pi, vi) = (first_point + mi / nv, mi % nv);
                match &mut tallies[mi] {
                    Some(x) => x.merge(&t),
                    slot => *slot = Some(t),
                }
                let lo = (chunk * crate::engine::CHUNK_RUNS) as usize;
                if vi == 0 {
                    base_hits.truncate(lo);
                    base_hits.extend_from_slice(&e.hit);
                    for (k, &h) in e.hit.iter().enumerate() {
                        if let Some(x) = by_run[0].0.get_mut(lo + k) {
                            *x += u16::from(h);
                        }
                    }
                    // PRIM's rows: this chunk's first runs, up to prim_runs.
                    let ns = base_sampled.len();
                    let take = ((prim_runs as usize).saturating_sub(lo)).min(e.hit.len());
                    for k in 0..take {
                        for (j, &x) in plan.points[pi].iter().enumerate() {
                            prim_data.columns[j].push(x);
                        }
                        for j in 0..ns {
                            prim_data.columns[np + j].push(e.prim[k * ns + j]);
                        }
                        prim_data.y.push(e.hit[k]);
                        // Every point plays run `lo + k` with the same numbers: one cluster.
                        prim_data
                            .cluster
                            .push(u32::try_from(lo + k).unwrap_or(u32::MAX));
                        // At most MAX_POINTS (10,000) points.
                        prim_data.point.push(pi as u32);
                    }
                } else {
                    let (a, b) = &mut pair[mi];
                    let (hits, diff) = &mut by_run[vi];
                    for (k, &h) in e.hit.iter().enumerate() {
                        let base = base_hits.get(lo + k).copied().unwrap_or(false);
                        *a += u64::from(h && !base);
                        *b += u64::from(base && !h);
                        // At most MAX_POINTS (10,000) points: within both types.
                        if let (Some(x), Some(d)) = (hits.get_mut(lo + k), diff.get_mut(lo + k)) {
                            *x += u16::from(h);
                            *d += i16::from(h) - i16::from(base);
                        }
                    }
                }
                if let Some(f) = rows.as_mut()
                    && err.is_none()
                    && want_rows
                    && let Err(x) = f(&e.cells)
                {
                    err = Some(x);
                }
            },
        );
        if let Some(e) = err.take() {
            return Err(e);
        }
        if done.is_err() {
            return Err(Error::Interrupted(
                "stopped before the experiment finished; nothing was written".into(),
            ));
        }
        for (bi, xs) in block.iter().enumerate() {
            let pi = first_point + bi;
            let mut vs = vec![];
            for vi in 0..nv {
                let mi = bi * nv + vi;
                let m = &models[mi];
                let t = tallies[mi].take().unwrap_or_else(|| PointTally::new(m));
                let difference = (vi > 0 && outcome.is_some()).then(|| {
                    let (a, b) = pair[mi];
                    let e = &mut pooled[vi];
                    e.0 += a;
                    e.1 += b;
                    e.2 += t.runs;
                    e.3 += outcome.map_or(0, |o| t.hits[o]);
                    paired_diff_interval(outcome.map_or(0, |o| t.hits[o]), a, b, t.runs, Z95)
                });
                vs.push(VariantAtPoint {
                    variant: if vi == 0 {
                        BASE.to_string()
                    } else {
                        all_variants[vi].name.clone()
                    },
                    runs: t.runs,
                    outcomes: m
                        .outcomes
                        .iter()
                        .enumerate()
                        .map(|(o, spec)| PointOutcome {
                            outcome: spec.name.clone(),
                            probability: wilson(t.hits[o], t.runs, Z95),
                            runs_hit: t.hits[o],
                        })
                        .collect(),
                    costs: m
                        .actors
                        .iter()
                        .zip(&t.cost)
                        .map(|(a, c)| PointCost {
                            actor: a.name.clone(),
                            // Cut at 0, as `run` cuts a cost's interval.
                            mean: super::summary::not_below_zero(c.interval()),
                        })
                        .collect(),
                    difference,
                });
            }
            points.push(ExperimentPoint {
                point: pi,
                values: xs.clone(),
                variants: vs,
            });
        }
    }
    let n_points = plan.points.len() as u64;
    let base_probability = outcome.filter(|_| base_kept).map(|o| {
        let (hits, n) = points
            .iter()
            .map(|p| (p.variants[0].outcomes[o].runs_hit, p.variants[0].runs))
            .fold((0, 0), |(h, n), (a, b)| (h + a, n + b));
        pooled_interval(
            &by_run[0].0,
            n_points,
            req.runs,
            hits as f64 / n.max(1) as f64,
        )
    });
    let effects = (1..nv)
        .filter(|_| outcome.is_some())
        .map(|vi| {
            let (a, b, n, hits) = pooled[vi];
            let (by_hits, by_diff) = &by_run[vi];
            let nf = n.max(1) as f64;
            let (p, d) = (hits as f64 / nf, (a as f64 - b as f64) / nf);
            let runs = req.runs;
            // From one run there is no spread to take: no interval, as for any mean of one
            // run. Where every run gave the same, the interval on the runs as units (the
            // pooled counts in runs), around the pooled estimate.
            let unbounded = |estimate: f64| Interval {
                estimate,
                low: f64::NEG_INFINITY,
                high: f64::INFINITY,
            };
            let around = |i: Interval, estimate: f64| Interval {
                estimate,
                low: i.low.min(estimate),
                high: i.high.max(estimate),
            };
            VariantEffect {
                variant: all_variants[vi].name.clone(),
                probability: pooled_interval(by_hits, n_points, runs, p),
                difference: if runs < 2 {
                    unbounded(d)
                } else {
                    by_runs(by_diff.iter().map(|&x| i64::from(x)), n_points, (-1.0, 1.0))
                        .map_or_else(
                            || around(difference_in_runs(p, d, runs), d),
                            |i| around(i, d),
                        )
                },
            }
        })
        .collect();
    // PRIM's inputs are sorted and peeled side by side, on the threads asked for.
    let prim =
        outcome.map(|_| crate::engine::on_threads(req.threads, || super::prim::prim(&prim_data)));
    let m = &plan.base;
    Ok(ExperimentResult {
        manifest: Manifest::new(
            loaded,
            req.seed,
            None,
            req.runs,
            req.runs,
            req.command.clone(),
        ),
        design: req.design,
        points_asked: req.points,
        sobol_first_point_kept: matches!(req.design, DesignKind::Sobol),
        parameters: plan.parameters.clone(),
        variants: plan.variant_names(),
        outcomes: m.outcomes.iter().map(|o| o.name.clone()).collect(),
        actors: m.actors.iter().map(|a| a.name.clone()).collect(),
        cost_unit: m.scenario.cost_unit.clone(),
        outcome: outcome.map(|o| m.outcomes[o].name.clone()),
        points,
        effects,
        base_probability,
        prim_runs_per_point: if outcome.is_some() { prim_runs } else { 0 },
        prim,
    })
}

/// The mean over runs of each run's total over the `points` (`totals`, one a run) divided by
/// `points`, with Student's t interval over the runs ([`Moments`]: exact sums, so the same bits
/// on any machine), cut to the range the mean can take (`within`). `None` when the runs are
/// fewer than two or all gave the same total: then the caller takes the independent interval on
/// the runs as units.
fn by_runs(totals: impl Iterator<Item = i64>, points: u64, within: (f64, f64)) -> Option<Interval> {
    let mut m = Moments::default();
    for x in totals {
        // Whole numbers of at most 10,000 points: exact as doubles, and summed exactly.
        m.add(x as f64);
    }
    let i = m.interval();
    let scale = points.max(1) as f64;
    (i.is_bounded() && i.high > i.low).then(|| Interval {
        estimate: i.estimate / scale,
        low: (i.low / scale).max(within.0),
        high: (i.high / scale).min(within.1),
    })
}

/// Newcombe's paired interval for a pooled difference `d` (variant − base) taken on the `runs`
/// as units, where every run gave the same difference and Student's t has no spread to work
/// from: `d`'s share of the runs as the runs only the variant (`d > 0`) or only the base
/// (`d < 0`) had the outcome in, and the base's pooled probability `p − d` (the variant's is
/// `p`) as the base's runs, kept within what those discordant runs allow, so that the table is
/// one `runs` runs can have. (Rounding the variant's runs and the discordant runs apart gave
/// the base more runs than there were: 2 runs, the variant at 1 of 4 points in each and the
/// base at all 4, made the base 3 runs of 2 and the interval −100 .. +55 points; 2 runs the
/// base had the outcome in and the variant not give −100 .. −7, as `brink compare` reads them.)
fn difference_in_runs(p: f64, d: f64, runs: u64) -> Interval {
    let (variant, gained, lost) = table_in_runs(p, d, runs);
    paired_diff_interval(variant, gained, lost, runs, Z95)
}

/// The table [`difference_in_runs`] takes: the variant's runs with the outcome, the runs only
/// it had the outcome in and those only the base had it in, out of `runs`; the base's runs
/// (variant + lost − gained) are from 0 to `runs` too.
fn table_in_runs(p: f64, d: f64, runs: u64) -> (u64, u64, u64) {
    let in_runs = |x: f64| ((x * runs as f64).round().max(0.0) as u64).min(runs);
    let gained = in_runs(d.max(0.0));
    let lost = in_runs((-d).max(0.0)).min(runs - gained);
    let base = in_runs(p - d).clamp(lost, runs - gained);
    (base + gained - lost, gained, lost)
}

/// A probability `p` pooled over `points` points of `runs` runs, with its 95% interval over
/// the runs (each run's hits over the points, `hits`: [`pooled_probability`]); where every
/// run gave the same, Wilson's on the runs as units (the pooled count in runs), around `p`;
/// from one run, none.
fn pooled_interval(hits: &[u16], points: u64, runs: u64, p: f64) -> Interval {
    if runs < 2 {
        return Interval {
            estimate: p,
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
        };
    }
    let around = |i: Interval| Interval {
        estimate: p,
        low: i.low.min(p),
        high: i.high.max(p),
    };
    pooled_probability(hits, points).map_or_else(
        || {
            let in_runs = (p * runs as f64).round() as u64;
            around(wilson(in_runs, runs, Z95))
        },
        around,
    )
}

/// The pooled probability of an outcome over every (point, run), from each run's count of
/// points with it (`hits`, one a run), with Wilson's interval at the runs' effective number of
/// trials: the rows of a run move together (the same sampled numbers at every point), so the
/// variance is taken over the runs and the n of Wilson's interval is p(1 − p) over it (Kish's
/// effective sample size; at most every row), with Student's t quantile for the runs' number.
/// A t interval on the runs' means, cut at 0, read 0 at its low end after a few hits. `None`
/// as for [`by_runs`].
fn pooled_probability(hits: &[u16], points: u64) -> Option<Interval> {
    let mut m = Moments::default();
    for &x in hits {
        m.add(f64::from(x));
    }
    let (runs, mean, var) = m.mean_variance();
    let scale = points.max(1) as f64;
    let p = mean / scale;
    // Every run gave 0 or every run all: nothing says how the rows move together.
    if runs < 2 || p <= 0.0 || p >= 1.0 {
        return None;
    }
    let var_p = var / (scale * scale) / runs as f64;
    let rows = runs as f64 * scale;
    // Every run the same count between: the limit as the spread goes to 0, every row (from
    // the runs as units, the interval was ten times as wide at one run's hit more).
    let n_eff = if var > 0.0 {
        (p * (1.0 - p) / var_p).min(rows)
    } else {
        rows
    };
    Some(wilson_effective(p, n_eff, student_t_inv(0.975, runs - 1)))
}

#[cfg(test)]
mod tests {
    use super::{by_runs, difference_in_runs, pooled_probability, table_in_runs};
    use crate::stats::{Z95, paired_diff_interval};

    /// Where every run gave the same difference, the interval on the runs as units is taken
    /// from a table `runs` runs can have. Every run with the outcome at `v` of `points` points
    /// in the variant and at `b` in the base, for every such pair: the base's runs are from 0
    /// to `runs`, and the discordant runs are `d`'s share of the runs to rounding (half a run).
    #[test]
    fn a_difference_on_the_runs_as_units_comes_from_a_table_the_runs_can_have() {
        for runs in 2..=12u64 {
            for points in 1..=6u32 {
                for v in 0..=points {
                    for b in 0..=points {
                        let (p, pb) = (
                            f64::from(v) / f64::from(points),
                            f64::from(b) / f64::from(points),
                        );
                        let d = p - pb;
                        let (kv, gained, lost) = table_in_runs(p, d, runs);
                        let case = format!("runs {runs}, {v} and {b} of {points}");
                        assert!(kv <= runs && gained + lost <= runs, "{case}");
                        assert!(kv + lost >= gained && kv + lost - gained <= runs, "{case}");
                        let rn = runs as f64;
                        assert!(
                            ((gained as f64 - lost as f64) / rn - d).abs() <= 0.5 / rn + 1e-12,
                            "{case}"
                        );
                        let i = difference_in_runs(p, d, runs);
                        assert!(
                            i.low.is_finite() && i.high.is_finite() && i.low <= i.high,
                            "{case}: {i:?}"
                        );
                    }
                }
            }
        }
        // Two runs, the variant at 1 of 4 points and the base at all 4 in each: both runs are
        // runs the base had the outcome in and the variant (as a run) did not, as `brink
        // compare` reads 2 such runs: −1 .. −0.07. The base made 3 runs of 2 read −1 .. +0.55.
        let i = difference_in_runs(0.25, -0.75, 2);
        assert_eq!(i, paired_diff_interval(0, 0, 2, 2, Z95));
        assert!(i.high < 0.0, "{i:?}");
    }

    #[test]
    fn a_pooled_probability_after_hits_does_not_read_zero() {
        // One run of 20 had the outcome at all 4 points: p = 4/80. The t interval on the runs'
        // means, cut at 0, read 0.000 .. 0.155; Wilson's at the effective n stays off 0.
        let mut hits = vec![0u16; 20];
        hits[3] = 4;
        let i = pooled_probability(&hits, 4).unwrap();
        assert_eq!(i.estimate, 0.05);
        assert!(
            i.low > 0.0 && i.low < 0.05 && i.high > 0.05 && i.high < 1.0,
            "{i:?}"
        );
        // The rows of that run moved together: the effective n is the runs' 20 less one for
        // the spread's estimate, not 80 rows. s² = (16 − 20·0.2²)/19 = 0.8, var(p) =
        // 0.8/4²/20 = 0.0025, n_eff = 0.05·0.95/0.0025 = 19.
        let t = crate::numerics::dist::student_t_inv(0.975, 19);
        let w = crate::stats::wilson_effective(0.05, 19.0, t);
        assert!((i.low - w.low).abs() < 1e-12 && (i.high - w.high).abs() < 1e-12);
        // Every run the same count between 0 and all (one hit a run at one of 4 points): no
        // spread, every row; every run none or all: the caller's interval on the runs.
        let same = pooled_probability(&[1, 1, 1], 4).unwrap();
        let t = crate::numerics::dist::student_t_inv(0.975, 2);
        let w = crate::stats::wilson_effective(0.25, 12.0, t);
        assert_eq!((same.low, same.high), (w.low, w.high));
        assert!(pooled_probability(&[0, 0, 0], 4).is_none());
        assert!(pooled_probability(&[4, 4, 4], 4).is_none());
        // Every run's rows independent-looking (hits spread 0..4 binomially) cap at the rows.
        let spread = [0u16, 1, 2, 1, 0, 3, 1, 2, 2, 1, 0, 4, 1, 2, 1, 1];
        let j = pooled_probability(&spread, 4).unwrap();
        assert!(j.low > 0.0 && j.low < j.estimate && j.estimate < j.high);
    }

    #[test]
    fn runs_that_all_gave_the_same_have_no_interval_of_their_own() {
        // No spread, or a single run: the caller takes the interval on the runs as units.
        assert!(by_runs([3, 3, 3].into_iter(), 4, (0.0, 1.0)).is_none());
        assert!(by_runs([1].into_iter(), 4, (0.0, 1.0)).is_none());
        // Totals 0, 2, 4 over 4 points: per-run means 0, 0.5, 1; mean 0.5, sd 0.5, t(2).
        let i = by_runs([0, 2, 4].into_iter(), 4, (-1.0, 1.0)).unwrap();
        let half = crate::numerics::dist::student_t_inv(0.975, 2) * 0.5 / 3f64.sqrt();
        assert!((i.estimate - 0.5).abs() < 1e-15);
        assert!(
            (i.low - (0.5 - half)).abs() < 1e-12 && i.high == 1.0,
            "{i:?}"
        );
    }
}
