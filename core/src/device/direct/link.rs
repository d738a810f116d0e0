//! One connection to a phone's adbd: adb_client's `ADBTcpDevice` behind a
//! loopback relay that farmhand owns, and every call bounded by a deadline.
//!
//! adb_client 3.2.3's TCP transport (read in its source) connects by itself,
//! has no timeout (its reads wait `u64::MAX` seconds) and hides its socket; and
//! its read loop adds up what `read()` returns until a header is complete, so
//! after the phone hangs up (a FIN: `read` returns 0) it reads zero bytes
//! forever, spinning. The relay fixes both from outside: adb_client talks to a
//! socket on 127.0.0.1 whose other end farmhand holds, and farmhand copies the
//! bytes to and from the phone. When the phone hangs up, or a call outlives its
//! deadline, farmhand closes its end with a reset (`SO_LINGER` 0, never a FIN),
//! which adb_client's read reports as an error: its thread ends instead of
//! hanging or spinning, and the phone sees the connection close.

use std::io;
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use adb_client::tcp::ADBTcpDevice;
use adb_client::RustADBError;
use socket2::SockRef;

use crate::error::Error;

/// A relay write to adb_client that waits this long means adb_client stopped reading.
const CLIENT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// An open connection, ready for the next call.
pub(super) struct Link {
    device: ADBTcpDevice,
    relay: Relay,
}

/// Why a connection or a call failed, before it is named for the caller.
#[derive(Debug)]
pub(super) enum Failure {
    /// The deadline passed.
    TimedOut,
    /// The phone's port could not be reached.
    Connect(io::Error),
    /// The relay or a helper thread could not be set up on this computer.
    Local(io::Error),
    /// adb_client reported an error.
    Adb(RustADBError),
    /// adb_client panicked on the helper thread.
    Panicked,
}

impl Link {
    /// Connects to the phone at `address` and lets adb_client do the handshake
    /// (CNXN, AUTH with the key at `key` if the phone asks, STLS if it asks), all by `deadline`.
    pub(super) fn open(
        address: SocketAddr,
        key: PathBuf,
        deadline: Instant,
    ) -> Result<Link, Failure> {
        let phone =
            TcpStream::connect_timeout(&address, left(deadline)?).map_err(|e| match e.kind() {
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Failure::TimedOut,
                _ => Failure::Connect(e),
            })?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(Failure::Local)?;
        let local = listener.local_addr().map_err(Failure::Local)?;
        let (sender, handshake) = mpsc::channel();
        spawn("farmhand-direct-cnxn", move || {
            // Whatever happens in adb_client, the accept below gets a connection.
            let _wake = Wake(local);
            let _ = sender.send(ADBTcpDevice::new_with_custom_private_key(local, key));
        })?;
        let (client, _) = listener.accept().map_err(Failure::Local)?;
        drop(listener);
        let relay = Relay::start(phone, client)?;
        match handshake.recv_timeout(left(deadline)?) {
            Ok(Ok(device)) => Ok(Link { device, relay }),
            Ok(Err(e)) => Err(Failure::Adb(e)),
            Err(RecvTimeoutError::Timeout) => Err(Failure::TimedOut),
            Err(RecvTimeoutError::Disconnected) => Err(Failure::Panicked),
        }
    }

    /// Runs `op` on a helper thread; gives its result by `deadline`, and the link
    /// back when it can carry another call. A failed or late call closes the link.
    pub(super) fn call<T, F>(self, deadline: Instant, op: F) -> (Result<T, Failure>, Option<Link>)
    where
        T: Send + 'static,
        F: FnOnce(&mut ADBTcpDevice) -> adb_client::Result<T> + Send + 'static,
    {
        let Link { mut device, relay } = self;
        let (sender, answer) = mpsc::channel();
        let spawned = spawn("farmhand-direct-call", move || {
            let result = op(&mut device);
            let _ = sender.send((device, result));
        });
        if let Err(failure) = spawned {
            return (Err(failure), None);
        }
        let wait = match left(deadline) {
            Ok(wait) => wait,
            Err(failure) => return (Err(failure), None),
        };
        match answer.recv_timeout(wait) {
            Ok((device, Ok(value))) => (Ok(value), Some(Link { device, relay })),
            Ok((_, Err(e))) => (Err(Failure::Adb(e)), None),
            Err(RecvTimeoutError::Timeout) => (Err(Failure::TimedOut), None),
            Err(RecvTimeoutError::Disconnected) => (Err(Failure::Panicked), None),
        }
    }
}

/// Time left before `deadline`; none left is a timeout.
fn left(deadline: Instant) -> Result<Duration, Failure> {
    let wait = deadline.saturating_duration_since(Instant::now());
    if wait.is_zero() {
        Err(Failure::TimedOut)
    } else {
        Ok(wait)
    }
}

fn spawn(name: &str, job: impl FnOnce() + Send + 'static) -> Result<(), Failure> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(job)
        .map(drop)
        .map_err(Failure::Local)
}

/// Connects once to the relay's listener when dropped, so that its accept
/// returns even if adb_client failed before connecting.
struct Wake(SocketAddr);

impl Drop for Wake {
    fn drop(&mut self) {
        let _ = TcpStream::connect_timeout(&self.0, Duration::from_secs(1));
    }
}

/// The two copying threads between adb_client's socket and the phone's; dropping
/// it ends both and resets adb_client's side.
struct Relay {
    phone: TcpStream,
}

impl Relay {
    fn start(phone: TcpStream, client: TcpStream) -> Result<Relay, Failure> {
        // First of all: however this ends, adb_client's side is reset, never sent a FIN.
        let _ = SockRef::from(&client).set_linger(Some(Duration::ZERO));
        let setup = || -> io::Result<_> {
            phone.set_nodelay(true)?;
            client.set_nodelay(true)?;
            client.set_write_timeout(Some(CLIENT_WRITE_TIMEOUT))?;
            Ok((phone.try_clone()?, phone.try_clone()?, client.try_clone()?))
        };
        let (mut phone_in, mut phone_out, mut client_in) = setup().map_err(Failure::Local)?;
        let relay = Relay { phone };
        let mut client_out = client;
        spawn("farmhand-direct-down", move || {
            let _ = io::copy(&mut phone_in, &mut client_out);
            // Wakes the up thread's read without a FIN; the last close resets.
            let _ = client_out.shutdown(Shutdown::Read);
        })?;
        spawn("farmhand-direct-up", move || {
            let _ = io::copy(&mut client_in, &mut phone_out);
            let _ = phone_out.shutdown(Shutdown::Both);
        })?;
        Ok(relay)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        // The phone sees the connection close; the down thread, reading it, ends
        // and resets adb_client's side; the up thread's read then ends too.
        let _ = self.phone.shutdown(Shutdown::Both);
    }
}

/// Names a failure for the caller: `who` is the phone, `what` the request.
pub(super) fn failure_error(failure: Failure, who: &str, what: &str, timeout: Duration) -> Error {
    match failure {
        Failure::TimedOut => Error::Timeout {
            what: format!("{what} on {who}"),
            after: timeout,
        },
        Failure::Connect(e) => Error::device(
            who,
            format!(
                "{what}: cannot connect ({e}); is adbd listening there \
                 (`adb tcpip 5555` on a USB phone, or the cloud phone's adb address)?"
            ),
        ),
        Failure::Local(e) => Error::device(who, format!("{what}: local relay failed: {e}")),
        Failure::Panicked => Error::device(who, format!("{what}: adb_client panicked")),
        Failure::Adb(RustADBError::IOError(e)) if is_lost(&e) => Error::device(
            who,
            format!(
                "{what}: connection lost (phone offline, adbd restarted or the network dropped)"
            ),
        ),
        Failure::Adb(e) => Error::device(who, format!("{what}: {e}")),
    }
}

fn is_lost(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::NotConnected
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_phone_and_the_request() {
        let timeout = Duration::from_secs(3);
        let err = failure_error(Failure::TimedOut, "10.0.0.7:5555", "`echo hi`", timeout);
        assert_eq!(err.kind(), crate::ErrorKind::Timeout);
        assert!(
            err.to_string().contains("`echo hi` on 10.0.0.7:5555"),
            "{err}"
        );
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        let err = failure_error(
            Failure::Connect(refused),
            "10.0.0.7:5555",
            "connect",
            timeout,
        );
        assert_eq!(err.kind(), crate::ErrorKind::Device);
        assert!(err.to_string().contains("cannot connect"), "{err}");
        let reset = RustADBError::IOError(io::Error::from(io::ErrorKind::ConnectionReset));
        let err = failure_error(Failure::Adb(reset), "p", "`input text`", timeout);
        assert!(err.to_string().contains("connection lost"), "{err}");
        let other = RustADBError::ADBRequestFailed("Open session failed".into());
        let err = failure_error(Failure::Adb(other), "p", "pull /x", timeout);
        assert!(
            err.to_string().contains("pull /x: ADB request failed"),
            "{err}"
        );
    }

    #[test]
    fn a_passed_deadline_is_a_timeout_before_anything_is_tried() {
        let past = Instant::now();
        assert!(matches!(left(past), Err(Failure::TimedOut)));
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let result = Link::open(closed, PathBuf::from("/nonexistent/adbkey"), past);
        assert!(matches!(result, Err(Failure::TimedOut)));
    }
}
