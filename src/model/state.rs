//! The state of one run, reused from run to run to avoid allocating in the loop.

use super::Model;
use crate::numerics::chacha::{BlockAt, Key};

/// What an active actor chose (or could choose) in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Hold: no move.
    Hold,
    /// Raise the measure (an index) one level.
    Raise(u16),
    /// Lower the measure (an index) to a level below its current one.
    Lower(u16, u8),
    /// Perform the act (an index); for a contact, offer it.
    Act(u16),
    /// Accept the pending offer of a contact (an act's index).
    Accept(u16),
}

impl Choice {
    /// Whether the choice escalates (+1), holds (0) or de-escalates (−1), given the act's weight
    /// for an act (an act with a positive weight de-escalates).
    pub fn direction(self, act_weight: f64) -> i8 {
        match self {
            Choice::Hold => 0,
            Choice::Raise(_) => 1,
            Choice::Lower(..) | Choice::Accept(_) => -1,
            Choice::Act(_) if act_weight > 0.0 => -1,
            Choice::Act(_) => 1,
        }
    }
}

/// A [`Choice`] packed in one 32-bit word (kind, level, index), for the buffers the step writes
/// and reads back within microseconds. An enum is stored field by field (`Hold` is one byte); a
/// whole-width read right after such a partial write cannot be forwarded from the store and
/// stalls the processor (it was over half of the moves phase in a profile). A packed choice is
/// always written and read as one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedChoice(u32);

impl PackedChoice {
    pub const HOLD: PackedChoice = PackedChoice(0);

    #[inline]
    pub fn get(self) -> Choice {
        let index = (self.0 >> 16) as u16;
        match self.0 & 0xff {
            0 => Choice::Hold,
            1 => Choice::Raise(index),
            2 => Choice::Lower(index, (self.0 >> 8) as u8),
            3 => Choice::Act(index),
            _ => Choice::Accept(index),
        }
    }
}

impl From<Choice> for PackedChoice {
    #[inline]
    fn from(c: Choice) -> Self {
        let (kind, level, index) = match c {
            Choice::Hold => (0, 0, 0),
            Choice::Raise(k) => (1, 0, k),
            Choice::Lower(k, to) => (2, to, k),
            Choice::Act(k) => (3, 0, k),
            Choice::Accept(k) => (4, 0, k),
        };
        PackedChoice(kind | (level as u32) << 8 | (index as u32) << 16)
    }
}

/// A lasting effect on a relation's parameter that lapses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TempShift {
    pub relation: usize,
    pub param: usize,
    pub factor: f64,
    pub add: f64,
    /// First step at which it no longer applies.
    pub until: u32,
}

/// A temporary modifier from an event or act.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TempModifier {
    pub actor: usize,
    pub param: usize,
    pub factor: f64,
    pub add: f64,
    /// First step at which it no longer applies.
    pub until: u32,
}

/// Where the words of one ChaCha block of a window's draws go: `n` words into a part's slice
/// of `event_bits`, `noise_bits`, `lifting_bits` or `actor_bits`, from `at`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DrawTo {
    pub(crate) kind: DrawKind,
    pub(crate) at: u32,
    pub(crate) n: u8,
}

/// Which buffer a [`DrawTo`] fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DrawKind {
    Event,
    Noise,
    Lifting,
    Actor,
}

/// Steps whose draws are taken from the streams at once.
pub(crate) const DRAW_WINDOW: usize = 64;

/// A relation's numbers for this run as they stand now (after lasting effects), resolved from
/// the sampled values because the relation update reads them every step.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RelationRun {
    /// 1 − fatigue.
    pub keep: f64,
    /// Reactivity (0 when the reverse relation is not declared).
    pub reactivity: f64,
    pub grievance: f64,
    pub noise: f64,
    pub salience: f64,
    /// The reverse relation (the relation itself when there is none, with reactivity 0).
    pub back: usize,
}

/// A measure's numbers for this run that its owner's choice reads.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MeasureRun {
    pub persistence: f64,
    pub half_life: f64,
    /// Chance per step that a level in force comes up for review (1 − 2^(−1/half_life)).
    pub review: f64,
}

/// The parts of the utilities of raising and lowering a measure from one level that depend on
/// the level only: the owner's change in cost per step, and the reward for raising.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LevelRun {
    /// The rung needed to raise from this level (`usize::MAX` at the top level).
    pub raise_min_rung: usize,
    /// θ for raising from this level to the next.
    pub raise_threshold: f64,
    /// θ for lowering from this level.
    pub lower_threshold: f64,
    pub raise_dcost: f64,
    pub raise_reward: f64,
    /// The owner's cost per step at this level.
    pub owner_cost: f64,
}

/// A measure left level `from` during step `step` (its first change that step: later ones in
/// the same step change nothing the counts see). `prev` is the measure's change before it (an
/// index in [`RunState::level_changes`], `u32::MAX`: none), so that each measure's changes are
/// walked without scanning the others'.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LevelChange {
    pub step: u32,
    pub prev: u32,
    pub from: u8,
}

/// An act's numbers for this run that its owner's choice reads.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ActRun {
    pub weight: f64,
    pub threshold: f64,
    pub owner_cost: f64,
    pub reward: f64,
    pub accept_threshold: f64,
}

/// An event's numbers for this run: the scheduled probability or the hazard's base rate, and
/// the hazard's slope on H.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EventRun {
    pub p: f64,
    /// The step of a dated event, this run.
    pub step: u32,
    pub slope: f64,
    pub grievance_slope: f64,
    /// A quarter of the largest factor a hazard's conditions can multiply it by this run: the
    /// product of max(1, |factor|) over its factors, times 1/4 (see `fire_events`'s quick no,
    /// whose `exp_above` is 5.6 to 11.4 times the exponential). An event with a fixed chance:
    /// 1/8, so that the same bound, `|p · exp_above(0)| · 1/8`, is exactly `|p|`.
    pub bound_scale: f64,
}

/// Everything a run carries from step to step, and what it records for its outcomes.
#[derive(Clone)]
pub struct RunState {
    /// The run's sampled numbers, indexed by [`super::ParamId`].
    pub values: Vec<f64>,
    /// Hostility of every relation.
    pub h: Vec<f64>,
    pub(crate) h_next: Vec<f64>,
    pub(crate) impulse: Vec<f64>,
    /// Level of every measure.
    pub level: Vec<u8>,
    /// The levels the owners chose against, kept in phase 4 once an act that sets a level is
    /// performed (a raise or lowering of a measure such an act has moved since becomes a hold).
    pub(crate) level_at_choice: Vec<u8>,
    /// `[measure][level]` (flattened by `level_base`): the step from which the measure has been
    /// at that level or higher without a break (`u32::MAX`: it is below it).
    pub at_least_since: Vec<u32>,
    /// The step at which each measure's current level was set.
    pub level_since: Vec<u32>,
    /// The changes of the measures' levels this run, at most one a measure and step (so at
    /// most measures × horizon, which the level-cell limit bounds): the tally counts the runs
    /// at each level of each step from these once the run is over (levels change in few steps).
    pub(crate) level_changes: Vec<LevelChange>,
    /// Each measure's last entry in `level_changes` (`u32::MAX`: none yet).
    pub(crate) last_level_change: Vec<u32>,
    /// The step at which each contact act was offered, while the offer stands (`u32::MAX`: none).
    pub offer_at: Vec<u32>,
    /// Consecutive step ends at which each of [`Model::sustained`] held.
    pub sustained: Vec<u32>,
    /// Whether each of [`Model::gates`] held at the start of this step.
    pub(crate) allowed: Vec<bool>,
    /// The step at which each gate that reads time must be evaluated again though nothing
    /// else it reads changed ([`super::Cond::next_time_change`]; `u32::MAX`: not for time).
    pub(crate) gate_due: Vec<u32>,
    /// No gate is due before this step (the least of `gate_due`, or less).
    pub(crate) earliest_gate_due: u32,
    /// Events that fire this step (index and probability), decided before any applies.
    pub(crate) fired: Vec<(usize, f64)>,
    /// The events whose draw may fire them this step (`fire_events`'s quick filter), in order.
    pub(crate) event_candidates: Vec<u32>,
    /// The first step at which each event may fire this run: its gate's first step, after a
    /// firing the step its cooldown ends (`u32::MAX` for an event that fires once).
    pub(crate) event_open: Vec<u32>,
    /// The last step at which each event may fire this run (a dated event: its step).
    pub(crate) event_until: Vec<u32>,
    /// Each event's bound for the quick filter as a threshold on its draw's 32 bits (the draw
    /// may fire it only if its bits are below; see `draw_threshold`): fixed for the run where
    /// the bound does not move with the state, else set at every step.
    pub(crate) event_threshold: Vec<u64>,
    /// The events whose bound moves with the state this run (a slope on H or the grievance).
    pub(crate) events_moving: Vec<u32>,
    /// Each relation's parameters before temporary shifts ([`super::rel_param`] order), after
    /// lasting ones.
    pub(crate) relation_base: Vec<[f64; 5]>,
    /// Each relation's parameters with its running shifts applied: what a recomputation from
    /// `relation_base` and `temp_shifts` gives, kept so that a new shift, applied last, costs
    /// one update instead of a pass over every shift running.
    pub(crate) relation_live: Vec<[f64; 5]>,
    /// How many shifts in `temp_shifts` each relation has.
    pub(crate) shifts_on: Vec<u32>,
    /// Relations whose base a lasting shift changed under running shifts: their live numbers
    /// are recomputed when next read (`relation_live`, `relation_run` stale until then).
    pub(crate) relation_stale: Vec<bool>,
    /// The relations marked in `relation_stale` (some perhaps refreshed since).
    pub(crate) stale_relations: Vec<usize>,
    pub(crate) temp_shifts: Vec<TempShift>,
    /// Scratch: the relations whose shifts lapsed in this refresh (kept to reuse its room).
    pub(crate) lapsed_relations: Vec<usize>,
    /// The first step at which a shift in `temp_shifts` lapses.
    pub(crate) next_shift_expiry: u32,
    /// Step from which each act may be performed again.
    pub(crate) act_ready: Vec<u32>,
    /// Last step each act was performed (`u32::MAX`: never).
    pub act_last: Vec<u32>,
    /// First step each act was performed (`u32::MAX`: never).
    pub act_first: Vec<u32>,
    /// The branch each event's latest firing took (`u32::MAX`: none yet; a file holds far fewer
    /// branches).
    pub event_branch: Vec<u32>,
    /// Each event's branches' cumulative chances this run, `[event][branch]` flattened from
    /// `branch_base[event]`.
    pub(crate) branch_cum: Vec<f64>,
    pub(crate) branch_base: Vec<usize>,
    /// Last step each event fired (`u32::MAX`: never).
    pub event_last: Vec<u32>,
    /// First step each event fired (`u32::MAX`: never).
    pub event_first: Vec<u32>,
    /// Every pressure stock.
    pub pressure: Vec<f64>,
    pub(crate) temp_mods: Vec<TempModifier>,
    /// Effective actor parameters this step (after modifiers).
    pub eff: Vec<[f64; 5]>,
    /// Cumulative cost per actor.
    pub cost: Vec<f64>,
    /// Cumulative benefit per actor from the measures in force (its gains).
    pub gain: Vec<f64>,
    /// Cost per step each actor bears from other actors' measures in force (its exposure).
    pub pain: Vec<f64>,
    /// The dyad index H.
    pub index: f64,
    /// The current rung.
    pub rung: usize,
    /// Highest rung reached.
    pub peak_rung: usize,
    /// Highest H reached.
    pub peak_index: f64,
    /// Steps spent on each rung.
    pub steps_on_rung: Vec<u32>,
    /// Highest level each measure reached.
    pub max_level: Vec<u8>,
    /// Steps each measure has been in force (above level 0), counted at the end of each step.
    pub steps_in_force: Vec<u32>,
    /// The rung at the end of each of [`Model::snapshot_steps`].
    pub snapshot_rungs: Vec<usize>,
    /// Every measure's level at the end of each of [`Model::snapshot_steps`]:
    /// `[snapshot][measure]`, flattened.
    pub snapshot_levels: Vec<u8>,
    /// First step each outcome held (`u32::MAX`: never).
    pub outcome_first: Vec<u32>,
    /// Last step each outcome held (meaningful when it held; complete at the end of the run,
    /// counted when an outcome stops holding).
    pub outcome_last: Vec<u32>,
    /// Steps each outcome held (complete at the end of the run, as `outcome_last`).
    pub outcome_steps: Vec<u32>,
    /// The outcomes that hold at the end of the latest step, as a bit set (64 to a word, as
    /// [`Model::stepwise_outcomes`]).
    pub(crate) outcome_now: Vec<u64>,
    /// The step from which each outcome in `outcome_now` has held without a break.
    pub(crate) outcome_since: Vec<u32>,
    pub(crate) options: Vec<PackedChoice>,
    pub(crate) weights: Vec<f64>,
    pub(crate) choices: Vec<PackedChoice>,
    /// The run and the key of its streams (the parts' draws are taken a window at a time).
    pub(crate) run: u64,
    pub(crate) key: Key,
    /// The ChaCha blocks a window's draws come from, and where each block's words go.
    pub(crate) draw_at: Vec<BlockAt>,
    pub(crate) draw_to: Vec<DrawTo>,
    /// The draws of the next [`DRAW_WINDOW`] steps, taken from each stream in one go: a fixed
    /// number per step and part, whatever happens (`[event][2·step]`: whether it fires and
    /// which branch; `[relation][step]`, `[actor][4·step]` (three read), `[measure][step]`).
    /// Relation noise is kept as normal numbers.
    pub(crate) event_bits: Vec<u32>,
    pub(crate) noise: Vec<f64>,
    pub(crate) noise_bits: Vec<u32>,
    pub(crate) actor_bits: Vec<u32>,
    pub(crate) lifting_bits: Vec<u32>,
    /// What changed in this step, for the outcome predicates (bits of [`super::condition::deps`]).
    pub(crate) changed: u64,
    pub(crate) relation_run: Vec<RelationRun>,
    pub(crate) event_run: Vec<EventRun>,
    pub(crate) measure_run: Vec<MeasureRun>,
    /// `[measure][level 0..=levels]`, flattened; measure k starts at `level_base[k]`.
    pub(crate) level_run: Vec<LevelRun>,
    pub(crate) level_base: Vec<usize>,
    pub(crate) act_run: Vec<ActRun>,
    /// 1 − decay of every pressure stock.
    pub(crate) pressure_keep: Vec<f64>,
    /// What the measures in force add every step, per relation (irritation), per pressure
    /// stock and per actor (costs), and the highest rung they imply. They change only when a
    /// level does, so they are recomputed only then (`standing_stale`).
    pub(crate) standing_impulse: Vec<f64>,
    pub(crate) standing_pressure: Vec<f64>,
    pub(crate) standing_cost: Vec<f64>,
    pub(crate) standing_gain: Vec<f64>,
    pub(crate) implied_rung: usize,
    pub(crate) standing_stale: bool,
    /// `eff` and `pain` need recomputing: a level or a temporary modifier changed.
    pub(crate) eff_stale: bool,
    /// The first step at which a temporary modifier in `temp_mods` lapses.
    pub(crate) next_expiry: u32,
}

impl RunState {
    /// The most a run's log of level changes can hold for `m`, in bytes (one entry a measure
    /// and step): a run state's only part that grows with the run, which the memory budget
    /// counts beside each chunk's counts.
    pub fn level_log_bytes(m: &Model) -> u64 {
        m.measures.len() as u64 * u64::from(m.horizon) * std::mem::size_of::<LevelChange>() as u64
    }

    /// A state sized for a model.
    pub fn new(m: &Model) -> Self {
        let nr = m.relations.len();
        let level_slots: usize = m.measures.iter().map(|ms| ms.levels.len() + 1).sum();
        RunState {
            values: vec![0.0; m.params.len()],
            h: vec![0.0; nr],
            h_next: vec![0.0; nr],
            impulse: vec![0.0; nr],
            level: vec![0; m.measures.len()],
            level_at_choice: vec![0; m.measures.len()],
            at_least_since: vec![u32::MAX; level_slots],
            level_since: vec![0; m.measures.len()],
            level_changes: Vec::new(),
            last_level_change: vec![u32::MAX; m.measures.len()],
            offer_at: vec![u32::MAX; m.acts.len()],
            sustained: vec![0; m.sustained.len()],
            allowed: vec![true; m.gates.len()],
            gate_due: vec![0; m.gates.len()],
            earliest_gate_due: 0,
            fired: Vec::with_capacity(m.events.len()),
            event_candidates: vec![0; m.events.len()],
            event_open: vec![u32::MAX; m.events.len()],
            event_until: vec![0; m.events.len()],
            event_threshold: vec![0; m.events.len()],
            events_moving: Vec::with_capacity(m.events.len()),
            relation_base: vec![[0.0; 5]; nr],
            relation_live: vec![[0.0; 5]; nr],
            shifts_on: vec![0; nr],
            relation_stale: vec![false; nr],
            stale_relations: Vec::new(),
            temp_shifts: Vec::new(),
            lapsed_relations: Vec::new(),
            next_shift_expiry: u32::MAX,
            act_ready: vec![0; m.acts.len()],
            act_last: vec![u32::MAX; m.acts.len()],
            act_first: vec![u32::MAX; m.acts.len()],
            event_branch: vec![u32::MAX; m.events.len()],
            branch_cum: vec![0.0; m.events.iter().map(|e| e.branches.len()).sum()],
            branch_base: starts(m.events.iter().map(|e| e.branches.len())),
            event_last: vec![u32::MAX; m.events.len()],
            event_first: vec![u32::MAX; m.events.len()],
            pressure: vec![0.0; m.pressures.len()],
            temp_mods: Vec::new(),
            eff: vec![[0.0; 5]; m.actors.len()],
            cost: vec![0.0; m.actors.len()],
            gain: vec![0.0; m.actors.len()],
            standing_gain: vec![0.0; m.actors.len()],
            pain: vec![0.0; m.actors.len()],
            index: 0.0,
            rung: 0,
            peak_rung: 0,
            peak_index: f64::NEG_INFINITY,
            steps_on_rung: vec![0; m.rung_names.len()],
            max_level: vec![0; m.measures.len()],
            steps_in_force: vec![0; m.measures.len()],
            snapshot_rungs: vec![0; m.snapshot_steps.len()],
            snapshot_levels: vec![0; m.snapshot_steps.len() * m.measures.len()],
            outcome_first: vec![u32::MAX; m.outcomes.len()],
            outcome_last: vec![0; m.outcomes.len()],
            outcome_steps: vec![0; m.outcomes.len()],
            outcome_now: vec![0; m.outcomes.len().div_ceil(64)],
            outcome_since: vec![0; m.outcomes.len()],
            options: vec![PackedChoice::HOLD; m.max_options],
            weights: vec![0.0; m.max_options],
            choices: vec![PackedChoice::HOLD; m.actors.len()],
            run: 0,
            key: Key([0; 8]),
            draw_at: Vec::new(),
            draw_to: Vec::new(),
            event_bits: vec![0; 2 * DRAW_WINDOW * m.events.len()],
            noise: vec![0.0; DRAW_WINDOW * nr],
            noise_bits: vec![0; DRAW_WINDOW * nr],
            actor_bits: vec![0; 4 * DRAW_WINDOW * m.actors.len()],
            lifting_bits: vec![0; DRAW_WINDOW * m.measures.len()],
            changed: 0,
            relation_run: vec![RelationRun::default(); nr],
            event_run: vec![EventRun::default(); m.events.len()],
            measure_run: vec![MeasureRun::default(); m.measures.len()],
            level_run: vec![LevelRun::default(); level_slots],
            level_base: starts(m.measures.iter().map(|ms| ms.levels.len() + 1)),
            act_run: vec![ActRun::default(); m.acts.len()],
            pressure_keep: vec![0.0; m.pressures.len()],
            standing_impulse: vec![0.0; nr],
            standing_pressure: vec![0.0; m.pressures.len()],
            standing_cost: vec![0.0; m.actors.len()],
            implied_rung: 0,
            standing_stale: true,
            eff_stale: true,
            next_expiry: u32::MAX,
        }
    }

    /// The final rung (the rung after the last step).
    pub fn final_rung(&self) -> usize {
        self.rung
    }

    /// Whether outcome `o` happened in this run.
    pub fn outcome_hit(&self, o: usize) -> bool {
        self.outcome_first[o] != u32::MAX
    }
}

/// Where each of consecutive runs of these lengths starts in one flat array.
fn starts(lengths: impl Iterator<Item = usize>) -> Vec<usize> {
    lengths
        .scan(0, |next, n| {
            let start = *next;
            *next += n;
            Some(start)
        })
        .collect()
}

/// The record of a finished run is its final state.
pub type RunRecord = RunState;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_choice_unpacks_to_itself() {
        let mut all = vec![Choice::Hold];
        for k in [0, 1, 255, 256, u16::MAX] {
            all.extend([Choice::Raise(k), Choice::Act(k), Choice::Accept(k)]);
            for to in [0, 1, 254, u8::MAX] {
                all.push(Choice::Lower(k, to));
            }
        }
        for c in all {
            assert_eq!(PackedChoice::from(c).get(), c);
        }
        assert_eq!(PackedChoice::from(Choice::Hold), PackedChoice::HOLD);
    }
}
