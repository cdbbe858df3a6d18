//! Lever effects as a forest plot: for every variant of the file and every lever forced or
//! frozen, the paired change of the focus outcome's probability from the base, in percentage
//! points with its 95% interval, sorted by effect, in the tornado's colours. Arms whose change
//! is true by definition of the outcome (it reads the lever itself) are not effects: they are
//! listed apart below the plot, grey and hatched, and the x scale is the real effects'.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Cx, FORCED, FROZEN, pp, pp_tick};
use crate::analysis::compare::{ArmResult, reads_lever};
use crate::report::charts::{
    Area, Axes, Drawing, Drawn, GRID, INK, MUTED, Mark, fit, fit_apart, frame_with_footer, mesh,
    percent, plot, short_label, text, text_width,
};
use crate::scenario::{Lever, Scenario};
use crate::stats::Interval;

/// A variant of the scenario file.
const VARIANT: RGBColor = RGBColor(0x6a, 0x3d, 0x9a);
/// Arms true by definition of the outcome.
const DEFINITION: RGBColor = RGBColor(0x9a, 0x9a, 0x9a);
/// Pixels per row.
const ROW: u32 = 36;
/// Rows (in row units) taken by the heading of the arms listed apart.
const APART_HEAD: f64 = 1.3;

/// One arm's row.
pub(super) struct Row {
    /// The arm's display name.
    title: String,
    /// What the arm changes, in words.
    about: String,
    /// Its colour (the tornado's for forced and frozen levers).
    color: RGBColor,
    /// The paired change of the focus outcome, as a share.
    d: Interval,
    /// The change is true by definition of the outcome.
    by_definition: bool,
}

/// The lever's display name and whether it is a measure, from the scenario.
fn lever_label(s: &Scenario, lever: &str) -> (String, bool) {
    s.levers
        .iter()
        .find(|l| l.name() == lever)
        .map_or((lever.to_string(), false), |l| match l {
            Lever::Measure(m) => (short_label(&m.label, &m.name), true),
            Lever::Act(a) => (short_label(&a.label, &a.name), false),
        })
}

/// The rows of every arm but the base, sorted by effect (largest increase first), each group
/// (real effects, then those by definition) apart.
pub(super) fn rows(cx: &Cx) -> Vec<Row> {
    let s = &cx.base.scenario;
    let o = cx.focus;
    let name = cx.focus_name();
    let reads = |lever: &str| {
        s.outcomes
            .iter()
            .find(|x| x.name == name)
            .is_some_and(|x| reads_lever(s, &x.when, lever))
            || cx.r.tornado.as_ref().is_some_and(|t| {
                t.outcome == name && t.bars.iter().any(|b| b.lever == lever && b.by_definition)
            })
    };
    let row = |a: &ArmResult| -> Row {
        let d = a.outcomes[o].difference;
        match (a.kind.as_str(), &a.lever) {
            ("forced" | "frozen", Some(lever)) => {
                let (title, measure) = lever_label(s, lever);
                let forced = a.kind == "forced";
                let by_definition = reads(lever);
                let about = if forced {
                    let top = s.levers.iter().find_map(|l| match l {
                        Lever::Measure(m) if m.name == *lever => m.levels.last(),
                        _ => None,
                    });
                    match top {
                        Some(l) => format!("forced to {}", short_label(&l.label, &l.name)),
                        None => "forced to its top level".into(),
                    }
                } else if measure {
                    "frozen at its initial level".into()
                } else {
                    "act never taken (frozen)".into()
                };
                Row {
                    title,
                    about: if by_definition {
                        format!("by definition · {about}")
                    } else {
                        about
                    },
                    color: if forced { FORCED } else { FROZEN },
                    d,
                    by_definition,
                }
            }
            _ => {
                let v = s.variants.iter().find(|v| v.name == a.name);
                let by_definition = v.is_some_and(|v| {
                    v.force.keys().any(|l| reads(l)) || v.freeze.iter().any(|l| reads(l))
                });
                Row {
                    title: match v {
                        // With its name where another variant's label reads the same.
                        Some(_) => crate::report::html::Labels { sc: s }
                            .variant(&a.name)
                            .into_owned(),
                        None if a.label.is_empty() => a.name.clone(),
                        None => a.label.clone(),
                    },
                    about: if by_definition {
                        "by definition · variant that sets a lever the outcome reads".into()
                    } else {
                        "variant of the scenario".into()
                    },
                    color: VARIANT,
                    d,
                    by_definition,
                }
            }
        }
    };
    let mut out: Vec<Row> =
        cx.r.arms
            .iter()
            .filter(|a| a.kind != "base")
            .map(row)
            .collect();
    // Ties keep the arms' order (the scenario's variants, then the levers'): a stable sort.
    // (Ties by title read "v0, v1, v10, v11 … v2" for variants of equal effect.)
    out.sort_by(|a, b| {
        a.by_definition
            .cmp(&b.by_definition)
            .then(b.d.estimate.total_cmp(&a.d.estimate))
    });
    out
}

/// The forest plot of lever effects.
pub(super) struct Effects<'a> {
    pub cx: &'a Cx<'a>,
    pub rows: Vec<Row>,
}

impl Effects<'_> {
    /// Rows of real effects, and rows listed apart.
    fn counts(&self) -> (usize, usize) {
        let apart = self.rows.iter().filter(|r| r.by_definition).count();
        (self.rows.len() - apart, apart)
    }

    /// The height of the rows, in row units.
    fn units(&self) -> f64 {
        let (real, apart) = self.counts();
        real as f64
            + if apart > 0 {
                APART_HEAD + apart as f64
            } else {
                0.0
            }
    }

    /// The outcome's display name.
    fn outcome(&self) -> String {
        self.cx.focus_label()
    }
}

/// Draws hatching (lines at 45°, every 6 pixels) over a rectangle given in pixels.
fn hatch<DB: DrawingBackend>(
    root: &Area<DB>,
    (xa, xb): (i32, i32),
    (yt, yb): (i32, i32),
    color: RGBColor,
) -> Drawn<DB> {
    let (xa, xb) = (xa.min(xb), xa.max(xb));
    let h = yb - yt;
    let mut x = xa - h;
    while x < xb {
        // The line from (x, yb) to (x + h, yt), clipped to xa..xb.
        let (mut x0, mut y0, mut x1, mut y1) = (x, yb, x + h, yt);
        if x0 < xa {
            y0 -= xa - x0;
            x0 = xa;
        }
        if x1 > xb {
            y1 += x1 - xb;
            x1 = xb;
        }
        if x1 > x0 {
            root.draw(&PathElement::new(
                vec![(x0, y0), (x1, y1)],
                color.stroke_width(1),
            ))?;
        }
        x += 6;
    }
    root.draw(&Rectangle::new([(xa, yt), (xb, yb)], color.stroke_width(1)))
}

impl Drawing for Effects<'_> {
    fn name(&self) -> &'static str {
        "lever_effects"
    }

    fn title(&self) -> String {
        format!("Lever effects on P({})", self.outcome())
    }

    fn size(&self) -> (u32, u32) {
        (
            crate::report::charts::WIDTH,
            ((self.units() * ROW as f64) as u32 + 220).max(crate::report::charts::HEIGHT),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let cx = self.cx;
        let (real, apart) = self.counts();
        // A legend entry for each kind of arm drawn (variants alone showed the levers' too).
        let drawn = |c: RGBColor| self.rows.iter().any(|r| r.color == c);
        let mut header: Vec<(Mark, String)> = [
            (FORCED, "lever forced to top level"),
            (FROZEN, "lever frozen"),
            (VARIANT, "variant"),
        ]
        .into_iter()
        .filter(|&(c, _)| drawn(c))
        .map(|(c, text)| (Mark::Dot(c), text.to_string()))
        .collect();
        header.push((Mark::Line(INK, false), "paired 95% interval".to_string()));
        if apart > 0 {
            header.push((Mark::Fill(DEFINITION, 0.5), "by definition".to_string()));
        }
        let base_p = cx.arms[0].outcomes[cx.focus].probability.estimate;
        let body = frame_with_footer(
            root,
            &cx.footer,
            &self.title(),
            &format!(
                "Change in the probability from the base ({}), in percentage points, with paired 95% intervals on the same runs; sorted by effect",
                percent(base_p)
            ),
            &header,
        )?;
        let (bw, bh) = body.dim_in_pixel();
        let label_w = self
            .rows
            .iter()
            .map(|r| text_width(&r.title, 13.0).max(text_width(&r.about, 11.0)))
            .max()
            .unwrap_or(0)
            .clamp(100, bw * 2 / 5)
            + 20;
        let value = |d: &Interval| format!("{} ({} to {})", pp(d.estimate), pp(d.low), pp(d.high));
        let values: Vec<String> = self.rows.iter().map(|r| value(&r.d)).collect();
        let value_w = values
            .iter()
            .map(|v| text_width(v, 12.0))
            .chain(std::iter::once(text_width("points (95% interval)", 12.0)))
            .max()
            .unwrap_or(0)
            + 20;
        let (plot_area, side) = body.split_horizontally(bw.saturating_sub(value_w));

        // The x range in points: the real effects' intervals and zero (those by definition
        // only when there is nothing else), padded.
        let scale_rows: Vec<&Row> = if real > 0 {
            self.rows.iter().filter(|r| !r.by_definition).collect()
        } else {
            self.rows.iter().collect()
        };
        let lo = scale_rows.iter().map(|r| r.d.low).fold(0.0, f64::min) * 100.0;
        let hi = scale_rows.iter().map(|r| r.d.high).fold(0.0, f64::max) * 100.0;
        let span = (hi - lo).max(1.0);
        let (x0, x1) = (lo - span * 0.06, hi + span * 0.06);
        // Rows run downward from 0; the plot's own margins (8 on top, 50 for the x axis) are
        // outside them, and what the canvas has beyond the rows is left at the bottom.
        let units = self.units();
        let row_px = ((bh as f64 - 58.0) / units.max(1.0)).min(ROW as f64);
        let extra = ((bh as f64 - 58.0) / row_px - units).max(0.0);
        let mut chart = plot(&plot_area, x0..x1, -(units + extra)..0.0, label_w)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: format!(
                    "change in P({}) from the base (percentage points)",
                    self.outcome()
                ),
                y_desc: String::new(),
                x_fmt: &pp_tick,
                y_fmt: &|_| String::new(),
                x_grid: true,
                y_grid: false,
                y_numbers: false,
            },
        )?;
        let side_base = side.get_base_pixel();
        let mut y = 0.0;
        let cap = 0.14;
        // The arms' titles, fitted so that no two read alike.
        let titles: Vec<&str> = self.rows.iter().map(|r| r.title.as_str()).collect();
        let titles = fit_apart(&titles, 13.0, label_w - 16);
        for (k, r) in self.rows.iter().enumerate() {
            if r.by_definition && (k == 0 || !self.rows[k - 1].by_definition) {
                // The heading of the arms listed apart, across the whole width.
                if k > 0 {
                    let (_, py) = chart.backend_coord(&(x0, -y));
                    root.draw(&PathElement::new(
                        vec![(20, py), (bw as i32, py)],
                        MUTED.stroke_width(1),
                    ))?;
                }
                let (_, py) = chart.backend_coord(&(x0, -(y + APART_HEAD * 0.55)));
                root.draw(&Text::new(
                    fit(
                        &format!(
                            "True by definition, not effects: P({}) reads these levers themselves (an arrow: beyond the scale)",
                            self.outcome()
                        ),
                        13.0,
                        bw.saturating_sub(20),
                    ),
                    (24, py),
                    text(13.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                y += APART_HEAD;
            } else if k > 0 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x0, -y), (x1, -y)],
                    GRID.mix(0.6).stroke_width(1),
                )))?;
            }
            let yc = -(y + 0.5);
            let clip = |v: f64| (v * 100.0).clamp(x0, x1);
            let (e, l, h) = (clip(r.d.estimate), clip(r.d.low), clip(r.d.high));
            let col = if r.by_definition { DEFINITION } else { r.color };
            if r.by_definition {
                let (pa, pt) = chart.backend_coord(&(0.0_f64.clamp(x0, x1), yc + 0.26));
                let (pb, pbt) = chart.backend_coord(&(e, yc - 0.26));
                hatch(root, (pa, pb), (pt, pbt), DEFINITION)?;
                // Beyond the scale: an arrow at its edge.
                for (v, edge, dir) in [
                    (r.d.estimate * 100.0, x1, 1),
                    (r.d.estimate * 100.0, x0, -1),
                ] {
                    if (dir > 0 && v > x1) || (dir < 0 && v < x0) {
                        let (px, py) = chart.backend_coord(&(edge, yc));
                        root.draw(&Polygon::new(
                            vec![(px - 10 * dir, py - 7), (px, py), (px - 10 * dir, py + 7)],
                            INK.filled(),
                        ))?;
                    }
                }
            }
            chart.draw_series(
                [
                    vec![(l, yc), (h, yc)],
                    vec![(l, yc - cap), (l, yc + cap)],
                    vec![(h, yc - cap), (h, yc + cap)],
                ]
                .into_iter()
                .map(|p| PathElement::new(p, col.stroke_width(2))),
            )?;
            // The estimate, unless it is beyond the scale (then the arrow stands for it).
            if (x0..=x1).contains(&(r.d.estimate * 100.0)) {
                let (px, py) = chart.backend_coord(&(e, yc));
                root.draw(&Circle::new((px, py), 6, col.filled()))?;
                root.draw(&Circle::new((px, py), 6, WHITE.stroke_width(1)))?;
            }
            // The arm at the left, its numbers at the right.
            let (lx, ly) = chart.backend_coord(&(x0, yc));
            root.draw(&Text::new(
                titles[k].clone(),
                (lx - 10, ly - 7),
                text(13.0, if r.by_definition { MUTED } else { INK })
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            root.draw(&Text::new(
                fit(&r.about, 11.0, label_w - 16),
                (lx - 10, ly + 8),
                text(11.0, MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            side.draw(&Text::new(
                values[k].clone(),
                (10, ly - side_base.1),
                text(12.0, if r.by_definition { MUTED } else { INK })
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            if k == 0 {
                side.draw(&Text::new(
                    "points (95% interval)",
                    (10, (ly - side_base.1 - (row_px / 2.0) as i32 - 4).max(8)),
                    text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
                ))?;
            }
            y += 1.0;
        }
        // Zero: no change from the base.
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -y), (0.0, 0.0)],
            INK.stroke_width(1),
        )))?;
        Ok(())
    }
}
