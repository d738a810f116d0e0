//! The ADB device protocol of simulated phones, spoken byte by byte: handshake,
//! streams, flow control, shell protocol frames, and hostile input.

use std::collections::HashMap;
use std::io::{ErrorKind as IoKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use farmhand_sim::protocol::{
    encode_header, Message, A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_VERSION, A_WRTE, MAX_PAYLOAD,
};
use farmhand_sim::{AppKind, AppSpec, PhoneSpec, Scenario, SimFleet, SimPhone};

static PANICS: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Counts panics on any thread (the phone's threads included) so tests can
/// prove hostile input never panics the phone.
fn count_panics() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

fn fleet() -> SimFleet {
    count_panics();
    SimFleet::start(&Scenario {
        phones: vec![PhoneSpec {
            apps: vec![AppSpec::new(AppKind::Plain)],
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    })
    .unwrap()
}

fn send(stream: &mut TcpStream, command: u32, arg0: u32, arg1: u32, data: &[u8]) {
    stream
        .write_all(&Message::new(command, arg0, arg1, data.to_vec()).encode())
        .unwrap();
}

fn read(stream: &mut TcpStream) -> Message {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    Message::read(stream, MAX_PAYLOAD).expect("a message from the phone")
}

/// Connects and completes the handshake announcing `max_payload`.
fn host(phone: &SimPhone, max_payload: u32) -> (TcpStream, Message) {
    let mut stream = TcpStream::connect(phone.serial()).unwrap();
    send(
        &mut stream,
        A_CNXN,
        A_VERSION,
        max_payload,
        b"host::features=shell_v2\0",
    );
    let reply = read(&mut stream);
    (stream, reply)
}

/// Opens `service` as stream `remote`, returns the phone's stream id.
fn open(stream: &mut TcpStream, remote: u32, service: &str) -> u32 {
    send(stream, A_OPEN, remote, 0, format!("{service}\0").as_bytes());
    let okay = read(stream);
    assert_eq!((okay.command, okay.arg1), (A_OKAY, remote), "{okay:?}");
    okay.arg0
}

/// Reads a stream to its CLSE, acknowledging every WRTE; returns the bytes.
fn drain(stream: &mut TcpStream, local: u32, remote: u32) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let msg = read(stream);
        assert_eq!((msg.arg0, msg.arg1), (local, remote), "{msg:?}");
        match msg.command {
            A_WRTE => {
                out.extend(msg.data);
                send(stream, A_OKAY, remote, local, b"");
            }
            A_CLSE => return out,
            other => panic!("unexpected {other:#x}"),
        }
    }
}

/// Splits shell-protocol frames into (id, data) pairs.
fn frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = u32::from_le_bytes(bytes[1..5].try_into().unwrap()) as usize;
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    assert!(bytes.is_empty(), "trailing bytes");
    out
}

fn echo_works(phone: &SimPhone) -> bool {
    let (mut s, _) = host(phone, MAX_PAYLOAD);
    let local = open(&mut s, 1, "shell:echo alive");
    drain(&mut s, local, 1) == b"alive\n"
}

/// True when the phone closed this connection (EOF or reset), within 10 s.
fn closed_by_phone(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 64];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == IoKind::WouldBlock || e.kind() == IoKind::TimedOut => {
                return false
            }
            Err(_) => return true,
        }
    }
}

fn wait_until(mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn the_handshake_answers_with_the_banner_and_no_auth() {
    let fleet = fleet();
    let (_, reply) = host(&fleet.phones()[0], MAX_PAYLOAD);
    assert_eq!(reply.command, A_CNXN);
    assert_eq!((reply.arg0, reply.arg1), (A_VERSION, MAX_PAYLOAD));
    assert_eq!(
        String::from_utf8(reply.data).unwrap(),
        "device::ro.product.name=panther;ro.product.model=Pixel 7;ro.product.device=panther;features=shell_v2,cmd,stat_v2"
    );
}

#[test]
fn writes_respect_the_negotiated_size_and_wait_for_okay() {
    let fleet = fleet();
    let phone = &fleet.phones()[0];
    let content: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    phone
        .write_file("/sdcard/big.txt", content.clone())
        .unwrap();
    let (mut s, _) = host(phone, 4096);
    let local = open(&mut s, 7, "shell:cat /sdcard/big.txt");
    let mut received = Vec::new();
    loop {
        let msg = read(&mut s);
        if msg.command == A_CLSE {
            break;
        }
        assert_eq!(msg.command, A_WRTE);
        assert!(msg.data.len() <= 4096, "{} bytes", msg.data.len());
        received.extend(msg.data);
        // Nothing more may arrive until this WRTE is acknowledged (the CLSE
        // after the last one may).
        if received.len() == content.len() {
            send(&mut s, A_OKAY, 7, local, b"");
            continue;
        }
        s.set_read_timeout(Some(Duration::from_millis(150)))
            .unwrap();
        let mut probe = [0u8; 1];
        match s.peek(&mut probe) {
            Err(e) => assert!(matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut)),
            Ok(n) => panic!("{n} bytes arrived before OKAY"),
        }
        send(&mut s, A_OKAY, 7, local, b"");
    }
    assert_eq!(received, content);
    assert!(received.len() > 4 * 4096);
}

#[test]
fn shell_v2_frames_carry_stdout_stderr_and_the_exit_code() {
    let fleet = fleet();
    let (mut s, _) = host(&fleet.phones()[0], MAX_PAYLOAD);
    let local = open(
        &mut s,
        3,
        "shell,v2,TERM=xterm,raw:echo out; echo err >&2; exit 7",
    );
    let got = frames(&drain(&mut s, local, 3));
    assert_eq!(
        got,
        vec![(1, b"out\n".to_vec()), (2, b"err\n".to_vec()), (3, vec![7])]
    );
    let local = open(&mut s, 4, "exec:echo raw");
    assert_eq!(drain(&mut s, local, 4), b"raw\n");
}

#[test]
fn an_interactive_v2_shell_reads_stdin_until_it_closes() {
    let fleet = fleet();
    let (mut s, _) = host(&fleet.phones()[0], MAX_PAYLOAD);
    let local = open(&mut s, 9, "shell,v2,raw:");
    let mut stdin = vec![0u8];
    stdin.extend(14u32.to_le_bytes());
    stdin.extend(b"echo hi; false");
    stdin.extend([0, 1, 0, 0, 0, b'\n', 4, 0, 0, 0, 0]);
    send(&mut s, A_WRTE, 9, local, &stdin);
    let mut output = Vec::new();
    loop {
        let msg = read(&mut s);
        match msg.command {
            A_OKAY => continue,
            A_WRTE => {
                output.extend(msg.data);
                send(&mut s, A_OKAY, 9, local, b"");
            }
            A_CLSE => break,
            other => panic!("unexpected {other:#x}"),
        }
    }
    let got = frames(&output);
    assert_eq!(got.first(), Some(&(1, b"hi\n".to_vec())));
    assert_eq!(got.last(), Some(&(3, vec![1])));
}

#[test]
fn many_streams_interleave_on_one_connection() {
    let fleet = fleet();
    let (mut s, _) = host(&fleet.phones()[0], MAX_PAYLOAD);
    for remote in 1..=40u32 {
        send(
            &mut s,
            A_OPEN,
            remote,
            0,
            format!(
                "shell,v2,raw:sleep 0.0{}; echo stream {remote}\0",
                remote % 10
            )
            .as_bytes(),
        );
    }
    let mut locals = HashMap::new();
    let mut outputs: HashMap<u32, Vec<u8>> = HashMap::new();
    let mut closed = 0;
    while closed < 40 {
        let msg = read(&mut s);
        match msg.command {
            A_OKAY => {
                locals.insert(msg.arg1, msg.arg0);
            }
            A_WRTE => {
                assert_eq!(locals.get(&msg.arg1), Some(&msg.arg0));
                outputs.entry(msg.arg1).or_default().extend(msg.data);
                send(&mut s, A_OKAY, msg.arg1, msg.arg0, b"");
            }
            A_CLSE => closed += 1,
            other => panic!("unexpected {other:#x}"),
        }
    }
    for remote in 1..=40u32 {
        let got = frames(&outputs[&remote]);
        assert_eq!(got[0], (1, format!("stream {remote}\n").into_bytes()));
        assert_eq!(got[1], (3, vec![0]));
    }
}

#[test]
fn unknown_services_are_refused_with_clse() {
    let fleet = fleet();
    let (mut s, _) = host(&fleet.phones()[0], MAX_PAYLOAD);
    send(&mut s, A_OPEN, 5, 0, b"reboot:bootloader\0");
    let msg = read(&mut s);
    assert_eq!((msg.command, msg.arg0, msg.arg1), (A_CLSE, 0, 5));
    assert!(echo_works(&fleet.phones()[0]));
}

/// Sends `bad` on a fresh connection (after a handshake when `handshake`),
/// and checks that only that connection is dropped, for the reason given.
fn hostile(prelude_handshake: bool, bad: &[u8], reason: &str) {
    let fleet = fleet();
    let phone = &fleet.phones()[0];
    let (mut good, _) = host(phone, MAX_PAYLOAD);
    let mut evil = TcpStream::connect(phone.serial()).unwrap();
    if prelude_handshake {
        send(&mut evil, A_CNXN, A_VERSION, MAX_PAYLOAD, b"host::\0");
        read(&mut evil);
    }
    evil.write_all(bad).unwrap();
    assert!(
        closed_by_phone(&mut evil),
        "connection left open after {reason}"
    );
    let why = phone.last_connection_error().unwrap_or_default();
    assert!(why.contains(reason), "{why}");
    // The good connection, opened before, still works; so do new ones.
    let local = open(&mut good, 1, "shell:echo still here");
    assert_eq!(drain(&mut good, local, 1), b"still here\n");
    assert!(echo_works(phone));
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
}

#[test]
fn a_wrong_magic_drops_only_that_connection() {
    let mut bytes = Message::new(A_OPEN, 1, 0, b"shell:id\0".to_vec()).encode();
    bytes[20..24].copy_from_slice(&0xdead_beef_u32.to_le_bytes());
    hostile(true, &bytes, "bad magic");
}

#[test]
fn an_oversized_payload_drops_only_that_connection() {
    hostile(
        true,
        &encode_header(A_WRTE, 1, 1, MAX_PAYLOAD + 1, 0),
        "exceeds the maximum",
    );
    hostile(
        false,
        &encode_header(A_CNXN, A_VERSION, MAX_PAYLOAD, u32::MAX, 0),
        "exceeds the maximum",
    );
}

#[test]
fn a_stream_that_does_not_exist_drops_only_that_connection() {
    let bytes = Message::new(A_WRTE, 1, 999, b"x".to_vec()).encode();
    hostile(true, &bytes, "unknown stream 999");
    let bytes = Message::new(A_OKAY, 1, 12345, Vec::new()).encode();
    hostile(true, &bytes, "unknown stream 12345");
}

#[test]
fn messages_before_the_handshake_drop_the_connection() {
    let bytes = Message::new(A_OPEN, 1, 0, b"shell:id\0".to_vec()).encode();
    hostile(false, &bytes, "before CNXN");
    let bytes = Message::new(A_CNXN, A_VERSION, 16, b"host::\0".to_vec()).encode();
    hostile(false, &bytes, "too small");
}

#[test]
fn a_truncated_header_or_a_vanishing_host_leaves_the_phone_serving() {
    let fleet = fleet();
    let phone = &fleet.phones()[0];
    {
        let (mut s, _) = host(phone, MAX_PAYLOAD);
        s.write_all(&encode_header(A_OPEN, 1, 0, 100, 0)[..10])
            .unwrap();
    }
    {
        // Gone in the middle of a long command and of an unacknowledged write.
        let (mut s, _) = host(phone, 4096);
        open(&mut s, 1, "shell:sleep 30");
        phone
            .write_file("/sdcard/big", vec![b'x'; 100_000])
            .unwrap();
        let local = open(&mut s, 2, "shell:cat /sdcard/big");
        let first = read(&mut s);
        assert_eq!((first.command, first.arg0), (A_WRTE, local));
    }
    {
        let (mut s, _) = host(phone, MAX_PAYLOAD);
        send(&mut s, A_OPEN, 1, 0, b"sync:\0");
        read(&mut s);
        s.write_all(b"RECV\xff\xff\x00\x00/sdcard/x").unwrap();
    }
    assert!(
        wait_until(|| phone.connection_count() == 0),
        "{} connections left",
        phone.connection_count()
    );
    assert!(echo_works(phone));
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
}

#[test]
fn sync_refuses_long_paths_and_unknown_requests() {
    let fleet = fleet();
    let phone = &fleet.phones()[0];
    for request in [b"RECV".to_vec(), b"ZZZZ".to_vec()] {
        let (mut s, _) = host(phone, MAX_PAYLOAD);
        let local = open(&mut s, 1, "sync:");
        let mut req = request.clone();
        let path = if request == b"RECV" {
            vec![b'a'; 5000]
        } else {
            b"/x".to_vec()
        };
        req.extend((path.len() as u32).to_le_bytes());
        req.extend(&path);
        send(&mut s, A_WRTE, 1, local, &req[..req.len().min(4096)]);
        let mut reply = Vec::new();
        loop {
            let msg = read(&mut s);
            match msg.command {
                A_OKAY => continue,
                A_WRTE => {
                    reply.extend(msg.data);
                    send(&mut s, A_OKAY, 1, local, b"");
                }
                A_CLSE => break,
                other => panic!("unexpected {other:#x}"),
            }
        }
        assert_eq!(&reply[..4], b"FAIL");
    }
    assert!(echo_works(phone));
}

#[test]
fn a_host_flooding_a_stream_without_waiting_for_okay_is_dropped() {
    let fleet = fleet();
    let phone = &fleet.phones()[0];
    let (mut good, _) = host(phone, MAX_PAYLOAD);
    let (mut evil, _) = host(phone, MAX_PAYLOAD);
    // A non-interactive shell never reads its stdin: these WRTEs are never acknowledged.
    let local = open(&mut evil, 1, "shell,v2,raw:sleep 30");
    for _ in 0..40 {
        if evil
            .write_all(&Message::new(A_WRTE, 1, local, vec![0; 64 * 1024]).encode())
            .is_err()
        {
            break;
        }
    }
    assert!(closed_by_phone(&mut evil));
    assert!(phone
        .last_connection_error()
        .unwrap_or_default()
        .contains("flow control"));
    let local = open(&mut good, 1, "shell:echo unaffected");
    assert_eq!(drain(&mut good, local, 1), b"unaffected\n");
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
}
