//! Selector packs: how each screen of an app is recognised and each control
//! found, as data (JSON), so users can follow app updates without a release.
//!
//! A pack names every control by a list of alternatives tried in order — a
//! resource id first where the app's ids are stable (Instagram), then text,
//! content description and layout ("the number above the label `Followers`")
//! for apps whose ids change with every build (TikTok). Screens are recognised
//! by the controls they must show (`all`), may show one of (`any`) and must not
//! show (`none`); the first screen that fits wins, and a screen that fits none
//! is "not recognised": automation stops rather than click something wrong.
//!
//! The packs for the official apps are embedded ([`Pack::builtin`]); a file
//! with the same shape replaces one ([`Pack::load`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::account::{printable, Platform};
use crate::apps::catalogue::{Catalogue, Comparison, FactKind};
use crate::device::selector::Selector;
use crate::device::ui::{UiNode, UiTree};
use crate::error::{Error, Result};

/// Largest pack file read, in bytes.
pub const MAX_PACK_BYTES: u64 = 1024 * 1024;

const TIKTOK_JSON: &str = include_str!("packs/tiktok.json");
const INSTAGRAM_JSON: &str = include_str!("packs/instagram.json");

/// One way to find a node, as written in a pack file. Every field set must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectorSpec {
    id: Option<String>,
    text: Option<String>,
    text_contains: Option<String>,
    text_matches: Option<String>,
    desc: Option<String>,
    desc_contains: Option<String>,
    desc_matches: Option<String>,
    class: Option<String>,
    password: Option<bool>,
    clickable: Option<bool>,
    above: Option<Box<SelectorSpec>>,
    below: Option<Box<SelectorSpec>>,
    left_of: Option<Box<SelectorSpec>>,
    right_of: Option<Box<SelectorSpec>>,
    near: Option<Box<SelectorSpec>>,
    inside: Option<Box<SelectorSpec>>,
    child_of: Option<Box<SelectorSpec>>,
    sibling_of: Option<Box<SelectorSpec>>,
    following: Option<Box<SelectorSpec>>,
    containing: Option<Box<SelectorSpec>>,
}

impl SelectorSpec {
    /// The device selector this spec describes; `where_` names it in errors.
    fn compile(&self, where_: &str) -> Result<Selector> {
        let bad_regex = |e: Error| Error::validation(where_.to_string(), e.to_string());
        let mut s = Selector::new().on_screen();
        let mut conditions = 0;
        if let Some(v) = &self.id {
            s = s.id(v.clone());
            conditions += 1;
        }
        if let Some(v) = &self.text {
            s = s.text(v.clone());
            conditions += 1;
        }
        if let Some(v) = &self.text_contains {
            s = s.text_contains(v.clone());
            conditions += 1;
        }
        if let Some(v) = &self.text_matches {
            s = s.text_matches(v).map_err(bad_regex)?;
            conditions += 1;
        }
        if let Some(v) = &self.desc {
            s = s.desc(v.clone());
            conditions += 1;
        }
        if let Some(v) = &self.desc_contains {
            s = s.desc_contains(v.clone());
            conditions += 1;
        }
        if let Some(v) = &self.desc_matches {
            s = s.desc_matches(v).map_err(bad_regex)?;
            conditions += 1;
        }
        if let Some(v) = &self.class {
            s = s.class(v.clone());
        }
        if let Some(v) = self.password {
            s = s.password(v);
            conditions += 1;
        }
        if let Some(v) = self.clickable {
            s = s.clickable(v);
        }
        type Relate = fn(Selector, Selector) -> Selector;
        let relations: [(&Option<Box<SelectorSpec>>, &str, Relate); 10] = [
            (&self.above, "above", Selector::above),
            (&self.below, "below", Selector::below),
            (&self.left_of, "left_of", Selector::left_of),
            (&self.right_of, "right_of", Selector::right_of),
            (&self.near, "near", Selector::near),
            (&self.inside, "inside", Selector::inside),
            (&self.child_of, "child_of", Selector::child_of),
            (&self.sibling_of, "sibling_of", Selector::sibling_of),
            (&self.following, "following", Selector::following),
            (&self.containing, "containing", Selector::containing),
        ];
        for (spec, word, relate) in relations {
            if let Some(other) = spec {
                s = relate(s, other.compile(&format!("{where_}.{word}"))?);
                conditions += 1;
            }
        }
        if conditions == 0 {
            return Err(Error::validation(
                where_.to_string(),
                "a selector needs an id, text, description, password flag or relation",
            ));
        }
        Ok(s)
    }
}

impl SelectorSpec {
    /// Every id, text and description this spec (and the specs it relates to)
    /// compares with the screen, with where it is written (`where_`).
    fn literals(&self, where_: &str, out: &mut Vec<Literal>) {
        let own = [
            (&self.id, FactKind::Id, Comparison::Exact, "id"),
            (&self.text, FactKind::Text, Comparison::Exact, "text"),
            (
                &self.text_contains,
                FactKind::Text,
                Comparison::Contains,
                "text_contains",
            ),
            (
                &self.text_matches,
                FactKind::Text,
                Comparison::Matches,
                "text_matches",
            ),
            (&self.desc, FactKind::Desc, Comparison::Exact, "desc"),
            (
                &self.desc_contains,
                FactKind::Desc,
                Comparison::Contains,
                "desc_contains",
            ),
            (
                &self.desc_matches,
                FactKind::Desc,
                Comparison::Matches,
                "desc_matches",
            ),
        ];
        for (value, kind, how, field) in own {
            if let Some(value) = value {
                out.push(Literal {
                    at: format!("{where_}.{field}"),
                    kind,
                    how,
                    value: value.clone(),
                });
            }
        }
        let relations = [
            (&self.above, "above"),
            (&self.below, "below"),
            (&self.left_of, "left_of"),
            (&self.right_of, "right_of"),
            (&self.near, "near"),
            (&self.inside, "inside"),
            (&self.child_of, "child_of"),
            (&self.sibling_of, "sibling_of"),
            (&self.following, "following"),
            (&self.containing, "containing"),
        ];
        for (spec, word) in relations {
            if let Some(other) = spec {
                other.literals(&format!("{where_}.{word}"), out);
            }
        }
    }
}

/// One value a pack compares with the screen, and where the pack says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// Where in the pack: `controls.login_field[1].above.text`.
    pub at: String,
    /// Id, text or description.
    pub kind: FactKind,
    /// How it is compared.
    pub how: Comparison,
    /// The value (a regular expression for `Matches`).
    pub value: String,
}

/// How a screen is recognised, as written in a pack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenSpec {
    name: String,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    dismiss: Option<String>,
}

/// A pack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    app: Platform,
    app_versions: String,
    controls: BTreeMap<String, Vec<SelectorSpec>>,
    screens: Vec<ScreenSpec>,
    #[serde(default = "default_profile_tab")]
    blind_profile_tab: [f64; 2],
}

/// Both apps put the Profile tab at the right end of the bottom bar.
fn default_profile_tab() -> [f64; 2] {
    [0.9, 0.965]
}

/// A control of an app: its alternatives, tried in order.
#[derive(Clone)]
pub struct Control {
    name: String,
    alternatives: Vec<Selector>,
    specs: Vec<SelectorSpec>,
}

impl Control {
    /// The control's name in the pack.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many alternatives the control has.
    pub fn alternatives(&self) -> usize {
        self.alternatives.len()
    }

    /// The index of the first alternative that finds a node on this screen.
    pub fn matching_alternative(&self, tree: &UiTree) -> Option<usize> {
        self.alternatives
            .iter()
            .position(|s| s.find(tree).is_some())
    }

    /// The indexes of every alternative that finds a node on this screen.
    pub fn matching_alternatives(&self, tree: &UiTree) -> Vec<usize> {
        (0..self.alternatives.len())
            .filter(|&i| self.alternatives[i].find(tree).is_some())
            .collect()
    }

    /// The node the first matching alternative finds on this screen.
    pub fn find<'t>(&self, tree: &'t UiTree) -> Option<&'t UiNode> {
        self.alternatives.iter().find_map(|s| s.find(tree))
    }

    /// Every node the first matching alternative finds, in document order.
    pub fn find_all<'t>(&self, tree: &'t UiTree) -> Vec<&'t UiNode> {
        self.alternatives
            .iter()
            .map(|s| s.find_all(tree))
            .find(|found| !found.is_empty())
            .unwrap_or_default()
    }
}

/// A screen of an app and the controls that identify it.
#[derive(Debug, Clone)]
struct Screen {
    name: String,
    all: Vec<String>,
    any: Vec<String>,
    none: Vec<String>,
    dismiss: Option<String>,
}

/// A loaded, checked selector pack for one app.
#[derive(Clone)]
pub struct Pack {
    app: Platform,
    app_versions: String,
    controls: BTreeMap<String, Control>,
    screens: Vec<Screen>,
    blind_profile_tab: (f64, f64),
}

impl std::fmt::Debug for Pack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pack")
            .field("app", &self.app)
            .field("app_versions", &self.app_versions)
            .field("controls", &self.controls.len())
            .field("screens", &self.screens.len())
            .finish()
    }
}

impl Pack {
    /// The embedded pack for a platform's official app.
    pub fn builtin(app: Platform) -> Pack {
        let (name, json) = match app {
            Platform::TikTok => ("tiktok.json", TIKTOK_JSON),
            Platform::Instagram => ("instagram.json", INSTAGRAM_JSON),
        };
        // The embedded packs are checked by this crate's tests; a failure here is a build defect.
        Pack::from_json(name, json).unwrap_or_else(|e| panic!("embedded pack {name}: {e}"))
    }

    /// Reads a pack file (JSON, the shape of the embedded packs).
    pub fn load(path: &Path) -> Result<Pack> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.len() > MAX_PACK_BYTES {
            return Err(Error::pack(
                path.display().to_string(),
                format!(
                    "{} bytes; packs are limited to {MAX_PACK_BYTES}",
                    meta.len()
                ),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Pack::from_json(&path.display().to_string(), &text)
    }

    /// Parses and checks a pack; `source` names it in errors.
    ///
    /// Checked: the JSON shape (unknown fields are refused), every regex, every
    /// control a screen names, and that every control and screen the app's
    /// driver relies on is present.
    pub fn from_json(source: &str, json: &str) -> Result<Pack> {
        let invalid = |message: String| Error::pack(source, message);
        let file: PackFile =
            serde_json::from_str(json).map_err(|e| invalid(e.to_string()).with_source(e))?;
        let mut controls = BTreeMap::new();
        for (name, specs) in &file.controls {
            if specs.is_empty() {
                return Err(invalid(format!(
                    "control '{}' has no selector",
                    printable(name)
                )));
            }
            let alternatives = specs
                .iter()
                .enumerate()
                .map(|(i, spec)| spec.compile(&format!("controls.{name}[{i}]")))
                .collect::<Result<Vec<_>>>()
                .map_err(|e| invalid(e.to_string()))?;
            controls.insert(
                name.clone(),
                Control {
                    name: name.clone(),
                    alternatives,
                    specs: specs.clone(),
                },
            );
        }
        let mut screens = Vec::new();
        for spec in file.screens {
            if spec.all.is_empty() && spec.any.is_empty() {
                return Err(invalid(format!(
                    "screen '{}' names no control to recognise it by",
                    printable(&spec.name)
                )));
            }
            let named = spec.all.iter().chain(&spec.any).chain(&spec.none);
            for control in named.chain(&spec.dismiss) {
                if !controls.contains_key(control) {
                    return Err(invalid(format!(
                        "screen '{}' names the unknown control '{}'",
                        printable(&spec.name),
                        printable(control)
                    )));
                }
            }
            screens.push(Screen {
                name: spec.name,
                all: spec.all,
                any: spec.any,
                none: spec.none,
                dismiss: spec.dismiss,
            });
        }
        let [x, y] = file.blind_profile_tab;
        if !(0.0..=1.0).contains(&x) || !(0.0..=1.0).contains(&y) {
            return Err(invalid(
                "blind_profile_tab must be two fractions of the screen between 0 and 1".into(),
            ));
        }
        let pack = Pack {
            app: file.app,
            app_versions: file.app_versions,
            controls,
            screens,
            blind_profile_tab: (x, y),
        };
        let (needed_controls, needed_screens) = required(pack.app);
        let missing: Vec<&str> = needed_controls
            .iter()
            .filter(|c| !pack.controls.contains_key(**c))
            .chain(needed_screens.iter().filter(|s| !pack.has_screen(s)))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(invalid(format!(
                "the {} pack lacks {}",
                pack.app,
                missing.join(", ")
            )));
        }
        Ok(pack)
    }

    /// The app this pack drives.
    pub fn app(&self) -> Platform {
        self.app
    }

    /// The app versions the pack was written for (free text).
    pub fn app_versions(&self) -> &str {
        &self.app_versions
    }

    /// Where the Profile tab is, as fractions of the screen's width and height:
    /// what is tapped on a feed that cannot be dumped because it never goes idle.
    pub fn blind_profile_tab(&self) -> (f64, f64) {
        self.blind_profile_tab
    }

    /// A control by name; `Validation` error naming it if the pack has none.
    pub fn control(&self, name: &str) -> Result<&Control> {
        self.controls.get(name).ok_or_else(|| {
            Error::validation(
                "selector pack",
                format!("the {} pack has no control '{}'", self.app, printable(name)),
            )
        })
    }

    /// The node a control finds on this screen, if the pack has the control and it is there.
    pub fn find<'t>(&self, tree: &'t UiTree, control: &str) -> Option<&'t UiNode> {
        self.controls.get(control).and_then(|c| c.find(tree))
    }

    /// True when the pack knows a screen of this name.
    pub fn has_screen(&self, name: &str) -> bool {
        self.screens.iter().any(|s| s.name == name)
    }

    /// The control to tap to get past this screen (a "save your login info?"
    /// prompt), for screens that are only in the way.
    pub fn dismiss_control(&self, screen: &str) -> Option<&str> {
        self.screens
            .iter()
            .find(|s| s.name == screen)
            .and_then(|s| s.dismiss.as_deref())
    }

    /// The pack's controls, by name.
    pub fn controls(&self) -> impl Iterator<Item = &Control> {
        self.controls.values()
    }

    /// Each screen's name and the controls it must show, in the order tried.
    pub(crate) fn screen_requirements(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.screens
            .iter()
            .map(|s| (s.name.as_str(), s.all.as_slice()))
    }

    /// The names of the pack's screens, in the order they are tried.
    pub fn screen_names(&self) -> impl Iterator<Item = &str> {
        self.screens.iter().map(|s| s.name.as_str())
    }

    /// Every id, text and description the pack compares with the screen.
    pub fn literals(&self) -> Vec<Literal> {
        let mut out = Vec::new();
        for control in self.controls.values() {
            for (i, spec) in control.specs.iter().enumerate() {
                spec.literals(&format!("controls.{}[{i}]", control.name), &mut out);
            }
        }
        out
    }

    /// The pack's literals that no fact of `catalogue` supports: selectors
    /// written from nothing anyone has seen on a real phone.
    pub fn unsupported(&self, catalogue: &Catalogue) -> Vec<Literal> {
        self.literals()
            .into_iter()
            .filter(|l| catalogue.support(l.kind, &l.value, l.how).is_none())
            .collect()
    }

    /// The first screen of the pack that this dump shows, if any.
    pub fn recognise(&self, tree: &UiTree) -> Option<&str> {
        let shows = |name: &String| self.find(tree, name).is_some();
        self.screens
            .iter()
            .find(|s| {
                s.all.iter().all(shows)
                    && (s.any.is_empty() || s.any.iter().any(shows))
                    && !s.none.iter().any(shows)
            })
            .map(|s| s.name.as_str())
    }
}

/// The pack of each app, as the workflows use them: the embedded ones unless replaced.
#[derive(Debug, Clone)]
pub struct Packs {
    tiktok: Arc<Pack>,
    instagram: Arc<Pack>,
}

impl Packs {
    /// The embedded packs.
    pub fn builtin() -> Self {
        Packs {
            tiktok: Arc::new(Pack::builtin(Platform::TikTok)),
            instagram: Arc::new(Pack::builtin(Platform::Instagram)),
        }
    }

    /// Uses `pack` for its app from now on.
    pub fn set(&mut self, pack: Pack) {
        match pack.app() {
            Platform::TikTok => self.tiktok = Arc::new(pack),
            Platform::Instagram => self.instagram = Arc::new(pack),
        }
    }

    /// The pack for a platform's app.
    pub fn get(&self, app: Platform) -> &Arc<Pack> {
        match app {
            Platform::TikTok => &self.tiktok,
            Platform::Instagram => &self.instagram,
        }
    }
}

impl Default for Packs {
    fn default() -> Self {
        Packs::builtin()
    }
}

/// Controls and screens each app's driver relies on.
fn required(app: Platform) -> (&'static [&'static str], &'static [&'static str]) {
    match app {
        Platform::TikTok => (
            crate::apps::tiktok::REQUIRED_CONTROLS,
            crate::apps::screen::REQUIRED_SCREENS,
        ),
        Platform::Instagram => (
            crate::apps::instagram::REQUIRED_CONTROLS,
            crate::apps::screen::REQUIRED_SCREENS,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn builtin_packs_load_and_name_their_app() {
        for app in Platform::ALL {
            let pack = Pack::builtin(app);
            assert_eq!(pack.app(), app);
            assert!(!pack.app_versions().is_empty());
        }
    }

    #[test]
    fn every_selector_of_the_builtin_packs_has_a_fact_behind_it() {
        for app in Platform::ALL {
            let pack = Pack::builtin(app);
            let unsupported = pack.unsupported(Catalogue::builtin(app));
            assert!(
                unsupported.is_empty(),
                "{app}: no fact for {unsupported:#?}"
            );
        }
    }

    #[test]
    fn invented_selectors_are_reported_as_unsupported() {
        let json = INSTAGRAM_JSON.replacen(
            r#"{"id": "row_profile_header_textview_post_count"}"#,
            r#"{"id": "profile_header_post_count_value"}, {"desc_contains": "Country: "}"#,
            1,
        );
        let pack = Pack::from_json("edited.json", &json).unwrap();
        let unsupported: Vec<(String, String)> = pack
            .unsupported(Catalogue::builtin(Platform::Instagram))
            .into_iter()
            .map(|l| (l.at, l.value))
            .collect();
        assert_eq!(
            unsupported,
            [
                (
                    "controls.profile_posts_value[2].id".to_string(),
                    "profile_header_post_count_value".to_string()
                ),
                (
                    "controls.profile_posts_value[3].desc_contains".to_string(),
                    "Country: ".to_string()
                ),
            ]
        );
    }

    #[test]
    fn the_unsourced_facts_the_packs_still_rely_on_are_these() {
        let mut relied = Vec::new();
        for app in Platform::ALL {
            let catalogue = Catalogue::builtin(app);
            for literal in Pack::builtin(app).literals() {
                let fact = catalogue
                    .support(literal.kind, &literal.value, literal.how)
                    .expect("every literal has a fact");
                if fact.source == crate::apps::catalogue::UNSOURCED {
                    relied.push(format!("{app} {}", fact.value));
                }
            }
        }
        relied.sort();
        relied.dedup();
        assert_eq!(
            relied,
            [
                "tiktok Account doesn't exist",
                "tiktok Add account",
                "tiktok Incorrect code",
                "tiktok Your account was suspended",
            ]
        );
    }

    #[test]
    fn tiktok_counts_are_found_by_label_and_layout_whatever_the_ids() {
        let xml = r#"<hierarchy rotation="0">
<node index="0" text="" resource-id="com.zhiliaoapp.musically:id/x1" class="android.widget.FrameLayout" package="com.zhiliaoapp.musically" content-desc="" bounds="[0,0][1080,2400]">
<node index="0" text="@alice" resource-id="com.zhiliaoapp.musically:id/q9z" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[400,500][680,560]"/>
<node index="1" text="12" resource-id="com.zhiliaoapp.musically:id/a1" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[180,600][360,660]"/>
<node index="2" text="Following" resource-id="com.zhiliaoapp.musically:id/b2" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[180,670][360,720]"/>
<node index="3" text="12.5K" resource-id="com.zhiliaoapp.musically:id/a1" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[450,600][630,660]"/>
<node index="4" text="Followers" resource-id="com.zhiliaoapp.musically:id/b2" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[450,670][630,720]"/>
<node index="5" text="3.4M" resource-id="com.zhiliaoapp.musically:id/a1" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[720,600][900,660]"/>
<node index="6" text="Likes" resource-id="com.zhiliaoapp.musically:id/b2" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[720,670][900,720]"/>
</node></hierarchy>"#;
        let tree = UiTree::parse(xml).unwrap();
        let pack = Pack::builtin(Platform::TikTok);
        let text = |control: &str| pack.find(&tree, control).map(|n| n.text.clone());
        assert_eq!(text("profile_following_value").as_deref(), Some("12"));
        assert_eq!(text("profile_followers_value").as_deref(), Some("12.5K"));
        assert_eq!(text("profile_likes_value").as_deref(), Some("3.4M"));
        assert_eq!(text("profile_handle").as_deref(), Some("@alice"));
        assert_eq!(pack.recognise(&tree), Some("profile"));
    }

    #[test]
    fn bad_packs_are_refused_with_the_reason() {
        let cases = [
            ("not json", "expected"),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{},"screens":[],"blind_profile_tab":[2,0.5]}"#,
                "fractions",
            ),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{},"screens":[],"extra":1}"#,
                "extra",
            ),
            (
                r#"{"app":"myspace","app_versions":"x","controls":{},"screens":[]}"#,
                "myspace",
            ),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{"a":[{"text_matches":"("}]},"screens":[]}"#,
                "controls.a[0]",
            ),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{"a":[{}]},"screens":[]}"#,
                "controls.a[0]",
            ),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{"a":[]},"screens":[]}"#,
                "'a' has no selector",
            ),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{"a":[{"text":"A"}]},"screens":[{"name":"s","all":["b"]}]}"#,
                "unknown control 'b'",
            ),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{"a":[{"text":"A"}]},"screens":[{"name":"s"}]}"#,
                "names no control",
            ),
            (
                r#"{"app":"tiktok","app_versions":"x","controls":{"a":[{"text":"A"}]},"screens":[]}"#,
                "lacks",
            ),
        ];
        for (json, needle) in cases {
            let err = Pack::from_json("my-pack.json", json).expect_err(json);
            assert_eq!(err.kind(), ErrorKind::Pack, "{json}");
            let message = err.to_string();
            assert!(message.contains("my-pack.json"), "{message}");
            assert!(
                message.contains(needle),
                "{message} should mention {needle}"
            );
        }
    }

    #[test]
    fn a_pack_file_replaces_the_builtin_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("instagram.json");
        let json = INSTAGRAM_JSON.replace("\"app_versions\": \"", "\"app_versions\": \"custom ");
        std::fs::write(&path, json).unwrap();
        let pack = Pack::load(&path).unwrap();
        assert!(pack.app_versions().starts_with("custom "));
        let missing = Pack::load(&dir.path().join("nope.json")).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::Io);
        let huge = dir.path().join("huge.json");
        std::fs::write(&huge, vec![b' '; MAX_PACK_BYTES as usize + 1]).unwrap();
        let err = Pack::load(&huge).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Pack, "{err}");
        assert!(err.to_string().contains("limited"), "{err}");
    }

    #[test]
    fn the_json_error_behind_a_bad_pack_is_its_source() {
        use std::error::Error as _;
        let err = Pack::from_json("my-pack.json", "{\"app\": ").unwrap_err();
        let cause = err.source().expect("the JSON error is kept");
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .expect("a serde_json error");
        assert!(json.is_eof(), "{json}");
        let err = Pack::from_json(
            "my-pack.json",
            r#"{"app":"tiktok","app_versions":"x","controls":{"a":[]},"screens":[]}"#,
        )
        .unwrap_err();
        assert!(
            err.source().is_none(),
            "a rule of packs has no cause: {err}"
        );
    }
}
