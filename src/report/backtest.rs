//! What `brink backtest` writes and prints: backtest.json, facts.csv, cases.csv, pit.csv, the
//! charts of each case and the PIT histogram, report.html, and the readable summary.
//!
//! A case's charts are named after the case (`<case>_time_to_fact`, `<case>_mood`,
//! `<case>_rungs`), its name
//! reduced to letters, digits, `-` and `_` (timeline names are identifiers already; the
//! reduction only guards the file names) and made unique among the cases.

use crate::analysis::backtest::{Backtest, Band, CaseResult, FactResult};
use crate::analysis::calibrate::CrossValidation;
use crate::analysis::summary::date_of_step;
use crate::error::Result;
use crate::report::Artifact;
use crate::report::charts::{self, Chart, group_thousands, percent};
use crate::report::describe::Table;
use crate::report::history::{CaseContext, HistoryContext};
use crate::report::html::{ChartView, Labels, shown};
use crate::report::pages::{TableView, header, render};
use crate::scenario::param::fmt_num;
use crate::scenario::timeline::{Fact, Observed};
use crate::scenario::{Lever, Scenario};
use crate::stats::Interval;

/// Every file of a back-test: `backtest.json`, `facts.csv`, `cases.csv`, `pit.csv` and, when
/// `charts` is true, per case `<case>_time_to_fact.{png,svg}` (when it has dated facts),
/// `<case>_mood.{png,svg}` (the fan chart of H, when the runs kept it) and
/// `<case>_rungs.{png,svg}` (when its scenario has rungs), `pit_histogram.{png,svg}` (when any
/// fact has a PIT) and `report.html` (as `brink run` writes its report only with its charts).
///
/// `cv` is the cross-validation `b` comes from, if any (its held-out table goes into the
/// page); `ctx` gives the cases' scenarios, timelines and files, the command, the title and
/// the date.
pub fn files(
    b: &Backtest,
    cv: Option<&CrossValidation>,
    ctx: &HistoryContext,
    charts: bool,
) -> Result<Vec<Artifact>> {
    let mut files = vec![
        Artifact::json(
            "backtest.json",
            &super::history::WithInputs {
                result: b,
                inputs: ctx.inputs(),
            },
        )?,
        Artifact::new("facts.csv", facts_csv(b)?),
        Artifact::new("cases.csv", cases_csv(b)?),
        Artifact::new("pit.csv", pit_csv(b)?),
    ];
    if charts {
        let stems = case_stems(b);
        let mut drawn: Vec<Vec<(String, Chart)>> = Vec::with_capacity(b.cases.len());
        for (case, stem) in b.cases.iter().zip(&stems) {
            let mut mine = vec![];
            let sc = ctx.case(&case.case).map(|c| c.scenario);
            // Titles name the case without its dates (the axis has them).
            let label = ctx.label(&case.case);
            let name = label.split(", ").next().unwrap_or(label);
            for chart in charts::backtest::render_case(case, sc, name)? {
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
            report(b, cv, ctx, &drawn, pit.as_ref()),
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
/// `share`, and its Wilson 95% interval `share_low`, `share_high`; the share and its ends
/// empty when no fact has a PIT, as coverage is without bands).
pub fn pit_csv(b: &Backtest) -> Result<Vec<u8>> {
    let bins = match b.pit_histogram.len() {
        0 => crate::analysis::backtest::PIT_BINS,
        n => n,
    };
    let n = bins as f64;
    let end = |i: usize, at: fn(&Interval) -> f64| {
        if i < b.pit_histogram.len() {
            at(&b.pit_interval(i)).to_string()
        } else {
            String::new()
        }
    };
    let rows = (0..bins)
        .map(|i| {
            vec![
                (i as f64 / n).to_string(),
                ((i + 1) as f64 / n).to_string(),
                b.pit_histogram.get(i).map_or(String::new(), f64::to_string),
                end(i, |x| x.low),
                end(i, |x| x.high),
            ]
        })
        .collect();
    crate::report::csv::named_table(
        "pit.csv",
        &["bin_low", "bin_high", "share", "share_low", "share_high"],
        rows,
    )
}

// ---------------------------------------------------------------------------------------------
// Words and numbers shared by the text and the page.

/// A PIT interval: "0.42" when it is a point, "0.42–0.57" otherwise; "-" for none.
fn pit_text(p: Option<(f64, f64)>) -> String {
    match p {
        None => "-".into(),
        // One figure when both ends print alike ([0.0035, 0.006] read "0.00", hiding its
        // upper end's 0.01).
        Some((lo, hi)) if format!("{lo:.2}") == format!("{hi:.2}") => format!("{lo:.2}"),
        Some((lo, hi)) => format!("{lo:.2}–{hi:.2}"),
    }
}

/// "yes", "no", or "-" for a fact without bands.
fn inside(f: &FactResult, level: f64) -> String {
    band(f, level).map_or("-".into(), |b| if b.contains { "yes" } else { "no" }.into())
}

/// A band's width in words: "6 weeks", "2 rungs", "→ never" (a dated fact's band reaching
/// "never"), "-" for none; a measure's levels by their numbers, "levels 0–1" or "level 1"
/// (a count read wrong: "2 levels" for a one-level measure's band, its levels 0 and 1).
fn width_text(c: &CaseResult, f: &FactResult, b: Option<&Band>) -> String {
    let Some(b) = b else {
        return "-".into();
    };
    let Some(w) = b.width else {
        return "→ never".into();
    };
    if f.kind == "level" {
        return if b.low == b.high {
            format!("level {}", b.low)
        } else {
            format!("levels {}–{}", b.low, b.high)
        };
    }
    let unit = match f.kind.as_str() {
        "dated" => crate::scenario::step_one(&c.step_unit).to_string(),
        "level" => "level".into(),
        "rung" => "rung".into(),
        _ => "category".into(),
    };
    crate::scenario::n_steps(w as u64, &unit)
}

/// A category of a fact in words: a step's date (or "never"), a level, a rung's name (its label
/// when the scenario is given).
fn category(c: &CaseResult, f: &FactResult, k: usize, sc: Option<&Scenario>) -> String {
    match f.kind.as_str() {
        "dated" if k >= c.horizon as usize => "never".into(),
        "dated" => date_of_step(c.start_date.as_deref(), &c.step_unit, k as u32)
            .unwrap_or_else(|| format!("{} {k}", crate::scenario::step_one(&c.step_unit))),
        "level" => format!("level {k}"),
        "rung" => match (c.summary.scenario.rungs.get(k), sc) {
            (Some(name), Some(sc)) => Labels { sc }.rung(k, name).to_string(),
            (Some(name), None) => name.clone(),
            (None, _) => format!("rung {k}"),
        },
        _ => k.to_string(),
    }
}

/// A band in words: "2016-01-04 – 2016-06-27 (26 weeks)", "tense – crisis (2 rungs)".
fn band_text(c: &CaseResult, f: &FactResult, b: Option<&Band>, sc: Option<&Scenario>) -> String {
    let Some(band) = b else {
        return "-".into();
    };
    let range = if band.low == band.high {
        category(c, f, band.low, sc)
    } else {
        format!(
            "{} – {}",
            category(c, f, band.low, sc),
            category(c, f, band.high, sc)
        )
    };
    match band.width {
        // A measure's levels are named in the range already.
        Some(_) if f.kind != "level" => format!("{range} ({})", width_text(c, f, b)),
        _ => range,
    }
}

fn interval(i: &crate::stats::Interval) -> String {
    format!("{} – {}", percent(i.low), percent(i.high))
}

// ---------------------------------------------------------------------------------------------
// The page.

/// The runs per case in words: "1,500", or "1,500 to 10,000" when the cases differ.
fn runs_words(b: &Backtest) -> String {
    let lo = b.cases.iter().map(|c| c.runs).min().unwrap_or(0);
    let hi = b.cases.iter().map(|c| c.runs).max().unwrap_or(0);
    if lo == hi {
        group_thousands(lo)
    } else {
        format!("{} to {}", group_thousands(lo), group_thousands(hi))
    }
}

/// A share of banded facts in words ("-" when none has bands).
fn share_of(cov: &[(f64, f64)], banded: usize, level: f64) -> String {
    coverage(cov, banded, level).map_or("-".into(), percent)
}

/// How many facts lie inside the central band of `level`, over every case.
fn inside_count(b: &Backtest, level: f64) -> usize {
    b.cases
        .iter()
        .flat_map(|c| &c.facts)
        .filter(|f| band(f, level).is_some_and(|x| x.contains))
        .count()
}

/// "k of n (s%)" for a share of banded facts; "-" when there are none.
fn count_share(k: usize, n: usize) -> String {
    if n == 0 {
        "-".into()
    } else {
        format!("{k} of {n} ({})", percent(k as f64 / n as f64))
    }
}

/// What was observed, in words, with the scenario's labels for a measure, a level or a rung
/// (the analysis's own words name them by id); as the analysis words it without the
/// timeline's fact.
fn observed_words(f: &FactResult, fact: Option<&Fact>, sc: Option<&Scenario>) -> String {
    let (Some(fact), Some(sc)) = (fact, sc) else {
        return f.observed.clone();
    };
    let labels = Labels { sc };
    match &fact.observed {
        Observed::LevelOn {
            measure,
            level,
            date,
        } => {
            let lever = labels.lever(measure);
            let level_name = sc.levers.iter().find_map(|l| match l {
                Lever::Measure(m) if m.name == *measure && *level > 0 => m
                    .levels
                    .get(*level as usize - 1)
                    .map(|x| shown(&x.label, &x.name)),
                _ => None,
            });
            match level_name {
                Some(n) => format!("{lever} at “{n}” (level {level}) on {date}"),
                None if *level == 0 => format!("{lever} not in force on {date}"),
                None => format!("{lever} at level {level} on {date}"),
            }
        }
        Observed::RungOn { rung, date } => {
            let label = sc
                .ladder
                .iter()
                .find(|r| r.name == *rung)
                .map_or(rung.as_str(), |r| shown(&r.label, &r.name));
            format!("mood on the rung “{label}” on {date}")
        }
        _ => f.observed.clone(),
    }
}

/// The dated facts whose target held from the first step in 95% of the runs or more while the
/// fact dates its first happening later: a first date the runs almost never give (a rung at or
/// below the mood every run starts in, an outcome true from the start), said beside the facts.
/// It scored near zero without a word, and validation cannot refuse it, since the mood may
/// still dip below the rung and climb back (a reviewing helper).
fn held_from_the_start(c: &CaseResult) -> Vec<String> {
    c.facts
        .iter()
        .filter(|f| f.kind == "dated" && f.observed_categories.is_some_and(|(lo, _)| lo > 0))
        .filter_map(|f| {
            let p = *f.distribution.first()?;
            // A tolerance that reaches back to the first step scores such a fact well: only
            // one the runs could not give is told (a reviewing helper).
            (p >= 0.95 && f.probability.estimate <= 0.05).then(|| {
                format!(
                    "{}: its target held from the first {} in {} of the runs, so it almost never \
                     first happens later, as observed; a fact about a rung or a state the runs \
                     start in asks for a date they cannot give (is its rung at or below the \
                     starting mood?)",
                    charts::short_label(&f.label, &f.name),
                    crate::scenario::step_one(&c.step_unit),
                    percent(p)
                )
            })
        })
        .collect()
}

/// The facts of one case as a table: label first, then what was observed and how the runs
/// scored it.
fn facts_table(c: &CaseResult, ctx: Option<&CaseContext>, label: &str) -> TableView {
    let mut t = TableView::new(
        format!("{label}: the facts"),
        &[
            ("fact", false),
            ("observed", false),
            ("P(as observed)", true),
            ("95% interval", true),
            ("PIT", true),
            ("in the 50 / 80 / 95% bands", false),
            ("80% band", false),
            ("log score", true),
        ],
    );
    t.empty = "The case has no facts.".into();
    let sc = ctx.map(|x| x.scenario);
    for f in &c.facts {
        let fact = ctx.and_then(|x| x.timeline.facts.iter().find(|g| g.name == f.name));
        t.rows.push(vec![
            shown(&f.label, &f.name).to_string(),
            observed_words(f, fact, sc),
            percent(f.probability.estimate),
            interval(&f.probability),
            pit_text(f.pit),
            if f.bands.is_empty() {
                "-".into()
            } else {
                format!(
                    "{} / {} / {}",
                    inside(f, 0.5),
                    inside(f, 0.8),
                    inside(f, 0.95)
                )
            },
            band_text(c, f, band(f, 0.8), sc),
            format!("{:.3}", f.log_score),
        ]);
    }
    t.notes.push(format!(
        "{} of {}{}, seed {}. Every fact held together in {}: the probability of \
         the whole observed path is {} ({}). Mean log score {:.3}, mean Brier {:.3}.",
        crate::report::charts::n_runs(c.runs),
        crate::scenario::n_steps(c.horizon, &c.step_unit),
        c.start_date
            .as_deref()
            .map(|d| format!(" from {d}"))
            .unwrap_or_default(),
        c.seed,
        crate::report::charts::n_runs(c.path_runs),
        percent(c.path_probability.estimate),
        interval(&c.path_probability),
        c.mean_log_score,
        c.mean_brier
    ));
    // The chart of when the dated facts happen reads "by each week", a larger share: an
    // analyst read 1.5% here against 87% there as a contradiction (a reviewing helper).
    t.notes.push(
        "P(as observed): the share of runs in which the fact held as it was observed (a dated \
         fact: its target first happened within the observed window, widened by its \
         tolerance). The chart of when the dated facts happen shows the share in which it had \
         happened by each week, at any date before: a larger share."
            .into(),
    );
    if c.facts.iter().any(|f| f.never.is_some_and(|p| p > 0.0)) {
        t.notes.push(
            "A dated fact's band that reaches “never” excludes no later date; its share of runs \
             in which the target never happened is in facts.csv (never_probability)."
                .into(),
        );
    }
    t.notes.extend(held_from_the_start(c));
    t
}

/// The held-out cases of a cross-validation, scored with their priors and with the numbers
/// calibrated on the other cases.
fn held_out_table(cv: &CrossValidation, ctx: &HistoryContext) -> TableView {
    let mut t = TableView::new(
        "Each case left out: priors → calibrated on the others",
        &[
            ("held-out case", false),
            ("facts", true),
            ("in 80% band", true),
            ("mean log score", true),
        ],
    );
    t.big = Some(3);
    t.empty = "No case was left out.".into();
    let (mut kp, mut kc, mut tn, mut tf) = (0, 0, 0, 0);
    for f in &cv.folds {
        let (p, n) = super::crossval::in80(&f.prior);
        let (c, _) = super::crossval::in80(&f.calibrated);
        kp += p;
        kc += c;
        tn += n;
        tf += f.calibrated.facts.len();
        t.rows.push(vec![
            ctx.label(&f.held_out).to_string(),
            f.calibrated.facts.len().to_string(),
            format!("{} → {}", count_share(p, n), count_share(c, n)),
            format!(
                "{:.3} → {:.3}",
                f.prior.mean_log_score, f.calibrated.mean_log_score
            ),
        ]);
    }
    t.rows.push(vec![
        "all held-out facts".into(),
        tf.to_string(),
        format!("{} → {}", count_share(kp, tn), count_share(kc, tn)),
        format!(
            "{:.3} → {:.3}",
            cv.prior.mean_log_score, cv.calibrated.mean_log_score
        ),
    ]);
    if let Some(d) = &cv.log_score_difference {
        let words = super::crossval::difference_words(d);
        let mut chars = words.chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
        t.notes
            .push(format!("{}{}.", first.unwrap_or_default(), chars.as_str()));
    }
    t.notes.push(
        "Each held-out case is scored twice on the same runs: with its priors, and with the \
         numbers calibrated on the other cases (each run draws one posterior particle). A \
         calibrated 80% band holds about 80% of the facts; a lower log score is better."
            .into(),
    );
    for f in &cv.folds {
        if let Some(w) = &f.warning {
            t.notes.push(format!(
                "Calibrated on all but {}: {w}",
                ctx.label(&f.held_out)
            ));
        }
    }
    t
}

/// `report.html` of a back-test on the analysis pages' template: the coverage of the bands
/// and the mean log score over all facts, a row per case (and, after a cross-validation, the
/// held-out cases with priors and calibrated) first, with the back-test's caveats; the PIT
/// histogram and every case's charts (`drawn[i]`: case `i`'s charts with their file stems);
/// each case's facts and their sources; the method; every case's assumptions ledger; the
/// scenarios' and timelines' sources; the manifest.
fn report(
    b: &Backtest,
    cv: Option<&CrossValidation>,
    ctx: &HistoryContext,
    drawn: &[Vec<(String, Chart)>],
    pit: Option<&Chart>,
) -> String {
    let names: Vec<&str> = b.cases.iter().map(|c| c.case.as_str()).collect();
    let sources = ctx.sources();
    let kind = if cv.is_some() {
        "cross-validation"
    } else {
        "back-test"
    };
    let mut p = header(
        kind,
        ctx.title(b.cases.len()),
        ctx.subject(&names),
        &ctx.options,
    );
    p.runs = runs_words(b);
    let cases_words = format!(
        "{} case{}",
        b.cases.len(),
        if b.cases.len() == 1 { "" } else { "s" }
    );
    p.setup = format!(
        "{cases_words} scored against what happened: {} observed fact{}, {} with a \
         distribution (dated facts, levels and rungs) whose central 50, 80 and 95% bands are \
         checked, and a PIT for {}; {} per case, seed {}. {}",
        b.facts,
        if b.facts == 1 { "" } else { "s" },
        b.banded_facts,
        b.pit_facts,
        match p.runs.as_str() {
            "1" => "1 run".to_string(),
            n => format!("{n} runs"),
        },
        b.cases.first().map_or(0, |c| c.seed),
        match (cv, &b.posterior) {
            (Some(cv), _) => {
                let mut x = format!(
                    "Each case was left out in turn: {} calibrated on the other cases, then the \
                     case scored with its priors and with the calibrated numbers; the scores \
                     below are the calibrated ones.",
                    cv.params.join(", ")
                );
                // A calibrated copy's other numbers are not priors: say which they are.
                if ctx.any_calibrated() {
                    x += &format!(" {}", ctx.drawn_words());
                }
                x
            }
            (None, Some(post)) => format!(
                "The runs took the calibrated numbers from the posterior of {post}: each run \
                 drew one of its particles in place of the priors of those numbers."
            ),
            (None, None) => ctx.drawn_words(),
        }
    );
    p.setup.push_str(&ctx.set_words());

    // The summary: the bands and the log score over every fact, then a row per case.
    let mut t = TableView::new(
        match b.facts {
            1 => "Over the one fact".to_string(),
            n => format!("Over all {n} facts"),
        },
        &[("", false), ("facts", true), ("share (95%)", true)],
    );
    t.big = Some(2);
    for (j, q) in crate::analysis::backtest::BANDS.into_iter().enumerate() {
        let k = inside_count(b, q);
        let share = share_of(&b.coverage, b.banded_facts, q);
        t.rows.push(vec![
            format!("inside the central {:.0}% band", q * 100.0),
            format!("{k} of {}", b.banded_facts),
            match b.coverage_interval.get(j) {
                Some(i) => format!("{share} ({})", interval(i)),
                None => share,
            },
        ]);
    }
    t.rows.push(vec![
        "mean log score".into(),
        b.facts.to_string(),
        format!("{:.3}", b.mean_log_score),
    ]);
    t.notes.push(if b.banded_facts > 0 {
        "A calibrated model puts about 50, 80 and 95% of the observations inside its central \
         50, 80 and 95% bands. A share's 95% interval (Wilson) treats the facts as independent \
         draws; a case's facts share its runs, so it is if anything too narrow. The log score \
         is −ln of the probability the model gave the fact: lower is better."
            .into()
    } else {
        "No fact has a distribution: there are no bands to check.".into()
    });
    p.summary.push(t);
    let mut t = TableView::new(
        "Each case",
        &[
            ("case", false),
            ("facts", true),
            ("in 80% band", true),
            ("mean log score", true),
            ("P(whole path) (95%)", true),
        ],
    );
    t.big = Some(3);
    for c in &b.cases {
        let k = c
            .facts
            .iter()
            .filter(|f| band(f, 0.8).is_some_and(|x| x.contains))
            .count();
        // The case's label up to its dates ("Russia–Turkey, 24 Nov 2015 – …"): the summary
        // must fit one screen, the tables below have it whole.
        let label = ctx.label(&c.case);
        t.rows.push(vec![
            label.split(", ").next().unwrap_or(label).to_string(),
            c.facts.len().to_string(),
            count_share(k, c.banded_facts),
            format!("{:.3}", c.mean_log_score),
            format!(
                "{} ({})",
                percent(c.path_probability.estimate),
                interval(&c.path_probability)
            ),
        ]);
    }
    t.notes.push(
        "P(whole path): the share of runs in which every fact of the case held, with its 95% \
         Wilson interval."
            .into(),
    );
    p.summary.push(t);
    if let Some(cv) = cv {
        p.summary.push(held_out_table(cv, ctx));
    }
    // The figures are scores against history, not probabilities of the scenario: the shared
    // paragraph ("each is the share of runs in which the thing happened") misread them.
    p.probabilities = false;
    p.caveat = vec![
        "Scores, not probabilities. Each share says how many observed facts fell inside the \
         runs' bands, each log score how much probability the runs gave what happened (lower \
         is better): how well the scenarios as written foresaw one history, not how likely it \
         was."
            .into(),
        format!(
            "Few facts. These scores rest on {} from {cases_words}, {} of them with bands: \
             one fact more or less inside a band moves a share by several points, so read the \
             coverage as a rough check, not a measurement.",
            crate::text::counted(b.facts, "fact", "facts"),
            b.banded_facts
        ),
        // True of any timeline, not only of brink's own development cases (a user's timeline
        // drew this sentence about "these crises" too).
        if cv.is_some() {
            "Cases the scenario knows. Each case left out was scored with numbers calibrated \
             without it, which tests those numbers as a prediction; but a scenario written with \
             a crisis in mind still knows it in its levers, events and dates, so even these \
             scores flatter the model somewhat."
                .into()
        } else {
            "Cases the scenario knows. A scenario written with a crisis in mind, or calibrated to \
             it (as brink's development cases in scenarios/history/ are), scores better on that \
             crisis than it would on one it has not seen. Only a case left out of the \
             calibration (brink backtest --cross-validate) tests a prediction."
                .into()
        },
        "One history. Each score sets conditional scenario probabilities against the one way \
         each crisis ran: a fact the runs gave 10% is not a miss because it happened. Only many \
         facts together say whether the model's probabilities are too sure or not sure enough."
            .into(),
    ];

    // The charts: the PIT histogram over every case, then each case's.
    if let Some(pit) = pit {
        p.charts.push(ChartView::new(pit.name, pit));
    }
    for mine in drawn {
        for (file, chart) in mine {
            p.charts.push(ChartView::new(file, chart));
        }
    }

    // The tables: each case's facts and their sources, the PIT shares, the folds.
    for c in &b.cases {
        let cx = ctx.case(&c.case);
        let label = ctx.label(&c.case);
        p.tables.push(facts_table(c, cx, label));
        let mut s = TableView::new(
            format!("{label}: where each fact comes from"),
            &[("fact", false), ("source", false)],
        );
        for f in &c.facts {
            s.rows
                .push(vec![shown(&f.label, &f.name).to_string(), f.source.clone()]);
        }
        p.tables.push(s);
    }
    if b.pit_facts > 0 {
        let nbins = b.pit_histogram.len().max(1) as f64;
        let mut t = TableView::new(
            format!(
                "PIT histogram over {}",
                crate::text::counted(b.pit_facts, "fact", "facts")
            ),
            &[
                ("PIT", true),
                ("share of facts", true),
                ("95% interval", true),
            ],
        );
        for (i, share) in b.pit_histogram.iter().enumerate() {
            t.rows.push(vec![
                format!("{:.1}–{:.1}", i as f64 / nbins, (i + 1) as f64 / nbins),
                percent(*share),
                b.pit_interval(i).text(percent, " – "),
            ]);
        }
        t.notes.push(format!(
            "A calibrated model gives {} in every bin. The intervals treat the facts as \
             independent (a case's facts read the same runs: if anything too narrow).",
            percent(1.0 / nbins)
        ));
        p.tables.push(t);
    }
    if let Some(cv) = cv {
        let mut t = TableView::new(
            "What each held-out case took from the others",
            &[
                ("held-out case", false),
                ("calibrated on", false),
                ("numbers it took", false),
                ("the calibration stopped", false),
                ("final tolerance", true),
                ("simulations", true),
            ],
        );
        for f in &cv.folds {
            t.rows.push(vec![
                ctx.label(&f.held_out).to_string(),
                f.trained_on
                    .iter()
                    .map(|n| ctx.label(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                if f.transferred.is_empty() {
                    "none (no calibrated number applies to it)".into()
                } else {
                    f.transferred.join(", ")
                },
                f.stop_reason.clone(),
                fmt_num(f.tolerance),
                group_thousands(f.simulations),
            ]);
        }
        p.tables.push(t);
    }

    p.method = vec![
        "Probability. The share of runs in which the fact held (a dated fact: its target first \
         happened within the observed window widened by its tolerance), with its 95% Wilson \
         interval; P(whole path) is the share of runs in which every fact of the case held."
            .into(),
        "Log score and Brier. The log score is −ln p, with p taken as (k + ½)/(n + 1) so that \
         a fact no run produced scores finitely; the Brier score is (1 − p)². Both are proper \
         scores: lower is better, and no forecaster gains by stating other probabilities than \
         their own."
            .into(),
        "PIT. The probability integral transform is where an observation falls in the model's \
         distribution (of the first date, “never” counted after the horizon; of the level; of \
         the rung). The distributions are discrete, so it is an interval [F(y−), F(y)], spread \
         evenly over the histogram's bins it covers (the non-randomised PIT of Czado, Gneiting \
         & Held 2009). A calibrated model gives the same share in every bin; a U shape means \
         the model is too sure, a hump in the middle that it is not sure enough."
            .into(),
        "Bands. Whether the observation lies in the central 50, 80 and 95% bands of the \
         model's distribution, and how wide the 80% band is (steps for dates, categories for \
         levels and rungs); a dated fact's band that reaches “never” is shown as such, so that \
         a band wide enough to hold anything does not pass for calibration."
            .into(),
        "CRPS. For dated facts, the continuous ranked probability score in steps (“never” \
         counted as the horizon), and the ranked probability score for levels and rungs; \
         both are in facts.csv."
            .into(),
    ];
    if let Some(cv) = cv {
        p.method.push(format!(
            "Cross-validation. Each case was left out in turn; {} {} calibrated on the other \
             cases by ABC-SMC (Del Moral, Doucet & Jasra 2012), and the case left out was \
             back-tested twice on the same runs, once with its priors and once with each run \
             drawing one particle of that posterior.",
            cv.params.join(", "),
            if cv.params.len() == 1 { "was" } else { "were" }
        ));
    }
    p.ledger = ctx.ledger();
    p.sources = &sources;
    p.manifest = vec![
        (
            "tool".into(),
            format!("brink {}", env!("CARGO_PKG_VERSION")),
        ),
        ("command".into(), crate::text::shell_command(&ctx.command)),
        (
            "seed".into(),
            b.cases.first().map_or(0, |c| c.seed).to_string(),
        ),
        ("runs per case".into(), p.runs.clone()),
        (
            "calibrated numbers from".into(),
            b.posterior.clone().unwrap_or_else(|| {
                let calibrated: Vec<&str> = (ctx.cases.iter())
                    .filter(|c| !super::history::calibrated_paths(c.scenario).is_empty())
                    .map(|c| c.name())
                    .collect();
                match calibrated.as_slice() {
                    [] => "(none: priors)".into(),
                    [_] if ctx.cases.len() == 1 => {
                        "(none given: a calibrated copy, its numbers as the file writes them)"
                            .into()
                    }
                    cases if cases.len() == ctx.cases.len() => {
                        "(none given: calibrated copies, their numbers as the files write them)"
                            .into()
                    }
                    cases => format!(
                        "(none given: calibrated copies for {}, their numbers as the files \
                         write them; priors for the others)",
                        cases.join(", ")
                    ),
                }
            }),
        ),
    ];
    p.manifest.extend(ctx.file_rows());
    if let Some(d) = &ctx.options.date {
        p.manifest.push(("analysis date (UTC)".into(), d.clone()));
    }
    render(p)
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
            "{} — scenario {}, {}, seed {}{}\n",
            c.case,
            c.scenario,
            crate::report::charts::n_runs(c.runs),
            c.seed,
            c.start_date
                .as_ref()
                .map(|d| format!(", from {d}"))
                .unwrap_or_default()
        );
        let mut t = Table::new(&[
            "fact",
            "observed",
            "P as observed (95% interval)",
            "PIT",
            "in 80%",
            "80% band width",
            "log score",
        ]);
        for f in &c.facts {
            // The fact by its label (its name is in facts.csv).
            t.row(vec![
                charts::fit_chars(&charts::short_label(&f.label, &f.name), 44),
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
        for note in held_from_the_start(c) {
            o += &format!("note: {note}\n");
        }
        o += &format!(
            "path probability (every fact held): {} ({}), {} of {}\n\n",
            percent(c.path_probability.estimate),
            interval(&c.path_probability),
            group_thousands(c.path_runs),
            crate::report::charts::n_runs(c.runs)
        );
    }
    o += &format!(
        "{} case{}, {}, {} with bands\n",
        b.cases.len(),
        if b.cases.len() == 1 { "" } else { "s" },
        crate::text::counted(b.facts, "fact", "facts"),
        b.banded_facts
    );
    if b.banded_facts > 0 {
        let cells: Vec<String> = crate::analysis::backtest::BANDS
            .iter()
            .enumerate()
            .map(|(j, &q)| {
                let inside = b
                    .cases
                    .iter()
                    .flat_map(|c| &c.facts)
                    .filter(|f| band(f, q).is_some_and(|x| x.contains))
                    .count();
                let within = b
                    .coverage_interval
                    .get(j)
                    .map(|i| format!(", 95% {}", interval(i)))
                    .unwrap_or_default();
                format!(
                    "{:.0}% band {inside} of {} ({}{within})",
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
            "PIT histogram ({} bins over {}; {:.2} each if calibrated; their 95% intervals in \
             pit.csv): {}\n",
            b.pit_histogram.len(),
            crate::text::counted(b.pit_facts, "fact", "facts"),
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
    fn words_for_pits_and_units() {
        assert_eq!(pit_text(None), "-");
        assert_eq!(pit_text(Some((0.25, 0.252))), "0.25");
        assert_eq!(pit_text(Some((0.1, 0.4))), "0.10–0.40");
        // Narrow, but its ends print apart (found by a reviewing helper: it read "0.00").
        assert_eq!(pit_text(Some((0.0035, 0.006))), "0.00–0.01");
        assert_eq!(pit_text(Some((0.4535, 0.457))), "0.45–0.46");
        assert_eq!(crate::scenario::steps("week"), "weeks");
        assert_eq!(crate::scenario::steps("days"), "days");
        assert_eq!(crate::scenario::steps(""), "steps");
    }
}
