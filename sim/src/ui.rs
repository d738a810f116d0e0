//! The UI node tree simulated apps render into, and its uiautomator XML form.
//!
//! A [`ScreenNode`] carries exactly the attributes `uiautomator dump` writes for
//! a view; [`hierarchy_xml`] serialises a tree the way a real phone does (one
//! line, `<hierarchy rotation="0">`, attributes in uiautomator's order).

/// Width of the simulated screen in pixels.
pub const SCREEN_WIDTH: i32 = 1080;
/// Height of the simulated screen in pixels.
pub const SCREEN_HEIGHT: i32 = 2400;

/// A view's rectangle on screen, in pixels: `[left,top][right,bottom]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    /// Left edge (inclusive).
    pub left: i32,
    /// Top edge (inclusive).
    pub top: i32,
    /// Right edge (exclusive).
    pub right: i32,
    /// Bottom edge (exclusive).
    pub bottom: i32,
}

impl Rect {
    /// A rectangle from its edges.
    pub const fn new(left: i32, top: i32, right: i32, bottom: i32) -> Self {
        Rect {
            left,
            top,
            right,
            bottom,
        }
    }

    /// The whole 1080x2400 screen.
    pub const fn screen() -> Self {
        Rect::new(0, 0, SCREEN_WIDTH, SCREEN_HEIGHT)
    }

    /// True when the point lies inside (right and bottom edges excluded).
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.left && x < self.right && y >= self.top && y < self.bottom
    }

    /// The centre point, where automation taps.
    pub fn center(&self) -> (i32, i32) {
        ((self.left + self.right) / 2, (self.top + self.bottom) / 2)
    }
}

/// One view of a rendered screen, with the attributes uiautomator reports.
///
/// Build with [`ScreenNode::new`] and the chained setters:
/// `ScreenNode::new("android.widget.Button", pkg).text("Log in").clickable().bounds(r)`.
/// `enabled` is true by default; every other flag is false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenNode {
    /// Visible text (`text`); password fields show dots, as real phones do.
    pub text: String,
    /// View id (`resource-id`), e.g. `com.instagram.android:id/action_bar_title`.
    pub resource_id: String,
    /// Widget class (`class`), e.g. `android.widget.EditText`.
    pub class: String,
    /// Owning package (`package`).
    pub package: String,
    /// Accessibility description (`content-desc`).
    pub content_desc: String,
    /// `checkable` flag.
    pub checkable: bool,
    /// `checked` flag.
    pub checked: bool,
    /// `clickable` flag: taps inside the bounds reach this view.
    pub clickable: bool,
    /// `enabled` flag.
    pub enabled: bool,
    /// `focusable` flag.
    pub focusable: bool,
    /// `focused` flag: the view that receives typed text.
    pub focused: bool,
    /// `scrollable` flag.
    pub scrollable: bool,
    /// `long-clickable` flag.
    pub long_clickable: bool,
    /// `password` flag: a password field.
    pub password: bool,
    /// `selected` flag.
    pub selected: bool,
    /// Where the view is on screen.
    pub bounds: Rect,
    /// Child views, in drawing order (later children are on top).
    pub children: Vec<ScreenNode>,
}

impl ScreenNode {
    /// A node of `class` in `package`, enabled, with empty text and zero bounds.
    pub fn new(class: impl Into<String>, package: impl Into<String>) -> Self {
        ScreenNode {
            text: String::new(),
            resource_id: String::new(),
            class: class.into(),
            package: package.into(),
            content_desc: String::new(),
            checkable: false,
            checked: false,
            clickable: false,
            enabled: true,
            focusable: false,
            focused: false,
            scrollable: false,
            long_clickable: false,
            password: false,
            selected: false,
            bounds: Rect::default(),
            children: Vec::new(),
        }
    }

    /// Sets the visible text.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    /// Sets the resource id (full form, `package:id/name`).
    pub fn id(mut self, resource_id: impl Into<String>) -> Self {
        self.resource_id = resource_id.into();
        self
    }

    /// Sets the accessibility description.
    pub fn desc(mut self, content_desc: impl Into<String>) -> Self {
        self.content_desc = content_desc.into();
        self
    }

    /// Sets the bounds.
    pub fn bounds(mut self, bounds: Rect) -> Self {
        self.bounds = bounds;
        self
    }

    /// Marks the view clickable (and focusable, as Android buttons are).
    pub fn clickable(mut self) -> Self {
        self.clickable = true;
        self.focusable = true;
        self
    }

    /// Marks the view as an editable field: clickable, focusable, long-clickable.
    pub fn editable(mut self) -> Self {
        self.clickable = true;
        self.focusable = true;
        self.long_clickable = true;
        self
    }

    /// Sets the `focused` flag.
    pub fn focused(mut self, focused: bool) -> Self {
        self.focused = focused;
        self
    }

    /// Sets the `password` flag.
    pub fn password(mut self, password: bool) -> Self {
        self.password = password;
        self
    }

    /// Sets the `enabled` flag.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Sets the `selected` flag.
    pub fn selected(mut self, selected: bool) -> Self {
        self.selected = selected;
        self
    }

    /// Makes the view checkable with the given state.
    pub fn checkable(mut self, checked: bool) -> Self {
        self.checkable = true;
        self.checked = checked;
        self
    }

    /// Sets the `scrollable` flag.
    pub fn scrollable(mut self) -> Self {
        self.scrollable = true;
        self
    }

    /// Appends a child view.
    pub fn child(mut self, child: ScreenNode) -> Self {
        self.children.push(child);
        self
    }

    /// Appends child views.
    pub fn children(mut self, children: impl IntoIterator<Item = ScreenNode>) -> Self {
        self.children.extend(children);
        self
    }

    /// The enabled clickable view a tap at `(x, y)` lands on: the deepest, topmost
    /// (last drawn) one whose bounds contain the point, as Android dispatches touches.
    pub fn clickable_at(&self, x: i32, y: i32) -> Option<&ScreenNode> {
        if !self.bounds.contains(x, y) {
            return None;
        }
        for child in self.children.iter().rev() {
            if let Some(hit) = child.clickable_at(x, y) {
                return Some(hit);
            }
        }
        (self.clickable && self.enabled).then_some(self)
    }

    /// Every node of the tree, depth first, this one first.
    pub fn descendants(&self) -> Vec<&ScreenNode> {
        let mut out = vec![self];
        let mut i = 0;
        while i < out.len() {
            let node = out[i];
            out.splice(i + 1..i + 1, node.children.iter());
            i += 1;
        }
        out
    }
}

/// Serialises a screen exactly as `uiautomator dump` writes it on a real phone:
/// XML declaration, `<hierarchy rotation="0">`, one `<node>` per view, no newlines.
pub fn hierarchy_xml(root: &ScreenNode) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>");
    out.push_str("<hierarchy rotation=\"0\">");
    write_node(&mut out, root, 0);
    out.push_str("</hierarchy>");
    out
}

fn write_node(out: &mut String, node: &ScreenNode, index: usize) {
    use std::fmt::Write;
    let b = node.bounds;
    out.push_str("<node index=\"");
    out.push_str(&index.to_string());
    out.push('"');
    attr(out, "text", &node.text);
    attr(out, "resource-id", &node.resource_id);
    attr(out, "class", &node.class);
    attr(out, "package", &node.package);
    attr(out, "content-desc", &node.content_desc);
    flag(out, "checkable", node.checkable);
    flag(out, "checked", node.checked);
    flag(out, "clickable", node.clickable);
    flag(out, "enabled", node.enabled);
    flag(out, "focusable", node.focusable);
    flag(out, "focused", node.focused);
    flag(out, "scrollable", node.scrollable);
    flag(out, "long-clickable", node.long_clickable);
    flag(out, "password", node.password);
    flag(out, "selected", node.selected);
    let _ = write!(
        out,
        " bounds=\"[{},{}][{},{}]\"",
        b.left, b.top, b.right, b.bottom
    );
    if node.children.is_empty() {
        out.push_str(" />");
        return;
    }
    out.push('>');
    for (i, child) in node.children.iter().enumerate() {
        write_node(out, child, i);
    }
    out.push_str("</node>");
}

fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(out, value);
    out.push('"');
}

fn flag(out: &mut String, name: &str, value: bool) {
    attr(out, name, if value { "true" } else { "false" });
}

/// Escapes as Android's XmlSerializer does for attribute values; control
/// characters that XML 1.0 cannot carry become `.`, as uiautomator's dumper
/// (`stripInvalidXMLChars`) replaces them.
fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{84}').contains(&c) => out.push('.'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ScreenNode {
        ScreenNode::new("android.widget.FrameLayout", "com.example")
            .bounds(Rect::screen())
            .child(
                ScreenNode::new("android.widget.Button", "com.example")
                    .id("com.example:id/login")
                    .text("Log in")
                    .clickable()
                    .bounds(Rect::new(100, 1000, 980, 1150)),
            )
            .child(
                ScreenNode::new("android.widget.EditText", "com.example")
                    .text("a<b>&\"c\"")
                    .password(true)
                    .editable()
                    .focused(true)
                    .bounds(Rect::new(100, 800, 980, 950)),
            )
    }

    #[test]
    fn xml_matches_the_uiautomator_layout() {
        let xml = hierarchy_xml(&sample());
        assert!(xml.starts_with(
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"><node index=\"0\" text=\"\" resource-id=\"\" class=\"android.widget.FrameLayout\" package=\"com.example\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"false\" enabled=\"true\" focusable=\"false\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[0,0][1080,2400]\"><node index=\"0\" text=\"Log in\" resource-id=\"com.example:id/login\""
        ));
        assert!(xml.contains("<node index=\"1\" text=\"a&lt;b&gt;&amp;&quot;c&quot;\""));
        assert!(
            xml.contains("password=\"true\" selected=\"false\" bounds=\"[100,800][980,950]\" />")
        );
        assert!(xml.ends_with("</node></hierarchy>"));
        assert!(!xml.contains('\n'));
    }

    #[test]
    fn xml_parses_back_with_an_independent_parser() {
        let mut tricky = sample();
        tricky.children[0].text = "line\nbreak\u{1} & 😀".into();
        let xml = hierarchy_xml(&tricky);
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut texts = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    if let Some(a) = e.try_get_attribute("text").unwrap() {
                        texts.push(a.unescape_value().unwrap().into_owned());
                    }
                }
                _ => {}
            }
        }
        assert_eq!(texts, vec!["", "line\nbreak. & 😀", "a<b>&\"c\""]);
    }

    #[test]
    fn taps_land_on_the_topmost_deepest_clickable_view() {
        let root = sample()
            .child(ScreenNode::new("android.view.View", "com.example").bounds(Rect::screen()));
        // A non-clickable overlay does not swallow the tap.
        let hit = root.clickable_at(500, 1100).expect("button hit");
        assert_eq!(hit.resource_id, "com.example:id/login");
        assert!(root.clickable_at(50, 50).is_none());
        assert!(root.clickable_at(2000, 1100).is_none());
        let disabled = sample();
        let mut disabled = disabled;
        disabled.children[0].enabled = false;
        assert!(disabled.clickable_at(500, 1100).is_none());
    }

    #[test]
    fn descendants_walk_depth_first() {
        let classes: Vec<_> = sample()
            .descendants()
            .iter()
            .map(|n| n.class.clone())
            .collect();
        assert_eq!(
            classes,
            [
                "android.widget.FrameLayout",
                "android.widget.Button",
                "android.widget.EditText"
            ]
        );
    }
}
