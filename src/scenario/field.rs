//! The parameter registry: every field of the schema that holds a number, with its name in the
//! file, its valid range and its unit (the tables of `docs/scenario-format.md`).
//!
//! Each property is an exhaustive `match` without a default arm, so a new field does not
//! compile until it has a range and a unit.

use super::schema::ActorParam;

/// A field of a [`Relation`](super::Relation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationField {
    /// `initial`: hostility at step 0.
    Initial,
    /// `fatigue`: the share of hostility that fades each step.
    Fatigue,
    /// `reactivity`: the share of the reverse hostility returned each step.
    Reactivity,
    /// `grievance`: a standing push each step.
    Grievance,
    /// `noise`: standard deviation of the random shock each step.
    Noise,
    /// `salience`: how strongly the other side's moves are felt.
    Salience,
}

/// A field of a [`Pressure`](super::Pressure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PressureField {
    /// `initial`: stock at step 0.
    Initial,
    /// `decay`: share of the stock that fades each step.
    Decay,
    /// `push`: utility per unit of stock toward escalation.
    Push,
}

/// A field of a [`Measure`](super::Measure) itself (its levels have [`LevelField`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeasureField {
    /// `threshold`: θ, the motivating hostility above which raising it pays.
    Threshold,
    /// `persistence`: utility lost by backing down.
    Persistence,
    /// `half_life`: the lifting clock, in steps.
    HalfLife,
    /// `ease_threshold`: θ for easing.
    EaseThreshold,
    /// `perception`: how its costs and benefits are felt.
    Perception,
}

/// A field of a [`Level`](super::Level) of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelField {
    /// `weight`: Goldstein weight of the move that reaches the level.
    Weight,
    /// `ease_weight`: Goldstein weight of the move that eases it back.
    EaseWeight,
    /// `irritation`: added to the target's hostility every step in force.
    Irritation,
    /// One entry of `costs`: cost per step to an actor.
    Cost,
    /// One entry of `pressure`: added to a stock every step in force.
    Pressure,
    /// `reward`: utility to the owner of making the move.
    Reward,
    /// `threshold`: θ for raising to the level.
    Threshold,
    /// One entry of `benefits`: benefit per step to an actor.
    Benefit,
}

/// A field of a [`Modifier`](super::Modifier) of a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModifierField {
    /// `factor`: multiplies the actor's parameter.
    Factor,
    /// `add`: then added to it.
    Add,
}

/// A field of an [`Act`](super::Act) (its effects have [`EffectField`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActField {
    /// `threshold`: θ, the hostility around which the act pays.
    Threshold,
    /// `weight`: Goldstein weight of the act.
    Weight,
    /// One entry of `costs`: one-off cost to an actor.
    Cost,
    /// `reward`: utility to the owner of performing it.
    Reward,
    /// `accept_threshold`: θ of the side that accepts a contact.
    AcceptThreshold,
    /// `perception`: how its cost is felt.
    Perception,
}

/// A field of an event's [`Timing`](super::Timing) or of one of its hazard's factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimingField {
    /// `probability` of a scheduled event.
    Probability,
    /// `rate` of a hazard.
    Rate,
    /// `index_slope` of a hazard.
    IndexSlope,
    /// `grievance_slope` of a hazard.
    GrievanceSlope,
    /// `step` of a dated event.
    Step,
    /// `probability` of one of an event's branches (its weight).
    BranchWeight,
    /// `times` of a hazard's [`Factor`](super::Factor).
    FactorTimes,
}

/// A number of an [`Effect`](super::Effect), one per kind of effect: the same name (`amount`,
/// `factor`) means different things, in different units, in different effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectField {
    /// `weight` of a `Move`.
    MoveWeight,
    /// `amount` of an `Impulse`.
    ImpulseAmount,
    /// `factor` of a `ScaleHostility`.
    ScaleFactor,
    /// `amount` of an `AddPressure`.
    PressureAmount,
    /// `factor` of a `Modify`.
    ModifyFactor,
    /// `add` of a `Modify`.
    ModifyAdd,
    /// `factor` of a `ShiftRelation`.
    ShiftFactor,
    /// `add` of a `ShiftRelation`.
    ShiftAdd,
    /// `factor` of a `ShiftLever`.
    LeverFactor,
    /// `add` of a `ShiftLever`.
    LeverAdd,
}

/// Every field that holds a number, by the record that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamField {
    /// A field of an actor (the parameters a modifier may change are exactly these).
    Actor(ActorParam),
    /// A field of a relation.
    Relation(RelationField),
    /// A field of a pressure.
    Pressure(PressureField),
    /// A field of a measure.
    Measure(MeasureField),
    /// A field of a measure's level.
    Level(LevelField),
    /// A field of a level's modifier.
    Modifier(ModifierField),
    /// A field of an act.
    Act(ActField),
    /// A field of an event's timing.
    Timing(TimingField),
    /// A number of an effect (of an act or an event).
    Effect(EffectField),
    /// The `value` of a shared number (its range is that of every field that uses it).
    Shared,
}

/// Where a field's valid range comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValidRange {
    /// From the first number to the second (an end may be infinite: no limit that side).
    Between(f64, f64),
    /// The scenario's hostility `bounds`.
    HostilityBounds,
}

const INF: f64 = f64::INFINITY;
const SHARE: ValidRange = ValidRange::Between(0.0, 1.0);
const NON_NEGATIVE: ValidRange = ValidRange::Between(0.0, INF);
const ANY: ValidRange = ValidRange::Between(-INF, INF);
const GOLDSTEIN: ValidRange = ValidRange::Between(-10.0, 10.0);

impl ParamField {
    /// Every field, for tests and listings.
    pub const ALL: [ParamField; 53] = {
        use ActField as A;
        use EffectField as E;
        use LevelField as L;
        use ParamField::*;
        [
            Actor(ActorParam::Rationality),
            Actor(ActorParam::Sensitivity),
            Actor(ActorParam::Hawkishness),
            Actor(ActorParam::CostWeight),
            Actor(ActorParam::Activity),
            Relation(RelationField::Initial),
            Relation(RelationField::Fatigue),
            Relation(RelationField::Reactivity),
            Relation(RelationField::Grievance),
            Relation(RelationField::Noise),
            Relation(RelationField::Salience),
            Pressure(PressureField::Initial),
            Pressure(PressureField::Decay),
            Pressure(PressureField::Push),
            Measure(MeasureField::Threshold),
            Measure(MeasureField::Persistence),
            Measure(MeasureField::HalfLife),
            Measure(MeasureField::EaseThreshold),
            Measure(MeasureField::Perception),
            Level(L::Weight),
            Level(L::EaseWeight),
            Level(L::Irritation),
            Level(L::Cost),
            Level(L::Pressure),
            Level(L::Reward),
            Level(L::Threshold),
            Level(L::Benefit),
            Modifier(ModifierField::Factor),
            Modifier(ModifierField::Add),
            Act(A::Threshold),
            Act(A::Weight),
            Act(A::Cost),
            Act(A::Reward),
            Act(A::AcceptThreshold),
            Act(A::Perception),
            Timing(TimingField::Probability),
            Timing(TimingField::Rate),
            Timing(TimingField::IndexSlope),
            Timing(TimingField::GrievanceSlope),
            Timing(TimingField::Step),
            Timing(TimingField::BranchWeight),
            Timing(TimingField::FactorTimes),
            Effect(E::MoveWeight),
            Effect(E::ImpulseAmount),
            Effect(E::ScaleFactor),
            Effect(E::PressureAmount),
            Effect(E::ModifyFactor),
            Effect(E::ModifyAdd),
            Effect(E::ShiftFactor),
            Effect(E::ShiftAdd),
            Effect(E::LeverFactor),
            Effect(E::LeverAdd),
            Shared,
        ]
    };

    /// The field's name in the file, which is also its step of the analyst's path (a map's
    /// name, `costs` or `pressure`, for its entries).
    pub fn name(self) -> &'static str {
        use ParamField::*;
        match self {
            Actor(f) => match f {
                ActorParam::Rationality => "rationality",
                ActorParam::Sensitivity => "sensitivity",
                ActorParam::Hawkishness => "hawkishness",
                ActorParam::CostWeight => "cost_weight",
                ActorParam::Activity => "activity",
            },
            Relation(f) => match f {
                RelationField::Initial => "initial",
                RelationField::Fatigue => "fatigue",
                RelationField::Reactivity => "reactivity",
                RelationField::Grievance => "grievance",
                RelationField::Noise => "noise",
                RelationField::Salience => "salience",
            },
            Pressure(f) => match f {
                PressureField::Initial => "initial",
                PressureField::Decay => "decay",
                PressureField::Push => "push",
            },
            Measure(f) => match f {
                MeasureField::Threshold => "threshold",
                MeasureField::Persistence => "persistence",
                MeasureField::HalfLife => "half_life",
                MeasureField::EaseThreshold => "ease_threshold",
                MeasureField::Perception => "perception",
            },
            Level(f) => match f {
                LevelField::Weight => "weight",
                LevelField::EaseWeight => "ease_weight",
                LevelField::Irritation => "irritation",
                LevelField::Cost => "costs",
                LevelField::Pressure => "pressure",
                LevelField::Reward => "reward",
                LevelField::Threshold => "threshold",
                LevelField::Benefit => "benefits",
            },
            Modifier(f) => match f {
                ModifierField::Factor => "factor",
                ModifierField::Add => "add",
            },
            Act(f) => match f {
                ActField::Threshold => "threshold",
                ActField::Weight => "weight",
                ActField::Cost => "costs",
                ActField::Reward => "reward",
                ActField::AcceptThreshold => "accept_threshold",
                ActField::Perception => "perception",
            },
            Timing(f) => match f {
                TimingField::Probability => "probability",
                TimingField::Rate => "rate",
                TimingField::IndexSlope => "index_slope",
                TimingField::GrievanceSlope => "grievance_slope",
                TimingField::Step => "step",
                TimingField::BranchWeight => "probability",
                TimingField::FactorTimes => "times",
            },
            Effect(f) => match f {
                EffectField::MoveWeight => "weight",
                EffectField::ImpulseAmount => "amount",
                EffectField::ScaleFactor => "factor",
                EffectField::PressureAmount => "amount",
                EffectField::ModifyFactor => "factor",
                EffectField::ModifyAdd => "add",
                EffectField::ShiftFactor => "factor",
                EffectField::ShiftAdd => "add",
                EffectField::LeverFactor => "factor",
                EffectField::LeverAdd => "add",
            },
            Shared => "value",
        }
    }

    /// Where the field's valid range comes from (see [`ParamField::range`]).
    pub fn valid_range(self) -> ValidRange {
        use ParamField::*;
        match self {
            Actor(f) => match f {
                ActorParam::Rationality | ActorParam::Sensitivity | ActorParam::CostWeight => {
                    NON_NEGATIVE
                }
                ActorParam::Hawkishness => ANY,
                ActorParam::Activity => SHARE,
            },
            Relation(f) => match f {
                RelationField::Initial => ValidRange::HostilityBounds,
                RelationField::Fatigue => SHARE,
                RelationField::Reactivity => ValidRange::Between(-1.0, 1.0),
                RelationField::Grievance => ANY,
                RelationField::Noise | RelationField::Salience => NON_NEGATIVE,
            },
            Pressure(f) => match f {
                PressureField::Initial => NON_NEGATIVE,
                PressureField::Decay => SHARE,
                PressureField::Push => ANY,
            },
            Measure(f) => match f {
                MeasureField::Threshold | MeasureField::Persistence => ANY,
                MeasureField::HalfLife | MeasureField::Perception => NON_NEGATIVE,
                MeasureField::EaseThreshold => ANY,
            },
            Level(f) => match f {
                LevelField::Weight | LevelField::EaseWeight => GOLDSTEIN,
                LevelField::Cost | LevelField::Benefit => NON_NEGATIVE,
                LevelField::Irritation
                | LevelField::Pressure
                | LevelField::Reward
                | LevelField::Threshold => ANY,
            },
            Modifier(f) => match f {
                ModifierField::Factor => NON_NEGATIVE,
                ModifierField::Add => ANY,
            },
            Act(f) => match f {
                ActField::Weight => GOLDSTEIN,
                ActField::Cost | ActField::Perception => NON_NEGATIVE,
                ActField::Threshold | ActField::Reward | ActField::AcceptThreshold => ANY,
            },
            Timing(f) => match f {
                TimingField::Probability | TimingField::Rate => SHARE,
                TimingField::IndexSlope | TimingField::GrievanceSlope => ANY,
                TimingField::FactorTimes | TimingField::Step | TimingField::BranchWeight => {
                    NON_NEGATIVE
                }
            },
            Effect(f) => match f {
                EffectField::MoveWeight => GOLDSTEIN,
                EffectField::ScaleFactor
                | EffectField::ModifyFactor
                | EffectField::ShiftFactor
                | EffectField::LeverFactor => NON_NEGATIVE,
                EffectField::ImpulseAmount
                | EffectField::PressureAmount
                | EffectField::ModifyAdd
                | EffectField::ShiftAdd
                | EffectField::LeverAdd => ANY,
            },
            Shared => ANY,
        }
    }

    /// The valid range of the field in a scenario with these hostility `bounds`. Sampled values
    /// outside it are clamped to it (see docs/model.md); a bounded distribution that reaches
    /// outside it is an error.
    pub fn range(self, bounds: (f64, f64)) -> (f64, f64) {
        match self.valid_range() {
            ValidRange::Between(lo, hi) => (lo, hi),
            ValidRange::HostilityBounds => bounds,
        }
    }

    /// The field's unit, as `docs/scenario-format.md` gives it ("points" are hostility).
    pub fn unit(self) -> &'static str {
        use ParamField::*;
        match self {
            Actor(f) => match f {
                ActorParam::Rationality => "per unit of utility",
                ActorParam::Sensitivity => "utility per point",
                ActorParam::Hawkishness => "utility",
                ActorParam::CostWeight => "utility per cost unit",
                ActorParam::Activity => "probability per step",
            },
            Relation(f) => match f {
                RelationField::Initial => "points",
                RelationField::Fatigue | RelationField::Reactivity => "share per step",
                RelationField::Grievance | RelationField::Noise => "points per step",
                RelationField::Salience => "multiplier",
            },
            Pressure(f) => match f {
                PressureField::Initial => "stock units",
                PressureField::Decay => "share per step",
                PressureField::Push => "utility per stock unit",
            },
            Measure(f) => match f {
                MeasureField::Threshold => "points",
                MeasureField::Persistence => "utility",
                MeasureField::HalfLife => "steps",
                MeasureField::EaseThreshold => "points",
                MeasureField::Perception => "multiplier",
            },
            Level(f) => match f {
                LevelField::Weight | LevelField::EaseWeight => "Goldstein points",
                LevelField::Irritation => "points per step",
                LevelField::Cost | LevelField::Benefit => "cost units per step",
                LevelField::Pressure => "stock units per step",
                LevelField::Reward => "utility",
                LevelField::Threshold => "points",
            },
            Modifier(f) => match f {
                ModifierField::Factor => "multiplier",
                ModifierField::Add => "the parameter's unit",
            },
            Act(f) => match f {
                ActField::Threshold | ActField::AcceptThreshold => "points",
                ActField::Weight => "Goldstein points",
                ActField::Cost => "cost units, once",
                ActField::Perception => "multiplier",
                ActField::Reward => "utility",
            },
            Timing(f) => match f {
                TimingField::Probability => "probability",
                TimingField::Rate => "probability per step",
                TimingField::IndexSlope => "per point of H",
                TimingField::GrievanceSlope => "per point of grievance",
                TimingField::Step => "steps",
                TimingField::BranchWeight => "weight",
                TimingField::FactorTimes => "multiplier",
            },
            Effect(f) => match f {
                EffectField::MoveWeight => "Goldstein points",
                EffectField::ImpulseAmount => "points",
                EffectField::ScaleFactor
                | EffectField::ModifyFactor
                | EffectField::ShiftFactor
                | EffectField::LeverFactor => "multiplier",
                EffectField::PressureAmount => "stock units",
                EffectField::ModifyAdd | EffectField::ShiftAdd | EffectField::LeverAdd => {
                    "the parameter's unit"
                }
            },
            Shared => "the unit of the fields that use it",
        }
    }
}

macro_rules! into_field {
    ($($t:ty => $v:ident),* $(,)?) => {
        $(impl From<$t> for ParamField {
            fn from(f: $t) -> Self {
                ParamField::$v(f)
            }
        })*
    };
}
into_field!(
    ActorParam => Actor,
    RelationField => Relation,
    PressureField => Pressure,
    MeasureField => Measure,
    LevelField => Level,
    ModifierField => Modifier,
    ActField => Act,
    TimingField => Timing,
    EffectField => Effect,
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_field_is_listed_once() {
        let set: HashSet<ParamField> = ParamField::ALL.into_iter().collect();
        assert_eq!(set.len(), ParamField::ALL.len());
    }

    /// Every range is a true interval with finite ends, except the open ends the format
    /// documents ("0 or more", "any number" in docs/scenario-format.md#valid-ranges) and the
    /// relation's `initial`, which takes the scenario's bounds.
    #[test]
    fn every_field_has_a_finite_or_documented_range() {
        use ParamField::*;
        let at_least_zero = [
            Actor(ActorParam::Rationality),
            Actor(ActorParam::Sensitivity),
            Actor(ActorParam::CostWeight),
            Measure(MeasureField::HalfLife),
            Measure(MeasureField::Perception),
            Level(LevelField::Benefit),
            Act(ActField::Perception),
            Relation(RelationField::Noise),
            Relation(RelationField::Salience),
            Pressure(PressureField::Initial),
            Level(LevelField::Cost),
            Modifier(ModifierField::Factor),
            Act(ActField::Cost),
            Timing(TimingField::FactorTimes),
            Effect(EffectField::ScaleFactor),
            Effect(EffectField::ModifyFactor),
            Effect(EffectField::ShiftFactor),
            Effect(EffectField::LeverFactor),
            Timing(TimingField::Step),
            Timing(TimingField::BranchWeight),
        ];
        let any = [
            Relation(RelationField::Grievance),
            Shared,
            Pressure(PressureField::Push),
            Measure(MeasureField::Threshold),
            Measure(MeasureField::Persistence),
            Actor(ActorParam::Hawkishness),
            Act(ActField::AcceptThreshold),
            Timing(TimingField::GrievanceSlope),
            Effect(EffectField::ShiftAdd),
            Effect(EffectField::LeverAdd),
            Measure(MeasureField::EaseThreshold),
            Level(LevelField::Threshold),
            Level(LevelField::Irritation),
            Level(LevelField::Pressure),
            Level(LevelField::Reward),
            Modifier(ModifierField::Add),
            Act(ActField::Threshold),
            Act(ActField::Reward),
            Timing(TimingField::IndexSlope),
            Effect(EffectField::ImpulseAmount),
            Effect(EffectField::PressureAmount),
            Effect(EffectField::ModifyAdd),
        ];
        for f in ParamField::ALL {
            assert!(!f.name().is_empty() && !f.unit().is_empty(), "{f:?}");
            match f.valid_range() {
                ValidRange::HostilityBounds => {
                    assert_eq!(f, Relation(RelationField::Initial));
                    assert_eq!(f.range((-3.0, 4.0)), (-3.0, 4.0));
                }
                ValidRange::Between(lo, hi) => {
                    assert!(lo < hi, "{f:?}: {lo}..{hi}");
                    if at_least_zero.contains(&f) {
                        assert_eq!((lo, hi), (0.0, INF), "{f:?}");
                    } else if any.contains(&f) {
                        assert_eq!((lo, hi), (-INF, INF), "{f:?}");
                    } else {
                        assert!(lo.is_finite() && hi.is_finite(), "{f:?}: {lo}..{hi}");
                    }
                }
            }
        }
    }
}
