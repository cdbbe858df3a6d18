//! Properties of the model on generated small scenarios (proptest): hostilities stay inside
//! their bounds after every step; every decision's logit probability is in (0, 1], and is 1 when
//! the actor has a single option (or is inactive); cumulative costs never decrease; the rung is
//! never below the highest `implies_rung` of the measures in force (nor below the rung the index
//! reaches). Each property runs at most 64 cases.

mod common;

use brink::model::{self, Decision, Model, Observer, RunState};
use brink::numerics::rng::Master;
use brink::stats::Tally;
use common::compile;
use proptest::prelude::*;

/// Reads generated unit numbers in order, scaled to what each field needs.
struct Gen<'a> {
    u: &'a [f64],
    i: usize,
}

impl Gen<'_> {
    fn unit(&mut self) -> f64 {
        let x = self.u[self.i % self.u.len()];
        self.i += 1;
        x
    }
    /// A number in [lo, hi], written so that RON reads it back exactly.
    fn num(&mut self, lo: f64, hi: f64) -> String {
        format!("{:?}", lo + (hi - lo) * self.unit())
    }
    fn pick(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
    /// A plain number or, half the time, a distribution over [lo, hi].
    fn param(&mut self, lo: f64, hi: f64) -> String {
        match self.pick(4) {
            0 | 1 => self.num(lo, hi),
            2 => {
                let a = lo + (hi - lo) * self.unit();
                let b = lo + (hi - lo) * self.unit();
                format!("Uniform(min: {:?}, max: {:?})", a.min(b), a.max(b))
            }
            _ => {
                let a = lo + (hi - lo) * self.unit();
                let b = lo + (hi - lo) * self.unit();
                let (mn, mx) = (a.min(b), a.max(b));
                let mode = mn + (mx - mn) * self.unit();
                format!("Triangular(min: {mn:?}, mode: {mode:?}, max: {mx:?})")
            }
        }
    }
}

const RUNGS: [&str; 3] = ["calm", "tense", "rupture"];

/// A small valid scenario built from generated numbers: two or three actors, relations both
/// ways, a three-rung ladder, measures with rung implications, an act, a pressure and events
/// that scale hostilities and force levels.
fn scenario_text(u: &[f64], horizon: u32, three: bool) -> String {
    let mut g = Gen { u, i: 0 };
    let bound = 1.0 + 99.0 * g.unit();
    // -bound < t1 < t2 < bound.
    let t1 = bound * (-0.9 + 1.3 * g.unit());
    let t2 = t1 + bound * (0.01 + 0.49 * g.unit());
    let actors: Vec<&str> = if three {
        vec!["a", "b", "c"]
    } else {
        vec!["a", "b"]
    };
    let mut s = format!(
        "Scenario(name: \"generated\", horizon: {horizon}, focal: (\"a\", \"b\"),\n\
         bounds: ({:?}, {bound:?}),\n actors: [\n",
        -bound
    );
    for a in &actors {
        s += &format!(
            "  Actor(name: \"{a}\", rationality: {}, sensitivity: {}, cost_weight: {}, activity: {}),\n",
            g.param(0.0, 20.0),
            g.param(0.0, 3.0),
            g.param(0.0, 2.0),
            g.param(0.0, 1.0),
        );
    }
    s += " ],\n relations: [\n";
    let mut pairs = vec![("a", "b"), ("b", "a")];
    if three {
        pairs.extend([("c", "a"), ("a", "c"), ("c", "b"), ("b", "c")]);
    }
    for (f, t) in &pairs {
        s += &format!(
            "  Relation(from: \"{f}\", to: \"{t}\", initial: {}, fatigue: {}, reactivity: {}, \
             grievance: {}, noise: {}, salience: {}),\n",
            g.param(-bound, bound),
            g.param(0.0, 1.0),
            g.param(-1.0, 1.0),
            g.param(-bound / 2.0, bound / 2.0),
            g.param(0.0, bound / 4.0),
            g.param(0.0, 3.0),
        );
    }
    s += &format!(
        " ],\n ladder: [Rung(name: \"calm\", threshold: {:?}), Rung(name: \"tense\", threshold: {t1:?}), \
         Rung(name: \"rupture\", threshold: {t2:?})],\n",
        -bound
    );
    s += &format!(
        " pressures: [Pressure(name: \"p\", actor: \"b\", initial: {}, decay: {}, push: {})],\n",
        g.param(0.0, 5.0),
        g.param(0.0, 1.0),
        g.param(-2.0, 2.0),
    );
    s += " levers: [\n";
    let n_measures = 1 + g.pick(3);
    for k in 0..n_measures {
        let owner = actors[g.pick(actors.len())];
        let target = actors
            .iter()
            .copied()
            .find(|t| *t != owner)
            .expect("two actors");
        let levels = 1 + g.pick(3);
        let initial = g.pick(levels + 1);
        s += &format!(
            "  Measure(name: \"m{k}\", owner: \"{owner}\", target: \"{target}\", threshold: {}, \
             persistence: {}, initial: {initial}, levels: [\n",
            g.param(-bound, bound),
            g.param(0.0, 3.0),
        );
        for l in 0..levels {
            let min_rung = RUNGS[g.pick(3)];
            let implies = RUNGS[g.pick(3)];
            s += &format!(
                "    Level(name: \"l{l}\", weight: {}, irritation: {}, \
                 costs: {{\"{owner}\": {}, \"{target}\": {}}}, pressure: {{\"p\": {}}}, \
                 modifiers: [Modifier(actor: \"{target}\", param: Sensitivity, factor: {}, add: {})], \
                 min_rung: \"{min_rung}\", implies_rung: \"{implies}\", reward: {}),\n",
                g.param(-10.0, 10.0),
                g.param(-1.0, 1.0),
                g.param(0.0, 10.0),
                g.param(0.0, 10.0),
                g.param(0.0, 2.0),
                g.param(0.0, 2.0),
                g.param(-1.0, 1.0),
                g.param(-2.0, 2.0),
            );
        }
        s += "  ]),\n";
    }
    s += &format!(
        "  Act(name: \"x\", owner: \"b\", target: \"a\", threshold: {}, weight: {}, cooldown: {}, \
         costs: {{\"b\": {}}}, effects: [ScaleHostility(factor: {})], reward: {}),\n ],\n",
        g.param(-bound, bound),
        g.param(-10.0, 10.0),
        g.pick(4),
        g.param(0.0, 5.0),
        g.param(0.0, 2.0),
        g.param(-1.0, 1.0),
    );
    let set_measure = g.pick(n_measures);
    s += &format!(
        " events: [\n  Event(name: \"shock\", timing: Hazard(rate: {}, index_slope: {}), once: false, \
         effects: [Impulse(from: \"a\", to: \"b\", amount: {}), SetLevel(lever: \"m{set_measure}\", level: 1)]),\n\
         \x20 Event(name: \"meeting\", timing: Scheduled(step: {}, probability: {}), \
         effects: [ScaleHostility(factor: {}), Modify(actor: \"a\", param: Rationality, factor: {}, duration: 3)]),\n ],\n",
        g.param(0.0, 1.0),
        g.param(-1.0, 1.0),
        g.param(-bound, bound),
        g.pick(horizon as usize),
        g.param(0.0, 1.0),
        g.param(0.0, 1.5),
        g.param(0.0, 3.0),
    );
    s += " outcomes: [Outcome(name: \"rupture\", when: RungAtLeast(\"rupture\"))],\n)\n";
    s
}

/// Checks every property after every step and every decision; keeps the first violation.
#[derive(Default)]
struct Checker {
    prev_cost: Vec<f64>,
    violation: Option<String>,
    decisions: u64,
}

impl Checker {
    fn fail(&mut self, msg: String) {
        if self.violation.is_none() {
            self.violation = Some(msg);
        }
    }
}

impl Observer for Checker {
    const DETAILED: bool = true;

    fn step(&mut self, t: u32, m: &Model, s: &RunState) {
        let (lo, hi) = m.bounds;
        for (r, &h) in s.h.iter().enumerate() {
            if !(lo..=hi).contains(&h) {
                self.fail(format!("step {t}: h[{r}] = {h} outside [{lo}, {hi}]"));
            }
        }
        if t == 0 {
            self.prev_cost = vec![0.0; s.cost.len()];
        }
        let fell = s
            .cost
            .iter()
            .zip(&self.prev_cost)
            .enumerate()
            .find(|(_, (c, p))| c.is_nan() || c < p)
            .map(|(a, (c, p))| format!("step {t}: cost of actor {a} went from {p} to {c}"));
        if let Some(msg) = fell {
            self.fail(msg);
        }
        self.prev_cost.clone_from(&s.cost);
        let implied = m
            .measures
            .iter()
            .zip(&s.level)
            .filter(|(_, l)| **l > 0)
            .map(|(ms, &l)| ms.levels[l as usize - 1].implies_rung)
            .max()
            .unwrap_or(0);
        let reached = m
            .rung_thresholds
            .iter()
            .rposition(|&th| s.index >= th)
            .unwrap_or(0);
        if s.rung < implied || s.rung < reached {
            self.fail(format!(
                "step {t}: rung {} below the implied rung {implied} or the reached rung {reached} \
                 (levels {:?}, index {})",
                s.rung, s.level, s.index
            ));
        }
    }

    fn decision(&mut self, t: u32, d: &Decision) {
        self.decisions += 1;
        let p = d.probability;
        if !(p > 0.0 && p <= 1.0) {
            self.fail(format!("step {t}: {d:?} has probability {p}"));
        }
        if (!d.active || d.options == 1) && p != 1.0 {
            self.fail(format!(
                "step {t}: {d:?} has a single option but probability {p}"
            ));
        }
        if d.active && d.options == 0 {
            self.fail(format!("step {t}: {d:?} is active with no option"));
        }
    }
}

/// A tally, which counts the runs at each level of each step from the run's log of level
/// changes once the run is recorded, beside the same counts taken as each step ends.
struct Levels {
    tally: Tally,
    seen: Vec<Vec<u64>>,
}

impl Levels {
    fn new(m: &Model) -> Self {
        let h = m.horizon as usize;
        Levels {
            tally: Tally::new(m),
            seen: m
                .measures
                .iter()
                .map(|ms| vec![0; (ms.levels.len() + 1) * h])
                .collect(),
        }
    }
}

impl Observer for Levels {
    fn step(&mut self, t: u32, m: &Model, s: &RunState) {
        self.tally.step(t, m, s);
        for ((counts, &l), ms) in self.seen.iter_mut().zip(&s.level).zip(&m.measures) {
            counts[t as usize * (ms.levels.len() + 1) + l as usize] += 1;
        }
    }
}

/// Whether the tally's level counts of `runs` runs of `m` are those seen step by step, also
/// when the runs are counted in two tallies and merged.
fn levels_agree(m: &Model, seed: u64, runs: u64) -> Result<(), String> {
    let master = Master::new(seed);
    let mut st = RunState::new(m);
    let (mut whole, mut halves) = (Levels::new(m), [Tally::new(m), Tally::new(m)]);
    for run in 0..runs {
        model::simulate(m, &master, run, &mut st, &mut whole);
        whole.tally.record(&st);
        let half = &mut halves[(run % 2) as usize];
        model::simulate(m, &master, run, &mut st, half);
        half.record(&st);
    }
    let [mut first, second] = halves;
    first.merge(&second);
    if whole.tally.level_by_step != whole.seen || first.level_by_step != whole.seen {
        return Err(format!(
            "level counts {:?}, merged {:?}, seen {:?}",
            whole.tally.level_by_step, first.level_by_step, whole.seen
        ));
    }
    Ok(())
}

/// Runs a few runs of a generated scenario under the checker.
fn check(u: &[f64], horizon: u32, three: bool, seed: u64) -> Result<(), TestCaseError> {
    let text = scenario_text(u, horizon, three);
    let m = compile(&text, None);
    let master = Master::new(seed);
    let mut st = RunState::new(&m);
    let mut c = Checker::default();
    for run in 0..8 {
        model::simulate(&m, &master, run, &mut st, &mut c);
        if let Some(v) = c.violation.take() {
            return Err(TestCaseError::fail(format!("run {run}: {v}\n{text}")));
        }
    }
    prop_assert!(c.decisions > 0);
    levels_agree(&m, seed, 8).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn two_actor_scenarios_keep_every_invariant(
        u in prop::collection::vec(0.0f64..1.0, 120),
        horizon in 1u32..40,
        seed in any::<u64>(),
    ) {
        check(&u, horizon, false, seed)?;
    }

    #[test]
    fn three_actor_scenarios_keep_every_invariant(
        u in prop::collection::vec(0.0f64..1.0, 160),
        horizon in 1u32..40,
        seed in any::<u64>(),
    ) {
        check(&u, horizon, true, seed)?;
    }

    /// Extreme corners: every unit number at 0 or 1 (zero fatigue, full reactivity, zero noise,
    /// bounds reached at once).
    #[test]
    fn corner_scenarios_keep_every_invariant(
        bits in prop::collection::vec(any::<bool>(), 160),
        horizon in 1u32..40,
        seed in any::<u64>(),
    ) {
        let u: Vec<f64> = bits.iter().map(|&b| if b { 0.999_999 } else { 0.0 }).collect();
        check(&u, horizon, true, seed)?;
    }
}

#[test]
fn the_shipped_scenarios_count_levels_from_their_logs_as_step_by_step() {
    for file in [
        "scenarios/examples/tutorial.ron",
        "scenarios/russia_azerbaijan_2025.ron",
        "scenarios/history/russia_georgia_2006.ron",
        "scenarios/history/russia_turkey_2015.ron",
        "scenarios/history/russia_azerbaijan_2024.ron",
    ] {
        let text = std::fs::read_to_string(common::repo(file)).unwrap();
        let variants = common::parse(&text).variants;
        for v in std::iter::once(None).chain(variants.iter().map(|v| Some(v.name.as_str()))) {
            let m = compile(&text, v);
            levels_agree(&m, 7, 200).unwrap_or_else(|e| panic!("{file} {v:?}: {e}"));
        }
    }
}

#[test]
fn a_single_option_actor_chooses_with_probability_one() {
    // Actor a has no lever: its only option is to hold.
    let text = r#"Scenario(name: "hold", horizon: 5, focal: ("a", "b"),
        actors: [Actor(name: "a", activity: 1), Actor(name: "b", activity: 1)],
        relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
        ladder: [Rung(name: "calm", threshold: -10), Rung(name: "hot", threshold: 5)],
        levers: [Act(name: "x", owner: "b", target: "a", threshold: 0, weight: -1, cooldown: 0)],
    )"#;
    let m = compile(text, None);
    struct Seen(Vec<Decision>);
    impl Observer for Seen {
        const DETAILED: bool = true;
        fn decision(&mut self, _t: u32, d: &Decision) {
            self.0.push(*d);
        }
    }
    let mut seen = Seen(vec![]);
    let mut st = RunState::new(&m);
    model::simulate(&m, &Master::new(0), 0, &mut st, &mut seen);
    let a: Vec<&Decision> = seen.0.iter().filter(|d| d.actor == 0).collect();
    assert_eq!(a.len(), 5);
    assert!(a.iter().all(|d| d.options == 1 && d.probability == 1.0));
    let b: Vec<&Decision> = seen.0.iter().filter(|d| d.actor == 1).collect();
    assert!(
        b.iter()
            .all(|d| d.options == 2 && d.probability > 0.0 && d.probability < 1.0),
        "{b:?}"
    );
    // At step 0 both of b's options have utility 0 (h = θ = 0): each has probability 1/2.
    assert_eq!(b[0].probability, 0.5);
}
