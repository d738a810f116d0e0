//! [`TikTokWeb`]: fetches profile pages politely and reads them.

use std::fmt;
use std::io::ErrorKind as IoKind;
use std::time::{Duration, Instant};

use ureq::http::{Response, StatusCode};
use ureq::{Agent, Body, Proxy};

use crate::error::{Error, Result};
use crate::ops::{CancelToken, Outcome};
use crate::web::pace::{sleep_until, Pacer};
use crate::web::page::{parse_profile_page, WebProfile};
use crate::web::{base_url, redacted_proxy, WebOptions};

/// The longest wait between two attempts, whatever `Retry-After` asks for.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Why one account's page gave no profile: the outcome to report and a reason
/// for people (never a secret: a proxy's credentials are not in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebFailure {
    /// The account's outcome (`unknown_user`, `private_account`,
    /// `page_not_recognised`, `timeout`, `cancelled`, `error`).
    pub outcome: Outcome,
    /// What happened, naming the page.
    pub reason: String,
}

impl fmt::Display for WebFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.outcome, self.reason)
    }
}

/// A client for TikTok's public profile pages (or a mirror at another base URL).
///
/// One request at a time to the host, spaced by the options' rate, shared by
/// every thread that uses the same client.
pub struct TikTokWeb {
    agent: Agent,
    base: String,
    options: WebOptions,
    pacer: Pacer,
}

impl fmt::Debug for TikTokWeb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TikTokWeb")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// What one attempt gave.
enum Attempt {
    /// The page was read (status 200).
    Page(Vec<u8>),
    /// Worth another try after a wait (429, 5xx, a dropped connection).
    Retry {
        failure: WebFailure,
        retry_after: Option<Duration>,
    },
    /// Final.
    Failed(WebFailure),
}

impl TikTokWeb {
    /// A client with these options, checked first ([`WebOptions::check`]).
    pub fn new(options: WebOptions) -> Result<Self> {
        options.check()?;
        let proxy = options.proxy.as_deref().map(proxy).transpose()?;
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .proxy(proxy)
            .max_redirects(5)
            .user_agent(options.user_agent.as_str())
            .accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
            .build();
        Ok(TikTokWeb {
            agent: Agent::new_with_config(config),
            base: base_url(&options.base_url)?.to_string(),
            pacer: Pacer::new(options.requests_per_second),
            options,
        })
    }

    /// The options the client was made with.
    pub fn options(&self) -> &WebOptions {
        &self.options
    }

    /// The page address of `username` (`BASE/@USERNAME`).
    pub fn page_url(&self, username: &str) -> String {
        format!("{}/@{username}", self.base)
    }

    /// Fetches and reads `username`'s profile page, retrying 429, 5xx and
    /// dropped connections with backoff; stops early (outcome `cancelled`)
    /// when `cancel` fires.
    ///
    /// `username` is a roster username (ASCII letters, digits, `_`, `.`); any
    /// other text is refused as an `error` without a request.
    pub fn profile(
        &self,
        username: &str,
        cancel: &CancelToken,
    ) -> std::result::Result<WebProfile, WebFailure> {
        if username.is_empty()
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(WebFailure {
                outcome: Outcome::Error,
                reason: format!(
                    "'{}' is not a TikTok username",
                    crate::account::printable(username)
                ),
            });
        }
        let url = self.page_url(username);
        let mut wait = self.options.backoff;
        for attempt in 0..=self.options.retries {
            let Some(result) = self.pacer.turn(cancel, || self.attempt(&url)) else {
                return Err(cancelled());
            };
            match result {
                Attempt::Page(body) => {
                    let html = String::from_utf8_lossy(&body);
                    return parse_profile_page(&html, username).map_err(|problem| WebFailure {
                        outcome: problem.outcome(),
                        reason: format!("{url}: {problem}"),
                    });
                }
                Attempt::Failed(failure) => return Err(failure),
                Attempt::Retry {
                    failure,
                    retry_after,
                } => {
                    if attempt == self.options.retries {
                        return Err(WebFailure {
                            reason: format!("{} (after {} attempts)", failure.reason, attempt + 1),
                            ..failure
                        });
                    }
                    let pause = retry_after.unwrap_or(wait).min(MAX_BACKOFF);
                    if !sleep_until(Instant::now() + pause, cancel) {
                        return Err(cancelled());
                    }
                    wait = (wait * 2).min(MAX_BACKOFF);
                }
            }
        }
        Err(cancelled())
    }

    /// One request for `url`.
    fn attempt(&self, url: &str) -> Attempt {
        let response = self
            .agent
            .get(url)
            .header("Accept-Language", self.options.accept_language.as_str())
            .call();
        let mut response = match response {
            Ok(response) => response,
            Err(e) => return self.transport_failure(url, e),
        };
        let status = response.status();
        if status == StatusCode::OK {
            return match read_body(&mut response, self.options.max_page_bytes) {
                Ok(body) => Attempt::Page(body),
                Err(e) => self.transport_failure(url, e),
            };
        }
        let failure = |outcome, why: String| WebFailure {
            outcome,
            reason: format!("{url}: {why}"),
        };
        if status == StatusCode::NOT_FOUND {
            return Attempt::Failed(failure(
                Outcome::UnknownUser,
                "no such page (HTTP 404): no such user".into(),
            ));
        }
        // A 429 that outlasts the retries is `error`, not the account's
        // `too_many_attempts`: the site limits this client, not the account.
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Attempt::Retry {
                failure: failure(
                    Outcome::Error,
                    format!("the server answered HTTP {}", status.as_u16()),
                ),
                retry_after: retry_after(&response),
            };
        }
        Attempt::Failed(failure(
            Outcome::Error,
            format!("the server answered HTTP {}", status.as_u16()),
        ))
    }

    /// The attempt for a request that failed below HTTP.
    fn transport_failure(&self, url: &str, error: ureq::Error) -> Attempt {
        let failed = |outcome, why: String| WebFailure {
            outcome,
            reason: format!("{url}: {why}"),
        };
        let timeout = self.options.timeout;
        match error {
            ureq::Error::Timeout(_) => Attempt::Failed(failed(
                Outcome::Timeout,
                format!("no whole page within {}", seconds(timeout)),
            )),
            ureq::Error::Io(e) if matches!(e.kind(), IoKind::TimedOut | IoKind::WouldBlock) => {
                Attempt::Failed(failed(
                    Outcome::Timeout,
                    format!("no whole page within {}", seconds(timeout)),
                ))
            }
            ureq::Error::BodyExceedsLimit(_) => Attempt::Failed(failed(
                Outcome::PageNotRecognised,
                format!(
                    "the page is larger than the {}-byte cap (max_page_bytes)",
                    self.options.max_page_bytes
                ),
            )),
            ureq::Error::Io(e) => Attempt::Retry {
                failure: failed(
                    Outcome::Error,
                    format!("the connection failed mid-page ({})", e.kind()),
                ),
                retry_after: None,
            },
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => Attempt::Retry {
                failure: failed(Outcome::Error, format!("cannot connect ({error})")),
                retry_after: None,
            },
            ureq::Error::ConnectProxyFailed(_) => Attempt::Failed(failed(
                Outcome::Error,
                format!(
                    "the proxy {} refused the connection",
                    self.options
                        .proxy
                        .as_deref()
                        .map(redacted_proxy)
                        .unwrap_or_default()
                ),
            )),
            other => Attempt::Failed(failed(
                Outcome::Error,
                crate::text::cut(&other.to_string(), 200),
            )),
        }
    }
}

/// The body, at most `cap` bytes (after decompression).
fn read_body(response: &mut Response<Body>, cap: u64) -> std::result::Result<Vec<u8>, ureq::Error> {
    response.body_mut().with_config().limit(cap).read_to_vec()
}

/// A `Retry-After` given in seconds.
fn retry_after(response: &Response<Body>) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn cancelled() -> WebFailure {
    WebFailure {
        outcome: Outcome::Cancelled,
        reason: Outcome::Cancelled.describe().into(),
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// An HTTP(S) proxy from its URL; anything else is a `Validation` error on
/// `proxy` (whose message never repeats credentials).
pub(crate) fn proxy(url: &str) -> Result<Proxy> {
    let shown = redacted_proxy(url);
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(Error::validation(
            "proxy",
            format!(
                "'{}' is not an http:// or https:// proxy URL",
                crate::account::printable(&shown)
            ),
        ));
    }
    Proxy::new(url).map_err(|_| {
        Error::validation(
            "proxy",
            format!(
                "'{}' is not a proxy URL (http://[user:pass@]host:port)",
                crate::account::printable(&shown)
            ),
        )
    })
}
