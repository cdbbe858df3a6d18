//! Charts and report.html: every chart is written as a readable PNG (with text drawn by the
//! embedded font) and a well-formed SVG, the report holds every chart and nothing from the
//! network, scenario text is escaped, and the same run gives the same bytes.

mod common;

use std::path::{Path, PathBuf};

use brink::analysis::Summary;
use brink::report::charts::{self, Chart, HEIGHT, WIDTH};
use brink::report::html::escape;
use brink::scenario::LoadedScenario;

/// A small scenario with every kind of chart: a measure with costs, two outcomes, and text
/// that must be escaped (including a web address in a source, which is text, not a link).
const SMALL: &str = r#"Scenario(
    name: "Charts <test> & \"quotes\"",
    description: "A <script>alert(1)</script> pair; numbers from https://example.org/source.",
    horizon: 26,
    start_date: "2025-01-06",
    cost_unit: "USD million",
    focal: ("north", "south"),
    actors: [
        Actor(name: "north", cost_weight: 0.01),
        Actor(name: "south"),
    ],
    relations: [
        Relation(from: "north", to: "south", initial: 2.0, fatigue: 0.3, reactivity: 0.2,
                 grievance: 0.6, noise: 0.5),
        Relation(from: "south", to: "north", initial: 1.0, fatigue: 0.3, reactivity: 0.2,
                 grievance: 0.4,
                 noise: Uniform(min: 0.2, max: 0.6, source: "https://example.org/noise")),
    ],
    ladder: [
        Rung(name: "calm", threshold: -10),
        Rung(name: "tense", threshold: 2),
        Rung(name: "crisis", threshold: 4),
    ],
    levers: [
        Measure(name: "sanctions", owner: "north", target: "south", threshold: 1.0,
            levels: [
                Level(name: "light", weight: -2.0, costs: {"north": 1.0, "south": 2.0}),
                Level(name: "heavy", weight: -4.0, costs: {"north": 3.0, "south": 6.0}),
            ]),
    ],
    outcomes: [
        Outcome(name: "crisis", when: RungAtLeast("crisis")),
        Outcome(name: "sanctioned", when: LevelAtLeast("sanctions", 1)),
    ],
)
"#;

const ALL_CHARTS: [&str; 10] = [
    "index_fan",
    "rung_probabilities",
    "outcome_probabilities",
    "time_to_outcome",
    "outcomes_over_time",
    "co_occurrence",
    "convergence",
    "costs",
    "costs_ecdf",
    "levers",
];

fn small_scenario(dir: &Path) -> LoadedScenario {
    let p = dir.join("small.ron");
    std::fs::write(&p, SMALL).unwrap();
    common::load(&p)
}

/// A run through the library, its files written into `out` as `brink run` writes them.
fn run(loaded: &LoadedScenario, out: PathBuf, charts: bool) -> (Summary, PathBuf) {
    let r = brink::Simulation::new(loaded)
        .runs(400)
        .seed(7)
        .threads(2)
        .command(vec!["brink".into(), "run".into(), "test".into()])
        .run()
        .expect("run");
    std::fs::create_dir_all(&out).unwrap();
    for f in brink::report::run::files(&r.model, &r.summary, charts).expect("render") {
        std::fs::write(out.join(&f.name), &f.bytes).unwrap();
    }
    (r.summary, out)
}

/// The charts as the library draws them for a run.
fn drawn(loaded: &LoadedScenario, summary: &Summary) -> Vec<Chart> {
    let model = brink::model::compile(&loaded.scenario, None).expect("compile");
    charts::render_all(&model, summary).expect("draw")
}

/// A well-formed SVG with one svg element and its title.
fn check_svg(path: &Path, title: &str) {
    let svg = common::check_svg(path);
    assert_eq!(
        svg.trim().matches("<svg").count(),
        1,
        "{}: one svg element",
        path.display()
    );
    assert!(
        // (The SVG writes an apostrophe as `&apos;`.)
        svg.contains(&escape(title))
            || svg.contains(title)
            || svg.contains(&title.replace('\'', "&apos;")),
        "{} lacks its title {title:?}",
        path.display()
    );
}

/// Every attribute that could fetch something points inside the page.
fn check_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "<link",
        "<iframe",
        "<img",
        "<object",
        "<embed",
        "@import",
        "url(",
        "src=",
        "xlink:href",
    ] {
        assert!(!lower.contains(bad), "report.html contains {bad:?}");
    }
    for (i, _) in lower.match_indices("href=\"") {
        let rest = &lower[i + 6..];
        assert!(
            rest.starts_with('#'),
            "report.html links outside: {}",
            &rest[..rest.len().min(60)]
        );
    }
    // Web addresses may appear only as text (a source, a description), never inside a tag.
    for scheme in ["http://", "https://"] {
        for (i, _) in lower.match_indices(scheme) {
            let before = &lower[..i];
            let open = before.rfind('<');
            let close = before.rfind('>');
            assert!(
                matches!((open, close), (Some(o), Some(c)) if c > o) || open.is_none(),
                "report.html has {scheme} inside a tag near byte {i}"
            );
        }
    }
}

#[test]
fn every_chart_is_written_readable_and_in_the_report() {
    let dir = common::scratch("all");
    let loaded = small_scenario(&dir);
    let (summary, out) = run(&loaded, dir.join("out"), true);
    let charts = drawn(&loaded, &summary);
    let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
    assert_eq!(
        names, ALL_CHARTS,
        "the small scenario has every kind of chart"
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    for c in &charts {
        common::check_png(&out.join(format!("{}.png", c.name)), HEIGHT..=u32::MAX);
        check_svg(&out.join(format!("{}.svg", c.name)), &c.title);
        assert!(
            html.contains(&escape(&c.title)),
            "report.html lacks the chart {:?}",
            c.title
        );
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_eq!(
        html.matches("<svg").count(),
        charts.len(),
        "every chart inline"
    );
    check_self_contained(&html);

    // Text from the scenario is escaped, never markup.
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("Charts <test>"));
    assert!(html.contains("Charts &lt;test&gt; &amp; &quot;quotes&quot;"));
    // The manifest, the tables and the assumptions ledger with its source.
    for needle in [
        "Manifest",
        &summary.manifest.scenario_hash,
        "seed",
        "Outcomes",
        "sanctioned",
        "Rungs of the escalation ladder",
        "crisis",
        "Costs (USD million)",
        "Assumptions ledger",
        "https://example.org/noise",
        "Uniform",
    ] {
        assert!(html.contains(needle), "report.html lacks {needle:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Markup, an attribute break-out, a bare ampersand and both quotes, in one text.
const HOSTILE: &str =
    r#"<script>alert(1)</script> "><img src=x onerror=alert(1)> Tom & Jerry it's "quoted""#;

/// [`HOSTILE`] as report.html must show it (spelt out, not computed with the code under test).
const HOSTILE_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; Tom &amp; Jerry it&#39;s &quot;quoted&quot;";

/// Markup, both quotes and an ampersand within the 40 characters a unit may have.
const HOSTILE_UNIT: &str = r#"<script>x</script>"'&"#;

/// [`HOSTILE_UNIT`] as report.html must show it.
const HOSTILE_UNIT_ESCAPED: &str = "&lt;script&gt;x&lt;/script&gt;&quot;&#39;&amp;";

/// A scenario with [`HOSTILE`] in every free text that report.html shows: name (the title, the
/// heading and the manifest), description, an outcome's label, a parameter's source and a
/// measure's source (the source of its uncertain threshold); [`HOSTILE_UNIT`] as the step and
/// cost units.
fn hostile_scenario(dir: &Path) -> LoadedScenario {
    let h = HOSTILE.replace('"', "\\\"");
    let u = HOSTILE_UNIT.replace('"', "\\\"");
    let text = format!(
        r#"Scenario(
    name: "{h}",
    description: "{h}",
    horizon: 20,
    step_unit: "{u}",
    cost_unit: "{u}",
    focal: ("north", "south"),
    actors: [Actor(name: "north", label: "{h}"), Actor(name: "south")],
    relations: [
        Relation(from: "north", to: "south", initial: 2.0, fatigue: 0.3, reactivity: 0.2,
                 grievance: 0.6, noise: 0.5),
        Relation(from: "south", to: "north", initial: 1.0, fatigue: 0.3, reactivity: 0.2,
                 grievance: 0.4, noise: Uniform(min: 0.2, max: 0.6, source: "{h}")),
    ],
    ladder: [
        Rung(name: "calm", threshold: -10),
        Rung(name: "tense", threshold: 2),
        Rung(name: "crisis", threshold: 4),
    ],
    levers: [
        Measure(name: "sanctions", owner: "north", target: "south", source: "{h}",
            threshold: Uniform(min: 0.5, max: 1.5),
            levels: [Level(name: "light", weight: -2.0, costs: {{"north": 1.0, "south": 2.0}})]),
    ],
    outcomes: [
        Outcome(name: "crisis", label: "{h}", when: RungAtLeast("crisis")),
    ],
)
"#
    );
    let p = dir.join("hostile.ron");
    std::fs::write(&p, text).unwrap();
    common::load(&p)
}

#[test]
fn hostile_scenario_text_is_only_escaped_in_the_report() {
    let dir = common::scratch("hostile");
    let loaded = hostile_scenario(&dir);
    let (summary, out) = run(&loaded, dir.join("out"), true);
    let charts = drawn(&loaded, &summary);
    assert!(!charts.is_empty());
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");

    // No piece of the hostile text is in the page as it was written.
    for raw in [
        HOSTILE,
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "<img",
        "Tom & Jerry",
        "it's",
        "\"quoted\"",
        HOSTILE_UNIT,
        "<script>x</script>",
    ] {
        assert!(!html.contains(raw), "report.html holds {raw:?} unescaped");
    }
    // It is in every place that shows a scenario's text, escaped.
    let (e, ue) = (HOSTILE_ESCAPED, HOSTILE_UNIT_ESCAPED);
    for place in [
        format!("<title>{e} — brink report</title>"),
        format!("<h1>{e}</h1>"),
        format!("<p class=\"lead\">{e}</p>"),
        // The actor's label, not its id.
        format!(" runs of 20 {ue}s; focal pair {e} and south; costs in {ue}.</p>"),
        format!("<th>median first {ue}</th>"),
        format!("<th>mean {ue}s on it</th>"),
        format!("<section id=\"costs\">\n<h2>Costs ({ue})</h2>"),
        format!("<tr><td>scenario</td><td class=\"long\">{e}</td></tr>"),
        // The outcome by its label (its id only in CSV and JSON), in the summary and the table.
        format!("<tr><td>{e}</td><td class=\"n big\">"),
        format!("<tr><td>{e}</td><td class=\"n\">"),
        // The measure's owner by its label.
        format!("<td>{e} → south</td>"),
        format!("<td>Uniform(0.2, 0.6)</td><td class=\"long\">{e}</td></tr>"),
        format!("<td>Uniform(0.5, 1.5)</td><td class=\"long\">{e}</td></tr>"),
    ] {
        assert!(html.contains(&place), "report.html lacks {place:?}");
    }

    // Every `&` starts a character reference: nothing was written unescaped.
    for (i, _) in html.match_indices('&') {
        let rest = &html.as_bytes()[i + 1..];
        let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
        let name = &rest[..end];
        let ok = end < rest.len()
            && end > 0
            && end <= 8
            && (name.iter().all(u8::is_ascii_alphabetic)
                || (name[0] == b'#' && name[1..].iter().all(u8::is_ascii_alphanumeric)));
        assert!(
            ok,
            "a bare & near byte {i}: {:?}",
            String::from_utf8_lossy(&rest[..rest.len().min(20)])
        );
    }
    // Every tag is one the page itself writes or one the charts' own SVG holds.
    let mut allowed: std::collections::HashSet<String> = [
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "h1",
        "h2",
        "p",
        "nav",
        "a",
        "table",
        "tr",
        "th",
        "td",
        "figure",
        "figcaption",
        "section",
        "div",
        "aside",
        "strong",
        "thead",
        "tbody",
        "ol",
        "li",
        "br",
        "code",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let tag_names = |text: &str| -> Vec<String> {
        text.match_indices('<')
            .map(|(i, _)| {
                text[i + 1..]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '?')
                    .collect::<String>()
                    .to_lowercase()
            })
            .collect()
    };
    for c in &charts {
        allowed.extend(tag_names(&c.svg));
    }
    for tag in tag_names(&html) {
        assert!(allowed.contains(&tag), "report.html has a <{tag}> tag");
    }
    // Self-contained, once the escaped text's "src=" (words, in the page and in the charts'
    // titles and footers) is taken out.
    check_self_contained(&html.replace("&lt;img src=", "&lt;img "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn richardson_charts_skip_what_it_does_not_have() {
    let dir = common::scratch("richardson");
    let loaded = common::load("scenarios/examples/richardson.ron");
    let (summary, out) = run(&loaded, dir.join("out"), true);
    let charts = drawn(&loaded, &summary);
    let names: Vec<&str> = charts.iter().map(|c| c.name).collect();
    // No levers and no costs in the plain Richardson pair, and one outcome: nothing to
    // co-occur with.
    assert_eq!(
        names,
        [
            "index_fan",
            "rung_probabilities",
            "outcome_probabilities",
            "time_to_outcome",
            "outcomes_over_time",
            "convergence"
        ]
    );
    for c in &charts {
        common::check_png(&out.join(format!("{}.png", c.name)), HEIGHT..=u32::MAX);
        check_svg(&out.join(format!("{}.svg", c.name)), &c.title);
    }
    // The text check is live: the same chart with its title band painted white fails it.
    let mut img = image::open(out.join("index_fan.png")).unwrap().to_rgb8();
    for y in 0..44 {
        for x in 0..WIDTH {
            img.put_pixel(x, y, image::Rgb([255, 255, 255]));
        }
    }
    let blanked = dir.join("blanked.png");
    img.save(&blanked).unwrap();
    assert!(std::panic::catch_unwind(|| common::check_png(&blanked, HEIGHT..=HEIGHT)).is_err());
    assert!(!out.join("levers.png").exists());
    assert!(!out.join("costs.svg").exists());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    check_self_contained(&html);
    assert!(html.contains("Richardson pair"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_charts_means_no_chart_files() {
    let dir = common::scratch("nocharts");
    let loaded = common::load("scenarios/examples/richardson.ron");
    let (_, out) = run(&loaded, dir.join("out"), false);
    assert!(out.join("summary.json").exists());
    assert!(!out.join("report.html").exists());
    assert!(!out.join("index_fan.png").exists());
    assert!(!out.join("index_fan.svg").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn drawing_twice_gives_identical_bytes() {
    let dir = common::scratch("twice");
    let loaded = small_scenario(&dir);
    let (s1, out1) = run(&loaded, dir.join("a"), true);
    let (s2, out2) = run(&loaded, dir.join("b"), true);
    assert_eq!(s1, s2);
    for name in ALL_CHARTS {
        for ext in ["png", "svg"] {
            let f = format!("{name}.{ext}");
            assert!(
                std::fs::read(out1.join(&f)).unwrap() == std::fs::read(out2.join(&f)).unwrap(),
                "{f} differs between two identical runs"
            );
        }
    }
    assert_eq!(
        std::fs::read(out1.join("report.html")).unwrap(),
        std::fs::read(out2.join("report.html")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Found by a reviewing helper: at 128 outcomes the co-occurrence chart drew the columns past
/// the 61st on one spot at its right edge, without a word, and the outcome chart's rows were
/// 3 pixels high under 7-pixel labels. The one widens, the other grows taller.
#[test]
fn many_outcomes_keep_a_column_and_a_row_each() {
    let dir = common::scratch("many-outcomes");
    let text = std::fs::read_to_string("scenarios/examples/richardson.ron").unwrap();
    // With the scenario's own, the limit of 128.
    let n = 127;
    let many: String = (0..n)
        .map(|i| {
            format!(
                "        Outcome(name: \"o{i}\", when: IndexAbove({}.0)),\n",
                i % 9
            )
        })
        .collect();
    let text = text.replacen("    outcomes: [\n", &format!("    outcomes: [\n{many}"), 1);
    let file = dir.join("many.ron");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    common::ok(&[
        "run",
        file.to_str().unwrap(),
        "--runs",
        "30",
        "--out",
        out.to_str().unwrap(),
    ]);
    let size = |svg: &str| -> (f64, f64) {
        let attr = |name: &str| {
            let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            svg[at..].split('"').next().unwrap().parse::<f64>().unwrap()
        };
        (attr("width"), attr("height"))
    };
    let co = std::fs::read_to_string(out.join("co_occurrence.svg")).unwrap();
    let (w, _) = size(&co);
    // The column numbers, 1 to n+1 (the scenario's own outcome too), on the top line of
    // numbers, each at its own place.
    let numbers: Vec<(f64, f64, usize)> = co
        .split("<text x=\"")
        .skip(1)
        .filter_map(|t| {
            let x: f64 = t.split('"').next()?.parse().ok()?;
            let y: f64 = t.split_once("y=\"")?.1.split('"').next()?.parse().ok()?;
            let label = t.split_once('>')?.1.split_once("</text>")?.0.trim();
            Some((x, y, label.parse::<usize>().ok()?))
        })
        .collect();
    let top = numbers.iter().map(|n| n.1).fold(f64::INFINITY, f64::min);
    let mut on_top: Vec<(usize, f64)> = numbers
        .iter()
        .filter(|n| n.1 == top)
        .map(|n| (n.2, n.0))
        .collect();
    on_top.sort_by_key(|n| n.0);
    let columns: Vec<f64> = on_top.iter().map(|n| n.1).collect();
    // Three-digit numbers do not fit a 14-pixel column even in the smallest type: every
    // other one is shown (the first, then the even ones), each clear of the next (they ran
    // together into one row of digits, found by a reviewing helper at 60 outcomes).
    let shown: Vec<usize> = on_top.iter().map(|n| n.0).collect();
    let every: Vec<usize> = (1..=n + 1).filter(|&c| c == 1 || c % 2 == 0).collect();
    assert_eq!(shown, every, "the column numbers shown");
    assert!(
        columns.windows(2).all(|p| p[1] - p[0] >= 13.0),
        "{columns:?}"
    );
    // Each number sits over its own column: the columns are evenly spaced.
    let step = (columns[2] - columns[1]) / 2.0;
    for (c, x) in shown.iter().zip(&columns) {
        let want = columns[0] + (*c as f64 - 1.0) * step;
        assert!((x - want).abs() < 1.0, "column {c} at {x}, not {want}");
    }
    assert!(columns.last().unwrap() < &w, "{columns:?} on {w}");
    let outcomes = std::fs::read_to_string(out.join("outcome_probabilities.svg")).unwrap();
    let (_, h) = size(&outcomes);
    assert!(h >= 22.0 * n as f64, "{h} pixels for {n} outcomes");
}

/// The fan chart says when its median lies on a rung few runs are on: the flagship ends split
/// between calm and rupture, the median of H on "acute crisis" between them.
#[test]
fn the_fan_chart_says_when_the_runs_split() {
    let fan_words = |path: &str, runs: u64| {
        let loaded = common::load(path);
        let r = brink::Simulation::new(&loaded)
            .runs(runs)
            .seed(0)
            .threads(2)
            .run()
            .expect("run");
        let charts = charts::render_all(&r.model, &r.summary).expect("draw");
        let fan = charts.iter().find(|c| c.name == "index_fan").unwrap();
        (r.summary, fan.svg.clone())
    };
    let (s, svg) = fan_words("scenarios/russia_azerbaijan_2025.ron", 2000);
    let last = s.rung_by_step.last().unwrap();
    // The premise, read from the summary: fewer runs on the median's rung than on either side.
    assert!(last[3] < last[1] && last[3] < last[5], "{last:?}");
    let text: String = svg
        .split('>')
        .filter_map(|t| t.split('<').next())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("The runs split: in week 51,"), "{text}");
    assert!(
        text.contains("on Acute crisis, where the median lies"),
        "{text}"
    );
    // Richardson's pair ends on one peak: no such words.
    let (_, plain) = fan_words("scenarios/examples/richardson.ron", 400);
    assert!(!plain.contains("The runs split"));
}
