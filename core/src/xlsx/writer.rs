//! Writes accounts to `accounts.xlsx`: streamed, typed, and atomic.
//!
//! Rows are streamed with rust_xlsxwriter's constant-memory mode, so memory does
//! not grow with the number of accounts. Ids, flags and counts are number cells;
//! everything else is a text cell written as a string — never a formula — so a
//! text such as an email `=HYPERLINK(...)` or a username `0012345` stays exactly what it is.
//! The workbook is written to a temporary file beside the target and renamed into
//! place only when complete: an existing file is never left half-written.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::columns::Column;
use crate::account::Account;
use crate::error::{Error, Result};
use crate::secret::join_pwd;

/// Streams accounts into a sheet named `accounts` with the given columns.
pub(crate) struct SheetWriter {
    target: PathBuf,
    workbook: Workbook,
    columns: Vec<Column>,
    next_row: u32,
}

/// Last row number a sheet can hold (0-based): 1,048,576 rows including the header.
const LAST_ROW: u32 = 1_048_575;

impl SheetWriter {
    /// A workbook bound for `target`, with the header row written.
    pub(crate) fn new(target: &Path, columns: &[Column]) -> Result<SheetWriter> {
        let fail = |e| write_error(target, e);
        let mut workbook = Workbook::new();
        // Excel's own level: ~30% faster than the default 6 for ~5% more bytes.
        workbook.set_zip_compression_level(3);
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(fail)?
            .set_name("accounts")
            .map_err(fail)?;
        for (col, column) in columns.iter().enumerate() {
            sheet
                .write_string(0, col as u16, column.name())
                .map_err(fail)?;
        }
        Ok(SheetWriter {
            target: target.to_path_buf(),
            workbook,
            columns: columns.to_vec(),
            next_row: 1,
        })
    }

    /// Appends one account as the next row.
    pub(crate) fn write(&mut self, account: &Account) -> Result<()> {
        let row = self.next_row;
        if row > LAST_ROW {
            return Err(Error::validation(
                "export",
                format!("more than {LAST_ROW} accounts do not fit in one sheet; filter the export"),
            ));
        }
        let target = &self.target;
        let sheet = self
            .workbook
            .worksheet_from_index(0)
            .map_err(|e| write_error(target, e))?;
        for (col, column) in self.columns.iter().enumerate() {
            write_cell(sheet, row, col as u16, *column, account)
                .map_err(|e| write_error(target, e))?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// Number of accounts written so far.
    pub(crate) fn rows(&self) -> usize {
        (self.next_row - 1) as usize
    }

    /// Writes the workbook beside its target and renames it into place.
    pub(crate) fn save(mut self) -> Result<()> {
        let path = self.target.as_path();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        {
            let mut out = BufWriter::new(tmp.as_file());
            self.workbook
                .save_to_writer(&mut out)
                .map_err(|e| match e {
                    XlsxError::IoError(io) => Error::io(tmp.path(), io),
                    other => write_error(path, other),
                })?;
            out.into_inner()
                .map_err(|e| Error::io(tmp.path(), e.into_error()))?;
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io(tmp.path(), e))?;
        tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
        Ok(())
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    column: Column,
    account: &Account,
) -> std::result::Result<(), XlsxError> {
    let stats = &account.stats;
    let text = |sheet: &mut Worksheet, value: Option<&str>| match value {
        Some(v) if !v.is_empty() => sheet.write_string(row, col, v).map(|_| ()),
        _ => Ok(()),
    };
    let number = |sheet: &mut Worksheet, value: Option<f64>| match value {
        Some(v) => sheet.write_number(row, col, v).map(|_| ()),
        None => Ok(()),
    };
    let count = |sheet: &mut Worksheet, value: Option<u64>| number(sheet, value.map(|v| v as f64));
    match column {
        Column::Id => number(sheet, Some(account.id.0 as f64)),
        Column::Email => text(sheet, account.email.as_deref()),
        Column::Pwd => {
            let pwd = join_pwd(account.password.as_ref(), account.totp_key.as_ref());
            text(sheet, pwd.as_ref().map(|p| p.expose()))
        }
        Column::TwoFactor => text(sheet, account.totp_key.as_ref().map(|k| k.expose())),
        Column::Username => text(sheet, Some(account.username.as_str())),
        Column::PackageName => text(sheet, account.package_name.as_deref()),
        Column::Device => text(sheet, account.device.as_deref()),
        Column::DeviceIndex => number(sheet, account.device_index.map(f64::from)),
        Column::Logined => number(sheet, Some(u8::from(account.logged_in).into())),
        Column::Status => number(sheet, Some(account.status.sheet_value().into())),
        Column::Tags => text(sheet, Some(&account.tags.join(","))),
        Column::Nickname => text(sheet, stats.nickname.as_deref()),
        Column::Country => text(sheet, stats.country.as_deref()),
        Column::Followers => count(sheet, stats.followers),
        Column::Following => count(sheet, stats.following),
        Column::Hearts => count(sheet, stats.hearts),
        Column::Videos => count(sheet, stats.videos),
        Column::Friends => count(sheet, stats.friends),
    }
}

/// A workbook that cannot be built is a failure to write the target file.
fn write_error(target: &Path, error: XlsxError) -> Error {
    Error::io(
        target,
        std::io::Error::other(format!("writing the xlsx workbook failed: {error}")),
    )
}
