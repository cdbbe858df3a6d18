//! Model v2's semantics, each against a known answer: the two clocks, conditional and one-way
//! levers, the nested choice (λ = 0 symmetry, levers that add no escalation, monotone
//! hawkishness), time conditions, two-sided contact, lasting effects, forced levers felt once,
//! start-of-step gates, and order-free steps (permuting the file changes no figure).

mod common;

use brink::model::{self, Choice, Decision, Model, Observer, RunState};
use brink::numerics::rng::Master;
use common::compile;

/// What a run did, step by step: levels, rungs, acts and events at the end of each step.
#[derive(Default)]
struct Path {
    levels: Vec<Vec<u8>>,
    rungs: Vec<usize>,
    h: Vec<Vec<f64>>,
    act_last: Vec<Vec<u32>>,
    events: Vec<(u32, usize, f64)>,
    decisions: Vec<(u32, Decision)>,
    contacts: Vec<(u32, usize, bool)>,
}

impl Observer for Path {
    const DETAILED: bool = true;
    fn step(&mut self, _t: u32, _m: &Model, s: &RunState) {
        self.levels.push(s.level.clone());
        self.rungs.push(s.rung);
        self.h.push(s.h.clone());
        self.act_last.push(s.act_last.clone());
    }
    fn event(&mut self, t: u32, e: usize, p: f64) {
        self.events.push((t, e, p));
    }
    fn decision(&mut self, t: u32, d: &Decision) {
        self.decisions.push((t, *d));
    }
    fn contact(&mut self, t: u32, act: usize, accepted: bool) {
        self.contacts.push((t, act, accepted));
    }
}

/// Plays run `r` and returns its path and final state.
fn play(m: &Model, master: &Master, st: &mut RunState, r: u64) -> Path {
    let mut p = Path::default();
    model::simulate(m, master, r, st, &mut p);
    p
}

/// The first step at which a measure is below `level` after having been at it or above.
fn first_below(p: &Path, k: usize, level: u8, from: usize) -> Option<usize> {
    (from..p.levels.len()).find(|&t| p.levels[t][k] < level)
}

/// `|x − p| ≤ 4·sqrt(p(1 − p)/n)`: a share within four standard errors of its probability.
fn near(x: f64, p: f64, n: usize, what: &str) {
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (x - p).abs() <= 4.0 * se,
        "{what}: {x} vs {p} (4 SE = {})",
        4.0 * se
    );
}

const CLOCKS: &str = r#"Scenario(
    name: "clocks", horizon: 120, focal: ("a", "b"),
    actors: [
        Actor(name: "a", rationality: 5, sensitivity: 2),
        Actor(name: "b", rationality: 0, activity: 0.2),
        Actor(name: "c", rationality: 5, sensitivity: 2),
    ],
    relations: [
        Relation(from: "a", to: "b", fatigue: 0.5, noise: 0.3),
        Relation(from: "b", to: "a", fatigue: 0.5, noise: 0.3),
        Relation(from: "c", to: "b", fatigue: 0.5),
        Relation(from: "b", to: "c", fatigue: 0.5),
    ],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2)],
    levers: [
        // Never worth raising, always worth lifting: only the lifting clock decides.
        Measure(name: "ban", owner: "a", target: "b", threshold: 100, half_life: 20,
                min_duration: 4, levels: [Level(name: "on", weight: -4)]),
        Measure(name: "charter_ban", owner: "c", target: "b", threshold: 100,
                lower_when: ActOccurred("apology"), levels: [Level(name: "on", weight: -3)]),
        Act(name: "apology", owner: "b", target: "a", weight: 3, once: true,
            allowed_when: StepIn(3, 200)),
    ],
    events: [
        Event(name: "shock", timing: Scheduled(step: 2), effects: [
            Impulse(from: "a", to: "b", amount: 8), Impulse(from: "b", to: "a", amount: 8),
            SetLevel(lever: "ban", level: 1), SetLevel(lever: "charter_ban", level: 1),
        ]),
    ],
)"#;

/// The two clocks: after a shock the mood is calm again within a few weeks, while a measure
/// imposed in the shock lives as its own parameters say. With the owner lifting at every
/// review, the lifting step is min_duration after the imposition plus a geometric number of
/// steps X with P(X ≥ n) = 2^(−n/half_life): median lifetime from then = half_life (20 steps).
/// A conditional lifting never precedes its condition, and an act done `once` is done once.
#[test]
fn measures_outlive_the_mood_by_their_half_life_and_conditions_hold() {
    let m = compile(CLOCKS, None);
    let (ban, charter) = (
        m.measure_index("ban").unwrap(),
        m.measure_index("charter_ban").unwrap(),
    );
    let apology = m.act_index("apology").unwrap();
    let master = Master::new(2026);
    let mut st = RunState::new(&m);
    let n = 20_000;
    let (mut over20, mut over40, mut calm8, mut ban8, mut lifted_charter) = (0, 0, 0, 0, 0);
    for r in 0..n {
        let p = play(&m, &master, &mut st, r);
        assert_eq!(p.levels[2][ban], 1, "run {r}: the shock imposes the ban");
        // Liftable from step 2 + min_duration = 6.
        let lifted = first_below(&p, ban, 1, 2).unwrap_or(usize::MAX);
        assert!(
            lifted >= 6,
            "run {r}: lifted at {lifted}, before min_duration"
        );
        let x = lifted.saturating_sub(6);
        over20 += (x >= 20) as usize;
        over40 += (x >= 40) as usize;
        calm8 += (p.rungs[8] == 0) as usize;
        ban8 += (p.levels[8][ban] == 1) as usize;
        // The charter ban is lifted only after the apology, in a later step.
        if let Some(c) = first_below(&p, charter, 1, 2) {
            let said = p.act_last[c][apology];
            assert!(
                said != u32::MAX && (said as usize) < c,
                "run {r}: lifted at {c} before the apology ({said})"
            );
            lifted_charter += 1;
        }
        let apologies = p
            .decisions
            .iter()
            .filter(|(_, d)| d.choice == Choice::Act(apology as u16))
            .count();
        assert!(
            apologies <= 1,
            "run {r}: {apologies} apologies, but it is `once`"
        );
        assert!(
            p.decisions
                .iter()
                .all(|(t, d)| d.choice != Choice::Act(apology as u16) || *t >= 3),
            "run {r}: apology outside StepIn(3, 200)"
        );
    }
    let f = |k: usize| k as f64 / n as f64;
    near(f(over20), 0.5, n as usize, "P(X >= half_life)");
    near(f(over40), 0.25, n as usize, "P(X >= 2 half_lives)");
    near(
        f(ban8),
        2f64.powf(-3.0 / 20.0),
        n as usize,
        "P(ban in force at step 8)",
    );
    assert!(
        f(calm8) > 0.95,
        "the mood is calm again by step 8 in {}",
        f(calm8)
    );
    assert!(
        lifted_charter > n as usize / 2,
        "the conditional lifting happens: {lifted_charter}"
    );
}

/// A one-way measure is never lowered, whatever the owner wants.
#[test]
fn an_irreversible_measure_is_never_lowered() {
    let text = CLOCKS.replace("half_life: 20,", "half_life: 0, reversible: false,");
    let m = compile(&text, None);
    let ban = m.measure_index("ban").unwrap();
    let master = Master::new(1);
    let mut st = RunState::new(&m);
    for r in 0..500 {
        let p = play(&m, &master, &mut st, r);
        assert_eq!(first_below(&p, ban, 1, 2), None, "run {r}");
    }
    // Reversible again, it is lifted at the first step min_duration allows.
    let text = CLOCKS.replace("half_life: 20,", "half_life: 0,");
    let m = compile(&text, None);
    let mut st = RunState::new(&m);
    for r in 0..500 {
        let p = play(&m, &master, &mut st, r);
        assert_eq!(first_below(&p, ban, 1, 2), Some(6), "run {r}");
    }
}

fn symmetric(lambda: f64, second: bool) -> String {
    let lever = |name: &str| {
        format!(
            r#"Measure(name: "{name}", owner: "a", target: "b", initial: 1,
                levels: [Level(name: "one", weight: -2), Level(name: "two", weight: -4)])"#
        )
    };
    let levers = if second {
        format!("{}, {}", lever("m1"), lever("m2"))
    } else {
        lever("m1")
    };
    format!(
        r#"Scenario(
        name: "sym", horizon: 1, focal: ("a", "b"),
        actors: [Actor(name: "a", rationality: {lambda}), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b", initial: 1), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [{levers}],
    )"#
    )
}

/// The direction (+1, 0, −1) of actor 0's first decision in each run.
fn first_directions(m: &Model, runs: u64) -> Vec<i8> {
    let master = Master::new(77);
    let mut st = RunState::new(m);
    (0..runs)
        .map(|r| {
            let p = play(m, &master, &mut st, r);
            let d = p
                .decisions
                .iter()
                .find(|(t, d)| *t == 0 && d.actor == 0)
                .unwrap()
                .1;
            d.choice.direction(d.weight)
        })
        .collect()
}

/// Random play (λ = 0) with symmetric levers escalates and de-escalates equally often: each
/// direction on offer has probability 1/3. Adding a lever no better than the best of its
/// direction changes no run's direction (the same draws decide), at λ = 0 and at λ = 1.
#[test]
fn random_play_is_symmetric_and_more_levers_add_no_escalation() {
    let n = 30_000;
    let dirs = first_directions(&compile(&symmetric(0.0, false), None), n);
    let count = |d: i8| dirs.iter().filter(|&&x| x == d).count();
    let (up, hold, down) = (count(1), count(0), count(-1));
    let diff = up as f64 - down as f64;
    assert!(
        diff.abs() <= 4.0 * ((up + down) as f64).sqrt(),
        "escalate {up} vs de-escalate {down}"
    );
    for (k, what) in [(up, "escalate"), (hold, "hold"), (down, "de-escalate")] {
        near(k as f64 / n as f64, 1.0 / 3.0, n as usize, what);
    }
    for lambda in [0.0, 1.0] {
        let one = first_directions(&compile(&symmetric(lambda, false), None), 5000);
        let two = first_directions(&compile(&symmetric(lambda, true), None), 5000);
        assert_eq!(
            one, two,
            "λ = {lambda}: a second identical lever changed directions"
        );
    }
}

fn hawk(h: f64) -> String {
    format!(
        r#"Scenario(
        name: "hawk", horizon: 30, focal: ("a", "b"),
        actors: [Actor(name: "a", rationality: 1, hawkishness: {h}), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b", fatigue: 0), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [Measure(name: "m", owner: "a", target: "b", threshold: 3, reversible: false,
                         levels: [Level(name: "on", weight: -2)])],
        outcomes: [Outcome(name: "raised", when: LevelAtLeast("m", 1))],
    )"#
    )
}

/// Raising hawkishness never lowers the chance of escalating: on a scenario where nothing moves
/// a's motive before it raises, the step of raising can only come earlier, run by run (the same
/// draws decide), and P(raised) rises with it.
#[test]
fn hawkishness_is_monotone() {
    let master = Master::new(5);
    let runs = 4000;
    let mut prev: Option<Vec<u32>> = None;
    let mut prev_p = -1.0;
    for h in [-2.0, -1.0, 0.0, 0.5, 1.0, 2.0] {
        let m = compile(&hawk(h), None);
        let mut st = RunState::new(&m);
        let firsts: Vec<u32> = (0..runs)
            .map(|r| {
                model::simulate(&m, &master, r, &mut st, &mut brink::model::Silent);
                st.outcome_first[0]
            })
            .collect();
        let p = firsts.iter().filter(|&&f| f != u32::MAX).count() as f64 / runs as f64;
        assert!(p >= prev_p, "hawkishness {h}: P(raised) {p} < {prev_p}");
        if let Some(before) = &prev {
            for (r, (a, b)) in before.iter().zip(&firsts).enumerate() {
                assert!(
                    b <= a,
                    "run {r}: raised at {b} with hawkishness {h}, at {a} with less"
                );
            }
        }
        prev = Some(firsts);
        prev_p = p;
    }
    assert!(
        prev_p > 0.9,
        "at hawkishness 2 nearly every run raises: {prev_p}"
    );
}

const TIME: &str = r#"Scenario(
    name: "time", horizon: 60, focal: ("a", "b"),
    actors: [Actor(name: "a", rationality: 0, activity: 0.02), Actor(name: "b", activity: 0)],
    relations: [Relation(from: "a", to: "b", fatigue: 0.3, noise: 2),
                Relation(from: "b", to: "a", fatigue: 0.3, noise: 2)],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 1)],
    levers: [Measure(name: "m", owner: "a", target: "b", levels: [Level(name: "on", weight: -1)])],
    outcomes: [
        Outcome(name: "hot3", when: Sustained(RungAtLeast("hot"), 3)),
        Outcome(name: "held4", when: LevelHeldFor("m", 1, 4)),
        Outcome(name: "ever", when: LevelEverReached("m", 1)),
        Outcome(name: "late", when: All([StepIn(40, 45), RungAtLeast("hot")])),
    ],
)"#;

/// `Sustained`, `LevelHeldFor`, `LevelEverReached` and `StepIn` hold exactly when the path of the
/// run says so: the first and last step at which each holds and the steps it held, recomputed
/// from the recorded path.
#[test]
fn time_conditions_match_the_recorded_path() {
    let m = compile(TIME, None);
    let master = Master::new(9);
    let mut st = RunState::new(&m);
    let run_of = |v: &[bool], n: usize| {
        (0..v.len()).find(|&t| t + 1 >= n && v[t + 1 - n..=t].iter().all(|&x| x))
    };
    let mut hits = [0; 4];
    for r in 0..3000 {
        let p = play(&m, &master, &mut st, r);
        let hot: Vec<bool> = p.rungs.iter().map(|&x| x >= 1).collect();
        let on: Vec<bool> = p.levels.iter().map(|l| l[0] >= 1).collect();
        let want = [
            run_of(&hot, 3),
            run_of(&on, 4),
            run_of(&on, 1),
            (40..=45).find(|&t| hot[t]),
        ];
        for (o, w) in want.iter().enumerate() {
            let got = st.outcome_first[o];
            let got = (got != u32::MAX).then_some(got as usize);
            assert_eq!(got, *w, "run {r}, outcome {}", m.outcomes[o].name);
            hits[o] += got.is_some() as usize;
        }
        // The truth of each outcome at every step, from the path: its last step and duration.
        let held =
            |v: &[bool], n: usize, t: usize| t + 1 >= n && v[t + 1 - n..=t].iter().all(|&x| x);
        let truth: [Vec<bool>; 4] = [
            (0..60).map(|t| held(&hot, 3, t)).collect(),
            (0..60).map(|t| held(&on, 4, t)).collect(),
            (0..60).map(|t| on[..=t].iter().any(|&x| x)).collect(),
            (0..60).map(|t| (40..=45).contains(&t) && hot[t]).collect(),
        ];
        for (o, v) in truth.iter().enumerate() {
            let steps = v.iter().filter(|&&x| x).count() as u32;
            assert_eq!(
                st.outcome_steps[o], steps,
                "run {r}, steps held of outcome {o}"
            );
            if let Some(last) = v.iter().rposition(|&x| x) {
                assert_eq!(
                    st.outcome_last[o], last as u32,
                    "run {r}, last step of outcome {o}"
                );
            }
        }
    }
    assert!(
        hits.iter().all(|&h| h > 100 && h < 2900),
        "each outcome is informative: {hits:?}"
    );
}

/// With more outcomes than fit one word of the sets a step rechecks (70: two words), each copy
/// of an outcome records the same first step, last step and steps held as the original, in
/// either word and at the words' edges (outcomes 63 and 64).
#[test]
fn outcomes_beyond_the_first_word_are_recorded_like_the_first() {
    let (head, tail) = TIME.split_once("    outcomes: [").unwrap();
    let (list, rest) = tail.split_once("    ],").unwrap();
    let originals: Vec<&str> = list.lines().filter(|l| l.contains("Outcome(")).collect();
    assert_eq!(originals.len(), 4);
    let copies: String = (0..70)
        .map(|i| {
            let line = originals[i % 4];
            let name = line.split('"').nth(1).unwrap();
            format!("{}\n", line.replacen(name, &format!("{name}_{i}"), 1))
        })
        .collect();
    let m = compile(
        &format!("{head}    outcomes: [\n{copies}    ],{rest}"),
        None,
    );
    assert_eq!(m.outcomes.len(), 70);
    let master = Master::new(9);
    let mut st = RunState::new(&m);
    let mut held = 0;
    for r in 0..500 {
        model::simulate(&m, &master, r, &mut st, &mut brink::model::Silent);
        for o in 4..70 {
            let first = st.outcome_first[o];
            assert_eq!(first, st.outcome_first[o % 4], "run {r}, outcome {o}");
            assert_eq!(
                st.outcome_steps[o],
                st.outcome_steps[o % 4],
                "run {r}, outcome {o}"
            );
            if first != u32::MAX {
                assert_eq!(
                    st.outcome_last[o],
                    st.outcome_last[o % 4],
                    "run {r}, outcome {o}"
                );
                held += 1;
            }
        }
    }
    assert!(
        held > 1000,
        "outcomes held in enough runs to compare: {held}"
    );
}

fn contact(accepter_activity: f64) -> String {
    format!(
        r#"Scenario(
        name: "contact", horizon: 40, focal: ("a", "b"),
        actors: [Actor(name: "a", rationality: 0, activity: 0.3),
                 Actor(name: "b", rationality: 0, activity: {accepter_activity})],
        relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [Act(name: "meeting", owner: "a", target: "b", weight: 4, cooldown: 0,
                     accepted_by: "b", accept_within: 2, accept_threshold: 1)],
        outcomes: [Outcome(name: "met", when: ActOccurred("meeting"))],
    )"#
    )
}

/// A contact happens only if the other side accepts within its window; an offer not accepted
/// lapses as refused, and the refusal is recorded.
#[test]
fn contact_needs_the_other_side() {
    let master = Master::new(3);
    // The other side never acts: every offer lapses, nothing happens.
    let m = compile(&contact(0.0), None);
    let mut st = RunState::new(&m);
    let mut refusals = 0;
    for r in 0..300 {
        let p = play(&m, &master, &mut st, r);
        assert!(!st.outcome_hit(0), "run {r}: met without acceptance");
        assert!(p.contacts.iter().all(|c| !c.2));
        refusals += p.contacts.len();
    }
    assert!(refusals > 100, "refusals are recorded: {refusals}");
    // The other side plays: a meeting happens after an offer, within the window.
    let m = compile(&contact(1.0), None);
    let mut st = RunState::new(&m);
    let mut met = 0;
    for r in 0..300 {
        let p = play(&m, &master, &mut st, r);
        for &(t, _, accepted) in p.contacts.iter().filter(|c| c.2) {
            let offer = p
                .decisions
                .iter()
                .filter(|(s, d)| d.actor == 0 && d.choice == Choice::Act(0) && *s < t)
                .map(|(s, _)| *s)
                .max()
                .expect("an offer before the acceptance");
            assert!(
                accepted && t - offer <= 2,
                "run {r}: accepted at {t}, offered at {offer}"
            );
            assert_eq!(
                p.act_last[t as usize][0], t,
                "run {r}: the act happens when accepted"
            );
        }
        met += st.outcome_hit(0) as usize;
    }
    assert!(
        met > 150,
        "meetings happen when the other side plays: {met}"
    );
}

fn lasting(duration: &str) -> String {
    format!(
        r#"Scenario(
        name: "lasting", horizon: 60, focal: ("a", "b"),
        actors: [Actor(name: "a", activity: 0), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b", fatigue: 0.5, grievance: 1),
                    Relation(from: "b", to: "a", fatigue: 0.5, grievance: 1)],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        events: [
            Event(name: "apology", timing: Scheduled(step: 10), effects: [
                ShiftRelation(from: "a", to: "b", param: Grievance, factor: 0{duration}),
                ShiftRelation(from: "b", to: "a", param: Grievance, factor: 0{duration}),
            ]),
            Event(name: "incident", timing: Hazard(rate: 0.2, grievance_slope: 0.5)),
        ],
    )"#
    )
}

/// A lasting effect removes a grievance for good (hostility falls from its equilibrium 2 to 0)
/// or for a while (it comes back), and a relapse hazard reads the grievance left: rate ·
/// exp(0.5 · G), with G read at the start of each step.
#[test]
fn lasting_effects_change_the_relation_and_feed_the_hazard() {
    let master = Master::new(4);
    let m = compile(&lasting(""), None);
    let mut st = RunState::new(&m);
    let incident = m.event_index("incident").unwrap();
    let before = 0.2 * brink::numerics::math::exp(0.5);
    let mut seen = [0, 0];
    for r in 0..200 {
        let p = play(&m, &master, &mut st, r);
        assert!(
            (p.h[9][0] - 2.0).abs() < 0.01,
            "equilibrium before: {}",
            p.h[9][0]
        );
        assert!(
            p.h[59][0].abs() < 1e-9,
            "run {r}: grievance removed for good: {}",
            p.h[59][0]
        );
        for &(t, e, prob) in p.events.iter().filter(|x| x.1 == incident) {
            let want = if t <= 10 { before } else { 0.2 };
            assert_eq!(
                prob.to_bits(),
                want.to_bits(),
                "run {r}, step {t}, event {e}"
            );
            seen[(t > 10) as usize] += 1;
        }
    }
    assert!(seen[0] > 100 && seen[1] > 100, "{seen:?}");
    let m = compile(&lasting(", duration: 5"), None);
    let mut st = RunState::new(&m);
    let p = play(&m, &master, &mut st, 0);
    assert!(p.h[12][0] < 0.5, "removed while it lasts: {}", p.h[12][0]);
    assert!(
        (p.h[59][0] - 2.0).abs() < 0.01,
        "and back after: {}",
        p.h[59][0]
    );
}

/// A forced lever is imposed as one move at the forced level, felt once: the target's
/// hostility rises by that level's weight (5), not by every level climbed (3 + 5).
#[test]
fn a_forced_lever_is_felt_once() {
    let text = r#"Scenario(
        name: "forced", horizon: 3, focal: ("a", "b"),
        actors: [Actor(name: "a", activity: 0), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b", fatigue: 0), Relation(from: "b", to: "a", fatigue: 0)],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [Measure(name: "m", owner: "a", target: "b",
                         levels: [Level(name: "one", weight: -3), Level(name: "two", weight: -5)])],
        variants: [Variant(name: "forced", force: {"m": 2})],
    )"#;
    let m = compile(text, Some("forced"));
    let mut st = RunState::new(&m);
    let p = play(&m, &Master::new(1), &mut st, 0);
    assert_eq!(p.h[0], vec![0.0, 5.0]);
    assert_eq!(p.h[2], vec![0.0, 5.0]);
}

/// An act's `SetLevel` that moves a measure after its owner chose makes the owner's raise or
/// lowering a hold: the owner weighed it at the level that stood. Found by a reviewer: the
/// raise went on from the new level, past a `min_rung` never checked (level 3 in every run,
/// at a cost of 1,000 a step), and a lowering cut short the `min_duration` the act began.
#[test]
fn a_move_overtaken_by_an_act_holds() {
    let scenario = |initial: u8, h: (f64, f64), gate: &str, levels: &str| {
        format!(
            r#"Scenario(name: "overtaken", horizon: 3, focal: ("a", "b"),
            actors: [Actor(name: "b", sensitivity: 10.0, rationality: 50.0),
                     Actor(name: "a", sensitivity: 10.0, rationality: 50.0)],
            relations: [Relation(from: "a", to: "b", initial: {}, fatigue: 0.0),
                        Relation(from: "b", to: "a", initial: {}, fatigue: 0.0)],
            ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 2.5),
                     Rung(name: "war", threshold: 9.5)],
            levers: [
              Measure(name: "m", owner: "a", target: "b", threshold: 0.0, initial: {initial},
                      min_duration: 1, levels: [{levels}]),
              Act(name: "x", owner: "b", target: "a", threshold: 0.0, weight: 0.0, once: true,
                  {gate} effects: [SetLevel(lever: "m", level: 2)])],
            )"#,
            h.0, h.1
        )
    };
    // A raise: the act sets level 2 at step 0, before a's raise to 2; level 3 needs "war".
    let raise = scenario(
        0,
        (5.0, 5.0),
        "",
        r#"Level(name: "l1", weight: -1.0), Level(name: "l2", weight: -2.0),
           Level(name: "l3", weight: -3.0, min_rung: "war", costs: {"a": 1000.0})"#,
    );
    let m = compile(&raise, None);
    let mut st = RunState::new(&m);
    for r in 0..200 {
        let p = play(&m, &Master::new(1), &mut st, r);
        assert_eq!(p.levels[0], vec![2], "run {r}: the act's level, a held");
        assert!(
            p.levels.iter().all(|l| l[0] <= 2),
            "run {r}: {:?}",
            p.levels
        );
        assert!(st.cost.iter().all(|&c| c == 0.0), "run {r}: {:?}", st.cost);
    }
    // A lowering: a at level 1 wants it lifted; the act sets level 2 at step 1, which must
    // then stand its min_duration of 1 step.
    let lower = scenario(
        1,
        (-5.0, 5.0),
        r#"allowed_when: StepIn(1, 1),"#,
        r#"Level(name: "l1", weight: -1.0), Level(name: "l2", weight: -2.0)"#,
    );
    let m = compile(&lower, None);
    let mut st = RunState::new(&m);
    for r in 0..200 {
        let p = play(&m, &Master::new(1), &mut st, r);
        if p.levels[0] == vec![1] {
            assert_eq!(p.levels[1], vec![2], "run {r}: {:?}", p.levels);
        }
    }
}

/// `LevelHeldFor` counts an unbroken hold: a lowering undone within the same step (an event
/// lifts the measure, its owner raises it again) starts the count again, while
/// `Sustained(LevelAtLeast)` reads only the ends of steps (docs/model.md, "The clock of
/// conditions").
#[test]
fn level_held_for_breaks_on_a_lowering_undone_within_a_step() {
    let text = r#"Scenario(name: "heldfor", horizon: 6, focal: ("a", "b"),
      actors: [Actor(name: "a", sensitivity: 10.0, rationality: 50.0), Actor(name: "b", activity: 0.0)],
      relations: [Relation(from: "a", to: "b", initial: 5.0, fatigue: 0.0),
                  Relation(from: "b", to: "a", initial: 0.0, fatigue: 0.0)],
      ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 2.5)],
      levers: [Measure(name: "m", owner: "a", target: "b", threshold: 0.0,
                       levels: [Level(name: "on", weight: 0.0)])],
      events: [Event(name: "e", timing: Scheduled(step: 3), effects: [SetLevel(lever: "m", level: 0)])],
      outcomes: [Outcome(name: "held4", when: LevelHeldFor("m", 1, 4)),
                 Outcome(name: "sus4", when: Sustained(LevelAtLeast("m", 1), 4))])"#;
    let m = compile(text, None);
    let o = |name: &str| m.outcomes.iter().position(|x| x.name == name).unwrap();
    let mut st = RunState::new(&m);
    for r in 0..20 {
        let p = play(&m, &Master::new(1), &mut st, r);
        if p.levels.iter().all(|l| l[0] == 1) {
            // At level 1 at the end of every step, lifted and raised again at step 3.
            assert_eq!(st.outcome_first[o("sus4")], 3, "run {r}");
            assert_eq!(st.outcome_first[o("held4")], u32::MAX, "run {r}");
        }
    }
}

/// An event's factor reads the state at the start of the step: a summit boosts the meeting
/// the step after it, whichever of the two the file lists first.
#[test]
fn gates_read_the_start_of_the_step_whatever_the_order() {
    let events = [
        r#"Event(name: "summit", timing: Scheduled(step: 3))"#,
        r#"Event(name: "meeting", timing: Hazard(rate: 0.001, factors: [
                Factor(when: EventWithin("summit", 1), times: 1000)]))"#,
    ];
    let text = |first: usize| {
        format!(
            r#"Scenario(
            name: "order", horizon: 8, focal: ("a", "b"),
            actors: [Actor(name: "a", activity: 0), Actor(name: "b", activity: 0)],
            relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
            ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
            events: [{}, {}],
            outcomes: [Outcome(name: "met_at_4", when: All([EventWithin("meeting", 1), StepIn(4, 4)])),
                       Outcome(name: "met_at_3", when: All([EventWithin("meeting", 1), StepIn(3, 3)]))],
        )"#,
            events[first],
            events[1 - first]
        )
    };
    let master = Master::new(8);
    let mut results = vec![];
    for first in [0, 1] {
        let m = compile(&text(first), None);
        let mut st = RunState::new(&m);
        let mut hits = vec![];
        for r in 0..2000 {
            model::simulate(&m, &master, r, &mut st, &mut brink::model::Silent);
            hits.push((st.outcome_hit(0), st.outcome_hit(1)));
        }
        assert!(
            hits.iter().all(|h| h.0),
            "the meeting follows the summit in every run"
        );
        assert!(
            hits.iter().filter(|h| h.1).count() < 20,
            "not in the summit's own step"
        );
        results.push(hits);
    }
    assert_eq!(results[0], results[1], "the file's order changed a run");
}

/// Permuting the order of events, levers and outcomes in the flagship changes no figure: the
/// tables are byte-identical, the outcome rows (matched by name) too.
#[test]
fn permuting_the_file_changes_no_figure() {
    let s = common::load("scenarios/russia_azerbaijan_2025.ron").scenario;
    let mut p = s.clone();
    p.events.reverse();
    p.levers.reverse();
    let mut q = p.clone();
    q.outcomes.reverse();
    let dir = common::scratch("permute");
    let write = |name: &str, s: &brink::scenario::Scenario| {
        let f = dir.join(name);
        let config = ron::ser::PrettyConfig::new()
            .extensions(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES);
        let text = ron::ser::to_string_pretty(s, config).expect("serialize");
        std::fs::write(&f, text).unwrap();
        f
    };
    let files = [
        write("base.ron", &s),
        write("levers.ron", &p),
        write("outcomes.ron", &q),
    ];
    let outs: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let out = dir.join(format!("out{i}"));
            common::ok(&[
                "run".as_ref(),
                f.as_os_str(),
                "--runs".as_ref(),
                "3000".as_ref(),
                "--seed".as_ref(),
                "11".as_ref(),
                "--out".as_ref(),
                out.as_os_str(),
            ]);
            out
        })
        .collect();
    let read = |o: &std::path::Path, f: &str| std::fs::read_to_string(o.join(f)).unwrap();
    for table in ["outcomes.csv", "timeseries.csv"] {
        assert_eq!(
            read(&outs[0], table),
            read(&outs[1], table),
            "{table}: events and levers permuted"
        );
    }
    // Outcomes reordered: the same rows, and the same columns of the time series, by name.
    let rows = |o: &std::path::Path| {
        let mut r: Vec<String> = read(o, "outcomes.csv").lines().map(String::from).collect();
        r.sort();
        r
    };
    assert_eq!(rows(&outs[0]), rows(&outs[2]));
    let columns = |o: &std::path::Path| {
        let text = read(o, "timeseries.csv");
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
        let mut cols: Vec<Vec<&str>> = (0..lines[0].len())
            .map(|c| lines.iter().map(|l| l[c]).collect())
            .collect();
        cols.sort();
        cols.iter().map(|c| c.join(",")).collect::<Vec<_>>()
    };
    assert_eq!(columns(&outs[0]), columns(&outs[2]));
}

/// `--per-run-steps` records the rung and every measure's level at the end of the steps asked
/// for: at the last step they are the final ones, and steps in force never exceed the horizon.
/// A step beyond the horizon is refused with exit code 2, and nothing is written.
#[test]
fn per_run_steps_record_the_measures_state() {
    let dir = common::scratch("per-run-steps");
    let out = dir.join("out");
    let tutorial = "scenarios/examples/tutorial.ron";
    let bad = common::brink(&[
        "run",
        tutorial,
        "--runs",
        "50",
        "--per-run-steps",
        "5,9999",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", common::describe(&bad));
    assert!(!out.exists(), "nothing written for a refused request");
    common::ok(&[
        "run",
        tutorial,
        "--runs",
        "400",
        "--per-run-steps",
        // Found by attack: a step asked for twice gave runs.csv two columns of one name.
        "51,0,13,13,51",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let unique: std::collections::BTreeSet<&&str> = header.iter().collect();
    assert_eq!(
        unique.len(),
        header.len(),
        "runs.csv has a column twice: {header:?}"
    );
    let snapshots: Vec<&str> = header
        .iter()
        .copied()
        .filter(|h| h.starts_with("out.rung_at."))
        .collect();
    assert_eq!(
        snapshots,
        ["out.rung_at.0", "out.rung_at.13", "out.rung_at.51"]
    );
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let m = common::compile(
        &std::fs::read_to_string(common::repo(tutorial)).unwrap(),
        None,
    );
    let mut moved = 0;
    for line in lines {
        let row: Vec<&str> = line.split(',').collect();
        assert_eq!(row[col("out.rung_at.51")], row[col("out.final_rung")]);
        for ms in &m.measures {
            let name = &m
                .scenario
                .levers
                .iter()
                .find(|l| l.name() == ms_name(&m, ms))
                .unwrap()
                .name()
                .to_string();
            assert_eq!(
                row[col(&format!("out.level.{name}.at.51"))],
                row[col(&format!("out.final_level.{name}"))]
            );
            let held: u32 = row[col(&format!("out.steps_in_force.{name}"))]
                .parse()
                .unwrap();
            assert!(held <= 52);
            moved += (row[col(&format!("out.level.{name}.at.0"))]
                != row[col(&format!("out.level.{name}.at.13"))]) as usize;
        }
    }
    assert!(
        moved > 0,
        "levels change between steps 0 and 13 in some runs"
    );
}

/// The name of a measure, through the model's index (names are the model's own).
fn ms_name<'a>(m: &'a Model, ms: &brink::model::MeasureSpec) -> &'a str {
    let k = m.measures.iter().position(|x| std::ptr::eq(x, ms)).unwrap();
    m.scenario
        .levers
        .iter()
        .filter(|l| matches!(l, brink::scenario::Lever::Measure(_)))
        .nth(k)
        .unwrap()
        .name()
}

/// The tornado marks the bars whose outcome reads the lever itself (forcing the visa regime
/// makes "visa imposed" true by definition; freezing either act of `Before("apology",
/// "leaders_meeting")` decides "apology first", which a reviewing helper found unmarked), and
/// only those.
#[test]
fn the_tornado_marks_outcomes_that_follow_by_definition() {
    let dir = common::scratch("tornado");
    for (outcome, want) in [
        ("visa_imposed", vec!["visa_regime"]),
        ("apology_first", vec!["apology", "leaders_meeting"]),
    ] {
        let out = dir.join(outcome);
        common::ok(&[
            "compare",
            "scenarios/examples/tutorial.ron",
            "--outcome",
            outcome,
            "--runs",
            "300",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ]);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap())
                .unwrap();
        let bars = json["tornado"]["bars"].as_array().expect("tornado bars");
        let mut marked: Vec<&str> = bars
            .iter()
            .filter(|b| b["by_definition"] == serde_json::Value::Bool(true))
            .map(|b| b["lever"].as_str().unwrap())
            .collect();
        marked.sort();
        assert_eq!(marked, want, "{outcome}");
    }
}

const ELECTION: &str = r#"Scenario(
    name: "election", horizon: 40, focal: ("a", "b"),
    actors: [Actor(name: "a", rationality: 10), Actor(name: "b", activity: 0)],
    relations: [Relation(from: "a", to: "b", fatigue: 0), Relation(from: "b", to: "a", fatigue: 0)],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
    levers: [Measure(name: "ban", owner: "a", target: "b", threshold: 10, reversible: false,
                     levels: [Level(name: "on", weight: -1)])],
    events: [
        // Its date is uncertain: drawn once per run, rounded.
        Event(name: "election", timing: Dated(step: Uniform(min: 10, max: 20)), branches: [
            // A new government with a different stance: the ban's threshold falls for good.
            Branch(name: "hawk", probability: 3, effects: [
                ShiftLever(lever: "ban", param: Threshold, add: -20),
            ]),
            Branch(name: "dove", probability: 7),
        ]),
        Event(name: "x", timing: Hazard(rate: 0.05)),
        Event(name: "y", timing: Hazard(rate: 0.05)),
    ],
    outcomes: [
        Outcome(name: "hawk_won", when: BranchTaken("election", "hawk")),
        Outcome(name: "banned", when: LevelAtLeast("ban", 1)),
        Outcome(name: "x_first", when: Before("x", "y")),
    ],
)"#;

/// An event with an uncertain date fires at its run's step, a branch is taken with its
/// chance (weights 3 : 7), a branch's effect changes a lever for good (the hawks' lower
/// threshold makes the ban certain in the election's own step), and `Before` orders first occurrences.
#[test]
fn dated_events_branches_lever_shifts_and_before() {
    let m = compile(ELECTION, None);
    let (election, x, y) = (
        m.event_index("election").unwrap(),
        m.event_index("x").unwrap(),
        m.event_index("y").unwrap(),
    );
    let master = Master::new(12);
    let mut st = RunState::new(&m);
    let n = 6000;
    let (mut hawks, mut steps) = (0, std::collections::BTreeSet::new());
    for r in 0..n {
        let p = play(&m, &master, &mut st, r);
        let fired: Vec<u32> = p
            .events
            .iter()
            .filter(|e| e.1 == election)
            .map(|e| e.0)
            .collect();
        assert_eq!(fired.len(), 1, "run {r}: a dated event fires once");
        assert!((10..=20).contains(&fired[0]), "run {r}: at {}", fired[0]);
        steps.insert(fired[0]);
        let hawk = st.outcome_hit(0);
        hawks += hawk as usize;
        let banned = st.outcome_first[1];
        if hawk {
            // Choices follow events within a step: the new stance acts at once.
            assert_eq!(
                banned, fired[0],
                "run {r}: the hawks ban in the election's step"
            );
        } else {
            assert_eq!(banned, u32::MAX, "run {r}: no ban under the doves");
        }
        let first = |e: usize| p.events.iter().find(|f| f.1 == e).map_or(u32::MAX, |f| f.0);
        let (fx, fy) = (first(x), first(y));
        assert_eq!(
            st.outcome_hit(2),
            fx != u32::MAX && fx < fy,
            "run {r}: x {fx}, y {fy}"
        );
    }
    assert_eq!(
        steps.len(),
        11,
        "every step from 10 to 20 occurs: {steps:?}"
    );
    near(hawks as f64 / n as f64, 0.3, n as usize, "P(hawk branch)");
}

fn thresholds(ease: &str) -> String {
    format!(
        r#"Scenario(
        name: "thresholds", horizon: 200, focal: ("a", "b"),
        actors: [Actor(name: "a", rationality: 10), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b", initial: 1, fatigue: 0), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [Measure(name: "ban", owner: "a", target: "b", {ease}
            levels: [Level(name: "one", weight: -1, threshold: 0),
                     Level(name: "two", weight: -1, threshold: 100)])],
    )"#
    )
}

/// Each level has its own threshold (level one pays at H = 1, level two never), and easing
/// has its own: with `ease_threshold: 5` lowering pays at H = 1, so the owner moves back and
/// forth; by default easing reads the level's own threshold (0) and the ban stays.
#[test]
fn thresholds_per_level_and_for_easing() {
    let master = Master::new(2);
    let lowerings = |text: &str| {
        let m = compile(text, None);
        let mut st = RunState::new(&m);
        let mut total = 0;
        for r in 0..200 {
            let p = play(&m, &master, &mut st, r);
            assert!(
                p.levels.iter().all(|l| l[0] <= 1),
                "run {r}: level two never pays"
            );
            total += p.levels.windows(2).filter(|w| w[1][0] < w[0][0]).count();
        }
        total as f64 / 200.0
    };
    let eased = lowerings(&thresholds("ease_threshold: 5,"));
    let kept = lowerings(&thresholds(""));
    assert!(
        eased > 50.0,
        "lowerings per run with an easing threshold: {eased}"
    );
    assert!(kept < 0.1, "lowerings per run without: {kept}");
}

fn flows(perception: f64) -> String {
    format!(
        r#"Scenario(
        name: "flows", horizon: 30, focal: ("a", "b"),
        actors: [Actor(name: "a", rationality: 5, cost_weight: 10), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b", initial: 1, fatigue: 0), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [
            Measure(name: "corridor", owner: "a", target: "b", threshold: 3, reversible: false,
                    levels: [Level(name: "open", weight: 1, benefits: {{"a": 2, "b": 3}})]),
            Measure(name: "tariff", owner: "a", target: "b", perception: {perception},
                    reversible: false, levels: [Level(name: "on", weight: -1, costs: {{"a": 1}})]),
        ],
    )"#
    )
}

/// Signed flows: a level's benefits are gains each actor accumulates while it is in force
/// (exactly benefit × steps in force), and a negative cost in its owner's choice (the corridor
/// pays its owner, so it opens though its motive says no). The perception factor scales the
/// cost an actor feels, not the cost it bears: a tariff felt at 0 is raised at once, felt in
/// full it is not.
#[test]
fn benefits_are_gains_and_perception_scales_felt_costs() {
    let master = Master::new(21);
    let m = compile(&flows(0.0), None);
    let (corridor, tariff) = (
        m.measure_index("corridor").unwrap(),
        m.measure_index("tariff").unwrap(),
    );
    let mut st = RunState::new(&m);
    let mut opened = 0;
    let mut tariffs = 0;
    for r in 0..300 {
        model::simulate(&m, &master, r, &mut st, &mut brink::model::Silent);
        let held = st.steps_in_force[corridor] as f64;
        assert_eq!(st.gain[1], 3.0 * held, "run {r}: b's gains");
        assert_eq!(st.gain[0], 2.0 * held, "run {r}: a's gains");
        assert_eq!(
            st.cost[0], st.steps_in_force[tariff] as f64,
            "run {r}: a bears the tariff in full"
        );
        opened += (held > 20.0) as usize;
        tariffs += (st.steps_in_force[tariff] > 20) as usize;
    }
    assert!(
        opened > 290,
        "the corridor pays its owner: opened early in {opened} of 300"
    );
    assert!(
        tariffs > 290,
        "a tariff felt at 0 is raised at once: {tariffs} of 300"
    );
    let m = compile(&flows(1.0), None);
    let mut st = RunState::new(&m);
    let mut tariffs = 0;
    for r in 0..300 {
        model::simulate(&m, &master, r, &mut st, &mut brink::model::Silent);
        tariffs += (st.steps_in_force[tariff] > 0) as usize;
    }
    assert!(
        tariffs < 3,
        "a tariff felt in full is not raised: {tariffs} of 300"
    );
}

const SHARED: &str = r#"Scenario(
    name: "shared", horizon: 40, focal: ("a", "b"),
    shared: [Shared(name: "war_risk", value: Uniform(min: 0.05, max: 0.5), source: "illustrative")],
    actors: [Actor(name: "a", activity: 0), Actor(name: "b", activity: 0)],
    relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
    events: [
        Event(name: "raid", timing: Hazard(rate: Shared("war_risk"))),
        Event(name: "strike", timing: Hazard(rate: Shared("war_risk"))),
    ],
)"#;

/// One uncertain number shared by several events is drawn once per run: both events see the
/// same value in every run, and that value varies from run to run. A use of an undefined shared
/// number, or of one whose values fall outside the field's range, is refused at its place.
#[test]
fn shared_numbers_are_drawn_once_per_run() {
    let m = compile(SHARED, None);
    let master = Master::new(6);
    let mut st = RunState::new(&m);
    let mut values = std::collections::BTreeSet::new();
    for r in 0..300 {
        let p = play(&m, &master, &mut st, r);
        let ps: std::collections::BTreeSet<u64> = p.events.iter().map(|e| e.2.to_bits()).collect();
        assert!(
            ps.len() <= 1,
            "run {r}: the events saw different values {ps:?}"
        );
        let v = st.values[m.param_index("shared.war_risk.value").unwrap()];
        assert!((0.05..=0.5).contains(&v));
        if let Some(&x) = ps.iter().next() {
            assert_eq!(x, v.to_bits(), "run {r}: the events use the shared value");
        }
        values.insert(v.to_bits());
    }
    assert!(
        values.len() > 250,
        "the shared number varies from run to run"
    );
    let dir = common::scratch("shared");
    for (name, text, want) in [
        (
            "unknown",
            SHARED.replace(
                r#"rate: Shared("war_risk"))),
        Event(name: "strike""#,
                r#"rate: Shared("war_rsk"))),
        Event(name: "strike""#,
            ),
            "not defined",
        ),
        (
            "range",
            SHARED.replace("max: 0.5", "max: 1.5"),
            "outside its valid range",
        ),
    ] {
        let f = dir.join(format!("{name}.ron"));
        std::fs::write(&f, text).unwrap();
        let o = common::brink(&["validate", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", common::describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        // At the use: line 8, column 50 of the file.
        assert!(
            err.contains(want) && err.contains(".ron:8:50"),
            "{name}: {err}"
        );
    }
}

/// A dated event's step may be a shared number: validation reads the shared number's range,
/// and the event fires at the shared value, rounded.
#[test]
fn a_dated_step_may_be_shared() {
    let text = r#"Scenario(
        name: "dated_shared", horizon: 20, focal: ("a", "b"),
        shared: [Shared(name: "vote", value: Uniform(min: 3, max: 8), source: "illustrative")],
        actors: [Actor(name: "a", activity: 0), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        events: [Event(name: "election", timing: Dated(step: Shared("vote")))],
    )"#;
    let m = compile(text, None);
    let master = Master::new(3);
    let mut st = RunState::new(&m);
    let vote = m.param_index("shared.vote.value").unwrap();
    for r in 0..200 {
        let p = play(&m, &master, &mut st, r);
        assert_eq!(p.events.len(), 1, "run {r}");
        assert_eq!(p.events[0].0 as f64, st.values[vote].round(), "run {r}");
    }
}

const CHECKED: &str = r#"Scenario(
    name: "checked", horizon: 60, focal: ("a", "b"),
    shared: [Shared(name: "s1", value: Uniform(min: 0.1, max: 0.9)), Shared(name: "z", value: 0)],
    actors: [Actor(name: "a"), Actor(name: "b")],
    relations: [Relation(from: "a", to: "b", fatigue: Shared("s1")), Relation(from: "b", to: "a")],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 2)],
    events: [
        Event(name: "d", timing: Dated(step: @STEP@),
              branches: [Branch(name: "b1", probability: 0), Branch(name: "b2", probability: @B2@)]),
    ],
    variants: [Variant(name: "v", set: {@SET@})],
)"#;

/// Found by attack: a dated step or a branch weight written `Shared(...)` was checked as an
/// unknown number (a valid shared step refused as reaching -inf..inf; branches whose only
/// weight is a shared 0 let through), and a variant's `set` escaped the checks the scenario's
/// own numbers get (a dated step beyond the horizon, every branch at probability 0, a shared
/// value outside a use's range). Each is now checked where it is written, exit code 2.
#[test]
fn shared_numbers_and_variants_get_the_checks_of_the_numbers_they_stand_for() {
    let dir = common::scratch("checked");
    let text = |step: &str, b2: &str, set: &str| {
        CHECKED
            .replace("@STEP@", step)
            .replace("@B2@", b2)
            .replace("@SET@", set)
    };
    // (name, file, None if valid or Some((line:column, fragment of the message)))
    let cases = [
        ("valid", text(r#"Shared("s1")"#, "1", ""), None),
        (
            "variant_step",
            text("3", "1", r#""events.d.step": 500"#),
            Some((":11:58", "the dated step is 500")),
        ),
        (
            "variant_branches",
            text("3", "1", r#""events.d.branches.b2.probability": 0"#),
            Some((":11:77", "every branch of event \"d\" has probability 0")),
        ),
        (
            "shared_branches",
            text("3", r#"Shared("z")"#, ""),
            Some((":9:25", "every branch has probability 0")),
        ),
        (
            "variant_shared",
            text("3", "1", r#""shared.s1.value": 50"#),
            Some((
                ":11:60",
                "relations.a->b.fatigue is 50, outside its valid range (through the shared \
                 number \"s1\")",
            )),
        ),
        (
            "variant_shared_step",
            text(r#"Shared("z")"#, "1", r#""shared.z.value": 70"#),
            Some((":11:59", "events.d.step: the dated step is 70")),
        ),
    ];
    for (name, text, want) in cases {
        let f = dir.join(format!("{name}.ron"));
        std::fs::write(&f, text).unwrap();
        let o = common::brink(&["validate", f.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        match want {
            None => assert!(o.status.success(), "{name}: {}", common::describe(&o)),
            Some((at, fragment)) => {
                assert_eq!(o.status.code(), Some(2), "{name}: {}", common::describe(&o));
                assert!(
                    err.contains(fragment) && err.contains(&format!("{name}.ron{at}")),
                    "{name}: {err}"
                );
            }
        }
    }
}

/// Found by attack: names whose parts of a random stream coincide (36-bit keys: "e2416748" and
/// "e2911928" as events; "actors.a960794" and "events.e2470501" as parameter blocks) passed
/// `brink validate`, then `brink run` refused them without a place, the blocks named as "a
/// block" and "a block". Validation now refuses them at the second name, naming both.
#[test]
fn names_whose_streams_coincide_are_refused_at_their_place() {
    let dir = common::scratch("collide");
    let base = r#"Scenario(
    name: "collide", horizon: 10, focal: ("a", "b"),
    actors: [Actor(name: "a"), Actor(name: "b"), Actor(name: "a960794", rationality: @R@)],
    relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
    events: [Event(name: "e2416748", timing: Hazard(rate: 0.1)), Event(name: @E@, timing: Hazard(rate: @P@))],
    variants: [Variant(name: "v", add_events: [Event(name: @ADD@, timing: Hazard(rate: 0.1))])],
)"#;
    let text = |r: &str, e: &str, p: &str, add: &str| {
        base.replace("@R@", r)
            .replace("@E@", e)
            .replace("@P@", p)
            .replace("@ADD@", add)
    };
    let cases = [
        ("distinct", text("1", "\"x\"", "0.1", "\"y\""), None),
        (
            "events",
            text("1", "\"e2911928\"", "0.1", "\"y\""),
            Some((
                ":6:78",
                "the events \"e2416748\" and \"e2911928\" have names whose random streams coincide",
            )),
        ),
        (
            "added",
            text("1", "\"x\"", "0.1", "\"e2911928\""),
            Some((":7:60", "the events \"e2416748\" and \"e2911928\"")),
        ),
        (
            "blocks",
            text(
                "Uniform(min: 0, max: 1)",
                "\"e2470501\"",
                "Uniform(min: 0, max: 0.1)",
                "\"y\"",
            ),
            Some((
                ":6:111",
                "the parameter blocks \"actors.a960794\" and \"events.e2470501\"",
            )),
        ),
    ];
    for (name, text, want) in cases {
        let f = dir.join(format!("{name}.ron"));
        std::fs::write(&f, text).unwrap();
        for cmd in ["validate", "run"] {
            let out = dir.join(format!("out-{name}"));
            let o = common::brink(
                &[
                    cmd,
                    f.to_str().unwrap(),
                    "--runs",
                    "10",
                    "--no-charts",
                    "--out",
                    out.to_str().unwrap(),
                ][..if cmd == "validate" { 2 } else { 7 }],
            );
            let err = String::from_utf8_lossy(&o.stderr);
            match want {
                None => assert!(o.status.success(), "{name} {cmd}: {}", common::describe(&o)),
                Some((at, fragment)) => {
                    assert_eq!(
                        o.status.code(),
                        Some(2),
                        "{name} {cmd}: {}",
                        common::describe(&o)
                    );
                    assert!(
                        err.contains(fragment) && err.contains(&format!("{name}.ron{at}")),
                        "{name} {cmd}: {err}"
                    );
                    assert!(!out.exists(), "{name} {cmd}: nothing written");
                }
            }
        }
    }
}

/// Found by attack: `brink sweep` of a number written `Shared(...)` wrote `"scenario_value":
/// null` (the use's own value is NaN until compiled), and a sweep grid was checked against the
/// field's range only: a dated step beyond the horizon, every branch at 0, a shared value
/// outside a use's range ran (clamped). The grid now gets a variant's checks (exit code 2,
/// nothing written) and the scenario's value is the shared number's.
#[test]
fn sweeps_check_their_grid_as_variants_and_read_shared_numbers() {
    let dir = common::scratch("sweep-checked");
    let f = dir.join("checked.ron");
    let text = CHECKED
        .replace("@STEP@", "3")
        .replace("@B2@", "1")
        .replace("@SET@", "");
    std::fs::write(&f, text).unwrap();
    let f = f.to_str().unwrap();
    for (set, fragment) in [
        ("events.d.step=0..100:3", "the dated step is 100"),
        (
            "events.d.branches.b2.probability=0..1:3",
            "has probability 0, so none can happen",
        ),
        (
            "shared.s1.value=0..5:3",
            "relations.a->b.fatigue is 2.5, outside its valid range (through the shared number",
        ),
    ] {
        let out = dir.join("refused");
        let o = common::brink(&[
            "sweep",
            f,
            "--set",
            set,
            "--runs",
            "20",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", common::describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(fragment), "{set}: {err}");
        assert!(!out.exists(), "{set}: nothing written");
    }
    let out = dir.join("fatigue");
    common::ok(&[
        "sweep",
        f,
        "--set",
        "relations.a->b.fatigue=0..1:3",
        "--runs",
        "20",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    let v = common::json(&out.join("sweep.json"));
    assert_eq!(
        v["scenario_value"].as_f64(),
        Some(0.5),
        "{}",
        v["scenario_value"]
    );
}

/// Found by attack: the branch an event took was kept as a u16 whose largest value meant "none
/// yet", so with 65,540 branches `BranchTaken("d", "b65535")` held before `d` ever fired and
/// branch 65,539 (the only one with a weight) counted as branch 3 (weight 0) taken. A scenario
/// file may now hold at most 64 branches an event (`limits::MAX_BRANCHES`, refused by
/// validation); the model is compiled here without it, so that the engine still tells them
/// apart should that limit be raised.
#[test]
fn thousands_of_branches_are_told_apart() {
    let branches: Vec<String> = (0..65_540)
        .map(|i| format!(r#"Branch(name:"b{i}",probability:{})"#, (i == 65_539) as u8))
        .collect();
    let text = format!(
        r#"Scenario(
    name: "branches", horizon: 10, focal: ("a", "b"),
    actors: [Actor(name: "a", activity: 0), Actor(name: "b", activity: 0)],
    relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
    events: [Event(name: "d", timing: Scheduled(step: 5), branches: [{}])],
    outcomes: [
        Outcome(name: "b3", when: BranchTaken("d", "b3")),
        Outcome(name: "b65535", when: BranchTaken("d", "b65535")),
        Outcome(name: "b65539", when: BranchTaken("d", "b65539")),
    ],
)"#,
        branches.join(",")
    );
    let s = brink::scenario::parse_str(&text).unwrap();
    let m = model::compile(&s, None).unwrap();
    let master = Master::new(1);
    let mut st = RunState::new(&m);
    for r in 0..20 {
        model::simulate(&m, &master, r, &mut st, &mut brink::model::Silent);
        assert_eq!(
            st.outcome_first,
            [u32::MAX, u32::MAX, 5],
            "run {r}: only the last branch is taken, at step 5"
        );
    }
}

/// A lever's condition may name an event only a variant adds: without the variant it never
/// occurs (the ban is never lifted); with it, the lifting waits for it.
#[test]
fn lever_conditions_may_name_events_a_variant_adds() {
    let text = r#"Scenario(
        name: "added", horizon: 30, focal: ("a", "b"),
        actors: [Actor(name: "a", rationality: 10), Actor(name: "b", activity: 0)],
        relations: [Relation(from: "a", to: "b", fatigue: 0), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [Measure(name: "ban", owner: "a", target: "b", initial: 1, threshold: 100,
                         lower_when: EventOccurred("ceasefire"),
                         levels: [Level(name: "on", weight: -1)])],
        variants: [Variant(name: "truce", add_events: [
            Event(name: "ceasefire", timing: Scheduled(step: 10)),
        ])],
    )"#;
    let master = Master::new(1);
    for (variant, lifted) in [(None, None), (Some("truce"), Some(11))] {
        let m = compile(text, variant);
        let ban = m.measure_index("ban").unwrap();
        let mut st = RunState::new(&m);
        let p = play(&m, &master, &mut st, 0);
        assert_eq!(first_below(&p, ban, 1, 0), lifted, "{variant:?}");
    }
}

/// A temporary shift lapses before the choices of its last step, whatever else happens in
/// that step's events: an event that shifts another relation (even by nothing) fired first
/// dropped the lapsing shift in the middle of the events, so that a later event's move felt
/// the unshifted salience (a variant adding a no-op event changed what a base event did).
#[test]
fn a_shift_lapses_after_the_events_of_its_last_step() {
    let scenario = |extra: &str| {
        format!(
            r#"Scenario(name: "p", horizon: 5, focal: ("x", "y"),
            actors: [Actor(name: "x", activity: 0.0), Actor(name: "y", activity: 0.0)],
            relations: [Relation(from: "x", to: "y", initial: 0.0, fatigue: 0.0),
                        Relation(from: "y", to: "x", initial: 0.0, fatigue: 0.0, salience: 1.0)],
            ladder: [Rung(name: "low", threshold: -10.0), Rung(name: "high", threshold: 3.0)],
            events: [
              Event(name: "s1", timing: Scheduled(step: 1),
                    effects: [ShiftRelation(from: "y", to: "x", param: Salience, factor: 0.0,
                                            duration: 2)]),
              Event(name: "b", timing: Scheduled(step: 3),
                    effects: [Move(by: "x", against: "y", weight: -4.0)]),
              {extra}
            ],
            )"#
        )
    };
    let no_op = r#"Event(name: "a", timing: Scheduled(step: 3),
                    effects: [ShiftRelation(from: "x", to: "y", param: Noise, add: 0.0)])"#;
    for extra in ["", no_op] {
        let m = compile(&scenario(extra), None);
        let mut st = RunState::new(&m);
        let p = play(&m, &Master::new(1), &mut st, 0);
        let yx = m.focal.1;
        assert_eq!(
            p.h[3][yx], 0.0,
            "{extra:?}: the move at step 3 felt at salience 0"
        );
        assert_eq!(p.h[4][yx], 0.0, "{extra:?}");
    }
}
