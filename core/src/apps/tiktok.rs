//! [`TikTok`]: the TikTok app (`com.zhiliaoapp.musically`, or a clone package).
//!
//! TikTok's resource ids are obfuscated and renamed in every build, so its
//! pack finds controls by text, description and layout: the counters are "the
//! value above the label `Followers`", the username is the `@handle` text.

use std::sync::Arc;

use crate::account::Platform;
use crate::apps::driver::AppDriver;
use crate::apps::pack::Pack;

/// Controls the TikTok driver needs from a pack.
pub(crate) const REQUIRED_CONTROLS: &[&str] = &[
    "landing_use_login",
    "login_tab_username",
    "login_field",
    "password_field",
    "login_button",
    "error_wrong_password",
    "error_unknown_user",
    "error_too_many_attempts",
    "verify_title",
    "two_factor_field",
    "two_factor_submit",
    "nav_profile",
    "profile_handle",
    "profile_switch",
    "profile_followers_value",
    "profile_following_value",
    "profile_likes_value",
    "profile_menu",
    "menu_settings",
    "settings_log_out",
    "logout_confirm",
    "switcher_account",
    "switcher_add",
];

/// The TikTok app.
#[derive(Debug, Clone, Copy)]
pub struct TikTok;

impl TikTok {
    /// A driver for TikTok installed as `package` (the official app when `None`)
    /// with the embedded pack.
    pub fn driver(package: Option<&str>) -> AppDriver {
        AppDriver::new(Arc::new(Pack::builtin(Platform::TikTok)), package)
    }
}
