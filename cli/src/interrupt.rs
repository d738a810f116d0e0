//! Ctrl-C (and SIGTERM): the first asks the running command to stop cleanly
//! (a workflow's cancel token, the `sim` server's wait); a second one exits at once.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use farmhand::{Error, Result};

type Hook = Box<dyn Fn() + Send>;

#[derive(Default)]
struct State {
    interrupted: bool,
    hooks: Vec<Hook>,
}

/// The process's interrupt: hooks to run on the first Ctrl-C, and a wait for it.
#[derive(Clone)]
pub struct Interrupt {
    shared: Arc<(Mutex<State>, Condvar)>,
}

impl Interrupt {
    /// Installs the handler (once per process).
    pub fn install() -> Result<Interrupt> {
        let interrupt = Interrupt {
            shared: Arc::new((Mutex::new(State::default()), Condvar::new())),
        };
        let handler = interrupt.clone();
        ctrlc::set_handler(move || handler.fire()).map_err(|e| Error::Io {
            path: "<signal handler>".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        Ok(interrupt)
    }

    fn fire(&self) {
        let (lock, wake) = &*self.shared;
        let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if state.interrupted {
            eprintln!("interrupted again: exiting now");
            std::process::exit(130);
        }
        state.interrupted = true;
        eprintln!("interrupted: stopping (Ctrl-C again to exit at once)");
        for hook in &state.hooks {
            hook();
        }
        wake.notify_all();
    }

    /// Runs `hook` on the first interrupt (at once if it already came).
    pub fn on_interrupt(&self, hook: impl Fn() + Send + 'static) {
        let mut state = self.shared.0.lock().unwrap_or_else(PoisonError::into_inner);
        if state.interrupted {
            hook();
        }
        state.hooks.push(Box::new(hook));
    }

    /// Blocks until the first interrupt.
    pub fn wait(&self) {
        let (lock, wake) = &*self.shared;
        let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
        while !state.interrupted {
            state = wake.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}
