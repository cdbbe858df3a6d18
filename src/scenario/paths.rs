//! Every number of a scenario with its three addresses: its typed key (used by compilation), the
//! analyst's path (`levers.visa_regime.levels.imposed.weight`, used by variants, sweeps and the
//! assumptions ledger) and its place in the file (used by diagnostics). One walker yields all
//! three, so they cannot disagree.

use super::field::*;
use super::param::Param;
use super::schema::*;

/// One step of a place in the file: a struct field, a list index or a map key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A struct field.
    Field(&'static str),
    /// A list index.
    Index(usize),
    /// A map key.
    Key(String),
}

/// A place in the file, from the top-level `Scenario(...)` down.
pub type Loc = Vec<Seg>;

/// What holds an effect: an act (by its index among the levers) or an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectOf {
    /// The act at this index of `levers`.
    Act(usize),
    /// The event at this index of `events`.
    Event(usize),
    /// A branch of an event.
    Branch {
        /// The event's index.
        event: usize,
        /// The branch's index in the event.
        branch: usize,
    },
}

/// The record that holds a number, by positions in the scenario's lists (levers, measures and
/// acts alike, by their index in `levers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A shared number.
    Shared(usize),
    /// An actor.
    Actor(usize),
    /// A relation.
    Relation(usize),
    /// A pressure.
    Pressure(usize),
    /// A measure or an act.
    Lever(usize),
    /// A level of a measure.
    Level {
        /// The measure's index in `levers`.
        lever: usize,
        /// The level's index in its measure (level `level + 1`).
        level: usize,
    },
    /// A modifier of a level.
    Modifier {
        /// The measure's index in `levers`.
        lever: usize,
        /// The level's index in its measure.
        level: usize,
        /// The modifier's index in its level.
        modifier: usize,
    },
    /// An event (its timing's numbers).
    Event(usize),
    /// A factor of an event's hazard.
    Factor {
        /// The event's index.
        event: usize,
        /// The factor's index in its hazard.
        factor: usize,
    },
    /// A branch of an event (its weight).
    Branch {
        /// The event's index.
        event: usize,
        /// The branch's index in the event.
        branch: usize,
    },
    /// An effect of an act or an event.
    Effect {
        /// What holds it.
        of: EffectOf,
        /// Its index in that list of effects.
        effect: usize,
    },
}

/// The typed address of a number: its record, its field and, for an entry of a `costs` or
/// `pressure` map, the entry's position in the map (in key order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamKey {
    /// The record that holds it.
    pub owner: Owner,
    /// Its field, which gives its valid range.
    pub field: ParamField,
    /// The position of its entry in a per-name map; `None` for a plain field.
    pub entry: Option<usize>,
}

impl ParamKey {
    /// The key of a plain field.
    pub fn new(owner: Owner, field: impl Into<ParamField>) -> ParamKey {
        ParamKey {
            owner,
            field: field.into(),
            entry: None,
        }
    }
    /// The key of the `entry`-th entry of a per-name map.
    pub fn entry(owner: Owner, field: impl Into<ParamField>, entry: usize) -> ParamKey {
        ParamKey {
            owner,
            field: field.into(),
            entry: Some(entry),
        }
    }
}

/// A parameter visited by [`for_each_param`].
pub struct ParamSite<'a> {
    /// Its typed address; its field gives its valid range.
    pub key: ParamKey,
    /// The analyst's path.
    pub path: String,
    /// Where it is in the file.
    pub loc: Loc,
    /// The source of the struct that holds it (used when the number has none of its own).
    pub context_source: &'a str,
}

struct Walker<'f> {
    path: Vec<String>,
    loc: Loc,
    f: &'f mut dyn FnMut(&ParamSite, &mut Param),
}

impl Walker<'_> {
    fn at(&mut self, name: &str, seg: Seg, body: impl FnOnce(&mut Self)) {
        self.path.push(name.to_string());
        self.loc.push(seg);
        body(self);
        self.path.pop();
        self.loc.pop();
    }
    /// A place in the file that adds nothing to the analyst's path.
    fn within(&mut self, seg: Seg, body: impl FnOnce(&mut Self)) {
        self.loc.push(seg);
        body(self);
        self.loc.pop();
    }
    fn idx(&mut self, name: &str, i: usize, body: impl FnOnce(&mut Self)) {
        self.path.push(name.to_string());
        self.loc.push(Seg::Index(i));
        body(self);
        self.path.pop();
        self.loc.pop();
    }
    fn visit(&mut self, key: ParamKey, source: &str, p: &mut Param) {
        let site = ParamSite {
            key,
            path: self.path.join("."),
            loc: self.loc.clone(),
            context_source: source,
        };
        (self.f)(&site, p);
    }
    /// A plain field: its name (from the registry) is its step of the path and of the place.
    fn param(&mut self, owner: Owner, field: impl Into<ParamField>, source: &str, p: &mut Param) {
        let field = field.into();
        let name = field.name();
        self.path.push(name.to_string());
        self.loc.push(Seg::Field(name));
        self.visit(ParamKey::new(owner, field), source, p);
        self.path.pop();
        self.loc.pop();
    }
    /// A per-name map (`costs`, `pressure`): one number per entry, keyed by its position.
    fn per_name(
        &mut self,
        owner: Owner,
        field: impl Into<ParamField>,
        source: &str,
        map: &mut PerName,
    ) {
        let field = field.into();
        let name = field.name();
        self.path.push(name.to_string());
        self.loc.push(Seg::Field(name));
        for (k, (key, p)) in map.iter_mut().enumerate() {
            self.path.push(key.clone());
            self.loc.push(Seg::Key(key.clone()));
            self.visit(ParamKey::entry(owner, field, k), source, p);
            self.path.pop();
            self.loc.pop();
        }
        self.path.pop();
        self.loc.pop();
    }
    fn effects(&mut self, of: EffectOf, src: &str, effects: &mut [Effect]) {
        use EffectField as F;
        self.at("effects", Seg::Field("effects"), |w| {
            for (i, e) in effects.iter_mut().enumerate() {
                let o = Owner::Effect { of, effect: i };
                w.idx(&i.to_string(), i, |w| match e {
                    Effect::Move { weight, .. } => w.param(o, F::MoveWeight, src, weight),
                    Effect::Impulse { amount, .. } => w.param(o, F::ImpulseAmount, src, amount),
                    Effect::ScaleHostility { factor, .. } => {
                        w.param(o, F::ScaleFactor, src, factor)
                    }
                    Effect::SetLevel { .. } => {}
                    Effect::AddPressure { amount, .. } => {
                        w.param(o, F::PressureAmount, src, amount)
                    }
                    Effect::Modify { factor, add, .. } => {
                        w.param(o, F::ModifyFactor, src, factor);
                        w.param(o, F::ModifyAdd, src, add);
                    }
                    Effect::ShiftRelation { factor, add, .. } => {
                        w.param(o, F::ShiftFactor, src, factor);
                        w.param(o, F::ShiftAdd, src, add);
                    }
                    Effect::ShiftLever { factor, add, .. } => {
                        w.param(o, F::LeverFactor, src, factor);
                        w.param(o, F::LeverAdd, src, add);
                    }
                });
            }
        });
    }
    fn event(&mut self, i: usize, e: &mut Event) {
        let src = e.source.clone();
        let o = Owner::Event(i);
        match &mut e.timing {
            Timing::Scheduled { probability, .. } => {
                self.within(Seg::Field("timing"), |w| {
                    w.param(o, TimingField::Probability, &src, probability);
                });
            }
            Timing::Dated {
                step, probability, ..
            } => {
                self.within(Seg::Field("timing"), |w| {
                    w.param(o, TimingField::Step, &src, step);
                    w.param(o, TimingField::Probability, &src, probability);
                });
            }
            Timing::Hazard {
                rate,
                index_slope,
                grievance_slope,
                factors,
                ..
            } => {
                self.within(Seg::Field("timing"), |w| {
                    w.param(o, TimingField::Rate, &src, rate);
                    w.param(o, TimingField::IndexSlope, &src, index_slope);
                    w.param(o, TimingField::GrievanceSlope, &src, grievance_slope);
                    w.at("factors", Seg::Field("factors"), |w| {
                        for (k, f) in factors.iter_mut().enumerate() {
                            let fo = Owner::Factor {
                                event: i,
                                factor: k,
                            };
                            w.idx(&k.to_string(), k, |w| {
                                w.param(fo, TimingField::FactorTimes, &src, &mut f.times)
                            });
                        }
                    });
                });
            }
        }
        self.effects(EffectOf::Event(i), &src, &mut e.effects);
        if !e.branches.is_empty() {
            self.at("branches", Seg::Field("branches"), |w| {
                for (j, b) in e.branches.iter_mut().enumerate() {
                    let bsrc = if b.source.is_empty() {
                        src.clone()
                    } else {
                        b.source.clone()
                    };
                    let bo = Owner::Branch {
                        event: i,
                        branch: j,
                    };
                    w.idx(&b.name.clone(), j, |w| {
                        w.param(bo, TimingField::BranchWeight, &bsrc, &mut b.probability);
                        w.effects(
                            EffectOf::Branch {
                                event: i,
                                branch: j,
                            },
                            &bsrc,
                            &mut b.effects,
                        );
                    });
                }
            });
        }
    }
}

/// Calls `f` on every number of the scenario, in the file's order (which is also the order in
/// which a run samples them). Variants are not visited: their numbers replace these.
pub fn for_each_param(s: &mut Scenario, f: &mut dyn FnMut(&ParamSite, &mut Param)) {
    let mut w = Walker {
        path: vec![],
        loc: vec![],
        f,
    };
    if !s.shared.is_empty() {
        w.at("shared", Seg::Field("shared"), |w| {
            for (i, x) in s.shared.iter_mut().enumerate() {
                let src = x.source.clone();
                w.idx(&x.name.clone(), i, |w| {
                    w.param(Owner::Shared(i), ParamField::Shared, &src, &mut x.value)
                });
            }
        });
    }
    w.at("actors", Seg::Field("actors"), |w| {
        for (i, a) in s.actors.iter_mut().enumerate() {
            let src = a.source.clone();
            let o = Owner::Actor(i);
            w.idx(&a.name.clone(), i, |w| {
                w.param(o, ActorParam::Rationality, &src, &mut a.rationality);
                w.param(o, ActorParam::Sensitivity, &src, &mut a.sensitivity);
                w.param(o, ActorParam::Hawkishness, &src, &mut a.hawkishness);
                w.param(o, ActorParam::CostWeight, &src, &mut a.cost_weight);
                w.param(o, ActorParam::Activity, &src, &mut a.activity);
            });
        }
    });
    w.at("relations", Seg::Field("relations"), |w| {
        use RelationField as F;
        for (i, r) in s.relations.iter_mut().enumerate() {
            let src = r.source.clone();
            let o = Owner::Relation(i);
            w.idx(&format!("{}->{}", r.from, r.to), i, |w| {
                w.param(o, F::Initial, &src, &mut r.initial);
                w.param(o, F::Fatigue, &src, &mut r.fatigue);
                w.param(o, F::Reactivity, &src, &mut r.reactivity);
                w.param(o, F::Grievance, &src, &mut r.grievance);
                w.param(o, F::Noise, &src, &mut r.noise);
                w.param(o, F::Salience, &src, &mut r.salience);
            });
        }
    });
    w.at("pressures", Seg::Field("pressures"), |w| {
        use PressureField as F;
        for (i, p) in s.pressures.iter_mut().enumerate() {
            let src = p.source.clone();
            let o = Owner::Pressure(i);
            w.idx(&p.name.clone(), i, |w| {
                w.param(o, F::Initial, &src, &mut p.initial);
                w.param(o, F::Decay, &src, &mut p.decay);
                w.param(o, F::Push, &src, &mut p.push);
            });
        }
    });
    w.at("levers", Seg::Field("levers"), |w| {
        for (i, lever) in s.levers.iter_mut().enumerate() {
            let name = lever.name().to_string();
            let o = Owner::Lever(i);
            w.idx(&name, i, |w| match lever {
                Lever::Measure(m) => {
                    let src = m.source.clone();
                    w.param(o, MeasureField::Threshold, &src, &mut m.threshold);
                    w.param(o, MeasureField::Persistence, &src, &mut m.persistence);
                    w.param(o, MeasureField::HalfLife, &src, &mut m.half_life);
                    w.param(o, MeasureField::Perception, &src, &mut m.perception);
                    if let Some(e) = &mut m.ease_threshold {
                        w.param(o, MeasureField::EaseThreshold, &src, e);
                    }
                    w.at("levels", Seg::Field("levels"), |w| {
                        use LevelField as F;
                        for (j, l) in m.levels.iter_mut().enumerate() {
                            let lsrc = if l.source.is_empty() {
                                src.clone()
                            } else {
                                l.source.clone()
                            };
                            let lo = Owner::Level { lever: i, level: j };
                            w.idx(&l.name.clone(), j, |w| {
                                w.param(lo, F::Weight, &lsrc, &mut l.weight);
                                if let Some(e) = &mut l.ease_weight {
                                    w.param(lo, F::EaseWeight, &lsrc, e);
                                }
                                if let Some(th) = &mut l.threshold {
                                    w.param(lo, F::Threshold, &lsrc, th);
                                }
                                w.param(lo, F::Irritation, &lsrc, &mut l.irritation);
                                w.param(lo, F::Reward, &lsrc, &mut l.reward);
                                w.per_name(lo, F::Cost, &lsrc, &mut l.costs);
                                w.per_name(lo, F::Benefit, &lsrc, &mut l.benefits);
                                w.per_name(lo, F::Pressure, &lsrc, &mut l.pressure);
                                w.at("modifiers", Seg::Field("modifiers"), |w| {
                                    for (k, md) in l.modifiers.iter_mut().enumerate() {
                                        let mo = Owner::Modifier {
                                            lever: i,
                                            level: j,
                                            modifier: k,
                                        };
                                        w.idx(&k.to_string(), k, |w| {
                                            w.param(
                                                mo,
                                                ModifierField::Factor,
                                                &lsrc,
                                                &mut md.factor,
                                            );
                                            w.param(mo, ModifierField::Add, &lsrc, &mut md.add);
                                        });
                                    }
                                });
                            });
                        }
                    });
                }
                Lever::Act(a) => {
                    let src = a.source.clone();
                    w.param(o, ActField::Threshold, &src, &mut a.threshold);
                    w.param(o, ActField::Weight, &src, &mut a.weight);
                    w.param(o, ActField::Reward, &src, &mut a.reward);
                    if a.accepted_by.is_some() {
                        w.param(o, ActField::AcceptThreshold, &src, &mut a.accept_threshold);
                    }
                    w.per_name(o, ActField::Cost, &src, &mut a.costs);
                    w.param(o, ActField::Perception, &src, &mut a.perception);
                    w.effects(EffectOf::Act(i), &src, &mut a.effects);
                }
            });
        }
    });
    w.at("events", Seg::Field("events"), |w| {
        for (i, e) in s.events.iter_mut().enumerate() {
            w.idx(&e.name.clone(), i, |w| w.event(i, e));
        }
    });
}

/// The block a number belongs to: the first two steps of its path (`levers.visa_regime` for
/// `levers.visa_regime.levels.imposed.weight`). A block draws its numbers from its own part of the
/// parameter stream, so adding or reordering blocks shifts no other block's draws.
///
/// ```
/// use brink::scenario::paths::block_of;
/// assert_eq!(block_of("levers.visa_regime.levels.imposed.weight"), "levers.visa_regime");
/// assert_eq!(block_of("shared.war_risk.value"), "shared.war_risk");
/// ```
pub fn block_of(path: &str) -> &str {
    match path.match_indices('.').nth(1) {
        Some((i, _)) => &path[..i],
        None => path,
    }
}

/// The event a number belongs to, if it is an event's (names hold no `.`): `leader_call` for
/// `events.leader_call.rate`.
///
/// ```
/// use brink::scenario::paths::event_of;
/// assert_eq!(event_of("events.talks.rate"), Some("talks"));
/// assert_eq!(event_of("actors.north.activity"), None);
/// ```
pub fn event_of(path: &str) -> Option<&str> {
    block_of(path).strip_prefix("events.")
}

/// Every parameter path of a scenario, in sampling order.
pub fn param_paths(s: &Scenario) -> Vec<String> {
    let mut s = s.clone();
    let mut out = Vec::new();
    for_each_param(&mut s, &mut |site, _| out.push(site.path.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn load(file: &str) -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        match super::super::load(&path, Default::default()) {
            Ok(l) => l.scenario,
            Err(e) => panic!("{file}: {e:?}"),
        }
    }

    /// Every site's key, path and number, after checking that keys and paths are in one-to-one
    /// correspondence and that each path names its key's field.
    fn sites(s: &Scenario) -> Vec<(ParamKey, String, Param)> {
        let mut out = vec![];
        for_each_param(&mut s.clone(), &mut |site, p| {
            out.push((site.key, site.path.clone(), p.clone()))
        });
        let keys: HashSet<ParamKey> = out.iter().map(|x| x.0).collect();
        let paths: HashSet<&str> = out.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(keys.len(), out.len(), "two numbers share a key");
        assert_eq!(paths.len(), out.len(), "two numbers share a path");
        for (key, path, _) in &out {
            let steps: Vec<&str> = path.split('.').collect();
            // A map entry's path ends with the map's name and the entry's key.
            let name = match key.entry {
                Some(_) => steps[steps.len() - 2],
                None => steps[steps.len() - 1],
            };
            assert_eq!(name, key.field.name(), "{path}: {key:?}");
        }
        out
    }

    #[test]
    fn flagship_keys_and_paths_correspond() {
        let s = load("scenarios/russia_azerbaijan_2025.ron");
        let sites = sites(&s);
        let uncertain = sites.iter().filter(|x| x.2.is_uncertain()).count();
        assert_eq!(uncertain, 181);
        assert!(sites.contains(&(
            ParamKey::new(Owner::Actor(1), ActorParam::Sensitivity),
            "actors.azerbaijan.sensitivity".into(),
            s.actors[1].sensitivity.clone()
        )));
    }

    #[test]
    fn tutorial_keys_and_paths_correspond() {
        let s = load("scenarios/examples/tutorial.ron");
        assert!(!sites(&s).is_empty());
        sites(&load("scenarios/examples/richardson.ron"));
    }

    /// A scenario with every kind of number once: the walker yields every field of the
    /// registry, and each at the path the format documents.
    #[test]
    fn walker_visits_every_field() {
        let text = r#"Scenario(
            name: "all", horizon: 10, focal: ("a", "b"),
            shared: [Shared(name: "risk", value: Uniform(min: 0.1, max: 0.2))],
            actors: [Actor(name: "a", activity: Shared("risk")), Actor(name: "b")],
            relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
            ladder: [Rung(name: "calm", threshold: 0), Rung(name: "crisis", threshold: 5)],
            pressures: [Pressure(name: "p", actor: "a")],
            levers: [
                Measure(name: "m", owner: "a", target: "b", ease_threshold: 1, levels: [
                    Level(name: "one", weight: -1, ease_weight: 1, threshold: 2, costs: {"a": 1},
                          benefits: {"b": 1},
                          pressure: {"p": 1}, modifiers: [Modifier(actor: "b", param: Sensitivity)]),
                ]),
                Act(name: "x", owner: "a", target: "b", weight: -2, costs: {"b": 1},
                    accepted_by: "b", effects: [
                    Move(by: "a", against: "b", weight: -1),
                    ShiftRelation(from: "a", to: "b", param: Grievance, add: -1),
                    Impulse(from: "a", to: "b", amount: 1),
                    ScaleHostility(factor: 0.5),
                    SetLevel(lever: "m", level: 1),
                    AddPressure(pressure: "p", amount: 1),
                    Modify(actor: "b", param: Activity, duration: 2),
                ]),
            ],
            events: [
                Event(name: "s", timing: Scheduled(step: 1)),
                Event(name: "d", timing: Dated(step: Uniform(min: 2, max: 5)), branches: [
                    Branch(name: "x", probability: 0.3, effects: [
                        ShiftLever(lever: "m", param: Threshold, add: 1),
                    ]),
                    Branch(name: "y", probability: 0.7),
                ]),
                Event(name: "h", timing: Hazard(rate: 0.1, factors: [
                    Factor(when: RungAtLeast("crisis"), times: 2),
                ])),
            ],
        )"#;
        let s = crate::scenario::parse_str(text).unwrap();
        let problems = crate::scenario::validate::validate(&s);
        assert!(problems.is_empty(), "{problems:?}");
        let sites = sites(&s);
        let seen: HashSet<ParamField> = sites.iter().map(|x| x.0.field).collect();
        let all: HashSet<ParamField> = ParamField::ALL.into_iter().collect();
        assert_eq!(seen, all);
        let path = |key: ParamKey| sites.iter().find(|x| x.0 == key).map(|x| x.1.as_str());
        let level = Owner::Level { lever: 0, level: 0 };
        assert_eq!(
            path(ParamKey::entry(level, LevelField::Pressure, 0)),
            Some("levers.m.levels.one.pressure.p")
        );
        let modify = Owner::Effect {
            of: EffectOf::Act(1),
            effect: 6,
        };
        assert_eq!(
            path(ParamKey::new(modify, EffectField::ModifyAdd)),
            Some("levers.x.effects.6.add")
        );
        let factor = Owner::Factor {
            event: 2,
            factor: 0,
        };
        assert_eq!(
            path(ParamKey::new(factor, TimingField::FactorTimes)),
            Some("events.h.factors.0.times")
        );
    }
}
