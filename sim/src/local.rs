//! [`LocalDriver`]: the device traits over simulated phones, in process.
//!
//! Same phones, same shell, same faults as over TCP, minus the transport:
//! fast tests of everything above the device layer.

use std::sync::Arc;
use std::time::Duration;

use farmhand::device::{Device, DeviceDriver, DeviceInfo, DeviceState, ShellOutput, Transport};
use farmhand::error::{Error, Result};

use super::phone::SimPhone;

/// A [`DeviceDriver`] over simulated phones, without TCP or an adb server.
#[derive(Debug, Clone)]
pub struct LocalDriver {
    phones: Vec<Arc<SimPhone>>,
}

impl LocalDriver {
    /// A driver over these phones.
    pub fn new(phones: Vec<Arc<SimPhone>>) -> Self {
        LocalDriver { phones }
    }

    fn find(&self, serial: &str) -> Result<&Arc<SimPhone>> {
        self.phones
            .iter()
            .find(|p| p.serial() == serial)
            .ok_or_else(|| Error::not_found(format!("device {serial}")))
    }
}

impl DeviceDriver for LocalDriver {
    fn devices(&self) -> Result<Vec<DeviceInfo>> {
        Ok(self
            .phones
            .iter()
            .map(|p| DeviceInfo {
                serial: p.serial().to_string(),
                state: if p.is_online() {
                    DeviceState::Device
                } else {
                    DeviceState::Offline
                },
                model: Some(adb_sanitized(&p.spec().model)),
                transport: Transport::Local,
            })
            .collect())
    }

    fn open(&self, serial: &str) -> Result<Box<dyn Device>> {
        let phone = self.find(serial)?.clone();
        Ok(Box::new(LocalDevice { phone }))
    }

    fn connect(&self, address: &str) -> Result<()> {
        self.find(address).map(|_| ())
    }

    fn disconnect(&self, address: &str) -> Result<()> {
        self.find(address).map(|_| ())
    }
}

/// The model as `adb devices -l` shows it (every character but ASCII letters,
/// digits, `.` and `_` becomes `_`), so both ways in report the same model.
fn adb_sanitized(model: &str) -> String {
    model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One simulated phone opened through a [`LocalDriver`].
#[derive(Debug)]
pub struct LocalDevice {
    phone: Arc<SimPhone>,
}

impl Device for LocalDevice {
    fn serial(&self) -> &str {
        self.phone.serial()
    }

    fn shell(&mut self, command: &str, timeout: Duration) -> Result<ShellOutput> {
        let outcome = self.phone.shell(command, timeout)?;
        Ok(ShellOutput {
            stdout: String::from_utf8_lossy(&outcome.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&outcome.stderr).into_owned(),
            exit_code: outcome.code,
        })
    }

    fn pull(&mut self, path: &str, _timeout: Duration) -> Result<Vec<u8>> {
        if !self.phone.is_online() {
            return Err(Error::device(self.phone.serial(), "offline"));
        }
        self.phone
            .read_file(path)
            .ok_or_else(|| Error::not_found(format!("file {path} on {}", self.phone.serial())))
    }
}
