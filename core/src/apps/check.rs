//! What a selector pack sees on one dumped screen ([`Pack::check`]): the
//! screen it recognises, each control it finds with its text, value and
//! place, and which controls the nearest screen lacks. This is what users with
//! real phones run on their own dumps (`farmhand screens check`), so that a
//! pack can follow an app update without a release.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::apps::counts::parse_count;
use crate::apps::pack::Pack;
use crate::device::ui::UiTree;

/// A control found on the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundControl {
    /// Its text, or its content description when it has no text.
    pub text: String,
    /// The count the text stands for (`12.5K` → 12500), when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<u64>,
    /// Where it is: `[left, top, right, bottom]`, when the dump says.
    pub bounds: Option<[i32; 4]>,
}

/// A pack's reading of one screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenCheck {
    /// The app of the pack.
    pub app: String,
    /// The screen the pack recognises; `None`: not recognised.
    pub screen: Option<String>,
    /// The screen this dump comes closest to (most of its required controls
    /// found), when it is not recognised and any screen's control is there.
    pub nearest: Option<String>,
    /// Every control of the pack found here, by name.
    pub controls: BTreeMap<String, FoundControl>,
    /// Required controls of the recognised (or nearest) screen not found here.
    pub missing: Vec<String>,
}

impl Pack {
    /// Reads one dumped screen through this pack (see [`ScreenCheck`]).
    pub fn check(&self, tree: &UiTree) -> ScreenCheck {
        let mut controls = BTreeMap::new();
        for control in self.controls() {
            if let Some(node) = control.find(tree) {
                let text = if node.text.trim().is_empty() {
                    node.content_desc.trim()
                } else {
                    node.text.trim()
                };
                controls.insert(
                    control.name().to_string(),
                    FoundControl {
                        text: text.to_string(),
                        value: parse_count(text).ok(),
                        bounds: node.bounds.map(|b| [b.left, b.top, b.right, b.bottom]),
                    },
                );
            }
        }
        let screen = self.recognise(tree).map(str::to_string);
        let lacking = |all: &[String]| -> Vec<String> {
            all.iter()
                .filter(|c| !controls.contains_key(*c))
                .cloned()
                .collect()
        };
        let (nearest, missing) = match &screen {
            Some(name) => {
                let all = self
                    .screen_requirements()
                    .find(|(n, _)| n == name)
                    .map(|(_, all)| lacking(all))
                    .unwrap_or_default();
                (None, all)
            }
            None => self
                .screen_requirements()
                .filter(|(_, all)| !all.is_empty() && all.len() > lacking(all).len())
                .min_by_key(|(_, all)| lacking(all).len())
                .map(|(name, all)| (Some(name.to_string()), lacking(all)))
                .unwrap_or_default(),
        };
        ScreenCheck {
            app: self.app().to_string(),
            screen,
            nearest,
            controls,
            missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::account::Platform;
    use crate::apps::pack::Pack;
    use crate::device::ui::UiTree;

    const PROFILE: &str = r#"<hierarchy rotation="0">
<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.zhiliaoapp.musically" content-desc="" bounds="[0,0][1080,2400]">
<node index="0" text="@alice" resource-id="" class="android.widget.Button" package="com.zhiliaoapp.musically" content-desc="" bounds="[400,500][680,560]"/>
<node index="1" text="12.5K" resource-id="" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[450,600][630,660]"/>
<node index="2" text="Followers" resource-id="" class="android.widget.TextView" package="com.zhiliaoapp.musically" content-desc="" bounds="[450,670][630,720]"/>
</node></hierarchy>"#;

    #[test]
    fn a_recognised_screen_names_its_controls_and_counts() {
        let check = Pack::builtin(Platform::TikTok).check(&UiTree::parse(PROFILE).unwrap());
        assert_eq!(check.screen.as_deref(), Some("profile"));
        assert_eq!(check.nearest, None);
        assert!(check.missing.is_empty());
        let followers = &check.controls["profile_followers_value"];
        assert_eq!(followers.text, "12.5K");
        assert_eq!(followers.value, Some(12_500));
        assert_eq!(followers.bounds, Some([450, 600, 630, 660]));
        assert_eq!(check.controls["profile_handle"].value, None);
        assert!(!check.controls.contains_key("profile_likes_value"));
    }

    #[test]
    fn an_unrecognised_screen_names_the_nearest_and_what_it_lacks() {
        let without_label = PROFILE.replace("Followers", "Abonnés");
        let check = Pack::builtin(Platform::TikTok).check(&UiTree::parse(&without_label).unwrap());
        assert_eq!(check.screen, None);
        assert_eq!(check.nearest.as_deref(), Some("profile"));
        assert_eq!(check.missing, ["profile_followers_value"]);
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(json["screen"], serde_json::Value::Null);
        assert_eq!(json["controls"]["profile_handle"]["text"], "@alice");
    }

    #[test]
    fn another_apps_screen_is_not_recognised_and_near_nothing() {
        let other = r#"<hierarchy rotation="0"><node index="0" text="Hello" resource-id="" class="android.widget.TextView" package="com.example" content-desc="" bounds="[0,0][10,10]"/></hierarchy>"#;
        let check = Pack::builtin(Platform::Instagram).check(&UiTree::parse(other).unwrap());
        assert_eq!((check.screen, check.nearest), (None, None));
        assert!(check.controls.is_empty() && check.missing.is_empty());
    }
}
