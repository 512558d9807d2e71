//! The audit trail's queries: appends under the chain head's row lock, pages in chain order,
//! and retention that moves the chain's anchor.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row, Type};

use super::{Queries, digest};
use crate::store::{
    AuditChainEnds, AuditLinker, AuditRecord, ChainedAuditRecord, Digest, StoreError, StoreResult,
};

const COLUMNS: &str = "id, seq, at, kind, mailbox_hash, sender_hash, device_hash, \
                       network_hash, token_id, recipient_count, routes, codes, prev_hash, hash";

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
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'r> Option<i64>: Decode<'r, DB>,
    for<'r> Option<String>: Decode<'r, DB>,
    for<'r> Option<Vec<u8>>: Decode<'r, DB>,
    for<'c> &'c str: ColumnIndex<DB::Row>,
{
    pub async fn append_audit(
        &self,
        record: &AuditRecord,
        linker: &dyn AuditLinker,
    ) -> StoreResult<()> {
        let mut tx = self.0.begin().await?;
        // Writing the head row first takes its lock (PostgreSQL's row lock, SQLite's write
        // lock), so appends of several instances line up one after the other.
        let head = sqlx::query(
            "UPDATE audit_chain SET head_seq = head_seq + 1 WHERE id = 1 \
             RETURNING head_seq, head_hash",
        )
        .fetch_one(&mut *tx)
        .await?;
        let seq: i64 = head.try_get("head_seq")?;
        let prev_hash = digest(head.try_get("head_hash")?, "audit_chain.head_hash")?;
        let hash = linker.link(seq, &prev_hash, record);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, kind, mailbox_hash, sender_hash, device_hash, \
             network_hash, token_id, recipient_count, routes, codes, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(seq)
        .bind(record.at)
        .bind(record.kind.as_str())
        .bind(record.mailbox_hash.as_ref().map(<[u8; 32]>::as_slice))
        .bind(record.sender_hash.as_ref().map(<[u8; 32]>::as_slice))
        .bind(record.device_hash.as_ref().map(<[u8; 32]>::as_slice))
        .bind(record.network_hash.as_ref().map(<[u8; 32]>::as_slice))
        .bind(record.token_id.as_deref())
        .bind(record.recipient_count)
        .bind(record.routes.as_deref())
        .bind(record.codes.as_deref())
        .bind(prev_hash.as_slice())
        .bind(hash.as_slice())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_chain SET head_hash = $1 WHERE id = 1")
            .bind(hash.as_slice())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn audit_page(
        &self,
        after_id: i64,
        since: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, ChainedAuditRecord)>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE id > $1 AND at >= $2 ORDER BY id LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(after_id)
            .bind(since)
            .bind(limit)
            .fetch_all(self.0)
            .await?;
        rows.iter()
            .map(|row| {
                let optional = |column: &'static str| -> StoreResult<Option<Digest>> {
                    row.try_get::<Option<Vec<u8>>, _>(column)?
                        .map(|bytes| digest(bytes, column))
                        .transpose()
                };
                Ok((
                    row.try_get("id")?,
                    ChainedAuditRecord {
                        seq: row.try_get("seq")?,
                        record: AuditRecord {
                            at: row.try_get("at")?,
                            kind: row.try_get("kind")?,
                            mailbox_hash: optional("mailbox_hash")?,
                            sender_hash: optional("sender_hash")?,
                            device_hash: optional("device_hash")?,
                            network_hash: optional("network_hash")?,
                            token_id: row.try_get("token_id")?,
                            recipient_count: row.try_get("recipient_count")?,
                            routes: row.try_get("routes")?,
                            codes: row.try_get("codes")?,
                        },
                        prev_hash: optional("prev_hash")?,
                        hash: optional("hash")?,
                    },
                ))
            })
            .collect()
    }

    pub async fn audit_chain_ends(&self) -> StoreResult<AuditChainEnds> {
        let row = sqlx::query(
            "SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM audit_chain WHERE id = 1",
        )
        .fetch_optional(self.0)
        .await?
        .ok_or(StoreError::Corrupt("audit_chain has no row"))?;
        Ok(AuditChainEnds {
            head_seq: row.try_get("head_seq")?,
            head_hash: digest(row.try_get("head_hash")?, "audit_chain.head_hash")?,
            anchor_seq: row.try_get("anchor_seq")?,
            anchor_hash: digest(row.try_get("anchor_hash")?, "audit_chain.anchor_hash")?,
        })
    }

    pub async fn prune_audit(&self, before: i64) -> StoreResult<u64> {
        let mut tx = self.0.begin().await?;
        // The head row's lock again: no append slips in while the anchor moves.
        sqlx::query("UPDATE audit_chain SET head_seq = head_seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        // The last chained record old enough: it and every record before it go, and it
        // becomes the anchor. Records of instances whose clocks differ a little may go a
        // few seconds early, never out of order.
        let last = sqlx::query(
            "SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL AND at < $1 \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
        // Records from before the chain are older than every chained one.
        let (delete, bound) = match last {
            Some(last) => {
                let seq: i64 = last.try_get("seq")?;
                let hash = digest(last.try_get("hash")?, "audit_log.hash")?;
                sqlx::query(
                    "UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1",
                )
                .bind(seq)
                .bind(hash.as_slice())
                .execute(&mut *tx)
                .await?;
                (
                    "DELETE FROM audit_log WHERE seq IS NULL OR seq <= $1 RETURNING id",
                    seq,
                )
            }
            None => (
                "DELETE FROM audit_log WHERE seq IS NULL AND at < $1 RETURNING id",
                before,
            ),
        };
        let deleted = sqlx::query(delete)
            .bind(bound)
            .fetch_all(&mut *tx)
            .await?
            .len() as u64;
        tx.commit().await?;
        Ok(deleted)
    }
}
