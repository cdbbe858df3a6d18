//! Charts of a run, each drawn twice from the same code: as PNG (rasterised here, with the
//! embedded DejaVu Sans font, so that a machine without any system font still draws every
//! label) and as SVG (text as `<text>` elements, drawn by the viewer's sans-serif font).
//!
//! Every chart has the same frame: a title, a subtitle in plain words, the plot, an optional
//! legend, and a footer naming the scenario, seed, runs and variant. Same summary, same bytes:
//! no timestamps, and every series in the scenario's order.
//!
//! Every chart is one type with the `Drawing` trait (its name, title, size and drawing code),
//! in its own file; `render` draws it into both formats, the only place that makes an SVG or
//! a PNG. A run's charts come from [`render_all`], a comparison's from [`compare::render_all`],
//! a sweep's and a sensitivity analysis' from [`sweep::render`] (one parameter),
//! [`sweep_heatmap::render`] (two) and [`sensitivity::render`], a
//! back-test's from [`backtest::render_case`] and [`backtest::render_pit`], a calibration's from
//! [`calibrate::render`], a traced run's timeline from `report::trace::timeline_charts`.

pub mod backtest;
pub mod calibrate;
mod co_occurrence;
pub mod compare;
mod convergence;
mod costs;
mod costs_ecdf;
pub mod experiment;
pub mod graph;
mod index_fan;
mod levers;
mod outcomes;
mod over_time;
mod raster;
pub use raster::{PngTextLost, png_text_lost};
mod rungs;
pub mod sensitivity;
pub mod sweep;
pub mod sweep_heatmap;
mod time_to_first;
pub(crate) mod trace_timeline;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::analysis::Summary;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::scenario::param::fmt_num;

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1000;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 600;

/// DejaVu Sans 2.37 (see `assets/fonts/LICENSE-DejaVu.txt`), compiled into the binary.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The font family every chart uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters (once per process) under every generic family
/// name, so that no text lookup ever falls through to the system.
pub fn register_font() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        ["sans-serif", "serif", "monospace"]
            .iter()
            .all(|family| plotters::style::register_font(family, FontStyle::Normal, FONT).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Failed(
            "the embedded chart font cannot be read".into(),
        ))
    }
}

/// One chart, drawn in both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem: the chart is written as `<name>.png` and `<name>.svg`.
    pub name: &'static str,
    /// The chart's title, as drawn at its top (and the report's caption).
    pub title: String,
    /// The chart as an SVG document.
    pub svg: String,
    /// The chart as a PNG image.
    pub png: Vec<u8>,
}

/// A chart, drawn by the same code on a canvas of any backend: [`render`] draws it once as
/// SVG and once as PNG. Adding a chart is adding a type with this trait (and calling
/// [`render`] on it where the chart belongs).
pub(crate) trait Drawing {
    /// File stem: the chart is written as `<name>.png` and `<name>.svg`.
    fn name(&self) -> &'static str;

    /// The title drawn at the chart's top.
    fn title(&self) -> String;

    /// The canvas, in pixels: [`WIDTH`] × [`HEIGHT`] unless the chart needs more rows.
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    /// Draws the whole chart on `root`, a canvas of [`Drawing::size`].
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Drawn<DB>;
}

/// A canvas of any backend, or a part of one.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;
/// What drawing on a canvas gives: nothing, or the backend's error.
pub(crate) type Drawn<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Draws a chart in both formats: into an SVG document, and into an RGB buffer (through
/// [`raster::Raster`], which draws text with the embedded font) encoded as PNG.
pub(crate) fn render(d: &impl Drawing) -> Result<Chart> {
    let svg = render_svg(d)?;
    let name = d.name();
    let size = d.size();
    let fail = |e: String| Error::Failed(format!("cannot draw chart {name}: {e}"));
    let mut rgb = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = raster::Raster(BitMapBackend::with_buffer(&mut rgb, size)).into_drawing_area();
        d.draw(&root).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    let png = encode_png(&rgb, size).map_err(fail)?;
    Ok(Chart {
        name,
        title: d.title(),
        svg,
        png,
    })
}

/// Draws a chart as an SVG document alone (for a command that writes no PNG: none is drawn,
/// and nothing is told of text a PNG could not show).
pub(crate) fn render_svg(d: &impl Drawing) -> Result<String> {
    register_font()?;
    let name = d.name();
    let fail = |e: String| Error::Failed(format!("cannot draw chart {name}: {e}"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, d.size()).into_drawing_area();
        d.draw(&root).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(xml_chars_only(svg))
}

/// Whether brink's charts may hold the character: none but tab, newline and carriage return of
/// the control characters (C0, DEL, C1), and no noncharacter. The charts are written so
/// ([`xml_chars_only`]) and `brink report` refuses a chart read from a folder otherwise
/// ([`crate::report::combined::SvgChart::new`]).
pub(crate) fn written_in_a_chart(c: char) -> bool {
    !((c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || crate::text::noncharacter(c))
}

/// The SVG with every character XML 1.0 forbids (C0 controls other than tab, newline and
/// carriage return; U+FFFE, U+FFFF) replaced by U+FFFD, and so every other control character
/// (DEL, C1) and noncharacter (U+FDD0, U+1FFFF...), which `brink report` refuses in a chart it
/// reads ([`crate::report::combined::SvgChart::new`]). Scenario text holding them is refused
/// when read, but a chart also shows what no validation reads: the scenario file's own name in
/// a graph's footer held U+FFFE, and the SVG was not XML (a reviewing pass).
fn xml_chars_only(svg: String) -> String {
    let forbidden = |c: char| !written_in_a_chart(c);
    if svg.contains(forbidden) {
        svg.replace(forbidden, "\u{fffd}")
    } else {
        svg
    }
}

/// An RGB buffer of `w` × `h` pixels as PNG (the same pixels always give the same bytes). The
/// encoder's default compression: its best took half of a 10,000-run `brink run` of the
/// flagship (0.66 s against 0.37 s) for files 0.4% larger than the default's on these charts.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> std::result::Result<Vec<u8>, String> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = vec![];
    PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive)
        .write_image(rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// What the charts read: the summary, plus the ladder's thresholds from the model.
pub(crate) struct Ctx<'a> {
    pub s: &'a Summary,
    pub thresholds: &'a [f64],
    pub bounds: (f64, f64),
    /// The scenario, for its labels (none for a back-test case's charts: ids then).
    pub sc: Option<&'a crate::scenario::Scenario>,
}

impl Ctx<'_> {
    /// The focal pair by their short labels.
    pub fn focal(&self) -> (String, String) {
        match self.sc {
            Some(sc) => focal_labels(sc),
            None => self.s.scenario.focal.clone(),
        }
    }

    /// Rung `r` of the ladder by its short label (`name` without a scenario or a label).
    pub fn rung(&self, r: usize, name: &str) -> String {
        self.sc
            .and_then(|sc| sc.ladder.get(r))
            .filter(|x| x.name == name)
            .map_or(name.to_string(), |x| short_label(&x.label, &x.name))
    }

    /// An actor's short label by its name.
    pub fn actor(&self, name: &str) -> String {
        self.sc
            .and_then(|sc| sc.actors.iter().find(|a| a.name == name))
            .map_or(name.to_string(), |a| short_label(&a.label, &a.name))
    }

    /// A lever's (measure's or act's) short label by its name.
    pub fn lever(&self, name: &str) -> String {
        use crate::scenario::Lever;
        self.sc
            .and_then(|sc| {
                sc.levers.iter().find_map(|l| match l {
                    Lever::Measure(m) if m.name == name => Some(short_label(&m.label, &m.name)),
                    Lever::Act(a) if a.name == name => Some(short_label(&a.label, &a.name)),
                    _ => None,
                })
            })
            .unwrap_or_else(|| name.to_string())
    }

    /// The step unit, singular ("week").
    pub fn unit(&self) -> &str {
        crate::scenario::step_one(&self.s.scenario.step_unit)
    }

    /// The x-axis title of charts over time: "week" (and the date of step 0 if known).
    pub fn time_axis(&self) -> String {
        match self.s.date_of_step(0) {
            Some(d) => format!("{} (0 = {d})", self.unit()),
            None => self.unit().to_string(),
        }
    }

    /// The footer: "scenario · seed S · N runs [· variant V]".
    pub fn footer(&self) -> String {
        let m = &self.s.manifest;
        let mut f = format!(
            "{} · seed {} · {}",
            self.s.scenario.name,
            m.seed,
            n_runs(m.runs)
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

/// Draws every chart of a run that has something to show, in both formats, in the order the
/// report shows them. The charts are drawn side by side on the current rayon pool (the
/// application runs this in a pool of `--threads` threads): rasterising and compressing them
/// took a third of a 10,000-run `brink run` of the flagship on one thread. Each chart is drawn
/// alone, so the bytes are the same on any number of threads.
pub fn render_all(model: &Model, summary: &Summary) -> Result<Vec<Chart>> {
    use rayon::prelude::*;
    type Job<'a> = Box<dyn Fn() -> Result<Chart> + Send + Sync + 'a>;
    let s = summary;
    let c = &Ctx {
        s,
        thresholds: &model.rung_thresholds,
        bounds: model.bounds,
        sc: Some(&model.scenario),
    };
    let mut jobs: Vec<Job> = vec![];
    if !s.index_by_step.is_empty() {
        jobs.push(Box::new(|| render(&index_fan::IndexFan(c))));
    }
    if !s.rung_by_step.is_empty() && !s.scenario.rungs.is_empty() {
        jobs.push(Box::new(|| render(&rungs::Rungs(c))));
    }
    if !s.outcomes.is_empty() {
        jobs.push(Box::new(|| render(&outcomes::Outcomes(c))));
    }
    if s.outcomes.iter().any(|o| !o.by_step.is_empty()) {
        jobs.push(Box::new(|| render(&time_to_first::TimeToFirst(c))));
        jobs.push(Box::new(|| render(&over_time::OverTime(c))));
    }
    // With one outcome there is nothing for it to co-occur with.
    if s.outcomes.len() >= 2 && s.co_occurrence.len() == s.outcomes.len() {
        jobs.push(Box::new(|| render(&co_occurrence::CoOccurrence(c))));
    }
    // Whether the headline estimates have settled (from 100 runs on).
    if convergence::drawable(c) {
        jobs.push(Box::new(|| render(&convergence::Convergence(c))));
    }
    if costs::actors(c).next().is_some() {
        jobs.push(Box::new(|| render(&costs::Costs(c))));
        jobs.push(Box::new(|| render(&costs_ecdf::CostsEcdf::new(c, model))));
    }
    if s.levers.iter().any(|l| !l.mean_level.is_empty()) {
        jobs.push(Box::new(|| render(&levers::Levers(c))));
    }
    // Collected in order, then the first failure in that order: the same error whatever
    // the threads.
    let drawn: Vec<Result<Chart>> = jobs.par_iter().map(|job| job()).collect();
    drawn.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Shared style.

/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text (subtitles, footers, axis numbers).
pub(crate) const MUTED: RGBColor = RGBColor(0x5f, 0x5f, 0x5f);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
/// The main series colour (single-series charts).
pub(crate) const MAIN: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);

/// Series colours, distinguishable by most colour-blind readers (Okabe–Ito first); series past
/// the tenth repeat them with a dashed line.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0x55, 0x55, 0x55),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The colour and dash of the i-th series.
pub(crate) fn series_style(i: usize) -> (RGBColor, bool) {
    (PALETTE[i % PALETTE.len()], i >= PALETTE.len())
}

/// Colours of the escalation ladder, from the lowest rung (cool blue) to the highest (dark red).
pub(crate) fn rung_color(r: usize, n: usize) -> RGBColor {
    const STOPS: [(u8, u8, u8); 6] = [
        (0x45, 0x75, 0xb4),
        (0x91, 0xbf, 0xdb),
        (0xfe, 0xe0, 0x90),
        (0xfc, 0x8d, 0x59),
        (0xd7, 0x30, 0x27),
        (0x7f, 0x00, 0x00),
    ];
    let t = if n <= 1 {
        0.0
    } else {
        r as f64 / (n - 1) as f64
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A text style of the embedded family.
pub(crate) fn text(size: f64, color: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: (FAMILY, size).into_font(),
        color: color.to_backend_color(),
        pos: Pos::default(),
    }
}

/// The H range rung `r` covers: from its threshold (the lower bound for the first rung) to the
/// next rung's (the upper bound for the last).
pub(crate) fn rung_range(thresholds: &[f64], bounds: (f64, f64), r: usize) -> (f64, f64) {
    let lo = if r == 0 { bounds.0 } else { thresholds[r] };
    let hi = thresholds.get(r + 1).copied().unwrap_or(bounds.1);
    (lo, hi)
}

/// Rung `r`'s range in words: "H below 2", "H 2 to 4", "H 4 and above".
pub(crate) fn rung_words(thresholds: &[f64], bounds: (f64, f64), r: usize) -> String {
    let (lo, hi) = rung_range(thresholds, bounds, r);
    if r == 0 {
        format!("H below {}", fmt_num(hi))
    } else if r + 1 == thresholds.len() {
        format!("H {} and above", fmt_num(lo))
    } else {
        format!("H {} to {}", fmt_num(lo), fmt_num(hi))
    }
}

/// The outline of a band of 95% intervals about a line at steps 0, 1, …: the upper ends
/// forward, then the lower ends back, each cut to the scale's 0 to `top`.
pub(crate) fn band_outline(band: &[crate::stats::Interval], top: f64) -> Vec<(f64, f64)> {
    let cut = |p: f64| p.clamp(0.0, top);
    (band.iter().enumerate())
        .map(|(t, b)| (t as f64, cut(b.high)))
        .chain(
            (band.iter().enumerate())
                .rev()
                .map(|(t, b)| (t as f64, cut(b.low))),
        )
        .collect()
}

/// The top of a probability axis for curves whose highest point is `top`: the whole 0–100%
/// scale, unless every curve stays rare: then the smallest of 5%, 10%, 20%, ... 50% that holds
/// them all, so that rare outcomes are not flat lines on the axis.
pub(crate) fn probability_top(top: f64) -> f64 {
    [0.05, 0.1, 0.2, 0.3, 0.4, 0.5]
        .into_iter()
        .find(|&m| top <= m * 0.95)
        .unwrap_or(1.0)
}

/// The y range of a chart of H whose values run from `lo` to `hi`: at least one point wide,
/// widened to the neighbouring rung thresholds when they are within that span (so that the
/// reader sees how far the next rung is), padded by 8%, and within the hostility bounds.
pub(crate) fn index_range(lo: f64, hi: f64, thresholds: &[f64], bounds: (f64, f64)) -> (f64, f64) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if hi - lo < 1.0 {
        let mid = (hi + lo) / 2.0;
        lo = mid - 0.5;
        hi = mid + 0.5;
    }
    let span = hi - lo;
    // The first rung starts at the bottom of the scale: only the thresholds between rungs count.
    let inner = || thresholds.iter().skip(1).copied();
    if let Some(t) = inner().filter(|&t| t > hi).reduce(f64::min)
        && t - hi <= span
    {
        hi = t;
    }
    if let Some(t) = inner().filter(|&t| t < lo).reduce(f64::max)
        && lo - t <= span
    {
        lo = t;
    }
    let pad = (hi - lo) * 0.08;
    (
        (lo - pad).max(bounds.0.min(lo)),
        (hi + pad).min(bounds.1.max(hi)),
    )
}

/// A text cut to at most `max` columns of a terminal, with "…" in place of what is cut (for
/// terminal tables, where a long label would push every column off the screen). Columns, not
/// characters: a CJK character takes two, a combining accent none (cut by characters, a CJK
/// label took twice the room of a Latin one, and "é" written as e + U+0301 lost half its
/// letters). A cut never splits a sequence joined by U+200D (an emoji family).
///
/// ```
/// use brink::report::charts::fit_chars;
/// assert_eq!(fit_chars("危机危机危机", 7), "危机危…");
/// assert_eq!(fit_chars("cafe\u{301} noir", 6), "cafe\u{301} …");
/// let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
/// assert_eq!(fit_chars(&format!("ab{family}cd"), 5), format!("ab{family}…"));
/// assert_eq!(fit_chars(&format!("ab{family}cd"), 4), "ab…");
/// assert_eq!(fit_chars(&"\u{26a0}\u{fe0f}".repeat(26), 48).trim_end_matches('…').chars().count(), 46);
/// ```
pub fn fit_chars(s: &str, max: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if s.width() <= max {
        return s.to_string();
    }
    let room = max.saturating_sub(1);
    // Measured as the whole is, by the prefix's width (a character's own width can differ
    // from what it adds to a string: a variation selector widens the emoji before it).
    let mut kept: Vec<char> = vec![];
    let mut end = 0;
    let mut rest = s.chars().peekable();
    while let Some(&c) = rest.peek() {
        if s[..end + c.len_utf8()].width() > room {
            break;
        }
        end += c.len_utf8();
        kept.push(c);
        rest.next();
    }
    // Back out of a joined sequence the cut would split, or of a character whose variation
    // selector it would cut off.
    let mut next = rest.next();
    while kept.last() == Some(&'\u{200d}')
        || matches!(next, Some('\u{200d}' | '\u{fe0e}' | '\u{fe0f}'))
    {
        next = kept.pop();
        if next.is_none() {
            break;
        }
    }
    // Closed where it is cut: an override left open would reorder the "…" and what
    // follows the label.
    crate::text::close_bidi(&kept.into_iter().collect::<String>()) + "…"
}

/// A label as shown: the label, or the name when the label is empty.
pub(crate) fn shown_label(label: &str, name: &str) -> String {
    if label.trim().is_empty() {
        name.to_string()
    } else {
        label.trim().to_string()
    }
}

/// An outcome's short label (see [`short_label`]) by its name; the name when the scenario has
/// no such outcome.
pub(crate) fn outcome_label(sc: &crate::scenario::Scenario, name: &str) -> String {
    sc.outcomes
        .iter()
        .find(|o| o.name == name)
        .map_or(name.to_string(), |o| short_label(&o.label, &o.name))
}

/// The focal pair's short labels ("Russia", "Azerbaijan").
pub(crate) fn focal_labels(sc: &crate::scenario::Scenario) -> (String, String) {
    let actor = |name: &str| {
        sc.actors
            .iter()
            .find(|a| a.name == name)
            .map_or(name.to_string(), |a| short_label(&a.label, &a.name))
    };
    (actor(&sc.focal.0), actor(&sc.focal.1))
}

/// A short display name: the label without a closing bracket ("Russia (Putin; Peskov…)" gives
/// "Russia"; "Calm (cool or better) at the end" stays whole), the name when there is no label.
pub(crate) fn short_label(label: &str, name: &str) -> String {
    let l = label.trim();
    let short = match l.rfind(" (") {
        Some(i) if i > 0 && l.ends_with(')') => l[..i].trim_end(),
        _ => l,
    };
    if short.is_empty() {
        name.to_string()
    } else {
        short.to_string()
    }
}

/// Texts each fitted to a width as [`fit`] does, except that texts which differ but would read
/// the same once cut at the end (long names alike up to their last words: "Variant with every
/// lever of Russia's, and A" and "…, and B") are cut in the middle instead, keeping their start
/// and their end; texts alike at both ends as well are numbered in order ("… (1)", "… (2)"),
/// so that a legend or a diagram never shows two entries alike.
pub(crate) fn fit_apart(texts: &[&str], size: f64, max: u32) -> Vec<String> {
    let mut out: Vec<String> = texts.iter().map(|t| fit(t, size, max)).collect();
    // The texts that read as another text does, cut as `out` cuts them.
    let alike = |out: &[String]| -> Vec<bool> {
        (0..texts.len())
            .map(|i| (0..texts.len()).any(|j| out[i] == out[j] && texts[i] != texts[j]))
            .collect()
    };
    for (i, a) in alike(&out).into_iter().enumerate() {
        if a {
            out[i] = fit_middle(texts[i], size, max);
        }
    }
    let before = out.clone();
    let twins = alike(&before);
    for i in (0..texts.len()).filter(|&i| twins[i]) {
        let nth = (0..i)
            .filter(|&j| twins[j] && before[j] == before[i])
            .count()
            + 1;
        let tag = format!(" ({nth})");
        out[i] = fit(texts[i], size, max.saturating_sub(text_width(&tag, size))) + &tag;
    }
    out
}

/// The text cut in the middle to fit a width: its first and last characters about evenly,
/// with "…" between ([`fit`] where even one of each does not fit).
fn fit_middle(s: &str, size: f64, max: u32) -> String {
    if text_width(s, size) <= max {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    // What is open where the tail starts opens again before it: the tail of a balanced label
    // closes it, and a closer whose opener was cut away would close nothing (which `brink
    // report` refuses in a chart: not what brink writes).
    let cut = |n: usize| {
        let head: String = chars[..n - n / 2].iter().collect();
        let skipped: String = chars[..chars.len() - n / 2].iter().collect();
        let tail: String = chars[chars.len() - n / 2..].iter().collect();
        let reopened: String = crate::text::open_bidi(&skipped).into_iter().collect();
        crate::text::close_bidi(&head) + "…" + &crate::text::close_bidi(&(reopened + &tail))
    };
    let lo = longest(chars.len(), |n| text_width(&cut(n), size) <= max);
    if lo < 2 { fit(s, size, max) } else { cut(lo) }
}

/// The most characters `n < len` a cut keeps while it fits (`fits(n)`, true at 0 and, the
/// whole text not fitting, false at `len`): doubling from 0, then halving the gap, so that a
/// label cut from 200,000 characters to 40 measures short strings only.
fn longest(len: usize, fits: impl Fn(usize) -> bool) -> usize {
    // `lo` fits; `hi` does not.
    let (mut lo, mut step) = (0, 1);
    let mut hi = loop {
        let n = (lo + step).min(len);
        if n == len || !fits(n) {
            break n;
        }
        lo = n;
        step *= 2;
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The text broken between words into at most `lines` lines that fit a width in pixels; the
/// last line is cut (with "…") when the text needs more. A bidirectional override or isolate
/// open at a line's end is closed there and opened again on the next line, so that each line
/// is balanced and the text inside it keeps its direction (a label broken inside one read in
/// two directions, the first line's override left open).
pub(crate) fn wrap(s: &str, size: f64, max: u32, lines: usize) -> Vec<String> {
    let mut carry: Vec<char> = vec![];
    wrap_words(s, size, max, lines)
        .into_iter()
        .map(|line| {
            let full: String = carry.iter().copied().chain(line.chars()).collect();
            carry = crate::text::open_bidi(&full);
            crate::text::close_bidi(&full)
        })
        .collect()
}

/// [`wrap`]'s lines before they are balanced.
fn wrap_words(s: &str, size: f64, max: u32, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut words = s.split_whitespace().peekable();
    while words.peek().is_some() {
        if out.len() + 1 == lines {
            let rest: Vec<&str> = words.collect();
            out.push(fit(&rest.join(" "), size, max));
            break;
        }
        let mut line = String::new();
        while let Some(w) = words.peek() {
            let next = if line.is_empty() {
                w.to_string()
            } else {
                format!("{line} {w}")
            };
            if !line.is_empty() && text_width(&next, size) > max {
                break;
            }
            line = next;
            words.next();
        }
        out.push(fit(&line, size, max));
    }
    out
}

/// The width of the widest of some texts, in pixels (0 for none).
pub(crate) fn widest<S: AsRef<str>>(texts: impl IntoIterator<Item = S>, size: f64) -> u32 {
    texts
        .into_iter()
        .map(|t| text_width(t.as_ref(), size))
        .max()
        .unwrap_or(0)
}

/// The width of a text in pixels, as the PNG backend lays it out.
pub(crate) fn text_width(s: &str, size: f64) -> u32 {
    (FAMILY, size)
        .into_font()
        .box_size(s)
        .map(|(w, _)| w)
        .unwrap_or(0)
}

/// The text cut (with "…") to fit a width in pixels: its longest prefix that fits with "…".
///
/// A prefix's width grows with its length, so the cut is found by doubling the prefix, then
/// halving the interval: a few dozen measurements of short texts. (Trying every length from
/// the end measured the whole text once per character cut: a 10,000-character name took two
/// minutes to chart.)
pub(crate) fn fit(s: &str, size: f64, max: u32) -> String {
    if text_width(s, size) <= max {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    // Closed where it is cut (see `fit_chars`).
    let cut = |n: usize| crate::text::close_bidi(&chars[..n].iter().collect::<String>()) + "…";
    let fits = |n: usize| text_width(&cut(n), size) <= max;
    if !fits(0) {
        return String::new();
    }
    // (The whole text with "…" does not fit, the text alone being too wide.)
    cut(longest(chars.len(), fits))
}

/// A count of runs in words: "1 run", "12,000 runs".
pub(crate) fn n_runs(n: u64) -> String {
    match n {
        1 => "1 run".into(),
        n => format!("{} runs", group_thousands(n)),
    }
}

/// A number with thin groups of thousands: 12,000.
pub(crate) fn group_thousands(n: u64) -> String {
    crate::text::grouped(n.into())
}

/// An amount in a readable precision: 1,573 · 142 · 40.4 · 5.85 · 0.36 · 0.000055 (two
/// significant figures below 0.1, where two decimals would read "0.00").
pub(crate) fn amount(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a >= 1000.0 {
        let r = x.round();
        let sign = if r < 0.0 { "-" } else { "" };
        format!("{sign}{}", group_thousands(r.abs() as u64))
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 0.1 || a == 0.0 {
        format!("{x:.2}")
    } else {
        significant(x, 2)
    }
}

/// A value read off the cost histogram's log bins (6% wide) rounded to three significant
/// figures, since more would claim a precision the bins do not have: 1,753.7 → 1,750,
/// 109.7 → 110, 7.934 → 7.93.
pub(crate) fn three_figures(x: f64) -> f64 {
    rounded_to(x, 3)
}

/// A value rounded to `figures` significant figures (at least 1), through the decimal text so
/// that 1,753.7 is 1750 exactly.
pub(crate) fn rounded_to(x: f64, figures: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let p = figures.max(1) - 1;
    // "1.80e308" reads back as infinity: the value itself is then the nearest.
    format!("{x:.p$e}")
        .parse()
        .ok()
        .filter(|r: &f64| r.is_finite())
        .unwrap_or(x)
}

/// A cost to `figures` significant figures, thousands grouped from 1,000 up as [`amount`]
/// groups them: 12,346,000,000,050 → "12,350,000,000,000" at four, 0.012345 → "0.0123" at
/// three (where [`amount`] keeps two decimals: "0.01").
pub(crate) fn cost_figures(x: f64, figures: usize) -> String {
    let r = rounded_to(x, figures);
    if !r.is_finite() || r.abs() >= 1000.0 {
        amount(r)
    } else {
        significant_kept(r, figures.max(1) as i32)
    }
}

/// A cost percentile read off the log bins: three significant figures, and never above the
/// largest cost (rounding 1,756 up to 1,760 would put it there: the largest is then given).
pub(crate) fn cost_percentile(q: f64, largest: f64) -> String {
    let r = three_figures(q.clamp(0.0, largest.max(0.0)));
    if r > largest {
        cost_figures(largest, 4)
    } else {
        cost_figures(r, 3)
    }
}

/// A number to `digits` significant figures (whole numbers from 10^digits up), without
/// trailing zeros: 0.215, 0.0716, 12.3, 4,120 → "4120".
pub(crate) fn significant(x: f64, digits: i32) -> String {
    to_figures(x, digits, true)
}

/// [`significant`] with its trailing zeros, which are figures too: a mean of 338.0 to four is
/// "338.0" beside an interval of "326.8 – 349.1", not "338".
pub(crate) fn significant_kept(x: f64, digits: i32) -> String {
    to_figures(x, digits, false)
}

fn to_figures(x: f64, digits: i32, trim: bool) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "-".into()
        } else if x > 0.0 {
            "∞".into()
        } else {
            "-∞".into()
        };
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-12..15).contains(&magnitude) {
        // Fixed notation would print every digit of 1e300, or 0 for 1e-300.
        let p = (digits - 1).max(0) as usize;
        let s = format!("{x:.p$e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if trim && m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{m}e{e}");
    }
    let decimals = (digits - 1 - magnitude).clamp(0, 15) as usize;
    let s = format!("{x:.decimals$}");
    let s = if trim && s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A tick label on an amount axis: as few decimals as the value needs (0, 20, 2.5, 1,000).
pub(crate) fn tick_label(v: &f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r == r.trunc() && r.abs() < 1e15 {
        let sign = if r < 0.0 { "-" } else { "" };
        format!("{sign}{}", group_thousands(r.abs() as u64))
    } else {
        crate::scenario::param::fmt_num(r)
    }
}

/// Tick labels for an axis (or a list of values) spanning `span`: each value rounded to a
/// hundred-thousandth of the span's order of magnitude (which clears the float noise of
/// computed ticks, -2.8e-17 for 0), then written as [`tick_label`] writes whole numbers and to
/// six significant figures otherwise. [`tick_label`]'s three decimals labelled every tick of a
/// sweep over 0.00002..0.00007 "0".
pub(crate) fn tick_label_for(span: f64) -> impl Fn(&f64) -> String {
    // 10^(k − 5) for the span's order k, built exactly from its decimal form.
    let unit = if span.is_finite() && span > 0.0 {
        format!(
            "1e{}",
            crate::numerics::math::log10(span).floor() as i32 - 5
        )
        .parse::<f64>()
        .unwrap_or(0.0)
    } else {
        0.0
    };
    move |v: &f64| {
        let r = if unit > 0.0 {
            (v / unit).round() * unit
        } else {
            *v
        };
        if r == 0.0 {
            "0".into()
        } else if r == r.trunc() && r.abs() < 1e15 {
            tick_label(&r)
        } else {
            // Enough figures to tell values of the span apart: six read every tick of
            // 0.1000001 to 0.1000002 as "0.1".
            let digits = if span.is_finite() && span > 0.0 {
                let orders = crate::numerics::math::log10(r.abs() / span).ceil();
                if orders.is_finite() {
                    (orders as i64 + 2).clamp(6, 15) as i32
                } else {
                    6
                }
            } else {
                6
            };
            significant(r, digits)
        }
    }
}

/// Labels for a list of values (a grid's, a design's levels), by [`tick_label_for`] the span
/// from the least to the greatest.
pub(crate) fn tick_labels(values: &[f64]) -> Vec<String> {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    values.iter().map(tick_label_for(hi - lo)).collect()
}

/// A probability as a percentage: "32.1%" (or "<0.1%", ">99.9%": a probability short of
/// certainty is not rounded to it, as one above zero is not rounded to 0).
pub(crate) fn percent(p: f64) -> String {
    if p < 1e-12 {
        "0%".into()
    } else if p < 0.0005 {
        "<0.1%".into()
    } else if (0.9995..1.0 - 1e-12).contains(&p) {
        ">99.9%".into()
    } else {
        // The digits [`probability`] shows, moved two places: 0.3205 reads 0.321 there and
        // 32.1% here (100 × 0.3205 is 32.04999… in binary, which read 32.0%).
        crate::report::shift_two_places(&crate::report::decimal(p, 3))
            .map_or_else(|| format!("{:.1}%", p * 100.0), |d| format!("{d}%"))
    }
}

/// A probability to three decimals: "0.321" (or "<0.001", ">0.999": as [`percent`], a
/// probability short of certainty is not rounded to it, nor one above zero to 0).
pub(crate) fn probability(p: f64) -> String {
    if p < 1e-12 {
        "0.000".into()
    } else if p < 0.0005 {
        "<0.001".into()
    } else if (0.9995..1.0 - 1e-12).contains(&p) {
        ">0.999".into()
    } else {
        crate::report::decimal(p, 3)
    }
}

/// A legend swatch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    /// A line, dashed or not.
    Line(RGBColor, bool),
    /// A filled box, with opacity.
    Fill(RGBColor, f64),
    /// A filled diamond.
    Diamond(RGBColor),
    /// A filled dot.
    Dot(RGBColor),
    /// A ring (a circle drawn round a point, not filled).
    Ring(RGBColor),
    /// A dotted line (short dashes close together), apart from a dashed one.
    Dotted(RGBColor),
}

pub(crate) fn draw_mark<DB: DrawingBackend>(
    area: &Area<DB>,
    mark: Mark,
    x: i32,
    y: i32,
) -> Drawn<DB> {
    match mark {
        Mark::Line(c, false) => area.draw(&PathElement::new(
            vec![(x, y), (x + 26, y)],
            c.stroke_width(3),
        )),
        Mark::Line(c, true) => {
            for k in 0..3 {
                let x0 = x + k * 10;
                area.draw(&PathElement::new(
                    vec![(x0, y), (x0 + 6, y)],
                    c.stroke_width(3),
                ))?;
            }
            Ok(())
        }
        Mark::Fill(c, a) => area.draw(&Rectangle::new(
            [(x, y - 7), (x + 26, y + 7)],
            c.mix(a).filled(),
        )),
        Mark::Diamond(c) => area.draw(&Polygon::new(
            vec![(x + 13, y - 6), (x + 19, y), (x + 13, y + 6), (x + 7, y)],
            c.filled(),
        )),
        Mark::Dot(c) => area.draw(&Circle::new((x + 13, y), 5, c.filled())),
        Mark::Ring(c) => area.draw(&Circle::new((x + 13, y), 6, c.stroke_width(2))),
        Mark::Dotted(c) => {
            for k in 0..5 {
                let x0 = x + k * 6;
                area.draw(&PathElement::new(
                    vec![(x0, y), (x0 + 2, y)],
                    c.stroke_width(3),
                ))?;
            }
            Ok(())
        }
    }
}

/// The frame of a chart: fills the background, draws the title, subtitle, footer and an
/// optional one-line legend under the subtitle; returns the body (the area left for the plot).
pub(crate) fn frame<DB: DrawingBackend>(
    root: &Area<DB>,
    c: &Ctx,
    title: &str,
    subtitle: &str,
    header_legend: &[(Mark, String)],
) -> std::result::Result<Area<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    frame_with_footer(root, &c.footer(), title, subtitle, header_legend)
}

/// The frame of the run charts (title, subtitle, one-line legend, footer rule and footer) with
/// a footer of the caller's own; returns the body.
pub(crate) fn frame_with_footer<DB: DrawingBackend>(
    root: &Area<DB>,
    footer: &str,
    title: &str,
    subtitle: &str,
    header_legend: &[(Mark, String)],
) -> std::result::Result<Area<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let max = w.saturating_sub(40);
    root.draw(&Text::new(fit(title, 24.0, max), (20, 14), text(24.0, INK)))?;
    let mut top = 44;
    if !subtitle.is_empty() {
        // Two lines at most, broken between words: cut to one, the end of a long subtitle
        // (which outcomes a sweep shows, say) was lost mid-word.
        for line in wrap(subtitle, 15.0, max, 2) {
            root.draw(&Text::new(line, (20, top), text(15.0, MUTED)))?;
            top += 20;
        }
        top += 4;
    }
    if !header_legend.is_empty() {
        let mut x = 20;
        let y = top + 10;
        for (mark, label) in header_legend {
            draw_mark(root, *mark, x, y)?;
            let label = fit(label, 14.0, 300);
            root.draw(&Text::new(
                label.clone(),
                (x + 34, y),
                text(14.0, INK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += 34 + text_width(&label, 14.0) as i32 + 24;
        }
        top += 26;
    }
    root.draw(&Text::new(
        fit(footer, 13.0, max),
        (20, h as i32 - 10),
        text(13.0, MUTED).pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))?;
    root.draw(&PathElement::new(
        vec![(20, h as i32 - 30), (w as i32 - 20, h as i32 - 30)],
        GRID.stroke_width(1),
    ))?;
    Ok(root.margin(top + 8, 36, 8, 16))
}

/// A vertical legend, one entry per row, in an area beside the plot. Rows are at most 24
/// pixels apart and shrink (with the font) when there are many. A label may have a second line
/// after a `\n`, drawn smaller when there is room and in brackets after the first otherwise.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    heading: &str,
    entries: &[(Mark, String)],
) -> Drawn<DB> {
    let (w, h) = area.dim_in_pixel();
    let mut y = 14;
    if !heading.is_empty() {
        area.draw(&Text::new(
            fit(heading, 14.0, w.saturating_sub(10)),
            (8, y),
            text(14.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += 24;
    }
    if entries.is_empty() {
        return Ok(());
    }
    let two_lines = entries.iter().any(|e| e.1.contains('\n'));
    let avail = (h as i32 - y - 40).max(10);
    let row = (avail / entries.len() as i32).clamp(11, if two_lines { 40 } else { 24 });
    let size = if row >= 20 {
        14.0
    } else {
        (row as f64 * 0.7).max(9.0)
    };
    let max = w.saturating_sub(50);
    // The rows that fit, the last one kept to say how many did not (with 256 arms the last
    // 167 entries were drawn on one line at the bottom).
    let fits = ((h as i32 - 10 - y).max(0) / row + 1) as usize;
    let (shown, more) = if entries.len() > fits {
        (
            fits.saturating_sub(1),
            entries.len() - fits.saturating_sub(1),
        )
    } else {
        (entries.len(), 0)
    };
    // Each entry's first line as drawn: the label's first line on two lines, else the label on
    // one line (its second part in brackets), fitted so that no two read alike.
    let lines: Vec<(String, Option<&str>)> = entries[..shown]
        .iter()
        .map(|(_, label)| match label.split_once('\n') {
            Some((a, b)) if row >= 34 => (a.to_string(), Some(b)),
            Some((a, b)) => (format!("{a} ({b})"), None),
            None => (label.clone(), None),
        })
        .collect();
    let firsts: Vec<&str> = lines.iter().map(|(a, _)| a.as_str()).collect();
    let fitted = fit_apart(&firsts, size, max);
    for (((mark, _), (_, second)), first) in entries[..shown].iter().zip(&lines).zip(fitted) {
        match second {
            Some(second) => {
                draw_mark(area, *mark, 8, y - 6)?;
                area.draw(&Text::new(
                    first,
                    (42, y - 6),
                    text(size, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                area.draw(&Text::new(
                    fit(second, 12.0, max),
                    (42, y + 10),
                    text(12.0, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
            None => {
                draw_mark(area, *mark, 8, y)?;
                area.draw(&Text::new(
                    first,
                    (42, y),
                    text(size, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
        y += row;
    }
    if more > 0 {
        area.draw(&Text::new(
            fit(
                &format!("… and {more} more (every one in the tables)"),
                size,
                max + 34,
            ),
            (8, y),
            text(size, MUTED).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Splits the body into the plot and a legend column of a width that fits the labels (between
/// 140 and 300 pixels).
pub(crate) fn with_legend<DB: DrawingBackend>(
    body: &Area<DB>,
    labels: impl Iterator<Item = String>,
) -> (Area<DB>, Area<DB>) {
    let widest = labels
        .flat_map(|l| {
            l.split('\n')
                .map(|p| text_width(p, 14.0))
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap_or(0);
    let w = (widest + 60).clamp(140, 300);
    let (bw, _) = body.dim_in_pixel();
    body.split_horizontally(bw.saturating_sub(w))
}

/// The light grid and axis style shared by every chart.
pub(crate) fn axis_style() -> (TextStyle<'static>, TextStyle<'static>) {
    (text(13.0, MUTED), text(15.0, INK))
}

/// Percent tick labels for a 0..1 axis.
pub(crate) fn pct_label(v: &f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-6 {
        format!("{:.0}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}

/// Integer tick labels for a step axis; none between steps (a horizon of one or three
/// steps put ticks at tenths, each labelled with its rounded step: "0 0 0 0 0 1 1 1").
pub(crate) fn step_label(v: &f64) -> String {
    whole_step(*v).map(|k| k.to_string()).unwrap_or_default()
}

/// The step a tick stands at, if it stands at one (not between two).
pub(crate) fn whole_step(v: f64) -> Option<u32> {
    let k = v.round();
    ((v - k).abs() < 1e-6 && k >= 0.0 && k <= f64::from(u32::MAX)).then_some(k as u32)
}

/// A chart with numeric axes.
pub(crate) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Builds a chart with numeric axes on the plot area, leaving `y_label_width` pixels for the
/// y-axis labels (0: no y-axis labels).
pub(crate) fn plot<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_label_width: u32,
) -> std::result::Result<Plot<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    ChartBuilder::on(area)
        .margin_top(8)
        .margin_right(14)
        .x_label_area_size(50)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(x, y)
}

/// The height in pixels of one unit of the y axis (one row of a chart of rows).
/// A rung drawn on a chart: its index and the visible part of its range.
pub(crate) type VisibleRung = (usize, f64, f64);

/// The ladder's rungs as coloured bands across a chart of H from x = 0 to `xmax`, clipped to
/// the y range `y0..y1`; returns the rungs drawn with their visible ranges `(r, lo, hi)` (for
/// their names beside the chart).
pub(crate) fn rung_bands<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    thresholds: &[f64],
    bounds: (f64, f64),
    xmax: f64,
    (y0, y1): (f64, f64),
) -> std::result::Result<Vec<VisibleRung>, DrawingAreaErrorKind<DB::ErrorType>> {
    let nr = thresholds.len();
    let mut visible = vec![];
    for r in 0..nr {
        let (lo, hi) = rung_range(thresholds, bounds, r);
        let (lo, hi) = (lo.max(y0), hi.min(y1));
        if hi > lo {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, lo), (xmax, hi)],
                rung_color(r, nr).mix(0.14).filled(),
            )))?;
            visible.push((r, lo, hi));
        }
    }
    Ok(visible)
}

/// A dot at a series' only point: a line through one point draws nothing (a horizon of one
/// step), so a chart over time would show no data. Draws nothing for two points or more.
pub(crate) fn dot_if_alone<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    pts: &[(f64, f64)],
    style: ShapeStyle,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if let [p] = pts {
        chart.draw_series(std::iter::once(Circle::new(*p, 5, style.filled())))?;
    }
    Ok(())
}

/// The rungs' thresholds as dashed lines in their rungs' colours, those inside `y0..y1`.
pub(crate) fn rung_thresholds<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    thresholds: &[f64],
    xmax: f64,
    (y0, y1): (f64, f64),
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let nr = thresholds.len();
    for (r, &t) in thresholds.iter().enumerate().skip(1) {
        if t > y0 && t < y1 {
            chart.draw_series(DashedLineSeries::new(
                vec![(0.0, t), (xmax, t)],
                6,
                4,
                rung_color(r, nr).stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

pub(crate) fn row_pixels<DB: DrawingBackend>(chart: &Plot<DB>) -> f64 {
    let a = chart.backend_coord(&(0.0, 0.0)).1;
    let b = chart.backend_coord(&(0.0, 1.0)).1;
    ((a - b).abs()).max(1) as f64
}

/// What the axes say.
pub(crate) struct Axes<'f> {
    pub x_desc: String,
    pub y_desc: String,
    pub x_fmt: &'f dyn Fn(&f64) -> String,
    pub y_fmt: &'f dyn Fn(&f64) -> String,
    /// Vertical grid lines (at the x ticks).
    pub x_grid: bool,
    /// Horizontal grid lines (at the y ticks).
    pub y_grid: bool,
    /// Numbers on the y axis (off when the chart names its rows itself).
    pub y_numbers: bool,
}

/// Draws the axes, their labels and a light grid.
pub(crate) fn mesh<DB: DrawingBackend>(chart: &mut Plot<DB>, a: &Axes) -> Drawn<DB> {
    mesh_with(chart, a, 12, 8)
}

/// [`mesh`] with at most `x_labels` and `y_labels` tick labels (fewer for long labels such as
/// dates, or for small panels).
pub(crate) fn mesh_with<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    a: &Axes,
    x_labels: usize,
    y_labels: usize,
) -> Drawn<DB> {
    let (label, desc) = axis_style();
    let (w, h) = chart.plotting_area().dim_in_pixel();
    let mut m = chart.configure_mesh();
    m.label_style(label)
        .axis_desc_style(desc)
        .axis_style(MUTED.stroke_width(1))
        .bold_line_style(GRID.stroke_width(1))
        .max_light_lines(0)
        .x_labels(x_labels)
        .y_labels(y_labels)
        .x_label_formatter(a.x_fmt)
        .y_label_formatter(a.y_fmt);
    if !a.x_grid {
        m.disable_x_mesh();
    }
    if !a.y_grid {
        m.disable_y_mesh();
    }
    // An axis's title fits along its axis (a sweep's parameter with a 200-character label ran
    // off both edges of the chart): cut with "…" to the plotting area's width or height.
    if !a.x_desc.is_empty() {
        m.x_desc(fit(&a.x_desc, 15.0, w));
    }
    if !a.y_desc.is_empty() {
        m.y_desc(fit(&a.y_desc, 15.0, h));
    }
    if !a.y_numbers {
        m.y_labels(0);
    }
    m.draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An SVG brink writes holds no character `brink report` refuses in a chart: controls
    /// other than tab, newline and carriage return (C0, DEL, C1) and noncharacters become
    /// U+FFFD; what is left is as it was.
    #[test]
    fn an_svg_holds_no_control_character_or_noncharacter() {
        let svg = "<text>a\u{1b}b\u{7f}c\u{85}d\u{fdd0}e\u{1fffe}f\u{fffe}\tg\nh\r\u{2066}i\u{2069}</text>";
        assert_eq!(
            xml_chars_only(svg.to_string()),
            "<text>a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}f\u{fffd}\tg\nh\r\u{2066}i\u{2069}</text>"
        );
        assert_eq!(xml_chars_only("plain".into()), "plain");
    }

    /// A label cut in the middle keeps its bidirectional formatting balanced on both sides of
    /// the "…": what the cut leaves open is closed before it and opened again after it, so
    /// that no closer in the tail closes nothing (a helper's review: `brink report` refused a
    /// run's own outcome chart whose two labels differed only at the end, inside an isolate).
    #[test]
    fn a_label_cut_in_the_middle_keeps_its_bidi_balanced() {
        register_font().unwrap();
        let arabic = "ذروة التصعيد في المرحلة الأولى من الأزمة الكبرى";
        for (open, close) in [('\u{2067}', '\u{2069}'), ('\u{202b}', '\u{202c}')] {
            let labels = [
                format!("Index above six at some step of the whole run {open}{arabic} A{close}"),
                format!("Index above six at some step of the whole run {open}{arabic} B{close}"),
                format!("{open}{arabic} {open}{arabic}{close} C{close} and more words after it"),
            ];
            let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
            for max in [120, 200, 300, 420] {
                for (label, cut) in labels.iter().zip(fit_apart(&refs, 13.0, max)) {
                    assert!(
                        crate::text::unbalanced_bidi(&cut).is_none(),
                        "{label:?} cut to {cut:?}"
                    );
                }
                for n in [10, 40, 70] {
                    let cut = fit_middle(&labels[0], 13.0, n * 7);
                    assert!(crate::text::unbalanced_bidi(&cut).is_none(), "{cut:?}");
                }
            }
            // The two alike labels are told apart, and the tail reads as it did.
            let cut = fit_apart(&refs[..2], 13.0, 300);
            assert_ne!(cut[0], cut[1]);
            assert!(cut[0].ends_with(&format!("A{close}")), "{:?}", cut[0]);
        }
    }

    /// The ticks plotters computes for an axis, labelled: distinct labels, the value each
    /// tick stands for, float noise cleared. Three decimals labelled every tick of a sweep
    /// over -0.00003..0.00007 "0" (and 0.0025 "0.003").
    #[test]
    fn tick_labels_fit_the_axis_span() {
        use plotters::coord::ranged1d::Ranged;
        use plotters::coord::types::RangedCoordf64;
        let labels = |a: f64, b: f64, n: usize| {
            let r: RangedCoordf64 = (a..b).into();
            let ticks: Vec<f64> = r.key_points(n);
            let f = tick_label_for(b - a);
            ticks.iter().map(f).collect::<Vec<_>>()
        };
        assert_eq!(
            labels(-0.00003, 0.00007, 10),
            [
                "-0.00002", "-0.00001", "0", "0.00001", "0.00002", "0.00003", "0.00004", "0.00005",
                "0.00006", "0.00007"
            ]
        );
        assert_eq!(
            labels(-0.3, 0.3, 12),
            [
                "-0.25", "-0.2", "-0.15", "-0.1", "-0.05", "0", "0.05", "0.1", "0.15", "0.2",
                "0.25", "0.3"
            ]
        );
        assert_eq!(
            labels(0.1, 0.7, 10),
            ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
        );
        assert_eq!(
            labels(0.0, 5000.0, 6),
            ["0", "1,000", "2,000", "3,000", "4,000", "5,000"]
        );
        assert_eq!(tick_label_for(0.01)(&0.0025), "0.0025");
        assert_eq!(tick_label_for(1e-300)(&2.5e-301), "2.5e-301");
        // Values close together far from 0 keep the figures that tell them apart (six read
        // every tick "0.1").
        assert_eq!(
            tick_labels(&[0.1000001, 0.10000015, 0.1000002]),
            ["0.1000001", "0.10000015", "0.1000002"]
        );
        // No span to go by (one value): the value as it is.
        assert_eq!(tick_label_for(0.0)(&0.00025), "0.00025");
    }

    /// A label cut inside a balanced override or isolate is closed before the "…" (found by
    /// a reviewer: the cut left U+202E open, reversing what followed the label).
    #[test]
    fn a_label_cut_inside_an_override_is_closed() {
        register_font().unwrap();
        let label = format!("Outcome \u{202e}{}\u{202c} end", "x".repeat(200));
        for (cut, whole) in [
            (fit(&label, 12.0, 120), &label),
            (fit_chars(&label, 20), &label),
        ] {
            assert!(cut.ends_with('…') && cut.len() < whole.len(), "{cut:?}");
            assert!(cut.contains('\u{202e}'), "{cut:?}");
            assert_eq!(crate::text::unbalanced_bidi(&cut), None, "{cut:?}");
            assert!(cut.ends_with("\u{202c}…"), "{cut:?}");
        }
        // Isolates too, innermost first; a label that fits is untouched.
        let nested = format!("\u{2067}a\u{202d}{}\u{202c}\u{2069}", "b".repeat(50));
        assert!(fit_chars(&nested, 10).ends_with("\u{202c}\u{2069}…"));
        assert_eq!(fit_chars("short", 10), "short");
        assert_eq!(fit("short", 12.0, 500), "short");
    }

    /// A label wrapped over lines inside an isolate and an override (balanced in the label)
    /// left the first line's open and the rest of the override outside it: each line is
    /// balanced now, and the next opens them again, outermost first.
    #[test]
    fn a_label_wrapped_inside_an_override_keeps_it_on_every_line() {
        register_font().unwrap();
        let label = format!(
            "Leaders \u{2067}talked \u{202e}{}\u{202c} tail\u{2069} end",
            "ABCDEFGHIJ ".repeat(12)
        );
        assert_eq!(crate::text::unbalanced_bidi(&label), None);
        let lines = wrap(&label, 12.0, 200, 3);
        assert!(lines.len() >= 2, "{lines:?}");
        for l in &lines {
            assert_eq!(crate::text::unbalanced_bidi(l), None, "{lines:?}");
        }
        assert!(lines[0].ends_with("\u{202c}\u{2069}"), "{lines:?}");
        assert!(lines[1].starts_with("\u{2067}\u{202e}"), "{lines:?}");
        // Plain text is as it was.
        assert_eq!(wrap("a b c", 12.0, 500, 2), vec!["a b c".to_string()]);
    }

    #[test]
    fn a_probability_short_of_certainty_is_not_shown_as_certain() {
        // 9,996 of 10,000 read "100.0%" while 2 of 10,000 read "<0.1%" (found by a reviewer).
        assert_eq!(percent(0.9996), ">99.9%");
        assert_eq!(percent(0.9995), ">99.9%");
        assert_eq!(percent(0.9994), "99.9%");
        assert_eq!(probability(0.9995), ">0.999");
        assert_eq!(probability(0.99949), "0.999");
        assert_eq!(probability(1.0), "1.000");
        assert_eq!(probability(0.0004), "<0.001");
        assert_eq!(probability(0.0005), "0.001");
        assert_eq!(probability(0.0), "0.000");
        assert_eq!(probability(0.3214), "0.321");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.0002), "<0.1%");
        assert_eq!(percent(0.0), "0%");
    }

    /// The report's percentages and the terminal's fractions show the same digits: 641 of
    /// 2,000 runs read 0.321 in the terminal and 32.0% in the report (100 × 0.3205 is
    /// 32.04999… in binary).
    #[test]
    fn percentages_show_the_fractions_digits() {
        assert_eq!(percent(0.3205), "32.1%");
        assert_eq!(probability(0.3205), "0.321");
        for n in [7u32, 200, 1000, 2000, 3000, 10_000] {
            for k in 0..=n {
                let p = k as f64 / n as f64;
                let (pc, fr) = (percent(p), probability(p));
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                if fr.starts_with(['<', '>']) || k == 0 {
                    continue;
                }
                // "0.321" and "32.1%": the same digits once the leading zeros go.
                assert_eq!(
                    digits(&pc).trim_start_matches('0'),
                    digits(&fr).trim_start_matches('0'),
                    "{k}/{n}: {pc} against {fr}"
                );
            }
        }
    }

    /// Cost percentiles say no more than their 6% bins know, in the text and the report alike.
    #[test]
    fn binned_costs_keep_three_figures() {
        for (x, text, html) in [
            (1753.7, "1750", "1,750"),
            (109.7, "110", "110"),
            (7.934, "7.93", "7.93"),
            (0.012345, "0.0123", "0.012"),
            (0.0000547, "0.0000547", "0.000055"),
            (0.36, "0.36", "0.36"),
            (0.0, "0", "0.00"),
            (52_004_917_311.0, "52000000000", "52,000,000,000"),
        ] {
            let r = three_figures(x);
            assert_eq!(significant(r, 3), text, "{x}");
            assert_eq!(amount(r), html, "{x}");
        }
        // The report's cells: three figures below 1 as above, grouped from 1,000 up.
        assert_eq!(cost_figures(0.012345, 3), "0.0123");
        assert_eq!(cost_figures(0.0080, 4), "0.008000");
        assert_eq!(cost_figures(338.0, 4), "338.0");
        assert_eq!(cost_figures(9.9996, 4), "10.00");
        assert_eq!(cost_figures(12_346_000_000_050.0, 4), "12,350,000,000,000");
        assert_eq!(cost_figures(248.2, 4), "248.2");
        assert_eq!(cost_figures(f64::NAN, 3), "-");
        // A percentile is never printed above the largest cost.
        assert_eq!(cost_percentile(1756.0, 1756.0), "1,756");
        assert_eq!(cost_percentile(1700.4, 1756.0), "1,700");
        assert_eq!(cost_percentile(-1.0, 5.0), "0");
        assert_eq!(rounded_to(f64::MAX, 3), f64::MAX);
        assert_eq!(significant(1e300, 3), "1e300");
        assert_eq!(significant(-2.346e20, 3), "-2.35e20");
        assert_eq!(significant(1.5e-300, 3), "1.5e-300");
        assert_eq!(significant(1.23456e14, 3), "123456000000000");
        assert!(three_figures(f64::INFINITY).is_infinite());
        assert!(three_figures(f64::NAN).is_nan());
    }

    /// The cut as it was found before: every length tried from the end.
    fn fit_by_every_length(s: &str, size: f64, max: u32) -> String {
        if text_width(s, size) <= max {
            return s.to_string();
        }
        let chars: Vec<char> = s.chars().collect();
        (0..chars.len())
            .rev()
            .map(|n| chars[..n].iter().collect::<String>() + "…")
            .find(|t| text_width(t, size) <= max)
            .unwrap_or_default()
    }

    #[test]
    fn a_cut_text_is_the_longest_prefix_that_fits() {
        register_font().unwrap();
        assert!(text_width("W", 14.0) > 0, "the font measures");
        let texts = [
            "",
            "W",
            "Russia–Azerbaijan crisis, remittances and the North–South corridor",
            "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
            "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii",
            "Азербайджан и Россия: визовый режим, аресты и контакты лидеров",
            "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}",
            "漢字の長いラベルが切られるかどうかを確かめる",
            "a\u{200b}b\u{200b}c\u{200b}d\u{200b}e\u{200b}f\u{200b}g\u{200b}h",
        ];
        for s in texts {
            for size in [11.0, 14.0, 24.0] {
                for max in [0, 5, 12, 40, 100, 250, 1000] {
                    let got = fit(s, size, max);
                    assert_eq!(
                        got,
                        fit_by_every_length(s, size, max),
                        "{s:?} at {size}, {max}"
                    );
                    if !got.is_empty() {
                        assert!(text_width(&got, size) <= max);
                    }
                }
            }
        }
    }

    #[test]
    fn texts_alike_but_for_their_ends_are_cut_apart() {
        register_font().unwrap();
        let a = "Russia lifts the visa regime and reopens the produce markets, variant A";
        let b = "Russia lifts the visa regime and reopens the produce markets, variant B";
        let short = "Base";
        for max in [60, 120, 200, 300] {
            let got = fit_apart(&[a, b, short, a], 14.0, max);
            // Each fits, the two that differ read differently, the same text the same.
            for g in &got {
                assert!(text_width(g, 14.0) <= max, "{g:?} at {max}");
            }
            assert_ne!(got[0], got[1], "at {max}");
            assert_eq!(got[0], got[3]);
            assert_eq!(got[2], "Base");
            assert!(got[0].ends_with('A') && got[1].ends_with('B'), "{got:?}");
        }
        // Whole texts are left whole; texts that differ early keep the cut at the end.
        assert_eq!(fit_apart(&[a, b], 14.0, 2000), vec![a, b]);
        let c = "Azerbaijan closes the corridor to Russian freight for the season";
        let got = fit_apart(&[a, c], 14.0, 200);
        assert_eq!(got, vec![fit(a, 14.0, 200), fit(c, 14.0, 200)]);
    }

    #[test]
    fn a_very_long_text_is_cut_to_the_width() {
        register_font().unwrap();
        let s = "T".repeat(200_000);
        let got = fit(&s, 24.0, 600);
        assert!(got.ends_with('…') && got.chars().count() > 10);
        assert!(text_width(&got, 24.0) <= 600);
        // One more character would not fit.
        let longer = "T".repeat(got.chars().count()) + "…";
        assert!(text_width(&longer, 24.0) > 600);
    }
}
