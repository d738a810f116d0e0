//! [`Leases`] of [`PostgresStore`]: the PCs sharing one roster.
//!
//! Expiry is judged by the server's clock (`clock_timestamp()`), so the PCs'
//! clocks need not agree. A lease is a row of `leases` written and committed
//! at once: it outlives the transaction that took it, and its holder renews
//! it (a heartbeat) until it releases it.

use std::time::Duration;

use postgres::GenericClient;

use super::{condition, rows, storage, Failure, PostgresStore};
use crate::account::{Account, Timestamp};
use crate::error::{Error, Result};
use crate::store::lease::{ttl_millis, Claim, Holder, Lease, LeaseSubject, Leases};
use crate::store::AccountFilter;

/// The server's time in Unix milliseconds, in SQL.
const NOW: &str = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// Takes or renews `key` for `holder` when free, expired or its own; returns
/// the expiry when taken.
fn take(
    client: &mut impl GenericClient,
    key: &str,
    holder: &Holder,
    ttl: i64,
) -> Result<Option<i64>> {
    let sql = format!(
        "INSERT INTO leases (subject, holder, expires_at) VALUES ($1, $2, {NOW} + $3)
         ON CONFLICT (subject) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= {NOW}
         RETURNING expires_at"
    );
    let row = client
        .query_opt(sql.as_str(), &[&key, &holder.as_str(), &ttl])
        .map_err(storage)?;
    row.map(|r| r.try_get(0).map_err(storage)).transpose()
}

/// The live lease on `key`.
fn read(client: &mut impl GenericClient, key: &str) -> Result<Option<Lease>> {
    let sql =
        format!("SELECT holder, expires_at FROM leases WHERE subject = $1 AND expires_at > {NOW}");
    let row = client.query_opt(sql.as_str(), &[&key]).map_err(storage)?;
    row.map(|r| {
        Ok(Lease {
            holder: r.try_get(0).map_err(storage)?,
            expires_at: Timestamp(r.try_get(1).map_err(storage)?),
        })
    })
    .transpose()
}

impl Leases for PostgresStore {
    fn acquire(&self, subject: &LeaseSubject, holder: &Holder, ttl: Duration) -> Result<Claim> {
        let ttl = ttl_millis(ttl)?;
        let key = subject.key();
        self.write(|tx| {
            if let Some(expires_at) = take(tx, &key, holder, ttl)? {
                return Ok(Claim::Held {
                    expires_at: Timestamp(expires_at),
                });
            }
            // The refusing row is locked by the upsert until this transaction ends.
            read(tx, &key)?
                .map(Claim::BusyElsewhere)
                .ok_or_else(|| Error::storage(format!("the lease on {key} vanished while held")))
        })
    }

    fn renew(
        &self,
        subjects: &[LeaseSubject],
        holder: &Holder,
        ttl: Duration,
    ) -> Result<Vec<LeaseSubject>> {
        let ttl = ttl_millis(ttl)?;
        let keys: Vec<String> = subjects.iter().map(LeaseSubject::key).collect();
        let sql = format!(
            "UPDATE leases SET expires_at = {NOW} + $3
             WHERE subject = ANY($1) AND holder = $2 AND expires_at > {NOW}
             RETURNING subject"
        );
        let renewed: std::collections::HashSet<String> = self
            .connection()?
            .query(sql.as_str(), &[&keys, &holder.as_str(), &ttl])
            .map_err(storage)?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()
            .map_err(storage)?;
        Ok(subjects
            .iter()
            .zip(&keys)
            .filter(|(_, key)| !renewed.contains(*key))
            .map(|(subject, _)| subject.clone())
            .collect())
    }

    fn release(&self, subjects: &[LeaseSubject], holder: &Holder) -> Result<()> {
        let keys: Vec<String> = subjects.iter().map(LeaseSubject::key).collect();
        self.connection()?
            .execute(
                "DELETE FROM leases WHERE subject = ANY($1) AND holder = $2",
                &[&keys, &holder.as_str()],
            )
            .map_err(storage)?;
        Ok(())
    }

    fn lease(&self, subject: &LeaseSubject) -> Result<Option<Lease>> {
        read(&mut *self.connection()?, &subject.key())
    }

    /// Claims in one statement: the free accounts are picked `FOR UPDATE SKIP
    /// LOCKED` (a row another claimer is picking is skipped, not waited for),
    /// their leases written by an upsert that takes over only expired ones,
    /// and the transaction committed, after which the leases stand alone.
    fn claim_accounts(
        &self,
        filter: &AccountFilter,
        holder: &Holder,
        ttl: Duration,
        limit: usize,
    ) -> Result<Vec<Account>> {
        let ttl = ttl_millis(ttl)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (cond, mut params) = condition(filter);
        let at = params.len();
        let (h, t, l) = (at + 1, at + 2, at + 3);
        let claim = format!(
            "WITH picked AS (
                 SELECT a.id FROM accounts a
                 WHERE {cond} AND NOT EXISTS (
                     SELECT 1 FROM leases l WHERE l.subject = 'account:' || a.id
                     AND l.holder <> ${h} AND l.expires_at > {NOW})
                 ORDER BY a.id LIMIT ${l}
                 FOR UPDATE OF a SKIP LOCKED
             )
             INSERT INTO leases (subject, holder, expires_at)
             SELECT 'account:' || id, ${h}, {NOW} + ${t} FROM picked
             ON CONFLICT (subject) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
             WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= {NOW}
             RETURNING subject"
        );
        params.push(Box::new(holder.as_str().to_string()));
        params.push(Box::new(ttl));
        params.push(Box::new(limit));
        self.write(|tx| {
            let ids: Vec<i64> = tx
                .query(claim.as_str(), &super::refs(&params))
                .map_err(storage)?
                .iter()
                .map(|r| {
                    let subject: &str = r.try_get(0).map_err(storage)?;
                    subject
                        .strip_prefix("account:")
                        .and_then(|id| id.parse().ok())
                        .ok_or_else(|| Error::storage("a claimed lease names no account"))
                })
                .collect::<Result<_>>()?;
            let sql = format!("{} WHERE a.id = ANY($1) ORDER BY a.id", rows::SELECT);
            tx.query(sql.as_str(), &[&ids])
                .map_err(storage)?
                .iter()
                .map(|row| rows::read(row).map_err(Failure::into_error))
                .collect()
        })
    }
}
