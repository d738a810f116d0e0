//! The key of an encrypted workspace: from `--key-file` / `$FARMHAND_KEY_FILE`,
//! or typed (pasted) at a prompt on a terminal; `key new`, `encrypt`,
//! `decrypt` and `rekey`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use farmhand::secret::SecretKey;
use farmhand::store::{Conversion, Encryption};
use farmhand::{Error, Result, Workspace};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::cli::KeyCommand;
use crate::output::{Exit, Output};
use crate::paths::open_workspace;

/// Environment variable naming the key file.
pub const KEY_FILE_ENV: &str = "FARMHAND_KEY_FILE";

/// Largest key file read: a key is 64 characters; anything much larger is not one.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// Where the key comes from, as the command line says.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// `--key-file` or `$FARMHAND_KEY_FILE`.
    pub file: Option<PathBuf>,
}

/// Whether a command needs the workspace's secrets (and so its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Listing, editing without passwords, exporting without them...
    NoSecrets,
    /// Logging in, 2FA codes, exporting or writing passwords.
    Secrets,
}

impl Keys {
    /// The key from the key file, if one was named.
    pub fn in_file(&self) -> Result<Option<SecretKey>> {
        self.file.as_deref().map(read_key_file).transpose()
    }

    /// The key from the key file, else typed at a prompt naming `purpose`
    /// (only on a terminal); `None` when there is neither.
    pub fn file_or_prompt(&self, purpose: &str) -> Result<Option<SecretKey>> {
        if let Some(key) = self.in_file()? {
            return Ok(Some(key));
        }
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Ok(None);
        }
        prompt(purpose).map(Some)
    }

    /// The key from the key file, else a prompt, else a usage error.
    fn required(&self, purpose: &str) -> Result<SecretKey> {
        self.file_or_prompt(purpose)?.ok_or_else(|| {
            Error::validation(
                "--key-file",
                format!(
                    "{purpose} needs the key: pass --key-file or set {KEY_FILE_ENV} \
                     (on a terminal farmhand asks for it)"
                ),
            )
        })
    }
}

/// Opens the workspace at `path` (see [`open_workspace`]) with the key when
/// one is given. Without one, a command that needs secrets asks for it on a
/// terminal when the workspace turns out to be encrypted; elsewhere the
/// workspace opens without it, and what needs a secret fails with a `key` error.
pub fn open_keyed(path: &Path, create: bool, keys: &Keys, need: Need) -> Result<Workspace> {
    if let Some(key) = keys.in_file()? {
        // Same checks as a keyless open (a missing file without `create`), then the key.
        drop(open_workspace(path, create)?);
        return Workspace::open_with_key(path, &key);
    }
    let ws = open_workspace(path, create)?;
    if need == Need::NoSecrets || ws.encryption() != Encryption::Locked {
        return Ok(ws);
    }
    let purpose = format!("the encrypted workspace {}", path.display());
    match keys.file_or_prompt(&purpose)? {
        Some(key) => {
            drop(ws);
            Workspace::open_with_key(path, &key)
        }
        None => Ok(ws),
    }
}

/// Reads a key file; the error names the file, never its content.
fn read_key_file(path: &Path) -> Result<SecretKey> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() || meta.len() > MAX_KEY_FILE_BYTES {
        return Err(Error::validation(
            "--key-file",
            format!(
                "{} is not a key file (a key file holds 64 hexadecimal digits; `farmhand key new` writes one)",
                path.display()
            ),
        ));
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?);
    SecretKey::from_text(&text).map_err(|e| match e {
        Error::Validation { reason, .. } => {
            Error::validation("--key-file", format!("{}: {reason}", path.display()))
        }
        other => other,
    })
}

/// Asks for the key on the terminal without echoing it.
fn prompt(purpose: &str) -> Result<SecretKey> {
    let term = console::Term::stderr();
    let _ = write!(&term, "Key for {purpose} (64 hex digits, not shown): ");
    let line = Zeroizing::new(
        term.read_secure_line()
            .map_err(|e| Error::io("<terminal>", e))?,
    );
    SecretKey::from_text(&line)
}

/// `farmhand key ...`
pub fn run_key(command: KeyCommand, out: Output) -> Result<Exit> {
    match command {
        KeyCommand::New(args) => {
            let key = SecretKey::generate()?;
            write_new_key_file(&args.file, &key)?;
            #[derive(Serialize)]
            struct Written<'a> {
                key_file: &'a Path,
            }
            out.emit(
                &Written {
                    key_file: &args.file,
                },
                || {
                    format!(
                        "wrote a new key to {} (readable by you only).\n\
                     Keep a copy apart from the workspace and its backups: without it the \
                     passwords and 2FA keys of a workspace encrypted with it cannot be read.",
                        args.file.display()
                    )
                },
            );
            Ok(Exit::Ok)
        }
    }
}

/// Writes `key` to a new file `path` with mode 0600; an existing file is never replaced.
fn write_new_key_file(path: &Path, key: &SecretKey) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
    let mut text = key.to_text();
    text.push('\n');
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// What a conversion printed with `--json`.
#[derive(Serialize)]
struct Converted<'a> {
    workspace: &'a Path,
    encrypted: bool,
    secrets: usize,
    old_pages_wiped: bool,
}

/// `farmhand encrypt` / `decrypt` / `rekey`.
pub fn run_convert(workspace: &Path, keys: &Keys, action: Convert, out: Output) -> Result<Exit> {
    if !crate::paths::workspace_exists(workspace) {
        return Err(Error::not_found(format!(
            "workspace {}",
            workspace.display()
        )));
    }
    let name = workspace.display();
    let (done, encrypted) = match action {
        Convert::Encrypt => {
            let key = keys.required(&format!("encrypting {name}"))?;
            (Workspace::encrypt_file(workspace, &key)?, true)
        }
        Convert::Decrypt => {
            let key = keys.required(&format!("decrypting {name}"))?;
            (Workspace::decrypt_file(workspace, &key)?, false)
        }
        Convert::Rekey { new_key_file } => {
            let old = keys.required(&format!("re-keying {name} (its current key)"))?;
            let new = read_key_file(&new_key_file)?;
            (Workspace::rekey_file(workspace, &old, &new)?, true)
        }
    };
    report(workspace, encrypted, &done, out);
    Ok(Exit::Ok)
}

/// Which conversion to run.
pub enum Convert {
    /// Plain to encrypted.
    Encrypt,
    /// Encrypted to plain.
    Decrypt,
    /// From the current key to the one in `new_key_file`.
    Rekey {
        /// The new key's file.
        new_key_file: PathBuf,
    },
}

fn report(workspace: &Path, encrypted: bool, done: &Conversion, out: Output) {
    let shown = Converted {
        workspace,
        encrypted,
        secrets: done.secrets,
        old_pages_wiped: done.old_pages_wiped,
    };
    out.emit(&shown, || {
        let state = if encrypted { "encrypted" } else { "decrypted" };
        format!(
            "{state} {} in {}.",
            crate::output::count(done.secrets, "secret", "secrets"),
            workspace.display()
        )
    });
    if !done.old_pages_wiped {
        out.note(
            "warning: another program has the workspace open, so pages of the old form stay in \
             its write-ahead log until that program closes it",
        );
    }
    if encrypted {
        out.note(
            "Copies made before (backups, exported sheets) still hold the secrets as they were.",
        );
    }
}
