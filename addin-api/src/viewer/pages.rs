//! The Viewer's pages as `askama` templates (`templates/`, beside this file): server-rendered
//! HTML that works without JavaScript, in the recipient's language. Everything a template
//! shows is escaped, except the message body, which [`super::read`] has cleaned.

use addin_core::api::Language;
use askama::Template;

use super::read::{self, AttachmentInfo, Body, Readable};
use crate::i18n::Texts;

/// What every page has: its language, its title, the links to the other languages.
#[derive(Debug)]
pub struct Chrome {
    pub lang: &'static str,
    pub t: Texts,
    pub title: String,
    pub languages: Vec<LanguageLink>,
}

#[derive(Debug)]
pub struct LanguageLink {
    pub code: &'static str,
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

impl Chrome {
    /// `here` is the page's own address, which the language links return to.
    pub fn new(language: Language, title_key: &str, here: &str) -> Self {
        let t = Texts(language);
        Self::titled(language, t.t(title_key), here)
    }

    pub fn titled(language: Language, title: String, here: &str) -> Self {
        let languages = [
            (Language::Nl, "Nederlands"),
            (Language::En, "English"),
            (Language::De, "Deutsch"),
        ]
        .into_iter()
        .map(|(other, label)| LanguageLink {
            code: other.code(),
            label,
            href: format!("{here}?lang={}", other.code()),
            current: other == language,
        })
        .collect();
        Self {
            lang: language.code(),
            t: Texts(language),
            title,
            languages,
        }
    }
}

#[derive(Debug, Template)]
#[template(path = "landing.html")]
pub struct Landing {
    pub chrome: Chrome,
    pub secret: String,
    pub lead: String,
    pub how: String,
    pub until: String,
}

#[derive(Debug, Template)]
#[template(path = "code.html")]
pub struct Code {
    pub chrome: Chrome,
    pub secret: String,
    pub sent: String,
    pub by_sms: bool,
    pub problem: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "notice.html")]
pub struct Notice {
    pub chrome: Chrome,
    pub text: String,
    /// A link onwards: `(href, label)`.
    pub back: Option<(String, String)>,
}

#[derive(Debug, Template)]
#[template(path = "withdraw.html")]
pub struct Withdraw {
    pub chrome: Chrome,
    pub secret: String,
    pub lead: String,
}

/// What the forward form keeps of the last try (never the password).
#[derive(Debug, Default)]
pub struct ForwardForm {
    pub reference: String,
    pub to: String,
    pub phone: String,
}

#[derive(Debug, Template)]
#[template(path = "message.html")]
pub struct Message {
    pub chrome: Chrome,
    pub secret: String,
    pub from: String,
    /// `(datetime attribute, as shown)`.
    pub date: Option<(String, String)>,
    pub body_html: Option<String>,
    pub body_text: String,
    pub attachments: Vec<AttachmentLink>,
    pub notice: Option<String>,
    pub reply_problem: Option<String>,
    pub reply_label: String,
    pub reply_left: String,
    pub can_reply: bool,
    pub forward_problem: Option<String>,
    pub forward_left: String,
    pub can_forward: bool,
    pub forward_form: ForwardForm,
}

#[derive(Debug)]
pub struct AttachmentLink {
    pub index: usize,
    pub name: String,
    pub size: String,
}

/// What the message page needs besides the message itself.
#[derive(Debug, Default)]
pub struct MessageState {
    pub notice: Option<String>,
    pub reply_problem: Option<String>,
    pub forward_problem: Option<String>,
    pub replies_left: i64,
    pub forwards_left: i64,
    pub forward_form: ForwardForm,
}

impl Message {
    pub fn new(language: Language, secret: &str, message: &Readable, state: MessageState) -> Self {
        let t = Texts(language);
        let sender = message
            .from_name
            .as_deref()
            .filter(|name| !name.trim().is_empty());
        let from = match sender {
            Some(name) => format!("{name} <{}>", message.from_address),
            None => message.from_address.clone(),
        };
        let (body_html, body_text) = match &message.body {
            Body::Html(html) => (Some(read::clean_html(html)), String::new()),
            Body::Text(text) => (None, text.clone()),
        };
        let here = format!("/viewer/{secret}/message");
        Self {
            chrome: Chrome::titled(language, message.subject.clone(), &here),
            secret: secret.to_owned(),
            date: message.date.as_ref().map(|date| {
                (
                    date.rfc3339.clone(),
                    format!(
                        "{}, {:02}:{:02}",
                        t.day(date.year, date.month, date.day),
                        date.hour,
                        date.minute
                    ),
                )
            }),
            reply_label: t.t_with(
                "reply-label",
                &[("sender", sender.unwrap_or(&message.from_address))],
            ),
            reply_left: t.t_with("reply-left", &[("count", &state.replies_left.to_string())]),
            can_reply: state.replies_left > 0,
            forward_left: t.t_with(
                "forward-left",
                &[("count", &state.forwards_left.to_string())],
            ),
            can_forward: state.forwards_left > 0,
            from,
            body_html,
            body_text,
            attachments: message.attachments.iter().map(attachment_link).collect(),
            notice: state.notice,
            reply_problem: state.reply_problem,
            forward_problem: state.forward_problem,
            forward_form: state.forward_form,
        }
    }
}

fn attachment_link(attachment: &AttachmentInfo) -> AttachmentLink {
    AttachmentLink {
        index: attachment.index,
        name: attachment.name.clone(),
        size: human_size(attachment.size),
    }
}

/// `950 B`, `48 KB`, `2.4 MB`.
pub fn human_size(bytes: usize) -> String {
    const KB: usize = 1024;
    const MB: usize = 1024 * 1024;
    match bytes {
        b if b < KB => format!("{b} B"),
        b if b < MB => format!("{} KB", b.div_ceil(KB)),
        b => {
            let tenths = (b * 10 + MB / 2) / MB;
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(950), "950 B");
        assert_eq!(human_size(48_213), "48 KB");
        assert_eq!(human_size(2_516_582), "2.4 MB");
    }

    #[test]
    fn every_page_escapes_what_it_shows() {
        let page = Notice {
            chrome: Chrome::titled(Language::En, "<script>x</script>".into(), "/viewer/a"),
            text: "\"><img src=x onerror=alert(1)>".into(),
            back: None,
        }
        .render()
        .expect("renders");
        assert!(!page.contains("<script>x"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&#60;script&#62;"), "{page}");
    }

    #[test]
    fn the_language_links_return_to_the_page() {
        let chrome = Chrome::new(Language::De, "code-title", "/viewer/abc/code");
        assert_eq!(chrome.lang, "de");
        assert_eq!(chrome.title, "Zugangscode");
        let links: Vec<(&str, &str, bool)> = chrome
            .languages
            .iter()
            .map(|link| (link.code, link.href.as_str(), link.current))
            .collect();
        assert_eq!(
            links,
            [
                ("nl", "/viewer/abc/code?lang=nl", false),
                ("en", "/viewer/abc/code?lang=en", false),
                ("de", "/viewer/abc/code?lang=de", true),
            ]
        );
    }
}
