//! The adb host protocol on one TCP connection to the adb server, with a deadline.
//!
//! Requests are `XXXX<service>` (4 hex digits of length); the server answers
//! `OKAY`, or `FAIL` + `XXXX<message>`. After `host:transport:SERIAL` the same
//! connection speaks to the phone: `shell,v2,raw:CMD` streams shell-protocol
//! packets (`id:u8 len:u32le data`; 1 stdout, 2 stderr, 3 exit code) and `sync:`
//! speaks the file-sync protocol (`RECV` → `DATA`… `DONE` | `FAIL`).
//!
//! Every read and write is bounded by the connection's deadline (socket
//! timeouts set to the time remaining), so a hung, silent or slow-dripping
//! server or phone costs one timeout for the whole conversation. Every length
//! the peer sends is checked against adb's own maximum before anything is
//! allocated for it ([`MAX_PAYLOAD`] for a shell packet, [`SYNC_DATA_MAX`] for
//! a sync block), and what one command may bring back in all is capped
//! ([`HostStream::with_max_output`]). Nothing here spawns a process.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Largest block a sync `DATA` packet may carry (adb's `SYNC_DATA_MAX`).
pub const SYNC_DATA_MAX: usize = 64 * 1024;

/// Largest payload adb puts in one packet (its `MAX_PAYLOAD`, 1 MiB since
/// Android 9): no shell-protocol packet is longer.
pub const MAX_PAYLOAD: usize = 1 << 20;

/// Most bytes one command may bring back unless told otherwise (stdout and
/// stderr together, or a pulled file): a screen's UI dump is well under 1 MiB.
pub const DEFAULT_MAX_OUTPUT: usize = 16 << 20;

/// Longest remote path the sync protocol accepts.
pub const SYNC_PATH_MAX: usize = 1024;

/// What went wrong on the wire, before the driver adds who and what.
#[derive(Debug)]
pub enum WireError {
    /// Nothing accepts connections at the address.
    Refused(io::Error),
    /// The deadline passed.
    Timeout,
    /// The peer closed the connection before the reply was complete.
    Closed,
    /// Any other socket error.
    Io(io::Error),
    /// The server (or phone) answered `FAIL` with this message.
    Fail(String),
    /// The peer answered something that is not the adb protocol.
    Protocol(String),
    /// The command brought back more than this many bytes (the output cap).
    TooMuch(usize),
}

impl WireError {
    fn from_io(e: io::Error) -> WireError {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => WireError::Timeout,
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => WireError::Closed,
            _ => WireError::Io(e),
        }
    }
}

/// Result of a wire operation.
pub type WireResult<T> = std::result::Result<T, WireError>;

/// What a shell-protocol command produced.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShellBytes {
    /// Bytes on channel 1.
    pub stdout: Vec<u8>,
    /// Bytes on channel 2.
    pub stderr: Vec<u8>,
    /// The exit packet's code; `None` when the stream ended without one.
    pub exit_code: Option<u8>,
}

/// One connection to the adb server, bounded by a deadline.
#[derive(Debug)]
pub struct HostStream {
    stream: TcpStream,
    deadline: Instant,
    max_output: usize,
}

impl HostStream {
    /// Connects to the server; the whole conversation must end within `timeout`.
    pub fn connect(server: SocketAddr, timeout: Duration) -> WireResult<HostStream> {
        let deadline = Instant::now() + timeout;
        let stream = TcpStream::connect_timeout(&server, timeout).map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => WireError::Timeout,
            _ => WireError::Refused(e),
        })?;
        stream.set_nodelay(true).map_err(WireError::Io)?;
        Ok(HostStream {
            stream,
            deadline,
            max_output: DEFAULT_MAX_OUTPUT,
        })
    }

    /// Caps what one command may bring back (default [`DEFAULT_MAX_OUTPUT`]):
    /// more is [`WireError::TooMuch`], raised before it is held.
    pub fn with_max_output(mut self, bytes: usize) -> HostStream {
        self.set_max_output(bytes);
        self
    }

    /// Sets the cap of [`HostStream::with_max_output`] on a stream in hand.
    pub fn set_max_output(&mut self, bytes: usize) {
        self.max_output = bytes;
    }

    /// Refuses to hold `more` bytes beside the `held` ones past the output cap.
    fn room(&self, held: usize, more: usize) -> WireResult<()> {
        match held.checked_add(more) {
            Some(total) if total <= self.max_output => Ok(()),
            _ => Err(WireError::TooMuch(self.max_output)),
        }
    }

    /// Bounds the next socket operation by the time left; `Timeout` when none is.
    fn arm(&self) -> WireResult<()> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(WireError::Timeout);
        }
        self.stream
            .set_read_timeout(Some(left))
            .and_then(|()| self.stream.set_write_timeout(Some(left)))
            .map_err(WireError::Io)
    }

    fn write_all(&mut self, bytes: &[u8]) -> WireResult<()> {
        self.arm()?;
        self.stream.write_all(bytes).map_err(WireError::from_io)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> WireResult<()> {
        let mut filled = 0;
        while filled < buf.len() {
            self.arm()?;
            match self.stream.read(&mut buf[filled..]) {
                Ok(0) => return Err(WireError::Closed),
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(WireError::from_io(e)),
            }
        }
        Ok(())
    }

    /// Reads up to `buf.len()` bytes; `Ok(0)` at a clean end of stream.
    fn read_some(&mut self, buf: &mut [u8]) -> WireResult<usize> {
        loop {
            self.arm()?;
            match self.stream.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(WireError::from_io(e)),
            }
        }
    }

    /// Sends a service request and reads `OKAY`, or the `FAIL` message as an error.
    pub fn request(&mut self, service: &str) -> WireResult<()> {
        if service.len() > 0xffff {
            return Err(WireError::Protocol(format!(
                "request of {} bytes is longer than adb allows (65535)",
                service.len()
            )));
        }
        let mut frame = format!("{:04x}", service.len()).into_bytes();
        frame.extend_from_slice(service.as_bytes());
        self.write_all(&frame)?;
        self.status()
    }

    /// Reads a 4-byte status; `FAIL` carries a hex-length message.
    fn status(&mut self) -> WireResult<()> {
        let mut status = [0u8; 4];
        self.read_exact(&mut status)?;
        match &status {
            b"OKAY" => Ok(()),
            b"FAIL" => {
                let message = self.read_hex_block()?;
                Err(WireError::Fail(
                    String::from_utf8_lossy(&message).into_owned(),
                ))
            }
            other => Err(WireError::Protocol(format!(
                "expected OKAY or FAIL, got {:?}",
                String::from_utf8_lossy(other)
            ))),
        }
    }

    /// Reads a `XXXX<bytes>` block (4 hex digits of length).
    pub fn read_hex_block(&mut self) -> WireResult<Vec<u8>> {
        let mut len = [0u8; 4];
        self.read_exact(&mut len)?;
        let len = std::str::from_utf8(&len)
            .ok()
            .and_then(|s| usize::from_str_radix(s, 16).ok())
            .ok_or_else(|| {
                WireError::Protocol(format!(
                    "bad length prefix {:?}",
                    String::from_utf8_lossy(&len)
                ))
            })?;
        let mut body = vec![0u8; len];
        self.read_exact(&mut body)?;
        Ok(body)
    }

    /// Reads shell-protocol packets to the end of the stream.
    pub fn read_shell_v2(&mut self) -> WireResult<ShellBytes> {
        let mut out = ShellBytes::default();
        let mut header = [0u8; 5];
        loop {
            let first = self.read_some(&mut header[..1])?;
            if first == 0 {
                return Ok(out);
            }
            self.read_exact(&mut header[1..])?;
            let len = u32::from_le_bytes([header[1], header[2], header[3], header[4]]) as usize;
            if len > MAX_PAYLOAD {
                return Err(WireError::Protocol(format!(
                    "shell packet of {len} bytes (adb sends at most {MAX_PAYLOAD})"
                )));
            }
            self.room(out.stdout.len() + out.stderr.len(), len)?;
            let target = match header[0] {
                1 => &mut out.stdout,
                2 => &mut out.stderr,
                3 => {
                    let mut code = vec![0u8; len];
                    self.read_exact(&mut code)?;
                    out.exit_code = code.first().copied();
                    continue;
                }
                // stdin, close-stdin and window-size packets only flow towards the phone.
                id => {
                    return Err(WireError::Protocol(format!(
                        "unexpected shell packet id {id}"
                    )))
                }
            };
            let start = target.len();
            target.resize(start + len, 0);
            self.read_exact(&mut target[start..])?;
        }
    }

    /// Reads everything until the peer closes (shell v1: no framing, no exit code).
    pub fn read_to_end(&mut self) -> WireResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match self.read_some(&mut buf)? {
                0 => return Ok(out),
                n => {
                    self.room(out.len(), n)?;
                    out.extend_from_slice(&buf[..n]);
                }
            }
        }
    }

    /// After `sync:`, reads a whole remote file with `RECV`.
    pub fn sync_recv(&mut self, path: &str) -> WireResult<Vec<u8>> {
        let mut frame = b"RECV".to_vec();
        frame.extend_from_slice(&(path.len() as u32).to_le_bytes());
        frame.extend_from_slice(path.as_bytes());
        self.write_all(&frame)?;
        let mut data = Vec::new();
        loop {
            let mut header = [0u8; 8];
            self.read_exact(&mut header)?;
            let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
            match &header[..4] {
                b"DATA" => {
                    if len > SYNC_DATA_MAX {
                        return Err(WireError::Protocol(format!(
                            "sync DATA block of {len} bytes (at most {SYNC_DATA_MAX})"
                        )));
                    }
                    self.room(data.len(), len)?;
                    let start = data.len();
                    data.resize(start + len, 0);
                    self.read_exact(&mut data[start..])?;
                }
                b"DONE" => break,
                b"FAIL" => {
                    let mut message = vec![0u8; len.min(SYNC_DATA_MAX)];
                    self.read_exact(&mut message)?;
                    return Err(WireError::Fail(
                        String::from_utf8_lossy(&message).into_owned(),
                    ));
                }
                other => {
                    return Err(WireError::Protocol(format!(
                        "unexpected sync reply {:?}",
                        String::from_utf8_lossy(other)
                    )))
                }
            }
        }
        let mut quit = b"QUIT".to_vec();
        quit.extend_from_slice(&0u32.to_le_bytes());
        // The file is complete; a server that already hung up changes nothing.
        let _ = self.write_all(&quit);
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// A one-connection peer that reads the request, then writes `reply` (and
    /// closes, unless `hang`): a unit-test double for the wire format. The real
    /// adb server is exercised in `tests/device_adb.rs`.
    fn peer(reply: Vec<u8>, hang: bool) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut len = [0u8; 4];
            conn.read_exact(&mut len).unwrap();
            let len = usize::from_str_radix(std::str::from_utf8(&len).unwrap(), 16).unwrap();
            let mut body = vec![0u8; len];
            conn.read_exact(&mut body).unwrap();
            conn.write_all(&reply).unwrap();
            if hang {
                thread::sleep(Duration::from_secs(5));
            }
        });
        addr
    }

    fn packet(id: u8, data: &[u8]) -> Vec<u8> {
        let mut p = vec![id];
        p.extend_from_slice(&(data.len() as u32).to_le_bytes());
        p.extend_from_slice(data);
        p
    }

    #[test]
    fn shell_v2_packets_give_streams_and_exit_code() {
        let mut reply = b"OKAY".to_vec();
        reply.extend(packet(1, b"hel"));
        reply.extend(packet(2, b"warn"));
        reply.extend(packet(1, b"lo"));
        reply.extend(packet(3, &[42]));
        let mut s = HostStream::connect(peer(reply, false), Duration::from_secs(5)).unwrap();
        s.request("shell,v2,raw:x").unwrap();
        let out = s.read_shell_v2().unwrap();
        assert_eq!(out.stdout, b"hello");
        assert_eq!(out.stderr, b"warn");
        assert_eq!(out.exit_code, Some(42));
    }

    #[test]
    fn fail_carries_the_message() {
        let mut s = HostStream::connect(
            peer(b"FAIL0014device 'x' not found".to_vec(), false),
            Duration::from_secs(5),
        )
        .unwrap();
        match s.request("host:transport:x") {
            Err(WireError::Fail(m)) => assert_eq!(m, "device 'x' not found"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cut_stream_is_closed_not_success() {
        let mut reply = b"OKAY".to_vec();
        reply.extend(&packet(1, b"partial")[..6]);
        let mut s = HostStream::connect(peer(reply, false), Duration::from_secs(5)).unwrap();
        s.request("shell,v2,raw:x").unwrap();
        assert!(matches!(s.read_shell_v2(), Err(WireError::Closed)));
    }

    #[test]
    fn a_silent_peer_costs_one_timeout() {
        let mut s =
            HostStream::connect(peer(b"OKAY".to_vec(), true), Duration::from_millis(300)).unwrap();
        s.request("shell,v2,raw:x").unwrap();
        assert!(matches!(s.read_shell_v2(), Err(WireError::Timeout)));
    }

    #[test]
    fn garbage_is_a_protocol_error() {
        let mut s = HostStream::connect(
            peer(b"HTTP/1.1 400".to_vec(), false),
            Duration::from_secs(5),
        )
        .unwrap();
        assert!(matches!(
            s.request("host:version"),
            Err(WireError::Protocol(_))
        ));
    }

    #[test]
    fn sync_recv_joins_blocks_and_reports_fail() {
        let mut reply = b"OKAY".to_vec();
        for chunk in [&b"abc"[..], b"def"] {
            reply.extend(b"DATA");
            reply.extend((chunk.len() as u32).to_le_bytes());
            reply.extend(chunk);
        }
        reply.extend(b"DONE\0\0\0\0");
        let mut s = HostStream::connect(peer(reply, false), Duration::from_secs(5)).unwrap();
        s.request("sync:").unwrap();
        assert_eq!(s.sync_recv("/f").unwrap(), b"abcdef");

        let mut reply = b"OKAY".to_vec();
        reply.extend(b"FAIL");
        reply.extend(7u32.to_le_bytes());
        reply.extend(b"no file");
        let mut s = HostStream::connect(peer(reply, false), Duration::from_secs(5)).unwrap();
        s.request("sync:").unwrap();
        assert!(matches!(s.sync_recv("/f"), Err(WireError::Fail(m)) if m == "no file"));
    }

    /// Lengths past adb's own maximum are refused before anything is
    /// allocated for them, and what a command brings back is capped.
    #[test]
    fn claimed_lengths_and_output_are_bounded() {
        let mut reply = b"OKAY".to_vec();
        reply.push(1);
        reply.extend(u32::MAX.to_le_bytes());
        let mut s = HostStream::connect(peer(reply, true), Duration::from_secs(5)).unwrap();
        s.request("shell,v2,raw:x").unwrap();
        match s.read_shell_v2() {
            Err(WireError::Protocol(m)) => assert!(m.contains("4294967295 bytes"), "{m}"),
            other => panic!("{other:?}"),
        }

        let mut reply = b"OKAY".to_vec();
        for _ in 0..3 {
            reply.extend(packet(1, &[b'x'; 400]));
        }
        let mut s = HostStream::connect(peer(reply, true), Duration::from_secs(5))
            .unwrap()
            .with_max_output(1000);
        s.request("shell,v2,raw:x").unwrap();
        assert!(matches!(s.read_shell_v2(), Err(WireError::TooMuch(1000))));

        let mut reply = b"OKAY".to_vec();
        reply.extend([b'y'; 3000]);
        let mut s = HostStream::connect(peer(reply, false), Duration::from_secs(5))
            .unwrap()
            .with_max_output(1000);
        s.request("shell:x").unwrap();
        assert!(matches!(s.read_to_end(), Err(WireError::TooMuch(1000))));

        let mut reply = b"OKAY".to_vec();
        for _ in 0..3 {
            reply.extend(b"DATA");
            reply.extend(400u32.to_le_bytes());
            reply.extend([b'z'; 400]);
        }
        let mut s = HostStream::connect(peer(reply, true), Duration::from_secs(5))
            .unwrap()
            .with_max_output(1000);
        s.request("sync:").unwrap();
        assert!(matches!(s.sync_recv("/f"), Err(WireError::TooMuch(1000))));
    }

    #[test]
    fn nobody_listening_is_refused() {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        assert!(matches!(
            HostStream::connect(addr, Duration::from_secs(1)),
            Err(WireError::Refused(_))
        ));
    }
}
