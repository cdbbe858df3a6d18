//! What `brink compare` writes and prints: compare.json, compare.csv, the comparison charts
//! and the readable summary.

use crate::analysis::compare::CompareResult;
use crate::error::Result;
use crate::model::Model;
use crate::report::Artifact;
use crate::report::csv::{Kind, Table};
use crate::report::html::ReportOptions;
use crate::stats::Interval;

/// Every file of a comparison (`base` is the base arm's model, for the charts' vocabulary
/// and the page's labels, ledger and sources): with `charts`, every chart and `report.html`,
/// titled and dated by `options`.
pub fn files(
    base: &Model,
    r: &CompareResult,
    charts: bool,
    options: &ReportOptions,
) -> Result<Vec<Artifact>> {
    let mut files = vec![
        Artifact::json("compare.json", r)?,
        Artifact::new("compare.csv", csv(r)?),
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

/// `compare.csv`: one row per arm and outcome or mean, with the paired difference from base.
/// Every name in it is a validated scenario name (letters, digits, `_`, `-`), so no field
/// is ever quoted.
pub fn csv(r: &CompareResult) -> Result<Vec<u8>> {
    table(r).csv("compare.csv")
}

/// The table of `compare.csv` (see [`csv`]).
pub fn table(r: &CompareResult) -> Table {
    let text = ["arm", "kind", "lever", "measure"].map(|n| (n.to_string(), Kind::Text));
    let real = [
        "value",
        "ci95_low",
        "ci95_high",
        "difference",
        "difference_ci95_low",
        "difference_ci95_high",
    ]
    .map(|n| (n.to_string(), Kind::Real));
    let mut rows = vec![];
    for a in &r.arms {
        let lever = a.lever.as_deref().unwrap_or_default();
        let measures = a
            .outcomes
            .iter()
            .map(|o| (format!("P({})", o.outcome), o.probability, o.difference))
            .chain(
                a.means
                    .iter()
                    .map(|m| (format!("mean {}", m.quantity), m.mean, m.difference)),
            );
        for (measure, v, d) in measures {
            rows.push(vec![
                a.name.clone(),
                a.kind.clone(),
                lever.to_string(),
                measure,
                v.estimate.to_string(),
                v.low.to_string(),
                v.high.to_string(),
                d.estimate.to_string(),
                d.low.to_string(),
                d.high.to_string(),
            ]);
        }
    }
    Table {
        columns: text.into_iter().chain(real).collect(),
        rows,
    }
}

/// The readable summary printed after a comparison: every variant's effect on the focus
/// outcome (the tornado's, else the first), then the tornado. `compare.csv` has every outcome.
///
/// With `sc` (the base scenario), outcomes, variants and levers are named by their labels.
pub fn text(r: &CompareResult, sc: Option<&crate::scenario::Scenario>) -> String {
    use crate::report::charts::short_label;
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
            .map_or(n.to_string(), |l| short_label(l.variant(n), n))
    };
    let lever = |n: &str| -> String {
        labels
            .as_ref()
            .map_or(n.to_string(), |l| short_label(l.lever(n), n))
    };
    let mut o = format!(
        "{} — {} runs per arm on common random numbers, seed {}\n",
        r.manifest.scenario, r.manifest.runs, r.manifest.seed
    );
    let focus = r
        .tornado
        .as_ref()
        .and_then(|t| r.outcomes.iter().position(|n| *n == t.outcome))
        .unwrap_or(0);
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
                    format!("{:+.3}", oc.difference.estimate),
                    format!("{:+.3} .. {:+.3}", oc.difference.low, oc.difference.high),
                )
            };
            t.row(vec![
                if a.kind == "base" {
                    "base".to_string()
                } else {
                    variant(&a.name)
                },
                format!("{:.3}", oc.probability.estimate),
                format!("{:.3} .. {:.3}", oc.probability.low, oc.probability.high),
                d,
                di,
            ]);
        }
        o += &t.render();
    }
    if let Some(tor) = &r.tornado {
        o += &format!(
            "\nLever effects on P({}) (base {:.3}), paired differences with 95% intervals:\n",
            outcome(&tor.outcome),
            tor.base_probability.estimate
        );
        let mut t = Table::new(&["lever", "forced to top level", "frozen"]);
        let f = |i: &Interval| format!("{:+.3} ({:+.3}..{:+.3})", i.estimate, i.low, i.high);
        for b in &tor.bars {
            t.row(vec![
                if b.by_definition {
                    format!("{} (by definition)", lever(&b.lever))
                } else {
                    lever(&b.lever)
                },
                b.forced.as_ref().map_or("-".into(), f),
                f(&b.frozen),
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
