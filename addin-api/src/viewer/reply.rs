//! Answering from the Viewer (SPEC §14): to the sender only, text and attachments (at most
//! 20 MiB together, none of SPEC §5.5's blocked types), delivered to the sender's mailbox
//! through the next hop.
//!
//! At most two replies per cycle. A cycle is one Viewer message: when the sender answers in
//! the same thread (In-Reply-To / References, which a reply from Outlook carries), that
//! answer is a new Viewer message with two replies of its own.

use addin_core::attachment::{TOTAL_SIZE_LIMIT, is_blocked};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};

use super::{access::Opened, read::Readable};
use crate::{Error, app::App, i18n::Texts, mailer::message_id};

/// Replies per recipient per message.
pub const MAX_REPLIES: i64 = 2;

/// What the recipient wrote.
#[derive(Debug, Default)]
pub struct ReplyDraft {
    pub text: String,
    /// `(file name, bytes)`.
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// Checks and sends a reply to `message`'s sender.
pub async fn send(
    app: &App,
    opened: &Opened,
    message: &Readable,
    reply: ReplyDraft,
) -> Result<(), Error> {
    let refuse = |code, message: &str| Error::Unprocessable {
        code,
        message: message.into(),
    };
    if reply.text.trim().is_empty() && reply.attachments.is_empty() {
        return Err(refuse(
            "reply-empty",
            "write a message or add an attachment",
        ));
    }
    if reply.attachments.iter().any(|(name, _)| is_blocked(name)) {
        return Err(refuse(
            "attachment-blocked-type",
            "this type of file cannot be sent",
        ));
    }
    let total: u64 = reply
        .attachments
        .iter()
        .map(|(_, bytes)| u64::try_from(bytes.len()).unwrap_or(u64::MAX))
        .sum();
    if total > TOTAL_SIZE_LIMIT {
        return Err(refuse(
            "attachments-too-large",
            "the attachments are larger than 20 MB together",
        ));
    }
    if !app
        .store
        .count_reply(&opened.link_hash, MAX_REPLIES)
        .await?
    {
        return Err(refuse(
            "replies-used",
            "both replies to this message have been sent",
        ));
    }

    let recipient = &opened.recipient.address;
    let texts = Texts(opened.language());
    let footer = texts.t_with(
        "reply-footer",
        &[
            ("recipient", recipient),
            ("reference", &opened.view.message.reference),
        ],
    );
    let mut body = MultiPart::mixed().singlepart(SinglePart::plain(format!(
        "{}\r\n\r\n-- \r\n{footer}\r\n",
        reply.text.trim_end()
    )));
    for (name, bytes) in reply.attachments {
        body = body.singlepart(
            Attachment::new(name).body(
                bytes,
                ContentType::parse("application/octet-stream")
                    .map_err(|_| Error::internal("a content type does not parse"))?,
            ),
        );
    }
    let from = Mailbox::new(
        Some(format!("{recipient} via Send Secure")),
        app.mail_from.email.clone(),
    );
    let invalid = |_| Error::internal("an address of a reply does not parse");
    let mut builder = lettre::Message::builder()
        .message_id(Some(message_id(&from)))
        .from(from)
        .reply_to(Mailbox::new(None, recipient.parse().map_err(invalid)?))
        .to(Mailbox::new(
            None,
            opened.dispatch.sender.parse().map_err(invalid)?,
        ))
        .subject(reply_subject(&message.subject));
    if let Some(original) = &message.message_id {
        let mut references = message.references.clone();
        references.push(original.clone());
        builder = builder.in_reply_to(format!("<{original}>")).references(
            references
                .iter()
                .map(|id| format!("<{id}>"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    let mail = builder
        .multipart(body)
        .map_err(|error| Error::internal_from("cannot compose a reply", error))?;
    app.next_hop
        .send(mail.envelope(), &mail.formatted())
        .await
        .map_err(|error| {
            tracing::warn!(%error, "a Viewer reply could not be handed over");
            Error::Unavailable("the reply could not be sent; try again in a moment".into())
        })?;
    app.audit
        .viewer_event(&opened.view.message, "viewer-replied", None)
        .await
}

/// `Re: subject`, without stacking `Re:`s.
fn reply_subject(subject: &str) -> String {
    let subject = subject.trim();
    if subject
        .get(..3)
        .is_some_and(|lead| lead.eq_ignore_ascii_case("re:"))
    {
        subject.to_owned()
    } else {
        format!("Re: {subject}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_re_once() {
        assert_eq!(reply_subject("Uitslag"), "Re: Uitslag");
        assert_eq!(reply_subject("RE: Uitslag"), "RE: Uitslag");
        assert_eq!(reply_subject(" re: x "), "re: x");
        assert_eq!(
            reply_subject("éé"),
            "Re: éé",
            "no slicing inside a character"
        );
    }
}
