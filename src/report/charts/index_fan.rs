//! Fan chart of the dyad index H over time: the median, the middle 50% and 90% of runs, over
//! the escalation ladder's rungs drawn as shaded horizontal bands. [`draw_fan`] draws it with
//! marks of the caller's over it (the back-test's mood chart draws the observations).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Ctx, Drawing, Drawn, MUTED, Mark, Plot, fit, frame, mesh_with, plot, rung_color,
    step_label, text, text_width,
};
use crate::scenario::param::fmt_num;

/// The fan's colour: a dark slate that stays readable over every rung's tint.
const FAN: RGBColor = RGBColor(0x1e, 0x23, 0x3c);

/// The rung's range in words (nothing for a one-rung ladder).
fn rung_words(c: &Ctx, r: usize) -> String {
    if c.thresholds.len() <= 1 {
        return String::new();
    }
    super::rung_words(c.thresholds, c.bounds, r)
}

/// The y range: the middle 90% of runs at every step and the values `include` (see
/// [`super::index_range`]).
fn y_range(c: &Ctx, include: &[f64]) -> (f64, f64) {
    let steps = &c.s.index_by_step;
    let lo = steps
        .iter()
        .map(|x| x.q[0])
        .chain(include.iter().copied())
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = steps
        .iter()
        .map(|x| x.q[4])
        .chain(include.iter().copied())
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    super::index_range(lo, hi, c.thresholds, c.bounds)
}

/// The fan chart of the index H over time.
pub(crate) struct IndexFan<'a>(pub &'a Ctx<'a>);

impl Drawing for IndexFan<'_> {
    fn name(&self) -> &'static str {
        "index_fan"
    }

    fn title(&self) -> String {
        let c = self.0;
        let (a, b) = c.focal();
        format!("Hostility between {a} and {b} (index H) over time")
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let c = self.0;
        let mut subtitle = "H is the mean hostility of the pair toward each other, in points; shaded bands are the escalation ladder's rungs".to_string();
        if let Some(words) = split_words(c) {
            subtitle += ". ";
            subtitle += &words;
        }
        let look = Look {
            title: self.title(),
            subtitle,
            legend: vec![],
            x_desc: c.time_axis(),
            x_fmt: &step_label,
            x_labels: 12,
            strip: 0,
            y_include: vec![],
        };
        draw_fan(root, c, &look, |_, _, _| Ok(()))
    }
}

/// Where the runs split at the last step: the rung the median of H lies in (by H alone), and
/// the fullest rung below it and the fullest above it, when the median's rung holds at most two
/// thirds of the runs of each of those; `None` when it does not (or a rung's share is unknown).
///
/// A median line drawn through a rung few runs are on reads as the typical course where there
/// is none (the flagship's line sat on "acute crisis" all year, where 10% of runs ended, with
/// 30% on "normal to cool" and 30% on "rupture"): the chart then says so.
fn split_at_end(shares: &[f64], median: f64, thresholds: &[f64]) -> Option<(usize, usize, usize)> {
    if !median.is_finite() || shares.len() != thresholds.len() || shares.len() < 3 {
        return None;
    }
    // The rung by H alone, as the bands are drawn: the first rung starts at the scale's bottom.
    let m = (1..thresholds.len())
        .rev()
        .find(|&r| median >= thresholds[r])
        .unwrap_or(0);
    let fullest = |r: std::ops::Range<usize>| {
        r.max_by(|&a, &b| shares[a].total_cmp(&shares[b]).then(b.cmp(&a)))
    };
    let below = fullest(0..m)?;
    let above = fullest(m + 1..shares.len())?;
    // A valley, not a plateau: at most two thirds of the smaller peak (34%, 32%, 34% is no
    // split).
    (shares[m] <= shares[below].min(shares[above]) * 2.0 / 3.0).then_some((m, below, above))
}

/// The fan chart's words for a split ([`split_at_end`]): "The runs split: in week 51, 30.2% are
/// on Normal to cool and 29.7% on Rupture, 9.9% on Acute crisis, where the median lies (the rung
/// chart gives every share)".
fn split_words(c: &Ctx) -> Option<String> {
    // The shares are of the rung a run is on, which a measure in force can hold above the one
    // H reaches (`implies_rung`): then H's median and the shares measure two things (a
    // reviewing helper: 77% held on rupture read as a split with H's middle half in crisis).
    // Said only where the rung is H's alone.
    let sc = c.sc?;
    let implies = sc.levers.iter().any(|l| match l {
        crate::scenario::Lever::Measure(m) => m.levels.iter().any(|x| x.implies_rung.is_some()),
        crate::scenario::Lever::Act(_) => false,
    });
    if implies {
        return None;
    }
    let last = c.s.index_by_step.last()?;
    let shares = c.s.rung_by_step.get(last.step as usize)?;
    let (m, below, above) = split_at_end(shares, last.q[2], c.thresholds)?;
    let rungs = &c.s.scenario.rungs;
    let share = |r: usize| super::percent(shares[r]);
    let rung = |r: usize| c.rung(r, &rungs[r]);
    Some(format!(
        "The runs split: in {} {}, {} are on {} and {} on {}, {} on {}, where the median lies (the rung chart gives every share)",
        c.unit(),
        last.step,
        share(below),
        rung(below),
        share(above),
        rung(above),
        share(m),
        rung(m)
    ))
}

/// How a fan chart is framed, and the room it leaves for marks drawn over it: the run's fan
/// chart has none; the back-test's mood chart adds its observations.
pub(crate) struct Look<'f> {
    /// The title drawn at the chart's top.
    pub title: String,
    /// The subtitle, in plain words.
    pub subtitle: String,
    /// Legend entries after the fan's own.
    pub legend: Vec<(Mark, String)>,
    /// The x-axis title.
    pub x_desc: String,
    /// The x-axis tick labels (from the step).
    pub x_fmt: &'f dyn Fn(&f64) -> String,
    /// Most tick labels on the x axis.
    pub x_labels: usize,
    /// Height in pixels of a strip left above the plot (as wide as the plot) for the
    /// overlay's labels; 0 for none.
    pub strip: u32,
    /// Values of H the y axis must show beside the runs' (the back-test's observed rungs:
    /// a rung above the runs was marked at the chart's edge, inside the band below it).
    pub y_include: Vec<f64>,
}

/// Draws the fan chart of the index H over time on `root`, framed as `look` says, then calls
/// `overlay` with the chart's body (the area under its header), the strip above the plot and
/// the plot (its x axis the step, its y axis H), to draw marks over the fan.
pub(crate) fn draw_fan<DB, F>(root: &Area<DB>, c: &Ctx, look: &Look, overlay: F) -> Drawn<DB>
where
    DB: DrawingBackend,
    F: for<'p> FnOnce(&Area<DB>, &Area<DB>, &mut Plot<'p, DB>) -> Drawn<DB>,
{
    let steps = &c.s.index_by_step;
    let mut legend = vec![
        (Mark::Line(FAN, false), format!("median by {}", c.unit())),
        (Mark::Fill(FAN, 0.32), "middle 50% of runs".to_string()),
        (Mark::Fill(FAN, 0.16), "middle 90% of runs".to_string()),
    ];
    legend.extend(look.legend.iter().cloned());
    let body = frame(root, c, &look.title, &look.subtitle, &legend)?;
    let nr = c.s.scenario.rungs.len().min(c.thresholds.len());
    // The rungs by their short labels, as the tables and the other charts name them (the ids
    // here read "cool" beside a table's "Normal to cool").
    let rung_names: Vec<String> = (0..nr).map(|r| c.rung(r, &c.s.scenario.rungs[r])).collect();
    let widest = (0..nr)
        .map(|r| text_width(&rung_names[r], 14.0).max(text_width(&rung_words(c, r), 12.0)))
        .max()
        .unwrap_or(0);
    let side_w = (widest + 36).clamp(110, 240);
    let (bw, _) = body.dim_in_pixel();
    let (plot_area, side) = body.split_horizontally(bw.saturating_sub(side_w));
    let (strip, plot_area) = plot_area.split_vertically(look.strip);

    let xmax = (steps.len().saturating_sub(1) as f64).max(1.0);
    let (y0, y1) = y_range(c, &look.y_include);
    let mut chart = plot(&plot_area, 0.0..xmax, y0..y1, 56)?;

    // The rungs, as bands behind everything.
    let visible = super::rung_bands(&mut chart, c.thresholds, c.bounds, xmax, (y0, y1))?;
    mesh_with(
        &mut chart,
        &Axes {
            x_desc: look.x_desc.clone(),
            y_desc: "H (points)".into(),
            x_fmt: look.x_fmt,
            y_fmt: &|v| fmt_num((v * 100.0).round() / 100.0),
            x_grid: false,
            y_grid: true,
            y_numbers: true,
        },
        look.x_labels,
        8,
    )?;
    super::rung_thresholds(&mut chart, c.thresholds, xmax, (y0, y1))?;

    // The fan.
    let pts = |i: usize| {
        steps
            .iter()
            .filter(move |s| s.q[i].is_finite())
            .map(move |s| (s.step as f64, s.q[i]))
    };
    let band = |a: usize, b: usize| -> Vec<(f64, f64)> {
        let mut v: Vec<(f64, f64)> = pts(b).collect();
        let mut low: Vec<(f64, f64)> = pts(a).collect();
        low.reverse();
        v.extend(low);
        v
    };
    chart.draw_series(std::iter::once(Polygon::new(
        band(0, 4),
        FAN.mix(0.16).filled(),
    )))?;
    chart.draw_series(std::iter::once(Polygon::new(
        band(1, 3),
        FAN.mix(0.32).filled(),
    )))?;
    super::dot_if_alone(&mut chart, &pts(2).collect::<Vec<_>>(), FAN.into())?;
    chart.draw_series(LineSeries::new(pts(2), FAN.stroke_width(3)))?;

    // The rung names beside the plot, level with their bands.
    let base = side.get_base_pixel();
    for (r, lo, hi) in visible {
        let py_lo = chart.backend_coord(&(0.0, lo)).1;
        let py_hi = chart.backend_coord(&(0.0, hi)).1;
        let height = (py_lo - py_hi).abs();
        let mid = (py_lo + py_hi) / 2 - base.1;
        let name = fit(&rung_names[r], 14.0, side_w.saturating_sub(30));
        let color = rung_color(r, nr);
        if height >= 36 {
            side.draw(&Rectangle::new(
                [(6, mid - 15), (12, mid + 15)],
                color.filled(),
            ))?;
            side.draw(&Text::new(
                name,
                (18, mid - 8),
                text(14.0, super::INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            side.draw(&Text::new(
                fit(&rung_words(c, r), 12.0, side_w.saturating_sub(30)),
                (18, mid + 9),
                text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        } else if height >= 15 {
            side.draw(&Rectangle::new(
                [(6, mid - height / 2 + 1), (12, mid + height / 2 - 1)],
                color.filled(),
            ))?;
            side.draw(&Text::new(
                name,
                (18, mid),
                text(13.0, super::INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    overlay(&body, &strip, &mut chart)
}

#[cfg(test)]
mod tests {
    use super::split_at_end;

    const LADDER: [f64; 6] = [-10.0, -2.0, 2.0, 4.0, 6.0, 8.0];

    #[test]
    fn a_median_on_a_rung_few_runs_are_on_is_a_split() {
        // The flagship's last week: 30.2% cool, 16.2% tense, 9.9% crisis (the median, H 4.72),
        // 14.0% confrontation, 29.7% rupture.
        let shares = [0.0, 0.302, 0.162, 0.099, 0.14, 0.297];
        assert_eq!(split_at_end(&shares, 4.72, &LADDER), Some((3, 1, 5)));
        // Nobody on the median's rung at all: still a split.
        let empty = [0.0, 0.5, 0.0, 0.0, 0.0, 0.5];
        assert_eq!(split_at_end(&empty, 4.0, &LADDER), Some((3, 1, 5)));
    }

    #[test]
    fn a_median_on_the_fullest_rung_or_a_slope_is_no_split() {
        // One peak, on the median's rung.
        let peak = [0.0, 0.1, 0.2, 0.4, 0.2, 0.1];
        assert_eq!(split_at_end(&peak, 4.5, &LADDER), None);
        // A plateau: the median's rung nearly as full as either peak.
        let plateau = [0.0, 0.34, 0.0, 0.32, 0.0, 0.34];
        assert_eq!(split_at_end(&plateau, 4.5, &LADDER), None);
        // A slope: the rungs above the median's all hold fewer runs.
        let slope = [0.0, 0.4, 0.3, 0.2, 0.07, 0.03];
        assert_eq!(split_at_end(&slope, 2.5, &LADDER), None);
        // The median on the lowest or highest rung has no side to split from.
        assert_eq!(split_at_end(&peak, -5.0, &LADDER), None);
        assert_eq!(split_at_end(&peak, 9.0, &LADDER), None);
        // No runs (NaN) or a ladder the shares do not match.
        assert_eq!(split_at_end(&peak, f64::NAN, &LADDER), None);
        assert_eq!(split_at_end(&peak[..5], 4.5, &LADDER), None);
    }
}
