//! `report.html` of `brink compare`, `brink sweep` and `brink sensitivity` (and, through
//! `header` and `render`, of `brink run`, `brink report`, `brink backtest` and
//! `brink calibrate`): every page is the one template `templates/analysis.html`, with the
//! shared style sheet and parts (the caveat, the charts, the assumptions ledger, the
//! bibliography). A one-screen
//! summary first (the scenario's title, the brink version, the analysis date and the few
//! figures that matter with their intervals), the caveat that these are conditional scenario
//! probabilities, every chart the command drew (inline SVG), the tables, the method, the
//! ledger and the bibliography (the scenario's `sources`), the manifest last. Everything
//! named is shown by its label.

use serde::Serialize;

use super::charts::{Chart, group_thousands, percent, short_label};
use super::html::{
    ChartView, Labels, LedgerRow, ReportOptions, interval, render_page, scenario_title,
};
use crate::analysis::Manifest;
use crate::analysis::compare::CompareResult;
use crate::analysis::sensitivity::SensitivityResult;
use crate::analysis::sweep::{SweepPoint, SweepResult};
use crate::model::Model;
use crate::scenario::Scenario;
use crate::scenario::param::fmt_num;
use crate::stats::Interval;

/// The template of every analysis page.
const TEMPLATE: &str = include_str!("templates/analysis.html");

/// How many rows a summary table shows (the tables further down have every one).
const SUMMARY_ROWS: usize = 8;

/// How many variants and levers the comparison's summary lists (with the base's outcomes
/// beside them, more would push the summary past one screen).
const SUMMARY_MOVES: usize = 5;

/// A table as the template prints it: every cell already in words.
#[derive(Serialize, Default, Clone)]
pub(crate) struct TableView {
    pub(crate) heading: String,
    pub(crate) columns: Vec<String>,
    /// Which columns hold numbers (right-aligned).
    pub(crate) numeric: Vec<bool>,
    /// The column printed large in the summary, if any.
    pub(crate) big: Option<usize>,
    pub(crate) rows: Vec<Vec<String>>,
    /// What the table says when it has no rows.
    pub(crate) empty: String,
    pub(crate) notes: Vec<String>,
    /// In a summary, whether the table takes the grid's whole width (a table of many columns,
    /// squeezed into half of it, wraps its words a few letters a line).
    pub(crate) span: bool,
}

impl TableView {
    /// An empty table with its heading and columns (name, whether it holds numbers).
    pub(crate) fn new(heading: impl Into<String>, columns: &[(&str, bool)]) -> Self {
        TableView {
            heading: heading.into(),
            columns: columns.iter().map(|(c, _)| c.to_string()).collect(),
            numeric: columns.iter().map(|(_, n)| *n).collect(),
            ..TableView::default()
        }
    }
}

/// What one result says, in words, apart from its charts: the part of a page that differs
/// between commands. The command's own page and the combined report (`brink report`) both
/// show it, so each result is put into words once.
#[derive(Default)]
pub(crate) struct Analysis {
    /// One sentence on what was run.
    pub(crate) setup: String,
    /// The few figures that matter, for the summary at the top.
    pub(crate) summary: Vec<TableView>,
    /// Which of `summary` leads a combined report's summary (a comparison's base outcomes
    /// are there already when a run is among the inputs).
    pub(crate) lead: Vec<usize>,
    /// What the caveat adds for this result, after the shared paragraph.
    pub(crate) caveat: Vec<String>,
    /// Whether its figures are not scenario probabilities (a sensitivity's rank
    /// correlations): its page leaves out the shared paragraph, and `caveat` says what they are.
    pub(crate) not_probabilities: bool,
    /// Every table, in full.
    pub(crate) tables: Vec<TableView>,
    /// Sections of their own, after the tables (a run's outcomes, rungs, costs, measures
    /// and events): on the command's page each is a section in the navigation; in a combined
    /// report their tables join the input's.
    pub(crate) sections: Vec<SectionView<'static>>,
    /// How it was computed.
    pub(crate) method: Vec<String>,
}

/// A section of a page with its own anchor and place in the navigation: one of a run's
/// tables, or one input of a combined report with its charts and tables.
#[derive(Serialize, Default)]
pub(crate) struct SectionView<'a> {
    /// Its anchor (`outcomes`, `input-2`): stable, the navigation and tests link to it.
    pub(crate) id: String,
    /// Its name in the navigation bar.
    pub(crate) nav: String,
    pub(crate) heading: String,
    /// A line under the heading (where an input came from), if any.
    pub(crate) meta: Option<String>,
    /// Paragraphs of text (what was run).
    pub(crate) paragraphs: Vec<String>,
    /// Quieter paragraphs (an input's caveat).
    pub(crate) notes: Vec<String>,
    pub(crate) charts: Vec<ChartView<'a>>,
    /// What the section says when it has no charts; none says nothing.
    pub(crate) no_charts: Option<String>,
    pub(crate) tables: Vec<TableView>,
}

impl SectionView<'static> {
    /// A section holding one table, headed by the table's heading (the table shows none of
    /// its own on the page).
    pub(crate) fn of_table(id: &str, nav: &str, table: TableView) -> Self {
        SectionView {
            id: id.into(),
            nav: nav.into(),
            heading: table.heading.clone(),
            tables: vec![table],
            ..SectionView::default()
        }
    }
}

/// A headed group of the method's paragraphs (a combined report has one per kind of result).
#[derive(Serialize)]
pub(crate) struct MethodView {
    pub(crate) heading: String,
    pub(crate) paragraphs: Vec<String>,
}

/// One of several manifests, headed (a combined report has one per input).
#[derive(Serialize)]
pub(crate) struct ManifestView {
    pub(crate) heading: String,
    pub(crate) rows: Vec<(String, String)>,
}

/// What `templates/analysis.html` reads.
#[derive(Serialize)]
pub(crate) struct AnalysisPage<'a> {
    pub(crate) report_title: Option<&'a str>,
    pub(crate) title: String,
    /// "comparison", "sweep", "sensitivity analysis"; "report" for a run's and a combined
    /// report (the browser tab's "brink report").
    pub(crate) kind_lower: &'static str,
    /// The page's heading (under `--report-title`, if given): "TITLE — comparison", or the
    /// scenario's title alone on a run's and a combined report.
    pub(crate) heading: String,
    /// What the page is about, first on the line under the title ("Scenario pair").
    pub(crate) subject: String,
    pub(crate) date: Option<&'a str>,
    pub(crate) tool: &'a str,
    pub(crate) version: &'a str,
    /// One sentence on what was run.
    pub(crate) setup: String,
    /// After the setup: a sentence saying the results are incomplete and why, or nothing.
    pub(crate) incomplete: String,
    /// Whether the page's figures are scenario probabilities, so that the shared caveat
    /// ("conditional scenario probabilities, not forecasts") heads the caveat; a page of
    /// other figures (a calibration's posterior) says it in its own paragraphs.
    pub(crate) probabilities: bool,
    /// Runs per arm, value or sample, with groups of thousands (the caveat's).
    pub(crate) runs: String,
    pub(crate) summary: Vec<TableView>,
    /// The caveat's paragraphs after the shared one.
    pub(crate) caveat: Vec<String>,
    /// Whether the page has a section of charts after the summary (a combined report shows
    /// each input's charts in its own section instead).
    pub(crate) charts_section: bool,
    pub(crate) charts: Vec<ChartView<'a>>,
    pub(crate) tables: Vec<TableView>,
    /// Sections of their own after the tables.
    pub(crate) sections: Vec<SectionView<'a>>,
    pub(crate) description: &'a str,
    pub(crate) method: Vec<String>,
    /// Headed groups of the method after `method`.
    pub(crate) method_groups: Vec<MethodView>,
    pub(crate) ledger: Vec<LedgerRow>,
    pub(crate) sources: &'a [String],
    pub(crate) manifest: Vec<(String, String)>,
    /// Several headed manifests, shown instead of `manifest` when there are any.
    pub(crate) manifests: Vec<ManifestView>,
    /// The manifest's closing sentence on reproducing the numbers; none gives the usual one.
    pub(crate) manifest_note: Option<String>,
}

/// The model-free start of a page: the titles, the date and the version, with every other
/// part empty for the command to fill in (the back-test and the calibration, which have
/// several scenarios, build theirs on it).
pub(crate) fn header<'a>(
    kind_lower: &'static str,
    title: String,
    subject: String,
    options: &'a ReportOptions,
) -> AnalysisPage<'a> {
    AnalysisPage {
        report_title: options
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()),
        heading: format!("{title} — {kind_lower}"),
        title,
        kind_lower,
        subject,
        date: options.date.as_deref(),
        tool: "brink",
        version: env!("CARGO_PKG_VERSION"),
        setup: String::new(),
        incomplete: String::new(),
        probabilities: true,
        runs: String::new(),
        summary: vec![],
        caveat: vec![],
        charts_section: true,
        charts: vec![],
        tables: vec![],
        sections: vec![],
        description: "",
        method: vec![],
        method_groups: vec![],
        ledger: vec![],
        sources: &[],
        manifest: vec![],
        manifests: vec![],
        manifest_note: None,
    }
}

/// Renders a page built on [`header`] with `templates/analysis.html`.
pub(crate) fn render(p: AnalysisPage) -> String {
    render_page("analysis.html", TEMPLATE, p)
}

/// The parts of a page every command fills in the same way.
pub(crate) fn page<'a>(
    kind_lower: &'static str,
    model: &'a Model,
    m: &'a Manifest,
    charts: &'a [Chart],
    options: &'a ReportOptions,
) -> AnalysisPage<'a> {
    let sc = &model.scenario;
    let manifest = manifest_rows(m, options.date.as_deref());
    AnalysisPage {
        tool: &m.tool,
        version: &m.version,
        incomplete: incomplete_words(m),
        runs: group_thousands(m.runs),
        charts: charts.iter().map(ChartView::of).collect(),
        description: sc.description.trim(),
        ledger: LedgerRow::all(sc),
        sources: &sc.sources,
        manifest,
        ..header(
            kind_lower,
            scenario_title(&sc.name, &sc.description),
            format!("Scenario {}", sc.name),
            options,
        )
    }
}

impl AnalysisPage<'_> {
    /// Puts a result's words into the page; a section's only table shows no heading of
    /// its own under the section's.
    pub(crate) fn fill(mut self, a: Analysis) -> Self {
        self.setup = a.setup;
        self.summary = a.summary;
        self.caveat = a.caveat;
        self.probabilities &= !a.not_probabilities;
        self.tables = a.tables;
        self.sections = a
            .sections
            .into_iter()
            .map(|mut s| {
                if let [t] = s.tables.as_mut_slice()
                    && t.heading == s.heading
                {
                    t.heading.clear();
                }
                s
            })
            .collect();
        self.method = a.method;
        self
    }
}

/// The sentence that follows a result's setup when not every requested run is in it, with
/// the reason the run recorded ("interrupted after 73,728 of 3,000,000 runs (--keep-partial)"):
/// said only as "incomplete", a stopped run read like a finished one (a reviewing helper).
pub(crate) fn incomplete_words(m: &Manifest) -> String {
    if m.complete {
        return String::new();
    }
    match m.stop_reason.as_deref().map(str::trim) {
        // The reason comes from a file: an override in it is closed before brink's words.
        Some(r) if !r.is_empty() => format!(
            " Incomplete: {}.",
            crate::text::close_bidi(r.trim_end_matches('.'))
        ),
        _ => " Incomplete: not every requested run is in these results.".into(),
    }
}

/// Adds the numbers `--set` replaced to a setup sentence (see [`super::html::set_sentence`]).
pub(crate) fn push_set(setup: &mut String, sc: &Scenario, m: &Manifest) {
    if let Some(x) = super::html::set_sentence(sc, &m.set) {
        setup.push(' ');
        setup.push_str(&x);
    }
}

/// A result's manifest as rows of the page's manifest table: what is needed to rerun it.
pub(crate) fn manifest_rows(m: &Manifest, date: Option<&str>) -> Vec<(String, String)> {
    let mut rows = vec![
        // The build beside the version: two builds of one version may play a seed differently.
        (
            "tool".into(),
            crate::text::escape(&m.writer(), false).into_owned(),
        ),
        ("scenario".into(), m.scenario.clone()),
        // A file's name is the user's: its controls and the marks that reorder text escaped,
        // as the command row's are (a U+202E in it would show another name).
        (
            "scenario file".into(),
            crate::text::escape(&m.scenario_file, false).into_owned(),
        ),
        ("scenario file SHA-256".into(), m.scenario_hash.clone()),
        ("seed".into(), m.seed.to_string()),
        ("runs".into(), m.runs.to_string()),
        (
            "variant".into(),
            m.variant.clone().unwrap_or_else(|| "(none)".into()),
        ),
    ];
    if !m.set.is_empty() {
        rows.push((
            "set on the command line".into(),
            crate::scenario::overrides::args(&m.set),
        ));
    }
    rows.extend([
        ("runs per chunk".into(), m.chunk_runs.to_string()),
        (
            "complete".into(),
            if m.complete { "yes" } else { "no" }.into(),
        ),
        ("command".into(), crate::text::shell_command(&m.command)),
    ]);
    if let Some(d) = date {
        rows.push(("analysis date (UTC)".into(), d.to_string()));
    }
    rows
}

/// A difference of probabilities in percentage points: "+12.3 points".
fn points(x: f64) -> String {
    format!("{} points", super::signed_points(x))
}

/// A paired interval of a difference, in points: "+8.1 to +16.5".
fn points_interval(i: &Interval) -> String {
    if i.is_bounded() {
        format!(
            "{} to {}",
            super::signed_points_end(i.low),
            super::signed_points_end(i.high)
        )
    } else {
        // One run: no spread to take an interval from.
        "no interval from one run".into()
    }
}

/// The page of a comparison: the base's headline outcomes, then the variants and levers that
/// move the focus outcome (the tornado's, else the first) most, with their paired intervals.
/// `base` is the base arm's model (its scenario gives the labels, the ledger and sources).
pub fn compare(
    base: &Model,
    r: &CompareResult,
    charts: &[Chart],
    options: &ReportOptions,
) -> String {
    let p = page("comparison", base, &r.manifest, charts, options);
    render_page(
        "analysis.html",
        TEMPLATE,
        p.fill(compare_analysis(&base.scenario, r)),
    )
}

/// A comparison in words: its summary (the base's headline outcomes, then what moves the focus
/// outcome most), its caveat, tables and method. `sc` is the base scenario (the labels).
pub(crate) fn compare_analysis(sc: &Scenario, r: &CompareResult) -> Analysis {
    let labels = Labels { sc };
    let mut p = Analysis::default();
    let runs = group_thousands(r.manifest.runs);
    let variants = r.arms.iter().filter(|a| a.kind == "variant").count();
    p.setup = format!(
        "The base against {} variant{}{}: {} each, common random numbers, seed {}.",
        variants,
        if variants == 1 { "" } else { "s" },
        // A scenario without levers has a tornado of no bars: nothing was forced; an act can
        // only be frozen.
        match &r.tornado {
            Some(t) if t.bars.iter().any(|b| b.forced.is_some()) => {
                " and every lever frozen, each measure also forced to its top level"
            }
            Some(t) if !t.bars.is_empty() => " and every lever frozen",
            _ => "",
        },
        crate::report::charts::n_runs(r.manifest.runs),
        r.manifest.seed
    );
    push_set(&mut p.setup, sc, &r.manifest);
    let focus = r.focus_index();
    let starts_at_top = |lever: &str| {
        sc.levers.iter().any(|l| {
            matches!(l, crate::scenario::Lever::Measure(m)
                if m.name == lever && m.initial == m.levels.len() as i64)
        })
    };
    // An arm's label by its labels, not its ids.
    let arm_label = |a: &crate::analysis::compare::ArmResult| -> String {
        match (a.kind.as_str(), &a.lever) {
            ("base", _) => "Base scenario".into(),
            ("variant", _) => labels.variant(&a.name).to_string(),
            ("forced", Some(l)) => format!("{}: forced to the top level", labels.lever(l)),
            // A measure that starts at its top level: freezing it is forcing it, and two equal
            // rows read as a bug (the tornado chart says so too).
            ("frozen", Some(l)) if starts_at_top(l) => format!(
                "{}: frozen (= forced: it starts at its top level)",
                labels.lever(l)
            ),
            ("frozen", Some(l)) => format!("{}: frozen", labels.lever(l)),
            _ => a.label.clone(),
        }
    };
    // As short as a summary keeps it; a variant with its name where another reads the same.
    let short_arm = |a: &crate::analysis::compare::ArmResult| -> String {
        match a.kind.as_str() {
            "variant" => labels.short_variant(&a.name).into_owned(),
            _ => short_label(&arm_label(a), &a.name),
        }
    };
    let by_definition = |a: &crate::analysis::compare::ArmResult| -> bool {
        match (&r.tornado, &a.lever) {
            (Some(t), Some(l)) => t.bars.iter().any(|b| &b.lever == l && b.by_definition),
            _ => false,
        }
    };
    let Some(base_arm) = r.arms.first() else {
        return p;
    };
    // The base's headline outcomes.
    let mut t = TableView::new(
        "Base scenario",
        &[
            ("outcome", false),
            ("probability", true),
            ("95% interval", true),
        ],
    );
    t.big = Some(1);
    t.empty = "The scenario names no outcomes.".into();
    for o in base_arm
        .outcomes
        .iter()
        .take(super::html::HEADLINE_OUTCOMES)
    {
        // Short labels keep the summary on one screen; the tables below have them whole.
        t.rows.push(vec![
            short_label(labels.outcome(&o.outcome), &o.outcome),
            percent(o.probability.estimate),
            interval(&o.probability),
        ]);
    }
    if base_arm.outcomes.len() > t.rows.len() {
        t.notes.push(format!(
            "{} more outcomes in the tables below.",
            base_arm.outcomes.len() - t.rows.len()
        ));
    }
    p.summary.push(t);
    let mut defined_note = None;
    if let Some(name) = r.outcomes.get(focus) {
        let focus_label = short_label(labels.outcome(name), name);
        let mut moves: Vec<&crate::analysis::compare::ArmResult> = r
            .arms
            .iter()
            .filter(|a| a.kind != "base" && !by_definition(a))
            .collect();
        moves.sort_by(|a, b| {
            b.outcomes[focus]
                .difference
                .estimate
                .abs()
                .total_cmp(&a.outcomes[focus].difference.estimate.abs())
        });
        let mut t = TableView::new(
            format!("What moves “{focus_label}” most"),
            &[
                ("variant or lever", false),
                ("change (points)", true),
                ("paired 95% interval", true),
            ],
        );
        t.big = Some(1);
        t.empty = if r.arms.iter().any(|a| a.kind != "base") {
            // Every arm moves the outcome by its definition (the note below names them).
            format!("Every variant and lever compared sets “{focus_label}” by its definition.")
        } else {
            "No variant or lever was compared.".into()
        };
        // Arms that played the same runs to the bit are one intervention written twice (a
        // variant that forces a lever, and that lever forced): one row, both named, or one
        // change took two of the few places. The same runs, not the same figure on the focus
        // alone: every outcome's paired difference, every mean (costs, the index) and the
        // median index at every step, and an effect at all (arms that change nothing agree
        // on everything without being one change; a reviewing helper found a dozen merged at
        // five runs).
        let key = |a: &crate::analysis::compare::ArmResult| -> Option<Vec<u64>> {
            if a.outcomes[focus].difference.estimate == 0.0 {
                return None;
            }
            let mut k = vec![];
            for o in &a.outcomes {
                let d = &o.difference;
                k.extend([d.estimate, d.low, d.high].map(f64::to_bits));
            }
            for m in &a.means {
                k.extend([m.mean.estimate, m.difference.estimate].map(f64::to_bits));
            }
            k.extend(a.index_median.iter().map(|x| x.to_bits()));
            Some(k)
        };
        // Each shown arm with its key (computed once) and the arms that share it.
        type Shown<'r> = (
            &'r crate::analysis::compare::ArmResult,
            Option<Vec<u64>>,
            Vec<String>,
        );
        let mut shown: Vec<Shown> = vec![];
        let mut listed = 0;
        for a in &moves {
            let k = key(a);
            let full = shown.len() >= SUMMARY_MOVES;
            match shown.iter_mut().find(|(_, kb, _)| k.is_some() && *kb == k) {
                Some((_, _, same)) => same.push(short_arm(a)),
                None if !full => shown.push((a, k, vec![])),
                None => continue,
            }
            listed += 1;
        }
        for (a, _, same) in &shown {
            let o = &a.outcomes[focus];
            let mut label = short_arm(a);
            for x in same {
                label += &format!(" (= {x})");
            }
            // Points are the column's unit: the figures alone keep the labels' room.
            t.rows.push(vec![
                label,
                super::signed_points(o.difference.estimate),
                points_interval(&o.difference),
            ]);
        }
        // The base's figure is said here too: beside a run's headline in a combined report,
        // the table beside this one is another run's (56.1% there, 58.6% the base these
        // differences start from).
        t.notes.push(format!(
            "Paired differences on the same runs, in percentage points, largest first, from \
             the comparison's base of {} ({} run{}).",
            percent(base_arm.outcomes[focus].probability.estimate),
            group_thousands(r.manifest.runs),
            if r.manifest.runs == 1 { "" } else { "s" }
        ));
        // Ranked by a change of zero everywhere, the order would say nothing.
        if !moves.is_empty()
            && moves
                .iter()
                .all(|a| a.outcomes[focus].difference.estimate == 0.0)
        {
            t.notes.push(format!(
                "Every paired difference on “{focus_label}” is 0.0 points (net over these \
                 runs: as many runs gained it as lost it), so their order here means nothing."
            ));
        }
        // As the headline table says how many more outcomes the tables below hold.
        if moves.len() > listed {
            t.notes.push(format!(
                "{} more variants and levers in the tables below.",
                moves.len() - listed
            ));
        }
        let defined: Vec<String> = r
            .arms
            .iter()
            .filter(|a| by_definition(a))
            .filter_map(|a| a.lever.as_deref())
            .map(|l| labels.lever(l).to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        // The summary names how many; the tables below say which (the summary must fit
        // one screen).
        let by_definition_note = (!defined.is_empty()).then(|| {
            format!(
                "Left out as true by definition: “{focus_label}” reads {} itself, so forcing or \
                 freezing it moves the outcome by its definition, not through the crisis.",
                defined.join(", ")
            )
        });
        if !defined.is_empty() {
            t.notes.push(format!(
                "{} lever{} left out: the outcome reads {} by definition (see the tables).",
                defined.len(),
                if defined.len() == 1 { "" } else { "s" },
                if defined.len() == 1 { "it" } else { "them" }
            ));
        }
        p.lead.push(p.summary.len());
        p.summary.push(t);
        defined_note = by_definition_note;
    }
    p.caveat.push(format!(
        "Every arm plays the same {} with the same random numbers, so a difference from \
         the base comes from the change alone. Its paired 95% interval measures the \
         simulation's sampling error of that difference, not doubt about the assumptions.",
        crate::report::charts::n_runs(r.manifest.runs)
    ));
    // Every arm and every outcome: a table per outcome, the focus first (one table of every
    // pair repeated each outcome's whole label on every one of its arms' rows: 1,481 rows of
    // the flagship's `--all`).
    let mut order: Vec<usize> = (0..r.outcomes.len()).collect();
    if focus < order.len() {
        order.remove(focus);
        order.insert(0, focus);
    }
    if order.is_empty() {
        let mut t = TableView::new("Every outcome by arm", &[("outcome", false)]);
        t.empty = "The scenario names no outcomes.".into();
        p.tables.push(t);
    }
    for k in order {
        let name = &r.outcomes[k];
        let mut t = TableView::new(
            format!(
                "{}: every arm, with the paired difference from the base",
                labels.outcome(name)
            ),
            &[
                ("arm", false),
                ("probability", true),
                ("95% interval", true),
                ("change from base", true),
                ("paired 95% interval", true),
            ],
        );
        if k == focus {
            t.notes.extend(defined_note.take());
        }
        for a in &r.arms {
            let o = &a.outcomes[k];
            let base = a.kind == "base";
            let mut arm = arm_label(a);
            if by_definition(a) && k == focus {
                arm += " (by definition)";
            }
            t.rows.push(vec![
                arm,
                percent(o.probability.estimate),
                interval(&o.probability),
                if base {
                    String::new()
                } else {
                    points(o.difference.estimate)
                },
                if base {
                    String::new()
                } else {
                    points_interval(&o.difference)
                },
            ]);
        }
        p.tables.push(t);
    }
    // The costs and the index by arm: the method below describes their paired intervals, and
    // the page showed none of them (compare_means.csv held them alone).
    let mut t = TableView::new(
        "Costs and the index by arm, with the paired difference from the base",
        &[
            ("quantity", false),
            ("arm", false),
            ("mean", true),
            ("95% interval", true),
            ("change from base", true),
            ("paired 95% interval", true),
        ],
    );
    let figure = |x: f64| crate::report::charts::cost_figures(x, 4);
    let change = |x: f64| {
        let f = figure(x);
        if x > 0.0 { format!("+{f}") } else { f }
    };
    for (k, q) in r.quantities.iter().enumerate() {
        let what = match q.as_str() {
            "peak_index" => "dyad index H at its peak (points)".to_string(),
            "final_index" => "dyad index H at the end (points)".to_string(),
            q => match q.strip_prefix("cost_") {
                Some(a) => format!("cost to {} ({})", labels.actor(a), sc.cost_unit),
                None => q.to_string(),
            },
        };
        for a in &r.arms {
            let Some(m) = a.means.get(k) else { continue };
            let base = a.kind == "base";
            t.rows.push(vec![
                what.clone(),
                arm_label(a),
                figure(m.mean.estimate),
                m.mean.text(figure, " – "),
                if base {
                    String::new()
                } else {
                    change(m.difference.estimate)
                },
                if base {
                    String::new()
                } else {
                    m.difference.text(change, " to ")
                },
            ]);
        }
    }
    if !t.rows.is_empty() {
        t.notes.push(
            "Costs' intervals stop at 0, which no run's cost is below; differences are the mean \
             of the per-run differences on the same runs."
                .into(),
        );
        p.tables.push(t);
    }
    p.method = vec![
        format!(
            "Common random numbers. brink played the base scenario and every other arm {} \
             times each on the same run indices from the master seed {}: run r of every arm \
             draws the same uncertain numbers and the same chance events, so the arms differ \
             only by the change each makes.",
            runs, r.manifest.seed
        ),
        "Paired intervals. A difference from the base is the mean of the per-run differences \
         (for an outcome: +1 where only the arm had it, −1 where only the base had it, 0 \
         otherwise). An outcome's difference carries Newcombe's hybrid score interval for \
         paired proportions (95%, the arms' Wilson intervals combined with their correlation, \
         which keeps its width when few runs disagree); a mean's (costs, the index) a 95% \
         interval from the variance of the per-run differences. Pairing removes the noise the \
         arms share, so these intervals are much narrower than the arms' own intervals would \
         suggest. Each arm's own probability carries a 95% Wilson interval."
            .into(),
        "Levers. For the tornado, each measure is forced to its top level from the start, and \
         each lever is frozen (never used); a lever that the outcome reads directly moves it by \
         definition and is marked so."
            .into(),
    ];
    p
}

/// The page of a sweep: each outcome at the two ends of the grid and its range along it; with
/// two parameters, the heat map first and the grid of the chosen outcome (`outcome`, an index
/// into the result's outcomes) as a table. `model` is the scenario compiled with the sweep's
/// variant (labels, ledger, sources).
pub fn sweep(
    model: &Model,
    r: &SweepResult,
    outcome: Option<usize>,
    charts: &[Chart],
    options: &ReportOptions,
) -> String {
    let mut p = page("sweep", model, &r.manifest, charts, options);
    // The swept numbers are set at each point, not drawn (the ledger listed them as uncertain).
    p.ledger
        .retain(|row| !r.parameters.iter().any(|x| x.path == row.path));
    render_page(
        "analysis.html",
        TEMPLATE,
        p.fill(sweep_analysis(&model.scenario, r, outcome)),
    )
}

/// A sweep in words: each outcome at the two ends of the grid and its range along it (with two
/// parameters, the chosen outcome over the grid), the caveat, the tables and the method. `sc`
/// is the scenario with the sweep's variant.
pub(crate) fn sweep_analysis(sc: &Scenario, r: &SweepResult, outcome: Option<usize>) -> Analysis {
    let labels = Labels { sc };
    let mut p = Analysis::default();
    let runs = group_thousands(r.manifest.runs);
    let two = r.is_two_way();
    let names: Vec<String> = r.parameters.iter().map(|x| labels.path(&x.path)).collect();
    let param = names.join(" and ");
    // Each parameter's values to the digits that tell them apart.
    let fmts: Vec<_> = r
        .parameters
        .iter()
        .map(|x| crate::scenario::param::fmt_grid(&x.values))
        .collect();
    let grids = r
        .parameters
        .iter()
        .zip(&names)
        .zip(&fmts)
        .map(|((x, name), fmt_num)| {
            format!(
                "{name} set to {} values from {} to {} ({} {})",
                x.steps,
                fmt_num(x.from),
                fmt_num(x.to),
                super::sweep::holder(&r.manifest),
                x.scenario_param
            )
        })
        .collect::<Vec<_>>()
        .join(" and ");
    let per = if two { "point" } else { "value" };
    p.setup = format!(
        "{grids}{}, {} per {per} on the same runs (common random numbers), seed {}{}.",
        if two { ", every pair of them" } else { "" },
        crate::report::charts::n_runs(r.manifest.runs),
        r.manifest.seed,
        r.manifest
            .variant
            .as_deref()
            .map(|v| format!(", variant {}", labels.variant(v)))
            .unwrap_or_default()
    );
    push_set(&mut p.setup, sc, &r.manifest);
    // A point in words: its value, or its pair of values.
    let at_words = |pt: &SweepPoint| {
        pt.values
            .iter()
            .zip(&fmts)
            .map(|(x, fmt_num)| fmt_num(*x))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if two
        && let (Some(k), [a, b]) = (
            outcome.filter(|&k| k < r.outcomes.len()),
            r.parameters.as_slice(),
        )
    {
        // The chosen outcome over the grid, as the heat map draws it: the second parameter's
        // last value on top.
        let mut cols: Vec<String> = vec![format!("{} ↓ / {} →", names[1], names[0])];
        cols.extend(a.values.iter().map(|x| fmts[0](*x)));
        let cols: Vec<(&str, bool)> = cols.iter().map(|c| (c.as_str(), true)).collect();
        let mut grid = TableView::new(
            format!("{} over the grid", labels.outcome(&r.outcomes[k])),
            &cols,
        );
        for (j, y) in b.values.iter().enumerate().rev() {
            let mut row = vec![fmts[1](*y)];
            row.extend((0..a.values.len()).map(|i| {
                r.at(i, j).map_or("-".into(), |pt| {
                    percent(pt.outcomes[k].probability.estimate)
                })
            }));
            grid.rows.push(row);
        }
        grid.notes.push(format!(
            "The share of runs in which {} happened at each pair of values; the tables below \
             have every outcome with its 95% interval.",
            labels.outcome(&r.outcomes[k])
        ));
        p.tables.push(grid);
    }
    if let (Some(first), Some(last)) = (r.points.first(), r.points.last()) {
        let at = |pt: &SweepPoint, k: usize| pt.outcomes[k].probability;
        let mut t = TableView::new(
            format!("Outcomes along {param}"),
            &[
                ("outcome", false),
                (&format!("at {}", at_words(first)), true),
                (&format!("at {}", at_words(last)), true),
                ("range along the grid", true),
            ],
        );
        t.empty = "The scenario names no outcomes.".into();
        let mut full = TableView::new(
            "Every outcome at both ends of the grid",
            &[
                ("outcome", false),
                (&format!("at {}", at_words(first)), true),
                ("95% interval", true),
                (&format!("at {}", at_words(last)), true),
                ("95% interval", true),
                ("lowest (at)", true),
                ("highest (at)", true),
            ],
        );
        for (k, name) in r.outcomes.iter().enumerate() {
            let lo = r
                .points
                .iter()
                .min_by(|a, b| at(a, k).estimate.total_cmp(&at(b, k).estimate))
                .unwrap_or(first);
            // The first of equal highest (`max_by` alone takes the last).
            let hi = r
                .points
                .iter()
                .enumerate()
                .max_by(|(i, a), (j, b)| {
                    (at(a, k).estimate.total_cmp(&at(b, k).estimate)).then(j.cmp(i))
                })
                .map_or(first, |(_, p)| p);
            let label = labels.outcome(name).to_string();
            if k < SUMMARY_ROWS {
                t.rows.push(vec![
                    label.clone(),
                    format!(
                        "{} ({})",
                        percent(at(first, k).estimate),
                        interval(&at(first, k))
                    ),
                    format!(
                        "{} ({})",
                        percent(at(last, k).estimate),
                        interval(&at(last, k))
                    ),
                    format!(
                        "{} – {}",
                        percent(at(lo, k).estimate),
                        percent(at(hi, k).estimate)
                    ),
                ]);
            }
            full.rows.push(vec![
                label,
                percent(at(first, k).estimate),
                interval(&at(first, k)),
                percent(at(last, k).estimate),
                interval(&at(last, k)),
                format!("{} ({})", percent(at(lo, k).estimate), at_words(lo)),
                format!("{} ({})", percent(at(hi, k).estimate), at_words(hi)),
            ]);
        }
        if r.outcomes.len() > t.rows.len() {
            t.notes.push(format!(
                "{} more outcomes in the tables below.",
                r.outcomes.len() - t.rows.len()
            ));
        }
        t.notes.push(format!(
            "Each end with its 95% interval; the range is the lowest and highest probability \
             over the grid's {per}s."
        ));
        p.lead.push(p.summary.len());
        p.summary.push(t);
        p.tables.push(full);
        // Every outcome at every value.
        let mut cols: Vec<(String, bool)> = names.iter().map(|n| (n.clone(), true)).collect();
        cols.extend(
            r.outcomes
                .iter()
                .map(|o| (labels.outcome(o).to_string(), true)),
        );
        let cols: Vec<(&str, bool)> = cols.iter().map(|(c, n)| (c.as_str(), *n)).collect();
        let mut grid = TableView::new(format!("Every outcome at every {per}"), &cols);
        for pt in &r.points {
            let mut row: Vec<String> = pt
                .values
                .iter()
                .zip(&fmts)
                .map(|(x, fmt_num)| fmt_num(*x))
                .collect();
            row.extend(pt.outcomes.iter().map(|o| percent(o.probability.estimate)));
            grid.rows.push(row);
        }
        p.tables.push(grid);
    }
    p.caveat.push(format!(
        "Every {per} plays the same {} with the same random numbers, so a change along \
         the grid comes from the values alone. The 95% intervals measure the simulation's \
         sampling error, not doubt about the assumptions.",
        crate::report::charts::n_runs(r.manifest.runs)
    ));
    let set = r
        .parameters
        .iter()
        .zip(&names)
        .zip(&fmts)
        .map(|((x, name), fmt_num)| {
            format!(
                "{name} ({}) to each of {} evenly spaced values from {} to {}, overriding the \
                 scenario's own {}",
                x.path,
                x.steps,
                fmt_num(x.from),
                fmt_num(x.to),
                x.scenario_param
            )
        })
        .collect::<Vec<_>>()
        .join(", and ");
    p.method = vec![
        format!(
            "A {}-parameter sweep. brink set {set}{}, and played every {per} {} times on the \
             same run indices from the master seed {} (common random numbers).",
            if two { "two" } else { "one" },
            if two {
                ", at every pair of the two grids"
            } else {
                ""
            },
            runs,
            r.manifest.seed
        ),
        format!("Intervals. Probabilities carry a 95% Wilson score interval at each {per}."),
    ];
    p
}

/// The page of a sensitivity analysis: the uncertain numbers that drive the measure most,
/// with their PRCC intervals. `model` is the scenario compiled with the analysis's variant.
pub fn sensitivity(
    model: &Model,
    r: &SensitivityResult,
    charts: &[Chart],
    options: &ReportOptions,
) -> String {
    let p = page("sensitivity analysis", model, &r.manifest, charts, options);
    render_page(
        "analysis.html",
        TEMPLATE,
        p.fill(sensitivity_analysis(&model.scenario, r)),
    )
}

/// What a sensitivity analysis ranks against, in words: "whether “Rupture” happened", or the
/// quantity's title.
pub(crate) fn sensitivity_measure(sc: &Scenario, r: &SensitivityResult) -> String {
    if r.measure_kind == "outcome indicator" {
        format!("whether “{}” happened", Labels { sc }.outcome(&r.measure))
    } else {
        super::sensitivity::measure_words(sc, r)
    }
}

/// A sensitivity analysis in words: the uncertain numbers that drive the measure most, with
/// their PRCC intervals, the caveat, the tables and the method. `sc` is the scenario with the
/// analysis's variant.
pub(crate) fn sensitivity_analysis(sc: &Scenario, r: &SensitivityResult) -> Analysis {
    let labels = Labels { sc };
    let mut p = Analysis::default();
    let runs = group_thousands(r.manifest.runs);
    let measure = sensitivity_measure(sc, r);
    p.setup = format!(
        "How much each of {} drives {measure}{}: {}, seed {}{}.",
        crate::report::sensitivity::uncertain_numbers(r.parameters_ranked),
        match (r.outcome_rate, r.measure_mean) {
            (Some(x), _) => format!(" (it happened in {} of runs)", percent(x)),
            (_, Some(mu)) => format!(" (mean {})", fmt_num(mu)),
            _ => String::new(),
        },
        crate::report::charts::n_runs(r.manifest.runs),
        r.manifest.seed,
        r.manifest
            .variant
            .as_deref()
            .map(|v| format!(", variant {}", labels.variant(v)))
            .unwrap_or_default()
    );
    push_set(&mut p.setup, sc, &r.manifest);
    let row = |x: &crate::analysis::sensitivity::ParamSensitivity| {
        vec![
            format!("{}{}", x.rank, if x.excludes_zero { "" } else { "*" }),
            labels.path(&x.parameter),
            super::signed(x.prcc, 3),
            format!(
                "{} to {}",
                super::signed_end(x.low, 3),
                super::signed_end(x.high, 3)
            ),
        ]
    };
    // The interval wraps (a cell that is not a right-aligned number): on the combined page
    // this table shares the first screen's width with two others.
    let cols = [
        ("rank", true),
        ("assumption", false),
        ("PRCC", true),
        ("95% interval", false),
    ];
    let mut t = TableView::new("The assumptions that drive it most", &cols);
    t.big = Some(2);
    t.empty = "No uncertain number could be ranked.".into();
    t.rows = r.parameters.iter().take(SUMMARY_ROWS).map(row).collect();
    t.notes.push(format!(
        "{} of {} intervals exclude 0.{}",
        r.excluding_zero,
        r.parameters_ranked,
        if t.rows.iter().any(|r| r[0].ends_with('*')) {
            " * the interval includes 0: no clear influence at this sample size."
        } else {
            ""
        }
    ));
    p.lead.push(p.summary.len());
    p.summary.push(t);
    let mut all = TableView::new(
        "Every uncertain number",
        &[
            ("rank", true),
            ("assumption", false),
            ("PRCC", true),
            ("95% interval", true),
            ("parameter", false),
            ("source", false),
        ],
    );
    all.empty = "No uncertain number could be ranked.".into();
    for x in &r.parameters {
        let mut cells = row(x);
        cells.push(x.parameter.clone());
        cells.push(x.source.clone());
        all.rows.push(cells);
    }
    for d in &r.dropped {
        all.notes.push(format!(
            "Left out: {} ({}): {}.",
            labels.path(&d.parameter),
            d.parameter,
            d.reason
        ));
    }
    p.tables.push(all);
    // The figures are rank correlations, not probabilities: the shared paragraph ("each is the
    // share of runs in which the thing happened") headed a page of PRCCs (an attacking helper).
    p.not_probabilities = true;
    p.caveat.push(format!(
        "These are not probabilities. A partial rank correlation (PRCC) says how strongly a \
         number and {measure} rise or \
         fall together over the {} runs, holding every other uncertain number fixed: from −1 \
         to +1, 0 for no link. It ranks the assumptions within their stated ranges; it does \
         not say the ranges are right.{}",
        runs,
        if r.parameters_ranked >= 20 {
            format!(
                " With {} intervals, about {} would exclude 0 by chance alone: read the small \
                 ones with care.",
                r.parameters_ranked,
                (r.parameters_ranked as f64 * 0.05).round()
            )
        } else {
            String::new()
        }
    ));
    p.method = vec![
        format!(
            "Partial rank correlation. brink played the scenario {} times from the master seed \
             {} (run r samples the same numbers as run r of `brink run`), kept every sampled \
             uncertain number and the measure of each run, and computed {}.",
            runs, r.manifest.seed, r.method
        ),
        "Intervals. Each PRCC carries a 95% interval by Fisher's z transformation.".into(),
    ];
    p
}

/// The page of an experiment: the design in one line, the chosen outcome's range over the
/// points, the variants' paired effects and PRIM's box in words first; then the charts, the
/// tables, the method. `model` is the base scenario (labels, ledger, sources).
pub fn experiment(
    model: &Model,
    r: &crate::analysis::experiment::ExperimentResult,
    charts: &[Chart],
    options: &ReportOptions,
) -> String {
    let mut p = page("experiment", model, &r.manifest, charts, options);
    // The design's numbers are set at each point, not drawn.
    p.ledger
        .retain(|row| !r.parameters.iter().any(|x| x.path == row.path));
    render_page(
        "analysis.html",
        TEMPLATE,
        p.fill(experiment_analysis(model, r)),
    )
}

/// A label up to any parenthesis ("Rupture within the year (…)" → "Rupture within the year"),
/// for the summary's headings and notes, which must fit the first screen.
fn before_parenthesis(label: &str) -> String {
    label
        .split_once(" (")
        .map_or(label, |(head, _)| head)
        .to_string()
}

/// An experiment in words (see [`experiment`]).
pub(crate) fn experiment_analysis(
    model: &Model,
    r: &crate::analysis::experiment::ExperimentResult,
) -> Analysis {
    use crate::analysis::design::DesignKind;
    use crate::report::experiment::{box_words, short_num};
    let sc = &model.scenario;
    let labels = Labels { sc };
    let mut p = Analysis::default();
    let runs = match r.manifest.runs {
        1 => "1 run".to_string(),
        n => format!("{} runs", group_thousands(n)),
    };
    let names: Vec<String> = r.parameters.iter().map(|x| labels.path(&x.path)).collect();
    let ranges = r
        .parameters
        .iter()
        .zip(&names)
        .map(|(x, n)| format!("{n} from {} to {}", fmt_num(x.low), fmt_num(x.high)))
        .collect::<Vec<_>>()
        .join(", ");
    let variant_names: Vec<String> = r
        .variants
        .iter()
        .skip(1)
        .map(|v| labels.variant(v).to_string())
        .collect();
    p.setup = format!(
        "A {} of {} points over {ranges}{}, {runs} per point and variant on the same runs \
         (common random numbers), seed {}.",
        r.design.words(),
        group_thousands(r.points.len() as u64),
        if variant_names.is_empty() {
            String::new()
        } else {
            format!(
                ", each played as the base scenario and as {}",
                variant_names.join(", ")
            )
        },
        r.manifest.seed
    );
    push_set(&mut p.setup, sc, &r.manifest);
    let paths: Vec<String> = r.parameters.iter().map(|x| x.path.clone()).collect();
    let compared: Vec<String> = r.variants.iter().skip(1).cloned().collect();
    // Under the variants' effect, which they qualify, in the scenario's labels up to any
    // parenthesis, as the outcome's below (in the box of caveats they pushed the summary past
    // the first screen).
    let design_notes: Vec<String> =
        crate::analysis::experiment::design_notes(sc, &paths, &compared)
            .into_iter()
            .map(|n| match n {
                crate::analysis::experiment::DesignNote::Removes {
                    param,
                    variant,
                    event,
                } => format!(
                    "{} removes {}: {} changes nothing in its runs.",
                    labels.short_variant(&variant),
                    labels.event(&event),
                    labels.path(&param)
                ),
                crate::analysis::experiment::DesignNote::Sets { param, variant } => format!(
                    "{} sets {} itself, which each point replaces: its effect is that of its \
                     other changes.",
                    labels.short_variant(&variant),
                    labels.path(&param)
                ),
            })
            .collect();
    let Some(k) = r.outcome_index() else {
        p.caveat
            .push("The scenario names no outcomes: there is nothing to discover.".into());
        return p;
    };
    // The summary names the outcome by its label up to any parenthesis, so that its headings
    // and notes fit the first screen; the charts and tables below give the whole label.
    let full = labels.outcome(&r.outcomes[k]).to_string();
    let outcome = before_parenthesis(&full);
    let prob = |pi: usize, vi: usize| r.points[pi].variants[vi].outcomes[k].probability;
    // The outcome's range over the points, per variant.
    let mut range = TableView::new(
        format!("{outcome} over the design's points"),
        // Cells that wrap (not right-aligned numbers): each holds its 95% interval, and the
        // summary's three tables share the first screen's width.
        &[
            ("variant", false),
            ("lowest", false),
            ("mean over points", false),
            ("highest", false),
        ],
    );
    let mut extremes = vec![];
    for (vi, v) in r.variants.iter().enumerate() {
        let n = r.points.len();
        if n == 0 {
            break;
        }
        let lo = (0..n)
            .min_by(|&a, &b| prob(a, vi).estimate.total_cmp(&prob(b, vi).estimate))
            .unwrap_or(0);
        // The first of equal highest, as `min_by` gives the first of equal lowest (and the
        // terminal's table).
        let hi = (0..n)
            .max_by(|&a, &b| {
                (prob(a, vi).estimate.total_cmp(&prob(b, vi).estimate)).then(b.cmp(&a))
            })
            .unwrap_or(0);
        let mean = crate::analysis::experiment::pooled_share(r, vi, k);
        let mean = match crate::analysis::experiment::pooled_interval_of(r, vi) {
            Some(i) if i.is_bounded() => format!("{} ({})", percent(mean), interval(&i)),
            _ => percent(mean),
        };
        range.rows.push(vec![
            if vi == 0 {
                "base scenario".into()
            } else {
                labels.variant(v).to_string()
            },
            format!(
                "{} ({})",
                percent(prob(lo, vi).estimate),
                interval(&prob(lo, vi))
            ),
            mean,
            format!(
                "{} ({})",
                percent(prob(hi, vi).estimate),
                interval(&prob(hi, vi))
            ),
        ]);
        if vi == 0 {
            extremes.push(format!(
                "Lowest at point {lo}, highest at point {hi} (the points table gives their \
                 values)."
            ));
        }
    }
    range.notes.extend(extremes);
    range.notes.push(
        "With 95% Wilson intervals; picked out of many points, the extremes overstate the \
         range a little."
            .into(),
    );
    p.lead.push(p.summary.len());
    p.summary.push(range);
    if !r.effects.is_empty() {
        let mut t = TableView::new(
            format!("The variants' effect on {outcome}, averaged over the points"),
            &[
                ("variant", false),
                ("probability", false),
                ("difference from the base (95% paired)", false),
            ],
        );
        for e in &r.effects {
            t.rows.push(vec![
                labels.variant(&e.variant).to_string(),
                percent(e.probability.estimate),
                format!(
                    "{} ({})",
                    points(e.difference.estimate),
                    points_interval(&e.difference)
                ),
            ]);
        }
        t.notes.push(
            "Paired by run: each variant and the base play the same runs at every point, so \
             the interval excludes the noise they share."
                .into(),
        );
        t.notes.extend(design_notes);
        p.summary.push(t);
    }
    if let Some(prim) = &r.prim {
        let b = prim.chosen_box();
        let mut t = TableView::new(
            format!("Where {outcome} concentrates (PRIM)"),
            // Ranges that wrap, so that the three summary tables share the screen's width.
            &[
                ("input", false),
                ("inside the box", false),
                ("over the runs", false),
                ("quasi-p", true),
            ],
        );
        for l in &b.limits {
            let i = &prim.inputs[l.input];
            let name = labels.path(&l.name);
            t.rows.push(vec![
                if i.design {
                    name
                } else {
                    format!("{name} (sampled)")
                },
                {
                    // A side PRIM cut rounded outward (the rule's), an uncut one as the range
                    // beside it is written (rounded outward it read wider than the range).
                    let (low, high) = crate::report::experiment::limit_nums(l);
                    let low = if l.low_restricted {
                        low
                    } else {
                        short_num(l.low)
                    };
                    let high = if l.high_restricted {
                        high
                    } else {
                        short_num(l.high)
                    };
                    format!("{low} to {high}")
                },
                format!("{} to {}", short_num(i.min), short_num(i.max)),
                match l.p_value {
                    Some(p) if p < 0.001 => "< 0.001".to_string(),
                    Some(p) if p > crate::analysis::prim::SIGNIFICANT => {
                        format!("{p:.2}, not supported")
                    }
                    Some(p) => format!("{p:.3}"),
                    None => String::new(),
                },
            ]);
        }
        t.empty =
            "No input was restricted: the outcome is no likelier in any box of inputs.".into();
        if prim.nothing_to_locate() {
            // Nothing to locate: the sentence below read "0% likely, against 0% overall".
            t.rows.clear();
            t.empty = format!(
                "{outcome} happened in {} of the {} PRIM read, so no box of inputs makes it \
                 likelier: there is nothing to locate.",
                if prim.hits == 0 { "none" } else { "every one" },
                crate::report::charts::n_runs(prim.rows)
            );
        } else {
            // Only the restrictions the runs do not support are named, as in the terminal.
            let weak = crate::report::experiment::weak_restrictions(model, b);
            let weak = match weak.len() {
                0 => String::new(),
                1 => format!(
                    " The runs do not support the restriction of {} within the box (quasi-p above \
                     {}, perhaps made redundant by later cuts; Method), which says nothing of its \
                     influence elsewhere.",
                    crate::report::experiment::quoted_list(&weak),
                    crate::analysis::prim::SIGNIFICANT
                ),
                _ => format!(
                    " The runs do not support the restrictions of {} within the box (quasi-p \
                     above {}, perhaps made redundant by later cuts; Method), which says nothing \
                     of their influence elsewhere.",
                    crate::report::experiment::quoted_list(&weak),
                    crate::analysis::prim::SIGNIFICANT
                ),
            };
            let weak = if crate::report::experiment::none_supported(b) {
                format!(
                    " No restriction the runs support: none has a quasi-p at or below {} with \
                     the others in place (Method). A box chosen among many on these runs: test \
                     it on others (another seed) before reading it as a finding.",
                    crate::analysis::prim::SIGNIFICANT
                )
            } else {
                weak
            };
            t.notes.push(format!(
                "Inside the box: {} likely, against {} overall; the box holds {} of the runs with \
             {outcome} ({} of all runs).{weak}",
                percent(b.density),
                percent(prim.base_density()),
                percent(b.coverage),
                percent(b.mass)
            ));
        }
        p.summary.push(t);
        // A few boxes along the trajectory: none with nothing to locate (the table listed
        // "0 (reported)" beside a sentence saying there was no box).
        if !prim.nothing_to_locate() {
            let mut boxes = TableView::new(
                "Boxes along PRIM's peeling trajectory",
                &[
                    ("step", true),
                    ("coverage", true),
                    ("density", true),
                    ("share of runs", true),
                    ("box", false),
                ],
            );
            for &s in &prim.shown {
                let b = &prim.trajectory[s];
                boxes.rows.push(vec![
                    format!("{s}{}", if s == prim.chosen { " (reported)" } else { "" }),
                    percent(b.coverage),
                    percent(b.density),
                    percent(b.mass),
                    box_words(model, b),
                ]);
            }
            boxes.notes.push(format!(
                "For coverages of at least 80%, 50% and 30%, the densest box; the reported box \
                 is {}. prim.csv has every box of the trajectory.",
                prim.rule
            ));
            p.tables.push(boxes);
        }
    }
    // Every point, the base and each variant.
    let mut cols: Vec<String> = vec!["point".into()];
    cols.extend(names.iter().cloned());
    cols.extend(r.variants.iter().enumerate().map(|(vi, v)| {
        if vi == 0 {
            "base scenario".to_string()
        } else {
            labels.variant(v).to_string()
        }
    }));
    let cols: Vec<(&str, bool)> = cols.iter().map(|c| (c.as_str(), true)).collect();
    let mut all = TableView::new(format!("{outcome} at every point"), &cols);
    const MAX_ROWS: usize = 200;
    for pt in r.points.iter().take(MAX_ROWS) {
        let mut row = vec![pt.point.to_string()];
        row.extend(pt.values.iter().map(|x| short_num(*x)));
        row.extend(
            pt.variants
                .iter()
                .map(|v| percent(v.outcomes[k].probability.estimate)),
        );
        all.rows.push(row);
    }
    if r.points.len() > MAX_ROWS {
        all.notes.push(format!(
            "The first {MAX_ROWS} of {} points; points.csv has every one, with intervals.",
            r.points.len()
        ));
    }
    p.tables.push(all);
    p.caveat.push(format!(
        "Every point and every variant plays the same {runs} with the same random numbers, \
         so differences between them come from the values and the variants alone. The 95% \
         intervals measure the simulation's sampling error, not doubt about the assumptions; \
         the box PRIM finds describes this scenario's model, not the world."
    ));
    let design = match r.design {
        DesignKind::Lhs => format!(
            "A Latin hypercube (McKay, Beckman & Conover 1979) of {} points: each parameter's \
             range is cut into {} equal strata, each holding exactly one point; the strata's \
             order and each point's place in its stratum are drawn from the seed's own design \
             stream, apart from the runs' draws.",
            r.points.len(),
            r.points.len()
        ),
        DesignKind::Sobol => format!(
            "The first {} points of the Sobol sequence (Sobol' 1967) with Joe & Kuo's (2008) \
             direction numbers, unscrambled, in Gray-code order; the first point (every \
             parameter at its lowest value) is kept.",
            r.points.len()
        ),
        DesignKind::Factorial => format!(
            "A full factorial: {} evenly spaced levels of each parameter (both ends included), \
             every combination, {} points.",
            r.points_asked,
            r.points.len()
        ),
    };
    let mut method = vec![
        design,
        format!(
            "At each point brink set {} to the point's values, overriding the scenario's own ({}), \
             and played the base scenario{} {} on the same run indices from the master \
             seed {} (common random numbers). Probabilities carry 95% Wilson intervals; a \
             variant's effect is the mean of its per-run differences from the base over every \
             point and run (+1 where only the variant had the outcome, −1 where only the base \
             had it). Every point plays the same runs, so a run's rows move together: the \
             effect's 95% interval is Student's t over the runs, of each run's mean over the \
             points, and a variant's probability over the whole design has Wilson's interval at \
             the runs' effective number of trials (Kish's: the variance taken over the runs).",
            names.join(", "),
            r.parameters
                .iter()
                .map(|x| x.scenario_param.clone())
                .collect::<Vec<_>>()
                .join("; "),
            if variant_names.is_empty() {
                String::new()
            } else {
                " and every variant".to_string()
            },
            // "300 runs times" it said.
            match r.manifest.runs {
                1 => "once".to_string(),
                n => format!("{} times", group_thousands(n)),
            },
            r.manifest.seed
        ),
    ];
    if let Some(prim) = &r.prim {
        method.push(format!(
            "Scenario discovery by PRIM (Friedman & Fisher 1999), as the EMA Workbench does it, \
             peeling only: on the base scenario's first {} of every point ({} in all), with \
             the design's parameters and the numbers sampled in each run as inputs and whether \
             {outcome} happened as the output, brink repeatedly cut {:.0}% of the box's runs on \
             the low or high side of one input, keeping the cut that raised the box's \
             probability most, until the box would hold less than {:.0}% of the runs. The \
             reported box is {}. Each of its restrictions has a quasi-p-value, as the EMA \
             Workbench reports it (Bryant & Lempert 2010): the chance of so many runs with \
             {outcome} in the box if the runs inside it had the rate of the same box without \
             that restriction. Every point plays the same runs with the same numbers, so a \
             restriction of a sampled number keeps or drops a run's rows together: its test is \
             a one-sided binomial whose counts are divided by the design effect of the box \
             without it (a run's rows count as fewer than independent ones). A run's rows \
             differ only by the design's values, and the design's points are what it \
             randomises, so a restriction of a design parameter is tested over the points: \
             whether the shares of runs with {outcome} at the box's points exceed those at the \
             rest of the box without it (a one-sided two-sample t test over the points). Above \
             {} the runs do not support the restriction: peeling took \
             it for a small gain in probability.",
            crate::report::charts::n_runs(r.prim_runs_per_point),
            crate::report::charts::n_runs(prim.rows),
            prim.alpha * 100.0,
            prim.min_mass * 100.0,
            prim.rule,
            crate::analysis::prim::SIGNIFICANT
        ));
    }
    p.method = method;
    p
}
