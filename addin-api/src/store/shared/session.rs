//! The session queries (SPEC §8).

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::{Queries, digest};
use crate::store::{Digest, SessionRecord, StoreResult};

const COLUMNS: &str = "token_hash, device_hash, mailbox_hash, owner_hash, mailbox_sealed, \
                       method, created_at, last_used_at, validated_at";

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        sqlx::query(&sql)
            .bind(session.token_hash.as_slice())
            .bind(session.device_hash.as_slice())
            .bind(session.mailbox_hash.as_slice())
            .bind(session.owner_hash.as_slice())
            .bind(session.mailbox_sealed.as_slice())
            .bind(session.method.as_str())
            .bind(session.created_at)
            .bind(session.last_used_at)
            .bind(session.validated_at)
            .execute(self.0)
            .await?;
        Ok(())
    }

    pub async fn find_session(&self, token_hash: &Digest) -> StoreResult<Option<SessionRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sessions WHERE token_hash = $1");
        let row = sqlx::query(&sql)
            .bind(token_hash.as_slice())
            .fetch_optional(self.0)
            .await?;
        row.as_ref().map(session).transpose()
    }

    pub async fn touch_session(&self, token_hash: &Digest, last_used_at: i64) -> StoreResult<()> {
        // Concurrent requests of one session may finish out of order; the window only moves on.
        sqlx::query(
            "UPDATE sessions SET last_used_at = $1 WHERE token_hash = $2 AND last_used_at < $1",
        )
        .bind(last_used_at)
        .bind(token_hash.as_slice())
        .execute(self.0)
        .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &Digest) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.as_slice())
            .execute(self.0)
            .await?;
        Ok(())
    }

    pub async fn delete_sessions_of(&self, mailbox_hash: &Digest) -> StoreResult<u64> {
        let ended =
            sqlx::query("DELETE FROM sessions WHERE mailbox_hash = $1 RETURNING token_hash")
                .bind(mailbox_hash.as_slice())
                .fetch_all(self.0)
                .await?;
        Ok(ended.len() as u64)
    }

    pub async fn list_sessions_of(&self, mailbox_hash: &Digest) -> StoreResult<Vec<SessionRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sessions WHERE mailbox_hash = $1 \
             ORDER BY last_used_at DESC, created_at DESC"
        );
        sqlx::query(&sql)
            .bind(mailbox_hash.as_slice())
            .fetch_all(self.0)
            .await?
            .iter()
            .map(session)
            .collect()
    }

    pub async fn delete_sessions_not_of(&self, method: &str) -> StoreResult<u64> {
        let ended = sqlx::query("DELETE FROM sessions WHERE method <> $1 RETURNING token_hash")
            .bind(method)
            .fetch_all(self.0)
            .await?;
        Ok(ended.len() as u64)
    }
}

fn session<R>(row: &R) -> StoreResult<SessionRecord>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(SessionRecord {
        token_hash: digest(row.try_get("token_hash")?, "sessions.token_hash")?,
        device_hash: digest(row.try_get("device_hash")?, "sessions.device_hash")?,
        mailbox_hash: digest(row.try_get("mailbox_hash")?, "sessions.mailbox_hash")?,
        owner_hash: digest(row.try_get("owner_hash")?, "sessions.owner_hash")?,
        mailbox_sealed: row.try_get("mailbox_sealed")?,
        method: row.try_get("method")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        validated_at: row.try_get("validated_at")?,
    })
}
