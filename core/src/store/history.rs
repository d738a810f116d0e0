//! Activity history: every workflow outcome of an account, kept by the store.
//!
//! Each login, match or sync result of an account becomes a [`HistoryEntry`]
//! (when, which workflow, what happened, on which phone, why). A store keeps
//! the newest [`HISTORY_LIMIT`] entries per account and drops an account's
//! history with the account.

use serde::{Deserialize, Serialize};

use crate::account::{AccountId, Timestamp};
use crate::ops::{Outcome, Workflow};

/// Entries kept per account; recording more drops the oldest.
pub const HISTORY_LIMIT: usize = 100;

/// One workflow outcome of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The account.
    pub account: AccountId,
    /// When the workflow finished with the account.
    pub at: Timestamp,
    /// The workflow.
    pub workflow: Workflow,
    /// What happened.
    pub outcome: Outcome,
    /// The phone, if one was concerned.
    pub device: Option<String>,
    /// Details of a failure; never a secret (reasons are made by the workflows).
    pub reason: Option<String>,
}
