//! One request at a time to a host, spaced so that the rate never exceeds the limit.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::ops::CancelToken;

/// Lets one request run at a time, each starting at least `interval` after
/// the previous one *ended*.
///
/// Spacing from the end (not the start) is what makes the limit hold as the
/// server counts: the server has answered request n before request n + 1
/// leaves, so their arrivals are more than `interval` apart whatever the
/// network does in between.
pub(crate) struct Pacer {
    interval: Duration,
    last_end: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer for `requests_per_second` (checked positive and finite by the caller).
    pub fn new(requests_per_second: f64) -> Self {
        Pacer {
            interval: Duration::from_secs_f64(1.0 / requests_per_second),
            last_end: Mutex::new(None),
        }
    }

    /// Runs `request` when its turn comes; `None` when `cancel` fired while waiting.
    pub fn turn<T>(&self, cancel: &CancelToken, request: impl FnOnce() -> T) -> Option<T> {
        let mut last_end = self.last_end.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(end) = *last_end {
            if !sleep_until(end + self.interval, cancel) {
                return None;
            }
        }
        let out = request();
        *last_end = Some(Instant::now());
        Some(out)
    }
}

/// Sleeps until `deadline` in short slices; false when `cancel` fired first.
pub(crate) fn sleep_until(deadline: Instant, cancel: &CancelToken) -> bool {
    const SLICE: Duration = Duration::from_millis(50);
    loop {
        if cancel.is_cancelled() {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(SLICE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_are_spaced_from_the_previous_end() {
        let pacer = Pacer::new(50.0);
        let cancel = CancelToken::new();
        let mut spans = Vec::new();
        for _ in 0..5 {
            let span = pacer
                .turn(&cancel, || {
                    let start = Instant::now();
                    std::thread::sleep(Duration::from_millis(3));
                    (start, Instant::now())
                })
                .unwrap();
            spans.push(span);
        }
        for pair in spans.windows(2) {
            assert!(pair[1].0 - pair[0].1 >= Duration::from_millis(20));
        }
    }

    #[test]
    fn a_cancelled_wait_runs_nothing() {
        let pacer = Pacer::new(0.01);
        let cancel = CancelToken::new();
        assert_eq!(pacer.turn(&cancel, || 1), Some(1));
        cancel.cancel();
        assert_eq!(pacer.turn(&cancel, || 2), None);
    }
}
