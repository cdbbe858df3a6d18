//! What `brink sweep` writes and prints: sweep.json, sweep.csv, the chart of every outcome
//! along the grid (one parameter) or the heat map of the chosen outcome (two), and the
//! readable summary.

use crate::analysis::sweep::{SweepPoint, SweepResult};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::Artifact;
use crate::report::html::{Labels, ReportOptions};
use crate::scenario::param::{fmt_grid, fmt_num};

/// Every file of a sweep: with `charts`, the chart and `report.html` (titled and dated by
/// `options`; `model` is the scenario compiled with the sweep's variant, for the page's
/// labels, ledger and sources). `outcome` (an index into the result's outcomes) is the one
/// the heat map and the grid tables of a two-parameter sweep show.
pub fn files(
    model: &Model,
    r: &SweepResult,
    outcome: Option<usize>,
    charts: bool,
    options: &ReportOptions,
) -> Result<Vec<Artifact>> {
    files_for(model, r, outcome, charts, options, None)
}

/// [`files`] with, after `--per-run`, the columns of the runs.csv written beside them, which
/// `columns.json` then describes too.
pub fn files_for(
    model: &Model,
    r: &SweepResult,
    outcome: Option<usize>,
    charts: bool,
    options: &ReportOptions,
    per_run: Option<crate::report::dictionary::PerRunTable>,
) -> Result<Vec<Artifact>> {
    use crate::report::dictionary as d;
    let mut tables = vec![d::TableDoc::new(
        "sweep.csv",
        "one row per (design point, outcome): the outcome's probability at the point's values, \
         and each actor's mean cost there",
        d::sweep_columns(r),
    )];
    if let Some(c) = per_run {
        tables.push(d::runs_table(
            c,
            "one row per (design point, run), in that order: the point's values (in.<swept \
             path>), the numbers the run drew (in.) and what it produced (out.)",
        ));
    }
    let mut files = vec![
        Artifact::json("sweep.json", r)?,
        Artifact::new("sweep.csv", csv(r)?),
        d::columns_json(&tables)?,
    ];
    if charts {
        let drawn = if r.is_two_way() {
            match outcome {
                Some(k) => vec![crate::report::charts::sweep_heatmap::render(model, r, k)?],
                None => vec![],
            }
        } else {
            vec![crate::report::charts::sweep::render(model, r, outcome)?]
        };
        for c in &drawn {
            files.extend(c.artifacts());
        }
        files.push(Artifact::new(
            "report.html",
            crate::report::pages::sweep(model, r, outcome, &drawn, options),
        ));
    }
    Ok(files)
}

/// `sweep.csv`: one row per grid point and outcome, with the Wilson interval and each actor's
/// mean cumulative cost at that point. The parameter's value is in the column `value`; with
/// two parameters, each has a column named by its path.
pub fn csv(r: &SweepResult) -> Result<Vec<u8>> {
    use crate::report::csv::safe_record;
    let err = |e: csv::Error| Error::table("sweep.csv", e);
    let mut w = csv::Writer::from_writer(vec![]);
    let header = crate::report::dictionary::names(&crate::report::dictionary::sweep_columns(r));
    w.write_record(safe_record(&header)).map_err(err)?;
    for p in &r.points {
        for o in &p.outcomes {
            let mut row: Vec<String> = if r.is_two_way() {
                p.values.iter().map(f64::to_string).collect()
            } else {
                vec![p.value.to_string()]
            };
            row.extend([
                o.outcome.clone(),
                o.probability.estimate.to_string(),
                o.probability.low.to_string(),
                o.probability.high.to_string(),
            ]);
            row.extend(p.costs.iter().map(|c| c.mean.estimate.to_string()));
            w.write_record(safe_record(&row)).map_err(err)?;
        }
    }
    w.into_inner()
        .map_err(|e| Error::io("write", "sweep.csv", e.into_error()))
}

/// Whose value a swept number has outside the sweep: "the scenario has", or "the variant V
/// has" for a sweep of a variant (its value is the variant's).
pub(crate) fn holder(m: &crate::analysis::Manifest) -> String {
    match &m.variant {
        Some(v) => format!("the variant {v} has"),
        None => "the scenario has".into(),
    }
}

/// The readable summary printed after a sweep: each outcome at the two ends of the grid and
/// its lowest and highest value along it; with two parameters, the grid of the chosen outcome
/// (`outcome`, an index into the result's outcomes) by their labels.
pub fn text(model: &Model, r: &SweepResult, outcome: Option<usize>) -> String {
    use crate::report::describe::Table;
    if r.is_two_way() {
        return text_two_way(model, r, outcome);
    }
    let m = &r.manifest;
    let values: Vec<f64> = r.points.iter().map(|pt| pt.value).collect();
    let fmt_num = fmt_grid(&values);
    let mut o = format!(
        "{} — {} from {} to {} in {} steps ({} per value on common random numbers, seed {}{})\n",
        m.scenario,
        r.path,
        fmt_num(r.from),
        fmt_num(r.to),
        r.steps,
        crate::report::charts::n_runs(m.runs),
        m.seed,
        m.variant
            .as_ref()
            .map(|v| format!(", variant {v}"))
            .unwrap_or_default()
    );
    o += &format!(
        "{}: {} {} = {}\n\n",
        crate::report::html::Labels {
            sc: &model.scenario
        }
        .path(&r.path),
        holder(m),
        r.path,
        r.scenario_param
    );
    let (first, last) = (&r.points[0], &r.points[r.points.len() - 1]);
    let mut t = Table::new(&[
        "outcome",
        &format!("at {}", fmt_num(first.value)),
        &format!("at {}", fmt_num(last.value)),
        "lowest (at)",
        "highest (at)",
        "name",
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
            .enumerate()
            // The first of equal highest, as the lowest is the first of equal lowest
            // (`max_by` takes the last).
            .max_by(|(i, a), (j, b)| p(a).total_cmp(&p(b)).then(j.cmp(i)))
            .map_or(first, |(_, x)| x);
        t.row(vec![
            crate::report::charts::fit_chars(
                &crate::report::charts::outcome_label(&model.scenario, name),
                48,
            ),
            crate::report::charts::probability(p(first)),
            crate::report::charts::probability(p(last)),
            format!(
                "{} ({})",
                crate::report::charts::probability(p(lo)),
                fmt_num(lo.value)
            ),
            format!(
                "{} ({})",
                crate::report::charts::probability(p(hi)),
                fmt_num(hi.value)
            ),
            name.clone(),
        ]);
    }
    o += &t.render();
    o
}

/// The values of a grid, each for a table's cell: as written, at most 8 characters when that
/// still tells them apart. Made once per grid (a grid may hold 1,000 values).
fn cell_values(values: &[f64]) -> Vec<String> {
    let short = |v: f64| {
        let s = fmt_num(v);
        if s.chars().count() <= 8 {
            s
        } else {
            crate::report::charts::significant(v, 4)
        }
    };
    if crate::scenario::param::tells_apart(values, short) {
        values.iter().map(|&v| short(v)).collect()
    } else {
        let write = fmt_grid(values);
        values.iter().map(|&v| write(v)).collect()
    }
}

/// The summary of a two-parameter sweep: what was run, then the chosen outcome's probability
/// (%) at every point, the first parameter's values across and the second's down.
fn text_two_way(model: &Model, r: &SweepResult, outcome: Option<usize>) -> String {
    let labels = Labels {
        sc: &model.scenario,
    };
    let m = &r.manifest;
    let (a, b) = (&r.parameters[0], &r.parameters[1]);
    let mut o = format!(
        "{} — {} × {} points ({} per point on common random numbers, seed {}{})\n",
        m.scenario,
        a.steps,
        b.steps,
        crate::report::charts::n_runs(m.runs),
        m.seed,
        m.variant
            .as_ref()
            .map(|v| format!(", variant {}", labels.variant(v)))
            .unwrap_or_default()
    );
    for p in [a, b] {
        let fmt_num = fmt_grid(&p.values);
        o += &format!(
            "  {}: {} to {} in {} steps ({} {})\n",
            labels.path(&p.path),
            fmt_num(p.from),
            fmt_num(p.to),
            p.steps,
            holder(m),
            p.scenario_param
        );
    }
    let Some(k) = outcome.filter(|&k| k < r.outcomes.len()) else {
        o += "\nThe scenario names no outcomes.\n";
        return o;
    };
    o += &format!(
        "\nP({}) in %: {} across, {} down\n",
        labels.outcome(&r.outcomes[k]),
        labels.path(&a.path),
        labels.path(&b.path)
    );
    // Right-aligned columns: the second parameter's values, then one column per first value;
    // on a large grid, every k-th value (the last included), so that the grid stays compact.
    let (cols, shown_rows) = (
        thinned(a.values.len(), TEXT_COLUMNS),
        thinned(b.values.len(), TEXT_ROWS),
    );
    let (across, down) = (cell_values(&a.values), cell_values(&b.values));
    let heads: Vec<String> = cols.iter().map(|&i| across[i].clone()).collect();
    let rows: Vec<(String, Vec<String>)> = shown_rows
        .iter()
        .rev()
        .map(|&j| {
            let cells = cols
                .iter()
                .map(|&i| {
                    r.at(i, j).map_or("-".into(), |p| {
                        crate::report::charts::percent(p.outcomes[k].probability.estimate)
                            .trim_end_matches('%')
                            .to_string()
                    })
                })
                .collect();
            (down[j].clone(), cells)
        })
        .collect();
    let w0 = rows
        .iter()
        .map(|(y, _)| y.chars().count())
        .max()
        .unwrap_or(0);
    let w = rows
        .iter()
        .flat_map(|(_, c)| c.iter())
        .chain(&heads)
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    let line = |first: &str, cells: &[String]| {
        let mut s = format!("{first:>w0$} │");
        for c in cells {
            s += &format!(" {c:>w$}");
        }
        s + "\n"
    };
    o += &line("", &heads);
    o += &format!(
        "{}─┼{}\n",
        "─".repeat(w0),
        "─".repeat((w + 1) * heads.len())
    );
    for (y, cells) in &rows {
        o += &line(y, cells);
    }
    if cols.len() < a.values.len() || shown_rows.len() < b.values.len() {
        o += &format!(
            "({} of {} values across and {} of {} down shown; sweep.csv has every point)\n",
            cols.len(),
            a.values.len(),
            shown_rows.len(),
            b.values.len()
        );
    }
    o
}

/// Most columns of the terminal grid.
const TEXT_COLUMNS: usize = 15;
/// Most rows of the terminal grid.
const TEXT_ROWS: usize = 25;

/// The positions shown of `n` values when about `max` fit: every k-th, and the last.
fn thinned(n: usize, max: usize) -> Vec<usize> {
    let every = n.div_ceil(max.max(1)).max(1);
    let mut out: Vec<usize> = (0..n).step_by(every).collect();
    if n > 0 && out.last() != Some(&(n - 1)) {
        out.push(n - 1);
    }
    out
}
