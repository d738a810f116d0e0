//! One simulated phone: installed apps, what is on screen, files, clock.
//!
//! A [`SimPhone`] is shared (`Arc`) between the TCP connections that reach it
//! and in-process callers ([`LocalDriver`](super::LocalDriver)); its state sits
//! behind one mutex, so every input is applied atomically, in arrival order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use farmhand::error::{Error, Result};

use super::app::{AppContext, KeyCode, SimApp};
use super::catalog::AppCatalog;
use super::faults::{Fate, FaultState, Faults};
use super::link::Link;
use super::scenario::{Latency, PhoneSpec, PlatformAccount};
use super::shell::{self, Control, Interrupted, Outcome};
use super::ui::{hierarchy_xml, Rect, ScreenNode};

/// Package of the home-screen launcher shown when no app is in front.
pub const LAUNCHER_PACKAGE: &str = "com.google.android.apps.nexuslauncher";
/// Activity of the launcher, as `dumpsys window` prints it.
pub const LAUNCHER_ACTIVITY: &str = ".NexusLauncherActivity";
/// What `uiautomator dump` prints when the screen never settles.
pub const IDLE_STATE_ERROR: &str = "ERROR: could not get idle state.";
/// Most bytes the phone's in-memory filesystem holds; writes beyond fail as a full disk does.
pub const MAX_FS_BYTES: usize = 64 * 1024 * 1024;
/// Most files the phone's in-memory filesystem holds.
pub const MAX_FILES: usize = 10_000;
/// Directories every phone has.
const BASE_DIRS: [&str; 9] = [
    "/",
    "/sdcard",
    "/data",
    "/data/local",
    "/data/local/tmp",
    "/storage",
    "/storage/emulated",
    "/storage/emulated/0",
    "/system",
];

/// The phone's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Follows the host's clock.
    System,
    /// Stands still at this Unix time (seconds), for reproducible TOTP codes.
    Fixed(u64),
}

impl Clock {
    /// The time on this clock, Unix seconds.
    pub fn now_unix(self) -> u64 {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            Clock::Fixed(t) => t,
        }
    }
}

struct Installed {
    app: Box<dyn SimApp>,
    running: bool,
}

struct PhoneState {
    apps: Vec<Installed>,
    /// Index into `apps` of the app in front; `None` shows the launcher.
    foreground: Option<usize>,
    files: BTreeMap<String, Vec<u8>>,
    fs_bytes: usize,
    clock: Clock,
    language: String,
    faults: FaultState,
    /// Every shell command line run, oldest first (see [`SimPhone::command_log`]).
    commands: Vec<String>,
}

/// Most command lines a phone remembers; older ones are forgotten first.
pub const COMMAND_LOG_LIMIT: usize = 100_000;

/// A simulated phone: the state behind both the ADB transport and [`LocalDriver`](super::LocalDriver).
pub struct SimPhone {
    serial: String,
    spec: PhoneSpec,
    latency: Latency,
    accounts: Arc<[PlatformAccount]>,
    state: Mutex<PhoneState>,
    link: Link,
}

impl std::fmt::Debug for SimPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimPhone")
            .field("serial", &self.serial)
            .field("model", &self.spec.model)
            .finish_non_exhaustive()
    }
}

impl SimPhone {
    /// Builds a phone from its spec: installs its apps (through `catalog`), home screen in front.
    pub fn new(
        serial: impl Into<String>,
        spec: &PhoneSpec,
        accounts: Arc<[PlatformAccount]>,
        latency: Latency,
        clock: Clock,
        catalog: &AppCatalog,
    ) -> Result<SimPhone> {
        let serial = serial.into();
        let apps = spec
            .apps
            .iter()
            .map(|app| {
                Ok(Installed {
                    app: catalog.build(app)?,
                    running: false,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let language = spec.faults.language.clone().unwrap_or_else(|| "en".into());
        Ok(SimPhone {
            serial,
            spec: spec.clone(),
            latency,
            accounts,
            state: Mutex::new(PhoneState {
                apps,
                foreground: None,
                files: BTreeMap::new(),
                fs_bytes: 0,
                clock,
                language,
                faults: FaultState::new(spec.faults.clone()),
                commands: Vec::new(),
            }),
            link: Link::default(),
        })
    }

    /// The phone's serial, `127.0.0.1:PORT` for phones of a fleet.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The spec the phone was built from.
    pub fn spec(&self) -> &PhoneSpec {
        &self.spec
    }

    /// The timing the phone simulates.
    pub fn latency(&self) -> Latency {
        self.latency
    }

    /// The banner the phone answers a host's CNXN with.
    pub fn banner(&self) -> String {
        let features = if self.spec.shell_v2 {
            "shell_v2,cmd,stat_v2"
        } else {
            "cmd,stat_v2"
        };
        format!(
            "device::ro.product.name={};ro.product.model={};ro.product.device={};features={features}",
            self.spec.product, self.spec.model, self.spec.device
        )
    }

    /// System properties, as `getprop` lists them.
    pub fn properties(&self) -> BTreeMap<String, String> {
        let mut props = BTreeMap::new();
        let mut set = |k: &str, v: &str| {
            props.insert(k.to_string(), v.to_string());
        };
        set("ro.product.model", &self.spec.model);
        set("ro.product.name", &self.spec.product);
        set("ro.product.device", &self.spec.device);
        set("ro.product.manufacturer", "Google");
        set("ro.build.version.release", "13");
        set("ro.build.version.sdk", "33");
        set("ro.serialno", &self.serial);
        set("sys.boot_completed", "1");
        let language = self.lock().language.clone();
        set("persist.sys.locale", &language);
        props
    }

    fn lock(&self) -> MutexGuard<'_, PhoneState> {
        // A panic inside an app must not take the phone down for every other caller.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the foreground app (if any) with a context for it.
    fn with_foreground<R>(
        &self,
        f: impl FnOnce(&mut dyn SimApp, &AppContext<'_>) -> R,
    ) -> Option<R> {
        let mut guard = self.lock();
        let state = &mut *guard;
        let index = state.foreground?;
        let ctx = AppContext::new(
            &self.accounts,
            state.clock.now_unix(),
            &state.language,
            &self.serial,
        );
        Some(f(state.apps[index].app.as_mut(), &ctx))
    }

    /// Runs `f` on the installed app `package`, in or out of the foreground;
    /// `NotFound` when it is not installed. For tests that inspect or set up an app.
    pub fn with_app<R>(
        &self,
        package: &str,
        f: impl FnOnce(&mut dyn SimApp, &AppContext<'_>) -> R,
    ) -> Result<R> {
        let mut guard = self.lock();
        let state = &mut *guard;
        let index = self.index_of(state, package)?;
        let ctx = AppContext::new(
            &self.accounts,
            state.clock.now_unix(),
            &state.language,
            &self.serial,
        );
        Ok(f(state.apps[index].app.as_mut(), &ctx))
    }

    fn index_of(&self, state: &PhoneState, package: &str) -> Result<usize> {
        state
            .apps
            .iter()
            .position(|i| i.app.package() == package)
            .ok_or_else(|| Error::not_found(format!("package {package} on {}", self.serial)))
    }

    /// Installed packages, in install order.
    pub fn packages(&self) -> Vec<String> {
        self.lock()
            .apps
            .iter()
            .map(|i| i.app.package().to_string())
            .collect()
    }

    /// The package in front (the launcher's when no app is).
    pub fn foreground_package(&self) -> String {
        let state = self.lock();
        match state.foreground {
            Some(i) => state.apps[i].app.package().to_string(),
            None => LAUNCHER_PACKAGE.to_string(),
        }
    }

    /// `package/activity` of the window in front, as `dumpsys window` names it.
    pub fn focused_component(&self) -> String {
        let state = self.lock();
        match state.foreground {
            Some(i) => format!(
                "{}/{}",
                state.apps[i].app.package(),
                state.apps[i].app.activity()
            ),
            None => format!("{LAUNCHER_PACKAGE}/{LAUNCHER_ACTIVITY}"),
        }
    }

    /// Brings `package` to the front, starting it cold if it was not running.
    pub fn launch(&self, package: &str) -> Result<()> {
        let mut guard = self.lock();
        let index = self.index_of(&guard, package)?;
        self.launch_index(&mut guard, index);
        Ok(())
    }

    fn launch_index(&self, state: &mut PhoneState, index: usize) {
        let cold = !state.apps[index].running;
        state.apps[index].running = true;
        state.foreground = Some(index);
        let ctx = AppContext::new(
            &self.accounts,
            state.clock.now_unix(),
            &state.language,
            &self.serial,
        );
        state.apps[index].app.launch(&ctx, cold);
    }

    /// Delivers a VIEW intent for `uri` to the first installed app that handles
    /// it, which comes to the front; false when none does.
    pub fn open_uri(&self, uri: &str) -> bool {
        let mut guard = self.lock();
        let state = &mut *guard;
        for index in 0..state.apps.len() {
            let cold = !state.apps[index].running;
            let ctx = AppContext::new(
                &self.accounts,
                state.clock.now_unix(),
                &state.language,
                &self.serial,
            );
            let app = &mut state.apps[index].app;
            if cold {
                app.launch(&ctx, true);
            }
            if app.open_uri(&ctx, uri) {
                state.apps[index].running = true;
                state.foreground = Some(index);
                return true;
            }
            if cold {
                app.stop(&ctx);
            }
        }
        false
    }

    /// Kills `package` (`am force-stop`); the launcher shows if it was in front.
    /// Stopping a package that is not installed does nothing, as on Android.
    pub fn force_stop(&self, package: &str) {
        let mut guard = self.lock();
        let state = &mut *guard;
        let Ok(index) = self.index_of(state, package) else {
            return;
        };
        if state.apps[index].running {
            let ctx = AppContext::new(
                &self.accounts,
                state.clock.now_unix(),
                &state.language,
                &self.serial,
            );
            state.apps[index].app.stop(&ctx);
            state.apps[index].running = false;
        }
        if state.foreground == Some(index) {
            state.foreground = None;
        }
    }

    /// What is on screen now.
    pub fn screen(&self) -> ScreenNode {
        let state = self.lock();
        match state.foreground {
            Some(i) => {
                let ctx = AppContext::new(
                    &self.accounts,
                    state.clock.now_unix(),
                    &state.language,
                    &self.serial,
                );
                state.apps[i].app.render(&ctx)
            }
            None => launcher_screen(state.apps.iter().map(|i| i.app.label())),
        }
    }

    /// The screen as `uiautomator dump` writes it; a screen that never goes idle
    /// gives a `Device` error carrying [`IDLE_STATE_ERROR`].
    pub fn dump_xml(&self) -> Result<String> {
        if self.lock().faults.take_dump_failure() {
            return Err(Error::device(&self.serial, IDLE_STATE_ERROR));
        }
        let idle = self
            .with_foreground(|app, ctx| app.is_idle(ctx))
            .unwrap_or(true);
        if !idle {
            return Err(Error::device(&self.serial, IDLE_STATE_ERROR));
        }
        Ok(hierarchy_xml(&self.screen()))
    }

    /// A tap at screen coordinates: to the app in front, or to a launcher icon.
    pub fn tap(&self, x: i32, y: i32) {
        let mut guard = self.lock();
        match guard.foreground {
            Some(i) => {
                let state = &mut *guard;
                let ctx = AppContext::new(
                    &self.accounts,
                    state.clock.now_unix(),
                    &state.language,
                    &self.serial,
                );
                state.apps[i].app.tap(&ctx, x, y);
            }
            None => {
                if let Some(index) = launcher_icon_at(guard.apps.len(), x, y) {
                    self.launch_index(&mut guard, index);
                }
            }
        }
    }

    /// A swipe, delivered to the app in front.
    pub fn swipe(&self, from: (i32, i32), to: (i32, i32)) {
        self.with_foreground(|app, ctx| app.swipe(ctx, from, to));
    }

    /// Text typed into the focused field of the app in front.
    pub fn input_text(&self, text: &str) {
        self.with_foreground(|app, ctx| app.input_text(ctx, text));
    }

    /// A key press: `Home` shows the launcher; `Back` that the app does not
    /// consume does too; every other key goes to the app in front.
    pub fn key(&self, key: KeyCode) {
        if key == KeyCode::Home {
            self.lock().foreground = None;
            return;
        }
        let consumed = self.with_foreground(|app, ctx| app.key(ctx, key));
        if key == KeyCode::Back && consumed == Some(false) {
            self.lock().foreground = None;
        }
    }

    /// Usernames logged in to `package` on this phone (`NotFound` if not installed).
    pub fn logged_in(&self, package: &str) -> Result<Vec<String>> {
        self.with_app(package, |app, _| app.logged_in())
    }

    /// The phone's clock.
    pub fn clock(&self) -> Clock {
        self.lock().clock
    }

    /// Sets the phone's clock (tests of TOTP codes fix it).
    pub fn set_clock(&self, clock: Clock) {
        self.lock().clock = clock;
    }

    /// The UI language (`en` unless set otherwise).
    pub fn language(&self) -> String {
        self.lock().language.clone()
    }

    /// Sets the UI language: apps render in it from their next screen on.
    pub fn set_language(&self, language: &str) {
        self.lock().language = language.to_string();
    }

    /// A file of the phone's in-memory filesystem.
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.lock().files.get(path).cloned()
    }

    /// Creates or replaces a file; fails on a directory, a relative path or a full disk.
    pub fn write_file(&self, path: &str, contents: Vec<u8>) -> Result<()> {
        let mut state = self.lock();
        let old = state.files.get(path).map_or(0, Vec::len);
        self.check_write(&state, path, old, contents.len())?;
        state.fs_bytes = state.fs_bytes - old + contents.len();
        state.files.insert(path.to_string(), contents);
        Ok(())
    }

    /// Appends to a file, creating it if needed.
    pub fn append_file(&self, path: &str, data: &[u8]) -> Result<()> {
        let mut state = self.lock();
        let old = state.files.get(path).map_or(0, Vec::len);
        self.check_write(&state, path, old, old + data.len())?;
        state.fs_bytes += data.len();
        state
            .files
            .entry(path.to_string())
            .or_default()
            .extend_from_slice(data);
        Ok(())
    }

    fn check_write(&self, state: &PhoneState, path: &str, old: usize, new: usize) -> Result<()> {
        let refuse = |why: &str| Err(Error::device(&self.serial, format!("{path}: {why}")));
        if !path.starts_with('/') || path.ends_with('/') || path.contains('\0') {
            return refuse("not a valid file path");
        }
        if is_dir_in(&state.files, path) {
            return refuse("Is a directory");
        }
        let new_files = usize::from(!state.files.contains_key(path));
        if state.fs_bytes - old + new > MAX_FS_BYTES || state.files.len() + new_files > MAX_FILES {
            return refuse("No space left on device");
        }
        Ok(())
    }

    /// Removes a file; true when it existed.
    pub fn remove_file(&self, path: &str) -> bool {
        let mut state = self.lock();
        match state.files.remove(path) {
            Some(old) => {
                state.fs_bytes -= old.len();
                true
            }
            None => false,
        }
    }

    /// True for the phone's standard directories and any directory holding a file.
    pub fn is_dir(&self, path: &str) -> bool {
        is_dir_in(&self.lock().files, path)
    }

    /// Names directly inside a directory, sorted.
    pub fn list_dir(&self, path: &str) -> Vec<String> {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        let state = self.lock();
        let mut names: BTreeSet<String> = state
            .files
            .keys()
            .filter_map(|f| f.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        for dir in BASE_DIRS {
            if let Some(rest) = dir.strip_prefix(&prefix) {
                if !rest.is_empty() && !rest.contains('/') {
                    names.insert(rest.to_string());
                }
            }
        }
        names.into_iter().collect()
    }

    /// The phone's faults.
    pub fn faults(&self) -> Faults {
        self.lock().faults.faults.clone()
    }

    /// Replaces the phone's faults and restarts their counters.
    pub fn set_faults(&self, faults: Faults) {
        let mut state = self.lock();
        if let Some(language) = &faults.language {
            state.language = language.clone();
        }
        state.faults = FaultState::new(faults);
    }

    /// Counts a command against the faults; going offline happens here.
    pub(crate) fn on_command(&self) -> Fate {
        let fate = self.lock().faults.on_command();
        if let Fate::GoOffline(ms) = fate {
            self.go_offline(Duration::from_millis(ms));
        }
        fate
    }

    /// True when a hang fault holds this command.
    pub(crate) fn should_hang(&self, argv: &[String]) -> bool {
        argv.first()
            .is_some_and(|name| self.lock().faults.hangs(name))
    }

    /// The phone's network link (live connections, online state).
    pub(crate) fn link(&self) -> &Link {
        &self.link
    }

    /// Drops every host connection and refuses new ones for `duration`; the adb
    /// server sees the phone go offline and, when it reconnects, come back.
    pub fn go_offline(&self, duration: Duration) {
        self.link.go_offline(duration);
    }

    /// False during an offline spell.
    pub fn is_online(&self) -> bool {
        self.link.is_online()
    }

    /// Number of host connections being served.
    pub fn connection_count(&self) -> usize {
        self.link.connection_count()
    }

    /// Why the phone last dropped a host connection (bad protocol input, a
    /// fault, the host leaving), for tests and diagnostics.
    pub fn last_connection_error(&self) -> Option<String> {
        self.link.last_error()
    }

    /// Drops every host connection now (the phone stays online).
    pub fn drop_connections(&self) {
        self.link.drop_all();
    }

    /// Every shell command line this phone has run, oldest first (at most
    /// [`COMMAND_LOG_LIMIT`]): what tests check to prove a phone saw no command
    /// for an account. `input text` arguments are kept as typed.
    pub fn command_log(&self) -> Vec<String> {
        self.lock().commands.clone()
    }

    /// Adds a command line to the [`command_log`](Self::command_log).
    pub(crate) fn record_command(&self, line: &str) {
        let mut state = self.lock();
        if state.commands.len() >= COMMAND_LOG_LIMIT {
            state.commands.remove(0);
        }
        state.commands.push(line.to_string());
    }

    /// Runs a command line in the phone's shell, in process, as `adb shell` would.
    /// Counts as a command for the faults; a command still running after `timeout`
    /// (a hang fault, a long `sleep`) gives a `Timeout` error; an offline phone or a
    /// dropped "connection" gives a `Device` error.
    pub fn shell(&self, line: &str, timeout: Duration) -> Result<Outcome> {
        if !self.is_online() {
            return Err(Error::device(&self.serial, "offline"));
        }
        match self.on_command() {
            Fate::Serve => {}
            Fate::DropConnection => return Err(Error::device(&self.serial, "connection dropped")),
            Fate::GoOffline(_) => return Err(Error::device(&self.serial, "offline")),
        }
        let never = || false;
        let control = Control::new(&never, Some(Instant::now() + timeout));
        shell::run(self, line, &control).map_err(|why| match why {
            Interrupted::Deadline | Interrupted::Cancelled => Error::Timeout {
                what: format!("`{}` on {}", printable_command(line), self.serial),
                after: timeout,
            },
        })
    }
}

/// A command line shortened for an error message; `input text` arguments
/// (which may be passwords or codes) are left out.
fn printable_command(line: &str) -> String {
    if line.contains("input text") || line.contains("input keyboard text") {
        return "input text ***".into();
    }
    line.chars().take(80).collect()
}

fn is_dir_in(files: &BTreeMap<String, Vec<u8>>, path: &str) -> bool {
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    if BASE_DIRS.contains(&trimmed) {
        return true;
    }
    let prefix = format!("{trimmed}/");
    files
        .range(prefix.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&prefix))
}

const ICON_COLUMNS: usize = 4;
const ICON_WIDTH: i32 = 270;
const ICON_HEIGHT: i32 = 300;
const ICONS_TOP: i32 = 300;

fn icon_bounds(index: usize) -> Rect {
    let col = (index % ICON_COLUMNS) as i32;
    let row = (index / ICON_COLUMNS) as i32;
    let left = col * ICON_WIDTH;
    let top = ICONS_TOP + row * ICON_HEIGHT;
    Rect::new(left, top, left + ICON_WIDTH, top + ICON_HEIGHT)
}

fn launcher_icon_at(apps: usize, x: i32, y: i32) -> Option<usize> {
    (0..apps).find(|&i| icon_bounds(i).contains(x, y))
}

/// The home screen: one labelled icon per installed app, four to a row.
fn launcher_screen<'a>(labels: impl Iterator<Item = &'a str>) -> ScreenNode {
    let icons = labels.enumerate().map(|(i, label)| {
        ScreenNode::new("android.widget.TextView", LAUNCHER_PACKAGE)
            .text(label)
            .desc(label)
            .clickable()
            .bounds(icon_bounds(i))
    });
    ScreenNode::new("android.widget.FrameLayout", LAUNCHER_PACKAGE)
        .bounds(Rect::screen())
        .child(
            ScreenNode::new("android.view.ViewGroup", LAUNCHER_PACKAGE)
                .id(format!("{LAUNCHER_PACKAGE}:id/workspace"))
                .bounds(Rect::screen())
                .children(icons),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{AppKind, AppSpec};

    fn phone() -> SimPhone {
        let spec = PhoneSpec {
            apps: vec![
                AppSpec::new(AppKind::Plain),
                AppSpec {
                    package: Some("com.android.chrome".into()),
                    ..AppSpec::new(AppKind::Plain)
                },
            ],
            ..PhoneSpec::default()
        };
        SimPhone::new(
            "127.0.0.1:1",
            &spec,
            Arc::from(Vec::new()),
            Latency::default(),
            Clock::Fixed(1_700_000_000),
            &AppCatalog::builtin(),
        )
        .unwrap()
    }

    #[test]
    fn launcher_icons_launch_apps_and_back_returns_home() {
        let phone = phone();
        assert_eq!(phone.foreground_package(), LAUNCHER_PACKAGE);
        let xml = phone.dump_xml().unwrap();
        assert!(xml.contains("text=\"Chrome\""), "{xml}");
        let (x, y) = icon_bounds(1).center();
        phone.tap(x, y);
        assert_eq!(phone.foreground_package(), "com.android.chrome");
        assert_eq!(
            phone.focused_component(),
            "com.android.chrome/.MainActivity"
        );
        phone.key(KeyCode::Back);
        assert_eq!(phone.foreground_package(), LAUNCHER_PACKAGE);
    }

    #[test]
    fn launch_and_force_stop_follow_android() {
        let phone = phone();
        phone.launch("com.android.settings").unwrap();
        assert_eq!(phone.foreground_package(), "com.android.settings");
        assert!(phone
            .launch("com.nope")
            .unwrap_err()
            .to_string()
            .contains("com.nope"));
        phone.force_stop("com.nope");
        phone.force_stop("com.android.settings");
        assert_eq!(phone.foreground_package(), LAUNCHER_PACKAGE);
        assert_eq!(
            phone.packages(),
            ["com.android.settings", "com.android.chrome"]
        );
    }

    #[test]
    fn banner_and_properties_carry_the_model() {
        let phone = phone();
        assert_eq!(
            phone.banner(),
            "device::ro.product.name=panther;ro.product.model=Pixel 7;ro.product.device=panther;features=shell_v2,cmd,stat_v2"
        );
        assert_eq!(phone.properties()["ro.product.model"], "Pixel 7");
        assert_eq!(phone.clock().now_unix(), 1_700_000_000);
    }

    #[test]
    fn unregistered_kinds_are_refused_by_name() {
        let spec = PhoneSpec {
            apps: vec![AppSpec::new(AppKind::Instagram)],
            ..PhoneSpec::default()
        };
        let mut catalog = AppCatalog::empty();
        let err = SimPhone::new(
            "s",
            &spec,
            Arc::from(Vec::new()),
            Latency::default(),
            Clock::System,
            &catalog,
        )
        .unwrap_err();
        assert!(err.to_string().contains("instagram"), "{err}");
        catalog.register(AppKind::Instagram, crate::PlainApp::boxed);
        let phone = SimPhone::new(
            "s",
            &spec,
            Arc::from(Vec::new()),
            Latency::default(),
            Clock::System,
            &catalog,
        )
        .unwrap();
        assert_eq!(phone.packages(), ["com.instagram.android"]);
    }
}
