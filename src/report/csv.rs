//! CSV tables: outcomes and per-step time series (the per-run table is `report::per_run`).
//! Their headers are the data dictionary's columns (`report::dictionary`).
//!
//! Each summary table is built once as a [`Table`]: the command line writes it as CSV and the
//! Python package hands the same fields, typed by their columns, to a data frame, so both
//! give the same numbers.

use crate::analysis::Summary;
use crate::error::{Error, Result};
use crate::report::table::Column;
use crate::stats::Interval;

/// A summary table in memory: its typed columns (the dictionary's) and each row's fields as
/// the CSV text (an empty field is a missing value).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows, one field per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Each row as typed cells (for a Parquet file): every field read as its column's type
    /// says, an empty field as a missing value (null step; NaN real). A field that does not
    /// fit its column is an error naming both (a bug in brink, not in the input).
    pub fn cells(&self) -> Result<Vec<Vec<crate::engine::Cell>>> {
        use crate::engine::Cell;
        use crate::report::table::ColumnType as T;
        self.rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .zip(row)
                    .map(|(c, f)| {
                        let bad = || {
                            Error::Failed(format!(
                                "column {:?}: {f:?} is not of its type {:?}",
                                c.name, c.ty
                            ))
                        };
                        Ok(match &c.ty {
                            T::UInt64 => Cell::U64(f.parse().map_err(|_| bad())?),
                            T::Int32Nullable if f.is_empty() => Cell::I32(None),
                            T::Int32Nullable => Cell::I32(Some(f.parse().map_err(|_| bad())?)),
                            T::Float64 if f.is_empty() => Cell::F64(f64::NAN),
                            T::Float64 => Cell::F64(f.parse().map_err(|_| bad())?),
                            T::Float32 if f.is_empty() => Cell::F32(f32::NAN),
                            T::Float32 => Cell::F32(f.parse().map_err(|_| bad())?),
                            T::Bool => Cell::Bool(match f.as_str() {
                                "1" | "true" => true,
                                "0" | "false" => false,
                                _ => return Err(bad()),
                            }),
                            T::Category { levels } => Cell::Category(
                                levels.iter().position(|l| l == f).ok_or_else(bad)? as u32,
                            ),
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// The table as CSV bytes; `name` is the file's name, for an error message.
    pub fn csv(&self, name: &str) -> Result<Vec<u8>> {
        named_table(
            name,
            &crate::report::dictionary::names(&self.columns),
            self.rows.clone(),
        )
    }
}

/// A CSV field as a spreadsheet will not run it: text starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return (a label such as `=cmd|' /C calc'!A0`) gets a leading `'`, as OWASP
/// advises against formula injection. A field that is a finite number in plain decimal or
/// exponent notation (`-0.5`, `-2e-3`) is left alone, so numeric cells stay numbers; one that
/// only Rust reads as a number (`-inf`, `-Infinity`, `+NaN`) is text to a spreadsheet, which
/// would take it for a formula (`#NAME?`), so it is quoted too. brink's own text never starts
/// with those characters. Text that starts with `'` itself gets one more, so that the mark
/// can be taken off: strip one leading `'` from any text field that has one (`'=x` and `=x`
/// were both written `'=x`: an attacking helper).
pub fn spreadsheet_safe(field: &str) -> std::borrow::Cow<'_, str> {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']);
    let plain_number = field
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && field.parse::<f64>().is_ok_and(f64::is_finite);
    if risky && !plain_number {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

/// A record's fields through [`spreadsheet_safe`], for a CSV writer.
pub(crate) fn safe_record<S: AsRef<str>>(record: impl IntoIterator<Item = S>) -> Vec<String> {
    record
        .into_iter()
        .map(|f| spreadsheet_safe(f.as_ref()).into_owned())
        .collect()
}

/// A table named `name` (for its error messages): a header, then the rows, every field made
/// [`spreadsheet_safe`].
pub(crate) fn named_table<H: AsRef<str>>(
    name: &str,
    header: &[H],
    rows: Vec<Vec<String>>,
) -> Result<Vec<u8>> {
    let fail = |e: ::csv::Error| Error::table(name, e);
    let mut w = ::csv::Writer::from_writer(vec![]);
    w.write_record(safe_record(header)).map_err(fail)?;
    for r in rows {
        w.write_record(safe_record(&r)).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::io("write", name.to_string(), e.into_error()))
}

/// `outcomes.csv`: one row per named outcome, with its Wilson interval.
pub fn outcomes(s: &Summary) -> Result<Vec<u8>> {
    outcomes_table(s).csv("outcomes.csv")
}

/// The table of `outcomes.csv`.
pub fn outcomes_table(s: &Summary) -> Table {
    let rows = s
        .outcomes
        .iter()
        .map(|o| {
            let q = |i: usize| {
                o.first_step_quartiles
                    .map_or(String::new(), |q| q[i].to_string())
            };
            vec![
                o.name.clone(),
                o.label.clone(),
                o.probability.estimate.to_string(),
                o.probability.low.to_string(),
                o.probability.high.to_string(),
                o.runs_hit.to_string(),
                s.manifest.runs.to_string(),
                q(0),
                q(1),
                q(2),
                o.last_step_quartiles
                    .map_or(String::new(), |q| q[1].to_string()),
                o.mean_steps_held.map_or(String::new(), |x| x.to_string()),
                o.mean_steps_held_interval
                    .map_or(String::new(), |i| i.low.to_string()),
                o.mean_steps_held_interval
                    .map_or(String::new(), |i| i.high.to_string()),
            ]
        })
        .collect();
    Table {
        columns: crate::report::dictionary::outcomes_columns(s),
        rows,
    }
}

/// `timeseries.csv`: one row per step: the dyad index's mean and quantiles, each rung's
/// probability, each measure's mean level, each outcome's probability so far; each mean and
/// probability followed by its 95% interval's ends.
pub fn timeseries(s: &Summary) -> Result<Vec<u8>> {
    timeseries_table(s).csv("timeseries.csv")
}

/// The table of `timeseries.csv`.
pub fn timeseries_table(s: &Summary) -> Table {
    let rows = s
        .index_by_step
        .iter()
        .enumerate()
        .map(|(t, ix)| {
            // A value, then its interval's ends (empty where there is none: a mean below two
            // runs).
            let mut r = vec![
                ix.step.to_string(),
                s.date_of_step(ix.step).unwrap_or_default(),
            ];
            let with_ends = |r: &mut Vec<String>, x: f64, i: Option<&Interval>| {
                r.push(x.to_string());
                r.push(i.map_or(String::new(), |i| i.low.to_string()));
                r.push(i.map_or(String::new(), |i| i.high.to_string()));
            };
            with_ends(&mut r, ix.mean, ix.mean_interval.as_ref());
            r.extend(ix.q.iter().map(|q| q.to_string()));
            for (j, p) in s.rung_by_step[t].iter().enumerate() {
                with_ends(&mut r, *p, Some(&s.rung_interval(t, j)));
            }
            for (k, l) in s.levers.iter().enumerate() {
                with_ends(
                    &mut r,
                    l.mean_level[t],
                    s.mean_level_interval(k, t).as_ref(),
                );
            }
            for (o, outcome) in s.outcomes.iter().enumerate() {
                with_ends(&mut r, outcome.by_step[t], Some(&s.so_far_interval(o, t)));
            }
            r
        })
        .collect();
    Table {
        columns: crate::report::dictionary::timeseries_columns(s),
        rows,
    }
}
