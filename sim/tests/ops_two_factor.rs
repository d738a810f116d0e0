//! The 2FA path of both apps, end to end through the real adb server: the
//! login workflow types the authenticator code the key gives now, and an
//! account whose key is wrong or missing ends `two_factor_failed`.

mod ops_support;

use farmhand::account::NewAccount;
use farmhand::ops::Outcome;
use farmhand::{Platform, Secret};
use farmhand_sim::{AppKind, PhoneSpec, PlatformAccount, Scenario};
use ops_support::*;

fn scenario() -> Scenario {
    let with_2fa = |platform, name: &str| PlatformAccount {
        totp_secret: Some(Secret::new(KEY)),
        ..platform_account(platform, name, "pw")
    };
    Scenario {
        phones: vec![PhoneSpec {
            apps: vec![app(AppKind::TikTok, &[]), app(AppKind::Instagram, &[])],
            ..PhoneSpec::default()
        }],
        accounts: vec![
            with_2fa(Platform::TikTok, "tt_key"),
            with_2fa(Platform::TikTok, "tt_wrongkey"),
            with_2fa(Platform::TikTok, "tt_nokey"),
            with_2fa(Platform::Instagram, "ig_key"),
        ],
        ..Scenario::default()
    }
}

#[test]
fn both_apps_log_in_with_the_authenticator_code_and_refuse_a_wrong_key() {
    let w = World::start(&scenario());
    let add = |platform, name: &str, key: Option<&str>| {
        let mut new = NewAccount::new(platform, name)
            .device(w.serial(0))
            .password("pw");
        if let Some(key) = key {
            new = new.totp_key(key);
        }
        w.ws.add(new).unwrap()
    };
    let tt_key = add(Platform::TikTok, "tt_key", Some(KEY));
    let tt_wrong = add(Platform::TikTok, "tt_wrongkey", Some(OTHER_KEY));
    let tt_none = add(Platform::TikTok, "tt_nokey", None);
    let ig_key = add(Platform::Instagram, "ig_key", Some(KEY));

    let report = w.ws.login(&w.driver, &options()).unwrap();
    assert_eq!(
        report.outcome(tt_key.id),
        Some(Outcome::LoggedIn),
        "{report:#?}"
    );
    assert_eq!(
        report.outcome(ig_key.id),
        Some(Outcome::LoggedIn),
        "{report:#?}"
    );
    assert_eq!(report.outcome(tt_wrong.id), Some(Outcome::TwoFactorFailed));
    assert_eq!(report.outcome(tt_none.id), Some(Outcome::TwoFactorFailed));
    assert!(w.ws.get(tt_key.id).unwrap().logged_in);
    assert!(!w.ws.get(tt_wrong.id).unwrap().logged_in);
    let mut sessions = w.sessions(0, "com.zhiliaoapp.musically");
    sessions.sort();
    assert_eq!(sessions, ["tt_key"]);
    assert_eq!(w.sessions(0, "com.instagram.android"), ["ig_key"]);
    // The key itself never reaches the phone: only six-digit codes are typed.
    assert!(!typed(&w.commands(0), KEY));
}
