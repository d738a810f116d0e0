//! How commands print: tables and sentences for people, JSON for scripts, and
//! the exit code that says how the run went.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use farmhand::{Error, ErrorKind};
use serde::Serialize;

/// How a command ended, as the exit code tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done (0).
    Ok,
    /// The command could not do what was asked: an unknown account, a storage,
    /// file or device error, a rejected sheet, a declined confirmation (1).
    Failures,
    /// The command line was wrong (2).
    Usage,
    /// The run went to its end but some accounts, phones or rows failed (3).
    Partial,
    /// Ctrl-C stopped the run (130).
    Interrupted,
}

impl Exit {
    /// The exit code for an error: validation of what was typed is usage (2),
    /// a cancelled run is an interruption (130), anything else a failure (1).
    pub fn for_error(error: &Error) -> Exit {
        match error.kind() {
            ErrorKind::Validation => Exit::Usage,
            ErrorKind::Cancelled => Exit::Interrupted,
            _ => Exit::Failures,
        }
    }

    /// `Ok` when `ok`, else `Failures`.
    pub fn failures_unless(ok: bool) -> Exit {
        if ok {
            Exit::Ok
        } else {
            Exit::Failures
        }
    }

    /// `Ok` when `ok`, else `Partial`.
    pub fn partial_unless(ok: bool) -> Exit {
        if ok {
            Exit::Ok
        } else {
            Exit::Partial
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Ok => 0,
            Exit::Failures => 1,
            Exit::Usage => 2,
            Exit::Partial => 3,
            Exit::Interrupted => 130,
        })
    }
}

/// `n` and the noun, singular for exactly one: `1 phone`, `3 phones`, `0 accounts`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where a command prints.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// JSON on stdout instead of text.
    pub json: bool,
    /// No progress on stderr.
    pub quiet: bool,
}

impl Output {
    /// Prints `value` as JSON when `--json`, else `text` (a table or sentences).
    pub fn emit<T: Serialize + ?Sized>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            print_json(value);
        } else {
            let text = text();
            print!("{text}");
            if !text.is_empty() && !text.ends_with('\n') {
                println!();
            }
        }
    }

    /// A note for people on stderr (never with `--quiet`; kept out of JSON stdout).
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// True when progress bars can be drawn (stderr is a terminal and not quiet).
    pub fn fancy_progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// Reports a failed command: `error: ...` on stderr and, with `--json`, an
    /// `{"error": {"kind", "message"}}` object on stdout.
    pub fn error(&self, error: &Error) {
        eprintln!("error: {error}");
        if error.kind() == ErrorKind::Key {
            eprintln!(
                "hint: give the workspace's key with --key-file FILE or {}",
                crate::keys::KEY_FILE_ENV
            );
        }
        if self.json {
            print_json(&serde_json::json!({
                "error": { "kind": error.kind().as_str(), "message": error.to_string() }
            }));
        }
    }
}

fn print_json<T: Serialize + ?Sized>(value: &T) {
    let mut stdout = std::io::stdout().lock();
    // Serialising our own plain data types cannot fail; a closed stdout ends the output.
    let _ = serde_json::to_writer_pretty(&mut stdout, value);
    let _ = writeln!(stdout);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_is_usage_and_cancellation_an_interruption() {
        assert_eq!(
            Exit::for_error(&Error::validation("totp secret", "bad")),
            Exit::Usage
        );
        assert_eq!(Exit::for_error(&Error::Cancelled), Exit::Interrupted);
        assert_eq!(
            Exit::for_error(&Error::not_found("account 9")),
            Exit::Failures
        );
        assert_eq!(Exit::failures_unless(true), Exit::Ok);
        assert_eq!(Exit::failures_unless(false), Exit::Failures);
        assert_eq!(Exit::partial_unless(false), Exit::Partial);
        assert_eq!(ExitCode::from(Exit::Partial), ExitCode::from(3));
    }

    #[test]
    fn counts_are_singular_only_for_one() {
        assert_eq!(count(0, "phone", "phones"), "0 phones");
        assert_eq!(count(1, "phone", "phones"), "1 phone");
        assert_eq!(count(2, "reply", "replies"), "2 replies");
    }
}
