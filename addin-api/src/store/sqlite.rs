//! The SQLite store: one instance serving a practice (SPEC §11). WAL lets requests read while
//! one writes; the busy timeout makes a second writer wait its turn instead of failing.
//!
//! Its queries are the shared ones ([`super::shared`]) but for [`PairingLookup`], which binds
//! the recipients in batches under SQLite's limit on parameters.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{Digest, PairingLookup, StoreResult, migrations, rows, shared};

/// How long a writer waits for another one to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a request waits for a free connection before it fails, rather than hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite serialises writers anyway; a few connections let reads run beside the one write.
const MAX_CONNECTIONS: u32 = 4;

/// Recipients looked up per statement in `get_pairings`: each is one bound parameter, and SQLite
/// caps those per statement (999 before SQLite 3.32).
const RECIPIENTS_PER_QUERY: usize = 900;

pub struct SqliteStore {
    pool: SqlitePool,
    /// The database file, or `:memory:`; shown by `Debug`.
    path: PathBuf,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database file, creating it if missing, and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL skips the fsync on every commit: a commit still survives a
            // crash of the process, a power cut may lose the last ones, the file stays sound.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        Self::migrated(pool, path.to_owned()).await
    }

    /// A private database in memory, for tests.
    pub async fn in_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .foreign_keys(true);
        // Every connection to `:memory:` is a database of its own, so the pool holds exactly one
        // connection and never lets it lapse: closing it would drop the data.
        let pool = SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        Self::migrated(pool, PathBuf::from(":memory:")).await
    }

    async fn migrated(pool: SqlitePool, path: PathBuf) -> StoreResult<Self> {
        migrations::migrator(migrations::SQLITE)
            .await?
            .run(&pool)
            .await?;
        Ok(Self { pool, path })
    }

    /// The pool, for tests that read rows back with plain SQL.
    #[cfg(test)]
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl PairingLookup for SqliteStore {
    async fn get_pairings(
        &self,
        owner: &Digest,
        recipients: &[Digest],
    ) -> StoreResult<Vec<(Digest, Vec<u8>)>> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        // Sorted and without repeats, so a recipient listed twice is not found once per batch,
        // and the batches' results come out in the same order as PostgreSQL's.
        let mut wanted = recipients.to_vec();
        wanted.sort_unstable();
        wanted.dedup();

        // One read transaction: all batches see the same state.
        let mut tx = self.pool.begin().await?;
        let mut found = Vec::new();
        for batch in wanted.chunks(RECIPIENTS_PER_QUERY) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "SELECT recipient_hash, sealed_phone FROM pairings WHERE owner_hash = ",
            );
            query
                .push_bind(owner.as_slice())
                .push(" AND recipient_hash IN (");
            let mut list = query.separated(", ");
            for recipient in batch {
                list.push_bind(recipient.as_slice());
            }
            query.push(") ORDER BY recipient_hash");
            for row in query.build().fetch_all(&mut *tx).await? {
                found.push((
                    rows::digest(&row, "recipient_hash")?,
                    row.try_get("sealed_phone")?,
                ));
            }
        }
        tx.commit().await?;
        Ok(found)
    }
}

shared::shared_stores!(SqliteStore);
