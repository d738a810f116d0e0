//! What encrypting secrets at rest costs: importing 100k accounts (a
//! password each, a 2FA key on half) into a plain and into an encrypted
//! workspace, and the login path's read of one account with its credentials,
//! plain and encrypted (plus opening one sealed value alone).
//!
//! Under `cargo test --benches` (CI's smoke run, dev profile) each bench runs
//! once on 1,000 rows; `cargo bench` measures 100,000. Budget (issue 20): the
//! encrypted import takes at most 30% longer than the plain one.

use std::cell::Cell;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use farmhand::secret::seal::SecretField;
use farmhand::secret::{SecretKey, Vault};
use farmhand::xlsx::{ExportOptions, ImportOptions};
use farmhand::{AccountId, Platform, Workspace};

fn open(path: &Path, key: Option<&SecretKey>) -> Workspace {
    match key {
        Some(key) => Workspace::open_with_key(path, key),
        None => Workspace::open(path),
    }
    .expect("open SQLite workspace")
}

fn import(c: &mut Criterion) {
    let rows = farmhand_benches::size(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let source = open(&dir.path().join("source.db"), None);
    farmhand_benches::fleet::fill(&source, Platform::TikTok, rows).expect("fill");
    let template = dir.path().join("new.xlsx");
    let export = ExportOptions::new(Platform::TikTok).include_ids(false);
    source.export_xlsx(&template, &export).expect("export");
    let options = ImportOptions::new(Platform::TikTok);
    let key = SecretKey::generate().expect("key");

    let mut group = c.benchmark_group("secrets");
    group.sample_size(10);
    // A new, empty workspace file per iteration (see benches/xlsx.rs). The
    // previous one is deleted first: left in place, the files a side's
    // iterations wrote are still being written back to disk while the next
    // side runs, which measured the side that runs second 25% slower.
    let round = Cell::new(0);
    let fresh = |round: usize| dir.path().join(format!("fresh{round}.db"));
    for (name, key) in [("plain", None), ("encrypted", Some(&key))] {
        group.bench_function(format!("import_{rows}_{name}"), |b| {
            b.iter_with_setup(
                || {
                    farmhand_benches::remove_workspace(&fresh(round.get()));
                    round.set(round.get() + 1);
                    open(&fresh(round.get()), key)
                },
                |fresh| {
                    let report = fresh.import_xlsx(&template, &options).expect("import");
                    assert_eq!(report.created, rows, "{report}");
                },
            )
        });
    }
    group.finish();
}

fn login_path(c: &mut Criterion) {
    let rows = farmhand_benches::size(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let plain_path = dir.path().join("plain.db");
    farmhand_benches::fleet::fill(&open(&plain_path, None), Platform::TikTok, rows).expect("fill");
    let sealed_path = dir.path().join("sealed.db");
    std::fs::copy(&plain_path, &sealed_path).expect("copy");
    let key = SecretKey::generate().expect("key");
    Workspace::encrypt_file(&sealed_path, &key).expect("encrypt");
    // Sample account i (id i + 1) has a 2FA key when i is even: take the middle one.
    let id = AccountId((rows / 2) as i64 + 1);

    let mut group = c.benchmark_group("secrets");
    for (name, ws) in [
        ("plain", open(&plain_path, None)),
        ("encrypted", open(&sealed_path, Some(&key))),
    ] {
        group.bench_function(format!("login_path_get_and_credentials_{name}"), |b| {
            b.iter(|| {
                let account = ws.get(id).expect("get");
                let login = account.credentials().expect("credentials").expect("login");
                assert!(login.totp.is_some());
                login
            })
        });
    }
    let vault = Vault::new(&key);
    let sealed = vault
        .seal(id, SecretField::Password, "pass50000")
        .expect("seal");
    group.bench_function("open_one_sealed_password", |b| {
        b.iter(|| {
            vault
                .open(id, SecretField::Password, &sealed)
                .expect("open")
        })
    });
    // The sealing an import of `rows` sample accounts does, alone (a password
    // each, a 2FA key on half): how much of the import's extra time is the cipher.
    let values = rows + rows / 2;
    group.bench_function(format!("seal_{values}_values"), |b| {
        b.iter(|| {
            (0..values).fold(0, |n, i| {
                let field = if i < rows {
                    SecretField::Password
                } else {
                    SecretField::TotpKey
                };
                let sealed = vault.seal(AccountId(i as i64), field, "pass50000");
                n + sealed.expect("seal").len()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, import, login_path);
criterion_main!(benches);
