//! Secrets: passwords and authenticator keys, kept out of logs and errors.
//!
//! [`Secret`] holds a sensitive string; its `Debug` and `Display` print a
//! redaction, so a secret cannot leak through `{:?}`, an error message or a panic.
//! [`pwd`] holds the one rule that reads the `password:SECRET` form (with its
//! table of examples), [`credentials`] turns an account into a login, and
//! [`totp`](mod@totp) computes authenticator codes, and [`seal`] encrypts
//! the secrets a workspace keeps at rest.

pub mod credentials;
pub mod pwd;
pub mod seal;
pub mod totp;

use std::fmt;

pub use credentials::{Credentials, LoginId};
pub use pwd::{join_pwd, read_pwd, PwdReading, ReadPwd};
pub use seal::{SecretKey, Vault};
pub use totp::{totp, TotpSecret};

use crate::error::Result;
use seal::LockedSecret;

/// A password or 2FA key. `Debug`/`Display` print `***`; use [`Secret::expose`] to read it.
///
/// An account read from an encrypted workspace opened without its key holds
/// *locked* secrets ([`Secret::is_locked`]): the account can be listed, edited
/// and written back, but the value cannot be had ([`Secret::try_expose`] is
/// then a [`crate::ErrorKind::Key`] error).
///
/// Serde (de)serialises the plain value: serialisation is an explicit act of the
/// caller (the store, an export), never a log line. Serialising a locked secret fails.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Value);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Value {
    Plain(String),
    Locked(LockedSecret),
}

impl Secret {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Value::Plain(value.into()))
    }

    pub(crate) fn locked(locked: LockedSecret) -> Self {
        Secret(Value::Locked(locked))
    }

    /// The sealed value behind a locked secret.
    pub(crate) fn as_locked(&self) -> Option<&LockedSecret> {
        match &self.0 {
            Value::Plain(_) => None,
            Value::Locked(locked) => Some(locked),
        }
    }

    /// The plain value, for the few places that must use it (typing it into a phone, storing it).
    ///
    /// # Panics
    ///
    /// On a locked secret (see [`Secret::is_locked`]); code that may meet one
    /// uses [`Secret::try_expose`]. The panic message holds no secret.
    pub fn expose(&self) -> &str {
        match &self.0 {
            Value::Plain(value) => value,
            Value::Locked(locked) => panic!("{}", locked.needs_key()),
        }
    }

    /// The plain value, or a [`crate::ErrorKind::Key`] error for a locked secret.
    pub fn try_expose(&self) -> Result<&str> {
        match &self.0 {
            Value::Plain(value) => Ok(value),
            Value::Locked(locked) => Err(locked.needs_key()),
        }
    }

    /// True for a secret of an encrypted workspace opened without its key.
    pub fn is_locked(&self) -> bool {
        matches!(self.0, Value::Locked(_))
    }

    /// True when the secret is the empty string (a locked one never is: empty
    /// secrets are not stored).
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Value::Plain(value) if value.is_empty())
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = self.try_expose().map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(value)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}
