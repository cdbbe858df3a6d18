//! What `brink compare` writes and prints: compare.json, compare.csv, the comparison charts
//! and the readable summary.

use crate::analysis::compare::CompareResult;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::Artifact;
use crate::report::html::ReportOptions;
use crate::stats::Interval;

/// Every file of a comparison (`base` is the base arm's model, for the charts' vocabulary
/// and the page's labels, ledger and sources): with `charts`, every chart and `report.html`,
/// titled and dated by `options`. See [`files_for`] for the tables' units and runs.csv.
pub fn files(
    base: &Model,
    r: &CompareResult,
    charts: bool,
    options: &ReportOptions,
) -> Result<Vec<Artifact>> {
    files_for(base, r, charts, options, None)
}

/// [`files`] with, after `--per-run`, the columns of the runs.csv written beside them, which
/// `columns.json` then describes too.
pub fn files_for(
    base: &Model,
    r: &CompareResult,
    charts: bool,
    options: &ReportOptions,
    per_run: Option<crate::report::dictionary::PerRunTable>,
) -> Result<Vec<Artifact>> {
    use crate::report::dictionary as d;
    let cost_unit = base.scenario.cost_unit.as_str();
    let labels = outcome_labels(base, r);
    let actors: Vec<String> = base.actors.iter().map(|a| a.name.clone()).collect();
    let mut tables = vec![
        d::TableDoc::new(
            "compare.csv",
            "one row per (variant, outcome): the outcome's probability in the arm and its paired \
             difference from the base",
            d::compare_columns(r, &labels),
        ),
        d::TableDoc::new(
            "compare_means.csv",
            "one row per (variant, quantity): each actor's mean cost and the mean peak and final \
             index in the arm, with the paired difference from the base",
            d::compare_means_columns(r, &actors, cost_unit),
        ),
    ];
    if let Some(c) = per_run {
        tables.push(d::runs_table(
            c,
            "one row per (run, variant), in run order and, within a run, the base then each \
             variant: the numbers it sampled (in.) and what it produced (out.)",
        ));
    }
    let mut files = vec![
        Artifact::json("compare.json", r)?,
        Artifact::new("compare.csv", table_with(r, &labels).csv("compare.csv")?),
        Artifact::new("compare_means.csv", means_csv(r, &actors, cost_unit)?),
        d::columns_json(&tables)?,
    ];
    if charts {
        let drawn = crate::report::charts::compare::render_all(base, r)?;
        for c in &drawn {
            files.extend(c.artifacts());
        }
        files.push(Artifact::new(
            "report.html",
            crate::report::pages::compare(base, r, &drawn, options),
        ));
    }
    Ok(files)
}

/// Each outcome's label (its name when it has none), in the result's order.
fn outcome_labels(base: &Model, r: &CompareResult) -> Vec<String> {
    r.outcomes
        .iter()
        .map(|n| {
            base.outcomes
                .iter()
                .find(|o| &o.name == n && !o.label.trim().is_empty())
                .map_or(n.clone(), |o| o.label.clone())
        })
        .collect()
}

/// The table of `compare.csv` as the command line writes it, one row per (variant, outcome) in
/// separate columns (see [`crate::report::dictionary::compare_columns`]): the arm's probability
/// with its Wilson interval, the base's, and the paired difference in percentage points with
/// its interval; each outcome's label from the base model `base` (its name where it has none).
pub fn table(base: &Model, r: &CompareResult) -> crate::report::csv::Table {
    table_with(r, &outcome_labels(base, r))
}

fn table_with(r: &CompareResult, labels: &[String]) -> crate::report::csv::Table {
    let base = r.arms.first();
    let pts = |x: f64| (100.0 * x).to_string();
    let mut rows = vec![];
    for a in &r.arms {
        let lever = a.lever.as_deref().unwrap_or_default();
        for (k, o) in a.outcomes.iter().enumerate() {
            let base_p = base
                .and_then(|b| b.outcomes.get(k))
                .map_or(String::new(), |b| b.probability.estimate.to_string());
            rows.push(vec![
                a.name.clone(),
                a.kind.clone(),
                lever.to_string(),
                o.outcome.clone(),
                labels.get(k).unwrap_or(&o.outcome).clone(),
                o.probability.estimate.to_string(),
                o.probability.low.to_string(),
                o.probability.high.to_string(),
                base_p,
                pts(o.difference.estimate),
                pts(o.difference.low),
                pts(o.difference.high),
                r.manifest.runs.to_string(),
            ]);
        }
    }
    crate::report::csv::Table {
        columns: crate::report::dictionary::compare_columns(r, labels),
        rows,
    }
}

/// `compare_means.csv`: one row per (variant, quantity): each actor's mean cost (`quantity`
/// `cost`, `actor` its name) and the mean peak and final index, with the base's mean and the
/// paired difference.
pub fn means_csv(r: &CompareResult, actors: &[String], cost_unit: &str) -> Result<Vec<u8>> {
    use crate::report::csv::safe_record;
    let err = |e: csv::Error| Error::table("compare_means.csv", e);
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(safe_record(crate::report::dictionary::names(
        &crate::report::dictionary::compare_means_columns(r, actors, cost_unit),
    )))
    .map_err(err)?;
    let base = r.arms.first();
    // An end the runs do not bound (fewer than two) is an empty field.
    let end = |x: f64| {
        if x.is_finite() {
            x.to_string()
        } else {
            String::new()
        }
    };
    for a in &r.arms {
        let lever = a.lever.as_deref().unwrap_or_default();
        for (k, m) in a.means.iter().enumerate() {
            let (quantity, actor, unit) = match m.quantity.strip_prefix("cost_") {
                Some(actor) => ("cost", actor, cost_unit),
                None => (m.quantity.as_str(), "", "Goldstein points"),
            };
            let base_mean = base
                .and_then(|b| b.means.get(k))
                .map_or(String::new(), |b| b.mean.estimate.to_string());
            w.write_record(safe_record([
                a.name.as_str(),
                &a.kind,
                lever,
                quantity,
                actor,
                unit,
                &m.mean.estimate.to_string(),
                &end(m.mean.low),
                &end(m.mean.high),
                &base_mean,
                &m.difference.estimate.to_string(),
                &end(m.difference.low),
                &end(m.difference.high),
            ]))
            .map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::io("write", "compare_means.csv", e.into_error()))
}

/// The readable summary printed after a comparison: every variant's effect on the focus
/// outcome (the tornado's, else the first), then the tornado. `compare.csv` has every outcome.
///
/// With `sc` (the base scenario), outcomes, variants and levers are named by their labels.
pub fn text(r: &CompareResult, sc: Option<&crate::scenario::Scenario>) -> String {
    use crate::report::charts::{fit_chars, short_label};
    use crate::report::describe::Table;
    let labels = sc.map(|sc| crate::report::html::Labels { sc });
    let outcome = |n: &str| -> String {
        sc.map_or(n.to_string(), |sc| {
            crate::report::charts::outcome_label(sc, n)
        })
    };
    let variant = |n: &str| -> String {
        labels
            .as_ref()
            .map_or(n.to_string(), |l| l.short_variant(n).into_owned())
    };
    let lever = |n: &str| -> String {
        labels
            .as_ref()
            .map_or(n.to_string(), |l| short_label(l.lever(n), n))
    };
    let mut o = format!(
        "{} — {} per arm on common random numbers, seed {}\n",
        r.manifest.scenario,
        crate::report::charts::n_runs(r.manifest.runs),
        r.manifest.seed
    );
    let focus = r.focus_index();
    if let Some(name) = r.outcomes.get(focus) {
        o += &format!(
            "\nP({}) by variant, with the paired difference from the base:\n",
            outcome(name)
        );
        let mut t = Table::new(&[
            "arm",
            "probability",
            "95% interval",
            "difference",
            "95% interval",
            "name",
        ]);
        for a in r
            .arms
            .iter()
            .filter(|a| a.kind == "base" || a.kind == "variant")
        {
            let oc = &a.outcomes[focus];
            let (d, di) = if a.kind == "base" {
                (String::new(), String::new())
            } else {
                (
                    super::signed(oc.difference.estimate, 3),
                    format!(
                        "{} to {}",
                        super::signed_end(oc.difference.low, 3),
                        super::signed_end(oc.difference.high, 3)
                    ),
                )
            };
            // Labels cut as `run` cuts an outcome's, and the name last (what `--variant` takes):
            // two variants of one label, or of labels alike up to the cut, read apart by it.
            t.row(vec![
                if a.kind == "base" {
                    "base".to_string()
                } else {
                    fit_chars(&variant(&a.name), 48)
                },
                crate::report::charts::probability(oc.probability.estimate),
                format!(
                    "{} – {}",
                    crate::report::charts::probability(oc.probability.low),
                    crate::report::charts::probability(oc.probability.high)
                ),
                d,
                di,
                if a.kind == "base" {
                    String::new()
                } else {
                    a.name.clone()
                },
            ]);
        }
        o += &t.render();
    }
    // A scenario without levers has no tornado to print: a heading over an empty table said
    // otherwise.
    if let Some(tor) = r.tornado.as_ref().filter(|t| !t.bars.is_empty()) {
        o += &format!(
            "\nLever effects on P({}) (base {}), paired differences with 95% intervals:\n",
            outcome(&tor.outcome),
            crate::report::charts::probability(tor.base_probability.estimate)
        );
        let mut t = Table::new(&["lever", "forced to top level", "frozen", "name"]);
        let f = |i: &Interval| {
            format!(
                "{} ({} to {})",
                super::signed(i.estimate, 3),
                super::signed_end(i.low, 3),
                super::signed_end(i.high, 3)
            )
        };
        for b in &tor.bars {
            let label = fit_chars(&lever(&b.lever), 48);
            t.row(vec![
                if b.by_definition {
                    format!("{label} (by definition)")
                } else {
                    label
                },
                b.forced.as_ref().map_or("-".into(), f),
                f(&b.frozen),
                b.lever.clone(),
            ]);
        }
        o += &t.render();
        if tor.bars.iter().any(|b| b.by_definition) {
            o += &format!(
                "(by definition): {} reads the lever itself, so forcing or freezing it moves the \
                 outcome by its definition, not through the crisis.\n",
                outcome(&tor.outcome)
            );
        }
    }
    o
}
