//! The change feed of [`PostgresStore`]: a connection of its own listens on
//! `farmhand_changes`, where the workspace's triggers notify (with the
//! schema's name) every committed change of accounts, from any PC.

use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::Client;

use super::{storage, PostgresStore};
use crate::error::Result;
use crate::store::changes::ChangeWatch;

/// The channel the triggers notify.
pub(super) const CHANNEL: &str = "farmhand_changes";

/// Listens for one workspace's changes.
pub(super) struct NotifyWatch {
    client: Client,
    /// The workspace's schema: notifications of other schemas are not ours.
    schema: String,
}

impl NotifyWatch {
    /// A watch of `store`'s workspace from now on.
    pub(super) fn open(store: &PostgresStore) -> Result<Self> {
        let mut client = store.connect()?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(storage)?;
        let schema: String = client
            .query_one("SELECT current_schema()", &[])
            .and_then(|row| row.try_get(0))
            .map_err(storage)?;
        Ok(NotifyWatch { client, schema })
    }
}

impl ChangeWatch for NotifyWatch {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        let mut changed = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            // Once one is here, take what else is already waiting, then report.
            let wait = if changed { Duration::ZERO } else { left };
            let mut notifications = self.client.notifications();
            let next = notifications.timeout_iter(wait).next().map_err(storage)?;
            match next {
                Some(n) => changed |= n.payload() == self.schema,
                None if changed || left.is_zero() => return Ok(changed),
                None => {}
            }
        }
    }
}
