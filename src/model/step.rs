//! One run, step by step (see docs/model.md for the order of operations).

use super::condition::deps;
use super::state::{
    ActRun, Choice, DRAW_WINDOW, EventRun, LevelRun, MeasureRun, RelationRun, RunState,
    TempModifier,
};
use super::*;
use crate::numerics::math::exp;
use crate::numerics::rng::{Master, component, normal_of32, unit32};

/// What an actor did in a step, for traces.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    /// Index of the actor.
    pub actor: usize,
    /// Whether the actor was active this step (inactive actors hold).
    pub active: bool,
    /// What it chose ([`Choice::Hold`] when inactive).
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
        st.relation_run[r] = RelationRun {
            keep: 1.0 - v[spec.fatigue as usize],
            reactivity: spec.reverse.map_or(0.0, |_| v[spec.reactivity as usize]),
            grievance: v[spec.grievance as usize],
            noise: v[spec.noise as usize],
            back: spec.reverse.unwrap_or(r),
        };
    }
    for (e, spec) in m.events.iter().enumerate() {
        st.event_run[e] = match &spec.timing {
            TimingSpec::Scheduled { probability, .. } => EventRun {
                p: v[*probability as usize],
                slope: 0.0,
            },
            TimingSpec::Hazard {
                rate, index_slope, ..
            } => EventRun {
                p: v[*rate as usize],
                slope: v[*index_slope as usize],
            },
        };
    }
    for (k, ms) in m.measures.iter().enumerate() {
        st.measure_run[k] = MeasureRun {
            threshold: v[ms.threshold as usize],
            persistence: v[ms.persistence as usize],
        };
        let cost_at = |l: usize| {
            if l == 0 {
                0.0
            } else {
                ms.levels[l - 1].owner_cost.map_or(0.0, |c| v[c as usize])
            }
        };
        let n = ms.levels.len();
        for l in 0..=n {
            // At the top level there is no raising: its rung can never be reached.
            let mut lr = LevelRun {
                raise_min_rung: usize::MAX,
                ..LevelRun::default()
            };
            if l < n {
                lr.raise_min_rung = ms.levels[l].min_rung;
                lr.raise_dcost = cost_at(l + 1) - cost_at(l);
                lr.raise_reward = v[ms.levels[l].reward as usize];
            }
            if l > 0 {
                lr.lower_dcost = cost_at(l - 1) - cost_at(l);
            }
            st.level_run[st.level_base[k] + l] = lr;
        }

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
    for (k, act) in m.acts.iter().enumerate() {
        st.act_run[k] = ActRun {
            weight: v[act.weight as usize],
            threshold: v[act.threshold as usize],
            owner_cost: act.owner_cost.map_or(0.0, |c| v[c as usize]),
            reward: v[act.reward as usize],
        };
    }
    for (i, p) in m.pressures.iter().enumerate() {
        st.pressure[i] = v[p.initial as usize];
        st.pressure_keep[i] = 1.0 - v[p.decay as usize];
    }
    st.act_ready.fill(0);
    st.act_last.fill(u32::MAX);
    st.event_last.fill(u32::MAX);
    st.event_first.fill(u32::MAX);
    st.temp_mods.clear();
    st.next_expiry = u32::MAX;
    st.eff_stale = true;
    refresh_standing(m, st);
    st.cost.fill(0.0);
    st.steps_on_rung.fill(0);
    st.outcome_first.fill(u32::MAX);
    st.index = 0.5 * (st.h[m.focal.0] + st.h[m.focal.1]);
    st.rung = rung_of(m, st);
    st.peak_rung = st.rung;
    st.peak_index = st.index;
    master.reset(&mut st.events_stream, run, component::EVENTS);
    master.reset(&mut st.noise_stream, run, component::NOISE);
    for (a, s) in st.actor_streams.iter_mut().enumerate() {
        master.reset(s, run, component::ACTORS + a as u64);
    }
}

#[inline]
fn ease_weight(l: &LevelSpec, v: &[f64]) -> f64 {
    match l.ease_weight {
        Some(e) => v[e as usize],
        None => -v[l.weight as usize],
    }
}

/// The rung: the higher of the rung H reaches and the highest rung a measure in force implies
/// (`implied_rung`, kept by [`refresh_standing`]).
#[inline]
fn rung_of(m: &Model, st: &RunState) -> usize {
    let mut r = 0;
    for (i, &th) in m.rung_thresholds.iter().enumerate() {
        if st.index >= th {
            r = i;
        }
    }
    r.max(st.implied_rung)
}

/// Recomputes what the measures in force add every step (irritation, pressure, costs) and the
/// rung they imply, from the current levels. Called only after a level changed.
fn refresh_standing(m: &Model, st: &mut RunState) {
    st.standing_impulse.fill(0.0);
    st.standing_pressure.fill(0.0);
    st.standing_cost.fill(0.0);
    st.implied_rung = 0;
    let v = &st.values;
    for (k, ms) in m.measures.iter().enumerate() {
        let l = st.level[k];
        if l == 0 {
            continue;
        }
        let lv = &ms.levels[l as usize - 1];
        st.standing_impulse[ms.felt_by] += v[lv.irritation as usize];
        for &(p, amount) in &lv.pressure {
            st.standing_pressure[p] += v[amount as usize];
        }
        for &(who, c) in &lv.costs {
            st.standing_cost[who] += v[c as usize];
        }
        st.implied_rung = st.implied_rung.max(lv.implies_rung);
    }
    st.standing_stale = false;
}

/// Recomputes the effective actor parameters (base values, then measures in force, then the
/// temporary modifiers still running at step `t`) and each actor's exposure to others'
/// measures. Called only when a level or a modifier changed, or a modifier lapses.
fn refresh_actor_params(m: &Model, t: u32, st: &mut RunState) {
    st.temp_mods.retain(|tm| tm.until > t);
    st.next_expiry = st
        .temp_mods
        .iter()
        .map(|tm| tm.until)
        .min()
        .unwrap_or(u32::MAX);
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
    st.eff_stale = false;
}

/// Debug builds (tests in debug, the fuzzer) check that the cached actor parameters are what a
/// recomputation from scratch gives.
#[cfg(debug_assertions)]
fn check_actor_params(m: &Model, t: u32, st: &RunState) {
    let mut fresh = st.clone();
    refresh_actor_params(m, t, &mut fresh);
    let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
    debug_assert!(
        st.eff.iter().zip(&fresh.eff).all(|(a, b)| same(a, b)) && same(&st.pain, &fresh.pain),
        "step {t}: cached actor parameters are stale"
    );
}

/// Debug builds check that the cached effects of the measures in force are current.
#[cfg(debug_assertions)]
fn check_standing(m: &Model, st: &RunState) {
    let mut fresh = st.clone();
    refresh_standing(m, &mut fresh);
    debug_assert!(
        st.standing_impulse == fresh.standing_impulse
            && st.standing_pressure == fresh.standing_pressure
            && st.standing_cost == fresh.standing_cost
            && st.implied_rung == fresh.implied_rung,
        "cached effects of the measures in force are stale"
    );
}

/// Marks what depends on the levels for recomputation.
#[inline]
fn levels_changed(st: &mut RunState) {
    st.standing_stale = true;
    st.eff_stale = true;
    st.changed |= deps::LEVEL;
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
                    levels_changed(st);
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
                st.eff_stale = true;
            }
        }
    }
}

/// Takes the draws of the steps from `t` to the end of the window (or of the horizon) from the
/// event, noise and actor streams.
fn take_draws(m: &Model, t: u32, st: &mut RunState) {
    let steps = DRAW_WINDOW.min((m.horizon - t) as usize);
    let (ne, nr) = (m.events.len(), m.relations.len());
    st.events_stream.fill32(&mut st.event_bits[..steps * ne]);
    st.noise_stream.fill32(&mut st.noise_bits[..steps * nr]);
    for (eps, &bits) in st.noise.iter_mut().zip(&st.noise_bits[..steps * nr]) {
        *eps = normal_of32(bits);
    }
    for (stream, bits) in st
        .actor_streams
        .iter_mut()
        .zip(st.actor_bits.chunks_exact_mut(DRAW_WINDOW))
    {
        stream.fill64(&mut bits[..steps]);
    }
}

/// One step. The phases are functions kept out of line (`#[inline(never)]`) so that a profile
/// (callgrind, perf) shows what each costs; the calls cost about 1% of a run.
fn step<O: Observer>(m: &Model, t: u32, st: &mut RunState, obs: &mut O) {
    let w = t as usize % DRAW_WINDOW;
    if w == 0 {
        take_draws(m, t, st);
    }
    // H moves every step in practice; the other bits are set as things change.
    st.changed = deps::INDEX | deps::TIME;

    fire_events(m, t, w, st, obs);
    // 2. Effective actor parameters: base values, then measures in force, then event modifiers.
    if st.eff_stale || t >= st.next_expiry {
        refresh_actor_params(m, t, st);
    }
    #[cfg(debug_assertions)]
    check_actor_params(m, t, st);

    choose(m, t, w, st, obs);
    make_moves(m, t, st);
    update_relations(m, w, st);
    update_rung_and_outcomes(m, t, st);
    obs.step(t, m, st);
}

/// 1. Events, in their order; each has its draw whatever happens.
#[inline(never)]
fn fire_events<O: Observer>(m: &Model, t: u32, w: usize, st: &mut RunState, obs: &mut O) {
    let draws = w * m.events.len();
    for (e, gate) in m.event_gates.iter().enumerate() {
        if t < gate.from || t > gate.until {
            continue;
        }
        let last = st.event_last[e];
        if last != u32::MAX && (gate.once || (gate.cooldown > 0 && t - last <= gate.cooldown)) {
            continue;
        }
        let run = st.event_run[e];
        let p = match &m.events[e].timing {
            TimingSpec::Scheduled { .. } => run.p,
            TimingSpec::Hazard { factors, .. } => {
                let mut p = run.p;
                if run.slope != 0.0 {
                    p *= exp(run.slope * st.index);
                }
                for (c, times) in factors {
                    if c.holds(st, t) {
                        p *= st.values[*times as usize];
                    }
                }
                if p > 0.0 { p.min(1.0) } else { continue }
            }
        };
        if unit32(st.event_bits[draws + e]) < p {
            st.changed |= deps::EVENT;
            st.event_last[e] = t;
            if st.event_first[e] == u32::MAX {
                st.event_first[e] = t;
            }
            if O::DETAILED {
                obs.event(t, e, p);
            }
            apply_effects(m, t, &m.events[e].effects, st);
        }
    }
}

/// 3. Choices, all from the same state; two 32-bit draws per actor (one 64-bit word), always.
#[inline(never)]
fn choose<O: Observer>(m: &Model, t: u32, w: usize, st: &mut RunState, obs: &mut O) {
    for (a, spec) in m.actors.iter().enumerate() {
        let bits = st.actor_bits[a * DRAW_WINDOW + w];
        let ua = unit32(bits as u32);
        let uc = unit32((bits >> 32) as u32);
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
        for source in &spec.options {
            match *source {
                OptionSource::Measure { measure: k, motive } => {
                    let mr = st.measure_run[k];
                    let l = st.level[k] as usize;
                    let lr = st.level_run[st.level_base[k] + l];
                    let drive = resolve * (st.h[motive] - mr.threshold) + push;
                    if st.rung >= lr.raise_min_rung {
                        let u = drive - cost_weight * lr.raise_dcost + lr.raise_reward;
                        add(st, Choice::Raise(k as u16), u);
                    }
                    if l > 0 {
                        let u = -drive - cost_weight * lr.lower_dcost - mr.persistence;
                        add(st, Choice::Lower(k as u16), u);
                    }
                }
                OptionSource::Act {
                    act: k,
                    motive,
                    min_rung,
                } => {
                    if t < st.act_ready[k] || st.rung < min_rung {
                        continue;
                    }
                    let ar = st.act_run[k];
                    let d = if ar.weight <= 0.0 { 1.0 } else { -1.0 };
                    let u = d * (resolve * (st.h[motive] - ar.threshold) + push)
                        - cost_weight * ar.owner_cost
                        + ar.reward;
                    add(st, Choice::Act(k as u16), u);
                }
            }
        }
        // Logit choice by inverse CDF over the options in their fixed order.
        let weights = &mut st.weights[..n];
        let umax = weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for w in weights.iter_mut() {
            *w = exp(lambda * (*w - umax));
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
}

/// 4. Moves apply in actor order.
#[inline(never)]
fn make_moves(m: &Model, t: u32, st: &mut RunState) {
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
                levels_changed(st);
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
                st.changed |= deps::ACT;
                // Blocked for `cooldown` steps after this one, as events are.
                st.act_ready[k] = t.saturating_add(act.cooldown).saturating_add(1);
                apply_effects(m, t + 1, &act.effects, st);
            }
        }
    }
}

/// The measures in force add their standing irritation, pressure and costs; then 5. the
/// relations move and 6. pressure fades.
#[inline(never)]
fn update_relations(m: &Model, w: usize, st: &mut RunState) {
    // Measures in force: standing irritation, pressure, costs.
    if st.standing_stale {
        refresh_standing(m, st);
    }
    #[cfg(debug_assertions)]
    check_standing(m, st);
    for (x, s) in st.pressure.iter_mut().zip(&st.standing_pressure) {
        *x += s;
    }
    for (x, s) in st.cost.iter_mut().zip(&st.standing_cost) {
        *x += s;
    }

    // 5. Relations: the Richardson/VAR(1) update, one noise draw per relation, always. The
    // standing irritation of the measures in force joins this step's impulses here.
    let nr = m.relations.len();
    let (lo, hi) = m.bounds;
    let h = &st.h[..nr];
    let next = &mut st.h_next[..nr];
    let impulse = &mut st.impulse[..nr];
    let standing = &st.standing_impulse[..nr];
    let runs = &st.relation_run[..nr];
    let noise = &st.noise[w * nr..(w + 1) * nr];
    for r in 0..nr {
        let rr = &runs[r];
        let imp = impulse[r] + standing[r];
        let y =
            rr.keep * h[r] + rr.reactivity * h[rr.back] + rr.grievance + imp + rr.noise * noise[r];
        // NaN cannot arise from validated inputs; map it to the lower bound all the same.
        next[r] = if y.is_nan() { lo } else { y.clamp(lo, hi) };
        impulse[r] = 0.0;
    }
    std::mem::swap(&mut st.h, &mut st.h_next);

    // 6. Pressure fades.
    for (x, keep) in st.pressure.iter_mut().zip(&st.pressure_keep) {
        *x *= keep;
    }
}

/// 7. The index, the rung and the outcomes.
#[inline(never)]
fn update_rung_and_outcomes(m: &Model, t: u32, st: &mut RunState) {
    st.index = 0.5 * (st.h[m.focal.0] + st.h[m.focal.1]);
    let rung = rung_of(m, st);
    if rung != st.rung {
        st.changed |= deps::RUNG;
    }
    st.rung = rung;
    st.peak_rung = st.peak_rung.max(st.rung);
    st.peak_index = st.peak_index.max(st.index);
    st.steps_on_rung[st.rung] += 1;
    // At step 0 every predicate is checked; later only those that read something that changed.
    let changed = if t == 0 { u8::MAX } else { st.changed };
    for (o, spec) in m.outcomes.iter().enumerate() {
        // Debug builds check that a predicate skipped for reading nothing that changed is false.
        debug_assert!(
            spec.deps & changed != 0
                || spec.at_end
                || st.outcome_first[o] != u32::MAX
                || !spec.cond.holds(st, t),
            "step {t}: outcome {} holds but was skipped",
            spec.name
        );
        if spec.deps & changed != 0
            && !spec.at_end
            && st.outcome_first[o] == u32::MAX
            && spec.cond.holds(st, t)
        {
            st.outcome_first[o] = t;
        }
    }
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
