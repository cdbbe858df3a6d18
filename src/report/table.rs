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
/// them: one field per column, each of its column's type (a whole number, a real or empty, `0`
/// or `1`, one of the category's names). Returns the fields, or what is wrong in words (the
/// column's number, from 1, and name, what was expected and what was found).
///
/// ```
/// use brink::report::table::{check_csv_row, Column, ColumnType, Role};
/// let cols = [
///     Column::new(Role::Key, "run", ColumnType::UInt64, "", "run index"),
///     Column::new(Role::Output, "peak_index", ColumnType::Float64, "", "peak H"),
/// ];
/// assert_eq!(check_csv_row(&cols, "7,2.5").unwrap(), ["7", "2.5"]);
/// assert!(check_csv_row(&cols, "7,=HYPERLINK(\"x\")").is_err());
/// assert!(check_csv_row(&cols, "7").is_err());
/// ```
pub fn check_csv_row<'a>(columns: &[Column], line: &'a str) -> Result<Vec<&'a str>, String> {
    let fields: Vec<&str> = line.split(',').collect();
    if fields.len() != columns.len() {
        return Err(format!(
            "expected {} fields, found {}",
            columns.len(),
            fields.len()
        ));
    }
    for (i, (c, f)) in columns.iter().zip(&fields).enumerate() {
        let real = |f: &str| f.is_empty() || f.parse::<f64>().is_ok_and(|x| !x.is_nan());
        let (fits, expected) = match &c.ty {
            ColumnType::UInt64 => (
                !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) && f.parse::<u64>().is_ok(),
                "a whole number".to_string(),
            ),
            ColumnType::Int32Nullable => (
                f.is_empty() || f.parse::<i32>().is_ok(),
                "a whole number or an empty field".into(),
            ),
            ColumnType::Float64 | ColumnType::Float32 => {
                (real(f), "a number or an empty field".into())
            }
            ColumnType::Bool => (matches!(*f, "0" | "1"), "0 or 1".into()),
            ColumnType::Category { levels } => (
                levels.iter().any(|l| l == f),
                format!("one of {}", levels.join(", ")),
            ),
        };
        if !fits {
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
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

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
