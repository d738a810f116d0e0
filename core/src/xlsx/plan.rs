//! Turns sheet rows, as they arrive, into validated account changes for one
//! atomic store write.
//!
//! [`Planner`] receives rows as a [`RowSink`] and types them (see `parse`), then
//! matches each to the workspace's accounts loaded before the first row: a row with `id` updates that account, a row
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

use super::columns::{Column, HeaderMap};
use super::options::{ImportOptions, OnDuplicate};
use super::parse::{canonical_key, new_account, parse_row, Field, ParsedRow, RowName};
use super::reader::{RowSink, SheetRow};
use super::report::{ImportOutcome, ImportReport, RowError};
use crate::account::{
    printable, Account, AccountId, AccountPatch, NewAccount, Platform, ProfileStats, Timestamp,
    Username,
};
use crate::error::{Error, Result};
use crate::secret::{join_pwd, PwdReading, Secret};
use crate::store::{AccountFilter, AccountStore, BatchOp};
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

/// Plans rows one at a time as they arrive, queueing the ops they need.
pub(crate) struct Planner<'e> {
    options: ImportOptions,
    existing: &'e Existing,
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
}

impl RowSink for Planner<'_> {
    /// Sizes the per-row maps once instead of letting them grow (and rehash) a
    /// dozen times over a large sheet.
    fn expect_rows(&mut self, rows: usize) {
        self.seen_names.reserve(rows);
        self.seen_targets
            .reserve(rows.min(self.existing.accounts.len()));
    }

    fn header(&mut self, sheet: &str, map: &HeaderMap) {
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
    }

    fn row(&mut self, row: SheetRow) {
        let Some(header) = &self.header else { return };
        match parse_row(header, self.options.platform, row) {
            Ok(parsed) => self.plan(parsed),
            Err(mut errors) => self.errors.append(&mut errors),
        }
    }

    fn invalid(&mut self, row: u32, reason: String) {
        self.errors.push(RowError {
            row,
            column: None,
            reason,
        });
    }
}

impl<'e> Planner<'e> {
    /// A planner for these options against the workspace's `existing` accounts.
    pub(crate) fn new(options: &ImportOptions, existing: &'e Existing) -> Planner<'e> {
        Planner {
            options: options.clone(),
            existing,
            header: None,
            errors: Vec::new(),
            report: ImportReport::new(""),
            seen_names: FastMap::default(),
            seen_targets: FastMap::default(),
            ready: VecDeque::new(),
            rejected: false,
        }
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
    fn plan(&mut self, row: ParsedRow) {
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
        match self.target_and_op(row) {
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
    fn target_and_op(&mut self, row: ParsedRow) -> std::result::Result<Option<Planned>, RowFault> {
        let platform = self.options.platform;
        let existing = self.existing;
        let by_id = match row.id {
            Some(id) => match existing.account(id) {
                Some(account) => Some(account),
                None if self.options.strict_ids || existing.elsewhere.contains_key(&id) => {
                    return Err((Some(Column::Id), existing.missing_id(id, platform)))
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
        let holder = existing.by_key.get(&key).copied();
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
            None if foreign_id => holder.and_then(|other| existing.account(other)),
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
                (Some(other), OnDuplicate::Update) => existing.account(other),
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
            existing.bind_by_index(&mut row)?;
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

/// The workspace's accounts of one platform, by id and by username key, and
/// its registered phones.
pub(crate) struct Existing {
    /// In id order, as the store lists them.
    accounts: Vec<Account>,
    by_key: FastMap<String, AccountId>,
    /// The platform of every account on another platform, for error messages.
    elsewhere: FastMap<AccountId, Platform>,
    /// Serial of each registered phone, by its `device_index`.
    serials: FastMap<u32, String>,
    /// `device_index` of each registered phone, by serial.
    indexes: FastMap<String, u32>,
}

impl Existing {
    /// Loads every account of `platform` from `store`.
    pub(crate) fn load(store: &dyn AccountStore, platform: Platform) -> Result<Existing> {
        let mut existing = Existing {
            accounts: Vec::new(),
            by_key: FastMap::default(),
            elsewhere: FastMap::default(),
            serials: FastMap::default(),
            indexes: FastMap::default(),
        };
        for device in store.list_devices()? {
            existing.indexes.insert(device.serial.clone(), device.index);
            existing.serials.insert(device.index, device.serial);
        }
        // Every platform is listed: the others' ids make better error messages.
        store.for_each(&AccountFilter::default(), &mut |account| {
            if account.platform != platform {
                existing.elsewhere.insert(account.id, account.platform);
                return Ok(());
            }
            existing
                .by_key
                .insert(account.username.key().to_string(), account.id);
            existing.accounts.push(account);
            Ok(())
        })?;
        Ok(existing)
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

    /// The platform's account with this id, if any.
    fn account(&self, id: AccountId) -> Option<&Account> {
        let at = self.accounts.binary_search_by_key(&id, |a| a.id).ok()?;
        Some(&self.accounts[at])
    }

    /// Why an id that is not among the platform's accounts cannot be updated.
    fn missing_id(&self, id: AccountId, platform: Platform) -> String {
        match self.elsewhere.get(&id) {
            Some(other) => format!("account {id} is on {other}; this import is into {platform}"),
            None => format!(
                "no account has id {id} (ids are refused, not matched by username, with \
                 strict ids); leave id empty to create the account"
            ),
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
