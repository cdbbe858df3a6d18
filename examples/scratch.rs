use std::sync::atomic::AtomicBool;
use brink::analysis::backtest::*;
use brink::analysis::calibrate::*;
use brink::scenario::timeline::*;



fn main() {
    let stop = AtomicBool::new(false);
    let mut cases = vec![];
    let mut loaded = vec![];
    for n in ["russia_azerbaijan_2024", "russia_turkey_2015", "russia_georgia_2006"] {
        let t = load_timeline(format!("scenarios/history/{n}.timeline.ron").as_ref(), Default::default()).unwrap();
        let l = brink::scenario::load(&t.scenario_path(), Default::default()).unwrap();
        check_timeline(&t, &l.scenario).unwrap();
        let c = compile_case(&l.scenario, &t.timeline).unwrap();
        let t0 = std::time::Instant::now();
        let r = backtest_case(&l, &c, &ParticleDraws::default(), &RunSpec{seed:1,runs:4000,threads:2,command:vec![]}, &stop).unwrap();
        eprintln!("{n}: {:.2}s path {:?} meanlog {:.3} cov {:?}", t0.elapsed().as_secs_f64(), r.path_probability, r.mean_log_score, r.coverage);
        for f in &r.facts { eprintln!("  {:<28} p={:.3} pit={:?} in80={:?} never={:?}", f.name, f.probability.estimate, f.pit.map(|(a,b)| (format!("{a:.2}"),format!("{b:.2}"))), f.bands.get(1).map(|b| (b.contains, b.low, b.high)), f.never.map(|x| format!("{x:.2}"))); }
        cases.push(c); loaded.push(l);
    }
    let specs: Vec<String> = ["shared.fatigue.value","shared.reactivity.value","shared.rationality.value","shared.measure_persistence.value"].iter().map(|s| s.to_string()).collect();
    let ts = targets(&cases, &specs).unwrap();
    let st = Settings { particles: 1000, sims: 4, seed: 1, threads: 2, max_generations: 40, min_acceptance: 0.03, ess_keep: 0.9, target_tolerance: 0.0 };
    let t0 = std::time::Instant::now();
    let c = calibrate(&cases, &ts, &st, &stop, |g| eprintln!("gen {} eps {:.4} ess {:.0} acc {:?} sims {} {:.1}s", g.index, g.tolerance, g.ess, g.acceptance, g.simulations, t0.elapsed().as_secs_f64())).unwrap();
    eprintln!("{} {:.1}s {}/s", c.stop_reason, t0.elapsed().as_secs_f64(), c.simulations as f64 / t0.elapsed().as_secs_f64());
    for p in &c.params { eprintln!("{} prior {:.3}±{:.3} post {:.3}±{:.3} [{:.3},{:.3}]", p.path, p.prior_mean, p.prior_sd, p.mean, p.sd, p.q05, p.q95); }
}
