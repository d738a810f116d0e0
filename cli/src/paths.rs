//! Where the workspace lives when `--workspace` is not given, and opening it:
//! a file, or a `postgres://` URL (a roster shared by several PCs).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use farmhand::{Error, Result, Workspace};

/// Environment variable naming the workspace file or URL.
pub const WORKSPACE_ENV: &str = "FARMHAND_WORKSPACE";

/// The workspace file: `--workspace`, else `$FARMHAND_WORKSPACE`, else
/// `farmhand/workspace.db` in the user's data directory.
pub fn workspace_path(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os(WORKSPACE_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let env = |name| std::env::var_os(name);
    data_dir(
        env("XDG_DATA_HOME"),
        env("HOME"),
        env("APPDATA"),
        std::env::consts::OS,
    )
    .map(|dir| dir.join("farmhand").join("workspace.db"))
    .ok_or_else(|| {
        Error::validation(
            "--workspace",
            format!("no data directory is known (HOME is not set): pass --workspace or set {WORKSPACE_ENV}"),
        )
    })
}

/// The user's data directory for `os`: `%APPDATA%` on Windows,
/// `~/Library/Application Support` on macOS, `$XDG_DATA_HOME` (when absolute)
/// or `~/.local/share` elsewhere.
fn data_dir(
    xdg: Option<OsString>,
    home: Option<OsString>,
    appdata: Option<OsString>,
    os: &str,
) -> Option<PathBuf> {
    let absolute = |v: OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let home = home.and_then(absolute);
    match os {
        "windows" => appdata.and_then(absolute),
        "macos" => home.map(|h| h.join("Library").join("Application Support")),
        _ => xdg
            .and_then(absolute)
            .or_else(|| home.map(|h| h.join(".local").join("share"))),
    }
}

/// True when `path` is a `postgres://` URL rather than a file.
pub fn is_url(path: &Path) -> bool {
    path.to_str().is_some_and(farmhand::store::is_postgres_url)
}

/// True when there is a workspace at `path`: a file that exists, or a URL
/// (the server says whether it can be reached, when it is opened).
pub fn workspace_exists(path: &Path) -> bool {
    is_url(path) || path.exists()
}

/// Opens the workspace at `path`. With `create`, a missing file (and, for the
/// default location, its folder) is created; without, a missing file is `NotFound`,
/// so a mistyped path never leaves an empty workspace behind. A URL is opened
/// as it is (its password never shows in an error).
pub fn open_workspace(path: &Path, create: bool) -> Result<Workspace> {
    if !workspace_exists(path) {
        if !create {
            return Err(Error::not_found(format!(
                "workspace {} (add accounts with `farmhand import` or `farmhand accounts add`)",
                path.display()
            )));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
    }
    Workspace::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &str) -> Option<OsString> {
        Some(OsString::from(v))
    }

    #[test]
    fn linux_prefers_an_absolute_xdg_data_home_then_home() {
        assert_eq!(
            data_dir(os("/data"), os("/home/op"), None, "linux"),
            Some(PathBuf::from("/data"))
        );
        assert_eq!(
            data_dir(os("relative"), os("/home/op"), None, "linux"),
            Some(PathBuf::from("/home/op/.local/share"))
        );
        assert_eq!(data_dir(None, None, None, "linux"), None);
    }

    #[test]
    fn macos_and_windows_use_their_own_folders() {
        assert_eq!(
            data_dir(os("/data"), os("/Users/op"), None, "macos"),
            Some(PathBuf::from("/Users/op/Library/Application Support"))
        );
        assert_eq!(
            data_dir(None, None, os("/appdata"), "windows"),
            Some(PathBuf::from("/appdata"))
        );
    }

    #[test]
    fn the_flag_wins() {
        assert_eq!(
            workspace_path(Some(Path::new("x.db"))).unwrap(),
            PathBuf::from("x.db")
        );
    }

    #[test]
    fn a_url_is_not_a_file_to_create() {
        let url = Path::new("postgres://farm:pw@127.0.0.1:1/roster");
        assert!(is_url(url) && workspace_exists(url));
        let err = open_workspace(url, true).err().unwrap().to_string();
        assert!(!err.contains("pw@"), "{err}");
        assert!(
            !Path::new("postgres:").exists(),
            "no folder was made for it"
        );
    }

    #[test]
    fn a_missing_workspace_is_not_created_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("ws.db");
        let err = open_workspace(&path, false).err().unwrap();
        assert_eq!(err.kind(), farmhand::ErrorKind::NotFound);
        assert!(!path.exists());
        open_workspace(&path, true).unwrap();
        assert!(path.exists());
    }
}
