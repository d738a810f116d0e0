//! What is particular to the PostgreSQL store (the shared behaviour is in
//! `store_contract`): opening by URL, the schema's version and refusals, and
//! the password that never shows.
#![cfg(feature = "postgres")]

mod pg_support;

use farmhand::store::{AccountFilter, PostgresStore, POSTGRES_SCHEMA_VERSION};
use farmhand::{ErrorKind, NewAccount, Platform, Workspace};
use pg_support::{admin, Schema};

/// The test server's password, to look for in what farmhand shows.
fn password_of(url: &str) -> String {
    let authority = url.split_once("://").unwrap().1.split('/').next().unwrap();
    let userinfo = authority.rsplit_once('@').unwrap().0;
    userinfo.split_once(':').unwrap().1.to_string()
}

/// The error opening `url`, which must fail.
fn refusal(url: &str) -> farmhand::Error {
    match Workspace::open(url) {
        Ok(_) => panic!("opened a workspace that must be refused"),
        Err(e) => e,
    }
}

#[test]
fn a_workspace_is_created_versioned_and_reopened_with_its_accounts() {
    let Some(schema) = Schema::fresh() else {
        return;
    };
    let ws = Workspace::open(&schema.url).unwrap();
    ws.add(NewAccount::new(Platform::TikTok, "alice").password("pw"))
        .unwrap();
    drop(ws);
    let again = Workspace::open(&schema.url).unwrap();
    assert_eq!(again.count(&AccountFilter::default()).unwrap(), 1);
    let version: i32 = admin(&schema.url)
        .query_one("SELECT version FROM farmhand_meta", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, POSTGRES_SCHEMA_VERSION);
}

#[test]
fn controllers_starting_together_migrate_once() {
    let Some(schema) = Schema::fresh() else {
        return;
    };
    let opened: Vec<_> = (0..6)
        .map(|_| {
            let url = schema.url.clone();
            std::thread::spawn(move || Workspace::open(&url).map(|_| ()))
        })
        .collect();
    for handle in opened {
        handle.join().unwrap().unwrap();
    }
    let rows: i64 = admin(&schema.url)
        .query_one("SELECT count(*) FROM farmhand_meta", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

#[test]
fn a_schema_of_another_application_is_refused_untouched() {
    let Some(schema) = Schema::fresh() else {
        return;
    };
    admin(&schema.url)
        .batch_execute("CREATE TABLE orders (id int); INSERT INTO orders VALUES (7);")
        .unwrap();
    let err = refusal(&schema.url);
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(
        err.to_string().contains("not a farmhand workspace"),
        "{err}"
    );
    let tables: i64 = admin(&schema.url)
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was created beside the foreign table");
}

#[test]
fn a_workspace_of_a_newer_farmhand_is_refused_untouched() {
    let Some(schema) = Schema::fresh() else {
        return;
    };
    Workspace::open(&schema.url).unwrap();
    let newer = POSTGRES_SCHEMA_VERSION + 1;
    admin(&schema.url)
        .execute("UPDATE farmhand_meta SET version = $1", &[&newer])
        .unwrap();
    let err = refusal(&schema.url);
    assert!(err.to_string().contains("newer farmhand"), "{err}");
    let version: i32 = admin(&schema.url)
        .query_one("SELECT version FROM farmhand_meta", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, newer);
}

#[test]
fn a_schema_that_does_not_exist_is_named_not_created() {
    let Some(server) = pg_support::server_url() else {
        return;
    };
    let url = pg_support::with_search_path(&server, "no_such_schema_here");
    let err = refusal(&url);
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("names no schema"), "{err}");
}

#[test]
fn the_password_never_shows_in_errors_or_debug() {
    let Some(schema) = Schema::fresh() else {
        return;
    };
    let password = password_of(&schema.url);
    let store = PostgresStore::open(&schema.url).unwrap();
    let shown = format!("{store:?} {}", store.location());
    assert!(!shown.contains(&password), "{shown}");
    assert!(shown.contains("farmhand@127.0.0.1"), "{shown}");

    // A wrong password, a refused port and a bad URL: each error names the
    // place, never the password given.
    let wrong = schema.url.replace(&password, "WrongPw-7f3a9");
    let refused = schema.url.replace(
        &format!(
            "@{}",
            schema
                .url
                .split('@')
                .nth(1)
                .unwrap()
                .split('/')
                .next()
                .unwrap()
        ),
        "@127.0.0.1:1",
    );
    let malformed = schema.url.replace("127.0.0.1:", "127.0.0.1:x");
    for (url, secret) in [
        (&wrong, "WrongPw-7f3a9"),
        (&refused, password.as_str()),
        (&malformed, password.as_str()),
    ] {
        let err = refusal(url);
        let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
        assert_eq!(err.kind(), ErrorKind::Storage, "{shown}");
        assert!(!shown.contains(secret), "{shown}");
    }
    let err = refusal(&wrong).to_string();
    assert!(err.contains("cannot connect"), "{err}");
}

#[test]
fn a_row_a_constraint_refuses_never_shows_its_values_in_the_error() {
    let Some(schema) = Schema::fresh() else {
        return;
    };
    let ws = Workspace::open(&schema.url).unwrap();
    // A constraint farmhand does not know about (another tool's rule): the
    // server's detail would quote the row, password included.
    admin(&schema.url)
        .batch_execute("ALTER TABLE accounts ADD CONSTRAINT short_email CHECK (length(email) < 5)")
        .unwrap();
    let err = ws
        .add(
            NewAccount::new(Platform::TikTok, "carol")
                .email("carol@example.com")
                .password("Pw-Quoted-In-Detail"),
        )
        .unwrap_err();
    let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(shown.contains("short_email"), "{shown}");
    assert!(!shown.contains("Pw-Quoted-In-Detail"), "{shown}");
    assert_eq!(ws.count(&AccountFilter::default()).unwrap(), 0);
}
