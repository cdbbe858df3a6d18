//! A whole `brink run`: compile the scenario, run the engine, write every output atomically.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::engine::{self, ChunkSink, RunPlan, Stopped};
use crate::error::{Error, Result};
use crate::model::{self, Model};
use crate::report::describe::Table;
use crate::report::output::Staging;
use crate::report::{self, Manifest, Summary};
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
    pub shard: Option<crate::shard::ShardSpec>,
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

/// A name made safe as one path component: letters, digits, `-`, `_` and `.` kept, anything
/// else replaced by `_`; never empty, never `.` or `..`.
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
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "run".into() } else { s }
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
    Manifest {
        tool: "brink".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario: loaded.scenario.name.clone(),
        scenario_file: loaded.path.display().to_string(),
        scenario_hash: loaded.hash.clone(),
        seed: req.seed,
        runs: runs_done,
        variant: req.variant.clone(),
        chunk_runs: engine::CHUNK_RUNS,
        complete: runs_done == req.runs,
        command: req.command.clone(),
    }
}

/// Runs the engine and writes the output folder. Returns the summary and the folder.
pub fn run(
    loaded: &LoadedScenario,
    req: &RunRequest,
    stop: &AtomicBool,
) -> Result<(Summary, PathBuf)> {
    let model = compile(loaded, req.variant.as_deref())?;
    let plan = match req.shard {
        Some(spec) => {
            let (first_chunk, end_chunk) = spec.chunks(req.runs);
            RunPlan {
                seed: req.seed,
                runs: req.runs,
                first_chunk,
                end_chunk,
                threads: req.threads,
            }
        }
        None => RunPlan::whole(req.seed, req.runs, req.threads),
    };
    let staging = Staging::begin(&req.out)?;
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
    let tally = match engine::run(&model, &plan, &mut sink, Some(row), stop) {
        Ok(t) => t,
        Err(Stopped::Interrupted(t)) => {
            return Err(Error::Interrupted(format!(
                "stopped after {} of {} runs; nothing was written",
                t.runs,
                plan.own_runs()
            )));
        }
        Err(Stopped::Io(e)) => return Err(Error::Failed(format!("cannot write runs.csv: {e}"))),
    };
    if let Some(b) = &sink.bar {
        b.finish_and_clear();
    }
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
        let dir = staging.commit()?;
        return Ok((summary, dir));
    }
    let summary = Summary::new(&model, &tally, manifest(loaded, req, tally.runs));
    write_outputs(&staging, &model, &tally, &summary, req.charts)?;
    let dir = staging.commit()?;
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
        "{} — {} runs, seed {}{}\n\n",
        s.scenario.name,
        m.runs,
        m.seed,
        m.variant
            .as_ref()
            .map(|v| format!(", variant {v}"))
            .unwrap_or_default()
    );
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
