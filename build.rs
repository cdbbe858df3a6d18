//! The build's identity, for results' manifests (`brink::BUILD`): the commit brink is built
//! from, with `+modified` when the sources that go into it differ from that commit. The
//! version is shared by every build between releases, so a rerun could not say which build
//! wrote a result, and a merge could mix shards of two builds that play a seed differently.
//! `BRINK_BUILD` set in the environment names the build instead (a package built outside a
//! git checkout); with neither, results record none.

use std::path::Path;
use std::process::Command;

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
    // What goes into the binary: a change to any of these may change what it computes.
    const SOURCES: [&str; 4] = ["src", "build.rs", "Cargo.toml", "Cargo.lock"];
    for p in SOURCES {
        println!("cargo:rerun-if-changed={p}");
    }
    println!("cargo:rerun-if-env-changed=BRINK_BUILD");
    if let Ok(given) = std::env::var("BRINK_BUILD") {
        println!("cargo:rustc-env=BRINK_BUILD={given}");
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&dir);
    let Some(commit) = git(dir, &["rev-parse", "--short=12", "HEAD"]) else {
        return;
    };
    // A commit moves the branch's ref (or packed-refs), HEAD a checkout: only files that exist
    // are named, since cargo reruns the script every build for a missing one.
    let reference = git(dir, &["symbolic-ref", "-q", "HEAD"]);
    for name in ["HEAD", "packed-refs"]
        .into_iter()
        .chain(reference.as_deref())
    {
        if let Some(p) = git(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", name],
        ) && Path::new(&p).exists()
        {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    // Changed or new files among the sources (`git diff` alone misses a new module).
    let mut status = vec!["status", "--porcelain", "--"];
    status.extend(SOURCES);
    let modified = git(dir, &status).is_some_and(|s| !s.is_empty());
    let suffix = if modified { "+modified" } else { "" };
    println!("cargo:rustc-env=BRINK_BUILD={commit}{suffix}");
}
