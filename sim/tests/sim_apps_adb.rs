//! The simulated apps reached as real phones are: a `SimFleet` registered with
//! the real `adb` server (Debian package `adb`, private port), driven through
//! our `AdbDriver` and checked with the `adb` command line.

mod sim_apps_support;

use farmhand::device::{AdbDriver, DeviceDriver, Selector};
use farmhand::secret::totp;
use farmhand_sim::{AdbServer, AppKind, PhoneSpec, Scenario, SimFleet};
use sim_apps_support::*;

/// Two phones: Instagram + TikTok (alice logged in) on both, the fixed clock.
fn fleet() -> (SimFleet, AdbServer) {
    let phone = PhoneSpec {
        apps: vec![
            app(AppKind::Instagram, &[]),
            app(AppKind::TikTok, &["alice"]),
        ],
        ..PhoneSpec::default()
    };
    let scenario = Scenario {
        accounts: accounts(),
        phones: vec![phone.clone(), phone],
        clock: Some(NOW),
        ..Scenario::default()
    };
    let fleet = SimFleet::start(&scenario).expect("fleet starts");
    let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
    for serial in fleet.serials() {
        adb.connect(&serial).expect("adb connect");
    }
    (fleet, adb)
}

fn ig(name: &str) -> Selector {
    Selector::new().id(format!("com.instagram.android:id/{name}"))
}

#[test]
fn instagram_2fa_login_and_profile_through_the_adb_server() {
    let (fleet, adb) = fleet();
    let driver = AdbDriver::with_server(adb.addr());
    let serial = fleet.serials()[1].clone();
    let sim = fleet.phone(&serial).expect("phone of the fleet").clone();
    let phone = Phone::with_device(sim, driver.open(&serial).expect("adb opens the phone"));

    phone.launch(INSTAGRAM);
    assert_eq!(phone.foreground(), INSTAGRAM);
    phone.tap(&ig("login_username"));
    phone.type_text("ivy@example.com");
    phone.tap(&ig("password"));
    phone.type_text("ivy-pw");
    phone.tap(&ig("next_button"));
    phone.tap(&Selector::new().class("android.widget.EditText"));
    phone.type_text(&totp(IVY_SECRET, NOW).unwrap());
    phone.tap(
        &Selector::new()
            .class("android.widget.Button")
            .text("Continue"),
    );
    phone.tap_text("Not now");
    assert!(phone.dump_fails_not_idle());
    phone.tap_at(PROFILE_TAB.0, PROFILE_TAB.1);
    let tree = phone.dump();
    assert_eq!(ig("action_bar_title").find(&tree).unwrap().text, "ivy");
    assert_eq!(
        ig("row_profile_header_textview_followers_count")
            .find(&tree)
            .unwrap()
            .text,
        "123K"
    );
    assert_eq!(phone.logged_in(INSTAGRAM), ["ivy"]);
    let other = fleet.phone(&fleet.serials()[0]).unwrap();
    assert!(
        other.logged_in(INSTAGRAM).unwrap().is_empty(),
        "one phone only"
    );

    // The adb command line sees the same screen: pull the dump the phone wrote.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("window_dump.xml");
    let out = adb
        .run(&[
            "-s",
            &serial,
            "pull",
            "/sdcard/window_dump.xml",
            local.to_str().unwrap(),
        ])
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let pulled = std::fs::read_to_string(&local).unwrap();
    assert!(pulled.contains(r#"resource-id="com.instagram.android:id/action_bar_title""#));
    assert!(pulled.contains(r#"text="123K""#));
    assert!(!pulled.contains("ivy-pw"));
}

#[test]
fn the_tiktok_feed_fails_dumps_over_adb_and_the_profile_tab_still_works() {
    let (fleet, adb) = fleet();
    let serial = &fleet.serials()[0];
    let shell = |command: &str| adb.run(&["-s", serial, "shell", command]).unwrap();

    let out = shell("monkey -p com.zhiliaoapp.musically -c android.intent.category.LAUNCHER 1");
    assert!(out.status.success(), "{out:?}");
    let out = shell("uiautomator dump /sdcard/window_dump.xml");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed.contains("ERROR: could not get idle state."),
        "{printed}"
    );

    let (x, y) = PROFILE_TAB;
    assert!(shell(&format!("input tap {x} {y}")).status.success());
    let out = shell("uiautomator dump /sdcard/window_dump.xml && cat /sdcard/window_dump.xml");
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.contains(r#"text="@alice""#), "{xml}");
    assert!(xml.contains(r#"text="12.5K""#));
    assert!(xml.contains(r#"package="com.zhiliaoapp.musically""#));
}
