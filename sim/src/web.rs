//! A stand-in for TikTok's public profile pages: a small HTTP/1.1 server on a
//! 127.0.0.1 port serving `/@USERNAME` pages built from the simulated
//! world's accounts, with faults to set per user (404, unknown user, 429s,
//! 5xx, cut pages, huge pages, slow pages, the older layout).
//!
//! The pages follow the public facts the engine reads (see
//! `farmhand::web::page`): a `__UNIVERSAL_DATA_FOR_REHYDRATION__` script, or
//! `SIGI_STATE` for the older layout. The server records every request it
//! reads (when, which path, which headers) so tests can measure the rate a
//! client keeps.
//!
//! ```no_run
//! use farmhand_sim::web::{PageProfile, ProfilePages};
//! let pages = ProfilePages::start([PageProfile::new("alice").followers(1_234_567)])?;
//! println!("{}/@alice", pages.url());
//! # Ok::<(), farmhand::Error>(())
//! ```

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use farmhand::{Error, Platform, Result};
use serde_json::json;

use crate::scenario::{PlatformAccount, Scenario};

/// The longest request head read; a longer one is answered 431 and closed.
const MAX_HEAD: usize = 16 * 1024;

/// One user's profile as its page states it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageProfile {
    /// `uniqueId`.
    pub username: String,
    /// `nickname`.
    pub nickname: Option<String>,
    /// `region` (the sheet's `country`).
    pub region: Option<String>,
    /// `followerCount`.
    pub followers: u64,
    /// `followingCount`.
    pub following: u64,
    /// `heartCount` (and the older `heart`).
    pub hearts: u64,
    /// `videoCount`.
    pub videos: u64,
    /// `friendCount`.
    pub friends: u64,
    /// `privateAccount`.
    pub private: bool,
}

impl PageProfile {
    /// A profile with every number zero.
    pub fn new(username: &str) -> Self {
        PageProfile {
            username: username.to_string(),
            ..PageProfile::default()
        }
    }

    /// The same with `followers`.
    pub fn followers(self, followers: u64) -> Self {
        PageProfile { followers, ..self }
    }

    /// The page of a scenario's TikTok account.
    pub fn of_account(account: &PlatformAccount) -> Self {
        PageProfile {
            username: account.username.clone(),
            nickname: account.nickname.clone(),
            region: account.country.clone(),
            followers: account.followers,
            following: account.following,
            hearts: account.likes,
            videos: account.posts,
            friends: account.friends,
            private: false,
        }
    }
}

/// What a user's page does instead of answering normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageFault {
    /// HTTP 404.
    NotFound,
    /// A page whose `statusCode` is this (TikTok's unknown-user pages say 10202).
    StatusCode(i64),
    /// The first `n` requests answered 429 with `Retry-After: 1`, then the page.
    TooManyRequests(u32),
    /// The first `n` requests answered 503, then the page.
    ServerErrors(u32),
    /// A whole HTTP answer whose page is cut inside its JSON.
    TruncatedPage,
    /// An answer whose `Content-Length` promises more than is sent before the connection closes.
    DroppedMidBody,
    /// A page of this many bytes (its script never ends).
    Huge(u64),
    /// The page, after this long.
    Slow(Duration),
    /// The page in the older `SIGI_STATE` layout.
    SigiState,
    /// A private account's page without numbers.
    PrivateWithoutStats,
}

/// A request the server read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// When its head was read.
    pub at: Instant,
    /// The request path (`/@alice`).
    pub path: String,
    /// Its `User-Agent`, if any.
    pub user_agent: Option<String>,
    /// Its `Accept-Language`, if any.
    pub accept_language: Option<String>,
}

#[derive(Default)]
struct World {
    profiles: HashMap<String, PageProfile>,
    faults: HashMap<String, PageFault>,
    requests: Vec<PageRequest>,
}

/// A running stand-in for the profile pages; stops when dropped.
pub struct ProfilePages {
    addr: SocketAddr,
    world: Arc<Mutex<World>>,
    stop: Arc<AtomicBool>,
    accepting: Option<JoinHandle<()>>,
}

impl ProfilePages {
    /// Serves these profiles on a free 127.0.0.1 port.
    pub fn start(profiles: impl IntoIterator<Item = PageProfile>) -> Result<Self> {
        let failed = |e: io::Error| Error::device("127.0.0.1", format!("profile pages: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0").map_err(failed)?;
        let addr = listener.local_addr().map_err(failed)?;
        let world = Arc::new(Mutex::new(World {
            profiles: profiles
                .into_iter()
                .map(|p| (p.username.to_ascii_lowercase(), p))
                .collect(),
            ..World::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let accepting = {
            let (world, stop) = (world.clone(), stop.clone());
            std::thread::Builder::new()
                .name("sim-profile-pages".into())
                .spawn(move || accept(listener, world, stop))
                .map_err(failed)?
        };
        Ok(ProfilePages {
            addr,
            world,
            stop,
            accepting: Some(accepting),
        })
    }

    /// Serves the pages of a scenario's TikTok accounts.
    pub fn for_scenario(scenario: &Scenario) -> Result<Self> {
        ProfilePages::start(
            scenario
                .accounts
                .iter()
                .filter(|a| a.platform == Platform::TikTok)
                .map(PageProfile::of_account),
        )
    }

    /// The base URL (`http://127.0.0.1:PORT`), for `--web-url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Makes `username`'s page misbehave (replacing an earlier fault).
    pub fn set_fault(&self, username: &str, fault: PageFault) {
        self.lock()
            .faults
            .insert(username.to_ascii_lowercase(), fault);
    }

    /// Every request read so far, in order.
    pub fn requests(&self) -> Vec<PageRequest> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for ProfilePages {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

fn accept(listener: TcpListener, world: Arc<Mutex<World>>, stop: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let world = world.clone();
        let _ = std::thread::Builder::new()
            .name("sim-profile-page".into())
            .spawn(move || {
                let _ = serve(stream, &world);
            });
    }
}

/// What to send for one request, decided under the lock.
enum Answer {
    Status(u16, &'static str, Vec<(&'static str, String)>),
    Page(String),
    Truncated(String),
    Dropped(String),
    Huge(u64),
    Slow(Duration, String),
}

fn serve(stream: TcpStream, world: &Mutex<World>) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some(head) = read_head(&mut reader)? else {
        return respond(&stream, 431, "Request Header Fields Too Large", &[], b"");
    };
    let request = PageRequest {
        at: Instant::now(),
        path: head.path.clone(),
        user_agent: head.header("user-agent"),
        accept_language: head.header("accept-language"),
    };
    let answer = {
        let mut world = world.lock().unwrap_or_else(PoisonError::into_inner);
        world.requests.push(request);
        answer(&mut world, &head.path)
    };
    let mut out = &stream;
    match answer {
        Answer::Status(code, text, headers) => respond(&stream, code, text, &headers, b""),
        Answer::Page(page) => respond(&stream, 200, "OK", &[], page.as_bytes()),
        Answer::Slow(wait, page) => {
            std::thread::sleep(wait);
            respond(&stream, 200, "OK", &[], page.as_bytes())
        }
        Answer::Truncated(page) => {
            let cut = &page.as_bytes()[..page.len() * 2 / 3];
            respond(&stream, 200, "OK", &[], cut)
        }
        Answer::Dropped(page) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                page.len()
            )?;
            out.write_all(&page.as_bytes()[..page.len() / 2])?;
            out.flush()?;
            stream.shutdown(Shutdown::Both)
        }
        Answer::Huge(size) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {size}\r\nConnection: close\r\n\r\n"
            )?;
            let head = b"<html><script id=\"__UNIVERSAL_DATA_FOR_REHYDRATION__\">{\"x\":\"";
            out.write_all(head)?;
            let chunk = vec![b'a'; 64 * 1024];
            let mut left = size.saturating_sub(head.len() as u64);
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                out.write_all(&chunk[..n])?;
                left -= n as u64;
            }
            out.flush()
        }
    }
}

fn answer(world: &mut World, path: &str) -> Answer {
    let Some(name) = path
        .split('?')
        .next()
        .and_then(|p| p.strip_prefix("/@"))
        .filter(|n| !n.is_empty())
    else {
        return Answer::Status(404, "Not Found", Vec::new());
    };
    let key = name.to_ascii_lowercase();
    let profile = world.profiles.get(&key).cloned();
    let page = |sigi: bool| match &profile {
        Some(p) if sigi => sigi_page(p),
        Some(p) => universal_page(p),
        None => status_page(name, 10202),
    };
    let fault = world.faults.get_mut(&key);
    match fault {
        None => Answer::Page(page(false)),
        Some(PageFault::NotFound) => Answer::Status(404, "Not Found", Vec::new()),
        Some(PageFault::StatusCode(code)) => Answer::Page(status_page(name, *code)),
        Some(PageFault::TooManyRequests(left)) if *left > 0 => {
            *left -= 1;
            Answer::Status(
                429,
                "Too Many Requests",
                vec![("Retry-After", "1".to_string())],
            )
        }
        Some(PageFault::ServerErrors(left)) if *left > 0 => {
            *left -= 1;
            Answer::Status(503, "Service Unavailable", Vec::new())
        }
        Some(PageFault::TooManyRequests(_) | PageFault::ServerErrors(_)) => {
            Answer::Page(page(false))
        }
        Some(PageFault::TruncatedPage) => Answer::Truncated(page(false)),
        Some(PageFault::DroppedMidBody) => Answer::Dropped(page(false)),
        Some(PageFault::Huge(size)) => Answer::Huge(*size),
        Some(PageFault::Slow(wait)) => Answer::Slow(*wait, page(false)),
        Some(PageFault::SigiState) => Answer::Page(page(true)),
        Some(PageFault::PrivateWithoutStats) => Answer::Page(wrap_universal(&json!({
            "statusCode": 0,
            "statusMsg": "",
            "userInfo": {"user": {"uniqueId": name, "privateAccount": true}},
        }))),
    }
}

fn respond(
    mut stream: &TcpStream,
    code: u16,
    text: &str,
    headers: &[(&'static str, String)],
    body: &[u8],
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {code} {text}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

struct Head {
    path: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// The request line and headers; `None` when the head is longer than [`MAX_HEAD`].
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Head>> {
    let mut total = 0;
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = reader
            .by_ref()
            .take((MAX_HEAD - total + 1) as u64)
            .read_line(&mut line)?;
        total += n;
        if total > MAX_HEAD {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if n == 0 || line.is_empty() {
            break;
        }
        lines.push(line.to_string());
    }
    let mut lines = lines.into_iter();
    let request_line = lines.next().unwrap_or_default();
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    Ok(Some(Head { path, headers }))
}

/// A current profile page (`__UNIVERSAL_DATA_FOR_REHYDRATION__`).
pub fn universal_page(profile: &PageProfile) -> String {
    wrap_universal(&json!({
        "statusCode": 0,
        "statusMsg": "",
        "userInfo": {
            "user": user_json(profile),
            "stats": stats_json(profile),
        },
    }))
}

/// An older profile page (`SIGI_STATE`).
pub fn sigi_page(profile: &PageProfile) -> String {
    let name = &profile.username;
    let state = json!({
        "AppContext": {"appContext": {"language": "en"}},
        "UserModule": {
            "users": {name.as_str(): user_json(profile)},
            "stats": {name.as_str(): stats_json(profile)},
        },
        "UserPage": {"uniqueId": name, "statusCode": 0},
    });
    format!(
        "<!DOCTYPE html><html><head><title>{name} | TikTok</title></head><body>\
         <script id=\"SIGI_STATE\" type=\"application/json\">{}</script></body></html>",
        script_json(&state)
    )
}

/// The page TikTok serves for a user it does not show (`statusCode` non-zero).
pub fn status_page(username: &str, status_code: i64) -> String {
    wrap_universal(&json!({
        "statusCode": status_code,
        "statusMsg": "",
        "userInfo": {"user": {"uniqueId": username}},
    }))
}

fn user_json(p: &PageProfile) -> serde_json::Value {
    json!({
        "id": "7000000000000000000",
        "uniqueId": p.username,
        "nickname": p.nickname.clone().unwrap_or_default(),
        "region": p.region.clone().unwrap_or_default(),
        "privateAccount": p.private,
        "secUid": "MS4wLjABAAAA",
        "verified": false,
    })
}

fn stats_json(p: &PageProfile) -> serde_json::Value {
    json!({
        "followerCount": p.followers,
        "followingCount": p.following,
        "heart": p.hearts,
        "heartCount": p.hearts,
        "videoCount": p.videos,
        "diggCount": 0,
        "friendCount": p.friends,
    })
}

fn wrap_universal(detail: &serde_json::Value) -> String {
    let state = json!({
        "__DEFAULT_SCOPE__": {
            "webapp.app-context": {"language": "en", "region": "US"},
            "webapp.user-detail": detail,
        }
    });
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>TikTok</title>\
         <script>window.a = '<b>';</script></head><body><div id=\"app\"></div>\
         <script id=\"__UNIVERSAL_DATA_FOR_REHYDRATION__\" type=\"application/json\">{}</script>\
         </body></html>",
        script_json(&state)
    )
}

/// JSON safe inside a `<script>`: every `<` is written `\u003c` (as TikTok's
/// pages do), so no nickname can close the script.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}
