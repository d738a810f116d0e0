//! The account model: who an account is, where it runs, and what is known of it.
//!
//! Field names follow the `accounts.xlsx` columns (in brackets in each doc line).
//! [`Username`] carries the identity rule: trim, drop every leading `@`, compare
//! case-insensitively; what is left holds only ASCII letters, digits, `_` and `.`.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::{Secret, TotpSecret};
use crate::text;

mod serialise;
pub use serialise::WithSecrets;

/// Longest username accepted, in characters, on both platforms. Instagram allows
/// 30; TikTok's help says 24 but newer reports say 30, so only names beyond 30 are
/// refused (the character set is what catches look-alikes; no real account may be
/// refused).
pub const MAX_USERNAME_CHARS: usize = 30;
/// Longest text a username lookup accepts, in characters: lookups also find
/// accounts stored under an older, looser rule, so they are not held to
/// [`MAX_USERNAME_CHARS`].
const MAX_LOOKUP_CHARS: usize = 256;
/// Longest free-text field accepted (email, password, nickname, last error...), in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longest device serial (USB serial or `ip:port`) accepted, in characters.
pub const MAX_SERIAL_CHARS: usize = 128;
/// Longest app package name accepted, in characters (Android's own limit).
pub const MAX_PACKAGE_CHARS: usize = 255;
/// Longest tag accepted, in characters.
pub const MAX_TAG_CHARS: usize = 64;
/// Most tags one account may carry.
pub const MAX_TAGS: usize = 64;
/// Longest device label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 128;

/// Store-assigned identifier of an account (sheet column `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub i64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp(millis)
    }

    /// Whole seconds since the epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

/// The app an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// TikTok (`com.zhiliaoapp.musically`).
    TikTok,
    /// Instagram (`com.instagram.android`).
    Instagram,
}

impl Platform {
    /// Every platform, in a stable order.
    pub const ALL: [Platform; 2] = [Platform::TikTok, Platform::Instagram];

    /// The package of the platform's official app, used unless an account names a clone.
    pub fn default_package(self) -> &'static str {
        match self {
            Platform::TikTok => "com.zhiliaoapp.musically",
            Platform::Instagram => "com.instagram.android",
        }
    }

    /// Lower-case name: `tiktok` or `instagram`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::TikTok => "tiktok",
            Platform::Instagram => "instagram",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = Error;

    /// Accepts `tiktok` / `instagram` in any case, and the short forms `tt` / `ig`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tiktok" | "tt" => Ok(Platform::TikTok),
            "instagram" | "ig" => Ok(Platform::Instagram),
            _ => Err(Error::validation(
                "platform",
                format!(
                    "'{}' is not a platform (expected tiktok or instagram)",
                    printable(s)
                ),
            )),
        }
    }
}

/// Whether an account may take part in automation (sheet column `status`): sheet `0` enabled, `1` disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Takes part in automation (sheet value 0).
    #[default]
    Enabled,
    /// Never touched by any automation, scheduled job or bulk action (sheet value 1).
    Disabled,
}

impl Status {
    /// The spreadsheet value: 0 enabled, 1 disabled.
    pub fn sheet_value(self) -> u8 {
        match self {
            Status::Enabled => 0,
            Status::Disabled => 1,
        }
    }

    /// The status for a spreadsheet value, if it is 0 or 1.
    pub fn from_sheet_value(value: i64) -> Option<Status> {
        match value {
            0 => Some(Status::Enabled),
            1 => Some(Status::Disabled),
            _ => None,
        }
    }

    /// Lower-case name: `enabled` or `disabled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "enabled",
            Status::Disabled => "disabled",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Status {
    type Err = Error;

    /// Accepts `enabled` / `disabled` in any case, and the sheet values `0` / `1`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "enabled" | "0" => Ok(Status::Enabled),
            "disabled" | "1" => Ok(Status::Disabled),
            _ => Err(Error::validation(
                "status",
                format!(
                    "'{}' is not a status (expected 0/enabled or 1/disabled)",
                    printable(s)
                ),
            )),
        }
    }
}

/// A normalised username (sheet column `username`): trimmed, every leading `@` dropped, case kept.
///
/// Two usernames are the same account when their [`Username::key`]s are equal
/// (lower case), so `@Alice`, ` alice ` and `ALICE` are one account. TikTok and
/// Instagram usernames hold only ASCII letters, digits, `_` and `.`, at most
/// [`MAX_USERNAME_CHARS`] of them, on both platforms: anything else (Cyrillic
/// `а`, zero-width joiners, direction marks, a BOM, fullwidth letters, combining
/// accents, an `@` after the start) is refused with the offending character's
/// code point, so a look-alike never becomes a second account.
///
/// Accounts stored under an older, looser rule still load as they are; they can
/// be found by [`Username::lookup_key`] and renamed to a valid name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username {
    display: String,
    key: String,
}

impl Username {
    /// Normalises and validates a username as typed by a person or read from a sheet.
    ///
    /// Errors (naming the field `username`): blank after trimming and dropping
    /// the leading `@`s, longer than [`MAX_USERNAME_CHARS`], an `@` after the
    /// start, or any character other than ASCII letters, digits, `_` and `.`
    /// (named by its code point, e.g. `U+0430`).
    pub fn parse(raw: &str) -> Result<Self> {
        let display = checked_display(raw)?;
        Ok(Username {
            key: display.to_ascii_lowercase(),
            display: display.to_string(),
        })
    }

    /// [`Username::parse`] of an owned string, reusing its buffer when it needs no trimming.
    pub(crate) fn parse_owned(raw: String) -> Result<Self> {
        let display = checked_display(&raw)?;
        let key = display.to_ascii_lowercase();
        let display = if display.len() == raw.len() {
            raw
        } else {
            display.to_string()
        };
        Ok(Username { display, key })
    }

    /// A username read back from a store, as it was written (possibly under an
    /// older rule: it is not checked again, so old accounts always load).
    pub(crate) fn from_stored(display: String, key: String) -> Self {
        Username { display, key }
    }

    /// The comparison key a lookup of `raw` uses: trimmed, every leading `@`
    /// dropped, lower case. Unlike [`Username::parse`] the characters are not
    /// checked, so accounts stored under an older rule can still be found (a
    /// name no account can hold just finds nothing). Errors: blank, or longer
    /// than 256 characters.
    pub fn lookup_key(raw: &str) -> Result<String> {
        let name = text::trim(raw).trim_start_matches('@');
        if name.is_empty() {
            return Err(Error::validation("username", "must not be blank"));
        }
        check_length("username", name, MAX_LOOKUP_CHARS)?;
        Ok(name.to_lowercase())
    }

    /// The username as it should be shown (no `@`, case as given).
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The comparison key: the lower-case form that must be unique per platform.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl PartialEq for Username {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Username {}

impl std::hash::Hash for Username {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.display)
    }
}

impl TryFrom<String> for Username {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Username::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.display
    }
}

impl FromStr for Username {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Username::parse(s)
    }
}

/// Profile numbers read from the app by a profile sync, with the time of the sync.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProfileStats {
    /// Display name (sheet column `nickname`).
    pub nickname: Option<String>,
    /// Country (sheet column `country`), where the app shows it.
    pub country: Option<String>,
    /// Followers (sheet column `followers`).
    pub followers: Option<u64>,
    /// Following (sheet column `following`).
    pub following: Option<u64>,
    /// Likes received (TikTok "Likes") (sheet column `hearts`).
    pub hearts: Option<u64>,
    /// Posts / videos (sheet column `videos`).
    pub videos: Option<u64>,
    /// Friends (TikTok) (sheet column `friends`).
    pub friends: Option<u64>,
    /// When these numbers were read; `None` for numbers that came from a sheet.
    pub synced_at: Option<Timestamp>,
}

/// An account as stored: everything the roster knows about it.
///
/// Serialising it leaves the password and 2FA key out (`has_password` and
/// `has_2fa` say whether they are set); [`Account::with_secrets`] writes them too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    /// Store-assigned id (sheet column `id`).
    pub id: AccountId,
    /// The app the account belongs to.
    pub platform: Platform,
    /// The account's username (sheet column `username`).
    pub username: Username,
    /// Login email (sheet column `email`).
    pub email: Option<String>,
    /// Password (sheet column `pwd`, before a `:SECRET` 2FA key).
    pub password: Option<Secret>,
    /// Authenticator (2FA) key, base32 in canonical form (upper case, no spaces)
    /// (sheet column `pwd`, after the `:`).
    pub totp_key: Option<Secret>,
    /// Serial of the phone the account is bound to (sheet column `device`); `None` = unassigned.
    pub device: Option<String>,
    /// The device's stable friendly number from the device registry (sheet column `device_index`).
    pub device_index: Option<u32>,
    /// Clone-app package overriding the platform's default app (sheet column `packagename`).
    pub package_name: Option<String>,
    /// Whether the app session is logged in on its phone (sheet column `logined`).
    pub logged_in: bool,
    /// Enabled or disabled for automation (sheet column `status`).
    pub status: Status,
    /// Free labels (sheet column `tags`), comma separated in the sheet.
    pub tags: Vec<String>,
    /// Profile numbers from the last sync or sheet import.
    pub stats: ProfileStats,
    /// When a login workflow last logged this account in.
    pub last_login_at: Option<Timestamp>,
    /// Why the last workflow on this account failed; never contains a secret.
    pub last_error: Option<String>,
    /// When the account was created in this workspace.
    pub created_at: Timestamp,
    /// When the account was last changed.
    pub updated_at: Timestamp,
}

impl Account {
    /// The app package to drive for this account: its clone package or the platform default.
    pub fn app_package(&self) -> &str {
        self.package_name
            .as_deref()
            .unwrap_or_else(|| self.platform.default_package())
    }

    /// True when automation may touch this account (it is enabled).
    pub fn is_enabled(&self) -> bool {
        self.status == Status::Enabled
    }
}

/// The username as shown (trimmed, every leading `@` dropped), if it is valid.
fn checked_display(raw: &str) -> Result<&str> {
    let display = text::trim(raw).trim_start_matches('@');
    if display.is_empty() {
        return Err(Error::validation("username", "must not be blank"));
    }
    check_length("username", display, MAX_USERNAME_CHARS)?;
    let bad = display
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.'));
    let Some((position, c)) = bad else {
        return Ok(display);
    };
    let reason = if c == '@' {
        format!(
            "'{}' holds '@' at character {}; only leading @s are dropped, and a \
             username cannot contain one",
            printable(display),
            position + 1
        )
    } else {
        format!(
            "'{}' contains {} at character {}; TikTok and Instagram usernames hold \
             only ASCII letters, digits, '_' and '.'",
            printable(display),
            code_point(c),
            position + 1
        )
    };
    Err(Error::validation("username", reason))
}

/// A character as `U+0430`, the way Unicode charts name it: unambiguous even
/// when the character is invisible or looks like an ASCII letter.
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// What a caller gives to create an account. Only `platform` and `username` are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    /// The app the account belongs to.
    pub platform: Platform,
    /// Username as typed; normalised by [`Username::parse`] on create.
    pub username: String,
    /// Login email.
    pub email: Option<String>,
    /// Password, verbatim (a `password:SECRET` string is not split here; see
    /// [`crate::secret::pwd`] for the edges that read that form).
    pub password: Option<Secret>,
    /// Authenticator (2FA) key in base32: any case, spaces allowed.
    pub totp_key: Option<Secret>,
    /// Serial of the phone to bind to.
    pub device: Option<String>,
    /// Clone-app package.
    pub package_name: Option<String>,
    /// Whether the app session is known to be logged in.
    pub logged_in: bool,
    /// Enabled or disabled.
    pub status: Status,
    /// Free labels.
    pub tags: Vec<String>,
    /// Profile numbers, e.g. from a sheet.
    pub stats: ProfileStats,
}

impl NewAccount {
    /// A new enabled, unbound, logged-out account with only a username.
    pub fn new(platform: Platform, username: impl Into<String>) -> Self {
        NewAccount {
            platform,
            username: username.into(),
            email: None,
            password: None,
            totp_key: None,
            device: None,
            package_name: None,
            logged_in: false,
            status: Status::Enabled,
            tags: Vec::new(),
            stats: ProfileStats::default(),
        }
    }

    /// Sets the email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the password, verbatim.
    pub fn password(mut self, password: impl Into<Secret>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Sets the authenticator (2FA) key: base32, any case, spaces allowed.
    pub fn totp_key(mut self, key: impl Into<Secret>) -> Self {
        self.totp_key = Some(key.into());
        self
    }

    /// Binds the account to a phone serial.
    pub fn device(mut self, serial: impl Into<String>) -> Self {
        self.device = Some(serial.into());
        self
    }

    /// Sets a clone-app package.
    pub fn package_name(mut self, package: impl Into<String>) -> Self {
        self.package_name = Some(package.into());
        self
    }

    /// Sets the status.
    pub fn status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }

    /// Marks the session logged in or not.
    pub fn logged_in(mut self, logged_in: bool) -> Self {
        self.logged_in = logged_in;
        self
    }

    /// Sets the tags.
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }
}

/// A partial update: each `Some` field is changed, each `None` left alone.
///
/// For optional fields the inner `Option` is the new value: `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccountPatch {
    /// New username (normalised and checked for clashes).
    pub username: Option<String>,
    /// New email, or `Some(None)` to clear.
    pub email: Option<Option<String>>,
    /// New password (verbatim), or `Some(None)` to clear.
    pub password: Option<Option<Secret>>,
    /// New authenticator (2FA) key, or `Some(None)` to clear.
    pub totp_key: Option<Option<Secret>>,
    /// New device binding, or `Some(None)` to unbind.
    pub device: Option<Option<String>>,
    /// New clone package, or `Some(None)` for the platform default.
    pub package_name: Option<Option<String>>,
    /// New logged-in flag.
    pub logged_in: Option<bool>,
    /// New status.
    pub status: Option<Status>,
    /// New tag list (replaces the old one).
    pub tags: Option<Vec<String>>,
    /// New profile numbers (replace the old ones).
    pub stats: Option<ProfileStats>,
    /// New last-login time.
    pub last_login_at: Option<Option<Timestamp>>,
    /// New last-error reason, or `Some(None)` to clear.
    pub last_error: Option<Option<String>>,
}

impl AccountPatch {
    /// True when the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == AccountPatch::default()
    }
}

impl NewAccount {
    /// Validates and normalises the fields into an account record with id 0 (the
    /// store assigns the id and the device index).
    pub(crate) fn into_record(self, now: Timestamp) -> Result<Account> {
        let stats = check_stats(self.stats)?;
        Ok(Account {
            id: AccountId(0),
            platform: self.platform,
            username: Username::parse_owned(self.username)?,
            email: check_email(self.email)?,
            password: check_password(self.password)?,
            totp_key: check_totp_key(self.totp_key)?,
            device: self.device.map(check_owned_serial).transpose()?,
            device_index: None,
            package_name: check_package(self.package_name)?,
            logged_in: self.logged_in,
            status: self.status,
            tags: check_tag_list(self.tags)?,
            stats,
            last_login_at: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        })
    }
}

impl AccountPatch {
    /// Validates the patch and applies it to `account` (nothing is changed on error).
    /// The caller checks a renamed username for clashes and re-derives the device index.
    pub(crate) fn apply_to(self, account: &mut Account, now: Timestamp) -> Result<()> {
        let mut next = account.clone();
        if let Some(username) = self.username {
            next.username = Username::parse(&username)?;
        }
        if let Some(email) = self.email {
            next.email = check_email(email)?;
        }
        if let Some(password) = self.password {
            next.password = check_password(password)?;
        }
        if let Some(key) = self.totp_key {
            next.totp_key = check_totp_key(key)?;
        }
        if let Some(device) = self.device {
            next.device = device.map(check_owned_serial).transpose()?;
        }
        if let Some(package) = self.package_name {
            next.package_name = check_package(package)?;
        }
        if let Some(logged_in) = self.logged_in {
            next.logged_in = logged_in;
        }
        if let Some(status) = self.status {
            next.status = status;
        }
        if let Some(tags) = self.tags {
            next.tags = check_tag_list(tags)?;
        }
        if let Some(stats) = self.stats {
            next.stats = check_stats(stats)?;
        }
        if let Some(at) = self.last_login_at {
            next.last_login_at = at;
        }
        if let Some(reason) = self.last_error {
            next.last_error = check_text("last_error", reason, MAX_TEXT_CHARS, "\n\t")?;
        }
        if next.device != account.device {
            next.device_index = None;
        }
        next.updated_at = now;
        *account = next;
        Ok(())
    }
}

/// Normalises a device serial: trimmed, non-blank, at most [`MAX_SERIAL_CHARS`],
/// no whitespace or control characters. Errors name the field `device`.
pub fn check_serial(raw: &str) -> Result<String> {
    check_serial_str(raw).map(str::to_string)
}

/// [`check_serial`] of an owned serial, reusing its buffer.
fn check_owned_serial(raw: String) -> Result<String> {
    check_serial_str(&raw)?;
    Ok(trimmed_string(raw))
}

/// The trimmed serial, if valid.
fn check_serial_str(raw: &str) -> Result<&str> {
    let serial = text::trim(raw);
    if serial.is_empty() {
        return Err(Error::validation("device", "serial must not be blank"));
    }
    check_length("device", serial, MAX_SERIAL_CHARS)?;
    if let Some(c) = text::find_control_or_space(serial) {
        return Err(Error::validation(
            "device",
            format!(
                "serial '{}' contains the character {c:?}, which a serial cannot hold",
                printable(serial)
            ),
        ));
    }
    Ok(serial)
}

/// Normalises a device label: trimmed (blank means none), at most
/// [`MAX_LABEL_CHARS`], no control characters. Errors name the field `label`.
pub fn check_label(label: Option<String>) -> Result<Option<String>> {
    check_text("label", label, MAX_LABEL_CHARS, "")
}

/// Normalises a tag list: each tag trimmed, blanks dropped, duplicates dropped
/// (first spelling kept). A tag may not hold a comma (the sheet's separator) or
/// control characters, nor be longer than [`MAX_TAG_CHARS`]; at most [`MAX_TAGS`] tags.
pub fn check_tags<I, S>(tags: I) -> Result<Vec<String>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    check_tag_list(tags.into_iter().map(|t| t.as_ref().to_string()).collect())
}

/// [`check_tags`] of owned tags, reusing their buffers.
fn check_tag_list(tags: Vec<String>) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let Some(tag) = check_text("tags", Some(tag), MAX_TAG_CHARS, "")? else {
            continue;
        };
        if tag.contains(',') {
            return Err(Error::validation(
                "tags",
                format!(
                    "tag '{}' contains a comma, the separator of the tags column",
                    printable(&tag)
                ),
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(Error::validation(
            "tags",
            format!("{} tags given; at most {MAX_TAGS} are allowed", out.len()),
        ));
    }
    Ok(out)
}

fn check_email(email: Option<String>) -> Result<Option<String>> {
    check_text("email", email, MAX_TEXT_CHARS, "")
}

/// A password is kept verbatim (no trimming); empty means none. It may not hold
/// control characters (they cannot be typed into a phone). Errors never show it.
fn check_password(password: Option<Secret>) -> Result<Option<Secret>> {
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    // A locked secret (read without the workspace's key) cannot be checked or moved.
    password.try_expose()?;
    if let Some(chars) = text::chars_over(password.expose(), MAX_TEXT_CHARS) {
        return Err(Error::validation(
            "password",
            format!("is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed"),
        ));
    }
    if text::find_control(password.expose(), "").is_some() {
        return Err(Error::validation(
            "password",
            "contains a control character (NUL, newline, ...), which cannot be typed into a phone",
        ));
    }
    Ok(Some(password))
}

/// A 2FA key must be one an authenticator accepts ([`TotpSecret::parse`]); it is
/// kept in canonical form (upper case, no spaces or padding) so that exports
/// write it the same way every time. Empty means none. Errors never show it.
fn check_totp_key(key: Option<Secret>) -> Result<Option<Secret>> {
    if let Some(key) = &key {
        key.try_expose()?;
    }
    let Some(key) = key.filter(|k| !text::is_blank(k.expose())) else {
        return Ok(None);
    };
    if let Some(chars) = text::chars_over(key.expose(), MAX_TEXT_CHARS) {
        return Err(Error::validation(
            "totp_key",
            format!("is {chars} characters long; at most {MAX_TEXT_CHARS} are allowed"),
        ));
    }
    TotpSecret::parse(key.expose()).map_err(|e| match e {
        Error::Validation { reason, .. } => Error::validation("totp_key", reason),
        other => other,
    })?;
    let canonical: String = key
        .expose()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Ok(Some(Secret::new(canonical)))
}

/// An Android package name: letters, digits, `_` and `.` only, so it is safe on an adb shell line.
fn check_package(package: Option<String>) -> Result<Option<String>> {
    let Some(package) = check_text("packagename", package, MAX_PACKAGE_CHARS, "")? else {
        return Ok(None);
    };
    if let Some(c) = package
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.'))
    {
        return Err(Error::validation(
            "packagename",
            format!(
                "'{}' contains {c:?}; a package name holds only letters, digits, '_' and '.'",
                printable(&package)
            ),
        ));
    }
    Ok(Some(package))
}

fn check_stats(stats: ProfileStats) -> Result<ProfileStats> {
    let counts = [
        ("followers", stats.followers),
        ("following", stats.following),
        ("hearts", stats.hearts),
        ("videos", stats.videos),
        ("friends", stats.friends),
    ];
    for (field, value) in counts {
        if value.is_some_and(|v| v > i64::MAX as u64) {
            return Err(Error::validation(
                field,
                "is larger than 9223372036854775807",
            ));
        }
    }
    Ok(ProfileStats {
        nickname: check_text("nickname", stats.nickname, MAX_TEXT_CHARS, "")?,
        country: check_text("country", stats.country, MAX_TEXT_CHARS, "")?,
        ..stats
    })
}

/// Trims a free-text value (blank means none) and checks its length and that it
/// holds no control characters other than those in `allowed`.
fn check_text(
    field: &str,
    value: Option<String>,
    max_chars: usize,
    allowed: &str,
) -> Result<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let trimmed = text::trim(&value);
    if trimmed.is_empty() {
        return Ok(None);
    }
    check_length(field, trimmed, max_chars)?;
    if let Some(c) = text::find_control(trimmed, allowed) {
        return Err(Error::validation(
            field,
            format!(
                "'{}' contains the control character {c:?}",
                printable(trimmed)
            ),
        ));
    }
    Ok(Some(trimmed_string(value)))
}

/// `value` without surrounding whitespace, reusing its buffer when there is none.
pub(crate) fn trimmed_string(value: String) -> String {
    let trimmed = text::trim(&value);
    if trimmed.len() == value.len() {
        value
    } else {
        trimmed.to_string()
    }
}

fn check_length(field: &str, value: &str, max_chars: usize) -> Result<()> {
    if let Some(chars) = text::chars_over(value, max_chars) {
        return Err(Error::validation(
            field,
            format!("is {chars} characters long; at most {max_chars} are allowed"),
        ));
    }
    Ok(())
}

/// Shortens and escapes a user-supplied value for an error message.
pub(crate) fn printable(value: &str) -> String {
    const LIMIT: usize = 40;
    let mut out: String = value
        .chars()
        .take(LIMIT)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().count() > LIMIT {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reason of a refused username, checked to name the field.
    fn refusal(raw: &str) -> String {
        let err = Username::parse(raw).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Validation, "{raw:?}");
        let text = err.to_string();
        assert!(text.contains("username"), "{raw:?}: {text}");
        text
    }

    #[test]
    fn every_leading_at_is_dropped() {
        for raw in ["alice", "@alice", "@@alice", " @@@Alice ", "\t@ALICE"] {
            let name = Username::parse(raw).unwrap();
            assert_eq!(name.key(), "alice", "{raw:?}");
            assert!(!name.as_str().starts_with('@'), "{raw:?}");
        }
        assert_eq!(Username::parse("@@Alice").unwrap().as_str(), "Alice");
    }

    #[test]
    fn an_at_after_the_start_is_refused() {
        for raw in ["al@ice", "alice@", "@al@ice", "a@example.com"] {
            let text = refusal(raw);
            assert!(text.contains("'@'"), "{raw:?}: {text}");
        }
    }

    #[test]
    fn blank_names_and_bare_ats_are_refused() {
        for raw in ["", "  ", "@", "@@@", " @ "] {
            assert!(refusal(raw).contains("blank"), "{raw:?}");
        }
    }

    #[test]
    fn real_usernames_up_to_thirty_characters_are_accepted() {
        for raw in [
            "a",
            "alice_01",
            "Alice.B",
            "_.__.",
            "0012345",
            "x.y_z.2024",
            &"a".repeat(24),
            &"a".repeat(25),
            &"b".repeat(MAX_USERNAME_CHARS),
        ] {
            assert_eq!(Username::parse(raw).unwrap().as_str(), raw);
        }
    }

    #[test]
    fn names_beyond_thirty_characters_are_refused() {
        let text = refusal(&"a".repeat(MAX_USERNAME_CHARS + 1));
        assert!(
            text.contains("31 characters") && text.contains("30"),
            "{text}"
        );
        let text = refusal(&"a".repeat(1_000_000));
        assert!(text.contains("1000000 characters"), "{text}");
        assert!(
            text.len() < 200,
            "the message echoes the name: {}",
            text.len()
        );
    }

    /// Names that look like `alice` (or another plain name) but are not: each is
    /// refused, naming the first offending character by its code point.
    #[test]
    fn look_alikes_are_refused_naming_the_code_point() {
        let corpus = [
            ("\u{430}lice", "U+0430"),    // Cyrillic small a
            ("alic\u{435}", "U+0435"),    // Cyrillic small ie
            ("al\u{200d}ice", "U+200D"),  // zero-width joiner
            ("al\u{200b}ice", "U+200B"),  // zero-width space
            ("al\u{200c}ice", "U+200C"),  // zero-width non-joiner
            ("\u{200f}alice", "U+200F"),  // right-to-left mark
            ("alice\u{202e}", "U+202E"),  // right-to-left override
            ("\u{feff}alice", "U+FEFF"),  // byte order mark
            ("\u{ff41}lice", "U+FF41"),   // fullwidth a
            ("ali\u{ff43}e", "U+FF43"),   // fullwidth c
            ("ali\u{301}ce", "U+0301"),   // combining acute accent
            ("\u{e1}lice", "U+00E1"),     // precomposed a with acute
            ("\u{391}LICE", "U+0391"),    // Greek capital alpha
            ("al\u{131}ce", "U+0131"),    // dotless i
            ("alice\u{2024}x", "U+2024"), // one dot leader, looks like '.'
            ("alice\u{ff3f}", "U+FF3F"),  // fullwidth low line
            ("al ice", "U+0020"),         // a space inside
            ("al\u{a0}ice", "U+00A0"),    // no-break space inside
            ("al-ice", "U+002D"),         // hyphen: not in the set
            ("🦊fox", "U+1F98A"),         // emoji
        ];
        for (raw, code) in corpus {
            let text = refusal(raw);
            assert!(text.contains(code), "{raw:?}: {text}");
            assert!(text.contains("ASCII letters, digits"), "{raw:?}: {text}");
        }
    }

    #[test]
    fn the_position_of_the_offending_character_is_given() {
        let text = refusal("abc\u{430}");
        assert!(text.contains("at character 4"), "{text}");
    }

    #[test]
    fn lookup_keys_fold_case_and_ats_without_checking_characters() {
        assert_eq!(Username::lookup_key(" @@Alice ").unwrap(), "alice");
        assert_eq!(Username::lookup_key("Bob_Ü").unwrap(), "bob_ü");
        for blank in ["", " ", "@@"] {
            let err = Username::lookup_key(blank).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Validation, "{blank:?}");
        }
        let err = Username::lookup_key(&"x".repeat(100_000)).unwrap_err();
        assert!(err.to_string().contains("100000"), "{err}");
    }
}
