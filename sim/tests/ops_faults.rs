//! End to end: what the workflows do when phones and apps misbehave, through
//! the real adb server and simulated phones.

mod ops_support;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use farmhand::ops::{AccountSelection, Event, Outcome, RunOptions};
use farmhand::{Account, NewAccount, Platform, Status};
use farmhand_sim::{AppKind, Faults, PhoneSpec, Scenario};
use ops_support::*;

/// Two phones with TikTok and Instagram; phone 0 suffers `faults`.
/// Platform accounts: TikTok `t0`, `t1`; Instagram `i0`, `i1` (2FA), passwords `pw`.
fn two_phones(faults: Faults) -> Scenario {
    let mut accounts = vec![
        platform_account(Platform::TikTok, "t0", "pw"),
        platform_account(Platform::TikTok, "t1", "pw"),
        platform_account(Platform::Instagram, "i0", "pw"),
        platform_account(Platform::Instagram, "i1", "pw"),
    ];
    accounts[3].totp_secret = Some(farmhand::Secret::new(KEY));
    let phone = |faults: Faults| PhoneSpec {
        apps: vec![app(AppKind::TikTok, &[]), app(AppKind::Instagram, &[])],
        faults,
        ..PhoneSpec::default()
    };
    Scenario {
        accounts,
        phones: vec![phone(faults), phone(Faults::default())],
        ..Scenario::default()
    }
}

/// Adds an account bound to phone `i` with password `pw`.
fn bind(w: &World, platform: Platform, name: &str, phone: usize) -> Account {
    w.ws.add(
        NewAccount::new(platform, name)
            .device(w.serial(phone))
            .password("pw"),
    )
    .unwrap()
}

#[test]
fn another_language_is_screen_not_recognised_and_nothing_is_tapped() {
    let w = World::start(&two_phones(Faults {
        language: Some("es".into()),
        ..Faults::default()
    }));
    let foreign = bind(&w, Platform::TikTok, "t0", 0);
    let fine = bind(&w, Platform::TikTok, "t1", 1);
    let report = w.ws.login(&w.driver, &options()).unwrap();
    assert_eq!(
        report.outcome(foreign.id),
        Some(Outcome::ScreenNotRecognised)
    );
    assert_eq!(report.outcome(fine.id), Some(Outcome::LoggedIn));
    let stored = w.ws.get(foreign.id).unwrap();
    assert!(!stored.logged_in);
    assert!(stored.last_error.unwrap().contains("screen not recognised"));
    let input: Vec<String> = w
        .commands(0)
        .into_iter()
        .filter(|c| c.contains("input "))
        .collect();
    assert!(input.is_empty(), "a foreign screen got input: {input:?}");
}

#[test]
fn a_hung_command_costs_a_timeout_and_the_other_phone_goes_on() {
    let w = World::start(&two_phones(Faults {
        hang_commands: vec!["input".into()],
        ..Faults::default()
    }));
    let hung = bind(&w, Platform::TikTok, "t0", 0);
    let fine = bind(&w, Platform::TikTok, "t1", 1);
    let report = w.ws.login(&w.driver, &options()).unwrap();
    assert_eq!(
        report.outcome(hung.id),
        Some(Outcome::Timeout),
        "{:?}",
        report.results
    );
    assert_eq!(report.outcome(fine.id), Some(Outcome::LoggedIn));
    let stored = w.ws.get(hung.id).unwrap();
    assert!(!stored.logged_in);
    assert!(stored.last_error.unwrap().starts_with("timeout"));
}

#[test]
fn idle_state_dump_errors_are_waited_out() {
    let w = World::start(&two_phones(Faults {
        dump_idle_failures: 5,
        ..Faults::default()
    }));
    let a = bind(&w, Platform::Instagram, "i1", 0);
    w.ws.update(
        a.id,
        farmhand::AccountPatch {
            password: Some(Some("pw".into())),
            totp_key: Some(Some(KEY.into())),
            ..Default::default()
        },
    )
    .unwrap();
    let report = w.ws.login(&w.driver, &options()).unwrap();
    assert_eq!(
        report.outcome(a.id),
        Some(Outcome::LoggedIn),
        "{:?}",
        report.results
    );
    assert!(w
        .sessions(0, "com.instagram.android")
        .contains(&"i1".to_string()));
}

#[test]
fn a_phone_that_disconnects_mid_login_fails_only_its_account() {
    let w = World::start(&two_phones(Faults {
        drop_connection_at: Some(12),
        ..Faults::default()
    }));
    let dropped = bind(&w, Platform::TikTok, "t0", 0);
    let fine = bind(&w, Platform::TikTok, "t1", 1);
    let report = w.ws.login(&w.driver, &options()).unwrap();
    let outcome = report.outcome(dropped.id).unwrap();
    assert!(
        matches!(
            outcome,
            Outcome::DeviceOffline | Outcome::Error | Outcome::Timeout
        ),
        "{:?}",
        report.results
    );
    assert_eq!(report.outcome(fine.id), Some(Outcome::LoggedIn));
    let stored = w.ws.get(dropped.id).unwrap();
    assert!(!stored.logged_in);
    assert!(stored.last_error.is_some());
}

#[test]
fn an_expired_totp_code_is_two_factor_failed() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut scenario = two_phones(Faults::default());
    // The phones' clock is ten minutes behind: every code we compute is stale there.
    scenario.clock = Some(now - 600);
    let w = World::start(&scenario);
    let a = bind(&w, Platform::Instagram, "i1", 0);
    w.ws.update(
        a.id,
        farmhand::AccountPatch {
            password: Some(Some("pw".into())),
            totp_key: Some(Some(KEY.into())),
            ..Default::default()
        },
    )
    .unwrap();
    let report = w.ws.login(&w.driver, &options()).unwrap();
    assert_eq!(
        report.outcome(a.id),
        Some(Outcome::TwoFactorFailed),
        "{:?}",
        report.results
    );
    let stored = w.ws.get(a.id).unwrap();
    assert!(!stored.logged_in);
    assert!(!stored.last_error.unwrap().contains(KEY));
}

#[test]
fn a_disabled_account_named_explicitly_is_skipped_and_its_phone_sees_nothing() {
    let w = World::start(&two_phones(Faults::default()));
    let disabled =
        w.ws.add(
            NewAccount::new(Platform::TikTok, "t0")
                .device(w.serial(0))
                .password("pw")
                .status(Status::Disabled),
        )
        .unwrap();
    let before = w.commands(0).len();
    for workflow in 0..2 {
        let opts = RunOptions {
            accounts: AccountSelection::Ids(vec![disabled.id]),
            ..options()
        };
        let report = match workflow {
            0 => w.ws.login(&w.driver, &opts).unwrap(),
            _ => w.ws.sync_profiles(&w.driver, &opts).unwrap(),
        };
        assert_eq!(report.outcome(disabled.id), Some(Outcome::SkippedDisabled));
    }
    assert_eq!(
        w.commands(0).len(),
        before,
        "{:?}",
        &w.commands(0)[before..]
    );
    assert_eq!(w.ws.get(disabled.id).unwrap(), disabled);
    let unknown = RunOptions {
        accounts: AccountSelection::Ids(vec![farmhand::AccountId(999)]),
        ..options()
    };
    let err = w.ws.login(&w.driver, &unknown).unwrap_err();
    assert!(err.to_string().contains("999"), "{err}");
}

#[test]
fn cancel_stops_before_the_next_account() {
    let w = World::start(&two_phones(Faults::default()));
    let first = bind(&w, Platform::TikTok, "t0", 0);
    let second = bind(&w, Platform::Instagram, "i0", 0);
    let mut opts = options();
    let cancel = opts.cancel.clone();
    opts.observer = Arc::new(move |e: &Event| {
        if matches!(e, Event::AccountDone { .. }) {
            cancel.cancel();
        }
    });
    let report = w.ws.login(&w.driver, &opts).unwrap();
    assert!(report.cancelled);
    assert_eq!(report.outcome(first.id), Some(Outcome::LoggedIn));
    assert_eq!(report.outcome(second.id), Some(Outcome::Cancelled));
    let untouched = w.ws.get(second.id).unwrap();
    assert_eq!((untouched.logged_in, untouched.last_error), (false, None));
    assert!(!typed(&w.commands(0), "i0"));
}

#[test]
fn match_names_a_phone_that_is_not_connected_and_scans_only_the_chosen_ones() {
    let mut scenario = two_phones(Faults::default());
    scenario.phones[0].apps = vec![app(AppKind::TikTok, &["t0"])];
    scenario.phones[1].apps = vec![app(AppKind::TikTok, &["t1"])];
    let w = World::start(&scenario);
    let opts = RunOptions {
        phones: Some(vec![w.serial(0), "127.0.0.1:9".to_string()]),
        ..options()
    };
    let report = w.ws.match_accounts(&w.driver, &opts).unwrap();
    assert_eq!(
        report.phone_failures.len(),
        1,
        "{:?}",
        report.phone_failures
    );
    assert_eq!(report.phone_failures[0].device, "127.0.0.1:9");
    assert_eq!(report.phone_failures[0].outcome, Outcome::DeviceOffline);
    let t0 = w.ws.find(Platform::TikTok, "t0").unwrap().unwrap();
    assert_eq!(t0.device.as_deref(), Some(w.serial(0).as_str()));
    assert!(t0.logged_in);
    assert_eq!(
        w.ws.find(Platform::TikTok, "t1").unwrap(),
        None,
        "phone 1 was not chosen"
    );
    assert!(w.commands(1).is_empty(), "{:?}", w.commands(1));
}

#[test]
fn sync_of_an_account_the_app_does_not_hold_stores_it_logged_out() {
    let mut scenario = two_phones(Faults::default());
    scenario.phones[0].apps = vec![app(AppKind::TikTok, &["t1"])];
    let w = World::start(&scenario);
    let gone =
        w.ws.add(
            NewAccount::new(Platform::TikTok, "t0")
                .device(w.serial(0))
                .password("pw")
                .logged_in(true),
        )
        .unwrap();
    let report = w.ws.sync_profiles(&w.driver, &options()).unwrap();
    assert_eq!(
        report.outcome(gone.id),
        Some(Outcome::NotLoggedIn),
        "{:?}",
        report.results
    );
    let stored = w.ws.get(gone.id).unwrap();
    assert!(!stored.logged_in);
    assert_eq!(stored.stats.synced_at, None);
    assert!(stored.last_error.unwrap().contains("not logged in"));
    assert_eq!(w.sessions(0, "com.zhiliaoapp.musically"), ["t1"]);
}
