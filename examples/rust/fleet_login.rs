//! Fleet login with progress: simulated phones (through a private real adb
//! server when `adb` is installed, in process otherwise), an account per app
//! per phone (the Instagram ones with 2FA), a login run that prints each
//! account as it finishes, then the summary.
//!
//! Run: `cargo run -p farmhand-examples --example fleet_login [PHONES]` (default 8).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use farmhand::device::{AdbDriver, DeviceDriver};
use farmhand::ops::{Event, RunOptions};
use farmhand::{Error, NewAccount, Platform, Result, Secret, Workspace};
use farmhand_sim::{AdbServer, PlatformAccount, Scenario, SimFleet};

const KEY: &str = "JBSWY3DPEHPK3PXP";

fn main() -> Result<ExitCode> {
    let phones: usize = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|_| Error::validation("PHONES", format!("'{arg}' is not a number")))?,
        None => 8,
    };
    let mut scenario = Scenario::with_phones(phones);
    for i in 0..phones {
        scenario.accounts.push(PlatformAccount::new(
            Platform::TikTok,
            format!("tt_{i}"),
            format!("tt-pw-{i}"),
        ));
        let mut ig =
            PlatformAccount::new(Platform::Instagram, format!("ig_{i}"), format!("ig-pw-{i}"));
        ig.totp_secret = Some(Secret::new(KEY));
        scenario.accounts.push(ig);
    }
    let fleet = SimFleet::start(&scenario)?;

    // The real adb server on a private port when adb is installed.
    let server = AdbServer::start()
        .inspect_err(|e| println!("no adb server ({e})"))
        .ok();
    let driver: Box<dyn DeviceDriver> = match &server {
        Some(server) => {
            for serial in fleet.serials() {
                server.connect(&serial)?;
                server.wait_for_state(&serial, "device", Duration::from_secs(20))?;
            }
            println!(
                "{phones} phones through the adb server at {}",
                server.addr()
            );
            Box::new(AdbDriver::with_server(server.addr()))
        }
        None => {
            println!("{phones} phones in process");
            Box::new(fleet.local_driver())
        }
    };

    let ws = Workspace::in_memory();
    for (i, serial) in fleet.serials().iter().enumerate() {
        ws.add(
            NewAccount::new(Platform::TikTok, format!("tt_{i}"))
                .password(format!("tt-pw-{i}"))
                .device(serial.as_str()),
        )?;
        ws.add(
            NewAccount::new(Platform::Instagram, format!("ig_{i}"))
                .password(format!("ig-pw-{i}"))
                .totp_key(KEY)
                .device(serial.as_str()),
        )?;
    }

    let started = Instant::now();
    let options = RunOptions {
        observer: Arc::new(move |event: &Event| match event {
            Event::Started {
                accounts, phones, ..
            } => {
                println!("login: {accounts} accounts on {phones} phones")
            }
            Event::AccountDone {
                result,
                done,
                total,
            } => println!(
                "[{done:>3}/{total}] {:>6.2?} {} {:<6} on {}: {}",
                started.elapsed(),
                result.platform,
                result.username,
                result.device.as_deref().unwrap_or("-"),
                result.outcome
            ),
            _ => {}
        }),
        ..RunOptions::default()
    };
    let report = ws.login(driver.as_ref(), &options)?;
    let s = &report.summary;
    println!(
        "done in {:.2?}: {} succeeded, {} skipped, {} failed",
        started.elapsed(),
        s.succeeded,
        s.skipped,
        s.failed
    );
    Ok(if s.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
