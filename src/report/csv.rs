//! CSV tables: outcomes, per-step time series, and one row per run.
//!
//! Each summary table is built once as a [`Table`] (its columns with their kinds, and each
//! row's fields as the CSV text): the CLI writes it as CSV and the Python package hands the
//! same fields to a data frame, so both give the same numbers.

use std::fmt::Write as _;

use crate::analysis::Summary;
use crate::error::{Error, Result};
use crate::model::{Model, RunState};

/// What a column's fields hold, so that a data frame can type them without guessing from
/// their text (a column of reals whose values happen to be whole stays real).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Names and other text (outcome names, labels, dates, rung names).
    Text,
    /// Whole numbers (runs, steps, levels, 1/0 for an outcome).
    Integer,
    /// Real numbers, written as the shortest decimal that reads back to the same f64.
    Real,
}

/// A table as the CLI writes it: each column's name and kind, and each row's fields as CSV
/// text (an empty field is a missing value: a step that never came).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The columns in order: name and kind.
    pub columns: Vec<(String, Kind)>,
    /// The rows, each with one field per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV bytes; `name` is the file's name, for an error message.
    pub fn csv(&self, name: &str) -> Result<Vec<u8>> {
        let header: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        named_table(name, &header, self.rows.clone())
    }
}

/// Columns of one kind, named.
fn columns<S: Into<String>>(kind: Kind, names: impl IntoIterator<Item = S>) -> Vec<(String, Kind)> {
    names.into_iter().map(|n| (n.into(), kind)).collect()
}

/// A table named `name` (for its error messages): a header, then the rows.
pub(crate) fn named_table<H: AsRef<[u8]>>(
    name: &str,
    header: &[H],
    rows: Vec<Vec<String>>,
) -> Result<Vec<u8>> {
    let fail = |e: ::csv::Error| Error::table(name, e);
    let mut w = ::csv::Writer::from_writer(vec![]);
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(&r).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::io("write", name.to_string(), e.into_error()))
}

/// `outcomes.csv`: one row per named outcome, with its Wilson interval.
pub fn outcomes(s: &Summary) -> Result<Vec<u8>> {
    outcomes_table(s).csv("outcomes.csv")
}

/// The table of `outcomes.csv` (see [`outcomes`]).
pub fn outcomes_table(s: &Summary) -> Table {
    let mut header = columns(Kind::Text, ["outcome", "label"]);
    header.extend(columns(
        Kind::Real,
        ["probability", "ci95_low", "ci95_high"],
    ));
    header.extend(columns(Kind::Integer, ["runs_hit", "runs"]));
    header.extend(columns(
        Kind::Real,
        [
            "first_step_q25",
            "first_step_median",
            "first_step_q75",
            "last_step_median",
            "mean_steps_held",
        ],
    ));
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
            ]
        })
        .collect();
    Table {
        columns: header,
        rows,
    }
}

/// `timeseries.csv`: one row per step: the dyad index's mean and quantiles, each rung's
/// probability, each measure's mean level, each outcome's probability so far.
pub fn timeseries(s: &Summary) -> Result<Vec<u8>> {
    timeseries_table(s).csv("timeseries.csv")
}

/// The table of `timeseries.csv` (see [`timeseries`]).
pub fn timeseries_table(s: &Summary) -> Table {
    let mut header = columns(Kind::Integer, ["step"]);
    header.extend(columns(Kind::Text, ["date"]));
    header.extend(columns(
        Kind::Real,
        [
            "index_mean",
            "index_q05",
            "index_q25",
            "index_q50",
            "index_q75",
            "index_q95",
        ],
    ));
    header.extend(columns(
        Kind::Real,
        s.scenario.rungs.iter().map(|r| format!("p_rung_{r}")),
    ));
    header.extend(columns(
        Kind::Real,
        s.levers.iter().map(|l| format!("mean_level_{}", l.name)),
    ));
    header.extend(columns(
        Kind::Real,
        s.outcomes.iter().map(|o| format!("p_{}_so_far", o.name)),
    ));
    let rows = s
        .index_by_step
        .iter()
        .enumerate()
        .map(|(t, ix)| {
            let mut r = vec![
                ix.step.to_string(),
                s.date_of_step(ix.step).unwrap_or_default(),
                ix.mean.to_string(),
            ];
            r.extend(ix.q.iter().map(|q| q.to_string()));
            r.extend(s.rung_by_step[t].iter().map(|p| p.to_string()));
            r.extend(s.levers.iter().map(|l| l.mean_level[t].to_string()));
            r.extend(s.outcomes.iter().map(|o| o.by_step[t].to_string()));
            r
        })
        .collect();
    Table {
        columns: header,
        rows,
    }
}

/// The header of `runs.csv`: run, each uncertain number by path, each outcome (1/0 and first
/// step), rungs, peak index, each actor's cost, each measure's highest level, final level and
/// steps in force, then the rung and every level at each of [`Model::snapshot_steps`].
pub fn runs_header(m: &Model) -> String {
    let names: Vec<String> = runs_columns(m).into_iter().map(|(n, _)| n).collect();
    names.join(",") + "\n"
}

/// The columns of `runs.csv` with their kinds, in the order of [`runs_header`] and
/// [`run_row`].
pub fn runs_columns(m: &Model) -> Vec<(String, Kind)> {
    let mut h = columns(Kind::Integer, ["run"]);
    h.extend(columns(
        Kind::Real,
        m.uncertain_params()
            .into_iter()
            .map(|i| m.param_paths[i].clone()),
    ));
    for o in &m.outcomes {
        h.extend(columns(
            Kind::Integer,
            [
                o.name.clone(),
                format!("{}_first_step", o.name),
                format!("{}_last_step", o.name),
                format!("{}_steps_held", o.name),
            ],
        ));
    }
    h.extend(columns(Kind::Text, ["final_rung", "peak_rung"]));
    h.extend(columns(Kind::Real, ["peak_index", "final_index"]));
    h.extend(columns(
        Kind::Real,
        m.actors.iter().map(|a| format!("cost_{}", a.name)),
    ));
    h.extend(columns(
        Kind::Real,
        m.actors.iter().map(|a| format!("gain_{}", a.name)),
    ));
    h.extend(columns(
        Kind::Integer,
        m.measures.iter().map(|ms| format!("max_level_{}", ms.name)),
    ));
    h.extend(columns(
        Kind::Integer,
        m.measures
            .iter()
            .map(|ms| format!("final_level_{}", ms.name)),
    ));
    h.extend(columns(
        Kind::Integer,
        m.measures
            .iter()
            .map(|ms| format!("steps_in_force_{}", ms.name)),
    ));
    for s in &m.snapshot_steps {
        h.push((format!("rung_at_{s}"), Kind::Text));
        h.extend(columns(
            Kind::Integer,
            m.measures
                .iter()
                .map(|ms| format!("level_{}_at_{s}", ms.name)),
        ));
    }
    h
}

/// One row of `runs.csv` (see [`runs_header`]).
pub fn run_row(m: &Model, run: u64, st: &RunState, out: &mut String) {
    let _ = write!(out, "{run}");
    for (i, p) in m.params.iter().enumerate() {
        if p.is_uncertain() {
            let _ = write!(out, ",{}", st.values[i]);
        }
    }
    for o in 0..m.outcomes.len() {
        let t = st.outcome_first[o];
        if t == u32::MAX {
            out.push_str(",0,,,0");
        } else {
            let _ = write!(out, ",1,{t},{},{}", st.outcome_last[o], st.outcome_steps[o]);
        }
    }
    let _ = write!(
        out,
        ",{},{},{},{}",
        m.rung_names[st.final_rung()],
        m.rung_names[st.peak_rung],
        st.peak_index,
        st.index
    );
    for c in st.cost.iter().chain(&st.gain) {
        let _ = write!(out, ",{c}");
    }
    for l in &st.max_level {
        let _ = write!(out, ",{l}");
    }
    for l in &st.level {
        let _ = write!(out, ",{l}");
    }
    for n in &st.steps_in_force {
        let _ = write!(out, ",{n}");
    }
    let nm = m.measures.len();
    for (i, &r) in st.snapshot_rungs.iter().enumerate() {
        let _ = write!(out, ",{}", m.rung_names[r]);
        for l in &st.snapshot_levels[i * nm..(i + 1) * nm] {
            let _ = write!(out, ",{l}");
        }
    }
    out.push('\n');
}
