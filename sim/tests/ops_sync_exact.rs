//! `sync_profiles` through the real adb server: an exact number stored from a
//! sheet stays when the app shows a rounded display that agrees with it, and
//! is replaced when the display rules it out.

mod ops_support;

use farmhand::account::{AccountPatch, NewAccount, ProfileStats};
use farmhand::ops::Outcome;
use farmhand::Platform;
use farmhand_sim::{AppKind, PhoneSpec, PlatformAccount, Scenario};
use ops_support::*;

#[test]
fn a_rounded_display_never_overwrites_an_exact_stored_count_it_agrees_with() {
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            apps: vec![app(AppKind::TikTok, &["alice"])],
            ..PhoneSpec::default()
        }],
        accounts: vec![PlatformAccount {
            followers: 1_234_567,
            following: 1_234,
            likes: 3_456_789,
            ..platform_account(Platform::TikTok, "alice", "apw")
        }],
        ..Scenario::default()
    };
    let w = World::start(&scenario);
    let alice =
        w.ws.add(
            NewAccount::new(Platform::TikTok, "alice")
                .device(w.serial(0))
                .logged_in(true),
        )
        .unwrap();
    let stored = ProfileStats {
        followers: Some(1_234_567),
        following: Some(1_000),
        hearts: Some(9_999_999),
        ..ProfileStats::default()
    };
    w.ws.update(
        alice.id,
        AccountPatch {
            stats: Some(stored),
            ..AccountPatch::default()
        },
    )
    .unwrap();

    let report = w.ws.sync_profiles(&w.driver, &options()).unwrap();
    assert_eq!(
        report.outcome(alice.id),
        Some(Outcome::Synced),
        "{report:#?}"
    );
    let stats = w.ws.get(alice.id).unwrap().stats;
    // The app shows 1.2M: the stored exact number agrees and stays.
    assert_eq!(stats.followers, Some(1_234_567));
    // 1,234 is shown in full: it replaces the stale 1,000.
    assert_eq!(stats.following, Some(1_234));
    // 3.4M rules out 9,999,999: the display's value is stored.
    assert_eq!(stats.hearts, Some(3_400_000));
}
