//! What the two code tables share: `sign_in_codes` (a code per mailbox and device) and
//! `viewer_codes` (per Viewer link and browser) have the same columns but the first, which says
//! what a code is for, and the same statements to store, try and consume a device's one code.
//! Reading a tried code back into its record stays with each table's queries.

use sqlx::{Database, Encode, Executor, IntoArguments, Pool, Type};

use super::Queries;
use crate::store::{Digest, StoreResult};

/// A code table: its name and the column of what a code is for.
#[derive(Clone, Copy)]
pub(super) struct CodeTable {
    name: &'static str,
    key_column: &'static str,
}

pub(super) const SIGN_IN_CODES: CodeTable = CodeTable {
    name: "sign_in_codes",
    key_column: "mailbox_hash",
};

pub(super) const VIEWER_CODES: CodeTable = CodeTable {
    name: "viewer_codes",
    key_column: "link_hash",
};

impl CodeTable {
    /// Every column, in the order [`NewCode`] lists them.
    fn columns(self) -> String {
        let key_column = self.key_column;
        format!("{key_column}, device_hash, code_hash, created_at, expires_at, attempts")
    }
}

/// A code to store; `key` is what it is for (the mailbox's or the link's hash).
pub(super) struct NewCode<'a> {
    pub key: &'a Digest,
    pub device_hash: &'a Digest,
    pub code_hash: &'a Digest,
    pub created_at: i64,
    pub expires_at: i64,
    pub attempts: i64,
}

impl<DB> Queries<'_, DB>
where
    DB: Database,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    /// Stores `code` as the one live code of what it is for and its device, replacing that
    /// device's earlier one (never another device's).
    pub(super) async fn put_code(&self, table: CodeTable, code: NewCode<'_>) -> StoreResult<()> {
        let CodeTable { name, key_column } = table;
        let columns = table.columns();
        let sql = format!(
            "INSERT INTO {name} ({columns}) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT ({key_column}, device_hash) DO UPDATE SET \
             code_hash = excluded.code_hash, created_at = excluded.created_at, \
             expires_at = excluded.expires_at, attempts = excluded.attempts"
        );
        sqlx::query(&sql)
            .bind(code.key.as_slice())
            .bind(code.device_hash.as_slice())
            .bind(code.code_hash.as_slice())
            .bind(code.created_at)
            .bind(code.expires_at)
            .bind(code.attempts)
            .execute(self.0)
            .await?;
        Ok(())
    }

    /// Counts one try on the device's code and returns its row (every column), the try
    /// counted, if it is live at `now` and had fewer than `max_attempts` tries. Counted before
    /// the code is compared, so concurrent guesses cannot exceed the limit.
    pub(super) async fn claim_code_attempt(
        &self,
        table: CodeTable,
        key: &Digest,
        device_hash: &Digest,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<DB::Row>> {
        let CodeTable { name, key_column } = table;
        let columns = table.columns();
        let sql = format!(
            "UPDATE {name} SET attempts = attempts + 1 \
             WHERE {key_column} = $1 AND device_hash = $2 AND expires_at > $3 \
             AND attempts < $4 RETURNING {columns}"
        );
        Ok(sqlx::query(&sql)
            .bind(key.as_slice())
            .bind(device_hash.as_slice())
            .bind(now)
            .bind(max_attempts)
            .fetch_optional(self.0)
            .await?)
    }

    /// Removes the device's code if it is still `code_hash`; returns whether this call did, so
    /// of two concurrent uses of one code only one succeeds.
    pub(super) async fn consume_code(
        &self,
        table: CodeTable,
        key: &Digest,
        device_hash: &Digest,
        code_hash: &Digest,
    ) -> StoreResult<bool> {
        let CodeTable { name, key_column } = table;
        let sql = format!(
            "DELETE FROM {name} \
             WHERE {key_column} = $1 AND device_hash = $2 AND code_hash = $3 RETURNING attempts"
        );
        let done = sqlx::query(&sql)
            .bind(key.as_slice())
            .bind(device_hash.as_slice())
            .bind(code_hash.as_slice())
            .fetch_optional(self.0)
            .await?;
        Ok(done.is_some())
    }
}
