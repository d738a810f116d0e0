//! A fleet of simulated phones, each listening on its own 127.0.0.1 port.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use farmhand::error::{Error, Result};

use super::catalog::AppCatalog;
use super::local::LocalDriver;
use super::phone::{Clock, SimPhone};
use super::scenario::Scenario;
use super::transport;

/// Simulated phones serving the ADB device protocol until dropped.
pub struct SimFleet {
    phones: Vec<Arc<SimPhone>>,
    listeners: Vec<Listener>,
}

struct Listener {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimFleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimFleet")
            .field("phones", &self.serials())
            .finish()
    }
}

impl SimFleet {
    /// Starts every phone of the scenario with the built-in apps.
    pub fn start(scenario: &Scenario) -> Result<SimFleet> {
        SimFleet::start_with(scenario, &AppCatalog::builtin())
    }

    /// Starts every phone of the scenario, building apps from `catalog`.
    /// Each phone listens on 127.0.0.1 (its `port`, or one the system picks).
    pub fn start_with(scenario: &Scenario, catalog: &AppCatalog) -> Result<SimFleet> {
        scenario.validate()?;
        let accounts: Arc<[_]> = scenario.accounts.clone().into();
        let clock = scenario.clock.map_or(Clock::System, Clock::Fixed);
        let mut fleet = SimFleet {
            phones: Vec::new(),
            listeners: Vec::new(),
        };
        for (i, spec) in scenario.phones.iter().enumerate() {
            let port = spec.port.unwrap_or(0);
            let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
                Error::device(
                    format!("127.0.0.1:{port}"),
                    format!("phones[{i}]: cannot listen: {e}"),
                )
                .with_source(e)
            })?;
            let addr = listener
                .local_addr()
                .map_err(|e| Error::device(format!("127.0.0.1:{port}"), e.to_string()))?;
            let phone = Arc::new(SimPhone::new(
                addr.to_string(),
                spec,
                accounts.clone(),
                spec.latency.unwrap_or(scenario.latency),
                clock,
                catalog,
            )?);
            let stop = Arc::new(AtomicBool::new(false));
            let thread = {
                let (phone, stop) = (phone.clone(), stop.clone());
                std::thread::Builder::new()
                    .name(format!("sim-accept-{}", addr.port()))
                    .spawn(move || accept_loop(listener, phone, stop))
                    .map_err(|e| Error::device(addr.to_string(), format!("cannot start: {e}")))?
            };
            fleet.phones.push(phone);
            fleet.listeners.push(Listener {
                addr,
                stop,
                thread: Some(thread),
            });
        }
        Ok(fleet)
    }

    /// The phones, in scenario order.
    pub fn phones(&self) -> &[Arc<SimPhone>] {
        &self.phones
    }

    /// The phone with this serial (`127.0.0.1:PORT`).
    pub fn phone(&self, serial: &str) -> Option<&Arc<SimPhone>> {
        self.phones.iter().find(|p| p.serial() == serial)
    }

    /// Every phone's serial, in scenario order.
    pub fn serials(&self) -> Vec<String> {
        self.phones.iter().map(|p| p.serial().to_string()).collect()
    }

    /// An in-process driver over the same phones (no TCP, no adb server).
    pub fn local_driver(&self) -> LocalDriver {
        LocalDriver::new(self.phones.clone())
    }
}

impl Drop for SimFleet {
    fn drop(&mut self) {
        for listener in &self.listeners {
            listener.stop.store(true, Ordering::SeqCst);
            // Wakes the blocking accept so the thread sees the flag.
            let _ = TcpStream::connect(listener.addr);
        }
        for phone in &self.phones {
            phone.drop_connections();
        }
        for listener in &mut self.listeners {
            if let Some(thread) = listener.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

fn accept_loop(listener: TcpListener, phone: Arc<SimPhone>, stop: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else {
            continue;
        };
        // Offline or full: the host sees the connection refused-and-closed.
        let Some(id) = phone.link().register(&stream) else {
            continue;
        };
        let worker_phone = phone.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("sim-conn-{id}"))
            .spawn(move || transport::serve(stream, worker_phone, id));
        if spawned.is_err() {
            phone.link().drop_connection(id);
        }
    }
}
