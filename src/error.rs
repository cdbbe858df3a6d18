//! The one error type of the command line: what went wrong and which exit code it earns.

use std::fmt;

use crate::scenario::Diagnostics;

/// An error that ends a command. Printed once, at the top, by `main`.
#[derive(Debug)]
pub enum Error {
    /// The input is wrong (scenario file, arguments): exit code 2.
    Input(String),
    /// One or more problems in scenario files: exit code 2.
    Scenario(Diagnostics),
    /// Something failed while working (disk full, permission): exit code 1.
    Failed(String),
    /// The run was interrupted: exit code 130.
    Interrupted(String),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) | Error::Scenario(_) => 2,
            Error::Failed(_) => 1,
            Error::Interrupted(_) => 130,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) => write!(f, "error: {m}"),
            Error::Scenario(d) => write!(f, "{d}"),
            Error::Failed(m) => write!(f, "error: {m}"),
            Error::Interrupted(m) => write!(f, "interrupted: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Self {
        Error::Scenario(d)
    }
}

/// Shorthand for results of commands.
pub type Result<T, E = Error> = std::result::Result<T, E>;
