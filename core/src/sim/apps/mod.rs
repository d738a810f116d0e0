//! The simulated TikTok and Instagram apps.
//!
//! Both render uiautomator-style screens on the 1080x2400 phone and react to
//! taps, typed text and keys: a login form (errors for a wrong password, an
//! unknown user, too many attempts), TikTok's unpassable captcha, Instagram's
//! authenticator-code screen, a home feed that never goes idle, a profile with
//! abbreviated counters, an account switcher and logout. Accounts come from the
//! scenario through [`AppContext`](crate::sim::AppContext); which accounts an
//! install holds starts from its [`AppSpec`](crate::sim::AppSpec).
//!
//! App options (`AppSpec::options`): `login_attempts` — failed attempts with one
//! identifier before "too many attempts" (default 5).

mod accounts;
mod counts;
mod form;
pub mod instagram;
pub mod tiktok;
mod view;

pub use instagram::Instagram;
pub use tiktok::TikTok;

use crate::sim::scenario::AppSpec;

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
}

/// The `login_attempts` option of an app spec, or the default.
fn attempt_limit(spec: &AppSpec) -> u32 {
    spec.options
        .get("login_attempts")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(accounts::DEFAULT_ATTEMPT_LIMIT)
}
