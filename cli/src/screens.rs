//! `farmhand screens ...`: the field kit for users with real phones. `capture`
//! saves what a phone shows (dump, screenshot, app and version, screen size);
//! `check` says which screen each uiautomator dump is through the selector
//! packs, what each control shows (counts parsed) and what the nearest screen
//! lacks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::time::Duration;

use farmhand::apps::{FoundControl, Pack, ScreenCheck};
use farmhand::device::{Device, DeviceDriver, DeviceExt, UiTree};
use farmhand::{Error, Platform, Result, Timestamp};
use serde::Serialize;

use crate::cli::{CaptureArgs, CheckArgs, ScreensCommand};
use crate::output::{Exit, Output};

/// Largest dump file read, in bytes (real dumps are well under 1 MB).
const MAX_DUMP_BYTES: u64 = 16 << 20;

/// Runs a `screens` command.
pub fn run(command: ScreensCommand, out: Output) -> Result<Exit> {
    match command {
        ScreensCommand::Check(args) => check(args, out),
        ScreensCommand::Capture(args) => capture(args, out),
    }
}

/// Where the phone writes its dump and screenshot before they are read back.
const PHONE_DUMP: &str = "/sdcard/farmhand-capture.xml";
/// Where the phone writes its screenshot.
const PHONE_SHOT: &str = "/sdcard/farmhand-capture.png";
/// Longest wait for one capture command.
const CAPTURE_TIMEOUT: Duration = Duration::from_secs(30);

/// What `capture` saved, as `capture.json` holds it.
#[derive(Serialize)]
struct Capture {
    serial: String,
    /// The app in front.
    package: Option<String>,
    /// Its `versionName`, from `dumpsys package`.
    version_name: Option<String>,
    width: u32,
    height: u32,
    /// When, in Unix seconds.
    captured_at: i64,
    dump: PathBuf,
    screenshot: PathBuf,
}

fn capture(args: CaptureArgs, out: Output) -> Result<Exit> {
    let driver = crate::devices::adb_driver(args.adb.one()?)?;
    let mut phone = driver.open(&args.device)?;
    let package = phone.foreground_package()?;
    let version_name = match &package {
        Some(package) => version_name(phone.as_mut(), package)?,
        None => None,
    };
    let (width, height) = phone.screen_size()?;
    let dumped = phone.shell(
        &format!("uiautomator dump {PHONE_DUMP} >/dev/null && cat {PHONE_DUMP}"),
        CAPTURE_TIMEOUT,
    )?;
    if !dumped.success() || !dumped.stdout.contains("<hierarchy") {
        return Err(Error::device(
            &args.device,
            format!(
                "uiautomator dump gave no hierarchy (exit {}): {}",
                dumped.exit_code,
                dumped.stderr.trim()
            ),
        ));
    }
    let shot = phone.shell(&format!("screencap -p {PHONE_SHOT}"), CAPTURE_TIMEOUT)?;
    if !shot.success() {
        return Err(Error::device(
            &args.device,
            format!(
                "screencap failed (exit {}): {}",
                shot.exit_code,
                shot.stderr.trim()
            ),
        ));
    }
    let png = phone.pull(PHONE_SHOT, CAPTURE_TIMEOUT)?;
    let at = Timestamp::now().unix_seconds();
    let stem = format!("{}-{at}", file_safe(&args.device));
    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, e))?;
    let dump = args.out.join(format!("{stem}.xml"));
    let screenshot = args.out.join(format!("{stem}.png"));
    std::fs::write(&dump, &dumped.stdout).map_err(|e| Error::io(&dump, e))?;
    std::fs::write(&screenshot, &png).map_err(|e| Error::io(&screenshot, e))?;
    let capture = Capture {
        serial: args.device.clone(),
        package,
        version_name,
        width,
        height,
        captured_at: at,
        dump,
        screenshot,
    };
    let info = args.out.join(format!("{stem}.json"));
    let json = serde_json::to_string_pretty(&capture)
        .map_err(|e| Error::validation("capture", e.to_string()))?;
    std::fs::write(&info, json).map_err(|e| Error::io(&info, e))?;
    out.emit(&capture, || {
        format!(
            "{}: {} {} on a {}x{} screen\n  {}\n  {}\n  {}\n",
            capture.serial,
            capture.package.as_deref().unwrap_or("(no app in front)"),
            capture
                .version_name
                .as_deref()
                .unwrap_or("(version unknown)"),
            capture.width,
            capture.height,
            capture.dump.display(),
            capture.screenshot.display(),
            info.display()
        )
    });
    Ok(Exit::Ok)
}

/// The `versionName` `dumpsys package` gives for `package`; `None` when it names none.
fn version_name(phone: &mut dyn Device, package: &str) -> Result<Option<String>> {
    if !package
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
    {
        return Ok(None);
    }
    let listed = phone.shell(&format!("dumpsys package {package}"), CAPTURE_TIMEOUT)?;
    Ok(listed
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("versionName="))
        .map(|v| v.trim().to_string()))
}

/// A serial as a file name: `10.0.0.5:5555` → `10.0.0.5_5555`.
fn file_safe(serial: &str) -> String {
    serial
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One file's result.
#[derive(Serialize)]
struct FileCheck {
    file: PathBuf,
    /// The package that drew most of the screen.
    package: Option<String>,
    /// The app whose pack recognised the screen (or came nearest).
    app: Option<String>,
    screen: Option<String>,
    nearest: Option<String>,
    controls: BTreeMap<String, FoundControl>,
    missing: Vec<String>,
    /// Why the file could not be read as a dump.
    error: Option<String>,
}

fn check(args: CheckArgs, out: Output) -> Result<Exit> {
    let packs = packs(&args)?;
    let files = dump_files(&args.paths)?;
    let any_package = args.app.is_some();
    let results: Vec<FileCheck> = files
        .iter()
        .map(|f| check_file(f, &packs, any_package))
        .collect();
    out.emit(&results, || results.iter().map(describe).collect());
    Ok(Exit::failures_unless(
        results.iter().all(|r| r.error.is_none()),
    ))
}

/// The packs to read with: `--pack` replaces its app's, `--app` keeps one.
fn packs(args: &CheckArgs) -> Result<Vec<Pack>> {
    let custom = args.pack.as_deref().map(Pack::load).transpose()?;
    if let (Some(pack), Some(app)) = (&custom, args.app) {
        if pack.app() != app {
            return Err(Error::validation(
                "--pack",
                format!("the pack is for {}, not {app}", pack.app()),
            ));
        }
    }
    let apps: Vec<Platform> = match args.app {
        Some(app) => vec![app],
        None => Platform::ALL.to_vec(),
    };
    Ok(apps
        .into_iter()
        .map(|app| match &custom {
            Some(pack) if pack.app() == app => pack.clone(),
            _ => Pack::builtin(app),
        })
        .collect())
}

/// The dump files named, folders expanded to their `*.xml` files (sorted).
fn dump_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Error::io(path, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "xml"))
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Reads one dump. A pack reads only screens its app's official package drew,
/// unless the app was named (`--app`: a clone's package is then accepted),
/// as the drivers never look at another app's screen.
fn check_file(path: &Path, packs: &[Pack], any_package: bool) -> FileCheck {
    let failed = |error: String| FileCheck {
        file: path.to_path_buf(),
        package: None,
        app: None,
        screen: None,
        nearest: None,
        controls: Default::default(),
        missing: Vec::new(),
        error: Some(error),
    };
    let tree = match read_dump(path) {
        Ok(tree) => tree,
        Err(e) => return failed(e.to_string()),
    };
    let package = tree.main_package().map(str::to_string);
    let checks: Vec<ScreenCheck> = packs
        .iter()
        .filter(|p| any_package || package.as_deref() == Some(p.app().default_package()))
        .map(|p| p.check(&tree))
        .collect();
    let best = checks
        .iter()
        .find(|c| c.screen.is_some())
        .or_else(|| {
            checks
                .iter()
                .filter(|c| c.nearest.is_some())
                .min_by_key(|c| c.missing.len())
        })
        .cloned();
    match best {
        Some(c) => FileCheck {
            file: path.to_path_buf(),
            package,
            app: Some(c.app),
            screen: c.screen,
            nearest: c.nearest,
            controls: c.controls,
            missing: c.missing,
            error: None,
        },
        None => FileCheck {
            file: path.to_path_buf(),
            package,
            app: None,
            screen: None,
            nearest: None,
            controls: Default::default(),
            missing: Vec::new(),
            error: None,
        },
    }
}

fn read_dump(path: &Path) -> Result<UiTree> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > MAX_DUMP_BYTES {
        return Err(Error::validation(
            path.display().to_string(),
            format!("{size} bytes; dumps are limited to {MAX_DUMP_BYTES}"),
        ));
    }
    let xml = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    UiTree::parse(&xml)
}

/// The text lines of one file's result.
fn describe(r: &FileCheck) -> String {
    let file = r.file.display();
    let mut text = match (&r.error, &r.app, &r.screen, &r.nearest) {
        (Some(error), ..) => format!("{file}: unreadable: {error}\n"),
        (None, Some(app), Some(screen), _) => format!("{file}: {app} {screen}\n"),
        (None, Some(app), None, Some(nearest)) => format!(
            "{file}: not recognised (nearest: {app} {nearest}, missing {})\n",
            r.missing.join(", ")
        ),
        _ => format!(
            "{file}: not recognised{}\n",
            r.package
                .as_deref()
                .map(|p| format!(" (drawn by {p})"))
                .unwrap_or_default()
        ),
    };
    for (name, found) in &r.controls {
        let value = found.value.map(|v| format!(" = {v}")).unwrap_or_default();
        let bounds = found
            .bounds
            .map(|[l, t, rt, b]| format!(" [{l},{t}][{rt},{b}]"))
            .unwrap_or_default();
        text.push_str(&format!("  {name}: {:?}{value}{bounds}\n", found.text));
    }
    text
}
