//! The `brink` command: parses its arguments and hands them to the library.

use std::process::ExitCode;

use clap::Parser;

mod app;

fn main() -> ExitCode {
    let cli = app::cli::Cli::parse();
    match app::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", app::terminal::safe_text(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
