//! What a workflow did to each account: [`Outcome`], [`AccountResult`], [`Report`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::account::{Account, AccountId, Platform};

/// Which workflow produced a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Workflow {
    /// Log accounts in on their phones.
    Login,
    /// Find the sessions already logged in on phones and record them.
    MatchAccounts,
    /// Read profile numbers into the roster.
    SyncProfiles,
}

impl Workflow {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Workflow::Login => "login",
            Workflow::MatchAccounts => "match_accounts",
            Workflow::SyncProfiles => "sync_profiles",
        }
    }
}

impl fmt::Display for Workflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to one account (or, in `match_accounts`, one session found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Logged in by this run, verified on the profile.
    LoggedIn,
    /// The app already held a session for the account; nothing was typed.
    AlreadyLoggedIn,
    /// Profile numbers were read and stored.
    Synced,
    /// Profile numbers were read from the account's public web page alone (no
    /// app showed the profile), and stored. Says nothing of the account's
    /// health in the app.
    SyncedFromWeb,
    /// A session found on a phone had no account: one was created.
    Created,
    /// A session found on a phone belonged to a known account: it was linked to the phone.
    Linked,
    /// The account is disabled: the phone saw no command for it.
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
    /// The app (or the profile page) said no such user exists.
    UnknownUser,
    /// The app asks for a check only a person can pass (captcha, verification); not retried.
    /// (Earlier builds stored it as `needs_verification`; both names read back.)
    #[serde(alias = "needs_verification")]
    ChallengeRequired,
    /// The app refused further attempts for now ("too many attempts, try again later").
    /// (Earlier builds stored it as `too_many_attempts`; both names read back.)
    #[serde(alias = "too_many_attempts")]
    RateLimited,
    /// The 2FA code was refused, or the app asked for one and the account has no secret.
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
    /// The phone showed a screen the selector pack does not know; nothing was clicked.
    ScreenNotRecognised,
    /// The phone or the app did not answer in time.
    Timeout,
    /// The run was cancelled before this account.
    Cancelled,
    /// Another controller holds the account's (or its phone's) lease: it is
    /// being driven elsewhere, so this run left it alone.
    BusyElsewhere,
    /// Anything else; the reason says what.
    Error,
}

impl Outcome {
    /// Every outcome, in a stable order.
    pub const ALL: [Outcome; 27] = [
        Outcome::LoggedIn,
        Outcome::AlreadyLoggedIn,
        Outcome::Synced,
        Outcome::SyncedFromWeb,
        Outcome::Created,
        Outcome::Linked,
        Outcome::SkippedDisabled,
        Outcome::NoDevice,
        Outcome::DeviceOffline,
        Outcome::AppNotInstalled,
        Outcome::NoPassword,
        Outcome::WrongPassword,
        Outcome::UnknownUser,
        Outcome::ChallengeRequired,
        Outcome::RateLimited,
        Outcome::TwoFactorFailed,
        Outcome::Suspended,
        Outcome::Banned,
        Outcome::AppUpdateRequired,
        Outcome::NotLoggedIn,
        Outcome::PrivateAccount,
        Outcome::PageNotRecognised,
        Outcome::ScreenNotRecognised,
        Outcome::Timeout,
        Outcome::Cancelled,
        Outcome::BusyElsewhere,
        Outcome::Error,
    ];

    /// Stable snake_case name, as reports and bindings show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::LoggedIn => "logged_in",
            Outcome::AlreadyLoggedIn => "already_logged_in",
            Outcome::Synced => "synced",
            Outcome::SyncedFromWeb => "synced_from_web",
            Outcome::Created => "created",
            Outcome::Linked => "linked",
            Outcome::SkippedDisabled => "skipped_disabled",
            Outcome::NoDevice => "no_device",
            Outcome::DeviceOffline => "device_offline",
            Outcome::AppNotInstalled => "app_not_installed",
            Outcome::NoPassword => "no_password",
            Outcome::WrongPassword => "wrong_password",
            Outcome::UnknownUser => "unknown_user",
            Outcome::ChallengeRequired => "challenge_required",
            Outcome::RateLimited => "rate_limited",
            Outcome::TwoFactorFailed => "two_factor_failed",
            Outcome::Suspended => "suspended",
            Outcome::Banned => "banned",
            Outcome::AppUpdateRequired => "app_update_required",
            Outcome::NotLoggedIn => "not_logged_in",
            Outcome::PrivateAccount => "private_account",
            Outcome::PageNotRecognised => "page_not_recognised",
            Outcome::ScreenNotRecognised => "screen_not_recognised",
            Outcome::Timeout => "timeout",
            Outcome::Cancelled => "cancelled",
            Outcome::BusyElsewhere => "busy_elsewhere",
            Outcome::Error => "error",
        }
    }

    /// True when the workflow did what it was asked for this account.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Outcome::LoggedIn
                | Outcome::AlreadyLoggedIn
                | Outcome::Synced
                | Outcome::SyncedFromWeb
                | Outcome::Created
                | Outcome::Linked
        )
    }

    /// True when the account was deliberately left alone (disabled,
    /// cancelled, driven by another controller).
    pub fn is_skip(self) -> bool {
        matches!(
            self,
            Outcome::SkippedDisabled | Outcome::Cancelled | Outcome::BusyElsewhere
        )
    }

    /// A human sentence for the outcome, used as the stored reason of a failure.
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::LoggedIn => "logged in",
            Outcome::AlreadyLoggedIn => "already logged in",
            Outcome::Synced => "profile synced",
            Outcome::SyncedFromWeb => "profile synced from the web page",
            Outcome::Created => "account created from a session on the phone",
            Outcome::Linked => "account linked to the phone it is logged in on",
            Outcome::SkippedDisabled => "account is disabled",
            Outcome::NoDevice => "account is bound to no device",
            Outcome::DeviceOffline => "device offline",
            Outcome::AppNotInstalled => "app not installed",
            Outcome::NoPassword => "no password stored",
            Outcome::WrongPassword => "wrong password",
            Outcome::UnknownUser => "unknown user",
            Outcome::ChallengeRequired => "needs verification by a person",
            Outcome::RateLimited => "too many attempts",
            Outcome::TwoFactorFailed => "2FA failed",
            Outcome::Suspended => "account suspended",
            Outcome::Banned => "account banned",
            Outcome::AppUpdateRequired => "the app must be updated",
            Outcome::NotLoggedIn => "not logged in on its device",
            Outcome::PrivateAccount => "private account",
            Outcome::PageNotRecognised => "profile page not recognised",
            Outcome::ScreenNotRecognised => "screen not recognised",
            Outcome::Timeout => "timeout",
            Outcome::Cancelled => "cancelled",
            Outcome::BusyElsewhere => "driven by another controller",
            Outcome::Error => "error",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a report: an account (or a session found) and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResult {
    /// The account's id, when there is an account.
    pub account: Option<AccountId>,
    /// The account's platform.
    pub platform: Platform,
    /// The account's username, as the roster (or the app) spells it.
    pub username: String,
    /// The phone concerned, if any.
    pub device: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Details for a failure (what the app said, which screen); never a secret.
    pub reason: Option<String>,
}

impl AccountResult {
    /// A result for a roster account.
    pub fn for_account(account: &Account, outcome: Outcome, reason: Option<String>) -> Self {
        AccountResult {
            account: Some(account.id),
            platform: account.platform,
            username: account.username.to_string(),
            device: account.device.clone(),
            outcome,
            reason,
        }
    }
}

/// Counts per outcome: what `Finished` events and reports carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// How many results had each outcome (outcomes that did not occur are absent).
    pub outcomes: BTreeMap<Outcome, usize>,
    /// Results in all.
    pub total: usize,
    /// Results whose outcome [`Outcome::is_success`].
    pub succeeded: usize,
    /// Results skipped on purpose (disabled, cancelled).
    pub skipped: usize,
    /// The rest: failures.
    pub failed: usize,
}

impl Summary {
    /// Counts these results.
    pub fn of(results: &[AccountResult]) -> Self {
        let mut summary = Summary::default();
        for result in results {
            summary.add(result.outcome);
        }
        summary
    }

    /// Counts one more result.
    pub fn add(&mut self, outcome: Outcome) {
        *self.outcomes.entry(outcome).or_default() += 1;
        self.total += 1;
        if outcome.is_success() {
            self.succeeded += 1;
        } else if outcome.is_skip() {
            self.skipped += 1;
        } else {
            self.failed += 1;
        }
    }

    /// How many results had this outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.outcomes.get(&outcome).copied().unwrap_or(0)
    }
}

/// A phone that could not be worked at all (in `match_accounts`, where no
/// account stands for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneFailure {
    /// The phone's serial.
    pub device: String,
    /// What went wrong, as an outcome (`device_offline`, `timeout`, `error`...).
    pub outcome: Outcome,
    /// Details; never a secret.
    pub reason: String,
}

/// What a workflow did, account by account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The workflow that ran.
    pub workflow: Workflow,
    /// One result per account (or session found), ordered by phone, then in the order worked.
    pub results: Vec<AccountResult>,
    /// Counts per outcome.
    pub summary: Summary,
    /// True when the run was cancelled before it finished.
    pub cancelled: bool,
    /// Phones that could not be worked at all (`match_accounts`).
    pub phone_failures: Vec<PhoneFailure>,
}

impl Report {
    /// The result for this account, if it is in the report.
    pub fn result(&self, id: AccountId) -> Option<&AccountResult> {
        self.results.iter().find(|r| r.account == Some(id))
    }

    /// The outcome for this account, if it is in the report.
    pub fn outcome(&self, id: AccountId) -> Option<Outcome> {
        self.result(id).map(|r| r.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_distinct() {
        let names: std::collections::HashSet<&str> =
            Outcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(names.len(), Outcome::ALL.len());
        for outcome in Outcome::ALL {
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
        }
    }

    #[test]
    fn names_earlier_builds_stored_still_read_back() {
        for (old, outcome) in [
            ("needs_verification", Outcome::ChallengeRequired),
            ("too_many_attempts", Outcome::RateLimited),
        ] {
            let read: Outcome = serde_json::from_str(&format!("\"{old}\"")).unwrap();
            assert_eq!(read, outcome);
        }
    }

    #[test]
    fn summary_sorts_successes_skips_and_failures() {
        let mut summary = Summary::default();
        for outcome in [
            Outcome::LoggedIn,
            Outcome::SkippedDisabled,
            Outcome::WrongPassword,
            Outcome::LoggedIn,
        ] {
            summary.add(outcome);
        }
        assert_eq!(
            (
                summary.total,
                summary.succeeded,
                summary.skipped,
                summary.failed
            ),
            (4, 2, 1, 1)
        );
        assert_eq!(summary.count(Outcome::LoggedIn), 2);
        assert_eq!(summary.count(Outcome::Timeout), 0);
    }
}
