//! The device layer: what automation needs to see and touch a phone.
//!
//! [`DeviceDriver`] finds and opens phones; [`Device`] is one open phone with
//! two primitives (`shell`, `pull`). Everything else (UI dumps, taps, typing,
//! launching apps) is provided on top of those primitives once, for every driver,
//! by [`DeviceExt`].
//!
//! - [`adb`]: [`AdbDriver`], phones through an adb server (no process per command,
//!   real exit codes, every call bounded by its timeout);
//! - `direct` (feature `adb-direct`): `DirectDriver`, phones' own TCP adbd
//!   (cloud phones) without an adb server, through adb_client;
//! - [`ui`]: uiautomator dumps parsed into a [`UiTree`] of [`UiNode`]s;
//! - [`selector`]: [`Selector`]s, including layout relations for obfuscated screens;
//! - [`input_escape`]: text made safe for `input text`.

use std::time::Duration;

pub mod adb;
#[cfg(feature = "adb-direct")]
pub mod direct;
mod ext;
pub mod input_escape;
pub mod selector;
pub mod ui;

pub use adb::{AdbDevice, AdbDriver, AdbServers};
#[cfg(feature = "adb-direct")]
pub use direct::{DirectDevice, DirectDriver};
pub use ext::{
    parse_focus, parse_wm_size, DeviceExt, Found, COMMAND_TIMEOUT, DUMP_ATTEMPTS, DUMP_PATH,
    DUMP_TIMEOUT,
};
pub use selector::Selector;
pub use ui::{Bounds, NodeFlags, NodeId, UiNode, UiTree};

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// What a shell command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShellOutput {
    /// Standard output (lossy UTF-8).
    pub stdout: String,
    /// Standard error (lossy UTF-8); empty where the transport merges it into stdout.
    pub stderr: String,
    /// The command's exit code.
    pub exit_code: i32,
}

impl ShellOutput {
    /// True when the command exited with 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }
}

/// How the adb server sees a phone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceState {
    /// Online and usable.
    Device,
    /// Known but not answering.
    Offline,
    /// Waiting for the user to accept the host's key.
    Unauthorized,
    /// Any other state the server reports (`recovery`, `bootloader`, ...).
    Other(String),
}

/// How a phone is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// USB cable.
    Usb,
    /// Network (`ip:port`), as cloud phones attach.
    Tcp,
    /// In-process (simulated phones without a server).
    Local,
}

/// A phone as listed by a driver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// USB serial or `ip:port`.
    pub serial: String,
    /// Connection state.
    pub state: DeviceState,
    /// Model name, where known.
    pub model: Option<String>,
    /// How it is attached.
    pub transport: Transport,
}

/// One open phone. Not shared between threads: one worker drives one phone.
pub trait Device: Send {
    /// The phone's serial.
    fn serial(&self) -> &str;
    /// Runs `command` in the phone's shell; a phone that does not answer within
    /// `timeout` costs that timeout and a `Timeout` error, never a hung caller.
    fn shell(&mut self, command: &str, timeout: Duration) -> Result<ShellOutput>;
    /// Reads a file from the phone; a file that does not exist is `NotFound`.
    fn pull(&mut self, path: &str, timeout: Duration) -> Result<Vec<u8>>;
}

/// Finds, opens and attaches phones.
pub trait DeviceDriver: Send + Sync {
    /// Every phone the driver can see.
    fn devices(&self) -> Result<Vec<DeviceInfo>>;
    /// Opens the phone with this serial; `NotFound` if it is not attached.
    fn open(&self, serial: &str) -> Result<Box<dyn Device>>;
    /// Attaches a network phone (`ip:port`).
    fn connect(&self, address: &str) -> Result<()>;
    /// Detaches a network phone (`ip:port`).
    fn disconnect(&self, address: &str) -> Result<()>;
}

/// Names a command in errors by its first two words (`input text`, `am start`),
/// never its arguments: those may be text being typed, such as a password.
pub(crate) fn command_label(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().take(2).collect();
    format!("`{}`", words.join(" "))
}
