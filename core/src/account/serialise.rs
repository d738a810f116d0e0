//! How an [`Account`] serialises: without its secrets unless the caller asks.
//!
//! `Account`'s `Serialize` writes `has_password` and `has_2fa` where the
//! password and its 2FA key would be, so JSON output, API answers and logged
//! records never carry a secret by accident. [`Account::with_secrets`] is the
//! explicit way to write them as well (a backup, a copy into another store): it
//! adds `password` and `totp_key` (the authenticator key, canonical base32).
//! `Account`'s `Deserialize` reads `password` when it is there, so the
//! `with_secrets` form reads back whole; the flags are ignored on reading.

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

use super::Account;

/// An [`Account`] whose serialisation includes its password and 2FA key; made
/// by [`Account::with_secrets`]. Its `Debug` still hides them.
#[derive(Debug, Clone, Copy)]
pub struct WithSecrets<'a>(&'a Account);

impl Account {
    /// This account, serialising its password and 2FA key too. Plain
    /// serialisation of an `Account` leaves them out.
    pub fn with_secrets(&self) -> WithSecrets<'_> {
        WithSecrets(self)
    }

    /// True when a non-empty password is stored.
    pub fn has_password(&self) -> bool {
        self.password.as_ref().is_some_and(|p| !p.is_empty())
    }

    /// True when an authenticator (2FA) key is stored.
    pub fn has_2fa(&self) -> bool {
        self.totp_key.is_some()
    }
}

impl Serialize for Account {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write(self, false, serializer)
    }
}

impl Serialize for WithSecrets<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write(self.0, true, serializer)
    }
}

/// Fields written by both forms; `with_secrets` adds `password` and `totp_key`.
const FIELDS: usize = 17;

fn write<S: Serializer>(
    account: &Account,
    secrets: bool,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    // Every field named: a field added to `Account` does not compile until it
    // is placed here, and so cannot slip into the output unseen.
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
    let mut out = serializer.serialize_struct("Account", FIELDS + 2 * usize::from(secrets))?;
    out.serialize_field("id", id)?;
    out.serialize_field("platform", platform)?;
    out.serialize_field("username", username.as_str())?;
    out.serialize_field("email", email)?;
    if secrets {
        out.serialize_field("password", password)?;
        out.serialize_field("totp_key", totp_key)?;
    } else {
        out.skip_field("password")?;
        out.skip_field("totp_key")?;
    }
    out.serialize_field("has_password", &account.has_password())?;
    out.serialize_field("has_2fa", &account.has_2fa())?;
    out.serialize_field("device", device)?;
    out.serialize_field("device_index", device_index)?;
    out.serialize_field("package_name", package_name)?;
    out.serialize_field("logged_in", logged_in)?;
    out.serialize_field("status", status)?;
    out.serialize_field("tags", tags)?;
    out.serialize_field("stats", stats)?;
    out.serialize_field("last_login_at", last_login_at)?;
    out.serialize_field("last_error", last_error)?;
    out.serialize_field("created_at", created_at)?;
    out.serialize_field("updated_at", updated_at)?;
    out.end()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::{NewAccount, Platform, Timestamp};

    const PWD: &str = "hunter2";
    const KEY: &str = "JBSWY3DPEHPK3PXP";

    fn account_with(pwd: Option<&str>, key: Option<&str>) -> Account {
        let mut new = NewAccount::new(Platform::TikTok, "@Carol");
        new.password = pwd.map(Into::into);
        new.totp_key = key.map(Into::into);
        new.into_record(Timestamp::now()).unwrap()
    }

    fn account(pwd: Option<&str>) -> Account {
        account_with(pwd, pwd.map(|_| KEY))
    }

    #[test]
    fn plain_serialisation_carries_neither_password_nor_key() {
        let carol = account(Some(PWD));
        let text = serde_json::to_string(&carol).unwrap();
        assert!(!text.contains("totp_key"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("JBSWY3DPEHPK3PXP"), "{text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["has_password"], true);
        assert_eq!(value["has_2fa"], true);
        assert!(value.get("password").is_none(), "{text}");
        assert_eq!(value["username"], "Carol");
        assert_eq!(value.as_object().unwrap().len(), FIELDS);
    }

    #[test]
    fn with_secrets_carries_both_and_reads_back_whole() {
        let carol = account(Some(PWD));
        let value = serde_json::to_value(carol.with_secrets()).unwrap();
        assert_eq!(value["password"], PWD);
        assert_eq!(value["totp_key"], KEY);
        assert_eq!(value["has_2fa"], true);
        assert_eq!(value.as_object().unwrap().len(), FIELDS + 2);
        let back: Account = serde_json::from_value(value).unwrap();
        assert_eq!(back, carol);
        assert_eq!(back.password.unwrap().expose(), PWD);
        assert_eq!(back.totp_key.unwrap().expose(), KEY);
        let debug = format!("{:?}", carol.with_secrets());
        assert!(!debug.contains("hunter2") && !debug.contains("JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn the_flags_follow_the_password() {
        let flags = |a: &Account| {
            let v = serde_json::to_value(a).unwrap();
            (v["has_password"].clone(), v["has_2fa"].clone())
        };
        assert_eq!(flags(&account(None)), (json!(false), json!(false)));
        assert_eq!(
            flags(&account_with(Some(""), None)),
            (json!(false), json!(false))
        );
        assert_eq!(
            flags(&account_with(Some("pa:ss"), None)),
            (json!(true), json!(false))
        );
        assert_eq!(
            flags(&account_with(None, Some(KEY))),
            (json!(false), json!(true))
        );
        assert_eq!(flags(&account(Some(PWD))), (json!(true), json!(true)));
        let plain = serde_json::to_value(account(None).with_secrets()).unwrap();
        assert_eq!(plain["password"], Value::Null);
    }
}
