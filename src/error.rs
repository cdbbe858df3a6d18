//! The library's error: what went wrong, with the error that caused it (a file system error, an
//! encoder's) as its source. Which exit code each earns is the application's business
//! (`src/main.rs`), decided once at the top.

use std::path::PathBuf;

use crate::model::CompileError;
use crate::scenario::Diagnostics;

/// An error that ends an operation of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request that cannot be carried out as asked: an unknown outcome, a bad path or
    /// grid, a refused output folder, a damaged shard. The message says what was expected.
    #[error("{0}")]
    Input(String),
    /// A refused `--set` override.
    #[error(transparent)]
    Set(#[from] crate::scenario::overrides::SetError),
    /// One or more located problems in scenario files.
    #[error("{0}")]
    Scenario(#[from] Diagnostics),
    /// A scenario that cannot be compiled as asked (an unknown variant).
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// A file or folder could not be read or written.
    #[error("cannot {action} {}", crate::text::ShowPath::shown(.path.as_path()))]
    Io {
        /// What brink was doing: "write", "read", "create".
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A result could not be encoded as JSON.
    #[error("cannot encode {what}")]
    Encode {
        /// The file or value being encoded.
        what: String,
        /// The encoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// A table could not be written as CSV.
    #[error("cannot write {what}")]
    Table {
        /// The table.
        what: String,
        /// The CSV writer's error.
        #[source]
        source: csv::Error,
    },
    /// Something else failed while working (a chart could not be drawn).
    #[error("{0}")]
    Failed(String),
    /// The work was stopped by a signal before it finished; the message says what was kept.
    #[error("{0}")]
    Interrupted(String),
}

impl Error {
    /// A file system error while doing `action` on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A JSON encoding error of `what`.
    pub fn encode(what: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Encode {
            what: what.into(),
            source,
        }
    }

    /// A CSV writing error of the table `what`.
    pub fn table(what: impl Into<String>, source: csv::Error) -> Self {
        Error::Table {
            what: what.into(),
            source,
        }
    }

    /// The message with every cause after it: "cannot write out/x.csv: No space left on
    /// device (os error 28)".
    pub fn chain(&self) -> String {
        let mut s = self.to_string();
        let mut cause = std::error::Error::source(self);
        // A transparent variant's source is itself, already printed.
        if matches!(self, Error::Compile(_) | Error::Scenario(_)) {
            cause = None;
        }
        while let Some(c) = cause {
            s += &format!(": {c}");
            cause = c.source();
        }
        s
    }
}

/// Shorthand for results of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
