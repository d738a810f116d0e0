//! Fleet workflows for hosts: options, the foreign [`ProgressObserver`], the
//! [`CancelToken`], and the report with its outcomes.
//!
//! A workflow runs on the calling thread (hosts call it from a worker thread)
//! and its phones on the engine's own threads, which call the observer. A
//! cancelled run, from any thread or from inside the observer, stops before
//! each phone's next account and returns its partial report (`cancelled` set).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use farmhand::ops as engine;

use crate::account::{AccountFilter, Platform};
use crate::device::AdbDriver;
use crate::error::Result;

/// Receives a workflow's progress events, from the engine's worker threads.
///
/// Keep it quick. It may cancel the run through a [`CancelToken`]. If it
/// throws, it gets no more events and the run is cancelled.
#[uniffi::export(callback_interface)]
pub trait ProgressObserver: Send + Sync {
    /// One event.
    fn on_event(&self, event: ProgressEvent);
}

/// Stops a running workflow from any thread (or from inside its observer).
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelToken(engine::CancelToken);

#[uniffi::export]
impl CancelToken {
    /// A token that is not cancelled.
    #[uniffi::constructor]
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Asks the run to stop before each phone's next account.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// True once `cancel()` was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// How a profile sync reads TikTok's public profile pages; every field left
/// at none takes the engine's default (`farmhand::web::WebOptions`).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct WebOptions {
    /// Where the pages are (`BASE/@USERNAME`); none: https://www.tiktok.com.
    #[uniffi(default)]
    pub base_url: Option<String>,
    /// At most this many requests per second, one at a time; none: 1.
    #[uniffi(default)]
    pub requests_per_second: Option<f64>,
    /// Longest wait for one page; none: 15 s.
    #[uniffi(default)]
    pub timeout: Option<Duration>,
    /// Further attempts after a 429, a 5xx or a dropped connection; none: 3.
    #[uniffi(default)]
    pub retries: Option<u32>,
    /// An HTTP(S) proxy, `http://[user:pass@]host:port`; none: direct.
    #[uniffi(default)]
    pub proxy: Option<String>,
}

impl From<WebOptions> for farmhand::web::WebOptions {
    fn from(o: WebOptions) -> Self {
        let defaults = farmhand::web::WebOptions::default();
        farmhand::web::WebOptions {
            base_url: o.base_url.unwrap_or(defaults.base_url.clone()),
            requests_per_second: o
                .requests_per_second
                .unwrap_or(defaults.requests_per_second),
            timeout: o.timeout.unwrap_or(defaults.timeout),
            retries: o.retries.unwrap_or(defaults.retries),
            proxy: o.proxy,
            ..defaults
        }
    }
}

/// Which accounts a login or profile sync works on.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AccountSelection {
    /// The accounts matching the filter (disabled ones are reported as skipped).
    Filter {
        /// The filter.
        filter: AccountFilter,
    },
    /// Exactly these accounts; an unknown id fails the call before any work.
    Ids {
        /// The account ids.
        ids: Vec<i64>,
    },
}

/// How a workflow runs; every field left at none takes the engine's default.
#[derive(Clone, Default, uniffi::Record)]
pub struct RunOptions {
    /// Which accounts (login, profile sync); none: the workflow's default.
    #[uniffi(default)]
    pub accounts: Option<AccountSelection>,
    /// Only these phones (serials); none: every phone.
    #[uniffi(default)]
    pub phones: Option<Vec<String>>,
    /// At most this many phones worked at once; none: every phone, up to 256.
    #[uniffi(default)]
    pub parallelism: Option<u32>,
    /// Longest wait for one shell command on a phone.
    #[uniffi(default)]
    pub command_timeout: Option<Duration>,
    /// Longest wait for an app screen.
    #[uniffi(default)]
    pub screen_timeout: Option<Duration>,
    /// Stops the run when cancelled.
    #[uniffi(default)]
    pub cancel: Option<Arc<CancelToken>>,
}

/// A workflow entry point of the engine.
pub(crate) type WorkflowFn = fn(
    &farmhand::Workspace,
    &dyn farmhand::device::DeviceDriver,
    &engine::RunOptions,
) -> farmhand::Result<engine::Report>;

/// Runs `workflow` on the phones of `driver` with the host's options and observer.
pub(crate) fn run(
    ws: &farmhand::Workspace,
    driver: &AdbDriver,
    options: RunOptions,
    observer: Option<Box<dyn ProgressObserver>>,
    workflow: WorkflowFn,
) -> Result<Report> {
    run_with(ws, options, observer, |ws, run| {
        workflow(ws, driver.engine(), run)
    })
}

/// Runs `work` with the host's options and observer.
pub(crate) fn run_with(
    ws: &farmhand::Workspace,
    options: RunOptions,
    observer: Option<Box<dyn ProgressObserver>>,
    work: impl FnOnce(&farmhand::Workspace, &engine::RunOptions) -> farmhand::Result<engine::Report>,
) -> Result<Report> {
    let defaults = engine::RunOptions::default();
    let cancel = options
        .cancel
        .map_or_else(engine::CancelToken::new, |token| token.0.clone());
    let mut run = engine::RunOptions {
        parallelism: options
            .parallelism
            .map_or(defaults.parallelism, |n| n as usize),
        accounts: match options.accounts {
            None => engine::AccountSelection::Default,
            Some(AccountSelection::Filter { filter }) => {
                engine::AccountSelection::Filter(filter.into())
            }
            Some(AccountSelection::Ids { ids }) => {
                engine::AccountSelection::Ids(ids.into_iter().map(farmhand::AccountId).collect())
            }
        },
        phones: options.phones,
        command_timeout: options.command_timeout.unwrap_or(defaults.command_timeout),
        screen_timeout: options.screen_timeout.unwrap_or(defaults.screen_timeout),
        cancel: cancel.clone(),
        ..defaults
    };
    if let Some(observer) = observer {
        run.observer = Arc::new(Forward {
            observer,
            cancel,
            failed: AtomicBool::new(false),
        });
    }
    run.check()?;
    Ok(work(ws, &run)?.into())
}

/// Forwards engine events to the host's observer. An observer that throws
/// (uniffi turns that into a panic here) is cut off and the run cancelled, so
/// the host gets the partial report rather than a failed phone.
struct Forward {
    observer: Box<dyn ProgressObserver>,
    cancel: engine::CancelToken,
    failed: AtomicBool,
}

impl engine::Observer for Forward {
    fn event(&self, event: &engine::Event) {
        if self.failed.load(Ordering::SeqCst) {
            return;
        }
        let event = ProgressEvent::from(event.clone());
        if catch_unwind(AssertUnwindSafe(|| self.observer.on_event(event))).is_err() {
            self.failed.store(true, Ordering::SeqCst);
            self.cancel.cancel();
        }
    }
}

/// Which workflow produced a report or event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Workflow {
    /// Log accounts in on their phones.
    Login,
    /// Find the sessions already logged in on phones and record them.
    MatchAccounts,
    /// Read profile numbers into the roster.
    SyncProfiles,
}

impl From<engine::Workflow> for Workflow {
    fn from(w: engine::Workflow) -> Self {
        match w {
            engine::Workflow::Login => Workflow::Login,
            engine::Workflow::MatchAccounts => Workflow::MatchAccounts,
            engine::Workflow::SyncProfiles => Workflow::SyncProfiles,
        }
    }
}

/// What happened to one account (or, in `match_accounts`, one session found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Outcome {
    /// Logged in by this run, verified on the profile.
    LoggedIn,
    /// The app already held a session for the account; nothing was typed.
    AlreadyLoggedIn,
    /// Profile numbers were read and stored.
    Synced,
    /// Profile numbers were read from the account's public web page alone, and stored.
    SyncedFromWeb,
    /// A session found on a phone had no account: one was created.
    Created,
    /// A session found on a phone belonged to a known account: it was linked.
    Linked,
    /// The account is disabled: its phone saw no command for it.
    SkippedDisabled,
    /// The account is bound to no phone.
    NoDevice,
    /// The account's phone is not connected, or dropped during the work.
    DeviceOffline,
    /// The account's app (or clone package) is not installed on its phone.
    AppNotInstalled,
    /// The account has no password to log in with.
    NoPassword,
    /// The app said the password is wrong.
    WrongPassword,
    /// The app said no such user exists.
    UnknownUser,
    /// The app asks for a check only a person can pass.
    ChallengeRequired,
    /// The app refused further attempts for now.
    RateLimited,
    /// The 2FA code was refused, or the account has no key for a 2FA prompt.
    TwoFactorFailed,
    /// The app says the account is suspended (temporarily, or pending an appeal).
    Suspended,
    /// The app says the account is banned or disabled for good.
    Banned,
    /// The app refuses to work until it is updated.
    AppUpdateRequired,
    /// The app on the account's phone holds no session for it.
    NotLoggedIn,
    /// The profile page is a private account's and states no numbers.
    PrivateAccount,
    /// The profile page has no layout farmhand knows (or is too large to read).
    PageNotRecognised,
    /// The phone showed a screen automation does not know; nothing was clicked.
    ScreenNotRecognised,
    /// The phone or the app did not answer in time.
    Timeout,
    /// The run was cancelled before this account.
    Cancelled,
    /// Anything else; the reason says what.
    Error,
    /// Another controller holds the account's (or its phone's) lease: this
    /// run left it alone. (Last, so the earlier variants keep their numbers.)
    BusyElsewhere,
}

impl From<engine::Outcome> for Outcome {
    fn from(o: engine::Outcome) -> Self {
        use engine::Outcome as E;
        match o {
            E::LoggedIn => Outcome::LoggedIn,
            E::AlreadyLoggedIn => Outcome::AlreadyLoggedIn,
            E::Synced => Outcome::Synced,
            E::SyncedFromWeb => Outcome::SyncedFromWeb,
            E::Created => Outcome::Created,
            E::Linked => Outcome::Linked,
            E::SkippedDisabled => Outcome::SkippedDisabled,
            E::NoDevice => Outcome::NoDevice,
            E::DeviceOffline => Outcome::DeviceOffline,
            E::AppNotInstalled => Outcome::AppNotInstalled,
            E::NoPassword => Outcome::NoPassword,
            E::WrongPassword => Outcome::WrongPassword,
            E::UnknownUser => Outcome::UnknownUser,
            E::ChallengeRequired => Outcome::ChallengeRequired,
            E::RateLimited => Outcome::RateLimited,
            E::TwoFactorFailed => Outcome::TwoFactorFailed,
            E::Suspended => Outcome::Suspended,
            E::Banned => Outcome::Banned,
            E::AppUpdateRequired => Outcome::AppUpdateRequired,
            E::NotLoggedIn => Outcome::NotLoggedIn,
            E::PrivateAccount => Outcome::PrivateAccount,
            E::PageNotRecognised => Outcome::PageNotRecognised,
            E::ScreenNotRecognised => Outcome::ScreenNotRecognised,
            E::Timeout => Outcome::Timeout,
            E::Cancelled => Outcome::Cancelled,
            E::BusyElsewhere => Outcome::BusyElsewhere,
            E::Error => Outcome::Error,
        }
    }
}

/// One line of a report: an account (or a session found) and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountResult {
    /// The account's id, when there is an account.
    pub account: Option<i64>,
    /// The account's platform.
    pub platform: Platform,
    /// The username, as the roster (or the app) spells it.
    pub username: String,
    /// The phone concerned.
    pub device: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Details of a failure; never a secret.
    pub reason: Option<String>,
}

impl From<engine::AccountResult> for AccountResult {
    fn from(r: engine::AccountResult) -> Self {
        AccountResult {
            account: r.account.map(|a| a.0),
            platform: r.platform.into(),
            username: r.username,
            device: r.device,
            outcome: r.outcome.into(),
            reason: r.reason,
        }
    }
}

/// Counts of a run's results.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Summary {
    /// How many results had each outcome (outcomes that did not occur are absent).
    pub outcomes: HashMap<Outcome, u64>,
    /// Results in all.
    pub total: u64,
    /// Results that succeeded.
    pub succeeded: u64,
    /// Accounts deliberately left alone (disabled, cancelled).
    pub skipped: u64,
    /// Results that failed.
    pub failed: u64,
}

impl From<engine::Summary> for Summary {
    fn from(s: engine::Summary) -> Self {
        Summary {
            outcomes: s
                .outcomes
                .into_iter()
                .map(|(o, n)| (o.into(), n as u64))
                .collect(),
            total: s.total as u64,
            succeeded: s.succeeded as u64,
            skipped: s.skipped as u64,
            failed: s.failed as u64,
        }
    }
}

/// A phone that could not be worked at all (in `match_accounts`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PhoneFailure {
    /// The phone's serial.
    pub device: String,
    /// What went wrong, as an outcome.
    pub outcome: Outcome,
    /// Details; never a secret.
    pub reason: String,
}

/// What a workflow did, account by account.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Report {
    /// The workflow that ran.
    pub workflow: Workflow,
    /// One result per account (or session found), by phone.
    pub results: Vec<AccountResult>,
    /// Counts per outcome.
    pub summary: Summary,
    /// True when the run was cancelled before it finished: the report is partial.
    pub cancelled: bool,
    /// Phones that could not be worked at all.
    pub phone_failures: Vec<PhoneFailure>,
}

impl From<engine::Report> for Report {
    fn from(r: engine::Report) -> Self {
        Report {
            workflow: r.workflow.into(),
            results: r.results.into_iter().map(Into::into).collect(),
            summary: r.summary.into(),
            cancelled: r.cancelled,
            phone_failures: r
                .phone_failures
                .into_iter()
                .map(|f| PhoneFailure {
                    device: f.device,
                    outcome: f.outcome.into(),
                    reason: f.reason,
                })
                .collect(),
        }
    }
}

/// Something that happened in a running workflow.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ProgressEvent {
    /// The workflow starts with this much work.
    Started {
        /// Which workflow.
        workflow: Workflow,
        /// Accounts it will look at (0 for `match_accounts`: sessions are found as it goes).
        accounts: u64,
        /// Phones it will use.
        phones: u64,
    },
    /// A step on one phone, for one account when there is one.
    Step {
        /// The phone.
        device: String,
        /// The account concerned.
        account: Option<i64>,
        /// What is being done (`launch`, `login`, `2fa`, ...).
        step: String,
    },
    /// One account is done.
    AccountDone {
        /// Its result.
        result: AccountResult,
        /// Results so far.
        done: u64,
        /// Results expected in all.
        total: u64,
    },
    /// The workflow is over.
    Finished {
        /// Which workflow.
        workflow: Workflow,
        /// Counts per outcome.
        summary: Summary,
        /// True when it was cancelled.
        cancelled: bool,
    },
}

impl From<engine::Event> for ProgressEvent {
    fn from(e: engine::Event) -> Self {
        match e {
            engine::Event::Started {
                workflow,
                accounts,
                phones,
            } => ProgressEvent::Started {
                workflow: workflow.into(),
                accounts: accounts as u64,
                phones: phones as u64,
            },
            engine::Event::Step {
                device,
                account,
                step,
            } => ProgressEvent::Step {
                device,
                account: account.map(|a| a.0),
                step: step.to_string(),
            },
            engine::Event::AccountDone {
                result,
                done,
                total,
            } => ProgressEvent::AccountDone {
                result: result.into(),
                done: done as u64,
                total: total as u64,
            },
            engine::Event::Finished {
                workflow,
                summary,
                cancelled,
            } => ProgressEvent::Finished {
                workflow: workflow.into(),
                summary: summary.into(),
                cancelled,
            },
        }
    }
}
