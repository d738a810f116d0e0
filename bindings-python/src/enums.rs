//! `Platform` and `Status` across the boundary.
//!
//! Python's enums are `str` enums defined in `farmhand/enums.py`; arguments take
//! the enum or its name as a string, parsed by the engine's own `FromStr` (so the
//! accepted spellings are the engine's, not the binding's).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};

use farmhand::{Platform, Status};

use crate::errors::Error;

/// A `platform` argument: a `farmhand.Platform` or its name.
pub struct PlatformArg(pub Platform);

impl<'a, 'py> FromPyObject<'a, 'py> for PlatformArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text = name_of(&obj, "Platform")?;
        Ok(PlatformArg(text.parse().map_err(Error)?))
    }
}

/// A `status` argument: a `farmhand.Status` or its name.
pub struct StatusArg(pub Status);

impl<'a, 'py> FromPyObject<'a, 'py> for StatusArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text = name_of(&obj, "Status")?;
        Ok(StatusArg(text.parse().map_err(Error)?))
    }
}

fn name_of<'py>(obj: &Bound<'py, PyAny>, expected: &str) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(text) => Ok(text.to_str()?.to_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected a farmhand.{expected} or its name as a str, not {}",
            obj.get_type().name()?
        ))),
    }
}

/// The `farmhand.Platform` member for `platform`.
pub fn platform(py: Python<'_>, platform: Platform) -> PyResult<Bound<'_, PyAny>> {
    static CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    CLASS
        .import(py, "farmhand.enums", "Platform")?
        .call1((platform.as_str(),))
}

/// The `farmhand.Status` member for `status`.
pub fn status(py: Python<'_>, status: Status) -> PyResult<Bound<'_, PyAny>> {
    static CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    CLASS
        .import(py, "farmhand.enums", "Status")?
        .call1((status.as_str(),))
}
