//! `Changes`: the roster's change feed (`Workspace.watch()`), as a blocking
//! iterator or with `wait(timeout)`.

use std::sync::Mutex;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use farmhand::store::ChangeWatch;

use crate::errors::Error;

/// How long one slice of a blocking `next()` waits before Python may handle
/// a signal (Ctrl-C) and the wait goes on.
const SLICE: Duration = Duration::from_millis(200);

/// Changes of a workspace's roster, made by anyone (another thread, process,
/// or PC sharing a PostgreSQL roster): iterate to block until each next
/// change, or call :meth:`wait` with a timeout. Re-read what you show on each.
#[pyclass(frozen, module = "farmhand", name = "Changes")]
pub struct PyChanges(Mutex<Box<dyn ChangeWatch>>);

impl PyChanges {
    /// Wraps an engine watch.
    pub fn new(watch: Box<dyn ChangeWatch>) -> Self {
        PyChanges(Mutex::new(watch))
    }

    fn wait_for(&self, py: Python<'_>, timeout: Duration) -> PyResult<bool> {
        let watch = &self.0;
        let changed = py.detach(move || {
            watch
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .wait(timeout)
        });
        Ok(changed.map_err(Error)?)
    }
}

#[pymethods]
impl PyChanges {
    /// Waits at most ``timeout`` seconds: ``True`` when the roster changed
    /// since the last change reported, ``False`` when the time ran out.
    /// ``ValueError`` for a negative or non-finite timeout.
    fn wait(&self, py: Python<'_>, timeout: f64) -> PyResult<bool> {
        let timeout = Duration::try_from_secs_f64(timeout).map_err(|_| {
            PyValueError::new_err(format!(
                "timeout must be a finite number of seconds >= 0, not {timeout}"
            ))
        })?;
        self.wait_for(py, timeout)
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// Blocks until the next change (Ctrl-C interrupts it); yields ``None``.
    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        loop {
            if self.wait_for(py, SLICE)? {
                return Ok(py.None());
            }
            py.check_signals()?;
        }
    }
}
