//! Names never escape the output folder: a variant name that is a path is refused as an unknown
//! variant before anything is written, and scenario files with hostile names get a default
//! output folder that is one safe folder inside `output/`. (`job::sanitize` itself is unit-tested
//! in src/job.rs.)

mod common;

use std::path::{Path, PathBuf};

use common::{brink_in, paths, scratch};

fn example() -> PathBuf {
    common::repo("scenarios/examples/richardson.ron")
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
        paths(&outer),
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
        let written: Vec<PathBuf> = paths(&cwd)
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
