//! What the analyst reads: tables, CSV and JSON files, charts and the HTML report.

pub mod artifact;
pub mod backtest;
pub mod calibrate;
pub mod calibrated;
pub mod charts;
pub mod combined;
pub mod compare;
pub mod crossval;
pub mod csv;
pub mod describe;
pub mod dictionary;
pub mod diff;
pub mod experiment;
pub mod graph;
pub mod history;
pub mod html;
pub mod pages;
pub mod parquet;
pub mod per_run;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod table;
pub mod trace;

pub use artifact::Artifact;

/// Whether a character reorders a line (see [`crate::text::reorders_text`]).
pub use crate::text::reorders_text;
