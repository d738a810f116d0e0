//! Conversions between [`Account`] and rows of the PostgreSQL `accounts` table.

use postgres::Row;

use super::Failure;
use crate::account::{Account, AccountId, Platform, ProfileStats, Status, Timestamp, Username};
use crate::secret::Secret;
use crate::store::rows::join_tags;

/// An account query with its device index joined in. Append a `WHERE`.
pub(super) const SELECT: &str = "SELECT a.id, a.platform, a.username, a.username_key, \
     a.email, a.password, a.device, d.idx, a.package_name, a.logged_in, a.status, a.tags, \
     a.nickname, a.country, a.followers, a.following, a.hearts, a.videos, a.friends, \
     a.synced_at, a.last_login_at, a.last_error, a.created_at, a.updated_at, a.totp_key \
     FROM accounts a LEFT JOIN devices d ON d.serial = a.device";

/// Every column of `accounts`, `id` first, in the order of [`Columns`]'s arrays.
pub(super) const COLUMNS: &str = "id, platform, username, username_key, email, password, \
     device, package_name, logged_in, status, tags, nickname, country, followers, following, \
     hearts, videos, friends, synced_at, last_login_at, last_error, created_at, updated_at, \
     totp_key";

/// The element types of [`Columns`]'s arrays, for `unnest($1::bigint[], ...)`.
pub(super) const COLUMN_TYPES: [&str; 24] = [
    "bigint", "text", "text", "text", "text", "text", "text", "text", "boolean", "smallint",
    "text", "text", "text", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint",
    "text", "bigint", "bigint", "text",
];

/// An account from a row of [`SELECT`].
pub(super) fn read(row: &Row) -> Result<Account, Failure> {
    let text = |i: usize| row.try_get::<_, Option<String>>(i);
    let count = |i: usize| -> Result<Option<u64>, Failure> {
        row.try_get::<_, Option<i64>>(i)?
            .map(|n| u64::try_from(n).map_err(|_| Failure::Column(i, "a negative count")))
            .transpose()
    };
    let time = |i: usize| row.try_get::<_, Option<i64>>(i).map(|t| t.map(Timestamp));
    let platform = match row.try_get::<_, &str>(1)? {
        "tiktok" => Platform::TikTok,
        "instagram" => Platform::Instagram,
        _ => return Err(Failure::Column(1, "an unknown platform")),
    };
    let status = Status::from_sheet_value(row.try_get::<_, i16>(10)?.into())
        .ok_or(Failure::Column(10, "a status other than 0/1"))?;
    let device_index = row
        .try_get::<_, Option<i32>>(7)?
        .map(|i| u32::try_from(i).map_err(|_| Failure::Column(7, "a negative device index")))
        .transpose()?;
    Ok(Account {
        id: AccountId(row.try_get(0)?),
        platform,
        // Written by this store after validation, so read back as is.
        username: Username::from_stored(row.try_get(2)?, row.try_get(3)?),
        email: text(4)?,
        password: text(5)?.map(Secret::from),
        totp_key: text(24)?.map(Secret::from),
        device: text(6)?,
        device_index,
        package_name: text(8)?,
        logged_in: row.try_get(9)?,
        status,
        tags: split_tags(row.try_get(11)?),
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
        created_at: Timestamp(row.try_get(22)?),
        updated_at: Timestamp(row.try_get(23)?),
    })
}

fn split_tags(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The accounts of a group write, column by column: one array parameter per
/// column, so one statement writes any number of rows.
#[derive(Default)]
pub(super) struct Columns<'a> {
    id: Vec<i64>,
    platform: Vec<&'a str>,
    username: Vec<&'a str>,
    username_key: Vec<&'a str>,
    email: Vec<Option<&'a str>>,
    password: Vec<Option<&'a str>>,
    device: Vec<Option<&'a str>>,
    package_name: Vec<Option<&'a str>>,
    logged_in: Vec<bool>,
    status: Vec<i16>,
    tags: Vec<String>,
    nickname: Vec<Option<&'a str>>,
    country: Vec<Option<&'a str>>,
    followers: Vec<Option<i64>>,
    following: Vec<Option<i64>>,
    hearts: Vec<Option<i64>>,
    videos: Vec<Option<i64>>,
    friends: Vec<Option<i64>>,
    synced_at: Vec<Option<i64>>,
    last_login_at: Vec<Option<i64>>,
    last_error: Vec<Option<&'a str>>,
    created_at: Vec<i64>,
    updated_at: Vec<i64>,
    totp_key: Vec<Option<&'a str>>,
}

impl<'a> Columns<'a> {
    /// The columns of `accounts` (ids included). Counts were checked to fit an
    /// `i64` by validation.
    pub(super) fn of(accounts: &'a [Account]) -> Self {
        let mut c = Columns::default();
        let count = |n: Option<u64>| n.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        for a in accounts {
            c.id.push(a.id.0);
            c.platform.push(a.platform.as_str());
            c.username.push(a.username.as_str());
            c.username_key.push(a.username.key());
            c.email.push(a.email.as_deref());
            c.password.push(a.password.as_ref().map(|p| p.expose()));
            c.device.push(a.device.as_deref());
            c.package_name.push(a.package_name.as_deref());
            c.logged_in.push(a.logged_in);
            c.status.push(a.status.sheet_value().into());
            c.tags.push(join_tags(&a.tags));
            c.nickname.push(a.stats.nickname.as_deref());
            c.country.push(a.stats.country.as_deref());
            c.followers.push(count(a.stats.followers));
            c.following.push(count(a.stats.following));
            c.hearts.push(count(a.stats.hearts));
            c.videos.push(count(a.stats.videos));
            c.friends.push(count(a.stats.friends));
            c.synced_at.push(a.stats.synced_at.map(|t| t.0));
            c.last_login_at.push(a.last_login_at.map(|t| t.0));
            c.last_error.push(a.last_error.as_deref());
            c.created_at.push(a.created_at.0);
            c.updated_at.push(a.updated_at.0);
            c.totp_key.push(a.totp_key.as_ref().map(|k| k.expose()));
        }
        c
    }

    /// The arrays as statement parameters, in the order of [`COLUMNS`].
    pub(super) fn params(&self) -> [&(dyn postgres::types::ToSql + Sync); 24] {
        [
            &self.id,
            &self.platform,
            &self.username,
            &self.username_key,
            &self.email,
            &self.password,
            &self.device,
            &self.package_name,
            &self.logged_in,
            &self.status,
            &self.tags,
            &self.nickname,
            &self.country,
            &self.followers,
            &self.following,
            &self.hearts,
            &self.videos,
            &self.friends,
            &self.synced_at,
            &self.last_login_at,
            &self.last_error,
            &self.created_at,
            &self.updated_at,
            &self.totp_key,
        ]
    }
}
