//! Types one sheet row: every present column's cell becomes a checked field,
//! and every bad cell becomes a [`RowError`] naming the row and column.
//!
//! A cell of a column the sheet lacks stays absent (the field is left as it
//! is); an empty cell of an optional field means "clear"; an empty `logined`
//! or `status` cell leaves the flag. A `device_index` is kept for the planner
//! (it binds to the registered phone with that number), and the stats columns
//! are read only for TikTok. Errors never quote a password.

use super::cells::Cell;
use super::columns::{Column, HeaderMap};
use super::reader::SheetRow;
use super::report::RowError;
use crate::account::{
    printable, AccountId, NewAccount, Platform, ProfileStats, Status, Username, MAX_TEXT_CHARS,
};
use crate::error::Error;
use crate::secret::{read_pwd, ReadPwd, Secret};
use crate::text;

/// A cell of an optional field: `None` when the sheet has no such column,
/// `Some(None)` for an empty cell (clear), `Some(Some(v))` for a value.
pub(crate) type Field<T> = Option<Option<T>>;

/// A row's username cell: its trimmed text and what the account rules make of
/// it. A refused name may still be the stored name of the account the row's id
/// names (an older rule allowed it); the planner decides.
#[derive(Debug, Clone)]
pub(crate) struct RowName {
    /// The cell's text, trimmed.
    pub(crate) text: String,
    /// [`Username::parse`] of the text, or its refusal (without the field prefix).
    pub(crate) parsed: Result<Username, String>,
}

/// One row with every present column typed and checked.
#[derive(Debug, Clone)]
pub(crate) struct ParsedRow {
    pub(crate) number: u32,
    pub(crate) id: Option<AccountId>,
    pub(crate) username: RowName,
    pub(crate) email: Field<String>,
    /// The `pwd` cell, read by [`read_pwd`].
    pub(crate) pwd: Field<PwdCell>,
    /// The `2fa` (`totp`) cell, when the sheet has that column.
    pub(crate) totp_key: Field<Secret>,
    pub(crate) package_name: Field<String>,
    pub(crate) device: Field<String>,
    /// The `device_index` cell's number, when it has one.
    pub(crate) device_index: Option<u32>,
    pub(crate) logged_in: Option<bool>,
    pub(crate) status: Option<Status>,
    pub(crate) tags: Option<Vec<String>>,
    pub(crate) stats: StatFields,
}

/// A `pwd` cell: its text as written and how the rule read it.
#[derive(Debug, Clone)]
pub(crate) struct PwdCell {
    /// The cell's text, verbatim.
    pub(crate) raw: Secret,
    /// Password and 2FA key by the rule of [`crate::secret::pwd`].
    pub(crate) read: ReadPwd,
}

/// The stats columns of a row (TikTok imports only).
#[derive(Debug, Clone, Default)]
pub(crate) struct StatFields {
    pub(crate) nickname: Field<String>,
    pub(crate) country: Field<String>,
    pub(crate) followers: Field<u64>,
    pub(crate) following: Field<u64>,
    pub(crate) hearts: Field<u64>,
    pub(crate) videos: Field<u64>,
    pub(crate) friends: Field<u64>,
}

impl StatFields {
    pub(crate) fn any(&self) -> bool {
        self.nickname.is_some()
            || self.country.is_some()
            || self.followers.is_some()
            || self.following.is_some()
            || self.hearts.is_some()
            || self.videos.is_some()
            || self.friends.is_some()
    }

    /// `base` with every present column's value put in.
    pub(crate) fn merged_into(&self, base: &ProfileStats) -> ProfileStats {
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

impl ParsedRow {
    /// The 2FA key the row asks for, given the account's current `pwd` (none
    /// for a new account): `None` leaves the key, `Some(None)` clears it.
    ///
    /// A `2fa` cell with a value wins; the `pwd` cell gives the key otherwise
    /// (an empty `2fa` cell with no `pwd` column clears it). A `pwd` that reads
    /// exactly as the account's current `password:KEY` leaves both alone.
    pub(crate) fn wanted_key(&self, current_pwd: Option<&Secret>) -> Field<Secret> {
        match (&self.totp_key, self.wanted_pwd(current_pwd)) {
            (Some(Some(key)), _) => Some(Some(key.clone())),
            (_, Some(read)) => Some(read.and_then(|r| r.totp_key)),
            (Some(None), None) if self.pwd.is_none() => Some(None),
            _ => None,
        }
    }

    /// The password the row asks for, under the same rules as [`ParsedRow::wanted_key`].
    pub(crate) fn wanted_password(&self, current_pwd: Option<&Secret>) -> Field<Secret> {
        self.wanted_pwd(current_pwd)
            .map(|read| read.map(|r| r.password))
    }

    /// The `pwd` cell's reading, unless the column is absent or the cell holds
    /// exactly the account's current `pwd`.
    fn wanted_pwd(&self, current_pwd: Option<&Secret>) -> Option<Option<ReadPwd>> {
        match &self.pwd {
            None => None,
            Some(Some(cell)) if current_pwd == Some(&cell.raw) => None,
            Some(cell) => Some(cell.as_ref().map(|c| c.read.clone())),
        }
    }
}

/// Types a data row of a sheet laid out as `header`, for an import into `platform`.
pub(crate) fn parse_row(
    header: &HeaderMap,
    platform: Platform,
    mut row: SheetRow,
) -> Result<ParsedRow, Vec<RowError>> {
    let tiktok = platform == Platform::TikTok;
    let number = row.number;
    let mut errors = Vec::new();
    // Each cell is taken once, so its text moves into the field without a copy.
    let mut cell =
        |column: Column| -> Option<Cell> { header.has(column).then(|| row.take(column)) };
    let mut fail = |column: Column, reason: String| {
        errors.push(RowError {
            row: number,
            column: Some(column.name().to_string()),
            reason,
        });
    };
    let username = match cell(Column::Username).map(Cell::text) {
        Some(Ok(Some(text))) => Some(RowName {
            parsed: Username::parse(&text).map_err(validation_reason),
            text: crate::account::trimmed_string(text),
        }),
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
    let id = match cell(Column::Id).as_ref().map(Cell::whole) {
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
            Ok(v) => match v
                .as_deref()
                .map(|v| check_text(v, !matches!(column, Column::Pwd | Column::TwoFactor)))
            {
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
    let totp_key = text(Column::TwoFactor).map(|key| key.map(Secret::new));
    let (nickname, country) = if tiktok {
        (text(Column::Nickname), text(Column::Country))
    } else {
        (None, None)
    };
    let pwd = cell(Column::Pwd).and_then(|value| match value.raw_text() {
        Ok(v) => match v.as_deref().map(|v| check_text(v, false)) {
            Some(Err(reason)) => {
                fail(Column::Pwd, reason);
                None
            }
            _ => Some(v.map(|raw| PwdCell {
                read: read_pwd(&raw),
                raw: Secret::new(raw),
            })),
        },
        Err(reason) => {
            fail(Column::Pwd, reason);
            None
        }
    });
    if let (Some(Some(key)), Some(Some(cell))) = (&totp_key, &pwd) {
        let split = cell.read.totp_key.as_ref().map(Secret::expose);
        if split.is_some_and(|split| split != canonical_key(key.expose())) {
            fail(
                Column::TwoFactor,
                "differs from the 2FA key at the end of pwd; give the key in one place".into(),
            );
        }
    }
    let device_index = match cell(Column::DeviceIndex).as_ref().map(Cell::whole) {
        None | Some(Ok(None)) => None,
        Some(Ok(Some(n))) => match u32::try_from(n) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                fail(
                    Column::DeviceIndex,
                    format!("{n} is not a device index (phones are numbered from 1)"),
                );
                None
            }
        },
        Some(Err(reason)) => {
            fail(Column::DeviceIndex, reason);
            None
        }
    };
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
    let username = match username {
        Some(username) if errors.is_empty() => username,
        Some(RowName {
            parsed: Err(reason),
            ..
        }) => {
            errors.insert(
                0,
                RowError {
                    row: number,
                    column: Some(Column::Username.name().to_string()),
                    reason,
                },
            );
            return Err(errors);
        }
        _ => return Err(errors),
    };
    Ok(ParsedRow {
        number,
        id,
        username,
        email,
        pwd,
        totp_key,
        package_name,
        device,
        device_index,
        logged_in,
        status,
        tags: tags_text.map(|t| split_tags(t.as_deref())),
        stats,
    })
}

/// The account a row creates under `username`; absent columns take their defaults.
pub(crate) fn new_account(row: ParsedRow, username: Username, platform: Platform) -> NewAccount {
    let stats = if platform == Platform::TikTok {
        row.stats.merged_into(&ProfileStats::default())
    } else {
        ProfileStats::default()
    };
    let password = row.wanted_password(None).flatten();
    let totp_key = row.wanted_key(None).flatten();
    NewAccount {
        platform,
        username: username.into(),
        email: row.email.flatten(),
        password,
        totp_key,
        device: row.device.flatten(),
        package_name: row.package_name.flatten(),
        logged_in: row.logged_in.unwrap_or(false),
        status: row.status.unwrap_or_default(),
        tags: row.tags.unwrap_or_default(),
        stats,
    }
}

/// A key as [`read_pwd`] writes it: upper case, without spaces or padding.
pub(crate) fn canonical_key(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect()
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
    if let Some(chars) = text::chars_over(value, MAX_TEXT_CHARS) {
        return Err(format!(
            "is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed"
        ));
    }
    if let Some(c) = text::find_control(value, "") {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed rows and all errors of a TikTok sheet with these columns and rows.
    fn sheet(columns: &[Column], rows: &[&[Cell]]) -> (Vec<ParsedRow>, Vec<RowError>) {
        let header = HeaderMap::with_columns(columns);
        let (mut parsed, mut errors) = (Vec::new(), Vec::new());
        for (at, cells) in rows.iter().enumerate() {
            let mut row = SheetRow::new(at as u32 + 2);
            for (column, cell) in columns.iter().zip(cells.iter()) {
                row.cells[column.index()] = cell.clone();
            }
            match parse_row(&header, Platform::TikTok, row) {
                Ok(p) => parsed.push(p),
                Err(mut e) => errors.append(&mut e),
            }
        }
        (parsed, errors)
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
        let (rows, errors) = sheet(
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
        let errors: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
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
        assert!(rows.is_empty());
    }

    #[test]
    fn sheetjs_numbers_become_text_and_missing_columns_stay_absent() {
        let cols = [
            Column::Username,
            Column::Pwd,
            Column::Tags,
            Column::Followers,
        ];
        let (rows, errors) = sheet(
            &cols,
            &[&[
                Cell::Number(998877.0),
                Cell::Number(123456.0),
                text(" a, ,b "),
                Cell::Empty,
            ]],
        );
        assert!(errors.is_empty(), "{errors:?}");
        let row = &rows[0];
        assert!(
            matches!(&row.username.parsed, Ok(u) if u.as_str() == "998877"),
            "{:?}",
            row.username
        );
        assert_eq!(
            row.wanted_password(None).flatten().unwrap().expose(),
            "123456"
        );
        assert_eq!(
            row.tags.as_deref(),
            Some(&["a".to_string(), "b".to_string()][..])
        );
        assert_eq!(row.stats.followers, Some(None));
        assert_eq!(row.email, None);
        assert_eq!(row.logged_in, None);
    }

    #[test]
    fn a_long_username_is_kept_with_its_refusal_for_the_planner() {
        let (rows, errors) = sheet(&[Column::Username], &[&[text(&"u".repeat(32_767))]]);
        assert!(errors.is_empty(), "{errors:?}");
        let reason = rows[0].username.parsed.as_ref().unwrap_err();
        assert!(reason.starts_with("is 32767 characters long"), "{reason}");
    }

    #[test]
    fn a_refused_username_is_reported_with_the_rows_other_errors() {
        let (rows, errors) = sheet(
            &[Column::Username, Column::Status],
            &[&[text("al\u{200d}ice"), text("yes")]],
        );
        assert!(rows.is_empty());
        let errors: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("row 2, column username:"),
            "{errors:?}"
        );
        assert!(errors[0].contains("U+200D"), "{errors:?}");
    }
}
