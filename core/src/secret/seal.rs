//! Secrets at rest: the account secrets a store writes, sealed with a key the host supplies.
//!
//! A workspace may keep each account's password and 2FA key encrypted with
//! XChaCha20-Poly1305 under a 256-bit [`SecretKey`]. Each value gets a fresh
//! random 192-bit nonce, and its associated data names the account id and the
//! field, so a sealed value copied to another row or field fails to open. The
//! workspace also keeps a *canary*, a known value sealed with the key, so that
//! a wrong key is refused when the workspace is opened rather than at the
//! first secret read. Emails, usernames and everything else stay plain and
//! searchable.
//!
//! A sealed value is `version (1 byte) ‖ nonce (24) ‖ ciphertext ‖ tag (16)`.
//! Stores persist it opaquely (as a blob); [`AtRest`] is what they call to turn
//! an account's [`Secret`]s into what they write and back.

use std::fmt;
use std::sync::{Arc, Mutex};

use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::Secret;
use crate::account::AccountId;
use crate::error::{Error, Result};

/// Bytes in a [`SecretKey`].
pub const KEY_BYTES: usize = 32;

/// First byte of every sealed value: the format above.
const FORMAT: u8 = 1;

/// Bytes of an XChaCha20 nonce.
const NONCE_BYTES: usize = 24;

/// Bytes of a Poly1305 tag.
const TAG_BYTES: usize = 16;

/// The plain value of the canary.
const CANARY: &[u8] = b"farmhand workspace key check";

/// A 256-bit key that seals a workspace's secrets. The bytes are wiped from
/// memory when it is dropped; `Debug` prints no part of it.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; KEY_BYTES]>);

impl SecretKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<SecretKey> {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        random(bytes.as_mut())?;
        Ok(SecretKey(bytes))
    }

    /// A key from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> SecretKey {
        SecretKey(Zeroizing::new(bytes))
    }

    /// Reads a key written by [`SecretKey::to_text`]: 64 hexadecimal digits,
    /// any case, surrounding whitespace ignored. The error never quotes the text.
    pub fn from_text(text: &str) -> Result<SecretKey> {
        let digits = text.trim().as_bytes();
        let invalid = |reason: &str| Error::validation("key", reason);
        if digits.len() != KEY_BYTES * 2 {
            return Err(invalid(&format!(
                "a key is {} hexadecimal digits; this holds {} characters",
                KEY_BYTES * 2,
                text.trim().chars().count()
            )));
        }
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks(2)) {
            let nibble = |c: u8| (c as char).to_digit(16);
            match (nibble(pair[0]), nibble(pair[1])) {
                (Some(high), Some(low)) => *byte = (high * 16 + low) as u8,
                _ => return Err(invalid("a key holds only hexadecimal digits (0-9, a-f)")),
            }
        }
        Ok(SecretKey(bytes))
    }

    /// The raw bytes, for a host that keeps keys in a key store of its own.
    pub fn expose_bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// The key as 64 lower-case hexadecimal digits (what a key file holds).
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(KEY_BYTES * 2));
        for byte in self.0.iter() {
            text.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            text.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
        }
        text
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Which secret of an account a sealed value holds; part of its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretField {
    /// The password.
    Password,
    /// The authenticator (2FA) key.
    TotpKey,
}

impl SecretField {
    /// The field's name, as errors and the associated data spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretField::Password => "password",
            SecretField::TotpKey => "totp_key",
        }
    }
}

/// Nonces drawn from the operating system per system call (a 100k-account
/// import seals 150k values; one call each was a large part of its cost).
const NONCE_BLOCK: usize = 128;

/// Random nonces read from the OS in blocks. Each is handed out once and
/// wiped from the block. A forked child (another process id) refills before
/// its first nonce, so parent and child never share one.
struct NoncePool {
    pid: u32,
    block: [u8; NONCE_BYTES * NONCE_BLOCK],
    next: usize,
}

impl NoncePool {
    fn take(&mut self) -> Result<[u8; NONCE_BYTES]> {
        let pid = std::process::id();
        if self.next == NONCE_BLOCK || self.pid != pid {
            random(&mut self.block)?;
            self.next = 0;
            self.pid = pid;
        }
        let slot = &mut self.block[self.next * NONCE_BYTES..(self.next + 1) * NONCE_BYTES];
        let mut nonce = [0u8; NONCE_BYTES];
        nonce.copy_from_slice(slot);
        slot.fill(0);
        self.next += 1;
        Ok(nonce)
    }
}

/// Seals and opens secrets with one [`SecretKey`]. Cheap to share (`Arc`).
pub struct Vault {
    cipher: XChaCha20Poly1305,
    nonces: Mutex<NoncePool>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault(***)")
    }
}

impl Vault {
    /// A vault sealing with `key` (the cipher keeps its own copy, wiped on drop).
    pub fn new(key: &SecretKey) -> Vault {
        Vault {
            cipher: key.cipher(),
            nonces: Mutex::new(NoncePool {
                pid: 0,
                block: [0; NONCE_BYTES * NONCE_BLOCK],
                next: NONCE_BLOCK,
            }),
        }
    }

    /// Seals `plain` as the `field` of account `id`.
    pub fn seal(&self, id: AccountId, field: SecretField, plain: &str) -> Result<Vec<u8>> {
        self.seal_bytes(&associated(id, field), plain.as_bytes())
    }

    /// Opens what [`Vault::seal`] sealed for the same account and field. A
    /// value sealed with another key, for another account or field, or altered
    /// in any way is a [`Error::Key`] naming the account and field.
    pub fn open(&self, id: AccountId, field: SecretField, sealed: &[u8]) -> Result<Secret> {
        let plain = self
            .open_bytes(&associated(id, field), sealed)
            .ok_or_else(|| {
                Error::key(format!(
                    "the {} of account {id} does not open with this key \
                 (a wrong key, or the stored value was altered or moved from another account)",
                    field.as_str()
                ))
            })?;
        String::from_utf8(plain.to_vec())
            .map(Secret::new)
            .map_err(|_| {
                Error::storage(format!(
                    "the {} of account {id} is not text",
                    field.as_str()
                ))
            })
    }

    /// The canary to store with a workspace sealed by this vault.
    pub fn canary(&self) -> Result<Vec<u8>> {
        self.seal_bytes(b"farmhand canary", CANARY)
    }

    /// Checks a workspace's canary: `Err(Key)` when this vault's key is not the
    /// workspace's.
    pub fn check_canary(&self, canary: &[u8]) -> Result<()> {
        match self.open_bytes(b"farmhand canary", canary) {
            Some(plain) if plain.as_slice() == CANARY => Ok(()),
            _ => Err(Error::key(
                "wrong key: it is not the key this workspace was encrypted with",
            )),
        }
    }

    fn seal_bytes(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
        let nonce = self
            .nonces
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()?;
        let mut out = Vec::with_capacity(1 + NONCE_BYTES + plain.len() + TAG_BYTES);
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        let tag = self
            .cipher
            .encrypt_in_place_detached(XNonce::from_slice(&nonce), aad, &mut out[1 + NONCE_BYTES..])
            .map_err(|_| Error::key("a secret could not be encrypted"))?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    fn open_bytes(&self, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (&format, rest) = sealed.split_first()?;
        if format != FORMAT || rest.len() < NONCE_BYTES + TAG_BYTES {
            return None;
        }
        let (nonce, msg) = rest.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg, aad })
            .ok()
            .map(Zeroizing::new)
    }
}

/// Fills `buf` from the operating system's random source.
fn random(buf: &mut [u8]) -> Result<()> {
    OsRng
        .try_fill_bytes(buf)
        .map_err(|e| Error::key(format!("the system's random source failed: {e}")))
}

/// The associated data of a sealed secret: format, field and account id.
fn associated(id: AccountId, field: SecretField) -> Vec<u8> {
    [
        b"farmhand secret\0".as_slice(),
        field.as_str().as_bytes(),
        b"\0",
        &id.0.to_le_bytes(),
    ]
    .concat()
}

/// How a workspace keeps secrets, and what a store needs to write and read them.
#[derive(Debug, Clone)]
pub enum AtRest {
    /// In plain text (a workspace never encrypted, or decrypted).
    Plain,
    /// Sealed: with the vault when the host gave the key, else `None` (secrets
    /// then read as locked, and writing a new one fails).
    Sealed(Option<Arc<Vault>>),
}

/// A secret as a store writes it. `Debug` shows only which form it is.
pub enum Stored<'a> {
    /// Plain text (an unencrypted workspace).
    Text(&'a str),
    /// A sealed value (an encrypted workspace).
    Sealed(std::borrow::Cow<'a, [u8]>),
}

impl fmt::Debug for Stored<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stored::Text(_) => "Stored::Text(***)",
            Stored::Sealed(_) => "Stored::Sealed(***)",
        })
    }
}

impl AtRest {
    /// True for an encrypted workspace.
    pub fn is_encrypted(&self) -> bool {
        matches!(self, AtRest::Sealed(_))
    }

    /// What to store for `secret` as the `field` of account `id`. A new secret
    /// written to an encrypted workspace opened without its key is a
    /// [`Error::Key`]; a locked secret is written back as it was read, and
    /// only to the account and field it came from.
    pub fn store<'a>(
        &self,
        id: AccountId,
        field: SecretField,
        secret: &'a Secret,
    ) -> Result<Stored<'a>> {
        match (self, secret.as_locked()) {
            (AtRest::Plain, None) => Ok(Stored::Text(secret.expose())),
            (AtRest::Sealed(Some(vault)), None) => Ok(Stored::Sealed(
                vault.seal(id, field, secret.expose())?.into(),
            )),
            (AtRest::Sealed(_), Some(locked)) if locked.id == id && locked.field == field => {
                Ok(Stored::Sealed(locked.sealed.as_ref().into()))
            }
            (AtRest::Sealed(None), None) => Err(Error::key(format!(
                "the workspace is encrypted and was opened without its key: \
                 writing the {} of account {id} needs it",
                field.as_str()
            ))),
            (_, Some(_)) => Err(Error::key(format!(
                "an encrypted secret cannot be written as the {} of account {id} without its key",
                field.as_str()
            ))),
        }
    }

    /// The secret a store read as the `field` of account `id`: plain text in a
    /// plain workspace, opened (or left locked without a key) in an encrypted one.
    pub fn load(&self, id: AccountId, field: SecretField, stored: Stored<'_>) -> Result<Secret> {
        match (self, stored) {
            (AtRest::Plain, Stored::Text(text)) => Ok(Secret::new(text)),
            (AtRest::Sealed(Some(vault)), Stored::Sealed(sealed)) => vault.open(id, field, &sealed),
            (AtRest::Sealed(None), Stored::Sealed(sealed)) => Ok(Secret::locked(LockedSecret {
                id,
                field,
                sealed: sealed.into_owned().into(),
            })),
            (AtRest::Plain, Stored::Sealed(_)) => Err(Error::key(format!(
                "the {} of account {id} is encrypted but the workspace was opened as a plain one \
                 (was it encrypted since it was opened? open it again)",
                field.as_str()
            ))),
            (AtRest::Sealed(_), Stored::Text(_)) => Err(Error::storage(format!(
                "the {} of account {id} is stored in plain text in an encrypted workspace",
                field.as_str()
            ))),
        }
    }
}

/// A sealed secret read without its key: kept as read so that the account can
/// be written back unchanged; its value cannot be had.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LockedSecret {
    id: AccountId,
    field: SecretField,
    sealed: Arc<[u8]>,
}

impl LockedSecret {
    /// The error of anything that needs this secret's value.
    pub(crate) fn needs_key(&self) -> Error {
        Error::key(format!(
            "the workspace is encrypted and was opened without its key: \
             the {} of account {} needs it",
            self.field.as_str(),
            self.id
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn a_sealed_value_opens_only_for_its_account_and_field() {
        let vault = Vault::new(&SecretKey::generate().unwrap());
        let sealed = vault
            .seal(AccountId(7), SecretField::Password, "hunter2")
            .unwrap();
        assert_eq!(
            vault
                .open(AccountId(7), SecretField::Password, &sealed)
                .unwrap()
                .expose(),
            "hunter2"
        );
        for (id, field) in [(8, SecretField::Password), (7, SecretField::TotpKey)] {
            let err = vault.open(AccountId(id), field, &sealed).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Key);
        }
        let other = Vault::new(&SecretKey::generate().unwrap());
        assert!(other
            .open(AccountId(7), SecretField::Password, &sealed)
            .is_err());
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(vault
            .open(AccountId(7), SecretField::Password, &flipped)
            .is_err());
        for cut in [0, 1, 25, 40] {
            assert!(vault
                .open(AccountId(7), SecretField::Password, &sealed[..cut])
                .is_err());
        }
    }

    #[test]
    fn each_value_gets_its_own_nonce() {
        let vault = Vault::new(&SecretKey::generate().unwrap());
        let a = vault
            .seal(AccountId(1), SecretField::Password, "same")
            .unwrap();
        let b = vault
            .seal(AccountId(1), SecretField::Password, "same")
            .unwrap();
        assert_ne!(a[1..25], b[1..25]);
        assert_eq!(a.len(), 1 + 24 + 4 + 16);
    }

    #[test]
    fn nonces_never_repeat_across_blocks() {
        let vault = Vault::new(&SecretKey::generate().unwrap());
        let nonces: std::collections::HashSet<Vec<u8>> = (0..NONCE_BLOCK * 3 + 1)
            .map(|_| {
                vault
                    .seal(AccountId(1), SecretField::Password, "x")
                    .unwrap()[1..25]
                    .to_vec()
            })
            .collect();
        assert_eq!(nonces.len(), NONCE_BLOCK * 3 + 1);
        assert!(!nonces.contains(&vec![0u8; NONCE_BYTES]));
    }

    #[test]
    fn the_canary_tells_a_wrong_key() {
        let key = SecretKey::generate().unwrap();
        let canary = Vault::new(&key).canary().unwrap();
        Vault::new(&key).check_canary(&canary).unwrap();
        let wrong = Vault::new(&SecretKey::generate().unwrap()).check_canary(&canary);
        assert_eq!(wrong.unwrap_err().kind(), ErrorKind::Key);
    }

    #[test]
    fn key_text_round_trips_and_bad_text_is_refused_without_echo() {
        let key = SecretKey::generate().unwrap();
        let text = key.to_text();
        assert_eq!(text.len(), 64);
        let back = SecretKey::from_text(&format!("  {}\n", text.to_uppercase())).unwrap();
        assert_eq!(back.0.as_ref(), key.0.as_ref());
        for bad in ["", "abc", &"g".repeat(64), &"é".repeat(32)] {
            let err = SecretKey::from_text(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            if !bad.is_empty() {
                assert!(!err.to_string().contains(bad), "{err}");
            }
        }
        assert_eq!(format!("{key:?}"), "SecretKey(***)");
        let stored = [
            Stored::Text("hunter2"),
            Stored::Sealed(b"hunter2".as_slice().into()),
        ];
        assert!(!format!("{stored:?}").contains("hunter2"));
        assert!(!format!("{:?}", Vault::new(&key)).contains(&*text));
    }
}
