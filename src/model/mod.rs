//! The model: a scenario (with a variant applied) compiled into index-based tables, the state of
//! one run, and one step of dynamics. See `docs/model.md` for the equations.

mod compile;
mod condition;
mod state;
mod step;

pub use compile::{CompileError, Control, apply_variant, compile, compile_variant, find_variant};
pub use condition::{Cond, deps};
pub use state::{Choice, RunRecord, RunState};
pub use step::{Decision, Observer, Silent, sample_values, simulate, simulate_sampled};

use crate::scenario::{ActorParam, Param, Scenario};

/// Index of a number in a run's sampled values.
pub type ParamId = u32;

/// Actor parameters in a fixed order, so that effective values live in a small array.
pub const ACTOR_PARAMS: [ActorParam; 4] = [
    ActorParam::Rationality,
    ActorParam::Resolve,
    ActorParam::CostWeight,
    ActorParam::Activity,
];

/// The position of a parameter in [`ACTOR_PARAMS`].
pub fn actor_param_index(p: ActorParam) -> usize {
    match p {
        ActorParam::Rationality => 0,
        ActorParam::Resolve => 1,
        ActorParam::CostWeight => 2,
        ActorParam::Activity => 3,
    }
}

/// An actor's behavioural parameters.
#[derive(Debug, Clone)]
pub struct ActorSpec {
    pub name: String,
    /// Rationality, resolve, cost weight, activity (see [`ACTOR_PARAMS`]).
    pub params: [ParamId; 4],
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
    Measure { measure: usize, motive: usize },
    /// Perform act `act` (on the rung `min_rung` or higher), motivated by relation `motive`.
    Act {
        act: usize,
        motive: usize,
        min_rung: usize,
    },
}

/// A directed relation.
#[derive(Debug, Clone)]
pub struct RelationSpec {
    pub from: usize,
    pub to: usize,
    pub initial: ParamId,
    pub fatigue: ParamId,
    pub reactivity: ParamId,
    pub grievance: ParamId,
    pub noise: ParamId,
    pub salience: ParamId,
    /// The relation `to → from`, if declared.
    pub reverse: Option<usize>,
}

/// A domestic pressure stock.
#[derive(Debug, Clone)]
pub struct PressureSpec {
    pub name: String,
    pub actor: usize,
    pub initial: ParamId,
    pub decay: ParamId,
    pub push: ParamId,
}

/// A modifier of an actor parameter: value · factor + add.
#[derive(Debug, Clone)]
pub struct ModifierSpec {
    pub actor: usize,
    pub param: usize,
    pub factor: ParamId,
    pub add: ParamId,
}

/// One level of a measure (level numbers start at 1).
#[derive(Debug, Clone)]
pub struct LevelSpec {
    pub name: String,
    pub weight: ParamId,
    /// None: the easing move weighs −weight.
    pub ease_weight: Option<ParamId>,
    pub irritation: ParamId,
    pub costs: Vec<(usize, ParamId)>,
    /// The owner's cost per step at this level, if any.
    pub owner_cost: Option<ParamId>,
    pub pressure: Vec<(usize, ParamId)>,
    pub modifiers: Vec<ModifierSpec>,
    pub min_rung: usize,
    pub implies_rung: usize,
    pub reward: ParamId,
}

/// A measure.
#[derive(Debug, Clone)]
pub struct MeasureSpec {
    pub name: String,
    pub owner: usize,
    pub target: usize,
    /// The relation whose hostility motivates it.
    pub motive: usize,
    /// The relation target → owner, which feels its moves.
    pub felt_by: usize,
    pub threshold: ParamId,
    pub persistence: ParamId,
    pub initial: u8,
    pub levels: Vec<LevelSpec>,
    pub control: Control,
}

/// A one-off act.
#[derive(Debug, Clone)]
pub struct ActSpec {
    pub name: String,
    pub owner: usize,
    pub target: usize,
    pub motive: usize,
    pub felt_by: usize,
    pub threshold: ParamId,
    pub weight: ParamId,
    pub cooldown: u32,
    pub costs: Vec<(usize, ParamId)>,
    pub owner_cost: Option<ParamId>,
    pub effects: Vec<EffectSpec>,
    pub min_rung: usize,
    pub reward: ParamId,
    pub frozen: bool,
}

/// An effect, with names resolved.
#[derive(Debug, Clone)]
pub enum EffectSpec {
    /// Adds −weight·salience(relation) to the relation (the one that feels the move).
    Move {
        relation: usize,
        weight: ParamId,
    },
    Impulse {
        relation: usize,
        amount: ParamId,
    },
    Scale {
        relations: Vec<usize>,
        factor: ParamId,
    },
    SetLevel {
        measure: usize,
        level: u8,
    },
    AddPressure {
        pressure: usize,
        amount: ParamId,
    },
    Modify {
        modifier: ModifierSpec,
        duration: u32,
    },
}

/// When an event can fire.
#[derive(Debug, Clone)]
pub enum TimingSpec {
    Scheduled {
        step: u32,
        probability: ParamId,
    },
    Hazard {
        rate: ParamId,
        index_slope: ParamId,
        factors: Vec<(Cond, ParamId)>,
        from_step: u32,
        until_step: u32,
    },
}

/// An event.
#[derive(Debug, Clone)]
pub struct EventSpec {
    pub name: String,
    pub timing: TimingSpec,
    pub once: bool,
    pub cooldown: u32,
    pub effects: Vec<EffectSpec>,
    /// False when a variant removed it (it still draws, so that others stay aligned).
    pub enabled: bool,
}

/// The part of an event the step checks every week, packed apart from the rest so that the
/// check of a dozen events reads one small array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventGate {
    /// The first and last step at which the event can fire (a scheduled event: its step; an
    /// event a variant removed: an empty range).
    pub from: u32,
    pub until: u32,
    pub once: bool,
    pub cooldown: u32,
}

impl EventGate {
    /// The gate of an event.
    pub fn of(e: &EventSpec) -> EventGate {
        let (from, until) = match e.timing {
            _ if !e.enabled => (u32::MAX, 0),
            TimingSpec::Scheduled { step, .. } => (step, step),
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
    pub name: String,
    pub label: String,
    pub cond: Cond,
    /// What the condition reads ([`Cond::deps`]): it is checked again only in steps where one
    /// of these changed, since it cannot turn true otherwise.
    pub deps: u8,
    pub at_end: bool,
}

/// How a run draws one number from its one uniform.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Known: no computation.
    Fixed(f64),
    /// Beta-shaped on `[lo, hi]`, by its quantile table.
    Table {
        lo: f64,
        hi: f64,
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
    pub horizon: u32,
    pub bounds: (f64, f64),
    pub actors: Vec<ActorSpec>,
    pub relations: Vec<RelationSpec>,
    /// The focal pair's two relations (A → B, B → A).
    pub focal: (usize, usize),
    pub rung_names: Vec<String>,
    pub rung_thresholds: Vec<f64>,
    pub pressures: Vec<PressureSpec>,
    pub measures: Vec<MeasureSpec>,
    pub acts: Vec<ActSpec>,
    pub events: Vec<EventSpec>,
    /// What the step checks of each event every week ([`EventGate::of`] each event).
    pub event_gates: Vec<EventGate>,
    pub outcomes: Vec<OutcomeSpec>,
    /// Every number, in sampling order.
    pub params: Vec<Param>,
    /// The analyst's path of every number.
    pub param_paths: Vec<String>,
    /// The valid range of every number; sampled values are clamped to it.
    pub param_ranges: Vec<(f64, f64)>,
    /// How each number is drawn (precomputed: Beta-shaped ones read a quantile table).
    pub samplers: Vec<Sampler>,
    /// Most options any actor can have in a step (sizes the choice buffer).
    pub max_options: usize,
}

impl Model {
    /// Indices of the numbers that vary from run to run.
    pub fn uncertain_params(&self) -> Vec<usize> {
        (0..self.params.len())
            .filter(|&i| self.params[i].is_uncertain())
            .collect()
    }

    /// The index of a rung by name.
    pub fn rung_index(&self, name: &str) -> Option<usize> {
        self.rung_names.iter().position(|r| r == name)
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
