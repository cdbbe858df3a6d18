//! `brink trace` replays a run exactly: for the flagship scenario (base and variants), the
//! trace of run K has the outcomes (and their first steps), rungs, costs and sampled numbers of
//! row K of `runs.csv` from `brink run`; `--pick` returns the first runs with the outcome.

mod common;

use std::path::PathBuf;

use common::{brink, ok, stdout};
use serde_json::Value;

const SEED: &str = "7";
const RUNS: usize = 200;

fn flagship() -> PathBuf {
    common::repo("scenarios/russia_azerbaijan_2025.ron")
}

/// `runs.csv` of `brink run --runs 200 --per-run` as (header, rows).
fn runs_csv(variant: Option<&str>) -> (Vec<String>, Vec<Vec<String>>) {
    runs_csv_at(variant, SEED)
}

/// The flagship's runs.csv at a seed.
fn runs_csv_at(variant: Option<&str>, seed: &str) -> (Vec<String>, Vec<Vec<String>>) {
    // Tests run in parallel: each call gets its own folder.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = common::scratch(&format!("run-{}-{n}", variant.unwrap_or("base")));
    let out = dir.join("out");
    let scenario = flagship();
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "200",
        "--seed",
        seed,
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(v) = variant {
        args.extend(["--variant", v]);
    }
    ok(&args);
    let mut r = csv::Reader::from_path(out.join("runs.csv")).expect("runs.csv");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.expect("row").iter().map(String::from).collect())
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(rows.len(), RUNS);
    (header, rows)
}

fn trace_json(extra: &[&str]) -> Value {
    let scenario = flagship();
    let mut args = vec![
        "trace",
        scenario.to_str().unwrap(),
        "--seed",
        SEED,
        "--json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&stdout(&ok(&args))).expect("trace prints JSON")
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Checks one trace against its row of runs.csv.
fn check(header: &[String], row: &[String], t: &Value) {
    let col = |name: &str| -> &str {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("runs.csv has no column {name}"));
        &row[i]
    };
    let run = t["run"].as_u64().unwrap();
    assert_eq!(col("run"), run.to_string());
    let ctx = format!("run {run}");

    // Every sampled number: the same random streams. The numbers of an event the variant
    // removes are read by nothing: neither the trace nor the row shows them.
    let traced: Vec<String> = t["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("in.{}", p["path"].as_str().unwrap()))
        .collect();
    for p in t["parameters"].as_array().unwrap() {
        let path = p["path"].as_str().unwrap();
        assert_eq!(
            num(col(&format!("in.{path}"))),
            p["value"].as_f64().unwrap(),
            "{ctx}: {path}"
        );
    }
    let shown: Vec<&String> = header
        .iter()
        .zip(row)
        .filter(|(h, v)| h.starts_with("in.") && !v.is_empty())
        .map(|(h, _)| h)
        .collect();
    assert_eq!(
        shown,
        traced.iter().collect::<Vec<_>>(),
        "{ctx}: the numbers in play"
    );

    // Outcomes: which happened, and at which step; each narrated at that step.
    let steps = t["steps"].as_array().unwrap();
    for o in t["end"]["outcomes"].as_array().unwrap() {
        let name = o["name"].as_str().unwrap();
        let happened = o["happened"].as_bool().unwrap();
        assert_eq!(
            col(&format!("out.{name}")),
            if happened { "1" } else { "0" },
            "{ctx}: {name}"
        );
        let first = o["first_step"].as_u64();
        let csv_first = col(&format!("out.{name}.first_step"));
        assert_eq!(
            csv_first,
            first.map_or(String::new(), |s| s.to_string()),
            "{ctx}: first step of {name}"
        );
        let narrated: Vec<u64> = steps
            .iter()
            .filter(|s| {
                s["outcomes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x.as_str() == Some(name))
            })
            .map(|s| s["step"].as_u64().unwrap())
            .collect();
        assert_eq!(
            narrated,
            first.into_iter().collect::<Vec<_>>(),
            "{ctx}: {name} narrated"
        );
    }

    // Rungs: final and peak, and the peak is the highest rung the narrative shows.
    let end = &t["end"];
    assert_eq!(
        end["final_rung"].as_str().unwrap(),
        col("out.final_rung"),
        "{ctx}"
    );
    assert_eq!(
        end["peak_rung"].as_str().unwrap(),
        col("out.peak_rung"),
        "{ctx}"
    );
    let rungs: Vec<&str> = t["rungs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let idx = |r: &Value| rungs.iter().position(|x| Some(*x) == r.as_str()).unwrap();
    let peak = steps
        .iter()
        .map(|s| idx(&s["rung"]))
        .chain([idx(&t["start"]["rung"])])
        .max()
        .unwrap();
    assert_eq!(
        rungs[peak],
        col("out.peak_rung"),
        "{ctx}: peak over the steps"
    );
    assert_eq!(
        steps.last().unwrap()["rung"].as_str().unwrap(),
        col("out.final_rung")
    );
    assert_eq!(
        end["peak_index"].as_f64().unwrap(),
        num(col("out.peak_index"))
    );
    assert_eq!(
        end["final_index"].as_f64().unwrap(),
        num(col("out.final_index"))
    );

    // Costs per actor, at the end and after the last step.
    let last_costs = steps.last().unwrap()["costs"].as_array().unwrap();
    for (i, c) in end["costs"].as_array().unwrap().iter().enumerate() {
        let actor = c["actor"].as_str().unwrap();
        let v = c["cost"].as_f64().unwrap();
        assert_eq!(
            v,
            num(col(&format!("out.cost.{actor}"))),
            "{ctx}: cost of {actor}"
        );
        assert_eq!(v, last_costs[i].as_f64().unwrap(), "{ctx}: {actor}");
    }
    // Gains per actor (traces left them out).
    let gains = end["gains"].as_array().unwrap();
    assert_eq!(gains.len(), end["costs"].as_array().unwrap().len(), "{ctx}");
    for g in gains {
        let actor = g["actor"].as_str().unwrap();
        assert_eq!(
            g["gain"].as_f64().unwrap(),
            num(col(&format!("out.gain.{actor}"))),
            "{ctx}: gain of {actor}"
        );
    }
}

#[test]
fn trace_replays_the_run_of_brink_run() {
    for variant in [
        None,
        Some("pretext_seeking_baku"),
        Some("visa_regime"),
        Some("no_outside_shocks"),
    ] {
        let (header, rows) = runs_csv(variant);
        for k in [0usize, 1, 17, 64, 123, 199] {
            let ks = k.to_string();
            let mut extra = vec!["--run", ks.as_str()];
            if let Some(v) = variant {
                extra.extend(["--variant", v]);
            }
            let t = trace_json(&extra);
            assert_eq!(t["variant"].as_str(), variant);
            assert_eq!(
                t["steps"].as_array().unwrap().len(),
                t["horizon"].as_u64().unwrap() as usize
            );
            check(&header, &rows[k], &t);
            let paths: Vec<&str> = t["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["path"].as_str().unwrap())
                .collect();
            assert_eq!(
                paths.contains(&"events.death_in_custody.rate"),
                variant != Some("no_outside_shocks"),
                "the numbers of a removed event are not shown: {paths:?}"
            );
        }
    }
}

#[test]
fn pick_returns_the_first_runs_with_the_outcome() {
    let (header, rows) = runs_csv(None);
    let col = header.iter().position(|h| h == "out.rupture").unwrap();
    let expected: Vec<u64> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r[col] == "1")
        .map(|(i, _)| i as u64)
        .take(2)
        .collect();
    assert_eq!(expected.len(), 2, "two ruptures within 200 runs");
    for threads in ["1", "3"] {
        let doc = trace_json(&["--pick", "rupture", "--count", "2", "--threads", threads]);
        let runs: Vec<u64> = doc["pick"]["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_u64().unwrap())
            .collect();
        assert_eq!(runs, expected, "{threads} threads");
        assert_eq!(doc["pick"]["scanned"].as_u64(), Some(expected[1] + 1));
        let traces = doc["traces"].as_array().unwrap();
        assert_eq!(traces.len(), 2);
        for t in traces {
            let k = t["run"].as_u64().unwrap() as usize;
            assert_eq!(rows[k][col], "1");
            check(&header, &rows[k], t);
        }
    }
}

#[test]
fn text_output_and_files() {
    let scenario = flagship();
    let dir = common::scratch("files");
    let out = dir.join("out");
    let text = stdout(&ok(&[
        "trace",
        scenario.to_str().unwrap(),
        "--run",
        "5",
        "--seed",
        SEED,
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(
        text.starts_with("Run 5 of russia_azerbaijan_2025"),
        "{text}"
    );
    assert!(text.contains("week  0  2025-07-01  H"), "{text}");
    assert!(text.contains("End: final rung"), "{text}");
    let saved = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    assert_eq!(saved, text);
    let json = common::json(&out.join("trace.json"));
    assert_eq!(json["run"].as_u64(), Some(5));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_outcome_or_variant_is_an_input_error() {
    let scenario = flagship();
    let s = scenario.to_str().unwrap();
    for args in [
        vec!["trace", s, "--pick", "no_such_outcome"],
        vec!["trace", s, "--run", "1", "--variant", "no_such_variant"],
    ] {
        let o = brink(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("unknown"), "{err}");
        assert!(err.contains("expected one of"), "{err}");
    }
    // Neither --run nor --pick.
    assert_eq!(brink(&["trace", s]).status.code(), Some(2));
}

/// A pick no run meets within the runs scanned is an input error like an unknown outcome (it
/// exited 1, the code of a failure while working): exit code 2, a message naming the outcome,
/// the runs scanned and the remedy, and nothing written. One run more in the scan finds it.
#[test]
fn a_pick_no_run_meets_is_an_input_error() {
    // The tutorial's "dialogue" is the leaders' call happening; with its rate at 0 it never does.
    let tutorial = common::repo("scenarios/examples/tutorial.ron");
    let t = tutorial.to_str().unwrap();
    let never = "events.leader_call.rate=0";
    let dir = common::scratch("pick-none");
    let out = dir.join("out");
    let o = brink(&[
        "trace",
        t,
        "--pick",
        "dialogue",
        "--set",
        never,
        "--max-scan",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains("\"dialogue\" happened in none of the first 300 runs")
            && err.contains("raise --max-scan"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "{}", common::describe(&o));
    assert!(!out.exists(), "nothing written");
    assert!(
        common::hidden(&dir).is_empty(),
        "{:?}",
        common::hidden(&dir)
    );

    // The flagship at the first seed from 7 whose run 0 has no rupture: a scan that stops one
    // run short of the first rupture finds none (exit 2); one run more finds it.
    let (seed, first) = (7..20)
        .map(|seed| {
            let seed = seed.to_string();
            let (header, rows) = runs_csv_at(None, &seed);
            let col = header.iter().position(|h| h == "out.rupture").unwrap();
            let first = rows
                .iter()
                .position(|r| r[col] == "1")
                .expect("a rupture in 200 runs");
            (seed, first)
        })
        .find(|(_, first)| *first > 0)
        .expect("a seed from 7 to 19 whose run 0 has no rupture");
    let scenario = flagship();
    let pick = |scan: usize| -> Vec<String> {
        let scan = scan.to_string();
        let s = scenario.to_str().unwrap();
        let args = [
            "trace", s, "--seed", &seed, "--pick", "rupture", "--count", "1",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.extend(["--max-scan".into(), scan, "--json".into()]);
        args
    };
    let o = brink(&pick(first));
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let doc: Value = serde_json::from_str(&stdout(&ok(&pick(first + 1)))).unwrap();
    assert_eq!(doc["pick"]["runs"][0].as_u64(), Some(first as u64));
    let _ = std::fs::remove_dir_all(&dir);
}

/// trace.txt is read by an analyst: no measure, act, actor or event is named there by its id
/// where the scenario gives it a different label (trace.json keeps the ids).
#[test]
fn trace_txt_names_levers_and_acts_by_their_labels() {
    use brink::scenario::Lever;
    let scenario = flagship();
    let loaded = common::load("scenarios/russia_azerbaijan_2025.ron");
    let sc = &loaded.scenario;
    let dir = common::scratch("labels");
    let out = dir.join("out");
    ok(&[
        "trace",
        scenario.to_str().unwrap(),
        "--pick",
        "rupture",
        "--count",
        "2",
        "--seed",
        SEED,
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    let json = std::fs::read_to_string(out.join("trace.json")).unwrap();
    // Whole words only: an id is a run of letters, digits and underscores.
    let words: std::collections::BTreeSet<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .collect();
    let mut ids: Vec<(&str, &str)> = sc
        .levers
        .iter()
        .map(|l| match l {
            Lever::Measure(m) => (m.name.as_str(), m.label.as_str()),
            Lever::Act(a) => (a.name.as_str(), a.label.as_str()),
        })
        .collect();
    ids.extend(
        sc.events
            .iter()
            .map(|e| (e.name.as_str(), e.label.as_str())),
    );
    // Snake-case ids cannot be an ordinary word of a label.
    ids.retain(|(name, label)| name.contains('_') && !label.trim().is_empty() && label != name);
    assert!(ids.len() >= 10, "the flagship labels its levers: {ids:?}");
    let mut in_json = 0;
    for (name, _) in &ids {
        assert!(!words.contains(name), "trace.txt names {name} by its id");
        in_json += usize::from(json.contains(&format!("\"{name}\"")));
    }
    // The moves are there, by label, and the machine file has the ids.
    assert!(text.contains("Russia") && text.contains("Azerbaijan"));
    assert!(!words.contains("russia") && !words.contains("azerbaijan"));
    assert!(
        text.contains("raises ") || text.contains("acts: "),
        "no move in {text}"
    );
    assert!(in_json > 0, "trace.json keeps the ids");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scenario within every limit whose 512 events fire at every step, each setting a measure
/// (names of 64 characters): about 50 KB of trace a step.
fn busy_scenario(dir: &std::path::Path, horizon: u32) -> PathBuf {
    let events: Vec<String> = (0..512)
        .map(|e| {
            format!(
                r#"Event(name: "e{e:03}_{}", timing: Hazard(rate: 1.0), effects: [SetLevel(lever: "m", level: {})], source: "x")"#,
                "x".repeat(59),
                e % 2
            )
        })
        .collect();
    let text = common::pair_scenario(
        "busy",
        horizon,
        &format!(
            r#"levers: [{}],
          events: [{}],
          outcomes: [Outcome(name: "t", when: RungAtLeast("tense")), Outcome(name: "on", when: LevelAtLeast("m", 1))],"#,
            r#"Measure(name: "m", owner: "a", target: "b", levels: [Level(name: "on", weight: -1.0)], source: "x")"#,
            events.join(",\n")
        ),
    );
    let file = dir.join(format!("busy{horizon}.ron"));
    std::fs::write(&file, text).unwrap();
    file
}

/// A trace is held to a budget in memory: a scenario within every limit whose 512 events fire
/// at every step of 5,200 asked for 259 MB of trace and 1.7 GB to write it. `brink trace`
/// refuses it (exit 2, nothing written); `brink run` writes its result without the timeline
/// chart and says so; `--pick` says how many of the runs asked for fit.
#[test]
fn a_trace_over_its_budget_is_refused_and_a_run_leaves_out_its_timeline() {
    let dir = common::scratch("trace-budget");
    let file = busy_scenario(&dir, 5200);
    let f = file.to_str().unwrap();
    let out = dir.join("traced");
    let o = brink(&["trace", f, "--run", "0", "--out", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the trace of run 0 would hold more than brink's budget of 128 MiB"),
        "{err}"
    );
    assert!(
        err.contains("expected a trace that fits: a shorter horizon"),
        "{err}"
    );
    assert!(!out.exists());

    let result = dir.join("result");
    let o = ok(&["run", f, "--runs", "2", "--out", result.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("note: the timeline chart of run 0 is left out"),
        "{err}"
    );
    let names = common::names(&result);
    assert!(names.contains(&"report.html".to_string()), "{names:?}");
    assert!(names.contains(&"index_fan.png".to_string()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("trace_timeline")),
        "{names:?}"
    );

    // About 50 MB a trace at 1,000 steps: two fit, the third does not.
    let file = busy_scenario(&dir, 1000);
    let o = brink(&[
        "trace",
        file.to_str().unwrap(),
        "--pick",
        "on",
        "--count",
        "3",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the traces (2 run(s) traced whole, then run 2) would hold more"),
        "{err}"
    );
    assert!(err.contains("fewer runs (--count 2 fit)"), "{err}");
    ok(&[
        "trace",
        file.to_str().unwrap(),
        "--pick",
        "on",
        "--count",
        "2",
    ]);
    // The chart of `brink run` has a budget of its own, 8 MiB: a 50 MB trace would have drawn
    // a chart of tens of megabytes.
    let result = dir.join("result1000");
    let o = ok(&[
        "run",
        file.to_str().unwrap(),
        "--runs",
        "2",
        "--out",
        result.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the timeline chart of run 0 is left out") && err.contains("budget of 8 MiB"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A measure's changes by a step's events past the first four are told as one line in
/// trace.txt, with the events and how many changes it folds, among the events' changes (before
/// the moves), as trace.json has it.
#[test]
fn folded_level_changes_read_as_the_events_made_them() {
    let sets: Vec<String> = [1, 0, 1, 0, 1, 0, 1]
        .iter()
        .map(|l| format!(r#"SetLevel(lever: "m", level: {l})"#))
        .collect();
    let text = common::pair_scenario(
        "toggles",
        2,
        &format!(
            r#"levers: [{}],
          events: [Event(name: "flip", timing: Hazard(rate: 1.0), once: true, effects: [{}], source: "x")],"#,
            r#"Measure(name: "m", owner: "a", target: "b", levels: [Level(name: "on", weight: -1.0)], source: "x")"#,
            sets.join(", ")
        ),
    );
    let dir = common::scratch("folded");
    let file = dir.join("toggles.ron");
    std::fs::write(&file, text).unwrap();
    let out = stdout(&ok(&["trace", file.to_str().unwrap(), "--run", "0"]));
    let week0: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("week  0"))
        .skip(1)
        .take_while(|l| !l.starts_with("week"))
        .collect();
    let levels: Vec<&str> = week0
        .iter()
        .filter(|l| l.trim_start().starts_with("level"))
        .map(|l| l.trim())
        .collect();
    assert_eq!(levels.len(), 5, "{out}");
    assert!(
        levels[4].ends_with("m set from status quo to on by events flip … flip (3 changes)"),
        "{out}"
    );
    // Told with the events' changes: right after the event fired, before any move.
    let fold = week0
        .iter()
        .position(|l| l.contains("(3 changes)"))
        .unwrap();
    assert!(
        week0[..fold]
            .iter()
            .all(|l| l.trim_start().starts_with("event") || l.trim_start().starts_with("level")),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The words of a POSIX command line as written by trace's hint: plain words and single-quoted
/// ones (`'\''` for a quote inside).
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (vec![], String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            '\\' if !quoted => {}
            ' ' if !quoted => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}

/// A trace made with `--set` records the overrides (trace.json, trace.txt), and its hint, run
/// as written, plays the traced run: without them the hint named a run of another scenario.
#[test]
fn a_trace_with_set_names_the_run_it_replays() {
    let dir = common::scratch("trace-set");
    let out = dir.join("t");
    let scenario = flagship();
    let set = [
        "actors.russia.rationality=1.9",
        "actors.azerbaijan.activity=Uniform(min: 0.1, max: 0.3)",
    ];
    ok(&[
        "trace",
        scenario.to_str().unwrap(),
        "--run",
        "17",
        "--seed",
        SEED,
        "--variant",
        "visa_regime",
        "--set",
        set[0],
        "--set",
        set[1],
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let t = common::json(&out.join("trace.json"));
    let recorded: Vec<String> = t["set"]
        .as_array()
        .expect("trace.json records the overrides")
        .iter()
        .map(|x| {
            format!(
                "{}={}",
                x["path"].as_str().unwrap(),
                x["value"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(recorded, set);
    assert_eq!(t["command"][1].as_str(), Some("trace"));
    let text = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    assert!(text.contains("Set on the command line: "), "{text}");
    let hint = text
        .lines()
        .find(|l| l.starts_with("The path run 17 takes in `"))
        .expect("the hint");
    let command = hint.split('`').nth(1).unwrap();
    let mut args = shell_words(command);
    assert_eq!(args.remove(0), "brink");
    assert!(args.iter().any(|a| a == set[1]), "{args:?}");
    let mut r = run_hint(args, &["--runs", "20"], &dir.join("r"));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    check(&header, &rows[17], &t);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Options that would change nothing are refused, not ignored: `--count` and `--max-scan`
/// belong to `--pick`, `--no-charts` to `--out`.
#[test]
fn options_that_would_do_nothing_are_refused() {
    let scenario = flagship();
    for extra in [
        &["--run", "3", "--count", "5"][..],
        &["--run", "3", "--max-scan", "5"][..],
        &["--run", "3", "--no-charts"][..],
    ] {
        let mut args = vec!["trace", scenario.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = brink(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            common::describe(&o)
        );
    }
}

/// The text's end names each actor's gains when it has any, as runs.csv does, and says "none"
/// for costs when no actor paid any (an empty "Costs:" line).
#[test]
fn the_text_ends_with_costs_and_gains() {
    let text =
        |scenario: &str, run: &str| common::stdout(&common::ok(&["trace", scenario, "--run", run]));
    let t = text("scenarios/examples/richardson.ron", "0");
    assert!(t.lines().any(|l| l == "Costs: none"), "{t}");
    assert!(!t.contains("Gains:"), "{t}");
    // Some tutorial run gains from a measure in force: its end says how much.
    let gained = (0..20).map(|r| text("scenarios/examples/tutorial.ron", &r.to_string()));
    let t = gained
        .into_iter()
        .find(|t| t.contains("\nGains: "))
        .expect("a tutorial run with gains among the first 20");
    let line = t.lines().find(|l| l.starts_with("Gains: ")).unwrap();
    assert!(
        !line.contains("none") && line.len() > "Gains: ".len(),
        "{line}"
    );
}

/// A run past the file's run count (10,000 here) is in the command named only with `--runs`
/// raised to hold it: `brink trace --run 10500` named `brink run FILE --seed 0`, whose table
/// stops at run 9999. The last run index is in no run's table, and that is said.
#[test]
fn the_command_named_holds_a_run_past_the_files_run_count() {
    let dir = common::scratch("trace-past-runs");
    let richardson = "scenarios/examples/richardson.ron";
    let out = dir.join("t");
    ok(&[
        "trace",
        richardson,
        "--run",
        "10500",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    let hint = text
        .lines()
        .find(|l| l.starts_with("The path run 10500 takes in `"))
        .expect("the hint");
    let mut args = shell_words(hint.split('`').nth(1).unwrap());
    assert_eq!(args.remove(0), "brink");
    assert!(
        args.windows(2).any(|w| w == ["--runs", "10501"]),
        "{args:?}"
    );
    let mut r = run_hint(args, &[], &dir.join("r"));
    let run_col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "run")
        .unwrap();
    let last = r.records().last().unwrap().unwrap();
    assert_eq!(&last[run_col], "10500");
    let last_out = dir.join("last");
    let index = brink::numerics::rng::MAX_RUN_INDEX.to_string();
    ok(&[
        "trace",
        richardson,
        "--run",
        &index,
        "--out",
        last_out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(last_out.join("trace.txt")).unwrap();
    assert!(
        text.contains(&format!(
            "Run {index} is the last run index: no `brink run` plays"
        )),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the command a trace names (its words after `brink`) with `extra`, a per-run table and
/// `--out out`, and opens its runs.csv.
fn run_hint(
    mut args: Vec<String>,
    extra: &[&str],
    out: &std::path::Path,
) -> csv::Reader<std::fs::File> {
    args.extend(extra.iter().map(|a| a.to_string()));
    args.extend(["--per-run", "--no-charts", "--out"].map(String::from));
    args.push(out.to_str().unwrap().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&args);
    csv::Reader::from_path(out.join("runs.csv")).expect("runs.csv")
}

/// Found by a reviewing helper: an event that fired at a weekly chance of some 6e-5 was told
/// as "fired (p 0.000 this week)", and a pick of one run said "The first 1 runs with".
#[test]
fn a_rare_event_that_fired_is_not_told_at_probability_zero() {
    let text = stdout(&ok(&[
        "trace",
        "scenarios/examples/tutorial.ron",
        "--pick",
        "dialogue",
        "--count",
        "1",
        "--set",
        "events.leader_call.rate=0.00002",
    ]));
    assert!(text.contains("The first run with"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("Leaders' phone call fired"))
        .unwrap_or_else(|| panic!("the call never fired:\n{text}"));
    assert!(!line.contains("p 0.000"), "{line}");
    assert!(
        line.contains("e-5 this week") || line.contains("e-4 this week"),
        "{line}"
    );
}

/// A level an event's branch sets is replayed as the event's own effects are: the trace read the
/// owner's raise from the level before the branch and named a level past the top one (a panic,
/// "index out of bounds: the len is 2 but the index is 2"; found by a reviewing helper).
#[test]
fn a_level_a_branch_sets_is_told_and_the_trace_goes_on() {
    let dir = common::scratch("trace-branch-level");
    let file = dir.join("branch.ron");
    std::fs::write(
        &file,
        r#"Scenario(
    name: "branch setlevel",
    horizon: 5,
    focal: ("a", "b"),
    actors: [Actor(name: "a", activity: 1.0), Actor(name: "b")],
    relations: [
        Relation(from: "a", to: "b", initial: 5.0, fatigue: 0.3, reactivity: 0.2, grievance: 0.5, noise: 0.3),
        Relation(from: "b", to: "a", initial: 0.0, fatigue: 0.4, reactivity: 0.1, grievance: 0.2, noise: 0.3),
    ],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2)],
    levers: [
        Measure(name: "m", owner: "a", target: "b", threshold: -100.0, initial: 2,
            levels: [Level(name: "l1", weight: -3.0), Level(name: "l2", weight: -4.0)]),
    ],
    events: [
        Event(name: "s", timing: Scheduled(step: 1), effects: [],
            branches: [Branch(name: "b1", probability: 1.0, effects: [SetLevel(lever: "m", level: 1)])]),
    ],
    outcomes: [Outcome(name: "tense", when: RungAtLeast("tense"))],
)
"#,
    )
    .unwrap();
    let o = ok(&["trace", file.to_str().unwrap(), "--run", "0"]);
    let text = stdout(&o);
    assert!(text.contains("m set from l2 to l1 by event s"), "{text}");
    assert!(text.contains("raises m to l2"), "{text}");
}

/// The step column is as wide as the last step: at a horizon past 100 every row's H lines up
/// (weeks 100 and on were pushed a character right).
#[test]
fn the_step_column_fits_the_horizon() {
    let dir = common::scratch("trace-wide-steps");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    let file = dir.join("long.ron");
    std::fs::write(&file, text.replacen("horizon: 52,", "horizon: 150,", 1)).unwrap();
    let o = common::brink(&["trace", file.to_str().unwrap(), "--run", "0"]);
    assert!(o.status.success(), "{}", common::describe(&o));
    let out = common::stdout(&o);
    let columns: std::collections::BTreeSet<usize> = out
        .lines()
        .filter(|l| l.starts_with("week "))
        .map(|l| l.find("  H ").expect("an H column"))
        .collect();
    assert_eq!(columns.len(), 1, "{out}");
}

/// A measure lowered to level 0 is told as ended ("ends m: back to status quo"): "lowers
/// Azerbaijan's ambassador recall to status quo" read as a milder recall kept in force.
#[test]
fn a_measure_lowered_to_level_0_is_told_as_ended() {
    let dir = common::scratch("trace-ended");
    let file = dir.join("ended.ron");
    std::fs::write(
        &file,
        r#"Scenario(
    name: "lowering",
    horizon: 20,
    focal: ("a", "b"),
    actors: [Actor(name: "a", activity: 1.0), Actor(name: "b")],
    relations: [
        Relation(from: "a", to: "b", initial: -3.0, fatigue: 0.3, reactivity: 0.2, grievance: -0.5, noise: 0.3),
        Relation(from: "b", to: "a", initial: -3.0, fatigue: 0.4, reactivity: 0.1, grievance: -0.5, noise: 0.3),
    ],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2)],
    levers: [
        Measure(name: "m", owner: "a", target: "b", threshold: 100.0, initial: 1,
            levels: [Level(name: "l1", weight: -3.0)]),
    ],
    outcomes: [Outcome(name: "tense", when: RungAtLeast("tense"))],
)
"#,
    )
    .unwrap();
    let text = stdout(&ok(&["trace", file.to_str().unwrap(), "--run", "0"]));
    assert!(
        text.contains("ends m: back to status quo (level 0)"),
        "{text}"
    );
    assert!(!text.contains("lowers m to"), "{text}");
}

/// A file whose own `runs` is above the default limit of runs: the header's command asks for
/// the runs up to the traced one (it named a `brink run` that is refused; found by a
/// reviewing helper).
#[test]
fn the_header_names_a_command_brink_run_accepts() {
    let dir = common::scratch("trace-max-runs");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    assert_eq!(text.matches("\n    runs: 10000,\n").count(), 1);
    let big = dir.join("big.ron");
    std::fs::write(
        &big,
        text.replace("\n    runs: 10000,\n", "\n    runs: 1000000000,\n"),
    )
    .unwrap();
    let out = stdout(&ok(&["trace", big.to_str().unwrap(), "--run", "5"]));
    // The first six runs play run 5, within the limit (not a billion-run job).
    assert!(out.contains("--seed 0 --runs 6`"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A move's level is the level it reached, not the measure's level at the end of the step:
/// b raises m to l1, then a's act sets it to l2 in the same week (the move read "raises m to
/// l2 · Goldstein −1"; a reviewing helper found it). And a week in which an offer lapses and
/// nothing else happens prints the lapse (it was a bare heading).
#[test]
fn a_move_tells_the_level_it_reached_and_a_lapse_alone_is_told() {
    let dir = common::scratch("trace-reached");
    let over = dir.join("over.ron");
    std::fs::write(
        &over,
        r#"Scenario(name: "over", horizon: 3, focal: ("a", "b"),
    actors: [Actor(name: "b", rationality: 30.0), Actor(name: "a", rationality: 30.0)],
    relations: [
        Relation(from: "a", to: "b", initial: 0.0, fatigue: 1.0),
        Relation(from: "b", to: "a", initial: 0.0, fatigue: 1.0),
    ],
    ladder: [Rung(name: "calm", threshold: -100), Rung(name: "tense", threshold: 50)],
    levers: [
        Measure(name: "m", owner: "b", target: "a", threshold: -10.0, reversible: false,
            levels: [Level(name: "l1", weight: -1.0), Level(name: "l2", weight: -2.0),
                     Level(name: "l3", weight: -3.0)]),
        Act(name: "s", owner: "a", target: "b", threshold: -10.0, weight: -1.0, once: true,
            effects: [SetLevel(lever: "m", level: 2)]),
    ],
    outcomes: [Outcome(name: "x", when: LevelAtLeast("m", 3))],
)"#,
    )
    .unwrap();
    let o = ok(&["trace", over.to_str().unwrap(), "--run", "0", "--json"]);
    let t: Value = serde_json::from_slice(&o.stdout).unwrap();
    let step0 = &t["steps"][0];
    let raise = step0["moves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["actor"] == "b")
        .unwrap();
    assert_eq!(raise["choice"], "raise", "{step0}");
    assert_eq!(raise["level"], 1, "{step0}");
    assert_eq!(raise["level_name"], "l1", "{step0}");
    let text = stdout(&ok(&["trace", over.to_str().unwrap(), "--run", "0"]));
    assert!(
        text.contains("raises m to l1 (level 1) · Goldstein −1"),
        "{text}"
    );
    assert!(text.contains("m set from l1 to l2 by act s"), "{text}");

    let contact = dir.join("contact.ron");
    std::fs::write(
        &contact,
        r#"Scenario(name: "contact", horizon: 30, focal: ("a", "b"),
    actors: [Actor(name: "a", sensitivity: 0.0, hawkishness: -1.0), Actor(name: "b", activity: 0.5)],
    relations: [
        Relation(from: "a", to: "b", initial: 0.0, fatigue: 0.0),
        Relation(from: "b", to: "a", initial: 1.0, fatigue: 0.0, salience: 0.0),
    ],
    ladder: [Rung(name: "calm", threshold: -100), Rung(name: "tense", threshold: 100)],
    levers: [Act(name: "meet", owner: "a", target: "b", threshold: 0.0, weight: 1.0, cooldown: 5,
        accepted_by: "b", accept_within: 2, accept_threshold: 1.5, costs: {"a": 1.0})],
    outcomes: [Outcome(name: "met", when: ActOccurred("meet"))],
)"#,
    )
    .unwrap();
    let o = ok(&["trace", contact.to_str().unwrap(), "--run", "0", "--json"]);
    let t: Value = serde_json::from_slice(&o.stdout).unwrap();
    let text = stdout(&ok(&["trace", contact.to_str().unwrap(), "--run", "0"]));
    // Every week whose record holds a lapse and no move prints it under its heading.
    let mut alone = 0;
    for s in t["steps"].as_array().unwrap() {
        let lapsed = s["contacts"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c[1] == false));
        let moved = s["moves"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["choice"] != "hold"));
        if !lapsed || moved {
            continue;
        }
        alone += 1;
        let step = s["step"].as_u64().unwrap();
        let heading = format!("week {step:>2}");
        let block: String = text
            .lines()
            .skip_while(|l| !l.starts_with(&heading))
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            block.contains("meet: offer lapsed, refused"),
            "week {step}:\n{text}"
        );
    }
    assert!(alone > 0, "no week with a lapse alone in run 0:\n{text}");
}

/// A sampled event step (the tutorial's election) is shown as the whole step the run used, in
/// the trace as in runs.csv: both said the real it drew (29.55 for a run at week 30), and a
/// trace that rounded alone would disagree with the row it replays.
#[test]
fn a_sampled_events_step_is_the_step_that_ran_in_trace_and_runs_csv() {
    let dir = common::scratch("trace-sampled-step");
    let out = dir.join("out");
    let scenario = common::repo("scenarios/examples/tutorial.ron");
    let scenario = scenario.to_str().unwrap();
    ok(&[
        "run",
        scenario,
        "--runs",
        "20",
        "--seed",
        SEED,
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut r = csv::Reader::from_path(out.join("runs.csv")).expect("runs.csv");
    let c = (r.headers().unwrap().iter())
        .position(|h| h == "in.events.election_south.step")
        .unwrap();
    let rows: Vec<f64> = r.records().map(|x| num(&x.unwrap()[c])).collect();
    for (k, &csv_step) in rows.iter().enumerate().take(4) {
        let ks = k.to_string();
        let t: Value = serde_json::from_str(&stdout(&ok(&[
            "trace", scenario, "--seed", SEED, "--run", &ks, "--json",
        ])))
        .unwrap();
        let traced = t["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["path"] == "events.election_south.step")
            .unwrap()["value"]
            .as_f64()
            .unwrap();
        assert_eq!(traced, csv_step, "run {k}");
        assert!(
            traced.fract() == 0.0 && (18.0..=34.0).contains(&traced),
            "run {k}: {traced}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A trace says which branch an event took (an election's winner is what it did): the text
/// by the branch's label, the JSON by its name, and each agrees with the run's own outcome on
/// that branch (`nationalists_won`, `BranchTaken`) in `brink run`'s per-run rows.
#[test]
fn a_trace_names_the_branch_an_event_took() {
    let tutorial = common::repo("scenarios/examples/tutorial.ron");
    let dir = common::scratch("trace-branches");
    let out = dir.join("run");
    ok(&[
        "run",
        tutorial.to_str().unwrap(),
        "--runs",
        "40",
        "--seed",
        "7",
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut rows = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
    let col = header
        .iter()
        .position(|h| h == "out.nationalists_won")
        .expect("the outcome's column");
    let (mut nationalists, mut reformers) = (0, 0);
    for (k, row) in rows.records().enumerate() {
        let row = row.unwrap();
        let t: Value = serde_json::from_str(&stdout(&ok(&[
            "trace",
            tutorial.to_str().unwrap(),
            "--seed",
            "7",
            "--run",
            &k.to_string(),
            "--json",
        ])))
        .unwrap();
        // The latest firing's branch, as BranchTaken reads it.
        let latest = t["steps"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .flat_map(|s| s["events"].as_array().unwrap().iter().rev())
            .find(|e| e["event"] == "election_south")
            .map(|e| e["branch"].as_str().expect("a branch named").to_string());
        let won = matches!(&row[col], "true" | "1");
        assert_eq!(latest.as_deref() == Some("nationalists"), won, "run {k}");
        match latest.as_deref() {
            Some("nationalists") => nationalists += 1,
            Some("reformers") => reformers += 1,
            _ => {}
        }
    }
    assert!(
        nationalists > 0 && reformers > 0,
        "{nationalists} {reformers}"
    );
    let text = stdout(&ok(&[
        "trace",
        tutorial.to_str().unwrap(),
        "--seed",
        "7",
        "--run",
        "3",
    ]));
    assert!(
        text.contains("Election in South fired (p 0.700 this week): Reformers win\n"),
        "{text}"
    );
}

/// A variant's forced measure holds the start's rung and lands in the first step: the start
/// says what holds the rung, and week 0 says why H jumps (it read "Start: H 1.85 (Rupture)",
/// then H 4.03 with no line: an attacking helper).
#[test]
fn a_forced_measure_is_told_at_the_start_and_in_the_first_step() {
    let tutorial = common::repo("scenarios/examples/tutorial.ron");
    let args = |json: bool| {
        let mut a = vec![
            "trace".to_string(),
            tutorial.to_str().unwrap().to_string(),
            "--seed".into(),
            "7".into(),
            "--run".into(),
            "1".into(),
            "--variant".into(),
            "visa_now".into(),
        ];
        if json {
            a.push("--json".into());
        }
        a
    };
    let text = stdout(&ok(&args(false)));
    assert!(
        text.contains(
            "\nStart: H 1.85, Rupture (held by Visa regime for Southern citizens: Full visa regime); in force:"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Visa regime for Southern citizens held at Full visa regime by the variant: Kingdom of South feels the move to Full visa regime once\n"
        ),
        "{text}"
    );
    let t: Value = serde_json::from_str(&stdout(&ok(&args(true)))).unwrap();
    assert_eq!(t["start"]["rung_held_by"], "visa_regime imposed");
    // Forced below its initial level, the target feels the initial level's easing; at it,
    // nothing (a reviewing helper: "feels each level climbed" was said of both).
    let dir = common::scratch("trace-forced-low");
    let text = std::fs::read_to_string(&tutorial).unwrap().replacen(
        "    variants: [\n",
        "    variants: [\n        Variant(name: \"eased\", force: {\"gas_deal\": 0, \"visa_regime\": 0}),\n",
        1,
    );
    let file = dir.join("eased.ron");
    std::fs::write(&file, text).unwrap();
    let eased = stdout(&ok(&[
        "trace",
        file.to_str().unwrap(),
        "--run",
        "0",
        "--variant",
        "eased",
    ]));
    for right in [
        "Patron's gas deal with South held at status quo by the variant: Kingdom of South feels the easing of pipeline_talks once\n",
        "Visa regime for Southern citizens held at status quo by the variant: its initial level, nothing to feel\n",
    ] {
        assert!(eased.contains(right), "{right}: {eased}");
    }
    // The base's start: H alone puts it on its rung, nothing forced.
    let base = stdout(&ok(&[
        "trace",
        tutorial.to_str().unwrap(),
        "--seed",
        "7",
        "--run",
        "1",
    ]));
    assert!(
        !base.contains("held at") && !base.contains("Start: H 1.85, Rupture"),
        "{base}"
    );
}

/// A long run's PNG timeline draws H where its SVG does: the wide line's joins between steps
/// a fraction of a pixel apart stretched into spikes far above and below the plot (a run of
/// 5,200 weeks; the SVG drew none).
#[test]
fn a_long_runs_png_timeline_stays_where_its_svg_draws_it() {
    let dir = common::scratch("trace-long-png");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let long = text.replacen("horizon: 52", "horizon: 5200", 1);
    assert_ne!(long, text);
    let file = dir.join("long.ron");
    std::fs::write(&file, long).unwrap();
    let out = dir.join("out");
    ok(&[
        "trace",
        file.to_str().unwrap(),
        "--run",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    // The H line's rows in the SVG (its colour, #1E233C).
    let svg = std::fs::read_to_string(out.join("trace_timeline.svg")).unwrap();
    let ys: Vec<i64> = svg
        .lines()
        .filter(|l| l.contains("stroke=\"#1E233C\""))
        .filter_map(|l| l.split("points=\"").nth(1)?.split('"').next())
        .flat_map(|pts| pts.split_whitespace())
        .filter_map(|xy| xy.split(',').nth(1)?.parse().ok())
        .collect();
    let (lo, hi) = (*ys.iter().min().unwrap(), *ys.iter().max().unwrap());
    let png = image::open(out.join("trace_timeline.png"))
        .unwrap()
        .to_rgb8();
    let rows: Vec<i64> = (0..png.height())
        .filter(|&y| (0..png.width()).any(|x| png.get_pixel(x, y).0 == [0x1e, 0x23, 0x3c]))
        .map(i64::from)
        .collect();
    assert!(!rows.is_empty());
    assert!(
        rows[0] >= lo - 2 && rows[rows.len() - 1] <= hi + 2,
        "PNG rows {}..{}, SVG {lo}..{hi}",
        rows[0],
        rows[rows.len() - 1]
    );
}

/// A pick of an outcome that reads only an event the base lacks (a variant adds it) can never
/// find a run: said so at once, exit 2, not "raise --max-scan" after a scan of 100,000 runs
/// (an attacking helper).
#[test]
fn a_pick_of_an_outcome_these_runs_cannot_have_says_why() {
    let tutorial = common::repo("scenarios/examples/tutorial.ron");
    let o = brink(&[
        "trace",
        tutorial.to_str().unwrap(),
        "--pick",
        "pretext_staged",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "outcome \"pretext_staged\" can never happen in these runs: it reads an event that \
             the base scenario does not have (a variant adds it); pick it with a --variant that has it"
        ),
        "{err}"
    );
    assert!(!err.contains("max-scan"), "{err}");
    let found = stdout(&ok(&[
        "trace",
        tutorial.to_str().unwrap(),
        "--pick",
        "pretext_staged",
        "--variant",
        "pretext",
        "--count",
        "1",
    ]));
    assert!(
        found.starts_with("The first run with pretext_staged"),
        "{found}"
    );
}
