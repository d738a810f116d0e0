//! `sync_profiles`: read profile numbers from the apps into the roster.

use crate::account::{Account, AccountPatch, ProfileStats, Timestamp};
use crate::apps::counts::{agrees, count_step};
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
    /// logged out. Counts the app does not show keep their stored value, and
    /// so does an exact stored count that a rounded display agrees with
    /// (stored 1,234,567 from a sheet, the app shows `1.2M`).
    pub fn sync_profiles(&self, driver: &dyn DeviceDriver, options: &RunOptions) -> Result<Report> {
        let default = AccountFilter {
            logged_in: Some(true),
            ..AccountFilter::default()
        };
        let accounts = runner::select(self, options, &default)?;
        let online = runner::online_phones(driver)?;
        let jobs = runner::plan(accounts, &online);
        let (total, phones) = runner::plan_size(&jobs);
        let run = Run::start(Workflow::SyncProfiles, options, driver, total, phones)
            .with_leases(self.store().clone());
        let order: Vec<String> = jobs.iter().map(|j| j.serial.clone()).collect();
        runner::run_accounts(&run, jobs, &SyncWork { ws: self });
        run.finish_into(self.store().as_ref(), &order)
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
        if app.update_required(phone.device.as_mut())? {
            return Ok((Outcome::AppUpdateRequired, None));
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
        let shown = |stat: &str| profile.shown.get(stat).map(String::as_str);
        let stats = ProfileStats {
            nickname: profile.nickname.or_else(|| old.nickname.clone()),
            country: profile.country.or_else(|| old.country.clone()),
            followers: merge_count(old.followers, profile.followers, shown("followers")),
            following: merge_count(old.following, profile.following, shown("following")),
            hearts: merge_count(old.hearts, profile.likes, shown("likes")),
            videos: merge_count(old.videos, profile.posts, shown("posts")),
            friends: merge_count(old.friends, profile.friends, shown("friends")),
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

/// The count to store: the one read from the app, except that a stored exact
/// number stays when the app shows a rounded display that agrees with it
/// (stored 1,234,567, shown `1.2M`: keep 1,234,567). `text` is the count as
/// the app printed it; without it the read value is taken as exact.
fn merge_count(stored: Option<u64>, read: Option<u64>, text: Option<&str>) -> Option<u64> {
    match (stored, read) {
        (Some(stored), Some(read)) => {
            let step = text.and_then(|t| count_step(t).ok()).unwrap_or(1);
            Some(if agrees(read, step, stored) {
                stored
            } else {
                read
            })
        }
        (stored, read) => read.or(stored),
    }
}

#[cfg(test)]
mod tests {
    use super::merge_count;

    #[test]
    fn an_exact_stored_count_survives_a_rounded_display_that_agrees() {
        assert_eq!(
            merge_count(Some(1_234_567), Some(1_200_000), Some("1.2M")),
            Some(1_234_567)
        );
        assert_eq!(
            merge_count(Some(2_000_000), Some(1_200_000), Some("1.2M")),
            Some(1_200_000),
            "a number the display rules out is replaced"
        );
        assert_eq!(
            merge_count(Some(1_234), Some(1_235), Some("1,235")),
            Some(1_235),
            "a full display is exact"
        );
        assert_eq!(merge_count(None, Some(12_500), Some("12.5K")), Some(12_500));
        assert_eq!(merge_count(Some(7), None, None), Some(7));
        assert_eq!(merge_count(Some(7), Some(9), None), Some(9));
        assert_eq!(
            merge_count(Some(12_345), Some(12_000), Some("not a count")),
            Some(12_000)
        );
    }
}
