//! [`Instagram`]: the Instagram app (`com.instagram.android`, or a clone package).
//!
//! Instagram's resource ids are stable across builds, so its pack finds
//! controls by id first (`action_bar_title` for the username,
//! `row_profile_header_textview_followers_count` for a counter), then by text
//! and layout. Accounts with an authenticator key get the security-code screen
//! after the password.

use std::sync::Arc;

use crate::account::Platform;
use crate::apps::driver::AppDriver;
use crate::apps::pack::Pack;

/// Controls the Instagram driver needs from a pack.
pub(crate) const REQUIRED_CONTROLS: &[&str] = &[
    "landing_use_login",
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
    "profile_posts_value",
    "profile_menu",
    "menu_settings",
    "settings_log_out",
    "logout_confirm",
    "switcher_account",
    "switcher_add",
];

/// The Instagram app.
#[derive(Debug, Clone, Copy)]
pub struct Instagram;

impl Instagram {
    /// A driver for Instagram installed as `package` (the official app when
    /// `None`) with the embedded pack.
    pub fn driver(package: Option<&str>) -> AppDriver {
        AppDriver::new(Arc::new(Pack::builtin(Platform::Instagram)), package)
    }
}
