//! The command line: argument definitions and one function per command.

use brink::text::{ShowPath, counted};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use brink::error::{Error, Result};

use crate::app::output::Staging;
use brink::scenario::{self, LoadOptions, LoadedScenario, overrides};

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
        /// List every parameter path (for `--set`, variants' `set` and `brink sweep`) instead:
        /// a table of each path with its value or distribution, valid range and unit.
        #[arg(long)]
        paths: bool,
        /// With --paths: print the paths alone, one a line (for scripts).
        #[arg(long, requires = "paths")]
        plain: bool,
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
    /// Run a design over several parameters (Latin hypercube, Sobol, full factorial) × variants
    /// on common random numbers: each outcome's probability at every (point, variant), the
    /// variants' paired effects, and scenario discovery (PRIM) for an outcome.
    Experiment(ExperimentArgs),
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
        #[arg(long, value_name = "TEXT", value_parser = parse_title)]
        report_title: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Write a commented starting scenario that validates (NAME.ron in the current folder).
    New {
        /// The scenario's name (ASCII letters, digits, '_' or '-', starting with a letter).
        name: String,
        /// The starting point: two actors and one lever (minimal), the tutorial, which shows
        /// every part of the language, or a back-testing case with the class rules of the
        /// history cases (case).
        #[arg(long, value_enum, default_value_t = TemplateArg::Minimal)]
        from: TemplateArg,
        /// Write a starting timeline of the scenario SCENARIO instead (NAME.timeline.ron): the
        /// observed facts of a crisis for `brink backtest` and `brink calibrate`, one example
        /// of each kind the scenario offers, dated within its horizon, to replace.
        #[arg(long, value_name = "SCENARIO", conflicts_with = "from")]
        timeline_of: Option<PathBuf>,
        /// The file to write (default: NAME.ron, or NAME.timeline.ron); an existing file is
        /// never replaced.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Draw a scenario's actors, relations, levers and events as a diagram.
    Graph {
        /// Scenario file (RON).
        file: PathBuf,
        /// svg or png (a drawing), dot (Graphviz) or mermaid (text). Default: the format of
        /// --out's extension (.svg, .png, .dot or .gv, .mmd or .mermaid), else svg.
        #[arg(long, value_enum)]
        format: Option<GraphFormat>,
        /// The file to write (default: dot and mermaid to the terminal, svg and png to
        /// <file name>-graph.svg/png); an existing file is never replaced. An extension that
        /// is not the format's is refused.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Compare two saved results of `brink run` outcome by outcome: the difference B − A with
    /// its 95% interval (paired when both played the same runs and kept a per-run table,
    /// runs.csv or runs.parquet).
    Diff {
        /// The first result folder (A).
        a: PathBuf,
        /// The second result folder (B).
        b: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Rerun a result (of run, compare, sweep, sensitivity or experiment) from its manifest
    /// into a new folder and check that every file is byte-identical (exit code 1 if any
    /// differs). A result whose files no longer match the SHA-256 brink recorded is refused
    /// first (exit code 2). Run it from the folder the result was computed in (the scenario
    /// path is as recorded).
    Rerun {
        /// The result folder to rerun.
        dir: PathBuf,
        /// The new folder (default: DIR-rerun beside DIR).
        #[arg(long)]
        out: Option<PathBuf>,
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

/// The starting files of `brink new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplateArg {
    /// Two actors, one relation (both directions), one lever, one outcome.
    Minimal,
    /// scenarios/examples/tutorial.ron: every part of the language.
    Tutorial,
    /// A back-testing case between two states, with the class rules of the history cases.
    Case,
}

/// The formats of `brink graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A drawing, SVG.
    Svg,
    /// A drawing, PNG.
    Png,
    /// Graphviz DOT text.
    Dot,
    /// Mermaid flowchart text.
    Mermaid,
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
    /// Replace a number for this command only, after the variant's own (repeatable):
    /// PATH=VALUE with VALUE a number or a distribution as the scenario file writes it, e.g.
    /// `--set actors.north.hawkishness=0.4` or `--set 'actors.north.hawkishness=Normal(mean:
    /// 0.3, sd: 0.05)'`. `brink describe --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<brink::scenario::overrides::Override>,
    /// Output folder (default: output/<scenario file name>[-<variant>]).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write runs.csv: one row per run with its sampled numbers and outcomes.
    #[arg(long)]
    pub per_run: bool,
    /// Also record in runs.csv the rung and every measure's level at the end of these steps
    /// (e.g. `--per-run-steps 13,26,51`; steps run from 0 to the horizon − 1); implies --per-run.
    #[arg(long, value_delimiter = ',')]
    pub per_run_steps: Vec<u32>,
    /// The format of the per-step table and, with --per-run, the per-run table: `csv`
    /// (timeseries.csv, runs.csv) or `parquet` (timeseries.parquet, runs.parquet: typed
    /// columns, nulls for weeks that never came, rungs as categories).
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::app::run::TableFormat,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    /// Not with --shard: a shard writes no report, and `brink merge` draws it untitled.
    /// Not with --no-charts, which writes no report.html.
    #[arg(long, value_name = "TEXT", value_parser = parse_title, conflicts_with_all = ["shard", "no_charts"])]
    pub report_title: Option<String>,
    /// Keep adding runs until both ends of OUTCOME's 95% interval lie within HALF_WIDTH of its
    /// estimate (e.g.
    /// `--precision rupture=0.005`); `--runs` (or `--max-runs`) caps the runs.
    #[arg(long, value_parser = parse_precision, conflicts_with = "shard")]
    pub precision: Option<(String, f64)>,
    /// Compute only shard I of N (1-based; N at most 1,000,000) of the runs, for `brink merge`:
    /// e.g. `--shard 2/8`.
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
    #[arg(long, allow_negative_numbers = true, default_value_t = 1000)]
    pub particles: usize,
    /// Pseudo-timelines simulated per particle and generation (one run of every case each).
    #[arg(long, allow_negative_numbers = true, default_value_t = 4)]
    pub sims: usize,
    /// Most generations after the prior's sample (1 to 10,000).
    #[arg(long, allow_negative_numbers = true, default_value_t = 40)]
    pub max_generations: usize,
    /// Stop once a generation's move acceptance falls below this share.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.03)]
    pub min_acceptance: f64,
    /// Params to calibrate, comma-separated: PATH (every case that has it; shared when
    /// several do) or CASE:PATH (one case only). `brink describe --paths FILE` lists paths.
    #[arg(long, value_delimiter = ',')]
    pub params: Vec<String>,
    /// Most runs of each case the calibration may simulate, --particles × --sims ×
    /// (--max-generations + 1), checked before anything runs (1 to 2^48 − 1).
    #[arg(long, allow_negative_numbers = true, default_value_t = scenario::limits::DEFAULT_MAX_RUNS, value_parser = parse_max_runs)]
    pub max_sims: u64,
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
        // None would leave the prior's sample alone, written as "calibrated" files that are
        // a refit of the prior with a final tolerance of infinity.
        if !(1..=10_000).contains(&self.max_generations) {
            return Err(Error::Input(
                "--max-generations must be from 1 to 10,000 (generation 0, the prior's sample, \
                 calibrates nothing)"
                    .into(),
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
        // A budget of days started without a word (10^5 particles × 20 × 10,001 generations:
        // 2·10^10 runs of each case); `run` has `--max-runs` for the same reason.
        if work > self.max_sims as u128 {
            return Err(Error::Input(format!(
                "the calibration could simulate up to {} runs of each case (--particles {} × \
                 --sims {} × (--max-generations {} + 1)), more than --max-sims {}: lower one of \
                 them, or raise --max-sims",
                work, self.particles, self.sims, self.max_generations, self.max_sims
            )));
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
    #[arg(long, allow_negative_numbers = true, default_value_t = 10_000)]
    pub runs: u64,
    /// Master seed (also of the calibrations of --cross-validate).
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Leave each case out in turn: calibrate --params on the others, score it.
    #[arg(long)]
    pub cross_validate: bool,
    #[command(flatten)]
    pub abc: AbcArgs,
    /// Output folder (default: output/<case>[-<case>...]-backtest, or with --cross-validate
    /// output/<case>[-<case>...]-cross-validation-<param>[-<param>...], ending in a hash of
    /// the list when there are several cases or numbers; with --set, its overrides follow).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the cases' (the brief the report goes into).
    /// Not with --no-charts, which writes no report.html.
    #[arg(long, value_name = "TEXT", value_parser = parse_title, conflicts_with = "no_charts")]
    pub report_title: Option<String>,
    /// Replace a number in every case's scenario (repeatable):
    /// PATH=VALUE with VALUE a number or a distribution as the scenario file writes it, e.g.
    /// `--set actors.north.hawkishness=0.4` or `--set 'actors.north.hawkishness=Normal(mean:
    /// 0.3, sd: 0.05)'`. `brink describe --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<brink::scenario::overrides::Override>,
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
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<case>[-<case>...]-calibration-<param>[-<param>...],
    /// ending in a hash of the list when there are several cases or numbers, with --set its
    /// overrides after; a name longer than 80 characters is cut and ends in a hash of the
    /// whole).
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
    /// Not with --no-charts, which writes no report.html.
    #[arg(long, value_name = "TEXT", value_parser = parse_title, conflicts_with = "no_charts")]
    pub report_title: Option<String>,
    /// Replace a number in every case's scenario (repeatable):
    /// PATH=VALUE with VALUE a number or a distribution as the scenario file writes it, e.g.
    /// `--set actors.north.hawkishness=0.4` or `--set 'actors.north.hawkishness=Normal(mean:
    /// 0.3, sd: 0.05)'`. `brink describe --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<brink::scenario::overrides::Override>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `brink compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// Variants to compare with the base, comma-separated.
    #[arg(long, value_delimiter = ',', conflicts_with = "all", value_parser = trimmed)]
    pub variants: Vec<String>,
    /// Compare every variant of the scenario.
    #[arg(long)]
    pub all: bool,
    /// Replace a number for this command only, in the base and every variant alike (repeatable):
    /// PATH=VALUE with VALUE a number or a distribution as the scenario file writes it, e.g.
    /// `--set actors.north.hawkishness=0.4` or `--set 'actors.north.hawkishness=Normal(mean:
    /// 0.3, sd: 0.05)'`. `brink describe --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<brink::scenario::overrides::Override>,
    /// Runs are per arm: every arm plays the same run indices.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output folder (default: output/<scenario file name>-compare).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The outcome the tornado of lever effects ranks by and the charts focus on (the time to
    /// it, the arms' effects on it, the fans side by side); default: the first named outcome.
    #[arg(long)]
    pub outcome: Option<String>,
    /// Skip the tornado (one forced and one frozen arm per lever).
    #[arg(long)]
    pub no_tornado: bool,
    /// Compute only shard I of N (1-based; N at most 1,000,000) of the runs, for `brink merge`:
    /// e.g. `--shard 2/8`.
    #[arg(long)]
    pub shard: Option<brink::engine::ShardSpec>,
    /// Also write runs.csv: one row per (run, variant), the base's and every variant's, with
    /// the numbers each run drew and what it produced (the tornado's arms have none).
    #[arg(long, conflicts_with = "shard")]
    pub per_run: bool,
    /// The format of the per-run table (with --per-run): `csv` (runs.csv) or `parquet`
    /// (runs.parquet: typed columns, nulls for steps that never came, rungs as categories).
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::app::run::TableFormat,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    /// Not with --shard: a shard writes no report, and `brink merge` draws it untitled.
    /// Not with --no-charts, which writes no report.html.
    #[arg(long, value_name = "TEXT", value_parser = parse_title, conflicts_with_all = ["shard", "no_charts"])]
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
    #[arg(long, allow_negative_numbers = true)]
    pub run: Option<u64>,
    /// Trace the first runs in which this outcome happened instead.
    #[arg(long)]
    pub pick: Option<String>,
    /// With --pick: how many runs to trace [default: 3].
    // Refused with --run (it was ignored): `requires = "pick"` did not catch it, the two being
    // in a group, and a clap default counts as given.
    #[arg(long, allow_negative_numbers = true, conflicts_with = "run")]
    pub count: Option<usize>,
    /// With --pick: the most runs to scan (runs 0 .. N-1) [default: 100000].
    #[arg(long, allow_negative_numbers = true, conflicts_with = "run")]
    pub max_scan: Option<u64>,
    /// Apply a variant of the scenario.
    #[arg(long)]
    pub variant: Option<String>,
    /// Replace a number for this command only, after the variant's own (repeatable):
    /// PATH=VALUE with VALUE a number or a distribution as the scenario file writes it, e.g.
    /// `--set actors.north.hawkishness=0.4` or `--set 'actors.north.hawkishness=Normal(mean:
    /// 0.3, sd: 0.05)'`. `brink describe --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<brink::scenario::overrides::Override>,
    /// Master seed (as given to `brink run`).
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    pub seed: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write trace.json, trace.txt and each run's timeline chart into this folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// With --out: leave out the timeline charts (trace_timeline*.png/.svg).
    #[arg(long, requires = "out")]
    pub no_charts: bool,
    /// Worker threads for the --pick scan and the timeline charts (default: all cores). Results do
    /// not depend on it.
    #[arg(long, allow_negative_numbers = true)]
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
    #[arg(long, allow_negative_numbers = true, default_value_t = brink::analysis::sensitivity::DEFAULT_RUNS)]
    pub runs: u64,
    /// Master seed: run r samples the same numbers as run r of `brink run`.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    pub seed: u64,
    /// Apply a variant of the scenario.
    #[arg(long)]
    pub variant: Option<String>,
    /// Replace a number for this command only, after the variant's own (repeatable):
    /// PATH=VALUE with VALUE a number or a distribution as the scenario file writes it, e.g.
    /// `--set actors.north.hawkishness=0.4` or `--set 'actors.north.hawkishness=Normal(mean:
    /// 0.3, sd: 0.05)'`. `brink describe --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<brink::scenario::overrides::Override>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario file name>[-<variant>]-sensitivity).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Skip the chart and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    /// Not with --no-charts, which writes no report.html.
    #[arg(long, value_name = "TEXT", value_parser = parse_title, conflicts_with = "no_charts")]
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
    /// included), e.g. `actors.azerbaijan.sensitivity=0.2..1.2:11`. Give it twice for a heat map
    /// over every pair of two parameters' values (at most 1,000 points in all). A `--set
    /// PATH=VALUE` (a number or a distribution) instead holds that number fixed at every
    /// point, after the variant's own. `brink describe --paths FILE` lists the paths.
    #[arg(long = "set", value_name = "PATH=FROM..TO:STEPS", required = true)]
    pub set: Vec<brink::analysis::sweep::SweepSet>,
    /// With two parameters, the outcome of the heat map and the grid tables; with one, the
    /// outcome drawn first on the chart, which holds only the first few (default: the first
    /// named outcome).
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
    /// Also write runs.csv: one row per (design point, run), with the point's value of each
    /// swept path (`in.<path>`), the numbers each run drew and what it produced.
    #[arg(long)]
    pub per_run: bool,
    /// The format of the per-run table (with --per-run): `csv` (runs.csv) or `parquet`
    /// (runs.parquet: typed columns, nulls for steps that never came, rungs as categories).
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::app::run::TableFormat,
    /// Skip the chart and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    /// Not with --no-charts, which writes no report.html.
    #[arg(long, value_name = "TEXT", value_parser = parse_title, conflicts_with = "no_charts")]
    pub report_title: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Arguments of `brink experiment`.
#[derive(Debug, clap::Args)]
pub struct ExperimentArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// The design: lhs (Latin hypercube), sobol or factorial.
    #[arg(long, value_name = "lhs|sobol|factorial")]
    pub design: brink::analysis::design::DesignKind,
    /// A parameter the design varies and its range: PATH=LOW..HIGH (repeat for each, at most
    /// 21), e.g. `actors.north.sensitivity=0.2..1.2`. `brink describe --paths FILE` lists paths.
    #[arg(long = "param", value_name = "PATH=LOW..HIGH", required = true)]
    pub params: Vec<brink::analysis::design::ParamRange>,
    /// Points of the design (lhs, sobol), or levels per parameter (factorial: N^k points);
    /// at most 10,000 points in all.
    #[arg(long, allow_negative_numbers = true)]
    pub points: usize,
    /// A variant of the file played at every point besides the base (repeatable; at most 16
    /// variants with --variants).
    #[arg(long = "variant", value_name = "NAME", value_parser = trimmed)]
    pub variant: Vec<String>,
    /// Variants played at every point besides the base, comma-separated (at most 16 in all).
    #[arg(long, value_delimiter = ',', value_name = "A,B", value_parser = trimmed)]
    pub variants: Vec<String>,
    /// Replace a number at every point for this command only (repeatable): PATH=VALUE with
    /// VALUE a number or a distribution as the scenario file writes it; not a `--param` path.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<brink::scenario::overrides::Override>,
    /// The outcome of scenario discovery, the variants' effects and the charts (default: the
    /// scenario's first).
    #[arg(long)]
    pub outcome: Option<String>,
    /// Runs are per (point, variant): every pair plays the same run indices.
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output folder (default: output/<scenario file name>-experiment).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write runs.csv: one row per (point, variant, run).
    #[arg(long)]
    pub per_run: bool,
    /// The format of the per-run table (with --per-run): `csv` (runs.csv) or `parquet`
    /// (runs.parquet: typed columns, nulls for steps that never came, rungs as categories).
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::app::run::TableFormat,
    /// Skip the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// A title for report.html, shown above the scenario's (the brief the report goes into).
    /// Not with --no-charts, which writes no report.html.
    #[arg(long, value_name = "TEXT", value_parser = parse_title, conflicts_with = "no_charts")]
    pub report_title: Option<String>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How many runs, from which seed, on how many threads (`run`, `compare`, `sweep`).
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Number of runs (default: the scenario's `runs`, else 10,000).
    #[arg(long, allow_negative_numbers = true)]
    pub runs: Option<u64>,
    /// Master seed: the same seed gives the same results.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Largest number of runs accepted (1 to 2^48 − 1, the run index's range).
    #[arg(long, allow_negative_numbers = true, default_value_t = scenario::limits::DEFAULT_MAX_RUNS, value_parser = parse_max_runs)]
    pub max_runs: u64,
}

/// `--max-runs N`: refused at once past the run index's range, which no run count can pass
/// (it would otherwise be clamped silently), and at 0, under which every run count would be
/// refused.
fn parse_max_runs(s: &str) -> std::result::Result<u64, String> {
    let limit = brink::numerics::rng::MAX_RUN_INDEX;
    let n: u64 = s
        .parse()
        .map_err(|_| format!("expected a whole number of runs from 1 to {limit}"))?;
    if n == 0 {
        return Err(format!(
            "0 would refuse every run count (a command makes at least 1 run); expected a whole \
             number of runs from 1 to {limit}"
        ));
    }
    if n > limit {
        return Err(format!(
            "{n} is more than {limit} (2^48 − 1, the largest run index brink's random streams \
             can address); expected at most {limit}"
        ));
    }
    Ok(n)
}

/// Limits an analyst may raise.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Largest scenario file accepted, in bytes (1 to 2^64 − 1; the largest is no limit).
    #[arg(long, allow_negative_numbers = true, default_value_t = scenario::limits::MAX_FILE_BYTES, value_parser = parse_max_file_size)]
    pub max_file_size: u64,
}

/// `--max-file-size N`: refused at once at 0, under which every file would be refused, and
/// with a message of brink's own for what is not a size (clap's said "invalid digit found in
/// string" of `-1`).
fn parse_max_file_size(s: &str) -> std::result::Result<u64, String> {
    let expected = format!("expected a whole number of bytes from 1 to {}", u64::MAX);
    match s.parse::<u64>() {
        Ok(0) => Err(format!(
            "0 would refuse every file (a scenario holds at least one byte); {expected}"
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(expected),
    }
}

impl LimitArgs {
    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            max_file_bytes: self.max_file_size,
            ..LoadOptions::default()
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    crate::app::run::check_source_date_epoch()?;
    match cli.command {
        Command::Validate { files, limits } => validate(&files, &limits),
        Command::Describe {
            file,
            paths,
            plain,
            limits,
        } => {
            let loaded = load(&file, &limits)?;
            if paths && plain {
                for p in scenario::paths::param_paths(&loaded.scenario) {
                    say(&format!("{p}\n"));
                }
            } else if paths {
                say(&brink::report::describe::paths_table(&loaded.scenario));
            } else {
                say(&brink::report::describe::describe(&loaded.scenario));
            }
            Ok(())
        }
        Command::Run(args) => run_command(args),
        Command::Compare(args) => compare_command(args),
        Command::Sweep(args) => sweep_command(args),
        Command::Experiment(args) => experiment_command(args),
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
            // The calibration's options have defaults, so clap cannot tell one given from one
            // left out: the command line is read for them (they were silently ignored).
            if !args.cross_validate
                && let Some(o) = given_option(&[
                    "--particles",
                    "--sims",
                    "--max-generations",
                    "--min-acceptance",
                    "--max-sims",
                ])
            {
                return Err(Error::Input(format!(
                    "{o} is for --cross-validate (a backtest alone calibrates nothing)"
                )));
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
                    set: args.set.clone(),
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
                    set: args.set.clone(),
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
                crate::app::terminal::path(&dir)
            ));
            Ok(())
        }
        Command::New {
            name,
            timeline_of: Some(scenario_file),
            out,
            limits,
            ..
        } => {
            let loaded = load(&scenario_file, &limits)?;
            let path = crate::app::authoring::new_timeline(
                &name,
                &loaded.scenario,
                &scenario_file,
                out.as_deref(),
            )?;
            let word = brink::text::shell_path(&path.to_string_lossy());
            say(&format!(
                "wrote {}\ncheck it with `brink validate {}`; its facts are examples to replace \
                 with what was observed, each with its source\n",
                crate::app::terminal::path(&path),
                brink::text::escape(&word, false)
            ));
            Ok(())
        }
        Command::New {
            name, from, out, ..
        } => {
            let template = match from {
                TemplateArg::Minimal => scenario::new::Template::Minimal,
                TemplateArg::Tutorial => scenario::new::Template::Tutorial,
                TemplateArg::Case => scenario::new::Template::Case,
            };
            let path = crate::app::authoring::new_scenario(&name, template, out.as_deref())?;
            // The command to paste: the path as one shell word (`my file.ron` was two), and
            // one starting with `-` given as `./-x.ron` (it read as an option).
            let word = brink::text::shell_path(&path.to_string_lossy());
            let then = match template {
                scenario::new::Template::Minimal => {
                    "its sources say \"replace with your source\" until you do"
                }
                scenario::new::Template::Tutorial => {
                    "it is the tutorial under your name: replace its invented numbers and \
                     their sources (\"tutorial: invented\", \"assumption\", \"illustrative\") \
                     with yours"
                }
                scenario::new::Template::Case => {
                    "replace everything marked \"REPLACE\" (numbers' sources, labels, the \
                     description, the start date) with what could be known on your crisis's \
                     start date (docs/history.md, \"A case for a crisis not in the project\")"
                }
            };
            say(&format!(
                "wrote {}\ncheck it with `brink validate {}`; {then}\n",
                crate::app::terminal::path(&path),
                brink::text::escape(&word, false)
            ));
            Ok(())
        }
        Command::Graph {
            file,
            format,
            out,
            limits,
        } => graph_command(&file, format, out.as_deref(), &limits),
        Command::Diff { a, b, json } => {
            // The same folder twice gave a difference of 0 without a word; refused before
            // either side's tables are read and hashed.
            if let (Ok(ia), Ok(ib)) = (a.canonicalize(), b.canonicalize())
                && ia == ib
                && ia.is_dir()
            {
                return Err(Error::Input(format!(
                    "{} and {} are the same result folder: give two results to compare",
                    a.shown(),
                    b.shown()
                )));
            }
            let (sa, sb) = (
                crate::app::authoring::read_saved(&a)?,
                crate::app::authoring::read_saved(&b)?,
            );
            let d = brink::analysis::diff::diff(&sa, &sb);
            // Two results that share no outcome (two different scenarios) printed an empty
            // table with a hint about pairing: nothing was compared, and that is said instead.
            if d.outcomes.is_empty() {
                let names = |v: &[String]| {
                    if v.is_empty() {
                        "none".to_string()
                    } else if v.len() <= 8 {
                        v.join(", ")
                    } else {
                        format!("{}, and {} more", v[..8].join(", "), v.len() - 8)
                    }
                };
                return Err(Error::Input(format!(
                    "{} and {} name no outcome in common, so there is nothing to compare \
                     (A's: {}; B's: {}); diff compares results of one scenario, or of \
                     versions of it that keep its outcomes' names",
                    a.shown(),
                    b.shown(),
                    brink::text::escape(&names(&d.only_in_a), false),
                    brink::text::escape(&names(&d.only_in_b), false)
                )));
            }
            if json {
                say_json(&format!("{}\n", brink::report::diff::json(&d)?));
            } else {
                say(&brink::report::diff::text(&d));
            }
            Ok(())
        }
        Command::Rerun { dir, out } => {
            let r = crate::app::authoring::rerun(&dir, out.as_deref())?;
            say(&format!(
                "reran `brink {}` into {}\ncompared modulo {}\n",
                brink::text::escape(&r.args.join(" "), false),
                r.dir.shown(),
                crate::app::authoring::RERUN_MODULO
            ));
            // Another build of this version: compared modulo the build, and said.
            let build_note = r.other_build.as_deref().map(|b| {
                format!(
                    "note: {} was written by build {} of brink {}, and this is build {}{}\n",
                    dir.shown(),
                    brink::text::escape(&brink::text::shortened(b), false),
                    env!("CARGO_PKG_VERSION"),
                    brink::BUILD.unwrap_or("(not recorded)"),
                    if r.differ.is_empty() {
                        ""
                    } else {
                        ": another build may play the same seed differently; rerun it with the \
                         build that wrote it"
                    }
                )
            });
            if r.differ.is_empty() {
                say("byte-identical\n");
                if let Some(n) = &build_note {
                    say(n);
                }
                Ok(())
            } else {
                say(&format!("{} file(s) differ:\n", r.differ.len()));
                for f in &r.differ {
                    say(&format!("  {f}\n"));
                }
                if let Some(n) = &build_note {
                    say(n);
                }
                // The manifests record the version: a result of another one never reproduces
                // byte for byte here, and its numbers may differ for that reason alone.
                if let Some(v) = &r.other_version {
                    say(&format!(
                        "{} was written by {}, and this is brink {}: its manifests differ by \
                         the version at least, and another version may play the same seed \
                         otherwise; rerun it with the version that wrote it\n",
                        dir.shown(),
                        brink::text::escape(v, false),
                        env!("CARGO_PKG_VERSION")
                    ));
                }
                Err(Error::Failed(format!(
                    "the rerun of {} is not byte-identical ({} file(s) differ)",
                    dir.shown(),
                    r.differ.len()
                )))
            }
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
                    // The labels come from the scenario file the shards were made from, if it
                    // is still there as it was; else the ids, and one line says why.
                    let m = &r.manifest;
                    let loaded =
                        scenario::load(std::path::Path::new(&m.scenario_file), Default::default())
                            .ok()
                            .filter(|l| l.hash == m.scenario_hash);
                    let mut text =
                        brink::report::compare::text(&r, loaded.as_ref().map(|l| &l.scenario));
                    if loaded.is_none() {
                        text += &format!(
                            "Named by ids: the scenario file {} is gone or has changed since \
                             the shards were made.\n",
                            std::path::Path::new(&m.scenario_file).shown()
                        );
                    }
                    say(&wrote(text, &dir))
                }
            }
            Ok(())
        }
    }
}

impl GraphFormat {
    /// The format's name, as --format takes it.
    fn name(self) -> &'static str {
        match self {
            GraphFormat::Svg => "svg",
            GraphFormat::Png => "png",
            GraphFormat::Dot => "dot",
            GraphFormat::Mermaid => "mermaid",
        }
    }

    /// The file extensions of the format (the first is the usual one).
    fn extensions(self) -> &'static [&'static str] {
        match self {
            GraphFormat::Svg => &["svg"],
            GraphFormat::Png => &["png"],
            GraphFormat::Dot => &["dot", "gv"],
            GraphFormat::Mermaid => &["mmd", "mermaid"],
        }
    }

    const ALL: [GraphFormat; 4] = [
        GraphFormat::Svg,
        GraphFormat::Png,
        GraphFormat::Dot,
        GraphFormat::Mermaid,
    ];
}

/// The format `brink graph` writes: `--format`, else the one `--out`'s extension names, else
/// svg. An `--out` whose extension is another format's (or an image format graph does not
/// write) is refused, so that a `.png` never holds SVG text nor a `.svg` PNG bytes; the text
/// formats may also go to a `.txt`, and any format to a name with no extension.
fn graph_format(format: Option<GraphFormat>, out: Option<&std::path::Path>) -> Result<GraphFormat> {
    // A name that is only an extension (`.png`) has none for `Path::extension`; it is read as
    // one all the same, so that it too never holds another format.
    fn extension(o: &std::path::Path) -> Option<&std::ffi::OsStr> {
        o.extension().or_else(|| {
            let name = o.file_name()?.to_str()?;
            let rest = name.strip_prefix('.')?;
            (!rest.is_empty() && !rest.contains('.')).then_some(std::ffi::OsStr::new(rest))
        })
    }
    let Some((out, ext)) =
        out.and_then(|o| Some((o, extension(o)?.to_string_lossy().to_lowercase())))
    else {
        return Ok(format.unwrap_or(GraphFormat::Svg));
    };
    let shown = crate::app::terminal::path(out);
    let named = GraphFormat::ALL
        .into_iter()
        .find(|f| f.extensions().contains(&ext.as_str()));
    let dotted = |f: GraphFormat, sep: &str| {
        f.extensions()
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let ext_shown = crate::app::terminal::safe(&ext).into_owned();
    match (format, named) {
        (None, Some(f)) => Ok(f),
        (Some(f), Some(g)) if f == g => Ok(f),
        (Some(f), _) if ext == "txt" && matches!(f, GraphFormat::Dot | GraphFormat::Mermaid) => {
            Ok(f)
        }
        (Some(f), Some(g)) => Err(Error::Input(format!(
            "--out {shown}: its extension .{ext_shown} is for {}, but --format is {}; end --out \
             in .{} (or give it no extension), or leave out --format",
            g.name(),
            f.name(),
            f.extensions()[0]
        ))),
        (Some(f), None) => Err(Error::Input(format!(
            "--out {shown}: .{ext_shown} is not an extension of --format {}; expected {}{} or \
             no extension",
            f.name(),
            dotted(f, ", "),
            if matches!(f, GraphFormat::Dot | GraphFormat::Mermaid) {
                ", .txt"
            } else {
                ""
            }
        ))),
        (None, None) if ext == "txt" => Err(Error::Input(format!(
            "--out {shown}: a .txt may hold either text format: give --format dot or --format \
             mermaid (or end --out in .dot or .mmd)"
        ))),
        (None, None) => Err(Error::Input(format!(
            "--out {shown}: brink graph cannot tell the format from the extension .{ext_shown}; \
             it writes {known}: end --out in one of these, or give --format svg, png, dot or \
             mermaid",
            known = GraphFormat::ALL.map(|f| dotted(f, " or ")).join(", ")
        ))),
    }
}

fn graph_command(
    file: &std::path::Path,
    format: Option<GraphFormat>,
    out: Option<&std::path::Path>,
    limits: &LimitArgs,
) -> Result<()> {
    // `-` is standard output to most tools; here it made a file named `-`.
    if out.is_some_and(|p| p.as_os_str() == "-") {
        return Err(Error::Input(
            "--out - would be a file named \"-\": leave out --out to print DOT or Mermaid text \
             on standard output (--format dot or mermaid), or name a file"
                .into(),
        ));
    }
    // Decided before the scenario is read: a refusal writes nothing.
    let format = graph_format(format, out)?;
    let loaded = load(file, limits)?;
    let d = brink::report::graph::Diagram::of(&loaded.scenario);
    let drawing = |ext: &str| {
        out.map(std::path::Path::to_path_buf).unwrap_or_else(|| {
            // A control character or a mark that reorders a line is no part of a name brink
            // makes (a stem of `h\nerror: forged` named `h⏎error: forged-graph.svg`).
            let stem: String = file
                .file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
                .chars()
                .map(|c| if brink::text::unsafe_char(c) { '_' } else { c })
                .collect();
            PathBuf::from(format!("{stem}-graph.{ext}"))
        })
    };
    // The file is checked before the drawing: a name that cannot be written is refused
    // before the work, not after it.
    let target = match format {
        GraphFormat::Dot | GraphFormat::Mermaid => out.map(std::path::Path::to_path_buf),
        GraphFormat::Svg => Some(drawing("svg")),
        GraphFormat::Png => Some(drawing("png")),
    };
    if let Some(p) = &target {
        crate::app::authoring::check_new_file(p, out.is_some())?;
    }
    let (path, bytes) = match format {
        GraphFormat::Dot | GraphFormat::Mermaid => {
            let text = if format == GraphFormat::Dot {
                d.dot()
            } else {
                d.mermaid()
            };
            match out {
                None => {
                    say(&text);
                    return Ok(());
                }
                Some(p) => (p.to_path_buf(), text.into_bytes()),
            }
        }
        GraphFormat::Svg | GraphFormat::Png => {
            let footer = format!("{} · {}", d.title, file.shown());
            if format == GraphFormat::Svg {
                // No PNG drawn: nothing to tell of text a PNG could not show.
                let svg = brink::report::charts::graph::render_svg(&d, &footer)?;
                (drawing("svg"), svg.into_bytes())
            } else {
                let chart = brink::report::charts::graph::render(&d, &footer)?;
                (drawing("png"), chart.png)
            }
        }
    };
    crate::app::authoring::write_new_file(&path, &bytes, out.is_some())?;
    say(&format!("wrote {}\n", crate::app::terminal::path(&path)));
    Ok(())
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
            "the half-width must be above 0 and below 0.5, found {w:?}"
        ));
    }
    Ok((name.trim().to_string(), w))
}

/// A name as given, without the spaces around it (`--variants 'a, b'`: " b" was an unknown
/// variant, while `--param` and `--params` take their parts so).
fn trimmed(s: &str) -> std::result::Result<String, String> {
    Ok(s.trim().to_string())
}

/// Notes for `--set` paths that a compared variant sets itself: valid, and as the help says the
/// value holds in every arm, but the variant's effect then leaves that number out (found by a
/// reviewing helper: `compare --variants pretext --set` of its grievance moved its effect from
/// +53 to +9 points without a word, while `experiment --param` said so).
fn set_notes(s: &brink::scenario::Scenario, set: &[overrides::Override], arms: &[Option<&str>]) {
    for o in set {
        for v in overrides::set_by_variants(s, arms, &o.path) {
            tell!(
                "note: --set {}: variant {} sets that number too, and the --set value replaces \
                 the variant's own in every arm, so the variant differs from the base only in \
                 its other changes",
                crate::app::terminal::safe(&o.path),
                crate::app::terminal::safe(v)
            );
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
    let spelled = brink::simulation::RunOptions {
        runs: "--runs",
        max_runs: "--max-runs",
    };
    brink::simulation::checked_runs(flag, loaded.scenario.runs, max_runs, spelled)
}

fn trace_command(args: TraceArgs) -> Result<()> {
    use brink::analysis::trace;
    let loaded = load(&args.scenario, &args.limits)?;
    let loaded = overrides::apply(&loaded, &args.set, &[args.variant.as_deref()])?;
    let target = match (&args.pick, args.run) {
        (Some(outcome), _) => trace::Target::Pick {
            outcome: outcome.clone(),
            count: args.count.unwrap_or(3),
            max_scan: args.max_scan.unwrap_or(100_000),
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
    // The handler first: a signal between the claim and the handler would kill the process
    // with its lock and staging folder left behind.
    let stop = crate::app::interrupt::stop_flag();
    let staging = match &args.out {
        Some(dir) => Some(Staging::begin(dir, "trace")?),
        None => None,
    };
    let out = trace::run(&loaded, &req, stop)?;
    // Drawing a thousand traces' charts, or printing them, takes as long as tracing them.
    let go_on = || match stop.load(std::sync::atomic::Ordering::SeqCst) {
        true => Err(Error::Interrupted(
            "stopped before the traces were written; nothing was written".into(),
        )),
        false => Ok(()),
    };
    go_on()?;
    if let Some(staging) = staging {
        let mut files = brink::report::trace::files(&out, &model.scenario)?;
        if !args.no_charts {
            go_on()?;
            for t in out.traces.iter() {
                if brink::analysis::trace::too_large_to_draw(t) {
                    crate::app::terminal::tell(&format!(
                        "note: the timeline chart of run {} is left out: its trace holds more \
                         than the {} MiB a chart can draw",
                        t.run,
                        brink::analysis::trace::TIMELINE_BUDGET >> 20
                    ));
                }
            }
            // Side by side on the scan's threads, stopped between charts by a signal.
            let drawn = crate::app::on_threads(args.threads.unwrap_or(usize::MAX), || {
                brink::report::trace::chart_files(&model, &out, stop)
            })?;
            go_on()?;
            files.extend(drawn.unwrap_or_default());
        }
        go_on()?;
        staging.write_all(&files)?;
        staging.commit()?;
    }
    let text = if args.json {
        let bytes = brink::report::trace::json(&out)?;
        format!("{}\n", String::from_utf8_lossy(&bytes))
    } else {
        // The text says what `--set` replaced itself (trace.txt too).
        brink::report::trace::text(&out, &model.scenario)
    };
    // Printed whole or not at all: the last check before the first byte (with --out, the
    // folder is already committed, and printing what it holds is the result).
    if args.out.is_none() {
        go_on()?;
    }
    if args.json {
        say_json(&text);
    } else {
        say(&text);
    }
    if let Some(dir) = &args.out {
        tell!("wrote {}", crate::app::terminal::path(dir));
    }
    Ok(())
}

fn sensitivity_command(args: SensitivityArgs) -> Result<()> {
    use brink::analysis::sensitivity;
    let loaded = load(&args.scenario, &args.limits)?;
    let loaded = overrides::apply(&loaded, &args.set, &[args.variant.as_deref()])?;
    let out = args.out.clone().unwrap_or_else(|| {
        let mut p =
            crate::app::run::default_out(&args.scenario, args.variant.as_deref(), &args.set);
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
    // The handler first: a signal between the claim and the handler would kill the process
    // with its lock and staging folder left behind.
    let stop = crate::app::interrupt::stop_flag();
    let staging = Staging::begin(&out, "sensitivity")?;
    let result = sensitivity::run(&loaded, &req, stop)?;
    staging.write_all(&brink::report::sensitivity::files(
        &model,
        &result,
        !args.no_charts,
        &report_options(args.report_title.as_deref()),
    )?)?;
    let dir = staging.commit()?;
    say(&wrote(
        with_set(brink::report::sensitivity::text(&result), &loaded),
        &dir,
    ));
    Ok(())
}

fn sweep_command(args: SweepArgs) -> Result<()> {
    format_needs_per_run(args.format, args.per_run)?;
    use brink::analysis::sweep;
    let loaded = load(&args.scenario, &args.limits)?;
    let runs = runs(args.sim.runs, &loaded, args.sim.max_runs)?;
    let (specs, fixed) = sweep::SweepSet::split(&args.set);
    sweep::check_specs(&specs)?;
    sweep::check_fixed(&specs, &fixed)?;
    let loaded = overrides::apply(&loaded, &fixed, &[args.variant.as_deref()])?;
    sweep::check_outcome(&loaded.scenario, args.outcome.as_deref())?;
    let out = args.out.clone().unwrap_or_else(|| {
        let paths: Vec<&str> = specs.iter().map(|s| s.path.as_str()).collect();
        crate::app::run::sweep_default_out(&args.scenario, args.variant.as_deref(), &paths, &fixed)
    });
    let req = sweep::SweepRequest {
        specs,
        variant: args.variant.clone(),
        runs,
        seed: args.sim.seed,
        threads: threads(args.sim.threads)?,
        command: command_line(),
    };
    // The paths and the grid are checked before the folder is claimed, the counts before the
    // grid's models are compiled.
    sweep::reckon_counts(&loaded.scenario, &req)?;
    let (grid, _) = sweep::grid_models(&loaded.scenario, &req.specs, req.variant.as_deref())?;
    let model = brink::model::compile(&loaded.scenario, req.variant.as_deref())?;
    let paths: Vec<String> = req.specs.iter().map(|s| s.path.clone()).collect();
    let points: Vec<&brink::model::Model> = grid.iter().map(|(_, m)| m).collect();
    let keys = brink::report::per_run::Keys::sweep(&loaded.scenario, &paths, &points)?;
    let per_run_columns = args
        .per_run
        .then(|| brink::report::per_run::columns(&loaded.scenario, &grid[0].1, &keys));
    // The sweep compiles its own grid: only the points' values are kept of this one (a model
    // may take tens of megabytes, and the models' budget counts one set).
    let designs: Vec<Vec<f64>> = grid.into_iter().map(|(xs, _)| xs).collect();
    // The handler first: a signal between the claim and the handler would kill the process
    // with its lock and staging folder left behind.
    let stop = crate::app::interrupt::stop_flag();
    let staging = Staging::begin(&out, "sweep")?;
    let mut sink = crate::app::run::Sink {
        rows: match &per_run_columns {
            Some(c) => Some(crate::app::run::create_rows_file(
                &staging,
                args.format,
                c.clone(),
            )?),
            None => None,
        },
        failed: None,
        bar: None,
    };
    let variant = keys.variant_index(req.variant.as_deref());
    let row = |point: usize,
               m: &brink::model::Model,
               r: u64,
               st: &brink::model::RunState,
               out: &mut Vec<brink::engine::Cell>| {
        let key = brink::report::per_run::RowKey {
            point: Some(point as u64),
            variant,
            seed: req.seed,
            design: &designs[point],
            model: point,
        };
        brink::report::per_run::push_cells(m, &keys, &key, r, st, out)
    };
    let result = sweep::run_into(&loaded, &req, stop, &mut sink, Some(&row));
    if let Some(e) = sink.failed.take() {
        return Err(e);
    }
    let result = result?;
    if let Some(w) = sink.rows.take() {
        w.finish()?;
    }
    let outcome = result.outcome_index(args.outcome.as_deref())?;
    staging.write_all(&brink::report::sweep::files_for(
        &model,
        &result,
        outcome,
        !args.no_charts,
        &report_options(args.report_title.as_deref()),
        per_run_columns.map(|c| (args.format.per_run(), c)),
    )?)?;
    let dir = staging.commit()?;
    say(&wrote(
        with_set(
            brink::report::sweep::text(&model, &result, outcome),
            &loaded,
        ),
        &dir,
    ));
    Ok(())
}

fn experiment_command(args: ExperimentArgs) -> Result<()> {
    format_needs_per_run(args.format, args.per_run)?;
    use brink::analysis::experiment;
    let loaded = load(&args.scenario, &args.limits)?;
    if let Some(o) = args
        .set
        .iter()
        .find(|o| args.params.iter().any(|p| p.path == o.path))
    {
        return Err(Error::Input(format!(
            "--set {o}: the design varies {} (--param); expected --set for a number the design \
             does not vary",
            o.path
        )));
    }
    let arms: Vec<Option<&str>> = std::iter::once(None)
        .chain(
            args.variant
                .iter()
                .chain(&args.variants)
                .map(|v| Some(v.as_str())),
        )
        .collect();
    set_notes(&loaded.scenario, &args.set, &arms);
    let loaded = overrides::apply(&loaded, &args.set, &arms)?;
    let runs = runs(args.sim.runs, &loaded, args.sim.max_runs)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let mut p = crate::app::run::default_out(&args.scenario, None, &args.set);
        let name = format!(
            "{}-experiment",
            p.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        );
        p.set_file_name(name);
        p
    });
    let req = experiment::ExperimentRequest {
        design: args.design,
        params: args.params.clone(),
        points: args.points,
        variants: args.variant.iter().chain(&args.variants).cloned().collect(),
        runs,
        seed: args.sim.seed,
        threads: threads(args.sim.threads)?,
        outcome: args.outcome.clone(),
        command: command_line(),
    };
    // Every input error comes before the folder is claimed.
    // A stop while the design is checked (seconds at 10,000 points) exits 130 at once: the
    // handler is installed first (a signal killed brink there, exit 143, with no message).
    let stop = crate::app::interrupt::stop_flag_writing_nothing();
    let plan = experiment::plan_until(&loaded.scenario, &req, stop)?;
    crate::app::interrupt::stopping_after_runs();
    // Valid, but not what the design suggests: said, not refused.
    let paths: Vec<String> = args.params.iter().map(|p| p.path.clone()).collect();
    for note in experiment::design_notes(&loaded.scenario, &paths, &req.variants) {
        tell!("note: {}", crate::app::terminal::safe(&note.to_string()));
    }
    if args.design == brink::analysis::design::DesignKind::Sobol && !args.points.is_power_of_two() {
        tell!(
            "note: a Sobol sequence is balanced at a power of two points; {} points cover the \
             ranges less evenly than {} or {}",
            args.points,
            args.points.next_power_of_two() / 2,
            args.points.next_power_of_two()
        );
    }
    // The handler first: a signal between the claim and the handler would kill the process
    // with its lock and staging folder left behind.
    let staging = Staging::begin(&out, "experiment")?;
    let columns = brink::report::experiment::run_columns(&plan);
    let result = if args.per_run {
        let mut rows = crate::app::run::create_rows_file(&staging, args.format, columns.clone())?;
        let mut sink = |cells: &[brink::report::table::Cell]| rows.write_rows(cells);
        let keys = brink::report::experiment::run_keys(&plan);
        let make = |point: usize,
                    variant: usize,
                    run: u64,
                    st: &brink::model::RunState,
                    out: &mut Vec<brink::report::table::Cell>| {
            brink::report::experiment::push_run_cells(&plan, &keys, point, variant, run, st, out)
        };
        let r = experiment::run(&loaded, &plan, stop, Some((&make, &mut sink)))?;
        rows.finish()?;
        r
    } else {
        experiment::run(&loaded, &plan, stop, None)?
    };
    staging.write_all(&brink::report::experiment::files(
        &plan.base,
        &result,
        args.per_run.then(|| (args.format.per_run(), columns)),
        !args.no_charts,
        &report_options(args.report_title.as_deref()),
    )?)?;
    let dir = staging.commit()?;
    say(&wrote(
        with_set(
            brink::report::experiment::text(&plan.base, &result),
            &loaded,
        ),
        &dir,
    ));
    Ok(())
}

fn compare_command(args: CompareArgs) -> Result<()> {
    format_needs_per_run(args.format, args.per_run)?;
    let loaded = load(&args.scenario, &args.limits)?;
    let runs = runs(args.sim.runs, &loaded, args.sim.max_runs)?;
    let variants: Vec<String> = if args.all {
        loaded.scenario.variant_names()
    } else {
        args.variants.clone()
    };
    // `--variants a,,b` or `,`: an empty name is no variant (it was reported as given twice).
    if variants.iter().any(|v| v.trim().is_empty()) {
        return Err(Error::Input(format!(
            "--variants {}: a variant name is empty; expected names separated by commas, e.g. \
             --variants a,b",
            args.variants.join(",")
        )));
    }
    // Each variant once (an arm given twice was compared twice), as `experiment` requires.
    if let Some(v) = brink::analysis::compare::repeated_variant(&variants) {
        return Err(Error::Input(format!(
            "--variants {v} is given twice; name each variant once"
        )));
    }
    // The overrides hold in the base and in every variant alike.
    let arms: Vec<Option<&str>> = std::iter::once(None)
        .chain(variants.iter().map(|v| Some(v.as_str())))
        .collect();
    set_notes(&loaded.scenario, &args.set, &arms);
    let loaded = overrides::apply(&loaded, &args.set, &arms)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let mut p = crate::app::run::default_out(&args.scenario, None, &args.set);
        let name = format!(
            "{}-compare",
            p.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        );
        p.set_file_name(name);
        crate::app::run::shard_out(p, args.shard)
    });
    let req = brink::analysis::compare::CompareRequest {
        variants,
        runs,
        seed: args.sim.seed,
        threads: threads(args.sim.threads)?,
        tornado: (!args.no_tornado).then(|| args.outcome.clone()),
        focus: args.outcome.clone().filter(|_| args.no_tornado),
        command: command_line(),
        shard: args.shard,
        spelled: Default::default(),
    };
    let stop = crate::app::interrupt::stop_flag();
    // The tornado's outcome and the arms' size (the tornado's included), then the variants,
    // are checked before the folder is claimed.
    brink::analysis::compare::check_arms(
        &loaded.scenario,
        &req.variants,
        &req.tornado,
        req.spelled,
    )?;
    // Without a tornado, `--outcome` names the focus of the text, the page and the charts
    // (`CompareResult::focus`): refused as the tornado's would be.
    if let (None, Some(name)) = (&req.tornado, &args.outcome) {
        brink::analysis::compare::check_focus(&loaded.scenario, name)?;
    }
    // Weighed as they are compiled, as the comparison will (a set too large is refused at the
    // first arm past the budget, not after compiling them all).
    let (arms, _) = brink::analysis::compare::arms_fitting(&loaded.scenario, &req, false)?;
    let rows = brink::report::per_run::ArmRows::comparison(&loaded.scenario, &arms, req.seed)?;
    let per_run_columns = args
        .per_run
        .then(|| rows.columns(&loaded.scenario, &arms[0].model));
    // The comparison compiles its own arms: these are not held beside them (a model may take
    // tens of megabytes, and the models' budget counts one set).
    drop(arms);
    match args.shard {
        None => crate::app::output::not_a_shard(&out, "the comparison")?,
        Some(spec) => {
            let this = brink::analysis::Manifest::new(&loaded, req.seed, None, runs, runs, vec![]);
            let tornado = req.tornado.is_some();
            let outcome = req.tornado.clone().flatten().or_else(|| req.focus.clone());
            let arms = crate::app::shards::ComparedArms {
                variants: &req.variants,
                tornado,
                tornado_outcome: crate::app::shards::CompareShardFile::focus(
                    &loaded.scenario,
                    tornado,
                    outcome,
                ),
            };
            let file = "compare-shard.json";
            crate::app::shards::only_this_shard(&out, file, "compare", &this, spec, Some(arms))?
        }
    }
    let staging = Staging::begin(&out, "compare")?;
    let mut sink = crate::app::run::Sink {
        rows: match &per_run_columns {
            Some(c) => Some(crate::app::run::create_rows_file(
                &staging,
                args.format,
                c.clone(),
            )?),
            None => None,
        },
        failed: None,
        bar: None,
    };
    let row = |arm: usize,
               m: &brink::model::Model,
               r: u64,
               st: &brink::model::RunState,
               out: &mut Vec<brink::engine::Cell>| rows.push(arm, m, r, st, out);
    let done = brink::analysis::compare::run_into(&loaded, &req, stop, &mut sink, Some(&row));
    if let Some(e) = sink.failed.take() {
        return Err(e);
    }
    let done = done?;
    if let Some(w) = sink.rows.take() {
        w.finish()?;
    }
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
                req.tornado.clone().flatten().or_else(|| req.focus.clone()),
                done.tally.clone(),
            )?;
            staging.write_all(&[crate::app::shards::compare_shard_file(&file)?])?;
        }
        None => staging.write_all(&brink::report::compare::files_for(
            &done.arms[0].model,
            &done.result,
            !args.no_charts,
            &report_options(args.report_title.as_deref()),
            per_run_columns.map(|c| (args.format.per_run(), c)),
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
            dir.shown()
        )),
        None => say(&wrote(
            with_set(
                brink::report::compare::text(&result, Some(&loaded.scenario)),
                &loaded,
            ),
            &dir,
        )),
    }
    Ok(())
}

/// `--format` chooses the per-run table's format (and, for `run`, the per-step table's): a
/// command without a per-step table and without `--per-run` has no table for it, and a silent
/// no-op would leave the analyst looking for a file that was never written.
fn format_needs_per_run(format: crate::app::run::TableFormat, per_run: bool) -> Result<()> {
    if format != crate::app::run::TableFormat::Csv && !per_run {
        return Err(Error::Input(
            "--format parquet chooses the format of the per-run table: add --per-run to \
             write it"
                .into(),
        ));
    }
    Ok(())
}

fn run_command(args: RunArgs) -> Result<()> {
    let loaded = load(&args.scenario, &args.limits)?;
    let loaded = overrides::apply(&loaded, &args.set, &[args.variant.as_deref()])?;
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
            let p =
                crate::app::run::default_out(&args.scenario, args.variant.as_deref(), &args.set);
            crate::app::run::shard_out(p, args.shard)
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
            dir.shown()
        )));
    }
    match req.shard {
        Some(s) => say(&format!(
            "shard {}/{}: {} of {} runs written to {} (combine the shards with `brink merge`)\n",
            s.index,
            s.count,
            summary.manifest.runs,
            req.runs,
            dir.shown()
        )),
        None => say(&with_set(
            crate::app::run::print_summary(&summary, &dir),
            &loaded,
        )),
    }
    Ok(())
}

fn load(file: &std::path::Path, limits: &LimitArgs) -> Result<LoadedScenario> {
    crate::app::output::note_input(file);
    Ok(scenario::load(file, limits.load_options())?)
}

/// A starting template's stand-ins left in a valid file: told on standard error, not refused
/// (the text is valid; a reviewing helper found a case from the template validated without a
/// word while a third of its numbers still said "REPLACE"). Each file once (`noted`), though a
/// scenario is read again with each timeline of it.
fn stand_in_note<T: serde::Serialize>(
    noted: &mut Vec<PathBuf>,
    path: &std::path::Path,
    x: &T,
    then: &str,
) {
    let found = brink::report::describe::stand_ins(x);
    if found.is_empty() || noted.iter().any(|p| p == path) {
        return;
    }
    noted.push(path.to_path_buf());
    let what: Vec<String> = found
        .iter()
        .map(|(m, n)| {
            format!(
                "{n} {} {m:?}",
                if *n == 1 { "text says" } else { "texts say" }
            )
        })
        .collect();
    tell!("note: {}: {}; {then}", path.shown(), what.join(" and "));
}

fn validate(files: &[PathBuf], limits: &LimitArgs) -> Result<()> {
    let mut all = vec![];
    let mut noted = vec![];
    const SCENARIO: &str = "a starting template's stand-ins (in sources, labels or the \
                            description): `brink describe` lists each number with its source";
    const TIMELINE: &str = "a starting timeline's examples: replace each with what was observed \
                            and its source";
    for f in files {
        // A timeline is checked against the scenario it names. A file that cannot be read is
        // refused here, as a scenario or timeline file: which it was meant to be is unknown.
        let timeline = match crate::app::history::is_timeline(f, limits.load_options()) {
            Ok(t) => t,
            Err(Error::Scenario(d)) => {
                all.extend(d.0);
                continue;
            }
            Err(e) => return Err(e),
        };
        if timeline {
            match crate::app::history::cases_from_files(
                std::slice::from_ref(f),
                limits.load_options(),
            ) {
                Ok(cases) => {
                    let c = &cases[0];
                    say(&format!(
                        "ok  {}: timeline {:?} of {}, {}\n",
                        f.shown(),
                        c.timeline.timeline.name,
                        c.loaded.path.shown(),
                        counted(c.timeline.timeline.facts.len(), "fact", "facts")
                    ));
                    stand_in_note(&mut noted, f, &c.timeline.timeline, TIMELINE);
                    stand_in_note(&mut noted, &c.loaded.path, &c.loaded.scenario, SCENARIO);
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
                    "ok  {}: \"{}\", {}, {}, {}, {}, {}, {}, {}, horizon {}\n",
                    f.shown(),
                    // Quoted as written, a quote inside escaped (so that the line reads
                    // back), combining marks and any script as they are.
                    super::terminal::safe_text(&s.name).replace('"', "\\\""),
                    counted(s.actors.len(), "actor", "actors"),
                    counted(s.relations.len(), "relation", "relations"),
                    counted(s.levers.len(), "lever", "levers"),
                    counted(s.events.len(), "event", "events"),
                    counted(s.outcomes.len(), "outcome", "outcomes"),
                    counted(s.variants.len(), "variant", "variants"),
                    counted(
                        brink::report::describe::ledger(s).len(),
                        "uncertain number",
                        "uncertain numbers"
                    ),
                    brink::scenario::n_steps(s.horizon, &s.step_unit)
                ));
                stand_in_note(&mut noted, f, s, SCENARIO);
            }
            Err(d) => all.extend(d.0),
        }
    }
    // A scenario given beside a timeline of it is read twice: its problems are told once
    // (they were printed twice, and counted as "2 problems found").
    let mut seen: Vec<(PathBuf, usize, usize, String)> = vec![];
    all.retain(|d| {
        let key = (d.file.clone(), d.line, d.col, d.message.clone());
        let new = !seen.contains(&key);
        if new {
            seen.push(key);
        }
        new
    });
    if all.is_empty() {
        Ok(())
    } else {
        Err(Error::Scenario(scenario::Diagnostics(all)))
    }
}

/// `--report-title TEXT`: text without control characters (tab and newline allowed; a
/// carriage return too is refused here, which the terminal would act on).
fn parse_title(s: &str) -> std::result::Result<String, String> {
    // A bidirectional override or isolate, left open, reorders the page after it. Placed by
    // the characters before it (the unbalanced one, not the first of its kind): clap's quote
    // of the value leaves the control characters out, and would show "abcd" for "ab\x07cd".
    let control = s
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n'));
    if let Some((at, c)) = control.or_else(|| brink::text::unbalanced_bidi_at(s)) {
        return Err(format!(
            "the title holds the control character U+{:04X} after its first {}; expected text \
             without control characters (tab and newline are allowed; bidirectional overrides \
             and isolates only closed within the title)",
            u32::from(c),
            brink::text::counted(at, "character", "characters")
        ));
    }
    // Zero-width spaces, joiners, a byte order mark alone: a blank heading on the page (a
    // title of spaces is dropped; this one would not be).
    if !s.trim().is_empty() && s.chars().all(brink::text::invisible) {
        let first = s.chars().find(|c| !c.is_whitespace()).unwrap_or(' ');
        return Err(format!(
            "the title shows nothing: it holds only invisible characters (U+{:04X}...); \
             expected visible text, or no --report-title",
            u32::from(first)
        ));
    }
    Ok(s.to_string())
}

/// Prints text for the analyst: scenario text may hold control characters (see
/// [`crate::app::terminal`]).
fn say(text: &str) {
    crate::app::terminal::print(&crate::app::terminal::safe_text(text));
}

/// Prints JSON to standard output, its unsafe characters in JSON's escapes (the terminal's
/// escapes, as [`say`] writes them, are not JSON).
fn say_json(json: &str) {
    crate::app::terminal::print(&brink::text::json_safe(json));
}

/// Puts the numbers `--set` replaced (in words) under the first line of a command's text, its
/// header; the text as it is when nothing was set.
pub(crate) fn with_set(text: String, loaded: &LoadedScenario) -> String {
    let set: Vec<overrides::Setting> = loaded.overrides.iter().map(Into::into).collect();
    match brink::report::html::set_sentence(&loaded.scenario, &set) {
        None => text,
        Some(x) => under_header(text, &x),
    }
}

/// `line` under the first line of a command's text, its header; the text as it is when `line`
/// is empty.
pub(crate) fn under_header(text: String, line: &str) -> String {
    if line.is_empty() {
        return text;
    }
    match text.split_once('\n') {
        Some((head, rest)) => format!("{head}\n{line}\n{rest}"),
        None => format!("{text}\n{line}\n"),
    }
}

/// A command's readable summary and the folder it wrote (its path on one line: a newline in
/// it is printed escaped, as every path is).
fn wrote(text: String, dir: &std::path::Path) -> String {
    format!("{text}\nwrote {}\n", crate::app::terminal::path(dir))
}

/// What a command's report.html shows beyond its results: `--report-title` and today's date.
fn report_options(title: Option<&str>) -> brink::report::run::ReportOptions {
    brink::report::run::ReportOptions {
        title: title.map(str::to_string),
        date: Some(crate::app::run::analysis_date()),
    }
}

/// The first of `options` given on the command line (as `--name VALUE` or `--name=VALUE`),
/// before any `--` that ends the options.
fn given_option<'a>(options: &[&'a str]) -> Option<&'a str> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let args = args
        .iter()
        .take_while(|a| a.as_os_str() != "--")
        .filter_map(|a| a.to_str());
    for a in args {
        let name = a.split_once('=').map_or(a, |(n, _)| n);
        if let Some(o) = options.iter().find(|o| **o == name) {
            return Some(o);
        }
    }
    None
}

/// The command line as typed, for manifests; an argument that is not UTF-8 (a file name) is
/// kept with its bad bytes replaced rather than ending the program.
fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}
