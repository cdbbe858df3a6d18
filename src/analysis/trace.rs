//! `brink trace`: one run told step by step. The run is replayed from the same seed and run
//! index as `brink run`, so it draws the same random numbers and takes the same path; a
//! detailed [`Observer`] records what fired, who moved and what it led to.
//!
//! `--pick OUTCOME` scans runs 0, 1, 2, … for the first runs in which an outcome happened and
//! traces each: the storylines behind a probability.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::engine::{CHUNK_RUNS, RunPlan, for_each_chunk};
use crate::error::{Error, Result};
use crate::model::{
    Choice, Control, Decision, EffectSpec, Model, Observer, RunState, Silent, simulate,
};
use crate::numerics::rng::{MAX_RUN_INDEX, Master};
use crate::scenario::LoadedScenario;

/// One uncertain number as this run sampled it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledParam {
    /// The number's path (`actors.north.resolve`).
    pub path: String,
    /// The value this run drew, after clamping to the field's valid range; a dated event's
    /// step as the whole step the run used ([`crate::model::Model::value_used`]), as in
    /// `runs.csv`.
    pub value: f64,
    /// The distribution it was drawn from.
    pub distribution: String,
    /// Its source (else its record's).
    pub source: String,
}

/// A measure's level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeverLevel {
    /// The measure's name.
    pub lever: String,
    /// The level (0 is the status quo).
    pub level: u8,
    /// The level's name ("status quo" for 0).
    pub level_name: String,
}

/// The state before the first step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// The dyad index H.
    pub index: f64,
    /// The rung's name.
    pub rung: String,
    /// Measures above level 0 (initial levels, or forced by the variant).
    pub in_force: Vec<LeverLevel>,
    /// Measures the variant forces (held at their level from step 0; the target feels, once at
    /// step 0, the forced level's weight, or the easing of the initial level when forced below
    /// it: docs/model.md, "Forced and frozen levers").
    pub forced: Vec<String>,
    /// The measure and level that holds the rung above the one H alone reaches, as a step's
    /// `rung_held_by` (absent when H alone reaches it, and in traces written before brink
    /// named it: a forced visa regime started a run on "rupture" at H 1.85, unexplained).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rung_held_by: Option<String>,
}

/// The measure whose level holds the rung `rung` above the rung `by_index` H alone reaches:
/// "visa_regime imposed" (name and level name), `None` when H alone reaches it.
fn held_by(m: &Model, levels: &[u8], rung: usize, by_index: usize) -> Option<String> {
    (rung > by_index)
        .then(|| {
            m.measures.iter().enumerate().find(|(k, ms)| {
                let l = levels[*k];
                l > 0 && ms.levels[l as usize - 1].implies_rung == rung
            })
        })
        .flatten()
        .map(|(k, ms)| format!("{} {}", ms.name, level_name(m, k, levels[k])))
}

/// An event that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiredEvent {
    /// The event's name.
    pub event: String,
    /// The probability it had this step.
    pub probability: f64,
    /// The branch it took, for an event with branches (absent otherwise, and in traces written
    /// before brink named it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// An active actor's move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move {
    /// The actor's name.
    pub actor: String,
    /// "hold", "raise", "lower", "overtaken" (a raise or lowering that became a hold: an act's
    /// `SetLevel` moved the measure after the actor chose), "offer", "accept" or "act".
    pub choice: String,
    /// The measure or act, if not holding.
    pub lever: Option<String>,
    /// For a measure: its level after the step.
    pub level: Option<u8>,
    /// For a measure: the name of that level.
    pub level_name: Option<String>,
    /// Goldstein weight of the move (0 for holding; negative is hostile).
    pub weight: f64,
    /// The probability the logit choice gave this option.
    pub probability: f64,
    /// How many options the actor had (holding included).
    pub options: usize,
}

/// A measure's level that changed otherwise than by its owner's move (an event's or act's
/// `SetLevel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelChange {
    /// The measure's name.
    pub lever: String,
    /// Level before.
    pub from: u8,
    /// Level after.
    pub to: u8,
    /// Name of the level before.
    pub from_name: String,
    /// Name of the level after.
    pub to_name: String,
    /// What set it ("event leader_meeting", "act mediate"), if known.
    pub cause: String,
}

/// One step of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceStep {
    /// The step (0 to horizon − 1).
    pub step: u32,
    /// Calendar date of the step, when the scenario has a start date.
    pub date: Option<String>,
    /// Events that fired this step, in the order of their names (the order a step reads them).
    pub events: Vec<FiredEvent>,
    /// Moves of the actors that were active this step (inactive actors hold).
    pub moves: Vec<Move>,
    /// Levels changed this step by an event's or act's `SetLevel`.
    pub level_changes: Vec<LevelChange>,
    /// H after the step.
    pub index: f64,
    /// The rung after the step.
    pub rung: String,
    /// When a measure in force holds the rung above the one H reaches: that measure and level
    /// ("visa_regime announced").
    pub rung_held_by: Option<String>,
    /// The focal pair's hostilities after the step: (A → B, B → A).
    pub focal_h: (f64, f64),
    /// Offers of contact settled this step: `(act, accepted)`; an offer not accepted within its
    /// window is recorded as refused at the step it lapses.
    #[serde(default)]
    pub contacts: Vec<(String, bool)>,
    /// Cumulative cost of each actor after the step (in `actors` order).
    pub costs: Vec<f64>,
    /// Outcomes that first held at this step (outcomes judged at the end appear at the last
    /// step).
    pub outcomes: Vec<String>,
}

/// A named outcome of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeHit {
    /// The outcome's name.
    pub name: String,
    /// Display name (its name when the scenario gives none).
    pub label: String,
    /// Whether it happened in this run.
    pub happened: bool,
    /// The first step at which it held, if it happened.
    pub first_step: Option<u32>,
}

/// An actor's cumulative cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorCost {
    /// The actor's name.
    pub actor: String,
    /// Cumulative cost at the end of the run (cost units).
    pub cost: f64,
}

/// An actor's cumulative gains (benefit from the measures in force).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorGain {
    /// The actor's name.
    pub actor: String,
    /// Cumulative gains at the end of the run (cost units); written under `gain`, where a
    /// gain stood under the key `cost`.
    pub gain: f64,
}

/// The run's record, as `runs.csv` has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEnd {
    /// Each named outcome, in the scenario's order.
    pub outcomes: Vec<OutcomeHit>,
    /// The rung at the last step.
    pub final_rung: String,
    /// The highest rung of the run.
    pub peak_rung: String,
    /// The highest dyad index H of the run (points).
    pub peak_index: f64,
    /// H at the last step (points).
    pub final_index: f64,
    /// Each actor's cumulative cost, in the scenario's order.
    pub costs: Vec<ActorCost>,
    /// Each actor's cumulative gain from the benefits of measures in force (cost units), in
    /// the scenario's order, as runs.csv's `out.gain.*`.
    #[serde(default)]
    pub gains: Vec<ActorGain>,
    /// The highest level each measure reached.
    pub max_levels: Vec<LeverLevel>,
}

/// A traced run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file, as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario file.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// The run's index (with the seed, it fixes every random number of the run).
    pub run: u64,
    /// The variant applied; none for the base scenario.
    pub variant: Option<String>,
    /// Steps in the run.
    pub horizon: u32,
    /// What one step is ("week").
    pub step_unit: String,
    /// Calendar date of step 0 (`YYYY-MM-DD`), if given.
    pub start_date: Option<String>,
    /// Unit of every cost ("USD million").
    pub cost_unit: String,
    /// The focal dyad (A, B), whose mean hostility is the dyad index H.
    pub focal: (String, String),
    /// Actor names, in the scenario's order.
    pub actors: Vec<String>,
    /// The escalation ladder, lowest rung first.
    pub rungs: Vec<String>,
    /// The run's uncertain numbers (those that vary from run to run), in the file's order.
    pub parameters: Vec<SampledParam>,
    /// The state before the first step.
    pub start: Start,
    /// Every step, in order.
    pub steps: Vec<TraceStep>,
    /// The run's record at its end.
    pub end: RunEnd,
}

/// What `--pick` found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    /// The outcome picked for.
    pub outcome: String,
    /// How many runs were asked for.
    pub count: usize,
    /// Runs examined: up to the last one found, or the whole scan when fewer were found.
    pub scanned: u64,
    /// The runs found, in order.
    pub runs: Vec<u64>,
}

/// Everything `brink trace` produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceOutput {
    /// The command line.
    pub command: Vec<String>,
    /// What `--pick` found, when it was used.
    pub pick: Option<Pick>,
    /// The runs traced, in order.
    pub traces: Vec<Trace>,
    /// Numbers replaced by `--set PATH=VALUE` (after the variant's own); absent with none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<crate::scenario::overrides::Setting>,
}

/// Which runs to trace.
#[derive(Debug, Clone)]
pub enum Target {
    /// One run by index.
    Run(u64),
    /// The first `count` runs in which `outcome` happened, among runs `0..max_scan`.
    Pick {
        /// The outcome's name.
        outcome: String,
        /// How many runs to find.
        count: usize,
        /// Runs to examine at most.
        max_scan: u64,
    },
}

/// What `brink trace` was asked to do.
#[derive(Debug, Clone)]
pub struct TraceRequest {
    /// The variant to trace; none for the base scenario.
    pub variant: Option<String>,
    /// Master seed (the same as for `brink run`, to replay its runs).
    pub seed: u64,
    /// Which runs to trace.
    pub target: Target,
    /// Threads for the `--pick` scan (the result does not depend on it).
    pub threads: usize,
    /// The command line, recorded in the output.
    pub command: Vec<String>,
}

/// Largest number of runs `--pick` may trace.
pub const MAX_PICK: usize = 1000;

fn level_name(m: &Model, k: usize, level: u8) -> String {
    if level == 0 {
        return "status quo".into();
    }
    // A level past the top would be a replay out of step with the run: named by its number
    // rather than a panic (debug builds stop there).
    let name = m.measures[k].levels.get(level as usize - 1);
    debug_assert!(
        name.is_some(),
        "level {level} of measure {k} is past its top"
    );
    name.map_or_else(|| format!("level {level}"), |l| l.name.clone())
}

/// The calendar date of a step.
fn date_of_step(m: &Model, step: u32) -> Option<String> {
    crate::analysis::summary::date_of_step(
        m.scenario.start_date.as_deref(),
        &m.scenario.step_unit,
        step,
    )
}

/// Most bytes the traces of one command may hold in memory (`brink trace --pick` keeps up to
/// [`MAX_PICK`] of them; `brink run` one, for its timeline chart). The flagship's first 1,000
/// runs with a rupture hold 28 MB together (32 KB at most each); a scenario within every limit
/// (512 events firing at every step of 5,200) asked for 259 MB, and its JSON, text and chart
/// took 1.7 GB more to write.
pub const TRACE_BUDGET: usize = 128 << 20;

/// Most bytes the trace behind `brink run`'s timeline chart may hold: the chart draws every
/// fired event, so a trace near [`TRACE_BUDGET`] made a 110 MB chart and took 34 s; the
/// flagship's run 0 holds 26 KB.
pub const TIMELINE_BUDGET: usize = 8 << 20;

/// Whether a trace holds more than [`TIMELINE_BUDGET`]: too much to draw as a timeline (its
/// chart would run to hundreds of megabytes, which no viewer opens).
pub fn too_large_to_draw(t: &Trace) -> bool {
    t.steps.iter().map(held_bytes).sum::<usize>() > TIMELINE_BUDGET
}

/// The traces asked for would hold more than [`TRACE_BUDGET`] in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceTooLarge {
    /// The runs traced whole before the budget ran out.
    pub traced: usize,
    /// The run being traced when it ran out.
    pub run: u64,
    /// The step of that run at which it ran out.
    pub step: u32,
    /// The budget, in bytes ([`TRACE_BUDGET`], or [`TIMELINE_BUDGET`] for a run's chart).
    pub budget: usize,
}

impl std::fmt::Display for TraceTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.traced == 0 {
            format!("the trace of run {}", self.run)
        } else {
            format!(
                "the traces ({} run(s) traced whole, then run {})",
                self.traced, self.run
            )
        };
        write!(
            f,
            "{what} would hold more than brink's budget of {} MiB for traces in memory \
             (its events, moves and level changes, named step by step, reached it at step {})",
            self.budget >> 20,
            self.step,
        )
    }
}

impl std::error::Error for TraceTooLarge {}

/// Bytes a step of a trace holds, its names' included (an estimate from above of what the
/// allocator gives it, without the allocator's rounding).
fn held_bytes(s: &TraceStep) -> usize {
    use std::mem::size_of;
    let text = |x: &String| x.len();
    let opt = |x: &Option<String>| x.as_ref().map_or(0, String::len);
    size_of::<TraceStep>()
        + opt(&s.date)
        + s.events
            .iter()
            .map(|e| size_of::<FiredEvent>() + text(&e.event))
            .sum::<usize>()
        + s.moves
            .iter()
            .map(|m| {
                size_of::<Move>()
                    + text(&m.actor)
                    + text(&m.choice)
                    + opt(&m.lever)
                    + opt(&m.level_name)
            })
            .sum::<usize>()
        + s.level_changes
            .iter()
            .map(|c| {
                size_of::<LevelChange>()
                    + text(&c.lever)
                    + text(&c.from_name)
                    + text(&c.to_name)
                    + text(&c.cause)
            })
            .sum::<usize>()
        + text(&s.rung)
        + opt(&s.rung_held_by)
        + s.contacts
            .iter()
            .map(|(a, _)| size_of::<(String, bool)>() + a.len())
            .sum::<usize>()
        + s.costs.len() * size_of::<f64>()
        + s.outcomes
            .iter()
            .map(|o| size_of::<String>() + o.len())
            .sum::<usize>()
}

/// The changes of one measure by the events of one step a trace tells one by one; the rest
/// are told as one.
const TOLD_CHANGES: usize = 4;

/// Records a run step by step.
struct Recorder {
    events: Vec<(usize, f64)>,
    contacts: Vec<(usize, bool)>,
    decisions: Vec<Decision>,
    /// Actors whose raise or lowering an act's `SetLevel` overtook this step (it held).
    overtaken: Vec<usize>,
    prev_level: Vec<u8>,
    steps: Vec<TraceStep>,
    /// Each measure's changes by events this step, the index of the change later ones fold
    /// into and the event that began it (reused from step to step; `set_by_events` lists the
    /// measures set).
    event_set: Vec<(usize, usize, usize)>,
    set_by_events: Vec<usize>,
    /// Bytes the steps may still take; once spent, recording stops at `over`.
    room: usize,
    over: Option<u32>,
}

impl Recorder {
    /// The measure `k` appears in a `SetLevel` of these effects.
    fn sets(effects: &[EffectSpec], k: usize) -> bool {
        effects
            .iter()
            .any(|e| matches!(e, EffectSpec::SetLevel { measure, .. } if *measure == k))
    }
}

impl Observer for Recorder {
    const DETAILED: bool = true;

    fn event(&mut self, _t: u32, event: usize, probability: f64) {
        self.events.push((event, probability));
    }

    fn contact(&mut self, _t: u32, act: usize, accepted: bool) {
        self.contacts.push((act, accepted));
    }

    fn decision(&mut self, _t: u32, d: &Decision) {
        if d.active {
            self.decisions.push(*d);
        }
    }

    fn overtaken(&mut self, _t: u32, actor: usize) {
        self.overtaken.push(actor);
    }

    fn step(&mut self, t: u32, m: &Model, st: &RunState) {
        if self.over.is_some() {
            // Over budget: the run goes on (its end is reported), the steps are not kept.
            self.events.clear();
            self.contacts.clear();
            self.decisions.clear();
            self.overtaken.clear();
            return;
        }
        let events: Vec<FiredEvent> = self
            .events
            .iter()
            .map(|&(e, p)| FiredEvent {
                event: m.events[e].name.clone(),
                probability: p,
                branch: (m.events[e].branches)
                    .get(st.event_branch[e] as usize)
                    .map(|b| b.name.clone()),
            })
            .collect();
        // The level each measure would have from its owner's move alone.
        let change = |k: usize, from: u8, to: u8, cause: String| LevelChange {
            lever: m.measures[k].name.clone(),
            from,
            to,
            from_name: level_name(m, k, from),
            to_name: level_name(m, k, to),
            cause,
        };
        // The levels as the step goes: events' SetLevel first (events come before the
        // choices), then the owners' moves; what is left is the acts' effects. Each change an
        // event makes is told, up to `TOLD_CHANGES` a measure and step; later ones fold into one
        // more (from its level then to the last, "events A … B (N changes)"): 512 events of 64
        // alternating effects made a trace of 13 million changes (3 GB).
        let mut expected = self.prev_level.clone();
        let mut level_changes: Vec<LevelChange> = vec![];
        for &(e, _) in &self.events {
            // The event's own effects, then those of the branch it took (a branch's SetLevel
            // was not replayed: the owner's later move then read past the top level, a panic).
            let branch = (m.events[e].branches)
                .get(st.event_branch[e] as usize)
                .map_or(&[][..], |b| b.effects.as_slice());
            for eff in m.events[e].effects.iter().chain(branch) {
                if let EffectSpec::SetLevel { measure, level } = *eff
                    && m.measures[measure].control == Control::Free
                    && expected[measure] != level
                {
                    let (n, tail, first) = &mut self.event_set[measure];
                    if *n == 0 {
                        self.set_by_events.push(measure);
                    }
                    if *n <= TOLD_CHANGES {
                        if *n == TOLD_CHANGES {
                            (*tail, *first) = (level_changes.len(), e);
                        }
                        level_changes.push(change(
                            measure,
                            expected[measure],
                            level,
                            format!("event {}", m.events[e].name),
                        ));
                    } else {
                        let folded = &mut level_changes[*tail];
                        folded.to = level;
                        folded.to_name = level_name(m, measure, level);
                        folded.cause = format!(
                            "events {} … {} ({} changes)",
                            m.events[*first].name,
                            m.events[e].name,
                            *n - TOLD_CHANGES + 1
                        );
                    }
                    *n += 1;
                    expected[measure] = level;
                }
            }
        }
        for &k in &self.set_by_events {
            self.event_set[k] = (0, 0, 0);
        }
        self.set_by_events.clear();
        let moves: Vec<Move> = self
            .decisions
            .iter()
            .map(|d| {
                let overtaken = self.overtaken.contains(&d.actor);
                let (choice, lever, level) = match d.choice {
                    Choice::Hold => ("hold", None, None),
                    // An act's SetLevel moved the measure after the owner chose: it held.
                    Choice::Raise(k) | Choice::Lower(k, _) if overtaken => (
                        "overtaken",
                        Some(m.measures[k as usize].name.clone()),
                        Some((k as usize, st.level[k as usize])),
                    ),
                    Choice::Raise(k) | Choice::Lower(k, _) => {
                        let k = k as usize;
                        let up = matches!(d.choice, Choice::Raise(_));
                        expected[k] = match d.choice {
                            Choice::Lower(_, to) => to.min(expected[k]),
                            _ => expected[k].saturating_add(1),
                        };
                        // The level the move reached, not the step's last: an act's
                        // SetLevel later in the moves may move the measure on (the trace
                        // said "raises m to l2 · Goldstein −1" of a raise to l1, a reviewing
                        // helper found; `level_changes` tells the act's move).
                        (
                            if up { "raise" } else { "lower" },
                            Some(m.measures[k].name.clone()),
                            Some((k, expected[k])),
                        )
                    }
                    Choice::Act(k) if m.acts[k as usize].accept.is_some() => {
                        ("offer", Some(m.acts[k as usize].name.clone()), None)
                    }
                    Choice::Act(k) => ("act", Some(m.acts[k as usize].name.clone()), None),
                    Choice::Accept(k) => ("accept", Some(m.acts[k as usize].name.clone()), None),
                };
                Move {
                    actor: m.actors[d.actor].name.clone(),
                    choice: choice.into(),
                    lever,
                    level: level.map(|(_, l)| l),
                    level_name: level.map(|(k, l)| level_name(m, k, l)),
                    weight: if overtaken { 0.0 } else { d.weight + 0.0 }, // never -0 (a weight of 0 eased)
                    probability: d.probability,
                    options: d.options,
                }
            })
            .collect();
        for (k, &exp) in expected.iter().enumerate() {
            let to = st.level[k];
            if to == exp {
                continue;
            }
            // An act's SetLevel (acts apply with the moves, in actor order).
            let by_act = self.decisions.iter().find_map(|d| match d.choice {
                Choice::Act(a) | Choice::Accept(a)
                    if Self::sets(&m.acts[a as usize].effects, k) =>
                {
                    Some(format!("act {}", m.acts[a as usize].name))
                }
                _ => None,
            });
            level_changes.push(change(k, exp, to, by_act.unwrap_or_default()));
        }
        let outcomes = m
            .outcomes
            .iter()
            .enumerate()
            .filter(|(o, spec)| !spec.at_end && st.outcome_first[*o] == t)
            .map(|(_, spec)| spec.name.clone())
            .collect();
        let mut by_index = 0;
        for (i, &th) in m.rung_thresholds.iter().enumerate() {
            if st.index >= th {
                by_index = i;
            }
        }
        let rung_held_by = held_by(m, &st.level, st.rung, by_index);
        let step = TraceStep {
            step: t,
            date: date_of_step(m, t),
            events,
            moves,
            level_changes,
            index: st.index,
            rung: m.rung_names[st.rung].clone(),
            rung_held_by,
            focal_h: (st.h[m.focal.0], st.h[m.focal.1]),
            costs: st.cost.clone(),
            outcomes,
            contacts: self
                .contacts
                .iter()
                .map(|&(k, ok)| (m.acts[k].name.clone(), ok))
                .collect(),
        };
        match self.room.checked_sub(held_bytes(&step)) {
            Some(left) => {
                self.room = left;
                self.steps.push(step);
            }
            None => {
                self.over = Some(t);
                self.steps = vec![];
            }
        }
        self.contacts.clear();
        self.prev_level.clone_from(&st.level);
        self.events.clear();
        self.decisions.clear();
        self.overtaken.clear();
    }
}

/// The levels of the measures before the first step: initial, or forced by the variant.
fn start_levels(m: &Model) -> Vec<u8> {
    m.measures
        .iter()
        .map(|ms| match ms.control {
            Control::Forced(l) => l,
            _ => ms.initial,
        })
        .collect()
}

/// Replays run `run` of the model and records it, within [`TRACE_BUDGET`].
///
/// ```
/// let loaded = brink::scenario::load(
///     "scenarios/examples/tutorial.ron".as_ref(),
///     Default::default(),
/// )?;
/// let m = brink::model::compile(&loaded.scenario, None)?;
/// let t = brink::analysis::trace::trace_run(&m, &loaded, 7, 0)?;
/// assert_eq!(t.steps.len(), m.horizon as usize);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn trace_run(
    m: &Model,
    loaded: &LoadedScenario,
    seed: u64,
    run: u64,
) -> std::result::Result<Trace, TraceTooLarge> {
    trace_within(m, loaded, seed, run, TRACE_BUDGET, &mut 0, 0)
}

/// [`trace_run`] within [`TIMELINE_BUDGET`]: the run `brink run` draws as its timeline chart.
pub fn timeline_run(
    m: &Model,
    loaded: &LoadedScenario,
    seed: u64,
    run: u64,
) -> std::result::Result<Trace, TraceTooLarge> {
    trace_within(m, loaded, seed, run, TIMELINE_BUDGET, &mut 0, 0)
}

/// [`trace_run`] within `budget` bytes, of which the `traced` runs traced before it spent
/// `spent` (the trace adds its own).
fn trace_within(
    m: &Model,
    loaded: &LoadedScenario,
    seed: u64,
    run: u64,
    budget: usize,
    spent: &mut usize,
    traced: usize,
) -> std::result::Result<Trace, TraceTooLarge> {
    let master = Master::new(seed);
    let mut st = RunState::new(m);
    let levels = start_levels(m);
    let mut rec = Recorder {
        events: vec![],
        contacts: vec![],
        decisions: vec![],
        prev_level: levels.clone(),
        steps: vec![],
        event_set: vec![(0, 0, 0); m.measures.len()],
        set_by_events: vec![],
        overtaken: vec![],
        room: budget.saturating_sub(*spent),
        over: None,
    };
    simulate(m, &master, run, &mut st, &mut rec);
    if let Some(step) = rec.over {
        return Err(TraceTooLarge {
            traced,
            run,
            step,
            budget,
        });
    }
    *spent = budget - rec.room;
    let mut steps = rec.steps;
    // Outcomes judged at the end hold (or not) at the last step.
    if let Some(last) = steps.last_mut() {
        for (o, spec) in m.outcomes.iter().enumerate() {
            if spec.at_end && st.outcome_first[o] == last.step {
                last.outcomes.push(spec.name.clone());
            }
        }
    }
    let sources = crate::model::param_sources(m);
    let parameters = m
        .uncertain_params_in_play()
        .into_iter()
        .map(|i| SampledParam {
            path: m.param_paths[i].clone(),
            value: m.value_used(i, st.values[i]),
            distribution: m.params[i].describe(),
            source: sources[i].clone(),
        })
        .collect();
    // H and the rung before the first step, as the engine computes them.
    let clamp = |x: f64| x.clamp(m.bounds.0, m.bounds.1);
    let h0 = |r: usize| clamp(st.values[m.relations[r].initial as usize]);
    let index = 0.5 * (h0(m.focal.0) + h0(m.focal.1));
    let mut by_index = 0;
    for (i, &th) in m.rung_thresholds.iter().enumerate() {
        if index >= th {
            by_index = i;
        }
    }
    let mut rung = by_index;
    for (k, ms) in m.measures.iter().enumerate() {
        if levels[k] > 0 {
            rung = rung.max(ms.levels[levels[k] as usize - 1].implies_rung);
        }
    }
    let rung_held_by = held_by(m, &levels, rung, by_index);
    let in_force = levels
        .iter()
        .enumerate()
        .filter(|(_, l)| **l > 0)
        .map(|(k, &l)| LeverLevel {
            lever: m.measures[k].name.clone(),
            level: l,
            level_name: level_name(m, k, l),
        })
        .collect();
    let s = &m.scenario;
    // Each actor's amount, by name, in the scenario's order.
    let per_actor = |amounts: &[f64]| -> Vec<ActorCost> {
        (m.actors.iter().zip(amounts))
            .map(|(a, &c)| ActorCost {
                actor: a.name.clone(),
                cost: c,
            })
            .collect()
    };
    Ok(Trace {
        scenario: s.name.clone(),
        scenario_file: loaded.path.display().to_string(),
        scenario_hash: loaded.hash.clone(),
        seed,
        run,
        variant: m.variant.clone(),
        horizon: m.horizon,
        step_unit: s.step_unit.clone(),
        start_date: s.start_date.clone(),
        cost_unit: s.cost_unit.clone(),
        focal: (
            m.actors[m.relations[m.focal.0].from].name.clone(),
            m.actors[m.relations[m.focal.0].to].name.clone(),
        ),
        actors: m.actors.iter().map(|a| a.name.clone()).collect(),
        rungs: m.rung_names.clone(),
        parameters,
        start: Start {
            index,
            rung: m.rung_names[rung].clone(),
            in_force,
            rung_held_by,
            forced: m
                .measures
                .iter()
                .filter(|ms| matches!(ms.control, Control::Forced(_)))
                .map(|ms| ms.name.clone())
                .collect(),
        },
        steps,
        end: RunEnd {
            outcomes: m
                .outcomes
                .iter()
                .enumerate()
                .map(|(o, spec)| OutcomeHit {
                    name: spec.name.clone(),
                    label: spec.label.clone(),
                    happened: st.outcome_hit(o),
                    first_step: st.outcome_hit(o).then_some(st.outcome_first[o]),
                })
                .collect(),
            final_rung: m.rung_names[st.final_rung()].clone(),
            peak_rung: m.rung_names[st.peak_rung].clone(),
            peak_index: st.peak_index,
            final_index: st.index,
            costs: per_actor(&st.cost),
            gains: (m.actors.iter().zip(&st.gain))
                .map(|(a, &g)| ActorGain {
                    actor: a.name.clone(),
                    gain: g,
                })
                .collect(),
            max_levels: st
                .max_level
                .iter()
                .enumerate()
                .map(|(k, &l)| LeverLevel {
                    lever: m.measures[k].name.clone(),
                    level: l,
                    level_name: level_name(m, k, l),
                })
                .collect(),
        },
    })
}

/// The first `count` runs of a chunk in which outcome `o` happened, in run order. Cut short
/// after a stop, checked before each run: its hits are still the first of the chunk's, and
/// the merge that takes them also sees the stop.
fn scan_chunk(
    m: &Model,
    master: &Master,
    o: usize,
    count: usize,
    max_scan: u64,
    chunk: u64,
    stop: &AtomicBool,
) -> Vec<u64> {
    let mut st = RunState::new(m);
    let mut hits = vec![];
    let lo = chunk * CHUNK_RUNS;
    let hi = ((chunk + 1) * CHUNK_RUNS).min(max_scan);
    for r in crate::engine::until_stopped(lo..hi, stop) {
        simulate(m, master, r, &mut st, &mut Silent);
        if st.outcome_hit(o) {
            hits.push(r);
            if hits.len() >= count {
                break;
            }
        }
    }
    hits
}

/// The first `count` runs among `0..max_scan` in which outcome `o` happened, in run order, and
/// the number of runs examined. Runs are simulated in parallel chunks, merged in chunk order,
/// so the answer does not depend on the threads.
pub fn pick(
    m: &Model,
    seed: u64,
    o: usize,
    count: usize,
    max_scan: u64,
    threads: usize,
    stop: &AtomicBool,
) -> Result<(Vec<u64>, u64)> {
    let master = Master::new(seed);
    let plan = RunPlan::whole(seed, max_scan, threads);
    let enough = AtomicBool::new(false);
    let mut found: Vec<u64> = vec![];
    let mut interrupted = false;
    let _ = for_each_chunk(
        &plan,
        &enough,
        |chunk| scan_chunk(m, &master, o, count, max_scan, chunk, stop),
        |hits| {
            for r in hits {
                if found.len() < count {
                    found.push(r);
                }
            }
            if stop.load(Ordering::SeqCst) {
                interrupted = true;
                enough.store(true, Ordering::SeqCst);
            }
            if found.len() >= count {
                enough.store(true, Ordering::SeqCst);
            }
        },
    );
    if interrupted && found.len() < count {
        return Err(Error::Interrupted(
            "stopped before the scan finished; nothing was written".into(),
        ));
    }
    let scanned = if found.len() >= count {
        found[count - 1] + 1
    } else {
        max_scan
    };
    Ok((found, scanned))
}

/// Traces the requested runs; writes trace.json and trace.txt atomically when asked.
pub fn run(loaded: &LoadedScenario, req: &TraceRequest, stop: &AtomicBool) -> Result<TraceOutput> {
    let m = crate::model::compile(&loaded.scenario, req.variant.as_deref())?;
    let (runs, pick_info) = match &req.target {
        Target::Run(k) => {
            if *k > MAX_RUN_INDEX {
                return Err(Error::Input(format!(
                    "--run {k} is beyond the largest run index, {MAX_RUN_INDEX}"
                )));
            }
            (vec![*k], None)
        }
        Target::Pick {
            outcome,
            count,
            max_scan,
        } => {
            let o = m
                .outcomes
                .iter()
                .position(|x| &x.name == outcome)
                .ok_or_else(|| unknown_outcome(&m, outcome))?;
            if *count == 0 || *count > MAX_PICK {
                return Err(Error::Input(format!(
                    "--count must be between 1 and {MAX_PICK}"
                )));
            }
            if *max_scan == 0 || *max_scan > MAX_RUN_INDEX {
                return Err(Error::Input(format!(
                    "--max-scan must be between 1 and {MAX_RUN_INDEX}"
                )));
            }
            // An outcome that reads only an event this configuration lacks (one a variant
            // adds) can never happen here: no scan finds it, and "raise --max-scan" misled.
            if matches!(m.outcomes[o].cond, crate::model::Cond::Never) {
                let whose = match m.variant.as_deref() {
                    None => "the base scenario does not have (a variant adds it)".to_string(),
                    Some(v) => format!(
                        "variant {v:?} does not have (it removes it, or another variant adds it)"
                    ),
                };
                return Err(Error::Input(format!(
                    "outcome {outcome:?} can never happen in these runs: it reads an event \
                     that {whose}; pick it with a --variant that has it"
                )));
            }
            let (found, scanned) = pick(&m, req.seed, o, *count, *max_scan, req.threads, stop)?;
            // Not a failure while working: the same request finds nothing again, and what
            // changes it is the request (--max-scan, the outcome), so an input error, exit 2.
            if found.is_empty() {
                return Err(Error::Input(format!(
                    "outcome {outcome:?} happened in none of the first {max_scan} runs \
                     (seed {}); raise --max-scan or check the outcome",
                    req.seed
                )));
            }
            let p = Pick {
                outcome: outcome.clone(),
                count: *count,
                scanned,
                runs: found.clone(),
            };
            (found, Some(p))
        }
    };
    let mut spent = 0;
    let mut traces = Vec::with_capacity(runs.len());
    for &r in &runs {
        // A thousand traces of a long horizon take a minute: a stop ends them here.
        if stop.load(Ordering::SeqCst) {
            return Err(Error::Interrupted(
                "stopped before the runs were traced; nothing was written".into(),
            ));
        }
        let t = trace_within(
            &m,
            loaded,
            req.seed,
            r,
            TRACE_BUDGET,
            &mut spent,
            traces.len(),
        )
        .map_err(|e| {
            let fewer = if e.traced > 0 {
                format!("fewer runs (--count {} fit)", e.traced)
            } else {
                "a shorter horizon, fewer events or shorter names".into()
            };
            Error::Input(format!("{e}; expected a trace that fits: {fewer}"))
        })?;
        traces.push(t);
    }
    let out = TraceOutput {
        command: req.command.clone(),
        pick: pick_info,
        traces,
        set: loaded.overrides.iter().map(Into::into).collect(),
    };
    Ok(out)
}

fn unknown_outcome(m: &Model, name: &str) -> Error {
    let names: Vec<&str> = m.outcomes.iter().map(|o| o.name.as_str()).collect();
    if names.is_empty() {
        Error::Input(format!(
            "unknown outcome {}: the scenario defines no outcomes",
            crate::text::quoted_name(name)
        ))
    } else {
        Error::Input(format!(
            "unknown outcome {}; expected one of: {}",
            crate::text::quoted_name(name),
            names.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stop ends the tracing of the runs found: a thousand of a long horizon took a minute
    /// after the signal.
    #[test]
    fn a_stop_ends_the_tracing() {
        let loaded = crate::scenario::load(
            "scenarios/examples/richardson.ron".as_ref(),
            Default::default(),
        )
        .unwrap();
        let req = TraceRequest {
            variant: None,
            seed: 3,
            target: Target::Run(5),
            threads: 1,
            command: vec![],
        };
        assert!(run(&loaded, &req, &AtomicBool::new(false)).is_ok());
        let e = run(&loaded, &req, &AtomicBool::new(true)).unwrap_err();
        assert!(matches!(e, Error::Interrupted(_)), "{e}");
    }

    /// A stop ends a chunk of the scan before its next run (see `scan_chunk`).
    #[test]
    fn a_stop_ends_a_chunk_of_the_scan_before_its_next_run() {
        let loaded = crate::scenario::load(
            "scenarios/examples/tutorial.ron".as_ref(),
            Default::default(),
        )
        .unwrap();
        let m = crate::model::compile(&loaded.scenario, None).unwrap();
        let master = Master::new(3);
        // The outcome hit most often in 100 runs, so that a whole chunk finds some.
        let mut st = RunState::new(&m);
        let mut hits = vec![0; m.outcomes.len()];
        for r in 0..100 {
            simulate(&m, &master, r, &mut st, &mut Silent);
            for (o, n) in hits.iter_mut().enumerate() {
                *n += st.outcome_hit(o) as u32;
            }
        }
        let o = (0..hits.len()).max_by_key(|&o| hits[o]).unwrap();
        assert!(hits[o] > 10, "{hits:?}");
        let go = AtomicBool::new(false);
        assert!(!scan_chunk(&m, &master, o, usize::MAX, 5000, 1, &go).is_empty());
        let stop = AtomicBool::new(true);
        assert!(scan_chunk(&m, &master, o, usize::MAX, 5000, 1, &stop).is_empty());
    }

    /// A scenario whose events fire every step; `a` never moves (activity 0), so every level
    /// change is an event's.
    fn loaded(events: &str, horizon: u32) -> LoadedScenario {
        let text = format!(
            r#"Scenario(name: "t", horizon: {horizon}, focal: ("a", "b"),
              actors: [Actor(name: "a", activity: 0.0), Actor(name: "b")],
              relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
              ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2)],
              levers: [
                Measure(name: "m", owner: "a", target: "b", source: "x",
                        levels: [Level(name: "on", weight: -1.0), Level(name: "high", weight: -2.0)]),
                Measure(name: "n", owner: "a", target: "b", source: "x",
                        levels: [Level(name: "on", weight: -1.0)]),
              ],
              events: [{events}],
            )"#
        );
        let path = std::path::Path::new("t.ron");
        let scenario = crate::scenario::load::parse_text(path, &text)
            .unwrap_or_else(|d| panic!("invalid: {d}"));
        LoadedScenario {
            scenario,
            path: path.into(),
            hash: String::new(),
            overrides: vec![],
        }
    }

    #[test]
    fn each_change_is_told_and_many_in_a_step_fold_into_one() {
        let every_step = |name: &str, effects: &str| {
            format!(
                r#"Event(name: "{name}", timing: Hazard(rate: 1.0), effects: [{effects}], source: "x"),"#
            )
        };
        let set = |m: &str, levels: &[u8]| {
            levels
                .iter()
                .map(|l| format!(r#"SetLevel(lever: "{m}", level: {l})"#))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // In the order of their names: e1 takes m to 1 then 2 and n to 1; e2 sets m to 2 again
        // (no change); e3 takes m back to 1 and n back to 0; e4 moves m four times more.
        let events = [
            every_step("e1", &format!("{}, {}", set("m", &[1, 2]), set("n", &[1]))),
            every_step("e2", &set("m", &[2])),
            every_step("e3", &format!("{}, {}", set("m", &[1]), set("n", &[0]))),
            every_step("e4", &set("m", &[2, 1, 2, 1])),
        ]
        .concat();
        let loaded = loaded(&events, 3);
        let m = crate::model::compile(&loaded.scenario, None).unwrap();
        let t = trace_run(&m, &loaded, 0, 0).unwrap();
        assert_eq!(t.steps.len(), 3);
        assert!(t.steps.iter().all(|s| s.events.len() == 4));
        let name = |l: u8| ["status quo", "on", "high"][l as usize].to_string();
        let c = |lever: &str, from: u8, to: u8, cause: &str| LevelChange {
            lever: lever.into(),
            from,
            to,
            from_name: name(from),
            to_name: name(to),
            cause: cause.into(),
        };
        // m's first four changes told one by one; its fifth to seventh as one, from the level
        // before the fifth to the last.
        assert_eq!(
            t.steps[0].level_changes,
            vec![
                c("m", 0, 1, "event e1"),
                c("m", 1, 2, "event e1"),
                c("n", 0, 1, "event e1"),
                c("m", 2, 1, "event e3"),
                c("n", 1, 0, "event e3"),
                c("m", 1, 2, "event e4"),
                c("m", 2, 1, "events e4 … e4 (3 changes)"),
            ]
        );
        // From step 1, m starts at 1: its changes are 1 -> 2 (e1), 2 -> 1 (e3), then e4's four,
        // of which the last two fold.
        assert_eq!(
            t.steps[1].level_changes,
            vec![
                c("m", 1, 2, "event e1"),
                c("n", 0, 1, "event e1"),
                c("m", 2, 1, "event e3"),
                c("n", 1, 0, "event e3"),
                c("m", 1, 2, "event e4"),
                c("m", 2, 1, "event e4"),
                c("m", 1, 1, "events e4 … e4 (2 changes)"),
            ]
        );
    }

    #[test]
    fn a_trace_is_charged_to_its_budget_and_stops_at_its_end() {
        let events = r#"Event(name: "e", timing: Hazard(rate: 1.0), effects: [SetLevel(lever: "m", level: 1)], source: "x")"#;
        let loaded = loaded(events, 40);
        let m = crate::model::compile(&loaded.scenario, None).unwrap();
        let whole = trace_run(&m, &loaded, 3, 5).unwrap();
        let held: usize = whole.steps.iter().map(held_bytes).sum();
        assert!(held > 40 * std::mem::size_of::<TraceStep>());
        // Room for exactly the whole trace: it fits, and spends it all.
        let mut spent = 7;
        let again = trace_within(&m, &loaded, 3, 5, held + 7, &mut spent, 0).unwrap();
        assert_eq!((again, spent), (whole.clone(), held + 7));
        // One byte short: refused at the last step, and what was spent untouched.
        let mut spent = 7;
        let e = trace_within(&m, &loaded, 3, 5, held + 6, &mut spent, 2).unwrap_err();
        assert_eq!(
            e,
            TraceTooLarge {
                traced: 2,
                run: 5,
                step: 39,
                budget: held + 6,
            }
        );
        assert_eq!(spent, 7);
        let text = TraceTooLarge {
            budget: TRACE_BUDGET,
            ..e
        }
        .to_string();
        assert!(text.contains("2 run(s) traced whole, then run 5"), "{text}");
        assert!(
            text.contains("128 MiB") && text.contains("at step 39"),
            "{text}"
        );
        // The timeline's budget is its own.
        assert!(timeline_run(&m, &loaded, 3, 5).is_ok());
    }
}
