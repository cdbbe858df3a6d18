//! The bytes this process holds on the heap, for the budget of compiled models.
//!
//! A comparison holds one compiled model per arm, a sweep one per grid point, an experiment one
//! per variant and point of a block, all while the runs play. How much a model takes depends
//! on everything in the scenario (a 2.3 MB file within every limit compiled to 40 MiB), so it is
//! measured: the binaries install [`CountingAlloc`] as their allocator, and a model is weighed
//! by what its compiling kept on the thread ([`live`] before and after). Without the counting allocator (a
//! program using the library with its own), nothing is weighed and no model is refused.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::model::CompileError;

/// Most bytes the compiled models one command holds at once may take (beside the counts'
/// budget, [`crate::engine::COUNTS_BUDGET`]): comparing all 256 variants of a file within
/// every limit asked for 10 GB of models and was killed.
pub const MODELS_BUDGET: u64 = 2 << 30;

thread_local! {
    // Each thread's own count (what it allocated less what it released), so that another
    // thread's work (a second Python call) does not change what a compile weighs. A constant,
    // droppable-free cell: reading it never allocates.
    static LIVE: Cell<i64> = const { Cell::new(0) };
}
static COUNTING: AtomicBool = AtomicBool::new(false);

fn add(bytes: i64) {
    LIVE.with(|c| c.set(c.get().wrapping_add(bytes)));
    // Read before it is written: a store at every allocation would bounce the flag's cache
    // line between the threads.
    if !COUNTING.load(Ordering::Relaxed) {
        COUNTING.store(true, Ordering::Relaxed);
    }
}

/// The system allocator, counting on each thread the bytes it allocated less those it
/// released (a thread-local addition per call; brink allocates little while runs play).
///
/// ```no_run
/// #[global_allocator]
/// static ALLOCATOR: brink::engine::heap::CountingAlloc = brink::engine::heap::CountingAlloc;
/// ```
pub struct CountingAlloc;

// SAFETY: every call is passed to `System` unchanged; only a counter is kept beside it.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// The bytes this thread allocated less those it released, when the process counts them
/// ([`CountingAlloc`] installed): its difference across a call is what the call kept.
pub fn live() -> Option<i64> {
    COUNTING
        .load(Ordering::Relaxed)
        .then(|| LIVE.with(Cell::get))
}

/// Compiles the first of `count` models with `compile`, weighs it by the heap it kept, and
/// refuses the lot (before the others are compiled) when `count` such models would take more
/// than [`MODELS_BUDGET`]; `what` names them and `fewer` says what would make them fit.
///
/// The model weighed is the second compiled: the first fills what models share (the Beta
/// quantile tables, tabulated once a process), which the others do not take again.
pub fn first_of_models<T>(
    count: usize,
    what: &str,
    fewer: &str,
    compile: impl Fn() -> Result<T, CompileError>,
) -> Result<T, CompileError> {
    if live().is_some() {
        drop(compile()?);
    }
    let before = live();
    let first = compile()?;
    if let (Some(b), Some(a)) = (before, live()) {
        let each = (a - b).max(0) as u64;
        let total = each.saturating_mul(count as u64);
        if total > MODELS_BUDGET {
            let mib = |b: u64| b.div_ceil(1 << 20);
            return Err(CompileError::TooLarge(format!(
                "{what}: {count} compiled models of {} MiB each, {} MiB together, more than \
                 brink's budget of {} MiB for models in memory; expected models that fit: \
                 {fewer} (at most {} models of this scenario)",
                mib(each),
                mib(total),
                mib(MODELS_BUDGET),
                MODELS_BUDGET / each.max(1)
            )));
        }
    }
    Ok(first)
}
