//! [`FarmhandError`]: the one error hosts see, one variant per engine error kind.
//!
//! The mapping from the engine's [`ErrorKind`] is the exhaustive `match` in
//! [`From<farmhand::Error>`]: a new kind in the engine fails to compile here
//! until it gets its variant. Each variant carries the engine's message as
//! `error_message` (not `message`, which Kotlin exceptions already have; it
//! never contains a password or 2FA key) and the field, path or serial the
//! engine names.

use farmhand::ErrorKind;

/// Everything a farmhand call can fail with, by the engine's stable error kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum FarmhandError {
    /// A value breaks a rule of the domain; `field` names the field, argument or sheet column.
    #[error("{error_message}")]
    Validation {
        /// The engine's message; never contains a secret.
        error_message: String,
        /// The field, argument or sheet column concerned.
        field: String,
    },
    /// The account, device or other thing asked for does not exist.
    #[error("{error_message}")]
    NotFound {
        /// The engine's message, naming what was looked for.
        error_message: String,
    },
    /// A create or rename would give two accounts one username on one platform.
    #[error("{error_message}")]
    Duplicate {
        /// The engine's message.
        error_message: String,
        /// The normalised username that clashes.
        username: String,
    },
    /// A spreadsheet or text file could not be imported at all (per-row problems
    /// are in the import report instead).
    #[error("{error_message}")]
    Import {
        /// The engine's message.
        error_message: String,
        /// The file being imported.
        source_name: String,
    },
    /// A selector pack (or the app-facts catalogue packs are written against)
    /// could not be read or is inconsistent.
    #[error("{error_message}")]
    Pack {
        /// The engine's message, naming the control or screen.
        error_message: String,
        /// The pack file (or the embedded pack's name).
        source_name: String,
    },
    /// A simulator scenario could not be read or is inconsistent.
    #[error("{error_message}")]
    Scenario {
        /// The engine's message.
        error_message: String,
        /// The scenario file (or `<text>` for a string).
        source_name: String,
    },
    /// A phone or the adb server failed or answered something unexpected.
    #[error("{error_message}")]
    Device {
        /// The engine's message.
        error_message: String,
        /// The phone's serial (or the adb server's address).
        serial: String,
    },
    /// Something did not happen within its time limit.
    #[error("{error_message}")]
    Timeout {
        /// The engine's message, naming what was awaited.
        error_message: String,
    },
    /// The account store failed (database error, foreign or newer file).
    #[error("{error_message}")]
    Storage {
        /// The engine's message.
        error_message: String,
    },
    /// An encrypted workspace's key is wrong, missing for what needs a
    /// secret, or the `KeyProvider` failed.
    #[error("{error_message}")]
    Key {
        /// The engine's message; never holds key material.
        error_message: String,
    },
    /// A file could not be read or written.
    #[error("{error_message}")]
    Io {
        /// The engine's message, with the operating system's reason.
        error_message: String,
        /// The file concerned.
        path: String,
    },
    /// A long-running call was cancelled.
    #[error("{error_message}")]
    Cancelled {
        /// The engine's message.
        error_message: String,
    },
    /// A phone showed an app screen automation does not know, so it stopped.
    #[error("{error_message}")]
    ScreenNotRecognised {
        /// The engine's message.
        error_message: String,
        /// The phone's serial.
        serial: String,
    },
}

impl From<farmhand::Error> for FarmhandError {
    fn from(err: farmhand::Error) -> Self {
        let error_message = err.to_string();
        let name = named(&err);
        match err.kind() {
            ErrorKind::Validation => FarmhandError::Validation {
                error_message,
                field: name,
            },
            ErrorKind::NotFound => FarmhandError::NotFound { error_message },
            ErrorKind::Duplicate => FarmhandError::Duplicate {
                error_message,
                username: name,
            },
            ErrorKind::Import => FarmhandError::Import {
                error_message,
                source_name: name,
            },
            ErrorKind::Pack => FarmhandError::Pack {
                error_message,
                source_name: name,
            },
            ErrorKind::Scenario => FarmhandError::Scenario {
                error_message,
                source_name: name,
            },
            ErrorKind::Device => FarmhandError::Device {
                error_message,
                serial: name,
            },
            ErrorKind::Timeout => FarmhandError::Timeout { error_message },
            ErrorKind::Storage => FarmhandError::Storage { error_message },
            ErrorKind::Key => FarmhandError::Key { error_message },
            ErrorKind::Io => FarmhandError::Io {
                error_message,
                path: name,
            },
            ErrorKind::Cancelled => FarmhandError::Cancelled { error_message },
            ErrorKind::ScreenNotRecognised => FarmhandError::ScreenNotRecognised {
                error_message,
                serial: name,
            },
        }
    }
}

/// The one name an engine error carries beside its message (field, username,
/// file, serial or path); empty for kinds that carry none.
fn named(err: &farmhand::Error) -> String {
    match err {
        farmhand::Error::Validation { field, .. } => field.clone(),
        farmhand::Error::Duplicate { username, .. } => username.clone(),
        farmhand::Error::Import { source_name, .. }
        | farmhand::Error::Pack { source_name, .. }
        | farmhand::Error::Scenario { source_name, .. } => source_name.clone(),
        farmhand::Error::Device { serial, .. }
        | farmhand::Error::ScreenNotRecognised { serial, .. } => serial.clone(),
        farmhand::Error::Io { path, .. } => path.display().to_string(),
        // The rest carry only a message (kinds added later are caught by the
        // exhaustive match on `kind()` in the conversion above).
        _ => String::new(),
    }
}

/// Shorthand for results of exported functions.
pub type Result<T, E = FarmhandError> = std::result::Result<T, E>;

/// A `KeyProvider` that threw something other than a `FarmhandError`. Its
/// text is not kept: a host's exception could quote what it was reading.
impl From<uniffi::UnexpectedUniFFICallbackError> for FarmhandError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        FarmhandError::Key {
            error_message: "key: the KeyProvider failed".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use farmhand::{NewAccount, Platform, Secret, Workspace};

    #[test]
    fn every_kind_maps_to_its_variant_with_what_it_names() {
        use std::time::Duration;
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let cases = [
            (
                farmhand::Error::validation("tags", "too many"),
                FarmhandError::Validation {
                    error_message: "invalid tags: too many".into(),
                    field: "tags".into(),
                },
            ),
            (
                farmhand::Error::not_found("account 7"),
                FarmhandError::NotFound {
                    error_message: "account 7 not found".into(),
                },
            ),
            (
                farmhand::Error::Duplicate {
                    platform: Platform::Instagram,
                    username: "bob".into(),
                },
                FarmhandError::Duplicate {
                    error_message: "instagram account 'bob' already exists".into(),
                    username: "bob".into(),
                },
            ),
            (
                farmhand::Error::import("a.xlsx", "no sheet"),
                FarmhandError::Import {
                    error_message: "import of a.xlsx: no sheet".into(),
                    source_name: "a.xlsx".into(),
                },
            ),
            (
                farmhand::Error::pack("tiktok.json", "no screens"),
                FarmhandError::Pack {
                    error_message: "selector pack tiktok.json: no screens".into(),
                    source_name: "tiktok.json".into(),
                },
            ),
            (
                farmhand::Error::scenario("farm.json", "no phones"),
                FarmhandError::Scenario {
                    error_message: "scenario farm.json: no phones".into(),
                    source_name: "farm.json".into(),
                },
            ),
            (
                farmhand::Error::device("emulator-5554", "gone"),
                FarmhandError::Device {
                    error_message: "device emulator-5554: gone".into(),
                    serial: "emulator-5554".into(),
                },
            ),
            (
                farmhand::Error::Timeout {
                    what: "the login screen".into(),
                    after: Duration::from_secs(2),
                },
                FarmhandError::Timeout {
                    error_message: "timed out after 2s waiting for the login screen".into(),
                },
            ),
            (
                farmhand::Error::storage("disk full"),
                FarmhandError::Storage {
                    error_message: "storage: disk full".into(),
                },
            ),
            (
                farmhand::Error::io("/tmp/x.xlsx", io),
                FarmhandError::Io {
                    error_message: "/tmp/x.xlsx: gone".into(),
                    path: "/tmp/x.xlsx".into(),
                },
            ),
            (
                farmhand::Error::Cancelled,
                FarmhandError::Cancelled {
                    error_message: "cancelled".into(),
                },
            ),
            (
                farmhand::Error::ScreenNotRecognised {
                    serial: "emulator-5554".into(),
                    package: "com.instagram.android".into(),
                    during: "logging in".into(),
                },
                FarmhandError::ScreenNotRecognised {
                    error_message: "device emulator-5554: screen of com.instagram.android not \
                              recognised while logging in"
                        .into(),
                    serial: "emulator-5554".into(),
                },
            ),
        ];
        for (engine, expected) in cases {
            assert_eq!(FarmhandError::from(engine), expected);
        }
    }

    #[test]
    fn a_rejected_password_never_reaches_the_error() {
        let ws = Workspace::in_memory();
        let new = NewAccount::new(Platform::TikTok, "alice").password(Secret::new("hunter2\u{0}x"));
        let err = FarmhandError::from(ws.add(new).unwrap_err());
        assert!(matches!(&err, FarmhandError::Validation { field, .. } if field == "password"));
        assert!(!format!("{err:?} {err}").contains("hunter2"), "{err:?}");
    }
}
