//! What the simulated apps draw from the app facts catalogue
//! ([`farmhand::apps::catalogue`]): the same ids and English texts the
//! selector packs are checked against, per simulated version. Texts the
//! catalogue holds only as a fragment (`incorrect`) are drawn inside a
//! sentence of the simulator's own.

use farmhand::account::Platform;
use farmhand::apps::catalogue::{Catalogue, FactKind};

/// The newest version the catalogue covers: texts are drawn as it shows them.
fn newest(app: Platform) -> u32 {
    let builds = Catalogue::builtin(app).builds();
    builds.last().map_or(0, |b| b.version)
}

/// The catalogue's value of `kind` for `key`, as the newest covered version
/// shows it. The catalogue is embedded and every key the simulator asks for is
/// checked by its tests, so a missing one is a build defect.
fn value(app: Platform, key: &str, kind: FactKind) -> &'static str {
    Catalogue::builtin(app)
        .value(key, kind, newest(app))
        .unwrap_or_else(|| panic!("the {app} catalogue has no {kind} fact '{key}'"))
}

/// A text fact.
pub(crate) fn text(app: Platform, key: &str) -> &'static str {
    value(app, key, FactKind::Text)
}

/// A content-description fact.
pub(crate) fn desc(app: Platform, key: &str) -> &'static str {
    value(app, key, FactKind::Desc)
}

/// The resource id (short name) `key` has in `version`, if the catalogue knows one.
pub(crate) fn id(app: Platform, key: &str, version: u32) -> Option<&'static str> {
    Catalogue::builtin(app).value(key, FactKind::Id, version)
}

/// A sentence of the simulator's own holding catalogue fragments: each `{}` of
/// `template` is replaced by the next of `parts`. Only called while building
/// the apps' static English texts, so each sentence is made once per process.
pub(crate) fn sentence(template: &str, parts: &[&str]) -> &'static str {
    let mut out = String::new();
    let mut pieces = template.split("{}");
    out.push_str(pieces.next().unwrap_or_default());
    for (piece, part) in pieces.zip(parts.iter().chain(std::iter::repeat(&""))) {
        out.push_str(part);
        out.push_str(piece);
    }
    Box::leak(out.into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_embed_the_fragments_in_order() {
        assert_eq!(sentence("a {} b {}.", &["x", "y"]), "a x b y.");
        assert_eq!(
            sentence("{} password", &["Incorrect"]),
            "Incorrect password"
        );
    }

    #[test]
    fn ids_follow_the_simulated_version() {
        let ig = Platform::Instagram;
        assert_eq!(
            id(ig, "profile.posts_value", 1),
            Some("row_profile_header_textview_post_count")
        );
        assert_eq!(
            id(ig, "profile.posts_value", 410),
            Some("profile_header_familiar_post_count_value")
        );
        assert_eq!(id(Platform::TikTok, "profile.handle", 43), Some("qh5"));
        assert_eq!(id(Platform::TikTok, "profile.handle", 46), None);
    }
}
