//! A phone's network link: its live host connections and whether it is online.
//!
//! The listener registers every accepted connection here, so that a fault (or
//! the fleet shutting down) can drop them all at once, and so that an offline
//! phone refuses new ones until it comes back.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Most host connections one phone serves at once; more are refused.
pub const MAX_CONNECTIONS: usize = 64;

#[derive(Debug, Default)]
struct LinkState {
    offline_until: Option<Instant>,
    connections: HashMap<u64, TcpStream>,
    next_id: u64,
    last_error: Option<String>,
}

/// Live connections and online state of one phone.
#[derive(Debug, Default)]
pub struct Link {
    state: Mutex<LinkState>,
}

impl Link {
    fn lock(&self) -> MutexGuard<'_, LinkState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True unless an offline spell is running.
    pub fn is_online(&self) -> bool {
        let mut state = self.lock();
        match state.offline_until {
            Some(until) if Instant::now() < until => false,
            Some(_) => {
                state.offline_until = None;
                true
            }
            None => true,
        }
    }

    /// Registers a connection; `None` (refused) when offline or full.
    pub fn register(&self, stream: &TcpStream) -> Option<u64> {
        if !self.is_online() {
            return None;
        }
        let mut state = self.lock();
        if state.connections.len() >= MAX_CONNECTIONS {
            return None;
        }
        let clone = stream.try_clone().ok()?;
        state.next_id += 1;
        let id = state.next_id;
        state.connections.insert(id, clone);
        Some(id)
    }

    /// Forgets a connection that ended.
    pub fn unregister(&self, id: u64) {
        self.lock().connections.remove(&id);
    }

    /// Shuts down one connection (its threads notice and end).
    pub fn drop_connection(&self, id: u64) {
        if let Some(stream) = self.lock().connections.remove(&id) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Shuts down every connection.
    pub fn drop_all(&self) {
        let connections: Vec<TcpStream> = self.lock().connections.drain().map(|(_, s)| s).collect();
        for stream in connections {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Drops every connection and refuses new ones for `duration`.
    pub fn go_offline(&self, duration: Duration) {
        self.lock().offline_until = Some(Instant::now() + duration);
        self.drop_all();
    }

    /// Records why a connection was dropped (bad protocol input, a fault).
    pub fn record_error(&self, why: String) {
        self.lock().last_error = Some(why);
    }

    /// Why the last dropped connection was dropped.
    pub fn last_error(&self) -> Option<String> {
        self.lock().last_error.clone()
    }

    /// Number of live connections.
    pub fn connection_count(&self) -> usize {
        self.lock().connections.len()
    }
}
