//! Selectors: which node of a [`UiTree`] automation means.
//!
//! A selector is a set of conditions on one node (id, text, description, class,
//! package, flags) plus optional relations to other nodes (inside, containing,
//! sibling of, after in the document, or left of / right of / above / below /
//! near a node matched by another selector). Relations make obfuscated screens
//! workable: "the number left of the label 粉丝" is
//! `Selector::new().text_matches(r"^\d")?.left_of(Selector::new().text("粉丝"))`.
//!
//! [`Selector::find`] returns the best match: the one closest to its anchor for
//! layout relations, the nearest following node for `following`, otherwise the
//! first in document order.

use std::fmt;

use regex::Regex;

use super::ui::{Bounds, UiNode, UiTree};
use crate::error::{Error, Result};

/// A test on a string attribute.
#[derive(Clone)]
enum TextTest {
    Exact(String),
    Contains(String),
    Regex(Regex),
}

impl TextTest {
    fn matches(&self, value: &str) -> bool {
        match self {
            TextTest::Exact(want) => value == want,
            TextTest::Contains(part) => value.contains(part.as_str()),
            TextTest::Regex(re) => re.is_match(value),
        }
    }

    fn describe(&self, attribute: &str) -> String {
        match self {
            TextTest::Exact(v) => format!("{attribute}={v:?}"),
            TextTest::Contains(v) => format!("{attribute} contains {v:?}"),
            TextTest::Regex(re) => format!("{attribute} ~ /{}/", re.as_str()),
        }
    }
}

/// One condition on the node itself.
#[derive(Clone)]
enum Condition {
    Id(String),
    Text(TextTest),
    Desc(TextTest),
    Class(String),
    Package(String),
    Password(bool),
    Clickable(bool),
    Enabled(bool),
    Checked(bool),
    Tappable,
}

impl Condition {
    fn matches(&self, node: &UiNode) -> bool {
        match self {
            Condition::Id(id) => id_matches(&node.resource_id, id),
            Condition::Text(t) => t.matches(&node.text),
            Condition::Desc(t) => t.matches(&node.content_desc),
            Condition::Class(c) => {
                node.class == *c || node.class.rsplit('.').next() == Some(c.as_str())
            }
            Condition::Package(p) => node.package == *p,
            Condition::Password(v) => node.flags.password == *v,
            Condition::Clickable(v) => node.flags.clickable == *v,
            Condition::Enabled(v) => node.flags.enabled == *v,
            Condition::Checked(v) => node.flags.checked == *v,
            Condition::Tappable => node.center().is_some(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Condition::Id(id) => format!("id={id:?}"),
            Condition::Text(t) => t.describe("text"),
            Condition::Desc(t) => t.describe("desc"),
            Condition::Class(c) => format!("class={c:?}"),
            Condition::Package(p) => format!("package={p:?}"),
            Condition::Password(v) => format!("password={v}"),
            Condition::Clickable(v) => format!("clickable={v}"),
            Condition::Enabled(v) => format!("enabled={v}"),
            Condition::Checked(v) => format!("checked={v}"),
            Condition::Tappable => "on screen".to_string(),
        }
    }
}

/// A full id (`pkg:id/name`) matches exactly; a bare name matches the part after `:id/`.
fn id_matches(resource_id: &str, wanted: &str) -> bool {
    if wanted.contains(":id/") {
        resource_id == wanted
    } else {
        resource_id
            .split_once(":id/")
            .map_or(resource_id == wanted, |(_, name)| name == wanted)
    }
}

/// How a node relates to the anchor nodes of another selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    ChildOf,
    DescendantOf,
    ParentOf,
    Contains,
    SiblingOf,
    Following,
    Preceding,
    Above,
    Below,
    LeftOf,
    RightOf,
    Near,
}

impl Relation {
    fn word(self) -> &'static str {
        match self {
            Relation::ChildOf => "child of",
            Relation::DescendantOf => "inside",
            Relation::ParentOf => "parent of",
            Relation::Contains => "containing",
            Relation::SiblingOf => "sibling of",
            Relation::Following => "after",
            Relation::Preceding => "before",
            Relation::Above => "above",
            Relation::Below => "below",
            Relation::LeftOf => "left of",
            Relation::RightOf => "right of",
            Relation::Near => "near",
        }
    }

    /// `Some(distance)` when `node` stands in this relation to `anchor`; smaller is better.
    fn score(self, tree: &UiTree, node: &UiNode, anchor: &UiNode) -> Option<u64> {
        if node.id == anchor.id {
            return None;
        }
        let order = |a: &UiNode, b: &UiNode| (b.id.0 as i64 - a.id.0 as i64).unsigned_abs();
        match self {
            Relation::ChildOf => (node.parent == Some(anchor.id)).then_some(0),
            Relation::ParentOf => (anchor.parent == Some(node.id)).then_some(0),
            Relation::DescendantOf => tree
                .is_descendant(node, anchor)
                .then(|| u64::from(node.depth - anchor.depth)),
            Relation::Contains => tree
                .is_descendant(anchor, node)
                .then(|| u64::from(anchor.depth - node.depth)),
            Relation::SiblingOf => (node.parent == anchor.parent).then(|| order(node, anchor)),
            Relation::Following => (node.id > anchor.id).then(|| order(node, anchor)),
            Relation::Preceding => (node.id < anchor.id).then(|| order(node, anchor)),
            Relation::Above | Relation::Below | Relation::LeftOf | Relation::RightOf => {
                if nested(tree, node, anchor) {
                    return None;
                }
                spatial(self, visible(node)?, visible(anchor)?)
            }
            Relation::Near => {
                if nested(tree, node, anchor) {
                    return None;
                }
                Some(gap(visible(node)?, visible(anchor)?))
            }
        }
    }
}

/// Containers and their contents are never beside each other.
fn nested(tree: &UiTree, a: &UiNode, b: &UiNode) -> bool {
    tree.is_descendant(a, b) || tree.is_descendant(b, a)
}

fn visible(node: &UiNode) -> Option<Bounds> {
    node.bounds.filter(|b| !b.is_empty())
}

/// Distance between two rectangles (0 when they touch or overlap), squared pixels.
fn gap(a: Bounds, b: Bounds) -> u64 {
    let dx = (b.left - a.right).max(a.left - b.right).max(0) as u64;
    let dy = (b.top - a.bottom).max(a.top - b.bottom).max(0) as u64;
    dx * dx + dy * dy
}

/// Layout relations: the node's centre lies beyond the anchor's edge, in the same
/// column (above/below) or row (left/right); the score is the gap plus any offset
/// across the axis, so the label's own value wins over a neighbour's.
fn spatial(relation: Relation, node: Bounds, anchor: Bounds) -> Option<u64> {
    let (cx, cy) = node.center();
    let overlaps_x = node.left < anchor.right && anchor.left < node.right;
    let overlaps_y = node.top < anchor.bottom && anchor.top < node.bottom;
    let (ax, ay) = anchor.center();
    let beyond = match relation {
        Relation::Above => cy < anchor.top && overlaps_x,
        Relation::Below => cy >= anchor.bottom && overlaps_x,
        Relation::LeftOf => cx < anchor.left && overlaps_y,
        Relation::RightOf => cx >= anchor.right && overlaps_y,
        _ => false,
    };
    let across = match relation {
        Relation::Above | Relation::Below => (cx - ax).unsigned_abs(),
        _ => (cy - ay).unsigned_abs(),
    };
    beyond.then(|| gap(node, anchor) + u64::from(across) * u64::from(across))
}

/// Which nodes automation means: conditions on the node and relations to others.
#[derive(Clone, Default)]
pub struct Selector {
    conditions: Vec<Condition>,
    relations: Vec<(Relation, Selector)>,
}

impl Selector {
    /// A selector matching every node; narrow it with the methods below.
    pub fn new() -> Self {
        Selector::default()
    }

    fn with(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    fn related(mut self, relation: Relation, other: Selector) -> Self {
        self.relations.push((relation, other));
        self
    }

    /// Resource id: a full `pkg:id/name` matches exactly, a bare `name` any package.
    pub fn id(self, id: impl Into<String>) -> Self {
        self.with(Condition::Id(id.into()))
    }

    /// Text equal to `text`.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.with(Condition::Text(TextTest::Exact(text.into())))
    }

    /// Text containing `part`.
    pub fn text_contains(self, part: impl Into<String>) -> Self {
        self.with(Condition::Text(TextTest::Contains(part.into())))
    }

    /// Text matching a regular expression; a bad pattern is a `Validation` error.
    pub fn text_matches(self, pattern: &str) -> Result<Self> {
        Ok(self.with(Condition::Text(TextTest::Regex(regex(pattern)?))))
    }

    /// Content description equal to `desc`.
    pub fn desc(self, desc: impl Into<String>) -> Self {
        self.with(Condition::Desc(TextTest::Exact(desc.into())))
    }

    /// Content description containing `part`.
    pub fn desc_contains(self, part: impl Into<String>) -> Self {
        self.with(Condition::Desc(TextTest::Contains(part.into())))
    }

    /// Content description matching a regular expression.
    pub fn desc_matches(self, pattern: &str) -> Result<Self> {
        Ok(self.with(Condition::Desc(TextTest::Regex(regex(pattern)?))))
    }

    /// Class: full (`android.widget.EditText`) or short (`EditText`).
    pub fn class(self, class: impl Into<String>) -> Self {
        self.with(Condition::Class(class.into()))
    }

    /// The app package that drew the node.
    pub fn package(self, package: impl Into<String>) -> Self {
        self.with(Condition::Package(package.into()))
    }

    /// Whether the node is a password field.
    pub fn password(self, yes: bool) -> Self {
        self.with(Condition::Password(yes))
    }

    /// Whether the node is clickable.
    pub fn clickable(self, yes: bool) -> Self {
        self.with(Condition::Clickable(yes))
    }

    /// Whether the node is enabled.
    pub fn enabled(self, yes: bool) -> Self {
        self.with(Condition::Enabled(yes))
    }

    /// Whether the node is checked.
    pub fn checked(self, yes: bool) -> Self {
        self.with(Condition::Checked(yes))
    }

    /// Only nodes with a non-empty rectangle on screen (something a tap can hit).
    pub fn on_screen(self) -> Self {
        self.with(Condition::Tappable)
    }

    /// Directly inside a node matching `parent`.
    pub fn child_of(self, parent: Selector) -> Self {
        self.related(Relation::ChildOf, parent)
    }

    /// Inside (at any depth) a node matching `ancestor`.
    pub fn inside(self, ancestor: Selector) -> Self {
        self.related(Relation::DescendantOf, ancestor)
    }

    /// The direct parent of a node matching `child`.
    pub fn parent_of(self, child: Selector) -> Self {
        self.related(Relation::ParentOf, child)
    }

    /// Containing (at any depth) a node matching `inner`; the innermost wins.
    pub fn containing(self, inner: Selector) -> Self {
        self.related(Relation::Contains, inner)
    }

    /// Sharing a parent with a node matching `other`; the nearest in order wins.
    pub fn sibling_of(self, other: Selector) -> Self {
        self.related(Relation::SiblingOf, other)
    }

    /// After a node matching `other` in document order; the nearest wins.
    pub fn following(self, other: Selector) -> Self {
        self.related(Relation::Following, other)
    }

    /// Before a node matching `other` in document order; the nearest wins.
    pub fn preceding(self, other: Selector) -> Self {
        self.related(Relation::Preceding, other)
    }

    /// On screen above a node matching `other`, in its column; the closest wins.
    pub fn above(self, other: Selector) -> Self {
        self.related(Relation::Above, other)
    }

    /// On screen below a node matching `other`, in its column; the closest wins.
    pub fn below(self, other: Selector) -> Self {
        self.related(Relation::Below, other)
    }

    /// On screen left of a node matching `other`, in its row; the closest wins.
    pub fn left_of(self, other: Selector) -> Self {
        self.related(Relation::LeftOf, other)
    }

    /// On screen right of a node matching `other`, in its row; the closest wins.
    pub fn right_of(self, other: Selector) -> Self {
        self.related(Relation::RightOf, other)
    }

    /// Any node on screen, the closest to a node matching `other` first.
    pub fn near(self, other: Selector) -> Self {
        self.related(Relation::Near, other)
    }

    /// True when the node itself satisfies every condition (relations not checked).
    fn conditions_hold(&self, node: &UiNode) -> bool {
        self.conditions.iter().all(|c| c.matches(node))
    }

    /// The node's score under every relation (sum of best distances); `None` if one fails.
    fn score(&self, tree: &UiTree, node: &UiNode, anchors: &[Vec<&UiNode>]) -> Option<u64> {
        let mut total = 0u64;
        for ((relation, _), anchors) in self.relations.iter().zip(anchors) {
            let best = anchors
                .iter()
                .filter_map(|a| relation.score(tree, node, a))
                .min()?;
            total = total.saturating_add(best);
        }
        Some(total)
    }

    /// Every matching node, best first (closest to the anchors, then document order).
    pub fn find_all<'t>(&self, tree: &'t UiTree) -> Vec<&'t UiNode> {
        let anchors: Vec<Vec<&UiNode>> = self
            .relations
            .iter()
            .map(|(_, other)| other.find_all(tree))
            .collect();
        if anchors.iter().any(|a| a.is_empty()) {
            return Vec::new();
        }
        let mut scored: Vec<(u64, &UiNode)> = tree
            .nodes()
            .iter()
            .filter(|node| self.conditions_hold(node))
            .filter_map(|node| self.score(tree, node, &anchors).map(|s| (s, node)))
            .collect();
        scored.sort_by_key(|(score, node)| (*score, node.id));
        scored.into_iter().map(|(_, node)| node).collect()
    }

    /// The best matching node, if any.
    pub fn find<'t>(&self, tree: &'t UiTree) -> Option<&'t UiNode> {
        self.find_all(tree).into_iter().next()
    }

    /// True when some node matches.
    pub fn exists(&self, tree: &UiTree) -> bool {
        self.find(tree).is_some()
    }
}

fn regex(pattern: &str) -> Result<Regex> {
    Regex::new(pattern)
        .map_err(|e| Error::validation("selector pattern", format!("{pattern:?}: {e}")))
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = self.conditions.iter().map(Condition::describe).collect();
        if parts.is_empty() {
            parts.push("any node".to_string());
        }
        for (relation, other) in &self.relations {
            parts.push(format!("{} ({other})", relation.word()));
        }
        f.write_str(&parts.join(", "))
    }
}

impl fmt::Debug for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Selector({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = r#"<hierarchy rotation="0">
<node class="android.widget.FrameLayout" package="com.app" bounds="[0,0][1080,2000]">
  <node class="android.widget.LinearLayout" package="com.app" bounds="[0,500][1080,700]">
    <node text="1,234" resource-id="com.app:id/x1" class="android.widget.TextView" package="com.app" bounds="[100,500][300,560]"/>
    <node text="Following" class="android.widget.TextView" package="com.app" bounds="[100,580][300,620]"/>
    <node text="12.5K" resource-id="com.app:id/x2" class="android.widget.TextView" package="com.app" bounds="[400,500][600,560]"/>
    <node text="Followers" class="android.widget.TextView" package="com.app" bounds="[400,580][600,620]"/>
  </node>
  <node text="" class="android.widget.EditText" package="com.app" password="true" clickable="true" bounds="[0,800][1080,900]"/>
  <node text="Log in" content-desc="Log in button" class="android.widget.Button" package="com.app" clickable="true" bounds="[0,950][1080,1050]"/>
</node>
</hierarchy>"#;

    fn tree() -> UiTree {
        UiTree::parse(PROFILE).unwrap()
    }

    fn text_of(selector: &Selector) -> String {
        let tree = tree();
        selector
            .find(&tree)
            .map(|n| n.text.clone())
            .unwrap_or_default()
    }

    #[test]
    fn finds_the_number_above_a_label() {
        let number = Selector::new().text_matches(r"^[\d.,]+[KMB]?$").unwrap();
        assert_eq!(
            text_of(&number.clone().above(Selector::new().text("Followers"))),
            "12.5K"
        );
        assert_eq!(
            text_of(&number.above(Selector::new().text("Following"))),
            "1,234"
        );
        assert_eq!(
            text_of(&Selector::new().below(Selector::new().text("12.5K"))),
            "Followers"
        );
    }

    #[test]
    fn conditions_combine() {
        assert_eq!(text_of(&Selector::new().id("x2")), "12.5K");
        assert_eq!(text_of(&Selector::new().id("com.app:id/x1")), "1,234");
        assert_eq!(text_of(&Selector::new().id("other:id/x1")), "");
        assert_eq!(
            text_of(&Selector::new().text_contains("llowe")),
            "Followers"
        );
        assert_eq!(text_of(&Selector::new().desc("Log in button")), "Log in");
        assert_eq!(text_of(&Selector::new().desc_contains("button")), "Log in");
        assert_eq!(
            text_of(&Selector::new().class("Button").clickable(true)),
            "Log in"
        );
        let tree = tree();
        let password = Selector::new().password(true).find(&tree).unwrap();
        assert_eq!(password.class, "android.widget.EditText");
        assert_eq!(
            Selector::new()
                .class("android.widget.TextView")
                .find_all(&tree)
                .len(),
            4
        );
        assert!(!Selector::new().text("nope").exists(&tree));
    }

    #[test]
    fn structural_relations() {
        let tree = tree();
        let row = Selector::new().class("LinearLayout");
        assert_eq!(
            Selector::new().child_of(row.clone()).find_all(&tree).len(),
            4
        );
        assert_eq!(
            Selector::new()
                .containing(Selector::new().text("Followers"))
                .find(&tree)
                .unwrap()
                .class,
            "android.widget.LinearLayout",
            "the innermost container comes first"
        );
        assert_eq!(
            text_of(&Selector::new().sibling_of(Selector::new().text("Followers"))),
            "12.5K"
        );
        assert_eq!(
            text_of(&Selector::new().following(Selector::new().text("Following"))),
            "12.5K"
        );
        assert_eq!(
            text_of(&Selector::new().preceding(Selector::new().text("Following"))),
            "1,234"
        );
        assert_eq!(
            text_of(&Selector::new().right_of(Selector::new().text("1,234"))),
            "12.5K"
        );
        assert!(Selector::new()
            .parent_of(Selector::new().text("Log in"))
            .inside(Selector::new())
            .find(&tree)
            .is_none());
    }

    #[test]
    fn bad_regex_is_a_validation_error() {
        let err = Selector::new().text_matches("([").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Validation);
        assert!(err.to_string().contains("(["));
    }

    #[test]
    fn display_names_the_conditions() {
        let s = Selector::new()
            .text("42")
            .above(Selector::new().text("Followers"));
        assert_eq!(s.to_string(), "text=\"42\", above (text=\"Followers\")");
        assert_eq!(Selector::new().to_string(), "any node");
    }
}
