//! The simulated TikTok (`com.zhiliaoapp.musically`, or a clone package).
//!
//! Screens: the logged-out landing ("Log in to TikTok", "Use phone / email /
//! username"), the login form with its "Phone" and "Email / Username" tabs,
//! "Enter code" for accounts with an authenticator key (accepts the code of
//! the phone's clock ±1 step; "Continue" submits), the captcha ("Verify to
//! continue:") for accounts marked `challenge`, the
//! "For You" feed (never idle), the profile (nickname title that opens the
//! account switcher, `@username`, Following / Followers / Likes with their
//! values above the labels), the profile menu, "Settings and privacy" with
//! "Switch account" and "Log out", and the logout confirmation.
//!
//! Resource ids are obfuscated and change with [`AppSpec::version`]
//! (a per-version table, see `ids.rs`); texts follow the phone's language.
//!
//! How a script gets around (English UI):
//! - log in: "Use phone / email / username" → tab "Email / Username" → tap the
//!   `EditText` showing "Email or username", type → tap the `EditText` with
//!   `password="true"`, type → `Button` "Log in" (disabled until both are
//!   filled; ENTER in the password field submits too). Errors appear as a
//!   text under the fields: "Incorrect account or password", "Account doesn't
//!   exist", "Maximum number of attempts reached. Try again later.".
//! - the feed cannot be dumped: tap the bottom bar's "Profile" blind at
//!   (972, 2316), or open `https://www.tiktok.com/@NAME` (`am start -a
//!   android.intent.action.VIEW -d URI`), which shows the own profile for the
//!   active account and anyone else's profile (with "Follow") otherwise.
//! - switch: tap the nickname at the top of the profile → sheet "Switch
//!   account" with one row per account (username, nickname; the active one
//!   `selected`, with a "Selected" check) and "Add account".
//! - log out: "Profile menu" → "Settings and privacy" → "Log out" → `Button`
//!   "Log out" in "Are you sure you want to log out?". Another held account
//!   becomes active; with none left the landing shows.

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
use ids::{Control, IdTable};
use strings::{strings, Strings};

const RULES: LoginRules = LoginRules {
    platform: Platform::TikTok,
    second_factor: true,
};

/// Creators whose videos the simulated feed plays.
const CREATORS: [&str; 4] = [
    "dance.daily",
    "cookingwithmia",
    "travel.nomad",
    "petsofttok",
];

/// TikTok's screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Screen {
    /// "Log in to TikTok" with the ways to log in.
    Landing,
    /// The login form with its "Phone" and "Email / Username" tabs.
    Login,
    /// The captcha over the login form.
    Verify,
    /// "Enter code": the authenticator code of an account with 2FA.
    Code,
    /// The account is suspended or banned: the app says so instead of logging in.
    Blocked(Block),
    /// "Follow your friends" after login (app option `follow_friends_prompt`).
    FollowFriends,
    /// The system's permission dialog (app option `permission_prompt`).
    Permission,
    /// "For You".
    Feed,
    /// The active account's profile.
    Profile,
    /// "Settings and privacy".
    Settings,
}

impl Screens for Screen {
    const SIGNED_OUT: Screen = Screen::Landing;
    const FEED: Screen = Screen::Feed;
    const PROFILE: Screen = Screen::Profile;

    fn blocked(block: Block) -> Screen {
        Screen::Blocked(block)
    }
}

/// What TikTok shows over a screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overlay {
    /// The "Switch account" sheet.
    Switcher,
    /// The profile menu sheet.
    Menu,
    /// "Are you sure you want to log out?"
    LogoutConfirm,
}

/// The tabs of the login form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tab {
    /// "Phone".
    Phone,
    /// "Email / Username".
    Email,
}

/// The taps only TikTok has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Own {
    /// "Use phone / email / username" on the landing.
    UsePhoneEmail,
    /// A tab of the login form.
    Tab(Tab),
    /// Closes the captcha.
    CloseVerify,
    /// "Continue" on the code screen.
    SubmitCode,
}

/// Where a login stands: the error under the form, or the code step.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flow {
    /// The error shown under the login form.
    error: Option<Refusal>,
    /// The account that passed its password and owes an authenticator code.
    pending: Option<String>,
    /// True once a wrong code was entered.
    rejected: bool,
}

/// What a tap on a control does.
type Act = act::Act<Screen, Overlay, Own>;

/// The simulated TikTok app on one phone.
#[derive(Debug, Clone)]
pub struct TikTok {
    /// Screens and accounts; the login flow keeps the error shown under the form.
    state: StateOf<TikTok>,
    ids: IdTable,
    tab: Tab,
    /// App option `follow_friends_prompt`.
    follow_friends_prompt: bool,
    /// App option `permission_prompt`.
    permission_prompt: bool,
}

impl TikTok {
    /// TikTok as `spec` installs it: package, version (which decides the ids),
    /// the accounts logged in (the first one active).
    pub fn new(spec: &AppSpec) -> Self {
        TikTok {
            state: AppState::new(spec, RULES),
            ids: IdTable::for_version(spec.version),
            tab: Tab::Phone,
            follow_friends_prompt: flag_option(spec, "follow_friends_prompt"),
            permission_prompt: flag_option(spec, "permission_prompt"),
        }
    }

    /// Boxed, as the [`AppCatalog`](crate::AppCatalog) wants constructors.
    pub fn boxed(spec: &AppSpec) -> Box<dyn SimApp> {
        Box::new(TikTok::new(spec))
    }

    fn id(&self, control: Control) -> &str {
        self.ids.get(control)
    }

    fn back_icon(&self, p: Painter<'_>, s: &Strings) -> Widget<Act> {
        p.icon(Rect::new(24, 96, 144, 216), s.back, Act::Back)
            .id(self.id(Control::Back))
    }

    fn landing(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let mut out = Vec::new();
        if self.state.adding_account {
            out.push(self.back_icon(p, s));
        }
        out.push(
            p.text(Rect::new(80, 300, 1000, 400), s.landing_title)
                .id(self.id(Control::LandingTitle)),
        );
        out.push(
            p.text(Rect::new(80, 420, 1000, 540), s.landing_subtitle)
                .id(self.id(Control::LandingSubtitle)),
        );
        let options = [
            (s.use_phone_email, Act::Own(Own::UsePhoneEmail)),
            (s.continue_facebook, Act::Nothing),
            (s.continue_google, Act::Nothing),
        ];
        for (i, (label, act)) in options.into_iter().enumerate() {
            let top = 640 + 170 * i as i32;
            out.push(
                p.view(class::LINEAR, Rect::new(80, top, 1000, top + 140))
                    .id(self.id(Control::LandingOption))
                    .on_tap(act)
                    .child(
                        p.text(Rect::new(200, top + 35, 880, top + 105), label)
                            .id(self.id(Control::LandingOptionText)),
                    ),
            );
        }
        out.push(
            p.text(Rect::new(0, 2200, 1080, 2320), s.sign_up)
                .id(self.id(Control::SignUp))
                .on_tap(Act::Nothing),
        );
        out
    }

    fn login(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let form = &self.state.form;
        let mut out = vec![
            self.back_icon(p, s),
            p.text(Rect::new(240, 96, 840, 216), s.log_in_title)
                .id(self.id(Control::LoginTitle)),
            p.text(Rect::new(0, 260, 540, 380), s.tab_phone)
                .id(self.id(Control::TabPhone))
                .on_tap(Act::Own(Own::Tab(Tab::Phone)))
                .selected(self.tab == Tab::Phone),
            p.text(Rect::new(540, 260, 1080, 380), s.tab_email)
                .id(self.id(Control::TabEmail))
                .on_tap(Act::Own(Own::Tab(Tab::Email)))
                .selected(self.tab == Tab::Email),
        ];
        let button = Rect::new(60, 1000, 1020, 1140);
        match self.tab {
            Tab::Phone => {
                out.push(
                    form.edit(p, Rect::new(60, 440, 1020, 580), Field::Phone, s.phone_hint)
                        .id(self.id(Control::PhoneField)),
                );
                out.push(
                    p.button(button, s.send_code, Act::Nothing)
                        .id(self.id(Control::SendCode))
                        .enabled(!form.phone.is_empty()),
                );
            }
            Tab::Email => {
                out.push(
                    form.edit(p, Rect::new(60, 440, 1020, 580), Field::Login, s.login_hint)
                        .desc(s.login_hint)
                        .id(self.id(Control::LoginField)),
                );
                out.push(
                    form.edit(
                        p,
                        Rect::new(60, 620, 1020, 760),
                        Field::Password,
                        s.password_hint,
                    )
                    .desc(s.password_hint)
                    .id(self.id(Control::PasswordField)),
                );
                out.push(
                    p.text(Rect::new(60, 790, 500, 860), s.forgot_password)
                        .id(self.id(Control::ForgotPassword))
                        .on_tap(Act::Nothing),
                );
                if let Some(error) = self.state.login_flow.error {
                    let text = match error {
                        Refusal::WrongPassword => s.wrong_password,
                        Refusal::UnknownUser => s.unknown_user,
                        Refusal::TooManyAttempts => s.too_many_attempts,
                    };
                    out.push(
                        p.text(Rect::new(60, 880, 1020, 960), text)
                            .id(self.id(Control::LoginError)),
                    );
                }
                out.push(
                    p.button(button, s.log_in, Act::LogIn)
                        .desc(s.log_in)
                        .id(self.id(Control::LoginButton))
                        .enabled(form.filled_in()),
                );
            }
        }
        out
    }

    /// Where a login lands: the feed, or "Follow your friends" first.
    fn after_login(&self) -> Screen {
        if self.follow_friends_prompt {
            Screen::FollowFriends
        } else {
            self.after_follow_friends()
        }
    }

    /// Where "Follow your friends" leads: the permission dialog, or the feed.
    fn after_follow_friends(&self) -> Screen {
        if self.permission_prompt {
            Screen::Permission
        } else {
            Screen::Feed
        }
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

    /// "Follow your friends": "Not now" goes on to the feed.
    fn follow_friends(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.text(Rect::new(60, 500, 1020, 620), s.follow_friends),
            p.button(
                Rect::new(60, 1000, 1020, 1140),
                s.find_friends,
                Act::Nothing,
            ),
            p.button(
                Rect::new(60, 1180, 1020, 1320),
                s.not_now,
                Act::Show(self.after_follow_friends()),
            ),
        ]
    }

    /// "Enter code": one field for the authenticator code and "Continue".
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
        out.push(
            p.button(
                Rect::new(60, 980, 1020, 1120),
                s.continue_,
                Act::Own(Own::SubmitCode),
            )
            .enabled(!form.code.is_empty()),
        );
        out
    }

    fn verify(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.backdrop(Act::Nothing),
            p.view(class::LINEAR, Rect::new(60, 700, 1020, 1700))
                .id(self.id(Control::VerifyContainer))
                .children([
                    p.text(Rect::new(100, 740, 860, 820), s.verify_title)
                        .id(self.id(Control::VerifyTitle)),
                    p.icon(
                        Rect::new(900, 730, 1000, 830),
                        s.close,
                        Act::Own(Own::CloseVerify),
                    )
                    .id(self.id(Control::VerifyClose)),
                    p.text(Rect::new(100, 830, 980, 900), s.verify_hint)
                        .id(self.id(Control::VerifyHint)),
                    p.view(class::IMAGE, Rect::new(100, 920, 980, 1420))
                        .desc(s.puzzle)
                        .id(self.id(Control::VerifyPuzzle)),
                    p.view(class::SEEK_BAR, Rect::new(100, 1460, 980, 1560))
                        .desc(s.slider)
                        .id(self.id(Control::VerifySlider)),
                    p.text(Rect::new(100, 1600, 400, 1680), s.refresh)
                        .id(self.id(Control::VerifyRefresh))
                        .on_tap(Act::Nothing),
                ]),
        ]
    }

    fn nav_bar(&self, p: Painter<'_>, s: &Strings) -> Widget<Act> {
        let items = [
            (
                s.home,
                Act::Show(Screen::Feed),
                self.state.screen == Screen::Feed,
            ),
            (s.friends, Act::Nothing, false),
            (s.create, Act::Nothing, false),
            (s.inbox, Act::Nothing, false),
            (
                s.profile,
                Act::Show(Screen::Profile),
                self.state.screen == Screen::Profile,
            ),
        ];
        let mut bar = p
            .view(class::LINEAR, Rect::new(0, 2232, 1080, 2400))
            .id(self.id(Control::NavBar));
        for (i, (label, act, selected)) in items.into_iter().enumerate() {
            let left = 216 * i as i32;
            let mut item = p
                .view(class::FRAME, Rect::new(left, 2232, left + 216, 2400))
                .id(self.id(Control::NavItem))
                .desc(label)
                .on_tap(act)
                .selected(selected);
            if label != s.create {
                item = item.child(
                    p.text(Rect::new(left + 8, 2330, left + 208, 2390), label)
                        .id(self.id(Control::NavLabel)),
                );
            }
            bar = bar.child(item);
        }
        bar
    }

    fn feed(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let creator = CREATORS[self.state.feed_position % CREATORS.len()];
        vec![
            p.view(class::VIEW_PAGER, Rect::new(0, 0, 1080, 2232))
                .id(self.id(Control::FeedPager))
                .scrollable()
                .child(
                    p.view(class::FRAME, Rect::new(0, 0, 1080, 2232)).children([
                        p.text(Rect::new(40, 1900, 700, 1960), &format!("@{creator}"))
                            .id(self.id(Control::FeedAuthor)),
                        p.icon(Rect::new(940, 1200, 1060, 1320), "Like", Act::Nothing),
                        p.icon(Rect::new(940, 1380, 1060, 1500), "Comment", Act::Nothing),
                        p.icon(Rect::new(940, 1560, 1060, 1680), "Share", Act::Nothing),
                    ]),
                ),
            p.text(Rect::new(300, 110, 520, 190), s.feed_following)
                .id(self.id(Control::FeedTopTab))
                .on_tap(Act::Nothing),
            p.text(Rect::new(560, 110, 780, 190), s.for_you)
                .id(self.id(Control::FeedTopTab))
                .on_tap(Act::Nothing)
                .selected(true),
            self.nav_bar(p, s),
        ]
    }

    /// Avatar, `@username` and the three counters (value above label), shared by
    /// the own profile and a profile opened by a link.
    fn profile_header(
        &self,
        ctx: &AppContext<'_>,
        p: Painter<'_>,
        s: &Strings,
        username: &str,
    ) -> Vec<Widget<Act>> {
        let language = Language::from_setting(ctx.language());
        let account = RULES.account(ctx, username);
        let count = |n: fn(&PlatformAccount) -> u64| {
            abbreviate(account.map_or(0, n), CountStyle::TikTok, language)
        };
        let counters = [
            (s.following, count(|a| a.following), Control::FollowingValue),
            (s.followers, count(|a| a.followers), Control::FollowersValue),
            (s.likes, count(|a| a.likes), Control::LikesValue),
        ];
        let mut out = vec![
            p.view(class::IMAGE, Rect::new(390, 250, 690, 550))
                .desc(s.profile_photo)
                .id(self.id(Control::Avatar)),
            p.view(class::BUTTON, Rect::new(240, 580, 840, 650))
                .text(&format!("@{username}"))
                .id(self.id(Control::Handle)),
        ];
        for (i, (label, value, value_id)) in counters.into_iter().enumerate() {
            let left = 150 + 270 * i as i32;
            out.push(
                p.view(class::LINEAR, Rect::new(left, 690, left + 240, 840))
                    .id(self.id(Control::CountContainer))
                    .on_tap(Act::Nothing)
                    .children([
                        p.text(Rect::new(left, 690, left + 240, 770), &value)
                            .id(self.id(value_id)),
                        p.text(Rect::new(left, 775, left + 240, 835), label)
                            .id(self.id(Control::CountLabel)),
                    ]),
            );
        }
        out.extend([
            p.view(class::LINEAR, Rect::new(0, 1040, 1080, 1160))
                .id(self.id(Control::ProfileTabs))
                .children([
                    p.icon(Rect::new(0, 1040, 540, 1160), s.videos, Act::Nothing)
                        .selected(true),
                    p.icon(Rect::new(540, 1040, 1080, 1160), s.liked, Act::Nothing),
                ]),
            post_grid(p, 1160, 480, account.map_or(0, |a| a.posts), Act::Nothing)
                .id(self.id(Control::ProfileGrid)),
        ]);
        out
    }

    fn profile(&self, ctx: &AppContext<'_>, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let username = self.state.sessions.active().unwrap_or_default();
        let nickname = RULES
            .account(ctx, username)
            .and_then(|a| a.nickname.as_deref())
            .unwrap_or(username);
        let mut out = vec![
            p.icon(Rect::new(24, 96, 144, 216), s.add_friends, Act::Nothing)
                .id(self.id(Control::AddFriends)),
            p.view(class::LINEAR, Rect::new(290, 96, 790, 216))
                .id(self.id(Control::TitleContainer))
                .on_tap(Act::Open(Overlay::Switcher))
                .children([
                    p.view(class::BUTTON, Rect::new(320, 110, 720, 200))
                        .text(nickname)
                        .on_tap(Act::Open(Overlay::Switcher))
                        .id(self.id(Control::TitleName)),
                    p.view(class::IMAGE, Rect::new(730, 130, 780, 180))
                        .id(self.id(Control::TitleChevron)),
                ]),
            p.icon(
                Rect::new(936, 96, 1056, 216),
                s.profile_menu,
                Act::Open(Overlay::Menu),
            )
            .id(self.id(Control::ProfileMenu)),
        ];
        out.extend(self.profile_header(ctx, p, s, username));
        out.extend([
            p.button(Rect::new(180, 880, 620, 1000), s.edit_profile, Act::Nothing)
                .id(self.id(Control::EditProfile)),
            p.button(
                Rect::new(640, 880, 900, 1000),
                s.share_profile,
                Act::Nothing,
            )
            .id(self.id(Control::ShareProfile)),
            self.nav_bar(p, s),
        ]);
        out
    }

    /// Someone's profile opened by a link: back, their name, Follow / Message, no tab bar.
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
                p.text(Rect::new(60, 900, 1020, 1000), s.not_found)
                    .id(self.id(Control::NotFound)),
            ];
        };
        let mut out = vec![
            self.back_icon(p, s),
            p.text(
                Rect::new(240, 96, 840, 216),
                account.nickname.as_deref().unwrap_or(&account.username),
            )
            .id(self.id(Control::TitleName)),
            p.icon(Rect::new(936, 96, 1056, 216), s.more, Act::Nothing)
                .id(self.id(Control::ProfileMenu)),
        ];
        out.extend(self.profile_header(ctx, p, s, &account.username));
        out.extend([
            p.button(Rect::new(180, 880, 620, 1000), s.follow, Act::Nothing)
                .id(self.id(Control::FollowButton)),
            p.button(Rect::new(640, 880, 900, 1000), s.message, Act::Nothing)
                .id(self.id(Control::MessageButton)),
        ]);
        out
    }

    fn settings(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let rows = [
            (s.account, Act::Nothing),
            (s.privacy, Act::Nothing),
            (s.security, Act::Nothing),
            (s.switch_account, Act::Open(Overlay::Switcher)),
            (s.log_out, Act::Open(Overlay::LogoutConfirm)),
        ];
        let mut out = vec![
            self.back_icon(p, s),
            p.text(Rect::new(200, 96, 880, 216), s.settings)
                .desc(s.settings)
                .id(self.id(Control::SettingsTitle)),
        ];
        out.extend(
            p.settings_rows(rows)
                .into_iter()
                .map(|row| row.id(self.id(Control::SettingsRow))),
        );
        out
    }

    fn switcher(&self, ctx: &AppContext<'_>, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let layout = SwitcherLayout::new(&self.state.sessions, 160);
        let top = layout.top;
        let mut rows = Vec::new();
        for account in &layout.rows {
            let (y, username) = (account.top, account.username);
            let nickname = RULES
                .account(ctx, username)
                .and_then(|a| a.nickname.as_deref())
                .unwrap_or(username);
            let mut row = account.frame(p).id(self.id(Control::AccountRow)).children([
                p.text(Rect::new(200, y + 20, 900, y + 80), username)
                    .id(self.id(Control::AccountName)),
                p.text(Rect::new(200, y + 80, 900, y + 130), nickname)
                    .id(self.id(Control::AccountNickname)),
            ]);
            if account.active {
                row = row.child(
                    p.view(class::IMAGE, Rect::new(960, y + 45, 1020, y + 105))
                        .desc(s.selected)
                        .id(self.id(Control::AccountCheck)),
                );
            }
            rows.push(row);
        }
        if let Some(y) = layout.add_account {
            rows.push(
                p.view(class::LINEAR, Rect::new(0, y, 1080, y + ROW))
                    .id(self.id(Control::AddAccount))
                    .on_tap(Act::AddAccount)
                    .child(p.text(Rect::new(200, y + 40, 900, y + 110), s.add_account)),
            );
        }
        vec![
            p.backdrop(Act::Dismiss),
            p.view(class::LINEAR, Rect::new(0, top, 1080, 2400))
                .id(self.id(Control::SheetContainer))
                .on_tap(Act::Nothing)
                .child(
                    p.text(Rect::new(0, top + 30, 1080, top + 130), s.switch_account)
                        .desc(s.switch_account)
                        .id(self.id(Control::SheetTitle)),
                )
                .children(rows),
        ]
    }

    fn menu(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        let rows = [
            (s.creator_tools, Act::Nothing),
            (s.settings, Act::Show(Screen::Settings)),
        ];
        let mut sheet = p
            .view(class::LINEAR, Rect::new(0, 1700, 1080, 2400))
            .id(self.id(Control::SheetContainer))
            .on_tap(Act::Nothing);
        for (i, (label, act)) in rows.into_iter().enumerate() {
            let top = 1760 + 140 * i as i32;
            let row = Rect::new(0, top, 1080, top + 140);
            sheet = sheet.child(
                p.view(class::FRAME, row)
                    .desc(label)
                    .id(self.id(Control::MenuRow))
                    .on_tap(act)
                    .child(p.text(row, label)),
            );
        }
        vec![p.backdrop(Act::Dismiss), sheet]
    }

    fn logout_confirm(&self, p: Painter<'_>, s: &Strings) -> Vec<Widget<Act>> {
        vec![
            p.backdrop(Act::Nothing),
            p.view(class::LINEAR, Rect::new(90, 950, 990, 1450))
                .children([
                    p.text(Rect::new(130, 1000, 950, 1150), s.log_out_question)
                        .id(self.id(Control::DialogMessage)),
                    p.button(Rect::new(130, 1250, 530, 1400), s.cancel, Act::Dismiss)
                        .id(self.id(Control::DialogCancel)),
                    p.button(Rect::new(550, 1250, 950, 1400), s.log_out, Act::LogOut)
                        .desc(s.log_out)
                        .id(self.id(Control::DialogConfirm)),
                ]),
        ]
    }
}

impl SocialApp for TikTok {
    type Screen = Screen;
    type Overlay = Overlay;
    /// The error shown under the login form.
    type LoginFlow = Flow;
    type Own = Own;

    const LABEL: &'static str = "TikTok";

    fn activity_name(&self) -> &'static str {
        match self.state.screen {
            Screen::Landing
            | Screen::Login
            | Screen::Verify
            | Screen::Code
            | Screen::Blocked(_) => {
                "com.ss.android.ugc.aweme.account.login.v2.ui.SignUpOrLoginActivity"
            }
            Screen::Feed
            | Screen::Profile
            | Screen::Settings
            | Screen::FollowFriends
            | Screen::Permission => "com.ss.android.ugc.aweme.main.MainActivity",
        }
    }

    fn views(&self, ctx: &AppContext<'_>, p: Painter<'_>) -> Vec<Widget<Act>> {
        let s = strings(Language::from_setting(ctx.language()));
        let mut views = match self.state.screen {
            Screen::Landing => self.landing(p, s),
            Screen::Login => self.login(p, s),
            Screen::Verify => {
                let mut views = self.login(p, s);
                views.extend(self.verify(p, s));
                views
            }
            Screen::Code => self.code(p, s),
            Screen::Blocked(block) => self.blocked(p, s, block),
            Screen::FollowFriends => self.follow_friends(p, s),
            Screen::Permission => permission::dialog(
                s.notifications_question,
                s.allow,
                s.deny,
                Act::Show(Screen::Feed),
            ),
            Screen::Feed => self.feed(p, s),
            Screen::Profile => self.profile(ctx, p, s),
            Screen::Settings => self.settings(p, s),
        };
        if let Some(overlay) = self.state.overlay {
            views.extend(match overlay {
                Overlay::Switcher => self.switcher(ctx, p, s),
                Overlay::Menu => self.menu(p, s),
                Overlay::LogoutConfirm => self.logout_confirm(p, s),
            });
        }
        views
    }

    fn back_screen(&mut self) -> bool {
        match self.state.screen {
            Screen::Landing if self.state.adding_account => {
                self.state.adding_account = false;
                self.state.screen = Screen::Profile;
            }
            Screen::Landing | Screen::Feed => return false,
            Screen::Login => self.state.leave_login(Screen::Landing),
            Screen::Verify => self.state.screen = Screen::Login,
            // The screen of a refused session stays until the app is left.
            Screen::Blocked(_) if self.state.session_blocked => return false,
            Screen::Blocked(_) => self.state.screen = Screen::Login,
            Screen::FollowFriends | Screen::Permission => self.state.screen = Screen::Feed,
            Screen::Code => {
                self.state.login_flow = Flow::default();
                self.state.form.code.clear();
                self.state.screen = Screen::Login;
            }
            Screen::Profile => self.state.screen = Screen::Feed,
            Screen::Settings => self.state.screen = Screen::Profile,
        }
        true
    }

    fn submit(&mut self, ctx: &AppContext<'_>) {
        match self.state.attempt_login(ctx) {
            Verdict::LoggedIn(username) => {
                let to = self.after_login();
                self.state.log_in(&username, to)
            }
            Verdict::Blocked(block) => self.state.leave_login(Screen::Blocked(block)),
            Verdict::NeedsCode(username) => {
                self.state.form.password.clear();
                self.state.form.focus = None;
                self.state.login_flow = Flow {
                    pending: Some(username),
                    ..Flow::default()
                };
                self.state.screen = Screen::Code;
            }
            Verdict::NeedsVerification => {
                self.state.login_flow = Flow::default();
                self.state.form.focus = None;
                self.state.screen = Screen::Verify;
            }
            Verdict::Refused(refusal) => self.state.login_flow.error = Some(refusal),
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
            let to = self.after_login();
            self.state.log_in(&username, to);
        } else {
            self.state.form.code.clear();
            self.state.login_flow.rejected = true;
        }
    }

    fn own_act(&mut self, ctx: &AppContext<'_>, own: Own) {
        match own {
            Own::UsePhoneEmail => {
                self.tab = Tab::Phone;
                self.state.leave_login(Screen::Login);
            }
            Own::Tab(tab) => {
                self.tab = tab;
                self.state.form.focus = None;
                self.state.login_flow.error = None;
            }
            Own::CloseVerify => self.state.screen = Screen::Login,
            Own::SubmitCode => self.submit_code(ctx),
        }
    }

    fn typing(&self) -> bool {
        matches!(self.state.screen, Screen::Login | Screen::Code) && self.state.visiting.is_none()
    }

    /// Typing hides the error line.
    fn typed(&mut self) {
        self.state.login_flow.error = None;
    }

    fn visited(&self, ctx: &AppContext<'_>, p: Painter<'_>, username: &str) -> Vec<Widget<Act>> {
        let s = strings(Language::from_setting(ctx.language()));
        self.visited_profile(ctx, p, s, username)
    }

    /// The username of a TikTok profile link: `https://www.tiktok.com/@NAME` (any
    /// scheme, `www.` or `m.` host, trailing path or query); `None` for other URIs.
    fn profile_link(uri: &str) -> Option<&str> {
        let rest = without_web_scheme(uri);
        let rest = rest
            .strip_prefix("www.")
            .or_else(|| rest.strip_prefix("m."))
            .unwrap_or(rest);
        let path = rest.strip_prefix("tiktok.com/@")?;
        let name = path.split(['/', '?', '#']).next().unwrap_or("");
        (!name.is_empty()).then_some(name)
    }

    fn state(&self) -> &StateOf<Self> {
        &self.state
    }

    fn state_mut(&mut self) -> &mut StateOf<Self> {
        &mut self.state
    }
}
