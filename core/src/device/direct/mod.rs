//! [`DirectDriver`]: phones' own TCP adbd (cloud phones at `ip:port`), reached
//! without any adb server, through adb_client's `ADBTcpDevice` (feature `adb-direct`).
//!
//! adb_client speaks the device side of adb itself: CNXN, AUTH with the host's
//! RSA key when the phone asks (sending the public key for the user to accept
//! if the phone does not know it), and STLS when the phone asks for TLS. The
//! driver adds what adb_client 3.2.3 lacks (read in its source; the key and
//! timeout facts are pinned in `tests/device_adb_client_facts.rs`, the rest by
//! the simulated phones of `farmhand-sim`'s `device_direct.rs`): every call is
//! bounded by the caller's timeout, and a phone that hangs up is an error, not a
//! hang (see `link`); the key file exists before adb_client reads it (see
//! `key`); the exit code comes from a marker line, as in
//! [`AdbDriver`](super::AdbDriver)'s shell v1.
//!
//! ```no_run
//! use farmhand::device::DirectDriver;
//! use farmhand::ops::RunOptions;
//! use farmhand::Workspace;
//!
//! fn main() -> farmhand::Result<()> {
//!     let ws = Workspace::open("farm.farmhand")?;
//!     let driver = DirectDriver::new(["10.0.0.7:5555", "10.0.0.8:5555"])?
//!         .with_key("/srv/farm/adbkey"); // default ~/.android/adbkey, created if missing
//!     let report = ws.login(&driver, &RunOptions::default())?;
//!     println!("{:?}", report.summary);
//!     Ok(())
//! }
//! ```
//!
//! Limits, honestly:
//! - adb_client's one-shot shell is v1 (`shell:`): standard error arrives merged
//!   into [`ShellOutput::stdout`] and `stderr` is always empty; a command that
//!   runs `exit` itself ends before the marker and is reported as having no exit status;
//! - a phone whose adbd does not know the key waits for the user's approval, and
//!   adb_client waits up to 10 s for it: give `connect` or `open` that long;
//! - TLS (STLS) accepts whatever certificate the phone shows (adb pairs keys,
//!   not certificates), and rustls writes the session's secrets to the file
//!   named by `SSLKEYLOGFILE` when that is set;
//! - adb_client allocates whatever payload length a message header announces
//!   (up to 4 GiB) before reading it: connect only to phones you trust;
//! - after each command adb_client waits 20 ms for a repeated CLSE;
//! - host names are not resolved: addresses are `ip:port`;
//! - one connection per opened phone, kept between calls and made again after
//!   a failure; [`DeviceDriver::devices`] connects to every address to tell
//!   `device` from `offline`, and knows no model.

mod key;
mod link;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use adb_client::tcp::ADBTcpDevice;
use adb_client::{ADBDeviceExt, RustADBError};

pub use key::{default_key_path, MAX_KEY_FILE};
use link::{failure_error, Failure, Link};

use super::adb::host_protocol::SYNC_PATH_MAX;
use super::adb::{split_v1_marker, V1_MARKER};
use super::{command_label, Device, DeviceDriver, DeviceInfo, DeviceState, ShellOutput, Transport};
use crate::error::{Error, Result};

/// Time limit of a connection and its handshake (`open`, `connect`, each probe of `devices`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Most bytes a shell command's output or a pulled file may have (default).
pub const OUTPUT_LIMIT: usize = 64 * 1024 * 1024;

/// Longest command line accepted, well under adbd's 1 MiB message limit.
pub const MAX_COMMAND: usize = 256 * 1024;

/// Most phones probed at once by [`DeviceDriver::devices`].
const PROBES_AT_ONCE: usize = 16;

/// Phones at fixed `ip:port` addresses, each reached straight at its adbd.
#[derive(Debug)]
pub struct DirectDriver {
    addresses: Mutex<Vec<SocketAddr>>,
    key: PathBuf,
    connect_timeout: Duration,
    output_limit: usize,
}

impl DirectDriver {
    /// A driver over these addresses (`10.0.0.7:5555`, `[::1]:5555`), with the
    /// key of the local adb server ([`default_key_path`]); duplicates count once.
    pub fn new<I, S>(addresses: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut list = Vec::new();
        for address in addresses {
            let address = parse_address(address.as_ref())?;
            if !list.contains(&address) {
                list.push(address);
            }
        }
        Ok(DirectDriver {
            addresses: Mutex::new(list),
            key: default_key_path()?,
            connect_timeout: CONNECT_TIMEOUT,
            output_limit: OUTPUT_LIMIT,
        })
    }

    /// Uses the adb key at `path` (created there, owner-only, if missing).
    pub fn with_key(mut self, path: impl Into<PathBuf>) -> Self {
        self.key = path.into();
        self
    }

    /// Sets the time limit of a connection and its handshake (default [`CONNECT_TIMEOUT`]).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the most bytes a command's output or a pulled file may have (default [`OUTPUT_LIMIT`]).
    pub fn with_output_limit(mut self, bytes: usize) -> Self {
        self.output_limit = bytes;
        self
    }

    /// The adb key's path.
    pub fn key_path(&self) -> &Path {
        &self.key
    }

    /// The addresses, as serials (`ip:port`).
    pub fn addresses(&self) -> Vec<String> {
        self.list().iter().map(SocketAddr::to_string).collect()
    }

    fn list(&self) -> Vec<SocketAddr> {
        self.addresses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A connection to `address`, handshake done, within the connect timeout.
    fn link(&self, address: SocketAddr, what: &str) -> Result<Link> {
        key::ensure_key(&self.key)?;
        Link::open(
            address,
            self.key.clone(),
            deadline_after(self.connect_timeout),
        )
        .map_err(|f| failure_error(f, &address.to_string(), what, self.connect_timeout))
    }
}

/// `ip:port` with a port other than 0; anything else is named in the error (cut short).
fn parse_address(text: &str) -> Result<SocketAddr> {
    match text.trim().parse::<SocketAddr>() {
        Ok(address) if address.port() != 0 => Ok(address),
        _ => {
            let shown: String = text.chars().take(64).collect();
            let cut = if shown.len() < text.len() { "…" } else { "" };
            Err(Error::validation(
                "address",
                format!(
                    "{shown:?}{cut} is not ip:port (IPv6 in brackets; host names are not resolved)"
                ),
            ))
        }
    }
}

/// `timeout` from now; one so long that it overflows waits a year.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600))
}

impl DeviceDriver for DirectDriver {
    fn devices(&self) -> Result<Vec<DeviceInfo>> {
        key::ensure_key(&self.key)?;
        let addresses = self.list();
        let mut states = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(PROBES_AT_ONCE) {
            std::thread::scope(|scope| {
                let probes: Vec<_> = chunk
                    .iter()
                    .map(|&address| {
                        std::thread::Builder::new()
                            .name("farmhand-direct-probe".into())
                            .spawn_scoped(scope, move || self.link(address, "probe").is_ok())
                    })
                    .collect();
                for probe in probes {
                    let online = probe.is_ok_and(|p| p.join().unwrap_or(false));
                    states.push(if online {
                        DeviceState::Device
                    } else {
                        DeviceState::Offline
                    });
                }
            });
        }
        Ok(addresses
            .iter()
            .zip(states)
            .map(|(address, state)| DeviceInfo {
                serial: address.to_string(),
                state,
                model: None,
                transport: Transport::Tcp,
            })
            .collect())
    }

    fn open(&self, serial: &str) -> Result<Box<dyn Device>> {
        let address = parse_address(serial)?;
        if !self.list().contains(&address) {
            return Err(Error::not_found(format!("device {serial}")));
        }
        let link = self.link(address, "connect")?;
        Ok(Box::new(DirectDevice {
            serial: address.to_string(),
            address,
            key: self.key.clone(),
            output_limit: self.output_limit,
            link: Some(link),
        }))
    }

    /// Connects once (handshake included) and adds the address to the list.
    fn connect(&self, address: &str) -> Result<()> {
        let parsed = parse_address(address)?;
        drop(self.link(parsed, "connect")?);
        let mut list = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        if !list.contains(&parsed) {
            list.push(parsed);
        }
        Ok(())
    }

    /// Removes the address from the list; phones already opened stay open.
    fn disconnect(&self, address: &str) -> Result<()> {
        let parsed = parse_address(address)?;
        let mut list = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        let before = list.len();
        list.retain(|a| *a != parsed);
        if list.len() == before {
            return Err(Error::not_found(format!("device {address}")));
        }
        Ok(())
    }
}

/// One phone opened through a [`DirectDriver`]: one adbd connection, kept between calls.
pub struct DirectDevice {
    serial: String,
    address: SocketAddr,
    key: PathBuf,
    output_limit: usize,
    link: Option<Link>,
}

impl std::fmt::Debug for DirectDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectDevice")
            .field("serial", &self.serial)
            .field("connected", &self.link.is_some())
            .finish_non_exhaustive()
    }
}

impl DirectDevice {
    /// Runs `op` on the connection (made again first if the last call lost it),
    /// all by `deadline`. The outer error is the key's; the inner one the call's.
    fn call<T, F>(&mut self, deadline: Instant, op: F) -> Result<Result<T, Failure>>
    where
        T: Send + 'static,
        F: FnOnce(&mut ADBTcpDevice) -> adb_client::Result<T> + Send + 'static,
    {
        let link = match self.link.take() {
            Some(link) => link,
            None => {
                key::ensure_key(&self.key)?;
                match Link::open(self.address, self.key.clone(), deadline) {
                    Ok(link) => link,
                    Err(failure) => return Ok(Err(failure)),
                }
            }
        };
        let (result, link) = link.call(deadline, op);
        self.link = link;
        Ok(result)
    }
}

/// A writer that refuses to grow past `limit` bytes, so a phone cannot fill the
/// host's memory; adb_client passes its error up as an I/O error.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(data.len()) > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("more than the output limit of {} bytes", self.limit),
            ));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Device for DirectDevice {
    fn serial(&self) -> &str {
        &self.serial
    }

    fn shell(&mut self, command: &str, timeout: Duration) -> Result<ShellOutput> {
        let what = command_label(command);
        if command.len() > MAX_COMMAND {
            return Err(Error::validation(
                "command",
                format!(
                    "{} bytes is longer than the {MAX_COMMAND} bytes a command may have",
                    command.len()
                ),
            ));
        }
        if command.contains('\0') {
            // The service name ends at the first NUL: the rest would be lost unseen.
            return Err(Error::validation(
                "command",
                "a command cannot hold a NUL byte",
            ));
        }
        // The marker goes on a line of its own, so a trailing `#` comment cannot swallow it.
        let wrapped = format!("{command}\necho \"{V1_MARKER}$?\"");
        let limit = self.output_limit;
        let output = self.call(deadline_after(timeout), move |device| {
            let mut out = Capped {
                bytes: Vec::new(),
                limit,
            };
            device.shell_command(&wrapped, Some(&mut out), None)?;
            Ok(out.bytes)
        })?;
        let output = output.map_err(|f| failure_error(f, &self.serial, &what, timeout))?;
        split_v1_marker(&String::from_utf8_lossy(&output)).ok_or_else(|| {
            Error::device(
                &self.serial,
                format!("{what}: the shell ended without an exit status (phone offline, or the command ran `exit`)"),
            )
        })
    }

    fn pull(&mut self, path: &str, timeout: Duration) -> Result<Vec<u8>> {
        if path.is_empty() || path.len() > SYNC_PATH_MAX || path.contains('\0') {
            return Err(Error::validation(
                "path",
                format!("remote paths are 1 to {SYNC_PATH_MAX} bytes long, without NUL"),
            ));
        }
        let what = format!("pull {path}");
        let source = path.to_string();
        let limit = self.output_limit;
        let pulled = self.call(deadline_after(timeout), move |device| {
            let mut out = Capped {
                bytes: Vec::new(),
                limit,
            };
            device.pull(&source, &mut out)?;
            Ok(out.bytes)
        })?;
        pulled.map_err(|f| match f {
            // adb_client's words when STAT gives mode 0.
            Failure::Adb(RustADBError::UnknownResponseType(m)) if m.contains("does not exist") => {
                Error::not_found(format!("file {path} on {}", self.serial))
            }
            f => failure_error(f, &self.serial, &what, timeout),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_ip_and_port() {
        let driver = DirectDriver::new(["10.0.0.7:5555", " [::1]:5037 ", "10.0.0.7:5555"]).unwrap();
        assert_eq!(driver.addresses(), ["10.0.0.7:5555", "[::1]:5037"]);
        for bad in [
            "",
            "10.0.0.7",
            "phone.example:5555",
            "10.0.0.7:0",
            "10.0.0.7:70000",
            "::1:5555",
            "a b",
        ] {
            let err = DirectDriver::new([bad]).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Validation, "{bad:?}");
            assert!(err.to_string().contains("is not ip:port"), "{err}");
        }
        let huge = "9".repeat(100_000);
        let err = DirectDriver::new([huge.as_str()]).unwrap_err();
        assert!(
            err.to_string().len() < 300,
            "a huge address is cut short in the error"
        );
    }

    #[test]
    fn unknown_serials_and_bad_arguments_fail_before_any_connection() {
        let dir = tempfile::tempdir().unwrap();
        let driver = DirectDriver::new(["127.0.0.1:5555"])
            .unwrap()
            .with_key(dir.path().join("adbkey"));
        assert_eq!(
            driver.open("127.0.0.1:5556").err().unwrap().kind(),
            crate::ErrorKind::NotFound
        );
        assert_eq!(
            driver.open("emulator-5554").err().unwrap().kind(),
            crate::ErrorKind::Validation
        );
        assert_eq!(
            driver.disconnect("127.0.0.1:5556").unwrap_err().kind(),
            crate::ErrorKind::NotFound
        );
        driver.disconnect("127.0.0.1:5555").unwrap();
        assert!(driver.addresses().is_empty());
        assert!(
            !dir.path().join("adbkey").exists(),
            "no key is made for refused arguments"
        );
    }

    #[test]
    fn the_output_limit_is_an_error_not_a_truncation() {
        use std::io::Write;
        let mut out = Capped {
            bytes: Vec::new(),
            limit: 4,
        };
        out.write_all(b"abcd").unwrap();
        let err = out.write_all(b"e").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
        assert_eq!(out.bytes, b"abcd");
    }
}
