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
