//! The tables the Python package hands to data frames (`brink::report::csv::Table` for the
//! summary tables, typed by the data dictionary's columns): every field reads as its column's
//! type says, a field is empty only where the column allows a missing value, and the CSV files
//! the command line writes are those tables.

use brink::report::csv::{Table, outcomes, outcomes_table, timeseries_table};
use brink::report::table::{Column, ColumnType};

/// Every field of `t` reads as its column's type says (what the Python package relies on to
/// type the columns): a category's field is one of its levels, a number parses, an empty
/// field only in a column whose values may be missing.
fn assert_typed(t: &Table) {
    for row in &t.rows {
        assert_eq!(row.len(), t.columns.len());
        for (c, field) in t.columns.iter().zip(row) {
            assert!(
                reads_as(c, field),
                "{}: {field:?} is not {:?}",
                c.name,
                c.ty
            );
        }
    }
}

fn reads_as(c: &Column, field: &str) -> bool {
    match &c.ty {
        // An empty category field is a missing value (compare.csv's lever for a variant).
        ColumnType::Category { levels } => field.is_empty() || levels.iter().any(|l| l == field),
        // A quartile of an outcome that never happened, a mean over no runs: missing.
        _ if field.is_empty() => !matches!(c.ty, ColumnType::UInt64 | ColumnType::Bool),
        ColumnType::UInt64 => field.parse::<u64>().is_ok(),
        ColumnType::Int32Nullable => field.parse::<i32>().is_ok(),
        ColumnType::Float64 | ColumnType::Float32 => field.parse::<f64>().is_ok(),
        ColumnType::Bool => matches!(field, "0" | "1"),
    }
}

fn tutorial() -> brink::scenario::LoadedScenario {
    brink::scenario::load(
        "scenarios/examples/tutorial.ron".as_ref(),
        Default::default(),
    )
    .unwrap()
}

#[test]
fn every_summary_field_is_of_its_columns_type() {
    let loaded = tutorial();
    let run = brink::Simulation::new(&loaded)
        .runs(300)
        .seed(1)
        .threads(1)
        .run()
        .unwrap();
    let (o, ts) = (outcomes_table(&run.summary), timeseries_table(&run.summary));
    assert_eq!(o.rows.len(), run.summary.outcomes.len());
    assert_eq!(ts.rows.len(), run.summary.index_by_step.len());
    assert_typed(&o);
    assert_typed(&ts);
    // The CSV is the table: its header, then its rows.
    let csv = String::from_utf8(outcomes(&run.summary).unwrap()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap().split(',').collect::<Vec<_>>(),
        o.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
    );
    assert_eq!(lines.count(), o.rows.len());
}

#[test]
fn a_field_that_does_not_fit_its_column_is_caught() {
    // The check above can fail: a word in a count column, a name outside a category's levels.
    let count = Column::new(
        brink::report::table::Role::Output,
        "runs_hit",
        ColumnType::UInt64,
        "runs",
        "",
    );
    assert!(reads_as(&count, "12") && !reads_as(&count, "") && !reads_as(&count, "1.5"));
    let rung = Column::new(
        brink::report::table::Role::Output,
        "final_rung",
        ColumnType::Category {
            levels: vec!["calm".into()],
        },
        "",
        "",
    );
    assert!(reads_as(&rung, "calm") && !reads_as(&rung, "war"));
    assert!(reads_as(&rung, ""));
}

#[test]
fn the_comparison_table_is_compare_csv() {
    let loaded = tutorial();
    let c = brink::Comparison::new(&loaded)
        .variants(["restraint"])
        .runs(200)
        .seed(2)
        .threads(1)
        .run()
        .unwrap();
    let base = brink::model::compile(&loaded.scenario, None).unwrap();
    let t = brink::report::compare::table(&base, &c.result);
    assert_typed(&t);
    // One row per (variant, outcome): two arms, each with every outcome.
    assert_eq!(t.rows.len(), 2 * c.result.outcomes.len());
    let csv = String::from_utf8(t.csv("compare.csv").unwrap()).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("variant,kind,lever,outcome,"),
        "{header}"
    );
    // Outcomes by their labels, as the command line's compare.csv has them.
    let label = &loaded.scenario.outcomes[0].label;
    assert!(!label.is_empty() && csv.lines().nth(1).unwrap().contains(label.as_str()));
}
