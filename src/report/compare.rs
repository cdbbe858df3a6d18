//! What `brink compare` writes and prints: compare.json, compare.csv, the comparison charts
//! and the readable summary.

use crate::analysis::compare::CompareResult;
use crate::error::Result;
use crate::model::Model;
use crate::report::Artifact;
use crate::stats::Interval;

/// Every file of a comparison (`base` is the base arm's model, for the charts' vocabulary).
pub fn files(base: &Model, r: &CompareResult, charts: bool) -> Result<Vec<Artifact>> {
    let mut files = vec![
        Artifact::json("compare.json", r)?,
        Artifact::new("compare.csv", csv(r)),
    ];
    if charts {
        for c in crate::report::charts::compare::render_all(base, r)? {
            files.extend(c.artifacts());
        }
    }
    Ok(files)
}

/// `compare.csv`: one row per arm and outcome or mean, with the paired difference from base.
pub fn csv(r: &CompareResult) -> Vec<u8> {
    let mut out = String::from(
        "arm,kind,lever,measure,value,ci95_low,ci95_high,difference,difference_ci95_low,difference_ci95_high\n",
    );
    for a in &r.arms {
        let lever = a.lever.clone().unwrap_or_default();
        for o in &a.outcomes {
            out += &format!(
                "{},{},{},P({}),{},{},{},{},{},{}\n",
                a.name,
                a.kind,
                lever,
                o.outcome,
                o.probability.estimate,
                o.probability.low,
                o.probability.high,
                o.difference.estimate,
                o.difference.low,
                o.difference.high
            );
        }
        for m in &a.means {
            out += &format!(
                "{},{},{},mean {},{},{},{},{},{},{}\n",
                a.name,
                a.kind,
                lever,
                m.quantity,
                m.mean.estimate,
                m.mean.low,
                m.mean.high,
                m.difference.estimate,
                m.difference.low,
                m.difference.high
            );
        }
    }
    out.into_bytes()
}

/// The readable summary printed after a comparison: every variant's effect on the focus
/// outcome (the tornado's, else the first), then the tornado. `compare.csv` has every outcome.
pub fn text(r: &CompareResult) -> String {
    use crate::report::describe::Table;
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
        o += &format!("\nP({name}) by variant, with the paired difference from the base:\n");
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
                a.name.clone(),
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
            tor.outcome, tor.base_probability.estimate
        );
        let mut t = Table::new(&["lever", "forced to top level", "frozen"]);
        let f = |i: &Interval| format!("{:+.3} ({:+.3}..{:+.3})", i.estimate, i.low, i.high);
        for b in &tor.bars {
            t.row(vec![
                b.lever.clone(),
                b.forced.as_ref().map_or("-".into(), f),
                f(&b.frozen),
            ]);
        }
        o += &t.render();
    }
    o
}
