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
mod spool;
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
use plan::Planner;
use reader::RowSink;
use spool::Spool;
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
        import(self.store().as_ref(), options, &|sink| {
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
        import(self.store().as_ref(), options, &|sink| {
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

/// Plans made without the store's write lock before an import gives up on
/// finding the store quiet and plans under the lock (see [`import`]).
const UNLOCKED_PLANS: usize = 3;

/// A sheet reader: reads the rows of one file into a sink, from the start each call.
type ReadSheet<'r> = dyn Fn(&mut dyn RowSink) -> Result<()> + Sync + 'r;

/// Reads the sheet on one thread while this one plans each row as it arrives
/// (looking up the accounts the rows name a batch at a time), then writes the
/// planned changes as one atomic store change: all of them, or none when a row
/// is invalid (unless invalid rows are skipped) or the file is damaged.
///
/// Other writers are not kept waiting while the sheet is read: the plan is made
/// without the store's write lock, its ops held compactly in a [`Spool`], and
/// applied at once if nothing was committed since the planning began
/// ([`AccountStore::apply_stream_if_unchanged`]). If something was, the plan
/// is checked under the write lock against what it read (the accounts its rows
/// name and the phone registry, [`Planner::still_holds`]) and applied if they
/// are as they were; otherwise the sheet is read and planned again. A store
/// whose accounts change under every one of [`UNLOCKED_PLANS`] plans is then
/// imported as before, planning and writing under the write lock, so that a
/// busy workspace still gets its import.
fn import(
    store: &dyn AccountStore,
    options: &ImportOptions,
    read: &ReadSheet<'_>,
) -> Result<ImportReport> {
    for _ in 0..UNLOCKED_PLANS {
        let mark = store.change_mark()?;
        let mut planner = Planner::new(options, store);
        let mut spool = Spool::default();
        let planned = with_reader(read, |batches| loop {
            match pipeline::next_op(batches, &mut planner) {
                // A dry run only counts its ops.
                Ok(Some(op)) if options.dry_run => drop(op),
                Ok(Some(op)) => spool.push(op),
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        });
        match planned {
            // A rejected import or a dry run writes nothing: its report stands.
            Err(_) if planner.rejected() => return Ok(planner.report(false)),
            Err(e) => return Err(e),
            Ok(()) if options.dry_run => return Ok(planner.report(false)),
            Ok(()) => {}
        }
        let mut ops = spool.drain();
        if store
            .apply_stream_if_unchanged(mark, &mut || Ok(ops.next()))?
            .is_some()
        {
            return Ok(planner.report(true));
        }
        // Something was written meanwhile; the plan stands if nothing it read
        // changed, which is checked under the write lock before the first op.
        let (mut checked, mut stale) = (false, false);
        let applied = store.apply_stream(&mut || {
            if !checked {
                checked = true;
                stale = !planner.still_holds()?;
                if stale {
                    return Err(Error::Cancelled);
                }
            }
            Ok(ops.next())
        });
        match applied {
            Ok(_) => return Ok(planner.report(true)),
            Err(_) if stale => {}
            Err(e) => return Err(e),
        }
    }
    import_locked(store, options, read)
}

/// The import planned under the store's write lock: the ops stream into the
/// store's transaction as the rows are planned, so nothing can change between
/// planning and writing, but other writers wait for the whole read.
fn import_locked(
    store: &dyn AccountStore,
    options: &ImportOptions,
    read: &ReadSheet<'_>,
) -> Result<ImportReport> {
    let mut planner = Planner::new(options, store);
    let applied = with_reader(read, |batches| {
        store.apply_stream(&mut || pipeline::next_op(batches, &mut planner))
    });
    match applied {
        Ok(_) => Ok(planner.report(true)),
        Err(_) if planner.rejected() => Ok(planner.report(false)),
        Err(e) => Err(e),
    }
}

/// Runs `read` on a reader thread feeding a channel of row batches, and
/// `plan` on this one with the channel's receiving end.
fn with_reader<T>(read: &ReadSheet<'_>, plan: impl FnOnce(&pipeline::Batches) -> T) -> T {
    std::thread::scope(|scope| {
        let (mut sink, batches) = pipeline::channel(ROWS_IN_FLIGHT);
        let reader = scope.spawn(move || {
            let read = read(&mut sink);
            sink.finish(read);
        });
        let out = plan(&batches);
        drop(batches);
        join(reader);
        out
    })
}

/// A scoped thread's result; its panic, if any, continues here.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
