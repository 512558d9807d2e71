//! The directory snapshot: the one row (`id = 1`) holding the last domain book that loaded.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::Queries;
use crate::store::{DirectorySnapshot, StoreResult};

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> Option<String>: Decode<'r, DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn load_directory(&self) -> StoreResult<Option<DirectorySnapshot>> {
        let row = sqlx::query(
            "SELECT json, etag, last_modified, loaded_at FROM directory_snapshot WHERE id = 1",
        )
        .fetch_optional(self.0)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(DirectorySnapshot {
            json: row.try_get("json")?,
            etag: row.try_get("etag")?,
            last_modified: row.try_get("last_modified")?,
            loaded_at: row.try_get("loaded_at")?,
        }))
    }

    pub async fn save_directory(&self, snapshot: &DirectorySnapshot) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO directory_snapshot (id, json, etag, last_modified, loaded_at) \
             VALUES (1, $1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET json = excluded.json, etag = excluded.etag, \
             last_modified = excluded.last_modified, loaded_at = excluded.loaded_at",
        )
        .bind(snapshot.json.as_str())
        .bind(snapshot.etag.as_deref())
        .bind(snapshot.last_modified.as_deref())
        .bind(snapshot.loaded_at)
        .execute(self.0)
        .await?;
        Ok(())
    }
}
