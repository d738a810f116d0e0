//! Secrets at rest: encrypted passwords and 2FA keys in a real SQLite
//! workspace file, the canary, opening without the key, and the in-place
//! conversions.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use farmhand::secret::SecretKey;
use farmhand::store::{AccountFilter, BatchOp, Encryption};
use farmhand::xlsx::ExportOptions;
use farmhand::{Account, AccountPatch, ErrorKind, NewAccount, Platform, Secret, Workspace};
use rusqlite::Connection;

const TT: Platform = Platform::TikTok;

/// Every secret below has this many characters, so a file is searched for all
/// of them in one pass over its windows of this size.
const SECRET_CHARS: usize = 32;

/// 32 random characters: `pw` and 30 hex digits for a password, 32 base32
/// letters (A-P) for a 2FA key.
fn random_secrets() -> (String, String) {
    let hex = SecretKey::generate().unwrap().to_text();
    let password = format!("pw{}", &hex[..30]);
    let key: String = hex[32..]
        .chars()
        .map(|c| (b'A' + c.to_digit(16).unwrap() as u8) as char)
        .collect();
    (password, key)
}

/// A plain workspace with `n` accounts holding random secrets; returns them.
fn plain_workspace(path: &Path, n: usize) -> Vec<(String, String)> {
    let ws = Workspace::open(path).unwrap();
    let secrets: Vec<(String, String)> = (0..n).map(|_| random_secrets()).collect();
    let ops = secrets
        .iter()
        .enumerate()
        .map(|(i, (pw, key))| {
            BatchOp::Create(
                NewAccount::new(TT, format!("user{i}"))
                    .email(format!("user{i}@example.com"))
                    .password(pw.as_str())
                    .totp_key(key.as_str()),
            )
        })
        .collect();
    ws.apply_batch(ops).unwrap();
    secrets
}

/// How many of `secrets` occur, as bytes, anywhere in `bytes`.
fn occurrences(bytes: &[u8], secrets: &HashSet<&[u8]>) -> usize {
    let found: HashSet<&[u8]> = bytes
        .windows(SECRET_CHARS)
        .filter(|w| secrets.contains(w))
        .collect();
    found.len()
}

fn wal(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
}

fn read_or_empty(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_default()
}

#[test]
fn after_encrypting_no_secret_is_left_in_the_file_its_log_or_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let secrets = plain_workspace(&path, 500);
    let all: HashSet<&[u8]> = secrets
        .iter()
        .flat_map(|(pw, key)| [pw.as_bytes(), key.as_bytes()])
        .collect();
    assert_eq!(all.len(), 1000);
    // The search finds them while they are plain, so its silence below means something.
    let plain = [fs::read(&path).unwrap(), read_or_empty(&wal(&path))].concat();
    assert_eq!(occurrences(&plain, &all), 1000);

    let key = SecretKey::generate().unwrap();
    let done = Workspace::encrypt_file(&path, &key).unwrap();
    assert_eq!(done.secrets, 1000);
    assert!(done.old_pages_wiped);

    // Open with the key and write, so the log holds pages of the encrypted form.
    let ws = Workspace::open_with_key(&path, &key).unwrap();
    assert_eq!(ws.encryption(), Encryption::Unlocked);
    let first = ws.find(TT, "user0").unwrap().unwrap();
    ws.add_tags(first.id, ["touched"]).unwrap();
    ws.update(
        first.id,
        AccountPatch {
            password: Some(Some(Secret::new(secrets[0].0.as_str()))),
            ..AccountPatch::default()
        },
    )
    .unwrap();
    let copy = dir.path().join("copy.db");
    Connection::open(&path)
        .unwrap()
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .unwrap();
    let log = fs::read(wal(&path)).unwrap();
    assert!(!log.is_empty(), "the write went to the log");
    for (name, bytes) in [
        ("file", fs::read(&path).unwrap()),
        ("-wal", log),
        ("VACUUM INTO copy", fs::read(&copy).unwrap()),
    ] {
        assert_eq!(occurrences(&bytes, &all), 0, "secrets found in the {name}");
    }

    // And every secret reads back whole with the key.
    let accounts = ws.list(&AccountFilter::default()).unwrap();
    assert_eq!(accounts.len(), 500);
    for (account, (pw, key)) in accounts.iter().zip(&secrets) {
        assert_eq!(account.password.as_ref().unwrap().expose(), pw);
        assert_eq!(account.totp_key.as_ref().unwrap().expose(), key);
    }
}

#[test]
fn a_ciphertext_moved_to_another_row_or_field_fails_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    plain_workspace(&path, 3);
    let key = SecretKey::generate().unwrap();
    Workspace::encrypt_file(&path, &key).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE accounts SET password = (SELECT password FROM accounts WHERE id = 2) WHERE id = 1;
         UPDATE accounts SET totp_key = password WHERE id = 3;",
    )
    .unwrap();
    drop(conn);
    let ws = Workspace::open_with_key(&path, &key).unwrap();
    for id in [1, 3] {
        let err = ws.get(farmhand::AccountId(id)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Key, "{err}");
        let text = err.to_string();
        assert!(text.contains(&format!("account {id}")), "{text}");
    }
    // The untouched row still opens.
    assert!(ws.get(farmhand::AccountId(2)).unwrap().password.is_some());
    let listing = ws.list(&AccountFilter::default()).unwrap_err();
    assert_eq!(listing.kind(), ErrorKind::Key);
}

#[test]
fn a_wrong_key_is_refused_at_open_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let secrets = plain_workspace(&path, 5);
    let key = SecretKey::generate().unwrap();
    Workspace::encrypt_file(&path, &key).unwrap();
    let before = (fs::read(&path).unwrap(), read_or_empty(&wal(&path)));
    let wrong = SecretKey::generate().unwrap();
    let err = Workspace::open_with_key(&path, &wrong).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Key);
    let text = format!("{err} {err:?}");
    assert!(text.contains("wrong key"), "{text}");
    for shown in [wrong.to_text(), key.to_text()] {
        assert!(!text.contains(shown.as_str()), "{text}");
    }
    assert!(!text.contains(&secrets[0].0), "{text}");
    assert_eq!(
        (fs::read(&path).unwrap(), read_or_empty(&wal(&path))),
        before,
        "a refused key must leave the workspace untouched"
    );
    for convert in [
        Workspace::decrypt_file(&path, &wrong),
        Workspace::rekey_file(&path, &wrong, &key),
    ] {
        assert_eq!(convert.unwrap_err().kind(), ErrorKind::Key);
    }
    // The right key still opens it, with every secret.
    let ws = Workspace::open_with_key(&path, &key).unwrap();
    let first = ws.find(TT, "user0").unwrap().unwrap();
    assert_eq!(first.password.unwrap().expose(), secrets[0].0);
}

#[test]
fn without_the_key_everything_but_the_secrets_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let secrets = plain_workspace(&path, 4);
    let key = SecretKey::generate().unwrap();
    Workspace::encrypt_file(&path, &key).unwrap();

    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.encryption(), Encryption::Locked);
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 4);
    let alice = ws.find(TT, "USER0").unwrap().unwrap();
    let password = alice.password.as_ref().unwrap();
    assert!(password.is_locked());
    assert_eq!(password.try_expose().unwrap_err().kind(), ErrorKind::Key);
    assert_eq!(alice.credentials().unwrap_err().kind(), ErrorKind::Key);
    assert_eq!(
        ws.require_secrets("logging in").unwrap_err().kind(),
        ErrorKind::Key
    );
    let shown = format!("{alice:?}");
    assert!(!shown.contains(&secrets[0].0) && !shown.contains(&secrets[0].1));

    // Edits that need no secret keep the sealed ones as they were.
    ws.add_tags(alice.id, ["eu"]).unwrap();
    ws.bind_device(alice.id, "phone-1").unwrap();
    // A new secret cannot be sealed without the key; nothing is written.
    let err = ws
        .update(
            alice.id,
            AccountPatch {
                password: Some(Some(Secret::new("new-password"))),
                tags: Some(vec!["lost".into()]),
                ..AccountPatch::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Key);
    let err = ws
        .add(NewAccount::new(TT, "newcomer").password("pw"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Key);
    assert!(ws.find(TT, "newcomer").unwrap().is_none());
    // A locked secret cannot be copied to another account either (no panic).
    let bob = ws.find(TT, "user1").unwrap().unwrap();
    for patch in [
        AccountPatch {
            password: Some(alice.password.clone()),
            ..AccountPatch::default()
        },
        AccountPatch {
            totp_key: Some(alice.totp_key.clone()),
            ..AccountPatch::default()
        },
    ] {
        assert_eq!(ws.update(bob.id, patch).unwrap_err().kind(), ErrorKind::Key);
    }
    // An account without secrets is fine.
    ws.add(NewAccount::new(TT, "plain")).unwrap();

    // Exports: without passwords yes, with them no (and no file is left).
    let sheet = dir.path().join("accounts.xlsx");
    let with = ws.export_xlsx(&sheet, &ExportOptions::new(TT));
    assert_eq!(with.unwrap_err().kind(), ErrorKind::Key);
    assert!(!sheet.exists());
    let without = ExportOptions::new(TT).include_passwords(false);
    assert_eq!(ws.export_xlsx(&sheet, &without).unwrap().rows, 5);
    drop(ws);

    let ws = Workspace::open_with_key(&path, &key).unwrap();
    let alice = ws.get(alice.id).unwrap();
    assert_eq!(alice.tags, ["eu"]);
    assert_eq!(alice.device.as_deref(), Some("phone-1"));
    let creds = alice.credentials().unwrap().unwrap();
    assert_eq!(creds.password.expose(), secrets[0].0);
    assert_eq!(
        alice.totp_key.as_ref().unwrap().expose(),
        secrets[0].1.as_str()
    );
}

#[test]
fn a_new_workspace_opened_with_a_key_is_encrypted_and_converts_back_and_forth() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let key = SecretKey::generate().unwrap();
    let added: Account = {
        let ws = Workspace::open_with_key(&path, &key).unwrap();
        assert_eq!(ws.encryption(), Encryption::Unlocked);
        ws.add(
            NewAccount::new(TT, "alice")
                .password("hunter2")
                .totp_key("JBSWY3DPEHPK3PXP"),
        )
        .unwrap()
    };
    assert_eq!(
        Workspace::open(&path).unwrap().encryption(),
        Encryption::Locked
    );
    // Encrypting twice is refused, naming the state.
    let again = Workspace::encrypt_file(&path, &key).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Key);
    assert!(again.to_string().contains("already encrypted"), "{again}");

    let new_key = SecretKey::generate().unwrap();
    assert_eq!(
        Workspace::rekey_file(&path, &key, &new_key)
            .unwrap()
            .secrets,
        2
    );
    assert_eq!(
        Workspace::open_with_key(&path, &key).err().unwrap().kind(),
        ErrorKind::Key
    );
    let ws = Workspace::open_with_key(&path, &new_key).unwrap();
    assert_eq!(ws.get(added.id).unwrap(), added);
    drop(ws);

    Workspace::decrypt_file(&path, &new_key).unwrap();
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.encryption(), Encryption::Plain);
    assert_eq!(ws.get(added.id).unwrap(), added);
    // A plain workspace with accounts is not silently turned encrypted by a key.
    let err = Workspace::open_with_key(&path, &key).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Key);
    assert!(err.to_string().contains("not encrypted"), "{err}");
    let missing = Workspace::encrypt_file(dir.path().join("none.db"), &key).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
}

#[test]
fn a_store_opened_before_a_conversion_refuses_to_write_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    plain_workspace(&path, 2);
    let stale = Workspace::open(&path).unwrap();
    let key = SecretKey::generate().unwrap();
    Workspace::encrypt_file(&path, &key).unwrap();
    let err = stale
        .add(NewAccount::new(TT, "late").password("plain-text"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Key);
    assert!(err.to_string().contains("open it again"), "{err}");
    // Reading what it cannot open is a Key error too, not plain text taken as sealed.
    assert_eq!(
        stale.list(&AccountFilter::default()).unwrap_err().kind(),
        ErrorKind::Key
    );
    drop(stale);
    let ws = Workspace::open_with_key(&path, &key).unwrap();
    assert!(ws.find(TT, "late").unwrap().is_none());
}

#[test]
fn sheets_round_trip_through_an_encrypted_workspace_without_losing_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let secrets = plain_workspace(&path, 3);
    let key = SecretKey::generate().unwrap();
    Workspace::encrypt_file(&path, &key).unwrap();
    let import = farmhand::xlsx::ImportOptions::new(TT);

    // Without the key: a sheet without passwords re-imports unchanged...
    let locked = Workspace::open(&path).unwrap();
    let bare = dir.path().join("bare.xlsx");
    let without = ExportOptions::new(TT).include_passwords(false);
    locked.export_xlsx(&bare, &without).unwrap();
    let report = locked.import_xlsx(&bare, &import).unwrap();
    assert_eq!(report.unchanged, 3, "{report}");
    // ...and one with passwords (from a workspace holding the key) cannot be
    // written: a Key error, and nothing changes.
    let full = dir.path().join("full.xlsx");
    let unlocked = Workspace::open_with_key(&path, &key).unwrap();
    unlocked
        .export_xlsx(&full, &ExportOptions::new(TT))
        .unwrap();
    unlocked
        .update(
            unlocked.find(TT, "user1").unwrap().unwrap().id,
            AccountPatch {
                password: Some(Some(Secret::new("changed-in-between"))),
                ..AccountPatch::default()
            },
        )
        .unwrap();
    drop(unlocked);
    let locked = Workspace::open(&path).unwrap();
    let err = locked.import_xlsx(&full, &import).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Key, "{err}");
    drop(locked);

    // With the key, the same sheet imports and every secret is as expected.
    let ws = Workspace::open_with_key(&path, &key).unwrap();
    let report = ws.import_xlsx(&full, &import).unwrap();
    assert_eq!(report.updated, 1, "{report}");
    for (i, (pw, key)) in secrets.iter().enumerate() {
        let account = ws.find(TT, &format!("user{i}")).unwrap().unwrap();
        assert_eq!(account.password.unwrap().expose(), pw);
        assert_eq!(account.totp_key.unwrap().expose(), key);
    }
}
