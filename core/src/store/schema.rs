//! The whole SQLite schema of a workspace file, its version and its migrations.
//!
//! A farmhand file is recognised by `PRAGMA application_id` = [`APPLICATION_ID`];
//! `PRAGMA user_version` holds the schema version. `MIGRATIONS[n]` takes a file
//! from version `n` to `n + 1`; opening applies the missing ones in one
//! transaction. A file written by a newer farmhand (a higher version) or by
//! another application is refused before anything is written to it.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of a farmhand workspace: ASCII "FrmH".
pub const APPLICATION_ID: i32 = 0x4672_6d48;

/// The schema version this build writes: one more than the last migration's index.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Largest part of the file read through a memory map. Mapped pages count in
/// the process's resident memory, so the map is kept small enough that
/// exporting a million accounts stays well under 150 MB while a 100k-account
/// roster (about 25 MB) is still listed without a copy per page.
const MMAP_BYTES: i64 = 64 << 20;

/// Page size of a new workspace file (SQLite's default is 4 KiB). Larger pages
/// mean fewer pages, B-tree levels and write calls for the same rows: a
/// 100k-account import commits (and checkpoints) in about two thirds of the
/// time. A file keeps the page size it was created with.
const NEW_FILE_PAGE_BYTES: i64 = 16 << 10;

/// Size of write-ahead log after which a commit folds it into the file. SQLite
/// counts this in pages (1000 by default, 4 MiB of 4 KiB pages); it is set
/// from the file's page size so that larger pages do not let the log grow,
/// or put off the copying of a large import's changes, any longer than that.
const CHECKPOINT_AFTER_BYTES: i64 = 4 << 20;

/// Ordered migrations; never edit a released one, append a new one.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: accounts and the device registry.
    "
    CREATE TABLE devices (
        idx     INTEGER PRIMARY KEY AUTOINCREMENT, -- the stable device_index, never reused
        serial  TEXT NOT NULL UNIQUE,
        label   TEXT
    );
    CREATE TABLE accounts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a stale sheet id cannot hit a newer account
        platform      TEXT NOT NULL CHECK (platform IN ('tiktok', 'instagram')),
        username      TEXT NOT NULL,   -- as shown: trimmed, no leading @
        username_key  TEXT NOT NULL,   -- lower case: the identity
        email         TEXT,
        password      TEXT,
        device        TEXT,
        package_name  TEXT,
        logged_in     INTEGER NOT NULL DEFAULT 0 CHECK (logged_in IN (0, 1)),
        status        INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1)),
        tags          TEXT NOT NULL DEFAULT '', -- ',a,b,' (tags hold no comma); '' for none
        nickname      TEXT,
        country       TEXT,
        followers     INTEGER,
        following     INTEGER,
        hearts        INTEGER,
        videos        INTEGER,
        friends       INTEGER,
        synced_at     INTEGER,
        last_login_at INTEGER,
        last_error    TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX accounts_username ON accounts (platform, username_key);
    CREATE INDEX accounts_device ON accounts (device);
    ",
    // 1 -> 2: the 2FA key gets its own column; `split_stored_pwds` then moves
    // the keys that version 1 kept inside `password` into it.
    "ALTER TABLE accounts ADD COLUMN totp_key TEXT;",
    // 2 -> 3: the activity history (store::history), gone with its account.
    "
    CREATE TABLE history (
        id          INTEGER PRIMARY KEY AUTOINCREMENT, -- recording order
        account_id  INTEGER NOT NULL,
        at          INTEGER NOT NULL,  -- Unix milliseconds
        workflow    TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        device      TEXT,
        reason      TEXT
    );
    CREATE INDEX history_account ON history (account_id, id);
    CREATE TRIGGER accounts_forget_history AFTER DELETE ON accounts
    BEGIN
        DELETE FROM history WHERE account_id = OLD.id;
    END;
    ",
    // 3 -> 4: secrets at rest (secret::seal). A row here means the workspace
    // is encrypted: `password` and `totp_key` then hold sealed blobs, and the
    // canary is a known value sealed with the workspace's key.
    "
    CREATE TABLE secrets_at_rest (
        only    INTEGER PRIMARY KEY CHECK (only = 1),
        canary  BLOB NOT NULL
    );
    ",
    // 4 -> 5: leases on accounts and phones (store::lease), for the processes
    // sharing the file.
    "
    CREATE TABLE leases (
        subject    TEXT PRIMARY KEY,  -- 'account:ID' or 'phone:SERIAL'
        holder     TEXT NOT NULL,
        expires_at INTEGER NOT NULL   -- Unix milliseconds
    ) WITHOUT ROWID;
    ",
];

/// The version whose migration added `totp_key`.
const TOTP_KEY_VERSION: i64 = 2;

/// Brings the connection's file to [`VERSION`], or refuses it (naming `path`).
pub(super) fn prepare(conn: &mut Connection, path: &Path) -> Result<()> {
    if check(conn, path)? == 0 {
        // Only takes effect before the first write: a file with a header keeps its size.
        conn.pragma_update(None, "page_size", NEW_FILE_PAGE_BYTES)
            .map_err(|e| refusal(path, e))?;
    }
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| refusal(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::storage(format!(
            "{}: cannot use write-ahead logging (journal mode stays {mode})",
            path.display()
        )));
    }
    // NORMAL is durable in WAL mode except for the last commits on power loss;
    // memory-mapped reads spare a copy per page when listing large rosters.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .and_then(|()| conn.pragma_update(None, "mmap_size", MMAP_BYTES))
        .map_err(|e| refusal(path, e))?;
    let page_bytes: i64 = conn
        .pragma_query_value(None, "page_size", |row| row.get(0))
        .map_err(|e| refusal(path, e))?;
    conn.pragma_update(
        None,
        "wal_autocheckpoint",
        (CHECKPOINT_AFTER_BYTES / page_bytes.max(1)).max(1),
    )
    .map_err(|e| refusal(path, e))?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| refusal(path, e))?;
    // Checked again under the write lock: another process may have migrated meanwhile.
    let version = check(&tx, path)?;
    for migration in &MIGRATIONS[version as usize..] {
        tx.execute_batch(migration).map_err(|e| refusal(path, e))?;
    }
    if version < TOTP_KEY_VERSION {
        split_stored_pwds(&tx).map_err(|e| refusal(path, e))?;
    }
    if version < VERSION {
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .and_then(|_| tx.pragma_update(None, "user_version", VERSION))
            .map_err(|e| refusal(path, e))?;
    }
    tx.commit().map_err(|e| refusal(path, e))
}

/// Version 1 stored `password:SECRET` whole and split it at every login; the
/// split now happens once, here, by the rule of [`crate::secret::pwd`] (which
/// leaves ordinary passwords with colons whole, unlike version 1's looser one).
fn split_stored_pwds(tx: &Connection) -> rusqlite::Result<()> {
    let mut read =
        tx.prepare("SELECT id, password FROM accounts WHERE instr(password, ':') > 0")?;
    let mut write = tx.prepare("UPDATE accounts SET password = ?2, totp_key = ?3 WHERE id = ?1")?;
    let rows = read.query_map([], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, pwd) = row?;
        let read = crate::secret::read_pwd(&pwd);
        if let Some(key) = read.totp_key {
            write.execute(rusqlite::params![id, read.password.expose(), key.expose()])?;
        }
    }
    Ok(())
}

/// Sets up a read-only connection to a file [`prepare`] has brought up to date.
pub(super) fn configure_reader(conn: &Connection, path: &Path) -> Result<()> {
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)
        .map_err(|e| refusal(path, e))
}

/// The file's schema version if this build can use it (0 for a new, empty file).
fn check(conn: &Connection, path: &Path) -> Result<i64> {
    let read = || -> rusqlite::Result<(i32, i64, i64)> {
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, objects))
    };
    let (app, version, objects) = read().map_err(|e| refusal(path, e))?;
    let foreign = |what: &str| {
        Error::storage(format!(
            "{} is not a farmhand workspace: {what}",
            path.display()
        ))
    };
    if app == 0 && version == 0 && objects == 0 {
        return Ok(0);
    }
    if app != APPLICATION_ID {
        return Err(foreign("it is an SQLite database of another application"));
    }
    if version > VERSION {
        return Err(Error::storage(format!(
            "{} was written by a newer farmhand (schema version {version}; this build knows up to {VERSION}); it was left untouched",
            path.display()
        )));
    }
    if version < 1 {
        return Err(foreign("it has a farmhand id but no schema version"));
    }
    Ok(version)
}

/// A failure while opening, phrased for a person; never contains data values.
fn refusal(path: &Path, e: rusqlite::Error) -> Error {
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            format!(
                "{} is not a farmhand workspace: it is not an SQLite database",
                path.display()
            )
        }
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => format!(
            "{} is busy: another process held it locked longer than the busy timeout",
            path.display()
        ),
        _ => format!("{}: {e}", path.display()),
    };
    Error::storage(message).with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(path: &Path) -> Connection {
        let mut conn = Connection::open(path).unwrap();
        prepare(&mut conn, path).unwrap();
        conn
    }

    fn pragma(conn: &Connection, name: &str) -> i64 {
        conn.pragma_query_value(None, name, |r| r.get(0)).unwrap()
    }

    /// The log is folded in after the same number of bytes whatever the page
    /// size, so a new file's larger pages do not defer the work of a commit.
    #[test]
    fn the_checkpoint_threshold_is_in_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.db");
        let conn = prepared(&fresh);
        assert_eq!(pragma(&conn, "page_size"), NEW_FILE_PAGE_BYTES);
        assert_eq!(
            pragma(&conn, "wal_autocheckpoint") * NEW_FILE_PAGE_BYTES,
            CHECKPOINT_AFTER_BYTES
        );

        let old = dir.path().join("old.db");
        Connection::open(&old)
            .unwrap()
            .execute_batch("PRAGMA page_size = 4096; VACUUM;")
            .unwrap();
        let conn = prepared(&old);
        assert_eq!(pragma(&conn, "page_size"), 4096);
        assert_eq!(pragma(&conn, "wal_autocheckpoint"), 1024);
    }
}
