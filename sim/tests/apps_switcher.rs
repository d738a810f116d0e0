//! The account switcher as the app drivers read it: every account the app
//! holds, by username, whatever nicknames the rows also show.

mod sim_apps_support;

use std::sync::Arc;

use farmhand::account::Platform;
use farmhand::apps::instagram::Instagram;
use farmhand::apps::tiktok::TikTok;
use farmhand::device::{Device, DeviceDriver};
use farmhand_sim::{
    AppCatalog, AppKind, Clock, Latency, LocalDriver, PhoneSpec, PlatformAccount, SimPhone,
};
use sim_apps_support::{app, NOW};

/// Accounts whose nicknames look like usernames: one word, no spaces.
fn accounts() -> Vec<PlatformAccount> {
    let mut list = Vec::new();
    for platform in [Platform::TikTok, Platform::Instagram] {
        for (name, nickname) in [("amy", "Zed"), ("bo_b", "mike.s"), ("cy", "cy")] {
            list.push(PlatformAccount {
                nickname: Some(nickname.into()),
                ..PlatformAccount::new(platform, name, "pw")
            });
        }
    }
    list
}

fn phone() -> Box<dyn Device> {
    let spec = PhoneSpec {
        apps: vec![
            app(AppKind::TikTok, &["amy", "bo_b", "cy"]),
            app(AppKind::Instagram, &["amy", "bo_b", "cy"]),
        ],
        ..PhoneSpec::default()
    };
    let sim = SimPhone::new(
        "127.0.0.1:5555",
        &spec,
        accounts().into(),
        Latency::default(),
        Clock::Fixed(NOW),
        &AppCatalog::builtin(),
    )
    .expect("phone builds");
    LocalDriver::new(vec![Arc::new(sim)])
        .open("127.0.0.1:5555")
        .expect("phone opens")
}

#[test]
fn one_word_nicknames_are_not_taken_for_accounts() {
    let mut dev = phone();
    for driver in [TikTok::driver(None), Instagram::driver(None)] {
        let mut held = driver.accounts(dev.as_mut()).expect("accounts");
        held.sort();
        assert_eq!(held, ["amy", "bo_b", "cy"], "{:?}", driver.platform());
        // Switching finds the row by its username, not by a nickname.
        assert!(driver.switch_to(dev.as_mut(), "bo_b").expect("switch"));
        assert!(!driver.switch_to(dev.as_mut(), "Zed").expect("switch"));
        assert_eq!(
            driver.current_account(dev.as_mut()).unwrap().as_deref(),
            Some("bo_b")
        );
    }
}
