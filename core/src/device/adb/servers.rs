//! [`AdbServers`]: the phones of several adb servers (several PCs, or several
//! servers on one) driven as one fleet.
//!
//! Each phone is reached through the server it hangs off: a listing notes
//! which server reported each serial, and opening a phone goes there. A
//! serial that two servers report is refused when opened, naming both
//! servers, rather than driven through whichever answered first.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};

use super::AdbDriver;
use crate::device::{Device, DeviceDriver, DeviceInfo};
use crate::error::{Error, Result};

/// Phones through several adb servers, as one [`DeviceDriver`].
#[derive(Debug)]
pub struct AdbServers {
    drivers: Vec<AdbDriver>,
    /// The servers (indexes into `drivers`) each serial was last listed by.
    placed: Mutex<HashMap<String, Vec<usize>>>,
}

impl AdbServers {
    /// The servers of `drivers`, in order; `Validation` error (field `server`)
    /// when there is none or one is named twice.
    pub fn new(drivers: Vec<AdbDriver>) -> Result<Self> {
        if drivers.is_empty() {
            return Err(Error::validation(
                "server",
                "at least one adb server is needed",
            ));
        }
        for (i, driver) in drivers.iter().enumerate() {
            if drivers[..i].iter().any(|d| d.server() == driver.server()) {
                return Err(Error::validation(
                    "server",
                    format!("adb server {} is named twice", driver.server()),
                ));
            }
        }
        Ok(AdbServers {
            drivers,
            placed: Mutex::new(HashMap::new()),
        })
    }

    /// The servers, in the order given.
    pub fn servers(&self) -> Vec<SocketAddr> {
        self.drivers.iter().map(AdbDriver::server).collect()
    }

    /// Each server with what it lists (or why it could not be asked), in the
    /// order given: what `farmhand devices` shows, a server that is down
    /// beside the ones that answered.
    pub fn devices_by_server(&self) -> Vec<(SocketAddr, Result<Vec<DeviceInfo>>)> {
        let listed: Vec<(SocketAddr, Result<Vec<DeviceInfo>>)> = self
            .drivers
            .iter()
            .map(|d| (d.server(), d.devices()))
            .collect();
        let mut placed = HashMap::<String, Vec<usize>>::new();
        for (i, (_, devices)) in listed.iter().enumerate() {
            for info in devices.iter().flatten() {
                placed.entry(info.serial.clone()).or_default().push(i);
            }
        }
        *self.placed.lock().unwrap_or_else(PoisonError::into_inner) = placed;
        listed
    }

    /// The server holding `serial`, listing the servers again if it is unknown.
    fn server_of(&self, serial: &str) -> Result<&AdbDriver> {
        let known = self
            .placed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(serial)
            .cloned();
        let on = match known {
            Some(on) => on,
            None => {
                self.devices_by_server();
                self.placed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(serial)
                    .cloned()
                    .unwrap_or_default()
            }
        };
        match on.as_slice() {
            [] => Err(Error::not_found(format!(
                "device {serial} on the adb servers {}",
                self.names()
            ))),
            [one] => Ok(&self.drivers[*one]),
            several => Err(Error::device(
                serial,
                format!(
                    "listed by several adb servers ({}): serials must be unique across a farm",
                    several
                        .iter()
                        .map(|i| self.drivers[*i].server().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    fn names(&self) -> String {
        self.servers()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl DeviceDriver for AdbServers {
    /// Every server's phones. One server that cannot be asked fails the
    /// listing, naming it: a fleet run never goes ahead with a PC's phones
    /// silently missing ([`AdbServers::devices_by_server`] shows the rest).
    fn devices(&self) -> Result<Vec<DeviceInfo>> {
        let mut all = Vec::new();
        for (_, devices) in self.devices_by_server() {
            all.extend(devices?);
        }
        Ok(all)
    }

    fn open(&self, serial: &str) -> Result<Box<dyn Device>> {
        self.server_of(serial)?.open(serial)
    }

    /// Attaches a network phone through the first server.
    fn connect(&self, address: &str) -> Result<()> {
        self.drivers[0].connect(address)
    }

    /// Detaches a network phone from the server holding it (the first one
    /// when none lists it).
    fn disconnect(&self, address: &str) -> Result<()> {
        match self.server_of(address) {
            Ok(driver) => driver.disconnect(address),
            Err(e) if e.kind() == crate::ErrorKind::NotFound => self.drivers[0].disconnect(address),
            Err(e) => Err(e),
        }
    }
}
