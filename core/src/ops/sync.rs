//! `sync_profiles`: read profile numbers from the apps into the roster.

use crate::account::{Account, AccountPatch, ProfileStats, Timestamp};
use crate::device::DeviceDriver;
use crate::error::Result;
use crate::ops::login::{app_for, reason_text, same_user};
use crate::ops::outcome::{Outcome, Report, Workflow};
use crate::ops::runner::{self, AccountWork, Phone, Run, RunOptions};
use crate::store::AccountFilter;
use crate::workspace::Workspace;

impl Workspace {
    /// Reads the profile of each chosen account (default: every account that
    /// is logged in) and stores nickname, counts and country with the sync time.
    ///
    /// The app is switched to the account first when another one is active.
    /// An account the app does not hold is `not_logged_in` and stored as
    /// logged out. Counts the app does not show keep their stored value.
    pub fn sync_profiles(&self, driver: &dyn DeviceDriver, options: &RunOptions) -> Result<Report> {
        let default = AccountFilter {
            logged_in: Some(true),
            ..AccountFilter::default()
        };
        let accounts = runner::select(self, options, &default)?;
        let online = runner::online_phones(driver)?;
        let jobs = runner::plan(accounts, &online);
        let (total, phones) = runner::plan_size(&jobs);
        let run = Run::start(Workflow::SyncProfiles, options, driver, total, phones);
        let order: Vec<String> = jobs.iter().map(|j| j.serial.clone()).collect();
        runner::run_accounts(&run, jobs, &SyncWork { ws: self });
        Ok(run.finish(&order))
    }
}

/// The profile sync of one account.
struct SyncWork<'w> {
    ws: &'w Workspace,
}

impl AccountWork for SyncWork<'_> {
    fn work(
        &self,
        run: &Run<'_>,
        phone: &mut Phone,
        account: &Account,
    ) -> Result<(Outcome, Option<String>)> {
        let serial = phone.device.serial().to_string();
        let app = app_for(run, account);
        run.step(&serial, Some(account.id), "check app");
        if !phone.has_package(app.package())? {
            return Ok((
                Outcome::AppNotInstalled,
                Some(format!("{} is not installed on {serial}", app.package())),
            ));
        }
        run.step(&serial, Some(account.id), "switch account");
        if !app.switch_to(phone.device.as_mut(), account.username.as_str())? {
            return Ok((Outcome::NotLoggedIn, None));
        }
        run.step(&serial, Some(account.id), "read profile");
        let Some(profile) = app.profile(phone.device.as_mut())? else {
            return Ok((Outcome::NotLoggedIn, None));
        };
        if !same_user(account, &profile.username) {
            return Ok((
                Outcome::Error,
                Some(format!(
                    "the app shows the profile of '{}', not this account",
                    crate::account::printable(&profile.username)
                )),
            ));
        }
        let old = &account.stats;
        let stats = ProfileStats {
            nickname: profile.nickname.or_else(|| old.nickname.clone()),
            country: profile.country.or_else(|| old.country.clone()),
            followers: profile.followers.or(old.followers),
            following: profile.following.or(old.following),
            hearts: profile.likes.or(old.hearts),
            videos: profile.posts.or(old.videos),
            friends: profile.friends.or(old.friends),
            synced_at: Some(Timestamp::now()),
        };
        self.ws.update(
            account.id,
            AccountPatch {
                stats: Some(stats),
                logged_in: Some(true),
                last_error: Some(None),
                ..AccountPatch::default()
            },
        )?;
        Ok((Outcome::Synced, None))
    }

    fn settle(&self, account: &Account, outcome: Outcome, reason: Option<&str>) -> Result<()> {
        let patch = match outcome {
            Outcome::Synced => return Ok(()),
            Outcome::NotLoggedIn => AccountPatch {
                logged_in: Some(false),
                last_error: Some(Some(reason_text(outcome, reason))),
                ..AccountPatch::default()
            },
            failure => AccountPatch {
                last_error: Some(Some(reason_text(failure, reason))),
                ..AccountPatch::default()
            },
        };
        self.ws.update(account.id, patch).map(drop)
    }
}
