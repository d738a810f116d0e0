//! What only a file-backed store can get wrong: reopening, foreign or newer
//! files, and several connections writing one file at once.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::thread;

use farmhand::store::{schema, AccountFilter, AccountStore, SqliteStore};
use farmhand::{AccountPatch, ErrorKind, NewAccount, Platform, ProfileStats, Workspace};

const TT: Platform = Platform::TikTok;

fn refused(path: &Path) -> String {
    let before = fs::read(path).unwrap();
    let err = Workspace::open(path)
        .err()
        .expect("the file must be refused");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(
        fs::read(path).unwrap(),
        before,
        "a refused file must be left untouched"
    );
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    text
}

#[test]
fn data_and_device_numbers_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let (a, b) = {
        let ws = Workspace::open(&path).unwrap();
        let a = ws
            .add(
                NewAccount::new(TT, "alice")
                    .password("pw")
                    .totp_key("JBSWY3DPEHPK3PXP")
                    .device("phone-1"),
            )
            .unwrap();
        let b = ws
            .add(NewAccount::new(TT, "bob").device("phone-2").tags(["x"]))
            .unwrap();
        ws.register_device("phone-3").unwrap();
        ws.label_device("phone-2", Some("shelf B")).unwrap();
        ws.delete(b.id).unwrap();
        (a, b)
    };
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.get(a.id).unwrap(), a);
    assert_eq!(
        ws.get(a.id)
            .unwrap()
            .credentials()
            .unwrap()
            .unwrap()
            .totp
            .unwrap()
            .code_at(1_700_000_000),
        "324550"
    );
    let devices = ws.devices().unwrap();
    let seen: Vec<(&str, u32, Option<&str>)> = devices
        .iter()
        .map(|d| (d.serial.as_str(), d.index, d.label.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("phone-1", 1, None),
            ("phone-2", 2, Some("shelf B")),
            ("phone-3", 3, None)
        ]
    );
    // Numbers and ids keep counting after the restart; none is reused.
    assert_eq!(ws.register_device("phone-4").unwrap().index, 4);
    let c = ws
        .add(NewAccount::new(TT, "bob").device("phone-2"))
        .unwrap();
    assert!(c.id > b.id);
    assert_eq!(c.device_index, Some(2));
}

#[test]
fn a_new_file_is_stamped_as_a_farmhand_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    drop(Workspace::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(
        (app, version, mode.as_str()),
        (schema::APPLICATION_ID, schema::VERSION, "wal")
    );
}

#[test]
fn an_empty_file_becomes_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    fs::write(&path, b"").unwrap();
    let ws = Workspace::open(&path).unwrap();
    ws.add(NewAccount::new(TT, "a")).unwrap();
    assert_eq!(
        Workspace::open(&path)
            .unwrap()
            .count(&AccountFilter::default())
            .unwrap(),
        1
    );
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    Workspace::open(&path)
        .unwrap()
        .add(NewAccount::new(TT, "keep"))
        .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", schema::VERSION + 1)
        .unwrap();
    drop(conn);
    let text = refused(&path);
    assert!(text.contains("newer farmhand"), "{text}");
    assert!(
        text.contains(&format!("schema version {}", schema::VERSION + 1)),
        "{text}"
    );
}

#[test]
fn random_bytes_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noise.db");
    let noise: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(&path, noise).unwrap();
    let text = refused(&path);
    assert!(text.contains("not an SQLite database"), "{text}");
    fs::write(&path, "id,username\n1,alice\n".repeat(100)).unwrap();
    let text = refused(&path);
    assert!(text.contains("not a farmhand workspace"), "{text}");
}

#[test]
fn another_applications_sqlite_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts (name) VALUES ('x');")
        .unwrap();
    drop(conn);
    let text = refused(&path);
    assert!(text.contains("another application"), "{text}");
    // Even one that claims our schema version but not our application id.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", schema::VERSION)
        .unwrap();
    drop(conn);
    assert!(refused(&path).contains("another application"));
}

#[test]
fn an_unopenable_path_is_a_storage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for path in [
        dir.path().join("missing-dir").join("farm.db"),
        dir.path().to_path_buf(),
    ] {
        let err = Workspace::open(&path).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}

#[test]
fn two_connections_in_two_threads_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let id = Workspace::open(&path)
        .unwrap()
        .add(NewAccount::new(TT, "shared"))
        .unwrap()
        .id;
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let path = path.clone();
            thread::spawn(move || {
                // Each thread has its own connection, so SQLite's file locking is what is tested.
                let store: Arc<dyn AccountStore> = Arc::new(SqliteStore::open(&path).unwrap());
                let ws = Workspace::with_store(Arc::clone(&store));
                for i in 0..20 {
                    ws.add_tags(id, [format!("w{w}-{i}")]).unwrap();
                    store
                        .update_with(id, &mut |a| {
                            Ok(AccountPatch {
                                stats: Some(ProfileStats {
                                    followers: Some(a.stats.followers.unwrap_or(0) + 1),
                                    ..Default::default()
                                }),
                                ..AccountPatch::default()
                            })
                        })
                        .unwrap();
                    ws.add(NewAccount::new(TT, format!("w{w}_{i}"))).unwrap();
                    ws.list(&AccountFilter::default()).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let ws = Workspace::open(&path).unwrap();
    let account = ws.get(id).unwrap();
    assert_eq!(account.stats.followers, Some(60));
    assert_eq!(account.tags.iter().collect::<BTreeSet<_>>().len(), 60);
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 61);
}

#[test]
fn closing_the_last_store_of_a_file_folds_its_write_ahead_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let wal = dir.path().join("farm.db-wal");
    {
        let ws = Workspace::open(&path).unwrap();
        let ops = (0..5000)
            .map(|i| farmhand::store::BatchOp::Create(NewAccount::new(TT, format!("u{i}"))))
            .collect();
        ws.apply_batch(ops).unwrap();
        // Both of the store's connections have been used.
        assert_eq!(ws.list(&AccountFilter::default()).unwrap().len(), 5000);
        assert!(wal.exists());
    }
    assert!(
        !wal.exists(),
        "the log is checkpointed and removed on close"
    );
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 5000);
}

fn page_size(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap()
}

/// New files get 16 KiB pages (fewer pages to write per import); a file made
/// with SQLite's 4 KiB default, here an empty one as another tool may leave,
/// keeps its pages and works the same.
#[test]
fn new_files_get_large_pages_and_existing_files_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    Workspace::open(&fresh)
        .unwrap()
        .add(NewAccount::new(TT, "alice"))
        .unwrap();
    assert_eq!(page_size(&fresh), 16384);

    let small = dir.path().join("small.db");
    let conn = rusqlite::Connection::open(&small).unwrap();
    conn.pragma_update(None, "page_size", 4096).unwrap();
    conn.execute_batch("VACUUM").unwrap();
    drop(conn);
    assert_eq!(page_size(&small), 4096);
    let ws = Workspace::open(&small).unwrap();
    let alice = ws.add(NewAccount::new(TT, "alice")).unwrap();
    drop(ws);
    assert_eq!(page_size(&small), 4096);
    assert_eq!(
        Workspace::open(&small).unwrap().get(alice.id).unwrap(),
        alice
    );
}

/// New phones are written 128 to a statement, which may fail after writing
/// part of its rows (here a trigger refuses one serial in the second group).
/// The whole batch is undone all the same: accounts, phones and the phone
/// numbers still to be given out.
#[test]
fn a_batch_failing_inside_a_group_of_new_phones_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let ws = Workspace::open(&path).unwrap();
    ws.add(NewAccount::new(TT, "kept").device("old-phone"))
        .unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON devices WHEN NEW.serial = 'boom'
             BEGIN SELECT RAISE(FAIL, 'serial boom refused'); END;",
        )
        .unwrap();
    let accounts = ws.list(&AccountFilter::default()).unwrap();
    let devices = ws.devices().unwrap();
    let batch = |refused: &str| -> Vec<farmhand::store::BatchOp> {
        (0..300)
            .map(|i| {
                let serial = if i == 200 {
                    refused.to_string()
                } else {
                    format!("p{i}")
                };
                farmhand::store::BatchOp::Create(
                    NewAccount::new(TT, format!("u{i}")).device(serial),
                )
            })
            .collect()
    };
    let err = ws.apply_batch(batch("boom")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("serial boom refused"), "{err}");
    assert_eq!(ws.list(&AccountFilter::default()).unwrap(), accounts);
    assert_eq!(ws.devices().unwrap(), devices);

    ws.apply_batch(batch("p200")).unwrap();
    let after = ws.devices().unwrap();
    assert_eq!(after.len(), devices.len() + 300);
    let last = devices.last().unwrap().index;
    let given: Vec<u32> = after[devices.len()..].iter().map(|d| d.index).collect();
    assert_eq!(given, (last + 1..=last + 300).collect::<Vec<_>>());
}

#[test]
fn a_version_2_file_gains_the_history_and_keeps_its_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let id = Workspace::open(&path)
        .unwrap()
        .add(NewAccount::new(TT, "old_timer"))
        .unwrap()
        .id;
    // Take the file back to what version 2 wrote: no history table (nor
    // the secrets-at-rest table of version 4, nor the leases of version 5).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE leases; DROP TABLE secrets_at_rest; DROP TRIGGER accounts_forget_history; DROP TABLE history; \
         PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(conn);
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.get(id).unwrap().username.as_str(), "old_timer");
    assert_eq!(ws.history(id, 5).unwrap(), []);
    let entry = farmhand::store::HistoryEntry {
        account: id,
        at: farmhand::Timestamp(1),
        workflow: farmhand::ops::Workflow::SyncProfiles,
        outcome: farmhand::ops::Outcome::Synced,
        device: None,
        reason: None,
    };
    assert_eq!(
        ws.store()
            .record_history(std::slice::from_ref(&entry))
            .unwrap(),
        1
    );
    assert_eq!(ws.history(id, 5).unwrap(), [entry]);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::VERSION);
    // A name this build does not know is refused when read, naming it.
    conn.execute("UPDATE history SET outcome = 'vanished'", [])
        .unwrap();
    drop(conn);
    let err = Workspace::open(&path).unwrap().history(id, 5).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("'vanished'"), "{err}");
}

/// Usernames stored under the older, looser rule (`@@zoe` was kept as `@zoe`,
/// look-alikes and long names were accepted) still load, list, export and
/// re-import unchanged, and can be renamed to a valid name.
#[test]
fn accounts_stored_under_an_older_username_rule_load_and_can_be_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let legacy = ["@zoe", "Bob_\u{dc}", "\u{430}lice", &"x".repeat(40)];
    let ids: Vec<farmhand::AccountId> = {
        let ws = Workspace::open(&path).unwrap();
        let ids: Vec<farmhand::AccountId> = (0..legacy.len())
            .map(|i| ws.add(NewAccount::new(TT, format!("u{i}"))).unwrap().id)
            .collect();
        drop(ws);
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (id, name) in ids.iter().zip(legacy) {
            conn.execute(
                "UPDATE accounts SET username = ?1, username_key = ?2 WHERE id = ?3",
                rusqlite::params![name, name.to_lowercase(), id.0],
            )
            .unwrap();
        }
        ids
    };
    let ws = Workspace::open(&path).unwrap();
    let listed = ws.list(&AccountFilter::default()).unwrap();
    let names: Vec<&str> = listed.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names, legacy);
    assert_eq!(ws.find(TT, "bob_\u{dc}").unwrap().unwrap().id, ids[1]);

    let sheet = dir.path().join("accounts.xlsx");
    ws.export_xlsx(&sheet, &farmhand::xlsx::ExportOptions::new(TT))
        .unwrap();
    let report = ws
        .import_xlsx(&sheet, &farmhand::xlsx::ImportOptions::new(TT))
        .unwrap();
    assert!(report.is_applied(), "{report}");
    assert_eq!(report.unchanged, legacy.len(), "{report}");
    assert_eq!(ws.list(&AccountFilter::default()).unwrap(), listed);

    let renamed = ws
        .update(
            ids[0],
            AccountPatch {
                username: Some("zoe".into()),
                ..AccountPatch::default()
            },
        )
        .unwrap();
    assert_eq!(renamed.username.as_str(), "zoe");
    let err = ws
        .update(
            ids[2],
            AccountPatch {
                username: Some("\u{430}lice2".into()),
                ..AccountPatch::default()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("U+0430"), "{err}");
    let other = ws
        .update(
            ids[2],
            AccountPatch {
                tags: Some(vec!["kept".into()]),
                ..AccountPatch::default()
            },
        )
        .unwrap();
    assert_eq!(other.username.as_str(), "\u{430}lice");
}

/// A version-1 file kept `password:KEY` whole in `password`; opening it moves
/// the keys into their own column by today's rule, leaving passwords that
/// merely hold a colon whole.
#[test]
fn a_version_one_file_gets_its_2fa_keys_split_out_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let names = ["keyed", "spaced", "colon", "plain", "typo"];
    let pwds = [
        "pw:JBSWY3DPEHPK3PXP",
        "pa:ss:jbsw y3dp ehpk 3pxp",
        "admin:verysecretpassword",
        "hunter2",
        "pw:JBSWY3DPEHPK3PX",
    ];
    {
        let ws = Workspace::open(&path).unwrap();
        for name in names {
            ws.add(NewAccount::new(TT, name)).unwrap();
        }
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        // What version 1 wrote: no 2FA-key column, no history, secrets-at-rest or leases table.
        conn.execute_batch(
            "DROP TABLE leases; DROP TABLE secrets_at_rest; DROP TRIGGER accounts_forget_history; DROP TABLE history; \
             ALTER TABLE accounts DROP COLUMN totp_key; PRAGMA user_version = 1;",
        )
        .unwrap();
        for (name, pwd) in names.iter().zip(pwds) {
            conn.execute(
                "UPDATE accounts SET password = ?1 WHERE username = ?2",
                rusqlite::params![pwd, name],
            )
            .unwrap();
        }
    }
    let ws = Workspace::open(&path).unwrap();
    let read = |name: &str| {
        let a = ws.find(TT, name).unwrap().unwrap();
        (
            a.password.unwrap().expose().to_string(),
            a.totp_key.map(|k| k.expose().to_string()),
        )
    };
    let key = Some("JBSWY3DPEHPK3PXP".to_string());
    assert_eq!(read("keyed"), ("pw".into(), key.clone()));
    assert_eq!(read("spaced"), ("pa:ss".into(), key));
    assert_eq!(read("colon"), (pwds[2].into(), None));
    assert_eq!(read("plain"), (pwds[3].into(), None));
    assert_eq!(read("typo"), (pwds[4].into(), None));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::VERSION);
}

/// A constraint that fails while an account with a password and 2FA key is
/// written: the error keeps SQLite's error as its source, and neither it nor
/// anything in its chain shows the secret.
#[test]
fn a_storage_error_keeps_its_sqlite_cause_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let ws = Workspace::open(&path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER null_serial BEFORE INSERT ON accounts
             BEGIN INSERT INTO devices (serial) VALUES (NULL); END;",
        )
        .unwrap();
    let err = ws
        .add(NewAccount::new(TT, "carol").password("hunter2:JBSWY3DPEHPK3PXP"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(
        err.to_string().contains("NOT NULL constraint failed"),
        "{err}"
    );
    let cause = std::error::Error::source(&err).expect("SQLite's error is the source");
    assert!(
        cause.downcast_ref::<rusqlite::Error>().is_some(),
        "{cause:?}"
    );
    let mut shown = vec![err.to_string(), format!("{err:?}")];
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = next {
        shown.push(e.to_string());
        shown.push(format!("{e:?}"));
        next = e.source();
    }
    for text in shown {
        assert!(
            !text.contains("hunter2") && !text.contains("JBSWY3DPEHPK3PXP"),
            "{text}"
        );
    }
}

/// Opening something that is not a database keeps SQLite's error as the source.
#[test]
fn a_refused_file_keeps_its_sqlite_cause() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    fs::write(&path, vec![b'x'; 4096]).unwrap();
    let err = Workspace::open(&path).err().expect("junk is refused");
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    let cause = std::error::Error::source(&err).expect("SQLite's error is the source");
    let sqlite = cause
        .downcast_ref::<rusqlite::Error>()
        .expect("a rusqlite error");
    assert_eq!(
        sqlite.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase)
    );
}
