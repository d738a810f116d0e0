//! The Rust side of `compare/device_shell.py`: starts one simulated phone behind
//! the real adb server on a private port, prints `READY <port> <serial>`, then
//! answers `ours <N>` with the nanoseconds of N `echo hi` round trips through
//! `AdbDriver` (one line, space separated). Ends on `quit` or end of input,
//! killing the server.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use farmhand::device::{AdbDriver, DeviceDriver};
use farmhand_sim::{AdbServer, AppKind, AppSpec, PhoneSpec, Scenario, SimFleet};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fleet = SimFleet::start(&Scenario {
        phones: vec![PhoneSpec {
            apps: vec![AppSpec::new(AppKind::Plain)],
            ..PhoneSpec::default()
        }],
        ..Scenario::default()
    })?;
    let server = AdbServer::start()?;
    let serial = fleet.serials()[0].clone();
    server.connect(&serial)?;
    let mut phone = AdbDriver::with_server(server.addr()).open(&serial)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY {} {serial}", server.port())?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let mut words = line.split_whitespace();
        match (
            words.next(),
            words.next().and_then(|n| n.parse::<usize>().ok()),
        ) {
            (Some("ours"), Some(n)) => {
                let mut times = Vec::with_capacity(n);
                for _ in 0..n {
                    let start = Instant::now();
                    let reply = phone.shell("echo hi", Duration::from_secs(10))?;
                    times.push(start.elapsed().as_nanos().to_string());
                    if reply.stdout != "hi\n" || reply.exit_code != 0 {
                        return Err(format!("unexpected reply {reply:?}").into());
                    }
                }
                writeln!(out, "{}", times.join(" "))?;
                out.flush()?;
            }
            (Some("quit"), _) => break,
            _ => return Err(format!("unknown request {line:?}").into()),
        }
    }
    Ok(())
}
