//! The command line: argument definitions and one function per command.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use crate::scenario::{self, LoadOptions, LoadedScenario};

/// brink: Monte Carlo simulation of escalation between states.
#[derive(Debug, Parser)]
#[command(name = "brink", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scenario files and print a one-line summary of each.
    Validate {
        /// Scenario files (RON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print a scenario as tables, with its assumptions ledger.
    Describe {
        /// Scenario file (RON).
        file: PathBuf,
        /// List every parameter path (for variants' `set` and `brink sweep`) instead.
        #[arg(long)]
        paths: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Run a scenario many times and write summary.json, CSV tables, charts and report.html.
    Run(RunArgs),
    /// Compare the base scenario with its variants on common random numbers, and rank the
    /// levers by their effect on an outcome (tornado).
    Compare(CompareArgs),
    /// Combine shard folders (from `run --shard I/N`) into the result of one whole run.
    Merge {
        /// Shard folders, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Skip the charts and the HTML report.
        #[arg(long)]
        no_charts: bool,
    },
}

/// Arguments of `brink run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// Number of runs (default: the scenario's `runs`, else 10,000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed: the same seed gives the same results.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Apply a variant of the scenario.
    #[arg(long)]
    pub variant: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario file name>[-<variant>]).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write runs.csv: one row per run with its sampled numbers and outcomes.
    #[arg(long)]
    pub per_run: bool,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// Compute only shard I of N (1-based) of the runs, for `brink merge`: e.g. `--shard 2/8`.
    #[arg(long)]
    pub shard: Option<crate::shard::ShardSpec>,
    /// Largest number of runs accepted.
    #[arg(long, default_value_t = 100_000_000)]
    pub max_runs: u64,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `brink compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// Variants to compare with the base, comma-separated.
    #[arg(long, value_delimiter = ',', conflicts_with = "all")]
    pub variants: Vec<String>,
    /// Compare every variant of the scenario.
    #[arg(long)]
    pub all: bool,
    /// Runs per arm (default: the scenario's `runs`, else 10,000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario file name>-compare).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The outcome the tornado of lever effects ranks by (default: the first named outcome).
    #[arg(long)]
    pub outcome: Option<String>,
    /// Skip the tornado (one forced and one frozen arm per lever).
    #[arg(long)]
    pub no_tornado: bool,
    /// Skip the charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Largest number of runs accepted.
    #[arg(long, default_value_t = 100_000_000)]
    pub max_runs: u64,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Limits an analyst may raise.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Largest scenario file accepted, in bytes.
    #[arg(long, default_value_t = scenario::limits::MAX_FILE_BYTES)]
    pub max_file_size: u64,
}

impl LimitArgs {
    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            max_file_bytes: self.max_file_size,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Validate { files, limits } => validate(&files, &limits),
        Command::Describe {
            file,
            paths,
            limits,
        } => {
            let loaded = load(&file, &limits)?;
            if paths {
                for p in scenario::paths::param_paths(&loaded.scenario) {
                    println!("{p}");
                }
            } else {
                print!("{}", crate::report::describe::describe(&loaded.scenario));
            }
            Ok(())
        }
        Command::Run(args) => run_command(args),
        Command::Compare(args) => compare_command(args),
        Command::Merge {
            shards,
            out,
            no_charts,
        } => {
            let (summary, dir) =
                crate::shard::merge(&shards, &out, !no_charts, std::env::args().collect())?;
            print!("{}", crate::job::print_summary(&summary, &dir));
            Ok(())
        }
    }
}

/// The number of worker threads: the flag, else every core.
pub fn threads(flag: Option<usize>) -> Result<usize> {
    match flag {
        Some(0) => Err(Error::Input("--threads must be at least 1".into())),
        Some(t) if t > 1024 => Err(Error::Input("--threads must be at most 1024".into())),
        Some(t) => Ok(t),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// The number of runs: the flag, else the scenario's, else 10,000; within the limit.
fn runs(flag: Option<u64>, loaded: &LoadedScenario, max_runs: u64) -> Result<u64> {
    let runs = match flag {
        Some(r) => r,
        None => loaded.scenario.runs.map_or(10_000, |r| r as u64),
    };
    if runs == 0 {
        return Err(Error::Input("--runs must be at least 1".into()));
    }
    if runs > max_runs.min(crate::engine::rng::MAX_RUN_INDEX) {
        return Err(Error::Input(format!(
            "{runs} runs is more than the limit of {max_runs} (raise it with --max-runs)"
        )));
    }
    Ok(runs)
}

fn compare_command(args: CompareArgs) -> Result<()> {
    let loaded = load(&args.scenario, &args.limits)?;
    let runs = runs(args.runs, &loaded, args.max_runs)?;
    let variants: Vec<String> = if args.all {
        loaded
            .scenario
            .variants
            .iter()
            .map(|v| v.name.clone())
            .collect()
    } else {
        args.variants.clone()
    };
    let out = args.out.clone().unwrap_or_else(|| {
        let mut p = crate::job::default_out(&args.scenario, None);
        let name = format!(
            "{}-compare",
            p.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        );
        p.set_file_name(name);
        p
    });
    let req = crate::analysis::compare::CompareRequest {
        variants,
        runs,
        seed: args.seed,
        threads: threads(args.threads)?,
        out,
        tornado: (!args.no_tornado).then(|| args.outcome.clone()),
        charts: !args.no_charts,
        command: std::env::args().collect(),
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (result, dir) = crate::analysis::compare::run(&loaded, &req, &stop)?;
    print!("{}", crate::analysis::compare::print(&result, &dir));
    Ok(())
}

fn run_command(args: RunArgs) -> Result<()> {
    let loaded = load(&args.scenario, &args.limits)?;
    let runs = runs(args.runs, &loaded, args.max_runs)?;
    let req = crate::job::RunRequest {
        runs,
        seed: args.seed,
        variant: args.variant.clone(),
        threads: threads(args.threads)?,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| crate::job::default_out(&args.scenario, args.variant.as_deref())),
        per_run: args.per_run,
        charts: !args.no_charts,
        progress: true,
        command: std::env::args().collect(),
        shard: args.shard,
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (summary, dir) = crate::job::run(&loaded, &req, &stop)?;
    match req.shard {
        Some(s) => println!(
            "shard {}/{}: {} of {} runs written to {} (combine the shards with `brink merge`)",
            s.index,
            s.count,
            summary.manifest.runs,
            req.runs,
            dir.display()
        ),
        None => print!("{}", crate::job::print_summary(&summary, &dir)),
    }
    Ok(())
}

fn load(file: &std::path::Path, limits: &LimitArgs) -> Result<LoadedScenario> {
    Ok(scenario::load(file, limits.load_options())?)
}

fn validate(files: &[PathBuf], limits: &LimitArgs) -> Result<()> {
    let mut all = vec![];
    for f in files {
        match scenario::load(f, limits.load_options()) {
            Ok(l) => {
                let s = &l.scenario;
                println!(
                    "ok  {}: {:?}, {} actors, {} relations, {} levers, {} events, {} outcomes, {} variants, {} uncertain numbers, horizon {} {}s",
                    f.display(),
                    s.name,
                    s.actors.len(),
                    s.relations.len(),
                    s.levers.len(),
                    s.events.len(),
                    s.outcomes.len(),
                    s.variants.len(),
                    crate::report::describe::ledger(s).len(),
                    s.horizon,
                    s.step_unit
                );
            }
            Err(d) => all.extend(d.0),
        }
    }
    if all.is_empty() {
        Ok(())
    } else {
        Err(Error::Scenario(scenario::Diagnostics(all)))
    }
}
