//! The e-mails of the Viewer (SPEC §14): the notification each Viewer recipient gets ("…
//! sent you a secure message", a **Bericht lezen** link, no subject unless the organisation
//! allows it) and the delivery confirmation the sender gets (recipients, kenmerk, forwarding
//! password, retention date, withdraw link). Plain text with an HTML alternative; the words
//! come from [`crate::i18n`].

use crate::{
    Error,
    i18n::Texts,
    mailer::{escape_html, message_id},
};
use addin_core::api::Language;
use lettre::{
    Message,
    message::{Mailbox, MultiPart, header},
};

/// A notification, before it is composed.
#[derive(Debug)]
pub struct Notification<'a> {
    pub language: Language,
    /// The sender's name as the message's From gives it, else their address.
    pub sender_name: &'a str,
    pub organisation: &'a str,
    /// `{public-url}/viewer/{secret}`.
    pub link: &'a str,
    /// The access code goes by SMS (else by e-mail).
    pub by_sms: bool,
    /// Unix seconds: the last moment the message can be read.
    pub readable_until: i64,
    /// Shown only when the policy allows (`viewer.notification_subject`).
    pub subject: Option<&'a str>,
    /// Set when a recipient forwarded the message from the Viewer.
    pub forwarded_by: Option<&'a str>,
}

/// One Viewer recipient as the confirmation lists them.
#[derive(Debug)]
pub struct ConfirmedViewerRecipient<'a> {
    pub address: &'a str,
    /// The masked number the code goes to, or `None` for a code by e-mail.
    pub masked_phone: Option<String>,
}

/// A delivery confirmation, before it is composed.
#[derive(Debug)]
pub struct Confirmation<'a> {
    pub language: Language,
    pub subject: &'a str,
    pub viewer: Vec<ConfirmedViewerRecipient<'a>>,
    /// Recipients the relay handed to the next hop.
    pub direct: Vec<&'a str>,
    pub reference: &'a str,
    pub forwarding_password: &'a str,
    pub readable_until: i64,
    /// `{public-url}/viewer/withdraw/{secret}`.
    pub withdraw_link: &'a str,
}

/// The notification from `from` (with the sender's name shown) to `to`.
pub fn notification(from: &Mailbox, to: &str, notice: &Notification) -> Result<Message, Error> {
    let texts = Texts(notice.language);
    let sender = [("sender", notice.sender_name)];
    let subject = match notice.subject {
        Some(subject) => texts.t_with("notification-subject-with-subject", &[("subject", subject)]),
        None => texts.t_with("notification-subject", &sender),
    };
    let organisation = [("organisation", notice.organisation)];
    let lead = match notice.forwarded_by {
        None => texts.t_with(
            "notification-lead",
            &[
                ("sender", notice.sender_name),
                ("organisation", notice.organisation),
            ],
        ),
        Some(forwarder) => texts.t_with(
            "notification-lead-forwarded",
            &[
                ("forwarder", forwarder),
                ("sender", notice.sender_name),
                ("organisation", notice.organisation),
            ],
        ),
    };
    let read = texts.t("notification-read");
    let code = texts.t(if notice.by_sms {
        "notification-code-sms"
    } else {
        "notification-code-email"
    });
    let until = texts.t_with(
        "notification-until",
        &[("date", &texts.date(notice.readable_until))],
    );
    let no_reply = texts.t("notification-no-reply");
    let unexpected = texts.t_with("notification-unexpected", &organisation);

    let plain = lines(&[
        &lead,
        &format!("{read}: {}", notice.link),
        &format!("{code} {until}"),
        &no_reply,
        &unexpected,
    ]);
    let html = page(
        notice.language,
        &subject,
        &format!(
            "<p>{lead}</p>\r\n\
             <p><a href=\"{link}\" style=\"display: inline-block; padding: 10px 20px; \
             background: #0f6cbd; color: #ffffff; text-decoration: none; border-radius: 4px; \
             font-weight: 600\">{read}</a></p>\r\n\
             <p>{code} {until}</p>\r\n\
             <p style=\"color: #555555\">{no_reply}<br>{unexpected}</p>",
            lead = escape_html(&lead),
            link = escape_html(notice.link),
            read = escape_html(&read),
            code = escape_html(&code),
            until = escape_html(&until),
            no_reply = escape_html(&no_reply),
            unexpected = escape_html(&unexpected),
        ),
    );
    // The sender's name on the notification, our own address: a reply has nowhere to go
    // but the Viewer, and the organisation's domain keeps SPF and DKIM in order.
    let from = Mailbox::new(
        Some(format!("{} via Send Secure", notice.sender_name)),
        from.email.clone(),
    );
    compose(&from, to, &subject, plain, html)
}

/// The delivery confirmation from `from` to the sender `to`.
pub fn confirmation(from: &Mailbox, to: &str, confirmed: &Confirmation) -> Result<Message, Error> {
    let texts = Texts(confirmed.language);
    let subject = texts.t_with("confirmation-subject", &[("subject", confirmed.subject)]);
    let lead = texts.t_with("confirmation-lead", &[("subject", confirmed.subject)]);
    let viewer_heading = texts.t("confirmation-viewer");
    let direct_heading = texts.t("confirmation-direct");
    let viewer: Vec<String> = confirmed
        .viewer
        .iter()
        .map(|recipient| {
            let code = match &recipient.masked_phone {
                Some(phone) => texts.t_with("confirmation-code-sms", &[("phone", phone)]),
                None => texts.t("confirmation-code-email"),
            };
            format!("{}: {code}", recipient.address)
        })
        .collect();
    let reference = format!(
        "{}: {}",
        texts.t("confirmation-reference"),
        confirmed.reference
    );
    let password = format!(
        "{}: {}",
        texts.t("confirmation-password"),
        confirmed.forwarding_password
    );
    let password_hint = texts.t("confirmation-password-hint");
    let until = texts.t_with(
        "confirmation-until",
        &[("date", &texts.date(confirmed.readable_until))],
    );
    let withdraw = texts.t("confirmation-withdraw");
    let withdraw_hint = texts.t("confirmation-withdraw-hint");

    let list = |items: &[String]| -> String {
        items
            .iter()
            .map(|item| format!("  - {item}"))
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    let direct: Vec<String> = confirmed.direct.iter().map(|a| (*a).to_owned()).collect();
    let mut blocks = vec![lead.clone()];
    if !viewer.is_empty() {
        blocks.push(format!("{viewer_heading}:\r\n{}", list(&viewer)));
    }
    if !direct.is_empty() {
        blocks.push(format!("{direct_heading}:\r\n{}", list(&direct)));
    }
    blocks.extend([
        format!("{reference}\r\n{password}\r\n{password_hint}"),
        until.clone(),
        format!("{withdraw}: {}\r\n{withdraw_hint}", confirmed.withdraw_link),
    ]);
    let plain = lines(&blocks.iter().map(String::as_str).collect::<Vec<_>>());

    let html_list = |heading: &str, items: &[String]| -> String {
        if items.is_empty() {
            return String::new();
        }
        let items: String = items
            .iter()
            .map(|item| format!("<li>{}</li>", escape_html(item)))
            .collect();
        format!("<p>{}:</p>\r\n<ul>{items}</ul>\r\n", escape_html(heading))
    };
    let html = page(
        confirmed.language,
        &subject,
        &format!(
            "<p>{lead}</p>\r\n{viewer}{direct}\
             <p>{reference}<br>{password}<br><span style=\"color: #555555\">{hint}</span></p>\r\n\
             <p>{until}</p>\r\n\
             <p><a href=\"{link}\">{withdraw}</a><br>\
             <span style=\"color: #555555\">{withdraw_hint}</span></p>",
            lead = escape_html(&lead),
            viewer = html_list(&viewer_heading, &viewer),
            direct = html_list(&direct_heading, &direct),
            reference = escape_html(&reference),
            password = escape_html(&password),
            hint = escape_html(&password_hint),
            until = escape_html(&until),
            link = escape_html(confirmed.withdraw_link),
            withdraw = escape_html(&withdraw),
            withdraw_hint = escape_html(&withdraw_hint),
        ),
    );
    compose(from, to, &subject, plain, html)
}

/// An access code by e-mail, before it is composed.
#[derive(Debug)]
pub struct CodeMail<'a> {
    pub language: Language,
    pub organisation: &'a str,
    pub code: &'a str,
}

/// The access code e-mail, for a recipient whose code does not go by SMS.
pub fn code_mail(from: &Mailbox, to: &str, mail: &CodeMail) -> Result<Message, Error> {
    let texts = Texts(mail.language);
    let subject = texts.t("code-mail-subject");
    let lead = texts.t_with("code-mail-lead", &[("organisation", mail.organisation)]);
    let validity = texts.t("code-mail-validity");
    let plain = format!(
        "{lead}\r\n\r\n    {code}\r\n\r\n{validity}\r\n",
        code = mail.code
    );
    let html = page(
        mail.language,
        &subject,
        &format!(
            "<p>{lead}</p>\r\n<p style=\"font-family: Consolas, 'Courier New', monospace; \
             font-size: 28px; font-weight: 600; letter-spacing: 4px\">{code}</p>\r\n\
             <p>{validity}</p>",
            lead = escape_html(&lead),
            code = escape_html(mail.code),
            validity = escape_html(&validity),
        ),
    );
    compose(from, to, &subject, plain, html)
}

/// The sender hears that a recipient says the number the code went to is not theirs.
pub fn wrong_number(
    from: &Mailbox,
    to: &str,
    language: Language,
    recipient: &str,
    masked_phone: &str,
    reference: &str,
) -> Result<Message, Error> {
    let texts = Texts(language);
    let subject = texts.t_with("wrong-number-subject", &[("reference", reference)]);
    let text = texts.t_with(
        "wrong-number-body",
        &[
            ("recipient", recipient),
            ("phone", masked_phone),
            ("reference", reference),
        ],
    );
    let html = page(
        language,
        &subject,
        &format!("<p>{}</p>", escape_html(&text)),
    );
    compose(from, to, &subject, lines(&[&text]), html)
}

/// A forward from the Viewer, as the sender hears of it.
#[derive(Debug)]
pub struct ForwardNotice<'a> {
    pub language: Language,
    pub subject: &'a str,
    pub reference: &'a str,
    pub forwarder: &'a str,
    pub to: &'a str,
}

pub fn forward_notice(from: &Mailbox, to: &str, notice: &ForwardNotice) -> Result<Message, Error> {
    let texts = Texts(notice.language);
    let subject = texts.t_with("forward-notice-subject", &[("subject", notice.subject)]);
    let text = texts.t_with(
        "forward-notice-body",
        &[
            ("subject", notice.subject),
            ("reference", notice.reference),
            ("forwarder", notice.forwarder),
            ("to", notice.to),
        ],
    );
    let html = page(
        notice.language,
        &subject,
        &format!("<p>{}</p>", escape_html(&text)),
    );
    compose(from, to, &subject, lines(&[&text]), html)
}

fn lines(blocks: &[&str]) -> String {
    let mut text = blocks.join("\r\n\r\n");
    text.push_str("\r\n");
    text
}

fn page(language: Language, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\r\n\
         <html lang=\"{lang}\">\r\n\
         <head><meta charset=\"utf-8\"><title>{title}</title></head>\r\n\
         <body style=\"font-family: 'Segoe UI', Arial, sans-serif; font-size: 15px; color: #1b1b1b\">\r\n\
         {body}\r\n\
         </body>\r\n\
         </html>\r\n",
        lang = language.code(),
        title = escape_html(title),
    )
}

fn compose(
    from: &Mailbox,
    to: &str,
    subject: &str,
    plain: String,
    html: String,
) -> Result<Message, Error> {
    let to: lettre::Address = to
        .parse()
        .map_err(|_| Error::internal("a Viewer e-mail's recipient is not an address"))?;
    Message::builder()
        .message_id(Some(message_id(from)))
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(subject)
        // RFC 3834: out-of-office replies and the like must not answer these.
        .header(AutoSubmitted)
        .multipart(MultiPart::alternative_plain_html(plain, html))
        .map_err(|error| Error::internal_from("cannot compose a Viewer e-mail", error))
}

/// `Auto-Submitted: auto-generated`.
#[derive(Clone, Debug)]
struct AutoSubmitted;

impl header::Header for AutoSubmitted {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNTIL: i64 = 1_803_895_200; // 1 March 2027

    fn from() -> Mailbox {
        "Send Secure <no-reply@huisartsen-oost.nl>"
            .parse()
            .expect("valid")
    }

    fn read(message: &Message) -> mail_parser::Message<'static> {
        mail_parser::MessageParser::default()
            .parse(&message.formatted())
            .expect("a parsable message")
            .into_owned()
    }

    fn notice(language: Language, subject: Option<&'static str>) -> Notification<'static> {
        Notification {
            language,
            sender_name: "A. Jansen",
            organisation: "Huisartsen Oost",
            link: "https://sendsecure.huisartsen-oost.nl/viewer/abc",
            by_sms: true,
            readable_until: UNTIL,
            subject,
            forwarded_by: None,
        }
    }

    #[test]
    fn a_notification_names_the_sender_and_links_to_the_viewer_without_the_subject() {
        let message = read(
            &notification(&from(), "m.bakker@example.com", &notice(Language::Nl, None))
                .expect("composes"),
        );

        assert_eq!(message.subject(), Some("Beveiligd bericht van A. Jansen"));
        let from = message
            .from()
            .and_then(|list| list.first())
            .expect("a From");
        assert_eq!(from.name(), Some("A. Jansen via Send Secure"));
        assert_eq!(from.address(), Some("no-reply@huisartsen-oost.nl"));
        assert_eq!(
            message.header_raw("Auto-Submitted").map(str::trim),
            Some("auto-generated")
        );
        let text = message.body_text(0).expect("text");
        let html = message.body_html(0).expect("html");
        assert!(
            text.contains("A. Jansen van Huisartsen Oost heeft u een beveiligd bericht gestuurd."),
            "{text}"
        );
        assert!(
            text.contains("Bericht lezen: https://sendsecure.huisartsen-oost.nl/viewer/abc"),
            "{text}"
        );
        assert!(
            text.contains("per sms") && text.contains("1 maart 2027"),
            "{text}"
        );
        assert!(
            html.contains("href=\"https://sendsecure.huisartsen-oost.nl/viewer/abc\""),
            "{html}"
        );
        assert!(html.contains(">Bericht lezen</a>"), "{html}");
    }

    #[test]
    fn a_notification_may_show_the_subject_and_speaks_english_when_asked() {
        let message = read(
            &notification(
                &from(),
                "j.smith@example.org",
                &Notification {
                    by_sms: false,
                    ..notice(Language::En, Some("Results (EN)"))
                },
            )
            .expect("composes"),
        );
        assert_eq!(message.subject(), Some("Secure message: Results (EN)"));
        let text = message.body_text(0).expect("text");
        assert!(text.contains("Read message: https://"), "{text}");
        assert!(text.contains("by e-mail"), "{text}");
        assert!(text.contains("1 March 2027"), "{text}");
    }

    #[test]
    fn markup_in_names_is_escaped() {
        let message = read(
            &notification(
                &from(),
                "m.bakker@example.com",
                &Notification {
                    sender_name: "<script>x</script>",
                    ..notice(Language::Nl, None)
                },
            )
            .expect("composes"),
        );
        let html = message.body_html(0).expect("html");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn the_confirmation_lists_recipients_reference_password_and_withdraw_link() {
        let message = read(
            &confirmation(
                &from(),
                "a.jansen@huisartsen-oost.nl",
                &Confirmation {
                    language: Language::Nl,
                    subject: "Uitslag bloedonderzoek",
                    viewer: vec![
                        ConfirmedViewerRecipient {
                            address: "m.bakker@example.com",
                            masked_phone: Some("06-••••••78".into()),
                        },
                        ConfirmedViewerRecipient {
                            address: "j.smith@example.org",
                            masked_phone: None,
                        },
                    ],
                    direct: vec!["b.smit@ziekenhuis-west.nl"],
                    reference: "SS-7KQ4-M9XD",
                    forwarding_password: "ABCD-EFGH-JKLM",
                    readable_until: UNTIL,
                    withdraw_link: "https://sendsecure.huisartsen-oost.nl/viewer/withdraw/xyz",
                },
            )
            .expect("composes"),
        );

        assert_eq!(
            message.subject(),
            Some("Beveiligd verzonden: Uitslag bloedonderzoek")
        );
        let text = message.body_text(0).expect("text");
        for expected in [
            "m.bakker@example.com: toegangscode per sms naar 06-••••••78",
            "j.smith@example.org: toegangscode per e-mail",
            "b.smit@ziekenhuis-west.nl",
            "Kenmerk: SS-7KQ4-M9XD",
            "Doorstuurwachtwoord: ABCD-EFGH-JKLM",
            "tot en met 1 maart 2027",
            "Bericht intrekken: https://sendsecure.huisartsen-oost.nl/viewer/withdraw/xyz",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let html = message.body_html(0).expect("html");
        assert!(
            html.contains("href=\"https://sendsecure.huisartsen-oost.nl/viewer/withdraw/xyz\""),
            "{html}"
        );
    }
}
