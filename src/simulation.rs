//! The library's front door: one scenario played many times, as a builder.

use crate::text::ShowPath;
use std::sync::atomic::AtomicBool;

use crate::analysis::{Manifest, Summary};
use crate::engine::{self, ChunkSink, NoSink, RunPlan, ShardSpec, Stopped};
use crate::error::{Error, Result};
use crate::model::{self, Model};
use crate::scenario::LoadedScenario;
use crate::stats::{Tally, Z95, wilson};

/// A Monte Carlo simulation of a scenario: its variant, runs, seed and threads, then
/// [`Simulation::run`].
///
/// ```
/// let scenario = brink::scenario::load(
///     "scenarios/examples/richardson.ron".as_ref(),
///     Default::default(),
/// )?;
/// let run = brink::Simulation::new(&scenario).runs(2_000).seed(1).threads(2).run()?;
/// assert_eq!(run.summary.manifest.runs, 2_000);
/// // The same seed gives the same bits on any number of threads.
/// let again = brink::Simulation::new(&scenario).runs(2_000).seed(1).threads(1).run()?;
/// assert_eq!(run.tally, again.tally);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Simulation<'a> {
    loaded: &'a LoadedScenario,
    variant: Option<String>,
    runs: Option<u64>,
    seed: u64,
    threads: Option<usize>,
    shard: Option<ShardSpec>,
    precision: Option<(String, f64)>,
    stop: Option<&'a AtomicBool>,
    command: Vec<String>,
    per_run_steps: Vec<u32>,
}

/// What a simulation produced.
pub struct Run {
    /// The compiled model (for rendering: its ladder, bounds and vocabulary).
    pub model: Model,
    /// The raw counts (what a shard keeps for `brink merge`).
    pub tally: Tally,
    /// Every result with its interval, and the manifest.
    pub summary: Summary,
    /// The runs this process was asked for (a shard's share, or all).
    pub plan: RunPlan,
    /// Whether the stop flag ended it early (the tally holds the runs done).
    pub interrupted: bool,
}

/// The runs of a scenario when none are asked for: its own `runs`, else 10,000.
pub const DEFAULT_RUNS: u64 = crate::scenario::DEFAULT_RUNS;

impl<'a> Simulation<'a> {
    /// A simulation of the base scenario: its own number of runs (else 10,000), seed 0, every
    /// core.
    pub fn new(loaded: &'a LoadedScenario) -> Self {
        Simulation {
            loaded,
            variant: None,
            runs: None,
            seed: 0,
            threads: None,
            shard: None,
            precision: None,
            stop: None,
            command: vec![],
            per_run_steps: vec![],
        }
    }

    /// Applies one of the scenario's variants.
    pub fn variant(mut self, name: impl Into<String>) -> Self {
        self.variant = Some(name.into());
        self
    }

    /// Applies a variant, or none.
    pub fn variant_opt(mut self, name: Option<String>) -> Self {
        self.variant = name;
        self
    }

    /// The number of runs (with [`Simulation::until_precision`], the most runs allowed).
    pub fn runs(mut self, runs: u64) -> Self {
        self.runs = Some(runs);
        self
    }

    /// The master seed: the same seed gives the same bits.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Worker threads (results do not depend on them).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Computes only one shard of the runs, to merge with the others later.
    pub fn shard(mut self, shard: Option<ShardSpec>) -> Self {
        self.shard = shard;
        self
    }

    /// Stops once the named outcome's 95% interval has at most this half-width.
    pub fn until_precision(mut self, outcome: impl Into<String>, half_width: f64) -> Self {
        self.precision = Some((outcome.into(), half_width));
        self
    }

    /// A flag that, once set, stops the runs at the next batch boundary.
    pub fn stop_flag(mut self, stop: &'a AtomicBool) -> Self {
        self.stop = Some(stop);
        self
    }

    /// The command line recorded in the manifest.
    pub fn command(mut self, command: Vec<String>) -> Self {
        self.command = command;
        self
    }

    /// Keeps the rung and every measure's level at the end of these steps, for the per-run
    /// table (`--per-run-steps`); each must be below the horizon. Each step is kept once, in
    /// order (a step asked for twice would give runs.csv two columns of one name).
    pub fn per_run_steps(mut self, mut steps: Vec<u32>) -> Self {
        steps.sort_unstable();
        steps.dedup();
        self.per_run_steps = steps;
        self
    }

    /// Compiles the scenario (and variant) into the model the runs play.
    pub fn model(&self) -> Result<Model> {
        let mut m = model::compile(&self.loaded.scenario, self.variant.as_deref())?;
        if let Some(&s) = self.per_run_steps.iter().find(|&&s| s >= m.horizon) {
            return Err(Error::Input(format!(
                "--per-run-steps asks for step {s}, but the scenario's steps run from 0 to {}",
                m.horizon - 1
            )));
        }
        let columns = self.per_run_steps.len() as u64 * (m.measures.len() as u64 + 1);
        if columns > crate::scenario::limits::MAX_PER_RUN_STEP_COLUMNS {
            return Err(Error::Input(format!(
                "--per-run-steps asks for {} steps, each a column for the rung and one for each of \
                 the {} measures of {}: {columns} columns of the per-run table, more than the \
                 {} it may hold (every run's row is held in memory while its chunk runs); ask \
                 for at most {} steps",
                self.per_run_steps.len(),
                m.measures.len(),
                self.loaded.path.shown(),
                crate::scenario::limits::MAX_PER_RUN_STEP_COLUMNS,
                crate::scenario::limits::MAX_PER_RUN_STEP_COLUMNS / (m.measures.len() as u64 + 1),
            )));
        }
        m.snapshot_steps.clone_from(&self.per_run_steps);
        Ok(m)
    }

    /// The runs asked for.
    pub fn total_runs(&self) -> u64 {
        self.runs
            .or(self.loaded.scenario.runs.map(|r| r as u64))
            .unwrap_or(DEFAULT_RUNS)
    }

    /// The plan of the runs this process computes.
    pub fn plan(&self) -> RunPlan {
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        RunPlan::of(self.shard, self.seed, self.total_runs(), threads)
    }

    /// [`Simulation::plan`] with its chunks in flight fitted to the memory budget for this
    /// model's counts ([`RunPlan::fitted`]); an input error when not even one thread fits.
    pub fn fitted_plan(&self, model: &Model) -> Result<RunPlan> {
        let bytes = Tally::bytes_for(model);
        let slot = bytes + model::RunState::level_log_bytes(model);
        self.plan().fitted(slot, bytes).map_err(|e| {
            Error::Input(e.expecting("a shorter horizon, fewer rungs, levels, outcomes or events"))
        })
    }

    /// Runs the simulation.
    pub fn run(&self) -> Result<Run> {
        self.run_into(&mut NoSink, None)
    }

    /// Runs the simulation, handing each chunk's per-run rows (formatted by `row`) and the
    /// progress to `sink`.
    pub fn run_into(
        &self,
        sink: &mut dyn ChunkSink,
        row: Option<&engine::RowWriter>,
    ) -> Result<Run> {
        let model = self.model()?;
        let plan = self.fitted_plan(&model)?;
        let until = match &self.precision {
            None => None,
            Some((name, half_width)) => Some((
                model
                    .outcomes
                    .iter()
                    .position(|o| &o.name == name)
                    .ok_or_else(|| {
                        Error::Input(format!(
                            "--precision names unknown outcome {}; expected one of: {}",
                            crate::text::quoted_name(name),
                            model
                                .outcomes
                                .iter()
                                .map(|o| o.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })?,
                *half_width,
            )),
        };
        let never = AtomicBool::new(false);
        let stop = self.stop.unwrap_or(&never);
        let done = engine::run_until(&model, &plan, sink, row, stop, |t: &Tally| {
            // Both ends within the target of the estimate: half the width understated a
            // lopsided interval near 0 or 1.
            until.is_some_and(|(o, w)| wilson(t.outcome_hits[o], t.runs, Z95).reach() <= w)
        });
        let (tally, interrupted) = match done {
            Ok(t) => (t, false),
            Err(Stopped::Interrupted(t)) => (*t, true),
            Err(Stopped::Io(e)) => {
                return Err(Error::io("write", "runs.csv", e));
            }
        };
        let asked = plan.runs;
        let mut m = Manifest::new(
            self.loaded,
            self.seed,
            self.variant.clone(),
            tally.runs,
            asked,
            self.command.clone(),
        );
        if self.shard.is_some() {
            m.complete = false;
        } else if let Some((outcome, half_width)) = until {
            let i = wilson(tally.outcome_hits[outcome], tally.runs, Z95);
            let name = &model.outcomes[outcome].name;
            m.complete = true;
            let reached = if i.reach() <= half_width {
                "precision reached"
            } else {
                "precision not reached"
            };
            let after = if i.reach() <= half_width {
                format!("after {} runs", tally.runs)
            } else {
                format!("after the maximum of {} runs", tally.runs)
            };
            m.stop_reason = Some(format!(
                "{reached}: P({name}) = {:.4}, 95% interval {:.4} to {:.4}, each end within \
                 {:.4} of it (target {:?}) {after}",
                i.estimate,
                i.low,
                i.high,
                i.reach(),
                // Shortest digits that read back: `{}` wrote 1e-300 as 300 decimals.
                half_width,
            ));
        }
        if interrupted {
            m.complete = false;
            m.stop_reason = Some(format!(
                "interrupted after {} of {} runs (--keep-partial)",
                crate::text::grouped(u128::from(tally.runs)),
                crate::text::grouped(u128::from(asked))
            ));
        }
        let mut summary = Summary::new(&model, &tally, m);
        // A shard's tally counts from its first run: its own running estimates.
        if plan.first_run > 0 {
            summary.convergence = crate::analysis::summary::convergence(&tally, plan.first_run);
        }
        Ok(Run {
            model,
            tally,
            summary,
            plan,
            interrupted,
        })
    }
}

fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A comparison of the base scenario with some of its variants on common random numbers
/// (every arm plays the same runs with the same random numbers), and optionally a tornado of
/// every lever forced and frozen.
///
/// ```
/// let scenario = brink::scenario::load(
///     "scenarios/russia_azerbaijan_2025.ron".as_ref(),
///     Default::default(),
/// )?;
/// let c = brink::Comparison::new(&scenario)
///     .variants(["mediation_push"])
///     .runs(1_000)
///     .seed(1)
///     .run()?;
/// let arm = &c.result.arms[1];
/// assert_eq!(arm.name, "mediation_push");
/// // The paired difference from the base, with its 95% interval.
/// let d = &arm.outcomes[0].difference;
/// assert!(d.low <= d.estimate && d.estimate <= d.high);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Comparison<'a> {
    loaded: &'a LoadedScenario,
    request: crate::analysis::compare::CompareRequest,
    threads: Option<usize>,
    stop: Option<&'a AtomicBool>,
}

impl<'a> Comparison<'a> {
    /// The base scenario alone, its own number of runs (else 10,000), seed 0, no tornado.
    pub fn new(loaded: &'a LoadedScenario) -> Self {
        Comparison {
            loaded,
            request: crate::analysis::compare::CompareRequest {
                variants: vec![],
                runs: loaded.scenario.runs.map_or(DEFAULT_RUNS, |r| r as u64),
                seed: 0,
                threads: 1,
                tornado: None,
                focus: None,
                command: vec![],
                shard: None,
                spelled: Default::default(),
            },
            threads: None,
            stop: None,
        }
    }

    /// The variants compared with the base.
    pub fn variants<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.request.variants = names.into_iter().map(Into::into).collect();
        self
    }

    /// Adds the tornado: every lever forced and frozen, ranked by its effect on `outcome`
    /// (None: the scenario's first outcome).
    pub fn tornado(mut self, outcome: Option<String>) -> Self {
        self.request.tornado = Some(outcome);
        self
    }

    /// How the refusals name the options: the command line's flags by default,
    /// [`crate::analysis::compare::CompareOptions::PYTHON`] for Python's keywords.
    pub fn spelled(mut self, spelled: crate::analysis::compare::CompareOptions) -> Self {
        self.request.spelled = spelled;
        self
    }

    /// Runs per arm.
    pub fn runs(mut self, runs: u64) -> Self {
        self.request.runs = runs;
        self
    }

    /// The master seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.request.seed = seed;
        self
    }

    /// Worker threads (results do not depend on them; default: every core).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Computes only one shard of the runs.
    pub fn shard(mut self, shard: Option<ShardSpec>) -> Self {
        self.request.shard = shard;
        self
    }

    /// A flag that, once set, stops the runs at the next batch boundary (an error then).
    pub fn stop_flag(mut self, stop: &'a AtomicBool) -> Self {
        self.stop = Some(stop);
        self
    }

    /// The command line recorded in the manifest.
    pub fn command(mut self, command: Vec<String>) -> Self {
        self.request.command = command;
        self
    }

    /// Runs the comparison.
    pub fn run(self) -> Result<crate::analysis::compare::Compared> {
        self.run_into(&mut NoSink, None)
    }

    /// Runs the comparison, handing each chunk's per-run rows (for each run, the base's row
    /// then each variant's, formatted by `row` with the arm's index; see
    /// [`crate::report::per_run::ArmRows`]) to `sink`.
    pub fn run_into(
        mut self,
        sink: &mut dyn ChunkSink,
        row: Option<&engine::RowWriter>,
    ) -> Result<crate::analysis::compare::Compared> {
        self.request.threads = self.threads.unwrap_or_else(all_cores);
        let never = AtomicBool::new(false);
        let stop = self.stop.unwrap_or(&never);
        crate::analysis::compare::run_into(self.loaded, &self.request, stop, sink, row)
    }

    /// The runs each arm plays.
    pub fn total_runs(&self) -> u64 {
        self.request.runs
    }
}

/// The storyline of single runs, step by step: one run by index, or the first runs in which an
/// outcome happened. A traced run is the same run `brink run` plays with the same seed.
///
/// ```
/// let scenario = brink::scenario::load(
///     "scenarios/russia_azerbaijan_2025.ron".as_ref(),
///     Default::default(),
/// )?;
/// let t = brink::Tracer::new(&scenario).pick("rupture", 1).seed(3).run()?;
/// assert_eq!(t.traces.len(), 1);
/// println!("{}", brink::report::trace::text(&t, &scenario.scenario));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Tracer<'a> {
    loaded: &'a LoadedScenario,
    request: crate::analysis::trace::TraceRequest,
    stop: Option<&'a AtomicBool>,
}

impl<'a> Tracer<'a> {
    /// Run 0 of the base scenario, seed 0.
    pub fn new(loaded: &'a LoadedScenario) -> Self {
        Tracer {
            loaded,
            request: crate::analysis::trace::TraceRequest {
                variant: None,
                seed: 0,
                target: crate::analysis::trace::Target::Run(0),
                threads: all_cores(),
                command: vec![],
            },
            stop: None,
        }
    }

    /// Traces run `k`.
    pub fn run_index(mut self, k: u64) -> Self {
        self.request.target = crate::analysis::trace::Target::Run(k);
        self
    }

    /// Traces the first `count` runs in which `outcome` happened (among the first 100,000).
    pub fn pick(mut self, outcome: impl Into<String>, count: usize) -> Self {
        self.request.target = crate::analysis::trace::Target::Pick {
            outcome: outcome.into(),
            count,
            max_scan: 100_000,
        };
        self
    }

    /// Applies one of the scenario's variants.
    pub fn variant(mut self, name: impl Into<String>) -> Self {
        self.request.variant = Some(name.into());
        self
    }

    /// The master seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.request.seed = seed;
        self
    }

    /// A flag that, once set, stops a `pick` scan.
    pub fn stop_flag(mut self, stop: &'a AtomicBool) -> Self {
        self.stop = Some(stop);
        self
    }

    /// Traces the runs.
    pub fn run(self) -> Result<crate::analysis::trace::TraceOutput> {
        let never = AtomicBool::new(false);
        crate::analysis::trace::run(self.loaded, &self.request, self.stop.unwrap_or(&never))
    }
}

/// How a caller spells the options [`checked_runs`] names in its messages: the command line's
/// `--runs` and `--max-runs`, Python's `runs` and `max_runs=`.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// The option giving the runs (`--runs`).
    pub runs: &'static str,
    /// The option raising the limit (`--max-runs`).
    pub max_runs: &'static str,
}

/// The number of runs to play: `asked`, else the scenario's own `runs`, else 10,000; refused
/// below 1, above the run indices brink's random streams address, or above `max_runs` (the
/// caller's limit against a run of hours started by a slip).
///
/// ```
/// use brink::simulation::{RunOptions, checked_runs};
/// let cli = RunOptions { runs: "--runs", max_runs: "--max-runs" };
/// assert_eq!(checked_runs(None, Some(2_000), 100_000, cli).unwrap(), 2_000);
/// assert_eq!(checked_runs(None, None, 100_000, cli).unwrap(), 10_000);
/// let e = checked_runs(Some(500_000), None, 100_000, cli).unwrap_err();
/// assert!(e.to_string().contains("(raise it with --max-runs)"));
/// ```
pub fn checked_runs(
    asked: Option<u64>,
    scenario_runs: Option<i64>,
    max_runs: u64,
    spelled: RunOptions,
) -> Result<u64> {
    let runs = asked.unwrap_or_else(|| scenario_runs.map_or(DEFAULT_RUNS, |r| r as u64));
    if runs == 0 {
        return Err(Error::Input(format!("{} must be at least 1", spelled.runs)));
    }
    let streams = crate::numerics::rng::MAX_RUN_INDEX;
    if runs > streams {
        // Past the run index's range no higher limit helps: say so rather than suggest it.
        return Err(Error::Input(format!(
            "{runs} runs is more than the limit of {streams} (the largest run index brink's \
             random streams can address)"
        )));
    }
    if runs > max_runs {
        return Err(Error::Input(format!(
            "{runs} runs is more than the limit of {max_runs} (raise it with {})",
            spelled.max_runs
        )));
    }
    Ok(runs)
}
