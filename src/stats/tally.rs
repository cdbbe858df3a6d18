//! The tally of a batch of runs of one model: everything the outputs need, in memory that does
//! not depend on the number of runs.

use serde::{Deserialize, Serialize};

use super::{ExactSum, Histogram, LogHistogram};
use crate::model::{Model, Observer, RunState};

/// Count, exact sum and exact sum of squares of a quantity, with its extremes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub(crate) n: u64,
    pub(crate) sum: ExactSum,
    pub(crate) sumsq: ExactSum,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
}

impl Moments {
    /// Counts a value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        // x² exactly, so that the variance of values far from 0 does not cancel to nothing.
        self.sumsq.add_product(x, x);
        self.min = Some(self.min.map_or(x, |m| m.min(x)));
        self.max = Some(self.max.map_or(x, |m| m.max(x)));
    }

    /// Back to no values, keeping the memory it has.
    pub fn clear(&mut self) {
        self.n = 0;
        self.sum.clear();
        self.sumsq.clear();
        self.min = None;
        self.max = None;
    }

    /// Adds another set of moments.
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum.merge(&o.sum);
        self.sumsq.merge(&o.sumsq);
        self.min = match (self.min, o.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, o.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Whether these moments could be those of values within `range` (its ends included):
    /// none (no count, sums 0, no extremes), or a finite minimum and maximum within the range,
    /// the minimum at most the maximum, the mean between them and each extreme's square at
    /// most the sum of squares. A figure that is not, in words ("has a maximum of 1e308 whose
    /// square exceeds its sum of squares ..."), for a shard's [`Tally::check_from`]: a shard
    /// edited and resealed by hand gave a merged maximum cost of 1e308.
    ///
    /// The mean and the squares are rounded, the sums not (both are exact, and their values
    /// correctly rounded): with u = 2⁻⁵³ and M the larger magnitude of the extremes, the
    /// true mean S/n lies in [min, max], `sum.value()` is S(1 + δ) and its quotient by n
    /// (exact as a double up to 2⁵³ runs) adds one more rounding, so the computed mean is
    /// within (2u + u²)·M of [min, max] whatever n; `max·max` is max²(1 + δ) and the sum of
    /// squares' value at least Σx²(1 − u), so max² ≤ Σx² gives `max·max` ≤ value·(1 + 2u)/(1 − u).
    /// Both are allowed 4u (two ulps of the larger), and one smallest normal more for results
    /// in the subnormal range, whose rounding error is absolute.
    pub(crate) fn check(&self, (lo, hi): (f64, f64)) -> Result<(), String> {
        // A figure as a message shows it: 1e308 rather than its 309 digits.
        let num = |x: f64| {
            if x == 0.0 || !x.is_finite() || (1e-4..1e15).contains(&x.abs()) {
                format!("{x}")
            } else {
                format!("{x:e}")
            }
        };
        let (sum, sumsq) = (self.sum.value(), self.sumsq.value());
        for (name, v) in [("sum", sum), ("sum of squares", sumsq)] {
            if !v.is_finite() {
                return Err(format!("has a {name} that is not finite"));
            }
        }
        let (min, max) = match (self.n, self.min, self.max) {
            (0, None, None) if sum == 0.0 && sumsq == 0.0 => return Ok(()),
            (0, ..) => {
                return Err("counts no values but has a sum, a minimum or a maximum".into());
            }
            (_, Some(min), Some(max)) => (min, max),
            _ => return Err("counts values but lacks a minimum or a maximum".into()),
        };
        let (a, b) = (num(min), num(max));
        if !min.is_finite() || !max.is_finite() {
            return Err(format!(
                "has a minimum of {a} and a maximum of {b}: not both finite"
            ));
        }
        if min > max {
            return Err(format!("has a minimum of {a} above its maximum of {b}"));
        }
        if min < lo {
            return Err(format!(
                "has a minimum of {a}, below {}, the least the model gives it",
                num(lo)
            ));
        }
        if max > hi {
            return Err(format!(
                "has a maximum of {b}, above {}, the most the model gives it",
                num(hi)
            ));
        }
        const U4: f64 = 2.0 * f64::EPSILON;
        let slack = U4 * min.abs().max(max.abs()) + f64::MIN_POSITIVE;
        let mean = sum / self.n as f64;
        if mean < min - slack || mean > max + slack {
            return Err(format!(
                "has a mean of {} outside its minimum of {a} and maximum of {b}",
                num(mean)
            ));
        }
        let room = sumsq * (1.0 + U4) + f64::MIN_POSITIVE;
        for (name, x) in [("minimum", min), ("maximum", max)] {
            if x * x > room {
                return Err(format!(
                    "has a {name} of {} whose square exceeds its sum of squares, {}",
                    num(x),
                    num(sumsq)
                ));
            }
        }
        Ok(())
    }

    /// The mean with its 95% interval.
    pub fn interval(&self) -> super::Interval {
        super::interval::mean_interval_of(self.n, &self.sum, &self.sumsq)
    }

    /// The number of values, their mean and their sample variance (NaN below two values).
    pub(crate) fn mean_variance(&self) -> (u64, f64, f64) {
        let (mean, var) = super::interval::mean_variance_of(self.n, &self.sum, &self.sumsq);
        (self.n, mean, var)
    }
}

/// The mantissas of the run counts at which a tally records its outcome counts: the R10
/// preferred numbers (ten per decade, evenly spaced on a log scale), times 100.
const CHECKPOINT_MANTISSAS: [u64; 10] = [100, 125, 160, 200, 250, 315, 400, 500, 630, 800];

/// Whether a tally records its outcome counts once `runs` runs (counted from run 0 of the job)
/// are done: 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, ... (ten per decade).
/// Fixed global run counts, independent of chunks, threads and shards, so that the convergence
/// of an estimate is the same however the runs were split.
pub fn is_checkpoint(runs: u64) -> bool {
    // Every one is a multiple of 5: most runs are ruled out at once.
    if runs < 100 || !runs.is_multiple_of(5) {
        return false;
    }
    let mut m = runs;
    while m >= 1000 {
        if !m.is_multiple_of(10) {
            return false;
        }
        m /= 10;
    }
    CHECKPOINT_MANTISSAS.contains(&m)
}

/// The outcome counts of a batch of runs once a fixed number of the job's runs were done
/// (see [`is_checkpoint`]): one point of an estimate's convergence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Runs of the job done (runs 0 to `runs` − 1).
    pub runs: u64,
    /// Runs in which each outcome happened among them, counted within the tally: from run 0
    /// in a whole job's tally, from the first run of its range in a chunk's or a shard's.
    pub outcome_hits: Vec<u64>,
}

/// Bins of the dyad index histograms over the hostility bounds.
pub const INDEX_BINS: usize = 400;

/// Everything counted over a batch of runs of one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Runs counted.
    pub runs: u64,
    pub(crate) horizon: u32,
    /// Distribution of H at each step.
    pub index_by_step: Vec<Histogram>,
    /// Mean of H at each step.
    pub index_mean_by_step: Vec<ExactSum>,
    /// Runs on each rung at each step: `[step · rungs + rung]` (see [`Tally::rung_counts`]).
    pub rung_by_step: Vec<u64>,
    /// Runs at each level of each measure at each step: `[measure][step · (levels + 1) + level]`
    /// (see [`Tally::level_counts`]). Flat, because the step loop counts into it every step.
    pub level_by_step: Vec<Vec<u64>>,
    /// Runs whose peak rung was each rung.
    pub peak_rung: Vec<u64>,
    /// Runs whose final rung was each rung.
    pub final_rung: Vec<u64>,
    /// Total steps spent on each rung, over all runs.
    pub steps_on_rung: Vec<u64>,
    /// The squares of each run's steps on each rung, summed over the runs: with
    /// `steps_on_rung`, the interval of each rung's mean steps. Empty in tallies written before
    /// it was counted (older shard files), as `outcome_pairs` is, and not written when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps_on_rung_squares: Vec<u128>,
    /// Peak H per run.
    pub peak_index_moments: Moments,
    /// Final H per run.
    pub final_index_moments: Moments,
    /// Cumulative cost per actor per run.
    pub cost: Vec<Moments>,
    /// Cumulative benefit (gains) per actor per run.
    #[serde(default)]
    pub gain: Vec<Moments>,
    pub(crate) cost_hist: Vec<LogHistogram>,
    /// Runs whose highest level of each measure was each level: `[measure][level]`.
    pub max_level: Vec<Vec<u64>>,
    /// Runs in which each outcome happened.
    pub outcome_hits: Vec<u64>,
    /// Step at which each outcome first held: `[outcome][step]`.
    pub outcome_first: Vec<Vec<u64>>,
    /// Step at which each outcome last held: `[outcome][step]`.
    #[serde(default)]
    pub outcome_last: Vec<Vec<u64>>,
    /// Steps each outcome held, summed over runs (its mean duration is this over its hits).
    #[serde(default)]
    pub outcome_steps: Vec<u64>,
    /// The squares of the steps each outcome held, summed over the runs in which it happened:
    /// with `outcome_steps`, the interval of its mean duration. Empty as
    /// `steps_on_rung_squares` may be.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcome_steps_squares: Vec<u128>,
    /// The squares of the steps each measure was in force (above level 0 at a step's end),
    /// summed over the runs: with the steps in force `level_by_step` counts, the interval of
    /// their mean. Empty as `steps_on_rung_squares` may be.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps_in_force_squares: Vec<u128>,
    /// Runs in which both outcomes of each pair happened: `[a · outcomes + b]`, symmetric,
    /// its diagonal the outcome's hits (see [`Tally::outcome_pair`]). Empty in tallies
    /// written before it was counted (older shard files): then nothing can be said of
    /// co-occurrence, and merging such a tally into one that has it leaves it empty. Not
    /// written when empty, so that an older shard file reads back to the bytes it was hashed
    /// as.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcome_pairs: Vec<u64>,
    /// Runs in which each event fired.
    pub event_hits: Vec<u64>,
    /// Step at which each event first fired: `[event][step]`.
    pub event_first: Vec<Vec<u64>>,
    /// The outcome counts at each fixed run count of the job ([`is_checkpoint`]) that fell in
    /// its runs, in run order: how each probability's estimate settled as runs accumulated.
    /// Recorded only by runs counted with their index ([`crate::engine::Accumulator::record`]);
    /// empty in tallies written before it was recorded (older shard files), whose points are
    /// then missing, the others still exact. Not written when empty, so that an older shard
    /// file reads back to the bytes it was hashed as.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<Checkpoint>,
}

impl Tally {
    /// An empty tally shaped for a model.
    pub fn new(m: &Model) -> Self {
        let h = m.horizon as usize;
        let nr = m.rung_names.len();
        let (lo, hi) = m.bounds;
        Tally {
            runs: 0,
            horizon: m.horizon,
            index_by_step: vec![Histogram::new(lo, hi, INDEX_BINS); h],
            index_mean_by_step: vec![ExactSum::new(); h],
            rung_by_step: vec![0; nr * h],
            level_by_step: m
                .measures
                .iter()
                .map(|ms| vec![0; (ms.levels.len() + 1) * h])
                .collect(),
            peak_rung: vec![0; nr],
            final_rung: vec![0; nr],
            steps_on_rung: vec![0; nr],
            steps_on_rung_squares: vec![0; nr],
            peak_index_moments: Moments::default(),
            final_index_moments: Moments::default(),
            cost: vec![Moments::default(); m.actors.len()],
            gain: vec![Moments::default(); m.actors.len()],
            cost_hist: vec![LogHistogram::default(); m.actors.len()],
            max_level: m
                .measures
                .iter()
                .map(|ms| vec![0; ms.levels.len() + 1])
                .collect(),
            outcome_hits: vec![0; m.outcomes.len()],
            outcome_first: vec![vec![0; h]; m.outcomes.len()],
            outcome_last: vec![vec![0; h]; m.outcomes.len()],
            outcome_steps: vec![0; m.outcomes.len()],
            outcome_steps_squares: vec![0; m.outcomes.len()],
            steps_in_force_squares: vec![0; m.measures.len()],
            outcome_pairs: vec![0; m.outcomes.len() * m.outcomes.len()],
            event_hits: vec![0; m.events.len()],
            event_first: vec![vec![0; h]; m.events.len()],
            checkpoints: vec![],
        }
    }

    /// The bytes a fresh tally of this model holds, counted without making one: mostly its
    /// per-step tables (H's histogram, rungs, levels, outcomes' first and last steps, events'
    /// first steps), which grow with the horizon. The engine fits the chunks it keeps in flight
    /// to its memory budget by this (see [`crate::engine::RunPlan::fitted`]).
    pub fn bytes_for(m: &Model) -> u64 {
        use std::mem::size_of;
        let h = m.horizon as u64;
        let nr = m.rung_names.len() as u64;
        let (na, no, ne) = (
            m.actors.len() as u64,
            m.outcomes.len() as u64,
            m.events.len() as u64,
        );
        let level_slots: u64 = m.measures.iter().map(|ms| ms.levels.len() as u64 + 1).sum();
        let nm = m.measures.len() as u64;
        let vec = size_of::<Vec<u64>>() as u64;
        let word = size_of::<u64>() as u64;
        let log_bins = LogHistogram::default().counts.len() as u64;
        h * (size_of::<Histogram>() as u64 + INDEX_BINS as u64 * word)
            + h * size_of::<ExactSum>() as u64
            + nr * h * word
            + nm * vec
            + level_slots * h * word
            + 3 * nr * word
            + 2 * na * size_of::<Moments>() as u64
            + na * (vec + log_bins * word)
            + nm * vec
            + level_slots * word
            + no * word
            + 2 * no * (vec + h * word)
            + no * word
            + no * no * word
            + ne * word
            + ne * (vec + h * word)
            + (nr + no + nm) * size_of::<u128>() as u64
    }

    /// Back to no runs, keeping its memory: equal to `Tally::new` of the same model. The
    /// engine reuses a few tallies rather than allocating one per chunk, so that the memory of
    /// a long run stays where the first batch put it.
    pub fn clear(&mut self) {
        fn zero(v: &mut [u64]) {
            v.fill(0);
        }
        self.runs = 0;
        for h in &mut self.index_by_step {
            zero(&mut h.counts);
        }
        for s in &mut self.index_mean_by_step {
            s.clear();
        }
        zero(&mut self.rung_by_step);
        for l in &mut self.level_by_step {
            zero(l);
        }
        zero(&mut self.peak_rung);
        zero(&mut self.final_rung);
        zero(&mut self.steps_on_rung);
        self.steps_on_rung_squares.fill(0);
        self.outcome_steps_squares.fill(0);
        self.steps_in_force_squares.fill(0);
        self.peak_index_moments.clear();
        self.final_index_moments.clear();
        for c in &mut self.cost {
            c.clear();
        }
        for c in &mut self.gain {
            c.clear();
        }
        for h in &mut self.cost_hist {
            zero(&mut h.counts);
        }
        for l in &mut self.max_level {
            zero(l);
        }
        zero(&mut self.outcome_hits);
        for o in &mut self.outcome_first {
            zero(o);
        }
        for o in &mut self.outcome_last {
            zero(o);
        }
        zero(&mut self.outcome_steps);
        zero(&mut self.outcome_pairs);
        zero(&mut self.event_hits);
        for e in &mut self.event_first {
            zero(e);
        }
        self.checkpoints.clear();
    }

    /// Counts a finished run.
    pub fn record(&mut self, st: &RunState) {
        self.runs += 1;
        self.peak_rung[st.peak_rung] += 1;
        self.final_rung[st.final_rung()] += 1;
        for (a, &s) in self.steps_on_rung.iter_mut().zip(&st.steps_on_rung) {
            *a += s as u64;
        }
        for (a, &s) in self.steps_on_rung_squares.iter_mut().zip(&st.steps_on_rung) {
            *a += u128::from(s) * u128::from(s);
        }
        self.peak_index_moments.add(st.peak_index);
        self.final_index_moments.add(st.index);
        for (a, &c) in st.cost.iter().enumerate() {
            self.cost[a].add(c);
            self.cost_hist[a].add(c);
        }
        for (g, &x) in self.gain.iter_mut().zip(&st.gain) {
            g.add(x);
        }
        for (k, &l) in st.max_level.iter().enumerate() {
            self.max_level[k][l as usize] += 1;
        }
        // Runs at each level of each step: each measure's last level back to its last change,
        // the level it left back to the change before, and so on to the run's start.
        let h = self.horizon.max(1) as usize;
        for (k, counts) in self.level_by_step.iter_mut().enumerate() {
            let w = counts.len() / h;
            let mut level = st.level[k];
            let mut end = self.horizon;
            let mut at = st.last_level_change[k];
            // The steps at whose end it was above level 0: the steps of every stretch above it.
            let mut in_force = 0u32;
            while let Some(c) = st.level_changes.get(at as usize) {
                count_level(counts, w, c.step..end, level);
                in_force += if level > 0 { end - c.step } else { 0 };
                (level, end, at) = (c.from, c.step, c.prev);
            }
            count_level(counts, w, 0..end, level);
            in_force += if level > 0 { end } else { 0 };
            if let Some(sq) = self.steps_in_force_squares.get_mut(k) {
                *sq += u128::from(in_force) * u128::from(in_force);
            }
        }
        for (o, &t) in st.outcome_first.iter().enumerate() {
            if t != u32::MAX {
                self.outcome_hits[o] += 1;
                self.outcome_first[o][t as usize] += 1;
                self.outcome_last[o][st.outcome_last[o] as usize] += 1;
                self.outcome_steps[o] += st.outcome_steps[o] as u64;
                if let Some(sq) = self.outcome_steps_squares.get_mut(o) {
                    *sq += u128::from(st.outcome_steps[o]) * u128::from(st.outcome_steps[o]);
                }
            }
        }
        let no = st.outcome_first.len();
        if self.outcome_pairs.len() == no * no {
            let hit = |o: usize| st.outcome_first[o] != u32::MAX;
            for a in (0..no).filter(|&a| hit(a)) {
                for b in (0..no).filter(|&b| hit(b)) {
                    self.outcome_pairs[a * no + b] += 1;
                }
            }
        }
        for (e, &t) in st.event_first.iter().enumerate() {
            if t != u32::MAX {
                self.event_hits[e] += 1;
                self.event_first[e][t as usize] += 1;
            }
        }
    }

    /// Counts finished run number `run` of the job (numbered from 0), recording the outcome
    /// counts so far when `run + 1` runs is one of the fixed run counts ([`is_checkpoint`]).
    pub fn record_run(&mut self, run: u64, st: &RunState) {
        self.record(st);
        if is_checkpoint(run.saturating_add(1)) {
            self.checkpoints.push(Checkpoint {
                runs: run + 1,
                outcome_hits: self.outcome_hits.clone(),
            });
        }
    }

    /// Adds another tally of the same model (later runs). Exact: the result does not depend on
    /// how runs were split.
    pub fn merge(&mut self, o: &Tally) {
        fn add(a: &mut [u64], b: &[u64]) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        // The other's checkpoints count from its first run: the runs before it are this
        // tally's, whose counts (before adding the other's) they are shifted by.
        for c in &o.checkpoints {
            let mut hits = c.outcome_hits.clone();
            add(&mut hits, &self.outcome_hits);
            self.checkpoints.push(Checkpoint {
                runs: c.runs,
                outcome_hits: hits,
            });
        }
        self.runs += o.runs;
        for (a, b) in self.index_by_step.iter_mut().zip(&o.index_by_step) {
            a.merge(b);
        }
        for (a, b) in self
            .index_mean_by_step
            .iter_mut()
            .zip(&o.index_mean_by_step)
        {
            a.merge(b);
        }
        add(&mut self.rung_by_step, &o.rung_by_step);
        for (a, b) in self.level_by_step.iter_mut().zip(&o.level_by_step) {
            add(a, b);
        }
        add(&mut self.peak_rung, &o.peak_rung);
        add(&mut self.final_rung, &o.final_rung);
        add(&mut self.steps_on_rung, &o.steps_on_rung);
        // As for the pair counts: a tally without squares (an older shard file) makes the
        // sum's unknown too.
        for (a, b) in [
            (&mut self.steps_on_rung_squares, &o.steps_on_rung_squares),
            (&mut self.outcome_steps_squares, &o.outcome_steps_squares),
            (&mut self.steps_in_force_squares, &o.steps_in_force_squares),
        ] {
            if a.len() == b.len() {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
            } else {
                a.clear();
            }
        }
        self.peak_index_moments.merge(&o.peak_index_moments);
        self.final_index_moments.merge(&o.final_index_moments);
        for (a, b) in self.cost.iter_mut().zip(&o.cost) {
            a.merge(b);
        }
        for (a, b) in self.gain.iter_mut().zip(&o.gain) {
            a.merge(b);
        }
        for (a, b) in self.cost_hist.iter_mut().zip(&o.cost_hist) {
            a.merge(b);
        }
        for (a, b) in self.max_level.iter_mut().zip(&o.max_level) {
            add(a, b);
        }
        add(&mut self.outcome_hits, &o.outcome_hits);
        for (a, b) in self.outcome_first.iter_mut().zip(&o.outcome_first) {
            add(a, b);
        }
        for (a, b) in self.outcome_last.iter_mut().zip(&o.outcome_last) {
            add(a, b);
        }
        add(&mut self.outcome_steps, &o.outcome_steps);
        // A tally without pair counts (an older shard file) makes the sum's unknown too:
        // never pairs of some runs passed off as pairs of all.
        if self.outcome_pairs.len() == o.outcome_pairs.len() {
            add(&mut self.outcome_pairs, &o.outcome_pairs);
        } else {
            self.outcome_pairs.clear();
        }
        add(&mut self.event_hits, &o.event_hits);
        for (a, b) in self.event_first.iter_mut().zip(&o.event_first) {
            add(a, b);
        }
    }
}

impl Tally {
    /// Checks that a tally read from outside (a shard file) is one a model's `runs` runs could
    /// have produced: its shape is the model's, and every count adds up (every histogram and
    /// every per-step distribution holds `runs`, no count exceeds `runs`, every sum is finite).
    /// Returns the first figure that does not, in words. So a damaged or edited tally can never
    /// give a probability outside [0, 1]. Its runs are taken to be the job's first ones (see
    /// [`Tally::check_from`] for a shard's).
    pub fn check(&self, m: &Model, runs: u64) -> Result<(), String> {
        self.check_from(m, 0, runs)
    }

    /// As [`Tally::check`], for a tally of the job's runs `first_run..first_run + runs` (a
    /// shard's): its checkpoints must fall in that range, each a fixed run count
    /// ([`is_checkpoint`]), in order, with counts that add up to its totals.
    pub fn check_from(&self, m: &Model, first_run: u64, runs: u64) -> Result<(), String> {
        let fresh = Tally::new(m);
        let shape = |what: &str, a: usize, b: usize| {
            if a == b {
                Ok(())
            } else {
                Err(format!("{what} has {a} entries, the scenario needs {b}"))
            }
        };
        let total = |what: String, v: &[u64]| -> Result<(), String> {
            let mut s: u64 = 0;
            for &x in v {
                s = s
                    .checked_add(x)
                    .ok_or_else(|| format!("{what}: counts overflow"))?;
            }
            if s == runs {
                Ok(())
            } else {
                Err(format!("{what} counts {s} runs, the shard holds {runs}"))
            }
        };
        let at_most = |what: String, x: u64| {
            if x <= runs {
                Ok(())
            } else {
                Err(format!("{what} is {x}, more than the {runs} runs"))
            }
        };
        let moments = |what: &str, mo: &Moments, range: (f64, f64)| -> Result<(), String> {
            if mo.n != runs {
                return Err(format!(
                    "{what} counts {} runs, the shard holds {runs}",
                    mo.n
                ));
            }
            mo.check(range).map_err(|e| format!("{what} {e}"))
        };
        if self.runs != runs {
            return Err(format!(
                "the tally counts {} runs, the shard's range holds {runs}",
                self.runs
            ));
        }
        if self.horizon != fresh.horizon {
            return Err(format!(
                "the tally's horizon is {}, the scenario's {}",
                self.horizon, fresh.horizon
            ));
        }
        let h = self.horizon as usize;
        shape("index_by_step", self.index_by_step.len(), h)?;
        for (t, (a, b)) in self
            .index_by_step
            .iter()
            .zip(&fresh.index_by_step)
            .enumerate()
        {
            if a.lo.to_bits() != b.lo.to_bits() || a.hi.to_bits() != b.hi.to_bits() {
                return Err(format!(
                    "index_by_step[{t}] has other bounds than the scenario's"
                ));
            }
            shape(
                &format!("index_by_step[{t}]"),
                a.counts.len(),
                b.counts.len(),
            )?;
            total(format!("index_by_step[{t}]"), &a.counts)?;
        }
        shape("index_mean_by_step", self.index_mean_by_step.len(), h)?;
        // Each run's index lies within the scenario's bounds, so the step's sum lies within
        // `runs` times them (up to the mean's rounding, 4 ulps of the larger bound): a sum
        // beyond gave a mean outside the bounds, and a mean interval (cut to them) that did
        // not hold its estimate.
        let (lo, hi) = m.bounds;
        let slack = 4.0 * f64::EPSILON * lo.abs().max(hi.abs());
        for (t, x) in self.index_mean_by_step.iter().enumerate() {
            let v = x.value();
            if !v.is_finite() {
                return Err(format!("index_mean_by_step[{t}] is not finite"));
            }
            if runs > 0 {
                let mean = v / runs as f64;
                if mean < lo - slack || mean > hi + slack {
                    return Err(format!(
                        "index_mean_by_step[{t}] makes a mean index of {mean}, outside the \
                         scenario's bounds {lo} to {hi}"
                    ));
                }
            } else if v != 0.0 {
                return Err(format!("index_mean_by_step[{t}] has a sum without runs"));
            }
        }
        shape(
            "rung_by_step",
            self.rung_by_step.len(),
            fresh.rung_by_step.len(),
        )?;
        let nr = fresh.peak_rung.len();
        for t in 0..h {
            total(
                format!("rung_by_step at step {t}"),
                &self.rung_by_step[t * nr..(t + 1) * nr],
            )?;
        }
        shape(
            "level_by_step",
            self.level_by_step.len(),
            fresh.level_by_step.len(),
        )?;
        for (k, (a, b)) in self
            .level_by_step
            .iter()
            .zip(&fresh.level_by_step)
            .enumerate()
        {
            shape(&format!("level_by_step[{k}]"), a.len(), b.len())?;
            let nl = b.len() / h.max(1);
            for t in 0..h {
                total(
                    format!("level_by_step[{k}] at step {t}"),
                    &a[t * nl..(t + 1) * nl],
                )?;
            }
        }
        shape("peak_rung", self.peak_rung.len(), nr)?;
        total("peak_rung".into(), &self.peak_rung)?;
        shape("final_rung", self.final_rung.len(), nr)?;
        total("final_rung".into(), &self.final_rung)?;
        shape("steps_on_rung", self.steps_on_rung.len(), nr)?;
        let steps: u128 = self.steps_on_rung.iter().map(|&x| x as u128).sum();
        if steps != runs as u128 * h as u128 {
            return Err(format!(
                "steps_on_rung counts {steps} steps, {runs} runs of {h} steps make {}",
                runs as u128 * h as u128
            ));
        }
        // The index is the mean of two hostilities, each kept within the scenario's bounds; a
        // run's cumulative costs and gains are sums of costs and benefits clamped to ≥ 0
        // (docs/model.md, "Costs", "Gains").
        let bounds = m.bounds;
        moments("peak_index_moments", &self.peak_index_moments, bounds)?;
        moments("final_index_moments", &self.final_index_moments, bounds)?;
        shape("cost", self.cost.len(), fresh.cost.len())?;
        for (a, mo) in self.cost.iter().enumerate() {
            moments(&format!("cost[{a}]"), mo, (0.0, f64::INFINITY))?;
        }
        shape("gain", self.gain.len(), fresh.gain.len())?;
        for (a, mo) in self.gain.iter().enumerate() {
            moments(&format!("gain[{a}]"), mo, (0.0, f64::INFINITY))?;
        }
        shape("cost_hist", self.cost_hist.len(), fresh.cost_hist.len())?;
        for (a, (x, y)) in self.cost_hist.iter().zip(&fresh.cost_hist).enumerate() {
            shape(&format!("cost_hist[{a}]"), x.counts.len(), y.counts.len())?;
            total(format!("cost_hist[{a}]"), &x.counts)?;
        }
        shape("max_level", self.max_level.len(), fresh.max_level.len())?;
        for (k, (a, b)) in self.max_level.iter().zip(&fresh.max_level).enumerate() {
            shape(&format!("max_level[{k}]"), a.len(), b.len())?;
            total(format!("max_level[{k}]"), a)?;
        }
        // Each hit's last step and duration: one last step per hit, and between one step and
        // the horizon held per hit.
        shape(
            "outcome_steps",
            self.outcome_steps.len(),
            fresh.outcome_hits.len(),
        )?;
        // The hits first: a count of hits beyond the runs was told as a wrong outcome_steps.
        for (i, &n) in self.outcome_hits.iter().enumerate() {
            at_most(format!("outcome_hits[{i}]"), n)?;
        }
        for (i, (&steps, &n)) in self
            .outcome_steps
            .iter()
            .zip(&self.outcome_hits)
            .enumerate()
        {
            if (steps as u128) < n as u128 || steps as u128 > n as u128 * h as u128 {
                return Err(format!(
                    "outcome_steps[{i}] is {steps} for the {n} runs of outcome_hits[{i}], \
                     {h} steps each"
                ));
            }
        }
        // Sums of squares of whole numbers of steps, each run's at most the horizon: at least
        // the steps (x² ≥ x) and at most the horizon times them (x² ≤ h·x).
        let in_force: Vec<u128> = self
            .level_by_step
            .iter()
            .map(|counts| {
                let w = (counts.len() / h.max(1)).max(1);
                counts
                    .chunks_exact(w)
                    .map(|row| u128::from(runs.saturating_sub(row[0])))
                    .sum()
            })
            .collect();
        let widen = |v: &[u64]| v.iter().map(|&x| u128::from(x)).collect::<Vec<u128>>();
        for (what, squares, steps) in [
            (
                "steps_on_rung_squares",
                &self.steps_on_rung_squares,
                widen(&self.steps_on_rung),
            ),
            (
                "outcome_steps_squares",
                &self.outcome_steps_squares,
                widen(&self.outcome_steps),
            ),
            (
                "steps_in_force_squares",
                &self.steps_in_force_squares,
                in_force,
            ),
        ] {
            if squares.is_empty() {
                continue;
            }
            shape(what, squares.len(), steps.len())?;
            for (i, (&q, &x)) in squares.iter().zip(&steps).enumerate() {
                if q < x || q > x * h as u128 {
                    return Err(format!(
                        "{what}[{i}] is {q} for {x} steps in all, at most {h} a run"
                    ));
                }
            }
        }
        for (what, hits, first, want) in [
            (
                "outcome",
                &self.outcome_hits,
                &self.outcome_first,
                fresh.outcome_hits.len(),
            ),
            (
                "outcome_last",
                &self.outcome_hits,
                &self.outcome_last,
                fresh.outcome_hits.len(),
            ),
            (
                "event",
                &self.event_hits,
                &self.event_first,
                fresh.event_hits.len(),
            ),
        ] {
            shape(&format!("{what}_hits"), hits.len(), want)?;
            shape(&format!("{what}_first"), first.len(), want)?;
            for (i, (&n, f)) in hits.iter().zip(first).enumerate() {
                at_most(format!("{what}_hits[{i}]"), n)?;
                shape(&format!("{what}_first[{i}]"), f.len(), h)?;
                let s: u128 = f.iter().map(|&x| x as u128).sum();
                if s != n as u128 {
                    return Err(format!(
                        "{what}_first[{i}] counts {s} runs, {what}_hits[{i}] says {n}"
                    ));
                }
            }
        }
        // Pair counts: absent (a tally written before they were counted), or a symmetric
        // square whose diagonal is each outcome's hits and whose other cells are at most the
        // fewer hits of the two.
        let no = fresh.outcome_hits.len();
        if !self.outcome_pairs.is_empty() {
            shape("outcome_pairs", self.outcome_pairs.len(), no * no)?;
            if self.outcome_hits.len() != no {
                return Err(format!(
                    "outcome_hits has {} entries, the scenario needs {no}",
                    self.outcome_hits.len()
                ));
            }
            for a in 0..no {
                for b in 0..no {
                    let x = self.outcome_pairs[a * no + b];
                    let (ha, hb) = (self.outcome_hits[a], self.outcome_hits[b]);
                    if a == b && x != ha {
                        return Err(format!(
                            "outcome_pairs[{a}][{a}] is {x}, outcome_hits[{a}] says {ha}"
                        ));
                    }
                    if x != self.outcome_pairs[b * no + a] {
                        return Err(format!(
                            "outcome_pairs[{a}][{b}] is not outcome_pairs[{b}][{a}]"
                        ));
                    }
                    if x > ha.min(hb) {
                        return Err(format!(
                            "outcome_pairs[{a}][{b}] is {x}, more than the runs of one of \
                             the two outcomes"
                        ));
                    }
                }
            }
        }
        self.check_checkpoints(first_run, runs)
    }

    /// The checkpoints of a tally of runs `first_run..first_run + runs` (see
    /// [`Tally::check_from`]). Counts start from the range's first run: at a checkpoint, no
    /// outcome counts more runs than were done since, nor fewer than at the one before, nor
    /// more than its total, and the runs left after it hold the rest of the total.
    fn check_checkpoints(&self, first_run: u64, runs: u64) -> Result<(), String> {
        let end = first_run
            .checked_add(runs)
            .ok_or_else(|| "the runs overflow".to_string())?;
        let no = self.outcome_hits.len();
        let mut prev_runs = first_run;
        let zeros = vec![0; no];
        let mut prev_hits = &zeros;
        for (i, c) in self.checkpoints.iter().enumerate() {
            let what = format!("checkpoints[{i}]");
            if !is_checkpoint(c.runs) {
                return Err(format!(
                    "{what} is at {} runs, not one of the fixed run counts",
                    c.runs
                ));
            }
            if c.runs <= prev_runs || c.runs > end {
                return Err(format!(
                    "{what} is at {} runs, outside runs {prev_runs}..{end} or out of order",
                    c.runs
                ));
            }
            if c.outcome_hits.len() != no {
                return Err(format!(
                    "{what} has {} outcomes, the tally {no}",
                    c.outcome_hits.len()
                ));
            }
            for (o, (&h, &p)) in c.outcome_hits.iter().zip(prev_hits).enumerate() {
                if h < p || h - p > c.runs - prev_runs {
                    return Err(format!(
                        "{what} counts {h} runs for outcome {o}, which does not follow the \
                         {p} runs counted before it"
                    ));
                }
                let total = self.outcome_hits[o];
                if h > total || total - h > end - c.runs {
                    return Err(format!(
                        "{what} counts {h} runs for outcome {o}, which does not fit its \
                         {total} runs in all"
                    ));
                }
            }
            prev_runs = c.runs;
            prev_hits = &c.outcome_hits;
        }
        Ok(())
    }
}

impl Tally {
    /// Whether it sums the squares of the runs' durations (steps on each rung, each outcome's
    /// steps held, each measure's steps in force), which give their means' intervals: a tally
    /// read from a shard file written before they were kept does not, nor a merge with one.
    pub fn has_duration_squares(&self) -> bool {
        self.steps_on_rung_squares.len() == self.steps_on_rung.len()
            && self.outcome_steps_squares.len() == self.outcome_steps.len()
            && self.steps_in_force_squares.len() == self.level_by_step.len()
    }

    /// Whether it counts the runs in which both outcomes of each pair happened (tallies
    /// written before brink counted them do not).
    pub fn has_outcome_pairs(&self) -> bool {
        self.outcome_pairs.len() == self.outcome_hits.len() * self.outcome_hits.len()
    }

    /// Runs in which both outcome `a` and outcome `b` happened; none when the tally does not
    /// count pairs.
    pub fn outcome_pair(&self, a: usize, b: usize) -> Option<u64> {
        let n = self.outcome_hits.len();
        if self.has_outcome_pairs() && a < n && b < n {
            Some(self.outcome_pairs[a * n + b])
        } else {
            None
        }
    }

    /// Runs on each rung at step `t`.
    pub fn rung_counts(&self, t: usize) -> &[u64] {
        let nr = self.rung_by_step.len() / self.horizon as usize;
        &self.rung_by_step[t * nr..(t + 1) * nr]
    }

    /// Runs at each level of measure `k` at step `t`.
    pub fn level_counts(&self, k: usize, t: usize) -> &[u64] {
        let w = self.level_by_step[k].len() / self.horizon as usize;
        &self.level_by_step[k][t * w..(t + 1) * w]
    }
}

/// One more run at `level` in each of `steps`, in counts of `w` levels a step.
fn count_level(counts: &mut [u64], w: usize, steps: std::ops::Range<u32>, level: u8) {
    if steps.start < steps.end {
        let rows = &mut counts[steps.start as usize * w..steps.end as usize * w];
        for row in rows.chunks_exact_mut(w) {
            row[level as usize] += 1;
        }
    }
}

impl Observer for Tally {
    /// The levels are counted when the run is recorded ([`Tally::record`]).
    #[inline]
    fn step(&mut self, t: u32, m: &Model, s: &RunState) {
        let t = t as usize;
        self.index_by_step[t].add(s.index);
        self.index_mean_by_step[t].add(s.index);
        self.rung_by_step[t * m.rung_names.len() + s.rung] += 1;
    }
}

impl crate::engine::Accumulator for Tally {
    fn new(model: &Model) -> Self {
        Tally::new(model)
    }
    fn clear(&mut self) {
        Tally::clear(self)
    }
    #[inline]
    fn record(&mut self, run: u64, state: &RunState) {
        Tally::record_run(self, run, state)
    }
    fn merge(&mut self, other: &Self) {
        Tally::merge(self, other)
    }
    fn runs(&self) -> u64 {
        self.runs
    }
}

/// The tutorial scenario loaded and compiled, and a tally of its first `runs` runs (seed 1):
/// what unit tests of tallies and of the summaries made from them start from.
#[cfg(test)]
pub(crate) fn tutorial_tally(runs: u64) -> (crate::scenario::LoadedScenario, Model, Tally) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/tutorial.ron");
    let loaded = crate::scenario::load(&path, Default::default()).unwrap();
    let m = crate::model::compile(&loaded.scenario, None).unwrap();
    let master = crate::numerics::rng::Master::new(1);
    let mut t = Tally::new(&m);
    let mut st = RunState::new(&m);
    for run in 0..runs {
        crate::model::simulate(&m, &master, run, &mut st, &mut t);
        t.record_run(run, &st);
    }
    (loaded, m, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    /// A real tally passes its own check; extremes edited out of line with its sums and its
    /// counts, or outside what the model gives, are each refused, named.
    #[test]
    fn a_tallys_extremes_must_fit_its_sums_and_the_model() {
        let (_, m, t) = tutorial_tally(300);
        t.check(&m, 300).unwrap();
        let refused = |edit: &dyn Fn(&mut Tally), want: &str| {
            let mut bad = t.clone();
            edit(&mut bad);
            let e = bad.check(&m, 300).expect_err(want);
            assert!(e.contains(want), "expected {want:?}: {e}");
        };
        let mean = t.cost[0].sum.value() / 300.0;
        assert!(
            t.cost[0].max.unwrap() > 0.0,
            "the tutorial's first actor bears a cost"
        );
        refused(
            &|b| b.cost[0].max = Some(1e308),
            "cost[0] has a maximum of 1e308 whose square exceeds its sum of squares",
        );
        refused(
            &|b| b.cost[0].max = Some(mean * 0.5),
            "cost[0] has a mean of",
        );
        refused(
            &|b| b.cost[0].min = Some(mean * 2.0 + 1.0),
            "cost[0] has a mean of",
        );
        refused(
            &|b| b.cost[0].min = Some(-1.0),
            "below 0, the least the model gives it",
        );
        refused(
            &|b| b.gain[0].min = Some(-1e-300),
            "gain[0] has a minimum of",
        );
        refused(&|b| b.cost[0].max = Some(f64::NAN), "not both finite");
        let (lo, hi) = m.bounds;
        refused(
            &|b| b.peak_index_moments.max = Some(hi + 1.0),
            "peak_index_moments has a maximum of",
        );
        refused(
            &|b| b.final_index_moments.min = Some(lo - 1.0),
            "final_index_moments has a minimum of",
        );
        // No runs: no extremes and sums of 0.
        let empty = Tally::new(&m);
        empty.check(&m, 0).unwrap();
        let mut bad = empty.clone();
        bad.cost[0].max = Some(1.0);
        let e = bad.check(&m, 0).unwrap_err();
        assert!(e.contains("counts no values"), "{e}");
    }

    /// The check's slack covers the rounding of the mean and the squares: values all one
    /// number (the mean then exactly the extremes, up to rounding) and values spread over
    /// many magnitudes pass, however many.
    #[test]
    fn moments_at_the_edge_of_rounding_pass_their_check() {
        for x in [0.1, 1.0 / 3.0, 1e-310, 7e12, 123456.789] {
            for n in [1u64, 3, 1000, 100_003] {
                let mut mo = Moments::default();
                for _ in 0..n {
                    mo.add(x);
                }
                mo.check((0.0, f64::INFINITY))
                    .unwrap_or_else(|e| panic!("{x} × {n}: {e}"));
            }
        }
        let mut mo = Moments::default();
        let mut x = 1e-300f64;
        while x < 1e150 {
            mo.add(x);
            x *= 1.37;
        }
        mo.check((0.0, f64::INFINITY)).unwrap();
    }

    /// What a tally holds, from its vectors' own lengths and element sizes.
    fn held(t: &Tally) -> u64 {
        fn v<T>(x: &[T]) -> u64 {
            std::mem::size_of_val(x) as u64
        }
        let nested = |x: &Vec<Vec<u64>>| v(x) + x.iter().map(|i| v(i)).sum::<u64>();
        v(&t.index_by_step)
            + t.index_by_step.iter().map(|h| v(&h.counts)).sum::<u64>()
            + v(&t.index_mean_by_step)
            + v(&t.rung_by_step)
            + nested(&t.level_by_step)
            + v(&t.peak_rung)
            + v(&t.final_rung)
            + v(&t.steps_on_rung)
            + v(&t.cost)
            + v(&t.gain)
            + v(&t.cost_hist)
            + t.cost_hist.iter().map(|h| v(&h.counts)).sum::<u64>()
            + nested(&t.max_level)
            + v(&t.outcome_hits)
            + nested(&t.outcome_first)
            + nested(&t.outcome_last)
            + v(&t.outcome_steps)
            + v(&t.outcome_pairs)
            + v(&t.steps_on_rung_squares)
            + v(&t.outcome_steps_squares)
            + v(&t.steps_in_force_squares)
            + v(&t.event_hits)
            + nested(&t.event_first)
    }

    #[test]
    fn bytes_for_is_what_a_fresh_tally_holds() {
        for file in [
            "scenarios/russia_azerbaijan_2025.ron",
            "scenarios/examples/tutorial.ron",
            "scenarios/examples/richardson.ron",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            let loaded = crate::scenario::load(&path, Default::default()).unwrap();
            let m = crate::model::compile(&loaded.scenario, None).unwrap();
            let t = Tally::new(&m);
            assert_eq!(Tally::bytes_for(&m), held(&t), "{file}");
            // Most of it is the per-step tables.
            assert!(Tally::bytes_for(&m) > m.horizon as u64 * INDEX_BINS as u64 * 8);
        }
        assert!(size_of::<Tally>() < 1024);
    }

    /// A tally whose hits exceed its runs is told by its hits, not by the steps held that
    /// follow from them ("outcome_steps[0] is 3430 for 18446744073709551615 runs", a
    /// reviewing helper's damaged shard).
    #[test]
    fn hits_beyond_the_runs_are_named_as_hits() {
        let (_, m, mut t) = tutorial_tally(40);
        assert_eq!(t.check(&m, 40), Ok(()));
        let o = (0..t.outcome_hits.len())
            .find(|&o| t.outcome_hits[o] > 0)
            .expect("an outcome that happened");
        t.outcome_hits[o] = u64::MAX;
        let e = t.check(&m, 40).unwrap_err();
        assert!(
            e.starts_with(&format!("outcome_hits[{o}] is {}", u64::MAX)),
            "{e}"
        );
    }
}
