//! TikTok's obfuscated resource ids: every app version renames them (`id/qf6`
//! in one build, `id/b9x` in the next), so automation cannot rely on them. The
//! simulated app derives each control's id from the version string, the same
//! way every time for one version and differently for another.

use std::collections::HashSet;

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

/// How many [`Control`]s there are.
const CONTROLS: usize = Control::NotFound as usize + 1;

/// The id of every control in one TikTok version.
#[derive(Debug, Clone)]
pub(crate) struct IdTable {
    ids: Vec<String>,
}

impl IdTable {
    /// The ids of `version`: short obfuscated names, distinct within the version.
    pub fn for_version(version: &str) -> Self {
        let mut taken = HashSet::new();
        let ids = (0..CONTROLS)
            .map(|control| {
                let mut salt = 0u32;
                loop {
                    let name = obfuscated(version, control, salt);
                    if taken.insert(name.clone()) {
                        break format!("{RESOURCE_PACKAGE}:id/{name}");
                    }
                    salt += 1;
                }
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
        let a = IdTable::for_version("34.1.2");
        let b = IdTable::for_version("34.1.2");
        assert_eq!(a.ids, b.ids);
        let distinct: HashSet<_> = a.ids.iter().collect();
        assert_eq!(distinct.len(), CONTROLS);
        assert!(a
            .get(Control::LoginButton)
            .starts_with("com.zhiliaoapp.musically:id/"));
    }

    #[test]
    fn another_version_renames_the_controls() {
        let a = IdTable::for_version("34.1.2");
        let b = IdTable::for_version("35.0.0");
        let renamed = (0..CONTROLS).filter(|&i| a.ids[i] != b.ids[i]).count();
        assert!(
            renamed > CONTROLS * 9 / 10,
            "only {renamed} of {CONTROLS} renamed"
        );
    }
}
