//! `accounts.xlsx` import and export results (`ImportReport`, `RowError`,
//! `ExportSummary`) and the option conversions behind `Workspace.import_xlsx`,
//! `import_text` and `export_xlsx`.
//!
//! An import whose invalid rows made the engine write nothing (outcome
//! `rejected`) raises `SheetImportError` carrying the report and its row errors,
//! so a script cannot mistake it for success; dry runs and `skip_invalid`
//! imports return their report.

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use farmhand::xlsx::{
    ExportSummary, ImportOptions, ImportOutcome, ImportReport, OnDuplicate, RowError,
};

use crate::account::{quote, quote_opt};
use crate::enums::PlatformArg;
use crate::errors;

/// One problem with one row of an imported sheet.
#[pyclass(frozen, eq, module = "farmhand", name = "RowError")]
#[derive(PartialEq)]
pub struct PyRowError(pub RowError);

#[pymethods]
impl PyRowError {
    /// 1-based row number as the spreadsheet shows it (line number for text files).
    #[getter]
    fn row(&self) -> u32 {
        self.0.row
    }

    /// The column concerned (e.g. ``"username"``), if the problem is one cell's.
    #[getter]
    fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }

    /// What is wrong; never contains a password or 2FA secret.
    #[getter]
    fn reason(&self) -> &str {
        &self.0.reason
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "RowError(row={}, column={}, reason={})",
            self.0.row,
            quote_opt(self.0.column.as_deref()),
            quote(&self.0.reason)
        )
    }
}

/// What an import did (or, for a dry run, would do), and every invalid row.
#[pyclass(frozen, module = "farmhand", name = "ImportReport")]
pub struct PyImportReport(pub ImportReport);

#[pymethods]
impl PyImportReport {
    /// ``"applied"``, ``"dry_run"`` or ``"rejected"`` (nothing written because of invalid rows).
    #[getter]
    fn outcome(&self) -> &'static str {
        match self.0.outcome {
            ImportOutcome::Applied => "applied",
            ImportOutcome::DryRun => "dry_run",
            ImportOutcome::Rejected => "rejected",
        }
    }

    /// True when the changes were written.
    #[getter]
    fn applied(&self) -> bool {
        self.0.is_applied()
    }

    /// The sheet that was read (empty for text imports).
    #[getter]
    fn sheet(&self) -> &str {
        &self.0.sheet
    }

    /// Rows that create (or would create) an account.
    #[getter]
    fn created(&self) -> usize {
        self.0.created
    }

    /// Rows that change (or would change) an existing account.
    #[getter]
    fn updated(&self) -> usize {
        self.0.updated
    }

    /// Rows identical to their account: nothing to do.
    #[getter]
    fn unchanged(&self) -> usize {
        self.0.unchanged
    }

    /// Rows not applied: duplicates under ``on_duplicate="skip"``, invalid rows under ``skip_invalid``.
    #[getter]
    fn skipped(&self) -> usize {
        self.0.skipped
    }

    /// Every invalid row, in sheet order.
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.0.errors.iter().cloned().map(PyRowError))
    }

    /// Of the updated and unchanged rows, those whose ``id`` is unknown here
    /// (a sheet from another workspace), matched by username.
    #[getter]
    fn matched_by_username(&self) -> usize {
        self.0.matched_by_username
    }

    /// Of the created rows, those whose ``id`` is unknown here.
    #[getter]
    fn created_for_unknown_ids(&self) -> usize {
        self.0.created_for_unknown_ids
    }

    /// Rows whose ``pwd`` was read as ``password:2FA-KEY`` and split in two.
    #[getter]
    fn pwd_split(&self) -> usize {
        self.0.pwd_split
    }

    /// Rows worth a look, such as a ``pwd`` whose tail looks like a mistyped 2FA key.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.0.warnings.iter().cloned().map(PyRowError))
    }

    /// Header names that are not farmhand columns; their cells were ignored.
    #[getter]
    fn unknown_columns(&self) -> Vec<String> {
        self.0.unknown_columns.clone()
    }

    /// Known columns this import ignores (the stats columns for Instagram).
    #[getter]
    fn ignored_columns(&self) -> Vec<String> {
        self.0.ignored_columns.clone()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        let r = &self.0;
        format!(
            "ImportReport(outcome='{}', created={}, updated={}, unchanged={}, skipped={}, errors={})",
            self.outcome(),
            r.created,
            r.updated,
            r.unchanged,
            r.skipped,
            r.errors.len()
        )
    }
}

/// What an export wrote.
#[pyclass(frozen, module = "farmhand", name = "ExportSummary")]
pub struct PyExportSummary(pub ExportSummary);

#[pymethods]
impl PyExportSummary {
    /// Where the file was written.
    #[getter]
    fn path(&self) -> PathBuf {
        self.0.path.clone()
    }

    /// How many accounts (data rows) were written.
    #[getter]
    fn rows(&self) -> usize {
        self.0.rows
    }

    fn __repr__(&self) -> String {
        format!(
            "ExportSummary(path={}, rows={})",
            quote(&self.0.path.display().to_string()),
            self.0.rows
        )
    }
}

pub fn import_options(
    platform: PlatformArg,
    dry_run: bool,
    on_duplicate: &str,
    skip_invalid: bool,
    max_rows: Option<usize>,
) -> PyResult<ImportOptions> {
    let on_duplicate = match on_duplicate {
        "error" => OnDuplicate::Error,
        "update" => OnDuplicate::Update,
        "skip" => OnDuplicate::Skip,
        other => {
            return Err(PyValueError::new_err(format!(
                "on_duplicate: expected 'error', 'update' or 'skip', not {}",
                quote(other)
            )))
        }
    };
    let mut options = ImportOptions::new(platform.0)
        .dry_run(dry_run)
        .skip_invalid(skip_invalid)
        .on_duplicate(on_duplicate);
    if let Some(max_rows) = max_rows {
        options = options.max_rows(max_rows);
    }
    Ok(options)
}

/// The report, or `SheetImportError` when the engine rejected the sheet read
/// from `source` (a dry run returns its report: showing the problems is its job).
pub fn checked(
    py: Python<'_>,
    report: ImportReport,
    source: String,
    dry_run: bool,
) -> PyResult<PyImportReport> {
    if dry_run || report.outcome != ImportOutcome::Rejected {
        return Ok(PyImportReport(report));
    }
    let cls = errors::class(py, "SheetImportError")?;
    const SHOWN: usize = 5;
    let mut message = format!(
        "import of {source} rejected, nothing written: {} invalid row(s)",
        report.errors.len()
    );
    for error in report.errors.iter().take(SHOWN) {
        message.push_str(&format!("\n  {error}"));
    }
    if report.errors.len() > SHOWN {
        message.push_str(&format!(
            "\n  ... and {} more (see .errors)",
            report.errors.len() - SHOWN
        ));
    }
    let exc = cls.call1((message,))?;
    let row_errors = PyList::new(py, report.errors.iter().cloned().map(PyRowError))?;
    exc.setattr("errors", row_errors.to_tuple())?;
    exc.setattr("source", source)?;
    exc.setattr("report", PyImportReport(report))?;
    Err(PyErr::from_value(exc))
}
