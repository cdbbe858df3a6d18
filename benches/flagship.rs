//! Throughput of the flagship scenario: runs per second on one thread and on all threads.
//!
//! `cargo bench --bench flagship [-- RUNS]` (default 100,000 runs). Figures are measured in one
//! process, one after the other, so that their ratios compare like with like.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use brink::engine::{self, NoSink, RunPlan};
use brink::scenario::{LoadOptions, load};

fn main() {
    let runs: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let loaded = load(
        Path::new("scenarios/russia_azerbaijan_2025.ron"),
        LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let model = brink::model::compile(&loaded.scenario, None).expect("flagship compiles");
    let stop = AtomicBool::new(false);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let time = |threads: usize| {
        // Warm up caches and the thread pool on a small run first.
        let _ = engine::run(
            &model,
            &RunPlan::whole(1, 2_048, threads),
            &mut NoSink,
            None,
            &stop,
        );
        let t0 = Instant::now();
        let tally = engine::run(
            &model,
            &RunPlan::whole(0, runs, threads),
            &mut NoSink,
            None,
            &stop,
        )
        .unwrap_or_else(|_| panic!("run failed"));
        assert_eq!(tally.runs, runs);
        t0.elapsed().as_secs_f64()
    };
    let t1 = time(1);
    let tn = time(cores);
    println!(
        "flagship: {} actors, {} relations, {} measures, {} acts, {} events, horizon {}",
        model.actors.len(),
        model.relations.len(),
        model.measures.len(),
        model.acts.len(),
        model.events.len(),
        model.horizon
    );
    println!("runs                 {runs}");
    println!(
        "1 thread             {:>12.0} runs/s  ({:.2} us/run)",
        runs as f64 / t1,
        t1 * 1e6 / runs as f64
    );
    println!(
        "{cores} threads            {:>12.0} runs/s",
        runs as f64 / tn
    );
    println!("speed-up             {:>12.2}x", t1 / tn);
    println!(
        "10^6 runs would take {:>12.2} s on {cores} threads",
        tn * 1e6 / runs as f64
    );
}
