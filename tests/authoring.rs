//! Scenario authoring and result tools: `brink new`, `brink graph`, `brink diff`, `brink rerun`.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use common::{brink_in, describe, repo, scratch, stdout};

const FLAGSHIP: &str = "scenarios/russia_azerbaijan_2025.ron";
const TUTORIAL: &str = "scenarios/examples/tutorial.ron";

fn ok_in(cwd: &Path, args: &[&str]) -> String {
    let o = brink_in(cwd, args);
    assert!(o.status.success(), "brink {args:?}: {}", describe(&o));
    stdout(&o)
}

fn code_in(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let o = brink_in(cwd, args);
    (
        o.status.code().unwrap_or(-1),
        stdout(&o),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn new_writes_starting_scenarios_that_validate_with_a_source_on_every_record() {
    let dir = scratch("new");
    ok_in(&dir, &["new", "crisis"]);
    ok_in(
        &dir,
        &["new", "tut", "--from", "tutorial", "--out", "tut.ron"],
    );
    for f in ["crisis.ron", "tut.ron"] {
        let out = ok_in(&dir, &["validate", f]);
        assert!(out.starts_with("ok"), "{out}");
    }
    let text = fs::read_to_string(dir.join("crisis.ron")).unwrap();
    assert!(text.contains("name: \"crisis\""));
    assert!(text.contains("PLACEHOLDER SOURCES"));
    let s = common::load(dir.join("crisis.ron")).scenario;
    assert_eq!(
        (s.actors.len(), s.levers.len(), s.outcomes.len()),
        (2, 1, 1)
    );
    // Every record that holds numbers credits a source; the sampled number has its own.
    let mut sources: Vec<&str> = s.actors.iter().map(|a| a.source.as_str()).collect();
    sources.extend(s.relations.iter().map(|r| r.source.as_str()));
    sources.extend(s.outcomes.iter().map(|o| o.source.as_str()));
    for l in &s.levers {
        if let brink::scenario::Lever::Measure(m) = l {
            sources.push(&m.source);
            sources.extend(m.levels.iter().map(|l| l.source.as_str()));
        }
    }
    assert!(
        sources.iter().all(|s| s == &"replace with your source"),
        "{sources:?}"
    );
    assert!(text.contains("Uniform(min: 1.0, max: 3.0, source: \"replace with your source\")"));
    // The tutorial copy keeps the tutorial, under a header.
    let tut = fs::read_to_string(dir.join("tut.ron")).unwrap();
    assert!(tut.starts_with("// tut: started by `brink new tut --from tutorial`"));
    let original = fs::read_to_string(repo(TUTORIAL)).unwrap();
    let tail = |t: &str| t.lines().rev().take(40).collect::<Vec<_>>().join("\n");
    assert_eq!(tail(&tut), tail(&original));
    assert!(tut.contains("name: \"tut\","));
}

/// A back-testing case from the template validates, runs as a back-test with a starting
/// timeline, and `validate` counts the texts that are still a template's stand-ins, on standard
/// error (it exits 0: the text is valid), once per file; a file without stand-ins gets no note.
#[test]
fn new_case_validates_and_its_stand_ins_are_counted() {
    let dir = scratch("new-case");
    let out = ok_in(&dir, &["new", "c", "--from", "case"]);
    assert!(out.contains("everything marked \"REPLACE\""), "{out}");
    ok_in(&dir, &["new", "c", "--timeline-of", "c.ron"]);
    ok_in(&dir, &["new", "m"]);
    let (code, out, err) = code_in(&dir, &["validate", "c.ron", "c.timeline.ron", "m.ron"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("ok  c.ron") && !out.contains("note"),
        "{out}"
    );
    let count = |file: &str, marker: &str| -> usize {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("note: {file}: ")))
            .unwrap_or_else(|| panic!("no note on {file}: {err}"));
        assert!(line.contains(&format!("say {marker:?}")), "{line}");
        line[format!("note: {file}: ").len()..]
            .split_whitespace()
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("{line}"))
    };
    // Every text that says REPLACE once parsed (sources, labels, the description), not the
    // header's comments.
    let text = fs::read_to_string(dir.join("c.ron")).unwrap();
    let in_comments: usize = text
        .lines()
        .filter(|l| l.trim_start().starts_with("//"))
        .map(|l| l.matches("REPLACE").count())
        .sum();
    assert_eq!(
        count("c.ron", "REPLACE"),
        text.matches("REPLACE").count() - in_comments
    );
    let minimal = fs::read_to_string(dir.join("m.ron")).unwrap();
    assert!(count("m.ron", "replace with") >= 9);
    assert!(count("m.ron", "replace with") <= minimal.matches("replace with").count());
    // Every text of the starting timeline that says "replace with": its sources, its facts'
    // labels and its title (the sources alone were counted).
    let timeline = fs::read_to_string(dir.join("c.timeline.ron")).unwrap();
    let in_comments: usize = timeline
        .lines()
        .filter(|l| l.trim_start().starts_with("//"))
        .map(|l| l.matches("replace with").count())
        .sum();
    assert!(timeline.contains("label: \"replace with what happened\""));
    assert_eq!(
        count("c.timeline.ron", "replace with"),
        timeline.matches("replace with").count() - in_comments
    );
    // c.ron, read again with its timeline, is noted once.
    assert_eq!(err.matches("note: c.ron:").count(), 1, "{err}");
    ok_in(
        &dir,
        &[
            "backtest",
            "c.timeline.ron",
            "--runs",
            "200",
            "--no-charts",
            "--out",
            "bt",
        ],
    );
    let (code, _, err) = code_in(&dir, &["validate", &repo(TUTORIAL).to_string_lossy()]);
    assert_eq!(code, 0);
    assert!(!err.contains("note:"), "{err}");
}

/// The command `brink new` prints to check the file works when pasted (a path with a space
/// was two words, one starting with `-` an option), and its hint fits the template: the
/// tutorial holds no "replace with your source".
#[test]
fn new_prints_a_command_that_works_and_a_hint_that_fits() {
    let dir = scratch("new-hint");
    let out = ok_in(&dir, &["new", "q", "--out", "my file.ron"]);
    assert!(out.contains("`brink validate 'my file.ron'`"), "{out}");
    let out = ok_in(&dir, &["new", "q", "--out=-x.ron"]);
    assert!(out.contains("`brink validate ./-x.ron`"), "{out}");
    ok_in(&dir, &["validate", "./-x.ron"]);
    let out = ok_in(&dir, &["new", "t", "--from", "tutorial"]);
    let text = fs::read_to_string(dir.join("t.ron")).unwrap();
    assert!(!text.contains("replace with your source"));
    assert!(
        !out.contains("replace with your source")
            && out.contains("\"tutorial: invented\"")
            && text.contains("tutorial: invented"),
        "{out}"
    );
}

#[test]
fn new_never_overwrites_and_refuses_unsafe_names() {
    let dir = scratch("new-refuse");
    fs::write(dir.join("mine.ron"), "my own work").unwrap();
    let (code, _, err) = code_in(&dir, &["new", "mine"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("mine.ron already exists"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.join("mine.ron")).unwrap(),
        "my own work"
    );
    for bad in [
        "../up",
        "a b",
        "9lives",
        "",
        "con",
        "Nul",
        "COM1",
        "lpt9",
        "Ünïcode",
    ] {
        let (code, _, err) = code_in(&dir, &["new", bad]);
        assert_eq!(code, 2, "{bad:?}: {err}");
    }
    // A letter outside ASCII is not one a name may hold, and the message says which letters.
    let (_, _, err) = code_in(&dir, &["new", "Ünïcode"]);
    assert!(
        err.contains("expected an ASCII letter (a–z, A–Z), then ASCII letters"),
        "{err}"
    );
    assert_eq!(common::names(&dir), vec!["mine.ron".to_string()]);
    // A device name of Windows is refused as the file's name only: with --out it names the
    // scenario, and names like it that are not devices are fine.
    let (_, _, err) = code_in(&dir, &["new", "con"]);
    assert!(err.contains("con.ron is a device name on Windows"), "{err}");
    for fine in [
        &["new", "con", "--out", "console.ron"][..],
        &["new", "com10"],
        &["new", "cons"],
    ] {
        let (code, _, err) = code_in(&dir, fine);
        assert_eq!(code, 0, "{fine:?}: {err}");
    }
    assert_eq!(
        common::names(&dir),
        ["com10.ron", "cons.ron", "console.ron", "mine.ron"].map(String::from)
    );
}

/// A folder made append-only or immutable takes the file brink stages but lets it be neither
/// renamed into place nor removed: `new` (and `graph`) failed with exit code 1 and left
/// `.brink-PID-0.partial` there. Refused first, nothing written.
#[test]
fn new_refuses_a_folder_that_would_keep_its_staged_file() {
    let dir = scratch("new-append-only");
    let kept = dir.join("kept");
    fs::create_dir(&kept).unwrap();
    for flag in ["+a", "+i"] {
        let set = std::process::Command::new("chattr")
            .arg(flag)
            .arg(&kept)
            .status();
        if !set.is_ok_and(|s| s.success()) {
            eprintln!("chattr {flag} is not available here: skipped");
            continue;
        }
        let runs = [
            code_in(&dir, &["new", "x", "--out", "kept/x.ron"]),
            code_in(&kept, &["new", "y", "--from", "case"]),
        ];
        let _ = std::process::Command::new("chattr")
            .arg("-ia")
            .arg(&kept)
            .status();
        for (code, _, err) in runs {
            assert_eq!(code, 2, "{flag}: {err}");
            assert!(err.contains("immutable or append-only"), "{flag}: {err}");
        }
        assert!(common::names(&kept).is_empty(), "{flag}");
    }
    let _ = fs::remove_dir_all(&dir);
}

/// DOT has balanced braces outside quoted strings, one ellipse per actor and one box per event.
fn check_dot(dot: &str, actors: usize, events: usize) {
    assert!(dot.starts_with("digraph "), "{dot}");
    let (mut depth, mut quoted, mut escaped) = (0i32, false, false);
    for c in dot.chars() {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => quoted = !quoted,
            (false, _, '{') => depth += 1,
            (false, _, '}') => depth -= 1,
            _ => {}
        }
        assert!(depth >= 0);
    }
    assert!(!quoted && depth == 0, "unbalanced DOT");
    assert_eq!(dot.matches("shape=ellipse").count(), actors);
    assert_eq!(dot.matches("shape=box").count(), events);
    // No string spans lines: every line has an even number of unescaped quotes.
    for line in dot.lines() {
        let n = line
            .replace("\\\\", "")
            .replace("\\\"", "")
            .matches('"')
            .count();
        assert_eq!(n % 2, 0, "{line}");
    }
}

#[test]
fn graph_writes_dot_and_mermaid_for_the_flagship_and_the_tutorial() {
    let root = repo("");
    for file in [FLAGSHIP, TUTORIAL] {
        let s = common::load(repo(file)).scenario;
        let dot = ok_in(&root, &["graph", file, "--format", "dot"]);
        check_dot(&dot, s.actors.len(), s.events.len());
        for a in &s.actors {
            let short = match a.label.rfind(" (") {
                Some(i) if a.label.ends_with(')') => &a.label[..i],
                _ => &a.label,
            };
            assert!(dot.contains(&format!("label=\"{short}\"")), "{short}");
        }
        let mm = ok_in(&root, &["graph", file, "--format", "mermaid"]);
        assert!(mm.starts_with("flowchart LR\n"), "{mm}");
        // One node line per actor and event, one arrow per relation at least.
        assert_eq!(mm.matches("([\"").count(), s.actors.len());
        assert!(mm.matches("-->").count() >= s.relations.len());
    }
}

/// The diagram tells what each condition does to an event: a gate's `Not`, a factor that
/// blocks (×0) or damps (×0.5), an `Any`, and a hazard's window. It read each as a condition
/// the event waits for ("at War or higher" for talks held only below War; "at Crisis or
/// higher" for a skirmish that never happens there), and left out the window (an attacking
/// helper).
#[test]
fn graph_tells_a_gate_a_blocking_factor_and_a_window_as_they_are() {
    let dir = scratch("graph-conditions");
    let file = dir.join("gr.ron");
    std::fs::write(
        &file,
        r#"Scenario(
    name: "Graph test",
    horizon: 30,
    focal: ("a", "b"),
    actors: [Actor(name: "a"), Actor(name: "b")],
    relations: [
        Relation(from: "a", to: "b", initial: 1, noise: 0.5),
        Relation(from: "b", to: "a", initial: 1, noise: 0.5),
    ],
    ladder: [Rung(name: "calm", threshold: -10), Rung(name: "crisis", label: "Crisis", threshold: 2),
             Rung(name: "war", label: "War", threshold: 5)],
    events: [
        Event(name: "talks", label: "Peace talks",
              timing: Scheduled(step: 10, when: Not(RungAtLeast("war"))),
              effects: [ScaleHostility(factor: 0.5)]),
        Event(name: "skirmish", label: "Skirmish",
              timing: Hazard(rate: 0.2, from_step: 4, until_step: 20,
                             factors: [Factor(when: RungAtLeast("crisis"), times: 0.0)]),
              effects: [Impulse(from: "a", to: "b", amount: 2)]),
        Event(name: "call", label: "Calm talk",
              timing: Hazard(rate: 0.1, factors: [
                  Factor(when: Any([RungBelow("crisis"), IndexAbove(8)]), times: 2),
                  Factor(when: EventWithin("skirmish", 4), times: 0.5)]),
              effects: [Impulse(from: "a", to: "b", amount: -1)]),
        Event(name: "rally", label: "Rally",
              timing: Hazard(rate: 0.1, factors: [
                  Factor(when: EventOccurred("talks"), times: Shared("boost")),
                  Factor(when: EventOccurred("call"), times: 1),
                  Factor(when: EventOccurred("skirmish"), times: Uniform(min: 1, max: 2))]),
              effects: [Impulse(from: "a", to: "b", amount: 1)]),
    ],
    shared: [Shared(name: "boost", value: Uniform(min: 2, max: 3))],
    outcomes: [Outcome(name: "war", when: RungAtLeast("war"))],
)
"#,
    )
    .unwrap();
    let dot = ok_in(&dir, &["graph", "gr.ron", "--format", "dot"]);
    for right in [
        "(at week 10, only if not (at War or higher))",
        "(any week, by chance, weeks 4 to 20; never while at Crisis or higher)",
        "(any week, by chance; ×2 while (below Crisis or H above 8); ×0.5 while within 4 weeks of Skirmish)",
        // The skirmish damps the call: not "after it".
        "label=\"holds it back\"",
        // A shared multiplier by its value's range (it read "×-inf to inf"); ×1 left out; a
        // range from 1 up raises.
        "(any week, by chance; ×2 to 3 while after Peace talks; ×1 to 2 while after Skirmish)",
    ] {
        assert!(dot.contains(right), "{right}: {dot}");
    }
    assert!(
        !dot.contains("bears on it") && !dot.contains("×1 while"),
        "{dot}"
    );
    assert_eq!(dot.matches("label=\"after it\"").count(), 2, "{dot}");
    assert!(!dot.contains("; at War or higher)"), "{dot}");
}

/// A file name longer than the file system allows (255 bytes) is the input's fault: `graph`
/// and `new` said "File name too long (os error 36)" with exit code 1, `graph` after drawing
/// the whole diagram (found by a reviewing helper). Refused first, exit code 2, nothing left.
#[test]
fn graph_and_new_refuse_a_file_name_too_long_first() {
    let dir = scratch("graph-long-name");
    let file = repo(TUTORIAL);
    let long = |ext: &str| format!("{}.{ext}", "g".repeat(256 - 1 - ext.len()));
    for (args, name) in [
        (vec!["graph", file.to_str().unwrap(), "--out"], long("svg")),
        (
            vec!["graph", file.to_str().unwrap(), "--format", "dot", "--out"],
            long("dot"),
        ),
        (vec!["new", "x", "--out"], long("ron")),
    ] {
        let mut args = args.clone();
        args.push(&name);
        let (code, _, err) = code_in(&dir, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(
                "its name is 256 bytes long, and a file name may have at most 255; \
                          choose a shorter --out"
            ),
            "{err}"
        );
        assert!(!err.contains("os error"), "{err}");
    }
    // The default name made from a long scenario name: no --out to blame.
    let stem = "s".repeat(247);
    fs::copy(&file, dir.join(format!("{stem}.ron"))).unwrap();
    let (code, _, err) = code_in(&dir, &["graph", &format!("{stem}.ron")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("name a shorter file with --out FILE"), "{err}");
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

/// `graph --out` naming a folder (there, or written with a trailing slash) is told so, not
/// "already exists" or a raw OS error; the folder is left as it was.
#[test]
fn graph_out_naming_a_folder_is_told_so() {
    let dir = scratch("graph-out-folder");
    fs::create_dir_all(dir.join("charts")).unwrap();
    fs::write(dir.join("charts/mine.txt"), "mine").unwrap();
    let file = repo(TUTORIAL);
    for out in ["charts", "charts/", "new/"] {
        let (code, _, err) = code_in(&dir, &["graph", file.to_str().unwrap(), "--out", out]);
        assert_eq!(code, 2, "{out}: {err}");
        assert!(
            err.contains(&format!(
                "{out} names a folder; --out names the file to write"
            )),
            "{out}: {err}"
        );
        assert!(
            !err.contains("os error") && !err.contains("already exists"),
            "{err}"
        );
    }
    assert!(!dir.join("new").exists());
    // A link to a folder names that folder: it was told "already exists; brink never
    // overwrites a file" (an attacking helper).
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("charts", dir.join("link")).unwrap();
        for args in [
            vec!["graph", file.to_str().unwrap(), "--out", "link"],
            vec!["new", "x", "--out", "link"],
        ] {
            let (code, _, err) = code_in(&dir, &args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(
                err.contains("link names a folder; --out names the file to write"),
                "{args:?}: {err}"
            );
        }
        fs::remove_file(dir.join("link")).unwrap();
    }
    let left: Vec<_> = fs::read_dir(dir.join("charts")).unwrap().collect();
    assert_eq!(left.len(), 1);
    // `-` is standard output to most tools: it made a file named `-`.
    for format in ["png", "svg", "dot"] {
        let (code, _, err) = code_in(
            &dir,
            &[
                "graph",
                file.to_str().unwrap(),
                "--format",
                format,
                "--out",
                "-",
            ],
        );
        assert_eq!(code, 2, "{format}: {err}");
        assert!(err.contains("leave out --out to print"), "{err}");
        assert!(!dir.join("-").exists(), "{format}");
    }
    // The default name taken by a folder or a file: no --out was given to blame.
    fs::create_dir(dir.join("foo.ron")).unwrap();
    fs::write(dir.join("bar.ron"), "mine").unwrap();
    let (code, _, err) = code_in(&dir, &["new", "foo"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("foo.ron is a folder, and it is the file this command writes by default")
            && err.contains("--out FILE"),
        "{err}"
    );
    let (code, _, err) = code_in(&dir, &["new", "bar"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bar.ron already exists") && err.contains("name another file with --out FILE"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(dir.join("bar.ron")).unwrap(), "mine");
}

#[test]
fn graph_quotes_hostile_labels() {
    let dir = scratch("graph-hostile");
    ok_in(&dir, &["new", "hostile"]);
    let text = fs::read_to_string(dir.join("hostile.ron"))
        .unwrap()
        .replace(
            "label: \"Side A\"",
            // (A line break is refused in a label: validate says so.)
            "label: \"Side \\\"A\\\" } <b>|x|</b> # [y]\"",
        );
    fs::write(dir.join("hostile.ron"), text).unwrap();
    ok_in(&dir, &["validate", "hostile.ron"]);
    let dot = ok_in(&dir, &["graph", "hostile.ron", "--format", "dot"]);
    check_dot(&dot, 2, 0);
    assert!(
        dot.contains(r#"label="Side \"A\" } <b>|x|</b> # [y]""#),
        "{dot}"
    );
    let mm = ok_in(&dir, &["graph", "hostile.ron", "--format", "mermaid"]);
    let node = mm
        .lines()
        .find(|l| l.trim_start().starts_with("a0("))
        .unwrap();
    assert_eq!(
        node.trim(),
        "a0([\"Side #34;A#34; #125; #60;b#62;#124;x#124;#60;/b#62; #35; #91;y#93;\"])"
    );
    // The label never leaks raw into Mermaid syntax.
    assert!(!mm.contains("<b>") && !mm.contains("\"A\""));
    // Nor does the scenario's name, in the comment line: Mermaid reads `%%{init: …}%%`
    // directives anywhere.
    let text = fs::read_to_string(dir.join("hostile.ron"))
        .unwrap()
        .replacen(
            "name: \"hostile\"",
            "name: \"x %%{init: {'theme': 'dark'}}%%\"",
            1,
        );
    fs::write(dir.join("hostile.ron"), text).unwrap();
    let mm = ok_in(&dir, &["graph", "hostile.ron", "--format", "mermaid"]);
    assert!(mm.contains("{init: {'theme': 'dark'}}"), "{mm}");
    assert_eq!(mm.matches('%').count(), 2, "{mm}");
    // A right-to-left override or isolate in a label is refused, as a control character is
    // (left open, it reversed the figures after it in the report).
    let original = fs::read_to_string(dir.join("hostile.ron")).unwrap();
    let text = original.replacen("label: \"Side B\"", "label: \"Side \u{202e}B\u{2066}\"", 1);
    fs::write(dir.join("hostile.ron"), text).unwrap();
    let (code, out, err) = code_in(&dir, &["graph", "hostile.ron", "--format", "dot"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("U+202E") && out.is_empty(), "{err}");
    // Closed within the label, an isolate reorders nothing outside it: a right-to-left label
    // mixing directions may need one (refused too by the first fix, found by a reviewer).
    let text = original.replacen(
        "label: \"Side B\"",
        "label: \"اتحادیه \u{2066}EU-27\u{2069}\"",
        1,
    );
    fs::write(dir.join("hostile.ron"), text).unwrap();
    ok_in(&dir, &["validate", "hostile.ron"]);
    // A label with the marks that reorder a line and open nothing (a right-to-left label may
    // need them) reaches the terminal as entity codes, which Graphviz and Mermaid decode in
    // the drawing.
    let text = original.replacen("label: \"Side B\"", "label: \"Side \u{200f}B\u{200e}\"", 1);
    fs::write(dir.join("hostile.ron"), text).unwrap();
    let dot = ok_in(&dir, &["graph", "hostile.ron", "--format", "dot"]);
    assert!(dot.contains("Side &#8207;B&#8206;"), "{dot}");
    let mm = ok_in(&dir, &["graph", "hostile.ron", "--format", "mermaid"]);
    assert!(mm.contains("Side #8207;B#8206;"), "{mm}");
    for out in [&dot, &mm] {
        assert!(!out.contains('\u{200f}') && !out.contains('\u{200e}'));
    }
}

#[test]
fn graph_draws_png_and_svg_and_never_overwrites() {
    let dir = scratch("graph-draw");
    let flagship = repo(FLAGSHIP);
    let f = flagship.to_str().unwrap();
    ok_in(&dir, &["graph", f, "--format", "png", "--out", "g.png"]);
    ok_in(&dir, &["graph", f]);
    let svg = fs::read_to_string(dir.join("russia_azerbaijan_2025-graph.svg")).unwrap();
    assert!(svg.contains("Actors, levers and events: russia_azerbaijan_2025"));
    assert!(svg.contains("Azerbaijan") && svg.contains("Visa regime for Azerbaijani citizens"));
    let img = image::load_from_memory(&fs::read(dir.join("g.png")).unwrap())
        .unwrap()
        .to_rgb8();
    assert_eq!(img.dimensions(), (1400, 900));
    let colours: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() >= 40, "blank: {} colours", colours.len());
    let dark = (0..44)
        .flat_map(|y| (0..1400).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 90))
        .count();
    assert!(dark >= 150, "no title: {dark}");
    // Blue measure arrows are drawn.
    let blue = img.pixels().filter(|p| p.0 == [0x1f, 0x5f, 0xa8]).count();
    assert!(blue > 500, "{blue}");
    let before = fs::read(dir.join("g.png")).unwrap();
    let (code, _, err) = code_in(&dir, &["graph", f, "--format", "png", "--out", "g.png"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read(dir.join("g.png")).unwrap(), before);
    // Written under a name of its own and renamed into place whole (a stop part way left a
    // truncated file at the target): nothing else is left beside the two drawings.
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["g.png", "russia_azerbaijan_2025-graph.svg"]);
    // A name as long as the file system takes is written (found by a reviewing helper: the
    // staged name, the target's with a prefix and a suffix, passed the limit).
    let long = format!("{}.svg", "g".repeat(251));
    ok_in(&dir, &["graph", f, "--out", &long]);
    assert!(dir.join(&long).is_file());
}

/// Two actors whose labels differ only past where the drawing cuts them keep their ends, so
/// that the boxes read apart (both read "Ministry of Foreign Affairs of …"; found by a
/// reviewing helper).
#[test]
fn graph_tells_apart_actors_whose_labels_are_cut_alike() {
    let dir = scratch("graph-alike");
    ok_in(&dir, &["new", "demo"]);
    let text = fs::read_to_string(dir.join("demo.ron")).unwrap();
    assert!(text.contains("label: \"Side A\"") && text.contains("label: \"Side B\""));
    // The two actors' boxes as drawn, their labels `label(A)` and `label(B)`.
    let drawn = |name: &str, label: &dyn Fn(&str) -> String| -> Vec<String> {
        let edited = text
            .replace("label: \"Side A\"", &format!("label: \"{}\"", label("A")))
            .replace("label: \"Side B\"", &format!("label: \"{}\"", label("B")));
        fs::write(dir.join(format!("{name}.ron")), edited).unwrap();
        let (file, out) = (format!("{name}.ron"), format!("{name}.svg"));
        ok_in(&dir, &["graph", &file, "--out", &out]);
        let svg = fs::read_to_string(dir.join(&out)).unwrap();
        let shown: Vec<String> = svg
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("Ministry"))
            .map(String::from)
            .collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert_ne!(shown[0], shown[1], "{shown:?}");
        shown
    };
    let side = |s: &str| if s == "A" { "North" } else { "South" };
    let shown = drawn("long", &|s| {
        format!("Ministry of Foreign Affairs of the Republic of {}", side(s))
    });
    assert!(shown.iter().any(|l| l.ends_with("North")), "{shown:?}");
    assert!(shown.iter().any(|l| l.ends_with("South")), "{shown:?}");
    // Alike at both ends as well: numbered.
    drawn("twin", &|s| {
        format!(
            "Ministry of Foreign Affairs of the {}ern Federal Republic of the Union",
            side(s)
        )
    });
}

/// graph's default file name is the scenario's stem without its control characters and marks
/// that reorder a line: a scenario named `h⏎error: forged.ron` drew `h⏎error: forged-graph.svg`,
/// a name that forges a line wherever it is listed. Other letters are kept.
#[test]
fn graph_names_its_default_file_without_control_characters() {
    let dir = scratch("graph-stem");
    for (name, drawn) in [
        ("h\nerror: forged\u{202e}.ron", "h_error: forged_-graph.svg"),
        ("Баку.ron", "Баку-graph.svg"),
    ] {
        fs::copy(repo(TUTORIAL), dir.join(name)).unwrap();
        ok_in(&dir, &["graph", name]);
        assert!(
            dir.join(drawn).is_file(),
            "{name}: {:?}",
            common::tree(&dir)
        );
    }
}

/// Without --format, the format is --out's extension (any case; svg when there is none); an
/// extension that contradicts --format, or that graph does not write, is refused with exit
/// code 2 and nothing written (a `g.png` held SVG text, a `--format png --out x.svg` PNG bytes).
#[test]
fn graph_takes_the_format_from_the_out_extension_and_refuses_a_contradiction() {
    let dir = scratch("graph-extension");
    let tutorial = repo(TUTORIAL);
    let f = tutorial.to_str().unwrap();
    let png = |name: &str| {
        fs::read(dir.join(name))
            .unwrap()
            .starts_with(b"\x89PNG\r\n")
    };
    let text = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
    let svg = |name: &str| text(name).contains("<svg");
    ok_in(&dir, &["graph", f, "--out", "g.png"]);
    assert!(png("g.png"));
    ok_in(&dir, &["graph", f, "--out", "G.PNG"]);
    assert!(png("G.PNG"));
    ok_in(&dir, &["graph", f, "--out", "g.svg"]);
    assert!(svg("g.svg"));
    ok_in(&dir, &["graph", f, "--out", "g"]);
    assert!(svg("g"));
    // A name that is only an extension is read as one.
    ok_in(&dir, &["graph", f, "--out", ".png"]);
    assert!(png(".png"));
    for name in ["g.dot", "g.gv"] {
        ok_in(&dir, &["graph", f, "--out", name]);
        assert!(text(name).starts_with("digraph"), "{name}");
    }
    for name in ["g.mmd", "g.mermaid"] {
        ok_in(&dir, &["graph", f, "--out", name]);
        assert!(text(name).starts_with("flowchart LR\n"), "{name}");
    }
    // An explicit --format with its own extension, a text format into a .txt.
    ok_in(&dir, &["graph", f, "--format", "png", "--out", "h.png"]);
    assert!(png("h.png"));
    ok_in(&dir, &["graph", f, "--format", "dot", "--out", "h.txt"]);
    assert!(text("h.txt").starts_with("digraph"));
    let before = common::tree(&dir);
    let refused: [(&[&str], &str); 7] = [
        (
            &["--format", "png", "--out", "x.svg"],
            "--out x.svg: its extension .svg is for svg, but --format is png",
        ),
        (
            &["--format", "png", "--out", ".svg"],
            "--out .svg: its extension .svg is for svg, but --format is png",
        ),
        (
            &["--format", "svg", "--out", "x.png"],
            "--out x.png: its extension .png is for png, but --format is svg",
        ),
        (
            &["--format", "mermaid", "--out", "x.dot"],
            "its extension .dot is for dot, but --format is mermaid",
        ),
        (
            &["--format", "png", "--out", "x.jpg"],
            "--out x.jpg: .jpg is not an extension of --format png; expected .png or no extension",
        ),
        (
            &["--out", "x.jpg"],
            "--out x.jpg: brink graph cannot tell the format from the extension .jpg; it writes \
             .svg, .png, .dot or .gv, .mmd or .mermaid",
        ),
        (
            &["--out", "x.txt"],
            "--out x.txt: a .txt may hold either text format: give --format dot or --format \
             mermaid",
        ),
    ];
    for (args, message) in refused {
        let mut all = vec!["graph", f];
        all.extend(args);
        let (code, out, err) = code_in(&dir, &all);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
    }
    assert_eq!(common::tree(&dir), before);
}

fn run_tutorial(dir: &Path, out: &str, extra: &[&str]) {
    let t = repo(TUTORIAL);
    let mut args = vec![
        "run",
        t.to_str().unwrap(),
        "--runs",
        "400",
        "--no-charts",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    ok_in(dir, &args);
}

#[test]
fn diff_pairs_runs_of_one_seed_and_falls_back_to_independent_intervals() {
    let dir = scratch("diff");
    run_tutorial(&dir, "base", &["--per-run"]);
    run_tutorial(&dir, "restraint", &["--per-run", "--variant", "restraint"]);
    run_tutorial(&dir, "seed7", &["--seed", "7"]);
    let json = |a: &str, b: &str| -> serde_json::Value {
        serde_json::from_str(&ok_in(&dir, &["diff", a, b, "--json"])).unwrap()
    };
    let paired = json("base", "restraint");
    assert_eq!(paired["method"], "paired", "{}", paired["why"]);
    // Of the tutorial's 18 outcomes some intervals exclude 0, and the text says how many would
    // by chance alone (a lone one read as a finding: an attacking helper).
    let excluding = (paired["outcomes"].as_array().unwrap().iter())
        .filter(|o| {
            let d = &o["difference"];
            d["low"].as_f64().unwrap() > 0.0 || d["high"].as_f64().unwrap() < 0.0
        })
        .count();
    assert!(excluding > 0);
    let text = ok_in(&dir, &["diff", "base", "restraint"]);
    assert!(
        text.contains(&format!(
            "{excluding} of 18 intervals exclude 0. Were nothing different, about 1 in 20"
        )),
        "{text}"
    );
    let indep = json("base", "seed7");
    assert_eq!(indep["method"], "independent");
    assert!(indep["why"].as_str().unwrap().contains("seeds differ"));
    // The same seed without per-run tables: not paired, but not called independent either.
    assert!(indep["why"].as_str().unwrap().starts_with("independent:"));
    run_tutorial(&dir, "plain", &["--variant", "restraint"]);
    let unpaired = json("base", "plain");
    assert_eq!(unpaired["method"], "independent");
    let why = unpaired["why"].as_str().unwrap();
    assert!(
        why.starts_with("unpaired") && why.contains("seed 0"),
        "{why}"
    );
    // The advice asks only for what is missing: the same runs, the per-run table.
    assert!(
        why.ends_with("`brink run --per-run` on both pairs them"),
        "{why}"
    );
    let t = repo(TUTORIAL);
    let t = t.to_str().unwrap();
    ok_in(
        &dir,
        &[
            "run",
            t,
            "--runs",
            "500",
            "--per-run",
            "--no-charts",
            "--out",
            "longer",
        ],
    );
    let longer = json("base", "longer");
    let why = longer["why"].as_str().unwrap();
    assert!(
        why.ends_with("`brink run` with the same --runs on both pairs them"),
        "{why}"
    );
    // Both come from the same scenario file content.
    assert!(indep["same_scenario"].as_bool().unwrap());
    let sa = common::summary(&dir.join("base"));
    let sb = common::summary(&dir.join("restraint"));
    for (k, o) in paired["outcomes"].as_array().unwrap().iter().enumerate() {
        let (a, b) = (
            sa["outcomes"][k]["probability"]["estimate"]
                .as_f64()
                .unwrap(),
            sb["outcomes"][k]["probability"]["estimate"]
                .as_f64()
                .unwrap(),
        );
        let d = &o["difference"];
        let est = d["estimate"].as_f64().unwrap();
        assert!((est - (b - a)).abs() < 1e-12, "{o}");
        assert!(d["low"].as_f64().unwrap() <= est && est <= d["high"].as_f64().unwrap());
    }
    // Pairing on common random numbers narrows the interval of the headline outcome against
    // the independent interval for the same counts (runs share their draws).
    let paired_rupture = &paired["outcomes"][0]["difference"];
    let hw = |d: &serde_json::Value| d["high"].as_f64().unwrap() - d["low"].as_f64().unwrap();
    let k_a = sa["outcomes"][0]["runs_hit"].as_u64().unwrap();
    let k_b = sb["outcomes"][0]["runs_hit"].as_u64().unwrap();
    let newcombe = brink::stats::newcombe_diff_interval(k_a, 400, k_b, 400, brink::stats::Z95);
    assert!(hw(paired_rupture) < newcombe.high - newcombe.low);
    // The table names outcomes by their labels.
    let table = ok_in(&dir, &["diff", "base", "restraint"]);
    assert!(
        table.contains("Rupture within the year") && table.contains("paired"),
        "{table}"
    );
    // A per-run table in Parquet pairs as runs.csv does, to the same intervals (it was
    // ignored: "not both results have a per-run table", after a --per-run on both).
    let pq = ["--per-run", "--format", "parquet", "--variant", "restraint"];
    run_tutorial(&dir, "restraint-pq", &pq);
    let from_parquet = json("base", "restraint-pq");
    assert_eq!(from_parquet["method"], "paired", "{}", from_parquet["why"]);
    assert_eq!(from_parquet["outcomes"], paired["outcomes"]);
    // Checked against the SHA-256 brink recorded, as runs.csv is.
    let file = dir.join("restraint-pq/runs.parquet");
    let mut bytes = fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    fs::write(&file, bytes).unwrap();
    let (code, _, err) = code_in(&dir, &["diff", "base", "restraint-pq"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("runs.parquet"), "{err}");
    // A forged folder (its marker resealed) whose Parquet table's rows are not its runs is
    // refused before any buffer is sized by the table's own counts (a forged count of 2^40
    // rows aborted on an allocation of 8 TB), and a table that is not Parquet at all too.
    let forged = dir.join("forged");
    fs::create_dir(&forged).unwrap();
    for e in fs::read_dir(dir.join("restraint-pq")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), forged.join(e.file_name())).unwrap();
    }
    let t = repo(TUTORIAL);
    let other = ["run", t.to_str().unwrap(), "--runs", "300", "--no-charts"];
    let pq = ["--per-run", "--format", "parquet", "--out", "other-pq"];
    ok_in(&dir, &[&other[..], &pq[..]].concat());
    for (bytes, says) in [
        (
            fs::read(dir.join("other-pq/runs.parquet")).unwrap(),
            "300 rows, where summary.json records 400 runs",
        ),
        (b"PAR1 not a table PAR1".to_vec(), "runs.parquet"),
    ] {
        fs::write(forged.join("runs.parquet"), &bytes).unwrap();
        common::reseal(&forged, "runs.parquet");
        let (code, _, err) = code_in(&dir, &["diff", "base", "forged"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    // A forged runs.csv that disagrees with summary.json: an outcome's hits changed gave a
    // paired difference from the table beside probabilities from the summary; rows left out
    // or a run twice fell back to an unpaired comparison without a word.
    let csv = fs::read_to_string(dir.join("restraint/runs.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let col = lines[0]
        .split(',')
        .position(|h| h == "out.rupture")
        .unwrap();
    let flipped = {
        let mut l = lines.clone();
        let mut cells: Vec<String> = l[1].split(',').map(String::from).collect();
        cells[col] = if cells[col] == "1" { "0" } else { "1" }.into();
        l[1] = cells.join(",");
        l
    };
    let halved = lines[..201].to_vec();
    let twice = {
        let row = lines[1].clone();
        lines[2] = row;
        lines
    };
    let forged = dir.join("forged-csv");
    fs::create_dir(&forged).unwrap();
    for e in fs::read_dir(dir.join("restraint")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), forged.join(e.file_name())).unwrap();
    }
    for (rows, says) in [
        (flipped, "outcome rupture happened in"),
        (halved, "200 rows, where summary.json records 400 runs"),
        (twice, "run 0 has two rows"),
    ] {
        fs::write(forged.join("runs.csv"), rows.join("\n") + "\n").unwrap();
        common::reseal(&forged, "runs.csv");
        let (code, _, err) = code_in(&dir, &["diff", "base", "forged-csv"]);
        assert_eq!(code, 2, "{says}: {err}");
        assert!(
            err.contains(says) && err.contains("does not agree with summary.json"),
            "{err}"
        );
    }

    // The same folder twice, under two names, is refused (it gave +0.0 without a word).
    let (code, _, err) = code_in(&dir, &["diff", "base", "./base/"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("are the same result folder"), "{err}");
}

#[test]
fn diff_pairs_an_outcome_named_as_a_sampled_numbers_last_part_on_its_own_column() {
    // An outcome named `hawkishness`: `diff` took the first column ending in `.hawkishness`,
    // `in.actors.north.hawkishness` (a sampled number), and refused the file as damaged.
    let dir = scratch("diff-names");
    let text = fs::read_to_string(repo(TUTORIAL)).unwrap();
    let anchor =
        r#"        Outcome(name: "pretext_staged", when: EventOccurred("staged_incident")),"#;
    assert!(text.contains(anchor));
    let extra = r#"
        Outcome(name: "hawkishness", when: RungAtLeast("rupture")),
        Outcome(name: "steps_held", when: RungAtLeast("confrontation")),"#;
    fs::write(
        dir.join("t.ron"),
        text.replace(anchor, &format!("{anchor}{extra}")),
    )
    .unwrap();
    for (out, variant) in [("a", None), ("b", Some("restraint"))] {
        let mut args = vec!["run", "t.ron", "--runs", "300", "--per-run", "--no-charts"];
        args.extend(["--out", out]);
        if let Some(v) = variant {
            args.extend(["--variant", v]);
        }
        ok_in(&dir, &args);
    }
    let d: serde_json::Value =
        serde_json::from_str(&ok_in(&dir, &["diff", "a", "b", "--json"])).unwrap();
    assert_eq!(d["method"], "paired", "{}", d["why"]);
    let (sa, sb) = (
        common::summary(&dir.join("a")),
        common::summary(&dir.join("b")),
    );
    for name in ["hawkishness", "steps_held"] {
        let k = |s: &serde_json::Value| {
            s["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .position(|o| o["name"] == name)
                .unwrap()
        };
        let p = |s: &serde_json::Value| {
            s["outcomes"][k(s)]["probability"]["estimate"]
                .as_f64()
                .unwrap()
        };
        let o = d["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in {d}"));
        let est = o["difference"]["estimate"].as_f64().unwrap();
        assert!((est - (p(&sb) - p(&sa))).abs() < 1e-12, "{name}: {o}");
    }
}

#[test]
fn diff_refuses_folders_brink_did_not_write() {
    let dir = scratch("diff-refuse");
    run_tutorial(&dir, "base", &[]);
    fs::create_dir(dir.join("mine")).unwrap();
    fs::write(dir.join("mine/summary.json"), "{}").unwrap();
    let (code, _, err) = code_in(&dir, &["diff", "base", "mine"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("mine") && err.contains(".brink-output.json"),
        "{err}"
    );
    // A name that is not there, a file, and a shard each say what they are.
    let (code, _, err) = code_in(&dir, &["diff", "base", "typo"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read typo: No such file"), "{err}");
    let (code, _, err) = code_in(&dir, &["diff", "base", "mine/summary.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a file, not a folder"), "{err}");
    let t = repo(TUTORIAL);
    let t = t.to_str().unwrap();
    let shard = ["run", t, "--runs", "400", "--shard", "1/2", "--no-charts"];
    ok_in(&dir, &[&shard[..], &["--out", "shard"]].concat());
    let (code, _, err) = code_in(&dir, &["diff", "base", "shard"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("holds a shard") && err.contains("brink merge"),
        "{err}"
    );
    // A per-run table replaced by a link is named as a link (found by a reviewing helper: it
    // was "Too many levels of symbolic links", from the refusal to follow it).
    run_tutorial(&dir, "kept", &["--per-run"]);
    fs::create_dir(dir.join("linked")).unwrap();
    for e in fs::read_dir(dir.join("kept")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.join("linked").join(e.file_name())).unwrap();
    }
    fs::remove_file(dir.join("linked/runs.csv")).unwrap();
    std::os::unix::fs::symlink("../kept/runs.csv", dir.join("linked/runs.csv")).unwrap();
    let (code, _, err) = code_in(&dir, &["diff", "kept", "linked"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("linked/runs.csv: not a plain file (a symbolic link)"),
        "{err}"
    );
}

/// Two results of different scenarios, with no outcome named in both, printed an empty table
/// and a hint about pairing; the command now says there is nothing to compare.
#[test]
fn diff_of_results_with_no_outcome_in_common_is_refused() {
    let dir = scratch("diff-nothing-common");
    run_tutorial(&dir, "tutorial", &[]);
    let r = repo("scenarios/examples/richardson.ron");
    let r = r.to_str().unwrap();
    ok_in(
        &dir,
        &["run", r, "--runs", "200", "--no-charts", "--out", "pair"],
    );
    for json in [false, true] {
        let args = [
            &["diff", "tutorial", "pair"][..],
            if json { &["--json"][..] } else { &[] },
        ]
        .concat();
        let (code, out, err) = code_in(&dir, &args);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("tutorial and pair name no outcome in common")
                && err.contains("A's: rupture, lasting_rupture,")
                && err.contains("more; B's: crisis)"),
            "{err}"
        );
    }
}

#[test]
fn diff_refuses_a_result_edited_since_brink_wrote_it() {
    let dir = scratch("diff-edited");
    run_tutorial(&dir, "base", &["--per-run"]);
    // Every rupture cell of the per-run table set to 1, and a count in the summary changed:
    // each once read as brink's gave a difference contradicting the probabilities beside it.
    type Edit = fn(String) -> String;
    let edits: [(&str, Edit); 2] = [
        ("runs.csv", |t| {
            let mut lines = t.lines();
            let header: Vec<&str> = lines.next().unwrap().split(',').collect();
            let c = header.iter().position(|h| *h == "out.rupture").unwrap();
            let mut out = header.join(",") + "\n";
            for l in lines {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells[c] = "1";
                out += &(cells.join(",") + "\n");
            }
            out
        }),
        ("summary.json", |t| {
            t.replacen("\"runs_hit\": ", "\"runs_hit\": 1", 1)
        }),
    ];
    for (file, edit) in edits {
        let copy = dir.join(format!("edited-{file}"));
        fs::create_dir(&copy).unwrap();
        for e in fs::read_dir(dir.join("base")).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
        let p = copy.join(file);
        let before = fs::read_to_string(&p).unwrap();
        let after = edit(before.clone());
        assert_ne!(before, after);
        fs::write(&p, after).unwrap();
        let name = format!("edited-{file}");
        let (code, out, err) = code_in(&dir, &["diff", "base", &name]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(out.is_empty(), "{out}");
        // An edit that changes the size is refused by it, before the file is read.
        assert!(
            err.contains(&format!("{name}/{file}"))
                && (err.contains("SHA-256") || err.contains("but brink wrote")),
            "{err}"
        );
    }
}

/// A listed file grown since brink wrote it (a damaged copy: 50 GB of zeros after the table)
/// is refused by its size before it is read: `diff` read such a runs.csv whole, holding its
/// endless last line in memory, and hashed a grown runs.parquet for minutes.
#[test]
fn diff_refuses_a_grown_file_before_reading_it() {
    let dir = scratch("diff-grown");
    run_tutorial(&dir, "base", &["--per-run"]);
    run_tutorial(&dir, "pq", &["--per-run", "--format", "parquet"]);
    for (folder, file) in [
        ("base", "runs.csv"),
        ("pq", "runs.parquet"),
        ("base", "summary.json"),
    ] {
        let copy = dir.join(format!("grown-{file}"));
        fs::create_dir(&copy).unwrap();
        for e in fs::read_dir(dir.join(folder)).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
        let p = copy.join(file);
        let was = fs::metadata(&p).unwrap().len();
        // Sparse: no disk is used.
        fs::OpenOptions::new()
            .write(true)
            .open(&p)
            .unwrap()
            .set_len(50 << 30)
            .unwrap();
        let name = format!("grown-{file}");
        let (code, out, err) = code_in(&dir, &["diff", &name, "base"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            err.contains(&format!(
                "{name}/{file} has {} bytes, but brink wrote {was}",
                50u64 << 30
            )),
            "{err}"
        );
        fs::remove_dir_all(&copy).unwrap();
    }
}

#[test]
fn rerun_is_byte_identical_refuses_a_changed_scenario_and_finds_a_tampered_file() {
    let dir = scratch("rerun");
    fs::copy(repo(TUTORIAL), dir.join("t.ron")).unwrap();
    // With charts: report.html carries the command and the date.
    ok_in(
        &dir,
        &[
            "run",
            "t.ron",
            "--runs",
            "300",
            "--per-run",
            "--out",
            "first",
        ],
    );
    let out = ok_in(&dir, &["rerun", "first"]);
    assert!(out.contains("byte-identical"), "{out}");
    assert!(dir.join("first-rerun/report.html").exists());
    // Into a folder of one's choosing, again identical.
    let out = ok_in(&dir, &["rerun", "first", "--out", "again"]);
    assert!(out.contains("byte-identical"), "{out}");
    // Never into the folder itself.
    let (code, _, err) = code_in(&dir, &["rerun", "first", "--out", "first"]);
    assert_eq!(code, 2, "{err}");
    // A file that differs from the rerun's is listed, and the exit code is 1. (A file that no
    // longer matches its marker is refused before any run: next test. Here the marker is
    // rewritten with the file, as a result that really does not reproduce would hold.)
    does_not_reproduce(&dir.join("first"));
    let (code, out, err) = code_in(&dir, &["rerun", "first", "--out", "third"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("outcomes.csv") && !out.contains("byte-identical"),
        "{out}"
    );
    assert!(!out.contains("  summary.json"), "{out}");
    // An edited scenario is refused, naming the file.
    let text = fs::read_to_string(dir.join("t.ron")).unwrap();
    fs::write(dir.join("t.ron"), text + "\n// edited\n").unwrap();
    let (code, _, err) = code_in(&dir, &["rerun", "first", "--out", "fourth"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("t.ron") && err.contains("changed"), "{err}");
    assert!(!dir.join("fourth").exists());
    // A folder brink did not write is refused.
    fs::create_dir(dir.join("plain")).unwrap();
    let (code, _, _) = code_in(&dir, &["rerun", "plain"]);
    assert_eq!(code, 2);
}

/// Results record the build that wrote them beside the version (every build between releases
/// shares it): a rerun by another build compares modulo the build and says so, and says a
/// difference may be the build's.
#[test]
fn rerun_tells_a_result_of_another_build() {
    let dir = scratch("rerun-build");
    fs::copy(repo(TUTORIAL), dir.join("t.ron")).unwrap();
    ok_in(&dir, &["run", "t.ron", "--runs", "300", "--out", "first"]);
    let summary = common::json(&dir.join("first/summary.json"));
    assert_eq!(summary["manifest"]["build"].as_str(), brink::BUILD);
    let html = fs::read_to_string(dir.join("first/report.html")).unwrap();
    let Some(ours) = brink::BUILD else {
        eprintln!("built outside a git checkout: no build recorded, nothing more to check");
        return;
    };
    assert!(html.contains(&format!("(build {ours})")), "the tool row");
    // As another build of this version would have written it.
    let theirs = "0123456789ab";
    let mut other = summary.clone();
    other["manifest"]["build"] = theirs.into();
    let bytes = serde_json::to_vec_pretty(&other).unwrap();
    fs::write(dir.join("first/summary.json"), &bytes).unwrap();
    rewrite_marker_entry(&dir.join("first"), "summary.json", &bytes);
    let html = html.replace(&format!("(build {ours})"), &format!("(build {theirs})"));
    fs::write(dir.join("first/report.html"), &html).unwrap();
    rewrite_marker_entry(&dir.join("first"), "report.html", html.as_bytes());
    let out = ok_in(&dir, &["rerun", "first"]);
    assert!(out.contains("byte-identical"), "{out}");
    assert!(
        out.contains(&format!(
            "was written by build {theirs} of brink {}, and this is build {ours}\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{out}"
    );
    // A file that does not reproduce: the build may be why.
    does_not_reproduce(&dir.join("first"));
    let (code, out, err) = code_in(&dir, &["rerun", "first", "--out", "second"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("another build may play the same seed differently"),
        "{out}"
    );
}

/// Changes a byte of the result's outcomes.csv and its marker with it, as a result that really
/// does not reproduce would hold.
fn does_not_reproduce(result: &Path) {
    let csv = result.join("outcomes.csv");
    let mut bytes = fs::read(&csv).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 1;
    fs::write(&csv, &bytes).unwrap();
    rewrite_marker_entry(result, "outcomes.csv", &bytes);
}

/// Records `bytes` as the content of `name` in the marker of `dir`.
fn rewrite_marker_entry(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(".brink-output.json");
    let mut marker = common::json(&path);
    for f in marker["files"].as_array_mut().unwrap() {
        if f["name"] == name {
            f["bytes"] = bytes.len().into();
            f["sha256"] = brink::scenario::sha256_hex(bytes).into();
        }
    }
    fs::write(&path, serde_json::to_vec_pretty(&marker).unwrap()).unwrap();
}

#[test]
fn rerun_reruns_a_command_whose_scenario_came_after_a_double_dash() {
    // `brink run --out r -- t.ron`: the rerun's --out went after the `--`, where it is a
    // file's name, and the rerun failed.
    let dir = scratch("rerun-dashes");
    fs::copy(repo(TUTORIAL), dir.join("t.ron")).unwrap();
    ok_in(
        &dir,
        &[
            "run",
            "--runs",
            "200",
            "--no-charts",
            "--out",
            "r",
            "--",
            "t.ron",
        ],
    );
    let out = ok_in(&dir, &["rerun", "r"]);
    assert!(out.contains("byte-identical"), "{out}");
    assert!(dir.join("r-rerun/summary.json").is_file());
}

/// A result whose files no longer match the SHA-256 brink recorded (an edit of summary.json
/// or runs.csv, a file deleted) is refused before anything runs, exit code 2, naming the
/// file, with nothing written: a rerun would otherwise report the damage as a result that
/// does not reproduce. A file the marker does not list (the analyst's notes) is no damage.
#[test]
fn rerun_refuses_a_result_changed_since_brink_wrote_it_before_running_anything() {
    let dir = scratch("rerun-damaged");
    fs::copy(repo(TUTORIAL), dir.join("t.ron")).unwrap();
    let run = |out: &str| {
        ok_in(
            &dir,
            &[
                "run",
                "t.ron",
                "--runs",
                "300",
                "--per-run",
                "--no-charts",
                "--out",
                out,
            ],
        );
    };
    type Damage = fn(&Path);
    let damages: [(&str, &str, &str, Damage); 3] = [
        ("summary", "summary.json", "SHA-256 brink recorded", |d| {
            // The tester's edit: one digit of an estimate, the size unchanged.
            let p = d.join("summary.json");
            let text = fs::read_to_string(&p).unwrap();
            let at = text.find("\"estimate\": 0.").unwrap() + "\"estimate\": 0.".len();
            let digit = if &text[at..at + 1] == "9" { "8" } else { "9" };
            let edited = format!("{}{digit}{}", &text[..at], &text[at + 1..]);
            assert_eq!(edited.len(), text.len());
            fs::write(&p, edited).unwrap();
        }),
        ("runs", "runs.csv", "bytes, but brink wrote", |d| {
            let p = d.join("runs.csv");
            let text = fs::read_to_string(&p).unwrap();
            fs::write(&p, text + "299,0,0\n").unwrap();
        }),
        ("deleted", "outcomes.csv", "lacks outcomes.csv", |d| {
            fs::remove_file(d.join("outcomes.csv")).unwrap();
        }),
    ];
    for (name, file, why, damage) in damages {
        run(name);
        damage(&dir.join(name));
        let (before, paths) = (common::tree(&dir), common::paths(&dir));
        let o = brink_in(&dir, &["rerun", name]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", describe(&o));
        assert!(
            err.contains(&format!("cannot rerun {name}"))
                && err.contains(file)
                && err.contains(why),
            "{name}: {err}"
        );
        // Before the run: nothing printed, nothing written (no NAME-rerun, no leftover).
        assert!(stdout(&o).is_empty(), "{name}: {}", stdout(&o));
        assert_eq!(common::tree(&dir), before, "{name}");
        assert_eq!(common::paths(&dir), paths, "{name}");
        assert!(!dir.join(format!("{name}-rerun")).exists());
    }
    // A file of the analyst's beside brink's is not part of the result: the rerun goes on.
    run("noted");
    fs::write(dir.join("noted/notes.txt"), "my reading of it").unwrap();
    let out = ok_in(&dir, &["rerun", "noted"]);
    assert!(out.contains("byte-identical"), "{out}");
}

/// experiment.json holds the manifest of an experiment as summary.json does a run's: rerun
/// reruns it. A result of a command rerun does not rerun (a trace) is refused, naming those
/// it does.
#[test]
fn rerun_reruns_an_experiment_and_names_the_results_it_reruns() {
    let dir = scratch("rerun-experiment");
    fs::copy(repo(TUTORIAL), dir.join("t.ron")).unwrap();
    ok_in(
        &dir,
        &[
            "experiment",
            "t.ron",
            "--design",
            "lhs",
            "--param",
            "actors.north.hawkishness=0..0.6",
            "--points",
            "4",
            "--runs",
            "50",
            "--per-run",
            "--out",
            "exp",
        ],
    );
    let out = ok_in(&dir, &["rerun", "exp"]);
    assert!(
        out.contains("reran `brink experiment t.ron") && out.contains("byte-identical"),
        "{out}"
    );
    assert!(dir.join("exp-rerun/experiment.json").exists());
    ok_in(&dir, &["trace", "t.ron", "--run", "0", "--out", "tr"]);
    let (code, out, err) = code_in(&dir, &["rerun", "tr"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("tr holds a `brink trace` result")
            && err.contains("run, compare, sweep, sensitivity and experiment")
            && !err.contains("no manifest"),
        "{err}"
    );
    assert!(!dir.join("tr-rerun").exists());
    // A shard is part of a job: told so, and how to rerun it.
    for i in 1..=2 {
        let (shard, out) = (format!("{i}/2"), format!("s{i}"));
        ok_in(
            &dir,
            &[
                "run",
                "t.ron",
                "--runs",
                "40",
                "--shard",
                &shard,
                "--no-charts",
                "--out",
                &out,
            ],
        );
    }
    let (code, out, err) = code_in(&dir, &["rerun", "s1"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("s1 holds a shard of a `brink run` job (shard.json), not a whole result")
            && err.contains("the whole job without --shard"),
        "{err}"
    );
    assert!(!dir.join("s1-rerun").exists());
    // A merged result: rerun by running each shard's command again, then merging.
    ok_in(&dir, &["merge", "s1", "s2", "--no-charts", "--out", "m"]);
    let (code, out, err) = code_in(&dir, &["rerun", "m"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("was written by `brink merge`")
            && err.contains(
                "running each shard's command again, as its shard.json records it, then brink merge"
            ),
        "{err}"
    );
    assert!(!dir.join("m-rerun").exists());
}

#[test]
fn rerun_writes_beside_the_result_follows_a_link_and_passes_any_out_unchanged() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("rerun-paths");
    fs::copy(repo(TUTORIAL), dir.join("t.ron")).unwrap();
    std::os::unix::fs::symlink("t.ron", dir.join("link.ron")).unwrap();
    let abs = dir.join("link.ron");
    let abs = abs.to_str().unwrap();
    // Through a link, with the scenario's absolute path so that it reruns from inside too.
    ok_in(
        &dir,
        &["run", abs, "--runs", "50", "--no-charts", "--out", "res"],
    );
    let before = common::tree(&dir.join("res"));
    // `.` reruns beside itself, never inside.
    let out = ok_in(&dir.join("res"), &["rerun", "."]);
    assert!(out.contains("byte-identical"), "{out}");
    assert!(dir.join("res-rerun/.brink-output.json").exists());
    let (code, _, err) = code_in(&dir, &["rerun", "res", "--out", "res/inner"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("lies inside"), "{err}");
    assert_eq!(common::tree(&dir.join("res")), before);
    // A name with a leading dash, and one that is not UTF-8, reach the child as they are.
    ok_in(&dir, &["rerun", "res", "--out=-dash"]);
    assert!(dir.join("-dash/.brink-output.json").exists());
    let odd = std::ffi::OsStr::from_bytes(b"odd-\xff");
    let o = common::brink_in(
        &dir,
        &[
            std::ffi::OsStr::new("rerun"),
            "res".as_ref(),
            "--out".as_ref(),
            odd,
        ],
    );
    assert!(o.status.success(), "{}", describe(&o));
    assert!(dir.join(odd).join(".brink-output.json").exists());
    // A rerun the child refuses (its --out a user's file) fails with the child's reason and
    // exit code 2, the command on one line, and the file untouched.
    fs::write(dir.join("mine\nerror: forged"), b"user data").unwrap();
    let (code, _, err) = code_in(&dir, &["rerun", "res", "--out", "mine\nerror: forged"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the rerun `brink run "), "{err}");
    assert!(err.contains("failed: "), "{err}");
    // The child's "error: " is said once, by the rerun (it read "failed: error: refusing").
    assert!(!err.contains("failed: error:"), "{err}");
    assert!(
        !err.lines().any(|l| l.starts_with("error: forged")),
        "a path's newline started a line: {err}"
    );
    assert_eq!(
        fs::read(dir.join("mine\nerror: forged")).unwrap(),
        b"user data"
    );
    // A note the child printed before its error follows the error (a reviewing helper: it
    // read "failed: note: …" and the reason came after the note).
    fs::create_dir(dir.join(".zzz.old-77")).unwrap();
    let (code, _, err) = code_in(&dir, &["rerun", "res", "--out", "mine\nerror: forged"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("note: "), "the child's note is kept: {err}");
    assert!(!err.contains("failed: note:"), "{err}");
    assert!(err.contains("failed: refusing"), "{err}");
}

/// A scratch folder named `name` holding the flagship as `f.ron` and its result `first` of
/// `runs` runs, for a `brink rerun first` to work on.
fn flagship_result(name: &str, runs: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    fs::copy(repo(FLAGSHIP), dir.join("f.ron")).unwrap();
    let args = [
        "run",
        "f.ron",
        "--runs",
        runs,
        "--no-charts",
        "--out",
        "first",
    ];
    ok_in(&dir, &args);
    dir
}

#[test]
fn a_stopped_rerun_stops_its_child_and_leaves_nothing() {
    let dir = flagship_result("rerun-stop", "50000");
    let mut child = common::command()
        .current_dir(&dir)
        .args(["rerun", "first"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its child has claimed the new folder.
    let t = std::time::Instant::now();
    while !fs::read_dir(&dir).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".first-rerun.partial-")
    }) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended before it computed"
        );
        assert!(t.elapsed() < std::time::Duration::from_secs(60));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    // No child goes on to write the folder after the rerun ended.
    std::thread::sleep(std::time::Duration::from_secs(5));
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n == "f.ron" || n == "first"),
        "{names:?}"
    );
}

/// The PID of the `brink run` a `brink rerun first` in `dir` started, from the name of the
/// staging folder it made (waited for: it has claimed its folder and is computing).
#[cfg(unix)]
fn rerun_child(dir: &Path, rerun: &mut std::process::Child) -> libc::pid_t {
    let t = std::time::Instant::now();
    loop {
        if let Some(pid) = fs::read_dir(dir).unwrap().find_map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .strip_prefix(".first-rerun.partial-")
                .and_then(|p| p.parse().ok())
        }) {
            return pid;
        }
        assert!(
            rerun.try_wait().unwrap().is_none(),
            "ended before it computed"
        );
        assert!(t.elapsed() < std::time::Duration::from_secs(60));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[cfg(unix)]
#[test]
fn a_second_signal_to_rerun_kills_its_child_before_it_exits() {
    use std::io::Read;
    let dir = flagship_result("rerun-now", "50000");
    let mut rerun = common::command()
        .current_dir(&dir)
        .args(["rerun", "first"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = rerun.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let pid = rerun_child(&dir, &mut rerun);
    // The child is held still, so that it cannot end by itself after the first signal.
    let proc_ = std::path::PathBuf::from(format!("/proc/{pid}"));
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    unsafe { libc::kill(rerun.id() as libc::pid_t, libc::SIGINT) };
    std::thread::sleep(std::time::Duration::from_millis(800));
    unsafe { libc::kill(rerun.id() as libc::pid_t, libc::SIGINT) };
    let t = std::time::Instant::now();
    let status = loop {
        if let Some(s) = rerun.try_wait().unwrap() {
            break Some(s);
        }
        if t.elapsed() > std::time::Duration::from_secs(30) {
            let _ = rerun.kill();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    // The child is gone (killed and waited for), not left stopped or running as an orphan.
    let orphan =
        proc_.exists() && !fs::read_to_string(proc_.join("stat")).is_ok_and(|s| s.contains(") Z "));
    if orphan {
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let _ = rerun.wait();
    let err = reader.join().unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(130), "{err}");
    assert!(err.contains("interrupted again"), "{err}");
    assert!(!orphan, "the rerun's child {pid} outlived it: {err}");
}

/// A rerun killed outright (SIGKILL: no handler of its own runs) no longer leaves its child
/// computing and then writing `NAME-rerun`: the kernel sends the child SIGTERM as its parent
/// ends, which the child takes as a stop (its staging folder removed, nothing written).
#[cfg(target_os = "linux")]
#[test]
fn a_rerun_killed_outright_takes_its_child_with_it() {
    let dir = flagship_result("rerun-kill", "100000");
    let mut rerun = common::command()
        .current_dir(&dir)
        .args(["rerun", "first"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = rerun_child(&dir, &mut rerun);
    rerun.kill().unwrap();
    rerun.wait().unwrap();
    // The child ends (a zombie of init's counts as ended) well before its 100,000 runs would.
    let gone = |pid: libc::pid_t| {
        fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| s.contains(") Z "))
    };
    let t = std::time::Instant::now();
    while !gone(pid) && t.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let outlived = !gone(pid);
    if outlived {
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    assert!(!outlived, "the rerun's child {pid} outlived it by 30 s");
    let names = common::names(&dir);
    assert_eq!(names, ["f.ron", "first"].map(String::from), "{names:?}");
}

/// A result computed from a scenario whose name is not UTF-8 records it with U+FFFD for the
/// bad bytes: `rerun` says so, where it said to rerun from the folder the result was computed
/// in (which it was).
#[test]
#[cfg(target_os = "linux")]
fn rerun_of_a_scenario_named_in_bytes_that_are_not_utf8_says_so() {
    use std::os::unix::ffi::OsStrExt;
    let dir = common::scratch("rerun-not-utf8");
    let name = std::ffi::OsStr::from_bytes(b"bad\xffname.ron");
    std::fs::copy(
        common::repo("scenarios/examples/richardson.ron"),
        dir.join(name),
    )
    .unwrap();
    let arg = std::ffi::OsStr::new;
    let o = common::brink_in(
        &dir,
        &[
            arg("run"),
            name,
            arg("--runs"),
            arg("50"),
            arg("--no-charts"),
            arg("--out"),
            arg("res"),
        ],
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let o = common::brink_in(&dir, &["rerun", "res"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bytes that are not UTF-8"), "{err}");
}

/// A summary whose counts no run could give (its files re-sealed by hand, so that every hash
/// matches) is refused by `diff`, naming what is wrong: an outcome in more runs than the
/// result has printed a probability of 2500, a result of no runs intervals of nothing, and two
/// outcomes of one name paired the wrong columns.
#[test]
fn diff_refuses_counts_no_run_could_give() {
    let dir = scratch("diff-counts");
    run_tutorial(&dir, "base", &[]);
    type Edit = fn(&mut serde_json::Value);
    let edits: [(Edit, &str); 3] = [
        (
            |v| v["outcomes"][0]["runs_hit"] = 1_000_000.into(),
            "that happened in 1000000 of 400 runs",
        ),
        (|v| v["manifest"]["runs"] = 0.into(), "a result of no runs"),
        (
            |v| v["outcomes"][1]["name"] = v["outcomes"][0]["name"].clone(),
            "two outcomes named",
        ),
    ];
    for (i, (edit, says)) in edits.into_iter().enumerate() {
        let name = format!("edited{i}");
        edited_copy(&dir, &name, edit);
        let (code, out, err) = code_in(&dir, &["diff", "base", &name]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            err.contains(says) && err.contains("brink never writes"),
            "{err}"
        );
    }
    // A result another version of brink wrote is compared, and said to be (it was silent: the
    // same seed may play otherwise there).
    let copy = dir.join("older");
    fs::create_dir(&copy).unwrap();
    for e in fs::read_dir(dir.join("base")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let mut v = common::json(&copy.join("summary.json"));
    v["manifest"]["version"] = "0.0.9".into();
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    fs::write(copy.join("summary.json"), &bytes).unwrap();
    rewrite_marker_entry(&copy, "summary.json", &bytes);
    let (code, out, err) = code_in(&dir, &["diff", "base", "older"]);
    assert_eq!(code, 0, "{out}{err}");
    let b = out
        .lines()
        .find(|l| l.starts_with("B: "))
        .unwrap_or_default();
    assert!(b.ends_with(", written by brink 0.0.9"), "{out}");
    let a = out
        .lines()
        .find(|l| l.starts_with("A: "))
        .unwrap_or_default();
    assert!(!a.contains("written by"), "{out}");
}

/// A label with a newline in a re-sealed summary.json (a scenario's label may not hold one)
/// keeps `diff`'s table one row per outcome: it printed the newline raw and broke the table
/// (found by a reviewing helper).
#[test]
fn diff_keeps_a_resealed_labels_newline_out_of_its_table() {
    let dir = scratch("diff-newline");
    run_tutorial(&dir, "base", &[]);
    let copy = dir.join("evil");
    fs::create_dir(&copy).unwrap();
    for e in fs::read_dir(dir.join("base")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let mut v = common::json(&copy.join("summary.json"));
    v["outcomes"][0]["label"] = "Evil\nsecond line".into();
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    fs::write(copy.join("summary.json"), &bytes).unwrap();
    rewrite_marker_entry(&copy, "summary.json", &bytes);
    let (code, out, err) = code_in(&dir, &["diff", "evil", "base"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Evil\\nsecond line"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("second line")), "{out}");
}

/// `brink report` refuses a result whose numbers no run could give, as `diff` does (its files
/// re-sealed by hand): it drew a probability of 170.0%.
#[test]
fn report_refuses_numbers_no_run_could_give() {
    let dir = scratch("report-counts");
    run_tutorial(&dir, "base", &[]);
    type Edit = fn(&mut serde_json::Value);
    let edits: [(Edit, &str); 3] = [
        (
            |v| v["outcomes"][0]["probability"]["estimate"] = 1.7.into(),
            "a probability of 1.7",
        ),
        (
            |v| v["outcomes"][1]["runs_hit"] = 99_999.into(),
            "an outcome counted in 99999 of 400 runs",
        ),
        (
            |v| v["final_rung"][0]["low"] = (-0.2).into(),
            "at final_rung[0]",
        ),
    ];
    for (i, (edit, says)) in edits.into_iter().enumerate() {
        let name = format!("edited{i}");
        edited_copy(&dir, &name, edit);
        let out = format!("rep{i}");
        let (code, stdout, err) = code_in(&dir, &["report", &name, "--out", &out]);
        assert_eq!(code, 2, "{stdout}{err}");
        assert!(
            err.contains(says) && err.contains("brink never writes"),
            "{err}"
        );
        assert!(!dir.join(&out).exists());
    }
    // The result as written is reported.
    let (code, stdout, err) = code_in(&dir, &["report", "base", "--out", "rep"]);
    assert_eq!(code, 0, "{stdout}{err}");
}

/// A sensitivity.json edited and re-sealed with a coefficient PRCC never gives (above 1, or
/// outside its interval, or an interval upside down) is refused by `report`, naming it.
#[test]
fn report_refuses_a_coefficient_prcc_never_gives() {
    let dir = scratch("report-prcc");
    let t = repo(TUTORIAL);
    ok_in(
        &dir,
        &[
            "sensitivity",
            t.to_str().unwrap(),
            "--runs",
            "300",
            "--no-charts",
            "--out",
            "s",
        ],
    );
    type Edit = fn(&mut serde_json::Value);
    let edits: [Edit; 4] = [
        |p| p["prcc"] = 5.0.into(),
        |p| (p["low"], p["high"]) = (p["high"].clone(), p["low"].clone()),
        |p| p["high"] = 1.5.into(),
        |p| p["excludes_zero"] = (!p["excludes_zero"].as_bool().unwrap()).into(),
    ];
    for (i, edit) in edits.into_iter().enumerate() {
        let copy = dir.join(format!("s{i}"));
        fs::create_dir(&copy).unwrap();
        for e in fs::read_dir(dir.join("s")).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
        let mut v = common::json(&copy.join("sensitivity.json"));
        edit(&mut v["parameters"][0]);
        fs::write(
            copy.join("sensitivity.json"),
            serde_json::to_vec_pretty(&v).unwrap(),
        )
        .unwrap();
        common::reseal(&copy, "sensitivity.json");
        let out = format!("rep{i}");
        let (code, stdout, err) = code_in(&dir, &["report", &format!("s{i}"), "--out", &out]);
        assert_eq!(code, 2, "{i}: {stdout}{err}");
        assert!(err.contains("which PRCC never gives"), "{i}: {err}");
        assert!(!dir.join(&out).exists());
    }
    let (code, stdout, err) = code_in(&dir, &["report", "s", "--out", "rep"]);
    assert_eq!(code, 0, "{stdout}{err}");
}

/// A copy of `dir/base` as `dir/name`, its summary.json edited by `edit` and re-sealed in the
/// marker: a forged result, which only a deliberate edit makes.
fn edited_copy(dir: &Path, name: &str, edit: fn(&mut serde_json::Value)) {
    let copy = dir.join(name);
    fs::create_dir(&copy).unwrap();
    for e in fs::read_dir(dir.join("base")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let mut v = common::json(&copy.join("summary.json"));
    edit(&mut v);
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    fs::write(copy.join("summary.json"), &bytes).unwrap();
    rewrite_marker_entry(&copy, "summary.json", &bytes);
}

/// Found by a reviewing helper: the rerun of a result another version of brink wrote said only
/// "summary.json differs". It now says which version wrote it, and that the version alone
/// makes the manifests differ; a result of this version says no such thing. `brink report`
/// of such a result says so too.
#[test]
fn a_rerun_of_another_versions_result_names_the_version() {
    let dir = scratch("rerun-version");
    run_tutorial(&dir, "mine", &[]);
    let out = ok_in(&dir, &["rerun", "mine"]);
    assert!(!out.contains("was written by"), "{out}");
    let mut v = common::json(&dir.join("mine/summary.json"));
    v["manifest"]["version"] = "0.0.9".into();
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    fs::write(dir.join("mine/summary.json"), &bytes).unwrap();
    rewrite_marker_entry(&dir.join("mine"), "summary.json", &bytes);
    // `brink report` combines it, and says whose figures they are.
    let (code, out, err) = code_in(&dir, &["report", "mine", "--out", "combined"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains(&format!(
            "was written by brink 0.0.9, and this is brink {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{err}"
    );
    // And where the report is read: the section of that result says so.
    let html = fs::read_to_string(dir.join("combined/report.html")).unwrap();
    assert!(
        html.contains(&format!(
            "Written by brink 0.0.9, and this report by brink {}: its figures are that version",
            env!("CARGO_PKG_VERSION")
        )),
        "the report.html section names no version"
    );
    let (code, out, err) = code_in(&dir, &["rerun", "mine", "--out", "again"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("  summary.json"), "{out}");
    assert!(
        out.contains(&format!(
            "was written by brink 0.0.9, and this is brink {}",
            env!("CARGO_PKG_VERSION")
        )),
        "{out}"
    );
    // A recorded command that writes nothing (edited by hand) is said to be such, not blamed
    // on a missing folder.
    v["manifest"]["command"] = serde_json::json!(["brink", "run", "--help"]);
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    fs::write(dir.join("mine/summary.json"), &bytes).unwrap();
    rewrite_marker_entry(&dir.join("mine"), "summary.json", &bytes);
    let (code, out, err) = code_in(&dir, &["rerun", "mine", "--out", "third"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("writes no result"), "{err}");
    // Also where an earlier rerun's folder stands (it was compared with, as if written now).
    assert!(dir.join("mine-rerun").is_dir());
    let (code, out, err) = code_in(&dir, &["rerun", "mine"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("writes no result"), "{err}");
}

/// A manifest whose command says another scenario, seed or number of runs than its own fields
/// (edited, the marker resealed) is refused before anything runs: the scenario's hash is
/// checked against the manifest's file, and the command is what runs, so it could run another
/// scenario than the one checked, or 10^11 runs for a result of 400.
#[test]
fn a_rerun_refuses_a_command_at_odds_with_its_manifest() {
    let dir = scratch("rerun-at-odds");
    run_tutorial(&dir, "mine", &[]);
    let original = common::json(&dir.join("mine/summary.json"));
    let command: Vec<String> =
        serde_json::from_value(original["manifest"]["command"].clone()).unwrap();
    let richardson = repo("scenarios/examples/richardson.ron");
    let edits: [(&str, &str, &str); 3] = [
        (
            "--runs",
            "100000000000",
            "asks for 100000000000 runs, but the manifest records 400",
        ),
        (
            "--seed",
            "7",
            "has --seed 7, but the manifest records seed 0",
        ),
        (TUTORIAL, richardson.to_str().unwrap(), "names the scenario"),
    ];
    for (at, to, says) in edits {
        let mut edited = command.clone();
        match edited.iter().position(|a| a == at) {
            // An option: its value follows it. (None: the option is added.)
            Some(i) if at.starts_with("--") => edited[i + 1] = to.into(),
            Some(_) => unreachable!(),
            None if at.starts_with("--") => edited.extend([at.to_string(), to.to_string()]),
            // The scenario, as recorded (a full path ending in the tutorial's).
            None => {
                let i = edited.iter().position(|a| a.ends_with(at)).unwrap();
                edited[i] = to.into();
            }
        }
        let mut v = original.clone();
        v["manifest"]["command"] = serde_json::json!(edited);
        let bytes = serde_json::to_vec_pretty(&v).unwrap();
        fs::write(dir.join("mine/summary.json"), &bytes).unwrap();
        rewrite_marker_entry(&dir.join("mine"), "summary.json", &bytes);
        let (code, out, err) = code_in(&dir, &["rerun", "mine", "--out", "again"]);
        assert_eq!(code, 2, "{at}: {out}{err}");
        assert!(err.contains(says), "{at}: {err}");
        assert!(
            err.contains("the manifest is not as brink wrote it"),
            "{err}"
        );
        assert!(!dir.join("again").exists(), "{at}: a rerun was written");
    }
}

/// `brink new NAME --timeline-of SCENARIO` writes a starting timeline that validates against the
/// scenario from wherever it is written (its `scenario:` field relative to its own folder),
/// that `backtest` scores, and that is never written over an existing file; a scenario without
/// dates is refused, exit code 2, nothing written.
#[test]
fn a_starting_timeline_validates_and_backtests() {
    let dir = scratch("new-timeline");
    let tutorial = repo(TUTORIAL);
    let t = tutorial.to_str().unwrap();
    ok_in(&dir, &["new", "case", "--timeline-of", t]);
    fs::create_dir_all(dir.join("sub/deeper")).unwrap();
    ok_in(
        &dir,
        &[
            "new",
            "case",
            "--timeline-of",
            t,
            "--out",
            "sub/deeper/x.timeline.ron",
        ],
    );
    for f in ["case.timeline.ron", "sub/deeper/x.timeline.ron"] {
        let out = ok_in(&dir, &["validate", f]);
        assert!(out.contains("4 facts"), "{f}: {out}");
    }
    ok_in(
        &dir,
        &[
            "backtest",
            "case.timeline.ron",
            "--runs",
            "200",
            "--no-charts",
            "--out",
            "bt",
        ],
    );
    assert!(dir.join("bt/facts.csv").is_file());
    // Never over a file that is there.
    let before = fs::read(dir.join("case.timeline.ron")).unwrap();
    let (code, out, err) = code_in(&dir, &["new", "case", "--timeline-of", t]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(fs::read(dir.join("case.timeline.ron")).unwrap(), before);
    // A scenario without a start date has no dates for facts.
    let richardson = repo("scenarios/examples/richardson.ron");
    let (code, out, err) = code_in(
        &dir,
        &["new", "r", "--timeline-of", richardson.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("has no start_date"), "{err}");
    assert!(!dir.join("r.timeline.ron").exists());
    // A device name on Windows, as a scenario's is.
    let (code, out, err) = code_in(&dir, &["new", "con", "--timeline-of", t]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("con.timeline.ron is a device name on Windows"),
        "{err}"
    );
}

/// A step unit in capitals is made plural in capitals wherever a text counts steps: the
/// starting timeline and a trace said "52 WEEKs" (and "52 weekss" for a plural unit).
#[test]
fn a_step_unit_in_capitals_or_the_plural_is_counted_as_written() {
    let dir = scratch("step-units");
    ok_in(&dir, &["new", "s"]);
    let text = fs::read_to_string(dir.join("s.ron")).unwrap();
    for (unit, plural) in [
        ("WEEK", "52 WEEKS"),
        ("weeks", "52 weeks"),
        ("Day", "52 Days"),
    ] {
        let changed = text.replacen("step_unit: \"week\"", &format!("step_unit: {unit:?}"), 1);
        assert_ne!(changed, text, "the template's step unit moved");
        fs::write(dir.join("s.ron"), &changed).unwrap();
        let _ = fs::remove_file(dir.join("t.timeline.ron"));
        ok_in(&dir, &["new", "t", "--timeline-of", "s.ron"]);
        let timeline = fs::read_to_string(dir.join("t.timeline.ron")).unwrap();
        assert!(
            timeline.contains(&format!("runs {plural}, to")),
            "{unit}: {timeline}"
        );
        let trace = ok_in(&dir, &["trace", "s.ron", "--run", "0"]);
        assert!(trace.contains(&format!("{plural} from")), "{unit}: {trace}");
        for bad in ["WEEKs", "weekss", "Dayss"] {
            assert!(
                !timeline.contains(bad) && !trace.contains(bad),
                "{unit}: {bad}"
            );
        }
    }
}

/// `graph --out` and `new` never put a file inside a result brink wrote: its marker would not
/// list the file, and the result was then refused as damaged by `rerun`, `report` and `diff`,
/// and could no longer be replaced.
#[test]
fn graph_and_new_refuse_to_write_inside_a_result() {
    let dir = scratch("inside-a-result");
    fs::copy(repo(TUTORIAL), dir.join("t.ron")).unwrap();
    ok_in(
        &dir,
        &[
            "run",
            "t.ron",
            "--runs",
            "20",
            "--no-charts",
            "--out",
            "res",
        ],
    );
    let before: Vec<_> = common::paths(&dir.join("res"));
    let (code, _, err) = code_in(&dir, &["graph", "t.ron", "--out", "res/g.svg"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lies inside") && err.contains("a result brink wrote"),
        "{err}"
    );
    let (code, _, err) = code_in(&dir.join("res"), &["new", "x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refusing to write x.ron"), "{err}");
    let (code, _, err) = code_in(&dir, &["new", "x", "--out", "res/sub/x.ron"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(common::paths(&dir.join("res")), before);
    // The result is whole: a report of it is written.
    ok_in(&dir, &["report", "res", "--out", "rep"]);
    // Beside it, both write, also through `..` out of the result (refused as inside it by a
    // first fix, which read the path as written) and through a link out of it.
    ok_in(&dir, &["graph", "t.ron", "--out", "g.svg"]);
    assert!(dir.join("g.svg").is_file());
    ok_in(&dir, &["graph", "t.ron", "--out", "res/../g2.svg"]);
    assert!(dir.join("g2.svg").is_file());
    #[cfg(unix)]
    {
        fs::create_dir(dir.join("other")).unwrap();
        std::os::unix::fs::symlink("../other", dir.join("res/esc")).unwrap();
        ok_in(&dir, &["graph", "t.ron", "--out", "res/esc/g.svg"]);
        assert!(dir.join("other/g.svg").is_file());
    }
}

/// `describe` prints each number as the file holds it (it rounded to four decimals:
/// `Uniform(1.2346, 3)` for `Uniform(1.23456, 3.00001)`, fatigue `1` for 0.999999), as
/// `describe --paths` does.
#[test]
fn describe_prints_the_numbers_the_file_holds() {
    let dir = scratch("describe-exact");
    let text = fs::read_to_string(repo("scenarios/examples/richardson.ron")).unwrap();
    let edited = text
        .replacen("fatigue: 0.4,", "fatigue: 0.999999,", 1)
        .replacen(
            "noise: Uniform(min: 0.1, max: 0.5,",
            "noise: Uniform(min: 0.123456, max: 0.500001,",
            1,
        )
        .replacen("initial: 2.0,", "initial: 0.000123456789,", 1);
    assert_ne!(edited, text);
    fs::write(dir.join("exact.ron"), edited).unwrap();
    let out = ok_in(&dir, &["describe", "exact.ron"]);
    for number in ["0.999999", "0.123456", "0.500001", "0.000123456789"] {
        assert!(out.contains(number), "{number}: {out}");
    }
}

/// `describe` shows the shared numbers (a fixed one appeared nowhere: fields say only
/// `Shared(name)`) and each event's label, as it does the other parts'.
#[test]
fn describe_shows_shared_numbers_and_event_labels() {
    let dir = scratch("describe-shared");
    let out = ok_in(
        &dir,
        &[
            "describe",
            repo("scenarios/russia_azerbaijan_2025.ron")
                .to_str()
                .unwrap(),
        ],
    );
    let shared = &out[out
        .find("## Shared numbers")
        .expect("a shared numbers table")..];
    assert!(
        shared.contains("Weekly fatigue of both focal hostilities"),
        "{shared}"
    );
    let events = &out[out.find("## Events").expect("an events table")..];
    assert!(events.contains("Putin–Aliyev phone call"), "{events}");
}

/// The case template's commented example of an announced step (a `Dated` event) validates
/// once uncommented, so that the example an analyst copies is one brink takes.
#[test]
fn the_case_template_s_announced_step_example_validates() {
    let dir = scratch("new-case-dated");
    ok_in(&dir, &["new", "c", "--from", "case"]);
    let text = fs::read_to_string(dir.join("c.ron")).unwrap();
    let start = text
        .find("        //   (name: \"law_in_force\"")
        .expect("the example");
    let end_marker = "the announcement of the start date\"),";
    let end = start + text[start..].find(end_marker).unwrap() + end_marker.len();
    let example: Vec<String> = text[start..end]
        .lines()
        .map(|l| l.replacen("//", "  ", 1))
        .collect();
    let with = format!("{}{}{}", &text[..start], example.join("\n"), &text[end..]);
    fs::write(dir.join("c.ron"), with).unwrap();
    let out = ok_in(&dir, &["validate", "c.ron"]);
    assert!(out.contains("3 events"), "{out}");
}

/// Graphviz decodes character entities in every quoted string (`&amp;` draws `&`, `&#8238;` a
/// right-to-left override), so a label's own `&` is written `&amp;`: a label that says
/// `&#8238;` drew an override left open, which validation refuses as a character, reversing
/// the rest of the label, and `R&amp;D` drew `R&D`. Mermaid's labels already escaped `&`.
#[test]
fn graph_dot_shows_a_labels_ampersands_as_written() {
    let dir = scratch("graph-dot-entities");
    ok_in(&dir, &["new", "amp"]);
    let text = fs::read_to_string(dir.join("amp.ron"))
        .unwrap()
        .replace("label: \"Side A\"", "label: \"Side &#8238;A &amp; R&D\"")
        .replacen("name: \"amp\"", "name: \"amp &lt;1&gt;\"", 1);
    fs::write(dir.join("amp.ron"), text).unwrap();
    ok_in(&dir, &["validate", "amp.ron"]);
    let dot = ok_in(&dir, &["graph", "amp.ron", "--format", "dot"]);
    check_dot(&dot, 2, 0);
    assert!(
        dot.contains(r#"label="Side &amp;#8238;A &amp;amp; R&amp;D""#),
        "{dot}"
    );
    assert!(
        dot.starts_with("digraph \"amp &amp;lt;1&amp;gt;\" {"),
        "{dot}"
    );
    // Characters that reorder text are still entity codes, which Graphviz decodes.
    assert!(!dot.contains("&#8238;"), "{dot}");
}

/// `describe` said a scenario without levers, events or variants had them all lost: a
/// header over no rows. Each empty section now says it has none; a section with rows keeps
/// its table.
#[test]
fn describe_says_when_a_section_is_empty() {
    let o = common::ok(&[
        Path::new("describe"),
        &common::repo("scenarios/examples/richardson.ron"),
    ]);
    let text = common::stdout(&o);
    for (heading, none) in [
        ("## Levers", "(no levers)"),
        ("## Events", "(no events)"),
        ("## Variants", "(no variants)"),
    ] {
        assert!(
            text.contains(&format!("{heading}\n{none}\n")),
            "{heading}: {text}"
        );
    }
    assert!(text.contains("## Outcomes\noutcome  when"), "{text}");
    let o = common::ok(&[
        Path::new("describe"),
        &common::repo("scenarios/examples/tutorial.ron"),
    ]);
    let text = common::stdout(&o);
    assert!(text.contains("## Variants\nvariant    changes"), "{text}");
    assert!(!text.contains("(no "), "{text}");
    // An act's costs are paid once, a measure's each step at its level (the heading said
    // "per step" of both); the lowest rung holds every H below the next threshold; and the
    // rules the levers' table leaves out, each lever's on its line and each level's below it
    // (an attacking helper: the visa's level 2 needs 5, the table showed 4 alone).
    for right in [
        "## Levers (costs in USD million: a measure's each step at a level, an act's each time it is performed)\n",
        "\ncalm           below 1  Normal relations\n",
        "\nfriction       from 1   Diplomatic friction\n",
        "\n## Lever rules\nvisa_regime: lowered while the motive is below 2.5; half-life 13; a level set is held at least 8 weeks before it can be lowered\n",
        "\n  level 2 imposed: threshold 5; weight when eased 5; only at rung confrontation or higher;",
        "\nrecognition: never lowered by its owner (events can); raised only if visa_regime >= level 2 for 4 steps\n",
        "\ngas_deal: moved by h(north->south), not its own toward its target\n  level 1 pipeline_talks: while in force south.CostWeight x 0.8 + 0\n",
        "an offer: happens only if south accepts within 2 weeks, which it does while its hostility toward north is below 1",
    ] {
        assert!(text.contains(right), "{right}: {text}");
    }
    assert!(!text.contains("per step)"), "{text}");
}
