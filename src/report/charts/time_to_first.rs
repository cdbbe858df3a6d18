//! Time to each outcome: the probability that it has happened by each step.

use plotters::prelude::*;

use super::{
    Area, Axes, Ctx, Drawing, Drawn, Mark, frame, legend, mesh, pct_label, plot, series_style,
    step_label, with_legend,
};

/// The probability that each outcome has happened by each step.
pub(crate) struct TimeToFirst<'a>(pub &'a Ctx<'a>);

/// Most lines on the chart.
const MAX_LINES: usize = 8;

impl Drawing for TimeToFirst<'_> {
    fn name(&self) -> &'static str {
        "time_to_outcome"
    }

    fn title(&self) -> String {
        let c = self.0;
        format!("When outcomes happen: probability by each {}", c.unit())
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        // More lines than this on one plot cannot be told apart: the first outcomes (the
        // scenario's order puts the headline ones first); every outcome has its own panel in
        // the small multiples of `outcomes_over_time`.
        let outs = &c.s.outcomes[..c.s.outcomes.len().min(MAX_LINES)];
        let more = if c.s.outcomes.len() > outs.len() {
            format!(
                "; the first {} of {} outcomes, every one in the small multiples over time",
                outs.len(),
                c.s.outcomes.len()
            )
        } else {
            String::new()
        };
        let body = frame(
            root,
            c,
            &self.title(),
            &format!(
                "Share of runs in which the outcome has happened by {} t (outcomes judged at the end jump at the last {}){more}",
                c.unit(),
                c.unit()
            ),
            &[],
        )?;
        let entries: Vec<(Mark, String)> = outs
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let (col, dashed) = series_style(i);
                (
                    Mark::Line(col, dashed),
                    super::short_label(&o.label, &o.name),
                )
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let n = outs.iter().map(|o| o.by_step.len()).max().unwrap_or(0);
        let xmax = (n.saturating_sub(1) as f64).max(1.0);
        let top = outs
            .iter()
            .flat_map(|o| o.by_step.iter().copied())
            .filter(|p| p.is_finite())
            .fold(0.0, f64::max);
        let ymax = super::probability_top(top);
        let mut chart = plot(&plot_area, 0.0..xmax, 0.0..ymax, 56)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: c.time_axis(),
                y_desc: "probability (share of runs)".into(),
                x_fmt: &step_label,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        for (i, o) in outs.iter().enumerate() {
            let (col, dashed) = series_style(i);
            let pts: Vec<(f64, f64)> = o
                .by_step
                .iter()
                .enumerate()
                .map(|(t, &p)| (t as f64, p.clamp(0.0, ymax)))
                .collect();
            super::dot_if_alone(&mut chart, &pts, col.into())?;
            if dashed {
                chart.draw_series(DashedLineSeries::new(pts, 8, 5, col.stroke_width(2)))?;
            } else {
                chart.draw_series(LineSeries::new(pts, col.stroke_width(2)))?;
            }
        }
        legend(&side, "outcome", &entries)
    }
}
