//! UI trees: the window hierarchy that `uiautomator dump` writes, parsed into nodes.
//!
//! The parser is tolerant of what real phones produce (unknown attributes, entities,
//! non-ASCII text, `NAF` nodes, missing or zero-area bounds, rotated screens) and
//! strict about what is not a dump at all (malformed or truncated XML): those are a
//! `Validation` error naming the byte, line and column where reading stopped.

use std::borrow::Cow;

use quick_xml::errors::SyntaxError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The field name that parse errors carry.
const FIELD: &str = "uiautomator dump";

/// A node's rectangle on screen, in pixels: `[left,top][right,bottom]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Bounds {
    /// Left edge (inclusive).
    pub left: i32,
    /// Top edge (inclusive).
    pub top: i32,
    /// Right edge (exclusive).
    pub right: i32,
    /// Bottom edge (exclusive).
    pub bottom: i32,
}

impl Bounds {
    /// A rectangle from its edges.
    pub fn new(left: i32, top: i32, right: i32, bottom: i32) -> Self {
        Bounds {
            left,
            top,
            right,
            bottom,
        }
    }

    /// Parses uiautomator's `[l,t][r,b]` form; `None` for anything else.
    pub fn parse(text: &str) -> Option<Bounds> {
        let rest = text.trim().strip_prefix('[')?;
        let (left, rest) = rest.split_once(',')?;
        let (top, rest) = rest.split_once("][")?;
        let (right, rest) = rest.split_once(',')?;
        let bottom = rest.strip_suffix(']')?;
        Some(Bounds {
            left: left.trim().parse().ok()?,
            top: top.trim().parse().ok()?,
            right: right.trim().parse().ok()?,
            bottom: bottom.trim().parse().ok()?,
        })
    }

    /// Width in pixels (0 for an inverted rectangle).
    pub fn width(&self) -> i32 {
        (self.right - self.left).max(0)
    }

    /// Height in pixels (0 for an inverted rectangle).
    pub fn height(&self) -> i32 {
        (self.bottom - self.top).max(0)
    }

    /// True when the rectangle covers no pixel (such a node cannot be tapped).
    pub fn is_empty(&self) -> bool {
        self.width() == 0 || self.height() == 0
    }

    /// The centre point `(x, y)`: where a tap on the node lands.
    pub fn center(&self) -> (i32, i32) {
        (
            self.left + (self.right - self.left) / 2,
            self.top + (self.bottom - self.top) / 2,
        )
    }

    /// True when the point lies inside the rectangle.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.left && x < self.right && y >= self.top && y < self.bottom
    }
}

impl std::fmt::Display for Bounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{},{}][{},{}]",
            self.left, self.top, self.right, self.bottom
        )
    }
}

/// Position of a node in its [`UiTree`] (document order, from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeId(pub usize);

/// The boolean attributes of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NodeFlags {
    /// `checkable`.
    pub checkable: bool,
    /// `checked`.
    pub checked: bool,
    /// `clickable`.
    pub clickable: bool,
    /// `enabled`.
    pub enabled: bool,
    /// `focusable`.
    pub focusable: bool,
    /// `focused`.
    pub focused: bool,
    /// `scrollable`.
    pub scrollable: bool,
    /// `long-clickable`.
    pub long_clickable: bool,
    /// `password`: the field hides what is typed into it.
    pub password: bool,
    /// `selected`.
    pub selected: bool,
    /// `visible-to-user` (newer dumps; true where the attribute is absent).
    pub visible_to_user: bool,
    /// `NAF="true"`: uiautomator found the node not accessibility-friendly.
    pub naf: bool,
}

/// One view of the window hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiNode {
    /// This node's position in the tree.
    pub id: NodeId,
    /// The enclosing node; `None` for a top-level window.
    pub parent: Option<NodeId>,
    /// Nodes directly inside this one, in document order.
    pub children: Vec<NodeId>,
    /// Nesting depth; top-level windows are at 0.
    pub depth: u32,
    /// `text`.
    pub text: String,
    /// `resource-id`, e.g. `com.instagram.android:id/action_bar_title` (may be empty).
    pub resource_id: String,
    /// `class`, e.g. `android.widget.TextView`.
    pub class: String,
    /// `package` of the app that drew the node.
    pub package: String,
    /// `content-desc`: the accessibility label.
    pub content_desc: String,
    /// `hint` (newer dumps; empty where absent).
    pub hint: String,
    /// Boolean attributes.
    pub flags: NodeFlags,
    /// Where the node is on screen; `None` where the dump has no (readable) bounds.
    pub bounds: Option<Bounds>,
}

impl UiNode {
    /// The node's centre, where a tap lands; `None` without bounds or with zero area.
    pub fn center(&self) -> Option<(i32, i32)> {
        self.bounds.filter(|b| !b.is_empty()).map(|b| b.center())
    }

    /// A short human description for error messages: id, text or description, and class.
    pub fn describe(&self) -> String {
        let mut out = self.class.rsplit('.').next().unwrap_or("").to_string();
        if !self.resource_id.is_empty() {
            out.push_str(&format!(" id={}", self.resource_id));
        }
        if !self.text.is_empty() {
            out.push_str(&format!(" text={:?}", self.text));
        }
        if !self.content_desc.is_empty() {
            out.push_str(&format!(" desc={:?}", self.content_desc));
        }
        out
    }
}

/// A parsed `uiautomator dump`: every node in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UiTree {
    /// `rotation` of the hierarchy (0..=3; 0 where absent).
    pub rotation: i32,
    nodes: Vec<UiNode>,
}

impl UiTree {
    /// Parses a dump. Text before the first `<` (some phones print a banner) is skipped.
    pub fn parse(xml: &str) -> Result<UiTree> {
        let start = xml.find('<').ok_or_else(|| {
            Error::validation(FIELD, "not XML: no '<' found (the dump is empty or text)")
        })?;
        Parser::new(&xml[start..], start).run()
    }

    /// Every node in document order.
    pub fn nodes(&self) -> &[UiNode] {
        &self.nodes
    }

    /// The node with this id.
    ///
    /// # Panics
    /// If the id does not come from this tree.
    pub fn node(&self, id: NodeId) -> &UiNode {
        &self.nodes[id.0]
    }

    /// The top-level nodes (one per window).
    pub fn roots(&self) -> impl Iterator<Item = &UiNode> {
        self.nodes.iter().filter(|n| n.parent.is_none())
    }

    /// The node's parent.
    pub fn parent(&self, node: &UiNode) -> Option<&UiNode> {
        node.parent.map(|p| self.node(p))
    }

    /// The node's children in document order.
    pub fn children<'a>(&'a self, node: &'a UiNode) -> impl Iterator<Item = &'a UiNode> + 'a {
        node.children.iter().map(|c| self.node(*c))
    }

    /// True when `node` lies (at any depth) inside `ancestor`.
    pub fn is_descendant(&self, node: &UiNode, ancestor: &UiNode) -> bool {
        let mut current = node.parent;
        while let Some(p) = current {
            if p == ancestor.id {
                return true;
            }
            current = self.node(p).parent;
        }
        false
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True for a dump without a single node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The package most nodes belong to, ignoring the system UI: the app on screen.
    pub fn main_package(&self) -> Option<&str> {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for node in &self.nodes {
            let package = node.package.as_str();
            if package.is_empty() || package == "com.android.systemui" {
                continue;
            }
            match counts.iter_mut().find(|(p, _)| *p == package) {
                Some((_, n)) => *n += 1,
                None => counts.push((package, 1)),
            }
        }
        counts.into_iter().max_by_key(|(_, n)| *n).map(|(p, _)| p)
    }
}

/// The streaming state of one parse.
struct Parser<'x> {
    reader: Reader<&'x [u8]>,
    source: &'x str,
    offset: usize,
    tree: UiTree,
    open: Vec<NodeId>,
    seen_hierarchy: bool,
    closed_hierarchy: bool,
}

impl<'x> Parser<'x> {
    fn new(source: &'x str, offset: usize) -> Self {
        let mut reader = Reader::from_str(source);
        reader.config_mut().check_end_names = true;
        Parser {
            reader,
            source,
            offset,
            tree: UiTree::default(),
            open: Vec::new(),
            seen_hierarchy: false,
            closed_hierarchy: false,
        }
    }

    fn run(mut self) -> Result<UiTree> {
        loop {
            let event = self.reader.read_event();
            match event {
                Ok(Event::Start(ref e)) => self.start(e, false)?,
                Ok(Event::Empty(ref e)) => self.start(e, true)?,
                Ok(Event::End(ref e)) => {
                    if e.name().as_ref() == b"node" {
                        self.open.pop();
                    } else if e.name().as_ref() == b"hierarchy" {
                        self.closed_hierarchy = true;
                    }
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(err) => {
                    let at = self.reader.error_position() as usize;
                    let what = match err {
                        quick_xml::Error::Syntax(SyntaxError::InvalidBangMarkup) => "malformed XML",
                        quick_xml::Error::Syntax(_) => "truncated XML",
                        _ => "malformed XML",
                    };
                    return Err(self.error_at(at, &format!("{what}: {err}")));
                }
            }
        }
        let end = self.source.len();
        if !self.seen_hierarchy {
            return Err(self.error_at(end, "no <hierarchy> element: not a uiautomator dump"));
        }
        if !self.open.is_empty() || !self.closed_hierarchy {
            return Err(self.error_at(
                end,
                &format!(
                    "truncated: the document ends with {} element(s) still open",
                    self.open.len() + usize::from(!self.closed_hierarchy)
                ),
            ));
        }
        Ok(self.tree)
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<()> {
        match e.name().as_ref() {
            b"hierarchy" => {
                self.seen_hierarchy = true;
                self.closed_hierarchy = empty;
                for attr in e.attributes().with_checks(false).flatten() {
                    if attr.key.as_ref() == b"rotation" {
                        let value = self.value(&attr.value);
                        self.tree.rotation = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            b"node" => {
                if !self.seen_hierarchy || self.closed_hierarchy {
                    let at = self.reader.buffer_position() as usize;
                    return Err(self.error_at(at, "<node> outside <hierarchy>"));
                }
                let node = self.node(e)?;
                let id = node.id;
                if let Some(parent) = node.parent {
                    self.tree.nodes[parent.0].children.push(id);
                }
                self.tree.nodes.push(node);
                if !empty {
                    self.open.push(id);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn node(&self, e: &BytesStart<'_>) -> Result<UiNode> {
        let id = NodeId(self.tree.nodes.len());
        let parent = self.open.last().copied();
        let mut node = UiNode {
            id,
            parent,
            children: Vec::new(),
            depth: self.open.len() as u32,
            text: String::new(),
            resource_id: String::new(),
            class: String::new(),
            package: String::new(),
            content_desc: String::new(),
            hint: String::new(),
            flags: NodeFlags {
                visible_to_user: true,
                ..NodeFlags::default()
            },
            bounds: None,
        };
        for attr in e.attributes().with_checks(false) {
            let attr = attr.map_err(|err| {
                let at = self.reader.buffer_position() as usize;
                self.error_at(at, &format!("malformed attribute: {err}"))
            })?;
            let flag = |v: &[u8]| v == b"true";
            match attr.key.as_ref() {
                b"text" => node.text = self.value(&attr.value).into_owned(),
                b"resource-id" => node.resource_id = self.value(&attr.value).into_owned(),
                b"class" => node.class = self.value(&attr.value).into_owned(),
                b"package" => node.package = self.value(&attr.value).into_owned(),
                b"content-desc" => node.content_desc = self.value(&attr.value).into_owned(),
                b"hint" => node.hint = self.value(&attr.value).into_owned(),
                b"bounds" => node.bounds = Bounds::parse(&self.value(&attr.value)),
                b"checkable" => node.flags.checkable = flag(&attr.value),
                b"checked" => node.flags.checked = flag(&attr.value),
                b"clickable" => node.flags.clickable = flag(&attr.value),
                b"enabled" => node.flags.enabled = flag(&attr.value),
                b"focusable" => node.flags.focusable = flag(&attr.value),
                b"focused" => node.flags.focused = flag(&attr.value),
                b"scrollable" => node.flags.scrollable = flag(&attr.value),
                b"long-clickable" => node.flags.long_clickable = flag(&attr.value),
                b"password" => node.flags.password = flag(&attr.value),
                b"selected" => node.flags.selected = flag(&attr.value),
                b"visible-to-user" => node.flags.visible_to_user = flag(&attr.value),
                b"NAF" => node.flags.naf = flag(&attr.value),
                _ => {}
            }
        }
        Ok(node)
    }

    /// An attribute's text with entities resolved; an entity XML does not define
    /// (phones never write one, hand-edited files might) is kept verbatim.
    fn value<'v>(&self, raw: &'v [u8]) -> Cow<'v, str> {
        let text = String::from_utf8_lossy(raw);
        if !text.contains('&') {
            return text;
        }
        match quick_xml::escape::unescape(&text) {
            Ok(unescaped) => Cow::Owned(unescaped.into_owned()),
            Err(_) => text,
        }
    }

    /// A validation error pointing at byte `at` of the parsed text (line and column from 1).
    fn error_at(&self, at: usize, what: &str) -> Error {
        let at = at.min(self.source.len());
        let before = &self.source.as_bytes()[..at];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = at
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        Error::validation(
            FIELD,
            format!(
                "{what} (byte {}, line {line}, column {column})",
                at + self.offset
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<hierarchy rotation="1">
  <node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example" content-desc="" clickable="false" enabled="true" bounds="[0,0][1080,2340]" future-attr="x">
    <node index="0" text="Tom &amp; Jerry&#10;&lt;3" resource-id="com.example:id/title" class="android.widget.TextView" package="com.example" content-desc="" clickable="true" password="false" bounds="[10,20][110,60]" />
    <node index="1" text="Привет 你好 🎉" resource-id="" class="android.widget.EditText" package="com.example" content-desc="pwd" password="true" NAF="true" bounds="[0,0][0,0]" />
    <node index="2" text="no bounds" class="android.view.View" package="com.example" />
  </node>
</hierarchy>"#;

    #[test]
    fn parses_attributes_entities_and_structure() {
        let tree = UiTree::parse(SMALL).unwrap();
        assert_eq!(tree.rotation, 1);
        assert_eq!(tree.len(), 4);
        let root = &tree.nodes()[0];
        assert_eq!(root.children, vec![NodeId(1), NodeId(2), NodeId(3)]);
        let title = &tree.nodes()[1];
        assert_eq!(title.text, "Tom & Jerry\n<3");
        assert_eq!(title.resource_id, "com.example:id/title");
        assert!(title.flags.clickable);
        assert_eq!(title.parent, Some(NodeId(0)));
        assert_eq!(title.depth, 1);
        assert_eq!(title.center(), Some((60, 40)));
        let field = &tree.nodes()[2];
        assert_eq!(field.text, "Привет 你好 🎉");
        assert!(field.flags.password && field.flags.naf);
        assert_eq!(field.bounds, Some(Bounds::new(0, 0, 0, 0)));
        assert_eq!(field.center(), None, "zero-area bounds have no tap point");
        let bare = &tree.nodes()[3];
        assert_eq!(bare.bounds, None);
        assert!(bare.flags.visible_to_user);
        assert_eq!(bare.resource_id, "");
        assert_eq!(tree.main_package(), Some("com.example"));
        assert!(tree.is_descendant(bare, root));
        assert!(!tree.is_descendant(root, bare));
    }

    #[test]
    fn skips_a_banner_before_the_xml() {
        let tree =
            UiTree::parse("UI hierchary dumped to: /dev/tty\n<hierarchy rotation=\"0\"/>").unwrap();
        assert!(tree.is_empty());
    }

    #[test]
    fn bounds_parse_and_reject() {
        assert_eq!(
            Bounds::parse("[-5,10][20,30]"),
            Some(Bounds::new(-5, 10, 20, 30))
        );
        for bad in ["", "[1,2][3]", "[a,b][c,d]", "1,2,3,4", "[1,2][3,4"] {
            assert_eq!(Bounds::parse(bad), None, "{bad}");
        }
        let b = Bounds::new(0, 0, 10, 10);
        assert!(b.contains(0, 0) && !b.contains(10, 5));
        assert_eq!(b.to_string(), "[0,0][10,10]");
        assert_eq!(Bounds::new(10, 10, 0, 0).width(), 0);
    }

    fn err(xml: &str) -> String {
        let e = UiTree::parse(xml).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation, "{e}");
        e.to_string()
    }

    #[test]
    fn rejects_what_is_not_a_dump() {
        assert!(err("").contains("not XML"));
        assert!(err("ERROR: could not get idle state.").contains("not XML"));
        assert!(err("<html><body/></html>").contains("no <hierarchy>"));
    }

    #[test]
    fn rejects_truncated_xml_naming_the_position() {
        let cut = &SMALL[..SMALL.len() / 2];
        let message = err(cut);
        assert!(
            message.contains("truncated") || message.contains("malformed"),
            "{message}"
        );
        assert!(message.contains("line "), "{message}");
        let message = err("<hierarchy><node text=\"a\">");
        assert!(message.contains("truncated"), "{message}");
    }

    #[test]
    fn rejects_malformed_xml_naming_the_position() {
        let message = err("<hierarchy>\n<node text=\"a\"></wrong></hierarchy>");
        assert!(message.contains("malformed"), "{message}");
        assert!(message.contains("line 2"), "{message}");
        let message = err("<hierarchy><node text=\"a></hierarchy>");
        assert!(
            message.contains("malformed") || message.contains("truncated"),
            "{message}"
        );
        let message = err("<node text=\"a\"/>");
        assert!(message.contains("outside"), "{message}");
    }

    #[test]
    fn keeps_unknown_entities_verbatim() {
        let tree = UiTree::parse("<hierarchy><node text=\"a&nbsp;b\"/></hierarchy>").unwrap();
        assert_eq!(tree.nodes()[0].text, "a&nbsp;b");
    }
}
