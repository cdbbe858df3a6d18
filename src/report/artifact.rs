//! One file of a result: its name and its bytes. Every result type knows the files it makes
//! (`report::run::files`, `report::compare::files`, …); one writer in the application stages,
//! flushes and commits them, so adding a result or a chart is adding what it renders, never a
//! new way of writing files.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::report::charts::Chart;

/// A file of a result, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The file name inside the result's folder (`outcomes.csv`).
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl Artifact {
    /// A file with its bytes.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Artifact {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// A value as pretty-printed JSON.
    pub fn json<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<Self> {
        let bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::encode(name, e))?;
        Ok(Artifact::new(name, bytes))
    }
}

impl Chart {
    /// The chart's two files, `<name>.png` and `<name>.svg`.
    pub fn artifacts(&self) -> [Artifact; 2] {
        [
            Artifact::new(format!("{}.png", self.name), self.png.clone()),
            Artifact::new(format!("{}.svg", self.name), self.svg.as_bytes()),
        ]
    }
}
