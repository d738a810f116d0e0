//! Turns sheet rows into one validated batch of account changes.
//!
//! Two steps. Parsing ([`Planner`] as a [`RowSink`]) types every cell of every row
//! and records each bad cell. Planning ([`Planner::plan`]) matches rows to the
//! workspace: a row with `id` updates that account, a row without creates one
//! (or, for an existing username, follows [`OnDuplicate`]); a row identical to
//! its account is unchanged. A column the sheet lacks leaves the field as it is;
//! an empty cell clears an optional field (an empty `logined`/`status` cell
//! leaves the flag as it is); `device_index` is never read. Usernames must be
//! unique in the file in any spelling, and an account may be targeted by one row.

use std::collections::HashMap;

use super::cells::Cell;
use super::columns::{Column, HeaderMap};
use super::options::{ImportOptions, OnDuplicate};
use super::reader::{RowSink, SheetRow};
use super::report::{ImportOutcome, ImportReport, RowError};
use crate::account::{
    printable, Account, AccountId, AccountPatch, NewAccount, Platform, ProfileStats, Status,
    Timestamp, Username, MAX_TEXT_CHARS,
};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::{AccountFilter, AccountStore, BatchOp};

/// A cell of an optional field: `None` when the sheet has no such column,
/// `Some(None)` for an empty cell (clear), `Some(Some(v))` for a value.
type Field<T> = Option<Option<T>>;

/// One row with every present column typed and checked.
#[derive(Debug, Clone)]
struct ParsedRow {
    number: u32,
    id: Option<AccountId>,
    username: Username,
    email: Field<String>,
    password: Field<Secret>,
    package_name: Field<String>,
    device: Field<String>,
    logged_in: Option<bool>,
    status: Option<Status>,
    tags: Option<Vec<String>>,
    stats: StatFields,
}

/// The stats columns of a row (TikTok imports only).
#[derive(Debug, Clone, Default)]
struct StatFields {
    nickname: Field<String>,
    country: Field<String>,
    followers: Field<u64>,
    following: Field<u64>,
    hearts: Field<u64>,
    videos: Field<u64>,
    friends: Field<u64>,
}

impl StatFields {
    fn any(&self) -> bool {
        self.nickname.is_some()
            || self.country.is_some()
            || self.followers.is_some()
            || self.following.is_some()
            || self.hearts.is_some()
            || self.videos.is_some()
            || self.friends.is_some()
    }

    /// `base` with every present column's value put in.
    fn merged_into(&self, base: &ProfileStats) -> ProfileStats {
        fn pick<T: Clone>(field: &Field<T>, old: &Option<T>) -> Option<T> {
            field.clone().unwrap_or_else(|| old.clone())
        }
        ProfileStats {
            nickname: pick(&self.nickname, &base.nickname),
            country: pick(&self.country, &base.country),
            followers: pick(&self.followers, &base.followers),
            following: pick(&self.following, &base.following),
            hearts: pick(&self.hearts, &base.hearts),
            videos: pick(&self.videos, &base.videos),
            friends: pick(&self.friends, &base.friends),
            synced_at: base.synced_at,
        }
    }
}

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
        if let Some(parsed) = self.parse(&row) {
            self.rows.push(parsed);
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

    fn parse(&mut self, row: &SheetRow) -> Option<ParsedRow> {
        let header = self.header.as_ref()?;
        let tiktok = self.options.platform == Platform::TikTok;
        let mut errors = Vec::new();
        let cell =
            |column: Column| -> Option<&Cell> { header.has(column).then(|| row.cell(column)) };
        let mut fail = |column: Column, reason: String| {
            errors.push(RowError {
                row: row.number,
                column: Some(column.name().to_string()),
                reason,
            });
        };
        let username = match cell(Column::Username).map(Cell::text) {
            Some(Ok(Some(text))) => match Username::parse(&text) {
                Ok(u) => Some(u),
                Err(e) => {
                    fail(Column::Username, validation_reason(e));
                    None
                }
            },
            Some(Ok(None)) | None => {
                fail(
                    Column::Username,
                    "is empty; every row needs a username".into(),
                );
                None
            }
            Some(Err(reason)) => {
                fail(Column::Username, reason);
                None
            }
        };
        let id = match cell(Column::Id).map(Cell::whole) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(n))) if n >= 1 => Some(AccountId(n as i64)),
            Some(Ok(Some(_))) => {
                fail(Column::Id, "0 is not an account id".into());
                None
            }
            Some(Err(reason)) => {
                fail(Column::Id, reason);
                None
            }
        };
        let mut text = |column: Column| -> Field<String> {
            let value = cell(column)?;
            match value.text() {
                Ok(v) => match v.as_deref().map(|v| check_text(v, column != Column::Pwd)) {
                    Some(Err(reason)) => {
                        fail(column, reason);
                        None
                    }
                    _ => Some(v),
                },
                Err(reason) => {
                    fail(column, reason);
                    None
                }
            }
        };
        let email = text(Column::Email);
        let package_name = text(Column::PackageName);
        let device = text(Column::Device);
        let tags_text = text(Column::Tags);
        let (nickname, country) = if tiktok {
            (text(Column::Nickname), text(Column::Country))
        } else {
            (None, None)
        };
        let password = cell(Column::Pwd).and_then(|value| match value.raw_text() {
            Ok(v) => match v.as_deref().map(|v| check_text(v, false)) {
                Some(Err(reason)) => {
                    fail(Column::Pwd, reason);
                    None
                }
                _ => Some(v.map(Secret::new)),
            },
            Err(reason) => {
                fail(Column::Pwd, reason);
                None
            }
        });
        let mut flag = |column: Column, allow_bool: bool| -> Option<bool> {
            match cell(column)?.flag(allow_bool) {
                Ok(v) => v,
                Err(reason) => {
                    fail(column, reason);
                    None
                }
            }
        };
        let logged_in = flag(Column::Logined, true);
        let status = flag(Column::Status, false).map(|disabled| {
            if disabled {
                Status::Disabled
            } else {
                Status::Enabled
            }
        });
        let mut count = |column: Column| -> Field<u64> {
            if !tiktok {
                return None;
            }
            match cell(column)?.whole() {
                Ok(v) => Some(v),
                Err(reason) => {
                    fail(column, reason);
                    None
                }
            }
        };
        let stats = StatFields {
            nickname,
            country,
            followers: count(Column::Followers),
            following: count(Column::Following),
            hearts: count(Column::Hearts),
            videos: count(Column::Videos),
            friends: count(Column::Friends),
        };
        if !errors.is_empty() {
            self.errors.append(&mut errors);
            return None;
        }
        Some(ParsedRow {
            number: row.number,
            id,
            username: username?,
            email,
            password,
            package_name,
            device,
            logged_in,
            status,
            tags: tags_text.map(|t| split_tags(t.as_deref())),
            stats,
        })
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

fn new_account(row: ParsedRow, platform: Platform) -> NewAccount {
    let stats = if platform == Platform::TikTok {
        row.stats.merged_into(&ProfileStats::default())
    } else {
        ProfileStats::default()
    };
    NewAccount {
        platform,
        username: row.username.as_str().to_string(),
        email: row.email.flatten(),
        password: row.password.flatten(),
        device: row.device.flatten(),
        package_name: row.package_name.flatten(),
        logged_in: row.logged_in.unwrap_or(false),
        status: row.status.unwrap_or_default(),
        tags: row.tags.unwrap_or_default(),
        stats,
    }
}

/// Tags from a `tags` cell: comma separated, trimmed, blanks dropped.
fn split_tags(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Length and character checks of a text value; `quote` may name the value.
fn check_text(value: &str, quote: bool) -> std::result::Result<(), String> {
    let chars = value.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(format!(
            "is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed"
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(if quote {
            format!(
                "'{}' contains the control character {c:?}",
                printable(value)
            )
        } else {
            "contains a control character".to_string()
        });
    }
    Ok(())
}

/// The reason of a validation error, without its `invalid FIELD:` prefix.
fn validation_reason(error: Error) -> String {
    match error {
        Error::Validation { reason, .. } => reason,
        other => other.to_string(),
    }
}

impl Planner {
    /// Errors recorded so far (parsing only), for tests of the parse step.
    #[cfg(test)]
    fn parse_errors(&self) -> &[RowError] {
        &self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(columns: &[Column], rows: &[&[Cell]]) -> Planner {
        let mut planner = Planner::new(&ImportOptions::new(Platform::TikTok));
        planner.header("accounts", &HeaderMap::with_columns(columns));
        for (at, cells) in rows.iter().enumerate() {
            let mut row = SheetRow::new(at as u32 + 2);
            for (column, cell) in columns.iter().zip(cells.iter()) {
                row.cells[column.index()] = cell.clone();
            }
            planner.row(row);
        }
        planner
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn every_bad_cell_of_a_row_is_reported_without_secrets() {
        let cols = [
            Column::Username,
            Column::Pwd,
            Column::Status,
            Column::Followers,
            Column::Email,
        ];
        let long_pwd = "p".repeat(MAX_TEXT_CHARS + 1);
        let planner = sheet(
            &cols,
            &[
                &[
                    text("ok"),
                    text(&long_pwd),
                    Cell::Number(2.0),
                    Cell::Number(-1.0),
                    Cell::Date,
                ],
                &[
                    Cell::Empty,
                    Cell::Formula,
                    text("yes"),
                    Cell::Number(1.5),
                    Cell::Error("#N/A".into()),
                ],
            ],
        );
        let errors: Vec<String> = planner
            .parse_errors()
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 9, "{errors:#?}");
        assert!(errors
            .iter()
            .any(|e| e.starts_with("row 2, column pwd: is 4097 characters long")));
        assert!(errors
            .iter()
            .any(|e| e.starts_with("row 2, column status: 2 is not allowed")));
        assert!(errors
            .iter()
            .any(|e| e.starts_with("row 2, column followers: -1 is negative")));
        assert!(errors
            .iter()
            .any(|e| e.starts_with("row 2, column email: holds a date")));
        assert!(errors
            .iter()
            .any(|e| e.starts_with("row 3, column username: is empty")));
        assert!(errors
            .iter()
            .any(|e| e.starts_with("row 3, column pwd: holds a formula")));
        assert!(errors
            .iter()
            .any(|e| e.starts_with("row 3, column status: 'yes' is not allowed")));
        assert!(errors
            .iter()
            .any(|e| e.contains("followers: 1.5 is not a whole number")));
        assert!(errors
            .iter()
            .any(|e| e.contains("email: holds the error value #N/A")));
        assert!(errors.iter().all(|e| !e.contains("ppp")));
        assert!(planner.rows.is_empty());
    }

    #[test]
    fn sheetjs_numbers_become_text_and_missing_columns_stay_absent() {
        let cols = [
            Column::Username,
            Column::Pwd,
            Column::Tags,
            Column::Followers,
        ];
        let planner = sheet(
            &cols,
            &[&[
                Cell::Number(998877.0),
                Cell::Number(123456.0),
                text(" a, ,b "),
                Cell::Empty,
            ]],
        );
        let row = &planner.rows[0];
        assert_eq!(row.username.as_str(), "998877");
        assert_eq!(row.password.clone().flatten().unwrap().expose(), "123456");
        assert_eq!(
            row.tags.as_deref(),
            Some(&["a".to_string(), "b".to_string()][..])
        );
        assert_eq!(row.stats.followers, Some(None));
        assert_eq!(row.email, None);
        assert_eq!(row.logged_in, None);
    }

    #[test]
    fn a_long_username_is_a_row_error() {
        let planner = sheet(&[Column::Username], &[&[text(&"u".repeat(32_767))]]);
        let error = planner.parse_errors()[0].to_string();
        assert!(
            error.contains("row 2, column username: is 32767 characters long"),
            "{error}"
        );
    }
}
