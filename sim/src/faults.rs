//! Faults a simulated phone can be made to suffer, as real phones do.
//!
//! Set them in the scenario (`"faults": {...}` of a phone) or at run time with
//! [`SimPhone::set_faults`](super::SimPhone::set_faults). Commands are counted
//! per phone, across connections: every service a host opens (`shell`,
//! `exec`, `sync`) and every in-process shell call is one command.

use serde::{Deserialize, Serialize};

/// The faults of one phone (all off by default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// UI language other than `en` (e.g. `de`): apps render their texts in it,
    /// so automation that matches English texts only fails as it would on such a phone.
    #[serde(default)]
    pub language: Option<String>,
    /// The connection carrying the Nth command (1-based) is dropped instead of
    /// answering it; once. Counted from when the faults are set.
    #[serde(default)]
    pub drop_connection_at: Option<u32>,
    /// Shell commands with these names (`uiautomator`, `input`...) never answer:
    /// they hang until the caller gives up (stream closed, `timeout`, deadline).
    #[serde(default)]
    pub hang_commands: Vec<String>,
    /// The next N `uiautomator dump`s fail with `ERROR: could not get idle state.`
    #[serde(default)]
    pub dump_idle_failures: u32,
    /// At the Nth command (1-based) the phone goes offline: every connection
    /// drops and new ones are refused for `offline_ms`, then it comes back.
    #[serde(default)]
    pub offline_at: Option<u32>,
    /// How long an offline spell lasts, in milliseconds.
    #[serde(default)]
    pub offline_ms: u64,
}

/// What happens to a command under the phone's faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Served normally.
    Serve,
    /// Its connection is dropped.
    DropConnection,
    /// The phone goes offline for this many milliseconds.
    GoOffline(u64),
}

/// Faults plus the counters that make them fire.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultState {
    pub faults: Faults,
    pub commands: u32,
    pub dump_failures_left: u32,
}

impl FaultState {
    pub fn new(faults: Faults) -> Self {
        FaultState {
            dump_failures_left: faults.dump_idle_failures,
            faults,
            commands: 0,
        }
    }

    /// Counts a command and says what becomes of it.
    pub fn on_command(&mut self) -> Fate {
        self.commands = self.commands.saturating_add(1);
        if self.faults.drop_connection_at == Some(self.commands) {
            return Fate::DropConnection;
        }
        if self.faults.offline_at == Some(self.commands) {
            return Fate::GoOffline(self.faults.offline_ms);
        }
        Fate::Serve
    }

    /// True when this dump must fail with the idle-state error (and counts it).
    pub fn take_dump_failure(&mut self) -> bool {
        if self.dump_failures_left > 0 {
            self.dump_failures_left -= 1;
            true
        } else {
            false
        }
    }

    pub fn hangs(&self, command: &str) -> bool {
        let name = command.rsplit('/').next().unwrap_or(command);
        self.faults.hang_commands.iter().any(|h| h == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_fire_at_their_command() {
        let mut state = FaultState::new(Faults {
            drop_connection_at: Some(2),
            offline_at: Some(3),
            offline_ms: 500,
            dump_idle_failures: 1,
            hang_commands: vec!["uiautomator".into()],
            language: None,
        });
        assert_eq!(state.on_command(), Fate::Serve);
        assert_eq!(state.on_command(), Fate::DropConnection);
        assert_eq!(state.on_command(), Fate::GoOffline(500));
        assert_eq!(state.on_command(), Fate::Serve);
        assert!(state.take_dump_failure());
        assert!(!state.take_dump_failure());
        assert!(state.hangs("/system/bin/uiautomator"));
        assert!(!state.hangs("input"));
    }
}
