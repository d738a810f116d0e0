//! The phone's shell: runs a command line against a [`SimPhone`].
//!
//! [`parse`] turns the line into pipelines; this module expands words, wires
//! redirections and pipes, and runs [`commands`]. Output is collected per
//! command, then routed: a command line is short-lived automation, not a
//! stream. Every wait (`sleep`, latencies, a hung command) is cut short by the
//! [`Control`]: the stream closing, or a deadline.

pub mod commands;
pub mod parse;

use std::time::{Duration, Instant};

use super::phone::SimPhone;
use parse::{Connector, Part, Redirect, Word};

/// Exit status of a command that does not exist.
pub const NOT_FOUND: i32 = 127;
/// Exit status of a command cut short by `timeout`.
pub const TIMED_OUT: i32 = 124;
/// The process id `$$` expands to.
pub const SHELL_PID: u32 = 4242;

/// What a command line printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Both, in the order the commands wrote them: what shell protocol v1
    /// (`shell:` without `v2`) sends, one stream for both.
    pub merged: Vec<u8>,
    /// Exit status of the last command run.
    pub code: i32,
}

/// Why a command line stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupted {
    /// The caller went away (stream closed, connection dropped).
    Cancelled,
    /// The deadline passed.
    Deadline,
}

/// How long a command line may run, and how it learns that its caller left.
pub struct Control<'a> {
    cancelled: &'a (dyn Fn() -> bool + Sync),
    deadline: Option<Instant>,
}

impl<'a> Control<'a> {
    /// A control; `cancelled` is polled during waits.
    pub fn new(cancelled: &'a (dyn Fn() -> bool + Sync), deadline: Option<Instant>) -> Self {
        Control {
            cancelled,
            deadline,
        }
    }

    /// Sleeps `duration` in short steps, stopping early when cancelled or past the deadline.
    pub fn wait(&self, duration: Duration) -> Result<(), Interrupted> {
        let end = Instant::now() + duration;
        loop {
            if (self.cancelled)() {
                return Err(Interrupted::Cancelled);
            }
            let now = Instant::now();
            if self.deadline.is_some_and(|d| now >= d) {
                return Err(Interrupted::Deadline);
            }
            if now >= end {
                return Ok(());
            }
            let mut step = (end - now).min(Duration::from_millis(20));
            if let Some(d) = self.deadline {
                step = step.min(d.saturating_duration_since(now));
            }
            std::thread::sleep(step);
        }
    }

    /// Waits until cancelled or past the deadline: a command that never answers.
    pub fn hang(&self) -> Interrupted {
        loop {
            if let Err(why) = self.wait(Duration::from_secs(3600)) {
                return why;
            }
        }
    }

    fn with_deadline(&self, deadline: Instant) -> Control<'a> {
        Control {
            cancelled: self.cancelled,
            deadline: Some(self.deadline.map_or(deadline, |d| d.min(deadline))),
        }
    }
}

/// Runs `line` on `phone`.
pub fn run(phone: &SimPhone, line: &str, control: &Control<'_>) -> Result<Outcome, Interrupted> {
    phone.record_command(line);
    let mut shell = Shell {
        phone,
        last_status: 0,
    };
    shell.run_line(line, control)
}

/// The state of one shell invocation.
pub struct Shell<'p> {
    phone: &'p SimPhone,
    last_status: i32,
}

/// Where a descriptor's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sink {
    Stdout,
    Stderr,
    Null,
    File(String),
}

enum Flow {
    Next(i32),
    Exit(i32),
}

impl<'p> Shell<'p> {
    /// The phone this shell runs on.
    pub fn phone(&self) -> &'p SimPhone {
        self.phone
    }

    fn run_line(&mut self, line: &str, control: &Control<'_>) -> Result<Outcome, Interrupted> {
        let mut out = Outcome::default();
        let list = match parse::parse(line) {
            Ok(list) => list,
            Err(e) => {
                out.stderr = format!("/system/bin/sh: syntax error: {e}\n").into_bytes();
                out.merged = out.stderr.clone();
                out.code = 1;
                return Ok(out);
            }
        };
        for (connector, pipeline) in &list.items {
            let skip = match connector {
                Connector::Seq => false,
                Connector::And => self.last_status != 0,
                Connector::Or => self.last_status == 0,
            };
            if skip {
                continue;
            }
            let mut stdin = Vec::new();
            let count = pipeline.commands.len();
            let mut flow = Flow::Next(0);
            for (i, command) in pipeline.commands.iter().enumerate() {
                let mut piped = Vec::new();
                let written = (out.stdout.len(), out.stderr.len());
                let stdout: &mut Vec<u8> = if i + 1 < count {
                    &mut piped
                } else {
                    &mut out.stdout
                };
                flow = self.run_command(
                    command,
                    std::mem::take(&mut stdin),
                    stdout,
                    &mut out.stderr,
                    control,
                )?;
                // One command's output is collected whole, so the streams
                // interleave command by command, as each finishes writing.
                out.merged.extend_from_slice(&out.stdout[written.0..]);
                out.merged.extend_from_slice(&out.stderr[written.1..]);
                stdin = piped;
            }
            match flow {
                Flow::Next(code) => self.last_status = code,
                Flow::Exit(code) => {
                    out.code = code;
                    return Ok(out);
                }
            }
        }
        out.code = self.last_status;
        Ok(out)
    }

    fn expand(&self, word: &Word) -> String {
        let mut s = String::new();
        for part in &word.parts {
            match part {
                Part::Lit(l) => s.push_str(l),
                Part::LastStatus => s.push_str(&self.last_status.to_string()),
                Part::Pid => s.push_str(&SHELL_PID.to_string()),
                Part::Var(name) => s.push_str(match name.as_str() {
                    "EXTERNAL_STORAGE" => "/sdcard",
                    "HOME" => "/",
                    "PATH" => "/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin",
                    "USER" => "shell",
                    _ => "",
                }),
            }
        }
        s
    }

    fn run_command(
        &mut self,
        command: &parse::Command,
        mut stdin: Vec<u8>,
        stdout: &mut Vec<u8>,
        stderr: &mut Vec<u8>,
        control: &Control<'_>,
    ) -> Result<Flow, Interrupted> {
        let mut fd1 = Sink::Stdout;
        let mut fd2 = Sink::Stderr;
        for redirect in &command.redirects {
            match redirect {
                Redirect::ToFile { fd, target, append } => {
                    let path = self.expand(target);
                    let sink = if path == "/dev/null" {
                        Sink::Null
                    } else {
                        let path = absolute(&path);
                        if !*append || self.phone.read_file(&path).is_none() {
                            if let Err(e) = self.phone.write_file(&path, Vec::new()) {
                                stderr.extend(
                                    format!("/system/bin/sh: can't create {path}: {e}\n").bytes(),
                                );
                                return Ok(Flow::Next(1));
                            }
                        }
                        Sink::File(path)
                    };
                    if *fd == 1 {
                        fd1 = sink;
                    } else {
                        fd2 = sink;
                    }
                }
                Redirect::Dup { fd, to } => {
                    let target = if *to == 1 { fd1.clone() } else { fd2.clone() };
                    if *fd == 1 {
                        fd1 = target;
                    } else {
                        fd2 = target;
                    }
                }
                Redirect::FromFile(word) => {
                    let path = absolute(&self.expand(word));
                    match self.phone.read_file(&path) {
                        Some(data) => stdin = data,
                        None => {
                            stderr.extend(format!("/system/bin/sh: can't open {path}: No such file or directory\n").bytes());
                            return Ok(Flow::Next(1));
                        }
                    }
                }
            }
        }
        let argv: Vec<String> = command.words.iter().map(|w| self.expand(w)).collect();
        if argv.is_empty() {
            return Ok(Flow::Next(0));
        }
        let mut out = Vec::new();
        let mut err = Vec::new();
        let flow = match argv[0].as_str() {
            "exit" => {
                let code = argv
                    .get(1)
                    .and_then(|c| c.parse::<i32>().ok())
                    .unwrap_or(self.last_status);
                Flow::Exit(code & 0xff)
            }
            "timeout" => Flow::Next(self.timeout(&argv, &stdin, &mut out, &mut err, control)?),
            "sh" if argv.get(1).map(String::as_str) == Some("-c") => {
                let line = argv.get(2).cloned().unwrap_or_default();
                let mut inner = Shell {
                    phone: self.phone,
                    last_status: 0,
                };
                let result = inner.run_line(&line, control)?;
                out = result.stdout;
                err = result.stderr;
                Flow::Next(result.code)
            }
            _ => Flow::Next(commands::run(
                self, &argv, &stdin, &mut out, &mut err, control,
            )?),
        };
        self.route(&fd1, out, stdout, stderr);
        self.route(&fd2, err, stdout, stderr);
        Ok(flow)
    }

    /// `timeout [-s SIG] DURATION COMMAND [ARG]...`
    fn timeout(
        &mut self,
        argv: &[String],
        stdin: &[u8],
        out: &mut Vec<u8>,
        err: &mut Vec<u8>,
        control: &Control<'_>,
    ) -> Result<i32, Interrupted> {
        let mut args = &argv[1..];
        if args.first().map(String::as_str) == Some("-s") && args.len() > 1 {
            args = &args[2..];
        }
        let Some((limit, rest)) = args.split_first() else {
            err.extend(b"timeout: missing operand\n");
            return Ok(125);
        };
        let Some(limit) = commands::parse_duration(limit) else {
            err.extend(format!("timeout: invalid time interval '{limit}'\n").bytes());
            return Ok(125);
        };
        if rest.is_empty() {
            err.extend(b"timeout: missing operand\n");
            return Ok(125);
        }
        let inner_deadline = Instant::now() + limit;
        let inner = control.with_deadline(inner_deadline);
        match commands::run(self, rest, stdin, out, err, &inner) {
            Ok(code) => Ok(code),
            Err(Interrupted::Deadline) if control.deadline.is_none_or(|d| inner_deadline < d) => {
                Ok(TIMED_OUT)
            }
            Err(e) => Err(e),
        }
    }

    fn route(&self, sink: &Sink, data: Vec<u8>, stdout: &mut Vec<u8>, stderr: &mut Vec<u8>) {
        if data.is_empty() {
            return;
        }
        match sink {
            Sink::Stdout => stdout.extend(data),
            Sink::Stderr => stderr.extend(data),
            Sink::Null => {}
            Sink::File(path) => {
                if let Err(e) = self.phone.append_file(path, &data) {
                    stderr.extend(format!("/system/bin/sh: write error: {e}\n").bytes());
                }
            }
        }
    }
}

/// Makes a path absolute against the shell's working directory, `/`.
pub fn absolute(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}
