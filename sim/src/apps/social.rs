//! How both simulated apps answer the phone: each implements [`SocialApp`]
//! (its screens, what it draws, its login flow) over an [`AppState`], and
//! gets [`SimApp`] from here: launch and stop, the window (a profile opened by
//! a link covers everything), taps, typed text and keys, profile links,
//! swipes, idleness.

use crate::app::{AppContext, KeyCode, SimApp};
use crate::ui::ScreenNode;

use super::act::Act;
use super::form::{Field, KeyPress};
use super::state::{AppState, Screens};
use super::view::{Painter, Widget};

/// The [`Act`] of a [`SocialApp`].
pub(crate) type ActOf<A> =
    Act<<A as SocialApp>::Screen, <A as SocialApp>::Overlay, <A as SocialApp>::Own>;

/// The state of a [`SocialApp`].
pub(crate) type StateOf<A> =
    AppState<<A as SocialApp>::Screen, <A as SocialApp>::Overlay, <A as SocialApp>::LoginFlow>;

/// What one simulated app does its own way; the rest of [`SimApp`] is shared.
pub(crate) trait SocialApp: Send {
    /// Its screens.
    type Screen: Screens;
    /// Its sheets and dialogs.
    type Overlay: Copy;
    /// What its login flow keeps beyond the typed fields.
    type LoginFlow: Default;
    /// The taps only this app has.
    type Own: Copy;

    /// The label under the launcher icon.
    const LABEL: &'static str;

    /// The activity `dumpsys window` reports for the current screen.
    fn activity_name(&self) -> &'static str;

    /// The views of the current screen, with those of its overlay (if any) on top.
    fn views(&self, ctx: &AppContext<'_>, p: Painter<'_>) -> Vec<Widget<ActOf<Self>>>;

    /// Goes one screen back (nothing lies over the screen); false when there
    /// is nothing to go back to.
    fn back_screen(&mut self) -> bool;

    /// Submits the login form.
    fn submit(&mut self, ctx: &AppContext<'_>);

    /// Submits the authenticator code; an app without a code screen never gets here.
    fn submit_code(&mut self, ctx: &AppContext<'_>) {
        let _ = ctx;
    }

    /// Does one of the app's own taps.
    fn own_act(&mut self, ctx: &AppContext<'_>, own: Self::Own);

    /// True while a login form takes typed text and keys.
    fn typing(&self) -> bool;

    /// Called after text was typed into the form.
    fn typed(&mut self) {}

    /// The views of `username`'s profile, opened by a link.
    fn visited(
        &self,
        ctx: &AppContext<'_>,
        p: Painter<'_>,
        username: &str,
    ) -> Vec<Widget<ActOf<Self>>>;

    /// The username a link to a profile names; `None` for other URIs.
    fn profile_link(uri: &str) -> Option<&str>;

    /// The install's state.
    fn state(&self) -> &StateOf<Self>;

    /// The install's state, to change.
    fn state_mut(&mut self) -> &mut StateOf<Self>;
}

/// `uri` without its `https://` or `http://`, as profile links are matched.
pub(crate) fn without_web_scheme(uri: &str) -> &str {
    uri.strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .unwrap_or(uri)
}

/// The window as it looks now: someone's profile opened by a link covers
/// everything, else the app's screen shows.
fn draw<A: SocialApp>(app: &A, ctx: &AppContext<'_>) -> Widget<ActOf<A>> {
    let state = app.state();
    let p = state.painter();
    let views = match &state.visiting {
        Some(username) => app.visited(ctx, p, username),
        None => app.views(ctx, p),
    };
    p.window(views)
}

/// BACK: closes a visited profile or an overlay, else goes one screen back.
fn back<A: SocialApp>(app: &mut A) -> bool {
    app.state_mut().close_top() || app.back_screen()
}

/// Does what a tapped view does.
fn perform<A: SocialApp>(app: &mut A, ctx: &AppContext<'_>, act: ActOf<A>) {
    let state = app.state_mut();
    match act {
        Act::Nothing => {}
        Act::Back => {
            back(app);
        }
        Act::Focus(field) => state.form.focus = Some(field),
        Act::LogIn => app.submit(ctx),
        Act::Show(screen) => state.show(screen),
        Act::Open(overlay) => state.overlay = Some(overlay),
        Act::Dismiss => state.overlay = None,
        Act::SwitchTo(index) => state.switch_to(index),
        Act::AddAccount => state.add_account(),
        Act::LogOut => state.log_out(),
        Act::Own(own) => app.own_act(ctx, own),
    }
}

/// Both simulated apps, answering the phone through what they do their own way.
impl<A: SocialApp> SimApp for A {
    fn package(&self) -> &str {
        &self.state().package
    }

    fn label(&self) -> &str {
        A::LABEL
    }

    fn activity(&self) -> String {
        self.activity_name().to_string()
    }

    fn launch(&mut self, ctx: &AppContext<'_>, cold: bool) {
        self.state_mut().launch(ctx, cold);
    }

    fn stop(&mut self, _ctx: &AppContext<'_>) {
        self.state_mut().stop();
    }

    fn render(&self, ctx: &AppContext<'_>) -> ScreenNode {
        draw(self, ctx).into_node()
    }

    fn tap(&mut self, ctx: &AppContext<'_>, x: i32, y: i32) {
        if let Some(act) = draw(self, ctx).hit(x, y) {
            perform(self, ctx, act);
        }
    }

    fn swipe(&mut self, _ctx: &AppContext<'_>, from: (i32, i32), to: (i32, i32)) {
        self.state_mut().swipe(from, to);
    }

    fn open_uri(&mut self, _ctx: &AppContext<'_>, uri: &str) -> bool {
        let Some(username) = A::profile_link(uri) else {
            return false;
        };
        self.state_mut().open_profile(username);
        true
    }

    fn input_text(&mut self, _ctx: &AppContext<'_>, text: &str) {
        if self.typing() {
            self.state_mut().form.type_text(text);
            self.typed();
        }
    }

    fn key(&mut self, ctx: &AppContext<'_>, key: KeyCode) -> bool {
        if key == KeyCode::Back {
            return back(self);
        }
        if !self.typing() {
            return false;
        }
        match self.state_mut().form.press(key) {
            KeyPress::Unused => false,
            KeyPress::Used => true,
            KeyPress::Submit(Field::Code) => {
                self.submit_code(ctx);
                true
            }
            KeyPress::Submit(_) => {
                self.submit(ctx);
                true
            }
        }
    }

    fn is_idle(&self, _ctx: &AppContext<'_>) -> bool {
        self.state().is_idle()
    }

    fn logged_in(&self) -> Vec<String> {
        self.state().sessions.all().to_vec()
    }
}
