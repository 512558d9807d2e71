//! Withdrawing a Viewer message (SPEC §14): the sender's confirmation link (after a
//! confirmation page), or an admin with the kenmerk (`sendsecure viewer withdraw`). Content
//! and key are deleted at once; every link then shows the page for messages that are not
//! available. The audit record stays.

use super::secrets;
use crate::{
    Error,
    app::App,
    audit::Audit,
    clock::Clock,
    store::{Store, ViewerMessageState},
};

/// The message the withdraw link's `secret` is for, while it can still be withdrawn.
pub async fn find(app: &App, secret: &str) -> Result<ViewerMessageState, Error> {
    app.store
        .find_message_by_withdraw_hash(&secrets::secret_hash(secret))
        .await?
        .filter(|message| message.readable(app.clock.unix_now()))
        .ok_or(Error::NotAvailable)
}

/// Withdraws `message`; `false` when it was withdrawn or expired already.
pub async fn withdraw(
    store: &dyn Store,
    audit: &Audit,
    clock: &dyn Clock,
    message: &ViewerMessageState,
) -> Result<bool, Error> {
    let done = store
        .withdraw_message(&message.id, clock.unix_now())
        .await?;
    if done {
        audit
            .viewer_event(message, "viewer-withdrawn", None)
            .await?;
    }
    Ok(done)
}

/// Withdraws the message with this kenmerk (as the sender's confirmation writes it).
pub async fn withdraw_by_reference(
    store: &dyn Store,
    audit: &Audit,
    clock: &dyn Clock,
    reference: &str,
) -> Result<bool, Error> {
    let reference = reference.trim().to_uppercase();
    let message = store
        .find_message_by_reference(&reference)
        .await?
        .ok_or(Error::NotAvailable)?;
    withdraw(store, audit, clock, &message).await
}
