//! The settings queries: each owner's language and send delay.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::Queries;
use crate::store::{Digest, SettingsRecord, StoreResult};

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn get_settings(&self, owner: &Digest) -> StoreResult<Option<SettingsRecord>> {
        let row =
            sqlx::query("SELECT language, send_delay_seconds FROM settings WHERE owner_hash = $1")
                .bind(owner.as_slice())
                .fetch_optional(self.0)
                .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SettingsRecord {
            language: row.try_get("language")?,
            send_delay_seconds: row.try_get("send_delay_seconds")?,
        }))
    }

    pub async fn put_settings(
        &self,
        owner: &Digest,
        settings: &SettingsRecord,
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO settings (owner_hash, language, send_delay_seconds, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (owner_hash) DO UPDATE SET language = excluded.language, \
             send_delay_seconds = excluded.send_delay_seconds, updated_at = excluded.updated_at",
        )
        .bind(owner.as_slice())
        .bind(settings.language.as_deref())
        .bind(settings.send_delay_seconds)
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(())
    }
}
