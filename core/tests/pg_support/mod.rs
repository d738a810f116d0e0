//! The PostgreSQL server of the tests that need one: `.ci/run` starts a
//! throwaway server (`.ci/postgres`) and names it in `FARMHAND_TEST_POSTGRES`.
//!
//! Each test gets a fresh schema of its own on that server (its URL sets the
//! search path), dropped when the test ends. A server that is named but
//! unreachable fails the test; so does a missing variable under CI (`CI` set).
//! Only a developer's run without the variable skips these tests, saying so.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable naming the test server's URL.
pub const VARIABLE: &str = "FARMHAND_TEST_POSTGRES";

/// The test server's URL; `None` (after saying so on stderr) when no server
/// is named outside CI. Panics under CI without one.
pub fn server_url() -> Option<String> {
    match std::env::var(VARIABLE) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{VARIABLE} is not set but CI is: .ci/run starts PostgreSQL (.ci/postgres) \
             and must name it"
        ),
        _ => {
            eprintln!(
                "NOT RUN: no PostgreSQL test server ({VARIABLE} is not set; .ci/run sets it)"
            );
            None
        }
    }
}

/// A fresh, empty schema on the test server, dropped (with everything in it)
/// when this is dropped.
pub struct Schema {
    /// The server's URL, without the search path.
    server: String,
    /// The schema's name.
    pub name: String,
    /// The URL of a workspace in this schema.
    pub url: String,
}

impl Schema {
    /// A new schema, or `None` when no server is named (see [`server_url`]).
    pub fn fresh() -> Option<Schema> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let server = server_url()?;
        let name = format!(
            "t{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        admin(&server)
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap_or_else(|e| panic!("{VARIABLE}: cannot create a schema: {e}"));
        let url = with_search_path(&server, &name);
        Some(Schema { server, name, url })
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// A client on the test server, for what the tests set up behind farmhand's back.
pub fn admin(server: &str) -> postgres::Client {
    postgres::Client::connect(server, postgres::NoTls).unwrap_or_else(|e| {
        panic!("{VARIABLE} names a PostgreSQL server that cannot be reached: {e}")
    })
}

/// `server` with its search path set to `schema` (libpq's `options` parameter).
pub fn with_search_path(server: &str, schema: &str) -> String {
    let joiner = if server.contains('?') { '&' } else { '?' };
    format!("{server}{joiner}options=-csearch_path%3D{schema}")
}
