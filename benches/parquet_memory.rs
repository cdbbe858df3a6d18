//! Peak memory of `brink run --per-run --format parquet` at 10^4, 10^5 and 10^6 runs of the
//! tutorial scenario: runs.parquet is written as the runs complete, its pages waiting for their
//! row group in a scratch file, so the peak resident memory should not grow with the runs
//! (issue 16, item 4).
//!
//! `cargo bench --bench parquet_memory` (release) spawns the brink binary: `$BRINK` when set,
//! else `$CARGO_TARGET_DIR/release/brink`, else `target/release/brink` of this repository
//! (build it first: `cargo build --release`). Arguments after `--` replace the run counts:
//! `cargo bench --bench parquet_memory -- 10000 100000`. It prints each count's peak resident
//! set (the child's `ru_maxrss` from `wait4`), time and file size, and each peak's ratio to the
//! first one's and to the one before. Only for Unix.

#[cfg(unix)]
fn main() {
    use std::path::PathBuf;
    use std::time::Instant;

    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let brink = std::env::var_os("BRINK")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| manifest.join("target"))
                .join("release")
                .join("brink")
        });
    if !brink.is_file() {
        eprintln!(
            "no brink binary at {}: build it (cargo build --release) or set BRINK",
            brink.display()
        );
        std::process::exit(2);
    }
    // `cargo bench` passes `--bench`; numbers after `--` replace the default counts.
    let mut counts: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if counts.is_empty() {
        counts = vec![10_000, 100_000, 1_000_000];
    }
    let scratch = std::env::temp_dir().join(format!("brink-parquet-memory-{}", std::process::id()));
    println!("brink: {}", brink.display());
    println!(
        "{:>10}  {:>14}  {:>9}  {:>14}",
        "runs", "peak RSS (MiB)", "time (s)", "parquet (MiB)"
    );
    let mut peaks = vec![];
    for &runs in &counts {
        let out = scratch.join(format!("runs-{runs}"));
        let start = Instant::now();
        // Reaped by wait4 below, which also gives its peak memory.
        #[allow(clippy::zombie_processes)]
        let child = std::process::Command::new(&brink)
            .current_dir(&manifest)
            .args(["run", "scenarios/examples/tutorial.ron", "--runs"])
            .arg(runs.to_string())
            .args([
                "--seed",
                "1",
                "--per-run",
                "--format",
                "parquet",
                "--no-charts",
                "--out",
            ])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", brink.display()));
        let (status, usage) = wait4(child.id() as libc::pid_t);
        let secs = start.elapsed().as_secs_f64();
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "brink run --runs {runs} failed (wait status {status})"
        );
        let size = std::fs::metadata(out.join("runs.parquet"))
            .map(|m| m.len())
            .unwrap_or(0);
        // Linux reports ru_maxrss in KiB.
        let peak_mib = usage.ru_maxrss as f64 / 1024.0;
        println!(
            "{runs:>10}  {peak_mib:>14.1}  {secs:>9.1}  {:>14.1}",
            size as f64 / (1024.0 * 1024.0)
        );
        peaks.push(peak_mib);
        let _ = std::fs::remove_dir_all(&out);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    for i in 1..peaks.len() {
        println!(
            "peak RSS ratio, {} runs / {} runs: {:.3}; / {} runs: {:.3}",
            counts[i],
            counts[0],
            peaks[i] / peaks[0],
            counts[i - 1],
            peaks[i] / peaks[i - 1]
        );
    }
}

/// Waits for a child and returns its wait status and resource usage.
#[cfg(unix)]
fn wait4(pid: libc::pid_t) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for the child we started.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to a local status and rusage.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    (status, usage)
}

#[cfg(not(unix))]
fn main() {
    eprintln!("parquet_memory measures peak memory with wait4: Unix only");
}
