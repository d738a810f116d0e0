//! What automation does with a phone, written once on top of `shell` for every
//! [`Device`]: dump and read the screen, tap, type, press keys, swipe, start and
//! stop apps, and wait for something to appear.

use std::time::{Duration, Instant};

use super::input_escape::{input_text_command, quote};
use super::selector::Selector;
use super::ui::{NodeId, UiNode, UiTree};
use super::{command_label, Device, ShellOutput};
use crate::error::{Error, Result};

/// Where `dump_ui` asks uiautomator to write the hierarchy.
pub const DUMP_PATH: &str = "/data/local/tmp/farmhand_ui.xml";

/// How many times `dump_ui` tries when the screen never settles.
pub const DUMP_ATTEMPTS: u32 = 3;

/// Time limit of one `uiautomator dump` (real phones take 1-3 s, more when busy).
pub const DUMP_TIMEOUT: Duration = Duration::from_secs(20);

/// Time limit of short commands (input, am, pm, wm, dumpsys).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(15);

/// Pause between `dump_ui` attempts and between `wait_for` polls.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// What uiautomator prints when the screen keeps animating.
const IDLE_ERROR: &str = "could not get idle state";

/// A node found by [`DeviceExt::wait_for`], with the screen it was found on.
#[derive(Debug, Clone)]
pub struct Found {
    /// The screen on which the selector matched.
    pub tree: UiTree,
    /// The best matching node.
    pub id: NodeId,
}

impl Found {
    /// The matching node.
    pub fn node(&self) -> &UiNode {
        self.tree.node(self.id)
    }
}

/// Automation helpers provided for every [`Device`] (and `dyn Device`).
pub trait DeviceExt: Device {
    /// Runs `command` and turns a non-zero exit into a `Device` error naming it.
    fn run(&mut self, command: &str, timeout: Duration) -> Result<ShellOutput> {
        let out = self.shell(command, timeout)?;
        if out.success() {
            Ok(out)
        } else {
            Err(command_failed(self.serial(), command, &out))
        }
    }

    /// Dumps the window hierarchy (one round trip: remove the old file, dump,
    /// read it back) and parses it. Retries when the screen is not idle.
    fn dump_ui(&mut self) -> Result<UiTree> {
        self.dump_ui_within(DUMP_TIMEOUT)
    }

    /// [`dump_ui`](Self::dump_ui) with a time limit per attempt.
    fn dump_ui_within(&mut self, timeout: Duration) -> Result<UiTree> {
        let command = format!(
            "rm -f {DUMP_PATH}; uiautomator dump {DUMP_PATH} >/dev/null && cat {DUMP_PATH}"
        );
        for attempt in 1..=DUMP_ATTEMPTS {
            let out = self.shell(&command, timeout)?;
            if out.stdout.contains(IDLE_ERROR) || out.stderr.contains(IDLE_ERROR) {
                if attempt < DUMP_ATTEMPTS {
                    std::thread::sleep(POLL_INTERVAL);
                }
                continue;
            }
            if !out.success() || !out.stdout.contains("<hierarchy") {
                return Err(Error::device(
                    self.serial(),
                    format!(
                        "uiautomator dump returned no hierarchy (exit {}): {}",
                        out.exit_code,
                        excerpt(&out)
                    ),
                ));
            }
            return UiTree::parse(&out.stdout)
                .map_err(|e| Error::device(self.serial(), e.to_string()));
        }
        Err(Error::device(
            self.serial(),
            format!(
                "uiautomator dump: {IDLE_ERROR} after {DUMP_ATTEMPTS} attempts (the screen keeps animating)"
            ),
        ))
    }

    /// Taps a point.
    fn tap(&mut self, x: i32, y: i32) -> Result<()> {
        self.run(&format!("input tap {x} {y}"), COMMAND_TIMEOUT)
            .map(drop)
    }

    /// Taps the centre of a node; a node without on-screen bounds is a `Validation` error.
    fn tap_node(&mut self, node: &UiNode) -> Result<()> {
        let (x, y) = node.center().ok_or_else(|| {
            Error::validation(
                "node",
                format!("{} has no on-screen bounds to tap", node.describe()),
            )
        })?;
        self.tap(x, y)
    }

    /// Types text into the focused field; see [`input_text_command`] for what is refused.
    fn input_text(&mut self, text: &str) -> Result<()> {
        match input_text_command(text)? {
            Some(command) => self.run(&command, COMMAND_TIMEOUT).map(drop),
            None => Ok(()),
        }
    }

    /// Presses a key: `BACK`, `KEYCODE_BACK` or a number (`4`).
    fn key(&mut self, key: &str) -> Result<()> {
        let code = keycode(key)?;
        self.run(&format!("input keyevent {code}"), COMMAND_TIMEOUT)
            .map(drop)
    }

    /// Swipes from one point to another over `duration`.
    fn swipe(&mut self, from: (i32, i32), to: (i32, i32), duration: Duration) -> Result<()> {
        let command = format!(
            "input swipe {} {} {} {} {}",
            from.0,
            from.1,
            to.0,
            to.1,
            duration.as_millis()
        );
        self.run(&command, COMMAND_TIMEOUT + duration).map(drop)
    }

    /// Starts an app: its `activity` (`.Main` or a full class name) with `am start`,
    /// or without one its launcher activity with `monkey`.
    fn launch(&mut self, package: &str, activity: Option<&str>) -> Result<()> {
        check_name("package", package)?;
        let command = match activity {
            Some(activity) => {
                check_name("activity", activity)?;
                format!("am start -n {package}/{activity}")
            }
            None => format!("monkey -p {package} -c android.intent.category.LAUNCHER 1"),
        };
        let out = self.shell(&command, COMMAND_TIMEOUT)?;
        let text = format!("{}\n{}", out.stdout, out.stderr);
        if !out.success()
            || text.contains("Error")
            || text.contains("aborted")
            || text.contains("No activities")
        {
            return Err(Error::device(
                self.serial(),
                format!(
                    "launching {package} failed (exit {}): {}",
                    out.exit_code,
                    excerpt(&out)
                ),
            ));
        }
        Ok(())
    }

    /// Stops an app (`am force-stop`).
    fn force_stop(&mut self, package: &str) -> Result<()> {
        check_name("package", package)?;
        self.run(&format!("am force-stop {package}"), COMMAND_TIMEOUT)
            .map(drop)
    }

    /// The package of the focused window (`dumpsys window`); `None` when nothing has focus.
    fn foreground_package(&mut self) -> Result<Option<String>> {
        let out = self.run(
            "dumpsys window | grep -E 'mCurrentFocus|mFocusedApp'",
            COMMAND_TIMEOUT,
        )?;
        Ok(parse_focus(&out.stdout))
    }

    /// Screen size in pixels `(width, height)` from `wm size` (an override wins).
    fn screen_size(&mut self) -> Result<(u32, u32)> {
        let out = self.run("wm size", COMMAND_TIMEOUT)?;
        parse_wm_size(&out.stdout).ok_or_else(|| {
            Error::device(
                self.serial(),
                format!("unexpected `wm size` output: {}", excerpt(&out)),
            )
        })
    }

    /// Installed packages (`pm list packages`), sorted.
    fn installed_packages(&mut self) -> Result<Vec<String>> {
        let out = self.run("pm list packages", COMMAND_TIMEOUT)?;
        let mut packages: Vec<String> = out
            .stdout
            .lines()
            .filter_map(|line| line.trim().strip_prefix("package:"))
            .map(str::to_string)
            .collect();
        packages.sort();
        Ok(packages)
    }

    /// Dumps the screen until `selector` matches or `timeout` runs out. A screen that
    /// will not settle is polled again; other failures end the wait at once.
    /// The `Timeout` error names the selector and the package last on screen.
    fn wait_for(&mut self, selector: &Selector, timeout: Duration) -> Result<Found> {
        let deadline = Instant::now() + timeout;
        let mut last_package: Option<String> = None;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let per_dump = remaining.clamp(Duration::from_secs(1), DUMP_TIMEOUT);
            match self.dump_ui_within(per_dump) {
                Ok(tree) => {
                    if let Some(node) = selector.find(&tree) {
                        let id = node.id;
                        return Ok(Found { tree, id });
                    }
                    last_package = tree.main_package().map(str::to_string);
                }
                Err(e) if e.to_string().contains(IDLE_ERROR) => {}
                Err(e) => return Err(e),
            }
            if Instant::now() + POLL_INTERVAL >= deadline {
                let screen = last_package.as_deref().unwrap_or("unknown");
                return Err(Error::Timeout {
                    what: format!(
                        "{selector} on {} (last screen: package {screen})",
                        self.serial()
                    ),
                    after: timeout,
                });
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }
}

impl<D: Device + ?Sized> DeviceExt for D {}

fn command_failed(serial: &str, command: &str, out: &ShellOutput) -> Error {
    Error::device(
        serial,
        format!(
            "{} exited with {}: {}",
            command_label(command),
            out.exit_code,
            excerpt(out)
        ),
    )
}

/// The first line or so of what a command printed, for an error message.
fn excerpt(out: &ShellOutput) -> String {
    let text = if out.stderr.trim().is_empty() {
        out.stdout.trim()
    } else {
        out.stderr.trim()
    };
    let short: String = text.chars().take(200).collect();
    if short.is_empty() {
        "(no output)".to_string()
    } else {
        short
    }
}

/// Package and activity names may hold letters, digits, `_`, `.` and `$` only:
/// anything else would reach the phone's shell.
fn check_name(field: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$'));
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            format!("{} is not a valid Android name", quote(name)),
        ))
    }
}

/// `BACK` → `KEYCODE_BACK`; numbers and `KEYCODE_*` pass; anything else is refused.
fn keycode(key: &str) -> Result<String> {
    let key = key.trim();
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) {
        return Ok(key.to_string());
    }
    let upper = key.to_ascii_uppercase();
    let name = upper.strip_prefix("KEYCODE_").unwrap_or(&upper);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::validation(
            "key",
            format!("{key:?} is not a key name (BACK, KEYCODE_ENTER) or key code"),
        ));
    }
    Ok(format!("KEYCODE_{name}"))
}

/// The focused package from `dumpsys window` lines `mCurrentFocus=Window{… pkg/Activity}`
/// (or, failing that, `mFocusedApp=…ActivityRecord{… pkg/.Activity t12}`).
pub fn parse_focus(dumpsys: &str) -> Option<String> {
    let lines = |key: &'static str| {
        dumpsys
            .lines()
            .filter(move |l| l.trim_start().starts_with(key))
    };
    lines("mCurrentFocus=")
        .chain(lines("mFocusedApp="))
        .find_map(package_in)
}

/// The `pkg` of the first `pkg/activity` word in a line.
fn package_in(line: &str) -> Option<String> {
    line.split(|c: char| c.is_whitespace() || c == '{' || c == '}')
        .filter_map(|word| word.split_once('/'))
        .map(|(package, _)| package)
        .find(|p| !p.is_empty() && p.contains('.') && check_name("package", p).is_ok())
        .map(str::to_string)
}

/// `(width, height)` from `wm size`: `Override size` wins over `Physical size`.
pub fn parse_wm_size(output: &str) -> Option<(u32, u32)> {
    let size_after = |label: &str| {
        output.lines().find_map(|line| {
            let (w, h) = line.trim().strip_prefix(label)?.trim().split_once('x')?;
            Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
        })
    };
    size_after("Override size:").or_else(|| size_after("Physical size:"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const SCREEN: &str = r#"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node text="" class="android.widget.FrameLayout" package="com.app" bounds="[0,0][1080,1920]"><node text="OK" class="android.widget.Button" package="com.app" clickable="true" bounds="[100,200][300,400]"/><node text="ghost" class="android.view.View" package="com.app" bounds="[0,0][0,0]"/></node></hierarchy>"#;

    /// A phone that answers shell commands from a script: a unit-test double,
    /// the proof against the real protocol is in `tests/device_*.rs`.
    type Answer = Box<dyn FnMut(&str) -> Result<ShellOutput> + Send>;

    struct Fake {
        commands: Vec<String>,
        answer: Answer,
    }

    impl Fake {
        fn new(answer: impl FnMut(&str) -> Result<ShellOutput> + Send + 'static) -> Self {
            Fake {
                commands: Vec::new(),
                answer: Box::new(answer),
            }
        }
    }

    impl Device for Fake {
        fn serial(&self) -> &str {
            "fake-1"
        }
        fn shell(&mut self, command: &str, _timeout: Duration) -> Result<ShellOutput> {
            self.commands.push(command.to_string());
            (self.answer)(command)
        }
        fn pull(&mut self, path: &str, _timeout: Duration) -> Result<Vec<u8>> {
            Err(Error::not_found(path))
        }
    }

    fn out(stdout: &str, stderr: &str, exit_code: i32) -> Result<ShellOutput> {
        Ok(ShellOutput {
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
            exit_code,
        })
    }

    #[test]
    fn dump_is_one_round_trip_that_removes_the_old_file() {
        let mut phone = Fake::new(|_| out(SCREEN, "", 0));
        let tree = phone.dump_ui().unwrap();
        assert_eq!(tree.len(), 3);
        assert_eq!(phone.commands.len(), 1);
        let command = &phone.commands[0];
        assert!(
            command.starts_with(&format!("rm -f {DUMP_PATH};")),
            "{command}"
        );
        assert!(
            command.ends_with(&format!("&& cat {DUMP_PATH}")),
            "{command}"
        );
    }

    #[test]
    fn dump_retries_the_idle_state_error_then_gives_up() {
        let mut failures = 2;
        let mut phone = Fake::new(move |_| {
            if failures > 0 {
                failures -= 1;
                out("", "ERROR: could not get idle state.\ncat: No such file", 1)
            } else {
                out(SCREEN, "", 0)
            }
        });
        assert_eq!(phone.dump_ui().unwrap().len(), 3);
        assert_eq!(phone.commands.len(), 3);

        let mut phone = Fake::new(|_| out("ERROR: could not get idle state.", "", 0));
        let err = phone.dump_ui().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Device);
        assert!(err.to_string().contains("fake-1"), "{err}");
        assert!(err.to_string().contains("3 attempts"), "{err}");
        assert_eq!(phone.commands.len(), DUMP_ATTEMPTS as usize);
    }

    #[test]
    fn dump_that_is_not_xml_or_is_cut_is_a_device_error() {
        let mut phone = Fake::new(|_| out("", "cat: /data/local/tmp/x: No such file", 1));
        let err = phone.dump_ui().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Device);
        assert!(err.to_string().contains("No such file"), "{err}");
        let mut phone = Fake::new(|_| out(&SCREEN[..SCREEN.len() - 30], "", 0));
        let err = phone.dump_ui().unwrap_err().to_string();
        assert!(err.contains("fake-1") && err.contains("truncated"), "{err}");
    }

    #[test]
    fn tap_node_taps_the_centre_and_refuses_nodes_off_screen() {
        let mut phone = Fake::new(|_| out("", "", 0));
        let tree = UiTree::parse(SCREEN).unwrap();
        let ok = Selector::new().text("OK").find(&tree).unwrap();
        phone.tap_node(ok).unwrap();
        assert_eq!(phone.commands, vec!["input tap 200 300"]);
        let ghost = Selector::new().text("ghost").find(&tree).unwrap();
        let err = phone.tap_node(ghost).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert!(err.to_string().contains("ghost"), "{err}");
    }

    #[test]
    fn input_keys_swipe_launch_stop_build_the_right_commands() {
        let mut phone = Fake::new(|_| out("", "", 0));
        phone.input_text("a b").unwrap();
        phone.input_text("").unwrap();
        phone.key("back").unwrap();
        phone.key("66").unwrap();
        phone
            .swipe((1, 2), (3, 4), Duration::from_millis(300))
            .unwrap();
        phone.launch("com.app", Some(".Main")).unwrap();
        phone.launch("com.app", None).unwrap();
        phone.force_stop("com.app").unwrap();
        assert_eq!(
            phone.commands,
            vec![
                "input text 'a%sb'",
                "input keyevent KEYCODE_BACK",
                "input keyevent 66",
                "input swipe 1 2 3 4 300",
                "am start -n com.app/.Main",
                "monkey -p com.app -c android.intent.category.LAUNCHER 1",
                "am force-stop com.app",
            ]
        );
    }

    #[test]
    fn hostile_names_never_reach_the_shell() {
        let mut phone = Fake::new(|_| out("", "", 0));
        for bad in ["com.app; reboot", "", "a b", "$(id)"] {
            assert_eq!(
                phone.launch(bad, None).unwrap_err().kind(),
                ErrorKind::Validation
            );
            assert_eq!(
                phone.force_stop(bad).unwrap_err().kind(),
                ErrorKind::Validation
            );
        }
        assert_eq!(
            phone
                .launch("com.app", Some(".Main && reboot"))
                .unwrap_err()
                .kind(),
            ErrorKind::Validation
        );
        assert_eq!(
            phone.key("BACK; reboot").unwrap_err().kind(),
            ErrorKind::Validation
        );
        assert_eq!(
            phone.input_text("é").unwrap_err().kind(),
            ErrorKind::Validation
        );
        assert!(phone.commands.is_empty(), "{:?}", phone.commands);
    }

    #[test]
    fn failures_name_the_phone_and_the_command() {
        let mut phone = Fake::new(|_| {
            out(
                "",
                "Error: Activity class {com.app/.Nope} does not exist.",
                0,
            )
        });
        let err = phone
            .launch("com.app", Some(".Nope"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("fake-1") && err.contains("does not exist"),
            "{err}"
        );
        let mut phone = Fake::new(|_| out("", "boom", 3));
        let err = phone.tap(1, 2).unwrap_err().to_string();
        assert!(err.contains("`input tap` exited with 3: boom"), "{err}");
    }

    #[test]
    fn parses_focus_size_and_packages() {
        let dumpsys = "  mCurrentFocus=Window{9f0 u0 com.instagram.android/com.instagram.mainactivity.MainActivity}\n  mFocusedApp=AppWindowToken{1 token=Token{2 ActivityRecord{3 u0 com.instagram.android/.Main t9}}}\n";
        assert_eq!(
            parse_focus(dumpsys).as_deref(),
            Some("com.instagram.android")
        );
        let only_app = "  mCurrentFocus=null\n  mFocusedApp=ActivityRecord{3 u0 com.zhiliaoapp.musically/.Main t9}\n";
        assert_eq!(
            parse_focus(only_app).as_deref(),
            Some("com.zhiliaoapp.musically")
        );
        assert_eq!(
            parse_focus("  mCurrentFocus=Window{1 u0 StatusBar}\n"),
            None
        );
        assert_eq!(
            parse_wm_size("Physical size: 1080x2340\n"),
            Some((1080, 2340))
        );
        assert_eq!(
            parse_wm_size("Physical size: 1080x2340\nOverride size: 720x1560\n"),
            Some((720, 1560))
        );
        assert_eq!(parse_wm_size("garbage"), None);
        let mut phone = Fake::new(|c| match c {
            "pm list packages" => out("package:com.b\npackage:com.a\n\n", "", 0),
            "wm size" => out("Physical size: 1x2\n", "", 0),
            _ => out("  mCurrentFocus=Window{1 u0 com.a/.A}\n", "", 0),
        });
        assert_eq!(phone.installed_packages().unwrap(), vec!["com.a", "com.b"]);
        assert_eq!(phone.screen_size().unwrap(), (1, 2));
        assert_eq!(
            phone.foreground_package().unwrap().as_deref(),
            Some("com.a")
        );
    }

    #[test]
    fn wait_for_finds_what_appears_and_times_out_naming_selector_and_screen() {
        let mut polls = 0;
        let mut phone = Fake::new(move |_| {
            polls += 1;
            if polls < 3 {
                out(
                    "<hierarchy><node text=\"loading\" package=\"com.app\"/></hierarchy>",
                    "",
                    0,
                )
            } else {
                out(SCREEN, "", 0)
            }
        });
        let found = phone
            .wait_for(&Selector::new().text("OK"), Duration::from_secs(10))
            .unwrap();
        assert_eq!(found.node().text, "OK");

        let mut phone = Fake::new(|_| out(SCREEN, "", 0));
        let err = phone
            .wait_for(&Selector::new().text("Nope"), Duration::from_millis(500))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        let message = err.to_string();
        assert!(message.contains("text=\"Nope\""), "{message}");
        assert!(message.contains("package com.app"), "{message}");
        assert!(message.contains("fake-1"), "{message}");
    }

    #[test]
    fn wait_for_stops_at_a_real_failure() {
        let mut phone = Fake::new(|_| Err(Error::device("fake-1", "offline")));
        let err = phone
            .wait_for(&Selector::new().text("OK"), Duration::from_secs(30))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Device);
    }
}
