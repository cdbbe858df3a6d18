//! Shards: a job split into ranges of chunks, each computed by its own process (or cluster
//! task), then merged into exactly the result one process gives.
//!
//! A shard folder holds `shard.json` (the manifest, the chunk range and the raw tally) and, with
//! `--per-run`, its part of `runs.csv`. Tallies merge exactly (integer counts, exact sums), so
//! the merged summary is byte-identical to an unsharded run's.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::{CHUNK_RUNS, RunPlan, chunks_for};
use crate::error::{Error, Result};
use crate::report::output::Staging;
use crate::report::{Manifest, Summary};
use crate::scenario::{LoadedScenario, Scenario};
use crate::stats::Tally;

/// `--shard I/N`: this process computes shard I (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for ShardSpec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let err = || format!("expected I/N with 1 <= I <= N (e.g. 3/8), found {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(err)?;
        let (index, count): (u64, u64) = (
            i.trim().parse().map_err(|_| err())?,
            n.trim().parse().map_err(|_| err())?,
        );
        if count == 0 || index == 0 || index > count || count > 1_000_000 {
            return Err(err());
        }
        Ok(ShardSpec { index, count })
    }
}

impl ShardSpec {
    /// The chunks of this shard, `first..end`, for a job of `runs` runs.
    pub fn chunks(&self, runs: u64) -> (u64, u64) {
        let c = chunks_for(runs) as u128;
        let (i, n) = ((self.index - 1) as u128, self.count as u128);
        ((c * i / n) as u64, (c * (i + 1) / n) as u64)
    }
}

/// The plan of a job: its shard's chunks, or all of them.
pub fn plan(shard: Option<ShardSpec>, seed: u64, runs: u64, threads: usize) -> RunPlan {
    match shard {
        Some(spec) => {
            let (first_chunk, end_chunk) = spec.chunks(runs);
            RunPlan {
                seed,
                runs,
                first_chunk,
                end_chunk,
                threads,
            }
        }
        None => RunPlan::whole(seed, runs, threads),
    }
}

/// What a shard folder's `shard.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardFile {
    /// The manifest of the whole job (`runs` is the job's total).
    pub manifest: Manifest,
    /// `I/N` as given.
    pub shard: (u64, u64),
    /// The chunks it computed.
    pub first_chunk: u64,
    pub end_chunk: u64,
    /// Whether it wrote a `runs.csv` part.
    pub per_run: bool,
    /// The scenario, so that the merge needs no file.
    pub scenario: Scenario,
    pub tally: Tally,
}

/// Writes a shard's `shard.json` into its staging folder.
pub fn write(
    staging: &Staging,
    loaded: &LoadedScenario,
    plan: &RunPlan,
    spec: ShardSpec,
    per_run: bool,
    manifest: Manifest,
    tally: &Tally,
) -> Result<()> {
    let file = ShardFile {
        manifest,
        shard: (spec.index, spec.count),
        first_chunk: plan.first_chunk,
        end_chunk: plan.end_chunk,
        per_run,
        scenario: loaded.scenario.clone(),
        tally: tally.clone(),
    };
    let json = serde_json::to_vec(&file)
        .map_err(|e| Error::Failed(format!("cannot encode shard.json: {e}")))?;
    staging.write("shard.json", &json)
}

/// `brink merge`: combines shard folders into the output folder a single run would write.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
    charts: bool,
    command: Vec<String>,
) -> Result<(Summary, PathBuf)> {
    let mut shards = vec![];
    for d in dirs {
        shards.push((d.clone(), read(d)?));
    }
    let shards = check(shards)?;
    let first = &shards[0].1;
    let model = crate::model::compile(&first.scenario, first.manifest.variant.as_deref())
        .map_err(Error::Input)?;
    let mut tally = Tally::new(&model);
    for (dir, s) in &shards {
        if s.tally.horizon != tally.horizon
            || s.tally.index_by_step.len() != tally.index_by_step.len()
        {
            return Err(Error::Input(format!(
                "{}: its tally does not fit the scenario",
                dir.display()
            )));
        }
        tally.merge(&s.tally);
    }
    if tally.runs != first.manifest.runs {
        return Err(Error::Input(format!(
            "the shards hold {} runs, the job has {}",
            tally.runs, first.manifest.runs
        )));
    }
    let staging = Staging::begin(out)?;
    if first.per_run {
        let mut all = Vec::new();
        for (i, (dir, _)) in shards.iter().enumerate() {
            let text = std::fs::read_to_string(dir.join("runs.csv")).map_err(|e| {
                Error::Input(format!("{}: cannot read runs.csv: {e}", dir.display()))
            })?;
            // Each part starts with the header; keep the first one only.
            let body = if i == 0 {
                &text[..]
            } else {
                text.split_once('\n').map_or("", |x| x.1)
            };
            all.extend_from_slice(body.as_bytes());
        }
        staging.write("runs.csv", &all)?;
    }
    let mut manifest = first.manifest.clone();
    manifest.complete = true;
    manifest.command = command;
    let summary = Summary::new(&model, &tally, manifest);
    crate::job::write_outputs(&staging, &model, &tally, &summary, charts)?;
    let dir = staging.commit()?;
    Ok((summary, dir))
}

/// What a `brink compare --shard` folder's `compare-shard.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompareShardFile {
    /// The manifest of the whole comparison (`runs` is the job's total, per arm).
    pub manifest: Manifest,
    pub shard: (u64, u64),
    pub first_chunk: u64,
    pub end_chunk: u64,
    pub scenario: Scenario,
    /// The variants compared and the tornado asked for (and its outcome, if named): shards
    /// must agree on them. (Two fields, because JSON cannot tell `Some(None)` from `None`.)
    pub variants: Vec<String>,
    pub tornado: bool,
    pub tornado_outcome: Option<String>,
    pub tally: crate::analysis::compare::PairedTally,
}

/// What [`check`] needs to know of a shard file.
pub trait ShardPart {
    fn manifest(&self) -> &Manifest;
    fn chunks(&self) -> (u64, u64);
    fn per_run(&self) -> bool;
    /// What else the shards of one job must share (compare: the arms), in words.
    fn job(&self) -> String;
}

impl ShardPart for ShardFile {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }
    fn chunks(&self) -> (u64, u64) {
        (self.first_chunk, self.end_chunk)
    }
    fn per_run(&self) -> bool {
        self.per_run
    }
    fn job(&self) -> String {
        "run".into()
    }
}

impl ShardPart for CompareShardFile {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }
    fn chunks(&self) -> (u64, u64) {
        (self.first_chunk, self.end_chunk)
    }
    fn per_run(&self) -> bool {
        false
    }
    fn job(&self) -> String {
        let tornado = match (self.tornado, &self.tornado_outcome) {
            (false, _) => "no tornado".to_string(),
            (true, None) => "tornado on the first outcome".to_string(),
            (true, Some(o)) => format!("tornado on {o}"),
        };
        format!("compare of [{}], {tornado}", self.variants.join(", "))
    }
}

/// Writes a comparison shard's `compare-shard.json` into its staging folder.
pub fn write_compare(staging: &Staging, file: CompareShardFile) -> Result<()> {
    let json = serde_json::to_vec(&file)
        .map_err(|e| Error::Failed(format!("cannot encode compare-shard.json: {e}")))?;
    staging.write("compare-shard.json", &json)
}

/// Merges comparison shards into the folder one `brink compare` would write.
fn merge_compare(
    dirs: &[PathBuf],
    out: &Path,
    charts: bool,
    command: Vec<String>,
) -> Result<crate::analysis::compare::CompareResult> {
    use crate::analysis::compare;
    let mut shards = vec![];
    for d in dirs {
        let p = d.join("compare-shard.json");
        let text = std::fs::read_to_string(&p).map_err(|e| {
            Error::Input(format!(
                "{} is not a comparison shard folder: cannot read {}: {e}",
                d.display(),
                p.display()
            ))
        })?;
        let f: CompareShardFile = serde_json::from_str(&text).map_err(|e| {
            Error::Input(format!(
                "{}: not a brink comparison shard: {e}",
                p.display()
            ))
        })?;
        shards.push((d.clone(), f));
    }
    let shards = check(shards)?;
    let first = &shards[0].1;
    let arms =
        compare::arms(&first.scenario, &first.variants, first.tornado).map_err(Error::Input)?;
    let mut tally = compare::PairedTally::new(&arms);
    for (dir, s) in &shards {
        if s.tally.tallies.len() != arms.len() {
            return Err(Error::Input(format!(
                "{}: its counts do not fit the comparison",
                dir.display()
            )));
        }
        tally.merge(&s.tally);
    }
    let mut manifest = first.manifest.clone();
    manifest.complete = true;
    manifest.command = command;
    let tornado = match (first.tornado, &first.tornado_outcome) {
        (false, _) => None,
        (true, None) => (!arms[0].model.outcomes.is_empty()).then_some(0),
        (true, Some(name)) => arms[0].model.outcomes.iter().position(|o| &o.name == name),
    };
    let result = compare::results(&arms, &tally, manifest, tornado);
    let staging = Staging::begin(out)?;
    compare::write(&staging, &arms[0].model, &result, charts)?;
    staging.commit()?;
    Ok(result)
}

/// What `brink merge` produced.
pub enum Merged {
    Run(Box<Summary>),
    Compare(Box<crate::analysis::compare::CompareResult>),
}

/// `brink merge`: shard folders of `brink run` or of `brink compare`.
pub fn merge_any(
    dirs: &[PathBuf],
    out: &Path,
    charts: bool,
    command: Vec<String>,
) -> Result<(Merged, PathBuf)> {
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

/// Reads a shard folder.
pub fn read(dir: &Path) -> Result<ShardFile> {
    let p = dir.join("shard.json");
    let text = std::fs::read_to_string(&p).map_err(|e| {
        Error::Input(format!(
            "{} is not a shard folder: cannot read {}: {e}",
            dir.display(),
            p.display()
        ))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Input(format!("{}: not a brink shard file: {e}", p.display())))
}

/// Checks that shard files belong to one job and cover it exactly once; returns them in chunk
/// order.
pub fn check<S: ShardPart + Clone>(mut shards: Vec<(PathBuf, S)>) -> Result<Vec<(PathBuf, S)>> {
    let Some((first_dir, first)) = shards.first().cloned() else {
        return Err(Error::Input("no shard folders given".into()));
    };
    let m0 = first.manifest();
    for (dir, s) in &shards {
        let m = s.manifest();
        let differs = |what: &str, a: &str, b: &str| {
            Error::Input(format!(
                "{} and {} are shards of different jobs: {what} {a} vs {b}",
                first_dir.display(),
                dir.display()
            ))
        };
        if m.scenario_hash != m0.scenario_hash {
            return Err(differs(
                "scenario file",
                &m0.scenario_hash,
                &m.scenario_hash,
            ));
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
        if m.variant != m0.variant {
            return Err(differs(
                "variant",
                m0.variant.as_deref().unwrap_or("(base)"),
                m.variant.as_deref().unwrap_or("(base)"),
            ));
        }
        if m.chunk_runs != CHUNK_RUNS {
            return Err(differs(
                "chunk size",
                &CHUNK_RUNS.to_string(),
                &m.chunk_runs.to_string(),
            ));
        }
        if s.job() != first.job() {
            return Err(differs("job", &first.job(), &s.job()));
        }
        if s.per_run() != first.per_run() {
            return Err(Error::Input(format!(
                "{} has per-run rows and {} has not: run every shard with or without --per-run",
                first_dir.display(),
                dir.display()
            )));
        }
    }
    shards.sort_by_key(|(_, s)| s.chunks().0);
    let mut next = 0;
    for (dir, s) in &shards {
        let (first_chunk, end_chunk) = s.chunks();
        if first_chunk != next {
            return Err(Error::Input(if first_chunk > next {
                format!(
                    "runs {}..{} are in no shard given (the shard before {} is missing)",
                    next * CHUNK_RUNS,
                    (first_chunk * CHUNK_RUNS).min(m0.runs),
                    dir.display()
                )
            } else {
                format!("{} overlaps another shard (given twice?)", dir.display())
            }));
        }
        next = end_chunk;
    }
    if next != chunks_for(m0.runs) {
        return Err(Error::Input(format!(
            "runs {}..{} are in no shard given (a last shard is missing)",
            next * CHUNK_RUNS,
            m0.runs
        )));
    }
    Ok(shards)
}
