//! Observed timelines: loading (`load_timeline`: the file on its own) and checking against the
//! scenario they test (`check_timeline`). Every mistake must be refused with a diagnostic at the
//! exact line and column of the offending text, saying what is wrong and what was expected.

mod common;

use std::path::{Path, PathBuf};

use brink::scenario::timeline::{LoadedTimeline, check_timeline, load_timeline};
use brink::scenario::{self, Diagnostic, Diagnostics, LoadOptions};

/// A timeline of the tutorial scenario (start 2025-01-06, weeks, horizon 52: its last date is
/// 2026-01-04) with every kind of fact and target.
const GOOD: &str = r#"// A made-up history of the tutorial's crisis.
Timeline(
    name: "tutorial_case",
    label: "The tutorial, as it happened",
    scenario: "tutorial.ron",
    sources: ["invented for the test"],
    facts: [
        Fact(
            name: "rupture",
            label: "Relations broken",
            observed: Happened(what: Outcome("rupture"), date: "2025-03-03", until: "2025-03-31", tolerance: 1),
            source: "test wire, 3 March 2025",
        ),
        Fact(name: "apology", observed: HappenedBy(what: Act("apology"), date: "2025-06-02"), source: "test"),
        Fact(name: "no_incident", observed: NotBy(what: Event("border_incident"), date: "2025-02-03"), source: "test"),
        Fact(name: "visa", observed: Happened(what: Reached("visa_regime", 2), date: "2025-04-07"), source: "test"),
        Fact(name: "ban_lifted", observed: HappenedBy(what: Lifted("import_ban", 1), date: "2026-01-04"), source: "test"),
        Fact(name: "confrontation", observed: Happened(what: Rung("confrontation"), date: "2025-01-06"), source: "test"),
        Fact(name: "both", observed: HappenedBy(what: Condition(All([ActOccurred("apology"), LevelAtLeast("import_ban", 1)])), date: "2025-12-01"), source: "test"),
        Fact(name: "no_visa_yet", observed: LevelOn(measure: "visa_regime", level: 0, date: "2025-01-06"), source: "test"),
        Fact(name: "friction", observed: RungOn(rung: "friction", date: "2025-05-05"), source: "test"),
    ],
)
"#;

/// A scratch folder holding a copy of the tutorial scenario.
fn folder(name: &str) -> PathBuf {
    let dir = common::scratch(name);
    std::fs::copy(
        common::repo("scenarios/examples/tutorial.ron"),
        dir.join("tutorial.ron"),
    )
    .expect("cannot copy the tutorial");
    dir
}

/// Writes `bytes` as a timeline file in a fresh scratch folder and loads it.
fn load_bytes(name: &str, bytes: &[u8]) -> (PathBuf, Result<LoadedTimeline, Diagnostics>) {
    let path = folder(name).join("case.timeline.ron");
    std::fs::write(&path, bytes).expect("cannot write the timeline");
    let r = load_timeline(&path, LoadOptions::default());
    (path, r)
}

/// Loads a timeline text and checks it against the scenario it names.
fn load_and_check(name: &str, text: &str) -> Result<LoadedTimeline, Diagnostics> {
    let (_, r) = load_bytes(name, text.as_bytes());
    let t = r?;
    let s = scenario::load(&t.scenario_path(), LoadOptions::default())
        .unwrap_or_else(|d| panic!("the scenario does not load: {d}"));
    check_timeline(&t, &s.scenario)?;
    Ok(t)
}

/// The good timeline with `from` replaced by `to` (which must occur once).
fn with(from: &str, to: &str) -> String {
    assert_eq!(GOOD.matches(from).count(), 1, "{from:?} must occur once");
    GOOD.replace(from, to)
}

/// The 1-based line and column (in characters) of the only occurrence of `needle` in `text`.
fn at(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "{needle:?} must occur once"
    );
    let before = &text[..text.find(needle).unwrap()];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

/// The only diagnostic of a failed load or check.
fn only<T>(r: Result<T, Diagnostics>) -> Diagnostic {
    let Err(d) = r else {
        panic!("the timeline was accepted")
    };
    assert_eq!(d.0.len(), 1, "one problem expected:\n{d}");
    d.0.into_iter().next().unwrap()
}

/// Asserts that a diagnostic is at `pos`, and that its message and what it expected contain
/// the given fragments.
fn assert_diag(d: &Diagnostic, pos: (usize, usize), message: &str, expected: &str) {
    assert_eq!((d.line, d.col), pos, "wrong place:\n{d}");
    assert!(d.message.contains(message), "wrong message:\n{d}");
    let e = d.expected.as_deref().unwrap_or("");
    assert!(e.contains(expected), "wrong expectation:\n{d}");
}

/// A mistake the check against the scenario finds: `from` replaced by `to`, refused at the
/// place of `needle` (within `to`).
fn check_fails(name: &str, from: &str, to: &str, needle: &str, message: &str, expected: &str) {
    let text = with(from, to);
    let d = only(load_and_check(name, &text));
    assert_diag(&d, at(&text, needle), message, expected);
    assert!(d.file.ends_with("case.timeline.ron"), "{d}");
    assert!(!d.line_text.is_empty(), "{d}");
}

/// A mistake loading finds on its own, as `check_fails`.
fn load_fails(name: &str, from: &str, to: &str, needle: &str, message: &str, expected: &str) {
    let text = with(from, to);
    let (path, r) = load_bytes(name, text.as_bytes());
    let d = only(r);
    assert_eq!(d.file, path);
    assert_diag(&d, at(&text, needle), message, expected);
}

#[test]
fn good_timeline_loads_and_checks() {
    let t = load_and_check("good", GOOD).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(t.timeline.name, "tutorial_case");
    assert_eq!(t.timeline.facts.len(), 9);
    assert_eq!(t.text, GOOD);
    assert_eq!(t.hash, scenario::sha256_hex(GOOD.as_bytes()));
    assert!(t.path.ends_with("case.timeline.ron"));
    assert_eq!(
        t.scenario_path(),
        t.path.parent().unwrap().join("tutorial.ron")
    );
}

#[test]
fn byte_order_mark_is_not_part_of_the_text() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(GOOD.as_bytes());
    let (_, r) = load_bytes("bom", &bytes);
    let t = r.unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(t.text, GOOD);
    assert_eq!(t.hash, scenario::sha256_hex(&bytes));
}

#[test]
fn scenario_path_resolves_against_the_timeline_folder() {
    let (path, r) = load_bytes("resolve", GOOD.as_bytes());
    let t = r.unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        t.scenario_path(),
        path.parent().unwrap().join("tutorial.ron")
    );
    let relative = LoadedTimeline {
        path: PathBuf::from("scenarios/history/case.timeline.ron"),
        ..t
    };
    assert_eq!(
        relative.scenario_path(),
        Path::new("scenarios/history/tutorial.ron")
    );
}

#[test]
fn unknown_outcome() {
    check_fails(
        "unknown_outcome",
        r#"Outcome("rupture")"#,
        r#"Outcome("ruptur")"#,
        r#""ruptur""#,
        "unknown outcome \"ruptur\"",
        "one of the outcomes: rupture, lasting_rupture, visa_imposed",
    );
}

#[test]
fn unknown_act_event_and_rung() {
    check_fails(
        "unknown_act",
        r#"Act("apology")"#,
        r#"Act("apologie")"#,
        r#""apologie""#,
        "unknown act \"apologie\"",
        "one of the acts: ",
    );
    check_fails(
        "unknown_event",
        r#"Event("border_incident")"#,
        r#"Event("incident")"#,
        r#""incident""#,
        "unknown event \"incident\"",
        "one of the events: ",
    );
    check_fails(
        "unknown_rung",
        r#"rung: "friction""#,
        r#"rung: "frixion""#,
        r#""frixion""#,
        "unknown rung \"frixion\"",
        "one of the rungs: calm, friction, confrontation, rupture",
    );
    check_fails(
        "unknown_target_rung",
        r#"Rung("confrontation")"#,
        r#"Rung("war")"#,
        r#""war""#,
        "unknown rung \"war\"",
        "one of the rungs: calm, friction",
    );
}

#[test]
fn level_out_of_range() {
    check_fails(
        "reached_level",
        r#"Reached("visa_regime", 2)"#,
        r#"Reached("visa_regime", 3)"#,
        "3)",
        "\"visa_regime\" has no level 3",
        "a level from 1 to 2",
    );
    check_fails(
        "lifted_level_zero",
        r#"Lifted("import_ban", 1)"#,
        r#"Lifted("import_ban", 0)"#,
        "0)",
        "\"import_ban\" has no level 0",
        "a level from 1 to 2",
    );
    check_fails(
        "level_on",
        "level: 0,",
        "level: 7,",
        "7,",
        "\"visa_regime\" has no level 7",
        "a level from 0 to 2",
    );
}

#[test]
fn measure_names_must_be_measures() {
    check_fails(
        "act_as_measure",
        r#"measure: "visa_regime""#,
        r#"measure: "apology""#,
        r#""apology", level"#,
        "\"apology\" is an act, which has no levels",
        "one of the measures: ",
    );
    check_fails(
        "unknown_measure",
        r#"Reached("visa_regime", 2)"#,
        r#"Reached("visas", 2)"#,
        r#""visas""#,
        "unknown measure \"visas\"",
        "one of the measures: ",
    );
}

#[test]
fn conditions_are_checked_by_the_scenario_validator() {
    check_fails(
        "condition",
        r#"LevelAtLeast("import_ban", 1)"#,
        r#"LevelAtLeast("import_bann", 1)"#,
        r#""import_bann""#,
        "unknown measure \"import_bann\"",
        "one of the measures: ",
    );
    check_fails(
        "condition_empty",
        r#"All([ActOccurred("apology"), LevelAtLeast("import_ban", 1)])"#,
        "All([])",
        "All([])",
        "empty All([]) or Any([])",
        "at least one condition",
    );
    // The scenario's limit on a condition's size holds here too: every term is checked every
    // step of every run.
    let terms = |n: usize| vec![r#"ActOccurred("apology")"#; n].join(", ");
    let big = format!("Any([{}])", terms(256));
    check_fails(
        "condition_too_large",
        r#"All([ActOccurred("apology"), LevelAtLeast("import_ban", 1)])"#,
        &big,
        &big,
        "the condition has 257 terms",
        "at most 256 terms in one condition",
    );
    let fits = with(
        r#"All([ActOccurred("apology"), LevelAtLeast("import_ban", 1)])"#,
        &format!("Any([{}])", terms(255)),
    );
    assert!(load_and_check("condition_at_limit", &fits).is_ok());
}

#[test]
fn date_before_start() {
    check_fails(
        "before_start",
        r#"date: "2025-02-03""#,
        r#"date: "2024-12-30""#,
        r#""2024-12-30""#,
        "date 2024-12-30 is before the scenario's first date (it runs from 2025-01-06 to 2026-01-04)",
        "a date from 2025-01-06 to 2026-01-04 (steps 0 to 51",
    );
}

#[test]
fn date_after_horizon() {
    check_fails(
        "after_horizon",
        r#"date: "2026-01-04""#,
        r#"date: "2026-01-05""#,
        r#""2026-01-05""#,
        "date 2026-01-05 is after the scenario's last date (it runs from 2025-01-06 to 2026-01-04)",
        "a date from 2025-01-06 to 2026-01-04",
    );
    check_fails(
        "until_after_horizon",
        r#"until: "2025-03-31""#,
        r#"until: "2027-03-31""#,
        r#""2027-03-31""#,
        "until 2027-03-31 is after the scenario's last date",
        "a date from 2025-01-06 to 2026-01-04",
    );
}

#[test]
fn scenario_without_start_date() {
    let dir = folder("no_start_date");
    std::fs::copy(
        common::repo("scenarios/examples/richardson.ron"),
        dir.join("richardson.ron"),
    )
    .unwrap();
    let text = GOOD.replace("tutorial.ron", "richardson.ron");
    let path = dir.join("case.timeline.ron");
    std::fs::write(&path, &text).unwrap();
    let t = load_timeline(&path, LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
    let s = scenario::load(&t.scenario_path(), LoadOptions::default()).unwrap();
    let Err(d) = check_timeline(&t, &s.scenario) else {
        panic!("accepted a scenario without a start date")
    };
    // The missing start date comes first (at `scenario`); the names follow.
    let first = &d.0[0];
    assert_diag(
        first,
        at(&text, r#""richardson.ron""#),
        "has no start_date",
        "a scenario with a start_date",
    );
}

#[test]
fn malformed_date() {
    load_fails(
        "impossible_date",
        r#"date: "2025-06-02""#,
        r#"date: "2016-02-30""#,
        r#""2016-02-30""#,
        "that month has no day 30",
        "a date that exists, written YYYY-MM-DD",
    );
    load_fails(
        "not_a_date",
        r#"date: "2025-06-02""#,
        r#"date: "2 June 2025""#,
        r#""2 June 2025""#,
        "is not a date of the form YYYY-MM-DD",
        "YYYY-MM-DD",
    );
}

#[test]
fn until_before_date() {
    load_fails(
        "until_before_date",
        r#"until: "2025-03-31""#,
        r#"until: "2025-03-02""#,
        r#""2025-03-02""#,
        "until \"2025-03-02\" is before date \"2025-03-03\"",
        "a date on or after 2025-03-03",
    );
}

#[test]
fn duplicate_fact_name() {
    let text = with(r#"Fact(name: "visa","#, r#"Fact(name: "apology","#);
    let (_, r) = load_bytes("duplicate_fact", text.as_bytes());
    let d = only(r);
    assert_diag(
        &d,
        at(&text, r#""apology", observed: Happened(what: Reached"#),
        "duplicate fact name \"apology\"",
        "a fact name not used before",
    );
}

#[test]
fn invalid_names() {
    load_fails(
        "bad_fact_name",
        r#"name: "no_incident""#,
        r#"name: "no incident""#,
        r#""no incident""#,
        "fact name \"no incident\" is not a valid name",
        "ASCII letters (a–z, A–Z), digits",
    );
    load_fails(
        "bad_case_name",
        r#"name: "tutorial_case""#,
        r#"name: "1case""#,
        r#""1case""#,
        "timeline name \"1case\" is not a valid name",
        "ASCII letters (a–z, A–Z), digits, '_' or '-', starting with a letter",
    );
}

#[test]
fn missing_source() {
    // Left out: the fact itself is pointed at.
    let text = with(
        r#"Fact(name: "friction", observed: RungOn(rung: "friction", date: "2025-05-05"), source: "test"),"#,
        r#"Fact(name: "friction", observed: RungOn(rung: "friction", date: "2025-05-05")),"#,
    );
    let (_, r) = load_bytes("missing_source", text.as_bytes());
    let d = only(r);
    assert_diag(
        &d,
        at(&text, r#"Fact(name: "friction""#),
        "fact \"friction\" has no source",
        "a source",
    );
    // Empty or blank: the string is.
    load_fails(
        "empty_source",
        r#"source: "test wire, 3 March 2025""#,
        r#"source: "  ""#,
        r#""  ""#,
        "fact \"rupture\" has no source",
        "a source",
    );
}

#[test]
fn empty_scenario_and_no_facts() {
    load_fails(
        "empty_scenario",
        r#"scenario: "tutorial.ron""#,
        r#"scenario: """#,
        r#""""#,
        "the timeline names no scenario",
        "the scenario file it tests",
    );
    let text = r#"Timeline(name: "x", scenario: "a.ron", facts: [])"#;
    let (_, r) = load_bytes("no_facts", text.as_bytes());
    assert_diag(
        &only(r),
        (1, 47),
        "the timeline has no facts",
        "at least one Fact",
    );
}

#[test]
fn every_problem_at_once() {
    let text = with(r#"date: "2025-06-02""#, r#"date: "2016-02-30""#)
        .replace(r#"source: "test"),"#, r#"source: ""),"#);
    let (_, r) = load_bytes("all_at_once", text.as_bytes());
    let Err(d) = r else { panic!("accepted") };
    // Eight empty sources and one impossible date, in the file's order.
    assert_eq!(d.0.len(), 9, "{d}");
    assert!(
        d.0.windows(2)
            .all(|w| (w[0].line, w[0].col) <= (w[1].line, w[1].col))
    );
    assert!(d.to_string().contains("9 problems found"), "{d}");
}

#[test]
fn ron_syntax_error() {
    // A missing `:` after a field name.
    let text = with(r#"date: "2025-04-07""#, r#"date "2025-04-07""#);
    let (_, r) = load_bytes("syntax", text.as_bytes());
    let d = only(r);
    assert_diag(
        &d,
        at(&text, r#""2025-04-07""#),
        "unexpected",
        "`:` after `date`",
    );
    // A missing comma between facts.
    let text = with(
        r#"source: "test"),
        Fact(name: "confrontation""#,
        r#"source: "test")
        Fact(name: "confrontation""#,
    );
    let (_, r) = load_bytes("missing_comma", text.as_bytes());
    let d = only(r);
    assert_diag(
        &d,
        at(&text, r#"Fact(name: "confrontation""#),
        "unexpected `Fact`",
        "`,` or `]`",
    );
    // Text after the timeline.
    let text = format!("{GOOD}extra\n");
    let (_, r) = load_bytes("trailing", text.as_bytes());
    let d = only(r);
    assert_diag(
        &d,
        (GOOD.lines().count() + 1, 1),
        "after the end of the timeline",
        "nothing after the closing `)` of `Timeline(...)`",
    );
}

#[test]
fn unknown_field_and_kind() {
    load_fails(
        "unknown_field",
        r#"source: "test wire, 3 March 2025""#,
        r#"sorce: "test wire, 3 March 2025""#,
        "sorce",
        "unknown field `sorce`",
        "one of the fields `name`, `label`, `observed`, `source`",
    );
    load_fails(
        "unknown_kind",
        r#"Outcome("rupture")"#,
        r#"Outcom("rupture")"#,
        "Outcom(",
        "unknown kind `Outcom`",
        "`Outcome`, `Act`, `Event`",
    );
}

#[test]
fn empty_file() {
    for (name, text) in [
        ("empty", ""),
        ("blank", "  \n\n"),
        ("comments", "// nothing\n"),
    ] {
        let (_, r) = load_bytes(name, text.as_bytes());
        let d = only(r);
        assert_diag(&d, (1, 1), "the file", "a timeline: Timeline(");
    }
}

#[test]
fn not_utf8() {
    let mut bytes = b"Timeline(\n    name: \"ab".to_vec();
    bytes.extend([0xff, 0xfe]);
    bytes.extend(b"\",\n)");
    let (_, r) = load_bytes("not_utf8", &bytes);
    let d = only(r);
    assert_diag(
        &d,
        (2, 14),
        "not valid UTF-8",
        "a UTF-8 text file (timeline files are RON text)",
    );
}

#[test]
fn file_over_the_size_limit() {
    let path = folder("too_large").join("case.timeline.ron");
    std::fs::write(&path, GOOD).unwrap();
    let opts = LoadOptions {
        max_file_bytes: GOOD.len() as u64 - 1,
        ..LoadOptions::default()
    };
    let d = only(load_timeline(&path, opts));
    assert_diag(
        &d,
        (0, 0),
        &format!("larger than the limit of {} bytes", GOOD.len() - 1),
        "a smaller timeline file",
    );
    let opts = LoadOptions {
        max_file_bytes: GOOD.len() as u64,
        ..LoadOptions::default()
    };
    assert!(load_timeline(&path, opts).is_ok());
}

#[test]
fn missing_file() {
    let path = common::scratch("missing").join("none.timeline.ron");
    let d = only(load_timeline(&path, LoadOptions::default()));
    assert_diag(&d, (0, 0), "cannot read", "a readable timeline file");
}

#[test]
fn too_deep() {
    let deep = format!(
        "{}RungAtLeast(\"calm\"){}",
        "Not(".repeat(70),
        ")".repeat(70)
    );
    let text = with(r#"Rung("confrontation")"#, &format!("Condition({deep})"));
    let (_, r) = load_bytes("too_deep", text.as_bytes());
    let d = only(r);
    assert!(d.message.contains("nest more than 64"), "{d}");
}

/// A whole number a timeline cannot hold (its counts are from 0 to 2^32 − 1) says which way it
/// is out, with the field's own range: `-1` was called "too large", expecting i64's range.
#[test]
fn negative_or_too_large_whole_numbers_name_the_fields_range() {
    load_fails(
        "tolerance_negative",
        "tolerance: 1)",
        "tolerance: -1)",
        "-1)",
        "the whole number `-1` for `tolerance` is negative",
        "a whole number from 0 to 4294967295",
    );
    load_fails(
        "level_negative",
        "level: 0,",
        "level: -2,",
        "-2,",
        "is negative",
        "a whole number from 0 to 4294967295",
    );
    load_fails(
        "tolerance_past_u32",
        "tolerance: 1)",
        "tolerance: 4294967296)",
        "4294967296)",
        "the whole number `4294967296` for `tolerance` is too large",
        "a whole number from 0 to 4294967295",
    );
    // Past i64 too, or spelled in hexadecimal: still the timeline's range.
    for (name, number, message) in [
        ("tolerance_past_i64", "99999999999999999999", "is too large"),
        ("tolerance_below_i64", "-9223372036854775809", "is negative"),
        ("tolerance_negative_hex", "-0x1", "is negative"),
    ] {
        load_fails(
            name,
            "tolerance: 1)",
            &format!("tolerance: {number})"),
            &format!("{number})"),
            message,
            "a whole number from 0 to 4294967295",
        );
    }
}

/// A tolerance as long as the horizon holds in every run that has the fact at all: refused.
#[test]
fn tolerance_of_the_whole_horizon_is_refused() {
    check_fails(
        "tolerance_horizon",
        "tolerance: 1)",
        "tolerance: 52)",
        "52)",
        "a tolerance of 52 steps is as long as the scenario's 52 steps or longer",
        "a tolerance from 0 to 51 steps",
    );
    let text = with("tolerance: 1)", "tolerance: 51)");
    load_and_check("tolerance_51", &text).expect("a tolerance below the horizon is accepted");
}

/// `validate` and `backtest` tell a timeline from a scenario as `calibrate --timelines` reads
/// it: after a nested block comment (RON's nest), and written as a record without its name.
/// Both were taken for scenarios ("Expected struct `Scenario` but found `Timeline`").
#[test]
fn a_timeline_after_a_nested_comment_or_without_its_name_is_a_timeline() {
    let dir = folder("detect");
    for (name, text) in [
        (
            "nested.timeline.ron",
            format!("/* outer /* inner */ still comment */\n{GOOD}"),
        ),
        ("anonymous.timeline.ron", GOOD.replacen("Timeline(", "(", 1)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let o = common::ok(&["validate", path.to_str().unwrap()]);
        assert!(
            common::stdout(&o).contains("timeline \"tutorial_case\""),
            "{name}"
        );
    }
    // Written without its name and with an error, a timeline is still told as one: its error
    // is the timeline's, located ("unknown field `label` in Scenario" before).
    let path = dir.join("anonymous-typo.timeline.ron");
    // A comment that names a scenario's field decides nothing.
    let text = GOOD
        .replacen("Timeline(", "// the actors: North and South\n(", 1)
        .replacen("observed:", "obsrved:", 1);
    std::fs::write(&path, &text).unwrap();
    let o = common::brink(&["validate", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unknown field `obsrved` in Fact") && !err.contains("Scenario"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scenario whose step_unit is capitalised ("Week") dates its steps as "week" does: a
/// timeline's dates up to the horizon's last week are in range (its last day was counted as
/// if a step were a day, refusing every date past the 52nd day).
#[test]
fn a_capitalised_step_unit_dates_the_timeline() {
    let dir = folder("capital-week");
    let scenario = dir.join("tutorial.ron");
    let text = std::fs::read_to_string(&scenario).unwrap();
    assert!(text.contains("step_unit: \"week\""));
    std::fs::write(
        &scenario,
        text.replace("step_unit: \"week\"", "step_unit: \"Week\""),
    )
    .unwrap();
    let path = dir.join("case.timeline.ron");
    std::fs::write(&path, GOOD).unwrap();
    let o = common::ok(&["validate", path.to_str().unwrap()]);
    assert!(
        common::stdout(&o).contains("9 facts"),
        "{}",
        common::stdout(&o)
    );
    // Given on the command line, a scenario without a start_date is named itself.
    let o = common::brink(&[
        "backtest",
        common::repo("scenarios/examples/richardson.ron")
            .to_str()
            .unwrap(),
        path.to_str().unwrap(),
        "--runs",
        "10",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("richardson.ron (\"Richardson pair\") has no start_date"),
        "{err}"
    );
    // Likewise one whose unit a date cannot be given in.
    let month = dir.join("month.ron");
    std::fs::write(
        &month,
        text.replace("step_unit: \"week\"", "step_unit: \"month\""),
    )
    .unwrap();
    let o = common::brink(&["backtest", month.to_str().unwrap(), path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("month.ron") && err.contains("\"month\""),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file of the other kind is named as such, with what was expected: a timeline whose
/// `scenario:` names itself (or any timeline), and a scenario given to `calibrate --timelines`,
/// said only "Expected struct `Scenario` but found `Timeline`", with no expectation.
#[test]
fn a_file_of_the_other_kind_is_named_with_what_was_expected() {
    let dir = folder("other-kind");
    let path = dir.join("self.timeline.ron");
    std::fs::write(
        &path,
        GOOD.replacen(
            "scenario: \"tutorial.ron\"",
            "scenario: \"self.timeline.ron\"",
            1,
        ),
    )
    .unwrap();
    let o = common::brink(&["validate", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // Told at its own `scenario:` field since a reviewing helper found the other file's
    // line 1 blamed (see `a_timeline_naming_a_timeline_as_its_scenario_is_told_at_that_field`).
    assert!(
        err.contains("is a timeline, not a scenario")
            && err.contains("expected the scenario file the timeline tests"),
        "{err}"
    );
    let o = common::brink(&[
        "calibrate",
        "--timelines",
        "scenarios/examples/tutorial.ron",
        "--params",
        "shared.fatigue.value",
        "--out",
        dir.join("c").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a `Scenario` where a `Timeline` goes")
            && err.contains("expected a timeline file, written `Timeline(...)`"),
        "{err}"
    );
    assert!(!dir.join("c").exists());
}

/// Two facts about one target that no run can both satisfy are refused at the second: the
/// border incident had not happened by 3 February (step 4) but first happened on 13 January
/// (step 1). A back-test scored such a timeline's whole path at 0 by construction, without a
/// word. A tolerance that lets the two meet is accepted.
#[test]
fn contradictory_facts_are_refused() {
    let no_incident = r#"Fact(name: "no_incident", observed: NotBy(what: Event("border_incident"), date: "2025-02-03"), source: "test"),"#;
    let incident = |tolerance: u32| {
        format!(
            "{no_incident}\n        Fact(name: \"incident\", observed: Happened(what: \
             Event(\"border_incident\"), date: \"2025-01-13\", tolerance: {tolerance}), source: \"test\"),"
        )
    };
    check_fails(
        "contradictory",
        no_incident,
        &incident(2),
        r#"Happened(what: Event("border_incident")"#,
        "fact \"incident\" contradicts fact \"no_incident\"",
        "facts about one target that some step satisfies",
    );
    // Four weeks of slack reach step 5, after the 3 February step: both can hold.
    load_and_check("contradictory_slack", &with(no_incident, &incident(4)))
        .unwrap_or_else(|d| panic!("{d}"));
}

/// A `Happened` window is cut at the run's last step, as the back-test cuts it: a leaders'
/// call first made on 29 December (the last step) give or take three weeks cannot have come after
/// a "not by 4 January" (the end of the horizon), though the uncut window reached past it.
/// Two facts about the state at the end of one step, on two days of it, that differ are
/// refused too; on days of different steps they are not.
#[test]
fn contradictions_past_the_horizon_and_about_the_state_are_refused() {
    let no_incident = r#"Fact(name: "no_incident", observed: NotBy(what: Event("border_incident"), date: "2025-02-03"), source: "test"),"#;
    let late = format!(
        "{no_incident}\n        Fact(name: \"late\", observed: Happened(what: Event(\"leader_call\"), \
         date: \"2025-12-29\", tolerance: 3), source: \"s\"),\n        Fact(name: \"never\", \
         observed: NotBy(what: Event(\"leader_call\"), date: \"2026-01-04\"), source: \"s\"),"
    );
    check_fails(
        "contradictory_late",
        no_incident,
        &late,
        r#"NotBy(what: Event("leader_call"), date: "2026-01-04")"#,
        "fact \"never\" contradicts fact \"late\"",
        "facts about one target that some step satisfies",
    );
    let friction = r#"Fact(name: "friction", observed: RungOn(rung: "friction", date: "2025-05-05"), source: "test"),"#;
    // 5 May is a Monday: the 6th is in its step, the 12th in the next.
    let rung = |date: &str| {
        format!(
            "{friction}\n        Fact(name: \"calm_then\", observed: RungOn(rung: \"calm\", \
             date: \"{date}\"), source: \"s\"),"
        )
    };
    check_fails(
        "contradictory_rungs",
        friction,
        &rung("2025-05-06"),
        r#"RungOn(rung: "calm""#,
        "fact \"calm_then\" contradicts fact \"friction\": both say where the mood stood",
        "facts about the state on dates in different steps",
    );
    load_and_check("rungs_apart", &with(friction, &rung("2025-05-12")))
        .unwrap_or_else(|d| panic!("{d}"));
    let visa = r#"Fact(name: "no_visa_yet", observed: LevelOn(measure: "visa_regime", level: 0, date: "2025-01-06"), source: "test"),"#;
    check_fails(
        "contradictory_levels",
        visa,
        &format!(
            "{visa}\n        Fact(name: \"visa_at_once\", observed: LevelOn(measure: \
             \"visa_regime\", level: 1, date: \"2025-01-07\"), source: \"s\"),"
        ),
        r#"LevelOn(measure: "visa_regime", level: 1"#,
        "fact \"visa_at_once\" contradicts fact \"no_visa_yet\": both say where measure \"visa_regime\" stood",
        "facts about the state on dates in different steps",
    );
}

/// `brink backtest` takes scenarios and timelines: a blank last file, or a record whose name
/// is a misspelt `Timeline`, is read as the timeline it stands for, so that its error says a
/// timeline is expected (both said "expected a scenario").
#[test]
fn a_blank_or_misspelt_timeline_is_refused_as_a_timeline() {
    let dir = folder("blank-timeline");
    let blank = dir.join("blank.timeline.ron");
    std::fs::write(&blank, "// nothing yet\n").unwrap();
    let typo = dir.join("typo.timeline.ron");
    std::fs::write(&typo, GOOD.replacen("Timeline(", "Timelin(", 1)).unwrap();
    for (file, says) in [
        (&blank, "expected a timeline: Timeline("),
        (&typo, "a `Timelin` where a `Timeline` goes"),
    ] {
        let out = dir.join("o");
        let o = common::brink(&[
            "backtest",
            file.to_str().unwrap(),
            "--runs",
            "10",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(!out.exists());
    }
}

/// A fact about the state says what had first happened by its step: a measure at level 1 on
/// 3 March had been reached by then, so "not reached by 31 March" cannot also hold; the mood
/// on "rupture" on 3 March had reached it by then, so a first rupture in June cannot also
/// hold. Both scored the path 0 without a word.
#[test]
fn a_state_contradicting_a_dated_fact_is_refused() {
    let visa = r#"Fact(name: "no_visa_yet", observed: LevelOn(measure: "visa_regime", level: 0, date: "2025-01-06"), source: "test"),"#;
    check_fails(
        "state_level",
        visa,
        &format!(
            "{visa}\n        Fact(name: \"ban_on\", observed: LevelOn(measure: \"import_ban\", \
             level: 1, date: \"2025-03-03\"), source: \"s\"),\n        Fact(name: \"ban_not_yet\", \
             observed: NotBy(what: Reached(\"import_ban\", 1), date: \"2025-03-31\"), source: \"s\"),"
        ),
        r#"NotBy(what: Reached("import_ban", 1)"#,
        "fact \"ban_not_yet\" contradicts fact \"ban_on\": measure \"import_ban\" at level 1 at the end of step 8 had first reached level 1 by then",
        "facts a run can satisfy together",
    );
    check_fails(
        "state_rung",
        visa,
        &format!(
            "{visa}\n        Fact(name: \"late_rupture\", observed: Happened(what: \
             Rung(\"rupture\"), date: \"2025-03-24\"), source: \"s\"),\n        Fact(name: \
             \"rupture_on\", observed: RungOn(rung: \"rupture\", date: \"2025-03-03\"), source: \"s\"),"
        ),
        r#"RungOn(rung: "rupture""#,
        "fact \"rupture_on\" contradicts fact \"late_rupture\": the mood on rung \"rupture\" at the end of step 8 had first reached every rung up to it by then",
        "facts a run can satisfy together",
    );
}

/// Every problem at once: a fact with a problem of its own (an unknown act) is left out of the
/// contradictions, but the other facts' contradiction is still reported beside it (one typo
/// anywhere hid it).
#[test]
fn a_contradiction_is_reported_beside_another_facts_problem() {
    let visa = r#"Fact(name: "no_visa_yet", observed: LevelOn(measure: "visa_regime", level: 0, date: "2025-01-06"), source: "test"),"#;
    let text = with(
        visa,
        &format!(
            "{visa}\n        Fact(name: \"typo\", observed: HappenedBy(what: Act(\"military_drll\"), \
             date: \"2025-02-03\"), source: \"x\"),\n        Fact(name: \"call\", observed: \
             Happened(what: Event(\"leader_call\"), date: \"2025-03-03\"), source: \"x\"),\n        \
             Fact(name: \"no_call\", observed: NotBy(what: Event(\"leader_call\"), date: \
             \"2025-04-07\"), source: \"x\"),"
        ),
    );
    let Err(d) = load_and_check("beside", &text) else {
        panic!("accepted")
    };
    let all = d.to_string();
    assert_eq!(d.0.len(), 2, "{all}");
    assert!(all.contains("unknown act \"military_drll\""), "{all}");
    assert!(
        all.contains("fact \"no_call\" contradicts fact \"call\""),
        "{all}"
    );
}

/// A first time on exactly one step says where the measure or the mood stood at its end, and
/// a first time says what had to come first: a visa regime first in force on 3 March was not
/// off then, the mood first on "rupture" that week was not on "friction", a level lifted that
/// week was not in force, level 2 reached in March means level 1 was reached by March, a
/// level lifted by March had been reached by then. All were accepted and scored the path 0.
/// A window of more than one step says nothing of one step's state; the lowest rung has no
/// first date, as a level 0 has none.
#[test]
fn first_times_pin_the_state_and_what_came_before() {
    let visa = r#"Fact(name: "no_visa_yet", observed: LevelOn(measure: "visa_regime", level: 0, date: "2025-01-06"), source: "test"),"#;
    let fact = |name: &str, observed: &str| {
        format!("\n        Fact(name: \"{name}\", observed: {observed}, source: \"s\"),")
    };
    let cases = [
        (
            "reached_off",
            fact(
                "visa_first",
                r#"Happened(what: Reached("visa_regime", 1), date: "2025-03-03")"#,
            ) + &fact(
                "visa_off",
                r#"LevelOn(measure: "visa_regime", level: 0, date: "2025-03-04")"#,
            ),
            r#"LevelOn(measure: "visa_regime", level: 0, date: "2025-03-04")"#,
            "fact \"visa_off\" contradicts fact \"visa_first\": no run can have measure \"visa_regime\" stand at the end of step 8",
        ),
        (
            "rung_below",
            fact(
                "rupture_first",
                r#"Happened(what: Rung("rupture"), date: "2025-03-03")"#,
            ) + &fact(
                "friction_then",
                r#"RungOn(rung: "friction", date: "2025-03-03")"#,
            ),
            r#"RungOn(rung: "friction", date: "2025-03-03")"#,
            "fact \"friction_then\" contradicts fact \"rupture_first\": no run can have the mood stand",
        ),
        (
            "lifted_on",
            fact(
                "visa_on",
                r#"LevelOn(measure: "visa_regime", level: 1, date: "2025-03-03")"#,
            ) + &fact(
                "visa_lifted",
                r#"Happened(what: Lifted("visa_regime", 1), date: "2025-03-03")"#,
            ),
            r#"Happened(what: Lifted("visa_regime", 1), date: "2025-03-03")"#,
            "fact \"visa_lifted\" contradicts fact \"visa_on\": no run can have",
        ),
        (
            "higher_first",
            fact(
                "ban_imposed",
                r#"Happened(what: Reached("import_ban", 2), date: "2025-03-03")"#,
            ) + &fact(
                "ban_tightened",
                r#"Happened(what: Reached("import_ban", 1), date: "2025-06-02")"#,
            ),
            r#"Happened(what: Reached("import_ban", 1), date: "2025-06-02")"#,
            "fact \"ban_tightened\" contradicts fact \"ban_imposed\": measure \"import_ban\" is at level 1 or higher whenever it is at 2 or higher, so it first reaches level 1 no later than level 2",
        ),
        (
            // The timeline's "confrontation" was first reached at step 0.
            "rung_order",
            fact(
                "friction_late",
                r#"Happened(what: Rung("friction"), date: "2025-02-03")"#,
            ),
            r#"Happened(what: Rung("friction"), date: "2025-02-03")"#,
            "fact \"friction_late\" contradicts fact \"confrontation\": the mood is on rung \"friction\" or higher whenever it is on \"confrontation\" or higher, so it first reaches \"friction\" no later than \"confrontation\"",
        ),
    ];
    for (name, facts, needle, says) in &cases {
        check_fails(
            name,
            visa,
            &format!("{visa}{facts}"),
            needle,
            says,
            "facts a run can satisfy together",
        );
    }
    // Each alone is fine; so is a window of two steps beside the state, level 2 and level 1
    // first reached on one step (a jump), and a level lifted that was never reached at a
    // step's end (set and lowered within one step, or in force from the start: `Lifted`
    // counts it, `Reached` reads the steps' ends).
    for (name, facts) in [
        (
            "window",
            fact(
                "visa_first",
                r#"Happened(what: Reached("visa_regime", 1), date: "2025-03-03", tolerance: 1)"#,
            ) + &fact(
                "visa_off",
                r#"LevelOn(measure: "visa_regime", level: 0, date: "2025-03-04")"#,
            ),
        ),
        (
            "jump",
            fact(
                "ban_imposed",
                r#"Happened(what: Reached("import_ban", 2), date: "2025-03-03")"#,
            ) + &fact(
                "ban_tightened",
                r#"Happened(what: Reached("import_ban", 1), date: "2025-03-04")"#,
            ) + &fact(
                "ban_on",
                r#"LevelOn(measure: "import_ban", level: 2, date: "2025-03-03")"#,
            ),
        ),
        (
            "lifted_unreached",
            fact(
                "ban_lifted_early",
                r#"HappenedBy(what: Lifted("import_ban", 1), date: "2025-03-03")"#,
            ) + &fact(
                "ban_never",
                r#"NotBy(what: Reached("import_ban", 1), date: "2025-03-03")"#,
            ),
        ),
    ] {
        load_and_check(name, &with(visa, &format!("{visa}{facts}")))
            .unwrap_or_else(|d| panic!("{name}: {d}"));
    }
    check_fails(
        "lowest_rung",
        visa,
        &format!(
            "{visa}{}",
            fact(
                "calm_first",
                r#"Happened(what: Rung("calm"), date: "2025-03-03")"#
            )
        ),
        r#""calm"), date"#,
        "rung \"calm\" is the ladder's lowest: every run stands on it or higher from its start",
        "one of the rungs above the lowest:",
    );
}

/// Found by a reviewing helper: the shipped scenarios open with a bare `(`, so one given where
/// a timeline goes was refused as "unknown field `description` in Timeline", without the word
/// a `Scenario(...)` file gets; and the reverse for a bare timeline given as a scenario.
#[test]
fn a_bare_file_of_the_other_kind_is_named_as_such() {
    let flagship = std::fs::read(common::repo("scenarios/russia_azerbaijan_2025.ron")).unwrap();
    assert!(!String::from_utf8_lossy(&flagship).contains("Scenario("));
    let (_, r) = load_bytes("bare-scenario-as-timeline", &flagship);
    let d = only(r);
    assert!(d.message.contains("unknown field"), "{d}");
    let e = d.expected.as_deref().unwrap_or("");
    assert!(
        e.ends_with("(this file reads as a scenario: give a timeline of it)"),
        "{d}"
    );
    let bare = GOOD.replacen("Timeline(", "(", 1);
    assert_ne!(bare, GOOD);
    let dir = folder("bare-timeline-as-scenario");
    let path = dir.join("case.ron");
    std::fs::write(&path, &bare).unwrap();
    let Err(d) = scenario::load(&path, LoadOptions::default()) else {
        panic!("a timeline loaded as a scenario")
    };
    let e = d.0[0].expected.as_deref().unwrap_or("");
    assert!(
        e.ends_with("(this file reads as a timeline: give the scenario it is of)"),
        "{d}"
    );
    // A field misspelt in a file of the right kind gets no such word.
    let (_, r) = load_bytes("misspelt", with("facts:", "fact:").as_bytes());
    let d = only(r);
    assert!(
        !d.expected.as_deref().unwrap_or("").contains("reads as"),
        "{d}"
    );
}

/// Found by a reviewing helper: a timeline whose `scenario:` names a timeline (another, or
/// itself) was reported at the other file's line 1 ("give the scenario it is of"), and the
/// timeline with the mistake was not named. Now located at its `scenario:` field.
#[test]
fn a_timeline_naming_a_timeline_as_its_scenario_is_told_at_that_field() {
    let dir = folder("names-a-timeline");
    std::fs::write(dir.join("good.timeline.ron"), GOOD).unwrap();
    let scenario_field = GOOD
        .lines()
        .find(|l| l.trim_start().starts_with("scenario:"))
        .expect("GOOD names its scenario");
    for (name, names) in [
        ("other.timeline.ron", "good.timeline.ron"),
        ("self.timeline.ron", "self.timeline.ron"),
    ] {
        let text = GOOD.replacen(scenario_field, &format!("    scenario: \"{names}\","), 1);
        std::fs::write(dir.join(name), text).unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_brink"))
            .args(["validate", name])
            .current_dir(&dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "the scenario file {names} is a timeline, not a scenario"
            )),
            "{err}"
        );
        assert!(err.contains(&format!("--> {name}:")), "{err}");
        if name != names {
            assert!(!err.contains(&format!("{names}:1:1")), "{err}");
        }
    }
}

/// Found by a reviewing helper: a `scenario:` naming a plain file that fails when read
/// (`/proc/self/mem`: an input/output error) was reported at that file's line 1, not at the
/// timeline's field.
#[cfg(target_os = "linux")]
#[test]
fn a_scenario_that_fails_when_read_is_told_at_the_timeline_s_field() {
    let dir = folder("unreadable-scenario");
    let scenario_field = GOOD
        .lines()
        .find(|l| l.trim_start().starts_with("scenario:"))
        .expect("GOOD names its scenario");
    let text = GOOD.replacen(scenario_field, "    scenario: \"/proc/self/mem\",", 1);
    std::fs::write(dir.join("mem.timeline.ron"), text).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_brink"))
        .args(["validate", "mem.timeline.ron"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the scenario file /proc/self/mem cannot be read"),
        "{err}"
    );
    assert!(err.contains("--> mem.timeline.ron:"), "{err}");
    assert!(!err.contains("/proc/self/mem:1:1"), "{err}");
}

/// Found by a reviewing helper: a scenario with a problem, validated beside a timeline of
/// it, had its problem printed twice and counted as two.
#[test]
fn a_scenario_given_beside_its_timeline_has_its_problems_told_once() {
    let dir = folder("told-once");
    std::fs::write(dir.join("good.timeline.ron"), GOOD).unwrap();
    let scenario = std::fs::read_to_string(dir.join("tutorial.ron")).unwrap();
    let broken = scenario.replacen("horizon: 52", "horizon: 0", 1);
    assert_ne!(broken, scenario);
    std::fs::write(dir.join("tutorial.ron"), broken).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_brink"))
        .args(["validate", "tutorial.ron", "good.timeline.ron"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("error: horizon").count(), 1, "{err}");
    assert!(!err.contains("2 problems found"), "{err}");
}

/// One observation written twice under two names (the same target and kind, dates in the same
/// steps) is refused at the second: every score counted it twice. The same target observed in
/// another way, or so on a date in another step, is another observation.
#[test]
fn one_observation_written_twice_is_refused() {
    let visa = r#"Fact(name: "visa", observed: Happened(what: Reached("visa_regime", 2), date: "2025-04-07"), source: "test"),"#;
    // 7 April 2025 is a Monday: the 9th is in its step, the 14th in the next.
    let twice = |date: &str, kind: &str| {
        format!(
            "{visa}\n        Fact(name: \"visa_again\", observed: {kind}(what: \
             Reached(\"visa_regime\", 2), date: \"{date}\"), source: \"another wire\"),"
        )
    };
    check_fails(
        "observed_twice",
        visa,
        &twice("2025-04-09", "Happened"),
        r#"Happened(what: Reached("visa_regime", 2), date: "2025-04-09")"#,
        "fact \"visa_again\" observes what fact \"visa\" observes, on the same steps: a \
         back-test would count one observation twice",
        "each observation once",
    );
    for (date, kind) in [("2025-04-09", "HappenedBy"), ("2025-04-14", "HappenedBy")] {
        load_and_check("observed_differently", &with(visa, &twice(date, kind)))
            .unwrap_or_else(|d| panic!("{date} {kind}: {d}"));
    }
}

/// A level in force keeps the mood on the rung it implies (`implies_rung`) or higher: the
/// tutorial's visa regime at level 2 implies "rupture". Beside the mood on a lower rung at
/// the end of that step, or the mood not yet at rupture after the level was reached, no run
/// satisfies both (the back-test scored the whole path 0); level 1, which implies no rung, is
/// no contradiction.
#[test]
fn a_level_in_force_puts_a_floor_under_the_mood() {
    let friction = r#"Fact(name: "friction", observed: RungOn(rung: "friction", date: "2025-05-05"), source: "test"),"#;
    let with_level = |level: u32| {
        format!(
            "{friction}\n        Fact(name: \"visa_on\", observed: LevelOn(measure: \
             \"visa_regime\", level: {level}, date: \"2025-05-06\"), source: \"s\"),"
        )
    };
    check_fails(
        "implied_floor",
        friction,
        &with_level(2),
        r#"LevelOn(measure: "visa_regime", level: 2, date: "2025-05-06")"#,
        "fact \"visa_on\" contradicts fact \"friction\": no run can have the mood stand at the \
         end of step 17 where both put it (measure \"visa_regime\" at level 2 keeps the mood on \
         rung \"rupture\" or higher (its implies_rung))",
        "facts a run can satisfy together",
    );
    load_and_check("implied_none", &with(friction, &with_level(1)))
        .unwrap_or_else(|d| panic!("{d}"));
    // Reached on 7 April (the good timeline's "visa"): the mood is at rupture from then on.
    let visa = r#"Fact(name: "visa", observed: Happened(what: Reached("visa_regime", 2), date: "2025-04-07"), source: "test"),"#;
    check_fails(
        "implied_first",
        visa,
        &format!(
            "{visa}\n        Fact(name: \"no_rupture\", observed: NotBy(what: Rung(\"rupture\"), \
             date: \"2025-04-14\"), source: \"s\"),"
        ),
        r#"NotBy(what: Rung("rupture"), date: "2025-04-14")"#,
        "fact \"no_rupture\" contradicts fact \"visa\": measure \"visa_regime\" at level 2 or \
         higher keeps the mood on rung \"rupture\" or higher (implies_rung), so the mood first \
         reaches \"rupture\" no later than level 2",
        "facts a run can satisfy together",
    );
}

/// The floor a level reached puts under the mood is the lowest of that level's and every
/// level above it (a SetLevel can jump a level): with the visa regime's level 1 implying
/// "rupture" and level 2 implying nothing, a level reached by a date says nothing of the mood
/// (it may be level 2), while level 1 in force on a date does. A regression here would refuse
/// timelines real runs satisfy.
#[test]
fn a_higher_level_that_implies_less_lowers_the_floor_of_a_level_reached() {
    let tutorial =
        std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    let inverted = tutorial
        .replacen(
            "// implies_rung left out: this level does not lift the rung.",
            "implies_rung: \"rupture\",",
            1,
        )
        .replacen(
            "// While in force, the rung is at least \"rupture\", however calm H is.\n                    implies_rung: \"rupture\",",
            "",
            1,
        );
    assert_eq!(inverted.matches("implies_rung: \"rupture\"").count(), 1);
    let check = |name: &str, facts: &str| {
        let text = GOOD.replace(
            r#"        Fact(name: "friction", observed: RungOn(rung: "friction", date: "2025-05-05"), source: "test"),"#,
            facts,
        );
        let (path, r) = load_bytes(name, text.as_bytes());
        std::fs::write(path.with_file_name("tutorial.ron"), &inverted).unwrap();
        let t = r.unwrap_or_else(|d| panic!("{d}"));
        let s = scenario::load(&t.scenario_path(), LoadOptions::default())
            .unwrap_or_else(|d| panic!("{d}"));
        check_timeline(&t, &s.scenario)
    };
    // The good timeline's visa regime reached level 2 on 7 April; level 1 by 14 April, and
    // no rupture by 21 April: level 2 implies none, so both hold in a run that jumped to it.
    check(
        "floor_reached",
        r#"        Fact(name: "visa_one", observed: HappenedBy(what: Reached("visa_regime", 1), date: "2025-04-14"), source: "s"),
        Fact(name: "calm_yet", observed: NotBy(what: Rung("rupture"), date: "2025-04-21"), source: "s"),"#,
    )
    .unwrap_or_else(|d| panic!("{d}"));
    // Level 1 in force beside the mood on friction that week: refused.
    let d = check(
        "floor_in_force",
        r#"        Fact(name: "visa_one_on", observed: LevelOn(measure: "visa_regime", level: 1, date: "2025-05-05"), source: "s"),
        Fact(name: "friction", observed: RungOn(rung: "friction", date: "2025-05-05"), source: "s"),"#,
    )
    .unwrap_err();
    assert!(
        d.to_string()
            .contains("measure \"visa_regime\" at level 1 keeps the mood on rung \"rupture\""),
        "{d}"
    );
}

/// A target that holds from the start in every run (the Georgia case's wine ban is in force at
/// level 1 on its first day, with a `min_duration`) first happened on step 0: a fact that it
/// first happened after step 0, or had not happened by a date, would score 0 in every run
/// (found by a reviewing helper, on an outcome written with `LevelEverReached`). Refused at
/// the fact; the same target dated on step 0, and a `LevelOn` of the level in force, are not.
#[test]
fn a_target_in_force_from_the_start_cannot_first_happen_later() {
    let dir = common::scratch("timeline-from-start");
    std::fs::copy(
        common::repo("scenarios/history/russia_georgia_2006.ron"),
        dir.join("g.ron"),
    )
    .unwrap();
    let case = |facts: &str| {
        let path = dir.join("g.timeline.ron");
        std::fs::write(
            &path,
            format!(
                "Timeline(name: \"g\", scenario: \"g.ron\", sources: [\"test\"], facts: [{facts}])"
            ),
        )
        .unwrap();
        let t = load_timeline(&path, LoadOptions::default()).unwrap_or_else(|d| panic!("{d}"));
        let s = scenario::load(&t.scenario_path(), LoadOptions::default()).unwrap();
        check_timeline(&t, &s.scenario)
    };
    for bad in [
        r#"Fact(name: "wine", observed: Happened(what: Reached("import_bans", 1), date: "2006-05-01"), source: "t")"#,
        r#"Fact(name: "wine", observed: NotBy(what: Reached("import_bans", 1), date: "2006-04-03"), source: "t")"#,
        r#"Fact(name: "wine", observed: Happened(what: Condition(Any([LevelEverReached("import_bans", 1), ActOccurred("ru_protest")])), date: "2006-05-01", tolerance: 2), source: "t")"#,
    ] {
        let d = only(case(bad));
        assert!(
            d.message.contains("holds from the start in every run")
                && d.message
                    .contains("measure \"import_bans\" starts at level 1"),
            "{bad}: {}",
            d.message
        );
    }
    for good in [
        r#"Fact(name: "wine", observed: Happened(what: Reached("import_bans", 1), date: "2006-03-27"), source: "t")"#,
        r#"Fact(name: "wine", observed: Happened(what: Reached("import_bans", 1), date: "2006-04-03", tolerance: 1), source: "t")"#,
        r#"Fact(name: "wine", observed: LevelOn(measure: "import_bans", level: 1, date: "2006-05-01"), source: "t")"#,
        r#"Fact(name: "water", observed: Happened(what: Reached("import_bans", 2), date: "2006-05-01"), source: "t")"#,
        r#"Fact(name: "either", observed: Happened(what: Condition(All([LevelEverReached("import_bans", 1), ActOccurred("ru_protest")])), date: "2006-05-01"), source: "t")"#,
    ] {
        case(good).unwrap_or_else(|d| panic!("{good}: {d}"));
    }
}

/// A timeline's problems on its own (a fact without a source) and against its scenario (an
/// unknown measure) are told together, by `validate` and by `backtest`: the first stopped the
/// checks, so the second came only after a fix (found by a reviewing helper).
#[test]
fn own_and_scenario_problems_are_told_together() {
    let dir = case_from_the_template("timeline-together");
    let path = dir.join("c.timeline.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut dropped = false;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let drop = !dropped && l.trim_start().starts_with("source: \"replace with");
            dropped |= drop;
            !drop
        })
        .collect();
    assert!(dropped, "{text}");
    let broken = kept
        .join("\n")
        .replacen("measure: \"", "measure: \"no_such_", 1);
    assert!(broken.contains("no_such_"), "{text}");
    std::fs::write(&path, broken).unwrap();
    for args in [
        &["validate", "c.ron", "c.timeline.ron"][..],
        &["backtest", "c.timeline.ron", "--runs", "50", "--no-charts"],
    ] {
        let o = common::brink_in(&dir, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("has no source"), "{args:?}: {err}");
        assert!(
            err.contains("unknown measure \"no_such_"),
            "{args:?}: {err}"
        );
        assert!(err.contains("2 problems found"), "{args:?}: {err}");
    }
    assert!(
        !dir.join("output").exists(),
        "a back-test refused wrote nothing"
    );
}

/// Told together too: a fact without a source and the scenario the timeline names missing or
/// unreadable (the source's problem replaced the scenario's), and a fact without a source and
/// its contradiction with another fact (a fact with a wrong source was left out of the
/// comparison). Found by a reviewing helper.
#[test]
fn own_problems_come_with_a_missing_scenario_and_with_contradictions() {
    let dir = case_from_the_template("timeline-together-2");
    let text = std::fs::read_to_string(dir.join("c.timeline.ron")).unwrap();
    let contra = "        Fact(\n            name: \"level_contra\",\n            \
                  observed: LevelOn(measure: \"trade_ban\", level: 1, date: \"2026-01-05\"),\n            \
                  source: \"\",\n        ),\n";
    let with = text.replacen("    facts: [\n", &format!("    facts: [\n{contra}"), 1);
    assert!(with.contains("level_contra"), "{text}");
    std::fs::write(dir.join("contra.timeline.ron"), &with).unwrap();
    std::fs::write(
        dir.join("missing.timeline.ron"),
        with.replacen("scenario: \"c.ron\"", "scenario: \"nope.ron\"", 1),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let o = common::brink_in(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = run(&["validate", "c.ron", "contra.timeline.ron"]);
    assert!(err.contains("fact \"level_contra\" has no source"), "{err}");
    assert!(
        err.contains("\"level_contra\"") && err.contains(" contradicts fact "),
        "{err}"
    );
    assert!(err.contains("2 problems found"), "{err}");
    let err = run(&["validate", "missing.timeline.ron"]);
    assert!(err.contains("fact \"level_contra\" has no source"), "{err}");
    assert!(err.contains("nope.ron cannot be read"), "{err}");
}

/// A scratch folder holding `c.ron` and `c.timeline.ron`, as `brink new c --from case` and
/// `brink new c --timeline-of c.ron` write them.
fn case_from_the_template(name: &str) -> PathBuf {
    let dir = common::scratch(name);
    for args in [
        &["new", "c", "--from", "case"][..],
        &["new", "c", "--timeline-of", "c.ron"],
    ] {
        let o = common::brink_in(&dir, args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    dir
}

/// The facts' conditions are followed every step of every run: 1,000 facts of 256 terms each
/// (every one within its own limits) took 9 s a run. Together they may hold as many terms as
/// a scenario's outcomes can (32,768); one more is refused at `facts`.
#[test]
fn the_facts_conditions_together_are_limited() {
    // Any of n conditions: n + 1 terms.
    let any = |n: usize| {
        format!(
            "Condition(Any([{}]))",
            vec!["IndexAbove(1.0)"; n].join(", ")
        )
    };
    let facts = |last: usize| {
        (0..128)
            .map(|i| {
                let what = any(if i == 127 { last } else { 255 });
                format!(
                    "Fact(name: \"f{i}\", observed: HappenedBy(what: {what}, date: \"2025-12-01\"), source: \"test\"),"
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let text = |last: usize| {
        format!(
            "Timeline(name: \"many\", scenario: \"tutorial.ron\", facts: [\n{}\n])\n",
            facts(last)
        )
    };
    // 128 facts of 256 terms: 32,768, the limit.
    let (_, r) = load_bytes("terms_at_limit", text(255).as_bytes());
    assert!(r.is_ok(), "{:?}", r.err().map(|d| d.to_string()));
    // One more term in the last.
    let too_many = text(256);
    let (_, r) = load_bytes("terms_beyond_limit", too_many.as_bytes());
    let d = only(r);
    assert_diag(
        &d,
        at(&too_many, "[\n"),
        "the facts' conditions have 32769 terms together",
        "at most 32768 terms in all the facts' conditions",
    );
}

/// A measure's band is told by its levels' numbers: "2 levels" read as two levels above 0
/// for a one-level measure's band over its levels 0 and 1 (a reviewing helper).
#[test]
fn a_level_facts_band_names_its_levels() {
    let dir = common::scratch("level-bands");
    let out = dir.join("out");
    let o = common::brink(&[
        "backtest",
        "scenarios/history/russia_turkey_2015.timeline.ron",
        "--runs",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    assert!(
        text.contains("levels 0–") || text.contains("level "),
        "{text}"
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    for n in 1..=9 {
        for t in [&text[..], &page[..]] {
            assert!(!t.contains(&format!("{n} levels")), "{n} levels: {t}");
            assert!(!t.contains(&format!("({n} level)")), "({n} level): {t}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A timeline linked into another folder reads its `scenario` from the link's folder; when the
/// scenario cannot be read there, the error says the timeline is a link and where the
/// scenario beside its target stands (an attacking helper met a bare "cannot be read").
#[cfg(unix)]
#[test]
fn a_linked_timeline_says_where_its_scenario_is_read() {
    let dir = case_from_the_template("linked-timeline");
    std::fs::create_dir(dir.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(
        dir.join("c.timeline.ron"),
        dir.join("elsewhere/l.timeline.ron"),
    )
    .unwrap();
    let o = common::brink_in(&dir, &["validate", "elsewhere/l.timeline.ron"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("elsewhere/c.ron cannot be read"), "{err}");
    assert!(
        err.contains("elsewhere/l.timeline.ron is a link to ")
            && err.contains("its scenario is read from the link's folder: ")
            && err.contains("c.ron stands beside the target"),
        "{err}"
    );
    // A plain file that cannot find its scenario says nothing of links.
    std::fs::copy(
        dir.join("c.timeline.ron"),
        dir.join("elsewhere/p.timeline.ron"),
    )
    .unwrap();
    let o = common::brink_in(&dir, &["validate", "elsewhere/p.timeline.ron"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("elsewhere/c.ron cannot be read"), "{err}");
    assert!(!err.contains("link"), "{err}");
    // Linked with its scenario, it validates.
    std::os::unix::fs::symlink(dir.join("c.ron"), dir.join("elsewhere/c.ron")).unwrap();
    let o = common::brink_in(&dir, &["validate", "elsewhere/l.timeline.ron"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
