//! `accounts.xlsx` import and export, TikMatrix/IgMatrix compatible.
//!
//! Export ([`Workspace::export_xlsx`]) streams the accounts of one platform into
//! sheet `accounts` with the columns of [`Column::for_platform`], atomically.
//! Import ([`Workspace::import_xlsx`]) reads the first sheet (or the one named
//! `accounts`), validates every row, and writes all the changes in one atomic
//! batch — or none of them, with an [`ImportReport`] listing every problem by
//! row and column. [`Workspace::import_legacy_text`] reads TikMatrix's older
//! `email##pwd##username##device_index` text files the same way.
//!
//! Re-importing an unedited export changes nothing. Passwords never appear in
//! errors or reports.
//!
//! Cell rules: a number in a text column becomes its text (SheetJS, which
//! TikMatrix uses, writes a password `123456` as the number 123456.0 → "123456");
//! ids, flags and counts take whole numbers or text holding one. Formula cells
//! are refused as row errors even when the file carries a cached result (it may
//! be stale, and a roster should hold values); so are error cells (`#N/A`) and
//! date cells. A sheet with more than [`ImportOptions::max_rows`] data rows
//! (default [`DEFAULT_MAX_ROWS`]) is refused before anything is written.
//!
//! Whatever a file claims, reading it costs bounded memory: each part's
//! inflated size, each cell's length and the shared-strings table are limited,
//! and the file's own counts (dimension, string counts) never size more than
//! its bytes can hold. Each limit is an `Error::Import` naming the part and
//! row, raised before the memory is spent; legacy text is read a line at a time
//! with a limit on a line's length.

mod cell_text;
mod cells;
mod columns;
mod export_file;
mod guard;
mod inflate_ahead;
mod legacy;
mod limits;
mod options;
mod parse;
mod pipeline;
mod plan;
mod reader;
mod report;
mod writer;

use std::path::Path;

pub use columns::Column;
pub use options::{
    default_export_path, default_file_name, ExportOptions, ImportOptions, OnDuplicate,
    DEFAULT_FILE_NAME, DEFAULT_MAX_ROWS, INSTAGRAM_FILE_NAME,
};
pub use report::{ExportSummary, ImportOutcome, ImportReport, RowError};

use crate::account::Account;
use crate::error::{Error, Result};
use crate::store::{AccountFilter, AccountStore, Encryption};
use crate::workspace::Workspace;
use plan::{Existing, Planner};
use reader::RowSink;
use writer::SheetWriter;

impl Workspace {
    /// Writes the accounts chosen by `options` to the xlsx file at `path`
    /// (see [`default_export_path`]), replacing it atomically.
    pub fn export_xlsx(
        &self,
        path: impl AsRef<Path>,
        options: &ExportOptions,
    ) -> Result<ExportSummary> {
        export(self.store().as_ref(), path.as_ref(), options)
    }

    /// Imports the accounts sheet of the xlsx file at `path` into `options.platform`.
    ///
    /// File-level problems (not an xlsx workbook, encrypted, no sheet, no
    /// `username` column, duplicate column, too many rows, damaged file) are an
    /// `Error::Import`. Row problems are listed in the report: unless
    /// `options.skip_invalid`, any of them means nothing is written
    /// ([`ImportOutcome::Rejected`]).
    pub fn import_xlsx(
        &self,
        path: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        let path = path.as_ref();
        import(self.store().as_ref(), options, |sink| {
            reader::read_sheet(path, options.max_rows, sink)
        })
    }

    /// Imports a legacy TikMatrix text file (`email##pwd##username##device_index`
    /// per line), with the same rules and report as [`Workspace::import_xlsx`].
    pub fn import_legacy_text(
        &self,
        path: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        let path = path.as_ref();
        import(self.store().as_ref(), options, |sink| {
            legacy::read_legacy(path, options.max_rows, sink)
        })
    }
}

/// Accounts per message from the listing thread to the writing thread.
const EXPORT_BATCH: usize = 256;

fn export(store: &dyn AccountStore, path: &Path, options: &ExportOptions) -> Result<ExportSummary> {
    if options.include_passwords && store.encryption() == Encryption::Locked {
        return Err(Error::key(
            "the workspace is encrypted and was opened without its key: \
             exporting passwords needs it (or export without passwords)",
        ));
    }
    let columns: Vec<Column> = Column::for_platform(options.platform)
        .iter()
        .copied()
        .filter(|&c| options.include_passwords || c != Column::Pwd)
        .filter(|&c| options.include_ids || c != Column::Id)
        .collect();
    let mut writer = SheetWriter::new(path, &columns)?;
    if options.include_health {
        writer.add_health_column()?;
    }
    let filter = AccountFilter {
        platform: Some(options.platform),
        ..options.filter.clone()
    };
    // The store lists on a second thread while this one writes the sheet; at most
    // a few batches are in flight, so memory stays flat.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Account>>(4);
    let (listed, written) = std::thread::scope(|scope| {
        let lister = scope.spawn(move || {
            let mut batch = Vec::with_capacity(EXPORT_BATCH);
            let send = |batch: &mut Vec<Account>| {
                let full = std::mem::replace(batch, Vec::with_capacity(EXPORT_BATCH));
                // The writer hung up after failing: its error is the one reported.
                sender.send(full).map_err(|_| Error::Cancelled)
            };
            store.for_each(&filter, &mut |account| {
                batch.push(account);
                if batch.len() == EXPORT_BATCH {
                    send(&mut batch)?;
                }
                Ok(())
            })?;
            send(&mut batch)
        });
        let mut written = Ok(());
        for batch in &receiver {
            written = batch.iter().try_for_each(|account| {
                if options.include_health {
                    let history = store.history(account.id, crate::store::HISTORY_LIMIT)?;
                    let health = crate::ops::Health::from_history(&history);
                    writer.write_with_health(account, health.map(|h| h.state.as_str()))
                } else {
                    writer.write(account)
                }
            });
            if written.is_err() {
                break;
            }
        }
        drop(receiver);
        (join(lister), written)
    });
    written?;
    listed?;
    let rows = writer.rows();
    writer.save()?;
    Ok(ExportSummary {
        path: path.to_path_buf(),
        rows,
    })
}

/// Batches of rows the reader may run ahead of the planner (512 rows each).
const ROWS_IN_FLIGHT: usize = 32;

/// Reads rows with `read` on one thread while this one loads the workspace's
/// accounts, then plans each row as it arrives and streams the ops into one
/// store transaction, which is undone if a row turns out invalid (unless
/// invalid rows are skipped) or the file turns out damaged.
fn import(
    store: &dyn AccountStore,
    options: &ImportOptions,
    read: impl FnOnce(&mut dyn RowSink) -> Result<()> + Send,
) -> Result<ImportReport> {
    std::thread::scope(|scope| {
        let (mut sink, receiver) = pipeline::channel(ROWS_IN_FLIGHT);
        let reader = scope.spawn(move || {
            let read = read(&mut sink);
            sink.finish(read);
        });
        let existing = Existing::load(store, options.platform)?;
        let mut planner = Planner::new(options, &existing);
        let mut next = || pipeline::next_op(&receiver, &mut planner);
        let applied = if options.dry_run {
            std::iter::from_fn(|| next().transpose())
                .try_for_each(|op| op.map(drop))
                .map(|()| false)
        } else {
            store.apply_stream(&mut next).map(|_| true)
        };
        drop(receiver);
        join(reader);
        match applied {
            Ok(applied) => Ok(planner.report(applied)),
            Err(_) if planner.rejected() => Ok(planner.report(false)),
            Err(e) => Err(e),
        }
    })
}

/// A scoped thread's result; its panic, if any, continues here.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
