//! A cap on the connections one [`AdbDriver`](super::AdbDriver) holds open to
//! its adb server at once.
//!
//! The adb server (platform-tools 29, measured with 256 simulated phones, see
//! the README) spends one file descriptor per connected network phone, two
//! threads per phone, and one descriptor per host connection, and it cannot
//! take more descriptors than its `ulimit -n` (often 1024, inherited from the
//! shell that started it). At the limit it stops accepting: new connections
//! wait unanswered in the kernel's queue, where a command's time runs out
//! although its phone is fine. Every command is one connection (the adb
//! protocol gives a connection to one service), so the driver queues commands
//! here instead, beyond [`DEFAULT_MAX_CONNECTIONS`], before their time limit
//! starts.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// Most connections a driver holds open to its server at once unless told
/// otherwise ([`AdbDriver::with_max_connections`](super::AdbDriver::with_max_connections)):
/// one per phone of a 256-phone run. With the server's common limit of 1024
/// descriptors that leaves room for about 750 network phones (one descriptor
/// each) beside them.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// The connection budget shared by a driver, its clones and the phones it opened.
#[derive(Debug)]
pub(crate) struct Slots {
    max: usize,
    used: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    /// A budget of `max` connections (at least 1).
    pub fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            max: max.max(1),
            used: Mutex::new(0),
            freed: Condvar::new(),
        })
    }

    /// The most connections at once.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Waits for a free connection and holds it until the [`Slot`] is dropped.
    pub fn take(self: &Arc<Self>) -> Slot {
        let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
        while *used >= self.max {
            used = self
                .freed
                .wait(used)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *used += 1;
        Slot(self.clone())
    }

    /// Connections held right now.
    #[cfg(test)]
    pub fn used(&self) -> usize {
        *self.used.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One connection's place in the budget, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot(Arc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        let mut used = self.0.used.lock().unwrap_or_else(PoisonError::into_inner);
        *used = used.saturating_sub(1);
        drop(used);
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn never_more_than_the_cap_at_once_and_every_taker_served() {
        let slots = Slots::new(3);
        let now = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let served = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..12 {
                scope.spawn(|| {
                    let _slot = slots.take();
                    let held = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(held, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    now.fetch_sub(1, Ordering::SeqCst);
                    served.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(served.load(Ordering::SeqCst), 12);
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert_eq!(slots.used(), 0, "every slot given back");
    }

    #[test]
    fn a_cap_of_zero_is_one() {
        let slots = Slots::new(0);
        assert_eq!(slots.max(), 1);
        drop(slots.take());
        drop(slots.take());
    }
}
