//! What `brink calibrate` writes and prints: calibration.json, the posterior particles and
//! their summary, the generations, the calibrated scenario files, the chart of each number's
//! prior against its posterior, and the readable summary.

use crate::analysis::calibrate::Calibration;
use crate::error::{Error, Result};
use crate::report::Artifact;
use crate::report::charts::group_thousands;
use crate::report::describe::Table;

/// The files a calibration always writes (a calibrated scenario file may take none of these
/// names).
pub const FIXED_FILES: [&str; 6] = [
    "calibration.json",
    "posterior.csv",
    "posterior_summary.csv",
    "generations.csv",
    "prior_posterior.png",
    "prior_posterior.svg",
];

/// Every file of a calibration: `calibration.json`, `posterior.csv`, `posterior_summary.csv`,
/// `generations.csv`, each calibrated scenario file of `calibrated` (file name, RON text) under
/// its own name, and, when `charts` is true, `prior_posterior.{png,svg}`.
///
/// A calibrated file's name must be one plain file name (ASCII letters, digits, `.`, `-`,
/// `_`; not starting with `.`; at most 120 characters; not one of [`FIXED_FILES`]), or the
/// whole is refused: the names become paths in the output folder. A name given twice with the
/// same text is written once; with another text (two cases of one scenario file), the later
/// file gets `-2`, `-3`, … before its extension.
pub fn files(
    c: &Calibration,
    calibrated: &[(String, String)],
    charts: bool,
) -> Result<Vec<Artifact>> {
    let mut named: Vec<(String, &str)> = vec![];
    for (name, ron) in calibrated {
        check_name(name)?;
        if named.iter().any(|(n, r)| n == name && r == ron) {
            continue;
        }
        let mut unique = name.clone();
        let (stem, ext) = match name.rfind('.') {
            Some(i) => name.split_at(i),
            None => (name.as_str(), ""),
        };
        let mut k = 2;
        while named.iter().any(|(n, _)| *n == unique) || FIXED_FILES.contains(&unique.as_str()) {
            unique = format!("{stem}-{k}{ext}");
            k += 1;
        }
        named.push((unique, ron));
    }
    let mut files = vec![
        Artifact::json("calibration.json", c)?,
        Artifact::new("posterior.csv", posterior_csv(c)?),
        Artifact::new("posterior_summary.csv", summary_csv(c)?),
        Artifact::new("generations.csv", generations_csv(c)?),
    ];
    for (name, ron) in named {
        files.push(Artifact::new(name, ron.as_bytes()));
    }
    if charts {
        files.extend(crate::report::charts::calibrate::render(c)?.artifacts());
    }
    Ok(files)
}

/// Refuses a calibrated file name that is not one plain file name of its own.
fn check_name(name: &str) -> Result<()> {
    let plain = !name.is_empty()
        && name.len() <= 120
        && !name.starts_with('.')
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'));
    if !plain {
        return Err(Error::Input(format!(
            "a calibrated scenario file cannot be named {name:?}: a file name is ASCII \
             letters, digits, '.', '-' and '_', not starting with '.'"
        )));
    }
    if FIXED_FILES.contains(&name) {
        return Err(Error::Input(format!(
            "a calibrated scenario file cannot be named {name:?}: the calibration writes a \
             file of that name"
        )));
    }
    Ok(())
}

/// `posterior.csv`: one row per final particle: `particle` (from 0), `weight` (the weights sum
/// to 1), then one column per calibrated number, headed by its spec as asked.
pub fn posterior_csv(c: &Calibration) -> Result<Vec<u8>> {
    let mut header = vec!["particle".to_string(), "weight".to_string()];
    header.extend(c.params.iter().map(|p| p.spec.clone()));
    let rows = c
        .particles
        .iter()
        .enumerate()
        .map(|(i, values)| {
            let mut row = vec![
                i.to_string(),
                c.weights.get(i).map_or(String::new(), |w| w.to_string()),
            ];
            row.extend(values.iter().map(|x| x.to_string()));
            row
        })
        .collect();
    crate::report::csv::named_table("posterior.csv", &header, rows)
}

/// Header of `posterior_summary.csv`.
pub const SUMMARY_HEADER: [&str; 12] = [
    "spec",
    "path",
    "cases",
    "shared",
    "prior",
    "prior_mean",
    "prior_sd",
    "mean",
    "sd",
    "q05",
    "q50",
    "q95",
];

/// `posterior_summary.csv`: one row per calibrated number (see [`SUMMARY_HEADER`]): the cases
/// it applies to joined by `;`, whether several share it, its prior as the scenario writes it,
/// the prior's mean and standard deviation, and the posterior's mean, standard deviation and
/// 5/50/95% quantiles.
pub fn summary_csv(c: &Calibration) -> Result<Vec<u8>> {
    let header: Vec<String> = SUMMARY_HEADER.map(String::from).to_vec();
    let rows = c
        .params
        .iter()
        .map(|p| {
            vec![
                p.spec.clone(),
                p.path.clone(),
                p.cases.join(";"),
                p.shared.to_string(),
                p.prior.clone(),
                p.prior_mean.to_string(),
                p.prior_sd.to_string(),
                p.mean.to_string(),
                p.sd.to_string(),
                p.q05.to_string(),
                p.q50.to_string(),
                p.q95.to_string(),
            ]
        })
        .collect();
    crate::report::csv::named_table("posterior_summary.csv", &header, rows)
}

/// `generations.csv`: one row per generation: `generation` (0: the prior), `tolerance` (`inf`
/// for generation 0), `ess`, `acceptance` (empty for generation 0), `resampled` (true/false),
/// `simulations` (simulated runs so far).
pub fn generations_csv(c: &Calibration) -> Result<Vec<u8>> {
    let header: Vec<String> = [
        "generation",
        "tolerance",
        "ess",
        "acceptance",
        "resampled",
        "simulations",
    ]
    .map(String::from)
    .to_vec();
    let rows = c
        .generations
        .iter()
        .map(|g| {
            vec![
                g.index.to_string(),
                g.tolerance.to_string(),
                g.ess.to_string(),
                g.acceptance.map_or(String::new(), |a| a.to_string()),
                g.resampled.to_string(),
                g.simulations.to_string(),
            ]
        })
        .collect();
    crate::report::csv::named_table("generations.csv", &header, rows)
}

/// A number to three significant figures.
fn num(x: f64) -> String {
    crate::report::charts::significant(x, 3)
}

/// The readable summary printed after a calibration: each generation, why it stopped, each
/// number's prior against its posterior, and the simulated runs.
pub fn text(c: &Calibration) -> String {
    let s = &c.settings;
    let mut o = format!(
        "Calibration of {} number{} on {} ({} facts): {} particles × {} pseudo-timelines, seed {}\n\n",
        c.params.len(),
        if c.params.len() == 1 { "" } else { "s" },
        c.cases.join(", "),
        c.facts,
        group_thousands(s.particles as u64),
        s.sims,
        s.seed
    );
    let mut t = Table::new(&[
        "generation",
        "tolerance",
        "ESS",
        "acceptance",
        "simulations",
    ]);
    for g in &c.generations {
        t.row(vec![
            format!(
                "{}{}",
                g.index,
                if g.resampled { " (resampled)" } else { "" }
            ),
            num(g.tolerance),
            format!("{:.1}", g.ess),
            g.acceptance
                .map_or("-".into(), |a| format!("{:.1}%", 100.0 * a)),
            group_thousands(g.simulations),
        ]);
    }
    o += &t.render();
    o += &format!("stopped: {}\n\n", c.stop_reason);
    let mut t = Table::new(&[
        "number",
        "cases",
        "prior",
        "prior mean ± sd",
        "posterior mean ± sd",
        "90% interval",
    ]);
    for p in &c.params {
        t.row(vec![
            p.spec.clone(),
            if p.shared && p.cases.len() == c.cases.len() {
                format!("all {} (shared)", p.cases.len())
            } else if p.shared {
                format!("{} (shared)", p.cases.join(", "))
            } else {
                p.cases.join(", ")
            },
            p.prior.clone(),
            format!("{} ± {}", num(p.prior_mean), num(p.prior_sd)),
            format!("{} ± {}", num(p.mean), num(p.sd)),
            format!("{} – {}", num(p.q05), num(p.q95)),
        ]);
    }
    o += &t.render();
    o += &format!("\nsimulated runs: {}\n", group_thousands(c.simulations));
    o
}
