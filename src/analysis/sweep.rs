//! `brink sweep`: one parameter, or two, set to each value of an even grid (with two, every pair
//! of the product, the first parameter outer), every grid point played on the same seed and run
//! indices (common random numbers, so that the curve or the heat map is smooth: two
//! neighbouring points differ only by the parameters, not by the luck of the draw).

use std::str::FromStr;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::analysis::Manifest;
use crate::engine::{
    self, Accumulator, Cell, ChunkSink, Interrupted, NoSink, RowWriter, RunPlan, Stopped,
    for_each_chunk,
};
use crate::error::{Error, Result};
use crate::model::{self, Model, RunState};
use crate::numerics::rng::Master;
use crate::scenario::field::ParamField;
use crate::scenario::param::{Param, fmt_num};
use crate::scenario::paths::for_each_param;
use crate::scenario::validate::check_param;
use crate::scenario::{LoadedScenario, Scenario, Variant};
use crate::stats::{Interval, Tally, Z95, wilson};

/// Most grid points of one sweep (with two parameters, of their product).
pub const MAX_STEPS: usize = 1000;

/// Most parameters one sweep varies together.
pub const MAX_PARAMETERS: usize = 2;

/// How a grid is written, for messages.
const GRID_USAGE: &str = "PATH=FROM..TO:STEPS, e.g. actors.azerbaijan.sensitivity=0.2..1.2:11";

/// `PATH=FROM..TO:STEPS`: the parameter and its grid.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// The parameter's path (`actors.north.sensitivity`; see `brink describe --paths`).
    pub path: String,
    /// First value of the grid.
    pub from: f64,
    /// Last value of the grid (included).
    pub to: f64,
    /// Number of grid values, 2 to [`MAX_STEPS`].
    pub steps: usize,
}

impl FromStr for SweepSpec {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let usage = &format!("expected {GRID_USAGE}");
        let (path, grid) = crate::analysis::design::split_path(s, usage)?;
        let (range, steps) = grid
            .rsplit_once(':')
            .ok_or_else(|| format!("no ':STEPS'; {usage}"))?;
        let (from, to) = crate::analysis::design::split_range(range, "FROM..TO", usage)?;
        let num = |what: &str, t: &str| crate::analysis::design::finite_number(what, t, usage);
        let (from, to) = (num("FROM", from)?, num("TO", to)?);
        let steps: usize = steps
            .trim()
            .parse()
            .map_err(|_| format!("STEPS {steps:?} is not a whole number; {usage}"))?;
        if !(2..=MAX_STEPS).contains(&steps) {
            return Err(format!(
                "STEPS must be from 2 to {MAX_STEPS}, found {steps}"
            ));
        }
        if from == to {
            return Err("FROM and TO are the same value".into());
        }
        let spec = SweepSpec {
            path: path.to_string(),
            from,
            to,
            steps,
        };
        // The values are rounded to 13 significant digits: ends closer than that give points
        // of the same value, run and charted as if they differed.
        if spec.values().windows(2).any(|w| w[0] == w[1]) {
            return Err(format!(
                "FROM and TO are too close for {steps} distinct values at 13 significant digits; \
                 {usage}"
            ));
        }
        Ok(spec)
    }
}

/// One `--set` of `brink sweep`: a grid to sweep (`PATH=FROM..TO:STEPS`), or a number held
/// fixed at every point (`PATH=VALUE`, as on every other command).
#[derive(Debug, Clone, PartialEq)]
pub enum SweepSet {
    /// A parameter swept over a grid.
    Grid(SweepSpec),
    /// A number replaced at every point.
    Fixed(crate::scenario::overrides::Override),
}

impl FromStr for SweepSet {
    type Err = String;

    /// A value that reads as a number or a distribution is fixed; anything else with `..` in
    /// it is a grid.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.parse::<crate::scenario::overrides::Override>() {
            Ok(o) => Ok(SweepSet::Fixed(o)),
            Err(e) => match s.split_once('=') {
                Some((_, v)) if v.contains("..") => s.parse().map(SweepSet::Grid),
                // Neither form: both are named, the grid being what a sweep is mostly given.
                _ => Err(format!("{e}; or, for the grid, {GRID_USAGE}")),
            },
        }
    }
}

impl SweepSet {
    /// Splits `--set`s into the grids and the fixed numbers, each in the order given.
    pub fn split(sets: &[SweepSet]) -> (Vec<SweepSpec>, Vec<crate::scenario::overrides::Override>) {
        let mut grids = vec![];
        let mut fixed = vec![];
        for s in sets {
            match s {
                SweepSet::Grid(g) => grids.push(g.clone()),
                SweepSet::Fixed(o) => fixed.push(o.clone()),
            }
        }
        (grids, fixed)
    }
}

/// Refuses a path both swept and held fixed by `--set`.
pub fn check_fixed(
    specs: &[SweepSpec],
    fixed: &[crate::scenario::overrides::Override],
) -> Result<()> {
    for o in fixed {
        if let Some(g) = specs.iter().find(|g| g.path == o.path) {
            return Err(Error::Input(format!(
                "--set {o}: the path is also swept by --set {}={}..{}:{}; expected each path once",
                g.path,
                fmt_num(g.from),
                fmt_num(g.to),
                g.steps
            )));
        }
    }
    Ok(())
}

impl SweepSpec {
    /// The grid: `steps` evenly spaced values from `from` to `to`, both included, each rounded
    /// to 13 significant digits (so that 0.1 steps read 0.3, not 0.30000000000000004).
    pub fn values(&self) -> Vec<f64> {
        let n = (self.steps - 1) as f64;
        (0..self.steps)
            .map(|i| {
                if i + 1 == self.steps {
                    self.to
                } else {
                    let x = self.from + (self.to - self.from) * (i as f64 / n);
                    format!("{x:.12e}").parse().unwrap_or(x)
                }
            })
            .collect()
    }
}

/// What `brink sweep` was asked to do.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    /// The parameters and their grids: one, or two (the first outer: its value changes
    /// slowest along the points).
    pub specs: Vec<SweepSpec>,
    /// A variant of the file whose own overrides apply at every grid point.
    pub variant: Option<String>,
    /// Runs at each grid value.
    pub runs: u64,
    /// Master seed: every grid value plays the same run indices.
    pub seed: u64,
    /// Worker threads (the results are the same for any number).
    pub threads: usize,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
}

/// An outcome at one grid value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointOutcome {
    /// The outcome's name.
    pub outcome: String,
    /// Probability with its Wilson 95% interval.
    pub probability: Interval,
    /// Runs in which it happened.
    pub runs_hit: u64,
}

/// An actor's mean cumulative cost at one grid value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointCost {
    /// The actor's name.
    pub actor: String,
    /// Mean cumulative cost per run (cost units), with its 95% interval.
    pub mean: Interval,
}

/// The results at one grid value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The first parameter's value at this point (the only one in a one-parameter sweep).
    pub value: f64,
    /// Every parameter's value at this point, in the order of [`SweepResult::parameters`].
    pub values: Vec<f64>,
    /// Each named outcome, in the scenario's order.
    pub outcomes: Vec<PointOutcome>,
    /// Each actor's cost, in the scenario's order.
    pub costs: Vec<PointCost>,
    /// Mean over runs of the highest H of the run (points), with its 95% interval.
    pub peak_index: Interval,
    /// Mean of H at the last step (points), with its 95% interval.
    pub final_index: Interval,
}

/// One swept parameter and its grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepParameter {
    /// The parameter's path.
    pub path: String,
    /// The parameter as the scenario (with the variant) has it: `0.7`, `Pert(0.5, 0.7, 0.9)`.
    pub scenario_param: String,
    /// Its central value there.
    pub scenario_value: f64,
    /// First value of the grid.
    pub from: f64,
    /// Last value of the grid.
    pub to: f64,
    /// Number of grid values.
    pub steps: usize,
    /// The grid's values, in order.
    pub values: Vec<f64>,
}

/// Everything `sweep.json` holds. The fields `path` to `steps` describe the first parameter
/// (as a one-parameter sweep always wrote them); `parameters` describes every one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// Where the result came from.
    pub manifest: Manifest,
    /// The (first) parameter's path.
    pub path: String,
    /// The parameter as the scenario (with the variant) has it: `0.7`, `Pert(0.5, 0.7, 0.9)`.
    pub scenario_param: String,
    /// Its central value there.
    pub scenario_value: f64,
    /// First value of the grid.
    pub from: f64,
    /// Last value of the grid.
    pub to: f64,
    /// Number of grid values.
    pub steps: usize,
    /// Names of the scenario's outcomes, in its order.
    pub outcomes: Vec<String>,
    /// Names of the actors, in the scenario's order.
    pub actors: Vec<String>,
    /// Unit of every cost ("USD million").
    pub cost_unit: String,
    /// Every swept parameter (one or two), the first outer.
    pub parameters: Vec<SweepParameter>,
    /// The results at each grid point, in grid order: with two parameters, every value of the
    /// second for the first value of the first, then for its second value, and so on.
    pub points: Vec<SweepPoint>,
}

impl SweepResult {
    /// Whether two parameters vary (a heat map) rather than one (a curve).
    pub fn is_two_way(&self) -> bool {
        self.parameters.len() == 2
    }

    /// The point at the `i`-th value of the first parameter and the `j`-th of the second.
    pub fn at(&self, i: usize, j: usize) -> Option<&SweepPoint> {
        let inner = self.parameters.get(1).map_or(1, |p| p.values.len());
        if j >= inner {
            return None;
        }
        self.points.get(i * inner + j)
    }

    /// The position of an outcome among [`SweepResult::outcomes`]: the one named (an input
    /// error naming the others if there is none of that name), else the first; `None` when the
    /// scenario names no outcomes.
    pub fn outcome_index(&self, name: Option<&str>) -> Result<Option<usize>> {
        match name {
            Some(name) => self
                .outcomes
                .iter()
                .position(|o| o == name)
                .map(Some)
                .ok_or_else(|| unknown_outcome(name, &self.outcomes)),
            None => Ok((!self.outcomes.is_empty()).then_some(0)),
        }
    }
}

/// The error of an outcome name the scenario does not have.
fn unknown_outcome(name: &str, outcomes: &[String]) -> Error {
    Error::Input(if outcomes.is_empty() {
        format!(
            "--outcome {}: the scenario names no outcomes",
            crate::text::quoted_name(name)
        )
    } else {
        format!(
            "unknown outcome {}; expected one of: {}",
            crate::text::quoted_name(name),
            outcomes.join(", ")
        )
    })
}

/// Checks an `--outcome` against a scenario before anything runs.
pub fn check_outcome(s: &Scenario, name: Option<&str>) -> Result<()> {
    match name {
        Some(name) if !s.outcomes.iter().any(|o| o.name == name) => Err(unknown_outcome(
            name,
            &s.outcomes
                .iter()
                .map(|o| o.name.clone())
                .collect::<Vec<_>>(),
        )),
        _ => Ok(()),
    }
}

/// Checks the parameters of a sweep: one or two, not the same path twice, and at most
/// [`MAX_STEPS`] points in all.
pub fn check_specs(specs: &[SweepSpec]) -> Result<()> {
    if specs.is_empty() {
        return Err(Error::Input(
            "no --set PATH=FROM..TO:STEPS: name the parameter to sweep".into(),
        ));
    }
    if specs.len() > MAX_PARAMETERS {
        return Err(Error::Input(format!(
            "{} --set given; a sweep varies one parameter or two (a heat map)",
            specs.len()
        )));
    }
    if let [a, b] = specs
        && a.path == b.path
    {
        return Err(Error::Input(format!(
            "--set {} is given twice; a two-parameter sweep needs two different paths",
            a.path
        )));
    }
    let points = specs
        .iter()
        .try_fold(1usize, |n, s| n.checked_mul(s.steps))
        .unwrap_or(usize::MAX);
    if points > MAX_STEPS {
        return Err(Error::Input(format!(
            "the grid has {} points ({}); a sweep has at most {MAX_STEPS}: use fewer STEPS",
            points,
            specs
                .iter()
                .map(|s| s.steps.to_string())
                .collect::<Vec<_>>()
                .join(" × ")
        )));
    }
    Ok(())
}

/// The parameter at `path` of a scenario: its field (which gives its valid range) and value.
fn find_param(s: &Scenario, path: &str) -> Option<(ParamField, Param)> {
    let mut s = s.clone();
    let mut found = None;
    for_each_param(&mut s, &mut |site, p| {
        if site.path == path {
            found = Some((site.key.field, p.clone()));
        }
    });
    found
}

/// The parameter at `path` of the scenario with the variant applied, or an input error with
/// the nearest known path.
pub(crate) fn param_at(applied: &Scenario, path: &str) -> Result<(ParamField, Param)> {
    find_param(applied, path)
        .ok_or_else(|| Error::Input(crate::scenario::overrides::unknown_path_text(applied, path)))
}

/// One grid point of the models: the values of the parameters, in the order of the specs.
pub type GridModel = (Vec<f64>, Model);

/// A swept parameter as the scenario (with the variant) has it, and its central value there.
pub type CurrentParam = (Param, f64);

/// The models of the grid, each with the parameters set to the point's values (over the
/// variant's own overrides), with two parameters every pair of the product (the first outer);
/// or an input error naming what is wrong. Also gives each parameter as the scenario (with the
/// variant) has it, and its central value there.
pub fn grid_models(
    s: &Scenario,
    specs: &[SweepSpec],
    variant: Option<&str>,
) -> Result<(Vec<GridModel>, Vec<CurrentParam>)> {
    check_specs(specs)?;
    let mut v = match variant {
        Some(name) => model::find_variant(s, name)?.clone(),
        None => Variant {
            name: "sweep".into(),
            made_up: true,
            ..Variant::default()
        },
    };
    for spec in specs {
        if let Some((msg, expected)) =
            crate::scenario::overrides::unsettable(s, &[variant], &spec.path)
        {
            return Err(Error::Input(format!(
                "--set {}: {msg}; expected {expected}",
                spec.path
            )));
        }
    }
    let (applied, _, _) = model::apply_variant(s, Some(&v))?;
    let found = specs
        .iter()
        .map(|spec| param_at(&applied, &spec.path))
        .collect::<Result<Vec<_>>>()?;
    let grids: Vec<Vec<f64>> = specs.iter().map(SweepSpec::values).collect();
    // An event's step is drawn and then rounded to a whole step: a grid value between two
    // steps ran as one of them, and its row read like a point of its own (10.25 and 10.75
    // ran as 10 and 11, beside them).
    let whole = ParamField::Timing(crate::scenario::field::TimingField::Step);
    for ((spec, _), values) in
        (specs.iter().zip(&found).zip(&grids)).filter(|((_, f), _)| f.0 == whole)
    {
        let between: Vec<String> = values
            .iter()
            .filter(|x| x.fract() != 0.0)
            .map(|&x| fmt_num(x))
            .collect();
        if !between.is_empty() {
            let shown = if between.len() > 3 {
                format!("{}, …", between[..3].join(", "))
            } else {
                between.join(", ")
            };
            // A whole grid inside the range, within the steps a run can have: the ends
            // rounded towards each other, and kept within 0 to the last step.
            let last = crate::scenario::validate::last_step(s) as f64;
            let inward = |x: f64, towards: f64| {
                let r = if x <= towards { x.ceil() } else { x.floor() };
                r.clamp(0.0, last)
            };
            let (a, b) = (inward(spec.from, spec.to), inward(spec.to, spec.from));
            let such_as = if a != b && (b - a).abs() < MAX_STEPS as f64 {
                format!(
                    ", such as {}..{}:{}",
                    fmt_num(a),
                    fmt_num(b),
                    (b - a).abs() as usize + 1
                )
            } else {
                String::new()
            };
            return Err(Error::Input(format!(
                "--set {}={}..{}:{}: an event's step is a whole {} (it is rounded), and {} \
                 between two ({shown}); choose FROM, TO and STEPS so that every value is \
                 whole{such_as}",
                spec.path,
                fmt_num(spec.from),
                fmt_num(spec.to),
                spec.steps,
                s.step_unit,
                if between.len() == 1 {
                    "one of the grid's values falls".to_string()
                } else {
                    format!("{} of the grid's values fall", between.len())
                },
            )));
        }
    }
    let points: Vec<Vec<f64>> = match grids.as_slice() {
        [xs] => xs.iter().map(|&x| vec![x]).collect(),
        [xs, ys] => xs
            .iter()
            .flat_map(|&x| ys.iter().map(move |&y| vec![x, y]))
            .collect(),
        _ => vec![],
    };
    let describe = |spec: &SweepSpec| {
        format!(
            "--set {}={}..{}:{}",
            spec.path,
            fmt_num(spec.from),
            fmt_num(spec.to),
            spec.steps
        )
    };
    // Every grid point is a whole compiled model, all held while the runs play: weighed (as
    // the variant without the sweep's values, the same size) before the values are checked,
    // which takes a while for a large scenario.
    crate::engine::heap::first_of_models(
        points.len(),
        "the sweep's grid points",
        "fewer points",
        || model::compile_variant(s, Some(&v)),
    )?;
    let checker = crate::scenario::validate::SetCheck::new(s);
    // Each value alone, as a variant's `set` is checked: the field's range, and for a dated
    // step, a branch weight or a shared number, what the value breaks where it is used.
    for ((spec, (rule, _)), grid) in specs.iter().zip(&found).zip(&grids) {
        let mut alone = v.clone();
        for &x in grid {
            alone.set.insert(spec.path.clone(), Param::Value(x));
            let problem = check_param(&spec.path, *rule, &Param::Value(x), s.bounds)
                .or_else(|| checker.check(&alone, &spec.path, &Param::Value(x)));
            if let Some((msg, expected)) = problem {
                return Err(Error::Input(format!(
                    "{}: {msg}; expected {expected}",
                    describe(spec)
                )));
            }
        }
    }
    // Two values together may break what neither breaks alone (two weights of one event).
    if specs.len() > 1 {
        for xs in &points {
            for (spec, &x) in specs.iter().zip(xs) {
                v.set.insert(spec.path.clone(), Param::Value(x));
            }
            for (spec, &x) in specs.iter().zip(xs) {
                let problem = checker.check(&v, &spec.path, &Param::Value(x));
                if let Some((msg, expected)) = problem {
                    return Err(Error::Input(format!(
                        "{}: at {} with {}: {msg}; expected {expected}",
                        describe(spec),
                        fmt_num(x),
                        specs
                            .iter()
                            .zip(xs)
                            .filter(|(o, _)| o.path != spec.path)
                            .map(|(o, y)| format!("{} = {}", o.path, fmt_num(*y)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(points.len());
    for xs in points {
        for (spec, &x) in specs.iter().zip(&xs) {
            v.set.insert(spec.path.clone(), Param::Value(x));
        }
        let m = model::compile_variant(s, Some(&v))?;
        out.push((xs, m));
    }
    let current = found
        .into_iter()
        .map(|(_, p)| {
            let c = central(&p, &applied);
            (p, c)
        })
        .collect();
    Ok((out, current))
}

/// Runs every grid point on the same run indices. The work is cut into (point, chunk) items,
/// run in parallel and merged in order, so each point's tally is exactly that of a whole run
/// of its model, for any number of threads.
pub fn run_grid(
    models: &[GridModel],
    seed: u64,
    runs: u64,
    threads: usize,
    stop: &AtomicBool,
) -> std::result::Result<Vec<Tally>, Interrupted> {
    run_grid_into(models, seed, runs, threads, stop, &mut NoSink, None).map_err(|_| Interrupted)
}

/// Worker threads, and the most (model, chunk) items in flight: four a thread from a thread
/// count, fewer from a plan fitted to the memory budget ([`RunPlan::fitted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads {
    /// Worker threads.
    pub threads: usize,
    /// Most items computed and not yet merged.
    pub in_flight: usize,
}

impl From<usize> for Threads {
    fn from(threads: usize) -> Self {
        Threads {
            threads,
            in_flight: 4 * threads.max(1),
        }
    }
}

impl From<&RunPlan> for Threads {
    fn from(plan: &RunPlan) -> Self {
        Threads {
            threads: plan.threads,
            in_flight: plan.in_flight,
        }
    }
}

/// As [`run_grid`], handing `sink` each (point, chunk)'s per-run rows when it wants them, in
/// point order then run order, written by `row` with the point's index as its `which`.
pub fn run_grid_into(
    models: &[GridModel],
    seed: u64,
    runs: u64,
    threads: impl Into<Threads>,
    stop: &AtomicBool,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
) -> std::result::Result<Vec<Tally>, Stopped<Vec<Tally>>> {
    let want_rows = sink.wants_rows() && row.is_some();
    let mut tallies: Vec<Tally> = models.iter().map(|(_, m)| Tally::new(m)).collect();
    let mut failed = None;
    let done = run_models(
        models.len(),
        |i| &models[i].1,
        seed,
        runs,
        threads,
        stop,
        Vec::<Cell>::new,
        |point, r, st, out| {
            if want_rows && let Some(f) = row {
                f(point, &models[point].1, r, st, out)
            }
        },
        |point, _, t: Tally, rows| {
            tallies[point].merge(&t);
            if want_rows
                && failed.is_none()
                && let Err(e) = sink.rows(&rows)
            {
                failed = Some(e);
            }
            sink.progress(tallies.iter().map(|t| t.runs).sum());
        },
    );
    if let Some(e) = failed {
        return Err(Stopped::Io(e));
    }
    match done {
        Ok(()) => Ok(tallies),
        Err(Interrupted) => Err(Stopped::Interrupted(Box::new(tallies))),
    }
}

/// The engine of [`run_grid`], for any accumulator and any per-run extra: runs `count` models
/// (`model(i)`) on the same run indices of the master `seed`, cut into (model, chunk) items
/// run on `threads` threads, a few ahead of the merge at most. Each item counts its runs into a fresh `A` and
/// hands every run's state to `per_run(model, run, state, extra)` (its `extra` made by
/// `new_extra`); `merge(model, chunk, accumulator, extra)` receives the items in order (every
/// chunk of model 0, then of model 1, …), whatever the threads, so anything merged is
/// bit-identical on any thread count.
#[allow(clippy::too_many_arguments)]
pub fn run_models<'m, A: Accumulator, E: Send>(
    count: usize,
    model: impl Fn(usize) -> &'m Model + Sync,
    seed: u64,
    runs: u64,
    threads: impl Into<Threads>,
    stop: &AtomicBool,
    new_extra: impl Fn() -> E + Sync,
    per_run: impl Fn(usize, u64, &RunState, &mut E) + Sync,
    mut merge: impl FnMut(usize, u64, A, E),
) -> std::result::Result<(), Interrupted> {
    let nc = engine::chunks_for(runs).max(1);
    // Items of work here are (model, chunk) pairs, not runs: only the chunks are read.
    let threads = threads.into();
    let mut items = RunPlan::items(seed, runs, nc * count as u64, threads.threads);
    items.in_flight = threads.in_flight.max(items.threads);
    let master = Master::new(seed);
    let mut next = 0u64;
    for_each_chunk(
        &items,
        stop,
        |i| {
            let mi = (i / nc) as usize;
            let m = model(mi);
            let chunk = i % nc;
            let lo = chunk * engine::CHUNK_RUNS;
            let hi = ((chunk + 1) * engine::CHUNK_RUNS).min(runs);
            let mut acc = A::new(m);
            let mut state = RunState::new(m);
            let mut extra = new_extra();
            for r in engine::until_stopped(lo..hi, stop) {
                model::simulate(m, &master, r, &mut state, &mut acc);
                acc.record(r, &state);
                per_run(mi, r, &state, &mut extra);
            }
            (acc, extra)
        },
        |(acc, extra)| {
            merge((next / nc) as usize, next % nc, acc, extra);
            next += 1;
        },
    )
}

/// The central value of a parameter as the scenario `s` has it (a use of a shared number is the
/// shared number's value).
pub(crate) fn central(current: &Param, s: &Scenario) -> f64 {
    match current {
        Param::Dist(crate::scenario::Dist::Shared(name)) => s
            .shared
            .iter()
            .find(|x| &x.name == name)
            .map_or(0.0, |x| x.value.central()),
        p => p.central(),
    }
}

/// The results of a sweep from its tallies (`current`: each parameter as the scenario has it,
/// with its central value).
pub fn results(
    models: &[GridModel],
    tallies: &[Tally],
    specs: &[SweepSpec],
    current: &[CurrentParam],
    manifest: Manifest,
) -> SweepResult {
    let first = &models[0].1;
    let actors: Vec<String> = first.actors.iter().map(|a| a.name.clone()).collect();
    let points = models
        .iter()
        .zip(tallies)
        .map(|((xs, m), t)| SweepPoint {
            value: xs[0],
            values: xs.clone(),
            outcomes: m
                .outcomes
                .iter()
                .enumerate()
                .map(|(o, spec)| PointOutcome {
                    outcome: spec.name.clone(),
                    probability: wilson(t.outcome_hits[o], t.runs, Z95),
                    runs_hit: t.outcome_hits[o],
                })
                .collect(),
            costs: actors
                .iter()
                .zip(&t.cost)
                .map(|(a, c)| PointCost {
                    actor: a.clone(),
                    // Cut at 0, as `run` and `compare` cut a cost's interval.
                    mean: crate::analysis::summary::not_below_zero(c.interval()),
                })
                .collect(),
            peak_index: crate::analysis::summary::within_bounds(
                t.peak_index_moments.interval(),
                m.bounds,
            ),
            final_index: crate::analysis::summary::within_bounds(
                t.final_index_moments.interval(),
                m.bounds,
            ),
        })
        .collect();
    let parameters: Vec<SweepParameter> = specs
        .iter()
        .zip(current)
        .map(|(spec, (p, central_value))| SweepParameter {
            path: spec.path.clone(),
            scenario_param: p.describe(),
            scenario_value: *central_value,
            from: spec.from,
            to: spec.to,
            steps: spec.steps,
            values: spec.values(),
        })
        .collect();
    let lead = &parameters[0];
    SweepResult {
        manifest,
        path: lead.path.clone(),
        scenario_param: lead.scenario_param.clone(),
        scenario_value: lead.scenario_value,
        from: lead.from,
        to: lead.to,
        steps: lead.steps,
        outcomes: first.outcomes.iter().map(|o| o.name.clone()).collect(),
        actors,
        cost_unit: first.scenario.cost_unit.clone(),
        parameters,
        points,
    }
}

/// Every grid point's total is kept, and each thread counts a few chunks ahead: the plan of
/// the runs, refused before any run when they cannot fit; fewer threads when only those fit.
fn fit_counts(req: &SweepRequest, points: u64, slot: u64, total: u64) -> Result<RunPlan> {
    let items = engine::chunks_for(req.runs).max(1) * points;
    RunPlan::items(req.seed, req.runs, items, req.threads)
        .fitted(slot, total)
        .map_err(|e| {
            let fewer = match points_that_fit(slot, total.div_ceil(points.max(1))) {
                0 => "not even one grid point's fit: a shorter horizon, fewer rungs, levels, \
                      outcomes or events"
                    .to_string(),
                n => format!(
                    "fewer grid points (at most {n} of this scenario's fit), or a shorter \
                     horizon, fewer rungs, levels, outcomes or events"
                ),
            };
            Error::Input(e.expecting(&fewer))
        })
}

/// How many grid points' totals (`per_point` bytes each) fit in the counts' budget beside one
/// chunk's counts (`slot` bytes): what [`RunPlan::fitted`] allows at one chunk in flight.
fn points_that_fit(slot: u64, per_point: u64) -> u64 {
    engine::COUNTS_BUDGET
        .checked_sub(slot)
        .map_or(0, |left| left / per_point.max(1))
}

/// Refuses a grid whose models or counts cannot fit in memory, reckoned on one compiled model
/// (every point's have its shape), before the grid's models are compiled: refused on its
/// counts only after all were, 1,000 points of a small scenario took 1.5 GB and 8 s first.
pub fn reckon_counts(s: &Scenario, req: &SweepRequest) -> Result<()> {
    check_specs(&req.specs)?;
    let points: u64 = req.specs.iter().map(|x| x.values().len() as u64).product();
    // The models' budget first, as `grid_models` weighs them.
    let one = crate::engine::heap::first_of_models(
        points as usize,
        "the sweep's grid points",
        "fewer points",
        || crate::model::compile(s, req.variant.as_deref()),
    )?;
    let counts = Tally::bytes_for(&one);
    fit_counts(
        req,
        points,
        counts + crate::model::RunState::level_log_bytes(&one),
        counts.saturating_mul(points),
    )
    .map(|_| ())
}

/// Runs a sweep: every grid value on the same runs.
pub fn run(loaded: &LoadedScenario, req: &SweepRequest, stop: &AtomicBool) -> Result<SweepResult> {
    run_into(loaded, req, stop, &mut NoSink, None)
}

/// As [`run`], handing `sink` the per-run rows (see [`run_grid_into`]) and the progress.
pub fn run_into(
    loaded: &LoadedScenario,
    req: &SweepRequest,
    stop: &AtomicBool,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
) -> Result<SweepResult> {
    let s = &loaded.scenario;
    reckon_counts(s, req)?;
    let (models, current) = grid_models(s, &req.specs, req.variant.as_deref())?;
    let bytes = models.iter().map(|(_, m)| Tally::bytes_for(m));
    let slot = models
        .iter()
        .map(|(_, m)| Tally::bytes_for(m) + crate::model::RunState::level_log_bytes(m));
    let plan = fit_counts(
        req,
        models.len() as u64,
        slot.max().unwrap_or(0),
        bytes.sum(),
    )?;
    let tallies = run_grid_into(&models, req.seed, req.runs, &plan, stop, sink, row).map_err(
        |e| match e {
            Stopped::Interrupted(_) => {
                Error::Interrupted("stopped before the sweep finished; nothing was written".into())
            }
            Stopped::Io(e) => Error::io("write", "runs.csv", e),
        },
    )?;
    let manifest = Manifest::new(
        loaded,
        req.seed,
        req.variant.clone(),
        tallies[0].runs,
        req.runs,
        req.command.clone(),
    );
    Ok(results(&models, &tallies, &req.specs, &current, manifest))
}
