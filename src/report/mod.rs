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

/// A signed number with `digits` decimals, never "-0.0": a difference that rounds to nothing
/// reads "+0.0" (tables printed "-0.0 to +5.3").
///
/// ```
/// use brink::report::signed;
/// assert_eq!(signed(-0.04, 1), "+0.0");
/// assert_eq!(signed(-0.06, 1), "-0.1");
/// assert_eq!(signed(0.1234, 3), "+0.123");
/// ```
pub fn signed(v: f64, digits: usize) -> String {
    let s = format!("{v:+.digits$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => format!("+{rest}"),
        _ => s,
    }
}
