//! The sign-in code e-mail (SPEC §8): composed in Dutch, English or German (the words are in
//! `i18n/*.ftl`) as plain text with an HTML alternative, and handed to the organisation's SMTP
//! server (`smtp.url`) or, with none configured, written to `<data dir>/outbox/` as an `.eml`
//! file (the development default); both through [`crate::outgoing_mail`].
//!
//! Nothing here logs, or puts in an error, the recipient's address or the code.

use std::{fmt, path::Path, path::PathBuf, sync::Arc};

use addin_core::{address::Address, api::Language};
use async_trait::async_trait;
use lettre::{
    Message,
    message::{Mailbox, MultiPart},
};
use rand::Rng;
use url::Url;

pub use crate::outgoing_mail::Delivery;
use crate::{
    Error,
    i18n::Texts,
    outgoing_mail::{Outbox, SendFailure, Transport},
};

/// A sign-in code e-mail, before it is composed.
pub struct CodeMail {
    pub to: Address,
    pub code: String,
    pub language: Language,
    /// How long the code is valid, as the e-mail tells the reader.
    pub valid_minutes: u64,
}

/// Shows neither the address nor the code.
impl fmt::Debug for CodeMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeMail")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the e-mail cannot be composed: the mail library does not accept the address")]
    Compose,
    #[error(transparent)]
    Send(#[from] SendFailure),
}

/// Sends sign-in code e-mails; the sign-in code does not care how.
#[async_trait]
pub trait Mailer: Send + Sync + fmt::Debug {
    async fn send(&self, mail: &CodeMail) -> Result<Delivery, MailError>;
}

/// The mailer the configuration asks for: SMTP to `smtp_url`, or the outbox in `outbox_dir`
/// when there is none. `extra_roots` (PEM) are trusted for the SMTP server's certificate
/// beside the public roots.
pub fn from_config(
    smtp_url: Option<&str>,
    from: Mailbox,
    extra_roots: Option<&Path>,
    outbox_dir: PathBuf,
) -> Result<Arc<dyn Mailer>, Error> {
    let outbox = Outbox {
        dir: outbox_dir,
        prefix: "sign-in",
        with_envelope: false,
    };
    let transport = Transport::from_config(smtp_url, "smtp.url", extra_roots, outbox.clone())?;
    if let Transport::Outbox(_) = transport {
        tracing::warn!(
            outbox = %outbox.dir.display(),
            "smtp.url is not set: sign-in e-mails are written to the outbox, not sent (development only)"
        );
    }
    Ok(Arc::new(CodeMailer { transport, from }))
}

/// The From of the e-mails the server writes itself (sign-in codes, Viewer notifications):
/// `--mail-from`, or else `Send Secure <no-reply@HOST>` for the public URL's host, which is
/// the server's own name and usually in the organisation's domain.
pub fn sender(mail_from: Option<&str>, public_url: &Url) -> Result<Mailbox, Error> {
    let text = match mail_from.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => text.to_owned(),
        None => format!(
            "Send Secure <no-reply@{}>",
            public_url.host_str().unwrap_or("localhost")
        ),
    };
    text.parse().map_err(|_| Error::InvalidConfig {
        key: "mail_from",
        problem: "must be an address, optionally with a name: Send Secure <no-reply@example.nl>"
            .into(),
    })
}

/// Composes code e-mails and hands them to its transport.
#[derive(Debug)]
pub struct CodeMailer {
    transport: Transport,
    from: Mailbox,
}

#[async_trait]
impl Mailer for CodeMailer {
    async fn send(&self, mail: &CodeMail) -> Result<Delivery, MailError> {
        let message = compose(&self.from, mail)?;
        Ok(self
            .transport
            .send(message.envelope(), &message.formatted())
            .await?)
    }
}

// ---- The message ---------------------------------------------------------------------------

/// The e-mail as plain text with an HTML alternative.
pub fn compose(from: &Mailbox, mail: &CodeMail) -> Result<Message, MailError> {
    // The words are in `i18n/*.ftl`; the code is called what the panel and the manual call it
    // (seed 002: "autorisatiecode"), so the user matches the e-mail to the field it goes in.
    let texts = Texts(mail.language);
    let subject = texts.t("sign-in-mail-subject");
    let lead = texts.t("sign-in-mail-lead");
    let minutes = mail.valid_minutes.to_string();
    let validity = texts.t_with("sign-in-mail-validity", &[("minutes", &minutes)]);
    let not_you = texts.t("sign-in-mail-not-you");
    let to: lettre::Address = mail.to.as_str().parse().map_err(|_| MailError::Compose)?;
    let plain = format!(
        "{lead}\r\n\r\n    {code}\r\n\r\n{validity}\r\n\r\n{not_you}\r\n",
        code = mail.code,
    );
    let html = format!(
        "<!DOCTYPE html>\r\n\
         <html lang=\"{lang}\">\r\n\
         <head><meta charset=\"utf-8\"><title>{subject}</title></head>\r\n\
         <body style=\"font-family: 'Segoe UI', Arial, sans-serif; font-size: 15px; color: #1b1b1b\">\r\n\
         <p>{lead}</p>\r\n\
         <p style=\"font-family: Consolas, 'Courier New', monospace; font-size: 28px; \
         font-weight: 600; letter-spacing: 4px\">{code}</p>\r\n\
         <p>{validity}</p>\r\n\
         <p style=\"color: #555555\">{not_you}</p>\r\n\
         </body>\r\n\
         </html>\r\n",
        lang = mail.language.code(),
        subject = escape_html(&subject),
        lead = escape_html(&lead),
        code = escape_html(&mail.code),
        validity = escape_html(&validity),
        not_you = escape_html(&not_you),
    );
    Message::builder()
        .message_id(Some(message_id(from)))
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(plain, html))
        .map_err(|_| MailError::Compose)
}

/// A new Message-ID in the sender's domain: the server's host name may be an internal one.
pub(crate) fn message_id(from: &Mailbox) -> String {
    format!(
        "<{:032x}@{}>",
        rand::rngs::OsRng.r#gen::<u128>(),
        from.email.domain()
    )
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(language: Language) -> CodeMail {
        CodeMail {
            to: Address::parse("a.jansen@huisartsen-oost.nl").expect("valid"),
            code: "01234567".into(),
            language,
            valid_minutes: 15,
        }
    }

    fn from() -> Mailbox {
        "Send Secure <no-reply@sendsecure.huisartsen-oost.nl>"
            .parse()
            .expect("valid")
    }

    /// The message as a mail client reads it.
    fn read(message: &Message) -> mail_parser::Message<'static> {
        mail_parser::MessageParser::default()
            .parse(&message.formatted())
            .expect("a parsable message")
            .into_owned()
    }

    #[test]
    fn the_message_has_a_text_and_an_html_part_in_the_asked_language() {
        for (language, subject, validity) in [
            (
                Language::Nl,
                "Uw autorisatiecode voor Send Secure",
                "De code is 15 minuten geldig en werkt één keer.",
            ),
            (
                Language::En,
                "Your Send Secure authorisation code",
                "The code is valid for 15 minutes and works once.",
            ),
            (
                Language::De,
                "Ihr Autorisierungscode für Send Secure",
                "Der Code ist 15 Minuten gültig und funktioniert nur einmal.",
            ),
        ] {
            let message = read(&compose(&from(), &mail(language)).expect("composes"));

            assert_eq!(message.subject(), Some(subject));
            assert_eq!(
                (message.text_body_count(), message.html_body_count()),
                (1, 1)
            );
            let text = message.body_text(0).expect("a text part");
            let html = message.body_html(0).expect("an HTML part");
            assert!(text.contains("    01234567\r\n"), "{text}");
            assert!(text.contains(validity), "{text}");
            assert!(html.contains(">01234567</p>"), "{html}");
            assert!(html.contains(validity), "{html}");
            assert!(
                html.contains(&format!("<html lang=\"{}\">", language.code())),
                "{html}"
            );
        }
    }

    #[test]
    fn the_message_goes_from_the_sender_to_the_mailbox() {
        let message = read(&compose(&from(), &mail(Language::Nl)).expect("composes"));
        let address = |list: Option<&mail_parser::Address>| {
            list.and_then(|list| list.first())
                .and_then(|one| one.address())
                .map(str::to_owned)
        };
        assert_eq!(
            address(message.to()).as_deref(),
            Some("a.jansen@huisartsen-oost.nl")
        );
        assert_eq!(
            address(message.from()).as_deref(),
            Some("no-reply@sendsecure.huisartsen-oost.nl")
        );
        assert!(message.message_id().is_some() && message.date().is_some());
    }

    #[test]
    fn the_from_address_is_configurable_or_derived_from_the_public_url() {
        let public = Url::parse("https://sendsecure.huisartsen-oost.nl").expect("valid");
        assert_eq!(
            sender(None, &public).expect("derived").to_string(),
            "Send Secure <no-reply@sendsecure.huisartsen-oost.nl>"
        );
        assert_eq!(
            sender(Some("Praktijk <balie@huisartsen-oost.nl>"), &public)
                .expect("given")
                .to_string(),
            "Praktijk <balie@huisartsen-oost.nl>"
        );
        assert!(matches!(
            sender(Some("not an address"), &public),
            Err(Error::InvalidConfig {
                key: "mail_from",
                ..
            })
        ));
    }

    #[test]
    fn debug_shows_neither_address_nor_code() {
        let shown = format!("{:?}", mail(Language::Nl));
        assert!(
            !shown.contains("jansen") && !shown.contains("01234567"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn the_outbox_gets_a_private_eml_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outbox =
            from_config(None, from(), None, dir.path().join("outbox")).expect("an outbox mailer");
        let Delivery::Outbox(path) = outbox.send(&mail(Language::De)).await.expect("written")
        else {
            panic!("the outbox writes files");
        };
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some("eml"));
        assert!(path.starts_with(dir.path().join("outbox")));
        let files = std::fs::read_dir(dir.path().join("outbox"))
            .expect("the outbox")
            .count();
        assert_eq!(files, 1, "no partial file is left behind");
        let eml = std::fs::read(&path).expect("readable");
        let message = mail_parser::MessageParser::default()
            .parse(&eml)
            .expect("a parsable message");
        assert!(message.body_text(0).expect("text").contains("01234567"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
