//! Two arms side by side on one scale: the base and the variant that moves the focus outcome
//! most, each in its own panel over the escalation ladder's rungs, with the same y range, so
//! that the eye compares heights rather than reads two scales. Each panel shows its arm's
//! median of H by week, and the other arm's as a faint dashed line.
//!
//! The comparison keeps each arm's median by week only (not the spread across runs), so the
//! panels have no 50% and 90% bands: each arm's own fan chart is in `brink run --variant`.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Cx;
use crate::analysis::compare::ArmResult;
use crate::report::charts::{
    Area, Axes, Drawing, Drawn, INK, MUTED, Mark, frame_with_footer, legend, mesh_with, rung_color,
    short_label, step_label, text, wrap,
};
use crate::scenario::param::fmt_num;

/// The median's colour: the run fan chart's dark slate.
const FAN: RGBColor = RGBColor(0x1e, 0x23, 0x3c);

/// The variant shown beside the base: the one with the largest paired effect on the focus
/// outcome (the first of equals); none without variants.
pub(super) fn pick<'a>(cx: &Cx<'a>) -> Option<&'a ArmResult> {
    let o = cx.focus;
    let mut best: Option<&'a ArmResult> = None;
    for a in cx.arms.iter().skip(1) {
        let size = a.outcomes[o].difference.estimate.abs();
        if best.is_none_or(|b| size > b.outcomes[o].difference.estimate.abs()) {
            best = Some(a);
        }
    }
    best
}

/// The base and one variant, side by side.
pub(super) struct Fans<'a> {
    pub cx: &'a Cx<'a>,
    pub variant: &'a ArmResult,
}

impl Fans<'_> {
    /// An arm's display name.
    fn label(a: &ArmResult) -> String {
        if a.label.is_empty() {
            a.name.clone()
        } else {
            a.label.clone()
        }
    }

    /// The shared y range (see [`crate::report::charts::index_range`]).
    fn y_range(&self) -> (f64, f64) {
        let vals = self
            .cx
            .arms
            .first()
            .into_iter()
            .chain(std::iter::once(&self.variant))
            .flat_map(|a| {
                a.index_median
                    .iter()
                    .copied()
                    .chain(a.index_quantiles.iter().flat_map(|q| [q[0], q[3]]))
            })
            .filter(|v| v.is_finite());
        let lo = vals.clone().fold(f64::INFINITY, f64::min);
        let hi = vals.fold(f64::NEG_INFINITY, f64::max);
        crate::report::charts::index_range(
            lo,
            hi,
            &self.cx.base.rung_thresholds,
            self.cx.base.bounds,
        )
    }

    /// A focal actor's display name.
    fn actor(&self, name: &str) -> String {
        self.cx
            .base
            .scenario
            .actors
            .iter()
            .find(|a| a.name == name)
            .map_or(name.to_string(), |a| short_label(&a.label, &a.name))
    }
}

impl Drawing for Fans<'_> {
    fn name(&self) -> &'static str {
        "fans_side_by_side"
    }

    fn title(&self) -> String {
        let (a, b) = &self.cx.base.scenario.focal;
        format!(
            "Hostility between {} and {}: base and variant on one scale",
            self.actor(a),
            self.actor(b)
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let cx = self.cx;
        let base = cx.arms[0];
        let focus = cx.focus_label();
        let body = frame_with_footer(
            root,
            &cx.footer,
            &self.title(),
            &format!(
                "H over runs by {} (points), median and middle 50% and 90%: the base, and the variant that moves P({focus}) most",
                cx.ctx.unit()
            ),
            &[],
        )?;
        let th = &cx.base.rung_thresholds;
        let bounds = cx.base.bounds;
        let nr = cx.base.rung_names.len().min(th.len());
        let (y0, y1) = self.y_range();
        let visible: Vec<usize> = (0..nr)
            .filter(|&r| {
                let (lo, hi) = crate::report::charts::rung_range(th, bounds, r);
                hi.min(y1) > lo.max(y0)
            })
            .collect();
        let lines = vec![
            (
                Mark::Line(FAN, false),
                format!("median by {}", cx.ctx.unit()),
            ),
            (Mark::Fill(FAN, 0.35), "middle 50% of runs".to_string()),
            (Mark::Fill(FAN, 0.15), "middle 90% of runs".to_string()),
            (
                Mark::Line(MUTED, true),
                format!("the other arm's median by {}", cx.ctx.unit()),
            ),
        ];
        let rungs: Vec<(Mark, String)> = visible
            .iter()
            .rev()
            .map(|&r| {
                let name = cx
                    .base
                    .scenario
                    .ladder
                    .get(r)
                    .map_or(cx.base.rung_names[r].clone(), |x| {
                        short_label(&x.label, &x.name)
                    });
                (
                    Mark::Fill(rung_color(r, nr), 0.5),
                    format!(
                        "{name}\n{}",
                        crate::report::charts::rung_words(th, bounds, r)
                    ),
                )
            })
            .collect();
        let (plots, side) = crate::report::charts::with_legend(
            &body,
            lines.iter().chain(&rungs).map(|e| e.1.clone()),
        );
        let (_, sh) = side.dim_in_pixel();
        let (line_side, rung_side) = side.split_vertically((sh / 4).max(96));
        let (pw, _) = plots.dim_in_pixel();
        let (left, right) = plots.split_horizontally(pw / 2);
        let xmax = base
            .index_median
            .len()
            .max(self.variant.index_median.len())
            .saturating_sub(1)
            .max(1) as f64;
        let pts = |a: &ArmResult| -> Vec<(f64, f64)> {
            a.index_median
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(t, &v)| (t as f64, v.clamp(y0, y1)))
                .collect()
        };
        for (k, (panel, arm, other)) in [(&left, base, self.variant), (&right, self.variant, base)]
            .into_iter()
            .enumerate()
        {
            let (w, _) = panel.dim_in_pixel();
            let (head, area) = panel.split_vertically(40);
            let lines = wrap(&Self::label(arm), 14.0, w.saturating_sub(70), 2);
            let top = if lines.len() > 1 { 11 } else { 20 };
            for (j, line) in lines.iter().enumerate() {
                head.draw(&Text::new(
                    line.clone(),
                    (60, top + 17 * j as i32),
                    text(14.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            let mut chart = ChartBuilder::on(&area)
                .margin_top(4)
                .margin_right(14)
                .x_label_area_size(50)
                .y_label_area_size(56)
                .build_cartesian_2d(0.0..xmax, y0..y1)?;
            for &r in &visible {
                let (lo, hi) = crate::report::charts::rung_range(th, bounds, r);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, lo.max(y0)), (xmax, hi.min(y1))],
                    rung_color(r, nr).mix(0.14).filled(),
                )))?;
            }
            mesh_with(
                &mut chart,
                &Axes {
                    x_desc: cx.ctx.time_axis(),
                    y_desc: if k == 0 {
                        "median H (points)".into()
                    } else {
                        String::new()
                    },
                    x_fmt: &step_label,
                    y_fmt: &|v| fmt_num((v * 100.0).round() / 100.0),
                    x_grid: false,
                    y_grid: true,
                    y_numbers: true,
                },
                8,
                8,
            )?;
            for (r, &t) in th.iter().enumerate().take(nr).skip(1) {
                if t > y0 && t < y1 {
                    chart.draw_series(DashedLineSeries::new(
                        vec![(0.0, t), (xmax, t)],
                        6,
                        4,
                        rung_color(r, nr).stroke_width(2),
                    ))?;
                }
            }
            // The fan: the middle 90% and 50% of runs at each week.
            for (outer, alpha) in [(true, 0.15), (false, 0.35)] {
                let (a, b) = if outer { (0, 3) } else { (1, 2) };
                let upper = arm
                    .index_quantiles
                    .iter()
                    .enumerate()
                    .map(|(t, q)| (t as f64, q[b].clamp(y0, y1)));
                let lower: Vec<(f64, f64)> = arm
                    .index_quantiles
                    .iter()
                    .enumerate()
                    .map(|(t, q)| (t as f64, q[a].clamp(y0, y1)))
                    .collect();
                let poly: Vec<(f64, f64)> = upper.chain(lower.into_iter().rev()).collect();
                if poly.iter().all(|p| p.1.is_finite()) && poly.len() > 2 {
                    chart.draw_series(std::iter::once(Polygon::new(
                        poly,
                        FAN.mix(alpha).filled(),
                    )))?;
                }
            }
            chart.draw_series(DashedLineSeries::new(
                pts(other),
                6,
                4,
                MUTED.stroke_width(2),
            ))?;
            super::super::dot_if_alone(&mut chart, &pts(arm), FAN.into())?;
            chart.draw_series(LineSeries::new(pts(arm), FAN.stroke_width(3)))?;
        }
        legend(&line_side, "line", &lines)?;
        legend(&rung_side, "rung (shaded band)", &rungs)
    }
}
