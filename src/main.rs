//! The `brink` command: parses its arguments and hands them to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = brink::cli::Cli::parse();
    match brink::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", brink::terminal::safe_text(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
