//! The leases a workflow run holds: a phone's before its worker drives it, an
//! account's before its step, renewed by a heartbeat while the run works and
//! released when done. Another controller's live lease makes the account
//! `busy_elsewhere` (see [`crate::store::lease`]).

use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use crate::error::Result;
use crate::store::{AccountStore, Claim, Holder, Lease, LeaseSubject};

/// How long a run's lease lasts without a heartbeat: a controller that dies
/// leaves its accounts and phones to others after this.
pub const LEASE_TTL: Duration = Duration::from_secs(60);

/// The leases of one run, under one [`Holder`].
pub(crate) struct RunLeases {
    store: Arc<dyn AccountStore>,
    holder: Holder,
    /// How long each lease lasts unless renewed; renewed every third of it,
    /// so two missed heartbeats still keep the leases.
    ttl: Duration,
    held: Mutex<BTreeSet<LeaseSubject>>,
    /// Set when the run is done; wakes the heartbeat.
    done: (Mutex<bool>, Condvar),
}

impl RunLeases {
    /// Leases of a new run on `store`, under a holder of its own.
    pub fn new(store: Arc<dyn AccountStore>) -> Self {
        RunLeases::lasting(store, LEASE_TTL)
    }

    /// Leases of a new run that last `ttl` unless renewed.
    fn lasting(store: Arc<dyn AccountStore>, ttl: Duration) -> Self {
        RunLeases {
            store,
            holder: Holder::unique(),
            ttl,
            held: Mutex::new(BTreeSet::new()),
            done: (Mutex::new(false), Condvar::new()),
        }
    }

    /// Takes the lease on `subject`: `None` when the run holds it now, else
    /// why not (the other holder, as the reason of a `busy_elsewhere`).
    pub fn take(&self, subject: LeaseSubject) -> Result<Option<String>> {
        match self
            .store
            .leases()
            .acquire(&subject, &self.holder, LEASE_TTL)?
        {
            Claim::Held { .. } => {
                self.held_lock().insert(subject);
                Ok(None)
            }
            Claim::BusyElsewhere(lease) => Ok(Some(busy(&subject, &lease))),
        }
    }

    /// Why `subject` is busy elsewhere, when another holder has a live lease
    /// on it (nothing is taken).
    pub fn held_elsewhere(&self, subject: &LeaseSubject) -> Result<Option<String>> {
        Ok(self
            .store
            .leases()
            .lease(subject)?
            .filter(|lease| lease.holder != self.holder.as_str())
            .map(|lease| busy(subject, &lease)))
    }

    /// Releases the lease on `subject` if the run holds it. A failed release
    /// is left to expiry: nobody else is kept out for longer than [`LEASE_TTL`].
    pub fn give_back(&self, subject: &LeaseSubject) {
        if self.held_lock().remove(subject) {
            let _ = self
                .store
                .leases()
                .release(std::slice::from_ref(subject), &self.holder);
        }
    }

    /// Releases everything the run still holds (after a worker panicked
    /// between taking a lease and giving it back).
    pub fn release_all(&self) {
        let held: Vec<LeaseSubject> = std::mem::take(&mut *self.held_lock()).into_iter().collect();
        if !held.is_empty() {
            let _ = self.store.leases().release(&held, &self.holder);
        }
    }

    /// Renews what the run holds every third of its lease's length until
    /// [`RunLeases::stop`].
    /// A lease found lost (the run stalled past its expiry and another took
    /// it) is dropped from what the run holds, so it is never released from
    /// under its new holder. A failed renewal is tried again at the next beat.
    pub fn heartbeat(&self) {
        let (lock, wake) = &self.done;
        let mut done = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            done = wake
                .wait_timeout(done, self.ttl / 3)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if *done {
                return;
            }
            let held: Vec<LeaseSubject> = self.held_lock().iter().cloned().collect();
            if held.is_empty() {
                continue;
            }
            if let Ok(lost) = self.store.leases().renew(&held, &self.holder, self.ttl) {
                let mut still = self.held_lock();
                for subject in &lost {
                    still.remove(subject);
                }
            }
        }
    }

    /// Ends the heartbeat.
    pub fn stop(&self) {
        let (lock, wake) = &self.done;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
    }

    fn held_lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<LeaseSubject>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The reason of a `busy_elsewhere`: what is leased, by whom, until when.
fn busy(subject: &LeaseSubject, lease: &Lease) -> String {
    format!(
        "{subject} is leased by {} (until Unix ms {})",
        lease.holder, lease.expires_at.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    /// The heartbeat keeps a lease alive for many times its length, and the
    /// lease lapses once the heartbeat stops.
    #[test]
    fn the_heartbeat_keeps_leases_past_their_length_until_stopped() {
        let store: Arc<dyn AccountStore> = Arc::new(MemoryStore::new());
        let ttl = Duration::from_millis(300);
        let run = RunLeases::lasting(store.clone(), ttl);
        let phone = LeaseSubject::Phone("emulator-5554".into());
        assert_eq!(run.take(phone.clone()).unwrap(), None);
        std::thread::scope(|s| {
            let beat = s.spawn(|| run.heartbeat());
            std::thread::sleep(ttl * 4);
            assert!(store.leases().lease(&phone).unwrap().is_some(), "renewed");
            run.stop();
            beat.join().unwrap();
        });
        std::thread::sleep(ttl * 2);
        assert_eq!(store.leases().lease(&phone).unwrap(), None, "lapsed");
        let other = Holder::unique();
        assert!(matches!(
            store.leases().acquire(&phone, &other, ttl).unwrap(),
            Claim::Held { .. }
        ));
        // Giving back a lease it has lost never frees the new holder's.
        run.give_back(&phone);
        assert_eq!(
            store.leases().lease(&phone).unwrap().unwrap().holder,
            other.as_str()
        );
    }
}
