//! The pairing queries: a saved phone per owner and recipient. Finding many at once
//! (`get_pairings`) is the one query each backend writes itself (`sqlite.rs`, `postgres.rs`).

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::Queries;
use crate::store::{Digest, StoreResult};

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn put_pairing(
        &self,
        owner: &Digest,
        recipient: &Digest,
        sealed_phone: &[u8],
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pairings (owner_hash, recipient_hash, sealed_phone, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (owner_hash, recipient_hash) \
             DO UPDATE SET sealed_phone = excluded.sealed_phone, updated_at = excluded.updated_at",
        )
        .bind(owner.as_slice())
        .bind(recipient.as_slice())
        .bind(sealed_phone)
        .bind(at)
        .execute(self.0)
        .await?;
        Ok(())
    }

    pub async fn get_pairing(
        &self,
        owner: &Digest,
        recipient: &Digest,
    ) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query(
            "SELECT sealed_phone FROM pairings WHERE owner_hash = $1 AND recipient_hash = $2",
        )
        .bind(owner.as_slice())
        .bind(recipient.as_slice())
        .fetch_optional(self.0)
        .await?;
        Ok(row.map(|row| row.try_get("sealed_phone")).transpose()?)
    }

    pub async fn delete_pairing(&self, owner: &Digest, recipient: &Digest) -> StoreResult<bool> {
        let done = sqlx::query(
            "DELETE FROM pairings WHERE owner_hash = $1 AND recipient_hash = $2 \
             RETURNING updated_at",
        )
        .bind(owner.as_slice())
        .bind(recipient.as_slice())
        .fetch_optional(self.0)
        .await?;
        Ok(done.is_some())
    }
}
