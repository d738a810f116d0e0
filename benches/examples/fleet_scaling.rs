//! Fleet scaling, side by side in one run: logging in one account per phone on
//! 1 phone and on N phones (default 32), simulated phones with fixed latencies
//! behind the real adb server (private port). Best of --runs; fresh phones
//! (all logged out) for every run. Prints the two wall times and a
//! `COMPARE {json}` line for `benches/compare/run_all.py` (budget: N phones
//! take at most 1.5x the time of 1 phone).
//!
//!     cargo run --release -p farmhand-benches --example fleet_scaling -- [--phones 32] [--runs 3]

use std::time::{Duration, Instant};

use farmhand::device::AdbDriver;
use farmhand::ops::RunOptions;
use farmhand::{Error, NewAccount, Platform, Result, Workspace};
use farmhand_sim::{AdbServer, Latency, PlatformAccount, Scenario, SimFleet};

/// One account per phone, logged out, with fixed dump and tap latencies.
fn scenario(phones: usize) -> Scenario {
    let mut scenario = Scenario::with_phones(phones);
    scenario.latency = Latency {
        dump_ms: 100,
        tap_ms: 20,
    };
    scenario.accounts = (0..phones)
        .map(|i| PlatformAccount::new(Platform::TikTok, format!("user{i}"), format!("pw-{i}")))
        .collect();
    scenario
}

/// Wall time of one login run over `phones` fresh phones.
fn login_once(adb: &AdbServer, phones: usize) -> Result<Duration> {
    let fleet = SimFleet::start(&scenario(phones))?;
    let ws = Workspace::in_memory();
    for (i, serial) in fleet.serials().iter().enumerate() {
        adb.connect(serial)?;
        adb.wait_for_state(serial, "device", Duration::from_secs(20))?;
        ws.add(
            NewAccount::new(Platform::TikTok, format!("user{i}"))
                .password(format!("pw-{i}"))
                .device(serial.as_str()),
        )?;
    }
    let driver = AdbDriver::with_server(adb.addr());
    let started = Instant::now();
    let report = ws.login(&driver, &RunOptions::default())?;
    let elapsed = started.elapsed();
    for serial in fleet.serials() {
        adb.disconnect(&serial)?;
    }
    if report.summary.succeeded != phones {
        return Err(Error::validation(
            "fleet_scaling",
            format!(
                "{} of {phones} logins succeeded: {:?}",
                report.summary.succeeded, report.summary
            ),
        ));
    }
    Ok(elapsed)
}

fn best(adb: &AdbServer, phones: usize, runs: usize) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        best = best.min(login_once(adb, phones)?.as_secs_f64());
    }
    Ok(best)
}

fn arg(name: &str, default: usize) -> Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .filter(|&v| v > 0)
            .ok_or_else(|| Error::validation(name, "expects a positive number")),
        None => Ok(default),
    }
}

fn main() -> Result<()> {
    let phones = arg("--phones", 32)?;
    let runs = arg("--runs", 3)?;
    let adb = AdbServer::start()?;
    let one = best(&adb, 1, runs)?;
    let many = best(&adb, phones, runs)?;
    let ratio = one / many;
    println!(
        "fleet login, one account per phone: 1 phone {one:.3} s, {phones} phones {many:.3} s \
         -> {phones} phones take {:.2}x the time of 1 (budget <= 1.5)",
        many / one
    );
    println!(
        "COMPARE {{\"name\": \"fleet login, one account per phone: {phones} phones vs 1\", \
         \"n\": {phones}, \"ours\": \"{phones} phones\", \"ours_s\": {many}, \
         \"peer\": \"1 phone\", \"peer_s\": {one}, \"ratio\": {ratio}, \
         \"min_ratio\": {}, \"met\": {}}}",
        1.0 / 1.5,
        ratio >= 1.0 / 1.5
    );
    Ok(())
}
