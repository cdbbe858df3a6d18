//! A whole `brink run`: compile the scenario, run the engine, write every output atomically.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::analysis::{Manifest, Summary};
use crate::engine::{self, ChunkSink, Stopped};
use crate::error::{Error, Result};
use crate::model::{self, Model};
use crate::report;
use crate::report::describe::Table;
use crate::report::output::Staging;
use crate::scenario::LoadedScenario;
use crate::stats::Tally;

/// What `brink run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub runs: u64,
    pub seed: u64,
    pub variant: Option<String>,
    pub threads: usize,
    pub out: PathBuf,
    pub per_run: bool,
    pub charts: bool,
    /// Show a progress bar (only when stderr is a terminal).
    pub progress: bool,
    pub command: Vec<String>,
    /// Compute only this shard of the runs (see [`crate::shard`]).
    pub shard: Option<crate::engine::ShardSpec>,
    /// Stop once this outcome's 95% interval is this narrow (half-width); `runs` is then the
    /// most runs allowed.
    pub precision: Option<(String, f64)>,
}

/// The default output folder of a scenario file (and variant): `output/<file stem>[-<variant>]`.
pub fn default_out(scenario_file: &Path, variant: Option<&str>) -> PathBuf {
    let stem = scenario_file
        .file_stem()
        .map(|s| sanitize(&s.to_string_lossy()))
        .unwrap_or_else(|| "run".into());
    let name = match variant {
        Some(v) => format!("{stem}-{}", sanitize(v)),
        None => stem,
    };
    PathBuf::from("output").join(name)
}

/// A name made safe as one path component on every system: ASCII letters, digits, `-`, `_`
/// and `.` are kept and anything else (path separators `/` and `\\`, control characters,
/// spaces, `:`, non-ASCII letters) becomes `_`; at most 80 characters; no leading or trailing
/// dot (so never `.` or `..`, never a hidden file, nothing Windows would trim); never empty
/// (`run`); and never a device name Windows reserves (`CON`, `PRN`, `AUX`, `NUL`, `COM0`–`COM9`,
/// `LPT0`–`LPT9`, in any case, with or without an extension): those get a `_` after their base
/// name (`nul` → `nul_`, `Con.txt` → `Con_.txt`).
pub fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_matches('.');
    let mut s = if s.is_empty() {
        "run".to_string()
    } else {
        s.to_string()
    };
    let base = s.find('.').unwrap_or(s.len());
    if windows_reserved(&s[..base]) {
        s.insert(base, '_');
    }
    s
}

/// Whether Windows reserves a base name (the part before the first dot) for a device.
fn windows_reserved(base: &str) -> bool {
    let b = base.to_ascii_uppercase();
    match b.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            b.len() == 4
                && (b.starts_with("COM") || b.starts_with("LPT"))
                && b.as_bytes()[3].is_ascii_digit()
        }
    }
}

/// Compiles the scenario for a variant; an unknown variant is an input error.
pub fn compile(loaded: &LoadedScenario, variant: Option<&str>) -> Result<Model> {
    model::compile(&loaded.scenario, variant).map_err(Error::Input)
}

struct Sink {
    rows: Option<std::io::BufWriter<std::fs::File>>,
    bar: Option<indicatif::ProgressBar>,
}

impl ChunkSink for Sink {
    fn wants_rows(&self) -> bool {
        self.rows.is_some()
    }
    fn rows(&mut self, rows: &str) -> std::io::Result<()> {
        match &mut self.rows {
            Some(w) => w.write_all(rows.as_bytes()),
            None => Ok(()),
        }
    }
    fn progress(&mut self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }
}

/// The manifest of a run.
pub fn manifest(loaded: &LoadedScenario, req: &RunRequest, runs_done: u64) -> Manifest {
    Manifest::new(
        loaded,
        req.seed,
        req.variant.clone(),
        runs_done,
        req.runs,
        req.command.clone(),
    )
}

/// What a run does with the runs already done when its stop flag is set (Ctrl-C).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnStop {
    /// Write nothing: the previous output folder stays as it was (the default).
    #[default]
    Discard,
    /// Write the outputs of the runs done, with `manifest.complete = false` and
    /// `manifest.runs` the runs held (`brink run --keep-partial`; not for shards).
    Keep,
}

/// Runs the engine and writes the output folder. Returns the summary and the folder. When
/// `stop` is set, the engine stops at its next batch boundary and nothing is written.
pub fn run(
    loaded: &LoadedScenario,
    req: &RunRequest,
    stop: &AtomicBool,
) -> Result<(Summary, PathBuf)> {
    run_with(loaded, req, stop, OnStop::Discard)
}

/// As [`run`], choosing what an interruption keeps. With [`OnStop::Keep`] an interrupted run
/// returns `Ok` with a summary whose `manifest.runs` is below `req.runs`.
pub fn run_with(
    loaded: &LoadedScenario,
    req: &RunRequest,
    stop: &AtomicBool,
    on_stop: OnStop,
) -> Result<(Summary, PathBuf)> {
    if on_stop == OnStop::Keep && req.shard.is_some() {
        return Err(Error::Input(
            "--keep-partial cannot be used with --shard (a shard must be whole to merge)".into(),
        ));
    }
    let model = compile(loaded, req.variant.as_deref())?;
    let plan = crate::engine::RunPlan::of(req.shard, req.seed, req.runs, req.threads);
    let staging = Staging::begin(&req.out, "run")?;
    let rows = if req.per_run {
        let p = staging.path("runs.csv");
        let f = std::fs::File::create(&p)
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", p.display())))?;
        let mut w = std::io::BufWriter::new(f);
        w.write_all(report::csv::runs_header(&model).as_bytes())
            .map_err(|e| Error::Failed(format!("cannot write runs.csv: {e}")))?;
        Some(w)
    } else {
        None
    };
    let bar = (req.progress && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(plan.own_runs());
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs {eta} left")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut sink = Sink { rows, bar };
    let row: &engine::RowWriter = &report::csv::run_row;
    // A precision target: stop once the outcome's 95% Wilson interval is this narrow.
    let until = match &req.precision {
        None => None,
        Some((name, half_width)) => Some((
            model
                .outcomes
                .iter()
                .position(|o| &o.name == name)
                .ok_or_else(|| {
                    Error::Input(format!(
                        "--precision names unknown outcome {name:?}; expected one of: {}",
                        model
                            .outcomes
                            .iter()
                            .map(|o| o.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?,
            *half_width,
        )),
    };
    let done = engine::run_until(&model, &plan, &mut sink, Some(row), stop, |t: &Tally| {
        until.is_some_and(|(o, w)| {
            crate::stats::wilson(t.outcome_hits[o], t.runs, crate::stats::Z95).half_width() <= w
        })
    });
    if let Some(b) = &sink.bar {
        b.finish_and_clear();
    }
    let discard = |runs: u64| {
        Err(Error::Interrupted(format!(
            "stopped after {runs} of {} runs; nothing was written{} (rerun with --keep-partial \
             to keep the runs done)",
            plan.own_runs(),
            if req.out.exists() {
                format!(
                    ", the previous results in {} are as they were",
                    req.out.display()
                )
            } else {
                String::new()
            }
        )))
    };
    let mut interrupted = false;
    let tally = match done {
        Ok(t) => t,
        Err(Stopped::Interrupted(t)) if on_stop == OnStop::Keep => {
            interrupted = true;
            *t
        }
        Err(Stopped::Interrupted(t)) => return discard(t.runs),
        Err(Stopped::Io(e)) => return Err(Error::Failed(format!("cannot write runs.csv: {e}"))),
    };
    if let Some(mut w) = sink.rows.take() {
        w.flush()
            .map_err(|e| Error::Failed(format!("cannot write runs.csv: {e}")))?;
    }
    if let Some(spec) = req.shard {
        // A shard keeps its raw tally for `brink merge`; the summary is of its own runs only.
        let mut m = manifest(loaded, req, req.runs);
        m.complete = false;
        crate::shard::write(
            &staging,
            loaded,
            &plan,
            spec,
            req.per_run,
            m.clone(),
            &tally,
        )?;
        m.runs = tally.runs;
        let summary = Summary::new(&model, &tally, m);
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            return discard(tally.runs);
        }
        let dir = staging.commit()?;
        return Ok((summary, dir));
    }
    let mut m = manifest(loaded, req, tally.runs);
    if let Some((outcome, half_width)) = until {
        let i = crate::stats::wilson(tally.outcome_hits[outcome], tally.runs, crate::stats::Z95);
        let name = &model.outcomes[outcome].name;
        m.complete = true;
        m.stop_reason = Some(if i.half_width() <= half_width {
            format!(
                "precision reached: P({name}) = {:.4} ± {:.4} (target ± {}) after {} runs",
                i.estimate,
                i.half_width(),
                half_width,
                tally.runs
            )
        } else {
            format!(
                "precision not reached: P({name}) = {:.4} ± {:.4} (target ± {}) after the maximum of {} runs",
                i.estimate,
                i.half_width(),
                half_width,
                tally.runs
            )
        });
    }
    if interrupted {
        m.complete = false;
        m.stop_reason = Some(format!(
            "interrupted after {} of {} runs (--keep-partial)",
            tally.runs, req.runs
        ));
    }
    let summary = Summary::new(&model, &tally, m);
    write_outputs(&staging, &model, &tally, &summary, req.charts)?;
    // A stop asked for while the outputs were being written still keeps the old folder.
    if on_stop == OnStop::Discard && stop.load(std::sync::atomic::Ordering::SeqCst) {
        return discard(tally.runs);
    }
    let dir = match on_stop {
        OnStop::Keep => staging.commit_even_if_stopped()?,
        OnStop::Discard => staging.commit()?,
    };
    Ok((summary, dir))
}

/// Writes summary.json and the CSV tables into the staging folder, and, when `charts` is
/// true, every chart as `<name>.png` and `<name>.svg` plus `report.html`.
pub fn write_outputs(
    staging: &Staging,
    model: &Model,
    _tally: &Tally,
    summary: &Summary,
    charts: bool,
) -> Result<()> {
    let json = serde_json::to_vec_pretty(summary)
        .map_err(|e| Error::Failed(format!("cannot encode summary.json: {e}")))?;
    staging.write("summary.json", &json)?;
    staging.write("outcomes.csv", &report::csv::outcomes(summary)?)?;
    staging.write("timeseries.csv", &report::csv::timeseries(summary)?)?;
    if charts {
        let drawn = report::charts::render_all(model, summary)?;
        for c in &drawn {
            staging.write(&format!("{}.png", c.name), &c.png)?;
            staging.write(&format!("{}.svg", c.name), c.svg.as_bytes())?;
        }
        staging.write(
            "report.html",
            report::html::report(model, summary, &drawn).as_bytes(),
        )?;
    }
    Ok(())
}

/// The short readable summary printed after a run.
pub fn print_summary(s: &Summary, dir: &Path) -> String {
    let mut o = String::new();
    let m = &s.manifest;
    o += &format!(
        "{} — {} runs{}, seed {}{}\n\n",
        s.scenario.name,
        m.runs,
        if m.complete { "" } else { " (incomplete)" },
        m.seed,
        m.variant
            .as_ref()
            .map(|v| format!(", variant {v}"))
            .unwrap_or_default()
    );
    if let Some(r) = &m.stop_reason {
        o += &format!("stopped: {r}\n\n");
    }
    let mut t = Table::new(&[
        "outcome",
        "probability",
        "95% interval",
        "median first step",
    ]);
    for oc in &s.outcomes {
        t.row(vec![
            oc.name.clone(),
            format!("{:.3}", oc.probability.estimate),
            format!("{:.3} – {:.3}", oc.probability.low, oc.probability.high),
            oc.first_step_quartiles
                .map_or("-".into(), |q| format!("{}", q[1])),
        ]);
    }
    o += &t.render();
    let mut t = Table::new(&["rung", "peak", "final", "mean steps on it"]);
    for (r, name) in s.scenario.rungs.iter().enumerate() {
        t.row(vec![
            name.clone(),
            format!("{:.3}", s.peak_rung[r].estimate),
            format!("{:.3}", s.final_rung[r].estimate),
            format!("{:.1}", s.mean_steps_on_rung[r]),
        ]);
    }
    o += "\n";
    o += &t.render();
    let mut t = Table::new(&[
        "actor",
        &format!("mean cost ({})", s.scenario.cost_unit),
        "95% interval",
        "median",
        "95th pct",
    ]);
    for c in &s.costs {
        if c.max == 0.0 {
            continue;
        }
        t.row(vec![
            c.actor.clone(),
            format!("{:.1}", c.mean.estimate),
            format!("{:.1} – {:.1}", c.mean.low, c.mean.high),
            format!("{:.1}", c.q[2]),
            format!("{:.1}", c.q[4]),
        ]);
    }
    o += "\n";
    o += &t.render();
    o += &format!("\nwrote {}\n", dir.display());
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Component;

    /// Names an analyst, a hostile scenario or a typo could bring.
    const NASTY: &[&str] = &[
        "",
        ".",
        "..",
        "...",
        "../..",
        "../../x",
        "..\\..\\x",
        "/",
        "/etc/passwd",
        "\\",
        "C:\\Windows",
        "c:",
        "a/b",
        "a\\b",
        "x/../../y",
        ".hidden",
        "trailing.",
        "trailing...",
        " ",
        "\0",
        "a\0b",
        "\n",
        "tab\there",
        "\u{7f}",
        "\u{1b}[31m",
        "CON",
        "con",
        "Con.txt",
        "NUL",
        "nul.tar.gz",
        "PRN",
        "AUX",
        "COM1",
        "com9",
        "LPT1",
        "lpt0.log",
        "CON.",
        "CON ",
        "..CON",
        "ру́сский",
        "名前",
        "emoji\u{1F600}",
        "a:b",
        "*?<>|\"",
        "-rf",
    ];

    /// A name is safe when it is exactly one ordinary path component, on Unix and on Windows.
    fn assert_safe(original: &str, s: &str) {
        let p = Path::new(s);
        let comps: Vec<_> = p.components().collect();
        assert!(
            matches!(comps.as_slice(), [Component::Normal(c)] if *c == std::ffi::OsStr::new(s)),
            "{original:?} became {s:?}, which is not one plain path component"
        );
        assert!(!s.is_empty() && s.len() <= 81, "{original:?} became {s:?}");
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "{original:?} became {s:?}"
        );
        assert!(
            !s.starts_with('.') && !s.ends_with('.'),
            "{original:?} became {s:?}"
        );
        let base = s.split('.').next().unwrap();
        assert!(
            !windows_reserved(base),
            "{original:?} became {s:?}, a Windows device name"
        );
    }

    #[test]
    fn sanitized_names_are_one_safe_component() {
        for n in NASTY {
            assert_safe(n, &sanitize(n));
        }
        let long = "a".repeat(10_000);
        assert_eq!(sanitize(&long).len(), 80);
    }

    #[test]
    fn sanitize_keeps_good_names_and_fixes_reserved_ones() {
        assert_eq!(sanitize("russia_azerbaijan_2025"), "russia_azerbaijan_2025");
        assert_eq!(sanitize("visa-now.v2"), "visa-now.v2");
        assert_eq!(sanitize(""), "run");
        assert_eq!(sanitize(".."), "run");
        assert_eq!(sanitize("../../x"), "_.._x");
        assert_eq!(sanitize("CON"), "CON_");
        assert_eq!(sanitize("nul.tar.gz"), "nul_.tar.gz");
        assert_eq!(sanitize("Con.txt"), "Con_.txt");
        assert_eq!(sanitize("com1"), "com1_");
        assert_eq!(sanitize("COM10"), "COM10");
        assert_eq!(sanitize("CONSOLE"), "CONSOLE");
        assert_eq!(sanitize("trailing."), "trailing");
    }

    /// Lexically resolves `.` and `..`; a path that climbs above its start returns None.
    fn normalize(p: &Path) -> Option<PathBuf> {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::Normal(x) => out.push(x),
                Component::CurDir => {}
                Component::ParentDir => {
                    if !out.pop() {
                        return None;
                    }
                }
                Component::RootDir | Component::Prefix(_) => return None,
            }
        }
        Some(out)
    }

    #[test]
    fn default_output_folders_stay_inside_output() {
        let mut files: Vec<String> = NASTY.iter().map(|n| format!("{n}.ron")).collect();
        files.extend(NASTY.iter().map(|n| n.to_string()));
        files.extend(NASTY.iter().map(|n| format!("scenarios/{n}.ron")));
        for f in &files {
            for v in std::iter::once(None).chain(NASTY.iter().map(Some)) {
                let out = default_out(Path::new(f), v.copied());
                let norm =
                    normalize(&out).unwrap_or_else(|| panic!("{f:?} {v:?} gave {}", out.display()));
                let comps: Vec<_> = norm.components().collect();
                assert_eq!(comps.len(), 2, "{f:?} {v:?} gave {}", out.display());
                assert_eq!(comps[0], Component::Normal("output".as_ref()));
                let name = comps[1].as_os_str().to_str().unwrap();
                assert_safe(&format!("{f:?} {v:?}"), name);
            }
        }
    }
}
