//! Numerical safety: scenarios with extreme but valid numbers (bounds ±1e5, rates 1, costs and
//! spreads at the validation limit 1e12, resolve 1e6, rationality 1e3, huge index slopes,
//! fatigue 0 and reactivity 1, modifiers that compound every step; v2: half-lives, perception,
//! benefits, level thresholds, lever and relation shifts, dated steps, branch weights, shared
//! numbers, contacts) run to the end, and no NaN
//! or infinity reaches summary.json, outcomes.csv, timeseries.csv or runs.csv: every number in
//! them is parsed and checked. See "Numerical safety" in docs/model.md.

mod common;

use std::path::{Path, PathBuf};

/// A scenario exercising every mechanism, with `@NAME@` placeholders for its numbers.
const TEMPLATE: &str = r#"Scenario(
    name: "extreme",
    horizon: @HORIZON@,
    focal: ("a", "b"),
    bounds: (-@BOUND@, @BOUND@),
    shared: [
        Shared(name: "w", value: Uniform(min: 0, max: @BIG@)),
        Shared(name: "when", value: Uniform(min: 0, max: 10)),
        Shared(name: "big", value: @BIG@),
    ],
    actors: [
        Actor(name: "a", rationality: @RAT@, sensitivity: @RES@, cost_weight: @CW@, activity: 1,
              hawkishness: @BIG@),
        Actor(name: "b", rationality: LogNormal(median: @RAT@, sigma: @SIGMA@),
              sensitivity: Normal(mean: @RES@, sd: @SIGMA@), cost_weight: 0, activity: 1),
        Actor(name: "c", rationality: @RAT@, sensitivity: @RES@, cost_weight: @TINY@, activity: 1,
              hawkishness: -@BIG@),
    ],
    relations: [
        Relation(from: "a", to: "b", initial: @BOUND@, fatigue: 0, reactivity: 1,
                 grievance: @GRIEV@, noise: @NOISE@, salience: @SAL@),
        Relation(from: "b", to: "a", initial: -@BOUND@, fatigue: 0, reactivity: 1,
                 grievance: Normal(mean: 0, sd: @SIGMA@),
                 noise: LogNormal(median: @NOISE_MEDIAN@, sigma: @SIGMA@), salience: @SAL@),
        Relation(from: "c", to: "a", initial: 0, fatigue: 1, reactivity: -1, grievance: -@GRIEV@,
                 noise: 0, salience: 0),
        Relation(from: "a", to: "c", initial: 0, fatigue: 0, reactivity: 1, grievance: @GRIEV@,
                 noise: @NOISE@, salience: @SAL@),
    ],
    ladder: [
        Rung(name: "low", threshold: -@BOUND@),
        Rung(name: "mid", threshold: 0),
        Rung(name: "top", threshold: @BOUND@),
    ],
    pressures: [
        Pressure(name: "p", actor: "a", initial: @BIG@, decay: 0, push: @BIG@),
        Pressure(name: "q", actor: "b", initial: LogNormal(median: @BIG@, sigma: @SIGMA@),
                 decay: 0, push: -@BIG@),
    ],
    levers: [
        Measure(name: "m1", owner: "a", target: "b", threshold: -@BIG@, persistence: @BIG@,
            half_life: @HL@, perception: Shared("big"), ease_threshold: -@BIG@,
            lower_when: Sustained(LevelHeldFor("m1", 1, 2), 2),
            levels: [
                Level(name: "l1", weight: -10, ease_weight: 10, irritation: @BIG@,
                      threshold: @BIG@, benefits: {"a": @COST@, "b": @COST@, "c": Shared("big")},
                      costs: {"a": @COST@, "b": LogNormal(median: @BIG@, sigma: @SIGMA@)},
                      pressure: {"p": @BIG@, "q": @BIG@},
                      modifiers: [
                          Modifier(actor: "b", param: Rationality, factor: @FACTOR@, add: @BIG@),
                          Modifier(actor: "b", param: Sensitivity, factor: @FACTOR@, add: -@BIG@),
                      ],
                      reward: @BIG@, implies_rung: "mid"),
                Level(name: "l2", weight: -10, irritation: @BIG@,
                      costs: {"a": @COST@, "b": @COST@},
                      modifiers: [Modifier(actor: "a", param: CostWeight, factor: @FACTOR@, add: @BIG@)],
                      reward: @BIG@, implies_rung: "top"),
            ]),
        Measure(name: "m2", owner: "b", target: "a", threshold: @BIG@, persistence: 0,
            half_life: LogNormal(median: @HL@, sigma: @SIGMA@), perception: @BIG@,
            levels: [
                Level(name: "k1", weight: 10, irritation: -@BIG@,
                      costs: {"a": @COST@, "b": @COST@, "c": @COST@},
                      modifiers: [Modifier(actor: "a", param: Sensitivity, factor: @FACTOR@, add: @BIG@)],
                      reward: -@BIG@),
            ]),
        Act(name: "x1", owner: "a", target: "b", threshold: -@BIG@, weight: -10, cooldown: 0,
            costs: {"a": @COST@, "b": @COST@}, reward: @BIG@,
            effects: [
                Modify(actor: "b", param: Rationality, factor: @FACTOR@, add: @BIG@, duration: 5200),
                Modify(actor: "a", param: Sensitivity, factor: @FACTOR@, add: 0, duration: 5200),
                Impulse(from: "a", to: "b", amount: @BIG@),
                ScaleHostility(factor: @FACTOR@),
            ]),
        Act(name: "x2", owner: "c", target: "a", threshold: 0, weight: 10, cooldown: 0,
            costs: {"c": LogNormal(median: @BIG@, sigma: @SIGMA@)}),
        Act(name: "x3", owner: "a", target: "b", threshold: -@BIG@, weight: 10, cooldown: 0,
            perception: @BIG@, costs: {"a": @COST@}, reward: @BIG@, accepted_by: "b",
            accept_within: 5200, accept_threshold: @BIG@,
            effects: [ShiftRelation(from: "b", to: "a", param: Grievance, factor: @FACTOR@,
                                    add: -@BIG@)]),
    ],
    events: [
        Event(name: "e1",
              timing: Hazard(rate: 1, index_slope: @SLOPE@, grievance_slope: @SLOPE@,
                             factors: [Factor(when: RungAtLeast("mid"), times: @BIG@)]),
              once: false, cooldown: 0,
              effects: [
                  Modify(actor: "a", param: Rationality, factor: @FACTOR@, add: @BIG@, duration: 5200),
                  Modify(actor: "b", param: CostWeight, factor: @FACTOR@, add: @BIG@, duration: 5200),
                  Modify(actor: "c", param: Activity, factor: @FACTOR@, add: -@BIG@, duration: 5200),
                  AddPressure(pressure: "p", amount: @BIG@),
                  ScaleHostility(factor: @FACTOR@),
                  Move(by: "a", against: "b", weight: -10),
              ]),
        Event(name: "e2", timing: Hazard(rate: @TINY@, index_slope: -@SLOPE@), once: false,
              cooldown: 0, effects: [ScaleHostility(factor: 0)]),
        Event(name: "e3", timing: Scheduled(step: 0, probability: 1),
              effects: [Impulse(from: "b", to: "a", amount: -@BIG@)]),
        Event(name: "e4", timing: Hazard(rate: 1, index_slope: @SLOPE@,
              factors: [Factor(when: BranchTaken("e4", "up"), times: Shared("w"))]), cooldown: 0,
              effects: [
                  ShiftRelation(from: "a", to: "b", param: Grievance, factor: @FACTOR@, add: @BIG@),
                  ShiftRelation(from: "a", to: "b", param: Noise, factor: @FACTOR@, add: @BIG@,
                                duration: 3),
                  ShiftRelation(from: "b", to: "a", param: Salience, factor: @FACTOR@,
                                add: @BIG@),
              ],
              branches: [
                  Branch(name: "up", probability: Shared("w"), effects: [
                      ShiftLever(lever: "m1", param: Threshold, factor: @FACTOR@, add: -@BIG@),
                      ShiftLever(lever: "m1", param: Reward, factor: @FACTOR@, add: @BIG@),
                  ]),
                  Branch(name: "down", probability: @BIG@, effects: [
                      ShiftLever(lever: "m1", param: HalfLife, factor: @FACTOR@, add: @HL@),
                      ShiftLever(lever: "m2", param: Persistence, factor: @FACTOR@, add: -@BIG@),
                  ]),
                  Branch(name: "never", probability: 0),
              ]),
        Event(name: "e5", timing: Dated(step: Shared("when")),
              branches: [Branch(name: "x", probability: @TINY@), Branch(name: "y", probability: @BIG@)],
              effects: [ShiftLever(lever: "m2", param: Threshold, factor: @FACTOR@, add: @BIG@)]),
    ],
    outcomes: [
        Outcome(name: "top", when: RungAtLeast("top")),
        Outcome(name: "hot", when: IndexAbove(@HALF@)),
        Outcome(name: "cold", when: IndexBelow(-@HALF@), at_end: true),
        Outcome(name: "held", when: Sustained(LevelHeldFor("m1", 1, 3), 2)),
        Outcome(name: "branch", when: Before("e5", "x3")),
        Outcome(name: "up", when: BranchTaken("e4", "up")),
    ],
)"#;

/// The template with its numbers.
fn scenario(subs: &[(&str, &str)]) -> String {
    let mut s = TEMPLATE.to_string();
    for (k, v) in subs {
        s = s.replace(&format!("@{k}@"), v);
    }
    assert!(!s.contains('@'), "a placeholder is left:\n{s}");
    s
}

/// Every extreme the validation lets through, at once.
fn huge() -> String {
    scenario(&[
        ("HL", "1e12"),
        ("HORIZON", "300"),
        ("BOUND", "1e5"),
        ("HALF", "5e4"),
        ("RAT", "1e3"),
        ("RES", "1e6"),
        ("CW", "1e12"),
        ("TINY", "1e-300"),
        ("SIGMA", "1e12"),
        ("GRIEV", "1e12"),
        ("NOISE", "1e12"),
        ("NOISE_MEDIAN", "1e12"),
        ("SAL", "1e12"),
        ("BIG", "1e12"),
        ("COST", "1e12"),
        ("FACTOR", "1e12"),
        ("SLOPE", "1e12"),
    ])
}

/// Tiny numbers: subnormal-sized spreads and costs, factors of zero, no noise to speak of.
fn tiny() -> String {
    scenario(&[
        ("HL", "5e-324"),
        ("HORIZON", "200"),
        ("BOUND", "1e-3"),
        ("HALF", "5e-4"),
        ("RAT", "1e3"),
        ("RES", "1e-300"),
        ("CW", "1e-300"),
        ("TINY", "5e-324"),
        ("SIGMA", "1e-300"),
        ("GRIEV", "1e-300"),
        ("NOISE", "5e-324"),
        ("NOISE_MEDIAN", "1e-300"),
        ("SAL", "1e-300"),
        ("BIG", "1e-300"),
        ("COST", "5e-324"),
        ("FACTOR", "0"),
        ("SLOPE", "1e12"),
    ])
}

/// Large but not at the limit: a long horizon where costs pile up over thousands of steps.
fn long() -> String {
    scenario(&[
        ("HL", "13"),
        ("HORIZON", "5200"),
        ("BOUND", "1e5"),
        ("HALF", "1"),
        ("RAT", "1e3"),
        ("RES", "1e6"),
        ("CW", "1"),
        ("TINY", "1e-12"),
        ("SIGMA", "50"),
        ("GRIEV", "1e3"),
        ("NOISE", "1e4"),
        ("NOISE_MEDIAN", "1e3"),
        ("SAL", "1e3"),
        ("BIG", "1e9"),
        ("COST", "1e12"),
        ("FACTOR", "2"),
        ("SLOPE", "1e3"),
    ])
}

/// Runs a scenario with per-run rows and returns its output folder.
fn run(name: &str, text: &str, runs: u32, charts: bool) -> PathBuf {
    let dir = common::scratch(name);
    let file = dir.join(format!("{name}.ron"));
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let runs = runs.to_string();
    let mut args = vec![
        "run",
        file.to_str().unwrap(),
        "--runs",
        &runs,
        "--per-run",
        "--out",
        out.to_str().unwrap(),
    ];
    if !charts {
        args.push("--no-charts");
    }
    common::ok(&args);
    out
}

/// Keys of summary.json whose value may be null (an absent value, not a number).
const MAY_BE_NULL: &[&str] = &[
    "variant",
    "start_date",
    "stop_reason",
    "first_step_quartiles",
    "last_step_quartiles",
    "mean_steps_held",
    "median_first_step",
    "stop_reason",
    // An interval beside a mean, below two runs (written as null, not left out).
    "mean_interval",
    "mean_steps_held_interval",
    "mean_steps_in_force_interval",
];

fn check_json(v: &serde_json::Value, path: &str, bad: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Number(n) if !n.as_f64().is_some_and(f64::is_finite) => {
            bad.push(format!("{path} = {n}"));
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                check_json(x, &format!("{path}[{i}]"), bad);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                if x.is_null() && !MAY_BE_NULL.contains(&k.as_str()) {
                    // serde_json writes NaN and ±infinity as null.
                    bad.push(format!("{path}.{k} = null (a NaN or an infinity)"));
                }
                check_json(x, &format!("{path}.{k}"), bad);
            }
        }
        _ => {}
    }
}

/// Whether a CSV cell is a non-finite number as Rust or another tool would write or read it.
fn non_finite(cell: &str) -> bool {
    let t = cell.trim().to_ascii_lowercase();
    matches!(
        t.trim_start_matches(['+', '-']),
        "nan" | "inf" | "infinity" | "1.#inf" | "1.#ind"
    ) || t.parse::<f64>().is_ok_and(|x| !x.is_finite())
}

fn check_csv(path: &Path, bad: &mut Vec<String>) -> usize {
    let mut r = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header = r.headers().unwrap().clone();
    let mut numbers = 0;
    for (i, row) in r.records().enumerate() {
        let row = row.unwrap_or_else(|e| panic!("{}: row {i}: {e}", path.display()));
        for (j, cell) in row.iter().enumerate() {
            if non_finite(cell) {
                bad.push(format!(
                    "{} row {} column {}: {cell}",
                    path.display(),
                    i + 1,
                    &header[j]
                ));
            } else if cell.parse::<f64>().is_ok() {
                numbers += 1;
            }
        }
    }
    numbers
}

/// Parses every number of every output; returns what is not finite.
fn check_outputs(out: &Path) {
    let mut bad = vec![];
    let bytes = std::fs::read(out.join("summary.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    for word in ["NaN", "Infinity"] {
        assert!(!text.contains(word), "summary.json holds {word}");
    }
    let v: serde_json::Value = serde_json::from_str(&text).expect("summary.json parses");
    check_json(&v, "summary", &mut bad);
    // And it reads back as a summary, whose numbers are plain f64s (null would be refused).
    match serde_json::from_str::<brink::analysis::Summary>(&text) {
        Ok(s) => assert!(s.manifest.runs > 0),
        Err(e) => bad.push(format!("summary.json does not read back as a summary: {e}")),
    }
    for file in ["outcomes.csv", "timeseries.csv", "runs.csv"] {
        let n = check_csv(&out.join(file), &mut bad);
        assert!(n > 0, "{file} holds no number");
    }
    assert!(
        bad.is_empty(),
        "{} non-finite numbers in {}:\n{}",
        bad.len(),
        out.display(),
        bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn huge_numbers_never_make_nan_or_infinity() {
    let text = huge();
    // The scenario is valid: the extremes are the limits, not beyond.
    common::parse(&text);
    check_outputs(&run("huge", &text, 2000, false));
}

#[test]
fn huge_numbers_draw_charts_and_a_report() {
    let out = run("huge_charts", &huge(), 300, true);
    check_outputs(&out);
    assert!(out.join("report.html").is_file());
}

#[test]
fn tiny_numbers_never_make_nan_or_infinity() {
    check_outputs(&run("tiny", &tiny(), 2000, false));
}

#[test]
fn a_long_horizon_of_large_costs_never_makes_nan_or_infinity() {
    check_outputs(&run("long", &long(), 50, false));
}

#[test]
fn sampled_values_stay_within_the_magnitude_limit() {
    use brink::model::{self, RunState};
    use brink::numerics::rng::Master;
    let m = common::compile(&huge(), None);
    let mut st = RunState::new(&m);
    let master = Master::new(3);
    for run in 0..2000 {
        model::sample_values(&m, &master, run, &mut st.values);
        for (i, v) in st.values.iter().enumerate() {
            let (lo, hi) = m.param_ranges[i];
            assert!(
                v.is_finite() && v.abs() <= 1e12 && *v >= lo && *v <= hi,
                "run {run}: {} = {v}",
                m.param_paths[i]
            );
        }
    }
}

/// Found by the `step` fuzz target: a distribution pinned at a range end (min = mode = max =
/// the lower bound) has a mean that rounding put just outside the range
/// ((3 × −0.0015) / 3 = −0.0015000000000000002), and validation refused a valid scenario.
#[test]
fn a_distribution_pinned_at_a_range_end_is_valid() {
    for (lo, hi) in [(-0.0015, 0.0015), (-0.1, 0.3), (-1e5, 1e5), (-7.3, 1e-3)] {
        for end in [lo, hi] {
            for dist in [
                format!("Triangular(min: {end:?}, mode: {end:?}, max: {end:?})"),
                format!("Pert(min: {end:?}, mode: {end:?}, max: {end:?})"),
                format!("Uniform(min: {end:?}, max: {end:?})"),
            ] {
                let text = format!(
                    r#"Scenario(name: "pinned", horizon: 3, focal: ("a", "b"), bounds: ({lo:?}, {hi:?}),
    actors: [Actor(name: "a", activity: Triangular(min: 0.7, mode: 0.7, max: 0.7)), Actor(name: "b")],
    relations: [Relation(from: "a", to: "b", initial: {dist}), Relation(from: "b", to: "a")],
    ladder: [Rung(name: "calm", threshold: {lo:?}), Rung(name: "hot", threshold: {hi:?})],
)"#
                );
                common::compile(&text, None);
            }
        }
    }
}
