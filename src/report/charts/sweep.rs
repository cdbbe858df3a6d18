//! The chart of `brink sweep`: every outcome's probability as a line over the parameter's
//! values, with its 95% Wilson band, and the scenario's own value marked.

use plotters::prelude::*;

use super::{
    Area, Axes, Chart, Drawing, Drawn, MUTED, Mark, frame_with_footer, legend, mesh, pct_label,
    plot, series_style, tick_label_for, with_legend,
};
use crate::analysis::sweep::SweepResult;
use crate::error::Result;
use crate::scenario::param::fmt_num;

/// Most outcome lines on the chart: more cannot be told apart.
const MAX_LINES: usize = 8;

/// The outcomes' probabilities along the grid: the chosen outcome first, then the scenario's
/// first outcomes, at most [`MAX_LINES`].
struct SweepChart<'a> {
    r: &'a SweepResult,
    sc: &'a crate::scenario::Scenario,
    /// Indices into `r.outcomes` of the lines drawn.
    shown: Vec<usize>,
}

impl SweepChart<'_> {
    fn footer(&self) -> String {
        let m = &self.r.manifest;
        let mut f = format!(
            "{} · seed {} · {} {} per value",
            m.scenario,
            m.seed,
            super::group_thousands(m.runs),
            if m.runs == 1 { "run" } else { "runs" }
        );
        if let Some(v) = &m.variant {
            f += &format!(" · variant {v}");
        }
        if !m.complete {
            f += " · incomplete";
        }
        f
    }
}

impl Drawing for SweepChart<'_> {
    fn name(&self) -> &'static str {
        "sweep"
    }

    fn title(&self) -> String {
        let labels = crate::report::html::Labels { sc: self.sc };
        format!("Outcomes as {} varies", labels.path(&self.r.path))
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.shown.len() as u32;
        (
            super::WIDTH,
            (rows * 24 + 200).clamp(super::HEIGHT, super::HEIGHT * 2),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let r = self.r;
        let fixed = r.scenario_param == fmt_num(r.scenario_value);
        let (x0, x1) = (r.from.min(r.to), r.from.max(r.to));
        let sv = r.scenario_value;
        // The dashed line is drawn only where the scenario's value falls within the grid; a
        // legend entry for it elsewhere named a line that was not there.
        let marked = sv >= x0 && sv <= x1;
        let mut header = vec![
            (Mark::Line(MUTED, false), "probability".to_string()),
            (Mark::Fill(MUTED, 0.2), "95% interval (Wilson)".to_string()),
        ];
        if marked {
            header.push((
                Mark::Line(MUTED, true),
                if fixed {
                    format!("the scenario's value ({})", r.scenario_param)
                } else {
                    format!("the scenario's central value ({})", fmt_num(sv))
                },
            ));
        }
        let body = frame_with_footer(
            root,
            &self.footer(),
            &self.title(),
            &format!(
                "Share of runs in which each outcome happened, at {} values, every value on the same runs{}{}{}",
                r.steps,
                if fixed {
                    String::new()
                } else {
                    format!(
                        "; {} {}",
                        crate::report::sweep::holder(&r.manifest),
                        r.scenario_param
                    )
                },
                if marked {
                    String::new()
                } else {
                    format!(
                        "; the scenario's {}value ({}) lies outside the range",
                        if fixed { "" } else { "central " },
                        fmt_num(sv)
                    )
                },
                if self.shown.len() < r.outcomes.len() {
                    format!(
                        "; {} of {} outcomes (all in sweep.csv)",
                        self.shown.len(),
                        r.outcomes.len()
                    )
                } else {
                    String::new()
                }
            ),
            &header,
        )?;
        let entries: Vec<(Mark, String)> = self
            .shown
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let (c, dashed) = series_style(i);
                (
                    Mark::Line(c, dashed),
                    super::outcome_label(self.sc, &r.outcomes[k]),
                )
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let top = r
            .points
            .iter()
            .flat_map(|p| self.shown.iter().map(|&k| p.outcomes[k].probability.high))
            .fold(0.0, f64::max);
        let ymax = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8]
            .into_iter()
            .find(|&m| top <= m)
            .unwrap_or(1.0);
        let mut chart = plot(&plot_area, x0..x1, 0.0..ymax, 56)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: crate::report::html::Labels { sc: self.sc }.path(&r.path),
                y_desc: "probability (share of runs)".into(),
                x_fmt: &tick_label_for(x1 - x0),
                y_fmt: &pct_label,
                x_grid: true,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        if marked {
            chart.draw_series(DashedLineSeries::new(
                vec![(sv, 0.0), (sv, ymax)],
                6,
                4,
                MUTED.stroke_width(2),
            ))?;
        }
        let clamp = |p: f64| p.clamp(0.0, ymax);
        for (i, &k) in self.shown.iter().enumerate() {
            let (col, _) = series_style(i);
            let mut band: Vec<(f64, f64)> = r
                .points
                .iter()
                .map(|p| (p.value, clamp(p.outcomes[k].probability.high)))
                .collect();
            band.extend(
                r.points
                    .iter()
                    .rev()
                    .map(|p| (p.value, clamp(p.outcomes[k].probability.low))),
            );
            chart.draw_series(std::iter::once(Polygon::new(band, col.mix(0.12).filled())))?;
        }
        for (i, &k) in self.shown.iter().enumerate() {
            let (col, dashed) = series_style(i);
            let pts: Vec<(f64, f64)> = r
                .points
                .iter()
                .map(|p| (p.value, clamp(p.outcomes[k].probability.estimate)))
                .collect();
            if dashed {
                chart.draw_series(DashedLineSeries::new(
                    pts.clone(),
                    8,
                    5,
                    col.stroke_width(2),
                ))?;
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))?;
            }
            if r.points.len() <= 41 {
                chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, col.filled())))?;
            }
        }
        legend(&side, "outcome", &entries)
    }
}

/// Draws the sweep's chart (`sweep.png`, `sweep.svg`): `outcome` (an index into
/// `r.outcomes`, the one `--outcome` chose) first, then the first others, by their labels from
/// `model`'s scenario.
pub fn render(
    model: &crate::model::Model,
    r: &SweepResult,
    outcome: Option<usize>,
) -> Result<Chart> {
    let mut shown: Vec<usize> = outcome.into_iter().collect();
    shown.extend((0..r.outcomes.len()).filter(|k| Some(*k) != outcome));
    shown.truncate(MAX_LINES);
    super::render(&SweepChart {
        r,
        sc: &model.scenario,
        shown,
    })
}
