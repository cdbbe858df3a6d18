//! The Monte Carlo engine: seeding, parallel runs in fixed chunks, ordered merge.
//!
//! Runs are cut into chunks of [`CHUNK_RUNS`] consecutive run indices. Chunks are simulated in
//! parallel, a batch at a time, and their tallies merged in chunk order, so memory stays flat
//! and the result is the same for any number of threads (and any split into shards, which are
//! ranges of chunks).

pub mod rng;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::model::{Model, RunState, simulate};
use crate::stats::Tally;
use rng::Master;

/// Runs per chunk: the unit of parallel work, of merging and of sharding.
pub const CHUNK_RUNS: u64 = 1024;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// Master seed.
    pub seed: u64,
    /// Total runs of the whole job (all shards).
    pub runs: u64,
    /// The runs this process computes: `first_run..end_run` (a shard's share, or all).
    pub first_run: u64,
    pub end_run: u64,
    /// The chunks that hold them: `first_chunk..end_chunk`. A shard's first and last chunks
    /// may be partial; merging is exact, so where the cuts fall changes no result.
    pub first_chunk: u64,
    pub end_chunk: u64,
    /// Worker threads.
    pub threads: usize,
}

impl RunPlan {
    /// All runs, in one process.
    pub fn whole(seed: u64, runs: u64, threads: usize) -> Self {
        RunPlan {
            seed,
            runs,
            first_run: 0,
            end_run: runs,
            first_chunk: 0,
            end_chunk: chunks_for(runs),
            threads,
        }
    }

    /// The runs `first_run..end_run` of a job of `runs` runs.
    pub fn part(seed: u64, runs: u64, first_run: u64, end_run: u64, threads: usize) -> Self {
        let end_run = end_run.min(runs);
        let first_run = first_run.min(end_run);
        RunPlan {
            seed,
            runs,
            first_run,
            end_run,
            first_chunk: first_run / CHUNK_RUNS,
            end_chunk: if first_run == end_run {
                first_run / CHUNK_RUNS
            } else {
                chunks_for(end_run)
            },
            threads,
        }
    }

    /// Runs this plan covers.
    pub fn own_runs(&self) -> u64 {
        self.end_run - self.first_run
    }

    /// The runs of one of its chunks that this plan covers.
    pub fn chunk_range(&self, chunk: u64) -> std::ops::Range<u64> {
        let lo = (chunk * CHUNK_RUNS).max(self.first_run);
        let hi = ((chunk + 1) * CHUNK_RUNS).min(self.end_run);
        lo..hi.max(lo)
    }
}

/// Number of chunks for a number of runs.
pub fn chunks_for(runs: u64) -> u64 {
    runs.div_ceil(CHUNK_RUNS)
}

/// Receives what the engine produces as chunks complete, in chunk order.
pub trait ChunkSink {
    /// Whether per-run rows are wanted.
    fn wants_rows(&self) -> bool {
        false
    }
    /// The rows of one chunk (one line per run), in order.
    fn rows(&mut self, _rows: &str) -> std::io::Result<()> {
        Ok(())
    }
    /// Called after each batch with the runs done so far.
    fn progress(&mut self, _runs_done: u64) {}
}

/// A sink that wants nothing.
pub struct NoSink;
impl ChunkSink for NoSink {}

/// How a run of the engine ended.
#[derive(Debug)]
pub enum Stopped {
    /// Interrupted at a chunk boundary: the tally holds the runs done.
    Interrupted(Box<Tally>),
    /// Writing rows failed.
    Io(std::io::Error),
}

/// Formats one per-run row: run index, the uncertain numbers, then the outcomes.
pub type RowWriter = dyn Fn(&Model, u64, &RunState, &mut String) + Sync;

/// Runs the plan's chunks of `model`. `row` formats a per-run row when the sink wants rows.
pub fn run(
    model: &Model,
    plan: &RunPlan,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
    stop: &AtomicBool,
) -> Result<Tally, Stopped> {
    run_until(model, plan, sink, row, stop, None)
}

/// A precision target: stop once outcome `outcome`'s 95% Wilson interval has at most this
/// half-width (checked after every chunk, in chunk order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    pub outcome: usize,
    pub half_width: f64,
}

/// As [`run`], stopping early once `until` is reached.
pub fn run_until(
    model: &Model,
    plan: &RunPlan,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
    stop: &AtomicBool,
    until: Option<Precision>,
) -> Result<Tally, Stopped> {
    let master = Master::new(plan.seed);
    let want_rows = sink.wants_rows() && row.is_some();
    let mut total = Tally::new(model);
    let mut failed = None;
    let mut slots = Vec::new();
    let done = for_each_chunk_in(
        plan,
        stop,
        &mut slots,
        || ChunkSlot::new(model),
        |chunk, slot| {
            run_range_into(
                model,
                &master,
                plan.chunk_range(chunk),
                want_rows,
                row,
                slot,
            )
        },
        |slot| {
            total.merge(&slot.tally);
            if want_rows
                && failed.is_none()
                && let Err(e) = sink.rows(&slot.rows)
            {
                failed = Some(e);
            }
            sink.progress(total.runs);
            match until {
                Some(p)
                    if crate::stats::wilson(
                        total.outcome_hits[p.outcome],
                        total.runs,
                        crate::stats::Z95,
                    )
                    .half_width()
                        <= p.half_width =>
                {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        },
    );
    if let Some(e) = failed {
        return Err(Stopped::Io(e));
    }
    match done {
        Ok(_) => Ok(total),
        Err(Interrupted) => Err(Stopped::Interrupted(Box::new(total))),
    }
}

/// The stop flag was set: the work ended at a batch boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Computes `work(chunk)` for every chunk of the plan on its thread pool, a batch at a time,
/// and hands the results to `merge` in chunk order. Memory holds one batch of results at most;
/// the order of `merge` calls never depends on the threads. Stops at a batch boundary when
/// `stop` is set.
pub fn for_each_chunk<T: Send>(
    plan: &RunPlan,
    stop: &AtomicBool,
    work: impl Fn(u64) -> T + Sync,
    mut merge: impl FnMut(T),
) -> Result<(), Interrupted> {
    for_each_chunk_until(plan, stop, work, |t| {
        merge(t);
        ControlFlow::Continue(())
    })
    .map(|_| ())
}

/// As [`for_each_chunk`], but `merge` may end the work after any chunk (`Break`); chunks
/// computed beyond it in the same batch are discarded, so where the work ends depends only on
/// the merged results, never on the threads. Returns the chunk after the last one merged.
pub fn for_each_chunk_until<T: Send>(
    plan: &RunPlan,
    stop: &AtomicBool,
    work: impl Fn(u64) -> T + Sync,
    mut merge: impl FnMut(T) -> ControlFlow<()>,
) -> Result<u64, Interrupted> {
    let mut slots: Vec<Option<T>> = Vec::new();
    for_each_chunk_in(
        plan,
        stop,
        &mut slots,
        || None,
        |chunk, slot| *slot = Some(work(chunk)),
        |slot| match slot.take() {
            Some(t) => merge(t),
            None => ControlFlow::Continue(()),
        },
    )
}

/// As [`for_each_chunk_until`], with the results of a batch kept in `slots` that live from
/// batch to batch: `work(chunk, slot)` fills a slot (made by `new_slot` the first time), and
/// `merge` reads the slots in chunk order. Reusing the slots rather than allocating results per
/// chunk keeps the memory of a long job where its first batch put it.
pub fn for_each_chunk_in<S: Send>(
    plan: &RunPlan,
    stop: &AtomicBool,
    slots: &mut Vec<S>,
    new_slot: impl Fn() -> S,
    work: impl Fn(u64, &mut S) + Sync,
    mut merge: impl FnMut(&mut S) -> ControlFlow<()>,
) -> Result<u64, Interrupted> {
    let threads = plan.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    let batch = (threads * 4) as u64;
    let mut c = plan.first_chunk;
    while c < plan.end_chunk {
        if stop.load(Ordering::SeqCst) {
            return Err(Interrupted);
        }
        let hi = (c + batch).min(plan.end_chunk);
        let n = (hi - c) as usize;
        while slots.len() < n {
            slots.push(new_slot());
        }
        let batch_slots = &mut slots[..n];
        match &pool {
            Ok(pool) => pool.install(|| {
                batch_slots
                    .par_iter_mut()
                    .enumerate()
                    .for_each(|(i, slot)| work(c + i as u64, slot))
            }),
            // No threads to be had: do the work here, in order.
            Err(_) => {
                for (i, slot) in batch_slots.iter_mut().enumerate() {
                    work(c + i as u64, slot);
                }
            }
        }
        for (i, slot) in batch_slots.iter_mut().enumerate() {
            if merge(slot).is_break() {
                return Ok(c + i as u64 + 1);
            }
        }
        c = hi;
    }
    Ok(c)
}

/// The working memory of one chunk of runs: its tally, a run state and its per-run rows.
pub struct ChunkSlot {
    pub tally: Tally,
    pub state: RunState,
    pub rows: String,
}

impl ChunkSlot {
    /// A slot for a model.
    pub fn new(model: &Model) -> Self {
        ChunkSlot {
            tally: Tally::new(model),
            state: RunState::new(model),
            rows: String::new(),
        }
    }
}

/// Simulates one chunk of runs in order.
pub fn run_chunk(
    model: &Model,
    master: &Master,
    runs: u64,
    chunk: u64,
    want_rows: bool,
    row: Option<&RowWriter>,
) -> (Tally, String) {
    let mut slot = ChunkSlot::new(model);
    run_chunk_into(model, master, runs, chunk, want_rows, row, &mut slot);
    (slot.tally, slot.rows)
}

/// As [`run_chunk`], into a slot whose memory is reused (its tally and rows start afresh).
pub fn run_chunk_into(
    model: &Model,
    master: &Master,
    runs: u64,
    chunk: u64,
    want_rows: bool,
    row: Option<&RowWriter>,
    slot: &mut ChunkSlot,
) {
    let lo = chunk * CHUNK_RUNS;
    let hi = ((chunk + 1) * CHUNK_RUNS).min(runs);
    run_range_into(model, master, lo..hi, want_rows, row, slot);
}

/// Simulates runs `range` in order into a slot (its tally and rows start afresh).
pub fn run_range_into(
    model: &Model,
    master: &Master,
    range: std::ops::Range<u64>,
    want_rows: bool,
    row: Option<&RowWriter>,
    slot: &mut ChunkSlot,
) {
    slot.tally.clear();
    slot.rows.clear();
    for r in range {
        simulate(model, master, r, &mut slot.state, &mut slot.tally);
        slot.tally.record(&slot.state);
        if want_rows && let Some(f) = row {
            f(model, r, &slot.state, &mut slot.rows);
        }
    }
}
