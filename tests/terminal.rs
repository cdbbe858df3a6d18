//! A scenario cannot drive the analyst's terminal: text taken from it (its description, the
//! offending text of a parse error) is printed with control characters escaped.

mod common;

use std::path::{Path, PathBuf};

use common::{brink, brink_in, scratch};
use std::ffi::OsStr;

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

/// The folder a command wrote is printed on one line: a newline in its name (a legal name) is
/// escaped like any control character; it split `wrote …` in two, the second line looking like
/// a line of brink's own.
#[test]
fn the_folder_written_is_printed_on_one_line() {
    let dir = scratch("wrote-line");
    let out = dir.join("res\nerror: forged");
    let richardson = common::repo("scenarios/examples/richardson.ron");
    let o = brink(&[
        "run".as_ref(),
        richardson.as_os_str(),
        "--runs".as_ref(),
        "50".as_ref(),
        "--no-charts".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text.lines().find(|l| l.starts_with("wrote ")).unwrap();
    assert!(line.ends_with("res\\nerror: forged"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("error")), "{text}");
    assert!(out.join("summary.json").is_file());
}

/// Standard error that cannot be written (a log on a full disk; here `/dev/full`) is no reason
/// to crash: `eprintln!` panicked (exit code 101) on the first message, note or progress line,
/// and a finished trace lost its exit code. The command's own exit code stands.
#[test]
#[cfg(target_os = "linux")]
fn a_full_stderr_leaves_the_exit_code_alone() {
    use std::process::Stdio;
    let dir = scratch("full-stderr");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let code = |args: &[&str]| {
        let o = common::command()
            .args(args)
            .stdout(Stdio::null())
            .stderr(full())
            .status()
            .unwrap();
        o.code()
    };
    let broken = hostile_richardson(&dir, |s| s.replacen("horizon: 52,", "horizon: 5x2,", 1));
    assert_eq!(code(&["validate", broken.to_str().unwrap()]), Some(2));
    // A leftover beside the output folder: its note goes to stderr.
    let left = dir.join(".out.partial-6");
    std::fs::create_dir_all(&left).unwrap();
    std::fs::write(left.join("mine.txt"), b"x").unwrap();
    let out = dir.join("out");
    let run = [
        "run",
        "scenarios/examples/richardson.ron",
        "--runs",
        "50",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ];
    assert_eq!(code(&run), Some(0));
    assert!(out.join("summary.json").exists() && left.join("mine.txt").exists());
    let trace = dir.join("trace");
    let t = ["trace", "scenarios/examples/richardson.ron", "--run", "0"];
    let mut t = t.to_vec();
    t.extend(["--out", trace.to_str().unwrap()]);
    assert_eq!(code(&t), Some(0));
}

/// A result printed to standard output that cannot take it (`> f.dot` on a full disk) is not
/// a success: exit code 1 and a message, where brink said nothing and exited 0. A reader that
/// stops early (`| head`) is no failure.
#[test]
#[cfg(target_os = "linux")]
fn a_result_lost_on_stdout_fails_and_a_closed_pipe_does_not() {
    use std::io::Read;
    use std::process::Stdio;
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        &["describe", "--paths", "scenarios/examples/tutorial.ron"][..],
        &[
            "graph",
            "scenarios/examples/tutorial.ron",
            "--format",
            "dot",
        ],
        &[
            "trace",
            "scenarios/examples/tutorial.ron",
            "--run",
            "0",
            "--json",
        ],
    ] {
        let o = common::command()
            .args(args)
            .stdout(full())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
    // The reader takes a few bytes and goes; the flagship's trace (~95 KB) is more than a pipe
    // holds, so brink's later writes meet the closed pipe.
    let mut child = common::command()
        .args([
            "trace",
            "scenarios/russia_azerbaijan_2025.ron",
            "--run",
            "0",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
}

/// `--report-title` is free text as a scenario's is: a control character is refused (exit code
/// 2, nothing written), where it went raw into report.html. A path is the user's to name: one
/// holding ESC is written, and shown escaped in the report's command row (as bash's `$'...'`
/// reads it back), which `cat` would otherwise send to the terminal. Arguments clap refuses are quoted escaped.
#[test]
fn report_titles_and_paths_cannot_drive_a_terminal_through_the_report() {
    let dir = scratch("title");
    let out = dir.join("titled");
    let cr = brink(&["run", "x.ron", "--report-title", "over\rwritten"]);
    assert_eq!(cr.status.code(), Some(2), "{}", common::describe(&cr));
    // Placed in words: clap's quote of the value leaves the control character out.
    assert!(
        String::from_utf8_lossy(&cr.stderr).contains("U+000D after its first 4 characters"),
        "{}",
        common::describe(&cr)
    );
    // The unbalanced one is placed, not the first of its kind (closed here by its U+202C).
    for (title, said) in [
        (
            "\u{202e}a\u{202c}b\u{202e}c",
            "U+202E after its first 4 characters",
        ),
        (
            "a\u{202e}x\u{202c}b\u{202e}y\u{202c}\u{202e}",
            "U+202E after its first 8",
        ),
    ] {
        let o = brink(&["run", "x.ron", "--report-title", title]);
        assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(said),
            "{title:?}: {}",
            common::describe(&o)
        );
    }
    // Invisible characters alone would make a blank heading (spaces alone are dropped).
    let o = brink(&["run", "x.ron", "--report-title", " \u{200b}\u{2060}"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("the title shows nothing"),
        "{}",
        common::describe(&o)
    );
    let evil = "T\u{1b}]0;pwn\u{7}";
    let o = brink(&[
        "run",
        "scenarios/examples/richardson.ron",
        "--runs",
        "50",
        "--report-title",
        evil,
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds the control character U+001B"), "{err}");
    assert_eq!(raw_controls(&o.stderr), Vec::<char>::new(), "{err}");
    assert!(!out.exists());
    let out = dir.join(format!("out{evil}"));
    let o = brink(&[
        "run",
        "scenarios/examples/richardson.ron",
        "--runs",
        "50",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::describe(&o));
    let html = std::fs::read(out.join("report.html")).unwrap();
    assert_eq!(raw_controls(&html), Vec::<char>::new());
    // In the command row as bash's $'...' reads it back, each control character as its bytes.
    assert!(String::from_utf8_lossy(&html).contains("outT\\x1b]0;pwn\\x07"));
    let o = brink(&["run", "x.ron", "--runs", "5\u{1b}[2J"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(raw_controls(&o.stderr), Vec::<char>::new());
}

/// A path quoted in an error message stays on its line: a newline in a file or folder name (a
/// legal name) is escaped, in the library's messages (a scenario's located errors, a file that
/// cannot be read) and the command's (a folder refused). Each printed a second line that looked
/// like one of brink's own.
#[test]
fn paths_in_error_messages_stay_on_their_line() {
    let dir = scratch("error-line");
    let forged = "x\nerror: forged";
    // A damaged scenario under a hostile name: its located error names the file.
    let damaged = dir.join(format!("{forged}.ron"));
    std::fs::write(&damaged, "Scenario(name: ").unwrap();
    // A user's folder under a hostile name, given as --out: refused, and named.
    let user = dir.join(forged);
    std::fs::create_dir(&user).unwrap();
    std::fs::write(user.join("notes.txt"), "mine").unwrap();
    let richardson = common::repo("scenarios/examples/richardson.ron");
    let missing = dir.join(format!("{forged}-missing.ron"));
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec!["validate".as_ref(), damaged.as_os_str()],
        vec![
            "run".as_ref(),
            missing.as_os_str(),
            "--runs".as_ref(),
            "50".as_ref(),
        ],
        vec![
            "run".as_ref(),
            richardson.as_os_str(),
            "--runs".as_ref(),
            "50".as_ref(),
            "--out".as_ref(),
            user.as_os_str(),
        ],
        vec!["report".as_ref(), user.as_os_str()],
    ];
    for args in cases {
        let o = brink(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8_lossy(&o.stderr);
        assert!(text.contains("x\\nerror: forged"), "{args:?}: {text}");
        assert!(
            !text.lines().any(|l| l.starts_with("error: forged")),
            "{args:?}: {text}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(user.join("notes.txt")).unwrap(),
        "mine"
    );
}

/// No line of brink's output but its own: paths read back from a result (its folder, its
/// scenario file, its command) are printed on one line by `diff`, `rerun` and `report`, and a
/// scenario's path reaches `graph`'s drawing and a calibrated file's sources without its
/// control characters (an SVG holding ESC is not XML; a source holding it failed the
/// calibrated file's own check after every generation).
#[test]
fn paths_read_back_from_results_stay_on_their_line() {
    let dir = scratch("recorded-line");
    let forged = dir.join("s\nerror: forged");
    std::fs::create_dir(&forged).unwrap();
    let scen = forged.join("r\u{1b}[2J.ron");
    std::fs::copy(common::repo("scenarios/examples/richardson.ron"), &scen).unwrap();
    let run = |out: &Path, scenario: &Path| {
        let o = brink_in(
            &dir,
            &[
                "run".as_ref(),
                scenario.as_os_str(),
                "--runs".as_ref(),
                "100".as_ref(),
                "--threads".as_ref(),
                "1".as_ref(),
                "--no-charts".as_ref(),
                "--out".as_ref(),
                out.as_os_str(),
            ],
        );
        assert!(o.status.success(), "{}", common::describe(&o));
    };
    let (a, b) = (Path::new("a\nerror: forged"), Path::new("b\tx"));
    run(a, &scen);
    run(b, &scen);
    let tutorial = common::repo("scenarios/examples/tutorial.ron");
    run(Path::new("t"), &tutorial);
    let one_line = |o: &std::process::Output, what: &str| {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            !text.lines().any(|l| l.starts_with("error: forged")),
            "{what}: {text}"
        );
        assert!(raw_controls(text.as_bytes()).is_empty(), "{what}: {text}");
        assert!(!text.contains('\t'), "{what}: {text}");
        text
    };
    let o = brink_in(&dir, &[OsStr::new("diff"), a.as_os_str(), b.as_os_str()]);
    assert!(o.status.success(), "{}", common::describe(&o));
    let text = one_line(&o, "diff");
    assert!(text.contains("A: a\\nerror: forged"), "{text}");
    let o = brink_in(
        &dir,
        &[
            OsStr::new("trace"),
            scen.as_os_str(),
            "--run".as_ref(),
            "3".as_ref(),
        ],
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    one_line(&o, "trace");
    let o = brink_in(&dir, &[OsStr::new("rerun"), a.as_os_str()]);
    assert!(o.status.success(), "{}", common::describe(&o));
    one_line(&o, "rerun");
    let o = brink_in(&dir, &[OsStr::new("report"), a.as_os_str(), "t".as_ref()]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    one_line(&o, "report");
    // The scenario's path is drawn in the graph's footer.
    let svg = dir.join("g.svg");
    let o = brink_in(
        &dir,
        &[
            OsStr::new("graph"),
            scen.as_os_str(),
            "--out".as_ref(),
            svg.as_os_str(),
        ],
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let drawn = std::fs::read(&svg).unwrap();
    assert!(!drawn.contains(&0x1b), "the SVG holds ESC");
    // The calibrated file's sources quote the command line, paths included.
    let tdir = dir.join("h\u{1b}[1m");
    std::fs::create_dir(&tdir).unwrap();
    for f in [
        "russia_georgia_2006.ron",
        "russia_georgia_2006.timeline.ron",
    ] {
        std::fs::copy(common::repo(format!("scenarios/history/{f}")), tdir.join(f)).unwrap();
    }
    let timeline = tdir.join("russia_georgia_2006.timeline.ron");
    let o = brink_in(
        &dir,
        &[
            OsStr::new("calibrate"),
            "--timelines".as_ref(),
            timeline.as_os_str(),
            "--params".as_ref(),
            "relations.russia->georgia.grievance".as_ref(),
            "--particles".as_ref(),
            "300".as_ref(),
            "--sims".as_ref(),
            "2".as_ref(),
            "--max-generations".as_ref(),
            "2".as_ref(),
            "--threads".as_ref(),
            "1".as_ref(),
            "--no-charts".as_ref(),
            "--out".as_ref(),
            "cal".as_ref(),
        ],
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let calibrated = dir.join("cal/calibrated-russia_georgia_2006.ron");
    common::ok(&[OsStr::new("validate"), calibrated.as_os_str()]);
}

/// JSON printed to standard output stays JSON when the scenario's text holds a mark that
/// reorders a line (a right-to-left mark is common in Persian and Arabic labels): the
/// terminal's escape `\u{200f}` made `diff --json` and `trace --json` invalid; JSON's own
/// `\u200f` keeps the text, and the terminal still never sees the mark raw. (A line separator,
/// U+2028, was tested here too; a label holding one is now refused as more than one line.)
#[test]
fn json_on_stdout_escapes_reordering_marks_as_json() {
    let dir = scratch("json-rlm");
    let label = "Crisis \u{200f}قطع x";
    let p = hostile_richardson(&dir, |s| {
        s.replace(
            "Outcome(name: \"crisis\",",
            &format!("Outcome(name: \"crisis\", label: \"{label}\","),
        )
    });
    let p = p.to_str().unwrap();
    for (out, seed) in [("a", "0"), ("b", "1")] {
        let o = brink_in(
            &dir,
            &[
                "run",
                p,
                "--runs",
                "50",
                "--per-run",
                "--no-charts",
                "--seed",
                seed,
                "--out",
                out,
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let diff = brink_in(&dir, &["diff", "a", "b", "--json"]);
    let trace = brink_in(&dir, &["trace", p, "--run", "0", "--json"]);
    for o in [diff, trace] {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(raw_controls(&o.stdout).is_empty());
        assert!(!String::from_utf8_lossy(&o.stdout).contains('\u{200f}'));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(
            v.to_string().contains(label),
            "the label read back whole: {v}"
        );
    }
}

/// `brink describe` shows each event's whole timing and what it does: the grievance slope, a
/// hazard's window, `once` and `cooldown`, and every branch with its weight; an act done once
/// says so (it said "cooldown 1").
#[test]
fn describe_shows_an_events_whole_timing_and_its_branches() {
    let o = common::ok(&["describe", "scenarios/examples/tutorial.ron"]);
    let text = common::stdout(&o);
    for said in [
        "x exp(0.3·H) x exp(2·G) x 1.5 if rung >= confrontation, cooldown 4",
        "steps 4 to 48, once",
        "branch nationalists (weight 0.4): ",
        "branch reformers (weight 0.6): ",
        "act, once",
    ] {
        assert!(text.contains(said), "{said:?} in:\n{text}");
    }
}
