//! Ctrl-C (SIGINT) and termination requests (SIGTERM, SIGHUP; Ctrl-Break and console close on
//! Windows).
//!
//! The first signal sets the stop flag that `brink run` and `brink compare` hand to the engine:
//! the engine finishes the batch of chunks it is computing and stops, nothing partial is written
//! (or, with `brink run --keep-partial`, the runs done are written with `complete = false`), the
//! previous output folder stays as it was, and the command exits with code 130.
//!
//! A second signal exits at once with code 130, without cleaning up: the staging folder
//! `.NAME.partial-PID` beside the output folder is then left behind (the previous output folder
//! is still intact; delete the staging folder by hand).

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit code of an interrupted command (128 + SIGINT, as shells report it).
pub const EXIT_CODE: i32 = 130;

static STOP: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// Installs the signal handler (once per process) and returns the stop flag it sets. If the
/// handler cannot be installed (another one is), signals keep their default effect and the flag
/// is never set.
pub fn stop_flag() -> &'static AtomicBool {
    INSTALL.call_once(|| {
        // The handler runs on a thread of its own, not in the signal context: printing and
        // exiting are safe there.
        let _ = ctrlc::set_handler(on_signal);
    });
    &STOP
}

fn on_signal() {
    if STOP.swap(true, Ordering::SeqCst) {
        eprintln!(
            "\ninterrupted again: exiting now; the previous results are intact, but a staging \
             folder .NAME.partial-PID may be left beside the output folder (delete it)"
        );
        std::process::exit(EXIT_CODE);
    }
    eprintln!(
        "\ninterrupt: stopping after the runs in progress (press Ctrl-C again to quit at once)"
    );
}
