//! Several processes race for one roster's accounts through leases, on each
//! store that serves several processes (an SQLite file, a PostgreSQL
//! database): every account is processed exactly once, and the accounts of a
//! holder killed mid-run (`kill -9`) are taken over once its leases expire.
//!
//! A plain `main` (`harness = false`): the test re-executes itself as the
//! worker processes, told apart by `FARMHAND_RACE_ROLE`.

#[cfg(feature = "postgres")]
mod pg_support;

use std::collections::BTreeMap;
use std::env;
use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use farmhand::store::{AccountFilter, BatchOp, Holder, LeaseSubject};
use farmhand::{AccountPatch, Error, NewAccount, Platform, Result, Timestamp, Workspace};

const ACCOUNTS: usize = 200;
const WORKERS: usize = 4;
/// Accounts the holder that is killed takes before it dies.
const CRASHER_TAKES: usize = 20;
/// The killed holder's lease: its accounts wait this long for a taker.
const CRASHER_TTL: Duration = Duration::from_millis(1500);
/// A live worker's lease (each account takes milliseconds).
const WORKER_TTL: Duration = Duration::from_secs(30);
/// A worker that is still busy after this has failed.
const GIVE_UP: Duration = Duration::from_secs(120);

fn main() -> ExitCode {
    match (
        env::var("FARMHAND_RACE_ROLE"),
        env::var("FARMHAND_RACE_TARGET"),
    ) {
        (Ok(role), Ok(target)) => match child(&role, &target) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{role}: {e} ({:?})", e.kind());
                ExitCode::FAILURE
            }
        },
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("farm.db");
            race("sqlite", file.to_str().unwrap());
            postgres_race();
            ExitCode::SUCCESS
        }
    }
}

#[cfg(feature = "postgres")]
fn postgres_race() {
    if let Some(schema) = pg_support::Schema::fresh() {
        race("postgres", &schema.url);
    }
}

#[cfg(not(feature = "postgres"))]
fn postgres_race() {
    eprintln!("NOT RUN: the PostgreSQL race (built without the `postgres` feature)");
}

fn not_done() -> AccountFilter {
    AccountFilter {
        logged_in: Some(false),
        ..AccountFilter::default()
    }
}

fn child(role: &str, target: &str) -> Result<()> {
    let ws = Workspace::open(target)?;
    let leases = ws.store().leases();
    let holder = Holder::unique();
    if role == "crasher" {
        let before = Timestamp::now();
        let taken = leases.claim_accounts(&not_done(), &holder, CRASHER_TTL, CRASHER_TAKES)?;
        let ids: Vec<String> = taken.iter().map(|a| a.id.to_string()).collect();
        println!("{} {}", before.0, ids.join(","));
        // Holds its leases, never works them: the parent kills it.
        std::thread::sleep(GIVE_UP);
        return Err(Error::storage("the crasher was not killed"));
    }
    let started = Instant::now();
    let mut processed = 0;
    loop {
        if started.elapsed() > GIVE_UP {
            return Err(Error::storage(format!("still busy after {GIVE_UP:?}")));
        }
        let claimed = leases.claim_accounts(&not_done(), &holder, WORKER_TTL, 5)?;
        if claimed.is_empty() {
            if ws.count(&not_done())? == 0 {
                break;
            }
            // What is left is leased elsewhere (alive, or dead until expiry).
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        for account in claimed {
            ws.store().update_with(account.id, &mut |current| {
                if current.logged_in {
                    return Err(Error::validation(
                        "race",
                        format!("{} processed twice", current.username),
                    ));
                }
                let mut tags = current.tags.clone();
                tags.push(format!("by-{role}"));
                Ok(AccountPatch {
                    logged_in: Some(true),
                    tags: Some(tags),
                    ..AccountPatch::default()
                })
            })?;
            leases.release(&[LeaseSubject::Account(account.id)], &holder)?;
            processed += 1;
        }
    }
    println!("{processed}");
    Ok(())
}

fn race(store: &str, target: &str) {
    let ws = Workspace::open(target).unwrap();
    let ops = (0..ACCOUNTS)
        .map(|i| BatchOp::Create(NewAccount::new(Platform::TikTok, format!("acct{i}"))))
        .collect();
    ws.apply_batch(ops).unwrap();
    let exe = env::current_exe().unwrap();
    let spawn = |role: &str| {
        Command::new(&exe)
            .env("FARMHAND_RACE_ROLE", role)
            .env("FARMHAND_RACE_TARGET", target)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };

    let mut crasher = spawn("crasher");
    let mut line = String::new();
    BufReader::new(crasher.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let (before, ids) = line
        .trim()
        .split_once(' ')
        .expect("the crasher said what it took");
    let before: i64 = before.parse().unwrap();
    let crashed: Vec<i64> = ids.split(',').map(|id| id.parse().unwrap()).collect();
    assert_eq!(crashed.len(), CRASHER_TAKES, "{store}");

    let workers: Vec<_> = (0..WORKERS).map(|w| spawn(&format!("w{w}"))).collect();
    // Both alive for a while: the workers skip the crasher's accounts.
    std::thread::sleep(Duration::from_millis(200));
    crasher.kill().unwrap();
    crasher.wait().unwrap();

    let mut counts = Vec::new();
    for (w, worker) in workers.into_iter().enumerate() {
        let out = worker.wait_with_output().unwrap();
        assert!(out.status.success(), "{store}: worker {w} failed");
        counts.push(
            String::from_utf8(out.stdout)
                .unwrap()
                .trim()
                .parse::<usize>()
                .unwrap(),
        );
    }
    assert_eq!(
        counts.iter().sum::<usize>(),
        ACCOUNTS,
        "{store}: {counts:?}"
    );

    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for account in ws.list(&AccountFilter::default()).unwrap() {
        let marks: Vec<&String> = account
            .tags
            .iter()
            .filter(|t| t.starts_with("by-"))
            .collect();
        assert!(account.logged_in, "{store}: {} was lost", account.username);
        assert_eq!(
            marks.len(),
            1,
            "{store}: {} processed {} times",
            account.username,
            marks.len()
        );
        *by.entry(marks[0].clone()).or_default() += 1;
        if crashed.contains(&account.id.0) {
            assert!(
                account.updated_at.0 >= before + CRASHER_TTL.as_millis() as i64,
                "{store}: {} was taken from a live lease",
                account.username
            );
        }
    }
    assert!(by.len() > 1, "{store}: one worker did everything: {by:?}");
    println!("test {store}: {ACCOUNTS} accounts, {WORKERS} workers, one killed holder: each processed once ({by:?}) ... ok");
}
