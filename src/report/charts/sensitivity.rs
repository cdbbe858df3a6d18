//! Sensitivity (`brink sensitivity`): the uncertain numbers that drive a measure most, as
//! horizontal bars of their partial rank correlation with 95% interval whiskers, each labelled
//! with its path and a shortened source. Drawn in the same style as the run charts, but from
//! its own inputs (it has no run summary), and as tall as its rows need.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Axes, Chart, Drawing, Drawn, INK, MUTED, Mark, PALETTE, WIDTH, fit, fit_apart,
    frame_with_footer, mesh_with, plot, text, text_width, widest,
};
use crate::error::Result;

/// One bar: a parameter's PRCC and its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The parameter's path.
    pub label: String,
    /// Its source, shortened ("article ¶32").
    pub source: String,
    /// Its partial rank correlation with the measure.
    pub value: f64,
    /// The low end of its 95% interval.
    pub low: f64,
    /// The high end of its 95% interval.
    pub high: f64,
}

/// A count with groups of thousands: 4,000.
pub fn thousands(n: u64) -> String {
    super::group_thousands(n)
}

/// Bars that raise the measure.
const UP: RGBColor = PALETTE[1];
/// Bars that lower it.
const DOWN: RGBColor = PALETTE[0];
/// Pixels per row.
const ROW: u32 = 30;

fn excludes_zero(b: &Bar) -> bool {
    b.low > 0.0 || b.high < 0.0
}

/// The chart's height for `n` bars.
pub fn height(n: usize) -> u32 {
    (190 + ROW * n as u32).max(480)
}

/// Draws the chart as SVG and PNG.
pub fn render(title: &str, subtitle: &str, footer: &str, bars: &[Bar]) -> Result<Chart> {
    super::render(&Sensitivity {
        title,
        subtitle,
        footer,
        bars,
    })
}

/// A correlation with its sign: "+0.42", "−0.13"; one that two decimals would show as 0 is
/// given to its first figure ("+0.004"), so that an interval's end near 0 still shows which
/// side of 0 it is on ("0.00 to +0.10" read as an interval that includes 0, drawn as one that
/// does not); 0 itself is "0".
fn signed(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    // An undefined correlation (a constant outcome) has no side: "+NaN" read as positive.
    if !x.is_finite() {
        return "n/a".into();
    }
    let mut decimals = 2;
    while decimals < 9 && (x.abs() * 10f64.powi(decimals)).round() == 0.0 {
        decimals += 1;
    }
    let s = format!("{:.*}", decimals as usize, x.abs());
    if x < 0.0 {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

/// The chart, from its texts and bars.
struct Sensitivity<'a> {
    title: &'a str,
    subtitle: &'a str,
    footer: &'a str,
    bars: &'a [Bar],
}

impl Drawing for Sensitivity<'_> {
    fn name(&self) -> &'static str {
        "sensitivity"
    }

    fn title(&self) -> String {
        self.title.to_string()
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, height(self.bars.len()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let (title, subtitle, footer, bars) = (self.title, self.subtitle, self.footer, self.bars);
        let legend = [
            (Mark::Fill(UP, 0.85), "raises it".to_string()),
            (Mark::Fill(DOWN, 0.85), "lowers it".to_string()),
            (
                Mark::Fill(RGBColor(0x88, 0x88, 0x88), 0.3),
                "pale: 95% interval includes 0".to_string(),
            ),
            (
                Mark::Line(INK, false),
                "95% interval (Fisher z)".to_string(),
            ),
        ];
        let body = frame_with_footer(root, footer, title, subtitle, &legend)?;
        if bars.is_empty() {
            return Ok(());
        }

        // Columns: labels | plot | values.
        let (bw, _) = body.dim_in_pixel();
        let label_w = bars
            .iter()
            .map(|b| text_width(&b.label, 13.0).max(text_width(&b.source, 11.5)))
            .max()
            .unwrap_or(0)
            .clamp(120, bw * 2 / 5)
            + 16;
        let values: Vec<String> = bars
            .iter()
            .map(|b| {
                format!(
                    "{}  ({} to {})",
                    signed(b.value),
                    signed(b.low),
                    signed(b.high)
                )
            })
            .collect();
        let value_w = widest(&values, 13.0).max(text_width("PRCC (95% interval)", 13.0)) + 24;
        let (plot_area, side) = body.split_horizontally(bw.saturating_sub(value_w));
        // A symmetric axis, to the next 0.1 beyond the widest interval.
        let reach = bars
            .iter()
            .map(|b| b.low.abs().max(b.high.abs()).max(b.value.abs()))
            .fold(0.0_f64, f64::max);
        let xr = ((reach * 10.0).ceil() / 10.0).clamp(0.2, 1.0);
        let n = bars.len() as f64;
        let mut chart = plot(&plot_area, -xr..xr, -0.5..n - 0.5, label_w)?;
        // As many ticks as the plot's width holds ("−0.50" takes about 40 pixels): twelve on a
        // narrow plot ran together ("−0.50−0.40−0.30").
        let plot_w = plot_area.dim_in_pixel().0.saturating_sub(label_w);
        let ticks = (plot_w / 55).clamp(3, 12) as usize;
        mesh_with(
            &mut chart,
            &Axes {
                // Short enough for the axis under a wide label column (the sign's key was cut).
                x_desc: "PRCC: + raises what is ranked, − lowers it".into(),
                y_desc: String::new(),
                x_fmt: &|v: &f64| {
                    if v.abs() < 1e-9 {
                        "0".into()
                    } else {
                        signed(*v)
                    }
                },
                y_fmt: &|_| String::new(),
                x_grid: true,
                y_grid: false,
                y_numbers: false,
            },
            ticks,
            8,
        )?;
        let y_of = |i: usize| n - 1.0 - i as f64;
        let row_px = super::row_pixels(&chart);
        let half = 0.3_f64.min(10.0 / row_px);
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let y = y_of(i);
            let col = if b.value >= 0.0 { UP } else { DOWN };
            let alpha = if excludes_zero(b) { 0.85 } else { 0.3 };
            let v = b.value.clamp(-xr, xr);
            let (x0, x1) = if v >= 0.0 { (0.0, v) } else { (v, 0.0) };
            Rectangle::new([(x0, y - half), (x1, y + half)], col.mix(alpha).filled())
        }))?;
        // The zero line, over the bars' ends.
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n - 0.5)],
            INK.stroke_width(1),
        )))?;
        let cap = (half * 0.6).min(6.0 / row_px);
        for (i, b) in bars.iter().enumerate() {
            let y = y_of(i);
            let (lo, hi) = (b.low.clamp(-xr, xr), b.high.clamp(-xr, xr));
            let col = if excludes_zero(b) { INK } else { MUTED };
            chart.draw_series(
                [
                    vec![(lo, y), (hi, y)],
                    vec![(lo, y - cap), (lo, y + cap)],
                    vec![(hi, y - cap), (hi, y + cap)],
                ]
                .into_iter()
                .map(|p| PathElement::new(p, col.stroke_width(2))),
            )?;
        }
        // Paths and sources at the left, numbers at the right, level with their bars.
        let base = side.get_base_pixel();
        let first = chart.backend_coord(&(0.0, y_of(0))).1;
        side.draw(&Text::new(
            "PRCC (95% interval)",
            (12, (first - base.1 - (row_px / 2.0) as i32 - 2).max(8)),
            text(13.0, MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))?;
        let two_lines = row_px >= 26.0;
        // The first line of each bar's label, fitted so that no two read alike.
        let firsts: Vec<String> = bars
            .iter()
            .map(|b| {
                if two_lines {
                    b.label.clone()
                } else {
                    format!("{} · {}", b.label, b.source)
                }
            })
            .collect();
        let firsts = fit_apart(
            &firsts.iter().map(String::as_str).collect::<Vec<_>>(),
            if two_lines { 13.0 } else { 12.0 },
            label_w - 16,
        );
        for (i, (b, first)) in bars.iter().zip(firsts).enumerate() {
            let (px, py) = chart.backend_coord(&(-xr, y_of(i)));
            let lx = px - 10;
            if two_lines {
                root.draw(&Text::new(
                    first,
                    (lx, py - 6),
                    text(13.0, INK).pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
                root.draw(&Text::new(
                    fit(&b.source, 11.5, label_w - 16),
                    (lx, py + 8),
                    text(11.5, MUTED).pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
            } else {
                root.draw(&Text::new(
                    first,
                    (lx, py),
                    text(12.0, INK).pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
            }
            side.draw(&Text::new(
                values[i].clone(),
                (12, py - base.1),
                text(13.0, if excludes_zero(b) { INK } else { MUTED })
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::signed;

    #[test]
    fn an_end_near_zero_shows_its_side() {
        assert_eq!(signed(0.4251), "+0.43");
        assert_eq!(signed(-0.13), "−0.13");
        // Two decimals would print these as 0.00, on neither side of 0.
        assert_eq!(signed(0.0038), "+0.004");
        assert_eq!(signed(-0.00001), "−0.00001");
        assert_eq!(signed(0.0), "0");
        assert_eq!(signed(f64::NAN), "n/a");
        assert_eq!(signed(f64::INFINITY), "n/a");
    }
}
