//! One run, step by step (see docs/model.md for the order of operations).

use super::condition::{Clock, deps};
use super::state::{
    ActRun, Choice, DRAW_WINDOW, DrawKind, DrawTo, EventRun, LevelChange, LevelRun, MeasureRun,
    PackedChoice, RelationRun, RunState, TempModifier, TempShift,
};
use super::*;
use crate::numerics::chacha::{BlockAt, blocks};
use crate::numerics::math::{exp, exp_above, pow};
use crate::numerics::rng::{Master, component, normals_of32, unit32};

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
    /// After every step. An outcome's first step is set at the step it first holds; its steps
    /// held and last step (`RunState::outcome_steps`, `outcome_last`) are complete only at the
    /// end of the run (counted when it stops holding).
    fn step(&mut self, _t: u32, _m: &Model, _s: &RunState) {}
    /// An event fired at step `t` with this probability.
    fn event(&mut self, _t: u32, _event: usize, _probability: f64) {}
    /// An actor's decision at step `t`.
    fn decision(&mut self, _t: u32, _d: &Decision) {}
    /// An offer of contact (an act's index) was accepted at step `t`, or lapsed unaccepted.
    fn contact(&mut self, _t: u32, _act: usize, _accepted: bool) {}
    /// An actor's raise or lowering became a hold at step `t`: an act's `SetLevel` earlier in
    /// the moves changed the measure's level after the actor chose.
    fn overtaken(&mut self, _t: u32, _actor: usize) {}
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

/// `v.fill(x)` for a run's small arrays, in a loop of its own rather than a call of `memset`.
/// glibc's AVX-512 `memset` writes even zero bytes, with a masked store; at an empty `Vec`'s
/// dangling address (an unmapped page) the processor then suppresses a fault, slowly: the empty
/// fills of a run were a sixth of a small scenario's time. The non-empty ones, a few bytes
/// each, still cost a call and its masked stores: 4.7% of a richardson run's time (perf). The
/// value is made opaque to the compiler, which would otherwise turn the loop back into that call
/// (a byte pattern repeated is what it recognises); the loop stays vectorised.
#[inline(always)]
fn fill<T: Copy>(v: &mut [T], x: T) {
    let x = std::hint::black_box(x);
    for slot in v {
        *slot = x;
    }
}

/// Samples the run's numbers: every known number as it is; the numbers of each block that holds
/// an uncertain one, one draw each in order, from the block's own part of the parameter stream
/// (see docs/model.md).
pub fn sample_values(m: &Model, master: &Master, run: u64, values: &mut [f64]) {
    sample_values_of_runs(m, master, run..run + 1, values);
}

/// [`sample_values`] for several runs at once: run `runs.start + k`'s numbers go to
/// `values[k·n .. (k + 1)·n]`, `n` being the model's count of numbers (`values` holds
/// `runs` × `n`). The same numbers as one run at a time; the ChaCha blocks of different runs
/// share the SIMD lanes, which a model with few uncertain blocks (one in richardson) leaves
/// mostly empty when a run is sampled alone.
pub fn sample_values_of_runs(
    m: &Model,
    master: &Master,
    runs: std::ops::Range<u64>,
    values: &mut [f64],
) {
    let n = m.samplers.len();
    debug_assert_eq!(values.len(), n * (runs.end - runs.start) as usize);
    if n == 0 {
        return;
    }
    for run_values in values.chunks_exact_mut(n) {
        for (x, sampler) in run_values.iter_mut().zip(&m.samplers) {
            if let Sampler::Fixed(v) = sampler {
                *x = *v;
            }
        }
    }
    // A block's numbers read 64 bits each from its keyed part of the stream: ChaCha block j
    // holds numbers 8j .. 8j + 7. Every block's ChaCha blocks are computed side by side, up
    // to a batch at a time (see `numerics::chacha`).
    const BATCH: usize = 32;
    let mut at = [BlockAt {
        stream: 0,
        counter: 0,
    }; BATCH];
    // Each block's numbers, and where its run's numbers start in `values`.
    let mut whose: [(&[u32], usize); BATCH] = [(&[], 0); BATCH];
    let mut filled = 0;
    let draw = |at: &[BlockAt], whose: &[(&[u32], usize)], values: &mut [f64]| {
        blocks(master.key(), at, |b, words| {
            let (ids, base) = whose[b];
            for (slot, &i) in ids.iter().enumerate() {
                let i = i as usize;
                values[base + i] = match &m.samplers[i] {
                    Sampler::Fixed(v) => *v,
                    // `param_ranges` is the valid range within the magnitude limit (see compile).
                    sampler => clamp(sampler.draw(words.word64(slot)), m.param_ranges[i]),
                };
            }
        });
    };
    for (k, run) in runs.enumerate() {
        for (key, ids) in &m.param_blocks {
            for (j, chunk) in ids.chunks(8).enumerate() {
                at[filled] = Master::keyed_block(run, component::PARAMS, *key, j as u64);
                whose[filled] = (chunk, k * n);
                filled += 1;
                if filled == BATCH {
                    draw(&at, &whose, values);
                    filled = 0;
                }
            }
        }
    }
    draw(&at[..filled], &whose[..filled], values);
    for run_values in values.chunks_exact_mut(n) {
        link_shared(m, run_values);
    }
}

/// Every use of a shared number takes the run's value, clamped to the use's own range (a use
/// has no value of its own: NaN until linked).
fn link_shared(m: &Model, values: &mut [f64]) {
    for &(i, j) in &m.shared_links {
        values[i as usize] = clamp(values[j as usize], m.param_ranges[i as usize]);
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
    // The outcomes that still hold held from their `since` to the last step.
    let last = m.horizon - 1;
    for (w, &now) in st.outcome_now.iter().enumerate() {
        for o in set_bits(now).map(|i| w * 64 + i) {
            st.outcome_steps[o] += m.horizon - st.outcome_since[o];
            st.outcome_last[o] = last;
        }
    }
    // Outcomes counted at the end only.
    for (o, spec) in m.outcomes.iter().enumerate() {
        if spec.at_end {
            let held = spec.cond.holds(st, Clock::end(last));
            st.outcome_first[o] = if held { last } else { u32::MAX };
            st.outcome_last[o] = last;
            st.outcome_steps[o] = held as u32;
        }
    }
}

fn init(m: &Model, master: &Master, run: u64, st: &mut RunState) {
    // Shared numbers first: every use takes the run's value (sweeps and sensitivity set the
    // shared number itself).
    link_shared(m, &mut st.values);
    let v = &st.values;
    for (r, spec) in m.relations.iter().enumerate() {
        st.h[r] = clamp(v[spec.initial as usize], m.bounds);
        st.impulse[r] = 0.0;
        let mut base = [0.0; 5];
        base[rel_param::GRIEVANCE] = v[spec.grievance as usize];
        base[rel_param::FATIGUE] = v[spec.fatigue as usize];
        base[rel_param::REACTIVITY] = v[spec.reactivity as usize];
        base[rel_param::SALIENCE] = v[spec.salience as usize];
        base[rel_param::NOISE] = v[spec.noise as usize];
        st.relation_base[r] = base;
    }
    st.temp_shifts.clear();
    st.stale_relations.clear();
    refresh_relations(m, 0, st);
    let v = &st.values;
    for (e, spec) in m.events.iter().enumerate() {
        st.event_run[e] = match &spec.timing {
            TimingSpec::Scheduled { probability, .. } => EventRun {
                p: v[*probability as usize],
                bound_scale: 0.125,
                ..EventRun::default()
            },
            TimingSpec::Dated {
                step, probability, ..
            } => EventRun {
                p: v[*probability as usize],
                step: super::dated_step(v[*step as usize], m.horizon),
                bound_scale: 0.125,
                ..EventRun::default()
            },
            TimingSpec::Hazard {
                rate,
                index_slope,
                grievance_slope,
                factors,
                ..
            } => EventRun {
                p: v[*rate as usize],
                slope: v[*index_slope as usize],
                grievance_slope: v[*grievance_slope as usize],
                step: 0,
                // A power of two's scaling is exact: the product times 1/4.
                bound_scale: 0.25
                    * factors
                        .iter()
                        .map(|(_, times)| v[*times as usize].abs().max(1.0))
                        .product::<f64>(),
            },
        };
        let gate = m.event_gates[e];
        (st.event_open[e], st.event_until[e]) = match spec.timing {
            TimingSpec::Dated { .. } => {
                let step = st.event_run[e].step;
                (gate.from.max(step), gate.until.min(step))
            }
            _ => (gate.from, gate.until),
        };
        // The branches' cumulative chances: weights scaled to sum to 1.
        let base = st.branch_base[e];
        let total: f64 = spec.branches.iter().map(|b| v[b.weight as usize]).sum();
        let mut acc = 0.0;
        for (j, b) in spec.branches.iter().enumerate() {
            acc += v[b.weight as usize];
            // Every weight 0 this run (a distribution or a variant can make it so): no branch.
            st.branch_cum[base + j] = if total > 0.0 { acc / total } else { 0.0 };
        }
    }
    st.level_changes.clear();
    fill(&mut st.last_level_change, u32::MAX);
    for (k, ms) in m.measures.iter().enumerate() {
        let half_life = v[ms.half_life as usize];
        st.measure_run[k] = MeasureRun {
            persistence: v[ms.persistence as usize],
            half_life,
            review: review_of(half_life),
        };
        // θ for raising to level l + 1, and for lowering from level l.
        let raise_th = |l: usize| {
            ms.levels[l]
                .threshold
                .map_or(v[ms.threshold as usize], |p| v[p as usize])
        };
        let ease_th = |l: usize| ms.ease_threshold.map_or(raise_th(l - 1), |p| v[p as usize]);
        // The owner's net cost per step at a level, as it feels it.
        let perception = v[ms.perception as usize];
        let cost_at = |l: usize| {
            if l == 0 {
                0.0
            } else {
                let lv = &ms.levels[l - 1];
                let cost = lv.owner_cost.map_or(0.0, |c| v[c as usize]);
                let benefit = lv.owner_benefit.map_or(0.0, |c| v[c as usize]);
                perception * (cost - benefit)
            }
        };
        let n = ms.levels.len();
        for l in 0..=n {
            // At the top level there is no raising: its rung can never be reached.
            let mut lr = LevelRun {
                raise_min_rung: usize::MAX,
                owner_cost: cost_at(l),
                ..LevelRun::default()
            };
            if l > 0 {
                lr.lower_threshold = ease_th(l);
            }
            if l < n {
                lr.raise_threshold = raise_th(l);
                lr.raise_min_rung = ms.levels[l].min_rung;
                lr.raise_dcost = cost_at(l + 1) - cost_at(l);
                lr.raise_reward = v[ms.levels[l].reward as usize];
            }
            st.level_run[st.level_base[k] + l] = lr;
        }

        let start = ms.initial;
        let level = match ms.control {
            Control::Forced(l) => l,
            _ => start,
        };
        // A forced measure is imposed at step 0 as its owner would impose it: one move, whose
        // weight is the forced level's (or, forced below its initial level, the easing of the
        // initial level), felt once.
        let sal = st.relation_run[ms.felt_by].salience;
        if level > start {
            st.impulse[ms.felt_by] -= v[ms.levels[level as usize - 1].weight as usize] * sal;
        } else if level < start {
            st.impulse[ms.felt_by] -= ease_weight(&ms.levels[start as usize - 1], v) * sal;
        }
        st.level[k] = level;
        st.max_level[k] = level;
        st.level_since[k] = 0;
        let base = st.level_base[k];
        for l in 0..=n {
            st.at_least_since[base + l] = if l <= level as usize { 0 } else { u32::MAX };
        }
    }
    for (k, act) in m.acts.iter().enumerate() {
        st.act_run[k] = ActRun {
            weight: v[act.weight as usize],
            threshold: v[act.threshold as usize],
            owner_cost: v[act.perception as usize] * act.owner_cost.map_or(0.0, |c| v[c as usize]),
            reward: v[act.reward as usize],
            accept_threshold: act.accept.map_or(0.0, |a| v[a.threshold as usize]),
        };
    }
    for (i, p) in m.pressures.iter().enumerate() {
        st.pressure[i] = v[p.initial as usize];
        st.pressure_keep[i] = 1.0 - v[p.decay as usize];
    }
    // Actors without options hold throughout (`choose` visits only the others).
    fill(&mut st.choices, PackedChoice::HOLD);
    fill(&mut st.act_ready, 0);
    fill(&mut st.act_last, u32::MAX);
    fill(&mut st.act_first, u32::MAX);
    fill(&mut st.event_branch, u32::MAX);
    fill(&mut st.offer_at, u32::MAX);
    fill(&mut st.event_last, u32::MAX);
    fill(&mut st.event_first, u32::MAX);
    set_fixed_thresholds(st);
    fill(&mut st.sustained, 0);
    st.temp_mods.clear();
    st.next_expiry = u32::MAX;
    st.eff_stale = true;
    refresh_standing(m, st);
    fill(&mut st.cost, 0.0);
    fill(&mut st.gain, 0.0);
    fill(&mut st.steps_on_rung, 0);
    fill(&mut st.steps_in_force, 0);
    fill(&mut st.outcome_first, u32::MAX);
    fill(&mut st.outcome_steps, 0);
    fill(&mut st.outcome_now, 0);
    st.index = 0.5 * (st.h[m.focal.0] + st.h[m.focal.1]);
    st.rung = rung_of(m, st);
    st.peak_rung = st.rung;
    st.peak_index = st.index;
    st.run = run;
    st.key = *master.key();
}

/// The chance per step that a level in force comes up for review: 1 − 2^(−1/half_life), or 1
/// when the half-life is 0.
fn review_of(half_life: f64) -> f64 {
    if half_life > 0.0 {
        1.0 - pow(2.0, -1.0 / half_life)
    } else {
        1.0
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

/// A relation parameter kept in its valid range (see "Numerical safety" in docs/model.md).
fn clamp_relation_param(param: usize, x: f64) -> f64 {
    let x = bounded(x);
    match param {
        rel_param::FATIGUE => x.clamp(0.0, 1.0),
        rel_param::REACTIVITY => x.clamp(-1.0, 1.0),
        rel_param::SALIENCE | rel_param::NOISE => x.max(0.0),
        _ => x,
    }
}

/// Recomputes every relation's live numbers from its base values (after lasting effects) and
/// the temporary shifts still running at step `t` (at the run's start).
fn refresh_relations(m: &Model, t: u32, st: &mut RunState) {
    drop_lapsed_shifts(t, st);
    for r in 0..m.relations.len() {
        refresh_relation(m, r, st);
    }
}

/// Drops the temporary shifts that lapse by step `t` and recomputes the relations they
/// shifted, once the step's events are done (a shift lapses before the choices of its last
/// step). Only those: recomputing all of them at every shift made a scenario with thousands
/// of relations and frequent shifting events quadratic (4,032 relations, 512 events: hours
/// for 20 runs). The others' inputs did not change, so their numbers are the same bits.
fn refresh_shifted(m: &Model, t: u32, st: &mut RunState) {
    if t >= st.next_shift_expiry {
        let mut lapsed = std::mem::take(&mut st.lapsed_relations);
        lapsed.clear();
        lapsed.extend(
            st.temp_shifts
                .iter()
                .filter(|s| s.until <= t)
                .map(|s| s.relation),
        );
        drop_lapsed_shifts(t, st);
        for &r in &lapsed {
            mark_stale(st, r);
        }
        st.lapsed_relations = lapsed;
        // One pass over the running shifts for all of them: a pass for each made thousands
        // of relations lapsing every step under 64,512 running shifts take 0.55 s a step.
        settle_relations(m, st);
    }
}

/// Marks relation `r`'s live numbers for recomputation when next read.
#[inline]
fn mark_stale(st: &mut RunState, r: usize) {
    if !st.relation_stale[r] {
        st.relation_stale[r] = true;
        st.stale_relations.push(r);
    }
}

/// Drops the temporary shifts that lapse by step `t`, and notes when the next one does.
fn drop_lapsed_shifts(t: u32, st: &mut RunState) {
    st.temp_shifts.retain(|s| s.until > t);
    st.next_shift_expiry = (st.temp_shifts.iter().map(|s| s.until))
        .min()
        .unwrap_or(u32::MAX);
    fill(&mut st.shifts_on, 0);
    for s in &st.temp_shifts {
        st.shifts_on[s.relation] += 1;
    }
}

/// Shifts parameter `param` of relation `r` to `value·factor + add`, for good (`until` None)
/// or until step `until`, and updates the relation's live numbers. A temporary shift applies
/// last, so it updates the live value alone (the same bits as a pass over every shift: a
/// relation's shifts apply in the order they started); a lasting one changes the base under
/// the running shifts, which must then be applied again: when the relation is next read
/// ([`settle_relation`]), once however many lasting shifts came before (none running: the
/// base itself, at once). Every shift passing over all those running made 65,536 of them a
/// step quadratic (13 s a run of two steps; lasting shifts among them, 3.5 s a step).
fn shift_relation(
    m: &Model,
    st: &mut RunState,
    (r, param): (usize, usize),
    (factor, add): (f64, f64),
    until: Option<u32>,
) {
    match until {
        None => {
            let x = &mut st.relation_base[r][param];
            *x = clamp_relation_param(param, *x * factor + add);
            if st.shifts_on[r] == 0 && !st.relation_stale[r] {
                st.relation_live[r] = st.relation_base[r];
                set_relation_run(m, r, st);
            } else {
                mark_stale(st, r);
            }
        }
        Some(until) => {
            st.temp_shifts.push(TempShift {
                relation: r,
                param,
                factor,
                add,
                until,
            });
            st.shifts_on[r] += 1;
            st.next_shift_expiry = st.next_shift_expiry.min(until);
            // A stale relation is recomputed with this shift when next read.
            if !st.relation_stale[r] {
                let x = &mut st.relation_live[r][param];
                *x = clamp_relation_param(param, *x * factor + add);
                set_relation_run(m, r, st);
            }
        }
    }
}

/// Relation `r`'s live numbers made current before they are read (see [`shift_relation`]):
/// with every other stale relation's, in the same pass.
#[inline(always)]
fn settle_relation(m: &Model, r: usize, st: &mut RunState) {
    if st.relation_stale[r] {
        settle_relations(m, st);
    }
}

/// Every stale relation's live numbers made current, in one pass over the running shifts
/// (each relation's in the order they started, as [`refresh_relation`] applies them).
#[inline(always)]
fn settle_relations(m: &Model, st: &mut RunState) {
    if st.stale_relations.is_empty() {
        return;
    }
    // Each listed once and still marked: `mark_stale` lists a relation only as it marks it,
    // and the marks are cleared only here and at a run's start, which empties the list first.
    let stale = std::mem::take(&mut st.stale_relations);
    for &r in &stale {
        st.relation_live[r] = st.relation_base[r];
    }
    for s in &st.temp_shifts {
        if st.relation_stale[s.relation] {
            let x = &mut st.relation_live[s.relation][s.param];
            *x = clamp_relation_param(s.param, *x * s.factor + s.add);
        }
    }
    for &r in &stale {
        st.relation_stale[r] = false;
        set_relation_run(m, r, st);
    }
    st.stale_relations = stale;
    st.stale_relations.clear();
}

/// Relation `r`'s live numbers: its base values with its running shifts applied in the order
/// they started.
#[inline]
fn refresh_relation(m: &Model, r: usize, st: &mut RunState) {
    let mut x = st.relation_base[r];
    if st.shifts_on[r] > 0 {
        for s in st.temp_shifts.iter().filter(|s| s.relation == r) {
            x[s.param] = clamp_relation_param(s.param, x[s.param] * s.factor + s.add);
        }
    }
    st.relation_live[r] = x;
    st.relation_stale[r] = false;
    set_relation_run(m, r, st);
}

/// What the step reads of relation `r`, from its live numbers.
#[inline]
fn set_relation_run(m: &Model, r: usize, st: &mut RunState) {
    let spec = &m.relations[r];
    let x = &st.relation_live[r];
    st.relation_run[r] = RelationRun {
        keep: 1.0 - x[rel_param::FATIGUE],
        reactivity: spec.reverse.map_or(0.0, |_| x[rel_param::REACTIVITY]),
        grievance: x[rel_param::GRIEVANCE],
        noise: x[rel_param::NOISE],
        salience: x[rel_param::SALIENCE],
        back: spec.reverse.unwrap_or(r),
    };
}

/// Recomputes what the measures in force add every step (irritation, pressure, costs) and the
/// rung they imply, from the current levels. Called only after a level changed.
fn refresh_standing(m: &Model, st: &mut RunState) {
    // Local slices, so that the stores into the sums neither reload the vectors nor check
    // their bounds against lengths the compiler must assume they changed.
    let (impulse, pressure) = (&mut st.standing_impulse[..], &mut st.standing_pressure[..]);
    let (cost, gain) = (&mut st.standing_cost[..], &mut st.standing_gain[..]);
    fill(impulse, 0.0);
    fill(pressure, 0.0);
    fill(cost, 0.0);
    fill(gain, 0.0);
    let mut implied_rung = 0;
    let v = &st.values[..];
    for (ms, &l) in m.measures.iter().zip(&st.level) {
        if l == 0 {
            continue;
        }
        let lv = &ms.levels[l as usize - 1];
        impulse[ms.felt_by] += v[lv.irritation as usize];
        for &(p, amount) in &lv.pressure {
            pressure[p] += v[amount as usize];
        }
        for &(who, c) in &lv.costs {
            cost[who] += v[c as usize];
        }
        for &(who, b) in &lv.benefits {
            gain[who] += v[b as usize];
        }
        implied_rung = implied_rung.max(lv.implies_rung);
    }
    st.implied_rung = implied_rung;
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
    // Local slices, as in `refresh_standing`.
    let (eff, pain, v) = (&mut st.eff[..], &mut st.pain[..], &st.values[..]);
    for (e, spec) in eff.iter_mut().zip(&m.actors) {
        for (x, &p) in e.iter_mut().zip(&spec.params) {
            *x = v[p as usize];
        }
    }
    fill(pain, 0.0);
    for (ms, &l) in m.measures.iter().zip(&st.level) {
        if l == 0 {
            continue;
        }
        let lv = &ms.levels[l as usize - 1];
        for md in &lv.modifiers {
            let x = &mut eff[md.actor][md.param];
            *x = bounded(*x * v[md.factor as usize] + v[md.add as usize]);
        }
        // What others bear presses them toward peace, as they perceive it. A benefit another
        // actor's measure brings is a gain, not a pressure: exposure is not directed at the
        // measure's owner, so a benefit at stake would press toward peace with everyone.
        let perception = v[ms.perception as usize];
        for &(who, c) in &lv.costs {
            if who != ms.owner {
                pain[who] += perception * v[c as usize];
            }
        }
    }
    for tm in &st.temp_mods {
        let x = &mut eff[tm.actor][tm.param];
        *x = bounded(*x * tm.factor + tm.add);
    }
    for e in eff.iter_mut() {
        e[0] = e[0].max(0.0);
        e[1] = e[1].max(0.0);
        e[3] = e[3].max(0.0);
        e[4] = e[4].clamp(0.0, 1.0);
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
            && st.standing_gain == fresh.standing_gain
            && st.implied_rung == fresh.implied_rung,
        "cached effects of the measures in force are stale"
    );
}

/// Marks what depends on the levels for recomputation.
#[inline]
fn levels_changed(st: &mut RunState) {
    st.standing_stale = true;
    st.eff_stale = true;
}

/// Sets measure `k` to level `to` during step `t`, keeping the record of when each level was
/// reached.
fn set_level(st: &mut RunState, k: usize, to: u8, t: u32) {
    let from = st.level[k];
    if from == to {
        return;
    }
    let base = st.level_base[k];
    if to > from {
        for l in from + 1..=to {
            st.at_least_since[base + l as usize] = t;
        }
    } else {
        for l in to + 1..=from {
            st.at_least_since[base + l as usize] = u32::MAX;
        }
    }
    // The first change of the measure this step is logged; a later one in the same step
    // leaves the level before the step as it was.
    let last = st.last_level_change[k];
    if last == u32::MAX || st.level_changes[last as usize].step != t {
        st.last_level_change[k] = st.level_changes.len() as u32;
        st.level_changes.push(LevelChange {
            step: t,
            prev: last,
            from,
        });
    }
    st.level[k] = to;
    st.max_level[k] = st.max_level[k].max(to);
    st.level_since[k] = t;
    st.changed |= deps::level(k);
    levels_changed(st);
}

/// Applies effects; temporary modifiers and shifts start counting at `first_step` (the step whose
/// choices they first change: this step for events, the next one for acts).
fn apply_effects(m: &Model, t: u32, first_step: u32, effects: &[EffectSpec], st: &mut RunState) {
    for e in effects {
        let v = &st.values;
        match e {
            EffectSpec::Move { relation, weight } => {
                settle_relation(m, *relation, st);
                let sal = st.relation_run[*relation].salience;
                st.impulse[*relation] -= st.values[*weight as usize] * sal;
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
                    set_level(st, *measure, *level, t);
                }
            }
            EffectSpec::AddPressure { pressure, amount } => {
                st.pressure[*pressure] += v[*amount as usize];
            }
            EffectSpec::ShiftRelation {
                relation,
                param,
                factor,
                add,
                duration,
            } => {
                let (f, a) = (v[*factor as usize], v[*add as usize]);
                // Only this relation: a shift that lapses this step still holds until the
                // choices, whatever other event shifts something meanwhile.
                let until = duration.map(|d| first_step.saturating_add(d));
                shift_relation(m, st, (*relation, *param), (f, a), until);
            }
            EffectSpec::ShiftLever {
                measure,
                param,
                factor,
                add,
            } => {
                let (f, a) = (v[*factor as usize], v[*add as usize]);
                let shift = |x: f64| bounded(x * f + a);
                let base = st.level_base[*measure];
                let levels = m.measures[*measure].levels.len();
                let runs = &mut st.level_run[base..=base + levels];
                match *param {
                    lever_param::THRESHOLD => {
                        for lr in runs {
                            lr.raise_threshold = shift(lr.raise_threshold);
                            lr.lower_threshold = shift(lr.lower_threshold);
                        }
                    }
                    lever_param::REWARD => {
                        for lr in runs {
                            lr.raise_reward = shift(lr.raise_reward);
                        }
                    }
                    lever_param::PERSISTENCE => {
                        let mr = &mut st.measure_run[*measure];
                        mr.persistence = shift(mr.persistence);
                    }
                    _ => {
                        let mr = &mut st.measure_run[*measure];
                        mr.half_life = shift(mr.half_life).max(0.0);
                        mr.review = review_of(mr.half_life);
                    }
                }
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

/// Takes the draws of the steps from `t` to the end of the window (or of the horizon) from
/// every part of the event, noise, actor and lifting streams. An actor with no option at all
/// never reads its words (it holds whatever they say), so they are generated only when
/// `detailed` observers (traces) report whether it was active.
///
/// Each part's words are the ChaCha blocks of its keyed stretch of the stream (words
/// `per_step · t ..` of it), computed for every part at once (`numerics::chacha`): only the
/// blocks the window reads.
fn take_draws(m: &Model, t: u32, detailed: bool, st: &mut RunState) {
    let steps = DRAW_WINDOW.min((m.horizon - t) as usize);
    let mut at = std::mem::take(&mut st.draw_at);
    let mut to = std::mem::take(&mut st.draw_to);
    at.clear();
    to.clear();
    let run = st.run;
    // Steps `read` (of the window's, counted from t) are those whose words can be read.
    let mut part = |kind: DrawKind,
                    component: u64,
                    key: u64,
                    index: usize,
                    per_step: usize,
                    read: std::ops::Range<usize>| {
        let words = per_step * steps;
        // A window starts at step t, a multiple of DRAW_WINDOW: a whole number of blocks.
        let first = (per_step * t as usize / 16) as u64;
        for j in per_step * read.start / 16..(per_step * read.end).div_ceil(16) {
            at.push(Master::keyed_block(run, component, key, first + j as u64));
            to.push(DrawTo {
                kind,
                at: (index * per_step * DRAW_WINDOW + 16 * j) as u32,
                n: (words - 16 * j).min(16) as u8,
            });
        }
    };
    for (e, (spec, gate)) in m.events.iter().zip(&m.event_gates).enumerate() {
        // An event's draws are read only within its steps (`from_step` .. `until_step`, a
        // scheduled event's one step).
        let read = event_steps_read(gate, t, steps);
        if !read.is_empty() {
            part(DrawKind::Event, component::EVENTS, spec.key, e, 2, read);
        }
    }
    for (r, spec) in m.relations.iter().enumerate() {
        part(DrawKind::Noise, component::NOISE, spec.key, r, 1, 0..steps);
    }
    for (k, spec) in m.measures.iter().enumerate() {
        // A lifting review's draw is read only for a measure that can be lowered.
        if spec.reversible {
            part(
                DrawKind::Lifting,
                component::LIFTING,
                spec.key,
                k,
                1,
                0..steps,
            );
        }
    }
    for (a, spec) in m.actors.iter().enumerate() {
        if detailed || !spec.options.is_empty() {
            part(DrawKind::Actor, component::ACTORS, spec.key, a, 4, 0..steps);
        }
    }
    blocks(&st.key, &at, |i, words| {
        let d = to[i];
        let buf = match d.kind {
            DrawKind::Event => &mut st.event_bits,
            DrawKind::Noise => &mut st.noise_bits,
            DrawKind::Lifting => &mut st.lifting_bits,
            DrawKind::Actor => &mut st.actor_bits,
        };
        words.copy_to(&mut buf[d.at as usize..][..d.n as usize]);
    });
    st.draw_at = at;
    st.draw_to = to;
    // Only this window's steps: past the horizon, the rest of each part's slice is never read
    // (and its stale words would cost a tail quantile each, the horizon being shorter than a
    // window in most scenarios).
    for (eps, bits) in st
        .noise
        .chunks_exact_mut(DRAW_WINDOW)
        .zip(st.noise_bits.chunks_exact(DRAW_WINDOW))
    {
        normals_of32(&bits[..steps], &mut eps[..steps]);
    }
}

/// The random words and noise normals a run reads, window by window, and nothing else: the
/// part of a run the random-number contract fixes before any of the model's logic, which
/// `benches/peers.rs floor` times beside whole runs. `st` must be the model's.
///
/// ```
/// # let loaded = brink::scenario::load(
/// #     std::path::Path::new("scenarios/examples/richardson.ron"),
/// #     brink::scenario::LoadOptions::default(),
/// # ).unwrap();
/// # let m = brink::model::compile(&loaded.scenario, None).unwrap();
/// let mut st = brink::model::RunState::new(&m);
/// brink::model::draw_run_words(&m, &brink::numerics::rng::Master::new(7), 0, &mut st);
/// ```
#[doc(hidden)]
pub fn draw_run_words(m: &Model, master: &Master, run: u64, st: &mut RunState) {
    st.run = run;
    st.key = *master.key();
    for t in (0..m.horizon).step_by(DRAW_WINDOW) {
        take_draws(m, t, false, st);
    }
}

/// The steps of the window from step `t` (`steps` long), counted from `t`, at which an event
/// with this gate can read its draws.
fn event_steps_read(gate: &EventGate, t: u32, steps: usize) -> std::ops::Range<usize> {
    let start = gate.from.saturating_sub(t) as usize;
    let end = (gate.until.saturating_add(1).saturating_sub(t) as usize).min(steps);
    start.min(end)..end
}

/// One step. The phases are inlined: as calls, each loaded the state's buffers again (1.6% of
/// a flagship run's instructions, 3% of the tutorial's). To see what each phase costs in a
/// profile (callgrind, perf), mark them `#[inline(never)]` for the measurement. The step itself
/// is always inlined into the run's loop: the compiler's own choice flips with small changes
/// (a call per step cost richardson 2.5%).
#[inline(always)]
fn step<O: Observer>(m: &Model, t: u32, st: &mut RunState, obs: &mut O) {
    let w = t as usize % DRAW_WINDOW;
    if w == 0 {
        take_draws(m, t, O::DETAILED, st);
    }
    // What changed in the last step (and the clock, which always moves) is what the gates,
    // evaluated last at the start of that step, may read differently now.
    let since_last_gates = if t == 0 { u64::MAX } else { st.changed };
    // H moves every step in practice; the other bits are set as things change.
    st.changed = deps::INDEX | deps::TIME;

    // A model with no conditions on its levers and no acts (so no offers of contact) has
    // nothing to read here: the call alone cost a model of relations 6% of its run.
    if !m.gates.is_empty() || !m.acts.is_empty() {
        read_gates(m, t, since_last_gates, st, obs);
    }
    if !m.events.is_empty() {
        fire_events(m, t, w, st, obs);
    }
    if t >= st.next_shift_expiry {
        refresh_shifted(m, t, st);
    }
    // Effective actor parameters: base values, then measures in force, then event modifiers.
    if st.eff_stale || t >= st.next_expiry {
        refresh_actor_params(m, t, st);
    }
    #[cfg(debug_assertions)]
    check_actor_params(m, t, st);

    choose(m, t, w, st, obs);
    make_moves(m, t, st, obs);
    update_relations(m, w, st);
    update_rung_and_outcomes(m, t, st);
    obs.step(t, m, st);
}

/// Phase 1: the state at the start of the step decides every lever's condition; offers of contact
/// whose window has passed lapse (refused).
// Out of line (the compiler's usual choice, made fixed): most steps evaluate few gates, and
// inlined it only grows the step.
#[inline(never)]
fn read_gates<O: Observer>(m: &Model, t: u32, changed: u64, st: &mut RunState, obs: &mut O) {
    let clock = Clock::start(t);
    // A gate that reads nothing that changed since it was last evaluated (at the start of the
    // last step) keeps its truth; time changes it only at its due step.
    let changed = changed & !deps::TIME;
    if t == 0 || t >= st.earliest_gate_due {
        // Every gate whose inputs changed or whose due step has come (every gate at step 0,
        // those that read nothing, `Never`, included); then the next due step.
        let mut due = u32::MAX;
        for g in 0..m.gates.len() {
            if t == 0 || m.gate_deps[g] & changed != 0 || t >= st.gate_due[g] {
                evaluate_gate(m, g, clock, st);
            }
            due = due.min(st.gate_due[g]);
        }
        st.earliest_gate_due = due;
    } else if changed & m.gates_read != 0 {
        // Only the gates that read what changed, found by what each bit is read by.
        let words = m.gates.len().div_ceil(64);
        for w in 0..words {
            let recheck = reading(&m.gates_reading, words, changed, w);
            for g in set_bits(recheck).map(|i| w * 64 + i) {
                evaluate_gate(m, g, clock, st);
                st.earliest_gate_due = st.earliest_gate_due.min(st.gate_due[g]);
            }
        }
    }
    #[cfg(debug_assertions)]
    for (g, c) in m.gates.iter().enumerate() {
        assert_eq!(
            st.allowed[g],
            c.holds(st, clock),
            "step {t}: gate {g} kept a stale truth"
        );
    }
    for (k, act) in m.acts.iter().enumerate() {
        if let Some(acc) = act.accept {
            let at = st.offer_at[k];
            if at != u32::MAX && t > at.saturating_add(acc.within) {
                st.offer_at[k] = u32::MAX;
                if O::DETAILED {
                    obs.contact(t, k, false);
                }
            }
        }
    }
}

/// Gate `g`'s truth at the start of the step, and the step at which time alone can next
/// change it.
#[inline(always)]
fn evaluate_gate(m: &Model, g: usize, clock: Clock, st: &mut RunState) {
    let c = &m.gates[g];
    st.allowed[g] = c.holds(st, clock);
    st.gate_due[g] = if m.gate_deps[g] & deps::TIME != 0 {
        c.next_time_change(st, clock)
    } else {
        u32::MAX
    };
}

/// Phase 2, events: every event's gate and chance are read on the state at the start of the step,
/// then those that fire apply their effects in the order of their names. Each event has its
/// draw whatever happens.
#[inline]
fn fire_events<O: Observer>(m: &Model, t: u32, w: usize, st: &mut RunState, obs: &mut O) {
    st.fired.clear();
    let clock = Clock::start(t);
    settle_relations(m, st);
    let grievance =
        0.5 * (st.relation_run[m.focal.0].grievance + st.relation_run[m.focal.1].grievance);
    // The candidates' gates are open (their steps, once, cooldown and a dated event's step:
    // `event_open`/`event_until`) and their draws below the bound of a hazard's quick no:
    // what is left is the chance itself and the conditions.
    let n = event_candidates(t, w, grievance, st);
    for i in 0..n {
        let e = st.event_candidates[i] as usize;
        let run = st.event_run[e];
        let u = unit32(st.event_bits[e * 2 * DRAW_WINDOW + 2 * w]);
        // The draw is compared first: the conditions read the state and change nothing, so
        // skipping them when the draw already says no changes no result.
        let p = match &m.events[e].timing {
            TimingSpec::Scheduled { when, .. } => {
                if u >= run.p || when.as_ref().is_some_and(|c| !c.holds(st, clock)) {
                    continue;
                }
                run.p
            }
            TimingSpec::Dated { when, .. } => {
                if u >= run.p || when.as_ref().is_some_and(|c| !c.holds(st, clock)) {
                    continue;
                }
                run.p
            }
            TimingSpec::Hazard { factors, .. } => {
                let x = run.slope * st.index + run.grievance_slope * grievance;
                let mut p = run.p;
                if x != 0.0 {
                    p *= exp(x);
                }
                for (c, times) in factors {
                    if c.holds(st, clock) {
                        p *= st.values[*times as usize];
                    }
                }
                if p > 0.0 { p.min(1.0) } else { continue }
            }
        };
        if u < p {
            st.fired.push((e, p));
        }
    }
    for i in 0..st.fired.len() {
        let (e, p) = st.fired[i];
        st.changed |= deps::event(e);
        st.event_last[e] = t;
        let gate = &m.event_gates[e];
        st.event_open[e] = if gate.once {
            u32::MAX
        } else {
            t.saturating_add(gate.cooldown).saturating_add(1)
        };
        if st.event_first[e] == u32::MAX {
            st.event_first[e] = t;
        }
        if O::DETAILED {
            obs.event(t, e, p);
        }
        let spec = &m.events[e];
        apply_effects(m, t, t, &spec.effects, st);
        let n = spec.branches.len();
        if n > 0 && st.branch_cum[st.branch_base[e] + n - 1] > 0.0 {
            let u = unit32(st.event_bits[e * 2 * DRAW_WINDOW + 2 * w + 1]);
            let base = st.branch_base[e];
            let j = (0..n)
                .find(|&j| u < st.branch_cum[base + j])
                .unwrap_or(n - 1);
            st.event_branch[e] = j as u32;
            apply_effects(m, t, t, &spec.branches[j].effects, st);
        }
    }
}

/// The events whose draw may fire them at step `t`, in order, into `st.event_candidates`;
/// returns how many. Without a branch: an event is a candidate when its gate is open and its
/// draw is below a bound on its chance (a fixed chance: `|p|` itself; a hazard: a quick no,
/// since the hazard is at most |rate · exp(x)| · the largest factor and a quarter of
/// `exp_above` is at least 1.4 times exp(x), far beyond any rounding). Most steps of most
/// events stop here; [`fire_events`] decides for the candidates, so the filter changes no
/// result. The bounds are kept as thresholds on the draws' bits ([`draw_threshold`]), set
/// when the run starts for the events whose bound cannot move and here for the others, so
/// that the loop over every event compares integers.
// Out of line: inlined, it grew the step enough that the compiler stopped inlining the
// per-step statistics (a model of relations alone, which has no events, ran 3.7% more
// instructions).
#[inline(never)]
fn event_candidates(t: u32, w: usize, grievance: f64, st: &mut RunState) -> usize {
    let bound =
        |run: &EventRun| event_bound(run, run.slope * st.index + run.grievance_slope * grievance);
    // A fixed bound's x is ±0 only for finite H and G, which a run of finite numbers keeps;
    // should either not be, every threshold comes from its bound this step, as it always did.
    let finite = st.index.is_finite() && grievance.is_finite();
    if finite {
        for &e in &st.events_moving {
            st.event_threshold[e as usize] = draw_threshold(bound(&st.event_run[e as usize]));
        }
    } else {
        for e in 0..st.event_run.len() {
            st.event_threshold[e] = draw_threshold(bound(&st.event_run[e]));
        }
    }
    // Slices of one length taken first, so that the loop neither checks bounds nor reloads
    // the vectors (the candidates' stores could otherwise alias them).
    let events = st.event_run.len();
    let (from, until) = (&st.event_open[..events], &st.event_until[..events]);
    let threshold = &st.event_threshold[..events];
    let candidates = &mut st.event_candidates[..events];
    assert!(w < DRAW_WINDOW);
    let mut n = 0;
    let draws = st.event_bits.chunks_exact(2 * DRAW_WINDOW);
    for (e, (((&from, &until), &threshold), draws)) in
        from.iter().zip(until).zip(threshold).zip(draws).enumerate()
    {
        let open = (t >= from) & (t <= until);
        candidates[n] = e as u32;
        n += (open & ((draws[2 * w] as u64) < threshold)) as usize;
    }
    if !finite {
        set_fixed_thresholds(st);
    }
    n
}

/// The bound of the events' quick filter for an event at x = slope · H + grievance slope · G.
#[inline]
fn event_bound(run: &EventRun, x: f64) -> f64 {
    (run.p * exp_above(x)).abs() * run.bound_scale
}

/// Sets the draw thresholds of the events whose bound does not move with the state this run
/// (both slopes zero: x = 0·H + 0·G is ±0 for finite H and G, the bound's at x = 0); lists the
/// others in `events_moving`.
fn set_fixed_thresholds(st: &mut RunState) {
    st.events_moving.clear();
    for (e, run) in st.event_run.iter().enumerate() {
        if run.slope == 0.0 && run.grievance_slope == 0.0 {
            st.event_threshold[e] = draw_threshold(event_bound(run, 0.0));
        } else {
            st.events_moving.push(e as u32);
        }
    }
}

/// The threshold on a draw's 32 bits that says what `unit32(bits) < bound` says, or a bound
/// that is NaN (which keeps an event a candidate): `bits < draw_threshold(bound)`. unit32 is
/// bits · 2^-32, exact, so the comparison is bits < bound · 2^32 (also exact), which for an
/// integer is bits < ⌈bound · 2^32⌉; 2^32 (every draw) from there up, and for NaN.
#[inline]
fn draw_threshold(bound: f64) -> u64 {
    const TWO_32: f64 = 4_294_967_296.0;
    let y = bound * TWO_32;
    // Not below 2^32, NaN included, in one comparison.
    if y.partial_cmp(&TWO_32) != Some(std::cmp::Ordering::Less) {
        return 1 << 32;
    }
    // 0 ≤ y < 2^32 here (a bound is a magnitude; the max for safety): the conversion
    // truncates, which is ⌊y⌋, and through i64, which the processor converts directly.
    let y = y.max(0.0);
    let floor = y as i64;
    (floor + ((floor as f64) < y) as i64) as u64
}

/// Whether a lever's condition (an index in [`Model::gates`]) held at the start of the step.
#[inline]
fn gate_open(st: &RunState, g: Option<usize>) -> bool {
    g.is_none_or(|g| st.allowed[g])
}

/// Phase 3, choices, all from the same state, by a nested logit: first escalate, hold or
/// de-escalate, each direction valued by its best option; then which option within it. Two
/// 64-bit draws per actor per step, always.
#[inline]
fn choose<O: Observer>(m: &Model, t: u32, w: usize, st: &mut RunState, obs: &mut O) {
    if O::DETAILED {
        for a in 0..m.actors.len() {
            choose_for(m, t, w, a, st, obs);
        }
    } else {
        // An actor with no option at all holds whatever its draws say (its words are not even
        // generated unless a detailed observer reports whether it was active): its choice was
        // set to hold when the run started.
        for &a in &m.choosers {
            choose_for(m, t, w, a, st, obs);
        }
    }
}

/// Actor `a` holds: inactive (no option weighed), or active with nothing but hold on offer.
#[inline(always)]
fn hold<O: Observer>(t: u32, a: usize, active: bool, st: &mut RunState, obs: &mut O) {
    st.choices[a] = PackedChoice::HOLD;
    if O::DETAILED {
        let d = Decision {
            actor: a,
            active,
            choice: Choice::Hold,
            probability: 1.0,
            weight: 0.0,
            options: active as usize,
        };
        obs.decision(t, &d);
    }
}

/// Actor `a`'s choice in step `t` (see [`choose`]).
#[inline(always)]
fn choose_for<O: Observer>(m: &Model, t: u32, w: usize, a: usize, st: &mut RunState, obs: &mut O) {
    let spec = &m.actors[a];
    // Four words a step (two 64-bit draws in the stream's layout), three of them read.
    let words = &st.actor_bits[a * 4 * DRAW_WINDOW + 4 * w..][..3];
    let (ua, un, uo) = (unit32(words[0]), unit32(words[1]), unit32(words[2]));
    let [lambda, sensitivity, hawkishness, cost_weight, activity] = st.eff[a];
    if ua >= activity {
        return hold(t, a, false, st, obs);
    }
    if spec.options.is_empty() {
        // Nothing but hold on offer, ever (an actor with no levers, or none it may use):
        // the nested logit over hold alone picks it with probability 1, so it is skipped.
        // The actor's draws were taken all the same.
        return hold(t, a, true, st, obs);
    }
    let v = &st.values;
    // Pressure pushes toward escalation (or peace); the cost others' measures inflict
    // pushes toward peace, weighed by the actor's cost weight. Hawkishness is readiness to
    // escalate whatever the hostility.
    let push: f64 = spec
        .pressures
        .iter()
        .map(|&p| st.pressure[p] * v[m.pressures[p].push as usize])
        .sum::<f64>()
        - cost_weight * st.pain[a]
        + hawkishness;
    // The options go into fixed buffers (sized by the model), so the loop never allocates:
    // hold at 0, the escalating ones upward from 1 and the de-escalating ones downward from
    // the end, each direction in the order offered, so that a nest's options lie together.
    let cap = st.options.len();
    st.options[0] = Choice::Hold.into();
    st.weights[0] = 0.0;
    let (mut up, mut down) = (1, cap);
    let mut add = |st: &mut RunState, c: Choice, u: f64, dir: i8| {
        let i = if dir > 0 {
            up += 1;
            up - 1
        } else {
            down -= 1;
            down
        };
        // `max_options` counts every option an actor can have, so the two ends never meet.
        debug_assert!(up <= down, "options buffer overrun");
        st.options[i] = c.into();
        st.weights[i] = u;
    };
    for source in &spec.options {
        match *source {
            OptionSource::Measure { measure: k, motive } => {
                let ms = &m.measures[k];
                let mr = st.measure_run[k];
                let l = st.level[k] as usize;
                let base = st.level_base[k];
                let lr = st.level_run[base + l];
                if st.rung >= lr.raise_min_rung && gate_open(st, ms.raise_when) {
                    let drive = sensitivity * (st.h[motive] - lr.raise_threshold) + push;
                    let u = drive - cost_weight * lr.raise_dcost + lr.raise_reward;
                    add(st, Choice::Raise(k as u16), u, 1);
                }
                // The lifting review's draw is taken every step; it is read only when it
                // can matter.
                if l > 0
                    && ms.reversible
                    && unit32(st.lifting_bits[k * DRAW_WINDOW + w]) < mr.review
                    && t - st.level_since[k] >= ms.min_duration
                    && gate_open(st, ms.lower_when)
                {
                    let drive = sensitivity * (st.h[motive] - lr.lower_threshold) + push;
                    for to in (0..l).rev() {
                        let saving = st.level_run[base + to].owner_cost - lr.owner_cost;
                        let u = -drive - cost_weight * saving - mr.persistence;
                        add(st, Choice::Lower(k as u16, to as u8), u, -1);
                    }
                }
            }
            OptionSource::Act {
                act: k,
                motive,
                min_rung,
            } => {
                let act = &m.acts[k];
                if t < st.act_ready[k]
                    || st.rung < min_rung
                    || (act.once && st.act_last[k] != u32::MAX)
                    || st.offer_at[k] != u32::MAX
                    || !gate_open(st, act.allowed_when)
                {
                    continue;
                }
                let ar = st.act_run[k];
                let d = if ar.weight > 0.0 { -1.0 } else { 1.0 };
                let u = d * (sensitivity * (st.h[motive] - ar.threshold) + push)
                    - cost_weight * ar.owner_cost
                    + ar.reward;
                add(st, Choice::Act(k as u16), u, d as i8);
            }
            OptionSource::Accept { act: k, motive } => {
                let at = st.offer_at[k];
                // An offer can be accepted from the step after it was made.
                if at == u32::MAX || at >= t {
                    continue;
                }
                let ar = st.act_run[k];
                let u = -(sensitivity * (st.h[motive] - ar.accept_threshold) + push);
                add(st, Choice::Accept(k as u16), u, -1);
            }
        }
    }
    let n = up + (cap - down);
    // Hold alone on offer this step (every option closed by its gate, rung or cooldown):
    // the nested logit would pick it with probability 1.
    let (pick, probability) = if n == 1 {
        (0, 1.0)
    } else {
        nested_logit(&mut st.weights, (up, down), lambda, un, uo)
    };
    let choice = st.options[pick].get();
    st.choices[a] = choice.into();
    if O::DETAILED {
        let d = Decision {
            actor: a,
            active: true,
            choice,
            probability,
            weight: move_weight(m, st, choice),
            options: n,
        };
        obs.decision(t, &d);
    }
}

/// The nested logit over the options in the buffers (hold at 0, escalating options at
/// `1..up`, de-escalating ones at `down..` in reverse order of offer): a direction (hold,
/// escalate, de-escalate, in that order) by logit over the best utility each offers, with `un`;
/// then an option of that direction by logit over their utilities, with `uo`, in the order
/// they were offered. Returns the option and its probability. Adding an option no better than
/// the best of its direction leaves the chance of that direction as it was; at λ = 0 every
/// direction on offer is equally likely.
fn nested_logit(
    weights: &mut [f64],
    (up, down): (usize, usize),
    lambda: f64,
    un: f64,
    uo: f64,
) -> (usize, f64) {
    let escalating = 1..up;
    let easing = (down..weights.len()).rev();
    let max_with = |b: f64, i: usize| f64::max(b, weights[i]);
    let best = [
        0.0,
        escalating.clone().fold(f64::NEG_INFINITY, max_with),
        easing.clone().fold(f64::NEG_INFINITY, max_with),
    ];
    let top = best.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut nest_w = [0.0; 3];
    let mut total = 0.0;
    for (nw, &b) in nest_w.iter_mut().zip(&best) {
        if b > f64::NEG_INFINITY {
            *nw = exp_or_one(lambda * (b - top));
            total += *nw;
        }
    }
    let target = un * total;
    let mut acc = 0.0;
    let mut nest = 0;
    for (d, &nw) in nest_w.iter().enumerate() {
        if nw > 0.0 {
            nest = d;
            acc += nw;
            if target < acc {
                break;
            }
        }
    }
    let p_nest = nest_w[nest] / total;
    match nest {
        0 => (0, p_nest),
        1 => pick_in_nest(weights, escalating, lambda, best[1], uo, p_nest),
        _ => pick_in_nest(weights, easing, lambda, best[2], uo, p_nest),
    }
}

/// An option of a nest (its indices in the order offered, at least one) by logit over the
/// utilities, with `uo`: returns it and its probability, `p_nest` times its chance in the nest.
#[inline(always)]
fn pick_in_nest(
    weights: &mut [f64],
    idx: impl Iterator<Item = usize> + Clone,
    lambda: f64,
    best: f64,
    uo: f64,
    p_nest: f64,
) -> (usize, f64) {
    let mut sum = 0.0;
    let mut last = 0;
    for i in idx.clone() {
        weights[i] = exp_or_one(lambda * (weights[i] - best));
        sum += weights[i];
        last = i;
    }
    let target = uo * sum;
    let mut acc = 0.0;
    for i in idx {
        acc += weights[i];
        if target < acc {
            return (i, p_nest * weights[i] / sum);
        }
    }
    (last, p_nest * weights[last] / sum)
}

/// [`exp`], with the call skipped at 0 (the best nest and the best option of a nest: `exp`
/// gives exactly 1 at ±0, so the result is the same).
#[inline]
fn exp_or_one(x: f64) -> f64 {
    if x == 0.0 { 1.0 } else { exp(x) }
}

/// Whether effects set a measure's level.
fn sets_a_level(effects: &[EffectSpec]) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, EffectSpec::SetLevel { .. }))
}

/// Performs act `k` at step `t` (or, for a contact, when it is accepted).
fn perform_act(m: &Model, t: u32, k: usize, st: &mut RunState) {
    let act = &m.acts[k];
    settle_relation(m, act.felt_by, st);
    let v = &st.values;
    let sal = st.relation_run[act.felt_by].salience;
    st.impulse[act.felt_by] -= v[act.weight as usize] * sal;
    for &(who, c) in &act.costs {
        st.cost[who] += v[c as usize];
    }
    st.act_last[k] = t;
    if st.act_first[k] == u32::MAX {
        st.act_first[k] = t;
    }
    st.changed |= deps::act(k);
    // Blocked for `cooldown` steps after this one, as events are.
    st.act_ready[k] = t.saturating_add(act.cooldown).saturating_add(1);
    apply_effects(m, t, t + 1, &act.effects, st);
}

/// Phase 4: moves apply in actor order.
#[inline]
fn make_moves<O: Observer>(m: &Model, t: u32, st: &mut RunState, obs: &mut O) {
    // The other actors hold.
    let mut levels_kept = false;
    for &a in &m.choosers {
        let mut choice = st.choices[a].get();
        // The owner weighed its move at the level that stood when it chose (its costs, its
        // `min_rung`, its `min_duration`); an act's SetLevel earlier in this loop may have moved
        // the measure since, and then the move is not the one weighed: it becomes a hold.
        if let Choice::Raise(k) | Choice::Lower(k, _) = choice
            && levels_kept
            && st.level[k as usize] != st.level_at_choice[k as usize]
        {
            choice = Choice::Hold;
            if O::DETAILED {
                obs.overtaken(t, a);
            }
        }
        if let Choice::Act(k) | Choice::Accept(k) = choice {
            let act = &m.acts[k as usize];
            let performed = act.accept.is_none() || matches!(choice, Choice::Accept(_));
            if performed && !levels_kept && sets_a_level(&act.effects) {
                st.level_at_choice.clone_from(&st.level);
                levels_kept = true;
            }
        }
        match choice {
            Choice::Hold => {}
            Choice::Raise(k) | Choice::Lower(k, _) => {
                let k = k as usize;
                let ms = &m.measures[k];
                let w = move_weight(m, st, choice);
                settle_relation(m, ms.felt_by, st);
                let sal = st.relation_run[ms.felt_by].salience;
                st.impulse[ms.felt_by] -= w * sal;
                let to = match choice {
                    Choice::Lower(_, to) => to,
                    _ => st.level[k] + 1,
                };
                set_level(st, k, to, t);
            }
            Choice::Act(k) => {
                let k = k as usize;
                if m.acts[k].accept.is_some() {
                    // A contact is an offer until the other side accepts it.
                    st.offer_at[k] = t;
                } else {
                    perform_act(m, t, k, st);
                }
            }
            Choice::Accept(k) => {
                let k = k as usize;
                st.offer_at[k] = u32::MAX;
                perform_act(m, t, k, st);
                if O::DETAILED {
                    obs.contact(t, k, true);
                }
            }
        }
    }
}

/// The measures in force add their standing irritation, pressure and costs; then (phase 5)
/// the relations move and (phase 6) pressure fades.
#[inline(always)]
fn update_relations(m: &Model, w: usize, st: &mut RunState) {
    // Measures in force: standing irritation, pressure, costs.
    if st.standing_stale {
        refresh_standing(m, st);
    }
    #[cfg(debug_assertions)]
    check_standing(m, st);
    // Empty loops skipped: each costs its setup, a sixth of a step of a model of relations
    // alone. Without measures nothing stands to be added to the costs and gains: sums that
    // start at +0 and are never −0, so adding +0 would change no bit of them. (Pressures are
    // added to whenever there are any: one may start at −0.)
    if !st.pressure.is_empty() {
        for (x, s) in st.pressure.iter_mut().zip(&st.standing_pressure) {
            *x += s;
        }
    }
    if !m.measures.is_empty() {
        for (x, s) in st.cost.iter_mut().zip(&st.standing_cost) {
            *x += s;
        }
        for (x, s) in st.gain.iter_mut().zip(&st.standing_gain) {
            *x += s;
        }
    }

    // 5. Relations: the Richardson/VAR(1) update, one noise draw per relation, always. The
    // standing irritation of the measures in force joins this step's impulses here.
    settle_relations(m, st);
    let nr = m.relations.len();
    let (lo, hi) = m.bounds;
    let h = &st.h[..nr];
    let next = &mut st.h_next[..nr];
    let impulse = &mut st.impulse[..nr];
    let standing = &st.standing_impulse[..nr];
    let runs = &st.relation_run[..nr];
    for r in 0..nr {
        let rr = &runs[r];
        let imp = impulse[r] + standing[r];
        let eps = st.noise[r * DRAW_WINDOW + w];
        let y = rr.keep * h[r] + rr.reactivity * h[rr.back] + rr.grievance + imp + rr.noise * eps;
        // NaN cannot arise from validated inputs; map it to the lower bound all the same.
        next[r] = if y.is_nan() { lo } else { y.clamp(lo, hi) };
        impulse[r] = 0.0;
    }
    std::mem::swap(&mut st.h, &mut st.h_next);

    // 6. Pressure fades.
    if !st.pressure.is_empty() {
        for (x, keep) in st.pressure.iter_mut().zip(&st.pressure_keep) {
            *x *= keep;
        }
    }
}

/// Phase 7: the index, the rung, the counts of sustained conditions and the outcomes.
#[inline(always)]
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
    if !st.level.is_empty() {
        for (n, &l) in st.steps_in_force.iter_mut().zip(&st.level) {
            *n += (l > 0) as u32;
        }
    }
    // The steps are sorted and distinct: a search, not a scan (thousands of steps asked for
    // would otherwise cost thousands of comparisons every step).
    if let Ok(i) = m.snapshot_steps.binary_search(&t) {
        st.snapshot_rungs[i] = st.rung;
        let nm = st.level.len();
        st.snapshot_levels[i * nm..(i + 1) * nm].copy_from_slice(&st.level);
    }
    let clock = Clock::end(t);
    // Inner conditions come first in the list, so each count reads the counts it depends on
    // as of this step.
    for (i, c) in m.sustained.iter().enumerate() {
        let held = c.holds(st, clock);
        let count = if held { st.sustained[i] + 1 } else { 0 };
        if count != st.sustained[i] {
            st.changed |= deps::SUSTAINED;
        }
        st.sustained[i] = count;
    }
    update_outcomes(m, t, clock, st);
    // Debug builds check that an outcome kept for reading nothing that changed is right.
    #[cfg(debug_assertions)]
    for (o, spec) in m.outcomes.iter().enumerate().filter(|(_, s)| !s.at_end) {
        assert_eq!(
            st.outcome_now[o / 64] >> (o % 64) & 1 != 0,
            spec.cond.holds(st, clock),
            "step {t}: outcome {} kept a stale truth",
            spec.name
        );
    }
}

/// The outcomes' truth at the end of step `t` (see [`update_rung_and_outcomes`]).
#[inline(always)]
fn update_outcomes(m: &Model, t: u32, clock: Clock, st: &mut RunState) {
    // At step 0 every outcome is checked; later only those that read something that changed:
    // one whose inputs did not change keeps its truth. Steps held and the last step are
    // counted when an outcome stops holding (and at the end of the run), not every step.
    let words = m.stepwise_outcomes.len();
    if t > 0 && st.changed & m.outcomes_read == 0 {
        return;
    }
    for w in 0..words {
        let recheck = if t == 0 {
            m.stepwise_outcomes[w]
        } else {
            reading(&m.outcomes_reading, words, st.changed, w)
        };
        for i in set_bits(recheck) {
            let o = w * 64 + i;
            let now = m.outcomes[o].cond.holds(st, clock);
            if now == (st.outcome_now[w] >> i & 1 != 0) {
                continue;
            }
            st.outcome_now[w] ^= 1 << i;
            if now {
                if st.outcome_first[o] == u32::MAX {
                    st.outcome_first[o] = t;
                }
                st.outcome_since[o] = t;
            } else {
                // Held from `since` to the step before this one (t ≥ 1: nothing held before 0).
                st.outcome_steps[o] += t - st.outcome_since[o];
                st.outcome_last[o] = t - 1;
            }
        }
    }
}

/// The Goldstein weight of a move: raising, the weight of the level reached; lowering (by any
/// number of levels), the easing of the level in force; an act or an accepted contact, its
/// weight.
fn move_weight(m: &Model, st: &RunState, c: Choice) -> f64 {
    let v = &st.values;
    match c {
        Choice::Hold => 0.0,
        Choice::Raise(k) => {
            let ms = &m.measures[k as usize];
            v[ms.levels[st.level[k as usize] as usize].weight as usize]
        }
        Choice::Lower(k, _) => {
            let ms = &m.measures[k as usize];
            ease_weight(&ms.levels[st.level[k as usize] as usize - 1], v)
        }
        Choice::Act(k) | Choice::Accept(k) => v[m.acts[k as usize].weight as usize],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::rng::normal_of32;

    /// A shipped scenario's model: `file` from the crate's root.
    fn shipped_model(file: &str) -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let loaded = crate::scenario::load(&path, Default::default()).unwrap();
        compile(&loaded.scenario, None).unwrap()
    }

    /// `draw_run_words` (the bench's floor) draws the words and normals a run reads: after it,
    /// the last window's noise and actors' words are those a whole run of the same seed left.
    #[test]
    fn draw_run_words_draws_what_a_run_reads() {
        let m = shipped_model("scenarios/russia_azerbaijan_2025.ron");
        let master = Master::new(11);
        let mut whole = RunState::new(&m);
        simulate(&m, &master, 3, &mut whole, &mut Silent);
        let mut drawn = RunState::new(&m);
        draw_run_words(&m, &master, 3, &mut drawn);
        assert!(whole.noise.iter().any(|&x| x != 0.0));
        assert_eq!(drawn.noise, whole.noise);
        assert_eq!(drawn.noise_bits, whole.noise_bits);
        assert_eq!(drawn.actor_bits, whole.actor_bits);
        assert_eq!(drawn.event_bits, whole.event_bits);
        assert_eq!(drawn.lifting_bits, whole.lifting_bits);
        // Another run's words differ.
        draw_run_words(&m, &master, 4, &mut drawn);
        assert_ne!(drawn.noise_bits, whole.noise_bits);
    }

    /// A window's words are each part's keyed stream from word `per_step · t`, over several
    /// windows (a horizon of 150 steps: windows at 0, 64 and 128, the last one partial).
    #[test]
    fn a_windows_draws_are_each_parts_keyed_words() {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/examples/tutorial.ron"
        ));
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.replacen("horizon: 52,", "horizon: 150,", 1);
        let scenario = crate::scenario::load::parse_text(path, &text).unwrap();
        let m = compile(&scenario, None).unwrap();
        assert_eq!(m.horizon, 150);
        assert!(!m.events.is_empty() && !m.measures.is_empty());
        let master = Master::new(5);
        let mut st = RunState::new(&m);
        let run = 17;
        sample_values(&m, &master, run, &mut st.values);
        init(&m, &master, run, &mut st);
        let words = |component: u64, key: u64, skip: usize, n: usize| -> Vec<u32> {
            let mut s = master.keyed(run, component, key);
            (0..skip + n).map(|_| s.bits32()).skip(skip).collect()
        };
        // Events read at every step and events read at a few (scheduled) are both covered.
        let reads: Vec<usize> = (m.event_gates.iter())
            .map(|g| event_steps_read(g, 0, DRAW_WINDOW).len())
            .collect();
        assert!(reads.contains(&DRAW_WINDOW) && reads.iter().any(|&n| 0 < n && n < 8));
        for t in [0u32, 64, 128] {
            take_draws(&m, t, true, &mut st);
            let steps = DRAW_WINDOW.min((150 - t) as usize);
            let t = t as usize;
            for (e, spec) in m.events.iter().enumerate() {
                // The steps at which the event can read its draws (the others are not computed).
                let read = event_steps_read(&m.event_gates[e], t as u32, steps);
                let got = &st.event_bits[e * 2 * DRAW_WINDOW..][2 * read.start..2 * read.end];
                let want = words(
                    component::EVENTS,
                    spec.key,
                    2 * (t + read.start),
                    2 * read.len(),
                );
                assert_eq!(got, want);
            }
            for (r, spec) in m.relations.iter().enumerate() {
                let want = words(component::NOISE, spec.key, t, steps);
                assert_eq!(&st.noise_bits[r * DRAW_WINDOW..][..steps], want);
                for (x, b) in st.noise[r * DRAW_WINDOW..][..steps].iter().zip(want) {
                    assert_eq!(x.to_bits(), normal_of32(b).to_bits());
                }
            }
            for (k, spec) in m
                .measures
                .iter()
                .enumerate()
                .filter(|(_, ms)| ms.reversible)
            {
                let got = &st.lifting_bits[k * DRAW_WINDOW..][..steps];
                assert_eq!(got, words(component::LIFTING, spec.key, t, steps));
            }
            for (a, spec) in m.actors.iter().enumerate() {
                let got = &st.actor_bits[a * 4 * DRAW_WINDOW..][..4 * steps];
                assert_eq!(got, words(component::ACTORS, spec.key, 4 * t, 4 * steps));
            }
        }
    }

    /// Every gate's truth, kept between evaluations and evaluated only when what it reads changed
    /// or its due step came, is what evaluating it afresh gives at the start of every step: 70
    /// gated measures (two words of the sets of gates by what they read) whose conditions read
    /// the rung, levels, an event and time, in a release build too (debug builds also assert it
    /// inside the step).
    #[test]
    fn gates_beyond_the_first_word_keep_a_fresh_truth() {
        let conds = [
            "RungAtLeast(\"hot\")",
            "LevelAtLeast(\"m{j}\", 1)",
            "Not(EventWithin(\"shock\", 3))",
            "StepIn(10, 30)",
            "LevelHeldFor(\"m{j}\", 1, 3)",
            "Any([EventOccurred(\"shock\"), All([RungBelow(\"hot\"), StepIn(5, 40)])])",
            "Sustained(RungAtLeast(\"hot\"), 2)",
        ];
        let measures: String = (0..70)
            .map(|i| {
                let when = conds[i % conds.len()].replace("{j}", &((i + 1) % 70).to_string());
                format!(
                    "Measure(name: \"m{i}\", owner: \"{}\", target: \"{}\", threshold: {}, \
                     raise_when: {when}, levels: [Level(name: \"on\", weight: -0.5)]),\n",
                    ["a", "b"][i % 2],
                    ["b", "a"][i % 2],
                    (i % 5) as f64 * 0.5 - 1.0,
                )
            })
            .collect();
        let text = format!(
            r#"Scenario(
            name: "gates", horizon: 60, focal: ("a", "b"),
            actors: [Actor(name: "a", rationality: 1, activity: 0.3),
                     Actor(name: "b", rationality: 1, activity: 0.3)],
            relations: [Relation(from: "a", to: "b", fatigue: 0.3, noise: 1),
                        Relation(from: "b", to: "a", fatigue: 0.3, noise: 1)],
            ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 0.5)],
            levers: [{measures}],
            events: [Event(name: "shock", timing: Hazard(rate: 0.08),
                           effects: [Move(by: "a", against: "b", weight: -3)])],
            outcomes: [Outcome(name: "hot", when: RungAtLeast("hot"))],
        )"#
        );
        let path = std::path::Path::new("gates.ron");
        let scenario = crate::scenario::load::parse_text(path, &text).unwrap();
        let m = compile(&scenario, None).unwrap();
        assert!(m.gates.len() > 64, "{} gates", m.gates.len());

        /// At the end of step t, each gate's truth at the start of step t + 1 (nothing a
        /// condition reads changes in between); at the end of step t + 1, the kept truths
        /// compared with it.
        struct Fresh {
            want: Option<Vec<bool>>,
            checked: usize,
            /// Changes of a gate's truth from one step to the next, by word of the sets.
            flips: [usize; 2],
        }
        impl Observer for Fresh {
            fn step(&mut self, t: u32, m: &Model, s: &RunState) {
                if let Some(want) = &self.want {
                    assert_eq!(&s.allowed, want, "step {t}");
                    self.checked += 1;
                }
                let next: Vec<bool> = m
                    .gates
                    .iter()
                    .map(|c| c.holds(s, Clock::start(t + 1)))
                    .collect();
                if let Some(want) = &self.want {
                    for (g, _) in want
                        .iter()
                        .zip(&next)
                        .enumerate()
                        .filter(|(_, (a, b))| a != b)
                    {
                        self.flips[g / 64] += 1;
                    }
                }
                self.want = Some(next);
            }
        }
        let master = Master::new(4);
        let mut st = RunState::new(&m);
        let mut obs = Fresh {
            want: None,
            checked: 0,
            flips: [0; 2],
        };
        for run in 0..300 {
            obs.want = None;
            simulate(&m, &master, run, &mut st, &mut obs);
        }
        assert_eq!(obs.checked, 300 * 59);
        // The gates' truths do change, in both words, often enough to test anything.
        assert!(
            obs.flips.iter().all(|&n| n > 500),
            "changes of a gate's truth by word: {:?}",
            obs.flips
        );
    }

    #[test]
    fn a_draw_threshold_says_what_the_bound_says() {
        // Bounds at, beside and between the draws' own values, their edges, and the odd ones.
        let mut bounds = vec![
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            4.9e-324,
            1.0,
            1.0f64.next_down(),
            1.0f64.next_up(),
            2.0,
            1e300,
            f64::INFINITY,
            f64::NAN,
            0.5 * unit32(1),
        ];
        for k in [
            0u32,
            1,
            2,
            3,
            1 << 16,
            0x7fff_ffff,
            0x8000_0000,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let u = unit32(k);
            bounds.extend([u, u.next_up(), u.next_down(), u + 0.5 * unit32(1)]);
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bounds.push((x >> 11) as f64 / (1u64 << 53) as f64 * 1.25);
        }
        for &bound in &bounds {
            let threshold = draw_threshold(bound);
            let edge = (threshold.min(u32::MAX as u64)) as u32;
            let mut probes = vec![0u32, 1, u32::MAX, u32::MAX - 1, edge];
            probes.extend([
                edge.wrapping_sub(1),
                edge.wrapping_add(1),
                edge.wrapping_sub(2),
            ]);
            for bits in probes {
                let filter = (unit32(bits) < bound) | bound.is_nan();
                assert_eq!(
                    (bits as u64) < threshold,
                    filter,
                    "bound {bound:e}, bits {bits}"
                );
            }
        }
    }

    #[test]
    fn exp_is_exactly_one_at_zero() {
        assert_eq!(exp(0.0).to_bits(), 1f64.to_bits());
        assert_eq!(exp(-0.0).to_bits(), 1f64.to_bits());
        assert_eq!(exp_or_one(-0.0), exp(-0.0));
    }

    /// Sampled numbers read two words each of their block's keyed stream, in the block's order.
    #[test]
    fn sampled_numbers_read_their_blocks_words() {
        let m = shipped_model("scenarios/russia_azerbaijan_2025.ron");
        assert!(m.param_blocks.iter().any(|(_, ids)| ids.len() > 8));
        let master = Master::new(3);
        let mut got = vec![f64::NAN; m.params.len()];
        sample_values(&m, &master, 41, &mut got);
        let mut want = vec![f64::NAN; m.params.len()];
        for (x, s) in want.iter_mut().zip(&m.samplers) {
            if let Sampler::Fixed(v) = s {
                *x = *v;
            }
        }
        for (key, ids) in &m.param_blocks {
            let mut s = master.keyed(41, component::PARAMS, *key);
            for &i in ids {
                let i = i as usize;
                let bits = s.bits();
                want[i] = match &m.samplers[i] {
                    Sampler::Fixed(v) => *v,
                    sampler => clamp(sampler.draw(bits), m.param_ranges[i]),
                };
            }
        }
        link_shared(&m, &mut want);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g.to_bits(), w.to_bits(), "number {i}");
        }
    }

    /// The events' filter with its thresholds (fixed for the run, or set every step) picks
    /// exactly the events the bound itself does, the one it had before the thresholds: in the
    /// steps of real runs, and where H or the grievance is not finite (no run of finite numbers
    /// has that, but the fixed thresholds must not hold then, and must be back after).
    #[test]
    fn the_events_filter_picks_what_the_bound_says() {
        let reference = |t: u32, w: usize, grievance: f64, st: &RunState| -> Vec<u32> {
            (0..st.event_run.len())
                .filter(|&e| {
                    let run = &st.event_run[e];
                    let u = unit32(st.event_bits[e * 2 * DRAW_WINDOW + 2 * w]);
                    let x = run.slope * st.index + run.grievance_slope * grievance;
                    let open = t >= st.event_open[e] && t <= st.event_until[e];
                    let bound = (run.p * exp_above(x)).abs() * run.bound_scale;
                    open && (u < bound || bound.is_nan())
                })
                .map(|e| e as u32)
                .collect()
        };
        let mut checked = 0;
        for file in [
            "scenarios/russia_azerbaijan_2025.ron",
            "scenarios/examples/tutorial.ron",
        ] {
            let m = shipped_model(file);
            let master = Master::new(5);
            let mut st = RunState::new(&m);
            for run in 0..200 {
                let mut values = vec![0.0; m.params.len()];
                sample_values(&m, &master, run, &mut values);
                st.values.copy_from_slice(&values);
                init(&m, &master, run, &mut st);
                take_draws(&m, 0, false, &mut st);
                assert!(
                    st.events_moving.len() < m.events.len(),
                    "{file}: no fixed bound"
                );
                let fixed = st.event_threshold.clone();
                for t in 0..m.horizon.min(DRAW_WINDOW as u32) {
                    let w = t as usize;
                    // H and the grievance over their range, and beyond what a run can have.
                    st.index = [0.0, 3.5, -2.0, 9.0][t as usize % 4];
                    for grievance in [0.4, -1.5, f64::NAN, f64::INFINITY] {
                        let n = event_candidates(t, w, grievance, &mut st);
                        let want = reference(t, w, grievance, &st);
                        assert_eq!(
                            &st.event_candidates[..n],
                            &want[..],
                            "{file} run {run} t {t}"
                        );
                        checked += want.len();
                    }
                    st.index = f64::NAN;
                    let n = event_candidates(t, w, 0.4, &mut st);
                    assert_eq!(n, reference(t, w, 0.4, &st).len(), "{file} run {run} t {t}");
                    for &e in &st.events_moving {
                        st.event_threshold[e as usize] = fixed[e as usize];
                    }
                    assert_eq!(
                        st.event_threshold, fixed,
                        "{file}: the fixed thresholds are back"
                    );
                }
            }
        }
        assert!(checked > 1000, "only {checked} candidates met");
    }

    #[test]
    fn runs_sampled_together_get_the_numbers_each_gets_alone() {
        // The flagship (shared numbers, blocks of more than eight) and richardson (one block a
        // run, so a group's blocks share one batch of lanes), over a group longer than a batch.
        for file in [
            "scenarios/russia_azerbaijan_2025.ron",
            "scenarios/examples/richardson.ron",
        ] {
            let m = shipped_model(file);
            let master = Master::new(11);
            let n = m.params.len();
            for runs in [5..6, 100..137] {
                let count = (runs.end - runs.start) as usize;
                let mut together = vec![f64::NAN; n * count];
                sample_values_of_runs(&m, &master, runs.clone(), &mut together);
                for (k, run) in runs.enumerate() {
                    let mut alone = vec![f64::NAN; n];
                    sample_values(&m, &master, run, &mut alone);
                    let got = &together[k * n..(k + 1) * n];
                    for (i, (g, w)) in got.iter().zip(&alone).enumerate() {
                        assert_eq!(g.to_bits(), w.to_bits(), "{file}: run {run}, number {i}");
                    }
                }
            }
        }
    }

    /// Recomputing only the relations a shift starts on or lapses from gives the same bits as
    /// recomputing them all, through overlapping shifts of several relations and parameters,
    /// lasting ones, and lapses at the same step as new shifts.
    #[test]
    fn refreshing_the_shifted_relations_equals_refreshing_all() {
        let m = shipped_model("scenarios/russia_azerbaijan_2025.ron");
        let nr = m.relations.len();
        assert!(nr >= 4);
        let master = Master::new(11);
        let mut st = RunState::new(&m);
        sample_values(&m, &master, 3, &mut st.values);
        init(&m, &master, 3, &mut st);
        let bits = |st: &RunState| -> Vec<[u64; 5]> {
            (st.relation_run.iter())
                .map(|r| [r.keep, r.reactivity, r.grievance, r.noise, r.salience].map(f64::to_bits))
                .collect()
        };
        let mut draws = master.keyed(0, 99, 0);
        let (mut shifted, mut stale_read) = (0, 0);
        for t in 0..600u32 {
            for _ in 0..draws.bits32() % 3 {
                let relation = draws.bits32() as usize % nr;
                let param = draws.bits32() as usize % 5;
                let factor = 0.5 + (draws.bits32() % 100) as f64 / 100.0;
                let add = (draws.bits32() % 200) as f64 / 100.0 - 1.0;
                let until = if draws.bits32().is_multiple_of(4) {
                    None
                } else {
                    Some(t + 1 + draws.bits32() % 6)
                };
                shift_relation(&m, &mut st, (relation, param), (factor, add), until);
                shifted += 1;
                // Read now and then: a relation a lasting shift left stale takes the
                // temporary shifts that follow when it is read.
                if draws.bits32().is_multiple_of(3) {
                    continue;
                }
                stale_read += usize::from(!st.stale_relations.is_empty());
                settle_relations(&m, &mut st);
                // Every relation from scratch, the shifts lapsing this step still in force
                // (they lapse after the events).
                let (incremental, running) = (bits(&st), st.temp_shifts.len());
                for r in 0..nr {
                    refresh_relation(&m, r, &mut st);
                }
                assert_eq!(incremental, bits(&st), "step {t}, after a shift");
                assert_eq!(running, st.temp_shifts.len());
            }
            if t >= st.next_shift_expiry {
                refresh_shifted(&m, t, &mut st);
                settle_relations(&m, &mut st);
                let (incremental, running) = (bits(&st), st.temp_shifts.len());
                refresh_relations(&m, t, &mut st);
                assert_eq!(incremental, bits(&st), "step {t}, after lapses");
                assert_eq!(running, st.temp_shifts.len());
            }
        }
        assert!(shifted > 450, "{shifted}");
        assert!(stale_read > 15, "{stale_read}");
    }
}
