//! Fleet scaling, side by side in one run: logging in one account per phone on
//! 1 phone and on 32, 128 and 256 phones (`--sizes`), simulated phones with
//! fixed latencies behind the real adb server (private port), with the
//! default `RunOptions` (every phone at once). Best of `--runs`; fresh phones
//! (all logged out) for every run.
//!
//! The simulated phones run in a child process (this program, started again
//! with `--serve-sim N`), so what is measured in this process is the
//! controller alone: its wall time, its peak resident memory (`VmHWM`, reset
//! through `/proc/self/clear_refs` before each size), its peak thread count
//! (sampled every 10 ms) and its CPU time during the run, beside the CPU time
//! the simulated phones and the adb server spent in the same window (from
//! `/proc/PID/stat`): on a 2-core machine that shows who the cores went to.
//!
//! Prints a table, a `COMPARE {json}` line per size against 1 phone and a
//! `RESOURCES {json}` line per size for `benches/compare/run_all.py` (budget:
//! 128 phones take at most 1.5x the time of 1 phone).
//!
//!     cargo run --release -p farmhand-benches --example fleet_scaling -- [--sizes 1,32,128,256] [--runs 1]
//!     cargo run --release -p farmhand-benches --example fleet_scaling -- --phones 128   # sizes 1 and 128

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use farmhand::device::{AdbDriver, DeviceDriver, DeviceState};
use farmhand::ops::{RunOptions, DEFAULT_PARALLELISM};
use farmhand::{Error, NewAccount, Platform, Result, Workspace};
use farmhand_sim::{AdbServer, Latency, PlatformAccount, Scenario, SimFleet};

/// The budget: N phones take at most this many times the time of 1 phone.
const BUDGET: f64 = 1.5;
/// The largest size the budget is set for (issue 23: 128 phones).
const BUDGET_UP_TO: usize = 128;
/// Kernel clock ticks per second of `/proc/PID/stat` times (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// One account per phone, logged out, with fixed dump and tap latencies.
fn scenario(phones: usize) -> Scenario {
    let mut scenario = Scenario::with_phones(phones);
    scenario.latency = Latency {
        dump_ms: 100,
        tap_ms: 20,
    };
    scenario.accounts = (0..phones)
        .map(|i| PlatformAccount::new(Platform::TikTok, format!("user{i}"), format!("pw-{i}")))
        .collect();
    scenario
}

/// Child mode: serves `phones` simulated phones, prints their serials, one a
/// line, then `ready`, and stops when its standard input closes.
fn serve_sim(phones: usize) -> Result<()> {
    let fleet = SimFleet::start(&scenario(phones))?;
    let mut out = std::io::stdout().lock();
    for serial in fleet.serials() {
        writeln!(out, "{serial}").map_err(|e| Error::io("stdout", e))?;
    }
    writeln!(out, "ready").map_err(|e| Error::io("stdout", e))?;
    out.flush().map_err(|e| Error::io("stdout", e))?;
    drop(out);
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(fleet);
    Ok(())
}

/// Simulated phones in a child process.
struct SimProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    serials: Vec<String>,
}

impl SimProcess {
    fn start(phones: usize) -> Result<SimProcess> {
        let exe = std::env::current_exe().map_err(|e| Error::io("current_exe", e))?;
        let mut child = Command::new(exe)
            .args(["--serve-sim", &phones.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Error::io("simulated phones process", e))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let mut serials = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| Error::io("simulated phones process", e))?;
            if line == "ready" {
                return Ok(SimProcess {
                    child,
                    stdin,
                    serials,
                });
            }
            serials.push(line);
        }
        Err(Error::device("simulated phones", "exited before ready"))
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// User + system CPU seconds of a process so far (`/proc/PID/stat`).
fn cpu_seconds(pid: &str) -> f64 {
    stat_cpu_seconds(&format!("/proc/{pid}/stat"))
}

/// CPU seconds of each thread of a process so far, by thread id.
fn thread_cpu_seconds(pid: &str) -> HashMap<String, f64> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return HashMap::new();
    };
    tasks
        .flatten()
        .map(|task| {
            let tid = task.file_name().to_string_lossy().into_owned();
            let cpu = stat_cpu_seconds(&format!("/proc/{pid}/task/{tid}/stat"));
            (tid, cpu)
        })
        .collect()
}

/// The most CPU seconds one thread spent between two snapshots.
fn busiest_thread(before: &HashMap<String, f64>, after: &HashMap<String, f64>) -> f64 {
    after
        .iter()
        .map(|(tid, cpu)| cpu - before.get(tid).copied().unwrap_or(0.0))
        .fold(0.0, f64::max)
}

/// User + system CPU seconds in a `stat` file of `/proc`.
fn stat_cpu_seconds(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at state (3).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state.
    (ticks(11).unwrap_or(0.0) + ticks(12).unwrap_or(0.0)) / TICKS_PER_SECOND
}

/// A field of `/proc/self/status` (`VmHWM`, `Threads`...) as a number (kB for sizes).
fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(name)?.strip_prefix(':')?;
                rest.split_whitespace().next()?.parse().ok()
            })
        })
        .unwrap_or(0)
}

/// The pid of the adb server listening on `port` (its command line names `tcp:PORT`).
fn adb_server_pid(port: u16) -> Option<String> {
    let wanted = format!("tcp:{port}");
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid = entry.file_name().to_string_lossy().into_owned();
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            (args.iter().any(|a| a == "fork-server") && args.iter().any(|a| a.contains(&wanted)))
                .then_some(pid)
        })
}

/// Samples this process's thread count until stopped; keeps the peak.
struct ThreadSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ThreadSampler {
    fn start() -> ThreadSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, peak) = (stop.clone(), peak.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(status_field("Threads") as usize, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        ThreadSampler {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    /// The peak thread count seen, without the sampler itself.
    fn finish(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.peak.load(Ordering::Relaxed).saturating_sub(1)
    }
}

/// What one login run over `phones` phones took.
#[derive(Debug, Clone, Copy)]
struct Sample {
    phones: usize,
    wall_s: f64,
    /// Controller peak resident memory during the run, MiB.
    rss_mib: f64,
    /// Controller peak thread count during the run.
    threads: usize,
    /// CPU seconds in the run window: the controller, the simulated phones, the adb server.
    controller_cpu_s: f64,
    sim_cpu_s: f64,
    adb_cpu_s: f64,
    /// CPU seconds of the adb server's busiest thread (its event loop).
    adb_busiest_thread_s: f64,
}

/// Waits until the server lists every serial as `device`.
fn wait_online(driver: &AdbDriver, serials: &[String]) -> Result<()> {
    let wanted: HashSet<&str> = serials.iter().map(String::as_str).collect();
    let started = Instant::now();
    loop {
        let online = driver
            .devices()?
            .into_iter()
            .filter(|d| d.state == DeviceState::Device && wanted.contains(d.serial.as_str()))
            .count();
        if online == wanted.len() {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(Error::Timeout {
                what: format!("{} phones online ({online} are)", wanted.len()),
                after: Duration::from_secs(60),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One login run over `phones` fresh phones.
fn login_once(adb: &AdbServer, phones: usize) -> Result<Sample> {
    let sim = SimProcess::start(phones)?;
    let driver = AdbDriver::with_server(adb.addr());
    let ws = Workspace::in_memory();
    for (i, serial) in sim.serials.iter().enumerate() {
        driver.connect(serial)?;
        ws.add(
            NewAccount::new(Platform::TikTok, format!("user{i}"))
                .password(format!("pw-{i}"))
                .device(serial.as_str()),
        )?;
    }
    wait_online(&driver, &sim.serials)?;
    let adb_pid = adb_server_pid(adb.port()).unwrap_or_default();
    let sim_pid = sim.pid().to_string();
    // Resets VmHWM to the current resident size, so the peak is this run's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let adb_threads_before = thread_cpu_seconds(&adb_pid);
    let sampler = ThreadSampler::start();
    let cpu_before = (
        cpu_seconds("self"),
        cpu_seconds(&sim_pid),
        cpu_seconds(&adb_pid),
    );
    let started = Instant::now();
    let report = ws.login(&driver, &RunOptions::default())?;
    let wall_s = started.elapsed().as_secs_f64();
    let cpu_after = (
        cpu_seconds("self"),
        cpu_seconds(&sim_pid),
        cpu_seconds(&adb_pid),
    );
    let adb_threads_after = thread_cpu_seconds(&adb_pid);
    let threads = sampler.finish();
    let rss_mib = status_field("VmHWM") as f64 / 1024.0;
    for serial in &sim.serials {
        driver.disconnect(serial)?;
    }
    if report.summary.succeeded != phones {
        return Err(Error::validation(
            "fleet_scaling",
            format!(
                "{} of {phones} logins succeeded: {:?}",
                report.summary.succeeded, report.summary
            ),
        ));
    }
    Ok(Sample {
        phones,
        wall_s,
        rss_mib,
        threads,
        controller_cpu_s: cpu_after.0 - cpu_before.0,
        sim_cpu_s: cpu_after.1 - cpu_before.1,
        adb_cpu_s: cpu_after.2 - cpu_before.2,
        adb_busiest_thread_s: busiest_thread(&adb_threads_before, &adb_threads_after),
    })
}

/// The fastest of `runs` runs.
fn best(adb: &AdbServer, phones: usize, runs: usize) -> Result<Sample> {
    let mut best: Option<Sample> = None;
    for _ in 0..runs {
        let sample = login_once(adb, phones)?;
        if best.is_none_or(|b| sample.wall_s < b.wall_s) {
            best = Some(sample);
        }
    }
    best.ok_or_else(|| Error::validation("--runs", "expects a positive number"))
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .map(|i| args.get(i + 1).cloned().unwrap_or_default())
}

fn positive(name: &str, value: &str) -> Result<usize> {
    value
        .trim()
        .parse()
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| Error::validation(name, format!("expects a positive number, not {value:?}")))
}

/// The sizes to run: `--sizes A,B,...`, or 1 and `--phones N`; 1 always comes first.
fn sizes(args: &[String]) -> Result<Vec<usize>> {
    let mut sizes = match (arg(args, "--sizes"), arg(args, "--phones")) {
        (Some(list), _) => list
            .split(',')
            .map(|v| positive("--sizes", v))
            .collect::<Result<Vec<_>>>()?,
        (None, Some(n)) => vec![positive("--phones", &n)?],
        (None, None) => vec![32, 128, 256],
    };
    sizes.retain(|&n| n != 1);
    sizes.sort_unstable();
    sizes.dedup();
    sizes.insert(0, 1);
    Ok(sizes)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = arg(&args, "--serve-sim") {
        return serve_sim(positive("--serve-sim", &n)?);
    }
    let sizes = sizes(&args)?;
    let runs = arg(&args, "--runs").map_or(Ok(1), |v| positive("--runs", &v))?;
    let adb = AdbServer::start()?;
    let mut samples = Vec::new();
    for &phones in &sizes {
        samples.push(best(&adb, phones, runs)?);
    }
    let one = samples[0];
    println!(
        "fleet login, one account per phone, default parallelism {DEFAULT_PARALLELISM}, \
         best of {runs}; CPU seconds during the run window ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:>6} {:>8} {:>7} {:>9} {:>8} {:>9} {:>11} {:>8} {:>8} {:>10}",
        "phones",
        "wall s",
        "x 1",
        "RSS MiB",
        "threads",
        "ctl CPU",
        "ctl ms/ph",
        "sim CPU",
        "adb CPU",
        "adb 1 thr"
    );
    for s in &samples {
        println!(
            "{:>6} {:>8.3} {:>7.2} {:>9.1} {:>8} {:>9.2} {:>11.1} {:>8.2} {:>8.2} {:>10.2}",
            s.phones,
            s.wall_s,
            s.wall_s / one.wall_s,
            s.rss_mib,
            s.threads,
            s.controller_cpu_s,
            s.controller_cpu_s * 1000.0 / s.phones as f64,
            s.sim_cpu_s,
            s.adb_cpu_s,
            s.adb_busiest_thread_s
        );
    }
    for s in &samples {
        println!(
            "RESOURCES {{\"phones\": {}, \"wall_s\": {}, \"rss_mib\": {:.1}, \"threads\": {}, \
             \"controller_cpu_s\": {:.2}, \"controller_cpu_ms_per_phone\": {:.2}, \
             \"sim_cpu_s\": {:.2}, \"adb_cpu_s\": {:.2}, \"adb_busiest_thread_s\": {:.2}}}",
            s.phones,
            s.wall_s,
            s.rss_mib,
            s.threads,
            s.controller_cpu_s,
            s.controller_cpu_s * 1000.0 / s.phones as f64,
            s.sim_cpu_s,
            s.adb_cpu_s,
            s.adb_busiest_thread_s
        );
    }
    for s in samples.iter().skip(1) {
        let ratio = one.wall_s / s.wall_s;
        let (min_ratio, met) = if s.phones <= BUDGET_UP_TO {
            let min = 1.0 / BUDGET;
            (format!("{min}"), format!("{}", ratio >= min))
        } else {
            ("null".into(), "null".into())
        };
        println!(
            "COMPARE {{\"name\": \"fleet login, one account per phone: {n} phones vs 1\", \
             \"n\": {n}, \"ours\": \"{n} phones\", \"ours_s\": {many}, \
             \"peer\": \"1 phone\", \"peer_s\": {one_s}, \"ratio\": {ratio}, \
             \"min_ratio\": {min_ratio}, \"met\": {met}}}",
            n = s.phones,
            many = s.wall_s,
            one_s = one.wall_s,
        );
    }
    Ok(())
}
