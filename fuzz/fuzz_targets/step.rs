//! Bytes as the numbers of a small template scenario that always validates (extremes likely:
//! range ends, zero, tiny and huge magnitudes, wide distributions) → compile → a few runs. Every
//! step keeps hostilities inside the bounds, and every number finite: hostilities, the index,
//! costs (which never decrease), pressures, effective parameters, decision probabilities (in
//! (0, 1]); the rung is never below what the measures in force imply; and the summary of the
//! runs holds no NaN or infinity.
#![no_main]

use std::path::Path;

use brink::numerics::rng::Master;
use brink::model::{self, Decision, Model, Observer, RunState};
use brink::stats::Tally;
use libfuzzer_sys::fuzz_target;

/// The scenario limit on magnitudes (stands for "unbounded" in ranges below).
const BIG: f64 = 1e12;

struct Gen<'a> {
    d: &'a [u8],
    i: usize,
}

impl Gen<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.d.get(self.i).copied().unwrap_or(0);
        self.i += 1;
        b
    }
    fn unit(&mut self) -> f64 {
        let hi = self.byte() as u32;
        let lo = self.byte() as u32;
        ((hi << 8) | lo) as f64 / 65535.0
    }
    fn pick(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }
    /// A number in [lo, hi]: often an end, zero, or a tiny or huge magnitude.
    fn num(&mut self, lo: f64, hi: f64) -> f64 {
        let x = match self.byte() % 10 {
            0 => lo,
            1 => hi,
            2 => 0.0,
            3 => 5e-324,
            4 => 10f64.powf(-300.0 + 312.0 * self.unit()),
            5 => -(10f64.powf(-300.0 + 312.0 * self.unit())),
            _ => lo + (hi - lo) * self.unit(),
        };
        x.clamp(lo, hi)
    }
    /// A parameter in [lo, hi] (hi = BIG or lo = -BIG mean unbounded): a plain number or a
    /// distribution.
    fn param(&mut self, lo: f64, hi: f64) -> String {
        match self.byte() % 4 {
            0 | 1 => format!("{:?}", self.num(lo, hi)),
            2 => {
                let (a, b) = (self.num(lo, hi), self.num(lo, hi));
                format!("Uniform(min: {:?}, max: {:?})", a.min(b), a.max(b))
            }
            _ if hi >= BIG && lo >= 0.0 => format!(
                "LogNormal(median: {:?}, sigma: {:?})",
                self.num(1e-12, BIG),
                self.num(1e-6, BIG)
            ),
            _ if hi >= BIG && lo <= -BIG => format!(
                "Normal(mean: {:?}, sd: {:?})",
                self.num(-BIG, BIG),
                self.num(1e-6, BIG)
            ),
            _ => {
                let (a, b) = (self.num(lo, hi), self.num(lo, hi));
                let (mn, mx) = (a.min(b), a.max(b));
                let mode = mn + (mx - mn) * self.unit();
                format!(
                    "Triangular(min: {mn:?}, mode: {:?}, max: {mx:?})",
                    mode.clamp(mn, mx)
                )
            }
        }
    }
}

const RUNGS: [&str; 3] = ["calm", "tense", "rupture"];

fn scenario(g: &mut Gen) -> (String, u32) {
    let horizon = 1 + g.pick(64) as u32;
    let three = g.byte() % 2 == 1;
    let bound = [1e-3, 1.0, 10.0, 1e5][g.pick(4)] * (0.5 + g.unit());
    let t1 = bound * (-0.9 + 1.3 * g.unit());
    let t2 = t1 + bound * (0.01 + 0.49 * g.unit());
    let actors: &[&str] = if three { &["a", "b", "c"] } else { &["a", "b"] };
    let mut s = format!(
        "Scenario(name: \"fuzz\", horizon: {horizon}, focal: (\"a\", \"b\"), bounds: ({:?}, {bound:?}),\n actors: [\n",
        -bound
    );
    for a in actors {
        s += &format!(
            "  Actor(name: \"{a}\", rationality: {}, resolve: {}, cost_weight: {}, activity: {}),\n",
            g.param(0.0, BIG),
            g.param(0.0, BIG),
            g.param(0.0, BIG),
            g.param(0.0, 1.0)
        );
    }
    s += " ],\n relations: [\n";
    for f in actors {
        for t in actors {
            if f != t {
                s += &format!(
                    "  Relation(from: \"{f}\", to: \"{t}\", initial: {}, fatigue: {}, reactivity: {}, grievance: {}, noise: {}, salience: {}),\n",
                    g.param(-bound, bound),
                    g.param(0.0, 1.0),
                    g.param(-1.0, 1.0),
                    g.param(-BIG, BIG),
                    g.param(0.0, BIG),
                    g.param(0.0, BIG)
                );
            }
        }
    }
    s += &format!(
        " ],\n ladder: [Rung(name: \"calm\", threshold: {:?}), Rung(name: \"tense\", threshold: {t1:?}), Rung(name: \"rupture\", threshold: {t2:?})],\n",
        -bound
    );
    s += &format!(
        " pressures: [Pressure(name: \"p\", actor: \"b\", initial: {}, decay: {}, push: {})],\n levers: [\n",
        g.param(0.0, BIG),
        g.param(0.0, 1.0),
        g.param(-BIG, BIG)
    );
    let measures = 1 + g.pick(3);
    for k in 0..measures {
        let owner = actors[g.pick(actors.len())];
        let target = if owner == "a" { "b" } else { "a" };
        let levels = 1 + g.pick(3);
        s += &format!(
            "  Measure(name: \"m{k}\", owner: \"{owner}\", target: \"{target}\", threshold: {}, persistence: {}, initial: {}, levels: [\n",
            g.param(-BIG, BIG),
            g.param(-BIG, BIG),
            g.pick(levels + 1)
        );
        for l in 0..levels {
            s += &format!(
                "    Level(name: \"l{l}\", weight: {}, ease_weight: {}, irritation: {}, costs: {{\"{owner}\": {}, \"{target}\": {}}}, pressure: {{\"p\": {}}}, modifiers: [Modifier(actor: \"{target}\", param: {}, factor: {}, add: {})], min_rung: \"{}\", implies_rung: \"{}\", reward: {}),\n",
                g.param(-10.0, 10.0),
                g.param(-10.0, 10.0),
                g.param(-BIG, BIG),
                g.param(0.0, BIG),
                g.param(0.0, BIG),
                g.param(-BIG, BIG),
                ["Rationality", "Resolve", "CostWeight", "Activity"][g.pick(4)],
                g.param(0.0, BIG),
                g.param(-BIG, BIG),
                RUNGS[g.pick(3)],
                RUNGS[g.pick(3)],
                g.param(-BIG, BIG)
            );
        }
        s += "  ]),\n";
    }
    s += &format!(
        "  Act(name: \"x\", owner: \"b\", target: \"a\", threshold: {}, weight: {}, cooldown: {}, costs: {{\"b\": {}}}, effects: [ScaleHostility(factor: {}), Modify(actor: \"a\", param: {}, factor: {}, add: {}, duration: {})], reward: {}),\n ],\n",
        g.param(-BIG, BIG),
        g.param(-10.0, 10.0),
        g.pick(4),
        g.param(0.0, BIG),
        g.param(0.0, BIG),
        ["Rationality", "Resolve", "CostWeight", "Activity"][g.pick(4)],
        g.param(0.0, BIG),
        g.param(-BIG, BIG),
        1 + g.pick(70),
        g.param(-BIG, BIG)
    );
    s += &format!(
        " events: [\n  Event(name: \"shock\", timing: Hazard(rate: {}, index_slope: {}, factors: [Factor(when: RungAtLeast(\"tense\"), times: {})]), once: false, cooldown: {}, effects: [Impulse(from: \"a\", to: \"b\", amount: {}), AddPressure(pressure: \"p\", amount: {}), SetLevel(lever: \"m{}\", level: 1), Modify(actor: \"b\", param: Resolve, factor: {}, add: {}, duration: {})]),\n",
        g.param(0.0, 1.0),
        g.param(-BIG, BIG),
        g.param(0.0, BIG),
        g.pick(3),
        g.param(-BIG, BIG),
        g.param(-BIG, BIG),
        g.pick(measures),
        g.param(0.0, BIG),
        g.param(-BIG, BIG),
        1 + g.pick(70)
    );
    s += &format!(
        "  Event(name: \"meeting\", timing: Scheduled(step: {}, probability: {}), effects: [ScaleHostility(factor: {}), Move(by: \"a\", against: \"b\", weight: {})]),\n ],\n",
        g.pick(horizon as usize),
        g.param(0.0, 1.0),
        g.param(0.0, BIG),
        g.param(-10.0, 10.0)
    );
    s += " outcomes: [Outcome(name: \"rupture\", when: RungAtLeast(\"rupture\")), Outcome(name: \"hot\", when: IndexAbove(0.0), at_end: true)],\n)\n";
    (s, horizon)
}

struct Check {
    prev_cost: Vec<f64>,
    tally: Tally,
}

impl Observer for Check {
    const DETAILED: bool = true;

    fn step(&mut self, t: u32, m: &Model, s: &RunState) {
        let (lo, hi) = m.bounds;
        for &h in &s.h {
            assert!(
                h.is_finite() && lo <= h && h <= hi,
                "step {t}: h = {h} outside [{lo}, {hi}]"
            );
        }
        assert!(s.index.is_finite(), "step {t}: index {}", s.index);
        if t == 0 {
            self.prev_cost = vec![0.0; s.cost.len()];
        }
        for (&c, &p) in s.cost.iter().zip(&self.prev_cost) {
            assert!(
                c.is_finite() && c >= p,
                "step {t}: cost went from {p} to {c}"
            );
        }
        self.prev_cost.clone_from(&s.cost);
        for &p in &s.pressure {
            assert!(p.is_finite(), "step {t}: pressure {p}");
        }
        for e in &s.eff {
            assert!(
                e.iter().all(|x| x.is_finite()),
                "step {t}: parameters {e:?}"
            );
        }
        let implied = m
            .measures
            .iter()
            .zip(&s.level)
            .filter(|(_, l)| **l > 0)
            .map(|(ms, &l)| ms.levels[l as usize - 1].implies_rung)
            .max()
            .unwrap_or(0);
        assert!(
            s.rung >= implied,
            "step {t}: rung {} below {implied}",
            s.rung
        );
        self.tally.step(t, m, s);
    }

    fn decision(&mut self, t: u32, d: &Decision) {
        assert!(
            d.probability > 0.0 && d.probability <= 1.0,
            "step {t}: {d:?}"
        );
    }
}

/// Keys of summary.json that may be null.
const MAY_BE_NULL: &[&str] = &[
    "variant",
    "start_date",
    "stop_reason",
    "first_step_quartiles",
    "median_first_step",
];

fn no_null(v: &serde_json::Value) {
    match v {
        serde_json::Value::Array(a) => a.iter().for_each(no_null),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                assert!(
                    !x.is_null() || MAY_BE_NULL.contains(&k.as_str()),
                    "summary.{k} is NaN or infinite"
                );
                no_null(x);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let mut g = Gen { d: data, i: 0 };
    let seed = u64::from(g.byte()) | (u64::from(g.byte()) << 8);
    let (text, _) = scenario(&mut g);
    let s = match brink::scenario::load::parse_text(Path::new("fuzz.ron"), &text) {
        Ok(s) => s,
        Err(d) => panic!("the template made an invalid scenario:\n{d}\n{text}"),
    };
    let m = model::compile(&s, None).expect("compiles");
    let master = Master::new(seed);
    let mut st = RunState::new(&m);
    let mut c = Check {
        prev_cost: vec![],
        tally: Tally::new(&m),
    };
    for run in 0..4 {
        model::simulate(&m, &master, run, &mut st, &mut c);
        c.tally.record(&st);
    }
    let loaded = brink::scenario::LoadedScenario {
        scenario: s,
        path: "fuzz.ron".into(),
        hash: String::new(),
    };
    let manifest = brink::analysis::Manifest::new(&loaded, seed, None, 4, 4, vec![]);
    let summary = brink::analysis::Summary::new(&m, &c.tally, manifest);
    let v = serde_json::to_value(&summary).expect("summary encodes");
    no_null(&v);
});
