//! How a PostgreSQL workspace's connections are secured: libpq's `sslmode`
//! and `sslrootcert` URL parameters, read by farmhand, and the TLS connector
//! they make (rustls, with the cargo feature `postgres-tls`).
//!
//! | `sslmode` | TLS | the server's certificate |
//! |---|---|---|
//! | `disable` | never | - |
//! | `allow`, `prefer` (the default) | when the server offers it | as `require` |
//! | `require` | always | not checked, unless `sslrootcert` is given (then as `verify-ca`), as in libpq |
//! | `verify-ca` | always | signed by a root of `sslrootcert` |
//! | `verify-full` | always | signed by a root of `sslrootcert`, and names the host connected to |
//!
//! `sslrootcert` is a PEM file of root certificates, or `system` for the
//! public web roots (Mozilla's, built in). Without it `verify-ca` and
//! `verify-full` use those public roots. A farmhand built without
//! `postgres-tls` connects without TLS and refuses the modes that demand it,
//! rather than fall back to plain text.

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// libpq's `sslmode`: how much TLS a connection demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it (libpq's `allow` and `prefer`).
    Prefer,
    /// TLS always; the certificate is checked only against an `sslrootcert`.
    Require,
    /// TLS always, with a certificate signed by a trusted root.
    VerifyCa,
    /// TLS always, with a trusted certificate naming the host.
    VerifyFull,
}

impl Mode {
    fn parse(value: &str) -> Result<Mode> {
        Ok(match value {
            "disable" => Mode::Disable,
            "allow" | "prefer" => Mode::Prefer,
            "require" => Mode::Require,
            "verify-ca" => Mode::VerifyCa,
            "verify-full" => Mode::VerifyFull,
            other => {
                return Err(Error::storage(format!(
                    "the PostgreSQL URL's sslmode {other:?} is not one of disable, allow, \
                     prefer, require, verify-ca or verify-full"
                )))
            }
        })
    }

    /// The `sslmode` the client library is told: whether to ask the server
    /// for TLS, and whether to go on without it.
    fn negotiation(self) -> &'static str {
        match self {
            Mode::Disable => "sslmode=disable",
            Mode::Prefer => "sslmode=prefer",
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => "sslmode=require",
        }
    }
}

/// Where the trusted roots come from (`sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Roots {
    /// The public web roots built into farmhand (`sslrootcert=system`, or none given).
    System,
    /// A PEM file of root certificates.
    File(PathBuf),
}

/// The TLS a URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Settings {
    pub(super) mode: Mode,
    /// `sslrootcert`, if given.
    pub(super) roots: Option<Roots>,
}

/// Splits the TLS parameters off `url`: the URL the client library parses
/// (with an `sslmode` it knows) and what farmhand does with them.
pub(super) fn split(url: &str) -> Result<(String, Settings)> {
    let url = url.trim();
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut mode = None;
    let mut roots = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = Some(Mode::parse(&percent_decoded(value)?)?),
            "sslrootcert" => {
                let value = percent_decoded(value)?;
                roots = Some(match value.as_str() {
                    "system" => Roots::System,
                    "" => return Err(Error::storage("the PostgreSQL URL's sslrootcert is empty")),
                    path => Roots::File(PathBuf::from(path)),
                });
            }
            _ => kept.push(pair),
        }
    }
    let settings = Settings {
        mode: mode.unwrap_or(DEFAULT_MODE),
        roots,
    };
    kept.push(settings.mode.negotiation());
    Ok((format!("{base}?{}", kept.join("&")), settings))
}

/// Without `sslmode`: libpq's default where TLS is built in; plain text where it is not.
const DEFAULT_MODE: Mode = if cfg!(feature = "postgres-tls") {
    Mode::Prefer
} else {
    Mode::Disable
};

/// Decodes a URL parameter's `%XX` escapes (and `+` is kept: libpq keeps it).
fn percent_decoded(value: &str) -> Result<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(byte) = hex else {
                return Err(Error::storage(
                    "a TLS parameter of the PostgreSQL URL has a % not followed by two hex digits",
                ));
            };
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| Error::storage("a TLS parameter of the PostgreSQL URL is not UTF-8"))
}

/// Opens connections as [`Settings`] say: plain, or through rustls.
#[derive(Clone)]
pub(super) enum Connector {
    /// Without TLS.
    Plain,
    /// Through rustls, checking the server as the mode says.
    #[cfg(feature = "postgres-tls")]
    Rustls(tokio_postgres_rustls::MakeRustlsConnect),
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Connector::Plain => "Connector::Plain",
            #[cfg(feature = "postgres-tls")]
            Connector::Rustls(_) => "Connector::Rustls",
        })
    }
}

impl Connector {
    /// The connector `settings` ask for. A missing or unreadable root file,
    /// or a mode this build cannot honour, is a `Storage` error naming it.
    pub(super) fn new(settings: &Settings) -> Result<Connector> {
        if settings.mode == Mode::Disable {
            return Ok(Connector::Plain);
        }
        build(settings)
    }

    /// Opens a connection to `config` with this connector.
    pub(super) fn connect(
        &self,
        config: &postgres::Config,
    ) -> std::result::Result<postgres::Client, postgres::Error> {
        match self {
            Connector::Plain => config.connect(postgres::NoTls),
            #[cfg(feature = "postgres-tls")]
            Connector::Rustls(tls) => config.connect(tls.clone()),
        }
    }
}

#[cfg(not(feature = "postgres-tls"))]
fn build(settings: &Settings) -> Result<Connector> {
    plain_only(settings)
}

/// A build without TLS: plain text where TLS is optional, and a refusal
/// where it is demanded (never a silent fall back to plain text).
#[cfg_attr(feature = "postgres-tls", allow(dead_code))]
fn plain_only(settings: &Settings) -> Result<Connector> {
    match settings.mode {
        Mode::Disable | Mode::Prefer => Ok(Connector::Plain),
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull => Err(Error::storage(
            "the PostgreSQL URL asks for TLS (sslmode), and this farmhand was built \
             without it: build with the cargo feature `postgres-tls` (the CLI and the \
             Python package have it)",
        )),
    }
}

#[cfg(feature = "postgres-tls")]
fn build(settings: &Settings) -> Result<Connector> {
    verify::connector(settings).map(Connector::Rustls)
}

#[cfg(feature = "postgres-tls")]
mod verify;

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> Settings {
        split(url).expect("split").1
    }

    #[test]
    fn the_tls_parameters_are_taken_off_and_the_rest_kept_in_order() {
        let (url, s) =
            split("postgres://u:p@h/db?options=-csearch_path%3Dx&sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&connect_timeout=3")
                .unwrap();
        assert_eq!(
            url,
            "postgres://u:p@h/db?options=-csearch_path%3Dx&connect_timeout=3&sslmode=require"
        );
        assert_eq!(s.mode, Mode::VerifyFull);
        assert_eq!(s.roots, Some(Roots::File("/tmp/ca.pem".into())));
        url.parse::<postgres::Config>()
            .expect("the client library reads the rest");
    }

    #[test]
    fn each_mode_is_told_to_the_client_library_as_it_knows_it() {
        for (mode, told) in [
            ("disable", "disable"),
            ("allow", "prefer"),
            ("prefer", "prefer"),
            ("require", "require"),
            ("verify-ca", "require"),
            ("verify-full", "require"),
        ] {
            let (url, _) = split(&format!("postgres://h/db?sslmode={mode}")).unwrap();
            assert_eq!(url, format!("postgres://h/db?sslmode={told}"), "{mode}");
        }
        assert_eq!(
            settings("postgres://h/db?sslrootcert=system").roots,
            Some(Roots::System)
        );
    }

    #[test]
    fn without_sslmode_the_default_depends_on_the_build() {
        let expected = if cfg!(feature = "postgres-tls") {
            Mode::Prefer
        } else {
            Mode::Disable
        };
        assert_eq!(settings("postgres://h/db").mode, expected);
    }

    #[test]
    fn a_bad_sslmode_or_escape_is_named() {
        let e = split("postgres://u:secret@h/db?sslmode=always").unwrap_err();
        assert!(e.to_string().contains("sslmode \"always\""), "{e}");
        assert!(!e.to_string().contains("secret"), "{e}");
        let e = split("postgres://h/db?sslrootcert=%zz").unwrap_err();
        assert!(e.to_string().contains("hex digits"), "{e}");
        let e = split("postgres://h/db?sslrootcert=").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn a_build_without_tls_refuses_the_modes_that_demand_it() {
        for mode in ["require", "verify-ca", "verify-full"] {
            let e = plain_only(&settings(&format!("postgres://h/db?sslmode={mode}"))).unwrap_err();
            assert!(e.to_string().contains("postgres-tls"), "{e}");
        }
        for mode in ["disable", "allow", "prefer"] {
            let plain = plain_only(&settings(&format!("postgres://h/db?sslmode={mode}"))).unwrap();
            assert!(matches!(plain, Connector::Plain), "{mode}");
        }
    }
}
