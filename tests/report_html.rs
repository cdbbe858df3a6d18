//! The run report (report.html of `brink run`) as a decision-maker reads it: a summary first
//! (the headline outcomes and the rung at the end, by their labels, with their intervals and
//! a caveat), then the charts and tables, the method, the assumptions ledger, the
//! bibliography and the manifest last; `--report-title` above the scenario's title, escaped;
//! the analysis date as the application passes it; a print style sheet; nothing fetched.

mod common;

use std::path::Path;

use brink::analysis::Summary;
use brink::report::run::ReportOptions;

/// A report title with markup, both quotes and an ampersand.
const TITLE: &str = r#"Brief <b>for</b> the "minister" & co's desk"#;
/// [`TITLE`] as the page must show it (spelt out, not computed with the code under test).
const TITLE_ESCAPED: &str =
    "Brief &lt;b&gt;for&lt;/b&gt; the &quot;minister&quot; &amp; co&#39;s desk";

/// 2025-07-01 00:00:00 UTC.
const EPOCH: &str = "1751328000";

/// Runs the tutorial with the binary (title and a fixed date) and returns its report.html.
fn tutorial_report(out: &Path) -> String {
    let o = common::command()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args([
            "run",
            "scenarios/examples/tutorial.ron",
            "--runs",
            "300",
            "--seed",
            "3",
            "--report-title",
            TITLE,
            "--out",
        ])
        .arg(out)
        .output()
        .expect("cannot start brink");
    assert!(o.status.success(), "brink run: {}", common::describe(&o));
    std::fs::read_to_string(out.join("report.html")).expect("report.html")
}

/// Where `needle` first is in the page (it must be there).
fn at(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("report.html lacks {needle:?}"))
}

/// The page's text between two markers.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    &html[at(html, from)..at(html, to)]
}

#[test]
fn run_report_opens_with_the_summary_and_ends_with_the_manifest() {
    let dir = common::scratch("report-order");
    let out = dir.join("out");
    let html = tutorial_report(&out);

    // The sections in the reader's order, the manifest last.
    let order = [
        "<section id=\"summary\">",
        "<section id=\"charts\">",
        "<section id=\"outcomes\">",
        "<section id=\"rungs\">",
        "<section id=\"costs\">",
        // The tutorial's gas deal gives two actors gains.
        "<section id=\"gains\">",
        "<section id=\"levers\">",
        "<section id=\"events\">",
        "<section id=\"method\">",
        "<section id=\"ledger\">",
        "<section id=\"bibliography\">",
        "<section id=\"manifest\">",
    ];
    let places: Vec<usize> = order.iter().map(|s| at(&html, s)).collect();
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "the sections are out of order: {order:?} at {places:?}"
    );
    assert_eq!(
        html.matches("<section").count(),
        order.len(),
        "no other section"
    );
    let manifest = &html[at(&html, "<section id=\"manifest\">")..];
    assert!(manifest.contains("scenario file SHA-256"));
    assert!(
        manifest
            .trim_end()
            .ends_with("</section>\n</main>\n</body>\n</html>")
    );
    // The first chart comes after the summary's caveat.
    assert!(at(&html, "class=\"caveat\"") < at(&html, "<figure"));

    // A complete navigation: a link to every section, and every link to something there.
    let nav = between(&html, "<nav", "</nav>");
    for s in order {
        let id = s
            .trim_start_matches("<section id=\"")
            .trim_end_matches("\">");
        assert!(
            nav.contains(&format!("href=\"#{id}\"")),
            "the navigation lacks {id}"
        );
    }
    for (i, _) in html.match_indices("href=\"#") {
        let id: String = html[i + 7..].chars().take_while(|&c| c != '"').collect();
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "a link to #{id}, which is not in the page"
        );
    }

    // Every chart the run drew is in the page, inline.
    let mut charts: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".svg").map(str::to_string)
        })
        .collect();
    charts.sort();
    assert!(
        charts.len() >= 5,
        "the tutorial draws its charts: {charts:?}"
    );
    let charts_section = between(
        &html,
        "<section id=\"charts\">",
        "<section id=\"outcomes\">",
    );
    for c in &charts {
        assert!(
            out.join(format!("{c}.png")).is_file(),
            "{c}.png is written too"
        );
        assert!(
            charts_section.contains(&format!("<figure id=\"chart-{c}\">")),
            "report.html lacks the chart {c}"
        );
    }
    assert_eq!(html.matches("<figure").count(), charts.len());
    assert_eq!(html.matches("<svg viewBox").count(), charts.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_report_summary_shows_labels_intervals_and_the_caveat() {
    let dir = common::scratch("report-summary");
    let out = dir.join("out");
    let html = tutorial_report(&out);
    let summary = between(&html, "<section id=\"summary\">", "<section id=\"charts\">");

    // The report title above the scenario's title (its description's first sentence), escaped.
    let title = TITLE_ESCAPED;
    assert!(
        !html.contains(TITLE),
        "the report title is in the page unescaped"
    );
    assert!(!html.contains("<b>for"));
    assert!(summary.contains(&format!("<h1>{title}</h1>")));
    assert!(summary.contains("<p class=\"subtitle\">Tutorial: North and South</p>"));
    assert!(html.contains(&format!(
        "<title>{title} — Tutorial: North and South — brink report</title>"
    )));
    // Bounds of ±10 make bins of 0.05 points: the quantiles are not called coarse.
    assert!(!html.contains("quantiles are coarse"));
    // The scenario's name, brink's version and the date of the analysis.
    assert!(summary.contains("Scenario Tutorial: North and South"));
    assert!(summary.contains(concat!("brink ", env!("CARGO_PKG_VERSION"))));
    assert!(summary.contains("analysis of 2025-07-01 (UTC)"));

    // The headline outcomes by their labels, with their intervals; ids only in CSV and JSON.
    let s: Summary =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let lasting = s
        .outcomes
        .iter()
        .find(|o| o.name == "lasting_rupture")
        .unwrap();
    assert_eq!(lasting.label, "Rupture lasting two months");
    for label in [
        "Rupture lasting two months",
        "Leaders talked",
        // Rungs at the end, by label.
        "Normal relations",
        "Diplomatic friction",
        "Open confrontation",
        // The focal pair, by label.
        "Republic of North",
        "Kingdom of South",
    ] {
        assert!(summary.contains(label), "the summary lacks {label:?}");
    }
    for id in [
        ">lasting_rupture<",
        ">dialogue<",
        ">calm<",
        ">friction<",
        "pair north and",
    ] {
        assert!(!summary.contains(id), "the summary shows the id {id:?}");
    }
    let row = format!(
        "<tr><td>Rupture lasting two months</td><td class=\"n big\">{:.1}%</td>",
        lasting.probability.estimate * 100.0
    );
    assert!(summary.contains(&row), "the summary lacks {row:?}");
    assert!(summary.contains("95% interval"));
    // At most five headline outcomes; the rest in the table.
    assert!(summary.matches("<td class=\"n big\">").count() <= 5 + s.scenario.rungs.len());
    // Labels in the tables further down too.
    let tables = between(
        &html,
        "<section id=\"outcomes\">",
        "<section id=\"method\">",
    );
    for label in [
        "Rupture lasting two months",
        "Visa regime for Southern citizens",
        "Full visa regime",
        "Republic of North",
    ] {
        assert!(tables.contains(label), "the tables lack {label:?}");
    }
    assert!(!tables.contains("<td>visa_regime</td>"));

    // The caveat: conditional scenario probabilities, not forecasts; runs and intervals.
    let caveat = between(summary, "<aside class=\"caveat\"", "</aside>");
    for words in [
        "conditional scenario probabilities, not forecasts",
        "300 simulated runs",
        "95% interval",
    ] {
        assert!(caveat.contains(words), "the caveat lacks {words:?}");
    }

    // The method, and the bibliography from the scenario's sources.
    let method = between(&html, "<section id=\"method\">", "<section id=\"ledger\">");
    for words in ["Monte Carlo", "seed 3", "Wilson", "docs/model.md"] {
        assert!(method.contains(words), "the method lacks {words:?}");
    }
    let biblio = between(
        &html,
        "<section id=\"bibliography\">",
        "<section id=\"manifest\">",
    );
    assert!(!s.scenario.sources.is_empty());
    for source in &s.scenario.sources {
        assert!(
            biblio.contains(&format!("<li>{source}</li>")),
            "the bibliography lacks {source:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bounds far wider than the index's range make its quantiles no finer than a bin: the report
/// says so (they read 125 to 2,375 for an index near 1.5, with no word said).
#[test]
fn wide_bounds_make_the_report_call_the_quantiles_coarse() {
    let dir = common::scratch("report-coarse");
    let text = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let wide = text.replacen(
        "horizon: 52,",
        "horizon: 52, bounds: (-500000.0, 500000.0),",
        1,
    );
    assert_ne!(wide, text);
    let file = dir.join("wide.ron");
    std::fs::write(&file, wide).unwrap();
    let out = dir.join("out");
    common::ok(&[
        "run",
        file.to_str().unwrap(),
        "--runs",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let words = "quantiles are coarse. They are read from 400 equal bins between the bounds \
                 (-500000 to 500000), each 2500 points wide, and at 52 of the 52 weeks the \
                 middle 90% of runs lies within two bins";
    assert!(html.contains(words), "{html}");
}

#[test]
fn run_report_is_self_contained_and_prints_cleanly() {
    let dir = common::scratch("report-offline");
    let out = dir.join("out");
    let html = tutorial_report(&out);
    let lower = html.to_lowercase();
    // No web address, nothing loaded: the tutorial has no address even in its text.
    for bad in [
        "http://",
        "https://",
        "src=",
        "<script",
        "<link",
        "<img",
        "<iframe",
        "@import",
        "url(",
        "@font-face",
    ] {
        assert!(!lower.contains(bad), "report.html contains {bad:?}");
    }
    for (i, _) in lower.match_indices("href=") {
        assert!(
            lower[i..].starts_with("href=\"#"),
            "a link outside the page near byte {i}"
        );
    }
    // The print style sheet: headings stay with what follows, charts and short tables whole,
    // tables' heads repeated, no navigation bar on paper.
    let print = between(&html, "@media print", "</style>");
    for rule in [
        "break-after:avoid",
        "break-inside:avoid",
        "thead{display:table-header-group}",
        "nav{display:none}",
    ] {
        assert!(print.contains(rule), "the print style sheet lacks {rule:?}");
    }
    let keep = print
        .lines()
        .find(|l| l.contains("break-inside:avoid"))
        .unwrap();
    assert!(keep.contains("figure") && keep.contains("table.keep") && keep.contains("tr"));
    let heads = print
        .lines()
        .find(|l| l.contains("break-after:avoid"))
        .unwrap();
    assert!(heads.contains("h1") && heads.contains("h2"));
    // Every table has its head in a thead (repeated on every printed page) but the manifest's.
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<thead>").count() + 1
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_library_takes_the_title_and_date_from_the_caller() {
    let loaded = common::load("scenarios/examples/richardson.ron");
    let r = brink::Simulation::new(&loaded)
        .runs(200)
        .seed(1)
        .threads(1)
        .run()
        .expect("run");
    let page = |options: &ReportOptions| {
        let files =
            brink::report::run::files_with(&r.model, &r.summary, true, options).expect("render");
        let f = files.into_iter().find(|f| f.name == "report.html").unwrap();
        String::from_utf8(f.bytes).unwrap()
    };
    // Without options: no report title, no date (the library never reads the clock).
    let plain = page(&ReportOptions::default());
    assert!(!plain.contains("analysis of"));
    assert!(!plain.contains("class=\"subtitle\""));
    assert_eq!(
        plain,
        String::from_utf8(
            brink::report::run::files(&r.model, &r.summary, true)
                .unwrap()
                .into_iter()
                .find(|f| f.name == "report.html")
                .unwrap()
                .bytes
        )
        .unwrap()
    );
    let dated = page(&ReportOptions {
        title: Some("Q3 brief".into()),
        date: Some("2031-02-03".into()),
    });
    assert!(dated.contains("<h1>Q3 brief</h1>"));
    assert!(dated.contains("<p class=\"subtitle\">"));
    assert!(dated.contains("analysis of 2031-02-03 (UTC)"));
    assert!(
        dated.contains("<tr><td>analysis date (UTC)</td><td class=\"long\">2031-02-03</td></tr>")
    );
    // A blank title is no title.
    let blank = page(&ReportOptions {
        title: Some("  ".into()),
        date: None,
    });
    assert_eq!(blank, plain);
    // The Richardson pair lists no sources: the bibliography says so.
    assert!(plain.contains("The scenario lists no sources."));
}

#[test]
fn summary_json_records_the_sources_and_older_files_still_read() {
    let loaded = common::load("scenarios/examples/tutorial.ron");
    let r = brink::Simulation::new(&loaded)
        .runs(50)
        .seed(1)
        .threads(1)
        .run()
        .expect("run");
    assert_eq!(r.summary.scenario.sources, loaded.scenario.sources);
    assert_eq!(r.summary.scenario.sources.len(), 3);
    let mut json = serde_json::to_value(&r.summary).unwrap();
    assert!(json["scenario"]["sources"].is_array());
    // A summary.json written before sources were recorded reads, with none.
    json["scenario"].as_object_mut().unwrap().remove("sources");
    let old: Summary = serde_json::from_value(json).expect("an older summary.json reads");
    assert!(old.scenario.sources.is_empty());
}

#[test]
fn measures_shares_have_their_intervals_and_older_files_still_read() {
    // Every probability with its Wilson interval (DESIGN's statistics contract): the measures'
    // shares by highest level and in force at the end were printed bare.
    let loaded = common::load("scenarios/examples/tutorial.ron");
    let r = brink::Simulation::new(&loaded)
        .runs(300)
        .seed(3)
        .threads(1)
        .run()
        .expect("run");
    let n = r.summary.manifest.runs;
    assert!(!r.summary.levers.is_empty());
    for l in &r.summary.levers {
        let end = l.in_force_at_end_interval.expect("an interval at the end");
        let k = (l.in_force_at_end * n as f64).round() as u64;
        assert_eq!(
            end,
            brink::stats::wilson(k, n, brink::stats::Z95),
            "{}",
            l.name
        );
        assert_eq!(l.highest_level_interval.len(), l.highest_level.len());
        for (i, &p) in l.highest_level_interval.iter().zip(&l.highest_level) {
            let k = (p * n as f64).round() as u64;
            assert_eq!(
                *i,
                brink::stats::wilson(k, n, brink::stats::Z95),
                "{}",
                l.name
            );
        }
    }
    // A summary.json written before the intervals reads, without them.
    let mut json = serde_json::to_value(&r.summary).unwrap();
    for l in json["levers"].as_array_mut().unwrap() {
        let l = l.as_object_mut().unwrap();
        assert!(l.remove("in_force_at_end_interval").is_some());
        assert!(l.remove("highest_level_interval").is_some());
    }
    let old: Summary = serde_json::from_value(json).expect("an older summary.json reads");
    assert!(
        old.levers
            .iter()
            .all(|l| l.in_force_at_end_interval.is_none())
    );
    // The page shows them beside the shares.
    let dir = common::scratch("lever-intervals");
    let html = tutorial_report(&dir.join("out"));
    let from = at(&html, "Measures in force: highest level and time held");
    let table = &html[from..from + html[from..].find("</table>").expect("the table ends")];
    let intervals: usize = r.summary.levers.iter().map(|l| l.levels.len() + 1).sum();
    assert!(table.contains("95% interval"), "{table}");
    assert!(table.matches(" – ").count() >= intervals, "{table}");
}

#[test]
fn mean_durations_have_intervals_from_the_runs_own_values() {
    // Every mean with its interval: the mean steps an outcome held, a measure was in force and
    // the pair spent on each rung were printed bare. Checked against the per-run table's own
    // values (Student's t from their sum and sum of squares).
    let dir = common::scratch("duration-intervals");
    let out = dir.join("out");
    let t = common::repo("scenarios/examples/tutorial.ron");
    let (t, o) = (t.to_str().unwrap(), out.to_str().unwrap());
    common::ok(&[
        "run",
        t,
        "--runs",
        "400",
        "--seed",
        "5",
        "--per-run",
        "--out",
        o,
    ]);
    let summary: Summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let horizon = f64::from(summary.scenario.horizon);
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let column = |name: &str| -> Vec<f64> {
        let c = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name}"));
        rows.iter().map(|r| r[c].parse::<f64>().unwrap()).collect()
    };
    // Student's t within `least` (0; 1 for an outcome's steps held, one at least in each run
    // it happened in) and the horizon; where every run agrees, the room Wilson's interval on
    // that share leaves (not a width of 0).
    let expected = |values: &[f64], least: f64| -> brink::stats::Interval {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt();
        brink::stats::bounded_mean_interval(values.len() as u64, mean, sd, (least, horizon))
    };
    let close = |a: &brink::stats::Interval, b: &brink::stats::Interval, what: &str| {
        for (x, y) in [(a.estimate, b.estimate), (a.low, b.low), (a.high, b.high)] {
            assert!(
                (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                "{what}: {a:?} vs {b:?}"
            );
        }
    };
    let mut checked = 0;
    for l in &summary.levers {
        let steps = column(&format!("out.steps_in_force.{}", l.name));
        let i = l.mean_steps_in_force_interval.as_ref().unwrap();
        close(i, &expected(&steps, 0.0), &l.name);
        checked += 1;
    }
    for o in &summary.outcomes {
        let hit = column(&format!("out.{}", o.name));
        let held: Vec<f64> = column(&format!("out.{}.steps_held", o.name))
            .into_iter()
            .zip(&hit)
            .filter(|(_, h)| **h == 1.0)
            .map(|(x, _)| x)
            .collect();
        match o.mean_steps_held_interval.as_ref() {
            // Judged at the end: one step in every run it happened in, exactly.
            Some(i) if o.judged_at_end => {
                assert!(held.iter().all(|&x| x == 1.0), "{}", o.name);
                assert_eq!((i.estimate, i.low, i.high), (1.0, 1.0, 1.0), "{}", o.name);
                checked += 1;
            }
            Some(i) => {
                close(i, &expected(&held, 1.0), &o.name);
                checked += 1;
            }
            None => assert!(
                held.len() < 2,
                "{}: {} runs, no interval",
                o.name,
                held.len()
            ),
        }
    }
    assert!(checked >= 10, "{checked}");
    // The rungs' means: one interval a rung, each about its mean and within the horizon.
    let rungs = &summary.mean_steps_on_rung;
    assert_eq!(summary.mean_steps_on_rung_interval.len(), rungs.len());
    for (i, &m) in summary.mean_steps_on_rung_interval.iter().zip(rungs) {
        assert!(
            i.estimate == m && i.low <= m && m <= i.high && i.high <= horizon,
            "{i:?}"
        );
    }
    // The page shows them.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("in force (95% interval)"),
        "no interval of the steps in force"
    );
}

/// Runs `brink ARGS --report-title TITLE --out OUT` on the tutorial with a fixed date; the
/// page it wrote, if any.
fn command_report(args: &[&str], out: &Path) -> Option<String> {
    let o = common::command()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(args)
        .args(["--report-title", TITLE, "--out"])
        .arg(out)
        .output()
        .expect("cannot start brink");
    assert!(
        o.status.success(),
        "brink {args:?}: {}",
        common::describe(&o)
    );
    std::fs::read_to_string(out.join("report.html")).ok()
}

/// What every command's page must be: the sections in the reader's order (summary first,
/// manifest last), the title, version and date at the top, the caveat before the first chart,
/// every chart the command wrote inline, a complete navigation and nothing external. Returns
/// the summary section.
fn check_analysis_page<'a>(html: &'a str, out: &Path) -> &'a str {
    let order = [
        "<section id=\"summary\">",
        "<section id=\"charts\">",
        "<section id=\"tables\">",
        "<section id=\"method\">",
        "<section id=\"ledger\">",
        "<section id=\"bibliography\">",
        "<section id=\"manifest\">",
    ];
    let places: Vec<usize> = order.iter().map(|s| at(html, s)).collect();
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "the sections are out of order: {order:?} at {places:?}"
    );
    assert_eq!(html.matches("<section").count(), order.len());
    let manifest = &html[at(html, "<section id=\"manifest\">")..];
    assert!(manifest.contains("scenario file SHA-256"));
    assert!(manifest.contains("2025-07-01"));
    assert!(
        manifest
            .trim_end()
            .ends_with("</section>\n</main>\n</body>\n</html>")
    );
    let summary = between(html, "<section id=\"summary\">", "<section id=\"charts\">");
    assert!(summary.contains(&format!("<h1>{TITLE_ESCAPED}</h1>")));
    assert!(summary.contains("Tutorial: North and South"));
    assert!(summary.contains(&format!("brink {}", env!("CARGO_PKG_VERSION"))));
    assert!(summary.contains("analysis of 2025-07-01 (UTC)"));
    // What the figures are: scenario probabilities, or (a sensitivity's) not.
    assert!(
        summary.contains("conditional scenario probabilities, not forecasts")
            || summary.contains("These are not probabilities.")
    );
    assert!(at(html, "class=\"caveat\"") < at(html, "<figure"));
    // The bibliography is the scenario's sources; the ledger has rows.
    let bib = between(
        html,
        "<section id=\"bibliography\">",
        "<section id=\"manifest\">",
    );
    assert!(bib.contains("<ol class=\"sources\">"));
    assert!(
        between(
            html,
            "<section id=\"ledger\">",
            "<section id=\"bibliography\">"
        )
        .contains("<td>")
    );

    // Every chart written is in the page, inline, and nothing else is.
    let charts: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".svg").map(str::to_string)
        })
        .collect();
    assert!(!charts.is_empty());
    let section = between(html, "<section id=\"charts\">", "<section id=\"tables\">");
    for c in &charts {
        assert!(
            section.contains(&format!("<figure id=\"chart-{c}\">")),
            "report.html lacks the chart {c}"
        );
    }
    assert_eq!(html.matches("<figure").count(), charts.len());
    assert_eq!(html.matches("<svg viewBox").count(), charts.len());

    // A complete navigation, and nothing outside the page.
    let nav = between(html, "<nav", "</nav>");
    for s in order {
        let id = s
            .trim_start_matches("<section id=\"")
            .trim_end_matches("\">");
        assert!(
            nav.contains(&format!("href=\"#{id}\"")),
            "the navigation lacks {id}"
        );
    }
    let lower = html.to_lowercase();
    for bad in [
        "http://",
        "https://",
        "src=",
        "<script",
        "<link",
        "<img",
        "<iframe",
        "@import",
        "url(",
        "@font-face",
    ] {
        assert!(!lower.contains(bad), "report.html contains {bad:?}");
    }
    for (i, _) in lower.match_indices("href=") {
        assert!(
            lower[i..].starts_with("href=\"#"),
            "a link outside the page"
        );
    }
    // The run report's style sheet, print rules included.
    assert!(html.contains("@media print"));
    summary
}

#[test]
fn compare_writes_a_report_with_paired_effects_by_label() {
    let dir = common::scratch("report-compare");
    let out = dir.join("out");
    let html = command_report(
        &[
            "compare",
            "scenarios/examples/tutorial.ron",
            "--all",
            "--runs",
            "200",
            "--seed",
            "3",
        ],
        &out,
    )
    .expect("report.html");
    let summary = check_analysis_page(&html, &out);
    // The base's headline and what moves the focus outcome, by label, with paired intervals.
    assert!(summary.contains("<h2>Base scenario</h2>"));
    assert!(summary.contains("<td>Rupture within the year</td>"));
    assert!(summary.contains("What moves “Rupture within the year” most"));
    assert!(summary.contains("paired 95% interval"));
    // The variant that imposes the visa regime at once and the regime forced to its top are
    // one change (the same paired difference to the bit): one row, both named.
    assert!(summary.contains(
        "<td>North imposes a visa regime at once (= Visa regime for Southern citizens: forced \
         to the top level)</td>"
    ));
    assert!(!summary.contains("<td>rupture</td>") && !summary.contains("force_"));
    // Changes in points, the unit in the column's head.
    assert!(summary.contains("change (points)"));
    assert!(summary.contains("<td class=\"n big\">+") || summary.contains("<td class=\"n big\">-"));
    // Found by a reviewing helper: the costs and the index, whose paired intervals the method
    // describes, were on no table of the page: one row per quantity and arm.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    let arms = json["arms"].as_array().unwrap().len();
    assert!(html.contains("Costs and the index by arm, with the paired difference from the base"));
    for q in [
        "<td>cost to Republic of North (USD million)</td>",
        "<td>dyad index H at its peak (points)</td>",
        "<td>dyad index H at the end (points)</td>",
    ] {
        assert_eq!(html.matches(q).count(), arms, "{q}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sensitivity_writes_a_report_with_the_drivers_by_label() {
    let dir = common::scratch("report-sensitivity");
    let out = dir.join("out");
    let html = command_report(
        &[
            "sensitivity",
            "scenarios/examples/tutorial.ron",
            "--runs",
            "300",
        ],
        &out,
    )
    .expect("report.html");
    let summary = check_analysis_page(&html, &out);
    assert!(summary.contains("The assumptions that drive it most"));
    assert!(summary.contains("“Rupture within the year”"));
    assert!(summary.contains("<th>PRCC</th><th>95% interval</th>"));
    // Rank correlations, not probabilities: the shared paragraph ("each is the share of runs in
    // which the thing happened") headed them (an attacking helper).
    assert!(summary.contains("These are not probabilities. A partial rank correlation"));
    assert!(!summary.contains("conditional scenario probabilities"));
    // Parameters by their actors' labels, not their paths.
    assert!(summary.contains("Republic of North") || summary.contains("Kingdom of South"));
    assert!(!summary.contains("relations.") && !summary.contains("actors."));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sweep_writes_a_report_with_both_ends_and_the_range() {
    let dir = common::scratch("report-sweep");
    let out = dir.join("out");
    let args = [
        "sweep",
        "scenarios/examples/tutorial.ron",
        "--set",
        "actors.north.hawkishness=0.2..1.2:3",
        "--runs",
        "100",
    ];
    let html = command_report(&args, &out).expect("report.html");
    let summary = check_analysis_page(&html, &out);
    assert!(summary.contains("Republic of North › hawkishness"));
    assert!(!summary.contains("actors.north"));
    assert!(summary.contains("<th>at 0.2</th><th>at 1.2</th><th>range along the grid</th>"));
    assert!(summary.contains("<td>Rupture within the year</td>"));
    // --no-charts: no charts, no page (and so no title: the two together are refused, below).
    let bare = dir.join("bare");
    let o = common::command()
        .args(args)
        .args(["--no-charts", "--out"])
        .arg(&bare)
        .output()
        .expect("cannot start brink");
    assert!(o.status.success(), "{}", common::describe(&o));
    assert!(!bare.join("report.html").exists());
    assert!(bare.join("sweep.json").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The run's page and the combined report (`brink report`) of that run are the one template:
/// the same style sheet and skeleton, the summary first with its caveat, every chart of the
/// run inline, the run's tables, nothing external.
#[test]
fn run_and_combined_pages_share_the_one_template() {
    let dir = common::scratch("report-one-template");
    let run = dir.join("run");
    let run_html = tutorial_report(&run);
    let combined = dir.join("combined");
    let o = common::command()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .arg("report")
        .arg(&run)
        .args(["--report-title", TITLE, "--out"])
        .arg(&combined)
        .output()
        .expect("cannot start brink");
    assert!(o.status.success(), "brink report: {}", common::describe(&o));
    let both_html = std::fs::read_to_string(combined.join("report.html")).unwrap();
    let style = |h: &str| between(h, "<style>", "</style>").to_string();
    assert_eq!(style(&run_html), style(&both_html), "one style sheet");
    let charts: Vec<String> = std::fs::read_dir(&run)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".svg").map(str::to_string)
        })
        .collect();
    assert!(charts.len() >= 5);
    for (html, prefix) in [(&run_html, ""), (&both_html, "1-")] {
        // Summary first: right after the navigation, with the caveat before any chart.
        let main = &html[at(html, "<main>")..];
        assert!(main.starts_with("<main>\n<section id=\"summary\">"));
        assert!(at(html, "class=\"caveat\"") < at(html, "<figure"));
        assert!(at(html, "</aside>\n</section>") < at(html, "<figure"));
        // Every chart, inline.
        for c in &charts {
            assert!(
                html.contains(&format!("<figure id=\"chart-{prefix}{c}\">")),
                "lacks the chart {c}"
            );
        }
        assert_eq!(html.matches("<svg viewBox").count(), charts.len());
        // The run's tables, by label, and the same closing sections.
        for needle in [
            "Rungs of the escalation ladder",
            "Rupture lasting two months",
            "Visa regime for Southern citizens",
            "<section id=\"method\">",
            "<section id=\"ledger\">",
            "<section id=\"bibliography\">",
        ] {
            assert!(html.contains(needle), "lacks {needle:?}");
        }
        assert!(
            html.trim_end()
                .ends_with("</section>\n</main>\n</body>\n</html>")
        );
        // Nothing external.
        let lower = html.to_lowercase();
        for bad in ["http://", "https://", "src=", "<script", "<link", "url("] {
            assert!(!lower.contains(bad), "the page contains {bad:?}");
        }
        for (i, _) in lower.match_indices("href=") {
            assert!(
                lower[i..].starts_with("href=\"#"),
                "a link outside the page"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scenario may name its step unit in the plural: every output still reads "52 weeks" and
/// "at week 3", never "weekss" or "per weeks".
#[test]
fn a_plural_step_unit_reads_as_the_singular_does() {
    let dir = common::scratch("plural-unit");
    let text = std::fs::read_to_string("scenarios/examples/tutorial.ron")
        .unwrap()
        .replace("step_unit: \"week\"", "step_unit: \"weeks\"");
    assert!(text.contains("step_unit: \"weeks\""));
    let file = dir.join("plural.ron");
    std::fs::write(&file, text).unwrap();
    let f = file.to_str().unwrap();
    let out = dir.join("out");
    let mut printed = String::new();
    for args in [
        vec!["validate", f],
        vec!["describe", f],
        vec!["describe", "--paths", f],
        vec!["graph", "--format", "mermaid", f],
        vec!["run", f, "--runs", "200", "--out", out.to_str().unwrap()],
    ] {
        printed += &common::stdout(&common::ok(&args));
    }
    assert!(printed.contains("horizon 52 weeks"), "{printed}");
    for p in common::paths(&out) {
        if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("html" | "md" | "csv" | "json" | "svg" | "txt")
        ) {
            printed += &std::fs::read_to_string(out.join(&p)).unwrap();
        }
    }
    assert!(printed.contains("mean weeks in force"));
    for wrong in ["weekss", "per weeks", "first weeks", "at weeks"] {
        assert!(!printed.contains(wrong), "{wrong:?} printed");
    }
}

/// `--report-title` titles report.html, which `--no-charts` does not write: the two together
/// are refused (exit code 2, nothing written), as `--shard` with a title is; the title was
/// dropped without a word.
#[test]
fn a_report_title_without_a_report_is_refused() {
    let dir = common::scratch("title-no-charts");
    for cmd in ["run", "compare"] {
        let out = dir.join(cmd);
        let o = common::command()
            .args([cmd, "scenarios/examples/tutorial.ron", "--runs", "50"])
            .args(["--no-charts", "--report-title", "T", "--out"])
            .arg(&out)
            .output()
            .expect("cannot start brink");
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", common::describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("'--no-charts' cannot be used with '--report-title"),
            "{cmd}: {err}"
        );
        assert!(!out.exists(), "{cmd}: something was written");
    }
}

/// Every text file of a result folder, concatenated.
fn texts_of(out: &Path) -> String {
    let mut all = String::new();
    for p in common::paths(out) {
        if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("html" | "csv" | "json" | "svg" | "txt")
        ) {
            all += &std::fs::read_to_string(out.join(&p)).unwrap();
        }
    }
    all
}

/// The tick labels of a chart's SVG, in order.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split_once("</text>")?
                    .0
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

/// Found by a reviewing helper: a scenario counted in days had charts "median by week" and a
/// note "before week 0"; a one-step horizon read "1 weeks" and "1 simulated runs", and its
/// step axes were labelled "0 0 0 0 0 1 1 1" (ticks at tenths of a step, each rounded); the
/// method said means had a normal interval (they have Student's t); a sweep's ledger listed
/// the swept number as drawn, and an experiment was played "300 runs times".
#[test]
fn units_counts_and_axes_read_as_the_scenario_has_them() {
    let dir = common::scratch("units-counts");
    let tutorial = std::fs::read_to_string("scenarios/examples/tutorial.ron").unwrap();
    let days = tutorial.replace("step_unit: \"week\"", "step_unit: \"day\"");
    assert_ne!(days, tutorial);
    let file = dir.join("days.ron");
    std::fs::write(&file, &days).unwrap();
    let f = file.to_str().unwrap();
    let run = dir.join("run");
    let compare = dir.join("compare");
    common::ok(&["run", f, "--runs", "100", "--out", run.to_str().unwrap()]);
    common::ok(&[
        "compare",
        f,
        "--all",
        "--runs",
        "100",
        "--out",
        compare.to_str().unwrap(),
    ]);
    let all = texts_of(&run) + &texts_of(&compare);
    assert!(all.contains("median by day"), "no 'median by day'");
    assert!(all.contains("before day 0"), "no 'before day 0'");
    for wrong in ["by week", "week 0", "normal approximation"] {
        assert!(!all.contains(wrong), "{wrong:?} printed");
    }
    assert!(
        all.contains("Student's t 95% interval") || all.contains("Student&#39;s t 95% interval")
    );

    let richardson = std::fs::read_to_string("scenarios/examples/richardson.ron").unwrap();
    let one = richardson.replacen("horizon: 52", "horizon: 1", 1);
    assert_ne!(one, richardson);
    let file = dir.join("one.ron");
    std::fs::write(&file, &one).unwrap();
    let f = file.to_str().unwrap();
    let out = dir.join("one");
    let printed = common::stdout(&common::ok(&["validate", f]));
    assert!(printed.contains("horizon 1 week\n"), "{printed}");
    common::ok(&["run", f, "--runs", "1", "--out", out.to_str().unwrap()]);
    let all = texts_of(&out);
    for right in [
        "within 1 week",
        "each run 1 week long",
        "share of 1 simulated run in",
    ] {
        assert!(all.contains(right), "{right:?} not printed");
    }
    assert!(!all.contains("1 weeks") && !all.contains("1 simulated runs"));
    // The step axis: each step labelled once, none between steps.
    let fan = std::fs::read_to_string(out.join("index_fan.svg")).unwrap();
    let texts = svg_texts(&fan);
    // Step 0 once (it was labelled at 0, 0.1, ... 0.5, each rounding to 0).
    assert_eq!(texts.iter().filter(|t| *t == "0").count(), 1, "{texts:?}");
    // A series of one step is a dot (a line through one point drew nothing); a longer one is
    // a line alone.
    for chart in ["index_fan", "time_to_outcome", "outcomes_over_time"] {
        let svg = std::fs::read_to_string(out.join(format!("{chart}.svg"))).unwrap();
        assert!(svg.contains("<circle"), "{chart}: no dot at horizon 1");
    }
    // The rungs' stacked bands span the week (a band one point wide drew nothing).
    let rungs = std::fs::read_to_string(out.join("rung_probabilities.svg")).unwrap();
    let widths: Vec<f64> = rungs
        .split("<polygon")
        .skip(1)
        .filter_map(|p| p.split("points=\"").nth(1)?.split('"').next())
        .map(|pts| {
            let xs: Vec<f64> = pts
                .split_whitespace()
                .filter_map(|xy| xy.split(',').next()?.parse().ok())
                .collect();
            xs.iter().copied().fold(f64::MIN, f64::max)
                - xs.iter().copied().fold(f64::MAX, f64::min)
        })
        .collect();
    assert!(widths.iter().any(|&w| w > 100.0), "{widths:?}");
    let year = std::fs::read_to_string(common::repo("scenarios/examples/richardson.ron")).unwrap();
    let year_file = dir.join("year.ron");
    std::fs::write(&year_file, &year).unwrap();
    let year_out = dir.join("year");
    common::ok(&[
        "run",
        year_file.to_str().unwrap(),
        "--runs",
        "20",
        "--out",
        year_out.to_str().unwrap(),
    ]);
    let year_fan = std::fs::read_to_string(year_out.join("index_fan.svg")).unwrap();
    assert!(!year_fan.contains("<circle"));

    let sweep = dir.join("sweep");
    common::ok(&[
        "sweep",
        "scenarios/examples/tutorial.ron",
        "--set",
        "actors.north.hawkishness=0.2..1.2:3",
        "--runs",
        "50",
        "--out",
        sweep.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(sweep.join("report.html")).unwrap();
    let ledger = &page[at(&page, "<section id=\"ledger\"")..];
    let ledger = &ledger[..at(ledger, "</section>")];
    assert!(!ledger.contains("actors.north.hawkishness"), "{ledger}");
    assert!(ledger.contains("actors.north.sensitivity"), "{ledger}");
    let exp = dir.join("experiment");
    common::ok(&[
        "experiment",
        "scenarios/examples/tutorial.ron",
        "--design",
        "lhs",
        "--param",
        "actors.north.hawkishness=0.1..0.9",
        "--points",
        "4",
        "--runs",
        "30",
        "--out",
        exp.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(exp.join("report.html")).unwrap();
    assert!(
        page.contains("30 times on the same run indices"),
        "no '30 times'"
    );
    assert!(!page.contains("runs times"));
    // Nor does an experiment's ledger list the numbers its design sets (found by a reviewing
    // helper after the sweep's was mended).
    let ledger = &page[at(&page, "<section id=\"ledger\"")..];
    let ledger = &ledger[..at(ledger, "</section>")];
    assert!(!ledger.contains("actors.north.hawkishness"), "{ledger}");
}

/// Found by a reviewing helper: a malformed `SOURCE_DATE_EPOCH` (`abc`, empty, `1.5`, a date
/// past year 9999) was ignored and the page took today's date where the user had fixed one.
/// Refused before any work (exit 2, nothing written), as the reproducible-builds convention
/// asks; the largest valid value gives 9999-12-31.
#[test]
fn a_malformed_source_date_epoch_is_refused() {
    let dir = common::scratch("source-date-epoch");
    for bad in ["abc", "", "1.5", "-5", "253402300800", "99999999999999999"] {
        let out = dir.join("r");
        let o = common::command()
            .env("SOURCE_DATE_EPOCH", bad)
            .args(["run", "scenarios/examples/richardson.ron", "--runs", "20"])
            .arg("--out")
            .arg(&out)
            .output()
            .expect("cannot start brink");
        assert_eq!(
            o.status.code(),
            Some(2),
            "{bad:?}: {}",
            common::describe(&o)
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!(
                "SOURCE_DATE_EPOCH is {bad:?}; expected a whole number"
            )),
            "{err}"
        );
        assert!(!out.exists(), "{bad:?}");
    }
    let out = dir.join("last");
    let o = common::command()
        .env("SOURCE_DATE_EPOCH", "253402300799")
        .args(["run", "scenarios/examples/richardson.ron", "--runs", "20"])
        .arg("--out")
        .arg(&out)
        .output()
        .expect("cannot start brink");
    assert!(o.status.success(), "{}", common::describe(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("9999-12-31"));
}

/// Found by a reviewing helper: the run page left out the actors' gains, which summary.json
/// and the text output give. A table of them where some actor gains (the tutorial's gas deal),
/// none where nobody does (Richardson's pair).
#[test]
fn the_run_page_shows_the_gains_where_there_are_some() {
    let dir = common::scratch("gains-page");
    let page = |scenario: &str, out: &str| {
        let out = dir.join(out);
        let o = common::command()
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .args(["run", scenario, "--runs", "300", "--out"])
            .arg(&out)
            .output()
            .expect("cannot start brink");
        assert!(o.status.success(), "{}", common::describe(&o));
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        (
            std::fs::read_to_string(out.join("report.html")).unwrap(),
            summary,
        )
    };
    let (html, summary) = page("scenarios/examples/tutorial.ron", "tutorial");
    let table = html
        .split("<section id=\"gains\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("a gains section");
    let gains = summary["gains"].as_array().unwrap();
    assert!(
        gains
            .iter()
            .any(|g| g["mean"]["estimate"].as_f64() > Some(0.0))
    );
    for g in gains {
        let mean = g["mean"]["estimate"].as_f64().unwrap();
        // Four significant figures, as the costs' means.
        let shown = format!("{:.2}", mean);
        assert_eq!(
            table.contains(&format!(">{shown}<")),
            mean > 0.0,
            "{shown}: {table}"
        );
    }
    let (html, _) = page("scenarios/examples/richardson.ron", "richardson");
    assert!(!html.contains("id=\"gains\""));
}

/// An outcome judged at the end reads "at the end" where the others give their median first
/// week: "median first week 51" read as a date by which it happened.
#[test]
fn an_outcome_judged_at_the_end_has_no_first_week() {
    let dir = common::scratch("report-at-end");
    let html = tutorial_report(&dir.join("out"));
    let row = html
        .split("<tr>")
        .find(|r| {
            r.contains("calm_at_end") || r.contains("Calm at end") || r.contains("calm at end")
        })
        .unwrap_or_else(|| panic!("no row of calm_at_end"));
    assert!(row.contains("at the end"), "{row}");
    // summary.json says so (the terminal's table reads it), for that outcome alone.
    let summary = common::summary(&dir.join("out"));
    for o in summary["outcomes"].as_array().unwrap() {
        let judged = o["judged_at_end"].as_bool().unwrap_or(false);
        assert_eq!(judged, o["name"] == "calm_at_end", "{o}");
    }
}

/// Only arms that played the same runs share a summary row: at five runs, arms that changed
/// nothing, or happened to give the focus outcome the same figures, were merged as one change
/// (a dozen in one row; found by a reviewing helper).
#[test]
fn only_arms_with_the_same_runs_share_a_summary_row() {
    let dir = common::scratch("report-compare-few");
    let out = dir.join("out");
    let html = command_report(
        &[
            "compare",
            "scenarios/examples/tutorial.ron",
            "--all",
            "--runs",
            "5",
            "--seed",
            "3",
        ],
        &out,
    )
    .expect("report.html");
    let start = html.find("What moves").expect("the summary of moves");
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    for row in table.split("<tr>").skip(2) {
        assert!(row.matches("(= ").count() <= 1, "{row}");
        if row.contains(">+0.0<") || row.contains(">-0.0<") {
            assert!(!row.contains("(= "), "{row}");
        }
    }
    assert!(table.contains(
        "North imposes a visa regime at once (= Visa regime for Southern citizens: forced to \
         the top level)"
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scenario in which nothing random moves a run (no noise, every number fixed): every run
/// ends alike, and the report says that more runs add nothing; a random one says nothing of it.
#[test]
fn a_report_says_when_every_run_ended_alike() {
    let dir = common::scratch("runs-alike");
    let alike = dir.join("alike");
    common::ok(&[
        "run",
        common::repo("tests/data/no_levers_two_variants.ron")
            .to_str()
            .unwrap(),
        "--runs",
        "30",
        "--out",
        alike.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(alike.join("report.html")).unwrap();
    assert!(html.contains("All 30 runs ended alike"), "no note");
    let random = dir.join("random");
    common::ok(&[
        "run",
        "scenarios/examples/richardson.ron",
        "--runs",
        "30",
        "--out",
        random.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(random.join("report.html")).unwrap();
    assert!(!html.contains("ended alike"));
}

/// A run report's trace chart names what lists the labels it left out: it pointed to a
/// trace.txt that `brink run` never writes. Its footer names the numbers `--set` replaced, as
/// the run's other charts do (it named the variant alone). `brink trace` writes trace.txt
/// beside its chart, and its chart says so.
#[test]
fn a_run_reports_trace_chart_points_to_what_it_writes_and_names_its_settings() {
    let dir = common::scratch("trace-chart-notes");
    let out = dir.join("run");
    common::ok(&[
        "run",
        "scenarios/examples/tutorial.ron",
        "--runs",
        "300",
        "--seed",
        "7",
        "--variant",
        "visa_now",
        "--set",
        "actors.north.hawkishness=0.9",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!out.join("trace.txt").exists());
    let texts = svg_texts(&std::fs::read_to_string(out.join("trace_timeline.svg")).unwrap());
    let all = texts.join("\n");
    assert!(all.contains("labels left out for room"), "{all}");
    assert!(all.contains("(brink trace --run 0 --seed 7"), "{all}");
    assert!(!all.contains("trace.txt"), "{all}");
    assert!(
        texts.iter().any(|t| t
            .ends_with("seed 7 · run 0 · variant visa_now · --set actors.north.hawkishness=0.9")),
        "{all}"
    );
    let traced = dir.join("trace");
    common::ok(&[
        "trace",
        "scenarios/examples/tutorial.ron",
        "--run",
        "0",
        "--seed",
        "7",
        "--out",
        traced.to_str().unwrap(),
    ]);
    assert!(traced.join("trace.txt").exists());
    let svg = std::fs::read_to_string(traced.join("trace_timeline.svg")).unwrap();
    assert!(svg_texts(&svg).join("\n").contains("trace.txt"), "{svg}");
}
