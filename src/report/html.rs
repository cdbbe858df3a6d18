//! `report.html`: one self-contained page (inline SVG charts and CSS, no script, nothing
//! fetched from the network) with the scenario's description, the manifest, every chart, the
//! tables and the assumptions ledger.
//!
//! The page is the template `templates/report.html`, rendered by MiniJinja from a `Page`
//! built here. Every value the template prints is HTML-escaped unless the template marks it
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

use super::charts::{Chart, HEIGHT, WIDTH, amount, group_thousands, percent};
use super::describe::ledger;
use crate::analysis::Summary;
use crate::model::Model;
use crate::scenario::param::fmt_num;
use crate::stats::Interval;

/// The page's template. Its name ends in `.html`, so MiniJinja escapes what it prints.
const TEMPLATE: &str = include_str!("templates/report.html");

/// The style sheet every page includes, and the comment that marks its place in a template.
const STYLE: &str = include_str!("templates/style.css");
const STYLE_MARKER: &str = "{# the style sheet (templates/style.css) goes here #}";

/// Escapes a text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"`
/// and `'`. Every value the report template prints goes through it (see [`report`]).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// What the template reads: every text already in the words and number formats the page
/// shows, so the template only places them.
#[derive(Serialize)]
struct Page<'a> {
    name: &'a str,
    /// Trimmed; empty means no lead paragraph.
    description: &'a str,
    /// Runs done, with groups of thousands.
    runs: String,
    horizon: u32,
    /// The step unit in the plural ("weeks").
    steps: String,
    step_unit: &'a str,
    start_date: Option<&'a str>,
    focal: [&'a str; 2],
    cost_unit: &'a str,
    variant: Option<&'a str>,
    complete: bool,
    tool: &'a str,
    version: &'a str,
    manifest: ManifestRows<'a>,
    width: u32,
    height: u32,
    charts: Vec<ChartView<'a>>,
    outcomes: Vec<OutcomeRow>,
    rungs: Vec<RungRow<'a>>,
    index: IndexLine,
    costs: Vec<CostRow<'a>>,
    levers: Vec<LeverRow<'a>>,
    events: Vec<EventRow<'a>>,
    ledger: Vec<LedgerRow>,
}

#[derive(Serialize)]
struct ManifestRows<'a> {
    scenario: &'a str,
    scenario_file: &'a str,
    scenario_hash: &'a str,
    seed: u64,
    runs: u64,
    chunk_runs: u64,
    command: String,
}

#[derive(Serialize)]
struct ChartView<'a> {
    name: &'a str,
    title: &'a str,
    /// The chart's SVG after its outer tag (trusted markup, printed unescaped).
    markup: &'a str,
}

#[derive(Serialize)]
struct OutcomeRow {
    name: String,
    label: String,
    probability: String,
    interval: String,
    runs: u64,
    median_first: String,
    middle_half: String,
}

#[derive(Serialize)]
struct RungRow<'a> {
    name: &'a str,
    from: String,
    peak: String,
    peak_interval: String,
    end: String,
    end_interval: String,
    mean_steps: String,
}

#[derive(Serialize)]
struct Band {
    mean: String,
    low: String,
    high: String,
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
    name: &'a str,
    owner: &'a str,
    target: &'a str,
    /// "light 40.0% · heavy 12.5%": the share of runs by highest level.
    levels: String,
    /// Mean steps in force per run.
    in_force: String,
    /// Share of runs in which it is in force at the end.
    at_end: String,
}

#[derive(Serialize)]
struct EventRow<'a> {
    name: &'a str,
    probability: String,
    interval: String,
    median_first: String,
}

#[derive(Serialize)]
struct LedgerRow {
    parameter: String,
    distribution: String,
    source: String,
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

fn interval(i: &Interval) -> String {
    format!("{} – {}", percent(i.low), percent(i.high))
}

fn band(i: &Interval) -> Band {
    Band {
        mean: amount(i.estimate),
        low: amount(i.low),
        high: amount(i.high),
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

fn page<'a>(model: &'a Model, s: &'a Summary, charts: &'a [Chart]) -> Page<'a> {
    let sc = &s.scenario;
    let m = &s.manifest;
    let steps = if sc.step_unit.ends_with('s') {
        sc.step_unit.clone()
    } else {
        format!("{}s", sc.step_unit)
    };
    let date = |t: f64| {
        let mut x = fmt_num(t);
        if let Some(d) = s.date_of_step(t.max(0.0) as u32) {
            x += &format!(" ({d})");
        }
        x
    };
    let outcomes = s
        .outcomes
        .iter()
        .map(|o| OutcomeRow {
            name: o.name.clone(),
            label: o.label.clone(),
            probability: percent(o.probability.estimate),
            interval: interval(&o.probability),
            runs: o.runs_hit,
            median_first: o.first_step_quartiles.map_or("-".into(), |q| date(q[1])),
            middle_half: o.first_step_quartiles.map_or("-".into(), |q| {
                format!("{} – {}", fmt_num(q[0]), fmt_num(q[2]))
            }),
        })
        .collect();
    let rungs = sc
        .rungs
        .iter()
        .enumerate()
        .map(|(r, name)| {
            let peak = s.peak_rung.get(r);
            let end = s.final_rung.get(r);
            RungRow {
                name,
                from: model
                    .rung_thresholds
                    .get(r)
                    .map_or(String::new(), |&t| fmt_num(t)),
                peak: peak.map_or("-".into(), |i| percent(i.estimate)),
                peak_interval: peak.map_or("-".into(), interval),
                end: end.map_or("-".into(), |i| percent(i.estimate)),
                end_interval: end.map_or("-".into(), interval),
                mean_steps: s
                    .mean_steps_on_rung
                    .get(r)
                    .map_or("-".into(), |x| format!("{x:.1}")),
            }
        })
        .collect();
    let costs = s
        .costs
        .iter()
        .filter(|c| c.max > 0.0)
        .map(|c| {
            // Quantiles come from log-scale bins (about 5% accurate): never above the largest.
            let q = c.q.map(|v| amount(v.clamp(0.0, c.max)));
            let [p5, p25, median, p75, p95] = q;
            CostRow {
                actor: &c.actor,
                mean: amount(c.mean.estimate),
                mean_interval: format!("{} – {}", amount(c.mean.low), amount(c.mean.high)),
                p5,
                p25,
                median,
                p75,
                p95,
                largest: amount(c.max),
            }
        })
        .collect();
    let levers = s
        .levers
        .iter()
        .map(|l| LeverRow {
            name: &l.name,
            owner: &l.owner,
            target: &l.target,
            levels: l
                .levels
                .iter()
                .zip(&l.highest_level)
                .map(|(name, p)| format!("{name} {}", percent(*p)))
                .collect::<Vec<_>>()
                .join(" · "),
            in_force: format!("{:.1}", l.mean_steps_in_force),
            at_end: percent(l.in_force_at_end),
        })
        .collect();
    let events = s
        .events
        .iter()
        .map(|e| EventRow {
            name: &e.name,
            probability: percent(e.probability.estimate),
            interval: interval(&e.probability),
            median_first: e.median_first_step.map_or("-".into(), fmt_num),
        })
        .collect();
    let ledger = ledger(&model.scenario)
        .into_iter()
        .map(|(parameter, distribution, source)| LedgerRow {
            parameter,
            distribution,
            source,
        })
        .collect();
    Page {
        name: &sc.name,
        description: sc.description.trim(),
        runs: group_thousands(m.runs),
        horizon: sc.horizon,
        steps,
        step_unit: &sc.step_unit,
        start_date: sc.start_date.as_deref(),
        focal: [&sc.focal.0, &sc.focal.1],
        cost_unit: &sc.cost_unit,
        variant: m.variant.as_deref(),
        complete: m.complete,
        tool: &m.tool,
        version: &m.version,
        manifest: ManifestRows {
            scenario: &m.scenario,
            scenario_file: &m.scenario_file,
            scenario_hash: &m.scenario_hash,
            seed: m.seed,
            runs: m.runs,
            chunk_runs: m.chunk_runs,
            command: m.command.join(" "),
        },
        width: WIDTH,
        height: HEIGHT,
        charts: charts
            .iter()
            .map(|c| ChartView {
                name: c.name,
                title: &c.title,
                markup: svg_body(&c.svg),
            })
            .collect(),
        outcomes,
        rungs,
        index: IndexLine {
            peak: band(&s.peak_index),
            end: band(&s.final_index),
        },
        costs,
        levers,
        events,
        ledger,
    }
}

/// The report page for a run: its summary, the compiled model (rung thresholds and the
/// assumptions ledger) and the charts drawn for it, inlined as SVG.
///
/// The template is part of the binary and every field it reads exists, so rendering cannot
/// fail on any scenario; a failure is a bug in the template and panics.
pub fn report(model: &Model, s: &Summary, charts: &[Chart]) -> String {
    render_page("report.html", TEMPLATE, page(model, s, charts))
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
    let template = template.replace(STYLE_MARKER, STYLE);
    let template = env
        .template_from_named_str(name, &template)
        .expect("brink's page template parses");
    template
        .render(Serde(context))
        .expect("brink's page template renders")
}
