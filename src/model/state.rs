//! The state of one run, reused from run to run to avoid allocating in the loop.

use super::Model;
use crate::engine::rng::{Master, Stream};

/// What an active actor chose (or could choose) in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Hold,
    Raise(u16),
    Lower(u16),
    Act(u16),
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

/// Everything a run carries from step to step, and what it records for its outcomes.
pub struct RunState {
    /// The run's sampled numbers, indexed by [`super::ParamId`].
    pub values: Vec<f64>,
    /// Hostility of every relation.
    pub h: Vec<f64>,
    pub(crate) h_next: Vec<f64>,
    pub(crate) impulse: Vec<f64>,
    /// Level of every measure.
    pub level: Vec<u8>,
    /// Step from which each act may be performed again.
    pub(crate) act_ready: Vec<u32>,
    /// Last step each act was performed (`u32::MAX`: never).
    pub act_last: Vec<u32>,
    /// Last step each event fired (`u32::MAX`: never).
    pub event_last: Vec<u32>,
    /// First step each event fired (`u32::MAX`: never).
    pub event_first: Vec<u32>,
    /// Every pressure stock.
    pub pressure: Vec<f64>,
    pub(crate) temp_mods: Vec<TempModifier>,
    /// Effective actor parameters this step (after modifiers).
    pub eff: Vec<[f64; 4]>,
    /// Cumulative cost per actor.
    pub cost: Vec<f64>,
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
    /// First step each outcome held (`u32::MAX`: never).
    pub outcome_first: Vec<u32>,
    pub(crate) options: Vec<Choice>,
    pub(crate) weights: Vec<f64>,
    pub(crate) choices: Vec<Choice>,
    pub(crate) events_stream: Stream,
    pub(crate) noise_stream: Stream,
    pub(crate) actor_streams: Vec<Stream>,
    /// This step's draws, taken up front so that every stream gives a fixed number per step.
    pub(crate) event_draws: Vec<f64>,
    pub(crate) noise_draws: Vec<f64>,
}

impl RunState {
    /// A state sized for a model.
    pub fn new(m: &Model) -> Self {
        let nr = m.relations.len();
        RunState {
            values: vec![0.0; m.params.len()],
            h: vec![0.0; nr],
            h_next: vec![0.0; nr],
            impulse: vec![0.0; nr],
            level: vec![0; m.measures.len()],
            act_ready: vec![0; m.acts.len()],
            act_last: vec![u32::MAX; m.acts.len()],
            event_last: vec![u32::MAX; m.events.len()],
            event_first: vec![u32::MAX; m.events.len()],
            pressure: vec![0.0; m.pressures.len()],
            temp_mods: Vec::new(),
            eff: vec![[0.0; 4]; m.actors.len()],
            cost: vec![0.0; m.actors.len()],
            pain: vec![0.0; m.actors.len()],
            index: 0.0,
            rung: 0,
            peak_rung: 0,
            peak_index: f64::NEG_INFINITY,
            steps_on_rung: vec![0; m.rung_names.len()],
            max_level: vec![0; m.measures.len()],
            outcome_first: vec![u32::MAX; m.outcomes.len()],
            options: vec![Choice::Hold; m.max_options],
            weights: vec![0.0; m.max_options],
            choices: vec![Choice::Hold; m.actors.len()],
            events_stream: Master::new(0).stream(0, 0),
            noise_stream: Master::new(0).stream(0, 0),
            actor_streams: vec![Master::new(0).stream(0, 0); m.actors.len()],
            event_draws: vec![0.0; m.events.len()],
            noise_draws: vec![0.0; m.relations.len()],
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

/// The record of a finished run is its final state.
pub type RunRecord = RunState;
