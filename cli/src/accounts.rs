//! `farmhand accounts ...`: the roster by hand, and how accounts are named and shown.

use std::io::BufRead;

use farmhand::secret::{read_pwd, PwdReading};
use farmhand::store::AccountFilter;
use farmhand::{
    Account, AccountId, AccountPatch, Error, NewAccount, Platform, ProfileStats, Result, Secret,
    Status, Timestamp, Workspace,
};
use serde::Serialize;

use crate::cli::{
    AccountRefs, AccountsCommand, AddArgs, BindArgs, EditArgs, ListArgs, PasswordArgs, TagArgs,
};
use crate::output::{Exit, Output};
use crate::table::Table;

/// An account as the CLI shows it: everything but the password and 2FA key,
/// of which only their presence is shown.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    /// Store id.
    pub id: AccountId,
    /// Platform.
    pub platform: Platform,
    /// Username.
    pub username: String,
    /// Login email.
    pub email: Option<String>,
    /// Whether a password is stored.
    pub has_password: bool,
    /// Whether the password carries a 2FA key.
    pub has_2fa: bool,
    /// Bound phone.
    pub device: Option<String>,
    /// The phone's friendly number.
    pub device_index: Option<u32>,
    /// Clone-app package.
    pub package_name: Option<String>,
    /// Logged-in flag.
    pub logged_in: bool,
    /// Enabled or disabled.
    pub status: Status,
    /// Tags.
    pub tags: Vec<String>,
    /// Profile numbers.
    pub stats: ProfileStats,
    /// Last login by a workflow.
    pub last_login_at: Option<Timestamp>,
    /// Why the last workflow failed.
    pub last_error: Option<String>,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> Self {
        let (has_password, has_2fa) = match &account.password {
            Some(pwd) if !pwd.is_empty() => (true, account.totp_key.is_some()),
            _ => (false, false),
        };
        AccountView {
            id: account.id,
            platform: account.platform,
            username: account.username.to_string(),
            email: account.email.clone(),
            has_password,
            has_2fa,
            device: account.device.clone(),
            device_index: account.device_index,
            package_name: account.package_name.clone(),
            logged_in: account.logged_in,
            status: account.status,
            tags: account.tags.clone(),
            stats: account.stats.clone(),
            last_login_at: account.last_login_at,
            last_error: account.last_error.clone(),
        }
    }
}

fn yes(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "-"
    }
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(|| "-".into(), T::to_string)
}

/// The roster as a table (one line per account).
pub fn accounts_table(views: &[AccountView]) -> Table {
    let mut table = Table::new([
        "ID",
        "PLATFORM",
        "USERNAME",
        "EMAIL",
        "PASSWORD",
        "2FA",
        "DEVICE",
        "#",
        "LOGGED IN",
        "STATUS",
        "FOLLOWERS",
        "TAGS",
    ]);
    for v in views {
        table.row([
            v.id.to_string(),
            v.platform.to_string(),
            v.username.clone(),
            opt(&v.email),
            yes(v.has_password).into(),
            yes(v.has_2fa).into(),
            opt(&v.device),
            opt(&v.device_index),
            yes(v.logged_in).into(),
            v.status.to_string(),
            opt(&v.stats.followers),
            v.tags.join(","),
        ]);
    }
    table
}

fn details(v: &AccountView) -> String {
    let mut table = Table::new(["FIELD", "VALUE"]);
    let stats = &v.stats;
    for (field, value) in [
        ("id", v.id.to_string()),
        ("platform", v.platform.to_string()),
        ("username", v.username.clone()),
        ("email", opt(&v.email)),
        ("password", yes(v.has_password).into()),
        ("2fa", yes(v.has_2fa).into()),
        ("device", opt(&v.device)),
        ("device_index", opt(&v.device_index)),
        ("package", opt(&v.package_name)),
        ("logged in", yes(v.logged_in).into()),
        ("status", v.status.to_string()),
        ("tags", v.tags.join(",")),
        ("nickname", opt(&stats.nickname)),
        ("country", opt(&stats.country)),
        ("followers", opt(&stats.followers)),
        ("following", opt(&stats.following)),
        ("hearts", opt(&stats.hearts)),
        ("videos", opt(&stats.videos)),
        ("friends", opt(&stats.friends)),
        ("synced at", opt(&stats.synced_at.map(|t| t.unix_seconds()))),
        (
            "last login",
            opt(&v.last_login_at.map(|t| t.unix_seconds())),
        ),
        ("last error", opt(&v.last_error)),
    ] {
        table.row([field.to_string(), value]);
    }
    table.to_string()
}

/// The account named by `reference`: an id (digits), or a username (`@` forces
/// a username, so `@123` is the user named 123), looked up in `platform` or in
/// every platform. A username held on two platforms without `--platform` is a
/// usage error; an unknown account is `NotFound`.
pub fn resolve(ws: &Workspace, reference: &str, platform: Option<Platform>) -> Result<Account> {
    let reference = reference.trim();
    if let Ok(id) = reference.parse::<i64>() {
        let account = ws.get(AccountId(id))?;
        return match platform {
            Some(p) if p != account.platform => Err(Error::not_found(format!(
                "{p} account {id} (account {id} is on {})",
                account.platform
            ))),
            _ => Ok(account),
        };
    }
    let platforms = platform.map_or(Platform::ALL.to_vec(), |p| vec![p]);
    let mut found = Vec::new();
    for p in platforms {
        found.extend(ws.find(p, reference)?);
    }
    match found.len() {
        0 => Err(Error::not_found(match platform {
            Some(p) => format!("{p} account '{reference}'"),
            None => format!("account '{reference}'"),
        })),
        1 => Ok(found.remove(0)),
        _ => Err(Error::validation(
            "ACCOUNT",
            format!("'{reference}' is a username on both platforms; add --platform"),
        )),
    }
}

/// Resolves every reference before anything changes, so one unknown account
/// leaves all of them as they were.
pub fn resolve_all(
    ws: &Workspace,
    references: &[String],
    platform: Option<Platform>,
) -> Result<Vec<Account>> {
    references
        .iter()
        .map(|r| resolve(ws, r, platform))
        .collect()
}

/// What `--password`, `--password-stdin` and `--totp-key-stdin` gave.
struct GivenSecrets {
    /// The password, without a 2FA key split off it.
    password: Option<Secret>,
    /// The 2FA key, from `--totp-key-stdin` or split off the password.
    totp_key: Option<Secret>,
    /// How the password was read (`password:SECRET` or not), if one was given.
    reading: Option<PwdReading>,
}

impl GivenSecrets {
    /// Tells the user how a given password was read: a split is never silent,
    /// and a tail that looks like a mistyped key is flagged.
    fn note(&self, out: Output) {
        match self.reading {
            Some(PwdReading::Split) => out.note(
                "note: the password was read as password:2FA-KEY; the part after the last ':' \
                 is stored as the 2FA key",
            ),
            Some(PwdReading::SuspectKey) => out.note(
                "warning: the part after the last ':' of the password looks like a 2FA key with \
                 a typo (keys are 16, 26 or 32+ characters A-Z and 2-7); the whole text was kept \
                 as the password",
            ),
            Some(PwdReading::Password) | None => {}
        }
    }
}

/// The password and 2FA key given by `--password`/`--password-stdin` (read as
/// `password:SECRET` by the documented rule) and `--totp-key-stdin`.
fn read_secrets(args: &PasswordArgs) -> Result<GivenSecrets> {
    let mut stdin = std::io::stdin().lock();
    let pwd = match &args.password {
        Some(password) => Some(password.clone()),
        None if args.password_stdin => Some(read_line(&mut stdin, "--password-stdin", "password")?),
        None => None,
    };
    let read = pwd.as_deref().map(read_pwd);
    let key = if args.totp_key_stdin {
        Some(read_line(&mut stdin, "--totp-key-stdin", "2FA key")?)
    } else {
        None
    };
    if key.is_some() && read.as_ref().is_some_and(|r| r.totp_key.is_some()) {
        return Err(Error::validation(
            "--totp-key-stdin",
            "the password already ends in a 2FA key (password:KEY); give the key once",
        ));
    }
    Ok(GivenSecrets {
        reading: read.as_ref().map(|r| r.reading),
        totp_key: key
            .map(Secret::new)
            .or_else(|| read.as_ref().and_then(|r| r.totp_key.clone())),
        password: read.map(|r| r.password),
    })
}

/// One line of standard input without its line ending; `option` needs a non-empty one.
fn read_line(stdin: &mut impl BufRead, option: &str, what: &str) -> Result<String> {
    let mut line = String::new();
    stdin
        .read_line(&mut line)
        .map_err(|e| Error::io("<stdin>", e))?;
    let value = line.trim_end_matches(['\r', '\n']);
    if value.is_empty() {
        return Err(Error::validation(
            option,
            format!("standard input held no {what}"),
        ));
    }
    Ok(value.to_string())
}

/// Runs an `accounts` subcommand.
pub fn run(ws: &Workspace, command: AccountsCommand, out: Output) -> Result<Exit> {
    match command {
        AccountsCommand::List(args) => list(ws, args, out),
        AccountsCommand::Show(target) => {
            let view = AccountView::from(&resolve(ws, &target.account, target.platform)?);
            out.emit(&view, || details(&view));
            Ok(Exit::Ok)
        }
        AccountsCommand::Add(args) => add(ws, args, out),
        AccountsCommand::Edit(args) => edit(ws, args, out),
        AccountsCommand::Rm(targets) => {
            let accounts = resolve_all(ws, &targets.accounts, targets.platform)?;
            for account in &accounts {
                ws.delete(account.id)?;
            }
            let views: Vec<AccountView> = accounts.iter().map(AccountView::from).collect();
            out.emit(&views, || summary("removed", &views));
            Ok(Exit::Ok)
        }
        AccountsCommand::Enable(targets) => set_status(ws, targets, Status::Enabled, out),
        AccountsCommand::Disable(targets) => set_status(ws, targets, Status::Disabled, out),
        AccountsCommand::Bind(args) => bind(ws, args, out),
        AccountsCommand::Tag(args) => tag(ws, args, out),
    }
}

fn summary(verb: &str, views: &[AccountView]) -> String {
    let names: Vec<String> = views
        .iter()
        .map(|v| format!("{} ({} {})", v.username, v.platform, v.id))
        .collect();
    format!("{verb} {}", names.join(", "))
}

fn list(ws: &Workspace, args: ListArgs, out: Output) -> Result<Exit> {
    let filter = AccountFilter {
        platform: args.platform,
        status: args.status,
        logged_in: args.logged_in,
        device: if args.unbound {
            Some(None)
        } else {
            args.device.map(Some)
        },
        tag: args.tag,
        text: args.search,
    };
    let views: Vec<AccountView> = ws.list(&filter)?.iter().map(AccountView::from).collect();
    out.emit(&views, || {
        if views.is_empty() {
            "no accounts\n".into()
        } else {
            accounts_table(&views).to_string()
        }
    });
    Ok(Exit::Ok)
}

fn add(ws: &Workspace, args: AddArgs, out: Output) -> Result<Exit> {
    let mut new = NewAccount::new(args.platform, args.username)
        .tags(args.tags)
        .status(if args.disabled {
            Status::Disabled
        } else {
            Status::Enabled
        });
    new.email = args.email;
    let given = read_secrets(&args.password)?;
    new.password = given.password.clone();
    new.totp_key = given.totp_key.clone();
    new.device = args.device;
    new.package_name = args.package;
    let view = AccountView::from(&ws.add(new)?);
    given.note(out);
    out.emit(&view, || summary("added", std::slice::from_ref(&view)));
    Ok(Exit::Ok)
}

fn edit(ws: &Workspace, args: EditArgs, out: Output) -> Result<Exit> {
    let given = read_secrets(&args.password)?;
    // A new password without a key leaves the account's key as it is.
    let totp_key = clearable(given.totp_key.clone(), args.clear_totp_key);
    let patch = AccountPatch {
        username: args.username,
        email: clearable(args.email, args.clear_email),
        password: clearable(given.password.clone(), args.clear_password),
        totp_key,
        package_name: clearable(args.package, args.clear_package),
        logged_in: args.logged_in,
        ..AccountPatch::default()
    };
    if patch.is_empty() {
        return Err(Error::validation(
            "options",
            "nothing to change: give at least one option (see --help)",
        ));
    }
    let account = resolve(ws, &args.target.account, args.target.platform)?;
    let view = AccountView::from(&ws.update(account.id, patch)?);
    given.note(out);
    out.emit(&view, || summary("updated", std::slice::from_ref(&view)));
    Ok(Exit::Ok)
}

/// `Some(Some(v))` to set, `Some(None)` to clear, `None` to leave alone.
fn clearable<T>(value: Option<T>, clear: bool) -> Option<Option<T>> {
    if clear {
        Some(None)
    } else {
        value.map(Some)
    }
}

fn set_status(ws: &Workspace, targets: AccountRefs, status: Status, out: Output) -> Result<Exit> {
    let accounts = resolve_all(ws, &targets.accounts, targets.platform)?;
    let mut views = Vec::new();
    for account in accounts {
        let account = match status {
            Status::Enabled => ws.enable(account.id)?,
            Status::Disabled => ws.disable(account.id)?,
        };
        views.push(AccountView::from(&account));
    }
    out.emit(&views, || summary(status.as_str(), &views));
    Ok(Exit::Ok)
}

fn bind(ws: &Workspace, args: BindArgs, out: Output) -> Result<Exit> {
    let account = resolve(ws, &args.target.account, args.target.platform)?;
    let account = match (&args.serial, args.index) {
        (Some(serial), _) => ws.bind_device(account.id, serial)?,
        (None, Some(index)) => ws.bind_device_index(account.id, index)?,
        (None, None) => ws.unbind_device(account.id)?,
    };
    let view = AccountView::from(&account);
    out.emit(&view, || match &view.device {
        Some(serial) => format!(
            "bound {} to {serial} (#{})",
            view.username,
            opt(&view.device_index)
        ),
        None => format!("{} is unbound", view.username),
    });
    Ok(Exit::Ok)
}

fn tag(ws: &Workspace, args: TagArgs, out: Output) -> Result<Exit> {
    let account = resolve(ws, &args.target.account, args.target.platform)?;
    let account = if args.set {
        ws.set_tags(account.id, &args.tags)?
    } else if args.remove {
        ws.remove_tags(account.id, &args.tags)?
    } else {
        ws.add_tags(account.id, &args.tags)?
    };
    let view = AccountView::from(&account);
    out.emit(&view, || {
        format!("{} tags: {}", view.username, view.tags.join(","))
    });
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_named_by_id_or_any_spelling_of_the_username() {
        let ws = Workspace::in_memory();
        let alice = ws.add(NewAccount::new(Platform::TikTok, "Alice")).unwrap();
        let num = ws.add(NewAccount::new(Platform::TikTok, "123")).unwrap();
        assert_eq!(
            resolve(&ws, &alice.id.to_string(), None).unwrap().id,
            alice.id
        );
        assert_eq!(resolve(&ws, "@ALICE", None).unwrap().id, alice.id);
        assert_eq!(resolve(&ws, "@123", None).unwrap().id, num.id);
        let err = resolve(&ws, "nobody", None).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::NotFound);
        assert!(err.to_string().contains("'nobody'"), "{err}");
        let err = resolve(&ws, &alice.id.to_string(), Some(Platform::Instagram)).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::NotFound);
    }

    #[test]
    fn a_username_on_both_platforms_needs_a_platform() {
        let ws = Workspace::in_memory();
        ws.add(NewAccount::new(Platform::TikTok, "bob")).unwrap();
        let ig = ws.add(NewAccount::new(Platform::Instagram, "bob")).unwrap();
        let err = resolve(&ws, "bob", None).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Validation);
        assert_eq!(
            resolve(&ws, "bob", Some(Platform::Instagram)).unwrap().id,
            ig.id
        );
    }

    #[test]
    fn views_show_whether_secrets_are_set_never_their_value() {
        let ws = Workspace::in_memory();
        let account = ws
            .add(
                NewAccount::new(Platform::TikTok, "carol")
                    .password("hunter2")
                    .totp_key("JBSWY3DPEHPK3PXP"),
            )
            .unwrap();
        let view = AccountView::from(&account);
        assert!(view.has_password && view.has_2fa);
        let json = serde_json::to_string(&view).unwrap();
        assert!(!json.contains("hunter2") && !json.contains("JBSWY3DPEHPK3PXP"));
        let text = accounts_table(&[view]).to_string();
        assert!(!text.contains("hunter2") && !text.contains("JBSWY3DPEHPK3PXP"));
        let plain = ws
            .add(NewAccount::new(Platform::TikTok, "dave").password("hunter2"))
            .unwrap();
        let view = AccountView::from(&plain);
        assert!(view.has_password && !view.has_2fa);
    }
}
