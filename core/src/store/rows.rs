//! Conversions between [`Account`] and rows of the `accounts` table.

use rusqlite::types::{Type, ValueRef};
use rusqlite::{Row, Statement};

use crate::account::{Account, AccountId, Platform, ProfileStats, Status, Timestamp, Username};
use crate::secret::seal::{AtRest, SecretField, Stored};
use crate::secret::Secret;

/// A single-account query: the device index is joined in. Append a `WHERE`.
pub(super) const SELECT_ONE: &str = "SELECT a.id, a.platform, a.username, a.username_key, \
     a.email, a.password, a.device, d.idx, a.package_name, a.logged_in, a.status, a.tags, \
     a.nickname, a.country, a.followers, a.following, a.hearts, a.videos, a.friends, \
     a.synced_at, a.last_login_at, a.last_error, a.created_at, a.updated_at, a.totp_key \
     FROM accounts a LEFT JOIN devices d ON d.serial = a.device";

/// A many-account query without the join: listings fill the device index from
/// one read of the (small) device table, which is cheaper per row. Append a `WHERE`.
pub(super) const SELECT_MANY: &str = "SELECT a.id, a.platform, a.username, a.username_key, \
     a.email, a.password, a.device, NULL, a.package_name, a.logged_in, a.status, a.tags, \
     a.nickname, a.country, a.followers, a.following, a.hearts, a.videos, a.friends, \
     a.synced_at, a.last_login_at, a.last_error, a.created_at, a.updated_at, a.totp_key \
     FROM accounts a";

/// The columns [`bind`] fills, in order (all but `id`).
pub(super) const COLUMNS: &str = "platform, username, username_key, email, password, device, \
     package_name, logged_in, status, tags, nickname, country, followers, following, hearts, \
     videos, friends, synced_at, last_login_at, last_error, created_at, updated_at, totp_key";

/// Number of entries in [`COLUMNS`].
pub(super) const COLUMN_COUNT: usize = 23;

/// An account from a row of [`SELECT_ONE`] or [`SELECT_MANY`], its secrets
/// read as `at_rest` says. A secret that does not open comes back as a
/// [`rusqlite::Error::FromSqlConversionFailure`] holding the engine's error, which
/// the store's error mapping unwraps.
pub(super) fn read(row: &Row<'_>, at_rest: &AtRest) -> rusqlite::Result<Account> {
    let id = AccountId(row.get(0)?);
    let secret = |i: usize, field: SecretField| -> rusqlite::Result<Option<Secret>> {
        let stored = match row.get_ref(i)? {
            ValueRef::Null => return Ok(None),
            ValueRef::Text(text) => Stored::Text(
                std::str::from_utf8(text)
                    .map_err(|_| conversion(i, "a secret that is not UTF-8"))?,
            ),
            ValueRef::Blob(sealed) => Stored::Sealed(sealed.into()),
            _ => return Err(conversion(i, "a secret that is neither text nor sealed")),
        };
        at_rest
            .load(id, field, stored)
            .map(Some)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Blob, Box::new(e)))
    };
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
        id,
        platform,
        // Written by this store after validation, so read back as is.
        username: Username::from_stored(row.get(2)?, row.get(3)?),
        email: text(4)?,
        password: secret(5, SecretField::Password)?,
        totp_key: secret(24, SecretField::TotpKey)?,
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

/// Binds `a`'s values for [`COLUMNS`] to parameters `1..=COLUMN_COUNT` of
/// `stmt`, straight from the account (no copies of plain values), its secrets
/// stored as `at_rest` says (sealed for `a.id`, which must be its final id).
/// Counts were checked to fit an `i64` by validation.
pub(super) fn bind(stmt: &mut Statement<'_>, a: &Account, at_rest: &AtRest) -> crate::Result<()> {
    bind_at(stmt, 0, a, at_rest)
}

/// Binds like [`bind`] to parameters `at + 1..=at + COLUMN_COUNT` (one row of
/// a multi-row statement).
pub(super) fn bind_at(
    stmt: &mut Statement<'_>,
    at: usize,
    a: &Account,
    at_rest: &AtRest,
) -> crate::Result<()> {
    fn stored<'a>(
        at_rest: &AtRest,
        id: AccountId,
        field: SecretField,
        value: Option<&'a Secret>,
    ) -> crate::Result<Option<Stored<'a>>> {
        value
            .map(|secret| at_rest.store(id, field, secret))
            .transpose()
    }
    let password = stored(at_rest, a.id, SecretField::Password, a.password.as_ref())?;
    let totp_key = stored(at_rest, a.id, SecretField::TotpKey, a.totp_key.as_ref())?;
    bind_plain(stmt, at, a)
        .and_then(|()| bind_secret(stmt, at + 5, password.as_ref()))
        .and_then(|()| bind_secret(stmt, at + 23, totp_key.as_ref()))
        .map_err(super::sqlite::storage)
}

fn bind_secret(
    stmt: &mut Statement<'_>,
    at: usize,
    value: Option<&Stored<'_>>,
) -> rusqlite::Result<()> {
    match value {
        None => stmt.raw_bind_parameter(at, rusqlite::types::Null),
        Some(Stored::Text(text)) => stmt.raw_bind_parameter(at, *text),
        Some(Stored::Sealed(sealed)) => stmt.raw_bind_parameter(at, sealed.as_ref()),
    }
}

/// Binds every column but the two secrets.
fn bind_plain(stmt: &mut Statement<'_>, at: usize, a: &Account) -> rusqlite::Result<()> {
    let count = |n: Option<u64>| n.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let time = |t: Option<Timestamp>| t.map(|t| t.0);
    stmt.raw_bind_parameter(at + 1, a.platform.as_str())?;
    stmt.raw_bind_parameter(at + 2, a.username.as_str())?;
    stmt.raw_bind_parameter(at + 3, a.username.key())?;
    stmt.raw_bind_parameter(at + 4, a.email.as_deref())?;
    stmt.raw_bind_parameter(at + 6, a.device.as_deref())?;
    stmt.raw_bind_parameter(at + 7, a.package_name.as_deref())?;
    stmt.raw_bind_parameter(at + 8, i64::from(a.logged_in))?;
    stmt.raw_bind_parameter(at + 9, i64::from(a.status.sheet_value()))?;
    stmt.raw_bind_parameter(at + 10, join_tags(&a.tags))?;
    stmt.raw_bind_parameter(at + 11, a.stats.nickname.as_deref())?;
    stmt.raw_bind_parameter(at + 12, a.stats.country.as_deref())?;
    stmt.raw_bind_parameter(at + 13, count(a.stats.followers))?;
    stmt.raw_bind_parameter(at + 14, count(a.stats.following))?;
    stmt.raw_bind_parameter(at + 15, count(a.stats.hearts))?;
    stmt.raw_bind_parameter(at + 16, count(a.stats.videos))?;
    stmt.raw_bind_parameter(at + 17, count(a.stats.friends))?;
    stmt.raw_bind_parameter(at + 18, time(a.stats.synced_at))?;
    stmt.raw_bind_parameter(at + 19, time(a.last_login_at))?;
    stmt.raw_bind_parameter(at + 20, a.last_error.as_deref())?;
    stmt.raw_bind_parameter(at + 21, a.created_at.0)?;
    stmt.raw_bind_parameter(at + 22, a.updated_at.0)
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
