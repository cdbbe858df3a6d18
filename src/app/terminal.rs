//! Text for the analyst's terminal. Names, labels and descriptions come from scenario files,
//! and paths from the file system: a control character in them (ESC starts a terminal command
//! sequence) is printed escaped, as `\u{1b}` or `\0`, so that no file can drive the terminal.

use std::borrow::Cow;

use brink::text::escape;

/// One line of text, every control character escaped (newlines and tabs too).
///
/// ```
/// assert_eq!(crate::app::terminal::safe("a\u{1b}[2Jb\0\n"), "a\\u{1b}[2Jb\\0\\n");
/// assert_eq!(crate::app::terminal::safe("Баку"), "Баку");
/// ```
pub fn safe(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Text of several lines: as [`safe`], but newlines and tabs are kept.
///
/// ```
/// assert_eq!(crate::app::terminal::safe_text("a\tb\n\u{1b}c\r"), "a\tb\n\\u{1b}c\\r");
/// ```
pub fn safe_text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// A path for the terminal.
pub fn path(p: &std::path::Path) -> String {
    use brink::text::ShowPath;
    p.shown().to_string()
}

/// The first failure to write to standard output other than a closed pipe: the command's
/// printed result was lost, which `main` reports (exit code 1) once the command is done.
static STDOUT_FAILED: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);

/// Writes text to standard output. A closed pipe (`brink describe | head`) ends nothing: the
/// reader has what it wanted. Any other failure (`> f.dot` on a full disk) is kept for
/// [`stdout_result`], so that a lost result is not reported as success.
pub fn print(text: &str) {
    use std::io::Write;
    let written = std::io::stdout().lock().write_all(text.as_bytes());
    remember_stdout_failure(written);
}

fn remember_stdout_failure(r: std::io::Result<()>) {
    if let Err(e) = r
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let mut failed = STDOUT_FAILED.lock().unwrap_or_else(|p| p.into_inner());
        failed.get_or_insert(e);
    }
}

/// Flushes standard output and returns the first failure to write to it (a closed pipe
/// excepted), if any.
pub fn stdout_result() -> std::io::Result<()> {
    use std::io::Write;
    remember_stdout_failure(std::io::stdout().lock().flush());
    match STDOUT_FAILED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The message for an argument clap refused. clap quotes the value whole: a `--set` value of
/// a hundred thousand characters came back whole, and a newline in it started a line of its
/// own that could pass for brink's. Where a value it would quote holds a control character or
/// runs past 80 characters, the message is brink's own with the value quoted and escaped
/// ([`brink::text::quoted_name`]), the parser's reason kept; otherwise clap's as it is.
pub fn refused_argument(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let rendered = e.render().to_string();
    let strings = |v: &ContextValue| -> Vec<String> {
        match v {
            ContextValue::String(s) => vec![s.clone()],
            ContextValue::Strings(s) => s.clone(),
            _ => vec![],
        }
    };
    let hostile = |s: &String| s.chars().count() > 80 || s.chars().any(brink::text::unsafe_char);
    let quoted: Vec<String> = e
        .context()
        .flat_map(|(_, v)| strings(v))
        .filter(hostile)
        .map(|s| brink::text::quoted_name(&s))
        .collect();
    if quoted.is_empty() {
        return rendered.trim_end().to_string();
    }
    // The parser's reason may quote the value whole too (`--shard`'s "found …"): cut.
    let reason = std::error::Error::source(e)
        .map(|s| format!(": {}", brink::text::shortened_to(&s.to_string(), 300, 240)));
    // clap's list of the values a flag takes, kept.
    let possible = match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(v)) if !v.is_empty() => {
            format!("\n  [possible values: {}]", v.join(", "))
        }
        _ => String::new(),
    };
    let text = match (
        e.get(ContextKind::InvalidValue),
        e.get(ContextKind::InvalidArg),
    ) {
        (Some(ContextValue::String(v)), Some(ContextValue::String(arg))) if !hostile(arg) => {
            format!(
                "invalid value {} for '{arg}'{}{possible}",
                brink::text::quoted_name(v),
                reason.unwrap_or_default()
            )
        }
        _ => format!("{}: {}", e.kind(), quoted.join(", ")),
    };
    format!("error: {text}\n\nFor more information, try '--help'.")
}

/// Writes a line to standard error, escaped ([`safe_text`]). A failed write (a log on a full
/// disk, `2>&1 | head` whose reader is gone) is ignored: `eprintln!` would panic there, turning
/// a finished command into a crash and losing its work.
pub fn tell(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", safe_text(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refused value is quoted escaped and cut where it holds a control character or is
    /// long; a plain one keeps clap's message.
    #[test]
    fn a_refused_value_is_quoted_safely() {
        use clap::Parser;
        let refuse = |args: &[&str]| {
            let all: Vec<&str> = ["brink", "run", "s.ron"]
                .iter()
                .chain(args)
                .copied()
                .collect();
            match crate::app::cli::Cli::try_parse_from(&all) {
                Ok(_) => panic!("accepted {all:?}"),
                Err(e) => refused_argument(&e),
            }
        };
        let m = refuse(&["--set", "a.b\nerror: forged"]);
        assert_eq!(m.lines().count(), 3, "{m}");
        assert!(
            m.starts_with(
                "error: invalid value \"a.b\\nerror: forged\" for '--set <PATH=VALUE>': no '='"
            ),
            "{m}"
        );
        let long = format!("a.b={}", "[".repeat(100_000));
        let m = refuse(&["--set", &long]);
        assert!(m.len() < 600, "{} bytes", m.len());
        assert!(m.contains("(100004 characters)"), "{m}");
        let m = refuse(&["--runs", "1\u{1b}[2J"]);
        assert!(m.contains("\"1\\u{1b}[2J\""), "{m}");
        assert!(!m.contains('\u{1b}'), "{m}");
        // An unknown argument that is itself hostile.
        let m = refuse(&["--fo\no"]);
        assert!(m.contains("\"--fo\\no\""), "{m}");
        assert_eq!(m.lines().count(), 3, "{m}");
        // A parser whose reason quotes the value whole: cut too.
        let long = "9".repeat(100_000);
        for args in [
            vec!["--shard", long.as_str()],
            vec!["--precision", long.as_str()],
        ] {
            let m = refuse(&args);
            assert!(m.len() < 1_000, "{args:?}: {} bytes", m.len());
        }
        // A flag of a few values keeps their list.
        let m = refuse(&["--format", "csv\u{1b}"]);
        assert!(m.contains("[possible values: csv, parquet]"), "{m}");
        // A plain refusal: clap's own message.
        let m = refuse(&["--set", "a.b"]);
        assert!(
            m.starts_with("error: invalid value 'a.b' for '--set"),
            "{m}"
        );
    }

    #[test]
    fn no_control_character_survives() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        for out in [safe(&all), safe_text(&all)] {
            assert!(
                !out.chars()
                    .any(|c| brink::text::unsafe_char(c) && c != '\n' && c != '\t'),
                "{out:?}"
            );
        }
        assert!(!safe(&all).contains('\n'));
        assert_eq!(safe("\u{202e}x"), "\\u{202e}x");
        for (mark, escaped) in [
            ('\u{200e}', "\\u{200e}"),
            ('\u{200f}', "\\u{200f}"),
            ('\u{061c}', "\\u{61c}"),
            ('\u{2028}', "\\u{2028}"),
            ('\u{2029}', "\\u{2029}"),
        ] {
            assert_eq!(safe_text(&format!("a{mark}b")), format!("a{escaped}b"));
        }
        assert_eq!(safe("Bakı ‘Баку’ — باكو"), "Bakı ‘Баку’ — باكو");
    }
}
