//! Rows back into records, the same for both backends.

use sqlx::{ColumnIndex, Decode, Row, Type};

use super::{Digest, StoreError, StoreResult};

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
