//! `brink report DIR...`: one document from a run, a comparison and a sensitivity analysis of
//! the tutorial: the summary first, a section per input with its charts, the method, ledger
//! and bibliography once, the manifests last, nothing fetched, labels not ids; and the
//! refusals (two scenarios, a missing folder, a tampered chart, a folder given twice) exit 2
//! and write nothing.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const TUTORIAL: &str = "scenarios/examples/tutorial.ron";

/// The three result folders of the tutorial (made once for every test of this file).
fn inputs() -> &'static [PathBuf; 3] {
    static DIRS: OnceLock<[PathBuf; 3]> = OnceLock::new();
    DIRS.get_or_init(|| {
        let dir = common::scratch("inputs");
        let run = dir.join("run");
        let cmp = dir.join("compare");
        let sens = dir.join("sensitivity");
        let p = |p: &Path| p.to_str().unwrap().to_string();
        common::ok(&[
            "run",
            TUTORIAL,
            "--runs",
            "200",
            "--seed",
            "1",
            "--out",
            &p(&run),
        ]);
        common::ok(&[
            "compare",
            TUTORIAL,
            "--all",
            "--runs",
            "200",
            "--seed",
            "1",
            "--out",
            &p(&cmp),
        ]);
        common::ok(&["sensitivity", TUTORIAL, "--runs", "300", "--out", &p(&sens)]);
        [run, cmp, sens]
    })
}

fn at(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("report.html lacks {needle:?}"))
}

#[test]
fn one_document_summary_first_then_each_input_with_its_charts() {
    let [run, cmp, sens] = inputs();
    let out = common::scratch("combined").join("report");
    let o = common::ok(&[
        "report".as_ref(),
        run.as_os_str(),
        cmp.as_os_str(),
        sens.as_os_str(),
        "--report-title".as_ref(),
        "Brief <b>North</b> & South".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(common::stdout(&o).contains("wrote"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();

    // The title escaped, the reader's order, the manifests last.
    assert!(html.contains("<h1>Brief &lt;b&gt;North&lt;/b&gt; &amp; South</h1>"));
    // A chart's files are in its input's folder, not beside the report.
    assert!(
        html.contains("also as index_fan.png and index_fan.svg in "),
        "the captions name the folder"
    );
    assert!(!html.contains("index_fan.svg</figcaption>"));
    let order = [
        "<section id=\"summary\">",
        "<section id=\"input-1\">",
        "<section id=\"input-2\">",
        "<section id=\"input-3\">",
        "<section id=\"method\">",
        "<section id=\"ledger\">",
        "<section id=\"bibliography\">",
        "<section id=\"manifest\">",
    ];
    let places: Vec<usize> = order.iter().map(|s| at(&html, s)).collect();
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "sections out of order: {places:?}"
    );
    assert_eq!(html.matches("<section").count(), order.len());
    // The summary: the run's headline outcomes, what moves the outcome most (paired
    // intervals), the assumptions that drive it, and the caveat; all before any chart.
    let summary = &html[places[0]..places[1]];
    for needle in [
        "Headline outcomes (1)",
        "What moves “Rupture within the year” most (2)",
        "paired 95% interval",
        "The assumptions that drive “Rupture within the year” most (3)",
        "How to read these numbers",
        "analysis of ",
    ] {
        assert!(summary.contains(needle), "the summary lacks {needle:?}");
    }
    assert!(!summary.contains("<figure"));
    // A lead table names the rows it shows and sends to its section for the rest, without a
    // count of "more rows" that its section's full table would belie (24 numbers).
    assert!(
        summary.contains(
            "From section 3: sensitivity analysis (whether “Rupture within the year” happened, \
             seed 0, 300 runs): its first 3 rows; the section has every row, with the notes."
        ),
        "{summary}"
    );
    assert!(!summary.contains("more row"));
    // A navigation link to every section, and every link to something in the page.
    let nav = &html[at(&html, "<nav")..at(&html, "</nav>")];
    for s in order {
        let id = s
            .trim_start_matches("<section id=\"")
            .trim_end_matches("\">");
        assert!(nav.contains(&format!("href=\"#{id}\"")), "nav lacks {id}");
    }
    for (i, _) in html.match_indices("href=\"#") {
        let id: String = html[i + 7..].chars().take_while(|&c| c != '"').collect();
        assert!(html.contains(&format!("id=\"{id}\"")), "a link to #{id}");
    }
    // Every chart of every input, inline, in its own section.
    for (k, dir) in [run, cmp, sens].iter().enumerate() {
        let section = &html[places[k + 1]..places[k + 2]];
        let mut svgs = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".svg") {
                svgs += 1;
                assert!(
                    section.contains(&format!("<figure id=\"chart-{}-{stem}\">", k + 1)),
                    "section {} lacks the chart {stem}",
                    k + 1
                );
            }
        }
        assert!(svgs > 0, "{} drew no chart", dir.display());
        assert_eq!(section.matches("<figure").count(), svgs);
    }
    // Nothing fetched, no script, no link outside the page.
    let lower = html.to_lowercase();
    for bad in [
        "http://", "https://", "<script", "<link", "<img", "url(", "src=",
    ] {
        assert!(!lower.contains(bad), "report.html contains {bad:?}");
    }
    // Labels, not ids, in headings.
    let headings: Vec<&str> = html
        .match_indices("<h")
        .filter(|(i, _)| html[*i + 2..].starts_with(['1', '2', '3']))
        .map(|(i, _)| &html[i..i + html[i..].find("</h").unwrap()])
        .collect();
    assert!(
        headings
            .iter()
            .any(|h| h.contains("Rupture within the year"))
    );
    for h in &headings {
        for id in ["rupture_within_year", "north", "south", "visa_now"] {
            assert!(!h.contains(id), "a heading shows the id {id}: {h}");
        }
    }
    // The print style sheet of every page.
    assert!(html.contains("@media print") && html.contains("nav{display:none}"));
    // report.json lists each input with its kind and its result's SHA-256.
    let index = common::json(&out.join("report.json"));
    let listed = index["inputs"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    for (entry, (dir, kind, file)) in listed.iter().zip([
        (run, "run", "summary.json"),
        (cmp, "compare", "compare.json"),
        (sens, "sensitivity", "sensitivity.json"),
    ]) {
        assert_eq!(entry["kind"], kind);
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let marker = common::json(&dir.join(".brink-output.json"));
        let recorded = marker["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == file)
            .unwrap()["sha256"]
            .clone();
        assert_eq!(entry["sha256"], recorded, "{file}: {} bytes", bytes.len());
    }
}

/// Runs `brink report` with `args` and asserts exit code 2, a message holding `says`, and
/// nothing written at `out`.
fn refused(args: &[&std::ffi::OsStr], out: &Path, says: &str) {
    let mut all: Vec<&std::ffi::OsStr> = vec!["report".as_ref()];
    all.extend_from_slice(args);
    all.extend(["--out".as_ref(), out.as_os_str()]);
    let o = common::brink(&all);
    assert_eq!(o.status.code(), Some(2), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(says), "expected {says:?}: {err}");
    assert!(!out.exists(), "{} was written", out.display());
    let parent = out.parent().unwrap();
    let left: Vec<String> = common::names(parent)
        .into_iter()
        .chain(common::hidden(parent))
        .filter(|n| n.contains("report"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn refusals_exit_2_and_write_nothing() {
    let [run, cmp, sens] = inputs();
    let dir = common::scratch("refusals");
    let out = dir.join("report");

    // A result of another scenario.
    let other = dir.join("richardson");
    common::ok(&[
        "run".as_ref(),
        "scenarios/examples/richardson.ron".as_ref(),
        "--runs".as_ref(),
        "50".as_ref(),
        "--out".as_ref(),
        other.as_os_str(),
    ]);
    refused(
        &[run.as_os_str(), other.as_os_str()],
        &out,
        "different scenario files",
    );

    // A folder that is not there, and one with no result in it.
    let missing = dir.join("no-such-folder");
    refused(
        &[run.as_os_str(), missing.as_os_str()],
        &out,
        "no-such-folder",
    );
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    refused(&[empty.as_os_str()], &out, "no .brink-output.json");

    // A result whose scenario was named relative to another folder: the reason in a few
    // words, not a second "error:" block with an empty snippet, and where to run from.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::copy(
        common::repo("scenarios/examples/tutorial.ron"),
        dir.join("t.ron"),
    )
    .unwrap();
    let o = common::brink_in(
        &elsewhere,
        &[
            "run",
            "../t.ron",
            "--runs",
            "50",
            "--no-charts",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let o = common::brink(&[
        "report".as_ref(),
        elsewhere.join("r").as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("relative to the folder the command ran in"),
        "{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(!out.exists());

    // A shard says it is one, and how to report it.
    let shard = dir.join("shard");
    common::ok(&[
        "run".as_ref(),
        "scenarios/examples/tutorial.ron".as_ref(),
        "--runs".as_ref(),
        "50".as_ref(),
        "--shard".as_ref(),
        "1/2".as_ref(),
        "--no-charts".as_ref(),
        "--out".as_ref(),
        shard.as_os_str(),
    ]);
    refused(
        &[shard.as_os_str()],
        &out,
        "it holds a shard: merge the shards first",
    );

    // The same folder twice, under two names.
    let again = run.join("..").join("run");
    refused(
        &[run.as_os_str(), cmp.as_os_str(), again.as_os_str()],
        &out,
        "given twice",
    );

    // A folder copied: the same result under another name, told as a copy.
    let copy = dir.join("copy-of-run");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir(run).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    refused(
        &[run.as_os_str(), cmp.as_os_str(), copy.as_os_str()],
        &out,
        "hold the same result (the same summary.json but for the command",
    );
    // A rerun of it: the same result but for the command line, told as one too (it was taken
    // as a second result).
    let rerun = dir.join("rerun-of-run");
    common::ok(&[
        "rerun",
        run.to_str().unwrap(),
        "--out",
        rerun.to_str().unwrap(),
    ]);
    refused(
        &[run.as_os_str(), rerun.as_os_str()],
        &out,
        "one is a copy or a rerun of the other",
    );

    // A file of the result deleted since (a PNG chart the page would name): refused, as is
    // one cut short.
    std::fs::remove_file(copy.join("costs.png")).unwrap();
    refused(
        &[copy.as_os_str()],
        &out,
        "lacks costs.png, which brink wrote there",
    );
    let svg = std::fs::read(copy.join("costs.svg")).unwrap();
    std::fs::write(copy.join("costs.svg"), &svg[..svg.len() / 2]).unwrap();
    std::fs::copy(run.join("costs.png"), copy.join("costs.png")).unwrap();
    refused(
        &[copy.as_os_str()],
        &out,
        &format!(
            "costs.svg has {} bytes, but brink wrote {}",
            svg.len() / 2,
            svg.len()
        ),
    );

    // A chart changed after the command wrote it.
    let tampered = dir.join("tampered");
    std::fs::create_dir(&tampered).unwrap();
    for e in std::fs::read_dir(sens).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), tampered.join(e.file_name())).unwrap();
    }
    let svg = tampered.join("sensitivity.svg");
    let text = std::fs::read_to_string(&svg).unwrap();
    let edited = text.replace("</svg>", "<script>alert(1)</script></svg>");
    std::fs::write(&svg, &edited).unwrap();
    // The edit grew the file: refused by its size before it is read.
    refused(
        &[run.as_os_str(), tampered.as_os_str()],
        &out,
        &format!(
            "sensitivity.svg has {} bytes, but brink wrote {} (changed or damaged since)",
            edited.len(),
            text.len()
        ),
    );
    // An edit of the same size, by its SHA-256.
    std::fs::write(&svg, text.replacen("<svg", "<SVG", 1)).unwrap();
    refused(
        &[run.as_os_str(), tampered.as_os_str()],
        &out,
        "does not match the SHA-256",
    );
}

/// Results made from one scenario file named by two relative paths (commands run in two
/// folders) are reported together in either order, from the folder where either path holds:
/// the scenario's path is tried as each result records it.
#[test]
fn the_scenario_is_found_from_any_results_recorded_path() {
    let dir = common::scratch("two-paths");
    std::fs::copy(common::repo(TUTORIAL), dir.join("t.ron")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    let run_in = |cwd: &Path, file: &str, out: &str| {
        let o = common::brink_in(
            cwd,
            &["run", file, "--runs", "100", "--no-charts", "--out", out],
        );
        assert!(o.status.success(), "{}", common::describe(&o));
    };
    run_in(&dir, "t.ron", "ra");
    run_in(&dir.join("sub"), "../t.ron", "rsub");
    // A link to a result is read with or without a slash at its end (without, it was "not a
    // folder").
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("ra", dir.join("link")).unwrap();
        for given in ["link", "link/"] {
            let out = format!("rep-{}", given.trim_end_matches('/'));
            let o = common::brink_in(&dir, &["report", given, "--out", &out]);
            assert!(o.status.success(), "{given}: {}", common::describe(&o));
            std::fs::remove_dir_all(dir.join(&out)).unwrap();
        }
    }
    for order in [["sub/rsub", "ra"], ["ra", "sub/rsub"]] {
        let out = format!("rep-{}", order[0].replace('/', "-"));
        let o = common::brink_in(&dir, &["report", order[0], order[1], "--out", &out]);
        assert!(o.status.success(), "{order:?}: {}", common::describe(&o));
        assert!(dir.join(&out).join("report.html").is_file());
    }
}

/// Results of one kind are told apart: each section's heading and each summary table's note
/// say what the run was made with (the numbers `--set` replaced, the seed when the seeds
/// differ); three runs' sections all read "Run: the base scenario".
#[test]
fn runs_of_one_kind_are_told_apart() {
    let dir = common::scratch("told-apart");
    let a = dir.join("a");
    let b = dir.join("b");
    let p = |p: &Path| p.to_str().unwrap().to_string();
    common::ok(&[
        "run",
        TUTORIAL,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        &p(&a),
    ]);
    common::ok(&[
        "run",
        TUTORIAL,
        "--runs",
        "100",
        "--seed",
        "9",
        "--set",
        "actors.north.hawkishness=1",
        "--no-charts",
        "--out",
        &p(&b),
    ]);
    let out = dir.join("report");
    common::ok(&["report", &p(&a), &p(&b), "--out", &p(&out)]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("1. Run: the base scenario, seed 0</h2>"),
        "{html}"
    );
    let second = "2. Run: the base scenario, with Republic of North › hawkishness = 1, seed 9";
    assert!(html.contains(&format!("{second}</h2>")));
    assert!(html.contains("From section 2: run (the base scenario, with Republic of North"));
    // Runs that differ in their number of runs alone are told apart by it.
    let c = dir.join("c");
    common::ok(&[
        "run",
        TUTORIAL,
        "--runs",
        "200",
        "--no-charts",
        "--out",
        &p(&c),
    ]);
    let out = dir.join("report-runs");
    common::ok(&["report", &p(&a), &p(&c), "--out", &p(&out)]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("1. Run: the base scenario, 100 runs</h2>")
            && html.contains("2. Run: the base scenario, 200 runs</h2>"),
        "{html}"
    );
    // Sweeps: one under a variant, one of two parameters (both had the heading of a sweep of
    // hawkishness in the base scenario).
    let sweep = |out: &Path, extra: &[&str]| {
        let mut args = vec![
            "sweep",
            TUTORIAL,
            "--set",
            "actors.north.hawkishness=0.2..1.2:3",
        ];
        args.extend_from_slice(extra);
        args.extend([
            "--runs",
            "100",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ]);
        common::ok(&args);
    };
    let (s1, s2) = (dir.join("s1"), dir.join("s2"));
    sweep(&s1, &["--variant", "pretext"]);
    sweep(&s2, &["--set", "relations.north->south.fatigue=0..0.5:3"]);
    let out = dir.join("report-sweeps");
    common::ok(&["report", &p(&s1), &p(&s2), "--out", &p(&out)]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let headings: Vec<&str> = html
        .split("<h2>")
        .skip(1)
        .filter(|h| h.starts_with("1. Sweep") || h.starts_with("2. Sweep"))
        .map(|h| h.split("</h2>").next().unwrap())
        .collect();
    assert_eq!(headings.len(), 2, "{headings:?}");
    assert!(headings[0].contains("under variant"), "{headings:?}");
    assert!(headings[1].contains(" × "), "{headings:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An input's manifest gives no analysis date (its own was not recorded, and the report's is
/// not when it ran: a run of 2020 read "2025-01-01"); the report's own date is its own row.
#[test]
fn an_inputs_manifest_has_no_date_but_the_report_has_its_own() {
    let dir = common::scratch("dates");
    let run = dir.join("run");
    let rep = dir.join("rep");
    let brink = |args: &[&str], epoch: &str| {
        let o = common::command()
            .args(args)
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", common::describe(&o));
    };
    brink(
        &[
            "run",
            TUTORIAL,
            "--runs",
            "50",
            "--no-charts",
            "--out",
            run.to_str().unwrap(),
        ],
        "1577836800",
    );
    brink(
        &[
            "report",
            run.to_str().unwrap(),
            "--out",
            rep.to_str().unwrap(),
        ],
        "1735689600",
    );
    let html = std::fs::read_to_string(rep.join("report.html")).unwrap();
    assert!(!html.contains("analysis date (UTC)"), "an input's row");
    assert!(
        html.contains("report made (UTC)</td><td class=\"long\">2025-01-01"),
        "the report's own"
    );
}

/// The SVG files `dir` holds.
fn svg_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    v.sort();
    v
}

/// Reports `dirs` into `out` and asserts every chart of every folder is on the page: each
/// passed the check of a chart read from a folder.
fn reports_every_chart(dirs: &[&Path], out: &Path) -> String {
    let mut args: Vec<&std::ffi::OsStr> = vec!["report".as_ref()];
    args.extend(dirs.iter().map(|d| d.as_os_str()));
    args.extend(["--out".as_ref(), out.as_os_str()]);
    common::ok(&args);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let svgs: Vec<PathBuf> = dirs.iter().flat_map(|d| svg_files(d)).collect();
    assert_eq!(
        html.matches("<figure id=\"chart-").count(),
        svgs.len(),
        "every chart of {dirs:?} on the page"
    );
    for svg in &svgs {
        let text = std::fs::read_to_string(svg).unwrap();
        // What the check refuses, brink does not write: no numeric reference, no control
        // character but a line's.
        assert!(!text.contains("&#"), "{} holds &#", svg.display());
        assert!(
            !text.contains(|c: char| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
            "{} holds a control character",
            svg.display()
        );
    }
    html
}

/// Every chart brink writes for a run, a comparison, a sensitivity analysis and sweeps of one
/// and two parameters passes the check of the text in a chart read from a folder (no numeric
/// reference, no other entity, no control character, bidirectional formatting closed): the
/// report embeds every one.
#[test]
fn every_chart_brink_writes_passes_the_text_check() {
    let [run, cmp, sens] = inputs();
    let dir = common::scratch("every-chart");
    let p = |p: &Path| p.to_str().unwrap().to_string();
    let sweep = dir.join("sweep");
    common::ok(&[
        "sweep",
        TUTORIAL,
        "--set",
        "actors.north.hawkishness=0..0.6:4",
        "--runs",
        "100",
        "--out",
        &p(&sweep),
    ]);
    let heat = dir.join("sweep2");
    common::ok(&[
        "sweep",
        TUTORIAL,
        "--set",
        "actors.north.hawkishness=0..0.6:3",
        "--set",
        "shared.gas_margin.value=1..3:3",
        "--runs",
        "60",
        "--out",
        &p(&heat),
    ]);
    let dirs = [run.as_path(), cmp, sens, &sweep, &heat];
    assert!(dirs.iter().all(|d| !svg_files(d).is_empty()));
    reports_every_chart(&dirs, &dir.join("report"));
}

/// A right-to-left scenario name and labels that mix directions with their isolates closed
/// (as validation requires) give charts `brink report` accepts, the text as written.
#[test]
fn a_right_to_left_label_with_its_isolates_closed_is_reported() {
    let dir = common::scratch("rtl");
    let rtl = "اتحادیه \u{2066}EU-27\u{2069}";
    let text = std::fs::read_to_string(common::repo(TUTORIAL)).unwrap();
    let edited = text
        .replacen(
            "name: \"Tutorial: North and South\"",
            &format!("name: \"{rtl}\""),
            1,
        )
        .replacen(
            "label: \"Republic of North\"",
            // Long enough to be cut short on a chart: the cut closes the isolate.
            &format!(
                "label: \"{rtl} و جمهوری شمال و متحدان \u{2067}آن\u{2069} در \
                 \u{2066}North-Atlantic-Union\u{2069} و جاهای دیگر\""
            ),
            1,
        )
        .replacen(
            "label: \"Diplomatic friction\"",
            &format!("label: \"{rtl} friction\""),
            1,
        );
    assert_eq!(edited.matches('\u{2066}').count(), 4, "every edit was made");
    let file = dir.join("rtl.ron");
    std::fs::write(&file, edited).unwrap();
    let (run, cmp) = (dir.join("run"), dir.join("compare"));
    let p = |p: &Path| p.to_str().unwrap().to_string();
    common::ok(&["run", &p(&file), "--runs", "200", "--out", &p(&run)]);
    common::ok(&[
        "compare",
        &p(&file),
        "--all",
        "--runs",
        "100",
        "--out",
        &p(&cmp),
    ]);
    let drawn = svg_files(&run)
        .iter()
        .chain(&svg_files(&cmp))
        .filter(|f| std::fs::read_to_string(f).unwrap().contains(rtl))
        .count();
    assert!(drawn > 0, "no chart draws the label");
    let html = reports_every_chart(&[&run, &cmp], &dir.join("report"));
    assert!(html.contains(rtl));
}

/// A chart edited by hand and re-sealed in its folder's marker, its text holding what brink
/// never writes there (a bidirectional override as a numeric reference or raw and left open,
/// ESC, a noncharacter, an entity HTML knows and XML does not), is refused naming the folder,
/// the file and what is wrong, exit code 2, nothing written.
#[test]
fn a_chart_whose_text_brink_never_writes_is_refused() {
    let [run, ..] = inputs();
    let dir = common::scratch("chart-text");
    let edited = dir.join("edited");
    std::fs::create_dir(&edited).unwrap();
    for e in std::fs::read_dir(run).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), edited.join(e.file_name())).unwrap();
    }
    let original = std::fs::read_to_string(run.join("costs.svg")).unwrap();
    // Into the title's text, after its <text ...> tag.
    let at = original.find("<text").unwrap();
    let at = at + original[at..].find(">\n").unwrap() + 2;
    let out = dir.join("report");
    let file = edited.join("costs.svg");
    for (insert, says) in [
        (
            "&#x202e;",
            "the numeric character reference &#x202e; in the text of <text>",
        ),
        ("&#8238;", "the numeric character reference &#8238;"),
        ("&#27;[2J", "the numeric character reference &#27;"),
        (
            "\u{202e}",
            "the bidirectional formatting character U+202E left open in the text of <text>",
        ),
        (
            "\u{2066}",
            "the bidirectional formatting character U+2066 left open",
        ),
        (
            "\u{1b}[2J",
            "the control character U+001B in the text of <text>",
        ),
        ("\u{fdd0}", "the noncharacter U+FDD0"),
        (
            "&nbsp;",
            "the entity reference &nbsp; in the text of <text>",
        ),
    ] {
        let mut svg = original.clone();
        svg.insert_str(at, insert);
        std::fs::write(&file, &svg).unwrap();
        common::reseal(&edited, "costs.svg");
        let named = format!("{}: {says}", file.display());
        refused(&[run.as_os_str(), edited.as_os_str()], &out, &named);
    }
    // Put back as brink wrote it, the folder is reported.
    std::fs::write(&file, &original).unwrap();
    common::reseal(&edited, "costs.svg");
    reports_every_chart(&[&edited], &out);
}
