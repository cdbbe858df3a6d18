//! How the outcomes go together: a heat map of P(row | column), the share of the runs in which
//! the column's outcome happened in which the row's outcome happened too.
//!
//! Rows carry the outcomes' numbers and short labels; columns carry the same numbers (the rows
//! are their key), so that the flagship's 17 outcomes stay readable. Each cell prints its value
//! in percent; the diagonal (P(A | A) = 1) is drawn apart, in grey; a column whose outcome
//! never happened is left empty.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Ctx, Drawing, Drawn, GRID, HEIGHT, INK, MUTED, Mark, WIDTH, fit, frame, short_label,
    text, text_width, widest,
};

/// Grey of the diagonal cells.
const DIAGONAL: RGBColor = RGBColor(0xd0, 0xd0, 0xd0);

/// The colour of a probability: from white (0) to dark blue (1), through a light blue, so that
/// small shares still show.
pub(crate) fn scale(p: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 4] = [
        (0xff, 0xff, 0xff),
        (0xc6, 0xdb, 0xef),
        (0x42, 0x92, 0xc6),
        (0x08, 0x30, 0x6b),
    ];
    let x = p.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The co-occurrence heat map of a run's outcomes.
pub(crate) struct CoOccurrence<'a>(pub &'a Ctx<'a>);

/// The widest the row labels may be, in pixels (a wider canvas does not widen them further).
const MAX_LABEL: i32 = 600;

impl Drawing for CoOccurrence<'_> {
    fn name(&self) -> &'static str {
        "co_occurrence"
    }

    fn title(&self) -> String {
        "Which outcomes go together: P(row outcome | column outcome)".into()
    }

    /// Wider with many outcomes: every column at least 14 pixels beside the labels and the
    /// colour scale (at 128 outcomes the columns past the 61st were drawn on one spot at the
    /// edge, without a word).
    fn size(&self) -> (u32, u32) {
        let outs = &self.0.s.outcomes;
        let n = outs.len() as u32;
        let labels = outs
            .iter()
            .enumerate()
            .map(|(i, o)| format!("{}. {}", i + 1, short_label(&o.label, &o.name)));
        let label_w = (super::widest(labels, 14.0) + 12).min(MAX_LABEL as u32);
        // The labels, the colour scale and its gap, the columns, and the frame's margins.
        let need = label_w + 106 + 14 * n + 80;
        (WIDTH.max(need), HEIGHT.max(230 + 30 * n))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let outs = &c.s.outcomes;
        let co = &c.s.co_occurrence;
        let n = outs.len();
        let mut legend = vec![(
            Mark::Fill(DIAGONAL, 1.0),
            "diagonal: P(A | A) = 100%".to_string(),
        )];
        // A column is empty when its outcome never happened.
        let never: Vec<bool> = (0..n)
            .map(|b| co.iter().all(|row| row.get(b).copied().flatten().is_none()))
            .collect();
        // Only when a column is empty: the legend named one where none was (a helper).
        if never.iter().any(|&e| e) {
            legend.push((
                Mark::Fill(GRID, 0.4),
                "empty column: that outcome never happened".to_string(),
            ));
        }
        let body = frame(
            root,
            c,
            &self.title(),
            "Of the runs in which the column's outcome happened, the share (%) in which the \
             row's outcome happened too; ≈ marks a share whose 95% interval reaches more than \
             10 points from it (few runs of the column's outcome)",
            &legend,
        )?;
        let (bw, bh) = body.dim_in_pixel();
        if n == 0 {
            return Ok(());
        }
        // Room: the column numbers above, the axis caption below, the colour scale at the right.
        let (head, foot, scale_w) = (24_i32, 34_i32, 96_i32);
        let cell_h = ((bh as i32 - head - foot) / n as i32).clamp(12, 36);
        let size = (cell_h as f64 * 0.5).clamp(9.0, 14.0);
        let labels: Vec<String> = outs
            .iter()
            .enumerate()
            .map(|(i, o)| format!("{}. {}", i + 1, short_label(&o.label, &o.name)))
            .collect();
        let max_label = (bw as i32 * 2 / 5).clamp(60, MAX_LABEL);
        let label_w = (widest(&labels, size) as i32 + 12).min(max_label);
        let cell_w = ((bw as i32 - label_w - scale_w - 10) / n as i32).clamp(14, 64);
        let x0 = label_w;
        let y0 = head;
        let value_size = (cell_h.min(cell_w) as f64 * 0.42).clamp(8.0, 13.0);
        // Column numbers, in a smaller type when the widest would not fit its column, and then
        // only every k-th if they still would not (60 outcomes' numbers ran together into one
        // row of digits, "101112131415…").
        let widest_number = |size: f64| text_width(&n.to_string(), size) as f64 + 3.0;
        let number_size = if widest_number(size) > cell_w as f64 {
            (size * cell_w as f64 / widest_number(size)).max(7.0)
        } else {
            size
        };
        let every = (widest_number(number_size) / cell_w as f64).ceil().max(1.0) as usize;
        for (b, &none) in never.iter().enumerate() {
            if b > 0 && (b + 1) % every != 0 {
                continue;
            }
            let cx = x0 + b as i32 * cell_w + cell_w / 2;
            body.draw(&Text::new(
                format!("{}", b + 1),
                (cx, y0 - 6),
                text(number_size, if none { MUTED } else { INK })
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
        for (a, label) in labels.iter().enumerate() {
            let y = y0 + a as i32 * cell_h;
            body.draw(&Text::new(
                fit(label, size, (label_w - 12).max(10) as u32),
                (label_w - 8, y + cell_h / 2),
                text(size, INK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            for b in 0..n {
                let x = x0 + b as i32 * cell_w;
                let cell = [(x, y), (x + cell_w, y + cell_h)];
                let value = co.get(a).and_then(|r| r.get(b)).copied().flatten();
                if a == b {
                    body.draw(&Rectangle::new(cell, DIAGONAL.filled()))?;
                    body.draw(&PathElement::new(
                        vec![(x + 2, y + cell_h - 2), (x + cell_w - 2, y + 2)],
                        WHITE.stroke_width(1),
                    ))?;
                } else if let Some(p) = value {
                    body.draw(&Rectangle::new(cell, scale(p).filled()))?;
                    let ink = if p > 0.55 { WHITE } else { INK };
                    // Never "0" for a pair that happened, nor "100" for one that did not always.
                    let shown = match p * 100.0 {
                        x if x > 0.0 && x < 0.5 => "<1".to_string(),
                        x if (99.5..100.0).contains(&x) => ">99".to_string(),
                        x => format!("{:.0}", x.round()),
                    };
                    // A share of few runs (Wilson's interval reaching past 10 points) is marked.
                    let rough =
                        c.s.co_occurrence_interval(a, b)
                            .is_some_and(|i| i.reach() > 0.10);
                    let shown = if rough { format!("≈{shown}") } else { shown };
                    body.draw(&Text::new(
                        shown,
                        (x + cell_w / 2, y + cell_h / 2),
                        text(value_size, ink).pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                } else {
                    body.draw(&Rectangle::new(cell, GRID.mix(0.4).filled()))?;
                }
                body.draw(&Rectangle::new(cell, GRID.stroke_width(1)))?;
            }
        }
        let bottom = y0 + n as i32 * cell_h;
        let right = x0 + n as i32 * cell_w;
        body.draw(&Rectangle::new(
            [(x0, y0), (right, bottom)],
            MUTED.stroke_width(1),
        ))?;
        body.draw(&Text::new(
            fit(
                "given the outcome of the column (numbered as the rows)",
                13.0,
                (right - x0).max(40) as u32,
            ),
            ((x0 + right) / 2, bottom + 8),
            text(13.0, MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        // The colour scale: a vertical bar from 0% (bottom) to 100% (top).
        let sx = right + 24;
        let bar_h = (bottom - y0).clamp(60, 300);
        let steps = 60;
        for k in 0..steps {
            let p0 = k as f64 / steps as f64;
            let ya = y0 + bar_h - ((k + 1) * bar_h) / steps;
            let yb = y0 + bar_h - (k * bar_h) / steps;
            body.draw(&Rectangle::new(
                [(sx, ya), (sx + 16, yb)],
                scale(p0 + 0.5 / steps as f64).filled(),
            ))?;
        }
        body.draw(&Rectangle::new(
            [(sx, y0), (sx + 16, y0 + bar_h)],
            MUTED.stroke_width(1),
        ))?;
        for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let y = y0 + bar_h - (p * bar_h as f64).round() as i32;
            body.draw(&PathElement::new(
                vec![(sx + 16, y), (sx + 20, y)],
                MUTED.stroke_width(1),
            ))?;
            body.draw(&Text::new(
                format!("{:.0}%", p * 100.0),
                (sx + 23, y),
                text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let cap = "P(row | column)";
        body.draw(&Text::new(
            fit(cap, 12.0, (bw as i32 - sx).max(20) as u32),
            (
                sx.min(bw as i32 - text_width(cap, 12.0) as i32 - 2),
                y0 + bar_h + 10,
            ),
            text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        Ok(())
    }
}
