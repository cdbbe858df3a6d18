//! What `brink backtest --cross-validate` writes and prints: per held-out case its facts, the
//! share in the central 80% bands and the mean log score, with its priors and with the
//! posterior of a calibration on the other cases.

use crate::analysis::backtest::CaseResult;
use crate::analysis::calibrate::CrossValidation;
use crate::error::{Error, Result};
use crate::report::Artifact;
use crate::report::calibrate::mean_sd;
use crate::scenario::param::fmt_num;

/// The share in the 80% band of a case's banded facts, as `k/n`.
pub(crate) fn in80(c: &CaseResult) -> (usize, usize) {
    let n = c.facts.iter().filter(|f| !f.bands.is_empty()).count();
    let k = c
        .facts
        .iter()
        .filter(|f| f.bands.iter().any(|b| b.level == 0.8 && b.contains))
        .count();
    (k, n)
}

/// `cross_validation.json` and `cross_validation.csv` (the back-test files of the held-out
/// cases are written beside them by [`super::backtest::files`]).
pub fn files(cv: &CrossValidation) -> Result<Vec<Artifact>> {
    Ok(vec![
        Artifact::json("cross_validation.json", cv)?,
        Artifact::new("cross_validation.csv", csv(cv)?),
    ])
}

/// One row per held-out case: facts, the 80%-band share and the mean log score with the
/// priors and with the calibrated numbers, and the numbers transferred.
pub fn csv(cv: &CrossValidation) -> Result<Vec<u8>> {
    let err = |e: csv::Error| Error::table("cross_validation.csv", e);
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        "case",
        "facts",
        "banded_facts",
        "in_80_prior",
        "in_80_calibrated",
        "log_score_prior",
        "log_score_calibrated",
        "path_probability_prior",
        "path_probability_calibrated",
        "transferred",
        "calibration_stop",
    ])
    .map_err(err)?;
    for f in &cv.folds {
        let (kp, n) = in80(&f.prior);
        let (kc, _) = in80(&f.calibrated);
        let share = |k: usize| {
            if n == 0 {
                String::new()
            } else {
                (k as f64 / n as f64).to_string()
            }
        };
        w.write_record(crate::report::csv::safe_record([
            f.held_out.clone(),
            f.calibrated.facts.len().to_string(),
            n.to_string(),
            share(kp),
            share(kc),
            f.prior.mean_log_score.to_string(),
            f.calibrated.mean_log_score.to_string(),
            f.prior.path_probability.estimate.to_string(),
            f.calibrated.path_probability.estimate.to_string(),
            f.transferred.join(";"),
            f.stop_reason.clone(),
        ]))
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::io("write", "cross_validation.csv", e.into_error()))
}

/// The cross-validation table as Markdown (what docs/calibration.md shows).
pub fn markdown(cv: &CrossValidation) -> String {
    let mut o = String::from(
        "| held-out case | facts | in 80% band (priors) | in 80% band (calibrated) | mean log score (priors) | mean log score (calibrated) |\n| --- | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let pct = |k: usize, n: usize| {
        if n == 0 {
            "–".to_string()
        } else {
            format!("{k}/{n} ({:.0}%)", 100.0 * k as f64 / n as f64)
        }
    };
    let (mut tk_p, mut tk_c, mut tn, mut tf) = (0, 0, 0, 0);
    for f in &cv.folds {
        let (kp, n) = in80(&f.prior);
        let (kc, _) = in80(&f.calibrated);
        tk_p += kp;
        tk_c += kc;
        tn += n;
        tf += f.calibrated.facts.len();
        o += &format!(
            "| {} | {} | {} | {} | {:.3} | {:.3} |\n",
            f.held_out,
            f.calibrated.facts.len(),
            pct(kp, n),
            pct(kc, n),
            f.prior.mean_log_score,
            f.calibrated.mean_log_score
        );
    }
    o += &format!(
        "| **all held-out facts** | {tf} | {} | {} | {:.3} | {:.3} |\n",
        pct(tk_p, tn),
        pct(tk_c, tn),
        cv.prior.mean_log_score,
        cv.calibrated.mean_log_score
    );
    o
}

/// The calibrated log score less the priors', per held-out fact, in words.
pub(crate) fn difference_words(d: &crate::stats::Interval) -> String {
    format!(
        "calibrated less priors, mean log score per held-out fact: {:+.3} (95% {:+.3} to {:+.3}; \
         below 0, calibration helped; Student's t over the facts as if independent)",
        d.estimate, d.low, d.high
    )
}

/// The readable summary: the table, and per fold what was calibrated and how it ended.
pub fn text(cv: &CrossValidation) -> String {
    let mut o = format!(
        "Leave-one-out cross-validation of {} on {} cases\n\n",
        cv.params.join(", "),
        cv.folds.len()
    );
    o += &markdown(cv);
    if let Some(d) = &cv.log_score_difference {
        o += &format!("\n{}\n", difference_words(d));
    }
    o += "\n";
    for f in &cv.folds {
        o += &format!(
            "{}: calibrated on {} ({}; tolerance {}, {} simulations); transferred: {}\n",
            f.held_out,
            f.trained_on.join(", "),
            f.stop_reason,
            fmt_num(f.tolerance),
            f.simulations,
            if f.transferred.is_empty() {
                "nothing (no calibrated number applies to it)".to_string()
            } else {
                f.transferred.join(", ")
            }
        );
        if let Some(w) = &f.warning {
            o += &format!("    warning: t{}\n", w.strip_prefix('T').unwrap_or(w));
        }
        for p in &f.params {
            o += &format!(
                "    {:<40} prior {} → posterior {} (90%: {}–{})\n",
                p.spec,
                mean_sd(p.prior_mean, p.prior_sd),
                mean_sd(p.mean, p.sd),
                crate::report::charts::significant(p.q05, 3),
                crate::report::charts::significant(p.q95, 3)
            );
        }
    }
    if cv.calibrated.banded_facts == 0 {
        o += "\nNo held-out fact has bands: no band coverage to show.\n";
        return o;
    }
    // The 80% band's share, with its Wilson interval where the result has one.
    let share = |b: &crate::analysis::backtest::Backtest| {
        let j = crate::analysis::backtest::BANDS
            .iter()
            .position(|&q| q == 0.8)
            .unwrap_or(1);
        let p = b.coverage.get(j).map_or(0.0, |c| c.1);
        match b.coverage_interval.get(j) {
            Some(i) => format!(
                "{:.0}% (95% {:.0}–{:.0}%)",
                100.0 * p,
                100.0 * i.low,
                100.0 * i.high
            ),
            None => format!("{:.0}%", 100.0 * p),
        }
    };
    o += &format!(
        "\n80% band coverage over all {} held-out banded facts: {} with priors, {} calibrated\n",
        cv.calibrated.banded_facts,
        share(&cv.prior),
        share(&cv.calibrated),
    );
    o
}
