//! What `brink calibrate` writes and prints: calibration.json, the posterior particles and
//! their summary, the generations, the calibrated scenario files, the chart of each number's
//! prior against its posterior, report.html, and the readable summary.

use crate::analysis::calibrate::{Calibration, ParamSummary};
use crate::error::{Error, Result};
use crate::report::Artifact;
use crate::report::charts::{Chart, group_thousands};
use crate::report::describe::Table;
use crate::report::history::HistoryContext;
use crate::report::html::{ChartView, Labels};
use crate::report::pages::{TableView, header, render};

/// The files a calibration always writes (a calibrated scenario file may take none of these
/// names).
pub const FIXED_FILES: [&str; 7] = [
    "calibration.json",
    "posterior.csv",
    "posterior_summary.csv",
    "generations.csv",
    "prior_posterior.png",
    "prior_posterior.svg",
    "report.html",
];

/// Every file of a calibration: `calibration.json`, `posterior.csv`, `posterior_summary.csv`,
/// `generations.csv`, each calibrated scenario file of `calibrated` (file name, RON text) under
/// its own name, and, when `charts` is true, `prior_posterior.{png,svg}` and `report.html` (the
/// page, with the cases' scenarios, timelines and files, the command, title and date of
/// `ctx`; as `brink run` writes its report only with its charts).
///
/// A calibrated file's name must be one plain file name (ASCII letters, digits, `.`, `-`,
/// `_`; not starting with `.`; at most 120 characters), or the whole is refused: the names
/// become paths in the output folder. A name given twice with the same text is written once;
/// a name taken already with another text (two cases of one scenario file), by a name that
/// differs only in case, or by one of [`FIXED_FILES`] gets `-2`, `-3`, … before its extension.
pub fn files(
    c: &Calibration,
    calibrated: &[(String, String)],
    ctx: &HistoryContext,
    charts: bool,
) -> Result<Vec<Artifact>> {
    files_applied(c, calibrated, &[], ctx, charts)
}

/// A scenario file given with `--apply-to`: which of the calibrated shared numbers it took and
/// which it does not write (it keeps its own, as written).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The file as given.
    pub file: String,
    /// Its calibrated file's name in the output folder (see [`written_names`]).
    pub written: String,
    /// The paths it took a posterior for.
    pub took: Vec<String>,
    /// The calibrated shared numbers' paths it has not.
    pub lacks: Vec<String>,
}

impl Applied {
    /// One line: "FILE took A, B (it has no C: kept as written), written as NAME".
    pub fn words(&self) -> String {
        let mut o = format!("{} took {}", self.file, self.took.join(", "));
        if !self.lacks.is_empty() {
            o += &format!(
                " (it has no {}: calibrated, but not in the file)",
                self.lacks.join(", ")
            );
        }
        o + &format!(", written as {}", self.written)
    }
}

/// As [`files`], with the files given to `--apply-to` and what each took, which the page
/// states (a file that took three of five numbers was told so only on the terminal).
pub fn files_applied(
    c: &Calibration,
    calibrated: &[(String, String)],
    applied: &[Applied],
    ctx: &HistoryContext,
    charts: bool,
) -> Result<Vec<Artifact>> {
    let named = file_names(calibrated)?;
    let mut files = vec![
        Artifact::json(
            "calibration.json",
            &super::history::WithInputs {
                result: c,
                inputs: ctx.inputs(),
            },
        )?,
        Artifact::new("posterior.csv", posterior_csv(c)?),
        Artifact::new("posterior_summary.csv", summary_csv(c)?),
        Artifact::new("generations.csv", generations_csv(c)?),
    ];
    for (name, ron) in named {
        files.push(Artifact::new(name, ron.as_bytes()));
    }
    if charts {
        let titles: Vec<String> = c.params.iter().map(|p| number_label(p, ctx)).collect();
        let chart = crate::report::charts::calibrate::render(c, &titles)?;
        files.extend(chart.artifacts());
        files.push(Artifact::new(
            "report.html",
            report(c, applied, ctx, Some(&chart)),
        ));
    }
    Ok(files)
}

/// The calibrated files' names in the output folder: each checked, a repeat of name and
/// text dropped, and a name taken already (in any case) or by a fixed file given `-2`, `-3`…
fn file_names(calibrated: &[(String, String)]) -> Result<Vec<(String, &str)>> {
    let names = written_names(calibrated)?;
    let mut named: Vec<(String, &str)> = vec![];
    for (name, (_, ron)) in names.into_iter().zip(calibrated) {
        if !named.iter().any(|(n, _)| *n == name) {
            named.push((name, ron));
        }
    }
    Ok(named)
}

/// The name each calibrated file (name, text) is written under in the output folder: its own
/// name when no other file, earlier or later, has it (in any case: names that differ only in
/// case are one file on macOS and Windows) and it is not one of [`FIXED_FILES`]; a repeat of
/// an earlier file's name and text, that file's; otherwise its name with `-2`, `-3`, … before
/// the extension, the first that no file's own name takes. (With `-2` given in order, `x.ron`
/// twice and `x-2.ron` wrote the second as `x-2.ron` and the third as `x-2-2.ron`, a reviewing
/// helper found.)
pub fn written_names(calibrated: &[(String, String)]) -> Result<Vec<String>> {
    for (name, _) in calibrated {
        check_name(name)?;
    }
    let taken_by = |names: &[Option<String>], name: &str| {
        names.iter().flatten().any(|n| n.eq_ignore_ascii_case(name))
            || FIXED_FILES.iter().any(|f| f.eq_ignore_ascii_case(name))
    };
    // First every file that can keep its own name, in order.
    let mut names: Vec<Option<String>> = vec![None; calibrated.len()];
    for (i, (name, ron)) in calibrated.iter().enumerate() {
        if let Some(j) = (0..i).find(|&j| calibrated[j].0 == *name && calibrated[j].1 == *ron) {
            names[i] = names[j].clone();
            continue;
        }
        if !taken_by(&names, name) {
            names[i] = Some(name.clone());
        }
    }
    // Then the others, in order, each the first free `-k` that no file's own name is.
    for i in 0..calibrated.len() {
        let (name, ron) = &calibrated[i];
        if names[i].is_some() {
            continue;
        }
        if let Some(j) = (0..i).find(|&j| calibrated[j].0 == *name && calibrated[j].1 == *ron) {
            names[i] = names[j].clone();
            continue;
        }
        let (stem, ext) = match name.rfind('.') {
            Some(i) => name.split_at(i),
            None => (name.as_str(), ""),
        };
        let mut k = 2;
        let mut unique = format!("{stem}-{k}{ext}");
        while taken_by(&names, &unique)
            || calibrated
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(&unique))
        {
            k += 1;
            unique = format!("{stem}-{k}{ext}");
        }
        names[i] = Some(unique);
    }
    Ok(names.into_iter().flatten().collect())
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

/// `generations.csv`: one row per generation: `generation` (0: the prior), `tolerance` (empty
/// for generation 0, which accepts every particle: `null` in calibration.json), `ess`,
/// `acceptance` (empty for generation 0), `resampled` (true/false), `simulations` (simulated
/// runs so far).
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
                // Generation 0's tolerance is infinite; a table has no such number.
                if g.tolerance.is_finite() {
                    g.tolerance.to_string()
                } else {
                    String::new()
                },
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

/// A number to three significant figures, trailing zeros kept: a column of tolerances read
/// 0.838, 0.817, 0.798, 0.78.
fn num_fixed(x: f64) -> String {
    let s = num(x);
    if !x.is_finite() || x == 0.0 || s.contains('e') {
        return s;
    }
    let digits = s.chars().filter(char::is_ascii_digit).collect::<String>();
    let shown = digits.trim_start_matches('0').len();
    if shown >= 3 {
        return s;
    }
    let zeros = "0".repeat(3 - shown);
    if s.contains('.') {
        s + &zeros
    } else {
        format!("{s}.{zeros}")
    }
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
            num_fixed(g.tolerance),
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
            mean_sd(p.prior_mean, p.prior_sd),
            mean_sd(p.mean, p.sd),
            interval_to_sd(p.q05, p.q95, p.sd),
        ]);
    }
    o += &t.render();
    if let Some(w) = c.few_particles_warning() {
        // The sentence as the page has it, lower-cased after "warning: ".
        o += &format!("\nwarning: t{}\n", w.strip_prefix('T').unwrap_or(&w));
    }
    o += &format!("\nsimulated runs: {}\n", group_thousands(c.simulations));
    o
}

// ---------------------------------------------------------------------------------------------
// The page.

/// A calibrated number in the analyst's words: its path with every named thing by its label
/// (from the first case that has it), and the case's label for a number of one case only.
fn number_label(p: &ParamSummary, ctx: &HistoryContext) -> String {
    let path = p
        .cases
        .iter()
        .find_map(|n| ctx.case(n))
        .map_or(p.path.clone(), |c| Labels { sc: c.scenario }.path(&p.path));
    // A shared number reads as its label (or name), marked shared: "fatigue (shared)".
    let path = if p.path.starts_with("shared.") {
        format!("{path} (shared)")
    } else {
        path
    };
    match (p.spec.contains(':'), p.cases.first()) {
        (true, Some(case)) => format!("{path} ({})", ctx.label(case)),
        _ => path,
    }
}

/// A mean and its sd, both to the decimals of two significant figures of the sd: "0.450 ± 0.057".
pub(crate) fn mean_sd(mean: f64, sd: f64) -> String {
    match decimals_of(mean, sd) {
        Some(d) => format!("{} ± {sd:.d$}", fixed(mean, d)),
        None => format!("{} ± {}", num(mean), num(sd)),
    }
}

/// A mean to the precision of its sd (the decimals of two significant figures of the sd): a
/// prior centred on zero whose mean the quadrature leaves at 6e-15 reads "0.00", not
/// "0.000000000000006", and a posterior mean says no more than its spread knows.
pub(crate) fn mean_to_sd(mean: f64, sd: f64) -> String {
    match decimals_of(mean, sd) {
        Some(d) => fixed(mean, d),
        None => num(mean),
    }
}

/// A 90% interval with both ends to the decimals of the posterior's mean ± sd beside it
/// ("1.17 – 1.80" beside "1.46 ± 0.19", not "1.17 – 1.8"); three significant figures where
/// those decimals do not apply.
pub(crate) fn interval_to_sd(lo: f64, hi: f64, sd: f64) -> String {
    match (decimals_of(lo, sd), decimals_of(hi, sd)) {
        (Some(a), Some(b)) => {
            let d = a.max(b);
            format!("{} – {}", fixed(lo, d), fixed(hi, d))
        }
        _ => format!("{} – {}", num(lo), num(hi)),
    }
}

/// The decimals that keep two significant figures of `sd`, if `mean` written to them shows no
/// more digits than a double holds. None (both then to three significant figures) for no
/// finite positive sd, a mean that is not finite or beyond 1e15 (fixed notation would print
/// every digit), or an sd at the limit of the mean's own precision (a Uniform of width 1e-8 at
/// 1e6).
fn decimals_of(mean: f64, sd: f64) -> Option<usize> {
    if !(sd.is_finite() && sd >= 1e-14 && mean.abs() < 1e15) {
        return None;
    }
    let decimals = (1 - sd.log10().floor() as i32).max(0);
    let magnitude = if mean == 0.0 {
        0
    } else {
        mean.abs().log10().floor() as i32
    };
    (magnitude + 1 + decimals <= 15).then_some(decimals as usize)
}

/// `x` to `decimals` decimals, without a "-0.00" for a value that rounds to zero.
fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// `report.html` of a calibration on the analysis pages' template: each number's prior
/// against its posterior and how the run ended first, with the caveats of an ABC posterior;
/// the chart of priors against posteriors; the generations and the posterior summary; the
/// method; every case's assumptions ledger; the scenarios' and timelines' sources; the
/// manifest.
fn report(
    c: &Calibration,
    applied: &[Applied],
    ctx: &HistoryContext,
    chart: Option<&Chart>,
) -> String {
    let s = &c.settings;
    let names: Vec<&str> = c.cases.iter().map(String::as_str).collect();
    let sources = ctx.sources();
    let mut p = header(
        "calibration",
        ctx.title(c.cases.len()),
        ctx.subject(&names),
        &ctx.options,
    );
    // The figures are a posterior, not probabilities: the caveat below says what they are.
    p.probabilities = false;
    p.runs = group_thousands(c.simulations);
    let final_tolerance = c.generations.last().map_or(f64::INFINITY, |g| g.tolerance);
    let tolerance_words = if final_tolerance.is_finite() {
        num_fixed(final_tolerance)
    } else {
        "∞ (the prior only)".into()
    };
    p.setup = format!(
        "{} number{} estimated from {} case{} ({} observed facts) by ABC-SMC: {} particles × \
         {} pseudo-timeline{}, seed {}.",
        c.params.len(),
        if c.params.len() == 1 { "" } else { "s" },
        c.cases.len(),
        if c.cases.len() == 1 { "" } else { "s" },
        c.facts,
        group_thousands(s.particles as u64),
        s.sims,
        if s.sims == 1 { "" } else { "s" },
        s.seed
    );
    p.setup.push_str(&ctx.set_words());
    // How it ran, in a sentence: a table of it beside the numbers' would push the summary
    // past a laptop's first screen.
    let generations = c.generations.len().saturating_sub(1);
    p.setup.push_str(&format!(
        " It ran {generations} generation{} and stopped: {}. Final tolerance {tolerance_words}, \
         the mean distance per fact a pseudo-timeline may keep from the observed one (1: every \
         fact missed, 0: every fact reproduced); {} simulations.",
        if generations == 1 { "" } else { "s" },
        c.stop_reason,
        group_thousands(c.simulations)
    ));
    let mut t = TableView::new(
        "Each number: prior → posterior",
        &[
            ("number", false),
            ("prior mean ± sd", true),
            ("posterior mean ± sd", true),
            ("90% interval", true),
            ("sd ratio", true),
        ],
    );
    t.big = Some(2);
    t.span = true;
    t.empty = "No number was calibrated.".into();
    for x in &c.params {
        t.rows.push(vec![
            number_label(x, ctx),
            mean_sd(x.prior_mean, x.prior_sd),
            mean_sd(x.mean, x.sd),
            interval_to_sd(x.q05, x.q95, x.sd),
            if x.prior_sd > 0.0 {
                format!("{:.2}", x.sd / x.prior_sd)
            } else {
                "-".into()
            },
        ]);
    }
    t.notes.push(
        "The sd ratio is the posterior's standard deviation over the prior's: near 1, the \
         cases say little about the number; well below 1, they narrow it."
            .into(),
    );
    p.summary.push(t);
    p.caveat = c.few_particles_warning().into_iter().collect();
    p.caveat.extend([
        format!(
            "An ABC posterior given these cases. It says which values of these numbers made \
             the runs look like the {} observed facts of {}, with every other assumption of the \
             scenarios as written. It is not the numbers' true value, and it carries over to \
             another crisis only as far as that crisis is like these.",
            c.facts,
            names
                .iter()
                .map(|n| ctx.label(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!(
            "The tolerance is not zero. The calibration stopped at a tolerance of \
             {tolerance_words} ({}): the posterior is that of an approximate likelihood, wider \
             than the exact one, and it may partly compensate for what the scenarios' structure \
             misses.",
            c.stop_reason
        ),
        format!(
            "{} particles and {} case{}: the posterior's tails are rough, and a number the \
             cases barely inform keeps close to its prior.",
            group_thousands(s.particles as u64),
            c.cases.len(),
            if c.cases.len() == 1 { "" } else { "s" }
        ),
        "Probabilities played with the calibrated scenarios remain conditional scenario \
         probabilities, not forecasts: the calibration changes numbers the scenarios assume, not \
         what they leave out."
            .into(),
    ]);
    if let Some(chart) = chart {
        p.charts.push(ChartView::new(chart.name, chart));
    }
    let mut t = TableView::new(
        "Generations",
        &[
            ("generation", true),
            ("tolerance", true),
            ("ESS", true),
            ("acceptance", true),
            ("resampled", false),
            ("simulations so far", true),
        ],
    );
    for g in &c.generations {
        t.rows.push(vec![
            g.index.to_string(),
            if g.tolerance.is_finite() {
                num_fixed(g.tolerance)
            } else {
                "∞ (prior)".into()
            },
            format!("{:.1}", g.ess),
            g.acceptance
                .map_or("-".into(), |a| format!("{:.1}%", 100.0 * a)),
            if g.resampled { "yes" } else { "no" }.into(),
            group_thousands(g.simulations),
        ]);
    }
    p.tables.push(t);
    let mut t = TableView::new(
        "Posterior summary",
        &[
            ("number", false),
            ("cases", false),
            ("prior", false),
            ("prior mean", true),
            ("prior sd", true),
            ("posterior mean", true),
            ("posterior sd", true),
            ("5%", true),
            ("median", true),
            ("95%", true),
            ("path", false),
        ],
    );
    for x in &c.params {
        t.rows.push(vec![
            number_label(x, ctx),
            format!(
                "{}{}",
                x.cases
                    .iter()
                    .map(|n| ctx.label(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                if x.shared { " (shared)" } else { "" }
            ),
            x.prior.clone(),
            mean_to_sd(x.prior_mean, x.prior_sd),
            num(x.prior_sd),
            mean_to_sd(x.mean, x.sd),
            num(x.sd),
            num(x.q05),
            num(x.q50),
            num(x.q95),
            x.spec.clone(),
        ]);
    }
    t.notes.push(
        "Every particle and its weight is in posterior.csv; each case's calibrated scenario \
         (each number replaced by a distribution fitted to its posterior) is \
         calibrated-<scenario>.ron."
            .into(),
    );
    for a in applied {
        t.notes.push(format!(
            "Given with --apply-to (a scenario that is not a case: calibrated-<its name>.ron): \
             {}.",
            a.words()
        ));
    }
    p.tables.push(t);
    p.method = vec![
        format!(
            "ABC-SMC. The adaptive approximate Bayesian computation of Del Moral, Doucet & \
             Jasra (2012). A population of {} particles starts from the priors; each particle \
             carries {} simulated pseudo-timeline{} (one run of every case each). Every other \
             uncertain number keeps its prior and is drawn afresh in every simulation (it is \
             integrated over, not fitted).",
            group_thousands(s.particles as u64),
            s.sims,
            if s.sims == 1 { "" } else { "s" }
        ),
        "Distance. The distance of a pseudo-timeline from the observed one is the mean over \
         all facts of each fact's distance: 0 when it holds, 1 when a yes/no fact fails, the \
         miss in steps over an eighth of the horizon or 4 steps, whichever is more (capped at \
         1; “never” is 1) for a date, the number of rungs or levels off over the ladder's \
         length for a state."
            .into(),
        format!(
            "Generations. Each generation lowers the tolerance as far as keeps the effective \
             sample size at {:.0}% of the last (the weights are the shares of each particle's \
             pseudo-timelines within the tolerance); resamples when the ESS falls below half \
             the population; and moves every particle by one Metropolis–Hastings step whose \
             likelihood is the share of fresh pseudo-timelines within the tolerance. It stops \
             when the tolerance reaches 0, when the acceptance of the moves falls below {:.0}%, \
             or after {} generations.",
            100.0 * s.ess_keep,
            100.0 * s.min_acceptance,
            s.max_generations
        ),
        "Scale. Every number is sampled on its prior's quantile scale (a particle holds u in \
         (0, 1) and the number is the prior's quantile at u), so every prior is uniform there \
         and the Metropolis–Hastings ratio is the ratio of the likelihood shares alone; \
         proposals are Gaussian steps of twice the weighted variance, reflected at 0 and 1. \
         The same seed gives the same posterior on any number of threads."
            .into(),
    ];
    p.ledger = ctx.ledger();
    p.sources = &sources;
    p.manifest = vec![
        (
            "tool".into(),
            format!("brink {}", env!("CARGO_PKG_VERSION")),
        ),
        ("command".into(), crate::text::shell_command(&ctx.command)),
        ("seed".into(), s.seed.to_string()),
        ("particles".into(), s.particles.to_string()),
        ("pseudo-timelines per particle".into(), s.sims.to_string()),
        ("most generations".into(), s.max_generations.to_string()),
        ("least acceptance".into(), s.min_acceptance.to_string()),
        ("ESS kept per generation".into(), s.ess_keep.to_string()),
        ("target tolerance".into(), s.target_tolerance.to_string()),
        (
            "numbers".into(),
            c.params
                .iter()
                .map(|x| x.spec.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    p.manifest.extend(ctx.file_rows());
    if let Some(d) = &ctx.options.date {
        p.manifest.push(("analysis date (UTC)".into(), d.clone()));
    }
    render(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerances_keep_three_figures() {
        assert_eq!(num_fixed(0.7797), "0.780");
        assert_eq!(num_fixed(0.7095), "0.710");
        assert_eq!(num_fixed(0.838), "0.838");
        assert_eq!(num_fixed(12.0), "12.0");
        assert_eq!(num_fixed(0.05), "0.0500");
        assert_eq!(num_fixed(0.0), "0");
        assert_eq!(num_fixed(250.0), "250");
        assert_eq!(num_fixed(0.99996), "1.00");
    }

    /// Two scenarios whose names differ only in case get two files on every platform.
    #[test]
    fn names_that_differ_only_in_case_are_two_files() {
        let c = |n: &str, r: &str| (n.to_string(), r.to_string());
        let asked = [
            c("calibrated-Case.ron", "a"),
            c("calibrated-case.ron", "b"),
            c("calibrated-Case.ron", "a"),
            c("CALIBRATION.JSON", "c"),
        ];
        let got = file_names(&asked).unwrap();
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "calibrated-Case.ron",
                "calibrated-case-2.ron",
                "CALIBRATION-2.JSON"
            ]
        );
    }

    /// A file keeps its own name when it can, even after another file's repeat of an earlier
    /// name: `x.ron` twice and `x-2.ron` wrote `x-2-2.ron` for the third (a reviewing helper).
    #[test]
    fn a_file_keeps_its_own_name_before_a_repeat_takes_a_number() {
        let c = |n: &str, r: &str| (n.to_string(), r.to_string());
        let asked = [
            c("calibrated-x.ron", "a"),
            c("calibrated-x.ron", "b"),
            c("calibrated-x-2.ron", "c"),
            c("calibrated-x.ron", "a"),
        ];
        assert_eq!(
            written_names(&asked).unwrap(),
            [
                "calibrated-x.ron",
                "calibrated-x-3.ron",
                "calibrated-x-2.ron",
                "calibrated-x.ron"
            ]
        );
        let got = file_names(&asked).unwrap();
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "calibrated-x.ron",
                "calibrated-x-3.ron",
                "calibrated-x-2.ron"
            ]
        );
    }

    /// A mean is written to its sd's precision: no digits of quadrature noise.
    #[test]
    fn a_mean_reads_to_the_precision_of_its_sd() {
        assert_eq!(mean_sd(6e-15, 0.567), "0.00 ± 0.57");
        assert_eq!(mean_sd(-6e-15, 0.567), "0.00 ± 0.57");
        assert_eq!(mean_sd(-0.004, 0.567), "0.00 ± 0.57");
        assert_eq!(mean_sd(-0.04, 0.567), "-0.04 ± 0.57");
        assert_eq!(mean_sd(0.45, 0.0567), "0.450 ± 0.057");
        assert_eq!(mean_sd(0.4476, 0.0496), "0.448 ± 0.050");
        assert_eq!(mean_sd(0.56234, 0.437), "0.56 ± 0.44");
        assert_eq!(mean_sd(48_270.4, 5.0), "48270.4 ± 5.0");
        assert_eq!(mean_sd(48_270.4, 512.0), "48270 ± 512");
        assert_eq!(mean_sd(1.5, 0.0), "1.5 ± 0");
        assert_eq!(
            mean_sd(1e300, 1e-300),
            format!("{} ± {}", num(1e300), num(1e-300))
        );
        assert_eq!(mean_sd(2.0, 1e-300), format!("2 ± {}", num(1e-300)));
        assert_eq!(mean_sd(1e20, 3.0), format!("{} ± 3", num(1e20)));
        assert_eq!(
            mean_sd(1e6 + 5.5e-8, 2.9e-9),
            format!("{} ± {}", num(1e6), num(2.9e-9))
        );
        assert_eq!(mean_to_sd(f64::NAN, 1.0), "-");
        assert_eq!(mean_to_sd(f64::INFINITY, 1.0), "∞");
    }

    #[test]
    fn an_interval_has_the_decimals_of_the_mean_and_sd_beside_it() {
        // The docs' table read "1.17 – 1.80" where the terminal and the page read "1.17 – 1.8".
        assert_eq!(interval_to_sd(1.1712, 1.8004, 0.19), "1.17 – 1.80");
        assert_eq!(interval_to_sd(-0.2603, 1.18, 0.46), "-0.26 – 1.18");
        assert_eq!(interval_to_sd(-0.0001, 0.0494, 0.041), "0.000 – 0.049");
        assert_eq!(interval_to_sd(40_000.0, 50_000.0, 512.0), "40000 – 50000");
        assert_eq!(
            interval_to_sd(1.0, 2.0, 0.0),
            format!("{} – {}", num(1.0), num(2.0))
        );
    }
}
