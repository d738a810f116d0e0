//! `AdbDriver` specifics through the real `adb` server on a private port:
//! attaching phones by `ip:port`, and what a missing, wrong or silent server does.
//! (Everything a `Device` does is in `device_drivers.rs`, for both drivers.)

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use farmhand::device::{AdbDriver, DeviceDriver};
use farmhand::ErrorKind;

/// A port nobody listens on (it was free a moment ago).
fn closed_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[test]
fn no_server_says_how_to_start_one() {
    let driver = AdbDriver::with_server(closed_port());
    let err = driver.devices().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    let message = err.to_string();
    assert!(message.contains("adb start-server"), "{message}");
    assert!(message.contains(&driver.server().to_string()), "{message}");
    assert_eq!(
        driver.open("emulator-5554").err().unwrap().kind(),
        ErrorKind::Device
    );
}

#[test]
fn something_else_on_the_port_is_not_taken_for_a_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let mut conn = conn.unwrap();
            let mut buf = [0u8; 64];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let err = AdbDriver::with_server(addr).devices().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device, "{err}");
    assert!(err.to_string().contains("not the adb protocol"), "{err}");
}

#[test]
fn a_silent_server_costs_one_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let held = listener.accept();
        let _ = stopped.recv();
        drop(held);
    });
    let driver = AdbDriver::with_server(addr).with_server_timeout(Duration::from_millis(300));
    let err = driver.devices().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    stop.send(()).unwrap();
}

#[test]
fn hostile_serials_and_addresses_are_refused_before_the_wire() {
    let driver = AdbDriver::with_server(closed_port());
    for bad in ["", "a b", "x\nhost:kill", "127.0.0.1:1\0"] {
        assert_eq!(
            driver.open(bad).err().unwrap().kind(),
            ErrorKind::Validation,
            "{bad:?}"
        );
        assert_eq!(
            driver.connect(bad).unwrap_err().kind(),
            ErrorKind::Validation
        );
        assert_eq!(
            driver.disconnect(bad).unwrap_err().kind(),
            ErrorKind::Validation
        );
    }
}

mod with_simulated_phones {
    use super::*;
    use farmhand::device::{DeviceExt, DeviceState};
    use farmhand_sim::{AdbServer, AppKind, AppSpec, PhoneSpec, Scenario, SimFleet};

    const LONG: Duration = Duration::from_secs(20);

    fn fleet(phones: usize) -> SimFleet {
        let phone = PhoneSpec {
            apps: vec![AppSpec::new(AppKind::Plain)],
            ..PhoneSpec::default()
        };
        SimFleet::start(&Scenario {
            phones: vec![phone; phones],
            ..Scenario::default()
        })
        .expect("fleet starts")
    }

    fn wait_until_state(driver: &AdbDriver, serial: &str, state: Option<DeviceState>) {
        let deadline = std::time::Instant::now() + LONG;
        loop {
            let now = driver
                .devices()
                .unwrap()
                .into_iter()
                .find(|d| d.serial == serial)
                .map(|d| d.state);
            if now == state {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{serial} stays {now:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A phone without shell protocol v2 is reached through the legacy
    /// `shell:` service; the exit code is still recovered, the streams merge.
    #[test]
    fn legacy_shell_recovers_the_exit_code_through_the_real_server() {
        let fleet = SimFleet::start(&Scenario {
            phones: vec![PhoneSpec {
                apps: vec![AppSpec::new(AppKind::Plain)],
                shell_v2: false,
                ..PhoneSpec::default()
            }],
            ..Scenario::default()
        })
        .unwrap();
        let server = AdbServer::start().expect("adb server starts (apt-get install adb)");
        let driver = AdbDriver::with_server(server.addr());
        let serial = fleet.serials()[0].clone();
        driver.connect(&serial).unwrap();
        wait_until_state(&driver, &serial, Some(DeviceState::Device));
        let mut phone = driver.open(&serial).unwrap();
        let out = phone.shell("echo hi # a comment", LONG).unwrap();
        assert_eq!((out.stdout.as_str(), out.exit_code), ("hi\n", 0));
        let out = phone.shell("cat /no/such/file", LONG).unwrap();
        assert_eq!(out.exit_code, 1);
        assert!(
            out.stdout.contains("No such file"),
            "merged streams: {out:?}"
        );
        let err = phone
            .shell("sleep 30", Duration::from_millis(300))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
    }

    #[test]
    fn connect_and_disconnect_by_ip_port() {
        let fleet = fleet(2);
        let server = AdbServer::start().expect("adb server starts (apt-get install adb)");
        let driver = AdbDriver::with_server(server.addr());
        assert_eq!(driver.version().unwrap(), 41);
        assert!(driver.devices().unwrap().is_empty());
        let serial = fleet.serials()[0].clone();
        let err = driver.open(&serial).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::NotFound, "not attached yet: {err}");

        driver.connect(&serial).unwrap();
        wait_until_state(&driver, &serial, Some(DeviceState::Device));
        driver.connect(&serial).unwrap();
        let mut phone = driver.open(&serial).unwrap();
        assert_eq!(
            phone.shell("echo attached", LONG).unwrap().stdout,
            "attached\n"
        );
        assert_eq!(
            driver.devices().unwrap().len(),
            1,
            "only the connected phone"
        );

        driver.disconnect(&serial).unwrap();
        wait_until_state(&driver, &serial, None);
        assert_eq!(
            driver.open(&serial).err().unwrap().kind(),
            ErrorKind::NotFound
        );
        let err = phone.shell("echo gone", LONG).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        let err = driver.disconnect(&serial).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");

        let nobody = closed_port().to_string();
        let err = driver.connect(&nobody).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Device, "{err}");
        assert!(err.to_string().contains(&nobody), "{err}");

        driver.connect(&serial).unwrap();
        wait_until_state(&driver, &serial, Some(DeviceState::Device));
        assert_eq!(phone.run("echo back", LONG).unwrap().stdout, "back\n");
    }

    /// `ANDROID_ADB_SERVER_PORT` is honoured; this is the only test in this
    /// binary that touches the environment variable.
    #[test]
    fn default_server_port_comes_from_the_environment() {
        let fleet = fleet(1);
        let server = AdbServer::start().expect("adb server starts");
        server.connect(&fleet.serials()[0]).unwrap();
        std::env::set_var("ANDROID_ADB_SERVER_PORT", server.port().to_string());
        let driver = AdbDriver::new();
        std::env::remove_var("ANDROID_ADB_SERVER_PORT");
        let driver = driver.unwrap();
        assert_eq!(driver.server(), server.addr());
        let listed: Vec<String> = driver
            .devices()
            .unwrap()
            .into_iter()
            .map(|d| d.serial)
            .collect();
        assert_eq!(listed, fleet.serials());
    }
}
