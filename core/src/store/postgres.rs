//! [`PostgresStore`]: one roster in a PostgreSQL database, shared by the
//! controllers of several PCs.
//!
//! The store keeps a few connections (opened as threads need them, kept while
//! idle) and runs every change in one transaction: a read-modify-write locks
//! its row (`SELECT ... FOR UPDATE`), so concurrent changes from threads,
//! processes or PCs never lose an update; a batch or an import is one
//! transaction, written a group of accounts per statement. Readers see the
//! last commit and never wait for a write. The semantics are those of
//! [`SqliteStore`](super::SqliteStore): the same contract test suite runs
//! against both.
//!
//! The connection URL may hold a password: it never appears in an error, a
//! log line or a `Debug` output, which show the [`PostgresStore::location`]
//! (user, hosts, ports and database) instead.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use postgres::config::Host;
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Config, Transaction};

mod leases;
mod rows;
mod schema;
mod tls;
mod watch;
mod writer;

pub use schema::VERSION as POSTGRES_SCHEMA_VERSION;

use super::{
    AccountFilter, AccountStore, BatchOp, ChangeMark, DeviceRecord, HistoryEntry, HISTORY_LIMIT,
};
use crate::account::{
    check_label, check_serial, Account, AccountId, AccountPatch, NewAccount, Platform, Timestamp,
    Username,
};
use crate::error::{Error, Result};
use writer::{Applied, Writer};

/// How long opening a connection may take before it fails (unless the URL sets
/// `connect_timeout`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Accounts per page of [`AccountStore::for_each`]; the connection is given
/// back between pages.
const PAGE: i64 = 1024;

/// Idle connections kept for reuse; more are opened while more threads work
/// at once, and closed when they are done.
const IDLE_CONNECTIONS: usize = 8;

/// Where a store is, as messages show it: the URL's user, hosts, ports and
/// database, never its password or options.
#[derive(Clone, PartialEq, Eq)]
pub struct Location(String);

impl Location {
    /// The location `url` names, if it is a PostgreSQL URL that can be read.
    pub fn of_url(url: &str) -> Option<Location> {
        if !super::is_postgres_url(url) {
            return None;
        }
        let (url, _) = tls::split(url).ok()?;
        url.parse::<Config>().ok().map(|c| Location::of(&c))
    }

    fn of(config: &Config) -> Location {
        let user = config
            .get_user()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let ports = config.get_ports();
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let host = match host {
                    Host::Tcp(name) => name.clone(),
                    #[cfg(unix)]
                    Host::Unix(path) => path.display().to_string(),
                };
                match ports.get(i).or(ports.first()) {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                }
            })
            .collect();
        let db = config.get_dbname().unwrap_or("");
        Location(format!("postgres://{user}{}/{db}", hosts.join(",")))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// An [`AccountStore`] in a PostgreSQL database (see the module documentation).
pub struct PostgresStore {
    config: Config,
    /// Plain or TLS connections, as the URL's `sslmode` says.
    connector: tls::Connector,
    location: Location,
    idle: Mutex<Vec<Pooled>>,
}

/// A connection with the statements prepared on it so far: a read of one
/// account is then one round trip instead of two (parse, then execute).
struct Pooled {
    client: Client,
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the workspace at `url` (`postgres://user:password@host:port/db`,
    /// with libpq's parameters, e.g. `?options=-csearch_path%3Dfarm2` for a
    /// workspace in schema `farm2`), creating its tables in an empty schema and
    /// migrating an older one. Refuses (with a `Storage` error naming the
    /// location, never the password, and leaving the database untouched) a
    /// schema holding another application's tables or a workspace written by a
    /// newer farmhand.
    ///
    /// TLS follows libpq's `sslmode` and `sslrootcert` parameters (see
    /// `store/postgres/tls.rs`; it needs the cargo feature `postgres-tls`).
    pub fn open(url: &str) -> Result<Self> {
        let (client_url, tls) = tls::split(url)?;
        let mut config: Config = client_url.parse().map_err(|e: postgres::Error| {
            Error::storage(format!(
                "the PostgreSQL URL (not shown: it may hold a password) is not valid: {}",
                scrub(&e.to_string(), url)
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("farmhand");
        }
        let store = PostgresStore {
            location: Location::of(&config),
            connector: tls::Connector::new(&tls)?,
            config,
            idle: Mutex::new(Vec::new()),
        };
        let mut conn = store.connection()?;
        schema::prepare(&mut conn, &store.location)?;
        drop(conn);
        Ok(store)
    }

    /// Where the workspace is: its URL without the password.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// An idle connection, or a new one.
    pub(crate) fn connection(&self) -> Result<Connection<'_>> {
        let reused = std::iter::from_fn(|| self.idle_lock().pop()).find(|c| !c.client.is_closed());
        let pooled = match reused {
            Some(pooled) => pooled,
            None => Pooled {
                client: self.connect()?,
                statements: std::collections::HashMap::new(),
            },
        };
        Ok(Connection {
            store: self,
            pooled: Some(pooled),
        })
    }

    /// A new connection of its own (the pool's, or a change feed's).
    fn connect(&self) -> Result<Client> {
        self.connector.connect(&self.config).map_err(|e| {
            // The causes say what failed (a TLS handshake: which certificate
            // check); the password, should any cause quote it, is masked.
            let mut why = e.to_string();
            let mut cause = std::error::Error::source(&e);
            while let Some(inner) = cause {
                why = format!("{why}: {inner}");
                cause = inner.source();
            }
            if let Some(password) = self.config.get_password() {
                let password = String::from_utf8_lossy(password);
                if !password.is_empty() {
                    why = why.replace(password.as_ref(), "***");
                }
            }
            Error::storage(format!("{}: cannot connect: {why}", self.location)).with_source(e)
        })
    }

    fn idle_lock(&self) -> MutexGuard<'_, Vec<Pooled>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` in one transaction: all of it is committed or none.
    ///
    /// Writers take the change counter's row lock first, one after another:
    /// always first, so that two writers never wait on each other's rows
    /// (no deadlock), and so that an import's commit, which holds it, sees a
    /// roster no other writer changes before it commits.
    fn write<T>(&self, work: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let mut tx = conn.transaction().map_err(storage)?;
        lock_change_count(&mut tx)?;
        let out = work(&mut tx)?;
        tx.commit().map_err(storage)?;
        Ok(out)
    }

    /// Runs `work` with a batch [`Writer`] in one transaction, writing what the
    /// writer still holds before the commit. With `keep_created`, also returns
    /// the accounts its queued creates became, in order.
    fn write_batch<T>(
        &self,
        keep_created: bool,
        work: impl FnOnce(&mut Writer<'_, '_>) -> Result<T>,
    ) -> Result<(T, Vec<Account>)> {
        self.write(|tx| {
            let mut writer = Writer::for_batch(tx, keep_created);
            let out = work(&mut writer)?;
            let created = writer.finish()?;
            Ok((out, created))
        })
    }

    /// The accounts a query of [`rows::SELECT`] returns.
    fn read_many(&self, sql: &str, params: &[Param]) -> Result<Vec<Account>> {
        let mut conn = self.connection()?;
        let statement = conn.prepared(sql)?;
        let rows = conn.query(&statement, &refs(params)).map_err(storage)?;
        rows.iter()
            .map(|row| rows::read(row).map_err(Failure::into_error))
            .collect()
    }
}

/// Takes the change counter's row lock in `tx` (held to its end) and reads
/// the [`ChangeMark`] it holds.
fn lock_change_count(tx: &mut Transaction<'_>) -> Result<ChangeMark> {
    let row = tx
        .query_one("SELECT n FROM farmhand_change_count FOR UPDATE", &[])
        .map_err(storage)?;
    Ok(ChangeMark(u128::from(row.get::<_, i64>(0) as u64)))
}

/// A connection lent by a [`PostgresStore`]; it goes back to the idle ones when
/// dropped, unless it was closed (a transaction left open is rolled back by
/// its own drop first).
pub(crate) struct Connection<'s> {
    store: &'s PostgresStore,
    pooled: Option<Pooled>,
}

impl Connection<'_> {
    /// `sql` prepared on this connection (once: later calls reuse it).
    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement> {
        let pooled = self
            .pooled
            .as_mut()
            .expect("a lent connection holds its client");
        if let Some(statement) = pooled.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = pooled.client.prepare(sql).map_err(storage)?;
        pooled.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

impl std::ops::Deref for Connection<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self
            .pooled
            .as_ref()
            .expect("a lent connection holds its client")
            .client
    }
}

impl std::ops::DerefMut for Connection<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self
            .pooled
            .as_mut()
            .expect("a lent connection holds its client")
            .client
    }
}

impl Drop for Connection<'_> {
    fn drop(&mut self) {
        if let Some(pooled) = self.pooled.take() {
            let mut idle = self.store.idle_lock();
            if !pooled.client.is_closed() && idle.len() < IDLE_CONNECTIONS {
                idle.push(pooled);
            }
        }
    }
}

/// What can go wrong reading a row: the server's error, or a column holding a
/// value this build cannot read.
pub(crate) enum Failure {
    /// The client's or server's error.
    Pg(postgres::Error),
    /// Column `.0` holds `.1` (a description, never the value).
    Column(usize, &'static str),
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Pg(e)
    }
}

impl Failure {
    fn into_error(self) -> Error {
        match self {
            Failure::Pg(e) => storage(e),
            Failure::Column(column, what) => {
                Error::storage(format!("accounts column {column} holds {what}"))
            }
        }
    }
}

/// `text` with every occurrence of the password of `url` (if it has one)
/// replaced by `***`: a last guard for messages made from a URL.
fn scrub(text: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .and_then(|authority| authority.rsplit_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|p| !p.is_empty());
    match password {
        Some(password) => text.replace(password, "***"),
        None => text.to_string(),
    }
}

/// A storage error caused by `e`. A server error is told by its code and
/// message only: its detail may quote the values of a row (a password), so
/// neither the detail nor the error itself is kept.
pub(crate) fn storage(e: postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => Error::storage(format!("PostgreSQL {}: {}", db.code().code(), db.message())),
        None => {
            let why = e.to_string();
            Error::storage(format!("PostgreSQL: {why}")).with_source(e)
        }
    }
}

/// True when `e` is the username index's violation.
fn is_duplicate(e: &postgres::Error) -> bool {
    e.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::UNIQUE_VIOLATION && db.constraint() == Some("accounts_username")
    })
}

/// Maps the username index's violation to `Duplicate`, anything else to `Storage`.
fn storage_or_duplicate(e: postgres::Error, account: &Account) -> Error {
    if is_duplicate(&e) {
        Error::Duplicate {
            platform: account.platform,
            username: account.username.as_str().to_string(),
        }
    } else {
        storage(e)
    }
}

fn missing(id: AccountId) -> Error {
    Error::not_found(format!("account {id}"))
}

/// A statement parameter.
type Param = Box<dyn ToSql + Sync + Send>;

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// The device record of a row `idx, serial, label`.
fn device(row: &postgres::Row) -> Result<DeviceRecord> {
    let index: i32 = row.try_get(0).map_err(storage)?;
    Ok(DeviceRecord {
        index: u32::try_from(index)
            .map_err(|_| Error::storage("devices column idx holds a negative number"))?,
        serial: row.try_get(1).map_err(storage)?,
        label: row.try_get(2).map_err(storage)?,
    })
}

/// Looks the serial up first, then numbers a new phone one past the highest
/// number under a lock on the registry, so numbers stay small, dense, and are
/// given back when the transaction fails.
fn register(tx: &mut Transaction<'_>, serial: &str) -> Result<DeviceRecord> {
    const FIND: &str = "SELECT idx, serial, label FROM devices WHERE serial = $1";
    if let Some(row) = tx.query_opt(FIND, &[&serial]).map_err(storage)? {
        return device(&row);
    }
    lock_registry(tx)?;
    if let Some(row) = tx.query_opt(FIND, &[&serial]).map_err(storage)? {
        return device(&row);
    }
    let row = tx
        .query_one(
            "INSERT INTO devices (idx, serial) SELECT coalesce(max(idx), 0) + 1, $1 FROM devices \
             RETURNING idx, serial, label",
            &[&serial],
        )
        .map_err(storage)?;
    device(&row)
}

/// Keeps other writers from numbering phones until this transaction ends
/// (reads go on).
fn lock_registry(tx: &mut Transaction<'_>) -> Result<()> {
    tx.batch_execute("LOCK TABLE devices IN SHARE ROW EXCLUSIVE MODE")
        .map_err(storage)
}

fn fetch(client: &mut impl postgres::GenericClient, id: AccountId, lock: bool) -> Result<Account> {
    let sql = format!(
        "{} WHERE a.id = $1{}",
        rows::SELECT,
        if lock { " FOR UPDATE OF a" } else { "" }
    );
    let row = client
        .query_opt(sql.as_str(), &[&id.0])
        .map_err(storage)?
        .ok_or_else(|| missing(id))?;
    rows::read(&row).map_err(Failure::into_error)
}

fn remove(tx: &mut Transaction<'_>, id: AccountId) -> Result<()> {
    let deleted = tx
        .execute("DELETE FROM accounts WHERE id = $1", &[&id.0])
        .map_err(storage)?;
    if deleted == 0 {
        return Err(missing(id));
    }
    Ok(())
}

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

/// The SQL condition and its parameters for a filter (same semantics as
/// [`AccountFilter::matches`]); parameters are numbered from `$1`.
fn condition(filter: &AccountFilter) -> (String, Vec<Param>) {
    let mut sql = vec!["TRUE".to_string()];
    let mut params: Vec<Param> = Vec::new();
    let mut bind = |sql: &mut Vec<String>, clause: &str, value: Param| {
        params.push(value);
        sql.push(clause.replace('?', &format!("${}", params.len())));
    };
    if let Some(p) = filter.platform {
        bind(&mut sql, "a.platform = ?", Box::new(p.as_str()));
    }
    if let Some(s) = filter.status {
        bind(
            &mut sql,
            "a.status = ?",
            Box::new(i16::from(s.sheet_value())),
        );
    }
    if let Some(l) = filter.logged_in {
        bind(&mut sql, "a.logged_in = ?", Box::new(l));
    }
    match &filter.device {
        Some(Some(serial)) => bind(
            &mut sql,
            "a.device = ?",
            Box::new(serial.trim().to_string()),
        ),
        Some(None) => sql.push("a.device IS NULL".into()),
        None => {}
    }
    match filter.tag_needle() {
        Some(Some(tag)) => bind(
            &mut sql,
            "strpos(a.tags, ?) > 0",
            Box::new(format!(",{tag},")),
        ),
        Some(None) => sql.push("FALSE".into()),
        None => {}
    }
    if let Some(needle) = filter.text_needle() {
        // Collation "C": lower() folds ASCII letters only, as the filter's rule says.
        bind(
            &mut sql,
            "(strpos(a.username_key, ?) > 0 OR strpos(lower(a.email COLLATE \"C\"), ?) > 0 \
             OR strpos(lower(a.device COLLATE \"C\"), ?) > 0)",
            Box::new(needle),
        );
    }
    (sql.join(" AND "), params)
}

impl AccountStore for PostgresStore {
    fn leases(&self) -> &dyn super::Leases {
        self
    }

    fn watch(&self) -> Result<Box<dyn super::ChangeWatch>> {
        Ok(Box::new(watch::NotifyWatch::open(self)?))
    }

    fn create(&self, new: NewAccount) -> Result<Account> {
        self.write(|tx| Writer::new(tx).insert(new))
    }

    fn get(&self, id: AccountId) -> Result<Account> {
        let mut conn = self.connection()?;
        let statement = conn.prepared(&format!("{} WHERE a.id = $1", rows::SELECT))?;
        let row = conn
            .query_opt(&statement, &[&id.0])
            .map_err(storage)?
            .ok_or_else(|| missing(id))?;
        rows::read(&row).map_err(Failure::into_error)
    }

    fn find_by_username(&self, platform: Platform, username: &str) -> Result<Option<Account>> {
        let key = Username::lookup_key(username)?;
        let sql = format!(
            "{} WHERE a.platform = $1 AND a.username_key = $2",
            rows::SELECT
        );
        let mut conn = self.connection()?;
        let statement = conn.prepared(&sql)?;
        let row = conn
            .query_opt(&statement, &[&platform.as_str(), &key])
            .map_err(storage)?;
        row.map(|row| rows::read(&row).map_err(Failure::into_error))
            .transpose()
    }

    fn update_with(
        &self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        self.write(|tx| Writer::new(tx).modify(id, change))
    }

    fn delete(&self, id: AccountId) -> Result<()> {
        self.write(|tx| remove(tx, id))
    }

    fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>> {
        let (cond, params) = condition(filter);
        let sql = format!("{} WHERE {cond} ORDER BY a.id", rows::SELECT);
        self.read_many(&sql, &params)
    }

    fn for_each(
        &self,
        filter: &AccountFilter,
        visit: &mut dyn FnMut(Account) -> Result<()>,
    ) -> Result<()> {
        let (cond, mut params) = condition(filter);
        let after = params.len() + 1;
        let sql = format!(
            "{} WHERE {cond} AND a.id > ${after} ORDER BY a.id LIMIT {PAGE}",
            rows::SELECT
        );
        params.push(Box::new(i64::MIN));
        loop {
            let page = self.read_many(&sql, &params)?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            params[after - 1] = Box::new(last.id.0);
            for account in page {
                visit(account)?;
            }
        }
    }

    fn count(&self, filter: &AccountFilter) -> Result<usize> {
        let (cond, params) = condition(filter);
        let sql = format!("SELECT count(*) FROM accounts a WHERE {cond}");
        let mut conn = self.connection()?;
        let statement = conn.prepared(&sql)?;
        let n: i64 = conn
            .query_one(&statement, &refs(&params))
            .and_then(|row| row.try_get(0))
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
        let outcome = self.write(|tx| {
            if lock_change_count(tx)? != since {
                return Ok(None);
            }
            let mut writer = Writer::for_batch(tx, false);
            let mut applied = 0;
            while let Some(op) = next()? {
                writer.apply(op)?;
                applied += 1;
            }
            writer.finish()?;
            Ok(Some(applied))
        })?;
        Ok(outcome)
    }

    fn change_mark(&self) -> Result<ChangeMark> {
        let mut conn = self.connection()?;
        let row = conn
            .query_one("SELECT n FROM farmhand_change_count", &[])
            .map_err(storage)?;
        Ok(ChangeMark(u128::from(row.get::<_, i64>(0) as u64)))
    }

    fn register_device(&self, serial: &str) -> Result<DeviceRecord> {
        let serial = check_serial(serial)?;
        self.write(|tx| register(tx, &serial))
    }

    fn list_devices(&self) -> Result<Vec<DeviceRecord>> {
        self.connection()?
            .query("SELECT idx, serial, label FROM devices ORDER BY idx", &[])
            .map_err(storage)?
            .iter()
            .map(device)
            .collect()
    }

    fn label_device(&self, serial: &str, label: Option<String>) -> Result<DeviceRecord> {
        let serial = check_serial(serial)?;
        let label = check_label(label)?;
        self.write(|tx| {
            let row = tx
                .query_opt(
                    "UPDATE devices SET label = $2 WHERE serial = $1 RETURNING idx, serial, label",
                    &[&serial, &label],
                )
                .map_err(storage)?
                .ok_or_else(|| Error::not_found(format!("device {serial}")))?;
            device(&row)
        })
    }

    fn record_history(&self, entries: &[HistoryEntry]) -> Result<usize> {
        self.write(|tx| {
            let insert = tx
                .prepare(
                    "INSERT INTO history (account_id, at, workflow, outcome, device, reason)
                     SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $1)",
                )
                .map_err(storage)?;
            let trim = tx
                .prepare(
                    "DELETE FROM history WHERE account_id = $1 AND id NOT IN
                     (SELECT id FROM history WHERE account_id = $1 ORDER BY id DESC LIMIT $2)",
                )
                .map_err(storage)?;
            let mut kept = 0;
            for entry in entries {
                let inserted = tx
                    .execute(
                        &insert,
                        &[
                            &entry.account.0,
                            &entry.at.0,
                            &entry.workflow.as_str(),
                            &entry.outcome.as_str(),
                            &entry.device,
                            &entry.reason,
                        ],
                    )
                    .map_err(storage)?;
                if inserted == 0 {
                    continue;
                }
                kept += 1;
                tx.execute(&trim, &[&entry.account.0, &(HISTORY_LIMIT as i64)])
                    .map_err(storage)?;
            }
            Ok(kept)
        })
    }

    fn history(&self, id: AccountId, limit: usize) -> Result<Vec<HistoryEntry>> {
        let mut conn = self.connection()?;
        let mut tx = conn.transaction().map_err(storage)?;
        fetch(&mut tx, id, false)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = tx
            .query(
                "SELECT at, workflow, outcome, device, reason FROM history
                 WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
                &[&id.0, &limit],
            )
            .map_err(storage)?;
        tx.commit().map_err(storage)?;
        rows.iter()
            .map(|row| {
                let workflow: String = row.try_get(1).map_err(storage)?;
                let outcome: String = row.try_get(2).map_err(storage)?;
                Ok(HistoryEntry {
                    account: id,
                    at: Timestamp(row.try_get(0).map_err(storage)?),
                    workflow: named("workflow", &workflow)?,
                    outcome: named("outcome", &outcome)?,
                    device: row.try_get(3).map_err(storage)?,
                    reason: row.try_get(4).map_err(storage)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_leaves_the_password_out() {
        let config: Config = "postgres://farm:s3cr%40t@db.example:6543,db2/roster?sslmode=disable"
            .parse()
            .unwrap();
        let shown = Location::of(&config).to_string();
        assert!(
            shown.starts_with("postgres://farm@db.example:6543,db2"),
            "{shown}"
        );
        assert!(shown.ends_with("/roster"), "{shown}");
        assert!(!shown.contains("s3cr"), "{shown}");
        let url = "postgresql://farm:s3cr%40t@db.example/roster";
        let shown = Location::of_url(url).unwrap().to_string();
        assert!(shown.starts_with("postgres://farm@db.example"), "{shown}");
        assert!(
            shown.ends_with("/roster") && !shown.contains("s3cr"),
            "{shown}"
        );
        assert_eq!(Location::of_url("farm.db"), None);
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        for url in [
            "postgres://u:hunter2@h:notaport/db",
            "postgres://u:hunter2@h/db?unknown_option=hunter2",
            "postgres://u:hunter2@h/db?connect_timeout=hunter2",
        ] {
            let err = PostgresStore::open(url).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert_eq!(err.kind(), crate::ErrorKind::Storage, "{shown}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}
