//! Each actor's cumulative cost over the horizon, as box plots: whiskers from the 5th to the
//! 95th percentile, a box over the middle half, the median and the mean. Actors that never
//! bear a cost are left out.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Ctx, Drawing, Drawn, INK, MAIN, MUTED, Mark, amount, fit, frame, mesh, plot, text,
    widest,
};
use crate::analysis::summary::CostResult;

/// The actors with some cost in some run, in the scenario's order.
pub(crate) fn actors<'a>(c: &'a Ctx) -> impl Iterator<Item = &'a CostResult> {
    c.s.costs
        .iter()
        .filter(|a| a.max > 0.0 && a.q.iter().all(|v| v.is_finite()))
}

/// The 5/25/50/75/95% quantiles, no larger than the largest cost seen (the summary's
/// quantiles come from log-scale bins and are accurate to about 5%, so the top one can pass it).
pub(crate) fn quantiles(a: &CostResult) -> [f64; 5] {
    a.q.map(|v| v.clamp(0.0, a.max))
}

/// Each actor's cumulative cost, as box plots.
pub(crate) struct Costs<'a>(pub &'a Ctx<'a>);

impl Drawing for Costs<'_> {
    fn name(&self) -> &'static str {
        "costs"
    }

    fn title(&self) -> String {
        let c = self.0;
        format!(
            "Cost to each actor over {} ({})",
            crate::scenario::n_steps(c.s.scenario.horizon, &c.s.scenario.step_unit),
            c.s.scenario.cost_unit
        )
    }

    /// Taller with many actors (26 pixels a row past 16): 64 actors on 600 pixels overlapped
    /// their labels.
    fn size(&self) -> (u32, u32) {
        let n = actors(self.0).count() as u32;
        (super::WIDTH, super::HEIGHT.max(180 + 26 * n))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let rows: Vec<&CostResult> = actors(c).collect();
        let n = rows.len();
        let legend = [
            (Mark::Fill(MAIN, 0.35), "middle 50% of runs".to_string()),
            (Mark::Line(INK, false), "5th–95th percentile".to_string()),
            (Mark::Line(MAIN, false), "median".to_string()),
            (
                Mark::Diamond(RGBColor(0xd5, 0x5e, 0x00)),
                "mean".to_string(),
            ),
        ];
        let body = frame(
            root,
            c,
            &self.title(),
            "Total cost over the whole run, summed over every step, across runs",
            &legend,
        )?;
        let (bw, bh) = body.dim_in_pixel();
        let size = super::outcomes::row_font(n, bh.saturating_sub(60)).max(12.0);
        let label_w = widest(rows.iter().map(|a| c.actor(&a.actor)), size).clamp(40, bw / 3) + 16;
        let values: Vec<String> = rows
            .iter()
            .map(|a| {
                format!(
                    "median {} · mean {}",
                    amount(quantiles(a)[2]),
                    amount(a.mean.estimate)
                )
            })
            .collect();
        let value_w = widest(&values, 13.0) + 20;
        let (plot_area, side) = body.split_horizontally(bw.saturating_sub(value_w));
        let xmax = rows
            .iter()
            .map(|a| quantiles(a)[4].max(a.mean.estimate))
            .fold(0.0, f64::max);
        let xmax = if xmax > 0.0 { xmax * 1.05 } else { 1.0 };
        let ny = n.max(1) as f64;
        let mut chart = plot(&plot_area, 0.0..xmax, -0.5..ny - 0.5, label_w)?;
        let unit = c.s.scenario.cost_unit.clone();
        mesh(
            &mut chart,
            &Axes {
                x_desc: if unit.is_empty() {
                    "cost".into()
                } else {
                    format!("cost ({unit})")
                },
                y_desc: String::new(),
                x_fmt: &super::tick_label_for(xmax),
                y_fmt: &|_| String::new(),
                x_grid: true,
                y_grid: false,
                y_numbers: false,
            },
        )?;
        let y_of = |i: usize| ny - 1.0 - i as f64;
        // Boxes at most 44 pixels tall, however few the actors.
        let half = 0.28_f64.min(22.0 / super::row_pixels(&chart));
        for (i, a) in rows.iter().enumerate() {
            let y = y_of(i);
            let q = quantiles(a);
            // Whiskers with caps.
            chart.draw_series(
                [
                    vec![(q[0], y), (q[1], y)],
                    vec![(q[3], y), (q[4], y)],
                    vec![(q[0], y - half / 2.0), (q[0], y + half / 2.0)],
                    vec![(q[4], y - half / 2.0), (q[4], y + half / 2.0)],
                ]
                .into_iter()
                .map(|p| PathElement::new(p, INK.stroke_width(2))),
            )?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(q[1], y - half), (q[3], y + half)],
                MAIN.mix(0.35).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(q[1], y - half), (q[3], y + half)],
                MAIN.stroke_width(1),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(q[2], y - half), (q[2], y + half)],
                MAIN.stroke_width(4),
            )))?;
            let (mx, my) = chart.backend_coord(&(a.mean.estimate, y));
            root.draw(&Polygon::new(
                vec![(mx, my - 8), (mx + 7, my), (mx, my + 8), (mx - 7, my)],
                RGBColor(0xd5, 0x5e, 0x00).filled(),
            ))?;
        }
        let base = side.get_base_pixel();
        for (i, a) in rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, y_of(i)));
            root.draw(&Text::new(
                fit(&c.actor(&a.actor), size, label_w - 16),
                (px - 10, py),
                text(size, INK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            side.draw(&Text::new(
                values[i].clone(),
                (10, py - base.1),
                text(13.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}
