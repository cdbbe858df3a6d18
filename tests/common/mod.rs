//! Helpers shared by the integration tests: running the binary, describing how it ended,
//! scratch folders, listings of folders, scenarios of the repository and chart checks.
//!
//! Each test file includes this module with `mod common;` and uses only some of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use brink::model::Model;
use brink::report::charts::WIDTH;
use brink::scenario::{self, LoadOptions, LoadedScenario, Scenario};

// ---------------------------------------------------------------------------------------------
// Running the binary

/// The binary, run from the repository root (where relative scenario paths resolve), for a
/// caller that sets its arguments and pipes itself.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_brink"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Starts brink with `args` and `--out out` from the repository root, its outputs piped.
pub fn spawn(args: &[&str], out: &Path) -> Child {
    command()
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start brink")
}

/// Runs brink with `args` from the repository root and captures its output.
pub fn brink<S: AsRef<OsStr>>(args: &[S]) -> Output {
    brink_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs brink with `args` in the working folder `cwd` and captures its output.
pub fn brink_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Output {
    command()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("cannot start brink")
}

/// Runs brink with `args` from the repository root and asserts that it succeeded (the message
/// holds the arguments, the exit and both outputs).
pub fn ok<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let o = brink(args);
    let args: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    assert!(o.status.success(), "brink {args:?}: {}", describe(&o));
    o
}

/// The standard output, which must be UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

// ---------------------------------------------------------------------------------------------
// How it ended, for assertion messages

/// How the process ended, in words.
pub fn ending(o: &Output) -> String {
    match o.status.code() {
        Some(101) => "a panic (exit code 101)".into(),
        Some(c) => format!("exit code {c}"),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                format!(
                    "signal {:?} (a crash, e.g. a stack overflow)",
                    o.status.signal()
                )
            }
            #[cfg(not(unix))]
            {
                "no exit code (killed)".into()
            }
        }
    }
}

/// How the process ended and what it printed.
pub fn describe(o: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        ending(o),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

// ---------------------------------------------------------------------------------------------
// Folders

/// A fresh, empty scratch folder: `CARGO_TARGET_TMPDIR/<test file>/<name>-<process id>`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(env!("CARGO_CRATE_NAME"))
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Every path under `dir` (files and folders, hidden ones too), relative to it, sorted.
pub fn paths(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()))
        {
            let p = e.expect("cannot read a folder entry").path();
            out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every file under `dir` (recursively, hidden ones too) with its bytes, by its path relative
/// to `dir`.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    paths(dir)
        .into_iter()
        .filter(|p| !dir.join(p).is_dir())
        .map(|p| {
            let bytes = std::fs::read(dir.join(&p))
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.join(&p).display()));
            (p, bytes)
        })
        .collect()
}

/// The names in `dir` (not below it), sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The hidden names in `dir` (not below it), sorted.
pub fn hidden(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// A JSON file, parsed.
pub fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

/// Rewrites a result folder's marker so that it lists `file` as it now is: what only a
/// deliberate edit makes (the tests of damaged and edited results).
pub fn reseal(d: &Path, file: &str) {
    let p = d.join(".brink-output.json");
    let mut m = json(&p);
    let bytes = std::fs::read(d.join(file)).unwrap();
    for f in m["files"].as_array_mut().unwrap() {
        if f["name"] == file {
            f["bytes"] = bytes.len().into();
            f["sha256"] = brink::scenario::sha256_hex(&bytes).into();
        }
    }
    std::fs::write(&p, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

/// summary.json of an output folder.
pub fn summary(dir: &Path) -> serde_json::Value {
    json(&dir.join("summary.json"))
}

/// summary.json of an output folder without the field that records how it was invoked.
pub fn summary_without_command(dir: &Path) -> serde_json::Value {
    let mut v = summary(dir);
    v["manifest"]["command"] = serde_json::Value::Null;
    v
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/// A path of the repository (`rel` relative to its root; an absolute path stays as it is).
pub fn repo(rel: impl AsRef<Path>) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Loads a scenario file (a path relative to the repository's root, or absolute).
pub fn load(path: impl AsRef<Path>) -> LoadedScenario {
    let p = repo(path);
    scenario::load(&p, LoadOptions::default())
        .unwrap_or_else(|d| panic!("{} does not load: {d}", p.display()))
}

/// Parses a scenario's text.
pub fn parse(text: &str) -> Scenario {
    scenario::load::parse_text(Path::new("test.ron"), text)
        .unwrap_or_else(|d| panic!("the scenario is invalid:\n{d}\n{text}"))
}

/// Parses a scenario's text and compiles it (its `variant`, or the base).
pub fn compile(text: &str, variant: Option<&str>) -> Model {
    brink::model::compile(&parse(text), variant).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

// ---------------------------------------------------------------------------------------------
// Charts

/// The PNG decodes, is `WIDTH` pixels wide and of a height in `heights`, has many colours (not
/// blank), dark anti-aliased title text in its top band and a footer; returns its height.
pub fn check_png(path: &Path, heights: RangeInclusive<u32>) -> u32 {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()))
        .to_rgb8();
    let (w, h) = img.dimensions();
    assert!(
        w == WIDTH && heights.contains(&h),
        "{}: {w}x{h}, expected {WIDTH} wide and {heights:?} tall",
        path.display()
    );
    let colours: HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(
        colours.len() >= 40,
        "{} looks blank: {} colours",
        path.display(),
        colours.len()
    );
    // The title is drawn in dark ink in the top band: text, not just shapes.
    let title = (0..44)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 90))
        .count();
    assert!(
        title >= 150,
        "{}: no title text ({title} dark pixels in the title band)",
        path.display()
    );
    // And anti-aliased glyph edges: intermediate greys in the title band.
    let greys = (0..44)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| img.get_pixel(x, y).0)
        .filter(|c| c[0] == c[1] && c[1] == c[2] && c[0] > 60 && c[0] < 200)
        .count();
    assert!(
        greys >= 30,
        "{}: title glyphs are not anti-aliased",
        path.display()
    );
    // The footer (scenario, seed, runs) is drawn too.
    let footer = (h - 28..h)
        .flat_map(|y| (0..w / 2).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0.iter().all(|&c| c < 160))
        .count();
    assert!(footer >= 60, "{}: no footer text", path.display());
    h
}

/// The SVG starts and ends as one, and holds text elements; returns its text.
pub fn check_svg(path: &Path) -> String {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let t = svg.trim();
    assert!(
        t.starts_with("<svg") || t.starts_with("<?xml"),
        "{} does not start as SVG",
        path.display()
    );
    assert!(
        t.ends_with("</svg>"),
        "{} does not end as SVG",
        path.display()
    );
    assert!(
        svg.contains("<text"),
        "{}: no text elements",
        path.display()
    );
    svg
}

// ---------------------------------------------------------------------------------------------
// Scenarios made for a test

/// `count` measures named m0, m1, … of `levels` levels each, owned by `a` and aimed at `b`,
/// raised above `threshold`: RON for a scenario's `levers`.
pub fn measures(count: usize, levels: usize, threshold: f64) -> String {
    (0..count)
        .map(|k| {
            let levels: Vec<String> = (0..levels)
                .map(|j| format!(r#"Level(name: "l{j}", weight: -1.0)"#))
                .collect();
            format!(
                r#"Measure(name: "m{k}", owner: "a", target: "b", threshold: {threshold:?}, levels: [{}], source: "x")"#,
                levels.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(",\n")
}

/// A scenario of two actors, `a` and `b` (a relation each way, at the defaults), a ladder of
/// "calm" and "tense" (from 2), over `horizon` steps, with `rest`: more of its fields in RON
/// (`levers: [...], events: [...], outcomes: [...]`).
pub fn pair_scenario(name: &str, horizon: u32, rest: &str) -> String {
    format!(
        r#"Scenario(name: "{name}", horizon: {horizon}, focal: ("a", "b"),
          actors: [Actor(name: "a"), Actor(name: "b")],
          relations: [Relation(from: "a", to: "b"), Relation(from: "b", to: "a")],
          ladder: [Rung(name: "calm", threshold: -10), Rung(name: "tense", threshold: 2)],
          {rest}
        )"#
    )
}
