//! One traced run (`brink trace`) drawn as a timeline: on top the mood, the dyad index H step
//! by step over the escalation ladder's rungs as shaded bands; below it one lane per actor that
//! moved, its moves as markers at their step (the shape says what kind of move, the colour
//! whether it was hostile or conciliatory), a lane for the events that fired, and a dashed
//! vertical mark through both panels for each outcome when it first held.
//!
//! A reader follows the story from left to right: which move or event came before which turn
//! of the mood, and what it led to. Labels that would overlap go to a second or third row, and
//! are left out (the marker stays) when no row has room, and the legend says how many.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Drawing, Drawn, GRID, HEIGHT, INK, MUTED, WIDTH, fit, frame_with_footer,
    index_range, mesh_with, rung_color, rung_words, short_label, text, text_width, wrap,
};
use crate::analysis::summary::date_of_step;
use crate::analysis::trace::Trace;
use crate::model::Model;
use crate::report::html::Labels;
use crate::scenario::Lever;
use crate::scenario::param::fmt_num;

/// The H line's colour: a dark slate that stays readable over every rung's tint.
const MOOD: RGBColor = RGBColor(0x1e, 0x23, 0x3c);
/// Moves with a negative Goldstein weight (hostile).
const HOSTILE: RGBColor = RGBColor(0xc8, 0x3c, 0x0c);
/// Moves with a positive Goldstein weight (conciliatory).
const CONCILIATORY: RGBColor = RGBColor(0x00, 0x72, 0xb2);
/// Events, and moves of no weight.
const NEUTRAL: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// The outcomes' vertical marks and labels.
const OUTCOME: RGBColor = RGBColor(0x88, 0x3a, 0x9e);

/// Width of the left column: the H axis numbers above, the lanes' names below.
const LEFT: u32 = 132;
/// Width of the right column: the rungs' names beside the mood, the legend beside the lanes.
const SIDE: u32 = 178;
/// Height of the mood panel, its x axis included.
const MOOD_H: u32 = 230;
/// Height of one lane: a row of markers and three rows of labels.
const LANE_H: u32 = 58;
/// Height of the lanes' x axis (tick labels and title).
const AXIS_H: u32 = 50;
/// Height of one row of outcome labels above the mood.
const OUTCOME_ROW: u32 = 16;
/// Rows of labels under a lane's markers.
const LABEL_ROWS: usize = 3;
/// Size of the labels in lanes.
const LABEL_SIZE: f64 = 11.0;
/// Widest label in a lane, in pixels (longer labels are cut with "…").
const LABEL_MAX: u32 = 130;
/// The frame around the body: header above, footer below (see [`frame_with_footer`]).
const FRAME_H: u32 = 76 + 36;

/// The kind of a mark in a lane: what the shape tells.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A measure raised one level.
    Raise,
    /// A measure lowered.
    Lower,
    /// A one-off act.
    Act,
    /// An offer of contact (it needs the other side).
    Offer,
    /// An offer of contact accepted.
    Accept,
    /// An offer of contact not accepted in time.
    Refused,
    /// An event that fired.
    Event,
}

/// One mark in a lane.
struct Item {
    step: u32,
    kind: Kind,
    color: RGBColor,
    label: String,
}

/// A lane: its name and marks, in step order.
struct Lane {
    name: String,
    items: Vec<Item>,
}

/// One traced run as a timeline.
pub(crate) struct TraceTimeline<'a> {
    /// The compiled scenario: its labels, ladder thresholds and hostility bounds.
    pub model: &'a Model,
    /// The run.
    pub trace: &'a Trace,
    /// The outcome the run was picked for (`--pick`), if it was.
    pub picked: Option<&'a str>,
    /// The numbers `--set` replaced: the footer names them, as the run's own charts do.
    pub set: &'a [crate::scenario::overrides::Setting],
    /// Drawn for `brink trace`, which writes trace.txt beside the chart (`false`: in a run's
    /// report, where no trace.txt is written).
    pub beside_its_text: bool,
}

impl TraceTimeline<'_> {
    fn labels(&self) -> Labels<'_> {
        Labels {
            sc: &self.model.scenario,
        }
    }

    /// A lever's or act's short display name.
    fn lever(&self, name: &str) -> String {
        short_label(self.labels().lever(name), name)
    }

    /// The owner of an act (for contacts that lapsed), by name.
    fn act_owner(&self, act: &str) -> Option<&str> {
        self.model.scenario.levers.iter().find_map(|l| match l {
            Lever::Act(a) if a.name == act => Some(a.owner.as_str()),
            _ => None,
        })
    }

    /// The lanes: the actors that moved, in the scenario's order, then the events.
    fn lanes(&self) -> Vec<Lane> {
        let t = self.trace;
        let mut lanes: Vec<Lane> = t
            .actors
            .iter()
            .map(|a| Lane {
                name: short_label(self.labels().actor(a), a),
                items: vec![],
            })
            .collect();
        let mut events = Lane {
            name: "Events".into(),
            items: vec![],
        };
        for s in &t.steps {
            for e in &s.events {
                events.items.push(Item {
                    step: s.step,
                    kind: Kind::Event,
                    color: NEUTRAL,
                    label: short_label(self.labels().event(&e.event), &e.event),
                });
            }
            // Offers that lapse do so at the start of the step, before anyone moves.
            for (act, _) in s.contacts.iter().filter(|c| !c.1) {
                let lane = self
                    .act_owner(act)
                    .and_then(|o| t.actors.iter().position(|a| a == o));
                if let Some(i) = lane {
                    lanes[i].items.push(Item {
                        step: s.step,
                        kind: Kind::Refused,
                        color: NEUTRAL,
                        label: format!("{} refused", self.lever(act)),
                    });
                }
            }
            // A move overtaken by an act's SetLevel held: nothing to draw.
            for mv in (s.moves.iter()).filter(|m| m.choice != "hold" && m.choice != "overtaken") {
                let Some(i) = t.actors.iter().position(|a| *a == mv.actor) else {
                    continue;
                };
                let kind = match mv.choice.as_str() {
                    "raise" => Kind::Raise,
                    "lower" => Kind::Lower,
                    "offer" => Kind::Offer,
                    "accept" => Kind::Accept,
                    _ => Kind::Act,
                };
                let color = if mv.weight < 0.0 {
                    HOSTILE
                } else if mv.weight > 0.0 {
                    CONCILIATORY
                } else {
                    NEUTRAL
                };
                let lever = mv.lever.as_deref().unwrap_or_default();
                lanes[i].items.push(Item {
                    step: s.step,
                    kind,
                    color,
                    label: self.lever(lever),
                });
            }
        }
        lanes.retain(|l| !l.items.is_empty());
        lanes.push(events);
        lanes
    }

    /// The outcomes that happened: (step, display name), by step.
    fn outcomes(&self) -> Vec<(u32, String)> {
        let mut v: Vec<(u32, String)> = self
            .trace
            .end
            .outcomes
            .iter()
            .filter(|o| o.happened)
            .filter_map(|o| {
                let label = if o.label.trim().is_empty() {
                    self.labels().outcome(&o.name).to_string()
                } else {
                    o.label.clone()
                };
                Some((o.first_step?, short_label(&label, &o.name)))
            })
            .collect();
        v.sort_by_key(|o| o.0);
        v
    }

    /// Rows of outcome labels above the mood (none without outcomes).
    fn outcome_rows(&self) -> u32 {
        self.outcomes().len().min(3) as u32
    }

    /// The step unit, singular ("week").
    fn unit(&self) -> &str {
        crate::scenario::step_one(&self.trace.step_unit)
    }

    /// The footer: "scenario · seed S · run K [· variant V]".
    fn footer(&self) -> String {
        let t = self.trace;
        let mut f = format!("{} · seed {} · run {}", t.scenario, t.seed, t.run);
        if let Some(v) = &t.variant {
            f += &format!(" · variant {v}");
        }
        if !self.set.is_empty() {
            f += &format!(" · {}", crate::scenario::overrides::args(self.set));
        }
        f
    }
}

/// Greedy label rows: each row remembers where its last label ends.
struct Rows(Vec<i32>);

impl Rows {
    fn new(n: usize) -> Self {
        Rows(vec![i32::MIN; n])
    }

    /// The first row where a label from `x0` to `x1` does not touch the one before; taken.
    fn place(&mut self, x0: i32, x1: i32) -> Option<usize> {
        let r = self.0.iter().position(|&end| end + 6 <= x0)?;
        self.0[r] = x1;
        Some(r)
    }
}

/// Draws a mark of a kind centred at (x, y), in absolute pixels.
fn draw_kind<DB: DrawingBackend>(
    root: &Area<DB>,
    kind: Kind,
    color: RGBColor,
    x: i32,
    y: i32,
) -> Drawn<DB> {
    match kind {
        Kind::Raise => root.draw(&Polygon::new(
            vec![(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)],
            color.filled(),
        )),
        Kind::Lower => root.draw(&Polygon::new(
            vec![(x, y + 6), (x + 6, y - 5), (x - 6, y - 5)],
            color.filled(),
        )),
        Kind::Act => root.draw(&Circle::new((x, y), 5, color.filled())),
        Kind::Offer => root.draw(&Circle::new((x, y), 5, color.stroke_width(2))),
        Kind::Accept => root.draw(&Polygon::new(
            vec![(x, y - 7), (x + 6, y), (x, y + 7), (x - 6, y)],
            color.filled(),
        )),
        Kind::Refused => {
            root.draw(&PathElement::new(
                vec![(x - 5, y - 5), (x + 5, y + 5)],
                color.stroke_width(2),
            ))?;
            root.draw(&PathElement::new(
                vec![(x - 5, y + 5), (x + 5, y - 5)],
                color.stroke_width(2),
            ))
        }
        Kind::Event => root.draw(&Rectangle::new(
            [(x - 4, y - 4), (x + 4, y + 4)],
            color.filled(),
        )),
    }
}

impl Drawing for TraceTimeline<'_> {
    fn name(&self) -> &'static str {
        "trace_timeline"
    }

    fn title(&self) -> String {
        let k = self.trace.run;
        match self.picked {
            Some(o) => {
                let label = short_label(self.labels().outcome(o), o);
                format!("Run {k}: a run with “{label}”, as it unfolded")
            }
            None => format!("Run {k}: one run as it unfolded"),
        }
    }

    fn size(&self) -> (u32, u32) {
        let lanes = self.lanes().len() as u32;
        let h =
            FRAME_H + self.outcome_rows() * OUTCOME_ROW + 6 + MOOD_H + lanes * LANE_H + AXIS_H + 8;
        (WIDTH, h.clamp(HEIGHT, 2400))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let t = self.trace;
        let m = self.model;
        let labels = self.labels();
        let (a, b) = &t.focal;
        let subtitle = format!(
            "H, the mean hostility of {} and {}, by {} over the ladder's rungs; below, who moved, what fired and the outcomes",
            short_label(labels.actor(a), a),
            short_label(labels.actor(b), b),
            self.unit(),
        );
        let body = frame_with_footer(root, &self.footer(), &self.title(), &subtitle, &[])?;
        let (bw, _) = body.dim_in_pixel();
        let (main, side) = body.split_horizontally(bw.saturating_sub(SIDE));
        let strip_h = if self.outcome_rows() > 0 {
            self.outcome_rows() * OUTCOME_ROW + 6
        } else {
            0
        };
        let (strip, rest) = main.split_vertically(strip_h);
        let (mood, lanes_area) = rest.split_vertically(MOOD_H);
        let lanes = self.lanes();

        // The x axis: steps, dates on the ticks when the scenario has a start date.
        let xmax = (t.steps.len().saturating_sub(1) as f64).max(1.0);
        let start = t.start_date.clone();
        let unit = t.step_unit.clone();
        let dated = date_of_step(start.as_deref(), &unit, 0).is_some();
        // A tick between steps or past the last (the axis of a one-step run reaches 1) has
        // no label: it had its neighbour's date, twice or thrice over.
        let last = t.steps.len().saturating_sub(1);
        let x_fmt = move |v: &f64| match super::whole_step(*v) {
            Some(k) if k as usize <= last => {
                date_of_step(start.as_deref(), &unit, k).unwrap_or_else(|| k.to_string())
            }
            _ => String::new(),
        };
        let x_desc = match (&t.start_date, dated) {
            (Some(d), true) => format!("date (each {} from {d})", self.unit()),
            _ => self.unit().to_string(),
        };
        let x_ticks = if dated { 8 } else { 12 };

        // The mood: H over the rungs' bands.
        let nr = t.rungs.len().min(m.rung_thresholds.len());
        let lo = t
            .steps
            .iter()
            .map(|s| s.index)
            .chain([t.start.index])
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        let hi = t
            .steps
            .iter()
            .map(|s| s.index)
            .chain([t.start.index])
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        let (y0, y1) = index_range(lo, hi, &m.rung_thresholds, m.bounds);
        let mut chart = ChartBuilder::on(&mood)
            .margin_top(8)
            .margin_right(14)
            .x_label_area_size(8)
            .y_label_area_size(LEFT)
            .build_cartesian_2d(0.0..xmax, y0..y1)?;
        let visible = super::rung_bands(&mut chart, &m.rung_thresholds, m.bounds, xmax, (y0, y1))?;
        mesh_with(
            &mut chart,
            &Axes {
                x_desc: String::new(),
                y_desc: "H (points)".into(),
                x_fmt: &|_| String::new(),
                y_fmt: &|v| fmt_num((v * 100.0).round() / 100.0),
                x_grid: true,
                y_grid: true,
                y_numbers: true,
            },
            x_ticks,
            6,
        )?;
        super::rung_thresholds(&mut chart, &m.rung_thresholds, xmax, (y0, y1))?;
        // Steps closer than 3 pixels: each segment drawn alone, one pixel wide, without dots.
        // A wide line's joins between segments that nearly reverse stretch into long spikes in
        // the PNG (a run of 5,200 weeks drew spikes far above the plot; the SVG drew none).
        let (plot_w, _) = chart.plotting_area().dim_in_pixel();
        let xy = |s: &crate::analysis::trace::TraceStep| (s.step as f64, s.index);
        if (plot_w as f64) < 3.0 * t.steps.len() as f64 {
            chart.draw_series(
                t.steps
                    .windows(2)
                    .map(|w| PathElement::new(vec![xy(&w[0]), xy(&w[1])], MOOD.stroke_width(1))),
            )?;
        } else {
            chart.draw_series(LineSeries::new(
                t.steps.iter().map(xy),
                MOOD.stroke_width(3),
            ))?;
            chart.draw_series(t.steps.iter().map(|s| Circle::new(xy(s), 2, MOOD.filled())))?;
        }

        // The rungs' names beside their bands.
        let side_base = side.get_base_pixel();
        for (r, lo, hi) in visible {
            let py_lo = chart.backend_coord(&(0.0, lo)).1;
            let py_hi = chart.backend_coord(&(0.0, hi)).1;
            let height = (py_lo - py_hi).abs();
            let mid = (py_lo + py_hi) / 2 - side_base.1;
            let rung = &t.rungs[r];
            let name = fit(
                &short_label(labels.rung(r, rung), rung),
                13.0,
                SIDE.saturating_sub(30),
            );
            let color = rung_color(r, nr);
            if height >= 34 {
                side.draw(&Rectangle::new(
                    [(6, mid - 14), (12, mid + 14)],
                    color.filled(),
                ))?;
                side.draw(&Text::new(
                    name,
                    (18, mid - 7),
                    text(13.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                if nr > 1 {
                    side.draw(&Text::new(
                        fit(
                            &rung_words(&m.rung_thresholds, m.bounds, r),
                            11.0,
                            SIDE.saturating_sub(30),
                        ),
                        (18, mid + 8),
                        text(11.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                }
            } else if height >= 14 {
                side.draw(&Rectangle::new(
                    [(6, mid - height / 2 + 1), (12, mid + height / 2 - 1)],
                    color.filled(),
                ))?;
                side.draw(&Text::new(
                    name,
                    (18, mid),
                    text(12.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
        let mood_top = chart.backend_coord(&(0.0, y1)).1;

        // The lanes, sharing the mood's x axis.
        let n = lanes.len().max(1);
        let mut lane_chart = ChartBuilder::on(&lanes_area)
            .margin_top(0)
            .margin_right(14)
            .x_label_area_size(AXIS_H)
            .y_label_area_size(LEFT)
            .build_cartesian_2d(0.0..xmax, 0.0..n as f64)?;
        mesh_with(
            &mut lane_chart,
            &Axes {
                x_desc,
                y_desc: String::new(),
                x_fmt: &x_fmt,
                y_fmt: &|_| String::new(),
                x_grid: true,
                y_grid: false,
                y_numbers: false,
            },
            x_ticks,
            0,
        )?;
        let px = |step: f64| lane_chart.backend_coord(&(step, 0.0)).0;
        let (left, right) = (px(0.0), px(xmax));
        let lanes_bottom = lane_chart.backend_coord(&(0.0, 0.0)).1;
        for i in 0..lanes.len() {
            let top = lane_chart.backend_coord(&(0.0, (n - i) as f64)).1;
            let bottom = lane_chart.backend_coord(&(0.0, (n - i - 1) as f64)).1;
            if i % 2 == 1 {
                root.draw(&Rectangle::new(
                    [(left, top), (right, bottom)],
                    GRID.mix(0.35).filled(),
                ))?;
            }
            root.draw(&PathElement::new(
                vec![(left, bottom), (right, bottom)],
                GRID.stroke_width(1),
            ))?;
        }
        // The outcomes: a dashed line through both panels when each first held (behind the
        // lanes' marks), named above the mood.
        let outcomes = self.outcomes();
        for (step, _) in &outcomes {
            let x = px(*step as f64);
            let mut y = mood_top;
            while y < lanes_bottom {
                let y2 = (y + 5).min(lanes_bottom);
                root.draw(&PathElement::new(
                    vec![(x, y), (x, y2)],
                    OUTCOME.mix(0.8).stroke_width(2),
                ))?;
                y += 9;
            }
        }
        let strip_base = strip.get_base_pixel();
        // Labels with no row to go in are left out (their line or mark stays) and counted, so
        // that the chart says so: a step where a dozen events fired showed three names and no
        // word of the others.
        let mut left_out = 0usize;
        let mut rows = Rows::new(self.outcome_rows() as usize);
        for (step, label) in outcomes {
            let x = px(step as f64);
            let label = fit(&label, 12.0, 300);
            let w = text_width(&label, 12.0) as i32;
            // Beside its line: to the right, or to the left near the right edge.
            let x0 = if x + 4 + w <= right + 10 {
                x + 4
            } else {
                x - 4 - w
            }
            .max(strip_base.0);
            if let Some(r) = rows.place(x0, x0 + w) {
                let ly = strip_base.1 + 8 + r as i32 * OUTCOME_ROW as i32;
                root.draw(&PathElement::new(
                    vec![(x, ly - 6), (x, mood_top)],
                    OUTCOME.mix(0.5).stroke_width(1),
                ))?;
                root.draw(&Text::new(
                    label,
                    (x0, ly),
                    text(12.0, OUTCOME).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            } else {
                left_out += 1;
            }
        }

        for (i, lane) in lanes.iter().enumerate() {
            let top = lane_chart.backend_coord(&(0.0, (n - i) as f64)).1;
            let y = top + 12;
            root.draw(&Text::new(
                fit(&lane.name, 13.0, LEFT - 14),
                (left - 8, y),
                text(13.0, INK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            let mut rows = Rows::new(LABEL_ROWS);
            for it in &lane.items {
                let x = px(it.step as f64);
                draw_kind(root, it.kind, it.color, x, y)?;
                let label = fit(&it.label, LABEL_SIZE, LABEL_MAX);
                let w = text_width(&label, LABEL_SIZE) as i32;
                let x0 = (x - w / 2).clamp(left, (right - w).max(left));
                if let Some(r) = rows.place(x0, x0 + w) {
                    let ly = y + 14 + r as i32 * 13;
                    // A light halo keeps the label readable over grid and outcome lines.
                    root.draw(&Rectangle::new(
                        [(x0 - 1, ly - 6), (x0 + w + 1, ly + 6)],
                        WHITE.mix(0.75).filled(),
                    ))?;
                    root.draw(&Text::new(
                        label,
                        (x0, ly),
                        text(LABEL_SIZE, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                } else {
                    left_out += 1;
                }
            }
        }

        // The legend beside the lanes.
        let lanes_top = lane_chart.backend_coord(&(0.0, n as f64)).1;
        let entries: [(Kind, RGBColor, &str); 9] = [
            (Kind::Raise, NEUTRAL, "raises a measure"),
            (Kind::Lower, NEUTRAL, "lowers a measure"),
            (Kind::Act, NEUTRAL, "acts"),
            (Kind::Offer, NEUTRAL, "offers contact"),
            (Kind::Accept, NEUTRAL, "accepts contact"),
            (Kind::Refused, NEUTRAL, "offer lapsed, refused"),
            (Kind::Event, NEUTRAL, "event fired"),
            (Kind::Act, HOSTILE, "hostile move"),
            (Kind::Act, CONCILIATORY, "conciliatory move"),
        ];
        let lx = side_base.0 + 16;
        let mut ly = lanes_top + 8;
        for (kind, color, label) in entries {
            draw_kind(root, kind, color, lx, ly)?;
            root.draw(&Text::new(
                fit(label, 12.0, SIDE - 40),
                (lx + 14, ly),
                text(12.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            ly += 18;
        }
        root.draw(&PathElement::new(
            vec![(lx - 1, ly - 6), (lx - 1, ly + 6)],
            OUTCOME.stroke_width(2),
        ))?;
        root.draw(&Text::new(
            "outcome first held",
            (lx + 14, ly),
            text(12.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        if left_out > 0 {
            // A run's report writes no trace.txt: `brink trace` with the run's number and
            // seed writes it.
            let note = format!(
                "{left_out} label{} left out for room ({} names every one)",
                if left_out == 1 { "" } else { "s" },
                if self.beside_its_text {
                    "trace.txt".to_string()
                } else {
                    format!(
                        "brink trace --run {} --seed {}",
                        self.trace.run, self.trace.seed
                    )
                }
            );
            for (k, line) in wrap(&note, 12.0, SIDE - 24, 3).into_iter().enumerate() {
                root.draw(&Text::new(
                    line,
                    (lx - 1, ly + 26 + 15 * k as i32),
                    text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
        Ok(())
    }
}
