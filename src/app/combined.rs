//! `brink report DIR...`: one document from several result folders of one scenario. Every
//! input is checked before the output folder is claimed (its marker, its result file and
//! charts against the SHA-256 the marker lists, one scenario file for all, that file as it
//! was), so a refusal writes nothing.

use brink::text::ShowPath;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use brink::error::{Error, Result};
use brink::report::Artifact;
use brink::report::combined::{Input, Part, RESULT_FILES, SvgChart};
use brink::report::html::ReportOptions;

use crate::app::output::{self, Staging};

/// The largest result file read (a summary of a long horizon is megabytes).
const MAX_RESULT_BYTES: u64 = 1 << 30;
/// The largest chart file read.
const MAX_SVG_BYTES: u64 = 64 << 20;

/// What `brink report` was asked to do.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// The result folders, in the order of the document.
    pub dirs: Vec<PathBuf>,
    /// The output folder (default: `output/<scenario>-report`).
    pub out: Option<PathBuf>,
    /// The document's title and date.
    pub options: ReportOptions,
    /// The command line, for report.json.
    pub command: Vec<String>,
    /// How a scenario file is loaded.
    pub load: brink::scenario::LoadOptions,
}

fn sha256(bytes: &[u8]) -> String {
    brink::scenario::load::hex(&Sha256::digest(bytes))
}

/// Reads a folder's result and charts, with the result file's SHA-256 and its identity
/// ([`result_identity`]).
fn read_folder(dir: &Path) -> Result<(Input, Vec<SvgChart>, String, String)> {
    // A link to a result is followed, as everywhere else (`linkrun` was "not a folder" while
    // `linkrun/` was read).
    let meta = std::fs::metadata(dir)
        .map_err(|e| Error::Input(format!("cannot read the folder {}: {e}", dir.shown())))?;
    if !meta.is_dir() {
        return Err(Error::Input(format!(
            "{} is not a folder (expected the output folder of brink run, compare, \
             sensitivity or sweep)",
            dir.shown()
        )));
    }
    let expected = RESULT_FILES
        .iter()
        .map(|(f, c)| format!("{f} ({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(marker) = output::read_marker(dir)? else {
        return Err(Error::Input(format!(
            "{} has no {}: it is not a folder brink wrote (expected one holding {expected})",
            dir.shown(),
            output::MARKER
        )));
    };
    output::check_present(dir, &marker)?;
    let found: Vec<&str> = RESULT_FILES
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| marker.files.iter().any(|e| e.name == *f))
        .collect();
    let file = match found.as_slice() {
        [f] => *f,
        [] => {
            // Say what it holds: a shard is merged first.
            let has = |n: &str| marker.files.iter().any(|e| e.name == n);
            let what = if has("shard.json") || has("compare-shard.json") {
                " (it holds a shard: merge the shards first with brink merge, then report the \
                 merged result)"
                    .to_string()
            } else {
                format!(
                    " (it holds a `brink {}` result)",
                    crate::app::terminal::safe(&marker.command)
                )
            };
            return Err(Error::Input(format!(
                "{} holds none of the results brink report reads{what}: expected {expected}",
                dir.shown()
            )));
        }
        _ => {
            return Err(Error::Input(format!(
                "{} holds more than one result ({}); expected one of {expected}",
                dir.shown(),
                found.join(", ")
            )));
        }
    };
    let bytes = output::read_listed(dir, &marker, file, MAX_RESULT_BYTES)?;
    let input = Input::parse(file, &bytes)
        .map_err(|e| Error::Input(format!("{}: {e}", dir.join(file).shown())))?;
    let mut charts = vec![];
    for entry in &marker.files {
        let Some(stem) = entry.name.strip_suffix(".svg") else {
            continue;
        };
        let bytes = output::read_listed(dir, &marker, &entry.name, MAX_SVG_BYTES)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::Input(format!(
                "{}: not a chart brink drew (not UTF-8)",
                dir.join(&entry.name).shown()
            ))
        })?;
        let chart = SvgChart::new(stem, &text)
            .map_err(|e| Error::Input(format!("{}: {e}", dir.join(&entry.name).shown())))?;
        charts.push(chart);
    }
    charts.sort_by_key(|c| chart_rank(&c.name));
    Ok((input, charts, sha256(&bytes), result_identity(&bytes)))
}

/// What makes two result files the same result: their bytes but for the command line that
/// wrote them (a rerun, or the same command with another `--out`, differs only there: it was
/// taken as another result, a reviewing helper found).
fn result_identity(bytes: &[u8]) -> String {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return sha256(bytes);
    };
    if let Some(m) = v.get_mut("manifest").and_then(|m| m.as_object_mut()) {
        m.remove("command");
    }
    match serde_json::to_vec(&v) {
        Ok(b) => sha256(&b),
        Err(_) => sha256(bytes),
    }
}

/// The order the commands draw their charts in; any other after them, by name.
fn chart_rank(name: &str) -> (usize, String) {
    const ORDER: &[&str] = &[
        "index_fan",
        "rung_probabilities",
        "outcome_probabilities",
        "time_to_outcome",
        "outcomes_over_time",
        "co_occurrence",
        "costs",
        "costs_ecdf",
        "levers",
        "compare_outcomes",
        "tornado",
        "lever_effects",
        "compare_index",
        "fans_side_by_side",
        "compare_time_to_outcome",
    ];
    (
        ORDER.iter().position(|n| *n == name).unwrap_or(ORDER.len()),
        name.to_string(),
    )
}

/// A folder's identity: the folder itself, whatever path names it. On Unix its device and
/// inode numbers, which the system gives however long the folder's real path is: a result in a
/// working folder whose absolute path passes the system's limit (4,096 bytes) cannot be
/// canonicalized ("File name too long"), and was refused. Elsewhere its real path.
fn identity(dir: &Path) -> Result<(u64, u64, PathBuf)> {
    let refuse = |e: std::io::Error| {
        Error::Input(format!(
            "cannot read the folder {}: {e} (expected the output folder of brink run, compare, \
             sensitivity or sweep)",
            dir.shown()
        ))
    };
    #[cfg(unix)]
    {
        let (dev, ino) = crate::app::shards::folder_id(dir).map_err(refuse)?;
        Ok((dev, ino, PathBuf::new()))
    }
    #[cfg(not(unix))]
    {
        Ok((0, 0, dir.canonicalize().map_err(refuse)?))
    }
}

/// `brink report`: reads and checks every input, then writes report.html and report.json.
/// Returns the folder written.
pub fn report(req: &ReportRequest) -> Result<PathBuf> {
    if req.dirs.is_empty() {
        return Err(Error::Input("give at least one result folder".into()));
    }
    let mut seen: Vec<((u64, u64, PathBuf), &PathBuf)> = vec![];
    for d in &req.dirs {
        let id = identity(d)?;
        if let Some((_, first)) = seen.iter().find(|(i, _)| *i == id) {
            return Err(Error::Input(format!(
                "{} is given twice (also as {}): give each result folder once",
                d.shown(),
                first.shown()
            )));
        }
        seen.push((id, d));
    }
    let mut read: Vec<(PathBuf, Input, Vec<SvgChart>, String)> = vec![];
    let mut identities: Vec<String> = vec![];
    for d in &req.dirs {
        let (input, charts, sha, identity) = read_folder(d)?;
        read.push((d.clone(), input, charts, sha));
        identities.push(identity);
    }
    // A folder copied or rerun is the same result twice, whatever its path.
    for (i, (d, ..)) in read.iter().enumerate() {
        if let Some(k) = (0..i).find(|&k| identities[k] == identities[i]) {
            let e = &read[k].0;
            return Err(Error::Input(format!(
                "{} and {} hold the same result (the same {} but for the command that wrote \
                 it: one is a copy or a rerun of the other); give each result once",
                e.shown(),
                d.shown(),
                read[i].1.file()
            )));
        }
    }
    // One scenario file, as it was.
    let (first_dir, first) = (&read[0].0, &read[0].1);
    let m0 = first.manifest().clone();
    for (d, input, ..) in &read[1..] {
        let m = input.manifest();
        if m.scenario_hash != m0.scenario_hash {
            return Err(Error::Input(format!(
                "{} and {} are results of different scenario files: {} (SHA-256 {}) and {} \
                 (SHA-256 {}); a report combines results of one scenario",
                first_dir.shown(),
                d.shown(),
                Path::new(&m0.scenario_file).shown(),
                m0.scenario_hash,
                Path::new(&m.scenario_file).shown(),
                m.scenario_hash
            )));
        }
    }
    // Results of another version are combined (each manifest names its version), but not
    // without a word: the same seed may play otherwise there.
    for (d, input, ..) in &read {
        if let Some(writer) = input.manifest().other_writer() {
            tell!(
                "note: {} was written by {}, and this is brink {}: its figures are that \
                 version's, as its manifest in the report says",
                d.shown(),
                crate::app::terminal::safe(&writer),
                env!("CARGO_PKG_VERSION")
            );
        }
    }
    // The results record the scenario's path as their commands were given it (relative to
    // where each ran): the first path that loads the file they were made from is taken.
    let mut paths: Vec<PathBuf> = vec![];
    for (_, input, ..) in &read {
        let p = PathBuf::from(&input.manifest().scenario_file);
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    let found = paths.iter().find_map(|p| {
        brink::scenario::load(p, req.load)
            .ok()
            .filter(|l| l.hash == m0.scenario_hash)
            .map(|l| (p.clone(), l))
    });
    let scenario_path = found
        .as_ref()
        .map_or_else(|| paths[0].clone(), |(p, _)| p.clone());
    crate::app::output::note_input(&scenario_path);
    let loaded = match found
        .map(|(_, l)| l)
        .map_or_else(|| brink::scenario::load(&scenario_path, req.load), Ok)
    {
        Ok(l) => l,
        Err(d) => {
            return Err(Error::Input(format!(
                "cannot read the scenario file {} that the results were made from (named in \
                 {}): {}; the report needs it for the labels and the assumptions ledger",
                scenario_path.shown(),
                first_dir.join(first.file()).shown(),
                // The problem's words alone: its whole diagnostic is a block of its own
                // ("error: ...", a snippet), which read as a second error inside this one.
                d.0.first().map_or_else(
                    || "it is not valid".to_string(),
                    |x| match x.line_text.is_empty() {
                        true => x.message.clone(),
                        false => format!("line {}, column {}: {}", x.line, x.col, x.message),
                    }
                ) + match scenario_path.is_relative() && !scenario_path.exists() {
                    // Recorded as the command was given it.
                    true =>
                        " (the path is relative to the folder the command ran in: run \
                             brink report from there)",
                    false => "",
                }
            )));
        }
    };
    if loaded.hash != m0.scenario_hash {
        return Err(Error::Input(format!(
            "the scenario file {} has changed since the results were made (its SHA-256 is {}, \
             the results record {}); rerun the commands, or restore the file",
            scenario_path.shown(),
            loaded.hash,
            m0.scenario_hash
        )));
    }
    let mut parts = vec![];
    let mut listed = vec![];
    for (d, mut input, charts, sha) in read {
        let model = brink::model::compile(&loaded.scenario, input.variant())
            .map_err(|e| Error::Input(format!("{}: {e}", d.join(input.file()).shown())))?;
        input.fit(&model).map_err(|e| {
            Error::Input(format!(
                "{}: does not fit the scenario file {}: {e}",
                d.join(input.file()).shown(),
                scenario_path.shown()
            ))
        })?;
        listed.push(serde_json::json!({
            "folder": d.to_string_lossy(),
            "kind": input.kind(),
            "file": input.file(),
            "sha256": sha,
        }));
        parts.push(Part {
            folder: d.display().to_string(),
            input,
            model,
            charts,
        });
    }
    let out = req.out.clone().unwrap_or_else(|| {
        let mut p = crate::app::run::default_out::<&str>(&scenario_path, None, &[]);
        let name = format!(
            "{}-report",
            p.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        );
        p.set_file_name(name);
        p
    });
    crate::app::shards::out_among_inputs(&req.dirs, &out, "input folder")?;
    let html = brink::report::combined::report(
        &loaded.scenario,
        &m0.scenario_file,
        &m0.scenario_hash,
        &parts,
        &req.options,
    );
    let index = serde_json::json!({
        "tool": "brink",
        "version": env!("CARGO_PKG_VERSION"),
        "command": req.command,
        "scenario_file": m0.scenario_file,
        "scenario_hash": m0.scenario_hash,
        "date": req.options.date,
        "inputs": listed,
    });
    // From the claim on, a stop (Ctrl-C, SIGTERM) removes the staging folder and exits 130.
    crate::app::interrupt::stop_flag_writing_nothing();
    let staging = Staging::begin(&out, "report")?;
    staging.write_all(&[
        Artifact::new("report.html", html),
        Artifact::json("report.json", &index)?,
    ])?;
    staging.commit()
}
