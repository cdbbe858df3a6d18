//! Ctrl-C: an interrupted `brink run` stops after the runs in progress (the runs it keeps are
//! whole chunks), exits with code 130 and leaves the previous output folder byte for byte as it
//! was, with no staging folder behind; with `--keep-partial` it writes the runs done, marked
//! incomplete. `brink calibrate` and `brink backtest --cross-validate` stop inside a
//! generation, not at its end.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use common::{describe, scratch, tree};

const RUNS: u64 = 5_000_000;
const CHUNK: u64 = 1024;

fn scenario() -> PathBuf {
    common::repo("scenarios/russia_azerbaijan_2025.ron")
}

/// Makes a complete output folder with a small run.
fn previous_results(out: &Path) {
    let sc = scenario();
    common::ok(&[
        "run",
        sc.to_str().unwrap(),
        "--runs",
        "2000",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
}

/// Names in `dir` that look like staging folders.
fn leftovers(dir: &Path) -> Vec<String> {
    common::names(dir)
        .into_iter()
        .filter(|n| n.contains(".partial") || n.contains(".old-"))
        .collect()
}

fn sigint(child: &Child) {
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("cannot run kill");
    assert!(ok.success(), "kill -INT failed");
}

/// Interrupts a long run after about a second and waits for it.
fn interrupted(args: &[&str], out: &Path, signals: usize) -> Output {
    let child = common::spawn(args, out);
    std::thread::sleep(Duration::from_millis(1000));
    for i in 0..signals {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
        sigint(&child);
    }
    child.wait_with_output().expect("cannot wait for brink")
}

/// Asserts that brink said it was interrupted and wrote nothing, without a panic; returns its
/// stderr.
fn stopped_with_nothing_written(o: &Output) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        stderr.contains("interrupted") && stderr.contains("nothing was written"),
        "{}",
        describe(o)
    );
    assert!(!stderr.contains("panicked"), "{}", describe(o));
    stderr
}

fn run_args<'a>(scenario: &'a str, runs: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["run", scenario, "--runs", runs, "--no-charts"];
    a.extend_from_slice(extra);
    a
}

#[test]
fn ctrl_c_keeps_the_previous_results_intact() {
    let dir = scratch("discard");
    let out = dir.join("results");
    previous_results(&out);
    let before = tree(&out);
    assert!(before.contains_key(Path::new("summary.json")));

    let sc = scenario().display().to_string();
    let runs = RUNS.to_string();
    let o = interrupted(&run_args(&sc, &runs, &[]), &out, 1);
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    stopped_with_nothing_written(&o);
    assert_eq!(tree(&out), before, "the previous output folder changed");
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "staging folder left");
}

#[test]
fn keep_partial_writes_the_runs_done_marked_incomplete() {
    let dir = scratch("keep");
    let out = dir.join("results");
    previous_results(&out);

    let sc = scenario().display().to_string();
    let runs = RUNS.to_string();
    let o = interrupted(&run_args(&sc, &runs, &["--keep-partial"]), &out, 1);
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "staging folder left");
    let summary = common::summary(&out);
    let m = &summary["manifest"];
    assert_eq!(m["complete"], serde_json::Value::Bool(false), "{m}");
    assert!(
        m["stop_reason"]
            .as_str()
            .is_some_and(|r| r.contains("interrupted")),
        "{m}"
    );
    let held = m["runs"].as_u64().expect("manifest.runs");
    assert!(held > 0 && held < RUNS, "runs held: {held}");
    assert!(
        held.is_multiple_of(CHUNK) || held == RUNS,
        "runs held {held} is not a whole number of chunks"
    );
    // The tables agree with the manifest.
    let outcomes = String::from_utf8(std::fs::read(out.join("outcomes.csv")).unwrap()).unwrap();
    let row = outcomes.lines().nth(1).expect("an outcome row");
    assert!(
        row.split(',').any(|f| f == held.to_string()),
        "outcomes.csv does not count {held} runs: {row}"
    );
    // `rerun` refuses it at once (it would rerun every run asked for and then report every
    // file as differing), saying how to reproduce it; nothing is written.
    let o = common::brink(&["rerun", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        err.contains("stopped before its end")
            && err.contains(&format!("the same command with --runs {held}")),
        "{err}"
    );
    assert_eq!(common::names(&dir), vec!["results".to_string()]);
    // And what it says holds: the first `held` runs give the same tables.
    let again = dir.join("again");
    let held_text = held.to_string();
    let mut args = run_args(&sc, &held_text, &[]);
    args.extend(["--out", again.to_str().unwrap()]);
    common::ok(&args);
    for f in ["outcomes.csv", "timeseries.csv"] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs from the first {held} runs"
        );
    }
    // `diff` says which side was stopped before its end (it said nothing of it).
    let o = common::ok(&["diff", again.to_str().unwrap(), out.to_str().unwrap()]);
    let text = common::stdout(&o);
    let line = |p: &str| {
        text.lines()
            .find(|l| l.starts_with(p))
            .unwrap_or("")
            .to_string()
    };
    assert!(!line("A: ").contains("stopped"), "{text}");
    assert!(
        line("B: ").contains("stopped before its end (") && line("B: ").contains("interrupted"),
        "{text}"
    );
    let o = common::ok(&[
        "diff",
        again.to_str().unwrap(),
        out.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["b"]["complete"], false, "{v}");
    assert_eq!(v["a"]["complete"], true, "{v}");
    // A report of it says how far it got, not only that it is incomplete (it read like a
    // finished run but for that word, a reviewing helper found).
    let report = dir.join("report");
    common::ok(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert!(
        html.contains(&format!(
            "Incomplete: interrupted after {} of {} runs (--keep-partial).",
            brink::text::grouped(u128::from(held)),
            brink::text::grouped(u128::from(RUNS))
        )),
        "report.html does not say where the run stopped"
    );
}

/// A scenario whose every run is slow (64 actors, every one of the 4,032 relations between
/// them: about half a second a run), so that a stop a second in comes before any run is done.
fn slow_scenario(dir: &Path) -> PathBuf {
    let actors: Vec<String> = (0..64).map(|i| format!("Actor(name: \"a{i}\")")).collect();
    let mut relations = vec![];
    for i in 0..64 {
        for j in (0..64).filter(|&j| j != i) {
            relations.push(format!("Relation(from: \"a{i}\", to: \"a{j}\")"));
        }
    }
    let text = format!(
        r#"Scenario(name: "slow", horizon: 520, focal: ("a0", "a1"),
          actors: [{}], relations: [{}],
          ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2)])"#,
        actors.join(", "),
        relations.join(", ")
    );
    let path = dir.join("slow.ron");
    std::fs::write(&path, text).unwrap();
    path
}

/// Stopped before any run was done, `--keep-partial` has nothing to keep: the previous results
/// stay as they were. Found by a reviewer: a result of 0 runs replaced them, its tables full
/// of NaN, which `brink report` then refused to read.
#[test]
fn keep_partial_stopped_before_any_run_keeps_the_previous_results() {
    let dir = scratch("keep-none");
    let out = dir.join("results");
    let sc = slow_scenario(&dir);
    let sc = sc.to_str().unwrap();
    common::ok(&[
        "run",
        sc,
        "--runs",
        "2",
        "--seed",
        "1",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let before = tree(&out);
    let o = interrupted(&run_args(sc, "100000", &["--keep-partial"]), &out, 1);
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    let stderr = stopped_with_nothing_written(&o);
    assert!(stderr.contains("after 0 of"), "{stderr}");
    assert!(!stderr.contains("rerun with --keep-partial"), "{stderr}");
    assert_eq!(tree(&out), before, "the previous output folder changed");
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "staging folder left");
}

/// A signal ignored when brink starts stays ignored: `nohup brink run ...` survives the
/// hangup of the terminal that started it (found by a reviewer: brink's handler took SIGHUP
/// back and the run stopped). A signal brink was not told to ignore still stops it.
#[test]
fn a_hangup_ignored_at_the_start_stays_ignored() {
    use std::os::unix::process::CommandExt;
    let dir = scratch("nohup");
    let out = dir.join("results");
    let sc = scenario().display().to_string();
    let mut cmd = common::command();
    cmd.args(run_args(&sc, &RUNS.to_string(), &[]))
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("cannot start brink");
    std::thread::sleep(Duration::from_millis(1000));
    let hup = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    std::thread::sleep(Duration::from_millis(700));
    let still = child.try_wait().unwrap();
    if still.is_none() {
        sigint(&child);
    }
    let o = child.wait_with_output().unwrap();
    assert!(
        still.is_none(),
        "stopped by an ignored SIGHUP: {}",
        describe(&o)
    );
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    stopped_with_nothing_written(&o);
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_the_previous_results_survive() {
    let dir = scratch("twice");
    let out = dir.join("results");
    previous_results(&out);
    let before = tree(&out);

    let sc = scenario().display().to_string();
    let runs = RUNS.to_string();
    let o = interrupted(&run_args(&sc, &runs, &["--per-run"]), &out, 2);
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    assert_eq!(tree(&out), before, "the previous output folder changed");
    // The staging folder may be left behind (documented); it never replaces the results.
}

#[test]
fn an_interrupted_comparison_writes_nothing() {
    let dir = scratch("compare");
    let out = dir.join("cmp");
    let sc = scenario().display().to_string();
    let runs = RUNS.to_string();
    let o = interrupted(
        &[
            "compare",
            &sc,
            "--runs",
            &runs,
            "--no-charts",
            "--no-tornado",
        ],
        &out,
        1,
    );
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    assert!(
        !out.exists(),
        "an interrupted comparison wrote {}",
        out.display()
    );
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "staging folder left");
}

/// An ABC-SMC population whose first generation alone is 4,000,000 runs (20,000 particles ×
/// 200 pseudo-timelines) on two threads: more than a minute at the ~50,000 runs/s two threads
/// do on russia_georgia_2006, and up to 40 generations of that after it (beyond the default
/// `--max-sims`, raised here).
const HUGE_ABC: [&str; 11] = [
    "--particles",
    "20000",
    "--sims",
    "200",
    "--max-generations",
    "40",
    "--max-sims",
    "1000000000",
    "--threads",
    "2",
    "--no-charts",
];

/// Interrupts a calibration about a second into its first generation and checks that it
/// stopped inside that generation: exit code 130, nothing at `out` and no staging folder,
/// generation 0 never reported (before the stop was checked within a generation, the whole
/// generation ran and was reported first), and the exit soon after the signal.
fn interrupted_calibration(what: &str, args: &[&str]) {
    let dir = scratch(what);
    let out = dir.join("results");
    let mut child = common::spawn(args, &out);
    // The staging folder appears just before the handler is installed and the first
    // generation starts (a slow debug build may take longer than a second to get there).
    let started = Instant::now();
    while leftovers(&dir).is_empty() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let signalled = Instant::now();
    // A brink that already ended (an error) is described by the assertions below.
    if child.try_wait().expect("cannot wait for brink").is_none() {
        sigint(&child);
    }
    // Waited for 15 s at most: a stop that waits for the generation's end would hold the
    // test for minutes before failing it.
    while child.try_wait().expect("cannot wait for brink").is_none()
        && signalled.elapsed() < Duration::from_secs(15)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let latency = signalled.elapsed();
    if child.try_wait().expect("cannot wait for brink").is_none() {
        let _ = child.kill();
    }
    let o = child.wait_with_output().expect("cannot wait for brink");
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    let stderr = stopped_with_nothing_written(&o);
    assert!(
        !stderr.contains("generation  0"),
        "the first generation ran to its end before the stop: {}",
        describe(&o)
    );
    // A stop waits for one pseudo-timeline per thread (milliseconds); the generation would
    // have taken more than a minute. The bound leaves room for a loaded machine.
    assert!(
        latency < Duration::from_secs(15),
        "exited {latency:?} after SIGINT: {}",
        describe(&o)
    );
    assert!(
        !out.exists(),
        "an interrupted {what} wrote {}",
        out.display()
    );
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "staging folder left");
}

#[test]
fn an_interrupted_calibration_stops_within_its_generation_and_writes_nothing() {
    let georgia = common::repo("scenarios/history/russia_georgia_2006.timeline.ron");
    let mut args = vec![
        "calibrate",
        "--timelines",
        georgia.to_str().unwrap(),
        "--params",
        "actors.russia.sensitivity",
    ];
    args.extend(HUGE_ABC);
    interrupted_calibration("calibrate", &args);
}

#[test]
fn an_interrupted_cross_validation_stops_within_its_calibration_and_writes_nothing() {
    let turkey = common::repo("scenarios/history/russia_turkey_2015.timeline.ron");
    let georgia = common::repo("scenarios/history/russia_georgia_2006.timeline.ron");
    // Few back-test runs: the first fold is in its calibration well before the signal.
    let mut args = vec![
        "backtest",
        "--cross-validate",
        "--runs",
        "200",
        turkey.to_str().unwrap(),
        georgia.to_str().unwrap(),
        "--params",
        "shared.fatigue.value",
    ];
    args.extend(HUGE_ABC);
    interrupted_calibration("cross-validation", &args);
}

/// A stop ends the chunk in progress after the run in progress, and nothing after the stop is
/// merged: a run of a scenario within every limit takes about a second, so finishing the chunk
/// (1,024 runs) took many minutes. Counted, not timed: the runs played after the stop are
/// at most the one in progress on each thread.
#[test]
fn a_stop_ends_the_chunk_in_progress_after_the_run_in_progress() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    struct Rows;
    impl brink::engine::ChunkSink for Rows {
        fn wants_rows(&self) -> bool {
            true
        }
    }
    let text = std::fs::read_to_string(scenario()).unwrap();
    let model = common::compile(&text, None);
    for threads in [1, 2] {
        let stop = AtomicBool::new(false);
        let (played, after) = (AtomicU64::new(0), AtomicU64::new(0));
        let row = |_: usize,
                   _: &brink::model::Model,
                   r: u64,
                   _: &brink::model::RunState,
                   _: &mut Vec<brink::engine::Cell>| {
            if stop.load(Ordering::SeqCst) {
                after.fetch_add(1, Ordering::SeqCst);
            }
            played.fetch_add(1, Ordering::SeqCst);
            if r == 5 {
                stop.store(true, Ordering::SeqCst);
            }
        };
        let plan = brink::engine::RunPlan::whole(1, 100 * CHUNK, threads);
        let r =
            brink::engine::run::<brink::stats::Tally>(&model, &plan, &mut Rows, Some(&row), &stop);
        let Err(brink::engine::Stopped::Interrupted(total)) = r else {
            panic!("not interrupted")
        };
        // Chunk 0 was left at run 6: nothing is merged.
        assert_eq!(brink::engine::Accumulator::runs(&*total), 0);
        assert!(
            after.load(Ordering::SeqCst) <= threads as u64,
            "{threads} threads: {} runs after the stop, {} in all",
            after.load(Ordering::SeqCst),
            played.load(Ordering::SeqCst)
        );
    }
}

/// A stop while an experiment's design is checked against the scenario (10,000 points of six
/// parameters: seconds) exits 130 with nothing written; the handler was installed only after
/// that check, so the signal killed brink (exit 143, no message).
#[test]
fn an_experiment_stopped_while_its_design_is_checked_writes_nothing() {
    let dir = scratch("experiment-plan");
    let out = dir.join("exp");
    let flagship = common::repo("scenarios/russia_azerbaijan_2025.ron");
    let sc = flagship.display().to_string();
    let mut args = vec![
        "experiment",
        &sc,
        "--design",
        "lhs",
        "--points",
        "10000",
        "--runs",
        "1",
        "--no-charts",
    ];
    let params: Vec<String> = ["russia", "azerbaijan"]
        .iter()
        .flat_map(|a| {
            ["sensitivity", "rationality", "activity"].map(|p| format!("actors.{a}.{p}=0.2..0.8"))
        })
        .collect();
    for p in &params {
        args.extend(["--param", p.as_str()]);
    }
    let o = interrupted(&args, &out, 1);
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    let err = stopped_with_nothing_written(&o);
    // No runs are in progress while the design is checked.
    if err.contains("checking the design's points") {
        assert!(err.contains("stopping; nothing will be written"), "{err}");
    }
    assert!(!out.exists(), "wrote {}", out.display());
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "staging folder left");
}
