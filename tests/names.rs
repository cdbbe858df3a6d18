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

/// An outcome's per-run columns (`out.NAME`, `out.NAME.first_step`, `.last_step`,
/// `.steps_held`) can never repeat another column: every other output column whose name an
/// outcome's could equal (no dot, or one dot before a name the scenario chooses) starts with a
/// word outcomes may not take, and validation refuses those words with their place.
#[test]
fn outcome_names_cannot_repeat_a_per_run_column() {
    use brink::report::table::Role;
    use brink::scenario::validate::RESERVED_OUTCOME_NAMES;
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    let sc = common::parse(&text);
    let mut m = common::compile(&text, None);
    m.snapshot_steps = vec![3, 10];
    let keys = brink::report::per_run::Keys::of(&sc, &[&m]).unwrap();
    let columns = brink::report::per_run::columns(&sc, &m, &keys);
    let outcome_columns: Vec<String> = sc
        .outcomes
        .iter()
        .flat_map(|o| {
            ["", ".first_step", ".last_step", ".steps_held"].map(|s| format!("{}{s}", o.name))
        })
        .collect();
    let mut checked = 0;
    for c in columns.iter().filter(|c| c.role == Role::Output) {
        let name = c.name.strip_prefix("out.").unwrap_or(&c.name);
        if outcome_columns.iter().any(|o| o == name) {
            continue;
        }
        let parts: Vec<&str> = name.split('.').collect();
        let could_clash =
            parts.len() == 1 || (parts.len() == 2 && !parts[1].bytes().all(|b| b.is_ascii_digit()));
        if could_clash {
            checked += 1;
            assert!(
                RESERVED_OUTCOME_NAMES.contains(&parts[0]),
                "per-run column {:?}: an outcome named {:?} could repeat it",
                c.name,
                parts[0]
            );
        }
    }
    assert!(checked > 10, "only {checked} columns checked");

    for reserved in RESERVED_OUTCOME_NAMES {
        // The first outcome's name (the tutorial also has a rung named rupture).
        let at = text.find("outcomes: [").expect("the tutorial has outcomes");
        let (head, tail) = text.split_at(at);
        let renamed = tail.replacen("name: \"rupture\"", &format!("name: \"{reserved}\""), 1);
        assert_ne!(
            renamed, tail,
            "the tutorial's outcomes have none named rupture"
        );
        let bad = format!("{head}{renamed}");
        let dir = scratch("reserved");
        let file = dir.join("t.ron");
        std::fs::write(&file, &bad).unwrap();
        let o = brink_in(&dir, &["validate".as_ref(), file.as_os_str()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{reserved}: {stderr}");
        assert!(
            stderr.contains("taken by the per-run table") && stderr.contains("t.ron:"),
            "{reserved}: {stderr}"
        );
    }
}

#[test]
fn an_outcome_and_a_rung_that_would_name_one_per_step_column_are_refused() {
    // A rung `calm_so_far` (`p_rung_calm_so_far`, its share) and an outcome `rung_calm`
    // (`p_rung_calm_so_far`, its probability so far): timeseries.csv held the column twice,
    // Parquet refused it after every run was played, Python kept one of the two.
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    let bad = text
        .replacen("name: \"calm\"", "name: \"calm_so_far\"", 1)
        .replacen(
            "Outcome(name: \"pretext_staged\"",
            "Outcome(name: \"rung_calm\", when: RungAtLeast(\"friction\")),\n        Outcome(name: \"pretext_staged\"",
            1,
        );
    assert!(bad.contains("\"calm_so_far\"") && bad.contains("\"rung_calm\""));
    let dir = scratch("so-far");
    let file = dir.join("t.ron");
    std::fs::write(&file, &bad).unwrap();
    let o = brink_in(&dir, &["validate".as_ref(), file.as_os_str()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    let line = bad
        .lines()
        .position(|l| l.contains("\"rung_calm\""))
        .unwrap()
        + 1;
    assert!(
        stderr.contains("would both name the per-step table's column p_rung_calm_so_far")
            && stderr.contains(&format!("t.ron:{line}:")),
        "{stderr}"
    );
    // Either alone is fine.
    std::fs::write(&file, bad.replacen("\"rung_calm\"", "\"rung_calmer\"", 1)).unwrap();
    let o = brink_in(&dir, &["validate".as_ref(), file.as_os_str()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn names_whose_interval_columns_repeat_another_column_are_refused() {
    // The per-step table follows each share and mean with `_low` and `_high`: a rung
    // `friction_low` beside a rung `friction`, or a measure `gas_deal_high` beside `gas_deal`,
    // would name one column twice. Each is refused at the later name, naming the column.
    let text = std::fs::read_to_string(common::repo("scenarios/examples/tutorial.ron")).unwrap();
    let dir = scratch("interval-columns");
    let file = dir.join("t.ron");
    for (from, to, column) in [
        (
            "name: \"calm\"",
            "name: \"friction_low\"",
            "rung name \"friction\" and rung \"friction_low\" would both name the per-step table's column p_rung_friction_low",
        ),
        (
            "name: \"visa_regime\"",
            "name: \"gas_deal_high\"",
            "measure name \"gas_deal\" and measure \"gas_deal_high\" would both name the per-step table's column mean_level_gas_deal_high",
        ),
    ] {
        // The name and every reference to it (quoted, or in a variant's parameter path),
        // so that only the columns clash.
        let [old, renamed] = [from, to].map(|x| x.trim_start_matches("name: ").trim_matches('"'));
        let bad = text
            .replace(&format!("\"{old}\""), &format!("\"{renamed}\""))
            .replace(&format!("levers.{old}."), &format!("levers.{renamed}."));
        std::fs::write(&file, &bad).unwrap();
        let o = brink_in(&dir, &["validate".as_ref(), file.as_os_str()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(column), "{stderr}");
        assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    }
}
