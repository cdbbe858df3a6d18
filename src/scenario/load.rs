//! Reading a scenario file: size and encoding checks, parsing, validation, diagnostics.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::diagnostics::{Diagnostic, Diagnostics};
use super::limits::{MAX_FILE_BYTES, MAX_NESTING};
use super::locate::{self, Kind, Pos};
use super::schema::Scenario;
use super::validate::validate;

/// A scenario read and checked, with what its outputs need to cite it.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    /// The file it came from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, in hex.
    pub hash: String,
}

/// Options of loading.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: MAX_FILE_BYTES,
        }
    }
}

/// Reads, parses and validates a scenario file. Every problem found is returned at once.
pub fn load(path: &Path, opts: LoadOptions) -> Result<LoadedScenario, Diagnostics> {
    let one = |msg: String, expected: &str| {
        Diagnostics(vec![Diagnostic::new(path, "", 1, 1, msg).expected(expected)])
    };
    let file = std::fs::File::open(path)
        .map_err(|e| one(format!("cannot read {}: {e}", path.display()), "a readable scenario file"))?;
    let mut bytes = Vec::new();
    // Read one byte past the limit, so a huge file is refused without reading it whole.
    file.take(opts.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| one(format!("cannot read {}: {e}", path.display()), "a readable scenario file"))?;
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(one(
            format!("the file is larger than the limit of {} bytes", opts.max_file_bytes),
            "a smaller scenario file (raise the limit with --max-file-size)",
        ));
    }
    let hash = hex(&Sha256::digest(&bytes));
    let scenario = parse_bytes(path, &bytes)?;
    Ok(LoadedScenario {
        scenario,
        path: path.to_path_buf(),
        hash,
    })
}

/// Parses and validates scenario bytes, attributing problems to `path`.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Scenario, Diagnostics> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let line = good.matches('\n').count() + 1;
            let col = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Err(Diagnostics(vec![
                Diagnostic::new(path, good, line, col, "the file is not valid UTF-8 text")
                    .expected("a UTF-8 text file (scenario files are RON text)"),
            ]));
        }
    };
    parse_text(path, text)
}

/// Parses and validates scenario text.
pub fn parse_text(path: &Path, text: &str) -> Result<Scenario, Diagnostics> {
    if text.trim().is_empty() {
        return Err(Diagnostics(vec![
            Diagnostic::new(path, text, 1, 1, "the file is empty")
                .expected("a scenario: Scenario(name: ..., horizon: ..., ...)"),
        ]));
    }
    if let Some((pos, depth)) = too_deep(text) {
        return Err(Diagnostics(vec![
            Diagnostic::new(path, text, pos.line, pos.col, format!("brackets nest more than {depth} deep"))
                .expected(format!("at most {MAX_NESTING} levels of nesting")),
        ]));
    }
    let scenario: Scenario = match super::parse_str(text) {
        Ok(s) => s,
        Err(e) => return Err(Diagnostics(vec![ron_diagnostic(path, text, &e)])),
    };
    let problems = validate(&scenario);
    let dups = duplicate_keys(path, text);
    if problems.is_empty() && dups.is_empty() {
        return Ok(scenario);
    }
    let tree = locate::read(text);
    let mut out: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| {
            let (start, width) = match &tree {
                Some(t) => {
                    let n = t.find(&p.loc);
                    let width = if n.start.line == n.end.line {
                        n.end.col.saturating_sub(n.start.col)
                    } else {
                        1
                    };
                    (n.start, width)
                }
                None => (Pos { line: 1, col: 1 }, 1),
            };
            let d = Diagnostic::new(path, text, start.line, start.col, p.message).width(width);
            match p.expected {
                Some(e) => d.expected(e),
                None => d,
            }
        })
        .chain(dups)
        .collect();
    out.sort_by_key(|d| (d.line, d.col));
    Err(Diagnostics(out))
}

/// Duplicate keys in `{...}` maps are reported too: ron keeps the last silently.
pub fn duplicate_keys(path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut dups = vec![];
    if let Some(t) = locate::read(text) {
        t.duplicate_map_keys(&mut dups);
    }
    dups.into_iter()
        .map(|(k, at, first)| {
            Diagnostic::new(path, text, at.line, at.col, format!("duplicate key {k:?}"))
                .width(k.chars().count() + 2)
                .expected(format!("each key once (first given at line {})", first.line))
        })
        .collect()
}

/// The first place where brackets nest deeper than the limit, ignoring strings and comments.
fn too_deep(text: &str) -> Option<(Pos, usize)> {
    let (mut line, mut col, mut depth) = (1, 1, 0usize);
    let mut chars = text.chars().peekable();
    let mut in_str: Option<char> = None;
    while let Some(c) = chars.next() {
        match in_str {
            Some(q) => {
                if c == '\\' {
                    chars.next();
                    col += 1;
                } else if c == q {
                    in_str = None;
                }
            }
            None => match c {
                '"' => in_str = Some('"'),
                '/' if chars.peek() == Some(&'/') => {
                    for c2 in chars.by_ref() {
                        if c2 == '\n' {
                            break;
                        }
                    }
                    line += 1;
                    col = 1;
                    continue;
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some((Pos { line, col }, MAX_NESTING));
                    }
                }
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    None
}

/// Turns a ron error into a diagnostic with a plain-words message.
fn ron_diagnostic(path: &Path, text: &str, e: &ron::error::SpannedError) -> Diagnostic {
    use ron::error::Error as E;
    let pos = Pos {
        line: e.span.start.line,
        col: e.span.start.col,
    };
    let quote = |v: &[&str]| {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let width = match &e.code {
        E::NoSuchStructField { found, .. } | E::NoSuchEnumVariant { found, .. } => {
            found.chars().count()
        }
        _ => 1,
    };
    let (msg, expected): (String, Option<String>) = match &e.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown field `{found}`{}",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
            ),
            Some(format!("one of the fields {}", quote(expected))),
        ),
        E::MissingStructField { field, outer } => (
            format!(
                "missing field `{field}`{}",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
            ),
            Some(format!("a value for `{field}`")),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown kind `{found}`{}",
                outer.as_ref().map(|o| format!(" for {o}")).unwrap_or_default()
            ),
            Some(format!("one of {}", quote(expected))),
        ),
        E::DuplicateStructField { field, outer } => (
            format!(
                "field `{field}` is given twice{}",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
            ),
            Some("each field once".into()),
        ),
        E::Eof => (
            "the file ends too early".into(),
            Some("the rest of the scenario (a bracket may be unclosed)".into()),
        ),
        E::Message(m) if m.contains("untagged enum Param") => {
            return param_diagnostic(path, text, pos);
        }
        E::Message(m) if m.contains("invalid type") || m.contains("invalid value") => {
            (m.clone(), None)
        }
        other => (other.to_string(), None),
    };
    let d = Diagnostic::new(path, text, pos.line, pos.col, msg).width(width);
    match expected {
        Some(x) => d.expected(x),
        None => d,
    }
}

/// A number field held something that is neither a number nor a distribution. Parse the value
/// again as a distribution to say exactly what is wrong with it.
fn param_diagnostic(path: &Path, text: &str, pos: Pos) -> Diagnostic {
    let expected = "a number, or a distribution such as Uniform(min: 0.1, max: 0.3) \
                    (Fixed, Uniform, Triangular, Pert, Normal, Beta, LogNormal)";
    let Some(tree) = locate::read(text) else {
        return Diagnostic::new(path, text, pos.line, pos.col, "this is not a number or a distribution")
            .expected(expected);
    };
    let node = tree.innermost_at(pos);
    let snippet: String = text.chars().skip(node.chars.0).take(node.chars.1 - node.chars.0).collect();
    let mut d = Diagnostic::new(
        path,
        text,
        node.start.line,
        node.start.col,
        format!("`{}` is not a number or a distribution", shorten(&snippet)),
    )
    .width(if node.start.line == node.end.line {
        node.end.col - node.start.col
    } else {
        1
    })
    .expected(expected);
    if let Kind::Struct { name: Some(_), .. } | Kind::Seq { name: Some(_), .. } = node.kind
        && let Err(inner) = super::ron_options().from_str::<super::param::Dist>(&snippet)
    {
        // Offset the inner position by where the snippet starts.
        let line = node.start.line + inner.span.start.line - 1;
        let col = if inner.span.start.line == 1 {
            node.start.col + inner.span.start.col - 1
        } else {
            inner.span.start.col
        };
        let inner_d = ron_diagnostic(path, text, &ron::error::SpannedError {
            code: inner.code,
            span: ron::error::Span {
                start: ron::error::Position { line, col },
                end: ron::error::Position { line, col },
            },
        });
        d = Diagnostic {
            message: format!("in a distribution: {}", inner_d.message),
            ..inner_d
        };
    }
    d
}

fn shorten(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 40 {
        one_line.chars().take(37).collect::<String>() + "..."
    } else {
        one_line
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
