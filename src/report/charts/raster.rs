//! The PNG backend: plotters' bitmap backend with its own text drawing.
//!
//! plotters' `ab_glyph` text drawing places each glyph at a whole pixel and drops its side
//! bearing, which spaces letters unevenly ("th e"). This wrapper draws text itself with the
//! embedded font: each glyph at its sub-pixel position, with kerning, at the same em size and
//! baseline as the SVG backend (`font-size` = size / 1.24; `dy` 0.76em for a top anchor and
//! ±0.5ex otherwise), so that the PNG and the SVG of a chart look alike. Everything else is
//! plotters' bitmap backend.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// The embedded font, parsed once.
fn font() -> Option<&'static FontRef<'static>> {
    static F: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    F.get_or_init(|| FontRef::try_from_slice(super::FONT).ok())
        .as_ref()
}

/// What the PNGs drawn by this process could not show as their SVGs do, by kind: a character
/// the embedded font has no glyph for (CJK, emoji, Syriac: drawn as an empty box), and one of a
/// right-to-left script the font has (drawn letter by letter from left to right, Arabic
/// unjoined). Each keeps the smallest such code point (`u32::MAX`: none), so that what is told
/// does not depend on which chart's thread drew first. The charts' SVGs and the report show
/// both; the application tells the user once ([`png_text_lost`]).
static NO_GLYPH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(u32::MAX);
static REORDERED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(u32::MAX);

/// What the PNG charts drawn by this process could not show as their SVGs do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PngTextLost {
    /// A character the embedded font has no glyph for, drawn as an empty box.
    pub no_glyph: Option<char>,
    /// A character of a right-to-left script, drawn in left-to-right order.
    pub right_to_left: Option<char>,
}

/// What the PNG charts drawn by this process so far could not show (see [`PngTextLost`]), if
/// anything.
pub fn png_text_lost() -> Option<PngTextLost> {
    let get = |a: &std::sync::atomic::AtomicU32| {
        char::from_u32(a.load(std::sync::atomic::Ordering::Relaxed))
    };
    let lost = PngTextLost {
        no_glyph: get(&NO_GLYPH),
        right_to_left: get(&REORDERED),
    };
    (lost.no_glyph.is_some() || lost.right_to_left.is_some()).then_some(lost)
}

/// A character of a right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan,
/// Mandaic, and their presentation forms).
fn right_to_left(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// Half the x-height of DejaVu Sans, in em (its x-height is 1120/2048 em).
const HALF_EX: f32 = 0.273;

/// A bitmap backend that draws text with the embedded font.
pub(crate) struct Raster<'a>(pub BitMapBackend<'a>);

type Res<'a> = Result<(), DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>>;

impl<'a> DrawingBackend for Raster<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Res<'a> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Res<'a> {
        self.0.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Res<'a> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Res<'a> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Res<'a> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Res<'a> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Res<'a> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Res<'a> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Res<'a> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Res<'a> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let Some(font) = font() else {
            // Not reachable: the font is compiled in and checked by `register_font`.
            return self.0.draw_text(text, style, pos);
        };
        let em = (style.size() / 1.24) as f32;
        let upem = font.units_per_em().unwrap_or(2048.0);
        let scale = PxScale::from(em * font.height_unscaled() / upem);
        let sf = font.as_scaled(scale);

        // Lay the glyphs out along the baseline, from x = 0.
        let mut glyphs = Vec::with_capacity(text.len());
        let mut caret = 0f32;
        let mut prev = None;
        // Characters that draw nothing (bidirectional marks and isolates, zero-width spaces
        // and joiners): the font has no glyph for most, and its missing-glyph box would show
        // where the SVG shows nothing (a label cut short ends in the U+2069 that closes its
        // isolate). The PNG is not laid out bidirectionally; the SVG's viewer does that.
        for ch in text
            .chars()
            .filter(|&c| c.is_whitespace() || !crate::text::invisible(c))
        {
            let id = sf.glyph_id(ch);
            if id.0 == 0 && !ch.is_whitespace() {
                NO_GLYPH.fetch_min(u32::from(ch), std::sync::atomic::Ordering::Relaxed);
            } else if right_to_left(ch) {
                REORDERED.fetch_min(u32::from(ch), std::sync::atomic::Ordering::Relaxed);
            }
            if let Some(p) = prev {
                caret += sf.kern(p, id);
            }
            glyphs.push((id, caret));
            caret += sf.h_advance(id);
            prev = Some(id);
        }
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -caret / 2.0,
            HPos::Right => -caret,
        };
        let baseline = match anchor.v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => HALF_EX * em,
            VPos::Bottom => -HALF_EX * em,
        };
        let trans = style.transform();
        let (w, h) = self.0.get_size();
        for (id, x) in glyphs {
            let g = id.with_scale_and_position(scale, point(dx + x, baseline));
            let Some(outline) = font.outline_glyph(g) else {
                continue;
            };
            let b = outline.px_bounds();
            let (bx, by) = (b.min.x as i32, b.min.y as i32);
            let mut pixels = vec![];
            outline.draw(|x, y, c| pixels.push((bx + x as i32, by + y as i32, c)));
            for (lx, ly, c) in pixels {
                if c <= 0.0 {
                    continue;
                }
                let (tx, ty) = trans.transform(lx, ly);
                let (px, py) = (pos.0 + tx, pos.1 + ty);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    let a = color.alpha * (c.min(1.0) as f64);
                    self.0.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha: a,
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pixels of `text` drawn in black on a white canvas.
    fn pixels(text: &str) -> Vec<u8> {
        let (w, h) = (200, 40);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let mut r = Raster(BitMapBackend::with_buffer(&mut rgb, (w, h)));
            let style = TextStyle::from(("sans-serif", 20).into_font()).color(&BLACK);
            r.draw_text(text, &style, (4, 4)).unwrap();
            r.present().unwrap();
        }
        rgb
    }

    /// A label's bidirectional marks and zero-width characters draw nothing, as in the SVG;
    /// the font's missing-glyph box drew a rectangle for each.
    #[test]
    fn characters_that_draw_nothing_leave_no_box() {
        let plain = pixels("ab c");
        assert_ne!(plain, pixels("ab"), "the test draws something");
        for marked in [
            "a\u{2067}b\u{2069} c",
            "ab\u{202e}\u{202c} c",
            "a\u{200b}b\u{200d} \u{feff}c",
        ] {
            assert!(
                pixels(marked) == plain,
                "{marked:?} drew more than \"ab c\""
            );
        }
        // A character the font lacks still shows its box: only what draws nothing is left out.
        assert_ne!(pixels("ab c\u{10FFFD}"), plain);
    }
}
