//! Reading a TikTok profile page: HTML in, [`WebProfile`] or a [`PageProblem`] out.
//!
//! The page is untrusted input. Only the one `<script>` that carries the
//! page's state is looked at, its JSON is read into small typed structs
//! (everything else in it is skipped, not built), and every shape the page
//! may take ends in a value: this module has no panic path.
//!
//! Public facts (seen in TikTok's pages and many public scrapers, none of
//! whose code is used here):
//! - current pages: `<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__"
//!   type="application/json">` → `__DEFAULT_SCOPE__` → `webapp.user-detail`
//!   → `statusCode` (0, or non-zero for an unknown or banned user, e.g.
//!   10202) and `userInfo` {`user`: `uniqueId`, `nickname`, `region`,
//!   `privateAccount`; `stats`: `followerCount`, `followingCount`,
//!   `heartCount` (older: `heart`), `videoCount`, `friendCount`};
//! - older pages: `<script id="SIGI_STATE">` → `UserModule` → `users` and
//!   `stats`, each keyed by the `uniqueId`, and `UserPage` → `statusCode`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::ops::Outcome;

/// The id of the `<script>` holding the state of current profile pages.
pub const UNIVERSAL_SCRIPT_ID: &str = "__UNIVERSAL_DATA_FOR_REHYDRATION__";
/// The id of the `<script>` holding the state of older profile pages.
pub const SIGI_SCRIPT_ID: &str = "SIGI_STATE";

/// A profile as TikTok's public page states it: exact numbers, no rounding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebProfile {
    /// The page's `uniqueId` (the username).
    pub username: String,
    /// Display name (`nickname`).
    pub nickname: Option<String>,
    /// The account's region (`region`, e.g. `US`): the sheet's `country`.
    pub region: Option<String>,
    /// `followerCount`.
    pub followers: Option<u64>,
    /// `followingCount`.
    pub following: Option<u64>,
    /// `heartCount` (older pages: `heart`).
    pub hearts: Option<u64>,
    /// `videoCount`.
    pub videos: Option<u64>,
    /// `friendCount`.
    pub friends: Option<u64>,
    /// `privateAccount`: the page still states the counts of a private account.
    pub private: bool,
}

/// Why a page gave no profile numbers; each is one account's outcome, never a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageProblem {
    /// The page says there is no such user (a non-zero `statusCode`, e.g. 10202;
    /// TikTok gives one for unknown and for banned users alike).
    UnknownUser {
        /// The page's `statusCode`.
        status_code: i64,
    },
    /// The page is a private account's and states no numbers.
    PrivateAccount,
    /// The page is another user's (its `uniqueId` differs).
    OtherUser {
        /// The `uniqueId` the page shows, made printable.
        shown: String,
    },
    /// No known layout: no state script, JSON that does not parse, or a shape
    /// without a profile. The text says what was missing.
    NotRecognised(String),
}

impl PageProblem {
    /// The account outcome this problem gives.
    pub fn outcome(&self) -> Outcome {
        match self {
            PageProblem::UnknownUser { .. } => Outcome::UnknownUser,
            PageProblem::PrivateAccount => Outcome::PrivateAccount,
            PageProblem::OtherUser { .. } => Outcome::Error,
            PageProblem::NotRecognised(_) => Outcome::PageNotRecognised,
        }
    }
}

impl fmt::Display for PageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageProblem::UnknownUser { status_code } => write!(
                f,
                "the profile page says there is no such user (statusCode {status_code})"
            ),
            PageProblem::PrivateAccount => {
                f.write_str("the profile page is a private account's and shows no numbers")
            }
            PageProblem::OtherUser { shown } => {
                write!(f, "the profile page is that of '{shown}', not this account")
            }
            PageProblem::NotRecognised(why) => write!(f, "profile page not recognised: {why}"),
        }
    }
}

/// Reads the profile of `username` from a profile page's HTML.
///
/// Tries the current layout, then the older `SIGI_STATE` one. The page must
/// be `username`'s (compared without case, as usernames are).
pub fn parse_profile_page(html: &str, username: &str) -> Result<WebProfile, PageProblem> {
    if let Some(json) = script_body(html, UNIVERSAL_SCRIPT_ID) {
        return universal(json, username);
    }
    if let Some(json) = script_body(html, SIGI_SCRIPT_ID) {
        return sigi(json, username);
    }
    Err(PageProblem::NotRecognised(format!(
        "no <script id=\"{UNIVERSAL_SCRIPT_ID}\"> or <script id=\"{SIGI_SCRIPT_ID}\"> in the page"
    )))
}

/// The text inside the first `<script>` whose `id` is `id`, if the page has one
/// that is closed.
fn script_body<'h>(html: &'h str, id: &str) -> Option<&'h str> {
    let mut from = 0;
    while let Some(found) = html.get(from..)?.find("<script") {
        let tag_start = from + found;
        let tag_end = tag_start + html.get(tag_start..)?.find('>')?;
        let tag = html.get(tag_start..tag_end)?;
        let body_start = tag_end + 1;
        if has_id(tag, id) {
            let close = html.get(body_start..)?.find("</script")?;
            return html.get(body_start..body_start + close);
        }
        from = body_start;
    }
    None
}

/// True when an opening tag's text carries `id="ID"` (or `id='ID'`).
fn has_id(tag: &str, id: &str) -> bool {
    ["\"", "'"]
        .iter()
        .any(|q| tag.contains(&format!("id={q}{id}{q}")))
}

/// The profile from a `__UNIVERSAL_DATA_FOR_REHYDRATION__` document.
fn universal(json: &str, username: &str) -> Result<WebProfile, PageProblem> {
    let doc: Universal = serde_json::from_str(json).map_err(|e| {
        PageProblem::NotRecognised(format!(
            "the {UNIVERSAL_SCRIPT_ID} JSON does not parse: {}",
            short(&e)
        ))
    })?;
    let detail = doc
        .scope
        .and_then(|s| s.user_detail)
        .ok_or_else(|| missing("__DEFAULT_SCOPE__ → webapp.user-detail"))?;
    check_status(detail.status_code)?;
    let info = detail
        .user_info
        .ok_or_else(|| missing("webapp.user-detail → userInfo"))?;
    profile(info.user, info.stats, username)
}

/// The profile from an older `SIGI_STATE` document.
fn sigi(json: &str, username: &str) -> Result<WebProfile, PageProblem> {
    let mut de = serde_json::Deserializer::from_str(json);
    let doc = SigiSeed { username }
        .deserialize(&mut de)
        .and_then(|doc| de.end().map(|()| doc))
        .map_err(|e| {
            PageProblem::NotRecognised(format!(
                "the {SIGI_SCRIPT_ID} JSON does not parse: {}",
                short(&e)
            ))
        })?;
    check_status(doc.status_code)?;
    let module = doc.module.ok_or_else(|| missing("UserModule"))?;
    if module.user.is_none() && module.stats.is_none() {
        return Err(PageProblem::NotRecognised(format!(
            "UserModule holds no user '{}'",
            crate::account::printable(username)
        )));
    }
    profile(module.user, module.stats, username)
}

/// A page with a non-zero `statusCode` has no profile.
fn check_status(status_code: Option<i64>) -> Result<(), PageProblem> {
    match status_code {
        Some(code) if code != 0 => Err(PageProblem::UnknownUser { status_code: code }),
        _ => Ok(()),
    }
}

/// A parse error as a reason: serde_json quotes the offending value, which
/// a hostile page may make huge, so the text is cut.
fn short(error: &serde_json::Error) -> String {
    crate::text::cut(&error.to_string(), 200)
}

fn missing(path: &str) -> PageProblem {
    PageProblem::NotRecognised(format!("{path} is missing"))
}

/// Puts a page's user and stats together, checking the page is `username`'s.
fn profile(
    user: Option<User>,
    stats: Option<Stats>,
    username: &str,
) -> Result<WebProfile, PageProblem> {
    let user = user.ok_or_else(|| missing("the user"))?;
    let shown = user.unique_id.ok_or_else(|| missing("user → uniqueId"))?;
    if !shown.eq_ignore_ascii_case(username) {
        return Err(PageProblem::OtherUser {
            shown: crate::account::printable(&shown),
        });
    }
    let private = user.private_account.unwrap_or(false);
    let Some(stats) = stats else {
        return Err(if private {
            PageProblem::PrivateAccount
        } else {
            missing("stats")
        });
    };
    Ok(WebProfile {
        username: shown,
        nickname: user.nickname.filter(|n| !n.trim().is_empty()),
        region: user.region.filter(|r| !r.trim().is_empty()),
        followers: stats.follower_count,
        following: stats.following_count,
        hearts: stats.heart_count.or(stats.heart),
        videos: stats.video_count,
        friends: stats.friend_count,
        private,
    })
}

#[derive(Deserialize)]
struct Universal {
    #[serde(rename = "__DEFAULT_SCOPE__")]
    scope: Option<Scope>,
}

#[derive(Deserialize)]
struct Scope {
    #[serde(rename = "webapp.user-detail")]
    user_detail: Option<UserDetail>,
}

#[derive(Deserialize)]
struct UserDetail {
    #[serde(rename = "statusCode")]
    status_code: Option<i64>,
    #[serde(rename = "userInfo")]
    user_info: Option<UserInfo>,
}

#[derive(Deserialize)]
struct UserInfo {
    user: Option<User>,
    stats: Option<Stats>,
}

#[derive(Deserialize)]
struct User {
    #[serde(rename = "uniqueId")]
    unique_id: Option<String>,
    nickname: Option<String>,
    region: Option<String>,
    #[serde(rename = "privateAccount")]
    private_account: Option<bool>,
}

#[derive(Deserialize)]
struct Stats {
    #[serde(rename = "followerCount")]
    follower_count: Option<u64>,
    #[serde(rename = "followingCount")]
    following_count: Option<u64>,
    #[serde(rename = "heartCount")]
    heart_count: Option<u64>,
    heart: Option<u64>,
    #[serde(rename = "videoCount")]
    video_count: Option<u64>,
    #[serde(rename = "friendCount")]
    friend_count: Option<u64>,
}

/// What an older page says of one user.
struct Sigi {
    status_code: Option<i64>,
    module: Option<SigiModule>,
}

struct SigiModule {
    user: Option<User>,
    stats: Option<Stats>,
}

/// Reads a `SIGI_STATE` document keeping only `username`'s entries: the maps
/// keyed by user may hold many users, and none but one is built.
struct SigiSeed<'u> {
    username: &'u str,
}

impl<'de> DeserializeSeed<'de> for SigiSeed<'_> {
    type Value = Sigi;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Sigi, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SigiSeed<'_> {
    type Value = Sigi;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SIGI_STATE object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sigi, A::Error> {
        let mut doc = Sigi {
            status_code: None,
            module: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "UserModule" => {
                    doc.module = Some(map.next_value_seed(ModuleSeed {
                        username: self.username,
                    })?)
                }
                "UserPage" => doc.status_code = map.next_value::<UserPage>()?.status_code,
                _ => drop(map.next_value::<IgnoredAny>()?),
            }
        }
        Ok(doc)
    }
}

#[derive(Deserialize)]
struct UserPage {
    #[serde(rename = "statusCode")]
    status_code: Option<i64>,
}

struct ModuleSeed<'u> {
    username: &'u str,
}

impl<'de> DeserializeSeed<'de> for ModuleSeed<'_> {
    type Value = SigiModule;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<SigiModule, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ModuleSeed<'_> {
    type Value = SigiModule;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a UserModule object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SigiModule, A::Error> {
        let mut module = SigiModule {
            user: None,
            stats: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "users" => module.user = map.next_value_seed(PickKey::new(self.username))?,
                "stats" => module.stats = map.next_value_seed(PickKey::new(self.username))?,
                _ => drop(map.next_value::<IgnoredAny>()?),
            }
        }
        Ok(module)
    }
}

/// From a JSON object keyed by username, the value under `username` (without
/// case); every other entry is skipped unread.
struct PickKey<'u, T> {
    username: &'u str,
    value: PhantomData<T>,
}

impl<'u, T> PickKey<'u, T> {
    fn new(username: &'u str) -> Self {
        PickKey {
            username,
            value: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for PickKey<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Option<T>, D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for PickKey<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object keyed by username")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if found.is_none() && key.eq_ignore_ascii_case(self.username) {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn universal_page(detail: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><script id=\"other\">var x = '<script';</script>\
             <script id=\"{UNIVERSAL_SCRIPT_ID}\" type=\"application/json\">\
             {{\"__DEFAULT_SCOPE__\":{{\"webapp.app-context\":{{\"language\":\"en\"}},\
             \"webapp.user-detail\":{detail}}}}}</script></head><body></body></html>"
        )
    }

    const ALICE: &str = r#"{"statusCode":0,"statusMsg":"","userInfo":{
        "user":{"id":"6","uniqueId":"alice.w","nickname":"Alice Ünïcode 🐝","region":"SE",
                "privateAccount":false,"secUid":"MS4","avatarLarger":"https://x/y.jpg"},
        "stats":{"followerCount":1234567,"followingCount":89,"heart":98765432,
                 "heartCount":98765432,"videoCount":321,"diggCount":5,"friendCount":12},
        "statsV2":{"followerCount":"1234567"}}}"#;

    #[test]
    fn a_current_page_gives_all_seven_columns_exactly() {
        let profile = parse_profile_page(&universal_page(ALICE), "Alice.W").unwrap();
        assert_eq!(
            profile,
            WebProfile {
                username: "alice.w".into(),
                nickname: Some("Alice Ünïcode 🐝".into()),
                region: Some("SE".into()),
                followers: Some(1_234_567),
                following: Some(89),
                hearts: Some(98_765_432),
                videos: Some(321),
                friends: Some(12),
                private: false,
            }
        );
    }

    #[test]
    fn an_older_page_counts_hearts_as_heart() {
        let detail = ALICE.replace(r#""heartCount":98765432,"#, "");
        let profile = parse_profile_page(&universal_page(&detail), "alice.w").unwrap();
        assert_eq!(profile.hearts, Some(98_765_432));
    }

    #[test]
    fn a_sigi_state_page_is_read_for_its_user_only() {
        let html = format!(
            "<html><script id=\"{SIGI_SCRIPT_ID}\" type=\"application/json\">{{\
             \"AppContext\":{{\"appContext\":{{}}}},\
             \"UserModule\":{{\"users\":{{\"bob\":{{\"uniqueId\":\"bob\",\"nickname\":\"Bob\"}},\
             \"Alice.W\":{{\"uniqueId\":\"Alice.W\",\"nickname\":\"Alice\",\"region\":\"DE\"}}}},\
             \"stats\":{{\"bob\":{{\"followerCount\":1}},\"Alice.W\":{{\"followerCount\":7,\
             \"followingCount\":8,\"heart\":9,\"videoCount\":10,\"friendCount\":11}}}}}},\
             \"UserPage\":{{\"uniqueId\":\"Alice.W\",\"statusCode\":0}}}}</script></html>"
        );
        let profile = parse_profile_page(&html, "alice.w").unwrap();
        assert_eq!(profile.nickname.as_deref(), Some("Alice"));
        assert_eq!(profile.region.as_deref(), Some("DE"));
        assert_eq!(
            [
                profile.followers,
                profile.following,
                profile.hearts,
                profile.videos,
                profile.friends
            ],
            [Some(7), Some(8), Some(9), Some(10), Some(11)]
        );
        let unknown = html.replace("\"statusCode\":0", "\"statusCode\":10202");
        assert_eq!(
            parse_profile_page(&unknown, "alice.w"),
            Err(PageProblem::UnknownUser { status_code: 10202 })
        );
        let absent = parse_profile_page(&html, "carol").unwrap_err();
        assert_eq!(absent.outcome(), Outcome::PageNotRecognised, "{absent}");
    }

    #[test]
    fn a_non_zero_status_code_is_an_unknown_user() {
        let page = universal_page(r#"{"statusCode":10202,"statusMsg":"","userInfo":{}}"#);
        let problem = parse_profile_page(&page, "ghost").unwrap_err();
        assert_eq!(problem, PageProblem::UnknownUser { status_code: 10202 });
        assert_eq!(problem.outcome(), Outcome::UnknownUser);
        assert!(problem.to_string().contains("10202"));
    }

    #[test]
    fn a_private_page_without_numbers_is_private_and_with_them_is_read() {
        let bare =
            r#"{"statusCode":0,"userInfo":{"user":{"uniqueId":"shy","privateAccount":true}}}"#;
        let problem = parse_profile_page(&universal_page(bare), "shy").unwrap_err();
        assert_eq!(problem.outcome(), Outcome::PrivateAccount);
        let with = r#"{"statusCode":0,"userInfo":{"user":{"uniqueId":"shy","privateAccount":true},
            "stats":{"followerCount":3}}}"#;
        let profile = parse_profile_page(&universal_page(with), "shy").unwrap();
        assert!(profile.private);
        assert_eq!((profile.followers, profile.videos), (Some(3), None));
    }

    #[test]
    fn another_users_page_is_refused() {
        let problem = parse_profile_page(&universal_page(ALICE), "alice").unwrap_err();
        assert_eq!(
            problem,
            PageProblem::OtherUser {
                shown: "alice.w".into()
            }
        );
    }

    #[test]
    fn hostile_and_broken_pages_are_outcomes_not_panics() {
        let full = universal_page(ALICE);
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let huge_string = format!("{{\"statusCode\":\"{}\"}}", "x".repeat(1_000_000));
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "empty"),
            ("<html>captcha</html>".into(), "no script"),
            (full[..full.len() / 2].to_string(), "truncated in the JSON"),
            (full.replace("</script></head>", ""), "script never closed"),
            (universal_page("{"), "bad JSON"),
            (universal_page(&nested), "deep nesting"),
            (universal_page(&huge_string), "huge string"),
            (
                universal_page(&ALICE.replace("1234567", "-5")),
                "negative count",
            ),
            (
                universal_page(&ALICE.replace("1234567", "\"1.2M\"")),
                "count as text",
            ),
            (
                universal_page(&ALICE.replace("1234567", "1e400")),
                "count out of range",
            ),
            (universal_page("null"), "null detail"),
            (universal_page(r#"{"userInfo":{"stats":{}}}"#), "no user"),
            (
                format!("<script id=\"{UNIVERSAL_SCRIPT_ID}\">[1,2,3]</script>"),
                "an array",
            ),
            (
                format!("<script id=\"{UNIVERSAL_SCRIPT_ID}\""),
                "tag never ends",
            ),
            (
                format!("<script id='{SIGI_SCRIPT_ID}'>{{\"UserModule\":7}}</script>"),
                "sigi of the wrong type",
            ),
        ];
        for (html, what) in cases {
            let problem = parse_profile_page(&html, "alice.w").unwrap_err();
            assert_eq!(
                problem.outcome(),
                Outcome::PageNotRecognised,
                "{what}: {problem}"
            );
            assert!(problem.to_string().len() < 400, "{what}: a short reason");
        }
    }

    #[test]
    fn every_cut_of_a_page_is_an_answer() {
        let full = universal_page(ALICE);
        for end in (0..full.len()).filter(|i| full.is_char_boundary(*i)) {
            let _ = parse_profile_page(&full[..end], "alice.w");
        }
    }
}
