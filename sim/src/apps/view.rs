//! The screens of the simulated apps are built as [`Widget`]s: a
//! [`ScreenNode`] tree whose clickable views also carry what tapping them does,
//! so what `uiautomator dump` shows and what a tap hits can never disagree.

use crate::ui::{Rect, ScreenNode};

/// Android widget classes the apps use.
pub(crate) mod class {
    pub const FRAME: &str = "android.widget.FrameLayout";
    pub const LINEAR: &str = "android.widget.LinearLayout";
    pub const TEXT: &str = "android.widget.TextView";
    pub const EDIT: &str = "android.widget.EditText";
    pub const BUTTON: &str = "android.widget.Button";
    pub const IMAGE: &str = "android.widget.ImageView";
    pub const RADIO: &str = "android.widget.RadioButton";
    pub const RECYCLER: &str = "androidx.recyclerview.widget.RecyclerView";
    pub const VIEW_PAGER: &str = "androidx.viewpager.widget.ViewPager";
    pub const SEEK_BAR: &str = "android.widget.SeekBar";
    pub const LIST: &str = "android.widget.ListView";
}

/// One view of a screen; `A` is what tapping it does in its app.
#[derive(Debug, Clone)]
pub(crate) struct Widget<A> {
    node: ScreenNode,
    action: Option<A>,
    children: Vec<Widget<A>>,
}

/// Makes the widgets of one app install (they all carry its package).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Painter<'a> {
    pub package: &'a str,
}

impl Painter<'_> {
    /// A plain, non-interactive view of `class`.
    pub fn view<A>(&self, class: &str, bounds: Rect) -> Widget<A> {
        Widget {
            node: ScreenNode::new(class, self.package).bounds(bounds),
            action: None,
            children: Vec::new(),
        }
    }

    /// The window an app draws: a full-screen frame holding the
    /// `android:id/content` frame with `views`, as Android nests an activity's views.
    pub fn window<A>(&self, views: impl IntoIterator<Item = Widget<A>>) -> Widget<A> {
        let content = self
            .view(class::FRAME, Rect::screen())
            .id("android:id/content")
            .children(views);
        self.view(class::FRAME, Rect::screen()).child(content)
    }

    /// A full-screen backdrop doing `action` when tapped, under a sheet or dialog.
    pub fn backdrop<A>(&self, action: A) -> Widget<A> {
        self.view(class::FRAME, Rect::screen()).on_tap(action)
    }

    /// The rows of a settings list under the title bar: full width, 140 px
    /// tall, each a label doing its action.
    pub fn settings_rows<'s, A>(
        &self,
        rows: impl IntoIterator<Item = (&'s str, A)>,
    ) -> Vec<Widget<A>> {
        let mut out = Vec::new();
        for (i, (label, action)) in rows.into_iter().enumerate() {
            let top = 260 + 140 * i as i32;
            let text = self.text(Rect::new(60, top + 35, 1020, top + 105), label);
            let row = self.view(class::LINEAR, Rect::new(0, top, 1080, top + 140));
            out.push(row.on_tap(action).child(text));
        }
        out
    }

    /// A text label.
    pub fn text<A>(&self, bounds: Rect, text: &str) -> Widget<A> {
        self.view(class::TEXT, bounds).text(text)
    }

    /// A button labelled `text` doing `action`.
    pub fn button<A>(&self, bounds: Rect, text: &str, action: A) -> Widget<A> {
        self.view(class::BUTTON, bounds).text(text).on_tap(action)
    }

    /// An icon with a content description doing `action`.
    pub fn icon<A>(&self, bounds: Rect, desc: &str, action: A) -> Widget<A> {
        self.view(class::IMAGE, bounds).desc(desc).on_tap(action)
    }

    /// A text field showing `value`, or `hint` while empty (as dumps of real
    /// phones do); a password field shows one dot per character, never the value.
    pub fn edit<A>(
        &self,
        bounds: Rect,
        value: &str,
        hint: &str,
        password: bool,
        focused: bool,
        action: A,
    ) -> Widget<A> {
        let shown = if value.is_empty() {
            hint.to_string()
        } else if password {
            "\u{2022}".repeat(value.chars().count())
        } else {
            value.to_string()
        };
        let mut w = self.view(class::EDIT, bounds).text(&shown);
        w.node = w.node.editable().password(password).focused(focused);
        w.action = Some(action);
        w
    }
}

impl<A> Widget<A> {
    /// Sets the resource id (full `package:id/name` form).
    pub fn id(mut self, id: &str) -> Self {
        self.node = self.node.id(id);
        self
    }

    /// Sets the text.
    pub fn text(mut self, text: &str) -> Self {
        self.node = self.node.text(text);
        self
    }

    /// Sets the content description.
    pub fn desc(mut self, desc: &str) -> Self {
        self.node = self.node.desc(desc);
        self
    }

    /// Makes the view clickable with this reaction.
    pub fn on_tap(mut self, action: A) -> Self {
        self.node = self.node.clickable();
        self.action = Some(action);
        self
    }

    /// Sets the `enabled` flag (a disabled view ignores taps).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.node = self.node.enabled(enabled);
        self
    }

    /// Marks the view selected (a current tab, the active account).
    pub fn selected(mut self, selected: bool) -> Self {
        self.node = self.node.selected(selected);
        self
    }

    /// Marks the view checkable and sets its checked state.
    pub fn checked(mut self, checked: bool) -> Self {
        self.node = self.node.checkable(checked);
        self
    }

    /// Marks the view scrollable.
    pub fn scrollable(mut self) -> Self {
        self.node = self.node.scrollable();
        self
    }

    /// Adds a child view (drawn above the earlier ones).
    pub fn child(mut self, child: Widget<A>) -> Self {
        self.children.push(child);
        self
    }

    /// Adds several child views.
    pub fn children(mut self, children: impl IntoIterator<Item = Widget<A>>) -> Self {
        self.children.extend(children);
        self
    }

    /// The plain node tree, as the phone dumps it.
    pub fn into_node(self) -> ScreenNode {
        let children = self.children.into_iter().map(Widget::into_node);
        self.node.children(children)
    }
}

impl<A: Clone> Widget<A> {
    /// What a tap at `(x, y)` does: the reaction of the deepest, topmost (last
    /// drawn) enabled clickable view under the point, as Android dispatches touches.
    pub fn hit(&self, x: i32, y: i32) -> Option<A> {
        if !self.node.bounds.contains(x, y) {
            return None;
        }
        for child in self.children.iter().rev() {
            if let Some(hit) = child.hit(x, y) {
                return Some(hit);
            }
        }
        if self.node.clickable && self.node.enabled {
            self.action.clone()
        } else {
            None
        }
    }
}
