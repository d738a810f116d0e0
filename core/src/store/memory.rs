//! [`MemoryStore`]: the roster in memory, for tests and scratch work.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::changes::{ChangeWatch, Generation};
use super::lease::{ttl_millis, Claim, Holder, Lease, LeaseSubject, Leases};
use super::{
    AccountFilter, AccountStore, BatchOp, ChangeMark, DeviceRecord, HistoryEntry, HISTORY_LIMIT,
};
use crate::account::{
    check_serial, Account, AccountId, AccountPatch, NewAccount, Platform, Timestamp, Username,
};
use crate::error::{Error, Result};

/// Accounts per page handed to `for_each` between two takes of the lock.
const PAGE: usize = 1024;

/// An [`AccountStore`] held in memory; it meets the same contract as the SQLite store.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    changes: std::sync::Arc<Generation>,
}

#[derive(Clone, Default)]
struct Inner {
    /// Accounts as stored: `device_index` is derived from `devices` on read.
    accounts: BTreeMap<AccountId, Account>,
    keys: HashMap<(Platform, String), AccountId>,
    devices: BTreeMap<String, DeviceRecord>,
    last_id: i64,
    last_index: u32,
    /// Each account's history, oldest first.
    history: HashMap<AccountId, VecDeque<HistoryEntry>>,
    /// Changes made so far: the store's [`ChangeMark`].
    changes: u64,
    /// Leases by [`LeaseSubject::key`] (expired ones linger until taken over).
    leases: HashMap<String, Lease>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Every change is computed on a copy or checked before it is made, so a
    /// panic elsewhere cannot leave the data half-changed and the lock is reusable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    /// Runs one change, counting it when it succeeds.
    fn changed<T>(&mut self, change: impl FnOnce(&mut Inner) -> Result<T>) -> Result<T> {
        let out = change(self)?;
        self.changes += 1;
        Ok(out)
    }

    fn mark(&self) -> ChangeMark {
        ChangeMark(u128::from(self.changes))
    }

    fn read(&self, account: &Account) -> Account {
        let mut account = account.clone();
        account.device_index = account
            .device
            .as_ref()
            .and_then(|serial| self.devices.get(serial))
            .map(|d| d.index);
        account
    }

    fn register(&mut self, serial: &str) -> DeviceRecord {
        if let Some(record) = self.devices.get(serial) {
            return record.clone();
        }
        self.last_index += 1;
        let record = DeviceRecord {
            serial: serial.to_string(),
            index: self.last_index,
            label: None,
        };
        self.devices.insert(serial.to_string(), record.clone());
        record
    }

    fn duplicate(&self, account: &Account) -> Result<()> {
        let key = (account.platform, account.username.key().to_string());
        match self.keys.get(&key) {
            Some(&id) if id != account.id => Err(Error::Duplicate {
                platform: account.platform,
                username: account.username.as_str().to_string(),
            }),
            _ => Ok(()),
        }
    }

    fn create(&mut self, new: NewAccount) -> Result<Account> {
        let mut account = new.into_record(Timestamp::now())?;
        self.duplicate(&account)?;
        self.last_id += 1;
        account.id = AccountId(self.last_id);
        if let Some(serial) = &account.device {
            self.register(serial);
        }
        self.keys.insert(
            (account.platform, account.username.key().to_string()),
            account.id,
        );
        self.accounts.insert(account.id, account.clone());
        Ok(self.read(&account))
    }

    fn update_with(
        &mut self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        let current = self.get(id)?;
        let mut next = current.clone();
        change(&current)?.apply_to(&mut next, Timestamp::now())?;
        self.duplicate(&next)?;
        if let Some(serial) = &next.device {
            self.register(serial);
        }
        self.keys
            .remove(&(current.platform, current.username.key().to_string()));
        self.keys
            .insert((next.platform, next.username.key().to_string()), id);
        self.accounts.insert(id, next.clone());
        Ok(self.read(&next))
    }

    fn delete(&mut self, id: AccountId) -> Result<()> {
        let account = self.accounts.remove(&id).ok_or_else(|| missing(id))?;
        self.keys
            .remove(&(account.platform, account.username.key().to_string()));
        self.history.remove(&id);
        Ok(())
    }

    fn get(&self, id: AccountId) -> Result<Account> {
        self.accounts
            .get(&id)
            .map(|a| self.read(a))
            .ok_or_else(|| missing(id))
    }
}

fn missing(id: AccountId) -> Error {
    Error::not_found(format!("account {id}"))
}

impl AccountStore for MemoryStore {
    fn leases(&self) -> &dyn super::Leases {
        self
    }

    fn watch(&self) -> Result<Box<dyn ChangeWatch>> {
        Ok(self.changes.watch())
    }

    fn create(&self, new: NewAccount) -> Result<Account> {
        let created = self.lock().changed(|inner| inner.create(new))?;
        self.changes.bump();
        Ok(created)
    }

    fn get(&self, id: AccountId) -> Result<Account> {
        self.lock().get(id)
    }

    fn find_by_username(&self, platform: Platform, username: &str) -> Result<Option<Account>> {
        let key = Username::lookup_key(username)?;
        let inner = self.lock();
        Ok(inner
            .keys
            .get(&(platform, key))
            .and_then(|id| inner.accounts.get(id))
            .map(|a| inner.read(a)))
    }

    fn update_with(
        &self,
        id: AccountId,
        change: &mut dyn FnMut(&Account) -> Result<AccountPatch>,
    ) -> Result<Account> {
        let updated = self.lock().changed(|inner| inner.update_with(id, change))?;
        self.changes.bump();
        Ok(updated)
    }

    fn delete(&self, id: AccountId) -> Result<()> {
        self.lock().changed(|inner| inner.delete(id))?;
        self.changes.bump();
        Ok(())
    }

    fn list(&self, filter: &AccountFilter) -> Result<Vec<Account>> {
        let inner = self.lock();
        Ok(inner
            .accounts
            .values()
            .map(|a| inner.read(a))
            .filter(|a| filter.matches(a))
            .collect())
    }

    fn for_each(
        &self,
        filter: &AccountFilter,
        visit: &mut dyn FnMut(Account) -> Result<()>,
    ) -> Result<()> {
        let mut after = AccountId(i64::MIN);
        loop {
            let page: Vec<Account> = {
                let inner = self.lock();
                inner
                    .accounts
                    .range(AccountId(after.0.saturating_add(1))..)
                    .map(|(_, a)| inner.read(a))
                    .filter(|a| filter.matches(a))
                    .take(PAGE)
                    .collect()
            };
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.id;
            for account in page {
                visit(account)?;
            }
        }
    }

    fn count(&self, filter: &AccountFilter) -> Result<usize> {
        let inner = self.lock();
        Ok(inner
            .accounts
            .values()
            .filter(|a| filter.matches(&inner.read(a)))
            .count())
    }

    fn apply_batch(&self, ops: Vec<BatchOp>) -> Result<Vec<Option<Account>>> {
        let mut inner = self.lock();
        let mut work = inner.clone();
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            results.push(match op {
                BatchOp::Create(new) => Some(work.create(new)?),
                BatchOp::Update(id, patch) => {
                    let mut patch = Some(patch);
                    Some(work.update_with(id, &mut |_| Ok(patch.take().unwrap_or_default()))?)
                }
                BatchOp::Delete(id) => {
                    work.delete(id)?;
                    None
                }
            });
        }
        work.changes += 1;
        *inner = work;
        drop(inner);
        self.changes.bump();
        Ok(results)
    }

    fn apply_stream_if_unchanged(
        &self,
        since: ChangeMark,
        next: &mut dyn FnMut() -> Result<Option<BatchOp>>,
    ) -> Result<Option<usize>> {
        let mut inner = self.lock();
        if inner.mark() != since {
            return Ok(None);
        }
        let mut work = inner.clone();
        let mut applied = 0;
        while let Some(op) = next()? {
            match op {
                BatchOp::Create(new) => drop(work.create(new)?),
                BatchOp::Update(id, patch) => {
                    let mut patch = Some(patch);
                    work.update_with(id, &mut |_| Ok(patch.take().unwrap_or_default()))?;
                }
                BatchOp::Delete(id) => work.delete(id)?,
            }
            applied += 1;
        }
        if applied > 0 {
            work.changes += 1;
            *inner = work;
            drop(inner);
            self.changes.bump();
        }
        Ok(Some(applied))
    }

    fn change_mark(&self) -> Result<ChangeMark> {
        Ok(self.lock().mark())
    }

    fn register_device(&self, serial: &str) -> Result<DeviceRecord> {
        let serial = check_serial(serial)?;
        self.lock().changed(|inner| Ok(inner.register(&serial)))
    }

    fn list_devices(&self) -> Result<Vec<DeviceRecord>> {
        let mut devices: Vec<DeviceRecord> = self.lock().devices.values().cloned().collect();
        devices.sort_by_key(|d| d.index);
        Ok(devices)
    }

    fn label_device(&self, serial: &str, label: Option<String>) -> Result<DeviceRecord> {
        let serial = check_serial(serial)?;
        let label = crate::account::check_label(label)?;
        let mut inner = self.lock();
        inner.changes += 1;
        let record = inner
            .devices
            .get_mut(&serial)
            .ok_or_else(|| Error::not_found(format!("device {serial}")))?;
        record.label = label;
        Ok(record.clone())
    }

    fn record_history(&self, entries: &[HistoryEntry]) -> Result<usize> {
        let mut inner = self.lock();
        inner.changes += 1;
        let mut kept = 0;
        for entry in entries {
            if !inner.accounts.contains_key(&entry.account) {
                continue;
            }
            let history = inner.history.entry(entry.account).or_default();
            history.push_back(entry.clone());
            while history.len() > HISTORY_LIMIT {
                history.pop_front();
            }
            kept += 1;
        }
        Ok(kept)
    }

    fn history(&self, id: AccountId, limit: usize) -> Result<Vec<HistoryEntry>> {
        let inner = self.lock();
        if !inner.accounts.contains_key(&id) {
            return Err(missing(id));
        }
        Ok(inner
            .history
            .get(&id)
            .map(|h| h.iter().rev().take(limit).cloned().collect())
            .unwrap_or_default())
    }
}

impl Inner {
    /// Takes or renews `key` for `holder` when free, expired or its own.
    fn take_lease(&mut self, key: String, holder: &Holder, now: Timestamp, ttl: i64) -> Claim {
        match self.leases.get(&key) {
            Some(lease) if lease.holder != holder.as_str() && lease.expires_at > now => {
                Claim::BusyElsewhere(lease.clone())
            }
            _ => {
                let expires_at = Timestamp(now.0.saturating_add(ttl));
                let lease = Lease {
                    holder: holder.as_str().to_string(),
                    expires_at,
                };
                self.leases.insert(key, lease);
                Claim::Held { expires_at }
            }
        }
    }
}

impl Leases for MemoryStore {
    fn acquire(&self, subject: &LeaseSubject, holder: &Holder, ttl: Duration) -> Result<Claim> {
        let ttl = ttl_millis(ttl)?;
        Ok(self
            .lock()
            .take_lease(subject.key(), holder, Timestamp::now(), ttl))
    }

    fn renew(
        &self,
        subjects: &[LeaseSubject],
        holder: &Holder,
        ttl: Duration,
    ) -> Result<Vec<LeaseSubject>> {
        let ttl = ttl_millis(ttl)?;
        let now = Timestamp::now();
        let mut inner = self.lock();
        let mut lost = Vec::new();
        for subject in subjects {
            match inner.leases.get_mut(&subject.key()) {
                Some(lease) if lease.holder == holder.as_str() && lease.expires_at > now => {
                    lease.expires_at = Timestamp(now.0.saturating_add(ttl));
                }
                _ => lost.push(subject.clone()),
            }
        }
        Ok(lost)
    }

    fn release(&self, subjects: &[LeaseSubject], holder: &Holder) -> Result<()> {
        let mut inner = self.lock();
        for subject in subjects {
            let key = subject.key();
            if inner
                .leases
                .get(&key)
                .is_some_and(|l| l.holder == holder.as_str())
            {
                inner.leases.remove(&key);
            }
        }
        Ok(())
    }

    fn lease(&self, subject: &LeaseSubject) -> Result<Option<Lease>> {
        let now = Timestamp::now();
        Ok(self
            .lock()
            .leases
            .get(&subject.key())
            .filter(|l| l.expires_at > now)
            .cloned())
    }

    fn claim_accounts(
        &self,
        filter: &AccountFilter,
        holder: &Holder,
        ttl: Duration,
        limit: usize,
    ) -> Result<Vec<Account>> {
        let ttl = ttl_millis(ttl)?;
        let now = Timestamp::now();
        let mut inner = self.lock();
        let candidates: Vec<Account> = inner
            .accounts
            .values()
            .filter(|a| filter.matches(&inner.read(a)))
            .map(|a| inner.read(a))
            .collect();
        let mut claimed = Vec::new();
        for account in candidates {
            if claimed.len() == limit {
                break;
            }
            let key = LeaseSubject::Account(account.id).key();
            if let Claim::Held { .. } = inner.take_lease(key, holder, now, ttl) {
                claimed.push(account);
            }
        }
        Ok(claimed)
    }
}
