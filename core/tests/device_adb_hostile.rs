//! A fake adb server that lies about lengths, floods, drips and stays silent:
//! each command on a hostile phone ends within its timeout plus a small margin
//! with that phone's own error, while a good phone on the same server answers.
//! The commands run in a child process whose address space is limited
//! (`ulimit -v`), so a length taken at its word would end the child.
//!
//! A plain `main` (`harness = false`): the test re-executes itself as that
//! child, told apart by the `FARMHAND_HOSTILE_ADB` environment variable.

use std::env;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, ExitCode};
use std::thread;
use std::time::{Duration, Instant};

use farmhand::device::{AdbDriver, DeviceDriver};
use farmhand::ErrorKind;

/// The child's address-space limit.
const LIMIT_MIB: u64 = 256;

/// Each command's timeout, and how much later than it a command may end.
const TIMEOUT: Duration = Duration::from_millis(1500);
const MARGIN: Duration = Duration::from_millis(1000);

fn main() -> ExitCode {
    if env::var_os("FARMHAND_HOSTILE_ADB").is_some() {
        child();
        return ExitCode::SUCCESS;
    }
    let exe = env::current_exe().unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\"", LIMIT_MIB << 10))
        .arg(exe)
        .env("FARMHAND_HOSTILE_ADB", "1")
        // One malloc arena: each extra one reserves 64 MiB of address space.
        .env("MALLOC_ARENA_MAX", "1")
        .output()
        .unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "the child failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    println!("test hostile_adb_peers_cost_one_timeout_and_their_own_phone ... ok");
    ExitCode::SUCCESS
}

/// How a phone behind the fake server answers a shell or sync request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phone {
    Good,
    /// Claims a 4 GiB shell packet or sync block, then waits.
    Huge,
    /// Sends output without end.
    Flood,
    /// Sends a packet a byte every 20 ms.
    Drip,
    /// Never answers the service request.
    Silent,
}

const PHONES: [(&str, Phone); 5] = [
    ("good", Phone::Good),
    ("huge", Phone::Huge),
    ("flood", Phone::Flood),
    ("drip", Phone::Drip),
    ("silent", Phone::Silent),
];

fn phone(serial: &str) -> Phone {
    PHONES
        .iter()
        .find(|(s, _)| *s == serial)
        .map_or(Phone::Silent, |(_, p)| *p)
}

/// Reads one `XXXX<service>` request; `None` when the client has gone.
fn request(conn: &mut TcpStream) -> Option<String> {
    let mut len = [0u8; 4];
    conn.read_exact(&mut len).ok()?;
    let len = usize::from_str_radix(std::str::from_utf8(&len).ok()?, 16).ok()?;
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

fn shell_packet(id: u8, data: &[u8]) -> Vec<u8> {
    let mut p = vec![id];
    p.extend_from_slice(&(data.len() as u32).to_le_bytes());
    p.extend_from_slice(data);
    p
}

fn sync_block(data: &[u8]) -> Vec<u8> {
    let mut p = b"DATA".to_vec();
    p.extend_from_slice(&(data.len() as u32).to_le_bytes());
    p.extend_from_slice(data);
    p
}

/// Serves one connection; returns when the client hangs up.
fn serve(mut conn: TcpStream) -> Option<()> {
    let first = request(&mut conn)?;
    if let Some(rest) = first.strip_prefix("host-serial:") {
        let features = if rest.ends_with(":features") {
            "shell_v2,cmd"
        } else {
            ""
        };
        conn.write_all(format!("OKAY{:04x}{features}", features.len()).as_bytes())
            .ok()?;
        return Some(());
    }
    let serial = first.strip_prefix("host:transport:")?.to_string();
    conn.write_all(b"OKAY").ok()?;
    let service = request(&mut conn)?;
    let behaviour = phone(&serial);
    if behaviour == Phone::Silent {
        // Wait for the client to give up and hang up.
        let _ = conn.read(&mut [0u8; 16]);
        return Some(());
    }
    conn.write_all(b"OKAY").ok()?;
    let sync = service == "sync:";
    if sync {
        let mut recv = [0u8; 8];
        conn.read_exact(&mut recv).ok()?;
        let len = u32::from_le_bytes(recv[4..8].try_into().unwrap()) as usize;
        let mut path = vec![0u8; len];
        conn.read_exact(&mut path).ok()?;
    }
    match behaviour {
        Phone::Good if sync => {
            conn.write_all(&sync_block(b"file body")).ok()?;
            conn.write_all(b"DONE\0\0\0\0").ok()?;
        }
        Phone::Good => {
            conn.write_all(&shell_packet(1, b"hello\n")).ok()?;
            conn.write_all(&shell_packet(3, &[0])).ok()?;
        }
        Phone::Huge => {
            let header = if sync {
                let mut h = b"DATA".to_vec();
                h.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
                h
            } else {
                let mut h = vec![1u8];
                h.extend_from_slice(&u32::MAX.to_le_bytes());
                h
            };
            conn.write_all(&header).ok()?;
            let _ = conn.read(&mut [0u8; 16]);
        }
        Phone::Flood => {
            let chunk = if sync {
                sync_block(&[b'f'; 64 << 10])
            } else {
                shell_packet(1, &[b'f'; 64 << 10])
            };
            while conn.write_all(&chunk).is_ok() {}
        }
        Phone::Drip => {
            // A well-formed packet header, then its bytes one at a time.
            let packet = if sync {
                sync_block(&[b'd'; 60_000])
            } else {
                shell_packet(1, &[b'd'; 60_000])
            };
            for byte in packet.chunks(1) {
                conn.write_all(byte).ok()?;
                thread::sleep(Duration::from_millis(20));
            }
        }
        Phone::Silent => {}
    }
    Some(())
}

fn fake_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            thread::spawn(move || serve(conn));
        }
    });
    addr
}

/// What each command on each phone ended with, and how long it took.
fn child() {
    let driver = AdbDriver::with_server(fake_server());
    let runs: Vec<_> = PHONES
        .iter()
        .map(|&(serial, behaviour)| {
            let driver = driver.clone();
            thread::spawn(move || {
                let mut device = driver.open(serial).unwrap();
                let started = Instant::now();
                let shell = device.shell("echo hello", TIMEOUT);
                let shell_took = started.elapsed();
                let started = Instant::now();
                let pull = device.pull("/sdcard/file", TIMEOUT);
                let pull_took = started.elapsed();
                (behaviour, shell, shell_took, pull, pull_took)
            })
        })
        .collect();
    for run in runs {
        let (behaviour, shell, shell_took, pull, pull_took) = run.join().unwrap();
        println!(
            "{behaviour:?}: shell {shell:?} in {shell_took:?}; pull {:?} in {pull_took:?}",
            pull.as_ref().map(Vec::len)
        );
        for took in [shell_took, pull_took] {
            assert!(took <= TIMEOUT + MARGIN, "{behaviour:?} took {took:?}");
        }
        match behaviour {
            Phone::Good => {
                assert_eq!(shell.unwrap().stdout, "hello\n");
                assert_eq!(pull.unwrap(), b"file body");
            }
            Phone::Huge => {
                for e in [shell.unwrap_err(), pull.unwrap_err()] {
                    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
                    assert!(e.to_string().contains("huge"), "names the phone: {e}");
                    assert!(e.to_string().contains("not the adb protocol"), "{e}");
                }
            }
            Phone::Flood => {
                for e in [shell.unwrap_err(), pull.unwrap_err()] {
                    assert_eq!(e.kind(), ErrorKind::Device, "{e}");
                    assert!(
                        e.to_string()
                            .contains("brought back more than 16777216 bytes"),
                        "{e}"
                    );
                }
            }
            Phone::Drip | Phone::Silent => {
                for e in [shell.unwrap_err(), pull.unwrap_err()] {
                    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
                    assert!(
                        e.to_string()
                            .contains(&format!("{behaviour:?}").to_lowercase()),
                        "{e}"
                    );
                }
            }
        }
    }
}
