//! Reading and the rest on two threads: the sheet reader sends rows in batches
//! over a bounded channel while the planner types them and the store writes
//! them, so an import takes little longer than reading the file (and memory in
//! flight stays bounded).

use std::sync::mpsc::{Receiver, SyncSender};

use super::columns::HeaderMap;
use super::plan::Planner;
use super::reader::{RowSink, SheetRow};
use crate::error::{Error, Result};
use crate::store::BatchOp;

/// Rows per message: large enough to make channel traffic negligible.
const BATCH: usize = 512;

/// What the reader thread sends.
pub(crate) enum Batch {
    /// The sheet's name and header.
    Header(String, HeaderMap),
    /// Data rows in order.
    Rows(Vec<SheetRow>),
    /// A row that could not be split into cells.
    Invalid(u32, String),
    /// The whole sheet was read.
    Done,
    /// The sheet could not be read to its end.
    Failed(Error),
}

/// A [`RowSink`] that forwards to another thread in batches.
pub(crate) struct Sender {
    channel: SyncSender<Batch>,
    rows: Vec<SheetRow>,
}

impl Sender {
    /// A sink sending on `channel`.
    pub(crate) fn new(channel: SyncSender<Batch>) -> Sender {
        Sender {
            channel,
            rows: Vec::with_capacity(BATCH),
        }
    }

    /// Sends the rows gathered so far.
    pub(crate) fn flush(&mut self) {
        if !self.rows.is_empty() {
            let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(BATCH));
            self.send(Batch::Rows(rows));
        }
    }

    /// Sends what is left and how the read ended.
    pub(crate) fn finish(mut self, read: Result<()>) {
        self.flush();
        self.send(match read {
            Ok(()) => Batch::Done,
            Err(e) => Batch::Failed(e),
        });
    }

    /// A receiver that has hung up means the import is over: nothing left to do.
    fn send(&self, batch: Batch) {
        let _ = self.channel.send(batch);
    }
}

impl RowSink for Sender {
    fn header(&mut self, sheet: &str, map: &HeaderMap) {
        self.send(Batch::Header(sheet.to_string(), map.clone()));
    }

    fn row(&mut self, row: SheetRow) {
        self.rows.push(row);
        if self.rows.len() == BATCH {
            self.flush();
        }
    }

    fn invalid(&mut self, row: u32, reason: String) {
        self.flush();
        self.send(Batch::Invalid(row, reason));
    }
}

/// Feeds the batches from `channel` into `sink` until it has an op ready, and
/// returns that op; at the end of the sheet returns `end(sink)`. A read that
/// failed, or a reader that vanished, is an error.
pub(crate) fn next_op(
    channel: &Receiver<Batch>,
    planner: &mut Planner<'_>,
) -> Result<Option<BatchOp>> {
    loop {
        if let Some(op) = planner.take_op() {
            return Ok(Some(op));
        }
        match channel.recv() {
            Ok(Batch::Header(sheet, map)) => planner.header(&sheet, &map),
            Ok(Batch::Rows(rows)) => rows.into_iter().for_each(|row| planner.row(row)),
            Ok(Batch::Invalid(row, reason)) => planner.invalid(row, reason),
            Ok(Batch::Done) => return planner.end(),
            Ok(Batch::Failed(e)) => return Err(e),
            // The reader panicked; joining it passes the panic on.
            Err(_) => return Err(Error::Cancelled),
        }
    }
}
