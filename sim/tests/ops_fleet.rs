//! End to end: 10 simulated phones through the real adb server, 30 accounts
//! (TikTok and Instagram, some with 2FA, some already logged in, some
//! disabled, some failing), `login` + `match_accounts` + `sync_profiles`, and
//! the stored results checked field by field.

mod ops_support;

use std::collections::BTreeMap;

use farmhand::ops::{Event, Outcome};
use farmhand::store::AccountFilter;
use farmhand::{Account, NewAccount, Platform, Secret, Status};
use farmhand_sim::{AppKind, AppSpec, PhoneSpec, PlatformAccount, Scenario};
use ops_support::*;

const FOLLOWERS: [u64; 10] = [
    0, 987, 1234, 12_500, 250_000, 3_400_000, 42, 7, 10_000, 1_500_000,
];
const CLONE: &str = "com.zhiliaoapp.musically.lite";

/// The platforms' side: who exists, with which password and numbers.
fn world_accounts() -> Vec<PlatformAccount> {
    let mut accounts = Vec::new();
    for i in 0..10u64 {
        let mut a = platform_account(Platform::TikTok, &format!("tt{i}"), &format!("tpw{i}"));
        a.followers = FOLLOWERS[i as usize];
        a.following = i * 3;
        a.likes = i * 100;
        a.nickname = Some(format!("TT {i}"));
        if i % 2 == 0 {
            a.email = Some(format!("tt{i}@example.com"));
        }
        accounts.push(a);
    }
    for i in 0..9u64 {
        let mut a = platform_account(Platform::Instagram, &format!("ig{i}"), &format!("ipw{i}"));
        a.followers = FOLLOWERS[9 - i as usize];
        a.following = 5;
        a.posts = i;
        a.nickname = Some(format!("IG {i}"));
        if i % 3 == 0 {
            a.totp_secret = Some(Secret::new(KEY));
        }
        accounts.push(a);
    }
    let mut logged = platform_account(Platform::TikTok, "tt_logged", "lpw");
    logged.followers = 12_500;
    accounts.push(logged);
    let mut bad_2fa = platform_account(Platform::Instagram, "ig_2fa_bad", "bpw");
    bad_2fa.totp_secret = Some(Secret::new(KEY));
    accounts.push(bad_2fa);
    accounts.push(platform_account(Platform::TikTok, "tt_wrongpw", "right"));
    let mut captcha = platform_account(Platform::TikTok, "tt_captcha", "cpw");
    captcha.challenge = true;
    accounts.push(captcha);
    let mut limited = platform_account(Platform::Instagram, "ig_ratelimited", "rpw");
    limited.rate_limited = true;
    accounts.push(limited);
    accounts.push(platform_account(Platform::TikTok, "tt_disabled", "dpw"));
    accounts.push(platform_account(Platform::Instagram, "ig_disabled", "dpw"));
    accounts.push(platform_account(Platform::Instagram, "ig_noapp", "npw"));
    let mut found = platform_account(Platform::Instagram, "ig_found", "fpw");
    found.followers = 1234;
    found.posts = 3;
    accounts.push(found);
    accounts.push(platform_account(Platform::TikTok, "tt_clone", "kpw"));
    accounts
}

fn scenario() -> Scenario {
    let phones = (0..10)
        .map(|i| {
            let tiktok: &[&str] = if i == 0 { &["tt_logged"] } else { &[] };
            let instagram: &[&str] = match i {
                3 => &["ig_found"],
                7 => &["ig_disabled"],
                _ => &[],
            };
            let mut apps = vec![app(AppKind::TikTok, tiktok)];
            if i != 9 {
                apps.push(app(AppKind::Instagram, instagram));
            }
            if i == 4 {
                apps.push(AppSpec {
                    package: Some(CLONE.into()),
                    ..app(AppKind::TikTok, &["tt_clone"])
                });
            }
            PhoneSpec {
                model: format!("Phone {i}"),
                apps,
                ..PhoneSpec::default()
            }
        })
        .collect();
    Scenario {
        accounts: world_accounts(),
        phones,
        ..Scenario::default()
    }
}

/// The roster: 30 accounts bound to the phones.
fn roster(w: &World) {
    let add = |new: NewAccount| w.ws.add(new).unwrap();
    for i in 0..10 {
        let mut new = NewAccount::new(Platform::TikTok, format!("tt{i}"))
            .device(w.serial(i))
            .password(format!("tpw{i}").as_str());
        if i % 2 == 0 {
            new = new.email(format!("tt{i}@example.com"));
        }
        add(new);
    }
    for i in 0..9 {
        let mut new = NewAccount::new(Platform::Instagram, format!("ig{i}"))
            .device(w.serial(i))
            .password(format!("ipw{i}").as_str());
        if i % 3 == 0 {
            new = new.totp_key(KEY);
        }
        add(new);
    }
    add(NewAccount::new(Platform::TikTok, "tt_logged")
        .device(w.serial(0))
        .password("lpw"));
    add(NewAccount::new(Platform::Instagram, "ig_2fa_bad")
        .device(w.serial(1))
        .password("bpw")
        .totp_key(OTHER_KEY));
    add(NewAccount::new(Platform::TikTok, "tt_wrongpw")
        .device(w.serial(2))
        .password("nottheone"));
    add(NewAccount::new(Platform::TikTok, "tt_unknown")
        .device(w.serial(3))
        .password("upw"));
    add(NewAccount::new(Platform::TikTok, "tt_captcha")
        .device(w.serial(4))
        .password("cpw"));
    add(NewAccount::new(Platform::Instagram, "ig_ratelimited")
        .device(w.serial(5))
        .password("rpw"));
    add(NewAccount::new(Platform::TikTok, "tt_disabled")
        .device(w.serial(6))
        .password("dpw")
        .status(Status::Disabled));
    add(NewAccount::new(Platform::Instagram, "ig_disabled")
        .device(w.serial(7))
        .password("dpw")
        .status(Status::Disabled));
    add(NewAccount::new(Platform::TikTok, "tt_unbound").password("xpw"));
    add(NewAccount::new(Platform::TikTok, "tt_ghost")
        .device("127.0.0.1:9")
        .password("gpw"));
    add(NewAccount::new(Platform::Instagram, "ig_noapp")
        .device(w.serial(9))
        .password("npw"));
    assert_eq!(w.ws.count(&AccountFilter::default()).unwrap(), 30);
}

fn get(w: &World, platform: Platform, name: &str) -> Account {
    w.ws.find(platform, name)
        .unwrap()
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn no_command_mentions(w: &World, names: &[&str]) {
    for i in 0..10 {
        let commands = w.commands(i);
        for name in names {
            assert!(
                !commands.iter().any(|c| c.contains(name)),
                "phone {i} saw a command for {name}: {:?}",
                commands
                    .iter()
                    .filter(|c| c.contains(name))
                    .collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn login_match_and_sync_across_ten_phones() {
    let w = World::start(&scenario());
    roster(&w);
    let disabled_before: Vec<Account> = ["tt_disabled", "ig_disabled"]
        .iter()
        .zip([Platform::TikTok, Platform::Instagram])
        .map(|(n, p)| get(&w, p, n))
        .collect();

    // --- login: every account that is not logged in (all 30).
    let (recorded, events) = recorded_options();
    let report = w.ws.login(&w.driver, &recorded).unwrap();
    let outcome = |p: Platform, n: &str| report.outcome(get(&w, p, n).id).unwrap();
    let mut expected: BTreeMap<(Platform, String), Outcome> = BTreeMap::new();
    for i in 0..10 {
        expected.insert((Platform::TikTok, format!("tt{i}")), Outcome::LoggedIn);
    }
    for i in 0..9 {
        expected.insert((Platform::Instagram, format!("ig{i}")), Outcome::LoggedIn);
    }
    for (p, n, o) in [
        (Platform::TikTok, "tt_logged", Outcome::AlreadyLoggedIn),
        (Platform::Instagram, "ig_2fa_bad", Outcome::TwoFactorFailed),
        (Platform::TikTok, "tt_wrongpw", Outcome::WrongPassword),
        (Platform::TikTok, "tt_unknown", Outcome::UnknownUser),
        (Platform::TikTok, "tt_captcha", Outcome::ChallengeRequired),
        (Platform::Instagram, "ig_ratelimited", Outcome::RateLimited),
        (Platform::TikTok, "tt_disabled", Outcome::SkippedDisabled),
        (Platform::Instagram, "ig_disabled", Outcome::SkippedDisabled),
        (Platform::TikTok, "tt_unbound", Outcome::NoDevice),
        (Platform::TikTok, "tt_ghost", Outcome::DeviceOffline),
        (Platform::Instagram, "ig_noapp", Outcome::AppNotInstalled),
    ] {
        expected.insert((p, n.to_string()), o);
    }
    let got: BTreeMap<(Platform, String), Outcome> = expected
        .keys()
        .map(|(p, n)| ((*p, n.clone()), outcome(*p, n)))
        .collect();
    assert_eq!(got, expected, "reasons: {:#?}", report.results);
    assert_eq!(report.results.len(), 30);
    assert_eq!(report.summary.succeeded, 20);
    assert_eq!(report.summary.skipped, 2);
    assert_eq!(report.summary.failed, 8);
    assert!(!report.cancelled);

    // Stored, field by field.
    for i in 0..10 {
        let a = get(&w, Platform::TikTok, &format!("tt{i}"));
        assert!(a.logged_in, "tt{i}");
        assert!(a.last_login_at.is_some(), "tt{i}");
        assert_eq!(a.last_error, None, "tt{i}");
        assert!(w
            .sessions(i, "com.zhiliaoapp.musically")
            .contains(&format!("tt{i}")));
    }
    for i in 0..9 {
        let a = get(&w, Platform::Instagram, &format!("ig{i}"));
        assert!(
            a.logged_in && a.last_login_at.is_some() && a.last_error.is_none(),
            "ig{i}"
        );
        assert!(w
            .sessions(i, "com.instagram.android")
            .contains(&format!("ig{i}")));
    }
    let logged = get(&w, Platform::TikTok, "tt_logged");
    assert!(logged.logged_in);
    assert_eq!(
        logged.last_login_at, None,
        "nothing was typed for an existing session"
    );
    for (p, n, reason) in [
        (Platform::Instagram, "ig_2fa_bad", "2FA failed"),
        (Platform::TikTok, "tt_wrongpw", "wrong password"),
        (Platform::TikTok, "tt_unknown", "unknown user"),
        (Platform::TikTok, "tt_captcha", "needs verification"),
        (Platform::Instagram, "ig_ratelimited", "too many attempts"),
        (Platform::TikTok, "tt_unbound", "no device"),
        (Platform::TikTok, "tt_ghost", "device offline"),
        (Platform::Instagram, "ig_noapp", "app not installed"),
    ] {
        let a = get(&w, p, n);
        assert!(!a.logged_in, "{n}");
        assert_eq!(a.last_login_at, None, "{n}");
        let stored = a.last_error.unwrap_or_default();
        assert!(stored.contains(reason), "{n}: {stored}");
        for secret in [
            "nottheone",
            "bpw",
            OTHER_KEY,
            KEY,
            "cpw",
            "rpw",
            "upw",
            "gpw",
            "npw",
        ] {
            assert!(
                !stored.contains(secret),
                "{n}: reason leaks a secret: {stored}"
            );
        }
    }
    // The verification screen was met once, not retried.
    let captcha_logins = w.commands(4).iter().filter(|c| c.contains("cpw")).count();
    assert_eq!(captcha_logins, 1);

    // Events: started, steps, one AccountDone per account, finished with counts.
    {
        let events = events.lock().unwrap();
        // Ten phones do work; the unbound and the unknown phone's accounts get
        // results without a phone.
        assert!(
            matches!(
                events.first(),
                Some(Event::Started {
                    accounts: 30,
                    phones: 10,
                    ..
                })
            ),
            "{:?}",
            events.first()
        );
        let started = events
            .iter()
            .filter(|e| matches!(e, Event::Started { .. }))
            .count();
        assert_eq!(started, 1);
        let done = events
            .iter()
            .filter(|e| matches!(e, Event::AccountDone { .. }))
            .count();
        assert_eq!(done, 30);
        assert!(events
            .iter()
            .any(|e| matches!(e, Event::Step { step: "login", .. })));
        match events.last() {
            Some(Event::Finished {
                summary,
                cancelled: false,
                ..
            }) => assert_eq!(summary.total, 30),
            other => panic!("last event {other:?}"),
        }
    }

    // --- match_accounts: sessions found on phones become accounts.
    let report = w.ws.match_accounts(&w.driver, &options()).unwrap();
    assert!(
        report.phone_failures.is_empty(),
        "{:?}",
        report.phone_failures
    );
    let found = get(&w, Platform::Instagram, "ig_found");
    assert_eq!(found.device.as_deref(), Some(w.serial(3).as_str()));
    assert!(found.logged_in);
    assert_eq!(found.package_name, None);
    assert_eq!(report.outcome(found.id), Some(Outcome::Created));
    let clone = get(&w, Platform::TikTok, "tt_clone");
    assert_eq!(clone.device.as_deref(), Some(w.serial(4).as_str()));
    assert_eq!(clone.package_name.as_deref(), Some(CLONE));
    assert!(clone.logged_in);
    assert_eq!(report.outcome(clone.id), Some(Outcome::Created));
    assert_eq!(report.outcome(logged.id), Some(Outcome::Linked));
    assert_eq!(
        report.outcome(disabled_before[1].id),
        Some(Outcome::SkippedDisabled)
    );
    let mut created: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Created)
        .map(|r| r.username.as_str())
        .collect();
    created.sort();
    assert_eq!(created, ["ig_found", "tt_clone"]);
    assert_eq!(w.ws.count(&AccountFilter::default()).unwrap(), 32);
    // Twice: nothing new.
    let again = w.ws.match_accounts(&w.driver, &options()).unwrap();
    assert_eq!(again.summary.count(Outcome::Created), 0);
    assert_eq!(w.ws.count(&AccountFilter::default()).unwrap(), 32);

    // --- sync_profiles: every logged-in account, switching where needed.
    let report = w.ws.sync_profiles(&w.driver, &options()).unwrap();
    assert_eq!(report.summary.failed, 0, "{:#?}", report.results);
    for i in 0..10u64 {
        let a = get(&w, Platform::TikTok, &format!("tt{i}"));
        assert_eq!(report.outcome(a.id), Some(Outcome::Synced), "tt{i}");
        let s = &a.stats;
        assert_eq!(s.followers, Some(FOLLOWERS[i as usize]), "tt{i}");
        assert_eq!(s.following, Some(i * 3), "tt{i}");
        assert_eq!(s.hearts, Some(i * 100), "tt{i}");
        assert_eq!(
            s.nickname.as_deref(),
            Some(format!("TT {i}").as_str()),
            "tt{i}"
        );
        assert!(s.synced_at.is_some());
    }
    for i in 0..9u64 {
        let a = get(&w, Platform::Instagram, &format!("ig{i}"));
        let s = &a.stats;
        assert_eq!(s.followers, Some(FOLLOWERS[9 - i as usize]), "ig{i}");
        assert_eq!(s.following, Some(5), "ig{i}");
        assert_eq!(s.videos, Some(i), "ig{i}");
        assert_eq!(
            s.nickname.as_deref(),
            Some(format!("IG {i}").as_str()),
            "ig{i}"
        );
        assert_eq!(s.hearts, None, "Instagram shows no likes");
        assert!(s.synced_at.is_some());
    }
    let found = get(&w, Platform::Instagram, "ig_found");
    assert_eq!(
        (found.stats.followers, found.stats.videos),
        (Some(1234), Some(3))
    );
    assert_eq!(
        get(&w, Platform::TikTok, "tt_logged").stats.followers,
        Some(12_500)
    );

    // Disabled accounts: untouched by every workflow, no command on any phone.
    for before in &disabled_before {
        assert_eq!(&w.ws.get(before.id).unwrap(), before, "{}", before.username);
    }
    no_command_mentions(&w, &["tt_disabled", "ig_disabled", "dpw"]);
}
