//! Charts of `brink compare`: the outcome probabilities of the base and every variant, the
//! median index H of each over time, when the focus outcome happens under each, and the tornado
//! of lever effects. Same frame, font and palette as the charts of a run; the footer says the
//! runs are per arm (every arm plays the same run indices).

mod effects;
mod fans;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Chart, Ctx, Drawing, Drawn, GRID, INK, MUTED, Mark, fit, fit_apart,
    frame_with_footer, legend, mesh, pct_label, percent, plot, render, rung_color, series_style,
    step_label, text, text_width, tick_label, widest,
};
use crate::analysis::Summary;
use crate::analysis::compare::{ArmResult, CompareResult, Tornado};
use crate::error::Result;
use crate::model::Model;
use crate::scenario::param::fmt_num;
use crate::stats::{Interval, Tally};

/// "scenario · seed S · N runs per arm".
fn footer(r: &CompareResult) -> String {
    let m = &r.manifest;
    let mut f = format!(
        "{} · seed {} · {} per arm",
        m.scenario,
        m.seed,
        super::n_runs(m.runs)
    );
    if !m.complete {
        f += " · incomplete";
    }
    f
}

/// The base scenario's colour: ink, drawn thicker than the variants.
const BASE: RGBColor = INK;
/// Tornado: a lever forced to its top level.
const FORCED: RGBColor = RGBColor(0xd5, 0x5e, 0x00);
/// Tornado: a lever frozen at its initial level.
const FROZEN: RGBColor = RGBColor(0x00, 0x72, 0xb2);

/// The variants a line chart draws at most beside the base: as many as have a style of their
/// own (nine colours, solid then dashed).
const MAX_LINES: usize = 18;

/// The arms both line charts draw, as indices of `arms`: every one, or past [`MAX_LINES`]
/// variants the base and the variants whose lines move furthest from the base's (the median
/// index and the focus outcome's curve, each as a share of its widest move), in file order.
/// 256 variants drew 257 lines whose legend named 88, in colours that repeated, so that the
/// lines that stood out read as other variants' (an attacking helper); one set for both charts
/// keeps a variant's style the same in each (a reviewing helper).
fn lines_drawn(arms: &[&ArmResult], focus: usize) -> Vec<usize> {
    let n = arms.len();
    if n <= MAX_LINES + 1 {
        return (0..n).collect();
    }
    let moved = |series: &dyn Fn(&ArmResult) -> &[f64]| -> Vec<f64> {
        let base = series(arms[0]);
        (0..n)
            .map(|i| {
                (series(arms[i]).iter().zip(base))
                    .map(|(a, b)| (a - b).abs())
                    .filter(|d| d.is_finite())
                    .fold(0.0, f64::max)
            })
            .collect()
    };
    let index = moved(&|a: &ArmResult| &a.index_median);
    let when = moved(&|a: &ArmResult| a.by_step.get(focus).map_or(&[][..], Vec::as_slice));
    let share = |v: &[f64], i: usize| {
        let top = v.iter().copied().fold(0.0, f64::max);
        if top > 0.0 { v[i] / top } else { 0.0 }
    };
    let mut by: Vec<(f64, usize)> = (1..n)
        .map(|i| (share(&index, i).max(share(&when, i)), i))
        .collect();
    by.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut keep: Vec<usize> = by[..MAX_LINES].iter().map(|x| x.1).collect();
    keep.sort_unstable();
    std::iter::once(0).chain(keep).collect()
}

/// What every compare chart reads.
struct Cx<'a> {
    r: &'a CompareResult,
    base: &'a Model,
    /// The scenario's vocabulary (step unit, start date), through the run charts' context.
    ctx: Ctx<'a>,
    footer: String,
    /// The outcome the charts focus on: the tornado's, else `--outcome`'s, else the first.
    focus: usize,
    /// The base and the file's variants, in order.
    arms: Vec<&'a ArmResult>,
    /// The arms the line charts draw ([`lines_drawn`]).
    lines: Vec<usize>,
}

impl Cx<'_> {
    /// The colour and dash of the i-th arm of `arms` (the base first).
    fn style(&self, i: usize) -> (RGBColor, bool) {
        // The palette without its grey, which would read as the base.
        const GREY: usize = 6;
        if i == 0 {
            (BASE, false)
        } else {
            let k = i - 1;
            let n = super::PALETTE.len() - 1;
            let j = k % n;
            let (c, _) = series_style(if j >= GREY { j + 1 } else { j });
            (c, k >= n)
        }
    }

    fn focus_name(&self) -> &str {
        &self.r.outcomes[self.focus]
    }

    /// The focus outcome's display name (its label without a closing bracket, else its name).
    fn focus_label(&self) -> String {
        let name = self.focus_name();
        self.base
            .scenario
            .outcomes
            .iter()
            .find(|o| o.name == name)
            .map_or(name.to_string(), |o| super::short_label(&o.label, &o.name))
    }

    /// An arm as a reader names it: "Base scenario", a variant's short label, "Visa regime:
    /// forced to the top" or "…: frozen".
    pub(crate) fn arm_label(&self, a: &ArmResult) -> String {
        let sc = &self.base.scenario;
        match (a.kind.as_str(), &a.lever) {
            ("base", _) => "Base scenario".into(),
            ("variant", _) => crate::report::html::Labels { sc }
                .short_variant(&a.name)
                .into_owned(),
            ("forced", Some(l)) => format!("{}: forced to the top", self.ctx.lever(l)),
            ("frozen", Some(l)) => format!("{}: frozen", self.ctx.lever(l)),
            _ => a.name.clone(),
        }
    }

    /// The arms the line charts draw, as indices of `arms` ([`lines_drawn`]).
    fn shown(&self) -> &[usize] {
        &self.lines
    }

    /// What a line chart's subtitle adds when it draws only some of the variants.
    fn shown_words(&self, shown: &[usize]) -> String {
        let variants = self.arms.len() - 1;
        if shown.len() == self.arms.len() {
            String::new()
        } else {
            format!(
                "; drawn: the base and the {} of {variants} variants whose lines move furthest \
                 from the base's (every arm in compare.csv)",
                shown.len() - 1
            )
        }
    }

    /// The legend of a line chart of the arms `shown` ([`Cx::shown`]), each styled by its
    /// place among them; an arm whose line is exactly an earlier arm's (hidden under it) says
    /// so: "punishment_package (= visa_regime)".
    fn line_entries(
        &self,
        shown: &[usize],
        series: impl Fn(&ArmResult) -> &[f64],
    ) -> Vec<(Mark, String)> {
        shown
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let (c, dashed) = self.style(k);
                let a = self.arms[i];
                let earlier = shown[..k].iter().map(|&j| self.arms[j]);
                let label = match earlier.clone().find(|b| series(b) == series(a)) {
                    Some(b) => format!("{} (= {})", self.arm_label(a), self.arm_label(b)),
                    None => self.arm_label(a),
                };
                (Mark::Line(c, dashed), label)
            })
            .collect()
    }

    /// Draws the line of the arm at place `k` among those shown (its style is that place's).
    fn draw_line<DB: DrawingBackend>(
        &self,
        chart: &mut super::Plot<DB>,
        k: usize,
        pts: Vec<(f64, f64)>,
    ) -> Drawn<DB> {
        let (col, dashed) = self.style(k);
        let width = if k == 0 { 3 } else { 2 };
        super::dot_if_alone(chart, &pts, col.into())?;
        if dashed {
            chart.draw_series(DashedLineSeries::new(pts, 8, 5, col.stroke_width(width)))?;
        } else {
            chart.draw_series(LineSeries::new(pts, col.stroke_width(width)))?;
        }
        Ok(())
    }
}

/// Draws every compare chart that has something to show, in both formats: with variants, the
/// grouped outcome probabilities, the median index over time, the base and the variant that
/// moves the focus outcome most side by side, and the time to the focus outcome; with a
/// tornado, the tornado; with variants or a tornado, the forest plot of every arm's effect.
pub fn render_all(base: &Model, r: &CompareResult) -> Result<Vec<Chart>> {
    // A summary with no runs: only its scenario vocabulary is read (units, dates).
    let info = Summary::new(base, &Tally::new(base), r.manifest.clone());
    let focus = r.focus_index();
    let arms: Vec<&ArmResult> = r
        .arms
        .iter()
        .filter(|a| a.kind == "base" || a.kind == "variant")
        .collect();
    let lines = lines_drawn(&arms, focus);
    let cx = Cx {
        r,
        base,
        ctx: Ctx {
            s: &info,
            thresholds: &base.rung_thresholds,
            bounds: base.bounds,
            sc: Some(&base.scenario),
        },
        footer: footer(r),
        focus,
        arms,
        lines,
    };
    let mut out = vec![];
    let has_variants = cx.arms.len() > 1;
    if has_variants && !r.outcomes.is_empty() {
        out.push(render(&Grouped::new(&cx))?);
    }
    if has_variants && cx.arms.iter().any(|a| !a.index_median.is_empty()) {
        out.push(render(&Medians { cx: &cx })?);
    }
    if has_variants
        && let Some(variant) = fans::pick(&cx)
        && !variant.index_median.is_empty()
    {
        out.push(render(&fans::Fans { cx: &cx, variant })?);
    }
    if has_variants && !r.outcomes.is_empty() {
        out.push(render(&TimeTo { cx: &cx })?);
    }
    if let Some(t) = &r.tornado
        && !t.bars.is_empty()
    {
        out.push(render(&TornadoChart { cx: &cx, t })?);
    }
    if !r.outcomes.is_empty() {
        let rows = effects::rows(&cx);
        if !rows.is_empty() {
            out.push(render(&effects::Effects { cx: &cx, rows })?);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// (a) Outcome probabilities, grouped by outcome, one bar per arm.

/// Most bars the grouped chart draws: with many arms, it shows the focus outcome and the
/// outcomes that differ most between arms (every outcome is in compare.csv).
const MAX_BARS: usize = 64;
/// Pixels per bar row, per group heading, and between groups.
const BAR_ROW: u32 = 15;
const HEAD_ROW: u32 = 26;
const GROUP_GAP: u32 = 10;

struct Grouped<'a> {
    cx: &'a Cx<'a>,
    /// Outcomes shown, in order (the focus first).
    outcomes: Vec<usize>,
    /// Whether some outcomes were left out.
    trimmed: bool,
}

impl<'a> Grouped<'a> {
    fn new(cx: &'a Cx<'a>) -> Self {
        let n_arms = cx.arms.len();
        let per = (MAX_BARS / n_arms.max(1)).max(1);
        let spread = |o: usize| {
            let ps = cx.arms.iter().map(|a| a.outcomes[o].probability.estimate);
            let hi = ps.clone().fold(f64::NEG_INFINITY, f64::max);
            let lo = ps.fold(f64::INFINITY, f64::min);
            hi - lo
        };
        let mut others: Vec<usize> = (0..cx.r.outcomes.len())
            .filter(|&o| o != cx.focus)
            .collect();
        // Largest spread first; ties in the scenario's order.
        others.sort_by(|&a, &b| spread(b).total_cmp(&spread(a)).then(a.cmp(&b)));
        let keep = per.saturating_sub(1).min(others.len());
        let trimmed = keep < others.len();
        let mut kept: Vec<usize> = others[..keep].to_vec();
        kept.sort();
        let mut outcomes = vec![cx.focus];
        outcomes.extend(kept);
        Grouped {
            cx,
            outcomes,
            trimmed,
        }
    }

    fn plot_height(&self) -> u32 {
        let g = self.outcomes.len() as u32;
        g * (HEAD_ROW + GROUP_GAP) + g * self.cx.arms.len() as u32 * BAR_ROW
    }
}

impl Drawing for Grouped<'_> {
    fn name(&self) -> &'static str {
        "compare_outcomes"
    }

    fn title(&self) -> String {
        format!(
            "Outcomes by variant: probability within {}",
            crate::scenario::n_steps(self.cx.base.horizon, &self.cx.ctx.s.scenario.step_unit)
        )
    }

    fn size(&self) -> (u32, u32) {
        // Frame (title, subtitle, legend, footer) and the x axis take about 200 pixels.
        (super::WIDTH, (self.plot_height() + 200).max(super::HEIGHT))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let cx = self.cx;
        let runs = super::n_runs(cx.r.manifest.runs);
        let subtitle = if self.trimmed {
            // "o000 and the 0 outcomes that differ most" it read with 257 arms: the focus
            // alone fills the bars.
            let others = self.outcomes.len() - 1;
            let total = cx.r.outcomes.len();
            match others {
                0 => format!(
                    "Share of the {runs} (the same for every arm); “{}” only, 1 of {total} outcomes (every one in compare.csv)",
                    cx.focus_label()
                ),
                k => format!(
                    "Share of the {runs} (the same for every arm); “{}” and the {k} outcome{} that differ most between arms, {} of {total} (every one in compare.csv)",
                    cx.focus_label(),
                    if k == 1 { "" } else { "s" },
                    k + 1
                ),
            }
        } else {
            format!("Share of the {runs} in which each outcome happened (the same for every arm)")
        };
        let header = [
            // Each bar is in its arm's colour (a grey swatch named coloured bars: a helper).
            (
                Mark::Fill(super::PALETTE[0], 0.7),
                "share of runs (bar, in its arm's colour)".to_string(),
            ),
            (Mark::Line(INK, false), "95% interval (Wilson)".to_string()),
            (Mark::Line(MUTED, true), "base scenario".to_string()),
        ];
        let body = frame_with_footer(root, &cx.footer, &self.title(), &subtitle, &header)?;
        let (bw, bh) = body.dim_in_pixel();
        let arm_size = 12.0;
        let label_w =
            widest(cx.arms.iter().map(|a| cx.arm_label(a)), arm_size).clamp(60, bw / 3) + 24;
        let value = |a: &ArmResult, o: usize| {
            let p = a.outcomes[o].probability;
            format!(
                "{} ({}–{})",
                percent(p.estimate),
                percent(p.low),
                percent(p.high)
            )
        };
        let value_w = self
            .outcomes
            .iter()
            .flat_map(|&o| cx.arms.iter().map(move |a| text_width(&value(a, o), 11.0)))
            .max()
            .unwrap_or(0)
            .max(text_width("estimate (95% interval)", 12.0))
            + 20;
        let (plot_area, side) = body.split_horizontally(bw.saturating_sub(value_w));

        // y in pixels from the top of the rows, as a y axis that runs downward.
        let rows_h = self.plot_height() as f64;
        let top_hi = self
            .outcomes
            .iter()
            .flat_map(|&o| cx.arms.iter().map(move |a| a.outcomes[o].probability.high))
            .fold(0.0, f64::max);
        let xmax = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8]
            .into_iter()
            .find(|&m| top_hi <= m)
            .unwrap_or(1.0);
        // The plot's own margins (8 on top, 50 for the x axis) are outside the rows.
        let extra = (bh as f64 - 58.0 - rows_h).max(0.0);
        let mut chart = plot(&plot_area, 0.0..xmax, -(rows_h + extra)..0.0, label_w)?;
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
        let base_px = side.get_base_pixel();
        let mut y = 0.0;
        let row = BAR_ROW as f64;
        let half = row * 0.36;
        // The arms' labels, fitted so that no two read alike.
        let arm_labels: Vec<String> = cx.arms.iter().map(|a| cx.arm_label(a)).collect();
        let arm_labels = fit_apart(
            &arm_labels.iter().map(String::as_str).collect::<Vec<_>>(),
            arm_size,
            label_w - 20,
        );
        for (gi, &o) in self.outcomes.iter().enumerate() {
            // The group heading: the outcome's name and label, across the whole width.
            let spec = &cx.base.outcomes[o];
            let head = super::shown_label(&spec.label, &spec.name);
            let (hx, hy) = chart.backend_coord(&(0.0, -(y + HEAD_ROW as f64 * 0.55)));
            root.draw(&Text::new(
                fit(&head, 14.0, bw.saturating_sub(value_w + label_w + 30)),
                (hx + 6, hy),
                text(14.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            if gi == 0 {
                side.draw(&Text::new(
                    "estimate (95% interval)",
                    (10, hy - base_px.1),
                    text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            y += HEAD_ROW as f64;
            let group_top = y;
            for (i, a) in cx.arms.iter().enumerate() {
                let yc = -(y + row / 2.0);
                let p = a.outcomes[o].probability;
                let (col, _) = cx.style(i);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, yc - half), (p.estimate.clamp(0.0, xmax), yc + half)],
                    col.mix(if i == 0 { 0.85 } else { 0.7 }).filled(),
                )))?;
                let (lo, hi) = (p.low.clamp(0.0, xmax), p.high.clamp(0.0, xmax));
                let cap = half * 0.8;
                chart.draw_series(
                    [
                        vec![(lo, yc), (hi, yc)],
                        vec![(lo, yc - cap), (lo, yc + cap)],
                        vec![(hi, yc - cap), (hi, yc + cap)],
                    ]
                    .into_iter()
                    .map(|p| PathElement::new(p, INK.stroke_width(1))),
                )?;
                let (px, py) = chart.backend_coord(&(0.0, yc));
                root.draw(&Text::new(
                    arm_labels[i].clone(),
                    (px - 8, py),
                    text(arm_size, if i == 0 { INK } else { MUTED })
                        .pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
                side.draw(&Text::new(
                    value(a, o),
                    (10, py - base_px.1),
                    text(11.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                y += row;
            }
            // The base's estimate as a reference line through the group.
            let b = cx.arms[0].outcomes[o].probability.estimate.clamp(0.0, xmax);
            chart.draw_series(DashedLineSeries::new(
                vec![(b, -group_top), (b, -y)],
                4,
                3,
                MUTED.stroke_width(1),
            ))?;
            y += GROUP_GAP as f64;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// (b) Median H over time, one line per arm, over the ladder's rungs.

struct Medians<'a> {
    cx: &'a Cx<'a>,
}

impl Medians<'_> {
    /// The y range: every arm's median (see [`super::index_range`]).
    fn y_range(&self) -> (f64, f64) {
        let cx = self.cx;
        let vals = cx
            .arms
            .iter()
            .flat_map(|a| a.index_median.iter().copied())
            .filter(|v| v.is_finite());
        let lo = vals.clone().fold(f64::INFINITY, f64::min);
        let hi = vals.fold(f64::NEG_INFINITY, f64::max);
        super::index_range(lo, hi, &cx.base.rung_thresholds, cx.base.bounds)
    }
}

impl Drawing for Medians<'_> {
    fn name(&self) -> &'static str {
        "compare_index"
    }

    fn title(&self) -> String {
        let (a, b) = super::focal_labels(&self.cx.base.scenario);
        format!(
            "Hostility between {a} and {b}: median by {}, by variant",
            self.cx.ctx.unit()
        )
    }

    fn size(&self) -> (u32, u32) {
        let shown = self.cx.shown().len() as u32;
        let rows = shown + self.cx.base.rung_names.len() as u32;
        (
            super::WIDTH,
            (rows * 24 + 260).clamp(super::HEIGHT, super::HEIGHT * 2),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let cx = self.cx;
        let shown = cx.shown();
        let body = frame_with_footer(
            root,
            &cx.footer,
            &self.title(),
            &format!(
                "Median over runs of H, the pair's mean hostility toward each other, in points; shaded bands are the escalation ladder's rungs{}",
                cx.shown_words(shown)
            ),
            &[],
        )?;
        let entries = cx.line_entries(shown, |a| &a.index_median);
        let th = &cx.base.rung_thresholds;
        let nr = cx.base.rung_names.len().min(th.len());
        let (y0, y1) = self.y_range();
        let rung_of = |r: usize| super::rung_range(th, cx.base.bounds, r);
        let visible: Vec<usize> = (0..nr)
            .filter(|&r| {
                let (lo, hi) = rung_of(r);
                hi.min(y1) > lo.max(y0)
            })
            .collect();
        let rung_entries: Vec<(Mark, String)> = visible
            .iter()
            .rev()
            .map(|&r| {
                let words = super::rung_words(th, cx.base.bounds, r);
                (
                    Mark::Fill(rung_color(r, nr), 0.5),
                    format!("{} ({words})", cx.ctx.rung(r, &cx.base.rung_names[r])),
                )
            })
            .collect();
        let (plot_area, side) = super::with_legend(
            &body,
            entries.iter().chain(&rung_entries).map(|e| e.1.clone()),
        );
        let (_, sh) = side.dim_in_pixel();
        // Arms above, rungs below, each with room for its rows.
        let n_a = entries.len() as u32;
        let n_r = rung_entries.len() as u32;
        let split = (sh * (n_a + 2) / (n_a + n_r + 4)).clamp(sh / 3, sh.saturating_sub(60));
        let (arm_side, rung_side) = side.split_vertically(split);
        let xmax = cx
            .arms
            .iter()
            .map(|a| a.index_median.len())
            .max()
            .unwrap_or(0)
            .saturating_sub(1)
            .max(1) as f64;
        let mut chart = plot(&plot_area, 0.0..xmax, y0..y1, 56)?;
        for &r in &visible {
            let (lo, hi) = rung_of(r);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, lo.max(y0)), (xmax, hi.min(y1))],
                rung_color(r, nr).mix(0.14).filled(),
            )))?;
        }
        mesh(
            &mut chart,
            &Axes {
                x_desc: cx.ctx.time_axis(),
                y_desc: "median H (points)".into(),
                x_fmt: &step_label,
                y_fmt: &|v| fmt_num((v * 100.0).round() / 100.0),
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
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
        // Variants first, the base last (on top).
        for (k, &i) in shown.iter().enumerate().rev() {
            let pts: Vec<(f64, f64)> = cx.arms[i]
                .index_median
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(t, &v)| (t as f64, v.clamp(y0, y1)))
                .collect();
            cx.draw_line(&mut chart, k, pts)?;
        }
        legend(&arm_side, "arm", &entries)?;
        legend(&rung_side, "rung (shaded band)", &rung_entries)
    }
}

// ---------------------------------------------------------------------------------------------
// (c) When the focus outcome happens, one curve per arm.

struct TimeTo<'a> {
    cx: &'a Cx<'a>,
}

impl Drawing for TimeTo<'_> {
    fn name(&self) -> &'static str {
        "compare_time_to_outcome"
    }

    fn title(&self) -> String {
        format!(
            "When “{}” happens, by variant: probability by each {}",
            self.cx.focus_label(),
            self.cx.ctx.unit()
        )
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.cx.shown().len() as u32;
        (
            super::WIDTH,
            (rows * 24 + 220).clamp(super::HEIGHT, super::HEIGHT * 2),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let cx = self.cx;
        let o = cx.focus;
        let shown = cx.shown();
        let body = frame_with_footer(
            root,
            &cx.footer,
            &self.title(),
            &format!(
                "Share of runs in which “{}” has happened by {} t, for the base and each variant on the same runs; the shaded band about each line is its 95% interval{}",
                cx.focus_label(),
                cx.ctx.unit(),
                cx.shown_words(shown)
            ),
            &[],
        )?;
        // Each arm's Wilson 95% interval at each step, over its runs (every arm runs the
        // job's runs); an outcome judged at the end alone is 0 before the last step by
        // construction, as in the run's chart.
        let runs = cx.r.manifest.runs;
        let at_end = cx.base.outcomes.get(o).is_some_and(|x| x.at_end);
        let bands: Vec<Vec<Interval>> = (shown.iter().map(|&i| cx.arms[i]))
            .map(|a| {
                let steps = a.by_step.get(o).map_or(&[][..], Vec::as_slice);
                (0..steps.len())
                    .map(|t| crate::analysis::summary::so_far_interval(steps, t, runs, at_end))
                    .collect()
            })
            .collect();
        let entries = cx.line_entries(shown, |a| &a.by_step[o]);
        let (plot_area, side) = super::with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let n = cx
            .arms
            .iter()
            .map(|a| a.by_step.get(o).map_or(0, Vec::len))
            .max()
            .unwrap_or(0);
        let xmax = (n.saturating_sub(1) as f64).max(1.0);
        // The scale holds the bands too.
        let top = (cx.arms.iter())
            .flat_map(|a| a.by_step[o].iter().copied())
            .chain(bands.iter().flatten().map(|i| i.high))
            .filter(|p| p.is_finite())
            .fold(0.0, f64::max);
        let ymax = super::probability_top(top);
        let mut chart = plot(&plot_area, 0.0..xmax, 0.0..ymax, 56)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: cx.ctx.time_axis(),
                y_desc: format!("P({} by then)", cx.focus_label()),
                x_fmt: &step_label,
                y_fmt: &pct_label,
                x_grid: false,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        for (k, band) in bands.iter().enumerate().rev() {
            let (col, _) = cx.style(k);
            let edge = super::band_outline(band, ymax);
            chart.draw_series(std::iter::once(Polygon::new(edge, col.mix(0.12).filled())))?;
        }
        for (k, &i) in shown.iter().enumerate().rev() {
            let pts: Vec<(f64, f64)> = cx.arms[i].by_step[o]
                .iter()
                .enumerate()
                .map(|(t, &p)| (t as f64, p.clamp(0.0, ymax)))
                .collect();
            cx.draw_line(&mut chart, k, pts)?;
        }
        legend(&side, "arm", &entries)
    }
}

// ---------------------------------------------------------------------------------------------
// (d) The tornado: each lever's effect on the focus outcome, forced and frozen.

/// Pixels per lever row.
const LEVER_ROW: u32 = 40;

struct TornadoChart<'a> {
    cx: &'a Cx<'a>,
    t: &'a Tornado,
}

impl TornadoChart<'_> {
    /// The lever's kind, owner and target in words: "measure · russia → azerbaijan".
    fn about(&self, lever: &str) -> String {
        let m = self.cx.base;
        let actor = |i: usize| {
            m.actors
                .get(i)
                .map_or("?".to_string(), |a| self.cx.ctx.actor(&a.name))
        };
        let by_definition = self
            .t
            .bars
            .iter()
            .any(|b| b.lever == lever && b.by_definition);
        if by_definition {
            format!(
                "BY DEFINITION: “{}” reads this lever",
                super::outcome_label(&m.scenario, &self.t.outcome)
            )
        } else if let Some(x) = m.measures.iter().find(|x| x.name == lever) {
            // Forced to the top and frozen at the start are then one arm: say so, or the two
            // equal bars read as a bug.
            let same = if usize::from(x.initial) == x.levels.len() {
                " · starts at its top: forced = frozen"
            } else {
                ""
            };
            format!("measure · {} → {}{same}", actor(x.owner), actor(x.target))
        } else if let Some(x) = m.acts.iter().find(|x| x.name == lever) {
            format!(
                "act · {} → {} · no forced bar",
                actor(x.owner),
                actor(x.target)
            )
        } else {
            String::new()
        }
    }
}

/// A difference of probabilities in percentage points with a sign and one decimal: "+7.7",
/// "−1.0", "0.0" for none, and the sign of one that rounds to nothing ("−0.0", "+0.0").
fn pp(d: f64) -> String {
    // Rounded as the tables round it (`report::signed_points`, the fraction's own decimals):
    // −31.25 read −31.3 here and −31.2 in the table beside it (a reviewing helper).
    let s = crate::report::signed_points(d);
    if d == 0.0 {
        "0.0".into()
    } else if let Some(r) = s.strip_prefix('-') {
        format!("−{r}")
    } else {
        s
    }
}

/// A tick on a percentage-point axis: "+10", "−2.5", "0".
fn pp_tick(x: &f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    let body = tick_label(&r.abs());
    if r > 0.0 {
        format!("+{body}")
    } else if r < 0.0 {
        format!("−{body}")
    } else {
        "0".into()
    }
}

impl Drawing for TornadoChart<'_> {
    fn name(&self) -> &'static str {
        "tornado"
    }

    fn title(&self) -> String {
        format!(
            "Which levers move “{}” most",
            super::outcome_label(&self.cx.base.scenario, &self.t.outcome)
        )
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.t.bars.len() as u32;
        (super::WIDTH, (rows * LEVER_ROW + 200).max(super::HEIGHT))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let cx = self.cx;
        let t = self.t;
        let header = [
            (Mark::Fill(FORCED, 0.8), "forced to top level".to_string()),
            (Mark::Fill(FROZEN, 0.8), "frozen".to_string()),
            (Mark::Line(INK, false), "paired 95% interval".to_string()),
        ];
        let body = frame_with_footer(
            root,
            &cx.footer,
            &self.title(),
            &format!(
                "Change in P({}) from the base ({}) with each lever forced from {} 0 or frozen at its initial level, on the same runs",
                super::outcome_label(&cx.base.scenario, &t.outcome),
                percent(t.base_probability.estimate),
                cx.ctx.unit()
            ),
            &header,
        )?;
        let (bw, _) = body.dim_in_pixel();
        let labels: Vec<(String, String)> = t
            .bars
            .iter()
            .map(|b| (self.cx.ctx.lever(&b.lever), self.about(&b.lever)))
            .collect();
        let label_w = labels
            .iter()
            .map(|(a, b)| text_width(a, 14.0).max(text_width(b, 11.0)))
            .max()
            .unwrap_or(0)
            .clamp(60, bw / 3)
            + 24;
        // The x range in percentage points: every interval and zero, with room for the
        // numbers beyond the whiskers.
        let ivs = t
            .bars
            .iter()
            .flat_map(|b| b.forced.iter().chain(std::iter::once(&b.frozen)));
        let lo = ivs.clone().map(|i| i.low).fold(0.0, f64::min) * 100.0;
        let hi = ivs.map(|i| i.high).fold(0.0, f64::max) * 100.0;
        let span = (hi - lo).max(1.0);
        let (x0, x1) = (
            if lo < 0.0 {
                lo - span * 0.12
            } else {
                -span * 0.04
            },
            if hi > 0.0 {
                hi + span * 0.12
            } else {
                span * 0.04
            },
        );
        let n = t.bars.len().max(1) as f64;
        let mut chart = plot(&body, x0..x1, -n..0.0, label_w)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: format!(
                    "change in P({}) vs base (percentage points)",
                    super::outcome_label(&cx.base.scenario, &t.outcome)
                ),
                y_desc: String::new(),
                x_fmt: &pp_tick,
                y_fmt: &|_| String::new(),
                x_grid: true,
                y_grid: false,
                y_numbers: false,
            },
        )?;
        // Light separators between rows.
        for k in 1..t.bars.len() {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x0, -(k as f64)), (x1, -(k as f64))],
                GRID.mix(0.6).stroke_width(1),
            )))?;
        }
        let half = 0.15;
        let cap = 0.09;
        for (k, b) in t.bars.iter().enumerate() {
            let top = -(k as f64);
            let bars = [
                (b.forced, FORCED, top - 0.3),
                (Some(b.frozen), FROZEN, top - 0.68),
            ];
            for (iv, col, yc) in bars {
                let Some(iv) = iv else { continue };
                let (e, l, h) = (iv.estimate * 100.0, iv.low * 100.0, iv.high * 100.0);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, yc - half), (e, yc + half)],
                    col.mix(0.8).filled(),
                )))?;
                chart.draw_series(
                    [
                        vec![(l, yc), (h, yc)],
                        vec![(l, yc - cap), (l, yc + cap)],
                        vec![(h, yc - cap), (h, yc + cap)],
                    ]
                    .into_iter()
                    .map(|p| PathElement::new(p, INK.stroke_width(1))),
                )?;
                // The estimate beyond the whisker, away from zero.
                let (right, x) = if e >= 0.0 { (true, h) } else { (false, l) };
                let (px, py) = chart.backend_coord(&(x, yc));
                root.draw(&Text::new(
                    pp(iv.estimate),
                    (if right { px + 5 } else { px - 5 }, py),
                    text(11.0, col).pos(Pos::new(
                        if right { HPos::Left } else { HPos::Right },
                        VPos::Center,
                    )),
                ))?;
            }
            let (px, py) = chart.backend_coord(&(x0, top - 0.5));
            root.draw(&Text::new(
                fit(&labels[k].0, 14.0, label_w - 20),
                (px - 10, py - 7),
                text(14.0, INK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            root.draw(&Text::new(
                fit(&labels[k].1, 11.0, label_w - 20),
                (px - 10, py + 9),
                text(11.0, MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -n), (0.0, 0.0)],
            INK.stroke_width(1),
        )))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// A chart's percentage points round as the tables beside it do
    /// (`report::signed_points`): a tie such as −0.3125 read −31.3 on the chart and −31.2 in
    /// the table, and 0.3205 read 32.0 points where the fraction read 0.321; both now round
    /// the shortest decimal half away from zero (`report::decimal`).
    #[test]
    fn points_round_as_the_tables_do() {
        for d in [
            -0.3125, 0.3125, 0.0005, -0.0005, 0.07749, -0.01, 0.0004, -0.0004, 0.1235, 0.3205,
        ] {
            let table = crate::report::signed_points(d);
            let chart = super::pp(d);
            let digits = |s: &str| s.trim_start_matches(['+', '-', '−']).to_string();
            assert_eq!(digits(&chart), digits(&table), "{d}");
            // The fraction's own three decimals, moved two places.
            let fraction = crate::report::decimal(d.abs(), 3);
            let moved = crate::report::shift_two_places(&fraction).unwrap();
            assert_eq!(digits(&chart), moved, "{d}");
        }
        // Ties round half away from zero, on the chart and in the table alike.
        assert_eq!(super::pp(-0.3125), "−31.3");
        assert_eq!(super::pp(0.3205), "+32.1");
        assert_eq!(super::pp(-0.0004), "−0.0");
        assert_eq!(super::pp(0.0004), "+0.0");
        assert_eq!(super::pp(0.0), "0.0");
        assert_eq!(super::pp(0.02), "+2.0");
    }
}
