//! Problems found in a scenario file, each with its place and what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file it is in.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Characters to underline from `col` (at least 1).
    pub width: usize,
    /// What is wrong.
    pub message: String,
    /// What was expected instead.
    pub expected: Option<String>,
    /// The text of the line, for the snippet.
    pub line_text: String,
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
        writeln!(f, "error: {}", self.message)?;
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        writeln!(f, "{pad}--> {}:{}:{}", self.file.display(), self.line, self.col)?;
        // Tabs and control characters would misalign the caret; show them as spaces.
        let shown: String = self
            .line_text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(200)
            .collect();
        writeln!(f, "{pad} |")?;
        writeln!(f, "{num} | {shown}")?;
        let caret_at = (self.col - 1).min(shown.chars().count());
        let width = self.width.min(shown.chars().count().saturating_sub(caret_at)).max(1);
        write!(f, "{pad} | {}{}", " ".repeat(caret_at), "^".repeat(width))?;
        if let Some(e) = &self.expected {
            write!(f, " expected {e}")?;
        }
        Ok(())
    }
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
        let n = self.0.len();
        if n > 1 {
            write!(f, "\n\n{n} problems found")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
