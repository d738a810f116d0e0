//! `farmhand accounts ...`: the roster by hand, and how accounts are named and shown.

use std::io::BufRead;

use farmhand::secret::{read_pwd, PwdReading};
use farmhand::store::AccountFilter;
use farmhand::{
    Account, AccountId, AccountPatch, Error, NewAccount, Platform, ProfileStats, Result, Secret,
    Status, Workspace,
};

use crate::bulk::{self, Change};
use crate::cli::{
    AccountsCommand, AddArgs, BindArgs, EditArgs, ListArgs, PasswordArgs, ProfileArgs,
};
use crate::output::{count, Exit, Output};
use crate::table::Table;
use crate::time::iso8601;

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
        ("synced at", opt(&stats.synced_at.map(iso8601))),
        ("last login", opt(&v.last_login_at.map(iso8601))),
        ("last error", opt(&v.last_error)),
        ("created", iso8601(v.created_at)),
        ("updated", iso8601(v.updated_at)),
    ] {
        table.row([field.to_string(), value]);
    }
    table.to_string()
}

/// The account named by `reference`: `#ID` or `id:ID` is
/// an id, `@NAME` a username, a bare number either (an error naming both when
/// they are different accounts), anything else a username, looked up in
/// `platform` or in every platform. A username held on two platforms without
/// `--platform` is a usage error; an unknown account is `NotFound`.
pub fn resolve(ws: &Workspace, reference: &str, platform: Option<Platform>) -> Result<Account> {
    let reference = reference.trim();
    if let Some(digits) = reference
        .strip_prefix('#')
        .or_else(|| reference.strip_prefix("id:"))
    {
        return match parse_id(digits) {
            Some(id) => by_id(ws, id, platform),
            None => Err(Error::validation(
                "ACCOUNT",
                format!(
                    "'{}' is not an account id: `#` and `id:` take the digits of an id",
                    printable(reference)
                ),
            )),
        };
    }
    let Some(id) = parse_id(reference) else {
        return by_username(ws, reference, platform)?.ok_or_else(|| not_found(reference, platform));
    };
    // An id on another platform than --platform is not a match, like no id.
    let with_id = match by_id(ws, id, platform) {
        Err(e) if e.kind() != farmhand::ErrorKind::NotFound => return Err(e),
        other => other,
    };
    match (with_id, by_username(ws, reference, platform)?) {
        (Ok(a), Some(b)) if a.id != b.id => Err(Error::validation(
            "ACCOUNT",
            format!(
                "'{reference}' is the id of {} and the username of {}: \
                 say #{reference} for the id or @{reference} for the username",
                describe(&a),
                describe(&b)
            ),
        )),
        (Ok(account), _) | (Err(_), Some(account)) => Ok(account),
        (Err(by_id_error), None) => Err(by_id_error),
    }
}

/// A number of at most 18 digits (longer ones are usernames, never ids).
fn parse_id(text: &str) -> Option<i64> {
    let digits = !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// The account with this id, on `platform` when one is given.
fn by_id(ws: &Workspace, id: i64, platform: Option<Platform>) -> Result<Account> {
    let account = ws.get(AccountId(id))?;
    match platform {
        Some(p) if p != account.platform => Err(Error::not_found(format!(
            "{p} account {id} (account {id} is on {})",
            account.platform
        ))),
        _ => Ok(account),
    }
}

/// The account with this username on `platform`, or on the one platform that has it.
fn by_username(ws: &Workspace, name: &str, platform: Option<Platform>) -> Result<Option<Account>> {
    let platforms = platform.map_or(Platform::ALL.to_vec(), |p| vec![p]);
    let mut found = Vec::new();
    for p in platforms {
        found.extend(ws.find(p, name)?);
    }
    match found.len() {
        0 | 1 => Ok(found.pop()),
        _ => Err(Error::validation(
            "ACCOUNT",
            format!("'{name}' is a username on both platforms; add --platform"),
        )),
    }
}

fn not_found(reference: &str, platform: Option<Platform>) -> Error {
    Error::not_found(match platform {
        Some(p) => format!("{p} account '{reference}'"),
        None => format!("account '{reference}'"),
    })
}

/// `account 7 (tiktok alice)`.
fn describe(account: &Account) -> String {
    format!(
        "account {} ({} {})",
        account.id, account.platform, account.username
    )
}

/// The text with control characters shown as `?`, for quoting typed input.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
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
            let view = resolve(ws, &target.account, target.platform)?;
            out.emit(&view, || details(&view));
            Ok(Exit::Ok)
        }
        AccountsCommand::Add(args) => add(ws, args, out),
        AccountsCommand::Edit(args) => edit(ws, args, out),
        AccountsCommand::Rm(targets) => bulk::run_refs(ws, &targets, Change::Remove, out),
        AccountsCommand::Enable(targets) => {
            bulk::run_refs(ws, &targets, Change::Status(Status::Enabled), out)
        }
        AccountsCommand::Disable(targets) => {
            bulk::run_refs(ws, &targets, Change::Status(Status::Disabled), out)
        }
        AccountsCommand::Bind(args) => bind(ws, args, out),
        AccountsCommand::Tag(args) => bulk::run_tag(ws, args, out),
    }
}

/// `removed 2 accounts: alice (tiktok 1), bob (tiktok 2)`.
pub fn summary(verb: &str, accounts: &[Account]) -> String {
    let names: Vec<String> = accounts
        .iter()
        .map(|v| format!("{} ({} {})", v.username, v.platform, v.id))
        .collect();
    format!(
        "{verb} {}: {}",
        count(accounts.len(), "account", "accounts"),
        names.join(", ")
    )
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
    let views = ws.list(&filter)?;
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
    new.stats = with_profile(ProfileStats::default(), &args.profile);
    let view = ws.add(new)?;
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
    let profile_changes = args.profile != ProfileArgs::default();
    if patch.is_empty() && !profile_changes {
        return Err(Error::validation(
            "options",
            "nothing to change: give at least one option (see --help)",
        ));
    }
    let account = resolve(ws, &args.target.account, args.target.platform)?;
    // Read-modify-write in one transaction, so profile fields not given keep
    // their current values even when a sync writes them meanwhile.
    let updated = ws.store().update_with(account.id, &mut |current| {
        let mut patch = patch.clone();
        if profile_changes {
            patch.stats = Some(with_profile(current.stats.clone(), &args.profile));
        }
        Ok(patch)
    })?;
    let view = updated;
    given.note(out);
    out.emit(&view, || summary("updated", std::slice::from_ref(&view)));
    Ok(Exit::Ok)
}

/// `stats` with the profile fields given on the command line replaced (the
/// store checks them: counts up to 2^63-1, short single-line texts).
fn with_profile(stats: ProfileStats, profile: &ProfileArgs) -> ProfileStats {
    ProfileStats {
        nickname: profile.nickname.clone().or(stats.nickname),
        country: profile.country.clone().or(stats.country),
        followers: profile.followers.or(stats.followers),
        following: profile.following.or(stats.following),
        hearts: profile.hearts.or(stats.hearts),
        videos: profile.videos.or(stats.videos),
        friends: profile.friends.or(stats.friends),
        synced_at: stats.synced_at,
    }
}

/// `Some(Some(v))` to set, `Some(None)` to clear, `None` to leave alone.
fn clearable<T>(value: Option<T>, clear: bool) -> Option<Option<T>> {
    if clear {
        Some(None)
    } else {
        value.map(Some)
    }
}

fn bind(ws: &Workspace, args: BindArgs, out: Output) -> Result<Exit> {
    let account = resolve(ws, &args.target.account, args.target.platform)?;
    let account = match (&args.serial, args.index) {
        (Some(serial), _) => ws.bind_device(account.id, serial)?,
        (None, Some(index)) => ws.bind_device_index(account.id, index)?,
        (None, None) => ws.unbind_device(account.id)?,
    };
    let view = account;
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
    fn a_bare_number_is_an_id_or_a_username_and_refused_when_it_is_both() {
        let ws = Workspace::in_memory();
        let alice = ws.add(NewAccount::new(Platform::TikTok, "alice")).unwrap();
        let id = alice.id.to_string();
        let named = ws.add(NewAccount::new(Platform::Instagram, &id)).unwrap();
        let err = resolve(&ws, &id, None).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Validation);
        assert!(err.to_string().contains("(tiktok alice)"), "{err}");
        assert!(
            err.to_string().contains(&format!("(instagram {id})")),
            "{err}"
        );
        // --platform settles it: the id is on TikTok, the username on Instagram.
        let on = |p| resolve(&ws, &id, Some(p)).unwrap().id;
        assert_eq!(on(Platform::Instagram), named.id);
        assert_eq!(on(Platform::TikTok), alice.id);
        assert_eq!(resolve(&ws, &format!("#{id}"), None).unwrap().id, alice.id);
        assert_eq!(resolve(&ws, &format!("@{id}"), None).unwrap().id, named.id);
        let err = resolve(&ws, "#x1", None).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Validation);
        assert_eq!(parse_id("1234567890123456789"), None);
        assert_eq!(parse_id("+5"), None);
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
            .add(
                NewAccount::new(Platform::TikTok, "carol")
                    .password("hunter2")
                    .totp_key("JBSWY3DPEHPK3PXP"),
            )
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
