//! The workflow engine: one worker per phone, phones in parallel up to
//! `parallelism`, the accounts of one phone in turn.
//!
//! A phone that fails (does not open, drops mid-run, panics a worker) only
//! fails its own accounts. Cancelling stops each worker before its next
//! account; the account in hand is finished and stored first, so every record
//! is whole. Results are reported through the [`Observer`] as they come.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::account::{Account, AccountId, Timestamp};
use crate::apps::Packs;
use crate::device::{Device, DeviceDriver, DeviceExt, DeviceState, ShellOutput};
use crate::error::{Error, ErrorKind, Result};
use crate::ops::cancel::CancelToken;
use crate::ops::leasing::RunLeases;
use crate::ops::observer::{Event, NoObserver, Observer};
use crate::ops::outcome::{AccountResult, Outcome, PhoneFailure, Report, Summary, Workflow};
use crate::ops::workers;
pub use crate::ops::workers::{DEFAULT_PARALLELISM, WORKER_STACK_BYTES, WORKER_THREAD_NAME};
use crate::store::{AccountFilter, AccountStore, HistoryEntry, LeaseSubject};
use crate::workspace::Workspace;

/// Which accounts a workflow works on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AccountSelection {
    /// The workflow's default (see each workflow).
    #[default]
    Default,
    /// The accounts matching this filter (disabled ones are reported as skipped).
    Filter(AccountFilter),
    /// Exactly these accounts; an unknown id fails the whole call before any work.
    Ids(Vec<AccountId>),
}

/// How a workflow runs.
#[derive(Clone)]
pub struct RunOptions {
    /// At most this many phones are worked at once (at least 1), each on its
    /// own worker thread; default [`DEFAULT_PARALLELISM`] (256): a whole PC's
    /// farm at once.
    pub parallelism: usize,
    /// Which accounts (login, profile sync).
    pub accounts: AccountSelection,
    /// Only these phones (serials); `None`: every phone (connected ones for `match_accounts`).
    pub phones: Option<Vec<String>>,
    /// Longest wait for one shell command on a phone.
    pub command_timeout: Duration,
    /// Longest wait for an app screen to appear.
    pub screen_timeout: Duration,
    /// Receives progress events.
    pub observer: Arc<dyn Observer>,
    /// Stops the run before the next account when cancelled.
    pub cancel: CancelToken,
    /// The selector packs the app drivers use.
    pub packs: Packs,
    /// Disable (status `1`) every account a login finds banned, so that no
    /// later run touches it.
    pub disable_on_ban: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            parallelism: DEFAULT_PARALLELISM,
            accounts: AccountSelection::Default,
            phones: None,
            command_timeout: Duration::from_secs(20),
            screen_timeout: Duration::from_secs(20),
            observer: Arc::new(NoObserver),
            cancel: CancelToken::new(),
            packs: Packs::builtin(),
            disable_on_ban: false,
        }
    }
}

impl RunOptions {
    /// Refuses options no run can honour, before any work starts: a
    /// `parallelism` of 0 is a `Validation` error naming `parallelism` (bindings
    /// check what callers give with this; the runner itself treats 0 as 1).
    pub fn check(&self) -> Result<()> {
        if self.parallelism == 0 {
            return Err(Error::validation("parallelism", "must be at least 1"));
        }
        Ok(())
    }
}

impl fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("parallelism", &self.parallelism)
            .field("accounts", &self.accounts)
            .field("phones", &self.phones)
            .field("command_timeout", &self.command_timeout)
            .field("screen_timeout", &self.screen_timeout)
            .field("disable_on_ban", &self.disable_on_ban)
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}

/// A phone whose commands wait at most `cap` ([`RunOptions::command_timeout`]).
pub(crate) struct CappedDevice {
    inner: Box<dyn Device>,
    cap: Duration,
}

impl CappedDevice {
    /// Wraps an open phone.
    pub fn wrap(inner: Box<dyn Device>, cap: Duration) -> Box<dyn Device> {
        Box::new(CappedDevice { inner, cap })
    }
}

impl Device for CappedDevice {
    fn serial(&self) -> &str {
        self.inner.serial()
    }

    fn shell(&mut self, command: &str, timeout: Duration) -> Result<ShellOutput> {
        self.inner.shell(command, timeout.min(self.cap))
    }

    fn pull(&mut self, path: &str, timeout: Duration) -> Result<Vec<u8>> {
        self.inner.pull(path, timeout.min(self.cap))
    }
}

/// The accounts one phone works, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PhoneJob {
    /// The phone's serial.
    pub serial: String,
    /// Its accounts, worked one after another.
    pub accounts: Vec<Account>,
    /// Set when the phone cannot be worked at all (unbound accounts, a phone
    /// that is not connected): the outcome and reason every enabled account gets.
    pub blocked: Option<(Outcome, String)>,
}

/// One open phone, as a workflow sees it while working its accounts.
pub(crate) struct Phone {
    /// The open device.
    pub device: Box<dyn Device>,
    /// Packages installed, read once per phone when first asked for.
    pub installed: Option<HashSet<String>>,
    /// The app package of every account the roster binds to this phone.
    pub bound_packages: Vec<String>,
}

impl Phone {
    /// True when `package` is installed (the list is read once per phone).
    pub fn has_package(&mut self, package: &str) -> Result<bool> {
        if self.installed.is_none() {
            self.installed = Some(self.device.installed_packages()?.into_iter().collect());
        }
        Ok(self.installed.as_ref().is_some_and(|p| p.contains(package)))
    }

    /// True when the roster binds exactly one account to this phone's
    /// `package`: whatever that app shows of its active session is that account's.
    pub fn sole_account_of(&self, package: &str) -> bool {
        self.bound_packages.iter().filter(|p| *p == package).count() == 1
    }
}

/// What the engine needs from a workflow that works accounts one by one.
pub(crate) trait AccountWork: Sync {
    /// Works one enabled account on its open phone; an `Err` is classified by the engine.
    fn work(
        &self,
        run: &Run<'_>,
        phone: &mut Phone,
        account: &Account,
    ) -> Result<(Outcome, Option<String>)>;
    /// Stores what happened to an account that was looked at (never called for
    /// disabled or cancelled accounts, which stay untouched).
    fn settle(&self, account: &Account, outcome: Outcome, reason: Option<&str>) -> Result<()>;
    /// A second way to do the work for an account that failed on its phone,
    /// once the failure is settled (a profile sync's web page); `Some` is the
    /// outcome and reason reported instead.
    fn rescue(
        &self,
        _run: &Run<'_>,
        _account: &Account,
        _outcome: Outcome,
        _reason: Option<&str>,
    ) -> Option<(Outcome, Option<String>)> {
        None
    }
}

/// A run in progress: options, the driver, and the results so far.
pub(crate) struct Run<'a> {
    /// Which workflow.
    pub workflow: Workflow,
    /// Its options.
    pub options: &'a RunOptions,
    /// Where phones come from.
    pub driver: &'a dyn DeviceDriver,
    results: Mutex<Vec<AccountResult>>,
    history: Mutex<Vec<HistoryEntry>>,
    phone_failures: Mutex<Vec<PhoneFailure>>,
    expected: Mutex<usize>,
    /// The leases of the phones and accounts the run drives, when it takes any.
    leases: Option<RunLeases>,
}

impl<'a> Run<'a> {
    /// Starts a run expecting `accounts` results over `phones` phones; emits `Started`.
    pub fn start(
        workflow: Workflow,
        options: &'a RunOptions,
        driver: &'a dyn DeviceDriver,
        accounts: usize,
        phones: usize,
    ) -> Self {
        options.observer.event(&Event::Started {
            workflow,
            accounts,
            phones,
        });
        Run {
            workflow,
            options,
            driver,
            results: Mutex::new(Vec::new()),
            history: Mutex::new(Vec::new()),
            phone_failures: Mutex::new(Vec::new()),
            expected: Mutex::new(accounts),
            leases: None,
        }
    }

    /// Makes the run lease every phone and account it drives in `store`.
    pub fn with_leases(mut self, store: Arc<dyn AccountStore>) -> Self {
        self.leases = Some(RunLeases::new(store));
        self
    }

    /// Takes the lease on `subject` (always granted to a run without leases):
    /// `None` when held, else why it is busy elsewhere.
    fn lease(&self, subject: LeaseSubject) -> Result<Option<String>> {
        match &self.leases {
            Some(leases) => leases.take(subject),
            None => Ok(None),
        }
    }

    /// Releases the lease on `subject`, if the run holds it.
    fn unlease(&self, subject: &LeaseSubject) {
        if let Some(leases) = &self.leases {
            leases.give_back(subject);
        }
    }

    /// Works `job` under its phone's lease; a phone leased elsewhere gives its
    /// accounts `busy_elsewhere` (and, in `match`, fails the phone).
    fn leased_job(&self, job: &PhoneJob, work: impl FnOnce()) {
        if job.blocked.is_some() {
            // A phone this controller does not see may be driven by another
            // one right now: its accounts are left to it, not marked offline.
            if let (Some(leases), Some((Outcome::DeviceOffline, _))) = (&self.leases, &job.blocked)
            {
                let phone = LeaseSubject::Phone(job.serial.clone());
                if let Ok(Some(busy)) = leases.held_elsewhere(&phone) {
                    for account in &job.accounts {
                        let (outcome, reason) = if account.is_enabled() {
                            (Outcome::BusyElsewhere, Some(busy.clone()))
                        } else {
                            (Outcome::SkippedDisabled, None)
                        };
                        self.record(AccountResult::for_account(account, outcome, reason));
                    }
                    return;
                }
            }
            return work();
        }
        let phone = LeaseSubject::Phone(job.serial.clone());
        let (outcome, reason) = match self.lease(phone.clone()) {
            Ok(None) => {
                work();
                self.unlease(&phone);
                return;
            }
            Ok(Some(busy)) => (Outcome::BusyElsewhere, busy),
            Err(e) => (
                Outcome::Error,
                format!("taking the phone's lease failed: {e}"),
            ),
        };
        if job.accounts.is_empty() {
            self.phone_failed(&job.serial, outcome, reason.clone());
        }
        for account in &job.accounts {
            self.record(AccountResult::for_account(
                account,
                outcome,
                Some(reason.clone()),
            ));
        }
    }

    /// True once the caller cancelled.
    pub fn cancelled(&self) -> bool {
        self.options.cancel.is_cancelled()
    }

    /// Reports a step on a phone.
    pub fn step(&self, device: &str, account: Option<AccountId>, step: &'static str) {
        self.options.observer.event(&Event::Step {
            device: device.to_string(),
            account,
            step,
        });
    }

    /// Adds to the number of results expected (sessions found by `match_accounts`).
    pub fn expect_more(&self, more: usize) {
        *self.expected.lock().unwrap_or_else(PoisonError::into_inner) += more;
    }

    /// Records one result and reports it; a roster account's result also
    /// becomes a history entry, stamped now.
    pub fn record(&self, result: AccountResult) {
        if let Some(account) = result.account {
            self.history
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(HistoryEntry {
                    account,
                    at: Timestamp::now(),
                    workflow: self.workflow,
                    outcome: result.outcome,
                    device: result.device.clone(),
                    reason: result.reason.clone(),
                });
        }
        let done = {
            let mut results = self.results.lock().unwrap_or_else(PoisonError::into_inner);
            results.push(result.clone());
            results.len()
        };
        let total = (*self.expected.lock().unwrap_or_else(PoisonError::into_inner)).max(done);
        self.options.observer.event(&Event::AccountDone {
            result,
            done,
            total,
        });
    }

    /// Records a phone that could not be worked at all.
    pub fn phone_failed(&self, device: &str, outcome: Outcome, reason: String) {
        self.phone_failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(PhoneFailure {
                device: device.to_string(),
                outcome,
                reason,
            });
    }

    /// True when this account already has a result.
    fn has_result(&self, id: AccountId) -> bool {
        self.results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|r| r.account == Some(id))
    }

    /// Ends the run: keeps each account's result in its history, orders the
    /// results by phone (in the order given), emits `Finished`.
    pub fn finish_into(self, store: &dyn AccountStore, phone_order: &[String]) -> Result<Report> {
        let history =
            std::mem::take(&mut *self.history.lock().unwrap_or_else(PoisonError::into_inner));
        let report = self.finish(phone_order);
        store.record_history(&history)?;
        Ok(report)
    }

    /// Ends the run: orders the results by phone (in the order given), emits `Finished`.
    pub fn finish(self, phone_order: &[String]) -> Report {
        let mut results = self
            .results
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let rank = |device: &Option<String>| {
            device
                .as_ref()
                .and_then(|d| phone_order.iter().position(|p| p == d))
                .unwrap_or(usize::MAX)
        };
        // Stable: the accounts of one phone keep the order they were worked in.
        results.sort_by_key(|r| rank(&r.device));
        let summary = Summary::of(&results);
        let cancelled = self.options.cancel.is_cancelled();
        self.options.observer.event(&Event::Finished {
            workflow: self.workflow,
            summary: summary.clone(),
            cancelled,
        });
        let mut phone_failures = self
            .phone_failures
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        phone_failures.sort_by(|a, b| a.device.cmp(&b.device));
        Report {
            workflow: self.workflow,
            results,
            summary,
            cancelled,
            phone_failures,
        }
    }

    /// Opens a phone, its commands capped at the options' `command_timeout`.
    pub fn open(&self, serial: &str) -> Result<Box<dyn Device>> {
        let device = self.driver.open(serial)?;
        Ok(CappedDevice::wrap(device, self.options.command_timeout))
    }
}

/// The phones `driver` sees online, by serial.
pub(crate) fn online_phones(driver: &dyn DeviceDriver) -> Result<HashSet<String>> {
    Ok(driver
        .devices()?
        .into_iter()
        .filter(|d| d.state == DeviceState::Device)
        .map(|d| d.serial)
        .collect())
}

/// Accounts and phones a plan will work on: every account gets a result, and
/// the phones are those of the jobs that are not blocked.
pub(crate) fn plan_size(jobs: &[PhoneJob]) -> (usize, usize) {
    let accounts = jobs.iter().map(|j| j.accounts.len()).sum();
    let phones = jobs.iter().filter(|j| j.blocked.is_none()).count();
    (accounts, phones)
}

/// Runs `work` once per phone job on up to `parallelism` worker threads
/// (see [`workers`]).
///
/// A worker that panics does not stop the others: each account of its job that
/// has no result yet gets an `Error` result.
pub(crate) fn run_phones<F>(run: &Run<'_>, jobs: Vec<PhoneJob>, work: F)
where
    F: Fn(&Run<'_>, &PhoneJob) + Sync,
{
    std::thread::scope(|scope| {
        let heartbeat = run.leases.as_ref().map(|l| scope.spawn(|| l.heartbeat()));
        workers::drain(run.options.parallelism, jobs, |job| {
            let leased = || run.leased_job(&job, || work(run, &job));
            if catch_unwind(AssertUnwindSafe(leased)).is_err() {
                for account in job.accounts.iter().filter(|a| !run.has_result(a.id)) {
                    run.record(AccountResult::for_account(
                        account,
                        Outcome::Error,
                        Some("internal error: the phone's worker panicked".into()),
                    ));
                }
            }
        });
        if let (Some(leases), Some(heartbeat)) = (&run.leases, heartbeat) {
            // What a panicking worker still held is given back here.
            leases.release_all();
            leases.stop();
            let _ = heartbeat.join();
        }
    });
}

/// Works every job's accounts in turn on their phone through `work`.
///
/// Disabled accounts get `SkippedDisabled` without the phone being opened for
/// them; a phone that cannot be opened or drops gives `DeviceOffline` to its
/// remaining accounts; after a cancel the rest get `Cancelled`.
pub(crate) fn run_accounts(run: &Run<'_>, jobs: Vec<PhoneJob>, work: &dyn AccountWork) {
    run_phones(run, jobs, |run, job| {
        let mut phone: Option<Phone> = None;
        let mut offline: Option<String> = None;
        for account in &job.accounts {
            if !account.is_enabled() {
                run.record(AccountResult::for_account(
                    account,
                    Outcome::SkippedDisabled,
                    None,
                ));
                continue;
            }
            if run.cancelled() {
                run.record(AccountResult::for_account(
                    account,
                    Outcome::Cancelled,
                    None,
                ));
                continue;
            }
            let leased = LeaseSubject::Account(account.id);
            if job.blocked.is_none() {
                let busy = match run.lease(leased.clone()) {
                    Ok(None) => None,
                    Ok(Some(busy)) => Some((Outcome::BusyElsewhere, busy)),
                    Err(e) => Some((
                        Outcome::Error,
                        format!("taking the account's lease failed: {e}"),
                    )),
                };
                if let Some((outcome, reason)) = busy {
                    run.record(AccountResult::for_account(account, outcome, Some(reason)));
                    continue;
                }
            }
            let (outcome, reason) = match (&offline, phone.as_mut()) {
                _ if job.blocked.is_some() => {
                    let (outcome, why) = job
                        .blocked
                        .clone()
                        .unwrap_or((Outcome::Error, String::new()));
                    (outcome, Some(why))
                }
                (Some(why), _) => (Outcome::DeviceOffline, Some(why.clone())),
                (None, Some(open)) => attempt(run, work, open, account),
                (None, None) => match run.open(&job.serial) {
                    Ok(device) => attempt(
                        run,
                        work,
                        phone.insert(Phone {
                            device,
                            installed: None,
                            bound_packages: job
                                .accounts
                                .iter()
                                .map(|a| a.app_package().to_string())
                                .collect(),
                        }),
                        account,
                    ),
                    Err(e) => (Outcome::DeviceOffline, Some(e.to_string())),
                },
            };
            if outcome == Outcome::DeviceOffline {
                offline = reason
                    .clone()
                    .or_else(|| Some(Outcome::DeviceOffline.describe().into()));
            }
            let result = match work.settle(account, outcome, reason.as_deref()) {
                Ok(()) if outcome.is_success() || outcome.is_skip() => {
                    AccountResult::for_account(account, outcome, reason)
                }
                Ok(()) => {
                    let (outcome, reason) = work
                        .rescue(run, account, outcome, reason.as_deref())
                        .unwrap_or((outcome, reason));
                    AccountResult::for_account(account, outcome, reason)
                }
                Err(e) => AccountResult::for_account(
                    account,
                    Outcome::Error,
                    Some(format!("storing the outcome '{outcome}' failed: {e}")),
                ),
            };
            run.record(result);
            run.unlease(&leased);
        }
    });
}

/// The accounts the options choose; `default` is the filter used for
/// [`AccountSelection::Default`]. Restricted to `options.phones` when set.
pub(crate) fn select(
    ws: &Workspace,
    options: &RunOptions,
    default: &AccountFilter,
) -> Result<Vec<Account>> {
    let mut accounts = match &options.accounts {
        AccountSelection::Default => ws.list(default)?,
        AccountSelection::Filter(filter) => ws.list(filter)?,
        AccountSelection::Ids(ids) => {
            let mut seen = HashSet::new();
            ids.iter()
                .filter(|id| seen.insert(**id))
                .map(|id| ws.get(*id))
                .collect::<Result<Vec<_>>>()?
        }
    };
    if let Some(phones) = &options.phones {
        accounts.retain(|a| a.device.as_ref().is_some_and(|d| phones.contains(d)));
    }
    Ok(accounts)
}

/// Groups accounts by phone (phones by serial, accounts in the order given).
/// Unbound accounts and phones that are not online get a blocked job.
pub(crate) fn plan(accounts: Vec<Account>, online: &HashSet<String>) -> Vec<PhoneJob> {
    let mut by_phone: BTreeMap<Option<String>, Vec<Account>> = BTreeMap::new();
    for account in accounts {
        by_phone
            .entry(account.device.clone())
            .or_default()
            .push(account);
    }
    by_phone
        .into_iter()
        .map(|(serial, accounts)| {
            let blocked = match &serial {
                None => Some((Outcome::NoDevice, Outcome::NoDevice.describe().to_string())),
                Some(s) if !online.contains(s) => Some((
                    Outcome::DeviceOffline,
                    format!("device {s} is not connected"),
                )),
                Some(_) => None,
            };
            PhoneJob {
                serial: serial.unwrap_or_default(),
                accounts,
                blocked,
            }
        })
        .collect()
}

/// Works one account and classifies an error into an outcome.
fn attempt(
    run: &Run<'_>,
    work: &dyn AccountWork,
    phone: &mut Phone,
    account: &Account,
) -> (Outcome, Option<String>) {
    match work.work(run, phone, account) {
        Ok(done) => done,
        Err(e) => {
            let serial = phone.device.serial().to_string();
            (classify(run, &serial, &e), Some(e.to_string()))
        }
    }
}

/// The outcome for an error met while working on a phone.
pub(crate) fn classify(run: &Run<'_>, serial: &str, error: &Error) -> Outcome {
    match error.kind() {
        ErrorKind::Timeout => Outcome::Timeout,
        ErrorKind::Cancelled => Outcome::Cancelled,
        ErrorKind::ScreenNotRecognised => Outcome::ScreenNotRecognised,
        ErrorKind::Device => match online_phones(run.driver) {
            Ok(online) if online.contains(serial) => Outcome::Error,
            _ => Outcome::DeviceOffline,
        },
        _ => Outcome::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{NewAccount, Platform, Status};
    use crate::device::{DeviceInfo, ShellOutput, Transport};
    use crate::store::AccountStore;
    use crate::store::MemoryStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A phone that answers every command with nothing, or fails once `broken`.
    struct FakeDevice {
        serial: String,
        log: Arc<Mutex<Vec<String>>>,
    }

    impl Device for FakeDevice {
        fn serial(&self) -> &str {
            &self.serial
        }
        fn shell(&mut self, command: &str, _timeout: Duration) -> Result<ShellOutput> {
            self.log
                .lock()
                .unwrap()
                .push(format!("{} {command}", self.serial));
            Ok(ShellOutput::default())
        }
        fn pull(&mut self, path: &str, _timeout: Duration) -> Result<Vec<u8>> {
            Err(Error::not_found(path))
        }
    }

    /// Phones `p0..pN`; `down` ones are listed offline and refuse to open.
    struct FakeDriver {
        phones: Vec<String>,
        down: Vec<String>,
        log: Arc<Mutex<Vec<String>>>,
        opened: AtomicUsize,
        open_now: AtomicUsize,
        max_open: AtomicUsize,
    }

    impl FakeDriver {
        fn new(phones: usize, down: &[&str]) -> Self {
            FakeDriver {
                phones: (0..phones).map(|i| format!("p{i}")).collect(),
                down: down.iter().map(|s| s.to_string()).collect(),
                log: Arc::default(),
                opened: AtomicUsize::new(0),
                open_now: AtomicUsize::new(0),
                max_open: AtomicUsize::new(0),
            }
        }
    }

    impl DeviceDriver for FakeDriver {
        fn devices(&self) -> Result<Vec<DeviceInfo>> {
            Ok(self
                .phones
                .iter()
                .map(|serial| DeviceInfo {
                    serial: serial.clone(),
                    state: if self.down.contains(serial) {
                        DeviceState::Offline
                    } else {
                        DeviceState::Device
                    },
                    model: None,
                    transport: Transport::Local,
                })
                .collect())
        }
        fn open(&self, serial: &str) -> Result<Box<dyn Device>> {
            if self.down.iter().any(|d| d == serial) || !self.phones.iter().any(|p| p == serial) {
                return Err(Error::device(serial, "offline"));
            }
            self.opened.fetch_add(1, Ordering::SeqCst);
            Ok(Box::new(FakeDevice {
                serial: serial.to_string(),
                log: self.log.clone(),
            }))
        }
        fn connect(&self, _address: &str) -> Result<()> {
            Ok(())
        }
        fn disconnect(&self, _address: &str) -> Result<()> {
            Ok(())
        }
    }

    /// Work that runs one command per account and fails accounts named `bad*`
    /// (and panics on `panic*`); it tracks how many phones are busy at once.
    struct EchoWork<'d> {
        driver: &'d FakeDriver,
        store: &'d MemoryStore,
        cancel_after: Option<usize>,
        worked: AtomicUsize,
    }

    impl AccountWork for EchoWork<'_> {
        fn work(
            &self,
            run: &Run<'_>,
            phone: &mut Phone,
            account: &Account,
        ) -> Result<(Outcome, Option<String>)> {
            let now = self.driver.open_now.fetch_add(1, Ordering::SeqCst) + 1;
            self.driver.max_open.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(5));
            self.driver.open_now.fetch_sub(1, Ordering::SeqCst);
            let worked = self.worked.fetch_add(1, Ordering::SeqCst) + 1;
            if Some(worked) == self.cancel_after {
                run.options.cancel.cancel();
            }
            let name = account.username.as_str();
            if name.starts_with("panic") {
                panic!("worker blew up");
            }
            phone
                .device
                .shell(&format!("work {name}"), Duration::from_secs(1))?;
            if name.starts_with("bad") {
                return Err(Error::device(phone.device.serial(), "app crashed"));
            }
            if name.starts_with("slow") {
                return Err(Error::Timeout {
                    what: "screen".into(),
                    after: Duration::from_secs(1),
                });
            }
            Ok((Outcome::LoggedIn, None))
        }
        fn settle(&self, account: &Account, outcome: Outcome, reason: Option<&str>) -> Result<()> {
            self.store
                .update(
                    account.id,
                    crate::account::AccountPatch {
                        logged_in: Some(outcome == Outcome::LoggedIn),
                        last_error: Some(reason.map(str::to_string)),
                        ..Default::default()
                    },
                )
                .map(drop)
        }
    }

    fn roster(store: &MemoryStore, names: &[(&str, &str)]) -> Vec<PhoneJob> {
        let mut jobs: Vec<PhoneJob> = Vec::new();
        for (phone, name) in names {
            let disabled = name.starts_with("off");
            let mut new = NewAccount::new(Platform::TikTok, *name).device(*phone);
            if disabled {
                new = new.status(Status::Disabled);
            }
            let account = store.create(new).unwrap();
            match jobs.iter_mut().find(|j| j.serial == *phone) {
                Some(job) => job.accounts.push(account),
                None => jobs.push(PhoneJob {
                    serial: phone.to_string(),
                    accounts: vec![account],
                    blocked: None,
                }),
            }
        }
        jobs
    }

    fn go(
        driver: &FakeDriver,
        store: &MemoryStore,
        jobs: Vec<PhoneJob>,
        options: &RunOptions,
        cancel_after: Option<usize>,
    ) -> Report {
        let order: Vec<String> = jobs.iter().map(|j| j.serial.clone()).collect();
        let total = jobs.iter().map(|j| j.accounts.len()).sum();
        let run = Run::start(Workflow::Login, options, driver, total, jobs.len());
        let work = EchoWork {
            driver,
            store,
            cancel_after,
            worked: AtomicUsize::new(0),
        };
        run_accounts(&run, jobs, &work);
        run.finish(&order)
    }

    #[test]
    fn phones_run_in_parallel_up_to_the_limit_and_accounts_in_turn() {
        let driver = FakeDriver::new(6, &[]);
        let store = MemoryStore::new();
        let names: Vec<(String, String)> = (0..6)
            .flat_map(|p| (0..3).map(move |a| (format!("p{p}"), format!("u{p}x{a}"))))
            .collect();
        let refs: Vec<(&str, &str)> = names
            .iter()
            .map(|(p, n)| (p.as_str(), n.as_str()))
            .collect();
        let jobs = roster(&store, &refs);
        let options = RunOptions {
            parallelism: 3,
            ..RunOptions::default()
        };
        let report = go(&driver, &store, jobs, &options, None);
        assert_eq!(report.summary.count(Outcome::LoggedIn), 18);
        assert_eq!(
            driver.opened.load(Ordering::SeqCst),
            6,
            "each phone opened once"
        );
        let max = driver.max_open.load(Ordering::SeqCst);
        assert!(
            (2..=3).contains(&max),
            "at most 3 phones at once, saw {max}"
        );
        // Per phone, accounts in order.
        let log = driver.log.lock().unwrap().clone();
        for p in 0..6 {
            let mine: Vec<&String> = log
                .iter()
                .filter(|l| l.starts_with(&format!("p{p} ")))
                .collect();
            let expected: Vec<String> = (0..3).map(|a| format!("p{p} work u{p}x{a}")).collect();
            assert_eq!(
                mine.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                expected
            );
        }
        // Results grouped by phone in the given order.
        let devices: Vec<&str> = report
            .results
            .iter()
            .map(|r| r.device.as_deref().unwrap())
            .collect();
        let mut sorted = devices.clone();
        sorted.sort();
        assert_eq!(devices, sorted);
    }

    #[test]
    fn disabled_accounts_are_skipped_without_a_command_or_a_write() {
        let driver = FakeDriver::new(2, &[]);
        let store = MemoryStore::new();
        let jobs = roster(&store, &[("p0", "offa"), ("p0", "ok1"), ("p1", "offb")]);
        let before = store.list(&AccountFilter::default()).unwrap();
        let report = go(&driver, &store, jobs, &RunOptions::default(), None);
        assert_eq!(report.summary.count(Outcome::SkippedDisabled), 2);
        assert_eq!(report.summary.count(Outcome::LoggedIn), 1);
        let log = driver.log.lock().unwrap().clone();
        assert_eq!(log, vec!["p0 work ok1".to_string()]);
        assert_eq!(
            driver.opened.load(Ordering::SeqCst),
            1,
            "p1 holds only a disabled account: never opened"
        );
        for account in before.iter().filter(|a| !a.is_enabled()) {
            assert_eq!(
                &store.get(account.id).unwrap(),
                account,
                "disabled account unchanged"
            );
        }
    }

    #[test]
    fn a_failing_phone_does_not_stop_the_others() {
        let driver = FakeDriver::new(4, &["p1"]);
        let store = MemoryStore::new();
        let jobs = roster(
            &store,
            &[
                ("p0", "bad0"),
                ("p0", "ok0"),
                ("p1", "ok1"),
                ("p1", "ok1b"),
                ("p2", "panic2"),
                ("p2", "ok2"),
                ("p3", "slow3"),
                ("p3", "ok3"),
            ],
        );
        let report = go(&driver, &store, jobs, &RunOptions::default(), None);
        let outcome = |name: &str| {
            report
                .results
                .iter()
                .find(|r| r.username == name)
                .map(|r| r.outcome)
                .unwrap()
        };
        // p0 is online: the app error is an error, the next account still runs.
        assert_eq!(outcome("bad0"), Outcome::Error);
        assert_eq!(outcome("ok0"), Outcome::LoggedIn);
        // p1 is offline: both accounts, nothing run.
        assert_eq!(outcome("ok1"), Outcome::DeviceOffline);
        assert_eq!(outcome("ok1b"), Outcome::DeviceOffline);
        // p2's worker panicked: its accounts are errors, the others went on.
        assert_eq!(outcome("panic2"), Outcome::Error);
        assert_eq!(outcome("ok2"), Outcome::Error);
        // p3: a timeout does not doom the phone.
        assert_eq!(outcome("slow3"), Outcome::Timeout);
        assert_eq!(outcome("ok3"), Outcome::LoggedIn);
        assert_eq!(report.results.len(), 8);
        let stored = store
            .find_by_username(Platform::TikTok, "ok1")
            .unwrap()
            .unwrap();
        assert!(!stored.logged_in);
        assert!(stored.last_error.unwrap().contains("offline"));
    }

    #[test]
    fn cancel_stops_before_the_next_account_and_leaves_records_whole() {
        let driver = FakeDriver::new(1, &[]);
        let store = MemoryStore::new();
        let jobs = roster(
            &store,
            &[("p0", "a1"), ("p0", "a2"), ("p0", "a3"), ("p0", "a4")],
        );
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let options = RunOptions {
            observer: Arc::new(move |e: &Event| sink.lock().unwrap().push(e.clone())),
            ..RunOptions::default()
        };
        let report = go(&driver, &store, jobs, &options, Some(2));
        assert!(report.cancelled);
        let outcomes: Vec<Outcome> = report.results.iter().map(|r| r.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::LoggedIn,
                Outcome::LoggedIn,
                Outcome::Cancelled,
                Outcome::Cancelled
            ]
        );
        for name in ["a3", "a4"] {
            let account = store
                .find_by_username(Platform::TikTok, name)
                .unwrap()
                .unwrap();
            assert_eq!(
                (account.logged_in, account.last_error),
                (false, None),
                "{name} untouched"
            );
        }
        let events = events.lock().unwrap();
        assert!(matches!(
            events.first(),
            Some(Event::Started {
                accounts: 4,
                phones: 1,
                ..
            })
        ));
        assert!(matches!(
            events.last(),
            Some(Event::Finished {
                cancelled: true,
                ..
            })
        ));
        let done: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                Event::AccountDone { done, total: 4, .. } => Some(*done),
                _ => None,
            })
            .collect();
        assert_eq!(done, [1, 2, 3, 4]);
    }

    #[test]
    fn check_refuses_zero_parallelism_only() {
        let zero = RunOptions {
            parallelism: 0,
            ..RunOptions::default()
        };
        let err = zero.check().unwrap_err();
        assert!(matches!(&err, Error::Validation { field, .. } if field == "parallelism"));
        assert!(RunOptions::default().check().is_ok());
    }

    #[test]
    fn no_jobs_is_an_empty_report() {
        let driver = FakeDriver::new(0, &[]);
        let store = MemoryStore::new();
        let report = go(
            &driver,
            &store,
            Vec::new(),
            &RunOptions {
                parallelism: 0,
                ..RunOptions::default()
            },
            None,
        );
        assert!(report.results.is_empty());
        assert_eq!(report.summary.total, 0);
    }
}
