//! A whole farm at once: 64 simulated phones behind the real adb server, a
//! quarter of them slow (10x the latency) or hanging (their UI dumps never
//! answer), worked with the default options: every healthy phone's account is
//! logged in without waiting for the hanging ones, and no phone is driven twice.

mod ops_support;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use farmhand::ops::{Event, Outcome, RunOptions, DEFAULT_PARALLELISM};
use farmhand::{NewAccount, Platform};
use farmhand_sim::{Faults, Latency, PhoneSpec, PlatformAccount, Scenario};
use ops_support::World;

const PHONES: usize = 64;
// The default options work every phone of this test at once.
const _: () = assert!(DEFAULT_PARALLELISM >= PHONES);
const FAST: Latency = Latency {
    dump_ms: 40,
    tap_ms: 10,
};
const SLOW: Latency = Latency {
    dump_ms: 400,
    tap_ms: 100,
};

/// What phone `i` is like: every fourth phone is slow or hanging, in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Healthy,
    Slow,
    Hanging,
}

fn kind(i: usize) -> Kind {
    match i % 8 {
        1 => Kind::Slow,
        5 => Kind::Hanging,
        _ => Kind::Healthy,
    }
}

fn password(i: usize) -> String {
    format!("pw-of-phone-{i}")
}

fn scenario() -> Scenario {
    let phones = (0..PHONES)
        .map(|i| match kind(i) {
            Kind::Healthy => PhoneSpec::default(),
            Kind::Slow => PhoneSpec {
                latency: Some(SLOW),
                ..PhoneSpec::default()
            },
            Kind::Hanging => PhoneSpec {
                faults: Faults {
                    hang_commands: vec!["uiautomator".into()],
                    ..Faults::default()
                },
                ..PhoneSpec::default()
            },
        })
        .collect();
    Scenario {
        accounts: (0..PHONES)
            .map(|i| PlatformAccount::new(Platform::TikTok, format!("user{i}"), password(i)))
            .collect(),
        phones,
        latency: FAST,
        ..Scenario::default()
    }
}

/// Every event with the thread that sent it.
type Recorded = Arc<Mutex<Vec<(ThreadId, Event)>>>;

#[test]
fn a_quarter_of_slow_or_hanging_phones_holds_up_no_healthy_one() {
    let w = World::start(&scenario());
    assert_eq!(w.fleet.phones()[1].latency(), SLOW);
    assert_eq!(w.fleet.phones()[0].latency(), FAST);
    let mut kind_of = BTreeMap::new();
    let mut phone_of = BTreeMap::new();
    for i in 0..PHONES {
        let account =
            w.ws.add(
                NewAccount::new(Platform::TikTok, format!("user{i}"))
                    .password(password(i))
                    .device(w.serial(i).as_str()),
            )
            .unwrap();
        kind_of.insert(account.id, kind(i));
        phone_of.insert(w.serial(i), i);
    }
    let events: Recorded = Arc::default();
    let sink = events.clone();
    let options = RunOptions {
        // Long enough that a healthy phone on a loaded machine finishes well
        // before a hanging phone's wait runs out.
        command_timeout: Duration::from_secs(15),
        screen_timeout: Duration::from_secs(15),
        observer: Arc::new(move |e: &Event| {
            sink.lock()
                .unwrap()
                .push((std::thread::current().id(), e.clone()))
        }),
        ..RunOptions::default()
    };

    let report = w.ws.login(&w.driver, &options).unwrap();

    // Every account has exactly one result: healthy and slow phones logged
    // in, hanging ones ran out of time.
    assert_eq!(report.results.len(), PHONES);
    let mut outcomes: BTreeMap<Kind, BTreeMap<Outcome, usize>> = BTreeMap::new();
    for result in &report.results {
        let kind = kind_of[&result.account.unwrap()];
        *outcomes
            .entry(kind)
            .or_default()
            .entry(result.outcome)
            .or_default() += 1;
    }
    let expected = BTreeMap::from([
        (Kind::Healthy, BTreeMap::from([(Outcome::LoggedIn, 48)])),
        (Kind::Slow, BTreeMap::from([(Outcome::LoggedIn, 8)])),
        (Kind::Hanging, BTreeMap::from([(Outcome::Timeout, 8)])),
    ]);
    assert_eq!(outcomes, expected, "{:#?}", report.results);

    let events = events.lock().unwrap();
    // One AccountDone per account, counted 1..=64 in order.
    let done: Vec<(usize, Kind)> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::AccountDone { result, done, .. } => {
                Some((*done, kind_of[&result.account.unwrap()]))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        done.iter().map(|d| d.0).collect::<Vec<_>>(),
        (1..=PHONES).collect::<Vec<_>>()
    );
    // The healthy and slow phones finished at their own pace: every one of
    // them before the first hanging phone gave up.
    let first_hanging = done.iter().position(|d| d.1 == Kind::Hanging).unwrap();
    assert!(
        done[..first_hanging].iter().all(|d| d.1 != Kind::Hanging)
            && done[first_hanging..].iter().all(|d| d.1 == Kind::Hanging),
        "a hanging phone finished before a working one: {done:?}"
    );

    // No phone driven twice: each phone's steps all come from one worker
    // thread, and each phone got its password typed exactly once (never, for
    // a phone whose screen could not be read).
    let mut workers: BTreeMap<&str, HashSet<ThreadId>> = BTreeMap::new();
    for (thread, event) in events.iter() {
        if let Event::Step { device, .. } = event {
            workers.entry(device.as_str()).or_default().insert(*thread);
        }
    }
    assert_eq!(workers.len(), PHONES, "every phone was worked");
    for (device, threads) in &workers {
        assert_eq!(threads.len(), 1, "{device} was driven by {threads:?}");
    }
    for (serial, &i) in &phone_of {
        let typed = w
            .commands(i)
            .iter()
            .filter(|c| c.contains(&password(i)))
            .count();
        let expected = if kind(i) == Kind::Hanging { 0 } else { 1 };
        assert_eq!(
            typed,
            expected,
            "password typed on {serial} ({:?})",
            kind(i)
        );
    }
}
