//! CSV tables: outcomes, per-step time series, and one row per run.

use std::fmt::Write as _;

use crate::analysis::Summary;
use crate::error::{Error, Result};
use crate::model::{Model, RunState};

fn csv_err(e: impl std::fmt::Display) -> Error {
    Error::Failed(format!("cannot write CSV: {e}"))
}

fn table(header: Vec<String>, rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&header).map_err(csv_err)?;
    for r in rows {
        w.write_record(&r).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// A table named `name` (for its error messages): a header, then the rows.
pub(crate) fn named_table<H: AsRef<[u8]>>(
    name: &str,
    header: &[H],
    rows: Vec<Vec<String>>,
) -> Result<Vec<u8>> {
    let fail = |e: ::csv::Error| Error::table(name, e);
    let mut w = ::csv::Writer::from_writer(vec![]);
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(&r).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::io("write", name.to_string(), e.into_error()))
}

/// `outcomes.csv`: one row per named outcome, with its Wilson interval.
pub fn outcomes(s: &Summary) -> Result<Vec<u8>> {
    let header = [
        "outcome",
        "label",
        "probability",
        "ci95_low",
        "ci95_high",
        "runs_hit",
        "runs",
        "first_step_q25",
        "first_step_median",
        "first_step_q75",
        "last_step_median",
        "mean_steps_held",
    ]
    .map(String::from)
    .to_vec();
    let rows = s
        .outcomes
        .iter()
        .map(|o| {
            let q = |i: usize| {
                o.first_step_quartiles
                    .map_or(String::new(), |q| q[i].to_string())
            };
            vec![
                o.name.clone(),
                o.label.clone(),
                o.probability.estimate.to_string(),
                o.probability.low.to_string(),
                o.probability.high.to_string(),
                o.runs_hit.to_string(),
                s.manifest.runs.to_string(),
                q(0),
                q(1),
                q(2),
                o.last_step_quartiles
                    .map_or(String::new(), |q| q[1].to_string()),
                o.mean_steps_held.map_or(String::new(), |x| x.to_string()),
            ]
        })
        .collect();
    table(header, rows)
}

/// `timeseries.csv`: one row per step: the dyad index's mean and quantiles, each rung's
/// probability, each measure's mean level, each outcome's probability so far.
pub fn timeseries(s: &Summary) -> Result<Vec<u8>> {
    let mut header: Vec<String> = [
        "step",
        "date",
        "index_mean",
        "index_q05",
        "index_q25",
        "index_q50",
        "index_q75",
        "index_q95",
    ]
    .map(String::from)
    .to_vec();
    header.extend(s.scenario.rungs.iter().map(|r| format!("p_rung_{r}")));
    header.extend(s.levers.iter().map(|l| format!("mean_level_{}", l.name)));
    header.extend(s.outcomes.iter().map(|o| format!("p_{}_so_far", o.name)));
    let rows = s
        .index_by_step
        .iter()
        .enumerate()
        .map(|(t, ix)| {
            let mut r = vec![
                ix.step.to_string(),
                s.date_of_step(ix.step).unwrap_or_default(),
                ix.mean.to_string(),
            ];
            r.extend(ix.q.iter().map(|q| q.to_string()));
            r.extend(s.rung_by_step[t].iter().map(|p| p.to_string()));
            r.extend(s.levers.iter().map(|l| l.mean_level[t].to_string()));
            r.extend(s.outcomes.iter().map(|o| o.by_step[t].to_string()));
            r
        })
        .collect();
    table(header, rows)
}

/// The header of `runs.csv`: run, each uncertain number by path, each outcome (1/0 and first
/// step), rungs, peak index, each actor's cost, each measure's highest level, final level and
/// steps in force, then the rung and every level at each of [`Model::snapshot_steps`].
pub fn runs_header(m: &Model) -> String {
    let mut h = vec!["run".to_string()];
    h.extend(
        m.uncertain_params()
            .into_iter()
            .map(|i| m.param_paths[i].clone()),
    );
    for o in &m.outcomes {
        h.push(o.name.clone());
        h.push(format!("{}_first_step", o.name));
        h.push(format!("{}_last_step", o.name));
        h.push(format!("{}_steps_held", o.name));
    }
    h.extend(["final_rung", "peak_rung", "peak_index", "final_index"].map(String::from));
    h.extend(m.actors.iter().map(|a| format!("cost_{}", a.name)));
    h.extend(m.actors.iter().map(|a| format!("gain_{}", a.name)));
    h.extend(m.measures.iter().map(|ms| format!("max_level_{}", ms.name)));
    h.extend(
        m.measures
            .iter()
            .map(|ms| format!("final_level_{}", ms.name)),
    );
    h.extend(
        m.measures
            .iter()
            .map(|ms| format!("steps_in_force_{}", ms.name)),
    );
    for s in &m.snapshot_steps {
        h.push(format!("rung_at_{s}"));
        h.extend(
            m.measures
                .iter()
                .map(|ms| format!("level_{}_at_{s}", ms.name)),
        );
    }
    h.join(",") + "\n"
}

/// One row of `runs.csv` (see [`runs_header`]).
pub fn run_row(m: &Model, run: u64, st: &RunState, out: &mut String) {
    let _ = write!(out, "{run}");
    for (i, p) in m.params.iter().enumerate() {
        if p.is_uncertain() {
            let _ = write!(out, ",{}", st.values[i]);
        }
    }
    for o in 0..m.outcomes.len() {
        let t = st.outcome_first[o];
        if t == u32::MAX {
            out.push_str(",0,,,0");
        } else {
            let _ = write!(out, ",1,{t},{},{}", st.outcome_last[o], st.outcome_steps[o]);
        }
    }
    let _ = write!(
        out,
        ",{},{},{},{}",
        m.rung_names[st.final_rung()],
        m.rung_names[st.peak_rung],
        st.peak_index,
        st.index
    );
    for c in st.cost.iter().chain(&st.gain) {
        let _ = write!(out, ",{c}");
    }
    for l in &st.max_level {
        let _ = write!(out, ",{l}");
    }
    for l in &st.level {
        let _ = write!(out, ",{l}");
    }
    for n in &st.steps_in_force {
        let _ = write!(out, ",{n}");
    }
    let nm = m.measures.len();
    for (i, &r) in st.snapshot_rungs.iter().enumerate() {
        let _ = write!(out, ",{}", m.rung_names[r]);
        for l in &st.snapshot_levels[i * nm..(i + 1) * nm] {
            let _ = write!(out, ",{l}");
        }
    }
    out.push('\n');
}
