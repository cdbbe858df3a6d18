//! The chart of `brink sweep`: every outcome's probability as a line over the parameter's
//! values, with its 95% Wilson band, and the scenario's own value marked.

use plotters::prelude::*;

use super::{
    Area, Axes, Chart, Drawing, Drawn, MUTED, Mark, frame_with_footer, legend, mesh, pct_label,
    plot, series_style, tick_label, with_legend,
};
use crate::analysis::sweep::SweepResult;
use crate::error::Result;
use crate::scenario::param::fmt_num;

/// Every outcome's probability along the grid.
struct SweepChart<'a> {
    r: &'a SweepResult,
}

impl SweepChart<'_> {
    fn footer(&self) -> String {
        let m = &self.r.manifest;
        let mut f = format!(
            "{} · seed {} · {} runs per value",
            m.scenario,
            m.seed,
            super::group_thousands(m.runs)
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
        format!("Outcomes as {} varies", self.r.path)
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.r.outcomes.len() as u32;
        (
            super::WIDTH,
            (rows * 24 + 200).clamp(super::HEIGHT, super::HEIGHT * 2),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let r = self.r;
        let fixed = r.scenario_param == fmt_num(r.scenario_value);
        let header = [
            (Mark::Line(MUTED, false), "probability".to_string()),
            (Mark::Fill(MUTED, 0.2), "95% interval (Wilson)".to_string()),
            (
                Mark::Line(MUTED, true),
                if fixed {
                    format!("the scenario's value ({})", r.scenario_param)
                } else {
                    format!(
                        "the scenario's central value ({})",
                        fmt_num(r.scenario_value)
                    )
                },
            ),
        ];
        let body = frame_with_footer(
            root,
            &self.footer(),
            &self.title(),
            &format!(
                "Share of runs in which each outcome happened, at {} values, every value on the same runs{}",
                r.steps,
                if fixed {
                    String::new()
                } else {
                    format!("; the scenario has {}", r.scenario_param)
                }
            ),
            &header,
        )?;
        let entries: Vec<(Mark, String)> = r
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let (c, dashed) = series_style(i);
                (Mark::Line(c, dashed), o.clone())
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let (x0, x1) = (r.from.min(r.to), r.from.max(r.to));
        let top = r
            .points
            .iter()
            .flat_map(|p| p.outcomes.iter().map(|o| o.probability.high))
            .fold(0.0, f64::max);
        let ymax = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8]
            .into_iter()
            .find(|&m| top <= m)
            .unwrap_or(1.0);
        let mut chart = plot(&plot_area, x0..x1, 0.0..ymax, 56)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: r.path.clone(),
                y_desc: "probability (share of runs)".into(),
                x_fmt: &tick_label,
                y_fmt: &pct_label,
                x_grid: true,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        let sv = r.scenario_value;
        if sv >= x0 && sv <= x1 {
            chart.draw_series(DashedLineSeries::new(
                vec![(sv, 0.0), (sv, ymax)],
                6,
                4,
                MUTED.stroke_width(2),
            ))?;
        }
        let clamp = |p: f64| p.clamp(0.0, ymax);
        for (k, _) in r.outcomes.iter().enumerate() {
            let (col, _) = series_style(k);
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
        for (k, _) in r.outcomes.iter().enumerate() {
            let (col, dashed) = series_style(k);
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

/// Draws the sweep's chart (`sweep.png`, `sweep.svg`).
pub fn render(r: &SweepResult) -> Result<Chart> {
    super::render(&SweepChart { r })
}
