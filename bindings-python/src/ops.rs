//! Fleet workflows from Python: progress callbacks, Ctrl-C, and their reports.
//!
//! A workflow runs on a helper thread with the GIL released. The calling thread
//! waits in short slices and, between them, checks for signals: a Ctrl-C
//! (KeyboardInterrupt) cancels the run's token, waits for the run to stop
//! cleanly (the account in hand is finished and stored), then re-raises. The
//! `progress` callable is called from the phones' worker threads with the GIL
//! re-acquired; if it raises, the run is cancelled the same way and its
//! exception surfaces. Either exception carries the partial report as `.report`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use farmhand::device::DeviceDriver;
use farmhand::ops::{
    AccountResult, AccountSelection, CancelToken, Event, Observer, Report, RunOptions, Summary,
};
use farmhand::store::AccountFilter;
use farmhand::Workspace;

use crate::account::{quote, quote_opt};
use crate::device::{seconds, PyDriver};
use crate::enums;
use crate::errors::Error;
use crate::workspace::{IdArg, PyWorkspace};

/// How often the waiting thread looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// A workflow entry point of the engine.
pub type WorkflowFn = fn(&Workspace, &dyn DeviceDriver, &RunOptions) -> farmhand::Result<Report>;

/// A workflow run on the helper thread: the phones' driver, if the call has one.
pub type Work = Box<
    dyn FnOnce(&Workspace, Option<&dyn DeviceDriver>, &RunOptions) -> farmhand::Result<Report>
        + Send,
>;

/// The work of an engine workflow that needs phones (the caller always gives a driver).
pub fn on_phones(workflow: WorkflowFn) -> Work {
    Box::new(move |ws, driver, options| match driver {
        Some(driver) => workflow(ws, driver, options),
        None => Err(farmhand::Error::validation(
            "driver",
            "this workflow needs a driver",
        )),
    })
}

/// The options shared by every workflow call, before conversion.
pub struct Call {
    /// Which accounts (login, sync).
    pub accounts: AccountSelection,
    /// Only these phones.
    pub phones: Option<Vec<String>>,
    /// Phones worked at once.
    pub parallelism: usize,
    /// Longest wait for one shell command, in seconds.
    pub command_timeout: f64,
    /// Longest wait for an app screen, in seconds.
    pub screen_timeout: f64,
    /// The `progress` argument as given; [`run`] refuses a non-callable.
    pub progress: Option<Py<PyAny>>,
    /// Packs replacing the built-in ones of their apps.
    pub packs: Vec<farmhand::apps::Pack>,
    /// Disable accounts a login finds banned.
    pub disable_on_ban: bool,
}

/// The account selection from `accounts=` or the keyword filters (not both).
pub fn selection(
    accounts: Option<Vec<IdArg>>,
    filter: Option<AccountFilter>,
) -> PyResult<AccountSelection> {
    match (accounts, filter) {
        (Some(_), Some(_)) => Err(PyTypeError::new_err(
            "give either accounts= or filters (platform=, tag=, device=, ...), not both",
        )),
        (Some(ids), None) => Ok(AccountSelection::Ids(
            ids.into_iter().map(|i| i.0).collect(),
        )),
        (None, Some(filter)) => Ok(AccountSelection::Filter(filter)),
        (None, None) => Ok(AccountSelection::Default),
    }
}

/// Runs `workflow` of `ws` on the phones of `driver` off the calling thread,
/// handling progress, Ctrl-C and errors: the one body of `Workspace.login`,
/// `sync_profiles` and `match_accounts`.
///
/// Arguments are checked before any work starts: a non-callable `progress`
/// (`TypeError`), then a closed workspace (`ClosedError`), then the options.
pub fn run(
    py: Python<'_>,
    ws: &PyWorkspace,
    driver: Option<&Bound<'_, PyDriver>>,
    workflow: Work,
    call: Call,
) -> PyResult<PyReport> {
    let progress = checked_callable(py, call.progress)?;
    let ws = ws.engine(py)?;
    let driver: Option<Arc<dyn DeviceDriver>> = driver.map(|d| d.get().inner.clone());
    let cancel = CancelToken::new();
    let observer = progress.map(|callback| {
        Arc::new(PyObserver {
            callback,
            cancel: cancel.clone(),
            failed: AtomicBool::new(false),
            failure: Mutex::new(None),
        })
    });
    let mut options = RunOptions {
        parallelism: call.parallelism,
        accounts: call.accounts,
        phones: call.phones,
        command_timeout: seconds(call.command_timeout)?,
        screen_timeout: seconds(call.screen_timeout)?,
        cancel: cancel.clone(),
        disable_on_ban: call.disable_on_ban,
        ..RunOptions::default()
    };
    for pack in call.packs {
        options.packs.set(pack);
    }
    if let Some(observer) = &observer {
        options.observer = observer.clone();
    }
    options.check().map_err(Error)?;

    let (tx, rx) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("farmhand-workflow".into())
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| {
                workflow(&ws, driver.as_deref(), &options)
            }));
            // The receiver only goes away if the caller's thread died; nothing to tell then.
            let _ = tx.send(result);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the workflow thread: {e}")))?;

    let mut interrupted: Option<PyErr> = None;
    let mut rx = rx;
    let outcome = loop {
        let (back, received) = py.detach(move || {
            let received = rx.recv_timeout(SIGNAL_POLL);
            (rx, received)
        });
        rx = back;
        match received {
            Ok(outcome) => break outcome,
            Err(RecvTimeoutError::Timeout) => {
                if interrupted.is_none() {
                    if let Err(err) = py.check_signals() {
                        cancel.cancel();
                        interrupted = Some(err);
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "the workflow thread ended without a result",
                ))
            }
        }
    };
    // The thread has sent its result and is ending; joining cannot block for long.
    py.detach(move || worker.join()).ok();

    let result = match outcome {
        Ok(result) => result,
        Err(_) => {
            return Err(PyRuntimeError::new_err(
                "internal error: the workflow panicked (please report it)",
            ))
        }
    };
    let callback_failure =
        observer.and_then(|o| o.failure.lock().unwrap_or_else(|e| e.into_inner()).take());
    let failure = interrupted.or(callback_failure);
    match (result, failure) {
        (Ok(report), None) => Ok(PyReport(report)),
        (Ok(report), Some(err)) => {
            // Best effort: the exception keeps the partial report for the caller.
            let _ = err.value(py).setattr("report", PyReport(report));
            Err(err)
        }
        (Err(_), Some(err)) => Err(err),
        (Err(err), None) => Err(Error(err).into()),
    }
}

/// `progress` as given, refusing a non-callable before any work starts.
fn checked_callable(py: Python<'_>, progress: Option<Py<PyAny>>) -> PyResult<Option<Py<PyAny>>> {
    match progress {
        Some(p) if !p.bind(py).is_callable() => Err(PyTypeError::new_err(format!(
            "progress: expected a callable taking one Event, not {}",
            p.bind(py).get_type().name()?
        ))),
        other => Ok(other),
    }
}

/// Forwards engine events to a Python callable; remembers its first exception.
///
/// No Rust lock is held while the callable runs: it may release the GIL (I/O,
/// `time.sleep`), and another worker waiting on a lock with the GIL held would
/// then deadlock.
struct PyObserver {
    callback: Py<PyAny>,
    cancel: CancelToken,
    failed: AtomicBool,
    failure: Mutex<Option<PyErr>>,
}

impl Observer for PyObserver {
    fn event(&self, event: &Event) {
        if self.failed.load(Ordering::SeqCst) {
            return;
        }
        Python::attach(|py| {
            if let Err(err) = self.callback.call1(py, (PyEvent(event.clone()),)) {
                if !self.failed.swap(true, Ordering::SeqCst) {
                    *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(err);
                }
                self.cancel.cancel();
            }
        })
    }
}

/// One progress event of a running workflow, passed to ``progress=``.
///
/// ``kind`` is ``"started"``, ``"step"``, ``"account_done"`` or ``"finished"``;
/// the other attributes are set for the kinds they belong to and ``None`` otherwise.
#[pyclass(frozen, module = "farmhand", name = "Event")]
pub struct PyEvent(Event);

#[pymethods]
impl PyEvent {
    /// ``"started"``, ``"step"``, ``"account_done"`` or ``"finished"``.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.0 {
            Event::Started { .. } => "started",
            Event::Step { .. } => "step",
            Event::AccountDone { .. } => "account_done",
            Event::Finished { .. } => "finished",
        }
    }

    /// The workflow (``started``, ``finished``).
    #[getter]
    fn workflow(&self) -> Option<&'static str> {
        match &self.0 {
            Event::Started { workflow, .. } | Event::Finished { workflow, .. } => {
                Some(workflow.as_str())
            }
            _ => None,
        }
    }

    /// Accounts the run will look at (``started``).
    #[getter]
    fn accounts(&self) -> Option<usize> {
        match &self.0 {
            Event::Started { accounts, .. } => Some(*accounts),
            _ => None,
        }
    }

    /// Phones the run will use (``started``).
    #[getter]
    fn phones(&self) -> Option<usize> {
        match &self.0 {
            Event::Started { phones, .. } => Some(*phones),
            _ => None,
        }
    }

    /// The phone (``step``; for ``account_done`` see ``result.device``).
    #[getter]
    fn device(&self) -> Option<&str> {
        match &self.0 {
            Event::Step { device, .. } => Some(device),
            _ => None,
        }
    }

    /// The account id concerned (``step``, ``account_done``), if there is one.
    #[getter]
    fn account(&self) -> Option<i64> {
        match &self.0 {
            Event::Step { account, .. } => account.map(|a| a.0),
            Event::AccountDone { result, .. } => result.account.map(|a| a.0),
            _ => None,
        }
    }

    /// What is being done (``step``): ``"launch"``, ``"login"``, ``"2fa"``...
    #[getter]
    fn step(&self) -> Option<&'static str> {
        match &self.0 {
            Event::Step { step, .. } => Some(step),
            _ => None,
        }
    }

    /// The account's result (``account_done``).
    #[getter]
    fn result(&self) -> Option<PyAccountResult> {
        match &self.0 {
            Event::AccountDone { result, .. } => Some(PyAccountResult(result.clone())),
            _ => None,
        }
    }

    /// Results so far (``account_done``).
    #[getter]
    fn done(&self) -> Option<usize> {
        match &self.0 {
            Event::AccountDone { done, .. } => Some(*done),
            _ => None,
        }
    }

    /// Results expected in all (``account_done``; grows in ``match_accounts``).
    #[getter]
    fn total(&self) -> Option<usize> {
        match &self.0 {
            Event::AccountDone { total, .. } => Some(*total),
            _ => None,
        }
    }

    /// Counts per outcome (``finished``).
    #[getter]
    fn summary(&self) -> Option<PySummary> {
        match &self.0 {
            Event::Finished { summary, .. } => Some(PySummary(summary.clone())),
            _ => None,
        }
    }

    /// True when the run was cancelled (``finished``).
    #[getter]
    fn cancelled(&self) -> Option<bool> {
        match &self.0 {
            Event::Finished { cancelled, .. } => Some(*cancelled),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match &self.0 {
            Event::Started {
                workflow,
                accounts,
                phones,
            } => format!(
                "Event(started, workflow='{workflow}', accounts={accounts}, phones={phones})"
            ),
            Event::Step {
                device,
                account,
                step,
            } => format!(
                "Event(step, device={}, account={}, step='{step}')",
                quote(device),
                account.map_or_else(|| "None".into(), |a| a.to_string())
            ),
            Event::AccountDone {
                result,
                done,
                total,
            } => format!(
                "Event(account_done, {done}/{total}, username={}, outcome='{}')",
                quote(&result.username),
                result.outcome
            ),
            Event::Finished {
                workflow,
                summary,
                cancelled,
            } => format!(
                "Event(finished, workflow='{workflow}', total={}, succeeded={}, cancelled={})",
                summary.total,
                summary.succeeded,
                if *cancelled { "True" } else { "False" }
            ),
        }
    }
}

/// What happened to one account (or to a session found on a phone).
#[pyclass(frozen, eq, module = "farmhand", name = "AccountResult")]
#[derive(PartialEq)]
pub struct PyAccountResult(AccountResult);

#[pymethods]
impl PyAccountResult {
    /// The account's id, when there is an account.
    #[getter]
    fn account(&self) -> Option<i64> {
        self.0.account.map(|a| a.0)
    }

    /// The account's platform.
    #[getter]
    fn platform<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enums::platform(py, self.0.platform)
    }

    /// The username, as the roster (or the app) spells it.
    #[getter]
    fn username(&self) -> &str {
        &self.0.username
    }

    /// The phone concerned, if any.
    #[getter]
    fn device(&self) -> Option<&str> {
        self.0.device.as_deref()
    }

    /// The outcome's stable name, e.g. ``"logged_in"``, ``"wrong_password"``.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.0.outcome.as_str()
    }

    /// True when the workflow did what it was asked for this account.
    #[getter]
    fn ok(&self) -> bool {
        self.0.outcome.is_success()
    }

    /// True when the account was deliberately left alone (disabled, cancelled).
    #[getter]
    fn skipped(&self) -> bool {
        self.0.outcome.is_skip()
    }

    /// Details of a failure (what the app said, which screen); never a secret.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "AccountResult(account={}, username={}, device={}, outcome='{}', reason={})",
            self.0
                .account
                .map_or_else(|| "None".into(), |a| a.to_string()),
            quote(&self.0.username),
            quote_opt(self.0.device.as_deref()),
            self.0.outcome,
            quote_opt(self.0.reason.as_deref())
        )
    }
}

/// Counts of a run's results.
#[pyclass(frozen, module = "farmhand", name = "Summary")]
pub struct PySummary(Summary);

#[pymethods]
impl PySummary {
    /// Results in all.
    #[getter]
    fn total(&self) -> usize {
        self.0.total
    }

    /// Results that succeeded.
    #[getter]
    fn succeeded(&self) -> usize {
        self.0.succeeded
    }

    /// Accounts deliberately left alone.
    #[getter]
    fn skipped(&self) -> usize {
        self.0.skipped
    }

    /// Results that failed.
    #[getter]
    fn failed(&self) -> usize {
        self.0.failed
    }

    /// ``{outcome name: count}`` for every outcome that occurred.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (outcome, n) in &self.0.outcomes {
            d.set_item(outcome.as_str(), n)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Summary(total={}, succeeded={}, skipped={}, failed={})",
            self.0.total, self.0.succeeded, self.0.skipped, self.0.failed
        )
    }
}

/// The report of a workflow run: every account's result, counts, cancellation.
#[pyclass(frozen, module = "farmhand", name = "Report")]
pub struct PyReport(Report);

#[pymethods]
impl PyReport {
    /// ``"login"``, ``"match_accounts"`` or ``"sync_profiles"``.
    #[getter]
    fn workflow(&self) -> &'static str {
        self.0.workflow.as_str()
    }

    /// Every result, phone by phone.
    #[getter]
    fn results(&self) -> Vec<PyAccountResult> {
        self.0
            .results
            .iter()
            .cloned()
            .map(PyAccountResult)
            .collect()
    }

    /// Counts per outcome.
    #[getter]
    fn summary(&self) -> PySummary {
        PySummary(self.0.summary.clone())
    }

    /// True when the run was cancelled before it finished.
    #[getter]
    fn cancelled(&self) -> bool {
        self.0.cancelled
    }

    /// The result of the account with this id (or this Account), if it was in the run.
    fn result(&self, account: IdArg) -> Option<PyAccountResult> {
        self.0.result(account.0).cloned().map(PyAccountResult)
    }

    /// The outcome name of the account with this id, if it was in the run.
    fn outcome(&self, account: IdArg) -> Option<&'static str> {
        self.0.outcome(account.0).map(|o| o.as_str())
    }

    fn __len__(&self) -> usize {
        self.0.results.len()
    }

    fn __repr__(&self) -> String {
        let s = &self.0.summary;
        format!(
            "Report(workflow='{}', total={}, succeeded={}, skipped={}, failed={}, cancelled={})",
            self.0.workflow,
            s.total,
            s.succeeded,
            s.skipped,
            s.failed,
            if self.0.cancelled { "True" } else { "False" }
        )
    }
}
