//! What a login workflow types: login id, password and optional 2FA key.
//!
//! The 2FA rule (DESIGN.md): a `pwd` of `password:SECRET` is split at the last
//! colon, and the tail is an authenticator key only if, with spaces removed and
//! upper-cased, it is valid base32 of at least 16 characters (see
//! [`TotpSecret::parse`]). Otherwise the whole string is the password: a tail
//! that is too short or not base32 (`hunter2:abc`, `pa:ss:word1`) stays part of
//! the password, so a password that merely contains a colon is never mangled.

use serde::{Deserialize, Serialize};

use super::totp::TotpSecret;
use super::Secret;
use crate::account::Account;

/// Who to log in as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginId {
    /// Log in with the account's email.
    Email(String),
    /// Log in with the account's username.
    Username(String),
}

impl LoginId {
    /// The text to type into the login field.
    pub fn as_str(&self) -> &str {
        match self {
            LoginId::Email(s) | LoginId::Username(s) => s,
        }
    }
}

/// A complete login: id, password and 2FA key if the account has one. `Debug` redacts secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Email when the account has one, else its username.
    pub login: LoginId,
    /// The password without any 2FA suffix.
    pub password: Secret,
    /// The authenticator key split off the password, if any.
    pub totp: Option<TotpSecret>,
}

/// Splits a stored `pwd` into the password and its 2FA key by the rule above.
pub fn split_password(pwd: &str) -> (Secret, Option<TotpSecret>) {
    if let Some((password, tail)) = pwd.rsplit_once(':') {
        if let Ok(key) = TotpSecret::parse(tail) {
            return (Secret::new(password), Some(key));
        }
    }
    (Secret::new(pwd), None)
}

impl Account {
    /// True when the account has a (non-empty) password to log in with.
    pub fn has_password(&self) -> bool {
        self.password.as_ref().is_some_and(|p| !p.is_empty())
    }

    /// True when the account's password carries an authenticator (2FA) key,
    /// by the split rule above.
    pub fn has_totp(&self) -> bool {
        self.credentials().is_some_and(|c| c.totp.is_some())
    }

    /// The login for this account: email + password when both exist, else
    /// username + password; `None` when it has no password.
    pub fn credentials(&self) -> Option<Credentials> {
        let pwd = self.password.as_ref().filter(|p| !p.is_empty())?;
        let (password, totp) = split_password(pwd.expose());
        let login = match self.email.as_deref().map(str::trim) {
            Some(email) if !email.is_empty() => LoginId::Email(email.to_string()),
            _ => LoginId::Username(self.username.as_str().to_string()),
        };
        Some(Credentials {
            login,
            password,
            totp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewAccount, Platform, Timestamp};

    fn account(email: Option<&str>, pwd: Option<&str>) -> Account {
        let mut new = NewAccount::new(Platform::TikTok, "@Alice");
        new.email = email.map(str::to_string);
        new.password = pwd.map(Secret::from);
        new.into_record(Timestamp(0)).unwrap()
    }

    #[test]
    fn splits_at_the_last_colon_when_the_tail_is_a_key() {
        let (password, key) = split_password("pa:ss:JBSWY3DPEHPK3PXP");
        assert_eq!(password.expose(), "pa:ss");
        assert_eq!(key.unwrap().code_at(1_700_000_000), "324550");
    }

    #[test]
    fn lenient_key_forms_are_split_too() {
        let (password, key) = split_password("hunter2:jbsw y3dp ehpk 3pxp");
        assert_eq!(password.expose(), "hunter2");
        assert_eq!(key.unwrap().code_at(1_700_000_000), "324550");
    }

    #[test]
    fn a_tail_that_is_not_a_key_stays_in_the_password() {
        for pwd in [
            "hunter2",
            "hunter2:abc",
            "hunter2:JBSWY3DPEHPK3PX",
            "hunter2:JBSWY3DPEHPK3PX1",
            "JBSWY3DPEHPK3PXP:",
            "time:12:30",
        ] {
            let (password, key) = split_password(pwd);
            assert_eq!(password.expose(), pwd);
            assert!(key.is_none(), "{pwd}");
        }
    }

    #[test]
    fn email_login_when_the_account_has_an_email() {
        let creds = account(Some("a@example.com"), Some("pw:JBSWY3DPEHPK3PXP"))
            .credentials()
            .unwrap();
        assert_eq!(creds.login, LoginId::Email("a@example.com".into()));
        assert_eq!(creds.password.expose(), "pw");
        assert!(creds.totp.is_some());
    }

    #[test]
    fn username_login_without_an_email() {
        let creds = account(None, Some("pw")).credentials().unwrap();
        assert_eq!(creds.login, LoginId::Username("Alice".into()));
        assert_eq!(creds.login.as_str(), "Alice");
        assert!(creds.totp.is_none());
    }

    #[test]
    fn no_credentials_without_a_password() {
        assert!(account(Some("a@example.com"), None).credentials().is_none());
    }

    #[test]
    fn has_password_and_has_totp_follow_the_split_rule() {
        let flags = |pwd: Option<&str>| {
            let a = account(None, pwd);
            (a.has_password(), a.has_totp())
        };
        assert_eq!(flags(None), (false, false));
        assert_eq!(flags(Some("hunter2")), (true, false));
        assert_eq!(flags(Some("hunter2:abc")), (true, false));
        assert_eq!(flags(Some("hunter2:JBSWY3DPEHPK3PXP")), (true, true));
    }

    #[test]
    fn debug_of_credentials_hides_password_and_key() {
        let creds = account(None, Some("hunter2:JBSWY3DPEHPK3PXP"))
            .credentials()
            .unwrap();
        let shown = format!("{creds:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
    }
}
