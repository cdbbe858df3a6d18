//! What the analyst reads: tables, CSV and JSON files, charts and the HTML report.

pub mod describe;
