//! The roster's change feed for hosts: a foreign [`ChangeObserver`] told on
//! a thread of the engine's own whenever accounts changed, until its
//! [`ChangeSubscription`] is stopped.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::Result;

/// How long the feed's thread waits at a time before it looks whether it
/// was stopped.
const SLICE: Duration = Duration::from_millis(200);

/// How long the feed waits before it watches again after its watch failed
/// (a PostgreSQL connection lost).
const RETRY: Duration = Duration::from_secs(1);

/// Told when the roster changed, whoever changed it (another thread,
/// process, or PC sharing a PostgreSQL roster): read it again.
#[uniffi::export(callback_interface)]
pub trait ChangeObserver: Send + Sync {
    /// Accounts changed (several changes may come as one call).
    fn on_change(&self);
}

/// A running change feed; `stop()` ends it (releasing it does too).
#[derive(uniffi::Object)]
pub struct ChangeSubscription {
    stopped: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

#[uniffi::export]
impl ChangeSubscription {
    /// Ends the feed: the observer is not called after this returns (unless
    /// called from inside the observer, which ends it after that call).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

impl Drop for ChangeSubscription {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
}

/// Starts the feed of `ws` on a thread of its own.
pub(crate) fn subscribe(
    ws: &farmhand::Workspace,
    observer: Box<dyn ChangeObserver>,
) -> Result<Arc<ChangeSubscription>> {
    let mut watch = ws.watch()?;
    let ws = ws.clone();
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    let thread = std::thread::Builder::new()
        .name("farmhand-changes".into())
        .spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match watch.wait(SLICE) {
                    Ok(false) => {}
                    Ok(true) => {
                        // An observer that throws gets no more calls.
                        if catch_unwind(AssertUnwindSafe(|| observer.on_change())).is_err() {
                            return;
                        }
                    }
                    Err(_) => {
                        std::thread::sleep(RETRY);
                        if let Ok(again) = ws.watch() {
                            watch = again;
                            // What changed while it was away is not known: say so.
                            if catch_unwind(AssertUnwindSafe(|| observer.on_change())).is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        })
        .map_err(|e| farmhand::Error::storage(format!("cannot start the change feed: {e}")))?;
    Ok(Arc::new(ChangeSubscription {
        stopped,
        thread: Mutex::new(Some(thread)),
    }))
}
