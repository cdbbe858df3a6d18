//! Each actor's cumulative cost over the horizon as a cumulative distribution on a log scale:
//! for every cost x, the share of runs whose total cost was at most x. Costs are skewed (a few
//! runs cost many times the median), which a log scale shows and a linear one hides. The
//! median and the mean are marked on each curve; actors that never bear a cost are left out.
//!
//! The summary keeps each actor's 5th, 25th, 50th, 75th and 95th percentiles, the mean and the
//! largest cost, not the whole distribution: each curve is drawn through those points (dots),
//! straight between them on the log scale.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Ctx, Drawing, Drawn, GRID, MUTED, Mark, Plot, amount, frame, legend, mesh_with,
    plot, series_style, short_label, text, tick_label, with_legend,
};
use crate::analysis::summary::CostResult;
use crate::model::Model;

/// The shares of runs at the summary's quantiles.
const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The costs as cumulative distributions on a log scale.
pub(crate) struct CostsEcdf<'a> {
    c: &'a Ctx<'a>,
    /// The actors with a cost and their display names, in the scenario's order.
    rows: Vec<(&'a CostResult, String)>,
}

impl<'a> CostsEcdf<'a> {
    /// The chart of the actors with some cost, named by their labels.
    pub fn new(c: &'a Ctx<'a>, model: &Model) -> Self {
        let rows = super::costs::actors(c)
            .map(|a| {
                let label = model
                    .scenario
                    .actors
                    .iter()
                    .find(|x| x.name == a.actor)
                    .map_or(a.actor.clone(), |x| short_label(&x.label, &x.name));
                (a, label)
            })
            .collect();
        CostsEcdf { c, rows }
    }
}

/// The known points of an actor's distribution, as (cost, share of runs at most that cost),
/// costs above zero only, and the share of runs known to cost nothing (at least).
fn points(a: &CostResult) -> (Vec<(f64, f64)>, f64) {
    let q = super::costs::quantiles(a);
    let zero = q
        .iter()
        .zip(QS)
        .filter(|(v, _)| **v <= 0.0)
        .map(|(_, s)| s)
        .fold(0.0, f64::max);
    let mut pts: Vec<(f64, f64)> = q
        .iter()
        .zip(QS)
        .filter(|(v, _)| **v > 0.0)
        .map(|(&v, s)| (v, s))
        .collect();
    pts.push((a.max, 1.0));
    // Equal costs at several quantiles: the highest share holds.
    pts.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 = a.1.max(b.1);
            true
        } else {
            false
        }
    });
    (pts, zero)
}

/// The share of runs at most `x` (log10 of the cost) on a polyline in the plot's coordinates
/// (straight between its points; its first point's share left of it).
fn share_at(line: &[(f64, f64)], x: f64) -> f64 {
    let Some(first) = line.first() else {
        return 0.0;
    };
    if x <= first.0 {
        return first.1;
    }
    for w in line.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if x <= x1 {
            let t = (x - x0) / (x1 - x0).max(1e-12);
            return y0 + (y1 - y0) * t.clamp(0.0, 1.0);
        }
    }
    1.0
}

/// Tick values on a log axis from 10^lo to 10^hi: 1, 2, 5 in every decade, or only the powers
/// of ten when that gives too many.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let steps: &[f64] = if hi - lo > 4.0 {
        &[1.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    let mut out = vec![];
    for e in (lo.floor() as i32)..=(hi.ceil() as i32) {
        for m in steps {
            let v = m * 10f64.powi(e);
            let l = v.log10();
            if l >= lo - 1e-9 && l <= hi + 1e-9 {
                out.push(v);
            }
        }
    }
    out
}

impl Drawing for CostsEcdf<'_> {
    fn name(&self) -> &'static str {
        "costs_ecdf"
    }

    fn title(&self) -> String {
        let c = self.c;
        format!(
            "Cost to each actor over {}: share of runs up to each cost",
            crate::scenario::n_steps(c.s.scenario.horizon, &c.s.scenario.step_unit)
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.c;
        let unit = c.s.scenario.cost_unit.trim();
        let curves: Vec<(Vec<(f64, f64)>, f64)> =
            self.rows.iter().map(|(a, _)| points(a)).collect();
        // The legend names only what is drawn: the dotted stretch is there only for an actor
        // some of whose runs cost nothing (it listed one on charts that had none).
        let mut header = vec![
            (Mark::Dot(MUTED), "median".to_string()),
            (Mark::Diamond(MUTED), "mean".to_string()),
            (
                Mark::Line(MUTED, true),
                "dashed: half of the runs".to_string(),
            ),
        ];
        if curves.iter().any(|(_, zero)| *zero > 0.0) {
            header.push((
                Mark::Dotted(MUTED),
                "dotted: unknown stretch after cost 0".to_string(),
            ));
        }
        let body = frame(
            root,
            c,
            &self.title(),
            "Total cost of a run on a log scale; each curve drawn through the 5th, 25th, 50th, 75th and 95th percentiles and the largest cost (dots)",
            &header,
        )?;
        let entries: Vec<(Mark, String)> = self
            .rows
            .iter()
            .zip(&curves)
            .enumerate()
            .map(|(i, ((a, label), (_, zero)))| {
                let (col, dashed) = series_style(i);
                let median = super::costs::quantiles(a)[2];
                let mut second = format!(
                    "median {} · mean {}",
                    if median > 0.0 {
                        amount(median)
                    } else {
                        "0".into()
                    },
                    amount(a.mean.estimate)
                );
                if *zero > 0.0 {
                    second += &format!(" · ≥{:.0}% cost 0", zero * 100.0);
                }
                (Mark::Line(col, dashed), format!("{label}\n{second}"))
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));

        // The x range (log10 of the cost): every known point and mean, padded a little.
        let xs = curves
            .iter()
            .flat_map(|(p, _)| p.iter().map(|q| q.0))
            .chain(self.rows.iter().map(|(a, _)| a.mean.estimate))
            .filter(|v| *v > 0.0 && v.is_finite());
        let lo = xs.clone().fold(f64::INFINITY, f64::min);
        let hi = xs.fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() && hi.is_finite() {
            (lo.log10(), hi.log10())
        } else {
            (0.0, 1.0)
        };
        let pad = ((hi - lo) * 0.04).max(0.05);
        let (x0, x1) = (lo - pad, (hi + pad).max(lo + 0.5));
        let mut chart = plot(&plot_area, x0..x1, 0.0..1.0, 56)?;
        // No x ticks of the mesh's own (they would sit at linear positions): the log ticks
        // are drawn below.
        mesh_with(
            &mut chart,
            &Axes {
                x_desc: if unit.is_empty() {
                    "cost (log scale)".into()
                } else {
                    format!("cost ({unit}, log scale)")
                },
                y_desc: "share of runs costing at most x".into(),
                x_fmt: &|_| String::new(),
                y_fmt: &super::pct_label,
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
            0,
            8,
        )?;
        draw_log_ticks(root, &mut chart, x0, x1)?;
        // The median's level, to read each curve's median against.
        chart.draw_series(DashedLineSeries::new(
            vec![(x0, 0.5), (x1, 0.5)],
            5,
            4,
            MUTED.stroke_width(1),
        ))?;
        for (i, ((a, _), (pts, zero))) in self.rows.iter().zip(&curves).enumerate() {
            let (col, dashed) = series_style(i);
            let known: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x.log10(), y)).collect();
            let mut line = known.clone();
            if *zero > 0.0 {
                // Runs that cost nothing sit left of any log scale: the curve starts at their
                // share, at the axis, dotted up to the first cost known above zero.
                line.insert(0, (x0, *zero));
                let gap = line[..2.min(line.len())].to_vec();
                chart.draw_series(DashedLineSeries::new(gap, 2, 4, col.stroke_width(2)))?;
                let (px, py) = chart.backend_coord(&(x0, *zero));
                root.draw(&Rectangle::new(
                    [(px, py - 2), (px + 10, py + 2)],
                    col.filled(),
                ))?;
            }
            if dashed {
                chart.draw_series(DashedLineSeries::new(
                    known.clone(),
                    8,
                    5,
                    col.stroke_width(2),
                ))?;
            } else {
                chart.draw_series(LineSeries::new(known.clone(), col.stroke_width(2)))?;
            }
            chart.draw_series(known.iter().map(|&p| Circle::new(p, 3, col.filled())))?;
            let q = super::costs::quantiles(a);
            if q[2] > 0.0 {
                let (mx, my) = chart.backend_coord(&(q[2].log10(), 0.5));
                root.draw(&Circle::new((mx, my), 7, col.filled()))?;
                root.draw(&Circle::new((mx, my), 7, WHITE.stroke_width(1)))?;
            }
            let mean = a.mean.estimate;
            if mean > 0.0 {
                let (mx, my) = chart.backend_coord(&(mean.log10(), share_at(&line, mean.log10())));
                let d = vec![(mx, my - 9), (mx + 8, my), (mx, my + 9), (mx - 8, my)];
                root.draw(&Polygon::new(d.clone(), col.filled()))?;
                let mut ring = d;
                ring.push(ring[0]);
                root.draw(&PathElement::new(ring, WHITE.stroke_width(1)))?;
            }
        }
        legend(&side, "actor", &entries)
    }
}

/// A log axis's tick (1, 2 or 5 times a power of ten): below 1 by its figures, since the axis
/// reaches 10^-12 and three decimals would read "0".
fn log_tick_label(v: f64) -> String {
    if v < 1.0 {
        super::significant(v, 3)
    } else {
        tick_label(&v)
    }
}

/// Vertical grid lines and tick labels of a log axis (the plot's x is log10 of the value).
fn draw_log_ticks<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &mut Plot<DB>,
    x0: f64,
    x1: f64,
) -> Drawn<DB> {
    let ticks = ticks(x0, x1);
    chart.draw_series(
        ticks
            .iter()
            .map(|v| PathElement::new(vec![(v.log10(), 0.0), (v.log10(), 1.0)], GRID)),
    )?;
    for v in ticks {
        let (px, py) = chart.backend_coord(&(v.log10(), 0.0));
        root.draw(&Text::new(
            log_tick_label(v),
            (px, py + 8),
            text(13.0, MUTED).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny costs (a coarse unit) get ticks and a legend that name them, not "0" and "0.00".
    #[test]
    fn tiny_costs_have_ticks_of_their_own() {
        let labels: Vec<String> = ticks(-5.0, -3.9).into_iter().map(log_tick_label).collect();
        assert_eq!(labels, ["0.00001", "0.00002", "0.00005", "0.0001"]);
        assert_eq!(log_tick_label(2e-9), "0.000000002");
        assert_eq!(log_tick_label(2000.0), "2,000");
        assert_eq!(super::super::amount(5.5e-5), "0.000055");
    }
}
