//! Progress events of a running workflow and the [`Observer`] that receives them.

use crate::account::AccountId;
use crate::ops::outcome::{AccountResult, Summary, Workflow};

/// Something that happened in a running workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The workflow starts with this much work.
    Started {
        /// Which workflow.
        workflow: Workflow,
        /// Accounts it will look at (for `match_accounts`: 0, sessions are found as it goes).
        accounts: usize,
        /// Phones it will use.
        phones: usize,
    },
    /// A step on one phone, for one account when there is one.
    Step {
        /// The phone.
        device: String,
        /// The account concerned, if any.
        account: Option<AccountId>,
        /// What is being done, in a few words (`launch`, `login`, `2fa`, `read profile`...).
        step: &'static str,
    },
    /// One account is done.
    AccountDone {
        /// Its result.
        result: AccountResult,
        /// Results so far.
        done: usize,
        /// Results expected in all (grows in `match_accounts` as sessions are found).
        total: usize,
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

/// Receives progress events; called from the workers' threads, so it must be `Sync`.
///
/// Keep it quick: a slow observer slows the phones down.
pub trait Observer: Send + Sync {
    /// One event.
    fn event(&self, event: &Event);
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn event(&self, _event: &Event) {}
}

impl<F: Fn(&Event) + Send + Sync> Observer for F {
    fn event(&self, event: &Event) {
        self(event)
    }
}
