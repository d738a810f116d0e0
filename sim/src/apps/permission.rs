//! The system's runtime-permission dialog, which Android draws over an app
//! (its own package, `permission_allow_button` / `permission_deny_button`, as
//! the app facts catalogue records), shown after a login when the app option
//! asks for it.

use crate::ui::Rect;

use super::view::{class, Painter, Widget};

/// The package that draws permission dialogs on current phones.
pub(crate) const PACKAGE: &str = "com.google.android.permissioncontroller";

/// The dialog asking `question`, whose two buttons both do `answered`.
pub(crate) fn dialog<A: Clone>(
    question: &str,
    allow: &str,
    deny: &str,
    answered: A,
) -> Vec<Widget<A>> {
    let p = Painter { package: PACKAGE };
    let id = |name: &str| format!("{PACKAGE}:id/{name}");
    vec![p.view(class::FRAME, Rect::screen()).child(
        p.view(class::LINEAR, Rect::new(60, 1500, 1020, 2200))
            .id(&id("grant_dialog"))
            .children([
                p.text(Rect::new(100, 1540, 980, 1700), question)
                    .id(&id("permission_message")),
                p.button(Rect::new(100, 1800, 980, 1940), allow, answered.clone())
                    .id(&id("permission_allow_button")),
                p.button(Rect::new(100, 1980, 980, 2120), deny, answered)
                    .id(&id("permission_deny_button")),
            ]),
    )]
}
