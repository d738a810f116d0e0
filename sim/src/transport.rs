//! The device side of one ADB host connection: handshake, streams, flow control.
//!
//! One thread reads messages; every stream's service runs on its own thread
//! and writes through [`StreamIo`], which keeps one WRTE in flight until the
//! host's OKAY and splits payloads to the negotiated maximum. Frames go out
//! through one mutex-guarded writer, whole. Anything malformed (wrong magic,
//! oversized payload, a stream id never opened, a truncated message) ends
//! this connection only: the phone and its other connections carry on.

use std::collections::{HashMap, VecDeque};
use std::io::{BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::faults::Fate;
use super::phone::SimPhone;
use super::protocol::{Message, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_VERSION, A_WRTE, MAX_PAYLOAD};
use super::services;

/// Most streams one connection may have open at once; more OPENs are refused.
pub const MAX_STREAMS: usize = 256;
/// Most WRTEs a host may send on a stream without waiting for OKAY (a compliant host sends one).
const MAX_UNACKED: usize = 16;
/// Most bytes a host may have sent on all of a connection's streams that the
/// services have not read yet; a host that floods past it is dropped.
const MAX_BUFFERED: usize = 16 * 1024 * 1024;
/// A host that stops reading for this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// One host connection.
pub(crate) struct Connection {
    phone: Arc<SimPhone>,
    socket: TcpStream,
    writer: Mutex<TcpStream>,
    streams: Mutex<HashMap<u32, Arc<Stream>>>,
    max_payload: AtomicU32,
    next_local: AtomicU32,
    dead: AtomicBool,
    buffered: AtomicUsize,
}

struct Stream {
    local: u32,
    remote: u32,
    state: Mutex<StreamState>,
    changed: Condvar,
}

#[derive(Default)]
struct StreamState {
    can_send: bool,
    closed: bool,
    inbox: VecDeque<Vec<u8>>,
}

impl Stream {
    fn lock(&self) -> MutexGuard<'_, StreamState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the stream closed and drops unread input; returns (was it open,
    /// bytes dropped) so the connection's count of buffered bytes stays true.
    fn mark_closed(&self) -> (bool, usize) {
        let mut state = self.lock();
        let was_open = !std::mem::replace(&mut state.closed, true);
        let dropped = state.inbox.drain(..).map(|d| d.len()).sum();
        drop(state);
        self.changed.notify_all();
        (was_open, dropped)
    }
}

/// Why the connection ends.
#[derive(Debug)]
enum End {
    /// The host went away or sent something that breaks the protocol.
    Protocol(String),
    /// A fault dropped it.
    Fault,
}

/// Serves one accepted host connection until it ends; never panics on input.
pub(crate) fn serve(socket: TcpStream, phone: Arc<SimPhone>, link_id: u64) {
    let _ = socket.set_nodelay(true);
    let _ = socket.set_write_timeout(Some(WRITE_TIMEOUT));
    let (Ok(reader), Ok(writer)) = (socket.try_clone(), socket.try_clone()) else {
        phone.link().unregister(link_id);
        return;
    };
    let conn = Arc::new(Connection {
        phone: phone.clone(),
        socket,
        writer: Mutex::new(writer),
        streams: Mutex::new(HashMap::new()),
        max_payload: AtomicU32::new(MAX_PAYLOAD),
        next_local: AtomicU32::new(1),
        dead: AtomicBool::new(false),
        buffered: AtomicUsize::new(0),
    });
    match conn.read_loop(BufReader::new(reader)) {
        End::Protocol(why) => phone.link().record_error(why),
        End::Fault => {
            phone.link().record_error("dropped by a fault".into());
            phone.link().drop_connection(link_id);
        }
    }
    conn.shutdown();
    phone.link().unregister(link_id);
}

impl Connection {
    fn read_loop(self: &Arc<Self>, mut reader: BufReader<TcpStream>) -> End {
        let mut connected = false;
        loop {
            let msg = match Message::read(&mut reader, MAX_PAYLOAD) {
                Ok(msg) => msg,
                Err(e) => return End::Protocol(e.to_string()),
            };
            match msg.command {
                A_CNXN => {
                    // The host's maximum payload bounds ours; a host announcing
                    // less than a useful minimum is not speaking ADB.
                    if msg.arg1 < 256 {
                        return End::Protocol(format!("host max payload {} too small", msg.arg1));
                    }
                    self.max_payload
                        .store(msg.arg1.min(MAX_PAYLOAD), Ordering::SeqCst);
                    let banner = self.phone.banner().into_bytes();
                    if !self.send(Message::new(A_CNXN, A_VERSION, MAX_PAYLOAD, banner)) {
                        return End::Protocol("write failed".into());
                    }
                    connected = true;
                }
                _ if !connected => {
                    return End::Protocol("message before CNXN".into());
                }
                A_OPEN => {
                    if let Some(end) = self.open(msg) {
                        return end;
                    }
                }
                A_WRTE => {
                    let Some(stream) = self.stream_for(&msg) else {
                        if self.was_allocated(msg.arg1) {
                            continue;
                        }
                        return End::Protocol(format!("WRTE to unknown stream {}", msg.arg1));
                    };
                    let mut state = stream.lock();
                    if state.closed {
                        // The service just ended; late input is dropped, as adbd drops it.
                        continue;
                    }
                    let buffered = self.buffered.fetch_add(msg.data.len(), Ordering::SeqCst);
                    if state.inbox.len() >= MAX_UNACKED || buffered + msg.data.len() > MAX_BUFFERED
                    {
                        return End::Protocol("host ignores flow control".into());
                    }
                    state.inbox.push_back(msg.data);
                    drop(state);
                    stream.changed.notify_all();
                }
                A_OKAY => match self.stream_for(&msg) {
                    Some(stream) => {
                        stream.lock().can_send = true;
                        stream.changed.notify_all();
                    }
                    None if self.was_allocated(msg.arg1) => {}
                    None => return End::Protocol(format!("OKAY for unknown stream {}", msg.arg1)),
                },
                A_CLSE => {
                    let removed = self.lock_streams().remove(&msg.arg1);
                    match removed {
                        Some(stream) => {
                            self.forget(&stream);
                        }
                        None if self.was_allocated(msg.arg1) || msg.arg1 == 0 => {}
                        None => {
                            return End::Protocol(format!("CLSE for unknown stream {}", msg.arg1))
                        }
                    }
                }
                // AUTH, SYNC, STLS and unknown commands are ignored, as adbd ignores them.
                _ => {}
            }
        }
    }

    /// Handles an OPEN; `Some` ends the connection.
    fn open(self: &Arc<Self>, msg: Message) -> Option<End> {
        let remote = msg.arg0;
        if remote == 0 {
            return Some(End::Protocol("OPEN with stream id 0".into()));
        }
        match self.phone.on_command() {
            Fate::Serve => {}
            Fate::DropConnection | Fate::GoOffline(_) => return Some(End::Fault),
        }
        let name_end = msg
            .data
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(msg.data.len());
        let service = String::from_utf8_lossy(&msg.data[..name_end]).into_owned();
        let Some(service) = services::Service::parse(&service) else {
            self.send(Message::new(A_CLSE, 0, remote, Vec::new()));
            return None;
        };
        let mut streams = self.lock_streams();
        if streams.len() >= MAX_STREAMS {
            drop(streams);
            self.send(Message::new(A_CLSE, 0, remote, Vec::new()));
            return None;
        }
        let local = self.next_local.fetch_add(1, Ordering::SeqCst);
        let stream = Arc::new(Stream {
            local,
            remote,
            state: Mutex::new(StreamState {
                can_send: true,
                ..StreamState::default()
            }),
            changed: Condvar::new(),
        });
        streams.insert(local, stream.clone());
        drop(streams);
        if !self.send(Message::new(A_OKAY, local, remote, Vec::new())) {
            return Some(End::Protocol("write failed".into()));
        }
        let io = StreamIo {
            conn: self.clone(),
            stream,
        };
        let phone = self.phone.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("sim-stream-{local}"))
            .spawn(move || services::run(&phone, service, io));
        if spawned.is_err() {
            return Some(End::Protocol("cannot start a stream thread".into()));
        }
        None
    }

    /// Closes a stream on the connection's side of the books.
    fn forget(&self, stream: &Stream) -> bool {
        let (was_open, dropped) = stream.mark_closed();
        self.buffered.fetch_sub(dropped, Ordering::SeqCst);
        was_open
    }

    fn lock_streams(&self) -> MutexGuard<'_, HashMap<u32, Arc<Stream>>> {
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The open stream a WRTE/OKAY addresses (arg1 is our id, arg0 the host's).
    fn stream_for(&self, msg: &Message) -> Option<Arc<Stream>> {
        self.lock_streams()
            .get(&msg.arg1)
            .filter(|s| s.remote == msg.arg0)
            .cloned()
    }

    /// True for an id this connection handed out once (a stream since closed):
    /// late messages for it are normal and ignored.
    fn was_allocated(&self, local: u32) -> bool {
        local != 0 && local < self.next_local.load(Ordering::SeqCst)
    }

    /// Writes one whole message; false (and the connection shut) when that fails.
    fn send(&self, msg: Message) -> bool {
        if self.dead.load(Ordering::SeqCst) {
            return false;
        }
        let bytes = msg.encode();
        let ok = {
            let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            writer
                .write_all(&bytes)
                .and_then(|_| writer.flush())
                .is_ok()
        };
        if !ok {
            self.shutdown();
        }
        ok
    }

    fn shutdown(&self) {
        self.dead.store(true, Ordering::SeqCst);
        let _ = self.socket.shutdown(Shutdown::Both);
        let streams: Vec<_> = self.lock_streams().drain().map(|(_, s)| s).collect();
        for stream in streams {
            self.forget(&stream);
        }
    }
}

/// What a read from a stream gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// A WRTE payload from the host.
    Data(Vec<u8>),
    /// The stream or its connection closed.
    Closed,
    /// Nothing arrived in time.
    Idle,
}

/// A service's end of one stream.
pub(crate) struct StreamIo {
    conn: Arc<Connection>,
    stream: Arc<Stream>,
}

/// The stream closed before all was written.
#[derive(Debug)]
pub(crate) struct Closed;

impl StreamIo {
    /// True once the host closed the stream or the connection ended.
    pub fn is_closed(&self) -> bool {
        self.stream.lock().closed || self.conn.dead.load(Ordering::SeqCst)
    }

    /// Sends `data` as WRTEs of at most the negotiated size, one in flight at a time.
    pub fn write(&self, data: &[u8]) -> Result<(), Closed> {
        let max = self.conn.max_payload.load(Ordering::SeqCst) as usize;
        for chunk in data.chunks(max.max(1)) {
            let mut state = self.stream.lock();
            while !state.can_send && !state.closed {
                state = self
                    .stream
                    .changed
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
            }
            if state.closed {
                return Err(Closed);
            }
            state.can_send = false;
            drop(state);
            let msg = Message::new(
                A_WRTE,
                self.stream.local,
                self.stream.remote,
                chunk.to_vec(),
            );
            if !self.conn.send(msg) {
                return Err(Closed);
            }
        }
        Ok(())
    }

    /// Takes the next WRTE payload from the host (acknowledging it), waiting up to `timeout`.
    pub fn read(&self, timeout: Duration) -> Input {
        let mut state = self.stream.lock();
        loop {
            if let Some(data) = state.inbox.pop_front() {
                drop(state);
                self.conn.buffered.fetch_sub(data.len(), Ordering::SeqCst);
                self.conn.send(Message::new(
                    A_OKAY,
                    self.stream.local,
                    self.stream.remote,
                    Vec::new(),
                ));
                return Input::Data(data);
            }
            if state.closed {
                return Input::Closed;
            }
            let (next, wait) = self
                .stream
                .changed
                .wait_timeout(state, timeout)
                .unwrap_or_else(|e| e.into_inner());
            state = next;
            if wait.timed_out() && state.inbox.is_empty() && !state.closed {
                return Input::Idle;
            }
        }
    }

    /// Closes the stream from the phone's side (CLSE), once.
    pub fn close(&self) {
        let was_open = self.conn.forget(&self.stream);
        self.conn.lock_streams().remove(&self.stream.local);
        if was_open {
            self.conn.send(Message::new(
                A_CLSE,
                self.stream.local,
                self.stream.remote,
                Vec::new(),
            ));
        }
    }
}

impl Drop for StreamIo {
    fn drop(&mut self) {
        self.close();
    }
}
