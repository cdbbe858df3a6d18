//! `brink sweep` with two `--set`: the grid is the product of the two grids (the first
//! parameter outer), every point on the same runs, so that each point is exactly the point of
//! a one-parameter sweep of the second parameter with the first fixed by a variant; the files
//! record both parameters; a heat map of the chosen outcome is drawn; bad grids are refused
//! with exit code 2 and nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use brink::analysis::sweep::{self, SweepRequest, SweepResult, SweepSpec};
use brink::report::charts::HEIGHT;
use brink::scenario::Variant;
use brink::scenario::param::Param;

const TUTORIAL: &str = "scenarios/examples/tutorial.ron";
/// The first (outer) parameter: North's hawkishness.
const HAWK: &str = "actors.north.hawkishness=0.2..1.2:3";
/// The second (inner) parameter: North's fatigue towards South, which moves rupture a lot.
const FATIGUE: &str = "relations.north->south.fatigue=0..0.5:4";

fn spec(s: &str) -> SweepSpec {
    s.parse().expect("a valid --set")
}

/// A sweep of the tutorial through the library, 200 runs, seed 7.
fn sweep_lib(
    loaded: &brink::scenario::LoadedScenario,
    specs: &[&str],
    variant: Option<&str>,
    threads: usize,
) -> SweepResult {
    let req = SweepRequest {
        specs: specs.iter().map(|s| spec(s)).collect(),
        variant: variant.map(String::from),
        runs: 200,
        seed: 7,
        threads,
        command: vec!["brink".into(), "sweep".into()],
    };
    sweep::run(loaded, &req, &AtomicBool::new(false)).expect("sweep")
}

/// A fresh scratch folder and the `out` folder inside it (not yet created).
fn dirs(name: &str) -> (PathBuf, PathBuf) {
    let dir = common::scratch(name);
    let out = dir.join("out");
    (dir, out)
}

/// `brink sweep` of the tutorial with these extra arguments into `out`, 200 runs.
fn cli(extra: &[&str], out: &Path) -> std::process::Output {
    let mut args = vec!["sweep", TUTORIAL, "--runs", "200", "--seed", "7"];
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().unwrap()]);
    common::brink(&args)
}

/// How many texts of an SVG are percentages ("12.5%").
fn percentages(svg: &str) -> usize {
    svg.lines()
        .filter(|l| l.ends_with('%') && !l.contains('<'))
        .count()
}

#[test]
fn two_parameters_make_the_product_grid_with_the_first_outer() {
    let loaded = common::load(TUTORIAL);
    let r = sweep_lib(&loaded, &[HAWK, FATIGUE], None, 2);
    let xs = [0.2, 0.7, 1.2];
    // 0..0.5 in 4 steps: 0, 1/6, 2/6, 0.5, rounded to 13 digits as the grid rounds them.
    let expected_ys: Vec<f64> = spec(FATIGUE).values();
    assert_eq!(expected_ys.len(), 4);
    assert_eq!((expected_ys[0], expected_ys[3]), (0.0, 0.5));
    assert!(r.is_two_way());
    assert_eq!(r.points.len(), 12, "3 × 4 points");
    assert_eq!(r.parameters.len(), 2);
    assert_eq!(r.parameters[0].path, "actors.north.hawkishness");
    assert_eq!(r.parameters[1].path, "relations.north->south.fatigue");
    assert_eq!(r.parameters[0].values, xs);
    assert_eq!(r.parameters[1].values, expected_ys);
    // The fields of a one-parameter sweep describe the first parameter.
    assert_eq!(r.path, "actors.north.hawkishness");
    assert_eq!((r.from, r.to, r.steps), (0.2, 1.2, 3));
    assert_eq!(r.parameters[1].scenario_param, "0.3");
    for (i, &x) in xs.iter().enumerate() {
        for (j, &y) in expected_ys.iter().enumerate() {
            let p = &r.points[i * 4 + j];
            assert_eq!(p.values, [x, y], "point {i},{j}");
            assert_eq!(p.value, x);
            assert_eq!(r.at(i, j), Some(p));
        }
    }
    assert_eq!(r.at(0, 4), None, "no fifth value of the second parameter");
    assert_eq!(r.at(3, 0), None, "no fourth value of the first");
    // Fatigue matters: rupture is far likelier with none than with much.
    let rupture = |i: usize, j: usize| r.at(i, j).unwrap().outcomes[0].probability.estimate;
    assert_eq!(r.outcomes[0], "rupture");
    assert!(rupture(1, 0) > rupture(1, 3) + 0.3, "{r:?}");
    // Any number of threads: the same points.
    assert_eq!(
        sweep_lib(&loaded, &[HAWK, FATIGUE], None, 1).points,
        r.points
    );
}

#[test]
fn each_point_is_a_one_parameter_sweep_with_the_first_fixed_by_a_variant() {
    let mut loaded = common::load(TUTORIAL);
    let two = sweep_lib(&loaded, &[HAWK, FATIGUE], None, 2);
    for (i, &x) in two.parameters[0].values.iter().enumerate() {
        // The first parameter fixed at x by a variant of the scenario.
        let mut v = Variant {
            name: "fixed".into(),
            ..Variant::default()
        };
        v.set
            .insert("actors.north.hawkishness".into(), Param::Value(x));
        loaded.scenario.variants.retain(|v| v.name != "fixed");
        loaded.scenario.variants.push(v);
        let one = sweep_lib(&loaded, &[FATIGUE], Some("fixed"), 2);
        assert!(!one.is_two_way());
        assert_eq!(one.points.len(), 4);
        for (j, p) in one.points.iter().enumerate() {
            let q = two.at(i, j).unwrap();
            assert_eq!(p.values, [q.values[1]]);
            assert_eq!(p.outcomes, q.outcomes, "at {x}, {}", p.value);
            assert_eq!(p.costs, q.costs, "at {x}, {}", p.value);
            assert_eq!(p.peak_index, q.peak_index);
            assert_eq!(p.final_index, q.final_index);
        }
    }
}

#[test]
fn a_two_parameter_sweep_writes_both_parameters_a_heat_map_and_the_grid() {
    let (dir, out) = dirs("two");
    let o = cli(&["--set", HAWK, "--set", FATIGUE], &out);
    assert!(o.status.success(), "{}", common::describe(&o));
    let stdout = common::stdout(&o);
    // The terminal grid: labels, not ids; the second parameter's values down.
    assert!(stdout.contains("3 × 4 points"), "{stdout}");
    assert!(
        stdout.contains("P(Rupture within the year) in %"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Republic of North › hawkishness"),
        "{stdout}"
    );
    assert!(!stdout.contains("actors.north"), "{stdout}");
    let grid: Vec<&str> = stdout.lines().filter(|l| l.contains(" │")).collect();
    assert_eq!(grid.len(), 5, "a header and four rows: {stdout}");
    assert!(
        grid[0].contains("0.2") && grid[0].contains("1.2"),
        "{stdout}"
    );
    assert!(grid[1].trim_start().starts_with("0.5 │"), "{stdout}");
    assert!(grid[4].trim_start().starts_with("0 │"), "{stdout}");

    // sweep.json: the first parameter where a one-parameter reader looks, and both.
    let json = common::json(&out.join("sweep.json"));
    assert_eq!(json["path"], "actors.north.hawkishness");
    assert_eq!(json["steps"], 3);
    let params = json["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 2);
    assert_eq!(params[1]["path"], "relations.north->south.fatigue");
    assert_eq!(params[1]["values"].as_array().unwrap().len(), 4);
    let points = json["points"].as_array().unwrap();
    assert_eq!(points.len(), 12);
    assert_eq!(points[1]["values"][0], 0.2);
    assert_eq!(points[1]["value"], 0.2);
    assert_eq!(points[4]["values"][0], 0.7);
    assert_eq!(points[4]["values"][1], 0.0);

    // sweep.csv: a column per parameter, one row per point and outcome.
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..4],
        [
            "actors.north.hawkishness",
            "relations.north->south.fatigue",
            "outcome",
            "probability"
        ]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let outcomes = json["outcomes"].as_array().unwrap().len();
    assert_eq!(rows.len(), 12 * outcomes);
    assert_eq!(rows[0][..3], ["0.2", "0", "rupture"]);
    assert_eq!(rows[outcomes][..3], ["0.2", "0.1666666666667", "rupture"]);
    assert_eq!(rows[4 * outcomes][..3], ["0.7", "0", "rupture"]);

    // The heat map, and no curve chart.
    common::check_png(&out.join("sweep_heatmap.png"), HEIGHT..=u32::MAX);
    let svg = common::check_svg(&out.join("sweep_heatmap.svg"));
    for text in [
        "Rupture within the year",
        "Republic of North › hawkishness",
        "Republic of North → Kingdom of South › fatigue",
        "probability",
    ] {
        assert!(svg.contains(text), "sweep_heatmap.svg lacks {text:?}");
    }
    // Each cell's percentage is written (3 × 4 ≤ 12 × 12).
    let r: SweepResult =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap())
            .expect("sweep.json reads back");
    let p = r.at(2, 3).unwrap().outcomes[0].probability.estimate;
    assert!(
        svg.contains(&format!("\n{:.1}%\n", p * 100.0)),
        "cell (2, 3)"
    );
    assert!(
        percentages(&svg) >= 12 + 5,
        "12 cells and the colour scale's 5 ticks"
    );
    assert!(
        !out.join("sweep.png").exists(),
        "no curve for two parameters"
    );

    // The page: the heat map first, then the grid of the outcome, rows the second parameter.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let heat = html
        .find("aria-label=\"Rupture within the year\"")
        .expect("the heat map");
    let table = html
        .find("Rupture within the year over the grid")
        .expect("grid table");
    assert!(heat < table, "the heat map comes first");
    assert!(html.contains("A two-parameter sweep."));
    assert!(!html.contains("<th>actors.north"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_heat_map_shows_the_chosen_outcome_and_writes_no_numbers_on_a_large_grid() {
    let (dir, out) = dirs("outcome");
    let o = cli(
        &[
            "--set",
            "actors.north.hawkishness=0.2..1.2:20",
            "--set",
            "relations.north->south.fatigue=0..0.5:3",
            "--outcome",
            "lasting_rupture",
        ],
        &out,
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let stdout = common::stdout(&o);
    assert!(stdout.contains("P(Rupture lasting two months)"), "{stdout}");
    // The terminal grid stays compact: every other value across, and the last.
    let head = stdout.lines().find(|l| l.contains(" │")).unwrap();
    let across: Vec<&str> = head.split('│').nth(1).unwrap().split_whitespace().collect();
    assert_eq!(across.len(), 11, "{stdout}");
    assert_eq!((across[0], across[10]), ("0.2", "1.2"), "{stdout}");
    assert!(
        stdout.contains("11 of 20 values across and 3 of 3 down shown"),
        "{stdout}"
    );
    common::check_png(&out.join("sweep_heatmap.png"), HEIGHT..=u32::MAX);
    let svg = common::check_svg(&out.join("sweep_heatmap.svg"));
    assert!(svg.contains("Rupture lasting two months"));
    assert!(!svg.contains("Rupture within the year"));
    // 20 columns: the cells carry no percentages; the colour scale's 5 ticks still do.
    assert_eq!(percentages(&svg), 5);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_parameter_sweeps_keep_their_curve() {
    let (dir, out) = dirs("one");
    let o = cli(&["--set", FATIGUE, "--outcome", "spike"], &out);
    assert!(o.status.success(), "{}", common::describe(&o));
    assert!(out.join("sweep.png").exists());
    assert!(!out.join("sweep_heatmap.png").exists());
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.starts_with("value,outcome,probability,"), "{csv}");
    let json = common::json(&out.join("sweep.json"));
    assert_eq!(json["parameters"].as_array().unwrap().len(), 1);
    assert_eq!(json["points"][2]["values"].as_array().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_grids_are_refused_with_exit_2_and_nothing_written() {
    let (dir, out) = dirs("refused");
    let cases: [(&[&str], &str); 7] = [
        // A grid written with colons only: both forms named, no parser's words.
        (
            &["--set", "actors.north.hawkishness=0:1:5"],
            "\"0:1:5\" is not a number or a distribution in RON syntax (more follows the value); \
             expected PATH=VALUE",
        ),
        (
            &["--set", HAWK, "--set", "actors.north.hawkishness=0..1:3"],
            "given twice",
        ),
        (
            &[
                "--set",
                HAWK,
                "--set",
                FATIGUE,
                "--set",
                "actors.south.hawkishness=0..1:2",
            ],
            "one parameter or two",
        ),
        (
            &[
                "--set",
                "actors.north.hawkishness=0..1:40",
                "--set",
                "actors.south.hawkishness=0..1:26",
            ],
            "1040 points",
        ),
        (
            &["--set", HAWK, "--set", FATIGUE, "--outcome", "rupturee"],
            "unknown outcome \"rupturee\"",
        ),
        (
            &["--set", HAWK, "--set", "actors.south.hawkishnes=0..1:3"],
            "did you mean actors.south.hawkishness?",
        ),
        // Each value alone is valid; together no branch of the election can happen.
        (
            &[
                "--set",
                "events.election_south.branches.nationalists.probability=0..1:2",
                "--set",
                "events.election_south.branches.reformers.probability=0..1:2",
            ],
            "with events.election_south.branches.reformers.probability = 0",
        ),
    ];
    for (args, message) in cases {
        let o = cli(args, &out);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            common::describe(&o)
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!err.contains("Non-whitespace"), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?}: nothing written");
    }
    let o = cli(&["--set", "actors.north.hawkishness=0:1:5"], &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("or, for the grid, PATH=FROM..TO:STEPS, e.g."),
        "{err}"
    );
    // The product may reach the limit exactly.
    assert!(
        sweep::check_specs(&[
            spec("actors.north.hawkishness=0..1:40"),
            spec("actors.south.hawkishness=0..1:25")
        ])
        .is_ok()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A sweep of a variant says whose value the swept number has outside the sweep: the
/// variant's (it sets it), not "the scenario has" with the variant's value.
#[test]
fn a_variants_sweep_names_the_variant_as_the_holder_of_the_value() {
    let dir = common::scratch("sweep-variant-holder");
    let run = |variant: &[&str], out: &str| {
        let mut args = vec![
            "sweep",
            "scenarios/examples/tutorial.ron",
            "--set",
            "actors.south.sensitivity=0.5..2.5:3",
            "--runs",
            "40",
            "--no-charts",
            "--out",
        ];
        let out = dir.join(out);
        args.push(out.to_str().unwrap());
        args.extend_from_slice(variant);
        common::stdout(&common::ok(&args))
    };
    let text = run(&["--variant", "pretext"], "v");
    assert!(
        text.contains("the variant pretext has actors.south.sensitivity = Uniform(1.5, 2.5)"),
        "{text}"
    );
    let text = run(&[], "b");
    assert!(
        text.contains("the scenario has actors.south.sensitivity = PERT(0.8, 1.2, 2)"),
        "{text}"
    );
}

/// Found by a reviewing helper: grid values were written to four decimals, so a sweep of a
/// rare event's rate from 0.0001 to 0.0002 labelled its six columns "0.0001 0.0001 0.0001
/// 0.0002 0.0002 0.0002" in the text and the page, and a narrow one-parameter sweep said
/// "from 0.1235 to 0.1235", its "lowest (at)" naming a value that is no grid point. Values
/// are now written to the digits that tell them apart.
#[test]
fn grid_values_are_written_to_the_digits_that_tell_them_apart() {
    let (_dir, out) = dirs("grid-digits");
    let o = cli(
        &[
            "--set",
            "events.border_incident.rate=0.0001..0.0002:6",
            "--set",
            "actors.north.hawkishness=0..1:2",
        ],
        &out,
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let head = text
        .lines()
        .find(|l| l.contains("0.00012"))
        .unwrap_or_else(|| panic!("no column of 0.00012:\n{text}"));
    let cols: Vec<&str> = head
        .split_whitespace()
        .filter(|w| w.starts_with("0."))
        .collect();
    assert_eq!(
        cols,
        [
            "0.0001", "0.00012", "0.00014", "0.00016", "0.00018", "0.0002"
        ],
        "{text}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for v in ["0.00012", "0.00014", "0.00016", "0.00018"] {
        assert!(
            html.contains(&format!(">{v}<")),
            "{v} not a column of the page"
        );
    }

    let (_dir, out) = dirs("grid-digits-one");
    let o = cli(
        &[
            "--set",
            "actors.north.hawkishness=0.123456..0.123457:3",
            "--no-charts",
        ],
        &out,
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("from 0.123456 to 0.123457 in 3 steps"),
        "{text}"
    );
    assert!(!text.contains("0.1235"), "{text}");
}

/// An event's step is rounded to a whole step when it is drawn: a grid with values between
/// two steps is refused, naming them (10.25 and 10.75 ran as 10 and 11, in rows of their
/// own; found by a reviewing helper), alone or as one of two parameters; a whole grid runs.
#[test]
fn a_grid_of_steps_between_whole_steps_is_refused() {
    let (dir, out) = dirs("steps-between");
    for sets in [
        vec!["events.election_south.step=10..11:5"],
        vec![HAWK, "events.election_south.step=10..11:5"],
    ] {
        let mut extra = vec![];
        for s in &sets {
            extra.extend(["--set", s]);
        }
        extra.push("--no-charts");
        let o = cli(&extra, &out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("whole week"), "{err}");
        assert!(err.contains("10.25, 10.5, 10.75"), "{err}");
        assert!(err.contains("such as 10..11:2"), "{err}");
        assert!(!out.exists());
    }
    let o = cli(
        &[
            "--set",
            "events.election_south.step=10..14:5",
            "--no-charts",
        ],
        &out,
    );
    assert!(o.status.success(), "{}", common::describe(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The chart's legend names the dashed line of the scenario's value only when the grid holds
/// it; outside the range the subtitle says so instead (the legend named a line that was not
/// drawn; found by a reviewing helper). A subtitle too long for one line is broken between
/// words onto a second, not cut mid-word.
#[test]
fn the_scenarios_value_is_named_where_it_is_drawn() {
    let (dir, out) = dirs("value-outside");
    let o = cli(&["--set", "actors.north.hawkishness=0.5..1:3"], &out);
    assert!(o.status.success(), "{}", common::describe(&o));
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    // (SVG writes the apostrophe as an entity; the subtitle may break before "value".)
    let legend = |svg: &str| {
        svg.lines()
            .any(|l| l.trim() == "the scenario&apos;s central value (0.3)")
    };
    assert!(!legend(&svg), "a legend for no line");
    assert!(svg.contains("value (0.3) lies outside the range"));
    // Inside the range: the line and its legend.
    let inside = dir.join("inside");
    let o = cli(&["--set", "actors.north.hawkishness=0..1:3"], &inside);
    assert!(o.status.success(), "{}", common::describe(&o));
    let svg = std::fs::read_to_string(inside.join("sweep.svg")).unwrap();
    assert!(legend(&svg));
    assert!(!svg.contains("outside the range"));
    // The long subtitle (8 of the tutorial's 18 outcomes shown) ends whole.
    assert!(svg.contains("in sweep.csv)"), "{svg}");
    assert!(!svg.contains('…'), "{svg}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A written share whose 95% interval reaches more than 10 points from it is marked "≈" in the
/// heat map (the statistics contract: every probability with its interval, here as a mark, as
/// in the co-occurrence heat map), and the subtitle says what the mark means; at 200 runs no
/// cell is marked.
#[test]
fn the_heat_maps_cells_of_few_runs_are_marked() {
    for (runs, marked) in [("20", true), ("200", false)] {
        let (_, out) = dirs(&format!("rough-{runs}"));
        let mut args = vec!["sweep", TUTORIAL, "--runs", runs, "--seed", "7"];
        args.extend([
            "--set",
            HAWK,
            "--set",
            FATIGUE,
            "--out",
            out.to_str().unwrap(),
        ]);
        common::ok(&args);
        let r: SweepResult =
            serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap())
                .unwrap();
        let svg = common::check_svg(&out.join("sweep_heatmap.svg"));
        let rough = r
            .points
            .iter()
            .filter(|pt| pt.outcomes[0].probability.reach() > 0.10)
            .count();
        let marks = svg
            .lines()
            .filter(|l| l.starts_with('≈') && l.ends_with('%'))
            .count();
        assert_eq!(marks, rough, "{runs} runs");
        assert_eq!(rough > 0, marked, "{runs} runs: {rough} cells of few runs");
        assert_eq!(svg.contains("≈ marks a share"), marked, "{runs} runs");
    }
}

/// A sweep along which no outcome moves does not say its chart draws "those that move most"
/// (every line flat; an attacking helper): it says none moves, and which it drew.
#[test]
fn a_sweep_where_nothing_moves_says_so() {
    let root = common::scratch("sweep-flat");
    let out = root.join("out");
    let o = common::brink(&[
        "sweep",
        "scenarios/examples/tutorial.ron",
        "--set",
        "actors.south.rationality=3..3.00001:4",
        "--runs",
        "200",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::describe(&o));
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    assert!(svg.contains("outcomes: none moves along the grid"), "{svg}");
    assert!(!svg.contains("move most"));
    let _ = std::fs::remove_dir_all(&root);
}
