//! Where an export may be written, and the temporary file it is written to.
//!
//! An export replaces its target only when the target is not an SQLite
//! database (a workspace, perhaps the very one being exported) nor one of its
//! `-wal`, `-shm` or `-journal` files. The workbook is written to a temporary
//! file beside the target (mode 0600, like the export it becomes) that holds
//! a lock while it is written; a temporary file that a killed export left
//! behind holds none, and the next export beside the same target removes it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Read;
use std::path::Path;

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuses a target that is an SQLite database or one of its side files.
pub(crate) fn check_target(path: &Path) -> Result<()> {
    let refuse = |what: &str| {
        Err(Error::validation(
            "export",
            format!(
                "{} is {what}; an export never replaces one (a workspace could be lost): \
                 choose another file",
                path.display()
            ),
        ))
    };
    if is_sqlite(path) {
        return refuse("an SQLite database");
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    for side in ["-wal", "-shm", "-journal"] {
        if let Some(base) = name.as_deref().and_then(|n| n.strip_suffix(side)) {
            if is_sqlite(&path.with_file_name(base)) {
                return refuse("a side file of an SQLite database");
            }
        }
    }
    Ok(())
}

/// True when the file at `path` starts as an SQLite database does.
fn is_sqlite(path: &Path) -> bool {
    let mut head = [0u8; 16];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == SQLITE_MAGIC)
}

/// A new, locked temporary file beside `target`, after removing the ones
/// killed exports left there.
pub(crate) fn temp_beside(target: &Path) -> Result<NamedTempFile> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    remove_stale(dir, &prefix);
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.as_file().try_lock().map_err(|e| match e {
        TryLockError::Error(e) => Error::io(tmp.path(), e),
        TryLockError::WouldBlock => Error::io(
            tmp.path(),
            std::io::Error::other("a new temporary file is locked by another process"),
        ),
    })?;
    Ok(tmp)
}

/// Removes the temporary files named `PREFIX….tmp` in `dir` that no export
/// holds locked: what exports killed mid-write left. Best effort: a file that
/// cannot be opened or removed is left for the next export.
fn remove_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(prefix) && name.ends_with(".tmp")) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = OpenOptions::new().write(true).open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() {
            let _ = std::fs::remove_file(&path);
        }
    }
}
