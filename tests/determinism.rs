//! The same scenario, seed and runs give bit-identical outputs on any thread count, and from
//! one invocation to the next.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use brink::engine::{self, NoSink, RunPlan};

const SCENARIO: &str = r#"Scenario(
    name: "determinism", horizon: 30, focal: ("a", "b"), cost_unit: "USD million",
    actors: [
        Actor(name: "a", activity: 0.6, sensitivity: Triangular(min: 0.5, mode: 1, max: 2, source: "assumption")),
        Actor(name: "b", activity: 0.5, cost_weight: 0.05),
        Actor(name: "m", kind: Mediator, activity: 0.3),
    ],
    relations: [
        Relation(from: "a", to: "b", initial: 3.0, reactivity: 0.2, noise: Uniform(min: 0.3, max: 0.8)),
        Relation(from: "b", to: "a", initial: 2.0, reactivity: 0.2, noise: 0.5),
        Relation(from: "m", to: "a", initial: -2.0),
        Relation(from: "a", to: "m", initial: -2.0),
    ],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2), Rung(name: "rupture", threshold: 5)],
    levers: [
        Measure(name: "ban", owner: "a", target: "b", threshold: 2.5, persistence: 1.0,
            levels: [Level(name: "checks", weight: -4, costs: {"b": 3.0, "a": 0.5}),
                     Level(name: "full", weight: -8, costs: {"b": 12.0, "a": 2.0}, implies_rung: "rupture")]),
        Act(name: "note", owner: "b", target: "a", weight: -2, threshold: 2, cooldown: 2),
        Act(name: "call", owner: "m", target: "a", weight: 4, threshold: 0),
    ],
    events: [
        Event(name: "meeting", timing: Hazard(rate: 0.05, index_slope: -0.2, factors: [Factor(when: ActWithin("call", 4), times: 3)]),
              effects: [ScaleHostility(factor: 0.5)]),
    ],
    outcomes: [
        Outcome(name: "rupture", when: RungAtLeast("rupture")),
        Outcome(name: "ban_full", when: LevelAtLeast("ban", 2)),
        Outcome(name: "met", when: EventOccurred("meeting")),
    ],
)"#;

#[test]
fn tallies_are_bit_identical_for_any_thread_count() {
    let m = common::compile(SCENARIO, None);
    let stop = AtomicBool::new(false);
    // 5,000 runs: four full chunks and a partial one.
    let one = engine::run::<brink::stats::Tally>(
        &m,
        &RunPlan::whole(11, 5_000, 1),
        &mut NoSink,
        None,
        &stop,
    )
    .unwrap();
    for threads in [2, 8] {
        let t = engine::run::<brink::stats::Tally>(
            &m,
            &RunPlan::whole(11, 5_000, threads),
            &mut NoSink,
            None,
            &stop,
        )
        .unwrap();
        assert!(t == one, "{threads} threads differ from 1");
    }
    assert_eq!(one.runs, 5_000);
    // A different seed gives different results.
    let other = engine::run::<brink::stats::Tally>(
        &m,
        &RunPlan::whole(12, 5_000, 2),
        &mut NoSink,
        None,
        &stop,
    )
    .unwrap();
    assert!(other != one);
}

fn run_cli(scenario: &Path, out: &Path, threads: &str) {
    common::ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "3000",
        "--seed",
        "7",
        "--per-run",
        "--no-charts",
        "--threads",
        threads,
        "--out",
        out.to_str().unwrap(),
    ]);
}

#[test]
fn outputs_are_byte_identical_across_threads_and_invocations() {
    let dir = common::scratch("cli");
    let scenario = dir.join("s.ron");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let runs: Vec<PathBuf> = ["1", "2", "8", "8"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let out = dir.join(format!("out{i}"));
            run_cli(&scenario, &out, t);
            out
        })
        .collect();
    for f in ["outcomes.csv", "timeseries.csv", "runs.csv"] {
        let first = std::fs::read(runs[0].join(f)).unwrap();
        assert!(!first.is_empty());
        for r in &runs[1..] {
            assert!(
                std::fs::read(r.join(f)).unwrap() == first,
                "{f} differs in {}",
                r.display()
            );
        }
    }
    let first = common::summary_without_command(&runs[0]);
    for r in &runs[1..] {
        assert_eq!(
            common::summary_without_command(r),
            first,
            "summary.json differs in {}",
            r.display()
        );
    }
    // runs.csv has one row per run, in run order.
    let rows = std::fs::read_to_string(runs[0].join("runs.csv")).unwrap();
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines.len(), 3001);
    assert!(lines[1].starts_with("base,0,") && lines[3000].starts_with("base,2999,"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The charts are drawn side by side on `--threads` threads: each chart's PNG and SVG are the
/// same bytes on any number of them, and all of them are there.
#[test]
fn charts_are_byte_identical_across_threads() {
    let dir = common::scratch("charts-threads");
    let scenario = dir.join("s.ron");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let charts = |out: &Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "png" || x == "svg"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let drawn: Vec<Vec<(String, Vec<u8>)>> = ["1", "2", "8"]
        .iter()
        .map(|t| {
            let out = dir.join(format!("out{t}"));
            common::ok(&[
                "run",
                scenario.to_str().unwrap(),
                "--runs",
                "500",
                "--seed",
                "3",
                "--threads",
                t,
                "--out",
                out.to_str().unwrap(),
            ]);
            charts(&out)
        })
        .collect();
    assert!(
        drawn[0].len() >= 10 && drawn[0].iter().any(|(n, _)| n == "index_fan.png"),
        "{:?}",
        drawn[0].iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for (t, d) in ["2", "8"].iter().zip(&drawn[1..]) {
        for ((n1, b1), (n, b)) in drawn[0].iter().zip(d) {
            assert!(n1 == n && b1 == b, "{n} differs on {t} threads");
        }
        assert_eq!(d.len(), drawn[0].len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reused_chunk_slot_gives_what_a_fresh_one_gives() {
    let m = common::compile(SCENARIO, None);
    let master = brink::numerics::rng::Master::new(5);
    let runs = 4 * engine::CHUNK_RUNS;
    let (fresh, _) = engine::run_chunk::<brink::stats::Tally>(&m, &master, runs, 3, false, None);
    let mut slot = engine::ChunkSlot::<brink::stats::Tally>::new(&m);
    engine::run_chunk_into(&m, &master, runs, 1, false, None, &mut slot);
    assert!(slot.tally != fresh);
    slot.tally.clear();
    assert!(
        slot.tally == brink::stats::Tally::new(&m),
        "clear() is new()"
    );
    engine::run_chunk_into(&m, &master, runs, 3, false, None, &mut slot);
    assert!(
        slot.tally == fresh,
        "a reused slot counts chunk 3 as a fresh one does"
    );
}
