//! The model against known answers: Richardson's closed form, logit choice frequencies, event
//! hazards, and the Monte Carlo mean of a linear noisy scenario.

mod common;

use brink::model::{self, Choice, Decision, Model, Observer, RunState, Silent};
use brink::numerics::rng::Master;
use common::compile;

fn pair(
    a: (f64, f64, f64, f64),
    b: (f64, f64, f64, f64),
    noise: f64,
    horizon: u32,
    bounds: f64,
) -> String {
    format!(
        r#"Scenario(
    name: "pair", horizon: {horizon}, focal: ("a", "b"), bounds: (-{bounds}, {bounds}),
    actors: [Actor(name: "a"), Actor(name: "b")],
    relations: [
        Relation(from: "a", to: "b", initial: {}, fatigue: {}, reactivity: {}, grievance: {}, noise: {noise}),
        Relation(from: "b", to: "a", initial: {}, fatigue: {}, reactivity: {}, grievance: {}, noise: {noise}),
    ],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
)"#,
        a.0, a.1, a.2, a.3, b.0, b.1, b.2, b.3
    )
}

/// Records the focal hostilities after every step.
struct Path2(Vec<(f64, f64)>);
impl Observer for Path2 {
    fn step(&mut self, _t: u32, m: &Model, s: &RunState) {
        self.0.push((s.h[m.focal.0], s.h[m.focal.1]));
    }
}

#[test]
fn richardson_trajectory_and_equilibrium_match_the_closed_form() {
    let (a_a, k_a, g_a) = (0.3, 0.2, 0.5);
    let (a_b, k_b, g_b) = (0.4, 0.1, 0.2);
    let m = compile(
        &pair((2.0, a_a, k_a, g_a), (0.0, a_b, k_b, g_b), 0.0, 200, 10.0),
        None,
    );
    let mut st = RunState::new(&m);
    let mut path = Path2(vec![]);
    model::simulate(&m, &Master::new(1), 0, &mut st, &mut path);
    // Step by step, the engine is the VAR(1) recursion.
    let (mut x, mut y) = (2.0_f64, 0.0_f64);
    for &(hx, hy) in &path.0 {
        let (nx, ny) = (
            (1.0 - a_a) * x + k_a * y + g_a,
            (1.0 - a_b) * y + k_b * x + g_b,
        );
        (x, y) = (nx, ny);
        assert!((hx - x).abs() < 1e-12 && (hy - y).abs() < 1e-12);
    }
    // And it settles at Richardson's equilibrium.
    let det = a_a * a_b - k_a * k_b;
    let xa = (a_b * g_a + k_a * g_b) / det;
    let xb = (a_a * g_b + k_b * g_a) / det;
    let (hx, hy) = *path.0.last().unwrap();
    assert!((hx - xa).abs() < 1e-9, "{hx} vs {xa}");
    assert!((hy - xb).abs() < 1e-9, "{hy} vs {xb}");
}

#[test]
fn spectral_radius_at_or_above_one_runs_away() {
    // [[1-a_A, k_A],[k_B, 1-a_B]] = [[0.9, 0.3],[0.3, 0.9]]: radius 1.2.
    let m = compile(
        &pair((1.0, 0.1, 0.3, 0.1), (1.0, 0.1, 0.3, 0.1), 0.0, 200, 1e5),
        None,
    );
    let mut st = RunState::new(&m);
    let mut path = Path2(vec![]);
    model::simulate(&m, &Master::new(1), 0, &mut st, &mut path);
    assert!(
        path.0.windows(2).all(|w| w[1].0 > w[0].0 || w[1].0 == 1e5),
        "grows every step until the bound"
    );
    assert_eq!(path.0.last().unwrap().0, 1e5, "reaches the bound");
    // Radius exactly 1 (a·a = k·k): no equilibrium; with grievance it grows without limit.
    let m = compile(
        &pair((0.0, 0.2, 0.2, 0.1), (0.0, 0.2, 0.2, 0.1), 0.0, 400, 1e5),
        None,
    );
    let mut path = Path2(vec![]);
    model::simulate(&m, &Master::new(1), 0, &mut st, &mut path);
    let last = path.0.last().unwrap().0;
    assert!(
        (last - 400.0 * 0.1).abs() < 1e-6,
        "linear growth by g per step: {last}"
    );
}

/// The Monte Carlo mean of a linear noisy scenario is the deterministic recursion: the noise has
/// mean zero and the bounds are far. The tolerance is 4 standard errors of the sample mean.
#[test]
fn monte_carlo_mean_matches_the_recursion() {
    let m = compile(
        &pair((3.0, 0.3, 0.2, 0.5), (-1.0, 0.4, 0.1, 0.2), 1.0, 30, 1000.0),
        None,
    );
    let master = Master::new(2024);
    let mut st = RunState::new(&m);
    let n = 20_000;
    let (mut sum, mut sumsq) = (vec![0.0; 30], vec![0.0; 30]);
    for r in 0..n {
        let mut path = Path2(vec![]);
        model::simulate(&m, &master, r, &mut st, &mut path);
        for (t, &(x, _)) in path.0.iter().enumerate() {
            sum[t] += x;
            sumsq[t] += x * x;
        }
    }
    let (mut x, mut y) = (3.0_f64, -1.0_f64);
    for t in 0..30 {
        (x, y) = (0.7 * x + 0.2 * y + 0.5, 0.6 * y + 0.1 * x + 0.2);
        let mean = sum[t] / n as f64;
        let sd = (sumsq[t] / n as f64 - mean * mean).sqrt();
        let se = sd / (n as f64).sqrt();
        assert!(
            (mean - x).abs() < 4.0 * se,
            "step {t}: mean {mean}, recursion {x}, se {se}"
        );
    }
}

/// Records the first step's decision of actor 0.
struct FirstDecision(Option<Decision>);
impl Observer for FirstDecision {
    const DETAILED: bool = true;
    fn decision(&mut self, t: u32, d: &Decision) {
        if t == 0 && d.actor == 0 {
            self.0 = Some(*d);
        }
    }
}

/// Choice frequencies match the nested logit's probabilities: a chi-square test at a fixed seed, with the
/// 0.1% critical value of chi-square with 3 degrees of freedom (16.27).
#[test]
fn nested_logit_choice_frequencies_match_their_probabilities() {
    let text = r#"Scenario(
        name: "choice", horizon: 1, focal: ("a", "b"),
        actors: [
            Actor(name: "a", rationality: 0.8, sensitivity: 0.5, cost_weight: 0.1, activity: 1.0),
            Actor(name: "b", activity: 0.0),
        ],
        relations: [
            Relation(from: "a", to: "b", initial: 4.0),
            Relation(from: "b", to: "a", initial: 1.0),
        ],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [
            Measure(name: "ban", owner: "a", target: "b", threshold: 2.0,
                levels: [Level(name: "on", weight: -8, costs: {"a": 5.0}, reward: 0.3)]),
            Act(name: "note", owner: "a", target: "b", weight: -2, threshold: 3.0),
            Act(name: "gift", owner: "a", target: "b", weight: 3.4, threshold: 1.0, reward: 0.5),
        ],
    )"#;
    let m = compile(text, None);
    // Utilities at step 0 (h = 4): hold 0; raise ban 0.5·(4−2) − 0.1·5 + 0.3 = 0.8;
    // note 0.5·(4−3) = 0.5; gift −0.5·(4−1) + 0.5 = −1.0.
    // Nested logit (λ = 0.8): hold (0), escalate (ban 0.8, note 0.5; valued 0.8) or
    // de-escalate (gift −1.0), then which option within the direction.
    let l = 0.8_f64;
    let nests = [1.0, (l * 0.8).exp(), (-l).exp()];
    let total: f64 = nests.iter().sum();
    let within = [1.0, (l * (0.5 - 0.8)).exp()];
    let esc = nests[1] / total / (within[0] + within[1]);
    let p = [
        nests[0] / total,
        esc * within[0],
        esc * within[1],
        nests[2] / total,
    ];
    let master = Master::new(99);
    let mut st = RunState::new(&m);
    let n = 40_000;
    let mut counts = [0u64; 4];
    for r in 0..n {
        let mut obs = FirstDecision(None);
        model::simulate(&m, &master, r, &mut st, &mut obs);
        let d = obs.0.expect("actor a is always active");
        let i = match d.choice {
            Choice::Hold => 0,
            Choice::Raise(_) => 1,
            // Levers are taken in the order of their names: gift (act 0), then note.
            Choice::Act(0) => 3,
            Choice::Act(_) => 2,
            Choice::Lower(..) | Choice::Accept(_) => panic!("nothing to lower or accept"),
        };
        assert!((d.probability - p[i]).abs() < 1e-12, "reported odds");
        counts[i] += 1;
    }
    let chi2: f64 = (0..4)
        .map(|i| {
            let e = p[i] * n as f64;
            (counts[i] as f64 - e).powi(2) / e
        })
        .sum();
    assert!(
        chi2 < 16.27,
        "chi-square {chi2}, counts {counts:?}, p {p:?}"
    );
}

fn event_scenario(timing: &str, once: bool) -> String {
    format!(
        r#"Scenario(
        name: "events", horizon: 52, focal: ("a", "b"),
        actors: [Actor(name: "a"), Actor(name: "b")],
        relations: [Relation(from: "a", to: "b", initial: 2.0, fatigue: 0.0),
                    Relation(from: "b", to: "a", initial: 2.0, fatigue: 0.0)],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        events: [Event(name: "shock", timing: {timing}, once: {once})],
        outcomes: [Outcome(name: "shocked", when: EventOccurred("shock"))],
    )"#
    )
}

/// Counts event firings.
struct Firings(u64);
impl Observer for Firings {
    const DETAILED: bool = true;
    fn event(&mut self, _t: u32, _e: usize, _p: f64) {
        self.0 += 1;
    }
}

/// A constant hazard p gives a Binomial(52, p) count per run; a state-dependent one multiplies
/// the rate by exp(slope·H). Tolerances: 4 standard errors.
#[test]
fn event_hazards_give_the_expected_counts() {
    let master = Master::new(5);
    let runs = 5_000u64;
    for (timing, p) in [
        ("Hazard(rate: 0.1)".to_string(), 0.1),
        // H stays at 2 (no fatigue, no moves): 0.05·exp(0.2·2).
        (
            "Hazard(rate: 0.05, index_slope: 0.2)".to_string(),
            0.05 * (0.4f64).exp(),
        ),
    ] {
        let m = compile(&event_scenario(&timing, false), None);
        let mut st = RunState::new(&m);
        let mut f = Firings(0);
        for r in 0..runs {
            model::simulate(&m, &master, r, &mut st, &mut f);
        }
        let mean = f.0 as f64 / runs as f64;
        let expected = 52.0 * p;
        let se = (52.0 * p * (1.0 - p) / runs as f64).sqrt();
        assert!(
            (mean - expected).abs() < 4.0 * se,
            "{timing}: {mean} vs {expected}"
        );
    }
    // `once`: P(fired within 52 steps) = 1 − (1 − p)^52.
    let m = compile(&event_scenario("Hazard(rate: 0.02)", true), None);
    let mut st = RunState::new(&m);
    let mut hits = 0;
    let mut f = Firings(0);
    for r in 0..runs {
        model::simulate(&m, &master, r, &mut st, &mut f);
        hits += st.outcome_hit(0) as u64;
    }
    assert_eq!(f.0, hits, "a once event fires at most once per run");
    let p = 1.0 - 0.98f64.powi(52);
    let se = (p * (1.0 - p) / runs as f64).sqrt();
    let got = hits as f64 / runs as f64;
    assert!((got - p).abs() < 4.0 * se, "{got} vs {p}");
    // Scheduled: fires only at its step, with its probability.
    let m = compile(
        &event_scenario("Scheduled(step: 10, probability: 0.3)", false),
        None,
    );
    let mut hits = 0;
    for r in 0..runs {
        model::simulate(&m, &master, r, &mut st, &mut Silent);
        if st.outcome_hit(0) {
            assert_eq!(st.outcome_first[0], 10);
            hits += 1;
        }
    }
    let se = (0.3 * 0.7 / runs as f64).sqrt();
    assert!((hits as f64 / runs as f64 - 0.3).abs() < 4.0 * se);
}

/// Changing one actor's options leaves every other stream where it was: the events, the noise
/// and the other actor's choices of a variant match the base run for run (common random
/// numbers).
#[test]
fn variants_share_random_numbers() {
    let text = r#"Scenario(
        name: "crn", horizon: 20, focal: ("a", "b"),
        actors: [Actor(name: "a", activity: 0.5), Actor(name: "b", activity: 0.7, sensitivity: Uniform(min: 0.5, max: 1.5))],
        relations: [Relation(from: "a", to: "b", initial: 3.0, noise: 0.5),
                    Relation(from: "b", to: "a", initial: 3.0, noise: 0.5)],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [
            Measure(name: "ban", owner: "a", target: "b", levels: [Level(name: "on", weight: -8)]),
            Act(name: "note", owner: "b", target: "a", weight: -2),
        ],
        events: [Event(name: "shock", timing: Hazard(rate: 0.2))],
        variants: [Variant(name: "no_ban", freeze: ["ban"])],
    )"#;
    let base = compile(text, None);
    let var = compile(text, Some("no_ban"));
    struct Log(Vec<(u32, usize, bool)>, Vec<u32>);
    impl Observer for Log {
        const DETAILED: bool = true;
        fn decision(&mut self, t: u32, d: &Decision) {
            if d.actor == 1 {
                self.0.push((t, d.actor, d.active));
            }
        }
        fn event(&mut self, t: u32, _e: usize, _p: f64) {
            self.1.push(t);
        }
    }
    let master = Master::new(3);
    let (mut s1, mut s2) = (RunState::new(&base), RunState::new(&var));
    for r in 0..200 {
        let (mut l1, mut l2) = (Log(vec![], vec![]), Log(vec![], vec![]));
        model::simulate(&base, &master, r, &mut s1, &mut l1);
        model::simulate(&var, &master, r, &mut s2, &mut l2);
        assert_eq!(s1.values, s2.values, "sampled numbers");
        assert_eq!(l1.0, l2.0, "actor b's activity draws");
        assert_eq!(
            l1.1, l2.1,
            "event draws (the hazard does not depend on the state)"
        );
    }
}
