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

/// Supplies the key of an encrypted workspace, implemented by the host (from
/// the Android Keystore, the macOS Keychain, a key file...).
#[uniffi::export(callback_interface)]
pub trait KeyProvider: Send + Sync {
    /// The 32-byte key of the workspace at `path`, or none to open it
    /// without one (everything but its secrets then works). The engine wipes
    /// its copy of the bytes after use.
    fn workspace_key(&self, path: String) -> Result<Option<Vec<u8>>>;
}

/// The key `provider` gives for `path` (none: no key). Wrong sizes are a
/// `Validation` error naming the size, never the bytes.
pub(crate) fn key_from(
    provider: &dyn KeyProvider,
    path: &str,
) -> Result<Option<farmhand::secret::SecretKey>> {
    let Some(bytes) = provider.workspace_key(path.to_string())? else {
        return Ok(None);
    };
    let bytes = zeroize::Zeroizing::new(bytes);
    let raw: [u8; farmhand::secret::seal::KEY_BYTES] =
        bytes.as_slice().try_into().map_err(|_| {
            farmhand::Error::validation(
                "key",
                format!(
                    "a key is {} bytes; the KeyProvider gave {}",
                    farmhand::secret::seal::KEY_BYTES,
                    bytes.len()
                ),
            )
        })?;
    Ok(Some(farmhand::secret::SecretKey::from_bytes(raw)))
}

/// A fresh random 32-byte workspace key, for a host to keep in its key store.
#[uniffi::export]
pub fn new_workspace_key() -> Result<Vec<u8>> {
    Ok(farmhand::secret::SecretKey::generate()?
        .expose_bytes()
        .to_vec())
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
