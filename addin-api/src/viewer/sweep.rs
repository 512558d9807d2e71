//! Retention (SPEC §14): after `viewer.retention` a message's content and key are deleted;
//! the row stays, so its links show the not-available page and the audit trail keeps its
//! kenmerk. `serve` sweeps every ten minutes ([`crate::retention`]), in batches, each message
//! cleared by exactly one instance when several share a database.

use crate::{Error, app::App, viewer::access::SESSION_IDLE};

/// Messages cleared per statement: short transactions beside the relay's writes.
const BATCH: i64 = 500;

/// Clears every message whose retention has ended; returns how many.
pub async fn sweep(app: &App) -> Result<usize, Error> {
    let now = app.clock.unix_now();
    let idle = i64::try_from(SESSION_IDLE.as_secs()).unwrap_or(i64::MAX);
    let mut cleared = 0;
    loop {
        let batch = app.store.sweep_viewer(now, now - idle, BATCH).await?;
        for message in &batch {
            app.audit
                .viewer_event(message, "viewer-expired", None)
                .await?;
        }
        cleared += batch.len();
        if batch.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(cleared);
        }
    }
}
