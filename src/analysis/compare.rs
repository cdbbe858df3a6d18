//! `brink compare`: the base scenario and its variants on the same run indices (common random
//! numbers), with paired intervals on every difference, and the tornado of lever effects.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::analysis::Manifest;
use crate::engine::{
    Cell, ChunkSink, Interrupted, NoSink, RowWriter, RunPlan, Stopped, for_each_chunk_in,
};
use crate::model::{self, Model, RunState, simulate};
use crate::numerics::rng::Master;
use crate::scenario::{Lever, Scenario, Variant};
use crate::stats::{Interval, Moments, Tally, Z95, paired_diff_interval, wilson};

/// A difference of exactly nothing: the base against itself.
const NOTHING: Interval = Interval {
    estimate: 0.0,
    low: 0.0,
    high: 0.0,
};

/// One arm of a comparison: the base (arm 0), a variant of the file, or a lever forced or
/// frozen for the tornado.
pub struct Arm {
    /// "base", the variant's name, or `force_LEVER` / `freeze_LEVER` for the tornado's arms.
    pub name: String,
    /// Display name.
    pub label: String,
    /// "base", "variant", "forced" or "frozen".
    pub kind: String,
    /// For tornado arms: the lever.
    pub lever: Option<String>,
    /// The scenario compiled with the arm's change.
    pub model: Model,
}

/// Quantities compared as paired means: each actor's cost, then the peak and final index.
pub fn mean_quantities(m: &Model) -> Vec<String> {
    let mut q: Vec<String> = m
        .actors
        .iter()
        .map(|a| format!("cost_{}", a.name))
        .collect();
    q.push("peak_index".into());
    q.push("final_index".into());
    q
}

fn quantities_of(st: &RunState, out: &mut Vec<f64>) {
    out.clear();
    out.extend_from_slice(&st.cost);
    out.push(st.peak_index);
    out.push(st.index);
}

/// The levels of the fan of quantiles around each arm's median index (`index_quantiles`).
pub fn fan_levels() -> [f64; 4] {
    [0.05, 0.25, 0.75, 0.95]
}

/// Mergeable counts of a paired comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedTally {
    /// Each arm's own tally.
    pub tallies: Vec<Tally>,
    /// `[arm][outcome]`: runs where the arm had the outcome and the base did not.
    pub gained: Vec<Vec<u64>>,
    /// `[arm][outcome]`: runs where the base had the outcome and the arm did not.
    pub lost: Vec<Vec<u64>>,
    /// `[arm][quantity]`: moments of the per-run difference arm − base.
    pub diffs: Vec<Vec<Moments>>,
    /// `[arm][quantity]`: moments of the arm's own value.
    pub values: Vec<Vec<Moments>>,
}

impl PairedTally {
    /// Empty counts for these arms.
    pub fn new(arms: &[Arm]) -> Self {
        let base = &arms[0].model;
        let nq = mean_quantities(base).len();
        let no = base.outcomes.len();
        PairedTally {
            tallies: arms.iter().map(|a| Tally::new(&a.model)).collect(),
            gained: vec![vec![0; no]; arms.len()],
            lost: vec![vec![0; no]; arms.len()],
            diffs: vec![vec![Moments::default(); nq]; arms.len()],
            values: vec![vec![Moments::default(); nq]; arms.len()],
        }
    }

    /// Checks counts read from outside (a comparison shard) as [`Tally::check`] does, for
    /// every arm and every paired count.
    pub fn check(&self, arms: &[Arm], runs: u64) -> Result<(), String> {
        let no = arms[0].model.outcomes.len();
        let nq = mean_quantities(&arms[0].model).len();
        if self.tallies.len() != arms.len()
            || self.gained.len() != arms.len()
            || self.lost.len() != arms.len()
            || self.diffs.len() != arms.len()
            || self.values.len() != arms.len()
        {
            return Err(format!(
                "the counts are for another number of arms than the {} compared",
                arms.len()
            ));
        }
        for (i, arm) in arms.iter().enumerate() {
            self.tallies[i]
                .check(&arm.model, runs)
                .map_err(|e| format!("arm {}: {e}", arm.name))?;
            for (what, v) in [("gained", &self.gained[i]), ("lost", &self.lost[i])] {
                if v.len() != no {
                    return Err(format!(
                        "arm {}: {what} does not fit the outcomes",
                        arm.name
                    ));
                }
                if let Some((o, &x)) = v.iter().enumerate().find(|(_, x)| **x > runs) {
                    return Err(format!(
                        "arm {}: {what}[{o}] is {x}, more than the {runs} runs",
                        arm.name
                    ));
                }
            }
            for (what, v) in [("diffs", &self.diffs[i]), ("values", &self.values[i])] {
                if v.len() != nq {
                    return Err(format!(
                        "arm {}: {what} does not fit the quantities",
                        arm.name
                    ));
                }
                for (k, m) in v.iter().enumerate() {
                    if m.n != runs || !m.sum.value().is_finite() || !m.sumsq.value().is_finite() {
                        return Err(format!(
                            "arm {}: {what}[{k}] counts {} runs (the shard holds {runs}) or is \
                             not finite",
                            arm.name, m.n
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Back to no runs, keeping its memory.
    pub fn clear(&mut self) {
        for t in &mut self.tallies {
            t.clear();
        }
        for v in self.gained.iter_mut().chain(&mut self.lost) {
            v.fill(0);
        }
        for m in self.diffs.iter_mut().chain(&mut self.values).flatten() {
            m.clear();
        }
    }

    /// Adds the counts of later runs.
    pub fn merge(&mut self, o: &PairedTally) {
        for (a, b) in self.tallies.iter_mut().zip(&o.tallies) {
            a.merge(b);
        }
        for (a, b) in self.gained.iter_mut().zip(&o.gained) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        for (a, b) in self.lost.iter_mut().zip(&o.lost) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        for (a, b) in self.diffs.iter_mut().zip(&o.diffs) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
        for (a, b) in self.values.iter_mut().zip(&o.values) {
            a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
        }
    }
}

/// Runs every arm on the same run indices of the plan.
pub fn run_paired(
    arms: &[Arm],
    plan: &RunPlan,
    stop: &AtomicBool,
) -> Result<PairedTally, Interrupted> {
    run_paired_into(arms, plan, stop, &mut NoSink, None).map_err(|e| match e {
        Stopped::Interrupted(_) | Stopped::Io(_) => Interrupted,
    })
}

/// As [`run_paired`], handing `sink` each chunk's per-run rows when it wants them: for each
/// run in order, the base's row then each variant's (the tornado's arms have none), written
/// by `row` with the arm's index as its `which`.
pub fn run_paired_into(
    arms: &[Arm],
    plan: &RunPlan,
    stop: &AtomicBool,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
) -> Result<PairedTally, Stopped<PairedTally>> {
    let want_rows = sink.wants_rows() && row.is_some();
    let row_arms = arms
        .iter()
        .take_while(|a| a.kind == "base" || a.kind == "variant")
        .count();
    let master = Master::new(plan.seed);
    let mut total = PairedTally::new(arms);
    let mut failed = None;
    // Each chunk's counts and run states live in a slot reused from chunk to chunk.
    let mut slots = Vec::new();
    let done = for_each_chunk_in(
        plan,
        stop,
        &mut slots,
        || {
            let states: Vec<RunState> = arms.iter().map(|a| RunState::new(&a.model)).collect();
            (PairedTally::new(arms), states, Vec::<Cell>::new())
        },
        |chunk, (t, states, rows)| {
            t.clear();
            rows.clear();
            let (mut base_q, mut q) = (vec![], vec![]);
            // A run of every arm of a large scenario can take seconds, a chunk of them an hour.
            for r in crate::engine::until_stopped(plan.chunk_range(chunk), stop) {
                for (i, arm) in arms.iter().enumerate() {
                    simulate(&arm.model, &master, r, &mut states[i], &mut t.tallies[i]);
                    t.tallies[i].record(&states[i]);
                    if want_rows
                        && i < row_arms
                        && let Some(f) = row
                    {
                        f(i, &arm.model, r, &states[i], rows);
                    }
                }
                quantities_of(&states[0], &mut base_q);
                for i in 0..arms.len() {
                    let (b, s) = (&states[0], &states[i]);
                    for o in 0..b.outcome_first.len() {
                        match (s.outcome_hit(o), b.outcome_hit(o)) {
                            (true, false) => t.gained[i][o] += 1,
                            (false, true) => t.lost[i][o] += 1,
                            _ => {}
                        }
                    }
                    quantities_of(s, &mut q);
                    for (k, (&x, &y)) in q.iter().zip(&base_q).enumerate() {
                        t.diffs[i][k].add(x - y);
                        t.values[i][k].add(x);
                    }
                }
            }
        },
        |(t, _, rows)| {
            total.merge(t);
            if want_rows
                && failed.is_none()
                && let Err(e) = sink.rows(rows)
            {
                failed = Some(e);
            }
            sink.progress(total.tallies[0].runs);
            ControlFlow::Continue(())
        },
    );
    if let Some(e) = failed {
        return Err(Stopped::Io(e));
    }
    match done {
        Ok(_) => Ok(total),
        Err(Interrupted) => Err(Stopped::Interrupted(Box::new(total))),
    }
}

/// An outcome of one arm, against the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeCompare {
    /// The outcome's name.
    pub outcome: String,
    /// Its probability in this arm, with its Wilson 95% interval.
    pub probability: Interval,
    /// Paired difference arm − base, with its 95% interval.
    pub difference: Interval,
}

/// A mean of one arm, against the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanCompare {
    /// `cost_ACTOR`, `peak_index` or `final_index` (see [`mean_quantities`]).
    pub quantity: String,
    /// Its mean in this arm (cost units or points), with its 95% interval.
    pub mean: Interval,
    /// Paired difference arm − base, with its 95% interval.
    pub difference: Interval,
}

/// One arm's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmResult {
    /// The arm's name (see [`Arm`]).
    pub name: String,
    /// Display name.
    pub label: String,
    /// "base", "variant", "forced" or "frozen".
    pub kind: String,
    /// For the tornado's arms: the lever forced or frozen.
    pub lever: Option<String>,
    /// Each named outcome, against the base.
    pub outcomes: Vec<OutcomeCompare>,
    /// Each quantity of [`CompareResult::quantities`], against the base.
    pub means: Vec<MeanCompare>,
    /// Median of H at each step.
    pub index_median: Vec<f64>,
    /// The 5, 25, 75 and 95% quantiles of H at each step (the fan around the median).
    #[serde(default)]
    pub index_quantiles: Vec<[f64; 4]>,
    /// The levels of each step's `index_quantiles` (0.05, 0.25, 0.75, 0.95).
    #[serde(default = "fan_levels")]
    pub index_quantile_levels: [f64; 4],
    /// P(outcome by step t) for each outcome: `[outcome][step]`.
    pub by_step: Vec<Vec<f64>>,
}

/// One bar of the tornado: a lever's effect on the chosen outcome when forced to its top
/// level and when frozen at its initial level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// The lever's name.
    pub lever: String,
    /// Change of the outcome's probability when the lever (a measure) is forced to its top level:
    /// paired difference against the base, with its 95% interval; none for an act.
    pub forced: Option<Interval>,
    /// Change of the outcome's probability when the lever is frozen at its initial level (an act:
    /// disabled), likewise.
    pub frozen: Interval,
    /// The outcome reads this lever's level (or, for an act, its record): forcing or freezing
    /// the lever moves the outcome by its definition, not through the crisis's dynamics.
    #[serde(default)]
    pub by_definition: bool,
}

/// Whether a condition of scenario `s` reads a lever: a measure's level or an act's record
/// (`Before` names an act when no event of `s` has its name: an event's name comes first).
pub fn reads_lever(
    s: &crate::scenario::Scenario,
    c: &crate::scenario::Condition,
    lever: &str,
) -> bool {
    use crate::scenario::Condition as C;
    match c {
        C::LevelAtLeast(l, _) | C::LevelHeldFor(l, ..) | C::LevelEverReached(l, _) => l == lever,
        C::ActWithin(a, _) | C::ActOccurred(a) => a == lever,
        // `Before(apology, leaders_meeting)`: freezing either act decides it (a reviewing
        // helper's tornado showed both as effects through the crisis).
        C::Before(a, b) => (a == lever || b == lever) && !s.events.iter().any(|e| e.name == lever),
        C::All(cs) | C::Any(cs) => cs.iter().any(|c| reads_lever(s, c, lever)),
        C::Not(c) | C::Sustained(c, _) => reads_lever(s, c, lever),
        _ => false,
    }
}

/// The tornado: bars sorted by the largest absolute effect, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tornado {
    /// The outcome whose probability the bars show.
    pub outcome: String,
    /// Its probability in the base, with its Wilson 95% interval.
    pub base_probability: Interval,
    /// One bar per lever.
    pub bars: Vec<TornadoBar>,
}

/// Everything `compare.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareResult {
    /// Where the result came from.
    pub manifest: Manifest,
    /// Names of the scenario's outcomes, in its order.
    pub outcomes: Vec<String>,
    /// Names of the quantities compared as means (see [`mean_quantities`]).
    pub quantities: Vec<String>,
    /// Each arm's results: the base first, then the variants, then the tornado's arms.
    pub arms: Vec<ArmResult>,
    /// The tornado, when asked for.
    pub tornado: Option<Tornado>,
    /// Without a tornado, the outcome the charts focus on when one was named
    /// (`--no-tornado --outcome X`); absent: the tornado's, else the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
}

impl CompareResult {
    /// The outcome the comparison's text, page and charts focus on: the tornado's, else the
    /// one `--outcome` named without a tornado ([`CompareResult::focus`]), else the first.
    pub fn focus_index(&self) -> usize {
        self.tornado
            .as_ref()
            .map(|t| t.outcome.as_str())
            .or(self.focus.as_deref())
            .and_then(|name| self.outcomes.iter().position(|n| n == name))
            .unwrap_or(0)
    }
}

/// The first variant a comparison's list names twice, if any: each is one arm, played once
/// (the command line and Python refuse such a list, each in its own words).
///
/// ```
/// let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
/// assert_eq!(brink::analysis::compare::repeated_variant(&v(&["a", "b", "a"])), Some("a"));
/// assert_eq!(brink::analysis::compare::repeated_variant(&v(&["a", "b"])), None);
/// ```
pub fn repeated_variant(variants: &[String]) -> Option<&str> {
    (variants.iter().enumerate())
        .find(|(i, v)| variants[..*i].contains(v))
        .map(|(_, v)| v.as_str())
}

/// How a caller spells the options a comparison's refusals name: the command line's flags, or
/// Python's keyword arguments (`brink.compare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompareOptions {
    /// The option that leaves the tornado out (`--no-tornado`).
    pub no_tornado: &'static str,
    /// The option naming the variants compared (`--variants`).
    pub variants: &'static str,
}

impl CompareOptions {
    /// The command line's flags.
    pub const CLI: CompareOptions = CompareOptions {
        no_tornado: "--no-tornado",
        variants: "--variants",
    };
    /// Python's keyword arguments.
    pub const PYTHON: CompareOptions = CompareOptions {
        no_tornado: "tornado=False",
        variants: "variants=",
    };
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions::CLI
    }
}

/// The arms of a comparison: the base, the named variants, and (for the tornado) every lever
/// forced to its top level and frozen.
pub fn arms(
    s: &Scenario,
    variants: &[String],
    tornado: bool,
) -> Result<Vec<Arm>, crate::model::CompileError> {
    arms_spelled(s, variants, tornado, CompareOptions::CLI)
}

/// Refuses a comparison before its arms are compiled: a tornado by an outcome the scenario
/// lacks, then arms that would not fit the models' budget
/// ([`crate::engine::heap::MODELS_BUDGET`]), having compiled only the base to weigh it. The
/// commands call it before checking the variants (which compiles each of them), so that the
/// tornado's arms, compiled only when the runs start, are counted up front. `tornado` is as
/// [`CompareRequest::tornado`].
///
/// ```
/// let loaded = brink::scenario::load(
///     "scenarios/examples/tutorial.ron".as_ref(),
///     Default::default(),
/// )?;
/// use brink::analysis::compare::{CompareOptions, check_arms};
/// check_arms(&loaded.scenario, &[], &Some(None), CompareOptions::CLI)?;
/// let wrong = Some(Some("nope".to_string()));
/// assert!(check_arms(&loaded.scenario, &[], &wrong, CompareOptions::CLI).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_arms(
    s: &Scenario,
    variants: &[String],
    tornado: &Option<Option<String>>,
    spelled: CompareOptions,
) -> crate::error::Result<()> {
    tornado_index(s, tornado)?;
    weigh_base(s, variants, tornado.is_some(), spelled)?;
    Ok(())
}

/// The tornado's arms: two a measure (forced, frozen), one an act (frozen).
fn tornado_arms(s: &Scenario) -> usize {
    let measures = s
        .levers
        .iter()
        .filter(|l| matches!(l, Lever::Measure(_)))
        .count();
    measures + s.levers.len()
}

/// The base compiled, weighed against the budget for all the arms.
fn weigh_base(
    s: &Scenario,
    variants: &[String],
    tornado: bool,
    spelled: CompareOptions,
) -> Result<Model, crate::model::CompileError> {
    // Every arm is a whole compiled model, all held while the runs play: the base is weighed
    // and the lot refused, before the rest are compiled, when they would not fit.
    let count = 1 + variants.len() + if tornado { tornado_arms(s) } else { 0 };
    let (what, fewer) = if tornado {
        (
            "the comparison's arms (the base, each variant, and the tornado's two a measure \
             and one an act)",
            format!("fewer variants, or no tornado ({})", spelled.no_tornado),
        )
    } else {
        (
            "the comparison's arms (the base and each variant)",
            "fewer variants".to_string(),
        )
    };
    crate::engine::heap::first_of_models(count, what, &fewer, || model::compile(s, None))
}

/// As [`arms`], a refusal naming the options as `spelled`.
pub fn arms_spelled(
    s: &Scenario,
    variants: &[String],
    tornado: bool,
    spelled: CompareOptions,
) -> Result<Vec<Arm>, crate::model::CompileError> {
    arms_within(s, variants, tornado, spelled, |_| Ok(()))
}

/// As [`arms_spelled`], with `fits` asked after each arm is compiled whether the arms so far
/// still fit (a budget that a prefix exceeds the whole exceeds too): a comparison of 60 arms
/// of a large file was refused only after all were compiled, 14 s and 1.9 GB later.
fn arms_within(
    s: &Scenario,
    variants: &[String],
    tornado: bool,
    spelled: CompareOptions,
    mut fits: impl FnMut(&[Arm]) -> Result<(), crate::model::CompileError>,
) -> Result<Vec<Arm>, crate::model::CompileError> {
    let base = weigh_base(s, variants, tornado, spelled)?;
    let mut out = vec![Arm {
        name: "base".into(),
        label: "base scenario".into(),
        kind: "base".into(),
        lever: None,
        model: base,
    }];
    fits(&out)?;
    for v in variants {
        let var = model::find_variant(s, v)?;
        out.push(Arm {
            name: var.name.clone(),
            label: if var.label.is_empty() {
                var.name.clone()
            } else {
                var.label.clone()
            },
            kind: "variant".into(),
            lever: None,
            model: model::compile_variant(s, Some(var))?,
        });
        fits(&out)?;
    }
    if tornado {
        for lever in &s.levers {
            let name = lever.name().to_string();
            if let Lever::Measure(m) = lever {
                let top = m.levels.len() as i64;
                let v = Variant {
                    name: format!("force_{name}"),
                    label: format!("{name} forced to {}", m.levels[top as usize - 1].name),
                    force: BTreeMap::from([(name.clone(), top)]),
                    ..Variant::default()
                };
                out.push(Arm {
                    name: v.name.clone(),
                    label: v.label.clone(),
                    kind: "forced".into(),
                    lever: Some(name.clone()),
                    model: model::compile_variant(s, Some(&v))?,
                });
                fits(&out)?;
            }
            let v = Variant {
                name: format!("freeze_{name}"),
                label: format!("{name} frozen"),
                freeze: vec![name.clone()],
                ..Variant::default()
            };
            out.push(Arm {
                name: v.name.clone(),
                label: v.label.clone(),
                kind: "frozen".into(),
                lever: Some(name.clone()),
                model: model::compile_variant(s, Some(&v))?,
            });
            fits(&out)?;
        }
    }
    Ok(out)
}

/// Builds the results from the paired tally.
pub fn results(
    arms: &[Arm],
    t: &PairedTally,
    manifest: Manifest,
    tornado_outcome: Option<usize>,
) -> CompareResult {
    let base = &arms[0].model;
    let n = t.tallies[0].runs;
    let quantities = mean_quantities(base);
    let arm_results: Vec<ArmResult> = arms
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let tally = &t.tallies[i];
            let nf = n.max(1) as f64;
            ArmResult {
                name: a.name.clone(),
                label: a.label.clone(),
                kind: a.kind.clone(),
                lever: a.lever.clone(),
                outcomes: base
                    .outcomes
                    .iter()
                    .enumerate()
                    .map(|(o, spec)| OutcomeCompare {
                        outcome: spec.name.clone(),
                        probability: wilson(tally.outcome_hits[o], n, Z95),
                        // The base against itself differs by exactly nothing.
                        difference: if i == 0 {
                            NOTHING
                        } else {
                            paired_diff_interval(
                                tally.outcome_hits[o],
                                t.gained[i][o],
                                t.lost[i][o],
                                n,
                                Z95,
                            )
                        },
                    })
                    .collect(),
                means: quantities
                    .iter()
                    .enumerate()
                    .map(|(k, q)| MeanCompare {
                        quantity: q.clone(),
                        // Costs first, one per actor: cut at 0 as `run` cuts them (a cost
                        // of -659 to +1,248 from two runs).
                        // The index's means (peak and final H) within the bounds.
                        mean: if k < base.actors.len() {
                            super::summary::not_below_zero(t.values[i][k].interval())
                        } else {
                            super::summary::within_bounds(t.values[i][k].interval(), base.bounds)
                        },
                        // The base against itself differs by exactly nothing, even from one
                        // run (whose interval is otherwise unbounded).
                        difference: if i == 0 {
                            NOTHING
                        } else {
                            t.diffs[i][k].interval()
                        },
                    })
                    .collect(),
                index_median: tally
                    .index_by_step
                    .iter()
                    .map(|h| h.quantile(0.5))
                    .collect(),
                index_quantiles: tally
                    .index_by_step
                    .iter()
                    .map(|h| fan_levels().map(|q| h.quantile(q)))
                    .collect(),
                index_quantile_levels: fan_levels(),
                by_step: tally
                    .outcome_first
                    .iter()
                    .map(|c| {
                        let mut acc = 0;
                        c.iter()
                            .map(|&x| {
                                acc += x;
                                acc as f64 / nf
                            })
                            .collect()
                    })
                    .collect(),
            }
        })
        .collect();
    let tornado = tornado_outcome.map(|o| {
        let mut bars: Vec<TornadoBar> = vec![];
        for r in arm_results.iter().filter(|r| r.lever.is_some()) {
            let lever = r.lever.clone().unwrap_or_default();
            let d = r.outcomes[o].difference;
            let bar = match bars.iter_mut().find(|b| b.lever == lever) {
                Some(b) => b,
                None => {
                    bars.push(TornadoBar {
                        by_definition: reads_lever(
                            &base.scenario,
                            &base.scenario.outcomes[o].when,
                            &lever,
                        ),
                        lever: lever.clone(),
                        forced: None,
                        frozen: Interval {
                            estimate: 0.0,
                            low: 0.0,
                            high: 0.0,
                        },
                    });
                    bars.last_mut().expect("just pushed")
                }
            };
            if r.kind == "forced" {
                bar.forced = Some(d);
            } else {
                bar.frozen = d;
            }
        }
        let size = |b: &TornadoBar| {
            b.frozen
                .estimate
                .abs()
                .max(b.forced.map_or(0.0, |f| f.estimate.abs()))
        };
        // Largest effect first; ties by name, so the order never depends on anything else.
        bars.sort_by(|a, b| {
            size(b)
                .total_cmp(&size(a))
                .then_with(|| a.lever.cmp(&b.lever))
        });
        Tornado {
            outcome: base.outcomes[o].name.clone(),
            base_probability: arm_results[0].outcomes[o].probability,
            bars,
        }
    });
    CompareResult {
        manifest,
        outcomes: base.outcomes.iter().map(|o| o.name.clone()).collect(),
        quantities,
        arms: arm_results,
        tornado,
        focus: None,
    }
}

/// What `brink compare` was asked to do.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// The variants compared with the base, by name.
    pub variants: Vec<String>,
    /// Runs of each arm in the whole job (all shards).
    pub runs: u64,
    /// Master seed: every arm plays the same run indices.
    pub seed: u64,
    /// Worker threads (the results are the same for any number).
    pub threads: usize,
    /// The tornado's outcome (default: the scenario's first named outcome); None: no tornado.
    pub tornado: Option<Option<String>>,
    /// Without a tornado, the outcome the charts focus on (default: the first); see
    /// [`CompareResult::focus`].
    pub focus: Option<String>,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
    /// Compute only this shard of the runs (see [`crate::engine::ShardSpec`]).
    pub shard: Option<crate::engine::ShardSpec>,
    /// How the refusals name the options (the command line's flags by default).
    pub spelled: CompareOptions,
}

/// The tornado's outcome index: the named one, else the first (None: no tornado). Read off the
/// scenario, whose outcomes every compiled model keeps in order, so that a wrong name is refused
/// before the arms are compiled (seconds on a large file).
fn tornado_index(
    s: &Scenario,
    tornado: &Option<Option<String>>,
) -> crate::error::Result<Option<usize>> {
    let outcomes = &s.outcomes;
    match tornado {
        None => Ok(None),
        Some(None) => Ok((!outcomes.is_empty()).then_some(0)),
        Some(Some(name)) => outcomes
            .iter()
            .position(|o| &o.name == name)
            .map(Some)
            .ok_or_else(|| {
                crate::error::Error::Input(format!(
                    "unknown outcome {}; expected one of: {}",
                    crate::text::quoted_name(name),
                    outcomes
                        .iter()
                        .map(|o| o.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }),
    }
}

/// Refuses an outcome the scenario does not name, as the tornado's is refused: the outcome a
/// comparison's charts focus on without a tornado (`--no-tornado --outcome X`).
pub fn check_focus(s: &Scenario, name: &str) -> crate::error::Result<()> {
    tornado_index(s, &Some(Some(name.to_string()))).map(|_| ())
}

/// A comparison computed: its arms, its paired counts, the runs it covered, and the result.
pub struct Compared {
    /// The base, then each variant, then the tornado's arms.
    pub arms: Vec<Arm>,
    /// The raw paired counts (what a shard keeps for `brink merge`).
    pub tally: PairedTally,
    /// The runs computed (a shard's share, or all).
    pub plan: crate::engine::RunPlan,
    /// Every arm's results and the tornado. For a shard, `manifest.complete` is false.
    pub result: CompareResult,
}

/// Runs a comparison (or one shard of it) on common random numbers.
pub fn run(
    loaded: &crate::scenario::LoadedScenario,
    req: &CompareRequest,
    stop: &AtomicBool,
) -> crate::error::Result<Compared> {
    run_into(loaded, req, stop, &mut NoSink, None)
}

/// The arms of `req` compiled (without the tornado's unless `with_tornado`), each weighed as
/// it is compiled against the memory budget for the counts of all of them: refused at the
/// first arm past it, before the rest are compiled (60 arms of a file at the limits were
/// refused only after all were compiled, 14 s and 1.9 GB later); with the plan fitted to them.
pub fn arms_fitting(
    s: &Scenario,
    req: &CompareRequest,
    with_tornado: bool,
) -> crate::error::Result<(Vec<Arm>, crate::engine::RunPlan)> {
    // Every arm's counts in each chunk in flight: refused before any run when they cannot fit.
    // A chunk in flight also holds each arm's run state, whose log of level changes grows
    // with the run.
    let weigh = |arms: &[Arm]| {
        let bytes: u64 = arms.iter().map(|a| Tally::bytes_for(&a.model)).sum();
        let slot: u64 = bytes
            + arms
                .iter()
                .map(|a| RunState::level_log_bytes(&a.model))
                .sum::<u64>();
        (slot, bytes)
    };
    // The tornado's arms (two a lever) are counted too: name them when they are there, first
    // when they outnumber the variants.
    let tornado = if req.tornado.is_some() {
        tornado_arms(s)
    } else {
        0
    };
    let variants = req.variants.len();
    let all = 1 + variants + tornado;
    let no_tornado = format!(
        "{} (its {tornado} arms, one or two a lever, are counted like variants)",
        req.spelled.no_tornado
    );
    let fewer_variants = format!("fewer variants compared ({})", req.spelled.variants);
    let first = match (tornado, tornado >= variants) {
        (0, _) => vec![fewer_variants],
        (_, true) => vec![no_tornado, fewer_variants],
        (_, false) => vec![fewer_variants, no_tornado],
    };
    let fewer = format!(
        "{}, or a shorter horizon, fewer rungs, levels, outcomes or events",
        first.join(", ")
    );
    let plan = crate::engine::RunPlan::of(req.shard, req.seed, req.runs, req.threads);
    // Checked as each arm is compiled: the arms so far not fitting, the whole does not.
    let arms = arms_within(
        s,
        &req.variants,
        req.tornado.is_some() && with_tornado,
        req.spelled,
        |arms| {
            let (slot, bytes) = weigh(arms);
            match plan.clone().fitted(slot, bytes) {
                Ok(_) => Ok(()),
                Err(e) if arms.len() < all => Err(crate::model::CompileError::TooLarge(format!(
                    "with {} of the comparison's {all} arms compiled, {}",
                    arms.len(),
                    e.expecting(&fewer)
                ))),
                Err(e) => Err(crate::model::CompileError::TooLarge(e.expecting(&fewer))),
            }
        },
    )?;
    let (slot, bytes) = weigh(&arms);
    let plan = plan
        .fitted(slot, bytes)
        .map_err(|e| crate::error::Error::Input(e.expecting(&fewer)))?;
    Ok((arms, plan))
}

/// As [`run`], handing `sink` the per-run rows (see [`run_paired_into`]) and the progress.
pub fn run_into(
    loaded: &crate::scenario::LoadedScenario,
    req: &CompareRequest,
    stop: &AtomicBool,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
) -> crate::error::Result<Compared> {
    use crate::error::Error;
    let s = &loaded.scenario;
    let tornado_outcome = tornado_index(s, &req.tornado)?;
    let (arms, plan) = arms_fitting(s, req, true)?;
    let tally = run_paired_into(&arms, &plan, stop, sink, row).map_err(|e| match e {
        Stopped::Interrupted(_) => {
            Error::Interrupted("stopped before the comparison finished; nothing was written".into())
        }
        Stopped::Io(e) => Error::io("write", "runs.csv", e),
    })?;
    let mut manifest = Manifest::new(
        loaded,
        req.seed,
        None,
        tally.tallies[0].runs,
        req.runs,
        req.command.clone(),
    );
    manifest.complete = req.shard.is_none();
    let mut result = results(&arms, &tally, manifest, tornado_outcome);
    if req.tornado.is_none() {
        result.focus.clone_from(&req.focus);
    }
    Ok(Compared {
        arms,
        tally,
        plan,
        result,
    })
}
