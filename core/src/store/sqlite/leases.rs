//! [`Leases`] of [`SqliteStore`]: the processes sharing one workspace file.
//!
//! Every change is one `BEGIN IMMEDIATE` transaction, so claims are serialised
//! by the file's write lock; expiry is judged by this PC's clock, which all
//! the processes of the file share.

use std::time::Duration;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use super::{condition, fetch, storage, SqliteStore};
use crate::account::{Account, AccountId, Timestamp};
use crate::error::{Error, Result};
use crate::store::lease::{ttl_millis, Claim, Holder, Lease, LeaseSubject, Leases};
use crate::store::AccountFilter;

/// Takes or renews `key` for `holder` when free, expired or its own.
fn take(conn: &Connection, key: &str, holder: &Holder, now: i64, ttl: i64) -> Result<Claim> {
    let expires_at = now.saturating_add(ttl);
    let taken = conn
        .prepare_cached(
            "INSERT INTO leases (subject, holder, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (subject) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4",
        )
        .and_then(|mut s| s.execute(params![key, holder.as_str(), expires_at, now]))
        .map_err(storage)?;
    if taken == 1 {
        return Ok(Claim::Held {
            expires_at: Timestamp(expires_at),
        });
    }
    // The write lock is held: the lease that refused the holder is still there.
    read(conn, key)?
        .map(Claim::BusyElsewhere)
        .ok_or_else(|| Error::storage(format!("the lease on {key} vanished while held")))
}

fn read(conn: &Connection, key: &str) -> Result<Option<Lease>> {
    conn.prepare_cached("SELECT holder, expires_at FROM leases WHERE subject = ?1")
        .and_then(|mut s| {
            s.query_row([key], |r| {
                Ok(Lease {
                    holder: r.get(0)?,
                    expires_at: Timestamp(r.get(1)?),
                })
            })
            .optional()
        })
        .map_err(storage)
}

impl Leases for SqliteStore {
    fn acquire(&self, subject: &LeaseSubject, holder: &Holder, ttl: Duration) -> Result<Claim> {
        let ttl = ttl_millis(ttl)?;
        self.write(|conn| take(conn, &subject.key(), holder, Timestamp::now().0, ttl))
    }

    fn renew(
        &self,
        subjects: &[LeaseSubject],
        holder: &Holder,
        ttl: Duration,
    ) -> Result<Vec<LeaseSubject>> {
        let ttl = ttl_millis(ttl)?;
        self.write(|conn| {
            let now = Timestamp::now().0;
            let mut lost = Vec::new();
            for subject in subjects {
                let renewed = conn
                    .prepare_cached(
                        "UPDATE leases SET expires_at = ?3
                         WHERE subject = ?1 AND holder = ?2 AND expires_at > ?4",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            subject.key(),
                            holder.as_str(),
                            now.saturating_add(ttl),
                            now
                        ])
                    })
                    .map_err(storage)?;
                if renewed == 0 {
                    lost.push(subject.clone());
                }
            }
            Ok(lost)
        })
    }

    fn release(&self, subjects: &[LeaseSubject], holder: &Holder) -> Result<()> {
        self.write(|conn| {
            for subject in subjects {
                conn.prepare_cached("DELETE FROM leases WHERE subject = ?1 AND holder = ?2")
                    .and_then(|mut s| s.execute(params![subject.key(), holder.as_str()]))
                    .map_err(storage)?;
            }
            Ok(())
        })
    }

    fn lease(&self, subject: &LeaseSubject) -> Result<Option<Lease>> {
        let now = Timestamp::now();
        let lease = read(&self.read_lock(), &subject.key())?;
        Ok(lease.filter(|l| l.expires_at > now))
    }

    fn claim_accounts(
        &self,
        filter: &AccountFilter,
        holder: &Holder,
        ttl: Duration,
        limit: usize,
    ) -> Result<Vec<Account>> {
        let ttl = ttl_millis(ttl)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (cond, mut values) = condition(filter);
        let at = values.len();
        let sql = format!(
            "SELECT a.id FROM accounts a WHERE {cond} AND NOT EXISTS (
                 SELECT 1 FROM leases l WHERE l.subject = 'account:' || a.id
                 AND l.holder <> ?{} AND l.expires_at > ?{})
             ORDER BY a.id LIMIT ?{}",
            at + 1,
            at + 2,
            at + 3
        );
        self.write(|conn| {
            let now = Timestamp::now().0;
            values.extend([
                holder.as_str().to_string().into(),
                now.into(),
                rusqlite::types::Value::Integer(limit),
            ]);
            let ids: Vec<i64> = conn
                .prepare_cached(&sql)
                .and_then(|mut s| {
                    s.query_map(params_from_iter(values), |r| r.get(0))?
                        .collect()
                })
                .map_err(storage)?;
            let mut claimed = Vec::with_capacity(ids.len());
            for id in ids {
                let id = AccountId(id);
                take(conn, &LeaseSubject::Account(id).key(), holder, now, ttl)?;
                claimed.push(fetch(conn, id, &self.opened.at_rest)?);
            }
            Ok(claimed)
        })
    }
}
