//! The SMTP conversation (RFC 5321, with STARTTLS, SIZE, PIPELINING, 8BITMIME and enhanced
//! status codes), without I/O: bytes from the client go in, reply bytes come out, and the
//! listener is told when a whole message is there to deliver, when to start TLS and when to
//! hang up. `smtp-proto` parses commands and undoes dot-stuffing; this file only keeps the
//! state, like the HTTP handlers do.

use std::borrow::Cow;

use smtp_proto::{
    Error as ParseError, Request,
    request::receiver::{DataReceiver, RequestReceiver},
};

use super::{deliver::Envelope, reply::Reply};

/// After this many bad commands the client is told to go away.
const MAX_ERRORS: usize = 10;

/// How the listener set this connection up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The name the relay greets with.
    pub hostname: String,
    /// A certificate is there to offer STARTTLS with.
    pub tls_available: bool,
    /// The client may not send mail before STARTTLS (it is not on loopback).
    pub tls_required: bool,
    /// The `SIZE` announced and enforced, in bytes.
    pub max_message_size: usize,
    /// Recipients per message: a dispatch has at most 100 (SPEC §5.4).
    pub max_recipients: usize,
}

/// What the listener must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// A message is complete: deliver it and pass the answer to [`Session::answer`].
    Message(Envelope, Vec<u8>),
    /// The `220` to STARTTLS is written: send it, then the TLS handshake.
    StartTls,
    /// The last reply is written: send it and close.
    Close,
}

enum Phase {
    Commands,
    Data(DataReceiver),
}

pub struct Session {
    settings: Settings,
    phase: Phase,
    commands: RequestReceiver,
    greeted: bool,
    tls_active: bool,
    mail_from: Option<String>,
    recipients: Vec<String>,
    message: Vec<u8>,
    /// The message outgrew `SIZE` while it came in: it is thrown away as it arrives.
    oversized: bool,
    errors: usize,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("greeted", &self.greeted)
            .field("tls_active", &self.tls_active)
            .field("recipients", &self.recipients.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            phase: Phase::Commands,
            commands: RequestReceiver::default(),
            greeted: false,
            tls_active: false,
            mail_from: None,
            recipients: Vec::new(),
            message: Vec::new(),
            oversized: false,
            errors: 0,
        }
    }

    pub fn greeting(&self, out: &mut Vec<u8>) {
        Reply::new(
            220,
            [2, 0, 0],
            format!("{} ESMTP Send Secure relay", self.settings.hostname),
        )
        .write(out);
    }

    /// Takes bytes from `input` (advancing it) until they run out or something needs the
    /// listener; replies go to `out`.
    pub fn feed(&mut self, input: &mut &[u8], out: &mut Vec<u8>) -> Option<Event> {
        loop {
            if input.is_empty() {
                return None;
            }
            let mut bytes = input.iter();
            let event = match &mut self.phase {
                Phase::Data(receiver) => {
                    let done = receiver.ingest(&mut bytes, &mut self.message);
                    if self.message.len() > self.settings.max_message_size {
                        self.oversized = true;
                        self.message.clear();
                    }
                    *input = bytes.as_slice();
                    if done { self.end_of_data(out) } else { None }
                }
                Phase::Commands => {
                    let parsed = self.commands.ingest(&mut bytes).map(Request::into_owned);
                    *input = bytes.as_slice();
                    match parsed {
                        Err(ParseError::NeedsMoreData { .. }) => return None,
                        parsed => self.command(parsed, out),
                    }
                }
            };
            if event.is_some() {
                return event;
            }
        }
    }

    /// Answers the message [`Event::Message`] handed out, and starts the next.
    pub fn answer(&mut self, reply: &Reply, out: &mut Vec<u8>) {
        reply.write(out);
    }

    /// The TLS handshake succeeded: the client starts over (RFC 3207), and may now send.
    pub fn tls_started(&mut self) {
        self.tls_active = true;
        self.greeted = false;
        self.reset();
    }

    fn command(
        &mut self,
        parsed: Result<Request<String>, ParseError>,
        out: &mut Vec<u8>,
    ) -> Option<Event> {
        let reply = match parsed {
            Ok(request) => return self.request(request, out),
            Err(ParseError::ResponseTooLong) => Reply::new(500, [5, 5, 6], "Line too long"),
            Err(ParseError::UnknownCommand) => Reply::new(500, [5, 5, 1], "Command not recognised"),
            Err(ParseError::InvalidSenderAddress) => {
                Reply::new(501, [5, 1, 7], "Bad sender address syntax")
            }
            Err(ParseError::InvalidRecipientAddress) => {
                Reply::new(501, [5, 1, 3], "Bad recipient address syntax")
            }
            Err(ParseError::SyntaxError { syntax }) => {
                Reply::new(501, [5, 5, 2], format!("Syntax: {syntax}"))
            }
            Err(ParseError::InvalidParameter { param }) => {
                Reply::new(501, [5, 5, 4], format!("Invalid parameter {param}"))
            }
            Err(ParseError::UnsupportedParameter { .. }) => {
                Reply::new(504, [5, 5, 4], "Parameter not supported")
            }
            Err(_) => Reply::new(500, [5, 5, 2], "Syntax error"),
        };
        self.error(reply, out)
    }

    fn request(&mut self, request: Request<String>, out: &mut Vec<u8>) -> Option<Event> {
        match request {
            Request::Ehlo { .. } => {
                self.greeted = true;
                self.reset();
                self.ehlo(out);
                None
            }
            Request::Helo { .. } => {
                self.greeted = true;
                self.reset();
                ok(
                    &format!("{} Send Secure relay", self.settings.hostname),
                    out,
                );
                None
            }
            Request::StartTls if self.tls_active => {
                self.error(Reply::new(503, [5, 5, 1], "TLS is already active"), out)
            }
            Request::StartTls if !self.settings.tls_available => {
                self.error(Reply::new(502, [5, 5, 1], "STARTTLS is not offered"), out)
            }
            Request::StartTls => {
                Reply::new(220, [2, 0, 0], "Ready to start TLS").write(out);
                Some(Event::StartTls)
            }
            Request::Mail { from } => self.mail(from.address, from.size, out),
            Request::Rcpt { to } => self.rcpt(to.address, out),
            Request::Data => self.data(out),
            Request::Rset => {
                self.reset();
                ok("Reset", out);
                None
            }
            Request::Noop { .. } => {
                ok("OK", out);
                None
            }
            Request::Quit => {
                Reply::new(221, [2, 0, 0], "Bye").write(out);
                Some(Event::Close)
            }
            Request::Vrfy { .. } => {
                Reply::new(252, [2, 5, 0], "Cannot VRFY; send the message").write(out);
                None
            }
            Request::Help { .. } => {
                Reply::new(214, [2, 0, 0], "See RFC 5321").write(out);
                None
            }
            other => self.error(
                Reply::new(
                    502,
                    [5, 5, 1],
                    format!("{} is not implemented", other.name()),
                ),
                out,
            ),
        }
    }

    fn ehlo(&self, out: &mut Vec<u8>) {
        let mut lines = vec![
            format!("{} Send Secure relay", self.settings.hostname),
            format!("SIZE {}", self.settings.max_message_size),
            "8BITMIME".to_owned(),
            "PIPELINING".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
        ];
        if self.settings.tls_available && !self.tls_active {
            lines.push("STARTTLS".to_owned());
        }
        let last = lines.len() - 1;
        for (index, line) in lines.iter().enumerate() {
            let separator = if index == last { ' ' } else { '-' };
            out.extend_from_slice(format!("250{separator}{line}\r\n").as_bytes());
        }
    }

    fn mail(&mut self, from: String, size: usize, out: &mut Vec<u8>) -> Option<Event> {
        let refusal = if !self.greeted {
            Some(Reply::new(503, [5, 5, 1], "Send EHLO first"))
        } else if self.settings.tls_required && !self.tls_active {
            Some(Reply::new(
                530,
                [5, 7, 0],
                "Must issue a STARTTLS command first",
            ))
        } else if self.mail_from.is_some() {
            Some(Reply::new(503, [5, 5, 1], "Nested MAIL command"))
        } else if size > self.settings.max_message_size {
            Some(too_big())
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return self.error(refusal, out);
        }
        self.mail_from = Some(from);
        Reply::new(250, [2, 1, 0], "Sender OK").write(out);
        None
    }

    fn rcpt(&mut self, to: String, out: &mut Vec<u8>) -> Option<Event> {
        if self.mail_from.is_none() {
            return self.error(Reply::new(503, [5, 5, 1], "Need MAIL before RCPT"), out);
        }
        if self.recipients.len() >= self.settings.max_recipients {
            Reply::new(452, [4, 5, 3], "Too many recipients").write(out);
            return None;
        }
        self.recipients.push(to);
        Reply::new(250, [2, 1, 5], "Recipient OK").write(out);
        None
    }

    fn data(&mut self, out: &mut Vec<u8>) -> Option<Event> {
        if self.recipients.is_empty() {
            return self.error(Reply::new(503, [5, 5, 1], "Need RCPT before DATA"), out);
        }
        self.message.clear();
        self.oversized = false;
        self.phase = Phase::Data(DataReceiver::new());
        Reply::new(354, [2, 0, 0], "Start mail input; end with <CRLF>.<CRLF>").write(out);
        None
    }

    fn end_of_data(&mut self, out: &mut Vec<u8>) -> Option<Event> {
        self.phase = Phase::Commands;
        let envelope = Envelope {
            mail_from: self.mail_from.take().unwrap_or_default(),
            recipients: std::mem::take(&mut self.recipients),
        };
        let message = std::mem::take(&mut self.message);
        if std::mem::take(&mut self.oversized) {
            too_big().write(out);
            return None;
        }
        Some(Event::Message(envelope, message))
    }

    /// A refused command: counted, and after too many the client is sent away.
    fn error(&mut self, reply: Reply, out: &mut Vec<u8>) -> Option<Event> {
        self.errors += 1;
        if self.errors >= MAX_ERRORS {
            Reply::new(421, [4, 7, 0], "Too many errors; closing").write(out);
            return Some(Event::Close);
        }
        reply.write(out);
        None
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.recipients.clear();
        self.message.clear();
    }
}

fn ok(text: &str, out: &mut Vec<u8>) {
    Reply::new(250, [2, 0, 0], Cow::Borrowed(text)).write(out);
}

fn too_big() -> Reply {
    Reply::new(552, [5, 3, 4], "Message too big for this relay")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            hostname: "relay.example.nl".into(),
            tls_available: true,
            tls_required: false,
            max_message_size: 1_000,
            max_recipients: 3,
        }
    }

    /// Feeds `input` whole; returns what was written and the first event.
    fn run(session: &mut Session, input: &str) -> (String, Option<Event>) {
        let mut out = Vec::new();
        let mut bytes = input.as_bytes();
        let event = session.feed(&mut bytes, &mut out);
        (String::from_utf8(out).expect("ASCII replies"), event)
    }

    fn codes(replies: &str) -> Vec<&str> {
        replies
            .lines()
            .filter(|line| line.as_bytes().get(3) == Some(&b' '))
            .map(|line| &line[..3])
            .collect()
    }

    #[test]
    fn a_pipelined_transaction_yields_the_message_unstuffed() {
        let mut session = Session::new(settings());
        let (replies, event) = run(
            &mut session,
            "EHLO exchange.example\r\nMAIL FROM:<a@huisartsen-oost.nl> SIZE=40 BODY=8BITMIME\r\n\
             RCPT TO:<b@zorgmail.nl>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n\
             Subject: x\r\n\r\n..dotted line\r\nend\r\n.\r\n",
        );

        assert!(replies.starts_with("250-relay.example.nl Send Secure relay\r\n"));
        for capability in ["SIZE 1000", "8BITMIME", "PIPELINING", "ENHANCEDSTATUSCODES"] {
            assert!(replies.contains(capability), "{replies}");
        }
        assert!(replies.contains("250 STARTTLS\r\n"), "{replies}");
        assert_eq!(codes(&replies), ["250", "250", "250", "250", "354"]);
        assert_eq!(
            event,
            Some(Event::Message(
                Envelope {
                    mail_from: "a@huisartsen-oost.nl".into(),
                    recipients: vec!["b@zorgmail.nl".into(), "c@example.com".into()],
                },
                b"Subject: x\r\n\r\n.dotted line\r\nend\r\n".to_vec()
            ))
        );
        let mut out = Vec::new();
        session.answer(&Reply::new(250, [2, 0, 0], "done"), &mut out);
        assert_eq!(out, b"250 2.0.0 done\r\n");
        let (replies, _) = run(&mut session, "MAIL FROM:<a@huisartsen-oost.nl>\r\n");
        assert_eq!(codes(&replies), ["250"], "the next transaction may start");
    }

    #[test]
    fn mail_waits_for_starttls_outside_loopback() {
        let mut session = Session::new(Settings {
            tls_required: true,
            ..settings()
        });
        let (replies, _) = run(&mut session, "EHLO x\r\nMAIL FROM:<a@b.nl>\r\n");
        assert!(replies.ends_with("530 5.7.0 Must issue a STARTTLS command first\r\n"));

        let (replies, event) = run(&mut session, "STARTTLS\r\n");
        assert_eq!(replies, "220 2.0.0 Ready to start TLS\r\n");
        assert_eq!(event, Some(Event::StartTls));
        session.tls_started();

        let (replies, _) = run(&mut session, "MAIL FROM:<a@b.nl>\r\n");
        assert_eq!(codes(&replies), ["503"], "EHLO again after STARTTLS");
        let (replies, _) = run(&mut session, "EHLO x\r\nMAIL FROM:<a@b.nl>\r\n");
        assert!(
            !replies.contains("STARTTLS"),
            "not offered twice: {replies}"
        );
        assert_eq!(codes(&replies), ["250", "250"]);
    }

    #[test]
    fn starttls_is_not_offered_without_a_certificate() {
        let mut session = Session::new(Settings {
            tls_available: false,
            ..settings()
        });
        let (replies, event) = run(&mut session, "EHLO x\r\nSTARTTLS\r\n");
        assert!(!replies.contains("250-STARTTLS") && !replies.contains("250 STARTTLS"));
        assert!(replies.ends_with("502 5.5.1 STARTTLS is not offered\r\n"));
        assert_eq!(event, None);
    }

    #[test]
    fn size_is_announced_and_enforced() {
        let mut session = Session::new(settings());
        let (replies, _) = run(&mut session, "EHLO x\r\nMAIL FROM:<a@b.nl> SIZE=1001\r\n");
        assert!(replies.ends_with("552 5.3.4 Message too big for this relay\r\n"));

        let big = "x".repeat(1_200);
        let (replies, event) = run(
            &mut session,
            &format!("MAIL FROM:<a@b.nl>\r\nRCPT TO:<c@d.nl>\r\nDATA\r\n{big}\r\n.\r\nNOOP\r\n"),
        );
        assert_eq!(event, None, "an oversized message is never delivered");
        assert_eq!(codes(&replies), ["250", "250", "354", "552", "250"]);
    }

    #[test]
    fn commands_out_of_order_are_refused() {
        let mut session = Session::new(settings());
        let (replies, _) = run(&mut session, "MAIL FROM:<a@b.nl>\r\n");
        assert_eq!(codes(&replies), ["503"], "EHLO first");
        let (replies, _) = run(
            &mut session,
            "HELO x\r\nRCPT TO:<c@d.nl>\r\nDATA\r\nMAIL FROM:<a@b.nl>\r\nMAIL FROM:<a@b.nl>\r\n",
        );
        assert_eq!(codes(&replies), ["250", "503", "503", "250", "503"]);
        let (replies, _) = run(
            &mut session,
            "RCPT TO:<1@d.nl>\r\nRCPT TO:<2@d.nl>\r\nRCPT TO:<3@d.nl>\r\nRCPT TO:<4@d.nl>\r\n",
        );
        assert_eq!(codes(&replies), ["250", "250", "250", "452"]);
        let (replies, _) = run(
            &mut session,
            "RSET\r\nDATA\r\nAUTH PLAIN AAAA\r\nVRFY x\r\n",
        );
        assert_eq!(codes(&replies), ["250", "503", "502", "252"]);
    }

    #[test]
    fn garbage_gets_errors_and_then_the_door() {
        let mut session = Session::new(settings());
        let (replies, event) = run(&mut session, &"HELLO?\r\n".repeat(12));
        assert_eq!(codes(&replies).len(), 10);
        assert!(replies.ends_with("421 4.7.0 Too many errors; closing\r\n"));
        assert_eq!(event, Some(Event::Close));
    }

    #[test]
    fn quit_says_bye_and_closes() {
        let mut session = Session::new(settings());
        let (replies, event) = run(&mut session, "QUIT\r\n");
        assert_eq!(replies, "221 2.0.0 Bye\r\n");
        assert_eq!(event, Some(Event::Close));
    }

    #[test]
    fn input_split_anywhere_is_read_the_same() {
        let whole = "EHLO x\r\nMAIL FROM:<a@b.nl>\r\nRCPT TO:<c@d.nl>\r\nDATA\r\nhello\r\n.\r\n";
        for split in 1..whole.len() {
            let mut session = Session::new(settings());
            let (first, event) = run(&mut session, &whole[..split]);
            let (rest, event) = match event {
                Some(event) => (String::new(), Some(event)),
                None => run(&mut session, &whole[split..]),
            };
            assert_eq!(
                event,
                Some(Event::Message(
                    Envelope {
                        mail_from: "a@b.nl".into(),
                        recipients: vec!["c@d.nl".into()]
                    },
                    b"hello\r\n".to_vec()
                )),
                "split at {split}: {first}{rest}"
            );
        }
    }
}
