//! Reading and parsing on two threads: the sheet reader sends rows in batches
//! over a bounded channel while the planner types them, so an import takes
//! little longer than reading the file (and memory in flight stays bounded).

use std::sync::mpsc::{Receiver, SyncSender};

use super::columns::HeaderMap;
use super::reader::{RowSink, SheetRow};

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

/// Feeds every batch from `channel` into `sink`, in order, until the sender is done.
pub(crate) fn drain(channel: Receiver<Batch>, sink: &mut dyn RowSink) {
    for batch in channel {
        match batch {
            Batch::Header(sheet, map) => sink.header(&sheet, &map),
            Batch::Rows(rows) => rows.into_iter().for_each(|row| sink.row(row)),
            Batch::Invalid(row, reason) => sink.invalid(row, reason),
        }
    }
}
