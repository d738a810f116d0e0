//! Progress of `login`, `match` and `sync` on stderr, readable at 256 phones.
//!
//! - On a terminal: one bar whose message counts the outcomes so far
//!   (`logged_in 120, timeout 3`); no line per account, since hundreds of
//!   phones would scroll the screen away. The summary table follows on stdout.
//! - Elsewhere (a pipe, a log file): one plain line per account,
//!   `[done/total] platform username on device: outcome`.
//! - With `--json`: one JSON object per line for every event (`started`,
//!   `step`, `account_done`, `finished`), for programs following a run;
//!   stdout still carries only the report.
//! - With `--quiet`: nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use farmhand::ops::{Event, Observer, Outcome, Workflow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::output::{count, Output};

/// How progress is shown.
enum Mode {
    /// A bar on a terminal, with the outcomes counted so far.
    Bar(ProgressBar),
    /// One plain line per account.
    Lines,
    /// One JSON object per event.
    Json,
    /// Nothing.
    Quiet,
}

/// Progress on stderr, as [`Output`] allows it (see the module docs).
///
/// `login` and `sync` know how many accounts they will work, so lines count
/// `[done/total]`; `match` finds sessions as it goes, so its lines and bar count
/// only what was found so far (`[done]`).
pub struct Progress {
    mode: Mode,
    open_ended: AtomicBool,
    started: Mutex<String>,
    tally: Mutex<BTreeMap<Outcome, usize>>,
}

impl Progress {
    /// Progress as `out` allows it.
    pub fn new(out: Output) -> Self {
        let mode = if out.quiet {
            Mode::Quiet
        } else if out.json {
            Mode::Json
        } else if out.fancy_progress() {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(style("{spinner} [{bar:30}] {pos}/{len} {wide_msg}"));
            bar.enable_steady_tick(Duration::from_millis(120));
            Mode::Bar(bar)
        } else {
            Mode::Lines
        };
        Progress {
            mode,
            open_ended: AtomicBool::new(false),
            started: Mutex::new(String::new()),
            tally: Mutex::new(BTreeMap::new()),
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

/// The bar's message: the run's line, then the outcomes so far, most
/// frequent first (`login: 256 accounts on 256 phones; logged_in 120, timeout 3`).
pub fn bar_message(started: &str, tally: &BTreeMap<Outcome, usize>) -> String {
    let mut counts: Vec<(&Outcome, &usize)> = tally.iter().collect();
    counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let counts: Vec<String> = counts.iter().map(|(o, n)| format!("{o} {n}")).collect();
    if counts.is_empty() {
        started.to_string()
    } else {
        format!("{started}; {}", counts.join(", "))
    }
}

/// One event as a JSON object (what `--json` prints on stderr, one a line).
pub fn event_json(event: &Event) -> serde_json::Value {
    match event {
        Event::Started {
            workflow,
            accounts,
            phones,
        } => json!({
            "event": "started", "workflow": workflow, "accounts": accounts, "phones": phones,
        }),
        Event::Step {
            device,
            account,
            step,
        } => json!({ "event": "step", "device": device, "account": account, "step": step }),
        Event::AccountDone {
            result,
            done,
            total,
        } => json!({ "event": "account_done", "done": done, "total": total, "result": result }),
        Event::Finished {
            workflow,
            summary,
            cancelled,
        } => json!({
            "event": "finished", "workflow": workflow, "summary": summary, "cancelled": cancelled,
        }),
    }
}

impl Progress {
    fn on_started(&self, workflow: Workflow, accounts: usize, phones: usize) {
        let open_ended = is_open_ended(workflow);
        self.open_ended.store(open_ended, Ordering::Relaxed);
        let line = started_line(workflow, accounts, phones);
        self.tally
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        match &self.mode {
            Mode::Bar(bar) => {
                if open_ended {
                    bar.set_style(style("{spinner} {pos} found {wide_msg}"));
                } else {
                    bar.set_length(accounts as u64);
                }
                bar.set_message(line.clone());
            }
            Mode::Lines => eprintln!("{line}"),
            Mode::Json | Mode::Quiet => {}
        }
        *self.started.lock().unwrap_or_else(PoisonError::into_inner) = line;
    }

    fn on_done(&self, result: &farmhand::ops::AccountResult, done: usize, total: usize) {
        let open_ended = self.open_ended.load(Ordering::Relaxed);
        match &self.mode {
            Mode::Bar(bar) => {
                let message = {
                    let mut tally = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
                    *tally.entry(result.outcome).or_default() += 1;
                    let started = self.started.lock().unwrap_or_else(PoisonError::into_inner);
                    bar_message(&started, &tally)
                };
                if !open_ended {
                    bar.set_length(total as u64);
                }
                bar.set_position(done as u64);
                bar.set_message(message);
            }
            Mode::Lines => eprintln!(
                "{} {} {} on {}: {}",
                counter(done, total, open_ended),
                result.platform,
                result.username,
                result.device.as_deref().unwrap_or("-"),
                result.outcome
            ),
            Mode::Json | Mode::Quiet => {}
        }
    }
}

impl Observer for Progress {
    fn event(&self, event: &Event) {
        if let Mode::Json = self.mode {
            // One whole line per event: the lock keeps workers' lines apart.
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{}", event_json(event));
            return;
        }
        match event {
            Event::Started {
                workflow,
                accounts,
                phones,
            } => self.on_started(*workflow, *accounts, *phones),
            Event::Step { .. } => {}
            Event::AccountDone {
                result,
                done,
                total,
            } => self.on_done(result, *done, *total),
            Event::Finished { .. } => {
                if let Mode::Bar(bar) = &self.mode {
                    bar.finish_and_clear();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use farmhand::ops::AccountResult;
    use farmhand::Platform;

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

    #[test]
    fn the_bar_counts_outcomes_most_frequent_first_in_one_line() {
        let start = "login: 256 accounts on 256 phones";
        assert_eq!(bar_message(start, &BTreeMap::new()), start);
        let tally = BTreeMap::from([
            (Outcome::Timeout, 3),
            (Outcome::LoggedIn, 120),
            (Outcome::DeviceOffline, 3),
        ]);
        let message = bar_message(start, &tally);
        assert_eq!(
            message,
            "login: 256 accounts on 256 phones; logged_in 120, device_offline 3, timeout 3"
        );
        assert!(!message.contains('\n'));
    }

    #[test]
    fn every_event_is_one_json_line_naming_its_kind() {
        let result = AccountResult {
            account: Some(farmhand::account::AccountId(7)),
            platform: Platform::TikTok,
            username: "mia".into(),
            device: Some("127.0.0.1:7001".into()),
            outcome: Outcome::LoggedIn,
            reason: None,
        };
        let done = event_json(&Event::AccountDone {
            result,
            done: 1,
            total: 2,
        });
        assert_eq!(done["event"], "account_done");
        assert_eq!(done["done"], 1);
        assert_eq!(done["result"]["username"], "mia");
        assert_eq!(done["result"]["outcome"], "logged_in");
        let started = event_json(&Event::Started {
            workflow: Workflow::Login,
            accounts: 2,
            phones: 1,
        });
        assert_eq!(started["event"], "started");
        assert_eq!(started["workflow"], "login");
        let step = event_json(&Event::Step {
            device: "127.0.0.1:7001".into(),
            account: None,
            step: "launch",
        });
        assert_eq!(step["event"], "step");
        assert!(step["account"].is_null());
        assert!(!step.to_string().contains('\n'));
    }
}
