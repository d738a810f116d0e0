//! The services a host can open on a simulated phone: `shell:`, `shell,v2,...:`,
//! `exec:` and `sync:` (AOSP `SERVICES.TXT`, `shell_protocol.h`).

use std::time::Duration;

use super::phone::SimPhone;
use super::shell::{self, Control, Interrupted, Outcome};
use super::sync;
use super::transport::{Input, StreamIo};

/// Shell protocol packet ids (`shell_protocol.h`).
pub mod packet {
    /// Host to phone: standard input.
    pub const STDIN: u8 = 0;
    /// Phone to host: standard output.
    pub const STDOUT: u8 = 1;
    /// Phone to host: standard error.
    pub const STDERR: u8 = 2;
    /// Phone to host: exit status (one byte).
    pub const EXIT: u8 = 3;
    /// Host to phone: standard input closed.
    pub const CLOSE_STDIN: u8 = 4;
}

/// Largest data part of one shell-protocol packet the phone sends.
const SHELL_PACKET_DATA: usize = 64 * 1024;

/// A service request, parsed from OPEN's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    /// `shell:CMD` or `shell,ARGS:CMD`; an empty command is an interactive shell.
    Shell {
        /// Shell protocol v2 (`v2` among the args).
        v2: bool,
        /// A terminal was asked for (`pty`); output lines end in `\r\n`.
        pty: bool,
        /// The command line.
        command: String,
    },
    /// `exec:CMD`: raw output, no terminal, no exit status.
    Exec(String),
    /// `sync:`: the file sync protocol.
    Sync,
}

impl Service {
    /// Parses a service name; `None` for services the phone does not offer.
    pub fn parse(name: &str) -> Option<Service> {
        if let Some(command) = name.strip_prefix("exec:") {
            return Some(Service::Exec(command.to_string()));
        }
        if name == "sync:" {
            return Some(Service::Sync);
        }
        let rest = name.strip_prefix("shell")?;
        let (args, command) = rest.split_once(':')?;
        let args: Vec<&str> = match args.strip_prefix(',') {
            Some(list) => list.split(',').collect(),
            None if args.is_empty() => Vec::new(),
            None => return None,
        };
        let v2 = args.contains(&"v2");
        // Without an explicit type, a command runs raw and an interactive shell gets a pty.
        let pty = args.contains(&"pty") || (!args.contains(&"raw") && command.is_empty());
        Some(Service::Shell {
            v2,
            pty,
            command: command.to_string(),
        })
    }
}

/// Runs a service on its stream until it ends; closes the stream.
pub(crate) fn run(phone: &SimPhone, service: Service, io: StreamIo) {
    match service {
        Service::Shell { v2, pty, command } if command.is_empty() => {
            interactive(phone, v2, pty, &io)
        }
        Service::Shell {
            v2: true, command, ..
        } => {
            if let Ok(outcome) = execute(phone, &command, &io) {
                let _ = send_v2(&io, &outcome);
            }
        }
        Service::Shell {
            v2: false, command, ..
        }
        | Service::Exec(command) => {
            if let Ok(outcome) = execute(phone, &command, &io) {
                let _ = io.write(&outcome.merged);
            }
        }
        Service::Sync => sync::serve(phone, &io),
    }
    io.close();
}

fn execute(phone: &SimPhone, command: &str, io: &StreamIo) -> Result<Outcome, Interrupted> {
    let cancelled = || io.is_closed();
    shell::run(phone, command, &Control::new(&cancelled, None))
}

fn shell_packet(id: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + data.len());
    out.push(id);
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn send_v2(io: &StreamIo, outcome: &Outcome) -> Result<(), super::transport::Closed> {
    let mut frames = Vec::new();
    for (id, data) in [
        (packet::STDOUT, &outcome.stdout),
        (packet::STDERR, &outcome.stderr),
    ] {
        for chunk in data.chunks(SHELL_PACKET_DATA) {
            frames.extend(shell_packet(id, chunk));
        }
    }
    frames.extend(shell_packet(packet::EXIT, &[(outcome.code & 0xff) as u8]));
    io.write(&frames)
}

/// An interactive shell: reads lines from the host, runs each, until `exit` or EOF.
fn interactive(phone: &SimPhone, v2: bool, pty: bool, io: &StreamIo) {
    let prompt = format!("{}:/ $ ", phone.spec().device);
    let send = |id: u8, data: &[u8]| {
        let data = if pty { crlf(data) } else { data.to_vec() };
        if v2 {
            io.write(&shell_packet(id, &data))
        } else {
            io.write(&data)
        }
    };
    if pty && send(packet::STDOUT, prompt.as_bytes()).is_err() {
        return;
    }
    let mut pending: Vec<u8> = Vec::new();
    let mut v2_buffer: Vec<u8> = Vec::new();
    let mut last = 0;
    loop {
        let data = match io.read(Duration::from_millis(200)) {
            Input::Data(d) => d,
            Input::Idle => continue,
            Input::Closed => return,
        };
        let mut fresh = Vec::new();
        if v2 {
            v2_buffer.extend(data);
            while v2_buffer.len() >= 5 {
                let len =
                    u32::from_le_bytes([v2_buffer[1], v2_buffer[2], v2_buffer[3], v2_buffer[4]])
                        as usize;
                if len > shell::parse::MAX_LINE {
                    return;
                }
                if v2_buffer.len() < 5 + len {
                    break;
                }
                let id = v2_buffer[0];
                let body: Vec<u8> = v2_buffer.drain(..5 + len).skip(5).collect();
                match id {
                    packet::STDIN => fresh.extend(body),
                    packet::CLOSE_STDIN => fresh.extend(b"\nexit\n"),
                    _ => {}
                }
            }
        } else {
            fresh = data;
        }
        if pty && send(packet::STDOUT, &fresh).is_err() {
            return;
        }
        pending.extend(fresh);
        if pending.len() > shell::parse::MAX_LINE {
            return;
        }
        while let Some(end) = pending.iter().position(|&b| b == b'\n' || b == b'\r') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line).trim().to_string();
            if line.is_empty() {
                continue;
            }
            if line == "exit" {
                if v2 {
                    let _ = io.write(&shell_packet(packet::EXIT, &[(last & 0xff) as u8]));
                }
                return;
            }
            let Ok(outcome) = execute(phone, &line, io) else {
                return;
            };
            last = outcome.code;
            let printed = if v2 {
                send(packet::STDOUT, &outcome.stdout)
                    .and_then(|_| send(packet::STDERR, &outcome.stderr))
            } else {
                send(packet::STDOUT, &outcome.merged)
            };
            let sent = printed.and_then(|_| {
                if pty {
                    send(packet::STDOUT, prompt.as_bytes())
                } else {
                    Ok(())
                }
            });
            if sent.is_err() {
                return;
            }
        }
    }
}

fn crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for &b in data {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_parse() {
        assert_eq!(
            Service::parse("shell:echo hi"),
            Some(Service::Shell {
                v2: false,
                pty: false,
                command: "echo hi".into()
            })
        );
        assert_eq!(
            Service::parse("shell,v2,TERM=xterm-256color,raw:a:b"),
            Some(Service::Shell {
                v2: true,
                pty: false,
                command: "a:b".into()
            })
        );
        assert_eq!(
            Service::parse("shell,v2,pty:"),
            Some(Service::Shell {
                v2: true,
                pty: true,
                command: String::new()
            })
        );
        assert_eq!(
            Service::parse("exec:cat /x"),
            Some(Service::Exec("cat /x".into()))
        );
        assert_eq!(Service::parse("sync:"), Some(Service::Sync));
        for unknown in [
            "reboot:",
            "shellfoo:x",
            "shell",
            "tcpip:5555",
            "framebuffer:",
            "",
        ] {
            assert_eq!(Service::parse(unknown), None, "{unknown}");
        }
    }
}
