//! From a validated scenario (and a variant) to a [`Model`].

use std::collections::HashMap;

use super::*;
use crate::scenario::paths::for_each_param;
use crate::scenario::{Condition, Effect, Lever, Timing, Variant};

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

/// Finds a variant of the scenario by name.
pub fn find_variant<'s>(base: &'s Scenario, name: &str) -> Result<&'s Variant, String> {
    base.variants
        .iter()
        .find(|v| v.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = base.variants.iter().map(|v| v.name.as_str()).collect();
            if names.is_empty() {
                format!("unknown variant {name:?}: the scenario defines no variants")
            } else {
                format!(
                    "unknown variant {name:?}; expected one of: {}",
                    names.join(", ")
                )
            }
        })
}

/// The scenario with a variant's overrides applied, and the variant's lever controls.
/// Removed events are kept (disabled) so that every other event keeps its random numbers.
pub fn apply_variant(base: &Scenario, variant: Option<&Variant>) -> Result<Applied, String> {
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
            unused.retain(|k| **k != site.path);
        }
    });
    if let Some(k) = unused.first() {
        return Err(format!(
            "variant {name:?} sets {k:?}, which is not a number of the scenario"
        ));
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
    params: HashMap<String, ParamId>,
}

impl Names {
    fn actor(&self, n: &str) -> usize {
        self.actors[n]
    }
    fn rel(&self, from: &str, to: &str) -> usize {
        self.relations[&(self.actor(from), self.actor(to))]
    }
    fn p(&self, path: &str) -> ParamId {
        match self.params.get(path) {
            Some(&id) => id,
            None => panic!("internal: no parameter at {path}"),
        }
    }
    fn cond(&self, c: &Condition) -> Cond {
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
            Condition::All(cs) => Cond::All(cs.iter().map(|c| self.cond(c)).collect()),
            Condition::Any(cs) => Cond::Any(cs.iter().map(|c| self.cond(c)).collect()),
            Condition::Not(c) => Cond::Not(Box::new(self.cond(c))),
        }
    }
    fn effects(&self, prefix: &str, effects: &[Effect], focal: (usize, usize)) -> Vec<EffectSpec> {
        effects
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let p = |f: &str| self.p(&format!("{prefix}.effects.{i}.{f}"));
                match e {
                    Effect::Move { by, against, .. } => EffectSpec::Move {
                        relation: self.rel(against, by),
                        weight: p("weight"),
                    },
                    Effect::Impulse { from, to, .. } => EffectSpec::Impulse {
                        relation: self.rel(from, to),
                        amount: p("amount"),
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
                            factor: p("factor"),
                        }
                    }
                    Effect::SetLevel { lever, level } => EffectSpec::SetLevel {
                        measure: self.measures[lever],
                        level: *level as u8,
                    },
                    Effect::AddPressure { pressure, .. } => EffectSpec::AddPressure {
                        pressure: self.pressures[pressure],
                        amount: p("amount"),
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
                            factor: p("factor"),
                            add: p("add"),
                        },
                        duration: *duration as u32,
                    },
                }
            })
            .collect()
    }
}

/// Compiles a validated scenario with an optional variant. Fails only on an unknown variant
/// (everything else was checked by validation).
pub fn compile(base: &Scenario, variant: Option<&str>) -> Result<Model, String> {
    let v = variant.map(|n| find_variant(base, n)).transpose()?;
    compile_variant(base, v)
}

/// Compiles a scenario with a variant that need not be in the file (`brink compare` builds
/// one per lever for the tornado chart; `brink sweep` one per grid value).
pub fn compile_variant(base: &Scenario, variant: Option<&Variant>) -> Result<Model, String> {
    let (mut s, controls, removed) = apply_variant(base, variant)?;

    let mut params = vec![];
    let mut param_paths = vec![];
    let mut param_ranges = vec![];
    let mut ids = HashMap::new();
    for_each_param(&mut s, &mut |site, p| {
        ids.insert(site.path.clone(), params.len() as ParamId);
        params.push(p.clone());
        // Sampled values are clamped to the valid range, itself within the magnitude limit
        // (a range wholly beyond the limit, which validation refuses, is kept as it is).
        let (lo, hi) = site.key.field.range(base.bounds);
        let max = crate::scenario::limits::MAX_ABS_NUMBER;
        param_ranges.push(if lo <= max && hi >= -max {
            (lo.max(-max), hi.min(max))
        } else {
            (lo, hi)
        });
        param_paths.push(site.path.clone());
    });

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
    };

    let mut actors: Vec<ActorSpec> = s
        .actors
        .iter()
        .map(|a| {
            let p = |f: &str| names.p(&format!("actors.{}.{f}", a.name));
            ActorSpec {
                name: a.name.clone(),
                params: [
                    p("rationality"),
                    p("resolve"),
                    p("cost_weight"),
                    p("activity"),
                ],
                pressures: vec![],
                measures: vec![],
                acts: vec![],
                options: vec![],
            }
        })
        .collect();

    let relations: Vec<RelationSpec> = s
        .relations
        .iter()
        .map(|r| {
            let (from, to) = (names.actor(&r.from), names.actor(&r.to));
            let p = |f: &str| names.p(&format!("relations.{}->{}.{f}", r.from, r.to));
            RelationSpec {
                from,
                to,
                initial: p("initial"),
                fatigue: p("fatigue"),
                reactivity: p("reactivity"),
                grievance: p("grievance"),
                noise: p("noise"),
                salience: p("salience"),
                reverse: names.relations.get(&(to, from)).copied(),
            }
        })
        .collect();
    let focal = (
        names.rel(&s.focal.0, &s.focal.1),
        names.rel(&s.focal.1, &s.focal.0),
    );

    let pressures: Vec<PressureSpec> = s
        .pressures
        .iter()
        .enumerate()
        .map(|(i, pr)| {
            let p = |f: &str| names.p(&format!("pressures.{}.{f}", pr.name));
            let actor = names.actor(&pr.actor);
            actors[actor].pressures.push(i);
            PressureSpec {
                name: pr.name.clone(),
                actor,
                initial: p("initial"),
                decay: p("decay"),
                push: p("push"),
            }
        })
        .collect();

    let rung_of = |r: &Option<String>| r.as_ref().map_or(0, |r| names.rungs[r]);
    let control = |name: &str| controls.get(name).copied().unwrap_or(Control::Free);
    let mut measures = vec![];
    let mut acts = vec![];
    for lever in &s.levers {
        match lever {
            Lever::Measure(m) => {
                let pre = format!("levers.{}", m.name);
                let owner = names.actor(&m.owner);
                let target = names.actor(&m.target);
                let motive = match &m.motive {
                    Some((a, b)) => names.rel(a, b),
                    None => names.rel(&m.owner, &m.target),
                };
                let levels = m
                    .levels
                    .iter()
                    .map(|l| {
                        let lp = format!("{pre}.levels.{}", l.name);
                        let p = |f: &str| names.p(&format!("{lp}.{f}"));
                        let costs: Vec<(usize, ParamId)> = l
                            .costs
                            .keys()
                            .map(|a| (names.actor(a), names.p(&format!("{lp}.costs.{a}"))))
                            .collect();
                        LevelSpec {
                            name: l.name.clone(),
                            weight: p("weight"),
                            ease_weight: l.ease_weight.as_ref().map(|_| p("ease_weight")),
                            irritation: p("irritation"),
                            owner_cost: costs.iter().find(|(a, _)| *a == owner).map(|c| c.1),
                            costs,
                            pressure: l
                                .pressure
                                .keys()
                                .map(|k| {
                                    (names.pressures[k], names.p(&format!("{lp}.pressure.{k}")))
                                })
                                .collect(),
                            modifiers: l
                                .modifiers
                                .iter()
                                .enumerate()
                                .map(|(k, md)| ModifierSpec {
                                    actor: names.actor(&md.actor),
                                    param: actor_param_index(md.param),
                                    factor: p(&format!("modifiers.{k}.factor")),
                                    add: p(&format!("modifiers.{k}.add")),
                                })
                                .collect(),
                            min_rung: rung_of(&l.min_rung),
                            implies_rung: rung_of(&l.implies_rung),
                            reward: p("reward"),
                        }
                    })
                    .collect();
                actors[owner].measures.push(measures.len());
                measures.push(MeasureSpec {
                    name: m.name.clone(),
                    owner,
                    target,
                    motive,
                    felt_by: names.rel(&m.target, &m.owner),
                    threshold: names.p(&format!("{pre}.threshold")),
                    persistence: names.p(&format!("{pre}.persistence")),
                    initial: m.initial as u8,
                    levels,
                    control: control(&m.name),
                });
            }
            Lever::Act(a) => {
                let pre = format!("levers.{}", a.name);
                let owner = names.actor(&a.owner);
                let costs: Vec<(usize, ParamId)> = a
                    .costs
                    .keys()
                    .map(|k| (names.actor(k), names.p(&format!("{pre}.costs.{k}"))))
                    .collect();
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
                    threshold: names.p(&format!("{pre}.threshold")),
                    weight: names.p(&format!("{pre}.weight")),
                    cooldown: a.cooldown.max(0) as u32,
                    owner_cost: costs.iter().find(|(k, _)| *k == owner).map(|c| c.1),
                    costs,
                    effects: Vec::new(),
                    min_rung: rung_of(&a.min_rung),
                    reward: names.p(&format!("{pre}.reward")),
                    frozen: control(&a.name) == Control::Frozen,
                });
            }
        }
    }
    // Act effects may name measures declared after the act, so they are resolved last.
    let mut k = 0;
    for lever in &s.levers {
        if let Lever::Act(a) = lever {
            acts[k].effects = names.effects(&format!("levers.{}", a.name), &a.effects, focal);
            k += 1;
        }
    }

    let events: Vec<EventSpec> = s
        .events
        .iter()
        .map(|e| {
            let pre = format!("events.{}", e.name);
            let timing = match &e.timing {
                Timing::Scheduled { step, .. } => TimingSpec::Scheduled {
                    step: *step as u32,
                    probability: names.p(&format!("{pre}.probability")),
                },
                Timing::Hazard {
                    factors,
                    from_step,
                    until_step,
                    ..
                } => TimingSpec::Hazard {
                    rate: names.p(&format!("{pre}.rate")),
                    index_slope: names.p(&format!("{pre}.index_slope")),
                    factors: factors
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            (
                                names.cond(&f.when),
                                names.p(&format!("{pre}.factors.{i}.times")),
                            )
                        })
                        .collect(),
                    from_step: *from_step as u32,
                    until_step: until_step.map_or(u32::MAX, |u| u as u32),
                },
            };
            EventSpec {
                name: e.name.clone(),
                timing,
                once: e.once,
                cooldown: e.cooldown as u32,
                effects: names.effects(&pre, &e.effects, focal),
                enabled: !removed.contains(&e.name),
            }
        })
        .collect();

    let outcomes = s
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
    let max_options = actors
        .iter()
        .map(|a| 1 + 2 * a.measures.len() + a.acts.len())
        .max()
        .unwrap_or(1);
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
        outcomes,
        param_paths,
        samplers: params.iter().map(Sampler::of).collect(),
        params,
        param_ranges,
        max_options,
    })
}
