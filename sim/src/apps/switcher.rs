//! Where the account switcher's rows stand. Both apps list the held accounts
//! in rows of [`ROW`] px under the sheet's header, then "Add account"; the
//! sheet rises from the bottom of the screen as far as it needs, but no
//! higher than 300 px, and rows that would not fit are left out.

use crate::ui::Rect;

use super::accounts::Sessions;
use super::act::Act;
use super::view::{class, Painter, Widget};

/// The height of one row of the sheet.
pub(crate) const ROW: i32 = 150;

/// The account rows fit above this line.
const ROWS_BOTTOM: i32 = 2360;

/// The bottom of the screen.
const SCREEN_BOTTOM: i32 = 2400;

/// The sheet never rises above this line.
const HIGHEST_TOP: i32 = 300;

/// Space the sheet keeps under its last row.
const BOTTOM_MARGIN: i32 = 40;

/// One held account's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountRow<'a> {
    /// Its place among the held accounts (what switching to it takes).
    pub index: usize,
    /// The account's username.
    pub username: &'a str,
    /// The row's top edge.
    pub top: i32,
    /// True for the active account.
    pub active: bool,
}

impl AccountRow<'_> {
    /// The row as both apps draw it: tapping it switches to the account, the
    /// active one is `selected`, the avatar sits at the left; the app adds its
    /// id, texts and check mark.
    pub fn frame<S, O, Own>(&self, p: Painter<'_>) -> Widget<Act<S, O, Own>> {
        let y = self.top;
        p.view(class::LINEAR, Rect::new(0, y, 1080, y + ROW))
            .on_tap(Act::SwitchTo(self.index))
            .selected(self.active)
            .child(p.view(class::IMAGE, Rect::new(48, y + 15, 168, y + 135)))
    }
}

/// The switcher sheet laid out for the accounts held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SwitcherLayout<'a> {
    /// The sheet's top edge.
    pub top: i32,
    /// The account rows that fit, in the order the accounts were added.
    pub rows: Vec<AccountRow<'a>>,
    /// The top edge of the "Add account" row, if it fits.
    pub add_account: Option<i32>,
}

impl SwitcherLayout<'_> {
    /// The layout for the accounts of `sessions` under a header `header` px tall.
    pub fn new(sessions: &Sessions, header: i32) -> SwitcherLayout<'_> {
        let accounts = sessions.all();
        let height = header + ROW * (accounts.len() as i32 + 1) + BOTTOM_MARGIN;
        let top = (SCREEN_BOTTOM - height).max(HIGHEST_TOP);
        let mut rows = Vec::new();
        let mut y = top + header;
        for (index, username) in accounts.iter().enumerate() {
            if y + ROW > ROWS_BOTTOM {
                break;
            }
            rows.push(AccountRow {
                index,
                username,
                top: y,
                active: sessions.active() == Some(username.as_str()),
            });
            y += ROW;
        }
        SwitcherLayout {
            top,
            rows,
            add_account: (y + ROW <= SCREEN_BOTTOM).then_some(y),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(n: usize) -> Sessions {
        let names: Vec<String> = (0..n).map(|i| format!("user{i}")).collect();
        Sessions::new(&names)
    }

    #[test]
    fn a_short_list_sits_at_the_bottom_with_add_account_last() {
        let sessions = held(2);
        let layout = SwitcherLayout::new(&sessions, 160);
        assert_eq!(layout.top, 2400 - (160 + 3 * ROW + 40));
        let tops: Vec<i32> = layout.rows.iter().map(|r| r.top).collect();
        assert_eq!(tops, [layout.top + 160, layout.top + 160 + ROW]);
        assert!(layout.rows[0].active && !layout.rows[1].active);
        assert_eq!(layout.add_account, Some(layout.top + 160 + 2 * ROW));
    }

    #[test]
    fn a_long_list_stops_at_the_highest_top_and_drops_what_does_not_fit() {
        let sessions = held(20);
        let layout = SwitcherLayout::new(&sessions, 60);
        assert_eq!(layout.top, 300);
        assert_eq!(layout.rows.len(), 13);
        assert_eq!(layout.rows.last().map(|r| r.index), Some(12));
        assert_eq!(layout.add_account, None);
    }
}
