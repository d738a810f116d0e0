//! Account health, read from the activity history: the last thing a workflow
//! learnt about whether the account can be used (logged in fine, wrong
//! password, challenged, rate limited, suspended, banned, app too old), with
//! its time and reason.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::account::{AccountId, Timestamp};
use crate::error::Result;
use crate::ops::{Outcome, Workflow};
use crate::store::{HistoryEntry, HISTORY_LIMIT};
use crate::workspace::Workspace;

/// What the apps last showed of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// The app showed the account's profile (logged in, synced, found).
    Ok,
    /// The app said the password is wrong.
    WrongPassword,
    /// A captcha or "confirm it's you" check only a person can pass.
    ChallengeRequired,
    /// "Too many attempts, try again later".
    RateLimited,
    /// The account is suspended.
    Suspended,
    /// The account is banned or disabled for good.
    Banned,
    /// The app on the account's phone must be updated first.
    AppUpdateRequired,
}

impl HealthState {
    /// Every state, in a stable order.
    pub const ALL: [HealthState; 7] = [
        HealthState::Ok,
        HealthState::WrongPassword,
        HealthState::ChallengeRequired,
        HealthState::RateLimited,
        HealthState::Suspended,
        HealthState::Banned,
        HealthState::AppUpdateRequired,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Ok => "ok",
            HealthState::WrongPassword => "wrong_password",
            HealthState::ChallengeRequired => "challenge_required",
            HealthState::RateLimited => "rate_limited",
            HealthState::Suspended => "suspended",
            HealthState::Banned => "banned",
            HealthState::AppUpdateRequired => "app_update_required",
        }
    }

    /// The state an outcome tells of; `None` for outcomes that say nothing
    /// about the account (a phone offline, a timeout, a skip).
    pub fn of(outcome: Outcome) -> Option<HealthState> {
        Some(match outcome {
            Outcome::LoggedIn
            | Outcome::AlreadyLoggedIn
            | Outcome::Synced
            | Outcome::Created
            | Outcome::Linked => HealthState::Ok,
            Outcome::WrongPassword => HealthState::WrongPassword,
            Outcome::ChallengeRequired => HealthState::ChallengeRequired,
            Outcome::RateLimited => HealthState::RateLimited,
            Outcome::Suspended => HealthState::Suspended,
            Outcome::Banned => HealthState::Banned,
            Outcome::AppUpdateRequired => HealthState::AppUpdateRequired,
            _ => return None,
        })
    }

    /// The state of a name as [`HealthState::as_str`] writes it.
    pub fn parse(name: &str) -> Option<HealthState> {
        HealthState::ALL
            .into_iter()
            .find(|s| s.as_str() == name.trim())
    }
}

impl fmt::Display for HealthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account's health: its state, since when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// The state.
    pub state: HealthState,
    /// When a workflow found it.
    pub at: Timestamp,
    /// Which workflow found it.
    pub workflow: Workflow,
    /// The workflow's reason, if any.
    pub reason: Option<String>,
}

impl Health {
    /// The health the newest telling entry of a history (newest first) gives.
    pub fn from_history(entries: &[HistoryEntry]) -> Option<Health> {
        entries.iter().find_map(|e| {
            HealthState::of(e.outcome).map(|state| Health {
                state,
                at: e.at,
                workflow: e.workflow,
                reason: e.reason.clone(),
            })
        })
    }
}

impl Workspace {
    /// An account's activity history, newest first, at most `limit` entries
    /// (the store keeps the newest [`HISTORY_LIMIT`]).
    pub fn history(&self, id: AccountId, limit: usize) -> Result<Vec<HistoryEntry>> {
        self.store().history(id, limit)
    }

    /// An account's health from its history; `None` until a workflow learnt something.
    pub fn health(&self, id: AccountId) -> Result<Option<Health>> {
        Ok(Health::from_history(&self.history(id, HISTORY_LIMIT)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(outcome: Outcome, at: i64) -> HistoryEntry {
        HistoryEntry {
            account: AccountId(1),
            at: Timestamp(at),
            workflow: Workflow::Login,
            outcome,
            device: None,
            reason: Some(outcome.describe().to_string()),
        }
    }

    #[test]
    fn health_is_the_newest_outcome_that_tells_of_the_account() {
        let history = [
            entry(Outcome::DeviceOffline, 30),
            entry(Outcome::Banned, 20),
            entry(Outcome::LoggedIn, 10),
        ];
        let health = Health::from_history(&history).unwrap();
        assert_eq!(health.state, HealthState::Banned);
        assert_eq!(health.at, Timestamp(20));
        assert_eq!(health.reason.as_deref(), Some("account banned"));
        assert_eq!(Health::from_history(&[entry(Outcome::Timeout, 1)]), None);
        assert_eq!(Health::from_history(&[]), None);
    }

    #[test]
    fn states_have_stable_names_that_parse_back() {
        for state in HealthState::ALL {
            assert_eq!(HealthState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert_eq!(HealthState::parse("healthy"), None);
        assert_eq!(
            HealthState::of(Outcome::ChallengeRequired),
            Some(HealthState::ChallengeRequired)
        );
        assert_eq!(HealthState::of(Outcome::SkippedDisabled), None);
    }
}
