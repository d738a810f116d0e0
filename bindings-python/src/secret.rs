//! 2FA codes and the credentials split: `farmhand.totp`, `split_password`,
//! `Credentials` and `Totp` (an authenticator key that never shows itself).

use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt};

use farmhand::secret::{self, Credentials, LoginId, TotpSecret};

use crate::errors::Error;

/// An authenticator key (RFC 6238: SHA-1, 6 digits, 30 s); its ``repr`` hides the key.
#[pyclass(frozen, module = "farmhand", name = "Totp")]
pub struct PyTotp(pub TotpSecret);

#[pymethods]
impl PyTotp {
    /// Parses a base32 key as authenticator apps show it (case, spaces, padding ignored).
    #[new]
    fn new(secret: &str) -> PyResult<Self> {
        Ok(PyTotp(TotpSecret::parse(secret).map_err(Error)?))
    }

    /// The 6-digit code at ``at`` (Unix seconds or an aware ``datetime``; now when ``None``).
    #[pyo3(signature = (at = None))]
    fn code(&self, at: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        Ok(self.0.code_at(unix_seconds(at)?))
    }

    /// Seconds (1 to 30) until the code at ``at`` (now when ``None``) stops being valid.
    #[pyo3(signature = (at = None))]
    fn seconds_left(&self, at: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        Ok(self.0.seconds_left_at(unix_seconds(at)?))
    }

    fn __repr__(&self) -> &'static str {
        "Totp(***)"
    }
}

/// What a login types: the login id (email, else username), the password
/// without its 2FA suffix, and the authenticator key if there is one.
#[pyclass(frozen, module = "farmhand", name = "Credentials")]
pub struct PyCredentials(pub Credentials);

#[pymethods]
impl PyCredentials {
    /// The text typed into the login field: the email when the account has one, else its username.
    #[getter]
    fn login(&self) -> &str {
        self.0.login.as_str()
    }

    /// ``"email"`` or ``"username"``: which of the two ``login`` is.
    #[getter]
    fn login_kind(&self) -> &'static str {
        match self.0.login {
            LoginId::Email(_) => "email",
            LoginId::Username(_) => "username",
        }
    }

    /// The password without any ``:SECRET`` 2FA suffix.
    #[getter]
    fn password(&self) -> &str {
        self.0.password.expose()
    }

    /// The authenticator key split off the password, if any.
    #[getter]
    fn totp(&self) -> Option<PyTotp> {
        self.0.totp.clone().map(PyTotp)
    }

    fn __repr__(&self) -> String {
        format!(
            "Credentials(login={}, password='***', totp={})",
            crate::account::quote(self.0.login.as_str()),
            if self.0.totp.is_some() {
                "Totp(***)"
            } else {
                "None"
            }
        )
    }
}

/// The current 6-digit code for the base32 authenticator key ``secret``, or the
/// code at ``at`` (Unix seconds or an aware ``datetime``).
#[pyfunction]
#[pyo3(signature = (secret, at = None))]
pub fn totp(secret: &str, at: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    Ok(secret::totp(secret, unix_seconds(at)?).map_err(Error)?)
}

/// Reads ``"password:SECRET"`` as the ``pwd`` column of TikMatrix/IgMatrix
/// holds it, by the documented rule (``farmhand::secret::pwd``): the password
/// and its authenticator key, or the whole string and ``None`` when the tail
/// does not have a real key's shape (``"admin:verysecretpassword"``).
#[pyfunction]
pub fn split_password(password: &str) -> (String, Option<PyTotp>) {
    let read = secret::read_pwd(password);
    let key = read
        .totp_key
        .and_then(|key| TotpSecret::parse(key.expose()).ok());
    (read.password.expose().to_owned(), key.map(PyTotp))
}

/// Unix seconds from `None` (now), an int, a float or a `datetime`.
fn unix_seconds(at: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
    let Some(at) = at else {
        return Ok(SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()));
    };
    let seconds: f64 = if at.is_instance_of::<PyInt>() {
        let whole: i64 = at
            .extract()
            .map_err(|_| PyValueError::new_err("at: out of range"))?;
        whole as f64
    } else if at.is_instance_of::<PyFloat>() {
        at.extract()?
    } else if at.hasattr("timestamp")? && at.hasattr("tzinfo")? {
        if at.getattr("tzinfo")?.is_none() {
            return Err(PyValueError::new_err(
                "at: a naive datetime is ambiguous; give one with a tzinfo (e.g. timezone.utc)",
            ));
        }
        at.call_method0("timestamp")?.extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "at: expected Unix seconds (int or float) or a datetime, not {}",
            at.get_type().name()?
        )));
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(PyValueError::new_err(
            "at: must be a time at or after 1970-01-01 UTC",
        ));
    }
    Ok(seconds as u64)
}

/// A fresh random workspace key, as the 64 hexadecimal digits a key file
/// holds (``Workspace.open(path, key=...)`` takes it). Keep it apart from the
/// workspace and its backups: without it the encrypted secrets are lost.
#[pyfunction]
pub fn new_key() -> PyResult<String> {
    let key = farmhand::secret::SecretKey::generate().map_err(crate::errors::Error)?;
    Ok(key.to_text().to_string())
}
