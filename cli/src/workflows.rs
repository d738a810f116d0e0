//! `farmhand login`, `match` and `sync`: fleet workflows with progress on
//! stderr, a summary table, and Ctrl-C wired to the workflow's cancel token.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use farmhand::apps::{Pack, Packs};
use farmhand::device::DeviceDriver;
use farmhand::ops::{AccountSelection, CancelToken, Event, Observer, Report, RunOptions, Workflow};
use farmhand::store::AccountFilter;
use farmhand::{Result, Workspace};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::accounts::resolve_all;
use crate::cli::{RunArgs, WorkflowArgs};
use crate::interrupt::Interrupt;
use crate::output::{count, Exit, Output};
use crate::table::Table;

/// Which workflow to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `login`
    Login,
    /// `match`
    Match,
    /// `sync`
    Sync,
}

/// Progress on stderr: a bar on a terminal, one plain line per account otherwise.
///
/// `login` and `sync` know how many accounts they will work, so lines count
/// `[done/total]`; `match` finds sessions as it goes, so its lines and bar count
/// only what was found so far (`[done]`).
pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    open_ended: AtomicBool,
}

impl Progress {
    /// Progress as `out` allows it.
    pub fn new(out: Output) -> Self {
        let bar = out.fancy_progress().then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(style("{spinner} [{bar:30}] {pos}/{len} {wide_msg}"));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            plain: bar.is_none() && !out.quiet,
            bar,
            open_ended: AtomicBool::new(false),
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// True for a workflow whose number of results is not known when it starts.
fn is_open_ended(workflow: Workflow) -> bool {
    workflow == Workflow::MatchAccounts
}

/// The line announcing a run: `login: 2 accounts on 1 phone`, or for `match`
/// `match_accounts: looking for sessions on 3 phones`.
pub fn started_line(workflow: Workflow, accounts: usize, phones: usize) -> String {
    let on = match phones {
        0 => String::new(),
        n => format!(" on {}", count(n, "phone", "phones")),
    };
    if is_open_ended(workflow) {
        format!("{workflow}: looking for sessions{on}")
    } else {
        format!("{workflow}: {}{on}", count(accounts, "account", "accounts"))
    }
}

/// The counter in front of a result line: `[done/total]`, or `[done]` when the
/// total is not known in advance.
pub fn counter(done: usize, total: usize, open_ended: bool) -> String {
    if open_ended {
        format!("[{done}]")
    } else {
        format!("[{done}/{total}]")
    }
}

impl Observer for Progress {
    fn event(&self, event: &Event) {
        match event {
            Event::Started {
                workflow,
                accounts,
                phones,
            } => {
                let open_ended = is_open_ended(*workflow);
                self.open_ended.store(open_ended, Ordering::Relaxed);
                let line = started_line(*workflow, *accounts, *phones);
                if let Some(bar) = &self.bar {
                    if open_ended {
                        bar.set_style(style("{spinner} {pos} found {wide_msg}"));
                    } else {
                        bar.set_length(*accounts as u64);
                    }
                    bar.set_message(line);
                } else if self.plain {
                    eprintln!("{line}");
                }
            }
            Event::Step {
                device,
                account,
                step,
            } => {
                if let Some(bar) = &self.bar {
                    let who = account.map(|a| format!(" account {a}")).unwrap_or_default();
                    bar.set_message(format!("{device}{who}: {step}"));
                }
            }
            Event::AccountDone {
                result,
                done,
                total,
            } => {
                let open_ended = self.open_ended.load(Ordering::Relaxed);
                let line = format!(
                    "{} {} {} on {}: {}",
                    counter(*done, *total, open_ended),
                    result.platform,
                    result.username,
                    result.device.as_deref().unwrap_or("-"),
                    result.outcome
                );
                if let Some(bar) = &self.bar {
                    if !open_ended {
                        bar.set_length(*total as u64);
                    }
                    bar.set_position(*done as u64);
                    bar.println(line);
                } else if self.plain {
                    eprintln!("{line}");
                }
            }
            Event::Finished { .. } => {
                if let Some(bar) = &self.bar {
                    bar.finish_and_clear();
                }
            }
        }
    }
}

/// The report as tables: one line per account, then the counts.
pub fn report_text(report: &Report) -> String {
    let mut table = Table::new(["ID", "PLATFORM", "USERNAME", "DEVICE", "OUTCOME", "REASON"]);
    for r in &report.results {
        table.row([
            r.account.map_or_else(|| "-".into(), |id| id.to_string()),
            r.platform.to_string(),
            r.username.clone(),
            r.device.clone().unwrap_or_else(|| "-".into()),
            r.outcome.to_string(),
            r.reason.clone().unwrap_or_default(),
        ]);
    }
    let mut text = String::new();
    if !table.is_empty() {
        text.push_str(&table.to_string());
    }
    for failure in &report.phone_failures {
        text.push_str(&format!(
            "phone {}: {} ({})\n",
            failure.device, failure.outcome, failure.reason
        ));
    }
    let s = &report.summary;
    let counts: Vec<String> = s
        .outcomes
        .iter()
        .map(|(outcome, n)| format!("{outcome} {n}"))
        .collect();
    text.push_str(&format!(
        "{}: {}, {} succeeded, {} skipped, {} failed{}{}\n",
        report.workflow,
        count(s.total, "result", "results"),
        s.succeeded,
        s.skipped,
        s.failed,
        if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        },
        if report.cancelled { "; cancelled" } else { "" }
    ));
    text
}

/// The exit a report earns: interrupted when cancelled, partial (3) when any
/// account or phone failed, ok otherwise.
pub fn exit_for(report: &Report) -> Exit {
    if report.cancelled {
        Exit::Interrupted
    } else {
        Exit::partial_unless(report.summary.failed == 0 && report.phone_failures.is_empty())
    }
}

/// Run options from the command line (phones, parallelism, timeouts) with `observer`.
pub fn run_options(run: &RunArgs, observer: Arc<dyn Observer>, cancel: CancelToken) -> RunOptions {
    RunOptions {
        parallelism: usize::from(run.parallelism),
        phones: (!run.devices.is_empty()).then(|| run.devices.clone()),
        command_timeout: Duration::from_secs(run.command_timeout),
        screen_timeout: Duration::from_secs(run.screen_timeout),
        observer,
        cancel,
        ..RunOptions::default()
    }
}

/// Runs one workflow with the given options.
pub fn execute(
    ws: &Workspace,
    kind: Kind,
    driver: &dyn DeviceDriver,
    options: &RunOptions,
) -> Result<Report> {
    match kind {
        Kind::Login => ws.login(driver, options),
        Kind::Match => ws.match_accounts(driver, options),
        Kind::Sync => ws.sync_profiles(driver, options),
    }
}

/// Which accounts `login` / `sync` work: the named ones, or a filter.
fn selection(ws: &Workspace, args: &WorkflowArgs) -> Result<AccountSelection> {
    if !args.accounts.is_empty() {
        let ids = resolve_all(ws, &args.accounts, args.platform)?
            .into_iter()
            .map(|a| a.id)
            .collect();
        return Ok(AccountSelection::Ids(ids));
    }
    if args.platform.is_none() && args.tag.is_none() {
        return Ok(AccountSelection::Default);
    }
    Ok(AccountSelection::Filter(AccountFilter {
        platform: args.platform,
        tag: args.tag.clone(),
        ..AccountFilter::default()
    }))
}

/// Runs `kind` from the command line: the driver named by `--adb`, progress,
/// Ctrl-C cancelling, the report printed.
pub fn run(
    ws: &Workspace,
    kind: Kind,
    args: Option<&WorkflowArgs>,
    run: &RunArgs,
    interrupt: &Interrupt,
    out: Output,
) -> Result<Exit> {
    // Pack files are read first: a bad one is refused before any phone is touched.
    let mut packs = Packs::builtin();
    for path in &run.packs {
        packs.set(Pack::load(path)?);
    }
    let driver = crate::devices::adb_servers(&run.adb.adb)?;
    let cancel = CancelToken::new();
    {
        let cancel = cancel.clone();
        interrupt.on_interrupt(move || cancel.cancel());
    }
    let mut options = run_options(run, Arc::new(Progress::new(out)), cancel);
    options.packs = packs;
    if let Some(args) = args {
        if args.disable_on_ban && kind != Kind::Login {
            return Err(farmhand::Error::validation(
                "--disable-on-ban",
                "only a login finds banned accounts; use it with `farmhand login`",
            ));
        }
        options.accounts = selection(ws, args)?;
        options.disable_on_ban = args.disable_on_ban;
    }
    let report = execute(ws, kind, &driver, &options)?;
    out.emit(&report, || report_text(&report));
    Ok(exit_for(&report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines_count_in_proper_english_and_match_promises_no_total() {
        assert_eq!(
            started_line(Workflow::Login, 1, 1),
            "login: 1 account on 1 phone"
        );
        assert_eq!(
            started_line(Workflow::SyncProfiles, 3, 2),
            "sync_profiles: 3 accounts on 2 phones"
        );
        assert_eq!(started_line(Workflow::Login, 0, 0), "login: 0 accounts");
        assert_eq!(
            started_line(Workflow::MatchAccounts, 0, 3),
            "match_accounts: looking for sessions on 3 phones"
        );
    }

    #[test]
    fn counters_show_a_total_only_when_it_is_known() {
        assert_eq!(counter(2, 5, false), "[2/5]");
        assert_eq!(counter(2, 2, true), "[2]");
    }
}
