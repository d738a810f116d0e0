//! Workflows lease what they drive: through the real adb server, an account
//! or a phone another controller holds is reported `busy_elsewhere` and left
//! untouched, and a run gives back every lease it took.

mod ops_support;

use std::time::Duration;

use farmhand::ops::Outcome;
use farmhand::store::{Holder, LeaseSubject};
use farmhand::{NewAccount, Platform};
use farmhand_sim::{AppKind, PhoneSpec, Scenario};
use ops_support::*;

#[test]
fn what_another_controller_holds_is_busy_elsewhere_and_untouched() {
    let scenario = Scenario {
        phones: vec![
            PhoneSpec {
                apps: vec![app(AppKind::TikTok, &[])],
                ..PhoneSpec::default()
            },
            PhoneSpec {
                apps: vec![app(AppKind::TikTok, &[])],
                ..PhoneSpec::default()
            },
        ],
        accounts: vec![
            platform_account(Platform::TikTok, "ann", "pw-ann"),
            platform_account(Platform::TikTok, "ben", "pw-ben"),
            platform_account(Platform::TikTok, "cid", "pw-cid"),
        ],
        ..Scenario::default()
    };
    let w = World::start(&scenario);
    let add = |name: &str, phone: usize| {
        w.ws.add(
            NewAccount::new(Platform::TikTok, name)
                .device(w.serial(phone))
                .password(format!("pw-{name}")),
        )
        .unwrap()
    };
    let (ann, ben, cid) = (add("ann", 0), add("ben", 0), add("cid", 1));

    // Another controller drives ben, and phone 1 (where cid is).
    let other = Holder::named("pc-2/4242").unwrap();
    let leases = w.ws.store().leases();
    let held = [
        LeaseSubject::Account(ben.id),
        LeaseSubject::Phone(w.serial(1)),
    ];
    for subject in &held {
        leases
            .acquire(subject, &other, Duration::from_secs(60))
            .unwrap();
    }

    let report = w.ws.login(&w.driver, &options()).unwrap();
    assert_eq!(report.outcome(ann.id), Some(Outcome::LoggedIn));
    assert_eq!(report.outcome(ben.id), Some(Outcome::BusyElsewhere));
    assert_eq!(report.outcome(cid.id), Some(Outcome::BusyElsewhere));
    assert_eq!(report.summary.skipped, 2);
    let reason = |id| {
        report
            .results
            .iter()
            .find(|r| r.account == Some(id))
            .and_then(|r| r.reason.clone())
            .unwrap()
    };
    assert!(reason(ben.id).contains("pc-2/4242"), "{}", reason(ben.id));
    assert!(reason(cid.id).contains(&w.serial(1)), "{}", reason(cid.id));

    // Nothing was typed for them, nor anything run on the leased phone; their
    // records are as they were, with the skip in their history.
    assert!(!typed(&w.commands(0), "pw-ben"));
    assert!(
        !w.commands(1).iter().any(|c| c.contains("input")),
        "{:?}",
        w.commands(1)
    );
    for id in [ben.id, cid.id] {
        let now = w.ws.get(id).unwrap();
        assert!(!now.logged_in && now.last_error.is_none());
        assert_eq!(
            w.ws.history(id, 1).unwrap()[0].outcome,
            Outcome::BusyElsewhere
        );
    }

    // The run gave back what it took; the other controller's leases stand.
    assert_eq!(leases.lease(&LeaseSubject::Account(ann.id)).unwrap(), None);
    assert_eq!(
        leases.lease(&LeaseSubject::Phone(w.serial(0))).unwrap(),
        None
    );
    for subject in &held {
        assert_eq!(leases.lease(subject).unwrap().unwrap().holder, "pc-2/4242");
    }

    // Once released, the next run does them.
    leases.release(&held, &other).unwrap();
    let report = w.ws.login(&w.driver, &options()).unwrap();
    assert_eq!(report.outcome(ben.id), Some(Outcome::LoggedIn));
    assert_eq!(report.outcome(cid.id), Some(Outcome::LoggedIn));
}
