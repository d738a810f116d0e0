//! Faults and latencies of simulated phones, seen through the real adb server
//! and in process.

use std::process::Output;
use std::time::{Duration, Instant};

use farmhand::device::{DeviceDriver, DeviceState};
use farmhand::{ErrorKind, Platform};
use farmhand_sim::{
    AdbServer, AppKind, AppSpec, Faults, Latency, PhoneSpec, PlatformAccount, Scenario, SimFleet,
    IDLE_STATE_ERROR,
};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn connected(scenario: &Scenario) -> (SimFleet, AdbServer) {
    let fleet = SimFleet::start(scenario).expect("fleet starts");
    let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
    for serial in fleet.serials() {
        adb.connect(&serial).expect("adb connect");
    }
    (fleet, adb)
}

fn shell(adb: &AdbServer, serial: &str, command: &str) -> Output {
    adb.run(&["-s", serial, "shell", command])
        .expect("adb runs")
}

/// Polls `check` every 50 ms for at most `limit`; a bound on waiting, not a timing assertion.
fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

#[test]
fn a_dropped_connection_fails_that_command_and_the_phone_can_be_reconnected() {
    let (fleet, adb) = connected(&Scenario::with_phones(2));
    let (serial, other) = (&fleet.serials()[0], &fleet.serials()[1]);
    let phone = &fleet.phones()[0];
    phone.set_faults(Faults {
        drop_connection_at: Some(1),
        ..Faults::default()
    });
    let out = shell(&adb, serial, "echo never");
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        phone.last_connection_error().as_deref(),
        Some("dropped by a fault")
    );
    // The other phone did not notice.
    assert_eq!(text(&shell(&adb, other, "echo fine").stdout), "fine\n");
    // The fault fired once: reconnecting brings the phone back.
    assert!(eventually(Duration::from_secs(20), || {
        let _ = adb.run(&["connect", serial]);
        text(&shell(&adb, serial, "echo back").stdout) == "back\n"
    }));
}

#[test]
fn an_offline_phone_comes_back() {
    let (fleet, adb) = connected(&Scenario::with_phones(1));
    let serial = &fleet.serials()[0];
    let phone = &fleet.phones()[0];
    phone.set_faults(Faults {
        offline_at: Some(1),
        offline_ms: 4000,
        ..Faults::default()
    });
    let out = shell(&adb, serial, "echo lost");
    assert_ne!(out.status.code(), Some(0));
    assert!(!phone.is_online());
    let driver = fleet.local_driver();
    assert_eq!(driver.devices().unwrap()[0].state, DeviceState::Offline);
    let mut device = driver.open(serial).unwrap();
    assert_eq!(
        device
            .shell("echo", Duration::from_secs(1))
            .unwrap_err()
            .kind(),
        ErrorKind::Device
    );
    assert!(eventually(Duration::from_secs(20), || phone.is_online()));
    assert!(eventually(Duration::from_secs(30), || {
        let _ = adb.run(&["connect", serial]);
        text(&shell(&adb, serial, "echo back").stdout) == "back\n"
    }));
}

#[test]
fn hung_commands_answer_only_to_timeouts() {
    let (fleet, adb) = connected(&Scenario::with_phones(1));
    let serial = &fleet.serials()[0];
    fleet.phones()[0].set_faults(Faults {
        hang_commands: vec!["uiautomator".into()],
        ..Faults::default()
    });
    let out = shell(&adb, serial, "timeout 0.3 uiautomator dump; echo status=$?");
    assert_eq!(text(&out.stdout), "status=124\n");
    let mut device = fleet.local_driver().open(serial).unwrap();
    let err = device
        .shell("uiautomator dump", Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    // Other commands still answer.
    assert_eq!(text(&shell(&adb, serial, "echo ok").stdout), "ok\n");
}

#[test]
fn dumps_fail_with_the_idle_state_error_as_many_times_as_asked() {
    let (fleet, adb) = connected(&Scenario::with_phones(1));
    let serial = &fleet.serials()[0];
    fleet.phones()[0].set_faults(Faults {
        dump_idle_failures: 2,
        ..Faults::default()
    });
    for _ in 0..2 {
        let out = shell(&adb, serial, "uiautomator dump");
        assert_eq!(text(&out.stderr), format!("{IDLE_STATE_ERROR}\n"));
        assert_eq!(text(&out.stdout), "");
    }
    let out = shell(&adb, serial, "uiautomator dump");
    assert_eq!(
        text(&out.stdout),
        "UI hierchary dumped to: /sdcard/window_dump.xml\n"
    );
}

#[test]
fn the_home_feed_never_goes_idle() {
    let scenario = Scenario {
        accounts: vec![PlatformAccount::new(Platform::TikTok, "alice", "pw")],
        phones: vec![PhoneSpec {
            apps: vec![AppSpec {
                logged_in: vec!["alice".into()],
                ..AppSpec::new(AppKind::TikTok)
            }],
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    };
    let (fleet, adb) = connected(&scenario);
    let serial = &fleet.serials()[0];
    shell(
        &adb,
        serial,
        "monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1",
    );
    let out = shell(&adb, serial, "uiautomator dump");
    assert_eq!(
        text(&out.stderr),
        format!("{IDLE_STATE_ERROR}\n"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_wrong_language_fault_reaches_the_apps() {
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            faults: Faults {
                language: Some("es".into()),
                ..Faults::default()
            },
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    };
    let (fleet, adb) = connected(&scenario);
    let serial = &fleet.serials()[0];
    assert_eq!(
        text(&shell(&adb, serial, "getprop persist.sys.locale").stdout),
        "es\n"
    );
    fleet.phones()[0].set_faults(Faults {
        language: Some("de".into()),
        ..Faults::default()
    });
    assert_eq!(fleet.phones()[0].language(), "de");
}

#[test]
fn latencies_hold_dumps_and_taps_back() {
    let scenario = Scenario {
        latency: Latency {
            dump_ms: 60_000,
            tap_ms: 60_000,
        },
        ..Scenario::with_phones(1)
    };
    let (fleet, adb) = connected(&scenario);
    let serial = &fleet.serials()[0];
    // A minute-long dump or tap is still running when a short timeout cuts it.
    let out = shell(
        &adb,
        serial,
        "timeout 0.2 uiautomator dump; echo $?; timeout 0.2 input tap 1 1; echo $?",
    );
    assert_eq!(text(&out.stdout), "124\n124\n");
    assert!(fleet.phones()[0]
        .read_file("/sdcard/window_dump.xml")
        .is_none());
}
