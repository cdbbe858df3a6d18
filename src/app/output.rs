//! Output folders: claimed safely, written atomically and durably.
//!
//! brink replaces a folder only if it wrote it itself or if it is empty. Every folder brink
//! writes holds a marker, `.brink-output.json`, that names the command, the tool version and
//! every file with its size and SHA-256. Before a command computes anything it claims its
//! output folder ([`Staging::begin`]):
//!
//! - a path that does not exist is free;
//! - an empty folder is filled in place (staged inside it, the marker moved in last), so
//!   its permissions, owner and mount stay the user's;
//! - a folder whose marker lists exactly what it holds, byte for byte, is brink's and is
//!   replaced as a whole, by a result of its kind ([`kind_of`]: the command that wrote it, a
//!   merge of shards being of its shards' kind);
//! - a path inside such a folder is refused: the folder would then hold one it does not list;
//! - anything else (a folder holding a file brink did not write or that was changed since, a
//!   regular file, a symbolic link, a folder with no marker) is refused with exit code 2,
//!   naming the path and what is in the way. There is no `--force`.
//!
//! brink's own names beside a target are made from a stem of its name ([`stem`]): the name
//! itself, or a shortened one with a hash where it is long or not UTF-8.
//!
//! Results go to a staging folder `.NAME.partial-PID` beside the target. On commit every file
//! and the folder are flushed to disk (`sync_all`), the marker is written, and the staging
//! folder replaces the target by renames, so a power loss leaves the old folder or the new one.
//!
//! A lock file `.NAME.brink-lock` beside the target is held (an OS file lock) from the claim to
//! the end of the commit: two commands never write the same folder at once, and a leftover
//! staging folder whose lock is free belongs to a process that is gone. Every claim looks for
//! such leftovers beside its target and removes them (or restores the previous folder if a
//! process was killed between the two renames of a commit); leftovers of a live process are
//! reported, not touched.

use brink::text::ShowPath;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use brink::error::{Error, Result};

/// The marker file in every folder brink writes.
pub const MARKER: &str = ".brink-output.json";

/// The files this command reads (scenarios, timelines, the files `calibrate` applies its
/// estimates to), noted as they are loaded ([`note_input`]).
static INPUTS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Notes a file this command reads: an output folder that holds it is refused by
/// [`Staging::begin`], since replacing the folder would delete the input (`brink calibrate
/// --apply-to` naming a calibrated file of the folder it writes again).
pub fn note_input(path: &Path) {
    INPUTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
}

/// Refuses an output folder that holds a file this command reads ([`note_input`]).
fn refuse_holding_an_input(target: &Path) -> Result<()> {
    let inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if inputs.is_empty() {
        return Ok(());
    }
    // Only a folder brink would replace (one with its marker): any other is refused by the
    // claim with what is really in the way (a user's folder, `.`, `/`), and moving the input
    // out of it would not help.
    if !fs::symlink_metadata(target.join(MARKER)).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    let o = crate::app::shards::resolved(target);
    for i in &inputs {
        let r = crate::app::shards::resolved(i);
        if r != o && r.starts_with(&o) {
            return Err(Error::Input(format!(
                "--out {} holds {}, an input of this command: replacing the folder would delete \
                 it; expected an output folder that holds none of the command's inputs (give \
                 another --out, or move the file out of the folder first)",
                target.shown(),
                i.shown()
            )));
        }
    }
    Ok(())
}

/// The file that marks a staging folder as brink's while it is being written.
const STAGING_MARK: &str = ".brink-staging";

/// The largest marker read: one entry is ~150 bytes, and a result has a few dozen files.
const MAX_MARKER_BYTES: u64 = 1 << 20;

/// Reads a plain file of at most `max` bytes without following a link at its name.
pub fn read_bounded(p: &Path, max: u64) -> Result<Vec<u8>> {
    let refuse = |why: String| Error::Input(format!("cannot read {}: {why}", p.shown()));
    let meta = fs::symlink_metadata(p).map_err(|e| refuse(e.to_string()))?;
    if !meta.is_file() {
        return Err(refuse("not a plain file".into()));
    }
    if meta.len() > max {
        return Err(refuse(format!(
            "{} bytes, more than the {max} expected",
            meta.len()
        )));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    open_no_follow(p, false)
        .and_then(|f| f.take(max.saturating_add(1)).read_to_end(&mut buf))
        .map_err(|e| refuse(e.to_string()))?;
    if buf.len() as u64 > max {
        return Err(refuse(format!("more than the {max} bytes expected")));
    }
    Ok(buf)
}

/// Opens a file without following a symbolic link at its name (where the platform allows);
/// `write` also creates it.
fn open_no_follow(p: &Path, write: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true);
    if write {
        o.write(true).create(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        // O_NOFOLLOW refuses a link at the name with ELOOP, whose text ("Too many levels of
        // symbolic links") speaks of a loop where there is one link.
        o.open(p).map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => {
                std::io::Error::new(e.kind(), "not a plain file (a symbolic link)")
            }
            _ => e,
        })
    }
    #[cfg(not(unix))]
    o.open(p)
}

/// What the marker holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Always "brink".
    pub tool: String,
    /// The version that wrote the folder.
    pub version: String,
    /// The command that wrote it (`run`, `compare`, `sweep`, `sensitivity`, `trace`, `merge`):
    /// a result is replaced only by one of the same kind ([`kind_of`]).
    pub command: String,
    /// Every file of the folder, in name order.
    pub files: Vec<FileEntry>,
}

/// One file a marker lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    /// SHA-256 of the content, in lowercase hex.
    pub sha256: String,
}

/// Size and SHA-256 of a file, read in blocks (runs.csv may be gigabytes).
fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, brink::scenario::load::hex(&h.finalize())))
}

/// The entry a marker lists for `name`, or a refusal naming the folder.
fn listed<'a>(dir: &Path, marker: &'a Marker, name: &str) -> Result<&'a FileEntry> {
    marker.files.iter().find(|f| f.name == name).ok_or_else(|| {
        Error::Input(format!(
            "{}: its {MARKER} does not list {name}",
            dir.shown()
        ))
    })
}

fn size_mismatch(p: &Path, len: u64, entry: &FileEntry) -> Error {
    Error::Input(format!(
        "{} has {len} bytes, but brink wrote {} (changed or damaged since)",
        p.shown(),
        entry.bytes
    ))
}

fn mismatch(p: &Path, sha: &str, entry: &FileEntry) -> Error {
    Error::Input(format!(
        "{}: its content does not match the SHA-256 brink recorded (changed or damaged since): \
         {sha} vs {}",
        p.shown(),
        entry.sha256
    ))
}

/// Checks that every file `marker` lists is in `dir` as a plain file of the size recorded,
/// without reading any (a runs.csv may be gigabytes): a report that links or names a result's
/// files (its PNG charts, its tables) must not name one deleted or cut short since. The files
/// a command reads are checked against their SHA-256 as they are read ([`read_listed`]).
pub fn check_present(dir: &Path, marker: &Marker) -> Result<()> {
    for (name, entry) in listed_in(dir, marker)? {
        let p = dir.join(name);
        match fs::symlink_metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(lacks(dir, entry)),
            Err(e) => return Err(Error::Input(format!("cannot read {}: {e}", p.shown()))),
            Ok(meta) if !meta.is_file() => {
                return Err(Error::Input(format!(
                    "{} is not a plain file, but brink wrote a file of that name",
                    p.shown()
                )));
            }
            Ok(meta) if meta.len() != entry.bytes => {
                return Err(size_mismatch(&p, meta.len(), entry));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Reads a file the marker lists and checks it against the SHA-256 recorded there, so that a
/// command reading a result (report, diff) never reads a hand-edited or damaged file as brink's.
pub fn read_listed(dir: &Path, marker: &Marker, name: &str, max: u64) -> Result<Vec<u8>> {
    let entry = listed(dir, marker, name)?;
    let p = dir.join(name);
    // A file of another size is refused before it is read: a damaged file may be gigabytes.
    if let Ok(meta) = fs::symlink_metadata(&p)
        && meta.is_file()
        && meta.len() != entry.bytes
    {
        return Err(size_mismatch(&p, meta.len(), entry));
    }
    let bytes = read_bounded(&p, max.min(entry.bytes))?;
    let sha = brink::scenario::load::hex(&Sha256::digest(&bytes));
    if sha != entry.sha256 {
        return Err(mismatch(&p, &sha, entry));
    }
    Ok(bytes)
}

/// A file the marker lists, read as a stream and hashed on the way (runs.csv may be gigabytes,
/// too large to hold whole): whatever was read from it counts only after [`Listed::finish`].
pub struct Listed {
    file: File,
    hash: Sha256,
    /// Bytes read so far: never more than brink wrote, even if the file grows meanwhile.
    read: u64,
    path: PathBuf,
    entry: FileEntry,
}

impl Listed {
    /// Opens a file the marker lists (without following a link at its name).
    pub fn open(dir: &Path, marker: &Marker, name: &str) -> Result<Self> {
        let entry = listed(dir, marker, name)?.clone();
        let path = dir.join(name);
        let cannot = |e: String| Error::Input(format!("cannot read {}: {e}", path.shown()));
        let file = open_no_follow(&path, false).map_err(|e| cannot(e.to_string()))?;
        let meta = file.metadata().map_err(|e| cannot(e.to_string()))?;
        if !meta.is_file() {
            return Err(cannot("not a plain file".into()));
        }
        // A file of another size is refused before it is read: a damaged runs.csv of 50 GB
        // was read whole (a line without its end held in memory) before its hash could say no.
        if meta.len() != entry.bytes {
            return Err(size_mismatch(&path, meta.len(), &entry));
        }
        Ok(Self {
            file,
            hash: Sha256::new(),
            read: 0,
            path,
            entry,
        })
    }

    /// Reads what is left and checks the whole content against the recorded SHA-256.
    pub fn finish(self) -> Result<()> {
        self.verified().map(drop)
    }

    /// The file itself, once its whole content matches the recorded SHA-256: for a reader
    /// that seeks (a Parquet table's footer comes first). The same open file is read after,
    /// so a file put in its place meanwhile is not the one read.
    pub fn verified(mut self) -> Result<File> {
        std::io::copy(&mut self, &mut std::io::sink())
            .map_err(|e| Error::Input(format!("cannot read {}: {e}", self.path.shown())))?;
        let sha = brink::scenario::load::hex(&self.hash.finalize());
        if sha != self.entry.sha256 {
            return Err(mismatch(&self.path, &sha, &self.entry));
        }
        Ok(self.file)
    }
}

impl Read for Listed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // One byte beyond what brink wrote is enough for the hash to refuse the file.
        let left = self.entry.bytes.saturating_add(1).saturating_sub(self.read);
        let most = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let k = self.file.read(&mut buf[..most])?;
        self.read += k as u64;
        self.hash.update(&buf[..k]);
        Ok(k)
    }
}

/// Reads a folder's marker: `Ok(None)` if it has none.
pub fn read_marker(dir: &Path) -> Result<Option<Marker>> {
    let p = dir.join(MARKER);
    match fs::symlink_metadata(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Input(format!("cannot read {}: {e}", p.shown()))),
        // A link, a pipe or a device is not brink's, and must not be read (it could block or
        // never end); a real marker is a few kilobytes.
        Ok(m) if !m.is_file() || m.len() > MAX_MARKER_BYTES => {
            return Err(Error::Input(format!(
                "{} is not a marker brink wrote (not a plain file of at most {MAX_MARKER_BYTES} \
                 bytes)",
                p.shown()
            )));
        }
        Ok(_) => {}
    }
    let text = read_bounded(&p, MAX_MARKER_BYTES)?;
    let m: Marker = serde_json::from_slice(&text).map_err(|e| {
        Error::Input(format!(
            "{}: not a brink output marker ({e}); brink did not write this folder, or it was \
             damaged",
            p.shown()
        ))
    })?;
    if m.tool != "brink" {
        return Err(Error::Input(format!(
            "{}: written by {:?}, not by brink",
            p.shown(),
            m.tool
        )));
    }
    Ok(Some(m))
}

/// Refuses an `--out` that holds a shard (of this job or another) for a result that is not
/// that shard (`what`: "the merged result", "the run"): brink wrote it, but replacing it
/// throws away runs that were computed, most often through a mistyped `--out` (a merge wrote
/// over another job's shard without a word, and so did a whole run).
pub fn not_a_shard(out: &Path, what: &str) -> Result<()> {
    let Ok(Some(marker)) = read_marker(out) else {
        return Ok(());
    };
    let shard = ["shard.json", "compare-shard.json"]
        .into_iter()
        .find(|f| marker.files.iter().any(|e| e.name == *f));
    match shard {
        Some(file) => Err(Error::Input(format!(
            "refusing to write {what} to {}: it holds a shard ({file}), whose runs would be \
             lost; choose another folder (or remove the shard first if it is no longer needed)",
            out.shown()
        ))),
        None => Ok(()),
    }
}

/// Checks that a folder holds exactly, byte for byte, the files its marker lists; returns the
/// marker. Used to decide whether a folder may be replaced and whether a shard is whole. Every
/// failure is an input error naming the folder and the first file that does not match.
pub fn verify(dir: &Path) -> Result<Marker> {
    let Some(m) = read_marker(dir)? else {
        return Err(Error::Input(format!(
            "{} has no {MARKER}: brink did not write it (or a brink from before the marker did)",
            dir.shown()
        )));
    };
    let listed = listed_in(dir, &m)?;
    for name in entries(dir)? {
        if name == MARKER {
            continue;
        }
        let p = dir.join(&name);
        let Some(entry) = listed.get(name.as_str()) else {
            return Err(Error::Input(format!(
                "{} holds {}, which brink did not write",
                crate::app::terminal::path(dir),
                crate::app::terminal::safe(&name)
            )));
        };
        check_entry(&p, entry)?;
    }
    for f in &m.files {
        if !dir.join(&f.name).exists() {
            return Err(lacks(dir, f));
        }
    }
    Ok(m)
}

/// Checks that every file `marker` lists is in `dir` as brink wrote it: a plain file of the
/// size and SHA-256 recorded. Files the marker does not list are not looked at. Used by
/// `brink rerun`, which compares those files with the rerun's and must not take damage for a
/// result that does not reproduce.
pub fn verify_listed(dir: &Path, marker: &Marker) -> Result<()> {
    for (name, entry) in listed_in(dir, marker)? {
        let p = dir.join(name);
        match fs::symlink_metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(lacks(dir, entry)),
            _ => check_entry(&p, entry)?,
        }
    }
    Ok(())
}

/// The files `marker` lists, by name; a name brink never writes is refused as damage.
fn listed_in<'m>(dir: &Path, marker: &'m Marker) -> Result<BTreeMap<&'m str, &'m FileEntry>> {
    files_listed(marker).map_err(|f| {
        let twice = marker.files.iter().filter(|g| g.name == f.name).count() > 1;
        Error::Input(format!(
            "{}: its {MARKER} lists \"{}\"{}",
            dir.shown(),
            crate::app::terminal::safe(&brink::text::shortened(&f.name)),
            if twice {
                " twice, where brink lists each file it writes once: it was changed since"
            } else {
                ", which is not a file name brink writes"
            }
        ))
    })
}

fn lacks(dir: &Path, f: &FileEntry) -> Error {
    Error::Input(format!(
        "{} lacks {}, which brink wrote there",
        crate::app::terminal::path(dir),
        crate::app::terminal::safe(&f.name)
    ))
}

/// Checks that `p` is a plain file of the size and SHA-256 `entry` records.
fn check_entry(p: &Path, entry: &FileEntry) -> Result<()> {
    let meta = fs::symlink_metadata(p)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", p.shown())))?;
    if !meta.is_file() {
        return Err(Error::Input(format!(
            "{} is not a plain file, but brink wrote a file of that name",
            p.shown()
        )));
    }
    if meta.len() != entry.bytes {
        return Err(size_mismatch(p, meta.len(), entry));
    }
    let (_, sha) =
        hash_file(p).map_err(|e| Error::Input(format!("cannot read {}: {e}", p.shown())))?;
    if sha != entry.sha256 {
        return Err(mismatch(p, &sha, entry));
    }
    Ok(())
}

/// The names in a folder, sorted. A name that is not UTF-8 is never one brink wrote.
fn entries(dir: &Path) -> Result<Vec<String>> {
    let rd =
        fs::read_dir(dir).map_err(|e| Error::Input(format!("cannot read {}: {e}", dir.shown())))?;
    let mut names = vec![];
    for e in rd {
        let e = e.map_err(|e| Error::Input(format!("cannot read {}: {e}", dir.shown())))?;
        match e.file_name().into_string() {
            Ok(n) => names.push(n),
            Err(n) => {
                return Err(Error::Input(format!(
                    "{} holds {}, which brink did not write (its name is not UTF-8)",
                    crate::app::terminal::path(dir),
                    crate::app::terminal::safe(&n.to_string_lossy())
                )));
            }
        }
    }
    names.sort();
    Ok(names)
}

/// What stands at an output path.
enum Target {
    /// Nothing.
    Free,
    /// An empty folder: filled in place (its permissions, owner and mount are the user's).
    Empty,
    /// A folder brink wrote, whole.
    Brinks,
}

/// The kind of result a marker's folder holds, in the words of the command that makes it: its
/// command, but a merge of shards is a `run` or a `compare` (by the file it holds), and a
/// back-test that cross-validates is `backtest --cross-validate`.
pub(crate) fn kind_of(m: &Marker) -> String {
    let has = |n: &str| m.files.iter().any(|f| f.name == n);
    match m.command.as_str() {
        "merge" if has("compare.json") => "compare".into(),
        "merge" => "run".into(),
        "backtest" if has("cross_validation.json") => "backtest --cross-validate".into(),
        c => c.into(),
    }
}

/// Decides whether `target` may be written by a result of `kind` ([`kind_of`]); refusals are
/// input errors (exit code 2).
fn inspect(target: &Path, kind: &str) -> Result<Target> {
    let refuse = |what: String| {
        Error::Input(format!(
            "refusing to write the output folder {}: {what}. brink replaces only folders it \
             wrote itself, and empty ones; choose another --out, or move what is there away",
            target.shown()
        ))
    };
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Target::Free),
        Err(_) if target.file_name().is_some_and(|n| n.len() > NAME_MAX) => {
            // Nothing is in the way here: the name itself cannot be made.
            return Err(Error::Input(format!(
                "refusing to write the output folder {}: its name is {} bytes long, and a file \
                 name may have at most {NAME_MAX}; choose a shorter --out",
                target.shown(),
                target.file_name().map_or(0, OsStr::len)
            )));
        }
        Err(e) => return Err(refuse(format!("it cannot be read ({e})"))),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            "it is a symbolic link (give the folder it points to)".into(),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse("it is an existing file, not a folder".into()));
    }
    let names = entries(target).map_err(|e| refuse(e.to_string()))?;
    if names.is_empty() {
        if is_protected(target) {
            // Filled in place, its staging folder would be left inside it, undeletable.
            return Err(refuse(
                "it is empty, but immutable or append-only (chattr +i or +a), so brink cannot \
                 fill it"
                    .into(),
            ));
        }
        return Ok(Target::Empty);
    }
    if names.iter().all(|n| is_working_name(n)) {
        // Another command's folder beside its target (a lock, its staging folder): "brink did
        // not write it" read as someone else's files.
        return Err(refuse(format!(
            "it holds only the working files of a brink command writing inside it ({}): \
             another command is at work there, or was stopped (the next command writing there \
             cleans them up): wait for it",
            names
                .iter()
                .take(3)
                .map(|n| crate::app::terminal::safe(n).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if !names.iter().any(|n| n == MARKER) {
        let shown: Vec<String> = names
            .iter()
            .take(3)
            .map(|n| crate::app::terminal::safe(n).into_owned())
            .collect();
        let more = if names.len() > 3 {
            format!(" and {} more", names.len() - 3)
        } else {
            String::new()
        };
        return Err(refuse(format!(
            "it holds {}{more}, and brink did not write it (it has no {MARKER})",
            shown.join(", ")
        )));
    }
    match verify(target) {
        Ok(_) if meta.permissions().readonly() => Err(refuse(
            "it is brink's, but read-only: a result made read-only is kept (make it writable to \
             replace it)"
                .into(),
        )),
        Ok(_) if is_protected(target) => Err(refuse(
            "it is brink's, but immutable or append-only (chattr +i or +a): a result so \
             protected is kept (chattr -i or -a to replace it)"
                .into(),
        )),
        Ok(_) if is_mount_point(target, &meta) => Err(refuse(
            "it is brink's, but a mount point, which brink cannot replace by renaming (empty it \
             first to have it filled in place)"
                .into(),
        )),
        // Another kind of result is the analyst's work of another kind (a `report --out`
        // mistyped onto a run deleted its per-run table), refused as a folder in the way.
        Ok(m) => match kind_of(&m) {
            theirs if theirs == kind => Ok(Target::Brinks),
            theirs => Err(Error::Input(format!(
                "refusing to write the output folder {}: it holds a result of `brink {}`, which \
                 a result of `brink {kind}` does not replace (a result is replaced only by one of \
                 the same kind; a merge of shards is of their kind); choose another --out, or \
                 move it away",
                target.shown(),
                crate::app::terminal::safe(&theirs)
            ))),
        },
        Err(Error::Input(m)) => Err(refuse(m)),
        Err(e) => Err(e),
    }
}

/// The nearest of `dir` and the folders above it that is a result brink wrote (it holds a
/// marker), if any: a new output folder there would be a folder the result does not list.
pub(crate) fn result_holding(dir: &Path) -> Option<PathBuf> {
    let holds = |a: &Path| fs::symlink_metadata(a.join(MARKER)).is_ok_and(|m| m.is_file());
    // Where the folder really is: its nearest existing ancestor resolved (links, `..`), then
    // the rest of the path taken as written (`res/../x` is not in `res`, nor is a link out of
    // a result).
    let mut existing = dir;
    let mut rest = vec![];
    let base = loop {
        let probe = if existing.as_os_str().is_empty() {
            Path::new(".")
        } else {
            existing
        };
        if let Ok(r) = fs::canonicalize(probe) {
            break r;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(p), Some(n)) => {
                rest.push(n.to_os_string());
                existing = p;
            }
            // `..` last, or a root that cannot be read: the path as given.
            _ => break dir.to_path_buf(),
        }
    };
    let mut real = base;
    for n in rest.iter().rev() {
        real.push(n);
    }
    let found = real.ancestors().find(|a| holds(a))?.to_path_buf();
    // Named as the analyst wrote it ("res", not "/home/me/work/res") when one of the given
    // path's own ancestors is that very folder.
    Some(
        dir.ancestors()
            .filter(|a| !a.as_os_str().is_empty() && *a != Path::new("."))
            .find(|a| fs::canonicalize(a).is_ok_and(|r| r == found))
            .map_or(found.clone(), Path::to_path_buf),
    )
}

/// A folder brink cannot write in: an input error (choose another `--out`), but a full disk
/// or quota is the machine's state, not a mistake in the command (exit code 1, as for a disk
/// that fills while the files are written).
pub(crate) fn cannot_write(message: String, e: &std::io::Error) -> Error {
    if matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) {
        Error::Failed(message)
    } else {
        Error::Input(message)
    }
}

/// Whether the folder `dir` is on another device than the folder holding it.
#[cfg(unix)]
fn is_mount_point(dir: &Path, meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::metadata(parent).is_ok_and(|p| p.dev() != meta.dev())
}

#[cfg(not(unix))]
fn is_mount_point(_: &Path, _: &fs::Metadata) -> bool {
    false
}

/// Whether a folder is immutable or append-only (`chattr +i`, `+a`): its owner protected it
/// beyond its permissions, and renaming it fails (EPERM) after all the computing.
#[cfg(target_os = "linux")]
pub(crate) fn is_protected(dir: &Path) -> bool {
    use std::os::fd::AsRawFd;
    // linux/fs.h: FS_IMMUTABLE_FL, FS_APPEND_FL.
    const PROTECTED: libc::c_long = 0x10 | 0x20;
    let Ok(f) = File::open(dir) else {
        return false;
    };
    let mut flags: libc::c_long = 0;
    // SAFETY: a valid descriptor and a pointer to a long, which the call fills (an int of it).
    let read = unsafe { libc::ioctl(f.as_raw_fd(), libc::FS_IOC_GETFLAGS, &mut flags) };
    read == 0 && flags & PROTECTED != 0
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn is_protected(_: &Path) -> bool {
    false
}

/// Checks an output path's shape: it must name a folder (`output/x`, not `.`, `..` or `/`).
fn split(target: &Path) -> Result<(PathBuf, OsString)> {
    let bad = || {
        Error::Input(format!(
            "--out {} does not name a folder to write (expected a path such as output/result)",
            target.shown()
        ))
    };
    match target.components().next_back() {
        Some(Component::Normal(_)) => {}
        _ => return Err(bad()),
    }
    let name = target.file_name().ok_or_else(bad)?.to_os_string();
    // A folder named as brink names its own work beside a target would be taken for a stopped
    // command's leftover, and removed or renamed, by the next command writing beside it.
    // So would one named as the staging folder inside a folder filled in place: the next
    // command writing to its parent took a whole result there for a cut filling, and moved it
    // or removed it.
    let lossy = name.to_string_lossy();
    if is_working_name(&lossy) || is_inner_partial(&lossy) {
        return Err(Error::Input(format!(
            "--out {} has the form of brink's own working names (.NAME.partial-PID, \
             .NAME.old-PID, .NAME.brink-lock, .brink-partial-PID), which brink cleans up when \
             it finds them; expected another name",
            target.shown()
        )));
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// What stands at a folder on the way to an output folder.
enum Way {
    /// A folder, or a link to one.
    Folder,
    /// Nothing: it is made.
    Missing,
    /// Something else, in words ("a file, not a folder").
    Blocked(String),
    /// It cannot be looked at (no permission to search its parent, for one).
    Unreadable(std::io::Error),
}

fn way(at: &Path) -> Way {
    let meta = match fs::symlink_metadata(at) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Way::Missing,
        Err(e) => return Way::Unreadable(e),
    };
    if meta.is_dir() {
        return Way::Folder;
    }
    if !meta.file_type().is_symlink() {
        return Way::Blocked(format!("{}, not a folder", kind(&meta)));
    }
    match fs::metadata(at) {
        Ok(m) if m.is_dir() => Way::Folder,
        Ok(m) => Way::Blocked(format!("a link to {}, not a folder", kind(&m))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let to = fs::read_link(at).map_or_else(|_| "?".into(), |t| t.shown().to_string());
            Way::Blocked(format!(
                "a link to nothing (it points to {to}, which does not exist)"
            ))
        }
        Err(e) => Way::Blocked(format!("a link that cannot be followed ({e})")),
    }
}

/// What a file that is not a folder is, in words.
fn kind(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_file() {
        "a file"
    } else {
        "a special file"
    }
}

/// Makes the folders on the way to `parent` that are missing, one at a time from the top, and
/// records in `made` those this process made (only they are removed again). Something on the
/// way that is not a folder (`draft.txt/result`, a link to nothing) is refused, naming it:
/// creating through it fails with a bare "File exists". Checked one by one, so that
/// `new/../draft.txt/result` is refused as well, once `new` is made.
fn make_route(target: &Path, parent: &Path, made: &mut Vec<PathBuf>) -> Result<()> {
    let cannot = |at: &Path, why: String| {
        Error::Input(format!(
            "cannot write the output folder {}: {} is {why}; choose another --out",
            target.shown(),
            at.shown()
        ))
    };
    let mut at = PathBuf::new();
    for c in parent.components() {
        at.push(c);
        let e = match way(&at) {
            Way::Folder => continue,
            Way::Blocked(why) => return Err(cannot(&at, why)),
            Way::Unreadable(e) => e,
            Way::Missing => match fs::create_dir(&at) {
                Ok(()) => {
                    made.insert(0, at.clone());
                    continue;
                }
                // Made meanwhile by someone else: theirs, never removed.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match way(&at) {
                    Way::Folder => continue,
                    Way::Blocked(why) => return Err(cannot(&at, why)),
                    _ => e,
                },
                Err(e) => e,
            },
        };
        // Said of the folder that could not be made, on the way to which output folder
        // ("cannot create output for the output folder: output: …" read garbled).
        return Err(cannot_write(
            format!(
                "cannot create the folder {} to hold the output folder {}: {e}",
                at.shown(),
                target.shown()
            ),
            &e,
        ));
    }
    Ok(())
}

/// Whether a path passes through `..`.
fn through_parent(p: &Path) -> bool {
    p.components().any(|c| c == Component::ParentDir)
}

/// The folder that holds a target, once the folders on the way exist: as given, or, if it
/// passes through `..`, its real path. A folder made only on the way (`tmp` in `tmp/../r2`) is
/// removed again by the command that made it, when it ends, and another command at once
/// through the same folder (`tmp/../r1`) must not lose its lock and staging folder with it.
fn resolve_parent(target: &Path, parent: PathBuf) -> Result<PathBuf> {
    if !through_parent(&parent) {
        return Ok(parent);
    }
    match fs::canonicalize(&parent) {
        Ok(real) => Ok(real),
        // A real path longer than the system's limit (a working folder deep enough) cannot be
        // named whole; the parent as given still can, relative to the working folder.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidFilename => Ok(parent),
        Err(e) => Err(Error::Input(format!(
            "cannot write the output folder {}: {}: {e}",
            target.shown(),
            parent.shown()
        ))),
    }
}

/// Where a folder written to `out` is found once the writing command has ended: `out` itself,
/// unless it passes through `..`; then the longest beginning of it that exists, as its real
/// path, and the rest read component by component (the folders brink makes on the way are
/// plain folders, so `made/..` is where `made` was made). `tmp/../r` names nothing once `tmp`,
/// made only on the way, has been removed.
pub fn reached_by(out: &Path) -> PathBuf {
    if !through_parent(out) {
        return out.to_path_buf();
    }
    let parts: Vec<Component> = out.components().collect();
    for k in (0..=parts.len()).rev() {
        let mut begin: PathBuf = parts[..k].iter().collect();
        if begin.as_os_str().is_empty() {
            begin = PathBuf::from(".");
        }
        if let Ok(mut p) = fs::canonicalize(&begin) {
            for c in &parts[k..] {
                match c {
                    Component::ParentDir => {
                        p.pop();
                    }
                    Component::CurDir => {}
                    c => p.push(c),
                }
            }
            return p;
        }
    }
    out.to_path_buf()
}

/// Removes the folders a claim made (deepest first), each only if it is empty.
fn remove_made(made: &[PathBuf]) {
    for d in made {
        let _ = fs::remove_dir(d);
    }
}

/// The lock beside a target, held while a command writes it. Removed when released.
struct Lock {
    path: PathBuf,
    file: Option<File>,
}

enum TryLock {
    Held(Lock),
    /// Another live process holds it; its PID as it wrote it.
    Busy(String),
}

/// Who holds a busy lock, in words: "another brink process (PID 12)", or without the PID while
/// the holder has taken the lock and not yet written it.
fn holder(pid: &str) -> String {
    if pid.is_empty() {
        "another brink process (starting its claim)".into()
    } else {
        format!(
            "another brink process (PID {})",
            crate::app::terminal::safe(pid)
        )
    }
}

/// The longest file name brink makes: the common limit (ext4, XFS, Btrfs, APFS; NTFS counts
/// UTF-16 units, never more than the bytes counted here).
pub(crate) const NAME_MAX: usize = 255;

/// The longest stem: `.STEM.partial-PID-K`, the longest name made from one, then fits in
/// [`NAME_MAX`] with a PID of 10 digits (any `u32`) and K up to 999.
const STEM_MAX: usize = NAME_MAX - ".".len() - ".partial-".len() - 10 - "-999".len();

/// Hex digits of the name's SHA-256 that end a shortened stem.
const STEM_HASH: usize = 16;

/// The name brink's own files beside a target are named after (`.STEM.brink-lock`,
/// `.STEM.partial-PID`, `.STEM.old-PID`): the target's name itself if it is UTF-8, at most
/// [`STEM_MAX`] bytes long and does not end as a shortened stem does; else its first bytes (up
/// to a character, with U+FFFD for bytes that are not UTF-8), `~` and the first 16 hex digits
/// of the SHA-256 of the whole name. So a name of 250 bytes (legal) still gets a lock, and two
/// names never share a stem: a kept name never ends as a shortened one, and two shortened ones
/// differ in their hash.
fn stem(name: &OsStr) -> String {
    if let Some(s) = name.to_str()
        && s.len() <= STEM_MAX
        && !is_shortened(s)
    {
        return s.to_string();
    }
    let whole = name.to_string_lossy();
    let mut cut = whole.len().min(STEM_MAX - 1 - STEM_HASH);
    while !whole.is_char_boundary(cut) {
        cut -= 1;
    }
    let sha = brink::scenario::load::hex(&Sha256::digest(name.as_encoded_bytes()));
    format!("{}~{}", &whole[..cut], &sha[..STEM_HASH])
}

/// Whether a stem is a shortened one (ends with `~` and 16 lowercase hex digits).
fn is_shortened(stem: &str) -> bool {
    let b = stem.as_bytes();
    b.len() > STEM_HASH
        && b[b.len() - STEM_HASH - 1] == b'~'
        && b[b.len() - STEM_HASH..]
            .iter()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// A name beside the target for a folder the user keeps (`NAME.new-K`, `NAME.previous-K`):
/// the target's name and `suffix`, or its stem and `suffix` if that would be too long.
fn beside(name: &OsStr, stem: &str, suffix: &str) -> OsString {
    let mut full = name.to_os_string();
    full.push(suffix);
    if full.len() <= NAME_MAX {
        full
    } else {
        format!("{stem}{suffix}").into()
    }
}

/// The target that leftovers of the stem `x` in `parent` belong to: `own` for this claim's
/// stem, `x` itself for a name kept whole, else the entry of `parent` whose stem it is, if any
/// (none: the target is missing, and only a claim of it knows its name).
fn target_of(parent: &Path, x: &str, own: (&str, &OsStr)) -> Option<PathBuf> {
    if x == own.0 {
        return Some(parent.join(own.1));
    }
    if !is_shortened(x) {
        return Some(parent.join(x));
    }
    fs::read_dir(parent)
        .ok()?
        .flatten()
        .map(|e| e.file_name())
        .find(|n| stem(n) == x)
        .map(|n| parent.join(n))
}

fn lock_path(parent: &Path, stem: &str) -> PathBuf {
    parent.join(format!(".{stem}.brink-lock"))
}

impl Lock {
    /// Takes the lock at `path` if no live process holds it. A file of that name that is not
    /// a brink lock (a link, a folder, a file with other content) is never opened for writing
    /// nor removed: it is an error.
    fn try_take(path: PathBuf) -> std::io::Result<TryLock> {
        for _ in 0..8 {
            // A second name (a hard link to a user's file) would have it truncated, rewritten
            // and unlinked as if it were a lock.
            if let Ok(meta) = fs::symlink_metadata(&path)
                && !(meta.is_file() && meta.len() <= 20 && links(&meta) == 1)
            {
                return Err(std::io::Error::other(format!(
                    "{} is in the way (brink keeps a lock file of that name)",
                    path.shown()
                )));
            }
            let mut file = open_no_follow(&path, true)?;
            // Removed since it was opened (by the process that held it, or one that cleaned it
            // up as a leftover): try the path again.
            if file.metadata().is_ok_and(|m| m.is_file() && links(&m) == 0) {
                continue;
            }
            // Checked again on what was opened: a link may have been made meanwhile.
            if !file.metadata().is_ok_and(|m| m.is_file() && links(&m) == 1) {
                return Err(std::io::Error::other(format!(
                    "{} is in the way (brink keeps a lock file of that name)",
                    path.shown()
                )));
            }
            let mut pid = String::new();
            file.read_to_string(&mut pid)?;
            if !pid.trim().bytes().all(|b| b.is_ascii_digit()) {
                return Err(std::io::Error::other(format!(
                    "{} is in the way (brink keeps a lock file of that name)",
                    path.shown()
                )));
            }
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Ok(TryLock::Busy(pid.trim().to_string()));
                }
                Err(fs::TryLockError::Error(e)) => return Err(e),
            }
            // The holder before us may have removed the file between our open and our lock:
            // then we hold a lock on a file nobody else will open. Only a lock on the file
            // the path names counts.
            if !same_file(&file, &path) {
                continue;
            }
            // Ours from here: if the PID cannot be written (a full disk), the lock is dropped
            // and its file removed, not left empty beside the target.
            let lock = Lock {
                path,
                file: Some(file),
            };
            lock.write_pid()?;
            return Ok(TryLock::Held(lock));
        }
        Err(std::io::Error::other("the lock file keeps changing"))
    }

    /// Writes this process's PID into the held lock file, in place of what was there.
    fn write_pid(&self) -> std::io::Result<()> {
        if let Some(file) = &self.file {
            let mut f: &File = file;
            f.set_len(0)?;
            f.seek(std::io::SeekFrom::Start(0))?;
            write!(f, "{}", std::process::id())?;
        }
        Ok(())
    }
}

/// How many names a file has.
#[cfg(unix)]
fn links(meta: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_meta: &fs::Metadata) -> u64 {
    1
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove the name first, then release: a process that opened the old file meanwhile
        // finds it unlinked (see `try_take`).
        let _ = fs::remove_file(&self.path);
        self.file.take();
    }
}

/// Flushes a folder's entry list to disk (a no-op where folders cannot be opened as files).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Parses `.X.partial-PID` / `.X.old-PID` into (X, kind).
fn leftover(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix('.')?;
    for kind in [".partial-", ".old-"] {
        if let Some(i) = rest.rfind(kind) {
            let pid = &rest[i + kind.len()..];
            if pid.bytes().next().is_some_and(|b| b.is_ascii_digit())
                && pid.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            {
                return Some((&rest[..i], &kind[1..kind.len() - 1]));
            }
        }
    }
    None
}

/// Cleans the leftovers of stopped commands in `parent` (see the module's documentation).
/// `own` is the stem this process holds the lock of, and its target's name.
fn clean_leftovers(parent: &Path, own: (&str, &OsStr)) {
    let Ok(rd) = fs::read_dir(parent) else {
        return;
    };
    let mut found: Vec<(String, String, String)> = vec![];
    for e in rd.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if let Some((x, kind)) = leftover(&n)
            && e.file_type().is_ok_and(|t| t.is_dir())
        {
            found.push((n.clone(), x.to_string(), kind.to_string()));
        }
    }
    found.sort();
    // Lock files a process that exited at once (a second Ctrl-C) left behind: a free lock is
    // taken and, on release, removed.
    for e in fs::read_dir(parent).into_iter().flatten().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        // An empty lock file is one another process has just made and not yet locked: taking
        // and removing it under that process made its claim fail ("is in the way").
        if let Some(x) = n
            .strip_prefix('.')
            .and_then(|r| r.strip_suffix(".brink-lock"))
            && x != own.0
            && !found.iter().any(|(_, name, _)| name == x)
            && e.metadata().is_ok_and(|m| m.len() > 0)
        {
            let _ = Lock::try_take(e.path());
        }
    }
    for (entry, name, kind) in found {
        let dir = parent.join(&entry);
        let _held;
        if name != own.0 {
            match Lock::try_take(lock_path(parent, &name)) {
                Ok(TryLock::Held(l)) => _held = l,
                Ok(TryLock::Busy(pid)) => {
                    tell!(
                        "note: {} is being written by {}; left alone",
                        crate::app::terminal::path(&dir),
                        holder(&pid)
                    );
                    continue;
                }
                Err(_) => continue,
            }
        }
        // Its command may have ended (and removed it) between the listing and the lock.
        if fs::symlink_metadata(&dir).is_err() {
            continue;
        }
        let target = target_of(parent, &name, own);
        let shown = crate::app::terminal::path(&dir);
        if kind == "partial" {
            // An empty one is left by a command stopped between making it and marking it:
            // removing it loses nothing (`remove_dir` refuses a folder with anything in it).
            if fs::remove_dir(&dir).is_ok() {
                tell!(
                    "note: removed {shown}, the unfinished output of a brink command that was \
                     stopped"
                );
            } else if is_brinks_staging(&dir) {
                if remove_staging(&dir, &[STAGING_MARK, MARKER]).is_ok() {
                    tell!(
                        "note: removed {shown}, the unfinished output of a brink command that \
                         was stopped"
                    );
                }
            } else {
                tell!(
                    "note: {shown} looks like an unfinished brink output folder but holds what \
                     brink did not write; left alone (delete it if it is not yours)"
                );
            }
        } else if verify(&dir).is_ok() {
            // A commit was cut between its two renames: the previous results are here, whole.
            let Some(target) = target else {
                tell!(
                    "note: {shown} holds the previous results of an output folder a stopped \
                     brink command was replacing; its name is shortened here, so only the next \
                     brink command writing that folder can put them back; left alone"
                );
                continue;
            };
            if fs::symlink_metadata(&target).is_err() {
                if rename_no_replace(&dir, &target).is_ok() {
                    let _ = sync_dir(parent);
                    tell!(
                        "note: restored {} from {shown} (a brink command was stopped while \
                         replacing it)",
                        crate::app::terminal::path(&target),
                    );
                }
            } else if remove_staging(&dir, &[MARKER]).is_ok() {
                tell!(
                    "note: removed {shown}, a replaced output folder a stopped brink command left"
                );
            }
        } else if target
            .as_ref()
            .is_some_and(|t| fs::symlink_metadata(t).is_ok())
            && marked_files_only(&dir)
        {
            // Its removal was cut part way (after the new results were in place): its
            // marker and some of the files it lists, byte for byte, are left.
            if remove_staging(&dir, &[MARKER]).is_ok() {
                tell!(
                    "note: removed {shown}, a replaced output folder a stopped brink command \
                     left part-removed"
                );
            }
        } else {
            // An empty one may be the user's own folder of a like name: never removed.
            let what = if fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none()) {
                "is an empty folder named like a replaced brink output folder"
            } else {
                "looks like a replaced brink output folder but does not match its marker"
            };
            tell!("note: {shown} {what}; left alone (delete it if it is not yours)");
        }
    }
}

/// Whether a folder is a staging folder brink was writing: marked as one and holding only
/// plain files, or holding its marker and only files that marker lists, byte for byte (whole,
/// a commit cut before its rename, or part of it, a removal cut part way).
fn is_brinks_staging(dir: &Path) -> bool {
    let marked = fs::symlink_metadata(dir.join(STAGING_MARK)).is_ok_and(|m| m.is_file());
    let plain = fs::read_dir(dir).is_ok_and(|rd| {
        rd.into_iter()
            .all(|e| e.is_ok_and(|e| e.file_type().is_ok_and(|t| t.is_file())))
    });
    plain && (marked || marked_files_only(dir))
}

/// Whether a folder holds a marker of brink's and only files it lists, byte for byte.
fn marked_files_only(dir: &Path) -> bool {
    let Ok(Some(m)) = read_marker(dir) else {
        return false;
    };
    let Ok(files) = files_listed(&m) else {
        return false;
    };
    entries(dir).is_ok_and(|own| {
        own.iter().all(|n| {
            n == MARKER
                || files
                    .get(n.as_str())
                    .is_some_and(|f| matches_entry(&dir.join(n), f))
        })
    })
}

/// Whether `name` is one of brink's working names beside a target: a staging or old folder
/// (`.NAME.partial-PID`, `.NAME.old-PID`) or a lock (`.NAME.brink-lock`).
fn is_working_name(name: &str) -> bool {
    leftover(name).is_some() || name.starts_with('.') && name.ends_with(".brink-lock")
}

/// The staging folder brink makes inside an empty output folder it fills in place.
const INNER_PARTIAL: &str = ".brink-partial-";

/// Whether `name` is a staging folder's name inside an output folder (`.brink-partial-PID`).
fn is_inner_partial(name: &str) -> bool {
    name.strip_prefix(INNER_PARTIAL)
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether two paths name the same file (not following a link at either).
#[cfg(unix)]
fn same_entry(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_entry(_a: &Path, _b: &Path) -> bool {
    false
}

/// Renames `from` to `to` only if nothing is at `to` (`AlreadyExists` otherwise). A plain
/// rename silently replaces an empty folder or a file, and one may be made at `to` between
/// brink's check that the name is free and the rename: on Linux the kernel refuses it
/// (`RENAME_NOREPLACE`); elsewhere, or on a file system without that flag, the name is checked
/// again just before the rename.
pub(crate) fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let from_c = std::ffi::CString::new(from.as_os_str().as_bytes())?;
        let to_c = std::ffi::CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: two NUL-terminated paths that outlive the call; no memory is handed over.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from_c.as_ptr(),
                libc::AT_FDCWD,
                to_c.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        // Only "this file system or kernel cannot": then the check below.
        if !matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        ) {
            return Err(e);
        }
    }
    if fs::symlink_metadata(to).is_ok() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "something was made at that name meanwhile",
        ));
    }
    fs::rename(from, to)
}

/// Gives the folder `dir` the owner, group and permissions `meta` records (those of the folder
/// `from` it replaces), and its access control lists. Best effort, never more open than the
/// old folder: a group the process may not give the folder (one's own folder in a group one
/// is not in) takes the group's permissions and the set-group-id bit away, since they would
/// go to another group; and a folder whose ACL could not be copied is left to its owner alone
/// (with an ACL, the group bits of the mode are the ACL's mask, not the group's permissions).
#[cfg(unix)]
fn keep_access(meta: &fs::Metadata, from: &Path, dir: &Path) {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let owned = std::os::unix::fs::chown(dir, Some(meta.uid()), Some(meta.gid())).is_ok()
        || std::os::unix::fs::chown(dir, None, Some(meta.gid())).is_ok();
    let mode = meta.permissions().mode() & 0o7777;
    let mode = if owned { mode } else { mode & !0o2070 };
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode));
    if !copy_acls(from, dir) {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode & !0o2077));
    }
}

#[cfg(not(unix))]
fn keep_access(meta: &fs::Metadata, _from: &Path, dir: &Path) {
    let _ = fs::set_permissions(dir, meta.permissions());
}

/// Copies the POSIX access control lists of folder `from` (the access list and the default
/// one for what is made inside) to `dir`, after its mode is set (setting an ACL sets the
/// mode's group bits to its mask). True when there were none or all were copied.
#[cfg(target_os = "linux")]
fn copy_acls(from: &Path, dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let (Ok(from_c), Ok(dir_c)) = (
        std::ffi::CString::new(from.as_os_str().as_bytes()),
        std::ffi::CString::new(dir.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    let mut all = true;
    for name in [c"system.posix_acl_access", c"system.posix_acl_default"] {
        // An ACL is a few entries of 8 bytes; 64 KiB is the largest extended attribute.
        let mut buf = vec![0u8; 65_536];
        // SAFETY: NUL-terminated strings and a buffer of the length given, all outliving the
        // calls; nothing is handed over.
        let n = unsafe {
            libc::lgetxattr(
                from_c.as_ptr(),
                name.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        if n < 0 {
            let e = std::io::Error::last_os_error().raw_os_error();
            // None, or a file system without them: nothing to copy.
            if !matches!(e, Some(libc::ENODATA | libc::ENOTSUP)) {
                all = false;
            }
            continue;
        }
        // SAFETY: as above; `n` bytes of `buf` were filled.
        let r = unsafe {
            libc::lsetxattr(
                dir_c.as_ptr(),
                name.as_ptr(),
                buf.as_ptr().cast(),
                n as usize,
                0,
            )
        };
        all &= r == 0;
    }
    all
}

#[cfg(all(unix, not(target_os = "linux")))]
fn copy_acls(_from: &Path, _dir: &Path) -> bool {
    true
}

/// Moves a file to `to`, never replacing what is there (a rename would, silently).
fn move_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        // Linked already by a command stopped before it removed the staged name.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if same_entry(from, to) {
                fs::remove_file(from)
            } else {
                Err(e)
            }
        }
        // A file system without hard links: the name was checked free just before.
        Err(_) if fs::symlink_metadata(to).is_err() => rename_no_replace(from, to),
        Err(e) => Err(e),
    }
}

/// Moves the files of a finished staging folder into the folder `target`, the marker last,
/// then removes the staging folder. Until the marker is in, the folder is not taken as a
/// result (a command cut meanwhile leaves it for the next claim to finish, `clean_inside`).
fn fill(staging: &Path, target: &Path) -> std::result::Result<(), (std::io::Error, Filled)> {
    let before = |e| (e, Filled::NotYet);
    let mut names = vec![];
    for e in fs::read_dir(staging).map_err(before)? {
        let n = e.map_err(before)?.file_name();
        if n != MARKER {
            names.push(n);
        }
    }
    names.sort();
    for n in &names {
        move_no_replace(&staging.join(n), &target.join(n)).map_err(before)?;
    }
    sync_dir(target).map_err(before)?;
    move_no_replace(&staging.join(MARKER), &target.join(MARKER)).map_err(before)?;
    let after = |e| (e, Filled::Whole);
    fs::remove_dir(staging).map_err(after)?;
    sync_dir(target).map_err(after)
}

/// How far a [`fill`] that failed had gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filled {
    /// The marker is not in the output folder: the results are not there as a whole.
    NotYet,
    /// The marker is in place, the results whole: what failed was the staging folder's removal
    /// or the last flush.
    Whole,
}

/// Takes back into the staging folder the files a failed [`fill`] had moved into `target`
/// (those its marker lists that are no longer in the staging folder), so that the output
/// folder is as it was; whether all of them came back.
fn unfill(staging: &Path, target: &Path) -> bool {
    let Ok(Some(m)) = read_marker(staging) else {
        return false;
    };
    let Ok(files) = files_listed(&m) else {
        return false;
    };
    // The marker linked in, and its staged name's removal failed: the output folder must not
    // hold a marker whose files are taken back.
    let mut all = !same_entry(&staging.join(MARKER), &target.join(MARKER))
        || fs::remove_file(target.join(MARKER)).is_ok();
    for (name, entry) in files {
        let (here, there) = (staging.join(name), target.join(name));
        // Only the file brink moved there, byte for byte: one put in its place since is
        // someone's, and would go with the staging folder.
        if fs::symlink_metadata(&here).is_err() && matches_entry(&there, entry) {
            all &= move_no_replace(&there, &here).is_ok();
        } else if same_entry(&here, &there) {
            // Linked in, and the staged name's removal is what failed: one file, two names.
            all &= fs::remove_file(&there).is_ok();
        }
    }
    all && sync_dir(target).is_ok()
}

/// What a staging folder left inside an output folder is, and what the next claim does with it.
enum Inner {
    /// Its marker's files are all here or already moved in, each byte for byte, and nothing
    /// else is beside them: the filling is finished.
    Whole,
    /// The filling was done (the marker is in the output folder); the staging folder is empty
    /// or holds only another name of that marker: it is removed.
    Done,
    /// Provably brink's but not whole: the files it had moved in (those its marker lists, byte
    /// for byte) are removed, then the staging folder, so the output folder is empty again.
    Unfinished { moved: Vec<String> },
    /// Nothing brink can prove it wrote: left alone, for the reason given.
    Unsure(String),
}

/// The files a marker lists, by name, if every name is one plain file name (a marker cannot
/// point outside its folder), not brink's own marks, each once; else the first that is not.
fn files_listed(m: &Marker) -> std::result::Result<BTreeMap<&str, &FileEntry>, &FileEntry> {
    let mut listed = BTreeMap::new();
    for f in &m.files {
        let plain = matches!(
            Path::new(&f.name).components().collect::<Vec<_>>().as_slice(),
            [Component::Normal(n)] if *n == std::ffi::OsStr::new(&f.name)
        );
        if !plain
            || f.name == MARKER
            || f.name == STAGING_MARK
            || listed.insert(f.name.as_str(), f).is_some()
        {
            return Err(f);
        }
    }
    Ok(listed)
}

/// Whether `p` is a plain file of the size and SHA-256 `f` records.
fn matches_entry(p: &Path, f: &FileEntry) -> bool {
    fs::symlink_metadata(p).is_ok_and(|m| m.is_file() && m.len() == f.bytes)
        && hash_file(p).is_ok_and(|(n, sha)| n == f.bytes && sha == f.sha256)
}

/// Judges the staging folder `dir` inside `target`, whose other names are `rest`.
fn judge_inner(dir: &Path, target: &Path, rest: &[&String]) -> Inner {
    let safe = |n: &str| crate::app::terminal::safe(n).into_owned();
    let Ok(own) = entries(dir) else {
        return Inner::Unsure("it cannot be read".into());
    };
    for n in &own {
        if !fs::symlink_metadata(dir.join(n)).is_ok_and(|m| m.is_file()) {
            return Inner::Unsure(format!(
                "it holds {}, which is not a file brink writes",
                safe(n)
            ));
        }
    }
    if own.is_empty() {
        return Inner::Done;
    }
    if rest.iter().any(|r| *r == MARKER) {
        // Cut between the marker's move (a hard link) and the removal of its staged name.
        return if own.len() == 1
            && own[0] == MARKER
            && same_entry(&dir.join(MARKER), &target.join(MARKER))
        {
            Inner::Done
        } else {
            Inner::Unsure(format!(
                "{} already holds a marker and the staging folder is not empty",
                crate::app::terminal::path(target)
            ))
        };
    }
    if own.iter().any(|n| n == STAGING_MARK) {
        // Still being computed (or being removed after a stop): nothing was moved in yet.
        return Inner::Unfinished { moved: vec![] };
    }
    let marker = match read_marker(dir) {
        Ok(Some(m)) => m,
        Ok(None) => {
            return Inner::Unsure("it has neither brink's staging mark nor a marker".into());
        }
        Err(e) => return Inner::Unsure(message(&e)),
    };
    let Ok(files) = files_listed(&marker) else {
        return Inner::Unsure("its marker lists a name brink does not write".into());
    };
    let mut here = std::collections::BTreeSet::new();
    for n in &own {
        if n == MARKER {
            continue;
        }
        match files.get(n.as_str()) {
            Some(f) if matches_entry(&dir.join(n), f) => {
                here.insert(n.as_str());
            }
            Some(_) => {
                return Inner::Unsure(format!(
                    "its {} does not match the size and SHA-256 its marker records",
                    safe(n)
                ));
            }
            None => {
                return Inner::Unsure(format!(
                    "it holds {}, which its marker does not list",
                    safe(n)
                ));
            }
        }
    }
    // Only files of this result, byte for byte, count as moved in: anything else beside them
    // is someone else's and is never touched.
    let moved: Vec<String> = rest
        .iter()
        .filter(|r| {
            files
                .get(r.as_str())
                .is_some_and(|f| matches_entry(&target.join(r), f))
        })
        .map(|r| r.to_string())
        .collect();
    let whole = moved.len() == rest.len()
        && files
            .keys()
            .all(|n| here.contains(n) || moved.iter().any(|m| m == n));
    // A whole result none of whose files was moved in, beside names that are not its own:
    // not a filling cut part way (that begins in an empty folder and moves its files only),
    // and removing it would lose a finished result. Left for the user.
    if moved.is_empty() && !rest.is_empty() && files.keys().all(|n| here.contains(n)) {
        return Inner::Unsure(format!(
            "it holds a whole result and {} holds other names beside it",
            crate::app::terminal::path(target)
        ));
    }
    if whole {
        Inner::Whole
    } else {
        Inner::Unfinished { moved }
    }
}

/// Removes a staging folder of brink's: every name but `last`, then those in order, then the
/// folder. A removal cut part way leaves `last` (the staging mark or the marker), by which the
/// next claim knows the folder as brink's again.
fn remove_staging(dir: &Path, last: &[&str]) -> std::io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let n = e.file_name();
        if last.iter().any(|l| n == *l) {
            continue;
        }
        if e.file_type()?.is_dir() {
            fs::remove_dir_all(e.path())?;
        } else {
            fs::remove_file(e.path())?;
        }
    }
    for l in last {
        match fs::remove_file(dir.join(l)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    fs::remove_dir(dir)
}

/// Cleans what a stopped command left inside the empty folder `target` it was filling (the
/// caller holds the target's lock, so its writer is gone), as [`Inner`] says: a filling is
/// finished only if every file of its marker is there, byte for byte; an unfinished one of
/// brink's is undone; anything else is left alone for `inspect` to refuse.
fn clean_inside(target: &Path) {
    let Ok(meta) = fs::symlink_metadata(target) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let Ok(names) = entries(target) else {
        return;
    };
    let (inner, rest): (Vec<&String>, Vec<&String>) =
        names.iter().partition(|n| is_inner_partial(n));
    let shown_target = crate::app::terminal::path(target);
    for n in inner {
        let dir = target.join(n);
        let shown = crate::app::terminal::path(&dir);
        if !fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        match judge_inner(&dir, target, &rest) {
            Inner::Whole => match fill(&dir, target).map_err(|(e, _)| e) {
                Ok(()) => tell!(
                    "note: finished filling {shown_target} from {shown} (a brink command was \
                     stopped while moving its results in)"
                ),
                Err(e) => tell!("note: cannot finish filling from {shown} ({e}); left alone"),
            },
            Inner::Done => {
                if remove_staging(&dir, &[MARKER]).is_ok() {
                    let _ = sync_dir(target);
                    tell!(
                        "note: removed {shown}, left empty by a brink command stopped as it \
                         finished"
                    );
                }
            }
            Inner::Unfinished { moved } => {
                let mut gone = 0;
                for m in &moved {
                    if fs::remove_file(target.join(m)).is_ok() {
                        gone += 1;
                    }
                }
                if gone > 0 {
                    let _ = sync_dir(target);
                }
                if remove_staging(&dir, &[STAGING_MARK, MARKER]).is_ok() {
                    let _ = sync_dir(target);
                    let and = if gone > 0 {
                        format!(" and the {gone} of its files it had moved into {shown_target}")
                    } else {
                        String::new()
                    };
                    tell!(
                        "note: removed {shown}{and}, the unfinished output of a brink command \
                         that was stopped"
                    );
                }
            }
            Inner::Unsure(why) => tell!(
                "note: {shown} looks like an unfinished brink output folder, but {why}; left \
                 alone. To write {shown_target} again, delete {shown} (and anything else in \
                 {shown_target} that is not yours)"
            ),
        }
    }
}

/// A name beside the target for one of this process's folders (`partial` or `old`): the
/// process's own name if it is free or holds a leftover of brink's, else one with a counter.
/// Something else of that name is never removed.
fn own_name(parent: &Path, stem: &str, kind: &str) -> Result<PathBuf> {
    let pid = std::process::id();
    for k in 0..1000 {
        let p = parent.join(if k == 0 {
            format!(".{stem}.{kind}-{pid}")
        } else {
            format!(".{stem}.{kind}-{pid}-{k}")
        });
        if fs::symlink_metadata(&p).is_err() {
            return Ok(p);
        }
        let ours = match kind {
            "partial" => is_brinks_staging(&p),
            _ => verify(&p).is_ok(),
        };
        if ours && remove_staging(&p, &[STAGING_MARK, MARKER]).is_ok() {
            return Ok(p);
        }
    }
    Err(Error::Input(format!(
        "cannot find a free name for a working folder in {}",
        parent.shown()
    )))
}

/// Each staging folder of this process as a message shows it, with the output folder it
/// stands for as the analyst gave it: a failure to write a file names the file where the
/// analyst will look for it, not in a folder that is gone when the message is read
/// ([`in_user_terms`]).
static STAGED: std::sync::Mutex<Vec<(String, String, bool)>> = std::sync::Mutex::new(Vec::new());

/// `message` with every staging folder it names replaced by its output folder, and the output
/// folder named if one was (a file of it could not be written, so nothing was: the folder is
/// as it was before the command), with whether it existed then.
pub fn in_user_terms(message: &str) -> (String, Option<(String, bool)>) {
    let staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    let mut text = message.to_string();
    let mut named = None;
    for (dir, target, existed) in staged.iter() {
        if text.contains(dir.as_str()) {
            text = text.replace(dir.as_str(), target);
            named = Some((target.clone(), *existed));
        }
    }
    (text, named)
}

/// A folder being written: claimed, locked, and staged beside its target.
pub struct Staging {
    /// The target as brink works on it: [`Staging::parent`] joined with its name.
    target: PathBuf,
    /// The target as the user gave it, for messages and the path `commit` returns.
    shown: PathBuf,
    /// The folder that holds the target, its lock and staging folder; resolved to a real path
    /// if the given one passes through `..` (see [`resolve_parent`]).
    parent: PathBuf,
    /// The target's name, as given (maybe not UTF-8).
    name: OsString,
    /// What brink's own names beside the target are made from ([`stem`]).
    stem: String,
    dir: PathBuf,
    command: String,
    /// The kind of result written ([`kind_of`]): what a folder must hold to be replaced.
    kind: String,
    /// The staging folder is inside the target, an empty folder filled in place.
    inside: bool,
    committed: bool,
    /// Parent folders the claim created, deepest first.
    created: Vec<PathBuf>,
    /// Held until the end; released (and its file removed) when dropped.
    lock: Option<Lock>,
}

impl Staging {
    /// Claims `target` for `command` (see the module's documentation) and starts writing
    /// toward it. Call it before computing anything: every refusal comes here, with exit code
    /// 2 — a path that is not brink's, a file, a link, a place that cannot be written.
    pub fn begin(target: &Path, command: &str) -> Result<Self> {
        Self::begin_as(target, command, command)
    }

    /// [`Staging::begin`] for a result of `kind` (see [`kind_of`]) written by `command`: a
    /// merge of run shards is a `run`, of compare shards a `compare`; a cross-validation is
    /// `backtest --cross-validate`. A folder brink wrote is replaced only by its own kind.
    pub fn begin_as(target: &Path, command: &str, kind: &str) -> Result<Self> {
        // `out/.` names `out`: renaming `out/.` itself fails.
        let target = &target.components().collect::<PathBuf>();
        refuse_holding_an_input(target)?;
        let (parent, name) = split(target)?;
        // The folders made here for the target are removed again if nothing is committed
        // (a request refused after the claim leaves no empty `output/` behind), and at once
        // if the claim is refused.
        let mut created = vec![];
        let claimed = make_route(target, &parent, &mut created)
            .and_then(|()| resolve_parent(target, parent))
            .and_then(|parent| Self::claim(target, parent, name, (command, kind), &created));
        if claimed.is_err() {
            remove_made(&created);
        }
        claimed
    }

    /// [`Staging::begin`] once the folders on the way exist; `created` are those it made,
    /// deepest first.
    fn claim(
        target: &Path,
        parent: PathBuf,
        name: OsString,
        (command, kind): (&str, &str),
        created: &[PathBuf],
    ) -> Result<Self> {
        if let Some(result) = result_holding(&parent) {
            return Err(Error::Input(format!(
                "refusing to write the output folder {}: it lies inside {}, a result brink \
                 wrote, which would then hold a folder it does not list and could no longer be \
                 replaced; choose a folder outside it",
                target.shown(),
                result.shown()
            )));
        }
        let stem = stem(&name);
        let where_ = format!(
            "{} (for the output folder {})",
            parent.shown(),
            target.shown()
        );
        let unwritable =
            |e: std::io::Error| cannot_write(format!("cannot write in {where_}: {e}"), &e);
        if is_protected(&parent) {
            // An append-only folder takes the lock and the staging folder but lets neither be
            // renamed or removed: the command failed after computing and left both behind.
            return Err(Error::Input(format!(
                "cannot write in {where_}: it is immutable or append-only (chattr +i or +a), so \
                 brink could not move its results into place or remove its working files; \
                 choose another --out"
            )));
        }
        let lock = match Lock::try_take(lock_path(&parent, &stem)).map_err(unwritable)? {
            TryLock::Held(l) => l,
            TryLock::Busy(pid) => {
                return Err(Error::Input(format!(
                    "{} is writing {}; wait for it to finish or choose another --out",
                    holder(&pid),
                    target.shown()
                )));
            }
        };
        clean_leftovers(&parent, (&stem, &name));
        let at = parent.join(&name);
        clean_inside(&at);
        let found = inspect(&at, kind)?;
        let inside = matches!(found, Target::Empty);
        let dir = if inside {
            // Staged inside it: the moves at the end stay on its file system (it may be a
            // mount point), and a folder brink cannot write is refused now, not after the
            // computation.
            let d = at.join(format!("{INNER_PARTIAL}{}", std::process::id()));
            fs::create_dir(&d).map_err(|e| {
                cannot_write(
                    format!("cannot write in the output folder {}: {e}", target.shown()),
                    &e,
                )
            })?;
            d
        } else {
            let d = own_name(&parent, &stem, "partial")?;
            fs::create_dir(&d).map_err(unwritable)?;
            d
        };
        let staging = Staging {
            target: at,
            shown: target.to_path_buf(),
            parent,
            name,
            stem,
            dir,
            command: command.to_string(),
            kind: kind.to_string(),
            inside,
            committed: false,
            created: created.to_vec(),
            lock: Some(lock),
        };
        File::create(staging.dir.join(STAGING_MARK)).map_err(unwritable)?;
        STAGED.lock().unwrap_or_else(|e| e.into_inner()).push((
            staging.dir.shown().to_string(),
            staging.shown.shown().to_string(),
            !matches!(found, Target::Free),
        ));
        Ok(staging)
    }

    /// The path of a file inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Writes every file of a result.
    pub fn write_all(&self, files: &[brink::report::Artifact]) -> Result<()> {
        for f in files {
            self.write(&f.name, &f.bytes)?;
        }
        Ok(())
    }

    /// Writes a whole file.
    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        let p = self.path(file);
        let mut f = File::create(&p).map_err(|e| Error::io("write", p.clone(), e))?;
        f.write_all(bytes)
            .map_err(|e| Error::io("write", p.clone(), e))
    }

    /// Flushes every file, writes the marker, and replaces the target folder with the staging
    /// folder. If the target changed while the results were computed so that it may no longer
    /// be replaced, the results are moved to a new folder beside it instead and the error says
    /// where. If a stop was asked for (Ctrl-C, SIGTERM) nothing replaces the target: the
    /// staging folder is removed and the error is an interruption.
    pub fn commit(self) -> Result<PathBuf> {
        self.finish(true)
    }

    /// As [`Staging::commit`], also after a stop was asked for (`brink run --keep-partial`).
    pub fn commit_even_if_stopped(self) -> Result<PathBuf> {
        self.finish(false)
    }

    fn finish(mut self, honour_stop: bool) -> Result<PathBuf> {
        let stopped = |target: &Path| {
            Error::Interrupted(format!(
                "stopped before the results were saved; nothing was written to {}",
                target.shown()
            ))
        };
        if honour_stop && crate::app::interrupt::requested() {
            return Err(stopped(&self.shown));
        }
        let failed = |p: &Path, e: std::io::Error| Error::io("write", p, e);
        let mut files = vec![];
        for name in entries(&self.dir)? {
            if name == STAGING_MARK || name == MARKER {
                continue;
            }
            let p = self.dir.join(&name);
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&p)
                .map_err(|e| failed(&p, e))?;
            f.sync_all().map_err(|e| failed(&p, e))?;
            let (bytes, sha256) = hash_file(&p).map_err(|e| failed(&p, e))?;
            files.push(FileEntry {
                name,
                bytes,
                sha256,
            });
        }
        let marker = Marker {
            tool: "brink".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: self.command.clone(),
            files,
        };
        let json = serde_json::to_vec_pretty(&marker).map_err(|e| Error::encode(MARKER, e))?;
        let mp = self.dir.join(MARKER);
        let mut f = File::create(&mp).map_err(|e| failed(&mp, e))?;
        f.write_all(&json).map_err(|e| failed(&mp, e))?;
        f.sync_all().map_err(|e| failed(&mp, e))?;
        drop(f);
        // The staging mark stays until nothing can stop the commit any more: a staging folder
        // removed after a stop (or cut while being removed) is known as brink's by it.
        // Flushing and hashing a large runs.csv takes seconds: a stop asked for meanwhile
        // still leaves the previous folder as it was.
        if honour_stop && crate::app::interrupt::requested() {
            return Err(stopped(&self.shown));
        }

        // What stands at the target now: nothing, an empty folder (or, for a staging folder
        // inside it, one holding only that), or a folder of brink's.
        let now = if self.inside {
            match entries(&self.target) {
                Ok(names) if names.iter().all(|n| self.target.join(n) == self.dir) => {
                    Ok(Target::Empty)
                }
                Ok(names) => Err(Error::Input(format!(
                    "refusing to fill the output folder {}: it was empty when brink started \
                     but now holds {}",
                    self.shown.shown(),
                    names
                        .iter()
                        .filter(|n| self.target.join(n) != self.dir)
                        .map(|n| crate::app::terminal::safe(n).into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
                Err(e) => Err(e),
            }
        } else {
            match inspect(&self.target, &self.kind) {
                // Free at the claim, an empty folder now (made meanwhile): not filled in place,
                // as the claim did not stage inside it.
                Ok(Target::Empty) => Err(Error::Input(format!(
                    "refusing to fill the output folder {}: it did not exist when brink started, \
                     and an empty folder was made there since",
                    self.shown.shown()
                ))),
                now => now,
            }
        };
        let now = match now {
            Ok(t) => t,
            Err(e) => return Err(self.set_aside(e)),
        };
        // Checking the old folder reads all of it (seconds for a large runs.csv): a stop asked
        // for meanwhile must still keep it. Nothing is changed before this point.
        if honour_stop && crate::app::interrupt::requested() {
            return Err(stopped(&self.shown));
        }
        self.unmark()?;
        match now {
            Target::Free => {
                match rename_no_replace(&self.dir, &self.target) {
                    Ok(()) => {}
                    // Made between the check above and the rename: the user's, kept.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        return Err(self.move_aside(Error::Input(format!(
                            "refusing to write the output folder {}: it did not exist when \
                             brink started, and something was made there since",
                            self.shown.shown()
                        ))));
                    }
                    Err(e) => return Err(Error::io("move the results into", &self.shown, e)),
                }
                self.committed = true;
                self.flush_after_commit();
            }
            Target::Empty => {
                // Filled in place: the folder (its permissions, owner, mount) is the user's.
                // Only a staging folder inside it (see above). A process stopped part way
                // leaves it to the next claim, which finishes it (`clean_inside`); a filling
                // that fails here is taken back, so that a command that says it failed leaves
                // the folder empty as it was (a reviewing helper: with an I/O error injected,
                // the next command, of another kind, finished the failed one's result).
                self.committed = true;
                match fill(&self.dir, &self.target) {
                    Ok(()) => {}
                    Err((e, Filled::Whole)) => tell!(
                        "note: the results are whole in {}, but {} ({e})",
                        crate::app::terminal::path(&self.shown),
                        "the folder they were moved from could not be removed or the move not \
                         flushed to disk"
                    ),
                    Err((e, Filled::NotYet)) => {
                        let taken_back = unfill(&self.dir, &self.target);
                        // Removed on drop, as a staging folder never committed is.
                        self.committed = !taken_back;
                        if !taken_back {
                            tell!(
                                "note: {} holds part of the results, which the next brink \
                                 command writing there finishes or removes",
                                crate::app::terminal::path(&self.shown)
                            );
                        }
                        return Err(Error::io("move the results into", &self.shown, e));
                    }
                }
            }
            Target::Brinks => self.replace()?,
        }
        // A stop asked for after the last check above found the results already on their
        // way into place: they are whole, and the exit is a success; said, so that the
        // "stopping" line printed meanwhile does not read as a lost result.
        if honour_stop && crate::app::interrupt::requested() {
            tell!(
                "note: the stop came as the results were being moved into place; they are \
                 whole in {}",
                crate::app::terminal::path(&self.reachable())
            );
        }
        Ok(self.reachable())
    }

    /// The path the results are reached by once the command has ended: as the user gave it,
    /// unless it passes through `..` and a folder made only on the way, which is removed when
    /// the command ends (`tmp/../r` no longer names anything once `tmp` is gone); then the
    /// real path the results were written to.
    fn reachable(&self) -> PathBuf {
        if through_parent(&self.shown) && !self.created.is_empty() {
            self.target.clone()
        } else {
            self.shown.clone()
        }
    }

    /// Replaces the target, a whole folder of brink's, by the staging folder: the old one is
    /// renamed aside, the new one into place, and the old one removed.
    fn replace(&mut self) -> Result<()> {
        // The new folder takes the old one's access: a folder its owner made private (700)
        // stays so, as it did when brink first filled it in place.
        if let Ok(meta) = fs::symlink_metadata(&self.target) {
            keep_access(&meta, &self.target, &self.dir);
        }
        let old = own_name(&self.parent, &self.stem, "old")?;
        rename_no_replace(&self.target, &old).map_err(|e| Error::io("replace", &self.shown, e))?;
        if let Err(e) = rename_no_replace(&self.dir, &self.target) {
            let _ = rename_no_replace(&old, &self.target);
            return Err(Error::io("move the results into", &self.shown, e));
        }
        self.committed = true;
        self.flush_after_commit();
        // Checked again now that it is out of the way: a file someone put in it since it
        // was first checked is theirs, and the folder is kept.
        match verify(&old) {
            Ok(m) => {
                // Said, since a default folder is reused: a back-test of the calibrated copy
                // replaced the one with the priors without a word (a reviewing helper).
                tell!(
                    "note: replaced the earlier result of `brink {}` in {}",
                    crate::app::terminal::safe(&kind_of(&m)),
                    crate::app::terminal::path(&self.shown)
                );
                // Its marker last: a removal cut part way leaves a folder the next claim
                // still knows as brink's (its marker and files it lists) and removes.
                if let Err(e) = remove_staging(&old, &[MARKER]) {
                    tell!(
                        "note: the previous results of {} could not be removed ({}); they are \
                         kept as {}",
                        crate::app::terminal::path(&self.shown),
                        crate::app::terminal::safe(&e.to_string()),
                        crate::app::terminal::path(&old)
                    );
                }
            }
            Err(why) => {
                let kept = (1..1000)
                    .map(|k| {
                        let n = beside(&self.name, &self.stem, &format!(".previous-{k}"));
                        self.parent.join(n)
                    })
                    .find(|p| fs::symlink_metadata(p).is_err());
                let kept = match kept {
                    Some(p) if rename_no_replace(&old, &p).is_ok() => p,
                    _ => old.clone(),
                };
                tell!(
                    "note: {} changed while brink replaced it ({}); the previous folder is \
                     kept as {}",
                    crate::app::terminal::path(&self.shown),
                    crate::app::terminal::safe(&message(&why)),
                    crate::app::terminal::path(&kept)
                );
            }
        }
        Ok(())
    }

    /// Flushes the folder holding the results once they are in place. A failure is told, not
    /// returned: the results are there and the previous ones gone, so an error would say the
    /// command failed with its results in place.
    fn flush_after_commit(&self) {
        if let Err(e) = sync_dir(&self.parent) {
            tell!(
                "warning: the results are in {}, but the folder holding it could not be flushed \
                 to disk ({}); a crash of the machine now could lose them",
                crate::app::terminal::path(&self.shown),
                crate::app::terminal::safe(&e.to_string())
            );
        }
    }

    /// Removes the staging mark of a finished staging folder, which is then whole.
    fn unmark(&self) -> Result<()> {
        let failed = |p: &Path, e: std::io::Error| Error::io("write", p, e);
        let sp = self.dir.join(STAGING_MARK);
        fs::remove_file(&sp).map_err(|e| failed(&sp, e))?;
        sync_dir(&self.dir).map_err(|e| failed(&self.dir, e))
    }

    /// Moves finished results that may not replace the target to a new folder beside it.
    fn set_aside(&mut self, why: Error) -> Error {
        if let Err(e) = self.unmark() {
            return e;
        }
        self.move_aside(why)
    }

    /// As [`Self::set_aside`], for a staging folder already unmarked.
    fn move_aside(&mut self, why: Error) -> Error {
        for k in 1..1000 {
            let p = self
                .parent
                .join(beside(&self.name, &self.stem, &format!(".new-{k}")));
            if fs::symlink_metadata(&p).is_ok() {
                continue;
            }
            match rename_no_replace(&self.dir, &p) {
                Ok(()) => {
                    self.committed = true;
                    return Error::Input(format!(
                        "{}\n(the folder changed while brink was computing; the results are in \
                         {})",
                        message(&why),
                        p.shown()
                    ));
                }
                // Taken since the check just above: the next name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(_) => break,
            }
        }
        why
    }
}

/// An error's message without its "error: " prefix.
fn message(e: &Error) -> String {
    match e {
        Error::Input(m) | Error::Failed(m) | Error::Interrupted(m) => m.clone(),
        e => e.to_string(),
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Marked again first (the mark is gone if the commit failed after it): a removal
            // cut part way leaves a folder the next claim knows as brink's.
            let _ = open_no_follow(&self.dir.join(STAGING_MARK), true);
            let _ = remove_staging(&self.dir, &[STAGING_MARK]);
        }
        // The lock file lives in the deepest created folder: released first. After a commit
        // the folders that hold the results are not empty and stay; those made only on the
        // way (`a/../b/../result` makes `a` and `a/../b`) are empty and go.
        self.lock.take();
        remove_made(&self.created);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names_parse() {
        assert_eq!(leftover(".ra.partial-123"), Some(("ra", "partial")));
        assert_eq!(leftover(".ra.x.old-9"), Some(("ra.x", "old")));
        assert_eq!(leftover(".ra.partial-"), None);
        assert_eq!(leftover("ra.partial-12"), None);
        assert_eq!(leftover(".ra.partial-12a"), None);
        assert_eq!(leftover(".ra.brink-lock"), None);
    }

    #[test]
    fn every_name_brink_derives_fits_and_stems_are_distinct() {
        let pid = u32::MAX;
        // An odd length puts every character boundary at an odd byte: a cut must find one.
        let long = |n: usize| OsString::from("x".repeat(n % 2) + &"é".repeat(n / 2));
        let mut seen = std::collections::BTreeSet::new();
        for n in 1..=NAME_MAX {
            let name = long(n);
            let st = stem(&name);
            assert!(seen.insert(st.clone()), "{n}: {st}");
            for derived in [
                format!(".{st}.brink-lock"),
                format!(".{st}.partial-{pid}-999"),
                format!(".{st}.old-{pid}-999"),
            ] {
                assert!(derived.len() <= NAME_MAX, "{n}: {derived}");
                // Recognised as brink's, with this stem.
                assert!(
                    derived.ends_with(".brink-lock")
                        || leftover(&derived).is_some_and(|(x, _)| x == st),
                    "{derived}"
                );
            }
            for suffix in [".new-999", ".previous-999"] {
                let b = beside(&name, &st, suffix);
                assert!(b.len() <= NAME_MAX, "{n}: {b:?}");
                // The name itself where it fits.
                assert_eq!(b.len() == n + suffix.len(), n + suffix.len() <= NAME_MAX);
            }
            // A name is kept whole as far as it can be.
            assert_eq!(st == name.to_str().unwrap(), n <= STEM_MAX, "{n}");
        }
        // A name that looks shortened is shortened itself: it cannot be taken for another
        // name's stem.
        let other = stem(&long(250));
        assert!(is_shortened(&other));
        assert_ne!(stem(OsStr::new(&other)), other);
        assert!(!is_shortened("results"));
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let a = stem(OsStr::from_bytes(b"r\xff"));
            let b = stem(OsStr::from_bytes(b"r\xfe"));
            assert!(a.starts_with("r\u{fffd}~") && is_shortened(&a), "{a}");
            assert_ne!(a, b);
        }
    }

    #[test]
    fn paths_that_name_no_folder_are_refused() {
        for p in [".", "..", "/", "a/..", ""] {
            assert!(split(Path::new(p)).is_err(), "{p:?}");
        }
        assert_eq!(
            split(Path::new("out")).unwrap(),
            (PathBuf::from("."), "out".into())
        );
        assert_eq!(
            split(Path::new("a/b/c")).unwrap(),
            (PathBuf::from("a/b"), "c".into())
        );
    }

    /// `tmp/../r1` and `tmp/../r2` at once, `tmp` made by the first: the first ends and removes
    /// `tmp` (made only on the way, empty) while the second still writes. The second went on
    /// through `tmp/..`, failed at its first file and left its lock and staging folder behind.
    #[test]
    fn a_folder_on_the_way_removed_meanwhile_does_not_strand_a_claim() {
        let base = std::env::temp_dir().join(format!("brink-route-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir(&base).unwrap();
        let given = base.join("tmp/../r2");
        let staging = Staging::begin(&given, "brink run").unwrap();
        assert!(base.join("tmp").is_dir());
        fs::remove_dir(base.join("tmp")).unwrap();
        staging.write("a.txt", b"a").unwrap();
        // Returned as the real path: `tmp/../r2` names nothing once `tmp` is gone.
        let wrote = staging.commit().unwrap();
        assert_eq!(wrote, fs::canonicalize(&base).unwrap().join("r2"));
        assert_eq!(fs::read(wrote.join("a.txt")).unwrap(), b"a");
        verify(&base.join("r2")).unwrap();
        let mut left = entries(&base).unwrap();
        left.sort();
        assert_eq!(left, ["r2"]);
        fs::remove_dir_all(&base).unwrap();
    }

    /// An empty folder of the user's, made private (700), is filled in place and keeps its
    /// access; the second result into it replaced it by a rename, and the new folder had the
    /// umask's 755: results the user had kept private became readable by all.
    #[cfg(unix)]
    #[test]
    fn a_replaced_folder_keeps_its_owners_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let base = std::env::temp_dir().join(format!("brink-access-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir(&base).unwrap();
        let out = base.join("private");
        fs::create_dir(&out).unwrap();
        fs::set_permissions(&out, fs::Permissions::from_mode(0o700)).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        for round in 0..3 {
            let staging = Staging::begin(&out, "brink run").unwrap();
            staging
                .write("a.txt", format!("{round}").as_bytes())
                .unwrap();
            staging.commit().unwrap();
            assert_eq!(mode(&out), 0o700, "round {round}");
            assert_eq!(
                fs::read(out.join("a.txt")).unwrap(),
                format!("{round}").as_bytes()
            );
        }
        // An access control list (user 1234 may, the owning group may not; the mode's group
        // bits are its mask, rwx) is kept: the mode alone gave the group rwx and 1234 nothing.
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::ffi::OsStrExt;
            let acl_dir = base.join("acl");
            fs::create_dir(&acl_dir).unwrap();
            let mut acl = 2u32.to_le_bytes().to_vec();
            for (tag, perm, id) in [
                (1u16, 7u16, u32::MAX),
                (2, 7, 1234),
                (4, 0, u32::MAX),
                (0x10, 7, u32::MAX),
                (0x20, 0, u32::MAX),
            ] {
                acl.extend(tag.to_le_bytes());
                acl.extend(perm.to_le_bytes());
                acl.extend(id.to_le_bytes());
            }
            let name = c"system.posix_acl_access";
            let read = |p: &Path| {
                let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
                let mut buf = vec![0u8; 4096];
                // SAFETY: NUL-terminated strings and a buffer of the length given.
                let n = unsafe {
                    libc::lgetxattr(c.as_ptr(), name.as_ptr(), buf.as_mut_ptr().cast(), 4096)
                };
                buf.truncate(n.max(0) as usize);
                buf
            };
            let c = std::ffi::CString::new(acl_dir.as_os_str().as_bytes()).unwrap();
            // SAFETY: as above.
            let set = unsafe {
                libc::lsetxattr(c.as_ptr(), name.as_ptr(), acl.as_ptr().cast(), acl.len(), 0)
            };
            if set == 0 {
                for round in 0..2 {
                    let staging = Staging::begin(&acl_dir, "brink run").unwrap();
                    staging.write("a.txt", b"a").unwrap();
                    staging.commit().unwrap();
                    assert_eq!(read(&acl_dir), acl, "round {round}");
                    assert_eq!(mode(&acl_dir), 0o770, "round {round}");
                }
            } else {
                eprintln!("note: no access control lists here; that part not checked");
            }
        }
        // A folder brink made itself keeps the mode it was made with, as before.
        let made = base.join("made");
        Staging::begin(&made, "brink run")
            .unwrap()
            .commit()
            .unwrap();
        let first = mode(&made);
        Staging::begin(&made, "brink run")
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(mode(&made), first);
        fs::remove_dir_all(&base).unwrap();
    }

    /// A plain rename replaces an empty folder or a file silently: one made at the output
    /// path between brink's check and its rename would have been lost. The rename brink uses
    /// refuses to replace anything.
    #[test]
    fn the_rename_into_place_replaces_nothing() {
        let base = std::env::temp_dir().join(format!("brink-noreplace-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir(&base).unwrap();
        let results = base.join("results");
        fs::create_dir(&results).unwrap();
        fs::write(results.join("a.txt"), b"a").unwrap();
        let empty = base.join("empty");
        fs::create_dir(&empty).unwrap();
        let file = base.join("file");
        fs::write(&file, b"theirs").unwrap();
        for taken in [&empty, &file] {
            let e = rename_no_replace(&results, taken).unwrap_err();
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::AlreadyExists,
                "{taken:?}: {e}"
            );
        }
        assert!(empty.is_dir() && entries(&empty).unwrap().is_empty());
        assert_eq!(fs::read(&file).unwrap(), b"theirs");
        assert_eq!(fs::read(results.join("a.txt")).unwrap(), b"a");
        // A free name is taken as a rename does.
        rename_no_replace(&results, &base.join("moved")).unwrap();
        assert_eq!(fs::read(base.join("moved/a.txt")).unwrap(), b"a");
        assert!(!results.exists());
        fs::remove_dir_all(&base).unwrap();
    }

    /// A filling in place that fails before its marker is in is taken back: the files moved in
    /// return to the staging folder, a file linked in twice (its staged name's removal failed)
    /// loses its second name, and so does the marker, so that the output folder is empty as
    /// it was (a reviewing helper injected I/O errors: the next command finished the failed
    /// one's result).
    #[test]
    fn a_failed_filling_is_taken_back() {
        let base = std::env::temp_dir().join(format!("brink-unfill-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let (staging, target) = (base.join("staging"), base.join("target"));
        fs::create_dir_all(&staging).unwrap();
        fs::create_dir(&target).unwrap();
        let mut files = vec![];
        for (n, b) in [("a.csv", "a"), ("b.csv", "bb"), ("c.csv", "ccc")] {
            fs::write(staging.join(n), b).unwrap();
            let (bytes, sha256) = hash_file(&staging.join(n)).unwrap();
            files.push(FileEntry {
                name: n.into(),
                bytes,
                sha256,
            });
        }
        let marker = Marker {
            tool: "brink".into(),
            version: "0".into(),
            command: "run".into(),
            files,
        };
        fs::write(staging.join(MARKER), serde_json::to_vec(&marker).unwrap()).unwrap();
        move_no_replace(&staging.join("a.csv"), &target.join("a.csv")).unwrap();
        fs::hard_link(staging.join("b.csv"), target.join("b.csv")).unwrap();
        fs::hard_link(staging.join(MARKER), target.join(MARKER)).unwrap();
        assert!(unfill(&staging, &target));
        assert!(
            entries(&target).unwrap().is_empty(),
            "{:?}",
            entries(&target)
        );
        let mut back = entries(&staging).unwrap();
        back.sort();
        assert_eq!(back, [MARKER, "a.csv", "b.csv", "c.csv"]);
        assert_eq!(fs::read(staging.join("a.csv")).unwrap(), b"a");
        fs::remove_dir_all(&base).unwrap();
    }

    /// A command killed while removing the folder it replaced left `.r.old-PID` with part of
    /// its files; removed in directory order, its marker was often gone first, and no later
    /// command recognised it (a note on every run). Now the marker goes last, and a folder
    /// left with its marker and files it lists, byte for byte, is removed by the next claim.
    #[test]
    fn a_replaced_folder_cut_while_being_removed_is_cleaned_up() {
        let base = std::env::temp_dir().join(format!("brink-old-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir(&base).unwrap();
        let write = |files: &[(&str, &[u8])]| {
            let staging = Staging::begin(&base.join("r"), "brink run").unwrap();
            for (n, b) in files {
                staging.write(n, b).unwrap();
            }
            staging.commit().unwrap();
        };
        write(&[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]);
        // The old results as a removal cut part way leaves them.
        let old = base.join(".r.old-4242");
        fs::create_dir(&old).unwrap();
        for n in [MARKER, "c.txt"] {
            fs::copy(base.join("r").join(n), old.join(n)).unwrap();
        }
        write(&[("a.txt", b"new")]);
        assert!(!old.exists(), "{:?}", entries(&base).unwrap());
        let mut left = entries(&base).unwrap();
        left.sort();
        assert_eq!(left, ["r"]);
        // One holding a file its marker does not list is someone's: left alone.
        fs::create_dir(&old).unwrap();
        fs::copy(base.join("r").join(MARKER), old.join(MARKER)).unwrap();
        fs::write(old.join("mine.txt"), b"mine").unwrap();
        write(&[("a.txt", b"newer")]);
        assert!(old.join("mine.txt").is_file());
        fs::remove_dir_all(&base).unwrap();
    }
}
