//! `farmhand demo`: the whole tour on simulated phones, on a machine with no
//! phones and no adb: a sample sheet made at run time, import, match, login
//! with 2FA, profile sync (phones completed from a local stand-in for
//! TikTok's profile pages), the roster, and the exported sheet.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use farmhand::device::{AdbDriver, DeviceDriver};
use farmhand::ops::{CancelToken, ProfileSource, Report, RunOptions};
use farmhand::store::AccountFilter;
use farmhand::web::WebOptions;
use farmhand::xlsx::{ExportOptions, ExportSummary, ImportOptions, ImportReport};
use farmhand::{Account, Error, Platform, Result, Workspace};
use farmhand_sim::adb_server::ADB_ENV;
use farmhand_sim::{AdbServer, ProfilePages, Scenario, SimFleet};
use serde::Serialize;

use crate::accounts::accounts_table;
use crate::cli::{DemoArgs, DriverChoice};
use crate::interrupt::Interrupt;
use crate::output::{Exit, Output};
use crate::sheets;
use crate::sim::{register, unregister};
use crate::workflows::{self, Kind, Progress};

/// The demo's simulated world: three phones, five platform accounts. Leo is
/// logged in on phone 2 and in no sheet (match creates him); Kai is logged in
/// on phone 3 and in the sheet without a phone (match links him); Ana's
/// Instagram asks for an authenticator code (login computes it). The TikTok
/// accounts' videos, friends and country are on their profile pages only.
pub const SCENARIO: &str = r#"{
  "accounts": [
    {"platform": "tiktok", "username": "mia.dances", "email": "mia@example.com",
     "password": "tt-mia-2024", "nickname": "Mia Dances", "country": "US", "followers": 12500,
     "following": 180, "likes": 403000, "posts": 96, "friends": 41},
    {"platform": "tiktok", "username": "leo.cooks", "password": "tt-leo-2024",
     "nickname": "Leo Cooks", "country": "FR", "followers": 880, "following": 75, "likes": 9100,
     "posts": 12, "friends": 9},
    {"platform": "tiktok", "username": "old.promo", "password": "tt-old-2021"},
    {"platform": "instagram", "username": "ana.travels", "password": "ig-ana-2024",
     "totp_secret": "JBSWY3DPEHPK3PXP", "nickname": "Ana Travels", "followers": 54200,
     "following": 310, "posts": 233},
    {"platform": "instagram", "username": "kai.photos", "email": "kai@example.com",
     "password": "ig-kai-2024", "nickname": "Kai Photos", "followers": 2300,
     "following": 140, "posts": 58}
  ],
  "phones": [
    {"model": "Pixel 7"},
    {"model": "Pixel 6a", "apps": [
      {"kind": "tiktok", "logged_in": ["leo.cooks"]}, {"kind": "instagram"}]},
    {"model": "Galaxy A54", "apps": [
      {"kind": "tiktok"}, {"kind": "instagram", "logged_in": ["kai.photos"]}]}
  ]
}"#;

/// The demo scenario, parsed.
pub fn scenario() -> Result<Scenario> {
    Scenario::from_json(SCENARIO)
}

/// One row of a sample sheet: username, email, pwd, device, status.
type SampleRow = (&'static str, &'static str, String, String, u8);

/// The sample roster, as an operator's sheets would hold it (no `id` column:
/// new accounts): Mia and Ana bound to phone 1 (Ana's password carries a 2FA
/// key), Kai unbound, an old account disabled.
fn sample_rows(platform: Platform, phone1: &str) -> Vec<SampleRow> {
    match platform {
        Platform::TikTok => vec![
            (
                "mia.dances",
                "mia@example.com",
                "tt-mia-2024".into(),
                phone1.into(),
                0,
            ),
            ("old.promo", "", "tt-old-2021".into(), phone1.into(), 1),
        ],
        Platform::Instagram => vec![
            (
                "ana.travels",
                "",
                "ig-ana-2024:JBSWY3DPEHPK3PXP".into(),
                phone1.into(),
                0,
            ),
            (
                "kai.photos",
                "kai@example.com",
                "ig-kai-2024".into(),
                String::new(),
                0,
            ),
        ],
    }
}

/// Writes a sample sheet (sheet `accounts`, TikMatrix column names).
fn write_sample(path: &Path, rows: &[SampleRow]) -> Result<()> {
    let fail = |e: rust_xlsxwriter::XlsxError| match e {
        rust_xlsxwriter::XlsxError::IoError(io) => Error::io(path, io),
        other => Error::io(
            path,
            std::io::Error::other(format!("cannot write the sample sheet: {other}")),
        ),
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("accounts").map_err(fail)?;
    for (col, title) in ["username", "email", "pwd", "device", "status"]
        .into_iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, title).map_err(fail)?;
    }
    for (i, (username, email, pwd, device, status)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, text) in [(0, *username), (1, *email), (2, pwd), (3, device)] {
            if !text.is_empty() {
                sheet.write_string(row, col, text).map_err(fail)?;
            }
        }
        sheet
            .write_number(row, 4, f64::from(*status))
            .map_err(fail)?;
    }
    book.save(path).map_err(fail)
}

/// Where the demo's phones are reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    /// A private real adb server.
    Adb,
    /// In process.
    Local,
}

/// True when an `adb` program can be run: `$FARMHAND_ADB`, or `adb` on PATH.
fn adb_installed() -> bool {
    if std::env::var_os(ADB_ENV).is_some_and(|v| !v.is_empty()) {
        return true;
    }
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| is_executable(&dir.join("adb")))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.with_extension("exe").is_file()
    }
}

/// The demo's folder: `--dir` (new or empty), or a temporary one removed at the end.
fn demo_dir(dir: Option<PathBuf>) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    match dir {
        Some(dir) => {
            if dir.exists() {
                let mut entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
                if entries.next().is_some() {
                    return Err(Error::validation(
                        "--dir",
                        format!(
                            "{} is not empty; the demo needs a new or empty directory",
                            dir.display()
                        ),
                    ));
                }
            }
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            Ok((dir, None))
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("farmhand-demo-")
                .tempdir()
                .map_err(|e| Error::io(std::env::temp_dir(), e))?;
            Ok((temp.path().to_path_buf(), Some(temp)))
        }
    }
}

/// Everything the demo did, for `--json`.
#[derive(Debug, Serialize)]
struct DemoReport {
    mode: Mode,
    adb_server: Option<String>,
    phones: Vec<String>,
    /// The local stand-in for TikTok's profile pages (`--web-url`).
    web_url: String,
    dir: PathBuf,
    kept: bool,
    imports: Vec<ImportReport>,
    workflows: Vec<Report>,
    accounts: Vec<Account>,
    exports: Vec<ExportSummary>,
}

/// Prints a section for people (not with `--json`, whose object comes at the end).
fn section(out: Output, title: &str, body: &str) {
    if !out.json {
        println!("== {title}\n{body}");
    }
}

/// Runs the tour.
pub fn run(args: DemoArgs, out: Output) -> Result<Exit> {
    let interrupt = Interrupt::install()?;
    let (dir, temp) = demo_dir(args.dir)?;
    let mode = match args.driver {
        DriverChoice::Adb => Mode::Adb,
        DriverChoice::Local => Mode::Local,
        DriverChoice::Auto if adb_installed() => Mode::Adb,
        DriverChoice::Auto => Mode::Local,
    };
    let world = scenario()?;
    let fleet = SimFleet::start(&world)?;
    let pages = ProfilePages::for_scenario(&world)?;
    let phones = fleet.serials();
    let server = match mode {
        Mode::Adb => Some(AdbServer::start()?),
        Mode::Local => None,
    };
    let adb = server.as_ref().map(|s| AdbDriver::with_server(s.addr()));
    let driver: Box<dyn DeviceDriver> = match &adb {
        Some(adb) => {
            register(adb, &phones)?;
            Box::new(adb.clone())
        }
        None => Box::new(fleet.local_driver()),
    };
    section(
        out,
        "phones",
        &match &adb {
            Some(adb) => format!(
                "{} simulated phones through the real adb server at {} (a private port)\n",
                phones.len(),
                adb.server()
            ),
            None => format!(
                "{} simulated phones in process: `adb` is not installed{}\n",
                phones.len(),
                if args.driver == DriverChoice::Local {
                    " or not wanted (--driver local)"
                } else {
                    " (apt-get install adb to go through the real adb server)"
                }
            ),
        },
    );

    let mut report = DemoReport {
        mode,
        adb_server: adb.as_ref().map(|a| a.server().to_string()),
        phones: phones.clone(),
        web_url: pages.url(),
        dir: dir.clone(),
        kept: temp.is_none(),
        imports: Vec::new(),
        workflows: Vec::new(),
        accounts: Vec::new(),
        exports: Vec::new(),
    };
    let web = WebOptions {
        base_url: pages.url(),
        requests_per_second: 20.0,
        ..WebOptions::default()
    };
    let result = tour(
        &dir,
        &phones,
        driver.as_ref(),
        &web,
        &interrupt,
        out,
        &mut report,
    );
    if let Some(adb) = &adb {
        unregister(adb, &phones);
    }
    let exit = result?;
    out.emit(&report, || match &temp {
        Some(_) => format!(
            "demo files were in {} (removed now; pass --dir DIR to keep them)\n",
            dir.display()
        ),
        None => format!("demo files are in {}\n", dir.display()),
    });
    Ok(exit)
}

/// The steps after the phones are up.
fn tour(
    dir: &Path,
    phones: &[String],
    driver: &dyn DeviceDriver,
    web: &WebOptions,
    interrupt: &Interrupt,
    out: Output,
    report: &mut DemoReport,
) -> Result<Exit> {
    let ws_path = dir.join("workspace.db");
    let ws = Workspace::open(&ws_path)?;
    let mut exit = Exit::Ok;
    for platform in Platform::ALL {
        let sample = dir.join(format!("sample-{platform}.xlsx"));
        write_sample(&sample, &sample_rows(platform, &phones[0]))?;
        let imported = ws.import_xlsx(&sample, &ImportOptions::new(platform))?;
        section(
            out,
            &format!("import {}", sample.display()),
            &sheets::report_text(&imported),
        );
        if !imported.errors.is_empty() {
            exit = Exit::Failures;
        }
        report.imports.push(imported);
    }

    let cancel = CancelToken::new();
    {
        let cancel = cancel.clone();
        interrupt.on_interrupt(move || cancel.cancel());
    }
    let options = RunOptions {
        observer: Arc::new(Progress::new(out)),
        cancel,
        ..RunOptions::default()
    };
    for (kind, title) in [
        (
            Kind::Match,
            "match: sessions already logged in on the phones",
        ),
        (Kind::Login, "login (Ana's Instagram asks for a 2FA code)"),
        (
            Kind::Sync,
            "profile sync (phones, completed from TikTok profile pages on a local web server)",
        ),
    ] {
        let done = match kind {
            Kind::Sync => ws.sync_profiles_from(ProfileSource::Both(driver, web), &options)?,
            _ => workflows::execute(&ws, kind, driver, &options)?,
        };
        section(out, title, &workflows::report_text(&done));
        let step_exit = workflows::exit_for(&done);
        report.workflows.push(done);
        match step_exit {
            Exit::Interrupted => return Ok(Exit::Interrupted),
            Exit::Ok => {}
            other => exit = other,
        }
    }

    report.accounts = ws.list(&AccountFilter::default())?;
    section(
        out,
        &format!("roster in {}", ws_path.display()),
        &accounts_table(&report.accounts).to_string(),
    );
    for platform in Platform::ALL {
        let name = match platform {
            Platform::TikTok => "accounts.xlsx".to_string(),
            Platform::Instagram => "accounts-instagram.xlsx".to_string(),
        };
        let summary = ws.export_xlsx(dir.join(name), &ExportOptions::new(platform))?;
        section(
            out,
            "export",
            &format!(
                "{} {platform} accounts to {}\n",
                summary.rows,
                summary.path.display()
            ),
        );
        report.exports.push(summary);
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_scenario_is_valid_and_matches_the_sample_sheet() {
        let scenario = scenario().unwrap();
        assert_eq!(scenario.phones.len(), 3);
        for platform in Platform::ALL {
            for (username, ..) in sample_rows(platform, "127.0.0.1:1") {
                assert!(
                    scenario
                        .accounts
                        .iter()
                        .any(|a| a.platform == platform && a.username == username),
                    "{username} is not in the scenario"
                );
            }
        }
    }

    #[test]
    fn a_demo_dir_must_be_new_or_empty() {
        let parent = tempfile::tempdir().unwrap();
        let fresh = parent.path().join("fresh");
        assert_eq!(demo_dir(Some(fresh.clone())).unwrap().0, fresh);
        std::fs::write(fresh.join("x"), "x").unwrap();
        let err = demo_dir(Some(fresh)).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Validation);
        let (temp, guard) = demo_dir(None).unwrap();
        assert!(temp.is_dir() && guard.is_some());
    }
}
