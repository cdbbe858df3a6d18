//! `--precision`: runs are added chunk by chunk until the outcome's interval is narrow enough;
//! where it stops depends only on the seed and the results, never on the threads.

mod common;

use common::{ok, summary};

const SCENARIO: &str = "scenarios/russia_azerbaijan_2025.ron";

#[test]
fn precision_stops_at_the_first_chunk_that_reaches_it_on_any_thread_count() {
    let root = common::scratch("precision");
    let target = 0.015;
    let arg = format!("rupture={target}");
    let (one, two) = (root.join("t1"), root.join("t2"));
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        ok(&[
            "run",
            SCENARIO,
            "--precision",
            &arg,
            "--runs",
            "200000",
            "--seed",
            "5",
            "--no-charts",
            "--threads",
            threads,
            "--out",
            dir.to_str().unwrap(),
        ]);
    }
    for f in ["outcomes.csv", "timeseries.csv"] {
        assert!(
            std::fs::read(one.join(f)).unwrap() == std::fs::read(two.join(f)).unwrap(),
            "{f}"
        );
    }
    let s = summary(&one);
    let runs = s["manifest"]["runs"].as_u64().unwrap();
    assert!(runs < 200_000 && runs.is_multiple_of(1024), "{runs}");
    assert!(s["manifest"]["complete"].as_bool().unwrap());
    assert!(
        s["manifest"]["stop_reason"]
            .as_str()
            .unwrap()
            .starts_with("precision reached")
    );
    // Both ends of the interval within the target of the estimate.
    let reach = |p: &serde_json::Value| {
        let (e, l, h) = (
            p["estimate"].as_f64().unwrap(),
            p["low"].as_f64().unwrap(),
            p["high"].as_f64().unwrap(),
        );
        (e - l).max(h - e)
    };
    let p = &s["outcomes"][0]["probability"];
    assert!(reach(p) <= target, "{}", reach(p));
    // One chunk fewer was not enough: the run stopped as early as it could.
    if runs > 1024 {
        let fewer = root.join("fewer");
        ok(&[
            "run",
            SCENARIO,
            "--runs",
            &(runs - 1024).to_string(),
            "--seed",
            "5",
            "--no-charts",
            "--out",
            fewer.to_str().unwrap(),
        ]);
        let p = &summary(&fewer)["outcomes"][0]["probability"];
        assert!(reach(p) > target, "{}", reach(p));
    }
    let _ = std::fs::remove_dir_all(&root);
}
