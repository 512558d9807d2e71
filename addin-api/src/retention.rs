//! What `serve` deletes when its time is up, every ten minutes: Viewer messages past
//! `viewer.retention` ([`crate::viewer::sweep`]) and audit records past `audit.retention`
//! ([`crate::audit::Audit::prune`]). Each runs in short transactions beside the live work;
//! several instances sharing a database may all run it.

use std::{sync::Arc, time::Duration};

use crate::{app::App, viewer};

/// How often `serve` deletes.
pub const EVERY: Duration = Duration::from_secs(10 * 60);

/// Deletes now and then every [`EVERY`], until the task is aborted.
pub fn spawn(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match viewer::sweep::sweep(&app).await {
                Ok(0) => {}
                Ok(cleared) => {
                    tracing::info!(cleared, "Viewer messages past their retention were deleted")
                }
                Err(error) => {
                    tracing::warn!(%error, "the Viewer's retention sweep failed; it runs again later")
                }
            }
            match app.audit.prune(app.policy.audit.retention.duration()).await {
                Ok(0) => {}
                Ok(pruned) => {
                    tracing::info!(pruned, "audit records past audit.retention were deleted")
                }
                Err(error) => {
                    tracing::warn!(%error, "pruning the audit trail failed; it runs again later")
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    })
}
