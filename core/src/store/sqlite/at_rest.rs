//! How an SQLite workspace keeps its secrets (see [`crate::secret::seal`]):
//! the canary row read at open, the check every write makes, and the in-place
//! conversions (encrypt, decrypt, rekey).

use std::path::Path;
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::storage;
use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::secret::seal::{AtRest, SecretField, Stored};
use crate::secret::{SecretKey, Vault};

/// What a store opened with: how secrets are kept and the canary seen then.
#[derive(Debug, Clone)]
pub(super) struct Opened {
    /// How the store reads and writes secrets.
    pub(super) at_rest: AtRest,
    /// The workspace's canary when the store was opened (`None`: plain).
    pub(super) canary: Option<Vec<u8>>,
}

/// The workspace's canary, if it is encrypted.
pub(super) fn canary(conn: &Connection) -> Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT canary FROM secrets_at_rest WHERE only = 1")
        .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
        .map_err(storage)
}

/// Decides how a store opened with `key` keeps secrets. Without a key an
/// encrypted workspace opens with locked secrets. With one, a new or empty
/// workspace becomes encrypted with it; an encrypted one must have been
/// encrypted with it (else `Key`, nothing written); a plain one with accounts
/// is refused (`Key`), to be converted by [`convert`] instead.
pub(super) fn open(conn: &mut Connection, path: &Path, key: Option<&SecretKey>) -> Result<Opened> {
    let Some(key) = key else {
        let canary = canary(conn)?;
        let at_rest = match canary {
            Some(_) => AtRest::Sealed(None),
            None => AtRest::Plain,
        };
        return Ok(Opened { at_rest, canary });
    };
    let vault = Arc::new(Vault::new(key));
    if let Some(canary) = canary(conn)? {
        vault.check_canary(&canary)?;
        return Ok(Opened {
            at_rest: AtRest::Sealed(Some(vault)),
            canary: Some(canary),
        });
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(storage)?;
    // Looked at again under the write lock: another process may have encrypted it meanwhile.
    let canary = match canary(&tx)? {
        Some(canary) => {
            vault.check_canary(&canary)?;
            canary
        }
        None => {
            let accounts: i64 = tx
                .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
                .map_err(storage)?;
            if accounts > 0 {
                return Err(Error::key(format!(
                    "{} is not encrypted: convert it first (`farmhand encrypt`, \
                     Workspace::encrypt_file), or open it without a key",
                    path.display()
                )));
            }
            let canary = vault.canary()?;
            write_canary(&tx, Some(&canary))?;
            canary
        }
    };
    tx.commit().map_err(storage)?;
    Ok(Opened {
        at_rest: AtRest::Sealed(Some(vault)),
        canary: Some(canary),
    })
}

/// Fails with `Key` when the workspace was encrypted, decrypted or re-keyed
/// since the store was opened: writing with the old state would mix forms.
/// Called at the start of every write transaction.
pub(super) fn check_unchanged(conn: &Connection, opened: &Opened) -> Result<()> {
    if canary(conn)? == opened.canary {
        return Ok(());
    }
    Err(Error::key(
        "the workspace was encrypted, decrypted or re-keyed by another program since it was \
         opened; open it again (with its current key)",
    ))
}

fn write_canary(conn: &Connection, canary: Option<&[u8]>) -> Result<()> {
    conn.execute("DELETE FROM secrets_at_rest", [])
        .and_then(|_| match canary {
            Some(canary) => conn.execute(
                "INSERT INTO secrets_at_rest (only, canary) VALUES (1, ?1)",
                [canary],
            ),
            None => Ok(0),
        })
        .map_err(storage)?;
    Ok(())
}

/// What an in-place conversion did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Conversion {
    /// Secrets (passwords and 2FA keys) rewritten in the new form.
    pub secrets: usize,
    /// True when the file was compacted (VACUUM) and its write-ahead log
    /// emptied, so no page of the old form is left in the workspace's files.
    /// False when another program held the workspace open for reading and the
    /// log could not be emptied: the old pages are overwritten once it closes
    /// (any later checkpoint does it).
    pub old_pages_wiped: bool,
}

/// Converts the secrets of the workspace on `conn` from the form `from` (no
/// key: plain) to `to`, in one transaction: a kill at any moment leaves the
/// old form or the new one. Then compacts the file and empties its log, so
/// that no page of the old form stays in the workspace's files.
pub(super) fn convert(
    conn: &mut Connection,
    path: &Path,
    from: Option<&SecretKey>,
    to: Option<&SecretKey>,
) -> Result<Conversion> {
    // Pages freed by the rewrite are zeroed, not left holding old values.
    conn.pragma_update(None, "secure_delete", true)
        .map_err(storage)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(storage)?;
    let old = current(&tx, path, from)?;
    let (new, canary) = match to {
        Some(key) => {
            let vault = Arc::new(Vault::new(key));
            let canary = vault.canary()?;
            (AtRest::Sealed(Some(vault)), Some(canary))
        }
        None => (AtRest::Plain, None),
    };
    let secrets = rewrite(&tx, &old, &new)?;
    write_canary(&tx, canary.as_deref())?;
    tx.commit().map_err(storage)?;
    let old_pages_wiped = compact(conn)?;
    Ok(Conversion {
        secrets,
        old_pages_wiped,
    })
}

/// How the workspace keeps secrets now, checked against the key the caller
/// says it has (`Key` when it is not the workspace's, or the workspace is not
/// in the form the caller expects).
fn current(conn: &Connection, path: &Path, key: Option<&SecretKey>) -> Result<AtRest> {
    match (canary(conn)?, key) {
        (None, None) => Ok(AtRest::Plain),
        (Some(canary), Some(key)) => {
            let vault = Vault::new(key);
            vault.check_canary(&canary)?;
            Ok(AtRest::Sealed(Some(Arc::new(vault))))
        }
        (Some(_), None) => Err(Error::key(format!(
            "{} is already encrypted: its key is needed (rekey, or decrypt)",
            path.display()
        ))),
        (None, Some(_)) => Err(Error::key(format!(
            "{} is not encrypted: there is nothing to decrypt or re-key",
            path.display()
        ))),
    }
}

/// A row's stored secrets: id, password, 2FA key.
type StoredSecrets = (
    i64,
    Option<rusqlite::types::Value>,
    Option<rusqlite::types::Value>,
);

/// Rewrites every stored secret from `old` to `new`; returns how many. The
/// rows are read first and written after, so no scan runs over rows being
/// rewritten.
fn rewrite(conn: &Connection, old: &AtRest, new: &AtRest) -> Result<usize> {
    let rows: Vec<StoredSecrets> = conn
        .prepare(
            "SELECT id, password, totp_key FROM accounts \
             WHERE password IS NOT NULL OR totp_key IS NOT NULL",
        )
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .map_err(storage)?;
    let mut write = conn
        .prepare("UPDATE accounts SET password = ?2, totp_key = ?3 WHERE id = ?1")
        .map_err(storage)?;
    let mut secrets = 0;
    for (id, password, totp_key) in rows {
        let id = AccountId(id);
        let mut convert = |field: SecretField, value: Option<rusqlite::types::Value>| {
            let Some(value) = value else {
                return Ok(None);
            };
            let stored = match &value {
                rusqlite::types::Value::Text(text) => Stored::Text(text),
                rusqlite::types::Value::Blob(sealed) => Stored::Sealed(sealed.as_slice().into()),
                _ => {
                    return Err(Error::storage(format!(
                        "the {} of account {id} is neither text nor sealed",
                        field.as_str()
                    )))
                }
            };
            let secret = old.load(id, field, stored)?;
            secrets += 1;
            new.store(id, field, &secret).map(to_value).map(Some)
        };
        let password = convert(SecretField::Password, password)?;
        let totp_key = convert(SecretField::TotpKey, totp_key)?;
        write
            .execute(params![id.0, password, totp_key])
            .map_err(storage)?;
    }
    Ok(secrets)
}

fn to_value(stored: Stored<'_>) -> rusqlite::types::Value {
    match stored {
        Stored::Text(text) => rusqlite::types::Value::Text(text.to_string()),
        Stored::Sealed(sealed) => rusqlite::types::Value::Blob(sealed.into_owned()),
    }
}

/// Rebuilds the file without free pages (VACUUM) and empties the write-ahead
/// log into it; true when the log could be emptied (no other reader held it).
fn compact(conn: &Connection) -> Result<bool> {
    conn.execute_batch("VACUUM").map_err(storage)?;
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(storage)?;
    Ok(busy == 0)
}
