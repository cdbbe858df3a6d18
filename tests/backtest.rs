//! Back-testing: every fact's probability counted right, the same bits on any number of
//! threads, and a model scored on timelines drawn from itself looks calibrated.

use std::sync::atomic::AtomicBool;

use brink::analysis::backtest::{
    ParticleDraws, RunSpec, backtest_case, compile_case, pit_histogram, run_case,
};
use brink::analysis::sbc::{Design, observe};
use brink::model::{self, RunState, Silent};
use brink::numerics::rng::Master;
use brink::scenario::timeline::{Fact, Observed, Target, Timeline};
use brink::scenario::{self, LoadedScenario};

fn pair() -> LoadedScenario {
    scenario::load(
        "scenarios/examples/sbc_pair.ron".as_ref(),
        Default::default(),
    )
    .unwrap()
}

fn fact(name: &str, observed: Observed) -> Fact {
    Fact {
        name: name.into(),
        label: String::new(),
        observed,
        source: "test".into(),
    }
}

fn timeline(facts: Vec<Fact>) -> Timeline {
    Timeline {
        name: "t".into(),
        label: String::new(),
        scenario: String::new(),
        sources: vec![],
        facts,
    }
}

/// Each fact's count is what direct simulation of the same runs gives, fact by fact.
#[test]
fn fact_probabilities_match_direct_counts() {
    let l = pair();
    let s = &l.scenario;
    // 2030-01-07 is step 0; 2030-02-04 step 4; 2030-03-04 step 8.
    let t = timeline(vec![
        fact(
            "cooled_in_window",
            Observed::Happened {
                what: Target::Outcome("cooled".into()),
                date: "2030-02-04".into(),
                until: Some("2030-03-04".into()),
                tolerance: 1,
            },
        ),
        fact(
            "not_cooled_by",
            Observed::NotBy {
                what: Target::Condition(brink::scenario::Condition::RungBelow("tense".into())),
                date: "2030-02-04".into(),
            },
        ),
        fact(
            "tense_at_8",
            Observed::RungOn {
                rung: "tense".into(),
                date: "2030-03-04".into(),
            },
        ),
    ]);
    let case = compile_case(s, &t).unwrap();
    let runs = 3000;
    let (_, ft) = run_case(
        &case,
        &ParticleDraws::default(),
        9,
        runs,
        2,
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap();
    // The progress told chunk by chunk adds up to the runs, and changes nothing.
    let told = std::cell::Cell::new(0u64);
    let chunks = std::cell::Cell::new(0u64);
    let (_, again) = run_case(
        &case,
        &ParticleDraws::default(),
        9,
        runs,
        2,
        &AtomicBool::new(false),
        &|n| {
            told.set(told.get() + n);
            chunks.set(chunks.get() + 1);
        },
    )
    .unwrap();
    assert_eq!((told.get(), chunks.get()), (runs, runs.div_ceil(1024)));
    assert_eq!((again.runs, &again.holds), (ft.runs, &ft.holds));
    // Direct: the plain model (no added outcomes), run by run.
    let mut m = model::compile(s, None).unwrap();
    m.snapshot_steps = vec![8];
    let master = Master::new(9);
    let mut st = RunState::new(&m);
    let (mut a, mut b, mut c, mut all) = (0u64, 0u64, 0u64, 0u64);
    let (cooled, tense) = (
        m.outcome_index("cooled").unwrap(),
        m.rung_index("tense").unwrap(),
    );
    for r in 0..runs {
        model::simulate(&m, &master, r, &mut st, &mut Silent);
        let f = st.outcome_first[cooled];
        let ha = f != u32::MAX && (3..=9).contains(&f);
        let hb = f == u32::MAX || f > 4; // RungBelow("tense") is the outcome "cooled"
        let hc = st.snapshot_rungs[0] == tense;
        a += ha as u64;
        b += hb as u64;
        c += hc as u64;
        all += (ha && hb && hc) as u64;
    }
    assert_eq!(ft.runs, runs);
    assert_eq!(ft.holds, vec![a, b, c]);
    assert_eq!(ft.all_hold, all);
    assert!(
        a > 0 && b > 0 && c > 0,
        "every fact occurs in some run: {a} {b} {c}"
    );
}

/// A synthetic timeline observes the rung only at steps within the horizon: a step past it
/// (whose rung is never recorded) is an input error naming it, not a panic.
#[test]
fn a_synthetic_rung_step_past_the_horizon_is_refused() {
    let l = pair();
    let horizon = brink::model::compile(&l.scenario, None).unwrap().horizon;
    let d = |steps: Vec<u32>| Design {
        path: "shared.fatigue.value".into(),
        rung_steps: steps,
        outcome: None,
    };
    assert!(observe(&l.scenario, &d(vec![horizon - 1]), 0.2, 1, 0).is_ok());
    let e = observe(&l.scenario, &d(vec![3, horizon]), 0.2, 1, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "rung step {horizon} is beyond the scenario's last step, {}",
            horizon - 1
        )
    );
}

/// The same seed gives the same back-test on one thread and on three.
#[test]
fn backtest_is_the_same_on_any_number_of_threads() {
    let l = pair();
    let d = Design {
        path: "shared.fatigue.value".into(),
        rung_steps: vec![3, 9, 20],
        outcome: Some("cooled".into()),
    };
    let t = observe(&l.scenario, &d, 0.2, 1, 1 << 40).unwrap();
    let case = compile_case(&l.scenario, &t).unwrap();
    let stop = AtomicBool::new(false);
    let spec = |threads| RunSpec {
        seed: 4,
        runs: 2500,
        threads,
        command: vec![],
    };
    let a = backtest_case(&l, &case, &ParticleDraws::default(), &spec(1), &stop).unwrap();
    let b = backtest_case(&l, &case, &ParticleDraws::default(), &spec(3), &stop).unwrap();
    assert_eq!(a.facts, b.facts);
    assert_eq!(a.path_probability, b.path_probability);
}

/// A model scored on timelines drawn from itself is calibrated: over 300 timelines (each the
/// rung on one date of one run, true fatigue drawn from the prior), the PIT histogram of 5 bins
/// is flat. With 300 facts the share per bin has a standard error of at most √(0.2·0.8/300) =
/// 0.023 (less for the non-randomised PIT, which spreads each fact's mass); the test allows 4
/// standard errors per bin.
#[test]
fn a_model_scored_on_its_own_runs_has_a_flat_pit_histogram() {
    let l = pair();
    let s = &l.scenario;
    let stop = AtomicBool::new(false);
    let mut pits = vec![];
    let m = model::compile(s, None).unwrap();
    let fatigue = m.param_index("shared.fatigue.value").unwrap();
    for k in 0..300u64 {
        // One run of the model with everything drawn from the priors: the observed world.
        let step = 2 + (k % 12) as u32;
        let d = Design {
            path: "shared.fatigue.value".into(),
            rung_steps: vec![step],
            outcome: None,
        };
        let mut st = RunState::new(&m);
        model::sample_values(&m, &Master::new(77), k, &mut st.values);
        let t = observe(s, &d, st.values[fatigue], 77, k).unwrap();
        let case = compile_case(s, &t).unwrap();
        let spec = RunSpec {
            seed: 1000 + k,
            runs: 1500,
            threads: 2,
            command: vec![],
        };
        let r = backtest_case(&l, &case, &ParticleDraws::default(), &spec, &stop).unwrap();
        pits.push(r.facts[0].pit.unwrap());
    }
    let h = pit_histogram(&pits, 5);
    eprintln!("PIT histogram {h:?}");
    for x in &h {
        assert!(
            (x - 0.2).abs() < 4.0 * 0.0231,
            "PIT histogram not flat: {h:?}"
        );
    }
}

#[test]
fn pit_histogram_spreads_each_interval_over_its_bins() {
    let h = pit_histogram(&[(0.0, 0.5), (0.5, 1.0), (0.25, 0.25)], 4);
    // (0, .5) gives ½ to bins 0 and 1; (.5, 1) ½ to bins 2 and 3; the point 0.25 all to bin 1.
    let want = [0.5 / 3.0, 1.5 / 3.0, 0.5 / 3.0, 0.5 / 3.0];
    assert_eq!(h.len(), 4);
    for (a, b) in h.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "{h:?}");
    }
}

/// Over no fact with a distribution (only yes/no facts), the PIT histogram is empty and
/// pit.csv's shares are blank, as coverage is without bands: ten shares of 0 said no fact lay
/// in any bin, and did not sum to 1.
#[test]
fn a_pit_histogram_over_no_facts_is_empty() {
    assert!(pit_histogram(&[], 10).is_empty());
    let b = brink::analysis::backtest::combine(vec![], None);
    assert!(b.pit_histogram.is_empty());
    let csv = String::from_utf8(brink::report::backtest::pit_csv(&b).unwrap()).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "bin_low,bin_high,share,share_low,share_high");
    assert_eq!(rows.len(), 11, "{csv}");
    assert_eq!(rows[1], "0,0.1,,,");
    assert!(rows[1..].iter().all(|r| r.ends_with(",,,")), "{csv}");
}

/// A scenario outcome that happens to be named like the outcome a fact adds keeps its name and
/// meaning; the fact's own outcome takes another name.
#[test]
fn a_fact_outcome_never_takes_a_scenario_outcomes_name() {
    use brink::analysis::backtest::FactQuestion;
    let mut s = pair().scenario;
    s.outcomes.push(brink::scenario::Outcome {
        name: "fact__hot".into(),
        label: String::new(),
        when: brink::scenario::Condition::RungAtLeast("crisis".into()),
        at_end: false,
        source: String::new(),
    });
    let t = timeline(vec![fact(
        "hot",
        Observed::HappenedBy {
            what: Target::Condition(brink::scenario::Condition::RungBelow("tense".into())),
            date: "2030-02-04".into(),
        },
    )]);
    let case = compile_case(&s, &t).unwrap();
    let FactQuestion::By { outcome, .. } = case.facts[0].question else {
        panic!("a HappenedBy fact is a By question")
    };
    let o = &case.model.outcomes[outcome];
    assert_ne!(o.name, "fact__hot");
    assert!(case.model.outcome_index("fact__hot").is_some());
}
