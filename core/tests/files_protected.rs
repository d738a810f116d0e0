//! Files that protect what they hold: the workspace file and its `-wal` and
//! `-shm` files, and exports, are readable by their owner only; an export never
//! replaces a workspace; an export killed mid-write (`kill -9`) leaves the
//! previous file intact, and its temporary file is gone after the next export.
//!
//! A plain `main` (`harness = false`): the kill test re-executes this binary as
//! the exporting child, told apart by the `FARMHAND_EXPORT_TO` environment variable.

use std::env;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use farmhand::store::{AccountFilter, BatchOp};
use farmhand::xlsx::{ExportOptions, ImportOptions};
use farmhand::{ErrorKind, NewAccount, Platform, Workspace};

fn main() -> ExitCode {
    if let Some(target) = env::var_os("FARMHAND_EXPORT_TO") {
        let ws = Workspace::open(env::var_os("FARMHAND_EXPORT_FROM").unwrap()).unwrap();
        ws.export_xlsx(target, &ExportOptions::new(Platform::TikTok))
            .unwrap();
        return ExitCode::SUCCESS;
    }
    let tests: [(&str, fn()); 3] = [
        ("workspace_and_export_files_are_private", private_files),
        (
            "an_export_never_replaces_a_workspace_or_its_side_files",
            never_replaces_a_workspace,
        ),
        (
            "an_export_killed_mid_write_leaves_the_old_file_and_no_temp_file",
            killed_export,
        ),
    ];
    for (name, test) in tests {
        test();
        println!("test {name} ... ok");
    }
    ExitCode::SUCCESS
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn private_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let ws = Workspace::open(&db).unwrap();
    ws.add(NewAccount::new(Platform::TikTok, "alice").password("secret"))
        .unwrap();
    // While the workspace is open, its write-ahead log and index exist.
    for file in ["ws.db", "ws.db-wal", "ws.db-shm"] {
        assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
    }
    let export = dir.path().join("accounts.xlsx");
    ws.export_xlsx(&export, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(mode(&export), 0o600, "the export holds passwords");
}

fn never_replaces_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    let other = dir.path().join("other.sqlite");
    drop(Workspace::open(&other).unwrap());
    let ws = Workspace::open(&db).unwrap();
    ws.add(NewAccount::new(Platform::TikTok, "alice")).unwrap();
    let before = ws.list(&AccountFilter::default()).unwrap();
    let bytes = std::fs::read(&db).unwrap();
    for target in [
        &db,
        &dir.path().join("ws.db-wal"),
        &dir.path().join("ws.db-shm"),
        &other,
    ] {
        let error = ws
            .export_xlsx(target, &ExportOptions::new(Platform::TikTok))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Validation, "{error}");
        assert!(
            error.to_string().contains("an export never replaces one"),
            "{error}"
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    assert_eq!(ws.list(&AccountFilter::default()).unwrap(), before);
    drop(ws);
    let reopened = Workspace::open(&db).unwrap();
    assert_eq!(reopened.list(&AccountFilter::default()).unwrap(), before);
}

/// Temporary files of exports to `target` in its folder.
fn temp_files(target: &Path) -> Vec<PathBuf> {
    let prefix = format!(".{}.", target.file_name().unwrap().to_string_lossy());
    std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(&prefix) && name.ends_with(".tmp")
        })
        .collect()
}

fn killed_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.db");
    let target = dir.path().join("accounts.xlsx");
    let ws = Workspace::open(&db).unwrap();
    ws.add(NewAccount::new(Platform::TikTok, "old_export"))
        .unwrap();
    ws.export_xlsx(&target, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    let previous = std::fs::read(&target).unwrap();
    let ops = (0..200_000)
        .map(|i| {
            BatchOp::Create(
                NewAccount::new(Platform::TikTok, format!("user{i:06}"))
                    .email(format!("user{i}@example.com"))
                    .password(format!("pass{i}"))
                    .tags(["warm"]),
            )
        })
        .collect();
    ws.apply_batch(ops).unwrap();

    let mut child = Command::new(env::current_exe().unwrap())
        .env("FARMHAND_EXPORT_TO", &target)
        .env("FARMHAND_EXPORT_FROM", &db)
        .spawn()
        .unwrap();
    // Kill it as soon as its temporary file is there, mid-write.
    let started = Instant::now();
    while temp_files(&target).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the export ended before it was killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no temp file appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(
        std::fs::read(&target).unwrap(),
        previous,
        "the old file is intact"
    );
    assert_eq!(
        temp_files(&target).len(),
        1,
        "the killed export left its temp file"
    );

    // The next export removes it, and writes a whole file.
    ws.export_xlsx(&target, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    assert_eq!(temp_files(&target), Vec::<PathBuf>::new());
    let report = ws
        .import_xlsx(&target, &ImportOptions::new(Platform::TikTok).dry_run(true))
        .unwrap();
    assert_eq!(report.unchanged, 200_001, "{report}");
}
