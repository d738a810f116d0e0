//! [`AdbDriver`]: phones through an adb server (local or remote).
//!
//! Built beside adb_client 3.2.3 rather than on its I/O, because (verified in its
//! source and against the real server, see `tests/device_adb_client_facts.rs`,
//! built with the `adb-direct` feature): `ADBServer` runs `adb start-server`
//! before every request on a loopback address (a process per call, and one that
//! starts a server on the *default* port when ours is private); its TCP transport
//! has no read/write timeouts and hides the stream, so a hung phone hangs the
//! caller; its shell-v2 reader returns `Ok(None)` instead of the exit code the
//! phone sent; `Box<dyn ADBDeviceExt>` is not `Send`. So the wire is spoken by
//! [`host_protocol`] (socket timeouts from a deadline, no process spawned), and
//! the protocol vocabulary (device states, host features) is read by farmhand's
//! own `listing`: the default build carries no adb_client, and so no TLS or
//! RSA crates.

pub mod host_protocol;
mod listing;
mod servers;
mod slots;

use std::net::{Ipv4Addr, SocketAddr};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use host_protocol::{
    HostStream, ShellBytes, WireError, WireResult, DEFAULT_MAX_OUTPUT, SYNC_PATH_MAX,
};
pub use listing::{looks_like_network, parse_devices_long};
pub use servers::AdbServers;
pub use slots::DEFAULT_MAX_CONNECTIONS;
use slots::{Slot, Slots};

use super::{command_label, Device, DeviceDriver, DeviceInfo, ShellOutput};
use crate::error::{Error, Result};

/// The adb server's default port.
pub const DEFAULT_PORT: u16 = 5037;

/// Time limit of requests the server answers itself (list, features, disconnect).
pub const SERVER_TIMEOUT: Duration = Duration::from_secs(10);

/// Time limit of `connect`: the server itself waits for the phone.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Phones through one adb server.
///
/// Each command is one connection to the server; at most
/// [`DEFAULT_MAX_CONNECTIONS`] are open at once (see
/// [`AdbDriver::with_max_connections`]), shared by the driver's clones and the
/// phones it opened.
#[derive(Debug, Clone)]
pub struct AdbDriver {
    server: SocketAddr,
    server_timeout: Duration,
    max_output: usize,
    slots: Arc<Slots>,
}

impl PartialEq for AdbDriver {
    fn eq(&self, other: &Self) -> bool {
        self.server == other.server
            && self.server_timeout == other.server_timeout
            && self.max_output == other.max_output
            && self.slots.max() == other.slots.max()
    }
}

impl Eq for AdbDriver {}

/// A connection to the server holding its place in the driver's budget.
struct Connection {
    stream: HostStream,
    _slot: Slot,
}

impl Deref for Connection {
    type Target = HostStream;
    fn deref(&self) -> &HostStream {
        &self.stream
    }
}

impl DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut HostStream {
        &mut self.stream
    }
}

/// Waits for a place in `slots`, then connects to `server` within `timeout`
/// (the wait for a place does not count against it).
fn connect(slots: &Arc<Slots>, server: SocketAddr, timeout: Duration) -> WireResult<Connection> {
    let slot = slots.take();
    Ok(Connection {
        stream: HostStream::connect(server, timeout)?,
        _slot: slot,
    })
}

impl AdbDriver {
    /// The local server: `127.0.0.1:5037`, or the port in `ANDROID_ADB_SERVER_PORT`
    /// (an invalid value is a `Validation` error, never silently 5037).
    pub fn new() -> Result<Self> {
        let port = match std::env::var("ANDROID_ADB_SERVER_PORT") {
            Ok(value) => parse_port(&value)?,
            Err(_) => DEFAULT_PORT,
        };
        Ok(Self::with_server(SocketAddr::from((
            Ipv4Addr::LOCALHOST,
            port,
        ))))
    }

    /// The server at `server` (a remote one works too).
    pub fn with_server(server: SocketAddr) -> Self {
        AdbDriver {
            server,
            server_timeout: SERVER_TIMEOUT,
            max_output: DEFAULT_MAX_OUTPUT,
            slots: Slots::new(DEFAULT_MAX_CONNECTIONS),
        }
    }

    /// Holds at most `connections` connections to the server open at once
    /// (default [`DEFAULT_MAX_CONNECTIONS`]; 0 counts as 1): further commands
    /// wait for one to close, and their time limit starts once connected.
    /// Clones made afterwards, and the phones they open, share the cap.
    ///
    /// Raise it with more phones than that worked at once, after raising the
    /// server's own descriptor limit (`ulimit -n` in the shell that runs
    /// `adb start-server`): the server needs one per network phone and one
    /// per connection.
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.slots = Slots::new(connections);
        self
    }

    /// The most connections held open to the server at once.
    pub fn max_connections(&self) -> usize {
        self.slots.max()
    }

    /// Caps what one command on a phone may bring back, stdout and stderr
    /// together or a pulled file (default [`DEFAULT_MAX_OUTPUT`]): more is a
    /// `Device` error for that phone, raised before the excess is held.
    pub fn with_max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    /// The server at `address`, `host:port` with a numeric IP as bindings and
    /// hosts give it (`127.0.0.1:5037`); anything else is a `Validation` error
    /// naming the field `server`.
    pub fn at(address: &str) -> Result<Self> {
        let server = address.trim().parse::<SocketAddr>().map_err(|_| {
            Error::validation(
                "server",
                format!(
                    "expected 'host:port' with a numeric IP (e.g. '127.0.0.1:5037'), not '{}'",
                    crate::account::printable(address)
                ),
            )
        })?;
        Ok(Self::with_server(server))
    }

    /// Sets the time limit of requests the server answers itself (default [`SERVER_TIMEOUT`]).
    pub fn with_server_timeout(mut self, timeout: Duration) -> Self {
        self.server_timeout = timeout;
        self
    }

    /// The server's address.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The server's protocol version (`host:version`), e.g. 41.
    pub fn version(&self) -> Result<u32> {
        let body = self.ask("host:version", "adb server version", self.server_timeout)?;
        let text = String::from_utf8_lossy(&body);
        u32::from_str_radix(text.trim(), 16).map_err(|_| {
            Error::device(
                self.server_name(),
                format!("unexpected version reply {text:?}"),
            )
        })
    }

    fn server_name(&self) -> String {
        format!("adb server {}", self.server)
    }

    /// One request whose reply is a hex-length block.
    fn ask(&self, service: &str, what: &str, timeout: Duration) -> Result<Vec<u8>> {
        let fail = |e| wire_error(self.server, None, what, timeout, e);
        let mut stream = connect(&self.slots, self.server, timeout).map_err(fail)?;
        stream.request(service).map_err(fail)?;
        stream.read_hex_block().map_err(fail)
    }

    fn features(&self, serial: &str) -> Result<String> {
        let body = self
            .ask(
                &format!("host-serial:{serial}:features"),
                &format!("features of {serial}"),
                self.server_timeout,
            )
            .map_err(|e| device_not_found(e, serial))?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

/// `ANDROID_ADB_SERVER_PORT` as adb reads it: a decimal port 1..=65535.
fn parse_port(value: &str) -> Result<u16> {
    value
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| {
            Error::validation(
                "ANDROID_ADB_SERVER_PORT",
                format!("{value:?} is not a port number (1-65535)"),
            )
        })
}

/// Serials and addresses travel inside protocol strings: no spaces or control characters.
fn check_serial(field: &str, serial: &str) -> Result<()> {
    if serial.is_empty()
        || serial.len() > 256
        || serial.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::validation(
            field,
            format!("{serial:?} is not a device serial or ip:port"),
        ));
    }
    Ok(())
}

/// The server says `device 'X' not found` for serials it does not know.
fn device_not_found(e: Error, serial: &str) -> Error {
    match &e {
        Error::Device { message, .. } if message.contains("not found") => {
            Error::not_found(format!("device {serial}"))
        }
        _ => e,
    }
}

/// Turns a wire failure into an error naming the server or phone and what was asked.
fn wire_error(
    server: SocketAddr,
    serial: Option<&str>,
    what: &str,
    timeout: Duration,
    e: WireError,
) -> Error {
    let who = serial.map_or_else(|| format!("adb server {server}"), str::to_string);
    match e {
        WireError::Refused(io) => Error::device(
            format!("adb server {server}"),
            format!(
                "no adb server at {server} ({io}); start one with `adb start-server` \
                 (another port: `adb -P PORT start-server` and ANDROID_ADB_SERVER_PORT=PORT)"
            ),
        )
        .with_source(io),
        WireError::Timeout => Error::Timeout {
            what: format!("{what} on {who}"),
            after: timeout,
        },
        WireError::Closed => Error::device(
            who,
            format!("connection closed during {what} (phone offline or server gone)"),
        ),
        WireError::Io(io) => Error::device(who, format!("{what}: {io}")).with_source(io),
        WireError::Fail(message) => Error::device(who, format!("{what}: {message}")),
        WireError::Protocol(message) => Error::device(
            who,
            format!("{what}: not the adb protocol ({message}); is {server} an adb server?"),
        ),
        WireError::TooMuch(limit) => Error::device(
            who,
            format!(
                "{what}: brought back more than {limit} bytes; \
                 raise the cap with AdbDriver::with_max_output"
            ),
        ),
    }
}

impl DeviceDriver for AdbDriver {
    fn devices(&self) -> Result<Vec<DeviceInfo>> {
        let body = self.ask("host:devices-l", "list of devices", self.server_timeout)?;
        Ok(parse_devices_long(&String::from_utf8_lossy(&body)))
    }

    fn open(&self, serial: &str) -> Result<Box<dyn Device>> {
        check_serial("serial", serial)?;
        let features = self.features(serial)?;
        Ok(Box::new(AdbDevice {
            server: self.server,
            serial: serial.to_string(),
            shell_v2: listing::has_shell_v2(&features),
            max_output: self.max_output,
            slots: self.slots.clone(),
        }))
    }

    fn connect(&self, address: &str) -> Result<()> {
        check_serial("address", address)?;
        let what = format!("connect {address}");
        let body = self.ask(&format!("host:connect:{address}"), &what, CONNECT_TIMEOUT)?;
        let reply = String::from_utf8_lossy(&body);
        if reply.starts_with("connected to") || reply.starts_with("already connected to") {
            Ok(())
        } else {
            Err(Error::device(
                address,
                format!("connect failed: {}", reply.trim()),
            ))
        }
    }

    fn disconnect(&self, address: &str) -> Result<()> {
        check_serial("address", address)?;
        let what = format!("disconnect {address}");
        let body = self
            .ask(
                &format!("host:disconnect:{address}"),
                &what,
                self.server_timeout,
            )
            .map_err(|e| match &e {
                Error::Device { message, .. } if message.contains("no such device") => {
                    Error::not_found(format!("device {address}"))
                }
                _ => e,
            })?;
        let reply = String::from_utf8_lossy(&body);
        if reply.starts_with("disconnected") {
            Ok(())
        } else {
            Err(Error::device(
                address,
                format!("disconnect failed: {}", reply.trim()),
            ))
        }
    }
}

/// One phone behind the server. Each command is one connection (the adb protocol
/// gives a connection to one service); no process is spawned.
#[derive(Debug)]
pub struct AdbDevice {
    server: SocketAddr,
    serial: String,
    shell_v2: bool,
    max_output: usize,
    slots: Arc<Slots>,
}

impl AdbDevice {
    /// A connection switched to this phone, ready for a device service.
    fn transport(&self, what: &str, timeout: Duration) -> Result<Connection> {
        let fail = |e| wire_error(self.server, Some(&self.serial), what, timeout, e);
        let mut stream = connect(&self.slots, self.server, timeout).map_err(fail)?;
        stream.set_max_output(self.max_output);
        stream
            .request(&format!("host:transport:{}", self.serial))
            .map_err(|e| device_not_found(fail(e), &self.serial))?;
        Ok(stream)
    }

    fn fail(&self, what: &str, timeout: Duration) -> impl Fn(WireError) -> Error + '_ {
        let what = what.to_string();
        move |e| wire_error(self.server, Some(&self.serial), &what, timeout, e)
    }

    /// Shell v1 (phones before Android 7): no exit packet, so the command is followed,
    /// on a new line (a trailing `#` comment cannot swallow it), by a marker line
    /// carrying `$?`. A command that runs `exit` itself ends without the marker:
    /// that is reported as a missing exit status, never guessed.
    fn shell_v1(&self, command: &str, timeout: Duration, what: &str) -> Result<ShellOutput> {
        let mut stream = self.transport(what, timeout)?;
        let wrapped = format!("{command}\necho \"{V1_MARKER}$?\"");
        stream
            .request(&format!("shell:{wrapped}"))
            .map_err(self.fail(what, timeout))?;
        let bytes = stream.read_to_end().map_err(self.fail(what, timeout))?;
        split_v1_marker(&String::from_utf8_lossy(&bytes)).ok_or_else(|| {
            Error::device(
                &self.serial,
                format!("{what}: the shell ended without an exit status (phone offline?)"),
            )
        })
    }
}

/// The line `shell_v1` appends after the command's output.
pub(crate) const V1_MARKER: &str = "\u{1}farmhand-exit:";

/// Splits v1 output into what the command printed and the code on the marker line.
/// Output after the marker line (stderr that a transport delivered late) is kept.
pub(crate) fn split_v1_marker(text: &str) -> Option<ShellOutput> {
    let at = text.rfind(V1_MARKER)?;
    let rest = &text[at + V1_MARKER.len()..];
    let (code, after) = rest.split_once('\n').unwrap_or((rest, ""));
    let code = code.trim().parse().ok()?;
    Some(ShellOutput {
        stdout: format!("{}{after}", &text[..at]).replace("\r\n", "\n"),
        stderr: String::new(),
        exit_code: code,
    })
}

impl Device for AdbDevice {
    fn serial(&self) -> &str {
        &self.serial
    }

    fn shell(&mut self, command: &str, timeout: Duration) -> Result<ShellOutput> {
        let what = command_label(command);
        if !self.shell_v2 {
            return self.shell_v1(command, timeout, &what);
        }
        let mut stream = self.transport(&what, timeout)?;
        stream
            .request(&format!("shell,v2,raw:{command}"))
            .map_err(self.fail(&what, timeout))?;
        let ShellBytes {
            stdout,
            stderr,
            exit_code,
        } = stream.read_shell_v2().map_err(self.fail(&what, timeout))?;
        let exit_code = exit_code.ok_or_else(|| {
            Error::device(
                &self.serial,
                format!("{what}: the shell ended without an exit status (phone offline?)"),
            )
        })?;
        Ok(ShellOutput {
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            exit_code: i32::from(exit_code),
        })
    }

    fn pull(&mut self, path: &str, timeout: Duration) -> Result<Vec<u8>> {
        if path.is_empty() || path.len() > SYNC_PATH_MAX {
            return Err(Error::validation(
                "path",
                format!("remote paths are 1 to {SYNC_PATH_MAX} bytes long"),
            ));
        }
        let what = format!("pull {path}");
        let mut stream = self.transport(&what, timeout)?;
        stream.request("sync:").map_err(self.fail(&what, timeout))?;
        stream.sync_recv(path).map_err(|e| match e {
            WireError::Fail(message) if message.contains("No such file") => {
                Error::not_found(format!("file {path} on {}", self.serial))
            }
            e => wire_error(self.server, Some(&self.serial), &what, timeout, e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_from_an_address_and_bad_addresses_named() {
        assert_eq!(
            AdbDriver::at(" 10.0.0.2:5038 ").unwrap().server(),
            SocketAddr::from(([10, 0, 0, 2], 5038))
        );
        for bad in ["localhost", "127.0.0.1", "127.0.0.1:99999", ""] {
            let err = AdbDriver::at(bad).unwrap_err();
            assert!(
                matches!(&err, Error::Validation { field, .. } if field == "server"),
                "{err}"
            );
        }
    }

    #[test]
    fn socket_failures_keep_their_io_error_as_the_source() {
        use std::error::Error as _;
        let server: SocketAddr = "127.0.0.1:5037".parse().unwrap();
        let io_kind = |e: &Error| {
            e.source()
                .and_then(|c| c.downcast_ref::<std::io::Error>())
                .map(std::io::Error::kind)
        };
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let t = Duration::from_secs(1);
        let err = wire_error(server, None, "host:devices", t, WireError::Refused(refused));
        assert_eq!(err.kind(), crate::ErrorKind::Device);
        assert!(err.to_string().contains("no adb server"), "{err}");
        assert_eq!(io_kind(&err), Some(std::io::ErrorKind::ConnectionRefused));
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let err = wire_error(server, Some("emu-1"), "shell", t, WireError::Io(denied));
        assert_eq!(io_kind(&err), Some(std::io::ErrorKind::PermissionDenied));
        let err = wire_error(server, Some("emu-1"), "shell", t, WireError::Closed);
        assert!(err.source().is_none(), "{err}");
    }

    #[test]
    fn port_from_environment_value() {
        assert_eq!(parse_port("5038").unwrap(), 5038);
        assert_eq!(parse_port(" 6000 ").unwrap(), 6000);
        for bad in ["", "0", "70000", "abc", "-1"] {
            let err = parse_port(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Validation);
            assert!(err.to_string().contains("ANDROID_ADB_SERVER_PORT"));
        }
    }

    #[test]
    fn v1_marker_carries_the_exit_code() {
        let out = split_v1_marker("hi\r\nthere\r\n\u{1}farmhand-exit:3\r\n").unwrap();
        assert_eq!(out.stdout, "hi\nthere\n");
        assert_eq!(out.exit_code, 3);
        assert!(split_v1_marker("cut off").is_none());
        let late = split_v1_marker("\u{1}farmhand-exit:1\ncat: x: No such file\n").unwrap();
        assert_eq!(late.exit_code, 1);
        assert_eq!(late.stdout, "cat: x: No such file\n");
    }

    /// A server answering `host:version` after `hold`, counting the
    /// connections it serves at once.
    fn counting_server(hold: Duration) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::{Read, Write};
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peak = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicUsize::new(0));
        let seen = peak.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (open, peak) = (open.clone(), peak.clone());
                std::thread::spawn(move || {
                    peak.fetch_max(open.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                    let mut request = [0u8; 16]; // "000chost:version"
                    if stream.read_exact(&mut request).is_ok() {
                        std::thread::sleep(hold);
                    }
                    // Counted out before answering: the client closes (and
                    // frees its place) only after reading the answer.
                    open.fetch_sub(1, Ordering::SeqCst);
                    let _ = stream.write_all(b"OKAY0004001f");
                });
            }
        });
        (addr, seen)
    }

    #[test]
    fn commands_beyond_the_connection_cap_wait_their_turn() {
        use std::sync::atomic::Ordering;
        let (addr, peak) = counting_server(Duration::from_millis(50));
        let driver = AdbDriver::with_server(addr).with_max_connections(2);
        assert_eq!(driver.max_connections(), 2);
        assert_ne!(
            driver,
            AdbDriver::with_server(addr),
            "the cap is part of it"
        );
        std::thread::scope(|scope| {
            let calls: Vec<_> = (0..8)
                .map(|_| {
                    let driver = driver.clone();
                    scope.spawn(move || driver.version())
                })
                .collect();
            for call in calls {
                assert_eq!(call.join().unwrap().unwrap(), 0x1f);
            }
        });
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=2).contains(&peak), "{peak} connections at once");
        assert_eq!(
            AdbDriver::with_server(addr).max_connections(),
            DEFAULT_MAX_CONNECTIONS
        );
    }

    #[test]
    fn serials_that_would_break_the_protocol_are_refused() {
        for bad in ["", "a b", "x\n", "x\0"] {
            assert!(check_serial("serial", bad).is_err(), "{bad:?}");
        }
        assert!(check_serial("serial", "127.0.0.1:5555").is_ok());
        assert!(check_serial("serial", "[::1]:5555").is_ok());
    }
}
