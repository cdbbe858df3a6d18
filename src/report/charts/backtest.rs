//! The charts of `brink backtest`: per case, when each dated fact's target happens in the runs
//! against when it did, the mood (the fan chart of the index H that `brink run` draws) and the
//! shares of runs on each rung over time, both with the observed rungs and dates on them; over
//! all cases, the PIT histogram.
//!
//! The x axis of a case's charts is the calendar: each step's date from the scenario's start
//! date (step numbers when it has none).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::index_fan;
use super::rungs::{cumulative, draw_stack};
use super::{
    Area, Axes, Chart, Ctx, Drawing, Drawn, GRID, HEIGHT, INK, MAIN, MUTED, Mark, Plot, WIDTH, fit,
    frame, frame_with_footer, legend, mesh_with, pct_label, percent, plot, probability_top,
    rung_color, series_style, step_label, text, text_width, tick_label, with_legend,
};
use crate::analysis::backtest::{Backtest, CaseResult, FactResult};
use crate::analysis::summary::date_of_step;
use crate::error::Result;
use crate::scenario::timeline::step_of_date;

/// Most tick labels on a date axis (a date is about 75 pixels wide).
const DATE_TICKS: usize = 8;

/// The step a fact's date falls in, when the case has a start date.
pub(crate) fn fact_step(case: &CaseResult, f: &FactResult) -> Option<u32> {
    let start = case.start_date.as_deref()?;
    let t = step_of_date(&f.date, start, &case.step_unit).ok()?;
    (t >= 0 && t < i64::from(case.horizon)).then_some(t as u32)
}

/// The dated facts with a distribution over steps (then "never").
fn dated(case: &CaseResult) -> impl Iterator<Item = &FactResult> {
    case.facts
        .iter()
        .filter(|f| f.kind == "dated" && f.distribution.len() > 1)
}

/// A chart context for a case's summary, with its ladder's thresholds.
fn ctx(case: &CaseResult) -> Ctx<'_> {
    Ctx {
        s: &case.summary,
        thresholds: &case.rung_thresholds,
        bounds: case.bounds,
        sc: None,
    }
}

/// The x-axis title and tick labels of a case's charts: dates when the case has a start date.
fn date_axis(case: &CaseResult, c: &Ctx) -> (String, impl Fn(&f64) -> String + use<>) {
    let start = case.start_date.clone();
    let unit = case.step_unit.clone();
    let desc = match &start {
        Some(d) => format!("date (each {} from {d})", c.unit()),
        None => c.time_axis(),
    };
    let fmt = move |v: &f64| {
        super::whole_step(*v)
            .and_then(|t| date_of_step(start.as_deref(), &unit, t))
            .unwrap_or_else(|| step_label(v))
    };
    (desc, fmt)
}

/// The cumulative probability that a dated fact's target has happened by each step (the last
/// category, "never", left out).
fn by_step(f: &FactResult) -> Vec<f64> {
    let steps = f.distribution.len() - 1;
    f.distribution[..steps]
        .iter()
        .scan(0.0, |acc, &p| {
            *acc += p;
            Some(*acc)
        })
        .collect()
}

/// Per dated fact of a case: the probability that its target has happened by each step, with
/// the observed window shaded and the observed date marked.
struct TimeToFacts<'a> {
    case: &'a CaseResult,
    c: &'a Ctx<'a>,
    /// The case as its titles name it (its timeline's label).
    name: &'a str,
}

impl Drawing for TimeToFacts<'_> {
    fn name(&self) -> &'static str {
        "time_to_fact"
    }

    fn size(&self) -> (u32, u32) {
        // Room for a two-line legend entry per fact.
        let n = dated(self.case).count() as u32;
        (WIDTH, (n * 36 + 230).clamp(HEIGHT, 1600))
    }

    fn title(&self) -> String {
        format!(
            "{}: when the dated facts happen, in the runs and in fact",
            self.name
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let (case, c) = (self.case, self.c);
        let header = [
            // Shaded in each fact's colour, as drawn (a grey swatch named windows drawn in
            // colour: a helper).
            (
                Mark::Fill(series_style(0).0, 0.15),
                "observed window (± tolerance), in its fact's colour".to_string(),
            ),
            (Mark::Diamond(INK), "observed date".to_string()),
        ];
        let body = frame(
            root,
            c,
            &self.title(),
            &format!(
                "Share of runs in which each fact's target has happened by each {}; the rest of the runs never see it within the horizon",
                c.unit()
            ),
            &header,
        )?;
        let facts: Vec<&FactResult> = dated(case).collect();
        let entries: Vec<(Mark, String)> = facts
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (col, dashed) = series_style(i);
                (
                    Mark::Line(col, dashed),
                    format!(
                        // The header's marks say the date is the observed one: the line
                        // keeps its room for the window.
                        "{}\n{} · never {}",
                        fact_words(f),
                        window_words(f),
                        percent(f.never.unwrap_or(0.0))
                    ),
                )
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let curves: Vec<Vec<f64>> = facts.iter().map(|f| by_step(f)).collect();
        let n = curves.iter().map(Vec::len).max().unwrap_or(0);
        let xmax = (n.saturating_sub(1) as f64).max(1.0);
        let top = curves
            .iter()
            .flatten()
            .copied()
            .filter(|p| p.is_finite())
            .fold(0.0, f64::max);
        let ymax = probability_top(top);
        let mut chart = plot(&plot_area, 0.0..xmax, 0.0..ymax, 56)?;
        // The observed windows, behind the curves.
        for (i, f) in facts.iter().enumerate() {
            if let Some((lo, hi)) = f.observed_categories {
                let (col, _) = series_style(i);
                let x0 = (lo as f64 - 0.5).max(0.0);
                let x1 = (hi as f64 + 0.5).min(xmax);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x1, ymax)],
                    col.mix(0.15).filled(),
                )))?;
            }
        }
        let (x_desc, x_fmt) = date_axis(case, c);
        mesh_with(
            &mut chart,
            &Axes {
                x_desc,
                y_desc: "happened by then (share of runs)".into(),
                x_fmt: &x_fmt,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
            DATE_TICKS,
            8,
        )?;
        for (i, (f, curve)) in facts.iter().zip(&curves).enumerate() {
            let (col, dashed) = series_style(i);
            let pts: Vec<(f64, f64)> = curve
                .iter()
                .enumerate()
                .map(|(t, &p)| (t as f64, p.clamp(0.0, ymax)))
                .collect();
            if dashed {
                chart.draw_series(DashedLineSeries::new(pts, 8, 5, col.stroke_width(2)))?;
            } else {
                chart.draw_series(LineSeries::new(pts, col.stroke_width(2)))?;
            }
            // The observed date: a dashed rule and a diamond on the curve.
            let at = fact_step(case, f)
                .map(|t| t as usize)
                .or(f.observed_categories.map(|(lo, hi)| (lo + hi) / 2));
            if let Some(t) = at.filter(|&t| t < curve.len()) {
                let x = t as f64;
                chart.draw_series(DashedLineSeries::new(
                    vec![(x, 0.0), (x, ymax)],
                    4,
                    4,
                    col.stroke_width(1),
                ))?;
                let y = curve[t].clamp(0.0, ymax);
                chart.draw_series(std::iter::once(
                    EmptyElement::at((x, y))
                        + Polygon::new(vec![(0, -8), (8, 0), (0, 8), (-8, 0)], WHITE.filled())
                        + Polygon::new(vec![(0, -6), (6, 0), (0, 6), (-6, 0)], col.filled()),
                ))?;
            }
        }
        legend(&side, "fact", &entries)
    }
}

/// The mood: the fan chart of the index H over time (as `brink run` draws it, over the
/// ladder's rungs), with each observed rung marked at its date in the middle of its band and
/// each dated fact's observed date drawn as a line, named above the plot.
struct Mood<'a> {
    case: &'a CaseResult,
    c: &'a Ctx<'a>,
    /// The case as its titles name it (its timeline's label).
    name: &'a str,
}

impl Drawing for Mood<'_> {
    fn name(&self) -> &'static str {
        "mood"
    }

    fn title(&self) -> String {
        format!(
            "{}: hostility (index H) over time, with what was observed",
            self.name
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let (case, c) = (self.case, self.c);
        let rungs = &case.summary.scenario.rungs;
        let nr = rungs.len().min(c.thresholds.len());
        let ticks = date_ticks(case);
        let (x_desc, x_fmt) = date_axis(case, c);
        let look = index_fan::Look {
            title: self.title(),
            subtitle: format!(
                "H is the pair's mean hostility, in points, over the ladder's rungs (bands){}",
                rung_marks_said(case)
            ),
            legend: legend_of(case, &ticks),
            x_desc,
            x_fmt: &x_fmt,
            x_labels: DATE_TICKS,
            strip: strip_height(&ticks),
            // Every observed rung's band in view: the middle of its part within the bounds.
            y_include: case
                .facts
                .iter()
                .filter(|f| f.kind == "rung")
                .filter_map(|f| f.observed_categories)
                .filter(|&(r, _)| r < nr)
                .map(|(r, _)| {
                    let (lo, hi) = super::rung_range(c.thresholds, c.bounds, r);
                    (lo.max(c.bounds.0) + hi.min(c.bounds.1)) / 2.0
                })
                .collect(),
        };
        index_fan::draw_fan(root, c, &look, |body, strip, chart| {
            let y = chart.y_range();
            let xmax = chart.x_range().end;
            // Dated facts: a line at the observed date, named in the strip above.
            name_ticks(body, strip, chart, &ticks)?;
            draw_ticks(chart, &ticks, true)?;
            // Observed rungs: a diamond in the middle of the observed rung's band (of the part
            // of it on the chart; at the chart's edge, all of it inside, for a band off the
            // chart) at its step.
            let py = |v: f64| chart.backend_coord(&(0.0, v)).1;
            let inset = 12.0 * (y.end - y.start) / (py(y.start) - py(y.end)).max(1) as f64;
            for f in case.facts.iter().filter(|f| f.kind == "rung") {
                let (Some(t), Some((r, _))) = (fact_step(case, f), f.observed_categories) else {
                    continue;
                };
                if r >= nr {
                    continue;
                }
                let (lo, hi) = super::rung_range(c.thresholds, c.bounds, r);
                let (vlo, vhi) = (lo.max(y.start), hi.min(y.end));
                let mid = if vhi > vlo { (vlo + vhi) / 2.0 } else { lo };
                let at = mid.clamp(y.start + inset, (y.end - inset).max(y.start + inset));
                let off = if lo >= y.end {
                    ", above the chart"
                } else if hi <= y.start {
                    ", below the chart"
                } else {
                    ""
                };
                let x = t as f64;
                let share = f.distribution.get(r).copied().unwrap_or(0.0);
                let label = fit(
                    &format!(
                        "{}: {}{off} ({} of runs)",
                        fact_words(f),
                        c.rung(r, &rungs[r]),
                        percent(share)
                    ),
                    12.0,
                    360,
                );
                observed_rung(chart, (x, at), label, x < xmax * 0.6)?;
            }
            Ok(())
        })
    }
}

/// The rung of the ladder over time (the run chart's stacked shares), with each observed rung
/// marked at its date and each dated fact's observed date ticked at the top.
struct RungShares<'a> {
    case: &'a CaseResult,
    c: &'a Ctx<'a>,
    /// The case as its titles name it (its timeline's label).
    name: &'a str,
}

impl Drawing for RungShares<'_> {
    fn name(&self) -> &'static str {
        "rungs"
    }

    fn title(&self) -> String {
        format!(
            "{}: share of runs on each rung, with what was observed",
            self.name
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let (case, c) = (self.case, self.c);
        let s = &case.summary;
        let rungs = &s.scenario.rungs;
        let nr = rungs.len();
        let header = legend_of(case, &date_ticks(case));
        let body = frame(
            root,
            c,
            &self.title(),
            &format!(
                "Share of runs on each rung in each {}, lowest rung at the bottom{}",
                c.unit(),
                rung_marks_said(case)
            ),
            &header,
        )?;
        let entries: Vec<(Mark, String)> = (0..nr)
            .rev()
            .map(|r| {
                (
                    Mark::Fill(rung_color(r, nr), 1.0),
                    self.c.rung(r, &rungs[r]),
                )
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        // The dated facts' names go in a strip above the plot, where they hide nothing.
        let ticks = date_ticks(case);
        let strip_h = strip_height(&ticks);
        let (strip, plot_area) = plot_area.split_vertically(strip_h);
        let cum = cumulative(s);
        let xmax = (cum.len().saturating_sub(1) as f64).max(1.0);
        let mut chart = plot(&plot_area, 0.0..xmax, 0.0..1.0, 56)?;
        draw_stack(&mut chart, &cum, nr)?;
        let (x_desc, x_fmt) = date_axis(case, c);
        mesh_with(
            &mut chart,
            &Axes {
                x_desc,
                y_desc: "share of runs".into(),
                x_fmt: &x_fmt,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: false,
                y_numbers: true,
            },
            DATE_TICKS,
            8,
        )?;
        // Dated facts: a tick from the top at the observed date, named in the strip above.
        name_ticks(&body, &strip, &chart, &ticks)?;
        draw_ticks(&mut chart, &ticks, false)?;
        // Observed rungs: a diamond in the middle of the observed rung's layer at its step.
        for f in case.facts.iter().filter(|f| f.kind == "rung") {
            let (Some(t), Some((r, _))) = (fact_step(case, f), f.observed_categories) else {
                continue;
            };
            let Some(col) = cum.get(t as usize) else {
                continue;
            };
            if r >= nr {
                continue;
            }
            let below = if r == 0 { 0.0 } else { col[r - 1] };
            let y = (below + col[r]) / 2.0;
            let x = t as f64;
            let share = col[r] - below;
            let label = fit(
                &format!(
                    "{}: {} ({} of runs)",
                    fact_words(f),
                    c.rung(r, &rungs[r]),
                    percent(share)
                ),
                12.0,
                320,
            );
            observed_rung(&mut chart, (x, y), label, x < xmax * 0.6)?;
        }
        legend(&side, "rung", &entries)
    }
}

/// A dated fact's observed window, short enough for a legend line: "2021-08-13 – 08-31",
/// "2021-09-03 ± 1 week", "2021-09-03" (its first day alone hid the rest of a window).
fn window_words(f: &FactResult) -> String {
    let Some(w) = f.observed.strip_prefix("first happened ") else {
        return f.date.clone();
    };
    let w = w.replace(" (± ", " ± ").replace(')', "");
    if let Some(on) = w.strip_prefix("on ") {
        return on.to_string();
    }
    let Some((from, rest)) = w
        .strip_prefix("between ")
        .and_then(|b| b.split_once(" and "))
    else {
        return f.date.clone();
    };
    // The second date without its year when both share it.
    let to = match (from.get(..5), rest.get(..5)) {
        (Some(a), Some(b)) if a == b => &rest[5..],
        _ => rest,
    };
    format!("{from} – {to}")
}

/// What a subtitle says of the observed rungs, when the case has one to mark.
fn rung_marks_said(case: &CaseResult) -> &'static str {
    if has_rung_facts(case) {
        "; each observed rung is marked with the share of runs on it"
    } else {
        ""
    }
}

/// Whether the case has an observed rung to mark.
fn has_rung_facts(case: &CaseResult) -> bool {
    case.facts.iter().any(|f| {
        f.kind == "rung" && f.observed_categories.is_some() && fact_step(case, f).is_some()
    })
}

/// What the mood and rung charts mark, each in the legend only when the chart draws it (a
/// reviewing helper: a timeline without a rung fact had "observed rung" in the legend).
fn legend_of(case: &CaseResult, ticks: &[(u32, String)]) -> Vec<(Mark, String)> {
    let mut legend = vec![];
    if has_rung_facts(case) {
        legend.push((Mark::Diamond(INK), "observed rung".to_string()));
    }
    if !ticks.is_empty() {
        legend.push((
            Mark::Line(INK, false),
            "observed date of a dated fact".to_string(),
        ));
    }
    legend
}

/// The dated facts' observed dates, as `(step, words)` (the facts whose date is on the chart).
fn date_ticks(case: &CaseResult) -> Vec<(u32, String)> {
    case.facts
        .iter()
        .filter(|f| f.kind == "dated")
        .filter_map(|f| Some((fact_step(case, f)?, fact_words(f))))
        .collect()
}

/// A fact as a chart names it: its label without a closing bracket, its name without a label.
fn fact_words(f: &FactResult) -> String {
    super::short_label(&f.label, &f.name)
}

/// The height of the strip of names above a chart with these ticks (none without ticks).
fn strip_height(ticks: &[(u32, String)]) -> u32 {
    if ticks.is_empty() {
        0
    } else {
        TICK_ROWS * TICK_ROW + 6
    }
}

/// Draws each tick's observed date: a short bar down from the plot's top (on a white halo),
/// over a thin line through the whole plot when `through`.
fn draw_ticks<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    ticks: &[(u32, String)],
    through: bool,
) -> Drawn<DB> {
    let y = chart.y_range();
    let bar = y.end - (y.end - y.start) * 0.1;
    for &(t, _) in ticks {
        let x = t as f64;
        if through {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, y.start), (x, y.end)],
                INK.mix(0.45).stroke_width(1),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, y.end), (x, bar)],
            WHITE.stroke_width(5),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, y.end), (x, bar)],
            INK.stroke_width(2),
        )))?;
    }
    Ok(())
}

/// Marks an observed rung at `at`: a diamond on a white halo, with its label on a pale box to
/// its right (`right`) or its left.
fn observed_rung<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    at: (f64, f64),
    label: String,
    right: bool,
) -> Drawn<DB> {
    chart.draw_series(std::iter::once(
        EmptyElement::at(at)
            + Polygon::new(vec![(0, -9), (9, 0), (0, 9), (-9, 0)], WHITE.filled())
            + Polygon::new(vec![(0, -7), (7, 0), (0, 7), (-7, 0)], INK.filled()),
    ))?;
    let (anchor, dx) = if right {
        (HPos::Left, 13)
    } else {
        (HPos::Right, -13)
    };
    boxed(chart, at, label, 12.0, (dx, -8), anchor)
}

/// Rows of names of dated facts above the mood chart.
const TICK_ROWS: u32 = 4;
/// Height of one row of names, in pixels.
const TICK_ROW: u32 = 16;

/// Names the ticks (`(step, name)`) of the mood chart in the strip above its plot: each name
/// on a boxed label in the lowest row where it overlaps no other, with a leader line down to
/// the plot's top at its step (a name that fits no row keeps only its line).
fn name_ticks<DB: DrawingBackend>(
    body: &Area<DB>,
    strip: &Area<DB>,
    chart: &Plot<DB>,
    ticks: &[(u32, String)],
) -> Drawn<DB> {
    if ticks.is_empty() {
        return Ok(());
    }
    let (sw, sh) = strip.dim_in_pixel();
    let (sw, sh) = (sw as i32, sh as i32);
    let sb = strip.get_base_pixel();
    let bb = body.get_base_pixel();
    let size = 11.0;
    let mut order: Vec<usize> = (0..ticks.len()).collect();
    order.sort_by_key(|&i| (ticks[i].0, i));
    let mut rows: Vec<Vec<(i32, i32)>> = vec![vec![]; TICK_ROWS as usize];
    let mut placed = vec![];
    for i in order {
        let (t, name) = (ticks[i].0, &ticks[i].1);
        let (ax, ay) = chart.backend_coord(&(t as f64, chart.y_range().end));
        let x = ax - sb.0;
        let label = fit(name.as_str(), size, 180);
        let w = text_width(&label, size) as i32 + 8;
        // Left edge at the tick, unless the label would leave the strip.
        let (l, r) = if x - 4 + w <= sw {
            (x - 4, x - 4 + w)
        } else {
            (x + 4 - w, x + 4)
        };
        let row = rows
            .iter()
            .position(|row| row.iter().all(|&(a, b)| r + 4 < a || b + 4 < l));
        // The leader line, from the label's row (or the strip's top) to the plot's top.
        let top = row.map_or(0, |k| sh - (k as i32 + 1) * TICK_ROW as i32);
        body.draw(&PathElement::new(
            vec![(ax - bb.0, top + sb.1 - bb.1), (ax - bb.0, ay - bb.1)],
            MUTED.stroke_width(1),
        ))?;
        if let Some(k) = row {
            rows[k].push((l, r));
            placed.push((label, l, r, top));
        }
    }
    for (label, l, r, top) in placed {
        strip.draw(&Rectangle::new(
            [(l, top), (r, top + TICK_ROW as i32 - 2)],
            WHITE.filled(),
        ))?;
        strip.draw(&Rectangle::new(
            [(l, top), (r, top + TICK_ROW as i32 - 2)],
            GRID.stroke_width(1),
        ))?;
        strip.draw(&Text::new(
            label,
            (l + 4, top + (TICK_ROW as i32 - 2) / 2),
            text(size, INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Draws a label on a pale box (readable over any rung's colour) at `offset` pixels from the
/// point `at` of the chart: its top-left corner there, or its top-right for `HPos::Right`.
fn boxed<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    at: (f64, f64),
    label: String,
    size: f64,
    offset: (i32, i32),
    anchor: HPos,
) -> Drawn<DB> {
    let w = text_width(&label, size) as i32 + 8;
    let h = (size * 1.35).round() as i32;
    let (x0, x1, tx) = match anchor {
        HPos::Right => (offset.0 - w, offset.0, offset.0 - 4),
        _ => (offset.0, offset.0 + w, offset.0 + 4),
    };
    chart.draw_series(std::iter::once(
        EmptyElement::at(at)
            + Rectangle::new(
                [(x0, offset.1), (x1, offset.1 + h)],
                WHITE.mix(0.85).filled(),
            )
            + Text::new(
                label,
                (tx, offset.1 + h / 2),
                text(size, INK).pos(Pos::new(anchor, VPos::Center)),
            ),
    ))?;
    Ok(())
}

/// A case's charts, each with its own file stem (`time_to_fact`, `mood`, `rungs`): the
/// time-to-fact curves when the case has dated facts, the fan chart of H when the runs kept it,
/// the shares of runs on each rung when the scenario has rungs.
///
/// `sc` is the case's scenario (labels of actors and rungs; ids without it) and `name` the
/// case as titles name it.
pub fn render_case(
    case: &CaseResult,
    sc: Option<&crate::scenario::Scenario>,
    name: &str,
) -> Result<Vec<Chart>> {
    let c = &Ctx { sc, ..ctx(case) };
    let mut out = vec![];
    if dated(case).next().is_some() {
        out.push(super::render(&TimeToFacts { case, c, name })?);
    }
    if !case.summary.index_by_step.is_empty() {
        out.push(super::render(&Mood { case, c, name })?);
    }
    if !case.summary.rung_by_step.is_empty() && !case.summary.scenario.rungs.is_empty() {
        out.push(super::render(&RungShares { case, c, name })?);
    }
    Ok(out)
}

/// The PIT histogram over every fact with a distribution of every case.
struct Pit<'a>(&'a Backtest);

impl Drawing for Pit<'_> {
    fn name(&self) -> &'static str {
        "pit_histogram"
    }

    fn title(&self) -> String {
        let b = self.0;
        format!(
            "PIT histogram over {} fact{} of {} case{}",
            b.pit_facts,
            if b.pit_facts == 1 { "" } else { "s" },
            b.cases.len(),
            if b.cases.len() == 1 { "" } else { "s" }
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let b = self.0;
        let bins = b.pit_histogram.len().max(1);
        let even = 1.0 / bins as f64;
        let header = [
            (Mark::Fill(MAIN, 0.75), "share of facts".to_string()),
            (
                Mark::Line(MUTED, true),
                format!("a calibrated model ({})", percent(even)),
            ),
        ];
        let mut footer = b
            .cases
            .iter()
            .map(|c| format!("{} ({}, seed {})", c.case, super::n_runs(c.runs), c.seed))
            .collect::<Vec<_>>()
            .join(" · ");
        if let Some(p) = &b.posterior {
            footer += &format!(" · calibrated numbers from {p}");
        }
        let body = frame_with_footer(
            root,
            &footer,
            &self.title(),
            "Where each observation fell in the model's distribution; a discrete fact's PIT interval is spread evenly over the bins it covers; the whiskers are each share's 95% interval (facts taken as independent)",
            &header,
        )?;
        // The scale holds the whiskers too.
        let top = (0..b.pit_histogram.len())
            .map(|i| b.pit_interval(i).high.max(b.pit_histogram[i]))
            .filter(|x| x.is_finite())
            .fold(even, f64::max);
        let ymax = (top * 1.15).min(1.0);
        let mut chart = plot(&body, 0.0..1.0, 0.0..ymax, 56)?;
        mesh_with(
            &mut chart,
            &Axes {
                x_desc: "PIT (where the observation falls in the model's distribution)".into(),
                y_desc: "share of facts".into(),
                x_fmt: &tick_label,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
            bins.min(12),
            8,
        )?;
        for (i, &h) in b.pit_histogram.iter().enumerate() {
            let (x0, x1) = (i as f64 / bins as f64, (i + 1) as f64 / bins as f64);
            let h = h.clamp(0.0, ymax);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, h)],
                MAIN.mix(0.75).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, h)],
                WHITE.stroke_width(1),
            )))?;
            // The share's 95% interval as a whisker, its label above the whisker's top.
            let whisker = b.pit_interval(i);
            let mid = (x0 + x1) / 2.0;
            let (low, high) = (whisker.low.clamp(0.0, ymax), whisker.high.clamp(0.0, ymax));
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(mid, low), (mid, high)],
                INK.stroke_width(1),
            )))?;
            for y in [low, high] {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((mid, y))
                        + PathElement::new(vec![(-5, 0), (5, 0)], INK.stroke_width(1)),
                ))?;
            }
            chart.draw_series(std::iter::once(
                EmptyElement::at((mid, high.max(h)))
                    + Text::new(
                        percent(h),
                        (0, -4),
                        text(12.0, INK).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    ),
            ))?;
        }
        chart.draw_series(DashedLineSeries::new(
            vec![(0.0, even), (1.0, even)],
            8,
            5,
            MUTED.stroke_width(2),
        ))?;
        Ok(())
    }
}

/// The PIT histogram of a back-test (`pit_histogram`).
pub fn render_pit(b: &Backtest) -> Result<Chart> {
    super::render(&Pit(b))
}
