//! Two controllers (two PCs) share one PostgreSQL roster, each with its own
//! adb server and simulated phones, and one phone attached to both servers.
//! They run `login`, then `sync`, at the same time: no account and no phone
//! is ever driven by both at once, what one drives the other reports
//! `busy_elsewhere`, and every account ends logged in and synced.
//!
//! The PostgreSQL server is the one `.ci/run` starts (see `pg_support`).

mod ops_support;
#[path = "../../core/tests/pg_support/mod.rs"]
mod pg_support;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use farmhand::device::AdbDriver;
use farmhand::ops::{Event, Outcome, Report, RunOptions};
use farmhand::store::AccountFilter;
use farmhand::{AccountId, NewAccount, Platform, Workspace};
use farmhand_sim::{AdbServer, AppKind, Latency, PhoneSpec, Scenario, SimFleet};
use ops_support::*;

/// Phones: 0-1 on PC 1's server, 2-3 on PC 2's, 4 on both.
const SHARED: usize = 4;
const PHONES: usize = 5;
const PER_PHONE: usize = 2;

/// Steps one controller took on each phone, with when.
type Steps = Arc<Mutex<Vec<(Instant, String)>>>;

fn name(phone: usize, k: usize) -> String {
    format!("p{phone}_{k}")
}

struct Controller {
    ws: Workspace,
    driver: AdbDriver,
    phones: Vec<String>,
}

impl Controller {
    /// Runs `workflow` on this controller's phones, recording its steps and
    /// telling `first_shared` when it first touches the shared phone.
    fn run(
        &self,
        workflow: fn(&Workspace, &AdbDriver, &RunOptions) -> farmhand::Result<Report>,
        steps: &Steps,
        shared: &str,
        first_shared: Option<mpsc::Sender<()>>,
    ) -> Report {
        let sink = steps.clone();
        let shared = shared.to_string();
        let first = Mutex::new(first_shared);
        let options = RunOptions {
            phones: Some(self.phones.clone()),
            observer: Arc::new(move |e: &Event| {
                if let Event::Step { device, .. } = e {
                    sink.lock().unwrap().push((Instant::now(), device.clone()));
                    if *device == shared {
                        if let Some(tx) = first.lock().unwrap().take() {
                            let _ = tx.send(());
                        }
                    }
                }
            }),
            ..options()
        };
        workflow(&self.ws, &self.driver, &options).unwrap()
    }
}

fn login(ws: &Workspace, d: &AdbDriver, o: &RunOptions) -> farmhand::Result<Report> {
    ws.login(d, o)
}

fn sync(ws: &Workspace, d: &AdbDriver, o: &RunOptions) -> farmhand::Result<Report> {
    ws.sync_profiles(d, o)
}

/// The spans of time each controller spent on `serial`, one per run: they
/// must never overlap between controllers.
fn assert_never_at_once(serial: &str, runs: &[(&str, &Steps)]) {
    let mut spans = Vec::new();
    for (who, steps) in runs {
        let on: Vec<Instant> = steps
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, device)| device == serial)
            .map(|(at, _)| *at)
            .collect();
        if let (Some(first), Some(last)) = (on.iter().min(), on.iter().max()) {
            spans.push((*who, *first, *last));
        }
    }
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            if a.0.split('/').next() != b.0.split('/').next() {
                assert!(
                    a.2 < b.1 || b.2 < a.1,
                    "{serial} was driven by {} and {} at once",
                    a.0,
                    b.0
                );
            }
        }
    }
}

#[test]
fn two_controllers_never_drive_one_account_or_phone_at_once() {
    let Some(schema) = pg_support::Schema::fresh() else {
        return;
    };
    let accounts: Vec<_> = (0..PHONES)
        .flat_map(|p| (0..PER_PHONE).map(move |k| (p, k)))
        .map(|(p, k)| {
            platform_account(Platform::TikTok, &name(p, k), &format!("pw-{}", name(p, k)))
        })
        .collect();
    let scenario = Scenario {
        phones: (0..PHONES)
            .map(|_| PhoneSpec {
                apps: vec![app(AppKind::TikTok, &[])],
                ..PhoneSpec::default()
            })
            .collect(),
        accounts,
        // Slow screens: a phone's accounts take long enough for the other
        // controller to arrive while the first is still on it.
        latency: Latency {
            dump_ms: 40,
            tap_ms: 0,
        },
        ..Scenario::default()
    };
    let fleet = SimFleet::start(&scenario).expect("the simulated fleet starts");
    let serials = fleet.serials();
    let server = |phones: &[usize]| {
        let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
        for &p in phones {
            adb.connect(&serials[p]).expect("adb connect");
        }
        adb
    };
    let (adb1, adb2) = (server(&[0, 1, SHARED]), server(&[2, 3, SHARED]));

    let roster = Workspace::open(&schema.url).unwrap();
    let mut ids: BTreeMap<AccountId, (usize, String)> = BTreeMap::new();
    for (p, serial) in serials.iter().enumerate() {
        for k in 0..PER_PHONE {
            let account = roster
                .add(
                    NewAccount::new(Platform::TikTok, name(p, k))
                        .device(serial)
                        .password(format!("pw-{}", name(p, k))),
                )
                .unwrap();
            ids.insert(account.id, (p, name(p, k)));
        }
    }
    let controller = |adb: &AdbServer, phones: &[usize]| Controller {
        ws: Workspace::open(&schema.url).unwrap(),
        driver: AdbDriver::with_server(adb.addr()),
        phones: phones.iter().map(|&p| serials[p].clone()).collect(),
    };
    let (pc1, pc2) = (
        controller(&adb1, &[0, 1, SHARED]),
        controller(&adb2, &[2, 3, SHARED]),
    );
    let shared = serials[SHARED].clone();
    let (steps1, steps2): (Steps, Steps) = Default::default();

    // Login: PC 2 starts once PC 1 is on the shared phone.
    let (tx, rx) = mpsc::channel();
    let (login1, login2) = std::thread::scope(|s| {
        let one = s.spawn(|| pc1.run(login, &steps1, &shared, Some(tx)));
        rx.recv_timeout(Duration::from_secs(60))
            .expect("PC 1 reached the shared phone");
        let two = s.spawn(|| pc2.run(login, &steps2, &shared, None));
        (one.join().unwrap(), two.join().unwrap())
    });
    assert_never_at_once(&shared, &[("pc1/login", &steps1), ("pc2/login", &steps2)]);
    for (id, (phone, username)) in &ids {
        let outcomes = [login1.outcome(*id), login2.outcome(*id)];
        let logged = outcomes
            .iter()
            .filter(|o| **o == Some(Outcome::LoggedIn))
            .count();
        assert_eq!(logged, 1, "{username}: {outcomes:?}");
        let typed_times = fleet.phones()[*phone]
            .command_log()
            .iter()
            .filter(|c| c.contains("input text") && c.contains(&format!("pw-{username}")))
            .count();
        assert_eq!(
            typed_times, 1,
            "{username}'s password typed {typed_times} times"
        );
        if *phone == SHARED {
            assert_eq!(outcomes[1], Some(Outcome::BusyElsewhere), "{username}");
        }
    }

    // Sync: both at once on everything they see.
    let (sync1, sync2) = std::thread::scope(|s| {
        let one = s.spawn(|| pc1.run(sync, &steps1, &shared, None));
        let two = s.spawn(|| pc2.run(sync, &steps2, &shared, None));
        (one.join().unwrap(), two.join().unwrap())
    });
    assert_never_at_once(&shared, &[("pc1/sync", &steps1), ("pc2/sync", &steps2)]);
    for (id, (_, username)) in &ids {
        let outcomes = [sync1.outcome(*id), sync2.outcome(*id)];
        assert!(
            outcomes.contains(&Some(Outcome::Synced)),
            "{username}: {outcomes:?}"
        );
    }
    let all = roster.list(&AccountFilter::default()).unwrap();
    assert_eq!(all.len(), PHONES * PER_PHONE);
    for account in all {
        assert!(
            account.logged_in && account.stats.synced_at.is_some(),
            "{}",
            account.username
        );
        assert_eq!(account.last_error, None, "{}", account.username);
    }
    // Every lease was given back.
    for serial in &serials {
        let phone = farmhand::store::LeaseSubject::Phone(serial.clone());
        assert_eq!(
            roster.store().leases().lease(&phone).unwrap(),
            None,
            "{serial}"
        );
    }
}
