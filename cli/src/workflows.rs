//! `farmhand login`, `match` and `sync`: fleet workflows with progress on
//! stderr ([`Progress`]), a summary table, and Ctrl-C wired to the workflow's
//! cancel token.

use std::sync::Arc;
use std::time::Duration;

use farmhand::apps::{Pack, Packs};
use farmhand::device::DeviceDriver;
use farmhand::ops::{AccountSelection, CancelToken, Observer, Report, RunOptions, SourceKind};
use farmhand::store::AccountFilter;
use farmhand::{Result, Workspace};

use crate::accounts::resolve_all;
use crate::cli::{RunArgs, WebArgs, WorkflowArgs};
use crate::interrupt::Interrupt;
use crate::output::{count, Exit, Output};
pub use crate::progress::Progress;
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

/// Runs `kind` from the command line: the driver named by `--adb` (none for
/// `sync --source web`), progress, Ctrl-C cancelling, the report printed.
pub fn run(
    ws: &Workspace,
    kind: Kind,
    args: Option<&WorkflowArgs>,
    web: Option<&WebArgs>,
    run: &RunArgs,
    interrupt: &Interrupt,
    out: Output,
) -> Result<Exit> {
    // Pack files and web options are checked first: a bad one is refused
    // before any phone or page is touched.
    let mut packs = Packs::builtin();
    for path in &run.packs {
        packs.set(Pack::load(path)?);
    }
    let source = web.map_or(SourceKind::App, |w| w.source.into());
    let web_options = web.map(WebArgs::options).unwrap_or_default();
    if source.reads_web() {
        web_options.check()?;
        source.check_platform(args.and_then(|a| a.platform))?;
    }
    let cancel = CancelToken::new();
    {
        let cancel = cancel.clone();
        interrupt.on_interrupt(move || cancel.cancel());
    }
    let mut options = run_options(run, Arc::new(Progress::new(out)), cancel);
    options.packs = packs;
    if let Some(args) = args {
        options.accounts = selection(ws, args)?;
        options.disable_on_ban = args.disable_on_ban;
    }
    let report = if source == SourceKind::App {
        let driver = crate::devices::adb_servers(&run.adb.adb)?;
        execute(ws, kind, &driver, &options)?
    } else {
        let driver = match source.needs_driver() {
            true => Some(crate::devices::adb_servers(&run.adb.adb)?),
            false => None,
        };
        let driver = driver
            .as_ref()
            .map(|d| d as &dyn farmhand::device::DeviceDriver);
        ws.sync_profiles_from(source.source(driver, &web_options)?, &options)?
    };
    out.emit(&report, || report_text(&report));
    Ok(exit_for(&report))
}
