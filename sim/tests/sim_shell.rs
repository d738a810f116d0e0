//! The simulated phone's shell, driven in process through `LocalDriver`
//! (the `DeviceDriver` / `Device` traits), without TCP.

use std::time::Duration;

use farmhand::device::{Device, DeviceDriver, DeviceState, Transport};
use farmhand::ErrorKind;
use farmhand_sim::{AppKind, AppSpec, KeyCode, PhoneSpec, Scenario, SimFleet, LAUNCHER_PACKAGE};

const T: Duration = Duration::from_secs(5);

fn fleet() -> SimFleet {
    let phone = PhoneSpec {
        apps: vec![
            AppSpec::new(AppKind::Plain),
            AppSpec {
                package: Some("com.android.chrome".into()),
                ..AppSpec::new(AppKind::Plain)
            },
        ],
        ..PhoneSpec::default()
    };
    SimFleet::start(&Scenario {
        phones: vec![phone],
        ..Scenario::default()
    })
    .unwrap()
}

fn open(fleet: &SimFleet) -> Box<dyn Device> {
    fleet.local_driver().open(&fleet.serials()[0]).unwrap()
}

fn run(device: &mut Box<dyn Device>, line: &str) -> (String, String, i32) {
    let out = device.shell(line, T).unwrap();
    (out.stdout, out.stderr, out.exit_code)
}

#[test]
fn the_local_driver_lists_and_opens_phones() {
    let fleet = fleet();
    let driver = fleet.local_driver();
    let devices = driver.devices().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].serial, fleet.serials()[0]);
    assert_eq!(devices[0].state, DeviceState::Device);
    assert_eq!(
        devices[0].model.as_deref(),
        Some("Pixel_7"),
        "as adb shows it"
    );
    assert_eq!(devices[0].transport, Transport::Local);
    assert_eq!(
        driver.open("127.0.0.1:1").err().unwrap().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        driver.connect("10.0.0.1:5555").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn a_port_already_taken_is_named() {
    let first = fleet();
    let port: u16 = first.serials()[0]
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            port: Some(port),
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    };
    let err = SimFleet::start(&scenario).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device);
    assert!(
        err.to_string().contains("phones[0]: cannot listen"),
        "{err}"
    );
    let cause = std::error::Error::source(&err).expect("the socket's error is kept");
    assert_eq!(
        cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind),
        Some(std::io::ErrorKind::AddrInUse),
        "{cause:?}"
    );
}

#[test]
fn lists_quoting_redirections_and_status() {
    let fleet = fleet();
    let mut d = open(&fleet);
    assert_eq!(
        run(&mut d, "echo 'a  b' \"c $?\" d\\ e"),
        ("a  b c 0 d e\n".into(), String::new(), 0)
    );
    assert_eq!(run(&mut d, "false; echo $?").0, "1\n");
    assert_eq!(run(&mut d, "false && echo no || echo yes").0, "yes\n");
    assert_eq!(run(&mut d, "true && echo yes || echo no").0, "yes\n");
    assert_eq!(run(&mut d, "nope").2, 127);
    assert_eq!(run(&mut d, "nope").1, "/system/bin/sh: nope: not found\n");
    assert_eq!(
        run(&mut d, "nope 2>/dev/null; echo $?"),
        ("127\n".into(), String::new(), 0)
    );
    assert_eq!(
        run(&mut d, "nope > /dev/null 2>&1"),
        (String::new(), String::new(), 127)
    );
    assert_eq!(
        run(
            &mut d,
            "echo one > /sdcard/f; echo two >> /sdcard/f; cat /sdcard/f"
        )
        .0,
        "one\ntwo\n"
    );
    assert_eq!(run(&mut d, "cat < /sdcard/f | grep tw").0, "two\n");
    assert_eq!(
        run(&mut d, "nope 2> /sdcard/err; cat /sdcard/err").0,
        "/system/bin/sh: nope: not found\n"
    );
    assert_eq!(run(&mut d, "rm /sdcard/f; rm /sdcard/f; echo $?").0, "1\n");
    assert_eq!(run(&mut d, "rm -f /sdcard/f; echo $?").0, "0\n");
    assert_eq!(
        run(&mut d, "exit 42; echo unreachable"),
        (String::new(), String::new(), 42)
    );
    assert_eq!(run(&mut d, "sh -c 'exit 5'; echo $?").0, "5\n");
    let (_, err, code) = run(&mut d, "echo 'unclosed");
    assert_eq!(code, 1);
    assert!(err.starts_with("/system/bin/sh: syntax error:"), "{err}");
}

#[test]
fn sleep_timeout_and_deadlines() {
    let fleet = fleet();
    let mut d = open(&fleet);
    assert_eq!(run(&mut d, "timeout 0.1 sleep 5; echo $?").0, "124\n");
    assert_eq!(run(&mut d, "timeout 5 echo quick").0, "quick\n");
    let err = d.shell("sleep 30", Duration::from_millis(100)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(run(&mut d, "sleep x; echo $?").0, "1\n");
}

#[test]
fn device_commands_print_what_phones_print() {
    let fleet = fleet();
    let phone = fleet.phones()[0].clone();
    let mut d = open(&fleet);
    assert_eq!(run(&mut d, "getprop ro.product.model").0, "Pixel 7\n");
    assert_eq!(run(&mut d, "getprop no.such.prop").0, "\n");
    assert!(run(&mut d, "getprop")
        .0
        .contains("[ro.build.version.sdk]: [33]\n"));
    assert_eq!(
        run(&mut d, "pm list packages chrome").0,
        "package:com.android.chrome\n"
    );
    assert_eq!(run(&mut d, "wm size").0, "Physical size: 1080x2400\n");

    let focus = |d: &mut Box<dyn Device>| run(d, "dumpsys window | grep mCurrentFocus").0;
    assert!(focus(&mut d).contains(&format!("u0 {LAUNCHER_PACKAGE}/.NexusLauncherActivity}}")));
    assert_eq!(
        run(&mut d, "am start -n com.android.chrome/.MainActivity").0,
        "Starting: Intent { cmp=com.android.chrome/.MainActivity }\n"
    );
    assert_eq!(
        focus(&mut d),
        "  mCurrentFocus=Window{5f0e2a1 u0 com.android.chrome/.MainActivity}\n"
    );
    let (out, err, code) = run(&mut d, "am start -n com.nope/.Main");
    assert_eq!((code, out.contains("Error type 3")), (1, true));
    assert!(err.contains("Activity class {com.nope/.Main} does not exist"));
    run(&mut d, "am force-stop com.android.chrome");
    assert_eq!(phone.foreground_package(), LAUNCHER_PACKAGE);
    let (out, _, code) = run(
        &mut d,
        "monkey -p com.android.settings -c android.intent.category.LAUNCHER 1",
    );
    assert_eq!(code, 0);
    assert!(out.contains("Events injected: 1"));
    assert_eq!(phone.foreground_package(), "com.android.settings");
    assert_eq!(run(&mut d, "monkey -p com.nope 1").2, 252);
    let (_, err, code) = run(
        &mut d,
        "am start -a android.intent.action.VIEW -d https://example.com/x",
    );
    assert_eq!(code, 1);
    assert!(err.contains(
        "unable to resolve Intent { act=android.intent.action.VIEW dat=https://example.com/x"
    ));

    // Input reaches the foreground app; BACK from an app's root goes home.
    assert_eq!(run(&mut d, "input keyevent KEYCODE_BACK").2, 0);
    assert_eq!(phone.foreground_package(), LAUNCHER_PACKAGE);
    assert_eq!(run(&mut d, "input tap 405 450").2, 0);
    assert_eq!(phone.foreground_package(), "com.android.chrome");
    phone.key(KeyCode::Home);
    for bad in [
        "input tap x 1",
        "input tap 1",
        "input keyevent NOPE",
        "input",
        "input swipe 1 2 3",
    ] {
        assert_eq!(run(&mut d, bad).2, 1, "{bad}");
    }
    assert_eq!(run(&mut d, "input swipe 1 2 3 4 10").2, 0);
    assert_eq!(run(&mut d, "input text hello%sworld").2, 0);

    let (out, _, code) = run(&mut d, "uiautomator dump /sdcard/ui.xml");
    assert_eq!(
        (out.as_str(), code),
        ("UI hierchary dumped to: /sdcard/ui.xml\n", 0)
    );
    let xml = String::from_utf8(d.pull("/sdcard/ui.xml", T).unwrap()).unwrap();
    assert!(xml.contains("text=\"Chrome\""));
    assert_eq!(
        d.pull("/sdcard/none.xml", T).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}
