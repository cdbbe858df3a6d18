//! What `brink run` (and `brink merge` of run shards) writes and prints: summary.json, the
//! CSV tables, every chart, report.html, and the readable summary.

use crate::analysis::Summary;
use crate::error::Result;
use crate::model::Model;
use crate::report::Artifact;
use crate::report::charts::{cost_figures, cost_percentile};
use crate::report::describe::Table;
pub use crate::report::html::ReportOptions;

/// Every file of a run: summary.json, outcomes.csv, timeseries.csv and, when `charts` is true,
/// every chart as `<name>.png` and `<name>.svg` plus `report.html`. (`runs.csv`, written as the
/// runs complete, is the application's.) The report has no title of its own and no analysis
/// date: [`files_with`] gives them.
pub fn files(model: &Model, summary: &Summary, charts: bool) -> Result<Vec<Artifact>> {
    files_with(model, summary, charts, &ReportOptions::default())
}

/// [`files`], with report.html titled and dated by `options` (`brink run --report-title`, and
/// the day of the analysis).
pub fn files_with(
    model: &Model,
    summary: &Summary,
    charts: bool,
    options: &ReportOptions,
) -> Result<Vec<Artifact>> {
    files_traced(model, summary, charts, options, None)
}

/// [`files_with`], with one traced run of the same seed and variant (`brink run` traces run 0)
/// drawn as a timeline of its moves, events and mood among the charts (`trace_timeline`): one
/// storyline among the runs behind the probabilities.
pub fn files_traced(
    model: &Model,
    summary: &Summary,
    charts: bool,
    options: &ReportOptions,
    traced: Option<&crate::analysis::trace::TraceOutput>,
) -> Result<Vec<Artifact>> {
    let mut files = vec![
        Artifact::json("summary.json", summary)?,
        Artifact::new("outcomes.csv", crate::report::csv::outcomes(summary)?),
        Artifact::new("timeseries.csv", crate::report::csv::timeseries(summary)?),
    ];
    if charts {
        let mut drawn = crate::report::charts::render_all(model, summary)?;
        if let Some(t) = traced {
            drawn.extend(
                crate::report::trace::timeline_charts(model, t)?
                    .into_iter()
                    .map(|(_, chart)| chart),
            );
        }
        for c in &drawn {
            files.extend(c.artifacts());
        }
        files.push(Artifact::new(
            "report.html",
            crate::report::html::report(model, summary, &drawn, options),
        ));
    }
    Ok(files)
}

/// The short readable summary printed after a run.
pub fn text(s: &Summary) -> String {
    let mut o = String::new();
    let m = &s.manifest;
    o += &format!(
        "{} — {}{}, seed {}{}\n\n",
        s.scenario.name,
        crate::report::charts::n_runs(m.runs),
        if m.complete { "" } else { " (incomplete)" },
        m.seed,
        m.variant
            .as_ref()
            .map(|v| format!(", variant {v}"))
            .unwrap_or_default()
    );
    if let Some(r) = &m.stop_reason {
        o += &format!("stopped: {r}\n\n");
    }
    // Outcomes by their short labels; the name last, as `--outcome` and the CSV files take it.
    // The step in the scenario's unit ("median first week"), as the README and charts say it.
    let first = format!(
        "median first {}",
        crate::scenario::step_one(&s.scenario.step_unit)
    );
    let mut t = Table::new(&[
        "outcome",
        "probability",
        "95% interval",
        first.as_str(),
        "name",
    ]);
    for oc in &s.outcomes {
        t.row(vec![
            crate::report::charts::fit_chars(
                &crate::report::charts::short_label(&oc.label, &oc.name),
                48,
            ),
            crate::report::charts::probability(oc.probability.estimate),
            format!(
                "{} – {}",
                crate::report::charts::probability(oc.probability.low),
                crate::report::charts::probability(oc.probability.high)
            ),
            // Judged at the end: its "first step" is the last one, not a week it happened by.
            match oc.first_step_quartiles {
                _ if oc.judged_at_end => "at the end".into(),
                None => "-".into(),
                Some(q) => format!("{}", q[1]),
            },
            oc.name.clone(),
        ]);
    }
    o += &t.render();
    let mut t = Table::new(&[
        "rung",
        "peak",
        "95% interval",
        "final",
        "95% interval",
        "mean steps on it",
        "95% interval",
    ]);
    let p = crate::report::charts::probability;
    for (r, name) in s.scenario.rungs.iter().enumerate() {
        // The interval is absent below two runs and from results written before brink kept
        // them.
        let (mean, interval) = crate::report::steps_text(
            s.mean_steps_on_rung[r],
            s.mean_steps_on_rung_interval.get(r),
        );
        // Said as the costs say it where one run is all there is (a reviewing helper: "-"
        // here, "none (under 2 runs)" there).
        let interval = match s.mean_steps_on_rung_interval.get(r) {
            None if s.manifest.runs < 2 => crate::stats::NO_INTERVAL.to_string(),
            _ => interval,
        };
        t.row(vec![
            name.clone(),
            p(s.peak_rung[r].estimate),
            s.peak_rung[r].text(p, " – "),
            p(s.final_rung[r].estimate),
            s.final_rung[r].text(p, " – "),
            mean,
            interval,
        ]);
    }
    o += "\n";
    o += &t.render();
    let mut t = Table::new(&[
        "actor",
        &format!("mean cost ({})", s.scenario.cost_unit),
        "95% interval",
        "median",
        "95th pct",
    ]);
    let paid: Vec<_> = s
        .costs
        .iter()
        .filter(|c| !c.max.is_nan() && c.max > 0.0)
        .collect();
    for c in &paid {
        // The mean and its interval to four significant figures (0.0080 printed "0.0" to one
        // decimal); the percentiles, read off log bins 6% wide, to three, never above the
        // largest.
        t.row(vec![
            c.actor.clone(),
            cost_text(c.mean.estimate),
            c.mean.text(cost_text, " – "),
            ungrouped(cost_percentile(c.q[2], c.max)),
            ungrouped(cost_percentile(c.q[4], c.max)),
        ]);
    }
    o += "\n";
    if paid.is_empty() {
        // A table of headers alone reads as a failure to print it.
        o += "costs: no actor bears any cost in any run\n";
    } else {
        o += &t.render();
        // Said here as the page says it: the mean is exact, the percentiles are not.
        o += "(the median and 95th percentile are read off bins 6% wide: within a bin)\n";
    }
    if s.gains.iter().any(|g| g.mean.estimate != 0.0) {
        let mut t = Table::new(&[
            "actor",
            &format!("mean gains ({})", s.scenario.cost_unit),
            "95% interval",
        ]);
        for g in s.gains.iter().filter(|g| g.mean.estimate != 0.0) {
            t.row(vec![
                g.actor.clone(),
                cost_text(g.mean.estimate),
                g.mean.text(cost_text, " – "),
            ]);
        }
        o += "\n";
        o += &t.render();
    }
    o
}

/// A cost mean or interval end as the text tables print it: four significant figures, no
/// thousands separators (the tables' other numbers have none).
fn cost_text(x: f64) -> String {
    ungrouped(cost_figures(x, 4))
}

/// A number of the report's cells without its thousands separators.
fn ungrouped(s: String) -> String {
    s.replace(',', "")
}
