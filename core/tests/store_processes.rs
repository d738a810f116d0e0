//! Several processes writing one workspace file at once: no "database is
//! locked" reaches a caller and no update is lost.
//!
//! A plain `main` (`harness = false`): the test re-executes itself as the child
//! writers, told apart by the `FARMHAND_TEST_WRITER` environment variable.

use std::collections::BTreeSet;
use std::env;
use std::path::Path;
use std::process::{Command, ExitCode};

use farmhand::store::AccountFilter;
use farmhand::{AccountId, AccountPatch, NewAccount, Platform, ProfileStats, Result, Workspace};

const WRITERS: usize = 3;
const ROUNDS: usize = 20;
const SHARED: &str = "shared";

fn main() -> ExitCode {
    match env::var("FARMHAND_TEST_WRITER") {
        Ok(writer) => match child(&writer, Path::new(&env::var("FARMHAND_TEST_FILE").unwrap())) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("writer {writer}: {e} ({:?})", e.kind());
                ExitCode::FAILURE
            }
        },
        Err(_) => {
            parent();
            println!("test several_processes_writing_one_file_lose_nothing ... ok");
            ExitCode::SUCCESS
        }
    }
}

/// One writer process: tag adds, a counter, and new accounts, each its own transaction.
fn child(writer: &str, path: &Path) -> Result<()> {
    let ws = Workspace::open(path)?;
    let id = ws
        .find(Platform::TikTok, SHARED)?
        .expect("the parent created it")
        .id;
    for round in 0..ROUNDS {
        ws.add_tags(id, [format!("p{writer}-{round}")])?;
        bump(&ws, id)?;
        ws.add(
            NewAccount::new(Platform::TikTok, format!("p{writer}_{round}"))
                .device(format!("phone-{round}")),
        )?;
        ws.list(&AccountFilter::default())?;
    }
    Ok(())
}

fn bump(ws: &Workspace, id: AccountId) -> Result<()> {
    ws.store().update_with(id, &mut |a| {
        Ok(AccountPatch {
            stats: Some(ProfileStats {
                followers: Some(a.stats.followers.unwrap_or(0) + 1),
                ..Default::default()
            }),
            ..AccountPatch::default()
        })
    })?;
    Ok(())
}

fn parent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("farm.db");
    let id = Workspace::open(&path)
        .unwrap()
        .add(NewAccount::new(Platform::TikTok, SHARED))
        .unwrap()
        .id;
    let exe = env::current_exe().unwrap();
    let children: Vec<_> = (0..WRITERS)
        .map(|w| {
            Command::new(&exe)
                .env("FARMHAND_TEST_WRITER", w.to_string())
                .env("FARMHAND_TEST_FILE", &path)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "a writer process failed: {status}");
    }
    let ws = Workspace::open(&path).unwrap();
    let shared = ws.get(id).unwrap();
    assert_eq!(
        shared.stats.followers,
        Some((WRITERS * ROUNDS) as u64),
        "lost counter updates"
    );
    let tags: BTreeSet<&String> = shared.tags.iter().collect();
    assert_eq!(tags.len(), WRITERS * ROUNDS, "lost tag adds");
    assert_eq!(
        ws.count(&AccountFilter::default()).unwrap(),
        WRITERS * ROUNDS + 1
    );
    let indexes: BTreeSet<u32> = ws.devices().unwrap().iter().map(|d| d.index).collect();
    assert_eq!(
        indexes,
        (1..=ROUNDS as u32).collect(),
        "device numbers must be dense and unique"
    );
}
