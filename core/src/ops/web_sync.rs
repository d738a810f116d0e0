//! The web half of the profile sync: where numbers come from ([`ProfileSource`]),
//! the run over TikTok's public profile pages, and how page numbers join the
//! stored and the phone's ones.

use std::fmt;

use crate::account::{Account, AccountPatch, Platform, ProfileStats, Timestamp};
use crate::device::{Device, DeviceDriver, DeviceInfo};
use crate::error::{Error, Result};
use crate::ops::outcome::{AccountResult, Outcome, Report, Workflow};
use crate::ops::runner::{self, Run, RunOptions};
use crate::store::AccountFilter;
use crate::web::{TikTokWeb, WebOptions, WebProfile};
use crate::workspace::Workspace;

/// Where a profile sync reads the numbers from
/// ([`Workspace::sync_profiles_from`](crate::Workspace::sync_profiles_from)).
#[derive(Clone, Copy)]
pub enum ProfileSource<'a> {
    /// The app's profile screen on each account's phone (nickname, followers,
    /// following, likes, and whatever else the build shows). Default
    /// selection: every logged-in account.
    App(&'a dyn DeviceDriver),
    /// TikTok's public profile page: all seven TikTok columns, exact, for
    /// accounts bound to a phone or not. Instagram accounts are not synced
    /// (`error`: Instagram syncs from the app only). Default selection: every
    /// TikTok account.
    Web(&'a WebOptions),
    /// The phone first, completed from the web: a count the app shows in full
    /// stays, a rounded (`1.2M`) or missing one takes the page's exact number;
    /// a TikTok account the app could not read (no phone, offline, not logged
    /// in) is synced from its page alone, while what the app says of the
    /// account itself (banned, suspended, a challenge) stays its outcome.
    /// Default selection: every logged-in account and every TikTok account.
    Both(&'a dyn DeviceDriver, &'a WebOptions),
}

impl fmt::Debug for ProfileSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileSource::App(_) => f.write_str("App"),
            ProfileSource::Web(web) => f.debug_tuple("Web").field(web).finish(),
            ProfileSource::Both(_, web) => f.debug_tuple("Both").field(web).finish(),
        }
    }
}

/// Which source a sync reads, by name: what the command line's `--source`
/// and Python's `source=` take, and the rules about it every binding shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SourceKind {
    /// [`ProfileSource::App`] (the default).
    #[default]
    App,
    /// [`ProfileSource::Web`].
    Web,
    /// [`ProfileSource::Both`].
    Both,
}

impl SourceKind {
    /// The source's name: `app`, `web` or `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::App => "app",
            SourceKind::Web => "web",
            SourceKind::Both => "both",
        }
    }

    /// Whether the source reads phones, so that a sync needs a driver.
    pub fn needs_driver(self) -> bool {
        self != SourceKind::Web
    }

    /// Whether it reads web pages, so that its [`WebOptions`] are checked.
    pub fn reads_web(self) -> bool {
        self != SourceKind::App
    }

    /// Refuses a sync that could do nothing: the web source asked for
    /// Instagram accounts only (`Validation`, naming `source`).
    pub fn check_platform(self, platform: Option<Platform>) -> Result<()> {
        if self == SourceKind::Web && platform == Some(Platform::Instagram) {
            return Err(Error::validation(
                "source",
                "Instagram profiles sync from the app only; use the app source (or both) for them",
            ));
        }
        Ok(())
    }

    /// The source of this kind over `driver` and `web`; `Validation` when it
    /// needs a driver and has none.
    pub fn source<'a>(
        self,
        driver: Option<&'a dyn DeviceDriver>,
        web: &'a WebOptions,
    ) -> Result<ProfileSource<'a>> {
        match (self, driver) {
            (SourceKind::Web, _) => Ok(ProfileSource::Web(web)),
            (SourceKind::App, Some(driver)) => Ok(ProfileSource::App(driver)),
            (SourceKind::Both, Some(driver)) => Ok(ProfileSource::Both(driver, web)),
            (kind, None) => Err(Error::validation(
                "driver",
                format!(
                    "source '{}' reads phones and needs a driver (only 'web' reads none)",
                    kind.as_str()
                ),
            )),
        }
    }
}

impl std::str::FromStr for SourceKind {
    type Err = Error;

    /// `app`, `web` or `both`, in any case.
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "app" => Ok(SourceKind::App),
            "web" => Ok(SourceKind::Web),
            "both" => Ok(SourceKind::Both),
            _ => Err(Error::validation(
                "source",
                format!("must be 'app', 'web' or 'both', not {text:?}"),
            )),
        }
    }
}

/// The reason given to an Instagram account in a web-only sync.
pub(crate) const INSTAGRAM_APP_ONLY: &str =
    "Instagram profiles sync from the app only (the web source is TikTok's)";

/// Syncs the chosen accounts from their profile pages, one request at a time.
pub(crate) fn sync_from_web(
    ws: &Workspace,
    web: &WebOptions,
    options: &RunOptions,
) -> Result<Report> {
    options.check()?;
    let client = TikTokWeb::new(web.clone())?;
    let default = AccountFilter {
        platform: Some(Platform::TikTok),
        ..AccountFilter::default()
    };
    let accounts = runner::select(ws, options, &default)?;
    let run = Run::start(
        Workflow::SyncProfiles,
        options,
        &NoPhones,
        accounts.len(),
        0,
    );
    for account in &accounts {
        let (outcome, reason) = if !account.is_enabled() {
            (Outcome::SkippedDisabled, None)
        } else if run.cancelled() {
            (Outcome::Cancelled, None)
        } else if account.platform != Platform::TikTok {
            (Outcome::Error, Some(INSTAGRAM_APP_ONLY.to_string()))
        } else {
            sync_one(ws, &client, &run, account)
        };
        let result = match outcome {
            Outcome::SyncedFromWeb | Outcome::SkippedDisabled | Outcome::Cancelled => {
                AccountResult::for_account(account, outcome, reason)
            }
            failure => match note_failure(ws, account, failure, reason.as_deref()) {
                Ok(()) => AccountResult::for_account(account, failure, reason),
                Err(e) => AccountResult::for_account(
                    account,
                    Outcome::Error,
                    Some(format!("storing the outcome '{failure}' failed: {e}")),
                ),
            },
        };
        run.record(result);
    }
    run.finish_into(ws.store().as_ref(), &[])
}

/// True when a phone's failure only means it could not be read (no phone,
/// offline, logged out, an unknown screen...), so that the page may give the
/// numbers instead. What the app said of the account itself (banned,
/// suspended, a challenge) stays the account's outcome and health.
pub(crate) fn page_may_stand_in(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::NoDevice
            | Outcome::DeviceOffline
            | Outcome::AppNotInstalled
            | Outcome::NotLoggedIn
            | Outcome::ScreenNotRecognised
            | Outcome::Timeout
            | Outcome::Error
    )
}

/// Reads one account's page and stores its numbers over the stored ones.
pub(crate) fn sync_one(
    ws: &Workspace,
    client: &TikTokWeb,
    run: &Run<'_>,
    account: &Account,
) -> (Outcome, Option<String>) {
    let page = match client.profile(account.username.as_str(), &run.options.cancel) {
        Ok(page) => page,
        Err(failure) => return (failure.outcome, Some(failure.reason)),
    };
    let stored = match ws.get(account.id) {
        Ok(stored) => stored,
        Err(e) => return (Outcome::Error, Some(e.to_string())),
    };
    let patch = AccountPatch {
        stats: Some(page_over(&stored.stats, &page)),
        last_error: Some(None),
        ..AccountPatch::default()
    };
    match ws.update(account.id, patch) {
        Ok(_) => (Outcome::SyncedFromWeb, None),
        Err(e) => (Outcome::Error, Some(e.to_string())),
    }
}

/// Keeps a failure as the account's last error.
fn note_failure(
    ws: &Workspace,
    account: &Account,
    outcome: Outcome,
    reason: Option<&str>,
) -> Result<()> {
    let patch = AccountPatch {
        last_error: Some(Some(crate::ops::login::reason_text(outcome, reason))),
        ..AccountPatch::default()
    };
    ws.update(account.id, patch).map(drop)
}

/// Stored numbers with a page's over them: the page is exact and current,
/// so what it states replaces what is stored; what it leaves out stays.
pub(crate) fn page_over(stored: &ProfileStats, page: &WebProfile) -> ProfileStats {
    ProfileStats {
        nickname: page.nickname.clone().or_else(|| stored.nickname.clone()),
        country: page.region.clone().or_else(|| stored.country.clone()),
        followers: page.followers.or(stored.followers),
        following: page.following.or(stored.following),
        hearts: page.hearts.or(stored.hearts),
        videos: page.videos.or(stored.videos),
        friends: page.friends.or(stored.friends),
        synced_at: Some(Timestamp::now()),
    }
}

/// What the app showed, completed by a page: a count the app showed in full
/// (`exact(column)`) stays; a rounded or missing one takes the page's number
/// when it has one. Nickname and country: the app's, else the page's.
pub(crate) fn app_then_page(
    app: ProfileStats,
    exact: impl Fn(&str) -> bool,
    page: &WebProfile,
) -> ProfileStats {
    let pick = |column: &str, app: Option<u64>, page: Option<u64>| match (app, page) {
        (Some(app), _) if exact(column) => Some(app),
        (app, page) => page.or(app),
    };
    ProfileStats {
        nickname: app.nickname.or_else(|| page.nickname.clone()),
        country: app.country.or_else(|| page.region.clone()),
        followers: pick("followers", app.followers, page.followers),
        following: pick("following", app.following, page.following),
        hearts: pick("hearts", app.hearts, page.hearts),
        videos: pick("videos", app.videos, page.videos),
        friends: pick("friends", app.friends, page.friends),
        synced_at: app.synced_at,
    }
}

/// The driver of a run that needs no phone: it lists none and opens none.
struct NoPhones;

impl DeviceDriver for NoPhones {
    fn devices(&self) -> Result<Vec<DeviceInfo>> {
        Ok(Vec::new())
    }

    fn open(&self, serial: &str) -> Result<Box<dyn Device>> {
        Err(Error::device(serial, "a web profile sync opens no phone"))
    }

    fn connect(&self, address: &str) -> Result<()> {
        Err(Error::device(address, "a web profile sync opens no phone"))
    }

    fn disconnect(&self, _address: &str) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_kind_is_read_by_name_and_says_what_it_needs() {
        for (name, kind, driver) in [
            ("app", SourceKind::App, true),
            (" Web ", SourceKind::Web, false),
            ("BOTH", SourceKind::Both, true),
        ] {
            let parsed: SourceKind = name.parse().unwrap();
            assert_eq!((parsed, parsed.needs_driver()), (kind, driver), "{name}");
            assert_eq!(parsed.reads_web(), kind != SourceKind::App);
        }
        let e = "cloud".parse::<SourceKind>().unwrap_err();
        assert!(e.to_string().contains("'app', 'web' or 'both'"), "{e}");
        assert_eq!(SourceKind::default(), SourceKind::App);
    }

    #[test]
    fn the_web_source_refuses_instagram_only_and_sources_need_their_driver() {
        let web = WebOptions::default();
        let e = SourceKind::Web
            .check_platform(Some(Platform::Instagram))
            .unwrap_err();
        assert!(e.to_string().contains("app only"), "{e}");
        SourceKind::Both
            .check_platform(Some(Platform::Instagram))
            .unwrap();
        SourceKind::Web.check_platform(None).unwrap();
        assert!(matches!(
            SourceKind::Web.source(None, &web),
            Ok(ProfileSource::Web(_))
        ));
        for kind in [SourceKind::App, SourceKind::Both] {
            let e = kind.source(None, &web).unwrap_err();
            assert!(e.to_string().contains("needs a driver"), "{e}");
        }
        let phones = NoPhones;
        assert!(matches!(
            SourceKind::Both.source(Some(&phones), &web),
            Ok(ProfileSource::Both(_, _))
        ));
    }

    fn page() -> WebProfile {
        WebProfile {
            username: "alice".into(),
            nickname: Some("Alice W".into()),
            region: Some("SE".into()),
            followers: Some(1_234_567),
            following: Some(89),
            hearts: Some(98_765_432),
            videos: Some(321),
            friends: Some(12),
            private: false,
        }
    }

    #[test]
    fn a_page_stands_in_only_for_a_phone_that_could_not_be_read() {
        for unread in [
            Outcome::NoDevice,
            Outcome::DeviceOffline,
            Outcome::NotLoggedIn,
        ] {
            assert!(page_may_stand_in(unread), "{unread}");
        }
        for said in [
            Outcome::Banned,
            Outcome::Suspended,
            Outcome::WrongPassword,
            Outcome::AppUpdateRequired,
            Outcome::Cancelled,
        ] {
            assert!(!page_may_stand_in(said), "{said}");
        }
    }

    #[test]
    fn a_page_replaces_what_it_states_and_keeps_the_rest() {
        let stored = ProfileStats {
            nickname: Some("old".into()),
            country: Some("DE".into()),
            followers: Some(1),
            videos: Some(5),
            ..ProfileStats::default()
        };
        let partial = WebProfile {
            videos: None,
            region: None,
            ..page()
        };
        let merged = page_over(&stored, &partial);
        assert_eq!(merged.nickname.as_deref(), Some("Alice W"));
        assert_eq!(merged.country.as_deref(), Some("DE"));
        assert_eq!(merged.followers, Some(1_234_567));
        assert_eq!(merged.videos, Some(5));
        assert_eq!(merged.friends, Some(12));
        assert!(merged.synced_at.is_some());
    }

    #[test]
    fn exact_app_counts_stay_and_rounded_ones_take_the_page() {
        let app = ProfileStats {
            nickname: Some("Alice".into()),
            followers: Some(1_200_000),
            following: Some(90),
            hearts: None,
            ..ProfileStats::default()
        };
        let merged = app_then_page(app, |c| c == "following", &page());
        assert_eq!(merged.nickname.as_deref(), Some("Alice"), "the app's name");
        assert_eq!(merged.country.as_deref(), Some("SE"));
        assert_eq!(merged.followers, Some(1_234_567), "1.2M on the phone");
        assert_eq!(merged.following, Some(90), "shown in full on the phone");
        assert_eq!(merged.hearts, Some(98_765_432));
        assert_eq!((merged.videos, merged.friends), (Some(321), Some(12)));
    }
}
