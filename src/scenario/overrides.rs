//! `--set PATH=VALUE`: numbers replaced from the command line, for a what-if without editing
//! the file. Parsed, checked and applied here, once, for every command (and for any other
//! caller: `brink experiment`, Python), exactly as a variant's `set` is: the same paths, the
//! same values (a number or a distribution in RON syntax), the same checks.
//!
//! Overrides apply after the chosen variant: they win over what the variant sets.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::field::ParamField;
use super::load::LoadedScenario;
use super::param::Param;
use super::paths::{for_each_param, param_paths};
use super::schema::{Scenario, Variant};
use super::validate::check_set;

/// A refused `--set`: the message names the argument, what is wrong and what was expected.
/// The library's error takes it as an input error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetError(pub String);

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetError {}

/// The result of checking or applying overrides.
pub type Result<T> = std::result::Result<T, SetError>;

/// How an override is written on the command line, for error messages (`parse_value`'s errors
/// end with it).
pub const USAGE: &str = "expected PATH=VALUE with VALUE a number or a distribution, e.g. actors.north.hawkishness=0.4 \
     or 'actors.north.hawkishness=Normal(mean: 0.3, sd: 0.05)'";

/// One `--set PATH=VALUE`: the parameter's path (as `brink describe --paths` lists it) and the
/// number or distribution that replaces it.
///
/// ```
/// use brink::scenario::overrides::Override;
/// let o: Override = "actors.north.hawkishness=Normal(mean: 0.3, sd: 0.05)".parse().unwrap();
/// assert_eq!(o.path, "actors.north.hawkishness");
/// assert!(o.value.is_uncertain());
/// assert_eq!(o.to_string(), "actors.north.hawkishness=Normal(mean: 0.3, sd: 0.05)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The parameter's path (`actors.azerbaijan.hawkishness`).
    pub path: String,
    /// The number or distribution it takes.
    pub value: Param,
    /// The value as written, for the manifest and the reports (so a rerun repeats it).
    pub text: String,
}

impl FromStr for Override {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (path, value) = s
            .split_once('=')
            .ok_or_else(|| format!("no '='; {USAGE}"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("no parameter path before '='; {USAGE}"));
        }
        Ok(Override {
            path: path.to_string(),
            value: parse_value(value)?,
            text: value.trim().to_string(),
        })
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.text)
    }
}

/// A value for a message, quoted: a hostile one (a hundred thousand brackets) is not echoed
/// whole.
fn shown(text: &str) -> String {
    let cut: String = if text.chars().count() > 80 {
        text.chars().take(77).chain("...".chars()).collect()
    } else {
        text.to_string()
    };
    format!("{cut:?}")
}

/// Parses a value as a scenario file writes a parameter: `0.4`, `Uniform(min: 0.2, max: 0.4)`.
pub fn parse_value(text: &str) -> std::result::Result<Param, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("no value after '='; {USAGE}"));
    }
    // As in a scenario file's text: no control characters (a source of "\u{1b}[31m" reached
    // summary.json), written raw or as a RON escape.
    let control = |t: &str| {
        super::validate::control_char(t).map(|ch| {
            format!(
                "{text:?} holds {}; expected text without control characters or noncharacters \
                 (tab, newline and carriage return are allowed)",
                super::validate::control_char_named(ch)
            )
        })
    };
    if let Some(e) = control(text) {
        return Err(e);
    }
    let param = super::ron_options().from_str::<Param>(text).map_err(|e| {
        // A distribution written in order with a number too few or too many, or `Fixed(0.5)`:
        // what a file's reader says of it (ron suggested a "raw identifier").
        if let Some((what, expected)) = super::load::positional_problem(text) {
            return format!("{}: {what}; expected {expected}", shown(text));
        }
        // A distribution's own error says which field is wrong; the untagged one does not.
        let why = if text.starts_with(char::is_alphabetic) {
            match super::ron_options()
                .from_str::<super::param::Dist>(text)
                .err()
            {
                // ron's "Unexpected variant named `abc` in enum `Dist`": brink's type name
                // is nothing to an analyst.
                Some(ron::error::SpannedError {
                    code:
                        ron::Error::NoSuchEnumVariant {
                            expected, found, ..
                        },
                    ..
                }) => format!(
                    "`{}` is no distribution's name: they are {}, each with its fields in \
                     brackets",
                    crate::text::shortened(&found),
                    expected.join(", ")
                ),
                Some(d) => d.code.to_string(),
                None => e.code.to_string(),
            }
        } else {
            e.code.to_string()
        };
        // ron's words for what brink's reader does (an untagged enum, its recursion limit) say
        // nothing to an analyst.
        let why = if why.contains("raw identifier") {
            // ron's "invalid std identifier `0.4`, try the raw identifier `r#0.4`": a number
            // where it wanted a field's name (a bracket left open, a name left out).
            "a number or text where a field's name or a closing bracket was expected".to_string()
        } else if why.contains("untagged enum") {
            "neither a number nor a distribution's name and fields".to_string()
        } else if why.contains("trailing characters") {
            "more follows the value".to_string()
        } else if why.contains("recursion limit") {
            format!(
                "nested more than {} levels deep",
                crate::scenario::limits::MAX_NESTING
            )
        } else {
            why
        };
        format!(
            "{} is not a number or a distribution in RON syntax ({why}); {USAGE}",
            shown(text)
        )
    })?;
    if let Param::Dist(d) = &param
        && let Some(e) = control(d.source())
    {
        return Err(e);
    }
    Ok(param)
}

/// An override as the manifest records it: the path and the value as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The parameter's path.
    pub path: String,
    /// The value as written on the command line (RON).
    pub value: String,
}

impl From<&Override> for Setting {
    fn from(o: &Override) -> Self {
        Setting {
            path: o.path.clone(),
            value: o.text.clone(),
        }
    }
}

impl Setting {
    /// The command-line argument that repeats it: `--set PATH=VALUE`.
    pub fn arg(&self) -> String {
        format!("--set {}={}", self.path, self.value)
    }

    /// The override it records (the value parsed again).
    pub fn parse(&self) -> Result<Override> {
        format!("{}={}", self.path, self.value)
            .parse()
            .map_err(|e| {
                let arg = format!("--set {}={}", self.path, self.value);
                SetError(format!("{}: {e}", crate::text::shortened(&arg)))
            })
    }
}

/// The path among `paths` nearest to `path` (edit distance), if it is near enough to be the
/// one meant.
pub fn nearest_path<'a>(paths: &'a [String], path: &str) -> Option<&'a str> {
    let near = |p: &String| (p.len() / 3).max(3);
    let chars = path.chars().count();
    paths
        .iter()
        // The distance is at least the difference in length: a path far longer than any is
        // near none, and is not compared character by character with each (a path of a
        // megabyte took half a minute).
        .filter(|p| p.chars().count().abs_diff(chars) <= near(p))
        .map(|p| (distance(p, path), p))
        .min()
        .filter(|(d, p)| *d <= near(p))
        .map(|(_, p)| p.as_str())
}

/// Edit distance (Levenshtein), for "did you mean".
///
/// ```
/// assert_eq!(brink::scenario::overrides::distance("Timelin", "Timeline"), 1);
/// ```
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The error of a path no number of the scenario has, with the nearest path.
pub fn unknown_path(s: &Scenario, arg: &str, path: &str) -> SetError {
    SetError(format!(
        "{}: {}",
        crate::text::shortened(arg),
        unknown_path_text(s, path)
    ))
}

/// Why `path` names no number of the scenario: the record it names, when the scenario has no
/// record of that name, with the names it has (a lever renamed since: "did you mean" offered
/// another lever's threshold, found by a reviewing helper); else the nearest path.
///
/// ```
/// let s = brink::scenario::parse_str(include_str!("../../scenarios/examples/tutorial.ron")).unwrap();
/// let t = brink::scenario::overrides::unknown_path_text(&s, "levers.embargo.threshold");
/// assert!(t.contains("no lever \"embargo\""), "{t}");
/// ```
pub fn unknown_path_text(s: &Scenario, path: &str) -> String {
    let paths = param_paths(s);
    let mut segs = path.splitn(3, '.');
    let (first, second) = (segs.next().unwrap_or(""), segs.next());
    // The record's kind, and how its names with numbers are listed.
    let kind = match first {
        "actors" => Some(("actor", "actors with numbers")),
        "levers" => Some(("lever", "levers with numbers")),
        "events" => Some(("event", "events with numbers")),
        "relations" => Some(("relation", "relations with numbers")),
        // Every shared entry is a number: "no shared number … with a number" said it twice.
        "shared" => Some(("shared number", "shared numbers")),
        "pressures" => Some(("pressure", "pressures with numbers")),
        _ => None,
    };
    let names: std::collections::BTreeSet<&str> = paths
        .iter()
        .filter_map(|p| {
            let mut it = p.splitn(3, '.');
            (it.next() == Some(first)).then(|| it.next()).flatten()
        })
        .collect();
    if let (Some((kind, listed)), Some(second)) = (kind, second)
        && !names.is_empty()
        && !names.contains(second)
    {
        let mut list: Vec<&str> = names.iter().copied().take(12).collect();
        if names.len() > 12 {
            list.push("…");
        }
        // A misspelt name keeps its "did you mean" (the path with the nearest name, if it is a
        // path); a name that is gone gets the list alone, not another record's number.
        let near = (second.chars().count() / 3).max(1);
        let hint = names
            .iter()
            // As in `nearest_path`: a name far longer or shorter is not near.
            .filter(|n| n.chars().count().abs_diff(second.chars().count()) <= near)
            .map(|n| (distance(n, second), *n))
            .min()
            .filter(|&(d, _)| d <= near)
            .map(|(_, n)| format!("{first}.{n}.{}", segs.next().unwrap_or("")))
            .filter(|p| paths.iter().any(|x| x == p))
            .map_or(String::new(), |p| format!(" (did you mean {p}?)"));
        let with = if first == "shared" {
            ""
        } else {
            " with a number"
        };
        return format!(
            "unknown parameter path {}{hint}: the scenario has no {kind} {}{with} (its \
             {listed}: {}); expected a path that `brink describe --paths FILE` lists",
            crate::text::quoted_name(path),
            crate::text::quoted_name(second),
            list.join(", ")
        );
    }
    let hint =
        nearest_path(&paths, path).map_or(String::new(), |p| format!(" (did you mean {p}?)"));
    format!(
        "unknown parameter path {}{hint}; expected a path that `brink describe --paths FILE` \
         lists",
        crate::text::quoted_name(path)
    )
}

/// Why the number at `path` cannot be set for the variants that will run (`None`: the base),
/// as (what is wrong, what was expected): it is a number of an event that every one of them
/// removes (it would change nothing: the event still draws its numbers, so that nothing else
/// shifts, but never fires), or of an event that only a variant adds (not a number of the
/// scenario: it is written in the variant's `add_events`).
pub fn unsettable(
    s: &Scenario,
    variants: &[Option<&str>],
    path: &str,
) -> Option<(String, &'static str)> {
    let event_of = |name: &str| super::paths::event_of(path) == Some(name);
    let removed = |name: Option<&str>| name.and_then(|v| removed_event(s, v, path));
    if let (Some(first), true) = (
        variants.first().and_then(|v| removed(*v)),
        variants.iter().all(|v| removed(*v).is_some()),
    ) {
        let v = variants[0].unwrap_or_default();
        return Some((
            format!(
                "variant {v:?} removes event {first:?}, so its numbers change nothing in the \
                 runs"
            ),
            "a number of an event the variant keeps",
        ));
    }
    if s.events.iter().any(|e| event_of(&e.name)) {
        return None;
    }
    s.variants
        .iter()
        .find_map(|v| {
            v.add_events
                .iter()
                .find(|e| event_of(&e.name))
                .map(|e| (v, e))
        })
        .map(|(v, e)| {
            (
                format!(
                    "event {:?} is one that variant {:?} adds: its numbers are written in the \
                     variant's add_events, not set from the command line",
                    e.name, v.name
                ),
                "a path that `brink describe --paths FILE` lists",
            )
        })
}

/// The event of `path` (`events.NAME.…`) when variant `variant` removes it: its numbers
/// change nothing in that variant's runs.
pub fn removed_event<'a>(s: &'a Scenario, variant: &str, path: &str) -> Option<&'a str> {
    let event = super::paths::event_of(path)?;
    s.variants
        .iter()
        .find(|v| v.name == variant)?
        .remove_events
        .iter()
        .find(|e| e.as_str() == event)
        .map(String::as_str)
}

/// An override as its refusals quote it (`path=value`): whole, but past 1,000 characters cut
/// (an argument of a megabyte was echoed whole; the flagship's own run to about 100).
fn set_arg(o: &Override) -> String {
    crate::text::shortened_to(&o.to_string(), 1_000, 600).into_owned()
}

/// Refuses the same path set twice.
pub fn check_distinct(overrides: &[Override]) -> Result<()> {
    for (i, o) in overrides.iter().enumerate() {
        if let Some(first) = overrides[..i].iter().find(|x| x.path == o.path) {
            return Err(SetError(format!(
                "--set {}: the path {} is already set by --set {}; expected each path once",
                set_arg(o),
                crate::text::quoted_name(&o.path),
                set_arg(first)
            )));
        }
    }
    Ok(())
}

/// The field of every number of a scenario, by path.
fn fields(s: &Scenario) -> BTreeMap<String, ParamField> {
    let mut out = BTreeMap::new();
    for_each_param(&mut s.clone(), &mut |site, _| {
        out.insert(site.path.clone(), site.key.field);
    });
    out
}

/// Layers the overrides over a variant of `s` (none: the base), returning the variant to
/// compile (the model's `compile_variant`); with no variant, one named `set` that only sets
/// the overrides. Each override is checked as a variant's `set` is ([`check_set`]: the field's
/// valid range, and what the value breaks where it is used), together with the variant's own
/// numbers and the other overrides; an error names the `--set` argument, what is wrong and what
/// was expected.
pub fn layer(s: &Scenario, variant: Option<&Variant>, overrides: &[Override]) -> Result<Variant> {
    check_distinct(overrides)?;
    let mut v = variant.cloned().unwrap_or_else(|| Variant {
        name: "set".into(),
        made_up: true,
        ..Variant::default()
    });
    let fields = fields(s);
    for o in overrides {
        if !fields.contains_key(&o.path) {
            let arg = format!("--set {}", set_arg(o));
            return Err(unknown_path(s, &arg, &o.path));
        }
    }
    for o in overrides {
        v.set.insert(o.path.clone(), o.value.clone());
    }
    for o in overrides {
        if let Some((msg, expected)) = check_set(s, &v, &o.path, &o.value) {
            return Err(SetError(format!(
                "--set {}: {msg}; expected {expected}",
                set_arg(o)
            )));
        }
    }
    Ok(v)
}

/// The scenario with the overrides written into it: into the base numbers and over whatever
/// any variant sets at those paths, so every variant (and `compare`'s base) runs in the world
/// the overrides describe. Unchecked: see [`layer`] and [`apply`].
pub fn rewrite(s: &Scenario, overrides: &[Override]) -> Scenario {
    let mut out = s.clone();
    // A distribution given without a source is the command line's, not the file's: its
    // block's source (what sensitivity and the ledger credit) spoke of another number.
    let credited: Vec<Param> = overrides
        .iter()
        .map(|o| {
            let mut p = o.value.clone();
            if let Param::Dist(d) = &mut p {
                d.credit(|| format!("command line: --set {}", o.path));
            }
            p
        })
        .collect();
    let by_path: BTreeMap<&str, &Param> = overrides
        .iter()
        .zip(&credited)
        .map(|(o, p)| (o.path.as_str(), p))
        .collect();
    for_each_param(&mut out, &mut |site, p| {
        if let Some(new) = by_path.get(site.path.as_str()) {
            *p = (*new).clone();
        }
    });
    for v in &mut out.variants {
        for (path, p) in v.set.iter_mut() {
            if let Some(new) = by_path.get(path.as_str()) {
                *p = (*new).clone();
            }
        }
    }
    out
}

/// The loaded scenario with the overrides applied ([`rewrite`]) and recorded (the manifests
/// of its results list them), after checking them ([`layer`]) over each variant that will run
/// (`None`: the base). With no overrides, the scenario as loaded.
pub fn apply(
    loaded: &LoadedScenario,
    overrides: &[Override],
    variants: &[Option<&str>],
) -> Result<LoadedScenario> {
    if overrides.is_empty() {
        return Ok(loaded.clone());
    }
    let s = &loaded.scenario;
    check_distinct(overrides)?;
    for o in overrides {
        if let Some((msg, expected)) = unsettable(s, variants, &o.path) {
            return Err(SetError(format!(
                "--set {}: {msg}; expected {expected}",
                set_arg(o)
            )));
        }
    }
    for name in variants {
        // An unknown variant is refused where the variant is compiled, with the known ones.
        let v = match name {
            Some(n) => match s.variants.iter().find(|v| v.name == *n) {
                Some(v) => Some(v),
                None => continue,
            },
            None => None,
        };
        layer(s, v, overrides)?;
    }
    let mut out = loaded.clone();
    out.scenario = rewrite(s, overrides);
    out.overrides = overrides.to_vec();
    Ok(out)
}

/// Whether variant `variant` sets `path` itself (its `set`): a value given for the path at
/// every arm replaces the variant's own.
pub fn variant_sets(s: &Scenario, variant: &str, path: &str) -> bool {
    s.variants
        .iter()
        .any(|v| v.name == variant && v.set.contains_key(path))
}

/// The variants among `variants` that set `path` themselves ([`variant_sets`]): a `--set` of
/// it replaces their own value in every arm, so such a variant differs from the base only in
/// its other changes (what `compare` and `experiment` say in a note, as `experiment --param`
/// does).
///
/// ```
/// use brink::scenario::overrides::set_by_variants;
/// let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
///     .join("scenarios/examples/tutorial.ron");
/// let s = brink::scenario::load(&path, Default::default()).unwrap().scenario;
/// let arms = [None, Some("pretext"), Some("visa_now")];
/// assert_eq!(set_by_variants(&s, &arms, "relations.south->north.grievance"), ["pretext"]);
/// assert!(set_by_variants(&s, &arms, "actors.north.hawkishness").is_empty());
/// ```
pub fn set_by_variants<'a>(s: &Scenario, variants: &[Option<&'a str>], path: &str) -> Vec<&'a str> {
    variants
        .iter()
        .flatten()
        .copied()
        .filter(|v| variant_sets(s, v, path))
        .collect()
}

/// The overrides in words for an analyst: `--set a=0.4 --set b=Uniform(...)`.
pub fn args(settings: &[Setting]) -> String {
    settings
        .iter()
        .map(Setting::arg)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_is_no_parameter_is_said_so_in_brinks_words() {
        // ron's own words were "data did not match any variant of untagged enum Param" and
        // "Exceeded recursion limit, try increasing `ron::Options::recursion_limit`", with a
        // hostile value echoed whole (found by a reviewer).
        let e = parse_value("[1]").unwrap_err();
        assert!(
            e.contains("neither a number nor a distribution") && !e.contains("untagged"),
            "{e}"
        );
        let deep = "[".repeat(100_000);
        let e = parse_value(&deep).unwrap_err();
        assert!(
            e.contains("nested more than 64 levels") && !e.contains("ron::"),
            "{e}"
        );
        assert!(e.len() < 500, "{} bytes", e.len());
        // A distribution in order with a number too few, or `Fixed(0.5)`, is told as a file's
        // reader tells it (ron's "invalid std identifier ... try the raw identifier").
        let e = parse_value("Fixed(0.5)").unwrap_err();
        assert!(
            e.contains("`Fixed` with one number in order") && !e.contains("raw identifier"),
            "{e}"
        );
        let e = parse_value("Pert(0.1, 0.2)").unwrap_err();
        assert!(e.contains("its `max` is missing"), "{e}");
        for bad in [
            "Pert(0.1, 0.2, 0.4",
            "Uniform(0.1, 0.2) junk",
            "Pert(min: 0.1, 0.2, 0.3)",
        ] {
            let e = parse_value(bad).unwrap_err();
            assert!(
                !e.contains("raw identifier") && !e.contains("r#"),
                "{bad}: {e}"
            );
        }
    }

    fn tutorial() -> LoadedScenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/examples/tutorial.ron");
        super::super::load(&path, Default::default()).unwrap()
    }

    #[test]
    fn a_value_with_a_control_character_is_refused() {
        for text in [
            "Normal(mean: 0.3, sd: 0.05, source: \"\u{1b}[31mRED\")",
            r#"Normal(mean: 0.3, sd: 0.05, source: "\u{1b}[31mRED")"#,
        ] {
            let e = parse_value(text).unwrap_err();
            assert!(e.contains("control character U+001B"), "{e}");
            assert!(!e.contains('\u{1b}'), "the message holds it raw: {e:?}");
        }
        assert!(parse_value(r#"Normal(mean: 0.3, sd: 0.05, source: "a\tb")"#).is_ok());
    }

    #[test]
    fn parses_numbers_and_distributions() {
        let o: Override = "a.b.c=0.4".parse().unwrap();
        assert_eq!(o.value, Param::Value(0.4));
        let o: Override = " a.b.c = 2 ".parse().unwrap();
        assert_eq!(
            (o.path.as_str(), o.value.clone()),
            ("a.b.c", Param::Value(2.0))
        );
        let o: Override = "a=Uniform(min: 0.2, max: 0.4)".parse().unwrap();
        assert_eq!(o.value.range(), (0.2, 0.4));
        let o: Override = "relations.a->b.fatigue=0.1".parse().unwrap();
        assert_eq!(o.path, "relations.a->b.fatigue");
        for bad in [
            "",
            "a",
            "=1",
            "a=",
            "a=abc",
            "a=Uniform(min: 1)",
            "a=0.1..0.3:3",
        ] {
            assert!(bad.parse::<Override>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_path_far_longer_than_any_is_near_none_and_is_told_at_once() {
        // A path of a megabyte was compared character by character with every path: half a
        // minute (release build) before the refusal. (Not timed here: tests never are on these
        // shared machines; the length filter is what keeps it instant.)
        let s = crate::scenario::parse_str(include_str!("../../scenarios/examples/tutorial.ron"))
            .unwrap();
        for path in [
            "x".repeat(1_000_000),
            format!("levers.{}", "x".repeat(1_000_000)),
        ] {
            let t = unknown_path_text(&s, &path);
            assert!(!t.contains("did you mean"), "{}", &t[..200]);
        }
        // A misspelling is still near its path.
        let t = unknown_path_text(&s, "actors.north.hawkishnes");
        assert!(t.contains("did you mean actors.north.hawkishness?"), "{t}");
    }

    #[test]
    fn suggests_the_nearest_path() {
        let paths = vec![
            "actors.russia.hawkishness".to_string(),
            "actors.russia.activity".into(),
        ];
        assert_eq!(
            nearest_path(&paths, "actors.russia.hawkishnes"),
            Some("actors.russia.hawkishness")
        );
        assert_eq!(nearest_path(&paths, "levers.something.else"), None);
    }

    #[test]
    fn layers_over_a_variant_and_checks() {
        let l = tutorial();
        let s = &l.scenario;
        let paths = param_paths(s);
        let path = paths
            .iter()
            .find(|p| p.ends_with(".fatigue"))
            .unwrap()
            .clone();
        let ok: Override = format!("{path}=0.2").parse().unwrap();
        let v = layer(s, None, std::slice::from_ref(&ok)).unwrap();
        assert_eq!(v.set.get(&path), Some(&Param::Value(0.2)));
        let bad: Override = format!("{path}=1.5").parse().unwrap();
        let e = layer(s, None, &[bad]).unwrap_err().to_string();
        assert!(e.contains("--set") && e.contains("from 0 to 1"), "{e}");
        let twice = layer(s, None, &[ok.clone(), ok.clone()]).unwrap_err();
        assert!(twice.to_string().contains("already set"), "{twice}");
        let typo: Override = format!("{}x=0.2", path).parse().unwrap();
        let e = layer(s, None, &[typo]).unwrap_err().to_string();
        assert!(e.contains(&format!("did you mean {path}?")), "{e}");
        // The rewritten scenario holds the value at the path (tests/set_override.rs checks
        // that it runs exactly as the variant that sets it).
        let mut applied = apply(&l, std::slice::from_ref(&ok), &[None])
            .unwrap()
            .scenario;
        let mut found = vec![];
        for_each_param(&mut applied, &mut |site, p| {
            if site.path == path {
                found.push(p.clone());
            }
        });
        assert_eq!(found, vec![Param::Value(0.2)]);
    }
}
