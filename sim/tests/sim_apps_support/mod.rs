//! Shared by the `sim_apps_*` tests: a scenario with TikTok and Instagram
//! accounts, and a phone driven the way automation drives one, through its
//! shell: `uiautomator dump` + `cat`, find a node, `input tap` its centre,
//! `input text`, `input keyevent`, `monkey`, `am start`, `am force-stop`.

#![allow(dead_code)] // each test file uses a different part of the helpers

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use farmhand::account::Platform;
use farmhand::device::input_escape::{input_text_command, quote};
use farmhand::device::{Device, DeviceDriver, Selector, ShellOutput, UiNode, UiTree};
use farmhand::Secret;
use farmhand_sim::{
    AppCatalog, AppKind, AppSpec, Clock, KeyCode, Latency, LocalDriver, PhoneSpec, PlatformAccount,
    SimPhone, IDLE_STATE_ERROR,
};

/// The phones' fixed clock (Unix seconds) unless a test sets another.
pub const NOW: u64 = 1_764_000_000;
/// The authenticator key of Instagram's `ivy`.
pub const IVY_SECRET: &str = "JBSWY3DPEHPK3PXP";
/// TikTok's package.
pub const TIKTOK: &str = "com.zhiliaoapp.musically";
/// Instagram's package.
pub const INSTAGRAM: &str = "com.instagram.android";
/// Where the "Profile" tab of both apps' bottom bars is (the feed cannot be dumped).
pub const PROFILE_TAB: (i32, i32) = (972, 2316);

/// The accounts that exist on the platforms in these tests.
pub fn accounts() -> Vec<PlatformAccount> {
    vec![
        PlatformAccount {
            email: Some("alice@example.com".into()),
            nickname: Some("Alice A.".into()),
            following: 1_234,
            followers: 12_599,
            likes: 3_456_789,
            posts: 4,
            ..PlatformAccount::new(Platform::TikTok, "alice", "alice-pw")
        },
        PlatformAccount {
            nickname: Some("Bob".into()),
            following: 7,
            followers: 999,
            likes: 1_234_567_890,
            ..PlatformAccount::new(Platform::TikTok, "bob", "bob-pw")
        },
        PlatformAccount {
            challenge: true,
            ..PlatformAccount::new(Platform::TikTok, "carol", "carol-pw")
        },
        PlatformAccount {
            rate_limited: true,
            ..PlatformAccount::new(Platform::TikTok, "dave", "dave-pw")
        },
        PlatformAccount {
            email: Some("ivy@example.com".into()),
            totp_secret: Some(Secret::new(IVY_SECRET)),
            nickname: Some("Ivy Green".into()),
            posts: 359,
            followers: 123_456,
            following: 7_890,
            ..PlatformAccount::new(Platform::Instagram, "ivy", "ivy-pw")
        },
        PlatformAccount {
            followers: 3_400_000,
            following: 12,
            posts: 1_234,
            ..PlatformAccount::new(Platform::Instagram, "jack", "jack-pw")
        },
        PlatformAccount {
            followers: 1_234_567_890,
            ..PlatformAccount::new(Platform::Instagram, "kim", "kim-pw")
        },
        PlatformAccount {
            challenge: true,
            ..PlatformAccount::new(Platform::Instagram, "lena", "lena-pw")
        },
    ]
}

/// An app spec with these accounts logged in (the first active).
pub fn app(kind: AppKind, logged_in: &[&str]) -> AppSpec {
    AppSpec {
        logged_in: logged_in.iter().map(|u| u.to_string()).collect(),
        ..AppSpec::new(kind)
    }
}

/// How long any one shell command may take in these tests.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// A phone driven through its shell, in process (`LocalDriver`): exactly the
/// commands automation sends over adb.
pub struct Phone {
    /// The phone itself, for setup (language, clock) and checks (who is logged in).
    pub sim: Arc<SimPhone>,
    device: RefCell<Box<dyn Device>>,
}

impl Phone {
    /// A phone with these apps, the fixed clock [`NOW`], English UI.
    pub fn new(apps: Vec<AppSpec>) -> Phone {
        let spec = PhoneSpec {
            apps,
            ..PhoneSpec::default()
        };
        let accounts: Arc<[PlatformAccount]> = accounts().into();
        let sim = SimPhone::new(
            "127.0.0.1:5555",
            &spec,
            accounts,
            Latency::default(),
            Clock::Fixed(NOW),
            &AppCatalog::builtin(),
        )
        .expect("phone builds");
        let sim = Arc::new(sim);
        let device = LocalDriver::new(vec![sim.clone()])
            .open("127.0.0.1:5555")
            .expect("phone opens");
        Phone::with_device(sim, device)
    }

    /// A phone reached through `device` (a `LocalDriver` or an `AdbDriver` device).
    pub fn with_device(sim: Arc<SimPhone>, device: Box<dyn Device>) -> Phone {
        Phone {
            sim,
            device: RefCell::new(device),
        }
    }

    /// A phone with TikTok and Instagram, nobody logged in.
    pub fn fresh() -> Phone {
        Phone::new(vec![
            app(AppKind::TikTok, &[]),
            app(AppKind::Instagram, &[]),
        ])
    }

    /// Runs a shell command; panics when the phone does not answer.
    pub fn shell(&self, command: &str) -> ShellOutput {
        self.device
            .borrow_mut()
            .shell(command, COMMAND_TIMEOUT)
            .unwrap_or_else(|e| panic!("{}: {e}", shorten(command)))
    }

    /// Runs a shell command that must succeed.
    fn run(&self, command: &str) -> String {
        let out = self.shell(command);
        assert!(out.success(), "{} failed: {out:?}", shorten(command));
        out.stdout
    }

    /// Brings `package` to the front, as automation starts an app.
    pub fn launch(&self, package: &str) {
        self.run(&format!(
            "monkey -p {package} -c android.intent.category.LAUNCHER 1"
        ));
    }

    /// `am force-stop`.
    pub fn force_stop(&self, package: &str) {
        self.run(&format!("am force-stop {package}"));
    }

    /// `am start -a android.intent.action.VIEW -d URI`; true when an app opened it.
    pub fn open_uri(&self, uri: &str) -> bool {
        self.shell(&format!(
            "am start -a android.intent.action.VIEW -d {}",
            quote(uri)
        ))
        .success()
    }

    /// `uiautomator dump` then `cat` of the file, parsed; `Err` carries what the phone printed.
    pub fn try_dump(&self) -> Result<UiTree, String> {
        let out = self.shell("uiautomator dump /sdcard/window_dump.xml");
        if !out
            .stdout
            .contains("UI hierchary dumped to: /sdcard/window_dump.xml")
        {
            return Err(format!("{}{}", out.stdout, out.stderr));
        }
        let xml = self.run("cat /sdcard/window_dump.xml");
        Ok(UiTree::parse(&xml).expect("the dump parses"))
    }

    /// The parsed screen; panics when the screen is not idle.
    pub fn dump(&self) -> UiTree {
        self.try_dump().expect("screen is idle")
    }

    /// True when the dump fails with the idle-state error, as on a video feed.
    pub fn dump_fails_not_idle(&self) -> bool {
        matches!(self.try_dump(), Err(e) if e.contains(IDLE_STATE_ERROR))
    }

    /// The node `selector` picks on the current screen; panics naming the screen otherwise.
    pub fn find(&self, selector: &Selector) -> UiNode {
        let tree = self.dump();
        match selector.find(&tree) {
            Some(node) => node.clone(),
            None => panic!(
                "no node matches {selector:?} on screen:\n{}",
                describe(&tree)
            ),
        }
    }

    /// True when `selector` matches a node of the current screen.
    pub fn sees(&self, selector: &Selector) -> bool {
        selector.exists(&self.dump())
    }

    /// True when the current screen shows a node with exactly this text.
    pub fn sees_text(&self, text: &str) -> bool {
        self.sees(&Selector::new().text(text))
    }

    /// Taps the centre of the node `selector` picks.
    pub fn tap(&self, selector: &Selector) {
        let node = self.find(selector);
        let (x, y) = node.center().expect("node has bounds");
        self.tap_at(x, y);
    }

    /// Taps the node with exactly this text.
    pub fn tap_text(&self, text: &str) {
        self.tap(&Selector::new().text(text));
    }

    /// `input tap X Y`.
    pub fn tap_at(&self, x: i32, y: i32) {
        self.run(&format!("input tap {x} {y}"));
    }

    /// `input swipe X1 Y1 X2 Y2`.
    pub fn swipe(&self, from: (i32, i32), to: (i32, i32)) {
        self.run(&format!(
            "input swipe {} {} {} {}",
            from.0, from.1, to.0, to.1
        ));
    }

    /// `input text`, escaped as automation escapes it.
    pub fn type_text(&self, text: &str) {
        let command = input_text_command(text)
            .expect("typeable text")
            .expect("non-empty text");
        self.run(&command);
    }

    /// `input keyevent N`.
    pub fn key(&self, key: KeyCode) {
        self.run(&format!("input keyevent {}", key.number()));
    }

    /// The package in front, from `dumpsys window` as automation reads it.
    pub fn foreground(&self) -> String {
        let out = self.run("dumpsys window | grep mCurrentFocus");
        out.split_whitespace()
            .find_map(|word| word.split_once('/').map(|(package, _)| package.to_string()))
            .unwrap_or_default()
    }

    /// Usernames `package` holds (for checks only; automation reads the screen).
    pub fn logged_in(&self, package: &str) -> Vec<String> {
        self.sim.logged_in(package).expect("app installed")
    }

    /// Switches the phone's UI language.
    pub fn set_language(&self, language: &str) {
        self.sim.set_language(language);
    }

    /// Sets the phone's clock.
    pub fn set_clock(&self, unix: u64) {
        self.sim.set_clock(Clock::Fixed(unix));
    }
}

/// A command cut to a readable length for failure messages.
fn shorten(command: &str) -> String {
    match command.char_indices().nth(120) {
        Some((at, _)) => format!("{}... ({} bytes)", &command[..at], command.len()),
        None => command.to_string(),
    }
}

/// One line per node with text, description or id: what a failing test saw.
pub fn describe(tree: &UiTree) -> String {
    tree.nodes()
        .iter()
        .filter(|n| !n.text.is_empty() || !n.content_desc.is_empty() || !n.resource_id.is_empty())
        .map(|n| format!("  {} {:?}", n.describe(), n.bounds))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every text on screen.
pub fn texts(tree: &UiTree) -> Vec<String> {
    tree.nodes()
        .iter()
        .filter(|n| !n.text.is_empty())
        .map(|n| n.text.clone())
        .collect()
}
