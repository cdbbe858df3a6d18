//! The `brink` command: parses its arguments, runs the command, and turns an error into its
//! message and exit code, once, here.

use std::process::ExitCode;

use brink::error::Error;
use clap::Parser;

mod app;

// Counts the bytes held, so that a comparison's or a sweep's compiled models are weighed
// against their memory budget (`brink::engine::heap`).
#[global_allocator]
static ALLOCATOR: brink::engine::heap::CountingAlloc = brink::engine::heap::CountingAlloc;

fn main() -> ExitCode {
    app::interrupt::ignore_file_size_signal();
    let cli = match app::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // An argument clap refuses is quoted in its message: a hostile value escaped and
        // cut (`refused_argument`), written through the same writer as every other message,
        // so that a value holding ESC cannot drive the terminal (help and version as clap
        // prints them).
        Err(e) if e.use_stderr() => {
            app::terminal::tell(&app::terminal::refused_argument(&e));
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
        Err(e) => e.exit(),
    };
    // A result printed to a full disk was not delivered: not a success (a closed pipe is).
    let result = app::cli::run(cli).and_then(|()| {
        app::terminal::stdout_result()
            .map_err(|e| Error::Failed(format!("cannot write to standard output: {e}")))
    });
    match result {
        Ok(()) => {
            // Once, whatever wrote the charts: what their PNGs could not show.
            if let Some(lost) = brink::report::charts::png_text_lost() {
                app::terminal::tell(&png_note(lost));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let text = match &e {
                Error::Scenario(d) => d.to_string(),
                Error::Interrupted(m) => format!("interrupted: {m}"),
                e => {
                    // A file that could not be written is named where the results were to go.
                    let (text, target) = app::output::in_user_terms(&e.chain().to_string());
                    match target {
                        Some((t, true)) => {
                            format!("error: {text}\nnothing was written: {t} is as it was")
                        }
                        // (A folder that was not there is not "as it was".)
                        Some((t, false)) => {
                            format!("error: {text}\nnothing was written: {t} was not made")
                        }
                        None => format!("error: {text}"),
                    }
                }
            };
            // Messages quote scenario text and paths: never raw control characters.
            app::terminal::tell(&text);
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code an error earns: 2 for what the analyst can fix in the input (a scenario, an
/// argument, a folder in the way, a damaged shard, a `trace --pick` no run meets), 130 for a stop
/// by signal (128 + SIGINT, as shells report it), 1 for a failure while working (a full disk).
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Input(_) | Error::Set(_) | Error::Scenario(_) | Error::Compile(_) => 2,
        Error::Interrupted(_) => 130,
        Error::Io { .. } | Error::Encode { .. } | Error::Table { .. } | Error::Failed(_) => 1,
    }
}

/// The note for what the PNG charts could not show as their SVGs and the report do.
fn png_note(lost: brink::report::charts::PngTextLost) -> String {
    let shown = |c: char| {
        format!(
            "'{}' (U+{:04X})",
            app::terminal::safe_text(&c.to_string()),
            u32::from(c)
        )
    };
    let mut what = Vec::new();
    if let Some(c) = lost.no_glyph {
        what.push(format!(
            "{} has no glyph in the charts' embedded font (DejaVu Sans), and the PNGs draw such \
             characters as empty boxes",
            shown(c)
        ));
    }
    if let Some(c) = lost.right_to_left {
        what.push(format!(
            "{} is of a right-to-left script, which the PNGs draw letter by letter from left to \
             right (Arabic letters unjoined)",
            shown(c)
        ));
    }
    format!(
        "note: the PNG charts cannot show all of the scenario's text: {}; the SVG charts and \
         report.html show it as written where the reader's fonts have its characters",
        what.join("; ")
    )
}
