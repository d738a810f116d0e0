//! One controller driving the phones of two adb servers (two PCs): each phone
//! is listed with its server and reached through it; a serial two servers
//! list is refused, naming both; a server that is down is named.

use std::net::SocketAddr;
use std::time::Duration;

use farmhand::device::{AdbDriver, AdbServers, DeviceDriver};
use farmhand::ErrorKind;
use farmhand_sim::{AdbServer, PhoneSpec, Scenario, SimFleet};

fn fleet(phones: usize) -> SimFleet {
    let scenario = Scenario {
        phones: (0..phones).map(|_| PhoneSpec::default()).collect(),
        ..Scenario::default()
    };
    SimFleet::start(&scenario).expect("the simulated fleet starts")
}

fn server_with(fleet: &SimFleet) -> AdbServer {
    let adb = AdbServer::start().expect("the adb server starts (apt-get install adb)");
    for serial in fleet.serials() {
        adb.connect(&serial).expect("adb connect");
    }
    adb
}

#[test]
fn phones_of_two_servers_are_listed_with_their_server_and_driven_through_it() {
    let (pc1, pc2) = (fleet(2), fleet(3));
    let (adb1, adb2) = (server_with(&pc1), server_with(&pc2));
    let servers = AdbServers::new(vec![
        AdbDriver::with_server(adb1.addr()),
        AdbDriver::with_server(adb2.addr()),
    ])
    .unwrap();
    assert_eq!(servers.servers(), [adb1.addr(), adb2.addr()]);

    let listed = servers.devices_by_server();
    let serials_of = |i: usize| -> Vec<String> {
        let mut s: Vec<String> = listed[i]
            .1
            .as_ref()
            .unwrap()
            .iter()
            .map(|d| d.serial.clone())
            .collect();
        s.sort();
        s
    };
    let sorted = |f: &SimFleet| {
        let mut s = f.serials();
        s.sort();
        s
    };
    assert_eq!(serials_of(0), sorted(&pc1));
    assert_eq!(serials_of(1), sorted(&pc2));
    assert_eq!(servers.devices().unwrap().len(), 5);

    // Each phone answers through its own server.
    for serial in pc1.serials().iter().chain(pc2.serials().iter()) {
        let mut phone = servers.open(serial).unwrap();
        let out = phone.shell("echo hello", Duration::from_secs(10)).unwrap();
        assert_eq!(out.stdout.trim(), "hello", "{serial}");
    }
    let err = servers.open("no-such-phone").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains(&adb2.addr().to_string()), "{err}");

    // A phone both servers list (attached twice) is refused, naming both.
    let shared = pc1.serials()[0].clone();
    adb2.connect(&shared).unwrap();
    servers.devices_by_server();
    let err = servers.open(&shared).err().unwrap();
    let text = err.to_string();
    assert!(
        text.contains(&adb1.addr().to_string()) && text.contains(&adb2.addr().to_string()),
        "{text}"
    );
}

#[test]
fn a_server_that_is_down_is_named_and_the_others_still_listed() {
    let pc1 = fleet(1);
    let adb1 = server_with(&pc1);
    let down: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let servers = AdbServers::new(vec![
        AdbDriver::with_server(adb1.addr()).with_server_timeout(Duration::from_secs(2)),
        AdbDriver::with_server(down).with_server_timeout(Duration::from_secs(2)),
    ])
    .unwrap();
    let listed = servers.devices_by_server();
    assert_eq!(listed[0].1.as_ref().unwrap().len(), 1);
    assert!(listed[1].1.is_err());
    let err = servers.devices().unwrap_err().to_string();
    assert!(err.contains("127.0.0.1:1"), "{err}");
    // Its phones are still reachable one by one.
    servers.open(&pc1.serials()[0]).unwrap();
}

#[test]
fn no_server_or_one_named_twice_is_refused() {
    assert_eq!(
        AdbServers::new(vec![]).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let one = AdbDriver::with_server("127.0.0.1:5037".parse().unwrap());
    let err = AdbServers::new(vec![one.clone(), one]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().contains("twice"), "{err}");
}
