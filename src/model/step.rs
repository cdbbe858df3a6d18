//! One run, step by step (see docs/model.md for the order of operations).

use super::state::{Choice, RunState, TempModifier};
use super::*;
use crate::engine::rng::{Master, component};

/// What an actor did in a step, for traces.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub actor: usize,
    /// Whether the actor was active this step (inactive actors hold).
    pub active: bool,
    pub choice: Choice,
    /// The probability the logit choice gave this option.
    pub probability: f64,
    /// Goldstein weight of the move (0 for holding).
    pub weight: f64,
    /// Options the actor had.
    pub options: usize,
}

/// Watches a run. The engine's statistics and `brink trace` are observers; the default
/// methods do nothing, so a plain run pays nothing for them.
pub trait Observer {
    /// Whether decisions and events should be reported (costs a little per step).
    const DETAILED: bool = false;
    /// After every step.
    fn step(&mut self, _t: u32, _m: &Model, _s: &RunState) {}
    /// An event fired at step `t` with this probability.
    fn event(&mut self, _t: u32, _event: usize, _probability: f64) {}
    /// An actor's decision at step `t`.
    fn decision(&mut self, _t: u32, _d: &Decision) {}
}

/// An observer that watches nothing.
pub struct Silent;
impl Observer for Silent {}

#[inline]
fn clamp(x: f64, (lo, hi): (f64, f64)) -> f64 {
    // NaN cannot arise from validated inputs; map it to the lower bound all the same.
    if x.is_nan() { lo } else { x.clamp(lo, hi) }
}

/// The largest magnitude a sampled value or an effective actor parameter may take: the limit
/// on the scenario's own numbers (see "Numerical safety" in docs/model.md). An unbounded tail
/// (log-normal, normal) with a huge spread would otherwise draw infinities.
const MAX_ABS: f64 = crate::scenario::limits::MAX_ABS_NUMBER;

/// A value kept within ±[`MAX_ABS`] (NaN, which finite inputs cannot produce, becomes 0).
#[inline]
fn bounded(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-MAX_ABS, MAX_ABS)
    }
}

/// Samples the run's numbers: one draw per number, in order (see docs/model.md).
pub fn sample_values(m: &Model, master: &Master, run: u64, values: &mut [f64]) {
    let mut rng = master.stream(run, component::PARAMS);
    for (i, sampler) in m.samplers.iter().enumerate() {
        let bits = rng.bits();
        values[i] = match sampler {
            Sampler::Fixed(v) => *v,
            // `param_ranges` is the valid range within the magnitude limit (see compile).
            _ => clamp(sampler.draw(bits), m.param_ranges[i]),
        };
    }
}

/// Plays run `run` of the model from its seed to the horizon, reporting to `obs`. Afterwards
/// `st` holds the run's record (outcomes, costs, peaks).
pub fn simulate<O: Observer>(m: &Model, master: &Master, run: u64, st: &mut RunState, obs: &mut O) {
    sample_values(m, master, run, &mut st.values);
    simulate_sampled(m, master, run, st, obs);
}

/// As [`simulate`], with `st.values` already set (sweeps and sensitivity set them).
pub fn simulate_sampled<O: Observer>(
    m: &Model,
    master: &Master,
    run: u64,
    st: &mut RunState,
    obs: &mut O,
) {
    init(m, master, run, st);
    for t in 0..m.horizon {
        step(m, t, st, obs);
    }
    // Outcomes counted at the end only.
    let last = m.horizon - 1;
    for (o, spec) in m.outcomes.iter().enumerate() {
        if spec.at_end {
            st.outcome_first[o] = if spec.cond.holds(st, last) {
                last
            } else {
                u32::MAX
            };
        }
    }
}

fn init(m: &Model, master: &Master, run: u64, st: &mut RunState) {
    let v = &st.values;
    for (r, spec) in m.relations.iter().enumerate() {
        st.h[r] = clamp(v[spec.initial as usize], m.bounds);
        st.impulse[r] = 0.0;
    }
    for (i, p) in m.pressures.iter().enumerate() {
        st.pressure[i] = v[p.initial as usize];
    }
    for (k, ms) in m.measures.iter().enumerate() {
        let start = ms.initial;
        let level = match ms.control {
            Control::Forced(l) => l,
            _ => start,
        };
        // A forced measure is a move made at step 0: its target feels every level it climbs
        // (or every easing, if forced below its initial level).
        let sal = v[m.relations[ms.felt_by].salience as usize];
        for l in start..level {
            st.impulse[ms.felt_by] -= v[ms.levels[l as usize].weight as usize] * sal;
        }
        for l in (level..start).rev() {
            st.impulse[ms.felt_by] -= ease_weight(&ms.levels[l as usize], v) * sal;
        }
        st.level[k] = level;
        st.max_level[k] = level;
    }
    st.act_ready.fill(0);
    st.act_last.fill(u32::MAX);
    st.event_last.fill(u32::MAX);
    st.event_first.fill(u32::MAX);
    st.temp_mods.clear();
    st.cost.fill(0.0);
    st.steps_on_rung.fill(0);
    st.outcome_first.fill(u32::MAX);
    st.index = 0.5 * (st.h[m.focal.0] + st.h[m.focal.1]);
    st.rung = rung_of(m, st);
    st.peak_rung = st.rung;
    st.peak_index = st.index;
    st.events_stream = master.stream(run, component::EVENTS);
    st.noise_stream = master.stream(run, component::NOISE);
    for (a, s) in st.actor_streams.iter_mut().enumerate() {
        *s = master.stream(run, component::ACTORS + a as u64);
    }
}

#[inline]
fn ease_weight(l: &LevelSpec, v: &[f64]) -> f64 {
    match l.ease_weight {
        Some(e) => v[e as usize],
        None => -v[l.weight as usize],
    }
}

/// The rung: the higher of the rung H reaches and the highest rung a measure in force implies.
fn rung_of(m: &Model, st: &RunState) -> usize {
    let mut r = 0;
    for (i, &th) in m.rung_thresholds.iter().enumerate() {
        if st.index >= th {
            r = i;
        }
    }
    for (k, ms) in m.measures.iter().enumerate() {
        let l = st.level[k];
        if l > 0 {
            r = r.max(ms.levels[l as usize - 1].implies_rung);
        }
    }
    r
}

/// Applies effects; temporary modifiers start counting at `first_step` (the step whose choices
/// they first change: this step for events, the next one for acts).
fn apply_effects(m: &Model, first_step: u32, effects: &[EffectSpec], st: &mut RunState) {
    for e in effects {
        let v = &st.values;
        match e {
            EffectSpec::Move { relation, weight } => {
                let sal = v[m.relations[*relation].salience as usize];
                st.impulse[*relation] -= v[*weight as usize] * sal;
            }
            EffectSpec::Impulse { relation, amount } => {
                st.impulse[*relation] += v[*amount as usize];
            }
            EffectSpec::Scale { relations, factor } => {
                let f = v[*factor as usize];
                for &r in relations {
                    st.h[r] = clamp(st.h[r] * f, m.bounds);
                }
            }
            EffectSpec::SetLevel { measure, level } => {
                if m.measures[*measure].control == Control::Free {
                    st.level[*measure] = *level;
                    st.max_level[*measure] = st.max_level[*measure].max(*level);
                }
            }
            EffectSpec::AddPressure { pressure, amount } => {
                st.pressure[*pressure] += v[*amount as usize];
            }
            EffectSpec::Modify { modifier, duration } => {
                let tm = TempModifier {
                    actor: modifier.actor,
                    param: modifier.param,
                    factor: v[modifier.factor as usize],
                    add: v[modifier.add as usize],
                    until: first_step.saturating_add(*duration),
                };
                st.temp_mods.push(tm);
            }
        }
    }
}

fn step<O: Observer>(m: &Model, t: u32, st: &mut RunState, obs: &mut O) {
    // 1. Events: one draw each, always.
    for u in st.event_draws.iter_mut() {
        *u = st.events_stream.uniform();
    }
    for (e, spec) in m.events.iter().enumerate() {
        let u = st.event_draws[e];
        if !spec.enabled {
            continue;
        }
        let last = st.event_last[e];
        if (spec.once && last != u32::MAX)
            || (last != u32::MAX && spec.cooldown > 0 && t - last <= spec.cooldown)
        {
            continue;
        }
        let v = &st.values;
        let p = match &spec.timing {
            TimingSpec::Scheduled { step, probability } => {
                if t == *step {
                    v[*probability as usize]
                } else {
                    0.0
                }
            }
            TimingSpec::Hazard {
                rate,
                index_slope,
                factors,
                from_step,
                until_step,
            } => {
                if t < *from_step || t > *until_step {
                    0.0
                } else {
                    let slope = v[*index_slope as usize];
                    let mut p = v[*rate as usize];
                    if slope != 0.0 {
                        p *= (slope * st.index).exp();
                    }
                    for (c, times) in factors {
                        if c.holds(st, t) {
                            p *= v[*times as usize];
                        }
                    }
                    if p > 0.0 { p.min(1.0) } else { 0.0 }
                }
            }
        };
        if u < p {
            st.event_last[e] = t;
            if st.event_first[e] == u32::MAX {
                st.event_first[e] = t;
            }
            if O::DETAILED {
                obs.event(t, e, p);
            }
            apply_effects(m, t, &spec.effects, st);
        }
    }

    // 2. Effective actor parameters: base values, then measures in force, then event modifiers.
    st.temp_mods.retain(|tm| tm.until > t);
    for (a, spec) in m.actors.iter().enumerate() {
        for (k, &p) in spec.params.iter().enumerate() {
            st.eff[a][k] = st.values[p as usize];
        }
    }
    st.pain.fill(0.0);
    for (k, ms) in m.measures.iter().enumerate() {
        let l = st.level[k];
        if l == 0 {
            continue;
        }
        let lv = &ms.levels[l as usize - 1];
        for md in &lv.modifiers {
            let x = &mut st.eff[md.actor][md.param];
            *x = bounded(*x * st.values[md.factor as usize] + st.values[md.add as usize]);
        }
        for &(who, c) in &lv.costs {
            if who != ms.owner {
                st.pain[who] += st.values[c as usize];
            }
        }
    }
    for tm in &st.temp_mods {
        let x = &mut st.eff[tm.actor][tm.param];
        *x = bounded(*x * tm.factor + tm.add);
    }
    for e in st.eff.iter_mut() {
        e[0] = e[0].max(0.0);
        e[1] = e[1].max(0.0);
        e[2] = e[2].max(0.0);
        e[3] = e[3].clamp(0.0, 1.0);
    }

    // 3. Choices, all from the same state; two draws per actor, always.
    for (a, spec) in m.actors.iter().enumerate() {
        let ua = st.actor_streams[a].uniform();
        let uc = st.actor_streams[a].uniform();
        let [lambda, resolve, cost_weight, activity] = st.eff[a];
        if ua >= activity {
            st.choices[a] = Choice::Hold;
            if O::DETAILED {
                let d = Decision {
                    actor: a,
                    active: false,
                    choice: Choice::Hold,
                    probability: 1.0,
                    weight: 0.0,
                    options: 0,
                };
                obs.decision(t, &d);
            }
            continue;
        }
        let v = &st.values;
        // Pressure pushes toward escalation (or peace); the cost others' measures inflict
        // pushes toward peace, weighed by the actor's cost weight.
        let push: f64 = spec
            .pressures
            .iter()
            .map(|&p| st.pressure[p] * v[m.pressures[p].push as usize])
            .sum::<f64>()
            - cost_weight * st.pain[a];
        // The options go into fixed buffers (sized by the model), so the loop never allocates.
        let mut n = 0;
        let mut add = |st: &mut RunState, c: Choice, u: f64| {
            st.options[n] = c;
            st.weights[n] = u;
            n += 1;
        };
        add(st, Choice::Hold, 0.0);
        for &k in &spec.measures {
            let ms = &m.measures[k];
            if ms.control != Control::Free {
                continue;
            }
            let v = &st.values;
            let l = st.level[k] as usize;
            let drive = resolve * (st.h[ms.motive] - v[ms.threshold as usize]) + push;
            let cost_at = |l: usize| {
                if l == 0 {
                    0.0
                } else {
                    ms.levels[l - 1].owner_cost.map_or(0.0, |c| v[c as usize])
                }
            };
            let raise = (l < ms.levels.len() && st.rung >= ms.levels[l].min_rung).then(|| {
                drive - cost_weight * (cost_at(l + 1) - cost_at(l))
                    + v[ms.levels[l].reward as usize]
            });
            let lower = (l > 0).then(|| {
                -drive - cost_weight * (cost_at(l - 1) - cost_at(l)) - v[ms.persistence as usize]
            });
            if let Some(u) = raise {
                add(st, Choice::Raise(k as u16), u);
            }
            if let Some(u) = lower {
                add(st, Choice::Lower(k as u16), u);
            }
        }
        for &k in &spec.acts {
            let act = &m.acts[k];
            if act.frozen || t < st.act_ready[k] || st.rung < act.min_rung {
                continue;
            }
            let v = &st.values;
            let w = v[act.weight as usize];
            let d = if w <= 0.0 { 1.0 } else { -1.0 };
            let u = d * (resolve * (st.h[act.motive] - v[act.threshold as usize]) + push)
                - cost_weight * act.owner_cost.map_or(0.0, |c| v[c as usize])
                + v[act.reward as usize];
            add(st, Choice::Act(k as u16), u);
        }
        // Logit choice by inverse CDF over the options in their fixed order.
        let weights = &mut st.weights[..n];
        let umax = weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for w in weights.iter_mut() {
            *w = (lambda * (*w - umax)).exp();
            total += *w;
        }
        let target = uc * total;
        let mut acc = 0.0;
        let mut pick = n - 1;
        for (i, w) in weights.iter().enumerate() {
            acc += w;
            if target < acc {
                pick = i;
                break;
            }
        }
        st.choices[a] = st.options[pick];
        if O::DETAILED {
            let choice = st.options[pick];
            let d = Decision {
                actor: a,
                active: true,
                choice,
                probability: st.weights[pick] / total,
                weight: move_weight(m, st, choice),
                options: n,
            };
            obs.decision(t, &d);
        }
    }

    // 4. Moves apply in actor order.
    for a in 0..m.actors.len() {
        let mut choice = st.choices[a];
        // An act's SetLevel earlier in this loop may have moved the measure already.
        if let Choice::Raise(k) = choice
            && st.level[k as usize] as usize >= m.measures[k as usize].levels.len()
        {
            choice = Choice::Hold;
        }
        if let Choice::Lower(k) = choice
            && st.level[k as usize] == 0
        {
            choice = Choice::Hold;
        }
        let v = &st.values;
        match choice {
            Choice::Hold => {}
            Choice::Raise(k) | Choice::Lower(k) => {
                let k = k as usize;
                let ms = &m.measures[k];
                let w = move_weight(m, st, choice);
                let sal = v[m.relations[ms.felt_by].salience as usize];
                st.impulse[ms.felt_by] -= w * sal;
                if matches!(choice, Choice::Raise(_)) {
                    st.level[k] += 1;
                    st.max_level[k] = st.max_level[k].max(st.level[k]);
                } else {
                    st.level[k] -= 1;
                }
            }
            Choice::Act(k) => {
                let k = k as usize;
                let act = &m.acts[k];
                let sal = v[m.relations[act.felt_by].salience as usize];
                st.impulse[act.felt_by] -= v[act.weight as usize] * sal;
                for &(who, c) in &act.costs {
                    st.cost[who] += v[c as usize];
                }
                st.act_last[k] = t;
                // Blocked for `cooldown` steps after this one, as events are.
                st.act_ready[k] = t.saturating_add(act.cooldown).saturating_add(1);
                apply_effects(m, t + 1, &act.effects, st);
            }
        }
    }

    // Measures in force: standing irritation, pressure, costs.
    for (k, ms) in m.measures.iter().enumerate() {
        let l = st.level[k];
        if l == 0 {
            continue;
        }
        let lv = &ms.levels[l as usize - 1];
        let v = &st.values;
        st.impulse[ms.felt_by] += v[lv.irritation as usize];
        for &(p, amount) in &lv.pressure {
            st.pressure[p] += v[amount as usize];
        }
        for &(who, c) in &lv.costs {
            st.cost[who] += v[c as usize];
        }
    }

    // 5. Relations: the Richardson/VAR(1) update, one noise draw per relation, always.
    for e in st.noise_draws.iter_mut() {
        *e = st.noise_stream.normal();
    }
    for (r, spec) in m.relations.iter().enumerate() {
        let v = &st.values;
        let eps = st.noise_draws[r];
        let back = spec.reverse.map_or(0.0, |b| st.h[b]);
        let x = (1.0 - v[spec.fatigue as usize]) * st.h[r]
            + v[spec.reactivity as usize] * back
            + v[spec.grievance as usize]
            + st.impulse[r]
            + v[spec.noise as usize] * eps;
        st.h_next[r] = clamp(x, m.bounds);
    }
    std::mem::swap(&mut st.h, &mut st.h_next);
    st.impulse.fill(0.0);

    // 6. Pressure fades.
    for (i, p) in m.pressures.iter().enumerate() {
        st.pressure[i] *= 1.0 - st.values[p.decay as usize];
    }

    // 7. The index, the rung and the outcomes.
    st.index = 0.5 * (st.h[m.focal.0] + st.h[m.focal.1]);
    st.rung = rung_of(m, st);
    st.peak_rung = st.peak_rung.max(st.rung);
    st.peak_index = st.peak_index.max(st.index);
    st.steps_on_rung[st.rung] += 1;
    for (o, spec) in m.outcomes.iter().enumerate() {
        if !spec.at_end && st.outcome_first[o] == u32::MAX && spec.cond.holds(st, t) {
            st.outcome_first[o] = t;
        }
    }
    obs.step(t, m, st);
}

/// The Goldstein weight of a move.
fn move_weight(m: &Model, st: &RunState, c: Choice) -> f64 {
    let v = &st.values;
    match c {
        Choice::Hold => 0.0,
        Choice::Raise(k) => {
            let ms = &m.measures[k as usize];
            v[ms.levels[st.level[k as usize] as usize].weight as usize]
        }
        Choice::Lower(k) => {
            let ms = &m.measures[k as usize];
            ease_weight(&ms.levels[st.level[k as usize] as usize - 1], v)
        }
        Choice::Act(k) => v[m.acts[k as usize].weight as usize],
    }
}
