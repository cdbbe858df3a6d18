//! The chart of `brink calibrate`: for each calibrated number, its prior density (outline,
//! from the prior's quantiles) against its posterior (filled, the weighted histogram of the
//! final particles), one small panel per number.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Chart, Drawing, Drawn, HEIGHT, INK, MAIN, MUTED, Mark, WIDTH, fit,
    frame_with_footer, group_thousands, mesh_with, plot, text, tick_label, tick_label_for, wrap,
};
use crate::analysis::calibrate::{Calibration, ParamSummary};
use crate::error::Result;

/// Bins of each panel's histograms for `n` particles: about √n, from 10 to 40.
fn bins(n: usize) -> usize {
    ((n as f64).sqrt().round() as usize).clamp(10, 40)
}
/// Bins of the prior's outline (its density is known everywhere, not only at particles).
const PRIOR_BINS: usize = 60;
/// Height of one row of panels, in pixels.
const ROW: u32 = 300;

/// Columns of panels for `n` numbers.
fn columns(n: usize) -> usize {
    match n {
        0 | 1 => 1,
        2 | 4 => 2,
        _ => 3,
    }
}

/// A number to three significant figures.
fn short(x: f64) -> String {
    super::significant(x, 3)
}

/// A number beside a spread: 0 where it is below a ten-thousandth of the spread (a prior mean
/// of 5.85e-15 beside an sd of 0.567 is rounding noise; the tables say 0.00).
fn beside(x: f64, spread: f64) -> String {
    if spread.is_finite() && spread > 0.0 && x.abs() < spread * 1e-4 {
        "0".into()
    } else {
        short(x)
    }
}

/// A weighted histogram's densities over `bins` equal bins of `[lo, hi]` (weights normalised
/// to 1; values outside the range are left out).
fn density(xs: impl Iterator<Item = (f64, f64)>, lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let width = (hi - lo) / bins as f64;
    let mut h = vec![0.0; bins];
    let mut total = 0.0;
    for (x, w) in xs {
        if !x.is_finite() || !w.is_finite() || w <= 0.0 {
            continue;
        }
        total += w;
        if x < lo || x > hi {
            continue;
        }
        let b = (((x - lo) / width) as usize).min(bins - 1);
        h[b] += w;
    }
    if total > 0.0 {
        for v in &mut h {
            *v /= total * width;
        }
    }
    h
}

/// The prior's densities over `bins` equal bins of `[lo, hi]`, from its quantiles at
/// (i + ½)/n: the distribution function through those points, linear between them and out to
/// half a step beyond the first and the last (a histogram of the quantiles themselves would
/// alias with the bins).
fn prior_density(grid: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let xs: Vec<f64> = grid.iter().copied().filter(|x| x.is_finite()).collect();
    let n = xs.len();
    if n < 2 {
        return density(xs.iter().map(|&x| (x, 1.0)), lo, hi, bins);
    }
    let mut knots = Vec::with_capacity(n + 2);
    knots.push((xs[0] - (xs[1] - xs[0]) / 2.0, 0.0));
    knots.extend(
        xs.iter()
            .enumerate()
            .map(|(i, &x)| (x, (i as f64 + 0.5) / n as f64)),
    );
    knots.push((xs[n - 1] + (xs[n - 1] - xs[n - 2]) / 2.0, 1.0));
    // Right-continuous: repeated quantiles (a prior clamped to its range) are a point mass.
    let cdf = |q: f64| -> f64 {
        let k = knots.partition_point(|&(x, _)| x <= q);
        if k == 0 {
            0.0
        } else if k == knots.len() {
            1.0
        } else {
            let ((x0, f0), (x1, f1)) = (knots[k - 1], knots[k]);
            f0 + (f1 - f0) * (q - x0) / (x1 - x0)
        }
    };
    let width = (hi - lo) / bins as f64;
    (0..bins)
        .map(|b| {
            let a = lo + b as f64 * width;
            (cdf(a + width) - cdf(a)).max(0.0) / width
        })
        .collect()
}

/// One panel's range: every prior quantile and every particle, padded by 4%.
fn range(p: &ParamSummary, xs: &[f64]) -> (f64, f64) {
    let (lo, hi) = p
        .prior_grid
        .iter()
        .chain(xs)
        .copied()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= 1e-12 * lo.abs().max(1.0) {
        let pad = (lo.abs() * 0.05).max(0.5);
        return (lo - pad, hi + pad);
    }
    (lo - span * 0.04, hi + span * 0.04)
}

/// The prior against the posterior of every calibrated number.
struct PriorPosterior<'a>(&'a Calibration, &'a [String]);

impl Drawing for PriorPosterior<'_> {
    fn name(&self) -> &'static str {
        "prior_posterior"
    }

    fn title(&self) -> String {
        let n = self.0.params.len();
        format!(
            "What the timelines taught: prior and posterior of {n} number{}",
            if n == 1 { "" } else { "s" }
        )
    }

    fn size(&self) -> (u32, u32) {
        let n = self.0.params.len().max(1);
        let rows = n.div_ceil(columns(n)) as u32;
        (WIDTH, (150 + rows * ROW).max(HEIGHT))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let header = [
            (
                Mark::Fill(MAIN, 0.55),
                "posterior (weighted particles)".to_string(),
            ),
            (Mark::Line(INK, false), "prior".to_string()),
        ];
        let footer = format!(
            "cases {} · {} facts · seed {} · {} particles × {} pseudo-timelines · {} generations · {} simulated runs",
            c.cases.join(", "),
            c.facts,
            c.settings.seed,
            group_thousands(c.particles.len() as u64),
            c.settings.sims,
            c.generations.len().saturating_sub(1),
            group_thousands(c.simulations)
        );
        let body = frame_with_footer(
            root,
            &footer,
            &self.title(),
            &format!(
                "Densities of each number before (its prior) and after the observed timelines (ABC-SMC); stopped: {}",
                c.stop_reason
            ),
            &header,
        )?;
        let n = c.params.len();
        if n == 0 {
            return Ok(());
        }
        let cols = columns(n);
        let rows = n.div_ceil(cols);
        let panels = body.split_evenly((rows, cols));
        for (k, (p, panel)) in c.params.iter().zip(&panels).enumerate() {
            let (pw, _) = panel.dim_in_pixel();
            let max = pw.saturating_sub(16);
            let title = match self.1.get(k) {
                Some(t) => t.clone(),
                None if p.shared && p.cases.len() == c.cases.len() => {
                    format!("{} (shared by all {} cases)", p.path, p.cases.len())
                }
                None if p.shared => format!("{} (shared by {})", p.path, p.cases.join(", ")),
                None => p.spec.clone(),
            };
            // The title on two lines if it needs them; the numbers on two lines of their own,
            // so that the 90% interval is never cut ("(90%: 0.3…").
            let title = wrap(&title, 14.0, max, 2);
            let mut y = 4;
            for line in &title {
                panel.draw(&Text::new(
                    line.clone(),
                    (8, y),
                    text(14.0, INK).pos(Pos::new(HPos::Left, VPos::Top)),
                ))?;
                y += 18;
            }
            let lines = [
                format!(
                    "prior {} ± {} → posterior {} ± {}",
                    beside(p.prior_mean, p.prior_sd),
                    short(p.prior_sd),
                    beside(p.mean, p.sd),
                    short(p.sd),
                ),
                format!(
                    "90% of the posterior: {} to {}",
                    beside(p.q05, p.sd),
                    beside(p.q95, p.sd)
                ),
            ];
            for line in lines {
                panel.draw(&Text::new(
                    fit(&line, 12.0, max),
                    (8, y + 1),
                    text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
                ))?;
                y += 15;
            }
            let area = panel.margin((y + 4) as u32, 8, 8, 8);
            let xs: Vec<f64> = c
                .particles
                .iter()
                .map(|row| row.get(k).copied().unwrap_or(f64::NAN))
                .collect();
            let (lo, hi) = range(p, &xs);
            let bins = bins(c.particles.len());
            let prior = prior_density(&p.prior_grid, lo, hi, PRIOR_BINS);
            let post = density(
                xs.iter().copied().zip(c.weights.iter().copied()),
                lo,
                hi,
                bins,
            );
            let top = prior
                .iter()
                .chain(&post)
                .copied()
                .fold(0.0, f64::max)
                .max(1e-12);
            let mut chart = plot(&area, lo..hi, 0.0..top * 1.08, 0)?;
            mesh_with(
                &mut chart,
                &Axes {
                    x_desc: String::new(),
                    y_desc: String::new(),
                    x_fmt: &tick_label_for(hi - lo),
                    y_fmt: &tick_label,
                    x_grid: false,
                    y_grid: false,
                    y_numbers: false,
                },
                5,
                0,
            )?;
            let width = (hi - lo) / bins as f64;
            chart.draw_series(post.iter().enumerate().filter(|(_, d)| **d > 0.0).map(
                |(b, &d)| {
                    let x0 = lo + b as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width, d)], MAIN.mix(0.55).filled())
                },
            ))?;
            // The prior as a step outline, on its own finer bins.
            let width = (hi - lo) / PRIOR_BINS as f64;
            let mut outline = vec![(lo, 0.0)];
            for (b, &d) in prior.iter().enumerate() {
                let x0 = lo + b as f64 * width;
                outline.push((x0, d));
                outline.push((x0 + width, d));
            }
            outline.push((hi, 0.0));
            chart.draw_series(LineSeries::new(outline, INK.stroke_width(2)))?;
        }
        Ok(())
    }
}

/// Draws the prior and posterior of every calibrated number (`prior_posterior`); `titles` name
/// the numbers in words, in `c.params`' order (their paths where a title is missing).
pub fn render(c: &Calibration, titles: &[String]) -> Result<Chart> {
    super::render(&PriorPosterior(c, titles))
}
