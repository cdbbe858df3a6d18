//! What `brink sensitivity` writes and prints: sensitivity.json, sensitivity.csv, the chart of
//! the largest partial rank correlations, and the readable summary.

use crate::analysis::sensitivity::{SensitivityResult, short_source};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::report::Artifact;
use crate::report::html::ReportOptions;

/// Every file of a sensitivity analysis: with `charts`, the chart and `report.html` (titled
/// and dated by `options`; `model` is the scenario compiled with the analysis's variant, for
/// the page's labels, ledger and sources).
pub fn files(
    model: &Model,
    r: &SensitivityResult,
    charts: bool,
    options: &ReportOptions,
) -> Result<Vec<Artifact>> {
    let mut files = vec![
        Artifact::json("sensitivity.json", r)?,
        Artifact::new("sensitivity.csv", csv(r)?),
    ];
    if charts {
        let drawn = [chart(model, r)?];
        files.extend(drawn[0].artifacts());
        files.push(Artifact::new(
            "report.html",
            crate::report::pages::sensitivity(model, r, &drawn, options),
        ));
    }
    Ok(files)
}

/// The measure in words for a title: an outcome by its short label in quotes, a cost by the
/// actor's label ("Russia's cost"), the index as the analysis names it.
pub(crate) fn measure_words(sc: &crate::scenario::Scenario, r: &SensitivityResult) -> String {
    use crate::report::charts::short_label;
    let labels = crate::report::html::Labels { sc };
    if r.measure_kind == "outcome indicator" {
        format!("“{}”", short_label(labels.outcome(&r.measure), &r.measure))
    } else if let Some(actor) = r.measure.strip_prefix("cost_") {
        format!("{}'s cost", short_label(labels.actor(actor), actor))
    } else {
        r.measure_title.clone()
    }
}

/// `sensitivity.csv`: parameter, source, prcc, low, high, rank (ranked rows first).
pub fn csv(r: &SensitivityResult) -> Result<Vec<u8>> {
    let fail = |e: csv::Error| Error::table("sensitivity.csv", e);
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(["parameter", "source", "prcc", "low", "high", "rank"])
        .map_err(fail)?;
    for p in &r.parameters {
        w.write_record(crate::report::csv::safe_record([
            p.parameter.clone(),
            p.source.clone(),
            p.prcc.to_string(),
            p.low.to_string(),
            p.high.to_string(),
            p.rank.to_string(),
        ]))
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::io("write", "sensitivity.csv", e.into_error()))
}

/// The bar chart of the top 25 parameters, each by its path in words and the measure by its
/// label (`model` is the scenario compiled with the analysis's variant).
pub fn chart(model: &Model, r: &SensitivityResult) -> Result<crate::report::charts::Chart> {
    let labels = crate::report::html::Labels {
        sc: &model.scenario,
    };
    let what = measure_words(&model.scenario, r);
    let measure = &what;
    use crate::report::charts::sensitivity::{Bar, render};
    let bars: Vec<Bar> = r
        .parameters
        .iter()
        .take(25)
        .map(|p| Bar {
            label: labels.path(&p.parameter),
            source: short_source(&p.source),
            value: p.prcc,
            low: p.low,
            high: p.high,
        })
        .collect();
    let title = format!("What drives {measure}: partial rank correlations");
    let subtitle = format!(
        "Top {} of {} by |PRCC| with {}, each controlling for all the others; \
         {} of {} intervals exclude 0",
        bars.len(),
        uncertain_numbers(r.parameters_ranked),
        if r.measure_kind == "outcome indicator" {
            format!("whether {what} happened")
        } else {
            what.clone()
        },
        r.excluding_zero,
        r.parameters_ranked
    );
    let mut footer = format!(
        "{} · seed {} · {} runs",
        r.manifest.scenario,
        r.manifest.seed,
        crate::report::charts::sensitivity::thousands(r.manifest.runs)
    );
    if let Some(v) = &r.manifest.variant {
        footer += &format!(" · variant {v}");
    }
    render(&title, &subtitle, &footer, &bars)
}

/// "1 uncertain number", "12 uncertain numbers".
pub(crate) fn uncertain_numbers(n: usize) -> String {
    crate::text::counted(n, "uncertain number", "uncertain numbers")
}

/// The readable summary: the top 15 parameters and which intervals exclude 0.
pub fn text(r: &SensitivityResult) -> String {
    use crate::report::describe::Table;
    let mut o = format!(
        "{}{} — sensitivity of {} ({}) to {}, {}, seed {}\n",
        r.manifest.scenario,
        r.manifest
            .variant
            .as_ref()
            .map(|v| format!(" (variant {v})"))
            .unwrap_or_default(),
        r.measure,
        match (r.outcome_rate, r.measure_mean) {
            (Some(p), _) => format!("happened in {} of runs", crate::report::charts::percent(p)),
            (_, Some(mu)) => format!("mean {mu:.3}"),
            _ => String::new(),
        },
        uncertain_numbers(r.parameters_ranked),
        crate::report::charts::n_runs(r.manifest.runs),
        r.manifest.seed
    );
    o += "PRCC: partial rank correlation with the measure, controlling for every other number; \
          95% interval by Fisher's z.\n\n";
    let mut t = Table::new(&["rank", "parameter", "PRCC", "95% interval", "source"]);
    for p in r.parameters.iter().take(15) {
        let src: String = if p.source.chars().count() > 60 {
            crate::text::close_bidi(&p.source.chars().take(59).collect::<String>()) + "…"
        } else {
            p.source.clone()
        };
        t.row(vec![
            format!("{}{}", p.rank, if p.excludes_zero { "" } else { "*" }),
            p.parameter.clone(),
            super::signed(p.prcc, 3),
            format!(
                "{} to {}",
                super::signed_end(p.low, 3),
                super::signed_end(p.high, 3)
            ),
            src,
        ]);
    }
    o += &t.render();
    let shown = r.parameters.len().min(15);
    let unclear = r.parameters[..shown]
        .iter()
        .filter(|p| !p.excludes_zero)
        .count();
    if unclear > 0 {
        o += "* interval includes 0: no clear influence at this sample size\n";
    }
    if r.parameters.len() > shown {
        o += &format!(
            "(the first {shown} of {} ranks; sensitivity.csv has every one)\n",
            r.parameters.len()
        );
    }
    o += &format!(
        "\n{} of {} {} a 95% interval that excludes 0{}.\n",
        r.excluding_zero,
        r.parameters_ranked,
        if r.parameters_ranked == 1 {
            "parameter has"
        } else {
            "parameters have"
        },
        if r.excluding_zero > 0 {
            format!(
                " ({} {})",
                if r.excluding_zero == 1 {
                    "rank"
                } else {
                    "ranks"
                },
                compress_ranks(
                    &r.parameters
                        .iter()
                        .filter(|p| p.excludes_zero)
                        .map(|p| p.rank)
                        .collect::<Vec<_>>()
                )
            )
        } else {
            String::new()
        }
    );
    if r.parameters_ranked >= 20 {
        o += &format!(
            "(With {} intervals, about {} would exclude 0 by chance alone: read the small ones \
             with care.)\n",
            r.parameters_ranked,
            (r.parameters_ranked as f64 * 0.05).round()
        );
    }
    if !r.dropped.is_empty() {
        o += &format!("Left out ({}):\n", r.dropped.len());
        for d in &r.dropped {
            o += &format!("  {}: {}\n", d.parameter, d.reason);
        }
    }
    o
}

/// "1-4, 6, 9-10".
fn compress_ranks(r: &[usize]) -> String {
    let mut parts = vec![];
    let mut i = 0;
    while i < r.len() {
        let mut j = i;
        while j + 1 < r.len() && r[j + 1] == r[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", r[i], r[j])
        } else {
            r[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}
