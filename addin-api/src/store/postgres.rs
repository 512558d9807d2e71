//! The PostgreSQL store: many server instances on one database, for a hospital group or a
//! national deployment (SPEC §11). Same schema and semantics as the SQLite store, and the
//! same queries ([`super::shared`]) but for [`PairingLookup`], which binds the recipients as
//! one array.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{Digest, PairingLookup, StoreResult, migrations, rows, shared};

/// How long a request waits for a free connection before it fails, rather than hanging while
/// the database is unreachable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PostgresStore {
    pool: PgPool,
    /// `host:port/database`, for `Debug`: the URL itself may carry a password.
    server: String,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects and brings the schema up to date. Servers starting together on one database
    /// are safe: sqlx's migrator holds a PostgreSQL advisory lock while it migrates.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let server = format!(
            "{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default()
        );
        let pool = PgPoolOptions::new()
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        migrations::migrator(migrations::POSTGRES)
            .await?
            .run(&pool)
            .await?;
        Ok(Self { pool, server })
    }

    /// The pool, for tests that read rows back with plain SQL.
    #[cfg(test)]
    pub(super) fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl PairingLookup for PostgresStore {
    async fn get_pairings(
        &self,
        owner: &Digest,
        recipients: &[Digest],
    ) -> StoreResult<Vec<(Digest, Vec<u8>)>> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        // One `bytea[]` parameter, however many recipients; ordered like the SQLite store's.
        let rows = sqlx::query(
            "SELECT recipient_hash, sealed_phone FROM pairings \
             WHERE owner_hash = $1 AND recipient_hash = ANY($2) ORDER BY recipient_hash",
        )
        .bind(owner.as_slice())
        .bind(recipients)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    rows::digest(row, "recipient_hash")?,
                    row.try_get("sealed_phone")?,
                ))
            })
            .collect()
    }
}

shared::shared_stores!(PostgresStore);
