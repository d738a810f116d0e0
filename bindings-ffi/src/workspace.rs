//! [`Workspace`]: the engine's front door as a uniffi object.
//!
//! Each method converts its arguments, calls the engine's `Workspace` and
//! converts the result; the engine's workspace is shareable across threads, so
//! hosts may call one object from many threads at once.

use std::sync::Arc;

use crate::account::{Account, AccountFilter, AccountPatch, DeviceRecord, NewAccount, Platform};
use crate::device::AdbDriver;
use crate::error::{FarmhandError, Result};
use crate::ops::{self, ProgressObserver, Report, RunOptions};
use crate::secret::{key_from, KeyProvider};
use crate::xlsx::{ExportOptions, ExportSummary, ImportOptions, ImportReport};

/// A roster of accounts and phones backed by one store (a SQLite file, a
/// PostgreSQL database, or memory).
#[derive(uniffi::Object)]
pub struct Workspace(farmhand::Workspace);

#[uniffi::export]
impl Workspace {
    /// Opens (or creates) the workspace in the SQLite file at `path`, or in
    /// the PostgreSQL database a `postgres://` URL names (one roster several
    /// PCs share; TLS as the URL's `sslmode` says). A file or schema that is
    /// not a farmhand workspace, or one from a newer farmhand, is a `Storage`
    /// error and is left unchanged; a URL's password never shows in errors.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Self> {
        Ok(Workspace(farmhand::Workspace::open(path)?))
    }

    /// Opens (or creates) the workspace at `path` with the key `keys` gives
    /// for it, which encrypts its passwords and 2FA keys (a new or empty
    /// workspace becomes encrypted with it). A key that is not the
    /// workspace's is a `Key` error, raised before anything is written; no
    /// key opens it for everything but its secrets.
    #[uniffi::constructor]
    pub fn open_with_keys(path: String, keys: Box<dyn KeyProvider>) -> Result<Self> {
        Ok(Workspace(match key_from(keys.as_ref(), &path)? {
            Some(key) => farmhand::Workspace::open_with_key(path, &key)?,
            None => farmhand::Workspace::open(path)?,
        }))
    }

    /// How this workspace keeps passwords and 2FA keys.
    pub fn encryption(&self) -> Encryption {
        match self.0.encryption() {
            farmhand::store::Encryption::Plain => Encryption::Plain,
            farmhand::store::Encryption::Locked => Encryption::Locked,
            farmhand::store::Encryption::Unlocked => Encryption::Unlocked,
        }
    }

    /// A fresh workspace held in memory, gone when the object is released.
    #[uniffi::constructor]
    pub fn in_memory() -> Self {
        Workspace(farmhand::Workspace::in_memory())
    }

    /// Creates an account; `Duplicate` when its username (any spelling) exists on the platform.
    pub fn add(&self, new: NewAccount) -> Result<Account> {
        Ok(self.0.add(new.into())?.into())
    }

    /// The account with this id; `NotFound` if none.
    pub fn get(&self, id: i64) -> Result<Account> {
        Ok(self.0.get(farmhand::AccountId(id))?.into())
    }

    /// The account named `username` (`@Bob`, ` bob`, `BOB` alike) on `platform`, if any.
    pub fn find(&self, platform: Platform, username: String) -> Result<Option<Account>> {
        Ok(self.0.find(platform.into(), &username)?.map(Into::into))
    }

    /// Changes the fields the patch sets and returns the account; `NotFound` for an unknown id.
    pub fn update(&self, id: i64, patch: AccountPatch) -> Result<Account> {
        Ok(self.0.update(farmhand::AccountId(id), patch.into())?.into())
    }

    /// Deletes the account; `NotFound` for an unknown id. Ids are never reused.
    pub fn delete(&self, id: i64) -> Result<()> {
        Ok(self.0.delete(farmhand::AccountId(id))?)
    }

    /// The accounts matching `filter` (default: all), by id.
    #[uniffi::method(default(filter))]
    pub fn list(&self, filter: AccountFilter) -> Result<Vec<Account>> {
        let accounts = self.0.list(&filter.into())?;
        Ok(accounts.into_iter().map(Into::into).collect())
    }

    /// How many accounts match `filter` (default: all).
    #[uniffi::method(default(filter))]
    pub fn count(&self, filter: AccountFilter) -> Result<u64> {
        Ok(self.0.count(&filter.into())? as u64)
    }

    /// Lets automation touch the account again; returns it.
    pub fn enable(&self, id: i64) -> Result<Account> {
        Ok(self.0.enable(farmhand::AccountId(id))?.into())
    }

    /// Keeps every automation and bulk action away from the account; returns it.
    pub fn disable(&self, id: i64) -> Result<Account> {
        Ok(self.0.disable(farmhand::AccountId(id))?.into())
    }

    /// Binds the account to the phone `serial` (registering the phone); returns it.
    pub fn bind(&self, id: i64, serial: String) -> Result<Account> {
        Ok(self.0.bind_device(farmhand::AccountId(id), &serial)?.into())
    }

    /// Leaves the account unassigned (the phone stays registered); returns it.
    pub fn unbind(&self, id: i64) -> Result<Account> {
        Ok(self.0.unbind_device(farmhand::AccountId(id))?.into())
    }

    /// Replaces the account's tags; returns it.
    pub fn set_tags(&self, id: i64, tags: Vec<String>) -> Result<Account> {
        Ok(self.0.set_tags(farmhand::AccountId(id), tags)?.into())
    }

    /// Adds the tags the account does not carry yet (atomic); returns it.
    pub fn add_tags(&self, id: i64, tags: Vec<String>) -> Result<Account> {
        Ok(self.0.add_tags(farmhand::AccountId(id), tags)?.into())
    }

    /// Removes the given tags from the account (atomic); returns it.
    pub fn remove_tags(&self, id: i64, tags: Vec<String>) -> Result<Account> {
        Ok(self.0.remove_tags(farmhand::AccountId(id), tags)?.into())
    }

    /// Every phone the workspace has seen, by its stable index.
    pub fn devices(&self) -> Result<Vec<DeviceRecord>> {
        Ok(self.0.devices()?.into_iter().map(Into::into).collect())
    }

    /// Imports the accounts sheet of the xlsx file at `path`, all or nothing
    /// unless `options.skip_invalid`. Invalid rows are listed in the report by
    /// row and column (outcome `Rejected`: nothing written); a file that cannot
    /// be read at all is an `Import` or `Io` error.
    pub fn import_xlsx(&self, path: String, options: ImportOptions) -> Result<ImportReport> {
        Ok(self.0.import_xlsx(path, &options.into())?.into())
    }

    /// Writes the accounts chosen by `options` to the xlsx file at `path`, atomically.
    pub fn export_xlsx(&self, path: String, options: ExportOptions) -> Result<ExportSummary> {
        Ok(self.0.export_xlsx(path, &options.into())?.into())
    }

    /// Logs accounts in on their phones (default: every one not logged in);
    /// disabled accounts are reported as skipped and never touched.
    #[uniffi::method(default(observer = None, options))]
    pub fn login(
        &self,
        driver: Arc<AdbDriver>,
        options: RunOptions,
        observer: Option<Box<dyn ProgressObserver>>,
    ) -> Result<Report> {
        ops::run(
            &self.0,
            &driver,
            options,
            observer,
            farmhand::Workspace::login,
        )
    }

    /// Tells `observer` (on a thread of the engine's own) whenever the
    /// roster's accounts change, whoever changed them, until the returned
    /// subscription is stopped: how a host keeps its lists live.
    pub fn watch(
        &self,
        observer: Box<dyn crate::changes::ChangeObserver>,
    ) -> Result<Arc<crate::changes::ChangeSubscription>> {
        crate::changes::subscribe(&self.0, observer)
    }

    /// Scans the phones for app sessions already logged in, creates the
    /// missing accounts and links each to its phone, never creating a duplicate.
    #[uniffi::method(default(observer = None, options))]
    pub fn match_accounts(
        &self,
        driver: Arc<AdbDriver>,
        options: RunOptions,
        observer: Option<Box<dyn ProgressObserver>>,
    ) -> Result<Report> {
        ops::run(
            &self.0,
            &driver,
            options,
            observer,
            farmhand::Workspace::match_accounts,
        )
    }

    /// Reads each account's profile numbers from its phone and stores them
    /// (default: every logged-in account).
    #[uniffi::method(default(observer = None, options))]
    pub fn sync_profiles(
        &self,
        driver: Arc<AdbDriver>,
        options: RunOptions,
        observer: Option<Box<dyn ProgressObserver>>,
    ) -> Result<Report> {
        ops::run(
            &self.0,
            &driver,
            options,
            observer,
            farmhand::Workspace::sync_profiles,
        )
    }

    /// Reads each TikTok account's public profile page and stores its numbers
    /// (all seven TikTok columns, exact; no phone needed; default: every
    /// TikTok account). Instagram accounts named here get `Error`: they sync
    /// from the app only.
    #[uniffi::method(default(observer = None, options))]
    pub fn sync_profiles_web(
        &self,
        web: ops::WebOptions,
        options: RunOptions,
        observer: Option<Box<dyn ProgressObserver>>,
    ) -> Result<Report> {
        let web = farmhand::web::WebOptions::from(web);
        ops::run_with(&self.0, options, observer, |ws, run| {
            ws.sync_profiles_from(farmhand::ops::ProfileSource::Web(&web), run)
        })
    }

    /// Reads each account's profile from its phone and completes it from its
    /// TikTok profile page (counts the phone rounds become exact; a TikTok
    /// account the phone cannot read is synced from its page alone).
    #[uniffi::method(default(observer = None, options))]
    pub fn sync_profiles_both(
        &self,
        driver: Arc<AdbDriver>,
        web: ops::WebOptions,
        options: RunOptions,
        observer: Option<Box<dyn ProgressObserver>>,
    ) -> Result<Report> {
        let web = farmhand::web::WebOptions::from(web);
        ops::run_with(&self.0, options, observer, |ws, run| {
            ws.sync_profiles_from(
                farmhand::ops::ProfileSource::Both(driver.engine(), &web),
                run,
            )
        })
    }
}

/// How a workspace keeps passwords and 2FA keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Encryption {
    /// In plain text.
    Plain,
    /// Encrypted, and opened without the key: anything needing a secret is a `Key` error.
    Locked,
    /// Encrypted, and opened with the key.
    Unlocked,
}

/// Converts the workspace file at `path` in place and atomically: `from`
/// gives its current key (none: it is plain), `to` the key it gets (none:
/// decrypt). Returns how many passwords and 2FA keys were rewritten.
#[uniffi::export]
pub fn convert_workspace_file(
    path: String,
    from: Box<dyn KeyProvider>,
    to: Box<dyn KeyProvider>,
) -> Result<u64> {
    let old = key_from(from.as_ref(), &path)?;
    let new = key_from(to.as_ref(), &path)?;
    let done = match (&old, &new) {
        (None, Some(new)) => farmhand::Workspace::encrypt_file(&path, new)?,
        (Some(old), None) => farmhand::Workspace::decrypt_file(&path, old)?,
        (Some(old), Some(new)) => farmhand::Workspace::rekey_file(&path, old, new)?,
        (None, None) => {
            return Err(FarmhandError::from(farmhand::Error::validation(
                "key",
                "a conversion needs a current key, a new key, or both",
            )))
        }
    };
    Ok(done.secrets as u64)
}
