//! The summary of a run of the engine: what `summary.json` holds and every table and chart
//! reads.

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::stats::{
    Interval, Tally, Z95, bounded_mean_interval, bounded_mean_interval_of_sums,
    levels_mean_interval, wilson,
};

/// The build of brink: the commit it was built from, with `+modified` when its sources
/// differed from that commit (`build.rs`), or the `BRINK_BUILD` it was built with; `None`
/// built outside a git checkout. Results' manifests record it beside the version, which every
/// build between releases shares.
pub const BUILD: Option<&str> = option_env!("BRINK_BUILD");

/// Where a result came from: enough to rerun it exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The program that made the result: "brink".
    pub tool: String,
    /// Its version.
    pub version: String,
    /// Its build ([`BUILD`]): the commit it was built from; absent from a build outside
    /// a git checkout and from results written before brink recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file, as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario file.
    pub scenario_hash: String,
    /// Master seed of the runs.
    pub seed: u64,
    /// Runs in the results.
    pub runs: u64,
    /// The variant applied; none for the base scenario.
    pub variant: Option<String>,
    /// Runs per chunk (the unit of merging and sharding).
    pub chunk_runs: u64,
    /// Whether every requested run is in the results (a run stopped by `--precision` is
    /// complete: it did what was asked).
    pub complete: bool,
    /// Why the run stopped where it did, when it was not simply the number of runs.
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// The command line, as typed (differs between equivalent invocations).
    pub command: Vec<String>,
    /// Numbers replaced by `--set PATH=VALUE`, in the order given (after the variant's own);
    /// absent when there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<crate::scenario::overrides::Setting>,
}

impl Manifest {
    /// The value an option was given on the recorded command line (`--outcome X` or
    /// `--outcome=X`), for what a result's page shows but its file does not hold (the outcome
    /// a sweep's or a comparison's charts focus on).
    ///
    /// ```
    /// # let mut m: brink::analysis::Manifest = serde_json::from_str(r#"{"tool": "brink",
    /// #   "version": "0", "scenario": "s", "scenario_file": "s.ron", "scenario_hash": "",
    /// #   "seed": 0, "runs": 1, "variant": null, "chunk_runs": 1024, "complete": true,
    /// #   "command": []}"#).unwrap();
    /// m.command = ["brink", "compare", "s.ron", "--outcome", "rupture"].map(String::from).to_vec();
    /// assert_eq!(m.option("--outcome"), Some("rupture"));
    /// m.command = ["brink", "sweep", "--outcome=calm"].map(String::from).to_vec();
    /// assert_eq!(m.option("--outcome"), Some("calm"));
    /// assert_eq!(m.option("--seed"), None);
    /// ```
    pub fn option(&self, flag: &str) -> Option<&str> {
        let cmd = &self.command;
        cmd.windows(2)
            .find(|w| w[0] == flag)
            .map(|w| w[1].as_str())
            .or_else(|| {
                cmd.iter()
                    .find_map(|a| a.strip_prefix(flag).and_then(|v| v.strip_prefix('=')))
            })
    }

    /// The manifest of a job on a loaded scenario: `runs_done` of `runs_asked` runs.
    pub fn new(
        loaded: &crate::scenario::LoadedScenario,
        seed: u64,
        variant: Option<String>,
        runs_done: u64,
        runs_asked: u64,
        command: Vec<String>,
    ) -> Self {
        Manifest {
            tool: "brink".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            build: BUILD.map(Into::into),
            scenario: loaded.scenario.name.clone(),
            scenario_file: loaded.path.display().to_string(),
            scenario_hash: loaded.hash.clone(),
            seed,
            runs: runs_done,
            variant,
            chunk_runs: crate::engine::CHUNK_RUNS,
            complete: runs_done == runs_asked,
            stop_reason: None,
            command,
            set: loaded.overrides.iter().map(Into::into).collect(),
        }
    }

    /// The program that wrote it, as "brink 0.0.9", when it is not this build of brink (as
    /// written in the file: escape it before showing it). Another version may play the same
    /// seed otherwise, and its files need not mean what this one's do.
    pub fn other_writer(&self) -> Option<String> {
        (self.tool != "brink" || self.version != env!("CARGO_PKG_VERSION"))
            .then(|| format!("{} {}", self.tool, self.version))
    }

    /// The build that wrote it, when this version of brink wrote it and both builds are known
    /// and differ (as written in the file: escape it before showing it). Two builds of one
    /// version may play the same seed differently.
    pub fn other_build(&self) -> Option<&str> {
        let (theirs, ours) = (self.build.as_deref()?, BUILD?);
        (self.other_writer().is_none() && theirs != ours).then_some(theirs)
    }

    /// "brink 0.1.0 (build 0123456789ab)": who wrote it, for a page's manifest table.
    pub fn writer(&self) -> String {
        match &self.build {
            Some(b) => format!("{} {} (build {b})", self.tool, self.version),
            None => format!("{} {}", self.tool, self.version),
        }
    }
}

/// The scenario's vocabulary, so that a summary can be read alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// The scenario's name.
    pub name: String,
    /// What the scenario is about.
    pub description: String,
    /// What one step is ("week").
    pub step_unit: String,
    /// Calendar date of step 0 (`YYYY-MM-DD`), if given.
    pub start_date: Option<String>,
    /// Steps in one run.
    pub horizon: u32,
    /// Unit of every cost ("USD million").
    pub cost_unit: String,
    /// The focal dyad (A, B), whose mean hostility is the dyad index H.
    pub focal: (String, String),
    /// Rung names, lowest first.
    pub rungs: Vec<String>,
    /// Actor names, in the scenario's order.
    pub actors: Vec<String>,
    /// The works the scenario draws on (its `sources`), in its order; empty in summaries
    /// written before they were recorded.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A named outcome's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeResult {
    /// The outcome's name.
    pub name: String,
    /// Display name (its name when the scenario gives none).
    pub label: String,
    /// Probability with its Wilson 95% interval.
    pub probability: Interval,
    /// Runs in which it happened.
    pub runs_hit: u64,
    /// P(outcome by step t), for t = 0..horizon.
    pub by_step: Vec<f64>,
    /// Quartiles of the first step among runs where it happened.
    pub first_step_quartiles: Option<[f64; 3]>,
    /// Whether it is judged at the end of the run alone (`at_end` in the scenario): its first
    /// step is then the last one, not a week by which it happened. Absent when false (and in
    /// summaries written before it was recorded).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub judged_at_end: bool,
    /// The levels of `first_step_quartiles` (0.25, 0.5, 0.75), so a reader need not guess.
    #[serde(default = "quartile_levels")]
    pub first_step_quartile_levels: [f64; 3],
    /// Quartiles of the last step at which it held, among runs where it happened.
    #[serde(default)]
    pub last_step_quartiles: Option<[f64; 3]>,
    /// The levels of `last_step_quartiles` (0.25, 0.5, 0.75).
    #[serde(default = "quartile_levels")]
    pub last_step_quartile_levels: [f64; 3],
    /// Mean number of steps it held, among runs where it happened (its duration).
    #[serde(default)]
    pub mean_steps_held: Option<f64>,
    /// That mean with its 95% interval (Student's t over those runs, cut to 0 and the
    /// horizon); `null` below two such runs (written so, not left out, as a cost's interval
    /// is: a reader's `o["mean_steps_held_interval"]` failed on a rare outcome), absent from
    /// results written before brink kept it.
    #[serde(default)]
    pub mean_steps_held_interval: Option<Interval>,
}

/// The dyad index at one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexStep {
    /// The step (0 to horizon − 1).
    pub step: u32,
    /// Mean of H over the runs (points).
    pub mean: f64,
    /// That mean with its 95% interval: Student's t, the spread bounded from the step's
    /// histogram (never below the runs' own: see [`crate::stats::Histogram::sd_bound`]), cut
    /// to the index's bounds. `null` below two runs; absent from results written before brink
    /// kept it.
    #[serde(default)]
    pub mean_interval: Option<Interval>,
    /// Quantiles 5, 25, 50, 75, 95 %.
    pub q: [f64; 5],
}

/// An actor's cumulative gains over the horizon: "trade grew".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainResult {
    /// The actor's name.
    pub actor: String,
    /// Mean cumulative benefit per run (cost units), with its 95% interval.
    pub mean: Interval,
}

/// An actor's cumulative cost over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostResult {
    /// The actor's name.
    pub actor: String,
    /// Mean cumulative cost per run (cost units), with its 95% interval.
    pub mean: Interval,
    /// Quantiles 5, 25, 50, 75, 95 %.
    pub q: [f64; 5],
    /// The levels of `q` (0.05, 0.25, 0.5, 0.75, 0.95).
    #[serde(default = "quantile_levels")]
    pub q_levels: [f64; 5],
    /// Highest cumulative cost of any run (cost units).
    pub max: f64,
}

/// A measure's levels over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeverResult {
    /// The measure's name.
    pub name: String,
    /// The actor who owns it.
    pub owner: String,
    /// The actor it is aimed at.
    pub target: String,
    /// Level names, level 0 ("status quo") first.
    pub levels: Vec<String>,
    /// Mean level at each step.
    pub mean_level: Vec<f64>,
    /// Share of runs at each level, at each step: `[step][level]`.
    pub share_by_step: Vec<Vec<f64>>,
    /// Share of runs whose highest level was each level.
    pub highest_level: Vec<f64>,
    /// Mean number of steps it was in force (above the status quo) per run: the measures'
    /// clock, apart from the mood's.
    #[serde(default)]
    pub mean_steps_in_force: f64,
    /// That mean with its 95% interval (Student's t over the runs, cut to 0 and the
    /// horizon); `null` below two runs; absent from results written before brink kept it.
    #[serde(default)]
    pub mean_steps_in_force_interval: Option<Interval>,
    /// Share of runs in which it is in force at the end.
    #[serde(default)]
    pub in_force_at_end: f64,
    /// [`LeverResult::highest_level`]'s shares, each with its Wilson 95% interval (absent
    /// from results written before brink kept it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highest_level_interval: Vec<Interval>,
    /// [`LeverResult::in_force_at_end`] with its Wilson 95% interval (absent from results
    /// written before brink kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force_at_end_interval: Option<Interval>,
}

/// An event's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventResult {
    /// The event's name.
    pub name: String,
    /// Share of runs in which it fired at least once, with its Wilson 95% interval.
    pub probability: Interval,
    /// Median step at which it first fired, among runs where it did; none if it never fired.
    pub median_first_step: Option<f64>,
}

/// Everything `summary.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Where the result came from.
    pub manifest: Manifest,
    /// The scenario's vocabulary.
    pub scenario: ScenarioInfo,
    /// Each named outcome, in the scenario's order.
    pub outcomes: Vec<OutcomeResult>,
    /// The dyad index H at each step.
    pub index_by_step: Vec<IndexStep>,
    /// The levels of every step's quantiles `index_by_step[t].q` (0.05, 0.25, 0.5, 0.75, 0.95).
    #[serde(default = "quantile_levels")]
    pub index_quantile_levels: [f64; 5],
    /// Mean over runs of the highest H of the run (points), its starting value included, with
    /// its 95% interval.
    pub peak_index: Interval,
    /// Mean of H at the last step (points), with its 95% interval.
    pub final_index: Interval,
    /// P(rung) at each step: `[step][rung]`.
    pub rung_by_step: Vec<Vec<f64>>,
    /// P(peak rung = r), with intervals.
    pub peak_rung: Vec<Interval>,
    /// P(final rung = r), with intervals.
    pub final_rung: Vec<Interval>,
    /// Mean steps spent on each rung.
    pub mean_steps_on_rung: Vec<f64>,
    /// Those means with their 95% intervals (Student's t over the runs, cut to 0 and the
    /// horizon); empty below two runs; absent from results written before brink kept them.
    #[serde(default)]
    pub mean_steps_on_rung_interval: Vec<Interval>,
    /// Each actor's cumulative cost, in the scenario's order.
    pub costs: Vec<CostResult>,
    /// Each actor's cumulative gains (benefits of measures in force), in the scenario's order.
    #[serde(default)]
    pub gains: Vec<GainResult>,
    /// Each measure's levels (acts have none), in the order of their names.
    pub levers: Vec<LeverResult>,
    /// Each event: how often and when it fired.
    pub events: Vec<EventResult>,
    /// Co-occurrence of the outcomes: `[a][b]` is P(a | b), the share of the runs in which
    /// outcome `b` happened in which outcome `a` happened too (1 on the diagonal); none where
    /// `b` never happened. Empty when the tally did not count pairs (older shard files) and in
    /// summaries written before it was recorded.
    #[serde(default)]
    pub co_occurrence: Vec<Vec<Option<f64>>>,
    /// Each outcome's running estimate as runs accumulated, so that a reader can see it has
    /// settled: a point at each fixed run count the runs reached (100, 125, 160, 200, ...: ten
    /// per decade, see [`crate::stats::is_checkpoint`]) and always one at all the runs, the
    /// last, equal to [`OutcomeResult::probability`]. The same on any number of threads and
    /// any split into shards. Empty in summaries written before it was recorded.
    #[serde(default)]
    pub convergence: Vec<ConvergencePoint>,
}

/// The outcomes' estimates once a number of runs were done: one point of [`Summary::convergence`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvergencePoint {
    /// Runs done (the job's runs 0 to `runs` − 1).
    pub runs: u64,
    /// Each outcome's probability over those runs with its Wilson 95% interval, in the
    /// scenario's order.
    pub probability: Vec<Interval>,
}

/// The running estimates of a tally of the job's runs from `first_run` on (0 for a whole job;
/// a shard's first run for a shard, whose points then count its own runs): a point at each of
/// its checkpoints and one at all its runs; none when it holds no runs.
pub fn convergence(tally: &Tally, first_run: u64) -> Vec<ConvergencePoint> {
    let point = |runs: u64, hits: &[u64]| ConvergencePoint {
        runs,
        probability: hits.iter().map(|&k| wilson(k, runs, Z95)).collect(),
    };
    let mut out: Vec<ConvergencePoint> = tally
        .checkpoints
        .iter()
        .filter(|c| c.runs > first_run && c.runs - first_run <= tally.runs)
        .map(|c| point(c.runs - first_run, &c.outcome_hits))
        .collect();
    if tally.runs > 0 && out.last().is_none_or(|p| p.runs != tally.runs) {
        out.push(point(tally.runs, &tally.outcome_hits));
    }
    out
}

/// P(a | b) for every pair of outcomes, from the tally's pair counts (see
/// [`Summary::co_occurrence`]); empty when it has none.
pub fn co_occurrence(tally: &Tally) -> Vec<Vec<Option<f64>>> {
    if !tally.has_outcome_pairs() {
        return vec![];
    }
    let n = tally.outcome_hits.len();
    (0..n)
        .map(|a| {
            (0..n)
                .map(|b| {
                    let hb = tally.outcome_hits[b];
                    (hb > 0).then(|| tally.outcome_pair(a, b).unwrap_or(0) as f64 / hb as f64)
                })
                .collect()
        })
        .collect()
}

const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The count of runs behind a share of `n` runs: a share is the count over `n` in doubles,
/// correctly rounded, so the nearest whole number is the count (exactly, to 2^50 runs).
fn count_of(p: f64, n: u64) -> u64 {
    (p * n as f64).round() as u64
}

/// A share of `n` runs with its Wilson 95% interval. The summary keeps its shares alone (not
/// an interval beside each of thousands of per-step shares): each is a count over the runs,
/// and its interval is the count's.
///
/// ```
/// let i = brink::analysis::summary::share_interval(0.3955, 2000);
/// assert_eq!(i, brink::stats::wilson(791, 2000, brink::stats::Z95));
/// ```
pub fn share_interval(p: f64, n: u64) -> Interval {
    wilson(count_of(p, n), n, Z95)
}

/// P(an outcome by step `t`), `by_step[t]` of `runs` runs, with its Wilson 95% interval. An
/// outcome judged at the end alone (`at_end`) cannot have happened before the last step:
/// there its share is 0 by construction, not by sampling, and its interval is exactly [0, 0]
/// (Wilson's would reach 16% at 20 runs).
///
/// ```
/// use brink::analysis::summary::so_far_interval;
/// let i = so_far_interval(&[0.0, 0.0, 0.25], 1, 20, true);
/// assert_eq!((i.low, i.high), (0.0, 0.0));
/// assert!(so_far_interval(&[0.0, 0.0, 0.25], 1, 20, false).high > 0.1);
/// assert!(so_far_interval(&[0.0, 0.0, 0.25], 2, 20, true).low > 0.0);
/// ```
pub fn so_far_interval(by_step: &[f64], t: usize, runs: u64, at_end: bool) -> Interval {
    if at_end && t + 1 < by_step.len() {
        return Interval {
            estimate: 0.0,
            low: 0.0,
            high: 0.0,
        };
    }
    share_interval(by_step[t], runs)
}

/// A mean interval of an amount no run can have below 0 (costs and gains: every cost and
/// benefit of a scenario is at least 0), cut at 0: Student's t interval of a mean of mostly
/// zeros and a few large values reached below it (a cost of −3 to +40).
pub(crate) fn not_below_zero(mut i: Interval) -> Interval {
    // From one run there is no interval (±∞), and it stays none.
    if i.low.is_finite() {
        i.low = i.low.max(0.0);
    }
    i
}

/// A mean interval of the hostility index (a run's peak or final H), cut to the hostility
/// bounds no run leaves: from 2 runs, Student's t (12.7 standard errors) reached far past them
/// (a mean H of 3 given as −40 to +46 on bounds of ±10).
pub(crate) fn within_bounds(mut i: Interval, (lo, hi): (f64, f64)) -> Interval {
    // From one run there is no interval (±∞), and it stays none.
    if i.low.is_finite() && i.high.is_finite() {
        i.low = i.low.clamp(lo, hi);
        i.high = i.high.clamp(lo, hi);
    }
    i
}

/// The levels of the five quantiles summary.json gives (index by step, costs).
pub fn quantile_levels() -> [f64; 5] {
    QS
}

/// The mean of a whole number of steps per run, from `n` runs, their sum and the sum of their
/// squares, with its 95% interval (Student's t) cut to 0 and the horizon, where no run's value
/// can lie; none below two runs (no spread to measure) or without the squares (a result
/// merged from a tally written before they were kept).
fn steps_interval(n: u64, sum: u128, squares: Option<u128>, horizon: u32) -> Option<Interval> {
    steps_interval_from(n, sum, squares, 0, horizon)
}

/// As [`steps_interval`], of values no run has below `least` (an outcome's steps held: at
/// least one in every run it happened in).
fn steps_interval_from(
    n: u64,
    sum: u128,
    squares: Option<u128>,
    least: u32,
    horizon: u32,
) -> Option<Interval> {
    let squares = squares?;
    if n < 2 {
        return None;
    }
    Some(bounded_mean_interval_of_sums(
        n,
        sum,
        squares,
        (f64::from(least), f64::from(horizon)),
    ))
}

/// The levels of the quartiles summary.json gives (first and last steps).
pub fn quartile_levels() -> [f64; 3] {
    [0.25, 0.5, 0.75]
}

fn first_step_quantiles(counts: &[u64], qs: &[f64]) -> Option<Vec<f64>> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    Some(
        qs.iter()
            .map(|&q| {
                let target = (q * total as f64).ceil().max(1.0) as u64;
                let mut acc = 0;
                for (t, &c) in counts.iter().enumerate() {
                    acc += c;
                    if acc >= target {
                        return t as f64;
                    }
                }
                (counts.len() - 1) as f64
            })
            .collect(),
    )
}

impl Summary {
    /// Builds the summary of a tally.
    pub fn new(m: &Model, tally: &Tally, manifest: Manifest) -> Self {
        let n = tally.runs;
        // The shares' intervals are read from the shares and `manifest.runs`, which every
        // command sets to the tally's runs (a merge's to all the shards'); the compare page's
        // vocabulary-only summary of no runs reads no interval.
        let nf = n.max(1) as f64;
        let s = &m.scenario;
        let outcomes = m
            .outcomes
            .iter()
            .enumerate()
            .map(|(o, spec)| {
                let so_far: Vec<u64> = tally.outcome_first[o]
                    .iter()
                    .scan(0, |acc, &c| {
                        *acc += c;
                        Some(*acc)
                    })
                    .collect();
                let by_step = so_far.iter().map(|&k| k as f64 / nf).collect();
                OutcomeResult {
                    name: spec.name.clone(),
                    label: spec.label.clone(),
                    probability: wilson(tally.outcome_hits[o], n, Z95),
                    runs_hit: tally.outcome_hits[o],
                    by_step,
                    first_step_quartiles: first_step_quantiles(
                        &tally.outcome_first[o],
                        &[0.25, 0.5, 0.75],
                    )
                    .map(|v| [v[0], v[1], v[2]]),
                    judged_at_end: spec.at_end,
                    first_step_quartile_levels: quartile_levels(),
                    last_step_quartile_levels: quartile_levels(),
                    last_step_quartiles: tally.outcome_last.get(o).and_then(|last| {
                        first_step_quantiles(last, &[0.25, 0.5, 0.75]).map(|v| [v[0], v[1], v[2]])
                    }),
                    mean_steps_held: (tally.outcome_hits[o] > 0).then(|| {
                        tally.outcome_steps.get(o).copied().unwrap_or(0) as f64
                            / tally.outcome_hits[o] as f64
                    }),
                    mean_steps_held_interval: if spec.at_end {
                        // Judged at the end alone, an outcome holds one step in every run it
                        // happens in, by definition: exact, from one run too (from two, as
                        // every duration, only where the tally kept the squares).
                        let one = Interval {
                            estimate: 1.0,
                            low: 1.0,
                            high: 1.0,
                        };
                        match tally.outcome_hits[o] {
                            0 => None,
                            1 => Some(one),
                            _ => tally.outcome_steps_squares.get(o).map(|_| one),
                        }
                    } else {
                        steps_interval_from(
                            tally.outcome_hits[o],
                            tally.outcome_steps.get(o).copied().unwrap_or(0) as u128,
                            tally.outcome_steps_squares.get(o).copied(),
                            1,
                            m.horizon,
                        )
                    },
                }
            })
            .collect();
        let index_by_step = (0..m.horizon as usize)
            .map(|t| {
                let mean = tally.index_mean_by_step[t].value() / nf;
                IndexStep {
                    step: t as u32,
                    mean,
                    mean_interval: (n >= 2).then(|| {
                        bounded_mean_interval(n, mean, tally.index_by_step[t].sd_bound(), m.bounds)
                    }),
                    q: QS.map(|q| tally.index_by_step[t].quantile(q)),
                }
            })
            .collect();
        let share = |c: &[u64]| c.iter().map(|&x| x as f64 / nf).collect::<Vec<f64>>();
        let levers = m
            .measures
            .iter()
            .enumerate()
            .map(|(k, ms)| LeverResult {
                name: ms.name.clone(),
                owner: m.actors[ms.owner].name.clone(),
                target: m.actors[ms.target].name.clone(),
                levels: std::iter::once("status quo".to_string())
                    .chain(ms.levels.iter().map(|l| l.name.clone()))
                    .collect(),
                mean_level: (0..m.horizon as usize)
                    .map(|t| {
                        tally
                            .level_counts(k, t)
                            .iter()
                            .enumerate()
                            .map(|(l, &x)| l as f64 * x as f64)
                            .sum::<f64>()
                            / nf
                    })
                    .collect(),
                share_by_step: (0..m.horizon as usize)
                    .map(|t| share(tally.level_counts(k, t)))
                    .collect(),
                highest_level: share(&tally.max_level[k]),
                mean_steps_in_force: (0..m.horizon as usize)
                    .map(|t| 1.0 - tally.level_counts(k, t)[0] as f64 / nf)
                    .sum(),
                mean_steps_in_force_interval: steps_interval(
                    n,
                    (0..m.horizon as usize)
                        .map(|t| u128::from(n - tally.level_counts(k, t)[0]))
                        .sum(),
                    tally.steps_in_force_squares.get(k).copied(),
                    m.horizon,
                ),
                // The runs in force over all runs, as every other share (1 − the share at
                // level 0 rounded the other way at ties: 753 of 2,000 read 37.6% here and
                // 37.7% as an outcome).
                in_force_at_end: tally.level_counts(k, m.horizon as usize - 1)[1..]
                    .iter()
                    .sum::<u64>() as f64
                    / nf,
                highest_level_interval: tally.max_level[k]
                    .iter()
                    .map(|&x| wilson(x, n, Z95))
                    .collect(),
                in_force_at_end_interval: Some(wilson(
                    tally.level_counts(k, m.horizon as usize - 1)[1..]
                        .iter()
                        .sum::<u64>(),
                    n,
                    Z95,
                )),
            })
            .collect();
        Summary {
            manifest,
            scenario: ScenarioInfo {
                name: s.name.clone(),
                description: s.description.clone(),
                step_unit: s.step_unit.clone(),
                start_date: s.start_date.clone(),
                horizon: m.horizon,
                cost_unit: s.cost_unit.clone(),
                focal: s.focal.clone(),
                rungs: m.rung_names.clone(),
                actors: m.actors.iter().map(|a| a.name.clone()).collect(),
                sources: s.sources.clone(),
            },
            outcomes,
            index_by_step,
            index_quantile_levels: QS,
            peak_index: within_bounds(tally.peak_index_moments.interval(), m.bounds),
            final_index: within_bounds(tally.final_index_moments.interval(), m.bounds),
            rung_by_step: (0..m.horizon as usize)
                .map(|t| share(tally.rung_counts(t)))
                .collect(),
            peak_rung: tally.peak_rung.iter().map(|&k| wilson(k, n, Z95)).collect(),
            final_rung: tally
                .final_rung
                .iter()
                .map(|&k| wilson(k, n, Z95))
                .collect(),
            mean_steps_on_rung: tally.steps_on_rung.iter().map(|&x| x as f64 / nf).collect(),
            mean_steps_on_rung_interval: tally
                .steps_on_rung
                .iter()
                .zip(&tally.steps_on_rung_squares)
                .filter_map(|(&x, &q)| steps_interval(n, x as u128, Some(q), m.horizon))
                .collect(),
            gains: m
                .actors
                .iter()
                .zip(&tally.gain)
                .map(|(spec, g)| GainResult {
                    actor: spec.name.clone(),
                    mean: not_below_zero(g.interval()),
                })
                .collect(),
            costs: m
                .actors
                .iter()
                .enumerate()
                .map(|(a, spec)| {
                    // Log-scale bins are ~5% wide: keep their quantiles inside what was seen.
                    let (lo, hi) = (
                        tally.cost[a].min.unwrap_or(0.0),
                        tally.cost[a].max.unwrap_or(0.0),
                    );
                    CostResult {
                        actor: spec.name.clone(),
                        mean: not_below_zero(tally.cost[a].interval()),
                        q: QS.map(|q| tally.cost_hist[a].quantile(q).clamp(lo, hi)),
                        q_levels: QS,
                        max: hi,
                    }
                })
                .collect(),
            levers,
            events: m
                .events
                .iter()
                .enumerate()
                .map(|(e, spec)| EventResult {
                    name: spec.name.clone(),
                    probability: wilson(tally.event_hits[e], n, Z95),
                    median_first_step: first_step_quantiles(&tally.event_first[e], &[0.5])
                        .map(|v| v[0]),
                })
                .collect(),
            co_occurrence: co_occurrence(tally),
            convergence: convergence(tally, 0),
        }
    }

    /// The runs behind every share of the summary.
    pub fn runs(&self) -> u64 {
        self.manifest.runs
    }

    /// P(outcome `o` by step `t`) with its Wilson 95% interval ([`so_far_interval`]).
    pub fn so_far_interval(&self, o: usize, t: usize) -> Interval {
        let outcome = &self.outcomes[o];
        so_far_interval(&outcome.by_step, t, self.runs(), outcome.judged_at_end)
    }

    /// P(rung `r` at step `t`) with its Wilson 95% interval.
    pub fn rung_interval(&self, t: usize, r: usize) -> Interval {
        share_interval(self.rung_by_step[t][r], self.runs())
    }

    /// Measure `k`'s mean level at step `t` with its 95% interval
    /// ([`crate::stats::levels_mean_interval`] of the runs at each level); none below two
    /// runs.
    pub fn mean_level_interval(&self, k: usize, t: usize) -> Option<Interval> {
        let n = self.runs();
        let counts: Vec<u64> = self.levers[k].share_by_step[t]
            .iter()
            .map(|&p| count_of(p, n))
            .collect();
        levels_mean_interval(&counts)
    }

    /// P(outcome `a` | outcome `b`) with its Wilson 95% interval over the runs in which `b`
    /// happened; none where `b` never happened or the result has no co-occurrence.
    pub fn co_occurrence_interval(&self, a: usize, b: usize) -> Option<Interval> {
        let p = (*self.co_occurrence.get(a)?.get(b)?)?;
        Some(share_interval(p, self.outcomes[b].runs_hit))
    }

    /// The calendar date of a step (see [`date_of_step`]).
    pub fn date_of_step(&self, step: u32) -> Option<String> {
        date_of_step(
            self.scenario.start_date.as_deref(),
            &self.scenario.step_unit,
            step,
        )
    }
}

/// The calendar date of a step, when the scenario has a start date (`YYYY-MM-DD`) and a step
/// of a day or a week; `None` past 9999-12-31, which `YYYY-MM-DD` cannot write (validation
/// refuses a scenario whose steps run past it; a chart's axis may reach one step further).
pub fn date_of_step(start_date: Option<&str>, step_unit: &str, step: u32) -> Option<String> {
    let days_per_step = crate::scenario::timeline::days_per_step(step_unit)?;
    let start = start_date?;
    let y: i64 = start.get(0..4)?.parse().ok()?;
    let mo: u32 = start.get(5..7)?.parse().ok()?;
    let d: u32 = start.get(8..10)?.parse().ok()?;
    let days = days_from_civil(y, mo, d) + days_per_step * step as i64;
    let (y, mo, d) = civil_from_days(days);
    (0..=9999)
        .contains(&y)
        .then(|| format!("{y:04}-{mo:02}-{d:02}"))
}

/// The UTC calendar date (`YYYY-MM-DD`) of a time given in seconds since 1970-01-01 00:00
/// UTC (a Unix time): the application turns the clock's reading into the report's analysis
/// date with it, so that the library never reads the clock.
pub fn utc_date(unix_seconds: i64) -> String {
    let (y, mo, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{y:04}-{mo:02}-{d:02}")
}

// Howard Hinnant's civil-calendar algorithms.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outcome held at least one step in every run it happened in: its mean steps held's
    /// interval never reaches below 1, not when every run held it one step (Wilson's room
    /// reached 0.34 from two runs), nor by Student's t.
    #[test]
    fn steps_held_intervals_stay_at_one_step_or_more() {
        let i = steps_interval_from(2, 2, Some(2), 1, 52).unwrap();
        assert_eq!((i.estimate, i.low), (1.0, 1.0));
        assert!(i.high > 1.0);
        let j = steps_interval_from(2, 1 + 40, Some(1 + 1600), 1, 52).unwrap();
        assert!(j.low >= 1.0 && j.low <= j.estimate, "{j:?}");
    }

    #[test]
    fn utc_dates_of_unix_times() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(86_399), "1970-01-01");
        assert_eq!(utc_date(-1), "1969-12-31");
        // 2025-07-01 00:00:00 UTC.
        assert_eq!(utc_date(1_751_328_000), "2025-07-01");
        assert_eq!(utc_date(1_709_164_800), "2024-02-29");
    }

    #[test]
    fn dates_of_steps_stay_within_four_digit_years() {
        assert_eq!(
            date_of_step(Some("2025-01-06"), "week", 51).as_deref(),
            Some("2025-12-29")
        );
        assert_eq!(
            date_of_step(Some("0000-01-01"), "day", 0).as_deref(),
            Some("0000-01-01")
        );
        assert_eq!(
            date_of_step(Some("9999-12-25"), "weeks", 0).as_deref(),
            Some("9999-12-25")
        );
        use crate::scenario::timeline::{LAST_DATE, LAST_DAY, day_number};
        assert_eq!(day_number(LAST_DATE), Ok(LAST_DAY));
        // The step after: 10000-01-01, which YYYY-MM-DD cannot write.
        assert_eq!(date_of_step(Some("9999-12-25"), "weeks", 1), None);
        assert_eq!(date_of_step(Some("9999-01-04"), "week", 5199), None);
        assert_eq!(date_of_step(Some("2025-01-06"), "month", 0), None);
    }

    #[test]
    fn calendar_round_trip() {
        assert_eq!(
            civil_from_days(days_from_civil(2025, 7, 1) + 7 * 26),
            (2025, 12, 30)
        );
        assert_eq!(
            civil_from_days(days_from_civil(2024, 2, 28) + 1),
            (2024, 2, 29)
        );
    }
}
