//! Account health, end to end through the real adb server: each screen a real
//! app shows in place of the expected one ends the account's login with its
//! own outcome, and the roster keeps the reason; harmless pop-ups between
//! steps are dismissed. One test per outcome, each checking the roster after.

mod ops_support;

use farmhand::account::{Account, NewAccount, Status};
use farmhand::ops::{HealthState, Outcome, RunOptions, Workflow};
use farmhand::Platform;
use farmhand_sim::{AppKind, AppSpec, PhoneSpec, PlatformAccount, Scenario};
use ops_support::*;

/// One phone with the app of `platform` (with these app options) and one
/// roster account bound to it, whose platform account `edit` adjusts.
fn world(
    platform: Platform,
    options: &[(&str, &str)],
    edit: impl FnOnce(&mut PlatformAccount),
) -> (World, Account) {
    let kind = match platform {
        Platform::TikTok => AppKind::TikTok,
        Platform::Instagram => AppKind::Instagram,
    };
    let mut spec: AppSpec = app(kind, &[]);
    for (name, value) in options {
        spec.options.insert(name.to_string(), value.to_string());
    }
    let mut account = platform_account(platform, "casey", "pw");
    edit(&mut account);
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            apps: vec![spec],
            ..PhoneSpec::default()
        }],
        accounts: vec![account],
        ..Scenario::default()
    };
    let w = World::start(&scenario);
    let roster =
        w.ws.add(
            NewAccount::new(platform, "casey")
                .device(w.serial(0))
                .password("pw"),
        )
        .unwrap();
    (w, roster)
}

/// Logs the roster in with `options` and returns the account's outcome and
/// its roster entry afterwards.
fn log_in(w: &World, account: &Account, options: &RunOptions) -> (Outcome, Account) {
    let report = w.ws.login(&w.driver, options).unwrap();
    let outcome = report
        .outcome(account.id)
        .expect("the account is in the report");
    (outcome, w.ws.get(account.id).unwrap())
}

#[test]
fn a_suspended_account_ends_suspended_and_stays_enabled() {
    let (w, casey) = world(Platform::Instagram, &[], |a| a.suspended = true);
    let (outcome, after) = log_in(&w, &casey, &options());
    assert_eq!(outcome, Outcome::Suspended);
    assert!(!after.logged_in);
    assert_eq!(after.status, Status::Enabled);
    assert_eq!(after.last_error.as_deref(), Some("account suspended"));
    assert!(w.sessions(0, "com.instagram.android").is_empty());
    let history = w.ws.history(casey.id, 10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].workflow, history[0].outcome),
        (Workflow::Login, Outcome::Suspended)
    );
    assert_eq!(history[0].device.as_deref(), Some(w.serial(0).as_str()));
    let health = w.ws.health(casey.id).unwrap().unwrap();
    assert_eq!(health.state, HealthState::Suspended);
    assert_eq!(health.at, history[0].at);
}

#[test]
fn a_banned_account_is_disabled_when_asked_and_left_enabled_otherwise() {
    let (w, casey) = world(Platform::TikTok, &[], |a| a.banned = true);
    let (outcome, after) = log_in(&w, &casey, &options());
    assert_eq!(outcome, Outcome::Banned);
    assert_eq!(after.status, Status::Enabled, "not asked to disable");
    assert_eq!(after.last_error.as_deref(), Some("account banned"));

    let disable = RunOptions {
        disable_on_ban: true,
        ..options()
    };
    let (outcome, after) = log_in(&w, &casey, &disable);
    assert_eq!(outcome, Outcome::Banned);
    assert_eq!(after.status, Status::Disabled);
    assert!(!after.logged_in);
    assert_eq!(
        after.last_error.as_deref(),
        Some("account banned: disabled automatically (disable_on_ban)")
    );
    // Disabled now: the next run leaves it alone.
    let (outcome, _) = log_in(&w, &casey, &disable);
    assert_eq!(outcome, Outcome::SkippedDisabled);
    // Every run is in the history, newest first; the skip does not hide the ban.
    let outcomes: Vec<Outcome> =
        w.ws.history(casey.id, 10)
            .unwrap()
            .iter()
            .map(|e| e.outcome)
            .collect();
    assert_eq!(
        outcomes,
        [Outcome::SkippedDisabled, Outcome::Banned, Outcome::Banned]
    );
    let health = w.ws.health(casey.id).unwrap().unwrap();
    assert_eq!(health.state, HealthState::Banned);
    assert_eq!(
        health.reason.as_deref(),
        Some("disabled automatically (disable_on_ban)")
    );
}

#[test]
fn an_instagram_banned_account_is_told_apart_from_a_suspended_one() {
    let (w, casey) = world(Platform::Instagram, &[], |a| a.banned = true);
    let (outcome, after) = log_in(&w, &casey, &options());
    assert_eq!(outcome, Outcome::Banned);
    assert_eq!(after.last_error.as_deref(), Some("account banned"));
}

#[test]
fn an_app_that_must_be_updated_ends_app_update_required() {
    let (w, casey) = world(Platform::Instagram, &[("update_required", "true")], |_| {});
    let (outcome, after) = log_in(&w, &casey, &options());
    assert_eq!(outcome, Outcome::AppUpdateRequired);
    assert!(!after.logged_in);
    assert_eq!(after.last_error.as_deref(), Some("the app must be updated"));
    assert!(
        !typed(&w.commands(0), "casey"),
        "nothing typed into a blocked app"
    );

    // A profile sync of a logged-in account meets the same screen.
    w.ws.update(
        casey.id,
        farmhand::account::AccountPatch {
            logged_in: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    let report = w.ws.sync_profiles(&w.driver, &options()).unwrap();
    assert_eq!(report.outcome(casey.id), Some(Outcome::AppUpdateRequired));
}

#[test]
fn an_offered_update_is_declined_and_the_login_goes_on() {
    let (w, casey) = world(Platform::Instagram, &[("update_offer", "true")], |_| {});
    let (outcome, after) = log_in(&w, &casey, &options());
    assert_eq!(outcome, Outcome::LoggedIn);
    assert!(after.logged_in);
    // "Not Now" on the offer (its centre) was tapped before the login form was used.
    let commands = w.commands(0);
    let declined = commands
        .iter()
        .position(|c| c.contains("input tap 540 1510"))
        .expect("the offer was declined");
    let typed_at = commands
        .iter()
        .position(|c| c.contains("input text"))
        .expect("the login form was filled");
    assert!(declined < typed_at, "{commands:#?}");
    assert_eq!(
        w.ws.health(casey.id).unwrap().map(|h| h.state),
        Some(HealthState::Ok)
    );
}

#[test]
fn a_captcha_or_checkpoint_ends_challenge_required() {
    for platform in Platform::ALL {
        let (w, casey) = world(platform, &[], |a| a.challenge = true);
        let (outcome, after) = log_in(&w, &casey, &options());
        assert_eq!(outcome, Outcome::ChallengeRequired, "{platform}");
        assert_eq!(
            after.last_error.as_deref(),
            Some("needs verification by a person")
        );
    }
}

#[test]
fn too_many_attempts_ends_rate_limited() {
    for platform in Platform::ALL {
        let (w, casey) = world(platform, &[], |a| a.rate_limited = true);
        let (outcome, after) = log_in(&w, &casey, &options());
        assert_eq!(outcome, Outcome::RateLimited, "{platform}");
        assert_eq!(after.last_error.as_deref(), Some("too many attempts"));
    }
}

#[test]
fn a_wrong_password_ends_wrong_password() {
    for platform in Platform::ALL {
        let (w, casey) = world(platform, &[], |a| a.password = "another".into());
        let (outcome, after) = log_in(&w, &casey, &options());
        assert_eq!(outcome, Outcome::WrongPassword, "{platform}");
        assert_eq!(after.last_error.as_deref(), Some("wrong password"));
    }
}

#[test]
fn pop_ups_between_the_steps_are_dismissed() {
    for (platform, flags) in [
        (
            Platform::Instagram,
            [
                ("notifications_prompt", "true"),
                ("permission_prompt", "true"),
            ],
        ),
        (
            Platform::TikTok,
            [
                ("follow_friends_prompt", "true"),
                ("permission_prompt", "true"),
            ],
        ),
    ] {
        let (w, casey) = world(platform, &flags, |_| {});
        let (outcome, after) = log_in(&w, &casey, &options());
        assert_eq!(outcome, Outcome::LoggedIn, "{platform}");
        assert!(after.logged_in);
        assert_eq!(after.last_error, None);
        assert_eq!(
            w.ws.health(casey.id).unwrap().map(|h| h.state),
            Some(HealthState::Ok)
        );
        // The permission dialog's "deny" button (its centre) was tapped.
        let commands = w.commands(0);
        assert!(
            commands.iter().any(|c| c.contains("input tap 540 2050")),
            "{commands:#?}"
        );
    }
}

/// One phone whose app of `platform` holds `sessions` (the first active), the
/// platform's `accounts`, and a roster account bound to the phone for each
/// name of `roster`, marked logged in when the app holds its session.
fn session_world(
    platform: Platform,
    sessions: &[&str],
    accounts: Vec<PlatformAccount>,
    roster: &[&str],
) -> (World, Vec<Account>) {
    let kind = match platform {
        Platform::TikTok => AppKind::TikTok,
        Platform::Instagram => AppKind::Instagram,
    };
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            apps: vec![app(kind, sessions)],
            ..PhoneSpec::default()
        }],
        accounts,
        ..Scenario::default()
    };
    let w = World::start(&scenario);
    let added = roster
        .iter()
        .map(|name| {
            let account =
                w.ws.add(
                    NewAccount::new(platform, *name)
                        .device(w.serial(0))
                        .password("pw"),
                )
                .unwrap();
            let patch = farmhand::account::AccountPatch {
                logged_in: Some(sessions.contains(name)),
                ..Default::default()
            };
            w.ws.update(account.id, patch).unwrap()
        })
        .collect();
    (w, added)
}

#[test]
fn a_sync_of_a_session_the_platform_suspended_or_banned_ends_with_that_health() {
    for platform in Platform::ALL {
        for (banned, outcome, state) in [
            (false, Outcome::Suspended, HealthState::Suspended),
            (true, Outcome::Banned, HealthState::Banned),
        ] {
            let mut casey = platform_account(platform, "casey", "pw");
            casey.suspended = !banned;
            casey.banned = banned;
            let (w, roster) = session_world(platform, &["casey"], vec![casey], &["casey"]);
            let report = w.ws.sync_profiles(&w.driver, &options()).unwrap();
            let case = format!("{platform} {outcome}");
            assert_eq!(report.outcome(roster[0].id), Some(outcome), "{case}");
            let after = w.ws.get(roster[0].id).unwrap();
            assert_eq!(
                after.status,
                Status::Enabled,
                "{case}: not asked to disable"
            );
            assert_eq!(after.stats.synced_at, None, "{case}: nothing was read");
            assert_eq!(
                after.last_error.as_deref(),
                Some(
                    format!(
                        "{}: the app opens on this screen for the session it holds",
                        outcome.describe()
                    )
                    .as_str()
                ),
                "{case}"
            );
            let health = w.ws.health(roster[0].id).unwrap().unwrap();
            assert_eq!(
                (health.state, health.workflow),
                (state, Workflow::SyncProfiles),
                "{case}"
            );
        }
    }
}

#[test]
fn a_sync_with_disable_on_ban_disables_the_banned_session_account() {
    let mut casey = platform_account(Platform::Instagram, "casey", "pw");
    casey.banned = true;
    let (w, roster) = session_world(Platform::Instagram, &["casey"], vec![casey], &["casey"]);
    let disable = RunOptions {
        disable_on_ban: true,
        ..options()
    };
    let report = w.ws.sync_profiles(&w.driver, &disable).unwrap();
    assert_eq!(report.outcome(roster[0].id), Some(Outcome::Banned));
    let after = w.ws.get(roster[0].id).unwrap();
    assert_eq!(after.status, Status::Disabled);
    assert_eq!(
        after.last_error.as_deref(),
        Some("account banned: disabled automatically (disable_on_ban)")
    );
}

#[test]
fn a_login_of_an_account_whose_held_session_is_banned_ends_banned() {
    let mut casey = platform_account(Platform::TikTok, "casey", "pw");
    casey.banned = true;
    let (w, roster) = session_world(Platform::TikTok, &["casey"], vec![casey], &["casey"]);
    w.ws.update(
        roster[0].id,
        farmhand::account::AccountPatch {
            logged_in: Some(false),
            ..Default::default()
        },
    )
    .unwrap();
    let (outcome, after) = log_in(&w, &roster[0], &options());
    assert_eq!(outcome, Outcome::Banned);
    assert!(!after.logged_in);
    assert!(
        !typed(&w.commands(0), "casey"),
        "nothing typed into an app that refuses its session"
    );
}

#[test]
fn a_refused_session_is_not_blamed_on_one_of_several_accounts_of_the_app() {
    let mut casey = platform_account(Platform::Instagram, "casey", "pw");
    casey.banned = true;
    let dana = platform_account(Platform::Instagram, "dana", "pw");
    let (w, roster) = session_world(
        Platform::Instagram,
        &["casey", "dana"],
        vec![casey, dana],
        &["casey", "dana"],
    );
    let report = w.ws.sync_profiles(&w.driver, &options()).unwrap();
    for account in &roster {
        assert_eq!(report.outcome(account.id), Some(Outcome::Error));
        let reason = report.result(account.id).unwrap().reason.clone().unwrap();
        assert!(
            reason.contains("'banned' screen") && reason.contains("one of several"),
            "{reason}"
        );
        assert_eq!(
            w.ws.health(account.id).unwrap(),
            None,
            "an error tells nothing of the account's health"
        );
    }
}

#[test]
fn a_ban_screen_left_by_a_login_attempt_is_not_taken_for_a_refused_session() {
    let mut casey = platform_account(Platform::TikTok, "casey", "pw");
    casey.banned = true;
    let dana = platform_account(Platform::TikTok, "dana", "pw");
    let (w, roster) = session_world(
        Platform::TikTok,
        &["dana"],
        vec![casey, dana],
        &["casey", "dana"],
    );
    // casey's login (added through dana's switcher) ends on the banned screen...
    let (outcome, _) = log_in(&w, &roster[0], &options());
    assert_eq!(outcome, Outcome::Banned);
    // ...which the app still shows when dana's profile is synced next.
    let report = w.ws.sync_profiles(&w.driver, &options()).unwrap();
    assert_eq!(report.outcome(roster[1].id), Some(Outcome::Synced));
    assert_eq!(
        w.ws.health(roster[1].id).unwrap().map(|h| h.state),
        Some(HealthState::Ok)
    );
}
