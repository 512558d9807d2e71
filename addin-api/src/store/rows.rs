//! Rows back into records, the same for both backends.

use sqlx::{ColumnIndex, Decode, Row, Type};

use super::{Digest, SessionRecord, StoreError, StoreResult};

fn get<'r, R, T>(row: &'r R, column: &'static str) -> StoreResult<T>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(row.try_get(column)?)
}

pub(super) fn digest<'r, R>(row: &'r R, column: &'static str) -> StoreResult<Digest>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    &'r [u8]: Decode<'r, R::Database> + Type<R::Database>,
{
    let bytes: &[u8] = get(row, column)?;
    Digest::try_from(bytes).map_err(|_| StoreError::Corrupt(column))
}

pub(super) fn session<'r, R>(row: &'r R) -> StoreResult<SessionRecord>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    &'r [u8]: Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(SessionRecord {
        token_hash: digest(row, "token_hash")?,
        device_hash: digest(row, "device_hash")?,
        mailbox_hash: digest(row, "mailbox_hash")?,
        mailbox_sealed: get(row, "mailbox_sealed")?,
        method: get(row, "method")?,
        created_at: get(row, "created_at")?,
        last_used_at: get(row, "last_used_at")?,
    })
}
