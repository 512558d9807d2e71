//! The check as the API runs it: SPEC §5 on the draft, with the user's saved phone numbers
//! filled in for Viewer recipients the draft gives no number for (SPEC §6).

use addin_core::{
    address::Address,
    draft::Draft,
    verdict::{PhoneStatus, Route, Verdict},
};

use crate::{
    Error, app::App, coverage, dispatch::Dispatch, send_token::IssuedSendToken, sessions::Session,
};

pub async fn check_draft(app: &App, session: &Session, mut draft: Draft) -> Result<Verdict, Error> {
    let loaded = app.directory.current();
    let directory = loaded.as_deref().map(|l| &l.directory);
    let verdict = addin_core::check(&draft, &app.policy, directory);

    let missing: Vec<Address> = verdict
        .recipients
        .iter()
        .filter(|r| r.route == Route::Viewer && r.phone == PhoneStatus::Missing)
        .filter_map(|r| Address::parse(&r.address).ok())
        .collect();
    if missing.is_empty() {
        return Ok(verdict);
    }
    let saved = app.pairings.get_many(&session.owner_hash, &missing).await?;
    if saved.is_empty() {
        return Ok(verdict);
    }
    for (address, phone) in saved {
        draft.phones.insert(address.as_str().to_owned(), phone);
    }
    Ok(addin_core::check(&draft, &app.policy, directory))
}

/// A send token for a draft that may go out securely (SPEC §7), its dispatch stored for the
/// relay and the issue recorded in the audit log; refused with the verdict otherwise.
pub async fn issue_send_token(
    app: &App,
    session: &Session,
    draft: Draft,
) -> Result<IssuedSendToken, Error> {
    // The token is the relay's proof of who sent what (NTA 7516 non-repudiation): it may only
    // name the mailbox this session proved ownership of. A shared mailbox signs in on its own.
    if Address::parse(&draft.sender).as_ref() != Ok(&session.mailbox) {
        return Err(Error::Forbidden {
            code: "sender-not-signed-in",
            message: "the draft's sender is not the mailbox this session signed in with; sign in with that mailbox".into(),
        });
    }
    let verdict = check_draft(app, session, draft).await?;
    if !verdict.can_send_secure {
        return Err(Error::CannotSendSecure(Box::new(verdict)));
    }
    let issued = app
        .signer
        .issue(coverage::digest(&session.device, &verdict), app.clock.now())?;
    app.dispatches
        .record(&issued, &session.owner_hash, &Dispatch::of(&verdict))
        .await?;
    app.audit
        .send_token_issued(&session.mailbox_hash, &verdict, &issued)
        .await?;
    Ok(issued)
}
