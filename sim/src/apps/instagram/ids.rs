//! The resource ids the simulated Instagram draws, per simulated version, from
//! the app facts catalogue: `row_profile_header_textview_*_count` before 400,
//! `profile_header_familiar_*_value` from 400, and so on.

use farmhand::account::Platform;

use crate::apps::facts::id;

/// The resource ids of one Instagram version.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    /// The username in the action bar.
    pub handle: String,
    /// The chevron that opens the account switcher.
    pub switch: String,
    /// The full name under the counters.
    pub nickname: String,
    /// The profile picture.
    pub picture: String,
    /// Posts, followers, following: (value, container) each.
    pub counters: [(String, String); 3],
    /// The bottom tab bar.
    pub tab_bar: String,
    /// The switcher's sheet, its list, a row and a row's username.
    pub sheet: String,
    /// The switcher's list.
    pub list: String,
    /// A switcher row.
    pub row: String,
    /// A switcher row's username.
    pub account: String,
    /// A dialog, its headline, its text and its primary button.
    pub dialog: [String; 4],
}

impl Ids {
    /// The ids Instagram `version` shows.
    pub fn for_version(version: u32) -> Self {
        let get = |key: &str| full(key, version);
        Ids {
            handle: get("profile.handle"),
            switch: get("profile.switch"),
            nickname: get("profile.nickname"),
            picture: get("profile.picture"),
            counters: [
                (get("profile.posts_value"), get("profile.posts_container")),
                (
                    get("profile.followers_value"),
                    get("profile.followers_container"),
                ),
                (
                    get("profile.following_value"),
                    get("profile.following_container"),
                ),
            ],
            tab_bar: get("nav.tab_bar"),
            sheet: get("switcher.sheet"),
            list: get("switcher.list"),
            row: get("switcher.row"),
            account: get("switcher.account"),
            dialog: [
                get("popup.dialog"),
                get("popup.headline"),
                get("popup.subtext"),
                get("popup.ok"),
            ],
        }
    }
}

/// The full resource id the catalogue gives `key` in `version`. Every key
/// asked for here is in the embedded catalogue for every version (checked by
/// the tests below), so a missing one is a build defect.
fn full(key: &str, version: u32) -> String {
    let name = id(Platform::Instagram, key, version)
        .unwrap_or_else(|| panic!("the Instagram catalogue has no id for {key} in {version}"));
    if name.contains(":id/") {
        name.to_string()
    } else {
        format!("com.instagram.android:id/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use farmhand::apps::Catalogue;

    #[test]
    fn every_covered_version_and_the_default_have_all_ids() {
        let builds = Catalogue::builtin(Platform::Instagram).builds();
        for version in builds.iter().map(|b| b.version).chain([1]) {
            let ids = Ids::for_version(version);
            assert!(ids.handle.starts_with("com.instagram.android:id/"));
            assert_eq!(ids.list, "android:id/list");
        }
    }

    #[test]
    fn the_counter_ids_change_at_400() {
        let old = Ids::for_version(399);
        let new = Ids::for_version(400);
        assert_eq!(
            old.counters[1].0,
            "com.instagram.android:id/row_profile_header_textview_followers_count"
        );
        assert_eq!(
            new.counters[1].0,
            "com.instagram.android:id/profile_header_familiar_followers_value"
        );
        assert_eq!(
            new.counters[0].1,
            "com.instagram.android:id/profile_header_post_count_front_familiar"
        );
        assert_eq!(old.account, "com.instagram.android:id/row_user_textview");
        assert_eq!(new.account, "com.instagram.android:id/username_textview");
    }
}
