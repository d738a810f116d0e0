//! Profile numbers from TikTok's public web profile page (`https://www.tiktok.com/@USERNAME`),
//! the way TikMatrix fills its sheet: all seven TikTok columns, exact.
//!
//! The page embeds the profile as JSON ([`page`] reads it, a pure function).
//! [`TikTokWeb`] fetches pages politely: a realistic `User-Agent` and
//! `Accept-Language`, one request at a time, spaced to at most
//! [`WebOptions::requests_per_second`], retries with backoff on 429 and 5xx
//! (honouring `Retry-After`), a timeout per request, an optional HTTP(S)
//! proxy, and a cap on the page's size. Every way a page can fail is an
//! account's [`Outcome`](crate::ops::Outcome) with a reason ([`WebFailure`]), never a crash.
//!
//! The profile sync uses it through
//! [`ProfileSource::Web`](crate::ops::ProfileSource::Web) and
//! [`ProfileSource::Both`](crate::ops::ProfileSource::Both). Instagram has no
//! such page source: its profiles sync from the app only.
//!
//! ```no_run
//! use farmhand::web::{TikTokWeb, WebOptions};
//! use farmhand::ops::CancelToken;
//!
//! # fn main() -> farmhand::Result<()> {
//! let web = TikTokWeb::new(WebOptions::default())?;
//! match web.profile("tiktok", &CancelToken::new()) {
//!     Ok(p) => println!("{} followers", p.followers.unwrap_or(0)),
//!     Err(f) => println!("{}: {}", f.outcome, f.reason),
//! }
//! # Ok(())
//! # }
//! ```

mod client;
mod pace;
pub mod page;

use std::fmt;
use std::time::Duration;

pub use client::{TikTokWeb, WebFailure};
pub use page::{parse_profile_page, PageProblem, WebProfile};

use crate::error::{Error, Result};

/// TikTok's own site, the default [`WebOptions::base_url`].
pub const TIKTOK_WEB_URL: &str = "https://www.tiktok.com";

/// The environment variable the command line and the Python package read a
/// base URL from (tests, mirrors); the library itself reads no environment.
pub const WEB_URL_ENV: &str = "FARMHAND_TIKTOK_WEB_URL";

/// A current desktop browser's `User-Agent`: pages served to unknown clients differ.
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) \
    AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// The most requests per second a run may ask for.
pub const MAX_REQUESTS_PER_SECOND: f64 = 1000.0;

/// How the web source fetches profile pages.
#[derive(Clone, PartialEq)]
pub struct WebOptions {
    /// Where the profile pages are: `BASE/@USERNAME` (default [`TIKTOK_WEB_URL`]).
    pub base_url: String,
    /// At most this many requests per second to the host (default 1), one at a time.
    pub requests_per_second: f64,
    /// Longest wait for one request, from connecting to the page's last byte (default 15 s).
    pub timeout: Duration,
    /// Further attempts after a 429, a 5xx or a dropped connection (default 3).
    pub retries: u32,
    /// The wait before the first retry, doubled for each next one (default 2 s);
    /// a `Retry-After` from the server is used instead when it gives one.
    /// No wait is longer than a minute.
    pub backoff: Duration,
    /// An HTTP(S) proxy for the run, `http://[user:pass@]host:port`; `None`: direct.
    /// Proxies from the environment are not used.
    pub proxy: Option<String>,
    /// The `User-Agent` sent (default [`DEFAULT_USER_AGENT`]).
    pub user_agent: String,
    /// The `Accept-Language` sent (default `en-US,en;q=0.9`).
    pub accept_language: String,
    /// The largest page read, in bytes after decompression (default 8 MiB;
    /// TikTok's profile pages are a few hundred KiB).
    pub max_page_bytes: u64,
}

impl Default for WebOptions {
    fn default() -> Self {
        WebOptions {
            base_url: TIKTOK_WEB_URL.to_string(),
            requests_per_second: 1.0,
            timeout: Duration::from_secs(15),
            retries: 3,
            backoff: Duration::from_secs(2),
            proxy: None,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            accept_language: "en-US,en;q=0.9".to_string(),
            max_page_bytes: 8 << 20,
        }
    }
}

impl WebOptions {
    /// Refuses options no run can honour, naming the option: a base URL that
    /// is not `http(s)://host`, a rate that is not in (0, 1000], a zero
    /// timeout or page cap, a proxy that is not an HTTP(S) URL.
    pub fn check(&self) -> Result<()> {
        base_url(&self.base_url)?;
        let rate = self.requests_per_second;
        if !(rate.is_finite() && rate > 0.0 && rate <= MAX_REQUESTS_PER_SECOND) {
            return Err(Error::validation(
                "requests_per_second",
                format!("must be above 0 and at most {MAX_REQUESTS_PER_SECOND}, not {rate}"),
            ));
        }
        if self.timeout.is_zero() {
            return Err(Error::validation("timeout", "must be above 0"));
        }
        if self.max_page_bytes == 0 {
            return Err(Error::validation("max_page_bytes", "must be above 0"));
        }
        for (field, value) in [
            ("user_agent", &self.user_agent),
            ("accept_language", &self.accept_language),
        ] {
            if value.chars().any(|c| c.is_control()) || value.trim().is_empty() {
                return Err(Error::validation(
                    field,
                    "must be non-blank text without control characters",
                ));
            }
        }
        if let Some(proxy) = &self.proxy {
            client::proxy(proxy)?;
        }
        Ok(())
    }
}

/// The proxy as shown in messages: its credentials are never printed.
pub(crate) fn redacted_proxy(proxy: &str) -> String {
    match proxy.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => proxy.to_string(),
        },
        None => match proxy.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => proxy.to_string(),
        },
    }
}

impl fmt::Debug for WebOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebOptions")
            .field("base_url", &self.base_url)
            .field("requests_per_second", &self.requests_per_second)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("proxy", &self.proxy.as_deref().map(redacted_proxy))
            .field("user_agent", &self.user_agent)
            .field("accept_language", &self.accept_language)
            .field("max_page_bytes", &self.max_page_bytes)
            .finish()
    }
}

/// The base URL without its trailing `/`, if it is `http(s)://host[:port][/path]`.
pub(crate) fn base_url(url: &str) -> Result<&str> {
    let bad = |why: &str| {
        Error::validation(
            "web_url",
            format!("'{}' {why}", crate::account::printable(url)),
        )
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(bad("names no host"));
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '@'))
    {
        return Err(bad("holds a space, '?', '#' or '@'"));
    }
    Ok(url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_options_are_refused_by_name() {
        let field = |o: WebOptions| match o.check() {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        let base = WebOptions::default();
        for url in [
            "",
            "ftp://x",
            "https://",
            "https:///x",
            "http://a b",
            "http://h/?q=1",
        ] {
            assert_eq!(
                field(WebOptions {
                    base_url: url.into(),
                    ..base.clone()
                }),
                "web_url",
                "{url}"
            );
        }
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 1001.0] {
            assert_eq!(
                field(WebOptions {
                    requests_per_second: rate,
                    ..base.clone()
                }),
                "requests_per_second"
            );
        }
        let zero = WebOptions {
            timeout: Duration::ZERO,
            ..base.clone()
        };
        assert_eq!(field(zero), "timeout");
        let header = WebOptions {
            user_agent: "x\r\nInjected: 1".into(),
            ..base.clone()
        };
        assert_eq!(field(header), "user_agent");
        for proxy in ["socks5://127.0.0.1:1080", "not a url", "ftp://p:1"] {
            assert_eq!(
                field(WebOptions {
                    proxy: Some(proxy.into()),
                    ..base.clone()
                }),
                "proxy",
                "{proxy}"
            );
        }
        assert!(WebOptions {
            base_url: "http://127.0.0.1:8080/mirror/".into(),
            proxy: Some("http://user:pw@127.0.0.1:3128".into()),
            ..base
        }
        .check()
        .is_ok());
    }

    #[test]
    fn proxy_credentials_never_show() {
        let options = WebOptions {
            proxy: Some("http://farm:s3cret@10.0.0.1:3128".into()),
            ..WebOptions::default()
        };
        let shown = format!("{options:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("farm:"),
            "{shown}"
        );
        assert!(shown.contains("http://***@10.0.0.1:3128"), "{shown}");
        let bad = WebOptions {
            proxy: Some("socks5://farm:s3cret@10.0.0.1:1080".into()),
            ..WebOptions::default()
        };
        let message = bad.check().unwrap_err().to_string();
        assert!(!message.contains("s3cret"), "{message}");
    }
}
