//! Shards: a job split into ranges of chunks, each computed by its own process (or cluster
//! task), then merged into exactly the result one process gives.
//!
//! A shard folder holds `shard.json` (the manifest, the chunk range and the raw tally) and, with
//! `--per-run`, its part of `runs.csv`. Tallies merge exactly (integer counts, exact sums), so
//! the merged summary is byte-identical to an unsharded run's.
//!
//! A merge reads the shards twice and holds a few tallies whatever their number: the first
//! pass reads each shard whole, checks it and keeps everything but its counts (a [`Seen`] in
//! their place); once the shards are known to be one job covered exactly once, the second pass
//! reads each shard's counts again, in run order, checks them against the scenario and adds
//! them to one running tally.

use brink::text::ShowPath;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::output::Staging;
use brink::analysis::{Manifest, Summary};
use brink::engine::{CHUNK_RUNS, RunPlan, ShardSpec};
use brink::error::{Error, Result};
use brink::report::Artifact;
use brink::scenario::{LoadedScenario, Scenario};
use brink::stats::Tally;

/// The shard file format this brink writes, and the highest it reads. Raised whenever what a
/// shard file holds changes so that an older brink would misread it (its counts' fields above
/// all: `the_counts_fields_are_pinned` below fails until it is): an older brink would take
/// the fields it does not know for damage (its tally's hash would not match), and the
/// version in the manifest is shared by every build between releases. Files written before
/// the number was kept read as format 0.
pub const SHARD_FORMAT: u32 = 1;

/// What a shard folder's `shard.json` holds. (`C` is the counts: a merge's first pass keeps a
/// [`Seen`] in their place.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile<C = Tally> {
    /// The shard file format ([`SHARD_FORMAT`]; 0 when absent).
    #[serde(default)]
    pub format: u32,
    /// The manifest of the whole job (`runs` is the job's total).
    pub manifest: Manifest,
    /// `I/N` as given.
    pub shard: (u64, u64),
    /// The runs it computed: `first_run..end_run`.
    pub first_run: u64,
    pub end_run: u64,
    /// Whether it wrote a `runs.csv` part.
    pub per_run: bool,
    /// The scenario, so that the merge needs no file.
    pub scenario: Scenario,
    /// SHA-256 of the tally as JSON: `merge` recomputes it (the folder's marker covers the
    /// file as a whole as well).
    pub tally_sha256: String,
    pub tally: C,
}

impl<C> ShardFile<C> {
    /// The same file with its counts replaced by `f(counts)`.
    fn map_counts<D>(self, f: impl FnOnce(C) -> D) -> ShardFile<D> {
        ShardFile {
            format: self.format,
            manifest: self.manifest,
            shard: self.shard,
            first_run: self.first_run,
            end_run: self.end_run,
            per_run: self.per_run,
            scenario: self.scenario,
            tally_sha256: self.tally_sha256,
            tally: f(self.tally),
        }
    }
}

/// What a merge's first pass learns of a shard's counts, kept in their place once they are
/// dropped: the second pass reads them again.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Whether they count the runs in which pairs of outcomes both happened ([`mixed_pairs`]).
    pairs: bool,
    /// Whether they sum the squares of the runs' durations ([`Tally::has_duration_squares`]).
    squares: bool,
    /// SHA-256 of the shard file as read and checked: the second pass merges those bytes only.
    file_sha256: String,
    /// SHA-256 of the scenario it carries (as JSON), by which [`check`] compares shards: only
    /// the first shard given keeps its scenario whole ([`keep_one_scenario`]).
    scenario_sha256: String,
    /// SHA-256 of its `runs.csv` as its marker records it and the first pass checked: the
    /// join streams the file again and refuses other bytes.
    runs_sha256: Option<String>,
}

/// SHA-256 of a scenario as JSON.
fn scenario_hash(s: &Scenario) -> String {
    brink::scenario::sha256_hex(&serde_json::to_vec(s).unwrap_or_default())
}

/// A merge's first pass keeps the scenario of the first shard given whole, and of every other
/// only its digest (in [`Seen`]): a scenario at the size limit takes tens of MB parsed, once a
/// shard. The rest of a dropped one (its name, units, horizon) stays.
fn keep_one_scenario(index: usize, s: &mut Scenario) {
    if index > 0 {
        s.description = String::new();
        s.sources = vec![];
        s.actors = vec![];
        s.relations = vec![];
        s.ladder = vec![];
        s.pressures = vec![];
        s.shared = vec![];
        s.levers = vec![];
        s.events = vec![];
        s.outcomes = vec![];
        s.variants = vec![];
    }
}

/// SHA-256 of a tally's JSON.
fn tally_hash<T: Serialize>(tally: &T) -> Result<String> {
    let json = serde_json::to_vec(tally).map_err(|e| Error::encode("a tally", e))?;
    Ok(brink::scenario::sha256_hex(&json))
}

/// Refuses a shard folder (`dir`) whose tally does not hash to the SHA-256 recorded with it.
fn tally_as_recorded<T: Serialize>(dir: &Path, tally: &T, recorded: &str) -> Result<()> {
    if tally_hash(tally)? != recorded {
        return Err(damaged(
            dir,
            "its tally does not match the SHA-256 recorded with it",
        ));
    }
    Ok(())
}

/// A shard's `shard.json`.
pub fn shard_file(
    loaded: &LoadedScenario,
    plan: &RunPlan,
    spec: ShardSpec,
    per_run: bool,
    manifest: Manifest,
    tally: &Tally,
) -> Result<Artifact> {
    let file = ShardFile {
        format: SHARD_FORMAT,
        manifest,
        shard: (spec.index, spec.count),
        first_run: plan.first_run,
        end_run: plan.end_run,
        per_run,
        scenario: loaded.scenario.clone(),
        tally_sha256: tally_hash(tally)?,
        tally: tally.clone(),
    };
    let json = serde_json::to_vec(&file).map_err(|e| Error::encode("shard.json", e))?;
    Ok(Artifact::new("shard.json", json))
}

/// A damaged shard: exit code 2, naming the folder.
fn damaged(dir: &Path, what: impl std::fmt::Display) -> Error {
    Error::Input(format!(
        "{} is damaged or was edited, and is not merged: {what}",
        dir.shown()
    ))
}

/// Refuses shards of which some count the runs in which pairs of outcomes both happened and
/// some (written by an older brink) do not: their sum would count pairs in part of the runs
/// only. Shards that all lack them merge, without co-occurrence.
fn mixed_pairs<'a>(shards: impl Iterator<Item = (&'a PathBuf, bool)>) -> Result<()> {
    let mut with = None;
    let mut without = None;
    for (d, has) in shards {
        if has {
            with.get_or_insert(d);
        } else {
            without.get_or_insert(d);
        }
    }
    match (with, without) {
        (Some(a), Some(b)) => Err(Error::Input(format!(
            "{} counts the runs in which pairs of outcomes both happened and {} does not \
             (it was written by an older brink): merged, the co-occurrence of outcomes would \
             be wrong; recompute {} with this brink",
            a.shown(),
            b.shown(),
            b.shown()
        ))),
        _ => Ok(()),
    }
}

/// Refuses an output folder that is, holds or lies inside one of the input folders `dirs`
/// (`what` names them: "shard folder"): writing it would replace or change an input.
pub(crate) fn out_among_inputs(dirs: &[PathBuf], out: &Path, what: &str) -> Result<()> {
    let o = resolved(out);
    // By the folders' identities too: where no path can be resolved (a working folder deeper
    // than the system's limit on a path), comparing paths as written would miss a link into
    // an input folder.
    let (out_in, out_id) = (enclosing(out), identity(out));
    for d in dirs {
        let i = resolved(d);
        let d_id = identity(d);
        let by_path = if o == i {
            Some("is")
        } else if o.starts_with(&i) {
            Some("lies inside")
        } else if i.starts_with(&o) {
            Some("holds")
        } else {
            None
        };
        let by_identity = match d_id {
            Some(id) if out_id == Some(id) => Some("is"),
            Some(id) if out_in.contains(&id) => Some("lies inside"),
            _ => out_id.filter(|o| enclosing(d).contains(o)).map(|_| "holds"),
        };
        if let Some(relation) = by_path.or(by_identity) {
            return Err(Error::Input(format!(
                "--out {} {relation} the {what} {}: write the result elsewhere",
                out.shown(),
                d.shown()
            )));
        }
    }
    Ok(())
}

/// A folder's identity: its device and inode (Unix), through links, which the system gives
/// however long the folder's real path is.
#[cfg(unix)]
pub(crate) fn folder_id(p: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).map(|m| (m.dev(), m.ino()))
}

/// [`folder_id`], or `None`: elsewhere paths alone are compared ([`resolved`]).
fn identity(p: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        folder_id(p).ok()
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
}

/// The identities of the folders `p` lies in: the longest part of it that exists, then each
/// folder above that one as the file system walks up (`..`, through links), to the root.
/// Empty where that part is not known: a part that cannot be read for another reason than
/// not existing (a path too long to resolve, say), or what follows the part goes up
/// (`x/new/..`: the walk would start in the wrong place).
fn enclosing(p: &Path) -> Vec<(u64, u64)> {
    let mut cur = if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p.to_path_buf()
    };
    let mut rest_goes_up = false;
    loop {
        match std::fs::metadata(&cur) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return vec![],
        }
        rest_goes_up |= matches!(cur.components().next_back(), Some(Component::ParentDir));
        match cur.parent() {
            Some(q) if !q.as_os_str().is_empty() => cur = q.to_path_buf(),
            Some(_) if cur != Path::new(".") && !cur.is_absolute() => cur = PathBuf::from("."),
            _ => return vec![],
        }
    }
    if rest_goes_up {
        return vec![];
    }
    let mut ids = vec![];
    // Bounded all the same: a path of more than 4,096 ".." no longer resolves.
    while let Some(id) = identity(&cur) {
        if ids.last() == Some(&id) || ids.len() > 2048 {
            break;
        }
        ids.push(id);
        cur.push("..");
    }
    ids
}

/// A path as the file system resolves it: the longest part of it that exists, resolved (links,
/// `..`), and the rest appended, so that `s1/new/merged` lies inside `s1` even while `s1/new`
/// does not exist.
pub(crate) fn resolved(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        Path::new(".").join(p)
    };
    let mut rest = vec![];
    let mut cur = p.as_path();
    loop {
        if let Ok(mut c) = cur.canonicalize() {
            for part in rest.iter().rev() {
                match part {
                    std::path::Component::ParentDir => {
                        c.pop();
                    }
                    std::path::Component::Normal(x) => c.push(x),
                    _ => {}
                }
            }
            return c;
        }
        match (cur.parent(), cur.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                cur = parent;
            }
            _ => return p.clone(),
        }
    }
}

/// `brink merge`: combines shard folders into the output folder a single run would write.
fn merge(
    dirs: &[PathBuf],
    out: &Path,
    charts: bool,
    command: Vec<String>,
) -> Result<(Summary, PathBuf)> {
    // First pass: each shard read whole and checked, its counts dropped.
    let mut shards = vec![];
    for (i, d) in dirs.iter().enumerate() {
        shards.push((d.clone(), read(i, d)?));
    }
    let shards = check(shards)?;
    let first = &shards[0].1;
    let model = brink::model::compile(&first.scenario, first.manifest.variant.as_deref())?;
    mixed_pairs(shards.iter().map(|(d, s)| (d, s.tally.pairs)))?;
    // A shard without the squared durations merges (the means are exact without them), but
    // the merged result has no intervals for them: said, as the page only shows "-".
    if let Some((d, _)) = shards.iter().find(|(_, s)| !s.tally.squares) {
        tell!(
            "note: {} was written before brink kept the sums of squared durations: the merged \
             result gives the mean steps on each rung, held and in force without their \
             intervals (recompute the shards with this brink for them)",
            d.shown()
        );
    }
    // Second pass, in run order: one shard's counts at a time, added to the running total.
    let mut tally = Tally::new(&model);
    // Each shard's outcome counts, to hold its runs.csv to (below).
    let mut hits = Vec::with_capacity(shards.len());
    for (dir, s) in &shards {
        let counts: Tally = read_counts(dir, "shard.json", &s.tally)?;
        counts
            .check_from(&model, s.first_run, s.end_run - s.first_run)
            .map_err(|e| damaged(dir, e))?;
        tally.merge(&counts);
        hits.push(counts.outcome_hits);
    }
    // Shards that each pass can still sum past what a float holds.
    tally
        .check(&model, first.manifest.runs)
        .map_err(|e| Error::Input(format!("the shards do not add up: {e}")))?;
    // The scenario the shards were made from is an input too: a folder holding it (a
    // calibration's, with its calibrated file) is not replaced.
    crate::app::output::note_input(std::path::Path::new(&first.manifest.scenario_file));
    // From the claim on, a stop (Ctrl-C, SIGTERM) removes the staging folder and exits 130.
    crate::app::interrupt::stop_flag_writing_nothing();
    crate::app::output::not_a_shard(out, "the merged result")?;
    let staging = Staging::begin_as(out, "merge", "run")?;
    let mut per_run_columns = None;
    if first.per_run {
        let (columns, fixed) = runs_columns(&shards[0], &model)?;
        // Each outcome's own 0/1 column (`out.NAME`, docs/data.md) with the outcome's index,
        // in the header's order (the join reads each row's fields once, left to right), and
        // the runs each shard's counts say it happened in.
        let mut found: Vec<(usize, usize)> = (model.outcomes.iter().enumerate())
            .filter_map(|(o, spec)| {
                let own = format!("out.{}", spec.name);
                Some((columns.iter().position(|c| c.name == own)?, o))
            })
            .collect();
        found.sort_unstable();
        let outcome_columns: Vec<(usize, &str)> = (found.iter())
            .map(|&(k, o)| (k, model.outcomes[o].name.as_str()))
            .collect();
        let expected: Vec<Vec<u64>> = (hits.iter())
            .map(|h| {
                found
                    .iter()
                    .map(|&(_, o)| h.get(o).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        join_runs_csv(
            &shards,
            &staging.path("runs.csv"),
            &columns,
            &fixed,
            (&outcome_columns, &expected),
        )?;
        per_run_columns = Some(columns);
    }
    let mut manifest = first.manifest.clone();
    manifest.complete = true;
    manifest.command = command;
    let summary = Summary::new(&model, &tally, manifest);
    let options = brink::report::run::ReportOptions {
        title: None,
        date: Some(crate::app::run::analysis_date()),
    };
    // The report's storyline, as `brink run` draws it: run 0 of the same seed and variant
    // replayed (the shards' scenario carries their `--set` values already).
    let traced = charts
        .then(|| {
            let loaded = brink::scenario::LoadedScenario {
                scenario: first.scenario.clone(),
                path: first.manifest.scenario_file.clone().into(),
                hash: first.manifest.scenario_hash.clone(),
                overrides: vec![],
            };
            crate::app::run::timeline(
                &model,
                &loaded,
                first.manifest.seed,
                &summary.manifest.command,
                first.manifest.set.clone(),
            )
        })
        .flatten();
    let mut files =
        brink::report::run::files_traced(&model, &summary, charts, &options, traced.as_ref())?;
    files.push(brink::report::dictionary::columns_json(
        &brink::report::dictionary::run_tables(
            &summary,
            brink::report::per_run::Format::Csv,
            per_run_columns.map(|c| (brink::report::per_run::Format::Csv, c)),
        ),
    )?);
    staging.write_all(&files)?;
    let dir = staging.commit()?;
    Ok((summary, dir))
}

/// Cells every row of a job holds alike: (column, text).
type FixedCells = Vec<(usize, String)>;

/// The columns of the shards' `runs.csv`, as the first shard's scenario and its header's
/// `--per-run-steps` give them, and the cells every row of the job holds alike (its variant
/// and master seed, by column); a header other than those columns' is refused as damaged.
fn runs_columns(
    (dir, first): &(PathBuf, ShardFile<Seen>),
    model: &brink::model::Model,
) -> Result<(Vec<brink::report::table::Column>, FixedCells)> {
    let first_header = first_line(&dir.join("runs.csv"))?;
    let mut m = model.clone();
    m.snapshot_steps = first_header
        .split(',')
        .filter_map(|c| c.strip_prefix("out.rung_at."))
        .filter_map(|s| s.parse().ok())
        .collect();
    let keys = brink::report::per_run::Keys::of(&first.scenario, &[&m])?;
    let columns = brink::report::per_run::columns(&first.scenario, &m, &keys);
    if brink::report::table::csv_header(&columns).trim_end() != first_header {
        return Err(damaged(
            dir,
            "runs.csv's header is not the one its scenario gives",
        ));
    }
    // Written as `brink run` writes them (`per_run::push_cells`): the variant's level, the
    // master seed.
    let variant = keys.variant_index(first.manifest.variant.as_deref()) as usize;
    let mut fixed = vec![];
    for (k, c) in columns.iter().enumerate() {
        match (c.name.as_str(), &c.ty) {
            ("variant", brink::report::table::ColumnType::Category { levels }) => {
                fixed.extend(levels.get(variant).map(|l| (k, l.clone())))
            }
            ("seed", _) => fixed.push((k, first.manifest.seed.to_string())),
            _ => {}
        }
    }
    Ok((columns, fixed))
}

/// A part's header line with its newline, read at most 64 MiB (a header within every limit
/// lists some ten thousand columns of tens of bytes; a file without a newline is not read
/// whole into memory).
fn read_header(part: &mut impl std::io::BufRead) -> std::io::Result<Vec<u8>> {
    use std::io::{BufRead, Read};
    let mut line = vec![];
    part.take(64 << 20).read_until(b'\n', &mut line)?;
    Ok(line)
}

/// The first line of a shard's `runs.csv` (its header), without its newline ([`read_header`]).
fn first_line(path: &Path) -> Result<String> {
    let cannot = |e: std::io::Error| Error::Input(format!("cannot read {}: {e}", path.shown()));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let line = read_header(&mut std::io::BufReader::new(file)).map_err(cannot)?;
    let line = String::from_utf8_lossy(&line);
    Ok(line.strip_suffix('\n').unwrap_or(&line).to_string())
}

/// Joins the shards' `runs.csv` parts into `path`, streamed (a part is as large as its runs:
/// gigabytes for millions of runs with per-step columns, never held whole): the first part's
/// header, then every part's rows, each part's header checked against the first, each row
/// against `columns` (the types the dictionary gives them, and the run it must be: a part
/// edited and its marker made to match would otherwise pass its rows on unread, formulas and
/// all), and its rows counted against its runs.
///
/// Each part's outcome columns must count what its shard's tally counts (`outcomes`: the
/// outcomes' columns with their names, and each shard's expected hits in that order): both
/// are sealed with the shard, and a part re-sealed by hand made a merged result whose
/// summary.json and runs.csv disagree, which `brink diff` then refused.
fn join_runs_csv(
    shards: &[(PathBuf, ShardFile<Seen>)],
    path: &Path,
    columns: &[brink::report::table::Column],
    fixed: &[(usize, String)],
    outcomes: (&[(usize, &str)], &[Vec<u64>]),
) -> Result<()> {
    use sha2::Digest;
    use std::io::{BufRead, Read, Write};
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).map_err(|e| Error::io("write", path, e))?,
    );
    let run_column = columns.iter().position(|c| c.name == "run");
    // A field is at most a real as Rust writes it, in plain decimals (5e-324 takes 326
    // characters, -f64::MAX 310), or a category's name.
    let widest_name = columns
        .iter()
        .flat_map(|c| match &c.ty {
            brink::report::table::ColumnType::Category { levels } => levels.as_slice(),
            _ => &[],
        })
        .map(String::len)
        .max()
        .unwrap_or(0);
    let longest = (columns.len() as u64 + 1) * (widest_name.max(400) as u64 + 1);
    let mut first_header = String::new();
    let mut line = Vec::new();
    for (i, (dir, s)) in shards.iter().enumerate() {
        let cannot =
            |e: std::io::Error| Error::Input(format!("{}: cannot read runs.csv: {e}", dir.shown()));
        let mut part =
            std::io::BufReader::new(std::fs::File::open(dir.join("runs.csv")).map_err(cannot)?);
        // Each part starts with the header; keep the first one only. Read as the first part's
        // was: a part of gigabytes without a newline is not held whole.
        let header_bytes = read_header(&mut part).map_err(cannot)?;
        if header_bytes.last() != Some(&b'\n') {
            return Err(damaged(
                dir,
                "runs.csv's header does not end in a newline (the file was cut short, or holds \
                 no rows' table)",
            ));
        }
        let header_line = String::from_utf8_lossy(&header_bytes).into_owned();
        let header = header_line.strip_suffix('\n').unwrap_or(&header_line);
        if i == 0 {
            writeln!(out, "{header}").map_err(|e| Error::io("write", path, e))?;
            first_header = header.to_string();
        } else if header != first_header {
            // Shards run with different `--per-run-steps` have different columns.
            return Err(Error::Input(format!(
                "{}: runs.csv has other columns than {}'s (were the shards run with \
                 different --per-run-steps?); run them with the same options",
                dir.shown(),
                shards[0].0.shown()
            )));
        }
        // The part is hashed as it streams, header included: the first pass checked the file
        // against its marker, and bytes changed since would bypass those checks.
        let mut hash = sha2::Sha256::new();
        hash.update(&header_bytes);
        let mut rows = 0u64;
        let mut bad = None;
        let (outcome_columns, expected) = outcomes;
        let mut counted = vec![0u64; outcome_columns.len()];
        loop {
            line.clear();
            // A row is at most some tens of bytes a column: a longer "line" (a part with no
            // newlines, say) is not read whole into memory.
            let n = (&mut part)
                .take(longest)
                .read_until(b'\n', &mut line)
                .map_err(cannot)?;
            if n == 0 {
                break;
            }
            if n as u64 == longest && line.last() != Some(&b'\n') {
                return Err(damaged(
                    dir,
                    format!(
                        "runs.csv line {} is longer than any row of its columns",
                        rows + 2
                    ),
                ));
            }
            hash.update(&line);
            rows += 1;
            // Parts of gigabytes take seconds each: a stop is honoured within them.
            if rows.is_multiple_of(4096) && crate::app::interrupt::requested() {
                return Err(Error::Interrupted(
                    "stopped while joining the shards' runs.csv; nothing was written".into(),
                ));
            }
            if bad.is_some() {
                // Hashed to the end all the same: a part changed meanwhile is said so first.
                continue;
            }
            let text = std::str::from_utf8(&line)
                .map_err(|_| "not UTF-8 text".to_string())
                .map(|t| t.strip_suffix('\n').unwrap_or(t));
            let expected_run = s.first_run + rows - 1;
            let problem = match &text {
                Err(e) => Some(e.clone()),
                Ok(_) if line.last() != Some(&b'\n') => {
                    // brink ends every row with one; joined, this row and the next part's
                    // first would be one line.
                    Some("the row does not end with a newline (the part was cut short)".into())
                }
                Ok(t) => brink::report::table::check_csv_row(columns, t)
                    .err()
                    .or_else(|| {
                        let k = run_column?;
                        let run = t.split(',').nth(k)?;
                        (run != expected_run.to_string()).then(|| {
                            format!(
                                "column {} (run): expected run {expected_run}, found {run}",
                                k + 1
                            )
                        })
                    })
                    .or_else(|| {
                        // The job's variant and master seed, the same in every row.
                        fixed.iter().find_map(|(k, want)| {
                            let got = t.split(',').nth(*k)?;
                            (got != want).then(|| {
                                format!(
                                    "column {} ({}): expected {want}, the job's, found {got}",
                                    k + 1,
                                    columns[*k].name
                                )
                            })
                        })
                    }),
            };
            match problem {
                // Line 1 is the header.
                Some(p) => bad = Some(format!("runs.csv line {}, {p}", rows + 1)),
                None => {
                    if let Ok(t) = &text {
                        let mut fields = t.split(',');
                        let mut at = 0;
                        // The outcomes' columns in the order of the header.
                        for (n, (k, _)) in counted.iter_mut().zip(outcome_columns) {
                            let cell = fields.nth(k - at);
                            at = k + 1;
                            *n += (cell == Some("1")) as u64;
                        }
                    }
                    out.write_all(&line)
                        .map_err(|e| Error::io("write", path, e))?
                }
            }
        }
        if s.tally.runs_sha256.as_deref()
            != Some(brink::scenario::load::hex(&hash.finalize()).as_str())
        {
            return Err(damaged(
                dir,
                "runs.csv changed while the merge was reading it",
            ));
        }
        if let Some(bad) = bad {
            return Err(damaged(dir, bad));
        }
        if rows != s.end_run - s.first_run {
            return Err(damaged(
                dir,
                format!(
                    "runs.csv has {rows} rows, the shard holds {} runs",
                    s.end_run - s.first_run
                ),
            ));
        }
        let want = expected.get(i).map_or(&[][..], Vec::as_slice);
        for ((&n, &k), (_, name)) in counted.iter().zip(want).zip(outcome_columns) {
            if n != k {
                return Err(damaged(
                    dir,
                    format!(
                        "runs.csv's outcome {} happened in {n} of its rows, where shard.json \
                         counts {k} runs; brink writes them together, so one of them was changed",
                        crate::app::terminal::safe(name)
                    ),
                ));
            }
        }
    }
    out.flush().map_err(|e| Error::io("write", path, e))?;
    Ok(())
}

/// What a `brink compare --shard` folder's `compare-shard.json` holds (`C` as in
/// [`ShardFile`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompareShardFile<C = brink::analysis::compare::PairedTally> {
    /// The shard file format ([`SHARD_FORMAT`]; 0 when absent).
    #[serde(default)]
    pub format: u32,
    /// The manifest of the whole comparison (`runs` is the job's total, per arm).
    pub manifest: Manifest,
    pub shard: (u64, u64),
    pub first_run: u64,
    pub end_run: u64,
    pub scenario: Scenario,
    /// The variants compared and the tornado asked for (and its outcome, if named; without a
    /// tornado, the outcome the charts focus on, if named): shards must agree on them. (Two
    /// fields, because JSON cannot tell `Some(None)` from `None`.)
    pub variants: Vec<String>,
    pub tornado: bool,
    pub tornado_outcome: Option<String>,
    /// SHA-256 of the tally as JSON (see [`ShardFile::tally_sha256`]).
    pub tally_sha256: String,
    pub tally: C,
}

impl<C> CompareShardFile<C> {
    /// The same file with its counts replaced by `f(counts)`.
    fn map_counts<D>(self, f: impl FnOnce(C) -> D) -> CompareShardFile<D> {
        CompareShardFile {
            format: self.format,
            manifest: self.manifest,
            shard: self.shard,
            first_run: self.first_run,
            end_run: self.end_run,
            scenario: self.scenario,
            variants: self.variants,
            tornado: self.tornado,
            tornado_outcome: self.tornado_outcome,
            tally_sha256: self.tally_sha256,
            tally: f(self.tally),
        }
    }
}

impl CompareShardFile {
    /// The file of a comparison shard (its tally's hash computed here).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        manifest: Manifest,
        spec: ShardSpec,
        plan: &RunPlan,
        scenario: Scenario,
        variants: Vec<String>,
        tornado: bool,
        tornado_outcome: Option<String>,
        tally: brink::analysis::compare::PairedTally,
    ) -> Result<Self> {
        let tornado_outcome = Self::focus(&scenario, tornado, tornado_outcome);
        Ok(CompareShardFile {
            format: SHARD_FORMAT,
            manifest,
            shard: (spec.index, spec.count),
            first_run: plan.first_run,
            end_run: plan.end_run,
            scenario,
            tornado_outcome,
            variants,
            tornado,
            tally_sha256: tally_hash(&tally)?,
            tally,
        })
    }
}

/// The fields of a shard file that say which job and which shard it is (the rest, its
/// counts and scenario, is not read into memory as values).
#[derive(Deserialize)]
struct ShardHead {
    manifest: Manifest,
    shard: (u64, u64),
    #[serde(default)]
    variants: Option<Vec<String>>,
    #[serde(default)]
    tornado: Option<bool>,
    #[serde(default)]
    tornado_outcome: Option<String>,
}

/// What a comparison's shard is of beside its manifest: the variants compared, whether with a
/// tornado, and the outcome the tornado or the charts focus on.
pub struct ComparedArms<'a> {
    pub variants: &'a [String],
    pub tornado: bool,
    pub tornado_outcome: Option<String>,
}

/// Refuses to write shard `spec` of the job `this` (its scenario, seed, runs, variant and
/// `--set` numbers; a comparison's arms too) to an `--out` that holds a result it would
/// replace and is not this very shard: a whole result of `kind` or a merge of shards, or a
/// shard of another job or of another index. brink wrote them, but replacing one throws away
/// runs computed (a reviewing helper: `run --shard 1/2 --out full` replaced a whole run
/// without a word, and another job's shard likewise). A rerun of the same shard replaces it;
/// results of other kinds are left to [`Staging::begin`], which refuses them.
pub fn only_this_shard(
    out: &Path,
    file: &str,
    kind: &str,
    this: &Manifest,
    spec: ShardSpec,
    arms: Option<ComparedArms>,
) -> Result<()> {
    let Ok(Some(marker)) = crate::app::output::read_marker(out) else {
        return Ok(());
    };
    let refuse = |what: String| {
        Error::Input(format!(
            "refusing to write shard {}/{} to {}: it holds {what}, whose runs would be lost; \
             a shard replaces only itself (a rerun of the same shard of the same job): choose \
             another folder (or remove that result first if it is no longer needed)",
            spec.index,
            spec.count,
            out.shown()
        ))
    };
    if !marker.files.iter().any(|f| f.name == file) {
        if crate::app::output::kind_of(&marker) == kind {
            return Err(refuse(format!("a whole result of `brink {kind}`")));
        }
        return Ok(());
    }
    // A shard file that cannot be read is left to the claim, which tells damage apart.
    let Ok(bytes) = crate::app::output::read_listed(out, &marker, file, MAX_SHARD_FILE_BYTES)
    else {
        return Ok(());
    };
    let Ok(theirs) = serde_json::from_slice::<ShardHead>(&bytes) else {
        return Ok(());
    };
    let m = &theirs.manifest;
    let (i, n) = theirs.shard;
    let other_job = if m.scenario_hash != this.scenario_hash {
        Some("another scenario file".to_string())
    } else if m.seed != this.seed {
        Some(format!(
            "seed {}, where this one's is {}",
            m.seed, this.seed
        ))
    } else if m.runs != this.runs {
        Some(format!("{} runs, where this job has {}", m.runs, this.runs))
    } else if m.variant != this.variant {
        Some("another variant".to_string())
    } else if sets_as_read(m) != sets_as_read(this) {
        // Read as `check` reads them (a reviewing helper: a rerun spelt `0.30` was refused).
        Some("other --set numbers".to_string())
    } else if let Some(a) = arms.filter(|a| {
        (
            theirs.variants.as_deref(),
            theirs.tornado,
            &theirs.tornado_outcome,
        ) != (Some(a.variants), Some(a.tornado), &a.tornado_outcome)
    }) {
        Some(format!(
            "other arms: {}",
            if theirs.tornado != Some(a.tornado) {
                "with and without the tornado"
            } else if theirs.variants.as_deref() != Some(a.variants) {
                "other variants"
            } else {
                "another outcome in focus"
            }
        ))
    } else {
        None
    };
    match other_job {
        Some(why) => Err(refuse(format!("shard {i}/{n} of another job ({why})"))),
        None if (i, n) != (spec.index, spec.count) => {
            Err(refuse(format!("shard {i}/{n} of this job")))
        }
        None => Ok(()),
    }
}

/// A job's `--set` numbers as the scenario reads them, by path: the same paths set to the same
/// values in another order are the same job (a path is set at most once), and `0.3`, `0.30`
/// and `3e-1` set the same number.
fn sets_as_read(m: &Manifest) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = (m.set.iter())
        .map(|o| {
            let read = brink::scenario::overrides::parse_value(&o.value)
                .map_or_else(|_| o.value.clone(), |p| format!("{p:?}"));
            (o.path.clone(), read)
        })
        .collect();
    v.sort();
    v
}

impl CompareShardFile {
    /// The outcome a comparison's shard records as its tornado's or focus: as the comparison
    /// reads it, none given with a tornado is the scenario's first, so a shard given
    /// `--outcome` of the first and one given none are one job.
    pub fn focus(scenario: &Scenario, tornado: bool, outcome: Option<String>) -> Option<String> {
        let first = scenario.outcomes.first().map(|o| o.name.clone());
        outcome.or(first.filter(|_| tornado))
    }
}

/// What [`check`] needs to know of a shard file.
pub trait ShardPart {
    fn manifest(&self) -> &Manifest;
    /// The runs it holds, `first..end`.
    fn range(&self) -> (u64, u64);
    /// `I/N` as given.
    fn spec(&self) -> (u64, u64);
    /// The scenario it carries (whole in the first shard given only: [`keep_one_scenario`]).
    fn scenario(&self) -> &Scenario;
    fn scenario_mut(&mut self) -> &mut Scenario;
    /// SHA-256 of the scenario it carries, as read.
    fn scenario_sha256(&self) -> &str;
    fn per_run(&self) -> bool;
    /// What else the shards of one job must share (compare: the arms), in words.
    fn job(&self) -> String;
}

impl ShardPart for ShardFile<Seen> {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }
    fn range(&self) -> (u64, u64) {
        (self.first_run, self.end_run)
    }
    fn spec(&self) -> (u64, u64) {
        self.shard
    }
    fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    fn scenario_mut(&mut self) -> &mut Scenario {
        &mut self.scenario
    }
    fn scenario_sha256(&self) -> &str {
        &self.tally.scenario_sha256
    }
    fn per_run(&self) -> bool {
        self.per_run
    }
    fn job(&self) -> String {
        "run".into()
    }
}

impl ShardPart for CompareShardFile<Seen> {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }
    fn range(&self) -> (u64, u64) {
        (self.first_run, self.end_run)
    }
    fn spec(&self) -> (u64, u64) {
        self.shard
    }
    fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    fn scenario_mut(&mut self) -> &mut Scenario {
        &mut self.scenario
    }
    fn scenario_sha256(&self) -> &str {
        &self.tally.scenario_sha256
    }
    fn per_run(&self) -> bool {
        false
    }
    fn job(&self) -> String {
        let tornado = match (self.tornado, self.tornado_outcome.as_deref()) {
            (false, None) => "no tornado".to_string(),
            // The outcome the charts focus on: shards must agree on it too.
            (false, Some(o)) => format!("no tornado, the charts on {o}"),
            (true, None) => "tornado on the first outcome".to_string(),
            (true, Some(o)) => format!("tornado on {o}"),
        };
        format!("compare of [{}], {tornado}", self.variants.join(", "))
    }
}

/// A comparison shard's `compare-shard.json`.
pub fn compare_shard_file(file: &CompareShardFile) -> Result<Artifact> {
    let json = serde_json::to_vec(file).map_err(|e| Error::encode("compare-shard.json", e))?;
    Ok(Artifact::new("compare-shard.json", json))
}

/// Merges comparison shards into the folder one `brink compare` would write.
fn merge_compare(
    dirs: &[PathBuf],
    out: &Path,
    charts: bool,
    command: Vec<String>,
) -> Result<brink::analysis::compare::CompareResult> {
    use brink::analysis::compare;
    // Two passes, as in `merge`: each shard read whole and checked, its counts dropped; then,
    // in run order, one shard's counts at a time added to the running total.
    let mut shards = vec![];
    for (i, d) in dirs.iter().enumerate() {
        let (mut f, file_sha256, _): (CompareShardFile, _, _) =
            read_json(d, "compare-shard.json", "comparison shard")?;
        tally_as_recorded(d, &f.tally, &f.tally_sha256)?;
        let scenario_sha256 = scenario_hash(&f.scenario);
        keep_one_scenario(i, &mut f.scenario);
        let f = f.map_counts(|t| Seen {
            pairs: t.tallies.iter().all(Tally::has_outcome_pairs),
            squares: t.tallies.iter().all(Tally::has_duration_squares),
            file_sha256,
            scenario_sha256,
            runs_sha256: None,
        });
        shards.push((d.clone(), f));
    }
    let shards = check(shards)?;
    let first = &shards[0].1;
    let arms = compare::arms(&first.scenario, &first.variants, first.tornado)?;
    mixed_pairs(shards.iter().map(|(d, s)| (d, s.tally.pairs)))?;
    let mut tally = compare::PairedTally::new(&arms);
    for (dir, s) in &shards {
        let counts: compare::PairedTally = read_counts(dir, "compare-shard.json", &s.tally)?;
        counts
            .check(&arms, s.end_run - s.first_run)
            .map_err(|e| damaged(dir, e))?;
        tally.merge(&counts);
    }
    tally
        .check(&arms, first.manifest.runs)
        .map_err(|e| Error::Input(format!("the shards do not add up: {e}")))?;
    let mut manifest = first.manifest.clone();
    manifest.complete = true;
    manifest.command = command;
    // The outcome the shards name: the tornado's, or without one the charts' focus
    // (`--no-tornado --outcome`). `brink compare --shard` refuses an outcome its scenario
    // lacks: a shard naming one was edited (the tornado or the focus dropped without a word).
    let named = match &first.tornado_outcome {
        None => None,
        Some(name) => Some(
            (arms[0].model.outcomes.iter())
                .position(|o| &o.name == name)
                .ok_or_else(|| {
                    damaged(
                        &shards[0].0,
                        format!(
                            "its {} the outcome \"{}\", which its scenario does not have",
                            if first.tornado {
                                "tornado is on"
                            } else {
                                "charts focus on"
                            },
                            brink::text::escape(name, false)
                        ),
                    )
                })?,
        ),
    };
    let tornado = match (first.tornado, named) {
        (false, _) => None,
        (true, None) => (!arms[0].model.outcomes.is_empty()).then_some(0),
        (true, Some(o)) => Some(o),
    };
    let mut result = compare::results(&arms, &tally, manifest, tornado);
    if !first.tornado {
        result.focus.clone_from(&first.tornado_outcome);
    }
    // The scenario the shards were made from is an input too (see the run shards' merge).
    crate::app::output::note_input(std::path::Path::new(&first.manifest.scenario_file));
    // From the claim on, a stop (Ctrl-C, SIGTERM) removes the staging folder and exits 130.
    crate::app::interrupt::stop_flag_writing_nothing();
    crate::app::output::not_a_shard(out, "the merged result")?;
    let staging = Staging::begin_as(out, "merge", "compare")?;
    staging.write_all(&brink::report::compare::files_for(
        &arms[0].model,
        &result,
        charts,
        &brink::report::run::ReportOptions {
            title: None,
            date: Some(crate::app::run::analysis_date()),
        },
        None,
    )?)?;
    staging.commit()?;
    Ok(result)
}

/// What `brink merge` produced.
pub enum Merged {
    Run(Box<Summary>),
    Compare(Box<brink::analysis::compare::CompareResult>),
}

/// `brink merge`: shard folders of `brink run` or of `brink compare`. Every shard is checked
/// before anything is written: its folder against the SHA-256 of every file it wrote, its tally
/// against the hash recorded with it, and its counts against each other (see
/// [`Tally::check`]); a damaged shard is refused with exit code 2.
pub fn merge_any(
    dirs: &[PathBuf],
    out: &Path,
    charts: bool,
    command: Vec<String>,
) -> Result<(Merged, PathBuf)> {
    // A stop while the shards are read and checked (seconds for large ones) exits 130 with
    // nothing written: the handler is installed first (a signal killed brink there, exit 143,
    // with no message), and each shard's reading starts with a look at the flag.
    crate::app::interrupt::stop_flag_writing_nothing();
    out_among_inputs(dirs, out, "shard folder")?;
    match dirs.first() {
        Some(d) if d.join("compare-shard.json").exists() => {
            let r = merge_compare(dirs, out, charts, command)?;
            Ok((Merged::Compare(Box::new(r)), out.to_path_buf()))
        }
        _ => {
            let (s, dir) = merge(dirs, out, charts, command)?;
            Ok((Merged::Run(Box::new(s)), dir))
        }
    }
}

/// The largest shard file read: a scenario and a tally, megabytes, never gigabytes.
const MAX_SHARD_FILE_BYTES: u64 = 1 << 30;

/// Reads a shard folder's JSON file after checking the folder against its marker; also returns
/// the SHA-256 of the bytes read and the marker.
fn read_json<T: serde::de::DeserializeOwned>(
    dir: &Path,
    file: &str,
    kind: &str,
) -> Result<(T, String, crate::app::output::Marker)> {
    if crate::app::interrupt::requested() {
        return Err(Error::Interrupted(
            "stopped while reading the shards; nothing was written".into(),
        ));
    }
    let p = dir.join(file);
    // A name that is not there is not "a folder without shard.json".
    match std::fs::metadata(dir) {
        Err(e) => {
            return Err(Error::Input(format!(
                "cannot read {}: {e} (expected a {kind} folder)",
                dir.shown()
            )));
        }
        // Nor is a file "a folder without shard.json".
        Ok(m) if !m.is_dir() => {
            return Err(Error::Input(format!(
                "{} is a file, not a folder (expected a {kind} folder)",
                dir.shown()
            )));
        }
        Ok(_) => {}
    }
    if !p.is_file() {
        // A shard of the other command says so: "no shard.json" read as no shard at all.
        let other = match file {
            "shard.json" => Some(("compare-shard.json", "a shard of `brink compare`", "run")),
            "compare-shard.json" => Some(("shard.json", "a shard of `brink run`", "compare")),
            _ => None,
        };
        if let Some((_, what, first)) = other.filter(|(f, ..)| dir.join(f).is_file()) {
            return Err(Error::Input(format!(
                "{} is {what}, and the first shard given is one of `brink {first}`: merge the \
                 shards of one command together",
                dir.shown()
            )));
        }
        if std::fs::symlink_metadata(&p).is_ok() {
            // A folder, a pipe or a link to nothing by that name: there, but not a shard's file.
            return Err(damaged(dir, format!("its {file} is not a regular file")));
        }
        return Err(Error::Input(format!(
            "{} is not a {kind} folder: it has no {file}",
            dir.shown()
        )));
    }
    // A newer format first: its marker, too, may be one this brink cannot read.
    let bytes = crate::app::output::read_bounded(&p, MAX_SHARD_FILE_BYTES)?;
    newer_format(dir, file, &bytes)?;
    // Every file the marker lists, as brink wrote it; a file beside them (a `.DS_Store` the
    // copy brought) is not the shard's and is left alone, as `report`, `diff` and `rerun`
    // leave it (it was refused as damage).
    let marker = crate::app::output::read_marker(dir)
        .and_then(|m| {
            let m = m.ok_or_else(|| {
                Error::Input(format!(
                    "it has no {}: brink did not write it",
                    crate::app::output::MARKER
                ))
            })?;
            crate::app::output::verify_listed(dir, &m)?;
            Ok(m)
        })
        .map_err(|e| match e {
            Error::Input(m) => damaged(dir, m),
            e => e,
        })?;
    let f = serde_json::from_slice(&bytes).map_err(|e| damaged(dir, format!("{file}: {e}")))?;
    Ok((f, brink::scenario::sha256_hex(&bytes), marker))
}

/// Refuses a shard file of a format newer than this brink reads ([`SHARD_FORMAT`]), naming
/// the brink that wrote it, before its fields are read (as this brink's, they would not
/// match their hash, and the shard would be called damaged).
fn newer_format(dir: &Path, file: &str, bytes: &[u8]) -> Result<()> {
    /// The format alone: whatever else a newer format changed (its manifest's shape
    /// included), this reads.
    #[derive(Deserialize)]
    struct Head {
        #[serde(default)]
        format: u32,
    }
    // A file that does not parse is left to the full read, which says where.
    let Ok(head) = serde_json::from_slice::<Head>(bytes) else {
        return Ok(());
    };
    if head.format <= SHARD_FORMAT {
        return Ok(());
    }
    // Who wrote it, where the manifest still says so as this brink's does.
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    let field = |k: &str| v["manifest"][k].as_str();
    let writer = match (field("tool"), field("version")) {
        (Some(tool), Some(version)) => {
            let w = format!("{tool} {version}");
            brink::text::escape(&brink::text::shortened(&w), false).into_owned()
        }
        _ => "a newer brink".to_string(),
    };
    Err(Error::Input(format!(
        "{}: its {file} was written by {writer} in shard format {}, and this brink {} reads \
         formats up to {SHARD_FORMAT}: shards are merged by the version of brink that wrote them",
        dir.shown(),
        head.format,
        env!("CARGO_PKG_VERSION")
    )))
}

/// Reads a shard folder, checking it whole, for a merge's first pass: its counts are dropped,
/// what the merge needs of them kept.
fn read(index: usize, dir: &Path) -> Result<ShardFile<Seen>> {
    let (mut f, file_sha256, marker): (ShardFile, _, _) = read_json(dir, "shard.json", "shard")?;
    tally_as_recorded(dir, &f.tally, &f.tally_sha256)?;
    let scenario_sha256 = scenario_hash(&f.scenario);
    keep_one_scenario(index, &mut f.scenario);
    let runs_sha256 = marker
        .files
        .into_iter()
        .find(|e| e.name == "runs.csv")
        .map(|e| e.sha256);
    if f.per_run && runs_sha256.is_none() {
        return Err(damaged(
            dir,
            "it wrote runs.csv, but its marker does not list it",
        ));
    }
    Ok(f.map_counts(|t| Seen {
        pairs: t.has_outcome_pairs(),
        squares: t.has_duration_squares(),
        file_sha256,
        scenario_sha256,
        runs_sha256,
    }))
}

/// A merge's second pass: the counts of a shard file the first pass read and checked, read
/// again. The file must be the same bytes: one changed in between is refused as damaged (the
/// checks of the first pass would not hold for it).
fn read_counts<C: serde::de::DeserializeOwned>(dir: &Path, file: &str, seen: &Seen) -> Result<C> {
    /// The counts alone (the rest of the file is skipped, not kept).
    #[derive(Deserialize)]
    struct Counts<C> {
        tally: C,
    }
    let bytes = crate::app::output::read_bounded(&dir.join(file), MAX_SHARD_FILE_BYTES)?;
    if brink::scenario::sha256_hex(&bytes) != seen.file_sha256 {
        return Err(damaged(
            dir,
            format!("{file} changed while the merge was reading it"),
        ));
    }
    let counts: Counts<C> =
        serde_json::from_slice(&bytes).map_err(|e| damaged(dir, format!("{file}: {e}")))?;
    Ok(counts.tally)
}

/// Checks that shard files belong to one job and cover it exactly once; returns them in run
/// order.
/// The first shard given must carry its scenario whole; the others may carry only its digest
/// ([`keep_one_scenario`]). The first in run order gets the whole one.
pub fn check<S: ShardPart>(mut shards: Vec<(PathBuf, S)>) -> Result<Vec<(PathBuf, S)>> {
    let Some((first_dir, first)) = shards.first() else {
        return Err(Error::Input("no shard folders given".into()));
    };
    let first_dir = first_dir.clone();
    let m0 = first.manifest().clone();
    let m0 = &m0;
    // Another version may play the same seed otherwise, and its counts and scenario need not
    // mean what this one's do: merged here, the result would say it was brink's own.
    if let Some(writer) = m0.other_writer() {
        return Err(Error::Input(format!(
            "{} was written by {}, and this is brink {}: shards are merged by the version of \
             brink that wrote them",
            first_dir.shown(),
            brink::text::escape(&writer, false),
            env!("CARGO_PKG_VERSION")
        )));
    }
    // The scenario a shard carries is compiled for the merge: it must be a valid one, and the
    // same in every shard.
    let problems = brink::scenario::validate::validate(first.scenario());
    if let Some(p) = problems.first() {
        // Its files match their hashes (checked when read): the scenario is one this brink's
        // checks refuse, most likely written by a brink with other limits, not a damaged one.
        return Err(Error::Input(format!(
            "{} carries a scenario this brink does not accept, and is not merged: {} (a shard \
             written by another version of brink is merged by that version)",
            first_dir.shown(),
            p.message
        )));
    }
    for (dir, s) in &shards {
        let m = s.manifest();
        let differs = |what: &str, a: &str, b: &str| {
            Error::Input(format!(
                "{} and {} are shards of different jobs: {what} {} vs {}",
                first_dir.shown(),
                dir.shown(),
                brink::text::escape(a, false),
                brink::text::escape(b, false)
            ))
        };
        if m.scenario_hash != m0.scenario_hash {
            // Two hashes alone did not say what differs: the file's contents.
            return Err(Error::Input(format!(
                "{} and {} are shards of different jobs: they were run on different scenario \
                 files, or on one file changed between them (SHA-256 {} vs {}); run every \
                 shard on the same file",
                first_dir.shown(),
                dir.shown(),
                brink::text::escape(&m0.scenario_hash, false),
                brink::text::escape(&m.scenario_hash, false)
            )));
        }
        if m.seed != m0.seed {
            return Err(differs("seed", &m0.seed.to_string(), &m.seed.to_string()));
        }
        if m.runs != m0.runs {
            return Err(differs("runs", &m0.runs.to_string(), &m.runs.to_string()));
        }
        if m.version != m0.version {
            return Err(differs("brink version", &m0.version, &m.version));
        }
        // Two builds of one version may play a seed differently: a merge of their shards
        // would count runs of two models as one job's.
        if m.build != m0.build {
            let shown = |b: &Option<String>| {
                let b = b.as_deref().unwrap_or("(not recorded)");
                brink::text::escape(&brink::text::shortened(b), false).into_owned()
            };
            return Err(Error::Input(format!(
                "{} and {} were written by two builds of brink {} ({} vs {}), which may play \
                 the same seed differently; run every shard with one build",
                first_dir.shown(),
                dir.shown(),
                brink::text::escape(&m.version, false),
                shown(&m0.build),
                shown(&m.build)
            )));
        }
        if m.variant != m0.variant {
            return Err(differs(
                "variant",
                m0.variant.as_deref().unwrap_or("(base)"),
                m.variant.as_deref().unwrap_or("(base)"),
            ));
        }
        if sets_as_read(m) != sets_as_read(m0) {
            let words = |x: &Manifest| {
                let a = brink::scenario::overrides::args(&x.set);
                if a.is_empty() {
                    "(no --set)".to_string()
                } else {
                    a
                }
            };
            // `words` already starts with `--set`: "settings --set a=1 vs (no --set)".
            return Err(differs("settings", &words(m0), &words(m)));
        }
        if m.chunk_runs != CHUNK_RUNS {
            // Compared with this brink's own size, not with the first shard's: named once.
            return Err(Error::Input(format!(
                "{} was cut into chunks of {} runs, and this brink merges chunks of {CHUNK_RUNS}: \
                 a shard of another version of brink is merged by that version (or the shard is \
                 damaged)",
                dir.shown(),
                m.chunk_runs
            )));
        }
        if s.job() != first.job() {
            return Err(differs("job", &first.job(), &s.job()));
        }
        if s.per_run() != first.per_run() {
            // Named the right way round whichever of the two has the rows.
            let (with, without) = if first.per_run() {
                (first_dir.as_path(), dir.as_path())
            } else {
                (dir.as_path(), first_dir.as_path())
            };
            return Err(Error::Input(format!(
                "{} has per-run rows and {} has not: run every shard with or without --per-run",
                with.shown(),
                without.shown()
            )));
        }
        let (i, n) = s.spec();
        if n != first.spec().1 {
            return Err(differs(
                "number of shards",
                &first.spec().1.to_string(),
                &n.to_string(),
            ));
        }
        // After the manifests' checks: shards of different jobs (another scenario file,
        // another --set, whose values the scenario carries) carry different scenarios too,
        // and are told so; only a scenario the manifest does not account for is damage.
        if s.scenario_sha256() != first.scenario_sha256() {
            // The odd one out is the damaged one: the first shard when every other agrees
            // (blaming the second, untouched shard sent the analyst to the wrong folder);
            // with two shards, either.
            let agree_with = |x: &str| {
                (shards.iter())
                    .filter(|(_, o)| o.scenario_sha256() == x)
                    .count()
            };
            let first_odd = shards.len() > 2
                && agree_with(first.scenario_sha256()) == 1
                && agree_with(s.scenario_sha256()) == shards.len() - 1;
            if first_odd {
                return Err(damaged(
                    &first_dir,
                    format!(
                        "the scenario it carries differs from that of every other shard ({} \
                         and {} more)",
                        dir.shown(),
                        shards.len() - 2
                    ),
                ));
            }
            let either = if shards.len() == 2 {
                " (one of the two is damaged)"
            } else {
                ""
            };
            return Err(damaged(
                dir,
                format!(
                    "the scenario it carries differs from {}'s{either}",
                    first_dir.shown()
                ),
            ));
        }
        let expected = ShardSpec { index: i, count: n };
        if i == 0 || i > n || s.range() != expected.runs(m0.runs) {
            let (lo, hi) = s.range();
            return Err(damaged(
                dir,
                format!(
                    "shard {i}/{n} of a job of {} runs holds runs {lo}..{hi}, not the share \
                     such a shard computes",
                    m0.runs
                ),
            ));
        }
    }
    let (whole, n) = first.spec();
    shards.sort_by_key(|(_, s)| s.spec().0);
    for w in shards.windows(2) {
        if w[0].1.spec().0 == w[1].1.spec().0 {
            return Err(Error::Input(format!(
                "{} and {} are the same shard ({}/{}) given twice",
                w[0].0.shown(),
                w[1].0.shown(),
                w[0].1.spec().0,
                w[0].1.spec().1
            )));
        }
    }
    if shards.len() as u64 != n {
        let have: std::collections::BTreeSet<u64> =
            shards.iter().map(|(_, s)| s.spec().0).collect();
        let missing: Vec<String> = (1..=n)
            .filter(|i| !have.contains(i))
            .take(5)
            .map(|i| format!("{i}/{n}"))
            .collect();
        return Err(Error::Input(format!(
            "{} of {n} shards given; missing: {}{}",
            shards.len(),
            missing.join(", "),
            if (n as usize - shards.len()) > missing.len() {
                ", …"
            } else {
                ""
            }
        )));
    }
    let mut next = 0;
    for (dir, s) in &shards {
        let (lo, hi) = s.range();
        if lo != next {
            return Err(Error::Input(if lo > next {
                format!(
                    "runs {next}..{lo} are in no shard given (the shard before {} is missing)",
                    dir.shown()
                )
            } else {
                format!("{} overlaps another shard (given twice?)", dir.shown())
            }));
        }
        next = hi;
    }
    if next != m0.runs {
        return Err(Error::Input(format!(
            "runs {next}..{} are in no shard given (a last shard is missing)",
            m0.runs
        )));
    }
    // The whole scenario to the first in run order, which the merge compiles (the same as
    // every shard's: their digests agree).
    if let Some(i) = shards.iter().position(|(_, s)| s.spec().0 == whole)
        && i > 0
    {
        let (head, rest) = shards.split_at_mut(i);
        std::mem::swap(head[0].1.scenario_mut(), rest[0].1.scenario_mut());
    }
    Ok(shards)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// An empty scratch folder of this process named for the test.
    fn fresh_root(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("brink-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }

    /// Runs `scenario` (a path in the repository) as `n` shards into `root/s1`, `root/s2`, …
    /// with `extra` arguments; the shards' folders.
    fn shards_of(root: &Path, scenario: &str, n: usize, extra: &[&str]) -> Vec<PathBuf> {
        let scenario = format!("{}/{scenario}", env!("CARGO_MANIFEST_DIR"));
        (1..=n)
            .map(|i| {
                let d = root.join(format!("s{i}"));
                let shard = format!("{i}/{n}");
                let mut args = vec!["brink", "run", &scenario, "--no-charts", "--shard", &shard];
                args.extend_from_slice(extra);
                args.extend(["--out", d.to_str().unwrap()]);
                crate::app::cli::run(crate::app::cli::Cli::try_parse_from(args).unwrap()).unwrap();
                d
            })
            .collect()
    }

    /// A shard written by a newer brink (a higher format, its counts with a field this brink
    /// does not know, its marker as that brink wrote it) is refused as such, naming the
    /// brink that wrote it: not called damaged.
    #[test]
    fn a_shard_of_a_newer_format_is_refused_by_name() {
        let root = fresh_root("format");
        let dirs = shards_of(
            &root,
            "scenarios/examples/richardson.ron",
            2,
            &["--runs", "30"],
        );
        let file = dirs[0].join("shard.json");
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(written["format"], SHARD_FORMAT, "written with the format");
        let rewrite = |format: u32| {
            let mut v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
            v["format"] = format.into();
            v["manifest"]["version"] = "9.0.0".into();
            v["tally"]["counts_of_a_later_day"] = serde_json::json!([1, 2, 3]);
            // The newer brink hashes its counts whole.
            v["tally_sha256"] =
                brink::scenario::sha256_hex(&serde_json::to_vec(&v["tally"]).unwrap()).into();
            let bytes = serde_json::to_vec(&v).unwrap();
            std::fs::write(&file, &bytes).unwrap();
            let marker_file = dirs[0].join(crate::app::output::MARKER);
            let mut m: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&marker_file).unwrap()).unwrap();
            for e in m["files"].as_array_mut().unwrap() {
                if e["name"] == "shard.json" {
                    e["bytes"] = bytes.len().into();
                    e["sha256"] = brink::scenario::sha256_hex(&bytes).into();
                }
            }
            std::fs::write(&marker_file, serde_json::to_vec(&m).unwrap()).unwrap();
        };
        rewrite(SHARD_FORMAT + 1);
        let e = read(0, &dirs[0])
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        assert!(
            e.contains(&format!(
                "written by brink 9.0.0 in shard format {}",
                SHARD_FORMAT + 1
            )) && !e.contains("damaged"),
            "{e}"
        );
        // A newer format whose manifest changed shape, and whose marker this brink cannot
        // read: still refused as a newer format, its writer unnamed.
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        v["manifest"]["version"] = serde_json::json!({"major": 9});
        std::fs::write(&file, serde_json::to_vec(&v).unwrap()).unwrap();
        let marker_file = dirs[0].join(crate::app::output::MARKER);
        let marker = std::fs::read(&marker_file).unwrap();
        std::fs::write(&marker_file, b"{\"a later layout\": true}").unwrap();
        let e = read(0, &dirs[0])
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        assert!(
            e.contains("written by a newer brink in shard format") && !e.contains("damaged"),
            "{e}"
        );
        std::fs::write(&marker_file, marker).unwrap();
        // The same file at this format: the field it does not know breaks the tally's hash.
        rewrite(SHARD_FORMAT);
        let e = read(0, &dirs[0])
            .map(|_| ())
            .expect_err("refused")
            .to_string();
        assert!(e.contains("damaged"), "{e}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// The fields of the counts a shard carries, pinned: a change to them must raise
    /// [`SHARD_FORMAT`] (an older brink would misread the shard), then be pinned here anew.
    #[test]
    fn the_counts_fields_are_pinned() {
        fn keys(v: &serde_json::Value, at: &str, out: &mut std::collections::BTreeSet<String>) {
            match v {
                serde_json::Value::Object(o) => {
                    for (k, x) in o {
                        let path = format!("{at}.{k}");
                        out.insert(path.clone());
                        keys(x, &path, out);
                    }
                }
                serde_json::Value::Array(a) => {
                    for x in a {
                        keys(x, &format!("{at}[]"), out);
                    }
                }
                _ => {}
            }
        }
        let path = format!(
            "{}/scenarios/examples/tutorial.ron",
            env!("CARGO_MANIFEST_DIR")
        );
        let loaded = brink::scenario::load(Path::new(&path), Default::default()).unwrap();
        let m = brink::model::compile(&loaded.scenario, None).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        // (The checkpoints are written only where a shard has 100 runs or more.)
        let mut tally = Tally::new(&m);
        tally.checkpoints.push(brink::stats::Checkpoint {
            runs: 100,
            outcome_hits: vec![0; m.outcomes.len()],
        });
        keys(&serde_json::to_value(&tally).unwrap(), "tally", &mut seen);
        let arms = brink::analysis::compare::arms(&loaded.scenario, &[], false).unwrap();
        let paired = brink::analysis::compare::PairedTally::new(&arms);
        keys(&serde_json::to_value(&paired).unwrap(), "paired", &mut seen);
        // (Each arm's tally is a tally, pinned above.)
        let seen: Vec<String> = seen
            .into_iter()
            .filter(|k| !k.starts_with("paired.tallies[]"))
            .collect();
        let pinned: &[&str] = &[
            "paired.diffs",
            "paired.diffs[][].max",
            "paired.diffs[][].min",
            "paired.diffs[][].n",
            "paired.diffs[][].sum",
            "paired.diffs[][].sum.partials",
            "paired.diffs[][].sumsq",
            "paired.diffs[][].sumsq.partials",
            "paired.gained",
            "paired.lost",
            "paired.tallies",
            "paired.values",
            "paired.values[][].max",
            "paired.values[][].min",
            "paired.values[][].n",
            "paired.values[][].sum",
            "paired.values[][].sum.partials",
            "paired.values[][].sumsq",
            "paired.values[][].sumsq.partials",
            "tally.checkpoints",
            "tally.checkpoints[].outcome_hits",
            "tally.checkpoints[].runs",
            "tally.cost",
            "tally.cost[].max",
            "tally.cost[].min",
            "tally.cost[].n",
            "tally.cost[].sum",
            "tally.cost[].sum.partials",
            "tally.cost[].sumsq",
            "tally.cost[].sumsq.partials",
            "tally.cost_hist",
            "tally.cost_hist[].counts",
            "tally.event_first",
            "tally.event_hits",
            "tally.final_index_moments",
            "tally.final_index_moments.max",
            "tally.final_index_moments.min",
            "tally.final_index_moments.n",
            "tally.final_index_moments.sum",
            "tally.final_index_moments.sum.partials",
            "tally.final_index_moments.sumsq",
            "tally.final_index_moments.sumsq.partials",
            "tally.final_rung",
            "tally.gain",
            "tally.gain[].max",
            "tally.gain[].min",
            "tally.gain[].n",
            "tally.gain[].sum",
            "tally.gain[].sum.partials",
            "tally.gain[].sumsq",
            "tally.gain[].sumsq.partials",
            "tally.horizon",
            "tally.index_by_step",
            "tally.index_by_step[].counts",
            "tally.index_by_step[].hi",
            "tally.index_by_step[].lo",
            "tally.index_mean_by_step",
            "tally.index_mean_by_step[].partials",
            "tally.level_by_step",
            "tally.max_level",
            "tally.outcome_first",
            "tally.outcome_hits",
            "tally.outcome_last",
            "tally.outcome_pairs",
            "tally.outcome_steps",
            "tally.outcome_steps_squares",
            "tally.peak_index_moments",
            "tally.peak_index_moments.max",
            "tally.peak_index_moments.min",
            "tally.peak_index_moments.n",
            "tally.peak_index_moments.sum",
            "tally.peak_index_moments.sum.partials",
            "tally.peak_index_moments.sumsq",
            "tally.peak_index_moments.sumsq.partials",
            "tally.peak_rung",
            "tally.rung_by_step",
            "tally.runs",
            "tally.steps_in_force_squares",
            "tally.steps_on_rung",
            "tally.steps_on_rung_squares",
        ];
        assert_eq!(
            seen, pinned,
            "the counts' fields changed: raise SHARD_FORMAT ({SHARD_FORMAT}) and pin them anew"
        );
    }

    /// Shards whose carried scenarios differ: the odd one out is named as damaged, the first
    /// shard included (the second was blamed for the first's edit).
    #[test]
    fn the_shard_whose_scenario_differs_is_the_one_named() {
        let root = fresh_root("odd");
        let dirs = shards_of(
            &root,
            "scenarios/examples/richardson.ron",
            3,
            &["--runs", "30"],
        );
        let read_all = |n: usize| -> Vec<_> {
            (dirs.iter().take(n))
                .enumerate()
                .map(|(i, d)| (d.clone(), read(i, d).unwrap()))
                .collect()
        };
        let refused = |mut shards: Vec<(PathBuf, _)>, edited: usize| {
            let s: &mut (PathBuf, ShardFile<Seen>) = &mut shards[edited];
            s.1.tally.scenario_sha256 = "0".repeat(64);
            check(shards).map(|_| ()).expect_err("refused").to_string()
        };
        for edited in 0..3 {
            let e = refused(read_all(3), edited);
            let name = format!("s{}", edited + 1);
            assert!(
                e.contains(&format!("{name} is damaged or was edited")),
                "{edited}: {e}"
            );
        }
        let e = refused(read_all(2), 0);
        assert!(e.contains("one of the two is damaged"), "{e}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A shard's `runs.csv` changed between the first pass's check and the join (same rows,
    /// other bytes) is refused as damaged; the unchanged parts join.
    #[test]
    fn runs_csv_changed_after_the_first_pass_is_refused() {
        let root = fresh_root("join");
        let dirs = shards_of(
            &root,
            "scenarios/examples/tutorial.ron",
            2,
            &["--runs", "300", "--seed", "3", "--per-run"],
        );
        let shards: Vec<_> = dirs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.clone(), read(i, d).unwrap()))
            .collect();
        let shards = check(shards).unwrap();
        let model = brink::model::compile(&shards[0].1.scenario, None).unwrap();
        let (columns, fixed) = runs_columns(&shards[0], &model).unwrap();
        join_runs_csv(
            &shards,
            &root.join("joined.csv"),
            &columns,
            &fixed,
            (&[], &[]),
        )
        .unwrap();
        // The second part, changed in place after the first pass: one digit, rows unchanged.
        let part = dirs[1].join("runs.csv");
        let text = std::fs::read_to_string(&part).unwrap();
        let at = text.rfind(|c: char| c.is_ascii_digit()).unwrap();
        let digit = if &text[at..=at] == "1" { "2" } else { "1" };
        let changed = format!("{}{digit}{}", &text[..at], &text[at + 1..]);
        std::fs::write(&part, changed).unwrap();
        let e = join_runs_csv(
            &shards,
            &root.join("joined2.csv"),
            &columns,
            &fixed,
            (&[], &[]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("s2") && e.contains("runs.csv changed while the merge was reading it"),
            "{e}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
