//! What `brink sweep` writes and prints: sweep.json, sweep.csv, the chart of every outcome
//! along the grid, and the readable summary.

use crate::analysis::sweep::{SweepPoint, SweepResult};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::Artifact;
use crate::report::html::ReportOptions;
use crate::scenario::param::fmt_num;

/// Every file of a sweep: with `charts`, the chart and `report.html` (titled and dated by
/// `options`; `model` is the scenario compiled with the sweep's variant, for the page's
/// labels, ledger and sources).
pub fn files(
    model: &Model,
    r: &SweepResult,
    charts: bool,
    options: &ReportOptions,
) -> Result<Vec<Artifact>> {
    let mut files = vec![
        Artifact::json("sweep.json", r)?,
        Artifact::new("sweep.csv", csv(r)?),
    ];
    if charts {
        let drawn = [crate::report::charts::sweep::render(r)?];
        files.extend(drawn[0].artifacts());
        files.push(Artifact::new(
            "report.html",
            crate::report::pages::sweep(model, r, &drawn, options),
        ));
    }
    Ok(files)
}

/// `sweep.csv`: one row per grid value and outcome, with the Wilson interval and each actor's
/// mean cumulative cost at that value.
pub fn csv(r: &SweepResult) -> Result<Vec<u8>> {
    let err = |e: csv::Error| Error::table("sweep.csv", e);
    let mut w = csv::Writer::from_writer(vec![]);
    let mut header: Vec<String> = ["value", "outcome", "probability", "ci95_low", "ci95_high"]
        .map(String::from)
        .to_vec();
    header.extend(r.actors.iter().map(|a| format!("mean_cost_{a}")));
    w.write_record(&header).map_err(err)?;
    for p in &r.points {
        for o in &p.outcomes {
            let mut row = vec![
                p.value.to_string(),
                o.outcome.clone(),
                o.probability.estimate.to_string(),
                o.probability.low.to_string(),
                o.probability.high.to_string(),
            ];
            row.extend(p.costs.iter().map(|c| c.mean.estimate.to_string()));
            w.write_record(&row).map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::io("write", "sweep.csv", e.into_error()))
}

/// The readable summary printed after a sweep: each outcome at the two ends of the grid and
/// its lowest and highest value along it.
pub fn text(r: &SweepResult) -> String {
    use crate::report::describe::Table;
    let m = &r.manifest;
    let mut o = format!(
        "{} — {} from {} to {} in {} steps ({} runs per value on common random numbers, seed {}{})\n",
        m.scenario,
        r.path,
        fmt_num(r.from),
        fmt_num(r.to),
        r.steps,
        m.runs,
        m.seed,
        m.variant
            .as_ref()
            .map(|v| format!(", variant {v}"))
            .unwrap_or_default()
    );
    o += &format!("the scenario has {} = {}\n\n", r.path, r.scenario_param);
    let (first, last) = (&r.points[0], &r.points[r.points.len() - 1]);
    let mut t = Table::new(&[
        "outcome",
        &format!("at {}", fmt_num(first.value)),
        &format!("at {}", fmt_num(last.value)),
        "lowest (at)",
        "highest (at)",
    ]);
    for (k, name) in r.outcomes.iter().enumerate() {
        let p = |pt: &SweepPoint| pt.outcomes[k].probability.estimate;
        let lo = r
            .points
            .iter()
            .min_by(|a, b| p(a).total_cmp(&p(b)))
            .unwrap_or(first);
        let hi = r
            .points
            .iter()
            .max_by(|a, b| p(a).total_cmp(&p(b)))
            .unwrap_or(first);
        t.row(vec![
            name.clone(),
            format!("{:.3}", p(first)),
            format!("{:.3}", p(last)),
            format!("{:.3} ({})", p(lo), fmt_num(lo.value)),
            format!("{:.3} ({})", p(hi), fmt_num(hi.value)),
        ]);
    }
    o += &t.render();
    o
}
