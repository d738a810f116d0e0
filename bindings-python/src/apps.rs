//! Selector packs (`farmhand.Pack`) and an account's activity history and
//! health (`farmhand.HistoryEntry`, `farmhand.Health`).

use std::path::PathBuf;

use pyo3::prelude::*;

use farmhand::apps::Pack;
use farmhand::device::UiTree;
use farmhand::ops::Health;
use farmhand::store::HistoryEntry;

use crate::account::{datetime, quote, quote_opt};
use crate::enums::{self, PlatformArg};
use crate::errors::Error;

/// A selector pack: how one app's screens are recognised and its controls found.
///
/// :meth:`Pack.load` reads a pack file (the shape of the built-in ones) so that
/// automation can follow an app update without a new release; pass packs to
/// the workflows with ``packs=``.
#[pyclass(frozen, module = "farmhand", name = "Pack")]
#[derive(Clone)]
pub struct PyPack(pub Pack);

#[pymethods]
impl PyPack {
    /// The built-in pack of a platform's app.
    #[staticmethod]
    fn builtin(platform: PlatformArg) -> PyPack {
        PyPack(Pack::builtin(platform.0))
    }

    /// Reads and checks a pack file (JSON); errors name the file and the fault.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyPack> {
        py.detach(|| Pack::load(&path))
            .map(PyPack)
            .map_err(|e| Error(e).into())
    }

    /// The app the pack drives.
    #[getter]
    fn app<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::platform(py, self.0.app())
    }

    /// The app versions the pack was written for.
    #[getter]
    fn app_versions(&self) -> &str {
        self.0.app_versions()
    }

    /// Reads one uiautomator dump (XML text) through the pack: a dict with
    /// ``app``, ``screen`` (``None``: not recognised), ``nearest``,
    /// ``controls`` (name → ``{"text", "value"?, "bounds"}``) and ``missing``.
    fn check<'py>(&self, py: Python<'py>, xml: &str) -> PyResult<Bound<'py, PyAny>> {
        let tree = UiTree::parse(xml).map_err(Error)?;
        let json = serde_json::to_string(&self.0.check(&tree))
            .map_err(|e| Error(farmhand::Error::validation("check", e.to_string())))?;
        py.import("json")?.call_method1("loads", (json,))
    }

    fn __repr__(&self) -> String {
        format!(
            "Pack(app='{}', app_versions={})",
            self.0.app(),
            quote(self.0.app_versions())
        )
    }
}

/// One workflow outcome of an account, from its history.
#[pyclass(frozen, module = "farmhand", name = "HistoryEntry")]
pub struct PyHistoryEntry(pub HistoryEntry);

#[pymethods]
impl PyHistoryEntry {
    /// The account's id.
    #[getter]
    fn account(&self) -> i64 {
        self.0.account.0
    }

    /// When the workflow finished with the account (aware UTC datetime).
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.0.at)
    }

    /// The workflow: ``"login"``, ``"match_accounts"`` or ``"sync_profiles"``.
    #[getter]
    fn workflow(&self) -> &'static str {
        self.0.workflow.as_str()
    }

    /// The outcome's stable name, e.g. ``"banned"``.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.0.outcome.as_str()
    }

    /// The phone, if one was concerned.
    #[getter]
    fn device(&self) -> Option<&str> {
        self.0.device.as_deref()
    }

    /// Details of a failure; never a secret.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "HistoryEntry(account={}, workflow='{}', outcome='{}', device={}, reason={})",
            self.0.account,
            self.0.workflow,
            self.0.outcome,
            quote_opt(self.0.device.as_deref()),
            quote_opt(self.0.reason.as_deref())
        )
    }
}

/// An account's health: the last thing a workflow learnt about it.
#[pyclass(frozen, module = "farmhand", name = "Health")]
pub struct PyHealth(pub Health);

#[pymethods]
impl PyHealth {
    /// ``"ok"``, ``"wrong_password"``, ``"challenge_required"``,
    /// ``"rate_limited"``, ``"suspended"``, ``"banned"`` or ``"app_update_required"``.
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state.as_str()
    }

    /// When a workflow found it (aware UTC datetime).
    #[getter]
    fn at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime(py, self.0.at)
    }

    /// The workflow that found it.
    #[getter]
    fn workflow(&self) -> &'static str {
        self.0.workflow.as_str()
    }

    /// The workflow's reason, if any.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "Health(state='{}', workflow='{}', reason={})",
            self.0.state,
            self.0.workflow,
            quote_opt(self.0.reason.as_deref())
        )
    }
}
