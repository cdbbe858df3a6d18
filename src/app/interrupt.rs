//! Ctrl-C (SIGINT) and termination requests (SIGTERM, SIGHUP; Ctrl-Break and console close on
//! Windows).
//!
//! The first signal sets the stop flag that every command that plays runs (`run`, `compare`,
//! `sweep`, `experiment`, `sensitivity`, `trace`, `backtest`, `calibrate`) hands to the engine:
//! the engine stops after the runs in progress (see [`brink::engine::for_each_chunk_in`]),
//! nothing partial is written (or, with `brink run --keep-partial`, the whole chunks of runs
//! done are written with `complete = false`), the previous output folder stays as it was, and
//! the command exits with code 130.
//!
//! Signals that arrive together are one request: `timeout N brink ...` sends SIGTERM to the
//! process and to its process group, so brink receives it twice within microseconds, and
//! closing a terminal may send SIGHUP and SIGTERM at once. A second signal means "now" only if
//! it comes [`SECOND_SIGNAL_AFTER`] or more after the first one was reported, as a second
//! Ctrl-C pressed by someone who read the message does; then brink exits at once with code 130
//! without cleaning up; a command waiting for a child brink (`rerun`) first kills the child
//! (SIGKILL) and waits for it, so no brink goes on writing after it. The staging folder
//! `.NAME.partial-PID` it leaves beside the output folder is removed by the next brink command
//! that writes beside it (the previous output folder is intact).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// How long after the first signal was reported a second one must come to mean "exit now".
pub const SECOND_SIGNAL_AFTER: Duration = Duration::from_millis(300);

static REPORTED: Mutex<Option<Instant>> = Mutex::new(None);

/// The exit code of an interrupted command (128 + SIGINT, as shells report it).
pub const EXIT_CODE: i32 = 130;

static STOP: AtomicBool = AtomicBool::new(false);

/// A command is waiting for a child process and exits itself on a second signal ([`now`]),
/// after killing the child.
static CHILD: AtomicBool = AtomicBool::new(false);

/// A second signal asked to exit at once while [`CHILD`] was set.
static NOW: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// What the first signal's message says brink does: a command that plays runs stops after the
/// runs in progress; one that only reads and writes results (`merge`, `report`) has none.
static STOPPING: Mutex<&str> = Mutex::new(AFTER_RUNS);

/// What a first signal says a command that plays runs does.
const AFTER_RUNS: &str = "stopping after the runs in progress";

/// [`stop_flag`] for a command that plays no runs: the first signal's message says that it
/// stops and writes nothing, not that it finishes runs in progress (found by a reviewing
/// helper: interrupting `merge` spoke of runs).
pub fn stop_flag_writing_nothing() -> &'static AtomicBool {
    *STOPPING.lock().unwrap_or_else(|e| e.into_inner()) = "stopping; nothing will be written";
    stop_flag()
}

/// Says, from now on, that a first signal stops after the runs in progress: for a command
/// whose handler was installed with [`stop_flag_writing_nothing`] for a first step that plays
/// no runs (`experiment` checking its design), once its runs begin.
pub fn stopping_after_runs() {
    *STOPPING.lock().unwrap_or_else(|e| e.into_inner()) = AFTER_RUNS;
}

/// What the first signal prints.
fn first_signal_message() -> String {
    let stopping = *STOPPING.lock().unwrap_or_else(|e| e.into_inner());
    format!("\ninterrupt: {stopping} (press Ctrl-C again to quit at once)")
}

/// Installs the signal handler (once per process) and returns the stop flag it sets. If the
/// handler cannot be installed (another one is), signals keep their default effect and the flag
/// is never set.
pub fn stop_flag() -> &'static AtomicBool {
    INSTALL.call_once(|| {
        let ignored = ignored_signals();
        // The handler runs on a thread of its own, not in the signal context: printing and
        // exiting are safe there.
        let _ = ctrlc::set_handler(on_signal);
        ignore_again(&ignored);
    });
    &STOP
}

/// The signals the handler takes (SIGINT, SIGTERM, SIGHUP) that were ignored when brink
/// started: `nohup` ignores SIGHUP, a shell ignores SIGINT in a background job of a script,
/// and a run started so must not be stopped by them.
#[cfg(unix)]
fn ignored_signals() -> Vec<libc::c_int> {
    [libc::SIGINT, libc::SIGTERM, libc::SIGHUP]
        .into_iter()
        .filter(|&sig| {
            // SAFETY: a query only (no new action), into a zeroed struct of the right type.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                libc::sigaction(sig, std::ptr::null(), &mut old) == 0
                    && old.sa_sigaction == libc::SIG_IGN
            }
        })
        .collect()
}

/// Ignores again the signals that were ignored before the handler was installed.
#[cfg(unix)]
fn ignore_again(signals: &[libc::c_int]) {
    for &sig in signals {
        // SAFETY: SIG_IGN is a valid disposition for these signals.
        unsafe {
            libc::signal(sig, libc::SIG_IGN);
        }
    }
}

#[cfg(not(unix))]
fn ignored_signals() -> Vec<i32> {
    vec![]
}

#[cfg(not(unix))]
fn ignore_again(_: &[i32]) {}

/// Makes a write past a file-size limit (`ulimit -f`) an error brink handles rather than the
/// end of the process: SIGXFSZ's default action killed brink with no message (exit 153) and
/// left its lock and staging folder behind; ignored, the write fails with EFBIG ("File too
/// large"), the command cleans up and exits 1 as on a full disk. (Rust ignores SIGPIPE the same
/// way.)
#[cfg(unix)]
pub fn ignore_file_size_signal() {
    // SAFETY: SIG_IGN is a valid disposition for SIGXFSZ; called before any thread starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
pub fn ignore_file_size_signal() {}

/// Whether a stop was asked for (without installing the handler).
pub fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Says that the caller waits for a child process (`true`) or no longer does (`false`): while it
/// does, a second signal does not exit the process but sets [`now`], and the caller kills its
/// child, waits for it and exits with [`EXIT_CODE`].
pub fn waiting_for_child(yes: bool) {
    CHILD.store(yes, Ordering::SeqCst);
}

/// Whether a second signal asked to exit at once while a child was waited for.
pub fn now() -> bool {
    NOW.load(Ordering::SeqCst)
}

/// Writes a line to stderr, ignoring errors: a closed stderr (a pipe whose reader is gone)
/// must not make the handler panic.
fn say(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn on_signal() {
    let mut reported = REPORTED.lock().unwrap_or_else(|e| e.into_inner());
    if STOP.swap(true, Ordering::SeqCst) {
        match *reported {
            Some(at) if at.elapsed() >= SECOND_SIGNAL_AFTER => {
                say(
                    "\ninterrupted again: exiting now; the previous results are intact (the \
                     next brink command removes the unfinished staging folder)",
                );
                if CHILD.load(Ordering::SeqCst) {
                    NOW.store(true, Ordering::SeqCst);
                    return;
                }
                std::process::exit(EXIT_CODE);
            }
            // Sent together with the first one (`timeout`, a closing terminal): the same
            // request.
            _ => return,
        }
    }
    say(&first_signal_message());
    *reported = Some(Instant::now());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command that plays runs says it stops after those in progress; `merge` and `report`,
    /// which play none, say that they write nothing (the message spoke of runs there too).
    #[test]
    fn the_first_signal_says_what_the_command_does() {
        assert!(first_signal_message().contains("stopping after the runs in progress"));
        // Set as `stop_flag_writing_nothing` sets it, without installing the handler in the
        // test process.
        *STOPPING.lock().unwrap() = "stopping; nothing will be written";
        let said = first_signal_message();
        *STOPPING.lock().unwrap() = "stopping after the runs in progress";
        assert!(!said.contains("runs"), "{said}");
        assert!(said.contains("nothing will be written"), "{said}");
    }
}
