//! `DirectDriver` against an adbd that demands AUTH (as every real phone does;
//! the simulated phones skip it): the key farmhand creates is the one adb_client
//! signs with, and a phone that never accepts the key costs the connect timeout.
//!
//! The fake adbd follows AOSP `protocol.txt`: on CNXN it sends AUTH TOKEN (20
//! random bytes); the host answers AUTH SIGNATURE, the token signed with RSA
//! PKCS#1 v1.5 as a SHA-1 digest; a key it knows gets CNXN, any other a new
//! token, after which the host sends AUTH RSAPUBLICKEY for the user to accept.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use farmhand::device::{DeviceDriver, DirectDriver};
use farmhand::ErrorKind;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};

const AUTH_TOKEN: u32 = 1;
const AUTH_SIGNATURE: u32 = 2;
const AUTH_RSAPUBLICKEY: u32 = 3;

/// DigestInfo of SHA-1 (RFC 8017, 9.2, note 1): what PKCS#1 v1.5 puts before a SHA-1 digest.
const SHA1_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

fn message(command: &[u8; 4], arg0: u32, arg1: u32, payload: &[u8]) -> Vec<u8> {
    let command = u32::from_le_bytes(*command);
    let sum = payload.iter().map(|&b| u32::from(b)).sum::<u32>();
    let mut out = Vec::new();
    for field in [command, arg0, arg1, payload.len() as u32, sum, !command] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(payload);
    out
}

/// Reads one message: (command, arg0, payload).
fn read_message(conn: &mut TcpStream) -> ([u8; 4], u32, Vec<u8>) {
    let mut header = [0u8; 24];
    conn.read_exact(&mut header).unwrap();
    let field = |i: usize| u32::from_le_bytes(header[i * 4..i * 4 + 4].try_into().unwrap());
    let mut payload = vec![0u8; field(3) as usize];
    conn.read_exact(&mut payload).unwrap();
    (header[0..4].try_into().unwrap(), field(1), payload)
}

/// What the fake phone saw of one connection.
#[derive(Debug, PartialEq)]
enum Seen {
    /// A signature made with the key it knows: it answered CNXN.
    KnownKey,
    /// A public key offered for the user to accept, which it never accepts.
    KeyOffered,
}

/// A phone that knows the key in `known` (read when the host signs).
fn phone(known: PathBuf) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (sender, seen) = mpsc::channel();
    thread::spawn(move || {
        for conn in listener.incoming() {
            let mut conn = conn.unwrap();
            let (command, _, _) = read_message(&mut conn);
            assert_eq!(&command, b"CNXN");
            let token: Vec<u8> = (0..20u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
            conn.write_all(&message(b"AUTH", AUTH_TOKEN, 0, &token))
                .unwrap();
            let (command, kind, signature) = read_message(&mut conn);
            assert_eq!((&command, kind), (b"AUTH", AUTH_SIGNATURE));
            if verifies(&known, &token, &signature) {
                conn.write_all(&message(b"CNXN", 0x0100_0001, 1 << 20, b"device::"))
                    .unwrap();
                let _ = sender.send(Seen::KnownKey);
                // Held open until the host closes it.
                let _ = conn.read(&mut [0u8; 1]);
                continue;
            }
            conn.write_all(&message(b"AUTH", AUTH_TOKEN, 0, &token))
                .unwrap();
            let (command, kind, public) = read_message(&mut conn);
            assert_eq!((&command, kind), (b"AUTH", AUTH_RSAPUBLICKEY));
            assert!(public.ends_with(b"\0") && public.len() > 300, "{public:?}");
            let _ = sender.send(Seen::KeyOffered);
            // The user never accepts: silence until the host gives up.
            let _ = conn.read(&mut [0u8; 1]);
        }
    });
    (addr, seen)
}

fn verifies(key_file: &Path, token: &[u8], signature: &[u8]) -> bool {
    let Ok(pem) = std::fs::read_to_string(key_file) else {
        return false;
    };
    let public = RsaPublicKey::from(RsaPrivateKey::from_pkcs8_pem(&pem).unwrap());
    let scheme = Pkcs1v15Sign {
        hash_len: Some(20),
        prefix: SHA1_PREFIX.to_vec().into_boxed_slice(),
    };
    public.verify(scheme, token, signature).is_ok()
}

#[test]
fn the_key_farmhand_creates_is_the_one_the_phone_sees() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("adbkey");
    let (addr, seen) = phone(key.clone());
    let driver = DirectDriver::new([addr.as_str()]).unwrap().with_key(&key);
    let device = driver.open(&addr).expect("the phone accepts the signature");
    assert_eq!(device.serial(), addr);
    assert_eq!(seen.recv().unwrap(), Seen::KnownKey);
}

#[test]
fn a_phone_that_never_accepts_the_key_costs_the_connect_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("adbkey");
    let theirs = dir.path().join("other-adbkey");
    // The phone knows another host's key, created the way farmhand creates keys.
    DirectDriver::new(Vec::<String>::new())
        .unwrap()
        .with_key(&theirs)
        .devices()
        .unwrap();
    let (addr, seen) = phone(theirs);
    let driver = DirectDriver::new([addr.as_str()])
        .unwrap()
        .with_key(&ours)
        .with_connect_timeout(Duration::from_secs(1));
    let err = driver.open(&addr).err().expect("never authorised");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains(&addr), "{err}");
    assert_eq!(seen.recv().unwrap(), Seen::KeyOffered);
}
