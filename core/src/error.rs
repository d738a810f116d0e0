//! The one error type of the engine, with a stable [`ErrorKind`] for bindings.
//!
//! Messages name what is wrong (field, account, row, device, value) and never
//! contain a password or a 2FA secret: values that may be secret are never
//! formatted into an error.

use std::path::PathBuf;
use std::time::Duration;

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
    /// A spreadsheet or text import could not be read or had invalid rows.
    #[error("import of {source_name}: {message}")]
    Import {
        /// The file (or stream) being imported.
        source_name: String,
        /// What was wrong, naming rows and columns.
        message: String,
    },
    /// A phone or the adb server failed or answered something unexpected.
    #[error("device {serial}: {message}")]
    Device {
        /// Serial of the phone (or the adb server address).
        serial: String,
        /// What happened.
        message: String,
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
    /// See [`Error::Device`].
    Device,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::Storage`].
    Storage,
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
            ErrorKind::Device => "device",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Storage => "storage",
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
            Error::Device { .. } => ErrorKind::Device,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Storage { .. } => ErrorKind::Storage,
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

    /// A device error for `serial`.
    pub fn device(serial: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Device {
            serial: serial.into(),
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
