//! `farmhand sim`: simulated phones registered with an adb server until Ctrl-C,
//! so that `adb`, `farmhand login` or any ADB tool can be tried without phones,
//! and the TikTok accounts' profile pages for `farmhand sync --source web`.

use std::io::Write;
use std::time::{Duration, Instant};

use farmhand::device::{AdbDriver, DeviceDriver, DeviceState};
use farmhand::{Error, Platform, Result};
use farmhand_sim::{AdbServer, PlatformAccount, ProfilePages, Scenario, SimFleet};
use serde::Serialize;

use crate::cli::SimArgs;
use crate::demo;
use crate::devices::adb_driver;
use crate::interrupt::Interrupt;
use crate::output::{count, Exit, Output};

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
    /// The TikTok accounts' profile pages (`sync --source web --web-url URL`).
    web_url: String,
    /// The made-up accounts of `--phones N` (none with a scenario file).
    test_accounts: Vec<TestAccount>,
}

/// A fake account `sim --phones N` makes up on the simulated platforms, with
/// its fake password, so that a login works out of the box.
#[derive(Debug, Serialize)]
struct TestAccount {
    platform: Platform,
    username: String,
    password: String,
    /// The phone it is meant to be bound to (any phone accepts it).
    phone: usize,
}

/// `phones` default phones and, for each, one TikTok and one Instagram account
/// (`sim_tiktok_N` / `sim_insta_N`, password `sim-pass-N`, some followers).
fn with_test_accounts(phones: usize) -> (Scenario, Vec<TestAccount>) {
    let mut scenario = Scenario::with_phones(phones);
    let mut made_up = Vec::new();
    for n in 1..=phones {
        for (platform, prefix) in [
            (Platform::TikTok, "sim_tiktok"),
            (Platform::Instagram, "sim_insta"),
        ] {
            let username = format!("{prefix}_{n}");
            let password = format!("sim-pass-{n}");
            let mut account = PlatformAccount::new(platform, &username, password.as_str());
            account.nickname = Some(format!("Sim {platform} {n}"));
            account.followers = 100 * n as u64;
            account.following = 10 * n as u64;
            scenario.accounts.push(account);
            made_up.push(TestAccount {
                platform,
                username,
                password,
                phone: n,
            });
        }
    }
    (scenario, made_up)
}

/// The made-up accounts, said to be fake, with a command to add each.
fn test_accounts_text(accounts: &[TestAccount], serials: &[String]) -> String {
    if accounts.is_empty() {
        return String::new();
    }
    let mut text = String::from(
        "test accounts made up on the simulated platforms (fake, they exist only in these phones):\n",
    );
    for a in accounts {
        let serial = serials.get(a.phone - 1).map_or("-", String::as_str);
        text.push_str(&format!(
            "  farmhand accounts add {} -p {} --password {} --device {serial}\n",
            a.username, a.platform, a.password
        ));
    }
    text
}

/// Starts the phones, registers them, prints where they are, serves until Ctrl-C.
pub fn run(args: SimArgs, interrupt: &Interrupt, out: Output) -> Result<Exit> {
    let (scenario, test_accounts) = match (&args.scenario, args.phones) {
        (Some(path), _) => (Scenario::load(path)?, Vec::new()),
        (None, _) if args.demo => (demo::scenario()?, Vec::new()),
        (None, Some(n)) => with_test_accounts(usize::from(n)),
        (None, None) => {
            return Err(Error::validation(
                "--phones",
                "give --phones N, --scenario FILE or --demo",
            ))
        }
    };
    let fleet = SimFleet::start(&scenario)?;
    let pages = ProfilePages::for_scenario(&scenario)?;
    let serials = fleet.serials();
    let private = if args.start_adb {
        Some(AdbServer::start()?)
    } else {
        None
    };
    let driver = match &private {
        Some(server) => AdbDriver::with_server(server.addr()),
        None => adb_driver(args.adb.one()?)?,
    };
    register(&driver, &serials)?;
    let ready = Ready {
        adb: driver.server().to_string(),
        private_server: private.is_some(),
        phones: &serials,
        web_url: pages.url(),
        test_accounts,
    };
    out.emit(&ready, || {
        let mut text = format!(
            "{} registered with the adb server at {}:\n",
            count(serials.len(), "simulated phone", "simulated phones"),
            ready.adb
        );
        for serial in &serials {
            text.push_str(&format!("  {serial}\n"));
        }
        text.push_str(&test_accounts_text(&ready.test_accounts, &serials));
        text.push_str(&format!(
            "TikTok profile pages of these accounts: export {}={}\n",
            farmhand::web::WEB_URL_ENV,
            ready.web_url
        ));
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
    out.note(format!(
        "stopped {}",
        count(serials.len(), "simulated phone", "simulated phones")
    ));
    Ok(Exit::Ok)
}
