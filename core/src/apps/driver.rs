//! [`AppDriver`]: one app (TikTok, Instagram or a clone) driven on one phone
//! through its selector pack.
//!
//! Both apps share a shape — a landing screen, a login form, maybe a 2FA code
//! screen, a home feed with a Profile tab, a profile with the username and
//! counters, an account switcher, a menu with settings and "Log out" — so one
//! driver walks them; the packs say how each screen looks in each app.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::account::Platform;
use crate::apps::counts::parse_count;
use crate::apps::pack::Pack;
use crate::apps::screen::{Ui, View, UNSETTLED};
use crate::device::ui::UiNode;
use crate::device::{Device, DeviceExt};
use crate::error::{Error, Result};
use crate::secret::{Credentials, TotpSecret};

/// A 2FA code is typed only with at least this much of its 30 s step left.
pub const MIN_TOTP_SECONDS_LEFT: u64 = 5;
/// Most screens a login walks through before it gives up.
const MAX_LOGIN_STEPS: usize = 16;
/// Most BACK presses spent leaving a login flow left open over a session.
const MAX_BACKS: usize = 4;
/// Most swipes looking for a control further down a list.
const MAX_SCROLLS: usize = 5;

/// Why an app refused a login. None of these is retried: each needs a person
/// or a change of credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    /// The password is wrong.
    WrongPassword,
    /// No account has that username or email.
    UnknownUser,
    /// The app refuses further attempts for now ("too many attempts").
    RateLimited,
    /// A captcha or identity check only a person can pass.
    ChallengeRequired,
    /// The 2FA code was refused, or the app asked for one and there is no key.
    TwoFactorFailed,
    /// The app shows the account as suspended.
    Suspended,
    /// The app shows the account as banned or disabled for good.
    Banned,
    /// The app refuses to work until it is updated.
    AppUpdateRequired,
}

/// How a login ended when the app answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginResult {
    /// The app shows a profile: logged in as this username (read from the screen).
    LoggedIn(String),
    /// The app refused.
    Rejected(Rejection),
}

/// A profile as the app shows it. Counts the app does not show are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The username, without `@`.
    pub username: String,
    /// The display name.
    pub nickname: Option<String>,
    /// Followers.
    pub followers: Option<u64>,
    /// Following.
    pub following: Option<u64>,
    /// Likes received (TikTok).
    pub likes: Option<u64>,
    /// Posts or videos.
    pub posts: Option<u64>,
    /// Friends (TikTok).
    pub friends: Option<u64>,
    /// Country, where the app shows it.
    pub country: Option<String>,
    /// Each count as the app printed it (`followers` → `1.2M`), by the
    /// stats' names: `followers`, `following`, `likes`, `posts`, `friends`.
    /// A sync keeps a stored exact number that a rounded display agrees with.
    #[serde(default)]
    pub shown: BTreeMap<String, String>,
}

/// The screens on which a logged-in app may be found.
const LOGGED_IN: &[&str] = &[
    "home",
    UNSETTLED,
    "profile",
    "switcher",
    "menu",
    "settings",
    "logout_confirm",
];
/// The screens on which a logged-out app may be found.
const LOGGED_OUT: &[&str] = &[
    "landing",
    "login_choice",
    "login",
    "login_failed",
    "two_factor",
    "two_factor_failed",
    "verification",
    "suspended",
    "banned",
];

/// The screen of an app that refuses to work until it is updated.
const UPDATE_REQUIRED: &str = "update_required";
/// Screens of an app that cannot be used at all.
const BLOCKED: &[&str] = &[UPDATE_REQUIRED];

/// Drives one app on a phone. Cheap to clone; holds no phone.
#[derive(Debug, Clone)]
pub struct AppDriver {
    package: String,
    pack: Arc<Pack>,
    screen_timeout: Duration,
}

impl AppDriver {
    /// A driver for the app of `pack` installed as `package` (the official
    /// package when `None`; a clone's package otherwise).
    pub fn new(pack: Arc<Pack>, package: Option<&str>) -> Self {
        let package = package
            .unwrap_or_else(|| pack.app().default_package())
            .to_string();
        AppDriver {
            package,
            pack,
            screen_timeout: Duration::from_secs(20),
        }
    }

    /// The same driver waiting at most `timeout` for each expected screen.
    pub fn with_screen_timeout(mut self, timeout: Duration) -> Self {
        self.screen_timeout = timeout;
        self
    }

    /// The platform of the app.
    pub fn platform(&self) -> Platform {
        self.pack.app()
    }

    /// The package driven.
    pub fn package(&self) -> &str {
        &self.package
    }

    fn ui<'a>(&'a self, dev: &'a mut dyn Device) -> Ui<'a> {
        Ui {
            dev,
            pack: &self.pack,
            package: &self.package,
            timeout: self.screen_timeout,
        }
    }

    /// Brings the app to the front and waits for a screen the pack knows.
    pub fn launch(&self, dev: &mut dyn Device) -> Result<()> {
        dev.launch(&self.package, None)?;
        let mut ui = self.ui(dev);
        ui.expect(&all_screens(), "opening the app").map(drop)
    }

    /// True when the app, brought to the front, refuses to work until it is
    /// updated: nothing else can be done with it on this phone.
    pub fn update_required(&self, dev: &mut dyn Device) -> Result<bool> {
        dev.launch(&self.package, None)?;
        let mut ui = self.ui(dev);
        let view = ui.expect(&all_screens(), "opening the app")?;
        Ok(view.screen.as_deref() == Some(UPDATE_REQUIRED))
    }

    /// What the app, brought to the front, shows instead of being usable:
    /// `AppUpdateRequired`, or `Suspended` / `Banned` when the platform refuses
    /// the session of the account active in the app. `None` when the app can
    /// be worked.
    ///
    /// A suspended or banned screen can also be what an earlier login attempt
    /// left open. Back tells them apart: it returns to the login form from a
    /// refused attempt, while a refused session shows its screen again each
    /// time the app is opened.
    pub fn opening_block(&self, dev: &mut dyn Device) -> Result<Option<Rejection>> {
        let during = "opening the app";
        dev.launch(&self.package, None)?;
        let mut ui = self.ui(dev);
        let block = match ui.expect(&all_screens(), during)?.screen.as_deref() {
            Some(UPDATE_REQUIRED) => return Ok(Some(Rejection::AppUpdateRequired)),
            Some("suspended") => Rejection::Suspended,
            Some("banned") => Rejection::Banned,
            _ => return Ok(None),
        };
        ui.dev.key("BACK")?;
        ui.dev.launch(ui.package, None)?;
        let again = ui.expect(&all_screens(), during)?;
        Ok(matches!(again.screen.as_deref(), Some("suspended" | "banned")).then_some(block))
    }

    /// The account the app shows as logged in (its profile's username), or
    /// `None` when the app shows its login screens. Launches the app.
    pub fn current_account(&self, dev: &mut dyn Device) -> Result<Option<String>> {
        self.launch(dev)?;
        let mut ui = self.ui(dev);
        Ok(match goto_profile(&mut ui)? {
            Some(view) => Some(handle(&ui, &view)?),
            None => None,
        })
    }

    /// Every account the app holds on this phone (the active one first), read
    /// from the profile and the account switcher. Empty when logged out.
    pub fn accounts(&self, dev: &mut dyn Device) -> Result<Vec<String>> {
        let Some(current) = self.current_account(dev)? else {
            return Ok(Vec::new());
        };
        let mut ui = self.ui(dev);
        let mut names = vec![current.clone()];
        let view = open_switcher(&mut ui)?;
        for node in switcher_accounts(&ui, &view)? {
            let name = clean_username(&node.text);
            if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                names.push(name);
            }
        }
        ui.dev.key("BACK")?;
        ui.expect(&["profile", "home"], "closing the account switcher")?;
        Ok(names)
    }

    /// Logs in with these credentials (email or username, password, 2FA code).
    ///
    /// When another account is logged in, this one is added through the
    /// account switcher; the other sessions are kept. The result is read from
    /// the screen: the profile's username, or the app's refusal.
    pub fn login(&self, dev: &mut dyn Device, credentials: &Credentials) -> Result<LoginResult> {
        self.launch(dev)?;
        let mut ui = self.ui(dev);
        let during = "logging in";
        let mut submitted = false;
        let mut code_sent = false;
        let mut view = ui.expect(&all_screens(), during)?;
        for _ in 0..MAX_LOGIN_STEPS {
            let screen = view.screen.clone().unwrap_or_default();
            let wanted: &[&str] = match screen.as_str() {
                "home" | "profile" | UNSETTLED if submitted => {
                    let profile = goto_profile(&mut ui)?.ok_or_else(|| {
                        Error::device(
                            ui.serial(),
                            "the app left the profile right after logging in",
                        )
                    })?;
                    return Ok(LoginResult::LoggedIn(handle(&ui, &profile)?));
                }
                "home" | "profile" | "menu" | "settings" | "logout_confirm" | UNSETTLED => {
                    // Another account is active: add this one through the switcher.
                    let switcher = open_switcher(&mut ui)?;
                    ui.tap(&switcher, "switcher_add", during)?;
                    &["landing", "login_choice", "login"]
                }
                "switcher" => {
                    ui.tap(&view, "switcher_add", during)?;
                    &["landing", "login_choice", "login"]
                }
                "landing" => {
                    ui.tap(&view, "landing_use_login", during)?;
                    &["login_choice", "login"]
                }
                "login_choice" => {
                    ui.tap(&view, "login_tab_username", during)?;
                    &["login"]
                }
                "login" if !submitted => {
                    ui.fill(
                        &view,
                        "login_field",
                        credentials.login.as_str(),
                        false,
                        during,
                    )?;
                    let view = ui.expect(&["login"], during)?;
                    ui.fill(
                        &view,
                        "password_field",
                        credentials.password.expose(),
                        true,
                        during,
                    )?;
                    let view = ui.expect(&["login"], during)?;
                    ui.tap(&view, "login_button", during)?;
                    submitted = true;
                    &[
                        "home",
                        "profile",
                        UNSETTLED,
                        "two_factor",
                        "login_failed",
                        "verification",
                        "two_factor_failed",
                        "suspended",
                        "banned",
                        "update_required",
                    ]
                }
                "two_factor" if !code_sent => {
                    let Some(key) = &credentials.totp else {
                        return Ok(LoginResult::Rejected(Rejection::TwoFactorFailed));
                    };
                    let code = fresh_code(key);
                    ui.fill(&view, "two_factor_field", &code, true, during)?;
                    let view = ui.expect(&["two_factor"], during)?;
                    ui.tap(&view, "two_factor_submit", during)?;
                    code_sent = true;
                    &[
                        "home",
                        "profile",
                        UNSETTLED,
                        "two_factor_failed",
                        "login_failed",
                        "verification",
                        "suspended",
                        "banned",
                        "update_required",
                    ]
                }
                "two_factor" | "two_factor_failed" => {
                    return Ok(LoginResult::Rejected(Rejection::TwoFactorFailed));
                }
                "verification" => return Ok(LoginResult::Rejected(Rejection::ChallengeRequired)),
                "suspended" if submitted => return Ok(LoginResult::Rejected(Rejection::Suspended)),
                "banned" if submitted => return Ok(LoginResult::Rejected(Rejection::Banned)),
                // What an earlier attempt left on screen: back to the form.
                "suspended" | "banned" => {
                    ui.dev.key("BACK")?;
                    &["landing", "login_choice", "login"]
                }
                UPDATE_REQUIRED => return Ok(LoginResult::Rejected(Rejection::AppUpdateRequired)),
                "login_failed" => return Ok(LoginResult::Rejected(refusal(&ui, &view)?)),
                other => {
                    return Err(Error::Timeout {
                        what: format!(
                            "the app to leave the {other} screen on {} while {during}",
                            ui.serial()
                        ),
                        after: self.screen_timeout,
                    })
                }
            };
            view = ui.expect(wanted, during)?;
        }
        Err(Error::device(
            ui.serial(),
            format!("login did not finish within {MAX_LOGIN_STEPS} screens"),
        ))
    }

    /// Makes `username` the active account. `Ok(false)` when the app does not hold it.
    pub fn switch_to(&self, dev: &mut dyn Device, username: &str) -> Result<bool> {
        let Some(current) = self.current_account(dev)? else {
            return Ok(false);
        };
        if current.eq_ignore_ascii_case(username) {
            return Ok(true);
        }
        let mut ui = self.ui(dev);
        let view = open_switcher(&mut ui)?;
        let wanted = clean_username(username);
        let row = switcher_accounts(&ui, &view)?
            .into_iter()
            .find(|n| clean_username(&n.text).eq_ignore_ascii_case(&wanted));
        let Some(row) = row else {
            ui.dev.key("BACK")?;
            ui.expect(&["profile", "home"], "closing the account switcher")?;
            return Ok(false);
        };
        ui.dev.tap_node(row)?;
        ui.expect(&["profile", "home"], "switching account")?;
        let profile = goto_profile(&mut ui)?.ok_or_else(|| {
            Error::device(ui.serial(), "the app logged out while switching account")
        })?;
        Ok(handle(&ui, &profile)?.eq_ignore_ascii_case(&wanted))
    }

    /// Logs the active account out (Profile → menu → settings → Log out → confirm).
    pub fn logout(&self, dev: &mut dyn Device) -> Result<()> {
        self.launch(dev)?;
        let mut ui = self.ui(dev);
        let during = "logging out";
        let Some(profile) = goto_profile(&mut ui)? else {
            return Ok(());
        };
        ui.tap(&profile, "profile_menu", during)?;
        let mut settings = ui.expect(&["menu", "settings"], during)?;
        if settings.screen.as_deref() == Some("menu") {
            ui.tap(&settings, "menu_settings", during)?;
            settings = ui.expect(&["settings"], during)?;
        }
        for _ in 0..MAX_SCROLLS {
            if ui.pack.find(&settings.tree, "settings_log_out").is_some() {
                break;
            }
            ui.dev
                .swipe((540, 1800), (540, 600), Duration::from_millis(300))?;
            settings = ui.expect(&["settings"], during)?;
        }
        ui.tap(&settings, "settings_log_out", during)?;
        let confirm = ui.expect(&["logout_confirm"], during)?;
        ui.tap(&confirm, "logout_confirm", during)?;
        ui.expect(
            &["landing", "login_choice", "login", "home", "profile"],
            during,
        )
        .map(drop)
    }

    /// Opens the active account's profile and reads it; `None` when logged out.
    pub fn profile(&self, dev: &mut dyn Device) -> Result<Option<Profile>> {
        self.launch(dev)?;
        let mut ui = self.ui(dev);
        let Some(view) = goto_profile(&mut ui)? else {
            return Ok(None);
        };
        let mut shown = BTreeMap::new();
        let mut count = |stat: &str, control: &str| -> Result<Option<u64>> {
            match ui.pack.find(&view.tree, control) {
                Some(node) => {
                    let text = node_text(node);
                    let value = parse_count(text)?;
                    shown.insert(stat.to_string(), text.trim().to_string());
                    Ok(Some(value))
                }
                None => Ok(None),
            }
        };
        let followers = count("followers", "profile_followers_value")?;
        let following = count("following", "profile_following_value")?;
        let likes = count("likes", "profile_likes_value")?;
        let posts = count("posts", "profile_posts_value")?;
        let friends = count("friends", "profile_friends_value")?;
        let text = |control: &str| {
            ui.pack
                .find(&view.tree, control)
                .map(|n| node_text(n).trim().to_string())
                .filter(|t| !t.is_empty())
        };
        Ok(Some(Profile {
            username: handle(&ui, &view)?,
            nickname: text("profile_nickname"),
            followers,
            following,
            likes,
            posts,
            friends,
            country: text("profile_country")
                .map(|c| c.strip_prefix("Country: ").unwrap_or(&c).trim().to_string()),
            shown,
        }))
    }
}

/// Every screen name the drivers know.
fn all_screens() -> Vec<&'static str> {
    LOGGED_IN
        .iter()
        .chain(LOGGED_OUT)
        .chain(BLOCKED)
        .copied()
        .collect()
}

/// Goes to the active account's profile from wherever the app is; `None` when
/// the app shows its login screens.
fn goto_profile(ui: &mut Ui<'_>) -> Result<Option<View>> {
    let during = "opening the profile";
    let mut view = ui.expect(&all_screens(), during)?;
    let mut unsettled = 0;
    let mut backs = 0;
    for _ in 0..MAX_LOGIN_STEPS {
        let screen = view.screen.clone().unwrap_or_default();
        unsettled = if screen == UNSETTLED {
            unsettled + 1
        } else {
            0
        };
        match screen.as_str() {
            "profile" => return Ok(Some(view)),
            // A blocked account or app: nothing to read, nowhere to go.
            screen if BLOCKED.contains(&screen) => {
                return Err(Error::device(
                    ui.serial(),
                    format!("the app shows its {screen} screen"),
                ))
            }
            "home" => ui.tap(&view, "nav_profile", during)?,
            // The playing feed cannot be dumped: after two failed looks, tap
            // where the Profile tab is, if this app is the one in front.
            UNSETTLED if unsettled >= 2 => {
                if ui.dev.foreground_package()?.as_deref() != Some(ui.package) {
                    return Err(Error::ScreenNotRecognised {
                        serial: ui.serial(),
                        package: ui.package.to_string(),
                        during: format!("{during} (another app keeps the screen busy)"),
                    });
                }
                ui.tap_blind_profile_tab()?;
                unsettled = 0;
            }
            UNSETTLED => {}
            // A login screen may be an "add account" flow left open over a
            // session: back out of it. Leaving the app means it holds none.
            screen if LOGGED_OUT.contains(&screen) => {
                backs += 1;
                if backs > MAX_BACKS {
                    return Ok(None);
                }
                ui.dev.key("BACK")?;
                let after = ui.look()?;
                if after.screen.is_none()
                    && !after.tree.nodes().iter().any(|n| n.package == ui.package)
                {
                    ui.dev.launch(ui.package, None)?;
                    return Ok(None);
                }
            }
            _ => ui.dev.key("BACK")?,
        }
        view = ui.expect(&all_screens(), during)?;
    }
    Err(Error::device(ui.serial(), "could not reach the profile"))
}

/// Opens the account switcher from the profile.
fn open_switcher(ui: &mut Ui<'_>) -> Result<View> {
    let during = "opening the account switcher";
    let profile = goto_profile(ui)?
        .ok_or_else(|| Error::device(ui.serial(), "no account is logged in to switch from"))?;
    ui.tap(&profile, "profile_switch", during)?;
    ui.expect(&["switcher"], during)
}

/// The username of each account row of the switcher: the first
/// `switcher_account` match in each row. A row may also show the account's
/// nickname, which can look just like a username (`Zed`, `mike.s`).
fn switcher_accounts<'v>(ui: &Ui<'_>, view: &'v View) -> Result<Vec<&'v UiNode>> {
    let tree = &view.tree;
    // A row is the nearest tappable ancestor (else the parent) of a match.
    let row_of = |node: &UiNode| {
        std::iter::successors(tree.parent(node), |n| tree.parent(n))
            .find(|n| n.flags.clickable)
            .or_else(|| tree.parent(node))
            .map(|row| row.id)
    };
    // Matches come best first; the username is the row's first line on screen.
    let mut matches = ui.pack.control("switcher_account")?.find_all(tree);
    matches.sort_by_key(|node| node.id);
    let mut rows = Vec::new();
    let mut names = Vec::new();
    for node in matches {
        let row = row_of(node);
        if row.is_none() || !rows.contains(&row) {
            rows.push(row);
            names.push(node);
        }
    }
    Ok(names)
}

/// The username on a profile screen.
fn handle(ui: &Ui<'_>, view: &View) -> Result<String> {
    let node = ui.node(view, "profile_handle", "reading the username")?;
    let name = clean_username(node_text(node));
    if name.is_empty() {
        return Err(Error::device(
            ui.serial(),
            "the profile shows an empty username",
        ));
    }
    Ok(name)
}

/// Which refusal the login error on screen is.
fn refusal(ui: &Ui<'_>, view: &View) -> Result<Rejection> {
    let shown = |control: &str| ui.pack.find(&view.tree, control).is_some();
    if shown("error_too_many_attempts") {
        Ok(Rejection::RateLimited)
    } else if shown("error_unknown_user") {
        Ok(Rejection::UnknownUser)
    } else if shown("error_wrong_password") {
        Ok(Rejection::WrongPassword)
    } else {
        Err(Error::ScreenNotRecognised {
            serial: ui.serial(),
            package: ui.package.to_string(),
            during: "reading the login error".into(),
        })
    }
}

/// The text of a node, or its content description when it has no text.
fn node_text(node: &UiNode) -> &str {
    if node.text.trim().is_empty() {
        &node.content_desc
    } else {
        &node.text
    }
}

/// A username as shown (`@alice`, ` alice `) as the roster spells it.
fn clean_username(shown: &str) -> String {
    let trimmed = shown.trim().trim_matches('\u{200E}');
    trimmed
        .strip_prefix('@')
        .unwrap_or(trimmed)
        .trim()
        .to_string()
}

/// The current 2FA code, waiting for the next step when fewer than
/// [`MIN_TOTP_SECONDS_LEFT`] seconds of this one remain.
fn fresh_code(key: &TotpSecret) -> String {
    let left = key.seconds_left();
    if left < MIN_TOTP_SECONDS_LEFT {
        std::thread::sleep(Duration::from_secs(left) + Duration::from_millis(200));
    }
    key.code_now()
}
