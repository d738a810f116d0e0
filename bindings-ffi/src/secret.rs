//! [`Secret`]: a password handed to the engine as an opaque object, so no
//! record a host prints (or logs) ever shows it; and [`totp_code`].

use crate::error::Result;

/// A password (optionally `password:SECRET` with a 2FA key), opaque to hosts:
/// it has no getter, and its `Debug` and foreign string forms show no value.
#[derive(Debug, uniffi::Object)]
pub struct Secret(farmhand::Secret);

#[uniffi::export]
impl Secret {
    /// Wraps a password given by the host.
    #[uniffi::constructor]
    pub fn new(value: String) -> Self {
        Secret(farmhand::Secret::new(value))
    }
}

impl Secret {
    /// The engine's secret.
    pub(crate) fn engine(&self) -> &farmhand::Secret {
        &self.0
    }
}

/// The 6-digit authenticator code (RFC 6238: SHA-1, 30 s) of the base32 key
/// `secret` at `unix_time` seconds. A malformed key is a `Validation` error
/// that never echoes the key.
#[uniffi::export]
pub fn totp_code(secret: String, unix_time: u64) -> Result<String> {
    Ok(farmhand::secret::totp(&secret, unix_time)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FarmhandError;

    #[test]
    fn debug_of_a_secret_hides_its_value() {
        let shown = format!("{:?}", Secret::new("hunter2".into()));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn a_bad_key_is_a_validation_error_without_the_key() {
        let err = totp_code("NOT-BASE32-KEY!!".into(), 59).unwrap_err();
        assert!(
            matches!(&err, FarmhandError::Validation { field, .. } if field == "totp secret"),
            "{err:?}"
        );
        assert!(!format!("{err:?}").contains("NOT-BASE32"), "{err:?}");
    }
}
