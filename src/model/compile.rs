//! From a validated scenario (and a variant) to a [`Model`].

use std::collections::HashMap;

use super::condition::Occurrence;
use super::*;
use crate::numerics::rng::key_of;
use crate::scenario::field::{
    ActField, EffectField, LevelField, MeasureField, ModifierField, ParamField, PressureField,
    RelationField, TimingField,
};
use crate::scenario::paths::{EffectOf, Owner, ParamKey, for_each_param};
use crate::scenario::{
    Condition, Dist, Effect, Lever, LeverParam, Param, RelationParam, Timing, Variant,
};

/// Who may move a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Its owner chooses.
    Free,
    /// Held at this level from step 0 (a variant's `force`).
    Forced(u8),
    /// Held at its initial level; for an act, never performed (a variant's `freeze`).
    Frozen,
}

/// A scenario with a variant applied: the overridden scenario, who controls each lever the
/// variant names, and the events it removes.
pub type Applied = (Scenario, HashMap<String, Control>, Vec<String>);

/// Why a scenario cannot be compiled as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompileError {
    /// No variant of that name.
    #[error("{}", unknown_variant(.name, .known))]
    UnknownVariant {
        /// The name asked for.
        name: String,
        /// The scenario's variants.
        known: Vec<String>,
    },
    /// A variant sets a path that names no number of the scenario.
    #[error("variant {variant:?} sets {path:?}, which is not a number of the scenario")]
    UnknownPath {
        /// The variant.
        variant: String,
        /// The path it sets.
        path: String,
    },
    /// The models a command asks for at once would not fit the memory budget.
    #[error("{0}")]
    TooLarge(String),
    /// Anything else the compiler refuses (a validated scenario never gets here).
    #[error("{0}")]
    Invalid(String),
}

fn unknown_variant(name: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!(
            "unknown variant {}: the scenario defines no variants",
            crate::text::quoted_name(name)
        )
    } else {
        format!(
            "unknown variant {}; expected one of: {}",
            crate::text::quoted_name(name),
            known.join(", ")
        )
    }
}

impl From<String> for CompileError {
    fn from(m: String) -> Self {
        CompileError::Invalid(m)
    }
}

/// Finds a variant of the scenario by name.
pub fn find_variant<'s>(base: &'s Scenario, name: &str) -> Result<&'s Variant, CompileError> {
    base.variants
        .iter()
        .find(|v| v.name == name)
        .ok_or_else(|| CompileError::UnknownVariant {
            name: name.to_string(),
            known: base.variants.iter().map(|v| v.name.clone()).collect(),
        })
}

/// The scenario with a variant's overrides applied, and the variant's lever controls.
/// Removed events are kept (disabled) so that every other event keeps its random numbers.
pub fn apply_variant(base: &Scenario, variant: Option<&Variant>) -> Result<Applied, CompileError> {
    let mut s = base.clone();
    let mut controls = HashMap::new();
    let mut removed = vec![];
    let Some(v) = variant else {
        return Ok((s, controls, removed));
    };
    let name = &v.name;
    let mut unused: Vec<&String> = v.set.keys().collect();
    for_each_param(&mut s, &mut |site, p| {
        if let Some(new) = v.set.get(&site.path) {
            *p = new.clone();
            // Unsourced, it is the variant's (its source, if it has one), not the number's
            // block's.
            if let Param::Dist(d) = p {
                d.credit(|| match v.source.trim() {
                    "" => format!("variant {name}'s set"),
                    own => own.to_string(),
                });
            }
            unused.retain(|k| **k != site.path);
        }
    });
    if let Some(k) = unused.first() {
        return Err(CompileError::UnknownPath {
            variant: name.clone(),
            path: (*k).clone(),
        });
    }
    for (lever, level) in &v.force {
        controls.insert(lever.clone(), Control::Forced(*level as u8));
    }
    for lever in &v.freeze {
        controls.insert(lever.clone(), Control::Frozen);
    }
    removed.clone_from(&v.remove_events);
    s.events.extend(v.add_events.iter().cloned());
    Ok((s, controls, removed))
}

struct Names {
    actors: HashMap<String, usize>,
    relations: HashMap<(usize, usize), usize>,
    rungs: HashMap<String, usize>,
    measures: HashMap<String, usize>,
    acts: HashMap<String, usize>,
    events: HashMap<String, usize>,
    pressures: HashMap<String, usize>,
    /// Every number's id by its typed key, from the same walk that numbers them.
    params: HashMap<ParamKey, ParamId>,
    /// The inner conditions of `Sustained`, collected as conditions are compiled.
    sustained: std::cell::RefCell<Vec<Cond>>,
    /// Each event's branch names, in order.
    branches: HashMap<String, Vec<String>>,
}

impl Names {
    fn actor(&self, n: &str) -> usize {
        self.actors[n]
    }
    fn rel(&self, from: &str, to: &str) -> usize {
        self.relations[&(self.actor(from), self.actor(to))]
    }
    /// The id of a plain field's number.
    fn p(&self, owner: Owner, field: impl Into<ParamField>) -> Result<ParamId, String> {
        self.id(ParamKey::new(owner, field))
    }
    /// The ids of a per-name map's numbers, with the index each key names (`index`).
    fn per_name<'k>(
        &self,
        owner: Owner,
        field: impl Into<ParamField>,
        keys: impl Iterator<Item = &'k String>,
        index: impl Fn(&str) -> usize,
    ) -> Result<Vec<(usize, ParamId)>, String> {
        let field = field.into();
        keys.enumerate()
            .map(|(k, name)| Ok((index(name), self.id(ParamKey::entry(owner, field, k))?)))
            .collect()
    }
    fn id(&self, key: ParamKey) -> Result<ParamId, String> {
        // Keys come from the same structure the walk numbered, so a miss is a bug: an error
        // rather than a panic all the same.
        self.params
            .get(&key)
            .copied()
            .ok_or_else(|| format!("internal error: no parameter {key:?} in the scenario"))
    }
    /// A condition as the step evaluates it (compound ones flattened).
    fn cond(&self, c: &Condition) -> Cond {
        self.cond_tree(c).flattened()
    }
    fn cond_tree(&self, c: &Condition) -> Cond {
        match c {
            Condition::RungAtLeast(r) => Cond::RungAtLeast(self.rungs[r]),
            Condition::RungBelow(r) => Cond::RungBelow(self.rungs[r]),
            Condition::IndexAbove(x) => Cond::IndexAbove(*x),
            Condition::IndexBelow(x) => Cond::IndexBelow(*x),
            Condition::LevelAtLeast(m, l) => Cond::LevelAtLeast(self.measures[m], *l as u8),
            // An event only a variant adds never occurs in the runs without it.
            Condition::EventOccurred(e) => self
                .events
                .get(e)
                .map_or(Cond::Never, |&e| Cond::EventOccurred(e)),
            Condition::EventWithin(e, n) => self
                .events
                .get(e)
                .map_or(Cond::Never, |&e| Cond::EventWithin(e, *n as u32)),
            Condition::ActWithin(a, n) => Cond::ActWithin(self.acts[a], *n as u32),
            Condition::ActOccurred(a) => Cond::ActOccurred(self.acts[a]),
            Condition::StepIn(a, b) => Cond::StepIn(*a as u32, *b as u32),
            Condition::LevelHeldFor(m, l, n) => {
                Cond::LevelHeldFor(self.measures[m], *l as u8, *n as u32)
            }
            Condition::LevelEverReached(m, l) => Cond::LevelEverReached(self.measures[m], *l as u8),
            Condition::Before(a, b) => {
                let occ = |n: &str| match (self.events.get(n), self.acts.get(n)) {
                    (Some(&e), _) => Occurrence::Event(e),
                    (None, Some(&a)) => Occurrence::Act(a),
                    // An event only a variant adds never occurs in the runs without it.
                    (None, None) => Occurrence::Never,
                };
                Cond::Before(occ(a), occ(b))
            }
            Condition::BranchTaken(e, b) => match (self.events.get(e), self.branches.get(e)) {
                (Some(&ei), Some(names)) => match names.iter().position(|x| x == b) {
                    Some(bi) => Cond::BranchTaken(ei, bi as u32),
                    None => Cond::Never,
                },
                _ => Cond::Never,
            },
            Condition::Sustained(inner, n) => {
                // The inner condition first, so that inner counts update before outer ones.
                let inner = self.cond(inner);
                let mut list = self.sustained.borrow_mut();
                list.push(inner);
                Cond::Sustained(list.len() - 1, *n as u32)
            }
            Condition::All(cs) => Cond::All(cs.iter().map(|c| self.cond_tree(c)).collect()),
            Condition::Any(cs) => Cond::Any(cs.iter().map(|c| self.cond_tree(c)).collect()),
            Condition::Not(c) => Cond::Not(Box::new(self.cond_tree(c))),
        }
    }
    fn effects(
        &self,
        of: EffectOf,
        effects: &[Effect],
        focal: (usize, usize),
    ) -> Result<Vec<EffectSpec>, String> {
        effects
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let p = |f: EffectField| self.p(Owner::Effect { of, effect: i }, f);
                Ok(match e {
                    Effect::Move { by, against, .. } => EffectSpec::Move {
                        relation: self.rel(against, by),
                        weight: p(EffectField::MoveWeight)?,
                    },
                    Effect::Impulse { from, to, .. } => EffectSpec::Impulse {
                        relation: self.rel(from, to),
                        amount: p(EffectField::ImpulseAmount)?,
                    },
                    Effect::ScaleHostility { between, .. } => {
                        let relations = match between {
                            Some((a, b)) => {
                                let (a, b) = (self.actor(a), self.actor(b));
                                [(a, b), (b, a)]
                                    .iter()
                                    .filter_map(|k| self.relations.get(k).copied())
                                    .collect()
                            }
                            None => vec![focal.0, focal.1],
                        };
                        EffectSpec::Scale {
                            relations,
                            factor: p(EffectField::ScaleFactor)?,
                        }
                    }
                    Effect::SetLevel { lever, level } => EffectSpec::SetLevel {
                        measure: self.measures[lever],
                        level: *level as u8,
                    },
                    Effect::AddPressure { pressure, .. } => EffectSpec::AddPressure {
                        pressure: self.pressures[pressure],
                        amount: p(EffectField::PressureAmount)?,
                    },
                    Effect::ShiftLever { lever, param, .. } => EffectSpec::ShiftLever {
                        measure: self.measures[lever],
                        param: match param {
                            LeverParam::Threshold => lever_param::THRESHOLD,
                            LeverParam::Persistence => lever_param::PERSISTENCE,
                            LeverParam::HalfLife => lever_param::HALF_LIFE,
                            LeverParam::Reward => lever_param::REWARD,
                        },
                        factor: p(EffectField::LeverFactor)?,
                        add: p(EffectField::LeverAdd)?,
                    },
                    Effect::ShiftRelation {
                        from,
                        to,
                        param,
                        duration,
                        ..
                    } => EffectSpec::ShiftRelation {
                        relation: self.rel(from, to),
                        param: match param {
                            RelationParam::Grievance => rel_param::GRIEVANCE,
                            RelationParam::Fatigue => rel_param::FATIGUE,
                            RelationParam::Reactivity => rel_param::REACTIVITY,
                            RelationParam::Salience => rel_param::SALIENCE,
                            RelationParam::Noise => rel_param::NOISE,
                        },
                        factor: p(EffectField::ShiftFactor)?,
                        add: p(EffectField::ShiftAdd)?,
                        duration: duration.map(|d| d as u32),
                    },
                    Effect::Modify {
                        actor,
                        param,
                        duration,
                        ..
                    } => EffectSpec::Modify {
                        modifier: ModifierSpec {
                            actor: self.actor(actor),
                            param: actor_param_index(*param),
                            factor: p(EffectField::ModifyFactor)?,
                            add: p(EffectField::ModifyAdd)?,
                        },
                        duration: *duration as u32,
                    },
                })
            })
            .collect()
    }
}

/// Compiles a validated scenario with an optional variant. Fails only on an unknown variant
/// (everything else was checked by validation; a parameter missing from the walk, which cannot
/// happen, is an error too).
pub fn compile(base: &Scenario, variant: Option<&str>) -> Result<Model, CompileError> {
    let v = variant.map(|n| find_variant(base, n)).transpose()?;
    compile_variant(base, v)
}

/// Compiles a scenario with a variant that need not be in the file (`brink compare` builds
/// one per lever for the tornado chart; `brink sweep` one per grid value).
pub fn compile_variant(base: &Scenario, variant: Option<&Variant>) -> Result<Model, CompileError> {
    let (mut s, controls, removed) = apply_variant(base, variant)?;
    // Levers and events in the order of their names: a step reads them in this order (the
    // options of a choice, the sums of their effects), so their order in the file changes no
    // figure.
    s.levers.sort_by(|a, b| a.name().cmp(b.name()));
    s.events.sort_by(|a, b| a.name.cmp(&b.name));

    let mut params = vec![];
    // The block of each number (the first two steps of its path: `levers.visa_regime`) and
    // whether the block holds an uncertain number.
    let mut blocks: Vec<(String, Vec<u32>, bool)> = vec![];
    let mut links: Vec<(u32, String)> = vec![];
    let mut param_paths = vec![];
    let mut param_ranges = vec![];
    let mut ids = HashMap::new();
    for_each_param(&mut s, &mut |site, p| {
        ids.insert(site.key, params.len() as ParamId);
        // Sampled values are clamped to the valid range, itself within the magnitude limit
        // (a range wholly beyond the limit, which validation refuses, is kept as it is).
        let (lo, hi) = site.key.field.range(base.bounds);
        let max = crate::scenario::limits::MAX_ABS_NUMBER;
        param_ranges.push(if lo <= max && hi >= -max {
            (lo.max(-max), hi.min(max))
        } else {
            (lo, hi)
        });
        let block = crate::scenario::paths::block_of(&site.path);
        if blocks.last().is_none_or(|b| b.0 != block) {
            blocks.push((block.to_string(), vec![], false));
        }
        if let Param::Dist(Dist::Shared(name)) = p {
            links.push((params.len() as u32, name.clone()));
        }
        let b = blocks.last_mut().expect("a block was just pushed");
        b.1.push(params.len() as u32);
        b.2 |= p.is_uncertain();
        params.push(p.clone());
        param_paths.push(site.path.clone());
    });
    let shared_links = links
        .into_iter()
        .map(|(i, name)| {
            let path = format!("shared.{name}.value");
            match param_paths.iter().position(|p| *p == path) {
                Some(j) if !matches!(params[j], Param::Dist(Dist::Shared(_))) => Ok((i, j as u32)),
                _ => Err(CompileError::Invalid(format!(
                    "{} uses the shared number {name:?}, which the scenario does not define as a \
                     number",
                    param_paths[i as usize]
                ))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let blocks: Vec<_> = blocks.into_iter().filter(|b| b.2).collect();
    let block_names: Vec<String> = blocks.iter().map(|b| b.0.clone()).collect();
    let param_blocks: Vec<(u64, Vec<u32>)> =
        blocks.into_iter().map(|b| (key_of(&b.0), b.1)).collect();

    let idx = |names: Vec<&str>| -> HashMap<String, usize> {
        names
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i))
            .collect()
    };
    let actors_ix = idx(s.actors.iter().map(|a| a.name.as_str()).collect());
    let mut measures_ix = HashMap::new();
    let mut acts_ix = HashMap::new();
    for l in &s.levers {
        match l {
            Lever::Measure(m) => {
                let n = measures_ix.len();
                measures_ix.insert(m.name.clone(), n);
            }
            Lever::Act(a) => {
                let n = acts_ix.len();
                acts_ix.insert(a.name.clone(), n);
            }
        }
    }
    let names = Names {
        relations: s
            .relations
            .iter()
            .enumerate()
            .map(|(i, r)| ((actors_ix[&r.from], actors_ix[&r.to]), i))
            .collect(),
        actors: actors_ix,
        rungs: idx(s.ladder.iter().map(|r| r.name.as_str()).collect()),
        measures: measures_ix,
        acts: acts_ix,
        events: idx(s.events.iter().map(|e| e.name.as_str()).collect()),
        pressures: idx(s.pressures.iter().map(|p| p.name.as_str()).collect()),
        params: ids,
        sustained: Default::default(),
        branches: s
            .events
            .iter()
            .map(|e| {
                let names = e.branches.iter().map(|b| b.name.clone()).collect();
                (e.name.clone(), names)
            })
            .collect(),
    };
    let mut gates: Vec<Cond> = vec![];
    let mut gate = |c: &Option<Condition>| {
        c.as_ref().map(|c| {
            gates.push(names.cond(c));
            gates.len() - 1
        })
    };

    let mut actors: Vec<ActorSpec> = s
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut params = [0; ACTOR_PARAMS.len()];
            for f in ACTOR_PARAMS {
                params[actor_param_index(f)] = names.p(Owner::Actor(i), f)?;
            }
            Ok(ActorSpec {
                name: a.name.clone(),
                key: key_of(&a.name),
                params,
                pressures: vec![],
                measures: vec![],
                acts: vec![],
                options: vec![],
            })
        })
        .collect::<Result<_, String>>()?;

    let relations: Vec<RelationSpec> = s
        .relations
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (from, to) = (names.actor(&r.from), names.actor(&r.to));
            let p = |f: RelationField| names.p(Owner::Relation(i), f);
            Ok(RelationSpec {
                from,
                to,
                initial: p(RelationField::Initial)?,
                fatigue: p(RelationField::Fatigue)?,
                reactivity: p(RelationField::Reactivity)?,
                grievance: p(RelationField::Grievance)?,
                noise: p(RelationField::Noise)?,
                salience: p(RelationField::Salience)?,
                reverse: names.relations.get(&(to, from)).copied(),
                key: key_of(&format!("{}->{}", r.from, r.to)),
            })
        })
        .collect::<Result<_, String>>()?;
    let focal = (
        names.rel(&s.focal.0, &s.focal.1),
        names.rel(&s.focal.1, &s.focal.0),
    );

    let pressures: Vec<PressureSpec> = s
        .pressures
        .iter()
        .enumerate()
        .map(|(i, pr)| {
            let p = |f: PressureField| names.p(Owner::Pressure(i), f);
            let actor = names.actor(&pr.actor);
            actors[actor].pressures.push(i);
            Ok(PressureSpec {
                name: pr.name.clone(),
                actor,
                initial: p(PressureField::Initial)?,
                decay: p(PressureField::Decay)?,
                push: p(PressureField::Push)?,
            })
        })
        .collect::<Result<_, String>>()?;

    let rung_of = |r: &Option<String>| r.as_ref().map_or(0, |r| names.rungs[r]);
    let control = |name: &str| controls.get(name).copied().unwrap_or(Control::Free);
    let mut measures = vec![];
    let mut acts = vec![];
    for (i, lever) in s.levers.iter().enumerate() {
        match lever {
            Lever::Measure(m) => {
                let owner = names.actor(&m.owner);
                let target = names.actor(&m.target);
                let motive = match &m.motive {
                    Some((a, b)) => names.rel(a, b),
                    None => names.rel(&m.owner, &m.target),
                };
                let levels = m
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(j, l)| {
                        let lo = Owner::Level { lever: i, level: j };
                        let p = |f: LevelField| names.p(lo, f);
                        let costs = names
                            .per_name(lo, LevelField::Cost, l.costs.keys(), |a| names.actor(a))?;
                        let benefits =
                            names.per_name(lo, LevelField::Benefit, l.benefits.keys(), |a| {
                                names.actor(a)
                            })?;
                        Ok(LevelSpec {
                            name: l.name.clone(),
                            weight: p(LevelField::Weight)?,
                            ease_weight: match l.ease_weight {
                                Some(_) => Some(p(LevelField::EaseWeight)?),
                                None => None,
                            },
                            threshold: match l.threshold {
                                Some(_) => Some(p(LevelField::Threshold)?),
                                None => None,
                            },
                            irritation: p(LevelField::Irritation)?,
                            owner_cost: costs.iter().find(|(a, _)| *a == owner).map(|c| c.1),
                            costs,
                            owner_benefit: benefits.iter().find(|(a, _)| *a == owner).map(|c| c.1),
                            benefits,
                            pressure: names.per_name(
                                lo,
                                LevelField::Pressure,
                                l.pressure.keys(),
                                |k| names.pressures[k],
                            )?,
                            modifiers: l
                                .modifiers
                                .iter()
                                .enumerate()
                                .map(|(k, md)| {
                                    let mo = Owner::Modifier {
                                        lever: i,
                                        level: j,
                                        modifier: k,
                                    };
                                    Ok(ModifierSpec {
                                        actor: names.actor(&md.actor),
                                        param: actor_param_index(md.param),
                                        factor: names.p(mo, ModifierField::Factor)?,
                                        add: names.p(mo, ModifierField::Add)?,
                                    })
                                })
                                .collect::<Result<_, String>>()?,
                            min_rung: rung_of(&l.min_rung),
                            implies_rung: rung_of(&l.implies_rung),
                            reward: p(LevelField::Reward)?,
                        })
                    })
                    .collect::<Result<_, String>>()?;
                actors[owner].measures.push(measures.len());
                measures.push(MeasureSpec {
                    name: m.name.clone(),
                    owner,
                    target,
                    motive,
                    felt_by: names.rel(&m.target, &m.owner),
                    threshold: names.p(Owner::Lever(i), MeasureField::Threshold)?,
                    ease_threshold: match m.ease_threshold {
                        Some(_) => Some(names.p(Owner::Lever(i), MeasureField::EaseThreshold)?),
                        None => None,
                    },
                    persistence: names.p(Owner::Lever(i), MeasureField::Persistence)?,
                    perception: names.p(Owner::Lever(i), MeasureField::Perception)?,
                    half_life: names.p(Owner::Lever(i), MeasureField::HalfLife)?,
                    min_duration: m.min_duration as u32,
                    reversible: m.reversible,
                    raise_when: gate(&m.raise_when),
                    lower_when: gate(&m.lower_when),
                    key: key_of(&m.name),
                    initial: m.initial as u8,
                    levels,
                    control: control(&m.name),
                });
            }
            Lever::Act(a) => {
                let owner = names.actor(&a.owner);
                let p = |f: ActField| names.p(Owner::Lever(i), f);
                let costs =
                    names.per_name(Owner::Lever(i), ActField::Cost, a.costs.keys(), |k| {
                        names.actor(k)
                    })?;
                actors[owner].acts.push(acts.len());
                acts.push(ActSpec {
                    name: a.name.clone(),
                    owner,
                    target: names.actor(&a.target),
                    motive: match &a.motive {
                        Some((x, y)) => names.rel(x, y),
                        None => names.rel(&a.owner, &a.target),
                    },
                    felt_by: names.rel(&a.target, &a.owner),
                    threshold: p(ActField::Threshold)?,
                    weight: p(ActField::Weight)?,
                    cooldown: a.cooldown.max(0) as u32,
                    owner_cost: costs.iter().find(|(k, _)| *k == owner).map(|c| c.1),
                    costs,
                    perception: p(ActField::Perception)?,
                    effects: Vec::new(),
                    min_rung: rung_of(&a.min_rung),
                    reward: p(ActField::Reward)?,
                    frozen: control(&a.name) == Control::Frozen,
                    allowed_when: gate(&a.allowed_when),
                    once: a.once,
                    accept: match &a.accepted_by {
                        Some(by) => Some(AcceptSpec {
                            by: names.actor(by),
                            within: a.accept_within.max(1) as u32,
                            motive: names.rel(by, &a.owner),
                            threshold: p(ActField::AcceptThreshold)?,
                        }),
                        None => None,
                    },
                });
            }
        }
    }
    // Act effects may name measures declared after the act, so they are resolved last.
    let mut k = 0;
    for (i, lever) in s.levers.iter().enumerate() {
        if let Lever::Act(a) = lever {
            acts[k].effects = names.effects(EffectOf::Act(i), &a.effects, focal)?;
            k += 1;
        }
    }

    let events: Vec<EventSpec> = s
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = |f: TimingField| names.p(Owner::Event(i), f);
            let timing = match &e.timing {
                Timing::Scheduled { step, when, .. } => TimingSpec::Scheduled {
                    step: *step as u32,
                    probability: p(TimingField::Probability)?,
                    when: when.as_ref().map(|c| names.cond(c)),
                },
                Timing::Dated { when, .. } => TimingSpec::Dated {
                    step: p(TimingField::Step)?,
                    probability: p(TimingField::Probability)?,
                    when: when.as_ref().map(|c| names.cond(c)),
                },
                Timing::Hazard {
                    factors,
                    from_step,
                    until_step,
                    ..
                } => TimingSpec::Hazard {
                    rate: p(TimingField::Rate)?,
                    index_slope: p(TimingField::IndexSlope)?,
                    grievance_slope: p(TimingField::GrievanceSlope)?,
                    factors: factors
                        .iter()
                        .enumerate()
                        .map(|(k, f)| {
                            let fo = Owner::Factor {
                                event: i,
                                factor: k,
                            };
                            Ok((names.cond(&f.when), names.p(fo, TimingField::FactorTimes)?))
                        })
                        .collect::<Result<_, String>>()?,
                    from_step: *from_step as u32,
                    until_step: until_step.map_or(u32::MAX, |u| u as u32),
                },
            };
            Ok(EventSpec {
                name: e.name.clone(),
                timing,
                once: e.once,
                cooldown: e.cooldown as u32,
                effects: names.effects(EffectOf::Event(i), &e.effects, focal)?,
                enabled: !removed.contains(&e.name),
                key: key_of(&e.name),
                branches: e
                    .branches
                    .iter()
                    .enumerate()
                    .map(|(j, b)| {
                        let bo = Owner::Branch {
                            event: i,
                            branch: j,
                        };
                        let of = EffectOf::Branch {
                            event: i,
                            branch: j,
                        };
                        Ok(BranchSpec {
                            name: b.name.clone(),
                            weight: names.p(bo, TimingField::BranchWeight)?,
                            effects: names.effects(of, &b.effects, focal)?,
                        })
                    })
                    .collect::<Result<_, String>>()?,
            })
        })
        .collect::<Result<_, String>>()?;

    let outcomes: Vec<OutcomeSpec> = s
        .outcomes
        .iter()
        .map(|o| {
            let cond = names.cond(&o.when);
            OutcomeSpec {
                name: o.name.clone(),
                label: if o.label.is_empty() {
                    o.name.clone()
                } else {
                    o.label.clone()
                },
                deps: cond.deps(),
                cond,
                at_end: o.at_end,
            }
        })
        .collect();

    for a in &mut actors {
        let measures = a
            .measures
            .iter()
            .filter(|&&k| measures[k].control == Control::Free)
            .map(|&k| OptionSource::Measure {
                measure: k,
                motive: measures[k].motive,
            });
        let acts = a
            .acts
            .iter()
            .filter(|&&k| !acts[k].frozen)
            .map(|&k| OptionSource::Act {
                act: k,
                motive: acts[k].motive,
                min_rung: acts[k].min_rung,
            });
        a.options = measures.chain(acts).collect();
    }
    // Offers of contact this actor may accept, in the order of the acts' names.
    for (k, act) in acts.iter().enumerate() {
        if let Some(acc) = act.accept {
            actors[acc.by].options.push(OptionSource::Accept {
                act: k,
                motive: acc.motive,
            });
        }
    }
    // Hold, then per measure one raise and a lowering to each lower level; acts; acceptances.
    let max_options = actors
        .iter()
        .map(|a| {
            let raise_lower: usize = a
                .measures
                .iter()
                .map(|&k| 1 + measures[k].levels.len())
                .sum();
            1 + raise_lower + a.options.len()
        })
        .max()
        .unwrap_or(1);
    let choosers = (0..actors.len())
        .filter(|&a| !actors[a].options.is_empty())
        .collect();
    let (stepwise_outcomes, outcomes_reading, outcomes_read) = reading_sets(
        outcomes.len(),
        outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.at_end)
            .map(|(i, o)| (i, o.deps)),
    );
    let gate_deps: Vec<u64> = gates.iter().map(Cond::deps).collect();
    let (_, gates_reading, gates_read) =
        reading_sets(gates.len(), gate_deps.iter().copied().enumerate());
    // Two named parts of one stream with the same key would share draws.
    let distinct = |what: &str, names: Vec<(&str, u64)>| -> Result<(), CompileError> {
        let mut seen: HashMap<u64, &str> = HashMap::new();
        for (name, key) in names {
            if let Some(other) = seen.insert(key, name) {
                return Err(CompileError::Invalid(format!(
                    "the {what} {other:?} and {name:?} have names whose random streams coincide \
                     (a chance of about one in ten billion); rename one of them"
                )));
            }
        }
        Ok(())
    };
    distinct(
        "actors",
        actors.iter().map(|a| (a.name.as_str(), a.key)).collect(),
    )?;
    distinct(
        "events",
        events.iter().map(|e| (e.name.as_str(), e.key)).collect(),
    )?;
    distinct(
        "measures",
        measures.iter().map(|e| (e.name.as_str(), e.key)).collect(),
    )?;
    let rel_names: Vec<String> = s
        .relations
        .iter()
        .map(|r| format!("{}->{}", r.from, r.to))
        .collect();
    distinct(
        "relations",
        relations
            .iter()
            .enumerate()
            .map(|(i, r)| (rel_names[i].as_str(), r.key))
            .collect(),
    )?;
    distinct(
        "parameter blocks",
        param_blocks
            .iter()
            .zip(&block_names)
            .map(|(b, name)| (name.as_str(), b.0))
            .collect(),
    )?;
    let sustained = names.sustained.take();
    let mut param_whole_step = vec![false; params.len()];
    for e in &events {
        if let TimingSpec::Dated { step, .. } = e.timing {
            param_whole_step[step as usize] = true;
        }
    }
    Ok(Model {
        variant: variant.map(|v| v.name.clone()),
        horizon: s.horizon as u32,
        bounds: s.bounds,
        rung_names: s.ladder.iter().map(|r| r.name.clone()).collect(),
        rung_thresholds: s.ladder.iter().map(|r| r.threshold).collect(),
        scenario: s,
        actors,
        relations,
        focal,
        pressures,
        measures,
        acts,
        event_gates: events.iter().map(EventGate::of).collect(),
        events,
        gate_deps,
        gates_reading,
        gates_read,
        gates,
        sustained,
        param_blocks,
        outcomes,
        param_paths,
        samplers: params.iter().map(Sampler::of).collect(),
        params,
        param_ranges,
        param_whole_step,
        max_options,
        choosers,
        stepwise_outcomes,
        outcomes_reading,
        outcomes_read,
        shared_links,
        snapshot_steps: vec![],
    })
}

/// Conditions (`n` of them; those of `items`, each with what it reads) as a bit set of their
/// indices, 64 to a word; for each bit of [`deps`] the conditions that read it (the layout of
/// [`Model::outcomes_reading`] and [`Model::gates_reading`], read by [`super::reading`]); and
/// everything any of them reads.
fn reading_sets(n: usize, items: impl Iterator<Item = (usize, u64)>) -> (Vec<u64>, Vec<u64>, u64) {
    let words = n.div_ceil(64);
    let mut members = vec![0u64; words];
    let mut reading = vec![0u64; 64 * words];
    let mut read = 0;
    for (i, d) in items {
        let (w, bit) = (i / 64, 1u64 << (i % 64));
        members[w] |= bit;
        read |= d;
        for b in set_bits(d) {
            reading[b * words + w] |= bit;
        }
    }
    // Then the sets for each combination of the fixed bits (`deps::FIXED`), which change
    // together most steps: one lookup for them, not one per bit.
    let low: Vec<u64> = (0..=deps::FIXED)
        .flat_map(|c| {
            let reading = &reading;
            (0..words).map(move |w| set_bits(c).fold(0, |acc, b| acc | reading[b * words + w]))
        })
        .collect();
    reading.extend(low);
    (members, reading, read)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every parameter id the specs of a model refer to (an owner's cost once, in `costs`).
    fn referenced(m: &Model) -> Vec<ParamId> {
        let mut out = vec![];
        let effects = |out: &mut Vec<ParamId>, effects: &[EffectSpec]| {
            for e in effects {
                match e {
                    EffectSpec::Move { weight: p, .. }
                    | EffectSpec::Impulse { amount: p, .. }
                    | EffectSpec::Scale { factor: p, .. }
                    | EffectSpec::AddPressure { amount: p, .. } => out.push(*p),
                    EffectSpec::SetLevel { .. } => {}
                    EffectSpec::ShiftRelation { factor, add, .. }
                    | EffectSpec::ShiftLever { factor, add, .. } => out.extend([*factor, *add]),
                    EffectSpec::Modify { modifier, .. } => {
                        out.extend([modifier.factor, modifier.add])
                    }
                }
            }
        };
        // Shared numbers are read through the links that copy them into their uses.
        let shared: std::collections::BTreeSet<ParamId> =
            m.shared_links.iter().map(|l| l.1).collect();
        out.extend(shared);
        for a in &m.actors {
            out.extend(a.params);
        }
        for r in &m.relations {
            out.extend([
                r.initial,
                r.fatigue,
                r.reactivity,
                r.grievance,
                r.noise,
                r.salience,
            ]);
        }
        for p in &m.pressures {
            out.extend([p.initial, p.decay, p.push]);
        }
        for me in &m.measures {
            out.extend([me.threshold, me.persistence, me.half_life, me.perception]);
            out.extend(me.ease_threshold);
            for l in &me.levels {
                out.extend([l.weight, l.irritation, l.reward]);
                out.extend(l.ease_weight);
                out.extend(l.threshold);
                out.extend(l.costs.iter().map(|c| c.1));
                out.extend(l.benefits.iter().map(|c| c.1));
                out.extend(l.pressure.iter().map(|c| c.1));
                for md in &l.modifiers {
                    out.extend([md.factor, md.add]);
                }
            }
        }
        for a in &m.acts {
            out.extend([a.threshold, a.weight, a.reward, a.perception]);
            out.extend(a.accept.map(|x| x.threshold));
            out.extend(a.costs.iter().map(|c| c.1));
            effects(&mut out, &a.effects);
        }
        for e in &m.events {
            match &e.timing {
                TimingSpec::Scheduled { probability, .. } => out.push(*probability),
                TimingSpec::Dated {
                    step, probability, ..
                } => out.extend([*step, *probability]),
                TimingSpec::Hazard {
                    rate,
                    index_slope,
                    grievance_slope,
                    factors,
                    ..
                } => {
                    out.extend([*rate, *index_slope, *grievance_slope]);
                    out.extend(factors.iter().map(|f| f.1));
                }
            }
            effects(&mut out, &e.effects);
            for b in &e.branches {
                out.push(b.weight);
                effects(&mut out, &b.effects);
            }
        }
        out.sort_unstable();
        out
    }

    /// Compilation finds every number of the walk by its key, and refers to each exactly once,
    /// with every variant of the flagship scenario and the examples.
    #[test]
    fn compile_finds_every_parameter_by_key() {
        for file in [
            "scenarios/russia_azerbaijan_2025.ron",
            "scenarios/examples/tutorial.ron",
            "scenarios/examples/richardson.ron",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            let s = crate::scenario::load(&path, Default::default())
                .unwrap_or_else(|e| panic!("{file}: {e:?}"))
                .scenario;
            let variants = s.variants.iter().map(|v| Some(v.name.as_str()));
            for v in std::iter::once(None).chain(variants) {
                let m = compile(&s, v).unwrap_or_else(|e| panic!("{file} {v:?}: {e}"));
                let all: Vec<ParamId> = (0..m.params.len() as ParamId).collect();
                assert_eq!(referenced(&m), all, "{file} {v:?}");
            }
        }
    }

    /// A key the walk did not number is an error, not a panic.
    #[test]
    fn a_missing_key_is_an_error() {
        let names = Names {
            actors: HashMap::new(),
            relations: HashMap::new(),
            rungs: HashMap::new(),
            measures: HashMap::new(),
            acts: HashMap::new(),
            events: HashMap::new(),
            pressures: HashMap::new(),
            params: HashMap::from([(
                ParamKey::new(Owner::Actor(0), crate::scenario::ActorParam::Sensitivity),
                7,
            )]),
            sustained: Default::default(),
            branches: HashMap::new(),
        };
        let resolve = crate::scenario::ActorParam::Sensitivity;
        assert_eq!(names.p(Owner::Actor(0), resolve), Ok(7));
        assert!(names.p(Owner::Actor(1), resolve).is_err());
        assert!(
            names
                .p(Owner::Lever(0), MeasureField::Threshold)
                .unwrap_err()
                .contains("no parameter")
        );
    }
}
