//! `report.html` of `brink report DIR...`: several results of one scenario (a run, a
//! comparison, a sensitivity analysis, a sweep) in one self-contained document, for a brief
//! that draws on all of them. One summary first (the leading figures of every input with
//! their intervals, and the caveat), then one section per input with its charts and tables,
//! the method, the assumptions ledger and the bibliography once, and every input's manifest
//! last. It puts each result into words with the same code as the result's own page
//! ([`crate::report::pages`], [`crate::report::html`]) and renders them with the same
//! template, `templates/analysis.html` (a section per input).
//!
//! The charts are the SVG files each input's folder holds, as its command drew them (the
//! application checks each against the SHA-256 its folder's marker lists). A folder is input
//! from outside, so before a chart's markup goes into the page unescaped, [`SvgChart::new`]
//! accepts only the elements and attributes brink's charts are drawn with: no script, no
//! link, no style, nothing fetched; and in their text and attribute values only what brink's
//! charts write: no control character, no noncharacter, no reference but XML's five named
//! entities (`&#x202e;` is a bidirectional override), no bidirectional formatting left open.

use super::charts::group_thousands;
use super::html::{ChartView, Labels, LedgerRow, ReportOptions, scenario_title};
use super::pages::{
    self, Analysis, ManifestView, MethodView, SectionView, TableView, manifest_rows,
};
use crate::analysis::compare::CompareResult;
use crate::analysis::sensitivity::{Measure, SensitivityResult};
use crate::analysis::sweep::SweepResult;
use crate::analysis::{Manifest, Summary};
use crate::model::Model;
use crate::scenario::Scenario;

/// Rows of each result's leading table in the shared summary (its section has them all).
const LEAD_ROWS: usize = 3;

/// The result files `brink report` reads, one per folder: the file and the command that
/// writes it.
pub const RESULT_FILES: [(&str, &str); 4] = [
    ("summary.json", "brink run"),
    ("compare.json", "brink compare"),
    ("sensitivity.json", "brink sensitivity"),
    ("sweep.json", "brink sweep"),
];

/// One result, as read from its folder's JSON file.
#[derive(Debug, Clone)]
pub enum Input {
    /// `summary.json` of `brink run` (or `brink merge`).
    Run(Box<Summary>),
    /// `compare.json` of `brink compare`.
    Compare(Box<CompareResult>),
    /// `sensitivity.json` of `brink sensitivity`.
    Sensitivity(Box<SensitivityResult>),
    /// `sweep.json` of `brink sweep`.
    Sweep(Box<SweepResult>),
}

/// The first number of a result no run could give (its file re-sealed by hand, or written by
/// another program), with where it is: a probability or an interval end outside 0 to 1, an
/// interval that does not hold its estimate, an outcome counted in more runs than were played.
/// The report drew such numbers as they were ("170.0%").
fn implausible(v: &serde_json::Value, at: &str, runs: u64) -> Option<String> {
    use serde_json::Value;
    let probability = |p: &Value, at: &str| -> Option<String> {
        let n = |k: &str| p.get(k).and_then(Value::as_f64);
        let (Some(e), Some(lo), Some(hi)) = (n("estimate"), n("low"), n("high")) else {
            return None;
        };
        let ok = (0.0..=1.0).contains(&e)
            && (0.0..=1.0).contains(&lo)
            && (0.0..=1.0).contains(&hi)
            && lo <= e + 1e-12
            && e <= hi + 1e-12;
        (!ok).then(|| format!("a probability of {e} ({lo} to {hi}) at {at}"))
    };
    match v {
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            let is_p = k.ends_with("probability") || k == "peak_rung" || k == "final_rung";
            let own = match (is_p, x) {
                (true, Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, p)| probability(p, &format!("{here}[{i}]"))),
                (true, p) => probability(p, &here),
                _ => None,
            };
            let count = (k == "runs_hit")
                .then(|| x.as_u64().filter(|&h| h > runs))
                .flatten()
                .map(|h| format!("an outcome counted in {h} of {runs} runs at {here}"));
            own.or(count).or_else(|| implausible(x, &here, runs))
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| implausible(x, &format!("{at}[{i}]"), runs)),
        _ => None,
    }
}

/// Checks a run's summary against its model beyond its outcomes' names: a table per actor,
/// rung, measure and event, as many as the scenario has and in its order, and steps within the
/// horizon. A summary re-sealed by hand with its cost table emptied lost the table from the
/// page without a word, and a first step of −1e18 was dated (a reviewing helper).
fn run_fits(s: &Summary, model: &Model) -> std::result::Result<(), String> {
    let actors: Vec<&str> = model.actors.iter().map(|a| a.name.as_str()).collect();
    let rungs = model.rung_names.len();
    let costs: Vec<&str> = s.costs.iter().map(|c| c.actor.as_str()).collect();
    if costs != actors {
        return Err("its cost table is not one row per actor of the scenario".into());
    }
    if s.peak_rung.len() != rungs
        || s.final_rung.len() != rungs
        || s.mean_steps_on_rung.len() != rungs
        || s.rung_by_step.iter().any(|r| r.len() != rungs)
    {
        return Err("its rung tables are not one entry per rung of the ladder".into());
    }
    let horizon = model.horizon as usize;
    if s.index_by_step.len() != horizon || s.rung_by_step.len() != horizon {
        return Err(format!(
            "its tables by step do not have the scenario's {horizon} steps"
        ));
    }
    // Shares of the runs, one a step: the intervals read from them (their counts) would be
    // nonsense (a share of 1.5 gave 0 to 1 about 1.5).
    let share = |x: &f64| (0.0..=1.0).contains(x);
    if s.rung_by_step.iter().flatten().any(|x| !share(x))
        || s.outcomes
            .iter()
            .any(|o| o.by_step.len() != horizon || !o.by_step.iter().all(share))
        || s.levers.iter().any(|l| {
            l.share_by_step.len() != horizon || !l.share_by_step.iter().flatten().all(share)
        })
    {
        return Err("its shares by step are not shares of the runs, 0 to 1 at each step".into());
    }
    let last = f64::from(model.horizon - 1);
    let step = |x: f64| (0.0..=last).contains(&x);
    for o in &s.outcomes {
        let quartiles = o.first_step_quartiles.iter().chain(&o.last_step_quartiles);
        if quartiles.flatten().any(|&x| !step(x))
            || o.mean_steps_held
                .is_some_and(|h| !(0.0..=last + 1.0).contains(&h))
        {
            return Err(format!(
                "its steps of outcome {} lie outside the scenario's steps 0 to {last}",
                crate::text::escape(&o.name, false)
            ));
        }
    }
    if s.events
        .iter()
        .any(|e| e.median_first_step.is_some_and(|x| !step(x)))
    {
        return Err(format!(
            "its events' first steps lie outside the scenario's steps 0 to {last}"
        ));
    }
    Ok(())
}

impl Input {
    /// Reads the result file `file` (one of [`RESULT_FILES`]); an error says, in words, what
    /// was expected and what is wrong.
    pub fn parse(file: &str, bytes: &[u8]) -> std::result::Result<Input, String> {
        let what = |e: serde_json::Error, kind: &str| {
            format!("not a {kind} brink wrote, or damaged since ({e})")
        };
        if RESULT_FILES.iter().any(|(f, _)| *f == file) {
            let v: serde_json::Value = serde_json::from_slice(bytes)
                .map_err(|e| format!("not a result brink wrote, or damaged since ({e})"))?;
            let runs = v["manifest"]["runs"].as_u64().unwrap_or(u64::MAX);
            if let Some(odd) = implausible(&v, "", runs) {
                return Err(format!("holds {odd}, which brink never writes"));
            }
        }
        match file {
            "summary.json" => serde_json::from_slice(bytes)
                .map(|s| Input::Run(Box::new(s)))
                .map_err(|e| what(e, "run summary")),
            "compare.json" => serde_json::from_slice(bytes)
                .map(|r| Input::Compare(Box::new(r)))
                .map_err(|e| what(e, "comparison")),
            "sensitivity.json" => serde_json::from_slice(bytes)
                .map(|r| Input::Sensitivity(Box::new(r)))
                .map_err(|e| what(e, "sensitivity analysis")),
            "sweep.json" => serde_json::from_slice(bytes)
                .map(|r| Input::Sweep(Box::new(r)))
                .map_err(|e| what(e, "sweep")),
            _ => Err(format!(
                "not a result file brink report reads (expected one of {})",
                RESULT_FILES.map(|(f, _)| f).join(", ")
            )),
        }
    }

    /// Where the result came from.
    pub fn manifest(&self) -> &Manifest {
        match self {
            Input::Run(s) => &s.manifest,
            Input::Compare(r) => &r.manifest,
            Input::Sensitivity(r) => &r.manifest,
            Input::Sweep(r) => &r.manifest,
        }
    }

    /// The kind of result, as `report.json` names it: `run`, `compare`, `sensitivity`, `sweep`.
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Run(_) => "run",
            Input::Compare(_) => "compare",
            Input::Sensitivity(_) => "sensitivity",
            Input::Sweep(_) => "sweep",
        }
    }

    /// The file it is read from (one of [`RESULT_FILES`]).
    pub fn file(&self) -> &'static str {
        match self {
            Input::Run(_) => "summary.json",
            Input::Compare(_) => "compare.json",
            Input::Sensitivity(_) => "sensitivity.json",
            Input::Sweep(_) => "sweep.json",
        }
    }

    /// The kind in words, for headings.
    fn noun(&self) -> &'static str {
        match self {
            Input::Run(_) => "Run",
            Input::Compare(_) => "Comparison",
            Input::Sensitivity(_) => "Sensitivity analysis",
            Input::Sweep(_) => "Sweep",
        }
    }

    /// The variant the result was computed with (a comparison's arms are named in it): the
    /// model its page is put into words with.
    pub fn variant(&self) -> Option<&str> {
        match self {
            Input::Compare(_) => None,
            _ => self.manifest().variant.as_deref(),
        }
    }

    /// Checks that the result fits the scenario compiled for it (`model`, with
    /// [`Input::variant`]), so that a hand-made or damaged file is refused in words rather than
    /// read out of bounds; and restores what the file does not hold (a sensitivity analysis's
    /// measure in words).
    pub fn fit(&mut self, model: &Model) -> std::result::Result<(), String> {
        let outcomes: Vec<&str> = model.outcomes.iter().map(|o| o.name.as_str()).collect();
        let same = |names: &mut dyn Iterator<Item = &str>| names.eq(outcomes.iter().copied());
        match self {
            Input::Run(s) => {
                if !same(&mut s.outcomes.iter().map(|o| o.name.as_str())) {
                    return Err("its outcomes are not the scenario's".into());
                }
                run_fits(s, model)?;
                // A summary written before brink recorded which outcomes are judged at the end
                // alone: the scenario says (their intervals before the last step are [0, 0]).
                for (o, spec) in s.outcomes.iter_mut().zip(&model.outcomes) {
                    o.judged_at_end |= spec.at_end;
                }
            }
            Input::Compare(r) => {
                if !same(&mut r.outcomes.iter().map(String::as_str)) {
                    return Err("its outcomes are not the scenario's".into());
                }
                if r.arms.first().is_none_or(|a| a.kind != "base") {
                    return Err("it has no base arm first".into());
                }
                if r.arms.iter().any(|a| a.outcomes.len() != r.outcomes.len()) {
                    return Err("an arm does not have every outcome".into());
                }
            }
            Input::Sweep(r) => {
                if !same(&mut r.outcomes.iter().map(String::as_str)) {
                    return Err("its outcomes are not the scenario's".into());
                }
                if r.points.is_empty()
                    || r.points
                        .iter()
                        .any(|p| p.outcomes.len() != r.outcomes.len())
                {
                    return Err("a value of its grid does not have every outcome".into());
                }
            }
            Input::Sensitivity(r) => {
                let measure = if r.measure_kind == "outcome indicator" {
                    Measure::parse(model, Some(&r.measure), None)
                } else {
                    Measure::parse(model, None, Some(&r.measure))
                };
                let m = measure.map_err(|e| format!("its measure: {e}"))?;
                r.measure_title = m.title(model);
                // A coefficient and its interval as brink writes them: −1 ≤ low ≤ PRCC ≤ high
                // ≤ 1, and "excludes 0" as the interval says.
                if let Some(p) = r.parameters.iter().find(|p| {
                    !(-1.0 <= p.low && p.low <= p.prcc && p.prcc <= p.high && p.high <= 1.0)
                        || p.excludes_zero != (p.low > 0.0 || p.high < 0.0)
                }) {
                    return Err(format!(
                        "its coefficient for {} is {} with the interval {}..{}{}, which PRCC \
                         never gives",
                        crate::text::escape(&p.parameter, false),
                        p.prcc,
                        p.low,
                        p.high,
                        if p.excludes_zero {
                            " (said to exclude 0)"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
        Ok(())
    }

    /// The result in words, as its own page has it.
    fn analysis(&self, model: &Model) -> Analysis {
        match self {
            Input::Run(s) => super::html::run_analysis(model, s),
            Input::Compare(r) => pages::compare_analysis(&model.scenario, r),
            Input::Sensitivity(r) => pages::sensitivity_analysis(&model.scenario, r),
            Input::Sweep(r) => {
                // The outcome the sweep's own page showed: `--outcome` on its command line,
                // else the first.
                let chosen = r.manifest.option("--outcome");
                let outcome = r.outcome_index(chosen).ok().flatten();
                pages::sweep_analysis(&model.scenario, r, outcome)
            }
        }
    }

    /// What the section's heading says after the kind: the variant, the variants compared,
    /// the measure, the parameter swept.
    fn subject(&self, sc: &Scenario) -> String {
        let labels = Labels { sc };
        match self {
            Input::Run(s) => match &s.manifest.variant {
                Some(v) => format!("variant {}", labels.variant(v)),
                None => "the base scenario".into(),
            },
            Input::Compare(r) => {
                let n = r.arms.iter().filter(|a| a.kind == "variant").count();
                format!(
                    "the base scenario and {n} variant{}{}",
                    if n == 1 { "" } else { "s" },
                    if r.tornado.is_some() {
                        ", with the levers"
                    } else {
                        ""
                    }
                )
            }
            Input::Sensitivity(r) => {
                pages::sensitivity_measure(sc, r) + &Self::under(&labels, &r.manifest.variant)
            }
            Input::Sweep(r) => {
                // A two-parameter sweep is named by both; a variant's by it too (two sweeps of
                // one parameter under two variants had the same heading).
                let mut paths: Vec<String> =
                    r.parameters.iter().map(|p| labels.path(&p.path)).collect();
                if paths.is_empty() {
                    paths.push(labels.path(&r.path));
                }
                paths.join(" × ") + &Self::under(&labels, &r.manifest.variant)
            }
        }
    }

    /// ", under variant V" for a result made under a variant, else nothing.
    fn under(labels: &Labels, variant: &Option<String>) -> String {
        variant.as_ref().map_or(String::new(), |v| {
            format!(", under variant {}", labels.variant(v))
        })
    }
}

/// A chart read from an input's folder: its file stem, its SVG, and its title (the first
/// text it draws).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvgChart {
    /// The file stem (`index_fan` for index_fan.svg).
    pub name: String,
    /// The SVG document, checked.
    pub svg: String,
    /// The chart's title, as drawn at its top.
    pub title: String,
}

/// The elements brink's charts are drawn with.
const SVG_ELEMENTS: &[&str] = &[
    "svg", "g", "rect", "text", "line", "polyline", "polygon", "circle", "ellipse", "path",
];

/// The attributes brink's charts are drawn with: shapes and type, nothing that links,
/// styles or runs anything.
const SVG_ATTRIBUTES: &[&str] = &[
    "x",
    "y",
    "dx",
    "dy",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "width",
    "height",
    "viewBox",
    "xmlns",
    "transform",
    "opacity",
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
];

impl SvgChart {
    /// Accepts a chart file's SVG if it is made only of what brink draws charts with (see
    /// [`SVG_ELEMENTS`] and [`SVG_ATTRIBUTES`]; no comment, no declaration, no reference to
    /// anything outside), and its text and attribute values only of what brink writes there
    /// (see [`check_chars`]); an error says what is in the way.
    pub fn new(name: &str, svg: &str) -> std::result::Result<SvgChart, String> {
        let doc = svg.trim();
        if !doc.starts_with("<svg ") || !doc.ends_with("</svg>") {
            return Err(
                "not an SVG chart brink drew (it must start with <svg and end with </svg>)".into(),
            );
        }
        let mut title: Option<String> = None;
        let mut in_text = false;
        let mut rest = doc;
        while let Some(open) = rest.find('<') {
            let text = &rest[..open];
            check_chars(
                text,
                if in_text {
                    "the text of <text>"
                } else {
                    "the text between tags"
                },
            )?;
            if in_text && title.is_none() && !text.trim().is_empty() {
                title = Some(unescape(text.trim()));
            }
            rest = &rest[open + 1..];
            let close = rest
                .find('>')
                .ok_or_else(|| "a tag that does not end".to_string())?;
            let tag = &rest[..close];
            rest = &rest[close + 1..];
            if let Some(end) = tag.strip_prefix('/') {
                if !SVG_ELEMENTS.contains(&end.trim()) {
                    return Err(format!("an element brink does not draw: </{}>", clip(end)));
                }
                in_text = false;
                continue;
            }
            let tag = tag.strip_suffix('/').unwrap_or(tag);
            let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
            let element = &tag[..name_end];
            if !SVG_ELEMENTS.contains(&element) {
                return Err(format!(
                    "an element brink does not draw: <{}>",
                    clip(element)
                ));
            }
            in_text = element == "text";
            let mut attrs = tag[name_end..].trim_start();
            while !attrs.is_empty() {
                let (attr, after) = attrs
                    .split_once("=\"")
                    .ok_or_else(|| format!("an attribute brink does not write in <{element}>"))?;
                if !SVG_ATTRIBUTES.contains(&attr) || (attr == "xmlns" && element != "svg") {
                    return Err(format!(
                        "an attribute brink does not write: {} in <{element}>",
                        clip(attr)
                    ));
                }
                let (value, after) = after.split_once('"').ok_or_else(|| {
                    format!("an attribute value that does not end in <{element}>")
                })?;
                let lower = value.to_ascii_lowercase();
                if lower.contains("url(") || lower.contains("script") {
                    return Err(format!(
                        "a reference in the attribute {attr} of <{element}>"
                    ));
                }
                check_chars(value, &format!("the attribute {attr} of <{element}>"))?;
                attrs = after.trim_start();
            }
        }
        if rest.contains('>') {
            return Err("text after the last tag".into());
        }
        Ok(SvgChart {
            name: name.to_string(),
            svg: svg.to_string(),
            title: title.unwrap_or_else(|| name.to_string()),
        })
    }
}

/// The entities brink's charts write (XML's five: plotters escapes `<`, `>`, `&`, `"` and `'`
/// with them, and nothing else).
const SVG_ENTITIES: &[&str] = &["amp", "lt", "gt", "quot", "apos"];

/// Accepts a chart's text or attribute value (`place` says which, for the error) if it holds
/// only what brink's charts write there. Refused: a control character other than tab, newline
/// and carriage return, and a noncharacter (a scenario's text holding one is refused, and
/// [`super::charts`] writes none: ESC would reach the page raw); a numeric character reference
/// (brink writes none, and `&#x202e;` or `&#27;` is a bidirectional override or a control
/// character the first check does not see), an entity other than [`SVG_ENTITIES`], or an `&`
/// that starts none; and bidirectional formatting left open or closing nothing (U+202A–U+202E,
/// U+2066–U+2069: a scenario's text closes what it opens, and a chart's label cut short is
/// closed, so an open override is an edit that would reverse what follows it on the page).
fn check_chars(s: &str, place: &str) -> std::result::Result<(), String> {
    if let Some(c) = s.chars().find(|&c| !super::charts::written_in_a_chart(c)) {
        return Err(format!(
            "{} in {place} (brink's charts hold none)",
            crate::scenario::validate::control_char_named(c)
        ));
    }
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        rest = &rest[at + 1..];
        // The reference's name, if it is one: letters and digits (`#` first for a number),
        // then `;`. Nothing else is quoted in the error (it is read on a terminal).
        let name = rest.split_once(';').map(|(n, _)| n).filter(|n| {
            let digits = n.strip_prefix('#').unwrap_or(n);
            !digits.is_empty()
                && digits.len() <= 32
                && digits.chars().all(|c| c.is_ascii_alphanumeric())
        });
        match name {
            Some(n) if SVG_ENTITIES.contains(&n) => rest = &rest[n.len() + 1..],
            Some(n) if n.starts_with('#') => {
                return Err(format!(
                    "the numeric character reference &{n}; in {place} (brink's charts write \
                     none: one can stand for a control or bidirectional character)"
                ));
            }
            Some(n) => {
                return Err(format!(
                    "the entity reference &{n}; in {place} (brink's charts write only &amp; \
                     &lt; &gt; &quot; &apos;)"
                ));
            }
            None => return Err(format!("an & that starts no reference in {place}")),
        }
    }
    if let Some(c) = crate::text::unbalanced_bidi(s) {
        let what = if matches!(c, '\u{202c}' | '\u{2069}') {
            "that closes nothing"
        } else {
            "left open"
        };
        return Err(format!(
            "the bidirectional formatting character U+{:04X} {what} in {place} (brink's \
             charts close what they open; this one would reorder what follows it on the page)",
            u32::from(c)
        ));
    }
    Ok(())
}

/// At most 40 characters of a text, for an error message.
fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// An SVG text's content with the entities brink's charts write turned back into characters
/// (the page escapes it again).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// One input of the report: where it came from, its result (fitted with [`Input::fit`]), the
/// scenario compiled with its variant, and its charts.
pub struct Part {
    /// The folder, as the analyst named it.
    pub folder: String,
    /// Its result.
    pub input: Input,
    /// The scenario compiled with the input's variant (its labels, the run's thresholds).
    pub model: Model,
    /// Its charts, in the order they are shown.
    pub charts: Vec<SvgChart>,
}

/// The combined report of `parts` (at least one), all of the scenario `sc` (the file as it
/// is, without a variant: the ledger and the bibliography), whose file is `scenario_file`
/// with SHA-256 `scenario_hash`; titled and dated by `options`.
///
/// The page is `templates/analysis.html` with a section per input; the template is part of
/// the binary and every field it reads exists, so rendering cannot fail; a failure is a bug
/// in the template and panics.
pub fn report(
    sc: &Scenario,
    scenario_file: &str,
    scenario_hash: &str,
    parts: &[Part],
    options: &ReportOptions,
) -> String {
    let runs: Vec<u64> = parts.iter().map(|p| p.input.manifest().runs).collect();
    let (lo, hi) = (
        runs.iter().copied().min().unwrap_or(0),
        runs.iter().copied().max().unwrap_or(0),
    );
    let mut summary = vec![];
    let mut inputs = vec![];
    let mut method: Vec<MethodView> = vec![];
    let mut manifests = vec![];
    // Results of one kind are told apart by what they were run with: the numbers `--set`
    // replaced, and the seed when the results' seeds differ (three runs' sections all read
    // "Run: the base scenario").
    let seeds_differ = runs.len() > 1
        && parts
            .iter()
            .any(|p| p.input.manifest().seed != parts[0].input.manifest().seed);
    for (k, part) in parts.iter().enumerate() {
        let n = k + 1;
        let id = format!("input-{n}");
        let mut a = part.input.analysis(&part.model);
        let m = part.input.manifest();
        let mut with = String::new();
        if let Some(x) = super::html::set_words(&part.model.scenario, &m.set) {
            with += &format!(", with {x}");
        }
        if seeds_differ {
            with += &format!(", seed {}", m.seed);
        }
        // Results that differ in their runs alone are told apart by them too.
        if lo != hi {
            with += &format!(", {}", crate::report::charts::n_runs(m.runs));
        }
        let subject = format!("{}{with}", part.input.subject(&part.model.scenario));
        let heading = format!("{n}. {}: {subject}", part.input.noun());
        // The leading tables go to the summary, named after their input; the rest stay.
        for (i, t) in a.summary.iter().enumerate() {
            if a.lead.contains(&i) {
                let mut t = t.clone();
                // "The assumptions that drive it most" needs its "it" on a shared summary.
                if let Input::Sensitivity(r) = &part.input {
                    t.heading = format!(
                        "The assumptions that drive {} most",
                        super::sensitivity::measure_words(&part.model.scenario, r.as_ref())
                    );
                }
                t.heading = format!("{} ({n})", t.heading);
                // A rank is the row's order: room for the labels instead.
                if let Some(c) = t.columns.iter().position(|c| c == "rank") {
                    t.columns.remove(c);
                    t.numeric.remove(c);
                    t.big = t.big.map(|b| if b > c { b - 1 } else { b });
                    for row in &mut t.rows {
                        if c < row.len() {
                            row.remove(c);
                        }
                    }
                }
                // Several results share one screen: each leads with its first rows, and its
                // section has them all with their notes.
                let more = t.rows.len().saturating_sub(LEAD_ROWS);
                t.rows.truncate(LEAD_ROWS);
                let from = format!(
                    "From section {n}: {} ({subject})",
                    part.input.noun().to_lowercase()
                );
                // Not "with N more rows": the section's full table (every outcome, every
                // number) has more rows than this one had on the result's own page.
                t.notes = vec![if more > 0 {
                    format!(
                        "{from}: its first {}; the section has every row, with the notes.",
                        crate::text::counted(t.rows.len(), "row", "rows")
                    )
                } else {
                    format!("{from}.")
                }];
                summary.push(t);
            }
        }
        let kept: Vec<TableView> = a
            .summary
            .iter()
            .enumerate()
            .filter(|(i, _)| !a.lead.contains(i))
            .map(|(_, t)| t.clone())
            .collect();
        a.tables.splice(0..0, kept);
        // A run's own sections (outcomes, rungs, ...) are tables of its input's section here.
        a.tables.extend(
            std::mem::take(&mut a.sections)
                .into_iter()
                .flat_map(|s| s.tables),
        );
        let noun = part.input.noun();
        match method.iter_mut().find(|m| m.heading == noun) {
            Some(m) => {
                for p in a.method {
                    if !m.paragraphs.contains(&p) {
                        m.paragraphs.push(p);
                    }
                }
            }
            None => method.push(MethodView {
                heading: noun.to_string(),
                paragraphs: a.method,
            }),
        }
        // Without a date: the input's was not recorded, and this report's is not when it ran.
        manifests.push(ManifestView {
            heading: format!("{heading} — {}", part.folder),
            rows: manifest_rows(part.input.manifest(), None),
        });
        let variant = part
            .input
            .variant()
            .map(|v| format!(" · variant {}", Labels { sc }.variant(v)))
            .unwrap_or_default();
        let mut incomplete = crate::report::pages::incomplete_words(part.input.manifest());
        // Said where the report is read, not only on the terminal that made it: another
        // version may play the same seed otherwise.
        if let Some(writer) = part.input.manifest().other_writer() {
            // Its text comes from a file: an override in it is closed before brink's words.
            incomplete += &format!(
                " Written by {}, and this report by brink {}: its figures are that \
                 version's.",
                crate::text::close_bidi(&writer),
                env!("CARGO_PKG_VERSION")
            );
        }
        inputs.push(SectionView {
            id: id.clone(),
            nav: format!("{n}. {noun}"),
            heading,
            meta: Some(format!(
                "From {} ({}){variant}",
                part.folder,
                part.input.file()
            )),
            paragraphs: vec![format!("{}{incomplete}", a.setup)],
            notes: a.caveat,
            no_charts: Some(
                "This folder holds no charts (it was written with --no-charts).".into(),
            ),
            charts: part
                .charts
                .iter()
                .map(|c| {
                    let (width, height) = super::html::svg_size(&c.svg);
                    ChartView {
                        id: format!("{n}-{}", c.name),
                        name: &c.name,
                        title: &c.title,
                        place: format!(" in {}", part.folder),
                        markup: super::html::svg_body(&c.svg),
                        width,
                        height,
                    }
                })
                .collect(),
            tables: a.tables,
        });
    }
    let kinds: Vec<String> = parts
        .iter()
        .map(|p| p.input.noun().to_lowercase())
        .collect();
    let title = scenario_title(&sc.name, &sc.description);
    let mut page = pages::header(
        "report",
        title.clone(),
        format!(
            "Scenario {}, file {scenario_file} (SHA-256 {}…)",
            sc.name,
            scenario_hash.get(..12).unwrap_or(scenario_hash)
        ),
        options,
    );
    // One document of the scenario: its title alone, no kind after it.
    page.heading = title;
    page.setup = format!(
        "{} result{} of this scenario in one document: {}. The summary gathers each one's \
         leading figures; a section for each follows, with its charts and tables.",
        parts.len(),
        if parts.len() == 1 { "" } else { "s" },
        kinds.join(", ")
    );
    page.runs = if lo == hi {
        group_thousands(lo)
    } else {
        format!("{} to {}", group_thousands(lo), group_thousands(hi))
    };
    page.summary = summary;
    page.caveat = vec![
        "A 95% interval says how precisely the runs pin a figure down: it measures the \
         simulation's sampling error only, not doubt about the assumptions or the model. See \
         Method, below."
            .into(),
    ];
    // Each input's charts are in its own section.
    page.charts_section = false;
    page.sections = inputs;
    page.description = sc.description.trim();
    page.method_groups = method;
    page.ledger = LedgerRow::all(sc);
    page.sources = &sc.sources;
    if let Some(d) = options.date.as_deref() {
        manifests.push(ManifestView {
            heading: "This report".into(),
            rows: vec![("report made (UTC)".into(), d.to_string())],
        });
    }
    page.manifests = manifests;
    page.manifest_note = Some(format!(
        "Each result was made from the scenario file with SHA-256 {scenario_hash}; the same \
         file, seed, runs and options give the same numbers on any machine and any number of \
         threads, with the version of brink its manifest names."
    ));
    pages::render(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run's summary re-sealed by hand with a table emptied or a step no run gives is refused
    /// against its scenario (the page lost the table without a word, and dated step −1e18).
    #[test]
    fn a_summary_that_does_not_fit_its_scenario_is_refused() {
        let (loaded, model, tally) = crate::stats::tutorial_tally(50);
        let manifest = Manifest::new(&loaded, 1, None, 50, 50, vec![]);
        let good = Summary::new(&model, &tally, manifest);
        assert_eq!(run_fits(&good, &model), Ok(()));
        let refused = |change: &dyn Fn(&mut Summary), says: &str| {
            let mut s = good.clone();
            change(&mut s);
            let e = run_fits(&s, &model).unwrap_err();
            assert!(e.contains(says), "{e}");
        };
        refused(&|s| s.costs.clear(), "cost table");
        refused(&|s| s.final_rung.clear(), "rung tables");
        refused(
            &|s| {
                s.rung_by_step.pop();
            },
            "tables by step",
        );
        refused(
            &|s| s.outcomes[0].first_step_quartiles = Some([-5.0, -1e18, 1e18]),
            "lie outside the scenario's steps 0 to 51",
        );
        refused(
            &|s| s.events[0].median_first_step = Some(52.0),
            "events' first steps",
        );
        refused(&|s| s.outcomes[1].by_step[7] = 1.5, "shares by step");
        refused(&|s| s.rung_by_step[3][0] = -0.1, "shares by step");
        refused(
            &|s| s.levers[0].share_by_step[9][1] = f64::NAN,
            "shares by step",
        );
        refused(
            &|s| {
                s.levers[0].share_by_step.pop();
            },
            "shares by step",
        );
    }

    #[test]
    fn charts_brink_draws_pass_and_anything_else_does_not() {
        let good = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" \
                    xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"1\" \
                    height=\"1\" fill=\"#FFF\"/>\n<text x=\"1\" y=\"1\" font-size=\"3\">\nNorth \
                    &amp; South&apos;s index\n</text>\n</svg>\n";
        let c = SvgChart::new("index_fan", good).expect("a chart brink draws");
        assert_eq!(c.title, "North & South's index");
        for bad in [
            "<svg x=\"1\"><script>alert(1)</script></svg>",
            "<svg x=\"1\"><rect onload=\"alert(1)\"/></svg>",
            "<svg x=\"1\"><rect fill=\"url(http://x/y)\"/></svg>",
            "<svg x=\"1\"><image href=\"http://x/y.png\"/></svg>",
            "<svg x=\"1\"><!-- a comment --></svg>",
            "<svg x=\"1\"><rect style=\"fill:red\"/></svg>",
            "<svg x=\"1\"><rect x=\"1\" xmlns=\"a\"/></svg>",
            "<svg x=\"1\"><rect x=\"1/></svg>",
            "<html><svg x=\"1\"></svg>",
            "<svg x=\"1\"></svg> > trailing",
        ] {
            assert!(SvgChart::new("x", bad).is_err(), "{bad} was accepted");
        }
    }

    /// A chart with `text` as its one label and `fill` as a rectangle's colour.
    fn chart_with(text: &str, fill: &str) -> String {
        format!(
            "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" \
             xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"1\" \
             height=\"1\" fill=\"{fill}\"/>\n<text x=\"1\" y=\"1\" font-size=\"3\">\n{text}\n\
             </text>\n</svg>\n"
        )
    }

    /// What a hand-edited chart can put in its text or attribute values that brink's charts
    /// never write is refused, each saying what and where: control characters, noncharacters,
    /// numeric character references (a bidirectional override or ESC written as `&#...;`),
    /// other entities, a bare `&`, and bidirectional formatting left open or closing nothing.
    #[test]
    fn chart_text_brink_never_writes_is_refused() {
        let refused = |text: &str, fill: &str, says: &str| {
            let e = SvgChart::new("costs", &chart_with(text, fill))
                .expect_err(&format!("{text:?} / {fill:?} was accepted"));
            assert!(e.contains(says), "expected {says:?}: {e}");
        };
        let in_text = "in the text of <text>";
        let in_fill = "in the attribute fill of <rect>";
        // Control characters and noncharacters, raw.
        refused(
            "Costs\u{1b}[2J",
            "#FFF",
            "the control character U+001B in the text of <text>",
        );
        refused("Costs\u{7}", "#FFF", "the control character U+0007");
        refused("Costs\u{7f}", "#FFF", "the control character U+007F");
        refused("Costs\u{9b}31m", "#FFF", "the control character U+009B");
        refused("Costs\u{fffe}", "#FFF", "the noncharacter U+FFFE");
        refused("Costs\u{fdd0}", "#FFF", "the noncharacter U+FDD0");
        refused("Costs\u{10ffff}", "#FFF", "the noncharacter U+10FFFF");
        refused(
            "Costs",
            "#FFF\u{1b}",
            "the control character U+001B in the attribute fill",
        );
        // Numeric character references, of a bidirectional override, of ESC, of a letter.
        for r in [
            "&#x202e;", "&#X202E;", "&#8238;", "&#27;", "&#x1b;", "&#65;", "&#39;",
        ] {
            refused(
                &format!("Costs {r}reversed"),
                "#FFF",
                &format!("the numeric character reference {r} {in_text}"),
            );
        }
        refused(
            "Costs",
            "&#x23;FFF",
            &format!("the numeric character reference &#x23; {in_fill}"),
        );
        // Entities other than XML's five, and an & that starts none.
        refused(
            "Costs&nbsp;",
            "#FFF",
            &format!("the entity reference &nbsp; {in_text}"),
        );
        refused("Costs &rlo; x", "#FFF", "the entity reference &rlo;");
        refused(
            "North & South",
            "#FFF",
            &format!("an & that starts no reference {in_text}"),
        );
        refused("North &amp South;", "#FFF", "an & that starts no reference");
        refused("Costs &#;", "#FFF", "an & that starts no reference");
        // Bidirectional formatting left open, or closing nothing, within one text.
        for c in [
            '\u{202a}', '\u{202b}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
        ] {
            refused(
                &format!("Costs {c}by actor"),
                "#FFF",
                &format!(
                    "the bidirectional formatting character U+{:04X} left open {in_text}",
                    u32::from(c)
                ),
            );
        }
        for c in ['\u{202c}', '\u{2069}'] {
            refused(
                &format!("Costs {c}by actor"),
                "#FFF",
                &format!("U+{:04X} that closes nothing", u32::from(c)),
            );
        }
        // An override closed in one text does not balance one opened in another.
        let two = chart_with("\u{202e}Costs", "#FFF").replace(
            "</svg>",
            "<text x=\"1\" y=\"2\">\n\u{202c}\n</text>\n</svg>",
        );
        let e = SvgChart::new("costs", &two).unwrap_err();
        assert!(e.contains("U+202E left open"), "{e}");
        refused(
            "Costs",
            "#FFF\u{202e}",
            &format!("U+202E left open {in_fill}"),
        );
        // Outside a <text> too.
        let between = chart_with("Costs", "#FFF").replace("<text", "\u{1b}<text");
        let e = SvgChart::new("costs", &between).unwrap_err();
        assert!(e.contains("U+001B in the text between tags"), "{e}");
    }

    /// What brink's charts write in text passes: XML's five entities, a right-to-left label
    /// with its isolates closed, an override closed within the text, marks, tab and newline.
    #[test]
    fn chart_text_brink_writes_passes() {
        for (text, title) in [
            (
                "North &amp; South&apos;s &lt;index&gt; &quot;q&quot;",
                "North & South's <index> \"q\"",
            ),
            (
                "اتحادیه \u{2066}EU-27\u{2069}",
                "اتحادیه \u{2066}EU-27\u{2069}",
            ),
            ("a \u{202e}bc\u{202c} d", "a \u{202e}bc\u{202c} d"),
            (
                "\u{2067}x\u{202b}y\u{202c}\u{2069}…",
                "\u{2067}x\u{202b}y\u{202c}\u{2069}…",
            ),
            (
                "mark \u{200f}\u{200e}\u{61c}\tend",
                "mark \u{200f}\u{200e}\u{61c}\tend",
            ),
            ("Costs\u{fffd}", "Costs\u{fffd}"),
        ] {
            let c = SvgChart::new("costs", &chart_with(text, "#FFF"))
                .unwrap_or_else(|e| panic!("{text:?} refused: {e}"));
            assert_eq!(c.title, title);
        }
    }
}
