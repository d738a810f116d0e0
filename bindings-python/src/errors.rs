//! Engine errors as Python exceptions (the classes live in `farmhand/errors.py`).
//!
//! [`Error`] wraps a `farmhand::Error` so `?` converts it; the conversion picks
//! the class for the error's stable kind and sets the attributes that name what
//! is wrong (`field`, `serial`, `filename`, ...). The message is the engine's
//! own, which never contains a secret.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

use farmhand::ErrorKind;

/// A `farmhand::Error` on its way to Python.
pub struct Error(pub farmhand::Error);

impl From<farmhand::Error> for Error {
    fn from(err: farmhand::Error) -> Self {
        Error(err)
    }
}

impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        Python::attach(|py| match to_exception(py, err.0) {
            Ok(exc) => exc,
            Err(failed) => failed,
        })
    }
}

/// The exception class `name` of `farmhand.errors`.
pub fn class<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyType>> {
    static MODULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let module = MODULE.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("farmhand.errors")?.into_any().unbind())
    })?;
    Ok(module.bind(py).getattr(name)?.cast_into()?)
}

/// The error raised by every call on a closed workspace.
pub fn closed(py: Python<'_>) -> PyErr {
    match class(py, "ClosedError") {
        Ok(cls) => PyErr::from_type(cls, "the workspace is closed"),
        Err(err) => err,
    }
}

fn to_exception(py: Python<'_>, err: farmhand::Error) -> PyResult<PyErr> {
    let message = err.to_string();
    let name = match err.kind() {
        ErrorKind::Validation => "ValidationError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::Duplicate => "DuplicateError",
        ErrorKind::Import => "SheetImportError",
        ErrorKind::Pack => "PackError",
        ErrorKind::Scenario => "ScenarioError",
        ErrorKind::Device => "DeviceError",
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Storage => "StorageError",
        ErrorKind::Key => "EncryptionKeyError",
        ErrorKind::Io => "FileError",
        ErrorKind::Cancelled => "CancelledError",
        // A screen automation does not know is a device-side failure for Python callers.
        ErrorKind::ScreenNotRecognised => "DeviceError",
    };
    let cls = class(py, name)?;
    let exc = match &err {
        farmhand::Error::Io { path, source } => match source.raw_os_error() {
            Some(errno) => {
                let strerror = py.import("os")?.call_method1("strerror", (errno,))?;
                cls.call1((errno, strerror, path.display().to_string()))?
            }
            None => {
                let exc = cls.call1((message,))?;
                exc.setattr("filename", path.display().to_string())?;
                exc.setattr("strerror", source.to_string())?;
                exc
            }
        },
        _ => cls.call1(PyTuple::new(py, [message])?)?,
    };
    // The engine's own kind name: it also tells apart kinds that share a class.
    exc.setattr("kind", err.kind().as_str())?;
    match &err {
        farmhand::Error::Validation { field, .. } => exc.setattr("field", field)?,
        farmhand::Error::NotFound { what } => exc.setattr("what", what)?,
        farmhand::Error::Duplicate { platform, username } => {
            exc.setattr("platform", crate::enums::platform(py, *platform)?)?;
            exc.setattr("username", username)?;
        }
        farmhand::Error::Import { source_name, .. }
        | farmhand::Error::Pack { source_name, .. }
        | farmhand::Error::Scenario { source_name, .. } => exc.setattr("source", source_name)?,
        farmhand::Error::Device { serial, .. }
        | farmhand::Error::ScreenNotRecognised { serial, .. } => exc.setattr("serial", serial)?,
        farmhand::Error::Timeout { what, after } => {
            exc.setattr("what", what)?;
            exc.setattr("seconds", after.as_secs_f64())?;
        }
        _ => {}
    }
    Ok(PyErr::from_value(exc))
}
