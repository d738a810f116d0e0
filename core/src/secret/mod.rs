//! Secrets: passwords and authenticator keys, kept out of logs and errors.
//!
//! [`Secret`] holds a sensitive string; its `Debug` and `Display` print a
//! redaction, so a secret cannot leak through `{:?}`, an error message or a panic.
//! [`pwd`] holds the one rule that reads the `password:SECRET` form (with its
//! table of examples), [`credentials`] turns an account into a login, and
//! [`totp`](mod@totp) computes authenticator codes.

pub mod credentials;
pub mod pwd;
pub mod totp;

use std::fmt;

pub use credentials::{Credentials, LoginId};
pub use pwd::{join_pwd, read_pwd, PwdReading, ReadPwd};
pub use totp::{totp, TotpSecret};

/// A password or 2FA key. `Debug`/`Display` print `***`; use [`Secret::expose`] to read it.
///
/// Serde (de)serialises the plain value: serialisation is an explicit act of the
/// caller (the store, an export), never a log line.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The plain value, for the few places that must use it (typing it into a phone, storing it).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
        Secret(value)
    }
}
