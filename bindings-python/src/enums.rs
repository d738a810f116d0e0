//! `Platform` and `Status` across the boundary.
//!
//! Python's enums are `str` enums defined in `farmhand/enums.py`; arguments take
//! the enum or its name as a string, parsed by the engine's own `FromStr` (so the
//! accepted spellings are the engine's, not the binding's).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyString;

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
    static MEMBERS: PyOnceLock<[Py<PyAny>; 2]> = PyOnceLock::new();
    let members = MEMBERS.get_or_try_init(py, || {
        let class = py.import("farmhand.enums")?.getattr("Platform")?;
        let member = |p: Platform| class.call1((p.as_str(),)).map(Bound::unbind);
        Ok::<_, PyErr>([member(Platform::TikTok)?, member(Platform::Instagram)?])
    })?;
    // Calling the enum class per account was a tenth of a 100k listing.
    let index = match platform {
        Platform::TikTok => 0,
        Platform::Instagram => 1,
    };
    Ok(members[index].bind(py).clone())
}

/// The `farmhand.Status` member for `status`.
pub fn status(py: Python<'_>, status: Status) -> PyResult<Bound<'_, PyAny>> {
    static MEMBERS: PyOnceLock<[Py<PyAny>; 2]> = PyOnceLock::new();
    let members = MEMBERS.get_or_try_init(py, || {
        let class = py.import("farmhand.enums")?.getattr("Status")?;
        let member = |s: Status| class.call1((s.as_str(),)).map(Bound::unbind);
        Ok::<_, PyErr>([member(Status::Enabled)?, member(Status::Disabled)?])
    })?;
    let index = match status {
        Status::Enabled => 0,
        Status::Disabled => 1,
    };
    Ok(members[index].bind(py).clone())
}
