//! `report.html`: one self-contained page (inline SVG charts and CSS, no script, nothing
//! fetched from the network), in the order a reader wants it: a one-screen summary (the title,
//! the analysis date, the headline outcomes and the rung at the end with their intervals, and
//! a caveat on what they mean), every chart, the tables, the method, the assumptions ledger,
//! the bibliography (the scenario's `sources`) and the manifest last. Outcomes, actors,
//! levers, levels, events and rungs appear by their labels; ids only in CSV and JSON. The
//! shared style sheet has print rules (no heading left at a page's foot, no chart split).
//!
//! The page is the one template of every command, `templates/analysis.html` (see
//! [`crate::report::pages`]): the run is put into words here ([`run_analysis`], the same
//! words a combined report shows) and rendered by MiniJinja. Every value the template prints is HTML-escaped unless the template marks it
//! `|safe`, which it does only for the charts' own SVG markup (drawn by brink, not taken from
//! the scenario file): scenario files are untrusted.
//!
//! Why MiniJinja rather than askama or maud: the template is a plain HTML file that an
//! analyst can read and edit, compiled into the binary with `include_str!` and escaped by
//! default because its name ends in `.html`; no proc macros (askama checks templates at
//! compile time, but its derive adds build time), and Rust-syntax HTML (maud) is not
//! something a non-Rust reader can change. With default features off it adds one crate.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior, Value};
use serde::Serialize;

use super::charts::{
    Chart, HEIGHT, WIDTH, amount, cost_figures, cost_percentile, group_thousands, percent,
};
use super::pages::{self, Analysis, SectionView, TableView};
use crate::analysis::Summary;
use crate::model::Model;
use crate::scenario::param::fmt_num;
use crate::scenario::{Lever, Scenario};
use crate::stats::Interval;

/// The style sheet every page includes, and the comment that marks its place in a template.
const STYLE: &str = include_str!("templates/style.css");
const STYLE_MARKER: &str = "{# the style sheet (templates/style.css) goes here #}";

/// The parts every page shares (the caveat's first paragraph, the charts and one figure, a
/// summary table and a full one, the assumptions ledger, the bibliography), each put in place of the line `{# part: NAME #}` of a
/// template before parsing, as the style sheet is (the template engine is built without
/// `include`).
const PARTS: [(&str, &str); 7] = [
    (
        "parts/caveat.html",
        include_str!("templates/parts/caveat.html"),
    ),
    (
        "parts/charts.html",
        include_str!("templates/parts/charts.html"),
    ),
    (
        "parts/figure.html",
        include_str!("templates/parts/figure.html"),
    ),
    (
        "parts/summary-table.html",
        include_str!("templates/parts/summary-table.html"),
    ),
    (
        "parts/table.html",
        include_str!("templates/parts/table.html"),
    ),
    (
        "parts/ledger.html",
        include_str!("templates/parts/ledger.html"),
    ),
    (
        "parts/bibliography.html",
        include_str!("templates/parts/bibliography.html"),
    ),
];

/// Escapes a text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"`
/// and `'`; a carriage return as a space; any other control character but tab and newline
/// (which HTML does not allow, and which `cat report.html` would send to a terminal: a path or
/// a command line may hold ESC) is shown as `\u{1b}`, and so is a noncharacter (U+FFFE, …).
/// So are the line and paragraph separators (U+2028, U+2029). Bidirectional formatting shows
/// as written where the value closes all it opens, as a scenario's text must
/// (docs/scenario-format.md: `"اتحادیه \u{2066}EU-27\u{2069}"`); in a value that leaves one
/// unbalanced ([`crate::text::unbalanced_bidi`]), which only a hand-edited manifest or result
/// can hold, every character that reorders text ([`crate::text::reorders_text`]: the
/// embeddings, overrides, isolates and marks) is shown escaped, as the terminal shows them:
/// left open, such a character reversed the figures after it on the page ("Trojan Source").
/// Every value the report template prints goes through it (see [`report`]).
///
/// ```
/// use brink::report::html::escape;
/// assert_eq!(escape("a<b \u{1b}]0;x\u{7}"), "a&lt;b \\u{1b}]0;x\\u{7}");
/// assert_eq!(escape("over\rwritten\n"), "over written\n");
/// assert_eq!(escape("run\u{fffe}.ron"), "run\\u{fffe}.ron");
/// // Left open: every bidirectional character of the value escaped.
/// assert_eq!(escape("cost \u{202e}0001 \u{200f}"), "cost \\u{202e}0001 \\u{200f}");
/// assert_eq!(escape("\u{2069}1 2"), "\\u{2069}1 2");
/// // Closed, as a scenario's text must be: as written.
/// assert_eq!(escape("اتحادیه \u{2066}EU-27\u{2069}"), "اتحادیه \u{2066}EU-27\u{2069}");
/// assert_eq!(escape("a\u{2028}b"), "a\\u{2028}b");
/// ```
pub fn escape(s: &str) -> String {
    use std::fmt::Write;
    let mut o = String::with_capacity(s.len());
    let unbalanced = crate::text::unbalanced_bidi(s).is_some();
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // A carriage return renders as any white space does, and `cat` would move the
            // cursor back over the line with it.
            '\r' => o.push(' '),
            // A noncharacter (U+FFFE from a file's name, say) is no text either; a
            // bidirectional character in a value that leaves one open would show the reader
            // other text than the file's, after the value too.
            c if (c.is_control() && !matches!(c, '\t' | '\n'))
                || crate::text::noncharacter(c)
                || matches!(c, '\u{2028}' | '\u{2029}')
                || (unbalanced && crate::text::reorders_text(c)) =>
            {
                let _ = write!(o, "\\u{{{:x}}}", u32::from(c));
            }
            c => o.push(c),
        }
    }
    o
}

/// What the run's page shows beyond its results, set by the application: the title of the
/// brief it goes into and the date of the analysis. The library never reads the clock: the
/// caller passes the date (`brink run` the day it made the report, in UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// The page's own title (`--report-title`), shown above the scenario's; none shows only
    /// the scenario's.
    pub title: Option<String>,
    /// The date of the analysis (`YYYY-MM-DD`, UTC); none leaves it out of the page.
    pub date: Option<String>,
}

/// How many outcomes the summary at the top of the page shows (the first, in the scenario's
/// order); the table further down has every one.
pub const HEADLINE_OUTCOMES: usize = 5;

/// A run's figures in the words and number formats its page shows, before they are put into
/// tables ([`run_analysis`]).
struct Page<'a> {
    horizon: u32,
    /// The step unit in the plural ("weeks").
    steps: String,
    step_unit: &'a str,
    start_date: Option<&'a str>,
    /// The focal pair's labels.
    focal: [&'a str; 2],
    cost_unit: &'a str,
    /// The variant's label, if one was applied.
    variant: Option<std::borrow::Cow<'a, str>>,
    /// The numbers `--set` replaced, in words ([`set_sentence`]).
    set: Option<String>,
    /// The first [`HEADLINE_OUTCOMES`] outcomes.
    headline: Vec<OutcomeRow>,
    /// Outcomes beyond the headline ones (shown only in the table).
    more_outcomes: usize,
    outcomes: Vec<OutcomeRow>,
    rungs: Vec<RungRow<'a>>,
    index: IndexLine,
    costs: Vec<CostRow<'a>>,
    /// Actors' mean gains (benefits of measures in force): (actor, mean, its interval), only
    /// actors with gains in some run.
    gains: Vec<(&'a str, String, String)>,
    levers: Vec<LeverRow<'a>>,
    events: Vec<EventRow<'a>>,
    /// The method's paragraphs: (lead, text).
    method: Vec<(String, String)>,
}

/// A chart as a page shows it: inline SVG at the chart's own size, captioned by its title.
#[derive(Serialize)]
pub(crate) struct ChartView<'a> {
    /// The figure's anchor in the page (`chart-ID`): the file stem on a command's own page,
    /// prefixed by the input's number in a combined report (two runs draw the same charts).
    pub(crate) id: String,
    /// The file stem (`index_fan`: index_fan.png and index_fan.svg).
    pub(crate) name: &'a str,
    pub(crate) title: &'a str,
    /// Where its files are, after their names: empty beside the page, ` in FOLDER` for an
    /// input's chart in a combined report (they are not copied beside it).
    pub(crate) place: String,
    /// The chart's SVG after its outer tag (trusted markup, printed unescaped).
    pub(crate) markup: &'a str,
    /// The size the chart was drawn at (its SVG's `width` and `height`): charts with more
    /// panels are taller, and the figure's view box must be the chart's own.
    pub(crate) width: u32,
    pub(crate) height: u32,
}

impl<'a> ChartView<'a> {
    /// The view of `chart`, written under the file stem `name` (its own name, or a case's
    /// stem before it).
    pub(crate) fn new(name: &'a str, chart: &'a Chart) -> Self {
        let (width, height) = svg_size(&chart.svg);
        ChartView {
            id: name.to_string(),
            name,
            title: &chart.title,
            place: String::new(),
            markup: svg_body(&chart.svg),
            width,
            height,
        }
    }
}

/// The size an SVG document declares on its outer tag (`width="1000" height="600"`), or the
/// charts' usual size.
pub(crate) fn svg_size(svg: &str) -> (u32, u32) {
    let tag = svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| &svg[i..i + j]))
        .unwrap_or("");
    let attr = |name: &str| -> Option<u32> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        let end = tag[start..].find('"')? + start;
        tag[start..end].parse().ok()
    };
    (
        attr("width").unwrap_or(WIDTH),
        attr("height").unwrap_or(HEIGHT),
    )
}

#[derive(Serialize, Clone)]
struct OutcomeRow {
    label: String,
    probability: String,
    interval: String,
    runs: u64,
    median_first: String,
    middle_half: String,
}

#[derive(Serialize)]
struct RungRow<'a> {
    label: &'a str,
    from: String,
    peak: String,
    peak_interval: String,
    end: String,
    end_interval: String,
    mean_steps: String,
    /// Its 95% interval ("-" below two runs or in a result written before brink kept it).
    mean_steps_interval: String,
}

#[derive(Serialize)]
struct Band {
    mean: String,
    /// Its 95% interval, "low – high".
    interval: String,
}

#[derive(Serialize)]
struct IndexLine {
    peak: Band,
    end: Band,
}

#[derive(Serialize)]
struct CostRow<'a> {
    actor: &'a str,
    mean: String,
    mean_interval: String,
    p5: String,
    p25: String,
    median: String,
    p75: String,
    p95: String,
    largest: String,
}

#[derive(Serialize)]
struct LeverRow<'a> {
    label: &'a str,
    owner: &'a str,
    target: &'a str,
    /// "light 40.0% (37.9% – 42.2%) · heavy 12.5% (…)": the share of runs by highest level,
    /// each with its 95% interval.
    levels: String,
    /// Mean steps in force per run.
    in_force: String,
    /// Share of runs in which it is in force at the end.
    at_end: String,
    /// Its 95% interval ("-" for a result written before brink kept it).
    at_end_interval: String,
}

#[derive(Serialize)]
struct EventRow<'a> {
    label: &'a str,
    probability: String,
    interval: String,
    median_first: String,
}

#[derive(Serialize)]
pub(crate) struct LedgerRow {
    /// The number in words ("Russia › cost weight").
    pub(crate) parameter: String,
    /// Its path, for `--set` and the CSV files (`actors.russia.cost_weight`).
    pub(crate) path: String,
    pub(crate) distribution: String,
    pub(crate) source: String,
}

impl LedgerRow {
    /// The ledger of a scenario (`describe::ledger`), each number named in words.
    pub(crate) fn all(sc: &Scenario) -> Vec<LedgerRow> {
        let labels = Labels { sc };
        crate::report::describe::ledger(sc)
            .into_iter()
            .map(|(path, distribution, source)| LedgerRow {
                parameter: labels.path(&path),
                path,
                distribution,
                source,
            })
            .collect()
    }
}

impl<'a> ChartView<'a> {
    /// A chart drawn for a command's own page.
    pub(crate) fn of(c: &'a Chart) -> Self {
        ChartView::new(c.name, c)
    }
}

/// A chart's SVG without its outer tag: the template writes one that scales with the page
/// (the namespace is implied in HTML).
pub(crate) fn svg_body(svg: &str) -> &str {
    let body = match (svg.find("<svg"), svg.find('>')) {
        (Some(start), Some(end)) if start < end => &svg[end + 1..],
        _ => svg,
    };
    body.trim_start()
}

pub(crate) fn interval(i: &Interval) -> String {
    format!("{} – {}", percent(i.low), percent(i.high))
}

/// An amount's mean and its 95% interval, as the page shows them.
fn band(i: &Interval) -> Band {
    Band {
        mean: amount(i.estimate),
        interval: i.text(amount, " – "),
    }
}

/// Prints a value into the page: values marked safe as they are, everything else through
/// [`escape`] in an HTML template (MiniJinja's own escaping also turns `/` into `&#x2f;`,
/// which would garble the web addresses in sources and change the page's bytes).
fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if value.is_safe() || state.auto_escape() != &AutoEscape::Html {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = match value.as_str() {
        Some(s) => escape(s),
        None => escape(&value.to_string()),
    };
    out.write_str(&text).map_err(Error::from)
}

/// A display name: the label, or the name when the label is empty.
pub(crate) fn shown<'a>(label: &'a str, name: &'a str) -> &'a str {
    if label.trim().is_empty() { name } else { label }
}

/// The scenario's readable names (labels) by id, for every place the page shows an actor, a
/// lever, a level, an event, a rung or a variant: ids are for machines (CSV, JSON).
pub(crate) struct Labels<'a> {
    pub(crate) sc: &'a Scenario,
}

impl<'a> Labels<'a> {
    pub(crate) fn actor(&self, name: &'a str) -> &'a str {
        self.sc
            .actors
            .iter()
            .find(|a| a.name == name)
            .map_or(name, |a| shown(&a.label, &a.name))
    }

    pub(crate) fn lever(&self, name: &'a str) -> &'a str {
        self.sc
            .levers
            .iter()
            .find_map(|l| match l {
                Lever::Measure(m) if m.name == name => Some(shown(&m.label, &m.name)),
                Lever::Act(a) if a.name == name => Some(shown(&a.label, &a.name)),
                _ => None,
            })
            .unwrap_or(name)
    }

    /// Level `k` of a measure (0 is the status quo, named by the summary).
    pub(crate) fn level(&self, lever: &str, k: usize, name: &'a str) -> &'a str {
        let level = self.sc.levers.iter().find_map(|l| match l {
            Lever::Measure(m) if m.name == lever && k > 0 => m.levels.get(k - 1),
            _ => None,
        });
        match level {
            Some(l) if l.name == name => shown(&l.label, &l.name),
            _ => name,
        }
    }

    pub(crate) fn event(&self, name: &'a str) -> &'a str {
        self.sc
            .events
            .iter()
            .find(|e| e.name == name)
            .map_or(name, |e| shown(&e.label, &e.name))
    }

    /// Rung `r` of the ladder, lowest first.
    pub(crate) fn rung(&self, r: usize, name: &'a str) -> &'a str {
        match self.sc.ladder.get(r) {
            Some(rung) if rung.name == name => shown(&rung.label, &rung.name),
            _ => name,
        }
    }

    /// An outcome by its name.
    pub(crate) fn outcome(&self, name: &'a str) -> &'a str {
        self.sc
            .outcomes
            .iter()
            .find(|o| o.name == name)
            .map_or(name, |o| shown(&o.label, &o.name))
    }

    /// Any named thing of the scenario (actor, lever, event, outcome, variant, rung) by its
    /// name; the name itself when nothing has it.
    pub(crate) fn any(&self, name: &'a str) -> &'a str {
        let found = [
            self.actor(name),
            self.lever(name),
            self.event(name),
            self.outcome(name),
            (self.sc.variants.iter())
                .find(|v| v.name == name)
                .map_or(name, |v| shown(&v.label, &v.name)),
        ]
        .into_iter()
        .find(|l| *l != name);
        found
            .or_else(|| {
                self.sc
                    .ladder
                    .iter()
                    .find(|r| r.name == name)
                    .map(|r| shown(&r.label, &r.name))
            })
            .unwrap_or(name)
    }

    /// A parameter path (`actors.north.resolve`) in words: every named thing by its short
    /// label (the label without a closing bracket), a shared number by its label alone, a
    /// measure's level by the level's label, a numbered effect or factor as "effect 2", and
    /// the field's name with spaces: "Republic of North › resolve";
    /// `relations.north->south.fatigue` reads "Republic of North → Kingdom of South ›
    /// fatigue"; `shared.fatigue.value` reads "Weekly fatigue of both focal hostilities".
    pub(crate) fn path(&self, path: &'a str) -> String {
        use crate::report::charts::short_label;
        let segs: Vec<&'a str> = path.split('.').collect();
        let mut out: Vec<String> = Vec::with_capacity(segs.len());
        let mut measure: Option<&str> = None;
        let mut i = 0;
        while i < segs.len() {
            let seg = segs[i];
            let next = segs.get(i + 1).copied();
            match seg {
                "actors" | "levers" | "events" | "relations" | "ladder" | "pressures" => {}
                "shared" if next.is_some() => {
                    let name = next.unwrap_or_default();
                    let label = self
                        .sc
                        .shared
                        .iter()
                        .find(|x| x.name == name)
                        .map_or(name, |x| shown(&x.label, &x.name));
                    out.push(label.to_string());
                    i += 2;
                    // A shared number has one value: its path adds nothing to its label.
                    if segs.get(i) == Some(&"value") {
                        i += 1;
                    }
                    continue;
                }
                "levels" if measure.is_some() && next.is_some() => {
                    let level = next.unwrap_or_default();
                    let label = self.sc.levers.iter().find_map(|l| match l {
                        Lever::Measure(m) if Some(m.name.as_str()) == measure => m
                            .levels
                            .iter()
                            .find(|x| x.name == level)
                            .map(|x| short_label(&x.label, &x.name)),
                        _ => None,
                    });
                    out.push(label.unwrap_or_else(|| level.to_string()));
                    i += 2;
                    continue;
                }
                "effects" | "factors" | "branches" if next.is_some_and(is_index) => {
                    let n: usize = next.unwrap_or_default().parse().unwrap_or(0);
                    out.push(format!("{} {}", seg.trim_end_matches('s'), n + 1));
                    i += 2;
                    continue;
                }
                _ if seg.contains("->") => out.push(
                    seg.split("->")
                        .map(|side| short_label(self.any(side), side))
                        .collect::<Vec<_>>()
                        .join(" → "),
                ),
                _ => {
                    let label = self.any(seg);
                    if label != seg {
                        if self.lever(seg) != seg {
                            measure = Some(seg);
                        }
                        out.push(short_label(label, seg));
                    } else {
                        if self
                            .sc
                            .levers
                            .iter()
                            .any(|l| matches!(l, Lever::Measure(m) if m.name == seg))
                        {
                            measure = Some(seg);
                        }
                        out.push(seg.replace('_', " "));
                    }
                }
            }
            i += 1;
        }
        out.join(" › ")
    }

    /// A variant as a page names it: its label (its name where it has none), with its name
    /// after it where it would read as another arm does ("Same words (twin_a)"): as another
    /// variant's label, another variant's label with its name, or the base arm ("Base
    /// scenario", "base"). Two arms of one label could not be told apart in a table or a
    /// legend.
    pub(crate) fn variant(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        match self.named_apart(name, |v| shown(&v.label, &v.name).trim().to_string()) {
            (label, false) => label.into(),
            (label, true) => format!("{label} ({name})").into(),
        }
    }

    /// A variant as a chart or the terminal names it, short: its label without a closing
    /// remark in brackets ([`super::charts::short_label`]), unless that reads as another arm
    /// does ("Visa regime (from week 10)" and "Visa regime (from week 30)" both read "Visa
    /// regime"): then as [`Self::variant`] names it.
    pub(crate) fn short_variant(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        match self.named_apart(name, |v| super::charts::short_label(&v.label, &v.name)) {
            (short, false) => short.into(),
            (_, true) => self.variant(name),
        }
    }

    /// A variant's label as `label` writes it, and whether it reads as another arm's: as
    /// another variant's, as another's with its name after it, or as the base arm's ("Base
    /// scenario", "base"). A variant the scenario does not have is its name.
    fn named_apart(
        &self,
        name: &str,
        label: impl Fn(&crate::scenario::Variant) -> String,
    ) -> (String, bool) {
        let Some(v) = self.sc.variants.iter().find(|v| v.name == name) else {
            return (name.to_string(), false);
        };
        let mine = label(v);
        let reads_as_base = ["Base scenario", "base"]
            .iter()
            .any(|b| b.eq_ignore_ascii_case(&mine));
        let alike = reads_as_base
            || (self.sc.variants.iter()).any(|o| {
                o.name != v.name && {
                    let theirs = label(o);
                    theirs == mine || format!("{theirs} ({})", o.name) == mine
                }
            });
        (mine, alike)
    }
}

/// The numbers a result's `--set` replaced, in words: "Set on the command line: Republic of
/// North › hawkishness = 0.4; Kingdom of South › activity = Uniform(0.2, 0.4)." `None` when
/// nothing was set. Shown in the setup line of every page and under the terminal's header.
pub fn set_sentence(sc: &Scenario, set: &[crate::scenario::overrides::Setting]) -> Option<String> {
    set_words(sc, set).map(|w| format!("Set on the command line: {w}."))
}

/// The numbers `--set` replaced, as [`set_sentence`] lists them: "Republic of North ›
/// hawkishness = 0.4; Kingdom of South › activity = Uniform(0.2, 0.4)". `None` when nothing
/// was set.
pub fn set_words(sc: &Scenario, set: &[crate::scenario::overrides::Setting]) -> Option<String> {
    if set.is_empty() {
        return None;
    }
    let labels = Labels { sc };
    let items: Vec<String> = set
        .iter()
        .map(|x| {
            // A number set on the command line reads as given when four decimals would hide
            // it (0.03000001 is not 0.03); a distribution tells its own numbers apart.
            let value = x.parse().map_or_else(
                |_| x.value.clone(),
                |o| match o.value {
                    crate::scenario::Param::Value(v) if fmt_num(v).parse() != Ok(v) => {
                        crate::scenario::param::fmt_exact(v)
                    }
                    p => p.describe(),
                },
            );
            format!("{} = {value}", labels.path(&x.path))
        })
        .collect();
    Some(items.join("; "))
}

/// Whether a path segment is a list index (`0`, `12`).
fn is_index(seg: &str) -> bool {
    !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// The first sentence of a text, without its full stop: up to the first `.`, `!` or `?`
/// outside brackets that is followed by a space and a word not in lower case, and not
/// preceded by a lone letter (an initial: "L. F. Richardson"). The whole text (trimmed) when
/// it has one sentence.
pub fn first_sentence(text: &str) -> &str {
    let t = text.trim();
    let mut depth = 0usize;
    for (i, c) in t.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if depth == 0 => {
                let rest = &t[i + c.len_utf8()..];
                if !rest.starts_with(char::is_whitespace) {
                    continue;
                }
                let next_lower = rest
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(char::is_lowercase);
                let word = t[..i].rsplit(char::is_whitespace).next().unwrap_or("");
                let initial = word.chars().count() == 1;
                if !next_lower && !initial {
                    let end = if c == '.' { i } else { i + c.len_utf8() };
                    return t[..end].trim_end();
                }
            }
            _ => {}
        }
    }
    t.strip_suffix('.').unwrap_or(t).trim_end()
}

/// The scenario's title on the page: its name when that reads as a title (it has a space:
/// "Tutorial: North and South"); for a name that is an identifier ("russia_azerbaijan_2025"),
/// its description's first sentence; the name when it has no description.
pub(crate) fn scenario_title(name: &str, description: &str) -> String {
    let t = first_sentence(description);
    if t.is_empty() || name.trim().contains(char::is_whitespace) {
        name.trim()
    } else {
        t
    }
    .to_string()
}

fn page<'a>(model: &'a Model, s: &'a Summary) -> Page<'a> {
    let sc = &s.scenario;
    let m = &s.manifest;
    let labels = Labels {
        sc: &model.scenario,
    };
    let steps = crate::scenario::steps(&sc.step_unit);
    let date = |t: f64| {
        let mut x = fmt_num(t);
        if let Some(d) = s.date_of_step(t.max(0.0) as u32) {
            x += &format!(" ({d})");
        }
        x
    };
    // An outcome judged at the end has no first week of its own: "median first week 51"
    // read as a date it happened by.
    let at_end = |name: &str| (model.scenario.outcomes.iter()).any(|x| x.name == name && x.at_end);
    let outcomes: Vec<OutcomeRow> = s
        .outcomes
        .iter()
        .map(|o| OutcomeRow {
            label: shown(&o.label, &o.name).to_string(),
            probability: percent(o.probability.estimate),
            interval: interval(&o.probability),
            runs: o.runs_hit,
            median_first: match o.first_step_quartiles {
                _ if at_end(&o.name) => "at the end".into(),
                None => "-".into(),
                Some(q) => date(q[1]),
            },
            middle_half: match o.first_step_quartiles {
                Some(q) if !at_end(&o.name) => format!("{} – {}", fmt_num(q[0]), fmt_num(q[2])),
                _ => "-".into(),
            },
        })
        .collect();
    let rungs = sc
        .rungs
        .iter()
        .enumerate()
        .map(|(r, name)| {
            let peak = s.peak_rung.get(r);
            let end = s.final_rung.get(r);
            let mean_steps = s.mean_steps_on_rung.get(r).map_or_else(
                || ("-".to_string(), "-".to_string()),
                |&x| crate::report::steps_text(x, s.mean_steps_on_rung_interval.get(r)),
            );
            RungRow {
                label: labels.rung(r, name),
                from: model
                    .rung_thresholds
                    .get(r)
                    .map_or(String::new(), |&t| fmt_num(t)),
                peak: peak.map_or("-".into(), |i| percent(i.estimate)),
                peak_interval: peak.map_or("-".into(), interval),
                end: end.map_or("-".into(), |i| percent(i.estimate)),
                end_interval: end.map_or("-".into(), interval),
                mean_steps: mean_steps.0,
                mean_steps_interval: mean_steps.1,
            }
        })
        .collect();
    let costs = s
        .costs
        .iter()
        .filter(|c| c.max > 0.0)
        .map(|c| {
            // Quantiles come from log-scale bins (6% wide): three significant figures, never
            // above the largest; the mean and its interval to four.
            let q = c.q.map(|v| cost_percentile(v, c.max));
            let [p5, p25, median, p75, p95] = q;
            CostRow {
                actor: labels.actor(&c.actor),
                mean: cost_figures(c.mean.estimate, 4),
                mean_interval: c.mean.text(|x| cost_figures(x, 4), " – "),
                p5,
                p25,
                median,
                p75,
                p95,
                // As the percentiles beside it: a largest cost of 5.5e-5 read "0.00".
                largest: cost_figures(c.max, 4),
            }
        })
        .collect();
    let gains = s
        .gains
        .iter()
        .filter(|g| g.mean.estimate != 0.0)
        .map(|g| {
            (
                labels.actor(&g.actor),
                cost_figures(g.mean.estimate, 4),
                g.mean.text(|x| cost_figures(x, 4), " – "),
            )
        })
        .collect();
    let levers = s
        .levers
        .iter()
        .map(|l| LeverRow {
            label: labels.lever(&l.name),
            owner: labels.actor(&l.owner),
            target: labels.actor(&l.target),
            levels: l
                .levels
                .iter()
                .zip(&l.highest_level)
                .enumerate()
                .map(|(k, (name, p))| {
                    let within = l
                        .highest_level_interval
                        .get(k)
                        .map_or(String::new(), |i| format!(" ({})", interval(i)));
                    format!("{} {}{within}", labels.level(&l.name, k, name), percent(*p))
                })
                .collect::<Vec<_>>()
                .join(" · "),
            in_force: {
                let interval = l.mean_steps_in_force_interval.as_ref();
                let (mean, within) = crate::report::steps_text(l.mean_steps_in_force, interval);
                match interval {
                    Some(_) => format!("{mean} ({within})"),
                    None => mean,
                }
            },
            at_end: percent(l.in_force_at_end),
            at_end_interval: l
                .in_force_at_end_interval
                .as_ref()
                .map_or("-".into(), interval),
        })
        .collect();
    let events = s
        .events
        .iter()
        .map(|e| EventRow {
            label: labels.event(&e.name),
            probability: percent(e.probability.estimate),
            interval: interval(&e.probability),
            median_first: e.median_first_step.map_or("-".into(), fmt_num),
        })
        .collect();
    let headline: Vec<OutcomeRow> = outcomes.iter().take(HEADLINE_OUTCOMES).cloned().collect();
    let method = run_method(
        m.runs,
        &crate::scenario::n_steps(sc.horizon, &sc.step_unit),
        m.seed,
    );
    Page {
        horizon: sc.horizon,
        steps,
        step_unit: crate::scenario::step_one(&sc.step_unit),
        start_date: sc.start_date.as_deref(),
        focal: [labels.actor(&sc.focal.0), labels.actor(&sc.focal.1)],
        cost_unit: &sc.cost_unit,
        variant: m.variant.as_deref().map(|v| labels.variant(v)),
        set: set_sentence(&model.scenario, &m.set),
        more_outcomes: outcomes.len() - headline.len(),
        headline,
        outcomes,
        rungs,
        index: IndexLine {
            peak: band(&s.peak_index),
            end: band(&s.final_index),
        },
        costs,
        gains,
        levers,
        events,
        method,
    }
}

/// How a run's numbers were made: (lead, text) paragraphs of the method section. `steps` is
/// the step unit in the plural.
fn run_method(runs: u64, span: &str, seed: u64) -> Vec<(String, String)> {
    let times = match runs {
        1 => "once".to_string(),
        n => format!("{} times", group_thousands(n)),
    };
    vec![
        (
            "Monte Carlo over the scenario's uncertain numbers.".into(),
            format!(
                "brink played the scenario {times}, each run {span} long. A run \
                 first draws every uncertain number of the scenario once from its distribution \
                 (the assumptions ledger below lists them with their sources), then plays the \
                 actors' choices, the events and the mood step by step. A probability is the \
                 share of runs in which something happened; a mean is taken over the runs."
            ),
        ),
        (
            "Seeds.".into(),
            format!(
                "Every run's random numbers come from the master seed {seed} and the run's \
                 number, so the same scenario file, seed, runs and variant give the same numbers \
                 on any machine and any number of threads (the manifest below holds what is \
                 needed to rerun it)."
            ),
        ),
        (
            "Intervals.".into(),
            "Probabilities carry a 95% Wilson score interval; means (the dyad index H, the \
             costs) Student's t 95% interval (costs cut at 0). They measure the Monte Carlo \
             error of a finite number of runs and narrow as runs are added; they do not include \
             doubt about the assumptions or about the model itself."
                .into(),
        ),
    ]
}

/// The caveat where every run ended alike: the same peak and final index in each (intervals
/// of no width) and every outcome in all runs or none. A scenario in which nothing random moves
/// a run gives that run however many are made, and a Wilson interval then says only how few
/// were made.
fn runs_alike(s: &Summary) -> Option<String> {
    let runs = s.manifest.runs;
    let flat = |i: &Interval| i.low == i.high;
    let all_or_none = s
        .outcomes
        .iter()
        .all(|o| o.runs_hit == 0 || o.runs_hit == runs);
    (runs >= 2 && flat(&s.peak_index) && flat(&s.final_index) && all_or_none).then(|| {
        format!(
            "All {} runs ended alike: the same peak and final H in each, and every outcome in \
             all of them or none. If nothing in the scenario is random (every number fixed, no \
             noise, no chance event), more runs add nothing, and the intervals above say only \
             how many runs were made.",
            group_thousands(runs)
        )
    })
}

/// The caveat on the index's quantiles where they are no finer than its bins: they are read
/// from [`INDEX_BINS`](crate::stats::INDEX_BINS) equal bins between the bounds, and bounds far
/// wider than the index's range (±500,000 for an index near 1.5: bins 2,500 wide) gave every
/// quantile from 125 to 2,375 with no word said. `None` where the middle 90% of runs spans more
/// than two bins at every step.
fn coarse_index(model: &Model, s: &Summary) -> Option<String> {
    let (lo, hi) = model.bounds;
    let width = (hi - lo) / crate::stats::INDEX_BINS as f64;
    let steps = s.index_by_step.len();
    let coarse = (s.index_by_step.iter())
        .filter(|i| i.q[4] - i.q[0] <= 2.0 * width)
        .count();
    (coarse > 0).then(|| {
        let unit = &s.scenario.step_unit;
        let num = crate::scenario::param::fmt_num;
        format!(
            "The index's quantiles are coarse. They are read from {} equal bins between the \
             bounds ({} to {}), each {} points wide, and at {coarse} of the {} the middle 90% \
             of runs lies within two bins: there the fan chart and the quantiles in \
             timeseries.csv are only as precise as a bin. Bounds closer to the index's range \
             make the bins finer.",
            crate::stats::INDEX_BINS,
            num(lo),
            num(hi),
            num(width),
            crate::scenario::n_steps(steps as u32, unit),
        )
    })
}

/// A run in words, for its own page and for a combined report (`brink report`): the headline
/// outcomes and the rung at the end (the summary), the caveat on intervals, a section each for
/// the outcomes, the rungs, the costs, the measures and the events, and the method.
pub(crate) fn run_analysis(model: &Model, s: &Summary) -> Analysis {
    let p = page(model, s);
    let mut a = Analysis {
        setup: format!(
            "{} of {}{}; focal pair {} and {}; costs in {}.{}{}",
            crate::report::charts::n_runs(s.manifest.runs),
            crate::scenario::n_steps(p.horizon, &s.scenario.step_unit),
            p.start_date
                .map(|d| format!(" from {d}"))
                .unwrap_or_default(),
            p.focal[0],
            p.focal[1],
            p.cost_unit,
            p.variant
                .map(|v| format!(" Variant: {v}."))
                .unwrap_or_default(),
            p.set.map(|x| format!(" {x}")).unwrap_or_default(),
        ),
        // The headline outcomes lead a combined report; the rungs stay in the run's section.
        lead: vec![0],
        ..Analysis::default()
    };
    let three = [("probability", true), ("95% interval", true)];
    let mut t = TableView::new(
        "Headline outcomes",
        &[&[("outcome", false)], &three[..]].concat(),
    );
    t.big = Some(1);
    t.empty = "The scenario names no outcomes.".into();
    t.rows = p
        .headline
        .iter()
        .zip(&s.outcomes)
        .map(|(o, r)| {
            vec![
                crate::report::charts::short_label(&o.label, &r.name),
                o.probability.clone(),
                o.interval.clone(),
            ]
        })
        .collect();
    if p.more_outcomes > 0 {
        t.notes.push(format!(
            "{} more outcome{} in the tables below.",
            p.more_outcomes,
            if p.more_outcomes == 1 { "" } else { "s" }
        ));
    }
    a.summary.push(t);
    let mut t = TableView::new(
        "Rung at the end",
        &[&[("rung", false)], &three[..]].concat(),
    );
    t.big = Some(1);
    t.rows = p
        .rungs
        .iter()
        .map(|r| vec![r.label.to_string(), r.end.clone(), r.end_interval.clone()])
        .collect();
    a.summary.push(t);
    a.caveat.push(format!(
        "A 95% interval says how precisely the {} pin{} a probability down: intervals made \
         this way hold the value that unlimited runs of the same scenario would give 95 times in \
         100. They measure the simulation's sampling error only, not doubt about the \
         assumptions or the model. See Method, below.",
        crate::report::charts::n_runs(s.manifest.runs),
        if s.manifest.runs == 1 { "s" } else { "" }
    ));
    if let Some(c) = coarse_index(model, s) {
        a.caveat.push(c);
    }
    if let Some(c) = runs_alike(s) {
        a.caveat.push(c);
    }
    let mut t = TableView::new(
        "Outcomes",
        &[
            ("outcome", false),
            ("probability", true),
            ("95% interval (Wilson)", true),
            ("runs", true),
            (&format!("median first {}", p.step_unit), true),
            ("middle half", true),
        ],
    );
    t.empty = "The scenario names no outcomes.".into();
    t.rows = p
        .outcomes
        .iter()
        .map(|o| {
            vec![
                o.label.clone(),
                o.probability.clone(),
                o.interval.clone(),
                o.runs.to_string(),
                o.median_first.clone(),
                o.middle_half.clone(),
            ]
        })
        .collect();
    a.sections
        .push(SectionView::of_table("outcomes", "Outcomes", t));
    let mut t = TableView::new(
        "Rungs of the escalation ladder",
        &[
            ("rung", false),
            ("H from", true),
            ("P(highest rung reached)", true),
            ("95% interval", true),
            ("P(rung at the end)", true),
            ("95% interval", true),
            (&format!("mean {} on it", p.steps), true),
            ("95% interval", true),
        ],
    );
    t.rows = p
        .rungs
        .iter()
        .map(|r| {
            vec![
                r.label.to_string(),
                r.from.clone(),
                r.peak.clone(),
                r.peak_interval.clone(),
                r.end.clone(),
                r.end_interval.clone(),
                r.mean_steps.clone(),
                r.mean_steps_interval.clone(),
            ]
        })
        .collect();
    t.notes.push(format!(
        "Dyad index H at its peak: mean {} (95% interval {}); at the end: mean {} ({}). The \
         highest rung and the peak count the state a run starts in (before {} 0).",
        p.index.peak.mean,
        p.index.peak.interval,
        p.index.end.mean,
        p.index.end.interval,
        crate::scenario::step_one(&s.scenario.step_unit)
    ));
    a.sections.push(SectionView::of_table("rungs", "Rungs", t));
    let mut t = TableView::new(
        format!("Costs ({})", p.cost_unit),
        &[
            ("actor", false),
            ("mean", true),
            ("95% interval of the mean", true),
            ("5th pct", true),
            ("25th pct", true),
            ("median", true),
            ("75th pct", true),
            ("95th pct", true),
            ("largest", true),
        ],
    );
    t.empty = "No actor bears any cost in any run.".into();
    t.rows = p
        .costs
        .iter()
        .map(|c| {
            vec![
                c.actor.to_string(),
                c.mean.clone(),
                c.mean_interval.clone(),
                c.p5.clone(),
                c.p25.clone(),
                c.median.clone(),
                c.p75.clone(),
                c.p95.clone(),
                c.largest.clone(),
            ]
        })
        .collect();
    if !t.rows.is_empty() {
        t.notes.push(
            "Total cost over the whole run. Actors that bear no cost in any run are left out. \
             The percentiles are read off bins 6% wide, so they are given to three significant \
             figures; the mean and its interval come from exact sums over the runs and are given \
             to four."
                .into(),
        );
    }
    a.sections.push(SectionView::of_table("costs", "Costs", t));
    // Gains only where a measure's `benefits` give some: most scenarios have none, and a table
    // of zeros would only say so.
    if !p.gains.is_empty() {
        let mut t = TableView::new(
            format!("Gains ({})", p.cost_unit),
            &[
                ("actor", false),
                ("mean", true),
                ("95% interval of the mean", true),
            ],
        );
        t.rows = p
            .gains
            .iter()
            .map(|(a, m, i)| vec![a.to_string(), m.clone(), i.clone()])
            .collect();
        t.notes.push(
            "Total gains over the whole run: the benefits of the measures in force, counted \
             apart from the costs. Actors with no gains in any run are left out."
                .into(),
        );
        a.sections.push(SectionView::of_table("gains", "Gains", t));
    }
    if !p.levers.is_empty() {
        let mut t = TableView::new(
            "Measures in force: highest level and time held",
            &[
                ("measure", false),
                ("owner → target", false),
                ("share of runs by highest level (95% interval)", false),
                (
                    &format!(
                        "mean {} in force (95% interval)",
                        crate::scenario::steps(p.step_unit)
                    ),
                    true,
                ),
                ("in force at the end", true),
                ("95% interval", true),
            ],
        );
        t.rows = p
            .levers
            .iter()
            .map(|l| {
                vec![
                    l.label.to_string(),
                    format!("{} → {}", l.owner, l.target),
                    l.levels.clone(),
                    l.in_force.clone(),
                    l.at_end.clone(),
                    l.at_end_interval.clone(),
                ]
            })
            .collect();
        a.sections
            .push(SectionView::of_table("levers", "Measures", t));
    }
    if !p.events.is_empty() {
        let mut t = TableView::new(
            "Events",
            &[
                ("event", false),
                ("probability", true),
                ("95% interval", true),
                (&format!("median first {}", p.step_unit), true),
            ],
        );
        t.rows = p
            .events
            .iter()
            .map(|e| {
                vec![
                    e.label.to_string(),
                    e.probability.clone(),
                    e.interval.clone(),
                    e.median_first.clone(),
                ]
            })
            .collect();
        a.sections
            .push(SectionView::of_table("events", "Events", t));
    }
    a.method = p
        .method
        .into_iter()
        .map(|(lead, text)| format!("{lead} {text}"))
        .collect();
    a
}

/// The report page for a run: a summary first (the headline outcomes and the rung at the end,
/// with their intervals, and what they mean), the charts drawn for it (inlined as SVG), the
/// tables, the method, the assumptions ledger (from the compiled model), the bibliography
/// (the scenario's sources) and the manifest last; with the title and date of `options`.
///
/// The template is part of the binary and every field it reads exists, so rendering cannot
/// fail on any scenario; a failure is a bug in the template and panics.
pub fn report(model: &Model, s: &Summary, charts: &[Chart], options: &ReportOptions) -> String {
    let mut p = pages::page("report", model, &s.manifest, charts, options);
    // A run's page is the scenario's own: its title alone, no kind after it.
    p.heading = p.title.clone();
    p.manifest_note = Some(
        "The same scenario file, seed, runs and variant give the same numbers on any machine \
         and any number of threads."
            .into(),
    );
    pages::render(p.fill(run_analysis(model, s)))
}

/// Renders one of brink's own page templates (compiled into the binary) with the report's
/// settings: HTML escaping of every value not marked `|safe` (through [`escape`]), an error
/// for any field the context lacks, and blocks that leave no blank lines.
///
/// A template of brink's own with a context built for it always renders; a failure is a bug
/// in the template and panics.
pub(crate) fn render_page(name: &str, template: &str, context: impl Serialize) -> String {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            // A line holding only a tag leaves nothing behind, and the page ends in a newline.
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    // A misspelt field is an error, not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(format_value);
    // Every page shares one style sheet, put in place of its marker before parsing (the
    // template engine is built without `include`).
    let mut template = template.replace(STYLE_MARKER, STYLE);
    for (name, part) in PARTS {
        template = template.replace(&format!("{{# part: {name} #}}\n"), part);
    }
    let template = env
        .template_from_named_str(name, &template)
        .expect("brink's page template parses");
    template
        .render(Serde(context))
        .expect("brink's page template renders")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bidirectional character from a forged manifest or result reaches the page escaped
    /// where its value leaves one open (every one of that value, as on the terminal); closed,
    /// as validation requires of a scenario's text, it shows as written.
    #[test]
    fn escape_shows_bidi_escaped_where_a_value_leaves_it_open() {
        for c in ('\u{0}'..='\u{2fff}').filter(|&c| crate::text::reorders_text(c)) {
            let open = format!("a{c}b\u{2067}c");
            let page = escape(&open);
            assert!(!page.contains(c), "U+{:04X} raw in {page:?}", u32::from(c));
            assert_eq!(page, crate::text::escape(&open, false));
        }
        assert_eq!(
            escape("Scenario \u{202e}gnp.ron\u{2066}"),
            "Scenario \\u{202e}gnp.ron\\u{2066}"
        );
        for closed in [
            "اتحادیه \u{2066}EU-27\u{2069}",
            "\u{202b}باكو\u{202c} \u{200f}",
            "\u{2067}a\u{2066}b\u{2069}c\u{2069}",
        ] {
            assert_eq!(escape(closed), closed);
        }
        // Right-to-left letters and the other invisible characters stay as written.
        assert_eq!(escape("اتحادیه EU-27 \u{200b}"), "اتحادیه EU-27 \u{200b}");
    }

    /// A set number that four decimals would round reads as given; a plain one as always.
    /// A shipped scenario, parsed: `rel` from the crate's root.
    fn shipped(rel: &str) -> crate::scenario::Scenario {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        let text = std::fs::read_to_string(&file).expect("a shipped scenario");
        crate::scenario::load::parse_text(&file, &text).expect("a shipped scenario parses")
    }

    #[test]
    fn a_set_number_reads_as_given() {
        let sc = shipped("scenarios/examples/tutorial.ron");
        let set = |value: &str| {
            set_sentence(
                &sc,
                &[crate::scenario::overrides::Setting {
                    path: "actors.north.activity".into(),
                    value: value.into(),
                }],
            )
            .unwrap()
        };
        assert!(set("0.30000001").ends_with("activity = 0.30000001."));
        assert!(set("0.3").ends_with("activity = 0.3."));
        assert!(set("0.25000").ends_with("activity = 0.25."));
        assert!(set("Uniform(min: 0.2, max: 0.4)").ends_with("= Uniform(0.2, 0.4)."));
    }

    #[test]
    fn paths_read_in_words() {
        let sc = shipped("scenarios/russia_azerbaijan_2025.ron");
        let labels = Labels { sc: &sc };
        // A shared number by its label alone.
        assert_eq!(
            labels.path("shared.fatigue.value"),
            "Weekly fatigue of both focal hostilities"
        );
        // A measure's level by the level's label, short labels, field words.
        assert_eq!(
            labels.path("levers.cultural_ties.levels.russian_house_closed.irritation"),
            "Cultural ties › Russian House (Rossotrudnichestvo) in Baku closed › irritation"
        );
        assert_eq!(
            labels.path("relations.russia->azerbaijan.fatigue"),
            "Russia → Azerbaijan › fatigue"
        );
        assert_eq!(
            labels.path("actors.russia.cost_weight"),
            "Russia › cost weight"
        );
        // Unknown names stay as they are; numbered items count from 1.
        assert_eq!(
            labels.path("events.nobody.effects.1.amount"),
            "nobody › effect 2 › amount"
        );
    }

    #[test]
    fn svg_size_reads_the_outer_tag() {
        assert_eq!(
            svg_size("<svg width=\"1000\" height=\"742\" viewBox=\"0 0 1000 742\">x</svg>"),
            (1000, 742)
        );
        assert_eq!(svg_size("not svg"), (WIDTH, HEIGHT));
    }

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence(""), "");
        assert_eq!(first_sentence("  One sentence.  "), "One sentence");
        assert_eq!(first_sentence("No stop at all"), "No stop at all");
        assert_eq!(
            first_sentence("The crisis (from 1 July. Really) grows. Then more."),
            "The crisis (from 1 July. Really) grows"
        );
        assert_eq!(
            first_sentence("After L. F. Richardson, e.g. arms races. Next."),
            "After L. F. Richardson, e.g. arms races"
        );
        assert_eq!(first_sentence("Will it break? Maybe."), "Will it break?");
        assert_eq!(
            first_sentence("Version 2.5 of it. More"),
            "Version 2.5 of it"
        );
        assert_eq!(scenario_title("pair", "  "), "pair");
        assert_eq!(scenario_title("pair_2025", "A dyad. More."), "A dyad");
        assert_eq!(
            scenario_title("North and South", "A dyad. More."),
            "North and South"
        );
    }
}
