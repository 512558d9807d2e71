//! The migrations, compiled in so the binary migrates from any working directory.
//! (`sqlx::migrate!` would do this, but needs sqlx's `macros` feature, which we leave off.)
//! Version and description follow the file name, as sqlx's own file source does; a test
//! checks the tables below against the files.

use std::pin::Pin;

use sqlx::{
    error::BoxDynError,
    migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator},
};

/// One migration: version, description, SQL.
type Step = (i64, &'static str, &'static str);

pub(super) const SQLITE: &[Step] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "sign in codes",
        include_str!("../../migrations/sqlite/0002_sign_in_codes.sql"),
    ),
    (
        3,
        "secure route",
        include_str!("../../migrations/sqlite/0003_secure_route.sql"),
    ),
    (
        4,
        "viewer access",
        include_str!("../../migrations/sqlite/0004_viewer_access.sql"),
    ),
    (
        5,
        "viewer contents",
        include_str!("../../migrations/sqlite/0005_viewer_contents.sql"),
    ),
    (
        6,
        "wrong number reports",
        include_str!("../../migrations/sqlite/0006_wrong_number_reports.sql"),
    ),
    (
        7,
        "sign in per device",
        include_str!("../../migrations/sqlite/0007_sign_in_per_device.sql"),
    ),
    (
        8,
        "session identity",
        include_str!("../../migrations/sqlite/0008_session_identity.sql"),
    ),
    (
        9,
        "audit chain",
        include_str!("../../migrations/sqlite/0009_audit_chain.sql"),
    ),
    (
        10,
        "index key",
        include_str!("../../migrations/sqlite/0010_index_key.sql"),
    ),
];

pub(super) const POSTGRES: &[Step] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "sign in codes",
        include_str!("../../migrations/postgres/0002_sign_in_codes.sql"),
    ),
    (
        3,
        "secure route",
        include_str!("../../migrations/postgres/0003_secure_route.sql"),
    ),
    (
        4,
        "viewer access",
        include_str!("../../migrations/postgres/0004_viewer_access.sql"),
    ),
    (
        5,
        "viewer contents",
        include_str!("../../migrations/postgres/0005_viewer_contents.sql"),
    ),
    (
        6,
        "wrong number reports",
        include_str!("../../migrations/postgres/0006_wrong_number_reports.sql"),
    ),
    (
        7,
        "sign in per device",
        include_str!("../../migrations/postgres/0007_sign_in_per_device.sql"),
    ),
    (
        8,
        "session identity",
        include_str!("../../migrations/postgres/0008_session_identity.sql"),
    ),
    (
        9,
        "audit chain",
        include_str!("../../migrations/postgres/0009_audit_chain.sql"),
    ),
    (
        10,
        "index key",
        include_str!("../../migrations/postgres/0010_index_key.sql"),
    ),
];

pub(super) async fn migrator(steps: &'static [Step]) -> Result<Migrator, MigrateError> {
    Migrator::new(Embedded(steps)).await
}

#[derive(Debug)]
struct Embedded(&'static [Step]);

type Resolved = Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>>;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Resolved {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sql.into(),
                    false,
                )
            })
            .collect();
        Box::pin(async { Ok(migrations) })
    }
}
