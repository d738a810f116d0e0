//! Running the `farmhand` binary from tests.

#![allow(dead_code)] // each test file uses part of the helpers

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use farmhand_sim::{AdbServer, Scenario, SimFleet};

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout parsed as JSON (panics with the output when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// A test's own workspace and scratch folder.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The workspace file every command of this env uses.
    pub fn workspace(&self) -> PathBuf {
        self.dir.path().join("ws.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `farmhand ARGS` with this env's workspace, a private data dir and no adb port set.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_farmhand"));
        cmd.args(args)
            .env("FARMHAND_WORKSPACE", self.workspace())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_DOWNLOAD_DIR", self.dir.path().join("downloads"))
            .env_remove("ANDROID_ADB_SERVER_PORT")
            .env_remove("FARMHAND_KEY_FILE")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        output(self.cmd(args))
    }

    /// Runs with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        let mut cmd = self.cmd(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub fn output(mut cmd: Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Reads one pretty-printed JSON object (ending with a `}` line) from a child's stdout.
pub fn read_json_object(reader: &mut impl BufRead) -> serde_json::Value {
    let mut text = String::new();
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "stdout ended before a JSON object: {text}");
        text.push_str(&line);
        if line.trim_end() == "}" {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Sends SIGINT (Ctrl-C) to a child.
pub fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A child's stdout as a line reader.
pub fn stdout_reader(child: &mut Child) -> BufReader<std::process::ChildStdout> {
    BufReader::new(child.stdout.take().unwrap())
}

/// PATH without the folders holding an `adb` program.
pub fn path_without_adb() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("adb").exists())
        .collect();
    std::env::join_paths(dirs)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The authenticator key of Ana, the Instagram account with 2FA.
pub const SECRET: &str = "JBSWY3DPEHPK3PXP";

/// Phone 1: Mia (TikTok) and Ana (Instagram, 2FA) logged out. Phone 2: Leo
/// logged in on TikTok. Ivy exists nowhere in the roster.
pub fn scenario() -> Scenario {
    Scenario::from_json(&format!(
        r#"{{
        "accounts": [
          {{"platform": "tiktok", "username": "mia", "password": "mia-pw", "followers": 1200}},
          {{"platform": "tiktok", "username": "leo", "password": "leo-pw", "followers": 34}},
          {{"platform": "instagram", "username": "ana", "password": "ana-pw",
            "totp_secret": "{SECRET}", "followers": 5600}}
        ],
        "phones": [
          {{}},
          {{"apps": [{{"kind": "tiktok", "logged_in": ["leo"]}}, {{"kind": "instagram"}}]}}
        ]
    }}"#
    ))
    .unwrap()
}

/// Phones served and registered with a private adb server.
pub fn fleet(scenario: &Scenario) -> (SimFleet, AdbServer) {
    let fleet = SimFleet::start(scenario).unwrap();
    let adb = AdbServer::start().expect("the adb tool is needed: apt-get install adb");
    for serial in fleet.serials() {
        adb.connect(&serial).unwrap();
        adb.wait_for_state(&serial, "device", Duration::from_secs(20))
            .unwrap();
    }
    (fleet, adb)
}
