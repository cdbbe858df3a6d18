//! Probability of each named outcome, as horizontal bars with their 95% Wilson intervals.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Ctx, Drawing, Drawn, INK, MAIN, MUTED, Mark, fit_apart, frame, mesh, pct_label,
    percent, plot, short_label, text, text_width, widest,
};

/// Row label size for `n` rows in `h` pixels.
pub(crate) fn row_font(n: usize, h: u32) -> f64 {
    let row = h as f64 / n.max(1) as f64;
    (row * 0.55).clamp(9.0, 14.0)
}

/// Each outcome's probability, as bars with intervals.
pub(crate) struct Outcomes<'a>(pub &'a Ctx<'a>);

impl Drawing for Outcomes<'_> {
    fn name(&self) -> &'static str {
        "outcome_probabilities"
    }

    fn title(&self) -> String {
        let c = self.0;
        format!(
            "Probability of each outcome within {}",
            crate::scenario::n_steps(c.s.scenario.horizon, &c.s.scenario.step_unit)
        )
    }

    /// Taller with many outcomes (22 pixels a row past 20): at 128 outcomes on 600 pixels each
    /// row was 3 pixels high under labels of 7.
    fn size(&self) -> (u32, u32) {
        let n = self.0.s.outcomes.len() as u32;
        (super::WIDTH, super::HEIGHT.max(160 + 22 * n))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let outs = &c.s.outcomes;
        let n = outs.len();
        let legend = [
            (Mark::Fill(MAIN, 0.75), "share of runs".to_string()),
            (Mark::Line(INK, false), "95% interval (Wilson)".to_string()),
        ];
        let body = frame(
            root,
            c,
            &self.title(),
            &format!(
                "Share of the {} in which each outcome happened",
                super::n_runs(c.s.manifest.runs)
            ),
            &legend,
        )?;
        let (bw, bh) = body.dim_in_pixel();
        let size = row_font(n, bh.saturating_sub(60));
        let label_w = widest(outs.iter().map(|o| short_label(&o.label, &o.name)), size)
            .clamp(40, bw / 3)
            + 16;
        let values: Vec<String> = outs
            .iter()
            .map(|o| {
                format!(
                    "{}  ({} – {})",
                    percent(o.probability.estimate),
                    percent(o.probability.low),
                    percent(o.probability.high)
                )
            })
            .collect();
        let value_w = widest(&values, size).max(text_width("estimate (95% interval)", 13.0)) + 20;
        let (plot_area, side) = body.split_horizontally(bw.saturating_sub(value_w));
        let ny = n.max(1) as f64;
        let mut chart = plot(&plot_area, 0.0..1.0, -0.5..ny - 0.5, label_w)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: "probability (share of runs)".into(),
                y_desc: String::new(),
                x_fmt: &pct_label,
                y_fmt: &|_| String::new(),
                x_grid: true,
                y_grid: false,
                y_numbers: false,
            },
        )?;
        // First outcome at the top.
        let y_of = |i: usize| ny - 1.0 - i as f64;
        // Bars at most 28 pixels tall, however few the outcomes.
        let row_px = super::row_pixels(&chart);
        let half = 0.32_f64.min(14.0 / row_px);
        chart.draw_series(outs.iter().enumerate().map(|(i, o)| {
            let y = y_of(i);
            Rectangle::new(
                [
                    (0.0, y - half),
                    (o.probability.estimate.clamp(0.0, 1.0), y + half),
                ],
                MAIN.mix(0.75).filled(),
            )
        }))?;
        for (i, o) in outs.iter().enumerate() {
            let y = y_of(i);
            let (lo, hi) = (
                o.probability.low.clamp(0.0, 1.0),
                o.probability.high.clamp(0.0, 1.0),
            );
            let cap = (half * 0.6).min(8.0 / row_px);
            chart.draw_series(
                [
                    vec![(lo, y), (hi, y)],
                    vec![(lo, y - cap), (lo, y + cap)],
                    vec![(hi, y - cap), (hi, y + cap)],
                ]
                .into_iter()
                .map(|p| PathElement::new(p, INK.stroke_width(2))),
            )?;
        }
        // Names at the left, numbers at the right, level with their bars.
        let base = side.get_base_pixel();
        let first = chart.backend_coord(&(0.0, y_of(0))).1;
        side.draw(&Text::new(
            "estimate (95% interval)",
            (
                10,
                (first - base.1 - (row_px / 2.0).min(24.0) as i32 - 2).max(8),
            ),
            text(13.0, MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))?;
        let labels: Vec<String> = outs
            .iter()
            .map(|o| short_label(&o.label, &o.name))
            .collect();
        let labels = fit_apart(
            &labels.iter().map(String::as_str).collect::<Vec<_>>(),
            size,
            label_w - 16,
        );
        for (i, label) in labels.into_iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, y_of(i)));
            root.draw(&Text::new(
                label,
                (px - 10, py),
                text(size, INK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            side.draw(&Text::new(
                values[i].clone(),
                (10, py - base.1),
                text(size, INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}
