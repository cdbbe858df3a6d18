//! Calibrated scenario files: the scenario's own text with each calibrated number replaced by
//! a distribution fitted to its posterior, sourced to the calibration, and each number a
//! `--set` replaced in the calibration written as it was set, so that the file runs the model
//! that was calibrated. Everything else (the comments, the layout, every other number) is left
//! as written.

use crate::analysis::calibrate::{Calibration, ParamSummary, weighted_mean_sd};
use crate::error::{Error, Result};
use crate::scenario::overrides::Override;
use crate::scenario::param::{Dist, Param, fmt_num};
use crate::scenario::paths::for_each_param;
use crate::scenario::validate::Problem;
use crate::scenario::{Scenario, locate};

/// No range beyond a prior's own: a number whose field takes any value.
const FREE: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);

/// A distribution fitted to posterior draws `xs` (weights `w`) of a number whose prior is
/// `prior` and whose field takes values in `valid` (each draw is clamped there when used): a
/// Beta on the prior's range by the method of moments when the range is finite, a log-normal
/// for a log-normal prior, else a normal truncated as the prior was. A normal's mean or a
/// log-normal's median outside `valid` (the draws piled up at an end, where the model clamps
/// them) is written at that end, and the source says so: a file centred outside the range is
/// refused, and the calibration was lost after all its work.
pub fn fit(prior: &Param, xs: &[f64], w: &[f64], source: &str, valid: (f64, f64)) -> Param {
    let (mean, sd) = weighted_mean_sd(xs, w);
    let (lo, hi) = prior.range();
    let source = source.to_string();
    // The centre within the valid range, and the source with a sentence when it was moved.
    let centred = |what: &str, c: f64| -> (f64, String) {
        let within = c.clamp(valid.0, valid.1);
        if within == c || c.is_nan() {
            return (c, source.clone());
        }
        let sentence = then(
            &source,
            &format!(
                "The posterior's {what}, {}, lies outside the range every use of the number \
                 takes ({} to {}), and a scenario centred outside it is refused: the {what} \
                 written is {}.",
                fmt_num(c),
                fmt_num(valid.0),
                fmt_num(valid.1),
                fmt_num(within)
            ),
        );
        (within, sentence)
    };
    if let Param::Dist(Dist::LogNormal { .. }) = prior {
        let logs: Vec<f64> = xs
            .iter()
            .map(|&x| crate::numerics::math::ln(x.max(f64::MIN_POSITIVE)))
            .collect();
        let (m, s) = weighted_mean_sd(&logs, w);
        let median = crate::numerics::math::exp(m);
        // The spread written (at least 1e-6), whose hundredth the median is rounded within: a
        // collapsed posterior (s = 0) kept four digits, hundreds of its sigmas off.
        let sigma = round(s.max(1e-6));
        // As many digits as the spread needs: four moved a narrow posterior by sigmas.
        let (median, source) = centred("median", round_within(median, median * sigma / 100.0));
        return Param::Dist(Dist::LogNormal {
            median,
            sigma,
            source,
        });
    }
    if lo.is_finite() && hi.is_finite() && hi > lo {
        use crate::analysis::calibrate::{MAX_PRIOR_SHAPE, MIN_PRIOR_SHAPE};
        // On the range's own scale: a posterior mean of 4e-9 of it is not 1e-6 (it was clamped
        // there, and the shapes' sum floored at 1, so the file contradicted its source).
        let m = ((mean - lo) / (hi - lo)).clamp(0.0, 1.0);
        let v = (sd / (hi - lo)).powi(2);
        // A Beta needs v < m(1 − m); a posterior as wide as the range keeps a flat-ish shape.
        // Its shapes stay within what brink calibrates from (a posterior collapsed onto one
        // particle was written with shapes of 10^11, a file `calibrate` then refused as prior):
        // the shapes' sum n keeps the mean while n·min(m, 1 − m) ≥ MIN and n·max(m, 1 − m) ≤
        // MAX.
        let lowest = MIN_PRIOR_SHAPE / m.min(1.0 - m);
        let highest = MAX_PRIOR_SHAPE / m.max(1.0 - m);
        let reachable = lowest <= highest; // false for a NaN too
        if !reachable {
            // A mean nearer an end than such shapes reach: the nearest Beta, and the file says
            // that its mean is not the posterior's.
            let (alpha, beta) = if m < 0.5 {
                (MIN_PRIOR_SHAPE, MAX_PRIOR_SHAPE)
            } else {
                (MAX_PRIOR_SHAPE, MIN_PRIOR_SHAPE)
            };
            let written = lo + (hi - lo) * (alpha / (alpha + beta));
            return Param::Dist(Dist::Beta {
                alpha,
                beta,
                min: Some(lo),
                max: Some(hi),
                source: then(
                    &source,
                    &format!(
                        "The Beta written is the nearest one brink samples from (shapes \
                         {MIN_PRIOR_SHAPE} to 10^6): its mean is {}, not the posterior's.",
                        fmt_num(written)
                    ),
                ),
            });
        }
        // The method of moments, within the shapes brink samples from. (The sum was also
        // floored at 1: a flat or U-shaped posterior, Beta(0.2, 0.2), was written as
        // Beta(0.5, 0.5), narrower than its source said, a reviewing helper found.)
        let common = (m * (1.0 - m) / v - 1.0).max(lowest).min(highest);
        // Each shape to as many digits as keep the Beta's mean within a hundredth of its sd:
        // four moved a narrow posterior's mean by 70 sd.
        let quantum = (m * (1.0 - m) / (common + 1.0)).sqrt() * common / 100.0;
        let shape = |x: f64| round_within(x, quantum).clamp(MIN_PRIOR_SHAPE, MAX_PRIOR_SHAPE);
        return Param::Dist(Dist::Beta {
            alpha: shape(m * common),
            beta: shape((1.0 - m) * common),
            min: Some(lo),
            max: Some(hi),
            source,
        });
    }
    // A normal cut on one side: the curve whose cut has the posterior's mean and sd (its own
    // μ and σ are not those: `Normal(mean: 0.80, sd: 0.62, min: 0)` draws with mean 0.92 and sd
    // 0.52, so each calibration that started from the last one's file moved the number).
    if lo.is_finite() != hi.is_finite() && sd > 0.0 && sd.is_finite() {
        let (cut_mean, mut source) = centred("mean", mean);
        let (cut, below) = if lo.is_finite() {
            (lo, true)
        } else {
            (hi, false)
        };
        let (mu, sigma, matched) = cut_normal_with(cut_mean, sd, cut, below);
        if mu.is_finite() && sigma > 0.0 && sigma.is_finite() {
            let sigma = round(sigma);
            let mu = round_within(mu, sigma / 100.0);
            if !matched {
                let (_, written_sd) = cut_normal_moments(mu, sigma, cut, below);
                source = then(
                    &source,
                    &format!(
                        "No normal cut at {} has the posterior's mean and sd (its sd is too \
                         large for its distance from the cut): the one written has its mean \
                         and sd {}.",
                        fmt_num(cut),
                        fmt_num(round(written_sd))
                    ),
                );
            }
            return Param::Dist(Dist::Normal {
                mean: mu,
                sd: sigma,
                min: lo.is_finite().then_some(lo),
                max: hi.is_finite().then_some(hi),
                source,
            });
        }
    }
    // Rounded within a hundredth of the sd written (at least 1e-9): with an sd of 0 (particles
    // on one value) the mean kept four digits, tens of thousands of its sds off (found by a
    // reviewing helper).
    let sd = round(sd.max(1e-9));
    // Four digits of a mean of 1,234.567 with an sd of 0.01 moved it by 3 sd.
    let (mean, source) = centred("mean", round_within(mean, sd / 100.0));
    Param::Dist(Dist::Normal {
        mean,
        sd,
        min: lo.is_finite().then_some(lo),
        max: hi.is_finite().then_some(hi),
        source,
    })
}

/// `source` followed by `sentence`: after a full stop, since a source ends with the command
/// that made it, and the sentence must not read as part of it.
fn then(source: &str, sentence: &str) -> String {
    if source.is_empty() {
        sentence.to_string()
    } else if source.ends_with('.') {
        format!("{source} {sentence}")
    } else {
        format!("{source}. {sentence}")
    }
}

/// How far past its centre, in standard deviations, a cut written by [`fit`] may lie: the
/// curve then keeps 1.9e-8 of its mass beyond the cut, well above the 10^-9 below which a
/// scenario's cut normal is refused.
const DEEPEST_CUT: f64 = 5.5;

/// The mean and sd of a normal (μ, σ) cut at `cut` (keeping what lies above it when `below`,
/// else what lies below it).
fn cut_normal_moments(mu: f64, sigma: f64, cut: f64, below: bool) -> (f64, f64) {
    // Mirrored, a cut from above is a cut from below.
    let (mu_b, cut_b) = if below { (mu, cut) } else { (-mu, -cut) };
    let a = (cut_b - mu_b) / sigma;
    let (lambda, spread) = hazard_and_spread(a);
    let mean = mu_b + sigma * lambda;
    let sd = sigma * spread.max(0.0).sqrt();
    (if below { mean } else { -mean }, sd)
}

/// For a standard normal cut at `a` from below: its mean λ = φ(a) / (1 − Φ(a)) and its
/// variance 1 + aλ − λ².
fn hazard_and_spread(a: f64) -> (f64, f64) {
    let tail = 0.5 * libm::erfc(a / std::f64::consts::SQRT_2);
    let pdf = crate::numerics::math::exp(-0.5 * a * a) / (2.0 * std::f64::consts::PI).sqrt();
    let lambda = pdf / tail;
    (lambda, 1.0 + a * lambda - lambda * lambda)
}

/// The normal (μ, σ) whose cut at `cut` (from below when `below`) has mean `mean` and sd `sd`,
/// and whether it has both: the ratio (mean − cut) / sd of a cut normal falls from infinity
/// (the cut far below the centre) toward 1 (an exponential's) as the cut moves up through the
/// curve, so it is found by bisection on the cut's place `a` in standard deviations, up to
/// [`DEEPEST_CUT`]. A ratio below what those reach (a spread too large for the distance from
/// the cut) gets the deepest cut with the posterior's mean (`false`).
fn cut_normal_with(mean: f64, sd: f64, cut: f64, below: bool) -> (f64, f64, bool) {
    let gap = if below { mean - cut } else { cut - mean };
    // The ratio of a cut at `a`.
    let ratio = |a: f64| {
        let (lambda, spread) = hazard_and_spread(a);
        (lambda - a) / spread.max(f64::MIN_POSITIVE).sqrt()
    };
    let target = gap / sd;
    // A NaN target (no spread to speak of) takes the deepest cut too.
    let reachable = target > ratio(DEEPEST_CUT);
    let (a, matched) = if !reachable {
        (DEEPEST_CUT, false)
    } else {
        // ratio(a) > -a, so a = -target - 1 lies below the answer.
        let (mut lo, mut hi) = (-target - 1.0, DEEPEST_CUT);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if ratio(mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (0.5 * (lo + hi), true)
    };
    let (lambda, spread) = hazard_and_spread(a);
    // Matched: σ from the sd; otherwise from the mean (the gap is σ(λ − a)).
    let sigma = if matched {
        sd / spread.sqrt()
    } else {
        gap.max(0.0) / (lambda - a)
    };
    let mu_b = -a * sigma; // relative to the cut, mirrored for a cut from above
    let mu = if below { cut + mu_b } else { cut - mu_b };
    (mu, sigma, matched)
}

/// Four significant digits: a posterior from a few thousand particles says no more.
fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.3e}").parse().unwrap_or(x)
}

/// At least four significant digits, and as many more as keep the rounding within `quantum`
/// (at most 17, all an `f64` has).
fn round_within(x: f64, quantum: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    use crate::numerics::math::log10;
    let magnitude = log10(x.abs()).floor();
    let needed = if quantum > 0.0 && quantum.is_finite() {
        magnitude - log10(2.0 * quantum).floor() + 1.0
    } else {
        4.0
    };
    let digits = needed.clamp(4.0, 17.0) as usize;
    format!("{x:.*e}", digits - 1).parse().unwrap_or(x)
}

/// The RON text of a number.
pub fn ron_of(p: &Param) -> String {
    let q = |s: &str| format!("{s:?}");
    match p {
        Param::Value(v) => fmt_num(*v),
        Param::Dist(d) => match d {
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
                source,
            } => format!(
                "Beta(alpha: {alpha:?}, beta: {beta:?}, min: {:?}, max: {:?}, source: {})",
                min.unwrap_or(0.0),
                max.unwrap_or(1.0),
                q(source)
            ),
            Dist::LogNormal {
                median,
                sigma,
                source,
            } => format!(
                "LogNormal(median: {median:?}, sigma: {sigma:?}, source: {})",
                q(source)
            ),
            Dist::Normal {
                mean,
                sd,
                min,
                max,
                source,
            } => {
                let mut s = format!("Normal(mean: {mean:?}, sd: {sd:?}");
                if let Some(m) = min {
                    s += &format!(", min: {m:?}");
                }
                if let Some(m) = max {
                    s += &format!(", max: {m:?}");
                }
                s + &format!(", source: {})", q(source))
            }
            other => {
                ron::to_string(other).unwrap_or_else(|_| Param::Dist(other.clone()).describe())
            }
        },
    }
}

/// How the source of every number a calibration wrote into a file begins: a back-test of the
/// calibrated copy tells its numbers by it.
pub const CALIBRATED_BY: &str = "calibrated by brink calibrate";

/// The source a calibrated number carries.
pub fn source_of(c: &Calibration, p: &ParamSummary, command: &str) -> String {
    format!(
        "{CALIBRATED_BY} (ABC-SMC, Del Moral et al. 2012; {} particles × {} \
         pseudo-timelines, seed {}, final tolerance {}) on the timelines of {}: posterior mean \
         {}, sd {}, 90% interval {}–{}; prior was {}. Command: {}",
        c.settings.particles,
        c.settings.sims,
        c.settings.seed,
        c.generations
            .last()
            .map_or("∞".to_string(), |g| fmt_num(g.tolerance)),
        c.cases.join(", "),
        figures(p.mean),
        figures(p.sd),
        figures(p.q05),
        figures(p.q95),
        p.prior,
        command
    )
}

/// A `--set` value as RON that reads back as the same number or distribution.
fn set_value_ron(p: &Param) -> String {
    match p {
        Param::Value(v) => format!("{v:?}"),
        Param::Dist(d) => ron::to_string(d).unwrap_or_else(|_| p.describe_exact()),
    }
}

/// A figure of a source to four significant digits where four decimals would not show three
/// (a posterior mean of 0.00019874 read "0.0002"); otherwise as [`fmt_num`] writes it.
fn figures(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || x.abs() >= 0.01 {
        return fmt_num(x);
    }
    let s = format!("{x:.3e}");
    match s.split_once('e') {
        Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
        None => s,
    }
}

/// Which calibrated numbers a file takes.
#[derive(Debug, Clone, Copy)]
pub enum Takes<'a> {
    /// Those that apply to this case (its own and the shared ones).
    Case(&'a str),
    /// Those asked for every case (`PATH`, not `CASE:PATH`): a scenario outside the
    /// calibration that has the same numbers (the flagship's shared numbers).
    Shared,
}

/// Checks that each `--set` override of a case's base numbers can be written into its
/// calibrated file: the number must be written in the file (`text`), not left to its default.
/// Run before calibrating, so that a run of hours does not end in this refusal.
pub fn check_sets(text: &str, scenario: &Scenario, case: &str, sets: &[Override]) -> Result<()> {
    let tree = locate::read(text.strip_prefix('\u{feff}').unwrap_or(text)).ok_or_else(|| {
        Error::Input(format!(
            "cannot read the layout of scenario {case:?} to edit it"
        ))
    })?;
    let mut missing = vec![];
    for_each_param(&mut scenario.clone(), &mut |site, _| {
        if let Some(o) = sets.iter().find(|o| o.path == site.path)
            && tree.find_exact(&site.loc).is_none()
        {
            missing.push(o.to_string());
        }
    });
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Input(format!(
        "--set {}: scenario {case:?} does not write this number (it takes its default), so its \
         calibrated file could not carry the value; write the number in the scenario file, or \
         give it as a variant",
        missing.join(", --set ")
    )))
}

/// Checks, before calibrating, that a scenario outside the calibration (`--apply-to`, shown as
/// `file`) can take the numbers calibrated for every case (`shared`: the paths of the
/// `--params` entries that name no case, each with the range its prior's draws can take):
/// at least one of them must be a number of the scenario, and each it has must be written in
/// its file (`text`), not left to its default, as a distribution whose range holds the
/// prior's (the posterior is fitted within the file's range: a narrower one made a Beta of
/// shape 10^-6 that drew its lower end in every run). Returns the paths it takes. Run before
/// calibrating, so that a run of hours does not end in this refusal.
pub fn check_apply_to(
    path: &std::path::Path,
    text: &str,
    scenario: &Scenario,
    shared: &[(&str, (f64, f64))],
) -> Result<Vec<String>> {
    use crate::text::ShowPath;
    let file = path.shown().to_string();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if shared.is_empty() {
        return Err(Error::Input(format!(
            "--apply-to {file}: --apply-to applies the numbers calibrated for every case \
             (--params PATH), and every --params entry names one case (CASE:PATH); calibrate \
             a number for every case, or leave out --apply-to"
        )));
    }
    let tree = locate::read(text).ok_or_else(|| {
        Error::Input(format!(
            "--apply-to {file}: cannot read the layout of the scenario to edit it"
        ))
    })?;
    // A number written on a range that cannot take the posterior is located at its value in
    // the file, as every other problem of a scenario file is.
    let (mut takes, mut unwritten, mut located) = (vec![], vec![], vec![]);
    for_each_param(&mut scenario.clone(), &mut |site, param| {
        if let Some((_, (plo, phi))) = shared.iter().find(|(p, _)| *p == site.path) {
            let (lo, hi) = param.range();
            if tree.find_exact(&site.loc).is_none() {
                unwritten.push(site.path.clone());
            } else if hi <= lo {
                // The posterior is fitted within the number's own range: none here (the
                // calibration's cases are refused a prior of no width likewise).
                located.push(Problem::new(
                    site.loc.clone(),
                    format!(
                        "--apply-to {file}: it writes {} = {} with no width, and a calibrated \
                         posterior is fitted within a number's range",
                        site.path,
                        ron_of(param)
                    ),
                    "the number written as the distribution it stands for (its prior)",
                ));
            } else if lo > *plo || hi < *phi {
                // The model's magnitude limit stands for "no end".
                let end = |x: f64| {
                    if x.abs() >= crate::scenario::limits::MAX_ABS_NUMBER {
                        if x < 0.0 { "-∞" } else { "∞" }.to_string()
                    } else {
                        fmt_num(x)
                    }
                };
                located.push(Problem::new(
                    site.loc.clone(),
                    format!(
                        "--apply-to {file}: it writes {} = {} (from {} to {}, where the \
                         calibration's prior runs from {} to {}) with a range that does not \
                         hold the calibration's prior, and a calibrated posterior is fitted \
                         within the number's range in the file",
                        site.path,
                        ron_of(param),
                        end(lo),
                        end(hi),
                        end(*plo),
                        end(*phi)
                    ),
                    format!(
                        "a range that holds the prior's, from {} to {} (or the prior itself)",
                        end(*plo),
                        end(*phi)
                    ),
                ));
            } else {
                takes.push(site.path.clone());
            }
        }
    });
    crate::scenario::load::located(path, text, located)?;
    if !unwritten.is_empty() {
        return Err(Error::Input(format!(
            "--apply-to {file}: it does not write {} (it takes the default), so its calibrated \
             copy could not carry the posterior; write the number in the scenario file",
            unwritten.join(", ")
        )));
    }
    if takes.is_empty() {
        return Err(Error::Input(format!(
            "--apply-to {file}: it has none of the numbers calibrated for every case ({}); \
             `brink describe --paths {file}` lists its numbers",
            shared
                .iter()
                .map(|(p, _)| *p)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(takes)
}

/// The calibrated text of a scenario file: each calibrated number it takes replaced in `text`
/// (the file as written) by its fitted posterior, and each other number that a `--set` of the
/// calibration replaced (`sets`, for a case's own file; none for `--apply-to`) written as set.
/// Returns the text and the paths replaced by posteriors.
pub fn calibrated_scenario(
    text: &str,
    scenario: &Scenario,
    c: &Calibration,
    takes: Takes,
    command: &str,
    sets: &[Override],
) -> Result<(String, Vec<String>)> {
    let case = match takes {
        Takes::Case(c) => c,
        Takes::Shared => scenario.name.as_str(),
    };
    let tree = locate::read(text.strip_prefix('\u{feff}').unwrap_or(text)).ok_or_else(|| {
        Error::Input(format!(
            "cannot read the layout of scenario {case:?} to edit it"
        ))
    })?;
    let chars: Vec<char> = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .chars()
        .collect();
    let mut edits: Vec<(usize, usize, String)> = vec![];
    let mut replaced = vec![];
    let mut s = scenario.clone();
    let mut problem = None;
    let valid = crate::scenario::validate::valid_ranges(scenario);
    for_each_param(&mut s, &mut |site, prior| {
        let mut fitted_here = false;
        for (k, p) in c.params.iter().enumerate() {
            let applies = match takes {
                Takes::Case(name) => p.cases.iter().any(|x| x == name),
                Takes::Shared => !p.spec.contains(':'),
            };
            if p.path != site.path || !applies {
                continue;
            }
            let Some(node) = tree.find_exact(&site.loc) else {
                problem = Some(format!(
                    "cannot find {} in the file of {case:?} to replace it",
                    p.path
                ));
                continue;
            };
            let xs: Vec<f64> = c.particles.iter().map(|row| row[k]).collect();
            let valid = valid.get(&site.path).copied().unwrap_or(FREE);
            // The number this file held, where it is not the calibration's prior (a file the
            // posterior is applied to: its own earlier calibration was named as the cases' PERT).
            let mut source = source_of(c, p, command);
            let held = prior.describe_exact();
            if held != p.prior {
                source = format!("{source}. It replaces this file's {held}");
            }
            let fitted = fit(prior, &xs, &c.weights, &source, valid);
            edits.push((node.chars.0, node.chars.1, ron_of(&fitted)));
            replaced.push(p.path.clone());
            fitted_here = true;
        }
        // A set number that was not calibrated: the file says what the calibration ran with.
        if let Some(o) = sets.iter().find(|o| o.path == site.path)
            && !fitted_here
        {
            match tree.find_exact(&site.loc) {
                // The value as parsed, not as typed: the text may end in a comment (`0.9 //
                // note`) that would swallow the rest of the line it is pasted into.
                Some(node) => edits.push((
                    node.chars.0,
                    node.chars.1,
                    format!("{} /* --set in the calibration */", set_value_ron(&o.value)),
                )),
                None => {
                    problem = Some(format!(
                        "cannot write --set {o} into the file of {case:?}: it does not write \
                         that number"
                    ))
                }
            }
        }
    });
    if let Some(p) = problem {
        return Err(Error::Input(p));
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = chars;
    for (a, b, rep) in edits {
        out.splice(a..b, rep.chars());
    }
    Ok((out.into_iter().collect(), replaced))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by a reviewing helper: a posterior of a number near 2e-4 was sourced as "mean
    /// 0.0002, 90% interval 0.0001–0.0003", which says almost nothing.
    #[test]
    fn a_sources_small_figures_keep_four_significant_digits() {
        assert_eq!(figures(0.00019874), "1.987e-4");
        assert_eq!(figures(-0.0054321), "-5.432e-3");
        assert_eq!(figures(0.00001), "1e-5");
        assert_eq!(figures(0.4207), "0.4207");
        assert_eq!(figures(-0.185), "-0.185");
        assert_eq!(figures(0.0), "0");
    }

    /// A posterior on a number whose prior is a normal cut on one side is written as the cut
    /// normal with the posterior's mean and sd (a reviewing helper's calibration that learned
    /// nothing wrote `Normal(mean: 0.8012, sd: 0.6201, min: 0)` for a posterior 0.80 ± 0.62,
    /// a curve whose draws are 0.92 ± 0.52).
    #[test]
    fn a_cut_normal_posterior_keeps_its_mean_and_sd() {
        // The solver undoes the moments, both sides, cuts deep and shallow.
        for (mu, sigma, cut, below) in [
            (0.0, 1.0, 0.0, true),
            (-3.0, 2.0, 0.0, true),
            (5.0, 0.1, 4.0, true),
            (-2.0, 1.5, -1.0, false),
            (7.0, 3.0, 1.0, false),
        ] {
            let (m, s) = cut_normal_moments(mu, sigma, cut, below);
            let (mu2, sigma2, matched) = cut_normal_with(m, s, cut, below);
            assert!(matched, "{mu} {sigma} {cut}");
            assert!((mu2 - mu).abs() < 1e-9 * sigma, "{mu} vs {mu2}");
            assert!((sigma2 - sigma).abs() < 1e-9 * sigma, "{sigma} vs {sigma2}");
        }
        // Draws of Normal(0, 1) cut at 0 (the half-normal, by its quantiles): the file's
        // curve draws with the draws' mean and sd, within the rounding to a hundredth of σ.
        let n = 4000;
        let xs: Vec<f64> = (0..n)
            .map(|i| crate::numerics::dist::norm_inv(0.5 + 0.5 * (i as f64 + 0.5) / n as f64))
            .collect();
        let prior = Param::Dist(Dist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(0.0),
            max: None,
            source: String::new(),
        });
        let (mean, sd) = weighted_mean_sd(&xs, &vec![1.0; n]);
        let Param::Dist(Dist::Normal {
            mean: mu,
            sd: sigma,
            min: Some(min),
            max: None,
            ..
        }) = fit(&prior, &xs, &vec![1.0; n], "", (0.0, 1e12))
        else {
            panic!("not a normal cut below");
        };
        assert_eq!(min, 0.0);
        let (m, s) = cut_normal_moments(mu, sigma, 0.0, true);
        assert!((m - mean).abs() < sigma / 50.0, "{m} vs {mean}");
        assert!((s - sd).abs() < sd * 1e-3, "{s} vs {sd}");
        // The half-normal's own curve: μ ≈ 0, σ ≈ 1, not its draws' 0.80 ± 0.60.
        assert!(
            mu.abs() < 0.02 && (sigma - 1.0).abs() < 0.02,
            "{mu} {sigma}"
        );
        // A spread too large for its distance from the cut (an exponential's ratio of the two
        // is 1, these 0.5): the deepest cut with the posterior's mean, and the source says its
        // sd is not the posterior's.
        let steep = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        let (mean, _) = weighted_mean_sd(&steep, &[1.0; 10]);
        let Param::Dist(Dist::Normal {
            mean: mu,
            sd: sigma,
            source,
            ..
        }) = fit(&prior, &steep, &[1.0; 10], "", (0.0, 1e12))
        else {
            panic!("not a normal");
        };
        let (m, _) = cut_normal_moments(mu, sigma, 0.0, true);
        assert!((m - mean).abs() < sigma / 50.0, "{m} vs {mean}");
        assert!(
            source.contains(
                "No normal cut at 0 has the posterior's mean and sd (its sd is too large for \
                 its distance from the cut)"
            ),
            "{source}"
        );
    }

    /// A flat or U-shaped posterior keeps its spread: Beta(0.2, 0.2)'s draws were written as
    /// Beta(0.5, 0.5), the shapes' sum floored at 1 (a reviewing helper).
    #[test]
    fn a_u_shaped_posterior_is_written_as_wide_as_it_is() {
        use crate::analysis::calibrate::prior_quantile;
        let prior = Param::Dist(Dist::Beta {
            alpha: 0.2,
            beta: 0.2,
            min: None,
            max: None,
            source: String::new(),
        });
        let n = 4000;
        let xs: Vec<f64> = (0..n)
            .map(|i| prior_quantile(&prior, (i as f64 + 0.5) / n as f64).unwrap())
            .collect();
        let Param::Dist(Dist::Beta { alpha, beta, .. }) =
            fit(&prior, &xs, &vec![1.0; n], "", (0.0, 1.0))
        else {
            panic!("not a Beta");
        };
        // Stratified draws of the curve: its shapes within a few per cent.
        assert!(
            (alpha - 0.2).abs() < 0.01 && (beta - 0.2).abs() < 0.01,
            "{alpha} {beta}"
        );
    }

    #[test]
    fn a_narrow_posterior_keeps_the_digits_its_spread_needs() {
        // A posterior at 1,234.5678 ± 0.01 on an unbounded prior: four digits wrote 1,235,
        // some forty sd away (a left-alone item of earlier notes).
        let prior = Param::Dist(Dist::Normal {
            mean: 1000.0,
            sd: 500.0,
            min: None,
            max: None,
            source: String::new(),
        });
        let xs = [1234.5578, 1234.5678, 1234.5778];
        let Param::Dist(Dist::Normal { mean, sd, .. }) = fit(&prior, &xs, &[1.0; 3], "", FREE)
        else {
            panic!("not a normal");
        };
        assert!((mean - 1234.5678).abs() <= sd / 100.0, "{mean} ± {sd}");
        // A wide one keeps four digits.
        assert_eq!(round_within(1234.5678, 50.0), 1235.0);
        assert_eq!(round_within(0.123456, 0.01), 0.1235);
    }

    /// A posterior on a bounded range is written as a Beta brink can calibrate from again
    /// (shapes 0.01 to 10^6: one collapsed onto a particle had shapes of 4e10 and 1.4e11),
    /// whose mean is the posterior's within a hundredth of the Beta's sd (four digits of each
    /// shape moved it by 70 sd).
    #[test]
    fn a_beta_posterior_stays_a_prior_brink_takes_and_keeps_its_mean() {
        use crate::analysis::calibrate::{MAX_PRIOR_SHAPE, prior_quantile};
        let prior = Param::Dist(Dist::Uniform {
            min: 0.3,
            max: 0.6,
            source: String::new(),
        });
        let beta = |p: &Param| match *p {
            Param::Dist(Dist::Beta { alpha, beta, .. }) => (alpha, beta),
            _ => panic!("not a beta: {p:?}"),
        };
        // Collapsed: every particle the same.
        let one = fit(&prior, &[0.369_369; 5], &[1.0; 5], "", FREE);
        let (a, b) = beta(&one);
        assert!(a <= MAX_PRIOR_SHAPE && b <= MAX_PRIOR_SHAPE, "{a}, {b}");
        assert!(prior_quantile(&one, 0.5).is_some());
        let unit_mean = a / (a + b);
        assert!(
            (0.3 + 0.3 * unit_mean - 0.369_369).abs() < 1e-6,
            "{unit_mean}"
        );
        // Narrow but not collapsed: the mean within a hundredth of the sd.
        let xs = [0.369_300, 0.369_369, 0.369_438];
        let narrow = fit(&prior, &xs, &[1.0; 3], "", FREE);
        let (a, b) = beta(&narrow);
        let (m, n) = (a / (a + b), a + b);
        let sd = 0.3 * (m * (1.0 - m) / (n + 1.0)).sqrt();
        assert!(
            (0.3 + 0.3 * m - 0.369_369).abs() <= sd / 100.0,
            "{m} ± {sd}"
        );
    }

    /// Found by a reviewing helper: a posterior mean of a few 1e-9 of its range was written as
    /// a Beta of mean 1e-6 (the mean clamped there), while the file's own source quoted the
    /// posterior's; and on a range of 1e-300 the spread squared to nothing (sd ± 0, a point
    /// mass fitted). The fit keeps the mean wherever the shapes brink samples from reach it,
    /// and says so where they do not.
    #[test]
    fn a_posterior_at_the_edge_of_its_range_is_fitted_on_the_range_s_scale() {
        use crate::analysis::calibrate::{MAX_PRIOR_SHAPE, MIN_PRIOR_SHAPE, weighted_mean_sd};
        let on = |min: f64, max: f64| {
            Param::Dist(Dist::Uniform {
                min,
                max,
                source: String::new(),
            })
        };
        let beta = |p: &Param| match p {
            Param::Dist(Dist::Beta {
                alpha,
                beta,
                source,
                ..
            }) => (*alpha, *beta, source.clone()),
            _ => panic!("not a beta: {p:?}"),
        };
        // Reachable: a mean of 2e-7 with an sd of 1e-7 is written with that mean.
        let xs = [1e-7, 2e-7, 3e-7];
        let (a, b, source) = beta(&fit(&on(0.0, 1.0), &xs, &[1.0; 3], "s.", FREE));
        let (mean, _) = weighted_mean_sd(&xs, &[1.0; 3]);
        assert!(((a / (a + b)) / mean - 1.0).abs() < 1e-3, "{a}, {b}");
        assert_eq!(source, "s.");
        // Beyond reach: 4e-9 of the range needs a first shape below 0.01 with the second at
        // 10^6. The nearest Beta, and the source says its mean is not the posterior's.
        let xs = [2e-9, 4e-9, 6e-9];
        let (a, b, source) = beta(&fit(&on(0.0, 1.0), &xs, &[1.0; 3], "s.", FREE));
        assert_eq!((a, b), (MIN_PRIOR_SHAPE, MAX_PRIOR_SHAPE));
        assert!(
            source.starts_with("s. The Beta written is the nearest"),
            "{source}"
        );
        let (.., source) = beta(&fit(
            &on(0.0, 1.0),
            &xs,
            &[1.0; 3],
            "Command: brink calibrate",
            FREE,
        ));
        assert!(
            source.starts_with("Command: brink calibrate. The Beta written"),
            "{source}"
        );
        assert!(source.contains("not the posterior's"), "{source}");
        // The same at the top of the range.
        let (a, b, _) = beta(&fit(&on(0.0, 1.0), &[1.0 - 4e-9; 3], &[1.0; 3], "", FREE));
        assert_eq!((a, b), (MAX_PRIOR_SHAPE, MIN_PRIOR_SHAPE));
        // A range of 1e-300: the spread of draws across it is seen, and fitted flat-ish.
        let xs: Vec<f64> = (0..101).map(|i| f64::from(i) * 1e-302).collect();
        let w = vec![1.0; xs.len()];
        let (mean, sd) = weighted_mean_sd(&xs, &w);
        assert!((mean / 5e-301 - 1.0).abs() < 1e-9, "{mean}");
        assert!((sd / 2.915_476e-301 - 1.0).abs() < 1e-6, "{sd}");
        let (a, b, _) = beta(&fit(&on(0.0, 1e-300), &xs, &w, "", FREE));
        assert!(
            (0.9..1.1).contains(&a) && (0.9..1.1).contains(&b),
            "{a}, {b}"
        );
        // A posterior collapsed onto one value on an unbounded prior: the mean written within
        // a hundredth of the sd written (it kept four digits: 0.1235 ± 1e-9).
        let normal = Param::Dist(Dist::Normal {
            mean: 0.45,
            sd: 0.1,
            min: None,
            max: None,
            source: String::new(),
        });
        let Param::Dist(Dist::Normal { mean, sd, .. }) =
            fit(&normal, &[0.123456789; 5], &[1.0; 5], "", FREE)
        else {
            panic!("not a normal")
        };
        assert!((mean - 0.123456789).abs() <= sd / 100.0, "{mean} ± {sd}");
        let lognormal = Param::Dist(Dist::LogNormal {
            median: 0.2,
            sigma: 0.5,
            source: String::new(),
        });
        let Param::Dist(Dist::LogNormal { median, sigma, .. }) =
            fit(&lognormal, &[0.123456789; 5], &[1.0; 5], "", FREE)
        else {
            panic!("not a log-normal")
        };
        assert!(
            (median / 0.123456789).ln().abs() <= sigma / 100.0,
            "{median} × {sigma}"
        );
        // Collapsed onto one value: no spread (it printed ± 4.44e-16).
        let one = [0.1 + 0.2; 7];
        assert_eq!(
            weighted_mean_sd(&one, &[0.3, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1]),
            (0.1 + 0.2, 0.0)
        );
    }

    /// A normal's mean or a log-normal's median outside the number's valid range is written at
    /// the range's nearest end (a file centred outside it is refused), and the source says so;
    /// one inside is kept as fitted.
    #[test]
    fn a_posterior_centred_outside_the_valid_range_is_written_at_its_end() {
        let normal = Param::Dist(Dist::Normal {
            mean: 0.02,
            sd: 0.3,
            min: None,
            max: None,
            source: "s".into(),
        });
        let xs = [-0.3, -0.1, 0.1];
        let Param::Dist(Dist::Normal { mean, source, .. }) =
            fit(&normal, &xs, &[1.0; 3], "s", (0.0, 1.0))
        else {
            panic!("not a normal")
        };
        assert_eq!(mean, 0.0);
        assert!(
            source.starts_with("s. The posterior's mean, -0.1, lies outside"),
            "{source}"
        );
        assert!(
            source.ends_with(
                "(0 to 1), and a scenario centred outside it is refused: the mean written is 0."
            ),
            "{source}"
        );
        let Param::Dist(Dist::Normal { mean, source, .. }) =
            fit(&normal, &xs, &[1.0; 3], "s", (-1.0, 1.0))
        else {
            panic!("not a normal")
        };
        assert_eq!((mean, source.as_str()), (-0.1, "s"));
        let lognormal = Param::Dist(Dist::LogNormal {
            median: 0.5,
            sigma: 1.0,
            source: "s.".into(),
        });
        let Param::Dist(Dist::LogNormal { median, source, .. }) =
            fit(&lognormal, &[2.0; 3], &[1.0; 3], "s.", (0.0, 1.0))
        else {
            panic!("not a log-normal")
        };
        assert_eq!(median, 1.0);
        assert!(
            source.starts_with("s. The posterior's median, 2, lies outside"),
            "{source}"
        );
    }
}
