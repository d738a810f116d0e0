//! Conversions between [`Account`] and rows of the `accounts` table.

use rusqlite::types::{Type, Value};
use rusqlite::Row;

use crate::account::{Account, AccountId, Platform, ProfileStats, Status, Timestamp, Username};
use crate::secret::Secret;

/// A single-account query: the device index is joined in. Append a `WHERE`.
pub(super) const SELECT_ONE: &str = "SELECT a.id, a.platform, a.username, a.username_key, \
     a.email, a.password, a.device, d.idx, a.package_name, a.logged_in, a.status, a.tags, \
     a.nickname, a.country, a.followers, a.following, a.hearts, a.videos, a.friends, \
     a.synced_at, a.last_login_at, a.last_error, a.created_at, a.updated_at \
     FROM accounts a LEFT JOIN devices d ON d.serial = a.device";

/// A many-account query without the join: listings fill the device index from
/// one read of the (small) device table, which is cheaper per row. Append a `WHERE`.
pub(super) const SELECT_MANY: &str = "SELECT a.id, a.platform, a.username, a.username_key, \
     a.email, a.password, a.device, NULL, a.package_name, a.logged_in, a.status, a.tags, \
     a.nickname, a.country, a.followers, a.following, a.hearts, a.videos, a.friends, \
     a.synced_at, a.last_login_at, a.last_error, a.created_at, a.updated_at \
     FROM accounts a";

/// The columns [`values`] fills, in order (all but `id`).
pub(super) const COLUMNS: &str = "platform, username, username_key, email, password, device, \
     package_name, logged_in, status, tags, nickname, country, followers, following, hearts, \
     videos, friends, synced_at, last_login_at, last_error, created_at, updated_at";

/// Number of entries in [`COLUMNS`].
pub(super) const COLUMN_COUNT: usize = 22;

/// An account from a row of [`SELECT_ONE`] or [`SELECT_MANY`].
pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<Account> {
    let text = |i: usize| row.get::<_, Option<String>>(i);
    let count = |i: usize| -> rusqlite::Result<Option<u64>> {
        row.get::<_, Option<i64>>(i)?
            .map(|n| u64::try_from(n).map_err(|_| conversion(i, "a negative count")))
            .transpose()
    };
    let time = |i: usize| row.get::<_, Option<i64>>(i).map(|t| t.map(Timestamp));
    let platform = match row.get_ref(1)?.as_str()? {
        "tiktok" => Platform::TikTok,
        "instagram" => Platform::Instagram,
        _ => return Err(conversion(1, "an unknown platform")),
    };
    let status = Status::from_sheet_value(row.get(10)?)
        .ok_or_else(|| conversion(10, "a status other than 0/1"))?;
    Ok(Account {
        id: AccountId(row.get(0)?),
        platform,
        // Written by this store after validation, so read back as is.
        username: Username::from_stored(row.get(2)?, row.get(3)?),
        email: text(4)?,
        password: text(5)?.map(Secret::from),
        device: text(6)?,
        device_index: row.get(7)?,
        package_name: text(8)?,
        logged_in: row.get(9)?,
        status,
        tags: split_tags(row.get_ref(11)?.as_str()?),
        stats: ProfileStats {
            nickname: text(12)?,
            country: text(13)?,
            followers: count(14)?,
            following: count(15)?,
            hearts: count(16)?,
            videos: count(17)?,
            friends: count(18)?,
            synced_at: time(19)?,
        },
        last_login_at: time(20)?,
        last_error: text(21)?,
        created_at: Timestamp(row.get(22)?),
        updated_at: Timestamp(row.get(23)?),
    })
}

/// The values for [`COLUMNS`]. Counts were checked to fit an `i64` by validation.
pub(super) fn values(a: &Account) -> [Value; COLUMN_COUNT] {
    let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
    let int = |n: Option<i64>| n.map_or(Value::Null, Value::Integer);
    let count = |n: Option<u64>| int(n.map(|n| i64::try_from(n).unwrap_or(i64::MAX)));
    [
        Value::Text(a.platform.as_str().to_string()),
        Value::Text(a.username.as_str().to_string()),
        Value::Text(a.username.key().to_string()),
        text(&a.email),
        text(&a.password.as_ref().map(|p| p.expose().to_string())),
        text(&a.device),
        text(&a.package_name),
        Value::Integer(i64::from(a.logged_in)),
        Value::Integer(i64::from(a.status.sheet_value())),
        Value::Text(join_tags(&a.tags)),
        text(&a.stats.nickname),
        text(&a.stats.country),
        count(a.stats.followers),
        count(a.stats.following),
        count(a.stats.hearts),
        count(a.stats.videos),
        count(a.stats.friends),
        int(a.stats.synced_at.map(|t| t.0)),
        int(a.last_login_at.map(|t| t.0)),
        text(&a.last_error),
        Value::Integer(a.created_at.0),
        Value::Integer(a.updated_at.0),
    ]
}

/// `,a,b,` so that a tag filter is `instr(tags, ',a,')`; validation keeps commas out of tags.
pub(super) fn join_tags(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(",{},", tags.join(","))
    }
}

fn split_tags(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A conversion error that names the column and what was wrong, never the value.
fn conversion(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        Type::Text,
        format!("column {column} holds {what}").into(),
    )
}
