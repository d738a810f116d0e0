//! The contract between a simulated phone and the simulated apps installed on it.
//!
//! A phone owns one boxed [`SimApp`] per installed package. It routes what the
//! shell asks for (`am start`, `input tap`, `input text`, `input keyevent`,
//! `uiautomator dump`, `am force-stop`) to the app in the foreground, passing an
//! [`AppContext`] that tells the app what it may know of the world: the
//! platform's accounts from the scenario, the phone's clock (for TOTP codes),
//! the UI language, the phone's serial.
//!
//! Apps are built from the scenario by an [`AppCatalog`](super::AppCatalog)
//! constructor, `fn(&AppSpec) -> Box<dyn SimApp>`; the spec says which accounts
//! are logged in on that phone and the app's version.

use farmhand::account::Platform;

use super::scenario::PlatformAccount;
use super::ui::ScreenNode;

/// A simulated Android app: its state, its screens, its reactions to input.
///
/// Every method is called with the phone's lock held, one call at a time, so
/// an app needs no locking of its own. Methods must not block or sleep: timing
/// (dump and tap latency) is simulated by the phone.
pub trait SimApp: Send {
    /// The app's package name, e.g. `com.instagram.android`.
    fn package(&self) -> &str;

    /// The label under the launcher icon, e.g. `Instagram`.
    fn label(&self) -> &str;

    /// The activity `dumpsys window` reports as focused while the app is in front,
    /// short form as Android prints it (`.MainActivity` or a full class name).
    fn activity(&self) -> String;

    /// Called when the app is brought to the foreground (`am start`, `monkey`, a
    /// launcher tap). `cold` is true when the process was not running: the app
    /// starts from its first screen; otherwise it resumes where it was.
    fn launch(&mut self, ctx: &AppContext<'_>, cold: bool);

    /// Called on `am force-stop`: the process dies and transient screen state is
    /// lost; sessions (logged-in accounts) survive, as on a real phone.
    fn stop(&mut self, ctx: &AppContext<'_>);

    /// The current screen. The root should cover [`Rect::screen`](super::Rect::screen);
    /// the phone places it under `<hierarchy rotation="0">` when dumping.
    fn render(&self, ctx: &AppContext<'_>) -> ScreenNode;

    /// A tap at screen coordinates (the app usually hit-tests its own render
    /// with [`ScreenNode::clickable_at`]).
    fn tap(&mut self, ctx: &AppContext<'_>, x: i32, y: i32);

    /// A swipe from `(x1, y1)` to `(x2, y2)`; default: ignored.
    fn swipe(&mut self, ctx: &AppContext<'_>, from: (i32, i32), to: (i32, i32)) {
        let _ = (ctx, from, to);
    }

    /// Text typed into the focused field (`input text`, already unescaped:
    /// `%s` is a space).
    fn input_text(&mut self, ctx: &AppContext<'_>, text: &str);

    /// A key press. Return true when the app consumed it; an unconsumed `Back`
    /// sends the phone to the launcher (the app keeps running in the background).
    /// `Home` never reaches the app.
    fn key(&mut self, ctx: &AppContext<'_>, key: KeyCode) -> bool;

    /// A `VIEW` intent for `uri` (`am start -a android.intent.action.VIEW -d URI`).
    /// Return true when the app handles it (it is then brought to the front).
    fn open_uri(&mut self, ctx: &AppContext<'_>, uri: &str) -> bool {
        let _ = (ctx, uri);
        false
    }

    /// False while the screen keeps animating (a video feed): `uiautomator dump`
    /// then fails with `ERROR: could not get idle state.` as on real phones.
    fn is_idle(&self, ctx: &AppContext<'_>) -> bool {
        let _ = ctx;
        true
    }

    /// Usernames logged in on this phone in this app, for in-process inspection
    /// by tests (automation must read the screen instead).
    fn logged_in(&self) -> Vec<String>;
}

/// What an app may know of the world outside itself, passed to every call.
#[derive(Debug, Clone, Copy)]
pub struct AppContext<'a> {
    accounts: &'a [PlatformAccount],
    now_unix: u64,
    language: &'a str,
    serial: &'a str,
}

impl<'a> AppContext<'a> {
    /// A context; phones build these, tests of a single app may too.
    pub fn new(
        accounts: &'a [PlatformAccount],
        now_unix: u64,
        language: &'a str,
        serial: &'a str,
    ) -> Self {
        AppContext {
            accounts,
            now_unix,
            language,
            serial,
        }
    }

    /// Every account that exists "on the platforms" in this scenario.
    pub fn accounts(&self) -> &'a [PlatformAccount] {
        self.accounts
    }

    /// The account of `platform` whose username (with or without `@`, any case)
    /// or email (any case) is `login`, as the real login forms accept either.
    pub fn find_account(&self, platform: Platform, login: &str) -> Option<&'a PlatformAccount> {
        let login = login.trim();
        let login = login.strip_prefix('@').unwrap_or(login).to_lowercase();
        self.accounts.iter().find(|a| {
            a.platform == platform
                && (a.username.to_lowercase() == login
                    || a.email.as_deref().map(str::to_lowercase) == Some(login.clone()))
        })
    }

    /// The phone's clock, seconds since the Unix epoch (what TOTP codes are computed at).
    pub fn now_unix(&self) -> u64 {
        self.now_unix
    }

    /// The UI language the phone is set to (`en` unless a wrong-language fault is on).
    pub fn language(&self) -> &'a str {
        self.language
    }

    /// The phone's serial (`127.0.0.1:PORT`).
    pub fn serial(&self) -> &'a str {
        self.serial
    }
}

/// An Android key, as `input keyevent` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    /// `KEYCODE_HOME` (3).
    Home,
    /// `KEYCODE_BACK` (4).
    Back,
    /// `KEYCODE_TAB` (61).
    Tab,
    /// `KEYCODE_ENTER` (66).
    Enter,
    /// `KEYCODE_DEL` (67), backspace.
    Del,
    /// `KEYCODE_MENU` (82).
    Menu,
    /// `KEYCODE_FORWARD_DEL` (112).
    ForwardDel,
    /// `KEYCODE_APP_SWITCH` (187).
    AppSwitch,
    /// Any other key code, by number.
    Other(i32),
}

impl KeyCode {
    const NAMED: [(KeyCode, &'static str, i32); 8] = [
        (KeyCode::Home, "HOME", 3),
        (KeyCode::Back, "BACK", 4),
        (KeyCode::Tab, "TAB", 61),
        (KeyCode::Enter, "ENTER", 66),
        (KeyCode::Del, "DEL", 67),
        (KeyCode::Menu, "MENU", 82),
        (KeyCode::ForwardDel, "FORWARD_DEL", 112),
        (KeyCode::AppSwitch, "APP_SWITCH", 187),
    ];

    /// Parses what `input keyevent` accepts: `KEYCODE_BACK`, `BACK` or `4`.
    /// Unknown names give `None` (the phone then reports an error, as `input` does).
    pub fn parse(arg: &str) -> Option<KeyCode> {
        if let Ok(n) = arg.parse::<i32>() {
            return Some(KeyCode::from_number(n));
        }
        let name = arg.strip_prefix("KEYCODE_").unwrap_or(arg);
        Self::NAMED
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            .map(|(k, _, _)| *k)
    }

    /// The key for an Android key code number.
    pub fn from_number(code: i32) -> KeyCode {
        Self::NAMED
            .iter()
            .find(|(_, _, n)| *n == code)
            .map(|(k, _, _)| *k)
            .unwrap_or(KeyCode::Other(code))
    }

    /// The Android key code number.
    pub fn number(self) -> i32 {
        match self {
            KeyCode::Other(n) => n,
            k => Self::NAMED
                .iter()
                .find(|(named, _, _)| *named == k)
                .map(|(_, _, n)| *n)
                .unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use farmhand::Secret;

    #[test]
    fn key_codes_parse_by_name_and_number() {
        assert_eq!(KeyCode::parse("KEYCODE_BACK"), Some(KeyCode::Back));
        assert_eq!(KeyCode::parse("enter"), Some(KeyCode::Enter));
        assert_eq!(KeyCode::parse("67"), Some(KeyCode::Del));
        assert_eq!(KeyCode::parse("24"), Some(KeyCode::Other(24)));
        assert_eq!(KeyCode::parse("KEYCODE_NOPE"), None);
        assert_eq!(KeyCode::Other(24).number(), 24);
        assert_eq!(KeyCode::AppSwitch.number(), 187);
    }

    #[test]
    fn accounts_are_found_by_username_or_email_in_any_case() {
        let accounts = vec![PlatformAccount {
            email: Some("Alice@Example.com".into()),
            ..PlatformAccount::new(Platform::Instagram, "Alice", Secret::new("pw"))
        }];
        let ctx = AppContext::new(&accounts, 0, "en", "127.0.0.1:1");
        assert!(ctx.find_account(Platform::Instagram, "@alice").is_some());
        assert!(ctx
            .find_account(Platform::Instagram, " alice@example.COM ")
            .is_some());
        assert!(ctx.find_account(Platform::TikTok, "alice").is_none());
        assert!(ctx.find_account(Platform::Instagram, "bob").is_none());
    }
}
