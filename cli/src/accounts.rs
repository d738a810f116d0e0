//! `farmhand accounts ...`: the roster by hand, and how accounts are named and shown.

use std::io::BufRead;

use farmhand::store::AccountFilter;
use farmhand::{
    Account, AccountId, AccountPatch, Error, NewAccount, Platform, Result, Secret, Status,
    Workspace,
};

use crate::cli::{
    AccountRefs, AccountsCommand, AddArgs, BindArgs, EditArgs, ListArgs, PasswordArgs, TagArgs,
};
use crate::output::{Exit, Output};
use crate::table::Table;

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

/// The roster as a table (one line per account); the password and 2FA key
/// show only as whether they are set.
pub fn accounts_table(accounts: &[Account]) -> Table {
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
    for v in accounts {
        table.row([
            v.id.to_string(),
            v.platform.to_string(),
            v.username.to_string(),
            opt(&v.email),
            yes(v.has_password()).into(),
            yes(v.has_2fa()).into(),
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

fn details(v: &Account) -> String {
    let mut table = Table::new(["FIELD", "VALUE"]);
    let stats = &v.stats;
    for (field, value) in [
        ("id", v.id.to_string()),
        ("platform", v.platform.to_string()),
        ("username", v.username.to_string()),
        ("email", opt(&v.email)),
        ("password", yes(v.has_password()).into()),
        ("2fa", yes(v.has_2fa()).into()),
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

/// The password given by `--password` or `--password-stdin`, if any.
fn read_password(args: &PasswordArgs) -> Result<Option<Secret>> {
    if let Some(password) = &args.password {
        return Ok(Some(Secret::new(password.clone())));
    }
    if !args.password_stdin {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("<stdin>", e))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        return Err(Error::validation(
            "--password-stdin",
            "standard input held no password",
        ));
    }
    Ok(Some(Secret::new(password)))
}

/// Runs an `accounts` subcommand.
pub fn run(ws: &Workspace, command: AccountsCommand, out: Output) -> Result<Exit> {
    match command {
        AccountsCommand::List(args) => list(ws, args, out),
        AccountsCommand::Show(target) => {
            let account = resolve(ws, &target.account, target.platform)?;
            out.emit(&account, || details(&account));
            Ok(Exit::Ok)
        }
        AccountsCommand::Add(args) => add(ws, args, out),
        AccountsCommand::Edit(args) => edit(ws, args, out),
        AccountsCommand::Rm(targets) => {
            let accounts = resolve_all(ws, &targets.accounts, targets.platform)?;
            for account in &accounts {
                ws.delete(account.id)?;
            }
            out.emit(&accounts, || summary("removed", &accounts));
            Ok(Exit::Ok)
        }
        AccountsCommand::Enable(targets) => set_status(ws, targets, Status::Enabled, out),
        AccountsCommand::Disable(targets) => set_status(ws, targets, Status::Disabled, out),
        AccountsCommand::Bind(args) => bind(ws, args, out),
        AccountsCommand::Tag(args) => tag(ws, args, out),
    }
}

fn summary(verb: &str, accounts: &[Account]) -> String {
    let names: Vec<String> = accounts
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
    let accounts = ws.list(&filter)?;
    out.emit(&accounts, || {
        if accounts.is_empty() {
            "no accounts\n".into()
        } else {
            accounts_table(&accounts).to_string()
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
    new.password = read_password(&args.password)?;
    new.device = args.device;
    new.package_name = args.package;
    let account = ws.add(new)?;
    out.emit(&account, || {
        summary("added", std::slice::from_ref(&account))
    });
    Ok(Exit::Ok)
}

fn edit(ws: &Workspace, args: EditArgs, out: Output) -> Result<Exit> {
    let password = read_password(&args.password)?;
    let patch = AccountPatch {
        username: args.username,
        email: clearable(args.email, args.clear_email),
        password: clearable(password, args.clear_password),
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
    let account = ws.update(account.id, patch)?;
    out.emit(&account, || {
        summary("updated", std::slice::from_ref(&account))
    });
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
    let mut changed = Vec::new();
    for account in accounts {
        changed.push(match status {
            Status::Enabled => ws.enable(account.id)?,
            Status::Disabled => ws.disable(account.id)?,
        });
    }
    out.emit(&changed, || summary(status.as_str(), &changed));
    Ok(Exit::Ok)
}

fn bind(ws: &Workspace, args: BindArgs, out: Output) -> Result<Exit> {
    let account = resolve(ws, &args.target.account, args.target.platform)?;
    let account = match &args.serial {
        Some(serial) => ws.bind_device(account.id, serial)?,
        None => ws.unbind_device(account.id)?,
    };
    out.emit(&account, || match &account.device {
        Some(serial) => format!(
            "bound {} to {serial} (#{})",
            account.username,
            opt(&account.device_index)
        ),
        None => format!("{} is unbound", account.username),
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
    out.emit(&account, || {
        format!("{} tags: {}", account.username, account.tags.join(","))
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
    fn output_shows_whether_secrets_are_set_never_their_value() {
        let ws = Workspace::in_memory();
        let account = ws
            .add(NewAccount::new(Platform::TikTok, "carol").password("hunter2:JBSWY3DPEHPK3PXP"))
            .unwrap();
        let json = serde_json::to_value(&account).unwrap();
        assert_eq!(
            (&json["has_password"], &json["has_2fa"]),
            (&true.into(), &true.into())
        );
        let json = json.to_string();
        assert!(!json.contains("hunter2") && !json.contains("JBSWY3DPEHPK3PXP"));
        for text in [
            accounts_table(std::slice::from_ref(&account)).to_string(),
            details(&account),
        ] {
            assert!(
                !text.contains("hunter2") && !text.contains("JBSWY3DPEHPK3PXP"),
                "{text}"
            );
            assert!(text.contains("yes"), "{text}");
        }
        let plain = ws
            .add(NewAccount::new(Platform::TikTok, "dave").password("hunter2"))
            .unwrap();
        let json = serde_json::to_value(&plain).unwrap();
        assert_eq!(
            (&json["has_password"], &json["has_2fa"]),
            (&true.into(), &false.into())
        );
    }
}
