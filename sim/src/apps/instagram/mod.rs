//! The simulated Instagram (`com.instagram.android`, or a clone package).
//!
//! Screens: the login form (no resource ids, as the current app: `EditText`s
//! described "Username, email or mobile number" and "Password", a `Button`
//! described "Log in"), error dialogs ("Incorrect password", "Can't find
//! account", "Please wait a few minutes before you try again."), the
//! authenticator-code screen for accounts with a TOTP key (accepts the code of
//! the phone's clock ±1 step), the "Confirm it's you" checkpoint for accounts
//! marked `challenge`, "Save your login info?", the home feed (never idle),
//! the profile, the switcher sheet with "Add account", "Settings and activity"
//! with "Log out", and the logout confirmation. Ids and the English texts the
//! packs look for come from the app facts catalogue for the simulated version
//! ([`AppSpec::version`]): before 400 the profile counters are
//! `row_profile_header_textview_{post,followers,following}_count`, from 400
//! `profile_header_familiar_{post_count,followers,following}_value`. Clones
//! keep the ids (an app cloner renames the package, not the resources).
//!
//! How a script gets around (English UI):
//! - log in: tap the "Username, email or mobile number" field, type; tap the
//!   password field, type; tap "Log in" (disabled until both are filled).
//!   Errors are modal dialogs (`igds_alert_dialog_headline`, dismissed by
//!   `igds_alert_dialog_primary_button` or BACK). 2FA: "Go to your
//!   authentication app" with one `EditText` (hint "Code") and `Button`
//!   "Confirm"; a refused code shows "Please check the security code and try
//!   again.". After login comes "Save your login info?" ("Save" / "Not now").
//! - the feed cannot be dumped: tap `profile_tab` blind at (972, 2316), or open
//!   `instagram://user?username=NAME` / `https://www.instagram.com/NAME/`.
//! - switch: `action_bar_title_chevron` (or the title) → sheet
//!   `bottom_sheet_container_view` with the account rows in `android:id/list`
//!   (the active one `selected`, its `RadioButton` checked) and a clickable
//!   row described "Add account".
//! - log out: desc "Options" → "Settings and activity" (`action_bar_title`) →
//!   "Log out" → `igds_alert_dialog_primary_button` "Log out".

mod ids;
mod strings;

use crate::app::{AppContext, SimApp};
use crate::scenario::{AppSpec, PlatformAccount};
use crate::ui::Rect;
use farmhand::account::Platform;

use super::accounts::{code_matches, Block, LoginRules, Refusal, Verdict};
use super::act;
use super::counts::{abbreviate, CountStyle};
use super::form::Field;
use super::permission;
use super::profile::post_grid;
use super::social::{without_web_scheme, SocialApp, StateOf};
use super::state::{AppState, Screens};
use super::switcher::{SwitcherLayout, ROW};
use super::view::{class, Painter, Widget};
use super::{flag_option, Language};
use ids::Ids;
use strings::{strings, Strings};

const RULES: LoginRules = LoginRules {
    platform: Platform::Instagram,
    second_factor: true,
};

/// Authors of the posts the simulated feed shows.
const AUTHORS: [&str; 3] = ["natgeo", "sim.bakery", "city.lights"];

/// The full resource id of a real Instagram view name.
fn rid(name: &str) -> String {
    format!("com.instagram.android:id/{name}")
}

/// Instagram's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Screen {
    /// The login form.
    Login,
    /// "Go to your authentication app".
    Code,
    /// "Confirm it's you".
    Challenge,
    /// "Save your login info?"
    SaveLogin,
    /// "Turn on Notifications" (app option `notifications_prompt`).
    Notifications,
    /// The system's permission dialog (app option `permission_prompt`).
    Permission,
    /// The account is suspended or banned: the app says so instead of logging in.
    Blocked(Block),
    /// The home feed.
    Feed,
    /// The active account's profile.
    Profile,
    /// "Settings and activity".
    Settings,
}

impl Screens for Screen {
    const SIGNED_OUT: Screen = Screen::Login;
    const FEED: Screen = Screen::Feed;
    const PROFILE: Screen = Screen::Profile;

    fn blocked(block: Block) -> Screen {
        Screen::Blocked(block)
    }
}

/// What Instagram shows over a screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overlay {
    /// The account switcher sheet.
    Switcher,
    /// "Log out of your account?"
    LogoutConfirm,
    /// The dialog of a refused login.
    Error(Refusal),
}

/// The taps only Instagram has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Own {
    /// "Continue" on the authenticator-code screen.
    SubmitCode,
    /// "Not Now" on an offered update.
    DeclineUpdate,
}

/// What a tap on a control does.
type Act = act::Act<Screen, Overlay, Own>;

/// The simulated Instagram app on one phone.
#[derive(Debug, Clone)]
pub struct Instagram {
    /// Screens and accounts; the login flow keeps the authenticator-code step.
    state: StateOf<Instagram>,
    /// The resource ids of the simulated version.
    ids: Ids,
    /// App option `update_required`: every screen is "Update Instagram".
    update_required: bool,
    /// App option `notifications_prompt`: "Turn on Notifications" after login.
    notifications_prompt: bool,
    /// App option `permission_prompt`: the permission dialog after login.
    permission_prompt: bool,
    /// App option `update_offer`: "Update Instagram" with "Not Now" over the
    /// login form, until declined.
    update_offered: bool,
}

/// The authenticator-code step of a login.
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeStep {
    /// The account that passed its password and owes an authenticator code.
    pending: Option<String>,
    /// True once a wrong code was entered.
    rejected: bool,
}

impl Instagram {
    /// Instagram as `spec` installs it: package and the accounts logged in (the first one active).
    pub fn new(spec: &AppSpec) -> Self {
        Instagram {
            state: AppState::new(spec, RULES),
            ids: Ids::for_version(spec.version),
            update_required: flag_option(spec, "update_required"),
            notifications_prompt: flag_option(spec, "notifications_prompt"),
            permission_prompt: flag_option(spec, "permission_prompt"),
            update_offered: flag_option(spec, "update_offer"),
        }
    }

    /// Boxed, as the [`AppCatalog`](crate::AppCatalog) wants constructors.
    pub fn boxed(spec: &AppSpec) -> Box<dyn SimApp> {
        Box::new(Instagram::new(spec))
    }

    fn back_icon(&self, p: Painter<'_>, s: &Strings) -> Widget<Act> {
        p.icon(Rect::new(24, 96, 144, 216), s.back, Act::Back)
            .id(&rid("action_bar_button_back"))
    }

    fn login(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let mut out = Vec::new();
        if self.state.adding_account {
            out.push(self.back_icon(p, s));
        }
        let form = &self.state.form;
        out.extend([
            p.view(class::IMAGE, Rect::new(340, 500, 740, 680))
                .desc(s.logo),
            form.edit(p, Rect::new(60, 800, 1020, 940), Field::Login, s.login_hint)
                .desc(s.login_hint),
            form.edit(
                p,
                Rect::new(60, 980, 1020, 1120),
                Field::Password,
                s.password_hint,
            )
            .desc(s.password_hint),
            p.button(Rect::new(60, 1180, 1020, 1320), s.log_in, Act::LogIn)
                .desc(s.log_in)
                .enabled(form.filled_in()),
            p.text(Rect::new(60, 1360, 1020, 1440), s.forgot_password)
                .on_tap(Act::Nothing),
            p.button(
                Rect::new(60, 2180, 1020, 2300),
                s.create_account,
                Act::Nothing,
            ),
        ]);
        out
    }

    fn error_dialog(&self, p: Painter<'_>, s: &Strings, refusal: Refusal) -> Vec<Widget<Act>> {
        let (title, body, button) = match refusal {
            Refusal::WrongPassword => (s.wrong_password_title, s.wrong_password_body, s.try_again),
            Refusal::UnknownUser => (s.unknown_user_title, s.unknown_user_body, s.try_again),
            Refusal::TooManyAttempts => (s.too_many_title, s.too_many_body, s.ok),
        };
        vec![
            p.backdrop(Act::Nothing),
            p.view(class::LINEAR, Rect::new(90, 900, 990, 1500))
                .id(&self.ids.dialog[0])
                .children([
                    p.text(Rect::new(130, 940, 950, 1040), title)
                        .id(&self.ids.dialog[1]),
                    p.text(Rect::new(130, 1060, 950, 1260), body)
                        .id(&self.ids.dialog[2]),
                    p.button(Rect::new(130, 1300, 950, 1440), button, Act::Dismiss)
                        .id(&self.ids.dialog[3]),
                ]),
        ]
    }

    fn code(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let form = &self.state.form;
        let mut out = vec![
            self.back_icon(p, s),
            p.text(Rect::new(60, 300, 1020, 420), s.code_title),
            p.text(Rect::new(60, 440, 1020, 620), s.code_body),
            form.edit(p, Rect::new(60, 700, 1020, 840), Field::Code, s.code_hint),
        ];
        if self.state.login_flow.rejected {
            out.push(p.text(Rect::new(60, 860, 1020, 940), s.code_error));
        }
        out.extend([
            p.button(
                Rect::new(60, 980, 1020, 1120),
                s.confirm,
                Act::Own(Own::SubmitCode),
            )
            .enabled(!form.code.is_empty()),
            p.text(Rect::new(60, 1160, 1020, 1240), s.try_another_way)
                .on_tap(Act::Nothing),
        ]);
        out
    }

    /// The checkpoint shown to accounts the scenario marks `challenge`: nothing on it
    /// lets automation through; back returns to the login form.
    fn challenge(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            self.back_icon(p, s),
            p.text(Rect::new(60, 300, 1020, 420), s.challenge_title),
            p.text(Rect::new(60, 440, 1020, 620), s.challenge_body),
            p.button(Rect::new(60, 980, 1020, 1120), s.continue_, Act::Nothing),
        ]
    }

    /// Where "Not now" on "Save your login info?" leads.
    fn after_save_login(&self) -> Screen {
        if self.notifications_prompt {
            Screen::Notifications
        } else {
            self.after_notifications()
        }
    }

    /// Where the notifications prompt leads.
    fn after_notifications(&self) -> Screen {
        if self.permission_prompt {
            Screen::Permission
        } else {
            Screen::Feed
        }
    }

    fn notifications(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.text(Rect::new(60, 500, 1020, 620), s.notifications_title),
            p.button(
                Rect::new(60, 1000, 1020, 1140),
                s.turn_on,
                Act::Show(self.after_notifications()),
            ),
            p.button(
                Rect::new(60, 1180, 1020, 1320),
                s.not_now_old,
                Act::Show(self.after_notifications()),
            ),
        ]
    }

    /// The account is suspended or banned: what the app shows in place of the feed.
    fn blocked(&self, p: Painter<'_>, s: &Strings, block: Block) -> Vec<Widget<Act>> {
        let (title, body) = match block {
            Block::Suspended => (s.suspended_title, s.suspended_body),
            Block::Banned => (s.banned_title, s.banned_body),
        };
        vec![
            self.back_icon(p, s),
            p.text(Rect::new(60, 300, 1020, 420), title),
            p.text(Rect::new(60, 440, 1020, 620), body),
        ]
    }

    /// "Update Instagram": an install too old to be used; nothing but updating helps.
    fn update(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.text(Rect::new(60, 500, 1020, 620), s.update_title),
            p.text(Rect::new(60, 640, 1020, 800), s.update_body),
            p.button(Rect::new(60, 1000, 1020, 1140), s.update, Act::Nothing),
        ]
    }

    /// An update offered over the login form: "Not Now" declines it.
    fn update_offer(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.backdrop(Act::Nothing),
            p.view(class::LINEAR, Rect::new(90, 900, 990, 1600))
                .children([
                    p.text(Rect::new(130, 940, 950, 1040), s.update_title),
                    p.text(Rect::new(130, 1060, 950, 1260), s.update_body),
                    p.button(Rect::new(130, 1280, 950, 1420), s.update, Act::Nothing),
                    p.button(
                        Rect::new(130, 1440, 950, 1580),
                        s.not_now_old,
                        Act::Own(Own::DeclineUpdate),
                    ),
                ]),
        ]
    }

    fn save_login(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.text(Rect::new(60, 500, 1020, 620), s.save_title)
                .desc(s.save_title),
            p.button(
                Rect::new(60, 1000, 1020, 1140),
                s.save,
                Act::Show(self.after_save_login()),
            )
            .desc(s.save),
            p.button(
                Rect::new(60, 1180, 1020, 1320),
                s.not_now,
                Act::Show(self.after_save_login()),
            )
            .desc(s.not_now),
        ]
    }

    fn tab_bar(&self, p: Painter<'_>, s: &Strings) -> Widget<Act> {
        let tabs = [
            (
                "feed_tab",
                s.home,
                Act::Show(Screen::Feed),
                self.state.screen == Screen::Feed,
            ),
            ("search_tab", s.search, Act::Nothing, false),
            ("creation_tab", s.create, Act::Nothing, false),
            ("clips_tab", s.reels, Act::Nothing, false),
            (
                "profile_tab",
                s.profile,
                Act::Show(Screen::Profile),
                self.state.screen == Screen::Profile,
            ),
        ];
        let mut bar = p
            .view(class::LINEAR, Rect::new(0, 2232, 1080, 2400))
            .id(&self.ids.tab_bar);
        for (i, (name, desc, act, selected)) in tabs.into_iter().enumerate() {
            let left = 216 * i as i32;
            let mut tab = p
                .view(class::FRAME, Rect::new(left, 2232, left + 216, 2400))
                .id(&rid(name))
                .desc(desc)
                .on_tap(act)
                .selected(selected);
            if name == "profile_tab" {
                tab = tab.child(
                    p.view(class::IMAGE, Rect::new(left + 68, 2276, left + 148, 2356))
                        .id(&rid("tab_avatar")),
                );
            }
            bar = bar.child(tab);
        }
        bar
    }

    fn feed(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let author = AUTHORS[self.state.feed_position % AUTHORS.len()];
        vec![
            p.view(class::FRAME, Rect::new(0, 84, 1080, 240))
                .id(&rid("action_bar_container"))
                .child(
                    p.view(class::IMAGE, Rect::new(40, 110, 400, 214))
                        .desc(s.logo),
                ),
            p.view(class::RECYCLER, Rect::new(0, 240, 1080, 2232))
                .id("android:id/list")
                .scrollable()
                .child(
                    p.view(class::LINEAR, Rect::new(0, 240, 1080, 1700))
                        .children([
                            p.text(Rect::new(150, 260, 700, 340), author)
                                .id(&rid("row_feed_photo_profile_name"))
                                .on_tap(Act::Nothing),
                            p.view(class::FRAME, Rect::new(0, 360, 1080, 1440))
                                .id(&rid("media_group")),
                            p.icon(Rect::new(30, 1460, 130, 1560), s.like, Act::Nothing)
                                .id(&rid("row_feed_button_like")),
                            p.icon(Rect::new(150, 1460, 250, 1560), s.comment, Act::Nothing)
                                .id(&rid("row_feed_button_comment")),
                        ]),
                ),
            self.tab_bar(p, s),
        ]
    }

    /// Avatar, counters, full name, grid: shared by the own profile and a profile opened by a link.
    fn profile_header(
        &self,
        ctx: &AppContext<'_>,
        p: Painter<'_>,
        s: &Strings,
        username: &str,
    ) -> Vec<Widget<Act>> {
        let language = Language::from_setting(ctx.language());
        let account = RULES.account(ctx, username);
        let full_name = account
            .and_then(|a| a.nickname.as_deref())
            .unwrap_or(username);
        let count = |n: fn(&PlatformAccount) -> u64| {
            abbreviate(account.map_or(0, n), CountStyle::Instagram, language)
        };
        let counters = [
            (s.posts, count(|a| a.posts)),
            (s.followers, count(|a| a.followers)),
            (s.following, count(|a| a.following)),
        ];
        let mut out = vec![p
            .view(class::IMAGE, Rect::new(40, 260, 300, 520))
            .id(&self.ids.picture)
            .desc(s.profile_picture)];
        for (i, ((label, value), (value_id, container))) in
            counters.into_iter().zip(&self.ids.counters).enumerate()
        {
            let left = 340 + 240 * i as i32;
            out.push(
                p.view(class::LINEAR, Rect::new(left, 300, left + 220, 480))
                    .id(container)
                    .on_tap(Act::Nothing)
                    .children([
                        p.text(Rect::new(left, 300, left + 220, 390), &value)
                            .id(value_id),
                        p.text(Rect::new(left, 400, left + 220, 470), label),
                    ]),
            );
        }
        out.extend([
            p.text(Rect::new(40, 540, 1040, 600), full_name)
                .id(&self.ids.nickname),
            p.view(class::LINEAR, Rect::new(0, 780, 1080, 900))
                .id(&rid("profile_tab_layout"))
                .children([
                    p.icon(Rect::new(0, 780, 360, 900), s.grid_view, Act::Nothing)
                        .selected(true),
                    p.icon(Rect::new(360, 780, 720, 900), s.reels, Act::Nothing),
                    p.icon(
                        Rect::new(720, 780, 1080, 900),
                        s.photos_of_you,
                        Act::Nothing,
                    ),
                ]),
            post_grid(p, 900, 360, account.map_or(0, |a| a.posts), Act::Nothing),
        ]);
        out
    }

    fn profile(&self, ctx: &AppContext<'_>, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let username = self.state.sessions.active().unwrap_or_default();
        let mut out = vec![p
            .view(class::FRAME, Rect::new(0, 84, 1080, 240))
            .id(&rid("action_bar_container"))
            .children([
                p.view(class::LINEAR, Rect::new(40, 100, 700, 220))
                    .id(&rid("action_bar_username_container"))
                    .on_tap(Act::Open(Overlay::Switcher))
                    .children([
                        p.text(Rect::new(60, 110, 560, 210), username)
                            .id(&self.ids.handle),
                        p.view(class::IMAGE, Rect::new(570, 135, 620, 185))
                            .id(&self.ids.switch)
                            .on_tap(Act::Open(Overlay::Switcher)),
                    ]),
                p.icon(
                    Rect::new(936, 110, 1056, 214),
                    s.options,
                    Act::Show(Screen::Settings),
                ),
            ])];
        out.extend(self.profile_header(ctx, p, s, username));
        out.extend([
            p.button(Rect::new(40, 640, 530, 740), s.edit_profile, Act::Nothing),
            p.button(
                Rect::new(550, 640, 1040, 740),
                s.share_profile,
                Act::Nothing,
            ),
            self.tab_bar(p, s),
        ]);
        out
    }

    /// Someone's profile opened by a link: back, their username, Follow / Message, no tab bar.
    fn visited_profile(
        &self,
        ctx: &AppContext<'_>,
        p: Painter<'_>,
        s: &Strings,
        username: &str,
    ) -> Vec<Widget<Act>> {
        let Some(account) = RULES.account(ctx, username) else {
            return vec![
                self.back_icon(p, s),
                p.text(Rect::new(60, 900, 1020, 1000), s.not_found),
            ];
        };
        let mut out = vec![p
            .view(class::FRAME, Rect::new(0, 84, 1080, 240))
            .id(&rid("action_bar_container"))
            .children([
                self.back_icon(p, s),
                p.text(Rect::new(180, 110, 880, 210), &account.username)
                    .id(&self.ids.handle),
            ])];
        out.extend(self.profile_header(ctx, p, s, &account.username));
        out.extend([
            p.button(Rect::new(40, 640, 530, 740), s.follow, Act::Nothing)
                .id(&rid("profile_header_follow_button")),
            p.button(Rect::new(550, 640, 1040, 740), s.message, Act::Nothing)
                .id(&rid("profile_header_message_button")),
        ]);
        out
    }

    fn settings(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let rows = [
            (s.accounts_center, Act::Nothing),
            (s.saved, Act::Nothing),
            (s.add_account, Act::AddAccount),
            (s.log_out, Act::Open(Overlay::LogoutConfirm)),
        ];
        let mut out = vec![
            self.back_icon(p, s),
            p.text(Rect::new(200, 96, 880, 216), s.settings_title)
                .id(&rid("action_bar_title")),
        ];
        out.extend(p.settings_rows(rows));
        out
    }

    fn switcher(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let layout = SwitcherLayout::new(&self.state.sessions, 60);
        let top = layout.top;
        let mut list = p
            .view(class::LIST, Rect::new(0, top + 60, 1080, 2360))
            .id(&self.ids.list);
        for account in &layout.rows {
            let y = account.top;
            list = list.child(
                account.frame(p).id(&self.ids.row).children([
                    p.text(Rect::new(200, y + 45, 900, y + 105), account.username)
                        .id(&self.ids.account),
                    p.view(class::RADIO, Rect::new(960, y + 45, 1020, y + 105))
                        .checked(account.active),
                ]),
            );
        }
        if let Some(y) = layout.add_account {
            list = list.child(
                p.view(class::LINEAR, Rect::new(0, y, 1080, y + ROW))
                    .desc(s.add_account)
                    .on_tap(Act::AddAccount)
                    .child(p.text(Rect::new(200, y + 45, 900, y + 105), s.add_account)),
            );
        }
        vec![
            p.backdrop(Act::Dismiss),
            p.view(class::FRAME, Rect::new(0, top, 1080, 2400))
                .id(&self.ids.sheet)
                .on_tap(Act::Nothing)
                .child(list),
        ]
    }

    fn logout_confirm(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.backdrop(Act::Nothing),
            p.view(class::LINEAR, Rect::new(90, 900, 990, 1600))
                .id(&self.ids.dialog[0])
                .children([
                    p.text(Rect::new(130, 940, 950, 1040), s.log_out_title)
                        .id(&self.ids.dialog[1]),
                    p.button(Rect::new(130, 1280, 950, 1420), s.log_out, Act::LogOut)
                        .id(&self.ids.dialog[3]),
                    p.button(Rect::new(130, 1440, 950, 1580), s.cancel, Act::Dismiss)
                        .id(&rid("igds_alert_dialog_secondary_button")),
                ]),
        ]
    }
}

impl SocialApp for Instagram {
    type Screen = Screen;
    type Overlay = Overlay;
    type LoginFlow = CodeStep;
    type Own = Own;

    const LABEL: &'static str = "Instagram";

    fn activity_name(&self) -> &'static str {
        match self.state.screen {
            Screen::Login | Screen::Code | Screen::Challenge | Screen::Blocked(_) => {
                "com.instagram.nux.activity.SignedOutFragmentActivity"
            }
            _ => "com.instagram.mainactivity.MainActivity",
        }
    }

    fn views(&self, ctx: &AppContext<'_>, p: Painter<'_>) -> Vec<Widget<Act>> {
        let s = strings(Language::from_setting(ctx.language()));
        if self.update_required {
            return self.update(p, s);
        }
        let mut views = match self.state.screen {
            Screen::Login => self.login(p, s),
            Screen::Code => self.code(p, s),
            Screen::Challenge => self.challenge(p, s),
            Screen::SaveLogin => self.save_login(p, s),
            Screen::Notifications => self.notifications(p, s),
            Screen::Permission => permission::dialog(
                s.location_question,
                s.allow,
                s.deny,
                Act::Show(Screen::Feed),
            ),
            Screen::Blocked(block) => self.blocked(p, s, block),
            Screen::Feed => self.feed(p, s),
            Screen::Profile => self.profile(ctx, p, s),
            Screen::Settings => self.settings(p, s),
        };
        if self.update_offered && self.state.screen == Screen::Login {
            views.extend(self.update_offer(p, s));
        }
        if let Some(overlay) = self.state.overlay {
            views.extend(match overlay {
                Overlay::Switcher => self.switcher(p, s),
                Overlay::LogoutConfirm => self.logout_confirm(p, s),
                Overlay::Error(refusal) => self.error_dialog(p, s, refusal),
            });
        }
        views
    }

    fn back_screen(&mut self) -> bool {
        match self.state.screen {
            Screen::Login if self.state.adding_account => {
                self.state.adding_account = false;
                self.state.leave_login(Screen::Profile);
            }
            Screen::Login | Screen::Feed => return false,
            // The screen of a refused session stays until the app is left.
            Screen::Blocked(_) if self.state.session_blocked => return false,
            Screen::Challenge | Screen::Blocked(_) => self.state.screen = Screen::Login,
            Screen::Code => {
                self.state.login_flow.pending = None;
                self.state.form.code.clear();
                self.state.screen = Screen::Login;
            }
            Screen::SaveLogin | Screen::Notifications | Screen::Permission | Screen::Profile => {
                self.state.screen = Screen::Feed
            }
            Screen::Settings => self.state.screen = Screen::Profile,
        }
        true
    }

    fn submit(&mut self, ctx: &AppContext<'_>) {
        match self.state.attempt_login(ctx) {
            Verdict::LoggedIn(username) => self.state.log_in(&username, Screen::SaveLogin),
            Verdict::NeedsCode(username) => {
                self.state.form.password.clear();
                self.state.form.focus = None;
                self.state.login_flow = CodeStep {
                    pending: Some(username),
                    rejected: false,
                };
                self.state.screen = Screen::Code;
            }
            Verdict::NeedsVerification => self.state.leave_login(Screen::Challenge),
            Verdict::Blocked(block) => self.state.leave_login(Screen::Blocked(block)),
            Verdict::Refused(refusal) => self.state.overlay = Some(Overlay::Error(refusal)),
        }
    }

    fn submit_code(&mut self, ctx: &AppContext<'_>) {
        let Some(username) = self.state.login_flow.pending.clone() else {
            return;
        };
        let accepted = RULES
            .account(ctx, &username)
            .is_some_and(|a| code_matches(a, &self.state.form.code, ctx.now_unix()));
        if accepted {
            self.state.log_in(&username, Screen::SaveLogin);
        } else {
            self.state.form.code.clear();
            self.state.login_flow.rejected = true;
        }
    }

    fn own_act(&mut self, ctx: &AppContext<'_>, own: Own) {
        match own {
            Own::SubmitCode => self.submit_code(ctx),
            Own::DeclineUpdate => self.update_offered = false,
        }
    }

    /// The login and code screens, with nothing over them.
    fn typing(&self) -> bool {
        matches!(self.state.screen, Screen::Login | Screen::Code)
            && self.state.overlay.is_none()
            && self.state.visiting.is_none()
            && !(self.update_offered && self.state.screen == Screen::Login)
    }

    fn visited(&self, ctx: &AppContext<'_>, p: Painter<'_>, username: &str) -> Vec<Widget<Act>> {
        let s = strings(Language::from_setting(ctx.language()));
        self.visited_profile(ctx, p, s, username)
    }

    /// The username of an Instagram profile link: `instagram://user?username=NAME`
    /// or `https://www.instagram.com/NAME/` (any scheme, optional `www.`, `_u/`);
    /// `None` for other URIs.
    fn profile_link(uri: &str) -> Option<&str> {
        let name = if let Some(query) = uri.strip_prefix("instagram://user?") {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("username="))?
        } else {
            let rest = without_web_scheme(uri);
            let rest = rest.strip_prefix("www.").unwrap_or(rest);
            let path = rest.strip_prefix("instagram.com/")?;
            let path = path.strip_prefix("_u/").unwrap_or(path);
            path.split(['/', '?', '#']).next().unwrap_or("")
        };
        (!name.is_empty()).then_some(name)
    }

    fn state(&self) -> &StateOf<Self> {
        &self.state
    }

    fn state_mut(&mut self) -> &mut StateOf<Self> {
        &mut self.state
    }
}
