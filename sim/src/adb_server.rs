//! [`AdbServer`]: the real `adb` server on a private port, for tests and trials.
//!
//! Started with `adb -P PORT start-server` on a free port (never the user's
//! 5037) and killed with `adb -P PORT kill-server` when dropped.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use farmhand::error::{Error, Result};

/// Environment variable naming the `adb` program to use instead of `adb` on PATH.
pub const ADB_ENV: &str = "FARMHAND_ADB";
/// How long one `adb` invocation may take before it is killed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `adb` server on a private port (or an existing one, [`AdbServer::attach`]).
#[derive(Debug)]
pub struct AdbServer {
    program: PathBuf,
    port: u16,
    /// Started by us, so killed when dropped.
    owned: bool,
}

impl AdbServer {
    /// Starts a server on a free port. Fails with a clear error when `adb` is not installed.
    pub fn start() -> Result<AdbServer> {
        let program = adb_program()?;
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let mut server = AdbServer {
                program: program.clone(),
                port,
                owned: true,
            };
            let out = server.run(&["start-server"])?;
            if out.status.success() {
                return Ok(server);
            }
            // The port may have been taken between choosing and binding (maybe by
            // another test's server, which must not be killed): try another.
            server.owned = false;
            last_error = String::from_utf8_lossy(&out.stderr).trim().to_string();
        }
        Err(Error::device(
            "adb",
            format!("start-server failed: {last_error}"),
        ))
    }

    /// The adb server on `port` that someone else runs (the user's, usually 5037):
    /// commands go to it (the `adb` client starts it if needed), and dropping
    /// this value leaves it running.
    pub fn attach(port: u16) -> Result<AdbServer> {
        Ok(AdbServer {
            program: adb_program()?,
            port,
            owned: false,
        })
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's address (127.0.0.1:PORT), what `AdbDriver::with_server` takes.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// An `adb` command aimed at this server (`-P PORT` set, `ANDROID_SERIAL` cleared).
    pub fn adb_command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.arg("-P")
            .arg(self.port.to_string())
            .env_remove("ANDROID_SERIAL")
            .env_remove("ANDROID_ADB_SERVER_PORT")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `adb -P PORT ARGS...` and returns its output; killed after 30 s.
    pub fn run(&self, args: &[&str]) -> Result<Output> {
        let mut cmd = self.adb_command();
        cmd.args(args);
        run_with_timeout(cmd, COMMAND_TIMEOUT).map_err(|e| {
            Error::device(
                format!("adb server :{}", self.port),
                format!("adb {}: {e}", subcommand(args)),
            )
            .with_source(e)
        })
    }

    /// `adb connect ADDR`, then waits until the server lists it as `device`.
    pub fn connect(&self, addr: &str) -> Result<()> {
        let out = self.run(&["connect", addr])?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !text.contains("connected to") || text.contains("cannot") || text.contains("failed") {
            return Err(Error::device(addr, format!("adb connect: {}", text.trim())));
        }
        self.wait_for_state(addr, "device", Duration::from_secs(10))
    }

    /// `adb disconnect ADDR`.
    pub fn disconnect(&self, addr: &str) -> Result<()> {
        let out = self.run(&["disconnect", addr])?;
        let text = String::from_utf8_lossy(&out.stdout);
        if out.status.success() && text.contains("disconnected") {
            Ok(())
        } else {
            Err(Error::device(
                addr,
                format!(
                    "adb disconnect: {}{}",
                    text.trim(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ))
        }
    }

    /// The state `adb devices` shows for `serial` (`device`, `offline`...), `None` if absent.
    pub fn state_of(&self, serial: &str) -> Result<Option<String>> {
        let out = self.run(&["devices"])?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|line| {
                let mut parts = line.split_whitespace();
                (parts.next() == Some(serial)).then(|| parts.next().unwrap_or("").to_string())
            }))
    }

    /// Polls `adb devices` until `serial` is in `state`, or errors after `timeout`.
    pub fn wait_for_state(&self, serial: &str, state: &str, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        loop {
            let now = self.state_of(serial)?;
            if now.as_deref() == Some(state) {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(Error::Timeout {
                    what: format!("{serial} to be '{state}' (it is {now:?})"),
                    after: timeout,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for AdbServer {
    fn drop(&mut self) {
        if self.owned {
            let _ = self.run(&["kill-server"]);
        }
    }
}

/// The `adb` program ([`ADB_ENV`] or `adb` on PATH), checked to run.
fn adb_program() -> Result<PathBuf> {
    let program = std::env::var_os(ADB_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("adb"));
    match Command::new(&program)
        .arg("version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) if out.status.success() => Ok(program),
        Ok(out) => Err(Error::device(
            "adb",
            format!(
                "`{} version` failed: {}",
                program.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        )),
        Err(e) => Err(Error::device(
            "adb",
            format!(
                "cannot run `{}` ({e}); install the adb tool (Debian: apt-get install adb) or set {ADB_ENV}",
                program.display()
            ),
        )),
    }
}

/// The adb subcommand of `args` (`shell`, `pull`...) without its arguments,
/// which may hold what was typed (a password for `input text`).
fn subcommand(args: &[&str]) -> String {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "-s" | "-t" | "-P" | "-H" => {
                rest.next();
            }
            a if a.starts_with('-') => {}
            a => return format!("{a} ..."),
        }
    }
    String::new()
}

/// A port that was free a moment ago (the OS picked it), never 5037.
fn free_port() -> Result<u16> {
    loop {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| Error::device("127.0.0.1", format!("cannot find a free port: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::device("127.0.0.1", e.to_string()))?
            .port();
        if port != 5037 {
            return Ok(port);
        }
    }
}

/// Runs a command, collecting its output, killing it after `timeout`.
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> std::io::Result<Output> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut pipes = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    let readers: Vec<_> = pipes
        .iter_mut()
        .map(|p| {
            let pipe = p.take();
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut buf);
                }
                buf
            })
        })
        .collect();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {timeout:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut outputs = readers.into_iter().map(|r| r.join().unwrap_or_default());
    Ok(Output {
        status,
        stdout: outputs.next().unwrap_or_default(),
        stderr: outputs.next().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::subcommand;

    #[test]
    fn errors_name_the_subcommand_but_not_its_arguments() {
        assert_eq!(
            subcommand(&["-s", "127.0.0.1:5555", "shell", "input text 'hunter2'"]),
            "shell ..."
        );
        assert_eq!(subcommand(&["devices", "-l"]), "devices ...");
        assert_eq!(subcommand(&[]), "");
    }
}
