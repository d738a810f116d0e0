//! `login`: log accounts in on their phones and record the result.

use crate::account::{Account, AccountPatch, Status, Timestamp};
use crate::apps::{AppDriver, LoginResult, Rejection};
use crate::device::DeviceDriver;
use crate::error::Result;
use crate::ops::outcome::{Outcome, Report, Workflow};
use crate::ops::runner::{self, AccountWork, Phone, Run, RunOptions};
use crate::store::AccountFilter;
use crate::workspace::Workspace;

impl Workspace {
    /// Logs the chosen accounts in on their phones (default: every account
    /// that is not logged in).
    ///
    /// Disabled accounts are reported as skipped and the phone sees no command
    /// for them; unbound accounts get `no_device`, accounts whose phone is not
    /// connected `device_offline`. An account whose app already holds its
    /// session is `already_logged_in` and nothing is typed. Email + password
    /// when the account has an email, else username + password, then the 2FA
    /// code when the password carries a key. Success is checked on the
    /// profile's username and stored as `logged_in` with `last_login_at`; a
    /// failure stores `logged_in = false` and the reason in `last_error`.
    /// Screens that block the account or the app end its step as
    /// `suspended`, `banned` or `app_update_required`; with
    /// [`RunOptions::disable_on_ban`] a banned account is also disabled.
    pub fn login(&self, driver: &dyn DeviceDriver, options: &RunOptions) -> Result<Report> {
        self.require_secrets("logging in")?;
        let default = AccountFilter {
            logged_in: Some(false),
            ..AccountFilter::default()
        };
        let accounts = runner::select(self, options, &default)?;
        let online = runner::online_phones(driver)?;
        let jobs = runner::plan(accounts, &online);
        let (total, phones) = runner::plan_size(&jobs);
        let run = Run::start(Workflow::Login, options, driver, total, phones)
            .with_leases(self.store().clone());
        let order: Vec<String> = jobs.iter().map(|j| j.serial.clone()).collect();
        let work = LoginWork {
            ws: self,
            disable_on_ban: options.disable_on_ban,
        };
        runner::run_accounts(&run, jobs, &work);
        run.finish_into(self.store().as_ref(), &order)
    }
}

/// The reason given for a banned account that the login disabled.
pub(crate) const DISABLED_ON_BAN: &str = "disabled automatically (disable_on_ban)";

/// The login of one account.
struct LoginWork<'w> {
    ws: &'w Workspace,
    /// Disable an account the app shows as banned.
    disable_on_ban: bool,
}

/// The driver for an account's app (its clone package when it has one).
pub(crate) fn app_for(run: &Run<'_>, account: &Account) -> AppDriver {
    AppDriver::new(
        run.options.packs.get(account.platform).clone(),
        Some(account.app_package()),
    )
    .with_screen_timeout(run.options.screen_timeout)
}

impl AccountWork for LoginWork<'_> {
    fn work(
        &self,
        run: &Run<'_>,
        phone: &mut Phone,
        account: &Account,
    ) -> Result<(Outcome, Option<String>)> {
        let serial = phone.device.serial().to_string();
        let Some(credentials) = account.credentials()? else {
            return Ok((Outcome::NoPassword, None));
        };
        let app = app_for(run, account);
        run.step(&serial, Some(account.id), "check app");
        if !phone.has_package(app.package())? {
            return Ok((
                Outcome::AppNotInstalled,
                Some(format!("{} is not installed on {serial}", app.package())),
            ));
        }
        if let Some(ended) = opening_outcome(&app, phone, self.disable_on_ban)? {
            return Ok(ended);
        }
        run.step(&serial, Some(account.id), "check session");
        let held = app.accounts(phone.device.as_mut())?;
        if held.iter().any(|name| same_user(account, name)) {
            return Ok((Outcome::AlreadyLoggedIn, None));
        }
        run.step(&serial, Some(account.id), "login");
        Ok(match app.login(phone.device.as_mut(), &credentials)? {
            LoginResult::LoggedIn(name) if same_user(account, &name) => (Outcome::LoggedIn, None),
            LoginResult::LoggedIn(name) => (
                Outcome::Error,
                Some(format!(
                    "the app shows '{}' logged in, not this account",
                    crate::account::printable(&name)
                )),
            ),
            LoginResult::Rejected(Rejection::Banned) if self.disable_on_ban => {
                (Outcome::Banned, Some(DISABLED_ON_BAN.to_string()))
            }
            LoginResult::Rejected(why) => (rejection_outcome(why), None),
        })
    }

    fn settle(&self, account: &Account, outcome: Outcome, reason: Option<&str>) -> Result<()> {
        let patch = match outcome {
            Outcome::LoggedIn => AccountPatch {
                logged_in: Some(true),
                last_login_at: Some(Some(Timestamp::now())),
                last_error: Some(None),
                ..AccountPatch::default()
            },
            Outcome::AlreadyLoggedIn => AccountPatch {
                logged_in: Some(true),
                last_error: Some(None),
                ..AccountPatch::default()
            },
            Outcome::Banned if self.disable_on_ban => AccountPatch {
                logged_in: Some(false),
                status: Some(Status::Disabled),
                last_error: Some(Some(reason_text(Outcome::Banned, reason))),
                ..AccountPatch::default()
            },
            failure => AccountPatch {
                logged_in: Some(false),
                last_error: Some(Some(reason_text(failure, reason))),
                ..AccountPatch::default()
            },
        };
        self.ws.update(account.id, patch).map(drop)
    }
}

/// How an account's step ends when its app, opened, refuses to be used: the
/// app must be updated, or the platform suspended or banned the session the
/// app holds. That session is the account's own when the roster binds no
/// other account to this app on the phone; otherwise whose it is cannot be
/// told, and the step ends as an error saying so. `None`: the app is usable.
pub(crate) fn opening_outcome(
    app: &AppDriver,
    phone: &mut Phone,
    disable_on_ban: bool,
) -> Result<Option<(Outcome, Option<String>)>> {
    let Some(block) = app.opening_block(phone.device.as_mut())? else {
        return Ok(None);
    };
    let outcome = rejection_outcome(block);
    Ok(Some(match block {
        Rejection::AppUpdateRequired => (outcome, None),
        _ if !phone.sole_account_of(app.package()) => (
            Outcome::Error,
            Some(format!(
                "{} opens on its '{}' screen for the account active in it, which \
                 is one of several bound to {}",
                app.package(),
                outcome.as_str(),
                phone.device.serial()
            )),
        ),
        Rejection::Banned if disable_on_ban => (outcome, Some(DISABLED_ON_BAN.to_string())),
        _ => (
            outcome,
            Some("the app opens on this screen for the session it holds".to_string()),
        ),
    }))
}

/// The outcome for an app's refusal.
pub(crate) fn rejection_outcome(why: Rejection) -> Outcome {
    match why {
        Rejection::WrongPassword => Outcome::WrongPassword,
        Rejection::UnknownUser => Outcome::UnknownUser,
        Rejection::RateLimited => Outcome::RateLimited,
        Rejection::ChallengeRequired => Outcome::ChallengeRequired,
        Rejection::TwoFactorFailed => Outcome::TwoFactorFailed,
        Rejection::Suspended => Outcome::Suspended,
        Rejection::Banned => Outcome::Banned,
        Rejection::AppUpdateRequired => Outcome::AppUpdateRequired,
    }
}

/// The reason stored for a failure: the outcome in words, then the details.
pub(crate) fn reason_text(outcome: Outcome, detail: Option<&str>) -> String {
    match detail {
        Some(detail) if !detail.is_empty() => format!("{}: {detail}", outcome.describe()),
        _ => outcome.describe().to_string(),
    }
}

/// True when a username read from the app is this account's.
pub(crate) fn same_user(account: &Account, shown: &str) -> bool {
    account.username.key() == shown.trim().trim_start_matches('@').to_lowercase()
}
