//! What `brink backtest` writes and prints: backtest.json, facts.csv, cases.csv, pit.csv, the
//! charts of each case and the PIT histogram, report.html, and the readable summary.
//!
//! A case's charts are named after the case (`<case>_time_to_fact`, `<case>_mood`,
//! `<case>_rungs`), its name
//! reduced to letters, digits, `-` and `_` (timeline names are identifiers already; the
//! reduction only guards the file names) and made unique among the cases.

use serde::Serialize;

use crate::analysis::backtest::{Backtest, Band, CaseResult, FactResult};
use crate::analysis::summary::date_of_step;
use crate::error::Result;
use crate::report::Artifact;
use crate::report::charts::{self, Chart, HEIGHT, WIDTH, group_thousands, percent};
use crate::report::describe::Table;

/// The page's template: the run report's look, with the back-test's tables.
const TEMPLATE: &str = include_str!("templates/backtest.html");

/// Every file of a back-test: `backtest.json`, `facts.csv`, `cases.csv`, `pit.csv` and, when
/// `charts` is true, per case `<case>_time_to_fact.{png,svg}` (when it has dated facts),
/// `<case>_mood.{png,svg}` (the fan chart of H, when the runs kept it) and
/// `<case>_rungs.{png,svg}` (when its scenario has rungs), `pit_histogram.{png,svg}` (when any
/// fact has a PIT) and `report.html` (as `brink run` writes its report only with its charts).
pub fn files(b: &Backtest, charts: bool) -> Result<Vec<Artifact>> {
    let mut files = vec![
        Artifact::json("backtest.json", b)?,
        Artifact::new("facts.csv", facts_csv(b)?),
        Artifact::new("cases.csv", cases_csv(b)?),
        Artifact::new("pit.csv", pit_csv(b)?),
    ];
    if charts {
        let stems = case_stems(b);
        let mut drawn: Vec<Vec<(String, Chart)>> = Vec::with_capacity(b.cases.len());
        for (case, stem) in b.cases.iter().zip(&stems) {
            let mut mine = vec![];
            for chart in charts::backtest::render_case(case)? {
                let file = format!("{stem}_{}", chart.name);
                files.push(Artifact::new(format!("{file}.png"), chart.png.clone()));
                files.push(Artifact::new(format!("{file}.svg"), chart.svg.as_bytes()));
                mine.push((file, chart));
            }
            drawn.push(mine);
        }
        let pit = if b.pit_facts > 0 {
            let chart = charts::backtest::render_pit(b)?;
            files.extend(chart.artifacts());
            Some(chart)
        } else {
            None
        };
        files.push(Artifact::new(
            "report.html",
            report(b, &stems, &drawn, pit.as_ref()),
        ));
    }
    Ok(files)
}

/// The file stem of each case's charts: its name with every character other than an ASCII
/// letter, digit, `-` or `_` replaced by `_` (at most 80 characters; "case" when empty), and
/// `_2`, `_3`, … added to a name an earlier case already has.
pub fn case_stems(b: &Backtest) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(b.cases.len());
    for c in &b.cases {
        let mut s: String = c
            .case
            .chars()
            .take(80)
            .map(|ch| {
                if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
                    ch
                } else {
                    '_'
                }
            })
            .collect();
        if s.is_empty() {
            s = "case".into();
        }
        let base = s.clone();
        let mut k = 2;
        while out.contains(&s) {
            s = format!("{base}_{k}");
            k += 1;
        }
        out.push(s);
    }
    out
}

/// The fact's central band of probability content `level`, if it has bands.
fn band(f: &FactResult, level: f64) -> Option<&Band> {
    f.bands.iter().find(|b| (b.level - level).abs() < 1e-9)
}

/// "1" or "0" (empty for a fact without bands).
fn flag(x: Option<bool>) -> String {
    x.map_or(String::new(), |b| u8::from(b).to_string())
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| v.to_string())
}

/// Header of `facts.csv`.
pub const FACTS_HEADER: [&str; 21] = [
    "case",
    "fact",
    "kind",
    "date",
    "observed",
    "probability",
    "ci95_low",
    "ci95_high",
    "log_score",
    "brier",
    "pit_low",
    "pit_high",
    "in_50",
    "in_80",
    "in_95",
    "band80_low",
    "band80_high",
    "band80_width",
    "never_probability",
    "crps",
    "source",
];

/// `facts.csv`: one row per case and fact (see [`FACTS_HEADER`]). `in_50`/`in_80`/`in_95` are
/// 1 or 0 (empty for yes/no facts, which have no bands); `band80_low` and `band80_high` are
/// categories (steps from the start date for a dated fact, where the horizon stands for
/// "never"; a level; a rung's index from the lowest); `band80_width` is empty when a dated
/// fact's band reaches "never"; `never_probability` is a dated fact's share of runs in which
/// its target never happened.
pub fn facts_csv(b: &Backtest) -> Result<Vec<u8>> {
    let rows = b
        .cases
        .iter()
        .flat_map(|c| c.facts.iter().map(move |f| (c, f)))
        .map(|(c, f)| {
            let b80 = band(f, 0.8);
            vec![
                c.case.clone(),
                f.name.clone(),
                f.kind.clone(),
                f.date.clone(),
                f.observed.clone(),
                f.probability.estimate.to_string(),
                f.probability.low.to_string(),
                f.probability.high.to_string(),
                f.log_score.to_string(),
                f.brier.to_string(),
                opt(f.pit.map(|p| p.0)),
                opt(f.pit.map(|p| p.1)),
                flag(band(f, 0.5).map(|b| b.contains)),
                flag(b80.map(|b| b.contains)),
                flag(band(f, 0.95).map(|b| b.contains)),
                b80.map_or(String::new(), |b| b.low.to_string()),
                b80.map_or(String::new(), |b| b.high.to_string()),
                b80.and_then(|b| b.width)
                    .map_or(String::new(), |w| w.to_string()),
                opt(f.never),
                opt(f.crps),
                f.source.clone(),
            ]
        })
        .collect();
    crate::report::csv::named_table("facts.csv", &FACTS_HEADER, rows)
}

/// Header of `cases.csv`.
pub const CASES_HEADER: [&str; 13] = [
    "case",
    "facts",
    "banded_facts",
    "in_50_share",
    "in_80_share",
    "in_95_share",
    "mean_log_score",
    "mean_brier",
    "path_probability",
    "path_ci95_low",
    "path_ci95_high",
    "runs",
    "seed",
];

/// A case's share of banded facts inside the band of `level` (none when it has no banded fact).
fn coverage(cov: &[(f64, f64)], banded: usize, level: f64) -> Option<f64> {
    if banded == 0 {
        return None;
    }
    cov.iter()
        .find(|(q, _)| (q - level).abs() < 1e-9)
        .map(|&(_, s)| s)
}

/// `cases.csv`: one row per case (see [`CASES_HEADER`]); the coverage shares are over the
/// case's facts with bands, empty when it has none.
pub fn cases_csv(b: &Backtest) -> Result<Vec<u8>> {
    let rows = b
        .cases
        .iter()
        .map(|c| {
            let cov = |q| opt(coverage(&c.coverage, c.banded_facts, q));
            vec![
                c.case.clone(),
                c.facts.len().to_string(),
                c.banded_facts.to_string(),
                cov(0.5),
                cov(0.8),
                cov(0.95),
                c.mean_log_score.to_string(),
                c.mean_brier.to_string(),
                c.path_probability.estimate.to_string(),
                c.path_probability.low.to_string(),
                c.path_probability.high.to_string(),
                c.runs.to_string(),
                c.seed.to_string(),
            ]
        })
        .collect();
    crate::report::csv::named_table("cases.csv", &CASES_HEADER, rows)
}

/// `pit.csv`: the PIT histogram over all cases, one row per bin (`bin_low`, `bin_high`,
/// `share`).
pub fn pit_csv(b: &Backtest) -> Result<Vec<u8>> {
    let n = b.pit_histogram.len().max(1) as f64;
    let rows = b
        .pit_histogram
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                (i as f64 / n).to_string(),
                ((i + 1) as f64 / n).to_string(),
                s.to_string(),
            ]
        })
        .collect();
    crate::report::csv::named_table("pit.csv", &["bin_low", "bin_high", "share"], rows)
}

// ---------------------------------------------------------------------------------------------
// Words and numbers shared by the text and the page.

/// The step unit in the plural ("weeks").
fn units(unit: &str) -> String {
    let u = if unit.trim().is_empty() {
        "step"
    } else {
        unit.trim()
    };
    if u.ends_with('s') {
        u.to_string()
    } else {
        format!("{u}s")
    }
}

/// A PIT interval: "0.42" when it is a point, "0.42–0.57" otherwise; "-" for none.
fn pit_text(p: Option<(f64, f64)>) -> String {
    match p {
        None => "-".into(),
        Some((lo, hi)) if hi - lo < 0.005 => format!("{lo:.2}"),
        Some((lo, hi)) => format!("{lo:.2}–{hi:.2}"),
    }
}

/// "yes", "no", or "-" for a fact without bands.
fn inside(f: &FactResult, level: f64) -> String {
    band(f, level).map_or("-".into(), |b| if b.contains { "yes" } else { "no" }.into())
}

/// A band's width in words: "6 weeks", "2 levels", "→ never" (a dated fact's band reaching
/// "never"), "-" for none.
fn width_text(c: &CaseResult, f: &FactResult, b: Option<&Band>) -> String {
    let Some(b) = b else {
        return "-".into();
    };
    let Some(w) = b.width else {
        return "→ never".into();
    };
    let unit = match f.kind.as_str() {
        "dated" => {
            let u = c.step_unit.trim();
            if u.is_empty() { "step" } else { u }.to_string()
        }
        "level" => "level".into(),
        "rung" => "rung".into(),
        _ => "category".into(),
    };
    if w == 1 {
        format!("1 {unit}")
    } else {
        format!("{w} {}", units(&unit))
    }
}

/// A category of a fact in words: a step's date (or "never"), a level, a rung's name.
fn category(c: &CaseResult, f: &FactResult, k: usize) -> String {
    match f.kind.as_str() {
        "dated" if k >= c.horizon as usize => "never".into(),
        "dated" => date_of_step(c.start_date.as_deref(), &c.step_unit, k as u32)
            .unwrap_or_else(|| format!("{} {k}", c.step_unit)),
        "level" => format!("level {k}"),
        "rung" => c
            .summary
            .scenario
            .rungs
            .get(k)
            .cloned()
            .unwrap_or_else(|| format!("rung {k}")),
        _ => k.to_string(),
    }
}

/// A band in words: "2016-01-04 – 2016-06-27 (26 weeks)", "tense – crisis (2 rungs)".
fn band_text(c: &CaseResult, f: &FactResult, b: Option<&Band>) -> String {
    let Some(band) = b else {
        return "-".into();
    };
    let range = if band.low == band.high {
        category(c, f, band.low)
    } else {
        format!(
            "{} – {}",
            category(c, f, band.low),
            category(c, f, band.high)
        )
    };
    match band.width {
        Some(_) => format!("{range} ({})", width_text(c, f, b)),
        None => range,
    }
}

fn interval(i: &crate::stats::Interval) -> String {
    format!("{} – {}", percent(i.low), percent(i.high))
}

// ---------------------------------------------------------------------------------------------
// The page.

#[derive(Serialize)]
struct Page<'a> {
    tool: &'static str,
    version: &'static str,
    cases: usize,
    facts: usize,
    banded_facts: usize,
    pit_facts: usize,
    posterior: Option<&'a str>,
    coverage: Vec<CoverageCell>,
    mean_log_score: String,
    pit_shares: Vec<PitCell>,
    pit_chart: Option<ChartView<'a>>,
    rows: Vec<CaseRow>,
    details: Vec<CaseView<'a>>,
}

#[derive(Serialize)]
struct CoverageCell {
    level: String,
    share: String,
    count: String,
}

#[derive(Serialize)]
struct PitCell {
    bin: String,
    share: String,
}

#[derive(Serialize)]
struct ChartView<'a> {
    file: String,
    title: &'a str,
    markup: &'a str,
    width: u32,
    height: u32,
}

impl<'a> ChartView<'a> {
    fn new(file: String, chart: &'a Chart) -> Self {
        let (width, height) = svg_size(&chart.svg);
        ChartView {
            file,
            title: &chart.title,
            markup: crate::report::html::svg_body(&chart.svg),
            width,
            height,
        }
    }
}

/// The size an SVG document declares on its outer tag (`width="1000" height="600"`), or the
/// charts' usual size.
fn svg_size(svg: &str) -> (u32, u32) {
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

#[derive(Serialize)]
struct CaseRow {
    name: String,
    anchor: String,
    scenario: String,
    facts: usize,
    banded: usize,
    in50: String,
    in80: String,
    in95: String,
    log_score: String,
    brier: String,
    path: String,
    path_interval: String,
    runs: String,
    seed: u64,
}

#[derive(Serialize)]
struct CaseView<'a> {
    name: &'a str,
    anchor: String,
    scenario: &'a str,
    runs: String,
    seed: u64,
    start_date: Option<&'a str>,
    horizon: u32,
    steps: String,
    path: String,
    path_interval: String,
    path_runs: String,
    log_score: String,
    brier: String,
    facts: Vec<FactRow>,
    charts: Vec<ChartView<'a>>,
}

#[derive(Serialize)]
struct FactRow {
    name: String,
    label: String,
    kind: String,
    observed: String,
    probability: String,
    interval: String,
    pit: String,
    in50: String,
    in80: String,
    in95: String,
    band80: String,
    never: String,
    log_score: String,
    brier: String,
    crps: String,
    source: String,
}

fn share_of(cov: &[(f64, f64)], banded: usize, level: f64) -> String {
    coverage(cov, banded, level).map_or("-".into(), percent)
}

fn page<'a>(
    b: &'a Backtest,
    stems: &[String],
    drawn: &'a [Vec<(String, Chart)>],
    pit: Option<&'a Chart>,
) -> Page<'a> {
    let coverage_cells = crate::analysis::backtest::BANDS
        .iter()
        .map(|&q| {
            let inside = b
                .cases
                .iter()
                .flat_map(|c| &c.facts)
                .filter(|f| band(f, q).is_some_and(|x| x.contains))
                .count();
            CoverageCell {
                level: format!("{:.0}%", q * 100.0),
                share: share_of(&b.coverage, b.banded_facts, q),
                count: format!("{inside} of {}", b.banded_facts),
            }
        })
        .collect();
    let nbins = b.pit_histogram.len().max(1) as f64;
    let pit_shares = b
        .pit_histogram
        .iter()
        .enumerate()
        .map(|(i, s)| PitCell {
            bin: format!("{:.1}–{:.1}", i as f64 / nbins, (i + 1) as f64 / nbins),
            share: percent(*s),
        })
        .collect();
    let anchor = |stem: &str| format!("case-{stem}");
    let rows = b
        .cases
        .iter()
        .zip(stems)
        .map(|(c, stem)| CaseRow {
            name: c.case.clone(),
            anchor: anchor(stem),
            scenario: c.scenario.clone(),
            facts: c.facts.len(),
            banded: c.banded_facts,
            in50: share_of(&c.coverage, c.banded_facts, 0.5),
            in80: share_of(&c.coverage, c.banded_facts, 0.8),
            in95: share_of(&c.coverage, c.banded_facts, 0.95),
            log_score: format!("{:.3}", c.mean_log_score),
            brier: format!("{:.3}", c.mean_brier),
            path: percent(c.path_probability.estimate),
            path_interval: interval(&c.path_probability),
            runs: group_thousands(c.runs),
            seed: c.seed,
        })
        .collect();
    let details = b
        .cases
        .iter()
        .zip(stems)
        .enumerate()
        .map(|(i, (c, stem))| CaseView {
            name: &c.case,
            anchor: anchor(stem),
            scenario: &c.scenario,
            runs: group_thousands(c.runs),
            seed: c.seed,
            start_date: c.start_date.as_deref(),
            horizon: c.horizon,
            steps: units(&c.step_unit),
            path: percent(c.path_probability.estimate),
            path_interval: interval(&c.path_probability),
            path_runs: group_thousands(c.path_runs),
            log_score: format!("{:.3}", c.mean_log_score),
            brier: format!("{:.3}", c.mean_brier),
            facts: c
                .facts
                .iter()
                .map(|f| FactRow {
                    name: f.name.clone(),
                    label: if f.label == f.name {
                        String::new()
                    } else {
                        f.label.clone()
                    },
                    kind: f.kind.clone(),
                    observed: f.observed.clone(),
                    probability: percent(f.probability.estimate),
                    interval: interval(&f.probability),
                    pit: pit_text(f.pit),
                    in50: inside(f, 0.5),
                    in80: inside(f, 0.8),
                    in95: inside(f, 0.95),
                    band80: band_text(c, f, band(f, 0.8)),
                    never: f.never.map_or("-".into(), percent),
                    log_score: format!("{:.3}", f.log_score),
                    brier: format!("{:.3}", f.brier),
                    crps: f.crps.map_or("-".into(), |x| format!("{x:.3}")),
                    source: f.source.clone(),
                })
                .collect(),
            charts: drawn
                .get(i)
                .map(|v| {
                    v.iter()
                        .map(|(file, chart)| ChartView::new(file.clone(), chart))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Page {
        tool: "brink",
        version: env!("CARGO_PKG_VERSION"),
        cases: b.cases.len(),
        facts: b.facts,
        banded_facts: b.banded_facts,
        pit_facts: b.pit_facts,
        posterior: b.posterior.as_deref(),
        coverage: coverage_cells,
        mean_log_score: format!("{:.3}", b.mean_log_score),
        pit_shares,
        pit_chart: pit.map(|c| ChartView::new(c.name.to_string(), c)),
        rows,
        details,
    }
}

/// `report.html` of a back-test: the cross-case table, the coverage and the PIT histogram on
/// top, then per case its facts, its path probability and its charts (inline SVG), from the
/// charts `files` drew (`drawn[i]`: case `i`'s charts with their file stems).
fn report(
    b: &Backtest,
    stems: &[String],
    drawn: &[Vec<(String, Chart)>],
    pit: Option<&Chart>,
) -> String {
    crate::report::html::render_page("backtest.html", TEMPLATE, page(b, stems, drawn, pit))
}

// ---------------------------------------------------------------------------------------------
// The terminal.

/// The readable summary printed after a back-test: per case a table of its facts and the
/// probability of the whole observed path; then the coverage of the 50/80/95% bands over
/// every banded fact, the mean log score and the PIT histogram.
pub fn text(b: &Backtest) -> String {
    let mut o = String::new();
    if let Some(p) = &b.posterior {
        o += &format!("The runs took the calibrated numbers from the posterior of {p}.\n\n");
    }
    for c in &b.cases {
        o += &format!(
            "{} — scenario {}, {} runs, seed {}{}\n",
            c.case,
            c.scenario,
            group_thousands(c.runs),
            c.seed,
            c.start_date
                .as_ref()
                .map(|d| format!(", from {d}"))
                .unwrap_or_default()
        );
        let mut t = Table::new(&[
            "fact",
            "observed",
            "P (95% interval)",
            "PIT",
            "in 80%",
            "80% band width",
            "log score",
        ]);
        for f in &c.facts {
            t.row(vec![
                f.name.clone(),
                f.observed.clone(),
                format!(
                    "{} ({})",
                    percent(f.probability.estimate),
                    interval(&f.probability)
                ),
                pit_text(f.pit),
                inside(f, 0.8),
                width_text(c, f, band(f, 0.8)),
                format!("{:.3}", f.log_score),
            ]);
        }
        o += &t.render();
        o += &format!(
            "path probability (every fact held): {} ({}), {} of {} runs\n\n",
            percent(c.path_probability.estimate),
            interval(&c.path_probability),
            group_thousands(c.path_runs),
            group_thousands(c.runs)
        );
    }
    o += &format!(
        "{} case{}, {} facts, {} with bands\n",
        b.cases.len(),
        if b.cases.len() == 1 { "" } else { "s" },
        b.facts,
        b.banded_facts
    );
    if b.banded_facts > 0 {
        let cells: Vec<String> = crate::analysis::backtest::BANDS
            .iter()
            .map(|&q| {
                let inside = b
                    .cases
                    .iter()
                    .flat_map(|c| &c.facts)
                    .filter(|f| band(f, q).is_some_and(|x| x.contains))
                    .count();
                format!(
                    "{:.0}% band {inside} of {} ({})",
                    q * 100.0,
                    b.banded_facts,
                    share_of(&b.coverage, b.banded_facts, q)
                )
            })
            .collect();
        o += &format!("coverage: {}\n", cells.join(" · "));
    }
    o += &format!("mean log score: {:.3}\n", b.mean_log_score);
    if b.pit_facts > 0 {
        o += &format!(
            "PIT histogram ({} bins over {} facts; {:.2} each if calibrated): {}\n",
            b.pit_histogram.len(),
            b.pit_facts,
            1.0 / b.pit_histogram.len().max(1) as f64,
            b.pit_histogram
                .iter()
                .map(|s| format!("{s:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_size_reads_the_outer_tag() {
        assert_eq!(
            svg_size("<svg width=\"1000\" height=\"742\" viewBox=\"0 0 1000 742\">x</svg>"),
            (1000, 742)
        );
        assert_eq!(svg_size("not svg"), (WIDTH, HEIGHT));
    }

    #[test]
    fn words_for_pits_and_units() {
        assert_eq!(pit_text(None), "-");
        assert_eq!(pit_text(Some((0.25, 0.252))), "0.25");
        assert_eq!(pit_text(Some((0.1, 0.4))), "0.10–0.40");
        assert_eq!(units("week"), "weeks");
        assert_eq!(units("days"), "days");
        assert_eq!(units(""), "steps");
    }
}
