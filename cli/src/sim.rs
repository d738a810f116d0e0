//! `farmhand sim`: simulated phones registered with an adb server until Ctrl-C,
//! so that `adb`, `farmhand login` or any ADB tool can be tried without phones.

use std::io::Write;
use std::time::{Duration, Instant};

use farmhand::device::{AdbDriver, DeviceDriver, DeviceState};
use farmhand::{Error, Result};
use farmhand_sim::{AdbServer, Scenario, SimFleet};
use serde::Serialize;

use crate::cli::SimArgs;
use crate::demo;
use crate::devices::adb_driver;
use crate::interrupt::Interrupt;
use crate::output::{Exit, Output};

/// How long registered phones may take to show as `device` in the server.
const ONLINE_TIMEOUT: Duration = Duration::from_secs(20);

/// Connects every serial through the server and waits until the server lists
/// each as `device`. On failure the phones already connected are disconnected.
pub fn register(driver: &AdbDriver, serials: &[String]) -> Result<()> {
    let result = connect_and_wait(driver, serials);
    if result.is_err() {
        unregister(driver, serials);
    }
    result
}

fn connect_and_wait(driver: &AdbDriver, serials: &[String]) -> Result<()> {
    for serial in serials {
        driver.connect(serial)?;
    }
    let deadline = Instant::now() + ONLINE_TIMEOUT;
    loop {
        let online: Vec<String> = driver
            .devices()?
            .into_iter()
            .filter(|d| d.state == DeviceState::Device)
            .map(|d| d.serial)
            .collect();
        let waiting: Vec<&String> = serials.iter().filter(|s| !online.contains(s)).collect();
        if waiting.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                what: format!(
                    "simulated phones {:?} to come online in adb server {}",
                    waiting,
                    driver.server()
                ),
                after: ONLINE_TIMEOUT,
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Disconnects the serials, ignoring phones the server already forgot.
pub fn unregister(driver: &AdbDriver, serials: &[String]) {
    for serial in serials {
        if let Err(e) = driver.disconnect(serial) {
            if e.kind() != farmhand::ErrorKind::NotFound {
                eprintln!("warning: {e}");
            }
        }
    }
}

/// What `sim` prints once the phones are reachable.
#[derive(Debug, Serialize)]
struct Ready<'a> {
    adb: String,
    private_server: bool,
    phones: &'a [String],
}

/// Starts the phones, registers them, prints where they are, serves until Ctrl-C.
pub fn run(args: SimArgs, interrupt: &Interrupt, out: Output) -> Result<Exit> {
    let scenario = match (&args.scenario, args.phones) {
        (Some(path), _) => Scenario::load(path)?,
        (None, _) if args.demo => demo::scenario()?,
        (None, Some(n)) => Scenario::with_phones(usize::from(n)),
        (None, None) => {
            return Err(Error::validation(
                "--phones",
                "give --phones N, --scenario FILE or --demo",
            ))
        }
    };
    let fleet = SimFleet::start(&scenario)?;
    let serials = fleet.serials();
    let private = if args.start_adb {
        Some(AdbServer::start()?)
    } else {
        None
    };
    let driver = match &private {
        Some(server) => AdbDriver::with_server(server.addr()),
        None => adb_driver(args.adb.adb)?,
    };
    register(&driver, &serials)?;
    let ready = Ready {
        adb: driver.server().to_string(),
        private_server: private.is_some(),
        phones: &serials,
    };
    out.emit(&ready, || {
        let mut text = format!(
            "{} simulated phones registered with the adb server at {}:\n",
            serials.len(),
            ready.adb
        );
        for serial in &serials {
            text.push_str(&format!("  {serial}\n"));
        }
        if let Some(server) = &private {
            text.push_str(&format!(
                "use them with: export ANDROID_ADB_SERVER_PORT={}\n",
                server.port()
            ));
        }
        text.push_str("serving until Ctrl-C\n");
        text
    });
    // Scripts wait for the line above before they use the phones.
    let _ = std::io::stdout().flush();
    interrupt.wait();
    unregister(&driver, &serials);
    out.note(format!("stopped {} simulated phones", serials.len()));
    Ok(Exit::Ok)
}
