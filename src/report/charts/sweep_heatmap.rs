//! The chart of a two-parameter `brink sweep`: a heat map of one outcome's probability over
//! every pair of values, the first parameter across and the second up, each cell coloured by
//! the probability (with its scale at the right) and, on a grid of at most 12 × 12, its
//! percentage written in it.
//!
//! The axes are the grids' values in their order (one column or row per value, labelled with
//! the value), so an uneven or descending grid reads as it was asked for.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Chart, Drawing, Drawn, GRID, INK, MUTED, fit, frame_with_footer, pct_label, percent,
    probability_top, text, text_width, tick_labels, widest,
};
use crate::analysis::sweep::SweepResult;
use crate::error::Result;
use crate::model::Model;
use crate::report::charts::co_occurrence::scale;
use crate::report::html::Labels;

/// Largest grid (columns and rows) whose cells carry their percentage.
pub const MAX_WRITTEN: usize = 12;

/// A written share whose 95% interval reaches farther than this from it is marked "≈" (as in
/// the co-occurrence heat map): a cell of few runs.
pub const ROUGH: f64 = 0.10;

/// The words the subtitle adds where a cell is marked.
const ROUGH_NOTE: &str = "; ≈ marks a share whose 95% interval reaches more than 10 points from it";

/// One outcome's probability over the grid of two parameters.
struct SweepHeatmap<'a> {
    model: &'a Model,
    r: &'a SweepResult,
    /// The outcome shown: an index into the result's outcomes.
    outcome: usize,
}

impl SweepHeatmap<'_> {
    fn labels(&self) -> Labels<'_> {
        Labels {
            sc: &self.model.scenario,
        }
    }

    fn footer(&self) -> String {
        let m = &self.r.manifest;
        let mut f = format!(
            "{} · seed {} · {} per point",
            m.scenario,
            m.seed,
            super::n_runs(m.runs)
        );
        if let Some(v) = &m.variant {
            f += &format!(" · variant {}", self.labels().variant(v));
        }
        if !m.complete {
            f += " · incomplete";
        }
        f
    }

    /// The outcome's probability at the `i`-th value of the first parameter and the `j`-th of
    /// the second.
    fn p(&self, i: usize, j: usize) -> Option<f64> {
        self.r
            .at(i, j)
            .and_then(|pt| pt.outcomes.get(self.outcome))
            .map(|o| o.probability.estimate)
    }

    /// The grid to draw.
    fn heat(&self) -> Heat {
        let r = self.r;
        let labels = self.labels();
        let title = r
            .outcomes
            .get(self.outcome)
            .map_or_else(String::new, |o| labels.outcome(o).to_string());
        let (Some(a), Some(b)) = (r.parameters.first(), r.parameters.get(1)) else {
            return Heat {
                name: "sweep_heatmap",
                title,
                ..Heat::default()
            };
        };
        let (nx, ny) = (a.values.len(), b.values.len());
        Heat {
            name: "sweep_heatmap",
            title,
            subtitle: format!(
                "Share of runs in which it happened, at each of {nx} × {ny} pairs of values, every \
                 pair on the same runs",
            ),
            footer: self.footer(),
            x_caption: labels.path(&a.path),
            y_caption: labels.path(&b.path),
            xs: tick_labels(&a.values),
            ys: tick_labels(&b.values),
            cells: (0..nx)
                .flat_map(|i| (0..ny).map(move |j| (i, j)))
                .map(|(i, j)| self.p(i, j))
                .collect(),
            reach: (0..nx)
                .flat_map(|i| (0..ny).map(move |j| (i, j)))
                .map(|(i, j)| {
                    (self.r.at(i, j))
                        .and_then(|pt| pt.outcomes.get(self.outcome))
                        .map(|o| o.probability.reach())
                })
                .collect(),
        }
    }
}

/// A probability over a grid of two parameters, as drawn: each cell `cells[i · ny + j]` at
/// the `i`-th column (x) and `j`-th row (y, from the bottom); `None` draws a grey cell.
#[derive(Default)]
pub(crate) struct Heat {
    /// File stem.
    pub(crate) name: &'static str,
    pub(crate) title: String,
    pub(crate) subtitle: String,
    pub(crate) footer: String,
    /// The x axis' caption (the first parameter's label) and its columns' labels.
    pub(crate) x_caption: String,
    pub(crate) xs: Vec<String>,
    /// The y axis' caption and its rows' labels, lowest first.
    pub(crate) y_caption: String,
    pub(crate) ys: Vec<String>,
    pub(crate) cells: Vec<Option<f64>>,
    /// How far each cell's 95% interval reaches from it ([`crate::stats::Interval::reach`]),
    /// where known: a written share whose interval reaches past [`ROUGH`] is marked "≈".
    /// Empty: none known.
    pub(crate) reach: Vec<Option<f64>>,
}

impl Heat {
    fn p(&self, i: usize, j: usize) -> Option<f64> {
        self.cells.get(i * self.ys.len() + j).copied().flatten()
    }
}

/// Every `k`-th of `n` labels fits in cells `cell` pixels wide (or tall) when each label needs
/// `need` pixels: the smallest such `k`.
fn label_every(n: usize, cell: f64, need: f64) -> usize {
    if cell <= 0.0 {
        return n.max(1);
    }
    ((need / cell).ceil() as usize).clamp(1, n.max(1))
}

impl Drawing for Heat {
    fn name(&self) -> &'static str {
        self.name
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        if self.xs.is_empty() && self.ys.is_empty() && self.subtitle.is_empty() {
            return Ok(());
        }
        let (nx, ny) = (self.xs.len(), self.ys.len());
        let write = self.xs.len() <= MAX_WRITTEN && self.ys.len() <= MAX_WRITTEN;
        let rough = |k: usize| {
            write
                && self.cells.get(k).copied().flatten().is_some()
                && self
                    .reach
                    .get(k)
                    .copied()
                    .flatten()
                    .is_some_and(|r| r > ROUGH)
        };
        let any_rough = (0..self.cells.len()).any(rough);
        let subtitle = if any_rough {
            format!("{}{ROUGH_NOTE}", self.subtitle)
        } else {
            self.subtitle.clone()
        };
        let body = frame_with_footer(root, &self.footer, &self.title, &subtitle, &[])?;
        let (bw, bh) = body.dim_in_pixel();
        let (bw, bh) = (bw as i32, bh as i32);
        if nx == 0 || ny == 0 {
            return Ok(());
        }
        let (xs, ys) = (&self.xs, &self.ys);
        // Room: the y caption (turned) and values at the left, the x values and caption below,
        // the colour scale at the right.
        let tick = 13.0;
        let caption = 15.0;
        let y_label_w = widest(ys, tick) as i32 + 10;
        let (left, bottom_room, scale_w, top) = (26 + y_label_w, 50, 110, 6);
        let (gx0, gy0) = (left, top);
        let (gx1, gy1) = (
            (bw - scale_w).max(gx0 + 40),
            (bh - bottom_room).max(gy0 + 40),
        );
        let (gw, gh) = (gx1 - gx0, gy1 - gy0);
        let col = |i: usize| gx0 + (i as i64 * gw as i64 / nx as i64) as i32;
        // Rows from the bottom: the grid's first value lowest.
        let row = |j: usize| gy1 - (j as i64 * gh as i64 / ny as i64) as i32;
        let top_p = probability_top(
            (0..nx)
                .flat_map(|i| (0..ny).map(move |j| (i, j)))
                .filter_map(|(i, j)| self.p(i, j))
                .fold(0.0, f64::max),
        );
        let shade = |p: f64| scale(p / top_p);
        let (cell_w, cell_h) = (gw as f64 / nx as f64, gh as f64 / ny as f64);
        let value_size = (cell_h * 0.4).clamp(9.0, 14.0);
        for i in 0..nx {
            for j in 0..ny {
                let cell = [(col(i), row(j + 1)), (col(i + 1), row(j))];
                let Some(p) = self.p(i, j) else {
                    body.draw(&Rectangle::new(cell, GRID.mix(0.4).filled()))?;
                    continue;
                };
                body.draw(&Rectangle::new(cell, shade(p).filled()))?;
                if write {
                    body.draw(&Rectangle::new(cell, WHITE.mix(0.6).stroke_width(1)))?;
                    let ink = if p / top_p > 0.55 { WHITE } else { INK };
                    let shown = if rough(i * ny + j) {
                        format!("≈{}", percent(p))
                    } else {
                        percent(p)
                    };
                    body.draw(&Text::new(
                        fit(&shown, value_size, (cell_w - 4.0).max(8.0) as u32),
                        ((col(i) + col(i + 1)) / 2, (row(j) + row(j + 1)) / 2),
                        text(value_size, ink).pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                }
            }
        }
        body.draw(&Rectangle::new(
            [(gx0, gy0), (gx1, gy1)],
            MUTED.stroke_width(1),
        ))?;
        // The first parameter's values under their columns, as many as fit.
        let every = label_every(nx, cell_w, widest(xs, tick) as f64 + 10.0);
        for (i, label) in xs.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let cx = (col(i) + col(i + 1)) / 2;
            body.draw(&PathElement::new(
                vec![(cx, gy1), (cx, gy1 + 4)],
                MUTED.stroke_width(1),
            ))?;
            body.draw(&Text::new(
                label.clone(),
                (cx, gy1 + 6),
                text(tick, MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        body.draw(&Text::new(
            fit(&self.x_caption, caption, gw.max(40) as u32),
            ((gx0 + gx1) / 2, gy1 + 26),
            text(caption, INK).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        // The second parameter's values beside their rows, as many as fit.
        let every = label_every(ny, cell_h, 18.0);
        for (j, label) in ys.iter().enumerate().filter(|(j, _)| j % every == 0) {
            let cy = (row(j) + row(j + 1)) / 2;
            body.draw(&PathElement::new(
                vec![(gx0 - 4, cy), (gx0, cy)],
                MUTED.stroke_width(1),
            ))?;
            body.draw(&Text::new(
                label.clone(),
                (gx0 - 6, cy),
                text(tick, MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        body.draw(&Text::new(
            fit(&self.y_caption, caption, gh.max(40) as u32),
            (4, (gy0 + gy1) / 2),
            text(caption, INK)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        // The colour scale: a vertical bar from 0% (bottom) to its top (top).
        let sx = gx1 + 24;
        let bar_h = gh.clamp(60, 300);
        let steps = 60;
        for k in 0..steps {
            let p0 = k as f64 / steps as f64;
            let ya = gy0 + bar_h - ((k + 1) * bar_h) / steps;
            let yb = gy0 + bar_h - (k * bar_h) / steps;
            body.draw(&Rectangle::new(
                [(sx, ya), (sx + 16, yb)],
                scale(p0 + 0.5 / steps as f64).filled(),
            ))?;
        }
        body.draw(&Rectangle::new(
            [(sx, gy0), (sx + 16, gy0 + bar_h)],
            MUTED.stroke_width(1),
        ))?;
        for f in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let y = gy0 + bar_h - (f * bar_h as f64).round() as i32;
            body.draw(&PathElement::new(
                vec![(sx + 16, y), (sx + 20, y)],
                MUTED.stroke_width(1),
            ))?;
            body.draw(&Text::new(
                pct_label(&(f * top_p)),
                (sx + 23, y),
                text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let cap = "probability";
        body.draw(&Text::new(
            fit(cap, 12.0, (bw - sx).max(20) as u32),
            (
                sx.min(bw - text_width(cap, 12.0) as i32 - 2),
                gy0 + bar_h + 10,
            ),
            text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        Ok(())
    }
}

/// Draws the heat map of a two-parameter sweep for one outcome (an index into the result's
/// outcomes) as `sweep_heatmap.png` and `.svg`; `model` gives the labels.
pub fn render(model: &Model, r: &SweepResult, outcome: usize) -> Result<Chart> {
    super::render(&SweepHeatmap { model, r, outcome }.heat())
}
