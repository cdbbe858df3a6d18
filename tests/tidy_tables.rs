//! Tidy tables with a data dictionary (issue 16, item 3): runs.csv has its keys, then only
//! `in.`/`out.` columns, each in columns.json with a unit; `compare --per-run` has one row per
//! (variant, run), `sweep --per-run` one per (point, run), a point's rows equal to a `brink run`
//! with a variant setting its value; the tables are the same on 1 and 2 threads and over two
//! shards merged; compare.csv parses into its documented columns.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TUTORIAL: &str = "scenarios/examples/tutorial.ron";

/// A CSV file as (header, rows).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// columns.json of a folder: file → its columns (as JSON objects), in order.
fn dictionary(dir: &Path) -> BTreeMap<String, Vec<serde_json::Value>> {
    let v = common::json(&dir.join("columns.json"));
    v["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| {
            (
                t["file"].as_str().unwrap().to_string(),
                t["columns"].as_array().unwrap().clone(),
            )
        })
        .collect()
}

/// Every CSV in `dir` is in its columns.json, column for column, each with a unit entry, a
/// type and a description.
fn check_dictionary(dir: &Path) {
    let dict = dictionary(dir);
    let csvs: BTreeSet<String> = common::names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".csv"))
        .collect();
    assert!(!csvs.is_empty());
    assert_eq!(
        csvs,
        dict.keys().cloned().collect(),
        "{}: columns.json covers every table",
        dir.display()
    );
    for f in &csvs {
        let (header, _) = read_csv(&dir.join(f));
        let cols = &dict[f];
        let names: Vec<&str> = cols.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(
            names, header,
            "{f}: columns.json lists its columns in order"
        );
        for c in cols {
            if let Some(levels) = c["levels"].as_array() {
                let unique: BTreeSet<String> = levels.iter().map(|l| l.to_string()).collect();
                assert_eq!(unique.len(), levels.len(), "{f}: {c}'s levels, each once");
            }
            assert!(c["unit"].is_string(), "{f}: {c} has no unit entry");
            assert!(c["type"].is_string(), "{f}: {c} has no type");
            assert!(
                !c["description"].as_str().unwrap().is_empty(),
                "{f}: {c} is not described"
            );
        }
    }
}

fn run_args<'a>(out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        TUTORIAL,
        "--runs",
        "500",
        "--seed",
        "3",
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ];
    a.extend_from_slice(extra);
    a
}

#[test]
fn runs_csv_has_the_keys_then_inputs_then_outputs_all_in_the_dictionary() {
    let dir = common::scratch("run");
    let out = dir.join("r");
    common::ok(&run_args(&out, &["--per-run-steps", "13"]));
    let (header, rows) = read_csv(&out.join("runs.csv"));
    assert_eq!(&header[..3], ["variant", "run", "seed"]);
    let rest = &header[3..];
    let first_out = rest.iter().position(|h| h.starts_with("out.")).unwrap();
    assert!(first_out > 0, "the tutorial samples numbers");
    assert!(rest[..first_out].iter().all(|h| h.starts_with("in.")));
    assert!(rest[first_out..].iter().all(|h| h.starts_with("out.")));
    assert!(header.contains(&"out.rupture.first_step".to_string()));
    assert!(header.contains(&"out.rung_at.13".to_string()));
    assert_eq!(rows.len(), 500);
    for (r, row) in rows.iter().enumerate() {
        assert_eq!(row[0], "base");
        assert_eq!(row[1], r.to_string(), "rows in run order");
        assert_eq!(row[2], "3");
    }
    check_dictionary(&out);
    // The dictionary types the columns as they are written.
    let dict = dictionary(&out);
    let ty = |name: &str| {
        dict["runs.csv"]
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    assert_eq!(ty("out.rupture")["type"], "bool");
    assert_eq!(ty("out.rupture.first_step")["type"], "int32_nullable");
    assert_eq!(ty("out.rupture.first_step")["unit"], "weeks");
    assert_eq!(ty("out.final_rung")["type"], "category");
    assert_eq!(ty("variant")["role"], "key");
    // summary.json says its quantiles' levels.
    let s = common::summary(&out);
    assert_eq!(
        s["index_quantile_levels"],
        serde_json::json!([0.05, 0.25, 0.5, 0.75, 0.95])
    );
    assert_eq!(
        s["costs"][0]["q_levels"],
        serde_json::json!([0.05, 0.25, 0.5, 0.75, 0.95])
    );
    assert_eq!(
        s["outcomes"][0]["first_step_quartile_levels"],
        serde_json::json!([0.25, 0.5, 0.75])
    );
}

#[test]
fn runs_csv_is_the_same_on_any_threads_and_over_two_shards_merged() {
    let dir = common::scratch("threads");
    let one = dir.join("one");
    let two = dir.join("two");
    common::ok(&run_args(&one, &["--threads", "1"]));
    common::ok(&run_args(&two, &["--threads", "2"]));
    let a = std::fs::read(one.join("runs.csv")).unwrap();
    assert_eq!(a, std::fs::read(two.join("runs.csv")).unwrap());
    let s1 = dir.join("s1");
    let s2 = dir.join("s2");
    common::ok(&run_args(&s1, &["--shard", "1/2", "--threads", "2"]));
    common::ok(&run_args(&s2, &["--shard", "2/2", "--threads", "1"]));
    let merged = dir.join("merged");
    common::ok(&[
        "merge",
        s1.to_str().unwrap(),
        s2.to_str().unwrap(),
        "--no-charts",
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(a, std::fs::read(merged.join("runs.csv")).unwrap());
    assert_eq!(
        std::fs::read(one.join("columns.json")).unwrap(),
        std::fs::read(merged.join("columns.json")).unwrap()
    );
}

fn compare(out: &Path, threads: &str) {
    common::ok(&[
        "compare",
        TUTORIAL,
        "--all",
        "--runs",
        "300",
        "--seed",
        "4",
        "--threads",
        threads,
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
}

#[test]
fn compare_per_run_has_a_row_per_variant_and_run_and_a_tidy_compare_csv() {
    let dir = common::scratch("compare");
    let out = dir.join("c");
    compare(&out, "1");
    let (header, rows) = read_csv(&out.join("runs.csv"));
    assert_eq!(&header[..3], ["variant", "run", "seed"]);
    let variants = ["base", "visa_now", "restraint", "pretext"];
    assert_eq!(rows.len(), 300 * variants.len());
    let keys: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(keys.len(), rows.len(), "one row per (variant, run)");
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(r[0], variants[k % variants.len()]);
        assert_eq!(r[1], (k / variants.len()).to_string());
    }
    // The base's rows are a `brink run`'s.
    let run = dir.join("run");
    common::ok(&[
        "run",
        TUTORIAL,
        "--runs",
        "300",
        "--seed",
        "4",
        "--per-run",
        "--no-charts",
        "--out",
        run.to_str().unwrap(),
    ]);
    let (run_header, run_rows) = read_csv(&run.join("runs.csv"));
    let base: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "base").collect();
    for (a, b) in base.iter().zip(&run_rows) {
        for (h, v) in run_header.iter().zip(b) {
            let i = header.iter().position(|x| x == h).unwrap();
            assert_eq!(&a[i], v, "{h}");
        }
    }
    // The summit the pretext variant removes is still drawn (every other number keeps its
    // value) but read by nothing: its numbers are empty in that variant's rows only.
    let summit: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].starts_with("in.events.patron_summit."))
        .collect();
    assert_eq!(
        summit.len(),
        2,
        "the summit's probability and factor: {header:?}"
    );
    for r in &rows {
        for &i in &summit {
            assert_eq!(
                r[i].is_empty(),
                r[0] == "pretext",
                "{} of {}",
                header[i],
                r[0]
            );
        }
    }
    check_dictionary(&out);
    let two = dir.join("c2");
    compare(&two, "2");
    assert_eq!(
        std::fs::read(out.join("runs.csv")).unwrap(),
        std::fs::read(two.join("runs.csv")).unwrap()
    );

    // compare.csv: one row per (variant, outcome), in the documented columns.
    let (h, rows) = read_csv(&out.join("compare.csv"));
    assert_eq!(
        h,
        [
            "variant",
            "kind",
            "lever",
            "outcome",
            "outcome_label",
            "probability",
            "ci95_low",
            "ci95_high",
            "base_probability",
            "difference_points",
            "difference_points_ci95_low",
            "difference_points_ci95_high",
            "runs"
        ]
    );
    let r: serde_json::Value = common::json(&out.join("compare.json"));
    let arms = r["arms"].as_array().unwrap();
    let outcomes = r["outcomes"].as_array().unwrap();
    assert_eq!(rows.len(), arms.len() * outcomes.len());
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let num = |s: &str| s.parse::<f64>().unwrap();
    for row in &rows {
        let arm = arms
            .iter()
            .find(|a| a["name"] == row[col("variant")].as_str())
            .unwrap();
        let k = outcomes
            .iter()
            .position(|o| o == row[col("outcome")].as_str())
            .unwrap();
        let o = &arm["outcomes"][k];
        assert_eq!(
            num(&row[col("probability")]),
            o["probability"]["estimate"].as_f64().unwrap()
        );
        let d = o["difference"]["estimate"].as_f64().unwrap();
        assert!((num(&row[col("difference_points")]) - 100.0 * d).abs() < 1e-9);
        assert_eq!(
            num(&row[col("base_probability")]),
            arms[0]["outcomes"][k]["probability"]["estimate"]
                .as_f64()
                .unwrap()
        );
        let (lo, hi) = (
            num(&row[col("difference_points_ci95_low")]),
            num(&row[col("difference_points_ci95_high")]),
        );
        assert!(lo <= 100.0 * d + 1e-9 && 100.0 * d <= hi + 1e-9);
        assert_eq!(row[col("runs")], "300");
    }
    let (mh, mrows) = read_csv(&out.join("compare_means.csv"));
    assert_eq!(&mh[3..6], ["quantity", "actor", "unit"]);
    assert!(
        mrows
            .iter()
            .any(|r| r[3] == "cost" && r[4] == "north" && r[5] == "USD million")
    );
}

#[test]
fn sweep_per_run_rows_of_a_point_are_a_run_with_a_variant_setting_its_value() {
    let dir = common::scratch("sweep");
    let text = std::fs::read_to_string(common::repo(TUTORIAL)).unwrap();
    let at = text.rfind("    ],\n)").expect("the variants' end");
    let file = dir.join("tutorial_half.ron");
    std::fs::write(
        &file,
        format!(
            "{}        Variant(name: \"half\", set: {{\"relations.south->north.grievance\": 0.5}}, \
             source: \"test\"),\n{}",
            &text[..at],
            &text[at..]
        ),
    )
    .unwrap();
    let out = dir.join("s");
    let f = file.to_str().unwrap();
    common::ok(&[
        "sweep",
        f,
        "--set",
        "relations.south->north.grievance=0.5..1.5:3",
        "--runs",
        "200",
        "--seed",
        "2",
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (header, rows) = read_csv(&out.join("runs.csv"));
    assert_eq!(
        &header[..5],
        [
            "point",
            "variant",
            "run",
            "seed",
            "in.relations.south->north.grievance"
        ]
    );
    assert_eq!(rows.len(), 3 * 200, "one row per (point, run)");
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(r[0], (k / 200).to_string());
        assert_eq!(r[2], (k % 200).to_string());
    }
    check_dictionary(&out);
    let run = dir.join("run");
    common::ok(&[
        "run",
        f,
        "--variant",
        "half",
        "--runs",
        "200",
        "--seed",
        "2",
        "--per-run",
        "--no-charts",
        "--out",
        run.to_str().unwrap(),
    ]);
    let (run_header, run_rows) = read_csv(&run.join("runs.csv"));
    assert_eq!(run_header[3..], header[5..], "the same inputs and outputs");
    for (a, b) in rows[..200].iter().zip(&run_rows) {
        assert_eq!(a[4], "0.5");
        assert_eq!(a[2..4], b[1..3], "run and seed");
        assert_eq!(a[5..], b[3..], "run {}", a[2]);
    }
    // Another point differs somewhere.
    assert!(
        rows[400..]
            .iter()
            .zip(&run_rows)
            .any(|(a, b)| a[5..] != b[3..])
    );
}

/// A category's levels are each listed once: two outcomes with the same label, and the dates of
/// a scenario without a start date (every one empty).
#[test]
fn category_levels_are_listed_once() {
    let dir = common::scratch("levels");
    let file = dir.join("pair.ron");
    std::fs::write(
        &file,
        common::pair_scenario(
            "pair",
            6,
            r#"outcomes: [
                Outcome(name: "tense_now", label: "Bad", when: RungAtLeast("tense")),
                Outcome(name: "tense_ever", label: "Bad", when: RungAtLeast("tense"), at_end: false),
            ],"#,
        ),
    )
    .unwrap();
    let out = dir.join("r");
    common::ok(&[
        "run",
        file.to_str().unwrap(),
        "--runs",
        "50",
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    check_dictionary(&out);
    let dict = dictionary(&out);
    let levels = |file: &str, name: &str| {
        dict[file]
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{file}: {name}"))["levels"]
            .clone()
    };
    assert_eq!(levels("outcomes.csv", "label"), serde_json::json!(["Bad"]));
    assert_eq!(levels("timeseries.csv", "date"), serde_json::json!([""]));
    let (_, rows) = read_csv(&out.join("outcomes.csv"));
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r[1] == "Bad"));
}

/// The two-parameter sweep's terminal grid does not round a probability short of certainty to
/// 100.0 (or one above zero to 0.0).
#[test]
fn a_sweep_grid_says_short_of_certainty() {
    let dir = common::scratch("sweep-grid");
    let file = dir.join("pair.ron");
    std::fs::write(
        &file,
        common::pair_scenario(
            "pair",
            3,
            r#"events: [Event(name: "nearly", timing: Scheduled(step: 1, probability: 0.9998))],
               outcomes: [Outcome(name: "nearly_o", when: EventOccurred("nearly"))],"#,
        ),
    )
    .unwrap();
    let out = dir.join("s");
    let o = common::ok(&[
        "sweep",
        file.to_str().unwrap(),
        "--set",
        "relations.a->b.grievance=0..1:2",
        "--set",
        "relations.b->a.grievance=0..1:2",
        "--runs",
        "20000",
        "--seed",
        "1",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = common::stdout(&o);
    assert!(text.contains(">99.9"), "{text}");
    assert!(!text.contains("100.0"), "{text}");
}
