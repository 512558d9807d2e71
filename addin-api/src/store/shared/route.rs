//! The secure route's queries (SPEC §7, §13): dispatches, hand-overs, Viewer messages.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::{Queries, digest};
use crate::store::{
    Digest, DispatchClaim, DispatchRecord, DispatchState, StoreResult, StoredDispatch,
    ViewerMessageRecord, ViewerRecipientRecord,
};

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q [u8]>: Encode<'q, DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn insert_dispatch(&self, dispatch: &DispatchRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO dispatches (token_id, owner_hash, sealed, issued_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(dispatch.token_id.as_str())
        .bind(dispatch.owner_hash.as_slice())
        .bind(dispatch.sealed.as_slice())
        .bind(dispatch.issued_at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    pub async fn find_dispatch(&self, token_id: &str) -> StoreResult<Option<StoredDispatch>> {
        let row = sqlx::query(
            "SELECT token_id, owner_hash, sealed, issued_at, message_hash, state, state_at \
             FROM dispatches WHERE token_id = $1",
        )
        .bind(token_id)
        .fetch_optional(self.0)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let state: String = row.try_get("state")?;
        Ok(Some(StoredDispatch {
            record: DispatchRecord {
                token_id: row.try_get("token_id")?,
                owner_hash: digest(row.try_get("owner_hash")?, "dispatches.owner_hash")?,
                sealed: row.try_get("sealed")?,
                issued_at: row.try_get("issued_at")?,
            },
            state: DispatchState::parse(&state)?,
            message_hash: row
                .try_get::<Option<Vec<u8>>, _>("message_hash")?
                .map(|bytes| digest(bytes, "dispatches.message_hash"))
                .transpose()?,
            state_at: row.try_get("state_at")?,
        }))
    }

    pub async fn handovers(&self, token_id: &str) -> StoreResult<Vec<String>> {
        sqlx::query("SELECT part FROM dispatch_handovers WHERE token_id = $1 ORDER BY part")
            .bind(token_id)
            .fetch_all(self.0)
            .await?
            .iter()
            .map(|row| Ok(row.try_get("part")?))
            .collect()
    }

    pub async fn claim_dispatch(
        &self,
        token_id: &str,
        message_hash: &Digest,
        now: i64,
        stale_before: i64,
    ) -> StoreResult<DispatchClaim> {
        let claimed = sqlx::query(
            "UPDATE dispatches SET message_hash = $2, state = 'delivering', state_at = $3 \
             WHERE token_id = $1 \
               AND (message_hash IS NULL OR message_hash = $2) \
               AND (state IN ('issued', 'failed', 'delivered') \
                    OR (state = 'delivering' AND state_at <= $4)) \
             RETURNING token_id",
        )
        .bind(token_id)
        .bind(message_hash.as_slice())
        .bind(now)
        .bind(stale_before)
        .fetch_optional(self.0)
        .await?;
        if claimed.is_some() {
            return Ok(DispatchClaim::Claimed);
        }
        // Not ours to deliver now; a claimed dispatch never changes message, so this read
        // cannot turn a refusal into the wrong one.
        let Some(found) = self.find_dispatch(token_id).await? else {
            return Ok(DispatchClaim::Unknown);
        };
        Ok(match found.message_hash {
            Some(hash) if hash != *message_hash => DispatchClaim::OtherMessage,
            _ => DispatchClaim::InProgress,
        })
    }

    pub async fn record_handovers(
        &self,
        token_id: &str,
        parts: &[String],
        at: i64,
    ) -> StoreResult<()> {
        const INSERT: &str = "INSERT INTO dispatch_handovers (token_id, part, at) \
                              VALUES ($1, $2, $3) ON CONFLICT (token_id, part) DO NOTHING";
        if let [part] = parts {
            // The usual case: one statement, no transaction around it.
            sqlx::query(INSERT)
                .bind(token_id)
                .bind(part.as_str())
                .bind(at)
                .execute(self.0)
                .await?;
            return Ok(());
        }
        let mut tx = self.0.begin().await?;
        for part in parts {
            sqlx::query(INSERT)
                .bind(token_id)
                .bind(part.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn finish_dispatch(
        &self,
        token_id: &str,
        state: DispatchState,
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE dispatches SET state = $2, state_at = $3 WHERE token_id = $1")
            .bind(token_id)
            .bind(state.as_str())
            .bind(at)
            .execute(self.0)
            .await?;
        Ok(())
    }

    pub async fn insert_viewer_message(
        &self,
        message: &ViewerMessageRecord,
        recipients: &[ViewerRecipientRecord],
    ) -> StoreResult<ViewerMessageRecord> {
        let mut tx = self.0.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO viewer_messages \
             (id, token_id, owner_hash, reference, withdraw_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (token_id) DO NOTHING RETURNING id",
        )
        .bind(message.id.as_str())
        .bind(message.token_id.as_str())
        .bind(message.owner_hash.as_slice())
        .bind(message.reference.as_str())
        .bind(message.withdraw_hash.as_slice())
        .bind(message.created_at)
        .bind(message.expires_at)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_none() {
            // The one an earlier attempt of the same message stored.
            let row = sqlx::query(
                "SELECT m.id, m.token_id, m.owner_hash, m.reference, m.withdraw_hash, \
                 c.sealed_key, c.content, c.summary, m.created_at, m.expires_at FROM viewer_messages m \
                 LEFT JOIN viewer_contents c ON c.message_id = m.id WHERE m.token_id = $1",
            )
            .bind(message.token_id.as_str())
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            return viewer_message(&row);
        }
        sqlx::query(
            "INSERT INTO viewer_contents (message_id, sealed_key, content, summary) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(message.id.as_str())
        .bind(message.sealed_key.as_slice())
        .bind(message.content.as_slice())
        .bind(message.summary.as_slice())
        .execute(&mut *tx)
        .await?;
        for recipient in recipients {
            sqlx::query(
                "INSERT INTO viewer_recipients (link_hash, message_id, position, sealed) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(recipient.link_hash.as_slice())
            .bind(message.id.as_str())
            .bind(recipient.position)
            .bind(recipient.sealed.as_slice())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(message.clone())
    }
}

fn viewer_message<R>(row: &R) -> StoreResult<ViewerMessageRecord>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<Vec<u8>>: Decode<'r, R::Database>,
{
    // A message whose content was deleted has no key either; the relay only reads back a
    // message it stored moments ago.
    let content: Option<Vec<u8>> = row.try_get("content")?;
    let sealed_key: Option<Vec<u8>> = row.try_get("sealed_key")?;
    let summary: Option<Vec<u8>> = row.try_get("summary")?;
    Ok(ViewerMessageRecord {
        id: row.try_get("id")?,
        token_id: row.try_get("token_id")?,
        owner_hash: digest(row.try_get("owner_hash")?, "viewer_messages.owner_hash")?,
        reference: row.try_get("reference")?,
        withdraw_hash: digest(
            row.try_get("withdraw_hash")?,
            "viewer_messages.withdraw_hash",
        )?,
        sealed_key: sealed_key.unwrap_or_default(),
        content: content.unwrap_or_default(),
        summary: summary.unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}
