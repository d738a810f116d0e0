//! Looking at an app's screen through its selector pack: dump, recognise,
//! wait for an expected screen, tap a control, type into a field.
//!
//! A screen that fits nothing in the pack — another language, an unknown
//! dialog, a new app build — ends the wait with
//! [`Error::ScreenNotRecognised`] once it has stayed the same for a few looks:
//! automation never taps on a screen it does not know.

use std::time::{Duration, Instant};

use crate::apps::pack::Pack;
use crate::device::ui::{UiNode, UiTree};
use crate::device::{Device, DeviceExt};
use crate::error::{Error, ErrorKind, Result};

/// Screens every pack must describe (the drivers navigate by them).
pub(crate) const REQUIRED_SCREENS: &[&str] = &[
    "landing",
    "login",
    "two_factor",
    "login_failed",
    "verification",
    "home",
    "profile",
    "switcher",
    "menu",
    "settings",
    "logout_confirm",
];

/// The pseudo-screen of an app whose screen never goes idle (a playing video
/// feed): `uiautomator dump` keeps failing with the idle-state error.
pub(crate) const UNSETTLED: &str = "unsettled";

/// Pause between two looks at a screen that is changing.
const POLL: Duration = Duration::from_millis(150);
/// Identical unrecognised looks in a row after which the screen is declared unknown.
const SAME_UNKNOWN_LOOKS: u32 = 3;
/// What uiautomator prints when the screen keeps animating.
const IDLE_ERROR: &str = "could not get idle state";

/// One look at the screen: the tree and the pack's name for it.
pub(crate) struct View {
    /// The dumped tree.
    pub tree: UiTree,
    /// The screen the pack recognises, if any.
    pub screen: Option<String>,
}

/// An app's screen on one phone, seen through its pack.
pub(crate) struct Ui<'a> {
    /// The phone.
    pub dev: &'a mut dyn Device,
    /// The app's pack.
    pub pack: &'a Pack,
    /// The app's package (a clone's package for clones).
    pub package: &'a str,
    /// Longest wait for an expected screen.
    pub timeout: Duration,
}

impl Ui<'_> {
    /// The phone's serial.
    pub fn serial(&self) -> String {
        self.dev.serial().to_string()
    }

    /// Dumps the screen and recognises it. A dump of another app (the launcher,
    /// a system dialog) is never recognised as one of this app's screens.
    pub fn look(&mut self) -> Result<View> {
        let tree = match self.dev.dump_ui() {
            Ok(tree) => tree,
            Err(e) if e.kind() == ErrorKind::Device && e.to_string().contains(IDLE_ERROR) => {
                return Ok(View {
                    tree: UiTree::default(),
                    screen: Some(UNSETTLED.to_string()),
                })
            }
            Err(e) => return Err(e),
        };
        let ours = tree.nodes().iter().any(|n| n.package == self.package);
        let screen = if ours {
            self.pack.recognise(&tree).map(str::to_string)
        } else {
            None
        };
        Ok(View { tree, screen })
    }

    /// Looks until the screen is one of `wanted`, tapping past screens the pack
    /// marks as dismissable. `during` says what automation is doing, for errors.
    ///
    /// Ends with `ScreenNotRecognised` when an unknown screen stays the same for
    /// a few looks (or is what is showing when time runs out), and with
    /// `Timeout` when a known but unwanted screen does not go away.
    pub fn expect(&mut self, wanted: &[&str], during: &str) -> Result<View> {
        let deadline = Instant::now() + self.timeout;
        let mut last_unknown: Option<UiTree> = None;
        let mut same_unknown = 0;
        let mut last_known: Option<String>;
        loop {
            match self.look() {
                Ok(view) => match view.screen.clone() {
                    Some(screen) if wanted.contains(&screen.as_str()) => return Ok(view),
                    Some(screen) => {
                        last_unknown = None;
                        same_unknown = 0;
                        if let Some(control) = self.pack.dismiss_control(&screen) {
                            if let Some(node) = self.pack.find(&view.tree, control) {
                                self.dev.tap_node(node)?;
                            }
                        }
                        last_known = Some(screen);
                    }
                    None => {
                        last_known = None;
                        if last_unknown.as_ref() == Some(&view.tree) {
                            same_unknown += 1;
                        } else {
                            same_unknown = 1;
                            last_unknown = Some(view.tree);
                        }
                        if same_unknown >= SAME_UNKNOWN_LOOKS {
                            return Err(self.not_recognised(during, last_unknown.as_ref()));
                        }
                    }
                },
                Err(e) => return Err(e),
            }
            if Instant::now() + POLL >= deadline {
                return Err(match (last_known, &last_unknown) {
                    (None, Some(tree)) => self.not_recognised(during, Some(tree)),
                    (known, _) => Error::Timeout {
                        what: format!(
                            "{} on {} while {during} (still on {})",
                            wanted.join(" or "),
                            self.serial(),
                            known.as_deref().unwrap_or("a screen that never settled")
                        ),
                        after: self.timeout,
                    },
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// The error for a screen the pack does not know.
    fn not_recognised(&self, during: &str, tree: Option<&UiTree>) -> Error {
        let package = tree
            .and_then(|t| t.main_package())
            .unwrap_or(self.package)
            .to_string();
        Error::ScreenNotRecognised {
            serial: self.serial(),
            package,
            during: during.to_string(),
        }
    }

    /// The node of `control` on this view, or `ScreenNotRecognised` naming it.
    pub fn node<'v>(&self, view: &'v View, control: &str, during: &str) -> Result<&'v UiNode> {
        self.pack.control(control)?.find(&view.tree).ok_or_else(|| {
            self.not_recognised(
                &format!("{during} (no {control} on screen)"),
                Some(&view.tree),
            )
        })
    }

    /// Taps where the pack says the Profile tab is, for a screen that cannot be
    /// dumped (the never-idle feed). Only called after the screen was seen
    /// unsettled twice in a row in this app.
    pub fn tap_blind_profile_tab(&mut self) -> Result<()> {
        let (x, y) = self.pack.blind_profile_tab();
        let (width, height) = self.dev.screen_size()?;
        self.dev.tap(
            (f64::from(width) * x).round() as i32,
            (f64::from(height) * y).round() as i32,
        )
    }

    /// Taps `control` on this view.
    pub fn tap(&mut self, view: &View, control: &str, during: &str) -> Result<()> {
        let node = self.node(view, control, during)?;
        self.dev.tap_node(node)
    }

    /// Focuses the field `control`, empties it and types `text` into it.
    /// With `secret`, errors never repeat the text (it is a password or code).
    pub fn fill(
        &mut self,
        view: &View,
        control: &str,
        text: &str,
        secret: bool,
        during: &str,
    ) -> Result<()> {
        let node = self.node(view, control, during)?;
        if !secret && node.text == text {
            return Ok(());
        }
        let shown = node.text.chars().count().min(128);
        self.dev.tap_node(node)?;
        for _ in 0..shown {
            self.dev.key("DEL")?;
        }
        let typed = self.dev.input_text(text);
        if secret {
            typed.map_err(|e| redact(e, self.dev.serial(), control))
        } else {
            typed
        }
    }
}

/// An error met while typing a secret, with nothing of the secret in it.
fn redact(error: Error, serial: &str, field: &str) -> Error {
    match error.kind() {
        ErrorKind::Timeout => Error::Timeout {
            what: format!("typing into {field} on {serial}"),
            after: match error {
                Error::Timeout { after, .. } => after,
                _ => Duration::ZERO,
            },
        },
        ErrorKind::Validation => Error::validation(
            field,
            "cannot be typed with `input text` (it holds characters the phone's input tool refuses)",
        ),
        _ => Error::device(serial, format!("typing into {field} failed")),
    }
}
