//! The application: the command line, one function per command, the output folders and the
//! signals. It computes through the library, renders through `brink::report`, and writes
//! through one writer (`output::Staging`); nothing here is part of the library's interface.

/// `eprintln!` that never panics: a line to standard error, escaped, a failed write ignored
/// ([`terminal::tell`]).
macro_rules! tell {
    ($($arg:tt)*) => {
        $crate::app::terminal::tell(&format!($($arg)*))
    };
}

pub mod authoring;
pub mod cli;
pub mod combined;
pub mod history;
pub mod interrupt;
pub mod output;
pub mod run;
pub mod shards;
pub mod terminal;

/// Runs `work` on a rayon pool of `threads` threads, no more than the cores (`--threads 1024`
/// would otherwise start a thousand threads to draw a dozen charts); on the current thread if
/// no pool can be made. What `work` does side by side (the charts) runs there.
pub fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    brink::engine::on_threads(threads.clamp(1, cores), work)
}
