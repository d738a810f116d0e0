//! What a caller can choose for an import or an export, and where exports go by default.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::account::Platform;
use crate::store::AccountFilter;

/// The file name TikTok exports use by default, as TikMatrix names it.
pub const DEFAULT_FILE_NAME: &str = "accounts.xlsx";

/// The file name Instagram exports use by default: not the TikTok one, so that
/// exporting one platform never replaces the other's file.
pub const INSTAGRAM_FILE_NAME: &str = "accounts-instagram.xlsx";

/// The default export file name of `platform`.
pub fn default_file_name(platform: Platform) -> &'static str {
    match platform {
        Platform::TikTok => DEFAULT_FILE_NAME,
        Platform::Instagram => INSTAGRAM_FILE_NAME,
    }
}

/// Most data rows an import reads unless told otherwise. One million is what an
/// export of the largest supported fleet writes; a full 1,048,576-row sheet is refused.
pub const DEFAULT_MAX_ROWS: usize = 1_000_000;

/// What to do with a row without `id` whose username already exists in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnDuplicate {
    /// Report the row as an error (the default): nothing is written unless
    /// invalid rows are skipped.
    #[default]
    Error,
    /// Update the existing account with the row's values.
    Update,
    /// Leave the existing account alone and count the row as skipped.
    Skip,
}

/// Options of [`crate::Workspace::import_xlsx`] and [`crate::Workspace::import_legacy_text`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportOptions {
    /// The platform the rows are imported into (a sheet does not say which it is).
    pub platform: Platform,
    /// Validate and report what would happen without writing anything.
    pub dry_run: bool,
    /// Write the valid rows and skip the invalid ones (which are still reported);
    /// by default a single invalid row means nothing is written.
    pub skip_invalid: bool,
    /// What a row without `id` naming an existing username does.
    pub on_duplicate: OnDuplicate,
    /// Most data rows read; a larger file is refused before any row is applied.
    pub max_rows: usize,
    /// Refuse rows whose `id` no account here has. By default such a row (from
    /// a sheet exported by another workspace) updates the account with its
    /// username, or creates the account when there is none; the report counts
    /// both kinds. An id held by an account of the other platform is always an
    /// error (the sheet is likely of the wrong platform).
    pub strict_ids: bool,
}

impl ImportOptions {
    /// Defaults for `platform`: apply, all or nothing, duplicates are errors,
    /// unknown ids matched by username.
    pub fn new(platform: Platform) -> Self {
        ImportOptions {
            platform,
            dry_run: false,
            skip_invalid: false,
            on_duplicate: OnDuplicate::Error,
            max_rows: DEFAULT_MAX_ROWS,
            strict_ids: false,
        }
    }

    /// Sets whether unknown ids are row errors instead of matched by username.
    pub fn strict_ids(mut self, strict: bool) -> Self {
        self.strict_ids = strict;
        self
    }

    /// Sets dry run.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Sets whether invalid rows are skipped instead of failing the import.
    pub fn skip_invalid(mut self, skip: bool) -> Self {
        self.skip_invalid = skip;
        self
    }

    /// Sets what an existing username in a row without `id` does.
    pub fn on_duplicate(mut self, on_duplicate: OnDuplicate) -> Self {
        self.on_duplicate = on_duplicate;
        self
    }

    /// Sets the row limit.
    pub fn max_rows(mut self, max_rows: usize) -> Self {
        self.max_rows = max_rows;
        self
    }
}

/// Options of [`crate::Workspace::export_xlsx`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExportOptions {
    /// The platform exported: decides the columns (Instagram stops after `tags`).
    pub platform: Platform,
    /// Which accounts are written (status, tag, device...); its `platform` is
    /// replaced by [`ExportOptions::platform`].
    pub filter: AccountFilter,
    /// Write the `pwd` column (passwords and 2FA keys). Without it the column
    /// is left out entirely, so re-importing the file leaves passwords as they
    /// are. With it, an encrypted workspace opened without its key refuses
    /// the export (`Key`) before writing anything.
    pub include_passwords: bool,
    /// Write the `id` column. Without it the file is a template of new accounts:
    /// importing it into another workspace creates them (ids are per workspace).
    pub include_ids: bool,
    /// Append a `health` column after TikMatrix's: each account's health state
    /// (`ok`, `banned`...; blank before any workflow). Import ignores it.
    pub include_health: bool,
}

impl ExportOptions {
    /// Every account of `platform`, ids and passwords included.
    pub fn new(platform: Platform) -> Self {
        ExportOptions {
            platform,
            filter: AccountFilter::default(),
            include_passwords: true,
            include_ids: true,
            include_health: false,
        }
    }

    /// Sets the filter.
    pub fn filter(mut self, filter: AccountFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Sets whether passwords are written.
    pub fn include_passwords(mut self, include: bool) -> Self {
        self.include_passwords = include;
        self
    }

    /// Sets whether ids are written.
    pub fn include_ids(mut self, include: bool) -> Self {
        self.include_ids = include;
        self
    }

    /// Sets whether the `health` column is appended.
    pub fn include_health(mut self, include: bool) -> Self {
        self.include_health = include;
        self
    }
}

/// [`default_file_name`] of `platform` in the user's download folder:
/// `$XDG_DOWNLOAD_DIR` when set to an absolute path, else `Downloads` in the
/// home folder (`$HOME`, or `%USERPROFILE%` on Windows), else the current directory.
pub fn default_export_path(platform: Platform) -> PathBuf {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"));
    download_dir(std::env::var_os("XDG_DOWNLOAD_DIR"), home)
        .unwrap_or_default()
        .join(default_file_name(platform))
}

/// The download folder from the environment's values, if they name one.
fn download_dir(xdg: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let absolute = |v: OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    xdg.and_then(absolute)
        .or_else(|| home.and_then(absolute).map(|h| h.join("Downloads")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_dir_prefers_xdg_then_home() {
        let xdg = Some(OsString::from("/data/dl"));
        let home = Some(OsString::from("/home/op"));
        assert_eq!(
            download_dir(xdg, home.clone()),
            Some(PathBuf::from("/data/dl"))
        );
        assert_eq!(
            download_dir(None, home.clone()),
            Some(PathBuf::from("/home/op/Downloads"))
        );
        assert_eq!(
            download_dir(Some(OsString::from("relative")), home),
            Some(PathBuf::from("/home/op/Downloads"))
        );
        assert_eq!(download_dir(None, None), None);
        assert!(default_export_path(Platform::TikTok).ends_with(DEFAULT_FILE_NAME));
        assert!(default_export_path(Platform::Instagram).ends_with(INSTAGRAM_FILE_NAME));
        assert_ne!(DEFAULT_FILE_NAME, INSTAGRAM_FILE_NAME);
    }
}
