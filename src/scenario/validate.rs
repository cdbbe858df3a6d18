//! Checks that a parsed scenario means something: every reference resolves, every number is in
//! its range, names are unique and safe. Every problem is collected, none stops the others.

use std::collections::{BTreeMap, BTreeSet};

use super::field::ParamField;
use super::limits::*;
use super::param::{Param, fmt_exact, fmt_num};
use super::paths::{Loc, Seg, for_each_param};
use super::schema::*;

/// A problem with its place in the file.
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) loc: Loc,
    /// What is wrong, in the analyst's words.
    pub message: String,
    pub(crate) expected: Option<String>,
    /// The problem is the key of the map entry at `loc` (an unknown actor in `costs`), not its
    /// value.
    pub at_key: bool,
}

impl Problem {
    /// A problem with the value at `loc`.
    pub(crate) fn new(loc: Loc, message: impl Into<String>, expected: impl Into<String>) -> Self {
        Problem {
            loc,
            message: message.into(),
            expected: Some(expected.into()).filter(|e: &String| !e.is_empty()),
            at_key: false,
        }
    }
}

fn fmt_range((lo, hi): (f64, f64)) -> String {
    let finite = (lo.is_finite(), hi.is_finite());
    let [lo, hi] = [lo, hi].map(fmt_exact);
    match finite {
        (true, true) => format!("a number from {lo} to {hi}"),
        (true, false) => format!("a number of at least {lo}"),
        (false, true) => format!("a number of at most {hi}"),
        _ => "a finite number".into(),
    }
}

/// Checks one number against the valid range of its field ([`ParamField::range`]); `None` if
/// fine.
pub fn check_param(
    path: &str,
    field: ParamField,
    p: &Param,
    bounds: (f64, f64),
) -> Option<(String, String)> {
    if let Param::Value(v) = p
        && !v.is_finite()
    {
        let why = if v.is_nan() {
            "not a number (NaN)".to_string()
        } else {
            format!(
                "{v}: infinite, or beyond the largest number a computer can hold (about 1.8e308)"
            )
        };
        return Some((format!("{path} is {why}"), "a finite number".to_string()));
    }
    if let Err(e) = p.check() {
        let expected = match p {
            Param::Value(_) => "a finite number".to_string(),
            Param::Dist(_) => "a valid distribution".to_string(),
        };
        return Some((format!("invalid number for {path}: {e}"), expected));
    }
    let (lo, hi) = p.range();
    // A normal's written mean, not the mean of its draws: the rule below reads it, and a
    // mean of 5e12 cut to [0.1, 0.9] is a number beyond the limit all the same.
    let c = match p {
        Param::Dist(super::param::Dist::Normal { mean, .. }) => *mean,
        p => p.central(),
    };
    // The number of largest magnitude, with its sign (-1e308 is not "1e308").
    let worst = [lo, hi, c]
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, |m, v| if v.abs() > m.abs() { v } else { m });
    if worst.abs() > MAX_ABS_NUMBER {
        return Some((
            format!("{path} is {worst:e}, beyond the largest number a scenario may hold"),
            format!("a number of magnitude at most {MAX_ABS_NUMBER:e}"),
        ));
    }
    // A distribution's spread is a number written in the scenario too (an sd of 1e300 was
    // taken, its draws clamped to the valid range without a word).
    let spread = match p {
        Param::Dist(super::param::Dist::Normal { sd, .. }) => vec![("sd", *sd)],
        Param::Dist(super::param::Dist::Beta { alpha, beta, .. }) => {
            vec![("alpha", *alpha), ("beta", *beta)]
        }
        Param::Dist(super::param::Dist::LogNormal { sigma, .. }) => vec![("sigma", *sigma)],
        _ => vec![],
    };
    if let Some((name, v)) = spread.into_iter().find(|(_, v)| v.abs() > MAX_ABS_NUMBER) {
        return Some((
            format!("{path} has {name} {v:e}, beyond the largest number a scenario may hold"),
            format!("a number of magnitude at most {MAX_ABS_NUMBER:e}"),
        ));
    }
    let valid = field.range(bounds);
    // Unbounded tails (normal, log-normal) are clamped to the valid range when sampled.
    let out = |v: f64| v < valid.0 || v > valid.1;
    // As docs/scenario-format.md says: a number, and a distribution bounded on both sides,
    // wholly inside; one reaching to infinity on a side (a normal cut on one side or none, a
    // log-normal) by its centre (it is clamped when drawn), its cut leaving some of the range
    // (`min: 2` for a share would clamp every draw to 1).
    let bounded = lo.is_finite() && hi.is_finite();
    // The centre of a curve reaching to infinity is the mean of its draws: a normal cut on one
    // side may be written centred beyond the range when its cut keeps the draws inside (the
    // curve `calibrate` fits to a posterior piled against the range's end, `Normal(mean: -0.18,
    // sd: 1, min: 0)`, draws 0.73 on average and was refused).
    let centre = p.central();
    let bad = if !p.is_uncertain() {
        out(c)
    } else if bounded {
        out(lo) || out(hi)
    } else {
        // A cut at or past the range's far end clamps every draw to that end.
        out(centre) || lo >= valid.1 || hi <= valid.0
    };
    if bad {
        // A cut past the far end is told as the values the number can take.
        let centred = !bounded && out(centre) && lo < valid.1 && hi > valid.0;
        // A cut normal's centre is no number written: said as the mean of its draws, to four
        // figures (unrounded, "centred on -3.0000000000045675" of a written mean of -3).
        let cut_normal = matches!(
            p,
            Param::Dist(super::param::Dist::Normal { min, max, .. })
                if min.is_some() || max.is_some()
        );
        let shown_centre = if cut_normal {
            format!("{} (the mean of its draws)", fmt_num(centre))
        } else {
            fmt_exact(centre)
        };
        let [c, lo, hi] = [c, lo, hi].map(fmt_exact);
        let what = if !p.is_uncertain() {
            format!("{path} is {c}")
        } else if centred {
            format!("{path} is centred on {shown_centre}")
        } else {
            format!("{path} can take values from {lo} to {hi}")
        };
        return Some((format!("{what}, outside its valid range"), fmt_range(valid)));
    }
    None
}

/// Checks one number of a scenario: as [`check_param`], with a `Shared("name")` checked as the
/// shared number it names (whose values must all be valid for this field).
fn check_in(s: &Scenario, path: &str, field: ParamField, p: &Param) -> Option<(String, String)> {
    let Param::Dist(super::param::Dist::Shared(name)) = p else {
        return check_param(path, field, p, s.bounds);
    };
    if field == ParamField::Shared {
        return Some((
            format!(
                "{path} names another shared number, {}",
                crate::text::quoted_name(name)
            ),
            "a number or a distribution".into(),
        ));
    }
    match s.shared.iter().find(|x| &x.name == name) {
        None => Some((
            format!(
                "{path} uses the shared number {}, which is not defined",
                crate::text::quoted_name(name)
            ),
            one_of("shared numbers", s.shared.iter().map(|x| x.name.as_str())),
        )),
        Some(x) if matches!(x.value, Param::Dist(super::param::Dist::Shared(_))) => None,
        Some(x) => check_param(path, field, &x.value, s.bounds)
            .map(|(m, e)| (format!("{m} (through the shared number {name:?})"), e)),
    }
}

/// The range a number can take, a `Shared("name")` as the shared number it names; `None` for a
/// shared number that is undefined or names another (refused at its place by [`check_in`]).
fn resolved_range(s: &Scenario, p: &Param) -> Option<(f64, f64)> {
    match p {
        Param::Dist(super::param::Dist::Shared(name)) => {
            match s.shared.iter().find(|x| &x.name == name) {
                Some(x) if !matches!(x.value, Param::Dist(super::param::Dist::Shared(_))) => {
                    Some(x.value.range())
                }
                _ => None,
            }
        }
        p => Some(p.range()),
    }
}

/// The last step a dated event may take: the horizon less one (the horizon taken within its
/// limits, which are checked on their own).
pub(crate) fn last_step(s: &Scenario) -> i64 {
    s.horizon.clamp(1, MAX_HORIZON) - 1
}

/// A dated step whose values reach outside the horizon: the message and what was expected.
fn dated_step_outside(s: &Scenario, p: &Param) -> Option<(String, String)> {
    let last = last_step(s);
    let (lo, hi) = resolved_range(s, p)?;
    (lo < 0.0 || hi > last as f64).then(|| {
        let [lo, hi] = [lo, hi].map(fmt_exact);
        (
            if lo == hi {
                format!("the dated step is {lo}")
            } else {
                format!("the dated step reaches {lo}..{hi}")
            },
            format!("steps within 0 to {last} (the horizon less one)"),
        )
    })
}

/// A dated scenario whose steps run past 9999-12-31, the last date `YYYY-MM-DD` can write
/// (the tables, charts and reports would print five-digit years): the message and what was
/// expected. Only steps of a day or a week have dates; a bad start date or horizon is refused
/// on its own.
fn dates_past_last(s: &Scenario) -> Option<(String, String)> {
    use super::timeline::{LAST_DATE, LAST_DAY, date_of_day, day_number, days_per_step};
    let d = s.start_date.as_deref()?;
    let first = day_number(d).ok()?;
    let per_step = days_per_step(&s.step_unit)?;
    let h = s.horizon;
    if !(1..=MAX_HORIZON).contains(&h) {
        return None;
    }
    let end = first + h * per_step - 1;
    if end <= LAST_DAY {
        return None;
    }
    let steps = super::n_steps(h, &s.step_unit);
    let (runs, ends) = if h == 1 {
        ("runs", "ends")
    } else {
        ("run", "end")
    };
    Some((
        format!(
            "start_date {d:?} and {steps} {runs} past {LAST_DATE}, the last date written \
             YYYY-MM-DD: the last step, {}, begins on {} and ends on {}",
            h - 1,
            date_of_day(end + 1 - per_step),
            date_of_day(end)
        ),
        format!(
            "a start_date on or before {} (or a shorter horizon), so that the {steps} {ends} \
             by {LAST_DATE}",
            date_of_day(LAST_DAY + 1 - h * per_step)
        ),
    ))
}

/// The uses of shared numbers: each use's path, field and the shared number it names.
type SharedUses = Vec<(String, ParamField, String)>;

/// What a variant's `set` of one number breaks beyond that number's own range: a dated step
/// outside the horizon, every branch of an event at probability 0, or a shared number whose
/// values fall outside the valid range of a place that uses it.
fn variant_set_problem(
    s: &Scenario,
    v: &Variant,
    (path, field, p): (&str, ParamField, &Param),
    fields: &BTreeMap<String, ParamField>,
    uses: &SharedUses,
) -> Option<(String, String)> {
    use super::field::TimingField;
    use super::param::Dist;
    match field {
        ParamField::Timing(TimingField::Step) => dated_step_outside(s, p),
        ParamField::Timing(TimingField::BranchWeight) => {
            let e = s.events.iter().find(|e| {
                path.strip_prefix("events.")
                    .and_then(|x| x.strip_prefix(e.name.as_str()))
                    .is_some_and(|x| x.starts_with(".branches."))
            })?;
            let never = e.branches.iter().all(|b| {
                let bp = format!("events.{}.branches.{}.probability", e.name, b.name);
                let q = v.set.get(&bp).unwrap_or(&b.probability);
                resolved_range(s, q).is_some_and(|r| r.1 <= 0.0)
            });
            // The overrides of `--set` or a sweep come as a variant of a made-up name: only a
            // variant of the file is named.
            let with = if !v.made_up && s.variants.iter().any(|x| x.name == v.name) {
                format!("with variant {:?}", v.name)
            } else {
                "with these numbers".to_string()
            };
            never.then(|| {
                (
                    format!(
                        "{with}, every branch of event {:?} has probability 0, so none can happen",
                        e.name
                    ),
                    "at least one branch with a positive probability".into(),
                )
            })
        }
        ParamField::Shared => {
            let name = path.strip_prefix("shared.")?.strip_suffix(".value")?;
            // The places that use it with this variant: the scenario's, less those the variant
            // sets, and those the variant sets to it.
            let base = uses
                .iter()
                .filter(|u| u.2 == name && !v.set.contains_key(&u.0))
                .map(|u| (u.0.as_str(), u.1));
            let set = v.set.iter().filter_map(|(q, x)| match x {
                Param::Dist(Dist::Shared(n)) if n == name => Some((q.as_str(), *fields.get(q)?)),
                _ => None,
            });
            base.chain(set).find_map(|(q, f)| {
                let pr = if f == ParamField::Timing(TimingField::Step) {
                    dated_step_outside(s, p).map(|(m, e)| (format!("{q}: {m}"), e))
                } else {
                    check_param(q, f, p, s.bounds)
                };
                pr.map(|(m, e)| (format!("{m} (through the shared number {name:?})"), e))
            })
        }
        _ => None,
    }
}

/// Checks a number a variant (or a sweep, or a tornado) sets at `path`: its field's range, and
/// what setting it there breaks ([`variant_set_problem`]); `None` if fine or if no number of
/// the scenario has that path.
pub fn check_set(s: &Scenario, v: &Variant, path: &str, p: &Param) -> Option<(String, String)> {
    SetCheck::new(s).check(v, path, p)
}

/// [`check_set`] for many numbers of one scenario: the scenario's numbers and the uses of its
/// shared numbers found once (a pass over a copy of the whole scenario, 20 ms for one at the
/// limits: an experiment checking every point of its design took hours before its first run).
pub struct SetCheck<'a> {
    s: &'a Scenario,
    fields: BTreeMap<String, ParamField>,
    uses: SharedUses,
}

impl<'a> SetCheck<'a> {
    /// The numbers of `s` and the uses of its shared numbers.
    pub fn new(s: &'a Scenario) -> SetCheck<'a> {
        let mut fields = BTreeMap::new();
        let mut uses: SharedUses = vec![];
        for_each_param(&mut s.clone(), &mut |site, q| {
            fields.insert(site.path.clone(), site.key.field);
            if let Param::Dist(super::param::Dist::Shared(name)) = q {
                uses.push((site.path.clone(), site.key.field, name.clone()));
            }
        });
        SetCheck { s, fields, uses }
    }

    /// As [`check_set`] of this scenario.
    pub fn check(&self, v: &Variant, path: &str, p: &Param) -> Option<(String, String)> {
        let field = *self.fields.get(path)?;
        check_in(self.s, path, field, p)
            .or_else(|| variant_set_problem(self.s, v, (path, field, p), &self.fields, &self.uses))
    }
}

/// The range each number of a scenario must keep to, by path: its field's, and for a shared
/// number the intersection of the fields' that use it, in the scenario or through a variant's
/// `set` (each use must take all its values). A number a validated scenario holds has a range
/// of its own (an empty one, lo > hi, where uses of a shared number disagree, which validation
/// refuses).
pub fn valid_ranges(s: &Scenario) -> BTreeMap<String, (f64, f64)> {
    let mut ranges = BTreeMap::new();
    let mut uses: Vec<(String, String)> = vec![];
    for_each_param(&mut s.clone(), &mut |site, q| {
        ranges.insert(site.path.clone(), site.key.field.range(s.bounds));
        if let Param::Dist(super::param::Dist::Shared(name)) = q {
            uses.push((site.path.clone(), name.clone()));
        }
    });
    // A variant that sets a number to a shared one uses it there too (validation checks it).
    for v in &s.variants {
        for (path, q) in &v.set {
            if let Param::Dist(super::param::Dist::Shared(name)) = q {
                uses.push((path.clone(), name.clone()));
            }
        }
    }
    let mut shared: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (path, name) in &uses {
        if let Some(&own) = ranges.get(path) {
            let r = shared
                .entry(name.clone())
                .or_insert((f64::NEG_INFINITY, f64::INFINITY));
            *r = (r.0.max(own.0), r.1.min(own.1));
        }
    }
    for (name, r) in shared {
        if let Some(x) = ranges.get_mut(&format!("shared.{name}.value")) {
            *x = (x.0.max(r.0), x.1.min(r.1));
        }
    }
    ranges
}

/// Whether a name is safe to use everywhere (file names included): letters, digits, `_` and
/// `-`, starting with a letter, at most 64 characters.
pub fn is_valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The terms of a condition: itself and every condition inside it.
pub(crate) fn condition_terms(c: &Condition) -> usize {
    1 + match c {
        Condition::All(cs) | Condition::Any(cs) => cs.iter().map(condition_terms).sum(),
        Condition::Not(c) | Condition::Sustained(c, _) => condition_terms(c),
        _ => 0,
    }
}

/// Checks references to a scenario's names, collecting the problems: the scenario's own
/// validation, and the files that refer to a scenario (a timeline's facts).
pub(crate) struct Checker<'s> {
    s: &'s Scenario,
    pub(crate) problems: Vec<Problem>,
    actors: BTreeSet<&'s str>,
    relations: BTreeSet<(&'s str, &'s str)>,
    /// Rung names in ladder order (for messages) and as a set (for look-ups).
    rungs: Vec<&'s str>,
    rung_set: BTreeSet<&'s str>,
    measures: BTreeMap<&'s str, usize>,
    acts: BTreeSet<&'s str>,
    events: BTreeSet<&'s str>,
    pressures: BTreeSet<&'s str>,
    /// Each event's branch names (those variants add included; of all the events of a name).
    branches: BTreeMap<&'s str, Vec<&'s str>>,
    /// Events only variants add: any condition may name them (they never occur without the
    /// variant).
    added_events: BTreeSet<&'s str>,
}

/// The per-step table (timeseries.csv) names its columns from the scenario's names: a rung's
/// share `p_rung_R`, a measure's mean level `mean_level_M`, an outcome's probability so far
/// `p_O_so_far`, each followed by its interval's `_low` and `_high`. Two names that would
/// name one column alike (a rung `calm` beside a rung `calm_low`; an outcome `rung_calm`
/// beside a rung `calm_so_far`) are refused at the later one: the column would be lost in
/// Parquet and in Python, repeated in CSV.
fn per_step_columns_alike(c: &mut Checker, s: &Scenario) {
    let mut named: BTreeMap<String, (&'static str, String)> = BTreeMap::new();
    let mut claim = |c: &mut Checker, loc: Loc, kind: &'static str, name: &str, column: String| {
        // The column itself first: its clash is the one to name.
        let columns = [
            column.clone(),
            format!("{column}_low"),
            format!("{column}_high"),
        ];
        for column in &columns {
            if let Some((kind0, name0)) = named.get(column)
                && (*kind0, name0.as_str()) != (kind, name)
            {
                c.problem(
                    loc,
                    format!(
                        "{kind} name {name:?} and {kind0} {name0:?} would both name the \
                         per-step table's column {column}"
                    ),
                    "another name for one of them",
                );
                return;
            }
        }
        for column in columns {
            named.insert(column, (kind, name.to_string()));
        }
    };
    for (i, r) in s.ladder.iter().enumerate() {
        let at = vec![f("ladder"), ix(i), f("name")];
        claim(c, at, "rung", &r.name, format!("p_rung_{}", r.name));
    }
    for (i, lever) in s.levers.iter().enumerate() {
        if let Lever::Measure(m) = lever {
            let at = vec![f("levers"), ix(i), f("name")];
            claim(c, at, "measure", &m.name, format!("mean_level_{}", m.name));
        }
    }
    for (i, o) in s.outcomes.iter().enumerate() {
        let at = vec![f("outcomes"), ix(i), f("name")];
        claim(c, at, "outcome", &o.name, format!("p_{}_so_far", o.name));
    }
}

fn f(name: &'static str) -> Seg {
    Seg::Field(name)
}
fn ix(i: usize) -> Seg {
    Seg::Index(i)
}

/// What was expected, for a message: "one of the actors: a, b, c" (the first twelve).
pub(crate) fn one_of<'a>(what: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    // Only the first few are shown: a hostile file may hold many names and many mistakes.
    let mut list: Vec<&str> = names.into_iter().take(13).collect();
    if list.is_empty() {
        format!("one of the {what}, but the scenario declares none")
    } else {
        let more = if list.len() > 12 { ", …" } else { "" };
        list.truncate(12);
        // Each name cut as every refusal cuts one: a name of a megabyte was repeated whole in
        // every "expected one of" of a hundred diagnostics, 100 MB of messages (a reviewing
        // helper).
        let list: Vec<_> = list.into_iter().map(crate::text::shortened).collect();
        format!("one of the {what}: {}{more}", list.join(", "))
    }
}

/// Outcome names the per-run table (`runs.csv`, `runs.parquet`) already uses: an outcome's
/// columns are `out.NAME`, `out.NAME.first_step`, `out.NAME.last_step` and
/// `out.NAME.steps_held`, which would repeat the run's own `out.final_rung` (and the like) or,
/// with an actor or measure named `first_step`, its `out.cost.first_step` (and the like).
/// Kept in step with `report::per_run` by its test of unique columns.
pub const RESERVED_OUTCOME_NAMES: [&str; 9] = [
    "final_rung",
    "peak_rung",
    "peak_index",
    "final_index",
    "cost",
    "gain",
    "max_level",
    "final_level",
    "steps_in_force",
];

/// What a valid name is ([`is_valid_name`]), as a diagnostic says it.
pub(crate) const NAME_RULE: &str = "a name of ASCII letters (a–z, A–Z), digits, '_' or '-', \
     starting with a letter, at most 64 characters";

/// Why a label or a name is not one line without tabs, if it is not: it heads table rows,
/// legends and charts, where a line break split a row in two (and could start a line that
/// looks like brink's own, "error: ...") and a tab moved the columns after it.
pub(crate) fn not_one_line(text: &str) -> Option<&'static str> {
    // Unicode's own line and paragraph separators and NEL break a line as well.
    if text.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}']) {
        Some("is more than one line")
    } else if text.contains('\t') {
        Some("holds a tab")
    } else {
        None
    }
}

/// A name that is not valid ([`is_valid_name`]) or already in `seen` (which it joins), of a
/// `kind` of thing ("actor"), at `loc`.
pub(crate) fn name_problem(
    loc: Loc,
    kind: &str,
    name: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Problem> {
    if !is_valid_name(name) {
        Some(Problem::new(
            loc,
            format!(
                "{kind} name {} is not a valid name",
                crate::text::quoted_name(name)
            ),
            NAME_RULE,
        ))
    } else if !seen.insert(name.to_string()) {
        Some(Problem::new(
            loc,
            format!("duplicate {kind} name {name:?}"),
            format!("{} {kind} name not used before", article(kind)),
        ))
    } else {
        None
    }
}

impl<'s> Checker<'s> {
    /// A checker of references to the names of `s`, with no problem found yet.
    pub(crate) fn new(s: &'s Scenario) -> Self {
        Checker {
            s,
            problems: vec![],
            actors: s.actors.iter().map(|a| a.name.as_str()).collect(),
            relations: s
                .relations
                .iter()
                .map(|r| (r.from.as_str(), r.to.as_str()))
                .collect(),
            rungs: s.ladder.iter().map(|r| r.name.as_str()).collect(),
            rung_set: s.ladder.iter().map(|r| r.name.as_str()).collect(),
            measures: s
                .levers
                .iter()
                .filter_map(|l| match l {
                    Lever::Measure(m) => Some((m.name.as_str(), m.levels.len())),
                    Lever::Act(_) => None,
                })
                .collect(),
            acts: s
                .levers
                .iter()
                .filter_map(|l| match l {
                    Lever::Act(a) => Some(a.name.as_str()),
                    Lever::Measure(_) => None,
                })
                .collect(),
            events: s.events.iter().map(|e| e.name.as_str()).collect(),
            pressures: s.pressures.iter().map(|p| p.name.as_str()).collect(),
            added_events: s
                .variants
                .iter()
                .flat_map(|v| v.add_events.iter().map(|e| e.name.as_str()))
                .collect(),
            // Two variants may each add an event of one name with branches of their own: a
            // condition may name a branch of either (it never holds in the other), whatever
            // the variants' order (the last one's branches alone were taken).
            branches: {
                let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                let all = s
                    .events
                    .iter()
                    .chain(s.variants.iter().flat_map(|v| v.add_events.iter()));
                for e in all {
                    let names = m.entry(e.name.as_str()).or_default();
                    for b in &e.branches {
                        if !names.contains(&b.name.as_str()) {
                            names.push(b.name.as_str());
                        }
                    }
                }
                m
            },
        }
    }

    fn problem(&mut self, loc: Loc, message: impl Into<String>, expected: impl Into<String>) {
        self.problems.push(Problem::new(loc, message, expected));
    }

    /// A count at `loc` held to a limit: "{n} {what} is more than the limit", expecting "at
    /// most {max} {of}".
    fn at_most(&mut self, loc: Loc, n: usize, max: usize, what: &str, of: &str) {
        if n > max {
            self.problem(
                loc,
                format!("{n} {what} is more than the limit"),
                format!("at most {max} {of}"),
            );
        }
    }

    /// Marks the last problem as being about the key of its map entry.
    fn on_key(&mut self) {
        if let Some(p) = self.problems.last_mut() {
            p.at_key = true;
        }
    }

    /// Like [`Checker::actor_ref`], for a map key naming an actor.
    fn actor_key(&mut self, loc: Loc, name: &str) {
        let n = self.problems.len();
        self.actor_ref(loc, name);
        if self.problems.len() > n {
            self.on_key();
        }
    }

    fn name(&mut self, loc: Loc, kind: &str, name: &str, seen: &mut BTreeSet<String>) {
        if let Some(p) = name_problem(loc, kind, name, seen) {
            self.problems.push(p);
        }
    }

    fn actor_ref(&mut self, loc: Loc, name: &str) {
        if !self.actors.contains(name) {
            let list = one_of("actors", self.actors.iter().copied());
            self.problem(
                loc,
                format!("unknown actor {}", crate::text::quoted_name(name)),
                list,
            );
        }
    }

    fn relation_ref(&mut self, loc: Loc, from: &str, to: &str, why: &str) {
        if self.actors.contains(from)
            && self.actors.contains(to)
            && !self.relations.contains(&(from, to))
        {
            self.problem(
                loc,
                format!("there is no relation {from} -> {to}, which {why}"),
                format!("a Relation(from: {from:?}, to: {to:?}, ...) in relations"),
            );
        }
    }

    /// A rung of the ladder, by name.
    pub(crate) fn rung_ref(&mut self, loc: Loc, name: &str) {
        if !self.rung_set.contains(name) {
            let list = one_of("rungs", self.rungs.iter().copied());
            self.problem(
                loc,
                format!("unknown rung {}", crate::text::quoted_name(name)),
                list,
            );
        }
    }

    /// A measure and one of its levels (from 1, or from 0 with `allow_zero`), both at `loc`.
    fn lever_level(&mut self, loc: Loc, lever: &str, level: i64, allow_zero: bool) {
        self.lever_level_at((loc.clone(), loc), lever, level, allow_zero);
    }

    /// A measure and one of its levels (from 1, or from 0 with `allow_zero`): a problem with
    /// the measure is placed at the first place, one with the level at the second.
    pub(crate) fn lever_level_at(
        &mut self,
        (loc, level_loc): (Loc, Loc),
        lever: &str,
        level: i64,
        allow_zero: bool,
    ) {
        match self.measures.get(lever) {
            None if self.acts.contains(lever) => self.problem(
                loc,
                format!(
                    "{} is an act, which has no levels",
                    crate::text::quoted_name(lever)
                ),
                one_of("measures", self.measures.keys().copied()),
            ),
            None => {
                let list = one_of("measures", self.measures.keys().copied());
                self.problem(
                    loc,
                    format!("unknown measure {}", crate::text::quoted_name(lever)),
                    list,
                );
            }
            Some(&n) => {
                let lo = if allow_zero { 0 } else { 1 };
                if level < lo || level > n as i64 {
                    self.problem(
                        level_loc,
                        format!("{lever:?} has no level {level}"),
                        format!("a level from {lo} to {n}"),
                    );
                }
            }
        }
    }

    fn steps(&mut self, loc: Loc, what: &str, v: i64, lo: i64, hi: i64) {
        if v < lo || v > hi {
            self.problem(
                loc,
                format!("{what} is {v}, out of range"),
                format!("a whole number from {lo} to {hi}"),
            );
        }
    }

    /// An event, by name: the scenario's, those a variant adds, or one of `extra_events`.
    pub(crate) fn event_ref(&mut self, loc: Loc, e: &str, extra_events: &BTreeSet<&str>) {
        if !self.events.contains(e) && !extra_events.contains(e) && !self.added_events.contains(e) {
            // Every name accepted here: a variant's additions too (they were left out).
            let known: BTreeSet<&str> = (self.events.iter())
                .chain(&self.added_events)
                .chain(extra_events)
                .copied()
                .collect();
            let list = one_of("events", known);
            self.problem(
                loc,
                format!("unknown event {}", crate::text::quoted_name(e)),
                list,
            );
        }
    }

    /// An act (a lever of kind act), by name.
    pub(crate) fn act_ref(&mut self, loc: Loc, a: &str) {
        if !self.acts.contains(a) {
            let list = one_of("acts", self.acts.iter().copied());
            self.problem(
                loc,
                format!("unknown act {}", crate::text::quoted_name(a)),
                list,
            );
        }
    }

    /// A condition at `loc`: its size ([`MAX_CONDITION_TERMS`]: it is checked every step), every
    /// name it refers to, every window and step range. Conditions may name the events of
    /// `extra_events` too.
    pub(crate) fn condition(&mut self, loc: Loc, c: &Condition, extra_events: &BTreeSet<&str>) {
        let n = condition_terms(c);
        if n > MAX_CONDITION_TERMS {
            self.problem(
                loc.clone(),
                format!(
                    "the condition has {n} terms (All, Any, Not, Sustained and each condition \
                     inside them counted), more than the limit"
                ),
                format!("at most {MAX_CONDITION_TERMS} terms in one condition"),
            );
        }
        self.condition_names(loc, c, extra_events);
    }

    /// [`Checker::condition`] less the size: every name, window and step range.
    fn condition_names(&mut self, loc: Loc, c: &Condition, extra_events: &BTreeSet<&str>) {
        let mut at0 = loc.clone();
        at0.push(ix(0));
        match c {
            Condition::RungAtLeast(r) | Condition::RungBelow(r) => self.rung_ref(at0, r),
            Condition::IndexAbove(x) | Condition::IndexBelow(x) => {
                if !x.is_finite() {
                    self.problem(at0, "the index value must be finite", "a finite number");
                } else if x.abs() > super::limits::MAX_ABS_NUMBER {
                    // The limit on every number of a scenario (docs/robustness.md).
                    self.problem(
                        at0,
                        format!("the index value {x:e} is beyond 10^12 in magnitude"),
                        "a number from -10^12 to 10^12",
                    );
                }
            }
            Condition::LevelAtLeast(lever, level) => self.lever_level(at0, lever, *level, false),
            Condition::EventOccurred(e) | Condition::EventWithin(e, _) => {
                self.event_ref(at0, e, extra_events);
                if let Condition::EventWithin(_, n) = c {
                    let mut l = loc.clone();
                    l.push(ix(1));
                    self.steps(l, "the window", *n, 1, MAX_HORIZON);
                }
            }
            Condition::ActWithin(a, _) | Condition::ActOccurred(a) => {
                self.act_ref(at0, a);
                if let Condition::ActWithin(_, n) = c {
                    let mut l = loc.clone();
                    l.push(ix(1));
                    self.steps(l, "the window", *n, 1, MAX_HORIZON);
                }
            }
            Condition::StepIn(a, b) => {
                self.steps(at0, "the first step", *a, 0, MAX_HORIZON);
                let mut l = loc.clone();
                l.push(ix(1));
                self.steps(l, "the last step", *b, (*a).max(0), MAX_HORIZON);
            }
            Condition::LevelHeldFor(lever, level, n) => {
                self.lever_level(at0, lever, *level, false);
                let mut l = loc.clone();
                l.push(ix(2));
                self.steps(l, "the number of steps", *n, 1, MAX_HORIZON);
            }
            Condition::LevelEverReached(lever, level) => {
                self.lever_level(at0, lever, *level, false)
            }
            Condition::Before(a, b) => {
                for (k, name) in [a, b].into_iter().enumerate() {
                    let known = self.events.contains(name.as_str())
                        || extra_events.contains(name.as_str())
                        || self.added_events.contains(name.as_str())
                        || self.acts.contains(name.as_str());
                    if !known {
                        let mut l = loc.clone();
                        l.push(ix(k));
                        let list = one_of(
                            "events and acts",
                            self.events.iter().chain(self.acts.iter()).copied(),
                        );
                        self.problem(
                            l,
                            format!("unknown event or act {}", crate::text::quoted_name(name)),
                            list,
                        );
                    }
                }
            }
            Condition::BranchTaken(e, b) => match self.branches.get(e.as_str()) {
                None => {
                    let list = one_of("events", self.events.iter().copied());
                    self.problem(
                        at0,
                        format!("unknown event {}", crate::text::quoted_name(e)),
                        list,
                    );
                }
                Some(names) if !names.contains(&b.as_str()) => {
                    let mut l = loc.clone();
                    l.push(ix(1));
                    let list = one_of(&format!("branches of {e}"), names.iter().copied());
                    self.problem(
                        l,
                        format!("event {e:?} has no branch {}", crate::text::quoted_name(b)),
                        list,
                    );
                }
                Some(_) => {}
            },
            Condition::Sustained(inner, n) => {
                self.condition_names(at0, inner, extra_events);
                let mut l = loc.clone();
                l.push(ix(1));
                self.steps(l, "the number of steps", *n, 1, MAX_HORIZON);
            }
            Condition::All(cs) | Condition::Any(cs) => {
                if cs.is_empty() {
                    self.problem(
                        loc.clone(),
                        "an empty All([]) or Any([]) says nothing (always or never true)",
                        "at least one condition in the list",
                    );
                }
                for (i, c) in cs.iter().enumerate() {
                    let mut l = at0.clone();
                    l.push(ix(i));
                    self.condition_names(l, c, extra_events);
                }
            }
            Condition::Not(c) => self.condition_names(at0, c, extra_events),
        }
    }

    /// A list of effects (an act's, an event's or a branch's): its length ([`MAX_EFFECTS`]: each
    /// is applied whenever the act or event happens) and every effect's names and steps.
    fn effects(&mut self, loc: Loc, effects: &[Effect]) {
        self.at_most(
            loc.clone(),
            effects.len(),
            MAX_EFFECTS,
            "effects",
            "effects in one list",
        );
        for (i, e) in effects.iter().enumerate() {
            let mut l = loc.clone();
            l.push(ix(i));
            let at = |name: &'static str| {
                let mut x = l.clone();
                x.push(f(name));
                x
            };
            match e {
                Effect::Move { by, against, .. } => {
                    self.actor_ref(at("by"), by);
                    self.actor_ref(at("against"), against);
                    self.relation_ref(at("against"), against, by, "a move needs to be felt");
                }
                Effect::Impulse { from, to, .. } => {
                    self.actor_ref(at("from"), from);
                    self.actor_ref(at("to"), to);
                    self.relation_ref(at("from"), from, to, "the impulse adds to");
                }
                Effect::ScaleHostility { between, .. } => {
                    if let Some((a, b)) = between {
                        let pair = |k| {
                            let mut x = at("between");
                            x.push(ix(k));
                            x
                        };
                        self.actor_ref(pair(0), a);
                        self.actor_ref(pair(1), b);
                        if a == b {
                            self.problem(
                                pair(1),
                                "ScaleHostility names the same actor twice",
                                "two different actors",
                            );
                        } else if self.actors.contains(a.as_str())
                            && self.actors.contains(b.as_str())
                            && !self.relations.contains(&(a.as_str(), b.as_str()))
                            && !self.relations.contains(&(b.as_str(), a.as_str()))
                        {
                            self.problem(
                                at("between"),
                                format!("there is no relation between {a} and {b} to scale"),
                                format!("a Relation(from: {a:?}, to: {b:?}, ...) in relations"),
                            );
                        }
                    }
                }
                Effect::SetLevel { lever, level } => {
                    self.lever_level(at("lever"), lever, *level, true)
                }
                Effect::AddPressure { pressure, .. } => {
                    if !self.pressures.contains(pressure.as_str()) {
                        let list = one_of("pressures", self.pressures.iter().copied());
                        self.problem(
                            at("pressure"),
                            format!("unknown pressure {}", crate::text::quoted_name(pressure)),
                            list,
                        );
                    }
                }
                Effect::Modify {
                    actor, duration, ..
                } => {
                    self.actor_ref(at("actor"), actor);
                    self.steps(at("duration"), "duration", *duration, 1, MAX_HORIZON);
                }
                Effect::ShiftLever { lever, .. } => {
                    if !self.measures.contains_key(lever.as_str()) {
                        let list = one_of("measures", self.measures.keys().copied());
                        // As SetLevel says of an act (it said "unknown measure").
                        let what = if self.acts.contains(lever.as_str()) {
                            format!("{lever:?} is an act: ShiftLever shifts a measure's numbers")
                        } else {
                            format!("unknown measure {}", crate::text::quoted_name(lever))
                        };
                        self.problem(at("lever"), what, list);
                    }
                }
                Effect::ShiftRelation {
                    from, to, duration, ..
                } => {
                    self.actor_ref(at("from"), from);
                    self.actor_ref(at("to"), to);
                    self.relation_ref(at("from"), from, to, "the effect changes");
                    if let Some(d) = duration {
                        self.steps(at("duration"), "duration", *d, 1, MAX_HORIZON);
                    }
                }
            }
        }
    }

    fn event(&mut self, loc: Loc, e: &Event, seen: &mut BTreeSet<String>) {
        let at = |name: &'static str| {
            let mut x = loc.clone();
            x.push(f(name));
            x
        };
        self.name(at("name"), "event", &e.name, seen);
        let horizon = self.s.horizon.clamp(1, MAX_HORIZON);
        match &e.timing {
            Timing::Scheduled { step, when, .. } => {
                let mut l = at("timing");
                l.push(f("step"));
                self.steps(l, "the scheduled step", *step, 0, horizon - 1);
                if let Some(w) = when {
                    let mut l = at("timing");
                    l.push(f("when"));
                    self.condition(l, w, &BTreeSet::new());
                }
            }
            Timing::Dated { step, when, .. } => {
                if let Some((m, e)) = dated_step_outside(self.s, step) {
                    let mut l = at("timing");
                    l.push(f("step"));
                    self.problem(l, m, e);
                }
                if let Some(w) = when {
                    let mut l = at("timing");
                    l.push(f("when"));
                    self.condition(l, w, &BTreeSet::new());
                }
            }
            Timing::Hazard {
                factors,
                from_step,
                until_step,
                ..
            } => {
                let mut l = at("timing");
                l.push(f("from_step"));
                self.steps(l, "from_step", *from_step, 0, horizon - 1);
                if let Some(u) = until_step {
                    let mut l = at("timing");
                    l.push(f("until_step"));
                    self.steps(l, "until_step", *u, *from_step.max(&0), MAX_HORIZON);
                }
                let mut l = at("timing");
                l.push(f("factors"));
                self.at_most(
                    l,
                    factors.len(),
                    MAX_FACTORS,
                    "hazard factors",
                    "factors in one hazard",
                );
                for (i, fac) in factors.iter().enumerate() {
                    let mut l = at("timing");
                    l.extend([f("factors"), ix(i), f("when")]);
                    self.condition(l, &fac.when, &BTreeSet::new());
                }
            }
        }
        self.steps(at("cooldown"), "cooldown", e.cooldown, 0, MAX_HORIZON);
        self.effects(at("effects"), &e.effects);
        self.at_most(
            at("branches"),
            e.branches.len(),
            MAX_BRANCHES,
            "branches",
            "branches in one event",
        );
        let mut bseen = BTreeSet::new();
        for (j, b) in e.branches.iter().enumerate() {
            let bl = |n: &'static str| {
                let mut x = at("branches");
                x.extend([ix(j), f(n)]);
                x
            };
            self.name(bl("name"), "branch", &b.name, &mut bseen);
            self.effects(bl("effects"), &b.effects);
        }
        let never = |p: &Param| resolved_range(self.s, p).is_some_and(|r| r.1 <= 0.0);
        if !e.branches.is_empty() && e.branches.iter().all(|b| never(&b.probability)) {
            self.problem(
                at("branches"),
                "every branch has probability 0, so none can happen",
                "at least one branch with a positive probability",
            );
        }
    }
}

/// Checks a parsed scenario; returns every problem found.
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut c = Checker::new(s);

    // The scenario as a whole.
    // (A name of U+0085 alone, which `trim` takes for a space, is refused for that
    // control character below, not for having no name.)
    if s.name.trim().is_empty() && control_char(&s.name).is_none() {
        c.problem(
            vec![f("name")],
            "the scenario has no name",
            "a non-empty name",
        );
    }
    c.steps(vec![f("horizon")], "horizon", s.horizon, 1, MAX_HORIZON);
    // The unit names the steps everywhere ("52 weeks"): an empty one printed "52 s".
    // "s" or "S" alone (or "ss") is a plural ending without a unit ("52 SS").
    if s.step_unit.trim().trim_end_matches(['s', 'S']).is_empty() {
        c.problem(
            vec![f("step_unit")],
            format!("step_unit {:?} names no unit", s.step_unit),
            "a unit such as \"week\" (the default) or \"day\"",
        );
    }
    // Costs are printed with their unit ("mean cost (USD million)"): an empty one read "()".
    if s.cost_unit.trim().is_empty() {
        c.problem(
            vec![f("cost_unit")],
            format!("cost_unit {:?} names no unit", s.cost_unit),
            "a unit such as \"USD million\", or no cost_unit field (\"cost units\")",
        );
    }
    // Units head table columns and chart axes: a long one pushed every table off the screen,
    // and a line break split a header in two.
    for (field, unit) in [("step_unit", &s.step_unit), ("cost_unit", &s.cost_unit)] {
        let n = unit.chars().count();
        if n > MAX_UNIT_CHARS || unit.contains(['\n', '\r', '\t']) {
            c.problem(
                vec![f(field)],
                format!(
                    "{field} {:?}{} {}",
                    unit.chars().take(37).collect::<String>(),
                    if n > 37 { "..." } else { "" },
                    if n > MAX_UNIT_CHARS {
                        format!("is {n} characters long")
                    } else if unit.contains(['\n', '\r']) {
                        "is more than one line".to_string()
                    } else {
                        "holds a tab".to_string()
                    }
                ),
                format!("a unit of one line, at most {MAX_UNIT_CHARS} characters"),
            );
        }
    }
    if let Some(r) = s.runs
        && (r < 1 || r as u64 > MAX_RUNS)
    {
        c.problem(
            vec![f("runs")],
            format!("runs is {r}, out of range"),
            format!("a whole number from 1 to {MAX_RUNS}"),
        );
    }
    if let Some(d) = &s.start_date
        && super::timeline::day_number(d).is_err()
    {
        c.problem(
            vec![f("start_date")],
            format!("start_date {} is not a date", crate::text::quoted_name(d)),
            "a date written YYYY-MM-DD",
        );
    }
    if let Some((message, expected)) = dates_past_last(s) {
        c.problem(vec![f("start_date")], message, expected);
    }
    let (lo, hi) = s.bounds;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        c.problem(
            vec![f("bounds")],
            format!(
                "bounds ({}, {}) are not a range",
                fmt_exact(lo),
                fmt_exact(hi)
            ),
            "(low, high) with low < high, both finite",
        );
    } else if lo.abs().max(hi.abs()) > MAX_ABS_NUMBER {
        c.problem(
            vec![f("bounds")],
            format!("bounds ({lo:e}, {hi:e}) reach beyond the largest number a scenario may hold"),
            format!("bounds of magnitude at most {MAX_ABS_NUMBER:e}"),
        );
    } else if hi - lo > 1e6 {
        // A range of its own, refused for its width: "not a range" sent the analyst looking
        // for a reversed or infinite bound.
        c.problem(
            vec![f("bounds")],
            format!(
                "bounds ({}, {}) are {} points apart",
                fmt_exact(lo),
                fmt_exact(hi),
                fmt_num(hi - lo)
            ),
            "bounds at most 10^6 points apart (high − low ≤ 1000000)",
        );
    }

    // Shared numbers.
    c.at_most(
        vec![f("shared")],
        s.shared.len(),
        MAX_SHARED,
        "shared numbers",
        "shared numbers",
    );
    let mut seen = BTreeSet::new();
    for (i, x) in s.shared.iter().enumerate() {
        c.name(
            vec![f("shared"), ix(i), f("name")],
            "shared number",
            &x.name,
            &mut seen,
        );
    }

    // Uncertain numbers, wherever they stand: each is drawn every run. A limit on the whole
    // scenario, so placed at its name.
    let mut uncertain = 0;
    for_each_param(&mut s.clone(), &mut |_, p| {
        uncertain += p.is_uncertain() as usize
    });
    c.at_most(
        vec![f("name")],
        uncertain,
        MAX_UNCERTAIN,
        "uncertain numbers (distributions)",
        "uncertain numbers",
    );

    // Actors.
    c.at_most(
        vec![f("actors")],
        s.actors.len(),
        MAX_ACTORS,
        "actors",
        "actors",
    );
    let mut seen = BTreeSet::new();
    for (i, a) in s.actors.iter().enumerate() {
        c.name(
            vec![f("actors"), ix(i), f("name")],
            "actor",
            &a.name,
            &mut seen,
        );
    }

    // The focal dyad.
    let (fa, fb) = (&s.focal.0, &s.focal.1);
    c.actor_ref(vec![f("focal"), ix(0)], fa);
    c.actor_ref(vec![f("focal"), ix(1)], fb);
    if fa == fb {
        c.problem(
            vec![f("focal"), ix(1)],
            "the focal dyad names the same actor twice",
            "two different actors",
        );
    } else {
        c.relation_ref(vec![f("focal")], fa, fb, "the dyad index needs");
        c.relation_ref(vec![f("focal")], fb, fa, "the dyad index needs");
    }

    // Relations.
    let mut pairs = BTreeSet::new();
    for (i, r) in s.relations.iter().enumerate() {
        let l = |n| vec![f("relations"), ix(i), f(n)];
        c.actor_ref(l("from"), &r.from);
        c.actor_ref(l("to"), &r.to);
        if r.from == r.to {
            c.problem(
                l("to"),
                "a relation must join two different actors",
                "another actor",
            );
        }
        if !pairs.insert((&r.from, &r.to)) {
            c.problem(
                vec![f("relations"), ix(i)],
                format!("duplicate relation {} -> {}", r.from, r.to),
                "each directed pair once",
            );
        }
    }

    // The ladder.
    if s.ladder.len() < 2 {
        c.problem(
            vec![f("ladder")],
            "the ladder needs at least two rungs",
            "two or more rungs",
        );
    }
    c.at_most(
        vec![f("ladder")],
        s.ladder.len(),
        MAX_RUNGS,
        "rungs",
        "rungs",
    );
    let mut seen = BTreeSet::new();
    for (i, r) in s.ladder.iter().enumerate() {
        c.name(
            vec![f("ladder"), ix(i), f("name")],
            "rung",
            &r.name,
            &mut seen,
        );
        let l = vec![f("ladder"), ix(i), f("threshold")];
        if !r.threshold.is_finite() {
            c.problem(l, "a rung threshold must be finite", "a finite number");
        } else if r.threshold.abs() > MAX_ABS_NUMBER {
            c.problem(
                l,
                format!(
                    "rung {:?} has threshold {:e}, beyond the largest number a scenario may hold",
                    r.name, r.threshold
                ),
                format!("a number of magnitude at most {MAX_ABS_NUMBER:e}"),
            );
        } else if i > 0 && r.threshold <= s.ladder[i - 1].threshold {
            c.problem(
                l,
                format!(
                    "rung {:?} has threshold {}, not above the rung below it ({})",
                    r.name,
                    r.threshold,
                    s.ladder[i - 1].threshold
                ),
                "thresholds that increase up the ladder",
            );
        }
    }

    // Pressures.
    c.at_most(
        vec![f("pressures")],
        s.pressures.len(),
        MAX_PRESSURES,
        "pressures",
        "pressures",
    );
    let mut seen = BTreeSet::new();
    for (i, p) in s.pressures.iter().enumerate() {
        c.name(
            vec![f("pressures"), ix(i), f("name")],
            "pressure",
            &p.name,
            &mut seen,
        );
        c.actor_ref(vec![f("pressures"), ix(i), f("actor")], &p.actor);
    }

    // Levers.
    c.at_most(
        vec![f("levers")],
        s.levers.len(),
        MAX_LEVERS,
        "levers",
        "levers",
    );
    // Each measure's levels and its status quo, at every step of the horizon.
    let level_cells: u64 = s
        .levers
        .iter()
        .filter_map(|l| match l {
            Lever::Measure(m) => Some(m.levels.len() as u64 + 1),
            Lever::Act(_) => None,
        })
        .sum::<u64>()
        * s.horizon.clamp(1, MAX_HORIZON) as u64;
    if level_cells > MAX_LEVEL_CELLS {
        c.problem(
            vec![f("levers")],
            format!(
                "the measures' levels (each with its status quo) times the horizon make {level_cells} \
                 per-step table cells, more than the limit"
            ),
            format!(
                "at most {MAX_LEVEL_CELLS} (fewer levels or a shorter horizon; 1,000 steps allow \
                 1,000 levels)"
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, lever) in s.levers.iter().enumerate() {
        let l = |n: &'static str| vec![f("levers"), ix(i), f(n)];
        c.name(l("name"), "lever", lever.name(), &mut seen);
        let (owner, target, motive, min_rung) = match lever {
            Lever::Measure(m) => (&m.owner, &m.target, &m.motive, None),
            Lever::Act(a) => (&a.owner, &a.target, &a.motive, a.min_rung.as_ref()),
        };
        c.actor_ref(l("owner"), owner);
        c.actor_ref(l("target"), target);
        if owner == target {
            c.problem(
                l("target"),
                "a lever's target must differ from its owner",
                "another actor",
            );
        } else {
            c.relation_ref(
                l("target"),
                target,
                owner,
                "the lever's moves need to be felt",
            );
        }
        match motive {
            Some((a, b)) => {
                let at = |k| {
                    let mut x = l("motive");
                    x.push(ix(k));
                    x
                };
                c.actor_ref(at(0), a);
                c.actor_ref(at(1), b);
                c.relation_ref(l("motive"), a, b, "motivates the lever");
            }
            None if owner != target => {
                c.relation_ref(l("owner"), owner, target, "motivates the lever by default")
            }
            None => {}
        }
        if let Some(r) = min_rung {
            c.rung_ref(l("min_rung"), r);
        }
        match lever {
            Lever::Measure(m) => {
                if m.levels.is_empty() || m.levels.len() > MAX_LEVELS {
                    c.problem(
                        l("levels"),
                        format!("measure {:?} has {} levels", m.name, m.levels.len()),
                        format!("from 1 to {MAX_LEVELS} levels above the status quo"),
                    );
                }
                c.steps(
                    l("initial"),
                    "the initial level",
                    m.initial,
                    0,
                    m.levels.len() as i64,
                );
                let mut lseen = BTreeSet::new();
                for (j, lv) in m.levels.iter().enumerate() {
                    let ll = |n: &'static str| vec![f("levers"), ix(i), f("levels"), ix(j), f(n)];
                    c.name(ll("name"), "level", &lv.name, &mut lseen);
                    for a in lv.costs.keys() {
                        let mut x = ll("costs");
                        x.push(Seg::Key(a.clone()));
                        c.actor_key(x, a);
                    }
                    for a in lv.benefits.keys() {
                        let mut x = ll("benefits");
                        x.push(Seg::Key(a.clone()));
                        c.actor_key(x, a);
                    }
                    for p in lv.pressure.keys() {
                        if !c.pressures.contains(p.as_str()) {
                            let mut x = ll("pressure");
                            x.push(Seg::Key(p.clone()));
                            let list = one_of("pressures", c.pressures.iter().copied());
                            c.problem(
                                x,
                                format!("unknown pressure {}", crate::text::quoted_name(p)),
                                list,
                            );
                            c.on_key();
                        }
                    }
                    c.at_most(
                        ll("modifiers"),
                        lv.modifiers.len(),
                        MAX_MODIFIERS,
                        "modifiers",
                        "modifiers in one level",
                    );
                    for (k, md) in lv.modifiers.iter().enumerate() {
                        let mut x = ll("modifiers");
                        x.extend([ix(k), f("actor")]);
                        c.actor_ref(x, &md.actor);
                    }
                    if let Some(r) = &lv.min_rung {
                        c.rung_ref(ll("min_rung"), r);
                    }
                    if let Some(r) = &lv.implies_rung {
                        c.rung_ref(ll("implies_rung"), r);
                    }
                }
                c.steps(
                    l("min_duration"),
                    "min_duration",
                    m.min_duration,
                    0,
                    MAX_HORIZON,
                );
                for (field, cond) in [("raise_when", &m.raise_when), ("lower_when", &m.lower_when)]
                {
                    if let Some(w) = cond {
                        c.condition(l(field), w, &BTreeSet::new());
                    }
                }
            }
            Lever::Act(a) => {
                c.steps(l("cooldown"), "cooldown", a.cooldown, 0, MAX_HORIZON);
                if let Some(w) = &a.allowed_when {
                    c.condition(l("allowed_when"), w, &BTreeSet::new());
                }
                if let Some(by) = &a.accepted_by {
                    c.actor_ref(l("accepted_by"), by);
                    if by == &a.owner {
                        c.problem(
                            l("accepted_by"),
                            "an act cannot need its own owner's acceptance",
                            "another actor",
                        );
                    } else {
                        c.relation_ref(
                            l("accepted_by"),
                            by,
                            &a.owner,
                            "motivates accepting the contact",
                        );
                    }
                    c.steps(
                        l("accept_within"),
                        "accept_within",
                        a.accept_within,
                        1,
                        MAX_HORIZON,
                    );
                }
                for k in a.costs.keys() {
                    let mut x = l("costs");
                    x.push(Seg::Key(k.clone()));
                    c.actor_key(x, k);
                }
                c.effects(l("effects"), &a.effects);
            }
        }
    }

    // Events.
    let most_added = s
        .variants
        .iter()
        .map(|v| v.add_events.len())
        .max()
        .unwrap_or(0);
    c.at_most(
        vec![f("events")],
        s.events.len() + most_added,
        MAX_EVENTS,
        "events (with the largest variant's additions)",
        "events",
    );
    let mut event_names = BTreeSet::new();
    for (i, e) in s.events.iter().enumerate() {
        c.event(vec![f("events"), ix(i)], e, &mut event_names);
    }
    // Temporary effects running at once, and lasting relation shifts a step: the base's events
    // and acts, then each variant's with its additions (a variant's removals are not
    // subtracted: at most this many).
    let horizon = s.horizon.clamp(1, MAX_HORIZON) as u64;
    let of_acts = (s.levers.iter())
        .filter_map(|l| match l {
            Lever::Act(a) => Some(Running::of(&a.effects, a.once, a.cooldown, horizon)),
            Lever::Measure(_) => None,
        })
        .fold(Running::default(), Running::add);
    let of_events = |events: &[Event]| {
        (events.iter())
            .map(|e| {
                let single =
                    e.once || matches!(e.timing, Timing::Scheduled { .. } | Timing::Dated { .. });
                // Every branch's, summed: each firing may take another branch.
                (e.branches.iter())
                    .map(|b| Running::of(&b.effects, single, e.cooldown, horizon))
                    .fold(
                        Running::of(&e.effects, single, e.cooldown, horizon),
                        Running::add,
                    )
            })
            .fold(Running::default(), Running::add)
    };
    let base_running = of_acts.add(of_events(&s.events));
    let acts = (s.levers.iter())
        .filter(|l| matches!(l, Lever::Act(_)))
        .count() as u64;
    let arms = std::iter::once((vec![f("events")], base_running)).chain(
        s.variants.iter().enumerate().map(|(i, v)| {
            (
                vec![f("variants"), ix(i), f("add_events")],
                base_running.add(of_events(&v.add_events)),
            )
        }),
    );
    for (at, r) in arms {
        let running = r.modifiers + r.shifts;
        if running > MAX_TEMPORARY_EFFECTS {
            c.problem(
                at,
                format!(
                    "the events and acts can keep {running} temporary effects (Modify, and \
                     ShiftRelation with a duration) running at once (each counted as often as \
                     its event or act can fire within its duration), more than the limit"
                ),
                format!(
                    "at most {MAX_TEMPORARY_EFFECTS} (shorter durations, a cooldown, `once`, \
                     or fewer such effects)"
                ),
            );
            break;
        }
        // A relation a lasting shift changed applies its running shifts again when next read:
        // at most three times a step for every relation (the events' start, the lapses, the
        // update), and at each read in between (a `Move` effect, an act, an actor's move)
        // that follows a lasting shift.
        let reads = r.moves_a_step + acts + s.actors.len() as u64;
        let passes = r.lasting_a_step.min(reads) + 3;
        let work = passes.saturating_mul(r.shifts);
        if work > MAX_LASTING_SHIFT_WORK {
            c.problem(
                at,
                format!(
                    "the events and acts can apply {} lasting relation shifts (ShiftRelation \
                     without a duration) in one step, among {reads} reads of the relations, \
                     while {} temporary ones run, and each such read applies those running \
                     again: {work} in a step, more than the limit",
                    r.lasting_a_step, r.shifts
                ),
                format!(
                    "at most {MAX_LASTING_SHIFT_WORK} (fewer lasting or temporary relation \
                     shifts, shorter durations, a cooldown)"
                ),
            );
            break;
        }
    }

    // Outcomes may name events that only a variant adds.
    let added: BTreeSet<&str> = s
        .variants
        .iter()
        .flat_map(|v| v.add_events.iter().map(|e| e.name.as_str()))
        .collect();
    c.at_most(
        vec![f("outcomes")],
        s.outcomes.len(),
        MAX_OUTCOMES,
        "outcomes",
        "outcomes",
    );
    let mut seen = BTreeSet::new();
    for (i, o) in s.outcomes.iter().enumerate() {
        c.name(
            vec![f("outcomes"), ix(i), f("name")],
            "outcome",
            &o.name,
            &mut seen,
        );
        if RESERVED_OUTCOME_NAMES.contains(&o.name.as_str()) {
            c.problem(
                vec![f("outcomes"), ix(i), f("name")],
                format!(
                    "outcome name {:?} is taken by the per-run table's own columns",
                    o.name
                ),
                format!(
                    "an outcome name other than {}",
                    RESERVED_OUTCOME_NAMES.join(", ")
                ),
            );
        }
        c.condition(vec![f("outcomes"), ix(i), f("when")], &o.when, &added);
    }

    per_step_columns_alike(&mut c, s);

    // Every number (and each path's field, for the numbers variants set).
    let mut fields = BTreeMap::new();
    let mut uses: SharedUses = vec![];
    // Each parameter block (the first two steps of a path) with the place of its first number.
    let mut blocks: Vec<(String, Loc)> = vec![];
    let mut scratch = s.clone();
    for_each_param(&mut scratch, &mut |site, p| {
        fields.insert(site.path.clone(), site.key.field);
        let block = super::paths::block_of(&site.path);
        if blocks.last().is_none_or(|b| b.0 != block) {
            blocks.push((block.to_string(), site.loc.clone()));
        }
        if let Param::Dist(super::param::Dist::Shared(name)) = p {
            uses.push((site.path.clone(), site.key.field, name.clone()));
        }
        if let Some((m, e)) = check_in(s, &site.path, site.key.field, p) {
            c.problems.push(Problem {
                loc: site.loc.clone(),
                message: m,
                expected: Some(e),
                at_key: false,
            });
        }
    });

    // Variants.
    c.at_most(
        vec![f("variants")],
        s.variants.len(),
        MAX_VARIANTS,
        "variants",
        "variants",
    );
    // The scenario without its lists, to hold one added event at a time (a hostile file may add
    // thousands: cloning the whole scenario for each would take too long).
    let shell = Scenario {
        description: String::new(),
        sources: vec![],
        actors: vec![],
        relations: vec![],
        ladder: vec![],
        pressures: vec![],
        levers: vec![],
        events: vec![],
        outcomes: vec![],
        variants: vec![],
        ..s.clone()
    };
    let mut seen = BTreeSet::new();
    for (i, v) in s.variants.iter().enumerate() {
        let l = |n: &'static str| vec![f("variants"), ix(i), f(n)];
        c.name(l("name"), "variant", &v.name, &mut seen);
        if v.name == "base" {
            // Every table, report and per-run row calls the scenario without a variant `base`:
            // a variant of that name could not be told from it.
            c.problem(
                l("name"),
                "the variant name \"base\" is kept for the scenario without a variant",
                "another name",
            );
        }
        for (path, p) in &v.set {
            let mut x = l("set");
            x.push(Seg::Key(path.clone()));
            let Some(&field) = fields.get(path) else {
                let near = nearest(path, &fields);
                c.problem(
                    x,
                    format!(
                        "variant {:?} sets {}, which is not a number of the scenario",
                        v.name,
                        crate::text::quoted_name(path)
                    ),
                    match near {
                        Some(n) => {
                            format!("a parameter path such as {n:?} (see `brink describe --paths`)")
                        }
                        None => "a parameter path (see `brink describe --paths`)".into(),
                    },
                );
                c.on_key();
                continue;
            };
            // Its own numbers only: a `--set` layered over the variant applies to every arm
            // of a comparison, the base among them, which keeps the event.
            if let Some(e) =
                super::paths::event_of(path).filter(|e| v.remove_events.iter().any(|r| r == e))
            {
                c.problem(
                    x,
                    format!(
                        "variant {:?} sets a number of event {e:?}, which it removes, so the \
                         number changes nothing",
                        v.name
                    ),
                    "a number of an event the variant keeps (or the event kept)",
                );
                c.on_key();
                continue;
            }
            if let Some((m, e)) = check_in(s, path, field, p)
                .or_else(|| variant_set_problem(s, v, (path, field, p), &fields, &uses))
            {
                c.problem(x, m, e);
            }
        }
        let frozen: BTreeSet<&str> = v.freeze.iter().map(String::as_str).collect();
        for (lever, level) in &v.force {
            let mut x = l("force");
            x.push(Seg::Key(lever.clone()));
            let n = c.problems.len();
            c.lever_level(x.clone(), lever, *level, true);
            // An unknown lever is the key's fault; a missing level, the value's.
            if c.problems.len() > n && !c.measures.contains_key(lever.as_str()) {
                c.on_key();
            }
            if frozen.contains(lever.as_str()) {
                c.problem(
                    x,
                    format!("{lever:?} is both forced and frozen"),
                    "one or the other",
                );
                c.on_key();
            }
        }
        // Each lever frozen and each event removed once: a second mention is a slip (and
        // bounds the lists by the scenario's own limits).
        for (k, lever) in v.freeze.iter().enumerate() {
            let mut x = l("freeze");
            x.push(ix(k));
            if !c.measures.contains_key(lever.as_str()) && !c.acts.contains(lever.as_str()) {
                let list = one_of("levers", s.levers.iter().map(|l| l.name()));
                c.problem(
                    x,
                    format!("unknown lever {}", crate::text::quoted_name(lever)),
                    list,
                );
            } else if v.freeze[..k].contains(lever) {
                let what = format!("variant {:?} freezes {lever:?} twice", v.name);
                c.problem(x, what, "each lever once");
            }
        }
        for (k, e) in v.remove_events.iter().enumerate() {
            let mut x = l("remove_events");
            x.push(ix(k));
            if !c.events.contains(e.as_str()) {
                let list = one_of("events", c.events.iter().copied());
                c.problem(
                    x,
                    format!(
                        "variant {:?} removes unknown event {}",
                        v.name,
                        crate::text::quoted_name(e)
                    ),
                    list,
                );
            } else if v.remove_events[..k].contains(e) {
                let what = format!("variant {:?} removes {e:?} twice", v.name);
                c.problem(x, what, "each event once");
            }
        }
        let mut names: BTreeSet<String> = BTreeSet::new();
        for (k, e) in v.add_events.iter().enumerate() {
            let mut x = l("add_events");
            x.push(ix(k));
            if event_names.contains(&e.name) {
                let mut at = x.clone();
                at.push(f("name"));
                c.problem(
                    at,
                    format!("duplicate event name {:?}", e.name),
                    "an event name not used before",
                );
            }
            c.event(x.clone(), e, &mut names);
            // A scenario of this one event, to visit its numbers.
            let mut ev = Scenario {
                events: vec![e.clone()],
                ..shell.clone()
            };
            for_each_param(&mut ev, &mut |site, p| {
                if let Some((m, e)) = check_in(s, &site.path, site.key.field, p) {
                    let mut loc = x.clone();
                    loc.extend(site.loc[2..].iter().cloned());
                    c.problems.push(Problem {
                        loc,
                        message: m,
                        expected: Some(e),
                        at_key: false,
                    });
                }
            });
        }
    }
    // Names whose parts of a random stream would coincide (see docs/model.md): refused at the
    // second name, as compilation would refuse them.
    let named = |what: &'static str, i: usize, name: &str| -> (Loc, String) {
        (vec![f(what), ix(i), f("name")], name.into())
    };
    let mut events: Vec<(Loc, String)> = s
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| named("events", i, &e.name))
        .collect();
    for (i, v) in s.variants.iter().enumerate() {
        for (k, e) in v.add_events.iter().enumerate() {
            let loc = vec![f("variants"), ix(i), f("add_events"), ix(k), f("name")];
            events.push((loc.clone(), e.name.clone()));
            blocks.push((format!("events.{}", e.name), loc));
        }
    }
    let groups: [(&str, Vec<(Loc, String)>); 5] = [
        (
            "actors",
            s.actors
                .iter()
                .enumerate()
                .map(|(i, a)| named("actors", i, &a.name))
                .collect(),
        ),
        ("events", events),
        (
            "measures",
            s.levers
                .iter()
                .enumerate()
                .filter(|(_, l)| matches!(l, Lever::Measure(_)))
                .map(|(i, l)| named("levers", i, l.name()))
                .collect(),
        ),
        (
            "relations",
            s.relations
                .iter()
                .enumerate()
                .map(|(i, r)| (vec![f("relations"), ix(i)], format!("{}->{}", r.from, r.to)))
                .collect(),
        ),
        (
            "parameter blocks",
            blocks.into_iter().map(|(name, loc)| (loc, name)).collect(),
        ),
    ];
    for (what, names) in groups {
        let mut seen: BTreeMap<u64, String> = BTreeMap::new();
        for (loc, name) in names {
            let key = crate::numerics::rng::key_of(&name);
            match seen.get(&key) {
                Some(other) if *other != name => c.problem(
                    loc,
                    format!(
                        "the {what} {other:?} and {name:?} have names whose random streams \
                         coincide (a chance of about one in ten billion)"
                    ),
                    "another name",
                ),
                Some(_) => {}
                None => {
                    seen.insert(key, name);
                }
            }
        }
    }
    free_text(&mut c, s);
    c.problems
}

/// The first control character of `text` other than tab, newline and carriage return (ESC,
/// BEL, NUL...): such text would reach every chart and report raw, and an SVG holding it is
/// not valid XML. U+FFFE and U+FFFF, which XML forbids as well, count as control characters
/// here, and so do the other noncharacters (U+FDD0..U+FDEF and the last two of every plane:
/// never text, only a sign of a damaged file). Bidirectional embeddings, overrides and isolates
/// left unbalanced count too ([`crate::text::unbalanced_bidi`]); closed within the text, and the
/// marks (U+200E, U+200F, U+061C), which open nothing, are allowed.
pub(crate) fn control_char(text: &str) -> Option<char> {
    text.chars()
        .find(|&ch| {
            (ch.is_control() && !matches!(ch, '\t' | '\n' | '\r')) || crate::text::noncharacter(ch)
        })
        .or_else(|| crate::text::unbalanced_bidi(text))
}

/// What [`control_char`] found, in a message: "the control character U+001B" or "the
/// noncharacter U+FFFE".
pub(crate) fn control_char_named(ch: char) -> String {
    let kind = if crate::text::noncharacter(ch) {
        "noncharacter"
    } else {
        "control character"
    };
    format!("the {kind} U+{:04X}", u32::from(ch))
}

/// Refuses a control character in any free text of the scenario (labels, descriptions,
/// units, sources), at the string that holds it.
fn free_text(c: &mut Checker, s: &Scenario) {
    let mut check = |loc: Loc, text: &str| {
        if let Some(ch) = control_char(text) {
            let path = loc_text(&loc);
            c.problem(
                loc,
                format!("{path} holds {}", control_char_named(ch)),
                "text without control characters or noncharacters (tab, newline and carriage \
                 return are allowed; bidirectional overrides and isolates only closed within the \
                 text)",
            );
        } else if matches!(
            loc.as_slice(),
            [Seg::Field("name" | "step_unit" | "cost_unit")] | [.., Seg::Field("label")]
        ) && !text.trim().is_empty()
            && text.chars().all(crate::text::invisible)
        {
            // Zero-width spaces, joiners, a byte order mark: a blank on every page and chart,
            // where an empty label would have shown the name.
            let path = loc_text(&loc);
            let first = text.chars().find(|c| !c.is_whitespace()).unwrap_or(' ');
            c.problem(
                loc,
                format!(
                    "{path} shows nothing: it holds only invisible characters (U+{:04X}...)",
                    u32::from(first)
                ),
                "visible text (a label may be left out: the name is shown)",
            );
        } else if let Some(why) = matches!(
            loc.as_slice(),
            [Seg::Field("name")] | [.., Seg::Field("label")]
        )
        .then(|| not_one_line(text))
        .flatten()
        {
            // Units refuse both already.
            let path = loc_text(&loc);
            c.problem(
                loc,
                format!("{path} {why}"),
                "a name of one line without tabs (it heads table rows, legends and charts; a \
                 description or source may run over several lines)",
            );
        }
    };
    let at = |base: &Loc, segs: &[Seg]| -> Loc { base.iter().chain(segs).cloned().collect() };
    let event = |check: &mut dyn FnMut(Loc, &str), base: Loc, e: &Event| {
        check(at(&base, &[f("label")]), &e.label);
        check(at(&base, &[f("source")]), &e.source);
        for (j, b) in e.branches.iter().enumerate() {
            check(at(&base, &[f("branches"), ix(j), f("label")]), &b.label);
            check(at(&base, &[f("branches"), ix(j), f("source")]), &b.source);
        }
    };
    for (n, t) in [
        ("name", &s.name),
        ("description", &s.description),
        ("step_unit", &s.step_unit),
        ("cost_unit", &s.cost_unit),
    ] {
        check(vec![f(n)], t);
    }
    for (i, t) in s.sources.iter().enumerate() {
        check(vec![f("sources"), ix(i)], t);
    }
    for (i, a) in s.actors.iter().enumerate() {
        check(vec![f("actors"), ix(i), f("label")], &a.label);
        check(vec![f("actors"), ix(i), f("source")], &a.source);
    }
    for (i, r) in s.relations.iter().enumerate() {
        check(vec![f("relations"), ix(i), f("source")], &r.source);
    }
    for (i, r) in s.ladder.iter().enumerate() {
        check(vec![f("ladder"), ix(i), f("label")], &r.label);
        check(vec![f("ladder"), ix(i), f("description")], &r.description);
    }
    for (i, x) in s.shared.iter().enumerate() {
        check(vec![f("shared"), ix(i), f("label")], &x.label);
        check(vec![f("shared"), ix(i), f("source")], &x.source);
    }
    for (i, x) in s.pressures.iter().enumerate() {
        check(vec![f("pressures"), ix(i), f("label")], &x.label);
        check(vec![f("pressures"), ix(i), f("source")], &x.source);
    }
    for (i, l) in s.levers.iter().enumerate() {
        let l_at = |n: &'static str| vec![f("levers"), ix(i), f(n)];
        match l {
            Lever::Measure(m) => {
                check(l_at("label"), &m.label);
                check(l_at("source"), &m.source);
                for (j, v) in m.levels.iter().enumerate() {
                    let v_at = |n| vec![f("levers"), ix(i), f("levels"), ix(j), f(n)];
                    check(v_at("label"), &v.label);
                    check(v_at("source"), &v.source);
                }
            }
            Lever::Act(a) => {
                check(l_at("label"), &a.label);
                check(l_at("source"), &a.source);
            }
        }
    }
    for (i, e) in s.events.iter().enumerate() {
        event(&mut check, vec![f("events"), ix(i)], e);
    }
    for (i, o) in s.outcomes.iter().enumerate() {
        check(vec![f("outcomes"), ix(i), f("label")], &o.label);
        check(vec![f("outcomes"), ix(i), f("source")], &o.source);
    }
    for (i, v) in s.variants.iter().enumerate() {
        check(vec![f("variants"), ix(i), f("label")], &v.label);
        check(vec![f("variants"), ix(i), f("description")], &v.description);
        check(vec![f("variants"), ix(i), f("source")], &v.source);
        for (k, e) in v.add_events.iter().enumerate() {
            event(
                &mut check,
                vec![f("variants"), ix(i), f("add_events"), ix(k)],
                e,
            );
        }
    }
    // The sources of uncertain numbers.
    for_each_param(&mut s.clone(), &mut |site, p| {
        if let Some(src) = p.source() {
            check(at(&site.loc, &[f("source")]), src);
        }
    });
    // And of the numbers variants bring: those they set, and those of the events they add
    // (walked as a scenario of those events alone, placed under the variant).
    for (i, v) in s.variants.iter().enumerate() {
        for (path, p) in &v.set {
            if let Some(src) = p.source() {
                let loc = vec![
                    f("variants"),
                    ix(i),
                    f("set"),
                    Seg::Key(path.clone()),
                    f("source"),
                ];
                check(loc, src);
            }
        }
        if v.add_events.is_empty() {
            continue;
        }
        let mut added = s.clone();
        added.shared.clear();
        added.actors.clear();
        added.relations.clear();
        added.pressures.clear();
        added.levers.clear();
        added.events = v.add_events.clone();
        for_each_param(&mut added, &mut |site, p| {
            if let Some(src) = p.source() {
                let under = [f("variants"), ix(i), f("add_events")];
                // The walk places an added event under `events`: the first step of its place.
                let loc: Loc = under
                    .into_iter()
                    .chain(site.loc.iter().skip(1).cloned())
                    .chain([f("source")])
                    .collect();
                check(loc, src);
            }
        });
    }
}

/// A place in the file as the analyst reads it: `outcomes[2].label`.
fn loc_text(loc: &[Seg]) -> String {
    let mut out = String::new();
    for seg in loc {
        match seg {
            Seg::Field(n) if out.is_empty() => out.push_str(n),
            Seg::Field(n) => {
                out.push('.');
                out.push_str(n);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
            Seg::Key(k) => out.push_str(&format!("[{k:?}]")),
        }
    }
    out
}

/// "a" or "an" before a word.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The known path that shares the longest prefix with `path`, to suggest a fix: in sorted
/// order it is one of the two neighbours of `path`.
fn nearest<'a, V>(path: &str, known: &'a BTreeMap<String, V>) -> Option<&'a String> {
    let common = |k: &String| {
        k.chars()
            .zip(path.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    use std::ops::Bound::{Excluded, Included, Unbounded};
    let before = known
        .range::<str, _>((Unbounded, Excluded(path)))
        .next_back()
        .map(|(k, _)| k);
    let after = known
        .range::<str, _>((Included(path), Unbounded))
        .next()
        .map(|(k, _)| k);
    match (before, after) {
        (Some(b), Some(a)) => Some(if common(a) > common(b) { a } else { b }),
        (b, a) => b.or(a),
    }
}

/// What an arm's events and acts can keep running at once (each temporary effect counted as
/// often as its event or act can fire within its duration: once for one that fires at most
/// once, every `cooldown + 1` steps otherwise, within the horizon), and the lasting relation
/// shifts they can apply in one step.
#[derive(Debug, Clone, Copy, Default)]
struct Running {
    /// Temporary modifiers (`Modify`).
    modifiers: u64,
    /// Temporary relation shifts (`ShiftRelation` with a duration).
    shifts: u64,
    /// Lasting relation shifts (`ShiftRelation` without one) in one step.
    lasting_a_step: u64,
    /// `Move` effects in one step (each reads its relation).
    moves_a_step: u64,
}

impl Running {
    fn of(effects: &[Effect], single: bool, cooldown: i64, horizon: u64) -> Running {
        let gap = cooldown.max(0) as u64 + 1;
        let at_once = |d: i64| {
            let d = (d.max(1) as u64).min(horizon);
            if single { 1 } else { d.div_ceil(gap) }
        };
        let mut r = Running::default();
        for e in effects {
            match e {
                Effect::Modify { duration, .. } => r.modifiers += at_once(*duration),
                Effect::ShiftRelation {
                    duration: Some(duration),
                    ..
                } => r.shifts += at_once(*duration),
                Effect::ShiftRelation { duration: None, .. } => r.lasting_a_step += 1,
                Effect::Move { .. } => r.moves_a_step += 1,
                _ => {}
            }
        }
        r
    }

    fn add(self, o: Running) -> Running {
        Running {
            modifiers: self.modifiers + o.modifiers,
            shifts: self.shifts + o.shifts,
            lasting_a_step: self.lasting_a_step + o.lasting_a_step,
            moves_a_step: self.moves_a_step + o.moves_a_step,
        }
    }
}
