//! Serving simulated phones to a running adb server: what the `sim-phones`
//! example (and later the CLI) runs, kept here so every front end shares it.

use std::path::PathBuf;

use farmhand::error::{Error, Result};

use super::adb_server::AdbServer;
use super::fleet::SimFleet;
use super::scenario::{Scenario, MAX_PHONES};

/// The adb server port used when none is given: `ANDROID_ADB_SERVER_PORT`, else 5037.
pub fn default_adb_port() -> u16 {
    std::env::var("ANDROID_ADB_SERVER_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(5037)
}

/// What to serve and where to register it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServeOptions {
    /// Start this many default phones (the scenario, if any, must then list none).
    pub phones: Option<usize>,
    /// A JSON scenario file.
    pub scenario: Option<PathBuf>,
    /// Port of the adb server to register the phones with; default [`default_adb_port`].
    pub adb_port: Option<u16>,
}

/// The usage line of the options, for `--help` and errors.
pub const USAGE: &str =
    "usage: sim-phones --phones N | --scenario FILE [--phones N] [--adb-port PORT]";

impl ServeOptions {
    /// Parses `--phones N`, `--scenario FILE`, `--adb-port PORT` (program name excluded).
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<ServeOptions> {
        let mut options = ServeOptions::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| Error::validation(name, format!("needs a value; {USAGE}")))
            };
            match flag.as_str() {
                "--phones" => {
                    let raw = value("--phones")?;
                    let n = raw
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_PHONES).contains(n));
                    options.phones = Some(n.ok_or_else(|| {
                        Error::validation(
                            "--phones",
                            format!("'{raw}' is not a number of phones from 1 to {MAX_PHONES}"),
                        )
                    })?);
                }
                "--scenario" => options.scenario = Some(PathBuf::from(value("--scenario")?)),
                "--adb-port" => {
                    let raw = value("--adb-port")?;
                    options.adb_port =
                        Some(raw.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                            Error::validation("--adb-port", format!("'{raw}' is not a port number"))
                        })?);
                }
                other => {
                    return Err(Error::validation(
                        "arguments",
                        format!("unknown argument '{other}'; {USAGE}"),
                    ))
                }
            }
        }
        if options.phones.is_none() && options.scenario.is_none() {
            return Err(Error::validation(
                "arguments",
                format!("say how many phones; {USAGE}"),
            ));
        }
        Ok(options)
    }

    /// The scenario these options describe.
    pub fn scenario(&self) -> Result<Scenario> {
        let mut scenario = match &self.scenario {
            Some(path) => Scenario::load(path)?,
            None => Scenario::default(),
        };
        if let Some(n) = self.phones {
            if !scenario.phones.is_empty() && scenario.phones.len() != n {
                return Err(Error::validation(
                    "--phones",
                    format!(
                        "the scenario lists {} phones; drop --phones or the scenario's list",
                        scenario.phones.len()
                    ),
                ));
            }
            if scenario.phones.is_empty() {
                scenario.phones = Scenario::with_phones(n).phones;
            }
        }
        if scenario.phones.is_empty() {
            return Err(Error::validation("phones", "the scenario lists no phones"));
        }
        scenario.validate()?;
        Ok(scenario)
    }
}

/// Phones being served and registered with an adb server; dropping it
/// disconnects them from the server and stops them.
#[derive(Debug)]
pub struct Serving {
    adb: AdbServer,
    fleet: SimFleet,
}

impl Serving {
    /// The simulated phones.
    pub fn fleet(&self) -> &SimFleet {
        &self.fleet
    }

    /// The adb server they are registered with.
    pub fn adb(&self) -> &AdbServer {
        &self.adb
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        for serial in self.fleet.serials() {
            let _ = self.adb.disconnect(&serial);
        }
    }
}

/// Starts the phones the options describe and `adb connect`s each to the adb
/// server on the options' port (started by the `adb` client if not running).
pub fn serve(options: &ServeOptions) -> Result<Serving> {
    let scenario = options.scenario()?;
    let fleet = SimFleet::start(&scenario)?;
    let adb = AdbServer::attach(options.adb_port.unwrap_or_else(default_adb_port))?;
    let serving = Serving { adb, fleet };
    for serial in serving.fleet.serials() {
        serving.adb.connect(&serial)?;
    }
    Ok(serving)
}
