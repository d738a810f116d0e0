//! The batch writer of [`SqliteStore`](super::SqliteStore): the account changes
//! of one write transaction, with statements kept prepared, device indexes
//! remembered, new phones written in groups and batch creates written many to
//! a statement.

use std::sync::LazyLock;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};

use super::{device_map, fetch, register, remove, storage, storage_or_duplicate};
use crate::account::{Account, AccountId, AccountPatch, NewAccount, Timestamp};
use crate::error::{Error, Result};
use crate::secret::seal::AtRest;
use crate::store::{rows, BatchOp};
use crate::FastMap;

/// Inserts one account.
static INSERT: LazyLock<String> = LazyLock::new(|| {
    let slots: Vec<String> = (1..=rows::COLUMN_COUNT).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO accounts ({}) VALUES ({})",
        rows::COLUMNS,
        slots.join(", ")
    )
});

/// Accounts per multi-row `INSERT` of a batch: SQLite's work per statement,
/// notably the AUTOINCREMENT bookkeeping, is paid once per group (a 100k-account
/// import spends about 50 ms less CPU than with one statement per account).
const ACCOUNT_GROUP: usize = 64;

/// Inserts [`ACCOUNT_GROUP`] accounts. OR FAIL, not ABORT: an ABORT statement
/// writing many rows keeps a journal to undo just itself, which would spill to
/// a temp file; any failure undoes the whole transaction instead.
static INSERT_GROUP: LazyLock<String> = LazyLock::new(|| {
    let row = format!("({})", vec!["?"; rows::COLUMN_COUNT].join(", "));
    format!(
        "INSERT OR FAIL INTO accounts ({}) VALUES {}",
        rows::COLUMNS,
        vec![row; ACCOUNT_GROUP].join(", ")
    )
});

/// Rewrites one account's columns.
static UPDATE: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> = rows::COLUMNS
        .split(',')
        .enumerate()
        .map(|(i, column)| format!("{} = ?{}", column.trim(), i + 1))
        .collect();
    format!(
        "UPDATE accounts SET {} WHERE id = ?{}",
        sets.join(", "),
        rows::COLUMN_COUNT + 1
    )
});

/// The account changes of one write transaction. It keeps its statements
/// prepared and remembers the device indexes it has looked up, so a batch of
/// 100k creates costs one statement execution per [`ACCOUNT_GROUP`] accounts
/// (and one per [`DEVICE_GROUP`] new phones).
pub(super) struct Writer<'c> {
    conn: &'c Connection,
    /// How the workspace keeps secrets: what the rows' secrets are sealed with.
    at_rest: &'c AtRest,
    insert: Option<rusqlite::CachedStatement<'c>>,
    device_indexes: FastMap<String, u32>,
    registry: Registry,
    /// With a complete registry: phones first seen in this transaction and the
    /// indexes given to them, written in groups (see [`Writer::finish`]).
    new_devices: Vec<(u32, String)>,
    /// With a complete registry: the index the next new phone gets.
    next_index: Option<u32>,
    /// Batch creates checked but not yet written, in order (see [`ACCOUNT_GROUP`]).
    queued: Vec<Account>,
    /// The accounts queued creates became, in order, when the caller wants them.
    created: Option<Vec<Account>>,
    /// The highest account id given out so far, once known.
    last_id: Option<i64>,
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

/// New phones per `INSERT` statement: the devices table's AUTOINCREMENT
/// bookkeeping is paid once per statement, not once per phone.
const DEVICE_GROUP: usize = 128;

/// How much of the device registry a [`Writer`] holds.
#[derive(PartialEq)]
enum Registry {
    /// Nothing yet; the first lookup reads all of it (worth it for a batch).
    Unread,
    /// All of it, read inside the writer's transaction: a serial missing is new.
    Complete,
    /// The serials looked up so far.
    Partial,
}

impl<'c> Writer<'c> {
    /// A writer for one change.
    pub(super) fn new(conn: &'c Connection, at_rest: &'c AtRest) -> Writer<'c> {
        Writer {
            conn,
            at_rest,
            insert: None,
            device_indexes: FastMap::default(),
            registry: Registry::Partial,
            new_devices: Vec::new(),
            next_index: None,
            queued: Vec::new(),
            created: None,
            last_id: None,
        }
    }

    /// A writer for many changes; `keep_created` keeps the created accounts for
    /// [`Writer::finish`] to return.
    pub(super) fn for_batch(
        conn: &'c Connection,
        at_rest: &'c AtRest,
        keep_created: bool,
    ) -> Writer<'c> {
        Writer {
            registry: Registry::Unread,
            created: keep_created.then(Vec::new),
            ..Writer::new(conn, at_rest)
        }
    }

    /// The device index of `serial`, registering it on first sight.
    fn device_index(&mut self, serial: &str) -> Result<u32> {
        if self.registry == Registry::Unread {
            self.device_indexes = device_map(self.conn)?;
            self.registry = Registry::Complete;
        }
        if let Some(&index) = self.device_indexes.get(serial) {
            return Ok(index);
        }
        let index = match self.registry {
            Registry::Complete => self.new_device(serial)?,
            _ => register(self.conn, serial)?.index,
        };
        self.device_indexes.insert(serial.to_string(), index);
        Ok(index)
    }

    /// Gives a phone missing from the complete registry the index AUTOINCREMENT
    /// would give it (this transaction holds the write lock, so nobody else
    /// takes one meanwhile), and queues it to be written.
    fn new_device(&mut self, serial: &str) -> Result<u32> {
        let index = match self.next_index {
            Some(index) => index,
            None => u32::try_from(highest_given(self.conn, "devices", "idx")? + 1)
                .map_err(|_| Error::storage("the device numbers are used up"))?,
        };
        self.next_index = Some(index + 1);
        self.new_devices.push((index, serial.to_string()));
        if self.new_devices.len() == DEVICE_GROUP {
            self.write_new_devices()?;
        }
        Ok(index)
    }

    /// Writes the queued new phones with their indexes.
    fn write_new_devices(&mut self) -> Result<()> {
        if self.new_devices.is_empty() {
            return Ok(());
        }
        let slots = vec!["(?, ?)"; self.new_devices.len()].join(", ");
        // OR FAIL for the reason given at [`INSERT_GROUP`] (for 37,500 new
        // phones, ABORT's statement journal wrote about 30 MB to a temp file).
        let sql = format!("INSERT OR FAIL INTO devices (idx, serial) VALUES {slots}");
        let values = self
            .new_devices
            .drain(..)
            .flat_map(|(index, serial)| [Value::Integer(index.into()), Value::Text(serial)]);
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.execute(params_from_iter(values)))
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
        let mut account = self.checked(new)?;
        self.insert_one(&mut account)?;
        Ok(account)
    }

    /// A create checked by the account rules, with its phone's index.
    fn checked(&mut self, new: NewAccount) -> Result<Account> {
        let mut account = new.into_record(Timestamp::now())?;
        if let Some(serial) = &account.device {
            account.device_index = Some(self.device_index(serial)?);
        }
        Ok(account)
    }

    /// Checks a batch create and queues it, to be written with others in one
    /// statement. An invalid one first writes the queue, so that an earlier
    /// op's failure (a duplicate username) is the one reported.
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

    /// Writes the queued creates: a full group in one statement, fewer one by one.
    fn write_queued(&mut self) -> Result<()> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let mut queued = std::mem::take(&mut self.queued);
        if queued.len() == ACCOUNT_GROUP {
            self.insert_group(&mut queued)?;
        } else {
            for account in &mut queued {
                self.insert_one(account)?;
            }
        }
        match &mut self.created {
            Some(created) => created.append(&mut queued),
            None => queued.clear(),
        }
        // The emptied queue keeps its capacity for the next group.
        self.queued = queued;
        Ok(())
    }

    /// The highest account id given out so far.
    fn last_id(&mut self) -> Result<i64> {
        match self.last_id {
            Some(id) => Ok(id),
            None => highest_given(self.conn, "accounts", "id"),
        }
    }

    /// Inserts a checked account and gives it its id: the one AUTOINCREMENT
    /// gives it, known beforehand because its secrets are sealed for it.
    fn insert_one(&mut self, account: &mut Account) -> Result<()> {
        let before = self.last_id()?;
        account.id = AccountId(before + 1);
        let conn = self.conn;
        let stmt = match &mut self.insert {
            Some(stmt) => stmt,
            slot => slot.insert(conn.prepare_cached(&INSERT).map_err(storage)?),
        };
        rows::bind(stmt, account, self.at_rest)?;
        stmt.raw_execute()
            .map_err(|e| storage_or_duplicate(e, account))?;
        let id = conn.last_insert_rowid();
        if id != account.id.0 {
            return Err(unexpected_numbering(id, 1, before));
        }
        self.last_id = Some(id);
        Ok(())
    }

    /// Inserts [`ACCOUNT_GROUP`] checked accounts in one statement and gives
    /// them their ids: AUTOINCREMENT numbers one statement's rows one after
    /// another from the highest number given out before it.
    fn insert_group(&mut self, accounts: &mut [Account]) -> Result<()> {
        let before = self.last_id()?;
        let mut stmt = self.conn.prepare_cached(&INSERT_GROUP).map_err(storage)?;
        for (i, (account, id)) in accounts.iter_mut().zip(before + 1..).enumerate() {
            account.id = AccountId(id);
            rows::bind_at(&mut stmt, i * rows::COLUMN_COUNT, account, self.at_rest)?;
        }
        if let Err(e) = stmt.raw_execute() {
            return Err(group_failure(self.conn, e, accounts, before));
        }
        let last = self.conn.last_insert_rowid();
        if last != before + accounts.len() as i64 {
            return Err(unexpected_numbering(last, accounts.len(), before));
        }
        self.last_id = Some(last);
        Ok(())
    }

    pub(super) fn modify(
        &mut self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        let current = fetch(self.conn, id, self.at_rest)?;
        let mut next = current.clone();
        change(&current)?.apply_to(&mut next, Timestamp::now())?;
        if let Some(serial) = &next.device {
            next.device_index = Some(self.device_index(serial)?);
        }
        let mut stmt = self.conn.prepare_cached(&UPDATE).map_err(storage)?;
        rows::bind(&mut stmt, &next, self.at_rest)?;
        stmt.raw_bind_parameter(rows::COLUMN_COUNT + 1, id.0)
            .and_then(|()| stmt.raw_execute())
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
                remove(self.conn, id).map(|()| Applied::Done(None))
            }
        }
    }
}

/// The error when `count` accounts inserted after id `before` did not end at
/// `before + count`: their secrets were sealed for ids they did not get.
fn unexpected_numbering(last: i64, count: usize, before: i64) -> Error {
    Error::storage(format!(
        "accounts were numbered {}..={last}, not after {before} as expected \
         (does a trigger insert accounts?)",
        last + 1 - count as i64
    ))
}

/// The highest number AUTOINCREMENT has given out in `table` (it gives the next
/// one after it): the larger of the recorded sequence and the largest `key`.
fn highest_given(conn: &Connection, table: &str, key: &str) -> Result<i64> {
    conn.query_row(
        &format!(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
             coalesce((SELECT max({key}) FROM {table}), 0))"
        ),
        [],
        |r| r.get(0),
    )
    .map_err(storage)
}

/// The error of a group insert that failed: `Duplicate` for the first account
/// whose username repeats one earlier in the group or one that existed before
/// the group (id at most `before`), as a one-by-one insert would report.
fn group_failure(
    conn: &Connection,
    e: rusqlite::Error,
    accounts: &[Account],
    before: i64,
) -> Error {
    let unique = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE);
    if !unique {
        return storage(e);
    }
    let mut seen = std::collections::HashSet::new();
    for account in accounts {
        let key = (account.platform, account.username.key());
        let existed = || {
            conn.prepare_cached(
                "SELECT 1 FROM accounts WHERE platform = ?1 AND username_key = ?2 AND id <= ?3",
            )
            .and_then(|mut s| s.exists(params![key.0.as_str(), key.1, before]))
        };
        if !seen.insert(key) || existed().unwrap_or(false) {
            return storage_or_duplicate(e, account);
        }
    }
    storage(e)
}
