//! TikTok's obfuscated resource ids: every app version renames them (`id/qh5`
//! for the username in 43.1.4, something else in the next build), so
//! automation cannot rely on them. Where the app facts catalogue knows a
//! control's id in the simulated version, the simulated app uses it; every
//! other control gets an id derived from the version, the same way every time
//! for one version and differently for another.

use std::collections::HashSet;

use farmhand::account::Platform;

use crate::apps::facts::id;

/// The resource package of TikTok ids (clones keep the original app's resources).
pub(crate) const RESOURCE_PACKAGE: &str = "com.zhiliaoapp.musically";

/// Every control of the simulated TikTok that carries a resource id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    LandingTitle,
    LandingSubtitle,
    LandingOption,
    LandingOptionText,
    SignUp,
    Back,
    LoginTitle,
    TabPhone,
    TabEmail,
    PhoneField,
    SendCode,
    LoginField,
    PasswordField,
    ForgotPassword,
    LoginButton,
    LoginError,
    VerifyContainer,
    VerifyTitle,
    VerifyHint,
    VerifyPuzzle,
    VerifySlider,
    VerifyRefresh,
    VerifyClose,
    FeedPager,
    FeedTopTab,
    FeedAuthor,
    NavBar,
    NavItem,
    NavLabel,
    AddFriends,
    TitleContainer,
    TitleName,
    TitleChevron,
    ProfileMenu,
    Avatar,
    Handle,
    FollowingValue,
    FollowersValue,
    LikesValue,
    CountLabel,
    CountContainer,
    EditProfile,
    ShareProfile,
    ProfileTabs,
    ProfileGrid,
    SheetContainer,
    SheetTitle,
    AccountRow,
    AccountName,
    AccountNickname,
    AccountCheck,
    AddAccount,
    MenuRow,
    SettingsTitle,
    SettingsRow,
    DialogMessage,
    DialogCancel,
    DialogConfirm,
    FollowButton,
    MessageButton,
    NotFound,
}

/// The controls whose ids the app facts catalogue records, with its key.
const CATALOGUED: &[(Control, &str)] = &[
    (Control::Handle, "profile.handle"),
    (Control::TitleName, "profile.nickname"),
    (Control::FollowingValue, "profile.count_value"),
    (Control::FollowersValue, "profile.count_value"),
    (Control::LikesValue, "profile.count_value"),
    (Control::CountLabel, "profile.count_label"),
    (Control::AccountRow, "switcher.row"),
    (Control::AccountName, "switcher.account"),
];

/// How many [`Control`]s there are.
const CONTROLS: usize = Control::NotFound as usize + 1;

/// The id of every control in one TikTok version.
#[derive(Debug, Clone)]
pub(crate) struct IdTable {
    ids: Vec<String>,
}

impl IdTable {
    /// The ids of `version`: the catalogue's where it knows them, short
    /// obfuscated names distinct within the version otherwise.
    pub fn for_version(version: u32) -> Self {
        let known: Vec<Option<&str>> = (0..CONTROLS)
            .map(|control| {
                CATALOGUED
                    .iter()
                    .find(|(c, _)| *c as usize == control)
                    .and_then(|(_, key)| id(Platform::TikTok, key, version))
            })
            .collect();
        let mut taken: HashSet<String> = known.iter().flatten().map(|n| n.to_string()).collect();
        let seed = version.to_string();
        let ids = known
            .iter()
            .enumerate()
            .map(|(control, known)| {
                let name = match known {
                    Some(name) => name.to_string(),
                    None => (0u32..)
                        .map(|salt| obfuscated(&seed, control, salt))
                        .find(|name| taken.insert(name.clone()))
                        .unwrap_or_default(),
                };
                format!("{RESOURCE_PACKAGE}:id/{name}")
            })
            .collect();
        IdTable { ids }
    }

    /// The full resource id of `control`.
    pub fn get(&self, control: Control) -> &str {
        &self.ids[control as usize]
    }
}

/// A three-character name (`[a-z][a-z0-9_]{2}`) from an FNV-1a hash of version, control and salt.
fn obfuscated(version: &str, control: usize, salt: u32) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = version
        .bytes()
        .chain(control.to_le_bytes())
        .chain(salt.to_le_bytes());
    for b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let mut name = String::with_capacity(3);
    name.push(FIRST[(hash % 26) as usize] as char);
    hash /= 26;
    for _ in 0..2 {
        name.push(REST[(hash % REST.len() as u64) as usize] as char);
        hash /= REST.len() as u64;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_version_always_gets_the_same_distinct_ids() {
        let a = IdTable::for_version(34);
        let b = IdTable::for_version(34);
        assert_eq!(a.ids, b.ids);
        let distinct: HashSet<_> = a.ids.iter().collect();
        assert_eq!(distinct.len(), CONTROLS);
        assert!(a
            .get(Control::LoginButton)
            .starts_with("com.zhiliaoapp.musically:id/"));
    }

    #[test]
    fn another_version_renames_the_controls() {
        let a = IdTable::for_version(34);
        let b = IdTable::for_version(35);
        let renamed = (0..CONTROLS).filter(|&i| a.ids[i] != b.ids[i]).count();
        assert!(
            renamed > CONTROLS * 9 / 10,
            "only {renamed} of {CONTROLS} renamed"
        );
    }

    #[test]
    fn the_catalogued_version_uses_the_real_ids() {
        let ids = IdTable::for_version(43);
        let name = |c| ids.get(c).rsplit('/').next().unwrap().to_string();
        assert_eq!(name(Control::Handle), "qh5");
        assert_eq!(name(Control::TitleName), "qf8");
        assert_eq!(name(Control::FollowersValue), "qfw");
        assert_eq!(name(Control::CountLabel), "qfv");
        assert_ne!(name(Control::LoginButton), "qh5");
        let other = IdTable::for_version(46);
        assert_ne!(other.get(Control::Handle), ids.get(Control::Handle));
    }
}
