//! The change feed: a host keeps its lists live by waiting for the roster to
//! change, then reading again.
//!
//! [`AccountStore::watch`](super::AccountStore::watch) gives a [`ChangeWatch`]:
//! the memory store wakes it from the writing thread, the SQLite store polls
//! the file's data version (`PRAGMA data_version`, which moves when any other
//! connection or process commits), and the PostgreSQL store listens for the
//! notification its triggers send when accounts change (`LISTEN`/`NOTIFY`),
//! from any PC.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Result;

/// Waits for changes of one store.
pub trait ChangeWatch: Send {
    /// Waits at most `timeout` for the roster to change after the watch began
    /// (or after the change this last reported): `true` when it changed (read
    /// it again), `false` when the time ran out. Several changes in a row may
    /// be reported as one.
    fn wait(&mut self, timeout: Duration) -> Result<bool>;
}

/// Changes counted in process (the memory store), with a condition variable
/// that wakes the watches.
#[derive(Debug, Default)]
pub(crate) struct Generation {
    count: Mutex<u64>,
    wake: Condvar,
}

impl Generation {
    /// Counts one change and wakes every watch.
    pub fn bump(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.wake.notify_all();
    }

    /// A watch of changes from now on.
    pub fn watch(self: &Arc<Self>) -> Box<dyn ChangeWatch> {
        let seen = *self.count.lock().unwrap_or_else(PoisonError::into_inner);
        Box::new(GenerationWatch {
            generation: self.clone(),
            seen,
        })
    }
}

struct GenerationWatch {
    generation: Arc<Generation>,
    seen: u64,
}

impl ChangeWatch for GenerationWatch {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        let mut count = self
            .generation
            .count
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *count == self.seen {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            count = self
                .generation
                .wake
                .wait_timeout(count, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        self.seen = *count;
        Ok(true)
    }
}
