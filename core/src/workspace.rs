//! [`Workspace`]: the front door to the engine.

use std::path::Path;
use std::sync::Arc;

use crate::account::{check_tags, Account, AccountId, AccountPatch, NewAccount, Platform, Status};
use crate::error::{Error, Result};
use crate::secret::SecretKey;
use crate::store::{
    is_postgres_url, AccountFilter, AccountStore, BatchOp, Conversion, DeviceRecord, Encryption,
    MemoryStore, SqliteStore,
};

/// A roster of accounts and devices backed by one store.
///
/// Cheap to clone (the store is shared); safe to use from many threads.
#[derive(Clone)]
pub struct Workspace {
    store: Arc<dyn AccountStore>,
}

/// Encryption at rest works on SQLite workspace files only: `doing` on a
/// `postgres://` workspace is refused with a `key` error that says so.
fn refuse_url(target: &Path, doing: &str) -> Result<()> {
    match target.to_str() {
        Some(t) if is_postgres_url(t) => Err(Error::key(format!(
            "{doing} needs a workspace file: encryption at rest is not available \
             for postgres:// workspaces yet"
        ))),
        _ => Ok(()),
    }
}

impl Workspace {
    /// Opens (or creates) the workspace at `target`: an SQLite file (one file
    /// is one workspace), or with a `postgres://` URL a PostgreSQL database
    /// shared by several PCs (cargo feature `postgres`; see
    /// `store::PostgresStore`). A URL's password never shows in an error.
    pub fn open(target: impl AsRef<Path>) -> Result<Self> {
        let target = target.as_ref();
        if let Some(url) = target.to_str().filter(|t| is_postgres_url(t)) {
            return Workspace::open_postgres(url);
        }
        Ok(Workspace::with_store(Arc::new(SqliteStore::open(target)?)))
    }

    #[cfg(feature = "postgres")]
    fn open_postgres(url: &str) -> Result<Self> {
        let store = crate::store::PostgresStore::open(url.trim())?;
        Ok(Workspace::with_store(Arc::new(store)))
    }

    /// Without the feature a URL is refused, never taken for a file name.
    #[cfg(not(feature = "postgres"))]
    fn open_postgres(_url: &str) -> Result<Self> {
        Err(Error::storage(
            "this build of farmhand cannot open a postgres:// workspace \
             (it was built without the cargo feature `postgres`)",
        ))
    }

    /// Opens (or creates) the SQLite workspace file at `path` with the key
    /// that encrypts its passwords and 2FA keys (see [`crate::secret::seal`]).
    /// A new or empty workspace becomes encrypted with `key`. Fails with
    /// [`crate::ErrorKind::Key`], writing nothing, when the workspace was
    /// encrypted with another key, or holds accounts and is not encrypted
    /// ([`Workspace::encrypt_file`] converts it).
    ///
    /// A `postgres://` workspace keeps its secrets as the server stores them:
    /// encryption at rest is not available for it yet, and a key is refused
    /// rather than ignored.
    pub fn open_with_key(path: impl AsRef<Path>, key: &SecretKey) -> Result<Self> {
        refuse_url(path.as_ref(), "opening with a key")?;
        Ok(Workspace::with_store(Arc::new(SqliteStore::open_with_key(
            path, key,
        )?)))
    }

    /// Encrypts the passwords and 2FA keys of the plain workspace file at
    /// `path` with `key`, in place: a kill at any moment leaves the plain
    /// workspace or the encrypted one, never a mix. The file is then compacted
    /// so that no plain secret stays in it or its write-ahead log; copies
    /// made before (backups) still hold them.
    pub fn encrypt_file(path: impl AsRef<Path>, key: &SecretKey) -> Result<Conversion> {
        refuse_url(path.as_ref(), "encrypting")?;
        SqliteStore::encrypt_file(path, key)
    }

    /// Decrypts the workspace file at `path`, encrypted with `key`, in place
    /// (atomically, as [`Workspace::encrypt_file`]).
    pub fn decrypt_file(path: impl AsRef<Path>, key: &SecretKey) -> Result<Conversion> {
        refuse_url(path.as_ref(), "decrypting")?;
        SqliteStore::decrypt_file(path, key)
    }

    /// Re-encrypts the workspace file at `path` from key `old` to key `new`,
    /// in place (atomically, as [`Workspace::encrypt_file`]).
    pub fn rekey_file(
        path: impl AsRef<Path>,
        old: &SecretKey,
        new: &SecretKey,
    ) -> Result<Conversion> {
        refuse_url(path.as_ref(), "rekeying")?;
        SqliteStore::rekey_file(path, old, new)
    }

    /// How the workspace keeps passwords and 2FA keys.
    pub fn encryption(&self) -> Encryption {
        self.store.encryption()
    }

    /// `Ok` unless the workspace is encrypted and was opened without its key,
    /// in which case `doing` (e.g. `logging in`) fails with [`crate::ErrorKind::Key`].
    pub fn require_secrets(&self, doing: &str) -> Result<()> {
        match self.encryption() {
            Encryption::Locked => Err(Error::key(format!(
                "the workspace is encrypted and was opened without its key: {doing} needs it"
            ))),
            Encryption::Plain | Encryption::Unlocked => Ok(()),
        }
    }

    /// A fresh workspace held in memory, gone when the last clone is dropped.
    pub fn in_memory() -> Self {
        Workspace::with_store(Arc::new(MemoryStore::new()))
    }

    /// A workspace over any store.
    pub fn with_store(store: Arc<dyn AccountStore>) -> Self {
        Workspace { store }
    }

    /// A watch of the roster's changes, so a host's lists stay live: its
    /// `wait` returns `true` once accounts changed, whoever changed them
    /// (another thread, process, or PC on PostgreSQL). See `store::changes`.
    pub fn watch(&self) -> Result<Box<dyn crate::store::ChangeWatch>> {
        self.store.watch()
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn AccountStore> {
        &self.store
    }

    /// Creates an account; `Duplicate` if its username (any spelling) exists on the platform.
    pub fn add(&self, new: NewAccount) -> Result<Account> {
        self.store.create(new)
    }

    /// The account with this id, or `NotFound`.
    pub fn get(&self, id: AccountId) -> Result<Account> {
        self.store.get(id)
    }

    /// The account named `username` (`@Bob`, ` bob`, `BOB` alike) on `platform`, if any.
    pub fn find(&self, platform: Platform, username: &str) -> Result<Option<Account>> {
        self.store.find_by_username(platform, username)
    }

    /// Applies a partial update; `NotFound` for an unknown id.
    pub fn update(&self, id: AccountId, patch: AccountPatch) -> Result<Account> {
        self.store.update(id, patch)
    }

    /// Deletes an account; `NotFound` for an unknown id. Its id is never reused.
    pub fn delete(&self, id: AccountId) -> Result<()> {
        self.store.delete(id)
    }

    /// Accounts matching `filter`, by id.
    pub fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>> {
        self.store.list(filter)
    }

    /// Streams the accounts matching `filter` by id, a page at a time (for exports).
    pub fn for_each(
        &self,
        filter: &AccountFilter,
        mut visit: impl FnMut(Account) -> Result<()>,
    ) -> Result<()> {
        self.store.for_each(filter, &mut visit)
    }

    /// Number of accounts matching `filter`.
    pub fn count(&self, filter: &AccountFilter) -> Result<usize> {
        self.store.count(filter)
    }

    /// Applies every op or none (the spreadsheet import's unit of work).
    pub fn apply_batch(&self, ops: Vec<BatchOp>) -> Result<Vec<Option<Account>>> {
        self.store.apply_batch(ops)
    }

    /// Accounts automation may touch: those matching `filter` that are enabled.
    /// Disabled accounts are never returned, whatever the filter says.
    pub fn eligible(&self, filter: &AccountFilter) -> Result<Vec<Account>> {
        if filter.status == Some(Status::Disabled) {
            return Ok(Vec::new());
        }
        self.store.list(&AccountFilter {
            status: Some(Status::Enabled),
            ..filter.clone()
        })
    }

    /// Lets automation touch the account again.
    pub fn enable(&self, id: AccountId) -> Result<Account> {
        self.set_status(id, Status::Enabled)
    }

    /// Keeps every automation, scheduled job and bulk action away from the account.
    pub fn disable(&self, id: AccountId) -> Result<Account> {
        self.set_status(id, Status::Disabled)
    }

    fn set_status(&self, id: AccountId, status: Status) -> Result<Account> {
        self.update(
            id,
            AccountPatch {
                status: Some(status),
                ..AccountPatch::default()
            },
        )
    }

    /// Binds the account to the phone `serial`, registering the phone if it is new.
    pub fn bind_device(&self, id: AccountId, serial: &str) -> Result<Account> {
        self.update(
            id,
            AccountPatch {
                device: Some(Some(serial.to_string())),
                ..AccountPatch::default()
            },
        )
    }

    /// Binds the account to the registered phone with this `device_index`;
    /// `NotFound` when no phone has that number.
    pub fn bind_device_index(&self, id: AccountId, index: u32) -> Result<Account> {
        let serial = self
            .devices()?
            .into_iter()
            .find(|d| d.index == index)
            .map(|d| d.serial)
            .ok_or_else(|| Error::not_found(format!("phone with device_index {index}")))?;
        self.bind_device(id, &serial)
    }

    /// Leaves the account unassigned (the phone stays in the registry).
    pub fn unbind_device(&self, id: AccountId) -> Result<Account> {
        self.update(
            id,
            AccountPatch {
                device: Some(None),
                ..AccountPatch::default()
            },
        )
    }

    /// Replaces the account's tags.
    pub fn set_tags<I, S>(&self, id: AccountId, tags: I) -> Result<Account>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let tags = check_tags(tags)?;
        self.retag(id, move |_| tags.clone())
    }

    /// Adds tags the account does not carry yet (atomic against concurrent writers).
    pub fn add_tags<I, S>(&self, id: AccountId, tags: I) -> Result<Account>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let added = check_tags(tags)?;
        self.retag(id, move |current| {
            let mut tags = current.to_vec();
            tags.extend(added.iter().filter(|t| !current.contains(t)).cloned());
            tags
        })
    }

    /// Removes the given tags from the account (atomic against concurrent writers).
    pub fn remove_tags<I, S>(&self, id: AccountId, tags: I) -> Result<Account>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let removed = check_tags(tags)?;
        self.retag(id, move |current| {
            current
                .iter()
                .filter(|t| !removed.contains(t))
                .cloned()
                .collect()
        })
    }

    fn retag(&self, id: AccountId, f: impl Fn(&[String]) -> Vec<String>) -> Result<Account> {
        self.store.update_with(id, &mut |account| {
            Ok(AccountPatch {
                tags: Some(f(&account.tags)),
                ..AccountPatch::default()
            })
        })
    }

    /// Every phone the workspace has seen, by its stable index.
    pub fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.store.list_devices()
    }

    /// Registers a phone (idempotent), giving it its stable index if it is new.
    pub fn register_device(&self, serial: &str) -> Result<DeviceRecord> {
        self.store.register_device(serial)
    }

    /// Sets (or with `None` clears) a phone's label; `NotFound` for an unknown serial.
    pub fn label_device(&self, serial: &str, label: Option<&str>) -> Result<DeviceRecord> {
        self.store.label_device(serial, label.map(str::to_string))
    }
}
