//! Four shards run as separate processes merge into exactly the single run's result, and shards
//! of different jobs are refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCENARIO: &str = "scenarios/russia_azerbaijan_2025.ron";

fn brink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brink"))
        .args(args)
        .output()
        .expect("brink runs")
}

fn ok(args: &[&str]) {
    let o = brink(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("brink-shards-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn summary_without_command(d: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap()).unwrap();
    v["manifest"]["command"] = serde_json::Value::Null;
    v
}

#[test]
fn four_shard_processes_merge_into_the_single_run() {
    let root = dir("merge");
    let runs = "6000"; // 6 chunks, uneven across 4 shards, the last one partial
    let s = |i: usize| root.join(format!("shard{i}"));
    let children: Vec<_> = (1..=4)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_brink"))
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
    for f in ["outcomes.csv", "timeseries.csv", "runs.csv"] {
        assert!(
            std::fs::read(merged.join(f)).unwrap() == std::fs::read(whole.join(f)).unwrap(),
            "{f} differs"
        );
    }
    assert_eq!(
        summary_without_command(&merged),
        summary_without_command(&whole)
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
    assert!(String::from_utf8_lossy(&o.stderr).contains("in no shard given"));
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
    assert!(String::from_utf8_lossy(&o.stderr).contains("overlaps"));
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
    let root = dir("compare");
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
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("compare.json")).unwrap())
                .unwrap();
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
