//! Turns sheet rows, as they arrive, into validated account changes for one
//! atomic store write.
//!
//! [`Planner`] receives rows in batches and types them (see `parse`), then
//! matches each to the workspace's accounts, looked up in the store a batch at
//! a time by the ids and usernames the rows name (the workspace is never held
//! whole: memory follows the sheet's rows, not the accounts stored): a row
//! with `id` updates that account, a row
//! without creates one (or, for an existing username, follows [`OnDuplicate`]).
//! A row whose `id` is unknown here (a sheet exported from another workspace)
//! updates the account with its username, or creates one, unless
//! [`ImportOptions::strict_ids`] keeps such ids an error;
//! a row identical to its account (after the account rules' normalisation) is
//! unchanged. Usernames must be unique in the file in any spelling, and an
//! account may be targeted by one row. Every change is checked by the account
//! rules here, so a bad value is a row error naming row and column, and the
//! write the store applies (all or nothing) does not fail on one. The first
//! row error of an import that rejects on errors stops the flow of changes,
//! and [`Planner::end`] then makes the store undo what it was given.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash, Hasher};

use super::columns::{Column, HeaderMap};
use super::options::{ImportOptions, OnDuplicate};
use super::parse::{canonical_key, new_account, parse_row, Field, ParsedRow, RowName};
use super::reader::SheetRow;
use super::report::{ImportOutcome, ImportReport, RowError};
use crate::account::{
    printable, Account, AccountId, AccountPatch, NewAccount, Platform, ProfileStats, Timestamp,
    Username,
};
use crate::error::{Error, Result};
use crate::secret::{join_pwd, PwdReading, Secret};
use crate::store::{AccountStore, BatchOp};
use crate::text;
use crate::FastMap;

/// A planned row: its username key, the account it changes (none: a create),
/// and its op (none: the account already matches the row).
type Planned = (String, Option<AccountId>, Option<BatchOp>);

/// The warning for a `pwd` whose tail looks like a mistyped 2FA key.
pub(crate) const SUSPECT_KEY: &str = "the part after the last ':' looks like a 2FA key with a \
     typo (keys are 16, 26 or 32+ characters A-Z and 2-7, one case, spaced in fours); \
     the whole text was kept as the password";

/// A row's error: the column it is in, if one, and the reason.
type RowFault = (Option<Column>, String);

/// Plans rows a batch at a time as they arrive, queueing the ops they need.
pub(crate) struct Planner<'s> {
    options: ImportOptions,
    store: &'s dyn AccountStore,
    /// The phone registry, read with the header (so, in an import that plans
    /// under the write lock, under that lock).
    devices: Devices,
    /// The accounts the current batch's rows name, reused from batch to batch.
    found: Found,
    header: Option<HeaderMap>,
    errors: Vec<RowError>,
    report: ImportReport,
    /// Username key → the first row that named it.
    seen_names: FastMap<String, u32>,
    /// Account → the row that changes it.
    seen_targets: FastMap<AccountId, u32>,
    /// Ops planned but not yet taken.
    ready: VecDeque<BatchOp>,
    rejected: bool,
    /// What each batch read from the store, to tell later whether the plan
    /// still holds (see [`Planner::still_holds`]).
    reads: Vec<BatchRead>,
    /// Hashes the digests of [`BatchRead`]s.
    digests: foldhash::quality::RandomState,
}

/// One batch's lookup: what it asked the store, and a digest of the answer.
struct BatchRead {
    ids: Vec<AccountId>,
    keys: Vec<String>,
    digest: u64,
}

impl<'s> Planner<'s> {
    /// A planner for these options against the accounts of `store`.
    pub(crate) fn new(options: &ImportOptions, store: &'s dyn AccountStore) -> Planner<'s> {
        Planner {
            options: options.clone(),
            store,
            devices: Devices::default(),
            found: Found::default(),
            header: None,
            errors: Vec::new(),
            report: ImportReport::new(""),
            seen_names: FastMap::default(),
            seen_targets: FastMap::default(),
            ready: VecDeque::new(),
            rejected: false,
            reads: Vec::new(),
            digests: foldhash::quality::RandomState::default(),
        }
    }

    /// Sizes the per-row map of names once instead of letting it grow (and
    /// rehash) a dozen times over a large sheet.
    pub(crate) fn expect_rows(&mut self, rows: usize) {
        self.seen_names.reserve(rows);
    }

    /// Takes the sheet's header, and reads the phone registry the rows'
    /// `device_index`es are checked against.
    pub(crate) fn header(&mut self, sheet: &str, map: &HeaderMap) -> Result<()> {
        self.devices = Devices::load(self.store)?;
        self.report.sheet = sheet.to_string();
        self.report.unknown_columns = map.unknown.iter().map(|(_, n)| n.clone()).collect();
        if self.options.platform != Platform::TikTok {
            self.report.ignored_columns = map
                .present()
                .into_iter()
                .filter(|c| c.is_stat())
                .map(|c| c.name().to_string())
                .collect();
        }
        self.header = Some(map.clone());
        Ok(())
    }

    /// Plans a batch of rows (leaving `rows` empty): types them, looks up the
    /// accounts they name in one store call, and queues their ops. A failed
    /// lookup is the import's error.
    pub(crate) fn rows(&mut self, rows: &mut Vec<SheetRow>) -> Result<()> {
        let Some(header) = &self.header else {
            rows.clear();
            return Ok(());
        };
        let platform = self.options.platform;
        let mut parsed = Vec::with_capacity(rows.len());
        for row in rows.drain(..) {
            match parse_row(header, platform, row) {
                Ok(row) => parsed.push(row),
                Err(mut errors) => self.errors.append(&mut errors),
            }
        }
        let ids: Vec<AccountId> = parsed.iter().filter_map(|row| row.id).collect();
        let keys: Vec<String> = parsed
            .iter()
            .filter_map(|row| row.username.parsed.as_ref().ok())
            .map(|name| name.key().to_string())
            .collect();
        let mut accounts = self.store.lookup(platform, &ids, &keys)?;
        let digest = self.digest(&mut accounts);
        self.reads.push(BatchRead { ids, keys, digest });
        let mut found = std::mem::take(&mut self.found);
        found.fill(accounts, platform);
        for row in parsed {
            self.plan(row, &found);
        }
        self.found = found;
        Ok(())
    }

    /// True when everything the plan read from the store (the accounts each
    /// batch looked up, and the phone registry) is as it was: the plan made
    /// from it then stands whatever else was written meanwhile. Reads the
    /// store again, a batch at a time; meant to run under the write lock.
    pub(crate) fn still_holds(&self) -> Result<bool> {
        if Devices::load(self.store)? != self.devices {
            return Ok(false);
        }
        for read in &self.reads {
            let mut accounts = self
                .store
                .lookup(self.options.platform, &read.ids, &read.keys)?;
            if self.digest(&mut accounts) != read.digest {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A digest of every value of these accounts, in id order (a lookup's
    /// order is not fixed); equal digests mean the same accounts as they were.
    fn digest(&self, accounts: &mut [Account]) -> u64 {
        accounts.sort_unstable_by_key(|a| a.id);
        let mut hasher = self.digests.build_hasher();
        accounts.len().hash(&mut hasher);
        accounts.iter().for_each(|a| hash_account(a, &mut hasher));
        hasher.finish()
    }

    /// Records a row that could not be split into cells.
    pub(crate) fn invalid(&mut self, row: u32, reason: String) {
        self.errors.push(RowError {
            row,
            column: None,
            reason,
        });
    }

    /// The next planned op, if one is waiting.
    pub(crate) fn take_op(&mut self) -> Option<BatchOp> {
        self.ready.pop_front()
    }

    /// Called after the last row: `Ok(None)` when the ops taken may be applied;
    /// an error (after which [`Planner::rejected`] is true) when an invalid row
    /// rejects the whole import, so that the store undoes what it was given.
    pub(crate) fn end(&mut self) -> Result<Option<BatchOp>> {
        if self.rejecting() {
            self.rejected = true;
            return Err(Error::Cancelled);
        }
        Ok(None)
    }

    /// True once the import was rejected by [`Planner::end`].
    pub(crate) fn rejected(&self) -> bool {
        self.rejected
    }

    /// Any invalid row rejects the import unless invalid rows are skipped.
    fn rejecting(&self) -> bool {
        !self.errors.is_empty() && !self.options.skip_invalid
    }

    /// The report of the whole import; `applied` says the ops reached the store.
    pub(crate) fn report(mut self, applied: bool) -> ImportReport {
        let mut report = self.report;
        self.errors.sort_by_key(|e| {
            let column = e.column.as_deref().and_then(Column::from_header);
            (e.row, column.map_or(usize::MAX, Column::index))
        });
        let invalid_rows = {
            let mut rows: Vec<u32> = self.errors.iter().map(|e| e.row).collect();
            rows.dedup();
            rows.len()
        };
        report.errors = self.errors;
        report.outcome = if self.rejected {
            ImportOutcome::Rejected
        } else if !applied {
            ImportOutcome::DryRun
        } else {
            ImportOutcome::Applied
        };
        if self.options.skip_invalid {
            report.skipped += invalid_rows;
        }
        report
    }

    /// Matches one parsed row to the workspace and queues its op, or records its error.
    fn plan(&mut self, row: ParsedRow, found: &Found) {
        let number = row.number;
        if let Some(Some(cell)) = &row.pwd {
            match cell.read.reading {
                PwdReading::Split => self.report.pwd_split += 1,
                PwdReading::SuspectKey => self.report.warnings.push(RowError {
                    row: number,
                    column: Some(Column::Pwd.name().to_string()),
                    reason: SUSPECT_KEY.to_string(),
                }),
                PwdReading::Password => {}
            }
        }
        match self.target_and_op(row, found) {
            Ok(Some((key, target, op))) => {
                if let Some(id) = target {
                    self.seen_targets.insert(id, number);
                }
                self.seen_names.insert(key, number);
                match op {
                    None => self.report.unchanged += 1,
                    Some(op) => {
                        if matches!(op, BatchOp::Create(_)) {
                            self.report.created += 1;
                        } else {
                            self.report.updated += 1;
                        }
                        // A rejected import writes nothing: stop feeding the store.
                        if !self.rejecting() {
                            self.ready.push_back(op);
                        }
                    }
                }
            }
            Ok(None) => {}
            Err((column, reason)) => self.errors.push(RowError {
                row: number,
                column: column.map(|c| c.name().to_string()),
                reason,
            }),
        }
    }

    /// The row's plan, `Ok(None)` for a row skipped as a duplicate, or the row's error.
    fn target_and_op(
        &mut self,
        row: ParsedRow,
        found: &Found,
    ) -> std::result::Result<Option<Planned>, RowFault> {
        let platform = self.options.platform;
        let by_id = match row.id {
            Some(id) => match found.account(id, platform) {
                Some(account) => Some(account),
                None if self.options.strict_ids || found.by_id.contains_key(&id) => {
                    return Err((Some(Column::Id), found.missing_id(id, platform)))
                }
                // An id from another workspace: the row is matched by username.
                None => None,
            },
            None => None,
        };
        let foreign_id = row.id.is_some() && by_id.is_none();
        let username = row_username(&row.username, by_id)?;
        let key = username.key().to_string();
        if let Some(first) = self.seen_names.get(&key) {
            return Err((
                Some(Column::Username),
                format!(
                    "'{}' is the same account as row {first} (usernames ignore case and leading @s)",
                    printable(username.as_str())
                ),
            ));
        }
        let holder = found.by_key.get(&key).copied();
        let target = match by_id {
            Some(account) => {
                if let Some(other) = holder.filter(|&other| other != account.id) {
                    return Err((
                        Some(Column::Username),
                        format!(
                            "'{}' is the username of account {other}; usernames are unique per platform",
                            printable(username.as_str())
                        ),
                    ));
                }
                Some(account)
            }
            None if foreign_id => holder.and_then(|other| found.account(other, platform)),
            None => match (holder, self.options.on_duplicate) {
                (None, _) => None,
                (Some(other), OnDuplicate::Error) => {
                    return Err((
                        Some(Column::Username),
                        format!(
                            "'{}' already exists (account {other}); give the row its id to \
                             update it, or import with on-duplicate update or skip",
                            printable(username.as_str())
                        ),
                    ));
                }
                (Some(_), OnDuplicate::Skip) => {
                    self.seen_names.insert(key, row.number);
                    self.report.skipped += 1;
                    return Ok(None);
                }
                // by_key and the accounts are filled together: the holder is there.
                (Some(other), OnDuplicate::Update) => found.account(other, platform),
            },
        };
        if let Some(account) = target {
            if let Some(first) = self.seen_targets.get(&account.id) {
                return Err((
                    None,
                    format!(
                        "account {} is already changed by row {first}; one row per account",
                        account.id
                    ),
                ));
            }
        }
        // An index as the account already has it is the sheet's echo of its
        // device: the device column decides. An edited or new one binds.
        let mut row = row;
        if target.is_none_or(|a| a.device_index != row.device_index) {
            self.devices.bind_by_index(&mut row)?;
        }
        let op = match target {
            Some(account) => checked_update(&row, &username, account, platform),
            None => checked_create(row, username, platform).map(Some),
        }
        .map_err(located)?;
        if foreign_id {
            match target {
                Some(_) => self.report.matched_by_username += 1,
                None => self.report.created_for_unknown_ids += 1,
            }
        }
        Ok(Some((key, target.map(|a| a.id), op)))
    }
}

/// The username a row gives its account. The row keeps the stored name of the
/// account its id names when the cell holds exactly that name, even where the
/// account rules would now normalise or refuse it (an older rule allowed it),
/// so re-importing an unedited export never renames an account.
fn row_username(
    name: &RowName,
    by_id: Option<&Account>,
) -> std::result::Result<Username, RowFault> {
    match (&name.parsed, by_id) {
        (_, Some(account)) if name.text == account.username.as_str() => {
            Ok(account.username.clone())
        }
        (Ok(username), _) => Ok(username.clone()),
        (Err(reason), _) => Err((Some(Column::Username), reason.clone())),
    }
}

/// The accounts one batch of rows names: by id (on any platform, for error
/// messages), and the platform's by username key.
#[derive(Default)]
struct Found {
    by_id: FastMap<AccountId, Account>,
    by_key: FastMap<String, AccountId>,
}

impl Found {
    /// Holds `accounts` (a [`AccountStore::lookup`]) instead of the last batch's.
    fn fill(&mut self, accounts: Vec<Account>, platform: Platform) {
        self.by_id.clear();
        self.by_key.clear();
        for account in accounts {
            if account.platform == platform {
                self.by_key
                    .insert(account.username.key().to_string(), account.id);
            }
            self.by_id.insert(account.id, account);
        }
    }

    /// The platform's account with this id, if the batch named it.
    fn account(&self, id: AccountId, platform: Platform) -> Option<&Account> {
        self.by_id.get(&id).filter(|a| a.platform == platform)
    }

    /// Why an id that is not among the platform's accounts cannot be updated.
    fn missing_id(&self, id: AccountId, platform: Platform) -> String {
        match self.by_id.get(&id) {
            Some(other) => format!(
                "account {id} is on {}; this import is into {platform}",
                other.platform
            ),
            None => format!(
                "no account has id {id} (ids are refused, not matched by username, with \
                 strict ids); leave id empty to create the account"
            ),
        }
    }
}

/// Feeds every value of `account` to `hasher`.
fn hash_account(account: &Account, hasher: &mut impl Hasher) {
    // Every field by name: a field added to the type must be added here.
    let Account {
        id,
        platform,
        username,
        email,
        password,
        totp_key,
        device,
        device_index,
        package_name,
        logged_in,
        status,
        tags,
        stats,
        last_login_at,
        last_error,
        created_at,
        updated_at,
    } = account;
    let ProfileStats {
        nickname,
        country,
        followers,
        following,
        hearts,
        videos,
        friends,
        synced_at,
    } = stats;
    (id, platform, username.as_str(), username.key()).hash(hasher);
    (
        email,
        password,
        totp_key,
        device,
        device_index,
        package_name,
    )
        .hash(hasher);
    (logged_in, status, tags, last_login_at, last_error).hash(hasher);
    (
        nickname, country, followers, following, hearts, videos, friends,
    )
        .hash(hasher);
    (synced_at, created_at, updated_at).hash(hasher);
}

/// The workspace's registered phones.
#[derive(Default, PartialEq)]
struct Devices {
    /// Serial of each registered phone, by its `device_index`.
    serials: FastMap<u32, String>,
    /// `device_index` of each registered phone, by serial.
    indexes: FastMap<String, u32>,
}

impl Devices {
    /// Reads the registry of `store`.
    fn load(store: &dyn AccountStore) -> Result<Devices> {
        let mut devices = Devices::default();
        for device in store.list_devices()? {
            devices.indexes.insert(device.serial.clone(), device.index);
            devices.serials.insert(device.index, device.serial);
        }
        Ok(devices)
    }

    /// Binds a row with a `device_index` and no `device` to the registered
    /// phone with that number (for a new account, or an index edited in the sheet). Errors: no phone has the number; the row's
    /// `device` is a registered phone with another number, or the number is
    /// another phone's. (A `device` not registered here with a number no phone
    /// has is a new phone: the number is one of the sheet's workspace.)
    fn bind_by_index(&self, row: &mut ParsedRow) -> std::result::Result<(), RowFault> {
        let Some(index) = row.device_index else {
            return Ok(());
        };
        let given = row
            .device
            .as_ref()
            .and_then(|d| d.as_deref())
            .map(text::trim);
        let phone = self.serials.get(&index);
        match (given, phone) {
            (None, Some(serial)) => {
                row.device = Some(Some(serial.clone()));
                Ok(())
            }
            (None, None) => Err((
                Some(Column::DeviceIndex),
                format!(
                    "no registered phone has device_index {index} (see `farmhand devices`); \
                     give the phone's serial in the device column"
                ),
            )),
            (Some(given), Some(serial)) if given == serial => Ok(()),
            (Some(given), Some(serial)) => Err((
                Some(Column::DeviceIndex),
                format!(
                    "device_index {index} is the phone {serial}, but device says '{}'; \
                     leave one of the two empty",
                    printable(given)
                ),
            )),
            (Some(given), None) => match self.indexes.get(given) {
                Some(other) => Err((
                    Some(Column::DeviceIndex),
                    format!(
                        "device '{}' is phone {other} here, not {index}; leave one of the two empty",
                        printable(given)
                    ),
                )),
                None => Ok(()),
            },
        }
    }
}

/// The update that makes `account` match `row`, checked by the account rules;
/// `None` when the account already matches (after the rules' normalisation).
fn checked_update(
    row: &ParsedRow,
    username: &Username,
    account: &Account,
    platform: Platform,
) -> Result<Option<BatchOp>> {
    let patch = diff(row, username, account, platform);
    if patch.is_empty() {
        return Ok(None);
    }
    let mut next = account.clone();
    patch.clone().apply_to(&mut next, account.updated_at)?;
    Ok((next != *account).then_some(BatchOp::Update(account.id, patch)))
}

/// The create for `row`, checked and normalised by the account rules.
fn checked_create(row: ParsedRow, username: Username, platform: Platform) -> Result<BatchOp> {
    let record = new_account(row, username, platform).into_record(Timestamp(0))?;
    Ok(BatchOp::Create(NewAccount {
        platform: record.platform,
        username: record.username.into(),
        email: record.email,
        password: record.password,
        totp_key: record.totp_key,
        device: record.device,
        package_name: record.package_name,
        logged_in: record.logged_in,
        status: record.status,
        tags: record.tags,
        stats: record.stats,
    }))
}

/// The sheet column and reason of an account-rule error.
fn located(error: Error) -> (Option<Column>, String) {
    match error {
        Error::Validation { field, reason } => {
            let name = match field.as_str() {
                "password" => "pwd",
                "totp_key" => Column::TwoFactor.name(),
                other => other,
            };
            match Column::from_header(name) {
                Some(column) => (Some(column), reason),
                None => (None, format!("{field}: {reason}")),
            }
        }
        other => (None, other.to_string()),
    }
}

/// The changes that make `account` match `row`; empty when they already match.
fn diff(
    row: &ParsedRow,
    username: &Username,
    account: &Account,
    platform: Platform,
) -> AccountPatch {
    fn changed<T: PartialEq + Clone>(field: &Field<T>, old: &Option<T>) -> Option<Option<T>> {
        field.as_ref().filter(|new| *new != old).cloned()
    }
    let stats = (platform == Platform::TikTok && row.stats.any())
        .then(|| row.stats.merged_into(&account.stats))
        .filter(|new| !same_numbers(new, &account.stats))
        .map(|new| ProfileStats {
            synced_at: None,
            ..new
        });
    // Locked secrets (an encrypted workspace opened without its key) cannot
    // be compared: a pwd cell then counts as a change, whose write asks for the key.
    let locked = [&account.password, &account.totp_key]
        .into_iter()
        .any(|s| s.as_ref().is_some_and(Secret::is_locked));
    let current = (!locked)
        .then(|| join_pwd(account.password.as_ref(), account.totp_key.as_ref()))
        .flatten();
    AccountPatch {
        username: (username.as_str() != account.username.as_str())
            .then(|| username.as_str().to_string()),
        email: changed(&row.email, &account.email),
        password: row
            .wanted_password(current.as_ref())
            .filter(|new| *new != account.password),
        totp_key: row
            .wanted_key(current.as_ref())
            .filter(|new| !same_key(new.as_ref(), account.totp_key.as_ref())),
        device: changed(&row.device, &account.device),
        package_name: changed(&row.package_name, &account.package_name),
        logged_in: row.logged_in.filter(|&v| v != account.logged_in),
        status: row.status.filter(|&v| v != account.status),
        tags: row.tags.as_ref().filter(|t| **t != account.tags).cloned(),
        stats,
        ..AccountPatch::default()
    }
}

/// True when a key from a row is the account's key: keys are stored canonical
/// (upper case, no spaces), and a `2fa` cell may be written in any form. A
/// locked key (no workspace key at hand) is taken as different, and writing
/// it then fails asking for the key.
fn same_key(new: Option<&Secret>, old: Option<&Secret>) -> bool {
    match (new, old) {
        (Some(new), Some(old)) => old
            .try_expose()
            .is_ok_and(|old| canonical_key(new.expose()) == old),
        (None, None) => true,
        _ => false,
    }
}

/// Equal apart from the sync time.
fn same_numbers(a: &ProfileStats, b: &ProfileStats) -> bool {
    a.nickname == b.nickname
        && a.country == b.country
        && a.followers == b.followers
        && a.following == b.following
        && a.hearts == b.hearts
        && a.videos == b.videos
        && a.friends == b.friends
}
