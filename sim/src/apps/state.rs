//! What both simulated apps keep per install (the accounts, the screen and
//! what lies over it, the login form) and the moves they make alike: launching,
//! stopping, logging in, switching accounts, adding one, logging out, opening
//! a profile link, swiping the feed.

use crate::app::AppContext;
use crate::scenario::AppSpec;

use super::accounts::{login_key, Attempts, Block, LoginRules, Sessions, Verdict};
use super::attempt_limit;
use super::form::Form;
use super::view::Painter;

/// The screens the shared moves lead to, by role; each app has its own names for them.
pub(crate) trait Screens: Copy + PartialEq {
    /// Where an install with no account logged in starts, and where "Add account" leads.
    const SIGNED_OUT: Self;
    /// The home feed (never idle).
    const FEED: Self;
    /// The active account's own profile.
    const PROFILE: Self;
    /// The screen that says an account is suspended or banned.
    fn blocked(block: Block) -> Self;
}

/// One app install's state. `S` and `O` are the app's screens and overlays
/// (sheets, dialogs); `L` is what its login flow keeps beyond the typed
/// fields (an error line, a pending code), forgotten with them.
#[derive(Debug, Clone)]
pub(crate) struct AppState<S, O, L> {
    /// The package of this install (the official one or a clone's).
    pub package: String,
    /// Whose accounts the app logs in to, and what it asks of them.
    pub rules: LoginRules,
    /// The accounts logged in, and which one is active.
    pub sessions: Sessions,
    /// Failed login attempts per identifier.
    pub attempts: Attempts,
    /// The screen shown.
    pub screen: S,
    /// A sheet or dialog shown over the screen.
    pub overlay: Option<O>,
    /// The login form being filled in.
    pub form: Form,
    /// The rest of the login flow's state, reset with the form.
    pub login_flow: L,
    /// How many videos or posts the feed has been swiped on by.
    pub feed_position: usize,
    /// True while the login screens were reached by "Add account", so that
    /// back returns to the profile.
    pub adding_account: bool,
    /// Someone's profile opened by a link, shown over everything.
    pub visiting: Option<String>,
    /// True while the app shows the suspended or banned screen of its active
    /// account's session (not of a login attempt): back then leaves the app,
    /// and every launch shows the screen again.
    pub session_blocked: bool,
}

impl<S: Screens, O, L: Default> AppState<S, O, L> {
    /// The state of an install as `spec` makes it: its package, the accounts
    /// logged in (the first one active), the signed-out screen until launched.
    /// `rules` are the app's.
    pub fn new(spec: &AppSpec, rules: LoginRules) -> Self {
        AppState {
            package: spec.package().to_string(),
            rules,
            sessions: Sessions::new(&spec.logged_in),
            attempts: Attempts::new(attempt_limit(spec)),
            screen: S::SIGNED_OUT,
            overlay: None,
            form: Form::default(),
            login_flow: L::default(),
            feed_position: 0,
            adding_account: false,
            visiting: None,
            session_blocked: false,
        }
    }

    /// Makes the widgets of this install.
    pub fn painter(&self) -> Painter<'_> {
        Painter {
            package: &self.package,
        }
    }

    /// The feed when an account is active, else the signed-out screen.
    pub fn home_screen(&self) -> S {
        if self.sessions.active().is_some() {
            S::FEED
        } else {
            S::SIGNED_OUT
        }
    }

    /// Leaves the login flow for `to`: the typed fields (the password too) and
    /// the rest of the flow's state are forgotten.
    pub fn leave_login(&mut self, to: S) {
        self.form.clear();
        self.login_flow = L::default();
        self.screen = to;
    }

    /// The platform's answer to the typed login and password (a failure counts
    /// against the identifier).
    pub fn attempt_login(&mut self, ctx: &AppContext<'_>) -> Verdict {
        self.rules.attempt(
            ctx,
            &mut self.attempts,
            &self.form.login,
            &self.form.password,
        )
    }

    /// Logs `username` in (a new account, or one held already, becomes the
    /// active one) and leaves the login flow for `to`.
    pub fn log_in(&mut self, username: &str, to: S) {
        self.sessions.log_in(username);
        self.adding_account = false;
        self.leave_login(to);
    }

    /// Brought to the front: held usernames take the platform's spelling; a
    /// cold start drops whatever was open and starts from the home screen.
    /// When the platform has suspended or banned the active account, the app
    /// opens on that screen, cold or not (as the real apps do once the
    /// session is refused).
    pub fn launch(&mut self, ctx: &AppContext<'_>, cold: bool) {
        self.rules.canonicalize(ctx, &mut self.sessions);
        let block = self
            .sessions
            .active()
            .and_then(|active| self.rules.session_block(ctx, active));
        self.session_blocked = block.is_some();
        if let Some(block) = block {
            self.visiting = None;
            self.overlay = None;
            self.adding_account = false;
            self.leave_login(S::blocked(block));
        } else if cold {
            self.visiting = None;
            self.overlay = None;
            self.adding_account = false;
            let home = self.home_screen();
            self.leave_login(home);
        }
    }

    /// Force-stopped: everything on screen is lost, the sessions stay.
    pub fn stop(&mut self) {
        self.visiting = None;
        self.overlay = None;
        self.leave_login(S::SIGNED_OUT);
    }

    /// Shows `screen`, closing any overlay.
    pub fn show(&mut self, screen: S) {
        self.overlay = None;
        self.screen = screen;
    }

    /// Makes the held account at `index` active and shows its profile.
    pub fn switch_to(&mut self, index: usize) {
        self.sessions.switch_to(index);
        self.show(S::PROFILE);
    }

    /// Starts logging in one more account ("Add account").
    pub fn add_account(&mut self) {
        self.overlay = None;
        self.adding_account = true;
        self.leave_login(S::SIGNED_OUT);
    }

    /// Logs the active account out; the next held one (if any) takes over.
    pub fn log_out(&mut self) {
        self.sessions.log_out_active();
        self.overlay = None;
        self.adding_account = false;
        let home = self.home_screen();
        self.leave_login(home);
    }

    /// Closes a profile opened by a link, else the overlay; false when
    /// neither was open (back then moves between screens).
    pub fn close_top(&mut self) -> bool {
        self.visiting.take().is_some() || self.overlay.take().is_some()
    }

    /// A swipe from `from` to `to`: upwards on the bare feed, the next video or post.
    pub fn swipe(&mut self, from: (i32, i32), to: (i32, i32)) {
        if self.screen == S::FEED && self.overlay.is_none() && to.1 < from.1 {
            self.feed_position += 1;
        }
    }

    /// A link to `username`'s profile: the own profile for the active
    /// account, anyone else's shown over everything.
    pub fn open_profile(&mut self, username: &str) {
        self.overlay = None;
        let own = self
            .sessions
            .active()
            .is_some_and(|a| login_key(a) == login_key(username));
        if own {
            self.visiting = None;
            self.leave_login(S::PROFILE);
        } else {
            self.visiting = Some(username.to_string());
        }
    }

    /// False while the bare feed plays (`uiautomator dump` then fails).
    pub fn is_idle(&self) -> bool {
        self.visiting.is_some() || !(self.screen == S::FEED && self.overlay.is_none())
    }
}
