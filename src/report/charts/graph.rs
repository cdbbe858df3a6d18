//! `brink graph` drawn: actors on a circle, one arrow per ordered pair of actors (blue when the
//! first has measures against the second, orange for acts only, grey for a relation alone)
//! labelled with its levers, and the events in a column at the right, each with dashed arrows
//! to the actors it affects. A fixed layout: the same scenario always gives the same picture.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Drawing, Drawn, GRID, INK, MUTED, Mark, fit, frame_with_footer, text, text_width,
};
use crate::report::graph::{Diagram, EdgeKind, NodeKind};

/// Measures' colour.
const MEASURE: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
/// Acts' colour.
const ACT: RGBColor = RGBColor(0xd5, 0x5e, 0x00);
/// Relations' and effects' colour.
const LINK: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// Actor boxes' fill.
const ACTOR_FILL: RGBColor = RGBColor(0xe8, 0xf0, 0xfa);
/// Event boxes' fill.
const EVENT_FILL: RGBColor = RGBColor(0xfb, 0xf3, 0xe6);

/// Lines of lever labels shown per arrow before "+N more".
const MAX_LINES: usize = 9;

/// The scenario's diagram as a chart.
pub(crate) struct Graph<'a> {
    /// The diagram.
    pub d: &'a Diagram,
    /// The footer (the scenario file).
    pub footer: String,
}

/// A box on the canvas: centre and half sizes.
#[derive(Clone, Copy)]
struct Boxed {
    x: f64,
    y: f64,
    hw: f64,
    hh: f64,
}

impl Boxed {
    /// Where the segment from the centre toward (tx, ty) leaves the box.
    fn exit(&self, tx: f64, ty: f64) -> (f64, f64) {
        let (dx, dy) = (tx - self.x, ty - self.y);
        let t = (self.hw / dx.abs().max(1e-9))
            .min(self.hh / dy.abs().max(1e-9))
            .min(1.0);
        (self.x + dx * t, self.y + dy * t)
    }
}

fn arrow<DB: DrawingBackend>(
    area: &Area<DB>,
    from: (f64, f64),
    to: (f64, f64),
    color: RGBColor,
    width: u32,
    dashed: bool,
) -> Drawn<DB> {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let head = 10.0;
    let end = (to.0 - ux * head * 0.8, to.1 - uy * head * 0.8);
    let p = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    if dashed {
        let mut s = 0.0;
        while s < len - head {
            let e = (s + 7.0).min(len - head);
            area.draw(&PathElement::new(
                vec![
                    p(from.0 + ux * s, from.1 + uy * s),
                    p(from.0 + ux * e, from.1 + uy * e),
                ],
                color.stroke_width(width),
            ))?;
            s += 12.0;
        }
    } else {
        area.draw(&PathElement::new(
            vec![p(from.0, from.1), p(end.0, end.1)],
            color.stroke_width(width),
        ))?;
    }
    let (bx, by) = (to.0 - ux * head, to.1 - uy * head);
    area.draw(&Polygon::new(
        vec![
            p(to.0, to.1),
            p(bx - uy * head * 0.45, by + ux * head * 0.45),
            p(bx + uy * head * 0.45, by - ux * head * 0.45),
        ],
        color.filled(),
    ))
}

impl Drawing for Graph<'_> {
    fn name(&self) -> &'static str {
        "graph"
    }

    fn title(&self) -> String {
        format!("Actors, levers and events: {}", self.d.title)
    }

    fn size(&self) -> (u32, u32) {
        (1400, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let d = self.d;
        let legend = [
            (
                Mark::Line(MEASURE, false),
                "measures (owner → target)".to_string(),
            ),
            (Mark::Line(ACT, false), "acts".to_string()),
            (
                Mark::Line(LINK, false),
                "relation only (hostility)".to_string(),
            ),
            (Mark::Line(LINK, true), "an event's effects".to_string()),
        ];
        let body = frame_with_footer(
            root,
            &self.footer,
            &self.title(),
            "Each arrow: what the first actor can do to the second; events at the right, with dashed arrows to the actors they affect",
            &legend,
        )?;
        let (w, h) = body.dim_in_pixel();
        let (w, h) = (w as f64, h as f64);
        let actors: Vec<usize> = (0..d.nodes.len())
            .filter(|&i| d.nodes[i].kind == NodeKind::Actor)
            .collect();
        let events: Vec<usize> = (0..d.nodes.len())
            .filter(|&i| d.nodes[i].kind == NodeKind::Event)
            .collect();
        let event_w = if events.is_empty() { 0.0 } else { 300.0 };
        let left = w - event_w;
        let (cx, cy) = (left / 2.0, h / 2.0);
        let (rx, ry) = ((left / 2.0 - 130.0).max(60.0), (h / 2.0 - 50.0).max(40.0));
        let n = actors.len().max(1);
        let start = if n == 2 {
            std::f64::consts::PI
        } else {
            -std::f64::consts::FRAC_PI_2
        };
        let mut boxes = vec![
            Boxed {
                x: 0.0,
                y: 0.0,
                hw: 0.0,
                hh: 0.0
            };
            d.nodes.len()
        ];
        // Labels cut to fit; two different ones cut to the same text keep their ends as well
        // ("Ministry of Foreign Affairs of …" named two actors alike).
        let mut shown = vec![String::new(); d.nodes.len()];
        let labels: Vec<&str> = actors.iter().map(|&i| d.nodes[i].label.as_str()).collect();
        for (&i, l) in actors.iter().zip(super::fit_apart(&labels, 15.0, 200)) {
            shown[i] = l;
        }
        for (k, &i) in actors.iter().enumerate() {
            let a = start + std::f64::consts::TAU * k as f64 / n as f64;
            let label = &shown[i];
            boxes[i] = Boxed {
                x: cx + rx * a.cos(),
                y: cy + ry * a.sin(),
                hw: text_width(label, 15.0) as f64 / 2.0 + 10.0,
                hh: 14.0,
            };
        }
        let slot = if events.is_empty() {
            0.0
        } else {
            (h / events.len() as f64).min(70.0)
        };
        for (k, &i) in events.iter().enumerate() {
            boxes[i] = Boxed {
                x: left + event_w / 2.0 + 10.0,
                y: slot * (k as f64 + 0.5),
                hw: event_w / 2.0 - 10.0,
                hh: (slot / 2.0 - 4.0).clamp(8.0, 28.0),
            };
        }
        // Events' effects first, under everything else.
        for e in d.edges.iter().filter(|e| e.kind == EdgeKind::Affects) {
            let (a, b) = (boxes[e.from], boxes[e.to]);
            arrow(&body, a.exit(b.x, b.y), b.exit(a.x, a.y), LINK, 1, true)?;
        }
        // One arrow per ordered pair of actors, offset to its right so that a → b and b → a
        // stay apart.
        let mut pairs: Vec<(usize, usize)> = d
            .edges
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EdgeKind::Relation | EdgeKind::Measure | EdgeKind::Act
                )
            })
            .map(|e| (e.from, e.to))
            .collect();
        pairs.dedup();
        let mut labels_at = vec![];
        for &(f, t) in &pairs {
            let of = |k: EdgeKind| {
                d.edges
                    .iter()
                    .find(|e| e.from == f && e.to == t && e.kind == k)
                    .map(|e| e.labels.clone())
            };
            let measures = of(EdgeKind::Measure).unwrap_or_default();
            let acts = of(EdgeKind::Act).unwrap_or_default();
            let (color, width) = if !measures.is_empty() {
                (MEASURE, 3)
            } else if !acts.is_empty() {
                (ACT, 3)
            } else {
                (LINK, 1)
            };
            let (a, b) = (boxes[f], boxes[t]);
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (px, py) = (-dy / len * 7.0, dx / len * 7.0);
            let s = a.exit(b.x, b.y);
            let e = b.exit(a.x, a.y);
            arrow(
                &body,
                (s.0 + px, s.1 + py),
                (e.0 + px, e.1 + py),
                color,
                width,
                false,
            )?;
            let mut lines: Vec<(String, RGBColor)> = measures
                .iter()
                .map(|l| (l.clone(), MEASURE))
                .chain(acts.iter().map(|l| (l.clone(), ACT)))
                .collect();
            if lines.len() > MAX_LINES {
                let more = lines.len() - (MAX_LINES - 1);
                lines.truncate(MAX_LINES - 1);
                lines.push((format!("+{more} more"), MUTED));
            }
            if !lines.is_empty() {
                // Beside the arrow, 45% of the way from its owner, on its own side.
                let mx = s.0 + 0.45 * (e.0 - s.0) + px;
                let my = s.1 + 0.45 * (e.1 - s.1) + py;
                labels_at.push((mx, my, px / 7.0, py / 7.0, lines));
            }
        }
        for (mx, my, px, py, lines) in labels_at {
            let size = 12.0;
            let shown: Vec<(String, RGBColor)> = lines
                .into_iter()
                .map(|(l, c)| (fit(&l, size, 230), c))
                .collect();
            let bw = shown
                .iter()
                .map(|(l, _)| text_width(l, size))
                .max()
                .unwrap_or(0) as f64
                + 8.0;
            let bh = shown.len() as f64 * 15.0 + 4.0;
            // The block's centre away from the arrow by half its extent across it.
            let away = px.abs() * bw / 2.0 + py.abs() * bh / 2.0 + 6.0;
            let x0 = mx + px * away - bw / 2.0;
            let y0 = my + py * away - bh / 2.0;
            let x0 = x0.clamp(0.0, (left - bw).max(0.0));
            let y0 = y0.clamp(0.0, (h - bh).max(0.0));
            body.draw(&Rectangle::new(
                [(x0 as i32, y0 as i32), ((x0 + bw) as i32, (y0 + bh) as i32)],
                WHITE.mix(0.85).filled(),
            ))?;
            for (k, (l, c)) in shown.iter().enumerate() {
                body.draw(&Text::new(
                    l.clone(),
                    ((x0 + 4.0) as i32, (y0 + 2.0 + 15.0 * k as f64) as i32),
                    text(size, *c).pos(Pos::new(HPos::Left, VPos::Top)),
                ))?;
            }
        }
        for &i in &actors {
            let b = boxes[i];
            body.draw(&Rectangle::new(
                [
                    ((b.x - b.hw) as i32, (b.y - b.hh) as i32),
                    ((b.x + b.hw) as i32, (b.y + b.hh) as i32),
                ],
                ACTOR_FILL.filled(),
            ))?;
            body.draw(&Rectangle::new(
                [
                    ((b.x - b.hw) as i32, (b.y - b.hh) as i32),
                    ((b.x + b.hw) as i32, (b.y + b.hh) as i32),
                ],
                MEASURE.stroke_width(1),
            ))?;
            body.draw(&Text::new(
                shown[i].clone(),
                (b.x as i32, b.y as i32),
                text(15.0, INK).pos(Pos::new(HPos::Center, VPos::Center)),
            ))?;
        }
        for &i in &events {
            let b = boxes[i];
            let corners = [
                ((b.x - b.hw) as i32, (b.y - b.hh) as i32),
                ((b.x + b.hw) as i32, (b.y + b.hh) as i32),
            ];
            body.draw(&Rectangle::new(corners, EVENT_FILL.filled()))?;
            body.draw(&Rectangle::new(corners, GRID.stroke_width(1)))?;
            let mut detail = d.nodes[i].detail.clone();
            let after: Vec<String> = d
                .edges
                .iter()
                .filter(|e| e.to == i && e.kind == EdgeKind::Triggers)
                .map(|e| match d.nodes[e.from].kind {
                    NodeKind::Event => d.nodes[e.from].label.clone(),
                    NodeKind::Actor => e.labels.join(", "),
                })
                .collect();
            if !after.is_empty() {
                detail += &format!("; after {}", after.join(", "));
            }
            let maxw = (2.0 * b.hw - 10.0) as u32;
            let two = b.hh >= 14.0;
            let y = if two { b.y - 7.0 } else { b.y };
            body.draw(&Text::new(
                fit(&d.nodes[i].label, 13.0, maxw),
                ((b.x - b.hw + 5.0) as i32, y as i32),
                text(13.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            if two {
                body.draw(&Text::new(
                    fit(&detail, 11.0, maxw),
                    ((b.x - b.hw + 5.0) as i32, (b.y + 8.0) as i32),
                    text(11.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
        Ok(())
    }
}

/// Draws a scenario's diagram as PNG and SVG.
pub fn render(d: &Diagram, footer: &str) -> crate::error::Result<super::Chart> {
    super::render(&Graph {
        d,
        footer: footer.to_string(),
    })
}

/// Draws a scenario's diagram as SVG alone (no PNG drawn).
pub fn render_svg(d: &Diagram, footer: &str) -> crate::error::Result<String> {
    super::render_svg(&Graph {
        d,
        footer: footer.to_string(),
    })
}
