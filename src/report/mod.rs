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

/// Whether a character reorders the text around it or breaks its line where a reader does
/// not see one: the bidirectional embeddings, overrides, isolates and marks (LRM, RLM, the
/// Arabic letter mark), and the line and paragraph separators. Text from a scenario file
/// holding one is escaped wherever it reaches a terminal or a diagram's syntax.
///
/// ```
/// assert!(brink::report::reorders_text('\u{202e}'));
/// assert!(!brink::report::reorders_text('Б'));
/// ```
pub fn reorders_text(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{061c}'
            | '\u{2028}'
            | '\u{2029}'
    )
}
