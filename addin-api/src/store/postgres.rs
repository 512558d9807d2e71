//! The PostgreSQL store: many server instances on one database, for a hospital group or a
//! national deployment (SPEC §11). Same schema and semantics as the SQLite store.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{
    Digest, DirectorySnapshot, SettingsRecord, Store, StoreResult, migrations, rows, shared,
};

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
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn put_pairing(
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_pairing(
        &self,
        owner: &Digest,
        recipient: &Digest,
    ) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query(
            "SELECT sealed_phone FROM pairings WHERE owner_hash = $1 AND recipient_hash = $2",
        )
        .bind(owner.as_slice())
        .bind(recipient.as_slice())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| row.try_get("sealed_phone")).transpose()?)
    }

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

    async fn delete_pairing(&self, owner: &Digest, recipient: &Digest) -> StoreResult<bool> {
        let done =
            sqlx::query("DELETE FROM pairings WHERE owner_hash = $1 AND recipient_hash = $2")
                .bind(owner.as_slice())
                .bind(recipient.as_slice())
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn get_settings(&self, owner: &Digest) -> StoreResult<Option<SettingsRecord>> {
        let row =
            sqlx::query("SELECT language, send_delay_seconds FROM settings WHERE owner_hash = $1")
                .bind(owner.as_slice())
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SettingsRecord {
            language: row.try_get("language")?,
            send_delay_seconds: row.try_get("send_delay_seconds")?,
        }))
    }

    async fn put_settings(
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn load_directory(&self) -> StoreResult<Option<DirectorySnapshot>> {
        let row = sqlx::query(
            "SELECT json, etag, last_modified, loaded_at FROM directory_snapshot WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(DirectorySnapshot {
            json: row.try_get("json")?,
            etag: row.try_get("etag")?,
            last_modified: row.try_get("last_modified")?,
            loaded_at: row.try_get("loaded_at")?,
        }))
    }

    async fn save_directory(&self, snapshot: &DirectorySnapshot) -> StoreResult<()> {
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

shared::shared_stores!(PostgresStore);
