//! `farmhand screens ...`: the field kit for users with real phones. `check`
//! says which screen each uiautomator dump is through the selector packs, what
//! each control shows (counts parsed) and what the nearest screen lacks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use farmhand::apps::{FoundControl, Pack, ScreenCheck};
use farmhand::device::UiTree;
use farmhand::{Error, Platform, Result};
use serde::Serialize;

use crate::cli::{CheckArgs, ScreensCommand};
use crate::output::{Exit, Output};

/// Largest dump file read, in bytes (real dumps are well under 1 MB).
const MAX_DUMP_BYTES: u64 = 16 << 20;

/// Runs a `screens` command.
pub fn run(command: ScreensCommand, out: Output) -> Result<Exit> {
    match command {
        ScreensCommand::Check(args) => check(args, out),
    }
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
