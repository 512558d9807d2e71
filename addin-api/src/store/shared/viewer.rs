//! The Viewer's queries (SPEC §14): links, access codes, Viewer sessions, counts, withdrawal,
//! the retention sweep.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::codes::{NewCode, VIEWER_CODES};
use super::{Queries, digest};
use crate::store::{
    CodeLimit, Digest, RecipientView, StoreResult, ViewerCodeRecord, ViewerMessageState,
    ViewerRecipientRecord, ViewerSessionRecord,
};

/// The columns of a [`ViewerMessageState`], from `viewer_messages` as `m`.
const MESSAGE_STATE: &str = "m.id, m.token_id, m.owner_hash, m.reference, m.created_at, \
                             m.expires_at, m.withdrawn_at, m.deleted_at, m.forwards";
/// The same, unqualified: SQLite's `RETURNING` names no table alias.
const MESSAGE_STATE_RETURNED: &str = "id, token_id, owner_hash, reference, created_at, \
                                      expires_at, withdrawn_at, deleted_at, forwards";

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Decode<'r, DB>,
    for<'r> Option<Vec<u8>>: Decode<'r, DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn find_recipient(&self, link_hash: &Digest) -> StoreResult<Option<RecipientView>> {
        let sql = format!(
            "SELECT r.link_hash, r.position, r.sealed, r.replies, r.forward_failures, \
             r.wrong_number_reported_at, \
             {MESSAGE_STATE} FROM viewer_recipients r \
             JOIN viewer_messages m ON m.id = r.message_id WHERE r.link_hash = $1"
        );
        let row = sqlx::query(&sql)
            .bind(link_hash.as_slice())
            .fetch_optional(self.0)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(RecipientView {
            recipient: ViewerRecipientRecord {
                link_hash: digest(row.try_get("link_hash")?, "viewer_recipients.link_hash")?,
                position: row.try_get("position")?,
                sealed: row.try_get("sealed")?,
            },
            replies: row.try_get("replies")?,
            forward_failures: row.try_get("forward_failures")?,
            wrong_number_reported_at: row.try_get("wrong_number_reported_at")?,
            message: message_state(&row)?,
        }))
    }

    pub async fn message_content(
        &self,
        message_id: &str,
    ) -> StoreResult<Option<(Vec<u8>, Vec<u8>)>> {
        let row =
            sqlx::query("SELECT sealed_key, content FROM viewer_contents WHERE message_id = $1")
                .bind(message_id)
                .fetch_optional(self.0)
                .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((row.try_get("sealed_key")?, row.try_get("content")?)))
    }

    pub async fn message_summary(
        &self,
        message_id: &str,
    ) -> StoreResult<Option<(Vec<u8>, Option<Vec<u8>>)>> {
        let row =
            sqlx::query("SELECT sealed_key, summary FROM viewer_contents WHERE message_id = $1")
                .bind(message_id)
                .fetch_optional(self.0)
                .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((row.try_get("sealed_key")?, row.try_get("summary")?)))
    }

    pub async fn find_message_by_withdraw_hash(
        &self,
        withdraw_hash: &Digest,
    ) -> StoreResult<Option<ViewerMessageState>> {
        self.one_message("m.withdraw_hash = $1", withdraw_hash.as_slice())
            .await
    }

    pub async fn find_message_by_reference(
        &self,
        reference: &str,
    ) -> StoreResult<Option<ViewerMessageState>> {
        let sql = format!("SELECT {MESSAGE_STATE} FROM viewer_messages m WHERE m.reference = $1");
        let row = sqlx::query(&sql)
            .bind(reference)
            .fetch_optional(self.0)
            .await?;
        row.as_ref().map(message_state).transpose()
    }

    async fn one_message(
        &self,
        condition: &str,
        value: &[u8],
    ) -> StoreResult<Option<ViewerMessageState>> {
        let sql = format!("SELECT {MESSAGE_STATE} FROM viewer_messages m WHERE {condition}");
        let row = sqlx::query(&sql).bind(value).fetch_optional(self.0).await?;
        row.as_ref().map(message_state).transpose()
    }

    pub async fn withdraw_message(&self, message_id: &str, at: i64) -> StoreResult<bool> {
        let mut tx = self.0.begin().await?;
        let done = sqlx::query(
            "UPDATE viewer_messages SET withdrawn_at = $2, deleted_at = $2 \
             WHERE id = $1 AND withdrawn_at IS NULL AND deleted_at IS NULL RETURNING id",
        )
        .bind(message_id)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM viewer_contents WHERE message_id = $1")
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.is_some())
    }

    pub async fn issue_viewer_code(
        &self,
        code: &ViewerCodeRecord,
        limits: &[CodeLimit],
    ) -> StoreResult<bool> {
        let oldest = limits.iter().map(|limit| limit.since).min();
        sqlx::query("DELETE FROM viewer_code_requests WHERE at <= $1")
            .bind(oldest.unwrap_or(code.created_at))
            .execute(self.0)
            .await?;
        // Counted after our own row is in: of requests racing for the last place, each sees
        // the others that got in before it counted, so no more get through than allowed.
        let ours: i64 = sqlx::query(
            "INSERT INTO viewer_code_requests (link_hash, device_hash, at) \
             VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(code.link_hash.as_slice())
        .bind(code.device_hash.as_slice())
        .bind(code.created_at)
        .fetch_one(self.0)
        .await?
        .try_get("id")?;
        for limit in limits {
            let sent: i64 = if limit.per_browser {
                sqlx::query(
                    "SELECT count(*) AS n FROM viewer_code_requests \
                     WHERE link_hash = $1 AND device_hash = $2 AND at > $3",
                )
                .bind(code.link_hash.as_slice())
                .bind(code.device_hash.as_slice())
                .bind(limit.since)
                .fetch_one(self.0)
                .await?
                .try_get("n")?
            } else {
                sqlx::query(
                    "SELECT count(*) AS n FROM viewer_code_requests \
                     WHERE link_hash = $1 AND at > $2",
                )
                .bind(code.link_hash.as_slice())
                .bind(limit.since)
                .fetch_one(self.0)
                .await?
                .try_get("n")?
            };
            if sent > limit.max {
                sqlx::query("DELETE FROM viewer_code_requests WHERE id = $1")
                    .bind(ours)
                    .execute(self.0)
                    .await?;
                return Ok(false);
            }
        }
        let new = NewCode {
            key: &code.link_hash,
            device_hash: &code.device_hash,
            code_hash: &code.code_hash,
            created_at: code.created_at,
            expires_at: code.expires_at,
            attempts: code.attempts,
        };
        self.put_code(VIEWER_CODES, new).await?;
        Ok(true)
    }

    pub async fn claim_viewer_code_attempt(
        &self,
        link_hash: &Digest,
        device_hash: &Digest,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<ViewerCodeRecord>> {
        let row = self
            .claim_code_attempt(VIEWER_CODES, link_hash, device_hash, now, max_attempts)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ViewerCodeRecord {
            link_hash: digest(row.try_get("link_hash")?, "viewer_codes.link_hash")?,
            device_hash: digest(row.try_get("device_hash")?, "viewer_codes.device_hash")?,
            code_hash: digest(row.try_get("code_hash")?, "viewer_codes.code_hash")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            attempts: row.try_get("attempts")?,
        }))
    }

    pub async fn consume_viewer_code(
        &self,
        link_hash: &Digest,
        device_hash: &Digest,
        code_hash: &Digest,
    ) -> StoreResult<bool> {
        self.consume_code(VIEWER_CODES, link_hash, device_hash, code_hash)
            .await
    }

    pub async fn insert_viewer_session(&self, session: &ViewerSessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO viewer_sessions (token_hash, link_hash, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(session.token_hash.as_slice())
        .bind(session.link_hash.as_slice())
        .bind(session.created_at)
        .bind(session.last_used_at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    pub async fn find_viewer_session(
        &self,
        token_hash: &Digest,
    ) -> StoreResult<Option<ViewerSessionRecord>> {
        let row = sqlx::query(
            "SELECT token_hash, link_hash, created_at, last_used_at FROM viewer_sessions \
             WHERE token_hash = $1",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(self.0)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ViewerSessionRecord {
            token_hash: digest(row.try_get("token_hash")?, "viewer_sessions.token_hash")?,
            link_hash: digest(row.try_get("link_hash")?, "viewer_sessions.link_hash")?,
            created_at: row.try_get("created_at")?,
            last_used_at: row.try_get("last_used_at")?,
        }))
    }

    pub async fn touch_viewer_session(&self, token_hash: &Digest, at: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE viewer_sessions SET last_used_at = $2 \
             WHERE token_hash = $1 AND last_used_at < $2",
        )
        .bind(token_hash.as_slice())
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    pub async fn count_reply(&self, link_hash: &Digest, max: i64) -> StoreResult<bool> {
        let counted = sqlx::query(
            "UPDATE viewer_recipients SET replies = replies + 1 \
             WHERE link_hash = $1 AND replies < $2 RETURNING replies",
        )
        .bind(link_hash.as_slice())
        .bind(max)
        .fetch_optional(self.0)
        .await?;
        Ok(counted.is_some())
    }

    pub async fn count_forward(&self, message_id: &str, max: i64) -> StoreResult<bool> {
        let counted = sqlx::query(
            "UPDATE viewer_messages SET forwards = forwards + 1 \
             WHERE id = $1 AND forwards < $2 RETURNING forwards",
        )
        .bind(message_id)
        .bind(max)
        .fetch_optional(self.0)
        .await?;
        Ok(counted.is_some())
    }

    pub async fn count_forward_failure(&self, link_hash: &Digest) -> StoreResult<i64> {
        let failures = sqlx::query(
            "UPDATE viewer_recipients SET forward_failures = forward_failures + 1 \
             WHERE link_hash = $1 RETURNING forward_failures",
        )
        .bind(link_hash.as_slice())
        .fetch_optional(self.0)
        .await?;
        Ok(match failures {
            Some(row) => row.try_get("forward_failures")?,
            None => 0,
        })
    }

    pub async fn note_wrong_number_report(&self, link_hash: &Digest, at: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE viewer_recipients SET wrong_number_reported_at = $2 WHERE link_hash = $1",
        )
        .bind(link_hash.as_slice())
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    pub async fn sweep_viewer(
        &self,
        now: i64,
        idle_before: i64,
        batch: i64,
    ) -> StoreResult<Vec<ViewerMessageState>> {
        sqlx::query("DELETE FROM viewer_sessions WHERE last_used_at <= $1")
            .bind(idle_before)
            .execute(self.0)
            .await?;
        sqlx::query("DELETE FROM viewer_codes WHERE expires_at <= $1")
            .bind(now)
            .execute(self.0)
            .await?;
        // `deleted_at IS NULL` again in the outer statement: of two instances picking the
        // same rows, the second finds them cleared and returns nothing. The content of every
        // message marked in this second goes with it (by the index on `deleted_at`).
        let mut tx = self.0.begin().await?;
        let sql = format!(
            "UPDATE viewer_messages SET deleted_at = $1 \
             WHERE deleted_at IS NULL AND id IN (SELECT id FROM viewer_messages \
             WHERE deleted_at IS NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2) \
             RETURNING {MESSAGE_STATE_RETURNED}"
        );
        let cleared = sqlx::query(&sql)
            .bind(now)
            .bind(batch)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(message_state)
            .collect::<StoreResult<Vec<_>>>()?;
        sqlx::query(
            "DELETE FROM viewer_contents WHERE message_id IN \
             (SELECT id FROM viewer_messages WHERE deleted_at = $1)",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(cleared)
    }
}

fn message_state<R>(row: &R) -> StoreResult<ViewerMessageState>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<i64>: Decode<'r, R::Database>,
{
    Ok(ViewerMessageState {
        id: row.try_get("id")?,
        token_id: row.try_get("token_id")?,
        owner_hash: digest(row.try_get("owner_hash")?, "viewer_messages.owner_hash")?,
        reference: row.try_get("reference")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
        deleted_at: row.try_get("deleted_at")?,
        forwards: row.try_get("forwards")?,
    })
}
