//! The platforms' side of the simulated apps: how a login attempt is judged,
//! how an authenticator code is checked, and which accounts one app install holds.

use std::collections::HashMap;

use crate::app::AppContext;
use crate::scenario::PlatformAccount;
use farmhand::account::Platform;
use farmhand::secret::TotpSecret;

/// How many failed attempts with one identifier an install accepts before it
/// refuses further ones with "too many attempts" (app option `login_attempts`).
pub(crate) const DEFAULT_ATTEMPT_LIMIT: u32 = 5;

/// The key a login identifier is compared by: trimmed, one leading `@` dropped, lower-cased.
pub(crate) fn login_key(raw: &str) -> String {
    let trimmed = raw.trim();
    trimmed.strip_prefix('@').unwrap_or(trimmed).to_lowercase()
}

/// How the platform answers a username/email + password attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Logged in as this username.
    LoggedIn(String),
    /// Right password, but the platform wants an authenticator code for this username.
    NeedsCode(String),
    /// Right password, but the platform challenges this account (captcha, "confirm it's you").
    NeedsVerification,
    /// Right password, but the account is blocked: the app shows why instead of logging in.
    Blocked(Block),
    /// Not logged in, for this reason (each app words it its own way).
    Refused(Refusal),
}

/// Why the platform refuses a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The account exists; the password is wrong.
    WrongPassword,
    /// No account has that username or email.
    UnknownUser,
    /// Too many failed attempts (or a rate-limited account): refused without checking.
    TooManyAttempts,
}

/// Why the platform blocks an account whose password is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    /// Suspended (for a while, or until an appeal).
    Suspended,
    /// Banned or disabled for good.
    Banned,
}

/// What one app asks beyond the password.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoginRules {
    /// The platform whose accounts the app logs in to.
    pub platform: Platform,
    /// Asks accounts with an authenticator key for a code (Instagram).
    pub second_factor: bool,
}

impl LoginRules {
    /// Judges an attempt, counting failures in `attempts`.
    pub fn attempt(
        &self,
        ctx: &AppContext<'_>,
        attempts: &mut Attempts,
        login: &str,
        password: &str,
    ) -> Verdict {
        let key = login_key(login);
        let found = ctx.find_account(self.platform, login);
        if attempts.exhausted(&key) || found.is_some_and(|a| a.rate_limited) {
            return Verdict::Refused(Refusal::TooManyAttempts);
        }
        let Some(account) = found else {
            attempts.fail(&key);
            return Verdict::Refused(Refusal::UnknownUser);
        };
        if account.password.expose() != password {
            attempts.fail(&key);
            return Verdict::Refused(Refusal::WrongPassword);
        }
        attempts.clear(&key);
        if account.banned {
            Verdict::Blocked(Block::Banned)
        } else if account.suspended {
            Verdict::Blocked(Block::Suspended)
        } else if account.challenge {
            Verdict::NeedsVerification
        } else if self.second_factor && account.totp_secret.is_some() {
            Verdict::NeedsCode(account.username.clone())
        } else {
            Verdict::LoggedIn(account.username.clone())
        }
    }

    /// How the platform blocks `username`'s session, if it does: the app then
    /// opens on the suspended or banned screen instead of the feed.
    pub fn session_block(&self, ctx: &AppContext<'_>, username: &str) -> Option<Block> {
        let account = self.account(ctx, username)?;
        if account.banned {
            Some(Block::Banned)
        } else if account.suspended {
            Some(Block::Suspended)
        } else {
            None
        }
    }

    /// Gives every account `sessions` holds the platform's spelling of its username.
    pub fn canonicalize(&self, ctx: &AppContext<'_>, sessions: &mut Sessions) {
        sessions.canonicalize(|name| self.account(ctx, name).map(|a| a.username.clone()));
    }

    /// The account of this platform with exactly this username (any case).
    pub fn account<'a>(&self, ctx: &AppContext<'a>, username: &str) -> Option<&'a PlatformAccount> {
        let key = login_key(username);
        ctx.accounts()
            .iter()
            .find(|a| a.platform == self.platform && login_key(&a.username) == key)
    }
}

/// True when `code` is the account's authenticator code at `unix` or one 30 s
/// step either side; false for a wrong, stale or malformed code, or an account
/// without a usable key.
pub(crate) fn code_matches(account: &PlatformAccount, code: &str, unix: u64) -> bool {
    let Some(secret) = &account.totp_secret else {
        return false;
    };
    let Ok(secret) = TotpSecret::parse(secret.expose()) else {
        return false;
    };
    let code = code.trim();
    [unix.saturating_sub(30), unix, unix.saturating_add(30)]
        .iter()
        .any(|&at| secret.code_at(at) == code)
}

/// Failed attempts per login identifier on one app install; at the limit every
/// further attempt with that identifier is refused as "too many attempts".
#[derive(Debug, Clone)]
pub(crate) struct Attempts {
    limit: u32,
    failures: HashMap<String, u32>,
}

impl Attempts {
    /// Counters refusing after `limit` failures.
    pub fn new(limit: u32) -> Self {
        Attempts {
            limit,
            failures: HashMap::new(),
        }
    }

    fn exhausted(&self, key: &str) -> bool {
        self.failures.get(key).copied().unwrap_or(0) >= self.limit
    }

    fn fail(&mut self, key: &str) {
        *self.failures.entry(key.to_string()).or_default() += 1;
    }

    fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

/// The accounts an app install holds (logged in, in the order they were added)
/// and which one is active.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sessions {
    usernames: Vec<String>,
    active: Option<usize>,
}

impl Sessions {
    /// Sessions for these usernames, the first one active.
    pub fn new(usernames: &[String]) -> Self {
        let mut sessions = Sessions::default();
        for name in usernames {
            sessions.log_in(name.trim().trim_start_matches('@'));
        }
        sessions.active = (!sessions.usernames.is_empty()).then_some(0);
        sessions
    }

    /// Adds (or re-activates) an account and makes it the active one.
    pub fn log_in(&mut self, username: &str) {
        let key = login_key(username);
        let index = match self.usernames.iter().position(|u| login_key(u) == key) {
            Some(i) => i,
            None => {
                self.usernames.push(username.to_string());
                self.usernames.len() - 1
            }
        };
        self.active = Some(index);
    }

    /// Rewrites every held username as `spelling` gives it (the platform's own
    /// spelling of a handle a scenario wrote as `@Alice`); unknown names stay.
    pub fn canonicalize(&mut self, spelling: impl Fn(&str) -> Option<String>) {
        for name in &mut self.usernames {
            if let Some(canonical) = spelling(name) {
                *name = canonical;
            }
        }
    }

    /// The active account's username, if any.
    pub fn active(&self) -> Option<&str> {
        self.active.map(|i| self.usernames[i].as_str())
    }

    /// Every username held, in the order added.
    pub fn all(&self) -> &[String] {
        &self.usernames
    }

    /// Makes the held account at `index` active; false if there is none.
    pub fn switch_to(&mut self, index: usize) -> bool {
        let held = index < self.usernames.len();
        if held {
            self.active = Some(index);
        }
        held
    }

    /// Logs the active account out; the first remaining account (if any) becomes active.
    pub fn log_out_active(&mut self) {
        if let Some(active) = self.active.take() {
            self.usernames.remove(active);
        }
        self.active = (!self.usernames.is_empty()).then_some(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_keep_order_switch_and_log_out() {
        let mut s = Sessions::new(&["@Alice".into(), "bob".into(), "alice".into()]);
        assert_eq!(s.all(), ["Alice", "bob"]);
        assert_eq!(s.active(), Some("Alice"));
        assert!(s.switch_to(1));
        assert!(!s.switch_to(2));
        s.log_in("carol");
        assert_eq!(s.active(), Some("carol"));
        s.log_in("BOB");
        assert_eq!(s.active(), Some("bob"));
        s.log_out_active();
        assert_eq!(s.all(), ["Alice", "carol"]);
        assert_eq!(s.active(), Some("Alice"));
        s.log_out_active();
        s.log_out_active();
        assert_eq!(s.active(), None);
        s.log_out_active();
        assert!(s.all().is_empty());
    }
}
