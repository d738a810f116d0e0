//! The batch writer of [`PostgresStore`](super::PostgresStore): the account
//! changes of one transaction, with device indexes remembered, new phones
//! numbered in memory under a lock on the registry, and creates written a
//! group per statement (one array parameter per column).

use std::sync::LazyLock;

use postgres::Transaction;

use super::rows::{self, Columns};
use super::{
    device, fetch, is_duplicate, lock_registry, register, remove, storage, storage_or_duplicate,
};
use crate::account::{Account, AccountId, AccountPatch, NewAccount, Timestamp};
use crate::error::{Error, Result};
use crate::store::BatchOp;
use crate::FastMap;

/// Accounts per group write: one statement and one round trip for each.
const ACCOUNT_GROUP: usize = 2048;

/// Writes the rows of a [`Columns`] (ids included).
static INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO accounts ({}) SELECT * FROM unnest({})",
        rows::COLUMNS,
        array_params()
    )
});

/// Rewrites the accounts of a [`Columns`] whose ids exist.
static UPDATE: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> = rows::COLUMNS
        .split(',')
        .skip(1)
        .map(|column| format!("{0} = u.{0}", column.trim()))
        .collect();
    format!(
        "UPDATE accounts AS a SET {} FROM unnest({}) AS u ({}) WHERE a.id = u.id",
        sets.join(", "),
        array_params(),
        rows::COLUMNS
    )
});

/// `$1::bigint[], $2::text[], ...` for the columns of [`rows::COLUMN_TYPES`].
fn array_params() -> String {
    let params: Vec<String> = rows::COLUMN_TYPES
        .iter()
        .enumerate()
        .map(|(i, ty)| format!("${}::{ty}[]", i + 1))
        .collect();
    params.join(", ")
}

/// What became of one op of a batch.
#[expect(
    clippy::large_enum_variant,
    reason = "no larger than the Option<Account> a batch returns per op anyway"
)]
pub(super) enum Applied {
    /// A create, queued: its account comes out of [`Writer::finish`].
    Queued,
    /// Done: the account as it now is (none for a delete).
    Done(Option<Account>),
}

/// How much of the device registry a [`Writer`] holds.
enum Registry {
    /// The serials looked up so far (single changes).
    Partial,
    /// Nothing yet; the first lookup locks the registry and reads all of it.
    Unread,
    /// All of it, read under the registry lock: a serial missing is new, and
    /// gets the number after `next - 1`.
    Complete {
        /// The number the next new phone gets.
        next: u32,
    },
}

/// The account changes of one transaction.
pub(super) struct Writer<'a, 'c> {
    tx: &'a mut Transaction<'c>,
    device_indexes: FastMap<String, u32>,
    registry: Registry,
    /// Phones first seen in this transaction, numbered but not yet written.
    new_devices: Vec<(i32, String)>,
    /// Batch creates checked but not yet written, in order.
    queued: Vec<Account>,
    /// The accounts queued creates became, in order, when the caller wants them.
    created: Option<Vec<Account>>,
}

impl<'a, 'c> Writer<'a, 'c> {
    /// A writer for one change.
    pub(super) fn new(tx: &'a mut Transaction<'c>) -> Self {
        Writer {
            tx,
            device_indexes: FastMap::default(),
            registry: Registry::Partial,
            new_devices: Vec::new(),
            queued: Vec::new(),
            created: None,
        }
    }

    /// A writer for many changes; `keep_created` keeps the created accounts for
    /// [`Writer::finish`] to return.
    pub(super) fn for_batch(tx: &'a mut Transaction<'c>, keep_created: bool) -> Self {
        Writer {
            registry: Registry::Unread,
            created: keep_created.then(Vec::new),
            ..Writer::new(tx)
        }
    }

    /// The device index of `serial`, registering it on first sight.
    fn device_index(&mut self, serial: &str) -> Result<u32> {
        if let Some(&index) = self.device_indexes.get(serial) {
            return Ok(index);
        }
        let index = match &mut self.registry {
            Registry::Partial => register(self.tx, serial)?.index,
            Registry::Unread => {
                lock_registry(self.tx)?;
                let mut highest = 0;
                for row in self
                    .tx
                    .query("SELECT idx, serial, label FROM devices", &[])
                    .map_err(storage)?
                {
                    let record = device(&row)?;
                    highest = highest.max(record.index);
                    self.device_indexes.insert(record.serial, record.index);
                }
                self.registry = Registry::Complete { next: highest + 1 };
                return self.device_index(serial);
            }
            Registry::Complete { next } => {
                let index = *next;
                let stored = i32::try_from(index)
                    .map_err(|_| Error::storage("the device numbers are used up"))?;
                *next += 1;
                self.new_devices.push((stored, serial.to_string()));
                index
            }
        };
        self.device_indexes.insert(serial.to_string(), index);
        Ok(index)
    }

    /// Writes the phones numbered but not yet written.
    fn write_new_devices(&mut self) -> Result<()> {
        if self.new_devices.is_empty() {
            return Ok(());
        }
        let (indexes, serials): (Vec<i32>, Vec<String>) = self.new_devices.drain(..).unzip();
        self.tx
            .execute(
                "INSERT INTO devices (idx, serial) SELECT * FROM unnest($1::integer[], $2::text[])",
                &[&indexes, &serials],
            )
            .map_err(storage)?;
        Ok(())
    }

    /// Writes what is still queued; call before committing. Returns the
    /// accounts queued creates became, if they were to be kept.
    pub(super) fn finish(mut self) -> Result<Vec<Account>> {
        self.write_queued()?;
        self.write_new_devices()?;
        Ok(self.created.unwrap_or_default())
    }

    /// Creates one account now.
    pub(super) fn insert(&mut self, new: NewAccount) -> Result<Account> {
        let mut accounts = vec![self.checked(new)?];
        self.insert_group(&mut accounts)?;
        Ok(accounts.remove(0))
    }

    /// A create checked by the account rules, with its phone's index.
    fn checked(&mut self, new: NewAccount) -> Result<Account> {
        let mut account = new.into_record(Timestamp::now())?;
        if let Some(serial) = &account.device {
            account.device_index = Some(self.device_index(serial)?);
        }
        Ok(account)
    }

    /// Checks a batch create and queues it. An invalid one first writes the
    /// queue, so that an earlier op's failure (a duplicate username) is the
    /// one reported.
    fn queue_insert(&mut self, new: NewAccount) -> Result<()> {
        let account = match self.checked(new) {
            Ok(account) => account,
            Err(e) => return self.write_queued().and(Err(e)),
        };
        self.queued.push(account);
        if self.queued.len() == ACCOUNT_GROUP {
            self.write_queued()?;
        }
        Ok(())
    }

    /// Writes the queued creates in one statement.
    fn write_queued(&mut self) -> Result<()> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let mut queued = std::mem::take(&mut self.queued);
        self.insert_group(&mut queued)?;
        match &mut self.created {
            Some(created) => created.append(&mut queued),
            None => queued.clear(),
        }
        self.queued = queued;
        Ok(())
    }

    /// Gives checked accounts their ids (in order, from the sequence, which
    /// never gives a number twice) and inserts them in one statement.
    fn insert_group(&mut self, accounts: &mut [Account]) -> Result<()> {
        self.write_new_devices()?;
        let n = i64::try_from(accounts.len()).unwrap_or(i64::MAX);
        let mut ids: Vec<i64> = self
            .tx
            .query(
                "SELECT nextval(pg_get_serial_sequence('accounts', 'id')) FROM generate_series(1, $1::bigint)",
                &[&n],
            )
            .map_err(storage)?
            .iter()
            .map(|row| row.try_get(0))
            .collect::<std::result::Result<_, _>>()
            .map_err(storage)?;
        ids.sort_unstable();
        for (account, id) in accounts.iter_mut().zip(ids) {
            account.id = AccountId(id);
        }
        let mut savepoint = self.tx.savepoint("farmhand_group").map_err(storage)?;
        let columns = Columns::of(accounts);
        match savepoint.execute(INSERT.as_str(), &columns.params()) {
            Ok(_) => savepoint.commit().map_err(storage),
            Err(e) => {
                drop(savepoint);
                Err(self.group_failure(e, accounts))
            }
        }
    }

    /// The error of a group insert that failed (and was undone): `Duplicate`
    /// for the first account whose username repeats one earlier in the group
    /// or one stored before it, as a one-by-one insert would report.
    fn group_failure(&mut self, e: postgres::Error, accounts: &[Account]) -> Error {
        if !is_duplicate(&e) {
            return storage(e);
        }
        let platforms: Vec<&str> = accounts.iter().map(|a| a.platform.as_str()).collect();
        let keys: Vec<&str> = accounts.iter().map(|a| a.username.key()).collect();
        let stored = self.tx.query(
            "SELECT a.platform, a.username_key FROM accounts a \
             JOIN unnest($1::text[], $2::text[]) AS g (platform, username_key) \
             USING (platform, username_key)",
            &[&platforms, &keys],
        );
        let stored: std::collections::HashSet<(String, String)> = match stored {
            Ok(rows) => rows
                .iter()
                .filter_map(|row| Some((row.try_get(0).ok()?, row.try_get(1).ok()?)))
                .collect(),
            Err(_) => return storage(e),
        };
        let mut seen = std::collections::HashSet::new();
        for account in accounts {
            let key = (account.platform.as_str(), account.username.key());
            let existed = stored.contains(&(key.0.to_string(), key.1.to_string()));
            if !seen.insert(key) || existed {
                return storage_or_duplicate(e, account);
            }
        }
        storage(e)
    }

    /// Read-modify-write of one account, its row locked until the transaction ends.
    pub(super) fn modify(
        &mut self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        let current = fetch(&mut *self.tx, id, true)?;
        let mut next = current.clone();
        change(&current)?.apply_to(&mut next, Timestamp::now())?;
        next.device_index = match &next.device {
            Some(serial) => Some(self.device_index(serial)?),
            None => None,
        };
        self.write_new_devices()?;
        let columns = Columns::of(std::slice::from_ref(&next));
        self.tx
            .execute(UPDATE.as_str(), &columns.params())
            .map_err(|e| storage_or_duplicate(e, &next))?;
        Ok(next)
    }

    /// Applies one op of a batch. Creates are queued; anything else first
    /// writes the queue, so that the ops take effect in their order.
    pub(super) fn apply(&mut self, op: BatchOp) -> Result<Applied> {
        match op {
            BatchOp::Create(new) => self.queue_insert(new).map(|()| Applied::Queued),
            BatchOp::Update(id, patch) => {
                self.write_queued()?;
                let mut patch = Some(patch);
                self.modify(id, &mut |_| Ok(patch.take().unwrap_or_default()))
                    .map(|account| Applied::Done(Some(account)))
            }
            BatchOp::Delete(id) => {
                self.write_queued()?;
                remove(self.tx, id).map(|()| Applied::Done(None))
            }
        }
    }
}
