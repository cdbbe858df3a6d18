//! brink never destroys what it did not write: every command that writes a folder refuses a
//! folder holding anything but brink's own files, an existing file and a place it cannot write,
//! before it computes anything; it replaces a folder it wrote; it cleans up after a process
//! killed with SIGKILL; two SIGTERMs sent together stop it cleanly.
#![cfg(unix)]

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{brink, describe, hidden, ok, scratch, tree};

const FLAGSHIP: &str = "scenarios/russia_azerbaijan_2025.ron";
const RICHARDSON: &str = "scenarios/examples/richardson.ron";
/// A run long enough (minutes) to be stopped, killed or met while it works.
const LONG: &[&str] = &[
    "run",
    FLAGSHIP,
    "--runs",
    "50000000",
    "--no-charts",
    "--per-run",
];

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The argument lists of every command that writes a folder, writing to `out`, with a job
/// large enough that computing it before the refusal would be seen (minutes).
fn every_writing_command(out: &str, shards: &[String]) -> Vec<(&'static str, Vec<String>)> {
    let v = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut merge = vec!["merge".to_string()];
    merge.extend(shards.iter().cloned());
    merge.extend(["--out".to_string(), out.to_string()]);
    vec![
        (
            "run",
            v(&["run", FLAGSHIP, "--runs", "50000000", "--out", out]),
        ),
        (
            "compare",
            v(&[
                "compare", FLAGSHIP, "--all", "--runs", "10000000", "--out", out,
            ]),
        ),
        (
            "sweep",
            v(&[
                "sweep",
                FLAGSHIP,
                "--set",
                "relations.russia->azerbaijan.fatigue=0.1..0.3:50",
                "--runs",
                "1000000",
                "--out",
                out,
            ]),
        ),
        (
            "sensitivity",
            v(&["sensitivity", FLAGSHIP, "--runs", "200000", "--out", out]),
        ),
        (
            "trace",
            v(&[
                "trace", FLAGSHIP, "--pick", "rupture", "--count", "100", "--out", out,
            ]),
        ),
        ("merge", merge),
    ]
}

/// Two small shards of the Richardson scenario, for `merge`.
fn two_shards(root: &Path) -> Vec<String> {
    (1..=2)
        .map(|i| {
            let d = root.join(format!("shard{i}"));
            ok(&[
                "run",
                RICHARDSON,
                "--runs",
                "300",
                "--no-charts",
                "--shard",
                &format!("{i}/2"),
                "--out",
                s(&d),
            ]);
            s(&d).to_string()
        })
        .collect()
}

#[test]
fn every_writing_command_refuses_a_folder_holding_a_users_file() {
    let root = scratch("refuse");
    let shards = two_shards(&root);
    let notes = root.join("notes");
    std::fs::create_dir_all(notes.join("drafts")).unwrap();
    std::fs::write(notes.join("thesis.txt"), b"three years of work\n").unwrap();
    std::fs::write(notes.join("drafts/ch1.md"), b"# One\n").unwrap();
    let before = tree(&root);
    for (name, args) in every_writing_command(s(&notes), &shards) {
        let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
        let o = brink(&args);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("refusing") && err.contains("notes") && err.contains("drafts"),
            "{name} does not say what is in the way: {err}"
        );
        assert_eq!(tree(&root), before, "{name} changed something");
    }
}

#[test]
fn every_writing_command_refuses_an_existing_file_and_an_unwritable_parent() {
    let root = scratch("file");
    let shards = two_shards(&root);
    let draft = root.join("draft.txt");
    std::fs::write(&draft, b"my draft\n").unwrap();
    // As root, permissions do not stop a write; a parent that is a file does, for anyone.
    let under_file = draft.join("results");
    let before = tree(&root);
    for target in [&draft, &under_file] {
        for (name, args) in every_writing_command(s(target), &shards) {
            let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
            let o = brink(&args);
            assert_eq!(o.status.code(), Some(2), "{name}: {}", describe(&o));
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("draft.txt"),
                "{name}: {}",
                describe(&o)
            );
            assert_eq!(tree(&root), before, "{name} changed something");
        }
    }
}

#[test]
fn an_out_through_a_file_or_a_link_to_nothing_is_refused_naming_it() {
    let root = scratch("through");
    std::fs::write(root.join("draft.txt"), b"my draft\n").unwrap();
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("gone")).unwrap();
    std::os::unix::fs::symlink(root.join("draft.txt"), root.join("to-draft")).unwrap();
    let fifo = std::ffi::CString::new(s(&root.join("pipe"))).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let before = common::paths(&root);
    for (out, blocker, what) in [
        ("draft.txt/result", "draft.txt", "is a file, not a folder"),
        (
            "draft.txt/a/b/result",
            "draft.txt",
            "is a file, not a folder",
        ),
        ("gone/result", "gone", "is a link to nothing"),
        ("gone/a/result", "gone", "is a link to nothing"),
        (
            "to-draft/result",
            "to-draft",
            "is a link to a file, not a folder",
        ),
        (
            "pipe/result",
            "pipe",
            "is a FIFO (named pipe), not a folder",
        ),
        // `new` exists only once made: made, then removed again.
        ("new/../draft.txt/result", "new/../draft.txt", "is a file"),
    ] {
        let t = Instant::now();
        // Minutes of work if it were computed before the refusal.
        let o = brink(&[
            "run",
            FLAGSHIP,
            "--runs",
            "50000000",
            "--out",
            s(&root.join(out)),
        ]);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        let named = format!("{} {what}", s(&root.join(blocker)));
        assert!(
            err.contains(&named) && !err.contains("os error"),
            "--out {out}: expected `{named}`: {err}"
        );
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "--out {out} computed"
        );
        assert_eq!(common::paths(&root), before, "--out {out} left something");
        assert_eq!(
            std::fs::read(root.join("draft.txt")).unwrap(),
            b"my draft\n"
        );
    }
}

#[test]
fn a_refused_request_removes_only_the_folders_its_claim_made() {
    let root = scratch("made");
    std::fs::create_dir(root.join("mine")).unwrap();
    // `made/..` is `root`: `mine` is the user's empty folder, not one the claim made, even
    // though the path names it through a folder that did not exist.
    for out in ["made/../mine/result", "a/b/result"] {
        // Refused after the claim (the outcome is checked by the trace itself).
        let o = brink(&[
            "trace",
            RICHARDSON,
            "--pick",
            "no_such_outcome",
            "--out",
            s(&root.join(out)),
        ]);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", describe(&o));
        assert_eq!(
            common::paths(&root),
            vec![PathBuf::from("mine")],
            "--out {out}"
        );
    }
}

#[test]
fn a_written_result_leaves_no_folder_made_only_on_the_way() {
    // `a/../b/../result` is `result`: the claim makes `a` and `a/../b` to get there. They
    // were left, empty, beside the result; folders on the path to it stay.
    let root = scratch("waypoints");
    std::fs::create_dir(root.join("mine")).unwrap();
    for out in ["a/../b/../result", "c/d/../e/result", "mine/../f/result"] {
        ok(&[
            "run",
            RICHARDSON,
            "--runs",
            "20",
            "--no-charts",
            "--out",
            s(&root.join(out)),
        ]);
    }
    let top: Vec<_> = common::paths(&root)
        .into_iter()
        .filter(|p| p.components().count() == 1)
        .collect();
    let want: Vec<PathBuf> = ["c", "f", "mine", "result"]
        .iter()
        .map(PathBuf::from)
        .collect();
    assert_eq!(top, want);
    let c: Vec<_> = std::fs::read_dir(root.join("c"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        c,
        vec![std::ffi::OsString::from("e")],
        "c/d was made on the way"
    );
    assert!(root.join("f/result/summary.json").is_file());
    assert!(root.join("mine").is_dir(), "the user's folder stays");
}

/// The path `wrote` prints, and `rerun` reads back, names the result: through a folder made
/// only on the way (`tmp/../r`, `tmp` removed at the end) it is the real path, where it printed
/// `tmp/../r` (no such folder once `tmp` is gone, so `rerun --out tmp/../rr` refused its own
/// result as "not a result folder brink wrote"). And a working folder whose real path is
/// longer than the system's limit (4,096 bytes) still takes `--out tmp/../r`: resolving its
/// parent failed with "File name too long".
#[cfg(unix)]
#[test]
fn an_out_through_a_folder_made_on_the_way_is_reached_by_the_path_printed() {
    let root = scratch("reachable");
    let sc = common::repo(RICHARDSON);
    let run = |cwd: &Path, out: &str| {
        let o = common::brink_in(
            cwd,
            &["run", s(&sc), "--runs", "300", "--no-charts", "--out", out],
        );
        assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let line = text
            .lines()
            .find(|l| l.starts_with("wrote "))
            .unwrap()
            .to_string();
        PathBuf::from(line.trim_start_matches("wrote ").trim())
    };
    let wrote = run(&root, "tmp/../r");
    assert!(
        root.join(&wrote).join("summary.json").is_file(),
        "{wrote:?}"
    );
    assert!(!root.join("tmp").exists());
    let o = common::brink_in(&root, &["rerun", "r", "--out", "tmp/../rr"]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert!(root.join("rr/summary.json").is_file());
    assert!(!root.join("tmp").exists());

    // 25 folders of 200 characters: 5,000 bytes below the scratch folder, entered one at a
    // time (a path that long cannot be given to chdir whole).
    let name = "d".repeat(200);
    let mut deep = std::process::Command::new("sh");
    let script = format!(
        "for i in $(seq 25); do mkdir {name} && cd -P {name} || exit 9; done; \
         exec \"$0\" run \"$1\" --runs 300 --no-charts --out tmp/../r2"
    );
    deep.current_dir(&root)
        .args(["-c", &script, env!("CARGO_BIN_EXE_brink"), s(&sc)]);
    let o = deep.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("wrote "));
    let _ = std::fs::remove_dir_all(root.join(&name));
}

#[test]
fn an_out_named_like_brinks_working_names_is_refused() {
    // Such a folder, once written, was removed ("the unfinished output of a brink command
    // that was stopped") or renamed by the next command writing beside it.
    let root = scratch("working-names");
    for name in [
        ".res.partial-77",
        ".res.old-77",
        ".res.brink-lock",
        ".x.partial-1-2",
        // The staging folder inside a folder filled in place.
        ".brink-partial-7",
    ] {
        let o = try_small_run(&root.join(name));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("brink's own working names"), "{name}: {err}");
        assert!(common::paths(&root).is_empty(), "{name}");
    }
    // Names near them are brink's to write as any other.
    for name in [".res.partial", "res.partial-77", ".res.partial-7a"] {
        small_run(&root.join(name));
    }
    small_run(&root.join("other"));
    assert_eq!(
        common::names(&root),
        [".res.partial", ".res.partial-7a", "other", "res.partial-77"]
    );

    // A whole result at such a name all the same (written by an older brink, or renamed),
    // beside a user's notes: a command writing to the folder around it refuses it and
    // leaves both as they were (the result was removed first, then the folder refused).
    let e = root.join("e");
    std::fs::create_dir(&e).unwrap();
    std::fs::write(e.join("notes.txt"), b"my notes").unwrap();
    let whole = root.join("other");
    std::fs::rename(&whole, e.join(".brink-partial-7")).unwrap();
    let before = tree(&e);
    let o = try_small_run(&e);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds a whole result"), "{err}");
    assert!(err.contains("left alone"), "{err}");
    assert_eq!(tree(&e), before, "{err}");

    // A folder holding only another command's working files (writing a folder inside it) is
    // refused as such, not as files brink did not write.
    let busy = root.join("busy");
    std::fs::create_dir_all(busy.join(".b.partial-123")).unwrap();
    std::fs::write(busy.join(".b.brink-lock"), b"123").unwrap();
    let before = tree(&busy);
    let o = try_small_run(&busy);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("only the working files of a brink command writing inside it"),
        "{err}"
    );
    assert!(!err.contains("brink did not write it"), "{err}");
    assert_eq!(tree(&busy), before, "{err}");
}

#[test]
fn every_writing_command_replaces_a_folder_it_wrote_and_fills_an_empty_one() {
    let root = scratch("replace");
    let shards = two_shards(&root);
    let cheap = |cmd: &str, out: &str| -> Vec<String> {
        let v = |a: &[&str]| a.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        match cmd {
            "run" => v(&[
                "run",
                RICHARDSON,
                "--runs",
                "200",
                "--no-charts",
                "--out",
                out,
            ]),
            "compare" => v(&[
                "compare",
                FLAGSHIP,
                "--variants",
                "visa_regime",
                "--runs",
                "200",
                "--no-charts",
                "--no-tornado",
                "--out",
                out,
            ]),
            "sweep" => v(&[
                "sweep",
                RICHARDSON,
                "--set",
                "relations.a->b.fatigue=0.2..0.4:2",
                "--runs",
                "200",
                "--no-charts",
                "--out",
                out,
            ]),
            "sensitivity" => v(&[
                "sensitivity",
                FLAGSHIP,
                "--runs",
                "1900",
                "--no-charts",
                "--out",
                out,
            ]),
            "trace" => v(&["trace", RICHARDSON, "--run", "3", "--out", out]),
            "merge" => {
                let mut a = vec!["merge".to_string()];
                a.extend(shards.iter().cloned());
                a.extend(v(&["--no-charts", "--out", out]));
                a
            }
            _ => unreachable!(),
        }
    };
    for cmd in ["run", "compare", "sweep", "sensitivity", "trace", "merge"] {
        let out = root.join(cmd);
        std::fs::create_dir(&out).unwrap(); // empty: free
        let args = cheap(cmd, s(&out));
        let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
        ok(&args);
        let marker: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(".brink-output.json")).unwrap())
                .unwrap();
        assert_eq!(marker["command"], cmd, "{marker}");
        assert_eq!(marker["version"], env!("CARGO_PKG_VERSION"));
        let first = tree(&out);
        // Its own folder: replaced without a question.
        ok(&args);
        assert_eq!(
            tree(&out).keys().collect::<Vec<_>>(),
            first.keys().collect::<Vec<_>>()
        );
        // A file of the user's added to it: refused, and the file kept.
        std::fs::write(out.join("my-notes.txt"), b"keep me").unwrap();
        let o = brink(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", describe(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains("my-notes.txt"));
        assert_eq!(std::fs::read(out.join("my-notes.txt")).unwrap(), b"keep me");
        std::fs::remove_file(out.join("my-notes.txt")).unwrap();
        // One of its files changed since: refused too (the change may be the analyst's).
        let (name, _) = first
            .iter()
            .find(|(n, _)| !n.to_str().unwrap().starts_with('.'))
            .unwrap();
        let mut changed = first[name].clone();
        changed.extend_from_slice(b"\n");
        std::fs::write(out.join(name), &changed).unwrap();
        let o = brink(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", describe(&o));
        assert_eq!(std::fs::read(out.join(name)).unwrap(), changed);
    }
    // Nothing but the results is left beside them: no lock, no staging folder.
    let stray: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

/// A marker that lists a file twice was changed since brink wrote it, and is told so: it was
/// told as "not a file name brink writes" of a name brink does write (an attacking helper).
#[test]
fn a_marker_listing_a_file_twice_is_told_so() {
    let root = scratch("marker-twice");
    let out = root.join("res");
    small_run(&out);
    let path = out.join(".brink-output.json");
    let mut marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let files = marker["files"].as_array_mut().unwrap();
    let first = files[0].clone();
    let name = first["name"].as_str().unwrap().to_string();
    files.push(first);
    std::fs::write(&path, serde_json::to_vec(&marker).unwrap()).unwrap();
    let before = tree(&out);
    let o = try_small_run(&out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(err.contains(&format!("lists \"{name}\" twice")), "{err}");
    assert!(!err.contains("not a file name brink writes"), "{err}");
    assert_eq!(tree(&out), before);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn merge_refuses_an_out_that_is_one_of_its_inputs() {
    let root = scratch("merge-into-input");
    let shards = two_shards(&root);
    let before = tree(&root);
    let inside = format!("{}/merged", shards[0]);
    let dotted = format!("{}/../shard2", shards[0]);
    for out in [
        &shards[0],
        &shards[1],
        &inside,
        &dotted,
        &s(&root).to_string(),
    ] {
        let o = brink(&["merge", &shards[0], &shards[1], "--out", out]);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", describe(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("shard folder"),
            "{}",
            describe(&o)
        );
        assert_eq!(tree(&root), before, "--out {out} changed something");
    }
}

/// A small run of the Richardson scenario into `out`, which must succeed.
fn small_run(out: &Path) -> Output {
    let o = try_small_run(out);
    assert!(o.status.success(), "{}", describe(&o));
    o
}

/// A small run into `out`, whatever it ends in.
fn try_small_run(out: &Path) -> Output {
    brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(out),
    ])
}

/// Waits until a staging folder of `out` appears beside it.
fn wait_for_staging(parent: &Path, name: &str, child: &mut std::process::Child) -> PathBuf {
    let t = Instant::now();
    loop {
        if let Some(p) = std::fs::read_dir(parent).unwrap().find_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.starts_with(&format!(".{name}.partial-"))
                .then(|| parent.join(n))
        }) {
            return p;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("brink ended ({status}) before it started writing");
        }
        assert!(t.elapsed() < Duration::from_secs(60), "no staging folder");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A long run, as `LONG`, its outputs piped.
fn long_run(out: &Path) -> std::process::Child {
    common::spawn(LONG, out)
}

#[test]
fn the_next_command_removes_what_a_killed_run_left() {
    let root = scratch("sigkill");
    let out = root.join("big");
    let mut child = long_run(&out);
    let staging = wait_for_staging(&root, "big", &mut child);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();
    assert!(
        staging.exists(),
        "SIGKILL cannot clean up; the test needs a leftover"
    );
    assert!(!out.exists());
    // A command writing beside it, to another folder, cleans up.
    let o = small_run(&root.join("small"));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("removed"),
        "{}",
        describe(&o)
    );
    assert_eq!(hidden(&root), Vec::<String>::new(), "leftovers");

    // A commit cut between its two renames (the old folder moved aside, the new one not yet
    // in place): the next command puts the previous results back.
    small_run(&out);
    let before = tree(&out);
    let aside = root.join(".big.old-4000000");
    std::fs::rename(&out, &aside).unwrap();
    let o = small_run(&root.join("small"));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("restored"),
        "{}",
        describe(&o)
    );
    assert_eq!(tree(&out), before);
    assert_eq!(hidden(&root), Vec::<String>::new(), "leftovers");
}

/// An empty folder named like replaced results (`.res.old-4000001`, left by a removal cut
/// after its last file, or the user's own `.notes.old-2024-05-01`) is left alone with a note
/// that says what it is: nothing shows brink made it (a reviewer found an earlier fix removing
/// a user's folder; before it, the note called it a folder not matching its marker).
#[test]
fn an_empty_folder_named_like_replaced_results_is_left_alone() {
    let root = scratch("empty-old");
    let out = root.join("res");
    small_run(&out);
    let aside = root.join(".res.old-4000001");
    std::fs::create_dir(&aside).unwrap();
    let o = small_run(&root.join("other"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is an empty folder named like") && err.contains("left alone"),
        "{}",
        describe(&o)
    );
    assert!(aside.exists());
}

/// A result of brink's made read-only is kept: the user protected it, and replacing it left
/// the old results in a hidden folder brink could not remove, without a word (found by a
/// reviewer). Made writable again, it is replaced as before.
#[cfg(unix)]
#[test]
fn a_result_made_read_only_is_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let root = scratch("read-only");
    let out = root.join("res");
    small_run(&out);
    let before = tree(&out);
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    let o = common::brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "200",
        "--no-charts",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("read-only"),
        "{}",
        describe(&o)
    );
    assert_eq!(tree(&out), before);
    assert_eq!(hidden(&root), Vec::<String>::new(), "leftovers");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    small_run(&out);
}

/// brink with `args` and `--out out`, a path that may not be UTF-8.
fn brink_out(args: &[&str], out: &Path) -> Output {
    let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    a.extend([OsStr::new("--out"), out.as_os_str()]);
    brink(&a)
}

#[test]
fn an_out_named_near_the_file_name_limit_or_not_utf8_is_written_and_cleaned_up() {
    use std::os::unix::ffi::OsStrExt;
    let root = scratch("long-names");
    let small = ["run", RICHARDSON, "--runs", "100", "--no-charts"];
    let (r250, s255) = ("r".repeat(250), "s".repeat(255));
    for name in [
        OsStr::new(&r250),
        OsStr::new(&s255),
        OsStr::from_bytes(b"caf\xe9"),
    ] {
        let out = root.join(name);
        let n = format!("a name of {} bytes", name.len());
        // Killed as it computes: its lock and staging folder, named after a shortened name,
        // are found and removed by the next command beside it.
        let mut child = long_run(&out);
        let staging = loop {
            let found = std::fs::read_dir(&root).unwrap().find_map(|e| {
                let e = e.unwrap().file_name().into_string().unwrap();
                e.contains(".partial-").then_some(e)
            });
            if let Some(f) = found {
                break f;
            }
            assert!(child.try_wait().unwrap().is_none(), "{n}: brink ended");
            std::thread::sleep(Duration::from_millis(2));
        };
        child.kill().unwrap();
        child.wait().unwrap();
        let stem = &staging[1..staging.rfind(".partial-").unwrap()];
        assert!(staging.len() <= 255 && stem.contains('~'), "{n}: {staging}");
        assert!(root.join(format!(".{stem}.brink-lock")).exists(), "{n}");
        let o = small_run(&root.join("small"));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("removed"),
            "{n}"
        );
        assert_eq!(hidden(&root), Vec::<String>::new(), "{n}: leftovers");
        // Written, then replaced (through `.STEM.old-PID`): nothing left beside it.
        for _ in 0..2 {
            let o = brink_out(&small, &out);
            assert!(o.status.success(), "{n}: {}", describe(&o));
            assert_eq!(hidden(&root), Vec::<String>::new(), "{n}: leftovers");
        }
        let before = tree(&out);
        assert!(before.contains_key(Path::new(".brink-output.json")), "{n}");
        // A commit cut between its two renames. Only a claim of this folder knows its whole
        // name: a command beside it leaves the previous results alone, and a claim of the
        // folder (refused later) puts them back under their exact name.
        let old = root.join(format!(".{stem}.old-4000000"));
        std::fs::rename(&out, &old).unwrap();
        let o = small_run(&root.join("small"));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("left alone") && old.exists(),
            "{n}: {}",
            describe(&o)
        );
        let o = brink_out(&["trace", RICHARDSON, "--pick", "no_such_outcome"], &out);
        assert_eq!(o.status.code(), Some(2), "{n}: {}", describe(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("restored"),
            "{n}: {}",
            describe(&o)
        );
        assert_eq!(tree(&out), before, "{n}");
        assert_eq!(hidden(&root), Vec::<String>::new(), "{n}: leftovers");
    }
    // One byte more than a file name may have: refused at the claim, nothing made.
    let before = common::paths(&root);
    let t = Instant::now();
    let o = brink_out(
        &["run", FLAGSHIP, "--runs", "50000000"],
        &root.join("new").join("t".repeat(256)),
    );
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("256 bytes long"), "{}", describe(&o));
    // Nothing is in the way, so the message does not speak of moving it.
    assert!(
        err.contains("choose a shorter --out") && !err.contains("move what is there"),
        "{}",
        describe(&o)
    );
    assert!(t.elapsed() < Duration::from_secs(60), "computed");
    assert_eq!(common::paths(&root), before);
}

#[test]
fn a_live_writer_is_left_alone_and_its_folder_not_written_twice() {
    let root = scratch("live");
    let out = root.join("big");
    let mut child = long_run(&out);
    let staging = wait_for_staging(&root, "big", &mut child);
    // Beside it: reported, untouched.
    let o = small_run(&root.join("small"));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("left alone"),
        "{}",
        describe(&o)
    );
    assert!(staging.exists());
    // The same folder: refused while it is being written.
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another brink process"));
    assert!(staging.exists());
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A long run whose stderr is read line by line as it comes.
struct Live {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

fn live(args: &[&str], out: &Path) -> Live {
    use std::io::BufRead;
    let mut child = common::command()
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let all = stderr.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
            all.lock().unwrap().push_str(&(line.clone() + "\n"));
            let _ = tx.send(line);
        }
    });
    Live {
        child,
        lines,
        stderr,
    }
}

impl Live {
    fn signal(&self, sig: libc::c_int) -> bool {
        unsafe { libc::kill(self.child.id() as libc::pid_t, sig) == 0 }
    }
    /// Waits for a line of stderr that contains `what`.
    fn until(&self, what: &str) {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(l) if l.contains(what) => return,
                Ok(_) => {}
                Err(e) => panic!("no {what:?} on stderr: {e}"),
            }
        }
    }
    fn finish(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        // The reader thread ends with the pipe.
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(5) && self.lines.recv().is_ok() {}
        (status.code(), self.stderr.lock().unwrap().clone())
    }
}

#[test]
fn two_sigterms_together_are_one_clean_stop() {
    let root = scratch("sigterm");
    let out = root.join("big");
    // As `timeout` sends them (to the process and to its group), a millisecond apart: the
    // kernel may merge them into one, or deliver both.
    for i in 0..20 {
        let mut child = long_run(&out);
        wait_for_staging(&root, "big", &mut child);
        let pid = child.id() as libc::pid_t;
        unsafe {
            assert_eq!(libc::kill(pid, libc::SIGTERM), 0);
        }
        std::thread::sleep(Duration::from_millis(1));
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(130), "round {i}: {}", describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("nothing was written"),
            "round {i}: {}",
            describe(&o)
        );
        assert!(
            !err.contains("interrupted again"),
            "round {i}: {}",
            describe(&o)
        );
        assert_eq!(hidden(&root), Vec::<String>::new(), "round {i}: leftovers");
        assert!(!out.exists(), "round {i}");
    }
    // Surely delivered as two: the second one sent as soon as the first was reported, before
    // anyone could have read the report.
    for i in 0..10 {
        let mut run = live(LONG, &out);
        wait_for_staging(&root, "big", &mut run.child);
        assert!(run.signal(libc::SIGTERM));
        run.until("interrupt: stopping");
        run.signal(libc::SIGTERM);
        let (code, err) = run.finish();
        assert_eq!(code, Some(130), "round {i}: {err}");
        assert!(err.contains("nothing was written"), "round {i}: {err}");
        assert!(!err.contains("interrupted again"), "round {i}: {err}");
        assert_eq!(hidden(&root), Vec::<String>::new(), "round {i}: leftovers");
    }
}

#[test]
fn a_second_signal_well_after_the_report_exits_at_once() {
    let root = scratch("second");
    let out = root.join("kept");
    small_run(&out);
    let mut delivered = 0;
    // With --keep-partial the runs done are written after the first signal: runs.csv flushed
    // and hashed, the charts drawn (on one thread here). A second signal counts only 300 ms
    // after the first (`SECOND_SIGNAL_AFTER`), so brink must still be at work 400 ms after
    // the report: the more runs done before the first signal, the longer their runs.csv
    // takes. On a fast machine it may not be: then again, with more runs done.
    for first_after in [500, 1000, 2000, 4000] {
        let mut run = live(
            &[
                "run",
                FLAGSHIP,
                "--runs",
                "50000000",
                "--keep-partial",
                "--per-run",
                "--threads",
                "1",
            ],
            &out,
        );
        wait_for_staging(&root, "kept", &mut run.child);
        // Some runs done first: stopped before any, --keep-partial has nothing to keep.
        std::thread::sleep(Duration::from_millis(first_after));
        assert!(run.signal(libc::SIGINT));
        run.until("interrupt: stopping");
        std::thread::sleep(Duration::from_millis(400));
        let sent = run.child.try_wait().unwrap().is_none() && run.signal(libc::SIGINT);
        let (code, err) = run.finish();
        assert_eq!(code, Some(130), "{err}");
        if sent && err.contains("interrupted again") {
            delivered += 1;
            break;
        }
    }
    assert_eq!(
        delivered, 1,
        "no second signal reached brink while it was still at work"
    );
    // What it left, the next command beside it cleans; the output folder is whole.
    small_run(&root.join("other"));
    assert_eq!(hidden(&root), Vec::<String>::new(), "leftovers");
    assert!(out.join("summary.json").is_file());
}

#[test]
fn leftovers_that_are_not_brinks_are_left_alone() {
    let root = scratch("not-leftovers");
    // Folders whose names look like brink's working folders, but hold the analyst's files.
    let draft = root.join(".draft.partial-1");
    std::fs::create_dir_all(&draft).unwrap();
    std::fs::write(draft.join(".brink-output.json"), b"{}").unwrap();
    std::fs::write(draft.join("chapter1.txt"), b"draft").unwrap();
    small_run(&root.join("results"));
    let old = root.join(".results.old-2024");
    std::fs::create_dir_all(&old).unwrap();
    for e in std::fs::read_dir(root.join("results")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, old.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(old.join("notes.txt"), b"my notes").unwrap();
    // A lock file's name as a link to the analyst's thesis, and a file with another content.
    std::fs::write(root.join("thesis.txt"), b"my thesis").unwrap();
    std::os::unix::fs::symlink(root.join("thesis.txt"), root.join(".out.brink-lock")).unwrap();
    std::fs::write(root.join(".other.brink-lock"), b"not a pid").unwrap();
    let before = tree(&root);
    let o = small_run(&root.join("new"));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("left alone"),
        "{}",
        describe(&o)
    );
    let after = tree(&root);
    for (p, bytes) in &before {
        assert_eq!(after.get(p), Some(bytes), "{} changed", p.display());
    }
    // The lock link is not followed: the folder it guards is refused, the thesis kept.
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&root.join("out")),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert_eq!(
        std::fs::read(root.join("thesis.txt")).unwrap(),
        b"my thesis"
    );
    // `--out X/.` is X: refused if X is not brink's, before computing.
    let o = brink(&[
        "run",
        FLAGSHIP,
        "--runs",
        "50000000",
        "--out",
        &format!("{}/.", s(&draft)),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
}

#[test]
fn a_users_file_created_while_brink_replaces_a_folder_survives() {
    // The window is the hashing of the old runs.csv: a file created in it is found when the
    // old folder is checked again after it was moved aside, and the old folder is kept.
    let root = scratch("race");
    let out = root.join("results");
    ok(&[
        "run",
        FLAGSHIP,
        "--runs",
        "100000",
        "--per-run",
        "--no-charts",
        "--out",
        s(&out),
    ]);
    let mut run = live(&["run", FLAGSHIP, "--runs", "2000", "--no-charts"], &out);
    // Create the file as soon as the new results are ready to be committed: the staging
    // folder holds its marker then.
    let t = Instant::now();
    let staged = loop {
        if let Some(p) = std::fs::read_dir(&root).unwrap().find_map(|e| {
            let p = e.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            (n.starts_with(".results.partial-") && p.join(".brink-output.json").exists())
                .then_some(p)
        }) {
            break Some(p);
        }
        if run.child.try_wait().unwrap().is_some() || t.elapsed() > Duration::from_secs(60) {
            break None;
        }
    };
    std::fs::write(out.join("notes.txt"), b"written during the commit").unwrap_or(());
    let (code, err) = run.finish();
    let kept: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("notes.txt").exists())
        .collect();
    // Whatever the timing, the analyst's file is somewhere, byte for byte.
    assert_eq!(kept.len(), 1, "{err} {staged:?}");
    assert_eq!(
        std::fs::read(kept[0].join("notes.txt")).unwrap(),
        b"written during the commit"
    );
    assert!(code == Some(0) || code == Some(2), "{err}");
}

#[test]
fn a_path_that_is_not_utf8_is_no_panic() {
    use std::os::unix::ffi::OsStrExt;
    let root = scratch("not-utf8");
    let out = root.join(OsStr::from_bytes(b"nu\xff"));
    let mut args: Vec<&OsStr> = ["run", RICHARDSON, "--runs", "50", "--no-charts", "--out"]
        .map(OsStr::new)
        .to_vec();
    args.push(out.as_os_str());
    let o = brink(&args);
    assert!(o.status.success(), "{}", describe(&o));
    assert!(out.join("summary.json").is_file());
}

#[test]
fn a_request_refused_after_the_claim_leaves_no_folder_behind() {
    // The outcome of --precision, --outcome or --measure is checked once the folder is claimed;
    // the default `output/` made for it goes again when nothing is written.
    let cwd = scratch("no-output");
    let flagship = common::repo(FLAGSHIP);
    let f = flagship.to_str().unwrap();
    for args in [
        vec!["run", f, "--runs", "100", "--precision", "nope=0.01"],
        vec!["compare", f, "--all", "--runs", "100", "--outcome", "nope"],
        vec!["sensitivity", f, "--runs", "100", "--outcome", "nope"],
        vec![
            "sensitivity",
            f,
            "--runs",
            "100",
            "--measure",
            "cost_nobody",
        ],
    ] {
        let o = common::brink_in(&cwd, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", describe(&o));
        assert_eq!(
            common::paths(&cwd),
            Vec::<PathBuf>::new(),
            "{args:?} left a folder"
        );
    }
}

#[test]
fn an_empty_folder_is_filled_in_place_and_a_cut_filling_is_finished() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = scratch("fill-in-place");
    let out = root.join("e");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let before = std::fs::metadata(&out).unwrap();
    small_run(&out);
    let after = std::fs::metadata(&out).unwrap();
    // The user's folder itself, filled: same inode, same mode.
    assert_eq!(after.ino(), before.ino());
    assert_eq!(after.mode() & 0o7777, 0o2770);
    let whole = tree(&out);
    assert!(whole.contains_key(Path::new(".brink-output.json")));
    assert!(hidden(&root).is_empty(), "{:?}", hidden(&root));

    // A filling cut part way (kill -9, power loss): some files moved in, the rest and the
    // marker still in the staging folder inside. The next claim finishes it.
    let cut = root.join("cut");
    std::fs::create_dir(&cut).unwrap();
    let inner = cut.join(".brink-partial-999999");
    std::fs::create_dir(&inner).unwrap();
    for (i, (name, bytes)) in whole.iter().enumerate() {
        let to = if i % 2 == 0 { &cut } else { &inner };
        std::fs::write(to.join(name), bytes).unwrap();
    }
    std::fs::rename(
        cut.join(".brink-output.json"),
        inner.join(".brink-output.json"),
    )
    .unwrap();
    let o = small_run(&cut);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("finished filling"),
        "{}",
        describe(&o)
    );
    assert_eq!(
        tree(&cut).keys().collect::<Vec<_>>(),
        whole.keys().collect::<Vec<_>>()
    );

    // A staging folder inside left by a command stopped while computing: removed, and the
    // folder filled in place.
    let killed = root.join("killed");
    std::fs::create_dir(&killed).unwrap();
    let ino = std::fs::metadata(&killed).unwrap().ino();
    let inner = killed.join(".brink-partial-999999");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(inner.join(".brink-staging"), b"").unwrap();
    std::fs::write(inner.join("runs.csv"), b"run\n0\n").unwrap();
    small_run(&killed);
    assert_eq!(std::fs::metadata(&killed).unwrap().ino(), ino);
    assert_eq!(
        tree(&killed).keys().collect::<Vec<_>>(),
        whole.keys().collect::<Vec<_>>()
    );

    // Something else inside is the user's: refused, left as it was.
    let users = root.join("users");
    std::fs::create_dir_all(users.join(".brink-partial-1")).unwrap();
    std::fs::write(users.join(".brink-partial-1/notes.txt"), b"mine").unwrap();
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&users),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert_eq!(
        std::fs::read(users.join(".brink-partial-1/notes.txt")).unwrap(),
        b"mine"
    );
}

/// Runs `cmd` (the shell) and says whether it succeeded.
fn sh(cmd: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", cmd])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_full_disk_leaves_no_lock_file() {
    // On a file system with room for a name but not for a byte, the lock file was made and
    // its PID could not be written: the refusal left an empty `.x.brink-lock`.
    let root = scratch("full-disk");
    let m = root.join("m");
    std::fs::create_dir(&m).unwrap();
    // Needs the right to mount (root in a container, CI).
    if !sh(&format!("mount -t tmpfs -o size=64k none '{}'", s(&m))) {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    // Filled to the last block (dd stops at "No space left on device").
    sh(&format!("dd if=/dev/zero of='{}/filler' bs=4k", s(&m)));
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&m.join("x")),
    ]);
    let listed = common::paths(&m);
    sh(&format!("umount '{}'", s(&m)));
    // A full disk is the machine's state, not a mistake in the command: exit code 1, as when
    // the disk fills while the files are written (it was 2, an input error).
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("No space left on device"),
        "{}",
        describe(&o)
    );
    assert_eq!(listed, vec![PathBuf::from("filler")]);
}

#[test]
fn a_disk_that_fills_while_writing_names_the_file_in_the_output_folder() {
    // Room for the claim, not for the charts: the failure named the file inside the staging
    // folder (`.x.partial-PID/index_fan.png`), which was gone by the time it was read.
    let root = scratch("fills-while-writing");
    let m = root.join("m");
    std::fs::create_dir(&m).unwrap();
    // Needs the right to mount (root in a container, CI).
    if !sh(&format!("mount -t tmpfs -o size=200k none '{}'", s(&m))) {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    let o = brink(&["run", FLAGSHIP, "--runs", "2000", "--out", s(&m.join("x"))]);
    let listed = common::paths(&m);
    // The same into an empty folder that was there: it is as it was, empty.
    std::fs::create_dir(m.join("y")).unwrap();
    let again = brink(&["run", FLAGSHIP, "--runs", "2000", "--out", s(&m.join("y"))]);
    let listed_again = common::paths(&m);
    sh(&format!("umount '{}'", s(&m)));
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let x = format!("{}/", m.join("x").display());
    assert!(
        err.contains("No space left on device") && err.contains(&format!("cannot write {x}")),
        "{err}"
    );
    assert!(!err.contains(".partial-"), "{err}");
    // Found by a reviewing helper: a folder that was not there was said to be "as it was".
    assert!(
        err.contains(&format!(
            "nothing was written: {} was not made",
            m.join("x").display()
        )),
        "{err}"
    );
    assert!(listed.is_empty(), "{listed:?}");
    assert_eq!(again.status.code(), Some(1), "{}", describe(&again));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains(&format!(
            "nothing was written: {} is as it was",
            m.join("y").display()
        )),
        "{err}"
    );
    assert_eq!(listed_again, vec![PathBuf::from("y")]);
}

#[test]
fn an_empty_mount_point_is_filled_and_an_unwritable_folder_refused_before_computing() {
    let root = scratch("mount-point");
    let m = root.join("m");
    std::fs::create_dir(&m).unwrap();
    // Needs the right to mount (root in a container, CI): otherwise only the second part.
    if sh(&format!("mount -t tmpfs none '{}'", s(&m))) {
        let o = brink(&[
            "run",
            RICHARDSON,
            "--runs",
            "100",
            "--no-charts",
            "--out",
            s(&m),
        ]);
        let listed = tree(&m);
        sh(&format!("umount '{}'", s(&m)));
        assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
        assert!(
            listed.contains_key(Path::new(".brink-output.json")),
            "{listed:?}"
        );
    } else {
        eprintln!("skipped the mount point: cannot mount a tmpfs here");
    }
    // A folder that cannot be written: immutable (as root) or read-only (as anyone else).
    let ro = root.join("ro");
    std::fs::create_dir(&ro).unwrap();
    let immutable = sh(&format!("chattr +i '{}'", s(&ro)));
    if !immutable {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let t = Instant::now();
    let o = brink(&["run", FLAGSHIP, "--runs", "50000000", "--out", s(&ro)]);
    if immutable {
        sh(&format!("chattr -i '{}'", s(&ro)));
    }
    if o.status.code() == Some(0) {
        // Root without chattr writes anywhere: nothing to check.
        return;
    }
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "computed before refusing"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    // An immutable one is now told as such, by its flag, before the staging folder is tried.
    assert!(
        err.contains("cannot write in the output folder")
            || err.contains("immutable or append-only"),
        "{err}"
    );
}

#[test]
fn a_stop_while_the_old_folder_is_rechecked_keeps_it() {
    use sha2::Digest;
    let root = scratch("late-stop");
    let out = root.join("old");
    std::fs::create_dir(&out).unwrap();
    // A folder of brink's whose check at the commit reads for a while: one large file.
    let big = vec![7u8; 384 << 20];
    std::fs::write(out.join("runs.csv"), &big).unwrap();
    let sha = brink::scenario::load::hex(&sha2::Sha256::digest(&big));
    let marker = serde_json::json!({
        "tool": "brink", "version": env!("CARGO_PKG_VERSION"), "command": "run",
        "files": [{"name": "runs.csv", "bytes": big.len(), "sha256": sha}],
    });
    std::fs::write(out.join(".brink-output.json"), marker.to_string()).unwrap();
    drop(big);
    let before = tree(&out);
    let mut child = common::spawn(&["run", RICHARDSON, "--runs", "100", "--no-charts"], &out);
    let staging = wait_for_staging(&root, "old", &mut child);
    // The marker in the staging folder: the commit has flushed the results and now re-checks
    // the old folder (reading 384 MiB); the signal comes meanwhile. (The staging mark stays
    // until the last check for a stop has passed.)
    let t = Instant::now();
    while !staging.join(".brink-output.json").exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended before its commit"
        );
        assert!(t.elapsed() < Duration::from_secs(60), "no commit");
        std::thread::sleep(Duration::from_micros(200));
    }
    std::thread::sleep(Duration::from_millis(100));
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", describe(&o));
    assert!(tree(&out) == before, "the previous folder was changed");
    assert!(hidden(&root).is_empty(), "{:?}", hidden(&root));
}

#[test]
fn a_lock_name_that_is_a_hard_link_to_a_users_file_is_never_taken() {
    let root = scratch("lock-link");
    std::fs::write(root.join("year.txt"), b"2024\n").unwrap();
    std::fs::hard_link(root.join("year.txt"), root.join(".r.brink-lock")).unwrap();
    // As the lock of the target, and as a leftover beside another target.
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&root.join("r")),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("in the way"),
        "{}",
        describe(&o)
    );
    small_run(&root.join("other"));
    assert_eq!(std::fs::read(root.join("year.txt")).unwrap(), b"2024\n");
    assert!(root.join(".r.brink-lock").exists());
}

/// The names of a tree.
fn names_of(t: &std::collections::BTreeMap<PathBuf, Vec<u8>>) -> Vec<&PathBuf> {
    t.keys().collect()
}

/// A whole result of `small_run`, written once into `root/whole`.
fn whole_result(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let whole = root.join("whole");
    small_run(&whole);
    tree(&whole)
}

/// An output folder `root/name` as a command cut while filling it leaves it: the result's
/// marker and the files `staged` keeps in the staging folder inside, the files `moved` keeps
/// beside it.
fn cut_filling(
    root: &Path,
    name: &str,
    whole: &std::collections::BTreeMap<PathBuf, Vec<u8>>,
    staged: impl Fn(usize) -> bool,
    moved: impl Fn(usize) -> bool,
) -> PathBuf {
    let out = root.join(name);
    let inner = out.join(".brink-partial-999999");
    std::fs::create_dir_all(&inner).unwrap();
    let files = whole
        .iter()
        .filter(|(n, _)| *n != Path::new(".brink-output.json"));
    for (i, (n, bytes)) in files.enumerate() {
        if staged(i) {
            std::fs::write(inner.join(n), bytes).unwrap();
        } else if moved(i) {
            std::fs::write(out.join(n), bytes).unwrap();
        }
    }
    std::fs::write(
        inner.join(".brink-output.json"),
        &whole[Path::new(".brink-output.json")],
    )
    .unwrap();
    out
}

#[test]
fn a_cut_filling_with_files_missing_is_undone_never_finished() {
    let root = scratch("fill-missing");
    let whole = whole_result(&root);
    let n = whole.len() - 1;
    assert!(n >= 4, "{n} files");

    // A stop removing the staging folder, itself cut (kill -9): the marker and some files
    // staged, some moved in, the last two gone. Not finished (that would take a result with
    // files missing for whole): brink's own files are removed and the folder filled afresh.
    let out = cut_filling(
        &root,
        "missing",
        &whole,
        |i| i % 2 == 0 && i < n - 1,
        |i| i % 2 == 1 && i < n - 1,
    );
    let o = small_run(&out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("finished filling"), "{}", describe(&o));
    assert!(err.contains("removed"), "{}", describe(&o));
    assert_eq!(names_of(&tree(&out)), names_of(&whole));

    // The same beside a user's file and a moved file changed since: only the files that are
    // brink's, byte for byte, are removed; the rest is refused and left as it was.
    let out = cut_filling(&root, "users", &whole, |i| i < 1, |i| (1..3).contains(&i));
    std::fs::write(out.join("mine.txt"), b"mine").unwrap();
    // (The marker's name sorts first: this is the second file moved in.)
    let changed = whole.keys().nth(3).unwrap();
    std::fs::write(out.join(changed), b"changed").unwrap();
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let left: Vec<PathBuf> = tree(&out).keys().cloned().collect();
    assert_eq!(left, {
        let mut v = vec![changed.clone(), PathBuf::from("mine.txt")];
        v.sort();
        v
    });
    assert_eq!(std::fs::read(out.join("mine.txt")).unwrap(), b"mine");
    assert_eq!(std::fs::read(out.join(changed)).unwrap(), b"changed");

    // A staging folder holding a file its marker does not list is not provably brink's: left
    // alone, and the message says what to delete.
    let out = cut_filling(&root, "unsure", &whole, |i| i < 3, |_| false);
    let inner = out.join(".brink-partial-999999");
    std::fs::write(inner.join("notes.txt"), b"mine").unwrap();
    let before = tree(&out);
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("delete {}", s(&inner))),
        "{}",
        describe(&o)
    );
    assert_eq!(tree(&out), before);
}

#[test]
fn a_filling_cut_after_its_marker_moved_in_is_cleaned() {
    let root = scratch("fill-done");
    let whole = whole_result(&root);
    let marker = Path::new(".brink-output.json");

    // Killed before the staging folder, already empty, was removed.
    let out = cut_filling(&root, "empty", &whole, |_| false, |_| true);
    let inner = out.join(".brink-partial-999999");
    std::fs::rename(inner.join(marker), out.join(marker)).unwrap();
    let o = small_run(&out);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("removed"),
        "{}",
        describe(&o)
    );
    assert_eq!(names_of(&tree(&out)), names_of(&whole));
    assert!(!inner.exists());

    // Killed between the marker's link into the folder and the removal of its staged name.
    let out = cut_filling(&root, "linked", &whole, |_| false, |_| true);
    let inner = out.join(".brink-partial-999999");
    std::fs::hard_link(inner.join(marker), out.join(marker)).unwrap();
    small_run(&out);
    assert_eq!(names_of(&tree(&out)), names_of(&whole));
    assert!(!inner.exists());

    // A copy of the marker (another file, not another name of it) is not brink's leftover:
    // left alone.
    let out = cut_filling(&root, "copied", &whole, |_| false, |_| true);
    let inner = out.join(".brink-partial-999999");
    std::fs::copy(inner.join(marker), out.join(marker)).unwrap();
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(inner.join(marker).exists());
}

#[test]
fn a_folder_made_empty_at_a_free_target_while_computing_is_not_filled() {
    let root = scratch("late-folder");
    let out = root.join("late");
    let mut child = common::spawn(
        &["run", RICHARDSON, "--runs", "1000000", "--no-charts"],
        &out,
    );
    wait_for_staging(&root, "late", &mut child);
    std::fs::create_dir(&out).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("late.new-1"),
        "{}",
        describe(&o)
    );
    assert!(tree(&out).is_empty(), "{:?}", tree(&out).keys());
    assert!(root.join("late.new-1/.brink-output.json").exists());
    assert!(hidden(&root).is_empty(), "{:?}", hidden(&root));
}

/// The tutorial scenario: a result of some 27 files.
const TUTORIAL: &str = "scenarios/examples/tutorial.ron";

#[test]
fn a_stop_at_the_commit_whose_cleanup_is_cut_leaves_a_folder_brink_knows() {
    // Fault injection: strace stops brink (SIGINT) at its first fsync, the commit's flushing,
    // and kills it (SIGKILL) at the third file removal, part way through removing its staging
    // folder. Skipped where strace is missing or cannot trace.
    if !sh("strace -f -o /dev/null true") {
        eprintln!("strace is not available: skipped");
        return;
    }
    let root = scratch("cut-cleanup");
    let out = root.join("e");
    std::fs::create_dir(&out).unwrap();
    let status = std::process::Command::new("strace")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "-f",
            "-o",
            "/dev/null",
            "-e",
            "trace=fsync,unlink,unlinkat",
            "-e",
            "inject=fsync:signal=INT:when=1",
            "-e",
            "inject=unlink,unlinkat:signal=KILL:when=3",
            env!("CARGO_BIN_EXE_brink"),
            "run",
            TUTORIAL,
            "--runs",
            "500",
            "--out",
            s(&out),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
    let inner: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(inner.len(), 1, "{inner:?}");
    // Stopped after the marker was written, and the staging mark still there.
    assert!(inner[0].join(".brink-output.json").exists(), "{inner:?}");
    assert!(
        inner[0].join(".brink-staging").exists(),
        "{:?}",
        tree(&inner[0]).keys()
    );
    let o = ok(&["run", TUTORIAL, "--runs", "100", "--out", s(&out)]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("removed"),
        "{}",
        describe(&o)
    );
    assert!(!inner[0].exists());
    assert!(out.join(".brink-output.json").exists());
}

/// Commands writing beside each other at once each clean up the others' leftovers as they
/// claim their own folder; one took the lock file another had just made (empty, not yet
/// locked) for a leftover, removed it, and the other's claim failed: "… .shard4.brink-lock is
/// in the way" (seen once in CI, four shard processes into one folder). Rounds of eight
/// commands started together must all write their folders and leave nothing else.
#[test]
fn commands_writing_beside_each_other_at_once_all_succeed() {
    let root = scratch("side-by-side");
    let scenario = common::repo("scenarios/examples/richardson.ron");
    for round in 0..20 {
        let children: Vec<_> = (0..8)
            .map(|i| {
                let out = root.join(format!("r{round}_{i}"));
                common::command()
                    .args(["run", s(&scenario), "--runs", "20", "--threads", "1"])
                    .args(["--no-charts", "--out", s(&out)])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (i, c) in children.into_iter().enumerate() {
            let o = c.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "round {round}, command {i}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    let mut names = common::names(&root);
    names.sort();
    let mut want: Vec<String> = (0..20)
        .flat_map(|r| (0..8).map(move |i| format!("r{r}_{i}")))
        .collect();
    want.sort();
    assert_eq!(names, want, "only the eight folders of each round");
    for n in &want {
        assert!(root.join(n).join("summary.json").exists(), "{n}");
    }
}

/// A command stopped between making its staging folder and marking it leaves an empty
/// `.NAME.partial-PID`: the next command beside it removes it (it said "holds what brink did not
/// write; left alone", which failed a CI run of the long-names test killed at that instant). A
/// folder of that name holding anything unmarked is still left alone.
#[test]
fn an_empty_staging_folder_of_a_stopped_command_is_removed() {
    let root = scratch("empty-staging");
    let empty = root.join(".res.partial-4000001");
    let held = root.join(".mine.partial-4000002");
    std::fs::create_dir(&empty).unwrap();
    std::fs::create_dir(&held).unwrap();
    std::fs::write(held.join("notes.txt"), "mine").unwrap();
    let o = small_run(&root.join("small"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("removed") && !empty.exists(), "{err}");
    assert!(err.contains("left alone"), "{err}");
    assert_eq!(
        std::fs::read_to_string(held.join("notes.txt")).unwrap(),
        "mine"
    );
}

/// A lock taken and not yet given its PID (a claim starting) is told as such, not as "PID ()";
/// the folder it guards is refused and nothing is written.
#[test]
fn a_lock_without_its_pid_yet_is_told_as_a_claim_starting() {
    let root = scratch("lock-no-pid");
    let lock = std::fs::File::create(root.join(".out.brink-lock")).unwrap();
    lock.try_lock().unwrap();
    let o = try_small_run(&root.join("out"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        err.contains("another brink process (starting its claim) is writing")
            && !err.contains("PID"),
        "{err}"
    );
    assert!(!root.join("out").exists());
    drop(lock);
}

/// A write past a file-size limit (`ulimit -f`) is an error like a full disk: exit code 1, a
/// message, and nothing left beside the output folder. SIGXFSZ's default action killed brink
/// (exit 153, no message) and left its lock and staging folder behind.
#[cfg(unix)]
#[test]
fn a_file_size_limit_fails_cleanly() {
    let dir = common::scratch("ulimit-f");
    let scenario = common::repo("scenarios/russia_azerbaijan_2025.ron");
    // 100 blocks of 512 bytes: the per-run table of 3,000 runs is larger.
    let o = std::process::Command::new("sh")
        .current_dir(&dir)
        .arg("-c")
        .arg("ulimit -f 100 && exec \"$0\" run \"$1\" --runs 3000 --per-run --no-charts --out res")
        .arg(env!("CARGO_BIN_EXE_brink"))
        .arg(&scenario)
        .output()
        .expect("cannot start sh");
    assert_eq!(o.status.code(), Some(1), "{}", common::describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("File too large"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_result_is_replaced_only_by_its_own_command_and_no_output_goes_inside_one() {
    // `report --out` mistyped onto a run's folder replaced the run, its per-run table with it:
    // a result is replaced only by one of the same command (a run's also by the merge of its
    // shards, and back).
    let root = scratch("other-command");
    let (ra, rb) = (root.join("ra"), root.join("rb"));
    for r in [&ra, &rb] {
        ok(&[
            "run",
            RICHARDSON,
            "--runs",
            "300",
            "--per-run",
            "--no-charts",
            "--out",
            s(r),
        ]);
    }
    let before = tree(&rb);
    let sweep = [
        "sweep",
        RICHARDSON,
        "--set",
        "relations.a->b.fatigue=0.2..0.4:2",
        "--runs",
        "100",
        "--no-charts",
        "--out",
    ];
    for args in [vec!["report", s(&ra), "--out"], sweep.to_vec()] {
        let mut a = args.clone();
        a.push(s(&rb));
        let o = brink(&a);
        assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!(
                "it holds a result of `brink run`, which a result of `brink {}` does not replace",
                args[0]
            )),
            "{err}"
        );
        assert_eq!(tree(&rb), before, "{}", args[0]);
    }
    // The merge of a run's shards replaces a run, and a run replaces a merge.
    let shards = two_shards(&root);
    let mut merge = vec!["merge"];
    merge.extend(shards.iter().map(String::as_str));
    merge.extend(["--no-charts", "--out", s(&rb)]);
    ok(&merge);
    ok(&[
        "run",
        RICHARDSON,
        "--runs",
        "300",
        "--no-charts",
        "--out",
        s(&rb),
    ]);
    // A merge is of its shards' kind: compare shards merged onto a run are refused.
    let cmp: Vec<String> = (1..=2)
        .map(|i| {
            let d = root.join(format!("cmp{i}"));
            ok(&[
                "compare",
                FLAGSHIP,
                "--variants",
                "visa_regime",
                "--runs",
                "200",
                "--no-tornado",
                "--no-charts",
                "--shard",
                &format!("{i}/2"),
                "--out",
                s(&d),
            ]);
            s(&d).to_string()
        })
        .collect();
    let before = tree(&rb);
    let mut merge = vec!["merge"];
    merge.extend(cmp.iter().map(String::as_str));
    merge.extend(["--no-charts", "--out", s(&rb)]);
    let o = brink(&merge);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("which a result of `brink compare` does not replace"),
        "{}",
        describe(&o)
    );
    assert_eq!(tree(&rb), before);

    // A folder inside a result would make it a folder brink did not list, and the result
    // could no longer be replaced: refused, and the folders on the way are not left behind.
    let inner = ra.join("sub").join("deeper");
    let o = brink(&[
        "run",
        RICHARDSON,
        "--runs",
        "100",
        "--no-charts",
        "--out",
        s(&inner),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("lies inside") && err.contains("a result brink wrote"),
        "{err}"
    );
    assert!(!ra.join("sub").exists());
    ok(&[
        "run",
        RICHARDSON,
        "--runs",
        "300",
        "--no-charts",
        "--out",
        s(&ra),
    ]);
}

/// A result of brink's made immutable or append-only (`chattr +i`, `+a`) is refused at the
/// claim, before anything is computed, as a read-only one is: it was refused only when the
/// rename failed, after all the computing, with "Operation not permitted" (a reviewing
/// helper). Skipped where `chattr` is missing or the file system has no such flags.
#[cfg(target_os = "linux")]
#[test]
fn a_result_made_immutable_is_refused_at_the_claim() {
    struct Unprotect<'a>(&'a Path);
    impl Drop for Unprotect<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chattr")
                .arg("-ia")
                .arg(self.0)
                .status();
        }
    }
    let root = scratch("immutable");
    let out = root.join("res");
    small_run(&out);
    let before = tree(&out);
    for flag in ["+i", "+a"] {
        let _guard = Unprotect(&out);
        let set = std::process::Command::new("chattr")
            .arg(flag)
            .arg(&out)
            .status();
        if !set.is_ok_and(|s| s.success()) {
            eprintln!("chattr {flag} is not available here: skipped");
            return;
        }
        let o = try_small_run(&out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
        assert!(err.contains("immutable or append-only"), "{err}");
        assert_eq!(tree(&out), before);
    }
    // Unprotected, it is replaced as before, and said (a default folder reused replaced an
    // earlier result without a word: a reviewing helper).
    let o = small_run(&out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("note: replaced the earlier result of `brink run` in"),
        "{err}"
    );
    // An empty folder made append-only cannot be filled (its staging folder would stay inside
    // it): refused at the claim too (a reviewing helper: it computed, exited 0 and left it).
    let empty = root.join("empty");
    std::fs::create_dir(&empty).unwrap();
    {
        let _guard = Unprotect(&empty);
        let set = std::process::Command::new("chattr")
            .arg("+a")
            .arg(&empty)
            .status();
        if set.is_ok_and(|s| s.success()) {
            let o = try_small_run(&empty);
            assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
            assert!(String::from_utf8_lossy(&o.stderr).contains("append-only"));
            assert!(std::fs::read_dir(&empty).unwrap().next().is_none());
        }
    }
    // A folder to write in that is append-only or immutable takes the lock and the staging
    // folder but lets neither be renamed or removed: a first write and a replacement failed
    // after computing and left both there. Refused at the claim, nothing written.
    let parent = root.join("parent");
    std::fs::create_dir(&parent).unwrap();
    small_run(&parent.join("kept"));
    let before = tree(&parent);
    for flag in ["+a", "+i"] {
        let _guard = Unprotect(&parent);
        let set = std::process::Command::new("chattr")
            .arg(flag)
            .arg(&parent)
            .status();
        if !set.is_ok_and(|s| s.success()) {
            continue;
        }
        for out in [parent.join("fresh"), parent.join("kept")] {
            let o = try_small_run(&out);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{flag}: {}", describe(&o));
            assert!(err.contains("immutable or append-only"), "{flag}: {err}");
            assert_eq!(tree(&parent), before, "{flag}");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// A result replaced by one of its kind is said to be (a default folder is reused: a back-test
/// of a calibrated copy replaced the one with the priors without a word, a reviewing helper);
/// a first write says nothing of the kind.
#[test]
fn replacing_a_result_is_said() {
    let root = scratch("replaced-said");
    let out = root.join("res");
    let first = small_run(&out);
    assert!(!String::from_utf8_lossy(&first.stderr).contains("replaced"));
    let second = small_run(&out);
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains("note: replaced the earlier result of `brink run` in"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
