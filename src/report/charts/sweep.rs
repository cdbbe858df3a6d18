//! The chart of `brink sweep`: every outcome's probability as a line over the parameter's
//! values, with its 95% Wilson band, and the scenario's own value marked.

use plotters::prelude::*;

use super::{
    Area, Axes, Chart, Drawing, Drawn, MUTED, Mark, frame_with_footer, legend, mesh, pct_label,
    plot, series_style, tick_label_for, with_legend,
};
use crate::analysis::sweep::SweepResult;
use crate::error::Result;
use crate::scenario::param::fmt_num;

/// Most outcome lines on the chart: more cannot be told apart.
const MAX_LINES: usize = 8;

/// The outcomes' probabilities along the grid: the chosen outcome first, then the others, at
/// most [`MAX_LINES`] in all ([`lines_shown`]).
struct SweepChart<'a> {
    r: &'a SweepResult,
    sc: &'a crate::scenario::Scenario,
    /// Indices into `r.outcomes` of the lines drawn.
    shown: Vec<usize>,
    /// Whether the first line drawn is the outcome `--outcome` chose.
    chosen: bool,
}

impl SweepChart<'_> {
    fn footer(&self) -> String {
        let m = &self.r.manifest;
        let mut f = format!(
            "{} · seed {} · {} {} per value",
            m.scenario,
            m.seed,
            super::group_thousands(m.runs),
            if m.runs == 1 { "run" } else { "runs" }
        );
        if let Some(v) = &m.variant {
            f += &format!(" · variant {v}");
        }
        if !m.complete {
            f += " · incomplete";
        }
        f
    }
}

impl Drawing for SweepChart<'_> {
    fn name(&self) -> &'static str {
        "sweep"
    }

    fn title(&self) -> String {
        let labels = crate::report::html::Labels { sc: self.sc };
        format!("Outcomes as {} varies", labels.path(&self.r.path))
    }

    fn size(&self) -> (u32, u32) {
        let rows = self.shown.len() as u32;
        (
            super::WIDTH,
            (rows * 24 + 200).clamp(super::HEIGHT, super::HEIGHT * 2),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB> {
        let r = self.r;
        let fixed = r.scenario_param == fmt_num(r.scenario_value);
        let (x0, x1) = (r.from.min(r.to), r.from.max(r.to));
        let sv = r.scenario_value;
        // The dashed line is drawn only where the scenario's value falls within the grid; a
        // legend entry for it elsewhere named a line that was not there.
        let marked = sv >= x0 && sv <= x1;
        let mut header = vec![
            (Mark::Line(MUTED, false), "probability".to_string()),
            (Mark::Fill(MUTED, 0.2), "95% interval (Wilson)".to_string()),
        ];
        if marked {
            header.push((
                Mark::Line(MUTED, true),
                if fixed {
                    format!("the scenario's value ({})", r.scenario_param)
                } else {
                    format!("the scenario's central value ({})", fmt_num(sv))
                },
            ));
        }
        let body = frame_with_footer(
            root,
            &self.footer(),
            &self.title(),
            &format!(
                "Share of runs in which each outcome happened, at {} values, every value on the same runs{}{}{}",
                r.steps,
                if fixed {
                    String::new()
                } else {
                    format!(
                        "; {} {}",
                        crate::report::sweep::holder(&r.manifest),
                        r.scenario_param
                    )
                },
                if marked {
                    String::new()
                } else {
                    format!(
                        "; the scenario's {}value ({}) lies outside the range",
                        if fixed { "" } else { "central " },
                        fmt_num(sv)
                    )
                },
                if self.shown.len() < r.outcomes.len()
                    && (0..r.outcomes.len()).all(|k| range_along(r, k) == 0.0)
                {
                    // Flat lines all: "those that move most" said they moved (a helper).
                    format!(
                        "; {} of {} outcomes: none moves along the grid (all in sweep.csv)",
                        self.shown.len(),
                        r.outcomes.len(),
                    )
                } else if self.shown.len() < r.outcomes.len() {
                    format!(
                        "; {} of {} outcomes: {} move most (all in sweep.csv)",
                        self.shown.len(),
                        r.outcomes.len(),
                        if self.chosen {
                            "the chosen one and those that"
                        } else {
                            "those that"
                        }
                    )
                } else {
                    String::new()
                }
            ),
            &header,
        )?;
        let entries: Vec<(Mark, String)> = self
            .shown
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let (c, dashed) = series_style(i);
                (
                    Mark::Line(c, dashed),
                    super::outcome_label(self.sc, &r.outcomes[k]),
                )
            })
            .collect();
        let (plot_area, side) = with_legend(&body, entries.iter().map(|e| e.1.clone()));
        let top = r
            .points
            .iter()
            .flat_map(|p| self.shown.iter().map(|&k| p.outcomes[k].probability.high))
            .fold(0.0, f64::max);
        let ymax = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8]
            .into_iter()
            .find(|&m| top <= m)
            .unwrap_or(1.0);
        let mut chart = plot(&plot_area, x0..x1, 0.0..ymax, 56)?;
        mesh(
            &mut chart,
            &Axes {
                x_desc: crate::report::html::Labels { sc: self.sc }.path(&r.path),
                y_desc: "probability (share of runs)".into(),
                x_fmt: &tick_label_for(x1 - x0),
                y_fmt: &pct_label,
                x_grid: true,
                y_grid: true,
                y_numbers: true,
            },
        )?;
        if marked {
            chart.draw_series(DashedLineSeries::new(
                vec![(sv, 0.0), (sv, ymax)],
                6,
                4,
                MUTED.stroke_width(2),
            ))?;
        }
        let clamp = |p: f64| p.clamp(0.0, ymax);
        for (i, &k) in self.shown.iter().enumerate() {
            let (col, _) = series_style(i);
            let mut band: Vec<(f64, f64)> = r
                .points
                .iter()
                .map(|p| (p.value, clamp(p.outcomes[k].probability.high)))
                .collect();
            band.extend(
                r.points
                    .iter()
                    .rev()
                    .map(|p| (p.value, clamp(p.outcomes[k].probability.low))),
            );
            chart.draw_series(std::iter::once(Polygon::new(band, col.mix(0.12).filled())))?;
        }
        for (i, &k) in self.shown.iter().enumerate() {
            let (col, dashed) = series_style(i);
            let pts: Vec<(f64, f64)> = r
                .points
                .iter()
                .map(|p| (p.value, clamp(p.outcomes[k].probability.estimate)))
                .collect();
            if dashed {
                chart.draw_series(DashedLineSeries::new(
                    pts.clone(),
                    8,
                    5,
                    col.stroke_width(2),
                ))?;
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))?;
            }
            if r.points.len() <= 41 {
                chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, col.filled())))?;
            }
        }
        legend(&side, "outcome", &entries)
    }
}

/// Draws the sweep's chart (`sweep.png`, `sweep.svg`): `outcome` (an index into
/// `r.outcomes`, the one `--outcome` chose) first, then the others ([`lines_shown`]), by their
/// labels from `model`'s scenario.
pub fn render(
    model: &crate::model::Model,
    r: &SweepResult,
    outcome: Option<usize>,
) -> Result<Chart> {
    super::render(&SweepChart {
        r,
        sc: &model.scenario,
        shown: lines_shown(r, outcome),
        chosen: outcome.is_some(),
    })
}

/// The outcomes drawn: `outcome` first, then, when there are more than [`MAX_LINES`], those
/// whose probability moves most along the grid (an outcome that stays at 0% or 100% tells
/// nothing a line could show), in the scenario's order; all of them when they fit.
/// How far outcome `k`'s probability moves along the grid (its highest less its lowest).
fn range_along(r: &SweepResult, k: usize) -> f64 {
    let p = r.points.iter().map(|p| p.outcomes[k].probability.estimate);
    p.clone().fold(f64::NEG_INFINITY, f64::max) - p.fold(f64::INFINITY, f64::min)
}

fn lines_shown(r: &SweepResult, outcome: Option<usize>) -> Vec<usize> {
    let mut others: Vec<usize> = (0..r.outcomes.len())
        .filter(|k| Some(*k) != outcome)
        .collect();
    let room = MAX_LINES - usize::from(outcome.is_some());
    if others.len() > room {
        // Each outcome's range along the grid, once (not at every comparison of the sort).
        let range: Vec<f64> = (0..r.outcomes.len()).map(|k| range_along(r, k)).collect();
        // Widest range first; a tie keeps the scenario's order (the sort is stable).
        others.sort_by(|&a, &b| range[b].total_cmp(&range[a]));
        others.truncate(room);
        others.sort_unstable();
    }
    outcome.into_iter().chain(others).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::{MAX_LINES, lines_shown};
    use crate::analysis::sweep::{self, SweepRequest};

    /// With more outcomes than lines, the chosen one first, then those that move most: no
    /// outcome left out moves more along the grid than one drawn.
    #[test]
    fn the_lines_drawn_are_the_outcomes_that_move_most() {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/examples/tutorial.ron"
        ));
        let loaded = crate::scenario::load(path, crate::scenario::LoadOptions::default()).unwrap();
        let req = SweepRequest {
            specs: vec!["relations.north->south.fatigue=0..0.5:4".parse().unwrap()],
            variant: None,
            runs: 200,
            seed: 7,
            threads: 1,
            command: vec!["brink".into(), "sweep".into()],
        };
        let r = sweep::run(&loaded, &req, &AtomicBool::new(false)).unwrap();
        assert!(r.outcomes.len() > MAX_LINES);
        let range = |k: usize| {
            let p: Vec<f64> = r
                .points
                .iter()
                .map(|p| p.outcomes[k].probability.estimate)
                .collect();
            p.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                - p.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let last = r.outcomes.len() - 1;
        let shown = lines_shown(&r, Some(last));
        assert_eq!(shown.len(), MAX_LINES);
        assert_eq!(shown[0], last, "the chosen outcome first");
        assert!(shown[1..].is_sorted(), "the others in the scenario's order");
        let least_drawn = shown[1..]
            .iter()
            .map(|&k| range(k))
            .fold(f64::INFINITY, f64::min);
        let left_out: Vec<usize> = (0..r.outcomes.len())
            .filter(|k| !shown.contains(k))
            .collect();
        assert!(left_out.iter().all(|&k| range(k) <= least_drawn));
        // The scenario's first outcomes alone (the old choice) would have drawn a flat one.
        assert!((0..MAX_LINES - 1).any(|k| range(k) < least_drawn));
        // Without a chosen outcome, as many lines.
        assert_eq!(lines_shown(&r, None).len(), MAX_LINES);
    }
}
