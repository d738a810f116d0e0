//! `farmhand.sim`: simulated phones so scripts and tests run without hardware.
//!
//! `Scenario` describes the world (JSON), `SimFleet` starts its phones (each
//! speaking the ADB device protocol on a 127.0.0.1 port), `AdbServer` runs the
//! real `adb` server on a private port. Both stop when closed, when their `with`
//! block ends, or when garbage-collected.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use farmhand::device::AdbDriver;
use farmhand_sim::{AdbServer, Scenario, SimFleet, SimPhone};

use crate::account::quote;
use crate::device::{PyAdbDriver, PyDriver};
use crate::errors::Error;

/// The simulated world: platform accounts, phones with their apps and sessions,
/// latencies and faults (see the engine's scenario format).
#[pyclass(frozen, module = "farmhand.sim", name = "Scenario")]
pub struct PyScenario(pub Scenario);

#[pymethods]
impl PyScenario {
    /// Parses and checks a JSON scenario.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyScenario(Scenario::from_json(text).map_err(Error)?))
    }

    /// Builds and checks a scenario from a dict shaped like the JSON format.
    #[staticmethod]
    fn from_dict(py: Python<'_>, scenario: &Bound<'_, PyDict>) -> PyResult<Self> {
        let text: String = py
            .import("json")?
            .call_method1("dumps", (scenario,))?
            .extract()?;
        PyScenario::from_json(&text)
    }

    /// Reads and checks a JSON scenario file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let scenario = py.detach(move || Scenario::load(&path)).map_err(Error)?;
        Ok(PyScenario(scenario))
    }

    /// ``n`` default phones (TikTok and Instagram installed, nobody logged in), no accounts.
    #[staticmethod]
    fn with_phones(n: usize) -> PyResult<Self> {
        let scenario = Scenario::with_phones(n);
        scenario.validate().map_err(Error)?;
        Ok(PyScenario(scenario))
    }

    /// The scenario as JSON (it holds the simulated accounts' passwords).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0)
            .map_err(|e| PyValueError::new_err(format!("scenario: cannot serialise: {e}")))
    }

    /// Number of phones.
    #[getter]
    fn phones(&self) -> usize {
        self.0.phones.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Scenario(phones={}, accounts={})",
            self.0.phones.len(),
            self.0.accounts.len()
        )
    }
}

/// Simulated phones serving the ADB device protocol, one 127.0.0.1 port each.
///
/// Reach them through a real adb server (:class:`AdbServer`, then
/// ``server.connect(serial)``) as real cloud phones are reached, or in-process
/// through :meth:`driver`.
#[pyclass(frozen, module = "farmhand.sim", name = "SimFleet")]
pub struct PySimFleet {
    fleet: Running<SimFleet>,
    phones: Vec<Arc<SimPhone>>,
}

impl PySimFleet {
    fn phone(&self, serial: &str) -> PyResult<&Arc<SimPhone>> {
        self.phones
            .iter()
            .find(|p| p.serial() == serial)
            .ok_or_else(|| Error(farmhand::Error::not_found(format!("device {serial}"))).into())
    }
}

#[pymethods]
impl PySimFleet {
    /// Starts every phone of the scenario.
    #[new]
    fn new(py: Python<'_>, scenario: PyRef<'_, PyScenario>) -> PyResult<Self> {
        let scenario = scenario.0.clone();
        let fleet = py
            .detach(move || SimFleet::start(&scenario))
            .map_err(Error)?;
        let phones = fleet.phones().to_vec();
        Ok(PySimFleet {
            fleet: Running::new(fleet, "sim", "the fleet is stopped"),
            phones,
        })
    }

    /// The phones' serials (``127.0.0.1:PORT``), in scenario order.
    #[getter]
    fn serials(&self) -> Vec<String> {
        self.phones.iter().map(|p| p.serial().to_owned()).collect()
    }

    /// An in-process driver over these phones (no adb server, no TCP).
    fn driver(&self, py: Python<'_>) -> PyResult<PyDriver> {
        let driver = self.fleet.with(py, |fleet| Ok(fleet.local_driver()))?;
        Ok(PyDriver {
            inner: Arc::new(driver),
        })
    }

    /// Usernames logged in to the app ``package`` on the phone ``serial``.
    fn logged_in(&self, serial: &str, package: &str) -> PyResult<Vec<String>> {
        Ok(self.phone(serial)?.logged_in(package).map_err(Error)?)
    }

    /// The package in the foreground of the phone ``serial``.
    fn foreground_package(&self, serial: &str) -> PyResult<String> {
        Ok(self.phone(serial)?.foreground_package())
    }

    /// Stops every phone (closing their ports). Stopping twice is harmless.
    fn stop(&self, py: Python<'_>) {
        self.fleet.stop(py);
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> bool {
        self.stop(py);
        false
    }

    fn __len__(&self) -> usize {
        self.phones.len()
    }

    fn __repr__(&self) -> String {
        let serials: Vec<String> = self.phones.iter().map(|p| quote(p.serial())).collect();
        format!("SimFleet([{}])", serials.join(", "))
    }
}

/// The real ``adb`` server on a free private port (never 5037), killed on :meth:`stop`.
#[pyclass(frozen, module = "farmhand.sim", name = "AdbServer")]
pub struct PyAdbServer {
    server: Running<AdbServer>,
    port: u16,
}

#[pymethods]
impl PyAdbServer {
    /// Starts ``adb`` on a free port; a missing ``adb`` binary is a ``DeviceError``.
    #[new]
    fn new(py: Python<'_>) -> PyResult<Self> {
        let server = py.detach(AdbServer::start).map_err(Error)?;
        Ok(PyAdbServer {
            port: server.port(),
            server: Running::new(server, "adb", "the adb server is stopped"),
        })
    }

    /// The server's port.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    /// The server's address, ``"127.0.0.1:PORT"``.
    #[getter]
    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// ``adb connect`` a network phone (``ip:port``), waiting until it is online.
    fn connect(&self, py: Python<'_>, address: String) -> PyResult<()> {
        self.server.with(py, move |s| s.connect(&address))
    }

    /// ``adb disconnect`` a network phone.
    fn disconnect(&self, py: Python<'_>, address: String) -> PyResult<()> {
        self.server.with(py, move |s| s.disconnect(&address))
    }

    /// An :class:`farmhand.AdbDriver` talking to this server.
    fn driver<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAdbDriver>> {
        let driver = AdbDriver::with_server(([127, 0, 0, 1], self.port).into());
        Bound::new(py, PyAdbDriver::initializer(driver))
    }

    /// Kills the server. Stopping twice is harmless.
    fn stop(&self, py: Python<'_>) {
        self.server.stop(py);
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> bool {
        self.stop(py);
        false
    }

    fn __repr__(&self) -> String {
        format!("AdbServer(port={})", self.port)
    }
}

/// A simulator part until it is stopped (`SimFleet`, `AdbServer`): dropping the
/// engine value closes its ports or kills its process.
struct Running<T> {
    value: Mutex<Option<T>>,
    /// The `DeviceError`'s serial for a call after `stop()`.
    serial: &'static str,
    /// The `DeviceError`'s message for a call after `stop()`.
    stopped: &'static str,
}

impl<T: Send> Running<T> {
    /// `value`, running; calls after `stop()` raise `DeviceError(serial, stopped)`.
    fn new(value: T, serial: &'static str, stopped: &'static str) -> Self {
        Running {
            value: Mutex::new(Some(value)),
            serial,
            stopped,
        }
    }

    /// Runs `f` on the running value with the GIL released, or `DeviceError` once stopped.
    fn with<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&T) -> farmhand::Result<R> + Send,
    ) -> PyResult<R> {
        Ok(py
            .detach(|| {
                let value = self.value.lock().unwrap_or_else(|e| e.into_inner());
                match value.as_ref() {
                    Some(value) => f(value),
                    None => Err(farmhand::Error::device(self.serial, self.stopped)),
                }
            })
            .map_err(Error)?)
    }

    /// Drops the value with the GIL released. Stopping twice is harmless.
    fn stop(&self, py: Python<'_>) {
        let value = self.value.lock().unwrap_or_else(|e| e.into_inner()).take();
        py.detach(move || drop(value));
    }
}
