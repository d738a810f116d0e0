//! What a login workflow types: login id, password and optional 2FA key.
//!
//! The password and the 2FA key are separate fields of the account; nothing is
//! split here (the `password:SECRET` form is read only at the edges, see
//! [`super::pwd`]), so a password with colons is typed exactly as stored.

use serde::{Deserialize, Serialize};

use super::totp::TotpSecret;
use super::Secret;
use crate::account::Account;
use crate::error::Result;

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

impl Account {
    /// The login for this account: email + password when both exist, else
    /// username + password; `None` when it has no password. A
    /// [`crate::ErrorKind::Key`] error when its secrets are locked (an
    /// encrypted workspace opened without its key).
    pub fn credentials(&self) -> Result<Option<Credentials>> {
        let Some(pwd) = self.password.as_ref().filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        pwd.try_expose()?;
        // Keys are validated before they are stored, so they parse.
        let totp = match &self.totp_key {
            Some(key) => TotpSecret::parse(key.try_expose()?).ok(),
            None => None,
        };
        let login = match self.email.as_deref().map(str::trim) {
            Some(email) if !email.is_empty() => LoginId::Email(email.to_string()),
            _ => LoginId::Username(self.username.as_str().to_string()),
        };
        Ok(Some(Credentials {
            login,
            password: pwd.clone(),
            totp,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewAccount, Platform, Timestamp};

    fn account(email: Option<&str>, pwd: Option<&str>, key: Option<&str>) -> Account {
        let mut new = NewAccount::new(Platform::TikTok, "@Alice");
        new.email = email.map(str::to_string);
        new.password = pwd.map(Secret::from);
        new.totp_key = key.map(Secret::from);
        new.into_record(Timestamp(0)).unwrap()
    }

    #[test]
    fn the_password_is_typed_as_stored_even_with_colons() {
        for pwd in [
            "admin:verysecretpassword",
            "pa:ss:JBSWY3DPEHPK3PXP",
            "time:12:30",
        ] {
            let creds = account(None, Some(pwd), None)
                .credentials()
                .unwrap()
                .unwrap();
            assert_eq!(creds.password.expose(), pwd);
            assert!(creds.totp.is_none(), "{pwd}");
        }
    }

    #[test]
    fn the_key_comes_from_its_own_field_in_any_form() {
        for key in ["JBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp"] {
            let creds = account(None, Some("pw"), Some(key))
                .credentials()
                .unwrap()
                .unwrap();
            assert_eq!(creds.password.expose(), "pw");
            assert_eq!(creds.totp.unwrap().code_at(1_700_000_000), "324550");
        }
    }

    #[test]
    fn email_login_when_the_account_has_an_email() {
        let creds = account(Some("a@example.com"), Some("pw"), Some("JBSWY3DPEHPK3PXP"))
            .credentials()
            .unwrap()
            .unwrap();
        assert_eq!(creds.login, LoginId::Email("a@example.com".into()));
        assert_eq!(creds.password.expose(), "pw");
        assert!(creds.totp.is_some());
    }

    #[test]
    fn username_login_without_an_email() {
        let creds = account(None, Some("pw"), None)
            .credentials()
            .unwrap()
            .unwrap();
        assert_eq!(creds.login, LoginId::Username("Alice".into()));
        assert_eq!(creds.login.as_str(), "Alice");
        assert!(creds.totp.is_none());
    }

    #[test]
    fn no_credentials_without_a_password() {
        assert!(account(Some("a@example.com"), None, None)
            .credentials()
            .unwrap()
            .is_none());
    }

    #[test]
    fn debug_of_credentials_hides_password_and_key() {
        let creds = account(None, Some("hunter2"), Some("JBSWY3DPEHPK3PXP"))
            .credentials()
            .unwrap()
            .unwrap();
        let shown = format!("{creds:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
    }
}
