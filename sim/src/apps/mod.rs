//! The simulated TikTok and Instagram apps.
//!
//! Both render uiautomator-style screens on the 1080x2400 phone and react to
//! taps, typed text and keys: a login form (errors for a wrong password, an
//! unknown user, too many attempts), TikTok's unpassable captcha, Instagram's
//! authenticator-code screen, a home feed that never goes idle, a profile with
//! abbreviated counters, an account switcher and logout. Accounts come from the
//! scenario through [`AppContext`](crate::AppContext); which accounts an
//! install holds starts from its [`AppSpec`].
//!
//! App options (`AppSpec::options`): `login_attempts` — failed attempts with one
//! identifier before "too many attempts" (default 5).
//!
//! What the two apps do alike is written once: `social.rs` (their `SimApp`
//! implementation, over the `SocialApp` trait each app implements),
//! `state.rs` (an install's state and the moves both make: launch, stop,
//! log in, switch, add an account, log out, open a profile link), `act.rs`
//! (what a tap does), `form.rs`, `switcher.rs`, `profile.rs` and `view.rs`
//! (shared pieces of their screens), `accounts.rs` and `counts.rs`. Each
//! app's module keeps its own screens, labels, ids and layout.

mod accounts;
mod act;
mod counts;
mod form;
pub mod instagram;
mod profile;
mod social;
mod state;
mod switcher;
pub mod tiktok;
mod view;

pub use instagram::Instagram;
pub use tiktok::TikTok;

use crate::scenario::{AppSpec, PlatformAccount};
use farmhand::error::{Error, Result};
use farmhand::secret::TotpSecret;

/// The languages the simulated apps are translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    /// English: what selector packs are written for.
    En,
    /// Spanish.
    Es,
    /// Portuguese.
    Pt,
}

impl Language {
    /// The language for a phone setting such as `en`, `es-ES` or `pt_BR`. A
    /// setting the apps have no translation for gives Spanish, so that any
    /// non-English setting shows a foreign screen, as the wrong-language fault intends.
    pub fn from_setting(setting: &str) -> Language {
        let lang = setting
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match lang.as_str() {
            "en" | "" => Language::En,
            "pt" => Language::Pt,
            _ => Language::Es,
        }
    }

    /// The one of `translations` (English, Spanish, Portuguese) for this language.
    pub fn pick<T>(self, translations: [T; 3]) -> T {
        let [en, es, pt] = translations;
        match self {
            Language::En => en,
            Language::Es => es,
            Language::Pt => pt,
        }
    }
}

/// Checks the options of a TikTok or Instagram spec: only known names, valid
/// values. `field` names the spec in errors (`phones[0].apps[1]`).
pub(crate) fn validate_options(spec: &AppSpec, field: &str) -> Result<()> {
    for (name, value) in &spec.options {
        match name.as_str() {
            "login_attempts" => {
                if !matches!(value.trim().parse::<u32>(), Ok(n) if n >= 1) {
                    return Err(Error::validation(
                        format!("{field}.options.login_attempts"),
                        format!("'{value}' is not a whole number of at least 1"),
                    ));
                }
            }
            other => {
                return Err(Error::validation(
                    format!("{field}.options"),
                    format!("unknown option '{other}' (known: login_attempts)"),
                ))
            }
        }
    }
    Ok(())
}

/// Checks what the apps need of a scenario account: an authenticator key that
/// is valid base32 (else nobody could ever pass its code screen). `field` names
/// the account (`accounts[3]`); the key itself never appears in the error.
pub(crate) fn validate_account(account: &PlatformAccount, field: &str) -> Result<()> {
    match &account.totp_secret {
        Some(secret) if TotpSecret::parse(secret.expose()).is_err() => Err(Error::validation(
            format!("{field}.totp_secret"),
            format!(
                "the key of {} account '{}' is not a base32 authenticator key of at least 16 characters",
                account.platform, account.username
            ),
        )),
        _ => Ok(()),
    }
}

/// The `login_attempts` option of an app spec; the default where it is absent
/// (or invalid in a spec that skipped [`validate_options`]).
fn attempt_limit(spec: &AppSpec) -> u32 {
    spec.options
        .get("login_attempts")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(accounts::DEFAULT_ATTEMPT_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;
    use farmhand::ErrorKind;

    #[test]
    fn phone_settings_map_to_the_translations() {
        assert_eq!(Language::from_setting("en"), Language::En);
        assert_eq!(Language::from_setting("en-US"), Language::En);
        assert_eq!(Language::from_setting(""), Language::En);
        assert_eq!(Language::from_setting("pt_BR"), Language::Pt);
        assert_eq!(Language::from_setting("ES"), Language::Es);
        assert_eq!(Language::from_setting("de"), Language::Es);
    }

    #[test]
    fn unusable_authenticator_keys_are_refused_without_showing_them() {
        let scenario = |key: &str| {
            Scenario::from_json(&format!(
                r#"{{"accounts": [{{"platform": "instagram", "username": "ivy", "password": "pw", "totp_secret": "{key}"}}]}}"#
            ))
        };
        assert!(scenario("JBSWY3DPEHPK3PXP").is_ok());
        assert!(scenario("jbsw y3dp ehpk 3pxp").is_ok());
        for bad in ["NOT-BASE32-AT-ALL!!", "JBSWY3DP", ""] {
            let err = scenario(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            let text = err.to_string();
            assert!(text.contains("accounts[0].totp_secret"), "{text}");
            assert!(text.contains("'ivy'"), "{text}");
            assert!(bad.is_empty() || !text.contains(bad), "{text}");
        }
    }

    #[test]
    fn app_options_are_checked_by_name_and_value() {
        let scenario = |options: &str| {
            Scenario::from_json(&format!(
                r#"{{"phones": [{{"apps": [{{"kind": "plain"}}, {{"kind": "tiktok", "options": {options}}}]}}]}}"#
            ))
        };
        let ok = scenario(r#"{"login_attempts": "3"}"#).unwrap();
        assert_eq!(attempt_limit(&ok.phones[0].apps[1]), 3);
        for (options, needle) in [
            (
                r#"{"login_attempts": "0"}"#,
                "phones[0].apps[1].options.login_attempts",
            ),
            (
                r#"{"login_attempts": "many"}"#,
                "'many' is not a whole number",
            ),
            (r#"{"login_attempts": "-1"}"#, "options.login_attempts"),
            (r#"{"colour": "red"}"#, "unknown option 'colour'"),
        ] {
            let err = scenario(options).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            assert!(err.to_string().contains(needle), "{options}: {err}");
        }
        assert_eq!(
            attempt_limit(&AppSpec::new(crate::AppKind::Instagram)),
            accounts::DEFAULT_ATTEMPT_LIMIT
        );
    }
}
