//! Scenarios: the simulated world, as a JSON file or built in code.
//!
//! A [`Scenario`] says which accounts exist on the platforms, which phones
//! there are, which apps each phone has installed and who is logged in there,
//! how slow the phones are, and which faults they suffer.
//!
//! ```json
//! {
//!   "accounts": [
//!     {"platform": "instagram", "username": "alice", "email": "alice@example.com",
//!      "password": "hunter2", "totp_secret": "JBSWY3DPEHPK3PXP", "followers": 12500}
//!   ],
//!   "phones": [
//!     {"model": "Pixel 7", "apps": [
//!       {"kind": "instagram", "logged_in": ["alice"]},
//!       {"kind": "tiktok", "package": "com.zhiliaoapp.musically.clone", "version": 2}
//!     ]},
//!     {"model": "SM-G991B", "port": 7001, "latency": {"dump_ms": 3000},
//!      "faults": {"dump_idle_failures": 2, "hang_commands": ["input"], "language": "es"}}
//!   ],
//!   "latency": {"dump_ms": 300, "tap_ms": 50}
//! }
//! ```

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use farmhand::account::Platform;
use farmhand::error::{Error, Result};
use farmhand::secret::Secret;

use super::faults::Faults;

/// Largest scenario file read, in bytes (a fleet of thousands of phones fits easily).
pub const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;
/// Most phones one scenario may start (each takes a listening socket and threads).
pub const MAX_PHONES: usize = 1000;

/// The simulated world: accounts on the platforms, phones, timing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Accounts that exist on the platforms (what the apps' login forms accept).
    #[serde(default)]
    pub accounts: Vec<PlatformAccount>,
    /// The phones, in order.
    #[serde(default)]
    pub phones: Vec<PhoneSpec>,
    /// How slow the phones are.
    #[serde(default)]
    pub latency: Latency,
    /// A fixed clock (Unix seconds) for every phone; `None` follows the system clock.
    #[serde(default)]
    pub clock: Option<u64>,
}

/// An account as it exists on TikTok or Instagram.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformAccount {
    /// Which platform the account is on.
    pub platform: Platform,
    /// Username, without `@`.
    pub username: String,
    /// Email the account can also log in with.
    #[serde(default)]
    pub email: Option<String>,
    /// The account's password.
    pub password: Secret,
    /// Base32 authenticator key; when set, Instagram asks for a security code after the password.
    #[serde(default)]
    pub totp_secret: Option<Secret>,
    /// Display name shown on the profile.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Followers count.
    #[serde(default)]
    pub followers: u64,
    /// Following count.
    #[serde(default)]
    pub following: u64,
    /// Likes received (TikTok "Likes").
    #[serde(default)]
    pub likes: u64,
    /// Videos (TikTok) or posts (Instagram).
    #[serde(default)]
    pub posts: u64,
    /// Friends (TikTok).
    #[serde(default)]
    pub friends: u64,
    /// When true, logging in shows a verification (captcha) screen that automation cannot pass.
    #[serde(default)]
    pub challenge: bool,
    /// When true, the platform refuses every login of this account with "too many attempts".
    #[serde(default)]
    pub rate_limited: bool,
    /// When true, the right password shows the app's "account suspended"
    /// screen, and an app whose active session is this account opens on it.
    #[serde(default)]
    pub suspended: bool,
    /// When true, the right password shows the app's "account banned" screen,
    /// and an app whose active session is this account opens on it.
    #[serde(default)]
    pub banned: bool,
    /// Country of the account, where the platform knows it.
    #[serde(default)]
    pub country: Option<String>,
}

impl PlatformAccount {
    /// An account with a username and password and every other field empty or zero.
    pub fn new(
        platform: Platform,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        PlatformAccount {
            platform,
            username: username.into(),
            email: None,
            password: password.into(),
            totp_secret: None,
            nickname: None,
            followers: 0,
            following: 0,
            likes: 0,
            posts: 0,
            friends: 0,
            challenge: false,
            rate_limited: false,
            suspended: false,
            banned: false,
            country: None,
        }
    }
}

/// Which simulation an installed app runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppKind {
    /// Simulated TikTok.
    TikTok,
    /// Simulated Instagram.
    Instagram,
    /// An app with a single blank screen (Settings, Chrome...): present in
    /// `pm list packages`, launchable, nothing more.
    Plain,
}

impl AppKind {
    /// The package installed when a spec names none.
    pub fn default_package(self) -> &'static str {
        match self {
            AppKind::TikTok => Platform::TikTok.default_package(),
            AppKind::Instagram => Platform::Instagram.default_package(),
            AppKind::Plain => "com.android.settings",
        }
    }

    /// Lower-case name, as in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            AppKind::TikTok => "tiktok",
            AppKind::Instagram => "instagram",
            AppKind::Plain => "plain",
        }
    }
}

/// One app installed on one phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Which simulation runs.
    pub kind: AppKind,
    /// Package name; default: the kind's official package (clone apps give their own).
    #[serde(default)]
    pub package: Option<String>,
    /// App version; the simulated TikTok changes its resource ids between versions.
    #[serde(default = "default_version")]
    pub version: u32,
    /// Usernames logged in on this phone in this app (the first one is active).
    #[serde(default)]
    pub logged_in: Vec<String>,
    /// App-specific settings read by the app, documented by each app.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

fn default_version() -> u32 {
    1
}

impl AppSpec {
    /// The official app of `kind`, version 1, nobody logged in.
    pub fn new(kind: AppKind) -> Self {
        AppSpec {
            kind,
            package: None,
            version: 1,
            logged_in: Vec::new(),
            options: BTreeMap::new(),
        }
    }

    /// The package this app installs as.
    pub fn package(&self) -> &str {
        self.package
            .as_deref()
            .unwrap_or_else(|| self.kind.default_package())
    }
}

/// One simulated phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneSpec {
    /// `ro.product.model`, shown by `adb devices -l`.
    #[serde(default = "default_model")]
    pub model: String,
    /// `ro.product.name`.
    #[serde(default = "default_product")]
    pub product: String,
    /// `ro.product.device`.
    #[serde(default = "default_product")]
    pub device: String,
    /// TCP port on 127.0.0.1; `None` lets the system choose a free one.
    #[serde(default)]
    pub port: Option<u16>,
    /// Installed apps; default: TikTok and Instagram, nobody logged in.
    #[serde(default = "default_apps")]
    pub apps: Vec<AppSpec>,
    /// Faults this phone suffers.
    #[serde(default)]
    pub faults: Faults,
    /// Whether the phone offers shell protocol v2 (Android 7 and later, the
    /// default); `false` simulates an older phone, reached only through the
    /// legacy `shell:` service whose output merges stdout and stderr.
    #[serde(default = "default_shell_v2")]
    pub shell_v2: bool,
    /// This phone's latencies instead of the scenario's (a slow old phone in a
    /// fast farm); `None` takes the scenario's `latency`.
    #[serde(default)]
    pub latency: Option<Latency>,
}

fn default_shell_v2() -> bool {
    true
}

fn default_model() -> String {
    "Pixel 7".into()
}

fn default_product() -> String {
    "panther".into()
}

fn default_apps() -> Vec<AppSpec> {
    vec![
        AppSpec::new(AppKind::TikTok),
        AppSpec::new(AppKind::Instagram),
    ]
}

impl Default for PhoneSpec {
    fn default() -> Self {
        PhoneSpec {
            model: default_model(),
            product: default_product(),
            device: default_product(),
            port: None,
            apps: default_apps(),
            faults: Faults::default(),
            shell_v2: default_shell_v2(),
            latency: None,
        }
    }
}

/// How long the phones take for the slow things, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Added to every `uiautomator dump`.
    #[serde(default)]
    pub dump_ms: u64,
    /// Added to every `input tap` / `input swipe`.
    #[serde(default)]
    pub tap_ms: u64,
}

impl Scenario {
    /// `n` default phones (TikTok and Instagram installed, nobody logged in), no accounts.
    pub fn with_phones(n: usize) -> Self {
        Scenario {
            phones: vec![PhoneSpec::default(); n],
            ..Scenario::default()
        }
    }

    /// Parses a scenario from JSON and checks it (see [`Scenario::validate`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| json_error("<text>", e))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Reads a JSON scenario file.
    pub fn load(path: &Path) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.len() > MAX_SCENARIO_BYTES {
            return Err(Error::scenario(
                path.display().to_string(),
                format!(
                    "file is {} bytes; scenarios are limited to {MAX_SCENARIO_BYTES}",
                    meta.len()
                ),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Scenario::from_json(&text).map_err(|e| match e {
            Error::Scenario {
                message, source, ..
            } => Error::Scenario {
                source_name: path.display().to_string(),
                message,
                source,
            },
            other => other,
        })
    }

    /// Checks what serde cannot: at most [`MAX_PHONES`] phones, unique usernames per
    /// platform, logged-in accounts that exist on the app's platform, one app per
    /// package per phone, distinct fixed ports.
    pub fn validate(&self) -> Result<()> {
        if self.phones.len() > MAX_PHONES {
            return Err(Error::validation(
                "phones",
                format!(
                    "{} phones asked for; at most {MAX_PHONES} are supported",
                    self.phones.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (i, account) in self.accounts.iter().enumerate() {
            let key = (account.platform, account.username.trim().to_lowercase());
            if key.1.is_empty() {
                return Err(Error::validation(
                    format!("accounts[{i}].username"),
                    "must not be blank",
                ));
            }
            if !seen.insert(key) {
                return Err(Error::validation(
                    format!("accounts[{i}].username"),
                    format!(
                        "{} account '{}' is listed twice",
                        account.platform, account.username
                    ),
                ));
            }
            super::apps::validate_account(account, &format!("accounts[{i}]"))?;
        }
        let mut ports = HashSet::new();
        for (p, phone) in self.phones.iter().enumerate() {
            if let Some(port) = phone.port {
                if port == 0 || !ports.insert(port) {
                    return Err(Error::validation(
                        format!("phones[{p}].port"),
                        format!("port {port} is 0 or used by another phone"),
                    ));
                }
            }
            let mut packages = HashSet::new();
            for (a, app) in phone.apps.iter().enumerate() {
                if !packages.insert(app.package()) {
                    return Err(Error::validation(
                        format!("phones[{p}].apps[{a}].package"),
                        format!("{} is installed twice", app.package()),
                    ));
                }
                if app.kind != AppKind::Plain {
                    super::apps::validate_options(app, &format!("phones[{p}].apps[{a}]"))?;
                }
                let platform = match app.kind {
                    AppKind::TikTok => Platform::TikTok,
                    AppKind::Instagram => Platform::Instagram,
                    AppKind::Plain if app.logged_in.is_empty() => continue,
                    AppKind::Plain => {
                        return Err(Error::validation(
                            format!("phones[{p}].apps[{a}].logged_in"),
                            "a plain app has no accounts",
                        ))
                    }
                };
                for user in &app.logged_in {
                    let wanted = user.trim().trim_start_matches('@').to_lowercase();
                    if !self.accounts.iter().any(|acc| {
                        acc.platform == platform && acc.username.to_lowercase() == wanted
                    }) {
                        return Err(Error::validation(
                            format!("phones[{p}].apps[{a}].logged_in"),
                            format!(
                                "{platform} account '{user}' is not in the scenario's accounts"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A scenario that is not valid JSON or not shaped like a scenario. The JSON
/// error stays its source only when it is a syntax error or an early end: a
/// data error's text quotes the value it met, which may be a password.
fn json_error(source_name: &str, e: serde_json::Error) -> Error {
    let error = Error::scenario(source_name, redact_serde_message(&e));
    if e.is_syntax() || e.is_eof() {
        error.with_source(e)
    } else {
        error
    }
}

/// serde_json quotes the offending value in "invalid type/value" messages; that
/// value may be a password, so only what was expected and where are kept.
fn redact_serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match (text.starts_with("invalid "), text.find(", expected")) {
        (true, Some(at)) => format!("invalid value{}", &text[at..]),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        let text = r#"{
          "accounts": [
            {"platform": "instagram", "username": "alice", "email": "alice@example.com",
             "password": "hunter2", "totp_secret": "JBSWY3DPEHPK3PXP", "followers": 12500}
          ],
          "phones": [
            {"model": "Pixel 7", "apps": [
              {"kind": "instagram", "logged_in": ["alice"]},
              {"kind": "tiktok", "package": "com.zhiliaoapp.musically.clone", "version": 2}
            ]},
            {"model": "SM-G991B", "port": 7001,
             "faults": {"dump_idle_failures": 2, "hang_commands": ["input"], "language": "es"}}
          ],
          "latency": {"dump_ms": 300, "tap_ms": 50}
        }"#;
        let s = Scenario::from_json(text).unwrap();
        assert_eq!(
            s.phones[0].apps[1].package(),
            "com.zhiliaoapp.musically.clone"
        );
        assert_eq!(s.phones[0].apps[0].package(), "com.instagram.android");
        assert_eq!(s.latency.dump_ms, 300);
        assert_eq!(s.phones[1].port, Some(7001));
        assert_eq!(s.phones[1].faults.dump_idle_failures, 2);
        assert_eq!(s.phones[1].faults.language.as_deref(), Some("es"));
        assert_eq!(s.phones[1].apps.len(), 2, "default apps");
        assert_eq!(s.accounts[0].followers, 12500);
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s:?}").contains("JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn a_phone_may_have_its_own_latency() {
        let s = Scenario::from_json(
            r#"{"phones": [{}, {"latency": {"dump_ms": 1000}}], "latency": {"dump_ms": 100}}"#,
        )
        .unwrap();
        assert_eq!(s.phones[0].latency, None);
        assert_eq!(
            s.phones[1].latency,
            Some(Latency {
                dump_ms: 1000,
                tap_ms: 0
            })
        );
        let typo = Scenario::from_json(r#"{"phones": [{"latency": {"dump": 1}}]}"#).unwrap_err();
        assert!(typo.to_string().contains("dump"), "{typo}");
    }

    #[test]
    fn defaults_give_tiktok_and_instagram() {
        let s = Scenario::from_json(r#"{"phones": [{}]}"#).unwrap();
        let kinds: Vec<_> = s.phones[0].apps.iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [AppKind::TikTok, AppKind::Instagram]);
        assert_eq!(s.phones[0].model, "Pixel 7");
    }

    #[test]
    fn bad_scenarios_name_what_is_wrong() {
        let cases = [
            (r#"{"phones": [{"modle": "x"}]}"#, "modle"),
            (r#"{"phones": "many"}"#, "expected a sequence at line 1"),
            (
                r#"{"phones": [{"apps": [{"kind": "instagram", "logged_in": ["ghost"]}]}]}"#,
                "phones[0].apps[0].logged_in",
            ),
            (
                r#"{"phones": [{"apps": [{"kind": "plain"}, {"kind": "plain"}]}]}"#,
                "installed twice",
            ),
            (
                r#"{"accounts": [{"platform":"tiktok","username":"a","password":"x"},
                                 {"platform":"tiktok","username":"A","password":"y"}]}"#,
                "listed twice",
            ),
            (
                r#"{"phones": [{"port": 7000}, {"port": 7000}]}"#,
                "phones[1].port",
            ),
            (
                r#"{"phones": [{"apps": [{"kind": "snapchat"}]}]}"#,
                "snapchat",
            ),
        ];
        for (text, needle) in cases {
            let err = Scenario::from_json(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
        let err = Scenario::with_phones(MAX_PHONES + 1)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("at most"));
    }

    #[test]
    fn secrets_in_a_bad_file_stay_out_of_the_error() {
        let text = r#"{"accounts": [{"platform":"tiktok","username":"a","password":"s3cr3t!","bogus":1}]}"#;
        let err = Scenario::from_json(text).unwrap_err().to_string();
        assert!(!err.contains("s3cr3t!"), "{err}");
        let text = r#"{"accounts": [{"platform":"tiktok","username":"a","password":987654}]}"#;
        let err = Scenario::from_json(text).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Scenario, "{err}");
        assert!(
            std::error::Error::source(&err).is_none(),
            "serde_json's text would quote the value"
        );
        let debug = format!("{err:?}");
        let err = err.to_string();
        assert!(
            !err.contains("987654") && !debug.contains("987654"),
            "{debug}"
        );
        assert!(err.contains("expected a string"), "{err}");
    }

    #[test]
    fn a_bad_or_huge_scenario_file_is_a_scenario_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("farm.json");
        std::fs::write(&bad, "{\"phones\": ").unwrap();
        let err = Scenario::load(&bad).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Scenario, "{err}");
        assert!(err.to_string().contains("farm.json"), "{err}");
        assert!(std::error::Error::source(&err).is_some(), "{err}");
        let huge = dir.path().join("huge.json");
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(MAX_SCENARIO_BYTES + 1)
            .unwrap();
        let err = Scenario::load(&huge).unwrap_err();
        assert_eq!(err.kind(), farmhand::ErrorKind::Scenario, "{err}");
        assert!(err.to_string().contains("limited"), "{err}");
        assert!(err.to_string().contains("huge.json"), "{err}");
    }

    #[test]
    fn text_that_is_not_json_is_a_scenario_error_caused_by_the_parser() {
        for text in [
            "{",
            "",
            "{\"phones\": [{\"model\": \"A\"}",
            "{\"phones\": [}",
        ] {
            let err = Scenario::from_json(text).unwrap_err();
            assert_eq!(err.kind(), farmhand::ErrorKind::Scenario, "{text:?}: {err}");
            assert!(err.to_string().starts_with("scenario <text>: "), "{err}");
            let cause = std::error::Error::source(&err).expect("the parser's error");
            assert!(
                cause.downcast_ref::<serde_json::Error>().is_some(),
                "{cause:?}"
            );
        }
    }
}
