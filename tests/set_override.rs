//! `--set PATH=VALUE` on every command that runs a scenario: it changes exactly the named
//! number, so each command's tables equal those of a copy of the scenario with a variant that
//! sets the same value (or, for `compare` and `backtest`, whose base has no variant, a copy
//! whose base number is edited); a distribution and two `--set`s work; a typo is refused with
//! the nearest path, a value out of range with the valid range, both with exit code 2 and
//! nothing written; the manifest records what was set.

mod common;

use std::path::{Path, PathBuf};

use common::{brink, describe, ok, scratch, stdout};
use serde_json::Value;

const TUTORIAL: &str = "scenarios/examples/tutorial.ron";
const FLAGSHIP: &str = "scenarios/russia_azerbaijan_2025.ron";
const GEORGIA: &str = "scenarios/history/russia_georgia_2006.ron";
const GEORGIA_TIMELINE: &str = "scenarios/history/russia_georgia_2006.timeline.ron";

/// North's hawkishness (a Uniform in the tutorial), set to a number.
const HAWK: &str = "actors.north.hawkishness";
/// North's fatigue towards South (0.3 in the tutorial), set to a distribution.
const FATIGUE: &str = "relations.north->south.fatigue";
const FATIGUE_DIST: &str = "Normal(mean: 0.25, sd: 0.05, min: 0.1, max: 0.4)";

/// A copy of `scenario` (in `dir`) with one more variant, `what_if`, that sets `set`.
fn with_variant(scenario: &str, dir: &Path, set: &[(&str, &str)]) -> PathBuf {
    let text = std::fs::read_to_string(common::repo(scenario)).unwrap();
    let entries: Vec<String> = set.iter().map(|(p, v)| format!("{p:?}: {v}")).collect();
    let variant = format!(
        "    variants: [\n        Variant(name: \"what_if\", set: {{{}}}),\n",
        entries.join(", ")
    );
    assert_eq!(text.matches("    variants: [\n").count(), 1);
    let copy = text.replace("    variants: [\n", &variant);
    let path = dir.join("with_variant.ron");
    std::fs::write(&path, copy).unwrap();
    path
}

/// A copy of `scenario` (in `dir`) with the text `from` (found once) replaced by `to`.
fn edited(scenario: &str, dir: &Path, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(common::repo(scenario)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from}");
    let path = dir.join(Path::new(scenario).file_name().unwrap());
    std::fs::write(&path, text.replace(from, to)).unwrap();
    path
}

/// Removes, at any depth, the fields that name the command, the file, the variant or the
/// overrides (they differ between the two routes by design), and the levels of the per-run
/// table's `variant` column (the copy has one variant more).
fn strip(v: &mut Value) {
    match v {
        Value::String(t) => *t = one_credit(t),
        Value::Object(m) => {
            if m.get("name").and_then(Value::as_str) == Some("variant") {
                m.remove("levels");
            }
            for k in [
                "manifest",
                "command",
                "scenario_file",
                "scenario_hash",
                "variant",
                "set",
                // The files each case was read from, with their hashes: provenance, as the
                // manifest is.
                "inputs",
            ] {
                m.remove(k);
            }
            m.values_mut().for_each(strip);
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

/// The two routes' credits of an unsourced distribution ("command line: --set PATH" and
/// "variant what_if's set") read alike: they differ by design, as the command line does.
fn one_credit(text: &str) -> String {
    let mut out = text.replace("variant what_if's set", "(set)");
    while let Some(i) = out.find("command line: --set ") {
        let rest = &out[i..];
        let end = rest.find([',', '"', '\n']).unwrap_or(rest.len());
        out.replace_range(i..i + end, "(set)");
    }
    out
}

/// A CSV table without its `variant` column (the per-run table's key: `base` for a `--set`
/// run, the variant's name for the copy's variant).
fn without_variant(text: &str) -> String {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return String::new();
    };
    let Some(k) = header.split(',').position(|h| h == "variant") else {
        return text.to_string();
    };
    text.lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(k);
            f.join(",") + "\n"
        })
        .collect()
}

/// Asserts that two output folders hold the same tables: every CSV byte for byte, every JSON
/// equal once [`strip`]ped.
fn same_tables(a: &Path, b: &Path) {
    let names = common::names(a);
    assert_eq!(names, common::names(b));
    let mut tables = 0;
    for n in &names {
        if n.ends_with(".csv") {
            let (x, y) = (
                one_credit(&without_variant(
                    &std::fs::read_to_string(a.join(n)).unwrap(),
                )),
                one_credit(&without_variant(
                    &std::fs::read_to_string(b.join(n)).unwrap(),
                )),
            );
            assert!(x == y, "{n} differs:\n{x}\n---\n{y}");
            tables += 1;
        } else if n.ends_with(".json") && !n.starts_with('.') {
            let (mut x, mut y) = (common::json(&a.join(n)), common::json(&b.join(n)));
            strip(&mut x);
            strip(&mut y);
            assert!(x == y, "{n} differs");
            tables += 1;
        }
    }
    assert!(
        tables >= 2,
        "only {tables} tables in {}: {names:?}",
        a.display()
    );
}

/// The `set` field of a result's manifest.
fn manifest_set(file: &Path) -> Value {
    common::json(file)["manifest"]["set"].clone()
}

fn run_args<'a>(scenario: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        scenario,
        "--runs",
        "300",
        "--seed",
        "5",
        "--no-charts",
        "--out",
        out,
    ];
    a.extend_from_slice(extra);
    a
}

#[test]
fn run_with_two_sets_equals_a_variant_that_sets_them() {
    let dir = scratch("run");
    let copy = with_variant(TUTORIAL, &dir, &[(HAWK, "0.9"), (FATIGUE, FATIGUE_DIST)]);
    let copy = copy.to_str().unwrap();
    let (a, b) = (dir.join("set"), dir.join("variant"));
    let hawk = format!("{HAWK}=0.9");
    let fatigue = format!("{FATIGUE}={FATIGUE_DIST}");
    let o = ok(&run_args(
        TUTORIAL,
        a.to_str().unwrap(),
        &["--set", &hawk, "--set", &fatigue, "--per-run"],
    ));
    ok(&run_args(
        copy,
        b.to_str().unwrap(),
        &["--variant", "what_if", "--per-run"],
    ));
    same_tables(&a, &b);
    // Not the base: the numbers did change the results.
    let base = dir.join("base");
    ok(&run_args(TUTORIAL, base.to_str().unwrap(), &[]));
    assert_ne!(
        std::fs::read(a.join("outcomes.csv")).unwrap(),
        std::fs::read(base.join("outcomes.csv")).unwrap()
    );
    // The manifest records each path and value as written; the header says it in words.
    assert_eq!(
        manifest_set(&a.join("summary.json")),
        serde_json::json!([
            {"path": HAWK, "value": "0.9"},
            {"path": FATIGUE, "value": FATIGUE_DIST},
        ])
    );
    assert!(
        common::json(&base.join("summary.json"))["manifest"]
            .get("set")
            .is_none()
    );
    let text = stdout(&o);
    let second = text.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("Set on the command line: Republic of North › hawkishness = 0.9;"),
        "{text}"
    );
}

#[test]
fn set_applies_over_the_chosen_variant() {
    // `pretext` sets South's grievance to 0.5; --set wins over it.
    let dir = scratch("over_variant");
    let copy = edited(
        TUTORIAL,
        &dir,
        "\"relations.south->north.grievance\": 0.5,",
        "\"relations.south->north.grievance\": 0.2,",
    );
    let (a, b) = (dir.join("set"), dir.join("edited"));
    ok(&run_args(
        TUTORIAL,
        a.to_str().unwrap(),
        &[
            "--variant",
            "pretext",
            "--set",
            "relations.south->north.grievance=0.2",
        ],
    ));
    ok(&run_args(
        copy.to_str().unwrap(),
        b.to_str().unwrap(),
        &["--variant", "pretext"],
    ));
    same_tables(&a, &b);
}

#[test]
fn compare_sets_the_base_and_every_variant_alike() {
    let dir = scratch("compare");
    let copy = edited(
        TUTORIAL,
        &dir,
        "hawkishness: Uniform(min: 0.0, max: 0.6, source: \"illustrative\"),",
        "hawkishness: 0.9,",
    );
    let (a, b) = (dir.join("set"), dir.join("edited"));
    let args = |s: &str, out: &Path, extra: &[&str]| {
        let mut v: Vec<String> = [
            "compare",
            s,
            "--variants",
            "visa_now,pretext",
            "--runs",
            "200",
            "--seed",
            "3",
            "--no-charts",
            "--out",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        v.push(out.to_str().unwrap().into());
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    ok(&args(TUTORIAL, &a, &["--set", &format!("{HAWK}=0.9")]));
    ok(&args(copy.to_str().unwrap(), &b, &[]));
    same_tables(&a, &b);
    assert_eq!(
        manifest_set(&a.join("compare.json")),
        serde_json::json!([{"path": HAWK, "value": "0.9"}])
    );
}

#[test]
fn experiment_sets_every_point_and_variant_alike() {
    let dir = scratch("experiment");
    let copy = edited(
        TUTORIAL,
        &dir,
        "hawkishness: Uniform(min: 0.0, max: 0.6, source: \"illustrative\"),",
        "hawkishness: 0.9,",
    );
    let (a, b) = (dir.join("set"), dir.join("edited"));
    let param = format!("{FATIGUE}=0.1..0.4");
    let args = |s: &str, out: &Path, extra: &[&str]| {
        let mut v: Vec<String> = [
            "experiment",
            s,
            "--design",
            "factorial",
            "--param",
            &param,
            "--points",
            "3",
            "--variants",
            "visa_now",
            "--runs",
            "150",
            "--seed",
            "4",
            "--per-run",
            "--no-charts",
            "--out",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        v.push(out.to_str().unwrap().into());
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    ok(&args(TUTORIAL, &a, &["--set", &format!("{HAWK}=0.9")]));
    ok(&args(copy.to_str().unwrap(), &b, &[]));
    same_tables(&a, &b);
    assert_eq!(
        manifest_set(&a.join("experiment.json")),
        serde_json::json!([{"path": HAWK, "value": "0.9"}])
    );
    // The set changed the results: the same experiment without it differs.
    let plain = dir.join("plain");
    ok(&args(TUTORIAL, &plain, &[]));
    assert_ne!(
        std::fs::read_to_string(a.join("points.csv")).unwrap(),
        std::fs::read_to_string(plain.join("points.csv")).unwrap()
    );
    // A path the design varies cannot also be set.
    let out = dir.join("both");
    let o = brink(
        &{
            let mut v = args(TUTORIAL, &out, &[]);
            v.extend(["--set".to_string(), format!("{FATIGUE}=0.2")]);
            v
        }
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--param"));
    assert!(!out.exists());
}

#[test]
fn trace_equals_a_variant_that_sets_it() {
    let dir = scratch("trace");
    let copy = with_variant(TUTORIAL, &dir, &[(FATIGUE, FATIGUE_DIST)]);
    let trace = |s: &str, extra: &[&str]| -> Value {
        let mut a = vec!["trace", s, "--run", "4", "--seed", "2", "--json"];
        a.extend_from_slice(extra);
        let o = ok(&a);
        let mut v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        strip(&mut v);
        v
    };
    let fatigue = format!("{FATIGUE}={FATIGUE_DIST}");
    let a = trace(TUTORIAL, &["--set", &fatigue]);
    let b = trace(copy.to_str().unwrap(), &["--variant", "what_if"]);
    assert_eq!(a, b);
    assert_ne!(a, trace(TUTORIAL, &[]));
}

#[test]
fn sensitivity_equals_a_variant_that_sets_it() {
    let dir = scratch("sensitivity");
    let copy = with_variant(TUTORIAL, &dir, &[(HAWK, "0.9"), (FATIGUE, FATIGUE_DIST)]);
    let (a, b) = (dir.join("set"), dir.join("variant"));
    let sens = |s: &str, out: &Path, extra: &[&str]| {
        let mut v = vec![
            "sensitivity",
            s,
            "--runs",
            "400",
            "--seed",
            "1",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        ok(&v);
    };
    let hawk = format!("{HAWK}=0.9");
    let fatigue = format!("{FATIGUE}={FATIGUE_DIST}");
    sens(TUTORIAL, &a, &["--set", &hawk, "--set", &fatigue]);
    sens(copy.to_str().unwrap(), &b, &["--variant", "what_if"]);
    same_tables(&a, &b);
}

#[test]
fn sweep_holds_a_fixed_set_at_every_point() {
    let dir = scratch("sweep");
    let copy = with_variant(TUTORIAL, &dir, &[(HAWK, "0.9")]);
    let (a, b) = (dir.join("set"), dir.join("variant"));
    let grid = format!("{FATIGUE}=0.1..0.4:3");
    let sweep = |s: &str, out: &Path, extra: &[&str]| {
        let mut v = vec![
            "sweep",
            s,
            "--set",
            &grid,
            "--runs",
            "200",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        ok(&v);
    };
    let hawk = format!("{HAWK}=0.9");
    sweep(TUTORIAL, &a, &["--set", &hawk]);
    sweep(copy.to_str().unwrap(), &b, &["--variant", "what_if"]);
    same_tables(&a, &b);
    assert_eq!(
        manifest_set(&a.join("sweep.json")),
        serde_json::json!([{"path": HAWK, "value": "0.9"}])
    );
    // The same path swept and held fixed is refused.
    let out = dir.join("twice");
    let o = brink(&[
        "sweep",
        TUTORIAL,
        "--set",
        &grid,
        "--set",
        &format!("{FATIGUE}=0.2"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(!out.exists());
}

#[test]
fn backtest_sets_every_case() {
    let dir = scratch("backtest");
    // The edit: Russia's hawkishness (the cases' shared readiness in the file) fixed at 0.5 in
    // the copy's base: a set number takes the place of a shared one.
    let copy = edited(
        GEORGIA,
        &dir,
        "            hawkishness: Shared(\"hawkishness\"),\n            sensitivity: Pert(min: 0.3, mode: 0.6, max: 0.9, source: \"assumption, generic for every principal of the history cases: one rung of mood (2 points) is worth 0.6–1.8 utility points, against measure costs of a few utility points\"),\n            cost_weight: Pert(min: 0.026",
        "            hawkishness: 0.5,\n            sensitivity: Pert(min: 0.3, mode: 0.6, max: 0.9, source: \"assumption, generic for every principal of the history cases: one rung of mood (2 points) is worth 0.6–1.8 utility points, against measure costs of a few utility points\"),\n            cost_weight: Pert(min: 0.026",
    );
    let (a, b) = (dir.join("set"), dir.join("edited"));
    let bt = |s: &str, out: &Path, extra: &[&str]| {
        let mut v = vec![
            "backtest",
            s,
            GEORGIA_TIMELINE,
            "--runs",
            "200",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        brink(&v)
    };
    let o = bt(GEORGIA, &a, &["--set", "actors.russia.hawkishness=0.5"]);
    assert!(o.status.success(), "{}", describe(&o));
    let o = bt(copy.to_str().unwrap(), &b, &[]);
    assert!(o.status.success(), "{}", describe(&o));
    same_tables(&a, &b);
    // A path a case's scenario lacks names the case.
    let bad = dir.join("bad");
    let o = bt(GEORGIA, &bad, &["--set", "actors.north.hawkishness=0.5"]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("case \"russia_georgia_2006\""), "{err}");
    assert!(!bad.exists());
}

#[test]
fn calibrate_writes_the_set_values_into_its_calibrated_files() {
    let dir = scratch("calibrate");
    let cal = |out: &Path, set: &str| {
        brink(&[
            "calibrate",
            "--timelines",
            GEORGIA_TIMELINE,
            "--params",
            "shared.fatigue.value",
            "--particles",
            "12",
            "--sims",
            "1",
            "--max-generations",
            "1",
            "--no-charts",
            "--set",
            set,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let out = dir.join("cal");
    let o = cal(&out, "actors.russia.sensitivity=0.7");
    assert!(o.status.success(), "{}", describe(&o));
    // The calibrated file runs the model that was calibrated: the set number as set.
    let file = out.join("calibrated-russia_georgia_2006.ron");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("0.7 /* --set in the calibration */"),
        "{text}"
    );
    let o = ok(&["describe", "--paths", file.to_str().unwrap()]);
    let paths = stdout(&o);
    let line = |path: &str| {
        paths
            .lines()
            .find(|l| l.split_whitespace().next() == Some(path))
            .unwrap_or_else(|| panic!("no {path} in:\n{paths}"))
            .to_string()
    };
    assert_eq!(
        line("actors.russia.sensitivity").split_whitespace().nth(1),
        Some("0.7")
    );
    // The other actor's sensitivity, not set, is as written; the calibrated number is fitted.
    assert!(line("actors.georgia.sensitivity").contains("Pert("));
    assert!(line("shared.fatigue.value").contains("Beta("));

    // Found by a reviewing helper: a set value written with a comment was pasted as typed,
    // and its `//` swallowed the rest of the line: every generation ran, then exit 2 pointing
    // at a line of the scenario. The value goes in as parsed.
    let commented = dir.join("commented");
    let o = cal(
        &commented,
        "actors.russia.sensitivity=Uniform(min: 0.6, max: 0.8) // a note",
    );
    assert!(o.status.success(), "{}", describe(&o));
    let file = commented.join("calibrated-russia_georgia_2006.ron");
    let o = ok(&["describe", "--paths", file.to_str().unwrap()]);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with("actors.russia.sensitivity")
                && l.contains("Uniform(min: 0.6, max: 0.8)")),
        "{}",
        stdout(&o)
    );

    // A number the file leaves to its default cannot be carried: refused before calibrating.
    let bad = dir.join("bad");
    let o = cal(&bad, "levers.import_bans.perception=0.5");
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not write this number"), "{err}");
    assert!(!bad.exists());
}

#[test]
fn flagship_run_with_a_set_equals_a_variant() {
    let dir = scratch("flagship");
    let copy = with_variant(FLAGSHIP, &dir, &[("actors.russia.hawkishness", "0.7")]);
    let (a, b) = (dir.join("set"), dir.join("variant"));
    ok(&run_args(
        FLAGSHIP,
        a.to_str().unwrap(),
        &["--set", "actors.russia.hawkishness=0.7"],
    ));
    ok(&run_args(
        copy.to_str().unwrap(),
        b.to_str().unwrap(),
        &["--variant", "what_if"],
    ));
    same_tables(&a, &b);
}

/// Every command refuses a typo with the nearest path, a value out of range with the range,
/// and the same path twice, each with exit code 2 and nothing written.
#[test]
fn bad_sets_are_refused_with_nothing_written() {
    let dir = scratch("bad");
    let commands: Vec<Vec<&str>> = vec![
        vec!["run", TUTORIAL, "--runs", "50"],
        vec!["compare", TUTORIAL, "--all", "--runs", "50"],
        vec!["trace", TUTORIAL, "--run", "1"],
        vec!["sensitivity", TUTORIAL, "--runs", "100"],
        vec![
            "sweep",
            TUTORIAL,
            "--set",
            "actors.south.hawkishness=0..1:2",
            "--runs",
            "50",
        ],
        vec!["backtest", GEORGIA, GEORGIA_TIMELINE, "--runs", "50"],
    ];
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "actors.north.hawkishnes=0.4",
            "unknown parameter path",
            &["did you mean actors.north.hawkishness?"],
        ),
        (
            "relations.north->south.fatigue=1.5",
            "outside its valid range",
            &["expected a number from 0 to 1"],
        ),
        (
            "relations.north->south.fatigue=Uniform(min: 0.5, max: 1.5)",
            "outside its valid range",
            &["expected a number from 0 to 1"],
        ),
        (
            "relations.north->south.fatigue=Normal(mean: 0.3)",
            "not a number or a distribution",
            &["sd"],
        ),
    ];
    for (i, cmd) in commands.iter().enumerate() {
        for (j, (set, what, more)) in cases.iter().enumerate() {
            let is_backtest = cmd[0] == "backtest";
            // The history scenario has Russia and Georgia: the same mistakes on its paths.
            let set = if is_backtest {
                set.replace("north->south", "russia->georgia")
                    .replace("north.hawkishnes", "russia.hawkishnes")
            } else {
                set.to_string()
            };
            let out = dir.join(format!("{i}-{j}"));
            let mut args = cmd.clone();
            args.extend(["--set", &set, "--out", out.to_str().unwrap()]);
            let o = brink(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", describe(&o));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("--set"), "{args:?}: {err}");
            assert!(err.contains(what), "{args:?}: {err}");
            for m in *more {
                let m = if is_backtest {
                    m.replace("north.", "russia.")
                } else {
                    m.to_string()
                };
                assert!(err.contains(&m), "{args:?}: {err}");
            }
            assert!(!out.exists(), "{args:?} wrote {}", out.display());
        }
        let out = dir.join(format!("{i}-twice"));
        let mut args = cmd.clone();
        let set = if cmd[0] == "backtest" {
            "actors.russia.activity=0.2"
        } else {
            "actors.north.activity=0.2"
        };
        args.extend(["--set", set, "--set", set, "--out", out.to_str().unwrap()]);
        let o = brink(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", describe(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("already set"),
            "{}",
            describe(&o)
        );
        assert!(!out.exists());
    }
}

/// A number of an event the chosen variant removes changes nothing in its runs, and one of an
/// event only a variant adds is not the scenario's: `--set` of either is refused with what was
/// expected (exit 2, nothing written) where every arm is such a variant; in a comparison whose
/// base keeps the event it applies. `sensitivity` leaves a removed event's numbers out of its
/// ranking (they were ranked, and raised the runs it asked for). The tutorial's `pretext`
/// removes `patron_summit` and adds `staged_incident`.
#[test]
fn numbers_of_removed_and_added_events_are_refused() {
    let dir = scratch("removed");
    let removed = "events.patron_summit.probability";
    let added = "events.staged_incident.probability";
    for (k, (command, extra)) in [
        ("run", &["--runs", "50"][..]),
        ("trace", &["--run", "1"][..]),
        ("sensitivity", &[][..]),
        ("sweep", &["--runs", "50"][..]),
    ]
    .into_iter()
    .enumerate()
    {
        let sweep = command == "sweep";
        for (path, what) in [(removed, "removes event"), (added, "is one that variant")] {
            let set = format!("{path}={}", if sweep { "0..1:3" } else { "0.5" });
            let out = dir.join(format!("{k}-{}", what.len()));
            let mut a = vec![command, TUTORIAL, "--variant", "pretext"];
            a.extend_from_slice(extra);
            a.extend(["--set", set.as_str(), "--out", out.to_str().unwrap()]);
            let o = brink(&a);
            assert_eq!(o.status.code(), Some(2), "{a:?}: {}", describe(&o));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains(&format!("--set {path}")), "{err}");
            assert!(err.contains(what) && err.contains("expected"), "{err}");
            assert!(!out.exists(), "{a:?} wrote it");
        }
    }
    // In a comparison the base keeps the event: the number is set there.
    let out = dir.join("compare");
    ok(&[
        "compare",
        TUTORIAL,
        "--variants",
        "pretext",
        "--runs",
        "50",
        "--no-charts",
        "--set",
        &format!("{removed}=0.5"),
        "--out",
        out.to_str().unwrap(),
    ]);
    // Sensitivity under the variant ranks no number of the removed event.
    let out = dir.join("sensitivity");
    let o = ok(&[
        "sensitivity",
        TUTORIAL,
        "--variant",
        "pretext",
        "--outcome",
        "pretext_staged",
        "--runs",
        "300",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let ranked = std::fs::read_to_string(out.join("sensitivity.json")).unwrap();
    assert!(!ranked.contains("events.patron_summit."), "{}", stdout(&o));
    assert!(ranked.contains("events.border_incident."), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `describe --paths` shows each path with its value as `--set` takes it, its valid range and
/// its unit in the scenario's words; `--plain` keeps the bare list for scripts.
#[test]
fn describe_paths_shows_values_ranges_and_units() {
    let o = ok(&["describe", "--paths", TUTORIAL]);
    let text = stdout(&o);
    let head = text.lines().next().unwrap_or_default();
    for col in ["path", "value", "valid range", "unit"] {
        assert!(head.contains(col), "{head}");
    }
    let row = |path: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{path} ")))
            .unwrap_or_else(|| panic!("no row for {path}:\n{text}"));
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    let fatigue = row("relations.south->north.fatigue");
    assert_eq!(
        fatigue,
        [
            "relations.south->north.fatigue",
            "Normal(mean: 0.3, sd: 0.05, min: 0.2, max: 0.4)",
            "0 to 1",
            "share per week"
        ]
    );
    assert_eq!(row(HAWK)[2], "any number");
    assert_eq!(
        row("actors.north.cost_weight")[3],
        "utility per USD million"
    );
    // Every value shown is accepted back by --set as the same number.
    for path in [
        HAWK,
        "relations.south->north.fatigue",
        "actors.north.activity",
    ] {
        let shown: brink::scenario::overrides::Override =
            format!("{path}={}", row(path)[1]).parse().unwrap();
        let loaded = common::load(TUTORIAL);
        let mut found = None;
        brink::scenario::paths::for_each_param(&mut loaded.scenario.clone(), &mut |site, p| {
            if site.path == path {
                found = Some(p.clone());
            }
        });
        let expected = found.unwrap();
        // The table leaves out sources: the same distribution, compared by what it draws.
        assert_eq!(shown.value.range(), expected.range(), "{path}");
        assert_eq!(shown.value.central(), expected.central(), "{path}");
    }
    let plain = stdout(&ok(&["describe", "--paths", "--plain", TUTORIAL]));
    let paths = brink::scenario::paths::param_paths(&common::load(TUTORIAL).scenario);
    assert_eq!(
        plain,
        paths.iter().map(|p| format!("{p}\n")).collect::<String>()
    );
}

/// A normal whose mean lies outside a number's valid range is refused for its mean: its tails
/// are unbounded for any mean (and clamped when drawn), so "can take values from -inf to inf"
/// named no reason (the same tails within range are accepted).
#[test]
fn a_normal_centred_outside_the_range_is_refused_for_its_centre() {
    let o = common::brink(&[
        "run",
        "scenarios/examples/tutorial.ron",
        "--set",
        "actors.north.activity=Normal(mean: 5, sd: 0.1)",
        "--runs",
        "10",
        "--no-charts",
        "--out",
        common::scratch("normal-centre").join("o").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("actors.north.activity is centred on 5, outside its valid range"),
        "{err}"
    );
}

/// A refusal of `--set` values names no variant the user did not give: the overrides are
/// layered as a variant of a made-up name ("set", "sweep"), which the message printed.
#[test]
fn a_refusal_of_overrides_names_no_made_up_variant() {
    let dir = common::scratch("made-up-variant");
    // Variants of the file named as brink's made-up ones are still not named.
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    let file = dir.join("tv.ron");
    std::fs::write(
        &file,
        text.replacen(
            "    variants: [",
            "    variants: [\n        Variant(name: \"set\", freeze: [\"military_drill\"]), \
             Variant(name: \"sweep\", freeze: [\"military_drill\"]),",
            1,
        ),
    )
    .unwrap();
    for (cmd, scenario) in [
        ("run", "scenarios/examples/tutorial.ron"),
        ("sweep", "scenarios/examples/tutorial.ron"),
        ("run", file.to_str().unwrap()),
        ("sweep", file.to_str().unwrap()),
    ] {
        let second = if cmd == "run" { "0" } else { "0..1:3" };
        let o = common::brink(&[
            cmd,
            scenario,
            "--set",
            "events.election_south.branches.reformers.probability=0",
            "--set",
            &format!("events.election_south.branches.nationalists.probability={second}"),
            "--runs",
            "10",
            "--no-charts",
            "--out",
            dir.join(cmd).to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("with these numbers, every branch"), "{err}");
        assert!(!err.contains("variant"), "{err}");
    }
}

/// As docs/scenario-format.md says: a normal cut on both sides must lie wholly inside the range
/// (its mean may lie outside it), one cut on one side only by its mean. Both were refused,
/// the first as "can take values from 0.3 to 1, outside its valid range" of 0 to 1.
#[test]
fn truncated_normals_are_checked_as_the_format_says() {
    let dir = common::scratch("truncated");
    let run = |value: &str| {
        tutorial_with(
            &format!("actors.north.activity={value}"),
            &dir.join(format!("o{}", value.len())),
        )
    };
    for ok in [
        "Normal(mean: 1.2, sd: 0.3, min: 0.3, max: 1.0)",
        "Normal(mean: 0.6, sd: 0.2, min: -0.2)",
    ] {
        let o = run(ok);
        assert!(o.status.success(), "{ok}: {}", common::describe(&o));
    }
    let o = run("Normal(mean: 0.5, sd: 0.2, min: 0.3, max: 1.5)");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("can take values from 0.3 to 1.5"), "{err}");
}

/// A Beta given one bound is on that bound to the other's default (0 to 1): `min: 3` alone
/// was accepted and drawn mirrored on 3 down to 1. A normal cut at its field's far end (every
/// draw clamped to it) is refused as one cut past it is, and one cut on one side is judged by
/// the mean of its draws (written centred on -1000 and cut at 0.5, its draws average 37.8:
/// nearly every one was clamped to 1), not by its written mean (one centred on -0.2 and cut at
/// 0, the curve `calibrate` fits to a posterior piled against 0, draws 0.7 on average). A cut
/// normal's central value is the mean of its draws (a sweep showed 1.5 for a share: the mean
/// of a normal cut to [0.2, 0.9]).
#[test]
fn one_sided_bounds_and_windows_read_as_their_draws() {
    let dir = common::scratch("one-sided");
    let run = |set: &str, out: &str| tutorial_with(set, &dir.join(out));
    for (set, says) in [
        (
            "actors.north.sensitivity=Beta(alpha: 2, beta: 5, min: 3)",
            "min (3) must be below max (1",
        ),
        (
            "actors.north.activity=Normal(mean: 0.5, sd: 1, min: 1)",
            "can take values from 1 to inf",
        ),
        (
            "actors.north.activity=Normal(mean: -1000, sd: 200, min: 0.5)",
            "is centred on 37.7845 (the mean of its draws), outside its valid range",
        ),
        (
            "actors.north.activity=Normal(mean: 5e12, sd: 1e12, max: 0.9)",
            "beyond the largest number a scenario may hold",
        ),
    ] {
        let o = run(set, "refused");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains(says), "{set}: {err}");
    }
    let o = run(
        "actors.north.activity=Normal(mean: -0.2, sd: 1, min: 0)",
        "centred-below-its-cut",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let central = |text: &str| {
        let p: brink::scenario::Param = brink::scenario::overrides::parse_value(text).unwrap();
        p.central()
    };
    // The cut curve's mean by Simpson's rule on 20,000 intervals (error far below 1e-9; the
    // normal CDF brink divides by is good to about 1e-7 relative).
    let cut_mean = |mean: f64, sd: f64, lo: f64, hi: f64| {
        let n = 20_000;
        let h = (hi - lo) / n as f64;
        let (mut mass, mut first) = (0.0, 0.0);
        for i in 0..=n {
            let x = lo + i as f64 * h;
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let f = w * (-0.5 * ((x - mean) / sd).powi(2)).exp();
            mass += f;
            first += f * x;
        }
        first / mass
    };
    let c = central("Normal(mean: 1.5, sd: 0.5, min: 0.2, max: 0.9)");
    let want = cut_mean(1.5, 0.5, 0.2, 0.9);
    assert!((c - want).abs() < 1e-6, "{c} against {want}");
    assert!(c > 0.55 && c < 0.9, "{c}");
    // Nearly flat over its window: about its middle.
    let c = central("Normal(mean: 1000, sd: 200, min: 0.1, max: 0.9)");
    let want = cut_mean(1000.0, 200.0, 0.1, 0.9);
    assert!((c - want).abs() < 1e-6, "{c} against {want}");
    assert!((c - 0.5).abs() < 0.01, "{c}");
    // Cut evenly about its mean, or not cut: the mean itself.
    assert_eq!(
        central("Normal(mean: 0.4, sd: 0.1, min: 0.2, max: 0.6)"),
        0.4
    );
    assert_eq!(central("Normal(mean: 0.4, sd: 0.1)"), 0.4);
    // Cut on one side only: pushed away from the cut (the half-normal's mean, sd·√(2/π)).
    let c = central("Normal(mean: 0, sd: 1, min: 0)");
    assert!(
        (c - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-6,
        "{c}"
    );
}

/// `brink diff` of two results of one scenario and seed that differ by a `--set` says so on
/// each side and in its JSON: both read "tutorial.ron, seed 1, 60 runs", and a difference of
/// 25 points looked like the same configuration's.
#[test]
fn diff_names_each_sides_settings() {
    let dir = common::scratch("diff-settings");
    let out = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let mut base = vec![
        "run",
        "scenarios/examples/tutorial.ron",
        "--runs",
        "60",
        "--seed",
        "1",
        "--per-run",
        "--no-charts",
    ];
    let (a, b) = (out("a"), out("b"));
    common::ok(&[&base[..], &["--out", &a]].concat());
    base.extend(["--set", "actors.north.hawkishness=0.5"]);
    common::ok(&[&base[..], &["--out", &b]].concat());
    let text = common::stdout(&common::ok(&["diff", &a, &b]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines[0].contains("--set"), "{text}");
    assert!(
        lines[1].contains("--set actors.north.hawkishness=0.5"),
        "{text}"
    );
    let json = common::stdout(&common::ok(&["diff", &a, &b, "--json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["a"]["set"], serde_json::json!([]));
    assert_eq!(v["b"]["set"][0]["path"], "actors.north.hawkishness");
    assert_eq!(v["b"]["set"][0]["value"], "0.5");
}

/// A distribution's fields may come in order without names, as scenario-format.md says (RON
/// takes a struct variant as a sequence): a third number of a normal is its `min`.
#[test]
fn distribution_fields_in_order_read_as_named() {
    let read = |text: &str| brink::scenario::overrides::parse_value(text).unwrap();
    for (bare, named) in [
        ("Uniform(0.2, 0.4)", "Uniform(min: 0.2, max: 0.4)"),
        ("Pert(1, 2, 4)", "Pert(min: 1, mode: 2, max: 4)"),
        (
            "Normal(0.5, 0.1, 0.45)",
            "Normal(mean: 0.5, sd: 0.1, min: 0.45)",
        ),
        ("Beta(2, 5, 0.5)", "Beta(alpha: 2, beta: 5, min: 0.5)"),
    ] {
        assert_eq!(read(bare), read(named), "{bare}");
    }
}

/// Messages say what the number was: a dated step set to one number "is" it (it read
/// "reaches 60..60"), a written sd too small for a computer reads as 0 and says so, and
/// `describe --paths` gives a dated step's range as the horizon's steps (it said "at least 0").
#[test]
fn a_dated_step_and_an_underflowing_sd_are_named_as_written() {
    let dir = common::scratch("dated-step-words");
    let run = |set: &str| tutorial_with(set, &dir.join("o"));
    for (set, says) in [
        ("events.election_south.step=60", "the dated step is 60"),
        (
            "actors.north.activity=Normal(mean: 0.5, sd: 1e-400)",
            "sd must be greater than 0, found 0 (a written number below about 5e-324",
        ),
    ] {
        let o = run(set);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains(says), "{set}: {err}");
    }
    let paths = common::stdout(&common::ok(&[
        "describe",
        "--paths",
        "scenarios/examples/tutorial.ron",
    ]));
    let step = paths
        .lines()
        .find(|l| l.starts_with("events.election_south.step"))
        .unwrap();
    assert!(step.contains("0 to 51"), "{step}");
}

/// `brink run` of the tutorial with one `--set`, 20 runs, no charts, into `out`.
fn tutorial_with(set: &str, out: &std::path::Path) -> std::process::Output {
    common::brink(&[
        "run",
        "scenarios/examples/tutorial.ron",
        "--set",
        set,
        "--runs",
        "20",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Found by a reviewing helper: `--set PATH=abc` answered in ron's words ("Unexpected variant
/// named `abc` in enum `Dist`"), brink's type name and all. It names the distributions.
#[test]
fn a_set_value_that_is_no_distribution_names_the_distributions() {
    let o = common::brink(&[
        "run",
        "scenarios/examples/tutorial.ron",
        "--set",
        "actors.north.hawkishness=Unif(min: 0.1, max: 0.3)",
        "--runs",
        "10",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`Unif` is no distribution's name: they are Fixed, Uniform, Triangular"),
        "{err}"
    );
    assert!(!err.contains("enum"), "{err}");
}

/// A path whose record the scenario does not have (a lever renamed since) names the records it
/// has instead of another record's number: `levers.cultural_ties.threshold` on the reworked
/// Azerbaijan case was offered `levers.ru_protest.threshold` (found by a reviewing helper); a
/// misspelt record keeps its "did you mean".
#[test]
fn an_unknown_record_lists_the_records_there_are() {
    let dir = scratch("unknown-record");
    let case = "scenarios/history/russia_azerbaijan_2024.ron";
    for (set, has, not) in [
        (
            "levers.cultural_ties.threshold=3",
            &["no lever \"cultural_ties\"", "admin_sanctions"][..],
            "did you mean",
        ),
        (
            "events.death_in_custody.rate=0.1",
            &["no event \"death_in_custody\"", "nationals_harmed"][..],
            "did you mean",
        ),
        (
            "levers.admin_sanction.threshold=3",
            &["did you mean levers.admin_sanctions.threshold?"][..],
            "\u{1}",
        ),
    ] {
        let out = dir.join("out");
        let o = brink(&[
            "run",
            case,
            "--runs",
            "10",
            "--set",
            set,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        for h in has {
            assert!(err.contains(h), "{set}: {err}");
        }
        assert!(!err.contains(not), "{set}: {err}");
        assert!(!out.exists());
    }
}

/// A `--set` on several cases is told as the path written, in every case that has it: one path
/// may name a lever of each (`levers.ru_ambassador_recall` is Russia's recall from Baku in one
/// case and from Ankara in another), and the first case's label named one of them only (found
/// by a reviewing helper). One case keeps its own label.
#[test]
fn a_set_on_several_cases_is_told_by_its_path() {
    let dir = scratch("set-several");
    let az = "scenarios/history/russia_azerbaijan_2024.timeline.ron";
    let tr = "scenarios/history/russia_turkey_2015.timeline.ron";
    let set = "levers.ru_ambassador_recall.threshold=6";
    let out = dir.join("both");
    let o = brink(&[
        "backtest",
        az,
        tr,
        "--runs",
        "50",
        "--set",
        set,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    let told = "Set on the command line, in every case that has the number: \
                levers.ru_ambassador_recall.threshold = 6.";
    assert_eq!(stdout(&o).lines().nth(1), Some(told), "{}", stdout(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(told), "the report's setup line");
    assert!(!html.contains("from Baku › threshold"));
    let one = dir.join("one");
    let o = brink(&[
        "backtest",
        tr,
        "--runs",
        "50",
        "--set",
        set,
        "--out",
        one.to_str().unwrap(),
    ]);
    assert_eq!(
        stdout(&o).lines().nth(1),
        Some("Set on the command line: Russia recalls its ambassador from Ankara › threshold = 6.")
    );
}

/// A distribution given without a `source`, on the command line or in a variant's `set`, is
/// credited to where it was given: sensitivity's table and the ledger credited the file's
/// words for the number it replaced ("tutorial: invented") with a distribution the file never
/// stated (found by a reviewing helper).
#[test]
fn a_distribution_set_without_a_source_is_credited_to_where_it_was_set() {
    use brink::scenario::overrides::{Override, apply};
    let dir = scratch("credited");
    let path = with_variant(TUTORIAL, &dir, &[(FATIGUE, FATIGUE_DIST)]);
    let loaded = brink::scenario::load(&path, Default::default()).unwrap();
    let source_of = |s: &brink::scenario::Scenario, variant: Option<&str>, path: &str| {
        let m = brink::model::compile(s, variant).unwrap();
        let i = m.param_index(path).unwrap();
        brink::model::param_sources(&m)[i].clone()
    };
    let file = source_of(&loaded.scenario, None, HAWK);
    assert!(!file.contains("command line"), "{file}");
    // The variant's own set.
    assert_eq!(
        source_of(&loaded.scenario, Some("what_if"), FATIGUE),
        "variant what_if's set"
    );
    // A variant with a source of its own credits it.
    let sourced = dir.join("sourced.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    let from = "Variant(name: \"what_if\",";
    assert_eq!(text.matches(from).count(), 1);
    std::fs::write(
        &sourced,
        text.replace(
            from,
            "Variant(name: \"what_if\", source: \"my hypothesis\",",
        ),
    )
    .unwrap();
    let with_source = brink::scenario::load(&sourced, Default::default()).unwrap();
    assert_eq!(
        source_of(&with_source.scenario, Some("what_if"), FATIGUE),
        "my hypothesis"
    );
    // The command line's, over the base and over the variant alike.
    let o: Override = format!("{HAWK}=Uniform(min: -2, max: 2)").parse().unwrap();
    let set = apply(&loaded, &[o], &[None, Some("what_if")]).unwrap();
    for variant in [None, Some("what_if")] {
        assert_eq!(
            source_of(&set.scenario, variant, HAWK),
            format!("command line: --set {HAWK}")
        );
    }
    // One given with its source keeps it.
    let o: Override = format!("{HAWK}=Uniform(min: -2, max: 2, source: \"my notes\")")
        .parse()
        .unwrap();
    let set = apply(&loaded, &[o], &[None]).unwrap();
    assert_eq!(source_of(&set.scenario, None, HAWK), "my notes");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `--set` argument of ordinary length is quoted whole when its value is refused: cutting at
/// 80 characters hid the value at fault behind the flagship's long paths (a reviewing helper);
/// only arguments of a thousand characters or more are cut.
#[test]
fn a_refused_set_argument_of_ordinary_length_is_quoted_whole() {
    let arg = "levers.cultural_ties.levels.russian_house_closed.pressure.hardline_media=Pert(min: 3, mode: 1, max: 2)";
    let o = common::brink(&[
        "run",
        "scenarios/russia_azerbaijan_2025.ron",
        "--runs",
        "10",
        "--set",
        arg,
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(arg), "{err}");
}
