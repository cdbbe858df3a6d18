//! Measures over time: each measure's mean level as a share of its highest level, one line per
//! measure.

use plotters::prelude::*;

use super::{
    Area, Axes, Ctx, Drawing, Drawn, Mark, frame, legend, mesh, pct_label, plot, series_style,
    step_label, with_legend,
};
use crate::analysis::summary::LeverResult;

fn label(c: &Ctx, l: &LeverResult) -> String {
    format!(
        "{}\n{} → {}",
        c.lever(&l.name),
        c.actor(&l.owner),
        c.actor(&l.target)
    )
}

/// The mean level as a share of the highest level (0 when the measure has no level).
fn share(l: &LeverResult, mean: f64) -> f64 {
    let top = l.levels.len().saturating_sub(1);
    if top == 0 {
        0.0
    } else {
        (mean / top as f64).clamp(0.0, 1.0)
    }
}

/// Each measure's mean level over time.
pub(crate) struct Levers<'a>(pub &'a Ctx<'a>);

impl Drawing for Levers<'_> {
    fn name(&self) -> &'static str {
        "levers"
    }

    fn title(&self) -> String {
        "Measures in force over time".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let levers = &c.s.levers;
        let body = frame(
            root,
            c,
            &self.title(),
            "Mean level of each measure across runs, as a share of its highest level: 0% = status quo in every run, 100% = highest level in every run",
            &[],
        )?;
        let entries: Vec<(Mark, String)> = levers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (col, dashed) = series_style(i);
                (Mark::Line(col, dashed), label(c, l))
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let n = levers.iter().map(|l| l.mean_level.len()).max().unwrap_or(0);
        let xmax = (n.saturating_sub(1) as f64).max(1.0);
        let mut chart = plot(&plot_area, 0.0..xmax, 0.0..1.0, 56)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: c.time_axis(),
                y_desc: "mean level (share of highest level)".into(),
                x_fmt: &step_label,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        for (i, l) in levers.iter().enumerate() {
            let (col, dashed) = series_style(i);
            let pts: Vec<(f64, f64)> = l
                .mean_level
                .iter()
                .enumerate()
                .map(|(t, &m)| (t as f64, share(l, m)))
                .collect();
            if dashed {
                chart.draw_series(DashedLineSeries::new(pts, 8, 5, col.stroke_width(2)))?;
            } else {
                chart.draw_series(LineSeries::new(pts, col.stroke_width(2)))?;
            }
        }
        legend(&side, "measure", &entries)
    }
}
