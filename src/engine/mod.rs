//! The Monte Carlo engine: seeding, parallel runs in fixed chunks, ordered merge.
//!
//! Runs are cut into chunks of [`CHUNK_RUNS`] consecutive run indices. Chunks are simulated in
//! parallel, a batch at a time, and their tallies merged in chunk order, so memory stays flat
//! and the result is the same for any number of threads (and any split into shards, which are
//! ranges of chunks).

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::model::{Model, Observer, RunState, simulate};
use crate::numerics::rng::Master;

mod plan;
pub use plan::{CHUNK_RUNS, RunPlan, ShardSpec, chunks_for};

/// One value of a per-run row, typed so that CSV, Parquet and the data dictionary share one
/// schema (`report::table` gives each column its type; this is the value a row holds there).
/// It lives here, below the report, because the engine hands rows of it to its sink.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// For `ColumnType::UInt64`.
    U64(u64),
    /// For `ColumnType::Int32Nullable`; `None` is null (an empty CSV field).
    I32(Option<i32>),
    /// For `ColumnType::Float64`.
    F64(f64),
    /// For `ColumnType::Float32`.
    F32(f32),
    /// For `ColumnType::Bool` (CSV: 1 or 0).
    Bool(bool),
    /// For `ColumnType::Category`: the index into its levels.
    Category(u32),
}

/// Receives what the engine produces as chunks complete, in chunk order.
pub trait ChunkSink {
    /// Whether per-run rows are wanted.
    fn wants_rows(&self) -> bool {
        false
    }
    /// The rows of one chunk, in run order: each run's cells one after the other (a flat
    /// list, as many cells a row as the table has columns).
    fn rows(&mut self, _rows: &[Cell]) -> std::io::Result<()> {
        Ok(())
    }
    /// Called after each batch with the runs done so far.
    fn progress(&mut self, _runs_done: u64) {}
}

/// A sink that wants nothing.
pub struct NoSink;
impl ChunkSink for NoSink {}

/// What the engine counts runs into: built empty for a model, told of every step (as an
/// [`Observer`]) and of every finished run, and merged chunk by chunk in chunk order. The
/// statistics layer's `Tally` is one; the engine knows only this trait, so that statistics
/// depend on the engine and not the other way round.
pub trait Accumulator: Observer + Send + Sized {
    /// An empty accumulator shaped for a model.
    fn new(model: &Model) -> Self;
    /// Back to no runs, keeping its memory.
    fn clear(&mut self);
    /// Counts finished run number `run` of the job (run indices are global: a chunk's or a
    /// shard's runs keep the numbers they have in the whole job, so that what depends on how
    /// many runs were done, such as the statistics' convergence checkpoints, does not depend
    /// on the split).
    fn record(&mut self, run: u64, state: &RunState);
    /// Adds another accumulator's runs (later runs).
    fn merge(&mut self, other: &Self);
    /// Runs counted.
    fn runs(&self) -> u64;
}

/// How a run of the engine ended.
#[derive(Debug)]
pub enum Stopped<A> {
    /// Interrupted at a chunk boundary: the accumulator holds the runs done.
    Interrupted(Box<A>),
    /// Writing rows failed.
    Io(std::io::Error),
}

/// Appends one per-run row's cells: `(which, model, run, state, cells)`, where `which` is the
/// model's place in the job (0 for a run; the arm of a comparison, the point of a sweep), so
/// that one writer can key the rows of several models.
pub type RowWriter<'a> = dyn Fn(usize, &Model, u64, &RunState, &mut Vec<Cell>) + Sync + 'a;

/// Runs the plan's chunks of `model`. `row` formats a per-run row when the sink wants rows.
pub fn run<A: Accumulator>(
    model: &Model,
    plan: &RunPlan,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
    stop: &AtomicBool,
) -> Result<A, Stopped<A>> {
    run_until(model, plan, sink, row, stop, |_: &A| false)
}

/// As [`run`], stopping after the first chunk (in chunk order) whose merged total makes
/// `enough` true: where it stops depends only on the results, never on the threads.
pub fn run_until<A: Accumulator>(
    model: &Model,
    plan: &RunPlan,
    sink: &mut dyn ChunkSink,
    row: Option<&RowWriter>,
    stop: &AtomicBool,
    mut enough: impl FnMut(&A) -> bool,
) -> Result<A, Stopped<A>> {
    let master = Master::new(plan.seed);
    let want_rows = sink.wants_rows() && row.is_some();
    let mut total = A::new(model);
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
            sink.progress(total.runs());
            if enough(&total) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
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
pub struct ChunkSlot<A> {
    /// The chunk's own counts.
    pub tally: A,
    /// The state of the run being simulated.
    pub state: RunState,
    /// The chunk's per-run rows, when wanted: every run's cells, in run order.
    pub rows: Vec<Cell>,
}

impl<A: Accumulator> ChunkSlot<A> {
    /// A slot for a model.
    pub fn new(model: &Model) -> Self {
        ChunkSlot {
            tally: A::new(model),
            state: RunState::new(model),
            rows: Vec::new(),
        }
    }
}

/// Simulates one chunk of runs in order.
pub fn run_chunk<A: Accumulator>(
    model: &Model,
    master: &Master,
    runs: u64,
    chunk: u64,
    want_rows: bool,
    row: Option<&RowWriter>,
) -> (A, Vec<Cell>) {
    let mut slot = ChunkSlot::new(model);
    run_chunk_into(model, master, runs, chunk, want_rows, row, &mut slot);
    (slot.tally, slot.rows)
}

/// As [`run_chunk`], into a slot whose memory is reused (its tally and rows start afresh).
pub fn run_chunk_into<A: Accumulator>(
    model: &Model,
    master: &Master,
    runs: u64,
    chunk: u64,
    want_rows: bool,
    row: Option<&RowWriter>,
    slot: &mut ChunkSlot<A>,
) {
    let lo = chunk * CHUNK_RUNS;
    let hi = ((chunk + 1) * CHUNK_RUNS).min(runs);
    run_range_into(model, master, lo..hi, want_rows, row, slot);
}

/// Simulates runs `range` in order into a slot (its tally and rows start afresh).
pub fn run_range_into<A: Accumulator>(
    model: &Model,
    master: &Master,
    range: std::ops::Range<u64>,
    want_rows: bool,
    row: Option<&RowWriter>,
    slot: &mut ChunkSlot<A>,
) {
    slot.tally.clear();
    slot.rows.clear();
    for r in range {
        simulate(model, master, r, &mut slot.state, &mut slot.tally);
        slot.tally.record(r, &slot.state);
        if want_rows && let Some(f) = row {
            f(0, model, r, &slot.state, &mut slot.rows);
        }
    }
}
