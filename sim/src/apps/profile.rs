//! What both apps' profile screens draw alike.

use crate::ui::Rect;

use super::view::{class, Painter, Widget};

/// How many posts a profile grid shows: two rows of three fit above the tab bar.
const SHOWN_POSTS: u64 = 6;

/// A profile's grid of `posts` from `top` down to the tab bar: three tiles to
/// a row, rows `pitch` px apart, tiles 2 px apart; tapping a tile does `tap`.
pub(crate) fn post_grid<A: Clone>(
    p: Painter<'_>,
    top: i32,
    pitch: i32,
    posts: u64,
    tap: A,
) -> Widget<A> {
    let tiles = (0..posts.min(SHOWN_POSTS) as i32).map(|i| {
        let (left, tile_top) = (i % 3 * 360, top + i / 3 * pitch);
        p.view(
            class::FRAME,
            Rect::new(left, tile_top, left + 358, tile_top + pitch - 2),
        )
        .on_tap(tap.clone())
    });
    p.view(class::RECYCLER, Rect::new(0, top, 1080, 2232))
        .scrollable()
        .children(tiles)
}
