//! `farmhand.Account` and `farmhand.ProfileStats`: read-only views of the engine's records.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use farmhand::{ProfileStats, Timestamp};

use crate::enums;
use crate::errors::Error;
use crate::secret::PyCredentials;

/// An account as stored: read-only; change it through `Workspace` methods.
///
/// Equal when every field is equal; hashed by id. Its ``repr`` never shows
/// the password.
#[pyclass(frozen, eq, module = "farmhand", name = "Account")]
#[derive(PartialEq)]
pub struct PyAccount(pub farmhand::Account);

#[pymethods]
impl PyAccount {
    /// Store-assigned id (sheet column ``id``).
    #[getter]
    fn id(&self) -> i64 {
        self.0.id.0
    }

    /// The app the account belongs to.
    #[getter]
    fn platform<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::platform(py, self.0.platform)
    }

    /// The normalised username: no leading ``@``, case as given.
    #[getter]
    fn username(&self) -> &str {
        self.0.username.as_str()
    }

    /// Login email, if any.
    #[getter]
    fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// The stored password (sheet column ``pwd``, before any ``:SECRET``).
    /// Raises ``EncryptionKeyError`` when the workspace is encrypted and was
    /// opened without its key (``has_password`` still tells whether there is one).
    #[getter]
    fn password(&self) -> PyResult<Option<&str>> {
        exposed(self.0.password.as_ref())
    }

    /// The authenticator (2FA) key, base32 upper case without spaces; ``None``
    /// when unset. Raises ``EncryptionKeyError`` like ``password``.
    #[getter]
    fn totp_key(&self) -> PyResult<Option<&str>> {
        exposed(self.0.totp_key.as_ref())
    }

    /// True when a 2FA key is stored.
    #[getter]
    fn has_2fa(&self) -> bool {
        self.0.totp_key.is_some()
    }

    /// True when a password is stored.
    #[getter]
    fn has_password(&self) -> bool {
        self.0.has_password()
    }

    /// Serial of the phone the account is bound to; ``None`` when unassigned.
    #[getter]
    fn device(&self) -> Option<&str> {
        self.0.device.as_deref()
    }

    /// The bound device's stable friendly number (sheet column ``device_index``).
    #[getter]
    fn device_index(&self) -> Option<u32> {
        self.0.device_index
    }

    /// Clone-app package overriding the platform's default app, if any.
    #[getter]
    fn package_name(&self) -> Option<&str> {
        self.0.package_name.as_deref()
    }

    /// The app package automation drives: the clone package or the platform default.
    #[getter]
    fn app_package(&self) -> &str {
        self.0.app_package()
    }

    /// Whether the app session is logged in on its phone (sheet column ``logined``).
    #[getter]
    fn logged_in(&self) -> bool {
        self.0.logged_in
    }

    /// Enabled or disabled for automation.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::status(py, self.0.status)
    }

    /// True when automation may touch this account.
    #[getter]
    fn enabled(&self) -> bool {
        self.0.is_enabled()
    }

    /// Free labels, in order.
    #[getter]
    fn tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.tags)
    }

    /// Profile numbers from the last sync or sheet import.
    #[getter]
    fn stats(&self) -> PyProfileStats {
        PyProfileStats(self.0.stats.clone())
    }

    /// When a login workflow last logged this account in (UTC), if ever.
    #[getter]
    fn last_login_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.last_login_at.map(|t| datetime(py, t)).transpose()
    }

    /// Why the last workflow on this account failed, if it did.
    #[getter]
    fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When the account was created in this workspace (UTC).
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.0.created_at)
    }

    /// When the account was last changed (UTC).
    #[getter]
    fn updated_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.0.updated_at)
    }

    /// What a login types for this account; ``None`` when it has no password.
    /// Raises ``EncryptionKeyError`` when its secrets are locked (an encrypted
    /// workspace opened without its key).
    fn credentials(&self) -> PyResult<Option<PyCredentials>> {
        Ok(self.0.credentials().map_err(Error)?.map(PyCredentials))
    }

    /// The fields as a flat dict (stats inlined), e.g. for ``pandas.DataFrame``.
    ///
    /// The password and 2FA key are left out unless ``include_secrets`` is true.
    #[pyo3(signature = (*, include_secrets = false))]
    fn to_dict<'py>(&self, py: Python<'py>, include_secrets: bool) -> PyResult<Bound<'py, PyDict>> {
        let a = &self.0;
        let d = PyDict::new(py);
        d.set_item("id", a.id.0)?;
        d.set_item("platform", enums::platform(py, a.platform)?)?;
        d.set_item("username", a.username.as_str())?;
        d.set_item("email", a.email.as_deref())?;
        if include_secrets {
            d.set_item("password", self.password()?)?;
            d.set_item("totp_key", self.totp_key()?)?;
        }
        d.set_item("device", a.device.as_deref())?;
        d.set_item("device_index", a.device_index)?;
        d.set_item("package_name", a.package_name.as_deref())?;
        d.set_item("logged_in", a.logged_in)?;
        d.set_item("status", enums::status(py, a.status)?)?;
        d.set_item("tags", &a.tags)?;
        stats_into(py, &a.stats, &d)?;
        d.set_item("last_login_at", self.last_login_at(py)?)?;
        d.set_item("last_error", a.last_error.as_deref())?;
        d.set_item("created_at", self.created_at(py)?)?;
        d.set_item("updated_at", self.updated_at(py)?)?;
        Ok(d)
    }

    fn __hash__(&self) -> u64 {
        self.0.id.0 as u64
    }

    fn __repr__(&self) -> String {
        let a = &self.0;
        let tags: Vec<String> = a.tags.iter().map(|t| quote(t)).collect();
        format!(
            "Account(id={}, platform='{}', username={}, email={}, device={}, status='{}', logged_in={}, tags=({}{}))",
            a.id.0,
            a.platform,
            quote(a.username.as_str()),
            quote_opt(a.email.as_deref()),
            quote_opt(a.device.as_deref()),
            a.status,
            if a.logged_in { "True" } else { "False" },
            tags.join(", "),
            if tags.len() == 1 { "," } else { "" },
        )
    }
}

/// Profile numbers read from the app, with the time of the sync.
#[pyclass(frozen, eq, module = "farmhand", name = "ProfileStats")]
#[derive(PartialEq)]
pub struct PyProfileStats(pub ProfileStats);

#[pymethods]
impl PyProfileStats {
    /// Display name.
    #[getter]
    fn nickname(&self) -> Option<&str> {
        self.0.nickname.as_deref()
    }
    /// Country, where the app shows it.
    #[getter]
    fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    /// Followers.
    #[getter]
    fn followers(&self) -> Option<u64> {
        self.0.followers
    }
    /// Accounts followed.
    #[getter]
    fn following(&self) -> Option<u64> {
        self.0.following
    }
    /// Likes received (TikTok "Likes").
    #[getter]
    fn hearts(&self) -> Option<u64> {
        self.0.hearts
    }
    /// Posts / videos.
    #[getter]
    fn videos(&self) -> Option<u64> {
        self.0.videos
    }
    /// Friends (TikTok).
    #[getter]
    fn friends(&self) -> Option<u64> {
        self.0.friends
    }
    /// When these numbers were read (UTC); ``None`` for numbers from a sheet.
    #[getter]
    fn synced_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.synced_at.map(|t| datetime(py, t)).transpose()
    }

    /// The numbers as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        stats_into(py, &self.0, &d)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let s = &self.0;
        format!(
            "ProfileStats(nickname={}, followers={}, following={}, hearts={}, videos={})",
            quote_opt(s.nickname.as_deref()),
            int_opt(s.followers),
            int_opt(s.following),
            int_opt(s.hearts),
            int_opt(s.videos),
        )
    }
}

fn stats_into(py: Python<'_>, s: &ProfileStats, d: &Bound<'_, PyDict>) -> PyResult<()> {
    d.set_item("nickname", s.nickname.as_deref())?;
    d.set_item("country", s.country.as_deref())?;
    d.set_item("followers", s.followers)?;
    d.set_item("following", s.following)?;
    d.set_item("hearts", s.hearts)?;
    d.set_item("videos", s.videos)?;
    d.set_item("friends", s.friends)?;
    d.set_item(
        "synced_at",
        s.synced_at.map(|t| datetime(py, t)).transpose()?,
    )?;
    Ok(())
}

/// An aware UTC `datetime.datetime` for an engine timestamp (milliseconds).
pub fn datetime(py: Python<'_>, at: Timestamp) -> PyResult<Bound<'_, PyAny>> {
    static FROMTIMESTAMP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let fromtimestamp = FROMTIMESTAMP.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("datetime")?
                .getattr("fromtimestamp")?
                .unbind(),
        )
    })?;
    let utc = UTC.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("timezone")?
                .getattr("utc")?
                .unbind(),
        )
    })?;
    fromtimestamp
        .bind(py)
        .call1((at.0 as f64 / 1000.0, utc.bind(py)))
}

/// A string quoted the way Python's `repr` quotes it (single quotes, escapes).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `None` or the quoted string.
pub fn quote_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), quote)
}

fn int_opt(n: Option<u64>) -> String {
    n.map_or_else(|| "None".to_owned(), |n| n.to_string())
}

/// A secret's value for Python; a locked one raises `EncryptionKeyError`.
fn exposed(secret: Option<&farmhand::Secret>) -> PyResult<Option<&str>> {
    Ok(secret.map(|s| s.try_expose()).transpose().map_err(Error)?)
}
