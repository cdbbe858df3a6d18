//! `brink trace --out` draws each traced run as a timeline (`trace_timeline.png`/`.svg` for one
//! run, `trace_timeline_run<K>` for each of several): a real picture with its title, the moves,
//! events and outcomes named by the scenario's labels rather than their ids; `--no-charts`
//! leaves the charts out.

mod common;

use std::path::{Path, PathBuf};

use brink::report::charts::HEIGHT;
use brink::report::html::escape;
use brink::scenario::Lever;
use common::ok;
use serde_json::Value;

const FLAGSHIP: &str = "scenarios/russia_azerbaijan_2025.ron";

/// `brink trace FLAGSHIP --out <scratch>/out` with the extra arguments; the output folder.
fn trace(name: &str, extra: &[&str]) -> PathBuf {
    let dir = common::scratch(name);
    let out = dir.join("out");
    let scenario = common::repo(FLAGSHIP);
    let mut args = vec![
        "trace",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&args);
    out
}

/// The traces in trace.json: one trace for `--run`, the pick's traces for `--pick`.
fn traces(out: &Path) -> Vec<Value> {
    let v = common::json(&out.join("trace.json"));
    match v.get("traces") {
        Some(Value::Array(t)) => t.clone(),
        _ => vec![v],
    }
}

/// A lever's or act's short display name, as the charts show it: its label without a closing
/// bracket, its name when it has no label.
fn short(label: &str, name: &str) -> String {
    let l = label.trim();
    let s = match l.rfind(" (") {
        Some(i) if i > 0 && l.ends_with(')') => l[..i].trim_end(),
        _ => l,
    };
    if s.is_empty() { name.into() } else { s.into() }
}

/// Every lever and act of the flagship: (id, short label).
fn lever_labels() -> Vec<(String, String)> {
    common::load(FLAGSHIP)
        .scenario
        .levers
        .iter()
        .map(|l| match l {
            Lever::Measure(m) => (m.name.clone(), short(&m.label, &m.name)),
            Lever::Act(a) => (a.name.clone(), short(&a.label, &a.name)),
        })
        .collect()
}

/// The ids of the levers and acts a trace's actors moved.
fn moved(t: &Value) -> Vec<String> {
    let mut ids: Vec<String> = t["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .flat_map(|s| s["moves"].as_array().expect("moves").iter())
        .filter(|m| m["choice"] != "hold")
        .filter_map(|m| m["lever"].as_str().map(String::from))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn has(svg: &str, text: &str) -> bool {
    svg.contains(text) || svg.contains(&escape(text))
}

/// Checks one run's chart: a real picture with its title; the SVG names at least one move the
/// trace records and at least one outcome that happened by their labels, and no move by its
/// snake_case id.
fn check(out: &Path, stem: &str, t: &Value, title: &str) {
    common::check_png(&out.join(format!("{stem}.png")), HEIGHT..=u32::MAX);
    let svg = common::check_svg(&out.join(format!("{stem}.svg")));
    assert!(has(&svg, title), "{stem}.svg lacks its title {title:?}");
    let labels = lever_labels();
    let ids = moved(t);
    assert!(!ids.is_empty(), "run {} records no move", t["run"]);
    let shown: Vec<&String> = ids
        .iter()
        .filter_map(|id| labels.iter().find(|(n, _)| n == id).map(|(_, l)| l))
        .filter(|l| has(&svg, l))
        .collect();
    assert!(
        !shown.is_empty(),
        "{stem}.svg names none of the moves {ids:?} by its label"
    );
    for id in &ids {
        let label = &labels.iter().find(|(n, _)| n == id).expect("a lever").1;
        if id.contains('_') && label != id {
            assert!(!svg.contains(id.as_str()), "{stem}.svg shows the id {id:?}");
        }
    }
    let outcomes: Vec<String> = t["end"]["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .filter(|o| o["happened"] == true)
        .map(|o| short(o["label"].as_str().unwrap(), o["name"].as_str().unwrap()))
        .collect();
    assert!(
        outcomes.is_empty() || outcomes.iter().any(|o| has(&svg, o)),
        "{stem}.svg names none of the outcomes {outcomes:?}"
    );
}

/// The chart files in a folder, sorted.
fn charts(out: &Path) -> Vec<String> {
    common::names(out)
        .into_iter()
        .filter(|n| n.starts_with("trace_timeline"))
        .collect()
}

#[test]
fn run_0_of_the_flagship_is_drawn_as_one_timeline() {
    let out = trace("run0", &["--run", "0"]);
    let ts = traces(&out);
    assert_eq!(ts.len(), 1);
    assert_eq!(charts(&out), ["trace_timeline.png", "trace_timeline.svg"]);
    check(
        &out,
        "trace_timeline",
        &ts[0],
        "Run 0: one run as it unfolded",
    );
}

/// The picked runs' charts are drawn side by side on `--threads` threads: the same files, byte
/// for byte, on one thread or two.
#[test]
fn picked_runs_charts_are_the_same_bytes_on_any_threads() {
    let drawn: Vec<Vec<(String, Vec<u8>)>> = ["1", "2"]
        .iter()
        .map(|t| {
            let out = trace(
                &format!("pick-threads-{t}"),
                &["--pick", "rupture", "--count", "5", "--threads", t],
            );
            charts(&out)
                .into_iter()
                .map(|n| {
                    let bytes = std::fs::read(out.join(&n)).unwrap();
                    (n, bytes)
                })
                .collect()
        })
        .collect();
    assert_eq!(drawn[0].len(), 10);
    for ((n1, b1), (n2, b2)) in drawn[0].iter().zip(&drawn[1]) {
        assert!(n1 == n2 && b1 == b2, "{n1} differs on two threads");
    }
}

#[test]
fn picked_runs_are_drawn_one_chart_each_with_the_outcome_in_the_title() {
    let out = trace("pick", &["--pick", "rupture", "--count", "2"]);
    let ts = traces(&out);
    assert_eq!(ts.len(), 2);
    let mut expected: Vec<String> = vec![];
    for t in &ts {
        let k = t["run"].as_u64().expect("run");
        expected.push(format!("trace_timeline_run{k}.png"));
        expected.push(format!("trace_timeline_run{k}.svg"));
    }
    expected.sort();
    assert_eq!(charts(&out), expected);
    for t in &ts {
        let k = t["run"].as_u64().expect("run");
        check(
            &out,
            &format!("trace_timeline_run{k}"),
            t,
            &format!("Run {k}: a run with “Rupture within the year”"),
        );
    }
}

#[test]
fn a_single_picked_run_is_drawn_as_trace_timeline() {
    let out = trace("pick1", &["--pick", "leader_contact", "--count", "1"]);
    let ts = traces(&out);
    assert_eq!(ts.len(), 1);
    assert_eq!(charts(&out), ["trace_timeline.png", "trace_timeline.svg"]);
    let k = ts[0]["run"].as_u64().expect("run");
    check(
        &out,
        "trace_timeline",
        &ts[0],
        &format!("Run {k}: a run with “Putin–Aliyev call or meeting”"),
    );
}

#[test]
fn no_charts_writes_only_the_trace() {
    let out = trace("nocharts", &["--run", "0", "--no-charts"]);
    let visible: Vec<String> = common::names(&out)
        .into_iter()
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(visible, ["trace.json", "trace.txt"]);
}

/// `brink run` puts one storyline beside its probabilities: run 0 of the same seed, drawn as
/// the same timeline `brink trace --run 0` draws, in the report among the charts.
#[test]
fn the_run_report_draws_run_0_as_a_timeline() {
    let dir = common::scratch("run-report");
    let out = dir.join("run");
    let scenario = common::repo(FLAGSHIP);
    ok(&[
        "run".as_ref(),
        scenario.as_os_str(),
        "--runs".as_ref(),
        "300".as_ref(),
        "--seed".as_ref(),
        "4".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let traced = trace("run-report-trace", &["--run", "0", "--seed", "4"]);
    // The same chart as the trace command's, bit for bit up to its last words, the note on
    // labels left out: the trace's names its trace.txt, the run's (which writes none) the
    // trace command.
    let run_svg = std::fs::read_to_string(out.join("trace_timeline.svg")).unwrap();
    let trace_svg = std::fs::read_to_string(traced.join("trace_timeline.svg")).unwrap();
    let note = "labels left out for room";
    let (run_head, run_tail) = run_svg.split_once(note).expect("the run's note");
    let (trace_head, trace_tail) = trace_svg.split_once(note).expect("the trace's note");
    assert_eq!(
        run_head, trace_head,
        "the run report's timeline is run 0 of its seed"
    );
    let words = |tail: &str| -> String {
        tail.lines()
            .filter(|l| !l.starts_with('<'))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        words(run_tail).contains("(brink trace --run 0 --seed 4 names every one)"),
        "{run_tail}"
    );
    assert!(
        words(trace_tail).contains("(trace.txt names every one)"),
        "{trace_tail}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(
        html.contains("id=\"chart-trace_timeline\""),
        "the report shows it"
    );
    assert!(html.contains("Run 0: one run as it unfolded"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Labels with no room are left out, and the chart says how many: twelve events firing in
/// one step showed three names and no word of the others.
#[test]
fn labels_left_out_for_room_are_counted() {
    let dir = common::scratch("trace-left-out");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    let bursts: String = (0..12)
        .map(|i| {
            format!(
                "Event(name: \"burst_{i}\", label: \"Burst event number {i} with a rather long \
                 label\", timing: Scheduled(step: 5, probability: 1.0), effects: \
                 [Impulse(from: \"north\", to: \"south\", amount: 0.1)]),\n"
            )
        })
        .collect();
    let at = text.find("events: [").unwrap() + "events: [".len();
    let file = dir.join("many.ron");
    std::fs::write(&file, format!("{}\n{bursts}{}", &text[..at], &text[at..])).unwrap();
    let out = dir.join("out");
    ok(&[
        "trace",
        file.to_str().unwrap(),
        "--run",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    let svg = std::fs::read_to_string(out.join("trace_timeline.svg")).unwrap();
    let shown = (0..12)
        .filter(|i| svg.contains(&format!("Burst event number {i} ")))
        .count();
    assert!(
        shown < 12,
        "every burst label fit: the test needs more of them"
    );
    assert!(
        svg.contains("labels left out for room"),
        "no count of the labels left out"
    );
}
