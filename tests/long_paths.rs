//! Commands run in a working folder whose absolute path is longer than the system's limit
//! (4,096 bytes on Linux), where `std::fs::canonicalize` fails with "File name too long".

mod common;

use std::process::Command;

/// `brink rerun` and `brink report` of a result in a working folder 18 levels of 251-byte
/// names deep (4,500 bytes): both refused it ("File name too long"), as they canonicalized
/// the scenario's path and the folder's; `run` wrote it. An `--out` into the result through
/// a link is refused there too. The folder is reached by bash's
/// `cd`, one name at a time (dash's `cd` and `current_dir` with the whole path fail themselves).
#[cfg(unix)]
#[test]
fn rerun_and_report_work_below_a_path_longer_than_the_systems_limit() {
    let root = common::scratch("long-cwd");
    let scenario = common::repo("scenarios/examples/tutorial.ron");
    let mut script = String::from("set -e\n");
    for i in 0..18 {
        let name = format!("{}{i:02}", "d".repeat(249));
        script.push_str(&format!("mkdir {name} && cd {name}\n"));
    }
    script.push_str(
        "test $(pwd | wc -c) -gt 4096\n\
         cp \"$SCENARIO\" t.ron\n\
         \"$BRINK\" run t.ron --runs 50 --no-charts --out r >/dev/null\n\
         \"$BRINK\" rerun r\n\
         \"$BRINK\" report r --out rep\n\
         test -f rep/report.html\n\
         \"$BRINK\" rerun r --out r/inside && exit 9 || true\n\
         ln -s r link && mkdir other && ln -s .. other/up\n\
         \"$BRINK\" rerun r --out link/inside && exit 10 || true\n\
         \"$BRINK\" rerun r --out other/up/r/x && exit 11 || true\n\
         \"$BRINK\" report r --out link/rep && exit 12 || true\n\
         test ! -e r/inside && test ! -e r/x && test ! -e r/rep\n",
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&root)
        .env("BRINK", env!("CARGO_BIN_EXE_brink"))
        .env("SCENARIO", &scenario)
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("byte-identical"), "{out}\n{err}");
    assert!(out.contains("wrote rep"), "{out}\n{err}");
    assert!(
        err.contains("lies inside the result folder being rerun"),
        "a rerun into its own input is still refused: {err}"
    );
    // Through a link, where no path resolves, the folders' identities tell (written into the
    // result before: the paths as given were compared).
    for refused in [
        "--out link/inside lies inside the result folder being rerun r",
        "--out other/up/r/x lies inside the result folder being rerun r",
        "--out link/rep lies inside the input folder r",
    ] {
        assert!(err.contains(refused), "{refused}: {err}");
    }
    assert!(!err.contains("too long"), "{err}");
    let _ = Command::new("rm").arg("-rf").arg(&root).status();
}
