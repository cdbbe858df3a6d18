//! Outcomes over time as small multiples: one small panel per outcome, the probability that it
//! has happened by each step, every panel on the same scales; the outcome's label is the
//! panel's title. Many outcomes never share one plot (no spaghetti of recycled colours).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Ctx, Drawing, Drawn, INK, MAIN, MUTED, frame, mesh_with, pct_label, percent,
    short_label, step_label, text, wrap,
};

/// Most panels in a row.
const MAX_COLS: usize = 4;
/// Height of one row of panels, in pixels.
const PANEL_H: u32 = 200;
/// Height of a panel's title (two lines), in pixels.
const HEAD_H: u32 = 34;

/// The outcomes over time, one panel each.
pub(crate) struct OverTime<'a>(pub &'a Ctx<'a>);

impl OverTime<'_> {
    /// Columns and rows of the grid of panels.
    fn grid(&self) -> (usize, usize) {
        let n = self.0.s.outcomes.len().max(1);
        let cols = if n <= MAX_COLS {
            n
        } else if n <= 6 || n == 9 {
            3
        } else {
            MAX_COLS
        };
        (cols, n.div_ceil(cols))
    }
}

impl Drawing for OverTime<'_> {
    fn name(&self) -> &'static str {
        "outcomes_over_time"
    }

    fn title(&self) -> String {
        format!(
            "When each outcome happens: probability by each {}",
            self.0.unit()
        )
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
        let outs = &c.s.outcomes;
        let n = outs.iter().map(|o| o.by_step.len()).max().unwrap_or(0);
        let xmax = (n.saturating_sub(1) as f64).max(1.0);
        // Each outcome's 95% interval at each step, drawn as a band about its line. The scale
        // holds the bands too (at 20 runs without a hit, the estimates topped it at 5% and the
        // intervals, to 16%, were cut flat).
        let intervals: Vec<Vec<_>> = (0..outs.len())
            .map(|o| {
                (0..outs[o].by_step.len())
                    .map(|t| c.s.so_far_interval(o, t))
                    .collect()
            })
            .collect();
        let top = outs
            .iter()
            .zip(&intervals)
            .flat_map(|(o, bands)| o.by_step.iter().zip(bands))
            .map(|(&p, band)| band.high.max(p))
            .filter(|p| p.is_finite())
            .fold(0.0, f64::max);
        let ymax = super::probability_top(top);
        let body = frame(
            root,
            c,
            &self.title(),
            &format!(
                "Share of runs in which the outcome has happened by {} t{}; every panel on the same scales, 0 to {}; the darker band is the 95% interval",
                c.unit(),
                c.s.date_of_step(0)
                    .map(|d| format!(" ({} 0 = {d})", c.unit()))
                    .unwrap_or_default(),
                pct_label(&ymax)
            ),
            &[],
        )?;
        let (cols, rows) = self.grid();
        let panels = body.split_evenly((rows, cols));
        for ((o, panel), bands) in outs.iter().zip(&panels).zip(&intervals) {
            let (pw, _) = panel.dim_in_pixel();
            let (head, area) = panel.split_vertically(HEAD_H);
            let lines = wrap(
                &short_label(&o.label, &o.name),
                12.0,
                pw.saturating_sub(56),
                2,
            );
            let top = if lines.len() > 1 { 9 } else { 17 };
            for (k, line) in lines.iter().enumerate() {
                head.draw(&Text::new(
                    line.clone(),
                    (46, top + 15 * k as i32),
                    text(12.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            let mut chart = ChartBuilder::on(&area)
                .margin_right(12)
                .margin_bottom(4)
                .x_label_area_size(22)
                .y_label_area_size(44)
                .build_cartesian_2d(0.0..xmax, 0.0..ymax)?;
            mesh_with(
                &mut chart,
                &Axes {
                    x_desc: String::new(),
                    y_desc: String::new(),
                    x_fmt: &step_label,
                    y_fmt: &pct_label,
                    x_grid: false,
                    y_grid: true,
                    y_numbers: true,
                },
                5,
                3,
            )?;
            let pts: Vec<(f64, f64)> = o
                .by_step
                .iter()
                .enumerate()
                .map(|(t, &p)| (t as f64, p.clamp(0.0, ymax)))
                .collect();
            let mut area_pts = pts.clone();
            area_pts.push((pts.last().map_or(0.0, |p| p.0), 0.0));
            area_pts.push((0.0, 0.0));
            chart.draw_series(std::iter::once(Polygon::new(
                area_pts,
                MAIN.mix(0.15).filled(),
            )))?;
            // Each step's 95% interval as a darker band about the line.
            if !bands.is_empty() {
                let band = super::band_outline(bands, ymax);
                chart.draw_series(std::iter::once(Polygon::new(band, MAIN.mix(0.3).filled())))?;
            }
            super::dot_if_alone(&mut chart, &pts, MAIN.into())?;
            chart.draw_series(LineSeries::new(pts, MAIN.stroke_width(2)))?;
            // The probability by the end, in the panel's top-left corner.
            let last = o.by_step.last().copied().unwrap_or(0.0);
            let (px, py) = chart.backend_coord(&(0.0, ymax));
            let base = area.get_base_pixel();
            let note = match bands.last() {
                Some(i) => format!("{} ({}) by the end", percent(last), i.text(percent, "–")),
                None => format!("{} by the end", percent(last)),
            };
            let (x, y) = (px - base.0 + 6, py - base.1 + 4);
            // On a light ground: a curve that reaches the top early ran through the words.
            let w = super::text_width(&note, 12.0) as i32;
            area.draw(&Rectangle::new(
                [(x - 3, y - 2), (x + w + 3, y + 15)],
                WHITE.mix(0.85).filled(),
            ))?;
            area.draw(&Text::new(
                note,
                (x, y),
                text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }
        Ok(())
    }
}
