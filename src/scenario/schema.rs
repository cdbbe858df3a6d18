//! The scenario language: the serde types a RON scenario file is read into.
//!
//! Field names follow the analyst's vocabulary of `docs/scenario-format.md`; every number that
//! may be uncertain is a [`Param`]. Defaults keep small scenarios short.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::param::Param;

fn p(v: f64) -> Param {
    Param::Value(v)
}
fn zero() -> Param {
    p(0.0)
}
fn yes() -> bool {
    true
}
fn one() -> Param {
    p(1.0)
}
fn default_fatigue() -> Param {
    p(0.3)
}
fn default_pressure_decay() -> Param {
    p(0.1)
}
fn default_step_unit() -> String {
    "week".into()
}
fn default_cost_unit() -> String {
    "cost units".into()
}
fn default_bounds() -> (f64, f64) {
    (-10.0, 10.0)
}
fn default_cooldown() -> i64 {
    1
}

/// A whole scenario: actors, relations, ladder, levers, events, outcomes and variants.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, shown in every output.
    pub name: String,
    /// What the scenario is about, for the report.
    #[serde(default)]
    pub description: String,
    /// The works the scenario draws on.
    #[serde(default)]
    pub sources: Vec<String>,
    /// What one step is ("week").
    #[serde(default = "default_step_unit")]
    pub step_unit: String,
    /// Number of steps in a run (1 to [`super::limits::MAX_HORIZON`]).
    pub horizon: i64,
    /// Calendar date of step 0, `YYYY-MM-DD`.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Unit of every cost ("USD million").
    #[serde(default = "default_cost_unit")]
    pub cost_unit: String,
    /// Default number of runs for `brink run`.
    #[serde(default)]
    pub runs: Option<i64>,
    /// The focal dyad whose mean hostility is the dyad index H.
    pub focal: (String, String),
    /// Lower and upper bound of every hostility.
    #[serde(default = "default_bounds")]
    pub bounds: (f64, f64),
    /// The actors.
    pub actors: Vec<Actor>,
    /// Directed relations: i's hostility toward j.
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// The escalation ladder, lowest rung first.
    pub ladder: Vec<Rung>,
    /// Domestic pressure stocks.
    #[serde(default)]
    pub pressures: Vec<Pressure>,
    /// Named uncertain numbers drawn once per run and used wherever `Shared("name")` stands for
    /// a number (one war risk behind several events).
    #[serde(default)]
    pub shared: Vec<Shared>,
    /// Measures and acts the actors can use.
    #[serde(default)]
    pub levers: Vec<Lever>,
    /// Exogenous shocks.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Named outcomes, defined as predicates on a run.
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
    /// Named overrides of this scenario.
    #[serde(default)]
    pub variants: Vec<Variant>,
}

impl Scenario {
    /// The names of its variants, in the file's order: what `brink compare --all` and the
    /// Python package's `compare(variants=None)` compare with the base.
    ///
    /// ```
    /// let loaded = brink::scenario::load(
    ///     "scenarios/examples/tutorial.ron".as_ref(),
    ///     Default::default(),
    /// )?;
    /// assert!(loaded.scenario.variant_names().contains(&"restraint".to_string()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn variant_names(&self) -> Vec<String> {
        self.variants.iter().map(|v| v.name.clone()).collect()
    }
}

/// The role an actor plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ActorKind {
    /// One of the two sides of the crisis.
    #[default]
    Principal,
    /// An outside state with stakes in the crisis.
    ThirdParty,
    /// An outside state that brokers contact.
    Mediator,
}

/// A state (or a group acting as one) with its behavioural parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Identifier used everywhere else in the file.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// Its role: a side of the crisis, a third party or a mediator (default: a side).
    #[serde(default)]
    pub kind: ActorKind,
    /// Logit choice sharpness λ (0 = random play).
    #[serde(default = "one")]
    pub rationality: Param,
    /// Weight of hostility in its choices: how much a point of hostility above a lever's
    /// threshold adds to the utility of escalating with it (utility per point).
    #[serde(default = "one")]
    pub sensitivity: Param,
    /// Readiness to escalate at a given hostility: added to the utility of every escalating
    /// option and taken from every de-escalating one (utility; 0 is neutral, negative dovish).
    #[serde(default = "zero")]
    pub hawkishness: Param,
    /// Weight of its own costs (utility per cost unit per step).
    #[serde(default = "zero")]
    pub cost_weight: Param,
    /// Chance per step that it makes a deliberate move at all.
    #[serde(default = "one")]
    pub activity: Param,
    /// Source of its numbers (credited to those without a source of their own).
    #[serde(default)]
    pub source: String,
}

/// The directed relation `from → to`: `from`'s hostility toward `to` and its dynamics.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// The actor who feels the hostility.
    pub from: String,
    /// The actor it is felt toward.
    pub to: String,
    /// Hostility at step 0.
    #[serde(default = "zero")]
    pub initial: Param,
    /// Fatigue a: the share of hostility that fades each step.
    #[serde(default = "default_fatigue")]
    pub fatigue: Param,
    /// Reactivity k: how much of `to`'s hostility toward `from` is returned each step.
    #[serde(default = "zero")]
    pub reactivity: Param,
    /// Grievance g: a standing push per step.
    #[serde(default = "zero")]
    pub grievance: Param,
    /// Noise σ: standard deviation of the random shock per step.
    #[serde(default = "zero")]
    pub noise: Param,
    /// How strongly `from` feels `to`'s moves: a move of weight w adds −w·salience.
    #[serde(default = "one")]
    pub salience: Param,
    /// Source of its numbers (credited to those without a source of their own).
    #[serde(default)]
    pub source: String,
}

/// A rung of the escalation ladder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// Identifier, unique among rungs.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// The rung is reached when the dyad index H is at least this.
    pub threshold: f64,
    /// Longer text for the report.
    #[serde(default)]
    pub description: String,
}

/// A named number shared by several fields: drawn once per run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shared {
    /// Identifier, unique among shared numbers; fields use it as `Shared("name")`.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// Its value: a number or a distribution (not another shared number).
    pub value: Param,
    /// Source of its value.
    #[serde(default)]
    pub source: String,
}

/// A domestic pressure stock of one actor (returning migrants, hard-line media).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pressure {
    /// Identifier, unique among pressure stocks.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// The actor it presses on.
    pub actor: String,
    /// Stock at step 0.
    #[serde(default = "zero")]
    pub initial: Param,
    /// Share of the stock that fades each step.
    #[serde(default = "default_pressure_decay")]
    pub decay: Param,
    /// Utility per unit of stock toward escalation (negative: toward peace).
    #[serde(default = "zero")]
    pub push: Param,
    /// Source of its numbers (credited to those without a source of their own).
    #[serde(default)]
    pub source: String,
}

/// Per-actor (or per-pressure) numbers, written as a map: `{"russia": 0.5, "azerbaijan": 12}`.
pub type PerName = BTreeMap<String, Param>;

/// A lever: a persistent measure with levels, or a one-off act.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Lever {
    /// A measure with ordered levels (a visa regime, a trade ban).
    Measure(Measure),
    /// A one-off move (a protest note, a drill).
    Act(Act),
}

impl Lever {
    /// The lever's name.
    pub fn name(&self) -> &str {
        match self {
            Lever::Measure(m) => &m.name,
            Lever::Act(a) => &a.name,
        }
    }
}

/// A measure: ordered levels above the status quo (level 0), persisting until its owner lowers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Identifier, unique among levers (measures and acts together).
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// The actor who pulls it.
    pub owner: String,
    /// The actor it is aimed at.
    pub target: String,
    /// The relation whose hostility motivates the lever; default `(owner, target)`.
    #[serde(default)]
    pub motive: Option<(String, String)>,
    /// θ: the motivating hostility above which raising it pays (each level may set its own).
    #[serde(default = "zero")]
    pub threshold: Param,
    /// θ for easing: lowering pays while the motivating hostility is below it (default: the
    /// threshold of the level in force).
    #[serde(default)]
    pub ease_threshold: Option<Param>,
    /// Level in force at step 0.
    #[serde(default)]
    pub initial: i64,
    /// Utility lost by backing down (lowering it by any number of levels).
    #[serde(default = "zero")]
    pub persistence: Param,
    /// How its costs and benefits are felt in choices, as a multiple of what is borne (≥ 0,
    /// default 1): a cost an actor discounts, or one it magnifies.
    #[serde(default = "one")]
    pub perception: Param,
    /// The lifting clock: a level in force comes up for review with probability
    /// 1 − 2^(−1/half_life) per step, and only at a review may its owner lower it (steps; 0:
    /// reviewed every step). Measures live on a slower clock than moods.
    #[serde(default = "zero")]
    pub half_life: Param,
    /// Steps a level is held before it can be lowered at all (0: no minimum).
    #[serde(default)]
    pub min_duration: i64,
    /// Whether the owner can lower it once raised (false: an apology, a release, a recognition).
    #[serde(default = "yes")]
    pub reversible: bool,
    /// Raising it is possible only while this holds (a demand, a precondition).
    #[serde(default)]
    pub raise_when: Option<Condition>,
    /// Lowering it is possible only while this holds (lift only after the other side's act).
    #[serde(default)]
    pub lower_when: Option<Condition>,
    /// Levels 1, 2, …; level 0 is the status quo.
    pub levels: Vec<Level>,
    /// Source of its numbers and of its levels' numbers that have none.
    #[serde(default)]
    pub source: String,
}

/// One level of a measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Identifier, unique within the measure.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// Goldstein weight of the move that reaches this level (negative is hostile).
    pub weight: Param,
    /// Goldstein weight of the move that eases it back a level; default: −weight.
    #[serde(default)]
    pub ease_weight: Option<Param>,
    /// θ for raising to this level (default: the measure's `threshold`).
    #[serde(default)]
    pub threshold: Option<Param>,
    /// Added to the target's hostility toward the owner every step the level is in force.
    #[serde(default = "zero")]
    pub irritation: Param,
    /// Cost per step to each actor while in force (the scenario's cost unit).
    #[serde(default)]
    pub costs: PerName,
    /// Benefit per step to each actor while in force (trade that grows, transit fees), in the
    /// cost unit: tracked per actor as its gains, and a negative cost in its owner's choices.
    #[serde(default)]
    pub benefits: PerName,
    /// Added to each pressure stock every step while in force.
    #[serde(default)]
    pub pressure: PerName,
    /// Changes to other actors' parameters while in force.
    #[serde(default)]
    pub modifiers: Vec<Modifier>,
    /// Lowest rung at which the move to this level may be made.
    #[serde(default)]
    pub min_rung: Option<String>,
    /// The rung this level implies while in force.
    #[serde(default)]
    pub implies_rung: Option<String>,
    /// Utility to the owner of making the move (domestic approval, a third party's reward).
    #[serde(default = "zero")]
    pub reward: Param,
    /// Source of its numbers (default: the measure's).
    #[serde(default)]
    pub source: String,
}

/// An actor parameter a modifier can change (also the actor's fields in the parameter registry,
/// [`super::field::ParamField::Actor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActorParam {
    /// λ, the sharpness of the logit choice (per unit of utility).
    Rationality,
    /// Weight of hostility in choices (utility per point).
    Sensitivity,
    /// Readiness to escalate: utility added to escalating options, taken from de-escalating ones.
    Hawkishness,
    /// Weight of the actor's own costs (utility per cost unit).
    CostWeight,
    /// Chance per step of making a deliberate move (0 to 1).
    Activity,
}

/// Changes an actor's parameter to `value·factor + add`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    /// The actor whose parameter changes (any actor, the owner included).
    pub actor: String,
    /// Which parameter.
    pub param: ActorParam,
    /// Multiplies the value (≥ 0, default 1).
    #[serde(default = "one")]
    pub factor: Param,
    /// Then added, in the parameter's unit (default 0).
    #[serde(default = "zero")]
    pub add: Param,
}

/// A one-off move with a cooldown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    /// Identifier, unique among levers (measures and acts together).
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// The actor who acts.
    pub owner: String,
    /// The actor it is aimed at.
    pub target: String,
    /// The relation whose hostility motivates the act; default `(owner, target)`.
    #[serde(default)]
    pub motive: Option<(String, String)>,
    /// θ: hostile acts pay above it, cooperative acts (positive weight) below it.
    #[serde(default = "zero")]
    pub threshold: Param,
    /// Goldstein weight of the act.
    pub weight: Param,
    /// Steps after it is performed during which it cannot be performed again (as for events).
    #[serde(default = "default_cooldown")]
    pub cooldown: i64,
    /// One-off cost to each actor.
    #[serde(default)]
    pub costs: PerName,
    /// How its cost is felt in its owner's choice, as a multiple of what is borne (default 1).
    #[serde(default = "one")]
    pub perception: Param,
    /// Further effects of the act.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Lowest rung at which it may be performed (default: any rung).
    #[serde(default)]
    pub min_rung: Option<String>,
    /// Utility to the owner of performing it (default 0).
    #[serde(default = "zero")]
    pub reward: Param,
    /// It can be performed only while this holds (meet only after an apology).
    #[serde(default)]
    pub allowed_when: Option<Condition>,
    /// It can be performed at most once per run (an apology, a release).
    #[serde(default)]
    pub once: bool,
    /// Contact that needs the other side: the act is an offer, and happens only if this actor
    /// accepts within `accept_within` steps (a call, a meeting).
    #[serde(default)]
    pub accepted_by: Option<String>,
    /// Steps after the offer during which it may be accepted (1 to 5200, default 1).
    #[serde(default = "default_cooldown")]
    pub accept_within: i64,
    /// θ of the accepting side: accepting pays while its hostility toward the owner is below it.
    #[serde(default = "zero")]
    pub accept_threshold: Param,
    /// Source of its numbers (credited to those without a source of their own).
    #[serde(default)]
    pub source: String,
}

/// An exogenous shock.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Identifier, unique among events (those variants add included).
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// When it can fire.
    pub timing: Timing,
    /// Whether it can happen at most once per run.
    #[serde(default)]
    pub once: bool,
    /// Steps after it fires during which it cannot fire again.
    #[serde(default)]
    pub cooldown: i64,
    /// What it does when it fires, in order.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Results of which one happens each time it fires (an election won by either side), with
    /// their chances (weights, scaled to sum to 1) and their own effects, applied after `effects`.
    #[serde(default)]
    pub branches: Vec<Branch>,
    /// Source of its numbers (credited to those without a source of their own).
    #[serde(default)]
    pub source: String,
}

/// One possible result of an event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Identifier, unique within the event.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// Its weight among the event's branches (≥ 0; weights are scaled to sum to 1).
    pub probability: Param,
    /// What it does, in order.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Source of its numbers (default: the event's).
    #[serde(default)]
    pub source: String,
}

/// When an event can fire.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Timing {
    /// At one step, with a probability.
    Scheduled {
        /// The step (0 to horizon − 1).
        step: i64,
        /// Chance that it fires at that step (0 to 1, default 1).
        #[serde(default = "one")]
        probability: Param,
        /// It fires only if this holds at the start of the step (default: always).
        #[serde(default)]
        when: Option<Condition>,
    },
    /// At one uncertain step (a distribution over steps, drawn once per run and rounded to the
    /// nearest step in 0 to horizon − 1), with a probability.
    Dated {
        /// The step, a number or a distribution.
        step: Param,
        /// Chance that it fires at that step (0 to 1, default 1).
        #[serde(default = "one")]
        probability: Param,
        /// It fires only if this holds at the start of the step (default: always).
        #[serde(default)]
        when: Option<Condition>,
    },
    /// Any step, with probability `rate · exp(index_slope · H) · Π factors`, capped at 1.
    Hazard {
        /// Base probability per step, when H = 0 and no factor applies (0 to 1).
        rate: Param,
        /// Per point of H: positive makes the event likelier as H rises (default 0).
        #[serde(default = "zero")]
        index_slope: Param,
        /// Per point of unresolved grievance G (the focal pair's mean grievance this run, after
        /// lasting effects): positive makes relapse likelier while grievances stand (default 0).
        #[serde(default = "zero")]
        grievance_slope: Param,
        /// Multipliers, each applied while its condition holds.
        #[serde(default)]
        factors: Vec<Factor>,
        /// First step at which it may fire (default 0).
        #[serde(default)]
        from_step: i64,
        /// Last step at which it may fire, included (default: to the end).
        #[serde(default)]
        until_step: Option<i64>,
    },
}

/// Multiplies a hazard while a condition holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// While this holds (on the state at the start of the step)…
    pub when: Condition,
    /// …the hazard is multiplied by this (≥ 0; 0 blocks the event).
    pub times: Param,
}

/// What an event or act does.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Effect {
    /// A move by `by` against `against` with a Goldstein weight: adds −weight·salience to
    /// `against`'s hostility toward `by`.
    Move {
        /// The actor who moves.
        by: String,
        /// The actor moved against: its hostility toward `by` changes by −weight · salience.
        against: String,
        /// Goldstein weight (−10 to 10, negative is hostile).
        weight: Param,
    },
    /// Adds `amount` to `from`'s hostility toward `to`.
    Impulse {
        /// The actor whose hostility changes.
        from: String,
        /// Toward whom.
        to: String,
        /// Points added (negative: warmth).
        amount: Param,
    },
    /// Multiplies both hostilities of a pair (default: the focal dyad) by `factor`.
    ScaleHostility {
        /// The multiplier (≥ 0; 0.5 halves both hostilities).
        factor: Param,
        /// The two actors of the pair (default: the focal dyad).
        #[serde(default)]
        between: Option<(String, String)>,
    },
    /// Sets a measure to a level.
    SetLevel {
        /// The measure (not an act).
        lever: String,
        /// The level set (0, the status quo, to the measure's number of levels).
        level: i64,
    },
    /// Adds to a pressure stock.
    AddPressure {
        /// The pressure stock.
        pressure: String,
        /// Stock units added.
        amount: Param,
    },
    /// Changes a relation's parameter to `value·factor + add`, for good or for `duration` steps
    /// (an apology removes a grievance; a betrayal adds one).
    ShiftRelation {
        /// The relation's `from` actor.
        from: String,
        /// The relation's `to` actor.
        to: String,
        /// Which parameter.
        param: RelationParam,
        /// Multiplies the value (≥ 0, default 1).
        #[serde(default = "one")]
        factor: Param,
        /// Then added (default 0).
        #[serde(default = "zero")]
        add: Param,
        /// Steps it lasts, counting the step it happens in (default: for good).
        #[serde(default)]
        duration: Option<i64>,
    },
    /// Changes a measure's parameter to `value·factor + add` for good (a new government's
    /// different stance): its thresholds (every level's, raising and easing), persistence,
    /// half-life or rewards (every level's).
    ShiftLever {
        /// The measure.
        lever: String,
        /// Which parameter.
        param: LeverParam,
        /// Multiplies the value (≥ 0, default 1).
        #[serde(default = "one")]
        factor: Param,
        /// Then added (default 0).
        #[serde(default = "zero")]
        add: Param,
    },
    /// Changes an actor parameter for `duration` steps.
    Modify {
        /// Whose parameter changes.
        actor: String,
        /// Which parameter.
        param: ActorParam,
        /// Multiplies the value (≥ 0, default 1).
        #[serde(default = "one")]
        factor: Param,
        /// Then added (default 0).
        #[serde(default = "zero")]
        add: Param,
        /// Steps it lasts, counting the step it happens in (1 to 5200).
        duration: i64,
    },
}

/// A relation's parameter a lasting effect can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RelationParam {
    /// The standing push per step (points per step).
    Grievance,
    /// The share of hostility that fades per step (0 to 1).
    Fatigue,
    /// The share of the reverse hostility returned per step (−1 to 1).
    Reactivity,
    /// How strongly the other side's moves are felt (≥ 0).
    Salience,
    /// The standard deviation of the shock per step (≥ 0).
    Noise,
}

/// A measure's parameter an effect can change for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeverParam {
    /// Every threshold (raising each level, and easing), in points.
    Threshold,
    /// The utility lost by lowering it.
    Persistence,
    /// The lifting clock's half-life, in steps (≥ 0).
    HalfLife,
    /// Every level's reward for raising to it.
    Reward,
}

/// A predicate on the state of a run at one step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Condition {
    /// The current rung is this one or higher.
    RungAtLeast(String),
    /// The current rung is below this one.
    RungBelow(String),
    /// The dyad index H is above a value.
    IndexAbove(f64),
    /// The dyad index H is below a value.
    IndexBelow(f64),
    /// A measure is at this level or higher.
    LevelAtLeast(String, i64),
    /// An event has occurred at least once so far.
    EventOccurred(String),
    /// An event fired within the last n steps (this one included).
    EventWithin(String, i64),
    /// An act was performed within the last n steps (this one included).
    ActWithin(String, i64),
    /// An act has been performed at least once so far.
    ActOccurred(String),
    /// The step is from a to b, both included.
    StepIn(i64, i64),
    /// A measure has been at this level or higher continuously for at least n steps.
    LevelHeldFor(String, i64, i64),
    /// A measure has reached this level (or higher) at some step so far.
    LevelEverReached(String, i64),
    /// The condition has held at each of the last n steps (this one included).
    Sustained(Box<Condition>, i64),
    /// The first (an event or an act) has happened, and before the second did if it has.
    Before(String, String),
    /// The event's latest firing took this branch.
    BranchTaken(String, String),
    /// All of the conditions hold.
    All(Vec<Condition>),
    /// Any of the conditions holds.
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// A named outcome: the share of runs in which `when` held at some step (or at the end).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Identifier, unique among outcomes.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// The predicate, checked at the end of every step.
    pub when: Condition,
    /// Count only the state at the last step.
    #[serde(default)]
    pub at_end: bool,
    /// Where the definition comes from.
    #[serde(default)]
    pub source: String,
}

/// A named override of the base scenario: a hypothesis or a policy option.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Identifier, unique among variants.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// Longer text.
    #[serde(default)]
    pub description: String,
    /// Replaces numbers, by path (see `brink describe --paths`): `{"actors.azerbaijan.sensitivity": 1.5}`.
    #[serde(default)]
    pub set: PerName,
    /// Holds measures at a level from step 0; their owners cannot change them.
    #[serde(default)]
    pub force: BTreeMap<String, i64>,
    /// Holds measures at their initial level (the status quo at step 0) and disables acts.
    #[serde(default)]
    pub freeze: Vec<String>,
    /// Events only this variant has.
    #[serde(default)]
    pub add_events: Vec<Event>,
    /// Base events this variant does without (they still draw their numbers, so that nothing
    /// else shifts).
    #[serde(default)]
    pub remove_events: Vec<String>,
    /// Source of the hypothesis.
    #[serde(default)]
    pub source: String,
    /// Made by brink, not written in the file: the `--set` overrides, a sweep's point or an
    /// experiment's, layered as a variant (its messages name no variant).
    #[serde(skip)]
    pub made_up: bool,
}
