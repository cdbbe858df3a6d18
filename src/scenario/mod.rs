//! The scenario language: schema, loading, validation and diagnostics.

pub mod diagnostics;
pub mod field;
pub mod limits;
pub mod load;
pub mod locate;
pub mod new;
pub mod overrides;
pub mod param;
pub mod paths;
pub mod schema;
pub mod timeline;
pub mod validate;

/// The runs of a scenario when none are asked for and its file sets no `runs`.
pub const DEFAULT_RUNS: u64 = 10_000;

pub use diagnostics::{Diagnostic, Diagnostics};
pub use load::{LoadOptions, LoadedScenario, load, sha256_hex};
pub use param::{Dist, Param};
pub use schema::*;

/// The RON options every scenario is read with: `Some(..)` may be left out of optional fields,
/// and a lever's kind wraps its fields directly (`Measure(name: ..)`).
pub fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
        // The bracket depth is limited to `MAX_NESTING` before parsing (`load::too_deep`);
        // ron counts its own recursion, which some fields take two or three levels of per
        // bracket (a hazard factor's condition, a variant's event): its default of 128 refused
        // 64 brackets there as "too deep" while the limit said 64 (found by a fuzzing helper).
        .with_recursion_limit(4 * limits::MAX_NESTING)
}

/// Parses scenario text without validation (see `load` for the checked path).
pub fn parse_str(text: &str) -> Result<Scenario, ron::error::SpannedError> {
    ron_options().from_str(text)
}

/// A step unit in the singular ("week" for "week" or "weeks"; "step" when empty): a scenario
/// may name its unit either way, and every output says "at week 3" and "52 weeks".
///
/// ```
/// use brink::scenario::{step_one, steps};
/// assert_eq!(step_one(" weeks "), "week");
/// assert_eq!(steps("day"), "days");
/// assert_eq!(steps("weeks"), "weeks");
/// assert_eq!(step_one(""), "step");
/// assert_eq!(steps("WEEKS"), "WEEKS");
/// ```
pub fn step_one(unit: &str) -> &str {
    let u = unit.trim();
    // "WEEKS" is "WEEK" (it read "WEEKSs" in the plural).
    match u.strip_suffix('s').or_else(|| u.strip_suffix('S')) {
        Some(one) if !one.is_empty() => one,
        _ if u.is_empty() => "step",
        _ => u,
    }
}

/// A number of steps in words, singular for one: "1 week", "52 weeks" (whichever way the
/// scenario spells its unit).
///
/// ```
/// use brink::scenario::n_steps;
/// assert_eq!(n_steps(1, "weeks"), "1 week");
/// assert_eq!(n_steps(52, "week"), "52 weeks");
/// ```
pub fn n_steps(n: impl Into<i128>, unit: &str) -> String {
    match n.into() {
        1 => format!("1 {}", step_one(unit)),
        n => format!("{n} {}", steps(unit)),
    }
}

/// A step unit in the plural ("weeks" for "week" or "weeks"; "WEEKS" for "WEEK").
pub fn steps(unit: &str) -> String {
    let one = step_one(unit);
    let upper = one.chars().any(char::is_alphabetic) && !one.chars().any(char::is_lowercase);
    format!("{one}{}", if upper { "S" } else { "s" })
}
