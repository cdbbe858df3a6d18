//! The report layer of back-tests and calibrations: the files each writes (JSON, CSV tables,
//! charts with the observations marked, report.html on the analysis pages' template) and the
//! readable summaries, on a real tiny case (the synthetic SBC pair with a timeline built here),
//! and the pages `brink backtest` (with --cross-validate) and `brink calibrate` write.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use brink::analysis::backtest::{
    Backtest, PIT_BINS, ParticleDraws, RunSpec, backtest_case, combine, compile_case,
};
use brink::analysis::calibrate::{Calibration, Settings, calibrate, targets};
use brink::report::backtest::{CASES_HEADER, FACTS_HEADER};
use brink::report::calibrate::SUMMARY_HEADER;
use brink::report::history::{CaseContext, HistoryContext};
use brink::report::html::ReportOptions;
use brink::scenario::LoadedScenario;
use brink::scenario::timeline::{Fact, Observed, Target, Timeline};

const PAIR: &str = "scenarios/examples/sbc_pair.ron";

/// The label the timelines give the fact `first_cooled` (the page shows it, not the id).
const FIRST_COOLED: &str = "First week below “tense”";

/// Text as an SVG holds it (the charts escape `&`, `<`, `>` and quotes).
fn escape_text(t: &str) -> String {
    brink::report::html::escape(t)
}

fn fact(name: &str, observed: Observed) -> Fact {
    Fact {
        name: name.into(),
        label: if name == "first_cooled" {
            FIRST_COOLED.into()
        } else {
            String::new()
        },
        observed,
        source: format!("test source of {name}"),
    }
}

/// A timeline of the pair (start 2030-01-07, weekly, 30 weeks): the rung on two dates, the
/// week it first cooled below "tense" (± 1 week), and a yes/no fact.
fn timeline(name: &str, cooled: &str) -> Timeline {
    Timeline {
        name: name.into(),
        label: format!("Pair case {name}"),
        scenario: "sbc_pair.ron".into(),
        sources: vec!["test timeline source (both cases)".into()],
        facts: vec![
            fact(
                "tense_in_february",
                Observed::RungOn {
                    rung: "tense".into(),
                    date: "2030-02-04".into(),
                },
            ),
            fact(
                "calm_in_march",
                Observed::RungOn {
                    rung: "calm".into(),
                    date: "2030-03-04".into(),
                },
            ),
            fact(
                "first_cooled",
                Observed::Happened {
                    what: Target::Outcome("cooled".into()),
                    date: cooled.into(),
                    until: None,
                    tolerance: 1,
                },
            ),
            fact(
                "cooled_by_june",
                Observed::HappenedBy {
                    what: Target::Outcome("cooled".into()),
                    date: "2030-06-03".into(),
                },
            ),
        ],
    }
}

fn loaded() -> LoadedScenario {
    common::load(PAIR)
}

/// A back-test of two cases of the pair (as `brink backtest` would run them).
fn backtest(posterior: Option<String>) -> Backtest {
    let l = loaded();
    let spec = RunSpec {
        seed: 11,
        runs: 1500,
        threads: 2,
        command: vec!["brink".into(), "backtest".into()],
    };
    let stop = AtomicBool::new(false);
    let cases = [("pair_early", "2030-02-11"), ("pair_late", "2030-04-01")]
        .iter()
        .map(|(name, date)| {
            let case = compile_case(&l.scenario, &timeline(name, date)).expect("case compiles");
            backtest_case(&l, &case, &ParticleDraws::default(), &spec, &stop).expect("back-test")
        })
        .collect();
    combine(cases, posterior)
}

/// A back-test of one case of the pair: 300 runs.
fn one_case(l: &LoadedScenario, t: &Timeline) -> Backtest {
    let spec = RunSpec {
        seed: 11,
        runs: 300,
        threads: 2,
        command: vec!["brink".into(), "backtest".into()],
    };
    let case = compile_case(&l.scenario, t).expect("case compiles");
    let stop = AtomicBool::new(false);
    let one = backtest_case(l, &case, &ParticleDraws::default(), &spec, &stop).expect("run");
    combine(vec![one], None)
}

/// The two cases' timelines of [`backtest`].
fn timelines() -> Vec<Timeline> {
    vec![
        timeline("pair_early", "2030-02-11"),
        timeline("pair_late", "2030-04-01"),
    ]
}

/// What the pages show of the cases: the pair and `timelines`, with made-up files and hashes.
fn context<'a>(l: &'a LoadedScenario, timelines: &'a [Timeline]) -> HistoryContext<'a> {
    HistoryContext {
        cases: timelines
            .iter()
            .map(|t| CaseContext {
                scenario: &l.scenario,
                timeline: t,
                scenario_file: PAIR.into(),
                scenario_hash: l.hash.clone(),
                timeline_file: format!("{}.timeline.ron", t.name),
                timeline_hash: format!("hash-of-{}", t.name),
            })
            .collect(),
        command: vec!["brink".into(), "backtest".into()],
        set: vec![],
        options: ReportOptions {
            title: Some("Desk brief <no. 7>".into()),
            date: Some("2031-05-06".into()),
        },
    }
}

/// Asserts a page's sections come in the template's order (the summary first, the manifest
/// last) and that it references nothing outside itself.
fn check_page(html: &str) {
    let at = |id: &str| {
        html.find(&format!("<section id=\"{id}\">"))
            .unwrap_or_else(|| panic!("report.html lacks the section {id}"))
    };
    let order = [
        "summary",
        "charts",
        "tables",
        "method",
        "ledger",
        "bibliography",
        "manifest",
    ];
    for w in order.windows(2) {
        assert!(at(w[0]) < at(w[1]), "{} is not before {}", w[0], w[1]);
    }
    assert!(
        html.find("<main>").unwrap() < at("summary") && !html[..at("summary")].contains("<table"),
        "the summary is the first thing on the page"
    );
    let lower = html.to_lowercase();
    for bad in [
        "http://", "https://", "src=", "<script", "<link", "<img", "url(",
    ] {
        assert!(!lower.contains(bad), "report.html contains {bad}");
    }
    // The title of the brief, escaped, and the analysis date and version on the page.
    assert!(html.contains("<h1>Desk brief &lt;no. 7&gt;</h1>"));
    assert!(html.contains("analysis of 2031-05-06 (UTC)"));
    assert!(html.contains(&format!("brink {}", env!("CARGO_PKG_VERSION"))));
    // The shared style sheet, its print rules included.
    assert!(html.contains("@media print"));
}

/// The `(width, height)` an SVG file declares.
fn svg_size(svg: &str) -> (String, String) {
    let attr = |name: &str| {
        let key = format!(" {name}=\"");
        let start = svg.find(&key).unwrap() + key.len();
        svg[start..start + svg[start..].find('"').unwrap()].to_string()
    };
    (attr("width"), attr("height"))
}

/// Asserts every chart the files hold has its figure in the page, at the chart's own size.
fn check_figures(html: &str, names: &BTreeMap<String, Vec<u8>>) -> usize {
    let mut n = 0;
    for (name, bytes) in names {
        let Some(stem) = name.strip_suffix(".svg") else {
            continue;
        };
        let at = html
            .find(&format!("<figure id=\"chart-{stem}\">"))
            .unwrap_or_else(|| panic!("report.html has no figure for {name}"));
        let (w, h) = svg_size(&String::from_utf8_lossy(bytes));
        let svg = &html[at..];
        let svg = &svg[svg.find("<svg").unwrap()..];
        assert!(
            svg.starts_with(&format!("<svg viewBox=\"0 0 {w} {h}\"")),
            "the figure of {stem} is not at its chart's size {w} × {h}"
        );
        n += 1;
    }
    assert_eq!(html.matches("<figure").count(), n, "a figure per chart");
    n
}

/// A short calibration of the pair's shared fatigue on one case.
fn calibration() -> Calibration {
    let l = loaded();
    let case = compile_case(&l.scenario, &timeline("pair_early", "2030-02-11")).unwrap();
    let cases = [case];
    let t = targets(&cases, &["shared.fatigue.value".to_string()]).unwrap();
    let settings = Settings {
        particles: 60,
        sims: 2,
        seed: 3,
        threads: 2,
        max_generations: 3,
        min_acceptance: 0.0,
        ess_keep: 0.9,
        target_tolerance: 0.0,
    };
    calibrate(&cases, &t, &settings, &AtomicBool::new(false), |_| {}).expect("calibration")
}

/// The files, written into a scratch folder; returns their names and the folder.
fn write(
    name: &str,
    files: &[brink::report::Artifact],
) -> (BTreeMap<String, Vec<u8>>, std::path::PathBuf) {
    let dir = common::scratch(name);
    let mut map = BTreeMap::new();
    for f in files {
        assert!(
            map.insert(f.name.clone(), f.bytes.clone()).is_none(),
            "{} written twice",
            f.name
        );
        std::fs::write(dir.join(&f.name), &f.bytes).unwrap();
    }
    (map, dir)
}

/// A CSV's header and rows.
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn backtest_files_tables_and_charts() {
    let b = backtest(None);
    let l = loaded();
    let tl = timelines();
    let ctx = context(&l, &tl);
    let files = brink::report::backtest::files(&b, None, &ctx, true).expect("files");
    let (names, dir) = write("backtest", &files);
    for n in [
        "backtest.json",
        "facts.csv",
        "cases.csv",
        "pit.csv",
        "report.html",
        "pit_histogram.png",
        "pit_histogram.svg",
    ] {
        assert!(names.contains_key(n), "{n} missing: {:?}", names.keys());
    }
    for case in ["pair_early", "pair_late"] {
        for chart in ["time_to_fact", "mood", "rungs"] {
            for ext in ["png", "svg"] {
                let n = format!("{case}_{chart}.{ext}");
                assert!(names.contains_key(&n), "{n} missing: {:?}", names.keys());
            }
        }
    }
    // backtest.json is the whole back-test.
    let back: Backtest =
        serde_json::from_slice(&names["backtest.json"]).expect("backtest.json parses");
    assert_eq!(back, b);
    // With the files it was made from (found by a reviewing helper: without report.html
    // nothing said which timeline was scored).
    let raw: serde_json::Value = serde_json::from_slice(&names["backtest.json"]).unwrap();
    let inputs = raw["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), ctx.cases.len());
    for (i, c) in inputs.iter().zip(&ctx.cases) {
        assert_eq!(i["case"], c.name());
        assert_eq!(i["timeline_file"], c.timeline_file.as_str());
        assert_eq!(i["timeline_sha256"], c.timeline_hash.as_str());
        assert_eq!(i["scenario_sha256"], c.scenario_hash.as_str());
    }

    let (h, rows) = csv(&dir.join("facts.csv"));
    assert_eq!(h, FACTS_HEADER);
    assert_eq!(rows.len(), 8, "two cases of four facts");
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    for r in &rows {
        let kind = &r[col("kind")];
        let banded = kind != "yes/no";
        assert_eq!(!r[col("in_80")].is_empty(), banded, "{r:?}");
        assert_eq!(!r[col("pit_low")].is_empty(), banded, "{r:?}");
        assert_eq!(!r[col("never_probability")].is_empty(), kind == "dated");
        assert!(r[col("source")].starts_with("test source of "));
        let p: f64 = r[col("probability")].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    assert!(rows.iter().any(|r| r[col("fact")] == "first_cooled"));

    let (h, rows) = csv(&dir.join("cases.csv"));
    assert_eq!(h, CASES_HEADER);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], "pair_early");
    assert_eq!(rows[0][1], "4");
    assert_eq!(rows[0][2], "3", "three facts have bands");
    assert_eq!(rows[1][0], "pair_late");
    assert_eq!(rows[0][h.len() - 2], "1500");

    let (h, rows) = csv(&dir.join("pit.csv"));
    assert_eq!(
        h,
        ["bin_low", "bin_high", "share", "share_low", "share_high"]
    );
    assert_eq!(rows.len(), PIT_BINS);
    let total: f64 = rows.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9, "PIT shares sum to {total}");
    // Each share with Wilson's interval over the facts (a fractional count where a discrete
    // fact spreads over bins).
    let b: Backtest =
        serde_json::from_str(&std::fs::read_to_string(dir.join("backtest.json")).unwrap()).unwrap();
    assert_eq!(b.pit_histogram_interval.len(), PIT_BINS);
    for (i, r) in rows.iter().enumerate() {
        let [p, low, high] = [2, 3, 4].map(|j| r[j].parse::<f64>().unwrap());
        let w = brink::stats::wilson_effective(p, b.pit_facts as f64, brink::stats::Z95);
        assert_eq!((low, high), (w.low, w.high), "bin {i}");
        assert!(low <= p && p <= high && high > low, "bin {i}: {r:?}");
        assert_eq!(b.pit_interval(i), w);
    }

    // The charts: readable PNGs, SVGs with the observations marked.
    for case in ["pair_early", "pair_late"] {
        let svg = common::check_svg(&dir.join(format!("{case}_time_to_fact.svg")));
        assert!(svg.contains(case), "the title names the case");
        assert!(
            svg.contains("observed date"),
            "time_to_fact marks the observed date"
        );
        assert!(
            svg.contains(&escape_text(FIRST_COOLED)) && !svg.contains("first_cooled"),
            "time_to_fact names the dated fact by its label"
        );
        // The mood: the fan chart of H, with the observations on it.
        let svg = common::check_svg(&dir.join(format!("{case}_mood.svg")));
        assert!(svg.contains("index H"), "the mood chart is the fan of H");
        assert!(svg.contains("median by week") && svg.contains("middle 90% of runs"));
        assert!(svg.contains("observed rung") && svg.contains("observed date"));
        assert!(
            svg.contains("tense_in_february: tense") && svg.contains("calm_in_march: calm"),
            "the mood chart marks each observed rung"
        );
        assert!(
            svg.contains(&escape_text(FIRST_COOLED)),
            "the mood chart ticks the dated fact by its label"
        );
        // The shares of runs on each rung, with the same observations.
        let svg = common::check_svg(&dir.join(format!("{case}_rungs.svg")));
        assert!(svg.contains("share of runs on each rung"));
        assert!(
            svg.contains("tense_in_february: tense") && svg.contains("calm_in_march: calm"),
            "the rung chart marks each observed rung"
        );
        assert!(svg.contains(&escape_text(FIRST_COOLED)));
        for chart in ["time_to_fact", "mood", "rungs"] {
            common::check_png(&dir.join(format!("{case}_{chart}.png")), 600..=1600);
        }
    }
    let svg = common::check_svg(&dir.join("pit_histogram.svg"));
    assert!(svg.contains(&format!("PIT histogram over {} facts", b.pit_facts)));
    common::check_png(&dir.join("pit_histogram.png"), 600..=600);

    // The page: summary first, every case, every fact by its label, every chart inline at its
    // own size, nothing fetched.
    let html = String::from_utf8(names["report.html"].clone()).unwrap();
    check_page(&html);
    assert_eq!(
        check_figures(&html, &names),
        7,
        "three charts per case and the PIT"
    );
    let summary = &html[..html.find("<section id=\"charts\">").unwrap()];
    for s in [
        "inside the central 80% band",
        &format!("of {}", b.banded_facts),
        "mean log score",
        &format!("{:.3}", b.mean_log_score),
        "Pair case pair_early",
        "Pair case pair_late",
        "P(whole path)",
        // The caveats: the back-test's own, first what its figures are (the shared paragraph,
        // "the share of runs in which the thing happened", misread them).
        "Scores, not probabilities.",
        "Few facts.",
        // True of any timeline (these are a test's own cases, not brink's development ones).
        "Cases the scenario knows. A scenario written with a crisis in mind",
        "One history.",
        "Every number was drawn from its prior",
    ] {
        assert!(summary.contains(s), "the summary lacks {s:?}");
    }
    assert!(
        !summary.contains("conditional scenario probabilities, not forecasts"),
        "the shared paragraph on a page of scores"
    );
    assert!(!summary.contains("held-out"), "no cross-validation here");
    let tables = &html[html.find("<section id=\"tables\">").unwrap()..];
    for f in [
        "tense_in_february",
        "calm_in_march",
        "cooled_by_june",
        FIRST_COOLED,
    ] {
        assert!(
            tables.contains(&format!("<td>{f}</td>"))
                || tables.contains(&format!(
                    "<td>{}</td>",
                    f.replace('“', "&#8220;").replace('”', "&#8221;")
                )),
            "the facts tables lack {f}"
        );
    }
    assert!(
        !tables.contains("<td>first_cooled</td>"),
        "a fact with a label is shown by it, not its id"
    );
    assert!(tables.contains("test source of first_cooled"));
    assert!(tables.contains("Czado, Gneiting &amp; Held 2009"));
    // The ledger by case, the sources once, the files and their hashes.
    assert!(html.contains("Pair case pair_late › "));
    assert_eq!(
        html.matches("test timeline source (both cases)").count(),
        1,
        "a source both timelines give is listed once"
    );
    let manifest = &html[html.find("<section id=\"manifest\">").unwrap()..];
    for s in [
        "pair_late: timeline file SHA-256",
        "hash-of-pair_late",
        &l.hash,
        "brink backtest",
        "runs per case",
    ] {
        assert!(manifest.contains(s), "the manifest lacks {s:?}");
    }

    // Without charts: the tables only.
    let bare = brink::report::backtest::files(&b, None, &ctx, false).unwrap();
    let bare: Vec<&str> = bare.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(bare, ["backtest.json", "facts.csv", "cases.csv", "pit.csv"]);
}

#[test]
fn backtest_text_and_posterior() {
    let b = backtest(Some("out/calibration".into()));
    let t = brink::report::backtest::text(&b);
    for f in [
        "tense_in_february",
        "calm_in_march",
        FIRST_COOLED,
        "cooled_by_june",
        "pair_early",
        "pair_late",
        "path probability",
        "coverage:",
        "mean log score",
        "PIT histogram",
        "out/calibration",
    ] {
        assert!(t.contains(f), "the text lacks {f}:\n{t}");
    }
    eprintln!("{t}");
    let l = loaded();
    let tl = timelines();
    let files = brink::report::backtest::files(&b, None, &context(&l, &tl), true).unwrap();
    let html = files.iter().find(|f| f.name == "report.html").unwrap();
    let html = String::from_utf8(html.bytes.clone()).unwrap();
    assert!(
        html.contains("took the calibrated numbers from the posterior of out&#47;calibration")
            || html.contains("took the calibrated numbers from the posterior of out/calibration"),
        "report.html says where the numbers came from"
    );
}

#[test]
fn case_names_become_safe_unique_stems() {
    let mut b = backtest(None);
    b.cases[0].case = "../a b".into();
    b.cases[1].case = "../a b".into();
    assert_eq!(
        brink::report::backtest::case_stems(&b),
        ["___a_b", "___a_b_2"]
    );
    let l = loaded();
    let tl = timelines();
    let files = brink::report::backtest::files(&b, None, &context(&l, &tl), true).unwrap();
    for f in &files {
        assert!(
            !f.name.contains('/') && !f.name.contains(' ') && !f.name.starts_with('.'),
            "unsafe file name {:?}",
            f.name
        );
    }
    assert!(files.iter().any(|f| f.name == "___a_b_2_mood.svg"));
}

#[test]
fn calibration_files_tables_chart_and_text() {
    let c = calibration();
    let calibrated = vec![(
        "pair_early.calibrated.ron".to_string(),
        "Scenario(name: \"x\")\n".to_string(),
    )];
    let l = loaded();
    let tl = timelines();
    let ctx = context(&l, &tl[..1]);
    let files = brink::report::calibrate::files(&c, &calibrated, &ctx, true).expect("files");
    let (names, dir) = write("calibrate", &files);
    let expected = [
        "calibration.json",
        "generations.csv",
        "pair_early.calibrated.ron",
        "posterior.csv",
        "posterior_summary.csv",
        "prior_posterior.png",
        "prior_posterior.svg",
        "report.html",
    ];
    assert_eq!(
        names.keys().map(String::as_str).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        names["pair_early.calibrated.ron"],
        b"Scenario(name: \"x\")\n"
    );
    let back: serde_json::Value = serde_json::from_slice(&names["calibration.json"]).unwrap();
    assert_eq!(back["params"][0]["spec"], "shared.fatigue.value");
    assert_eq!(back["inputs"][0]["case"], ctx.cases[0].name());
    assert_eq!(
        back["inputs"][0]["timeline_sha256"],
        ctx.cases[0].timeline_hash.as_str()
    );

    let (h, rows) = csv(&dir.join("posterior.csv"));
    assert_eq!(h, ["particle", "weight", "shared.fatigue.value"]);
    assert_eq!(rows.len(), c.particles.len());
    let w: f64 = rows.iter().map(|r| r[1].parse::<f64>().unwrap()).sum();
    assert!((w - 1.0).abs() < 1e-9, "weights sum to {w}");
    for r in &rows {
        let x: f64 = r[2].parse().unwrap();
        assert!((0.03..=0.4).contains(&x), "fatigue {x} outside its prior");
    }

    let (h, rows) = csv(&dir.join("posterior_summary.csv"));
    assert_eq!(h, SUMMARY_HEADER);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "shared.fatigue.value");
    assert_eq!(rows[0][2], "pair_early");
    assert_eq!(rows[0][3], "false");

    let (h, rows) = csv(&dir.join("generations.csv"));
    assert_eq!(
        h,
        [
            "generation",
            "tolerance",
            "ess",
            "acceptance",
            "resampled",
            "simulations"
        ]
    );
    assert_eq!(rows.len(), c.generations.len());
    assert_eq!(rows[0][0], "0");
    assert_eq!(rows[0][3], "", "generation 0 moves nothing");
    // Its tolerance is infinite (every particle accepted): empty, as calibration.json's null,
    // never the text `inf` (a reviewing helper).
    assert_eq!(rows[0][1], "", "generation 0's tolerance");
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[1].parse::<f64>().is_ok_and(f64::is_finite))
    );

    let svg = common::check_svg(&dir.join("prior_posterior.svg"));
    assert!(
        svg.contains("Weekly fade of both hostilities (shared)")
            && !svg.contains("shared.fatigue.value"),
        "the panel is titled by the number in words"
    );
    assert!(svg.contains("prior") && svg.contains("posterior"));
    assert!(svg.contains("<rect"), "the posterior is drawn as bars");
    common::check_png(&dir.join("prior_posterior.png"), 600..=2000);

    // The page: prior against posterior and how it ran first, the ABC caveats, the chart,
    // the generations and the posterior table.
    let html = String::from_utf8(names["report.html"].clone()).unwrap();
    check_page(&html);
    assert_eq!(check_figures(&html, &names), 1);
    let summary = &html[..html.find("<section id=\"charts\">").unwrap()];
    let p = &c.params[0];
    // The posterior mean and sd to the decimals of two significant figures of the sd.
    let decimals = (1 - p.sd.log10().floor() as i32).max(0) as usize;
    let mean_sd = format!("{:.decimals$} ± {:.decimals$}", p.mean, p.sd);
    for s in [
        "Each number: prior → posterior",
        "Weekly fade of both hostilities (shared)",
        &mean_sd,
        "sd ratio",
        &c.stop_reason,
        "Final tolerance",
        "An ABC posterior given these cases.",
        "The tolerance is not zero.",
        "conditional scenario probabilities, not forecasts",
    ] {
        assert!(summary.contains(s), "the summary lacks {s:?}");
    }
    let tables = &html[html.find("<section id=\"tables\">").unwrap()..];
    for s in [
        "<h3>Generations</h3>",
        "<h3>Posterior summary</h3>",
        "shared.fatigue.value",
        "Del Moral, Doucet &amp; Jasra (2012)",
        "Pair case pair_early › ",
        "test timeline source (both cases)",
        "pair_early: timeline file SHA-256",
    ] {
        assert!(tables.contains(s), "the page lacks {s:?}");
    }
    assert_eq!(
        tables.matches("<h3>Posterior summary</h3>").count(),
        1,
        "one posterior table"
    );

    let t = brink::report::calibrate::text(&c);
    for s in [
        "generation",
        "tolerance",
        "ESS",
        "acceptance",
        "stopped:",
        "shared.fatigue.value",
        "prior mean ± sd",
        "90% interval",
        "simulated runs",
        &c.stop_reason,
    ] {
        assert!(t.contains(s), "the text lacks {s}:\n{t}");
    }
    eprintln!("{t}");

    // Without charts, no chart; names that are not plain file names are refused.
    let bare = brink::report::calibrate::files(&c, &[], &ctx, false).unwrap();
    assert_eq!(bare.len(), 4);
    for bad in ["../x.ron", "a/b.ron", ".hidden.ron", "", "posterior.csv"] {
        let r =
            brink::report::calibrate::files(&c, &[(bad.to_string(), String::new())], &ctx, false);
        assert!(r.is_err(), "{bad:?} accepted");
    }
    // A name given twice: once for the same text, numbered for another.
    let twice = |second: &str| {
        let v = vec![
            ("a.ron".to_string(), "first".to_string()),
            ("a.ron".to_string(), second.to_string()),
        ];
        brink::report::calibrate::files(&c, &v, &ctx, false)
            .unwrap()
            .into_iter()
            .skip(4)
            .map(|f| (f.name, String::from_utf8(f.bytes).unwrap()))
            .collect::<Vec<_>>()
    };
    assert_eq!(twice("first"), [("a.ron".into(), "first".into())]);
    assert_eq!(
        twice("second"),
        [
            ("a.ron".to_string(), "first".to_string()),
            ("a-2.ron".to_string(), "second".to_string())
        ]
    );
}

#[test]
fn several_numbers_draw_several_panels() {
    let mut c = calibration();
    // A second (fictitious) number: the panels grow a column.
    let mut p = c.params[0].clone();
    p.spec = "pair_early:relations[0].reactivity".into();
    p.path = "relations[0].reactivity".into();
    c.params.push(p);
    for row in &mut c.particles {
        let x = row[0];
        row.push(x * 2.0);
    }
    let l = loaded();
    let tl = timelines();
    let files = brink::report::calibrate::files(&c, &[], &context(&l, &tl[..1]), true).unwrap();
    let svg = files
        .iter()
        .find(|f| f.name == "prior_posterior.svg")
        .unwrap();
    let svg = String::from_utf8(svg.bytes.clone()).unwrap();
    // Each panel named in words: an unknown path as it is, a shared number by its label.
    assert!(svg.contains("relations[0] › reactivity"));
    assert!(svg.contains("Weekly fade of both hostilities (shared)"));
    let (_, rows) = {
        let dir = common::scratch("two");
        for f in &files {
            std::fs::write(dir.join(&f.name), &f.bytes).unwrap();
        }
        csv(&dir.join("posterior.csv"))
    };
    assert_eq!(rows[0].len(), 4);
}

/// `brink backtest --cross-validate` and `brink calibrate` write their pages, with
/// `--report-title`, the cases by their labels and (after a cross-validation) the held-out
/// table; few runs and particles.
#[test]
fn commands_write_their_pages() {
    let dir = common::scratch("commands");
    let turkey = "scenarios/history/russia_turkey_2015.timeline.ron";
    let georgia = "scenarios/history/russia_georgia_2006.timeline.ron";
    let abc = [
        "--params",
        "shared.fatigue.value",
        "--particles",
        "12",
        "--sims",
        "1",
        "--max-generations",
        "1",
    ];
    let out = dir.join("cv");
    let mut args = vec![
        "backtest",
        "--cross-validate",
        "--runs",
        "200",
        "--report-title",
        "Brief on history",
        turkey,
        georgia,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(abc);
    // Numbers of one case each transfer nothing to the case left out: refused, not scored
    // with the priors as if calibrated.
    let own = "russia_turkey_2015:shared.fatigue.value";
    let refused: Vec<&str> = args
        .iter()
        .map(|a| if *a == abc[1] { own } else { a })
        .collect();
    let o = common::brink(&refused);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("names only numbers of one case each"), "{err}");
    assert!(!out.exists());
    // A shared path only one case has is carried to no case either; refused before the
    // output folder is looked at (a folder of the user's there would be named first).
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "the user's").unwrap();
    let one: Vec<&str> = args
        .iter()
        .map(|a| {
            if *a == abc[1] {
                "actors.turkey.sensitivity"
            } else {
                a
            }
        })
        .collect();
    let o = common::brink(&one);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("names no number that two cases have"), "{err}");
    assert_eq!(common::names(&out), vec!["mine.txt".to_string()]);
    std::fs::remove_dir_all(&out).unwrap();
    common::ok(&args);
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let summary = &html[..html.find("<section id=\"charts\">").unwrap()];
    assert!(summary.contains("<h1>Brief on history</h1>"));
    assert!(summary.contains("Each case left out: priors → calibrated on the others"));
    assert!(summary.contains("all held-out facts"));
    // One number calibrated: "was"; the caveat for scores of cases left out.
    assert!(html.contains("shared.fatigue.value was calibrated on the other cases"));
    assert!(summary.contains("Each case left out was scored with numbers calibrated without it"));
    assert!(summary.contains("Russia–Turkey, 24 Nov 2015 – 1 Jan 2018"));
    // A fact by its label, not its id.
    assert!(html.contains("<td>TurkStream negotiations suspended</td>"));
    assert!(!html.contains("<td>turkstream_suspended</td>"));
    for f in common::names(&out) {
        if let Some(stem) = f.strip_suffix(".svg") {
            assert!(
                html.contains(&format!("<figure id=\"chart-{stem}\">")),
                "no figure for {f}"
            );
        }
    }
    assert!(!html.contains("https://") && !html.contains("http://"));

    let out = dir.join("cal");
    let mut args = vec![
        "calibrate",
        "--timelines",
        turkey,
        "--report-title",
        "Brief on calibration",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(abc);
    common::ok(&args);
    let html = std::fs::read_to_string(out.join("report.html")).expect("calibrate's report.html");
    assert!(html.contains("<h1>Brief on calibration</h1>"));
    assert!(html.contains("<h3>Posterior summary</h3>"));
    assert!(html.contains("Weekly fatigue of both focal hostilities (shared)"));
    assert!(html.contains("<figure id=\"chart-prior_posterior\">"));
    assert!(!html.contains("https://") && !html.contains("http://"));
}

/// Found by a reviewing helper: an observed rung above every run's H (the Russia–Azerbaijan
/// case's "acute crisis" on 1 July 2025, its runs near "cool") was marked at the chart's top
/// edge, inside the band below it, with "above the chart" cut from its label. The axis now
/// reaches every observed rung's band.
#[test]
fn the_mood_chart_shows_every_observed_rung_in_its_band() {
    let dir = common::scratch("mood-in-band");
    let o = common::brink(&[
        "backtest",
        "scenarios/history/russia_azerbaijan_2024.timeline.ron",
        "--runs",
        "300",
        "--out",
        dir.join("b").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::describe(&o));
    let svg = common::check_svg(&dir.join("b/russia_azerbaijan_2024_mood.svg"));
    assert!(
        svg.contains("Acute crisis ("),
        "the observed rung is marked"
    );
    assert!(
        !svg.contains("above the chart") && !svg.contains("below the chart"),
        "an observed rung off the chart"
    );
}

/// A back-test of a calibrated copy (`brink calibrate --apply-to`) says which numbers are a
/// calibration's posterior: its page read "Every number was drawn from its prior", the same
/// words as the priors' back-test (found by a reviewing helper).
#[test]
fn a_calibrated_copy_is_not_told_as_priors() {
    use brink::report::calibrated::CALIBRATED_BY;
    use brink::scenario::param::{Dist, Param};
    let b = backtest(None);
    let tl = timelines();
    let l = loaded();
    let priors = context(&l, &tl).drawn_words();
    assert_eq!(
        priors,
        "Every number was drawn from its prior, as the scenario writes it."
    );
    let mut calibrated = loaded();
    let mut paths = vec![];
    brink::scenario::paths::for_each_param(&mut calibrated.scenario, &mut |site, p| {
        if let Param::Dist(Dist::Uniform { source, .. }) = p {
            *source = format!("{CALIBRATED_BY} (ABC-SMC, a test)");
            paths.push(site.path.clone());
        }
    });
    assert!(!paths.is_empty());
    let words = context(&calibrated, &tl).drawn_words();
    assert!(words.contains("a calibration's posterior"), "{words}");
    for p in &paths {
        assert!(words.contains(p.as_str()), "{p}: {words}");
    }
    // Of two cases, each case names its own.
    assert!(words.contains(" in "), "{words}");
    let files = brink::report::backtest::files(&b, None, &context(&calibrated, &tl), true).unwrap();
    let html = files.iter().find(|f| f.name == "report.html").unwrap();
    let html = String::from_utf8(html.bytes.clone()).unwrap();
    assert!(
        !html.contains("drawn from its prior"),
        "the page says priors"
    );
    assert!(!html.contains("(none: priors)"), "the manifest says priors");
    assert!(
        html.contains("(none given: calibrated copies, their numbers as the files write them)"),
        "the manifest says what it ran"
    );
    assert!(
        html.contains(&escape_text(&paths[0])),
        "the page names {}",
        paths[0]
    );
}

/// A calibration's page says what each `--apply-to` file took and which calibrated numbers it
/// does not write (the flagship took three of five; only the terminal said which).
#[test]
fn a_calibration_page_says_what_an_applied_file_took() {
    use brink::report::calibrate::{Applied, files_applied};
    let c = calibration();
    let l = loaded();
    let tl = timelines();
    let applied = [Applied {
        file: "flagship.ron".into(),
        written: "calibrated-flagship.ron".into(),
        took: vec!["shared.fatigue.value".into()],
        lacks: vec!["shared.rationality.value".into()],
    }];
    let files = files_applied(&c, &[], &applied, &context(&l, &tl[..1]), true).unwrap();
    let html = files.iter().find(|f| f.name == "report.html").unwrap();
    let html = String::from_utf8(html.bytes.clone()).unwrap();
    assert!(
        html.contains(&escape_text(
            "flagship.ron took shared.fatigue.value (it has no shared.rationality.value: \
             calibrated, but not in the file), written as calibrated-flagship.ron"
        )),
        "the page lists the applied file"
    );
}

/// The coverage of the bands comes with Wilson's interval over the banded facts, for each
/// case and over all of them, and the text and the page show it.
#[test]
fn band_coverage_has_its_wilson_interval() {
    let b = backtest(None);
    assert!(b.banded_facts > 0, "the test needs banded facts");
    let inside = |facts: &mut dyn Iterator<Item = &brink::analysis::backtest::FactResult>,
                  j: usize| {
        facts
            .filter(|f| !f.bands.is_empty() && f.bands[j].contains)
            .count() as u64
    };
    for (j, (q, share)) in b.coverage.iter().enumerate() {
        let k = inside(&mut b.cases.iter().flat_map(|c| &c.facts), j);
        let i = brink::stats::wilson(k, b.banded_facts as u64, brink::stats::Z95);
        assert_eq!(b.coverage_interval[j], i, "band {q}");
        assert_eq!(*share, i.estimate);
    }
    for c in &b.cases {
        assert_eq!(c.coverage_interval.len(), c.coverage.len());
        for (j, i) in c.coverage_interval.iter().enumerate() {
            let k = inside(&mut c.facts.iter(), j);
            assert_eq!(
                *i,
                brink::stats::wilson(k, c.banded_facts as u64, brink::stats::Z95)
            );
        }
    }
    let t = brink::report::backtest::text(&b);
    let line = t.lines().find(|l| l.starts_with("coverage:")).unwrap();
    assert_eq!(line.matches(", 95% ").count(), 3, "{line}");
}

/// Found by a reviewing helper: the mood and rung charts of a timeline without a rung fact had
/// "observed rung" in their legends, and the time-to-fact chart's legend gave a window's
/// first day alone ("observed 2021-08-13" for 13–31 August).
#[test]
fn the_legends_name_only_what_the_charts_draw() {
    let l = loaded();
    let mut t = timeline("pair_plain", "2030-02-11");
    t.facts
        .retain(|f| !matches!(f.observed, Observed::RungOn { .. }));
    if let Observed::Happened { until, .. } = &mut t.facts[0].observed {
        *until = Some("2030-02-25".into());
    }
    let b = one_case(&l, &t);
    let tl = vec![t];
    let files = brink::report::backtest::files(&b, None, &context(&l, &tl), true).expect("files");
    let (_, dir) = write("legends", &files);
    for chart in ["mood", "rungs"] {
        let svg = common::check_svg(&dir.join(format!("pair_plain_{chart}.svg")));
        assert!(
            !svg.contains("observed rung"),
            "{chart}: no rung fact, no such mark"
        );
        assert!(
            svg.contains("observed date"),
            "{chart}: the dated fact is ticked"
        );
    }
    let svg = common::check_svg(&dir.join("pair_plain_time_to_fact.svg"));
    assert!(
        svg.contains("2030-02-11 – 02-25 ± 1 week · never "),
        "the legend gives the whole window"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A dated fact whose target holds from the first week in (nearly) every run, as a rung at or
/// below the mood every run starts in, is told beside the facts: it scored near zero without
/// a word, and validation cannot refuse it (the mood may dip below and climb back; a
/// reviewing helper).
#[test]
fn a_fact_held_from_the_start_is_told() {
    let l = loaded();
    let mut t = timeline("pair_hot", "2030-02-11");
    // The pair starts at H = 6, above "tense" (2): every run is on it from its first week.
    // Not told of a fact whose tolerance reaches back to the first week: the runs give it.
    t.facts.push(fact(
        "tense_near_start",
        Observed::Happened {
            what: Target::Rung("tense".into()),
            date: "2030-01-14".into(),
            until: None,
            tolerance: 2,
        },
    ));
    t.facts.push(fact(
        "tense_later",
        Observed::Happened {
            what: Target::Rung("tense".into()),
            date: "2030-03-04".into(),
            until: None,
            tolerance: 0,
        },
    ));
    let b = one_case(&l, &t);
    let text = brink::report::backtest::text(&b);
    assert!(
        text.contains("note: tense_later: its target held from the first week in"),
        "{text}"
    );
    // Once: the other facts are not about a state the runs start in.
    assert_eq!(
        text.matches("held from the first week").count(),
        1,
        "{text}"
    );
    let tl = vec![t];
    let files = brink::report::backtest::files(&b, None, &context(&l, &tl), true).expect("files");
    let page = files
        .iter()
        .find(|f| f.name == "report.html")
        .expect("page");
    let html = String::from_utf8_lossy(&page.bytes);
    assert!(html.contains("its target held from the first week in"));
}
