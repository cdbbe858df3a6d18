//! Every per-step estimate comes with its 95% interval (DESIGN.md, statistics contract): each
//! rung's share, each outcome's probability so far, each measure's mean level and the dyad
//! index's mean, in summary.json and in the per-step table, where `NAME_low` and `NAME_high`
//! follow each column `NAME`.

use brink::analysis::{Manifest, Summary};
use brink::engine::ChunkSlot;
use brink::model::{Model, Observer, RunState};
use brink::numerics::rng::Master;
use brink::stats::{Tally, Z95, bounded_mean_interval, wilson};

const TUTORIAL: &str = "scenarios/examples/tutorial.ron";

fn tutorial() -> (brink::scenario::LoadedScenario, Model) {
    let loaded = brink::scenario::load(std::path::Path::new(TUTORIAL), Default::default()).unwrap();
    let m = brink::model::compile(&loaded.scenario, None).unwrap();
    (loaded, m)
}

/// The summary of runs `first .. first + runs` of the tutorial at `seed`.
fn summary_of(
    loaded: &brink::scenario::LoadedScenario,
    m: &Model,
    seed: u64,
    first: u64,
    runs: u64,
) -> Summary {
    let mut slot = ChunkSlot::<Tally>::new(m);
    let never = std::sync::atomic::AtomicBool::new(false);
    brink::engine::run_range_into(
        m,
        &Master::new(seed),
        first..first + runs,
        false,
        None,
        &mut slot,
        &never,
    );
    let manifest = Manifest::new(loaded, seed, None, runs, runs, vec![]);
    Summary::new(m, &slot.tally, manifest)
}

/// The dyad index at one step of each run, in run order.
struct IndexAt {
    step: u32,
    values: Vec<f64>,
}

impl Observer for IndexAt {
    fn step(&mut self, t: u32, _m: &Model, s: &RunState) {
        if t == self.step {
            self.values.push(s.index);
        }
    }
}

/// Each share's interval is Wilson's on the runs it counts; each probability so far too.
#[test]
fn every_per_step_share_has_its_wilson_interval() {
    let (loaded, m) = tutorial();
    let n = 1500;
    let s = summary_of(&loaded, &m, 3, 0, n);
    // The counts, straight from the tally.
    let mut slot = ChunkSlot::<Tally>::new(&m);
    let never = std::sync::atomic::AtomicBool::new(false);
    brink::engine::run_range_into(&m, &Master::new(3), 0..n, false, None, &mut slot, &never);
    let tally = slot.tally;
    for t in 0..m.horizon as usize {
        for (r, &k) in tally.rung_counts(t).iter().enumerate() {
            assert_eq!(s.rung_interval(t, r), wilson(k, n, Z95));
        }
    }
    for (o, first) in tally.outcome_first.iter().enumerate() {
        let mut so_far = 0;
        for (t, &k) in first.iter().enumerate() {
            so_far += k;
            let i = s.so_far_interval(o, t);
            if s.outcomes[o].judged_at_end && t + 1 < first.len() {
                // Judged at the end alone: 0 before the last step by construction.
                assert_eq!((so_far, i.low, i.high), (0, 0.0, 0.0), "{o} at {t}");
            } else {
                assert_eq!(i, wilson(so_far, n, Z95));
            }
        }
    }
    assert!(
        s.outcomes.iter().any(|o| o.judged_at_end),
        "the tutorial has one"
    );
    // P(a | b) over the runs where b happened.
    let outcomes = s.outcomes.len();
    for a in 0..outcomes {
        for b in 0..outcomes {
            let hits = tally.outcome_hits[b];
            let i = s.co_occurrence_interval(a, b);
            if hits == 0 {
                assert!(i.is_none());
            } else {
                let k = tally.outcome_pair(a, b).unwrap();
                assert_eq!(i, Some(wilson(k, hits, Z95)));
            }
        }
    }
}

/// The index's mean at a step: the histogram's bound on the spread is never below the runs'
/// own standard deviation (counted here run by run), so the interval holds Student's t
/// interval on the exact values, and is at most half a bin wider on each side of the spread.
#[test]
fn the_index_means_interval_holds_the_exact_t_interval() {
    let (loaded, m) = tutorial();
    let n = 800;
    let s = summary_of(&loaded, &m, 8, 0, n);
    let bin = (m.bounds.1 - m.bounds.0) / brink::stats::INDEX_BINS as f64;
    for step in [0u32, 7, 30, m.horizon - 1] {
        let mut obs = IndexAt {
            step,
            values: vec![],
        };
        let master = Master::new(8);
        let mut st = RunState::new(&m);
        for run in 0..n {
            brink::model::simulate(&m, &master, run, &mut st, &mut obs);
        }
        let xs = &obs.values;
        let mean = xs.iter().sum::<f64>() / n as f64;
        let sd = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
        let exact = bounded_mean_interval(n, mean, sd, m.bounds);
        let got = s.index_by_step[step as usize].mean_interval.unwrap();
        assert!((got.estimate - mean).abs() < 1e-9, "step {step}");
        assert!(
            got.low <= exact.low + 1e-9 && exact.high <= got.high + 1e-9,
            "step {step}: {got:?} does not hold {exact:?}"
        );
        // Wider by at most what half a bin adds to the spread (t(0.975, 799) < 1.97).
        let widest = 1.97 * (sd + 0.5 * bin * 1.001) / (n as f64).sqrt();
        assert!(
            got.half_width() <= widest + 1e-9,
            "step {step}: {got:?} wider than {widest}"
        );
    }
    // One run: no interval.
    let one = summary_of(&loaded, &m, 8, 0, 1);
    assert!(
        one.index_by_step
            .iter()
            .all(|ix| ix.mean_interval.is_none())
    );
    assert!((0..one.levers.len()).all(|k| one.mean_level_interval(k, 0).is_none()));
}

/// The index's mean intervals cover the mean of many runs at their nominal rate: 300
/// independent groups of 60 runs (runs 0 .. 18,000 cut in groups) against the mean of 60,000
/// other runs (whose own standard error, about 0.006 points, is a fiftieth of a group's
/// interval). A coverage of 0.95 over 300 groups has a standard error of 0.0126; the bounds are
/// 0.95 − 4 of those and 0.95 + 3.2 (the spread's bound may only widen the interval, by a
/// few percent).
#[test]
fn the_index_means_interval_covers_at_its_nominal_rate() {
    let (loaded, m) = tutorial();
    let step = 20;
    let truth = summary_of(&loaded, &m, 21, 100_000, 60_000).index_by_step[step].mean;
    let (groups, size) = (300u64, 60u64);
    let covered = (0..groups)
        .filter(|g| {
            let s = summary_of(&loaded, &m, 21, g * size, size);
            let i = s.index_by_step[step].mean_interval.unwrap();
            i.low <= truth && truth <= i.high
        })
        .count();
    let rate = covered as f64 / groups as f64;
    assert!((0.9..=0.99).contains(&rate), "coverage {rate}");
}

/// A measure's mean level: Student's t within its levels; where every run is at one level
/// (the status quo at the first step of a measure no one raises at once), not a zero-width
/// interval but what Wilson's interval on that share leaves room for.
#[test]
fn a_mean_level_all_runs_agree_on_keeps_a_width() {
    let (loaded, m) = tutorial();
    let n = 600;
    let s = summary_of(&loaded, &m, 4, 0, n);
    let room = 1.0 - wilson(n, n, Z95).low;
    let mut agreed = 0;
    for (k, l) in s.levers.iter().enumerate() {
        let top = (l.levels.len() - 1) as f64;
        for (t, mean) in l.mean_level.iter().enumerate() {
            let i = s.mean_level_interval(k, t).unwrap();
            assert!((i.estimate - mean).abs() < 1e-12);
            assert!(
                0.0 <= i.low && i.low <= *mean && *mean <= i.high && i.high <= top,
                "{} step {t}: {i:?}",
                l.name
            );
            let one_level = l.share_by_step[t].iter().position(|&p| p == 1.0);
            if let Some(level) = one_level {
                agreed += 1;
                let level = level as f64;
                assert!((i.low - (level - room * level)).abs() < 1e-12);
                assert!((i.high - (level + room * (top - level))).abs() < 1e-12);
                assert!(i.high > i.low);
            } else {
                assert!(i.high > i.low, "{} step {t}: {i:?}", l.name);
            }
        }
    }
    assert!(
        agreed > 0,
        "no step with every run at one level: the case is not tested"
    );
}

/// The per-step table: each mean and probability is followed by its interval's ends, as
/// summary.json holds them, and the data dictionary describes every column.
#[test]
fn the_per_step_table_follows_each_estimate_with_its_ends() {
    let (loaded, m) = tutorial();
    let s = summary_of(&loaded, &m, 2, 0, 400);
    let table = brink::report::csv::timeseries_table(&s);
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
    let mut checked = 0;
    for (i, name) in names.iter().enumerate() {
        if let Some(base) = name.strip_suffix("_low") {
            assert_eq!(names[i - 1], base, "{name} does not follow {base}");
            assert_eq!(names[i + 1], format!("{base}_high"));
            checked += 1;
        }
    }
    // The index's mean, 4 rungs, 5 measures and 18 outcomes.
    assert_eq!(checked, 1 + 4 + 5 + 18);
    let row = &table.rows[30];
    let ix = s.index_by_step[30].mean_interval.unwrap();
    assert_eq!(row[at("index_mean_low")], ix.low.to_string());
    assert_eq!(row[at("index_mean_high")], ix.high.to_string());
    let rupture = s.outcomes.iter().position(|o| o.name == "rupture").unwrap();
    assert_eq!(
        row[at("p_rupture_so_far_high")],
        s.so_far_interval(rupture, 30).high.to_string()
    );
    let rung = s
        .scenario
        .rungs
        .iter()
        .position(|r| r == "rupture")
        .unwrap();
    assert_eq!(
        row[at("p_rung_rupture_low")],
        s.rung_interval(30, rung).low.to_string()
    );
    let visa = s
        .levers
        .iter()
        .position(|l| l.name == "visa_regime")
        .unwrap();
    assert_eq!(
        row[at("mean_level_visa_regime_high")],
        s.mean_level_interval(visa, 30).unwrap().high.to_string()
    );
    // Below two runs a mean has no interval: its ends are empty; a share's are not.
    let one = summary_of(&loaded, &m, 2, 0, 1);
    let table = brink::report::csv::timeseries_table(&one);
    assert_eq!(table.rows[0][at("index_mean_low")], "");
    assert_eq!(table.rows[0][at("mean_level_visa_regime_high")], "");
    assert_ne!(table.rows[0][at("p_rung_rupture_high")], "");
}

/// A tally whose per-step index sum lies beyond the runs times the index's bounds (a damaged
/// or edited shard file) is refused: it gave a mean index of 21 on bounds of ±10, and an
/// interval of 10 to 10 that did not hold it.
#[test]
fn a_tally_whose_index_mean_leaves_the_bounds_is_refused() {
    let (_, m) = tutorial();
    let mut slot = ChunkSlot::<Tally>::new(&m);
    let never = std::sync::atomic::AtomicBool::new(false);
    brink::engine::run_range_into(&m, &Master::new(1), 0..100, false, None, &mut slot, &never);
    assert_eq!(slot.tally.check(&m, 100), Ok(()));
    let mut t = slot.tally.clone();
    t.index_mean_by_step[5].add(2000.0);
    let e = t.check(&m, 100).unwrap_err();
    assert!(e.contains("index_mean_by_step[5]"), "{e}");
}

/// The terminal's rung table gives each share (peak, final) and the mean steps on the rung
/// with its 95% interval; from one run, the mean's is none.
#[test]
fn the_terminal_rung_table_has_intervals() {
    let (loaded, m) = tutorial();
    let s = summary_of(&loaded, &m, 2, 0, 400);
    let text = brink::report::run::text(&s);
    let header = text
        .lines()
        .find(|l| l.starts_with("rung "))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(header.matches("95% interval").count(), 3, "{header}");
    let calm = text.lines().find(|l| l.starts_with("calm ")).unwrap();
    let peak = s.peak_rung[0];
    assert!(
        calm.contains(&format!("{:.3} – {:.3}", peak.low, peak.high)),
        "{calm}"
    );
    let one = summary_of(&loaded, &m, 2, 0, 1);
    let text = brink::report::run::text(&one);
    let calm = text.lines().find(|l| l.starts_with("calm ")).unwrap();
    // Said as the costs' interval is at one run.
    assert!(
        calm.trim_end().ends_with(brink::stats::NO_INTERVAL),
        "{calm}"
    );
}

/// An outcome judged at the end alone holds one step in every run it happens in: its mean
/// steps held is exactly 1, with an interval of [1, 1] even from a single such run.
#[test]
fn an_outcome_judged_at_the_end_holds_exactly_one_step() {
    let (loaded, m) = tutorial();
    let at_end = loaded
        .scenario
        .outcomes
        .iter()
        .position(|o| o.name == "calm_at_end")
        .unwrap();
    let once = (0..40)
        .map(|seed| summary_of(&loaded, &m, seed, 0, 1))
        .find(|s| s.outcomes[at_end].runs_hit == 1)
        .expect("a seed whose one run ends calm");
    let i = once.outcomes[at_end].mean_steps_held_interval.unwrap();
    assert_eq!((i.estimate, i.low, i.high), (1.0, 1.0, 1.0));
    let many = summary_of(&loaded, &m, 5, 0, 300);
    let i = many.outcomes[at_end].mean_steps_held_interval.unwrap();
    assert_eq!((i.estimate, i.low, i.high), (1.0, 1.0, 1.0));
    // Before the last step it cannot have happened: the per-step table's interval is [0, 0]
    // there (not Wilson's 0 to 1.3% of a share of 0 in 300 runs), Wilson's at the last step.
    let table = brink::report::csv::timeseries_table(&many);
    let col = |name: &str| table.columns.iter().position(|c| c.name == name).unwrap();
    let (p, low, high) = (
        col("p_calm_at_end_so_far"),
        col("p_calm_at_end_so_far_low"),
        col("p_calm_at_end_so_far_high"),
    );
    let last = table.rows.len() - 1;
    for row in &table.rows[..last] {
        assert_eq!((&*row[p], &*row[low], &*row[high]), ("0", "0", "0"));
    }
    let end = many.so_far_interval(at_end, last);
    assert!(end.high > end.estimate && end.estimate > 0.0, "{end:?}");
    assert_eq!(table.rows[last][high], end.high.to_string());
}

/// A summary written before brink recorded which outcomes are judged at the end alone, read
/// for a report: the scenario says, and their intervals before the last step are [0, 0].
#[test]
fn an_older_summary_learns_its_outcomes_judged_at_the_end_from_the_scenario() {
    use brink::report::combined::Input;
    let (loaded, m) = tutorial();
    let s = summary_of(&loaded, &m, 5, 0, 40);
    let mut v = serde_json::to_value(&s).unwrap();
    for o in v["outcomes"].as_array_mut().unwrap() {
        o.as_object_mut().unwrap().remove("judged_at_end");
    }
    let bytes = serde_json::to_vec(&v).unwrap();
    let mut input = Input::parse("summary.json", &bytes).unwrap();
    let Input::Run(old) = &input else {
        panic!("a run")
    };
    let at_end = m
        .outcomes
        .iter()
        .position(|o| o.name == "calm_at_end")
        .unwrap();
    assert!(
        old.so_far_interval(at_end, 0).high > 0.0,
        "read as Wilson's"
    );
    input.fit(&m).unwrap();
    let Input::Run(fitted) = &input else {
        panic!("a run")
    };
    let i = fitted.so_far_interval(at_end, 0);
    assert_eq!((i.low, i.high), (0.0, 0.0));
}
