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

use serde::{Deserialize, Serialize};

use super::schema::Condition;

/// An observed timeline: the scenario it tests and the dated facts of the crisis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    /// Identifier of the case (letters, digits, `_`).
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
    let per_step = match step_unit {
        "week" | "weeks" => 7,
        "day" | "days" => 1,
        other => {
            return Err(format!(
                "dates need steps of a day or a week; the scenario's step_unit is {other:?}"
            ));
        }
    };
    let days = day_number(date)? - day_number(start_date)?;
    Ok(days.div_euclid(per_step))
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, refusing dates that do not exist.
pub fn day_number(date: &str) -> Result<i64, String> {
    let bad = || format!("{date:?} is not a date of the form YYYY-MM-DD");
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
