//! Four shards run as separate processes merge into exactly the single run's result, and shards
//! of different jobs are refused.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{brink, ok, scratch, summary_without_command};

const SCENARIO: &str = "scenarios/russia_azerbaijan_2025.ron";

#[test]
fn four_shard_processes_merge_into_the_single_run() {
    let root = scratch("merge");
    let runs = "6000"; // 6 chunks, uneven across 4 shards, the last one partial
    let s = |i: usize| root.join(format!("shard{i}"));
    let children: Vec<_> = (1..=4)
        .map(|i| {
            common::command()
                .args([
                    "run",
                    SCENARIO,
                    "--runs",
                    runs,
                    "--seed",
                    "42",
                    "--per-run",
                    "--no-charts",
                ])
                .args([
                    "--threads",
                    "1",
                    "--shard",
                    &format!("{i}/4"),
                    "--out",
                    s(i).to_str().unwrap(),
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let merged = root.join("merged");
    let whole = root.join("whole");
    // Shards given out of order.
    ok(&[
        "merge",
        s(3).to_str().unwrap(),
        s(1).to_str().unwrap(),
        s(4).to_str().unwrap(),
        s(2).to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--no-charts",
    ]);
    ok(&[
        "run",
        SCENARIO,
        "--runs",
        runs,
        "--seed",
        "42",
        "--per-run",
        "--no-charts",
        "--out",
        whole.to_str().unwrap(),
    ]);
    same_result(
        &merged,
        &whole,
        &["outcomes.csv", "timeseries.csv", "runs.csv"],
    );

    // A missing shard, a shard given twice, and a shard of another seed are refused.
    let bad = root.join("bad");
    let o = brink(&[
        "merge",
        s(1).to_str().unwrap(),
        s(2).to_str().unwrap(),
        s(4).to_str().unwrap(),
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing: 3/4"));
    let o = brink(&[
        "merge",
        s(1).to_str().unwrap(),
        s(1).to_str().unwrap(),
        s(2).to_str().unwrap(),
        s(3).to_str().unwrap(),
        s(4).to_str().unwrap(),
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("given twice"));
    let other = root.join("other");
    ok(&[
        "run",
        SCENARIO,
        "--runs",
        runs,
        "--seed",
        "43",
        "--per-run",
        "--no-charts",
        "--shard",
        "2/4",
        "--out",
        other.to_str().unwrap(),
    ]);
    let o = brink(&[
        "merge",
        s(1).to_str().unwrap(),
        other.to_str().unwrap(),
        s(3).to_str().unwrap(),
        s(4).to_str().unwrap(),
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("seed 42 vs 43"));
    assert!(!bad.exists(), "nothing written on a refused merge");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn compare_shards_merge_into_the_single_comparison() {
    let root = scratch("compare");
    let s = |i: usize| root.join(format!("shard{i}"));
    let common = [
        "--variants",
        "mediation_push,visa_regime",
        "--runs",
        "3000",
        "--seed",
        "4",
        "--no-charts",
    ];
    for i in 1..=3 {
        let mut args = vec!["compare", SCENARIO];
        args.extend(common);
        let shard = format!("{i}/3");
        let out = s(i);
        args.extend(["--shard", &shard, "--out", out.to_str().unwrap()]);
        ok(&args);
    }
    let merged = root.join("merged");
    ok(&[
        "merge",
        s(2).to_str().unwrap(),
        s(3).to_str().unwrap(),
        s(1).to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--no-charts",
    ]);
    let whole = root.join("whole");
    let mut args = vec!["compare", SCENARIO];
    args.extend(common);
    args.extend(["--out", whole.to_str().unwrap()]);
    ok(&args);
    assert!(
        std::fs::read(merged.join("compare.csv")).unwrap()
            == std::fs::read(whole.join("compare.csv")).unwrap()
    );
    let json = |d: &Path| {
        let mut v = common::json(&d.join("compare.json"));
        v["manifest"]["command"] = serde_json::Value::Null;
        v
    };
    assert_eq!(json(&merged), json(&whole));
    // A shard of a different comparison is refused.
    let other = root.join("other");
    ok(&[
        "compare",
        SCENARIO,
        "--variants",
        "mediation_push",
        "--runs",
        "3000",
        "--seed",
        "4",
        "--no-charts",
        "--shard",
        "2/3",
        "--out",
        other.to_str().unwrap(),
    ]);
    let o = brink(&[
        "merge",
        s(1).to_str().unwrap(),
        other.to_str().unwrap(),
        s(3).to_str().unwrap(),
        "--out",
        root.join("bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different jobs"));
    let _ = std::fs::remove_dir_all(&root);
}

/// Runs `n` shards of a job of `runs` runs of the flagship (with per-run rows) under `root`.
fn shards_of(root: &Path, runs: &str, n: usize) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let d = root.join(format!("shard{i}"));
            ok(&[
                "run",
                SCENARIO,
                "--runs",
                runs,
                "--seed",
                "7",
                "--per-run",
                "--no-charts",
                "--shard",
                &format!("{i}/{n}"),
                "--out",
                d.to_str().unwrap(),
            ]);
            d
        })
        .collect()
}

fn shard_json(d: &Path) -> serde_json::Value {
    common::json(&d.join("shard.json"))
}

/// Merges shard folders into `out` (without charts).
fn merge_into(shards: &[PathBuf], out: &Path) {
    let o = try_merge(shards, out);
    assert!(o.status.success(), "{}", common::describe(&o));
}

/// `brink merge SHARDS --no-charts --out OUT`, whatever its outcome.
fn try_merge(shards: &[PathBuf], out: &Path) -> std::process::Output {
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--no-charts", "--out", out.to_str().unwrap()]);
    brink(&args)
}

/// One process of the job `shards_of` splits, into `out`.
fn whole_run(runs: &str, out: &Path) {
    ok(&[
        "run",
        SCENARIO,
        "--runs",
        runs,
        "--seed",
        "7",
        "--per-run",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
}

/// The tables of two run folders are the same bytes.
fn same_tables(a: &Path, b: &Path) {
    same_files(a, b, &["outcomes.csv", "timeseries.csv", "runs.csv"]);
}

/// These files of two folders are the same bytes.
fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

/// A merged folder is the single run's: these files byte for byte, and the summary but for
/// the command line.
fn same_result(merged: &Path, whole: &Path, files: &[&str]) {
    same_files(merged, whole, files);
    assert_eq!(
        summary_without_command(merged),
        summary_without_command(whole)
    );
}

#[test]
fn a_small_job_splits_evenly_and_still_merges_byte_identical() {
    let root = scratch("small");
    let shards = shards_of(&root, "1000", 4);
    for (i, d) in shards.iter().enumerate() {
        let j = shard_json(d);
        let held = j["tally"]["runs"].as_u64().unwrap();
        assert_eq!(held, 250, "shard {} holds {held} runs", i + 1);
        assert_eq!(
            j["end_run"].as_u64().unwrap() - j["first_run"].as_u64().unwrap(),
            250
        );
    }
    let (merged, whole) = (root.join("merged"), root.join("whole"));
    merge_into(&shards, &merged);
    whole_run("1000", &whole);
    same_tables(&merged, &whole);
    assert_eq!(
        summary_without_command(&merged),
        summary_without_command(&whole)
    );
    // More shards than runs: some shards hold none, and the merge is still the whole run.
    let tiny = root.join("tiny");
    let parts = shards_of(&tiny, "3", 5);
    let held: Vec<u64> = parts
        .iter()
        .map(|d| shard_json(d)["tally"]["runs"].as_u64().unwrap())
        .collect();
    assert_eq!(held.iter().sum::<u64>(), 3);
    let (m, w) = (tiny.join("merged"), tiny.join("whole"));
    merge_into(&parts, &m);
    whole_run("3", &w);
    same_tables(&m, &w);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_damaged_shard_is_refused_and_named() {
    let root = scratch("damage");
    let shards = shards_of(&root, "3000", 3);
    let merge = |out: &str| {
        let o = root.join(out);
        let mut args = vec!["merge"];
        args.extend(shards.iter().map(|d| d.to_str().unwrap()));
        args.extend(["--no-charts", "--out", o.to_str().unwrap()]);
        (brink(&args), o)
    };
    let refused = |o: &Output, out: &Path, want: &str| {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("shard2"), "the shard is not named: {err}");
        assert!(err.contains(want), "expected {want:?}: {err}");
        assert!(!out.exists(), "a refused merge wrote {}", out.display());
    };
    let target = &shards[1];
    let original_json = std::fs::read(target.join("shard.json")).unwrap();
    let original_marker = std::fs::read(target.join(".brink-output.json")).unwrap();
    let restore = || {
        std::fs::write(target.join("shard.json"), &original_json).unwrap();
        std::fs::write(target.join(".brink-output.json"), &original_marker).unwrap();
    };

    // 1. One count edited by hand.
    let mut j = shard_json(target);
    let hits = j["tally"]["outcome_hits"][0].as_u64().unwrap();
    j["tally"]["outcome_hits"][0] = (hits + 1).into();
    std::fs::write(target.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
    let (o, out) = merge("m1");
    refused(&o, &out, "shard.json");
    restore();

    // 2. The per-run table edited.
    let csv = std::fs::read_to_string(target.join("runs.csv")).unwrap();
    let edited = csv.replacen(",0,", ",1,", 1);
    assert_ne!(edited, csv);
    std::fs::write(target.join("runs.csv"), &edited).unwrap();
    let (o, out) = merge("m2");
    refused(&o, &out, "runs.csv");
    std::fs::write(target.join("runs.csv"), &csv).unwrap();

    // 3. The recorded hash edited.
    let marker = String::from_utf8(original_marker.clone()).unwrap();
    let m: serde_json::Value = serde_json::from_str(&marker).unwrap();
    let sha = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "shard.json")
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let flipped = format!(
        "{}{}",
        if sha.starts_with('0') { "1" } else { "0" },
        &sha[1..]
    );
    std::fs::write(
        target.join(".brink-output.json"),
        marker.replace(&sha, &flipped),
    )
    .unwrap();
    let (o, out) = merge("m3");
    refused(&o, &out, "SHA-256");
    restore();

    // 4. A count above the runs, with every hash made to match: the counts themselves are
    //    checked, so no probability can leave [0, 1].
    let mut j = shard_json(target);
    let runs = j["tally"]["runs"].as_u64().unwrap();
    let extra = runs + 5 - j["tally"]["outcome_hits"][0].as_u64().unwrap();
    j["tally"]["outcome_hits"][0] = (runs + 5).into();
    let first0 = j["tally"]["outcome_first"][0][0].as_u64().unwrap();
    j["tally"]["outcome_first"][0][0] = (first0 + extra).into();
    let tally: brink::stats::Tally = serde_json::from_value(j["tally"].clone()).unwrap();
    j["tally_sha256"] = brink::scenario::sha256_hex(&serde_json::to_vec(&tally).unwrap()).into();
    std::fs::write(target.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
    common::reseal(target, "shard.json");
    let (o, out) = merge("m4");
    refused(
        &o,
        &out,
        &format!("outcome_hits[0] is {}, more than the {runs} runs", runs + 5),
    );
    restore();

    // 5. The scenario it carries edited (its hashes made to match): compiled for the merge, so
    //    it must be valid and the same in every shard.
    let mut j = shard_json(target);
    j["scenario"]["name"] = "another scenario".into();
    std::fs::write(target.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
    common::reseal(target, "shard.json");
    let (o, out) = merge("m6");
    refused(&o, &out, "differs");
    restore();

    // 6. A shard written before the tally counted pairs of outcomes (no `outcome_pairs`),
    //    among shards that count them: merged, the co-occurrence would be wrong.
    let mut j = shard_json(target);
    j["tally"].as_object_mut().unwrap().remove("outcome_pairs");
    let tally: brink::stats::Tally = serde_json::from_value(j["tally"].clone()).unwrap();
    j["tally_sha256"] = brink::scenario::sha256_hex(&serde_json::to_vec(&tally).unwrap()).into();
    std::fs::write(target.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
    common::reseal(target, "shard.json");
    let (o, out) = merge("m7");
    refused(&o, &out, "older brink");
    restore();

    // 6b. A shard written before the tally summed squared durations merges (the means are
    //     exact without them), says that the merged result has no intervals for them, and
    //     has none.
    let mut j = shard_json(target);
    for key in [
        "steps_on_rung_squares",
        "outcome_steps_squares",
        "steps_in_force_squares",
    ] {
        assert!(
            j["tally"].as_object_mut().unwrap().remove(key).is_some(),
            "{key}"
        );
    }
    let tally: brink::stats::Tally = serde_json::from_value(j["tally"].clone()).unwrap();
    assert!(!tally.has_duration_squares());
    j["tally_sha256"] = brink::scenario::sha256_hex(&serde_json::to_vec(&tally).unwrap()).into();
    std::fs::write(target.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
    common::reseal(target, "shard.json");
    let (o, out) = merge("m7b");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("note: ") && err.contains("shard2") && err.contains("squared durations"),
        "{err}"
    );
    let summary = common::summary(&out);
    // Without the squares, no interval: the rungs' list is empty.
    assert_eq!(
        summary["mean_steps_on_rung_interval"],
        serde_json::json!([]),
        "{summary}"
    );
    assert!(summary["mean_steps_on_rung"].is_array());
    restore();

    // 7. One more run of an outcome in the counts, every count of the tally made to agree
    //    and every hash to match, while runs.csv keeps its rows: the tally and the table
    //    are held to each other (merged, summary.json and runs.csv disagreed).
    let mut j = shard_json(target);
    let t = &mut j["tally"];
    let n = t["outcome_hits"].as_array().unwrap().len();
    let runs = t["runs"].as_u64().unwrap();
    let k = (0..n)
        .find(|&k| t["outcome_hits"][k].as_u64().unwrap() < runs)
        .unwrap();
    let bump = |v: &mut serde_json::Value| *v = (v.as_u64().unwrap() + 1).into();
    bump(&mut t["outcome_hits"][k]);
    bump(&mut t["outcome_first"][k][0]);
    bump(&mut t["outcome_last"][k][0]);
    bump(&mut t["outcome_steps"][k]);
    bump(&mut t["outcome_pairs"][k * n + k]);
    let end = j["end_run"].as_u64().unwrap();
    let t = &mut j["tally"];
    // The checkpoint at the shard's last run, if one fell there, counts it too.
    for c in t["checkpoints"].as_array_mut().unwrap() {
        if c["runs"].as_u64() == Some(end) {
            bump(&mut c["outcome_hits"][k]);
        }
    }
    let tally: brink::stats::Tally = serde_json::from_value(j["tally"].clone()).unwrap();
    j["tally_sha256"] = brink::scenario::sha256_hex(&serde_json::to_vec(&tally).unwrap()).into();
    std::fs::write(target.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
    common::reseal(target, "shard.json");
    let (o, out) = merge("m8");
    refused(&o, &out, "runs.csv's outcome");
    restore();

    // An --out holding a shard of another job is not replaced: its runs would be lost (a
    // mistyped --out wrote over one without a word).
    let other = root.join("other-shard");
    let other_shard = || {
        ok(&[
            "run",
            SCENARIO,
            "--runs",
            "300",
            "--seed",
            "9",
            "--no-charts",
            "--shard",
            "1/2",
            "--out",
            other.to_str().unwrap(),
        ])
    };
    other_shard();
    let before = common::tree(&other);
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--no-charts", "--out", other.to_str().unwrap()]);
    let o = brink(&args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds a shard"), "{err}");
    assert_eq!(common::tree(&other), before);
    // Nor by a whole run; a rerun of the shard itself replaces it.
    let o = brink(&[
        "run",
        SCENARIO,
        "--runs",
        "300",
        "--no-charts",
        "--out",
        other.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds a shard"), "{err}");
    assert_eq!(common::tree(&other), before);
    other_shard();

    // Undamaged again: merges, a file beside the shard's own (a copy's `.DS_Store`) left
    // alone as `report` and `diff` leave it (it was refused as damage).
    std::fs::write(target.join(".DS_Store"), b"\0\0\0\x01Bud1").unwrap();
    let (o, out) = merge("m5");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("outcomes.csv").exists());
    assert!(!out.join(".DS_Store").exists());
    assert!(target.join(".DS_Store").exists());
    let _ = std::fs::remove_dir_all(&root);
}

/// Found by attack: shards run with different `--per-run-steps` merged into a runs.csv whose
/// rows had different numbers of columns under one header. The merge now refuses them, exit
/// code 2, naming the shard, and writes nothing.
#[test]
fn shards_with_different_per_run_steps_are_refused() {
    let root = scratch("per-run-steps-shards");
    let shard = |i: usize, steps: &str| {
        let d = root.join(format!("shard{i}"));
        ok(&[
            "run",
            SCENARIO,
            "--runs",
            "20",
            "--seed",
            "7",
            "--per-run-steps",
            steps,
            "--no-charts",
            "--shard",
            &format!("{i}/2"),
            "--out",
            d.to_str().unwrap(),
        ]);
        d
    };
    let (a, b) = (shard(1, "3,7"), shard(2, "4"));
    let out = root.join("merged");
    let o = brink(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("shard2") && err.contains("other columns"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
    // The same steps in another order are the same columns.
    let b = {
        std::fs::remove_dir_all(&b).unwrap();
        shard(2, "7,3,3")
    };
    merge_into(&[a, b], &out);
    let _ = std::fs::remove_dir_all(&root);
}

/// With charts, the merge draws what one process draws: every chart (the traced run's
/// timeline included, replayed from the seed) byte for byte; only the files that record the
/// command line (summary.json, report.html, the marker) differ.
#[test]
fn a_merge_with_charts_draws_the_single_runs_charts() {
    let root = scratch("merge-charts");
    let scenario = "scenarios/examples/tutorial.ron";
    let s = |i: usize| root.join(format!("shard{i}"));
    for i in 1..=3 {
        ok(&[
            "run",
            scenario,
            "--runs",
            "1500",
            "--seed",
            "7",
            "--shard",
            &format!("{i}/3"),
            "--out",
            s(i).to_str().unwrap(),
        ]);
    }
    let merged = root.join("merged");
    let whole = root.join("whole");
    ok(&[
        "merge",
        s(2).to_str().unwrap(),
        s(1).to_str().unwrap(),
        s(3).to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    ok(&[
        "run",
        scenario,
        "--runs",
        "1500",
        "--seed",
        "7",
        "--out",
        whole.to_str().unwrap(),
    ]);
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&merged), names(&whole));
    assert!(names(&whole).iter().any(|n| n == "trace_timeline.svg"));
    for n in names(&whole) {
        if ["summary.json", "report.html", ".brink-output.json"].contains(&n.as_str()) {
            continue;
        }
        assert!(
            std::fs::read(merged.join(&n)).unwrap() == std::fs::read(whole.join(&n)).unwrap(),
            "{n} differs between the merge and the single run"
        );
    }
    assert_eq!(
        summary_without_command(&merged),
        summary_without_command(&whole)
    );
}

/// Shards run with and without `--per-run` are refused, naming the one with the rows first
/// whichever order they are given in.
#[test]
fn a_per_run_mismatch_names_the_shard_with_the_rows() {
    let root = scratch("per-run-mismatch");
    let plain = root.join("plain");
    let rows = root.join("rows");
    for (i, dir, extra) in [(1, &plain, None), (2, &rows, Some("--per-run"))] {
        let mut args = vec![
            "run",
            "scenarios/examples/tutorial.ron",
            "--runs",
            "40",
            "--no-charts",
        ];
        args.extend(extra);
        let shard = format!("{i}/2");
        args.extend(["--shard", &shard, "--out", dir.to_str().unwrap()]);
        ok(&args);
    }
    let out = root.join("merged");
    let o = brink(&[
        "merge",
        plain.to_str().unwrap(),
        rows.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let want = format!(
        "{} has per-run rows and {} has not",
        rows.display(),
        plain.display()
    );
    assert!(err.contains(&want), "{err}");
}

/// Shards of the same scenario file run with different `--set` carry different scenarios: the
/// merge called them "damaged or was edited". It now says they were run with different
/// settings, naming both, exit code 2, and writes nothing. The same settings in another order
/// merge.
#[test]
fn shards_run_with_different_settings_are_told_so() {
    let root = scratch("different-set");
    let shard = |name: &str, i: usize, set: Option<&str>| {
        let d = root.join(name);
        let mut args = vec![
            "run",
            "scenarios/examples/tutorial.ron",
            "--runs",
            "40",
            "--no-charts",
        ];
        if let Some(set) = set {
            args.extend(["--set", set]);
        }
        let spec = format!("{i}/2");
        args.extend(["--shard", &spec, "--out", d.to_str().unwrap()]);
        ok(&args);
        d
    };
    let low = shard("low", 1, Some("actors.north.hawkishness=0.3"));
    let high = shard("high", 2, Some("actors.north.hawkishness=0.4"));
    let plain = shard("plain", 2, None);
    let out = root.join("merged");
    for (b, want) in [
        (
            &high,
            "settings --set actors.north.hawkishness=0.3 vs --set actors.north.hawkishness=0.4",
        ),
        (
            &plain,
            "settings --set actors.north.hawkishness=0.3 vs (no --set)",
        ),
    ] {
        let o = brink(&[
            "merge",
            low.to_str().unwrap(),
            b.to_str().unwrap(),
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
        assert!(
            err.contains("are shards of different jobs") && err.contains(want),
            "expected {want:?}: {err}"
        );
        assert!(!err.contains("damaged"), "{err}");
        assert!(!out.exists(), "a refused merge wrote {}", out.display());
    }
    // The same settings in another order are the same job: they merge, into the bytes of one
    // process given them in the first shard's order.
    let tutorial = |order: [&str; 2], shard: Option<&str>, out: &Path| {
        let mut args = vec!["run", "scenarios/examples/tutorial.ron", "--runs", "40"];
        args.extend(["--no-charts", "--set", order[0], "--set", order[1]]);
        if let Some(spec) = shard {
            args.extend(["--shard", spec]);
        }
        args.extend(["--out", out.to_str().unwrap()]);
        ok(&args);
    };
    let (a, b) = ("actors.north.hawkishness=0.3", "actors.north.rationality=4");
    let (first, second) = (root.join("ordered1"), root.join("ordered2"));
    tutorial([a, b], Some("1/2"), &first);
    tutorial([b, a], Some("2/2"), &second);
    let merged = root.join("ordered");
    merge_into(&[first, second], &merged);
    let whole = root.join("whole");
    tutorial([a, b], None, &whole);
    same_result(&merged, &whole, &["outcomes.csv", "timeseries.csv"]);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn shards_with_other_per_run_columns_are_refused_and_nothing_is_written() {
    // The parts of runs.csv are joined as streamed: a part whose header differs (another
    // --per-run-steps) is refused, and the half-joined table is not left anywhere.
    let root = scratch("columns");
    let shard = |i: usize, steps: &str| {
        let out = root.join(format!("shard{i}"));
        ok(&[
            "run",
            "scenarios/examples/richardson.ron",
            "--runs",
            "3000",
            "--per-run",
            "--per-run-steps",
            steps,
            "--no-charts",
            "--shard",
            &format!("{i}/2"),
            "--out",
            out.to_str().unwrap(),
        ]);
        out
    };
    let (a, b) = (shard(1, "10"), shard(2, "20"));
    let merged = root.join("merged");
    let o = brink(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--no-charts",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("runs.csv has other columns than"), "{err}");
    assert_eq!(common::names(&root), ["shard1", "shard2"]);
}

/// A merge reads each shard twice and holds one shard's counts at a time (the first pass checks
/// every shard and drops its counts; the second adds them up in run order). Sixteen shards
/// given in reverse order still merge into the single run byte for byte; a last shard damaged
/// where only the second pass can tell (its hashes made to match), or where the first pass
/// does, is refused by name after every other shard was read, and nothing is written.
#[test]
fn sixteen_shards_merge_one_at_a_time_and_a_damaged_last_one_writes_nothing() {
    let root = scratch("sixteen");
    let shards = shards_of(&root, "4000", 16);
    let (merged, whole) = (root.join("merged"), root.join("whole"));
    let reversed: Vec<PathBuf> = shards.iter().rev().cloned().collect();
    merge_into(&reversed, &merged);
    whole_run("4000", &whole);
    same_tables(&merged, &whole);
    assert_eq!(
        summary_without_command(&merged),
        summary_without_command(&whole)
    );

    let last = &shards[15];
    let original_json = std::fs::read(last.join("shard.json")).unwrap();
    let original_marker = std::fs::read(last.join(".brink-output.json")).unwrap();
    let before = common::names(&root);
    let refused = |want: &str| {
        let out = root.join("refused");
        let mut args = vec!["merge"];
        args.extend(shards.iter().map(|d| d.to_str().unwrap()));
        args.extend(["--no-charts", "--out", out.to_str().unwrap()]);
        let o = brink(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
        assert!(
            err.contains(&last.display().to_string()),
            "not named: {err}"
        );
        assert!(err.contains(want), "expected {want:?}: {err}");
        assert_eq!(
            common::names(&root),
            before,
            "a refused merge wrote something"
        );
    };
    // 1. A count above the shard's runs, every hash made to match: only the second pass, once
    //    the fifteen shards before it are added up, checks the counts against each other.
    let mut j = shard_json(last);
    let runs = j["tally"]["runs"].as_u64().unwrap();
    let extra = runs + 5 - j["tally"]["outcome_hits"][0].as_u64().unwrap();
    j["tally"]["outcome_hits"][0] = (runs + 5).into();
    let first0 = j["tally"]["outcome_first"][0][0].as_u64().unwrap();
    j["tally"]["outcome_first"][0][0] = (first0 + extra).into();
    let tally: brink::stats::Tally = serde_json::from_value(j["tally"].clone()).unwrap();
    j["tally_sha256"] = brink::scenario::sha256_hex(&serde_json::to_vec(&tally).unwrap()).into();
    std::fs::write(last.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
    common::reseal(last, "shard.json");
    refused(&format!(
        "outcome_hits[0] is {}, more than the {runs} runs",
        runs + 5
    ));
    // 2. The same edit without the hashes: the first pass refuses it.
    std::fs::write(last.join(".brink-output.json"), &original_marker).unwrap();
    refused("shard.json");
    std::fs::write(last.join("shard.json"), &original_json).unwrap();

    // Comparison shards take the same two passes: a damaged last one is refused by name.
    let cmp = |i: usize| root.join(format!("cmp{i}"));
    for i in 1..=4 {
        let spec = format!("{i}/4");
        ok(&[
            "compare",
            SCENARIO,
            "--variants",
            "mediation_push",
            "--runs",
            "400",
            "--no-charts",
            "--shard",
            &spec,
            "--out",
            cmp(i).to_str().unwrap(),
        ]);
    }
    let file = cmp(4).join("compare-shard.json");
    let mut j = common::json(&file);
    let runs = j["tally"]["tallies"][0]["runs"].as_u64().unwrap();
    j["tally"]["tallies"][0]["outcome_hits"][0] = (runs + 5).into();
    let tally: brink::analysis::compare::PairedTally =
        serde_json::from_value(j["tally"].clone()).unwrap();
    j["tally_sha256"] = brink::scenario::sha256_hex(&serde_json::to_vec(&tally).unwrap()).into();
    std::fs::write(&file, serde_json::to_vec(&j).unwrap()).unwrap();
    common::reseal(&cmp(4), "compare-shard.json");
    let out = root.join("cmp-merged");
    let o = brink(&[
        "merge",
        cmp(1).to_str().unwrap(),
        cmp(2).to_str().unwrap(),
        cmp(3).to_str().unwrap(),
        cmp(4).to_str().unwrap(),
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains(&cmp(4).display().to_string()) && err.contains("damaged"),
        "{err}"
    );
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
    let _ = std::fs::remove_dir_all(&root);
}

/// A merged comparison names its variants by the labels of the scenario file its shards were
/// made from while that file is there as it was, and by their ids with one line saying why
/// once it has gone; that line quotes the file's path escaped, so a newline in a legal name
/// cannot start a line that looks like brink's own.
#[cfg(unix)]
#[test]
fn a_merged_comparison_whose_scenario_has_gone_is_named_by_ids() {
    let root = scratch("compare-gone");
    let scenario = root.join("flagship\nerror: forged.ron");
    std::fs::copy(common::repo(SCENARIO), &scenario).unwrap();
    let s = |i: usize| root.join(format!("shard{i}"));
    for i in 1..=2 {
        let shard = format!("{i}/2");
        ok(&[
            "compare".as_ref(),
            scenario.as_os_str(),
            "--variants".as_ref(),
            "mediation_push".as_ref(),
            "--runs".as_ref(),
            "2000".as_ref(),
            "--no-charts".as_ref(),
            "--shard".as_ref(),
            shard.as_ref(),
            "--out".as_ref(),
            s(i).as_os_str(),
        ]);
    }
    let merge = |out: &str| {
        let o = ok(&[
            "merge",
            s(1).to_str().unwrap(),
            s(2).to_str().unwrap(),
            "--out",
            root.join(out).to_str().unwrap(),
            "--no-charts",
        ]);
        common::stdout(&o)
    };
    // A name that is not there says so (it said "is not a shard folder: it has no
    // shard.json").
    let o = brink(&[
        "merge",
        root.join("typo").to_str().unwrap(),
        s(2).to_str().unwrap(),
        "--out",
        root.join("none").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("typo: No such file"), "{err}");
    assert!(!root.join("none").exists());
    let there = merge("there");
    assert!(!there.contains("Named by ids"), "{there}");
    std::fs::remove_file(&scenario).unwrap();
    let gone = merge("gone");
    assert!(gone.contains("Named by ids: the scenario file "), "{gone}");
    assert!(gone.contains("is gone or has changed"), "{gone}");
    assert!(
        !gone.lines().any(|l| l.starts_with("error: forged")),
        "a path's newline started a line: {gone}"
    );
    // The table is the same but for the names.
    assert_ne!(there, gone);
    let _ = std::fs::remove_dir_all(&root);
}

/// Shards of `run` and of `compare` given to one merge are told apart, whichever comes first:
/// the comparison's shard was "not a shard folder: it has no shard.json", as if it were none.
#[test]
fn shards_of_run_and_compare_together_are_told_apart() {
    let root = scratch("merge-run-and-compare");
    let run = shards_of(&root, "200", 2);
    let compare = root.join("compare2");
    ok(&[
        "compare",
        SCENARIO,
        "--runs",
        "200",
        "--no-charts",
        "--shard",
        "2/2",
        "--out",
        compare.to_str().unwrap(),
    ]);
    for (first, second, says) in [
        (&run[0], &compare, "is a shard of `brink compare`"),
        (&compare, &run[1], "is a shard of `brink run`"),
    ] {
        let out = root.join("merged");
        let o = brink(&[
            "merge",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(says) && err.contains("shards of one command"),
            "{err}"
        );
        assert!(!out.exists());
    }
}

/// Found by a reviewing helper: a plain file given as a shard was "not a shard folder: it has
/// no shard.json", as if it were a folder.
#[test]
fn a_file_given_as_a_shard_is_told_it_is_a_file() {
    let root = scratch("merge-a-file");
    let run = shards_of(&root, "200", 2);
    let file = root.join("d2");
    std::fs::write(&file, "x\n").unwrap();
    let out = root.join("merged");
    let o = brink(&[
        "merge",
        run[0].to_str().unwrap(),
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("d2 is a file, not a folder"), "{err}");
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&root);
}

/// Shards run without `--out` each get their own folder (`<name>-shard-I-of-N`), beside the
/// whole job's result: they all went to `output/<name>`, each replacing the last and the
/// whole result before them. A report title is refused with `--shard` (a merge dropped it).
#[test]
fn shards_without_out_keep_their_own_folders() {
    let dir = common::scratch("default-out");
    std::fs::copy(
        common::repo("scenarios/examples/richardson.ron"),
        dir.join("r.ron"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let o = common::brink_in(&dir, args);
        assert!(o.status.success(), "{}", common::describe(&o));
    };
    run(&["run", "r.ron", "--runs", "40", "--no-charts"]);
    let whole = std::fs::read(dir.join("output/r/summary.json")).unwrap();
    for i in ["1/2", "2/2"] {
        run(&["run", "r.ron", "--runs", "40", "--shard", i, "--no-charts"]);
        run(&[
            "compare",
            "r.ron",
            "--runs",
            "40",
            "--shard",
            i,
            "--no-charts",
        ]);
    }
    assert_eq!(
        std::fs::read(dir.join("output/r/summary.json")).unwrap(),
        whole
    );
    run(&[
        "merge",
        "output/r-shard-1-of-2",
        "output/r-shard-2-of-2",
        "--out",
        "merged",
    ]);
    run(&[
        "merge",
        "output/r-compare-shard-1-of-2",
        "output/r-compare-shard-2-of-2",
        "--out",
        "merged-compare",
    ]);
    let o = common::brink_in(
        &dir,
        &["run", "r.ron", "--shard", "1/2", "--report-title", "T"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
}

/// Shards whose `--set` values are spelled differently but read the same (`0.3`, `3e-1`) are
/// one job: they merge (they were refused as "shards of different jobs").
#[test]
fn shards_of_one_value_spelled_two_ways_merge() {
    let dir = common::scratch("spelled");
    let run = |args: &[&str]| {
        let o = common::brink_in(&dir, args);
        assert!(o.status.success(), "{}", common::describe(&o));
    };
    let scenario = common::repo("scenarios/examples/richardson.ron");
    let s = scenario.to_str().unwrap();
    for (i, v) in [("1/2", "0.3"), ("2/2", "3e-1")] {
        let set = format!("relations.a->b.grievance={v}");
        let out = format!("s{}", &i[..1]);
        run(&[
            "run",
            s,
            "--runs",
            "40",
            "--set",
            &set,
            "--shard",
            i,
            "--no-charts",
            "--out",
            &out,
        ]);
    }
    run(&["merge", "s1", "s2", "--out", "m"]);
}

/// Comparison shards with `--outcome` of the scenario's first outcome and without one run the
/// same tornado: they merge (they were refused as different jobs).
#[test]
fn compare_shards_with_and_without_the_first_outcome_merge() {
    let dir = common::scratch("first-outcome");
    let run = |args: &[&str]| {
        let o = common::brink(args);
        assert!(o.status.success(), "{}", common::describe(&o));
    };
    let out = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let base = [
        "compare",
        "scenarios/examples/tutorial.ron",
        "--variants",
        "restraint",
        "--runs",
        "60",
        "--no-charts",
    ];
    let (one, two) = (out("1"), out("2"));
    let mut a = base.to_vec();
    a.extend(["--shard", "1/2", "--out", &one]);
    run(&a);
    let mut b = base.to_vec();
    b.extend(["--outcome", "rupture", "--shard", "2/2", "--out", &two]);
    run(&b);
    run(&["merge", &one, &two, "--out", &out("m")]);
}

/// Found by a reviewing helper: a shard whose runs.csv was edited and its marker made to match
/// passed its rows into the merged runs.csv unread (a formula in a number's place, a short row,
/// NaN, a run twice and another missing), exit code 0. Every row is now checked against its
/// columns' types and the run it must be: refused, exit code 2, naming the shard, the line and
/// the column, and nothing written.
#[test]
fn a_resealed_shards_rows_are_each_checked() {
    let root = scratch("resealed-rows");
    let shards = shards_of(&root, "300", 3);
    let target = &shards[1];
    let csv = std::fs::read_to_string(target.join("runs.csv")).unwrap();
    let marker = std::fs::read(target.join(".brink-output.json")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let peak = header.iter().position(|c| *c == "out.peak_index").unwrap();
    let seed = header.iter().position(|c| *c == "seed").unwrap();
    let with_field = |row: &str, k: usize, v: &str| {
        let mut f: Vec<&str> = row.split(',').collect();
        f[k] = v;
        f.join(",")
    };
    let edited = |line: usize, row: String| {
        let mut l = lines.clone();
        l[line] = &row;
        let mut s = l.join("\n");
        s.push('\n');
        s
    };
    let cases = [
        (
            edited(3, with_field(lines[3], peak, "=HYPERLINK(\"http://x\")")),
            format!("runs.csv line 4, column {} (out.peak_index)", peak + 1),
        ),
        (
            edited(3, with_field(lines[3], peak, "NaN")),
            format!("runs.csv line 4, column {} (out.peak_index)", peak + 1),
        ),
        (
            edited(5, lines[5].rsplit_once(',').unwrap().0.to_string()),
            "runs.csv line 6, expected".to_string(),
        ),
        // Run 101 twice, run 102 missing: as many rows as runs.
        (
            edited(3, lines[2].to_string()),
            "runs.csv line 4, column 2 (run): expected run 102, found 101".to_string(),
        ),
        // Another master seed than the job's (found by a reviewing helper: only the run was
        // checked).
        (
            edited(3, with_field(lines[3], seed, "8")),
            format!(
                "runs.csv line 4, column {} (seed): expected 7, the job's, found 8",
                seed + 1
            ),
        ),
        // A middle part whose last row lost its newline: joined, it and the next part's first
        // row made one line of twice the fields (found by a reviewing helper).
        (
            csv.trim_end_matches('\n').to_string(),
            format!(
                "runs.csv line {}, the row does not end with a newline",
                lines.len()
            ),
        ),
    ];
    for (i, (bytes, want)) in cases.iter().enumerate() {
        std::fs::write(target.join("runs.csv"), bytes).unwrap();
        common::reseal(target, "runs.csv");
        let out = root.join(format!("m{i}"));
        let mut args = vec!["merge"];
        args.extend(shards.iter().map(|d| d.to_str().unwrap()));
        args.extend(["--no-charts", "--out", out.to_str().unwrap()]);
        let o = brink(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        assert!(err.contains("shard2"), "case {i}: {err}");
        assert!(
            err.contains(want.as_str()),
            "case {i}: expected {want:?}: {err}"
        );
        assert!(
            !out.exists(),
            "case {i}: a refused merge wrote {}",
            out.display()
        );
    }
    std::fs::write(target.join("runs.csv"), &csv).unwrap();
    std::fs::write(target.join(".brink-output.json"), &marker).unwrap();
    merge_into(&shards, &root.join("merged"));
    let _ = std::fs::remove_dir_all(&root);
}

/// Found by a reviewing helper: shards all written by another version of brink merged without a
/// word, and the result said it was that version's. They are refused, naming the version.
#[test]
fn shards_of_another_version_are_refused() {
    let root = scratch("other-version");
    let shards = shards_of(&root, "40", 2);
    for d in &shards {
        let mut j = shard_json(d);
        j["manifest"]["version"] = "0.0.9\u{1b}[2J".into();
        std::fs::write(d.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
        common::reseal(d, "shard.json");
    }
    let out = root.join("merged");
    let o = try_merge(&shards, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("written by brink 0.0.9\\u{1b}[2J, and this is brink"),
        "{err}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&root);
}

/// Shards of two builds of one version (the version is shared by every build between
/// releases) may play the same seed differently: refused, naming both builds. Shards of one
/// other build merge, and the result names their build.
#[test]
fn shards_of_two_builds_are_refused() {
    let root = scratch("two-builds");
    let shards = shards_of(&root, "40", 2);
    let mut j = shard_json(&shards[1]);
    assert_eq!(j["manifest"]["build"].as_str(), brink::BUILD);
    j["manifest"]["build"] = "0123456789ab".into();
    std::fs::write(
        shards[1].join("shard.json"),
        serde_json::to_vec(&j).unwrap(),
    )
    .unwrap();
    common::reseal(&shards[1], "shard.json");
    let out = root.join("merged");
    let o = try_merge(&shards, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "were written by two builds of brink {} ({} vs 0123456789ab)",
            env!("CARGO_PKG_VERSION"),
            brink::BUILD.unwrap_or("(not recorded)")
        )),
        "{err}"
    );
    assert!(!out.exists());
    // Both of that other build: merged, the result naming it.
    let mut j = shard_json(&shards[0]);
    j["manifest"]["build"] = "0123456789ab".into();
    std::fs::write(
        shards[0].join("shard.json"),
        serde_json::to_vec(&j).unwrap(),
    )
    .unwrap();
    common::reseal(&shards[0], "shard.json");
    merge_into(&shards, &out);
    let merged = common::json(&out.join("summary.json"));
    assert_eq!(merged["manifest"]["build"], "0123456789ab");
    let _ = std::fs::remove_dir_all(&root);
}

/// Found by a reviewing helper: compare shards whose tornado outcome was edited to one their
/// scenario lacks (their markers made to match) merged with the tornado dropped without a
/// word. Refused as damaged, naming the outcome.
#[test]
fn compare_shards_with_a_tornado_on_no_outcome_are_refused() {
    let root = scratch("compare-tornado");
    let shards: Vec<PathBuf> = (1..=2)
        .map(|i| {
            let d = root.join(format!("shard{i}"));
            ok(&[
                "compare",
                "scenarios/examples/tutorial.ron",
                "--runs",
                "40",
                "--no-charts",
                "--shard",
                &format!("{i}/2"),
                "--out",
                d.to_str().unwrap(),
            ]);
            d
        })
        .collect();
    for d in &shards {
        let p = d.join("compare-shard.json");
        let mut j = common::json(&p);
        assert!(j["tornado_outcome"].is_string(), "{}", j["tornado_outcome"]);
        j["tornado_outcome"] = "no_such_outcome".into();
        std::fs::write(&p, serde_json::to_vec(&j).unwrap()).unwrap();
        common::reseal(d, "compare-shard.json");
    }
    let out = root.join("merged");
    let o = brink(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("its tornado is on the outcome \"no_such_outcome\""),
        "{err}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&root);
}

/// Reals as Rust writes them can be hundreds of characters long (a draw of Uniform(0, 1e-300)
/// is some 300 digits): the merge's row check takes them, and the merge is the single run's
/// table byte for byte.
#[test]
fn shards_with_reals_of_three_hundred_digits_merge() {
    let root = scratch("long-reals");
    let run = |extra: &[&str], out: &Path| {
        let mut args = vec![
            "run",
            "scenarios/examples/tutorial.ron",
            "--runs",
            "60",
            "--per-run",
            "--no-charts",
            "--set",
            "actors.north.sensitivity=Uniform(min: 0, max: 1e-300)",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        ok(&args);
    };
    let shards: Vec<PathBuf> = (1..=2).map(|i| root.join(format!("s{i}"))).collect();
    run(&["--shard", "1/2"], &shards[0]);
    run(&["--shard", "2/2"], &shards[1]);
    let csv = std::fs::read_to_string(shards[0].join("runs.csv")).unwrap();
    let longest = csv.lines().nth(1).unwrap().split(',').map(str::len).max();
    assert!(longest > Some(290), "{longest:?}");
    let merged = root.join("merged");
    merge_into(&shards, &merged);
    let whole = root.join("whole");
    run(&[], &whole);
    same_files(&merged, &whole, &["runs.csv"]);
    let _ = std::fs::remove_dir_all(&root);
}

/// A shard cut into chunks of another size than this brink's is named once, as such ("x1 and
/// x1 are shards of different jobs: chunk size 1024 vs 0" compared it with itself); shards
/// of a scenario file changed between them are told so, not given two hashes alone.
#[test]
fn a_shards_chunk_size_and_a_changed_scenario_are_named_plainly() {
    let root = scratch("chunk-and-file");
    let shards = shards_of(&root, "300", 2);
    let d = &shards[0];
    let mut v = shard_json(d);
    v["manifest"]["chunk_runs"] = 0.into();
    std::fs::write(d.join("shard.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    common::reseal(d, "shard.json");
    let out = root.join("merged");
    let args = |a: &Path, b: &Path| {
        vec![
            "merge".to_string(),
            a.display().to_string(),
            b.display().to_string(),
            "--no-charts".into(),
            "--out".into(),
            out.display().to_string(),
        ]
    };
    let o = brink(&args(&shards[0], &shards[1]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains("was cut into chunks of 0 runs, and this brink merges chunks of 1024"),
        "{err}"
    );
    // A scenario file edited between its shards (a comment added).
    let file = root.join("edited.ron");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    std::fs::write(&file, &text).unwrap();
    let shard = |i: usize| {
        let d = root.join(format!("e{i}"));
        ok(&[
            "run",
            file.to_str().unwrap(),
            "--runs",
            "200",
            "--no-charts",
            "--shard",
            &format!("{i}/2"),
            "--out",
            d.to_str().unwrap(),
        ]);
        d
    };
    let e1 = shard(1);
    std::fs::write(&file, format!("// edited\n{text}")).unwrap();
    let e2 = shard(2);
    let o = brink(&args(&e1, &e2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains("were run on different scenario files, or on one file changed between them"),
        "{err}"
    );
    assert!(!out.exists());
}

/// A shard whose extremes were edited and every hash made to match: a cost maximum of 1e308
/// (the merged summary would report it), a negative cost, a maximum below the mean. The
/// tally's extremes are held to its exact sums and to what the model gives (costs never
/// below 0), and the figure is named; the genuine shard still merges.
#[test]
fn a_resealed_shards_extremes_are_held_to_its_sums() {
    let root = scratch("resealed-extremes");
    let shards: Vec<PathBuf> = (1..=2)
        .map(|i| {
            let d = root.join(format!("shard{i}"));
            ok(&[
                "run",
                "scenarios/examples/tutorial.ron",
                "--runs",
                "400",
                "--no-charts",
                "--shard",
                &format!("{i}/2"),
                "--out",
                d.to_str().unwrap(),
            ]);
            d
        })
        .collect();
    let target = &shards[1];
    let original_json = std::fs::read(target.join("shard.json")).unwrap();
    let original_marker = std::fs::read(target.join(".brink-output.json")).unwrap();
    let cost = shard_json(target)["tally"]["cost"][0].clone();
    let (min, max) = (cost["min"].as_f64().unwrap(), cost["max"].as_f64().unwrap());
    assert!(max > 0.0, "the tutorial's first actor bears a cost: {cost}");
    for (k, (field, value, want)) in [
        (
            "max",
            1e308,
            "cost[0] has a maximum of 1e308 whose square exceeds its sum of squares",
        ),
        ("min", -1.0, "cost[0] has a minimum of -1, below 0"),
        ("max", min.min(max * 0.01), "cost[0] has a mean of"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut j = shard_json(target);
        j["tally"]["cost"][0][field] = value.into();
        let tally: brink::stats::Tally = serde_json::from_value(j["tally"].clone()).unwrap();
        j["tally_sha256"] =
            brink::scenario::sha256_hex(&serde_json::to_vec(&tally).unwrap()).into();
        std::fs::write(target.join("shard.json"), serde_json::to_vec(&j).unwrap()).unwrap();
        common::reseal(target, "shard.json");
        let out = root.join(format!("m{k}"));
        let o = brink(&[
            "merge",
            shards[0].to_str().unwrap(),
            target.to_str().unwrap(),
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{field}={value}: {err}");
        assert!(err.contains("shard2"), "the shard is not named: {err}");
        assert!(err.contains(want), "expected {want:?}: {err}");
        assert!(!out.exists(), "a refused merge wrote {}", out.display());
        std::fs::write(target.join("shard.json"), &original_json).unwrap();
        std::fs::write(target.join(".brink-output.json"), &original_marker).unwrap();
    }
    merge_into(&shards, &root.join("merged"));
    let _ = std::fs::remove_dir_all(&root);
}

/// A shard replaces only itself: a rerun of the same shard of the same job. A whole result, a
/// merge, another job's shard or another shard of this job is refused before anything is
/// computed, and stays as it was (a reviewing helper: `run --shard 1/2 --out full` replaced a
/// whole run without a word, and a shard of another job likewise; compare's shards too).
#[test]
fn a_shard_replaces_only_itself() {
    let root = scratch("only-itself");
    let t = "scenarios/examples/tutorial.ron";
    let at = |n: &str| root.join(n).to_str().unwrap().to_string();
    let refused = |args: &[&str], folder: &str, why: &str| {
        let before = common::tree(&root.join(folder));
        let o = brink(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
        assert!(err.contains("whose runs would be lost"), "{err}");
        assert_eq!(
            common::tree(&root.join(folder)),
            before,
            "{folder} untouched"
        );
    };
    ok(&[
        "run",
        t,
        "--runs",
        "300",
        "--no-charts",
        "--out",
        &at("full"),
    ]);
    refused(
        &[
            "run",
            t,
            "--runs",
            "300",
            "--shard",
            "1/2",
            "--out",
            &at("full"),
        ],
        "full",
        "a whole result of `brink run`",
    );
    let shard = ["run", t, "--runs", "300", "--no-charts", "--shard", "2/2"];
    let s2 = at("s2");
    ok(&[&shard[..], &["--out", &s2]].concat());
    // Rerunning the same shard replaces it.
    ok(&[&shard[..], &["--out", &s2]].concat());
    // So does one whose --set value is spelt another way (merge takes them as one job; a
    // reviewing helper found `0.30` refused after `0.3`).
    let p = "actors.north.hawkishness";
    let s3 = at("s3");
    ok(&[&shard[..], &["--set", &format!("{p}=0.3"), "--out", &s3]].concat());
    ok(&[&shard[..], &["--set", &format!("{p}=0.30"), "--out", &s3]].concat());
    ok(&[&shard[..], &["--set", &format!("{p}=3e-1"), "--out", &s3]].concat());
    refused(
        &["run", t, "--runs", "900", "--shard", "1/4", "--out", &s2],
        "s2",
        "shard 2/2 of another job (300 runs, where this job has 900)",
    );
    refused(
        &[
            "run", t, "--runs", "300", "--shard", "2/2", "--seed", "5", "--out", &s2,
        ],
        "s2",
        "another job (seed 0, where this one's is 5)",
    );
    refused(
        &["run", t, "--runs", "300", "--shard", "1/2", "--out", &s2],
        "s2",
        "shard 2/2 of this job",
    );
    let merged = at("merged");
    ok(&[
        &shard[..1],
        &[t, "--runs", "300", "--shard", "1/2", "--out", &at("s1")],
    ]
    .concat());
    ok(&["merge", &at("s1"), &s2, "--no-charts", "--out", &merged]);
    refused(
        &[
            "run", t, "--runs", "300", "--shard", "1/2", "--out", &merged,
        ],
        "merged",
        "a whole result of `brink run`",
    );
    // A comparison's shards: with and without the tornado are two jobs.
    let c = [
        "compare",
        t,
        "--runs",
        "60",
        "--no-charts",
        "--shard",
        "1/2",
    ];
    let c1 = at("c1");
    ok(&[&c[..], &["--out", &c1]].concat());
    ok(&[&c[..], &["--out", &c1]].concat());
    refused(
        &[&c[..], &["--no-tornado", "--out", &c1]].concat(),
        "c1",
        "other arms: with and without the tornado",
    );
    ok(&[
        "compare",
        t,
        "--runs",
        "60",
        "--no-charts",
        "--out",
        &at("cf"),
    ]);
    refused(
        &[&c[..], &["--out", &at("cf")]].concat(),
        "cf",
        "a whole result of `brink compare`",
    );
    let _ = std::fs::remove_dir_all(&root);
}
