//! The incoming message as the relay reads it (`mail-parser`): the send token header, the
//! Message-ID, the attachments, the sender's name — and the message without the token header,
//! which is what goes on. The body is never logged or looked into beyond its MIME structure.

use mail_parser::{Message, MessageParser};

/// The header the panel puts the send token in (SPEC §7).
pub const TOKEN_HEADER: &str = "X-SendSecure-Token";

/// A parsed message that borrows the bytes it was received as.
pub struct Incoming<'a> {
    raw: &'a [u8],
    parsed: Message<'a>,
}

impl std::fmt::Debug for Incoming<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incoming")
            .field("bytes", &self.raw.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Incoming<'a> {
    /// `None` when the bytes are not a message at all.
    pub fn parse(raw: &'a [u8]) -> Option<Self> {
        let parsed = MessageParser::default().parse(raw)?;
        Some(Self { raw, parsed })
    }

    /// The send tokens the message carries, each without the whitespace a transport may
    /// have folded into it. More than one means someone added a header of their own.
    pub fn tokens(&self) -> Vec<String> {
        self.token_headers()
            .map(|(_, value)| {
                String::from_utf8_lossy(value)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect()
            })
            .collect()
    }

    pub fn message_id(&self) -> Option<&str> {
        self.parsed.message_id()
    }

    /// The parts that are attachments (inline images included), as Outlook counts them.
    pub fn attachment_count(&self) -> usize {
        self.parsed.attachment_count()
    }

    /// The sender's display name from `From`, when it has one.
    pub fn sender_name(&self) -> Option<&str> {
        self.parsed
            .from()
            .and_then(|from| from.first())
            .and_then(|from| from.name())
            .map(str::trim)
            .filter(|name| !name.is_empty())
    }

    pub fn subject(&self) -> Option<&str> {
        self.parsed.subject()
    }

    /// The message exactly as received, minus every token header: the token is for the
    /// relay, not for the recipients.
    pub fn without_token(&self) -> Vec<u8> {
        let mut kept = Vec::with_capacity(self.raw.len());
        let mut from = 0;
        for (span, _) in self.token_headers() {
            kept.extend_from_slice(&self.raw[from..span.start]);
            from = span.end;
        }
        kept.extend_from_slice(&self.raw[from..]);
        kept
    }

    /// Each token header's whole span (name to the end of its last folded line) and value.
    fn token_headers(&self) -> impl Iterator<Item = (std::ops::Range<usize>, &'a [u8])> + '_ {
        let raw = self.raw;
        self.parsed
            .root_part()
            .headers()
            .iter()
            .filter(|header| header.name.as_str().eq_ignore_ascii_case(TOKEN_HEADER))
            .filter_map(move |header| {
                let span = offset(header.offset_field)..offset(header.offset_end);
                let value = raw.get(offset(header.offset_start)..span.end)?;
                raw.get(span.clone())?;
                Some((span, value))
            })
    }
}

fn offset(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"From: \"A. Jansen\" <a.jansen@huisartsen-oost.nl>\r\n\
        To: b.smit@ziekenhuis-west.nl\r\n\
        X-SendSecure-Token: eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0\r\n .c2lnbmF0dXJl\r\n\
        Subject: Verwijzing\r\n\
        Message-ID: <m1@huisartsen-oost.nl>\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\
        \r\n\
        --b\r\n\
        Content-Type: text/plain\r\n\
        \r\n\
        X-SendSecure-Token: in the body stays\r\n\
        --b\r\n\
        Content-Type: application/pdf\r\n\
        Content-Disposition: attachment; filename=brief.pdf\r\n\
        \r\n\
        JVBERi0=\r\n\
        --b--\r\n";

    #[test]
    fn the_token_is_read_unfolded_and_removed_from_the_headers_only() {
        let incoming = Incoming::parse(MESSAGE).expect("a message");

        assert_eq!(
            incoming.tokens(),
            ["eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2lnbmF0dXJl"]
        );
        let stripped = incoming.without_token();
        let text = String::from_utf8(stripped.clone()).expect("ASCII");
        assert!(!text.contains("eyJ"), "{text}");
        assert!(
            text.contains("X-SendSecure-Token: in the body stays"),
            "{text}"
        );
        assert_eq!(
            stripped.len(),
            MESSAGE.len()
                - "X-SendSecure-Token: eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0\r\n .c2lnbmF0dXJl\r\n"
                    .len(),
            "nothing else changes"
        );
        let again = Incoming::parse(&stripped).expect("still a message");
        assert!(again.tokens().is_empty());
        assert_eq!(again.attachment_count(), 1);
    }

    #[test]
    fn the_message_id_attachments_and_sender_name_are_read() {
        let incoming = Incoming::parse(MESSAGE).expect("a message");
        assert_eq!(incoming.message_id(), Some("m1@huisartsen-oost.nl"));
        assert_eq!(incoming.attachment_count(), 1);
        assert_eq!(incoming.sender_name(), Some("A. Jansen"));
        assert_eq!(incoming.subject(), Some("Verwijzing"));
    }

    #[test]
    fn every_token_header_counts_whatever_its_case() {
        let twice =
            b"x-sendsecure-token: one\r\nX-SENDSECURE-TOKEN: two\r\nSubject: s\r\n\r\nbody\r\n";
        let incoming = Incoming::parse(twice).expect("a message");
        assert_eq!(incoming.tokens(), ["one", "two"]);
        assert_eq!(incoming.without_token(), b"Subject: s\r\n\r\nbody\r\n");
        assert_eq!(incoming.sender_name(), None);
        assert_eq!(incoming.message_id(), None);
    }
}
