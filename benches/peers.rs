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
//! - `ceiling RUNS ROUNDS`: richardson's runs through the engine against a kernel written for
//!   that scenario alone, 16 runs side by side (structure of arrays), with the same random words,
//!   normals and per-step statistics but less of the rest (see [`ceiling`]), in interleaved
//!   rounds: how much a multi-run step could buy at most.
//! - `floor SCENARIO RUNS [parts]`: seconds that brink's present code spends on the
//!   random-number contract's part of RUNS runs on one thread (see [`floor`]), timed in the same
//!   rounds as the runs themselves; with `parts`, each of its two parts alone on standard
//!   error.
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
        "ceiling" => ceiling(num(1), num(2) as usize),
        "floor" => {
            let (_, m) = model(arg(1));
            let runs = num(2);
            floor(&m, 2_048, (true, true));
            let t0 = Instant::now();
            let sink = floor(&m, runs, (true, true));
            println!("{}", t0.elapsed().as_secs_f64());
            if arg(3) == "parts" {
                // Each part alone, for the cost model.
                for (part, which) in [
                    ("sampled numbers", (true, false)),
                    ("words and normals", (false, true)),
                ] {
                    let t0 = Instant::now();
                    floor(&m, runs, which);
                    let us = t0.elapsed().as_secs_f64() * 1e6 / runs as f64;
                    eprintln!("{part}: {us:.3} us/run");
                }
            }
            eprintln!("(checksum {sink})");
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
                "usage: peers dump|moments|outcomes SCENARIO [RUNS] | time SCENARIO RUNS THREADS | floor SCENARIO RUNS [parts] | ceiling RUNS ROUNDS | chacha N (got {other:?})"
            );
            std::process::exit(2);
        }
    }
}

/// What the random-number contract (docs/model.md, "Random streams") costs `runs` runs of `m`
/// on one thread, with brink's own code for it and nothing of the model's logic: each run's
/// sampled numbers (16 runs at a time, as the engine samples them) and every random word the
/// run reads, with the noise's normal quantiles (`draw_run_words`, the engine's own
/// `take_draws`). Left out: the `exp`s of hazards and logit weights (how many depends on the
/// path) and all the step's arithmetic. Not a bound on what any code could spend on the same
/// words: a run's blocks fill the SIMD lanes alone, part of what is copied is never read, and
/// the normals' tails are computed one at a time (the sixteenth look's kernel, 16 runs to a
/// call, spent about two thirds of this on richardson's). Returns a checksum of the sampled numbers (the words are kept
/// from being optimised away by `black_box`).
fn floor(m: &Model, runs: u64, (sampled, words): (bool, bool)) -> u64 {
    const GROUP: u64 = 16;
    let master = Master::new(0);
    let mut st = RunState::new(m);
    let n = st.values.len();
    let mut values = vec![0.0; GROUP as usize * n];
    let mut sink = 0u64;
    let mut start = 0;
    while start < runs {
        let group = start..(start + GROUP).min(runs);
        let k = (group.end - group.start) as usize;
        if sampled {
            brink::model::sample_values_of_runs(m, &master, group.clone(), &mut values[..k * n]);
        }
        for (i, run) in group.enumerate() {
            if words {
                brink::model::draw_run_words(m, &master, run, &mut st);
            }
            // The words and normals are the run state's (not public): as if read.
            std::hint::black_box(&mut st);
            let sampled = &values[i * n..][..n];
            sink = sampled
                .iter()
                .fold(sink, |s, x| s.wrapping_add(x.to_bits()));
        }
        start += GROUP;
    }
    sink
}

/// Richardson's step written for that scenario alone, 16 runs at a time (structure of arrays:
/// one array per relation across the runs): the same noise words (the relations' keyed blocks),
/// normals (`norm_inv_of32`) and sampled noise of b->a (`sample_values_of_runs`, 16 runs at once) as the
/// engine, the same arithmetic in the same order, and the same per-step statistics (the
/// histogram, exact sum and rung counts of H at every step), with each run's peak and final H
/// and the crisis outcome's first step. What it leaves out makes it a ceiling, not a rival:
/// the other parameters are constants, and nothing general (conditions, gates, levers, events,
/// observers, per-run tables) is asked. Before its time counts, its exact sum of H at every
/// step and its runs on each rung must be the engine's, bit for bit: the same numbers.
fn ceiling(runs: u64, rounds: usize) {
    use brink::numerics::chacha::blocks;
    use brink::numerics::dist::norm_inv_of32;
    use brink::numerics::rng::{component, key_of};
    use brink::stats::{ExactSum, Histogram, INDEX_BINS, Moments};

    const H: usize = 52;
    const L: usize = 16;
    assert!(
        runs > 0 && rounds > 0,
        "usage: peers ceiling RUNS ROUNDS (both at least 1)"
    );
    struct Kernel {
        hist: Vec<Histogram>,
        sum: Vec<ExactSum>,
        rung: Vec<u64>,
        peak: Moments,
        last: Moments,
        first: Vec<u64>,
    }
    let (_, m) = model("scenarios/examples/richardson.ron");
    assert_eq!(m.horizon as usize, H, "the kernel is richardson's");
    let sigma_at = m
        .param_index("relations.b->a.noise")
        .expect("richardson samples b->a's noise");
    let kernel = |runs: u64| -> Kernel {
        let master = Master::new(0);
        let mut k = Kernel {
            hist: vec![Histogram::new(-10.0, 10.0, INDEX_BINS); H],
            sum: vec![ExactSum::new(); H],
            rung: vec![0; 3 * H],
            peak: Moments::default(),
            last: Moments::default(),
            first: vec![0; H + 1],
        };
        let keys = [key_of("a->b"), key_of("b->a")];
        // As the engine has them: the weight kept is 1 − fatigue, computed.
        let keep = [1.0 - 0.3, 1.0 - 0.4];
        let (react, grievance) = ([0.2, 0.1], [0.5, 0.2]);
        let mut values = vec![0.0; L * brink::model::RunState::new(&m).values.len()];
        let mut at = Vec::with_capacity(L * 8);
        let mut bits = vec![0u32; L * 2 * 64];
        let mut eps = vec![0.0f64; L * 2 * 64];
        let mut index = vec![0.0f64; H * L];
        for first_run in (0..runs).step_by(L) {
            let lanes = L.min((runs - first_run) as usize);
            // The lanes' numbers sampled together, as the engine samples 16 runs.
            let n = values.len() / L;
            let group = first_run..first_run + lanes as u64;
            brink::model::sample_values_of_runs(&m, &master, group, &mut values[..n * lanes]);
            let sigma: [f64; L] = std::array::from_fn(|l| values[(l % lanes) * n + sigma_at]);
            at.clear();
            for l in 0..L as u64 {
                for &key in &keys {
                    for j in 0..4 {
                        at.push(Master::keyed_block(first_run + l, component::NOISE, key, j));
                    }
                }
            }
            blocks(master.key(), &at, |i, w| {
                w.copy_to(&mut bits[i * 16..][..16])
            });
            // Each lane's relation's 52 words of its 64.
            for part in 0..2 * L {
                norm_inv_of32(&bits[part * 64..][..H], &mut eps[part * 64..][..H]);
            }
            let (mut h0, mut h1) = ([2.0f64; L], [0.0f64; L]);
            for t in 0..H {
                for l in 0..L {
                    let (e0, e1) = (eps[l * 128 + t], eps[l * 128 + 64 + t]);
                    // The engine adds the step's impulses (none here) before the noise.
                    let n0 = keep[0] * h0[l] + react[0] * h1[l] + grievance[0] + 0.0 + 0.3 * e0;
                    let n1 =
                        keep[1] * h1[l] + react[1] * h0[l] + grievance[1] + 0.0 + sigma[l] * e1;
                    h0[l] = n0.clamp(-10.0, 10.0);
                    h1[l] = n1.clamp(-10.0, 10.0);
                    index[t * L + l] = 0.5 * (h0[l] + h1[l]);
                }
            }
            for t in 0..H {
                let row = &index[t * L..][..lanes];
                for &x in row {
                    k.hist[t].add(x);
                    k.sum[t].add(x);
                    k.rung[3 * t + (x >= 2.0) as usize + (x >= 5.0) as usize] += 1;
                }
            }
            for l in 0..lanes {
                let path = (0..H).map(|t| index[t * L + l]);
                k.peak.add(path.clone().fold(f64::NEG_INFINITY, f64::max));
                k.last.add(index[(H - 1) * L + l]);
                k.first[path.clone().position(|x| x >= 5.0).unwrap_or(H)] += 1;
            }
        }
        k
    };

    let stop = AtomicBool::new(false);
    let engine = |runs: u64| {
        engine::run::<brink::stats::Tally>(
            &m,
            &RunPlan::whole(0, runs, 1),
            &mut NoSink,
            None,
            &stop,
        )
        .unwrap_or_else(|_| panic!("run failed"))
    };
    // The same numbers first: every step's exact sum of H and its runs on each rung.
    let (tally, k) = (engine(runs), kernel(runs));
    for t in 0..H {
        assert_eq!(
            k.sum[t].value().to_bits(),
            tally.index_mean_by_step[t].value().to_bits(),
            "step {t}: the kernel's sum of H is not the engine's"
        );
        assert_eq!(
            &k.rung[3 * t..3 * t + 3],
            tally.rung_counts(t),
            "step {t}: runs on each rung"
        );
    }
    println!(
        "agreement: the sum of H and the runs on each rung at all {H} steps are the engine's, bit for bit"
    );
    let n = runs as f64;
    let _ = engine(2_048);
    let _ = kernel(2_048);
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let t0 = Instant::now();
        let _ = std::hint::black_box(engine(runs));
        let e = t0.elapsed().as_secs_f64() * 1e6 / n;
        let t0 = Instant::now();
        let _ = std::hint::black_box(kernel(runs));
        let c = t0.elapsed().as_secs_f64() * 1e6 / n;
        println!(
            "round {round}: engine {e:.3} us/run, kernel {c:.3} us/run, engine / kernel {:.2}x",
            e / c
        );
        ratios.push(e / c);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "engine / kernel: median {:.2}x ({:.2} .. {:.2})",
        ratios[rounds / 2],
        ratios[0],
        ratios[rounds - 1]
    );
}
