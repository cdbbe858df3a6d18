//! Starting scenarios for `brink new`: commented files that validate as written, so that an
//! analyst begins from a working model and edits numbers rather than syntax.

/// The minimal template: two actors, their relation, a ladder, one lever and one outcome, every
/// field commented; `{{NAME}}` stands for the scenario's name.
const MINIMAL: &str = include_str!("templates/minimal.ron");

/// The tutorial scenario, which shows every part of the language once.
const TUTORIAL: &str = include_str!("../../scenarios/examples/tutorial.ron");

/// The back-testing case template: two principals and one lever of each kind, with the class
/// rules the cases of scenarios/history/ follow; `{{NAME}}` stands for the scenario's name.
const CASE: &str = include_str!("templates/case.ron");

/// Which starting file `brink new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Two actors, one relation (both directions), one lever, one outcome.
    Minimal,
    /// The tutorial (scenarios/examples/tutorial.ron): every part of the language.
    Tutorial,
    /// A back-testing case between two states, with the class rules of the history cases
    /// (docs/history.md, "A case for a crisis not in the project").
    Case,
}

/// Whether `name` may name a new scenario and its file: the naming rule of the scenario
/// language (see [`crate::scenario::validate::is_valid_name`]), safe in any file system.
pub fn is_safe_name(name: &str) -> bool {
    crate::scenario::validate::is_valid_name(name)
}

/// The text of a new scenario called `name` (a safe name, see [`is_safe_name`]).
pub fn text(name: &str, template: Template) -> String {
    match template {
        Template::Minimal => MINIMAL.replace("{{NAME}}", name),
        Template::Case => CASE.replace("{{NAME}}", name),
        Template::Tutorial => {
            // The copy takes NAME as its name, as the minimal template does, and its usage
            // lines name the copy (they named the tutorial, so "checks it" checked the
            // original); the header says where it came from and what to change first.
            let body = TUTORIAL
                .replacen(
                    "name: \"Tutorial: North and South\",",
                    &format!("name: \"{name}\","),
                    1,
                )
                .replace("scenarios/examples/tutorial.ron", &format!("{name}.ron"));
            format!(
                "// {name}: started by `brink new {name} --from tutorial` from brink's tutorial\n\
                 // scenario (scenarios/examples/tutorial.ron). Replace its invented numbers and\n\
                 // their sources (\"tutorial: invented\", \"assumption\", \"illustrative\") with\n\
                 // your own.\n\n{body}"
            )
        }
    }
}

/// The text of a starting timeline called `name` for `scenario` (a safe name, see
/// [`is_safe_name`]), whose `scenario:` field is `scenario_path` (as the timeline's folder reads
/// it): a commented file that validates against the scenario, with one example of each kind of
/// fact the scenario offers, dated inside its horizon, for the analyst to replace with what was
/// observed. Refused (the reason returned) for a scenario without a `start_date` or with a step
/// unit that dates cannot be given in: a timeline's facts are dated.
///
/// ```
/// let s = brink::scenario::parse_str(&brink::scenario::new::text(
///     "demo",
///     brink::scenario::new::Template::Minimal,
/// ))
/// .unwrap();
/// let t = brink::scenario::new::timeline_text("demo_case", &s, "demo.ron").unwrap();
/// assert!(t.contains("scenario: \"demo.ron\""));
/// ```
pub fn timeline_text(
    name: &str,
    scenario: &crate::scenario::Scenario,
    scenario_path: &str,
) -> Result<String, String> {
    use crate::scenario::schema::Lever;
    use crate::scenario::timeline::{date_of_day, day_number, days_per_step};
    let start = scenario.start_date.as_deref().ok_or_else(|| {
        format!(
            "the scenario {:?} has no start_date, so a timeline's dates would have no step; give \
             it one (start_date: \"YYYY-MM-DD\", the first day of step 0)",
            scenario.name
        )
    })?;
    let per_step = days_per_step(&scenario.step_unit).ok_or_else(|| {
        format!(
            "the scenario {:?} counts its steps in {:?}, in which no date can be given; a \
             timeline needs a step_unit of day or week",
            scenario.name, scenario.step_unit
        )
    })?;
    let first = day_number(start).map_err(|e| format!("its start_date {start:?}: {e}"))?;
    let horizon = scenario.horizon.max(1);
    // The first day of step `t`, `t` kept inside the horizon.
    let on = |t: i64| date_of_day(first + t.clamp(0, horizon - 1) * per_step);
    let unit = crate::scenario::step_one(&scenario.step_unit);
    let units = crate::scenario::steps(&scenario.step_unit);
    let quote = |x: &str| format!("{x:?}");
    let mut facts: Vec<String> = vec![];
    let fact = |name: &str, comment: &str, observed: String| {
        let comment = comment.replace('\n', "\n        // ");
        format!(
            "        // {comment}\n        Fact(\n            name: \"{name}\",\n            \
             label: \"replace with what happened\",\n            observed: {observed},\n            \
             source: \"replace with your source (a wire report, an official statement, with its \
             date)\",\n        ),"
        )
    };
    let measure = scenario.levers.iter().find_map(|l| match l {
        Lever::Measure(m) => Some(m),
        Lever::Act(_) => None,
    });
    if let Some(m) = measure {
        let initial = m.initial.clamp(0, m.levels.len() as i64);
        facts.push(fact(
            "level_at_start",
            &format!(
                "Where a measure stood at the end of the {unit} holding a date (0: not in force)."
            ),
            format!(
                "LevelOn(measure: {}, level: {initial}, date: {})",
                quote(&m.name),
                quote(&on(0))
            ),
        ));
        if (initial as usize) < m.levels.len() {
            let level = initial + 1;
            facts.push(fact(
                "level_reached",
                &format!(
                    "A first time known only as \"by\" a date: the measure at level {level} or \
                     higher by then."
                ),
                format!(
                    "HappenedBy(what: Reached({}, {level}), date: {})",
                    quote(&m.name),
                    quote(&on(horizon * 3 / 4))
                ),
            ));
        }
    }
    if let Some(o) = scenario.outcomes.iter().find(|o| !o.at_end) {
        facts.push(fact(
            "outcome_happened",
            &format!(
                "A first time on a date, or between `date` and `until` when known only to a\n\
                 window, give or take `tolerance` {units}."
            ),
            format!(
                "Happened(what: Outcome({}), date: {}, until: {}, tolerance: {})",
                quote(&o.name),
                quote(&on(horizon / 2)),
                quote(&on(horizon / 2 + 3)),
                // Slack shorter than the horizon (a one-step scenario has none to give).
                (horizon > 1) as u8
            ),
        ));
    }
    if let Some(e) = scenario.events.first() {
        facts.push(fact(
            "event_not_yet",
            "Something that had not happened by the end of the step holding a date.",
            format!(
                "NotBy(what: Event({}), date: {})",
                quote(&e.name),
                quote(&on(1))
            ),
        ));
    }
    if facts.is_empty() {
        // A scenario without levers or outcomes: the mood's first time on its second rung.
        if let Some(r) = scenario.ladder.get(1) {
            facts.push(fact(
                "rung_reached",
                "The mood's first time on a rung (or a higher one).",
                format!(
                    "HappenedBy(what: Rung({}), date: {})",
                    quote(&r.name),
                    quote(&on(horizon - 1))
                ),
            ));
        }
    }
    let last = date_of_day(first + horizon * per_step - 1);
    Ok(format!(
        "// {name}: the observed timeline of a crisis, for `brink backtest` and `brink calibrate`\n\
         // (docs/history.md), started by `brink new {name} --timeline-of`. Its facts are dated;\n\
         // the scenario's step 0 starts on {start}, one {unit} a step, and it runs {horizon} \
         {units}, to {last}.\n\
         // Each fact names an outcome, lever (its levels), act, event or rung of the scenario;\n\
         // the examples below use the scenario's own names. Replace them with what was observed,\n\
         // each with its source, and delete those that do not apply. Kinds of fact: Happened,\n\
         // HappenedBy, NotBy (a first time), LevelOn, RungOn (the state at a step's end); targets:\n\
         // Outcome, Act, Event, Reached(measure, level), Lifted(measure, level), Rung, Condition.\n\
         // Record what happened, each fact with its source, and never change a fact after a run.\n\
         // Check it against the scenario: `brink validate` on this file.\n\
         Timeline(\n    \
             name: \"{name}\",\n    \
             label: \"replace with the case's title\",\n    \
             scenario: {},\n    \
             sources: [\"replace with your sources\"],\n    \
             facts: [\n{}\n    ],\n)\n",
        quote(scenario_path),
        facts.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_safe_name("crisis_2026"));
        assert!(is_safe_name("a-b"));
        for bad in ["", "1x", "../x", "a b", "a/b", "é", &"a".repeat(65)] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
    }

    /// The tutorial's copy takes NAME, and its usage lines name the copy (found by a
    /// reviewing helper: it kept the tutorial's name and told the user to validate the
    /// original).
    #[test]
    fn the_tutorials_copy_is_named_and_points_at_itself() {
        assert!(TUTORIAL.contains("name: \"Tutorial: North and South\","));
        let t = text("demo", Template::Tutorial);
        assert_eq!(crate::scenario::parse_str(&t).expect("parses").name, "demo");
        assert!(t.contains("brink validate demo.ron"), "{t}");
        let body = t.split_once("\n\n").unwrap().1;
        assert!(!body.contains("examples/tutorial.ron"), "{body}");
    }

    /// A starting timeline validates against the scenario it was written for: the shipped
    /// ones with dates (the flagship, the tutorial, a back-test case) and the minimal template
    /// (its start_date is there for this), with one example of each kind the scenario offers;
    /// a scenario without dates is refused.
    #[test]
    fn a_starting_timeline_validates_against_its_scenario() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = std::env::temp_dir().join(format!("brink-new-timeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("minimal.ron"), text("minimal", Template::Minimal)).unwrap();
        for (from, kinds) in [
            (root.join("scenarios/russia_azerbaijan_2025.ron"), 4),
            (root.join("scenarios/examples/tutorial.ron"), 4),
            (root.join("scenarios/history/russia_turkey_2015.ron"), 4),
            (dir.join("minimal.ron"), 3),
        ] {
            let s = crate::scenario::load(&from, Default::default())
                .unwrap_or_else(|d| panic!("{d}"))
                .scenario;
            let name = from.file_name().unwrap().to_str().unwrap();
            let text = timeline_text("case", &s, name).expect("a timeline");
            if from != dir.join(name) {
                std::fs::copy(&from, dir.join(name)).unwrap();
            }
            let t = dir.join("case.timeline.ron");
            std::fs::write(&t, &text).unwrap();
            let loaded = crate::scenario::timeline::load_timeline(&t, Default::default())
                .unwrap_or_else(|d| panic!("{name}: {d}\n{text}"));
            crate::scenario::timeline::check_timeline(&loaded, &s)
                .unwrap_or_else(|d| panic!("{name}: {d}\n{text}"));
            assert_eq!(loaded.timeline.facts.len(), kinds, "{name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
        let richardson =
            crate::scenario::parse_str(include_str!("../../scenarios/examples/richardson.ron"))
                .unwrap();
        let why = timeline_text("case", &richardson, "r.ron").unwrap_err();
        assert!(why.contains("has no start_date"), "{why}");
    }

    /// Both templates parse and validate as written.
    #[test]
    fn templates_validate() {
        for t in [Template::Minimal, Template::Tutorial, Template::Case] {
            let s = crate::scenario::parse_str(&text("demo", t)).expect("parses");
            let problems = crate::scenario::validate::validate(&s);
            assert!(problems.is_empty(), "{t:?}: {problems:?}");
        }
    }
}
