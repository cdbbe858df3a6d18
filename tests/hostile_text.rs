//! Text an analyst (or an attacker) writes into a scenario's labels reaches CSV files, charts
//! and reports: it must not run as a spreadsheet formula, nor make an SVG invalid XML.

mod common;

use std::path::{Path, PathBuf};

/// The Richardson example with `edit` applied, written as `name.ron` in a scratch folder.
fn scenario(name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "{name}: the edit changed nothing");
    let path = common::scratch(name).join(format!("{name}.ron"));
    std::fs::write(&path, edited).unwrap();
    path
}

const OUTCOME: &str = r#"Outcome(name: "crisis", when"#;

/// The label of the outcome set to `label` (RON string syntax, quotes included).
fn with_label(text: String, label: &str) -> String {
    text.replace(
        OUTCOME,
        &format!(r#"Outcome(name: "crisis", label: {label}, when"#),
    )
}

/// The 2015 Russia–Turkey timeline's text, and the path `bad.timeline.ron` in `dir` beside a
/// copy of the scenario it names, for an edited copy to be written to.
fn timeline_beside_its_scenario(dir: &Path) -> (String, PathBuf) {
    let timeline = std::fs::read_to_string(common::repo(
        "scenarios/history/russia_turkey_2015.timeline.ron",
    ))
    .unwrap();
    let name = "russia_turkey_2015.ron";
    std::fs::copy(common::repo("scenarios/history").join(name), dir.join(name)).unwrap();
    (timeline, dir.join("bad.timeline.ron"))
}

/// `brink validate FILE`, refused (exit code 2): its standard error.
fn refused(path: &Path) -> String {
    let o = common::brink(&[Path::new("validate"), path]);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_formula_in_a_label_is_neutralised_in_csv_and_numbers_stay_numbers() {
    let path = scenario("formula", |t| {
        // Hostilities held below zero, so that the per-step table has negative numbers.
        with_label(t, r#""=cmd|' /C calc'!A0""#)
            .replace("initial: 2.0", "initial: -5.0")
            .replace("grievance: 0.5", "grievance: -1.5")
    });
    let out = path.parent().unwrap().join("out");
    common::ok(&[
        Path::new("run"),
        &path,
        Path::new("--runs"),
        Path::new("200"),
        Path::new("--out"),
        &out,
    ]);
    let outcomes = std::fs::read_to_string(out.join("outcomes.csv")).unwrap();
    let row = outcomes.lines().nth(1).unwrap();
    assert!(
        row.starts_with("crisis,'=cmd|' /C calc'!A0,"),
        "the label is written as a formula: {row}"
    );
    // Negative numbers are written as numbers, not as text with a quote.
    let series = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(!series.contains('\''), "a number was quoted:\n{series}");
    let means: Vec<f64> = series
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(means.iter().any(|&m| m < 0.0), "no negative mean");
}

#[test]
fn spreadsheet_safe_quotes_text_only() {
    use brink::report::csv::spreadsheet_safe as safe;
    for text in [
        "=1+1", "+x", "-x", "@SUM(A1)", "\tx", "\rx", "-1+cmd", "'=x", "'",
    ] {
        assert_eq!(safe(text), format!("'{text}"), "{text:?}");
    }
    // Rust's f64 parser reads these, a spreadsheet does not: it takes them for formulas.
    for text in [
        "-Infinity",
        "-infinity",
        "-inf",
        "+inf",
        "+Infinity",
        "-NaN",
        "+NaN",
        "-nan",
        "-1e400",
    ] {
        assert_eq!(safe(text), format!("'{text}"), "{text:?}");
    }
    for same in [
        "-0.5", "-1e-7", "-2e-3", "-1.5E+10", "+3", "-.5", "-0", "inf", "NaN", "", "calm", "a=b",
        "1-2",
    ] {
        assert_eq!(safe(same), same, "{same:?}");
    }
}

/// True if `text` holds only characters XML 1.0 allows (no C0 control other than tab,
/// newline and carriage return).
fn xml_chars(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
}

#[test]
fn control_characters_in_text_are_refused_at_their_place() {
    // ESC and BEL in a label, written as escapes; NUL in the cost unit, raw.
    let path = scenario("control", |t| {
        with_label(t, r#""red\u{1b}[31m alarm\u{7}""#).replace(
            "    horizon: 52,",
            "    horizon: 52,\n    cost_unit: \"pts\u{0}\",",
        )
    });
    let o = common::brink(&[Path::new("validate"), &path]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(!err.contains("panicked"), "{err}");
    let p = path.display();
    let label = format!("--> {p}:66:40");
    let unit = format!("--> {p}:32:16");
    for want in [
        "outcomes[0].label holds the control character U+001B",
        "cost_unit holds the control character U+0000",
        "expected text without control characters",
        &label,
        &unit,
    ] {
        assert!(err.contains(want), "does not say {want:?}:\n{err}");
    }
}

/// U+FFFE and U+FFFF are not control characters, but XML forbids them just the same: a label
/// holding one passed and made every chart showing it invalid SVG (found by a reviewing
/// helper). They are refused at their place, as the other noncharacters are, in scenarios and
/// timelines.
#[test]
fn noncharacters_in_text_are_refused_at_their_place() {
    for (ch, name) in [
        ('\u{fffe}', "fffe"),
        ('\u{ffff}', "ffff"),
        ('\u{fdd0}', "fdd0"),
        ('\u{10fffe}', "plane16"),
    ] {
        let path = scenario(&format!("nonchar-{name}"), |t| {
            with_label(t, &format!("\"A{ch}\""))
        });
        let err = refused(&path);
        let want = format!(
            "outcomes[0].label holds the noncharacter U+{:04X}",
            u32::from(ch)
        );
        assert!(err.contains(&want), "{err}");
        assert!(
            err.contains(&format!("--> {}:65:40", path.display())),
            "{err}"
        );
    }
    let dir = common::scratch("nonchar-timeline");
    let (timeline, bad) = timeline_beside_its_scenario(&dir);
    std::fs::write(
        &bad,
        timeline.replacen("label: \"", "label: \"Case\u{ffff}", 1),
    )
    .unwrap();
    let err = refused(&bad);
    assert!(
        err.contains("label holds the noncharacter U+FFFF")
            && err.contains(&format!("--> {}:9:12", bad.display())),
        "{err}"
    );
    // Other characters of the private and special blocks are text: a run takes them.
    let path = scenario("nonchar-ok", |t| {
        with_label(t, "\"A\u{fffd}\u{e000}\u{fff0}\"")
    });
    let o = common::brink(&[Path::new("validate"), &path]);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
}

/// `validate` names the scenario as every other command does: combining marks (an accent
/// written apart, Arabic vowels, Devanagari signs) are text, not `\u{...}` escapes, while an
/// unbalanced override still could not reach the terminal (it is refused).
#[test]
fn validate_shows_a_name_with_combining_marks_as_written() {
    let name = "Cafe\u{301} \u{2014} \u{645}\u{64f}\u{62d}\u{64e}\u{627}\u{62f}\u{64e}\u{62b}\u{64e}\u{627}\u{62a} \u{2014} \u{939}\u{93f}\u{902}\u{926}\u{940}";
    let path = scenario("combining", |t| {
        t.replace("name: \"Richardson pair\"", &format!("name: \"{name}\""))
    });
    let o = common::brink(&[Path::new("validate"), &path]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    assert!(out.contains(&format!(": \"{name}\", 2 actors")), "{out}");
    assert!(!out.contains("\\u{"), "{out}");
    // A quote inside is escaped, so that the line reads back (a reviewing helper's
    // `Rich", 2 actors" pair` read as a name and a count).
    let path = scenario("quoted", |t| {
        t.replace(
            "name: \"Richardson pair\"",
            "name: \"Rich\\\", 2 actors\\\" pair\"",
        )
    });
    let o = common::brink(&[Path::new("validate"), &path]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    assert!(
        out.contains(": \"Rich\\\", 2 actors\\\" pair\", 2 actors"),
        "{out}"
    );
}

/// A label or unit of invisible characters alone (zero-width spaces, a byte order mark, a
/// joiner) is refused at its place: it showed as a blank on every page and chart, where a label
/// left out shows the name. A label with visible text beside them is accepted.
#[test]
fn a_label_of_invisible_characters_alone_is_refused() {
    let path = scenario("invisible", |t| {
        with_label(t, r#""\u{200b}\u{feff} \u{2060}""#).replace(
            "    horizon: 52,",
            "    horizon: 52,\n    cost_unit: \"\u{200d}\",",
        )
    });
    let o = common::brink(&[Path::new("validate"), &path]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    for want in [
        "outcomes[0].label shows nothing: it holds only invisible characters (U+200B...)",
        "cost_unit shows nothing: it holds only invisible characters (U+200D...)",
        "expected visible text (a label may be left out: the name is shown)",
    ] {
        assert!(err.contains(want), "does not say {want:?}:\n{err}");
    }
    let fine = scenario("visible", |t| with_label(t, r#""crisis\u{200b}reached""#));
    let o = common::brink(&[Path::new("validate"), &fine]);
    assert!(o.status.success(), "{}", common::describe(&o));
}

/// A tab where one is allowed (a description; labels and names refuse it) reaches the report
/// and every SVG as XML text.
#[test]
fn a_tab_in_a_description_is_accepted_and_every_svg_is_xml_text() {
    let path = scenario("tab-description", |t| {
        let name = t.lines().find(|l| l.starts_with("    name: ")).unwrap();
        let with = format!("{name}\n    description: \"a\\tb\",");
        t.replacen(name, &with, 1)
    });
    let out = path.parent().unwrap().join("out");
    common::ok(&[
        Path::new("run"),
        &path,
        Path::new("--runs"),
        Path::new("200"),
        Path::new("--out"),
        &out,
    ]);
    let graph = path.parent().unwrap().join("graph.svg");
    common::ok(&[
        Path::new("graph"),
        &path,
        Path::new("--format"),
        Path::new("svg"),
        Path::new("--out"),
        &graph,
    ]);
    let mut files: Vec<PathBuf> = vec![out.join("report.html"), graph];
    {
        for f in std::fs::read_dir(&out).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|x| x == "svg") {
                files.push(f);
            }
        }
    }
    assert!(files.len() > 2, "no SVG written");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            xml_chars(&text),
            "{} holds a control character",
            f.display()
        );
    }
}

/// The numbers a variant sets and the events it adds carry sources too, and timelines carry
/// labels and sources: control characters are refused there, at their place, as in the base.
#[test]
fn control_characters_in_variants_and_timelines_are_refused() {
    let dir = common::scratch("control-variants");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    assert!(text.contains("source: \"rival hypothesis\""));
    let set = dir.join("set.ron");
    std::fs::write(
        &set,
        text.replacen(
            "source: \"rival hypothesis\"",
            "source: \"rival\u{1b}hypothesis\"",
            1,
        ),
    )
    .unwrap();
    let o = common::brink(&[Path::new("validate"), &set]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains("variants[2].set[\"actors.south.sensitivity\"].source holds the control")
            && err.contains(&format!("--> {}:847:81", set.display())),
        "{err}"
    );

    let (timeline, bad) = timeline_beside_its_scenario(&dir);
    std::fs::write(&bad, timeline.replacen("label: \"", "label: \"\u{7}", 1)).unwrap();
    let o = common::brink(&[Path::new("validate"), &bad]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains("label holds the control character U+0007")
            && err.contains(&format!("--> {}:9:12", bad.display())),
        "{err}"
    );
    // A line break in a timeline's label, or a fact's, is refused as in a scenario.
    std::fs::write(&bad, timeline.replacen("label: \"", "label: \"two\\n", 2)).unwrap();
    let o = common::brink(&[Path::new("validate"), &bad]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains("error: label is more than one line")
            && err.contains("].label is more than one line")
            && err.contains(&format!("--> {}:9:12", bad.display())),
        "{err}"
    );
    // Unicode's line and paragraph separators break a line too (found by a reviewing
    // helper: a fact's label holding U+2028 passed, and its table column went out of line).
    for sep in ["\u{2028}", "\u{2029}"] {
        std::fs::write(
            &bad,
            timeline.replacen("label: \"", &format!("label: \"two{sep}"), 2),
        )
        .unwrap();
        let o = common::brink(&[Path::new("validate"), &bad]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
        assert!(
            err.contains("label is more than one line"),
            "{sep:?}: {err}"
        );
    }
    // A timeline's label of invisible characters alone, as in a scenario.
    let at = timeline.find("label: \"").unwrap() + "label: \"".len();
    let end = at + timeline[at..].find('"').unwrap();
    let blank = format!("{}\u{200b}\u{feff}{}", &timeline[..at], &timeline[end..]);
    std::fs::write(&bad, blank).unwrap();
    let o = common::brink(&[Path::new("validate"), &bad]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    assert!(
        err.contains("error: label shows nothing: it holds only invisible characters"),
        "{err}"
    );
}

/// A label and the scenario's name are one line: a line break there split a table row in
/// two in `sweep`, `experiment` and `diff`, and could start a line that looks like brink's
/// own. Descriptions and sources may still run over lines.
#[test]
fn a_line_break_in_a_label_or_the_name_is_refused_at_its_place() {
    let path = scenario("two-lines", |t| {
        let name = t.lines().find(|l| l.starts_with("    name: ")).unwrap();
        with_label(t.clone(), r#""crisis\nerror: forged""#).replacen(
            name,
            "    name: \"Richardson\\rerror: forged\",\n    description: \"two\\nlines\",",
            1,
        )
    });
    let o = common::brink(&[Path::new("validate"), &path]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    for want in [
        "outcomes[0].label is more than one line",
        "name is more than one line",
        "expected a name of one line",
    ] {
        assert!(err.contains(want), "does not say {want:?}:\n{err}");
    }
    assert!(!err.contains("description is more"), "{err}");
    assert!(err.contains("2 problems found"), "{err}");
    assert!(
        !err.lines().any(|l| l.starts_with("error: forged")),
        "{err}"
    );
}

/// A tab in a label or the scenario's name moved the columns after it in the terminal's
/// tables (`run`, `diff` and `experiment` printed it raw); it is refused as a line break is,
/// and a description may still hold one.
#[test]
fn a_tab_in_a_label_or_the_name_is_refused_at_its_place() {
    let path = scenario("tab", |t| {
        let name = t.lines().find(|l| l.starts_with("    name: ")).unwrap();
        with_label(t.clone(), r#""cri\tsis""#).replacen(
            name,
            "    name: \"Richard\\tson\",\n    description: \"a\\tb\",",
            1,
        )
    });
    let o = common::brink(&[Path::new("validate"), &path]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    for want in [
        "outcomes[0].label holds a tab",
        "name holds a tab",
        "expected a name of one line without tabs",
        "2 problems found",
    ] {
        assert!(err.contains(want), "does not say {want:?}:\n{err}");
    }
}

/// The report's record of its command reads back in a shell: a file name with a space is
/// quoted, one with a character that reorders text is written as its bytes in bash's
/// `$'...'` (the name shown raw would read backwards in the page).
#[test]
fn the_reports_command_row_is_a_command_a_shell_reads_back() {
    let dir = common::scratch("command-row");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    for (name, shown) in [
        ("my scenario.ron", "&#39;my scenario.ron&#39;"),
        ("a b\u{202e}c.ron", "$&#39;a b\\xe2\\x80\\xaec.ron&#39;"),
    ] {
        std::fs::write(dir.join(name), &text).unwrap();
        let out = dir.join(format!("out-{}", name.len()));
        let o = common::brink_in(
            &dir,
            &["run", name, "--runs", "20", "--out", out.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let row = html
            .split("command</td><td class=\"long\">")
            .nth(1)
            .and_then(|r| r.split("</td>").next())
            .expect("a command row");
        assert!(row.contains(&format!(" run {shown} --runs 20")), "{row}");
        assert!(!row.contains('\u{202e}'), "{row}");
    }
}

/// A file name is the user's: a right-to-left override in it was written raw into the
/// report's manifest rows of `run`, `sweep` and `backtest`, where a browser showed another
/// name ("scen\u{202e}gnp.ron" reads "scennpg.ron" reversed). Now escaped there, as the
/// command row always was.
#[test]
fn a_file_names_override_is_escaped_in_the_reports_manifest() {
    let dir = common::scratch("override-name");
    let src =
        std::fs::read_to_string(common::repo("scenarios/history/russia_turkey_2015.ron")).unwrap();
    let timeline = std::fs::read_to_string(common::repo(
        "scenarios/history/russia_turkey_2015.timeline.ron",
    ))
    .unwrap();
    let scenario = dir.join("scen\u{202e}gnp.ron");
    std::fs::write(&scenario, src).unwrap();
    let tl = dir.join("tl\u{202e}nor.timeline.ron");
    std::fs::write(&tl, timeline).unwrap();
    let (s, t) = (scenario.to_str().unwrap(), tl.to_str().unwrap());
    let outs = [dir.join("run"), dir.join("sweep"), dir.join("backtest")];
    let o: Vec<&str> = outs.iter().map(|p| p.to_str().unwrap()).collect();
    common::ok(&["run", s, "--runs", "100", "--out", o[0]]);
    common::ok(&[
        "sweep",
        s,
        "--set",
        "shared.fatigue.value=0.3..0.5:2",
        "--runs",
        "100",
        "--out",
        o[1],
    ]);
    common::ok(&["backtest", s, t, "--runs", "100", "--out", o[2]]);
    for out in &outs {
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(
            !html.contains('\u{202e}'),
            "{}: a raw U+202E in report.html",
            out.display()
        );
        assert!(html.contains("scen\\u{202e}gnp.ron"), "{}", out.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The PNG charts draw text with the one embedded font, without bidirectional layout: a
/// right-to-left label comes out letter by letter from left to right, a CJK one as empty
/// boxes, while the SVGs and the report show both as written (found by a reviewing helper).
/// brink says so once, on standard error, and says nothing when every character shows.
#[test]
fn text_the_png_charts_cannot_show_is_noted_once() {
    let rtl = "is of a right-to-left script";
    let boxes = "has no glyph in the charts' embedded font";
    for (name, label, says, not) in [
        ("png-rtl", "\"משבר\"", vec![rtl], Some(boxes)),
        ("png-cjk", "\"危機\"", vec![boxes], Some(rtl)),
        // A right-to-left script the font lacks is drawn as boxes, and said so (it was told
        // as reordered: found by a reviewing helper).
        (
            "png-syriac",
            "\"ܫܠܡܐ\"",
            vec!["'ܐ' (U+0710) has no glyph"],
            Some(rtl),
        ),
        // Both kinds at once, each told (the first drawn alone was, whichever thread drew it).
        (
            "png-both",
            "\"משבר 危機\"",
            vec![rtl, boxes, "'ב' (U+05D1)", "'危' (U+5371)"],
            None,
        ),
    ] {
        let path = scenario(name, |t| with_label(t, label));
        let out = path.with_file_name("out");
        let o = common::brink(&[
            Path::new("run"),
            &path,
            Path::new("--runs"),
            Path::new("20"),
            Path::new("--out"),
            &out,
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
        assert_eq!(
            err.matches("note: the PNG charts cannot show").count(),
            1,
            "{err}"
        );
        for says in says {
            assert!(err.contains(says), "{err}");
        }
        if let Some(not) = not {
            assert!(!err.contains(not), "{err}");
        }
        // Without charts, nothing to say.
        let o = common::brink(&[
            Path::new("run"),
            &path,
            Path::new("--runs"),
            Path::new("20"),
            Path::new("--no-charts"),
            Path::new("--out"),
            &path.with_file_name("bare"),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
        assert!(!String::from_utf8_lossy(&o.stderr).contains("PNG"));
    }
    // A graph written as SVG alone: its PNG is drawn, never written, and not told of (an
    // attacking helper); written as PNG, it is.
    let scenario_name = scenario("png-graph", |t| {
        t.replacen("name: \"Richardson", "name: \"危機 Richardson", 1)
    });
    for (ext, told) in [("svg", false), ("png", true)] {
        let o = common::brink(&[
            Path::new("graph"),
            &scenario_name,
            Path::new("--out"),
            &scenario_name.with_file_name(format!("graph.{ext}")),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.contains("PNG charts cannot show"), told, "{ext}: {err}");
    }
    let plain = scenario("png-plain", |t| with_label(t, "\"Кризис — crise\""));
    let o = common::brink(&[
        Path::new("run"),
        &plain,
        Path::new("--runs"),
        Path::new("20"),
        Path::new("--out"),
        &plain.with_file_name("out"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("PNG"),
        "{}",
        common::describe(&o)
    );
}

/// A chart shows text no validation reads: a graph's footer names the scenario file, and a file
/// name holding U+FFFE made the SVG invalid XML. Every SVG has such characters replaced.
#[test]
fn a_file_name_xml_forbids_does_not_reach_an_svg() {
    let dir = common::scratch("xml-file-name");
    let file = dir.join("a\u{fffe}b.ron");
    std::fs::copy(common::repo("scenarios/examples/richardson.ron"), &file).unwrap();
    let out = dir.join("g.svg");
    let o = common::brink(&[Path::new("graph"), &file, Path::new("--out"), &out]);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.contains("a\u{fffd}b.ron"), "the footer names the file");
    assert!(!svg.contains('\u{fffe}') && xml_chars(&svg));
}

/// The same file name in a run's report: shown escaped, as a control character is, not raw.
#[test]
fn a_file_name_with_a_noncharacter_is_escaped_in_the_report() {
    let dir = common::scratch("nonchar-report");
    let file = dir.join("a\u{fffe}b.ron");
    std::fs::copy(common::repo("scenarios/examples/richardson.ron"), &file).unwrap();
    let out = dir.join("out");
    let o = common::brink(&[
        Path::new("run"),
        &file,
        Path::new("--runs"),
        Path::new("20"),
        Path::new("--out"),
        &out,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("a\\u{fffe}b.ron"),
        "the report names the file"
    );
    assert!(!html.contains('\u{fffe}'));
}

#[test]
fn a_name_of_a_megabyte_is_quoted_cut_short() {
    // The refusal quoted the whole name (a megabyte of standard error), while the snippet
    // under it is cut short.
    let long = "x".repeat(1_000_000);
    let path = scenario("long_name", |t| {
        t.replace(OUTCOME, &format!(r#"Outcome(name: "{long} ", when"#))
    });
    let err = refused(&path);
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
    assert!(
        err.contains(r#"outcome name "xxxxxxxxxx"#)
            && err.contains("… (1000001 characters) is not a valid name"),
        "{err}"
    );
}

#[test]
fn a_reference_of_a_megabyte_is_quoted_cut_short() {
    // A name that names nothing was quoted whole ("unknown actor" and a megabyte), as an
    // invalid name was before it was cut short.
    let long = "y".repeat(1_000_000);
    let path = scenario("long_reference", |t| {
        t.replacen(
            r#"Relation(from: "a""#,
            &format!(r#"Relation(from: "{long}""#),
            1,
        )
    });
    let err = refused(&path);
    assert!(err.len() < 4_000, "{} bytes of error", err.len());
    assert!(
        err.contains(&format!(
            r#"unknown actor "{}"… (1000000 characters)"#,
            "y".repeat(60)
        )),
        "{}",
        &err[..err.len().min(2_000)]
    );
}

/// A source may run over several lines, but a terminal table's cell and a chart's label are
/// one line: `describe`'s ledger and `sensitivity`'s ranking printed the source's second line
/// as a row of its own at the left margin, where a source could forge a ranking row, and the
/// PNG chart drew the breaks as empty boxes.
#[test]
fn a_source_of_several_lines_keeps_each_table_row_on_one_line() {
    let forged = "1     relations.a->b.fatigue  +0.999  +0.998 .. +0.999  forged";
    let path = scenario("multiline-source", |t| {
        t.replace(
            r#"source: "assumption""#,
            &format!(r#"source: "assumption\r\n{forged}\tend""#),
        )
    });
    let dir = path.parent().unwrap();
    let describe = common::ok(&[Path::new("describe"), &path]);
    let text = common::stdout(&describe);
    let row = text
        .lines()
        .find(|l| l.starts_with("relations.b->a.noise "))
        .expect("the ledger's row");
    assert!(row.ends_with(&format!("assumption {forged} end")), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("1 ")), "{text}");
    assert!(!text.contains('\t') && !text.contains("\\r"), "{text}");

    let out = dir.join("sens");
    let o = common::ok(&[
        Path::new("sensitivity"),
        &path,
        Path::new("--runs"),
        Path::new("20"),
        Path::new("--measure"),
        Path::new("peak_index"),
        Path::new("--out"),
        &out,
    ]);
    let text = common::stdout(&o);
    let ranks: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains("relations."))
        .collect();
    assert_eq!(ranks.len(), 1, "{text}");
    assert!(ranks[0].starts_with("1 ") && ranks[0].contains("relations.b->a.noise"));
    assert!(!text.contains('\t') && !text.contains("\\r"), "{text}");
    // The chart's label is the source's first reference, on one line.
    let svg = std::fs::read_to_string(out.join("sensitivity.svg")).unwrap();
    assert!(!svg.contains("assumption\r") && !svg.contains("assumption\n"));
}

/// Runs `brink` on the tutorial with `args` (`{t}` standing for the tutorial's path, `{o}` for
/// an output folder in `dir`) and returns its standard error, checking that it refused (exit
/// code 2), wrote no folder, and quoted what it refused in under `limit` bytes.
fn refused_in_under(dir: &str, args: &[&str], limit: usize) -> String {
    let tutorial = common::repo("scenarios/examples/tutorial.ron");
    let out = common::scratch(dir).join("o");
    let args: Vec<&str> = args
        .iter()
        .map(|&a| match a {
            "{t}" => tutorial.to_str().unwrap(),
            "{o}" => out.to_str().unwrap(),
            a => a,
        })
        .collect();
    let r = common::brink(&args);
    let err = String::from_utf8_lossy(&r.stderr).into_owned();
    let what = &args[..2];
    let head: String = err.chars().take(300).collect();
    assert_eq!(r.status.code(), Some(2), "{what:?}: {head}");
    assert!(err.len() < limit, "{what:?}: {} bytes of error", err.len());
    assert!(!out.exists(), "{what:?} wrote its folder");
    err
}

/// A name given on the command line and not found (a variant, an outcome, a measure) was
/// echoed whole in the refusal: 100 KB of standard error for a name of 100,000 characters.
/// Every such refusal quotes it cut short with its length, and still exits 2.
#[test]
fn an_unknown_name_of_100_kb_on_the_command_line_is_quoted_cut_short() {
    let big = "x".repeat(100_000);
    let precision = format!("{big}=0.01");
    // Each command with its runs and folder, then the flag that names the unknown thing.
    let with = |cmd: &'static str, flag: &'static str, name: &str| -> Vec<String> {
        [cmd, "{t}", "--runs", "10", "--out", "{o}", flag, name]
            .map(String::from)
            .to_vec()
    };
    let mut calls = vec![
        with("run", "--variant", &big),
        with("run", "--precision", &precision),
        with("compare", "--variants", &big),
        with("compare", "--outcome", &big),
        with("sensitivity", "--outcome", &big),
        with("sensitivity", "--measure", &big),
        ["trace", "{t}", "--pick", &big].map(String::from).to_vec(),
    ];
    let mut sweep = with("sweep", "--outcome", &big);
    sweep.extend(["--set", "actors.north.hawkishness=0..1:3"].map(String::from));
    calls.push(sweep);
    for args in &calls {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = refused_in_under("unknown-long-name", &args, 2_000);
        assert!(
            err.contains("… (100000 characters)"),
            "{:?}: {err}",
            &args[..2]
        );
    }
}

/// A `--set` of 100,000 characters was quoted two or three times (300 KB of error): the path
/// and the whole argument are cut short in brink's own words. (A value clap refuses is
/// echoed once by clap itself, ahead of brink's reason.)
#[test]
fn a_set_of_100_kb_is_quoted_cut_short() {
    let big = "x".repeat(100_000);
    let run = ["run", "{t}", "--runs", "10", "--out", "{o}", "--set"];
    for set in [format!("{big}=1"), format!("actors.{big}.hawkishness=1")] {
        let err = refused_in_under("long-set", &[&run[..], &[&set]].concat(), 2_000);
        assert!(err.contains("unknown parameter path"), "{err}");
        assert!(err.contains("characters)"), "{err}");
    }
    let set = format!("actors.north.hawkishness={big}");
    refused_in_under("long-set", &[&run[..], &[&set]].concat(), 100_000 + 2_000);
}

/// Every quotation of a megabyte a refusal makes is cut short (a reviewing helper's campaign):
/// the names an "expected one of" lists (an actor of a megabyte was repeated whole in each of a
/// hundred diagnostics, 100 MB of standard error), a start date, a variant's path, an unknown
/// field or kind, a bare word where the record goes, and, whatever site quotes it, a message
/// past 1,000 characters.
#[test]
fn every_quotation_of_a_megabyte_is_cut_short() {
    let long = "q".repeat(1_048_576);
    type Edit<'a> = Box<dyn Fn(String) -> String + 'a>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "listed_names",
            Box::new(|t: String| {
                let rels: String = (0..120)
                    .map(|i| format!("Relation(from: \"b{i}\", to: \"a\", initial: 1.0),\n"))
                    .collect();
                t.replacen(r#"Actor(name: "b""#, &format!(r#"Actor(name: "{long}""#), 1)
                    .replacen("relations: [", &format!("relations: [\n{rels}"), 1)
            }),
        ),
        (
            "start_date",
            Box::new(|t: String| {
                t.replacen("horizon:", &format!("start_date: \"{long}\", horizon:"), 1)
            }),
        ),
        (
            "variant_path",
            Box::new(|t: String| {
                t.replacen(
                    "outcomes: [",
                    &format!(
                        "variants: [Variant(name: \"v\", set: {{\"{long}\": 1.0}})],\noutcomes: ["
                    ),
                    1,
                )
            }),
        ),
        (
            "unknown_field",
            Box::new(|t: String| t.replacen("horizon:", &format!("{long}: 1, horizon:"), 1)),
        ),
        ("bare_word", Box::new(|_| long.repeat(4))),
    ];
    for (name, edit) in cases {
        let path = scenario(name, edit);
        let err = refused(&path);
        assert!(err.len() < 40_000, "{name}: {} bytes of error", err.len());
        assert!(
            err.contains("… ("),
            "{name}: {}",
            &err[..err.len().min(2_000)]
        );
    }
}
