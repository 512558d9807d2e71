//! The check as the API runs it: SPEC §5 on the draft, with the user's saved phone numbers
//! filled in for Viewer recipients the draft gives no number for (SPEC §6). A draft that names
//! a recipient in `phones` with an empty number means "none": the user cleared the field or
//! forgot the saved number, which must not come back into the check or the token.

use addin_core::{
    address::Address,
    draft::Draft,
    policy::Policy,
    verdict::{PhoneStatus, Route, Verdict},
};

use crate::{
    Error, app::App, coverage, dispatch::Dispatch, send_token::IssuedSendToken, sessions::Session,
};

pub async fn check_draft(app: &App, session: &Session, mut draft: Draft) -> Result<Verdict, Error> {
    let loaded = app.directory.current();
    let directory = loaded.as_deref().map(|l| &l.directory);
    let verdict = addin_core::check(&draft, &app.policy, directory);

    let cleared: Vec<Address> = draft
        .phones
        .keys()
        .filter_map(|address| Address::parse(address).ok())
        .collect();
    let missing: Vec<Address> = verdict
        .recipients
        .iter()
        .filter(|r| r.route == Route::Viewer && r.phone == PhoneStatus::Missing)
        .filter_map(|r| Address::parse(&r.address).ok())
        .filter(|address| !cleared.contains(address))
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
    let sender = Address::parse(&draft.sender).ok();
    if !sender
        .as_ref()
        .is_some_and(|sender| may_send_as(&app.policy, &session.mailbox, sender))
    {
        return Err(Error::Forbidden {
            code: "sender-not-in-organisation",
            message: "the draft's sender is neither the signed-in mailbox nor another mailbox of the organisation".into(),
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
        .record(
            &issued,
            &session.owner_hash,
            &Dispatch::of(&verdict, &session.mailbox),
        )
        .await?;
    app.audit
        .send_token_issued(session, &verdict, &issued)
        .await?;
    Ok(issued)
}

/// Whether a user signed in as `signed_in` may check and send as `sender`: their own mailbox,
/// or another mailbox of the organisation — a shared or delegated one (seed 002 §2.3). That
/// the user holds Send As or Send on Behalf rights on it is Exchange's to enforce: the relay
/// takes mail only from Exchange, and only with the `From` the token was issued for. Without
/// `organisation.domains` (Entra ID may leave it unset) the organisation is the signed-in
/// mailbox's domain.
pub fn may_send_as(policy: &Policy, signed_in: &Address, sender: &Address) -> bool {
    if sender == signed_in {
        return true;
    }
    if policy.organisation.domains.is_empty() {
        sender.domain() == signed_in.domain()
    } else {
        policy.organisation.includes(sender) && policy.organisation.includes(signed_in)
    }
}

#[cfg(test)]
mod tests {
    use addin_core::address::Domain;

    use super::*;

    fn address(raw: &str) -> Address {
        Address::parse(raw).expect("an address")
    }

    fn policy(domains: &[&str]) -> Policy {
        let mut policy = Policy::default();
        policy.organisation.domains = domains
            .iter()
            .map(|domain| Domain::parse(domain).expect("a domain"))
            .collect();
        policy
    }

    #[test]
    fn a_user_sends_as_their_own_mailbox_and_the_organisations_shared_ones() {
        let policy = policy(&["huisartsen-oost.nl", "hao-zorg.nl"]);
        let user = address("a.jansen@huisartsen-oost.nl");
        assert!(may_send_as(&policy, &user, &user));
        assert!(may_send_as(
            &policy,
            &user,
            &address("praktijk@huisartsen-oost.nl")
        ));
        assert!(may_send_as(
            &policy,
            &user,
            &address("assistentie@hao-zorg.nl")
        ));
        assert!(!may_send_as(
            &policy,
            &user,
            &address("praktijk@ziekenhuis-west.nl")
        ));
        assert!(
            !may_send_as(
                &policy,
                &address("x@gmail.com"),
                &address("praktijk@huisartsen-oost.nl")
            ),
            "a mailbox outside the organisation speaks for none of it"
        );
    }

    #[test]
    fn without_organisation_domains_the_organisation_is_the_users_domain() {
        let policy = policy(&[]);
        let user = address("a.jansen@huisartsen-oost.nl");
        assert!(may_send_as(
            &policy,
            &user,
            &address("praktijk@huisartsen-oost.nl")
        ));
        assert!(!may_send_as(
            &policy,
            &user,
            &address("praktijk@ziekenhuis-west.nl")
        ));
    }
}
