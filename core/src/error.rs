//! The one error type of the engine, with a stable [`ErrorKind`] for bindings.
//!
//! Messages name what is wrong (field, account, row, device, value) and never
//! contain a password or a 2FA secret: values that may be secret are never
//! formatted into an error. The internal error behind one (SQLite, I/O, zip,
//! XML, the spreadsheet reader, JSON) stays reachable through
//! [`std::error::Error::source`], and is kept only where its own text and
//! `Debug` cannot hold a secret either.

use std::path::PathBuf;
use std::time::Duration;

/// The internal error behind an [`Error`], as [`std::error::Error::source`] returns it.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in farmhand.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller breaks a rule of the domain.
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The field (or argument, or sheet column) concerned.
        field: String,
        /// Why it is invalid; never contains a secret value.
        reason: String,
    },
    /// The thing asked for does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. `account 42` or `device emulator-5554`.
        what: String,
    },
    /// A create or rename would give two accounts the same username on one platform.
    #[error("{platform} account '{username}' already exists")]
    Duplicate {
        /// Platform of the clash.
        platform: crate::Platform,
        /// The normalised username that clashes.
        username: String,
    },
    /// A spreadsheet or text import of accounts could not be read or had
    /// invalid rows. Only account imports: other files have their own kinds.
    #[error("import of {source_name}: {message}")]
    Import {
        /// The file (or stream) being imported.
        source_name: String,
        /// What was wrong, naming rows and columns.
        message: String,
        /// The zip, XML or spreadsheet reader's error behind it, if any.
        #[source]
        source: Option<Cause>,
    },
    /// A selector pack (the JSON telling automation how to recognise an app's
    /// screens and controls), or the app-facts catalogue packs are written
    /// against, could not be read or is inconsistent.
    #[error("selector pack {source_name}: {message}")]
    Pack {
        /// The pack file (or the embedded pack's name).
        source_name: String,
        /// What was wrong, naming the control or screen.
        message: String,
        /// The JSON parser's error behind it, if any.
        #[source]
        source: Option<Cause>,
    },
    /// A simulator scenario (the JSON describing simulated phones and
    /// accounts) could not be read as one. A scenario that reads but breaks a
    /// rule (a username listed twice, too many phones) is a [`Error::Validation`]
    /// naming the field.
    #[error("scenario {source_name}: {message}")]
    Scenario {
        /// The scenario file, or `<text>` for JSON given as a string.
        source_name: String,
        /// What was wrong; never contains a value of the file.
        message: String,
        /// The JSON parser's error behind it, when its text quotes no value of
        /// the file (syntax errors and early ends; not type errors).
        #[source]
        source: Option<Cause>,
    },
    /// A phone or the adb server failed or answered something unexpected.
    #[error("device {serial}: {message}")]
    Device {
        /// Serial of the phone (or the adb server address).
        serial: String,
        /// What happened.
        message: String,
        /// The socket's I/O error behind it, if any.
        #[source]
        source: Option<Cause>,
    },
    /// Something did not happen within its time limit.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// The limit that ran out.
        after: Duration,
    },
    /// The account store failed (database error, corrupt or foreign file, newer schema).
    #[error("storage: {message}")]
    Storage {
        /// What failed; never contains a secret value.
        message: String,
        /// The SQLite error behind it, if any (its text names tables and
        /// constraints, never the values being written).
        #[source]
        source: Option<Cause>,
    },
    /// The secrets of an encrypted workspace could not be used: it was opened
    /// without its key and something needs a password or 2FA key, the key
    /// given is not the workspace's, or a stored secret failed authentication.
    #[error("key: {message}")]
    Key {
        /// What needed the key, or why the key was refused; never contains key material.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The caller cancelled a long-running operation.
    #[error("cancelled")]
    Cancelled,
    /// A phone showed an app screen that the selector pack does not know, so
    /// automation stopped rather than click something wrong.
    #[error("device {serial}: screen of {package} not recognised while {during}")]
    ScreenNotRecognised {
        /// Serial of the phone.
        serial: String,
        /// The app (package) in the foreground.
        package: String,
        /// What automation was doing (`logging in`, `reading the profile`...).
        during: String,
    },
}

/// Stable classification of an [`Error`], mapped one-to-one onto binding exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// See [`Error::Validation`].
    Validation,
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::Duplicate`].
    Duplicate,
    /// See [`Error::Import`].
    Import,
    /// See [`Error::Pack`].
    Pack,
    /// See [`Error::Scenario`].
    Scenario,
    /// See [`Error::Device`].
    Device,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::Storage`].
    Storage,
    /// See [`Error::Key`].
    Key,
    /// See [`Error::Io`].
    Io,
    /// See [`Error::Cancelled`].
    Cancelled,
    /// See [`Error::ScreenNotRecognised`].
    ScreenNotRecognised,
}

impl ErrorKind {
    /// The kind's stable snake_case name, as bindings and `--json` output show it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Import => "import",
            ErrorKind::Pack => "pack",
            ErrorKind::Scenario => "scenario",
            ErrorKind::Device => "device",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Storage => "storage",
            ErrorKind::Key => "key",
            ErrorKind::Io => "io",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::ScreenNotRecognised => "screen_not_recognised",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation { .. } => ErrorKind::Validation,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Duplicate { .. } => ErrorKind::Duplicate,
            Error::Import { .. } => ErrorKind::Import,
            Error::Pack { .. } => ErrorKind::Pack,
            Error::Scenario { .. } => ErrorKind::Scenario,
            Error::Device { .. } => ErrorKind::Device,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Storage { .. } => ErrorKind::Storage,
            Error::Key { .. } => ErrorKind::Key,
            Error::Io { .. } => ErrorKind::Io,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::ScreenNotRecognised { .. } => ErrorKind::ScreenNotRecognised,
        }
    }

    /// A validation error for `field`.
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A not-found error for `what`.
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }

    /// A device error for `serial`, with no cause.
    pub fn device(serial: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Device {
            serial: serial.into(),
            message: message.into(),
            source: None,
        }
    }

    /// An account-import error for the file `source_name`, with no cause.
    pub fn import(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Import {
            source_name: source_name.into(),
            message: message.into(),
            source: None,
        }
    }

    /// A selector-pack error for the pack `source_name`, with no cause.
    pub fn pack(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Pack {
            source_name: source_name.into(),
            message: message.into(),
            source: None,
        }
    }

    /// A scenario error for the scenario `source_name`, with no cause.
    pub fn scenario(source_name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Scenario {
            source_name: source_name.into(),
            message: message.into(),
            source: None,
        }
    }

    /// A storage error, with no cause.
    pub fn storage(message: impl Into<String>) -> Self {
        Error::Storage {
            message: message.into(),
            source: None,
        }
    }

    /// A key error (see [`Error::Key`]).
    pub fn key(message: impl Into<String>) -> Self {
        Error::Key {
            message: message.into(),
        }
    }

    /// This error with `cause` as its [`std::error::Error::source`].
    ///
    /// Only the kinds with a cause slot take one (`Import`, `Pack`, `Scenario`,
    /// `Device`, `Storage`); the others come back unchanged, their message
    /// being the whole story. The caller makes sure `cause` holds no secret
    /// in its `Display` or `Debug`.
    pub fn with_source(mut self, cause: impl Into<Cause>) -> Self {
        match &mut self {
            Error::Import { source, .. }
            | Error::Pack { source, .. }
            | Error::Scenario { source, .. }
            | Error::Device { source, .. }
            | Error::Storage { source, .. } => *source = Some(cause.into()),
            _ => {}
        }
        self
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn packs_scenarios_and_imports_are_three_kinds() {
        let errors = [
            Error::import("accounts.xlsx", "no username header"),
            Error::pack("tiktok.json", "control 'a' has no selector"),
            Error::scenario("farm.json", "EOF while parsing"),
        ];
        let kinds: Vec<ErrorKind> = errors.iter().map(Error::kind).collect();
        assert_eq!(
            kinds,
            [ErrorKind::Import, ErrorKind::Pack, ErrorKind::Scenario]
        );
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, ["import", "pack", "scenario"]);
        for kind in kinds {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(
            errors[1].to_string(),
            "selector pack tiktok.json: control 'a' has no selector"
        );
        assert_eq!(
            errors[2].to_string(),
            "scenario farm.json: EOF while parsing"
        );
    }

    #[test]
    fn a_cause_is_the_source_of_the_kinds_that_keep_one() {
        let io = || std::io::Error::other("disk on fire");
        for error in [
            Error::import("a.xlsx", "cannot read"),
            Error::pack("p.json", "bad"),
            Error::scenario("s.json", "bad"),
            Error::device("emulator-5554", "gone"),
            Error::storage("failed"),
        ] {
            assert!(error.source().is_none(), "{error}");
            let kind = error.kind();
            let caused = error.with_source(io());
            assert_eq!(caused.kind(), kind);
            let cause = caused.source().expect("the cause is kept");
            assert_eq!(cause.to_string(), "disk on fire");
            assert!(cause.downcast_ref::<std::io::Error>().is_some());
        }
    }

    #[test]
    fn kinds_without_a_cause_slot_come_back_unchanged() {
        let error = Error::validation("username", "must not be blank")
            .with_source(std::io::Error::other("ignored"));
        assert_eq!(error.kind(), ErrorKind::Validation);
        assert!(error.source().is_none());
        assert_eq!(error.to_string(), "invalid username: must not be blank");
    }
}
