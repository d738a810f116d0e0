//! Fleet workflows over the phones: [`Workspace::login`](crate::Workspace::login),
//! [`Workspace::match_accounts`](crate::Workspace::match_accounts) and
//! [`Workspace::sync_profiles`](crate::Workspace::sync_profiles) (which also
//! reads TikTok's public profile pages: [`ProfileSource`]).
//!
//! All three run one worker per phone (phones in parallel up to
//! [`RunOptions::parallelism`], the accounts of one phone in turn), report every
//! account's [`Outcome`] in a [`Report`], send progress [`Event`]s to an
//! [`Observer`], and stop before the next account when their [`CancelToken`] is
//! cancelled. Disabled accounts are never touched. A run leases each phone
//! and account it drives (see [`crate::store::lease`]): what another
//! controller holds is reported `busy_elsewhere` and left alone, so
//! controllers sharing a roster never drive one account or phone at once.
//! Every account's outcome is
//! also kept in its activity history ([`Workspace::history`](crate::Workspace::history)),
//! from which its [`Health`] is read.
//!
//! ```no_run
//! use std::sync::Arc;
//! use farmhand::device::AdbDriver;
//! use farmhand::ops::{Event, Outcome, RunOptions};
//! use farmhand::Workspace;
//!
//! # fn main() -> farmhand::Result<()> {
//! let ws = Workspace::open("farm.farmhand")?;
//! let adb = AdbDriver::new()?;
//! let options = RunOptions {
//!     parallelism: 16,
//!     observer: Arc::new(|e: &Event| {
//!         if let Event::AccountDone { result, done, total } = e {
//!             println!("{done}/{total} {} {}", result.username, result.outcome);
//!         }
//!     }),
//!     ..RunOptions::default()
//! };
//! ws.match_accounts(&adb, &options)?;
//! let report = ws.login(&adb, &options)?;
//! println!("{} logged in", report.summary.count(Outcome::LoggedIn));
//! ws.sync_profiles(&adb, &options)?;
//! # Ok(())
//! # }
//! ```

pub mod cancel;
pub mod health;
mod leasing;
mod login;
mod matching;
pub mod observer;
pub mod outcome;
pub mod runner;
mod sync;
mod web_sync;
mod workers;

pub use cancel::CancelToken;
pub use health::{Health, HealthState};
pub use leasing::LEASE_TTL;
pub use observer::{Event, NoObserver, Observer};
pub use outcome::{AccountResult, Outcome, PhoneFailure, Report, Summary, Workflow};
pub use runner::{
    AccountSelection, RunOptions, DEFAULT_PARALLELISM, WORKER_STACK_BYTES, WORKER_THREAD_NAME,
};
pub use web_sync::{ProfileSource, SourceKind};
