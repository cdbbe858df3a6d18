//! The model: a scenario (with a variant applied) compiled into index-based tables, the state of
//! one run, and one step of dynamics. See `docs/model.md` for the equations.

mod compile;
mod condition;
mod state;
mod step;

pub use compile::{CompileError, Control, apply_variant, compile, compile_variant, find_variant};
pub use condition::{Clock, Cond, deps};
pub use state::{Choice, RunRecord, RunState};
pub use step::{
    Decision, Observer, Silent, draw_run_words, sample_values, sample_values_of_runs, simulate,
    simulate_sampled,
};

use crate::scenario::{ActorParam, Param, Scenario};

/// Index of a number in a run's sampled values.
pub type ParamId = u32;

/// Actor parameters in a fixed order, so that effective values live in a small array.
pub const ACTOR_PARAMS: [ActorParam; 5] = [
    ActorParam::Rationality,
    ActorParam::Sensitivity,
    ActorParam::Hawkishness,
    ActorParam::CostWeight,
    ActorParam::Activity,
];

/// The position of a parameter in [`ACTOR_PARAMS`].
pub fn actor_param_index(p: ActorParam) -> usize {
    match p {
        ActorParam::Rationality => 0,
        ActorParam::Sensitivity => 1,
        ActorParam::Hawkishness => 2,
        ActorParam::CostWeight => 3,
        ActorParam::Activity => 4,
    }
}

/// An actor's behavioural parameters.
#[derive(Debug, Clone)]
pub struct ActorSpec {
    pub(crate) name: String,
    /// Rationality, sensitivity, hawkishness, cost weight, activity (see [`ACTOR_PARAMS`]).
    pub params: [ParamId; 5],
    /// The key of its part of the choice stream ([`crate::numerics::rng::key_of`] its name).
    pub key: u64,
    /// Pressure stocks that press on this actor.
    pub pressures: Vec<usize>,
    /// Measures this actor owns.
    pub measures: Vec<usize>,
    /// Acts this actor owns.
    pub acts: Vec<usize>,
    /// What this actor can choose besides holding, in the order the logit choice takes them:
    /// its free measures (not forced or frozen), then its acts that are not frozen.
    pub options: Vec<OptionSource>,
}

/// A lever an actor can move in its choice, with what the choice reads of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionSource {
    /// Raise or lower measure `measure`, motivated by relation `motive`.
    Measure {
        /// Index of the measure in [`Model::measures`].
        measure: usize,
        /// Index of the relation (in [`Model::relations`]) whose hostility moves the owner.
        motive: usize,
    },
    /// Perform act `act` (on the rung `min_rung` or higher), motivated by relation `motive`.
    Act {
        /// Index of the act in [`Model::acts`].
        act: usize,
        /// Index of the relation (in [`Model::relations`]) whose hostility moves the owner.
        motive: usize,
        /// Index of the lowest rung at which the act may be performed (0: any rung).
        min_rung: usize,
    },
    /// Accept the pending offer of act `act` (contact that needs this actor), motivated by
    /// relation `motive` (this actor's hostility toward the one who offers).
    Accept {
        /// Index of the act in [`Model::acts`].
        act: usize,
        /// Index of the relation accepter → owner.
        motive: usize,
    },
}

/// A directed relation.
#[derive(Debug, Clone)]
pub struct RelationSpec {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) initial: ParamId,
    pub(crate) fatigue: ParamId,
    pub(crate) reactivity: ParamId,
    pub(crate) grievance: ParamId,
    pub(crate) noise: ParamId,
    pub(crate) salience: ParamId,
    /// The relation `to → from`, if declared.
    pub reverse: Option<usize>,
    /// The key of its part of the noise stream ([`crate::numerics::rng::key_of`] `from->to`).
    pub key: u64,
}

/// A domestic pressure stock.
#[derive(Debug, Clone)]
pub struct PressureSpec {
    /// The stock's name in the scenario.
    pub name: String,
    /// Index of the actor it presses on (in [`Model::actors`]).
    pub actor: usize,
    pub(crate) initial: ParamId,
    pub(crate) decay: ParamId,
    pub(crate) push: ParamId,
}

/// A modifier of an actor parameter: value · factor + add.
#[derive(Debug, Clone)]
pub struct ModifierSpec {
    pub(crate) actor: usize,
    pub(crate) param: usize,
    pub(crate) factor: ParamId,
    pub(crate) add: ParamId,
}

/// One level of a measure (level numbers start at 1).
#[derive(Debug, Clone)]
pub struct LevelSpec {
    pub(crate) name: String,
    pub(crate) weight: ParamId,
    /// None: the easing move weighs −weight.
    pub ease_weight: Option<ParamId>,
    /// θ for raising to this level; None: the measure's.
    pub threshold: Option<ParamId>,
    pub(crate) irritation: ParamId,
    pub(crate) costs: Vec<(usize, ParamId)>,
    /// The owner's cost per step at this level, if any.
    pub owner_cost: Option<ParamId>,
    pub(crate) benefits: Vec<(usize, ParamId)>,
    /// The owner's benefit per step at this level, if any.
    pub owner_benefit: Option<ParamId>,
    pub(crate) pressure: Vec<(usize, ParamId)>,
    pub(crate) modifiers: Vec<ModifierSpec>,
    pub(crate) min_rung: usize,
    /// Index of the rung the crisis is at least on while this level is in force (0: the lowest
    /// rung, which implies nothing).
    pub implies_rung: usize,
    pub(crate) reward: ParamId,
}

/// A measure.
#[derive(Debug, Clone)]
pub struct MeasureSpec {
    pub(crate) name: String,
    pub(crate) owner: usize,
    pub(crate) target: usize,
    /// The relation whose hostility motivates it.
    pub motive: usize,
    /// The relation target → owner, which feels its moves.
    pub felt_by: usize,
    pub(crate) threshold: ParamId,
    /// θ for easing; None: the threshold of the level in force.
    pub ease_threshold: Option<ParamId>,
    pub(crate) persistence: ParamId,
    pub(crate) perception: ParamId,
    pub(crate) half_life: ParamId,
    pub(crate) min_duration: u32,
    pub(crate) reversible: bool,
    /// Indices in [`Model::gates`] of the conditions on raising and on lowering it.
    pub(crate) raise_when: Option<usize>,
    pub(crate) lower_when: Option<usize>,
    /// The key of its part of the lifting stream.
    pub key: u64,
    pub(crate) initial: u8,
    /// Levels 1, 2, … in order (entry 0 is level 1; level 0, the status quo, has none).
    pub levels: Vec<LevelSpec>,
    pub(crate) control: Control,
}

/// A one-off act.
#[derive(Debug, Clone)]
pub struct ActSpec {
    pub(crate) name: String,
    pub(crate) owner: usize,
    pub(crate) target: usize,
    pub(crate) motive: usize,
    pub(crate) felt_by: usize,
    pub(crate) threshold: ParamId,
    pub(crate) weight: ParamId,
    pub(crate) cooldown: u32,
    pub(crate) costs: Vec<(usize, ParamId)>,
    pub(crate) owner_cost: Option<ParamId>,
    pub(crate) perception: ParamId,
    pub(crate) effects: Vec<EffectSpec>,
    pub(crate) min_rung: usize,
    pub(crate) reward: ParamId,
    pub(crate) frozen: bool,
    /// Index in [`Model::gates`] of the condition on performing it.
    pub(crate) allowed_when: Option<usize>,
    pub(crate) once: bool,
    /// Contact that needs another actor's acceptance.
    pub accept: Option<AcceptSpec>,
}

/// Who must accept an act (a contact) and how.
#[derive(Debug, Clone, Copy)]
pub struct AcceptSpec {
    /// Index of the accepting actor.
    pub by: usize,
    /// Steps after the offer during which it may be accepted.
    pub within: u32,
    /// Index of the relation accepter → owner, whose hostility moves the acceptance.
    pub motive: usize,
    pub(crate) threshold: ParamId,
}

/// A measure's parameter an effect can change.
pub mod lever_param {
    /// Every threshold of the measure.
    pub const THRESHOLD: usize = 0;
    /// Persistence.
    pub const PERSISTENCE: usize = 1;
    /// Half-life of the lifting clock.
    pub const HALF_LIFE: usize = 2;
    /// Every level's reward.
    pub const REWARD: usize = 3;
}

/// A relation parameter lasting effects change, as an index into a relation's live values.
pub mod rel_param {
    /// Grievance.
    pub const GRIEVANCE: usize = 0;
    /// Fatigue.
    pub const FATIGUE: usize = 1;
    /// Reactivity.
    pub const REACTIVITY: usize = 2;
    /// Salience.
    pub const SALIENCE: usize = 3;
    /// Noise.
    pub const NOISE: usize = 4;
}

/// An effect, with names resolved.
#[derive(Debug, Clone)]
pub enum EffectSpec {
    /// Adds −weight·salience(relation) to the relation (the one that feels the move).
    Move {
        /// Index of the relation against → by, which feels the move.
        relation: usize,
        /// Goldstein weight of the move (−10 to 10, negative is hostile).
        weight: ParamId,
    },
    /// Adds `amount` to a relation's hostility in this step's update.
    Impulse {
        /// Index of the relation from → to.
        relation: usize,
        /// Points of hostility added.
        amount: ParamId,
    },
    /// Multiplies the hostilities of a pair at once (0.5 halves them).
    Scale {
        /// Indices of the pair's declared relations (by default the focal pair's two).
        relations: Vec<usize>,
        /// The multiplier (≥ 0).
        factor: ParamId,
    },
    /// Sets a measure's level at once: not a move (no weight is felt), and no effect on a measure
    /// a variant forces or freezes.
    SetLevel {
        /// Index of the measure in [`Model::measures`].
        measure: usize,
        /// The level set (0 is the status quo).
        level: u8,
    },
    /// Adds to a pressure stock at once.
    AddPressure {
        /// Index of the pressure stock (in the scenario's order).
        pressure: usize,
        /// Stock units added.
        amount: ParamId,
    },
    /// Changes a relation parameter ([`rel_param`]) to value · factor + add, for good
    /// (`duration` None) or for a number of steps.
    ShiftRelation {
        /// Index of the relation.
        relation: usize,
        /// Which parameter ([`rel_param`]).
        param: usize,
        /// The multiplier (≥ 0).
        factor: ParamId,
        /// Then added.
        add: ParamId,
        /// Steps it lasts, counting the step it happens in; None: for good.
        duration: Option<u32>,
    },
    /// Changes a measure's parameter ([`lever_param`]) to value · factor + add for good.
    ShiftLever {
        /// Index of the measure.
        measure: usize,
        /// Which parameter ([`lever_param`]).
        param: usize,
        /// The multiplier (≥ 0).
        factor: ParamId,
        /// Then added.
        add: ParamId,
    },
    /// Changes an actor parameter to value · factor + add for a number of steps.
    Modify {
        /// Whose parameter, which one, and the factor and term.
        modifier: ModifierSpec,
        /// Steps it lasts, counting the step it happens in (1 to 5200).
        duration: u32,
    },
}

/// When an event can fire.
#[derive(Debug, Clone)]
pub enum TimingSpec {
    /// It may fire at one step only.
    Scheduled {
        /// The step (0 to horizon − 1).
        step: u32,
        /// Chance that it fires at that step (0 to 1).
        probability: ParamId,
        /// It fires only if this holds at the start of the step.
        when: Option<Cond>,
    },
    /// It may fire at one step drawn per run (rounded, within the horizon).
    Dated {
        /// The step (a number of the run).
        step: ParamId,
        /// Chance that it fires at that step (0 to 1).
        probability: ParamId,
        /// It fires only if this holds at the start of the step.
        when: Option<Cond>,
    },
    /// It may fire at any step of a window, with probability per step
    /// min(1, rate · exp(index_slope · H) · the factors whose condition holds).
    Hazard {
        /// Base probability per step, when H = 0 and no factor applies (0 to 1).
        rate: ParamId,
        /// Per point of the dyad index H at the start of the step: positive makes the event
        /// likelier as H rises.
        index_slope: ParamId,
        /// Per point of the focal pair's mean grievance at the start of the step.
        grievance_slope: ParamId,
        /// Multipliers (≥ 0), each applied while its condition holds.
        factors: Vec<(Cond, ParamId)>,
        /// First step at which it may fire.
        from_step: u32,
        /// Last step at which it may fire, included (`u32::MAX` when the scenario sets none).
        until_step: u32,
    },
}

/// An event.
#[derive(Debug, Clone)]
pub struct EventSpec {
    pub(crate) name: String,
    pub(crate) timing: TimingSpec,
    pub(crate) once: bool,
    pub(crate) cooldown: u32,
    pub(crate) effects: Vec<EffectSpec>,
    /// False when a variant removed it (it still draws, so that others stay aligned).
    pub enabled: bool,
    /// The key of its part of the event stream.
    pub key: u64,
    /// Its possible results, one of which happens each time it fires.
    pub branches: Vec<BranchSpec>,
}

/// One possible result of an event.
#[derive(Debug, Clone)]
pub struct BranchSpec {
    /// The branch's name in the scenario.
    pub name: String,
    pub(crate) weight: ParamId,
    pub(crate) effects: Vec<EffectSpec>,
}

/// The part of an event the step checks every week, packed apart from the rest so that the
/// check of a dozen events reads one small array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventGate {
    /// The first and last step at which the event can fire (a scheduled event: its step; an
    /// event a variant removed: an empty range).
    pub from: u32,
    pub(crate) until: u32,
    pub(crate) once: bool,
    pub(crate) cooldown: u32,
}

impl EventGate {
    /// The gate of an event.
    pub fn of(e: &EventSpec) -> EventGate {
        let (from, until) = match e.timing {
            _ if !e.enabled => (u32::MAX, 0),
            TimingSpec::Scheduled { step, .. } => (step, step),
            // Its step is a number of the run: the step checks it.
            TimingSpec::Dated { .. } => (0, u32::MAX),
            TimingSpec::Hazard {
                from_step,
                until_step,
                ..
            } => (from_step, until_step),
        };
        EventGate {
            from,
            until,
            once: e.once,
            cooldown: e.cooldown,
        }
    }
}

/// A named outcome.
#[derive(Debug, Clone)]
pub struct OutcomeSpec {
    /// The outcome's name in the scenario.
    pub name: String,
    pub(crate) label: String,
    pub(crate) cond: Cond,
    /// What the condition reads ([`Cond::deps`]): it is checked again only in steps where one
    /// of these changed, since it cannot turn true otherwise.
    pub deps: u64,
    pub(crate) at_end: bool,
}

/// How a run draws one number from its one uniform.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Known: no computation.
    Fixed(f64),
    /// Beta-shaped on `[lo, hi]`, by its quantile table.
    Table {
        /// Lower end of the range.
        lo: f64,
        /// Upper end of the range.
        hi: f64,
        /// The Beta quantile function on [0, 1], tabulated once per shape.
        table: std::sync::Arc<crate::numerics::dist::QuantileTable>,
    },
    /// Any other distribution, by its inverse CDF.
    Dist(Param),
}

impl Sampler {
    /// The sampler of a number.
    pub fn of(p: &Param) -> Sampler {
        use crate::numerics::dist::{beta_quantile_table, beta_uses_table};
        use crate::scenario::param::beta_shape;
        match p {
            Param::Value(v) => Sampler::Fixed(*v),
            Param::Dist(d) => match beta_shape(d) {
                Some((a, b, lo, hi)) if beta_uses_table(a, b) => Sampler::Table {
                    lo,
                    hi,
                    table: beta_quantile_table(a, b),
                },
                _ if !p.is_uncertain() => Sampler::Fixed(p.central()),
                _ => Sampler::Dist(p.clone()),
            },
        }
    }

    /// Draws the number from 64 random bits.
    #[inline]
    pub fn draw(&self, bits: u64) -> f64 {
        let u = crate::numerics::rng::to_unit(bits);
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Table { lo, hi, table } => lo + (hi - lo) * table.at(u),
            Sampler::Dist(p) => p.sample(u, bits),
        }
    }
}

/// A scenario compiled for simulation: names resolved to indices, numbers to [`ParamId`]s.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario with the variant applied.
    pub scenario: Scenario,
    /// The variant applied, if any.
    pub variant: Option<String>,
    /// Steps in one run.
    pub horizon: u32,
    /// Lowest and highest hostility (points): every hostility is clamped into them.
    pub bounds: (f64, f64),
    /// The actors, in the scenario's order.
    pub actors: Vec<ActorSpec>,
    /// The directed relations, in the scenario's order.
    pub relations: Vec<RelationSpec>,
    /// The focal pair's two relations (A → B, B → A).
    pub focal: (usize, usize),
    pub(crate) rung_names: Vec<String>,
    /// Threshold of each rung on the dyad index H (points), lowest rung first.
    pub rung_thresholds: Vec<f64>,
    pub(crate) pressures: Vec<PressureSpec>,
    /// The measures, in the order of the scenario's levers.
    pub measures: Vec<MeasureSpec>,
    /// The acts, in the order of the scenario's levers.
    pub acts: Vec<ActSpec>,
    /// The events (the scenario's and those the variant adds), in the order of their names.
    pub events: Vec<EventSpec>,
    /// Conditions on levers (`raise_when`, `lower_when`, `allowed_when`), checked at the start
    /// of every step.
    pub(crate) gates: Vec<Cond>,
    /// What each gate reads (bits of [`condition::deps`]): a gate none of whose inputs changed
    /// in the last step keeps its truth, so it is not evaluated again.
    pub(crate) gate_deps: Vec<u64>,
    /// For each bit of [`deps`], the gates that read it, laid out as
    /// [`Model::outcomes_reading`]: a step evaluates only the gates that read something that
    /// changed (and those whose due step has come).
    pub(crate) gates_reading: Vec<u64>,
    /// Everything any gate reads (bits of [`deps`]).
    pub(crate) gates_read: u64,
    /// The inner conditions of `Sustained(…)`, innermost first: each keeps a count of the
    /// consecutive steps it has held.
    pub sustained: Vec<Cond>,
    /// The uncertain numbers by block (an actor, a relation, a lever, an event…): the key of
    /// the block's part of the parameter stream and the numbers it draws, in order. A block
    /// draws one number per parameter it holds, uncertain or not; blocks of known numbers only
    /// draw nothing.
    pub param_blocks: Vec<(u64, Vec<u32>)>,
    /// What the step checks of each event every week ([`EventGate::of`] each event).
    pub event_gates: Vec<EventGate>,
    /// The named outcomes, in the scenario's order.
    pub outcomes: Vec<OutcomeSpec>,
    /// Every number, in sampling order.
    pub params: Vec<Param>,
    /// The analyst's path of every number.
    pub param_paths: Vec<String>,
    /// The valid range of every number; sampled values are clamped to it.
    pub param_ranges: Vec<(f64, f64)>,
    /// Whether each number is a dated event's step, which a run rounds to a whole step
    /// ([`dated_step`]) before it uses it (see [`Model::value_used`]).
    pub param_whole_step: Vec<bool>,
    /// How each number is drawn (precomputed: Beta-shaped ones read a quantile table).
    pub samplers: Vec<Sampler>,
    /// Most options any actor can have in a step (sizes the choice buffer).
    pub max_options: usize,
    /// The actors that have an option at all, in order; the others always hold.
    pub choosers: Vec<usize>,
    /// The outcomes checked at the end of every step (not `at_end`), as a bit set of outcome
    /// indices, 64 to a word.
    pub(crate) stepwise_outcomes: Vec<u64>,
    /// For each bit of [`deps`], the stepwise outcomes whose condition reads it, as bit sets
    /// like [`Model::stepwise_outcomes`]: word `w` of bit `b` at `b * words + w`. A step
    /// rechecks only the outcomes that read something that changed. After the 64 bits' sets,
    /// those of each combination `c` of the bits of [`deps::FIXED`] (which change together
    /// most steps), at `(64 + c) * words + w`.
    pub(crate) outcomes_reading: Vec<u64>,
    /// Everything any stepwise outcome reads (bits of [`deps`]).
    pub(crate) outcomes_read: u64,
    /// Numbers that stand for a shared number: `(number, shared number)`, by index; each run
    /// copies the shared number's value into each (clamped to the number's own range).
    pub shared_links: Vec<(u32, u32)>,
    /// Steps at the end of which each run keeps the rung and every measure's level (for the
    /// per-run table, `--per-run-steps`), sorted and distinct; empty unless asked for.
    pub snapshot_steps: Vec<u32>,
}

/// Word `w` of the set of conditions that read any bit of `changed`, from a table of
/// conditions by what they read ([`Model::outcomes_reading`], [`Model::gates_reading`]: the
/// sets of each bit of [`deps`], then those of each combination of [`deps::FIXED`]'s bits,
/// which change together, looked up at once).
#[inline(always)]
pub(crate) fn reading(table: &[u64], words: usize, changed: u64, w: usize) -> u64 {
    // The 64 single bits' sets come first.
    const SINGLE: usize = 64;
    let fixed = table[(SINGLE + (changed & deps::FIXED) as usize) * words + w];
    set_bits(changed & !deps::FIXED).fold(fixed, |acc, b| acc | table[b * words + w])
}

/// The indices of the set bits of a word, lowest first.
#[inline]
pub(crate) fn set_bits(mut word: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (word != 0).then(|| {
            let b = word.trailing_zeros() as usize;
            word &= word - 1;
            b
        })
    })
}

/// The step at which a dated event whose step drew `drawn` may fire in a run of `horizon`
/// steps: the nearest whole step (halves away from zero; `round` is exact on every platform),
/// kept within 0 to `horizon − 1`. The one rounding both the run and what reports its numbers
/// use ([`Model::value_used`]).
#[inline]
pub fn dated_step(drawn: f64, horizon: u32) -> u32 {
    drawn
        .round()
        .clamp(0.0, f64::from(horizon.saturating_sub(1))) as u32
}

/// For each of a table's inputs, whether any of `models` has it as a dated event's step
/// (written as the whole step the run used, [`Model::value_used`]): `index[m][k]` is input
/// `k`'s number in model `m`, if it has one. An event a variant adds is not the base's.
pub fn dated_steps_among(models: &[&Model], index: &[Vec<Option<usize>>]) -> Vec<bool> {
    let n = index.first().map_or(0, Vec::len);
    (0..n)
        .map(|k| {
            models.iter().zip(index).any(|(m, ix)| {
                (ix.get(k).copied().flatten())
                    .is_some_and(|i| m.param_whole_step.get(i).copied().unwrap_or(false))
            })
        })
        .collect()
}

impl Model {
    /// The value number `i` had in a run, as the run used it, from the value it drew
    /// (`RunState::values`): a dated event's step as the whole step it fired at (17.38 ran as
    /// week 17, and a table that said 17.38 put a box's edge between weeks), every other number
    /// as drawn. What the per-run table, PRIM's inputs, a trace and a sensitivity's ranks read.
    pub fn value_used(&self, i: usize, drawn: f64) -> f64 {
        if self.param_whole_step.get(i).copied().unwrap_or(false) {
            f64::from(dated_step(drawn, self.horizon))
        } else {
            drawn
        }
    }

    /// Indices of the numbers that vary from run to run.
    pub fn uncertain_params(&self) -> Vec<usize> {
        (0..self.params.len())
            .filter(|&i| self.params[i].is_uncertain())
            .collect()
    }

    /// [`Model::uncertain_params`] without those of the events the variant removed: they are
    /// still drawn (so that nothing else shifts) but can change nothing, and a ranking of
    /// influences that counted them would ask for more runs and rank noise.
    pub fn uncertain_params_in_play(&self) -> Vec<usize> {
        self.uncertain_params()
            .into_iter()
            .filter(|&i| self.param_in_play(i))
            .collect()
    }

    /// Whether number `i` can change a run: false for a number of an event the variant removed
    /// (still drawn, so that nothing else shifts, but read by nothing). Tables and traces show
    /// such a number as missing rather than as a draw that looks like an input.
    pub fn param_in_play(&self, i: usize) -> bool {
        let removed = |name: &str| self.events.iter().any(|e| !e.enabled && e.name == name);
        !crate::scenario::paths::event_of(&self.param_paths[i]).is_some_and(removed)
    }

    /// The index of a rung by name.
    pub fn rung_index(&self, name: &str) -> Option<usize> {
        self.rung_names.iter().position(|r| r == name)
    }

    /// The index of a measure (in [`Model::measures`]) by name.
    pub fn measure_index(&self, name: &str) -> Option<usize> {
        self.measures.iter().position(|x| x.name == name)
    }

    /// The index of an act (in [`Model::acts`]) by name.
    pub fn act_index(&self, name: &str) -> Option<usize> {
        self.acts.iter().position(|x| x.name == name)
    }

    /// The index of an event (in [`Model::events`]) by name.
    pub fn event_index(&self, name: &str) -> Option<usize> {
        self.events.iter().position(|x| x.name == name)
    }

    /// The index of an outcome (in [`Model::outcomes`]) by name.
    pub fn outcome_index(&self, name: &str) -> Option<usize> {
        self.outcomes.iter().position(|x| x.name == name)
    }

    /// The index of a parameter by its path.
    pub fn param_index(&self, path: &str) -> Option<usize> {
        self.param_paths.iter().position(|p| p == path)
    }
}

/// The source of every number of the model (its own, else its block's), in sampling order.
pub fn param_sources(m: &Model) -> Vec<String> {
    let mut out = Vec::with_capacity(m.params.len());
    let mut s = m.scenario.clone();
    crate::scenario::paths::for_each_param(&mut s, &mut |site, p| {
        let src = p.source().unwrap_or(site.context_source).trim();
        out.push(if src.is_empty() {
            "(no source given)".to_string()
        } else {
            src.to_string()
        });
    });
    out
}
