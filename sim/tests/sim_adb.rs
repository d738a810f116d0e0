//! Simulated phones reached through the real `adb` server and command line.

use std::process::Output;

use farmhand_sim::{AdbServer, AppKind, AppSpec, PhoneSpec, Scenario, SimFleet};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn plain_phone(model: &str) -> PhoneSpec {
    PhoneSpec {
        model: model.into(),
        apps: vec![
            AppSpec::new(AppKind::Plain),
            AppSpec {
                package: Some("com.android.chrome".into()),
                ..AppSpec::new(AppKind::Plain)
            },
        ],
        ..PhoneSpec::default()
    }
}

fn fleet_of(models: &[&str]) -> (SimFleet, AdbServer) {
    let scenario = Scenario {
        phones: models.iter().map(|m| plain_phone(m)).collect(),
        ..Scenario::default()
    };
    let fleet = SimFleet::start(&scenario).expect("fleet starts");
    let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
    for serial in fleet.serials() {
        adb.connect(&serial).expect("adb connect");
    }
    (fleet, adb)
}

fn shell(adb: &AdbServer, serial: &str, command: &str) -> Output {
    adb.run(&["-s", serial, "shell", command])
        .expect("adb shell runs")
}

#[test]
fn adb_devices_lists_the_phones_with_their_models() {
    let (fleet, adb) = fleet_of(&["Pixel 7", "SM-G991B"]);
    let out = adb.run(&["devices", "-l"]).unwrap();
    let listing = text(&out.stdout);
    let serials = fleet.serials();
    let line_of = |serial: &str| {
        listing
            .lines()
            .find(|l| l.starts_with(serial))
            .unwrap_or_else(|| panic!("{serial} missing from:\n{listing}"))
            .to_string()
    };
    let first = line_of(&serials[0]);
    assert!(first.contains(" device "), "{first}");
    assert!(first.contains("model:Pixel_7"), "{first}");
    assert!(first.contains("product:panther"), "{first}");
    assert!(line_of(&serials[1]).contains("model:SM_G991B"));
    assert_ne!(adb.port(), 5037);
}

#[test]
fn adb_shell_returns_output_and_exit_codes() {
    let (fleet, adb) = fleet_of(&["Pixel 7"]);
    let serial = &fleet.serials()[0];

    let out = shell(&adb, serial, "echo hello; getprop ro.product.model");
    assert_eq!(text(&out.stdout), "hello\nPixel 7\n");
    assert_eq!(out.status.code(), Some(0));

    let out = shell(&adb, serial, "exit 3");
    assert_eq!(out.status.code(), Some(3));

    let out = shell(&adb, serial, "frobnicate --now");
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(text(&out.stderr), "/system/bin/sh: frobnicate: not found\n");

    let out = shell(&adb, serial, "false || echo rescued && echo $?");
    assert_eq!(text(&out.stdout), "rescued\n0\n");

    let out = shell(&adb, serial, "cat /nope 2>&1; echo status=$?");
    assert_eq!(
        text(&out.stdout),
        "cat: /nope: No such file or directory\nstatus=1\n"
    );

    let out = shell(&adb, serial, "pm list packages");
    assert_eq!(
        text(&out.stdout),
        "package:com.android.settings\npackage:com.android.chrome\n"
    );
    let out = shell(&adb, serial, "wm size");
    assert_eq!(text(&out.stdout), "Physical size: 1080x2400\n");

    // adb joins the arguments with spaces, as it does for real phones.
    let out = adb
        .run(&["-s", serial, "shell", "echo", "'a  b'", "c"])
        .unwrap();
    assert_eq!(text(&out.stdout), "a  b c\n");
}

#[test]
fn adb_pull_fetches_a_dumped_screen_and_push_writes_a_file() {
    let (fleet, adb) = fleet_of(&["Pixel 7"]);
    let serial = &fleet.serials()[0];
    let out = shell(&adb, serial, "am start -n com.android.chrome/.Main");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = shell(&adb, serial, "uiautomator dump");
    assert_eq!(
        text(&out.stdout),
        "UI hierchary dumped to: /sdcard/window_dump.xml\n"
    );

    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("screen.xml");
    let out = adb
        .run(&[
            "-s",
            serial,
            "pull",
            "/sdcard/window_dump.xml",
            local.to_str().unwrap(),
        ])
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let xml = std::fs::read_to_string(&local).unwrap();
    assert!(xml.starts_with(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    ));
    assert!(xml.contains("package=\"com.android.chrome\""), "{xml}");
    assert_eq!(xml, fleet.phones()[0].dump_xml().unwrap());

    let out = adb
        .run(&[
            "-s",
            serial,
            "pull",
            "/sdcard/missing.xml",
            local.to_str().unwrap(),
        ])
        .unwrap();
    assert!(!out.status.success());
    // adb 29 prints transfer errors through its line printer, on stdout.
    assert!(
        text(&out.stdout).contains(
            "failed to stat remote object '/sdcard/missing.xml': No such file or directory"
        ),
        "{}",
        text(&out.stdout)
    );

    // A file larger than one sync chunk and one transport payload goes both ways intact.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let up = dir.path().join("big.bin");
    std::fs::write(&up, &big).unwrap();
    let out = adb
        .run(&[
            "-s",
            serial,
            "push",
            up.to_str().unwrap(),
            "/sdcard/big.bin",
        ])
        .unwrap();
    assert!(
        out.status.success(),
        "{:?} {}{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(
        fleet.phones()[0].read_file("/sdcard/big.bin").as_deref(),
        Some(&big[..])
    );
    let down = dir.path().join("back.bin");
    let out = adb
        .run(&[
            "-s",
            serial,
            "pull",
            "/sdcard/big.bin",
            down.to_str().unwrap(),
        ])
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&down).unwrap(), big);

    // A directory comes down whole (LIST + RECV per file).
    let phone = &fleet.phones()[0];
    phone
        .write_file("/sdcard/dumps/a.xml", b"<a/>".to_vec())
        .unwrap();
    phone
        .write_file("/sdcard/dumps/b.xml", b"<b/>".to_vec())
        .unwrap();
    let out = adb
        .run(&[
            "-s",
            serial,
            "pull",
            "/sdcard/dumps",
            dir.path().to_str().unwrap(),
        ])
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert_eq!(
        std::fs::read(dir.path().join("dumps/b.xml")).unwrap(),
        b"<b/>"
    );
    assert_eq!(
        text(&shell(&adb, serial, "ls /sdcard/dumps").stdout),
        "a.xml\nb.xml\n"
    );

    let out = adb
        .run(&["-s", serial, "exec-out", "uiautomator dump /dev/tty"])
        .unwrap();
    assert!(text(&out.stdout).starts_with("<?xml"));
    assert!(text(&out.stdout).ends_with("</hierarchy>UI hierchary dumped to: /dev/tty\n"));
}

#[test]
fn a_hundred_concurrent_shells_across_ten_phones_all_complete() {
    let models: Vec<String> = (0..10).map(|i| format!("Sim {i}")).collect();
    let refs: Vec<&str> = models.iter().map(String::as_str).collect();
    let (fleet, adb) = fleet_of(&refs);
    let serials = fleet.serials();
    let results: Vec<(usize, Output)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..100)
            .map(|i| {
                let serial = serials[i % 10].clone();
                let adb = &adb;
                scope.spawn(move || {
                    let out = adb
                        .run(&[
                            "-s",
                            &serial,
                            "shell",
                            &format!("echo job {i}; getprop ro.product.model; exit {}", i % 7),
                        ])
                        .unwrap();
                    (i, out)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.len(), 100);
    for (i, out) in results {
        assert_eq!(
            text(&out.stdout),
            format!("job {i}\nSim {}\n", i % 10),
            "job {i}: {}",
            text(&out.stderr)
        );
        assert_eq!(out.status.code(), Some((i % 7) as i32));
    }
}
