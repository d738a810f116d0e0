//! [`SqliteStore`]: the embedded default store; one SQLite file is one workspace.
//!
//! Two connections, each behind a mutex, serve the threads of a process: one
//! writes, one reads; the file's own locking serves several processes. The
//! file runs in WAL mode, so reads see the last commit and never wait for a
//! write in progress (such as an import's commit of a million rows).
//! Every write is one `BEGIN IMMEDIATE` transaction that takes the write lock
//! before it reads, so a read-modify-write never works from a stale row and no
//! update is lost; waits for another process's write end at a busy timeout.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{
    params, params_from_iter, Connection, ErrorCode, OpenFlags, OptionalExtension,
    TransactionBehavior,
};

mod at_rest;
mod leases;
mod watch;
mod writer;

pub use at_rest::Conversion;

use super::{
    rows, schema, AccountFilter, AccountStore, BatchOp, ChangeMark, DeviceRecord, Encryption,
    HistoryEntry, HISTORY_LIMIT,
};
use crate::account::{
    check_label, check_serial, Account, AccountId, AccountPatch, NewAccount, Platform, Timestamp,
    Username,
};
use crate::error::{Error, Result};
use crate::secret::seal::AtRest;
use crate::secret::SecretKey;
use crate::FastMap;
use writer::{Applied, Writer};

/// How long a write waits for another connection's write lock before it fails.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Accounts per page of [`AccountStore::for_each`]; the lock is released between pages.
const PAGE: i64 = 1024;

/// An [`AccountStore`] in one SQLite file (see the module documentation).
pub struct SqliteStore {
    /// Reads outside writes. Declared first so it closes first: the last
    /// connection to close checkpoints and removes the write-ahead log, which
    /// a read-only connection cannot do.
    reader: Mutex<Connection>,
    /// Every write, and the reads a write makes.
    writer: Mutex<Connection>,
    /// Transactions committed through `writer`, which its own `PRAGMA
    /// data_version` does not count (it counts other connections' commits).
    /// Changed only while `writer` is locked.
    commits: AtomicU64,
    /// Device indexes for [`AccountStore::lookup`], kept from call to call: an
    /// import looks up a few hundred rows at a time, and reading the whole
    /// registry each time cost more than the rows themselves.
    lookup_devices: Mutex<DeviceIndexes>,
    path: PathBuf,
    /// How secrets are kept, as found when the store was opened.
    opened: at_rest::Opened,
}

/// Creates the file at `path`, empty and with mode 0600, when nothing is
/// there. An existing file keeps its mode; a failure is left for the SQLite
/// open that follows to report, with its own reason.
fn create_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
    }
    #[cfg(not(unix))]
    let _ = path;
}

impl SqliteStore {
    /// Opens the workspace file at `path`, creating it if it does not exist and
    /// migrating an older schema. Refuses (with a `Storage` error naming the file,
    /// leaving it untouched) a file that is not SQLite, an SQLite database of
    /// another application, or a workspace written by a newer farmhand.
    ///
    /// A new file is created readable by its owner only (0600), and so are its
    /// `-wal` and `-shm` files: SQLite gives them the database's mode.
    ///
    /// An encrypted workspace opened this way reads with locked secrets (see
    /// [`crate::Secret::is_locked`]): everything but the secrets' values works.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        SqliteStore::open_keyed(path.as_ref(), None)
    }

    /// Opens like [`SqliteStore::open`], with the key that seals the
    /// workspace's secrets. A new or empty workspace becomes encrypted with
    /// it. A `Key` error, before anything is written, when the workspace was
    /// encrypted with another key, or holds accounts and is not encrypted
    /// (convert it with [`SqliteStore::encrypt_file`]).
    pub fn open_with_key(path: impl AsRef<Path>, key: &SecretKey) -> Result<Self> {
        SqliteStore::open_keyed(path.as_ref(), Some(key))
    }

    fn open_keyed(path: &Path, key: Option<&SecretKey>) -> Result<Self> {
        let mut conn = SqliteStore::connect(path)?;
        let opened = at_rest::open(&mut conn, path, key)?;
        let path = path.to_path_buf();
        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| {
            Error::storage(format!("{}: cannot open for reading: {e}", path.display()))
                .with_source(e)
        })?;
        reader.busy_timeout(BUSY_TIMEOUT).map_err(storage)?;
        schema::configure_reader(&reader, &path)?;
        Ok(SqliteStore {
            reader: Mutex::new(reader),
            writer: Mutex::new(conn),
            commits: AtomicU64::new(0),
            lookup_devices: Mutex::new(DeviceIndexes::default()),
            path,
            opened,
        })
    }

    /// The writing connection to the file at `path`, created and migrated.
    fn connect(path: &Path) -> Result<Connection> {
        create_private(path);
        let mut conn = Connection::open(path).map_err(|e| {
            Error::storage(format!("{}: cannot open: {e}", path.display())).with_source(e)
        })?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(storage)?;
        schema::prepare(&mut conn, path)?;
        Ok(conn)
    }

    /// Encrypts the secrets of the plain workspace at `path` with `key`, in
    /// place and in one transaction (a kill at any moment leaves the plain
    /// workspace or the encrypted one), then compacts the file so that no
    /// page of plain secrets is left in it or its write-ahead log. Copies made
    /// before (backups) keep the plain secrets.
    pub fn encrypt_file(path: impl AsRef<Path>, key: &SecretKey) -> Result<Conversion> {
        SqliteStore::convert(path.as_ref(), None, Some(key))
    }

    /// Decrypts the workspace at `path` encrypted with `key`, in place (as
    /// [`SqliteStore::encrypt_file`], the other way).
    pub fn decrypt_file(path: impl AsRef<Path>, key: &SecretKey) -> Result<Conversion> {
        SqliteStore::convert(path.as_ref(), Some(key), None)
    }

    /// Re-encrypts the workspace at `path` from key `old` to key `new`, in
    /// place (as [`SqliteStore::encrypt_file`]).
    pub fn rekey_file(
        path: impl AsRef<Path>,
        old: &SecretKey,
        new: &SecretKey,
    ) -> Result<Conversion> {
        SqliteStore::convert(path.as_ref(), Some(old), Some(new))
    }

    fn convert(
        path: &Path,
        from: Option<&SecretKey>,
        to: Option<&SecretKey>,
    ) -> Result<Conversion> {
        if !path.exists() {
            return Err(Error::not_found(format!("workspace {}", path.display())));
        }
        let mut conn = SqliteStore::connect(path)?;
        at_rest::convert(&mut conn, path, from, to)
    }

    /// True when the workspace's secrets are encrypted (with or without the key at hand).
    pub fn is_encrypted(&self) -> bool {
        self.opened.at_rest.is_encrypted()
    }

    /// The workspace file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writing connection. A transaction left open by a panicking thread was
    /// rolled back when it unwound, so a connection behind a poisoned lock is sound.
    fn write_lock(&self) -> MutexGuard<'_, Connection> {
        self.writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The reading connection (see [`SqliteStore::write_lock`] on poisoning).
    fn read_lock(&self) -> MutexGuard<'_, Connection> {
        self.reader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs a [`rows::SELECT_MANY`] query and fills in device indexes from
    /// `devices`, all in one read transaction.
    fn read_many(
        &self,
        sql: &str,
        values: Vec<Value>,
        devices: &mut DeviceIndexes,
    ) -> Result<Vec<Account>> {
        let mut conn = self.read_lock();
        let tx = conn.transaction().map_err(storage)?;
        let mut accounts = tx
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_map(params_from_iter(values), |row| {
                    rows::read(row, &self.opened.at_rest)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(storage)?;
        for account in &mut accounts {
            if let Some(serial) = &account.device {
                account.device_index = devices.index(&tx, serial)?;
            }
        }
        tx.commit().map_err(storage)?;
        Ok(accounts)
    }

    /// Runs `work` in one IMMEDIATE transaction: all of it is committed or none.
    /// Refuses (`Key`) to write when the workspace's encryption changed since
    /// the store was opened.
    fn write<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.write_lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(storage)?;
        at_rest::check_unchanged(&tx, &self.opened)?;
        let out = work(&tx)?;
        tx.commit().map_err(storage)?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(out)
    }

    /// The [`ChangeMark`] as `conn`, the locked writing connection, sees it:
    /// the commits of other connections (its `data_version`, which SQLite moves
    /// for each of them, whatever process made it) and of itself.
    fn mark_on(&self, conn: &Connection) -> Result<ChangeMark> {
        let others: i64 = conn
            .pragma_query_value(None, "data_version", |r| r.get(0))
            .map_err(storage)?;
        let own = self.commits.load(Ordering::Relaxed);
        Ok(ChangeMark(
            (u128::from(others as u64) << 64) | u128::from(own),
        ))
    }

    /// Runs `work` with a batch [`Writer`] in one write transaction, writing
    /// what the writer still holds before the commit. With `keep_created`, also
    /// returns the accounts its queued creates became, in order.
    fn write_batch<T>(
        &self,
        keep_created: bool,
        work: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<(T, Vec<Account>)> {
        self.write(|conn| {
            let mut writer = Writer::for_batch(conn, &self.opened.at_rest, keep_created);
            let out = work(&mut writer)?;
            let created = writer.finish()?;
            Ok((out, created))
        })
    }
}

/// Device indexes by serial for a listing: the registry is read once, and a
/// serial registered since is looked up alone. A serial's index never changes
/// once given (phones are never removed from the registry), so what was read
/// stays right for the whole listing, and for later ones.
#[derive(Default)]
struct DeviceIndexes {
    /// `None` until the first lookup reads the registry.
    by_serial: Option<FastMap<String, u32>>,
}

impl DeviceIndexes {
    fn index(&mut self, conn: &Connection, serial: &str) -> Result<Option<u32>> {
        let by_serial = match &mut self.by_serial {
            Some(map) => map,
            slot => slot.insert(device_map(conn)?),
        };
        if let Some(&index) = by_serial.get(serial) {
            return Ok(Some(index));
        }
        let index: Option<u32> = conn
            .prepare_cached("SELECT idx FROM devices WHERE serial = ?1")
            .and_then(|mut s| s.query_row([serial], |r| r.get(0)).optional())
            .map_err(storage)?;
        if let Some(index) = index {
            by_serial.insert(serial.to_string(), index);
        }
        Ok(index)
    }
}

/// The whole device registry: index by serial.
fn device_map(conn: &Connection) -> Result<FastMap<String, u32>> {
    conn.prepare_cached("SELECT serial, idx FROM devices")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(storage)
}

/// A storage error caused by `e`; SQLite's messages name tables and
/// constraints, never bound values. An engine error carried through SQLite (a
/// secret that does not open, see [`rows::read`]) comes back as itself.
pub(super) fn storage(e: rusqlite::Error) -> Error {
    let e = match e {
        rusqlite::Error::FromSqlConversionFailure(column, kind, cause) => {
            match cause.downcast::<Error>() {
                Ok(engine) => return *engine,
                Err(cause) => rusqlite::Error::FromSqlConversionFailure(column, kind, cause),
            }
        }
        e => e,
    };
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => format!(
            "the workspace file is locked by another writer (waited up to {} s)",
            BUSY_TIMEOUT.as_secs()
        ),
        _ => e.to_string(),
    };
    Error::storage(message).with_source(e)
}

/// Maps the username index's violation to `Duplicate`, anything else to `Storage`.
fn storage_or_duplicate(e: rusqlite::Error, account: &Account) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Error::Duplicate {
                platform: account.platform,
                username: account.username.as_str().to_string(),
            }
        }
        _ => storage(e),
    }
}

fn missing(id: AccountId) -> Error {
    Error::not_found(format!("account {id}"))
}

/// Looks the serial up first: a conflicting insert would burn an AUTOINCREMENT
/// number, and the numbers are meant to stay small and dense.
fn register(conn: &Connection, serial: &str) -> Result<DeviceRecord> {
    let known = conn
        .prepare_cached("SELECT idx, serial, label FROM devices WHERE serial = ?1")
        .and_then(|mut s| s.query_row([serial], device).optional())
        .map_err(storage)?;
    if let Some(record) = known {
        return Ok(record);
    }
    conn.prepare_cached("INSERT INTO devices (serial) VALUES (?1) RETURNING idx, serial, label")
        .and_then(|mut s| s.query_row([serial], device))
        .map_err(storage)
}

fn device(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRecord> {
    Ok(DeviceRecord {
        index: row.get(0)?,
        serial: row.get(1)?,
        label: row.get(2)?,
    })
}

fn fetch(conn: &Connection, id: AccountId, at_rest: &AtRest) -> Result<Account> {
    conn.prepare_cached(&format!("{} WHERE a.id = ?1", rows::SELECT_ONE))
        .and_then(|mut s| {
            s.query_row([id.0], |row| rows::read(row, at_rest))
                .optional()
        })
        .map_err(storage)?
        .ok_or_else(|| missing(id))
}

fn remove(conn: &Connection, id: AccountId) -> Result<()> {
    let deleted = conn
        .prepare_cached("DELETE FROM accounts WHERE id = ?1")
        .and_then(|mut s| s.execute([id.0]))
        .map_err(storage)?;
    if deleted == 0 {
        return Err(missing(id));
    }
    Ok(())
}

/// A history row as stored: time, workflow, outcome, device, reason.
type HistoryRow = (i64, String, String, Option<String>, Option<String>);

/// A workflow or outcome stored by its name; a name this build does not know
/// (written by a newer farmhand) is a storage error naming it.
fn named<T: serde::de::DeserializeOwned>(what: &str, name: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
        Error::storage(format!(
            "the history holds the unknown {what} '{}'",
            crate::account::printable(name)
        ))
    })
}

/// The SQL condition and its parameters for a filter (same semantics as [`AccountFilter::matches`]).
fn condition(filter: &AccountFilter) -> (String, Vec<Value>) {
    let mut sql = vec!["1".to_string()];
    let mut values = Vec::new();
    let mut bind = |sql: &mut Vec<String>, clause: &str, value: Value| {
        values.push(value);
        sql.push(clause.replace('?', &format!("?{}", values.len())));
    };
    if let Some(p) = filter.platform {
        // Unary `+`: the username index must not drive a listing, which would then
        // sort every row of the platform by id instead of walking the table in id order.
        bind(&mut sql, "+a.platform = ?", Value::Text(p.as_str().into()));
    }
    if let Some(s) = filter.status {
        bind(
            &mut sql,
            "a.status = ?",
            Value::Integer(s.sheet_value().into()),
        );
    }
    if let Some(l) = filter.logged_in {
        bind(&mut sql, "a.logged_in = ?", Value::Integer(l.into()));
    }
    match &filter.device {
        Some(Some(serial)) => bind(&mut sql, "a.device = ?", Value::Text(serial.trim().into())),
        Some(None) => sql.push("a.device IS NULL".into()),
        None => {}
    }
    match filter.tag_needle() {
        Some(Some(tag)) => bind(
            &mut sql,
            "instr(a.tags, ?) > 0",
            Value::Text(format!(",{tag},")),
        ),
        Some(None) => sql.push("0".into()),
        None => {}
    }
    if let Some(needle) = filter.text_needle() {
        bind(
            &mut sql,
            "(instr(a.username_key, ?) > 0 OR instr(lower(a.email), ?) > 0 OR instr(lower(a.device), ?) > 0)",
            Value::Text(needle),
        );
    }
    (sql.join(" AND "), values)
}

/// The query of [`AccountStore::lookup`]: ids as a JSON array in `?1`, the
/// platform in `?2`, username keys as a JSON array in `?3`. One statement
/// whatever the number of ids and keys, each found through its index.
fn lookup_query() -> String {
    format!(
        "{} WHERE a.id IN (SELECT value FROM json_each(?1)) \
         OR (a.platform = ?2 AND a.username_key IN (SELECT value FROM json_each(?3)))",
        rows::SELECT_MANY
    )
}

/// The query of one page of [`AccountStore::for_each`] and its parameters; the
/// last one is the id the page starts after (`i64::MIN` for the first page).
fn page_query(filter: &AccountFilter) -> (String, Vec<Value>) {
    let (cond, mut values) = condition(filter);
    let after = values.len() + 1;
    let sql = format!(
        "{} WHERE {cond} AND a.id > ?{after} ORDER BY a.id LIMIT {PAGE}",
        rows::SELECT_MANY
    );
    values.push(Value::Integer(i64::MIN));
    (sql, values)
}

impl AccountStore for SqliteStore {
    fn encryption(&self) -> Encryption {
        match &self.opened.at_rest {
            AtRest::Plain => Encryption::Plain,
            AtRest::Sealed(None) => Encryption::Locked,
            AtRest::Sealed(Some(_)) => Encryption::Unlocked,
        }
    }

    fn leases(&self) -> &dyn super::Leases {
        self
    }

    fn watch(&self) -> Result<Box<dyn super::ChangeWatch>> {
        Ok(Box::new(watch::DataVersionWatch::open(&self.path)?))
    }

    fn create(&self, new: NewAccount) -> Result<Account> {
        self.write(|conn| Writer::new(conn, &self.opened.at_rest).insert(new))
    }

    fn get(&self, id: AccountId) -> Result<Account> {
        fetch(&self.read_lock(), id, &self.opened.at_rest)
    }

    fn find_by_username(&self, platform: Platform, username: &str) -> Result<Option<Account>> {
        let key = Username::lookup_key(username)?;
        let sql = format!(
            "{} WHERE a.platform = ?1 AND a.username_key = ?2",
            rows::SELECT_ONE
        );
        self.read_lock()
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_row(params![platform.as_str(), key], |row| {
                    rows::read(row, &self.opened.at_rest)
                })
                .optional()
            })
            .map_err(storage)
    }

    fn update_with(
        &self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        self.write(|conn| Writer::new(conn, &self.opened.at_rest).modify(id, change))
    }

    fn delete(&self, id: AccountId) -> Result<()> {
        self.write(|conn| remove(conn, id))
    }

    fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>> {
        let (cond, values) = condition(filter);
        let sql = format!("{} WHERE {cond} ORDER BY a.id", rows::SELECT_MANY);
        self.read_many(&sql, values, &mut DeviceIndexes::default())
    }

    fn for_each(
        &self,
        filter: &AccountFilter,
        visit: &mut dyn FnMut(Account) -> Result<()>,
    ) -> Result<()> {
        let (sql, mut values) = page_query(filter);
        let after = values.len();
        let mut devices = DeviceIndexes::default();
        loop {
            let page = self.read_many(&sql, values.clone(), &mut devices)?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            values[after - 1] = Value::Integer(last.id.0);
            for account in page {
                visit(account)?;
            }
        }
    }

    fn count(&self, filter: &AccountFilter) -> Result<usize> {
        let (cond, values) = condition(filter);
        let sql = format!("SELECT count(*) FROM accounts a WHERE {cond}");
        let n: i64 = self
            .read_lock()
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row(params_from_iter(values), |r| r.get(0)))
            .map_err(storage)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn apply_batch(&self, ops: Vec<BatchOp>) -> Result<Vec<Option<Account>>> {
        let (applied, created) = self.write_batch(true, |writer| {
            ops.into_iter()
                .map(|op| writer.apply(op))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut created = created.into_iter();
        Ok(applied
            .into_iter()
            .map(|applied| match applied {
                Applied::Queued => created.next(),
                Applied::Done(account) => account,
            })
            .collect())
    }

    fn apply_stream(&self, next: &mut dyn FnMut() -> Result<Option<BatchOp>>) -> Result<usize> {
        let (applied, _) = self.write_batch(false, |writer| {
            let mut applied = 0;
            while let Some(op) = next()? {
                writer.apply(op)?;
                applied += 1;
            }
            Ok(applied)
        })?;
        Ok(applied)
    }

    fn apply_stream_if_unchanged(
        &self,
        since: ChangeMark,
        next: &mut dyn FnMut() -> Result<Option<BatchOp>>,
    ) -> Result<Option<usize>> {
        let mut conn = self.write_lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(storage)?;
        at_rest::check_unchanged(&tx, &self.opened)?;
        if self.mark_on(&tx)? != since {
            // Dropping the transaction rolls it back: nothing was written.
            return Ok(None);
        }
        let mut writer = Writer::for_batch(&tx, &self.opened.at_rest, false);
        let mut applied = 0;
        while let Some(op) = next()? {
            writer.apply(op)?;
            applied += 1;
        }
        writer.finish()?;
        tx.commit().map_err(storage)?;
        // A transaction that wrote nothing leaves the mark where it was.
        if applied > 0 {
            self.commits.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Some(applied))
    }

    fn change_mark(&self) -> Result<ChangeMark> {
        let conn = self.write_lock();
        self.mark_on(&conn)
    }

    fn lookup(
        &self,
        platform: Platform,
        ids: &[AccountId],
        keys: &[String],
    ) -> Result<Vec<Account>> {
        if ids.is_empty() && keys.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let json = |list: serde_json::Result<String>| {
            list.map(Value::Text)
                .map_err(|e| Error::storage(format!("cannot list the keys to look up: {e}")))
        };
        let values = vec![
            json(serde_json::to_string(&ids))?,
            Value::Text(platform.as_str().into()),
            json(serde_json::to_string(keys))?,
        ];
        let mut devices = self
            .lookup_devices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.read_many(&lookup_query(), values, &mut devices)
    }

    fn register_device(&self, serial: &str) -> Result<DeviceRecord> {
        let serial = check_serial(serial)?;
        self.write(|conn| register(conn, &serial))
    }

    fn list_devices(&self) -> Result<Vec<DeviceRecord>> {
        let conn = self.read_lock();
        let mut stmt = conn
            .prepare_cached("SELECT idx, serial, label FROM devices ORDER BY idx")
            .map_err(storage)?;
        let devices = stmt
            .query_map([], device)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(storage)?;
        Ok(devices)
    }

    fn label_device(&self, serial: &str, label: Option<String>) -> Result<DeviceRecord> {
        let serial = check_serial(serial)?;
        let label = check_label(label)?;
        self.write(|conn| {
            conn.prepare_cached(
                "UPDATE devices SET label = ?2 WHERE serial = ?1 RETURNING idx, serial, label",
            )
            .and_then(|mut s| s.query_row(params![serial, label], device).optional())
            .map_err(storage)?
            .ok_or_else(|| Error::not_found(format!("device {serial}")))
        })
    }

    fn record_history(&self, entries: &[HistoryEntry]) -> Result<usize> {
        self.write(|conn| {
            let mut kept = 0;
            for entry in entries {
                let inserted = conn
                    .prepare_cached(
                        "INSERT INTO history (account_id, at, workflow, outcome, device, reason)
                         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            entry.account.0,
                            entry.at.0,
                            entry.workflow.as_str(),
                            entry.outcome.as_str(),
                            entry.device,
                            entry.reason
                        ])
                    })
                    .map_err(storage)?;
                if inserted == 0 {
                    continue;
                }
                kept += 1;
                conn.prepare_cached(
                    "DELETE FROM history WHERE account_id = ?1 AND id NOT IN
                     (SELECT id FROM history WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2)",
                )
                .and_then(|mut s| s.execute(params![entry.account.0, HISTORY_LIMIT as i64]))
                .map_err(storage)?;
            }
            Ok(kept)
        })
    }

    fn history(&self, id: AccountId, limit: usize) -> Result<Vec<HistoryEntry>> {
        let conn = self.read_lock();
        fetch(&conn, id, &self.opened.at_rest)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<HistoryRow> = conn
            .prepare_cached(
                "SELECT at, workflow, outcome, device, reason FROM history
                 WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![id.0, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect()
            })
            .map_err(storage)?;
        rows.into_iter()
            .map(|(at, workflow, outcome, device, reason)| {
                Ok(HistoryEntry {
                    account: id,
                    at: Timestamp(at),
                    workflow: named("workflow", &workflow)?,
                    outcome: named("outcome", &outcome)?,
                    device,
                    reason,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Status;

    /// A lookup finds each id through the table's key and each username through
    /// its index: a scan would read the whole roster per batch of sheet rows.
    #[test]
    fn lookups_use_the_indexes_not_a_scan() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("plan.db")).unwrap();
        let conn = store.read_lock();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", lookup_query()))
            .and_then(|mut s| {
                s.query_map(params!["[1, 2]", "tiktok", "[\"a\"]"], |r| {
                    r.get::<_, String>(3)
                })?
                .collect()
            })
            .unwrap();
        let plan = plan.join("; ");
        assert!(plan.contains("MULTI-INDEX OR"), "{plan}");
        assert!(plan.contains("INTEGER PRIMARY KEY (rowid=?)"), "{plan}");
        assert!(plan.contains("accounts_username"), "{plan}");
        assert!(!plan.contains("SCAN a"), "{plan}");
    }

    /// Each page must be read in id order from where the last one ended: a
    /// plan that sorts would sort every remaining row once per page, which is
    /// quadratic in the roster (minutes for a million accounts).
    #[test]
    fn listing_pages_walk_ids_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("plan.db")).unwrap();
        let filters = [
            AccountFilter::default(),
            AccountFilter {
                platform: Some(Platform::Instagram),
                status: Some(Status::Enabled),
                ..AccountFilter::default()
            },
            AccountFilter {
                device: Some(None),
                ..AccountFilter::default()
            },
            AccountFilter {
                device: Some(Some("emulator-5554".into())),
                logged_in: Some(true),
                ..AccountFilter::default()
            },
            AccountFilter {
                tag: Some("vip".into()),
                text: Some("bob".into()),
                ..AccountFilter::default()
            },
        ];
        let conn = store.read_lock();
        for filter in filters {
            let (sql, values) = page_query(&filter);
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .and_then(|mut s| {
                    s.query_map(params_from_iter(values), |r| r.get::<_, String>(3))?
                        .collect()
                })
                .unwrap();
            let plan = plan.join("; ");
            assert!(!plan.contains("TEMP B-TREE"), "{filter:?}: {plan}");
            assert!(
                plan.contains("PRIMARY KEY (rowid>?)") || plan.contains("AND rowid>?)"),
                "{filter:?}: {plan}"
            );
        }
    }
}
