//! The build's identity, for results' manifests (`brink::BUILD`): the commit brink is built
//! from, with `+modified` when the sources that go into it differ from that commit. The
//! version is shared by every build between releases, so a rerun could not say which build
//! wrote a result, and a merge could mix shards of two builds that play a seed differently.
//! `BRINK_BUILD` set in the environment names the build instead (a package built outside a
//! git checkout); with neither, results record none.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What goes into the binary: a change to any of these may change what it computes or writes
/// (the font and the example scenarios are compiled in with `include_bytes!`/`include_str!`).
const SOURCES: [&str; 6] = [
    "src",
    "build.rs",
    "Cargo.toml",
    "Cargo.lock",
    "assets",
    "scenarios/examples",
];

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    for p in SOURCES {
        println!("cargo:rerun-if-changed={p}");
    }
    println!("cargo:rerun-if-env-changed=BRINK_BUILD");
    if let Ok(given) = std::env::var("BRINK_BUILD") {
        // A newline would end the instruction and start another of the rest.
        assert!(
            !given.is_empty() && given.len() <= 200 && !given.chars().any(char::is_control),
            "BRINK_BUILD must name the build in 1 to 200 characters without control characters \
             (it is written into every result's manifest); got {given:?}"
        );
        println!("cargo:rustc-env=BRINK_BUILD={given}");
        return;
    }
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    // Only brink's own checkout: a copy vendored inside another repository would otherwise
    // record that repository's commit.
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map(PathBuf::from);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !top.is_some_and(|t| same(&t, &dir)) {
        return;
    }
    let Some(commit) = git(&dir, &["rev-parse", "--short=12", "HEAD"]) else {
        return;
    };
    // A commit or a checkout moves HEAD's log, the branch's ref (loose, or in packed-refs
    // after `git gc`: then a commit writes a new loose file into refs/heads, which a watch on
    // the folder sees). Only paths that exist are named: cargo reruns the script every build
    // for a missing one.
    let reference = git(&dir, &["symbolic-ref", "-q", "HEAD"]);
    let watched = ["HEAD", "logs/HEAD", "packed-refs", "refs/heads"];
    for name in watched.into_iter().chain(reference.as_deref()) {
        if let Some(p) = git(
            &dir,
            &["rev-parse", "--path-format=absolute", "--git-path", name],
        ) && Path::new(&p).exists()
        {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    // Changed or new files among the sources (`git diff` alone misses a new module).
    let mut status = vec!["status", "--porcelain", "--"];
    status.extend(SOURCES);
    let modified = git(&dir, &status).is_some_and(|s| !s.is_empty());
    let suffix = if modified { "+modified" } else { "" };
    println!("cargo:rustc-env=BRINK_BUILD={commit}{suffix}");
}
