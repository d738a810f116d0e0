//! The web stats source against a local HTTP server in this process
//! (`farmhand_sim::ProfilePages`): every page shape and fault gives the
//! expected numbers or outcome within its timeout, the rate limit holds over
//! 1,000 accounts as the server counts, and the numbers reach the roster and
//! the exported sheet exactly. With `both`, phones reached through the real
//! adb server are completed from the pages.

mod ops_support;

use std::time::{Duration, Instant};

use calamine::{open_workbook, Data, Reader, Xlsx};
use farmhand::ops::{AccountSelection, CancelToken, Outcome, ProfileSource, RunOptions};
use farmhand::web::{TikTokWeb, WebOptions, WebProfile, DEFAULT_USER_AGENT};
use farmhand::xlsx::ExportOptions;
use farmhand::{NewAccount, Platform, Workspace};
use farmhand_sim::{AppKind, PageProfile, PhoneSpec, PlatformAccount, Scenario};
use farmhand_sim::{PageFault, ProfilePages};
use ops_support::{app, options as phone_options, platform_account, World};

fn alice() -> PageProfile {
    PageProfile {
        username: "alice.w".into(),
        nickname: Some("Alice <W> \"🐝\"".into()),
        region: Some("SE".into()),
        followers: 1_234_567,
        following: 89,
        hearts: 98_765_432_109,
        videos: 321,
        friends: 12,
        private: false,
    }
}

fn expected(p: &PageProfile) -> WebProfile {
    WebProfile {
        username: p.username.clone(),
        nickname: p.nickname.clone(),
        region: p.region.clone(),
        followers: Some(p.followers),
        following: Some(p.following),
        hearts: Some(p.hearts),
        videos: Some(p.videos),
        friends: Some(p.friends),
        private: p.private,
    }
}

/// Options for a local server: fast pace, short backoff and timeout.
fn web(pages: &ProfilePages) -> WebOptions {
    WebOptions {
        base_url: pages.url(),
        requests_per_second: 100.0,
        timeout: Duration::from_secs(2),
        backoff: Duration::from_millis(10),
        ..WebOptions::default()
    }
}

fn fetch(
    pages: &ProfilePages,
    options: WebOptions,
    user: &str,
) -> Result<WebProfile, (Outcome, String)> {
    let client = TikTokWeb::new(options).unwrap();
    client
        .profile(user, &CancelToken::new())
        .map_err(|f| (f.outcome, f.reason))
        .inspect(|_| assert!(!pages.requests().is_empty()))
}

#[test]
fn a_current_page_gives_every_number_and_sends_browser_headers() {
    let pages = ProfilePages::start([alice()]).unwrap();
    assert_eq!(
        fetch(&pages, web(&pages), "Alice.W"),
        Ok(expected(&alice()))
    );
    let seen = pages.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/@Alice.W");
    assert_eq!(seen[0].user_agent.as_deref(), Some(DEFAULT_USER_AGENT));
    assert_eq!(seen[0].accept_language.as_deref(), Some("en-US,en;q=0.9"));
}

#[test]
fn an_older_sigi_state_page_gives_every_number() {
    let pages = ProfilePages::start([alice()]).unwrap();
    pages.set_fault("alice.w", PageFault::SigiState);
    assert_eq!(
        fetch(&pages, web(&pages), "alice.w"),
        Ok(expected(&alice()))
    );
}

#[test]
fn a_404_and_an_unknown_user_page_are_unknown_users() {
    let pages = ProfilePages::start([alice(), PageProfile::new("gone")]).unwrap();
    pages.set_fault("gone", PageFault::NotFound);
    let (outcome, reason) = fetch(&pages, web(&pages), "gone").unwrap_err();
    assert_eq!(outcome, Outcome::UnknownUser);
    assert!(reason.contains("404"), "{reason}");
    // A name the site does not know: a page with statusCode 10202.
    let (outcome, reason) = fetch(&pages, web(&pages), "nobody_here").unwrap_err();
    assert_eq!(outcome, Outcome::UnknownUser);
    assert!(reason.contains("10202"), "{reason}");
    assert_eq!(pages.requests().len(), 2, "neither is retried");
}

#[test]
fn a_private_page_without_numbers_is_private() {
    let pages = ProfilePages::start([alice()]).unwrap();
    pages.set_fault("alice.w", PageFault::PrivateWithoutStats);
    let (outcome, _) = fetch(&pages, web(&pages), "alice.w").unwrap_err();
    assert_eq!(outcome, Outcome::PrivateAccount);
}

#[test]
fn a_429_is_waited_out_as_retry_after_says_then_read() {
    let pages = ProfilePages::start([alice()]).unwrap();
    pages.set_fault("alice.w", PageFault::TooManyRequests(1));
    assert_eq!(
        fetch(&pages, web(&pages), "alice.w"),
        Ok(expected(&alice()))
    );
    let seen = pages.requests();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[1].at - seen[0].at >= Duration::from_secs(1),
        "Retry-After: 1 is honoured"
    );
    // 429s that outlast the retries: an error of this run, not the account's
    // rate_limited health (the site limits the client, not the account).
    pages.set_fault("alice.w", PageFault::TooManyRequests(5));
    let options = WebOptions {
        retries: 0,
        ..web(&pages)
    };
    let (outcome, reason) = fetch(&pages, options, "alice.w").unwrap_err();
    assert_eq!(outcome, Outcome::Error);
    assert!(reason.contains("429"), "{reason}");
}

#[test]
fn server_errors_are_retried_and_too_many_end_the_account_not_the_run() {
    let pages = ProfilePages::start([alice()]).unwrap();
    pages.set_fault("alice.w", PageFault::ServerErrors(2));
    assert_eq!(
        fetch(&pages, web(&pages), "alice.w"),
        Ok(expected(&alice()))
    );
    pages.set_fault("alice.w", PageFault::ServerErrors(10));
    let options = WebOptions {
        retries: 2,
        ..web(&pages)
    };
    let (outcome, reason) = fetch(&pages, options, "alice.w").unwrap_err();
    assert_eq!(outcome, Outcome::Error);
    assert!(
        reason.contains("503") && reason.contains("3 attempts"),
        "{reason}"
    );
}

#[test]
fn a_truncated_page_is_not_recognised_and_a_dropped_one_is_an_error() {
    let pages = ProfilePages::start([alice()]).unwrap();
    pages.set_fault("alice.w", PageFault::TruncatedPage);
    let (outcome, reason) = fetch(&pages, web(&pages), "alice.w").unwrap_err();
    assert_eq!(outcome, Outcome::PageNotRecognised, "{reason}");
    pages.set_fault("alice.w", PageFault::DroppedMidBody);
    let options = WebOptions {
        retries: 1,
        ..web(&pages)
    };
    let (outcome, reason) = fetch(&pages, options, "alice.w").unwrap_err();
    assert_eq!(outcome, Outcome::Error, "{reason}");
    assert!(reason.contains("2 attempts"), "{reason}");
}

#[test]
fn a_50_mb_page_is_cut_at_the_cap() {
    let pages = ProfilePages::start([alice()]).unwrap();
    pages.set_fault("alice.w", PageFault::Huge(50 << 20));
    let options = WebOptions {
        timeout: Duration::from_secs(20),
        ..web(&pages)
    };
    let (outcome, reason) = fetch(&pages, options, "alice.w").unwrap_err();
    assert_eq!(outcome, Outcome::PageNotRecognised, "{reason}");
    assert!(reason.contains("8388608-byte cap"), "{reason}");
}

#[test]
fn a_slow_page_times_out_within_its_timeout() {
    let pages = ProfilePages::start([alice()]).unwrap();
    pages.set_fault("alice.w", PageFault::Slow(Duration::from_secs(5)));
    let options = WebOptions {
        timeout: Duration::from_millis(500),
        ..web(&pages)
    };
    let (outcome, reason) = fetch(&pages, options, "alice.w").unwrap_err();
    assert_eq!(outcome, Outcome::Timeout, "{reason}");
    assert_eq!(pages.requests().len(), 1, "a timeout is not retried");
}

#[test]
fn the_rate_limit_holds_over_1000_accounts_as_the_server_counts() {
    const RATE: usize = 200;
    let names: Vec<String> = (0..1000).map(|i| format!("user_{i:04}")).collect();
    let pages = ProfilePages::start(names.iter().map(|n| PageProfile {
        followers: 7,
        ..PageProfile::new(n)
    }))
    .unwrap();
    let ws = Workspace::in_memory();
    for name in &names {
        ws.add(NewAccount::new(Platform::TikTok, name)).unwrap();
    }
    let options = WebOptions {
        requests_per_second: RATE as f64,
        ..web(&pages)
    };
    let report = ws
        .sync_profiles_from(ProfileSource::Web(&options), &RunOptions::default())
        .unwrap();
    assert_eq!(
        report.summary.count(Outcome::SyncedFromWeb),
        1000,
        "{:?}",
        report.summary
    );
    let mut arrivals: Vec<Instant> = pages.requests().iter().map(|r| r.at).collect();
    assert_eq!(arrivals.len(), 1000);
    arrivals.sort();
    let mut busiest = 0;
    for (i, start) in arrivals.iter().enumerate() {
        let window = arrivals[i..]
            .iter()
            .take_while(|at| **at - *start < Duration::from_secs(1))
            .count();
        busiest = busiest.max(window);
    }
    assert!(
        busiest <= RATE,
        "{busiest} requests arrived within one second; the limit is {RATE}"
    );
}

#[test]
fn page_numbers_reach_the_roster_and_the_sheet_exactly() {
    let shy = PageProfile::new("shy");
    let pages = ProfilePages::start([alice(), shy]).unwrap();
    pages.set_fault("shy", PageFault::PrivateWithoutStats);
    let ws = Workspace::in_memory();
    let a = ws
        .add(NewAccount::new(Platform::TikTok, "alice.w"))
        .unwrap();
    let bound = ws
        .add(NewAccount::new(Platform::TikTok, "shy").device("emulator-5554"))
        .unwrap();
    let ghost = ws.add(NewAccount::new(Platform::TikTok, "ghost")).unwrap();
    let insta = ws
        .add(NewAccount::new(Platform::Instagram, "alice.w"))
        .unwrap();
    let options = RunOptions {
        accounts: AccountSelection::Ids(vec![a.id, bound.id, ghost.id, insta.id]),
        ..RunOptions::default()
    };
    let report = ws
        .sync_profiles_from(ProfileSource::Web(&web(&pages)), &options)
        .unwrap();
    assert_eq!(
        report.outcome(a.id),
        Some(Outcome::SyncedFromWeb),
        "{report:#?}"
    );
    assert_eq!(report.outcome(bound.id), Some(Outcome::PrivateAccount));
    assert_eq!(report.outcome(ghost.id), Some(Outcome::UnknownUser));
    let instagram = report.result(insta.id).unwrap();
    assert_eq!(instagram.outcome, Outcome::Error);
    assert!(instagram.reason.as_deref().unwrap().contains("app only"));
    assert_eq!(
        pages.requests().len(),
        3,
        "no request for the Instagram account"
    );
    let ghost_error = ws.get(ghost.id).unwrap().last_error.unwrap();
    assert!(ghost_error.contains("10202"), "{ghost_error}");
    assert_eq!(
        ws.health(a.id).unwrap(),
        None,
        "a page read says nothing of the account's health in the app"
    );

    let stats = ws.get(a.id).unwrap().stats;
    let page = alice();
    assert_eq!(stats.nickname, page.nickname);
    assert_eq!(stats.country, page.region);
    assert_eq!(
        [
            stats.followers,
            stats.following,
            stats.hearts,
            stats.videos,
            stats.friends
        ],
        [
            Some(page.followers),
            Some(page.following),
            Some(page.hearts),
            Some(page.videos),
            Some(page.friends)
        ]
    );
    assert!(stats.synced_at.is_some());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accounts.xlsx");
    ws.export_xlsx(&path, &ExportOptions::new(Platform::TikTok))
        .unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = book.worksheet_range("accounts").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let column = |name: &str| rows[0].iter().position(|c| *c == name).unwrap();
    let row = rows
        .iter()
        .find(|r| r[column("username")] == "alice.w")
        .unwrap();
    let cell = |name: &str| row[column(name)].to_string();
    assert_eq!(cell("nickname"), "Alice <W> \"🐝\"");
    assert_eq!(cell("country"), "SE");
    for (name, value) in [
        ("followers", page.followers),
        ("following", page.following),
        ("hearts", page.hearts),
        ("videos", page.videos),
        ("friends", page.friends),
    ] {
        assert_eq!(cell(name), value.to_string(), "{name}");
    }
}

#[test]
fn both_takes_the_phone_and_completes_it_from_the_page() {
    let scenario = Scenario {
        phones: vec![PhoneSpec {
            apps: vec![app(AppKind::TikTok, &["big", "flaky"])],
            ..PhoneSpec::default()
        }],
        accounts: vec![
            PlatformAccount {
                nickname: Some("Big".into()),
                country: Some("US".into()),
                followers: 1_234_567,
                following: 1_234,
                likes: 9_876_543,
                posts: 456,
                friends: 78,
                ..platform_account(Platform::TikTok, "big", "pw")
            },
            PlatformAccount {
                followers: 55,
                ..platform_account(Platform::TikTok, "flaky", "pw")
            },
            PlatformAccount {
                followers: 3,
                posts: 4,
                ..platform_account(Platform::TikTok, "nophone", "pw")
            },
        ],
        ..Scenario::default()
    };
    let w = World::start(&scenario);
    let pages = ProfilePages::for_scenario(&scenario).unwrap();
    pages.set_fault("flaky", PageFault::ServerErrors(99));
    let big =
        w.ws.add(
            NewAccount::new(Platform::TikTok, "big")
                .device(w.serial(0))
                .logged_in(true),
        )
        .unwrap();
    let flaky =
        w.ws.add(
            NewAccount::new(Platform::TikTok, "flaky")
                .device(w.serial(0))
                .logged_in(true),
        )
        .unwrap();
    let nophone =
        w.ws.add(NewAccount::new(Platform::TikTok, "nophone"))
            .unwrap();
    let web = WebOptions {
        retries: 1,
        ..web(&pages)
    };
    let report =
        w.ws.sync_profiles_from(ProfileSource::Both(&w.driver, &web), &phone_options())
            .unwrap();
    assert_eq!(report.outcome(big.id), Some(Outcome::Synced), "{report:#?}");
    let stats = w.ws.get(big.id).unwrap().stats;
    // The phone shows 1.2M followers and 9.8M likes: the page's exact numbers
    // replace them; 1,234 following is shown in full and stays the phone's.
    assert_eq!(
        [
            stats.followers,
            stats.following,
            stats.hearts,
            stats.videos,
            stats.friends
        ],
        [
            Some(1_234_567),
            Some(1_234),
            Some(9_876_543),
            Some(456),
            Some(78)
        ]
    );
    assert_eq!(
        (stats.nickname.as_deref(), stats.country.as_deref()),
        (Some("Big"), Some("US"))
    );

    // The page failed: the phone's numbers are stored and the reason says so.
    let flaky_result = report.result(flaky.id).unwrap();
    assert_eq!(flaky_result.outcome, Outcome::Synced);
    assert!(
        flaky_result
            .reason
            .as_deref()
            .unwrap()
            .contains("from the app only"),
        "{flaky_result:?}"
    );
    assert_eq!(w.ws.get(flaky.id).unwrap().stats.followers, Some(55));

    // No phone: the page alone, and the reason says why.
    let nophone_result = report.result(nophone.id).unwrap();
    assert_eq!(
        nophone_result.outcome,
        Outcome::SyncedFromWeb,
        "{nophone_result:?}"
    );
    assert!(nophone_result
        .reason
        .as_deref()
        .unwrap()
        .contains("from the web page only"));
    let stats = w.ws.get(nophone.id).unwrap().stats;
    assert_eq!((stats.followers, stats.videos), (Some(3), Some(4)));
}

#[test]
fn threads_sharing_a_client_take_turns_at_the_rate() {
    const RATE: f64 = 100.0;
    let names: Vec<String> = (0..120).map(|i| format!("t{i}")).collect();
    let pages = ProfilePages::start(names.iter().map(|n| PageProfile::new(n))).unwrap();
    let client = TikTokWeb::new(WebOptions {
        requests_per_second: RATE,
        ..web(&pages)
    })
    .unwrap();
    let cancel = CancelToken::new();
    std::thread::scope(|scope| {
        for chunk in names.chunks(30) {
            let (client, cancel) = (&client, &cancel);
            scope.spawn(move || {
                for name in chunk {
                    assert!(client.profile(name, cancel).is_ok(), "{name}");
                }
            });
        }
    });
    let mut arrivals: Vec<Instant> = pages.requests().iter().map(|r| r.at).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 120);
    let interval = Duration::from_secs_f64(1.0 / RATE);
    for pair in arrivals.windows(2) {
        assert!(
            pair[1] - pair[0] >= interval,
            "two requests {:?} apart; the limit spaces them by {interval:?}",
            pair[1] - pair[0]
        );
    }
}

#[test]
fn a_name_that_is_no_username_sends_nothing_and_a_proxy_password_never_shows() {
    let pages = ProfilePages::start([alice()]).unwrap();
    for hostile in [
        "../admin",
        "alice.w?x=1",
        "a b",
        "",
        "alice.w/../../etc",
        "ａlice",
    ] {
        let (outcome, reason) = fetch_no_request(&pages, hostile);
        assert_eq!(outcome, Outcome::Error, "{hostile}: {reason}");
    }
    assert!(pages.requests().is_empty());

    // A proxy that does not answer: the account's reason names it without its password.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let options = WebOptions {
        proxy: Some(format!("http://farm:s3cret@127.0.0.1:{port}")),
        retries: 0,
        ..web(&pages)
    };
    let client = TikTokWeb::new(options).unwrap();
    let failure = client.profile("alice.w", &CancelToken::new()).unwrap_err();
    assert_eq!(failure.outcome, Outcome::Error, "{failure}");
    assert!(!failure.to_string().contains("s3cret"), "{failure}");
    assert!(!format!("{client:?}").contains("s3cret"));
}

fn fetch_no_request(pages: &ProfilePages, user: &str) -> (Outcome, String) {
    let client = TikTokWeb::new(web(pages)).unwrap();
    let failure = client.profile(user, &CancelToken::new()).unwrap_err();
    (failure.outcome, failure.reason)
}

#[test]
fn cancelling_a_web_sync_stops_before_the_next_account_and_leaves_the_rest_untouched() {
    let names: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    let pages =
        ProfilePages::start(names.iter().map(|n| PageProfile::new(n).followers(5))).unwrap();
    let ws = Workspace::in_memory();
    for name in &names {
        ws.add(NewAccount::new(Platform::TikTok, name)).unwrap();
    }
    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    let options = RunOptions {
        cancel,
        observer: std::sync::Arc::new(move |e: &farmhand::ops::Event| {
            if let farmhand::ops::Event::AccountDone { done: 3, .. } = e {
                trigger.cancel();
            }
        }),
        ..RunOptions::default()
    };
    let report = ws
        .sync_profiles_from(ProfileSource::Web(&web(&pages)), &options)
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(report.summary.count(Outcome::SyncedFromWeb), 3);
    assert_eq!(report.summary.count(Outcome::Cancelled), 7);
    assert_eq!(pages.requests().len(), 3);
    let untouched = ws.find(Platform::TikTok, "c9").unwrap().unwrap();
    assert_eq!(untouched.stats.synced_at, None);
}

/// A minimal HTTP CONNECT proxy: records each request head, tunnels to the target.
fn connect_proxy() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://farm:s3cret@{}", listener.local_addr().unwrap());
    let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(client.try_clone().unwrap());
                let mut head = String::new();
                while !head.ends_with("\r\n\r\n") {
                    if reader.read_line(&mut head).unwrap_or(0) == 0 {
                        return;
                    }
                }
                seen.lock().unwrap().push(head.clone());
                let target = head.split_whitespace().nth(1).unwrap().to_string();
                let upstream = TcpStream::connect(target).unwrap();
                let mut answer = &client;
                answer
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .unwrap();
                let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
                let mut down_write = client.try_clone().unwrap();
                let relay =
                    std::thread::spawn(move || std::io::copy(&mut up_read, &mut down_write));
                let _ = std::io::copy(&mut reader, &mut up_write);
                let _ = up_write.shutdown(std::net::Shutdown::Write);
                let _ = relay.join();
            });
        }
    });
    (url, heads)
}

#[test]
fn a_proxy_carries_the_requests_with_its_credentials() {
    let pages = ProfilePages::start([alice()]).unwrap();
    let (proxy, heads) = connect_proxy();
    let options = WebOptions {
        proxy: Some(proxy),
        ..web(&pages)
    };
    assert_eq!(fetch(&pages, options, "alice.w"), Ok(expected(&alice())));
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with("CONNECT 127.0.0.1:"), "{}", heads[0]);
    // Basic credentials, base64 of `farm:s3cret`.
    assert!(
        heads[0].contains("Proxy-Authorization: Basic ZmFybTpzM2NyZXQ="),
        "{}",
        heads[0]
    );
}
