//! Stacked area of the share of runs on each rung of the escalation ladder, step by step.

use plotters::prelude::*;

use super::{
    Area, Axes, Ctx, Drawing, Drawn, Mark, Plot, frame, legend, mesh, pct_label, plot, rung_color,
    step_label, with_legend,
};
use crate::analysis::Summary;

/// The stacked shares of runs on each rung over time.
pub(crate) struct Rungs<'a>(pub &'a Ctx<'a>);

impl Drawing for Rungs<'_> {
    fn name(&self) -> &'static str {
        "rung_probabilities"
    }

    fn title(&self) -> String {
        "Rung of the escalation ladder over time".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let s = c.s;
        let rungs = &s.scenario.rungs;
        let nr = rungs.len();
        let body = frame(
            root,
            c,
            &self.title(),
            &format!(
                "Share of runs on each rung in each {}; the rungs stack from the lowest (bottom) to the highest (top)",
                c.unit()
            ),
            &[],
        )?;
        // Highest rung first, as the stack reads from the top.
        let entries: Vec<(Mark, String)> = (0..nr)
            .rev()
            .map(|r| (Mark::Fill(rung_color(r, nr), 1.0), c.rung(r, &rungs[r])))
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let n = s.rung_by_step.len();
        let xmax = (n.saturating_sub(1) as f64).max(1.0);
        let mut chart = plot(&plot_area, 0.0..xmax, 0.0..1.0, 56)?;
        draw_stack(&mut chart, &cumulative(s), nr)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: c.time_axis(),
                y_desc: "share of runs".into(),
                x_fmt: &step_label,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: false,
                y_numbers: true,
            },
        )?;
        legend(&side, "rung", &entries)
    }
}

/// The cumulative shares of runs by rung at each step: `cum[t][r]` = P(rung ≤ r) at step t.
pub(crate) fn cumulative(s: &Summary) -> Vec<Vec<f64>> {
    let nr = s.scenario.rungs.len();
    s.rung_by_step
        .iter()
        .map(|p| {
            let mut acc = 0.0;
            (0..nr)
                .map(|r| {
                    acc += p.get(r).copied().unwrap_or(0.0);
                    acc.min(1.0)
                })
                .collect()
        })
        .collect()
}

/// Draws the stacked rung layers of [`cumulative`] shares (lowest rung at the bottom), with
/// thin white lines between them, on a chart whose x axis is the step and y axis 0 to 1.
pub(crate) fn draw_stack<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    cum: &[Vec<f64>],
    nr: usize,
) -> Drawn<DB> {
    // One step (a horizon of one week): its shares held across that week, to the axis's end
    // at 1, since a band one point wide would draw nothing.
    let widened;
    let cum = if let [only] = cum {
        widened = [only.clone(), only.clone()];
        &widened[..]
    } else {
        cum
    };
    for r in 0..nr {
        let upper = cum.iter().enumerate().map(|(t, v)| (t as f64, v[r]));
        let lower = cum
            .iter()
            .enumerate()
            .rev()
            .map(|(t, v)| (t as f64, if r == 0 { 0.0 } else { v[r - 1] }));
        let poly: Vec<(f64, f64)> = upper.chain(lower).collect();
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            rung_color(r, nr).filled(),
        )))?;
    }
    // Thin white lines between the layers.
    for r in 0..nr.saturating_sub(1) {
        chart.draw_series(LineSeries::new(
            cum.iter().enumerate().map(|(t, v)| (t as f64, v[r])),
            WHITE.mix(0.8).stroke_width(1),
        ))?;
    }
    Ok(())
}
