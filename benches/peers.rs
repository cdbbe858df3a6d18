//! brink's side of the benchmark against the NumPy peer (`benches/peers/numpy_peer.py`), driven by
//! `scripts/bench.sh`. Kept out of the user-facing CLI:
//!
//! - `dump SCENARIO`: the scenario as JSON, every default filled in (what the peer reads);
//! - `moments SCENARIO RUNS`: brink's mean of H at each step and its standard error over RUNS
//!   runs (seed 0), as JSON, for the peer's agreement check;
//! - `outcomes SCENARIO RUNS`: brink's probability of each outcome over RUNS runs (seed 0), as
//!   JSON, to compare with the peer's when the mean of H disagrees;
//! - `time SCENARIO RUNS THREADS`: seconds for RUNS runs on THREADS threads (the engine and its
//!   statistics, as `brink run` does them, without loading or writing), after a warm-up.
//! - `chacha N`: nanoseconds per 16-word ChaCha8 block, N blocks each way: brink's own blocks
//!   (`numerics::chacha`, 16 streams side by side, as a run's parts ask for them) against
//!   `ChaCha8Rng` filling a buffer from one stream.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use brink::engine::{self, NoSink, RunPlan};
use brink::model::{Model, Observer, RunState, simulate};
use brink::numerics::rng::Master;
use brink::scenario::{LoadOptions, load};

/// Per-step sums of H and H² over runs.
struct Moments {
    s1: Vec<f64>,
    s2: Vec<f64>,
}
impl Observer for Moments {
    fn step(&mut self, t: u32, _m: &Model, s: &RunState) {
        self.s1[t as usize] += s.index;
        self.s2[t as usize] += s.index * s.index;
    }
}

fn model(path: &str) -> (brink::scenario::schema::Scenario, Model) {
    let loaded = load(Path::new(path), LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let model = brink::model::compile(&loaded.scenario, None).expect("the scenario compiles");
    (loaded.scenario, model)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let arg = |i: usize| -> &str { args.get(i).map(String::as_str).unwrap_or("") };
    let num = |i: usize| -> u64 { arg(i).parse().expect("a whole number") };
    match arg(0) {
        "dump" => {
            let (scenario, _) = model(arg(1));
            println!("{}", serde_json::to_string(&scenario).expect("JSON"));
        }
        "moments" => {
            let (_, m) = model(arg(1));
            let runs = num(2);
            let h = m.horizon as usize;
            let mut obs = Moments {
                s1: vec![0.0; h],
                s2: vec![0.0; h],
            };
            let master = Master::new(0);
            let mut st = RunState::new(&m);
            for r in 0..runs {
                simulate(&m, &master, r, &mut st, &mut obs);
            }
            let n = runs as f64;
            let mean: Vec<f64> = obs.s1.iter().map(|s| s / n).collect();
            let se: Vec<f64> = obs
                .s2
                .iter()
                .zip(&mean)
                .map(|(s2, mu)| ((s2 / n - mu * mu).max(0.0) * n / (n - 1.0) / n).sqrt())
                .collect();
            println!(
                "{}",
                serde_json::json!({ "runs": runs, "mean": mean, "se": se })
            );
        }
        "outcomes" => {
            let (_, m) = model(arg(1));
            let runs = num(2);
            let mut hits = vec![0u64; m.outcomes.len()];
            let master = Master::new(0);
            let mut st = RunState::new(&m);
            for r in 0..runs {
                simulate(&m, &master, r, &mut st, &mut brink::model::Silent);
                for (o, h) in hits.iter_mut().enumerate() {
                    *h += st.outcome_hit(o) as u64;
                }
            }
            let p: serde_json::Map<String, serde_json::Value> = m
                .outcomes
                .iter()
                .zip(&hits)
                .map(|(o, &h)| (o.name.clone(), serde_json::json!(h as f64 / runs as f64)))
                .collect();
            println!("{}", serde_json::json!({ "runs": runs, "outcomes": p }));
        }
        "time" => {
            let (_, m) = model(arg(1));
            let (runs, threads) = (num(2), num(3) as usize);
            let stop = AtomicBool::new(false);
            let _ = engine::run::<brink::stats::Tally>(
                &m,
                &RunPlan::whole(1, 2_048, threads),
                &mut NoSink,
                None,
                &stop,
            );
            let t0 = Instant::now();
            let tally = engine::run::<brink::stats::Tally>(
                &m,
                &RunPlan::whole(0, runs, threads),
                &mut NoSink,
                None,
                &stop,
            )
            .unwrap_or_else(|_| panic!("run failed"));
            assert_eq!(tally.runs, runs);
            println!("{}", t0.elapsed().as_secs_f64());
        }
        "chacha" => {
            // ns per 16-word block: brink's lanes against ChaCha8Rng's own refill (4 blocks).
            use brink::numerics::chacha::{BlockAt, Key, blocks};
            use rand::{RngExt, SeedableRng};
            let n = num(1);
            let key = Key::from_seed_u64(1);
            let at: Vec<BlockAt> = (0..64)
                .map(|j| BlockAt {
                    stream: j,
                    counter: j << 28,
                })
                .collect();
            let mut sink = 0u32;
            let t0 = Instant::now();
            for _ in 0..n / 64 {
                blocks(&key, &at, |_, b| sink ^= b.word(3));
            }
            let lanes = t0.elapsed().as_secs_f64() * 1e9 / n as f64;
            let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(1);
            let mut buf = [0u32; 64];
            let t0 = Instant::now();
            for _ in 0..n / 4 {
                r.fill(&mut buf[..]);
                sink ^= buf[3];
            }
            let rng = t0.elapsed().as_secs_f64() * 1e9 / n as f64;
            println!("ns per block: lanes {lanes:.2}, ChaCha8Rng {rng:.2} ({sink})");
        }
        other => {
            eprintln!(
                "usage: peers dump|moments|outcomes|chacha|time SCENARIO [RUNS [THREADS]] (got {other:?})"
            );
            std::process::exit(2);
        }
    }
}
