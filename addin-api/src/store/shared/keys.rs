//! The data key ring's queries: the index key, and the walk over sealed values.

use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type, query::Query,
};

use super::{Queries, digest};
use crate::store::{SealedColumn, SealedRow, SealedValue, StoreError, StoreResult};

/// A sealed column's table, its key columns (in [`SealedRow`]'s order) and the column itself.
fn layout(column: SealedColumn) -> (&'static str, &'static [&'static str], &'static str) {
    match column {
        SealedColumn::IndexKey => ("index_key", &["key_id"], "sealed"),
        SealedColumn::Sessions => ("sessions", &["token_hash"], "mailbox_sealed"),
        SealedColumn::Pairings => (
            "pairings",
            &["owner_hash", "recipient_hash"],
            "sealed_phone",
        ),
        SealedColumn::Dispatches => ("dispatches", &["token_id"], "sealed"),
        SealedColumn::ViewerRecipients => ("viewer_recipients", &["link_hash"], "sealed"),
        SealedColumn::ViewerKeys => ("viewer_contents", &["message_id"], "sealed_key"),
    }
}

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
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn index_key(&self) -> StoreResult<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT key_id, sealed FROM index_key")
            .fetch_optional(self.0)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((row.try_get("key_id")?, row.try_get("sealed")?)))
    }

    pub async fn init_index_key(
        &self,
        key_id: &str,
        sealed: &[u8],
    ) -> StoreResult<(String, Vec<u8>)> {
        sqlx::query(
            "INSERT INTO index_key (singleton, key_id, sealed) VALUES (1, $1, $2) \
             ON CONFLICT (singleton) DO NOTHING",
        )
        .bind(key_id)
        .bind(sealed)
        .execute(self.0)
        .await?;
        self.index_key()
            .await?
            .ok_or(StoreError::Corrupt("index_key"))
    }

    pub async fn sealed_values(
        &self,
        column: SealedColumn,
        after: Option<&SealedRow>,
        limit: i64,
    ) -> StoreResult<Vec<SealedValue>> {
        let (table, keys, value) = layout(column);
        let key_list = keys.join(", ");
        let mut sql = format!("SELECT {key_list}, {value} AS sealed FROM {table}");
        let mut next = 1;
        if after.is_some() {
            let params: Vec<String> = (1..=keys.len()).map(|n| format!("${n}")).collect();
            sql.push_str(&format!(" WHERE ({key_list}) > ({})", params.join(", ")));
            next += keys.len();
        }
        sql.push_str(&format!(" ORDER BY {key_list} LIMIT ${next}"));
        let mut query = sqlx::query(&sql);
        if let Some(row) = after {
            query = bind_row(query, row);
        }
        query
            .bind(limit)
            .fetch_all(self.0)
            .await?
            .iter()
            .map(|row| {
                Ok(SealedValue {
                    row: sealed_row(column, row)?,
                    sealed: row.try_get("sealed")?,
                })
            })
            .collect()
    }

    pub async fn reseal(&self, values: &[(SealedValue, Vec<u8>)]) -> StoreResult<u64> {
        let mut tx = self.0.begin().await?;
        let mut replaced = 0;
        for (value, sealed) in values {
            let (table, keys, column) = layout(value.row.column());
            let row_is: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(n, key)| format!("{key} = ${}", n + 3))
                .collect();
            let sql = format!(
                "UPDATE {table} SET {column} = $1 WHERE {column} = $2 AND {} RETURNING 1",
                row_is.join(" AND ")
            );
            let query = sqlx::query(&sql)
                .bind(sealed.as_slice())
                .bind(value.sealed.as_slice());
            if bind_row(query, &value.row)
                .fetch_optional(&mut *tx)
                .await?
                .is_some()
            {
                replaced += 1;
            }
        }
        tx.commit().await?;
        Ok(replaced)
    }
}

/// Binds the row's key columns, in [`layout`]'s order.
fn bind_row<'q, DB>(
    query: Query<'q, DB, DB::Arguments<'q>>,
    row: &'q SealedRow,
) -> Query<'q, DB, DB::Arguments<'q>>
where
    DB: Database,
    &'q [u8]: Encode<'q, DB> + Type<DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
{
    match row {
        SealedRow::IndexKey { key_id: id }
        | SealedRow::Dispatch { token_id: id }
        | SealedRow::ViewerKey { message_id: id } => query.bind(id.as_str()),
        SealedRow::Session { token_hash: hash }
        | SealedRow::ViewerRecipient { link_hash: hash } => query.bind(hash.as_slice()),
        SealedRow::Pairing {
            owner_hash,
            recipient_hash,
        } => query
            .bind(owner_hash.as_slice())
            .bind(recipient_hash.as_slice()),
    }
}

fn sealed_row<R>(column: SealedColumn, row: &R) -> StoreResult<SealedRow>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(match column {
        SealedColumn::IndexKey => SealedRow::IndexKey {
            key_id: row.try_get("key_id")?,
        },
        SealedColumn::Sessions => SealedRow::Session {
            token_hash: digest(row.try_get("token_hash")?, "sessions.token_hash")?,
        },
        SealedColumn::Pairings => SealedRow::Pairing {
            owner_hash: digest(row.try_get("owner_hash")?, "pairings.owner_hash")?,
            recipient_hash: digest(row.try_get("recipient_hash")?, "pairings.recipient_hash")?,
        },
        SealedColumn::Dispatches => SealedRow::Dispatch {
            token_id: row.try_get("token_id")?,
        },
        SealedColumn::ViewerRecipients => SealedRow::ViewerRecipient {
            link_hash: digest(row.try_get("link_hash")?, "viewer_recipients.link_hash")?,
        },
        SealedColumn::ViewerKeys => SealedRow::ViewerKey {
            message_id: row.try_get("message_id")?,
        },
    })
}
