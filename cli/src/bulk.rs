//! Changes to many accounts at once (`rm`, `enable`, `disable`, `tag`): named
//! accounts, or every account matching a filter after the count is confirmed;
//! either way all change in one batch or none does.

use std::io::{BufRead, IsTerminal, Write};

use farmhand::account::check_tags;
use farmhand::store::{AccountFilter, BatchOp};
use farmhand::{Account, AccountPatch, Error, Result, Status, Workspace};

use crate::accounts::{resolve, resolve_all, summary};
use crate::cli::{AccountRefs, BulkFilter, TagArgs};
use crate::output::{count, Exit, Output};

/// What a bulk command does to each account.
#[derive(Debug, Clone)]
pub enum Change {
    /// Delete it.
    Remove,
    /// Set its status.
    Status(Status),
    /// Add, remove or replace tags.
    Tags(TagChange),
}

/// How `accounts tag` changes the tags.
#[derive(Debug, Clone)]
pub enum TagChange {
    /// Add these tags.
    Add(Vec<String>),
    /// Remove these tags.
    Remove(Vec<String>),
    /// Replace the tags with these.
    Set(Vec<String>),
}

impl Change {
    /// The verb in messages: `removed`, `enabled`, `disabled`, `tagged`.
    fn verb(&self) -> &'static str {
        match self {
            Change::Remove => "removed",
            Change::Status(Status::Enabled) => "enabled",
            Change::Status(Status::Disabled) => "disabled",
            Change::Tags(_) => "tagged",
        }
    }

    /// The command, in the question: `remove`, `enable`, `disable`, `retag`.
    fn command(&self) -> &'static str {
        match self {
            Change::Remove => "remove",
            Change::Status(Status::Enabled) => "enable",
            Change::Status(Status::Disabled) => "disable",
            Change::Tags(_) => "retag",
        }
    }

    /// The batch operation for one account.
    fn op(&self, account: &Account) -> BatchOp {
        let patch = match self {
            Change::Remove => return BatchOp::Delete(account.id),
            Change::Status(status) => AccountPatch {
                status: Some(*status),
                ..AccountPatch::default()
            },
            Change::Tags(change) => AccountPatch {
                tags: Some(change.apply(&account.tags)),
                ..AccountPatch::default()
            },
        };
        BatchOp::Update(account.id, patch)
    }
}

impl TagChange {
    /// From `accounts tag`'s tags (already checked) and its `--remove` / `--set`.
    pub fn new(tags: Vec<String>, remove: bool, set: bool) -> Self {
        if set {
            TagChange::Set(tags)
        } else if remove {
            TagChange::Remove(tags)
        } else {
            TagChange::Add(tags)
        }
    }

    /// The tags an account carrying `current` ends up with.
    fn apply(&self, current: &[String]) -> Vec<String> {
        match self {
            TagChange::Add(added) => {
                let mut tags = current.to_vec();
                tags.extend(added.iter().filter(|t| !current.contains(t)).cloned());
                tags
            }
            TagChange::Remove(removed) => current
                .iter()
                .filter(|t| !removed.contains(t))
                .cloned()
                .collect(),
            TagChange::Set(tags) => tags.clone(),
        }
    }
}

/// The accounts named, or (with none named) those matching the filter; the
/// flag says whether they came from the filter.
fn select(ws: &Workspace, names: &[String], filter: &BulkFilter) -> Result<(Vec<Account>, bool)> {
    let narrowing = filter.with_tag.is_some() || filter.device.is_some();
    if !names.is_empty() {
        if narrowing {
            return Err(Error::validation(
                "ACCOUNT",
                "name accounts or select them with --tag / --device, not both",
            ));
        }
        return Ok((resolve_all(ws, names, filter.platform)?, false));
    }
    if !narrowing && filter.platform.is_none() {
        return Err(Error::validation(
            "ACCOUNT",
            "name the accounts, or select them with --tag, --platform or --device",
        ));
    }
    let accounts = ws.list(&AccountFilter {
        platform: filter.platform,
        tag: filter.with_tag.clone(),
        device: filter.device.clone().map(Some),
        ..AccountFilter::default()
    })?;
    Ok((accounts, true))
}

/// Whether to go on: yes with `--yes`; on a terminal, the answer to `question`
/// read from `input` (`y` or `yes`); without a terminal, a usage error.
pub fn confirm(question: &str, yes: bool, terminal: bool, input: &mut dyn BufRead) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    if !terminal {
        return Err(Error::validation(
            "--yes",
            format!("{question}: standard input is not a terminal to confirm on; add --yes"),
        ));
    }
    eprint!("{question}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    input
        .read_line(&mut answer)
        .map_err(|e| Error::io("<stdin>", e))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Applies `change` to the selected accounts in one batch, after confirmation
/// when they came from a filter; prints what changed.
fn run(
    ws: &Workspace,
    names: &[String],
    filter: &BulkFilter,
    change: &Change,
    out: Output,
) -> Result<Exit> {
    let (accounts, by_filter) = select(ws, names, filter)?;
    if by_filter {
        let n = count(accounts.len(), "account", "accounts");
        if accounts.is_empty() {
            out.emit(&accounts, || "no accounts match: nothing changed".into());
            return Ok(Exit::Ok);
        }
        out.note(format!("{n} selected"));
        let terminal = std::io::stdin().is_terminal();
        let question = format!("{} {n}", change.command());
        if !confirm(
            &question,
            filter.yes,
            terminal,
            &mut std::io::stdin().lock(),
        )? {
            out.note("nothing changed");
            return Ok(Exit::Failures);
        }
    }
    let results = ws.apply_batch(accounts.iter().map(|a| change.op(a)).collect())?;
    let views: Vec<Account> = accounts
        .iter()
        .zip(results)
        .map(|(before, after)| after.as_ref().unwrap_or(before).clone())
        .collect();
    let verb = change.verb();
    out.emit(&views, || summary(verb, &views));
    Ok(Exit::Ok)
}

/// `accounts rm`, `enable` and `disable`.
pub fn run_refs(
    ws: &Workspace,
    targets: &AccountRefs,
    change: Change,
    out: Output,
) -> Result<Exit> {
    run(ws, &targets.accounts, &targets.filter, &change, out)
}

/// `accounts tag`: one named account (printed as one object in JSON), or with
/// `--tag` / `--device` every matching account, the first word then a tag too.
pub fn run_tag(ws: &Workspace, args: TagArgs, out: Output) -> Result<Exit> {
    let filtered = args.filter.with_tag.is_some() || args.filter.device.is_some();
    let (name, words) = if filtered {
        (None, args.account.into_iter().chain(args.tags).collect())
    } else {
        (args.account, args.tags)
    };
    if words.is_empty() && !args.set {
        return Err(Error::validation(
            "TAG",
            "give the tags to add or remove (or --set with none to clear them)",
        ));
    }
    let tags = TagChange::new(check_tags(&words)?, args.remove, args.set);
    if filtered {
        return run(ws, &[], &args.filter, &Change::Tags(tags), out);
    }
    let Some(name) = name else {
        return Err(Error::validation(
            "ACCOUNT",
            "name the account, or select accounts with --tag or --device",
        ));
    };
    let account = resolve(ws, &name, args.filter.platform)?;
    // Read-modify-write in one transaction: tags added meanwhile are kept.
    let account = ws.store().update_with(account.id, &mut |current| {
        Ok(AccountPatch {
            tags: Some(tags.apply(&current.tags)),
            ..AccountPatch::default()
        })
    })?;
    let view = account;
    out.emit(&view, || {
        format!("{} tags: {}", view.username, view.tags.join(","))
    });
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_takes_yes_or_a_terminal_answer_and_refuses_without_a_terminal() {
        let mut empty: &[u8] = b"";
        assert!(confirm("remove 3 accounts", true, false, &mut empty).unwrap());
        let err = confirm("remove 3 accounts", false, false, &mut empty).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Validation);
        assert!(err.to_string().contains("remove 3 accounts"), "{err}");
        assert!(err.to_string().contains("--yes"), "{err}");
        for (answer, go) in [
            ("y\n", true),
            ("YES\n", true),
            ("n\n", false),
            ("\n", false),
            ("", false),
            ("yess\n", false),
        ] {
            let mut input = answer.as_bytes();
            assert_eq!(
                confirm("remove 3 accounts", false, true, &mut input).unwrap(),
                go,
                "{answer:?}"
            );
        }
    }

    #[test]
    fn tag_changes_add_remove_or_replace() {
        let current = vec!["a".to_string(), "b".to_string()];
        let tags = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            TagChange::new(tags(&["b", "c"]), false, false).apply(&current),
            tags(&["a", "b", "c"])
        );
        assert_eq!(
            TagChange::new(tags(&["a"]), true, false).apply(&current),
            tags(&["b"])
        );
        assert_eq!(
            TagChange::new(tags(&[]), false, true).apply(&current),
            tags(&[])
        );
    }
}
