//! Simulated phones for hosts without hardware: a [`SimFleet`] built from a
//! scenario JSON (each phone speaks the ADB device protocol on a 127.0.0.1
//! port) and a private [`AdbServer`] (the real `adb` on a free port) to reach
//! them through, as real cloud phones are reached.
//!
//! Both stop when `stop()` is called or the object is released.

use std::sync::{Arc, Mutex};

use farmhand_sim::{Scenario, SimPhone};

use crate::device::AdbDriver;
use crate::error::Result;

/// Simulated phones, started from a scenario.
#[derive(uniffi::Object)]
pub struct SimFleet {
    fleet: Running<farmhand_sim::SimFleet>,
    phones: Vec<Arc<SimPhone>>,
}

#[uniffi::export]
impl SimFleet {
    /// Starts every phone of the JSON scenario (platform accounts, phones,
    /// apps, sessions); a malformed or inconsistent scenario is an error naming
    /// what is wrong.
    #[uniffi::constructor]
    pub fn from_json(scenario: String) -> Result<Self> {
        Self::start(&Scenario::from_json(&scenario)?)
    }

    /// Starts `phones` default phones: TikTok and Instagram installed, nobody logged in.
    #[uniffi::constructor]
    pub fn with_phones(phones: u32) -> Result<Self> {
        let scenario = Scenario::with_phones(phones as usize);
        scenario.validate()?;
        Self::start(&scenario)
    }

    /// The phones' serials (`127.0.0.1:PORT`), in scenario order.
    pub fn serials(&self) -> Vec<String> {
        self.phones.iter().map(|p| p.serial().to_owned()).collect()
    }

    /// Usernames logged in to the app `package` on the phone `serial`.
    pub fn logged_in(&self, serial: String, package: String) -> Result<Vec<String>> {
        let phone = self
            .phones
            .iter()
            .find(|p| p.serial() == serial)
            .ok_or_else(|| farmhand::Error::not_found(format!("device {serial}")))?;
        Ok(phone.logged_in(&package)?)
    }

    /// Stops every phone, closing their ports. Stopping twice is harmless.
    pub fn stop(&self) {
        self.fleet.stop();
    }
}

impl SimFleet {
    fn start(scenario: &Scenario) -> Result<Self> {
        let fleet = farmhand_sim::SimFleet::start(scenario)?;
        let phones = fleet.phones().to_vec();
        Ok(SimFleet {
            fleet: Running::new(fleet, "sim", "the fleet is stopped"),
            phones,
        })
    }
}

/// The real `adb` server on a free private port (never 5037), killed on `stop()`.
#[derive(uniffi::Object)]
pub struct AdbServer {
    server: Running<farmhand_sim::AdbServer>,
    port: u16,
}

#[uniffi::export]
impl AdbServer {
    /// Starts `adb` on a free port; a missing `adb` binary is a `Device` error.
    #[uniffi::constructor]
    pub fn start() -> Result<Self> {
        let server = farmhand_sim::AdbServer::start()?;
        Ok(AdbServer {
            port: server.port(),
            server: Running::new(server, "adb", "the adb server is stopped"),
        })
    }

    /// The server's address, `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `adb connect` a network phone (`ip:port`), waiting until it is online.
    pub fn connect(&self, address: String) -> Result<()> {
        self.server.with(|s| s.connect(&address))
    }

    /// A driver talking to this server.
    pub fn driver(&self) -> Arc<AdbDriver> {
        let driver = farmhand::device::AdbDriver::with_server(([127, 0, 0, 1], self.port).into());
        Arc::new(AdbDriver::from_engine(driver))
    }

    /// Kills the server. Stopping twice is harmless.
    pub fn stop(&self) {
        self.server.stop();
    }
}

/// A simulator part until it is stopped: dropping the engine value closes its
/// ports or kills its process.
struct Running<T> {
    value: Mutex<Option<T>>,
    /// The `Device` error's serial for a call after `stop()`.
    serial: &'static str,
    /// The `Device` error's message for a call after `stop()`.
    stopped: &'static str,
}

impl<T> Running<T> {
    fn new(value: T, serial: &'static str, stopped: &'static str) -> Self {
        Running {
            value: Mutex::new(Some(value)),
            serial,
            stopped,
        }
    }

    /// Runs `f` on the running value, or a `Device` error once stopped.
    fn with<R>(&self, f: impl FnOnce(&T) -> farmhand::Result<R>) -> Result<R> {
        let value = self.value.lock().unwrap_or_else(|e| e.into_inner());
        match value.as_ref() {
            Some(value) => Ok(f(value)?),
            None => Err(farmhand::Error::device(self.serial, self.stopped).into()),
        }
    }

    /// Drops the value (outside the lock). Stopping twice is harmless.
    fn stop(&self) {
        let value = self.value.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(value);
    }
}
