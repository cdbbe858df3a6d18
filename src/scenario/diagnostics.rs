//! Problems found in a scenario file, each with its place and what was expected.

use crate::text::ShowPath;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file it is in.
    pub file: PathBuf,
    /// 1-based line; 0 for a problem with the file as a whole ([`Diagnostic::whole_file`]).
    pub line: usize,
    /// 1-based column, in characters; 0 with line 0.
    pub col: usize,
    /// Characters to underline from `col` (at least 1).
    pub width: usize,
    /// What is wrong.
    pub message: String,
    /// What was expected instead.
    pub expected: Option<String>,
    /// The text of the line, for the snippet.
    pub line_text: String,
    /// Further problems of the same file, not shown (a file with very many mistakes).
    pub more: usize,
}

impl Diagnostic {
    /// A problem at a line and column of `text`.
    pub fn new(
        file: &Path,
        text: &str,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        let line = line.max(1);
        let line_text = text.lines().nth(line - 1).unwrap_or("").to_string();
        Diagnostic {
            file: file.to_path_buf(),
            line,
            col: col.max(1),
            width: 1,
            message: message.into(),
            expected: None,
            line_text,
            more: 0,
        }
    }

    /// A problem with the file as a whole (it cannot be read, is not a plain file, is too
    /// large): no line or column of it is shown, since none was read (a missing file was
    /// shown at `1:1` with an empty line of a file that does not exist).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            line: 0,
            col: 0,
            ..Diagnostic::new(file, "", 1, 1, message)
        }
    }

    /// Adds what was expected.
    pub fn expected(mut self, e: impl Into<String>) -> Self {
        self.expected = Some(e.into());
        self
    }

    /// Sets how many characters to underline.
    pub fn width(mut self, w: usize) -> Self {
        self.width = w.max(1);
        self
    }
}

impl fmt::Display for Diagnostic {
    /// Renders like a compiler:
    ///
    /// ```text
    /// error: unknown actor "rusia"
    ///   --> scenarios/x.ron:12:16
    ///    |
    /// 12 |     owner: "rusia",
    ///    |            ^^^^^^^ expected one of: russia, azerbaijan
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A message quotes what the file holds, cut where it quotes a name; past 1,000
        // characters (a quotation no site cut) it is cut as a whole, as is what was expected.
        let message = crate::text::shortened_to(&self.message, 1_000, 600);
        let expected = self
            .expected
            .as_deref()
            .map(|e| crate::text::shortened_to(e, 2_000, 1_200));
        writeln!(f, "error: {message}")?;
        if self.line == 0 {
            write!(f, " --> {}", self.file.shown())?;
            if let Some(e) = &expected {
                write!(f, "\n  = expected {e}")?;
            }
            return Ok(());
        }
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        writeln!(
            f,
            "{pad}--> {}:{}:{}",
            self.file.shown(),
            self.line,
            self.col
        )?;
        // Tabs, control characters and bidirectional marks would misalign the caret (the
        // terminal's printer shows the marks escaped, several cells wide, or they reorder the
        // line); show them as spaces.
        let chars: Vec<char> = self
            .line_text
            .chars()
            .map(|c| if crate::text::unsafe_char(c) { ' ' } else { c })
            .collect();
        // A long line is shown as a window of at most 200 characters around the column.
        let col = self.col - 1;
        let from = if col > 120 && chars.len() > 200 {
            (col - 60).min(chars.len())
        } else {
            0
        };
        let lead = if from > 0 { "…" } else { "" };
        let window = &chars[from..chars.len().min(from + 200)];
        let trail = if from + window.len() < chars.len() {
            "…"
        } else {
            ""
        };
        let shown: String = window.iter().collect();
        writeln!(f, "{pad} |")?;
        writeln!(f, "{num} | {lead}{shown}{trail}")?;
        // In terminal cells: a wide character (CJK, most emoji) takes two, a combining mark
        // none (counted as characters, the caret sat a cell left of its place for each wide
        // one before it).
        let at = (col - from).min(window.len());
        let caret_at = lead.chars().count() + window[..at].iter().map(|&c| cells(c)).sum::<usize>();
        let marked = self.width.min(window.len() - at);
        let width = window[at..at + marked]
            .iter()
            .map(|&c| cells(c))
            .sum::<usize>()
            .max(1);
        write!(f, "{pad} | {}{}", " ".repeat(caret_at), "^".repeat(width))?;
        if let Some(e) = &expected {
            write!(f, " expected {e}")?;
        }
        if self.more > 0 {
            write!(
                f,
                "\n\n... and {} more problems in {}, not shown (those above are the first \
                 found, in the order brink checks, and some of those not shown may lie \
                 earlier in the file: fix these and validate again)",
                self.more,
                self.file.shown()
            )?;
        }
        Ok(())
    }
}

/// The terminal cells a character takes (Unicode's East Asian Width, as the terminal tables
/// measure text): 2 for wide and full-width characters and emoji, 0 for combining marks and
/// zero-width characters, else 1.
fn cells(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(1)
}

/// All problems of one load, reported together.
#[derive(Debug, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let n: usize = self.0.iter().map(|d| 1 + d.more).sum();
        if n > 1 {
            write!(f, "\n\n{n} problems found")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The caret stands under its column in terminal cells: wide characters before it take two
    /// each (a reviewing helper's line with 日本語 before the error had it three cells left).
    #[test]
    fn the_caret_counts_wide_characters_as_two_cells() {
        let text = "a: /* 日本語 */ 1.4, b: x";
        let col = text.chars().position(|c| c == '1').unwrap() + 1;
        let d = Diagnostic::new(Path::new("t.ron"), text, 1, col, "bad").width(3);
        let shown = d.to_string();
        let caret = shown.lines().find(|l| l.contains('^')).unwrap();
        // "  | " then one space per cell before "1.4": its 13 characters before it, three of
        // them wide.
        assert_eq!(caret.find('^'), Some(4 + (col - 1) + 3), "{shown}");
        assert_eq!(caret.matches('^').count(), 3, "{shown}");
        // A combining mark takes no cell.
        assert_eq!(cells('\u{301}'), 0);
        assert_eq!(cells('é'), 1);
        assert_eq!(cells('😀'), 2);
        assert_eq!(cells('🚀'), 2);
        assert_eq!(cells('☕'), 2);
    }

    /// Bidirectional marks are allowed in labels, but the terminal shows them escaped (eight
    /// cells each) or lets them reorder the line: the caret stood 14 cells left of its column
    /// after two of them (found by a reviewing helper). They are shown as spaces, a cell each.
    #[test]
    fn the_caret_stands_under_its_column_after_bidirectional_marks() {
        let text = "label: \"\u{200f}باكو\u{200f}\", activity: 5),";
        let col = text.chars().position(|c| c == '5').unwrap() + 1;
        let shown = Diagnostic::new(Path::new("t.ron"), text, 1, col, "bad").to_string();
        let line = shown.lines().find(|l| l.contains("activity")).unwrap();
        let caret = shown.lines().find(|l| l.contains('^')).unwrap();
        assert!(!line.contains('\u{200f}'), "{shown}");
        let five = line.chars().position(|c| c == '5').unwrap();
        assert_eq!(caret.chars().position(|c| c == '^'), Some(five), "{shown}");
    }
}
