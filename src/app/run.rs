//! A whole `brink run`: claim the output folder, run the simulation (writing per-run rows as
//! chunks complete), and write every output atomically.

use brink::text::ShowPath;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use brink::Simulation;
use brink::analysis::{Manifest, Summary};
use brink::engine::{self, ChunkSink};
use brink::error::{Error, Result};
use brink::report;
use brink::scenario::LoadedScenario;
use brink::scenario::overrides::Override;

use crate::app::output::Staging;

/// What `brink run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub runs: u64,
    pub seed: u64,
    pub variant: Option<String>,
    pub threads: usize,
    pub out: PathBuf,
    pub per_run: bool,
    /// The per-run table's format: runs.csv or runs.parquet.
    pub format: TableFormat,
    /// Steps at which runs.csv records the rung and the levels.
    pub per_run_steps: Vec<u32>,
    pub charts: bool,
    /// Show a progress bar (only when stderr is a terminal).
    pub progress: bool,
    pub command: Vec<String>,
    /// Compute only this shard of the runs.
    pub shard: Option<brink::engine::ShardSpec>,
    /// Stop once this outcome's 95% interval is this narrow (half-width); `runs` is then the
    /// most runs allowed.
    pub precision: Option<(String, f64)>,
    /// report.html's own title (`--report-title`) and the date of the analysis.
    pub report: report::run::ReportOptions,
}

/// The file format of a per-run table (`--format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// Comma-separated text (`runs.csv`).
    #[default]
    Csv,
    /// Typed columns in Parquet row groups (`runs.parquet`), for pandas, polars and R's arrow.
    Parquet,
}

impl TableFormat {
    /// The library's name for the format.
    pub fn per_run(self) -> report::per_run::Format {
        match self {
            TableFormat::Csv => report::per_run::Format::Csv,
            TableFormat::Parquet => report::per_run::Format::Parquet,
        }
    }
}

/// The date of the analysis for a report (`YYYY-MM-DD`, UTC): today, or the day of
/// `SOURCE_DATE_EPOCH` (seconds since 1970) when that is set, as reproducible builds use it,
/// so that the same run gives the same report.html on any day.
pub fn analysis_date() -> String {
    let fixed = source_date_epoch().ok().flatten();
    let secs = fixed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    brink::analysis::summary::utc_date(secs)
}

/// The last second `SOURCE_DATE_EPOCH` may name: 9999-12-31 23:59:59 UTC (a date of four
/// digits).
const LAST_EPOCH: i64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` read: `None` when it is not set, an error when it is set to anything but
/// a whole number of seconds from 0 to [`LAST_EPOCH`].
fn source_date_epoch() -> Result<Option<i64>> {
    let Some(v) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let text = v.to_string_lossy();
    match text.parse::<i64>() {
        Ok(secs) if (0..=LAST_EPOCH).contains(&secs) => Ok(Some(secs)),
        _ => Err(Error::Input(format!(
            "SOURCE_DATE_EPOCH is {:?}; expected a whole number of seconds since 1970-01-01 \
             UTC, from 0 to {LAST_EPOCH} (the date reports show), or the variable unset",
            text.chars().take(80).collect::<String>()
        ))),
    }
}

/// Refuses a malformed `SOURCE_DATE_EPOCH` before any work, as the reproducible-builds
/// convention asks: ignored, it gave today's date where the user had fixed one.
pub fn check_source_date_epoch() -> Result<()> {
    source_date_epoch().map(|_| ())
}

/// The default output folder of a scenario file (and variant): `output/<file stem>[-<variant>]`,
/// and with `--set` overrides `output/<file stem>[-<variant>]-set-<path>_<value>[,...]`, so that
/// a what-if never takes the place of the plain run's results. A stem or variant that could
/// be read two ways ([`distinct_part`]: one [`sanitize`] changes, holding a `-` or a capital
/// letter, or longer than 80 characters) and overrides that `sanitize` changes (a
/// distribution's spaces and quotes) end in a hash of what was given, so that two files,
/// variants or what-ifs do not share a folder.
pub fn default_out<S: std::fmt::Display>(
    scenario_file: &Path,
    variant: Option<&str>,
    sets: &[S],
) -> PathBuf {
    let stem = scenario_file
        .file_stem()
        .map(distinct_part)
        .unwrap_or_else(|| "run".into());
    let name = match variant {
        Some(v) => format!("{stem}-{}", distinct_part(std::ffi::OsStr::new(v))),
        None => stem,
    };
    let name = with_sets(name, sets);
    PathBuf::from("output").join(name)
}

/// A file stem or variant name as one part of a default folder name: as it is when that is
/// unambiguous, else made safe, cut and followed by a hash of its bytes. Unambiguous means what
/// [`sanitize`] keeps unchanged, at most 80 characters, valid UTF-8, with no `-` (which joins
/// the parts: `t-visa_now.ron` and `t.ron --variant visa_now` shared `output/t-visa_now`) and
/// no capital letter (`A_B` and `a_b` are one folder on macOS and Windows). A reviewing helper
/// found each of these sharing a folder, the second run replacing the first.
fn distinct_part(part: &std::ffi::OsStr) -> String {
    match part.to_str() {
        Some(p)
            if p.chars().count() <= 80
                && sanitize(p) == p
                && !p.contains('-')
                && !p.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            p.to_string()
        }
        _ => hashed(&part.to_string_lossy(), part.as_encoded_bytes()),
    }
}

/// `text` cut to 70 characters, made safe by [`sanitize`] and followed by a hash of `bytes`
/// (what was given: a name, or a file name that need not be UTF-8).
fn hashed(text: &str, bytes: &[u8]) -> String {
    let cut: String = text.chars().take(70).collect();
    sanitize(&format!("{cut}-{:08x}", fnv_bytes(bytes) as u32))
}

/// A default folder for a shard: `<name>-shard-I-of-N`, so that the shards of a job run
/// without `--out` do not replace each other (or the whole job's result) in one folder.
pub fn shard_out(p: PathBuf, shard: Option<brink::engine::ShardSpec>) -> PathBuf {
    match (shard, p.file_name()) {
        (Some(s), Some(name)) => {
            let name = format!(
                "{}-shard-{}-of-{}",
                name.to_string_lossy(),
                s.index,
                s.count
            );
            p.with_file_name(name)
        }
        _ => p,
    }
}

/// A default folder name followed by the `--set` overrides that made the results
/// (`<name>-set-<path>_<value>[,...]`), made safe by [`sanitize`]; a name longer than 80
/// characters is cut and ends in a hash of the whole overrides.
pub fn with_sets<S: std::fmt::Display>(name: String, sets: &[S]) -> String {
    if sets.is_empty() {
        return name;
    }
    short_name(&format!("{name}{}", sets_part(sets)))
}

/// What [`with_sets`] appends, uncut: `-set-<path>_<value>[,...]` (empty without overrides).
fn sets_part<S: std::fmt::Display>(sets: &[S]) -> String {
    if sets.is_empty() {
        return String::new();
    }
    // `path=value` is written `path_value`: the one character every override has that a
    // folder name may not is no reason for a hash.
    let joined = sets
        .iter()
        .map(|s| s.to_string().replacen('=', "_", 1))
        .collect::<Vec<_>>()
        .join(",");
    format!("-set-{joined}")
}

/// `name` made safe by [`sanitize`]. A name that is already safe and at most 80 characters
/// stays as it is; any other is cut to 70 characters, made safe and ends in a hash of the name
/// as given, so that two names never share a folder: names differing only past the cut (the
/// second replaced the first), or only in what `sanitize` replaces (`a b.ron` and `a_b.ron`,
/// `é.ron` and `ü.ron`, a reviewing helper's finding).
fn short_name(name: &str) -> String {
    if name.chars().count() <= 80 && sanitize(name) == name {
        return name.to_string();
    }
    hashed(name, name.as_bytes())
}

/// The default output folder: `output/<file stem>[-<variant>]-sweep-<path>`, with two
/// parameters `...-sweep-<first path>-<second path>` (paths longer than 80 characters cut, and
/// ending in a hash of the whole).
pub fn sweep_default_out(
    scenario_file: &std::path::Path,
    variant: Option<&str>,
    paths: &[&str],
    sets: &[Override],
) -> PathBuf {
    let mut p = default_out(scenario_file, variant, sets);
    let name = format!(
        "{}-sweep-{}",
        p.file_name()
            .map_or("run".into(), |n| n.to_string_lossy().into_owned()),
        short_name(&paths.join("-"))
    );
    p.set_file_name(name);
    p
}

/// The default output folder of `backtest`, `calibrate` and `backtest --cross-validate`:
/// `output/<case>[-<case>...]-<what>[-<param>...]` followed by the `--set` overrides, so that
/// a calibration of other cases or other numbers never takes the place of an earlier one (all
/// went to `output/calibration`, the second replacing the first). A name of several cases or
/// numbers ends in a hash of their list, since names may hold `-` themselves (the cases `x-y`
/// and `x`, `y` would read alike); too long a name is cut and ends in a hash of the whole, as
/// [`with_sets`] does.
pub fn history_default_out<S: std::fmt::Display>(
    cases: &[&str],
    what: &str,
    params: &[String],
    sets: &[S],
) -> PathBuf {
    let mut parts: Vec<&str> = cases.to_vec();
    parts.push(what);
    parts.extend(params.iter().map(String::as_str));
    let mut name = parts.join("-");
    if cases.len() > 1 || params.len() > 1 {
        // Newlines and a NUL are in no name or path: the list, unambiguously.
        let list = format!("{}\0{}", cases.join("\n"), params.join("\n"));
        name = format!("{name}-{:08x}", fnv(&list) as u32);
    }
    let name = format!("{name}{}", sets_part(sets));
    if name.chars().count() > 80 || sanitize(&name) != name {
        // Cut the cases' names, not what the folder holds: four cases' names filled the 80
        // characters and the cut took `-calibration-` with them (a reviewing helper), and a
        // `--set` cut it again. The hash is of the whole name, so the numbers' list and the
        // overrides still tell folders apart.
        let set = if sets.is_empty() { "" } else { "-set" };
        let tail = format!("-{}{set}-{:08x}", sanitize(what), fnv(&name) as u32);
        let head: String = cases
            .join("-")
            .chars()
            .take(80usize.saturating_sub(tail.chars().count()))
            .collect();
        return PathBuf::from("output").join(sanitize(&format!(
            "{}{tail}",
            sanitize(&head).trim_end_matches('-')
        )));
    }
    PathBuf::from("output").join(name)
}

/// FNV-1a: a stable hash in a few lines, the same on every platform.
fn fnv(text: &str) -> u64 {
    fnv_bytes(text.as_bytes())
}

/// [`fnv`] of bytes (a file name need not be UTF-8).
fn fnv_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
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
pub(crate) fn windows_reserved(base: &str) -> bool {
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

/// A per-run table being written to a file of the output folder.
pub type RowsFile = report::per_run::RowsFile;

/// Starts the per-run table (`runs.csv` or `runs.parquet`) in the staging folder with these
/// columns.
pub fn create_rows_file(
    staging: &Staging,
    format: TableFormat,
    columns: Vec<report::table::Column>,
) -> Result<RowsFile> {
    let f = format.per_run();
    RowsFile::create(&staging.path(f.file_name()), f, columns)
}

/// The sink of a run, a comparison or a sweep: per-run rows into the per-run table (when
/// asked) and the progress bar.
pub struct Sink {
    /// The per-run table, with `--per-run`.
    pub rows: Option<RowsFile>,
    /// The error that stopped the per-run table, reported as itself rather than as the
    /// engine's I/O error.
    pub failed: Option<Error>,
    /// The progress bar, on a terminal.
    pub bar: Option<indicatif::ProgressBar>,
}

impl ChunkSink for Sink {
    fn wants_rows(&self) -> bool {
        self.rows.is_some()
    }
    fn rows(&mut self, rows: &[engine::Cell]) -> std::io::Result<()> {
        match &mut self.rows {
            Some(w) => w.write_rows(rows).map_err(|e| {
                let io = std::io::Error::other(e.chain());
                self.failed = Some(e);
                io
            }),
            None => Ok(()),
        }
    }
    fn progress(&mut self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }
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

/// Runs the simulation and writes the output folder. Returns the summary and the folder. When
/// `stop` is set, the engine stops after the run in progress on each thread and keeps the
/// whole chunks merged before; with [`OnStop::Discard`] nothing is written, with
/// [`OnStop::Keep`] those runs are (`manifest.runs` below `req.runs`).
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
    let mut sim = Simulation::new(loaded)
        .variant_opt(req.variant.clone())
        .runs(req.runs)
        .seed(req.seed)
        .threads(req.threads)
        .shard(req.shard)
        .stop_flag(stop)
        .command(req.command.clone())
        .per_run_steps(req.per_run_steps.clone());
    if let Some((outcome, half_width)) = &req.precision {
        sim = sim.until_precision(outcome.clone(), *half_width);
    }
    if req.format == TableFormat::Parquet && req.shard.is_some() {
        return Err(Error::Input(
            "--format parquet cannot be used with --shard yet (brink merge joins CSV parts \
             and writes CSV); run the shards with --format csv"
                .into(),
        ));
    }
    let model = sim.model()?;
    // Before anything is written: counts too large for memory are refused here.
    let plan = sim.fitted_plan(&model)?;
    // A shard is replaced only by a shard (a rerun of it); a whole run over one lost its runs.
    match req.shard {
        None => crate::app::output::not_a_shard(&req.out, "the run")?,
        Some(spec) => {
            let this = Manifest::new(
                loaded,
                req.seed,
                req.variant.clone(),
                req.runs,
                req.runs,
                vec![],
            );
            crate::app::shards::only_this_shard(&req.out, "shard.json", "run", &this, spec, None)?
        }
    }
    let staging = Staging::begin(&req.out, "run")?;
    let keys =
        report::per_run::ArmRows::run(&loaded.scenario, &model, req.variant.as_deref(), req.seed)?;
    let per_run_columns = req.per_run.then(|| keys.columns(&loaded.scenario, &model));
    let rows = match &per_run_columns {
        Some(c) => Some(create_rows_file(&staging, req.format, c.clone())?),
        None => None,
    };
    let bar = (req.progress && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(plan.own_runs());
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs {eta} left")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut sink = Sink {
        rows,
        failed: None,
        bar,
    };
    let row = |arm: usize,
               m: &brink::model::Model,
               r: u64,
               st: &brink::model::RunState,
               out: &mut Vec<engine::Cell>| keys.push(arm, m, r, st, out);
    let done = sim.run_into(&mut sink, Some(&row));
    if let Some(b) = &sink.bar {
        b.finish_and_clear();
    }
    if let Some(e) = sink.failed.take() {
        return Err(e);
    }
    let done = done?;
    let discard = |runs: u64| {
        Err(Error::Interrupted(stopped_message(
            runs,
            plan.own_runs(),
            req.out.exists().then(|| req.out.shown().to_string()),
            // A shard must be whole to merge: there is nothing to keep.
            req.shard.is_none() && on_stop != OnStop::Keep,
        )))
    };
    // Stopped before any run was done: nothing to keep, even with --keep-partial (a result of
    // no runs would replace the previous one with empty tables).
    if done.interrupted && (on_stop == OnStop::Discard || done.tally.runs == 0) {
        return discard(done.tally.runs);
    }
    if let Some(w) = sink.rows.take() {
        w.finish()?;
    }
    if let Some(spec) = req.shard {
        // A shard keeps its raw tally for `brink merge`; its manifest names the whole job.
        let mut m = done.summary.manifest.clone();
        m.runs = req.runs;
        staging.write_all(&[crate::app::shards::shard_file(
            loaded,
            &plan,
            spec,
            req.per_run,
            m,
            &done.tally,
        )?])?;
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            return discard(done.tally.runs);
        }
        let dir = staging.commit()?;
        return Ok((done.summary, dir));
    }
    // One storyline for the report: run 0 of the same seed and variant, replayed.
    let traced = req
        .charts
        .then(|| {
            timeline(
                &done.model,
                loaded,
                req.seed,
                &req.command,
                loaded.overrides.iter().map(Into::into).collect(),
            )
        })
        .flatten();
    // The charts are drawn side by side, on as many threads as the runs were.
    let mut files = crate::app::on_threads(req.threads, || {
        report::run::files_traced(
            &done.model,
            &done.summary,
            req.charts,
            &req.report,
            traced.as_ref(),
        )
    })?;
    files.push(report::dictionary::columns_json(
        &report::dictionary::run_tables(
            &done.summary,
            req.format.per_run(),
            per_run_columns.map(|c| (req.format.per_run(), c)),
        ),
    )?);
    if req.format == TableFormat::Parquet {
        // The per-step table in the format asked for, in place of its CSV.
        files.retain(|a| a.name != "timeseries.csv");
        let t = report::csv::timeseries_table(&done.summary);
        let mut w = report::parquet::ParquetWriter::create(
            &staging.path("timeseries.parquet"),
            &t.columns,
        )?;
        for row in t.cells()? {
            w.write_row(&row)?;
        }
        w.finish()?;
    }
    staging.write_all(&files)?;
    // A stop asked for while the outputs were being written still keeps the old folder.
    if on_stop == OnStop::Discard && stop.load(std::sync::atomic::Ordering::SeqCst) {
        return discard(done.tally.runs);
    }
    let dir = match on_stop {
        OnStop::Keep => staging.commit_even_if_stopped()?,
        OnStop::Discard => staging.commit()?,
    };
    Ok((done.summary, dir))
}

/// The readable summary printed after a run, with the folder written.
pub fn print_summary(s: &Summary, dir: &Path) -> String {
    format!(
        "{}\nwrote {}\n",
        report::run::text(s),
        crate::app::terminal::path(dir)
    )
}

/// The report's storyline: run 0 of `seed` replayed, as `trace` tells it (`command` and `set`
/// are the result's). None, with a note, when its trace is over the timeline's budget: the
/// chart is left out, the rest of the result stands.
pub(crate) fn timeline(
    model: &brink::model::Model,
    loaded: &brink::scenario::LoadedScenario,
    seed: u64,
    command: &[String],
    set: Vec<brink::scenario::overrides::Setting>,
) -> Option<brink::analysis::trace::TraceOutput> {
    match brink::analysis::trace::timeline_run(model, loaded, seed, 0) {
        Ok(t) => Some(brink::analysis::trace::TraceOutput {
            command: command.to_vec(),
            pick: None,
            traces: vec![t],
            set,
        }),
        Err(e) => {
            crate::app::terminal::tell(&format!(
                "note: the timeline chart of run 0 is left out: {e}"
            ));
            None
        }
    }
}

/// What a stopped run says: the runs done of `own`, that nothing was written, the previous
/// results kept (`previous`, the output folder if it was there), and when `keep_hint` allows
/// and there is something to keep (some runs, not all: a signal after the last run came
/// before the saving), that `--keep-partial` would have kept the runs done.
fn stopped_message(runs: u64, own: u64, previous: Option<String>, keep_hint: bool) -> String {
    let all = runs == own;
    format!(
        "{}; nothing was written{}{}",
        if all {
            format!("stopped before the results were saved (all {runs} runs were done)")
        } else {
            format!("stopped after {runs} of {own} runs")
        },
        previous
            .map(|p| format!(", the previous results in {p} are as they were"))
            .unwrap_or_default(),
        if keep_hint && runs > 0 && !all {
            " (rerun with --keep-partial to keep the runs done)"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Component;

    /// Found by a reviewing helper: a signal after the last run, before the saving, said
    /// "stopped after 200000 of 200000 runs" and offered `--keep-partial` for a whole run.
    #[test]
    fn a_stop_after_every_run_offers_nothing_partial() {
        let all = stopped_message(200_000, 200_000, Some("big".into()), true);
        assert_eq!(
            all,
            "stopped before the results were saved (all 200000 runs were done); nothing was \
             written, the previous results in big are as they were"
        );
        let some = stopped_message(196_608, 200_000, None, true);
        assert_eq!(
            some,
            "stopped after 196608 of 200000 runs; nothing was written (rerun with \
             --keep-partial to keep the runs done)"
        );
        assert!(!stopped_message(0, 10, None, true).contains("--keep-partial"));
        assert!(!stopped_message(5, 10, None, false).contains("--keep-partial"));
    }

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
    fn a_what_if_has_its_own_default_folder() {
        let set = |s: &str| -> Override { s.parse().unwrap() };
        let plain = default_out::<&str>(Path::new("scenarios/tutorial.ron"), None, &[]);
        let what_if = default_out(
            Path::new("scenarios/tutorial.ron"),
            None,
            &[set("actors.russia.resolve=0.3")],
        );
        assert_eq!(plain, Path::new("output/tutorial"));
        assert_eq!(
            what_if,
            Path::new("output/tutorial-set-actors.russia.resolve_0.3")
        );
        // Long overrides are cut, and two that share their first 70 characters still differ.
        let long = |v: &str| {
            let s = format!("events.arrests.hazard=0.2{v}");
            default_out(
                Path::new("t.ron"),
                Some("sanctions"),
                &[
                    set("actors.russia.resolve=Uniform(min: 0.1, max: 0.5)"),
                    set(&s),
                ],
            )
        };
        let (a, b) = (long("5"), long("6"));
        assert_ne!(a, b);
        for p in [&a, &b] {
            let name = p.file_name().unwrap().to_str().unwrap();
            assert!(name.len() <= 80, "{name}");
            assert_safe("a long what-if", name);
        }
    }

    /// Files and what-ifs that `sanitize` alone would write to one folder each get their own
    /// (a reviewing helper's runs of `a b.ron` and `a_b.ron` shared `output/a_b`, the second
    /// replacing the first); names already safe keep their plain folder.
    #[test]
    fn names_sanitize_would_merge_get_their_own_default_folders() {
        let out = |f: &str, sets: &[&str]| default_out(Path::new(f), None, sets);
        for (a, b) in [
            ("a b.ron", "a_b.ron"),
            ("é.ron", "ü.ron"),
            ("x:y.ron", "x?y.ron"),
            ("con.ron", "con_.ron"),
            ("a..ron", "a.ron"),
        ] {
            let (pa, pb) = (out(a, &[]), out(b, &[]));
            assert_ne!(pa, pb, "{a} and {b}");
            for p in [&pa, &pb] {
                let name = p.file_name().unwrap().to_str().unwrap();
                assert!(name.len() <= 80, "{name}");
                assert_safe(a, name);
            }
        }
        assert_eq!(out("a_b.ron", &[]), Path::new("output/a_b"));
        // A stem that reads as a stem and a variant, and names alike but for case.
        let variant = default_out::<&str>(Path::new("t.ron"), Some("visa_now"), &[]);
        assert_eq!(variant, Path::new("output/t-visa_now"));
        assert_ne!(out("t-visa_now.ron", &[]), variant);
        assert_ne!(
            default_out::<&str>(Path::new("a.ron"), Some("b-c"), &[]),
            out("a-b.ron", &[]).with_file_name(format!(
                "{}-c",
                out("a-b.ron", &[]).file_name().unwrap().to_str().unwrap()
            ))
        );
        let (upper, lower) = (out("A_B.ron", &[]), out("a_b.ron", &[]));
        assert!(
            !upper
                .to_str()
                .unwrap()
                .eq_ignore_ascii_case(lower.to_str().unwrap()),
            "{} {}",
            upper.display(),
            lower.display()
        );
        let (pretext, pretext_lower) = (
            default_out::<&str>(Path::new("t.ron"), Some("Pretext"), &[]),
            default_out::<&str>(Path::new("t.ron"), Some("pretext"), &[]),
        );
        assert!(
            !pretext
                .to_str()
                .unwrap()
                .eq_ignore_ascii_case(pretext_lower.to_str().unwrap())
        );
        // File names that are not UTF-8 stay apart (their lossy text is alike).
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let raw = |b: &[u8]| {
                default_out::<&str>(Path::new(std::ffi::OsStr::from_bytes(b)), None, &[])
            };
            assert_ne!(raw(b"\xff.ron"), raw(b"\xfe.ron"));
        }
        let dist = |source: &str| {
            format!("actors.north.hawkishness=Uniform(min: 0, max: 1, source: \"{source}\")")
        };
        let (x, y) = (dist("a b"), dist("a:b"));
        assert_ne!(out("t.ron", &[&x]), out("t.ron", &[&y]));
        assert_eq!(
            out("t.ron", &["actors.north.hawkishness=0.9"]),
            Path::new("output/t-set-actors.north.hawkishness_0.9")
        );
    }

    #[test]
    fn calibrations_of_other_cases_or_numbers_have_their_own_default_folders() {
        let p = |cases: &[&str], params: &[&str]| {
            let params: Vec<String> = params.iter().map(|s| s.to_string()).collect();
            history_default_out::<&str>(cases, "calibration", &params, &[])
        };
        let georgia = p(&["russia_georgia_2006"], &["shared.fatigue.value"]);
        assert_eq!(
            georgia,
            Path::new("output/russia_georgia_2006-calibration-shared.fatigue.value")
        );
        // Another case, another number, the same case among others: each its own folder (all
        // were output/calibration, each calibration replacing the one before).
        let others = [
            p(&["mackerel"], &["shared.fatigue.value"]),
            p(&["russia_georgia_2006"], &["actors.russia.sensitivity"]),
            p(
                &["russia_georgia_2006", "mackerel"],
                &["shared.fatigue.value"],
            ),
        ];
        for o in &others {
            assert_ne!(o, &georgia);
        }
        assert_ne!(others[0], others[1]);
        // Names hold `-`: one case `x-y` and two cases `x` and `y` read alike but for the
        // hash a list of several ends in (found by a reviewing helper: the second replaced
        // the first).
        let b = |cases: &[&str]| history_default_out::<&str>(cases, "backtest", &[], &[]);
        assert_eq!(b(&["x-y"]), Path::new("output/x-y-backtest"));
        assert_ne!(b(&["x-y"]), b(&["x", "y"]));
        assert_ne!(b(&["x", "y"]), b(&["y", "x"]));
        assert!(
            b(&["x", "y"])
                .to_str()
                .unwrap()
                .starts_with("output/x-y-backtest-")
        );
        assert_ne!(p(&["c"], &["a.b-c.d"]), p(&["c"], &["a.b", "c.d"]));
        assert_eq!(
            history_default_out::<&str>(&["mackerel"], "backtest", &[], &[]),
            Path::new("output/mackerel-backtest")
        );
        // Many cases and numbers: cut, apart by their hash, one safe name inside output/.
        let many: Vec<String> = (0..40).map(|i| format!("case_{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let (a, b) = (
            p(&many, &["shared.fatigue.value"]),
            p(&many, &["shared.fatigue.sd"]),
        );
        assert_ne!(a, b);
        for out in [&a, &b] {
            let norm = normalize(out).unwrap();
            assert_eq!(norm.components().count(), 2, "{}", out.display());
            let name = out.file_name().unwrap().to_str().unwrap();
            assert!(name.len() <= 80, "{name}");
            assert_safe("many cases", name);
            // What the folder holds survives the cut (a reviewing helper: four cases' names
            // took `-calibration-` away).
            assert!(name.starts_with("case_0-case_1-"), "{name}");
            assert!(name.contains("-calibration-"), "{name}");
        }
        let four = history_default_out::<&str>(
            &[
                "russia_azerbaijan_2024",
                "russia_turkey_2015",
                "russia_georgia_2006",
                "china_lithuania_2021",
            ],
            "cross-validation",
            &[
                "shared.fatigue.value".into(),
                "shared.hawkishness.value".into(),
            ],
            &[],
        );
        let name = four.file_name().unwrap().to_str().unwrap();
        assert!(name.len() <= 80, "{name}");
        assert!(name.contains("-cross-validation-"), "{name}");
        // With --set too: the overrides' part is not cut again over the kind (a reviewing
        // helper: `...-russia_georg-cross-validatio-aa55af26`).
        let three = [
            "russia_azerbaijan_2024",
            "russia_turkey_2015",
            "russia_georgia_2006",
        ];
        let params = [
            "shared.fatigue.value".into(),
            "shared.hawkishness.value".into(),
        ];
        let with = |v: &str| {
            let set = [format!("shared.reactivity.value={v}")];
            history_default_out(&three, "cross-validation", &params, &set)
        };
        let (a, b) = (with("0.2"), with("0.25"));
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_str().unwrap();
        assert!(name.len() <= 80, "{name}");
        assert!(name.contains("-cross-validation-set-"), "{name}");
        assert_safe("with a set", name);
        for n in NASTY {
            let out = history_default_out::<&str>(&[n], "calibration", &[n.to_string()], &[]);
            let norm = normalize(&out).unwrap_or_else(|| panic!("{n:?} gave {}", out.display()));
            assert_eq!(norm.components().count(), 2, "{n:?} gave {}", out.display());
            assert_safe(n, out.file_name().unwrap().to_str().unwrap());
        }
    }

    #[test]
    fn default_output_folders_stay_inside_output() {
        let mut files: Vec<String> = NASTY.iter().map(|n| format!("{n}.ron")).collect();
        files.extend(NASTY.iter().map(|n| n.to_string()));
        files.extend(NASTY.iter().map(|n| format!("scenarios/{n}.ron")));
        for f in &files {
            for v in std::iter::once(None).chain(NASTY.iter().map(Some)) {
                let out = default_out::<&str>(Path::new(f), v.copied(), &[]);
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

#[cfg(test)]
mod sweep_names {
    use super::*;

    /// Two sweeps whose paths differ only past the name's cut get two folders (they shared
    /// one, the second replacing the first); a short name is as it was.
    #[test]
    fn sweeps_differing_past_the_cut_get_their_own_folders() {
        let file = Path::new("scenarios/russia_azerbaijan_2025.ron");
        let first = "levers.ukraine_alignment.levels.material_support.pressure.hardline_media";
        let a = sweep_default_out(file, None, &[first, "levers.a.threshold"], &[]);
        let b = sweep_default_out(file, None, &[first, "levers.b.threshold"], &[]);
        assert_ne!(a, b);
        for p in [&a, &b] {
            let name = p.file_name().unwrap().to_str().unwrap();
            assert!(
                name.len() < 255 && name.contains("-sweep-levers."),
                "{name}"
            );
        }
        // Nor do runs of two variants differing past the cut of a name with overrides.
        let set: Vec<String> = vec!["relations.a->b.grievance=2".into()];
        let long = |end: char| format!("v{}{end}", "a".repeat(62));
        let (v1, v2) = (long('1'), long('2'));
        assert_ne!(
            default_out(file, Some(&v1), &set),
            default_out(file, Some(&v2), &set)
        );
        let short = sweep_default_out(file, None, &["actors.ru.activity"], &[]);
        assert_eq!(
            short,
            Path::new("output/russia_azerbaijan_2025-sweep-actors.ru.activity")
        );
    }
}
