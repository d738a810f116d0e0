//! Turns sheet rows into one validated batch of account changes.
//!
//! [`Planner`] receives rows as a [`RowSink`] and types them (see `parse`), then
//! matches them to the workspace: a row with `id` updates that account, a row
//! without creates one (or, for an existing username, follows [`OnDuplicate`]);
//! a row identical to its account (after the account rules' normalisation) is
//! unchanged. Usernames must be unique in the file in any spelling, and an
//! account may be targeted by one row. Every change is checked by the account
//! rules here, so a bad value is a row error naming row and column, and the
//! batch the store applies (all or nothing) does not fail on one.

use std::collections::HashMap;

use super::columns::{Column, HeaderMap};
use super::options::{ImportOptions, OnDuplicate};
use super::parse::{new_account, parse_row, Field, ParsedRow};
use super::reader::{RowSink, SheetRow};
use super::report::{ImportOutcome, ImportReport, RowError};
use crate::account::{
    printable, Account, AccountId, AccountPatch, NewAccount, Platform, ProfileStats, Timestamp,
};
use crate::error::{Error, Result};
use crate::store::{AccountFilter, AccountStore, BatchOp};

/// Collects parsed rows and their errors, then plans them against a store.
pub(crate) struct Planner {
    options: ImportOptions,
    header: Option<HeaderMap>,
    rows: Vec<ParsedRow>,
    errors: Vec<RowError>,
    report: ImportReport,
}

impl RowSink for Planner {
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
        match parse_row(header, self.options.platform, &row) {
            Ok(parsed) => self.rows.push(parsed),
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

impl Planner {
    /// A planner for these options.
    pub(crate) fn new(options: &ImportOptions) -> Planner {
        Planner {
            options: options.clone(),
            header: None,
            rows: Vec::new(),
            errors: Vec::new(),
            report: ImportReport::new(""),
        }
    }

    /// Matches the parsed rows to the workspace's accounts (`existing`, loaded
    /// from `store`), fills the report, and applies the batch to `store` unless
    /// this is a dry run or an invalid row rejects the import.
    pub(crate) fn finish(
        mut self,
        store: &dyn AccountStore,
        existing: Existing,
    ) -> Result<ImportReport> {
        let ops = self.plan(store, &existing)?;
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
        report.outcome = if !report.errors.is_empty() && !self.options.skip_invalid {
            ImportOutcome::Rejected
        } else if self.options.dry_run {
            ImportOutcome::DryRun
        } else {
            ImportOutcome::Applied
        };
        if self.options.skip_invalid {
            report.skipped += invalid_rows;
        }
        if report.outcome == ImportOutcome::Applied && !ops.is_empty() {
            store.apply_batch(ops)?;
        }
        Ok(report)
    }

    fn plan(&mut self, store: &dyn AccountStore, existing: &Existing) -> Result<Vec<BatchOp>> {
        let platform = self.options.platform;
        let mut ops = Vec::new();
        let mut seen_names: HashMap<String, u32> = HashMap::with_capacity(self.rows.len());
        let mut seen_targets: HashMap<AccountId, u32> = HashMap::new();
        for row in std::mem::take(&mut self.rows) {
            let number = row.number;
            let mut error = |column: Option<Column>, reason: String| {
                self.errors.push(RowError {
                    row: number,
                    column: column.map(|c| c.name().to_string()),
                    reason,
                })
            };
            let key = row.username.key().to_string();
            if let Some(first) = seen_names.get(&key) {
                error(
                    Some(Column::Username),
                    format!(
                        "'{}' is the same account as row {first} (usernames ignore case and a leading @)",
                        printable(row.username.as_str())
                    ),
                );
                continue;
            }
            let holder = existing.by_key.get(&key).copied();
            let target = match row.id {
                Some(id) => {
                    if !existing.by_id.contains_key(&id) {
                        error(Some(Column::Id), missing_id(store, id, platform)?);
                        continue;
                    }
                    if let Some(other) = holder.filter(|&other| other != id) {
                        error(
                            Some(Column::Username),
                            format!(
                                "'{}' is the username of account {other}; usernames are unique per platform",
                                printable(row.username.as_str())
                            ),
                        );
                        continue;
                    }
                    Some(id)
                }
                None => match (holder, self.options.on_duplicate) {
                    (None, _) => None,
                    (Some(other), OnDuplicate::Error) => {
                        error(
                            Some(Column::Username),
                            format!(
                                "'{}' already exists (account {other}); give the row its id to \
                                 update it, or import with on-duplicate update or skip",
                                printable(row.username.as_str())
                            ),
                        );
                        continue;
                    }
                    (Some(_), OnDuplicate::Skip) => {
                        seen_names.insert(key, number);
                        self.report.skipped += 1;
                        continue;
                    }
                    (Some(other), OnDuplicate::Update) => Some(other),
                },
            };
            if let Some(first) = target.and_then(|id| seen_targets.get(&id)) {
                error(
                    None,
                    format!(
                        "account {} is already changed by row {first}; one row per account",
                        target.map_or(0, |id| id.0)
                    ),
                );
                continue;
            }
            let op = match target {
                Some(id) => checked_update(&row, &existing.by_id[&id], platform),
                None => checked_create(row, platform).map(Some),
            };
            let op = match op {
                Ok(op) => op,
                Err(e) => {
                    let (column, reason) = located(e);
                    error(column, reason);
                    continue;
                }
            };
            if let Some(id) = target {
                seen_targets.insert(id, number);
            }
            seen_names.insert(key, number);
            match op {
                None => self.report.unchanged += 1,
                Some(op @ BatchOp::Create(_)) => {
                    self.report.created += 1;
                    ops.push(op);
                }
                Some(op) => {
                    self.report.updated += 1;
                    ops.push(op);
                }
            }
        }
        Ok(ops)
    }
}

/// The workspace's accounts of one platform, by id and by username key.
pub(crate) struct Existing {
    by_id: HashMap<AccountId, Account>,
    by_key: HashMap<String, AccountId>,
}

impl Existing {
    /// Loads every account of `platform` from `store`.
    pub(crate) fn load(store: &dyn AccountStore, platform: Platform) -> Result<Existing> {
        let mut existing = Existing {
            by_id: HashMap::new(),
            by_key: HashMap::new(),
        };
        // The platform is checked per account, not in the filter: SqliteStore answers a
        // platform-filtered listing through its username index with a sort per page
        // (quadratic: 196 s for 1M accounts), while an unfiltered one walks the ids.
        store.for_each(&AccountFilter::default(), &mut |account| {
            if account.platform != platform {
                return Ok(());
            }
            existing
                .by_key
                .insert(account.username.key().to_string(), account.id);
            existing.by_id.insert(account.id, account);
            Ok(())
        })?;
        Ok(existing)
    }
}

/// The update that makes `account` match `row`, checked by the account rules;
/// `None` when the account already matches (after the rules' normalisation).
fn checked_update(
    row: &ParsedRow,
    account: &Account,
    platform: Platform,
) -> Result<Option<BatchOp>> {
    let patch = diff(row, account, platform);
    if patch.is_empty() {
        return Ok(None);
    }
    let mut next = account.clone();
    patch.clone().apply_to(&mut next, account.updated_at)?;
    Ok((next != *account).then_some(BatchOp::Update(account.id, patch)))
}

/// The create for `row`, checked and normalised by the account rules.
fn checked_create(row: ParsedRow, platform: Platform) -> Result<BatchOp> {
    let record = new_account(row, platform).into_record(Timestamp(0))?;
    Ok(BatchOp::Create(NewAccount {
        platform: record.platform,
        username: record.username.into(),
        email: record.email,
        password: record.password,
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
            let name = if field == "password" {
                "pwd"
            } else {
                field.as_str()
            };
            match Column::from_header(name) {
                Some(column) => (Some(column), reason),
                None => (None, format!("{field}: {reason}")),
            }
        }
        other => (None, other.to_string()),
    }
}

/// Why an id that is not among the platform's accounts cannot be updated.
fn missing_id(store: &dyn AccountStore, id: AccountId, platform: Platform) -> Result<String> {
    match store.get(id) {
        Ok(account) => Ok(format!(
            "account {id} is on {}; this import is into {platform}",
            account.platform
        )),
        Err(e) if e.kind() == crate::ErrorKind::NotFound => Ok(format!(
            "no account has id {id}; leave id empty to create the account"
        )),
        Err(e) => Err(e),
    }
}

/// The changes that make `account` match `row`; empty when they already match.
fn diff(row: &ParsedRow, account: &Account, platform: Platform) -> AccountPatch {
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
    AccountPatch {
        username: (row.username.as_str() != account.username.as_str())
            .then(|| row.username.as_str().to_string()),
        email: changed(&row.email, &account.email),
        password: changed(&row.password, &account.password),
        device: changed(&row.device, &account.device),
        package_name: changed(&row.package_name, &account.package_name),
        logged_in: row.logged_in.filter(|&v| v != account.logged_in),
        status: row.status.filter(|&v| v != account.status),
        tags: row.tags.as_ref().filter(|t| **t != account.tags).cloned(),
        stats,
        ..AccountPatch::default()
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
