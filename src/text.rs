//! Text that reaches a terminal or a message quoted whole: a control character or a character
//! that reorders a line, in a path or a scenario's text, printed escaped, so that no file name
//! can forge a line of brink's own (`\nerror: …`) or drive the terminal (ESC). A leaf: it
//! imports nothing of brink.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// Whether a character reorders the text around it or breaks its line where a reader does
/// not see one: the bidirectional embeddings, overrides, isolates and marks (LRM, RLM, the
/// Arabic letter mark), and the line and paragraph separators. Text from a scenario file
/// holding one is escaped wherever it reaches a terminal or a diagram's syntax.
///
/// ```
/// assert!(brink::text::reorders_text('\u{202e}'));
/// assert!(!brink::text::reorders_text('Б'));
/// ```
pub fn reorders_text(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{061c}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Whether a character must not reach a terminal raw: control characters (C0, DEL, C1) and
/// those that reorder a line ([`reorders_text`]).
pub fn unsafe_char(c: char) -> bool {
    c.is_control() || reorders_text(c)
}

/// Whether a character is a Unicode noncharacter (U+FDD0–U+FDEF and the last two code
/// points of every plane, U+FFFE, U+FFFF, U+1FFFE, …): never text, refused in a scenario's
/// text, and not let into a page raw.
///
/// ```
/// use brink::text::noncharacter;
/// assert!(noncharacter('\u{fffe}') && noncharacter('\u{fdd0}') && noncharacter('\u{10ffff}'));
/// assert!(!noncharacter('\u{fffd}') && !noncharacter('a'));
/// ```
pub fn noncharacter(ch: char) -> bool {
    let c = u32::from(ch);
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

/// A file's path as a word of a command line ([`shell_word`]): one that starts with `-` would
/// be read as an option, so it is given as `./-r.ron`.
///
/// ```
/// use brink::text::shell_path;
/// assert_eq!(shell_path("-r.ron"), "./-r.ron");
/// assert_eq!(shell_path("my file.ron"), "'my file.ron'");
/// ```
pub fn shell_path(f: &str) -> String {
    if f.starts_with('-') {
        shell_word(&format!("./{f}"))
    } else {
        shell_word(f)
    }
}

/// A word of a command line as a POSIX shell reads it back: as it is when it holds nothing
/// the shell treats specially, else in single quotes (a quote inside as `'\''`), or, when it
/// holds a character that must not reach a terminal raw ([`unsafe_char`]), in bash's `$'...'`
/// with that character as its UTF-8 bytes, so that it shows and still reads back.
///
/// ```
/// use brink::text::shell_word;
/// assert_eq!(shell_word("runs.ron"), "runs.ron");
/// assert_eq!(shell_word("my scenario.ron"), "'my scenario.ron'");
/// assert_eq!(shell_word("a\u{202e}b.ron"), "$'a\\xe2\\x80\\xaeb.ron'");
/// ```
pub fn shell_word(w: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,:=+/@%".contains(c);
    if !w.is_empty() && w.chars().all(plain) {
        w.to_string()
    } else if w.chars().any(unsafe_char) {
        // A newline or a tab (a distribution written on two lines), or any other character
        // that must not reach a terminal raw (a file named with ESC), in the escapes bash's
        // $'...' reads back as the character (the terminal's own `\u{1b}` it would not).
        let mut o = String::from("$'");
        for c in w.chars() {
            match c {
                '\\' => o.push_str("\\\\"),
                '\'' => o.push_str("\\'"),
                '\n' => o.push_str("\\n"),
                '\t' => o.push_str("\\t"),
                '\r' => o.push_str("\\r"),
                // Its UTF-8 bytes, which bash writes back in any locale (`\u200f` it leaves as
                // text where the locale is not UTF-8).
                c if unsafe_char(c) => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        o.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => o.push(c),
            }
        }
        o + "'"
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// A command line as a POSIX shell reads it back, each word as [`shell_word`] gives it: the
/// report's record of how its folder was made, to paste into a terminal.
///
/// ```
/// let words = ["brink", "run", "my scenario.ron"].map(String::from);
/// assert_eq!(brink::text::shell_command(&words), "brink run 'my scenario.ron'");
/// ```
pub fn shell_command(words: &[String]) -> String {
    words
        .iter()
        .map(|w| shell_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` with every unsafe character ([`unsafe_char`]) escaped, as `\n`, `\t`, `\r`, `\0` or
/// `\u{1b}`; newlines and tabs are kept when `keep_lines` is set (text of several lines).
///
/// ```
/// assert_eq!(brink::text::escape("a\u{1b}[2Jb\0\n", false), "a\\u{1b}[2Jb\\0\\n");
/// assert_eq!(brink::text::escape("a\tb\n\u{1b}c\r", true), "a\tb\n\\u{1b}c\\r");
/// assert_eq!(brink::text::escape("Баку", false), "Баку");
/// ```
pub fn escape(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let bad = |c: char| unsafe_char(c) && !(keep_lines && (c == '\n' || c == '\t'));
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            match c {
                '\0' => o.push_str("\\0"),
                '\t' => o.push_str("\\t"),
                '\n' => o.push_str("\\n"),
                '\r' => o.push_str("\\r"),
                _ => o.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            o.push(c);
        }
    }
    Cow::Owned(o)
}

/// JSON text made safe for a terminal in JSON's own escapes: every unsafe character
/// ([`unsafe_char`]) but the newlines and tabs between values becomes `\uXXXX`, which a JSON
/// reader takes back as the character (the terminal's `\u{200f}` is not JSON). Such characters
/// can only stand inside strings, where the escape means the same; `serde_json` escapes the C0
/// controls itself, not DEL, the C1 controls or the marks that reorder a line.
///
/// ```
/// let j = serde_json::to_string("Rupture \u{200f}قطع\u{7f}").unwrap();
/// let safe = brink::text::json_safe(&j);
/// assert_eq!(safe, "\"Rupture \\u200fقطع\\u007f\"");
/// assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), "Rupture \u{200f}قطع\u{7f}");
/// ```
pub fn json_safe(s: &str) -> Cow<'_, str> {
    let bad = |c: char| unsafe_char(c) && c != '\n' && c != '\t';
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            // Every unsafe character lies in the Basic Multilingual Plane: one escape each.
            o.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            o.push(c);
        }
    }
    Cow::Owned(o)
}

/// A path as a message quotes it: [`Path::display`], on one line, every unsafe character
/// escaped (a file may be named `x\nerror: forged`).
///
/// ```
/// use brink::text::ShowPath;
/// let p = std::path::Path::new("out\nerror: forged");
/// assert_eq!(format!("cannot read {}", p.shown()), "cannot read out\\nerror: forged");
/// ```
pub trait ShowPath {
    /// The path for a message.
    fn shown(&self) -> Shown<'_>;
}

impl ShowPath for Path {
    fn shown(&self) -> Shown<'_> {
        Shown(self)
    }
}

/// A path displayed escaped (see [`ShowPath`]).
pub struct Shown<'a>(&'a Path);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(&self.0.display().to_string(), false))
    }
}

/// A whole number with its thousands grouped: `grouped(2_400_000_000)` is "2,400,000,000".
///
/// ```
/// assert_eq!(brink::text::grouped(2_400_000_000), "2,400,000,000");
/// assert_eq!(brink::text::grouped(999), "999");
/// ```
pub fn grouped(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A count and its noun, in the singular for one: `counted(1, "fact", "facts")` is "1 fact".
///
/// ```
/// assert_eq!(brink::text::counted(1, "outcome", "outcomes"), "1 outcome");
/// assert_eq!(brink::text::counted(0, "outcome", "outcomes"), "0 outcomes");
/// ```
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Text that may run over several lines (a source, a description) for a place that holds one
/// line (a table cell, a chart's label): each line break or tab, with the spaces around it,
/// becomes one space. A source of two lines broke the terminal tables that show it, its second
/// line starting a row of its own at the left margin (where it could pass for a row of
/// brink's), and the PNG charts drew the breaks as empty boxes.
///
/// ```
/// use brink::text::one_line;
/// assert_eq!(one_line("article ¶3,\n  ¶4\r\nand\tTASS"), "article ¶3, ¶4 and TASS");
/// assert_eq!(one_line("plain  text"), "plain  text");
/// assert_eq!(one_line("\nlead and trail \n"), "lead and trail");
/// assert_eq!(one_line("one\u{2028}two\u{2029} three"), "one two three");
/// ```
pub fn one_line(s: &str) -> Cow<'_, str> {
    // Unicode's line and paragraph separators and NEL break a line as a newline does
    // (validation's `not_one_line` counts them so); a PNG drew them as boxes.
    const BREAKS: [char; 6] = ['\n', '\r', '\t', '\u{2028}', '\u{2029}', '\u{85}'];
    if !s.contains(BREAKS) {
        return Cow::Borrowed(s);
    }
    let pieces: Vec<&str> = s.split(BREAKS).collect();
    let last = pieces.len() - 1;
    let mut o = String::with_capacity(s.len());
    for (i, piece) in pieces.into_iter().enumerate() {
        let piece = if i > 0 {
            piece.trim_start_matches(' ')
        } else {
            piece
        };
        let piece = if i < last {
            piece.trim_end_matches(' ')
        } else {
            piece
        };
        if piece.is_empty() {
            continue;
        }
        if !o.is_empty() {
            o.push(' ');
        }
        o.push_str(piece);
    }
    Cow::Owned(o)
}

/// Whether `c` draws nothing: white space, or a character Unicode marks default-ignorable
/// (zero-width spaces and joiners, the soft hyphen, bidirectional marks and controls, variation
/// selectors, the byte order mark, tags). A label made of them alone shows as a blank on every
/// page and chart.
///
/// ```
/// use brink::text::invisible;
/// assert!("\u{200b}\u{feff} \u{2060}".chars().all(invisible));
/// assert!(!invisible('a') && !invisible('\u{4e2d}'));
/// ```
pub fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// `text` with the bidirectional embeddings, overrides and isolates it leaves open closed at
/// its end (innermost first), for a label cut short: a cut between U+202E and its U+202C
/// would leave the override open and reorder what follows the label ("…", the figures after
/// it). A closer without its opener is left as it is.
///
/// ```
/// use brink::text::{close_bidi, unbalanced_bidi};
/// assert_eq!(close_bidi("a \u{202e}bc"), "a \u{202e}bc\u{202c}");
/// assert_eq!(close_bidi("\u{2067}x\u{202b}y"), "\u{2067}x\u{202b}y\u{202c}\u{2069}");
/// assert_eq!(unbalanced_bidi(&close_bidi("\u{2066}\u{202d}q")), None);
/// assert_eq!(close_bidi("plain"), "plain");
/// ```
pub fn close_bidi(text: &str) -> String {
    let open = open_bidi(text);
    let mut closed = text.to_string();
    closed.extend(open.iter().rev().map(|&o| {
        if matches!(o, '\u{2066}'..='\u{2068}') {
            '\u{2069}'
        } else {
            '\u{202c}'
        }
    }));
    closed
}

/// The bidirectional embeddings, overrides and isolates `text` leaves open at its end, outermost
/// first (what [`close_bidi`] closes, and what a label broken over lines opens again on the
/// next one).
///
/// ```
/// use brink::text::open_bidi;
/// assert_eq!(open_bidi("\u{2067}x\u{202e}y"), vec!['\u{2067}', '\u{202e}']);
/// assert_eq!(open_bidi("\u{2067}x\u{2069}"), Vec::<char>::new());
/// ```
pub fn open_bidi(text: &str) -> Vec<char> {
    bidi_walk(text).0.into_iter().map(|(_, c)| c).collect()
}

/// A bidirectional formatting character and how many characters come before it.
type Placed = (usize, char);

/// The bidirectional formatting of `text` read left to right: what is open at its end
/// (outermost first), and the first closer without its opener (which closes nothing).
fn bidi_walk(text: &str) -> (Vec<Placed>, Option<Placed>) {
    let mut open: Vec<Placed> = vec![];
    let mut stray = None;
    for (i, c) in text.chars().enumerate() {
        match c {
            '\u{202a}' | '\u{202b}' | '\u{202d}' | '\u{202e}' | '\u{2066}'..='\u{2068}' => {
                open.push((i, c))
            }
            '\u{202c}' => match open.last() {
                Some((_, '\u{202a}' | '\u{202b}' | '\u{202d}' | '\u{202e}')) => {
                    open.pop();
                }
                _ => {
                    stray.get_or_insert((i, c));
                }
            },
            '\u{2069}' => {
                // An isolate's end closes the embeddings opened inside it too.
                match open
                    .iter()
                    .rposition(|(_, o)| matches!(o, '\u{2066}'..='\u{2068}'))
                {
                    Some(at) => open.truncate(at),
                    None => {
                        stray.get_or_insert((i, c));
                    }
                }
            }
            _ => {}
        }
    }
    (open, stray)
}

/// The first bidirectional formatting character of `text` left unbalanced: an embedding or
/// override (U+202A, U+202B, U+202D, U+202E) without its U+202C, an isolate (U+2066–U+2068)
/// without its U+2069, or a closer without its opener. Left open in a label, they reorder the
/// text after it on the page and in the charts (a scenario name ending in U+202E showed
/// "1,234 runs" as "432,1"); closed within the label, as a right-to-left label mixing
/// directions may need (`"اتحادیه \u{2066}EU-27\u{2069}"`), they reorder nothing outside it.
///
/// ```
/// use brink::text::unbalanced_bidi;
/// assert_eq!(unbalanced_bidi("a \u{2066}EU\u{2069} b"), None);
/// assert_eq!(unbalanced_bidi("Tutorial\u{202e}"), Some('\u{202e}'));
/// assert_eq!(unbalanced_bidi("x\u{2069}"), Some('\u{2069}'));
/// ```
pub fn unbalanced_bidi(text: &str) -> Option<char> {
    unbalanced_bidi_at(text).map(|(_, c)| c)
}

/// As [`unbalanced_bidi`], with the character's place: how many characters come before it.
///
/// ```
/// use brink::text::unbalanced_bidi_at;
/// // The first U+202E is closed; the second is not.
/// assert_eq!(unbalanced_bidi_at("\u{202e}a\u{202c}b\u{202e}c"), Some((4, '\u{202e}')));
/// assert_eq!(unbalanced_bidi_at("ab\u{2069}"), Some((2, '\u{2069}')));
/// ```
pub fn unbalanced_bidi_at(text: &str) -> Option<(usize, char)> {
    let (open, stray) = bidi_walk(text);
    stray.or_else(|| open.first().copied())
}

/// A name the user gave (a variant, an outcome, a measure, a lever), quoted for a message:
/// as `{:?}` writes it, cut to its first 60 characters with its length when it is longer than
/// 80. A name of a megabyte on the command line or in a file was echoed whole, a megabyte of
/// standard error for one refusal.
///
/// ```
/// use brink::text::quoted_name;
/// assert_eq!(quoted_name("visa_regime"), "\"visa_regime\"");
/// let long = "x".repeat(1_000);
/// assert_eq!(quoted_name(&long), format!("{:?}… (1000 characters)", "x".repeat(60)));
/// ```
pub fn quoted_name(name: &str) -> String {
    let n = name.chars().count();
    if n > 80 {
        let head: String = name.chars().take(60).collect();
        format!("{head:?}… ({n} characters)")
    } else {
        format!("{name:?}")
    }
}

/// Text the user gave (a `--set` argument) for a message, as it is, or past 80 characters its
/// first 60 with its length, unquoted (see [`quoted_name`] for a quoted name).
///
/// ```
/// use brink::text::shortened;
/// assert_eq!(shortened("a.b=1"), "a.b=1");
/// assert_eq!(shortened(&"y".repeat(100)), format!("{}… (100 characters)", "y".repeat(60)));
/// ```
pub fn shortened(text: &str) -> Cow<'_, str> {
    shortened_to(text, 80, 60)
}

/// As [`shortened`], past `most` characters its first `keep` (a parser's reason for a
/// message, longer than a name).
///
/// ```
/// use brink::text::shortened_to;
/// assert_eq!(shortened_to("abcdef", 5, 2), "ab… (6 characters)");
/// assert_eq!(shortened_to("abcde", 5, 2), "abcde");
/// ```
pub fn shortened_to(text: &str, most: usize, keep: usize) -> Cow<'_, str> {
    let n = text.chars().count();
    if n > most {
        let head: String = text.chars().take(keep).collect();
        Cow::Owned(format!("{head}… ({n} characters)"))
    } else {
        Cow::Borrowed(text)
    }
}
