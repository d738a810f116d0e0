//! [`AdbDriver`]: phones through an adb server, and how it lists them.

use std::time::Duration;

use crate::error::Result;

/// Phones through one adb server (a local one, or a remote `host:port`).
#[derive(Debug, uniffi::Object)]
pub struct AdbDriver(farmhand::device::AdbDriver);

#[uniffi::export]
impl AdbDriver {
    /// The adb server at `server` (`host:port` with a numeric IP, e.g.
    /// `127.0.0.1:5037`); anything else is a `Validation` error naming `server`.
    /// `server_timeout` limits requests the server answers itself (listing
    /// phones, connecting); none keeps the engine's default.
    #[uniffi::constructor(default(server_timeout = None))]
    pub fn new(server: String, server_timeout: Option<Duration>) -> Result<Self> {
        let driver = farmhand::device::AdbDriver::at(&server)?;
        Ok(AdbDriver(match server_timeout {
            Some(timeout) => driver.with_server_timeout(timeout),
            None => driver,
        }))
    }

    /// The local adb server: port 5037, or `ANDROID_ADB_SERVER_PORT`.
    #[uniffi::constructor]
    pub fn local() -> Result<Self> {
        Ok(AdbDriver(farmhand::device::AdbDriver::new()?))
    }

    /// The server's address, `host:port`.
    pub fn server(&self) -> String {
        self.0.server().to_string()
    }

    /// Every phone the server can see.
    pub fn devices(&self) -> Result<Vec<DeviceInfo>> {
        use farmhand::device::DeviceDriver;
        Ok(self.0.devices()?.into_iter().map(Into::into).collect())
    }
}

impl AdbDriver {
    /// Wraps an engine driver.
    pub(crate) fn from_engine(driver: farmhand::device::AdbDriver) -> Self {
        AdbDriver(driver)
    }

    /// The engine driver.
    pub(crate) fn engine(&self) -> &farmhand::device::AdbDriver {
        &self.0
    }
}

/// A phone as the adb server lists it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeviceInfo {
    /// USB serial or `ip:port`.
    pub serial: String,
    /// True when the phone is online and usable (state `device`).
    pub online: bool,
    /// The state as the server names it: `device`, `offline`, `unauthorized`, ...
    pub state: String,
    /// Model name, where known.
    pub model: Option<String>,
}

impl From<farmhand::device::DeviceInfo> for DeviceInfo {
    fn from(d: farmhand::device::DeviceInfo) -> Self {
        use farmhand::device::DeviceState;
        let state = match d.state {
            DeviceState::Device => "device".to_string(),
            DeviceState::Offline => "offline".to_string(),
            DeviceState::Unauthorized => "unauthorized".to_string(),
            DeviceState::Other(other) => other,
        };
        DeviceInfo {
            serial: d.serial,
            online: state == "device",
            state,
            model: d.model,
        }
    }
}
