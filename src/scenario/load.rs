//! Reading a scenario file: size and encoding checks, parsing, validation, diagnostics (the
//! reading, parsing and locating steps are shared with the other RON files, timelines).

use crate::text::ShowPath;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::diagnostics::{Diagnostic, Diagnostics};
use super::limits::{MAX_FILE_BYTES, MAX_NESTING};
use super::locate::{self, Kind, Node, Pos};
use super::schema::Scenario;
use super::validate::{Problem, validate};

/// A scenario read and checked, with what its outputs need to cite it.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The scenario, parsed and validated.
    pub scenario: Scenario,
    /// The file it came from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, in hex.
    pub hash: String,
    /// `--set` overrides already written into `scenario` (see [`super::overrides::apply`]);
    /// the manifests of its results record them.
    pub overrides: Vec<super::overrides::Override>,
}

/// Options of loading.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// How the caller raises that limit, for the refusal of a larger file: the command line's
    /// `--max-file-size` (the default), the Python package's `max_file_size=`.
    pub raise_limit_with: &'static str,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: MAX_FILE_BYTES,
            raise_limit_with: "--max-file-size",
        }
    }
}

/// Reads, parses and validates a scenario file. Every problem found is returned at once.
pub fn load(path: &Path, opts: LoadOptions) -> Result<LoadedScenario, Diagnostics> {
    let bytes = read_limited(path, opts, SCENARIO)?;
    let hash = sha256_hex(&bytes);
    let scenario = parse_bytes(path, &bytes)?;
    Ok(LoadedScenario {
        scenario,
        path: path.to_path_buf(),
        hash,
        overrides: vec![],
    })
}

/// What kind of RON file is read, in the words its diagnostics use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileKind {
    /// The file's kind in prose: "scenario".
    pub noun: &'static str,
    /// Its top-level value, as an example: "Scenario(name: ..., horizon: ..., ...)".
    pub example: &'static str,
    /// The record name of its top-level value: "Scenario".
    pub record: &'static str,
    /// The range of its whole numbers as typed (a scenario's are i64, checked further by
    /// validation; a timeline's u32).
    pub whole_numbers: (i64, u64),
}

/// A scenario file.
pub(crate) const SCENARIO: FileKind = FileKind {
    noun: "scenario",
    example: "Scenario(name: ..., horizon: ..., ...)",
    record: "Scenario",
    whole_numbers: (i64::MIN, i64::MAX as u64),
};

/// A scenario file's bytes as [`load`] reads them (a link at its name followed, a FIFO, a
/// folder or a file over `opts.max_file_bytes` refused with a located error): for a command
/// that needs the text itself, the calibrated copy of a scenario for instance. With
/// `either_kind`, a refusal calls it a scenario or timeline file (read to tell which it is).
pub fn read_bytes(
    path: &Path,
    opts: LoadOptions,
    either_kind: bool,
) -> Result<Vec<u8>, Diagnostics> {
    let kind = if either_kind {
        FileKind {
            noun: "scenario or timeline",
            ..SCENARIO
        }
    } else {
        SCENARIO
    };
    read_limited(path, opts, kind)
}

/// Reads a file's bytes, refusing one larger than the limit without reading it whole.
pub(crate) fn read_limited(
    path: &Path,
    opts: LoadOptions,
    kind: FileKind,
) -> Result<Vec<u8>, Diagnostics> {
    let noun = kind.noun;
    let one = |msg: String, expected: String| {
        Diagnostics(vec![Diagnostic::whole_file(path, msg).expected(expected)])
    };
    let cannot = |e: std::io::Error| {
        one(
            format!("cannot read {}: {e}", path.shown()),
            format!("a readable {noun} file"),
        )
    };
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    // Non-blocking, so that opening a FIFO with no writer returns at once instead of waiting
    // for ever; the type is then checked on the open file itself (no race with a rename).
    // A symbolic link to a plain file is followed and accepted.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NONBLOCK);
    }
    let file = open.open(path).map_err(cannot)?;
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(one(
            format!("cannot read {}: not a plain file", path.shown()),
            format!("a plain {noun} file (not a folder, FIFO or device)"),
        ));
    }
    let mut bytes = Vec::new();
    // Read one byte past the limit, so a huge file is refused without reading it whole.
    file.take(opts.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(one(
            format!(
                "the file is larger than the limit of {} byte{}",
                opts.max_file_bytes,
                if opts.max_file_bytes == 1 { "" } else { "s" }
            ),
            format!(
                "a smaller {noun} file (raise the limit with {})",
                opts.raise_limit_with
            ),
        ));
    }
    Ok(bytes)
}

/// The bytes as UTF-8 text, or a diagnostic at the first byte that is not.
pub(crate) fn utf8<'a>(
    path: &Path,
    bytes: &'a [u8],
    kind: FileKind,
) -> Result<&'a str, Diagnostics> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
        // Positions are counted after a byte-order mark, as everywhere else.
        let good = without_bom(good);
        let line = good.matches('\n').count() + 1;
        let col = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostics(vec![
            Diagnostic::new(path, good, line, col, "the file is not valid UTF-8 text").expected(
                format!("a UTF-8 text file ({} files are RON text)", kind.noun),
            ),
        ])
    })
}

/// The text without the byte-order mark that editors on Windows may start a UTF-8 file with
/// (it is not part of the text; positions are counted after it).
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses RON text (without its byte-order mark) into `T`, refusing an empty file and brackets
/// nested deeper than the limit first, and turning ron's error into a located diagnostic.
pub(crate) fn parse_ron<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    kind: FileKind,
) -> Result<T, Diagnostics> {
    let (any, too_deep) = any_and_too_deep(text);
    if !any {
        let example = || format!("a {}: {}", kind.noun, kind.example);
        let (what, expected) = if text.trim().is_empty() {
            ("the file is empty", example())
        } else if has_bare_cr(text) {
            // Old Mac line endings: the first `//` comment runs to the end of the file.
            (
                "the file's lines end in a bare carriage return (CR), so RON reads it as one \
                 line, and its first `//` comment runs to the end of the file",
                "lines that end in a line feed (LF) or CR LF: convert the file's line endings"
                    .into(),
            )
        } else {
            ("the file holds only comments", example())
        };
        return Err(Diagnostics(vec![
            Diagnostic::new(path, text, 1, 1, what).expected(expected),
        ]));
    }
    if let Some((pos, depth)) = too_deep {
        return Err(Diagnostics(vec![
            Diagnostic::new(
                path,
                text,
                pos.line,
                pos.col,
                format!("brackets nest more than {depth} deep"),
            )
            .expected(format!("at most {MAX_NESTING} levels of nesting")),
        ]));
    }
    super::ron_options().from_str(text).map_err(|e| {
        let mut d = ron_diagnostic(path, text, &e, kind);
        if has_bare_cr(text) {
            // Whatever ron stumbled on, a `//` comment that ran on past a bare CR is the
            // likelier cause ("the file ends too early" of a file that does not).
            d.expected = Some(format!(
                "{} (the file's lines end in bare carriage returns (CR), which RON does not take \
                 for line ends: a `//` comment runs on to the end of the file; convert the line \
                 endings to LF or CR LF)",
                d.expected.as_deref().unwrap_or("valid RON")
            ));
        }
        Diagnostics(vec![d])
    })
}

/// Whether the text has a carriage return that is not part of a CR LF (old Mac line endings).
fn has_bare_cr(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))
}

/// Parses and validates scenario bytes, attributing problems to `path`.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Scenario, Diagnostics> {
    parse_text(path, utf8(path, bytes, SCENARIO)?)
}

/// Parses and validates scenario text.
pub fn parse_text(path: &Path, text: &str) -> Result<Scenario, Diagnostics> {
    let text = without_bom(text);
    let scenario: Scenario = parse_ron(path, text, SCENARIO)?;
    located(path, text, validate(&scenario))?;
    Ok(scenario)
}

/// Places problems found after parsing (and the duplicate keys of `{...}` maps, which ron keeps
/// silently) at their line and column of `text`, sorted, the first [`MAX_SHOWN`] of them;
/// `Ok` if there are none.
pub(crate) fn located(path: &Path, text: &str, problems: Vec<Problem>) -> Result<(), Diagnostics> {
    let tree = locate::read(text);
    let mut dups = vec![];
    if let Some(t) = &tree {
        t.duplicate_map_keys(&mut dups);
    }
    if problems.is_empty() && dups.is_empty() {
        return Ok(());
    }
    let total = problems.len() + dups.len();
    let lines = Lines::new(text);
    // Only the first problems are located and shown: a hostile file may hold a hundred
    // thousand, and each costs a search of the file.
    let mut out: Vec<Diagnostic> = problems
        .into_iter()
        .take(MAX_SHOWN)
        .map(|p| {
            let (start, width) = match &tree {
                Some(t) => {
                    let n = if p.at_key {
                        t.find_key(&p.loc)
                    } else {
                        t.find(&p.loc)
                    };
                    let width = if n.start.line == n.end.line {
                        n.end.col.saturating_sub(n.start.col)
                    } else {
                        1
                    };
                    (n.start, width)
                }
                None => (Pos { line: 1, col: 1 }, 1),
            };
            let d = lines.diagnostic(path, start, p.message).width(width);
            match p.expected {
                Some(e) => d.expected(e),
                None => d,
            }
        })
        .chain(
            dups.into_iter()
                .take(MAX_SHOWN)
                .map(|(k, at, first)| dup_diagnostic(&lines, path, &k, at, first)),
        )
        .collect();
    out.sort_by_key(|d| (d.line, d.col));
    if total > MAX_SHOWN {
        out.truncate(MAX_SHOWN);
        if let Some(last) = out.last_mut() {
            last.more = total - MAX_SHOWN;
        }
    }
    Err(Diagnostics(out))
}

/// Most problems shown for one file.
const MAX_SHOWN: usize = 100;

/// Duplicate keys in `{...}` maps are reported too: ron keeps the last silently.
pub fn duplicate_keys(path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut dups = vec![];
    if let Some(t) = locate::read(text) {
        t.duplicate_map_keys(&mut dups);
    }
    let lines = Lines::new(text);
    dups.into_iter()
        .map(|(k, at, first)| dup_diagnostic(&lines, path, &k, at, first))
        .collect()
}

fn dup_diagnostic(lines: &Lines, path: &Path, k: &str, at: Pos, first: Pos) -> Diagnostic {
    lines
        .diagnostic(path, at, format!("duplicate key {k:?}"))
        .width(k.chars().count() + 2)
        .expected(format!(
            "each key once (first given at line {}, column {})",
            first.line, first.col
        ))
}

/// Where each line of a text starts, so that many diagnostics find their line quickly.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// The text of a 1-based line, without its line break.
    fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.max(1) - 1) else {
            return "";
        };
        let end = self.starts.get(line).map_or(self.text.len(), |&e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    fn diagnostic(&self, path: &Path, at: Pos, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::new(path, "", 1, at.col, message);
        d.line = at.line.max(1);
        d.line_text = self.line(at.line).to_string();
        d
    }
}

/// What a token of RON text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// `(`, `[` or `{`.
    Open(char),
    /// `)`, `]` or `}`.
    Close(char),
    /// A string literal (plain, raw or byte); `multiline` if it spans lines.
    Str { multiline: bool },
    /// A string literal that runs to the end of the file.
    UnclosedStr,
    /// A `/*` comment that runs to the end of the file.
    UnclosedComment,
    /// A char literal.
    Char,
    /// A number, identifier or keyword.
    Word,
    /// `,`, `:` or another single character.
    Punct,
}

/// A token with its extent.
#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Tok,
    start: Pos,
    end: Pos,
    /// Character offsets, `start..end`.
    chars: (usize, usize),
}

/// Splits RON text into its significant tokens, skipping whitespace and comments. Unlike ron it
/// never fails: it is what diagnostics and the nesting pre-check look at, so it must agree with
/// ron on what is a string or a comment (a bracket inside either does not count).
fn lex(text: &str) -> Vec<Token> {
    let mut toks = Vec::new();
    lex_each(text, |t| {
        toks.push(t);
        ControlFlow::Continue(())
    });
    toks
}

/// The tokens of `text` up to and including the second after the first one that ends past
/// `pos`: what a diagnostic at ron's position reads (the token there, whether another follows,
/// the brackets open before it). A whole file's tokens took about 60 bytes a character in
/// punctuation: 4 MB of stray control characters took half a gigabyte (a reviewing helper).
fn lex_through(text: &str, pos: Pos) -> Vec<Token> {
    let mut toks = Vec::new();
    let mut after = 0;
    lex_each(text, |t| {
        after += usize::from(t.end > pos);
        toks.push(t);
        if after >= 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    toks
}

/// [`lex`], handing each token to `each` as it is read, until `each` breaks.
fn lex_each(text: &str, mut each: impl FnMut(Token) -> ControlFlow<()>) {
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let at = |i: usize| chars.get(i).copied();
    // Advances over one character, keeping line and column.
    let step = |i: &mut usize, line: &mut usize, col: &mut usize| {
        if chars.get(*i) == Some(&'\n') {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
        *i += 1;
    };
    while let Some(c) = at(i) {
        let start = Pos { line, col };
        let start_i = i;
        let kind = match (c, at(i + 1)) {
            // What ron skips as whitespace, and no more: a non-breaking space (pasted from a
            // word processor) is a token of its own, so that a message points at it.
            (c, _) if ron_whitespace(c) => {
                step(&mut i, &mut line, &mut col);
                continue;
            }
            ('/', Some('/')) => {
                while at(i).is_some_and(|c| c != '\n') {
                    step(&mut i, &mut line, &mut col);
                }
                continue;
            }
            ('/', Some('*')) => {
                step(&mut i, &mut line, &mut col);
                step(&mut i, &mut line, &mut col);
                let mut depth = 1;
                while depth > 0 {
                    match (at(i), at(i + 1)) {
                        (None, _) => break,
                        (Some('*'), Some('/')) => {
                            depth -= 1;
                            step(&mut i, &mut line, &mut col);
                        }
                        (Some('/'), Some('*')) => {
                            depth += 1;
                            step(&mut i, &mut line, &mut col);
                        }
                        _ => {}
                    }
                    step(&mut i, &mut line, &mut col);
                }
                if depth == 0 {
                    continue;
                }
                Tok::UnclosedComment
            }
            ('"', _) | ('b', Some('"')) => {
                if c == 'b' {
                    step(&mut i, &mut line, &mut col);
                }
                step(&mut i, &mut line, &mut col);
                let mut multiline = false;
                loop {
                    match at(i) {
                        None => break Tok::UnclosedStr,
                        Some('\\') => {
                            step(&mut i, &mut line, &mut col);
                            if at(i).is_some() {
                                step(&mut i, &mut line, &mut col);
                            }
                        }
                        Some('"') => {
                            step(&mut i, &mut line, &mut col);
                            break Tok::Str { multiline };
                        }
                        Some(c) => {
                            multiline |= c == '\n';
                            step(&mut i, &mut line, &mut col);
                        }
                    }
                }
            }
            ('r', _) | ('b', Some('r')) if raw_string_hashes(&chars, i).is_some() => {
                let (prefix, hashes) = raw_string_hashes(&chars, i).unwrap_or((1, 0));
                for _ in 0..prefix + hashes + 1 {
                    step(&mut i, &mut line, &mut col);
                }
                let mut multiline = false;
                loop {
                    match at(i) {
                        None => break Tok::UnclosedStr,
                        Some('"') if (1..=hashes).all(|k| at(i + k) == Some('#')) => {
                            for _ in 0..=hashes {
                                step(&mut i, &mut line, &mut col);
                            }
                            break Tok::Str { multiline };
                        }
                        Some(c) => {
                            multiline |= c == '\n';
                            step(&mut i, &mut line, &mut col);
                        }
                    }
                }
            }
            ('\'', _) => {
                step(&mut i, &mut line, &mut col);
                loop {
                    match at(i) {
                        None | Some('\n') => break,
                        Some('\\') => {
                            step(&mut i, &mut line, &mut col);
                            if at(i).is_some_and(|c| c != '\n') {
                                step(&mut i, &mut line, &mut col);
                            }
                        }
                        Some('\'') => {
                            step(&mut i, &mut line, &mut col);
                            break;
                        }
                        Some(_) => step(&mut i, &mut line, &mut col),
                    }
                }
                Tok::Char
            }
            ('(' | '[' | '{', _) => {
                step(&mut i, &mut line, &mut col);
                Tok::Open(c)
            }
            (')' | ']' | '}', _) => {
                step(&mut i, &mut line, &mut col);
                Tok::Close(c)
            }
            (c, _) if !is_word_char(c) => {
                step(&mut i, &mut line, &mut col);
                Tok::Punct
            }
            _ => {
                while at(i).is_some_and(is_word_char) {
                    step(&mut i, &mut line, &mut col);
                    // A comment right after a word ends it.
                    if at(i) == Some('/') && matches!(at(i + 1), Some('/' | '*')) {
                        break;
                    }
                }
                Tok::Word
            }
        };
        let token = Token {
            kind,
            start,
            end: Pos { line, col },
            chars: (start_i, i),
        };
        if each(token).is_break() {
            return;
        }
    }
}

/// Characters of numbers and identifiers (`-1.5e3`, `r#name`, `NaN`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || "_.+-#".contains(c)
}

/// If a raw string (`r"…"`, `r#"…"#`, `br"…"`) starts at `i`: the length of its prefix
/// (`r` or `br`) and its number of `#`.
fn raw_string_hashes(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let prefix = if chars.get(i) == Some(&'b') { 2 } else { 1 };
    if chars.get(i + prefix - 1) != Some(&'r') {
        return None;
    }
    let hashes = chars[i + prefix..]
        .iter()
        .take_while(|&&c| c == '#')
        .count();
    (chars.get(i + prefix + hashes) == Some(&'"')).then_some((prefix, hashes))
}

/// Whether the text holds any token, and the first place where brackets nest deeper than the
/// limit, ignoring strings and comments; read as the tokens come, none kept.
fn any_and_too_deep(text: &str) -> (bool, Option<(Pos, usize)>) {
    let (mut any, mut deep) = (false, None);
    let mut depth = 0usize;
    lex_each(text, |t| {
        any = true;
        match t.kind {
            Tok::Open(_) => {
                depth += 1;
                if depth > MAX_NESTING {
                    deep = Some((t.start, MAX_NESTING));
                    return ControlFlow::Break(());
                }
            }
            Tok::Close(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        ControlFlow::Continue(())
    });
    (any, deep)
}

/// If the brackets of the file do not balance and ron's position is a closing bracket, the
/// diagnostic that says so.
fn early_close(path: &Path, text: &str, ron_pos: Pos) -> Option<Diagnostic> {
    let chars: Vec<char> = text.chars().collect();
    let toks = lex(text);
    let mut stack: Vec<usize> = vec![];
    let mut balanced = true;
    let mut closed_here = None;
    for (j, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open(_) => stack.push(j),
            Tok::Close(c) => match stack.pop() {
                Some(o) => {
                    if t.start == ron_pos {
                        closed_here = Some((o, c));
                    }
                    if !matches!(toks[o].kind, Tok::Open(oc) if closing(oc) == c) {
                        balanced = false;
                    }
                }
                None => balanced = false,
            },
            _ => {}
        }
    }
    balanced &= stack.is_empty();
    let (o, c) = closed_here.filter(|_| !balanced)?;
    Some(
        Diagnostic::new(
            path,
            text,
            ron_pos.line,
            ron_pos.col,
            format!(
                "unbalanced brackets: this `{c}` closes {} too early",
                describe_open(&chars, &toks, o)
            ),
        )
        .expected("the rest of its fields before it (is this bracket one too many?)"),
    )
}

/// Whether every bracket of the text is closed by its match (read as the tokens come).
fn brackets_balance(text: &str) -> bool {
    let mut stack = vec![];
    let mut balanced = true;
    lex_each(text, |t| {
        match t.kind {
            Tok::Open(c) => stack.push(closing(c)),
            Tok::Close(c) if stack.pop() != Some(c) => {
                balanced = false;
                return ControlFlow::Break(());
            }
            _ => {}
        }
        ControlFlow::Continue(())
    });
    balanced && stack.is_empty()
}

/// The closing bracket of an opening one.
fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// How a token reads in a message: `` `"52"` ``, `` `]` ``, or "the end of the file".
/// A space character ron does not take, named (it is invisible between backquotes).
fn space_name(c: char) -> String {
    format!(
        "character U+{:04X} ({}; RON separates with plain spaces, tabs and line breaks)",
        u32::from(c),
        if c == '\u{a0}' || c == '\u{202f}' {
            "a non-breaking space"
        } else {
            "a space RON does not take"
        }
    )
}

/// The characters ron skips as whitespace (its `is_whitespace_char`, which it does not export).
pub(crate) fn ron_whitespace(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '\n'
            | '\r'
            | '\x0B'
            | '\x0C'
            | '\u{85}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

fn describe_token(text: &[char], t: Option<&Token>) -> String {
    match t {
        None => "the end of the file".into(),
        Some(t) => {
            let s: String = text[t.chars.0..t.chars.1].iter().collect();
            match s.chars().next() {
                // Invisible between backquotes: named.
                Some(c) if s.chars().count() == 1 && c.is_whitespace() => space_name(c),
                _ => format!("`{}`", shorten(&s)),
            }
        }
    }
}

/// What opened a bracket, for messages: `` `Pressure(` opened at line 25, column 9 ``.
fn describe_open(text: &[char], toks: &[Token], k: usize) -> String {
    let t = &toks[k];
    let Tok::Open(c) = t.kind else {
        return String::new();
    };
    let (name, start) = match k.checked_sub(1).map(|j| &toks[j]) {
        Some(w) if w.kind == Tok::Word && c == '(' => (
            text[w.chars.0..w.chars.1].iter().collect::<String>(),
            w.start,
        ),
        _ => (String::new(), t.start),
    };
    format!(
        "`{}{c}` opened at line {}, column {}",
        shorten(&name),
        start.line,
        start.col
    )
}

/// The top-level fields of a record, as its parser lists them to an unknown one (so the list
/// is the type's own, never a copy to keep in step).
fn fields_of<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    match ron::from_str::<T>("(brink_no_such_field: 0)") {
        Err(e) => match e.code {
            ron::error::Error::NoSuchStructField { expected, .. } => expected,
            _ => &[],
        },
        Ok(_) => &[],
    }
}

/// A hint for a top-level field of `kind`'s record that is not one of its own but one of the
/// other kind's: a timeline given where a scenario goes, or the reverse.
fn other_kind_hint(kind: FileKind, field: &str) -> &'static str {
    use crate::scenario::{Scenario, timeline::Timeline};
    let (own, other, hint) = match kind.record {
        "Scenario" => (
            fields_of::<Scenario>(),
            fields_of::<Timeline>(),
            " (this file reads as a timeline: give the scenario it is of)",
        ),
        "Timeline" => (
            fields_of::<Timeline>(),
            fields_of::<Scenario>(),
            " (this file reads as a scenario: give a timeline of it)",
        ),
        _ => return "",
    };
    if other.contains(&field) && !own.contains(&field) {
        hint
    } else {
        ""
    }
}

/// Turns a ron error into a diagnostic with a plain-words message, at the token it is about.
fn ron_diagnostic(
    path: &Path,
    text: &str,
    e: &ron::error::SpannedError,
    kind: FileKind,
) -> Diagnostic {
    use ron::error::Error as E;
    let ron_pos = Pos {
        line: e.span.start.line,
        col: e.span.start.col,
    };
    let quote = |v: &[&str]| {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let outer = |o: &Option<String>, word: &str| {
        o.as_ref()
            .map(|o| format!(" {word} {o}"))
            .unwrap_or_default()
    };
    let plain = |msg: String, expected: Option<String>, pos: Pos, width: usize| {
        let d = Diagnostic::new(path, text, pos.line, pos.col, msg).width(width);
        match expected {
            Some(x) => d.expected(x),
            None => d,
        }
    };
    // Errors about a name ron has just read: its position is already the name's.
    match &e.code {
        E::NoSuchStructField {
            expected,
            found,
            outer: o,
        } => {
            // `Rung(name: "a", threshold: 2,` without its `)` makes the next `Rung` a field.
            let hint = if !brackets_balance(text) {
                " (the brackets of the file do not balance: is a closing bracket missing before it?)"
            } else if o.as_deref() == Some(kind.record) {
                // A file of the other kind written with a bare `(` (as the shipped ones are)
                // is not caught by its record's name: its first field gives it away.
                other_kind_hint(kind, found)
            } else {
                ""
            };
            return plain(
                format!(
                    "unknown field `{}`{}",
                    crate::text::shortened(found),
                    outer(o, "in")
                ),
                Some(format!("one of the fields {}{hint}", quote(expected))),
                ron_pos,
                found.chars().count(),
            );
        }
        E::NoSuchEnumVariant {
            expected,
            found,
            outer: o,
        } => {
            // The enum's name in the analyst's words, where brink's own type name differs
            // ("unknown kind `Foo` for Dist").
            // (A distribution's is said before: "in a distribution: unknown kind `Foo`".)
            let o = o.as_deref().filter(|o| *o != "Dist").map(|o| {
                match o {
                    "Param" => "a number",
                    "ActorKind" => "an actor's kind",
                    "Effect" => "an effect",
                    "Lever" => "a lever",
                    "Condition" => "a condition",
                    "Timing" => "an event's timing",
                    "ActorParam" | "RelationParam" | "LeverParam" => "a parameter",
                    "Observed" => "an observation",
                    "Target" => "a fact's target",
                    other => other,
                }
                .to_string()
            });
            return plain(
                format!(
                    "unknown kind `{}`{}",
                    crate::text::shortened(found),
                    outer(&o, "for")
                ),
                Some(format!("one of {}", quote(expected))),
                ron_pos,
                found.chars().count(),
            );
        }
        E::DuplicateStructField { field, outer: o } => {
            return plain(
                format!("field `{field}` is given twice{}", outer(o, "in")),
                Some("each field once".into()),
                ron_pos,
                field.chars().count(),
            );
        }
        E::MissingStructField { field, outer: o } => {
            // A closing bracket too many ends a struct early: then that bracket is the mistake.
            if let Some(d) = early_close(path, text, ron_pos) {
                return d;
            }
            // ron stops at the closing bracket; point at the struct that lacks the field.
            let (pos, width) = match locate::read(text) {
                Some(tree) => {
                    let n = tree.innermost_at(ron_pos);
                    let width = match &n.kind {
                        Kind::Struct { name: Some(s), .. } | Kind::Seq { name: Some(s), .. } => {
                            s.chars().count()
                        }
                        _ => 1,
                    };
                    (n.start, width)
                }
                None => (ron_pos, 1),
            };
            return plain(
                format!("missing field `{field}`{}", outer(o, "in")),
                Some(format!("a value for `{field}`")),
                pos,
                width,
            );
        }
        E::Message(m) if m.contains("untagged enum Param") => {
            return param_diagnostic(path, text, ron_pos, kind);
        }
        _ => {}
    }

    // Everything else is about the text at or just after ron's position: find that token.
    let chars: Vec<char> = text.chars().collect();
    let toks = lex_through(text, ron_pos);
    // A string or comment that runs to the end of the file, if ron ran into it.
    if let Some(t) = toks
        .iter()
        .find(|t| matches!(t.kind, Tok::UnclosedStr | Tok::UnclosedComment) && t.start <= ron_pos)
    {
        let what = if t.kind == Tok::UnclosedStr {
            "a string"
        } else {
            "a `/*` comment"
        };
        return plain(
            format!("{what} starts here and is never closed"),
            Some(
                if t.kind == Tok::UnclosedStr {
                    "a closing `\"`"
                } else {
                    "a closing `*/`"
                }
                .into(),
            ),
            t.start,
            1,
        );
    }
    // The token ron stopped at: the one that holds its position, or the next one.
    let k = toks.iter().position(|t| t.end > ron_pos);
    let found = k.map(|k| &toks[k]);
    // Brackets still open before it.
    let mut stack: Vec<usize> = vec![];
    for (j, t) in toks[..k.unwrap_or(toks.len())].iter().enumerate() {
        match t.kind {
            Tok::Open(_) => stack.push(j),
            Tok::Close(_) => {
                stack.pop();
            }
            _ => {}
        }
    }
    // A file cut right after a whole token: ron stops at that last token, which is not what
    // is wrong. Brackets still open after it say the file was cut (a whole one ends by
    // closing them), so the end of the file is what came too early.
    let after_whole_value = matches!(
        e.code,
        E::ExpectedComma | E::ExpectedStructLikeEnd | E::ExpectedArrayEnd | E::ExpectedMapEnd
    );
    let found = match k {
        // A bracket or a separator last is no value ron could fault, whatever it expected.
        Some(k)
            if k + 1 == toks.len()
                && (after_whole_value
                    || matches!(toks[k].kind, Tok::Open(_) | Tok::Close(_) | Tok::Punct)) =>
        {
            match toks[k].kind {
                Tok::Open(_) => stack.push(k),
                Tok::Close(_) => {
                    stack.pop();
                }
                _ => {}
            }
            if stack.is_empty() { found } else { None }
        }
        _ => found,
    };
    let open_hint = stack.last().map(|&j| describe_open(&chars, &toks, j));
    let Some(found) = found else {
        // The end of the file came first.
        let end = toks.last().map_or(Pos { line: 1, col: 1 }, |t| t.end);
        let expected = match stack.last().map(|&j| toks[j].kind) {
            Some(Tok::Open(c)) => format!(
                "`{}` to close {} (is the file truncated?)",
                closing(c),
                open_hint.unwrap_or_default()
            ),
            _ => format!("the rest of the {} (is the file truncated?)", kind.noun),
        };
        return plain("the file ends too early".into(), Some(expected), end, 1);
    };
    let pos = found.start;
    let width = if found.start.line == found.end.line {
        found.end.col - found.start.col
    } else {
        1
    };
    let found_s = describe_token(&chars, Some(found));

    // A closing bracket that does not match the open one.
    if let Tok::Close(c) = found.kind {
        match stack.last().map(|&j| toks[j].kind) {
            Some(Tok::Open(o)) if closing(o) != c => {
                return plain(
                    format!(
                        "unbalanced brackets: `{c}` does not close {}",
                        open_hint.unwrap_or_default()
                    ),
                    Some(format!("`{}`", closing(o))),
                    pos,
                    1,
                );
            }
            None => {
                return plain(
                    format!("unbalanced brackets: `{c}` closes nothing"),
                    Some("no closing bracket here".into()),
                    pos,
                    1,
                );
            }
            _ => {}
        }
    }

    // The field or map key the value belongs to: `name :` just before it.
    let field = k
        .filter(|&k| k >= 2 && toks[k - 1].kind == Tok::Punct && chars[toks[k - 1].chars.0] == ':')
        .map(|k| &toks[k - 2])
        .filter(|t| matches!(t.kind, Tok::Word | Tok::Str { .. }))
        .map(|t| {
            let s: String = chars[t.chars.0..t.chars.1].iter().collect();
            format!(" for `{}`", shorten(&s))
        })
        .unwrap_or_default();
    let is_number = |t: &Token| {
        t.kind == Tok::Word
            && chars[t.chars.0..t.chars.1]
                .iter()
                .collect::<String>()
                .parse::<f64>()
                .is_ok()
    };
    let unexpected = format!("unexpected {found_s}{field}");
    let close_hint = match stack.last().map(|&j| toks[j].kind) {
        Some(Tok::Open(o)) => format!(
            "`,` or `{}` to close {}",
            closing(o),
            open_hint.clone().unwrap_or_default()
        ),
        _ => "`,` or a closing bracket".into(),
    };
    let (msg, expected): (String, Option<String>) = match &e.code {
        // ron read the start of `52.0` as the whole number 52 and then stumbled on `.0`.
        E::ExpectedComma | E::ExpectedStructLikeEnd | E::ExpectedArrayEnd | E::ExpectedMapEnd
            if found.start < ron_pos && is_number(found) =>
        {
            (unexpected, Some("a whole number".into()))
        }
        E::ExpectedComma => (unexpected, Some(close_hint)),
        E::ExpectedStructLikeEnd => (unexpected, Some("`)`".into())),
        E::ExpectedArrayEnd => (unexpected, Some("`]`".into())),
        E::ExpectedMapEnd => (unexpected, Some("`}`".into())),
        E::ExpectedMapColon => {
            let after = k
                .and_then(|k| k.checked_sub(1))
                .map(|j| &toks[j])
                .filter(|t| matches!(t.kind, Tok::Word | Tok::Str { .. }))
                .map_or("the field name or key".into(), |t| {
                    describe_token(&chars, Some(t))
                });
            (unexpected, Some(format!("`:` after {after}")))
        }
        // A distribution where only a plain or whole number goes (a rung's threshold, bounds,
        // the horizon, a timeline's numbers): the field takes none, which "expected a number"
        // left unsaid.
        E::ExpectedFloat | E::ExpectedInteger
            if found.kind == Tok::Word
                && KINDS.contains(&chars[found.chars.0..found.chars.1].iter().collect::<String>().as_str()) =>
        {
            let what = if matches!(e.code, E::ExpectedInteger) {
                "a whole number"
            } else {
                "a plain number"
            };
            (
                unexpected,
                Some(format!(
                    "{what}: this field takes no distribution (docs/scenario-format.md, \
                     \"Numbers and distributions\")"
                )),
            )
        }
        // `- 1`: a sign apart from its number.
        E::ExpectedInteger | E::ExpectedFloat
            if chars[found.chars.0..found.chars.1] == ['-']
                || chars[found.chars.0..found.chars.1] == ['+'] =>
        {
            (
                unexpected,
                Some("a number with its sign written against it (`-1`, not `- 1`)".into()),
            )
        }
        E::ExpectedInteger => (unexpected, Some("a whole number".into())),
        // `1e400` where a whole number goes, `0o9` anywhere: ron stops at the digit.
        E::InvalidIntegerDigit { .. } => (
            unexpected,
            Some("a number in decimal digits (a whole number for a count or a step)".into()),
        ),
        E::IntegerOutOfBounds => {
            let (lo, hi) = kind.whole_numbers;
            let negative = chars[found.chars.0..found.chars.1].first() == Some(&'-');
            let what = match (negative, lo) {
                (true, 0) => "is negative",
                (true, _) => "is too small",
                (false, _) => "is too large",
            };
            // Beyond what a whole number can be read as at all; the field's own limits are far
            // narrower (1 to 5,200 steps for a horizon), and validation gives them.
            let expected = if lo == 0 {
                // A timeline's counts: their own range, which says a count is not negative.
                format!("a whole number from {lo} to {hi}")
            } else {
                format!(
                    "a whole number within the field's limits (docs/robustness.md, \"Limits\"; \
                     none reaches {})",
                    if negative {
                        lo.to_string()
                    } else {
                        hi.to_string()
                    }
                )
            };
            (
                format!("the whole number {found_s}{field} {what}"),
                Some(expected),
            )
        }
        E::ExpectedFloat => (unexpected, Some("a number".into())),
        E::ExpectedString | E::ExpectedStringEnd => (
            unexpected,
            Some("a string in double quotes, such as \"name\"".into()),
        ),
        E::ExpectedBoolean => (unexpected, Some("`true` or `false`".into())),
        E::ExpectedIdentifier => (
            unexpected,
            Some(match found.kind {
                Tok::Str { .. } => format!(
                    "a name without quotes: {}",
                    describe_token(&chars, Some(found)).replace('"', "")
                ),
                _ => "a name, such as a kind (`Measure(...)`) or a field".into(),
            }),
        ),
        E::ExpectedStructLike => (unexpected, Some("`(`".into())),
        E::ExpectedNamedStructLike(name) => (unexpected, Some(format!("`{name}(...)`"))),
        E::ExpectedArray => (unexpected, Some("a list in `[...]`".into())),
        E::ExpectedMap => (unexpected, Some("a map in `{...}`".into())),
        E::ExpectedOption | E::ExpectedOptionEnd => {
            (unexpected, Some("a value, `Some(...)` or `None`".into()))
        }
        E::ExpectedUnit => (unexpected, Some("`()`".into())),
        E::ExpectedChar => (unexpected, Some("a character in single quotes".into())),
        E::TrailingCharacters => (
            format!("unexpected {found_s} after the end of the {}", kind.noun),
            Some(format!(
                "nothing after the closing `)` of `{}(...)`",
                kind.record
            )),
        ),
        E::ExceededRecursionLimit => (
            "brackets nest too deep".into(),
            Some(format!("at most {MAX_NESTING} levels of nesting")),
        ),
        // A file of the other kind (a timeline where a scenario goes, or the reverse).
        // A misspelt or misplaced record inside the file: the record that goes there.
        E::ExpectedDifferentStructName { expected, found } if *expected != kind.record => (
            format!(
                "a `{}` where a `{expected}` goes",
                crate::text::shortened(found)
            ),
            Some(format!("`{expected}(...)`")),
        ),
        E::ExpectedDifferentStructName { expected, found } => (
            format!(
                "a `{}` where a `{expected}` goes",
                crate::text::shortened(found)
            ),
            Some(format!(
                "a {} file, written `{}(...)`{}",
                kind.noun,
                kind.record,
                match found.as_str() {
                    "Timeline" => " (this file is a timeline: give the scenario it is of)".into(),
                    "Scenario" => " (this file is a scenario: give a timeline of it)".into(),
                    _ => String::new(),
                }
            )),
        ),
        // `2,5`: ron reads `5` as a field name and suggests a raw identifier.
        E::SuggestRawIdentifier(word) if word.chars().all(|c| c.is_ascii_digit()) => (
            format!("unexpected `{word}` after a comma"),
            Some("a number written with a decimal point (`2.5`, not `2,5`)".into()),
        ),
        E::SuggestRawIdentifier(word) => (
            format!("unexpected `{word}`"),
            Some("a field name, a value or a closing bracket".into()),
        ),
        // ron takes a `/` for a comment's start and faults the character after it (a line
        // break was "a space RON does not take") or runs out of file looking for it: the lone
        // `/` is the fault.
        E::Eof | E::UnexpectedChar(_)
            if found.kind == Tok::Punct
                && found.chars.1 == found.chars.0 + 1
                && chars[found.chars.0] == '/' =>
        {
            (
                // After the record's closing bracket, not before its opening one
                // (`#![enable(...)]` then `/`, or `Scenario /`).
                if stack.is_empty()
                    && k.is_some_and(|k| k > 0 && matches!(toks[k - 1].kind, Tok::Close(')')))
                {
                    format!("unexpected `/` after the end of the {}", kind.noun)
                } else {
                    "unexpected `/`".into()
                },
                Some("a comment, which starts with `//` or `/*`".into()),
            )
        }
        E::UnexpectedChar(c) if c.is_whitespace() => (
            format!("unexpected {}", space_name(*c)),
            Some("a plain space, a tab or a line break".into()),
        ),
        E::UnexpectedChar(c) => (
            format!("unexpected character {c:?}"),
            Some("a value, a field name, a bracket, a comma or a `//` comment".into()),
        ),
        // ron's own words ("Unknown escape character"), with what a string may hold.
        E::InvalidEscape(what) => (
            format!("in a string: {}", what.to_lowercase()),
            Some(
                "an escape RON reads (`\\n`, `\\t`, `\\\"`, `\\\\`, `\\u{00e9}`), or the character \
                 itself: a file is UTF-8 text"
                    .into(),
            ),
        ),
        E::Eof => ("the file ends too early".into(), Some(close_hint)),
        other => (format!("{other}"), None),
    };
    // A string that runs over lines often means an earlier `"` is missing.
    let prev_multiline = k
        .and_then(|k| k.checked_sub(1))
        .map(|j| toks[j])
        .filter(|t| t.kind == (Tok::Str { multiline: true }));
    let expected = match (expected, prev_multiline) {
        (e, Some(s)) => Some(format!(
            "{}(the string that starts at line {}, column {} runs over several lines: is its closing `\"` missing?)",
            e.map(|e| e + " ").unwrap_or_default(),
            s.start.line,
            s.start.col
        )),
        (e, None) => e,
    };
    plain(msg, expected, pos, width)
}

/// The kinds of distribution a number field may hold (see `param::Dist`).
const KINDS: [&str; 8] = [
    "Fixed",
    "Uniform",
    "Triangular",
    "Pert",
    "Normal",
    "Beta",
    "LogNormal",
    "Shared",
];

/// A number field held something that is neither a number nor a distribution. Parse the value
/// again as a distribution to say exactly what is wrong with it.
fn param_diagnostic(path: &Path, text: &str, pos: Pos, kind: FileKind) -> Diagnostic {
    let expected = "a number, or a distribution such as Uniform(min: 0.1, max: 0.3) \
                    (Fixed, Uniform, Triangular, Pert, Normal, Beta, LogNormal)";
    let Some(tree) = locate::read(text) else {
        // A later syntax error (a file cut short) leaves no tree: the distribution whose
        // closing bracket ron stopped at, found in the text, is still read again alone (it was
        // "this is not a number or a distribution" at its `)`, whatever was wrong in it).
        if let Some((start, snippet)) = dist_ending_at(text, pos)
            && let Err(inner) = super::ron_options().from_str::<super::param::Dist>(&snippet)
        {
            return dist_problem(path, text, start, &snippet, &inner, kind);
        }
        return Diagnostic::new(
            path,
            text,
            pos.line,
            pos.col,
            "this is not a number or a distribution",
        )
        .expected(expected);
    };
    // Within a distribution (`Pert(min: low, ...)`), that distribution, read again alone for
    // its own error. Otherwise a bare word (`high`, `nan`), which ron reports just past it: the
    // word, not the record around it (which would be read as a distribution of an unknown
    // kind). Otherwise the node at the position.
    let chain = tree.chain_at_or_after(pos);
    let within_dist = chain.iter().rev().find(|n| {
        matches!(&n.kind, Kind::Struct { name: Some(k), .. } | Kind::Seq { name: Some(k), .. }
            if KINDS.contains(&k.as_str()))
    });
    let node = match (within_dist, chain.last()) {
        (Some(d), _) => d,
        (
            None,
            Some(
                n @ Node {
                    kind: Kind::Atom(w),
                    ..
                },
            ),
        ) if w.starts_with(|c: char| c.is_alphabetic()) => n,
        _ => tree.innermost_at(pos),
    };
    let snippet: String = text
        .chars()
        .skip(node.chars.0)
        .take(node.chars.1 - node.chars.0)
        .collect();
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
        d = dist_problem(path, text, node.start, &snippet, &inner, kind);
    }
    d
}

/// What is wrong with a distribution (`snippet`, starting at `start` in the file) that does not
/// parse alone (`inner`): its numbers in order counted against its fields, or ron's own error
/// at its place in the file.
fn dist_problem(
    path: &Path,
    text: &str,
    start: Pos,
    snippet: &str,
    inner: &ron::error::SpannedError,
    kind: FileKind,
) -> Diagnostic {
    if let Some((message, expected)) = positional_problem(snippet) {
        let one_line = !snippet.contains('\n');
        return Diagnostic::new(path, text, start.line, start.col, message)
            .width(if one_line { snippet.chars().count() } else { 1 })
            .expected(expected);
    }
    // Offset the inner position by where the snippet starts.
    let line = start.line + inner.span.start.line - 1;
    let col = if inner.span.start.line == 1 {
        start.col + inner.span.start.col - 1
    } else {
        inner.span.start.col
    };
    let inner_d = ron_diagnostic(
        path,
        text,
        &ron::error::SpannedError {
            code: inner.code.clone(),
            span: ron::error::Span {
                start: ron::error::Position { line, col },
                end: ron::error::Position { line, col },
            },
        },
        kind,
    );
    Diagnostic {
        message: format!("in a distribution: {}", inner_d.message),
        ..inner_d
    }
}

/// The distribution kinds: each one's numbers in order, those required first, and an example.
const DIST_FIELDS: [(&str, &[&str], &[&str], &str); 7] = [
    ("Fixed", &["value"], &[], "0.3"),
    ("Uniform", &["min", "max"], &[], "0.1, 0.3"),
    ("Triangular", &["min", "mode", "max"], &[], "0.1, 0.2, 0.4"),
    ("Pert", &["min", "mode", "max"], &[], "0.1, 0.2, 0.4"),
    ("Normal", &["mean", "sd"], &["min", "max"], "0.2, 0.05"),
    ("Beta", &["alpha", "beta"], &["min", "max"], "2.0, 5.0"),
    ("LogNormal", &["median", "sigma"], &[], "1.0, 0.5"),
];

/// A distribution written in order without its fields' names (`Pert(0.1, 0.2)`) with too few
/// or too many numbers, or a number after its source: what is wrong, and what it takes. ron's
/// own errors there said something else ("unexpected `2` after a comma", "unexpected `0.1`,
/// expected a field name", pointing at the first number). Read by [`lex`], so that strings
/// (raw ones too) and comments are what ron takes them for; `None` for anything else, which
/// ron's own error then describes.
pub(crate) fn positional_problem(snippet: &str) -> Option<(String, String)> {
    let toks = lex(snippet);
    let chars: Vec<char> = snippet.chars().collect();
    let word = |t: &Token| -> String { chars[t.chars.0..t.chars.1].iter().collect() };
    let name = word(toks.first().filter(|t| t.kind == Tok::Word)?);
    let (_, required, optional, example) = DIST_FIELDS.iter().find(|(k, ..)| **k == name)?;
    if toks.get(1)?.kind != Tok::Open('(') {
        return None;
    }
    // The items between the brackets, at their top level: (starts with a number, is a string,
    // is named `field:`).
    let mut items: Vec<(bool, bool, bool)> = vec![];
    let mut depth = 0;
    let mut at_start = true;
    for (n, t) in toks.iter().enumerate().skip(2) {
        match t.kind {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) if depth == 0 => break,
            Tok::Close(_) => depth -= 1,
            Tok::Punct if depth == 0 && chars[t.chars.0] == ',' => {
                at_start = true;
                continue;
            }
            _ => {}
        }
        if at_start && depth <= 1 {
            let w = word(t);
            let named = t.kind == Tok::Word
                && toks
                    .get(n + 1)
                    .is_some_and(|x| x.kind == Tok::Punct && chars[x.chars.0] == ':');
            let number = t.kind == Tok::Word && w.parse::<f64>().is_ok()
                || (t.kind == Tok::Punct && (w == "-" || w == "+"));
            items.push((number, matches!(t.kind, Tok::Str { .. }), named));
            at_start = false;
        }
    }
    // Numbers in order only: named fields are ron's to describe.
    if !items.first()?.0 || items.iter().any(|x| x.2) {
        return None;
    }
    let takes = {
        let mut t = required.join(", ");
        if !optional.is_empty() {
            t += &format!(", then optionally {}", optional.join(", "));
        }
        format!(
            "`{name}` with its numbers in order: {t} (then a source in quotes), e.g. \
             `{name}({example})`"
        )
    };
    let given = |n: usize| {
        if n == 1 {
            "1 number".to_string()
        } else {
            format!("{n} numbers")
        }
    };
    let numbers = items.iter().take_while(|x| !x.1).count();
    // ron reads a lone number in brackets as that number, not as a `Fixed`'s one field in
    // order (`Fixed(0.5, "s")` it reads): its error pointed at the number as if it were wrong.
    if name == "Fixed" && items.len() == 1 && numbers == 1 {
        return Some((
            "`Fixed` with one number in order and no source is not read as a distribution".into(),
            "the plain number, `Fixed(value: 0.5)`, or the number and its source in order, \
             `Fixed(0.5, \"source\")`"
                .into(),
        ));
    }
    if numbers < items.len() && items.len() > numbers + 1 {
        return Some((
            format!("`{name}` has more after its source"),
            format!("{takes}: the source comes last"),
        ));
    }
    if numbers < required.len() {
        Some((
            format!(
                "`{name}` is given {} in order, and its `{}` is missing",
                given(numbers),
                required[numbers]
            ),
            takes,
        ))
    } else if numbers > required.len() + optional.len() {
        Some((
            format!(
                "`{name}` is given {} in order, more than its {} ({})",
                given(numbers),
                required.len() + optional.len(),
                required
                    .iter()
                    .chain(optional.iter())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            takes,
        ))
    } else {
        None
    }
}

/// Without a tree of the file (a later syntax error): the distribution whose closing bracket
/// is at `pos`, found back from it by its brackets (read by [`lex`]: not those in strings or
/// comments) and its kind's name; its start and text.
fn dist_ending_at(text: &str, pos: Pos) -> Option<(Pos, String)> {
    let toks = lex(text);
    let close = toks
        .iter()
        .position(|t| t.start == pos && t.kind == Tok::Close(')'))?;
    let mut depth = 0;
    let mut open = None;
    for n in (0..=close).rev() {
        match toks[n].kind {
            Tok::Close(_) => depth += 1,
            Tok::Open(_) => {
                depth -= 1;
                if depth == 0 {
                    open = Some(n);
                    break;
                }
            }
            _ => {}
        }
    }
    let name = toks
        .get(open?.checked_sub(1)?)
        .filter(|t| t.kind == Tok::Word)?;
    let chars: Vec<char> = text.chars().collect();
    let kind: String = chars[name.chars.0..name.chars.1].iter().collect();
    if !DIST_FIELDS.iter().any(|(k, ..)| *k == kind) {
        return None;
    }
    Some((
        name.start,
        chars[name.chars.0..toks[close].chars.1].iter().collect(),
    ))
}

fn shorten(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 40 {
        one_line.chars().take(37).collect::<String>() + "..."
    } else {
        one_line
    }
}

/// Bytes in lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of bytes, in lowercase hex (how brink names a scenario file's content, and every
/// file of a result in its folder's marker).
///
/// ```
/// assert_eq!(
///     brink::scenario::sha256_hex(b""),
///     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
