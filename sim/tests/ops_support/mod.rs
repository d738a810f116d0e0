//! A simulated fleet reached through the real `adb` server, and a roster to
//! drive it: what the `ops_*` end-to-end tests share.

#![allow(dead_code)] // Each test binary uses its own part of the helpers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use farmhand::device::AdbDriver;
use farmhand::ops::{Event, RunOptions};
use farmhand::{Platform, Workspace};
use farmhand_sim::{AdbServer, AppKind, AppSpec, PlatformAccount, Scenario, SimFleet};

/// The authenticator key of the 2FA accounts.
pub const KEY: &str = "JBSWY3DPEHPK3PXP";
/// Another valid key, which the platform does not expect.
pub const OTHER_KEY: &str = "GEZDGNBVGY3TQOJQ";

/// Simulated phones behind a private real adb server, with an empty roster.
pub struct World {
    pub fleet: SimFleet,
    pub adb: AdbServer,
    pub driver: AdbDriver,
    pub ws: Workspace,
}

impl World {
    /// Starts the phones of `scenario`, a private adb server, and connects every phone.
    pub fn start(scenario: &Scenario) -> World {
        let fleet = SimFleet::start(scenario).expect("the simulated fleet starts");
        let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
        for serial in fleet.serials() {
            adb.connect(&serial).expect("adb connect");
        }
        let driver = AdbDriver::with_server(adb.addr());
        World {
            fleet,
            adb,
            driver,
            ws: Workspace::in_memory(),
        }
    }

    /// The serial of phone `i`.
    pub fn serial(&self, i: usize) -> String {
        self.fleet.serials()[i].clone()
    }

    /// Every command line phone `i` has run so far.
    pub fn commands(&self, i: usize) -> Vec<String> {
        self.fleet.phones()[i].command_log()
    }

    /// Usernames logged in to `package` on phone `i`, as the simulation knows them.
    pub fn sessions(&self, i: usize, package: &str) -> Vec<String> {
        self.fleet.phones()[i].logged_in(package).unwrap()
    }
}

/// Options for tests: short waits so a failure costs seconds, not minutes.
pub fn options() -> RunOptions {
    RunOptions {
        screen_timeout: Duration::from_secs(8),
        command_timeout: Duration::from_secs(8),
        ..RunOptions::default()
    }
}

/// Options whose observer records every event.
pub fn recorded_options() -> (RunOptions, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let options = RunOptions {
        observer: Arc::new(move |e: &Event| sink.lock().unwrap().push(e.clone())),
        ..options()
    };
    (options, events)
}

/// A platform account with a password and numbers.
pub fn platform_account(platform: Platform, name: &str, password: &str) -> PlatformAccount {
    PlatformAccount::new(platform, name, password)
}

/// An app spec with these sessions logged in.
pub fn app(kind: AppKind, logged_in: &[&str]) -> AppSpec {
    AppSpec {
        logged_in: logged_in.iter().map(|s| s.to_string()).collect(),
        ..AppSpec::new(kind)
    }
}

/// True when any `input text` command of these lines types `needle`.
pub fn typed(commands: &[String], needle: &str) -> bool {
    commands
        .iter()
        .any(|c| c.contains("input text") && c.contains(needle))
}
