//! `farmhand totp`: the current authenticator code of a key or of an account.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use farmhand::secret::TotpSecret;
use farmhand::{AccountId, Error, ErrorKind, Platform, Result};
use serde::Serialize;

use crate::accounts::resolve;
use crate::cli::TotpArgs;
use crate::keys::{open_keyed, Keys, Need};
use crate::output::{Exit, Output};
use crate::paths::workspace_exists;

/// What `totp` prints: the code, never the key.
#[derive(Debug, Serialize)]
struct CodeView {
    code: String,
    at: u64,
    seconds_left: u64,
    account: Option<Owner>,
}

#[derive(Debug, Serialize)]
struct Owner {
    id: AccountId,
    platform: Platform,
    username: String,
}

/// Prints the code. The argument names an account when the workspace has one
/// by that id or username; otherwise it must be a base32 key.
pub fn run(workspace: &Path, keys: &Keys, args: TotpArgs, out: Output) -> Result<Exit> {
    let at = match args.at {
        Some(at) => at,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::validation("--at", "the system clock is before 1970"))?
            .as_secs(),
    };
    let (secret, owner) = match account_secret(workspace, keys, &args)? {
        Some((secret, owner)) => (secret, Some(owner)),
        None => (parse_key(&args.target)?, None),
    };
    let view = CodeView {
        code: secret.code_at(at),
        at,
        seconds_left: secret.seconds_left_at(at),
        account: owner,
    };
    out.emit(&view, || {
        let whose = view
            .account
            .as_ref()
            .map(|o| format!(" ({} {})", o.platform, o.username))
            .unwrap_or_default();
        format!(
            "{}{whose}  valid for {}s more\n",
            view.code, view.seconds_left
        )
    });
    Ok(Exit::Ok)
}

/// The key of the account the argument names, if the workspace exists and has it.
fn account_secret(
    workspace: &Path,
    keys: &Keys,
    args: &TotpArgs,
) -> Result<Option<(TotpSecret, Owner)>> {
    if !workspace_exists(workspace) {
        return Ok(None);
    }
    let ws = open_keyed(workspace, false, keys, Need::Secrets)?;
    let account = match resolve(&ws, &args.target, args.platform) {
        Ok(account) => account,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        // Not even a username, but a key (such as one spaced in fours).
        Err(e) if e.kind() == ErrorKind::Validation && TotpSecret::parse(&args.target).is_ok() => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    let key = account
        .totp_key
        .as_ref()
        .map(|key| key.try_expose())
        .transpose()?;
    let totp = key
        .and_then(|key| TotpSecret::parse(key).ok())
        .ok_or_else(|| {
            Error::not_found(format!(
                "2FA secret of {} account {} (it has no 2FA key)",
                account.platform, account.username
            ))
        })?;
    Ok(Some((
        totp,
        Owner {
            id: account.id,
            platform: account.platform,
            username: account.username.to_string(),
        },
    )))
}

/// The argument as a key; the error never repeats it (it may be a real key).
fn parse_key(text: &str) -> Result<TotpSecret> {
    TotpSecret::parse(text).map_err(|e| match e {
        Error::Validation { reason, .. } => Error::validation(
            "SECRET|ACCOUNT",
            format!("no account has this name, and it is not a 2FA secret: {reason}"),
        ),
        other => other,
    })
}
