//! A scenario cannot drive the analyst's terminal: text taken from it (its description, the
//! offending text of a parse error) is printed with control characters escaped.

mod common;

use std::path::{Path, PathBuf};

use common::{brink, scratch};

/// Control characters other than newline and tab, and the bidirectional overrides.
fn raw_controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| {
            (c.is_control() && *c != '\n' && *c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn hostile_richardson(dir: &Path, edit: impl Fn(&str) -> String) -> PathBuf {
    let base = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let edited = edit(&base);
    assert_ne!(edited, base);
    let p = dir.join("hostile.ron");
    std::fs::write(&p, edited).unwrap();
    p
}

#[test]
fn control_characters_are_refused_and_errors_escape_them() {
    let dir = scratch("describe");
    // ESC [2J clears the screen; ESC ]0; sets the window title; NUL; a bidi override; CR.
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}\0\u{202e}\r";
    let file = hostile_richardson(&dir, |s| {
        s.replacen(
            "name: \"Richardson pair\",",
            &format!("name: \"Richardson {evil}pair\",\n    description: \"before {evil} after\","),
            1,
        )
    });
    let f = file.to_str().unwrap();
    for args in [
        vec!["describe", f],
        vec!["validate", f],
        vec!["run", f, "--runs", "50", "--no-charts", "--out"],
    ] {
        let mut args = args.clone();
        let out = dir.join("out");
        if args[0] == "run" {
            args.push(out.to_str().unwrap());
        }
        // Control characters in a scenario's text are refused (they would make its SVGs
        // invalid XML); the refusal itself must not print them raw either.
        let o = brink(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            common::describe(&o)
        );
        assert!(!out.exists(), "{args:?} wrote its folder");
        assert_eq!(
            raw_controls(&o.stdout),
            Vec::<char>::new(),
            "{args:?} stdout"
        );
        assert_eq!(
            raw_controls(&o.stderr),
            Vec::<char>::new(),
            "{args:?} stderr"
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("name holds the control character U+001B")
                && err.contains("description holds the control character U+001B"),
            "{err}"
        );
    }

    // A parse error whose offending text holds the same characters.
    let broken = hostile_richardson(&dir, |s| {
        s.replacen("horizon: 52,", &format!("horizon: 52{evil},"), 1)
    });
    let o = brink(&["validate", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(raw_controls(&o.stderr), Vec::<char>::new(), "{err}");
    assert!(
        err.contains("\\u{1b}"),
        "the offending text is not shown escaped: {err}"
    );
    assert!(err.contains("hostile.ron:"), "{err}");
}

#[test]
fn notes_about_folders_escape_their_names() {
    let dir = scratch("notes");
    let evil = "ev\u{1b}[2J\u{1b}]0;pwn\u{7}\u{202e}x";
    let left = dir.join(format!(".{evil}.partial-6"));
    std::fs::create_dir_all(&left).unwrap();
    std::fs::write(left.join("mine.txt"), b"x").unwrap();
    let richardson = common::repo("scenarios/examples/richardson.ron");
    let out = dir.join("out");
    let o = brink(&[
        "run",
        richardson.to_str().unwrap(),
        "--runs",
        "50",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("left alone"), "{err}");
    assert_eq!(raw_controls(&o.stderr), Vec::<char>::new(), "{err}");
    assert!(left.join("mine.txt").exists());
}
