//! The data dictionary: `columns.json`, written beside the tables by `run`, `compare` and
//! `sweep`, names every column of every CSV in the folder with its role (key, input, output),
//! its type, its unit and what it holds. The summary tables' writers take their headers from
//! the columns here, so the dictionary cannot drift from the files.

use serde::Serialize;

use crate::analysis::Summary;
use crate::analysis::compare::CompareResult;
use crate::analysis::sweep::SweepResult;
use crate::error::Result;
use crate::report::Artifact;
use crate::report::table::{Column, ColumnType, Role};
use crate::stats::INDEX_BINS;

/// One table of a folder, as the dictionary describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDoc {
    /// The file name (`runs.csv`).
    pub file: String,
    /// What one row is.
    pub description: String,
    /// Every column, in the file's order.
    pub columns: Vec<Column>,
}

impl TableDoc {
    /// A table's entry.
    pub fn new(file: &str, description: &str, columns: Vec<Column>) -> TableDoc {
        TableDoc {
            file: file.into(),
            description: description.into(),
            columns,
        }
    }
}

#[derive(Serialize)]
struct Dictionary<'a> {
    tables: &'a [TableDoc],
}

/// `columns.json` of these tables.
pub fn columns_json(tables: &[TableDoc]) -> Result<Artifact> {
    Artifact::json("columns.json", &Dictionary { tables })
}

/// The names of `columns`, in order (a CSV header's fields).
pub fn names(columns: &[Column]) -> Vec<String> {
    columns.iter().map(|c| c.name.clone()).collect()
}

/// A column named exactly `name` (the summary tables keep their short names, without the
/// per-run tables' `in.`/`out.` prefixes).
fn col(name: &str, role: Role, ty: ColumnType, unit: &str, description: &str) -> Column {
    Column {
        name: name.into(),
        role,
        ty,
        unit: unit.into(),
        description: description.into(),
    }
}

/// A category of these levels, each once, in the order first seen: two outcomes may share a
/// label, and every step of a scenario without a start date has the same (empty) date.
fn category(levels: impl IntoIterator<Item = String>) -> ColumnType {
    let mut unique: Vec<String> = vec![];
    for l in levels {
        if !unique.contains(&l) {
            unique.push(l);
        }
    }
    ColumnType::Category { levels: unique }
}

/// The plural of a step unit (`week` → `weeks`).
pub fn steps_unit(step_unit: &str) -> String {
    crate::scenario::steps(step_unit)
}

/// The per-run table's entry (`runs.csv` or `runs.parquet`, as `table` was written).
pub fn runs_table(table: PerRunTable, what: &str) -> TableDoc {
    TableDoc::new(table.0.file_name(), what, table.1)
}

/// A per-run table as written: its format and its columns.
pub type PerRunTable = (crate::report::per_run::Format, Vec<Column>);

/// `outcomes.csv`'s columns.
pub fn outcomes_columns(s: &Summary) -> Vec<Column> {
    use ColumnType::*;
    use Role::*;
    let step = steps_unit(&s.scenario.step_unit);
    let p = "probability (0 to 1)";
    vec![
        col(
            "outcome",
            Key,
            category(s.outcomes.iter().map(|o| o.name.clone())),
            "",
            "the outcome's name in the scenario file",
        ),
        col(
            "label",
            Output,
            category(s.outcomes.iter().map(|o| o.label.clone())),
            "",
            "the outcome's label, in words (may hold commas: quoted)",
        ),
        col(
            "probability",
            Output,
            Float64,
            p,
            "share of the runs in which the outcome happened",
        ),
        col(
            "ci95_low",
            Output,
            Float64,
            p,
            "lower end of the probability's 95% Wilson interval",
        ),
        col(
            "ci95_high",
            Output,
            Float64,
            p,
            "upper end of the probability's 95% Wilson interval",
        ),
        col(
            "runs_hit",
            Output,
            UInt64,
            "runs",
            "runs in which the outcome happened",
        ),
        col("runs", Output, UInt64, "runs", "runs in all"),
        col(
            "first_step_q25",
            Output,
            Float64,
            &step,
            "first quartile of the first step at whose end it held, among the runs it happened in; empty if none",
        ),
        col(
            "first_step_median",
            Output,
            Float64,
            &step,
            "median first step it held, among the runs it happened in (a step of those runs: the lower of the middle two when they are even in number); empty if none",
        ),
        col(
            "first_step_q75",
            Output,
            Float64,
            &step,
            "third quartile of the first step it held; empty if none",
        ),
        col(
            "last_step_median",
            Output,
            Float64,
            &step,
            "median last step it held, among the runs it happened in; empty if none",
        ),
        col(
            "mean_steps_held",
            Output,
            Float64,
            &step,
            "mean number of steps at whose end it held, among the runs it happened in; empty if none",
        ),
        col(
            "mean_steps_held_low",
            Output,
            Float64,
            &step,
            "lower end of the 95% interval of mean_steps_held (Student's t over those runs, at least 0); empty below two such runs",
        ),
        col(
            "mean_steps_held_high",
            Output,
            Float64,
            &step,
            "upper end of the 95% interval of mean_steps_held (at most the horizon); empty below two such runs",
        ),
    ]
}

/// `timeseries.csv`'s columns.
pub fn timeseries_columns(s: &Summary) -> Vec<Column> {
    use ColumnType::*;
    use Role::*;
    let pts = "Goldstein points";
    let mut c = vec![
        col(
            "step",
            Key,
            UInt64,
            &steps_unit(&s.scenario.step_unit),
            "the step (0 is the first); each row holds the state at its end",
        ),
        col(
            "date",
            Key,
            category(
                s.index_by_step
                    .iter()
                    .map(|ix| s.date_of_step(ix.step).unwrap_or_default()),
            ),
            "date (YYYY-MM-DD)",
            "the step's first day, when the scenario has a start date; empty otherwise",
        ),
        col(
            "index_mean",
            Output,
            Float64,
            pts,
            "mean of the dyad index (the focal pair's mean hostility) over the runs",
        ),
    ];
    ends(
        &mut c,
        "index_mean",
        pts,
        "Student's t, the spread bounded from the step's histogram so never below the runs' own, within the index's bounds; empty below two runs",
    );
    for (name, q) in [
        ("index_q05", "5%"),
        ("index_q25", "25%"),
        ("index_q50", "50% (median)"),
        ("index_q75", "75%"),
        ("index_q95", "95%"),
    ] {
        c.push(col(
            name,
            Output,
            Float64,
            pts,
            &format!(
                "the {q} quantile of the dyad index over the runs (from {INDEX_BINS} equal bins between the index's bounds: within a bin)"
            ),
        ));
    }
    let p = "probability (0 to 1)";
    for r in &s.scenario.rungs {
        c.push(col(
            &format!("p_rung_{r}"),
            Output,
            Float64,
            p,
            &format!("share of the runs on rung {r} at the step's end"),
        ));
        ends(&mut c, &format!("p_rung_{r}"), p, "Wilson");
    }
    for l in &s.levers {
        c.push(col(
            &format!("mean_level_{}", l.name),
            Output,
            Float64,
            "level (0 = not in force)",
            &format!("mean level of measure {} over the runs", l.name),
        ));
        ends(
            &mut c,
            &format!("mean_level_{}", l.name),
            "level (0 = not in force)",
            "Student's t within the measure's levels, widened where a few runs differ from the rest (Wilson on their share); empty below two runs",
        );
    }
    for o in &s.outcomes {
        c.push(col(
            &format!("p_{}_so_far", o.name),
            Output,
            Float64,
            p,
            &format!(
                "share of the runs in which {} has happened by the step's end",
                o.name
            ),
        ));
        ends(&mut c, &format!("p_{}_so_far", o.name), p, "Wilson");
    }
    c
}

/// The columns `NAME_low` and `NAME_high`: the ends of column `NAME`'s 95% interval, by
/// `method`.
fn ends(c: &mut Vec<Column>, name: &str, unit: &str, method: &str) {
    for (end, which) in [("low", "lower"), ("high", "upper")] {
        c.push(col(
            &format!("{name}_{end}"),
            Role::Output,
            ColumnType::Float64,
            unit,
            &format!("{which} end of the 95% interval of {name} ({method})"),
        ));
    }
}

/// The tables of a run's folder: outcomes.csv, the per-step table (timeseries.csv, or
/// timeseries.parquet with `--format parquet`) and, with `--per-run`, the per-run table.
pub fn run_tables(
    s: &Summary,
    per_step: crate::report::per_run::Format,
    per_run: Option<PerRunTable>,
) -> Vec<TableDoc> {
    let per_step_file = match per_step {
        crate::report::per_run::Format::Csv => "timeseries.csv",
        crate::report::per_run::Format::Parquet => "timeseries.parquet",
    };
    let mut t = vec![
        TableDoc::new(
            "outcomes.csv",
            "one row per named outcome: its probability over the runs, with its interval and timing",
            outcomes_columns(s),
        ),
        TableDoc::new(
            per_step_file,
            "one row per step: the dyad index's mean and quantiles, each rung's share, each \
             measure's mean level, each outcome's probability so far",
            timeseries_columns(s),
        ),
    ];
    if let Some(c) = per_run {
        t.push(runs_table(
            c,
            "one row per run (in run order): its keys, the numbers it sampled (in.) and what it \
             produced (out.)",
        ));
    }
    t
}

/// The arms' names (the `variant` column's levels of compare.csv), the levers of the tornado's
/// arms, and the outcomes.
fn compare_keys(r: &CompareResult) -> Vec<Column> {
    use Role::*;
    let mut levers: Vec<String> = vec![];
    for a in &r.arms {
        if let Some(l) = &a.lever
            && !levers.contains(l)
        {
            levers.push(l.clone());
        }
    }
    vec![
        col(
            "variant",
            Key,
            category(r.arms.iter().map(|a| a.name.clone())),
            "",
            "the arm: `base`, a variant's name, or a lever forced (`force_LEVER`) or frozen \
             (`freeze_LEVER`) for the tornado",
        ),
        col(
            "kind",
            Key,
            category(["base", "variant", "forced", "frozen"].map(String::from)),
            "",
            "what the arm is: base, variant, forced or frozen",
        ),
        col(
            "lever",
            Key,
            category(levers),
            "",
            "for the tornado's arms, the lever forced or frozen; empty otherwise",
        ),
    ]
}

/// `compare.csv`'s columns: one row per (variant, outcome).
pub fn compare_columns(r: &CompareResult, labels: &[String]) -> Vec<Column> {
    use ColumnType::*;
    use Role::*;
    let p = "probability (0 to 1)";
    let pp = "percentage points";
    let mut c = compare_keys(r);
    c.extend([
        col(
            "outcome",
            Key,
            category(r.outcomes.iter().cloned()),
            "",
            "the outcome's name in the scenario file",
        ),
        col(
            "outcome_label",
            Output,
            category(labels.iter().cloned()),
            "",
            "the outcome's label, in words (may hold commas: quoted)",
        ),
        col(
            "probability",
            Output,
            Float64,
            p,
            "share of the arm's runs in which the outcome happened",
        ),
        col(
            "ci95_low",
            Output,
            Float64,
            p,
            "lower end of the probability's 95% Wilson interval",
        ),
        col(
            "ci95_high",
            Output,
            Float64,
            p,
            "upper end of the probability's 95% Wilson interval",
        ),
        col(
            "base_probability",
            Output,
            Float64,
            p,
            "the outcome's probability in the base arm (the same runs)",
        ),
        col(
            "difference_points",
            Output,
            Float64,
            pp,
            "paired difference arm − base on the same run indices, in percentage points",
        ),
        col(
            "difference_points_ci95_low",
            Output,
            Float64,
            pp,
            "lower end of the paired difference's 95% interval",
        ),
        col(
            "difference_points_ci95_high",
            Output,
            Float64,
            pp,
            "upper end of the paired difference's 95% interval",
        ),
        col(
            "runs",
            Output,
            UInt64,
            "runs",
            "runs of each arm (every arm plays the same run indices)",
        ),
    ]);
    c
}

/// `compare_means.csv`'s columns: one row per (variant, quantity): each actor's cost, the peak
/// and the final index.
pub fn compare_means_columns(r: &CompareResult, actors: &[String], cost_unit: &str) -> Vec<Column> {
    use ColumnType::*;
    use Role::*;
    let mut c = compare_keys(r);
    let unit = format!("{cost_unit} (cost), Goldstein points (index)");
    c.extend([
        col(
            "quantity",
            Key,
            category(["cost", "peak_index", "final_index"].map(String::from)),
            "",
            "what is averaged: an actor's cumulative cost, the run's peak dyad index or its final one",
        ),
        col(
            "actor",
            Key,
            category(actors.iter().cloned()),
            "",
            "for a cost, the actor who bears it; empty otherwise",
        ),
        col(
            "unit",
            Output,
            category([cost_unit.to_string(), "Goldstein points".to_string()]),
            "",
            "the unit of the mean and the difference on this row",
        ),
        col("mean", Output, Float64, &unit, "the arm's mean over its runs"),
        col(
            "ci95_low",
            Output,
            Float64,
            &unit,
            "lower end of the mean's 95% interval",
        ),
        col(
            "ci95_high",
            Output,
            Float64,
            &unit,
            "upper end of the mean's 95% interval",
        ),
        col(
            "base_mean",
            Output,
            Float64,
            &unit,
            "the base arm's mean (the same runs)",
        ),
        col(
            "difference",
            Output,
            Float64,
            &unit,
            "mean paired difference arm − base on the same run indices",
        ),
        col(
            "difference_ci95_low",
            Output,
            Float64,
            &unit,
            "lower end of the paired difference's 95% interval",
        ),
        col(
            "difference_ci95_high",
            Output,
            Float64,
            &unit,
            "upper end of the paired difference's 95% interval",
        ),
    ]);
    c
}

/// `sweep.csv`'s columns: one row per (design point, outcome).
pub fn sweep_columns(r: &SweepResult) -> Vec<Column> {
    use ColumnType::*;
    use Role::*;
    let p = "probability (0 to 1)";
    let mut c: Vec<Column> = if r.is_two_way() {
        r.parameters
            .iter()
            .map(|x| {
                col(
                    &x.path,
                    Input,
                    Float64,
                    "as in the scenario file",
                    &format!("the value of {} at this design point", x.path),
                )
            })
            .collect()
    } else {
        vec![col(
            "value",
            Input,
            Float64,
            "as in the scenario file",
            &format!("the value of {} at this design point", r.path),
        )]
    };
    c.extend([
        col(
            "outcome",
            Key,
            category(r.outcomes.iter().cloned()),
            "",
            "the outcome's name in the scenario file",
        ),
        col(
            "probability",
            Output,
            Float64,
            p,
            "share of the point's runs in which the outcome happened",
        ),
        col(
            "ci95_low",
            Output,
            Float64,
            p,
            "lower end of the probability's 95% Wilson interval",
        ),
        col(
            "ci95_high",
            Output,
            Float64,
            p,
            "upper end of the probability's 95% Wilson interval",
        ),
    ]);
    for a in &r.actors {
        c.push(col(
            &format!("mean_cost_{a}"),
            Output,
            Float64,
            &r.cost_unit,
            &format!("{a}'s mean cumulative cost over the point's runs"),
        ));
    }
    c
}
