//! [`DirectDriver`] end to end: adb_client's `ADBTcpDevice` carries the traffic
//! straight to simulated phones' adbd (CNXN, OPEN, WRTE over TCP), no adb server.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use farmhand::device::{DeviceDriver, DeviceState, DirectDriver, Transport};
use farmhand::ops::{Outcome, RunOptions};
use farmhand::{ErrorKind, NewAccount, Platform, Workspace};
use farmhand_sim::{AppKind, AppSpec, Faults, PhoneSpec, PlatformAccount, Scenario, SimFleet};

const LONG: Duration = Duration::from_secs(30);

/// Phones with these faults, and a driver over them with its own key in `dir`.
fn fleet(faults: &[Faults], dir: &tempfile::TempDir) -> (SimFleet, DirectDriver) {
    let scenario = Scenario {
        phones: faults
            .iter()
            .map(|f| PhoneSpec {
                faults: f.clone(),
                ..PhoneSpec::default()
            })
            .collect(),
        ..Scenario::default()
    };
    let fleet = SimFleet::start(&scenario).expect("the simulated fleet starts");
    let driver = DirectDriver::new(fleet.serials())
        .unwrap()
        .with_key(key_path(dir));
    (fleet, driver)
}

fn key_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("android").join("adbkey")
}

/// An address where nothing listens.
fn closed_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

#[test]
fn shell_gives_output_and_exit_codes_with_stderr_merged_into_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, driver) = fleet(&[Faults::default()], &dir);
    let serial = fleet.serials()[0].clone();
    let listed = driver.devices().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].serial, serial);
    assert_eq!(listed[0].state, DeviceState::Device);
    assert_eq!(listed[0].transport, Transport::Tcp);
    assert!(key_path(&dir).exists(), "the missing key was created");

    let mut phone = driver.open(&serial).unwrap();
    assert_eq!(phone.serial(), serial);
    let out = phone.shell("echo hello direct", LONG).unwrap();
    assert_eq!(out.stdout, "hello direct\n");
    assert_eq!(out.exit_code, 0);
    assert!(out.success());
    assert_eq!(phone.shell("false", LONG).unwrap().exit_code, 1);
    let missing = phone.shell("cat /sdcard/nothing-here", LONG).unwrap();
    assert_eq!(missing.exit_code, 1);
    assert!(
        missing.stdout.contains("/sdcard/nothing-here") && missing.stdout.contains("No such file"),
        "stderr arrives in stdout over shell v1: {missing:?}"
    );
    assert_eq!(missing.stderr, "");
    let unknown = phone.shell("frobnicate", LONG).unwrap();
    assert_eq!(unknown.exit_code, 127, "{unknown:?}");
    let log = fleet.phones()[0].command_log();
    assert!(
        log.iter().any(|c| c.contains("echo hello direct")),
        "{log:?}"
    );
}

#[test]
fn pull_reads_files_and_missing_ones_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, driver) = fleet(&[Faults::default()], &dir);
    let sim = &fleet.phones()[0];
    // Several sync DATA blocks (64 KiB each), with every byte value.
    let contents: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    sim.write_file("/sdcard/big.bin", contents.clone()).unwrap();
    sim.write_file("/sdcard/small.txt", b"hi\n".to_vec())
        .unwrap();
    let mut phone = driver.open(sim.serial()).unwrap();
    assert_eq!(phone.pull("/sdcard/big.bin", LONG).unwrap(), contents);
    assert_eq!(phone.pull("/sdcard/small.txt", LONG).unwrap(), b"hi\n");
    let err = phone.pull("/sdcard/absent.txt", LONG).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("/sdcard/absent.txt"), "{err}");
    // The connection is made again after the failed pull.
    assert_eq!(phone.pull("/sdcard/small.txt", LONG).unwrap(), b"hi\n");
    for bad in ["", &"x".repeat(2000), "/sdcard/a\0b"] {
        let err = phone.pull(bad, LONG).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{bad:?}");
    }
}

#[test]
fn output_past_the_limit_is_an_error_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, driver) = fleet(&[Faults::default()], &dir);
    let driver = driver.with_output_limit(1000);
    let sim = &fleet.phones()[0];
    sim.write_file("/sdcard/big.bin", vec![b'x'; 5000]).unwrap();
    let mut phone = driver.open(sim.serial()).unwrap();
    let err = phone.pull("/sdcard/big.bin", LONG).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device);
    assert!(err.to_string().contains("1000 bytes"), "{err}");
    let err = phone.shell("cat /sdcard/big.bin", LONG).unwrap_err();
    assert!(err.to_string().contains("1000 bytes"), "{err}");
    assert!(err.to_string().contains(sim.serial()), "{err}");
    assert_eq!(phone.shell("echo small", LONG).unwrap().stdout, "small\n");
    let huge = format!("echo {}", "y".repeat(300 * 1024));
    let err = phone.shell(&huge, LONG).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(
        err.to_string().len() < 300,
        "the command is not echoed: {err}"
    );
}

#[test]
fn a_hung_command_costs_its_timeout_and_the_phone_answers_again() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, driver) = fleet(
        &[Faults {
            hang_commands: vec!["uiautomator".into()],
            ..Faults::default()
        }],
        &dir,
    );
    let serial = fleet.serials()[0].clone();
    let mut phone = driver.open(&serial).unwrap();
    let timeout = Duration::from_millis(800);
    let err = phone
        .shell("uiautomator dump /sdcard/window_dump.xml", timeout)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("`uiautomator dump`") && text.contains(&serial),
        "{text}"
    );
    assert!(
        !text.contains("window_dump"),
        "arguments stay out of errors: {text}"
    );
    assert_eq!(phone.shell("echo back", LONG).unwrap().stdout, "back\n");
}

#[test]
fn a_phone_that_drops_the_connection_is_an_error_and_the_next_call_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, driver) = fleet(
        &[Faults {
            drop_connection_at: Some(2),
            ..Faults::default()
        }],
        &dir,
    );
    let serial = fleet.serials()[0].clone();
    let mut phone = driver.open(&serial).unwrap();
    assert_eq!(phone.shell("echo one", LONG).unwrap().stdout, "one\n");
    // A timeout here would mean adb_client still waits on the dead connection.
    let err = phone.shell("echo two", LONG).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(err.to_string().contains("connection lost"), "{err}");
    assert_eq!(phone.shell("echo three", LONG).unwrap().stdout, "three\n");
}

#[test]
fn a_closed_port_is_offline_and_cannot_be_opened_or_connected() {
    let dir = tempfile::tempdir().unwrap();
    let closed = closed_address();
    let driver = DirectDriver::new([closed.as_str()])
        .unwrap()
        .with_key(key_path(&dir));
    let listed = driver.devices().unwrap();
    assert_eq!(listed[0].state, DeviceState::Offline);
    let err = driver.open(&closed).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Device);
    assert!(err.to_string().contains(&closed), "{err}");
    assert!(err.to_string().contains("cannot connect"), "{err}");

    let empty = DirectDriver::new(Vec::<String>::new())
        .unwrap()
        .with_key(key_path(&dir));
    assert!(empty.connect(&closed).is_err());
    assert!(
        empty.addresses().is_empty(),
        "a failed connect adds nothing"
    );
}

#[test]
fn connect_adds_a_phone_and_disconnect_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _) = fleet(&[Faults::default()], &dir);
    let serial = fleet.serials()[0].clone();
    let driver = DirectDriver::new(Vec::<String>::new())
        .unwrap()
        .with_key(key_path(&dir));
    assert_eq!(
        driver.open(&serial).err().unwrap().kind(),
        ErrorKind::NotFound
    );
    driver.connect(&serial).unwrap();
    driver.connect(&serial).unwrap();
    assert_eq!(driver.addresses(), std::slice::from_ref(&serial));
    let mut phone = driver.open(&serial).unwrap();
    driver.disconnect(&serial).unwrap();
    assert!(driver.devices().unwrap().is_empty());
    assert_eq!(
        phone.shell("echo still", LONG).unwrap().stdout,
        "still\n",
        "an opened phone stays open"
    );
}

/// Peers that are not adbd: one sends an HTTP answer, one never says a word.
#[test]
fn a_peer_that_is_not_adbd_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let chatty = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let (chatty_addr, silent_addr) = (
        chatty.local_addr().unwrap().to_string(),
        silent.local_addr().unwrap().to_string(),
    );
    std::thread::spawn(move || {
        for conn in chatty.incoming() {
            let mut conn = conn.unwrap();
            let mut hello = [0u8; 24];
            let _ = conn.read_exact(&mut hello);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let held = std::thread::spawn(move || silent.accept().map(|(conn, _)| conn));
    let driver = DirectDriver::new([chatty_addr.as_str(), silent_addr.as_str()])
        .unwrap()
        .with_key(key_path(&dir))
        .with_connect_timeout(Duration::from_secs(1));
    let err = driver.open(&chatty_addr).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(err.to_string().contains(&chatty_addr), "{err}");
    let err = driver.open(&silent_addr).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains(&silent_addr), "{err}");
    drop(held);
}

#[test]
fn a_bad_key_file_is_named_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, driver) = fleet(&[Faults::default()], &dir);
    std::fs::create_dir_all(key_path(&dir).parent().unwrap()).unwrap();
    std::fs::write(key_path(&dir), "not a key at all").unwrap();
    let err = driver.open(&fleet.serials()[0]).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("adbkey"), "{err}");
    assert!(!err.to_string().contains("not a key at all"), "{err}");
    assert!(driver.devices().is_err());
    assert!(fleet.phones()[0].command_log().is_empty());
}

#[test]
fn a_login_runs_through_the_direct_driver() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Scenario {
        accounts: vec![PlatformAccount::new(Platform::TikTok, "direct_user", "pw1")],
        phones: vec![PhoneSpec {
            apps: vec![AppSpec::new(AppKind::TikTok)],
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    };
    let fleet = SimFleet::start(&scenario).unwrap();
    let serial = fleet.serials()[0].clone();
    let driver = DirectDriver::new([serial.as_str()])
        .unwrap()
        .with_key(key_path(&dir));
    let ws = Workspace::in_memory();
    let account = ws
        .add(
            NewAccount::new(Platform::TikTok, "direct_user")
                .device(serial.as_str())
                .password("pw1"),
        )
        .unwrap();
    let options = RunOptions {
        screen_timeout: Duration::from_secs(8),
        command_timeout: Duration::from_secs(8),
        ..RunOptions::default()
    };
    let report = ws.login(&driver, &options).unwrap();
    assert_eq!(
        report.outcome(account.id),
        Some(Outcome::LoggedIn),
        "{:?}",
        report.results
    );
    assert!(ws.get(account.id).unwrap().logged_in);
    let sessions = fleet.phones()[0]
        .logged_in(AppKind::TikTok.default_package())
        .unwrap();
    assert_eq!(sessions, ["direct_user"]);
}
