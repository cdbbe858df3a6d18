//! Every number of a scenario with its two addresses: the analyst's path
//! (`levers.visa_regime.levels.imposed.weight`, used by variants, sweeps and the assumptions
//! ledger) and its place in the file (used by diagnostics).

use super::param::Param;
use super::schema::*;

/// One step of a place in the file: a struct field, a list index or a map key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Field(&'static str),
    Index(usize),
    Key(String),
}

/// A place in the file, from the top-level `Scenario(...)` down.
pub type Loc = Vec<Seg>;

/// A parameter visited by [`for_each_param`].
pub struct ParamSite<'a> {
    /// The analyst's path.
    pub path: String,
    /// Where it is in the file.
    pub loc: Loc,
    /// The source of the struct that holds it (used when the number has none of its own).
    pub context_source: &'a str,
    /// Which valid range applies (see `validate::param_range`): the field's name, except
    /// `cost`, `pressure_amount`, `initial_hostility` and `pressure_initial`.
    pub rule: &'static str,
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
    fn param(&mut self, field: &'static str, source: &str, p: &mut Param) {
        self.path.push(field.to_string());
        self.loc.push(Seg::Field(field));
        let rule = match (self.path.first().map(String::as_str), field) {
            (Some("relations"), "initial") => "initial_hostility",
            (Some("pressures"), "initial") => "pressure_initial",
            _ => field,
        };
        let site = ParamSite {
            path: self.path.join("."),
            loc: self.loc.clone(),
            context_source: source,
            rule,
        };
        (self.f)(&site, p);
        self.path.pop();
        self.loc.pop();
    }
    fn per_name(&mut self, field: &'static str, source: &str, map: &mut PerName) {
        self.path.push(field.to_string());
        self.loc.push(Seg::Field(field));
        for (k, p) in map.iter_mut() {
            self.path.push(k.clone());
            self.loc.push(Seg::Key(k.clone()));
            let site = ParamSite {
                path: self.path.join("."),
                loc: self.loc.clone(),
                context_source: source,
                rule: if field == "costs" {
                    "cost"
                } else {
                    "pressure_amount"
                },
            };
            (self.f)(&site, p);
            self.path.pop();
            self.loc.pop();
        }
        self.path.pop();
        self.loc.pop();
    }
    fn effects(&mut self, src: &str, effects: &mut [Effect]) {
        self.at("effects", Seg::Field("effects"), |w| {
            for (i, e) in effects.iter_mut().enumerate() {
                w.idx(&i.to_string(), i, |w| match e {
                    Effect::Move { weight, .. } => w.param("weight", src, weight),
                    Effect::Impulse { amount, .. } => w.param("amount", src, amount),
                    Effect::ScaleHostility { factor, .. } => w.param("factor", src, factor),
                    Effect::SetLevel { .. } => {}
                    Effect::AddPressure { amount, .. } => w.param("amount", src, amount),
                    Effect::Modify { factor, add, .. } => {
                        w.param("factor", src, factor);
                        w.param("add", src, add);
                    }
                });
            }
        });
    }
    fn event(&mut self, e: &mut Event) {
        let src = e.source.clone();
        match &mut e.timing {
            Timing::Scheduled { probability, .. } => {
                self.within(Seg::Field("timing"), |w| {
                    w.param("probability", &src, probability);
                });
            }
            Timing::Hazard {
                rate,
                index_slope,
                factors,
                ..
            } => {
                self.within(Seg::Field("timing"), |w| {
                    w.param("rate", &src, rate);
                    w.param("index_slope", &src, index_slope);
                    w.at("factors", Seg::Field("factors"), |w| {
                        for (i, f) in factors.iter_mut().enumerate() {
                            w.idx(&i.to_string(), i, |w| w.param("times", &src, &mut f.times));
                        }
                    });
                });
            }
        }
        self.effects(&src, &mut e.effects);
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
    w.at("actors", Seg::Field("actors"), |w| {
        for (i, a) in s.actors.iter_mut().enumerate() {
            let src = a.source.clone();
            w.idx(&a.name.clone(), i, |w| {
                w.param("rationality", &src, &mut a.rationality);
                w.param("resolve", &src, &mut a.resolve);
                w.param("cost_weight", &src, &mut a.cost_weight);
                w.param("activity", &src, &mut a.activity);
            });
        }
    });
    w.at("relations", Seg::Field("relations"), |w| {
        for (i, r) in s.relations.iter_mut().enumerate() {
            let src = r.source.clone();
            w.idx(&format!("{}->{}", r.from, r.to), i, |w| {
                w.param("initial", &src, &mut r.initial);
                w.param("fatigue", &src, &mut r.fatigue);
                w.param("reactivity", &src, &mut r.reactivity);
                w.param("grievance", &src, &mut r.grievance);
                w.param("noise", &src, &mut r.noise);
                w.param("salience", &src, &mut r.salience);
            });
        }
    });
    w.at("pressures", Seg::Field("pressures"), |w| {
        for (i, p) in s.pressures.iter_mut().enumerate() {
            let src = p.source.clone();
            w.idx(&p.name.clone(), i, |w| {
                w.param("initial", &src, &mut p.initial);
                w.param("decay", &src, &mut p.decay);
                w.param("push", &src, &mut p.push);
            });
        }
    });
    w.at("levers", Seg::Field("levers"), |w| {
        for (i, lever) in s.levers.iter_mut().enumerate() {
            let name = lever.name().to_string();
            w.idx(&name, i, |w| match lever {
                Lever::Measure(m) => {
                    let src = m.source.clone();
                    w.param("threshold", &src, &mut m.threshold);
                    w.param("persistence", &src, &mut m.persistence);
                    w.at("levels", Seg::Field("levels"), |w| {
                        for (j, l) in m.levels.iter_mut().enumerate() {
                            let lsrc = if l.source.is_empty() {
                                src.clone()
                            } else {
                                l.source.clone()
                            };
                            w.idx(&l.name.clone(), j, |w| {
                                w.param("weight", &lsrc, &mut l.weight);
                                if let Some(e) = &mut l.ease_weight {
                                    w.param("ease_weight", &lsrc, e);
                                }
                                w.param("irritation", &lsrc, &mut l.irritation);
                                w.param("reward", &lsrc, &mut l.reward);
                                w.per_name("costs", &lsrc, &mut l.costs);
                                w.per_name("pressure", &lsrc, &mut l.pressure);
                                w.at("modifiers", Seg::Field("modifiers"), |w| {
                                    for (k, md) in l.modifiers.iter_mut().enumerate() {
                                        w.idx(&k.to_string(), k, |w| {
                                            w.param("factor", &lsrc, &mut md.factor);
                                            w.param("add", &lsrc, &mut md.add);
                                        });
                                    }
                                });
                            });
                        }
                    });
                }
                Lever::Act(a) => {
                    let src = a.source.clone();
                    w.param("threshold", &src, &mut a.threshold);
                    w.param("weight", &src, &mut a.weight);
                    w.param("reward", &src, &mut a.reward);
                    w.per_name("costs", &src, &mut a.costs);
                    w.effects(&src, &mut a.effects);
                }
            });
        }
    });
    w.at("events", Seg::Field("events"), |w| {
        for (i, e) in s.events.iter_mut().enumerate() {
            w.idx(&e.name.clone(), i, |w| w.event(e));
        }
    });
}

/// Every parameter path of a scenario, in sampling order.
pub fn param_paths(s: &Scenario) -> Vec<String> {
    let mut s = s.clone();
    let mut out = Vec::new();
    for_each_param(&mut s, &mut |site, _| out.push(site.path.clone()));
    out
}
