//! Simulation-based calibration of `brink calibrate` at a larger size than CI affords (Talts
//! et al. 2018): `cargo bench --bench sbc -- [REPLICATIONS [PARTICLES]]` (default 500 and
//! 400). Prints the rank histogram (19 posterior draws, ranks 0..=19 pooled into 10 bins of 2)
//! and its chi-square statistic with 9 degrees of freedom (uniform ranks exceed 21.67 with
//! probability 1%), and the mean posterior standard deviation for a short and a long timeline.

use brink::analysis::calibrate::Settings;
use brink::analysis::sbc::{Design, chi_square, replicate};
use brink::numerics::rng::Master;

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let reps = args.first().copied().unwrap_or(500);
    let particles = args.get(1).copied().unwrap_or(400) as usize;
    let s = brink::scenario::load(
        "scenarios/examples/sbc_pair.ron".as_ref(),
        Default::default(),
    )
    .expect("the SBC scenario loads")
    .scenario;
    let design = Design {
        path: "shared.fatigue.value".into(),
        rung_steps: vec![4, 8, 12],
        outcome: Some("cooled".into()),
    };
    let settings = |seed| Settings {
        particles,
        sims: 4,
        seed,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        max_generations: 25,
        min_acceptance: 0.02,
        ess_keep: 0.9,
        target_tolerance: 0.0,
    };
    let started = std::time::Instant::now();
    let mut bins = [0usize; 10];
    let mut u = Master::new(2018).stream(1, 0);
    for rep in 0..reps {
        let (rank, _, _) = replicate(&s, &design, u.uniform(), &settings(rep), 19).unwrap();
        bins[rank / 2] += 1;
    }
    println!(
        "SBC, {reps} replications, {particles} particles: rank bins {bins:?}, chi-square {:.2} (9 df; 1% critical value 21.67), {:.1} s",
        chi_square(&bins),
        started.elapsed().as_secs_f64()
    );
    for (name, steps) in [
        ("2 rung facts", vec![6, 12]),
        (
            "14 rung facts",
            (1..15).map(|k| 2 * k).collect::<Vec<u32>>(),
        ),
    ] {
        let d = Design {
            rung_steps: steps,
            ..design.clone()
        };
        let mut u = Master::new(7).stream(1, 0);
        let n = 40;
        let sd: f64 = (0..n)
            .map(|rep| {
                replicate(&s, &d, u.uniform(), &settings(rep), 19)
                    .unwrap()
                    .2
            })
            .sum::<f64>()
            / n as f64;
        println!("mean posterior sd with {name}: {sd:.4} (prior sd 0.1068)");
    }
}
