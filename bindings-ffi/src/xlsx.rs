//! `accounts.xlsx` import and export: options, the import report with its row
//! errors, and the export summary.

use farmhand::xlsx;

use crate::account::{AccountFilter, Platform};

/// What a row without `id` naming an existing username does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OnDuplicate {
    /// Reports the row as an error (the engine's default).
    Error,
    /// Updates the existing account with the row's values.
    Update,
    /// Leaves the existing account alone and counts the row as skipped.
    Skip,
}

impl From<OnDuplicate> for xlsx::OnDuplicate {
    fn from(on: OnDuplicate) -> Self {
        match on {
            OnDuplicate::Error => xlsx::OnDuplicate::Error,
            OnDuplicate::Update => xlsx::OnDuplicate::Update,
            OnDuplicate::Skip => xlsx::OnDuplicate::Skip,
        }
    }
}

/// How an import runs; every field but `platform` defaults to the engine's default.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportOptions {
    /// The platform the rows are imported into (a sheet does not say).
    pub platform: Platform,
    /// Validate and report without writing anything.
    #[uniffi(default = false)]
    pub dry_run: bool,
    /// Write the valid rows and skip (but report) the invalid ones; by default
    /// one invalid row means nothing is written.
    #[uniffi(default = false)]
    pub skip_invalid: bool,
    /// What a row without `id` naming an existing username does (default: error).
    #[uniffi(default)]
    pub on_duplicate: Option<OnDuplicate>,
    /// Most data rows read (default: the engine's limit, one million).
    #[uniffi(default)]
    pub max_rows: Option<u64>,
}

impl From<ImportOptions> for xlsx::ImportOptions {
    fn from(o: ImportOptions) -> Self {
        let defaults = xlsx::ImportOptions::new(o.platform.into());
        xlsx::ImportOptions {
            dry_run: o.dry_run,
            skip_invalid: o.skip_invalid,
            on_duplicate: o.on_duplicate.map_or(defaults.on_duplicate, Into::into),
            max_rows: o.max_rows.map_or(defaults.max_rows, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            }),
            ..defaults
        }
    }
}

/// What happened to the workspace in an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ImportOutcome {
    /// The changes were written, in one atomic batch.
    Applied,
    /// Dry run: the counts say what would be written; nothing was.
    DryRun,
    /// Invalid rows (listed in `errors`) and no `skip_invalid`: nothing was written.
    Rejected,
}

impl From<xlsx::ImportOutcome> for ImportOutcome {
    fn from(o: xlsx::ImportOutcome) -> Self {
        match o {
            xlsx::ImportOutcome::Applied => ImportOutcome::Applied,
            xlsx::ImportOutcome::DryRun => ImportOutcome::DryRun,
            xlsx::ImportOutcome::Rejected => ImportOutcome::Rejected,
        }
    }
}

/// One problem with one row; the reason never contains a password or 2FA key.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RowError {
    /// 1-based row number as the spreadsheet shows it.
    pub row: u32,
    /// The column concerned (e.g. `status`), when the problem is one cell's.
    pub column: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl From<xlsx::RowError> for RowError {
    fn from(e: xlsx::RowError) -> Self {
        RowError {
            row: e.row,
            column: e.column,
            reason: e.reason,
        }
    }
}

/// What an import did (or would do), and every invalid row.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportReport {
    /// Whether anything was written.
    pub outcome: ImportOutcome,
    /// The sheet that was read.
    pub sheet: String,
    /// Rows that create (or would create) an account.
    pub created: u64,
    /// Rows that change (or would change) an existing account.
    pub updated: u64,
    /// Rows identical to their account.
    pub unchanged: u64,
    /// Rows not applied (duplicates skipped, invalid rows skipped).
    pub skipped: u64,
    /// Every invalid row, in sheet order.
    pub errors: Vec<RowError>,
    /// Header names that are not farmhand columns; their cells were ignored.
    pub unknown_columns: Vec<String>,
    /// Known columns this import ignores (the stats columns for Instagram).
    pub ignored_columns: Vec<String>,
}

impl From<xlsx::ImportReport> for ImportReport {
    fn from(r: xlsx::ImportReport) -> Self {
        ImportReport {
            outcome: r.outcome.into(),
            sheet: r.sheet,
            created: r.created as u64,
            updated: r.updated as u64,
            unchanged: r.unchanged as u64,
            skipped: r.skipped as u64,
            errors: r.errors.into_iter().map(Into::into).collect(),
            unknown_columns: r.unknown_columns,
            ignored_columns: r.ignored_columns,
        }
    }
}

/// Which accounts an export writes, and which columns.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportOptions {
    /// The platform exported: decides the columns (Instagram stops after `tags`).
    pub platform: Platform,
    /// Which of the platform's accounts are written (its `platform` is ignored).
    #[uniffi(default)]
    pub filter: AccountFilter,
    /// Write the `pwd` column; without it re-importing leaves passwords as they are.
    #[uniffi(default = true)]
    pub include_passwords: bool,
    /// Write the `id` column; without it the file is a template of new accounts.
    #[uniffi(default = true)]
    pub include_ids: bool,
}

impl From<ExportOptions> for xlsx::ExportOptions {
    fn from(o: ExportOptions) -> Self {
        xlsx::ExportOptions::new(o.platform.into())
            .filter(o.filter.into())
            .include_passwords(o.include_passwords)
            .include_ids(o.include_ids)
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportSummary {
    /// Where the file was written.
    pub path: String,
    /// How many accounts (data rows) were written.
    pub rows: u64,
}

impl From<xlsx::ExportSummary> for ExportSummary {
    fn from(s: xlsx::ExportSummary) -> Self {
        ExportSummary {
            path: s.path.display().to_string(),
            rows: s.rows as u64,
        }
    }
}
