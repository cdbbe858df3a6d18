//! Observed timelines: what happened in a crisis, as dated facts a scenario can be scored on.
//!
//! A timeline names the scenario it tests and lists facts, each tied to something the scenario
//! can observe (an outcome, an act, an event, a measure's level, the mood rung) and each with
//! its `source`. Dates are calendar dates (`YYYY-MM-DD`); they are turned into the scenario's
//! steps from its `start_date` and `step_unit` (a date falls in the step that holds it).
//!
//! ```ron
//! Timeline(
//!     name: "russia_turkey_2015",
//!     scenario: "russia_turkey_2015.ron",
//!     facts: [
//!         Fact(
//!             name: "apology",
//!             observed: Happened(what: Act("turkey_apology"), date: "2016-06-27"),
//!             source: "Kremlin press release, 27 June 2016",
//!         ),
//!     ],
//! )
//! ```

use crate::text::ShowPath;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::diagnostics::Diagnostics;
use super::limits::{MAX_FACTS, MAX_TIMELINE_TERMS};
use super::load::{
    FileKind, LoadOptions, located, parse_ron, read_limited, sha256_hex, utf8, without_bom,
};
use super::paths::{Loc, Seg};
use super::schema::{Condition, Lever, Scenario};
use super::validate::{Checker, Problem, control_char, is_valid_name, name_problem, one_of};

/// An observed timeline: the scenario it tests and the dated facts of the crisis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    /// Identifier of the case (a letter, then letters, digits, `_` or `-`; at most 64).
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// The scenario file it tests, relative to the timeline file.
    pub scenario: String,
    /// What the timeline is drawn from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// The observed facts (at least one).
    pub facts: Vec<Fact>,
}

/// One observed fact about the crisis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Identifier, unique in the timeline.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// What was observed.
    pub observed: Observed,
    /// Where the fact comes from (required: a wire report, an official statement).
    #[serde(default)]
    pub source: String,
}

/// What was observed, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Observed {
    /// `what` first happened on `date` (or, with `until`, between the two dates), give or take
    /// `tolerance` steps: a dated fact, scored by where its date falls among the runs'.
    Happened {
        /// What happened.
        what: Target,
        /// The date (the first of the window when `until` is given).
        date: String,
        /// The last date of the window, if the date is known only to a window.
        #[serde(default)]
        until: Option<String>,
        /// Steps of slack either side (default 0): the fact holds in a run in which `what`
        /// first happened within the window widened by this many steps.
        #[serde(default)]
        tolerance: u32,
    },
    /// `what` had happened by the end of the step holding `date` (its exact date unknown).
    HappenedBy {
        /// What happened.
        what: Target,
        /// The date by which it had happened.
        date: String,
    },
    /// `what` had not happened by the end of the step holding `date`.
    NotBy {
        /// What had not happened.
        what: Target,
        /// The date up to which it had not happened.
        date: String,
    },
    /// A measure stood at this level (0: not in force) at the end of the step holding `date`.
    LevelOn {
        /// The measure (a lever of the scenario).
        measure: String,
        /// Its level, 0 to the measure's number of levels.
        level: u32,
        /// The date.
        date: String,
    },
    /// The mood stood on this rung of the ladder at the end of the step holding `date`.
    RungOn {
        /// The rung's name.
        rung: String,
        /// The date.
        date: String,
    },
}

/// Something a run can be asked about: when it first happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Target {
    /// One of the scenario's outcomes first held.
    Outcome(String),
    /// An act (a lever) was first performed.
    Act(String),
    /// An event first fired.
    Event(String),
    /// A measure first reached this level or higher.
    Reached(String, u32),
    /// A measure that had reached this level first stood below it again (lifted).
    Lifted(String, u32),
    /// The mood first reached this rung or a higher one.
    Rung(String),
    /// Any condition of the scenario language first held.
    Condition(Condition),
}

/// The step that holds a calendar date (`YYYY-MM-DD`), for a scenario starting on
/// `start_date` with steps of a day or a week: step 0 holds the start date. The date may lie
/// before the start (a negative step) or beyond the horizon; callers check the range.
///
/// ```
/// use brink::scenario::timeline::step_of_date;
/// assert_eq!(step_of_date("2015-11-24", "2015-11-24", "week"), Ok(0));
/// assert_eq!(step_of_date("2016-06-27", "2015-11-24", "week"), Ok(30));
/// assert_eq!(step_of_date("2015-11-23", "2015-11-24", "day"), Ok(-1));
/// ```
pub fn step_of_date(date: &str, start_date: &str, step_unit: &str) -> Result<i64, String> {
    let per_step = days_per_step(step_unit).ok_or_else(|| {
        format!("dates need steps of a day or a week; the scenario's step_unit is {step_unit:?}")
    })?;
    let days = day_number(date)? - day_number(start_date)?;
    Ok(days.div_euclid(per_step))
}

/// The last date `YYYY-MM-DD` can write: every step of a dated scenario ends by it.
pub const LAST_DATE: &str = "9999-12-31";

/// [`LAST_DATE`] as a day number of [`day_number`].
///
/// ```
/// use brink::scenario::timeline::{LAST_DATE, LAST_DAY, date_of_day, day_number};
/// assert_eq!(day_number(LAST_DATE), Ok(LAST_DAY));
/// assert_eq!(date_of_day(LAST_DAY + 1), "10000-01-01");
/// ```
pub const LAST_DAY: i64 = 2_932_896;

/// Days in one step of `step_unit`, for the units a date can be given in (a day or a week),
/// in any case and with spaces around it (`"Week"` dated nothing before, silently).
///
/// ```
/// use brink::scenario::timeline::days_per_step;
/// assert_eq!(days_per_step("Weeks"), Some(7));
/// assert_eq!(days_per_step(" day "), Some(1));
/// assert_eq!(days_per_step("month"), None);
/// ```
pub fn days_per_step(step_unit: &str) -> Option<i64> {
    match step_unit.trim().to_ascii_lowercase().as_str() {
        "week" | "weeks" => Some(7),
        "day" | "days" => Some(1),
        _ => None,
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, refusing dates that do not exist.
pub fn day_number(date: &str) -> Result<i64, String> {
    let bad = || {
        let date = crate::text::quoted_name(date);
        format!("{date} is not a date of the form YYYY-MM-DD")
    };
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        let s = &date[r];
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("{date:?}: there is no month {m}")),
    };
    if d < 1 || d > days_in {
        return Err(format!("{date:?}: that month has no day {d}"));
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok(era * 146_097 + doe - 719_468)
}

/// The calendar date (`YYYY-MM-DD`) of a day number of [`day_number`] (days since 1970-01-01).
///
/// ```
/// use brink::scenario::timeline::{date_of_day, day_number};
/// assert_eq!(date_of_day(day_number("2016-02-29").unwrap()), "2016-02-29");
/// assert_eq!(date_of_day(0), "1970-01-01");
/// ```
pub fn date_of_day(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A timeline file, in the words of its diagnostics.
const TIMELINE: FileKind = FileKind {
    noun: "timeline",
    example: "Timeline(name: ..., scenario: ..., facts: [...])",
    record: "Timeline",
    whole_numbers: (0, u32::MAX as u64),
};

/// A timeline read and self-checked, with the text its later diagnostics point into.
#[derive(Debug, Clone)]
pub struct LoadedTimeline {
    /// The timeline, parsed and checked on its own ([`load_timeline`]).
    pub timeline: Timeline,
    /// The file it came from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, in hex.
    pub hash: String,
    /// The file's text (without a leading byte-order mark), which the diagnostics of
    /// [`check_timeline`] point into.
    pub text: String,
}

impl LoadedTimeline {
    /// The scenario file the timeline names, resolved against the timeline file's folder (an
    /// absolute `scenario` stays as it is).
    ///
    /// ```
    /// use std::path::{Path, PathBuf};
    /// use brink::scenario::timeline::{LoadedTimeline, Timeline};
    /// let t = LoadedTimeline {
    ///     timeline: Timeline {
    ///         name: "case".into(),
    ///         label: String::new(),
    ///         scenario: "case.ron".into(),
    ///         sources: vec![],
    ///         facts: vec![],
    ///     },
    ///     path: PathBuf::from("scenarios/history/case.timeline.ron"),
    ///     hash: String::new(),
    ///     text: String::new(),
    /// };
    /// assert_eq!(t.scenario_path(), Path::new("scenarios/history/case.ron"));
    /// let here = LoadedTimeline { path: PathBuf::from("case.timeline.ron"), ..t };
    /// assert_eq!(here.scenario_path(), Path::new("case.ron"));
    /// ```
    pub fn scenario_path(&self) -> PathBuf {
        let dir = self.path.parent().unwrap_or(Path::new(""));
        dir.join(&self.timeline.scenario)
    }

    /// The error for a scenario that cannot be opened (`why`: missing, or not a plain file),
    /// located at the timeline's `scenario` field, where the mistake is: the file itself has
    /// no line to show.
    pub fn scenario_unreadable(&self, why: &str) -> Diagnostics {
        self.scenario_problem(format!(
            "the scenario file {} cannot be read: {why}{}",
            crate::text::shortened_to(&self.scenario_path().shown().to_string(), 300, 200),
            self.read_through_a_link()
        ))
    }

    /// When the timeline file is a link, what to know: its `scenario` is read from the link's
    /// folder, not its target's (an attacking helper linked a case's timeline elsewhere and
    /// met "cannot be read" of a file that stood beside the target).
    fn read_through_a_link(&self) -> String {
        let is_link = std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.is_symlink());
        let Some(target) = is_link
            .then(|| std::fs::canonicalize(&self.path).ok())
            .flatten()
        else {
            return String::new();
        };
        let there = target
            .parent()
            .unwrap_or(Path::new(""))
            .join(&self.timeline.scenario);
        format!(
            " ({} is a link to {}; its scenario is read from the link's folder{})",
            crate::text::shortened_to(&self.path.shown().to_string(), 300, 200),
            crate::text::shortened_to(&target.shown().to_string(), 300, 200),
            if there.is_file() {
                format!(
                    ": {} stands beside the target; link it too, or name it in `scenario`",
                    crate::text::shortened_to(&there.shown().to_string(), 300, 200)
                )
            } else {
                String::new()
            }
        )
    }

    /// The file the timeline's `scenario:` names is a timeline (another, or itself): the
    /// mistake is this file's field, and is located there, not at the other file's first line.
    pub fn scenario_is_a_timeline(&self) -> Diagnostics {
        self.scenario_problem(format!(
            "the scenario file {} is a timeline, not a scenario",
            self.scenario_path().shown()
        ))
    }

    fn scenario_problem(&self, message: String) -> Diagnostics {
        let problem = Problem::new(
            vec![f("scenario")],
            message,
            "the scenario file the timeline tests, a path from the timeline file's folder (\"case.ron\" for a case beside it)",
        );
        match located(&self.path, &self.text, vec![problem]) {
            Err(d) => d,
            Ok(()) => Diagnostics(vec![]),
        }
    }
}

fn f(name: &'static str) -> Seg {
    Seg::Field(name)
}

/// The place of a field of the fact at index `i`.
fn fact_at(i: usize, path: &[&'static str]) -> Loc {
    let mut loc = vec![f("facts"), Seg::Index(i)];
    loc.extend(path.iter().map(|&n| f(n)));
    loc
}

/// How a back-test scores an observation: its kind, what it is about and its dates as the
/// steps they fall in (`None` if a date has no step: that fact's own problem is told).
fn scored_as(o: &Observed, step: impl Fn(&str) -> Option<i64>) -> Option<String> {
    Some(match o {
        Observed::Happened {
            what,
            date,
            until,
            tolerance,
        } => {
            let from = step(date)?;
            let to = match until {
                Some(u) => step(u)?,
                None => from,
            };
            format!("happened {what:?} {from}..={to} ±{tolerance}")
        }
        Observed::HappenedBy { what, date } => format!("happened by {what:?} {}", step(date)?),
        Observed::NotBy { what, date } => format!("not by {what:?} {}", step(date)?),
        Observed::LevelOn {
            measure,
            level,
            date,
        } => format!("level {measure:?} {level} {}", step(date)?),
        Observed::RungOn { rung, date } => format!("rung {rung:?} {}", step(date)?),
    })
}

/// The dates of an observation: each with the field that holds it.
fn dates(o: &Observed) -> Vec<(&'static str, &str)> {
    match o {
        Observed::Happened { date, until, .. } => {
            let mut v = vec![("date", date.as_str())];
            if let Some(u) = until {
                v.push(("until", u.as_str()));
            }
            v
        }
        Observed::HappenedBy { date, .. }
        | Observed::NotBy { date, .. }
        | Observed::LevelOn { date, .. }
        | Observed::RungOn { date, .. } => vec![("date", date.as_str())],
    }
}

/// Reads and parses a timeline file and checks what needs no scenario: a valid case name and
/// fact names (the naming rule of scenarios, [`is_valid_name`]), fact names unique, from one to
/// [`MAX_FACTS`] facts, a non-empty `source` on every fact, dates of the form `YYYY-MM-DD` that
/// exist, no `until` before its `date`, and a non-empty `scenario`. The file is read as
/// scenarios are (size limit, UTF-8, byte-order mark, nesting limit), and every problem is
/// returned at once, located in the file (the first 100).
pub fn load_timeline(path: &Path, opts: LoadOptions) -> Result<LoadedTimeline, Diagnostics> {
    let t = read_timeline(path, opts)?;
    self_checked(&t)?;
    Ok(t)
}

/// A timeline file read and parsed, not yet checked: [`check_timeline`] checks it on its own
/// and against its scenario at once, so that a fact without a source and a fact naming an
/// unknown measure are told together (the first stopped the checks before the second).
pub fn read_timeline(path: &Path, opts: LoadOptions) -> Result<LoadedTimeline, Diagnostics> {
    let bytes = read_limited(path, opts, TIMELINE)?;
    let hash = sha256_hex(&bytes);
    let text = without_bom(utf8(path, &bytes, TIMELINE)?);
    let timeline: Timeline = parse_ron(path, text, TIMELINE)?;
    Ok(LoadedTimeline {
        timeline,
        path: path.to_path_buf(),
        hash,
        text: text.to_string(),
    })
}

/// The problems of a read timeline on its own (its name, facts, sources, dates), located.
pub fn self_checked(t: &LoadedTimeline) -> Result<(), Diagnostics> {
    located(&t.path, &t.text, self_check(&t.timeline))
}

/// The problems of a timeline on its own (see [`load_timeline`]).
fn self_check(t: &Timeline) -> Vec<Problem> {
    let mut out = vec![];
    if !is_valid_name(&t.name) {
        out.push(Problem::new(
            vec![f("name")],
            format!("timeline name {:?} is not a valid name", t.name),
            super::validate::NAME_RULE,
        ));
    }
    if t.scenario.trim().is_empty() {
        out.push(Problem::new(
            vec![f("scenario")],
            "the timeline names no scenario",
            "the scenario file it tests, a path from the timeline file's folder (\"case.ron\" for a case beside it)",
        ));
    }
    if t.facts.is_empty() {
        out.push(Problem::new(
            vec![f("facts")],
            "the timeline has no facts",
            "at least one Fact(name: ..., observed: ..., source: ...)",
        ));
    } else if t.facts.len() > MAX_FACTS {
        out.push(Problem::new(
            vec![f("facts")],
            format!("{} facts is more than the limit", t.facts.len()),
            format!("at most {MAX_FACTS} facts"),
        ));
    }
    let terms: usize = (t.facts.iter())
        .filter_map(|fact| match &fact.observed {
            Observed::Happened { what, .. }
            | Observed::HappenedBy { what, .. }
            | Observed::NotBy { what, .. } => match what {
                Target::Condition(c) => Some(super::validate::condition_terms(c)),
                _ => None,
            },
            _ => None,
        })
        .sum();
    if terms > MAX_TIMELINE_TERMS {
        out.push(Problem::new(
            vec![f("facts")],
            format!(
                "the facts' conditions have {terms} terms together (each followed every step of \
                 every run), more than the limit"
            ),
            format!(
                "at most {MAX_TIMELINE_TERMS} terms in all the facts' conditions (as many as a \
                 scenario's outcomes can hold)"
            ),
        ));
    }
    // Free text reaches backtest's charts, report and tables: no control characters (they
    // made the SVGs invalid XML), as in scenarios.
    let mut text = |loc: Loc, what: String, value: &str| {
        if let Some(ch) = control_char(value) {
            out.push(Problem::new(
                loc,
                format!("{what} holds {}", super::validate::control_char_named(ch)),
                "text without control characters or noncharacters (tab, newline and carriage \
                 return are allowed)",
            ));
        } else if matches!(loc.last(), Some(Seg::Field("label")))
            && !value.trim().is_empty()
            && value.chars().all(crate::text::invisible)
        {
            // A blank on every chart and table, as in scenarios.
            out.push(Problem::new(
                loc,
                format!("{what} shows nothing: it holds only invisible characters"),
                "visible text (a label may be left out)",
            ));
        } else if let Some(why) = matches!(loc.last(), Some(Seg::Field("label")))
            .then(|| super::validate::not_one_line(value))
            .flatten()
        {
            // A label heads a row of backtest's tables and charts, as in scenarios.
            out.push(Problem::new(
                loc,
                format!("{what} {why}"),
                "a name of one line without tabs (it heads table rows, legends and charts; a \
                 source may run over several lines)",
            ));
        }
    };
    text(vec![f("label")], "label".into(), &t.label);
    for (i, s) in t.sources.iter().enumerate() {
        text(
            vec![f("sources"), Seg::Index(i)],
            format!("sources[{i}]"),
            s,
        );
    }
    for (i, fact) in t.facts.iter().enumerate() {
        text(
            fact_at(i, &["label"]),
            format!("facts[{i}].label"),
            &fact.label,
        );
        text(
            fact_at(i, &["source"]),
            format!("facts[{i}].source"),
            &fact.source,
        );
    }
    let mut seen = BTreeSet::new();
    for (i, fact) in t.facts.iter().enumerate() {
        out.extend(name_problem(
            fact_at(i, &["name"]),
            "fact",
            &fact.name,
            &mut seen,
        ));
        if fact.source.trim().is_empty() {
            out.push(Problem::new(
                fact_at(i, &["source"]),
                format!("fact {:?} has no source", fact.name),
                "a source: where the fact comes from (a wire report, an official statement)",
            ));
        }
        let mut days = vec![];
        for (field, date) in dates(&fact.observed) {
            match day_number(date) {
                Ok(d) => days.push(d),
                Err(e) => out.push(Problem::new(
                    fact_at(i, &["observed", field]),
                    format!("{field} {e}"),
                    "a date that exists, written YYYY-MM-DD",
                )),
            }
        }
        if let (
            Observed::Happened {
                date,
                until: Some(until),
                ..
            },
            [from, to],
        ) = (&fact.observed, days.as_slice())
            && to < from
        {
            out.push(Problem::new(
                fact_at(i, &["observed", "until"]),
                format!("until {until:?} is before date {date:?}"),
                format!("a date on or after {date}"),
            ));
        }
    }
    out
}

/// Checks a loaded timeline against the scenario it tests, every problem located in the
/// timeline file: the scenario has a `start_date` and a `step_unit` of day or week; every date
/// falls in a step from 0 to the horizon less one; every name the facts use is the scenario's
/// (outcomes, acts, events, measures with their levels, rungs, and the names of conditions).
pub fn check_timeline(t: &LoadedTimeline, s: &Scenario) -> Result<(), Diagnostics> {
    let mut c = Checker::new(s);
    // Its problems on its own first (none when it was loaded with `load_timeline`): a fact
    // whose observation was found wrong there is not compared for contradictions below.
    c.problems.extend(self_check(&t.timeline));
    let no_events = BTreeSet::new();
    // The scenario's calendar: its first day, days per step and last day.
    let calendar = match (&s.start_date, s.step_unit.as_str()) {
        (None, _) => {
            c.problems.push(Problem::new(
                vec![f("scenario")],
                format!(
                    "the scenario {:?} has no start_date, so the timeline's dates have no step",
                    s.name
                ),
                "a scenario with a start_date: \"YYYY-MM-DD\"",
            ));
            None
        }
        (Some(start), unit) => match (step_of_date(start, start, unit), day_number(start)) {
            (Ok(_), Ok(first)) => {
                // As `step_of_date` counts it ("Week" included): that call succeeded, so the
                // unit is one a date can be given in.
                let per_step = days_per_step(unit).unwrap_or(1);
                let last = first + s.horizon.max(1) * per_step - 1;
                Some((start.as_str(), unit, date_of_day(first), date_of_day(last)))
            }
            (Err(e), _) | (_, Err(e)) => {
                c.problems.push(Problem::new(
                    vec![f("scenario")],
                    format!("the scenario {:?}: {e}", s.name),
                    "a scenario with a start_date and a step_unit of \"day\" or \"week\"",
                ));
                None
            }
        },
    };
    for (i, fact) in t.timeline.facts.iter().enumerate() {
        if let Some((start, unit, first, last)) = &calendar {
            for (field, date) in dates(&fact.observed) {
                let Ok(step) = step_of_date(date, start, unit) else {
                    continue;
                };
                let when = if step < 0 {
                    "before the scenario's first date"
                } else if step >= s.horizon {
                    "after the scenario's last date"
                } else {
                    continue;
                };
                c.problems.push(Problem::new(
                    fact_at(i, &["observed", field]),
                    format!("{field} {date} is {when} (it runs from {first} to {last})"),
                    format!(
                        "a date from {first} to {last} (steps 0 to {} of {:?})",
                        s.horizon - 1,
                        s.name
                    ),
                ));
            }
        }
        if let Observed::Happened { tolerance, .. } = &fact.observed
            && i64::from(*tolerance) >= s.horizon
        {
            // Slack of the whole horizon or more holds in every run that has the fact at all:
            // no date is being scored.
            c.problems.push(Problem::new(
                fact_at(i, &["observed", "tolerance"]),
                format!(
                    "a tolerance of {tolerance} steps is as long as the scenario's {} steps or \
                     longer",
                    s.horizon
                ),
                format!("a tolerance from 0 to {} steps", s.horizon - 1),
            ));
        }
        // A target that holds from the start in every run first happened on step 0: a fact
        // that it had not happened by a date, or first happened in a window after step 0,
        // scores 0 in every run (found by a reviewing helper: an outcome on
        // `LevelEverReached` of a measure in force at the start).
        if let Some((start, unit, ..)) = &calendar {
            let after_start = match &fact.observed {
                Observed::NotBy { what, .. } => Some((what, "had not happened by its date")),
                Observed::Happened {
                    what,
                    date,
                    tolerance,
                    ..
                } => step_of_date(date, start, unit)
                    .ok()
                    .filter(|&d| d - i64::from(*tolerance) > 0)
                    .map(|_| (what, "first happened in a window after step 0")),
                _ => None,
            };
            if let Some((what, claim)) = after_start
                && let Some(why) = holds_from_start(s, what)
            {
                c.problems.push(Problem::new(
                    fact_at(i, &["observed", "what"]),
                    format!(
                        "the fact says its target {claim}, but it holds from the start in every \
                         run ({why}): it first happened on step 0, and a back-test would score \
                         the fact 0 by construction"
                    ),
                    "a fact about what may still happen (a level in force at the start is \
                     observed with LevelOn; an outcome that counts it holds from step 0)",
                ));
            }
        }
        match &fact.observed {
            Observed::Happened { what, .. }
            | Observed::HappenedBy { what, .. }
            | Observed::NotBy { what, .. } => target(
                &mut c,
                s,
                fact_at(i, &["observed", "what"]),
                what,
                &no_events,
            ),
            Observed::LevelOn { measure, level, .. } => c.lever_level_at(
                (
                    fact_at(i, &["observed", "measure"]),
                    fact_at(i, &["observed", "level"]),
                ),
                measure,
                i64::from(*level),
                true,
            ),
            Observed::RungOn { rung, .. } => c.rung_ref(fact_at(i, &["observed", "rung"]), rung),
        }
    }
    // A fact already wrong (an unknown measure, a level it lacks) contradicts nothing worth
    // saying: its own problem comes first; the others are still compared.
    if let Some((start, unit, ..)) = &calendar {
        let rungs: Vec<&str> = s.ladder.iter().map(|r| r.name.as_str()).collect();
        // What a fact observed must be sound to compare; its text (source, label, name) need
        // not be: a fact without a source hid its contradiction until the source was written.
        let wrong: BTreeSet<usize> = (c.problems.iter())
            .filter_map(|p| match p.loc.as_slice() {
                [_, _, Seg::Field("source" | "label" | "name"), ..] => None,
                [first, Seg::Index(i), ..] if *first == f("facts") => Some(*i),
                _ => None,
            })
            .collect();
        // The rung each level of each measure implies while in force (`implies_rung`), by
        // rank; 0 (the lowest rung: no floor) for a level that implies none.
        let implies: BTreeMap<&str, Vec<i64>> = (s.levers.iter())
            .filter_map(|l| match l {
                Lever::Measure(m) => Some(m),
                Lever::Act(_) => None,
            })
            .map(|m| {
                let ranks = (m.levels.iter())
                    .map(|lv| {
                        let r = lv.implies_rung.as_deref();
                        r.and_then(|r| rungs.iter().position(|x| *x == r))
                            .unwrap_or(0) as i64
                    })
                    .collect();
                (m.name.as_str(), ranks)
            })
            .collect();
        contradictions(
            &mut c,
            t,
            (start, unit),
            s.horizon,
            &rungs,
            &implies,
            &wrong,
        );
    }
    located(&t.path, &t.text, c.problems)
}

/// Why `what` holds at the end of step 0 in every run, if it does: a measure in force at the
/// start at the level named (`initial`), read by `LevelEverReached`, or by `LevelAtLeast` and
/// `Reached` when it cannot be lowered in step 0 (a `min_duration` of a step or more, or not
/// reversible); `Any` of one such, `All` of such only. None when a run may differ (an unknown
/// name included: its own problem is reported where it is checked).
fn holds_from_start(s: &Scenario, what: &Target) -> Option<String> {
    fn cond(s: &Scenario, c: &Condition, depth: usize) -> Option<String> {
        let measure = |m: &str| {
            s.levers.iter().find_map(|l| match l {
                Lever::Measure(x) if x.name == m => Some(x),
                _ => None,
            })
        };
        let started = |m: &str, l: i64, kept: bool| {
            measure(m)
                .filter(|x| x.initial >= l && l >= 1)
                .filter(|x| !kept || x.min_duration >= 1 || !x.reversible)
                .map(|x| format!("measure {m:?} starts at level {}", x.initial))
        };
        if depth > 64 {
            return None;
        }
        match c {
            Condition::LevelEverReached(m, l) => started(m, *l, false),
            Condition::LevelAtLeast(m, l) => started(m, *l, true),
            Condition::Any(v) => v.iter().find_map(|x| cond(s, x, depth + 1)),
            Condition::All(v) if !v.is_empty() => {
                let whys: Option<Vec<String>> = v.iter().map(|x| cond(s, x, depth + 1)).collect();
                whys.map(|w| w.join("; "))
            }
            _ => None,
        }
    }
    match what {
        Target::Outcome(o) => s
            .outcomes
            .iter()
            .find(|x| &x.name == o && !x.at_end)
            .and_then(|x| cond(s, &x.when, 0))
            .map(|why| format!("outcome {o:?}: {why}")),
        Target::Reached(m, l) => cond(s, &Condition::LevelAtLeast(m.clone(), i64::from(*l)), 0),
        Target::Condition(c) => cond(s, c, 0),
        _ => None,
    }
}

/// Refuses two dated facts that no run can both satisfy: about one target, the steps in which
/// it may first have happened by one (a `Happened` window widened by its tolerance, cut at the
/// run's first and last steps as the back-test cuts it, up to a `HappenedBy`, after a `NotBy`)
/// and by the other do not meet; about the state, one measure at two levels or the mood on two
/// rungs at the end of one step. A back-test of such a timeline scored its whole path at
/// probability 0 by construction, without a word.
fn contradictions(
    c: &mut Checker,
    t: &LoadedTimeline,
    (start, unit): (&str, &str),
    horizon: i64,
    rungs: &[&str],
    implies: &BTreeMap<&str, Vec<i64>>,
    wrong: &BTreeSet<usize>,
) {
    // The rank of the lowest rung the mood can stand on while measure `m` is at level `l` or
    // higher (`exactly`: at `l`): a level in force keeps the mood on the rung it implies or
    // higher (docs/model.md). 0 where nothing is implied.
    let floor = |m: &str, l: u32, exactly: bool| -> i64 {
        let ranks = implies.get(m).map_or(&[][..], |v| v.as_slice());
        let from = (l as usize).saturating_sub(1).min(ranks.len());
        let at = if exactly {
            ranks.get(from..from + 1).unwrap_or(&[])
        } else {
            &ranks[from..]
        };
        // Level 0 is no level in force.
        (l > 0)
            .then(|| at.iter().copied().min())
            .flatten()
            .unwrap_or(0)
    };
    let step = |d: &str| step_of_date(d, start, unit).ok();
    let last = horizon - 1;
    // (fact, target as written, first step allowed, last step allowed; i64::MAX: "never" too)
    // and, for a window implied by another target's, why it follows
    let mut seen: Vec<Seen> = vec![];
    // (fact, what stood: the measure or the mood, its step, its level or rung as written)
    let mut stood: Vec<(usize, String, i64, String)> = vec![];
    // What stood where at the end of a step, by rank (level, or rung from the bottom): from
    // the facts about the state, and from a first time on exactly one step (a measure first at
    // level 2 or higher on step d stood at 2 or higher then; one lifted below 1, below 1).
    // (fact, the measure or the mood, step, lowest rank, highest rank, and for a place a
    // level in force implies, why)
    let mut pinned: Vec<Pinned> = vec![];
    let rank_of = |r: &str| rungs.iter().position(|x| *x == r).unwrap_or(0) as i64;
    // Facts a back-test scores alike (one observation written twice, under two names): each
    // score would count it twice. (fact, how it is scored)
    let mut scored: Vec<(usize, String)> = vec![];
    for (i, fact) in t.timeline.facts.iter().enumerate() {
        if wrong.contains(&i) {
            continue;
        }
        let Some(key) = scored_as(&fact.observed, step) else {
            continue;
        };
        if let Some((j, _)) = scored.iter().find(|(_, k)| *k == key) {
            let other = &t.timeline.facts[*j].name;
            c.problems.push(Problem::new(
                fact_at(i, &["observed"]),
                format!(
                    "fact {:?} observes what fact {other:?} observes, on the same steps: a \
                     back-test would count one observation twice",
                    fact.name
                ),
                "each observation once (keep one of the two facts; its source can name every \
                 report of it)",
            ));
        } else {
            scored.push((i, key));
        }
    }
    for (i, fact) in t.timeline.facts.iter().enumerate() {
        if wrong.contains(&i) {
            continue;
        }
        let state = match &fact.observed {
            Observed::LevelOn {
                measure,
                level,
                date,
            } => step(date).map(|d| (format!("measure {measure:?}"), d, level.to_string())),
            Observed::RungOn { rung, date } => {
                step(date).map(|d| ("the mood".into(), d, rung.clone()))
            }
            _ => None,
        };
        if let Some((thing, d, value)) = state {
            let rank = match &fact.observed {
                Observed::LevelOn { level, .. } => i64::from(*level),
                Observed::RungOn { rung, .. } => rank_of(rung),
                _ => 0,
            };
            pin(c, t, &mut pinned, (i, thing.clone(), d, rank, rank, None));
            if let Observed::LevelOn { measure, level, .. } = &fact.observed {
                let f = floor(measure, *level, true);
                if f > 0 {
                    let why = format!(
                        "measure {measure:?} at level {level} keeps the mood on rung {:?} or \
                         higher (its implies_rung)",
                        rungs[f as usize]
                    );
                    pin(
                        c,
                        t,
                        &mut pinned,
                        (i, "the mood".into(), d, f, i64::MAX, Some(why)),
                    );
                    for r in rungs.iter().take(f as usize + 1).skip(1) {
                        let why = format!(
                            "measure {measure:?} at level {level} at the end of step {d} kept \
                             the mood on rung {:?} or higher (its implies_rung), so the mood had \
                             first reached {r:?} by then",
                            rungs[f as usize]
                        );
                        let what = Target::Rung(r.to_string());
                        check_window(
                            c,
                            t,
                            &mut seen,
                            (i, format!("{what:?}"), i64::MIN, d, Some(why)),
                        );
                    }
                }
            }
            if let Some((j, ..)) = stood
                .iter()
                .find(|(_, k, e, v)| *k == thing && *e == d && *v != value)
            {
                let other = &t.timeline.facts[*j].name;
                c.problems.push(Problem::new(
                    fact_at(i, &["observed"]),
                    format!(
                        "fact {:?} contradicts fact {other:?}: both say where {thing} stood at \
                         the end of step {d}, differently",
                        fact.name
                    ),
                    "facts about the state on dates in different steps (a step is one value at \
                     its end), or one of the two (a back-test scores a timeline whose facts \
                     contradict each other at probability 0)",
                ));
            }
            stood.push((i, thing, d, value.clone()));
            // A state at the end of step d says what had first happened by then: a measure at
            // level l had reached every level up to l, the mood on a rung every rung up to it.
            // Against a dated fact about those (a NotBy after d, a first time after d), as a
            // HappenedBy would be.
            let implied: Vec<Target> = match &fact.observed {
                Observed::LevelOn { measure, level, .. } => (1..=*level)
                    .map(|l| Target::Reached(measure.clone(), l))
                    .collect(),
                Observed::RungOn { rung, .. } => {
                    // The lowest rung holds from the start: nothing to say of it.
                    (rungs.iter().take(rank_of(rung) as usize + 1).skip(1))
                        .map(|r| Target::Rung(r.to_string()))
                        .collect()
                }
                _ => vec![],
            };
            for what in implied {
                let why = match &what {
                    Target::Reached(m, l) => format!(
                        "measure {m:?} at level {value} at the end of step {d} had first reached \
                         level {l} by then"
                    ),
                    _ => format!(
                        "the mood on rung {value:?} at the end of step {d} had first reached \
                         every rung up to it by then"
                    ),
                };
                check_window(
                    c,
                    t,
                    &mut seen,
                    (i, format!("{what:?}"), i64::MIN, d, Some(why)),
                );
            }
            continue;
        }
        let bound = match &fact.observed {
            Observed::Happened {
                what,
                date,
                until,
                tolerance,
            } => step(date)
                .zip(step(until.as_deref().unwrap_or(date)))
                .map(|(a, z)| {
                    let tol = i64::from(*tolerance);
                    (what, (a - tol).max(0), (z + tol).min(last))
                }),
            Observed::HappenedBy { what, date } => step(date).map(|d| (what, i64::MIN, d)),
            Observed::NotBy { what, date } => step(date).map(|d| (what, d + 1, i64::MAX)),
            Observed::LevelOn { .. } | Observed::RungOn { .. } => None,
        };
        let Some((what, lo, hi)) = bound else {
            continue;
        };
        check_window(c, t, &mut seen, (i, format!("{what:?}"), lo, hi, None));
        // A level reached keeps the mood on the rung it implies or higher from then on (the
        // floor's rank and why; none where nothing is implied).
        let reached_floor = match what {
            Target::Reached(m, l) => Some(floor(m, *l, false)).filter(|&f| f > 0).map(|f| {
                let why = format!(
                    "measure {m:?} at level {l} or higher keeps the mood on rung {:?} or \
                         higher (implies_rung)",
                    rungs[f as usize]
                );
                (f, why, l)
            }),
            _ => None,
        };
        // What had to happen first, both read at a step's end: a measure at level 2 or higher
        // is at 1 or higher, the mood on a rung is on every rung below. Not a level lifted: it
        // counts a level held for part of a step (set and lowered within it, or in force from
        // the start), which `Reached` does not.
        if !matches!(fact.observed, Observed::NotBy { .. }) {
            let before: Vec<(Target, String)> = match what {
                Target::Reached(m, l) => (1..*l)
                    .map(|k| {
                        let why = format!(
                            "measure {m:?} is at level {k} or higher whenever it is at {l} or \
                             higher, so it first reaches level {k} no later than level {l}"
                        );
                        (Target::Reached(m.clone(), k), why)
                    })
                    .collect(),
                Target::Rung(r) => (rungs.iter().take(rank_of(r) as usize).skip(1))
                    .map(|x| {
                        let why = format!(
                            "the mood is on rung {x:?} or higher whenever it is on {r:?} or \
                             higher, so it first reaches {x:?} no later than {r:?}"
                        );
                        (Target::Rung(x.to_string()), why)
                    })
                    .collect(),
                _ => vec![],
            };
            // The mood reaches the floor's rung, and every rung below, no later than the level.
            let mut before = before;
            if let Some((f, why, l)) = &reached_floor {
                for r in rungs.iter().take(*f as usize + 1).skip(1) {
                    let why =
                        format!("{why}, so the mood first reaches {r:?} no later than level {l}");
                    before.push((Target::Rung(r.to_string()), why));
                }
            }
            for (b, why) in before {
                check_window(
                    c,
                    t,
                    &mut seen,
                    (i, format!("{b:?}"), i64::MIN, hi, Some(why)),
                );
            }
        }
        // A first time on exactly one step says where the measure or the mood stood at its end.
        if matches!(fact.observed, Observed::Happened { .. }) && lo == hi {
            let at = match what {
                Target::Reached(m, l) => Some((format!("measure {m:?}"), i64::from(*l), i64::MAX)),
                Target::Lifted(m, l) => Some((format!("measure {m:?}"), 0, i64::from(*l) - 1)),
                Target::Rung(r) => Some(("the mood".to_string(), rank_of(r), i64::MAX)),
                _ => None,
            };
            if let Some((thing, low, high)) = at {
                pin(c, t, &mut pinned, (i, thing, lo, low, high, None));
            }
            if let Some((f, why, _)) = reached_floor {
                pin(
                    c,
                    t,
                    &mut pinned,
                    (i, "the mood".into(), lo, f, i64::MAX, Some(why)),
                );
            }
        }
    }
}

/// What a timeline whose facts no run satisfies together is expected to be instead.
const TOGETHER: &str = "facts a run can satisfy together (widen a date's window or its \
                        tolerance, or drop one of the two: a back-test scores a timeline whose \
                        facts contradict each other at probability 0)";

/// Where a fact puts a measure or the mood at the end of a step: (fact, the measure or the
/// mood, step, lowest rank, highest rank: a level, or a rung from the bottom; and, for the
/// floor a level in force puts under the mood, why).
type Pinned = (usize, String, i64, i64, i64, Option<String>);

/// Refuses fact `i` if where it puts a measure or the mood at the end of a step leaves nothing
/// of where an earlier fact puts it, and records it. Two facts about the state of one thing
/// that differ are left to the caller's message.
fn pin(c: &mut Checker, t: &LoadedTimeline, pinned: &mut Vec<Pinned>, new: Pinned) {
    let is_state = |k: usize| {
        matches!(
            t.timeline.facts[k].observed,
            Observed::LevelOn { .. } | Observed::RungOn { .. }
        )
    };
    let (i, thing, d, low, high, why) = &new;
    if let Some((j, .., other_why)) = pinned.iter().find(|(j, k, e, lo, hi, w)| {
        k == thing
            && e == d
            && (low > hi || high < lo)
            && !(is_state(*i) && is_state(*j) && why.is_none() && w.is_none())
    }) {
        let other = &t.timeline.facts[*j].name;
        let because = why
            .as_deref()
            .or(other_why.as_deref())
            .unwrap_or("a first time on exactly one step says where it stood then");
        c.problems.push(Problem::new(
            fact_at(*i, &["observed"]),
            format!(
                "fact {:?} contradicts fact {other:?}: no run can have {thing} stand at the end \
                 of step {d} where both put it ({because})",
                t.timeline.facts[*i].name
            ),
            TOGETHER,
        ));
    }
    pinned.push(new);
}

/// A fact's window for a target: (fact, target as written, first step allowed, last step
/// allowed, and for a window implied by another target's or by a state, why it follows).
type Seen = (usize, String, i64, i64, Option<String>);

/// Refuses fact `i` if its window (`lo` to `hi`) for the target `key` misses an earlier
/// fact's window for it, and records it.
fn check_window(c: &mut Checker, t: &LoadedTimeline, seen: &mut Vec<Seen>, new: Seen) {
    let (i, key, lo, hi, why) = &new;
    if let Some((j, .., other_why)) = seen
        .iter()
        .find(|(_, k, plo, phi, _)| k == key && (lo > phi || hi < plo))
    {
        let (this, other) = (&t.timeline.facts[*i].name, &t.timeline.facts[*j].name);
        let (message, expected) = match why.as_ref().or(other_why.as_ref()) {
            None => (
                format!(
                    "fact {this:?} contradicts fact {other:?}: no run can have what both \
                     observe first happen where each says"
                ),
                "facts about one target that some step satisfies (widen a date's window or its \
                 tolerance, or drop one of the two: a back-test scores a timeline whose facts \
                 contradict each other at probability 0)",
            ),
            Some(why) => (
                format!("fact {this:?} contradicts fact {other:?}: {why}"),
                TOGETHER,
            ),
        };
        c.problems
            .push(Problem::new(fact_at(*i, &["observed"]), message, expected));
    }
    seen.push(new);
}

/// Checks a target's names against the scenario; `loc` is the target's place.
fn target(c: &mut Checker, s: &Scenario, loc: Loc, what: &Target, no_events: &BTreeSet<&str>) {
    let arg = |k: usize| {
        let mut l = loc.clone();
        l.push(Seg::Index(k));
        l
    };
    match what {
        Target::Outcome(name) => match s.outcomes.iter().find(|o| &o.name == name) {
            None => c.problems.push(Problem::new(
                arg(0),
                format!("unknown outcome {}", crate::text::quoted_name(name)),
                one_of("outcomes", s.outcomes.iter().map(|o| o.name.as_str())),
            )),
            // An outcome counted at the last step only has no date on which it happened.
            Some(o) if o.at_end => c.problems.push(Problem::new(
                arg(0),
                format!(
                    "outcome {name:?} is counted at the end only (at_end), so it has no date on \
                     which it first happened"
                ),
                one_of(
                    "outcomes checked at every step",
                    s.outcomes
                        .iter()
                        .filter(|o| !o.at_end)
                        .map(|o| o.name.as_str()),
                ),
            )),
            Some(_) => {}
        },
        Target::Act(name) => c.act_ref(arg(0), name),
        Target::Event(name) => c.event_ref(arg(0), name, no_events),
        Target::Reached(m, level) | Target::Lifted(m, level) => {
            c.lever_level_at((arg(0), arg(1)), m, i64::from(*level), false)
        }
        Target::Rung(r) => {
            c.rung_ref(arg(0), r);
            // Every run stands on the lowest rung or higher from its start: it has no date on
            // which it first happened (as a measure's level 0 has none).
            if s.ladder.first().is_some_and(|l| &l.name == r) {
                c.problems.push(Problem::new(
                    arg(0),
                    format!(
                        "rung {r:?} is the ladder's lowest: every run stands on it or higher \
                         from its start, so it has no date on which it first happened"
                    ),
                    one_of(
                        "rungs above the lowest",
                        s.ladder.iter().skip(1).map(|l| l.name.as_str()),
                    ),
                ));
            }
        }
        Target::Condition(cond) => c.condition(arg(0), cond, no_events),
    }
}
