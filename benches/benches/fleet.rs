//! Fleet login: one TikTok account per phone logged in on 1 phone vs on 32
//! phones, through the real adb server, with fixed simulated latencies (dump
//! 100 ms, tap 50 ms). Budget (issue 6): wall time at 32 phones ≤ 1.5× the
//! wall time at 1 phone.
//!
//! Each sample starts fresh phones (nobody logged in) and a fresh roster; only
//! the `login` call is timed.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use farmhand::device::AdbDriver;
use farmhand::ops::{Outcome, RunOptions};
use farmhand::{NewAccount, Platform, Workspace};
use farmhand_benches::measuring;
use farmhand_sim::{
    AdbServer, AppKind, AppSpec, Latency, PhoneSpec, PlatformAccount, Scenario, SimFleet,
};

/// `phones` phones with TikTok, account `user{i}` existing for phone `i`.
fn scenario(phones: usize) -> Scenario {
    Scenario {
        accounts: (0..phones)
            .map(|i| PlatformAccount::new(Platform::TikTok, format!("user{i}"), format!("pw{i}")))
            .collect(),
        phones: (0..phones)
            .map(|_| PhoneSpec {
                apps: vec![AppSpec::new(AppKind::TikTok)],
                ..PhoneSpec::default()
            })
            .collect(),
        latency: Latency {
            dump_ms: 100,
            tap_ms: 50,
        },
        ..Scenario::default()
    }
}

/// Times one fleet login of one account per phone on fresh phones.
fn login_once(adb: &AdbServer, phones: usize) -> Duration {
    let fleet = SimFleet::start(&scenario(phones)).expect("simulated phones start");
    let ws = Workspace::in_memory();
    for (i, serial) in fleet.serials().iter().enumerate() {
        adb.connect(serial).expect("adb connect");
        ws.add(
            NewAccount::new(Platform::TikTok, format!("user{i}"))
                .device(serial.as_str())
                .password(format!("pw{i}").as_str()),
        )
        .expect("account added");
    }
    let driver = AdbDriver::with_server(adb.addr());
    let options = RunOptions {
        parallelism: 32,
        ..RunOptions::default()
    };
    let start = Instant::now();
    let report = ws.login(&driver, &options).expect("login runs");
    let took = start.elapsed();
    assert_eq!(
        report.summary.count(Outcome::LoggedIn),
        phones,
        "{:?}",
        report.results
    );
    for serial in fleet.serials() {
        adb.disconnect(&serial).expect("adb disconnect");
    }
    took
}

fn fleet_login(c: &mut Criterion) {
    let adb = AdbServer::start().expect("adb server starts (apt-get install adb)");
    let many = if measuring() { 32 } else { 4 };
    let mut group = c.benchmark_group("fleet");
    group.sample_size(10);
    for phones in [1, many] {
        group.bench_function(
            format!("login_one_account_per_phone/{phones}_phones"),
            |b| b.iter_custom(|iters| (0..iters).map(|_| login_once(&adb, phones)).sum()),
        );
    }
    group.finish();
}

criterion_group!(benches, fleet_login);
criterion_main!(benches);
