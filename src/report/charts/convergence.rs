//! Convergence as small multiples: one panel per headline outcome (the ones the report's
//! summary shows), its running probability estimate against the runs done on a log scale, with
//! its Wilson 95% interval as a band and the final estimate as a thin reference line, so that
//! the reader sees whether the estimate has settled. Each panel has its own probability scale
//! (outcomes differ by orders of magnitude; what matters here is the settling, not the level).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Ctx, Drawing, Drawn, GRID, INK, MAIN, MUTED, Mark, frame, group_thousands,
    mesh_with, pct_label, percent, short_label, text, wrap,
};
use crate::report::html::HEADLINE_OUTCOMES;

/// Most panels in a row.
const MAX_COLS: usize = 3;
/// Height of one row of panels, in pixels.
const PANEL_H: u32 = 220;
/// Height of a panel's title (two lines), in pixels.
const HEAD_H: u32 = 34;

/// The convergence of the headline outcomes' estimates, one panel each.
pub(crate) struct Convergence<'a>(pub &'a Ctx<'a>);

/// Whether a summary has a convergence to draw: outcomes, and at least two points (a run of
/// fewer than 100 runs has only its final one).
pub(crate) fn drawable(c: &Ctx) -> bool {
    !c.s.outcomes.is_empty()
        && c.s.convergence.len() >= 2
        && c.s
            .convergence
            .iter()
            .all(|p| p.probability.len() == c.s.outcomes.len())
}

impl Convergence<'_> {
    /// The outcomes drawn: the report's headline ones.
    fn shown(&self) -> usize {
        self.0.s.outcomes.len().min(HEADLINE_OUTCOMES)
    }

    /// Columns and rows of the grid of panels.
    fn grid(&self) -> (usize, usize) {
        let n = self.shown().max(1);
        let cols = if n <= 2 { n } else { MAX_COLS.min(n) };
        let cols = if n == 4 { 2 } else { cols };
        (cols, n.div_ceil(cols))
    }
}

/// A run count, short: 100, 2k, 50k, 1.2M.
fn runs_label(v: f64) -> String {
    let v = v.round();
    if v >= 1e6 {
        let m = v / 1e6;
        if m == m.trunc() {
            format!("{m:.0}M")
        } else {
            format!("{m:.1}M")
        }
    } else if v >= 1e3 {
        let k = v / 1e3;
        if k == k.trunc() {
            format!("{k:.0}k")
        } else {
            format!("{k:.1}k")
        }
    } else {
        format!("{v:.0}")
    }
}

/// Tick values of a log axis of runs from 10^lo to 10^hi: the powers of ten only over more
/// than two decades (the panels are narrow), 1, 2, 5 in every decade over two, and 1, 2, 3,
/// 4, 5, 7 within one.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let steps: &[f64] = if hi - lo > 2.0 {
        &[1.0]
    } else if hi - lo > 1.0 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0, 2.0, 3.0, 4.0, 5.0, 7.0]
    };
    let mut out = vec![];
    for e in (lo.floor() as i32)..=(hi.ceil() as i32) {
        for m in steps {
            let v = m * 10f64.powi(e);
            let l = v.log10();
            if l >= lo - 1e-9 && l <= hi + 1e-9 {
                out.push(v);
            }
        }
    }
    out
}

/// A probability axis range holding every interval of a panel, padded (more above, where the
/// final estimate is written), within 0–100%, at least two points wide.
fn y_range(lows: impl Iterator<Item = f64>, highs: impl Iterator<Item = f64>) -> (f64, f64) {
    let lo = lows.filter(|x| x.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = highs
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0))
    } else {
        (0.0, 1.0)
    };
    let (mut lo, mut hi) = (lo, hi.max(lo));
    if hi - lo < 0.02 {
        let mid = (lo + hi) / 2.0;
        lo = mid - 0.01;
        hi = mid + 0.01;
    }
    // More room above, for the final estimate written in the top-left corner.
    let pad = hi - lo;
    ((lo - pad * 0.08).max(0.0), (hi + pad * 0.25).min(1.0))
}

impl Drawing for Convergence<'_> {
    fn name(&self) -> &'static str {
        "convergence"
    }

    fn title(&self) -> String {
        "Convergence: each probability's estimate as runs accumulate".into()
    }

    fn size(&self) -> (u32, u32) {
        let (_, rows) = self.grid();
        (
            super::WIDTH,
            (rows as u32 * PANEL_H + 150).max(super::HEIGHT),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let s = c.s;
        let pts = &s.convergence;
        let total = pts.last().map_or(s.manifest.runs, |p| p.runs);
        let shown = self.shown();
        let more = s.outcomes.len() - shown;
        let subtitle = format!(
            "Probability from the first n runs (log scale); dashed: from all {} runs; each panel on its own scale{}",
            group_thousands(total),
            if more > 0 {
                format!("; the first {shown} outcomes ({more} more in the tables)")
            } else {
                String::new()
            }
        );
        let header = [
            (Mark::Line(MAIN, false), "running estimate".to_string()),
            (
                Mark::Fill(MAIN, 0.2),
                "95% interval at each n (pointwise)".to_string(),
            ),
            (Mark::Line(MUTED, true), "final estimate".to_string()),
        ];
        let body = frame(root, c, &self.title(), &subtitle, &header)?;
        // Every panel on the same runs axis (log10 of the runs).
        let first = pts.first().map_or(1, |p| p.runs).max(1) as f64;
        let (x0, x1) = (first.log10(), (total.max(1) as f64).log10());
        let pad = ((x1 - x0) * 0.03).max(0.02);
        let (x0, x1) = (x0 - pad, x1 + pad);
        let (cols, rows) = self.grid();
        let panels = body.split_evenly((rows, cols));
        for ((o, out), panel) in s.outcomes.iter().take(shown).enumerate().zip(&panels) {
            let (pw, _) = panel.dim_in_pixel();
            let (head, area) = panel.split_vertically(HEAD_H);
            let lines = wrap(
                &short_label(&out.label, &out.name),
                12.0,
                pw.saturating_sub(60),
                2,
            );
            let top = if lines.len() > 1 { 9 } else { 17 };
            for (k, line) in lines.iter().enumerate() {
                head.draw(&Text::new(
                    line.clone(),
                    (52, top + 15 * k as i32),
                    text(12.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            let series: Vec<(f64, crate::stats::Interval)> = pts
                .iter()
                .filter(|p| p.runs > 0)
                .filter_map(|p| p.probability.get(o).map(|i| ((p.runs as f64).log10(), *i)))
                .collect();
            let last = out.probability.estimate;
            let (y0, y1) = y_range(
                series.iter().map(|(_, i)| i.low).chain([last]),
                series.iter().map(|(_, i)| i.high).chain([last]),
            );
            let mut chart = ChartBuilder::on(&area)
                .margin_right(14)
                .margin_bottom(4)
                .x_label_area_size(24)
                .y_label_area_size(50)
                .build_cartesian_2d(x0..x1, y0..y1)?;
            // No x ticks of the mesh's own (they would sit at linear positions): the log
            // ticks are drawn below.
            mesh_with(
                &mut chart,
                &Axes {
                    x_desc: String::new(),
                    y_desc: String::new(),
                    x_fmt: &|_| String::new(),
                    y_fmt: &pct_label,
                    x_grid: false,
                    y_grid: true,
                    y_numbers: true,
                },
                0,
                4,
            )?;
            let base = area.get_base_pixel();
            for v in ticks(x0, x1) {
                let x = v.log10();
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, y0), (x, y1)],
                    GRID,
                )))?;
                let (px, py) = chart.backend_coord(&(x, y0));
                area.draw(&Text::new(
                    runs_label(v),
                    (px - base.0, py - base.1 + 5),
                    text(12.0, MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
            let clamp = |y: f64| y.clamp(y0, y1);
            let mut band: Vec<(f64, f64)> =
                series.iter().map(|(x, i)| (*x, clamp(i.high))).collect();
            band.extend(series.iter().rev().map(|(x, i)| (*x, clamp(i.low))));
            chart.draw_series(std::iter::once(Polygon::new(band, MAIN.mix(0.2).filled())))?;
            chart.draw_series(DashedLineSeries::new(
                vec![(x0, clamp(last)), (x1, clamp(last))],
                6,
                4,
                MUTED.stroke_width(1),
            ))?;
            let line: Vec<(f64, f64)> = series
                .iter()
                .map(|(x, i)| (*x, clamp(i.estimate)))
                .collect();
            chart.draw_series(LineSeries::new(line.clone(), MAIN.stroke_width(2)))?;
            chart.draw_series(line.iter().map(|&p| Circle::new(p, 2, MAIN.filled())))?;
            // The final estimate with its interval, in the panel's top-left corner.
            let (px, py) = chart.backend_coord(&(x0, y1));
            area.draw(&Text::new(
                format!(
                    "{} ({} to {})",
                    percent(last),
                    percent(out.probability.low),
                    percent(out.probability.high)
                ),
                (px - base.0 + 6, py - base.1 + 4),
                text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }
        Ok(())
    }
}
