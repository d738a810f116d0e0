//! Reading and the rest on two threads: the sheet reader sends rows in batches
//! over a bounded channel while the planner types them and looks up their
//! accounts, so planning takes little longer than reading the file (and memory
//! in flight stays bounded). Emptied batches go back to the reader to be filled
//! again, so the rows in flight reuse the same few buffers.

use std::sync::mpsc::{self, Receiver, SyncSender};

use super::columns::HeaderMap;
use super::plan::Planner;
use super::reader::{RowSink, SheetRow};
use crate::error::{Error, Result};
use crate::store::BatchOp;

/// Rows per message: large enough to make channel traffic negligible.
const BATCH: usize = 512;

/// What the reader thread sends.
pub(crate) enum Batch {
    /// The number of data rows the file claims (a sizing hint).
    Expect(usize),
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

/// A channel for `in_flight` batches: the reader's end and the planner's end.
pub(crate) fn channel(in_flight: usize) -> (Sender, Batches) {
    let (channel, batches) = mpsc::sync_channel(in_flight);
    let (return_spare, spares) = mpsc::channel();
    let sender = Sender {
        channel,
        spares,
        rows: Vec::with_capacity(BATCH),
    };
    let receiver = Batches {
        batches,
        return_spare,
    };
    (sender, receiver)
}

/// A [`RowSink`] that forwards to another thread in batches.
pub(crate) struct Sender {
    channel: SyncSender<Batch>,
    /// Emptied batches handed back by the planner's end.
    spares: Receiver<Vec<SheetRow>>,
    rows: Vec<SheetRow>,
}

/// The planner's end of [`channel`].
pub(crate) struct Batches {
    batches: Receiver<Batch>,
    return_spare: mpsc::Sender<Vec<SheetRow>>,
}

impl Sender {
    /// Sends the rows gathered so far.
    pub(crate) fn flush(&mut self) {
        if !self.rows.is_empty() {
            let spare = self
                .spares
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(BATCH));
            let rows = std::mem::replace(&mut self.rows, spare);
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
    fn expect_rows(&mut self, rows: usize) {
        self.send(Batch::Expect(rows));
    }

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

/// Feeds the batches from `channel` into `planner` until it has an op ready,
/// and returns that op; at the end of the sheet returns `planner.end()`. A read
/// that failed, a failed lookup, or a reader that vanished, is an error.
pub(crate) fn next_op(channel: &Batches, planner: &mut Planner<'_>) -> Result<Option<BatchOp>> {
    loop {
        if let Some(op) = planner.take_op() {
            return Ok(Some(op));
        }
        match channel.batches.recv() {
            Ok(Batch::Expect(rows)) => planner.expect_rows(rows),
            Ok(Batch::Header(sheet, map)) => planner.header(&sheet, &map)?,
            Ok(Batch::Rows(mut rows)) => {
                planner.rows(&mut rows)?;
                // A reader that is done no longer takes spares back.
                let _ = channel.return_spare.send(rows);
            }
            Ok(Batch::Invalid(row, reason)) => planner.invalid(row, reason),
            Ok(Batch::Done) => return planner.end(),
            Ok(Batch::Failed(e)) => return Err(e),
            // The reader panicked; joining it passes the panic on.
            Err(_) => return Err(Error::Cancelled),
        }
    }
}
