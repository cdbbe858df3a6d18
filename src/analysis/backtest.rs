//! `brink backtest`: a scenario scored against what happened.
//!
//! Each fact of an observed timeline becomes a question every run answers (did the outcome
//! first happen in the observed window? was the measure at the observed level on the date?).
//! From one pass of runs come, per fact, the model's probability of it, where the observation
//! falls in the model's distribution (the PIT, as an interval for discrete distributions,
//! Czado, Gneiting & Held 2009), whether it lies in the central 50/80/95% bands and how wide
//! they are, and proper scores; and over all facts, the share of runs in which every fact held
//! (the probability of the whole observed path).

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{Manifest, Summary};
use crate::engine::{self, Interrupted, RunPlan, for_each_chunk};
use crate::error::{Error, Result};
use crate::model::{self, Model, RunState, Silent};
use crate::numerics::rng::Master;
use crate::scenario::LoadedScenario;
use crate::scenario::timeline::{Observed, Target, Timeline, step_of_date};
use crate::scenario::{Condition, Outcome, Scenario};
use crate::stats::{Interval, Tally, Z95, wilson, wilson_effective};

/// The central bands every banded fact is checked against.
pub const BANDS: [f64; 3] = [0.5, 0.8, 0.95];

/// Prefix of the outcomes a timeline adds to its scenario to follow its targets.
pub const FACT_OUTCOME_PREFIX: &str = "fact__";

/// What a compiled fact asks of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum FactQuestion {
    /// The target (an outcome of the model) first held in steps `lo..=hi` (the observed window
    /// widened by the tolerance); `obs` is the observed window itself.
    Dated {
        /// The outcome that follows the target.
        outcome: usize,
        /// First step of the accepted window.
        lo: u32,
        /// Last step of the accepted window.
        hi: u32,
        /// The observed window, without tolerance.
        obs: (u32, u32),
    },
    /// The target first held at or before `step` (`happened`), or not (`!happened`).
    By {
        /// The outcome that follows the target.
        outcome: usize,
        /// The last step counted.
        step: u32,
        /// Whether the fact says it had happened.
        happened: bool,
    },
    /// The measure stood at `level` at the end of `step` (`snapshot`: its index in the model's
    /// snapshot steps).
    Level {
        /// The measure.
        measure: usize,
        /// The observed level.
        level: u8,
        /// The step.
        step: u32,
        /// Index of the step among the model's snapshot steps.
        snapshot: usize,
    },
    /// The mood stood on `rung` at the end of `step`.
    Rung {
        /// The observed rung.
        rung: usize,
        /// The step.
        step: u32,
        /// Index of the step among the model's snapshot steps.
        snapshot: usize,
    },
}

/// A fact of the timeline, compiled against its case's model.
#[derive(Debug, Clone)]
pub struct CompiledFact {
    /// The fact's name.
    pub name: String,
    /// Its display name (its name when it has none).
    pub label: String,
    /// Its source.
    pub source: String,
    /// The observation in words ("first happened 2016-06-27", "level 1 on 2016-01-01").
    pub observed: String,
    /// The date (the first of a window).
    pub date: String,
    /// What a run is asked.
    pub question: FactQuestion,
    /// Categories of the fact's distribution, when it has one: steps then "never" for dated
    /// facts, levels or rungs for states; none for yes/no facts.
    pub categories: usize,
}

/// A case: a scenario, its timeline, the model compiled with the timeline's questions.
#[derive(Debug, Clone)]
pub struct Case {
    /// The timeline's name.
    pub name: String,
    /// The model (with an outcome per dated target the scenario does not name itself, and the
    /// snapshot steps the states need). Its runs are the scenario's runs bit for bit: the added
    /// outcomes draw nothing.
    pub model: Model,
    /// The facts, in the timeline's order.
    pub facts: Vec<CompiledFact>,
}

/// Compiles a scenario and its (checked) timeline into a case.
pub fn compile_case(scenario: &Scenario, timeline: &Timeline) -> Result<Case> {
    let start = scenario.start_date.as_deref().ok_or_else(|| {
        Error::Input(format!(
            "scenario {:?} has no start_date: a timeline's dates need one",
            scenario.name
        ))
    })?;
    let horizon = scenario.horizon;
    let step = |date: &str| -> Result<u32> {
        let s = step_of_date(date, start, &scenario.step_unit).map_err(Error::Input)?;
        if s < 0 || s >= horizon {
            return Err(Error::Input(format!(
                "date {date} is step {s}, outside the scenario's steps 0 to {}",
                horizon.saturating_sub(1)
            )));
        }
        Ok(s as u32)
    };
    let mut s = scenario.clone();
    // Targets other than the scenario's own outcomes become outcomes of their own.
    let target_outcome = |s: &mut Scenario, fact: &str, t: &Target| -> String {
        let cond = match t {
            Target::Outcome(name) => return name.clone(),
            Target::Act(a) => Condition::ActOccurred(a.clone()),
            Target::Event(e) => Condition::EventOccurred(e.clone()),
            Target::Reached(m, l) => Condition::LevelAtLeast(m.clone(), *l as i64),
            Target::Lifted(m, l) => Condition::All(vec![
                Condition::LevelEverReached(m.clone(), *l as i64),
                Condition::Not(Box::new(Condition::LevelAtLeast(m.clone(), *l as i64))),
            ]),
            Target::Rung(r) => Condition::RungAtLeast(r.clone()),
            Target::Condition(c) => c.clone(),
        };
        let mut name = format!("{FACT_OUTCOME_PREFIX}{fact}");
        // A scenario may name an outcome so itself: the added one takes another name.
        while s.outcomes.iter().any(|o| o.name == name) {
            name.push('_');
        }
        s.outcomes.push(Outcome {
            name: name.clone(),
            label: format!("{fact} (timeline)"),
            when: cond,
            at_end: false,
            source: "the observed timeline's target".into(),
        });
        name
    };
    enum Pending {
        Dated(String, u32, u32, u32),
        By(String, u32, bool),
        Level(String, u32, u32),
        Rung(String, u32),
    }
    let mut pending = Vec::with_capacity(timeline.facts.len());
    let mut snaps: Vec<u32> = vec![];
    for f in &timeline.facts {
        let (p, observed) = match &f.observed {
            Observed::Happened {
                what,
                date,
                until,
                tolerance,
            } => {
                let lo = step(date)?;
                let hi = match until {
                    Some(u) => step(u)?,
                    None => lo,
                };
                let o = target_outcome(&mut s, &f.name, what);
                let when = match until {
                    Some(u) => format!("first happened between {date} and {u}"),
                    None => format!("first happened on {date}"),
                };
                let tol = if *tolerance > 0 {
                    // "± 1 week", "± 29 weeks", whichever way the scenario spells its unit.
                    format!(
                        " (± {})",
                        crate::scenario::n_steps(*tolerance, &scenario.step_unit)
                    )
                } else {
                    String::new()
                };
                (
                    Pending::Dated(o, lo, hi, *tolerance),
                    format!("{when}{tol}"),
                )
            }
            Observed::HappenedBy { what, date } => (
                Pending::By(target_outcome(&mut s, &f.name, what), step(date)?, true),
                format!("had happened by {date}"),
            ),
            Observed::NotBy { what, date } => (
                Pending::By(target_outcome(&mut s, &f.name, what), step(date)?, false),
                format!("had not happened by {date}"),
            ),
            Observed::LevelOn {
                measure,
                level,
                date,
            } => {
                let t = step(date)?;
                snaps.push(t);
                (
                    Pending::Level(measure.clone(), *level, t),
                    format!("{measure} at level {level} on {date}"),
                )
            }
            Observed::RungOn { rung, date } => {
                let t = step(date)?;
                snaps.push(t);
                (
                    Pending::Rung(rung.clone(), t),
                    format!("mood on rung {rung} on {date}"),
                )
            }
        };
        pending.push((p, observed));
    }
    snaps.sort_unstable();
    snaps.dedup();
    let mut model = model::compile(&s, None)?;
    model.snapshot_steps = snaps.clone();
    let snapshot = |t: u32| snaps.binary_search(&t).unwrap_or(0);
    let outcome = |m: &Model, name: &str| -> Result<usize> {
        m.outcome_index(name).ok_or_else(|| {
            Error::Input(format!(
                "the timeline names unknown outcome {}",
                crate::text::quoted_name(name)
            ))
        })
    };
    let mut facts = Vec::with_capacity(pending.len());
    for (f, (p, observed)) in timeline.facts.iter().zip(pending) {
        let (question, categories) = match p {
            Pending::Dated(o, lo, hi, tol) => (
                FactQuestion::Dated {
                    outcome: outcome(&model, &o)?,
                    lo: lo.saturating_sub(tol),
                    hi: hi.saturating_add(tol).min(model.horizon - 1),
                    obs: (lo, hi),
                },
                model.horizon as usize + 1,
            ),
            Pending::By(o, t, happened) => (
                FactQuestion::By {
                    outcome: outcome(&model, &o)?,
                    step: t,
                    happened,
                },
                0,
            ),
            Pending::Level(name, level, t) => {
                let k = model.measure_index(&name).ok_or_else(|| {
                    Error::Input(format!(
                        "the timeline names unknown measure {}",
                        crate::text::quoted_name(&name)
                    ))
                })?;
                let levels = model.measures[k].levels.len();
                if level as usize > levels {
                    return Err(Error::Input(format!(
                        "fact {}: measure {name} has levels 0 to {levels}, not {level}",
                        f.name
                    )));
                }
                (
                    FactQuestion::Level {
                        measure: k,
                        level: level as u8,
                        step: t,
                        snapshot: snapshot(t),
                    },
                    levels + 1,
                )
            }
            Pending::Rung(name, t) => (
                FactQuestion::Rung {
                    rung: model.rung_index(&name).ok_or_else(|| {
                        Error::Input(format!("the timeline names unknown rung {name:?}"))
                    })?,
                    step: t,
                    snapshot: snapshot(t),
                },
                model.rung_names.len(),
            ),
        };
        let date = match &f.observed {
            Observed::Happened { date, .. }
            | Observed::HappenedBy { date, .. }
            | Observed::NotBy { date, .. }
            | Observed::LevelOn { date, .. }
            | Observed::RungOn { date, .. } => date.clone(),
        };
        facts.push(CompiledFact {
            name: f.name.clone(),
            label: if f.label.is_empty() {
                f.name.clone()
            } else {
                f.label.clone()
            },
            source: f.source.clone(),
            observed,
            date,
            question,
            categories,
        });
    }
    Ok(Case {
        name: timeline.name.clone(),
        model,
        facts,
    })
}

impl CompiledFact {
    /// The category of a finished run in the fact's distribution (a step, or the horizon for
    /// "never"; a level; a rung), for facts that have one.
    pub fn category(&self, m: &Model, st: &RunState) -> Option<usize> {
        match self.question {
            FactQuestion::Dated { outcome, .. } => {
                let f = st.outcome_first[outcome];
                Some(if f == u32::MAX {
                    m.horizon as usize
                } else {
                    f as usize
                })
            }
            FactQuestion::By { .. } => None,
            FactQuestion::Level {
                measure, snapshot, ..
            } => Some(st.snapshot_levels[snapshot * m.measures.len() + measure] as usize),
            FactQuestion::Rung { snapshot, .. } => Some(st.snapshot_rungs[snapshot]),
        }
    }

    /// Whether the fact held in a finished run.
    pub fn holds(&self, m: &Model, st: &RunState) -> bool {
        match self.question {
            FactQuestion::Dated {
                outcome, lo, hi, ..
            } => {
                let f = st.outcome_first[outcome];
                f != u32::MAX && (lo..=hi).contains(&f)
            }
            FactQuestion::By {
                outcome,
                step,
                happened,
            } => (st.outcome_first[outcome] <= step) == happened,
            FactQuestion::Level {
                measure,
                level,
                snapshot,
                ..
            } => st.snapshot_levels[snapshot * m.measures.len() + measure] == level,
            FactQuestion::Rung { rung, snapshot, .. } => st.snapshot_rungs[snapshot] == rung,
        }
    }

    /// The observed categories `(first, last)` of a fact with a distribution: for a dated fact
    /// the observed window itself (the tolerance widens only what counts as the fact holding,
    /// not where the observation falls).
    pub fn observed_categories(&self) -> Option<(usize, usize)> {
        match self.question {
            FactQuestion::Dated { obs, .. } => Some((obs.0 as usize, obs.1 as usize)),
            FactQuestion::By { .. } => None,
            FactQuestion::Level { level, .. } => Some((level as usize, level as usize)),
            FactQuestion::Rung { rung, .. } => Some((rung, rung)),
        }
    }

    /// How far a run is from the fact, from 0 (it holds) to 1: the ABC distance of one fact.
    /// A dated fact missed by `d` steps is `d / scale` away (1 beyond `scale` or never); a
    /// level or rung `d` categories off is `d / (categories − 1)` away; a yes/no fact 0 or 1.
    pub fn distance(&self, m: &Model, st: &RunState, scale: f64) -> f64 {
        match self.question {
            FactQuestion::Dated {
                outcome, lo, hi, ..
            } => {
                let f = st.outcome_first[outcome];
                if f == u32::MAX {
                    1.0
                } else if f < lo {
                    ((lo - f) as f64 / scale).min(1.0)
                } else if f > hi {
                    ((f - hi) as f64 / scale).min(1.0)
                } else {
                    0.0
                }
            }
            FactQuestion::By { .. } => f64::from(u8::from(!self.holds(m, st))),
            FactQuestion::Level { .. } | FactQuestion::Rung { .. } => {
                let c = self.category(m, st).unwrap_or(0) as f64;
                let (o, _) = self.observed_categories().unwrap_or((0, 0));
                (c - o as f64).abs() / (self.categories.max(2) - 1) as f64
            }
        }
    }
}

/// The steps a dated fact may miss by before its ABC distance is 1: an eighth of the horizon,
/// at least four steps.
pub fn date_scale(m: &Model) -> f64 {
    (m.horizon as f64 / 8.0).max(4.0)
}

/// Counts over runs of a case's facts: mergeable, exact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactTally {
    /// Runs counted.
    pub runs: u64,
    /// Runs in which each fact held.
    pub holds: Vec<u64>,
    /// Runs in which every fact held.
    pub all_hold: u64,
    /// Each fact's distribution over its categories (empty for yes/no facts).
    pub categories: Vec<Vec<u64>>,
}

impl FactTally {
    /// An empty tally for a case.
    pub fn new(case: &Case) -> Self {
        FactTally {
            runs: 0,
            holds: vec![0; case.facts.len()],
            all_hold: 0,
            categories: case.facts.iter().map(|f| vec![0; f.categories]).collect(),
        }
    }

    /// Counts a finished run.
    pub fn record(&mut self, case: &Case, st: &RunState) {
        self.runs += 1;
        let mut all = true;
        for (i, f) in case.facts.iter().enumerate() {
            let h = f.holds(&case.model, st);
            self.holds[i] += h as u64;
            all &= h;
            if let Some(c) = f.category(&case.model, st) {
                self.categories[i][c] += 1;
            }
        }
        self.all_hold += all as u64;
    }

    /// Adds another tally's runs.
    pub fn merge(&mut self, o: &FactTally) {
        self.runs += o.runs;
        self.all_hold += o.all_hold;
        for (a, b) in self.holds.iter_mut().zip(&o.holds) {
            *a += b;
        }
        for (a, b) in self.categories.iter_mut().zip(&o.categories) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }
}

/// Calibrated values of some of a case's numbers: each run takes one particle (all equally
/// weighted), chosen by the run's own stream, in place of its prior draws.
#[derive(Debug, Clone, Default)]
pub struct ParticleDraws {
    /// The model's indices of the numbers the particles set.
    pub params: Vec<usize>,
    /// The particles: one value per number of `params` each.
    pub particles: Vec<Vec<f64>>,
}

/// Component of a run's stream that picks its particle (after the model's five).
pub const PARTICLE_COMPONENT: u64 = 5;

impl ParticleDraws {
    /// Sets a run's sampled values to its particle's.
    pub fn apply(&self, master: &Master, run: u64, values: &mut [f64]) {
        if self.particles.is_empty() {
            return;
        }
        let u = master.stream(run, PARTICLE_COMPONENT).uniform();
        let j = ((u * self.particles.len() as f64) as usize).min(self.particles.len() - 1);
        for (&p, &x) in self.params.iter().zip(&self.particles[j]) {
            values[p] = x;
        }
    }
}

/// Runs a case: the engine's tally (for the charts) and the facts' tally, the same for any
/// number of threads (fixed chunks merged in order). `done` is told the runs of each chunk as
/// it is merged (for a progress bar: a case of many facts over a long horizon may take
/// minutes).
pub fn run_case(
    case: &Case,
    draws: &ParticleDraws,
    seed: u64,
    runs: u64,
    threads: usize,
    stop: &AtomicBool,
    done: &dyn Fn(u64),
) -> std::result::Result<(Tally, FactTally), Interrupted> {
    let m = &case.model;
    // One model's counts always fit the budget twice over (the size limits see to it); on
    // many threads the chunks in flight are fitted as `run`'s are.
    let bytes = Tally::bytes_for(m);
    let slot = bytes + RunState::level_log_bytes(m);
    let whole = RunPlan::whole(seed, runs, threads);
    let plan = whole.clone().fitted(slot, bytes).unwrap_or(whole);
    let master = Master::new(seed);
    let mut tally = Tally::new(m);
    let mut facts = FactTally::new(case);
    for_each_chunk(
        &plan,
        stop,
        |chunk| case_chunk(case, draws, &plan, &master, chunk, stop),
        |(t, f)| {
            done(t.runs);
            tally.merge(&t);
            facts.merge(&f);
        },
    )?;
    Ok((tally, facts))
}

/// One chunk of a case's runs: their counts and their facts. Left part-done after a stop,
/// checked before each run (nothing is merged after one).
fn case_chunk(
    case: &Case,
    draws: &ParticleDraws,
    plan: &RunPlan,
    master: &Master,
    chunk: u64,
    stop: &AtomicBool,
) -> (Tally, FactTally) {
    let m = &case.model;
    let mut t = Tally::new(m);
    let mut f = FactTally::new(case);
    let mut st = RunState::new(m);
    for r in engine::until_stopped(plan.chunk_range(chunk), stop) {
        model::sample_values(m, master, r, &mut st.values);
        draws.apply(master, r, &mut st.values);
        model::simulate_sampled(m, master, r, &mut st, &mut t);
        engine::Accumulator::record(&mut t, r, &st);
        f.record(case, &st);
    }
    (t, f)
}

/// Runs of a case without the engine's tally (for calibration): each run's facts' total
/// distance, in run order.
pub fn run_distance(case: &Case, master: &Master, run: u64, st: &mut RunState) -> (f64, bool) {
    let m = &case.model;
    model::simulate_sampled(m, master, run, st, &mut Silent);
    let scale = date_scale(m);
    let mut d = 0.0;
    let mut all = true;
    for f in &case.facts {
        let x = f.distance(m, st, scale);
        all &= x == 0.0;
        d += x;
    }
    (d, all)
}

/// A central band of a fact's distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Its probability content (0.5, 0.8, 0.95).
    pub level: f64,
    /// Its first category (a step, a level or a rung index).
    pub low: usize,
    /// Its last category (for a dated fact, the horizon stands for "never").
    pub high: usize,
    /// Whether the observation lies in it.
    pub contains: bool,
    /// Its width: steps for a dated fact, categories for a state; `None` when a dated fact's
    /// band reaches "never" (it excludes no date after its start).
    pub width: Option<usize>,
}

/// One fact's scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactResult {
    /// The fact's name.
    pub name: String,
    /// Its display name.
    pub label: String,
    /// "dated", "yes/no", "level" or "rung".
    pub kind: String,
    /// The date (the first of a window).
    pub date: String,
    /// The observation in words.
    pub observed: String,
    /// The model's probability of the fact, with its Wilson 95% interval.
    pub probability: Interval,
    /// Runs in which it held.
    pub runs_holding: u64,
    /// Log score: −ln of the probability, taken as (k + ½)/(n + 1) so that a fact no run
    /// produced scores finitely (lower is better).
    pub log_score: f64,
    /// Brier score (1 − p)² of the observed fact (lower is better).
    pub brier: f64,
    /// The PIT of the observation: uniform on `[low, high]` (a discrete distribution's
    /// non-randomised PIT, Czado, Gneiting & Held 2009); none for yes/no facts.
    pub pit: Option<(f64, f64)>,
    /// The central bands, for facts with a distribution.
    pub bands: Vec<Band>,
    /// CRPS in steps for a dated fact ("never" counted as the horizon), ranked probability
    /// score over the categories for a state; none for yes/no facts (lower is better).
    pub crps: Option<f64>,
    /// For a dated fact, the model's probability that the target never happens by the horizon.
    pub never: Option<f64>,
    /// The observed categories (steps, a level, a rung), for facts with a distribution.
    pub observed_categories: Option<(usize, usize)>,
    /// The distribution over categories (shares of runs), for facts with a distribution.
    pub distribution: Vec<f64>,
    /// Its source.
    pub source: String,
}

/// A case's back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The timeline's name.
    pub case: String,
    /// The scenario's name.
    pub scenario: String,
    /// Runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// The unit of a step.
    pub step_unit: String,
    /// The scenario's horizon in steps.
    pub horizon: u32,
    /// The facts, in the timeline's order.
    pub facts: Vec<FactResult>,
    /// The share of runs in which every fact held, with its Wilson 95% interval.
    pub path_probability: Interval,
    /// Runs in which every fact held.
    pub path_runs: u64,
    /// Mean log score over the facts.
    pub mean_log_score: f64,
    /// Mean Brier score over the facts.
    pub mean_brier: f64,
    /// Per band level, the share of banded facts whose observation lies in the band (empty
    /// when no fact has bands).
    pub coverage: Vec<(f64, f64)>,
    /// Those shares, each with its Wilson 95% interval over the banded facts, as if they were
    /// independent draws (a case's facts share its runs, so read it as a lower bound on the
    /// uncertainty). Absent without banded facts and from results written before brink kept
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage_interval: Vec<Interval>,
    /// Facts that have bands.
    pub banded_facts: usize,
    /// The scenario's start date (step 0).
    pub start_date: Option<String>,
    /// Threshold of each rung on the dyad index H (points), lowest rung first.
    pub rung_thresholds: Vec<f64>,
    /// Lowest and highest hostility (points).
    pub bounds: (f64, f64),
    /// What the runs did, as `brink run` reports it (with an outcome `fact__NAME` for each
    /// dated target the scenario does not name itself): the mood's fan and rungs by step, the
    /// time to each outcome.
    pub summary: Summary,
}

/// The scores of one fact from its counts.
pub fn fact_result(f: &CompiledFact, tally: &FactTally, i: usize, horizon: u32) -> FactResult {
    let n = tally.runs;
    let k = tally.holds[i];
    let p_smooth = (k as f64 + 0.5) / (n as f64 + 1.0);
    let p = if n == 0 { 0.0 } else { k as f64 / n as f64 };
    let kind = match f.question {
        FactQuestion::Dated { .. } => "dated",
        FactQuestion::By { .. } => "yes/no",
        FactQuestion::Level { .. } => "level",
        FactQuestion::Rung { .. } => "rung",
    };
    let counts = &tally.categories[i];
    let total = counts.iter().sum::<u64>().max(1) as f64;
    let dist: Vec<f64> = counts.iter().map(|&c| c as f64 / total).collect();
    let cdf: Vec<f64> = dist
        .iter()
        .scan(0.0, |acc, &x| {
            *acc += x;
            Some(*acc)
        })
        .collect();
    let obs = f.observed_categories();
    let (pit, bands, crps) = match obs {
        Some((a, b)) if !dist.is_empty() => {
            let below = if a == 0 { 0.0 } else { cdf[a - 1] };
            let upto = cdf[b.min(cdf.len() - 1)];
            // The score's observation: the window's middle.
            let y = (a + b) / 2;
            let crps: f64 = (0..dist.len() - 1)
                .map(|c| {
                    let o = if y <= c { 1.0 } else { 0.0 };
                    (cdf[c] - o).powi(2)
                })
                .sum();
            let bands = BANDS
                .iter()
                .map(|&q| {
                    let lo = lower_quantile(&cdf, (1.0 - q) / 2.0);
                    let hi = quantile(&cdf, (1.0 + q) / 2.0);
                    let never = kind == "dated" && hi == horizon as usize;
                    Band {
                        level: q,
                        low: lo,
                        high: hi,
                        contains: a <= hi && lo <= b,
                        width: if never { None } else { Some(hi - lo + 1) },
                    }
                })
                .collect();
            (Some((below, upto)), bands, Some(crps))
        }
        _ => (None, vec![], None),
    };
    FactResult {
        name: f.name.clone(),
        label: f.label.clone(),
        kind: kind.into(),
        date: f.date.clone(),
        observed: f.observed.clone(),
        probability: wilson(k, n, Z95),
        runs_holding: k,
        log_score: -crate::numerics::math::ln(p_smooth),
        brier: (1.0 - p).powi(2),
        pit,
        bands,
        crps,
        never: (kind == "dated").then(|| dist.last().copied().unwrap_or(0.0)),
        observed_categories: obs,
        distribution: dist,
        source: f.source.clone(),
    }
}

/// The smallest category whose cumulative share reaches `q`.
fn quantile(cdf: &[f64], q: f64) -> usize {
    // A hair below q, so that a cumulative share equal to q up to rounding counts.
    cdf.iter()
        .position(|&c| c >= q - 1e-12)
        .unwrap_or(cdf.len().saturating_sub(1))
}

/// The lower end of a central band: the smallest category whose cumulative share exceeds `q`
/// (categories holding exactly the lower tail's mass are outside the band, so that the band of
/// [¼, ½, ¼] at 50% is the middle category alone).
fn lower_quantile(cdf: &[f64], q: f64) -> usize {
    cdf.iter()
        .position(|&c| c > q + 1e-12)
        .unwrap_or(cdf.len().saturating_sub(1))
}

/// A case's back-test from its counts and the run summary.
pub fn case_result(case: &Case, tally: &FactTally, seed: u64, summary: Summary) -> CaseResult {
    let m = &case.model;
    let facts: Vec<FactResult> = case
        .facts
        .iter()
        .enumerate()
        .map(|(i, f)| fact_result(f, tally, i, m.horizon))
        .collect();
    let nf = facts.len().max(1) as f64;
    let banded: Vec<&FactResult> = facts.iter().filter(|f| !f.bands.is_empty()).collect();
    let coverage = coverage(&banded);
    let coverage_interval = coverage_interval(&banded);
    CaseResult {
        case: case.name.clone(),
        scenario: m.scenario.name.clone(),
        runs: tally.runs,
        seed,
        step_unit: m.scenario.step_unit.clone(),
        horizon: m.horizon,
        path_probability: wilson(tally.all_hold, tally.runs, Z95),
        path_runs: tally.all_hold,
        mean_log_score: facts.iter().map(|f| f.log_score).sum::<f64>() / nf,
        mean_brier: facts.iter().map(|f| f.brier).sum::<f64>() / nf,
        coverage,
        coverage_interval,
        banded_facts: banded.len(),
        start_date: m.scenario.start_date.clone(),
        rung_thresholds: m.rung_thresholds.clone(),
        bounds: m.bounds,
        summary,
        facts,
    }
}

/// Per band level, the share of the banded facts whose observation lies in the band; none
/// without banded facts (a share of 0 said that none lay in its band).
fn coverage(banded: &[&FactResult]) -> Vec<(f64, f64)> {
    coverage_interval(banded)
        .iter()
        .zip(BANDS)
        .map(|(i, q)| (q, i.estimate))
        .collect()
}

/// Per band level, [`coverage`]'s share with its Wilson 95% interval over the banded facts;
/// none without banded facts.
fn coverage_interval(banded: &[&FactResult]) -> Vec<Interval> {
    if banded.is_empty() {
        return vec![];
    }
    BANDS
        .iter()
        .enumerate()
        .map(|(b, _)| {
            let inside = banded.iter().filter(|f| f.bands[b].contains).count();
            wilson(inside as u64, banded.len() as u64, Z95)
        })
        .collect()
}

/// The PIT histogram over many facts (Czado, Gneiting & Held 2009): each fact's PIT interval
/// spreads its unit of mass evenly over the bins it covers. Returns the share of facts per
/// bin (a calibrated model gives 1/bins each); empty over no facts (shares of 0 said that no
/// fact lay in any bin, and did not sum to 1).
pub fn pit_histogram<'a>(pits: impl IntoIterator<Item = &'a (f64, f64)>, bins: usize) -> Vec<f64> {
    let mut h = vec![0.0; bins];
    let mut n = 0usize;
    for &(lo, hi) in pits {
        n += 1;
        let (lo, hi) = (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0));
        if hi - lo < 1e-12 {
            let b = ((lo * bins as f64) as usize).min(bins - 1);
            h[b] += 1.0;
            continue;
        }
        for (b, x) in h.iter_mut().enumerate() {
            let (l, r) = (b as f64 / bins as f64, (b + 1) as f64 / bins as f64);
            let overlap = (hi.min(r) - lo.max(l)).max(0.0);
            *x += overlap / (hi - lo);
        }
    }
    if n == 0 {
        return vec![];
    }
    for x in &mut h {
        *x /= n as f64;
    }
    h
}

/// Each share of a PIT histogram over `facts` facts with its Wilson 95% interval, the facts
/// taken as independent (they are not quite: a case's facts read the same runs, so the
/// intervals are if anything too narrow). A discrete fact spreads its unit over several bins,
/// so a bin's count may be fractional: Wilson's formula on that count over the facts
/// ([`wilson_effective`]).
///
/// ```
/// use brink::analysis::backtest::pit_intervals;
/// let i = pit_intervals(&[0.25, 0.75], 20);
/// assert_eq!(i[0], brink::stats::wilson(5, 20, brink::stats::Z95));
/// assert!(i[1].low < 0.75 && 0.75 < i[1].high);
/// ```
pub fn pit_intervals(histogram: &[f64], facts: usize) -> Vec<Interval> {
    histogram
        .iter()
        .map(|&share| wilson_effective(share, facts as f64, Z95))
        .collect()
}

impl Backtest {
    /// Bin `i`'s share with its Wilson 95% interval ([`pit_intervals`]).
    pub fn pit_interval(&self, i: usize) -> Interval {
        match self.pit_histogram_interval.get(i) {
            Some(x) => *x,
            None => pit_intervals(&self.pit_histogram[i..=i], self.pit_facts)[0],
        }
    }
}

/// Bins of the PIT histogram.
pub const PIT_BINS: usize = 10;

/// A back-test of one or more cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// Each case, in the order given.
    pub cases: Vec<CaseResult>,
    /// The PIT histogram over every fact with a distribution of every case (share per bin,
    /// [`PIT_BINS`] bins; a calibrated model gives 1/bins each); empty when no fact has one.
    pub pit_histogram: Vec<f64>,
    /// Facts whose PIT enters the histogram.
    pub pit_facts: usize,
    /// Each bin's share with its Wilson 95% interval over the facts ([`pit_intervals`]);
    /// absent from back-tests written before it was kept ([`Backtest::pit_interval`] derives
    /// it then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pit_histogram_interval: Vec<Interval>,
    /// Per band level, the share of all banded facts whose observation lies in it (empty when
    /// no fact has bands).
    pub coverage: Vec<(f64, f64)>,
    /// Those shares, each with its Wilson 95% interval over all banded facts (see
    /// [`CaseResult::coverage_interval`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage_interval: Vec<Interval>,
    /// Facts with bands, over all cases.
    pub banded_facts: usize,
    /// Facts over all cases.
    pub facts: usize,
    /// Mean log score over all facts.
    pub mean_log_score: f64,
    /// What the calibrated numbers came from, when runs took them from a calibration's
    /// posterior rather than the priors (cross-validation).
    pub posterior: Option<String>,
}

/// The whole back-test from its cases.
pub fn combine(cases: Vec<CaseResult>, posterior: Option<String>) -> Backtest {
    let pits: Vec<(f64, f64)> = cases
        .iter()
        .flat_map(|c| c.facts.iter().filter_map(|f| f.pit))
        .collect();
    let banded: Vec<&FactResult> = cases
        .iter()
        .flat_map(|c| c.facts.iter().filter(|f| !f.bands.is_empty()))
        .collect();
    let facts: Vec<&FactResult> = cases.iter().flat_map(|c| &c.facts).collect();
    let coverage = coverage(&banded);
    let coverage_interval = coverage_interval(&banded);
    let histogram = pit_histogram(&pits, PIT_BINS);
    Backtest {
        pit_histogram_interval: pit_intervals(&histogram, pits.len()),
        pit_histogram: histogram,
        pit_facts: pits.len(),
        coverage,
        coverage_interval,
        banded_facts: banded.len(),
        facts: facts.len(),
        mean_log_score: facts.iter().map(|f| f.log_score).sum::<f64>() / facts.len().max(1) as f64,
        posterior,
        cases,
    }
}

/// How many runs of a case, from which seed, on how many threads.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Master seed.
    pub seed: u64,
    /// Runs.
    pub runs: u64,
    /// Worker threads (the results are the same for any number).
    pub threads: usize,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
}

/// Back-tests one case: runs it (its calibrated numbers from `draws`, if any) and scores it.
pub fn backtest_case(
    loaded: &LoadedScenario,
    case: &Case,
    draws: &ParticleDraws,
    spec: &RunSpec,
    stop: &AtomicBool,
) -> Result<CaseResult> {
    backtest_case_telling(loaded, case, draws, spec, stop, &|_| {})
}

/// [`backtest_case`], telling `done` the runs of each chunk as it is merged.
pub fn backtest_case_telling(
    loaded: &LoadedScenario,
    case: &Case,
    draws: &ParticleDraws,
    spec: &RunSpec,
    stop: &AtomicBool,
    done: &dyn Fn(u64),
) -> Result<CaseResult> {
    let (tally, facts) = run_case(case, draws, spec.seed, spec.runs, spec.threads, stop, done)
        .map_err(|_| {
            Error::Interrupted("stopped before the back-test finished; nothing was written".into())
        })?;
    let manifest = Manifest::new(
        loaded,
        spec.seed,
        None,
        tally.runs,
        spec.runs,
        spec.command.clone(),
    );
    let summary = Summary::new(&case.model, &tally, manifest);
    Ok(case_result(case, &facts, spec.seed, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stop ends a chunk of a case's runs before its next run: a run at the size limits
    /// takes about a second, and a chunk left to finish took many minutes.
    #[test]
    fn a_stop_ends_a_chunk_of_a_case_before_its_next_run() {
        let loaded = crate::scenario::load(
            "scenarios/examples/sbc_pair.ron".as_ref(),
            Default::default(),
        )
        .unwrap();
        let timeline = crate::scenario::timeline::Timeline {
            name: "t".into(),
            label: String::new(),
            scenario: String::new(),
            sources: vec![],
            facts: vec![],
        };
        let case = compile_case(&loaded.scenario, &timeline).unwrap();
        let plan = RunPlan::whole(3, 5000, 1);
        let master = Master::new(3);
        let draws = ParticleDraws::default();
        let go = AtomicBool::new(false);
        let (t, _) = case_chunk(&case, &draws, &plan, &master, 1, &go);
        assert_eq!(t.runs, plan.chunk_range(1).count() as u64);
        let (t, _) = case_chunk(&case, &draws, &plan, &master, 1, &AtomicBool::new(true));
        assert_eq!(t.runs, 0);
    }

    fn fact(question: FactQuestion, categories: usize) -> CompiledFact {
        CompiledFact {
            name: "f".into(),
            label: "f".into(),
            source: String::new(),
            observed: String::new(),
            date: String::new(),
            question,
            categories,
        }
    }

    fn tally(counts: Vec<u64>, holds: u64) -> FactTally {
        FactTally {
            runs: counts.iter().sum(),
            holds: vec![holds],
            all_hold: holds,
            categories: vec![counts],
        }
    }

    /// A category holding exactly the lower tail's mass is outside the central band: the 50%
    /// band of [¼, ½, ¼] is the middle rung alone, and the 80% band of a uniform over ten
    /// categories covers eight.
    #[test]
    fn central_bands_are_symmetric_at_ties() {
        let f = fact(
            FactQuestion::Rung {
                rung: 1,
                step: 0,
                snapshot: 0,
            },
            3,
        );
        let r = fact_result(&f, &tally(vec![25, 50, 25], 50), 0, 10);
        assert_eq!((r.bands[0].low, r.bands[0].high), (1, 1));
        let f = fact(
            FactQuestion::Rung {
                rung: 0,
                step: 0,
                snapshot: 0,
            },
            10,
        );
        let r = fact_result(&f, &tally(vec![10; 10], 10), 0, 10);
        assert_eq!((r.bands[1].low, r.bands[1].high), (1, 8));
        assert!(!r.bands[1].contains, "category 0 is in the lower 10% tail");
    }

    /// The tolerance widens what counts as the fact holding, not where the observation falls:
    /// all mass on the observed step gives a CRPS of 0 and a PIT of [0, 1] whatever the
    /// tolerance.
    #[test]
    fn tolerance_does_not_move_the_observation() {
        let mut counts = vec![0; 31];
        counts[10] = 100;
        for tol in [0, 4] {
            let f = fact(
                FactQuestion::Dated {
                    outcome: 0,
                    lo: 10 - tol,
                    hi: 10 + tol,
                    obs: (10, 10),
                },
                31,
            );
            let r = fact_result(&f, &tally(counts.clone(), 100), 0, 30);
            assert_eq!(r.crps, Some(0.0), "tolerance {tol}");
            assert_eq!(r.pit, Some((0.0, 1.0)), "tolerance {tol}");
        }
    }
}
