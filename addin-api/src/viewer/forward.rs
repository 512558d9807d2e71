//! Forwarding from the Viewer (SPEC §14): with the kenmerk and the forwarding password that
//! the sender shared, to one recipient at a time, at most twice per message. The new
//! recipient is checked like any recipient (SPEC §5): one in the domain book, or of the
//! sender's own organisation, gets the message directly through the next hop; anyone else
//! gets it as a new Viewer message, with a number where the installation type needs one. The
//! sender is told of every forward.

use std::collections::BTreeMap;

use addin_core::{
    api::Language,
    draft::{Draft, DraftRecipient, Field},
    finding::FindingCode,
    verdict::{PhoneStatus, Route},
};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};

use super::{
    ViewerRecipient,
    access::Opened,
    mails::{self, ForwardNotice, Notification},
    read::{self, Readable},
};
use crate::{
    Error,
    app::App,
    dispatch::{Dispatch, DispatchRecipient},
    i18n::Texts,
    mailer::message_id,
    sessions::constant_time_eq,
};

/// Forwards per message.
pub const MAX_FORWARDS: i64 = 2;
/// Wrong kenmerk or password tries per recipient, after which forwarding is closed.
const MAX_FAILURES: i64 = 10;

/// What the recipient filled in.
#[derive(Debug, Default)]
pub struct ForwardRequest {
    pub reference: String,
    pub password: String,
    pub to: String,
    pub phone: Option<String>,
}

/// How the forward went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forwarded {
    /// Through the next hop, to someone in the domain book or the own organisation.
    Direct,
    /// As a new Viewer message.
    Viewer,
}

pub async fn forward(
    app: &App,
    opened: &Opened,
    message: &Readable,
    request: ForwardRequest,
) -> Result<Forwarded, Error> {
    let refuse = |code, message: &str| Error::Unprocessable {
        code,
        message: message.into(),
    };
    if opened.view.forward_failures >= MAX_FAILURES {
        return Err(Error::Forbidden {
            code: "forward-closed",
            message: "too many wrong kenmerken or passwords: forwarding is closed".into(),
        });
    }
    let normal = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase()
    };
    let key = read::message_key(app, opened).await?;
    let right = constant_time_eq(
        normal(&request.reference).as_bytes(),
        opened.view.message.reference.as_bytes(),
    ) & constant_time_eq(
        normal(&request.password).as_bytes(),
        key.forwarding_password().as_bytes(),
    );
    if !right {
        app.store.count_forward_failure(&opened.link_hash).await?;
        return Err(Error::Forbidden {
            code: "forward-credentials",
            message: "the kenmerk or the forwarding password is not right".into(),
        });
    }

    // The new recipient, checked as the panel would check them.
    let draft = Draft {
        sender: opened.dispatch.sender.clone(),
        to: vec![DraftRecipient {
            address: request.to.clone(),
            ..DraftRecipient::default()
        }],
        subject: message.subject.clone(),
        phones: request
            .phone
            .iter()
            .filter(|phone| !phone.trim().is_empty())
            .map(|phone| (request.to.clone(), phone.clone()))
            .collect::<BTreeMap<_, _>>(),
        ..Draft::default()
    };
    let loaded = app.directory.current();
    let verdict = addin_core::check(
        &draft,
        &app.policy,
        loaded.as_deref().map(|loaded| &loaded.directory),
    );
    let has = |code| verdict.findings.iter().any(|finding| finding.code == code);
    if has(FindingCode::DirectoryUnavailable) {
        return Err(Error::Unavailable(
            "the domain book is not available; try again later".into(),
        ));
    }
    let Some(target) = verdict.recipients.first() else {
        return Err(refuse(
            "recipient-missing",
            "give the address to forward to",
        ));
    };
    match target.route {
        Route::Invalid => {
            return Err(refuse(
                FindingCode::RecipientInvalid.as_str(),
                "not a valid e-mail address",
            ));
        }
        Route::Blocked => {
            return Err(refuse(
                FindingCode::RecipientNotAllowed.as_str(),
                "this address cannot be reached securely",
            ));
        }
        _ => {}
    }
    if has(FindingCode::PhoneInvalid) {
        return Err(refuse(
            FindingCode::PhoneInvalid.as_str(),
            "the mobile number is not valid",
        ));
    }
    if has(FindingCode::PhoneRequired) {
        return Err(refuse(
            FindingCode::PhoneRequired.as_str(),
            "a mobile number is needed for the access code",
        ));
    }
    if !app
        .store
        .count_forward(&opened.view.message.id, MAX_FORWARDS)
        .await?
    {
        return Err(refuse(
            "forwards-used",
            "this message has been forwarded twice already",
        ));
    }

    // Only now the whole message: a wrong password costs a query, not a 20 MB decryption.
    let (raw, _) = read::raw_message(app, opened).await?;
    let raw = raw.as_slice();
    let forwarded = if target.route.is_direct() {
        forward_directly(app, opened, raw, message, &target.address).await?;
        Forwarded::Direct
    } else {
        let phone = target
            .phone_number
            .clone()
            .filter(|_| target.phone == PhoneStatus::Given);
        forward_to_viewer(app, opened, raw, message, &target.address, phone).await?;
        Forwarded::Viewer
    };
    notify_sender(app, opened, message, &target.address).await?;
    app.audit
        .viewer_event(
            &opened.view.message,
            "viewer-forwarded",
            Some(match forwarded {
                Forwarded::Direct => "direct",
                Forwarded::Viewer => "viewer",
            }),
        )
        .await?;
    Ok(forwarded)
}

/// The original message, attached to a short note, through the next hop.
async fn forward_directly(
    app: &App,
    opened: &Opened,
    raw: &[u8],
    message: &Readable,
    to: &str,
) -> Result<(), Error> {
    let texts = Texts(opened.language());
    let forwarder = &opened.recipient.address;
    let note = texts.t_with(
        "forward-note",
        &[
            ("forwarder", forwarder),
            ("sender", &sender_label(message)),
            ("reference", &opened.view.message.reference),
        ],
    );
    let from = Mailbox::new(
        Some(format!("{forwarder} via Send Secure")),
        app.mail_from.email.clone(),
    );
    let invalid = |_| Error::internal("an address of a forward does not parse");
    let mail = lettre::Message::builder()
        .message_id(Some(message_id(&from)))
        .from(from)
        .to(Mailbox::new(None, to.parse().map_err(invalid)?))
        .subject(format!("Fwd: {}", message.subject.trim()))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(format!("{note}\r\n")))
                .singlepart(
                    Attachment::new("bericht.eml".into()).body(
                        raw.to_vec(),
                        ContentType::parse("message/rfc822")
                            .map_err(|_| Error::internal("a content type does not parse"))?,
                    ),
                ),
        )
        .map_err(|error| Error::internal_from("cannot compose a forward", error))?;
    hand_over(app, &mail).await
}

/// The original message as a new Viewer message for `to`, and its notification.
async fn forward_to_viewer(
    app: &App,
    opened: &Opened,
    raw: &[u8],
    message: &Readable,
    to: &str,
    phone: Option<String>,
) -> Result<(), Error> {
    let language = opened.language();
    let owner = opened.view.message.owner_hash;
    let dispatch = Dispatch {
        sender: opened.dispatch.sender.clone(),
        signed_in: opened.dispatch.signed_in.clone(),
        recipients: vec![DispatchRecipient {
            address: to.to_owned(),
            field: Field::To,
            route: Route::Viewer,
            phone: phone.clone(),
        }],
        attachments: opened.dispatch.attachments,
        english: language == Language::En,
    };
    let token_id = app.dispatches.record_forward(&owner, &dispatch).await?;
    let stored = app
        .viewer
        .intake
        .store(
            &token_id,
            &owner,
            raw,
            &[ViewerRecipient {
                address: to.to_owned(),
                phone: phone.clone(),
                language,
                sender_name: message.from_name.clone(),
            }],
        )
        .await?;
    let organisation = opened.organisation(app);
    let sender = sender_label(message);
    let link = format!("{}/viewer/{}", app.base_url, stored.link_secrets[0]);
    let notice = mails::notification(
        &app.mail_from,
        to,
        &Notification {
            language,
            sender_name: &sender,
            organisation: &organisation,
            link: &link,
            by_sms: phone.is_some(),
            readable_until: stored.expires_at,
            subject: app
                .policy
                .viewer
                .notification_subject
                .then_some(message.subject.as_str()),
            forwarded_by: Some(&opened.recipient.address),
        },
    )?;
    hand_over(app, &notice).await
}

/// The sender hears who forwarded their message to whom.
async fn notify_sender(
    app: &App,
    opened: &Opened,
    message: &Readable,
    to: &str,
) -> Result<(), Error> {
    let preferences = app.preferences.get(&opened.view.message.owner_hash).await?;
    let notice = mails::forward_notice(
        &app.mail_from,
        &opened.dispatch.sender,
        &ForwardNotice {
            language: preferences.language.unwrap_or(Language::Nl),
            subject: &message.subject,
            reference: &opened.view.message.reference,
            forwarder: &opened.recipient.address,
            to,
        },
    )?;
    hand_over(app, &notice).await
}

async fn hand_over(app: &App, mail: &lettre::Message) -> Result<(), Error> {
    app.next_hop
        .send(mail.envelope(), &mail.formatted())
        .await
        .map(|_| ())
        .map_err(|error| {
            tracing::warn!(%error, "a forward could not be handed over");
            Error::Unavailable("the message could not be forwarded; try again in a moment".into())
        })
}

/// "A. Jansen" or the address, as the original's From gives it.
fn sender_label(message: &Readable) -> String {
    message
        .from_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| message.from_address.clone())
}
