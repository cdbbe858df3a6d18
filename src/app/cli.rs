//! The command line: argument definitions and one function per command.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use brink::error::{Error, Result};

use crate::app::output::Staging;
use brink::scenario::{self, LoadOptions, LoadedScenario};

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
    /// Check scenario and timeline files and print a one-line summary of each (a timeline is
    /// checked against the scenario it names).
    Validate {
        /// Scenario or timeline files (RON).
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
    /// Set one parameter to each value of an even grid and run every value on the same runs
    /// (common random numbers): each outcome's probability and each actor's mean cost by value.
    Sweep(SweepArgs),
    /// Tell one run step by step (the path it takes in `brink run` with the same seed), or
    /// with --pick, the first runs in which an outcome happened.
    Trace(TraceArgs),
    /// Rank the uncertain numbers by their influence on an outcome (partial rank
    /// correlation, with 95% intervals).
    Sensitivity(SensitivityArgs),
    /// Score scenarios against observed timelines: per fact its probability, PIT, central
    /// bands and proper scores, and the probability of the whole observed path. With
    /// --cross-validate, calibrate on all cases but one and score the one left out, in turn.
    Backtest(BacktestArgs),
    /// Estimate scenario numbers from observed timelines by ABC-SMC: the posterior, a chart of
    /// prior against posterior, and calibrated scenario files.
    Calibrate(CalibrateArgs),
    /// Combine the folders of several results of one scenario (run, compare, sensitivity,
    /// sweep) into one report.html: one summary first, a section per result with its charts,
    /// the method, assumptions ledger and bibliography once, and every manifest.
    Report {
        /// Result folders, in the order of the document.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder (default: output/<scenario file name>-report).
        #[arg(long)]
        out: Option<PathBuf>,
        /// A title for report.html, shown above the scenario's (the brief the report goes into).
        #[arg(long, value_name = "TEXT")]
        report_title: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Combine shard folders (from `run` or `compare --shard I/N`) into the result of one
    /// whole run.
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
    #[command(flatten)]
    pub sim: SimArgs,
    /// Apply a variant of the scenario.
    #[arg(long)]
    pub variant: Option<String>,
    /// Output folder (default: output/<scenario file name>[-<variant>]).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write runs.csv: one row per run with its sampled numbers and outcomes.
    #[arg(long)]
    pub per_run: bool,
    /// Also record in runs.csv the rung and every measure's level at the end of these steps
    /// (e.g. `--per-run-steps 13,26,52`); implies --per-run.
    #[arg(long, value_delimiter = ',')]
    pub per_run_steps: Vec<u32>,
    /// The format of the per-run table (with --per-run): `csv` (runs.csv) or `parquet`
    /// (runs.parquet: typed columns, nulls for weeks that never came, rungs as categories).
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::app::run::TableFormat,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    #[arg(long, value_name = "TEXT")]
    pub report_title: Option<String>,
    /// Keep adding runs until OUTCOME's 95% interval is at most ± HALF_WIDTH (e.g.
    /// `--precision rupture=0.005`); `--runs` (or `--max-runs`) caps the runs.
    #[arg(long, value_parser = parse_precision, conflicts_with = "shard")]
    pub precision: Option<(String, f64)>,
    /// Compute only shard I of N (1-based) of the runs, for `brink merge`: e.g. `--shard 2/8`.
    #[arg(long)]
    pub shard: Option<brink::engine::ShardSpec>,
    /// On Ctrl-C, write the outputs of the runs done (marked `complete: false`) instead of
    /// keeping the previous results.
    #[arg(long, conflicts_with = "shard")]
    pub keep_partial: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How a calibration runs (`calibrate`, `backtest --cross-validate`).
#[derive(Debug, Clone, clap::Args)]
pub struct AbcArgs {
    /// Particles in the ABC-SMC population.
    #[arg(long, default_value_t = 1000)]
    pub particles: usize,
    /// Pseudo-timelines simulated per particle and generation (one run of every case each).
    #[arg(long, default_value_t = 4)]
    pub sims: usize,
    /// Most generations.
    #[arg(long, default_value_t = 40)]
    pub max_generations: usize,
    /// Stop once a generation's move acceptance falls below this share.
    #[arg(long, default_value_t = 0.03)]
    pub min_acceptance: f64,
    /// Params to calibrate, comma-separated: PATH (every case that has it; shared when
    /// several do) or CASE:PATH (one case only). `brink describe --paths FILE` lists paths.
    #[arg(long, value_delimiter = ',')]
    pub params: Vec<String>,
}

impl AbcArgs {
    fn settings(&self, seed: u64, threads: usize) -> Result<brink::analysis::calibrate::Settings> {
        if !(2..=1_000_000).contains(&self.particles) {
            return Err(Error::Input(
                "--particles must be from 2 to 1,000,000".into(),
            ));
        }
        if !(1..=1000).contains(&self.sims) {
            return Err(Error::Input("--sims must be from 1 to 1,000".into()));
        }
        if self.max_generations > 10_000 {
            return Err(Error::Input(
                "--max-generations must be at most 10,000".into(),
            ));
        }
        if !(0.0..1.0).contains(&self.min_acceptance) {
            return Err(Error::Input(
                "--min-acceptance must be from 0 to below 1".into(),
            ));
        }
        let work = self.particles as u128 * self.sims as u128 * (self.max_generations as u128 + 1);
        if work > brink::numerics::rng::MAX_RUN_INDEX as u128 {
            return Err(Error::Input(
                "--particles × --sims × --max-generations is beyond the run indices brink can give"
                    .into(),
            ));
        }
        Ok(brink::analysis::calibrate::Settings {
            particles: self.particles,
            sims: self.sims,
            seed,
            threads,
            max_generations: self.max_generations,
            min_acceptance: self.min_acceptance,
            ess_keep: 0.9,
            target_tolerance: 0.0,
        })
    }
}

/// Arguments of `brink backtest`.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// SCENARIO TIMELINE, or timeline files (each names its scenario); a scenario applies to
    /// the timelines after it.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Runs per case.
    #[arg(long, default_value_t = 10_000)]
    pub runs: u64,
    /// Master seed (also of the calibrations of --cross-validate).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Leave each case out in turn: calibrate --params on the others, score it.
    #[arg(long)]
    pub cross_validate: bool,
    #[command(flatten)]
    pub abc: AbcArgs,
    /// Output folder (default: output/<case>-backtest, output/backtest or
    /// output/cross-validation).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the cases' (the brief the report goes into).
    #[arg(long, value_name = "TEXT")]
    pub report_title: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `brink calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Scenario files, one per timeline in the same order (default: each timeline's own).
    pub scenarios: Vec<PathBuf>,
    /// Observed timelines, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub timelines: Vec<PathBuf>,
    #[command(flatten)]
    pub abc: AbcArgs,
    /// Master seed: the same seed gives the same posterior.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/calibration).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write calibrated copies of these scenarios (outside the calibration), each with
    /// the posterior of every number asked for all cases (PATH, not CASE:PATH) that it has.
    #[arg(long, value_delimiter = ',')]
    pub apply_to: Vec<PathBuf>,
    /// Skip the chart and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the cases' (the brief the report goes into).
    #[arg(long, value_name = "TEXT")]
    pub report_title: Option<String>,
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
    /// Runs are per arm: every arm plays the same run indices.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output folder (default: output/<scenario file name>-compare).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The outcome the tornado of lever effects ranks by (default: the first named outcome).
    #[arg(long)]
    pub outcome: Option<String>,
    /// Skip the tornado (one forced and one frozen arm per lever).
    #[arg(long)]
    pub no_tornado: bool,
    /// Compute only shard I of N (1-based) of the runs, for `brink merge`: e.g. `--shard 2/8`.
    #[arg(long)]
    pub shard: Option<brink::engine::ShardSpec>,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    #[arg(long, value_name = "TEXT")]
    pub report_title: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `brink trace`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["run", "pick"])))]
pub struct TraceArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// The run to trace (its index in `brink run`: 0, 1, 2, ...).
    #[arg(long)]
    pub run: Option<u64>,
    /// Trace the first runs in which this outcome happened instead.
    #[arg(long)]
    pub pick: Option<String>,
    /// With --pick: how many runs to trace.
    #[arg(long, default_value_t = 3, requires = "pick")]
    pub count: usize,
    /// With --pick: the most runs to scan (runs 0 .. N-1).
    #[arg(long, default_value_t = 100_000, requires = "pick")]
    pub max_scan: u64,
    /// Apply a variant of the scenario.
    #[arg(long)]
    pub variant: Option<String>,
    /// Master seed (as given to `brink run`).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write trace.json, trace.txt and each run's timeline chart into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// With --out: leave out the timeline charts (trace_timeline*.png/.svg).
    #[arg(long)]
    pub no_charts: bool,
    /// Worker threads for the --pick scan (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `brink sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// The outcome whose indicator is ranked against (default: the first named outcome).
    #[arg(long, conflicts_with = "measure")]
    pub outcome: Option<String>,
    /// Rank against a quantity instead: peak_index, final_index or cost_<actor>.
    #[arg(long)]
    pub measure: Option<String>,
    /// Runs in the sample (all N × k sampled numbers are held in memory).
    #[arg(long, default_value_t = brink::analysis::sensitivity::DEFAULT_RUNS)]
    pub runs: u64,
    /// Master seed: run r samples the same numbers as run r of `brink run`.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Apply a variant of the scenario.
    #[arg(long)]
    pub variant: Option<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario file name>[-<variant>]-sensitivity).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip the chart and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    #[arg(long, value_name = "TEXT")]
    pub report_title: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `brink sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// The parameter and its grid: PATH=FROM..TO:STEPS (STEPS values from FROM to TO, both
    /// included), e.g. `actors.azerbaijan.resolve=0.2..1.2:11`. Give it twice for a heat map
    /// over every pair of two parameters' values (at most 1,000 points in all). `brink describe
    /// --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=FROM..TO:STEPS", required = true)]
    pub set: Vec<brink::analysis::sweep::SweepSpec>,
    /// With two parameters, the outcome of the heat map and the grid tables (default: the
    /// first named outcome).
    #[arg(long)]
    pub outcome: Option<String>,
    /// Runs are per value: every value plays the same run indices.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Apply a variant of the scenario at every value (the swept parameter overrides it).
    #[arg(long)]
    pub variant: Option<String>,
    /// Output folder (default: output/<scenario file name>[-<variant>]-sweep-<path>[-<path>]).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip the chart and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    #[arg(long, value_name = "TEXT")]
    pub report_title: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How many runs, from which seed, on how many threads (`run`, `compare`, `sweep`).
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Number of runs (default: the scenario's `runs`, else 10,000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed: the same seed gives the same results.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Largest number of runs accepted.
    #[arg(long, default_value_t = 100_000_000)]
    pub max_runs: u64,
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
                    say(&format!("{p}\n"));
                }
            } else {
                say(&brink::report::describe::describe(&loaded.scenario));
            }
            Ok(())
        }
        Command::Run(args) => run_command(args),
        Command::Compare(args) => compare_command(args),
        Command::Sweep(args) => sweep_command(args),
        Command::Trace(args) => trace_command(args),
        Command::Sensitivity(args) => sensitivity_command(args),
        Command::Backtest(args) => {
            let threads = threads(args.threads)?;
            if args.runs == 0 || args.runs > 100_000_000 {
                return Err(Error::Input("--runs must be from 1 to 100,000,000".into()));
            }
            if !args.cross_validate && !args.abc.params.is_empty() {
                return Err(Error::Input(
                    "--params is for --cross-validate (brink calibrate estimates numbers)".into(),
                ));
            }
            let (text, dir) =
                crate::app::history::backtest_command(crate::app::history::BacktestRequest {
                    files: args.files.clone(),
                    runs: args.runs,
                    seed: args.seed,
                    threads,
                    out: args.out.clone(),
                    charts: !args.no_charts,
                    cross_validate: args.cross_validate,
                    params: args.abc.params.clone(),
                    settings: args.abc.settings(args.seed, threads)?,
                    command: command_line(),
                    opts: args.limits.load_options(),
                    report: report_options(args.report_title.as_deref()),
                })?;
            say(&wrote(text, &dir));
            Ok(())
        }
        Command::Calibrate(args) => {
            let threads = threads(args.threads)?;
            if args.abc.params.is_empty() {
                return Err(Error::Input(
                    "--params is required: the numbers to calibrate (PATH or CASE:PATH)".into(),
                ));
            }
            let (text, dir) =
                crate::app::history::calibrate_command(crate::app::history::CalibrateRequest {
                    scenarios: args.scenarios.clone(),
                    timelines: args.timelines.clone(),
                    params: args.abc.params.clone(),
                    settings: args.abc.settings(args.seed, threads)?,
                    out: args.out.clone(),
                    charts: !args.no_charts,
                    command: command_line(),
                    opts: args.limits.load_options(),
                    apply_to: args.apply_to.clone(),
                    report: report_options(args.report_title.as_deref()),
                })?;
            say(&wrote(text, &dir));
            Ok(())
        }
        Command::Report {
            dirs,
            out,
            report_title,
            limits,
        } => {
            let dir = crate::app::combined::report(&crate::app::combined::ReportRequest {
                dirs: dirs.clone(),
                out,
                options: report_options(report_title.as_deref()),
                command: command_line(),
                load: limits.load_options(),
            })?;
            say(&format!(
                "combined {} result{} into one report\nwrote {}\n",
                dirs.len(),
                if dirs.len() == 1 { "" } else { "s" },
                dir.display()
            ));
            Ok(())
        }
        Command::Merge {
            shards,
            out,
            no_charts,
        } => {
            let (merged, dir) =
                crate::app::shards::merge_any(&shards, &out, !no_charts, command_line())?;
            match merged {
                crate::app::shards::Merged::Run(summary) => {
                    say(&crate::app::run::print_summary(&summary, &dir))
                }
                crate::app::shards::Merged::Compare(r) => {
                    say(&wrote(brink::report::compare::text(&r, None), &dir))
                }
            }
            Ok(())
        }
    }
}

fn parse_precision(s: &str) -> std::result::Result<(String, f64), String> {
    let (name, w) = s
        .split_once('=')
        .ok_or_else(|| format!("expected OUTCOME=HALF_WIDTH (e.g. rupture=0.005), found {s:?}"))?;
    let w: f64 = w
        .trim()
        .parse()
        .map_err(|_| format!("expected a half-width such as 0.005 after '=', found {w:?}"))?;
    if !(w > 0.0 && w < 0.5) {
        return Err(format!(
            "the half-width must be between 0 and 0.5, found {w}"
        ));
    }
    Ok((name.trim().to_string(), w))
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
    if runs > max_runs.min(brink::numerics::rng::MAX_RUN_INDEX) {
        return Err(Error::Input(format!(
            "{runs} runs is more than the limit of {max_runs} (raise it with --max-runs)"
        )));
    }
    Ok(runs)
}

fn trace_command(args: TraceArgs) -> Result<()> {
    use brink::analysis::trace;
    let loaded = load(&args.scenario, &args.limits)?;
    let target = match (&args.pick, args.run) {
        (Some(outcome), _) => trace::Target::Pick {
            outcome: outcome.clone(),
            count: args.count,
            max_scan: args.max_scan,
        },
        (None, Some(k)) => trace::Target::Run(k),
        (None, None) => return Err(Error::Input("give --run K or --pick OUTCOME".into())),
    };
    let req = trace::TraceRequest {
        variant: args.variant.clone(),
        seed: args.seed,
        target,
        threads: threads(args.threads)?,
        command: command_line(),
    };
    // Checks the variant; the charts read their labels and ladder from the model.
    let model = brink::model::compile(&loaded.scenario, args.variant.as_deref())?;
    // Claimed before any run is traced: a refusal comes before the work.
    let staging = match &args.out {
        Some(dir) => Some(Staging::begin(dir, "trace")?),
        None => None,
    };
    let out = trace::run(&loaded, &req, crate::app::interrupt::stop_flag())?;
    if let Some(staging) = staging {
        let mut files = brink::report::trace::files(&out)?;
        if !args.no_charts {
            files.extend(brink::report::trace::chart_files(&model, &out)?);
        }
        staging.write_all(&files)?;
        staging.commit()?;
    }
    if args.json {
        let bytes = brink::report::trace::json(&out)?;
        say(&format!("{}\n", String::from_utf8_lossy(&bytes)));
    } else {
        say(&brink::report::trace::text(&out));
    }
    if let Some(dir) = &args.out {
        eprintln!("wrote {}", crate::app::terminal::path(dir));
    }
    Ok(())
}

fn sensitivity_command(args: SensitivityArgs) -> Result<()> {
    use brink::analysis::sensitivity;
    let loaded = load(&args.scenario, &args.limits)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let mut p = crate::app::run::default_out(&args.scenario, args.variant.as_deref());
        let name = format!(
            "{}-sensitivity",
            p.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        );
        p.set_file_name(name);
        p
    });
    let req = sensitivity::SensitivityRequest {
        variant: args.variant.clone(),
        outcome: args.outcome.clone(),
        measure: args.measure.clone(),
        runs: args.runs,
        seed: args.seed,
        threads: threads(args.threads)?,
        command: command_line(),
    };
    let model = brink::model::compile(&loaded.scenario, args.variant.as_deref())?;
    let staging = Staging::begin(&out, "sensitivity")?;
    let result = sensitivity::run(&loaded, &req, crate::app::interrupt::stop_flag())?;
    staging.write_all(&brink::report::sensitivity::files(
        &model,
        &result,
        !args.no_charts,
        &report_options(args.report_title.as_deref()),
    )?)?;
    let dir = staging.commit()?;
    say(&wrote(brink::report::sensitivity::text(&result), &dir));
    Ok(())
}

fn sweep_command(args: SweepArgs) -> Result<()> {
    use brink::analysis::sweep;
    let loaded = load(&args.scenario, &args.limits)?;
    let runs = runs(args.sim.runs, &loaded, args.sim.max_runs)?;
    sweep::check_specs(&args.set)?;
    sweep::check_outcome(&loaded.scenario, args.outcome.as_deref())?;
    let out = args.out.clone().unwrap_or_else(|| {
        let paths: Vec<&str> = args.set.iter().map(|s| s.path.as_str()).collect();
        crate::app::run::sweep_default_out(&args.scenario, args.variant.as_deref(), &paths)
    });
    let req = sweep::SweepRequest {
        specs: args.set.clone(),
        variant: args.variant.clone(),
        runs,
        seed: args.sim.seed,
        threads: threads(args.sim.threads)?,
        command: command_line(),
    };
    // The paths and the grid are checked before the folder is claimed.
    sweep::grid_models(&loaded.scenario, &req.specs, req.variant.as_deref())?;
    let model = brink::model::compile(&loaded.scenario, req.variant.as_deref())?;
    let staging = Staging::begin(&out, "sweep")?;
    let result = sweep::run(&loaded, &req, crate::app::interrupt::stop_flag())?;
    let outcome = result.outcome_index(args.outcome.as_deref())?;
    staging.write_all(&brink::report::sweep::files(
        &model,
        &result,
        outcome,
        !args.no_charts,
        &report_options(args.report_title.as_deref()),
    )?)?;
    let dir = staging.commit()?;
    say(&wrote(
        brink::report::sweep::text(&model, &result, outcome),
        &dir,
    ));
    Ok(())
}

fn compare_command(args: CompareArgs) -> Result<()> {
    let loaded = load(&args.scenario, &args.limits)?;
    let runs = runs(args.sim.runs, &loaded, args.sim.max_runs)?;
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
        let mut p = crate::app::run::default_out(&args.scenario, None);
        let name = format!(
            "{}-compare",
            p.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        );
        p.set_file_name(name);
        p
    });
    let req = brink::analysis::compare::CompareRequest {
        variants,
        runs,
        seed: args.sim.seed,
        threads: threads(args.sim.threads)?,
        tornado: (!args.no_tornado).then(|| args.outcome.clone()),
        command: command_line(),
        shard: args.shard,
    };
    let stop = crate::app::interrupt::stop_flag();
    // The variants are checked before the folder is claimed.
    brink::analysis::compare::arms(&loaded.scenario, &req.variants, false)?;
    let staging = Staging::begin(&out, "compare")?;
    let done = brink::analysis::compare::run(&loaded, &req, stop)?;
    match req.shard {
        Some(spec) => {
            let mut m = done.result.manifest.clone();
            m.runs = req.runs;
            m.complete = false;
            let file = crate::app::shards::CompareShardFile::new(
                m,
                spec,
                &done.plan,
                loaded.scenario.clone(),
                req.variants.clone(),
                req.tornado.is_some(),
                req.tornado.clone().flatten(),
                done.tally.clone(),
            )?;
            staging.write_all(&[crate::app::shards::compare_shard_file(&file)?])?;
        }
        None => staging.write_all(&brink::report::compare::files(
            &done.arms[0].model,
            &done.result,
            !args.no_charts,
            &report_options(args.report_title.as_deref()),
        )?)?,
    }
    let dir = staging.commit()?;
    let result = done.result;
    match req.shard {
        Some(s) => say(&format!(
            "comparison shard {}/{}: {} of {} runs per arm written to {} (combine the shards with `brink merge`)\n",
            s.index,
            s.count,
            result.manifest.runs,
            req.runs,
            dir.display()
        )),
        None => say(&wrote(
            brink::report::compare::text(&result, Some(&loaded.scenario)),
            &dir,
        )),
    }
    Ok(())
}

fn run_command(args: RunArgs) -> Result<()> {
    let loaded = load(&args.scenario, &args.limits)?;
    // With a precision target, the runs are a cap: `--runs`, else `--max-runs`.
    let flag = match (&args.precision, args.sim.runs) {
        (Some(_), None) => Some(args.sim.max_runs),
        _ => args.sim.runs,
    };
    let runs = runs(flag, &loaded, args.sim.max_runs)?;
    let req = crate::app::run::RunRequest {
        runs,
        seed: args.sim.seed,
        variant: args.variant.clone(),
        threads: threads(args.sim.threads)?,
        out: args.out.clone().unwrap_or_else(|| {
            crate::app::run::default_out(&args.scenario, args.variant.as_deref())
        }),
        per_run: args.per_run || !args.per_run_steps.is_empty(),
        format: args.format,
        per_run_steps: args.per_run_steps.clone(),
        charts: !args.no_charts,
        progress: true,
        command: command_line(),
        shard: args.shard,
        precision: args.precision.clone(),
        report: brink::report::run::ReportOptions {
            title: args.report_title.clone(),
            date: Some(crate::app::run::analysis_date()),
        },
    };
    let on_stop = if args.keep_partial {
        crate::app::run::OnStop::Keep
    } else {
        crate::app::run::OnStop::Discard
    };
    let stop = crate::app::interrupt::stop_flag();
    let (summary, dir) = crate::app::run::run_with(&loaded, &req, stop, on_stop)?;
    if req.shard.is_none() && !summary.manifest.complete {
        say(&crate::app::run::print_summary(&summary, &dir));
        return Err(Error::Interrupted(format!(
            "stopped after {} of {} runs; the runs done are in {} (marked complete: false)",
            summary.manifest.runs,
            req.runs,
            dir.display()
        )));
    }
    match req.shard {
        Some(s) => say(&format!(
            "shard {}/{}: {} of {} runs written to {} (combine the shards with `brink merge`)\n",
            s.index,
            s.count,
            summary.manifest.runs,
            req.runs,
            dir.display()
        )),
        None => say(&crate::app::run::print_summary(&summary, &dir)),
    }
    Ok(())
}

fn load(file: &std::path::Path, limits: &LimitArgs) -> Result<LoadedScenario> {
    Ok(scenario::load(file, limits.load_options())?)
}

fn validate(files: &[PathBuf], limits: &LimitArgs) -> Result<()> {
    let mut all = vec![];
    for f in files {
        // A timeline is checked against the scenario it names.
        if crate::app::history::is_timeline(f, limits.load_options()).unwrap_or(false) {
            match crate::app::history::cases_from_files(
                std::slice::from_ref(f),
                limits.load_options(),
            ) {
                Ok(cases) => {
                    let c = &cases[0];
                    say(&format!(
                        "ok  {}: timeline {:?} of {}, {} facts\n",
                        f.display(),
                        c.timeline.timeline.name,
                        c.loaded.path.display(),
                        c.timeline.timeline.facts.len()
                    ));
                }
                Err(Error::Scenario(d)) => all.extend(d.0),
                Err(e) => return Err(e),
            }
            continue;
        }
        match scenario::load(f, limits.load_options()) {
            Ok(l) => {
                let s = &l.scenario;
                say(&format!(
                    "ok  {}: {:?}, {} actors, {} relations, {} levers, {} events, {} outcomes, {} variants, {} uncertain numbers, horizon {} {}s\n",
                    f.display(),
                    s.name,
                    s.actors.len(),
                    s.relations.len(),
                    s.levers.len(),
                    s.events.len(),
                    s.outcomes.len(),
                    s.variants.len(),
                    brink::report::describe::ledger(s).len(),
                    s.horizon,
                    s.step_unit
                ));
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

/// Prints text for the analyst: scenario text may hold control characters (see
/// [`crate::app::terminal`]).
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // A closed pipe (`brink describe | head`) is not an error worth a panic.
    let _ = out.write_all(crate::app::terminal::safe_text(text).as_bytes());
}

/// A command's readable summary and the folder it wrote.
fn wrote(text: String, dir: &std::path::Path) -> String {
    format!("{text}\nwrote {}\n", dir.display())
}

/// What a command's report.html shows beyond its results: `--report-title` and today's date.
fn report_options(title: Option<&str>) -> brink::report::run::ReportOptions {
    brink::report::run::ReportOptions {
        title: title.map(str::to_string),
        date: Some(crate::app::run::analysis_date()),
    }
}

/// The command line as typed, for manifests; an argument that is not UTF-8 (a file name) is
/// kept with its bad bytes replaced rather than ending the program.
fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}
