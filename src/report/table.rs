//! Tidy tables: typed columns with a role (key, input, output), a unit and a description, so
//! that one schema writes the CSV, the Parquet file and the data dictionary (`columns.json`)
//! alike, and an analyst slices inputs from outputs by name, not by position.
//!
//! Column names follow one convention, documented in docs/data.md: keys are bare (`point`,
//! `variant`, `run`, `seed_stream`), inputs start with `in.` (`in.actors.russia.rationality`,
//! the path `--set` takes), outputs with `out.` (`out.rupture`, `out.rupture.first_step`,
//! `out.cost.russia`).

use serde::Serialize;

/// What a column is to an analyst slicing the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Identifies the row: design point, variant, run, seed stream, step.
    Key,
    /// A number that went into the run (sampled, or set by the design).
    Input,
    /// Something the run produced.
    Output,
}

impl Role {
    /// The prefix a column of this role carries (`in.`, `out.`, none for keys).
    pub fn prefix(self) -> &'static str {
        match self {
            Role::Key => "",
            Role::Input => "in.",
            Role::Output => "out.",
        }
    }
}

/// A column's type, as Parquet stores it and as the dictionary states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ColumnType {
    /// An unsigned whole number (run index, seed stream, design point).
    UInt64,
    /// A whole number that may be missing (a week that never came: null).
    Int32Nullable,
    /// A real number stored as f64.
    Float64,
    /// A real number stored as f32 (levels, where 7 digits are plenty).
    Float32,
    /// True or false (an outcome happened).
    Bool,
    /// One of a fixed list of names (rungs, variants): a dictionary-encoded string.
    Category {
        /// The names, in the order the cells' indices refer to.
        levels: Vec<String>,
    },
}

/// One column of a tidy table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// The full name, prefix included (`in.shared.fatigue.value`).
    pub name: String,
    /// Key, input or output.
    pub role: Role,
    /// How the values are stored.
    #[serde(flatten)]
    pub ty: ColumnType,
    /// The unit in words (`weeks`, `probability`, `cost units`, `rung`), empty for none.
    pub unit: String,
    /// What the column holds, in the analyst's words.
    pub description: String,
}

impl Column {
    /// A column named `prefix + name` for its role.
    pub fn new(
        role: Role,
        name: &str,
        ty: ColumnType,
        unit: &str,
        description: impl Into<String>,
    ) -> Column {
        Column {
            name: format!("{}{name}", role.prefix()),
            role,
            ty,
            unit: unit.into(),
            description: description.into(),
        }
    }
}

/// One value of a row, matching its column's [`ColumnType`] (defined by the engine, which
/// hands rows of it to its sink).
pub use crate::engine::Cell;

/// Appends one cell as CSV text (shortest round-trip decimal for reals, empty for a missing
/// one; the level's name for a category: names are identifiers, so no quoting is needed).
pub fn write_csv_cell(col: &Column, cell: Cell, out: &mut String) {
    use std::fmt::Write as _;
    let _ = match cell {
        Cell::U64(x) => write!(out, "{x}"),
        Cell::I32(Some(x)) => write!(out, "{x}"),
        Cell::I32(None) => Ok(()),
        // A missing real (NaN) is an empty field, as in every other CSV brink writes.
        Cell::F64(x) if x.is_nan() => Ok(()),
        Cell::F32(x) if x.is_nan() => Ok(()),
        Cell::F64(x) => write!(out, "{x}"),
        Cell::F32(x) => write!(out, "{x}"),
        Cell::Bool(b) => write!(out, "{}", u8::from(b)),
        Cell::Category(i) => match &col.ty {
            ColumnType::Category { levels } => {
                write!(out, "{}", levels.get(i as usize).map_or("", String::as_str))
            }
            _ => write!(out, "{i}"),
        },
    };
}

/// The CSV header line of `columns` (with its newline).
pub fn csv_header(columns: &[Column]) -> String {
    let mut h = columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    h.push('\n');
    h
}

/// Appends one row as a CSV line (with its newline).
pub fn write_csv_row(columns: &[Column], row: &[Cell], out: &mut String) {
    for (i, (c, &cell)) in columns.iter().zip(row).enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_csv_cell(c, cell, out);
    }
    out.push('\n');
}

/// Checks one CSV line (without its newline) against `columns`, as [`write_csv_row`] writes
/// them: one field per column, each of its column's type (a whole number, a decimal number or
/// an empty field, `0` or `1`, one of the category's names). Returns what is wrong in words (the
/// column's number, from 1, and name, what was expected and what was found).
///
/// ```
/// use brink::report::table::{check_csv_row, Column, ColumnType, Role};
/// let cols = [
///     Column::new(Role::Key, "run", ColumnType::UInt64, "", "run index"),
///     Column::new(Role::Output, "peak_index", ColumnType::Float64, "", "peak H"),
/// ];
/// assert!(check_csv_row(&cols, "7,2.5").is_ok());
/// assert!(check_csv_row(&cols, "7,").is_ok());
/// assert!(check_csv_row(&cols, "7,=HYPERLINK(\"x\")").is_err());
/// assert!(check_csv_row(&cols, "7,NaN").is_err());
/// assert!(check_csv_row(&cols, "7").is_err());
/// ```
pub fn check_csv_row(columns: &[Column], line: &str) -> Result<(), String> {
    let mut fields = line.split(',');
    for (i, c) in columns.iter().enumerate() {
        let Some(f) = fields.next() else {
            return Err(format!("expected {} fields, found {i}", columns.len()));
        };
        let fits = match &c.ty {
            ColumnType::UInt64 => whole(f.as_bytes()) && f.parse::<u64>().is_ok(),
            ColumnType::Int32Nullable => {
                f.is_empty()
                    || (whole(f.strip_prefix('-').unwrap_or(f).as_bytes())
                        && f.parse::<i32>().is_ok())
            }
            ColumnType::Float64 | ColumnType::Float32 => f.is_empty() || decimal(f.as_bytes()),
            ColumnType::Bool => matches!(f, "0" | "1"),
            ColumnType::Category { levels } => levels.iter().any(|l| l == f),
        };
        if !fits {
            let expected = match &c.ty {
                ColumnType::UInt64 => "a whole number".to_string(),
                ColumnType::Int32Nullable => "a whole number or an empty field".into(),
                ColumnType::Float64 | ColumnType::Float32 => {
                    "a decimal number or an empty field".into()
                }
                ColumnType::Bool => "0 or 1".into(),
                ColumnType::Category { levels } => format!("one of {}", levels.join(", ")),
            };
            // A field is shown cut short and escaped: it may be anything, of any length.
            let shown: String = f.chars().take(40).collect();
            let more = if shown.len() < f.len() { "…" } else { "" };
            return Err(format!(
                "column {} ({}): expected {expected}, found \"{}{more}\"",
                i + 1,
                c.name,
                crate::text::escape(&shown, false)
            ));
        }
    }
    match fields.count() {
        0 => Ok(()),
        more => Err(format!(
            "expected {} fields, found {}",
            columns.len(),
            columns.len() + more
        )),
    }
}

/// Digits, at least one.
fn whole(f: &[u8]) -> bool {
    !f.is_empty() && f.iter().all(u8::is_ascii_digit)
}

/// A number as Rust writes an `f64` (`-0.25`, `1000`, `inf`), or in exponent notation
/// (`2.5e-7`): an optional minus, digits with an optional fraction, an optional exponent.
/// Checked by its grammar, not parsed: the merge checks every cell of tables of gigabytes.
fn decimal(f: &[u8]) -> bool {
    let f = f.strip_prefix(b"-").unwrap_or(f);
    if f == b"inf" {
        return true;
    }
    let (mantissa, exponent) = match f.iter().position(|&b| b == b'e' || b == b'E') {
        Some(k) => (&f[..k], Some(&f[k + 1..])),
        None => (f, None),
    };
    let mantissa_ok = match mantissa.iter().position(|&b| b == b'.') {
        Some(k) => whole(&mantissa[..k]) && whole(&mantissa[k + 1..]),
        None => whole(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| whole(e.strip_prefix(b"-").unwrap_or(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every real brink writes passes the merge's check, from the extremes of `f64` to `inf`;
    /// text that only a parser reads as a number does not.
    #[test]
    fn the_row_check_takes_every_real_written_and_nothing_else() {
        for x in [
            0.0,
            -0.0,
            0.1,
            -2.5,
            1e21,
            1e-7,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let mut s = String::new();
            let col = Column::new(Role::Output, "x", ColumnType::Float64, "", "x");
            write_csv_cell(&col, Cell::F64(x), &mut s);
            assert!(decimal(s.as_bytes()), "{x} written as {s}");
            assert!(check_csv_row(&[col], &s).is_ok(), "{s}");
        }
        for f in [
            "NaN", "nan", "+1", ".5", "5.", "1e", "--1", "1,5", " 1", "=1", "0x10", "Inf",
        ] {
            assert!(!decimal(f.as_bytes()), "{f} passed");
        }
    }

    #[test]
    fn a_row_writes_as_its_columns_say() {
        let cols = vec![
            Column::new(Role::Key, "run", ColumnType::UInt64, "", "run index"),
            Column::new(
                Role::Output,
                "rupture.first_step",
                ColumnType::Int32Nullable,
                "weeks",
                "first week",
            ),
            Column::new(
                Role::Output,
                "final_rung",
                ColumnType::Category {
                    levels: vec!["calm".into(), "crisis".into()],
                },
                "rung",
                "rung at the end",
            ),
            Column::new(Role::Output, "rupture", ColumnType::Bool, "", "happened"),
        ];
        assert_eq!(
            csv_header(&cols),
            "run,out.rupture.first_step,out.final_rung,out.rupture\n"
        );
        let mut s = String::new();
        write_csv_row(
            &cols,
            &[
                Cell::U64(7),
                Cell::I32(None),
                Cell::Category(1),
                Cell::Bool(true),
            ],
            &mut s,
        );
        assert_eq!(s, "7,,crisis,1\n");
    }
}
