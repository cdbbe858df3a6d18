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
    }
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
