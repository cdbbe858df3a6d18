//! The charts of `brink experiment`: PRIM's peeling trajectory (coverage against density, each
//! box coloured by how many inputs it restricts, the reported box marked), the reported box's
//! limits against each input's range, a heat map of the chosen outcome when exactly two
//! parameters vary (a factorial's grid, or for a Latin hypercube or a Sobol design the mean of
//! the points in each cell of a grid of bins), and the outcome's probability at every point
//! for every variant when there are variants.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::sweep_heatmap::Heat;
use super::{
    Area, Axes, Chart, Drawing, Drawn, GRID, INK, MAIN, MUTED, Mark, fit, frame_with_footer,
    group_thousands, legend, mesh, pct_label, plot, series_style, text, tick_label_for,
    tick_labels, with_legend,
};
use crate::analysis::design::DesignKind;
use crate::analysis::experiment::ExperimentResult;
use crate::error::Result;
use crate::model::Model;
use crate::report::html::Labels;

/// Every chart of an experiment, in the report's order.
pub fn render_all(model: &Model, r: &ExperimentResult) -> Result<Vec<Chart>> {
    let mut out = vec![];
    let Some(k) = r.outcome_index() else {
        return Ok(out);
    };
    let c = Ctx { model, r, k };
    // With the outcome in none or every one of the runs there is no box to draw (the charts
    // showed a "reported box" of 0% coverage that the text beside them said there was not).
    if r.prim.as_ref().is_some_and(|p| !p.nothing_to_locate()) {
        out.push(super::render(&Trajectory(&c))?);
        out.push(super::render(&BoxLimits(&c))?);
    }
    if r.parameters.len() == 2 {
        out.push(super::render(&heat(&c))?);
    }
    if r.variants.len() > 1 {
        out.push(super::render(&ByPoint(&c))?);
    }
    Ok(out)
}

/// What every chart reads.
struct Ctx<'a> {
    model: &'a Model,
    r: &'a ExperimentResult,
    /// The chosen outcome.
    k: usize,
}

impl Ctx<'_> {
    fn labels(&self) -> Labels<'_> {
        Labels {
            sc: &self.model.scenario,
        }
    }

    fn outcome(&self) -> String {
        self.labels().outcome(&self.r.outcomes[self.k]).to_string()
    }

    fn footer(&self) -> String {
        let m = &self.r.manifest;
        format!(
            "{} · seed {} · {} of {} points · {} run{} per point and variant",
            m.scenario,
            m.seed,
            self.r.design.words(),
            self.r.points.len(),
            group_thousands(m.runs),
            if m.runs == 1 { "" } else { "s" }
        )
    }
}

/// The colour of a box restricting `n` of at most `max` inputs: light to dark blue.
fn restricted_color(n: usize, max: usize) -> RGBColor {
    super::co_occurrence::scale(0.3 + 0.7 * n as f64 / max.max(1) as f64)
}

/// The mark of the reported box.
const CHOSEN: RGBColor = RGBColor(0xd5, 0x5e, 0x00);

/// PRIM's peeling trajectory: coverage (x) against density (y).
struct Trajectory<'a>(&'a Ctx<'a>);

impl Drawing for Trajectory<'_> {
    fn name(&self) -> &'static str {
        "prim_trajectory"
    }

    fn title(&self) -> String {
        format!(
            "Where {} concentrates: PRIM's peeling trajectory",
            self.0.outcome()
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let Some(prim) = &c.r.prim else {
            return Ok(());
        };
        let body = frame_with_footer(
            root,
            &c.footer(),
            &self.title(),
            &format!(
                "Each dot a box of inputs: the share of the runs with the outcome it holds \
                 (coverage) and the outcome's probability inside it (density); {} runs",
                group_thousands(prim.rows)
            ),
            &[],
        )?;
        let max_r = prim
            .trajectory
            .iter()
            .map(|b| b.limits.len())
            .max()
            .unwrap_or(0);
        let present: Vec<usize> = (0..=max_r)
            .filter(|n| prim.trajectory.iter().any(|b| b.limits.len() == *n))
            .collect();
        // A legend entry per count reads as a wall on a long trajectory: at most six, evenly
        // spread from the fewest restrictions to the most (the shade between them says the rest).
        let shown: Vec<usize> = if present.len() <= 6 {
            present
        } else {
            let last = present.len() - 1;
            let mut v: Vec<usize> = (0..6).map(|i| present[i * last / 5]).collect();
            v.dedup();
            v
        };
        let mut entries: Vec<(Mark, String)> = shown
            .into_iter()
            .map(|n| {
                (
                    Mark::Dot(restricted_color(n, max_r)),
                    format!("{n} input{} restricted", if n == 1 { "" } else { "s" }),
                )
            })
            .collect();
        // A ring round its point, as drawn (the legend showed a diamond the chart never drew).
        entries.push((Mark::Ring(CHOSEN), "reported box".into()));
        let (area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let top = prim
            .trajectory
            .iter()
            .map(|b| b.density)
            .fold(0.0, f64::max);
        let top = super::probability_top(top.max(0.01));
        let mut chart = plot(&area, 0.0..1.0, 0.0..top, 56)?;
        mesh(
            &mut chart,
            &Axes {
                // The title names the outcome: its whole label here would run off the chart.
                x_desc: "coverage: share of the outcome's runs inside the box".into(),
                y_desc: "density: probability inside the box".into(),
                x_fmt: &pct_label,
                y_fmt: &pct_label,
                x_grid: true,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        chart.draw_series(LineSeries::new(
            prim.trajectory.iter().map(|b| (b.coverage, b.density)),
            GRID.stroke_width(2),
        ))?;
        chart.draw_series(prim.trajectory.iter().map(|b| {
            Circle::new(
                (b.coverage, b.density),
                5,
                restricted_color(b.limits.len(), max_r).filled(),
            )
        }))?;
        let b = prim.chosen_box();
        chart.draw_series(std::iter::once(Circle::new(
            (b.coverage, b.density),
            10,
            CHOSEN.stroke_width(3),
        )))?;
        let (px, py) = chart.backend_coord(&(b.coverage, b.density));
        let note = format!(
            "reported: {} of the runs with it, {} likely",
            super::percent(b.coverage),
            super::percent(b.density)
        );
        let left = b.coverage > 0.6;
        area.draw(&Text::new(
            note,
            (if left { px - 14 } else { px + 14 }, py - 14),
            text(13.0, CHOSEN).pos(Pos::new(
                if left { HPos::Right } else { HPos::Left },
                VPos::Bottom,
            )),
        ))?;
        legend(&side, "each box", &entries)
    }
}

/// The reported box: each restricted input's range in the box against its full range.
struct BoxLimits<'a>(&'a Ctx<'a>);

impl Drawing for BoxLimits<'_> {
    fn name(&self) -> &'static str {
        "prim_box"
    }

    fn title(&self) -> String {
        format!("The box where {} is most likely", self.0.outcome())
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let Some(prim) = &c.r.prim else {
            return Ok(());
        };
        let b = prim.chosen_box();
        let labels = c.labels();
        let body = frame_with_footer(
            root,
            &c.footer(),
            &self.title(),
            &format!(
                "Each restricted input's range inside the box (dark) against its range over the \
                 runs (light): {} likely inside, {} overall",
                super::percent(b.density),
                super::percent(prim.base_density())
            ),
            &[],
        )?;
        let (bw, bh) = body.dim_in_pixel();
        let (bw, bh) = (bw as i32, bh as i32);
        // The restricted inputs, else the design's parameters (unrestricted).
        let rows: Vec<(usize, f64, f64)> = if b.limits.is_empty() {
            (0..prim.inputs.len())
                .filter(|&j| prim.inputs[j].design)
                .map(|j| (j, prim.inputs[j].min, prim.inputs[j].max))
                .collect()
        } else {
            b.limits.iter().map(|l| (l.input, l.low, l.high)).collect()
        };
        if rows.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = rows
            .iter()
            .map(|(j, _, _)| {
                let i = &prim.inputs[*j];
                let l = labels.path(&i.name);
                if i.design {
                    l
                } else {
                    format!("{l} (sampled)")
                }
            })
            .collect();
        let label_w = (super::widest(&names, 14.0) as i32 + 16).clamp(120, bw / 2);
        let (x0, x1) = (label_w, bw - 30);
        let row_h = ((bh - 30) / rows.len() as i32).clamp(24, 70);
        for (r, ((j, lo, hi), name)) in rows.iter().zip(&names).enumerate() {
            let i = &prim.inputs[*j];
            let span = (i.max - i.min).max(1e-300);
            let x = |v: f64| x0 + (((v - i.min) / span).clamp(0.0, 1.0) * (x1 - x0) as f64) as i32;
            let cy = 10 + r as i32 * row_h + row_h / 2;
            body.draw(&Text::new(
                fit(name, 14.0, (label_w - 12) as u32),
                (label_w - 10, cy),
                text(14.0, INK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            body.draw(&Rectangle::new([(x0, cy - 7), (x1, cy + 7)], GRID.filled()))?;
            body.draw(&Rectangle::new(
                [(x(*lo), cy - 7), (x(*hi).max(x(*lo) + 2), cy + 7)],
                MAIN.filled(),
            ))?;
            let small = text(11.0, MUTED);
            let label = tick_label_for(i.max - i.min);
            body.draw(&Text::new(
                label(&i.min),
                (x0, cy + 9),
                small.pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
            body.draw(&Text::new(
                label(&i.max),
                (x1, cy + 9),
                small.pos(Pos::new(HPos::Right, VPos::Top)),
            ))?;
            let inner = format!(
                "{} to {}",
                super::significant(*lo, 3),
                super::significant(*hi, 3)
            );
            body.draw(&Text::new(
                inner,
                ((x(*lo) + x(*hi)) / 2, cy - 9),
                text(12.0, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
        Ok(())
    }
}

/// Bins per axis of a binned heat map of `n` points: about four points a cell, 2 to 10.
fn bins_for(n: usize) -> usize {
    ((n as f64 / 4.0).sqrt().round() as usize).clamp(2, 10)
}

/// The heat map of the chosen outcome over the two parameters (the base variant).
fn heat(c: &Ctx) -> Heat {
    let r = c.r;
    let labels = c.labels();
    let (a, b) = (&r.parameters[0], &r.parameters[1]);
    let p = |pt: &crate::analysis::experiment::ExperimentPoint| {
        pt.variants[0].outcomes[c.k].probability.estimate
    };
    let (xs, ys, cells, reach, subtitle);
    if r.design == DesignKind::Factorial {
        let levels = |j: usize| {
            let mut v: Vec<f64> = r.points.iter().map(|pt| pt.values[j]).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let (lx, ly) = (levels(0), levels(1));
        let mut cell = vec![None; lx.len() * ly.len()];
        let mut far = vec![None; lx.len() * ly.len()];
        for pt in &r.points {
            let i = lx.iter().position(|&x| x == pt.values[0]);
            let j = ly.iter().position(|&y| y == pt.values[1]);
            if let (Some(i), Some(j)) = (i, j) {
                cell[i * ly.len() + j] = Some(p(pt));
                far[i * ly.len() + j] = Some(pt.variants[0].outcomes[c.k].probability.reach());
            }
        }
        reach = far;
        subtitle = format!(
            "Share of runs in which it happened at each of {} × {} pairs of levels, every pair on \
             the same runs",
            lx.len(),
            ly.len()
        );
        xs = tick_labels(&lx);
        ys = tick_labels(&ly);
        cells = cell;
    } else {
        let nb = bins_for(r.points.len());
        let bin = |v: f64, lo: f64, hi: f64| {
            (((v - lo) / (hi - lo) * nb as f64).floor().max(0.0) as usize).min(nb - 1)
        };
        let mut sum = vec![(0.0, 0usize); nb * nb];
        let mut far = vec![0.0; nb * nb];
        for pt in &r.points {
            let i = bin(pt.values[0], a.low, a.high);
            let j = bin(pt.values[1], b.low, b.high);
            sum[i * nb + j].0 += p(pt);
            sum[i * nb + j].1 += 1;
            far[i * nb + j] += pt.variants[0].outcomes[c.k].probability.reach();
        }
        let centre = |lo: f64, hi: f64, i: usize| {
            super::significant(lo + (hi - lo) * (i as f64 + 0.5) / nb as f64, 3)
        };
        subtitle = format!(
            "Share of runs in which it happened, the mean of the design's points in each of \
             {nb} × {nb} cells (labelled by their centres); grey: no point"
        );
        xs = (0..nb).map(|i| centre(a.low, a.high, i)).collect();
        ys = (0..nb).map(|j| centre(b.low, b.high, j)).collect();
        cells = sum
            .iter()
            .map(|&(s, n)| (n > 0).then(|| s / n as f64))
            .collect();
        // A cell's mean over points that play the same runs: its points' estimates move
        // together, and the standard error of their mean is at most the mean of theirs
        // (Cauchy–Schwarz), so the mean of their intervals' reaches bounds the cell's (near
        // enough for the mark; each point's interval is in points.csv).
        reach = far
            .iter()
            .zip(&sum)
            .map(|(&f, &(_, n))| (n > 0).then(|| f / n as f64))
            .collect();
    }
    Heat {
        name: "experiment_heatmap",
        title: c.outcome(),
        subtitle,
        footer: c.footer(),
        x_caption: labels.path(&a.path),
        y_caption: labels.path(&b.path),
        xs,
        ys,
        cells,
        reach,
    }
}

/// The chosen outcome's probability at every point, for every variant, the points in the
/// order of the base's probability.
struct ByPoint<'a>(&'a Ctx<'a>);

impl Drawing for ByPoint<'_> {
    fn name(&self) -> &'static str {
        "experiment_variants"
    }

    fn title(&self) -> String {
        format!("{} at each design point, by variant", self.0.outcome())
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let r = c.r;
        let labels = c.labels();
        let body = frame_with_footer(
            root,
            &c.footer(),
            &self.title(),
            "The design's points from the base's lowest probability to its highest; every \
             variant on the same runs at each point",
            &[],
        )?;
        let prob =
            |pi: usize, vi: usize| r.points[pi].variants[vi].outcomes[c.k].probability.estimate;
        let mut order: Vec<usize> = (0..r.points.len()).collect();
        order.sort_by(|&a, &b| prob(a, 0).total_cmp(&prob(b, 0)).then(a.cmp(&b)));
        let entries: Vec<(Mark, String)> = r
            .variants
            .iter()
            .enumerate()
            .map(|(vi, v)| {
                let (col, _) = series_style(vi);
                let name = if vi == 0 {
                    "base scenario".to_string()
                } else {
                    labels.variant(v).to_string()
                };
                (
                    if vi == 0 {
                        Mark::Line(col, false)
                    } else {
                        Mark::Dot(col)
                    },
                    name,
                )
            })
            .collect();
        let (area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let top = (0..r.points.len())
            .flat_map(|pi| (0..r.variants.len()).map(move |vi| (pi, vi)))
            .map(|(pi, vi)| prob(pi, vi))
            .fold(0.0, f64::max);
        let top = super::probability_top(top.max(0.01));
        let n = r.points.len().max(2);
        let mut chart = plot(&area, -0.5..(n as f64 - 0.5), 0.0..top, 56)?;
        let fmt_rank = |v: &f64| format!("{:.0}", v + 1.0);
        mesh(
            &mut chart,
            &Axes {
                x_desc: "design points, ranked by the base's probability".into(),
                y_desc: format!("P({})", c.outcome()),
                x_fmt: &fmt_rank,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        for vi in (0..r.variants.len()).rev() {
            let (col, _) = series_style(vi);
            let pts: Vec<(f64, f64)> = order
                .iter()
                .enumerate()
                .map(|(x, &pi)| (x as f64, prob(pi, vi)))
                .collect();
            if vi == 0 {
                chart.draw_series(LineSeries::new(pts, col.stroke_width(3)))?;
            } else {
                let radius = if n > 200 { 2 } else { 4 };
                chart.draw_series(
                    pts.into_iter()
                        .map(|p| Circle::new(p, radius, col.filled())),
                )?;
            }
        }
        legend(&side, "variant", &entries)
    }
}
