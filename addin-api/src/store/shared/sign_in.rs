//! The sign-in queries (SPEC §8): codes per mailbox and device, known devices, rate limits.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::codes::{NewCode, SIGN_IN_CODES};
use super::{Queries, digest};
use crate::store::{
    Digest, RateLimit, SignInCodeRecord, StoreResult, sign_in::LONGEST_RATE_WINDOW,
};

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn put_sign_in_code(&self, code: &SignInCodeRecord) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_codes WHERE expires_at <= $1")
            .bind(code.created_at)
            .execute(self.0)
            .await?;
        let new = NewCode {
            key: &code.mailbox_hash,
            device_hash: &code.device_hash,
            code_hash: &code.code_hash,
            created_at: code.created_at,
            expires_at: code.expires_at,
            attempts: code.attempts,
        };
        self.put_code(SIGN_IN_CODES, new).await
    }

    pub async fn claim_sign_in_attempt(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<SignInCodeRecord>> {
        let row = self
            .claim_code_attempt(SIGN_IN_CODES, mailbox_hash, device_hash, now, max_attempts)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SignInCodeRecord {
            mailbox_hash: digest(row.try_get("mailbox_hash")?, "sign_in_codes.mailbox_hash")?,
            device_hash: digest(row.try_get("device_hash")?, "sign_in_codes.device_hash")?,
            code_hash: digest(row.try_get("code_hash")?, "sign_in_codes.code_hash")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            attempts: row.try_get("attempts")?,
        }))
    }

    pub async fn consume_sign_in_code(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        code_hash: &Digest,
    ) -> StoreResult<bool> {
        self.consume_code(SIGN_IN_CODES, mailbox_hash, device_hash, code_hash)
            .await
    }

    pub async fn delete_sign_in_codes_of(&self, mailbox_hash: &Digest) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM sign_in_codes WHERE mailbox_hash = $1 RETURNING attempts")
                .bind(mailbox_hash.as_slice())
                .fetch_all(self.0)
                .await?;
        Ok(done.len() as u64)
    }

    pub async fn note_known_device(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO known_devices (mailbox_hash, device_hash, last_sign_in_at) \
             VALUES ($1, $2, $3) ON CONFLICT (mailbox_hash, device_hash) \
             DO UPDATE SET last_sign_in_at = excluded.last_sign_in_at",
        )
        .bind(mailbox_hash.as_slice())
        .bind(device_hash.as_slice())
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    pub async fn is_known_device(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        since: i64,
    ) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT last_sign_in_at FROM known_devices \
             WHERE mailbox_hash = $1 AND device_hash = $2 AND last_sign_in_at > $3",
        )
        .bind(mailbox_hash.as_slice())
        .bind(device_hash.as_slice())
        .bind(since)
        .fetch_optional(self.0)
        .await?;
        Ok(row.is_some())
    }

    pub async fn forget_devices_of(&self, mailbox_hash: &Digest) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM known_devices WHERE mailbox_hash = $1 RETURNING last_sign_in_at",
        )
        .bind(mailbox_hash.as_slice())
        .fetch_all(self.0)
        .await?;
        Ok(done.len() as u64)
    }

    pub async fn take_rate(&self, limits: &[RateLimit], at: i64) -> StoreResult<Option<i64>> {
        self.prune_rate_events(at).await?;
        // Counted after our own events are in: of requests racing for the last place, each
        // sees those that got in before it counted, so no more get through than allowed.
        let mut ours = Vec::new();
        for bucket in distinct_buckets(limits) {
            let id: i64 =
                sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2) RETURNING id")
                    .bind(bucket.as_slice())
                    .bind(at)
                    .fetch_one(self.0)
                    .await?
                    .try_get("id")?;
            ours.push(id);
        }
        for limit in limits {
            let counted = self.count_events(limit, at).await?;
            if counted > limit.max {
                for id in &ours {
                    sqlx::query("DELETE FROM rate_events WHERE id = $1")
                        .bind(*id)
                        .execute(self.0)
                        .await?;
                }
                // Without ours, `counted - 1` events are in the window.
                return self.room_again(limit, at, counted - 1).await.map(Some);
            }
        }
        Ok(None)
    }

    pub async fn rate_exceeded(&self, limits: &[RateLimit], at: i64) -> StoreResult<Option<i64>> {
        for limit in limits {
            let counted = self.count_events(limit, at).await?;
            if counted >= limit.max {
                return self.room_again(limit, at, counted).await.map(Some);
            }
        }
        Ok(None)
    }

    pub async fn record_rate(&self, buckets: &[Digest], at: i64) -> StoreResult<()> {
        self.prune_rate_events(at).await?;
        for bucket in buckets {
            sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)")
                .bind(bucket.as_slice())
                .bind(at)
                .execute(self.0)
                .await?;
        }
        Ok(())
    }

    async fn prune_rate_events(&self, at: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM rate_events WHERE at <= $1")
            .bind(at - LONGEST_RATE_WINDOW)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// Events in the limit's bucket within its window before `at`.
    async fn count_events(&self, limit: &RateLimit, at: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query("SELECT count(*) AS n FROM rate_events WHERE bucket = $1 AND at > $2")
                .bind(limit.bucket.as_slice())
                .bind(at - limit.window)
                .fetch_one(self.0)
                .await?
                .try_get("n")?,
        )
    }

    /// When a full limit with `counted` events in its window has room again: when the
    /// event that must leave the window for that does.
    async fn room_again(&self, limit: &RateLimit, at: i64, counted: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT at FROM rate_events WHERE bucket = $1 AND at > $2 \
             ORDER BY at LIMIT 1 OFFSET $3",
        )
        .bind(limit.bucket.as_slice())
        .bind(at - limit.window)
        .bind((counted - limit.max).max(0))
        .fetch_optional(self.0)
        .await?;
        let leaves: i64 = match row {
            Some(row) => row.try_get("at")?,
            None => at,
        };
        Ok(leaves + limit.window)
    }
}

/// Each bucket once: a bucket limited over two windows counts one event.
fn distinct_buckets(limits: &[RateLimit]) -> Vec<Digest> {
    let mut buckets: Vec<Digest> = limits.iter().map(|limit| limit.bucket).collect();
    buckets.sort_unstable();
    buckets.dedup();
    buckets
}
