//! TLS to a PostgreSQL workspace (`postgres-tls`): libpq's `sslmode` and
//! `sslrootcert` against the test server, which `.ci/postgres` starts with a
//! certificate for `localhost` (not `127.0.0.1`) signed by a throwaway CA
//! named in `FARMHAND_TEST_POSTGRES_CA`. Whether a connection is encrypted is
//! read from the server's own `pg_stat_ssl`, not from farmhand.
#![cfg(feature = "postgres-tls")]

mod pg_support;

use std::path::Path;

use farmhand::{ErrorKind, NewAccount, Platform, Workspace};
use pg_support::{admin, Schema};

/// The test server's CA certificate; `None` outside CI when it is not named.
fn server_ca() -> Option<String> {
    match std::env::var("FARMHAND_TEST_POSTGRES_CA") {
        Ok(path) if Path::new(&path).is_file() => Some(path),
        _ if std::env::var_os("CI").is_some() => {
            panic!("FARMHAND_TEST_POSTGRES_CA is not set but CI is: .ci/postgres names it")
        }
        _ => {
            eprintln!("NOT RUN: FARMHAND_TEST_POSTGRES_CA is not set (.ci/postgres sets it)");
            None
        }
    }
}

/// A fresh schema and the server's CA, or `None` (said) without them.
fn setup() -> Option<(Schema, String)> {
    let schema = Schema::fresh()?;
    let ca = server_ca()?;
    Some((schema, ca))
}

/// `url` with `host` in place of its host, and `params` appended.
fn variant(url: &str, host: &str, params: &str) -> String {
    assert!(
        url.contains("@127.0.0.1:"),
        "the test server is named by address"
    );
    let with_host = url.replacen("@127.0.0.1:", &format!("@{host}:"), 1);
    format!("{with_host}&{params}")
}

/// An application name no other test uses, to find this test's connections.
fn unique_name(test: &str) -> String {
    format!("farmhand_tls_{test}_{}", std::process::id())
}

/// Whether the server sees the connections named `application` as encrypted:
/// `Some(true)` all are, `Some(false)` none is, `None` when there are none.
fn encrypted(server: &str, application: &str) -> Option<bool> {
    let row = admin(server)
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE s.ssl) \
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
             WHERE a.application_name = $1",
            &[&application],
        )
        .expect("pg_stat_ssl");
    let (all, tls): (i64, i64) = (row.get(0), row.get(1));
    match (all, tls) {
        (0, _) => None,
        (all, tls) if all == tls => Some(true),
        (_, 0) => Some(false),
        (all, tls) => panic!("{tls} of {all} connections are encrypted"),
    }
}

/// Opens `url`, writes and reads an account, and says whether the server saw
/// the workspace's connections encrypted (the workspace is still open then).
fn opened_encrypted(url: &str, server: &str, application: &str) -> bool {
    let ws = Workspace::open(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    ws.add(NewAccount::new(Platform::TikTok, "alice").password("pw"))
        .expect("write over the connection");
    let read = ws
        .find(Platform::TikTok, "alice")
        .expect("read over the connection");
    assert!(read.is_some(), "the account written is read back");
    encrypted(server, application).expect("the workspace keeps a connection open")
}

/// The error opening `url`, which must fail, with no password in it.
fn refusal(url: &str, password: &str) -> farmhand::Error {
    let e = match Workspace::open(url) {
        Ok(_) => panic!("{url} opened; it must be refused"),
        Err(e) => e,
    };
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(password), "the password shows: {shown}");
    e
}

fn password_of(url: &str) -> String {
    let authority = url.split_once("://").unwrap().1.split('/').next().unwrap();
    let userinfo = authority.rsplit_once('@').unwrap().0;
    userinfo.split_once(':').unwrap().1.to_string()
}

#[test]
fn verify_full_to_the_name_on_the_certificate_is_encrypted() {
    let Some((schema, ca)) = setup() else { return };
    let name = unique_name("full");
    let url = variant(
        &schema.url,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}&application_name={name}"),
    );
    assert!(opened_encrypted(&url, &schema.url, &name));
}

#[test]
fn verify_full_refuses_a_certificate_for_another_name_and_verify_ca_accepts_it() {
    let Some((schema, ca)) = setup() else { return };
    let password = password_of(&schema.url);
    // The certificate names localhost; the URL connects to 127.0.0.1.
    let full = format!("{}&sslmode=verify-full&sslrootcert={ca}", schema.url);
    let e = refusal(&full, &password);
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    assert!(e.to_string().contains("not valid for name"), "{e}");
    let name = unique_name("ca");
    let ca_only = format!(
        "{}&sslmode=verify-ca&sslrootcert={ca}&application_name={name}",
        schema.url
    );
    assert!(opened_encrypted(&ca_only, &schema.url, &name));
}

#[test]
fn a_certificate_from_another_authority_is_refused_and_nothing_is_written() {
    let Some((schema, _)) = setup() else { return };
    let other = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/pg_support/unrelated-ca.pem"
    );
    for mode in ["verify-full", "verify-ca", "require"] {
        let url = variant(
            &schema.url,
            "localhost",
            &format!("sslmode={mode}&sslrootcert={other}"),
        );
        let e = refusal(&url, &password_of(&schema.url));
        assert!(e.to_string().contains("UnknownIssuer"), "{mode}: {e}");
    }
    // The public web roots do not know the test CA either.
    let url = variant(
        &schema.url,
        "localhost",
        "sslmode=verify-full&sslrootcert=system",
    );
    assert!(refusal(&url, &password_of(&schema.url))
        .to_string()
        .contains("UnknownIssuer"));
    let tables: i64 = admin(&schema.url)
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1",
            &[&schema.name],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "a refused connection created tables");
}

#[test]
fn require_and_the_default_encrypt_without_checking_and_disable_does_not() {
    let Some((schema, _)) = setup() else { return };
    for (case, (params, tls)) in [
        ("sslmode=require", true),
        ("", true),
        ("sslmode=disable", false),
    ]
    .into_iter()
    .enumerate()
    {
        // A name per mode: `require` and `disable` are as long as each other,
        // and a closed connection may linger in pg_stat_activity a moment.
        let name = unique_name(&format!("mode{case}"));
        let url = format!("{}&application_name={name}&{params}", schema.url);
        assert_eq!(
            opened_encrypted(&url, &schema.url, &name),
            tls,
            "{params:?}"
        );
        // The next mode writes the same account: start again from an empty schema.
        admin(&schema.url)
            .batch_execute(&format!(
                "DROP SCHEMA {0} CASCADE; CREATE SCHEMA {0}",
                schema.name
            ))
            .unwrap();
    }
}

#[test]
fn the_change_feed_listens_over_tls_too() {
    let Some((schema, ca)) = setup() else { return };
    let name = unique_name("feed");
    let url = variant(
        &schema.url,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}&application_name={name}"),
    );
    let ws = Workspace::open(&url).unwrap();
    let mut watch = ws.watch().unwrap();
    let other = Workspace::open(&url).unwrap();
    other
        .add(NewAccount::new(Platform::Instagram, "bob"))
        .unwrap();
    assert!(watch.wait(std::time::Duration::from_secs(10)).unwrap());
    assert_eq!(encrypted(&schema.url, &name), Some(true));
}

#[test]
fn a_root_file_that_cannot_be_used_is_named() {
    let Some((schema, _)) = setup() else { return };
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-ca.pem");
    let not_pem = dir.path().join("not-a-certificate.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    for (path, why) in [(&missing, "cannot be read"), (&not_pem, "no certificate")] {
        let url = format!(
            "{}&sslmode=verify-full&sslrootcert={}",
            schema.url,
            path.display()
        );
        let e = refusal(&url, &password_of(&schema.url));
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        assert!(e.to_string().contains(why), "{e}");
    }
    let e = refusal(
        &format!("{}&sslmode=sometimes", schema.url),
        &password_of(&schema.url),
    );
    assert!(e.to_string().contains("sslmode \"sometimes\""), "{e}");
}
