//! Storage of accounts and the device registry.
//!
//! [`AccountStore`] is the object-safe contract every store meets (one shared
//! contract test suite runs against each). Implementations: `MemoryStore`
//! (tests, scratch work), `SqliteStore` (the embedded default: one file is
//! one workspace) and, with the `postgres` feature, `PostgresStore` (one
//! roster shared by the controllers of several PCs).

pub mod changes;
pub mod history;
pub mod lease;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod rows;
pub mod schema;
mod sqlite;

use serde::{Deserialize, Serialize};

use crate::account::{Account, AccountId, AccountPatch, NewAccount, Platform, Status};
use crate::error::Result;

pub use changes::ChangeWatch;
pub use history::{HistoryEntry, HISTORY_LIMIT};
pub use lease::{Claim, Holder, Lease, LeaseSubject, Leases, MAX_LEASE};
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{Location, PostgresStore, CONNECT_TIMEOUT, POSTGRES_SCHEMA_VERSION};
pub use sqlite::{Conversion, SqliteStore, BUSY_TIMEOUT};

/// True when `target` names a PostgreSQL server (`postgres://` or
/// `postgresql://`, any case) rather than a workspace file.
pub fn is_postgres_url(target: &str) -> bool {
    let scheme = target.trim_start().get(..13).unwrap_or(target.trim_start());
    let scheme = scheme.to_ascii_lowercase();
    scheme.starts_with("postgres://") || scheme.starts_with("postgresql://")
}

/// Which accounts a listing returns. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountFilter {
    /// Only this platform.
    pub platform: Option<Platform>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only accounts whose logged-in flag is this.
    pub logged_in: Option<bool>,
    /// Only accounts bound to this serial (`Some(None)`: only unbound accounts).
    pub device: Option<Option<String>>,
    /// Only accounts carrying this tag (exact, case-sensitive).
    pub tag: Option<String>,
    /// Case-insensitive substring of username, email or device (usernames fold
    /// all of Unicode's case; email and device fold ASCII letters only).
    pub text: Option<String>,
}

impl AccountFilter {
    /// Accounts that are enabled, i.e. eligible for automation.
    pub fn enabled() -> Self {
        AccountFilter {
            status: Some(Status::Enabled),
            ..AccountFilter::default()
        }
    }

    /// True when `account` passes the filter; the reference every store agrees with.
    pub fn matches(&self, account: &Account) -> bool {
        self.platform.is_none_or(|p| p == account.platform)
            && self.status.is_none_or(|s| s == account.status)
            && self.logged_in.is_none_or(|l| l == account.logged_in)
            && self
                .device
                .as_ref()
                .is_none_or(|d| d.as_deref().map(str::trim) == account.device.as_deref())
            && self
                .tag_needle()
                .is_none_or(|t| t.is_some_and(|t| account.tags.iter().any(|x| x == t)))
            && self.text_needle().is_none_or(|needle| {
                account.username.key().contains(&needle)
                    || [&account.email, &account.device].iter().any(|field| {
                        field
                            .as_deref()
                            .is_some_and(|v| v.to_ascii_lowercase().contains(&needle))
                    })
            })
    }

    /// The tag to look for: `None` when the filter has no tag, `Some(None)` when
    /// it names a tag no account can carry (blank or holding a comma).
    pub(crate) fn tag_needle(&self) -> Option<Option<&str>> {
        let tag = self.tag.as_deref()?.trim();
        Some(Some(tag).filter(|t| !t.is_empty() && !t.contains(',')))
    }

    /// The lower-cased search text, if the filter has a non-blank one.
    pub(crate) fn text_needle(&self) -> Option<String> {
        let text = self.text.as_deref()?.trim();
        (!text.is_empty()).then(|| text.to_lowercase())
    }
}

/// One change inside an atomic batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOp {
    /// Create an account.
    Create(NewAccount),
    /// Update an existing account.
    Update(AccountId, AccountPatch),
    /// Delete an account.
    Delete(AccountId),
}

/// A point in a store's history of committed writes: two marks taken from one
/// store are equal only if no write was committed between them (by this
/// process or another). A writer that plans without holding the store's write
/// lock (the spreadsheet import) applies its plan only if the mark it planned
/// at has not moved; see [`AccountStore::apply_stream_if_unchanged`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChangeMark(pub u128);

/// A phone known to the workspace, with its stable friendly number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// USB serial or `ip:port`.
    pub serial: String,
    /// Stable small number, assigned on first sight and never reused: the `device_index`.
    pub index: u32,
    /// Optional label given by a person.
    pub label: Option<String>,
}

/// Whether a store keeps account secrets encrypted at rest, and whether it holds the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encryption {
    /// Secrets are stored in plain text.
    Plain,
    /// Secrets are encrypted and the store was opened without the key: they
    /// read as locked ([`crate::Secret::is_locked`]), and anything needing
    /// one fails with [`crate::ErrorKind::Key`].
    Locked,
    /// Secrets are encrypted and the store holds the key.
    Unlocked,
}

/// The storage contract. Object safe, shareable across threads.
///
/// Secrets at rest: a store that encrypts keeps a
/// [`crate::secret::seal::AtRest`] and passes each secret through its
/// `store` when writing a row and its `load` when reading one (the sealed
/// value is bound to the account id, so a store assigns ids before it seals).
pub trait AccountStore: Send + Sync {
    /// How this store keeps secrets; stores that never encrypt keep the default, `Plain`.
    fn encryption(&self) -> Encryption {
        Encryption::Plain
    }
    /// Creates an account; fails with `Duplicate` if the username exists on that platform.
    fn create(&self, new: NewAccount) -> Result<Account>;
    /// The account with this id, or `NotFound`.
    fn get(&self, id: AccountId) -> Result<Account>;
    /// The account with this username (any spelling) on this platform, if any.
    fn find_by_username(&self, platform: Platform, username: &str) -> Result<Option<Account>>;
    /// Applies a patch and returns the updated account; `NotFound` for an unknown id.
    fn update(&self, id: AccountId, patch: AccountPatch) -> Result<Account> {
        let mut patch = Some(patch);
        self.update_with(id, &mut |_| Ok(patch.take().unwrap_or_default()))
    }
    /// Read-modify-write: `change` sees the current account and returns the patch to
    /// apply, all inside one write transaction, so concurrent changes (tag adds,
    /// counters) from threads or processes never lose an update. `change` is called
    /// once and must not call back into the store. `NotFound` for an unknown id.
    fn update_with(
        &self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account>;
    /// Deletes an account; `NotFound` for an unknown id.
    fn delete(&self, id: AccountId) -> Result<()>;
    /// Accounts matching the filter, ordered by id.
    fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>>;
    /// Calls `visit` for each matching account in id order without holding them all in
    /// memory (pages of rows; the store is not locked while `visit` runs, so it may
    /// call back into the store).
    fn for_each(
        &self,
        filter: &AccountFilter,
        visit: &mut dyn FnMut(Account) -> Result<()>,
    ) -> Result<()>;
    /// Number of accounts matching the filter.
    fn count(&self, filter: &AccountFilter) -> Result<usize>;
    /// Applies every op or none; returns the resulting accounts in op order
    /// (`None` for deletes). The first failing op's error is returned.
    fn apply_batch(&self, ops: Vec<BatchOp>) -> Result<Vec<Option<Account>>>;
    /// Applies the ops `next` yields, in order, as one atomic change: all of them
    /// or none. `next` is called until it returns `Ok(None)`; an error from it or
    /// from an op undoes everything and is returned. Returns how many ops were
    /// applied. Unlike [`AccountStore::apply_batch`] the ops need not be in memory
    /// at once, and a store may apply each as it comes (the spreadsheet import
    /// streams its spooled plan, or, in a workspace that never rests, writes
    /// while it reads). The store stays locked for writers until `next` is
    /// done; `next` may read from the store but must not write to it.
    fn apply_stream(&self, next: &mut dyn FnMut() -> Result<Option<BatchOp>>) -> Result<usize> {
        let mut ops = Vec::new();
        while let Some(op) = next()? {
            ops.push(op);
        }
        self.apply_batch(ops).map(|applied| applied.len())
    }
    /// Like [`AccountStore::apply_stream`], but only if no write was committed
    /// since `since` (a [`AccountStore::change_mark`]): the store takes its
    /// write lock, compares the marks, and then either applies every op of
    /// `next` as one atomic change (`Ok(Some(applied))`) or, when the mark
    /// moved, writes nothing, does not call `next` and returns `Ok(None)`.
    /// `next` must not call back into the store.
    fn apply_stream_if_unchanged(
        &self,
        since: ChangeMark,
        next: &mut dyn FnMut() -> Result<Option<BatchOp>>,
    ) -> Result<Option<usize>>;
    /// The store's current [`ChangeMark`]; it moves with every committed write.
    fn change_mark(&self) -> Result<ChangeMark>;
    /// The accounts with these ids (on any platform) and the accounts of
    /// `platform` with these username keys ([`crate::Username::key`]), each
    /// once, in no particular order; ids and keys that match nothing are left
    /// out. Lets a caller check a few hundred rows at a time against the store
    /// (the spreadsheet import does) instead of holding every account.
    fn lookup(
        &self,
        platform: Platform,
        ids: &[AccountId],
        keys: &[String],
    ) -> Result<Vec<Account>> {
        let mut found: Vec<Account> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for &id in ids {
            match self.get(id) {
                Ok(account) if seen.insert(account.id) => found.push(account),
                Ok(_) => {}
                Err(e) if e.kind() == crate::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        for key in keys {
            if let Some(account) = self.find_by_username(platform, key)? {
                if seen.insert(account.id) {
                    found.push(account);
                }
            }
        }
        Ok(found)
    }
    /// Registers a serial in the device registry (idempotent) and returns its record.
    fn register_device(&self, serial: &str) -> Result<DeviceRecord>;
    /// Every known device, by index.
    fn list_devices(&self) -> Result<Vec<DeviceRecord>>;
    /// Sets or clears a device's label; `NotFound` for an unknown serial.
    fn label_device(&self, serial: &str, label: Option<String>) -> Result<DeviceRecord>;
    /// Appends these entries, in order, to their accounts' histories in one
    /// change, keeping the newest [`HISTORY_LIMIT`] per account. Entries of
    /// accounts that no longer exist are dropped (their history went with
    /// them); returns how many were kept.
    fn record_history(&self, entries: &[HistoryEntry]) -> Result<usize>;
    /// An account's history, newest first, at most `limit` entries; `NotFound`
    /// for an unknown account.
    fn history(&self, id: AccountId, limit: usize) -> Result<Vec<HistoryEntry>>;
    /// The leases on this store's accounts and phones, shared with every
    /// process (and, for PostgreSQL, every PC) using the same store.
    fn leases(&self) -> &dyn Leases;
    /// A watch of this store's changes (see [`changes`]): every committed
    /// change of accounts wakes it, whoever made it (a thread, another
    /// process, another PC on PostgreSQL).
    fn watch(&self) -> Result<Box<dyn ChangeWatch>>;
}

#[cfg(test)]
mod tests {
    use super::is_postgres_url;

    #[test]
    fn urls_are_told_from_paths() {
        for url in [
            "postgres://h/db",
            "postgresql://u:p@h:5/db",
            " POSTGRES://x",
        ] {
            assert!(is_postgres_url(url), "{url}");
        }
        for path in [
            "farm.db",
            "postgres",
            "./postgres://x",
            "/tmp/postgres.db",
            "",
            "é",
        ] {
            assert!(!is_postgres_url(path), "{path}");
        }
    }
}
