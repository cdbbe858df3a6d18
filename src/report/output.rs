//! The output folder, written atomically: everything goes to a staging folder beside the
//! target, which replaces the target only when every file is complete. An interrupted or failed
//! run leaves the previous results as they were, and a new run never mixes with an old one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A folder being written.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Starts writing toward `target` (created on commit).
    pub fn begin(target: &Path) -> Result<Self> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .map_err(|e| Error::Failed(format!("cannot create {}: {e}", parent.display())))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let dir = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if dir.exists() {
            let _ = fs::remove_dir_all(&dir);
        }
        fs::create_dir(&dir)
            .map_err(|e| Error::Failed(format!("cannot create {}: {e}", dir.display())))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
        })
    }

    /// The path of a file inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Writes a whole file.
    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        let p = self.path(file);
        let mut f = fs::File::create(&p)
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", p.display())))?;
        f.write_all(bytes)
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", p.display())))
    }

    /// Replaces the target folder with the staging folder.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| {
                Error::Failed(format!("cannot replace {}: {e}", self.target.display()))
            })?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::Failed(format!(
                "cannot move results into {}: {e}",
                self.target.display()
            )));
        }
        if had_old {
            let _ = fs::remove_dir_all(&old);
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
