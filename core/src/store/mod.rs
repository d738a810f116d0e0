//! Storage of accounts and the device registry.
//!
//! [`AccountStore`] is the object-safe contract every store meets (one shared
//! contract test suite runs against each). Implementations: `MemoryStore`
//! (tests, scratch work) and `SqliteStore` (the embedded default: one file is
//! one workspace).

use serde::{Deserialize, Serialize};

use crate::account::{Account, AccountId, AccountPatch, NewAccount, Platform, Status};
use crate::error::Result;

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
    /// Case-insensitive substring of username, email or device.
    pub text: Option<String>,
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

/// The storage contract. Object safe, shareable across threads.
pub trait AccountStore: Send + Sync {
    /// Creates an account; fails with `Duplicate` if the username exists on that platform.
    fn create(&self, new: NewAccount) -> Result<Account>;
    /// The account with this id, or `NotFound`.
    fn get(&self, id: AccountId) -> Result<Account>;
    /// The account with this username (any spelling) on this platform, if any.
    fn find_by_username(&self, platform: Platform, username: &str) -> Result<Option<Account>>;
    /// Applies a patch and returns the updated account; `NotFound` for an unknown id.
    fn update(&self, id: AccountId, patch: AccountPatch) -> Result<Account>;
    /// Deletes an account; `NotFound` for an unknown id.
    fn delete(&self, id: AccountId) -> Result<()>;
    /// Accounts matching the filter, ordered by id.
    fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>>;
    /// Calls `visit` for each matching account in id order without holding them all in memory.
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
    /// Registers a serial in the device registry (idempotent) and returns its record.
    fn register_device(&self, serial: &str) -> Result<DeviceRecord>;
    /// Every known device, by index.
    fn list_devices(&self) -> Result<Vec<DeviceRecord>>;
    /// Sets or clears a device's label; `NotFound` for an unknown serial.
    fn label_device(&self, serial: &str, label: Option<String>) -> Result<DeviceRecord>;
}
