//! Convergence of the estimates: the tally records each outcome's count at fixed run counts of
//! the job (100, 125, 160, 200, ...), the same on any number of threads and any split into
//! shards; the summary turns them into running estimates with Wilson intervals, the last at
//! all the runs; `brink run` draws them as small multiples (`convergence.{png,svg}`).

mod common;

use std::sync::atomic::AtomicBool;

use brink::analysis::summary::convergence;
use brink::analysis::{Manifest, Summary};
use brink::engine::{self, NoSink, RunPlan, ShardSpec};
use brink::model::Model;
use brink::report::charts::HEIGHT;
use brink::stats::{Tally, is_checkpoint};

const TUTORIAL: &str = "scenarios/examples/tutorial.ron";
const SEED: u64 = 11;

fn model() -> (brink::scenario::LoadedScenario, Model) {
    let s = common::load(TUTORIAL);
    let m = brink::model::compile(&s.scenario, None).unwrap();
    (s, m)
}

/// The tally of a plan's runs of the tutorial.
fn tally(m: &Model, plan: &RunPlan) -> Tally {
    engine::run::<Tally>(m, plan, &mut NoSink, None, &AtomicBool::new(false)).unwrap()
}

#[test]
fn the_fixed_run_counts_are_ten_per_decade_from_100() {
    let first: Vec<u64> = (0..20_000).filter(|&n| is_checkpoint(n)).collect();
    assert_eq!(
        first,
        [
            100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150,
            4000, 5000, 6300, 8000, 10_000, 12_500, 16_000
        ]
    );
    assert!(is_checkpoint(1_000_000_000));
    assert!(is_checkpoint(6_300_000));
    assert!(!is_checkpoint(6_300_001));
    assert!(!is_checkpoint(u64::MAX));
}

#[test]
fn checkpoints_are_the_same_on_1_and_3_threads_and_match_shorter_runs() {
    let (_, m) = model();
    let runs = 3000; // three chunks, the last one partial
    let one = tally(&m, &RunPlan::whole(SEED, runs, 1));
    let three = tally(&m, &RunPlan::whole(SEED, runs, 3));
    let at: Vec<u64> = one.checkpoints.iter().map(|c| c.runs).collect();
    assert_eq!(
        at,
        [
            100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500
        ]
    );
    assert_eq!(one.checkpoints, three.checkpoints);
    one.check(&m, runs).unwrap();
    // Run indices 0..n are the same runs in a job of n runs: each checkpoint's counts are a
    // shorter job's totals, across a chunk boundary (1250) and within the first chunk.
    for n in [100, 630, 1250, 2500] {
        let short = tally(&m, &RunPlan::whole(SEED, n, 2));
        let c = one.checkpoints.iter().find(|c| c.runs == n).unwrap();
        assert_eq!(c.outcome_hits, short.outcome_hits, "counts at {n} runs");
        // And the shorter job's own last checkpoint is itself.
        assert_eq!(short.checkpoints.last(), Some(c));
    }
    // Some outcome's estimate does move between checkpoints: the comparison is not vacuous.
    let first = &one.checkpoints[0].outcome_hits;
    assert!(first.iter().any(|&h| h > 0));
    assert_ne!(
        first.iter().map(|&h| h as f64 / 100.0).collect::<Vec<_>>(),
        one.outcome_hits
            .iter()
            .map(|&h| h as f64 / runs as f64)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_2_shard_split_merges_into_the_unsharded_checkpoints() {
    let (s, m) = model();
    for runs in [3000, 2500, 1000] {
        let whole = tally(&m, &RunPlan::whole(SEED, runs, 2));
        let mut merged = Tally::new(&m);
        for index in 1..=2 {
            let spec = ShardSpec { index, count: 2 };
            let plan = RunPlan::of(Some(spec), SEED, runs, 2);
            let part = tally(&m, &plan);
            part.check_from(&m, plan.first_run, plan.own_runs())
                .unwrap();
            // A shard's checkpoints lie in its own runs.
            assert!(
                part.checkpoints
                    .iter()
                    .all(|c| c.runs > plan.first_run && c.runs <= plan.end_run)
            );
            merged.merge(&part);
        }
        merged.check(&m, runs).unwrap();
        assert_eq!(merged.checkpoints, whole.checkpoints, "{runs} runs");
        assert_eq!(merged.outcome_hits, whole.outcome_hits, "{runs} runs");
        let manifest = Manifest::new(&s, SEED, None, runs, runs, vec![]);
        let a = Summary::new(&m, &merged, manifest.clone());
        let b = Summary::new(&m, &whole, manifest);
        assert_eq!(a.convergence, b.convergence);
    }
}

#[test]
fn the_last_point_is_the_final_probability_and_every_point_a_wilson_interval() {
    let (s, m) = model();
    for runs in [3000, 2000, 99] {
        let t = tally(&m, &RunPlan::whole(SEED, runs, 2));
        let summary = Summary::new(&m, &t, Manifest::new(&s, SEED, None, runs, runs, vec![]));
        let pts = &summary.convergence;
        let last = pts.last().unwrap();
        assert_eq!(last.runs, runs);
        // At 2000 runs the last checkpoint is the total: not drawn twice.
        assert_eq!(
            pts.iter().filter(|p| p.runs == runs).count(),
            1,
            "{runs} runs"
        );
        for (o, out) in summary.outcomes.iter().enumerate() {
            assert_eq!(last.probability[o], out.probability);
        }
        for w in pts.windows(2) {
            assert!(w[0].runs < w[1].runs);
        }
        for p in pts {
            assert_eq!(p.probability.len(), m.outcomes.len());
            for i in &p.probability {
                // (Wilson's ends are rounded: a hair past the estimate at 0 or 1.)
                assert!(0.0 <= i.low && i.low <= i.estimate + 1e-12);
                assert!(i.estimate <= i.high + 1e-12 && i.high <= 1.0);
            }
        }
        // Below 100 runs there is only the final point.
        if runs < 100 {
            assert_eq!(pts.len(), 1);
        }
    }
    // summary.json carries it.
    let t = tally(&m, &RunPlan::whole(SEED, 300, 2));
    let summary = Summary::new(&m, &t, Manifest::new(&s, SEED, None, 300, 300, vec![]));
    let j = serde_json::to_value(&summary).unwrap();
    let c = j["convergence"].as_array().unwrap();
    assert_eq!(c.len(), 6); // 100, 125, 160, 200, 250 and all 300 runs
    assert_eq!(c[0]["runs"], 100);
    assert_eq!(c[5]["runs"], 300);
    // A summary written before it was recorded reads back with none.
    let mut old = j.clone();
    old.as_object_mut().unwrap().remove("convergence");
    let back: Summary = serde_json::from_value(old).unwrap();
    assert!(back.convergence.is_empty());
}

#[test]
fn a_shards_own_summary_counts_from_its_first_run() {
    let (_, m) = model();
    let plan = RunPlan::of(Some(ShardSpec { index: 2, count: 2 }), SEED, 3000, 2);
    let part = tally(&m, &plan);
    let pts = convergence(&part, plan.first_run);
    // Its checkpoints at 1600, 2000 and 2500 runs of the job are 100, 500 and 1000 of its own.
    let at: Vec<u64> = pts.iter().map(|p| p.runs).collect();
    assert_eq!(at, [100, 500, 1000, 1500]);
    for p in &pts {
        for i in &p.probability {
            assert!(i.high <= 1.0 && i.low >= 0.0);
        }
    }
}

#[test]
fn a_damaged_checkpoint_is_refused_and_an_older_shard_still_merges_exactly() {
    let (_, m) = model();
    let runs = 3000;
    let whole = tally(&m, &RunPlan::whole(SEED, runs, 2));
    let bad = |f: &dyn Fn(&mut Tally)| {
        let mut t = whole.clone();
        f(&mut t);
        t.check(&m, runs).unwrap_err()
    };
    assert!(bad(&|t| t.checkpoints[3].runs = 201).contains("fixed run counts"));
    assert!(bad(&|t| t.checkpoints.swap(2, 3)).contains("out of order"));
    assert!(bad(&|t| t.checkpoints.push(t.checkpoints[0].clone())).contains("out of order"));
    assert!(bad(&|t| t.checkpoints[0].outcome_hits[0] = 101).contains("does not follow"));
    assert!(bad(&|t| t.checkpoints[5].outcome_hits[0] = 0).contains("does not follow"));
    assert!(
        bad(&|t| {
            t.checkpoints[1].outcome_hits.pop();
        })
        .contains("outcomes")
    );
    // The last checkpoint (2500) leaves 500 runs: the total can be at most 500 more.
    assert!(
        bad(&|t| {
            let last = t.checkpoints.last_mut().unwrap();
            last.outcome_hits[0] = t.outcome_hits[0].saturating_sub(501);
        })
        .contains("does not")
    );
    // A shard's checkpoints must lie in its range.
    let plan = RunPlan::of(Some(ShardSpec { index: 1, count: 2 }), SEED, runs, 2);
    let first_half = tally(&m, &plan);
    assert!(first_half.check_from(&m, 0, 1500).is_ok());
    assert!(first_half.check_from(&m, 1500, 1500).is_err());

    // An older first shard (no checkpoints) merged with a new second one: the second's
    // points are still exact, the first's are missing.
    let second = tally(
        &m,
        &RunPlan::of(Some(ShardSpec { index: 2, count: 2 }), SEED, runs, 2),
    );
    let mut old = first_half.clone();
    old.checkpoints.clear();
    let json = serde_json::to_string(&old).unwrap();
    assert!(!json.contains("checkpoints"), "an older tally's bytes");
    let mut mixed: Tally = serde_json::from_str(&json).unwrap();
    mixed.merge(&second);
    mixed.check(&m, runs).unwrap();
    let late: Vec<_> = whole
        .checkpoints
        .iter()
        .filter(|c| c.runs > 1500)
        .cloned()
        .collect();
    assert_eq!(mixed.checkpoints, late);
}

#[test]
fn run_draws_the_convergence_as_small_multiples() {
    let dir = common::scratch("convergence");
    let loaded = common::load(TUTORIAL);
    let r = brink::Simulation::new(&loaded)
        .runs(2000)
        .seed(3)
        .threads(2)
        .command(vec!["brink".into(), "run".into(), "test".into()])
        .run()
        .expect("run");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    for f in brink::report::run::files(&r.model, &r.summary, true).expect("render") {
        std::fs::write(out.join(&f.name), &f.bytes).unwrap();
    }
    common::check_png(&out.join("convergence.png"), HEIGHT..=u32::MAX);
    let svg = common::check_svg(&out.join("convergence.svg"));
    for text in [
        "Convergence: each probability's estimate as runs accumulate",
        // Labels, not ids, as the panels' titles; the name where there is no label.
        "Rupture lasting two months",
        "visa_imposed",
        "running estimate",
        "95% interval",
        "final estimate",
        "from all 2,000 runs",
        "1k",
    ] {
        assert!(
            svg.contains(text)
                || svg.contains(&brink::report::html::escape(text))
                || svg.contains(&text.replace('\'', "&apos;")),
            "convergence.svg lacks {text:?}"
        );
    }
    assert!(!svg.contains(">lasting_rupture<"), "an id where a label is");
    // The headline outcomes only: the tutorial has more than the summary shows.
    let hidden = &r.summary.outcomes[brink::report::html::HEADLINE_OUTCOMES];
    assert!(!hidden.label.is_empty());
    assert!(!svg.contains(&format!(">{}<", hidden.label)));
    // The report shows it, and summary.json carries its points.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Convergence: each probability"));
    let j = common::summary(&out);
    assert_eq!(
        j["convergence"].as_array().unwrap().len(),
        r.summary.convergence.len()
    );
    // Fewer than 100 runs: a single point, no chart.
    let few = brink::Simulation::new(&loaded)
        .runs(60)
        .seed(3)
        .threads(2)
        .run()
        .expect("run");
    let charts = brink::report::charts::render_all(&few.model, &few.summary).unwrap();
    assert!(charts.iter().all(|c| c.name != "convergence"));
    let _ = std::fs::remove_dir_all(&dir);
}
