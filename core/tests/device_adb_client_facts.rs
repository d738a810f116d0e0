//! Facts about adb_client 3.2.3 that shaped `farmhand::device::AdbDriver` and
//! `DirectDriver` (feature `adb-direct`), pinned so that an upgrade that changes
//! them fails here and the workaround is revisited. The peers below replay the
//! bytes an adb server or a phone's adbd sends; the drivers themselves are
//! tested against the real server (`device_adb.rs`) and simulated phones
//! (`farmhand-sim`'s `device_direct.rs`).

use std::io::{Read, Write};
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use adb_client::server::ADBServer;
use adb_client::server_device::ADBServerDevice;
use adb_client::tcp::ADBTcpDevice;
use adb_client::ADBDeviceExt;

/// Reads one `XXXX<service>` request.
fn read_request(conn: &mut TcpStream) -> Option<String> {
    let mut len = [0u8; 4];
    conn.read_exact(&mut len).ok()?;
    let len = usize::from_str_radix(std::str::from_utf8(&len).ok()?, 16).ok()?;
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

fn packet(id: u8, data: &[u8]) -> Vec<u8> {
    let mut p = vec![id];
    p.extend_from_slice(&(data.len() as u32).to_le_bytes());
    p.extend_from_slice(data);
    p
}

/// Every `ADBServer` request on a loopback address first runs `<adb> start-server`
/// (without `-P`, so against a private port it would start a second server on 5037).
#[test]
fn adb_server_spawns_start_server_for_every_request_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("calls.log");
    let fake_adb = dir.path().join("adb");
    std::fs::write(
        &fake_adb,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&fake_adb, std::fs::Permissions::from_mode(0o755)).unwrap();
    let closed_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = ADBServer::new_from_path(
        SocketAddrV4::new([127, 0, 0, 1].into(), closed_port),
        Some(fake_adb.display().to_string()),
    );
    for _ in 0..3 {
        assert!(server.devices().is_err(), "nothing listens on the port");
    }
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(calls.lines().collect::<Vec<_>>(), vec!["start-server"; 3]);
}

/// The shell-v2 reader drops the exit packet: the phone says 7, the caller gets `None`.
#[test]
fn shell_v2_returns_no_exit_code_even_when_the_phone_sends_one() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let mut conn = conn.unwrap();
            while let Some(request) = read_request(&mut conn) {
                conn.write_all(b"OKAY").unwrap();
                if request == "host:features" {
                    conn.write_all(b"0008shell_v2").unwrap();
                    break;
                }
                if request.starts_with("shell,v2,") {
                    conn.write_all(&packet(1, b"hi\n")).unwrap();
                    conn.write_all(&packet(3, &[7])).unwrap();
                    break;
                }
            }
        }
    });
    let std::net::SocketAddr::V4(addr) = addr else {
        unreachable!()
    };
    let mut device = ADBServerDevice::new("phone-1".to_string(), Some(addr));
    let mut stdout = Vec::new();
    let status = device
        .shell_command(&"exit 7", Some(&mut stdout), None)
        .unwrap();
    assert_eq!(stdout, b"hi\n");
    assert_eq!(
        status, None,
        "adb_client now returns the exit code: simplify AdbDriver"
    );
}

/// The server transport has no read timeout: a silent phone blocks the caller
/// until the connection is closed from the other side.
#[test]
fn server_transport_blocks_on_a_silent_peer() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let std::net::SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
        unreachable!()
    };
    let (release, released) = mpsc::channel::<()>();
    thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let _ = read_request(&mut conn);
        conn.write_all(b"OKAY").unwrap();
        // Silent until the test has seen the caller still blocked, then hang up.
        let _ = released.recv();
    });
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let mut device = ADBServerDevice::new("phone-1".to_string(), Some(addr));
        let _ = done.send(device.shell_command(&"echo hi", None, None).is_ok());
    });
    assert!(
        finished.recv_timeout(Duration::from_secs(2)).is_err(),
        "the call returned although the peer never answered: adb_client gained timeouts"
    );
    release.send(()).unwrap();
    finished
        .recv_timeout(Duration::from_secs(30))
        .expect("hanging up releases the caller");
}

/// `Box<dyn ADBDeviceExt>` is not `Send` (the trait object has no `Send` bound),
/// so it cannot live in a `farmhand::device::Device` (which is `Send`).
#[test]
fn boxed_adb_device_ext_is_not_send() {
    trait NotSend {
        const SEND: bool = false;
    }
    impl<T: ?Sized> NotSend for T {}
    struct Probe<T: ?Sized>(std::marker::PhantomData<T>);
    #[allow(dead_code)]
    impl<T: ?Sized + Send> Probe<T> {
        const SEND: bool = true;
    }
    // Checked at compile time: an upgrade that changes either fact stops the build here.
    const { assert!(!<Probe<Box<dyn ADBDeviceExt>>>::SEND) };
    const { assert!(<Probe<ADBServerDevice>>::SEND) };
}

/// One adbd message: header (command, arg0, arg1, length, byte-sum checksum, magic) and payload.
fn adbd_message(command: &[u8; 4], arg0: u32, arg1: u32, payload: &[u8]) -> Vec<u8> {
    let command = u32::from_le_bytes(*command);
    let sum = payload.iter().map(|&b| u32::from(b)).sum::<u32>();
    let mut out = Vec::new();
    for field in [command, arg0, arg1, payload.len() as u32, sum, !command] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(payload);
    out
}

/// Without a key file, `ADBTcpDevice` still connects, with a random key it
/// never saves: a phone would ask its user to accept a new key every time.
/// So `DirectDriver` creates the file before adb_client reads it.
#[test]
fn tcp_device_without_a_key_file_connects_and_saves_no_key() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let phone = thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut header = [0u8; 24];
        conn.read_exact(&mut header).unwrap();
        let len = u32::from_le_bytes(header[12..16].try_into().unwrap()) as usize;
        let mut banner = vec![0u8; len];
        conn.read_exact(&mut banner).unwrap();
        let reply = adbd_message(b"CNXN", 0x0100_0001, 1 << 20, b"device::features=shell_v2");
        conn.write_all(&reply).unwrap();
        (header, banner)
    });
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("adbkey");
    let device = ADBTcpDevice::new_with_custom_private_key(addr, &key)
        .expect("connects with a key of its own");
    let (header, banner) = phone.join().unwrap();
    assert_eq!(&header[0..4], b"CNXN");
    assert!(banner.starts_with(b"host::"), "{banner:?}");
    assert!(
        !key.exists(),
        "adb_client now saves its key: DirectDriver need not create one"
    );
    drop(device);
}
