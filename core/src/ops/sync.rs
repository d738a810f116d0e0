//! `sync_profiles`: read profile numbers from the apps (and, with
//! [`ProfileSource`], from TikTok's public profile pages) into the roster.

use crate::account::{Account, AccountPatch, Platform, ProfileStats, Status, Timestamp};
use crate::apps::counts::{agrees, count_step};
use crate::device::DeviceDriver;
use crate::error::Result;
use crate::ops::login::{app_for, opening_outcome, reason_text, same_user};
use crate::ops::outcome::{Outcome, Report, Workflow};
use crate::ops::runner::{self, AccountSelection, AccountWork, Phone, Run, RunOptions};
use crate::ops::web_sync::{self, ProfileSource};
use crate::store::AccountFilter;
use crate::web::TikTokWeb;
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
    ///
    /// An app that opens on its suspended or banned screen for the session it
    /// holds ends the account's step as `suspended` or `banned` (an app that
    /// must be updated: `app_update_required`); with
    /// [`RunOptions::disable_on_ban`] a banned account is also disabled.
    pub fn sync_profiles(&self, driver: &dyn DeviceDriver, options: &RunOptions) -> Result<Report> {
        self.sync_profiles_from(ProfileSource::App(driver), options)
    }

    /// Reads the profile numbers of each chosen account from `source`: the
    /// app on its phone, TikTok's public profile page, or both (see
    /// [`ProfileSource`] for each one's default selection and how their
    /// numbers join). A page that names no such user, is private or is not
    /// understood is that account's outcome (`unknown_user`,
    /// `private_account`, `page_not_recognised`), with its reason.
    pub fn sync_profiles_from(
        &self,
        source: ProfileSource<'_>,
        options: &RunOptions,
    ) -> Result<Report> {
        let (driver, web) = match source {
            ProfileSource::App(driver) => (driver, None),
            ProfileSource::Web(web) => return web_sync::sync_from_web(self, web, options),
            ProfileSource::Both(driver, web) => (driver, Some(TikTokWeb::new(web.clone())?)),
        };
        let accounts = if web.is_some() {
            let mut accounts = runner::select(self, options, &AccountFilter::default())?;
            if options.accounts == AccountSelection::Default {
                accounts.retain(|a| a.logged_in || a.platform == Platform::TikTok);
            }
            accounts
        } else {
            let default = AccountFilter {
                logged_in: Some(true),
                ..AccountFilter::default()
            };
            runner::select(self, options, &default)?
        };
        let online = runner::online_phones(driver)?;
        let jobs = runner::plan(accounts, &online);
        let (total, phones) = runner::plan_size(&jobs);
        let run = Run::start(Workflow::SyncProfiles, options, driver, total, phones)
            .with_leases(self.store().clone());
        let order: Vec<String> = jobs.iter().map(|j| j.serial.clone()).collect();
        let work = SyncWork {
            ws: self,
            disable_on_ban: options.disable_on_ban,
            web: web.as_ref(),
        };
        runner::run_accounts(&run, jobs, &work);
        run.finish_into(self.store().as_ref(), &order)
    }
}

/// The profile sync of one account.
struct SyncWork<'w> {
    ws: &'w Workspace,
    /// Disable an account the app shows as banned.
    disable_on_ban: bool,
    /// With [`ProfileSource::Both`]: the pages that complete TikTok accounts.
    web: Option<&'w TikTokWeb>,
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
        if let Some(ended) = opening_outcome(&app, phone, self.disable_on_ban)? {
            return Ok(ended);
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
        let mut stats = ProfileStats {
            nickname: profile.nickname.or_else(|| old.nickname.clone()),
            country: profile.country.or_else(|| old.country.clone()),
            followers: merge_count(old.followers, profile.followers, shown("followers")),
            following: merge_count(old.following, profile.following, shown("following")),
            hearts: merge_count(old.hearts, profile.likes, shown("likes")),
            videos: merge_count(old.videos, profile.posts, shown("posts")),
            friends: merge_count(old.friends, profile.friends, shown("friends")),
            synced_at: Some(Timestamp::now()),
        };
        let mut note = None;
        if let Some(web) = self.web.filter(|_| account.platform == Platform::TikTok) {
            run.step(&serial, Some(account.id), "read web profile");
            match web.profile(account.username.as_str(), &run.options.cancel) {
                Ok(page) => {
                    let exact = |column: &str| {
                        let stat = match column {
                            "hearts" => "likes",
                            "videos" => "posts",
                            other => other,
                        };
                        shown(stat).is_some_and(|t| count_step(t).ok() == Some(1))
                    };
                    stats = web_sync::app_then_page(stats, exact, &page);
                }
                Err(failure) => note = Some(format!("from the app only; the web page: {failure}")),
            }
        }
        self.ws.update(
            account.id,
            AccountPatch {
                stats: Some(stats),
                logged_in: Some(true),
                last_error: Some(None),
                ..AccountPatch::default()
            },
        )?;
        Ok((Outcome::Synced, note))
    }

    fn rescue(
        &self,
        run: &Run<'_>,
        account: &Account,
        outcome: Outcome,
        reason: Option<&str>,
    ) -> Option<(Outcome, Option<String>)> {
        let web = self.web.filter(|_| account.platform == Platform::TikTok)?;
        if !web_sync::page_may_stand_in(outcome) {
            return None;
        }
        let app = crate::ops::login::reason_text(outcome, reason);
        Some(match web_sync::sync_one(self.ws, web, run, account) {
            (Outcome::SyncedFromWeb, _) => (
                Outcome::SyncedFromWeb,
                Some(format!("from the web page only; the app: {app}")),
            ),
            (_, web_reason) => (
                outcome,
                Some(format!(
                    "{app}; the web page: {}",
                    web_reason.as_deref().unwrap_or("no profile")
                )),
            ),
        })
    }

    fn settle(&self, account: &Account, outcome: Outcome, reason: Option<&str>) -> Result<()> {
        let patch = match outcome {
            Outcome::Synced => return Ok(()),
            Outcome::Banned if self.disable_on_ban => AccountPatch {
                status: Some(Status::Disabled),
                last_error: Some(Some(reason_text(outcome, reason))),
                ..AccountPatch::default()
            },
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
