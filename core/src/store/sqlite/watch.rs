//! The change feed of [`SqliteStore`](super::SqliteStore): a connection of its own polls the
//! file's data version, which moves whenever another connection (the store's
//! writer, or another process) commits.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::{storage, BUSY_TIMEOUT};
use crate::error::{Error, Result};
use crate::store::changes::ChangeWatch;

/// How often the data version is read while waiting.
const POLL: Duration = Duration::from_millis(50);

/// Polls one workspace file for commits.
pub(super) struct DataVersionWatch {
    conn: Connection,
    seen: i64,
}

impl DataVersionWatch {
    /// A watch of the file at `path` from now on.
    pub(super) fn open(path: &Path) -> Result<Self> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| {
                Error::storage(format!("{}: cannot open to watch: {e}", path.display()))
                    .with_source(e)
            })?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(storage)?;
        let seen = data_version(&conn)?;
        Ok(DataVersionWatch { conn, seen })
    }
}

fn data_version(conn: &Connection) -> Result<i64> {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
        .map_err(storage)
}

impl ChangeWatch for DataVersionWatch {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        loop {
            let now = data_version(&self.conn)?;
            if now != self.seen {
                self.seen = now;
                return Ok(true);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            std::thread::sleep(left.min(POLL));
        }
    }
}
