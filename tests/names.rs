//! Names never escape the output folder: a variant name that is a path is refused as an unknown
//! variant before anything is written, and scenario files with hostile names get a default
//! output folder that is one safe folder inside `output/`. (`job::sanitize` itself is unit-tested
//! in src/job.rs.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/richardson.ron")
}

/// A fresh, empty scratch folder to run brink in.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("names")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot create a scratch folder");
    dir
}

fn brink_in(cwd: &Path, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brink"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("cannot start brink")
}

/// Every path under `dir`, relative to it.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_path_as_variant_is_an_unknown_variant_and_nothing_is_written() {
    // A sandbox two levels deep, so that `../../x` would land in `outer/`.
    let outer = scratch("variant");
    let cwd = outer.join("a").join("b");
    std::fs::create_dir_all(&cwd).unwrap();
    let scenario = cwd.join("richardson.ron");
    std::fs::copy(example(), &scenario).unwrap();
    for variant in ["../../x", "..", "/tmp/x", "..\\..\\x", "", "CON"] {
        let o = brink_in(
            &cwd,
            &[
                "run".as_ref(),
                scenario.as_os_str(),
                "--runs".as_ref(),
                "10".as_ref(),
                "--variant".as_ref(),
                variant.as_ref(),
            ],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--variant {variant:?}: {stderr}");
        assert!(
            stderr.contains("variant"),
            "--variant {variant:?} is not refused as a variant: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(
        tree(&outer),
        vec![
            PathBuf::from("a"),
            PathBuf::from("a/b"),
            PathBuf::from("a/b/richardson.ron")
        ],
        "something was written"
    );
}

#[test]
fn hostile_scenario_file_names_get_a_safe_folder_inside_output() {
    #[cfg(unix)]
    let names: &[&str] = &[
        "CON.ron",
        "nul.ron",
        "..ron",
        "...ron",
        ".ron",
        "a b;c.ron",
        "back\\slash.ron",
        "tab\there.ron",
        "esc\u{1b}[31m.ron",
        "ру́сский.ron",
        "-rf.ron",
    ];
    #[cfg(not(unix))]
    let names: &[&str] = &["a b;c.ron", "-rf.ron", "ру́сский.ron"];
    let text = std::fs::read(example()).unwrap();
    for name in names {
        let cwd = scratch("files");
        let file = cwd.join(name);
        std::fs::write(&file, &text).unwrap();
        let o = brink_in(
            &cwd,
            &[
                "run".as_ref(),
                file.as_os_str(),
                "--runs".as_ref(),
                "10".as_ref(),
                "--no-charts".as_ref(),
            ],
        );
        assert!(
            o.status.success(),
            "{name:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        // The scenario file, `output/` and one folder in it holding the results.
        let written: Vec<PathBuf> = tree(&cwd)
            .into_iter()
            .filter(|p| p != Path::new(name))
            .collect();
        let folders: Vec<&PathBuf> = written
            .iter()
            .filter(|p| p.components().count() == 2)
            .collect();
        assert_eq!(folders.len(), 1, "{name:?} wrote {written:?}");
        let folder = folders[0];
        assert!(folder.starts_with("output"), "{name:?} wrote {written:?}");
        let leaf = folder.file_name().unwrap().to_str().unwrap();
        assert!(
            !leaf.starts_with('.')
                && leaf
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "{name:?} wrote into {leaf:?}"
        );
        assert!(
            written
                .iter()
                .all(|p| *p == Path::new("output") || p.starts_with(folder)),
            "{name:?} wrote {written:?}"
        );
        assert!(cwd.join(folder).join("summary.json").is_file());
    }
}
