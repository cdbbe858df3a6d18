//! What the analyst reads: tables, CSV and JSON files, charts and the HTML report.

pub mod charts;
pub mod csv;
pub mod describe;
pub mod html;
pub mod output;
