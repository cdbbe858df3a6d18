//! Scenario authoring and result tools: `brink new`, `brink graph`, `brink diff`, `brink rerun`.

use brink::text::ShowPath;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use brink::analysis::diff::{PerRun, Saved};
use brink::analysis::summary::Manifest;
use brink::error::{Error, Result};

use crate::app::output::{Listed, MARKER, read_bounded, read_listed, read_marker};

/// The largest summary.json, compare.json... read (a million-run summary is a few MB).
const MAX_JSON_BYTES: u64 = 256 << 20;

/// Writes `bytes` to a new file at `path`; never replaces anything (exit code 2 if something
/// is there). A failed write leaves no file. `given` says whether `--out` named the path (the
/// messages say so), or it is the command's default name.
pub fn write_new_file(path: &Path, bytes: &[u8], given: bool) -> Result<()> {
    check_new_file(path, given)?;
    // Written under a name of its own beside the target and renamed into place whole, never
    // replacing: a stop or a failure part way leaves no truncated file at the target (a
    // SIGTERM during a large graph's write did, and the next command refused to replace it).
    let stop = crate::app::interrupt::stop_flag_writing_nothing();
    // A short name of its own (the target's name with a prefix could pass the file system's
    // limit where the name alone does not), the next free one if a stopped command left one.
    let mut k = 0;
    let (staged, mut f) = loop {
        let staged = path.with_file_name(format!(".brink-{}-{k}.partial", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&staged)
        {
            Ok(f) => break (staged, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && k < 1000 => k += 1,
            Err(e) => {
                return Err(crate::app::output::cannot_write(
                    format!("cannot create {}: {e}", path.shown()),
                    &e,
                ));
            }
        }
    };
    if let Err(e) = f.write_all(bytes).and_then(|()| f.sync_all()) {
        drop(f);
        let _ = fs::remove_file(&staged);
        return Err(Error::io("write", path, e));
    }
    drop(f);
    if stop.load(std::sync::atomic::Ordering::SeqCst) {
        let _ = fs::remove_file(&staged);
        return Err(Error::Interrupted(format!(
            "stopped; nothing was written to {}",
            path.shown()
        )));
    }
    match crate::app::output::rename_no_replace(&staged, path) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&staged);
            Err(if e.kind() == std::io::ErrorKind::AlreadyExists {
                already_exists(path, given)
            } else {
                Error::io("write", path, e)
            })
        }
    }
}

/// Refuses to write a new file at `path` (exit code 2) when something is in the way: a folder,
/// a result brink wrote around it, a name longer than a file system allows, or anything already
/// there. Called before any work (a graph is drawn only once its file can be written) and
/// again when writing. `given` as in [`write_new_file`].
pub fn check_new_file(path: &Path, given: bool) -> Result<()> {
    // What to do instead: with --out, change it; with the default name, give one.
    let instead =
        |with_out: &'static str, default: &'static str| if given { with_out } else { default };
    // A folder is not "a file that exists": --out names the file itself.
    let names_folder = (path.as_os_str().to_string_lossy().chars().last())
        .is_some_and(std::path::is_separator)
        // A link to a folder too: "already exists; brink never overwrites a file" misread it.
        || fs::metadata(path).is_ok_and(|m| m.is_dir());
    if names_folder {
        return Err(Error::Input(if given {
            format!(
                "{} names a folder; --out names the file to write (a new one, in a folder that \
                 exists)",
                path.shown()
            )
        } else {
            // The default name, taken by a folder: no --out was given to blame.
            format!(
                "{} is a folder, and it is the file this command writes by default; name \
                 another file with --out FILE",
                path.shown()
            )
        }));
    }
    // A file put in a result brink wrote is one its marker does not list: the result could
    // then be neither replaced, rerun nor read (it is refused as damaged).
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Some(result) = crate::app::output::result_holding(parent) {
        return Err(Error::Input(format!(
            "refusing to write {}: it lies inside {}, a result brink wrote, which would then \
             hold a file it does not list and be refused as damaged; {}",
            path.shown(),
            result.shown(),
            instead(
                "choose an --out outside it",
                "run the command outside it, or name a file outside it with --out FILE"
            )
        )));
    }
    // A name the file system cannot hold is the input's fault, not the machine's (it failed
    // at the final rename, exit code 1, after a graph had been drawn).
    let max = crate::app::output::NAME_MAX;
    if let Some(name) = path.file_name().filter(|n| n.len() > max) {
        return Err(Error::Input(format!(
            "refusing to write {}: its name is {} bytes long, and a file name may have at most \
             {max}; {}",
            path.shown(),
            name.len(),
            instead(
                "choose a shorter --out",
                "name a shorter file with --out FILE"
            )
        )));
    }
    if fs::symlink_metadata(path).is_ok() {
        return Err(already_exists(path, given));
    }
    // An append-only folder takes the file brink stages but lets it be neither renamed into
    // place nor removed: the command failed and left it there.
    if crate::app::output::is_protected(parent) {
        return Err(Error::Input(format!(
            "cannot write {}: {} is immutable or append-only (chattr +i or +a), so brink could \
             not move the new file into place; {}",
            path.shown(),
            parent.shown(),
            instead(
                "choose an --out in another folder",
                "run the command in another folder, or name a file in one with --out FILE"
            )
        )));
    }
    Ok(())
}

/// The error for a file already at `path` ([`check_new_file`]).
fn already_exists(path: &Path, given: bool) -> Error {
    Error::Input(format!(
        "{} already exists; brink never overwrites a file: {}, or move it away",
        path.shown(),
        if given {
            "choose another --out"
        } else {
            "name another file with --out FILE"
        }
    ))
}

/// The file `brink new` writes for `name` (a `what`: scenario or timeline): `out`, or
/// NAME.EXT in the current folder. The name must be safe in any file system, and without
/// `--out` not a device on Windows (`con.ron`, `con.timeline.ron`: a file shared from here
/// would be unreadable there; output folders get a `_` instead, but a name is the user's).
fn new_file_path(name: &str, what: &str, ext: &str, out: Option<&Path>) -> Result<PathBuf> {
    if !brink::scenario::new::is_safe_name(name) {
        return Err(Error::Input(format!(
            "\"{}\" cannot name a {what}: expected an ASCII letter (a–z, A–Z), then ASCII \
             letters, digits, '_' or '-' (at most 64 characters)",
            crate::app::terminal::safe(&brink::text::shortened(name))
        )));
    }
    if let Some(out) = out {
        return Ok(out.to_path_buf());
    }
    if crate::app::run::windows_reserved(name) {
        return Err(Error::Input(format!(
            "{name}.{ext} is a device name on Windows, so the file could not be opened there: \
             expected another name, or --out FILE to name the file yourself"
        )));
    }
    Ok(PathBuf::from(format!("{name}.{ext}")))
}

/// `brink new`: a commented starting scenario.
pub fn new_scenario(
    name: &str,
    template: brink::scenario::new::Template,
    out: Option<&Path>,
) -> Result<PathBuf> {
    let path = new_file_path(name, "scenario", "ron", out)?;
    write_new_file(
        &path,
        brink::scenario::new::text(name, template).as_bytes(),
        out.is_some(),
    )?;
    Ok(path)
}

/// Writes a starting timeline called `name` of `scenario` (read from `scenario_file`) to
/// `out`, or NAME.timeline.ron in the current folder, never replacing a file. Its `scenario:`
/// field names the scenario as the timeline's folder reads it: the path relative to that
/// folder, or the full path where none leads there (another drive).
pub fn new_timeline(
    name: &str,
    scenario: &brink::scenario::Scenario,
    scenario_file: &Path,
    out: Option<&Path>,
) -> Result<PathBuf> {
    let path = new_file_path(name, "timeline", "timeline.ron", out)?;
    let scenario_real = fs::canonicalize(scenario_file)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", scenario_file.shown())))?;
    // The folder it goes in, as `new` says of a scenario's ("cannot create nope/x.ron").
    let folder = fs::canonicalize(
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    )
    .map_err(|e| Error::Input(format!("cannot create {}: {e}", path.shown())))?;
    let shown = relative_to(&scenario_real, &folder);
    let Some(shown) = shown.to_str() else {
        return Err(Error::Input(format!(
            "the scenario's path {} is not UTF-8 text, which a timeline's scenario field must \
             be: give the scenario file a UTF-8 name",
            shown.shown()
        )));
    };
    let text = brink::scenario::new::timeline_text(name, scenario, shown).map_err(|why| {
        Error::Input(format!(
            "cannot start a timeline of {}: {why}",
            scenario_file.shown()
        ))
    })?;
    write_new_file(&path, text.as_bytes(), out.is_some())?;
    Ok(path)
}

/// `to`, a real path, as a path relative to the real folder `from` (`../x.ron`), or `to`
/// itself where they share no root.
fn relative_to(to: &Path, from: &Path) -> PathBuf {
    let (t, f): (Vec<_>, Vec<_>) = (to.components().collect(), from.components().collect());
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to.to_path_buf();
    }
    let mut p = PathBuf::new();
    for _ in common..f.len() {
        p.push("..");
    }
    for c in &t[common..] {
        p.push(c);
    }
    p
}

/// Reads a JSON file of a result folder.
fn read_json(dir: &Path, name: &str) -> Result<serde_json::Value> {
    let bytes = read_bounded(&dir.join(name), MAX_JSON_BYTES)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Input(format!(
            "{}: not a result brink wrote ({e})",
            dir.join(name).shown()
        ))
    })
}

/// A folder's marker, or a refusal naming the folder (exit code 2).
fn brinks(dir: &Path) -> Result<crate::app::output::Marker> {
    // What is there, said before "no marker": a mistyped name is not "a folder brink did
    // not write", and a file is not a folder.
    match fs::metadata(dir) {
        Err(e) => {
            return Err(Error::Input(format!(
                "cannot read {}: {e} (expected a result folder brink wrote)",
                dir.shown()
            )));
        }
        Ok(m) if !m.is_dir() => {
            return Err(Error::Input(format!(
                "{} is a file, not a folder: expected a result folder brink wrote",
                dir.shown()
            )));
        }
        Ok(_) => {}
    }
    read_marker(dir)?.ok_or_else(|| {
        Error::Input(format!(
            "{} has no {MARKER}: it is not a result folder brink wrote",
            dir.shown()
        ))
    })
}

/// Reads a `brink run` result folder for `brink diff`: its summary and, if it has one, the
/// outcome columns of its per-run table.
pub fn read_saved(dir: &Path) -> Result<Saved> {
    let marker = brinks(dir)?;
    let has = |n: &str| marker.files.iter().any(|f| f.name == n);
    if has("shard.json") {
        return Err(Error::Input(format!(
            "{} holds a shard of a `brink run` job, not a whole result: merge its shards \
             first (brink merge SHARD... --out FOLDER), then compare the merged result",
            dir.shown()
        )));
    }
    if !has("summary.json") {
        return Err(Error::Input(format!(
            "{} holds a `brink {}` result without summary.json; brink diff compares results of \
             `brink run` (or `brink merge` of run shards)",
            dir.shown(),
            crate::app::terminal::safe(&marker.command)
        )));
    }
    // Read only as the marker recorded it: a hand-edited summary or per-run table would give
    // numbers that contradict each other (or the runs) with nothing to say so.
    let bytes = read_listed(dir, &marker, "summary.json", MAX_JSON_BYTES)?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Input(format!(
            "{}: not a result brink wrote ({e})",
            dir.join("summary.json").shown()
        ))
    })?;
    let bad = |what: &str| {
        Error::Input(format!(
            "{}: summary.json has no {what}; it was not written by this brink",
            dir.shown()
        ))
    };
    let manifest: Manifest = serde_json::from_value(v["manifest"].clone())
        .map_err(|_| bad("manifest brink can read"))?;
    let outcomes = v["outcomes"]
        .as_array()
        .ok_or_else(|| bad("outcomes"))?
        .iter()
        .map(|o| {
            Some((
                o["name"].as_str()?.to_string(),
                o["label"].as_str().unwrap_or("").to_string(),
                o["runs_hit"].as_u64()?,
            ))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("outcome names and counts"))?;
    // Counts a result cannot hold (its files re-sealed by hand, or written by another version)
    // would give probabilities above 1 or intervals of nothing.
    let odd = |what: String| {
        Error::Input(format!(
            "{}: summary.json holds {what}, which brink never writes",
            dir.shown()
        ))
    };
    if manifest.runs == 0 {
        return Err(odd("a result of no runs".into()));
    }
    if let Some(o) = outcomes.iter().find(|o| o.2 > manifest.runs) {
        return Err(odd(format!(
            "an outcome ({}) that happened in {} of {} runs",
            crate::app::terminal::safe(&o.0),
            o.2,
            manifest.runs
        )));
    }
    let mut names: Vec<&str> = outcomes.iter().map(|o| o.0.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(odd(format!(
            "two outcomes named {}",
            crate::app::terminal::safe(w[0])
        )));
    }
    let per_run = if has("runs.csv") {
        let names: Vec<&str> = outcomes.iter().map(|o| o.0.as_str()).collect();
        let mut file = Listed::open(dir, &marker, "runs.csv")?;
        let table = read_per_run(&dir.join("runs.csv"), &mut file, &names);
        // An edit is named as such even when it also broke the table.
        file.finish()?;
        Some(table?)
    } else if has("runs.parquet") {
        let names: Vec<&str> = outcomes.iter().map(|o| o.0.as_str()).collect();
        let file = Listed::open(dir, &marker, "runs.parquet")?.verified()?;
        Some(read_per_run_parquet(
            &dir.join("runs.parquet"),
            file,
            &names,
            manifest.runs,
        )?)
    } else {
        None
    };
    if let Some(t) = &per_run {
        agrees_with_summary(dir, t, &outcomes, manifest.runs)?;
    }
    Ok(Saved {
        dir: dir.display().to_string(),
        manifest,
        outcomes,
        per_run,
    })
}

/// Refuses a per-run table that does not agree with summary.json: a row per run, each run
/// once, and each outcome's hits as many as summary.json counts. brink writes them together;
/// files re-sealed by hand gave a paired difference from the table beside probabilities from
/// the summary that contradicted it, or fell back to an unpaired one without a word.
fn agrees_with_summary(
    dir: &Path,
    t: &PerRun,
    outcomes: &[(String, String, u64)],
    runs: u64,
) -> Result<()> {
    let refuse = |what: String| {
        Error::Input(format!(
            "{}: the per-run table does not agree with summary.json ({what}); brink writes them \
             together, so one of them was changed",
            dir.shown()
        ))
    };
    if t.runs.len() as u64 != runs {
        return Err(refuse(format!(
            "{} rows, where summary.json records {runs} runs",
            t.runs.len()
        )));
    }
    let mut seen = t.runs.clone();
    seen.sort_unstable();
    if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
        return Err(refuse(format!("run {} has two rows", w[0])));
    }
    for (name, _, k) in outcomes {
        if let Some(hits) = t.hits.get(name) {
            let n = hits.iter().filter(|h| **h).count() as u64;
            if n != *k {
                return Err(refuse(format!(
                    "outcome {} happened in {n} of its rows and {k} runs of summary.json",
                    crate::app::terminal::safe(name)
                )));
            }
        }
    }
    Ok(())
}

/// The run index and each outcome's 0/1 column of runs.csv (the outcome's own `out.NAME`).
fn read_per_run(path: &Path, file: &mut Listed, outcomes: &[&str]) -> Result<PerRun> {
    let bad = |e: String| Error::Input(format!("{}: {e}", path.shown()));
    let mut r = csv::Reader::from_reader(file);
    let header = r.headers().map_err(|e| bad(e.to_string()))?.clone();
    // The outcome's own column, `out.NAME` (docs/data.md): a column that merely ends in
    // `.NAME` is another's (an outcome named `hawkishness` matched
    // `in.actors.north.hawkishness`, a sampled number).
    let find = |name: &str| {
        let own = format!("out.{name}");
        header.iter().position(|h| h == own)
    };
    let run_col = header
        .iter()
        .position(|h| h == "run")
        .ok_or_else(|| bad("no `run` column".into()))?;
    let cols: Vec<(String, usize)> = outcomes
        .iter()
        .filter_map(|n| find(n).map(|c| (n.to_string(), c)))
        .collect();
    let mut out = PerRun::default();
    for (n, _) in &cols {
        out.hits.insert(n.clone(), vec![]);
    }
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let run = rec
            .get(run_col)
            .and_then(|s| s.trim().parse::<u64>().ok())
            .ok_or_else(|| bad("a run index that is not a whole number".into()))?;
        out.runs.push(run);
        for (n, c) in &cols {
            let hit = match rec.get(*c).map(str::trim) {
                Some("1") | Some("true") => true,
                Some("0") | Some("false") => false,
                Some(other) => {
                    // Cut short: a field may be anything, of any length (escaped when shown).
                    let shown: String = other.chars().take(40).collect();
                    return Err(bad(format!(
                        "outcome column {n} holds \"{shown}\", not 0 or 1"
                    )));
                }
                None => {
                    return Err(bad(format!("a row ends before its outcome column {n}")));
                }
            };
            if let Some(v) = out.hits.get_mut(n) {
                v.push(hit);
            }
        }
    }
    Ok(out)
}

/// As [`read_per_run`], from runs.parquet (`--format parquet`): `run` an INT64 column,
/// each `out.NAME` a BOOLEAN one, both required (docs/data.md), `runs` rows in all. Its
/// SHA-256 matched the marker, but a marker can be forged with its files: the footer's row
/// counts and byte ranges are checked before anything is sized by them, columns are read in
/// bounded batches, and a panic inside the parquet crate on a malformed page is a refusal.
fn read_per_run_parquet(
    path: &Path,
    file: fs::File,
    outcomes: &[&str],
    runs: u64,
) -> Result<PerRun> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let bad = |e: String| Error::Input(format!("{}: {e}", path.shown()));
    let len = file.metadata().map_err(|e| bad(e.to_string()))?.len();
    let reader = SerializedFileReader::new(file).map_err(|e| bad(e.to_string()))?;
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    let find = |name: &str| (0..schema.num_columns()).find(|&i| schema.column(i).name() == name);
    let run_col = find("run").ok_or_else(|| bad("no `run` column".into()))?;
    let cols: Vec<(String, usize)> = outcomes
        .iter()
        .filter_map(|n| find(&format!("out.{n}")).map(|c| (n.to_string(), c)))
        .collect();
    let used: Vec<usize> = std::iter::once(run_col)
        .chain(cols.iter().map(|(_, c)| *c))
        .collect();
    for &c in &used {
        if schema.column(c).max_def_level() != 0 || schema.column(c).max_rep_level() != 0 {
            return Err(bad(format!(
                "column {} may hold nulls or lists; brink writes it without",
                schema.column(c).name()
            )));
        }
    }
    let damaged = |why: &str| {
        bad(format!(
            "a damaged table ({why}); brink did not write it so"
        ))
    };
    let mut total: u64 = 0;
    for g in meta.row_groups() {
        let rows = u64::try_from(g.num_rows()).map_err(|_| damaged("a negative row count"))?;
        total = total.saturating_add(rows);
        for &c in &used {
            let chunk = g.column(c);
            let start = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            let size = chunk.compressed_size();
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(size).ok())
                .is_some_and(|(a, b)| a.checked_add(b).is_some_and(|end| end <= len));
            if !inside {
                return Err(damaged("a column's pages lie outside the file"));
            }
        }
    }
    if total != runs {
        return Err(damaged(&format!(
            "{total} rows, where summary.json records {runs} runs"
        )));
    }
    // The parquet crate panics on some malformed pages: caught, and said as a refusal, with
    // its message kept off the terminal (diff runs nothing else at this point).
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_parquet_columns(&reader, run_col, &cols)
    }));
    std::panic::set_hook(hook);
    match read {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(bad(e)),
        Err(_) => Err(damaged("a page the parquet reader could not decode")),
    }
}

/// The `run` column and the outcome columns `cols` of every row group, in bounded batches.
fn read_parquet_columns(
    reader: &parquet::file::reader::SerializedFileReader<fs::File>,
    run_col: usize,
    cols: &[(String, usize)],
) -> std::result::Result<PerRun, String> {
    use parquet::column::reader::ColumnReader;
    use parquet::file::reader::FileReader;
    let pq = |e: parquet::errors::ParquetError| e.to_string();
    let mut out = PerRun::default();
    for (n, _) in cols {
        out.hits.insert(n.clone(), vec![]);
    }
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).map_err(pq)?;
        // Checked against the file's total before: not negative.
        let rows = group.metadata().num_rows() as u64;
        match group.get_column_reader(run_col).map_err(pq)? {
            // Parquet keeps an unsigned 64-bit integer in INT64's bits.
            ColumnReader::Int64ColumnReader(mut r) => read_column(&mut r, g, rows, |v| {
                out.runs.extend(v.iter().map(|&x| x as u64))
            })?,
            _ => return Err("the `run` column is not a 64-bit whole number".into()),
        }
        for (n, c) in cols {
            let hits = out
                .hits
                .get_mut(n)
                .expect("a column for every outcome found");
            match group.get_column_reader(*c).map_err(pq)? {
                ColumnReader::BoolColumnReader(mut r) => {
                    read_column(&mut r, g, rows, |v| hits.extend_from_slice(v))?
                }
                _ => return Err(format!("outcome column out.{n} is not true or false")),
            }
        }
    }
    Ok(out)
}

/// The `rows` values of a required column of row group `g`, handed to `take` a batch at a
/// time: a page's forged value count sizes no buffer past a batch.
fn read_column<T: parquet::data_type::DataType>(
    r: &mut parquet::column::reader::ColumnReaderImpl<T>,
    g: usize,
    rows: u64,
    mut take: impl FnMut(&[T::T]),
) -> std::result::Result<(), String> {
    const BATCH: u64 = 1 << 16;
    let mut got = 0u64;
    let mut v = vec![];
    while got < rows {
        v.clear();
        let want = (rows - got).min(BATCH) as usize;
        let (n, _, _) = r
            .read_records(want, None, None, &mut v)
            .map_err(|e| e.to_string())?;
        if n == 0 || v.len() != n {
            return Err(format!(
                "row group {g} holds fewer values than its {rows} rows"
            ));
        }
        got += n as u64;
        take(&v);
    }
    Ok(())
}

/// What `brink rerun` compares modulo: said once, here and in its output.
pub const RERUN_MODULO: &str = "the program's path and the --out argument in the recorded \
    command (the `command` of each manifest and report.html's command row), the build of brink \
    (each manifest's `build`, report.html's tool row) and report.html's analysis date";

/// The result files that hold a manifest with the command line, by the command that writes
/// them.
const MANIFEST_FILES: [&str; 5] = [
    "summary.json",
    "compare.json",
    "sweep.json",
    "sensitivity.json",
    "experiment.json",
];

/// The commands whose results `brink rerun` reruns.
const RERUNS: &str = "run, compare, sweep, sensitivity and experiment";

/// The recorded command without the program's path and its `--out` argument.
fn command_modulo_out(cmd: &[String]) -> Vec<String> {
    let mut out = vec![];
    let mut skip = false;
    let mut options = true;
    for a in cmd.iter().skip(1) {
        if skip {
            skip = false;
        } else if !options {
            // After `--` every argument is a file's name, `--out` too.
            out.push(a.clone());
        } else if a == "--" {
            options = false;
            out.push(a.clone());
        } else if a == "--out" {
            skip = true;
        } else if !a.starts_with("--out=") {
            out.push(a.clone());
        }
    }
    out
}

/// What a rerun reports.
pub struct Rerun {
    /// The new folder.
    pub dir: PathBuf,
    /// The command run (without the program's path).
    pub args: Vec<String>,
    /// Files that differ (or are in only one folder), with why.
    pub differ: Vec<String>,
    /// The version of brink that wrote the result, when it is not this one (its manifests
    /// record it, so they differ at least there).
    pub other_version: Option<String>,
    /// The build of this version that wrote the result, when it is not this build: the
    /// comparison is modulo the build each file names, and a difference may be the build's.
    pub other_build: Option<String>,
}

/// `brink rerun`: reruns a result from its manifest into a new folder and compares them.
/// Refuses a manifest whose command does not say what the manifest's own fields say: its
/// scenario file and seed, and (without `--precision`, which stops earlier) its number of runs.
/// The scenario's hash is checked against `scenario_file`, and the command is what is run: an
/// edited manifest could otherwise run another scenario than the one checked, or 10^11 runs
/// for a result of 200.
fn recorded_command_agrees(dir: &Path, args: &[String], manifest: &Manifest) -> Result<()> {
    use crate::app::cli::{Cli, Command};
    use clap::Parser;
    let wrong = |what: String| {
        Error::Input(format!(
            "cannot rerun {}: its manifest's command {what}; the manifest is not as brink wrote \
             it (restore the result, or run the command you mean afresh)",
            dir.shown()
        ))
    };
    let cli = Cli::try_parse_from(std::iter::once("brink".to_string()).chain(args.iter().cloned()))
        .map_err(|e| {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                return wrong("writes no result (it asks for help or the version)".into());
            }
            // (A hostile value quoted escaped and cut, as on the command line.)
            let first = crate::app::terminal::refused_argument(&e);
            let first = first
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            wrong(format!(
                "is not one brink reads ({})",
                crate::app::terminal::safe(first)
            ))
        })?;
    // (scenario, seed, runs asked for if given, whether runs stop at a precision)
    let (scenario, seed, runs, precise) = match &cli.command {
        Command::Run(a) => (&a.scenario, a.sim.seed, a.sim.runs, a.precision.is_some()),
        Command::Compare(a) => (&a.scenario, a.sim.seed, a.sim.runs, false),
        Command::Sweep(a) => (&a.scenario, a.sim.seed, a.sim.runs, false),
        Command::Experiment(a) => (&a.scenario, a.sim.seed, a.sim.runs, false),
        Command::Sensitivity(a) => (&a.scenario, a.seed, Some(a.runs), false),
        _ => return Err(wrong("is not one of a result brink reruns".into())),
    };
    let safe = |x: &str| crate::app::terminal::safe(x).into_owned();
    if scenario.as_os_str() != std::ffi::OsStr::new(&manifest.scenario_file) {
        return Err(wrong(format!(
            "names the scenario {}, but the manifest records {}",
            safe(&scenario.to_string_lossy()),
            safe(&manifest.scenario_file)
        )));
    }
    if seed != manifest.seed {
        return Err(wrong(format!(
            "has --seed {seed}, but the manifest records seed {}",
            manifest.seed
        )));
    }
    if let Some(n) = runs
        && (if precise {
            n < manifest.runs
        } else {
            n != manifest.runs
        })
    {
        return Err(wrong(format!(
            "asks for {} runs, but the manifest records {}",
            n, manifest.runs
        )));
    }
    Ok(())
}

pub fn rerun(dir: &Path, out: Option<&Path>) -> Result<Rerun> {
    let marker = brinks(dir)?;
    let Some(file) = MANIFEST_FILES
        .iter()
        .find(|f| marker.files.iter().any(|e| e.name == **f))
    else {
        let shard = ["shard.json", "compare-shard.json"]
            .into_iter()
            .find(|f| marker.files.iter().any(|e| e.name == *f));
        return Err(Error::Input(match shard {
            // A shard's manifest is its whole job's: rerunning the part is its own command.
            Some(f) => format!(
                "{} holds a shard of a `brink {}` job ({f}), not a whole result; brink rerun \
                 reruns whole results of {RERUNS}: run the command in its manifest again for \
                 this shard, or the whole job without --shard",
                dir.shown(),
                crate::app::terminal::safe(&marker.command)
            ),
            None => format!(
                "{} holds a `brink {}` result; brink rerun reruns results of {RERUNS}",
                dir.shown(),
                crate::app::terminal::safe(&marker.command)
            ),
        }));
    };
    // The rerun is compared with the files as brink wrote them: one changed, damaged or
    // removed since would be reported as a result that does not reproduce, after a run of
    // minutes. Refused before anything runs or is written, as `diff` and `report` refuse it.
    crate::app::output::verify_listed(dir, &marker).map_err(|e| match e {
        Error::Input(why) => Error::Input(format!(
            "cannot rerun {}: {why}. A rerun is compared with the files brink wrote, so this \
             would be reported as a result that does not reproduce; restore the file, or run \
             the command in its manifest afresh",
            dir.shown()
        )),
        other => other,
    })?;
    let v = read_json(dir, file)?;
    let manifest: Manifest = serde_json::from_value(v["manifest"].clone()).map_err(|_| {
        Error::Input(format!(
            "{}: its manifest cannot be read by this brink",
            dir.join(file).shown()
        ))
    })?;
    if !manifest.complete {
        // Its command asked for more runs than it holds: rerun, it would run them all (or
        // stop elsewhere) and every file would differ.
        return Err(Error::Input(format!(
            "{} holds a result stopped before its end ({}): a rerun of its command would not \
             stop at the same run, so it is not rerun. Its runs are the first {} of the same \
             command with --runs {} (same seed); run that to reproduce its figures",
            dir.shown(),
            manifest.stop_reason.as_deref().map_or_else(
                || format!("{} runs kept", manifest.runs),
                |r| crate::app::terminal::safe(r).into_owned()
            ),
            manifest.runs,
            manifest.runs
        )));
    }
    let args = command_modulo_out(&manifest.command);
    let verb = args.first().map(String::as_str).unwrap_or("");
    if verb.is_empty() {
        return Err(Error::Input(format!(
            "cannot rerun {}: its manifest records no command (the manifest is not as brink \
             wrote it)",
            dir.shown()
        )));
    }
    if !["run", "compare", "sweep", "sensitivity", "experiment"].contains(&verb)
        || args
            .iter()
            .any(|a| a == "--shard" || a.starts_with("--shard="))
    {
        return Err(Error::Input(format!(
            "{} was written by `brink {}`; brink rerun reruns whole results of {RERUNS} (a \
             sharded result is rerun by running each shard's command again, as its \
             shard.json records it, then brink merge)",
            dir.shown(),
            crate::app::terminal::safe(verb)
        )));
    }
    recorded_command_agrees(dir, &args, &manifest)?;
    // The scenario must be the one the result was computed from.
    let scenario = PathBuf::from(&manifest.scenario_file);
    // A link is followed, as `brink run` follows it.
    // A real path longer than the system's limit (a working folder deep enough) cannot be
    // named whole, and the name as given reads the same file: read_bounded refuses it if it
    // is a link, which only then is not followed.
    let bytes = match fs::canonicalize(&scenario) {
        Err(e) if e.kind() == std::io::ErrorKind::InvalidFilename => Ok(scenario.clone()),
        r => r,
    }
    .map_err(|e| Error::Input(e.to_string()))
    .and_then(|real| read_bounded(&real, 1 << 30))
    .map_err(|e| {
        // A name that is not UTF-8 was recorded with U+FFFD for its bad bytes, and names
        // no file from anywhere (a real U+FFFD in a name is legal, hence "if").
        if manifest.scenario_file.contains('\u{fffd}') {
            return Error::Input(format!(
                "cannot rerun {}: its scenario file {} cannot be read ({e}); its name holds \
                     U+FFFD, which the result records for bytes that are not UTF-8: if the \
                     name had such bytes, no path can name it (give the file a UTF-8 name and \
                     run the command afresh); otherwise run brink rerun from the folder the \
                     result was computed in",
                dir.shown(),
                scenario.shown()
            ));
        }
        Error::Input(format!(
            "cannot rerun {}: its scenario file {} cannot be read from here ({e}); run brink \
                 rerun from the folder the result was computed in",
            dir.shown(),
            scenario.shown()
        ))
    })?;
    let now = brink::scenario::sha256_hex(&bytes);
    if now != manifest.scenario_hash {
        return Err(Error::Input(format!(
            "the scenario file {} has changed since {} was computed (SHA-256 {} now, {} then): a \
             rerun would not reproduce it",
            scenario.shown(),
            dir.shown(),
            now,
            manifest.scenario_hash
        )));
    }
    let new = match out {
        Some(p) => p.to_path_buf(),
        None => {
            // `.` and `..` have no name of their own: the folder's real one, beside it.
            let base = match dir.file_name() {
                Some(_) => dir.to_path_buf(),
                None => fs::canonicalize(dir)
                    .map_err(|e| Error::Input(format!("cannot read {}: {e}", dir.shown())))?,
            };
            let mut name = base
                .file_name()
                .map_or("result".into(), |n| n.to_os_string());
            name.push("-rerun");
            base.with_file_name(name)
        }
    };
    // Writing inside the result would change the folder being compared with.
    crate::app::shards::out_among_inputs(&[dir.to_path_buf()], &new, "result folder being rerun")?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::Failed(format!("cannot find the brink program to rerun: {e}")))?;
    // The path as it is (not UTF-8 maybe), joined to its option so that a leading `-` is no
    // option of its own.
    let mut out_arg = std::ffi::OsString::from("--out=");
    out_arg.push(&new);
    // Before a `--`, after which it would be taken for a file's name.
    let at = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let shown = {
        let mut v: Vec<String> = args.clone();
        v.insert(at, format!("--out={}", new.display()));
        // Shown, not run: on one line whatever the paths in it hold.
        brink::text::escape(&v.join(" "), false).into_owned()
    };
    // The folder at `new` before the rerun, if any (a rerun's of before): a command that
    // writes nothing leaves it, and it is not the rerun's result (found by a reviewing helper).
    let before = folder_identity(&new);
    let stop = crate::app::interrupt::stop_flag();
    let mut command = std::process::Command::new(exe);
    #[cfg(target_os = "linux")]
    {
        // A rerun killed outright (SIGKILL: no handler runs) would leave its child writing
        // NAME-rerun: the kernel sends the child SIGTERM when this process ends, which it
        // takes as a stop (its staging folder removed, nothing written).
        use std::os::unix::process::CommandExt;
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: between fork and exec only prctl(2) and getppid(2), async-signal-safe, and
        // no allocation.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // Ended before the line above: no signal will come, so the child does not start.
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
    }
    let mut child = command
        .args(&args[..at])
        .arg(&out_arg)
        .args(&args[at..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Error::Failed(format!("cannot start the rerun: {e}")))?;
    let mut pipe = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = vec![];
        if let Some(p) = pipe.as_mut() {
            let _ = std::io::Read::read_to_end(p, &mut text);
        }
        text
    });
    // A stop asked of the rerun is passed on to its child (which then removes its staging
    // folder), and waited for: no child goes on writing after the rerun has ended.
    // A second signal ("exit now") kills the child and waits for it before exiting: an
    // orphan would go on writing, to a stderr nobody reads.
    let mut passed_on = false;
    crate::app::interrupt::waiting_for_child(true);
    let status = loop {
        if crate::app::interrupt::now() {
            let _ = child.kill();
            let _ = child.wait();
            std::process::exit(crate::app::interrupt::EXIT_CODE);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                crate::app::interrupt::waiting_for_child(false);
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Failed(format!("cannot wait for the rerun: {e}")));
            }
        }
        if !passed_on && stop.load(std::sync::atomic::Ordering::SeqCst) {
            passed_on = true;
            #[cfg(unix)]
            // SAFETY: kill(2) on the PID of a child not yet waited for (it cannot be reused).
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            #[cfg(not(unix))]
            let _ = child.kill();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    crate::app::interrupt::waiting_for_child(false);
    let stderr = reader.join().unwrap_or_default();
    // (A Ctrl-C at a terminal reaches the child as well, which may end before it is passed on.)
    if passed_on || stop.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(Error::Interrupted(if status.success() {
            format!(
                "stopped after the rerun wrote {}; not compared",
                new.shown()
            )
        } else {
            format!(
                "the rerun `brink {shown}` was stopped; nothing was written to {}",
                new.shown()
            )
        }));
    }
    if !status.success() {
        let text = String::from_utf8_lossy(&stderr).trim().to_string();
        // The child's own "error: " is this message's, said once by this process; notes it
        // printed before its error follow the error (they read as the reason: "failed: note:
        // …", a reviewing helper).
        let at = (text.starts_with("error: ").then_some(0))
            .or_else(|| text.find("\nerror: ").map(|i| i + 1));
        let why = match at {
            Some(i) => {
                let (notes, error) = text.split_at(i);
                let error = &error["error: ".len()..];
                match notes.trim() {
                    "" => error.to_string(),
                    notes => format!("{error}\n{notes}"),
                }
            }
            None => text.clone(),
        };
        let msg = format!("the rerun `brink {shown}` failed: {why}");
        return Err(if status.code() == Some(2) {
            Error::Input(msg)
        } else {
            Error::Failed(msg)
        });
    }
    // `--out tmp/../rr` names nothing once the child has removed `tmp`, made on the way.
    let unchanged = before.is_some() && folder_identity(&new) == before;
    let new = crate::app::output::reached_by(&new);
    if !new.exists() || unchanged {
        // A recorded command that writes nothing (`run --help` in a manifest edited by hand)
        // exits 0: that is no result to compare with, not a missing folder.
        return Err(Error::Input(format!(
            "the rerun `brink {shown}` ended without writing {}: the command recorded in {} \
             writes no result",
            new.shown(),
            dir.shown()
        )));
    }
    let new_marker = brinks(&new)?;
    Ok(Rerun {
        differ: compare_folders(dir, &marker, &new, &new_marker)?,
        dir: new,
        args,
        other_version: manifest.other_writer(),
        other_build: manifest.other_build().map(str::to_string),
    })
}

/// What tells one folder from another made later at the same path: brink writes a result
/// into a staging folder renamed into place, so a folder rewritten is another inode, and its
/// marker another file.
fn folder_identity(p: &Path) -> Option<(u64, u64, Option<std::time::SystemTime>)> {
    let m = fs::metadata(p).ok()?;
    let marker = fs::metadata(p.join(crate::app::output::MARKER))
        .and_then(|m| m.modified())
        .ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino(), marker))
    }
    #[cfg(not(unix))]
    {
        Some((0, 0, marker.or(m.modified().ok())))
    }
}

/// The files of two result folders that differ modulo [`RERUN_MODULO`].
fn compare_folders(
    a: &Path,
    ma: &crate::app::output::Marker,
    b: &Path,
    mb: &crate::app::output::Marker,
) -> Result<Vec<String>> {
    let names = |m: &crate::app::output::Marker| {
        m.files
            .iter()
            .map(|f| f.name.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (na, nb) = (names(ma), names(mb));
    let mut differ = vec![];
    for n in na.symmetric_difference(&nb) {
        let side = if na.contains(n) { a } else { b };
        differ.push(format!("{n} (only in {})", side.shown()));
    }
    let entry = |m: &'_ crate::app::output::Marker, n: &str| {
        m.files
            .iter()
            .find(|f| f.name == n)
            .map(|f| (f.bytes, f.sha256.clone()))
    };
    for n in na.intersection(&nb) {
        let read = |d: &Path| fs::read(d.join(n)).map_err(|e| Error::io("read", d.join(n), e));
        let equal = if MANIFEST_FILES.contains(&n.as_str()) {
            normalise_json(&read(a)?) == normalise_json(&read(b)?)
        } else if n.ends_with(".html") {
            normalise_html(&read(a)?) == normalise_html(&read(b)?)
        } else {
            // By the SHA-256 each marker records: the result's files were checked against its
            // marker before the rerun, and the rerun's marker was just written. Reading both
            // copies of a runs.csv of gigabytes held twice its size in memory.
            entry(ma, n) == entry(mb, n)
        };
        if !equal {
            differ.push(n.clone());
        }
    }
    Ok(differ)
}

/// A result's JSON with its manifest's command stripped of the program's path and `--out`;
/// `None` when it does not parse (then it is compared as it stands).
fn normalise_json(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let cmd: Vec<String> = serde_json::from_value(v["manifest"]["command"].clone()).ok()?;
    v["manifest"]["command"] = serde_json::json!(command_modulo_out(&cmd));
    if let Some(m) = v["manifest"].as_object_mut() {
        m.remove("build");
    }
    serde_json::to_vec(&v).ok()
}

/// Replaces the content of every cell of the manifest table's row `key` in `s` by `edit` of it.
fn manifest_cell(s: &mut String, key: &str, edit: impl Fn(&str) -> String) {
    for open in [
        format!("<td>{key}</td><td>"),
        format!("<td>{key}</td><td class=\"long\">"),
    ] {
        let mut from = 0;
        while let Some(i) = s[from..].find(&open) {
            let start = from + i + open.len();
            let Some(end) = s[start..].find("</td>") else {
                break;
            };
            let new = edit(&s[start..start + end]);
            s.replace_range(start..start + end, &new);
            from = start;
        }
    }
}

/// report.html with its command row, its tool row's build and its analysis date blanked.
fn normalise_html(bytes: &[u8]) -> Vec<u8> {
    let mut s = String::from_utf8_lossy(bytes).into_owned();
    // The manifest table's command row: `<tr><td>command</td><td class="long">…</td></tr>`
    // (without the class in reports written before it had one).
    manifest_cell(&mut s, "command", |_| "COMMAND".into());
    // The tool row's build: "brink 0.1.0 (build 0123456789ab)".
    manifest_cell(&mut s, "tool", |cell| {
        cell.find(" (build ")
            .map_or(cell, |b| &cell[..b])
            .to_string()
    });
    // "analysis of YYYY-MM-DD (UTC)" and the row "analysis date (UTC)</td><td>YYYY-MM-DD".
    for key in [
        "analysis of ",
        "analysis date (UTC)</td><td>",
        "analysis date (UTC)</td><td class=\"long\">",
    ] {
        let mut from = 0;
        while let Some(i) = s[from..].find(key) {
            let start = from + i + key.len();
            let date_like = s.as_bytes().get(start..start + 10).is_some_and(|d| {
                d.iter().enumerate().all(|(k, c)| {
                    if k == 4 || k == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
            });
            if date_like {
                s.replace_range(start..start + 10, "DATE");
            }
            from = start;
        }
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::command_modulo_out;

    /// `--out` is dropped only among the options: after `--` it is a file's name.
    #[test]
    fn out_is_dropped_before_a_double_dash_only() {
        let cmd = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            command_modulo_out(&cmd(&[
                "brink", "run", "--out", "r", "--runs", "5", "t.ron"
            ])),
            cmd(&["run", "--runs", "5", "t.ron"])
        );
        assert_eq!(
            command_modulo_out(&cmd(&["brink", "run", "--out=r", "--", "--out=x", "--out"])),
            cmd(&["run", "--", "--out=x", "--out"])
        );
    }
}
