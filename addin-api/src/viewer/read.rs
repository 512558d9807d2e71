//! Reading a Viewer message (SPEC §14): the message decrypted with its own key and taken apart
//! for the page — sender, date, subject, the body (plain text, or HTML cleaned by `ammonia`:
//! no scripts, no event handlers, no images or other remote content, links only to http(s)
//! and mailto with `rel="noopener noreferrer"`), and the attachments with names that cannot
//! name a path.
//!
//! The intake keeps what the page shows as the message's summary, encrypted with the same
//! key: the page reads a few kilobytes, however large the attachments. Only a download or a
//! forward decrypts the whole message.

use std::{collections::HashSet, sync::LazyLock};

use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

use super::{access::Opened, intake, secrets::MessageKey};
use crate::{Error, app::App};

/// The message as received (token header removed), decrypted, with its key.
pub async fn raw_message(app: &App, opened: &Opened) -> Result<(Vec<u8>, MessageKey), Error> {
    let message = &opened.view.message;
    let (sealed_key, content) = app
        .store
        .message_content(&message.id)
        .await?
        .ok_or(Error::NotAvailable)?;
    let key = open_key(app, &message.id, &sealed_key)?;
    let raw = key
        .decrypt(&content, message.id.as_bytes())
        .ok_or_else(|| Error::internal("a Viewer message does not decrypt"))?;
    Ok((raw, key))
}

/// What the page shows of the message: its summary, or — for a message stored before there
/// were summaries — the message taken apart.
pub async fn readable(app: &App, opened: &Opened) -> Result<Readable, Error> {
    let id = &opened.view.message.id;
    let (sealed_key, summary) = app
        .store
        .message_summary(id)
        .await?
        .ok_or(Error::NotAvailable)?;
    let Some(summary) = summary else {
        let (raw, _) = raw_message(app, opened).await?;
        return read(&raw).ok_or_else(|| Error::internal("a stored Viewer message does not parse"));
    };
    open_key(app, id, &sealed_key)?
        .decrypt(&summary, &intake::summary_context(id))
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| Error::internal("a Viewer message's summary does not open"))
}

/// The message's own key (its forwarding password comes from it).
pub async fn message_key(app: &App, opened: &Opened) -> Result<MessageKey, Error> {
    let id = &opened.view.message.id;
    let (sealed_key, _) = app
        .store
        .message_summary(id)
        .await?
        .ok_or(Error::NotAvailable)?;
    open_key(app, id, &sealed_key)
}

fn open_key(app: &App, message_id: &str, sealed_key: &[u8]) -> Result<MessageKey, Error> {
    app.vault
        .open(sealed_key, &intake::key_context(message_id))
        .and_then(|bytes| MessageKey::from_bytes(&bytes))
        .ok_or_else(|| Error::internal("a Viewer message's key does not open"))
}

/// What the page shows.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readable {
    pub from_name: Option<String>,
    pub from_address: String,
    pub date: Option<MessageDate>,
    pub subject: String,
    pub body: Body,
    pub attachments: Vec<AttachmentInfo>,
    pub message_id: Option<String>,
    pub references: Vec<String>,
}

/// The `Date` header, as the sender's clock wrote it.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDate {
    pub rfc3339: String,
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u8,
    pub minute: u8,
}

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    Text(String),
    /// As the sender wrote it: [`clean_html`] makes it safe to show. (Cleaned when shown, not
    /// when stored, so a stricter cleaner applies to the messages already stored too.)
    Html(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    /// Its place among the message's attachments, for the download link.
    pub index: usize,
    pub name: String,
    pub size: usize,
}

/// The message taken apart; `None` when the bytes are not a message.
pub fn read(raw: &[u8]) -> Option<Readable> {
    let message = MessageParser::default().parse(raw)?;
    let from = message.from().and_then(|from| from.first());
    // mail-parser offers a text message as HTML too: only a real text/html part is HTML.
    let html = message
        .html_part(0)
        .filter(|part| part.is_text_html())
        .and_then(|_| message.body_html(0));
    let body = match html {
        Some(html) => Body::Html(html.into_owned()),
        None => Body::Text(
            message
                .body_text(0)
                .map(|text| text.into_owned())
                .unwrap_or_default(),
        ),
    };
    let references = match message.references().as_text_list() {
        Some(list) => list.iter().map(|id| id.to_string()).collect(),
        None => message
            .references()
            .as_text()
            .map(|id| vec![id.to_owned()])
            .unwrap_or_default(),
    };
    Some(Readable {
        from_name: from.and_then(|from| from.name()).map(str::to_owned),
        from_address: from
            .and_then(|from| from.address())
            .unwrap_or_default()
            .to_owned(),
        date: message.date().map(|date| MessageDate {
            rfc3339: date.to_rfc3339(),
            year: i64::from(date.year),
            month: u32::from(date.month),
            day: u32::from(date.day),
            hour: date.hour,
            minute: date.minute,
        }),
        subject: message.subject().unwrap_or_default().to_owned(),
        body,
        attachments: message
            .attachments()
            .enumerate()
            .map(|(index, part)| AttachmentInfo {
                index,
                name: safe_file_name(part.attachment_name(), index),
                size: part.len(),
            })
            .collect(),
        message_id: message.message_id().map(str::to_owned),
        references,
    })
}

/// The `index`-th attachment's name and bytes.
pub fn attachment(raw: &[u8], index: usize) -> Option<(String, Vec<u8>)> {
    let message = MessageParser::default().parse(raw)?;
    let part = message.attachment(u32::try_from(index).ok()?)?;
    Some((
        safe_file_name(part.attachment_name(), index),
        part.contents().to_vec(),
    ))
}

/// HTML a sender's mail client wrote, made harmless: scripts, styles, event handlers, forms,
/// frames and images go (an image would fetch from elsewhere, or hide a tracker); links keep
/// only http, https and mailto and open without a referrer.
pub fn clean_html(html: &str) -> String {
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .rm_tags(["img", "picture", "source"])
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer"))
            .url_relative(ammonia::UrlRelative::Deny);
        builder
    });
    CLEANER.clean(html).to_string()
}

/// A file name that names no path and has nothing a terminal or a file system would choke
/// on; `bijlage-N` when nothing is left.
pub fn safe_file_name(name: Option<&str>, index: usize) -> String {
    let cleaned: String = name
        .unwrap_or_default()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace() || c == '_');
    let cleaned: String = cleaned.chars().take(120).collect();
    if cleaned.is_empty() {
        format!("bijlage-{}", index + 1)
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HTML_MAIL: &[u8] = b"From: \"A. Jansen\" <a.jansen@huisartsen-oost.nl>\r\n\
        To: m.bakker@example.com\r\n\
        Subject: Uitslag\r\n\
        Date: Mon, 1 Mar 2027 10:00:00 +0000\r\n\
        Message-ID: <m1@huisartsen-oost.nl>\r\n\
        References: <m0@huisartsen-oost.nl>\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\
        \r\n\
        --b\r\n\
        Content-Type: text/html; charset=utf-8\r\n\
        \r\n\
        <p onclick=\"steal()\">Beste <b>mevrouw</b>,</p><script>alert(1)</script>\
        <img src=\"https://tracker.example/pixel.gif\"><a href=\"javascript:alert(1)\">x</a>\
        <a href=\"https://thuisarts.nl/uitslag\">uitleg</a><style>p{}</style>\r\n\
        --b\r\n\
        Content-Type: application/pdf\r\n\
        Content-Disposition: attachment; filename=\"../../etc/passwd\x07.pdf\"\r\n\
        \r\n\
        %PDF-1.7\r\n\
        --b--\r\n";

    #[test]
    fn html_is_rendered_inert() {
        let readable = read(HTML_MAIL).expect("a message");
        let Body::Html(html) = &readable.body else {
            panic!("an HTML body: {readable:?}");
        };
        let html = clean_html(html);
        for gone in [
            "<script",
            "onclick",
            "<img",
            "tracker.example",
            "javascript:",
            "<style",
        ] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
        assert!(html.contains("<b>mevrouw</b>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://thuisarts.nl/uitslag\" rel=\"noopener noreferrer\">uitleg</a>"
            ),
            "{html}"
        );
    }

    #[test]
    fn the_page_gets_sender_date_subject_and_attachments() {
        let readable = read(HTML_MAIL).expect("a message");
        assert_eq!(readable.from_name.as_deref(), Some("A. Jansen"));
        assert_eq!(readable.from_address, "a.jansen@huisartsen-oost.nl");
        assert_eq!(readable.subject, "Uitslag");
        let date = readable.date.as_ref().expect("a date");
        assert_eq!(date.rfc3339, "2027-03-01T10:00:00Z");
        assert_eq!(
            (date.year, date.month, date.day, date.hour),
            (2027, 3, 1, 10)
        );
        assert_eq!(
            readable.message_id.as_deref(),
            Some("m1@huisartsen-oost.nl")
        );
        assert_eq!(readable.references, ["m0@huisartsen-oost.nl"]);
        assert_eq!(readable.attachments.len(), 1);
        assert_eq!(readable.attachments[0].name, "etc_passwd_.pdf");
        let (name, bytes) = attachment(HTML_MAIL, 0).expect("the attachment");
        assert_eq!(name, "etc_passwd_.pdf");
        assert_eq!(bytes, b"%PDF-1.7");
        assert!(attachment(HTML_MAIL, 1).is_none());
    }

    #[test]
    fn file_names_name_no_path() {
        for (raw, safe) in [
            (Some("uitslag.pdf"), "uitslag.pdf"),
            (Some("C:\\temp\\x.exe"), "C__temp_x.exe"),
            (Some("..\u{0}.."), "bijlage-3"),
            (Some("  "), "bijlage-3"),
            (None, "bijlage-3"),
            (Some("röntgen foto.jpg"), "röntgen foto.jpg"),
        ] {
            assert_eq!(safe_file_name(raw, 2), safe, "{raw:?}");
        }
    }

    #[test]
    fn plain_text_stays_text() {
        let readable = read(b"Subject: s\r\n\r\n<b>not html</b>\r\n").expect("a message");
        assert_eq!(readable.body, Body::Text("<b>not html</b>\r\n".into()));
    }
}
