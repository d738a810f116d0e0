//! Leases: which controller drives an account or a phone right now.
//!
//! Before a workflow touches an account or a phone it takes a lease on it: a
//! [`Holder`] (host and process), an expiry, renewed (a heartbeat) while it
//! works and released after. Another holder's live lease means the subject is
//! busy elsewhere; an expired one, left by a crashed controller, is taken
//! over. The store keeps the leases, so they hold across the processes of one
//! PC (SQLite) and across the PCs sharing one roster (PostgreSQL, whose
//! server clock judges expiry so that PCs' clocks need not agree).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use crate::account::{Account, AccountId, Timestamp};
use crate::error::{Error, Result};
use crate::store::AccountFilter;

/// The longest lease a holder may ask for at once (renewals extend it).
pub const MAX_LEASE: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest [`Holder`] name.
const MAX_HOLDER_CHARS: usize = 200;

/// What a lease is on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LeaseSubject {
    /// An account of the roster.
    Account(AccountId),
    /// A phone, by serial.
    Phone(String),
}

impl LeaseSubject {
    /// The key the stores keep the lease under: `account:ID` or `phone:SERIAL`.
    pub fn key(&self) -> String {
        match self {
            LeaseSubject::Account(id) => format!("account:{id}"),
            LeaseSubject::Phone(serial) => format!("phone:{serial}"),
        }
    }
}

impl fmt::Display for LeaseSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeaseSubject::Account(id) => write!(f, "account {id}"),
            LeaseSubject::Phone(serial) => write!(f, "phone {serial}"),
        }
    }
}

/// Who holds leases: one controller (a run of a workflow in one process on
/// one host). Two holders never share a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Holder(String);

impl Holder {
    /// A holder unique to this call: `HOST/PID/NONCE/N`, where NONCE tells a
    /// restarted process that reuses a PID from its predecessor, and N counts
    /// the holders this process made.
    pub fn unique() -> Holder {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        Holder(format!("{}/{n}", process_name()))
    }

    /// A holder of the given name (a controller that names itself, e.g. a
    /// service); `Validation` error when blank, longer than 200 characters or
    /// holding control characters.
    pub fn named(name: &str) -> Result<Holder> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::validation("holder", "must not be blank"));
        }
        if name.chars().count() > MAX_HOLDER_CHARS {
            return Err(Error::validation(
                "holder",
                format!("is longer than {MAX_HOLDER_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Error::validation(
                "holder",
                "must not hold control characters",
            ));
        }
        Ok(Holder(name.to_string()))
    }

    /// The holder's name, as stores keep it and messages show it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `HOST/PID/NONCE`, made once per process.
fn process_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let nonce = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = foldhash::fast::RandomState::default().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or_default(),
            );
            h.finish() as u32
        };
        format!("{}/{}/{nonce:08x}", host_name(), std::process::id())
    })
}

/// This machine's name, as far as it can be told without a system call
/// crate: the kernel's (Linux), the environment's, else `host`.
fn host_name() -> String {
    let from_file = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    from_file
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| {
            name.trim()
                .chars()
                .filter(|c| !c.is_control() && *c != '/')
                .take(64)
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "host".to_string())
}

/// A live lease: who holds it and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The holder's name.
    pub holder: String,
    /// When it expires unless renewed (the store's clock).
    pub expires_at: Timestamp,
}

/// The answer to [`Leases::acquire`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the lease until then (the store's clock).
    Held {
        /// When the lease expires unless renewed.
        expires_at: Timestamp,
    },
    /// Another holder's live lease: the subject is busy elsewhere.
    BusyElsewhere(Lease),
}

/// Leases on accounts and phones, kept by a store. Object safe, shareable
/// across threads; every method is one atomic change of the store.
pub trait Leases: Send + Sync {
    /// Takes the lease on `subject` for `holder` until `ttl` from now, when it
    /// is free, expired, or already `holder`'s (then it is renewed); else
    /// answers who holds it. `Validation` error for a zero `ttl` or one above
    /// [`MAX_LEASE`].
    fn acquire(&self, subject: &LeaseSubject, holder: &Holder, ttl: Duration) -> Result<Claim>;
    /// The heartbeat: extends to `ttl` from now every lease of `subjects` that
    /// `holder` still holds, and returns those it no longer holds (expired and
    /// taken over, or released).
    fn renew(
        &self,
        subjects: &[LeaseSubject],
        holder: &Holder,
        ttl: Duration,
    ) -> Result<Vec<LeaseSubject>>;
    /// Gives up `holder`'s leases on `subjects`; others' leases stay.
    fn release(&self, subjects: &[LeaseSubject], holder: &Holder) -> Result<()>;
    /// The live lease on `subject`, if any.
    fn lease(&self, subject: &LeaseSubject) -> Result<Option<Lease>>;
    /// Takes leases on up to `limit` accounts matching `filter` that no other
    /// holder has a live lease on, lowest ids first, and returns them: the way
    /// several controllers share out one roster's work. On PostgreSQL the
    /// accounts are claimed with `FOR UPDATE SKIP LOCKED`, so claimers never
    /// wait for each other; the leases outlive the claiming transaction.
    fn claim_accounts(
        &self,
        filter: &AccountFilter,
        holder: &Holder,
        ttl: Duration,
        limit: usize,
    ) -> Result<Vec<Account>>;
}

/// `ttl` in milliseconds, checked against [`MAX_LEASE`].
pub(crate) fn ttl_millis(ttl: Duration) -> Result<i64> {
    if ttl.is_zero() || ttl > MAX_LEASE {
        return Err(Error::validation(
            "ttl",
            format!(
                "a lease lasts more than 0 s and at most {} s",
                MAX_LEASE.as_secs()
            ),
        ));
    }
    Ok(ttl.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_are_unique_and_name_their_host_and_process() {
        let a = Holder::unique();
        let b = Holder::unique();
        assert_ne!(a, b);
        let pid = std::process::id().to_string();
        assert_eq!(a.as_str().split('/').nth(1), Some(pid.as_str()));
    }

    #[test]
    fn bad_holder_names_and_ttls_are_refused() {
        for name in ["", "   ", "a\nb", &"x".repeat(201)] {
            assert!(Holder::named(name).is_err(), "{name:?}");
        }
        assert_eq!(Holder::named(" pc-7 ").unwrap().as_str(), "pc-7");
        assert!(ttl_millis(Duration::ZERO).is_err());
        assert!(ttl_millis(MAX_LEASE + Duration::from_secs(1)).is_err());
        assert_eq!(ttl_millis(Duration::from_millis(1500)).unwrap(), 1500);
    }
}
