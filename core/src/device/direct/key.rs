//! The host's adb key: where it lives, checked before each connection, created when missing.
//!
//! adb_client 3.2.3 reads the key file itself (by path, when it connects and
//! again when a phone asks for TLS), and when the file is missing it signs with
//! a fresh random key that it never saves, so the phone would ask the user to
//! accept a new key on every connection. So the driver makes sure the file
//! exists and parses first: an RSA private key in PKCS#8 PEM, the form adb's own
//! `adbkey` has, created like adb creates it (2048 bits, owner-only).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;

use crate::error::{Error, Result};

/// Size of a created key, in bits (adb's own).
const KEY_BITS: usize = 2048;

/// A key file larger than this is not an adb key (a 4096-bit PEM is ~3.3 KiB).
pub const MAX_KEY_FILE: u64 = 64 * 1024;

/// One creation at a time in this process; other processes are kept out by
/// creating the file under a temporary name and linking it without overwriting.
static CREATING: Mutex<()> = Mutex::new(());

/// The key the local adb server uses, `$HOME/.android/adbkey`: phones that
/// already trust this computer's adb trust the driver too.
pub fn default_key_path() -> Result<PathBuf> {
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home).join(".android").join("adbkey")),
        _ => Err(Error::validation(
            "adb key",
            "HOME is not set, so there is no default ~/.android/adbkey; \
             give the key's path with DirectDriver::with_key",
        )),
    }
}

/// Makes sure `path` holds a usable key, creating one (and its folder) when missing.
pub fn ensure_key(path: &Path) -> Result<()> {
    if check_key(path)? {
        return Ok(());
    }
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    if check_key(path)? {
        return Ok(());
    }
    create_key(path)?;
    match check_key(path)? {
        true => Ok(()),
        false => Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "created key vanished"),
        )),
    }
}

/// True when the file is a usable key, false when it does not exist.
fn check_key(path: &Path) -> Result<bool> {
    let size = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => meta.len(),
        Ok(_) => {
            return Err(Error::validation(
                "adb key",
                format!("{} is not a file", path.display()),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(path, e)),
    };
    if size > MAX_KEY_FILE {
        return Err(Error::validation(
            "adb key",
            format!(
                "{} is {size} bytes, too large for an RSA key (at most {MAX_KEY_FILE})",
                path.display()
            ),
        ));
    }
    let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    // Neither the file's text nor the parser's complaint goes into the error: it is a secret.
    let parsed = std::str::from_utf8(&text)
        .ok()
        .and_then(|pem| RsaPrivateKey::from_pkcs8_pem(pem).ok());
    match parsed {
        Some(_) => Ok(true),
        None => Err(Error::validation(
            "adb key",
            format!(
                "{} is not an RSA private key in PKCS#8 PEM \
                 (`-----BEGIN PRIVATE KEY-----`, as adb writes adbkey)",
                path.display()
            ),
        )),
    }
}

/// Writes a new key under a temporary name in the same folder, then links it
/// into place only if nothing is there yet (another process may have won).
fn create_key(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, KEY_BITS)
        .map_err(|_| Error::validation("adb key", "the system's random source failed"))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| Error::validation("adb key", "the new key could not be encoded"))?;
    // tempfile creates the file readable by its owner only (0600), as a key must be.
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| Error::io(file.path(), e))?;
    match file.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(path, e.error)),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_missing_key_is_created_once_owner_only_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("adbkey");
        ensure_key(&path).unwrap();
        let first = std::fs::read_to_string(&path).unwrap();
        assert!(first.starts_with("-----BEGIN PRIVATE KEY-----"));
        let key = RsaPrivateKey::from_pkcs8_pem(&first).unwrap();
        assert_eq!(rsa::traits::PublicKeyParts::size(&key), KEY_BITS / 8);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        ensure_key(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left beside the key");
    }

    #[test]
    fn a_file_that_is_not_a_key_is_named_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adbkey");
        let pkcs1 = "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END RSA PRIVATE KEY-----\n";
        for bad in [&b"secret-key-bytes"[..], pkcs1.as_bytes(), &[0xff, 0xfe, 0]] {
            std::fs::write(&path, bad).unwrap();
            let err = ensure_key(&path).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Validation);
            let text = err.to_string();
            assert!(text.contains(&path.display().to_string()), "{text}");
            assert!(text.contains("PKCS#8"), "{text}");
            assert!(!text.contains("secret") && !text.contains("c2Vj"), "{text}");
            assert_eq!(std::fs::read(&path).unwrap(), bad, "not overwritten");
        }
    }

    #[test]
    fn a_huge_file_or_a_folder_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adbkey");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_KEY_FILE + 1).unwrap();
        let err = ensure_key(&path).unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
        let err = ensure_key(dir.path()).unwrap_err();
        assert!(err.to_string().contains("is not a file"), "{err}");
    }

    #[test]
    fn a_key_that_cannot_be_created_names_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let path = blocker.join("adbkey");
        let err = ensure_key(&path).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Io);
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}
