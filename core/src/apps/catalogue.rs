//! The catalogue of app facts: the resource ids, texts and content
//! descriptions that TikTok and Instagram show, per app version, each with the
//! public source it was read from.
//!
//! It is data (`catalogue/*.json`, embedded at compile time) and the one place
//! both sides of the automation are written from: the selector packs may only
//! name what a fact supports ([`Catalogue::support`]), and the simulated apps
//! draw their screens from the same facts for the version they simulate. A
//! fact no public source shows is marked `"source": "unsourced"` with a note,
//! so that what remains unproven is listed ([`Catalogue::unsourced`]) rather
//! than hidden.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::account::{printable, Platform};
use crate::error::{Error, Result};

const TIKTOK_JSON: &str = include_str!("catalogue/tiktok.json");
const INSTAGRAM_JSON: &str = include_str!("catalogue/instagram.json");

/// The source name of facts that no public source shows.
pub const UNSOURCED: &str = "unsourced";

static TIKTOK: LazyLock<Catalogue> = LazyLock::new(|| embedded("tiktok.json", TIKTOK_JSON));
static INSTAGRAM: LazyLock<Catalogue> =
    LazyLock::new(|| embedded("instagram.json", INSTAGRAM_JSON));

/// An embedded catalogue; they are checked by this crate's tests, so a failure is a build defect.
fn embedded(name: &str, json: &str) -> Catalogue {
    Catalogue::from_json(name, json).unwrap_or_else(|e| panic!("embedded catalogue {name}: {e}"))
}

/// What a fact is about: a node's resource id, its text or its content description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FactKind {
    /// A resource id (the name after `:id/`, or a full `android:id/...`).
    Id,
    /// A node's text (what a TextView or Button shows, or an EditText's hint).
    Text,
    /// A node's content description.
    Desc,
}

impl std::fmt::Display for FactKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FactKind::Id => "id",
            FactKind::Text => "text",
            FactKind::Desc => "desc",
        })
    }
}

/// One public fact about an app's screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// What the fact is about, as `screen.control` (`profile.followers_value`).
    pub key: String,
    /// Id, text or description.
    pub kind: FactKind,
    /// The id, text or description itself.
    pub value: String,
    /// True when the app shows this as part of a longer text (`incorrect`).
    pub part: bool,
    /// First app version the fact holds for (inclusive).
    pub from: u32,
    /// First app version it no longer holds for; `None` when it still does.
    pub until: Option<u32>,
    /// The app version(s) the source saw it in.
    pub seen: String,
    /// Name of the source in the catalogue's `sources` ([`UNSOURCED`] when none).
    pub source: String,
    /// Why an unsourced fact is kept.
    pub note: Option<String>,
}

impl Fact {
    /// True when the fact holds for app `version`.
    pub fn holds_for(&self, version: u32) -> bool {
        version >= self.from && self.until.is_none_or(|until| version < until)
    }
}

/// Where facts were read: a public project and a file in it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The project (`GramAddict/bot`).
    pub project: String,
    /// The file in it (`GramAddict/core/resources.py`).
    pub file: String,
}

/// An app version the catalogue covers: the simulator draws it, the packs are checked against it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Build {
    /// The version number (Instagram `410`, TikTok's major `43`).
    pub version: u32,
    /// What sets this version apart.
    pub name: String,
}

/// How a selector compares a literal with what a node shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The node shows exactly the literal.
    Exact,
    /// The node's value contains the literal.
    Contains,
    /// The literal is a regular expression the node's value matches.
    Matches,
}

/// A fact as written in a catalogue file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactSpec {
    key: String,
    id: Option<String>,
    text: Option<String>,
    desc: Option<String>,
    #[serde(default)]
    part: bool,
    #[serde(default)]
    from: u32,
    until: Option<u32>,
    seen: String,
    source: String,
    note: Option<String>,
}

/// A catalogue file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    app: Platform,
    builds: Vec<Build>,
    sources: BTreeMap<String, Source>,
    facts: Vec<FactSpec>,
}

/// The facts known about one app.
#[derive(Debug, Clone)]
pub struct Catalogue {
    app: Platform,
    builds: Vec<Build>,
    sources: BTreeMap<String, Source>,
    facts: Vec<Fact>,
}

impl Catalogue {
    /// The embedded catalogue of a platform's official app.
    pub fn builtin(app: Platform) -> &'static Catalogue {
        match app {
            Platform::TikTok => &TIKTOK,
            Platform::Instagram => &INSTAGRAM,
        }
    }

    /// Parses and checks a catalogue; `source_name` names it in errors.
    ///
    /// Checked: the JSON shape (unknown fields refused), that each fact says
    /// exactly one of id, text or desc and it is not blank, that its source is
    /// listed, that an unsourced fact says why, that its version range is not
    /// empty, and that the builds are listed in ascending order.
    pub fn from_json(source_name: &str, json: &str) -> Result<Catalogue> {
        let import = |message: String| Error::pack(source_name, message);
        let file: CatalogueFile = serde_json::from_str(json)
            .map_err(|e| Error::pack(source_name, e.to_string()).with_source(e))?;
        if file.builds.is_empty() {
            return Err(import("the catalogue lists no build".into()));
        }
        if file.builds.windows(2).any(|w| w[0].version >= w[1].version) {
            return Err(import("builds must be listed by ascending version".into()));
        }
        let mut facts = Vec::with_capacity(file.facts.len());
        for (i, spec) in file.facts.into_iter().enumerate() {
            let at = format!("facts[{i}] ('{}')", printable(&spec.key));
            let (kind, value) = match (spec.id, spec.text, spec.desc) {
                (Some(v), None, None) => (FactKind::Id, v),
                (None, Some(v), None) => (FactKind::Text, v),
                (None, None, Some(v)) => (FactKind::Desc, v),
                _ => return Err(import(format!("{at} needs exactly one of id, text, desc"))),
            };
            if value.trim().is_empty() || spec.key.trim().is_empty() {
                return Err(import(format!("{at} has a blank key or value")));
            }
            if !file.sources.contains_key(&spec.source) {
                return Err(import(format!(
                    "{at} names the unknown source '{}'",
                    printable(&spec.source)
                )));
            }
            if spec.source == UNSOURCED && spec.note.as_deref().is_none_or(|n| n.trim().is_empty())
            {
                return Err(import(format!(
                    "{at} is unsourced and has no note saying why"
                )));
            }
            if spec.until.is_some_and(|until| until <= spec.from) {
                return Err(import(format!("{at} holds for no version (until <= from)")));
            }
            facts.push(Fact {
                key: spec.key,
                kind,
                value,
                part: spec.part,
                from: spec.from,
                until: spec.until,
                seen: spec.seen,
                source: spec.source,
                note: spec.note,
            });
        }
        Ok(Catalogue {
            app: file.app,
            builds: file.builds,
            sources: file.sources,
            facts,
        })
    }

    /// The app the facts are about.
    pub fn app(&self) -> Platform {
        self.app
    }

    /// The versions covered, oldest first.
    pub fn builds(&self) -> &[Build] {
        &self.builds
    }

    /// Every fact, in file order.
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    /// A source by name.
    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.get(name)
    }

    /// The facts that no public source shows.
    pub fn unsourced(&self) -> impl Iterator<Item = &Fact> {
        self.facts.iter().filter(|f| f.source == UNSOURCED)
    }

    /// The first fact of `kind` about `key` that holds for `version`.
    pub fn fact(&self, key: &str, kind: FactKind, version: u32) -> Option<&Fact> {
        self.facts
            .iter()
            .find(|f| f.key == key && f.kind == kind && f.holds_for(version))
    }

    /// The value of [`Catalogue::fact`].
    pub fn value(&self, key: &str, kind: FactKind, version: u32) -> Option<&str> {
        self.fact(key, kind, version).map(|f| f.value.as_str())
    }

    /// The fact that supports a selector literal: for `Exact`, a whole fact
    /// equal to it; for `Contains`, a fact containing it; for `Matches`, a
    /// fact the regular expression matches. `None` when no fact does, or the
    /// regex does not compile.
    pub fn support(&self, kind: FactKind, literal: &str, how: Comparison) -> Option<&Fact> {
        let regex = match how {
            Comparison::Matches => Some(Regex::new(literal).ok()?),
            _ => None,
        };
        let id_name = |v: &str| v.rsplit(":id/").next().unwrap_or(v).to_string();
        self.facts
            .iter()
            .filter(|f| f.kind == kind)
            .find(|f| match how {
                Comparison::Exact if kind == FactKind::Id => id_name(&f.value) == id_name(literal),
                Comparison::Exact => !f.part && f.value == literal,
                Comparison::Contains => f.value.contains(literal),
                Comparison::Matches => regex.as_ref().is_some_and(|r| r.is_match(&f.value)),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn builtin_catalogues_load_with_sources_for_every_fact() {
        for app in Platform::ALL {
            let catalogue = Catalogue::builtin(app);
            assert_eq!(catalogue.app(), app);
            assert!(
                catalogue.builds().len() >= 2,
                "{app}: two versions at least"
            );
            for fact in catalogue.facts() {
                let source = catalogue.source(&fact.source).expect("checked on load");
                assert!(!source.project.is_empty() && !source.file.is_empty());
                assert!(!fact.seen.is_empty(), "{fact:?}");
            }
        }
    }

    #[test]
    fn facts_hold_for_their_version_range() {
        let ig = Catalogue::builtin(Platform::Instagram);
        assert_eq!(
            ig.value("profile.posts_value", FactKind::Id, 300),
            Some("row_profile_header_textview_post_count")
        );
        assert_eq!(
            ig.value("profile.posts_value", FactKind::Id, 410),
            Some("profile_header_familiar_post_count_value")
        );
        assert_eq!(
            ig.value("profile.followers_value", FactKind::Id, 399),
            Some("row_profile_header_textview_followers_count")
        );
        let tt = Catalogue::builtin(Platform::TikTok);
        assert_eq!(tt.value("profile.handle", FactKind::Id, 43), Some("qh5"));
        assert_eq!(tt.value("profile.handle", FactKind::Id, 46), None);
        assert_eq!(tt.value("profile.handle", FactKind::Id, 42), None);
    }

    #[test]
    fn support_compares_as_the_selector_does() {
        let ig = Catalogue::builtin(Platform::Instagram);
        let found = |kind, literal, how| ig.support(kind, literal, how).map(|f| f.key.clone());
        assert_eq!(
            found(
                FactKind::Id,
                "com.instagram.android:id/action_bar_title",
                Comparison::Exact
            ),
            Some("profile.handle".into())
        );
        assert_eq!(
            found(
                FactKind::Id,
                "profile_header_post_count_value",
                Comparison::Exact
            ),
            None
        );
        assert_eq!(
            found(FactKind::Id, "two_factor_login_code", Comparison::Exact),
            None
        );
        assert_eq!(
            found(FactKind::Desc, "Username, email", Comparison::Contains),
            Some("login.username".into())
        );
        // A fragment the app shows inside longer text never supports an exact match.
        assert_eq!(found(FactKind::Text, "incorrect", Comparison::Exact), None);
        assert!(found(FactKind::Text, "incorrect", Comparison::Contains).is_some());
        assert_eq!(
            found(FactKind::Text, "^[Ff]ollowers$", Comparison::Matches),
            Some("profile.followers_label".into())
        );
        assert_eq!(found(FactKind::Text, "(", Comparison::Matches), None);
        assert_eq!(
            found(FactKind::Text, "Profile", Comparison::Exact),
            None,
            "a desc, not a text"
        );
    }

    #[test]
    fn unsourced_facts_are_listed_and_explained() {
        for app in Platform::ALL {
            for fact in Catalogue::builtin(app).unsourced() {
                assert!(
                    fact.note.as_deref().is_some_and(|n| !n.is_empty()),
                    "{fact:?}"
                );
            }
        }
    }

    #[test]
    fn bad_catalogues_are_refused_with_the_reason() {
        let build = r#""builds":[{"version":1,"name":"one"}]"#;
        let sources = r#""sources":{"s":{"project":"p","file":"f"},"unsourced":{"project":"none","file":"-"}}"#;
        let with =
            |facts: &str| format!(r#"{{"app":"tiktok",{build},{sources},"facts":[{facts}]}}"#);
        let cases = [
            ("not json".to_string(), "expected"),
            (
                r#"{"app":"tiktok","builds":[],"sources":{},"facts":[]}"#.to_string(),
                "no build",
            ),
            (
                r#"{"app":"tiktok","builds":[{"version":2,"name":"b"},{"version":1,"name":"a"}],"sources":{},"facts":[]}"#
                    .to_string(),
                "ascending",
            ),
            (with(r#"{"key":"k","id":"a","text":"b","seen":"1","source":"s"}"#), "exactly one"),
            (with(r#"{"key":"k","seen":"1","source":"s"}"#), "exactly one"),
            (with(r#"{"key":"k","text":"  ","seen":"1","source":"s"}"#), "blank"),
            (with(r#"{"key":"k","text":"a","seen":"1","source":"nope"}"#), "unknown source 'nope'"),
            (with(r#"{"key":"k","text":"a","seen":"1","source":"unsourced"}"#), "no note"),
            (
                with(r#"{"key":"k","text":"a","from":5,"until":5,"seen":"1","source":"s"}"#),
                "holds for no version",
            ),
            (with(r#"{"key":"k","text":"a","seen":"1","source":"s","colour":1}"#), "colour"),
        ];
        for (json, needle) in cases {
            let err = Catalogue::from_json("my-catalogue.json", &json).expect_err(&json);
            assert_eq!(err.kind(), ErrorKind::Pack, "{json}");
            let message = err.to_string();
            assert!(message.contains("my-catalogue.json"), "{message}");
            assert!(
                message.contains(needle),
                "{message} should mention {needle}"
            );
        }
    }
}
