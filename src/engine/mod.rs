//! The Monte Carlo engine: seeding, parallel runs in fixed chunks, ordered merge.
//!
//! Runs are cut into chunks of [`CHUNK_RUNS`] consecutive run indices. Chunks are simulated in
//! parallel, a few ahead of the merge at most, and their tallies merged in chunk order, so
//! memory stays flat and the result is the same for any number of threads (and any split into
//! shards, which are ranges of chunks).

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::model::{Model, Observer, RunState, sample_values_of_runs, simulate_sampled};
use crate::numerics::rng::Master;

pub mod heap;
mod plan;
pub use plan::{CHUNK_RUNS, COUNTS_BUDGET, CountsTooLarge, RunPlan, ShardSpec, chunks_for};

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
    /// Called after each chunk merged with the runs done so far.
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
                stop,
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

/// The stop flag was set: the work ended at a chunk boundary (the chunks before it merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Runs `work` on a rayon pool of `threads` threads (at least one): what it does side by
/// side (`par_iter`) runs there, not on every core. On the current thread if no pool can be
/// made.
pub fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// Computes `work(chunk)` for every chunk of the plan on its thread pool and hands the results
/// to `merge` in chunk order. Memory holds `4 × threads` results at most; the order of `merge`
/// calls never depends on the threads. Stops at a chunk boundary when `stop` is set.
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
/// computed beyond it are discarded, so where the work ends depends only on
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

/// As [`for_each_chunk_until`], with the results kept in `slots` that live from chunk to
/// chunk: `work(chunk, slot)` fills a slot (made by `new_slot` the first time), and `merge`
/// reads the slots in chunk order. Reusing the slots rather than allocating results per chunk
/// keeps the memory of a long job where its first chunks put it.
///
/// The chunks flow through a window of `4 × threads` slots (fewer when [`RunPlan::fitted`] cut
/// it to the memory budget): a thread takes the next chunk as
/// soon as it is free and its slot has been merged, while this thread merges the finished
/// chunks in order. (Batches with a barrier between them left a thread idle for half a chunk at
/// every batch's end: about a twentieth of two threads' time.) After a stop, no chunk is
/// merged: `work` may leave its chunk part-done when it sees `stop` (a run of a large
/// scenario can take a second, a chunk of 1,024 of them many minutes), so the chunks merged
/// are a prefix of whole chunks. `stop`, once set, must stay set until this returns (a thread
/// that saw it has left).
pub fn for_each_chunk_in<S: Send>(
    plan: &RunPlan,
    stop: &AtomicBool,
    slots: &mut Vec<S>,
    new_slot: impl Fn() -> S,
    work: impl Fn(u64, &mut S) + Sync,
    mut merge: impl FnMut(&mut S) -> ControlFlow<()>,
) -> Result<u64, Interrupted> {
    let (first, end) = (plan.first_chunk, plan.end_chunk);
    if first >= end {
        return Ok(first);
    }
    let threads = plan.threads.max(1);
    let window = (plan.in_flight.max(threads) as u64).min(end - first) as usize;
    while slots.len() < window {
        slots.push(new_slot());
    }
    let slot_of = |c: u64| ((c - first) % window as u64) as usize;
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
        // No threads to be had: the work here, in order.
        for c in first..end {
            if stop.load(Ordering::SeqCst) {
                return Err(Interrupted);
            }
            work(c, &mut slots[0]);
            if stop.load(Ordering::SeqCst) {
                return Err(Interrupted);
            }
            if merge(&mut slots[0]).is_break() {
                return Ok(c + 1);
            }
        }
        return Ok(end);
    };
    let cells: Vec<Mutex<&mut S>> = slots[..window].iter_mut().map(Mutex::new).collect();
    let flow = Flow {
        state: Mutex::new(FlowState {
            next: first,
            merged: first,
            done: vec![false; window],
            halt: false,
            panicked: false,
        }),
        changed: Condvar::new(),
    };
    pool.in_place_scope(|scope| {
        // Whatever way this thread leaves (a panic in `merge` included), the threads stop
        // taking chunks, so that the scope can end.
        let _halt = HaltOnDrop {
            flow: &flow,
            always: true,
        };
        for _ in 0..threads.min(window) {
            scope.spawn(|_| {
                let _guard = HaltOnDrop {
                    flow: &flow,
                    always: false,
                };
                loop {
                    let c = {
                        let mut s = flow.lock();
                        loop {
                            if s.halt || s.next >= end || stop.load(Ordering::SeqCst) {
                                // This thread is done; its guard wakes the merging thread,
                                // which may be waiting for a chunk no thread will take.
                                return;
                            }
                            if s.next < s.merged + window as u64 {
                                break;
                            }
                            s = flow.wait(s);
                        }
                        s.next += 1;
                        s.next - 1
                    };
                    let i = slot_of(c);
                    work(c, &mut lock(&cells[i]));
                    flow.lock().done[i] = true;
                    flow.changed.notify_all();
                }
            });
        }
        for c in first..end {
            let i = slot_of(c);
            {
                let mut s = flow.lock();
                while !s.done[i] {
                    if s.panicked {
                        // The scope passes the thread's panic on.
                        return Ok(c);
                    }
                    // After a stop, the chunks already taken are finished and merged; the
                    // first one no thread took ends the work.
                    if s.next <= c && stop.load(Ordering::SeqCst) {
                        return Err(Interrupted);
                    }
                    s = flow.wait(s);
                }
            }
            // After a stop nothing more is merged: a chunk in progress may have been left
            // part-done (its work stops after the run in progress), and one finished is
            // dropped with it, so that the runs merged are always whole chunks from the first.
            if stop.load(Ordering::SeqCst) {
                return Err(Interrupted);
            }
            let brk = merge(&mut lock(&cells[i])).is_break();
            {
                let mut s = flow.lock();
                s.done[i] = false;
                s.merged = c + 1;
            }
            flow.changed.notify_all();
            if brk {
                return Ok(c + 1);
            }
        }
        Ok(end)
    })
}

/// The shared state of [`for_each_chunk_in`]'s threads.
struct Flow {
    state: Mutex<FlowState>,
    /// Signalled when a chunk is done or merged, or a thread stops.
    changed: Condvar,
}

struct FlowState {
    /// The next chunk to take.
    next: u64,
    /// Chunks before this one are merged (their slots free again).
    merged: u64,
    /// Whether each slot holds a finished chunk not yet merged.
    done: Vec<bool>,
    /// No more chunks are to be taken.
    halt: bool,
    /// A thread panicked (the scope passes the panic on when it ends).
    panicked: bool,
}

impl Flow {
    fn lock(&self) -> MutexGuard<'_, FlowState> {
        lock(&self.state)
    }
    fn wait<'a>(&self, s: MutexGuard<'a, FlowState>) -> MutexGuard<'a, FlowState> {
        self.changed.wait(s).unwrap_or_else(|e| e.into_inner())
    }
}

/// A lock that a panic elsewhere does not poison for the others (every panic ends the work).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Stops the flow when dropped: always (the merging thread, whose leaving ends the work) or
/// during a panic (a working thread); either way it wakes every waiting thread.
struct HaltOnDrop<'a> {
    flow: &'a Flow,
    always: bool,
}

impl Drop for HaltOnDrop<'_> {
    fn drop(&mut self) {
        let mut s = self.flow.lock();
        if std::thread::panicking() {
            s.panicked = true;
            s.halt = true;
        }
        if self.always {
            s.halt = true;
        }
        drop(s);
        self.flow.changed.notify_all();
    }
}

/// The working memory of one chunk of runs: its tally, a run state and its per-run rows.
pub struct ChunkSlot<A> {
    /// The chunk's own counts.
    pub tally: A,
    /// The state of the run being simulated.
    pub state: RunState,
    /// The chunk's per-run rows, when wanted: every run's cells, in run order.
    pub rows: Vec<Cell>,
    /// The numbers of the next [`SAMPLED_TOGETHER`] runs, sampled together.
    sampled: Vec<f64>,
}

/// Runs whose numbers are sampled together: their ChaCha blocks fill the SIMD lanes that one
/// run's few blocks would leave empty (the numbers are the same as one run at a time).
const SAMPLED_TOGETHER: u64 = 16;

impl<A: Accumulator> ChunkSlot<A> {
    /// A slot for a model.
    pub fn new(model: &Model) -> Self {
        ChunkSlot {
            tally: A::new(model),
            state: RunState::new(model),
            rows: Vec::new(),
            sampled: Vec::new(),
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

/// The runs of `range` in order, ending early once `stop` is set (checked before each run):
/// the loop of a chunk's work, so that a stop waits for the run in progress, not for the
/// chunk (a run of a large scenario can take a second, a chunk of 1,024 of them many
/// minutes). [`for_each_chunk_in`] merges nothing after a stop, so a chunk left part-done is
/// never counted.
///
/// ```
/// use std::sync::atomic::AtomicBool;
/// let go = AtomicBool::new(false);
/// assert_eq!(brink::engine::until_stopped(0..3, &go).count(), 3);
/// assert_eq!(brink::engine::until_stopped(0..3, &AtomicBool::new(true)).count(), 0);
/// ```
pub fn until_stopped(
    range: std::ops::Range<u64>,
    stop: &AtomicBool,
) -> impl Iterator<Item = u64> + '_ {
    range.take_while(move |_| !stop.load(Ordering::Relaxed))
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
    let never = AtomicBool::new(false);
    run_range_into(model, master, lo..hi, want_rows, row, slot, &never);
}

/// Simulates runs `range` in order into a slot (its tally and rows start afresh), leaving it
/// part-done when `stop` is set (checked before each run): [`for_each_chunk_in`] merges
/// nothing after a stop.
pub fn run_range_into<A: Accumulator>(
    model: &Model,
    master: &Master,
    range: std::ops::Range<u64>,
    want_rows: bool,
    row: Option<&RowWriter>,
    slot: &mut ChunkSlot<A>,
    stop: &AtomicBool,
) {
    slot.tally.clear();
    slot.rows.clear();
    let n = slot.state.values.len();
    let mut start = range.start;
    while start < range.end {
        let group = start..(start + SAMPLED_TOGETHER).min(range.end);
        slot.sampled
            .resize(n * (group.end - group.start) as usize, 0.0);
        sample_values_of_runs(model, master, group.clone(), &mut slot.sampled);
        for (k, r) in group.clone().enumerate() {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            slot.state
                .values
                .copy_from_slice(&slot.sampled[k * n..(k + 1) * n]);
            simulate_sampled(model, master, r, &mut slot.state, &mut slot.tally);
            slot.tally.record(r, &slot.state);
            if want_rows && let Some(f) = row {
                f(0, model, r, &slot.state, &mut slot.rows);
            }
        }
        start = group.end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan of `chunks` chunks on `threads` threads.
    fn plan(chunks: u64, threads: usize) -> RunPlan {
        RunPlan::whole(0, chunks * CHUNK_RUNS, threads)
    }

    /// Work of uneven length, so that chunks finish out of order.
    fn uneven(c: u64) -> u64 {
        let mut x = c.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for _ in 0..(x % 7) * 20_000 {
            x = std::hint::black_box(x ^ (x << 13) ^ (x >> 7));
        }
        c
    }

    #[test]
    fn chunks_are_merged_in_order_on_any_thread_count() {
        let stop = AtomicBool::new(false);
        for threads in [1, 2, 3, 8] {
            for chunks in [1, 2, 5, 37] {
                let mut seen = Vec::new();
                let r = for_each_chunk(&plan(chunks, threads), &stop, uneven, |c| seen.push(c));
                assert_eq!(r, Ok(()));
                assert_eq!(seen, (0..chunks).collect::<Vec<_>>(), "{threads} threads");
            }
        }
    }

    #[test]
    fn a_break_ends_the_work_after_that_chunk() {
        let stop = AtomicBool::new(false);
        for threads in [1, 2, 8] {
            let mut seen = Vec::new();
            let r = for_each_chunk_until(&plan(40, threads), &stop, uneven, |c| {
                seen.push(c);
                if c == 13 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            assert_eq!(r, Ok(14));
            assert_eq!(seen, (0..14).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_stop_ends_the_work_at_a_chunk_boundary_with_a_prefix_merged() {
        for threads in [1, 2, 8] {
            let stop = AtomicBool::new(false);
            let started = std::sync::atomic::AtomicU64::new(0);
            let mut seen = Vec::new();
            let r = for_each_chunk(
                &plan(200, threads),
                &stop,
                |c| {
                    started.fetch_add(1, Ordering::SeqCst);
                    if c == 20 {
                        stop.store(true, Ordering::SeqCst);
                    }
                    uneven(c)
                },
                |c| seen.push(c),
            );
            assert_eq!(r, Err(Interrupted));
            // The chunks merged are the first ones, none from the one during which the stop
            // came (its work may have been left part-done), and the work stopped soon after
            // the stop: no thread took a chunk beyond the window in flight.
            assert_eq!(seen, (0..seen.len() as u64).collect::<Vec<_>>());
            assert!(seen.len() <= 20, "{} merged", seen.len());
            let window = 4 * threads;
            assert!(seen.len() + window >= 20, "{} merged", seen.len());
            assert!(
                started.load(Ordering::SeqCst) <= 21 + window as u64,
                "{} begun",
                started.load(Ordering::SeqCst)
            );
        }
    }

    /// A panic in a thread's work or in the merge is passed on; nothing waits forever.
    #[test]
    fn a_panic_in_the_work_or_the_merge_is_passed_on() {
        let stop = AtomicBool::new(false);
        for threads in [1, 2, 4] {
            let work = std::panic::catch_unwind(|| {
                for_each_chunk(
                    &plan(30, threads),
                    &stop,
                    |c| {
                        assert!(c != 7, "work failed");
                        uneven(c)
                    },
                    |_| {},
                )
            });
            assert!(work.is_err(), "{threads} threads");
            let merge = std::panic::catch_unwind(|| {
                for_each_chunk(&plan(30, threads), &stop, uneven, |c| {
                    assert!(c != 3, "merge failed")
                })
            });
            assert!(merge.is_err(), "{threads} threads");
        }
    }
}
