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
fn a_captcha_or_checkpoint_ends_needs_verification() {
    for platform in Platform::ALL {
        let (w, casey) = world(platform, &[], |a| a.challenge = true);
        let (outcome, after) = log_in(&w, &casey, &options());
        assert_eq!(outcome, Outcome::NeedsVerification, "{platform}");
        assert_eq!(
            after.last_error.as_deref(),
            Some("needs verification by a person")
        );
    }
}

#[test]
fn too_many_attempts_ends_too_many_attempts() {
    for platform in Platform::ALL {
        let (w, casey) = world(platform, &[], |a| a.rate_limited = true);
        let (outcome, after) = log_in(&w, &casey, &options());
        assert_eq!(outcome, Outcome::TooManyAttempts, "{platform}");
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
