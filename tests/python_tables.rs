//! The tables the Python package types by their columns' kinds (`brink::report::csv::Table`,
//! `runs_columns`): every field reads as its column's kind says, and the CSV files the command
//! line writes are those tables.

use brink::report::csv::{
    Kind, outcomes, outcomes_table, run_row, runs_columns, runs_header, timeseries_table,
};

/// Every field a table holds reads as its column's kind says (what the Python package
/// relies on to type the columns), an empty field only where a value may be missing.
fn assert_kinds(columns: &[(String, Kind)], rows: &[Vec<String>]) {
    for row in rows {
        assert_eq!(row.len(), columns.len());
        for ((name, kind), field) in columns.iter().zip(row) {
            let ok = match kind {
                Kind::Text => true,
                _ if field.is_empty() => true,
                Kind::Integer => field.parse::<i64>().is_ok(),
                Kind::Real => field.parse::<f64>().is_ok(),
            };
            assert!(ok, "{name}: {field:?} is not {kind:?}");
        }
    }
}

#[test]
fn every_table_field_is_of_its_columns_kind() {
    struct Rows(String);
    impl brink::engine::ChunkSink for Rows {
        fn wants_rows(&self) -> bool {
            true
        }
        fn rows(&mut self, rows: &str) -> std::io::Result<()> {
            self.0.push_str(rows);
            Ok(())
        }
    }
    let loaded = brink::scenario::load(
        "scenarios/examples/tutorial.ron".as_ref(),
        Default::default(),
    )
    .unwrap();
    let sim = brink::Simulation::new(&loaded)
        .runs(300)
        .seed(1)
        .threads(1)
        .per_run_steps(vec![10]);
    let mut rows = Rows(String::new());
    let row: &brink::engine::RowWriter = &run_row;
    let run = sim.run_into(&mut rows, Some(row)).unwrap();
    let columns = runs_columns(&run.model);
    assert_eq!(
        runs_header(&run.model),
        columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(",")
            + "\n"
    );
    let fields: Vec<Vec<String>> = rows
        .0
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    assert_eq!(fields.len(), 300);
    assert_kinds(&columns, &fields);
    // Some outcome never happens in some run: its steps are empty, not 0.
    assert!(fields.iter().any(|r| r.iter().any(String::is_empty)));
    for t in [outcomes_table(&run.summary), timeseries_table(&run.summary)] {
        assert!(!t.rows.is_empty());
        assert_kinds(&t.columns, &t.rows);
    }
    // The CSV is the table: its header, then its rows.
    let csv = String::from_utf8(outcomes(&run.summary).unwrap()).unwrap();
    let t = outcomes_table(&run.summary);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap().split(',').collect::<Vec<_>>(),
        t.columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
    );
    assert_eq!(lines.count(), t.rows.len());
}

#[test]
fn the_comparison_table_is_compare_csv() {
    let loaded = brink::scenario::load(
        "scenarios/examples/tutorial.ron".as_ref(),
        Default::default(),
    )
    .unwrap();
    let c = brink::Comparison::new(&loaded)
        .variants(["restraint"])
        .runs(200)
        .seed(2)
        .threads(1)
        .run()
        .unwrap();
    let t = brink::report::compare::table(&c.result);
    assert_kinds(&t.columns, &t.rows);
    // Two arms, each with every outcome and every mean.
    let per_arm = c.result.outcomes.len() + c.result.quantities.len();
    assert_eq!(t.rows.len(), 2 * per_arm);
    let csv = String::from_utf8(brink::report::compare::csv(&c.result).unwrap()).unwrap();
    let mut expected = t
        .columns
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(",");
    expected.push('\n');
    for r in &t.rows {
        expected.push_str(&r.join(","));
        expected.push('\n');
    }
    assert_eq!(csv, expected);
}
