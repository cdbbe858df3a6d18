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

/// A difference of probabilities in percentage points with one decimal, signed as [`signed`]:
/// the digits of the fraction to three decimals, moved two places, so that a table in
/// points and one in fractions round alike (0.3205 reads 0.321 and 32.1, where
/// `signed(100.0 * v, 1)` read 32.0: 100 × 0.3205 is 32.04999… in binary).
///
/// ```
/// use brink::report::signed_points;
/// assert_eq!(signed_points(0.3205), "+32.1");
/// assert_eq!(signed_points(-0.0004), "+0.0");
/// assert_eq!(signed_points(-0.0046), "-0.5");
/// assert_eq!(signed_points(1.0), "+100.0");
/// ```
pub fn signed_points(v: f64) -> String {
    let s = signed(v, 3);
    shift_two_places(&s[1..]).map_or_else(|| signed(100.0 * v, 1), |d| format!("{}{d}", &s[..1]))
}

/// "0.321" → "32.1": a non-negative decimal with three decimals, in hundredths of itself
/// (`None` for anything else, such as "NaN" or "inf").
pub(crate) fn shift_two_places(s: &str) -> Option<String> {
    let (int, frac) = s.split_once('.')?;
    if frac.len() != 3 || !(int.chars().chain(frac.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole = format!("{int}{}", &frac[..2]);
    let whole = whole.trim_start_matches('0');
    Some(format!(
        "{}.{}",
        if whole.is_empty() { "0" } else { whole },
        &frac[2..]
    ))
}
