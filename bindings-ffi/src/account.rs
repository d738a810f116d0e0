//! Accounts across the boundary: the secret-free [`Account`] record, what a
//! host gives to create ([`NewAccount`]) or change ([`AccountPatch`]) one, the
//! listing filter, and the [`Platform`] and [`Status`] enums.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::secret::Secret;

/// The app an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Platform {
    /// TikTok (`com.zhiliaoapp.musically`).
    Tiktok,
    /// Instagram (`com.instagram.android`).
    Instagram,
}

impl From<Platform> for farmhand::Platform {
    fn from(platform: Platform) -> Self {
        match platform {
            Platform::Tiktok => farmhand::Platform::TikTok,
            Platform::Instagram => farmhand::Platform::Instagram,
        }
    }
}

impl From<farmhand::Platform> for Platform {
    fn from(platform: farmhand::Platform) -> Self {
        match platform {
            farmhand::Platform::TikTok => Platform::Tiktok,
            farmhand::Platform::Instagram => Platform::Instagram,
        }
    }
}

/// Whether automation may touch an account (sheet `status`: 0 enabled, 1 disabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Status {
    /// Takes part in automation.
    Enabled,
    /// Never touched by any automation, scheduled job or bulk action.
    Disabled,
}

impl From<Status> for farmhand::Status {
    fn from(status: Status) -> Self {
        match status {
            Status::Enabled => farmhand::Status::Enabled,
            Status::Disabled => farmhand::Status::Disabled,
        }
    }
}

impl From<farmhand::Status> for Status {
    fn from(status: farmhand::Status) -> Self {
        match status {
            farmhand::Status::Enabled => Status::Enabled,
            farmhand::Status::Disabled => Status::Disabled,
        }
    }
}

/// Profile numbers read from the app by a profile sync (or given by a sheet).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ProfileStats {
    /// Display name (sheet column `nickname`).
    #[uniffi(default)]
    pub nickname: Option<String>,
    /// Country (sheet column `country`).
    #[uniffi(default)]
    pub country: Option<String>,
    /// Followers (sheet column `followers`).
    #[uniffi(default)]
    pub followers: Option<u64>,
    /// Accounts followed (sheet column `following`).
    #[uniffi(default)]
    pub following: Option<u64>,
    /// Likes received (sheet column `hearts`).
    #[uniffi(default)]
    pub hearts: Option<u64>,
    /// Posts / videos (sheet column `videos`).
    #[uniffi(default)]
    pub videos: Option<u64>,
    /// Friends, TikTok only (sheet column `friends`).
    #[uniffi(default)]
    pub friends: Option<u64>,
    /// When a profile sync read these numbers; none for numbers from a sheet or a host.
    #[uniffi(default)]
    pub synced_at: Option<SystemTime>,
}

impl From<farmhand::ProfileStats> for ProfileStats {
    fn from(s: farmhand::ProfileStats) -> Self {
        ProfileStats {
            nickname: s.nickname,
            country: s.country,
            followers: s.followers,
            following: s.following,
            hearts: s.hearts,
            videos: s.videos,
            friends: s.friends,
            synced_at: s.synced_at.map(system_time),
        }
    }
}

impl From<ProfileStats> for farmhand::ProfileStats {
    fn from(s: ProfileStats) -> Self {
        farmhand::ProfileStats {
            nickname: s.nickname,
            country: s.country,
            followers: s.followers,
            following: s.following,
            hearts: s.hearts,
            videos: s.videos,
            friends: s.friends,
            synced_at: s.synced_at.map(timestamp),
        }
    }
}

/// An account as stored, without its secrets: `has_password` and `has_totp`
/// say whether it has a password and an authenticator key.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Account {
    /// Store-assigned id (sheet column `id`).
    pub id: i64,
    /// The app the account belongs to.
    pub platform: Platform,
    /// The normalised username: no leading `@`, case as given.
    pub username: String,
    /// Login email.
    pub email: Option<String>,
    /// True when a password is stored.
    pub has_password: bool,
    /// True when an authenticator (2FA) key is stored with the password.
    pub has_totp: bool,
    /// Serial of the phone the account is bound to; none when unassigned.
    pub device: Option<String>,
    /// The bound phone's stable friendly number (sheet column `device_index`).
    pub device_index: Option<u32>,
    /// Clone-app package overriding the platform's default app.
    pub package_name: Option<String>,
    /// Whether the app session is logged in on its phone (sheet column `logined`).
    pub logged_in: bool,
    /// Enabled or disabled for automation.
    pub status: Status,
    /// Free labels, in order.
    pub tags: Vec<String>,
    /// Profile numbers from the last sync or sheet import.
    pub stats: ProfileStats,
    /// When a login workflow last logged the account in.
    pub last_login_at: Option<SystemTime>,
    /// Why the last workflow on the account failed; never contains a secret.
    pub last_error: Option<String>,
    /// When the account was created in this workspace.
    pub created_at: SystemTime,
    /// When the account was last changed.
    pub updated_at: SystemTime,
}

impl From<farmhand::Account> for Account {
    fn from(a: farmhand::Account) -> Self {
        Account {
            id: a.id.0,
            platform: a.platform.into(),
            has_password: a.has_password(),
            has_totp: a.has_2fa(),
            username: a.username.into(),
            email: a.email,
            device: a.device,
            device_index: a.device_index,
            package_name: a.package_name,
            logged_in: a.logged_in,
            status: a.status.into(),
            tags: a.tags,
            stats: a.stats.into(),
            last_login_at: a.last_login_at.map(system_time),
            last_error: a.last_error,
            created_at: system_time(a.created_at),
            updated_at: system_time(a.updated_at),
        }
    }
}

/// What a host gives to create an account: only `platform` and `username` are required.
///
/// No `Debug`: the password is a [`Secret`] object, which foreign code cannot print either.
#[derive(Clone, uniffi::Record)]
pub struct NewAccount {
    /// The app the account belongs to.
    pub platform: Platform,
    /// Username as typed (`@Alice`, ` alice `); the engine normalises it.
    pub username: String,
    /// Login email.
    #[uniffi(default)]
    pub email: Option<String>,
    /// Password, kept exactly as given (the `password:SECRET` form is read
    /// only from sheets and the command line; give the key in `totp_key`).
    #[uniffi(default)]
    pub password: Option<Arc<Secret>>,
    /// Authenticator (2FA) key in base32: any case, spaces allowed.
    #[uniffi(default)]
    pub totp_key: Option<Arc<Secret>>,
    /// Serial of the phone to bind to.
    #[uniffi(default)]
    pub device: Option<String>,
    /// Clone-app package.
    #[uniffi(default)]
    pub package_name: Option<String>,
    /// Whether the app session is known to be logged in.
    #[uniffi(default = false)]
    pub logged_in: bool,
    /// Enabled (the default) or disabled.
    #[uniffi(default)]
    pub status: Option<Status>,
    /// Free labels.
    #[uniffi(default)]
    pub tags: Vec<String>,
    /// Profile numbers, e.g. copied from another tool.
    #[uniffi(default)]
    pub stats: Option<ProfileStats>,
}

impl From<NewAccount> for farmhand::NewAccount {
    fn from(new: NewAccount) -> Self {
        let defaults = farmhand::NewAccount::new(new.platform.into(), new.username);
        farmhand::NewAccount {
            email: new.email,
            password: new.password.map(|p| p.engine().clone()),
            totp_key: new.totp_key.map(|k| k.engine().clone()),
            device: new.device,
            package_name: new.package_name,
            logged_in: new.logged_in,
            status: new.status.map_or(defaults.status, Into::into),
            tags: new.tags,
            stats: new.stats.map_or(defaults.stats.clone(), Into::into),
            ..defaults
        }
    }
}

/// A new value for an optional text field, or none to clear it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TextChange {
    /// Sets the field to `value`.
    Set {
        /// The new value.
        value: String,
    },
    /// Clears the field.
    Clear,
}

impl From<TextChange> for Option<String> {
    fn from(change: TextChange) -> Self {
        match change {
            TextChange::Set { value } => Some(value),
            TextChange::Clear => None,
        }
    }
}

/// A new password or 2FA key, or none to clear it. No `Debug`: it holds a secret.
#[derive(Clone, uniffi::Enum)]
pub enum PasswordChange {
    /// Sets the secret (kept exactly as given).
    Set {
        /// The new password or key.
        secret: Arc<Secret>,
    },
    /// Removes it.
    Clear,
}

impl From<PasswordChange> for Option<farmhand::Secret> {
    fn from(change: PasswordChange) -> Self {
        match change {
            PasswordChange::Set { secret } => Some(secret.engine().clone()),
            PasswordChange::Clear => None,
        }
    }
}

/// A partial update: each field left at none is unchanged. No `Debug`: it may hold a password.
#[derive(Clone, Default, uniffi::Record)]
pub struct AccountPatch {
    /// New username (normalised and checked for clashes).
    #[uniffi(default)]
    pub username: Option<String>,
    /// New email, or clear it.
    #[uniffi(default)]
    pub email: Option<TextChange>,
    /// New password, or clear it.
    #[uniffi(default)]
    pub password: Option<PasswordChange>,
    /// New authenticator (2FA) key, or clear it.
    #[uniffi(default)]
    pub totp_key: Option<PasswordChange>,
    /// Bind to another phone, or unbind.
    #[uniffi(default)]
    pub device: Option<TextChange>,
    /// New clone package, or clear it for the platform's default app.
    #[uniffi(default)]
    pub package_name: Option<TextChange>,
    /// New logged-in flag.
    #[uniffi(default)]
    pub logged_in: Option<bool>,
    /// New status.
    #[uniffi(default)]
    pub status: Option<Status>,
    /// New tag list (replaces the old one).
    #[uniffi(default)]
    pub tags: Option<Vec<String>>,
    /// New profile numbers (replace the old ones).
    #[uniffi(default)]
    pub stats: Option<ProfileStats>,
}

impl From<AccountPatch> for farmhand::AccountPatch {
    fn from(p: AccountPatch) -> Self {
        farmhand::AccountPatch {
            username: p.username,
            email: p.email.map(Into::into),
            password: p.password.map(Into::into),
            totp_key: p.totp_key.map(Into::into),
            device: p.device.map(Into::into),
            package_name: p.package_name.map(Into::into),
            logged_in: p.logged_in,
            status: p.status.map(Into::into),
            tags: p.tags,
            stats: p.stats.map(Into::into),
            ..farmhand::AccountPatch::default()
        }
    }
}

/// Which accounts a listing returns: every field left at none matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct AccountFilter {
    /// Only this platform.
    #[uniffi(default)]
    pub platform: Option<Platform>,
    /// Only this status.
    #[uniffi(default)]
    pub status: Option<Status>,
    /// Only accounts whose logged-in flag is this.
    #[uniffi(default)]
    pub logged_in: Option<bool>,
    /// Only accounts bound to this serial.
    #[uniffi(default)]
    pub device: Option<String>,
    /// Only accounts carrying this tag (exact, case-sensitive).
    #[uniffi(default)]
    pub tag: Option<String>,
    /// Case-insensitive substring of username, email or device.
    #[uniffi(default)]
    pub text: Option<String>,
}

impl From<AccountFilter> for farmhand::store::AccountFilter {
    fn from(f: AccountFilter) -> Self {
        farmhand::store::AccountFilter {
            platform: f.platform.map(Into::into),
            status: f.status.map(Into::into),
            logged_in: f.logged_in,
            device: f.device.map(Some),
            tag: f.tag,
            text: f.text,
        }
    }
}

/// A phone known to a workspace, with its stable friendly number.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeviceRecord {
    /// USB serial or `ip:port`.
    pub serial: String,
    /// Stable small number, never reused: the sheet's `device_index`.
    pub index: u32,
    /// Label given by a person.
    pub label: Option<String>,
}

impl From<farmhand::store::DeviceRecord> for DeviceRecord {
    fn from(d: farmhand::store::DeviceRecord) -> Self {
        DeviceRecord {
            serial: d.serial,
            index: d.index,
            label: d.label,
        }
    }
}

/// An engine timestamp (milliseconds since the epoch) as a host time.
fn system_time(at: farmhand::Timestamp) -> SystemTime {
    let offset = Duration::from_millis(at.0.unsigned_abs());
    if at.0 >= 0 {
        UNIX_EPOCH + offset
    } else {
        UNIX_EPOCH.checked_sub(offset).unwrap_or(UNIX_EPOCH)
    }
}

/// A host time as an engine timestamp (milliseconds since the epoch).
fn timestamp(at: SystemTime) -> farmhand::Timestamp {
    let millis = match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |m| -m),
    };
    farmhand::Timestamp(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_on_both_sides_of_the_epoch() {
        for millis in [0, 1_700_000_000_123, -86_400_000] {
            let at = farmhand::Timestamp(millis);
            assert_eq!(timestamp(system_time(at)), at);
        }
    }

    #[test]
    fn a_new_account_left_at_its_defaults_is_the_engines_default() {
        let new = NewAccount {
            platform: Platform::Instagram,
            username: "alice".into(),
            email: None,
            password: None,
            totp_key: None,
            device: None,
            package_name: None,
            logged_in: false,
            status: None,
            tags: Vec::new(),
            stats: None,
        };
        assert_eq!(
            farmhand::NewAccount::from(new),
            farmhand::NewAccount::new(farmhand::Platform::Instagram, "alice")
        );
    }

    #[test]
    fn an_empty_patch_changes_nothing_and_clear_is_not_unset() {
        assert!(farmhand::AccountPatch::from(AccountPatch::default()).is_empty());
        let patch = farmhand::AccountPatch::from(AccountPatch {
            device: Some(TextChange::Clear),
            email: Some(TextChange::Set {
                value: "a@example.com".into(),
            }),
            ..AccountPatch::default()
        });
        assert_eq!(patch.device, Some(None));
        assert_eq!(patch.email, Some(Some("a@example.com".into())));
        assert_eq!(patch.username, None);
    }
}
