//! The performance contract of DESIGN.md, measured in one process so that ratios compare like
//! with like: flagship runs per second on 1 and on all threads (and the speed-up), nanoseconds
//! per actor-decision against this process's measured floor (one ChaCha draw plus one `exp`),
//! and the peak memory of whole `brink run` processes at two run counts.
//!
//! `cargo bench --bench flagship [-- RUNS [MEMORY_SMALL MEMORY_LARGE]]`; `scripts/bench.sh`
//! runs it with the contract's figures (10^5 timed runs, memory at 10^5 and 10^7 runs).

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use brink::engine::{self, NoSink, RunPlan};
use brink::model::{Decision, Model, Observer, RunState, simulate};
use brink::numerics::rng::Master;
use brink::scenario::{LoadOptions, load};

const FLAGSHIP: &str = "scenarios/russia_azerbaijan_2025.ron";

/// Counts what a run does: actor-steps, active decisions and the options they weighed.
#[derive(Default)]
struct Count {
    actor_steps: u64,
    decisions: u64,
    options: u64,
}
impl Observer for Count {
    const DETAILED: bool = true;
    fn decision(&mut self, _t: u32, d: &Decision) {
        self.actor_steps += 1;
        if d.active {
            self.decisions += 1;
            self.options += d.options as u64;
        }
    }
}

/// Invocations of the small run for its peak memory.
const MEMORY_REPEATS: usize = 5;

/// Rounds of timing (1 thread, then all threads).
const ROUNDS: usize = 3;

/// The median of a few timings.
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn time_runs(model: &Model, runs: u64, threads: usize) -> f64 {
    let stop = AtomicBool::new(false);
    // Warm up the caches and the thread pool first.
    let _ = engine::run::<brink::stats::Tally>(
        model,
        &RunPlan::whole(1, 4_096, threads),
        &mut NoSink,
        None,
        &stop,
    );
    let t0 = Instant::now();
    let tally = engine::run::<brink::stats::Tally>(
        model,
        &RunPlan::whole(0, runs, threads),
        &mut NoSink,
        None,
        &stop,
    )
    .unwrap_or_else(|_| panic!("run failed"));
    assert_eq!(tally.runs, runs);
    t0.elapsed().as_secs_f64()
}

/// One ChaCha8 draw plus one `exp`, the floor of one logit option, in ns.
fn floor_ns() -> f64 {
    let master = Master::new(9);
    let mut s = master.stream(0, 0);
    let n = 20_000_000u64;
    let t0 = Instant::now();
    let mut acc = 0.0;
    for _ in 0..n {
        acc += (black_box(s.uniform()) * -3.0).exp();
    }
    black_box(acc);
    t0.elapsed().as_secs_f64() * 1e9 / n as f64
}

/// Peak resident memory (KiB) of a whole `brink run` process.
fn peak_kib(runs: u64) -> (i64, f64) {
    let out = std::env::temp_dir().join(format!("brink-bench-mem-{}", std::process::id()));
    let t0 = Instant::now();
    // Reaped below with wait4, which also returns the child's own peak memory.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_brink"))
        .args([
            "run",
            FLAGSHIP,
            "--no-charts",
            "--runs",
            &runs.to_string(),
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("brink starts");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child with valid pointers to locals.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(pid > 0 && status == 0, "brink run failed");
    let _ = std::fs::remove_dir_all(&out);
    (usage.ru_maxrss, t0.elapsed().as_secs_f64())
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let runs = args.first().copied().unwrap_or(100_000);
    let (mem_small, mem_large) = (args.get(1).copied(), args.get(2).copied());
    let loaded =
        load(Path::new(FLAGSHIP), LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let model = brink::model::compile(&loaded.scenario, None).expect("flagship compiles");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let master = Master::new(0);
    let mut st = RunState::new(&model);
    let mut count = Count::default();
    let sample = 2_000;
    for r in 0..sample {
        simulate(&model, &master, r, &mut st, &mut count);
    }
    let per_run = |x: u64| x as f64 / sample as f64;

    // The machine is shared, so one timing can catch a neighbour's burst: time 1 and all
    // threads in alternation, a few rounds, and take the median of each.
    let (mut t1s, mut tns) = (vec![], vec![]);
    for _ in 0..ROUNDS {
        t1s.push(time_runs(&model, runs, 1));
        tns.push(time_runs(&model, runs, cores));
    }
    let (t1, tn) = (median(&mut t1s), median(&mut tns));
    let floor = floor_ns();
    let us_run = t1 * 1e6 / runs as f64;
    let ns_actor_step = us_run * 1e3 / per_run(count.actor_steps);
    let ns_decision = us_run * 1e3 / per_run(count.decisions);
    let ns_option = us_run * 1e3 / per_run(count.options);

    println!("machine              {cores} cores");
    println!(
        "flagship             {} actors, {} relations, {} measures, {} acts, {} events, horizon {}, {} uncertain numbers",
        model.actors.len(),
        model.relations.len(),
        model.measures.len(),
        model.acts.len(),
        model.events.len(),
        model.horizon,
        model.uncertain_params().len()
    );
    println!(
        "per run              {:.0} actor-steps, {:.1} active decisions, {:.1} options weighed",
        per_run(count.actor_steps),
        per_run(count.decisions),
        per_run(count.options)
    );
    println!("timed runs           {runs} per timing, median of {ROUNDS} rounds");
    println!(
        "1 thread             {:>10.0} runs/s  ({us_run:.2} us/run)",
        runs as f64 / t1
    );
    println!(
        "{cores} threads            {:>10.0} runs/s",
        runs as f64 / tn
    );
    println!(
        "speed-up             {:>10.2}x  (contract: >= 1.8x on 2 threads; rounds {})",
        t1 / tn,
        t1s.iter()
            .zip(&tns)
            .map(|(a, b)| format!("{:.2}x", a / b))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "10^6 runs            {:>10.2} s on {cores} threads  (contract: <= 10 s on 2 cores)",
        tn * 1e6 / runs as f64
    );
    println!("floor                {floor:>10.2} ns  (one ChaCha8 draw + one exp)");
    println!(
        "per option weighed   {ns_option:>10.2} ns  = {:.1}x floor (whole run time / options)",
        ns_option / floor
    );
    println!(
        "per active decision  {ns_decision:>10.2} ns  = {:.1}x floor (contract: within 3x)",
        ns_decision / floor
    );
    println!(
        "per actor-step       {ns_actor_step:>10.2} ns  = {:.1}x floor",
        ns_actor_step / floor
    );
    if let (Some(a), Some(b)) = (mem_small, mem_large) {
        // A process's peak resident memory varies by a few hundred KiB from one invocation to
        // the next (thread timing, pages of the binary touched): the small run, which is
        // quick, is measured several times to show that spread.
        let mut small: Vec<f64> = (0..MEMORY_REPEATS)
            .map(|_| peak_kib(a).0 as f64 / 1024.0)
            .collect();
        let (kb, sb) = peak_kib(b);
        let large = kb as f64 / 1024.0;
        small.sort_by(f64::total_cmp);
        let small_median = small[small.len() / 2];
        println!(
            "peak memory          {a} runs: {small_median:.2} MiB median of {MEMORY_REPEATS} ({:.2} .. {:.2})",
            small[0],
            small[small.len() - 1]
        );
        println!("peak memory          {b} runs: {large:.2} MiB ({sb:.1} s)");
        println!(
            "memory ratio         {:>10.3}  (contract: the larger run peaks no higher)",
            large / small_median
        );
    }
}
