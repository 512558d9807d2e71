//! The test's side of the relay (SPEC §13): it plays Exchange Online. [`SmtpClient`] speaks
//! SMTP to the relay over TCP, with STARTTLS trusting the server's development CA, exactly
//! what Exchange's outbound connector does; [`OutboundMail`] builds the MIME message a
//! clinician's Outlook would have sent, carrying the send token the API issued.

use std::{
    net::{IpAddr, SocketAddr},
    path::Path,
    sync::Arc,
};

use lettre::message::{Attachment, Mailbox, Message, MultiPart, SinglePart, header::ContentType};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    net::{TcpSocket, TcpStream},
};
use tokio_rustls::{
    TlsConnector,
    client::TlsStream,
    rustls::{
        ClientConfig, RootCertStore,
        pki_types::{CertificateDer, ServerName, pem::PemObject},
    },
};

/// One reply: its code and its lines' texts after the code.
#[derive(Clone, Debug)]
pub struct SmtpReply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl SmtpReply {
    /// The last line as the server wrote it, e.g. `550 5.7.1 Send Secure refused …`.
    pub fn line(&self) -> String {
        format!(
            "{} {}",
            self.code,
            self.lines.last().map_or("", String::as_str)
        )
    }

    #[track_caller]
    pub fn assert_code(&self, code: u16) -> &Self {
        assert_eq!(self.code, code, "reply: {self:?}");
        self
    }

    /// Asserts the enhanced status code and a piece of the text.
    #[track_caller]
    pub fn assert_says(&self, code: u16, status: &str, text: &str) {
        let line = self.line();
        assert!(
            line.starts_with(&format!("{code} {status} ")) && line.contains(text),
            "expected {code} {status} …{text}…, got {line:?}"
        );
    }
}

/// A raw SMTP client: every command and reply is the test's to see.
pub struct SmtpClient<S> {
    io: BufReader<S>,
}

impl SmtpClient<TcpStream> {
    /// Connects to `relay`, from `from` when given (another local address than loopback),
    /// and reads the greeting.
    pub async fn connect(relay: SocketAddr, from: Option<IpAddr>) -> (Self, SmtpReply) {
        let socket = match relay {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        }
        .expect("a socket");
        if let Some(from) = from {
            socket
                .bind(SocketAddr::new(from, 0))
                .expect("binds to the local address");
        }
        let stream = socket.connect(relay).await.expect("the relay answers");
        let mut client = Self {
            io: BufReader::new(stream),
        };
        let greeting = client.reply().await;
        (client, greeting)
    }

    /// `EHLO`, `STARTTLS`, the handshake (the certificate must chain to `ca` and name
    /// `localhost`), and `EHLO` again.
    pub async fn starttls(mut self, ca: &Path) -> SmtpClient<TlsStream<TcpStream>> {
        self.command("EHLO exchange.test").await.assert_code(250);
        self.command("STARTTLS").await.assert_code(220);
        let mut roots = RootCertStore::empty();
        let pem = std::fs::read(ca).expect("the CA certificate");
        for certificate in CertificateDer::pem_slice_iter(&pem) {
            roots
                .add(certificate.expect("a PEM certificate"))
                .expect("a CA certificate");
        }
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS 1.2 and 1.3")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from("localhost").expect("a name");
        let stream = TlsConnector::from(Arc::new(config))
            .connect(name, self.io.into_inner())
            .await
            .expect("the TLS handshake succeeds");
        let mut client = SmtpClient {
            io: BufReader::new(stream),
        };
        client.command("EHLO exchange.test").await.assert_code(250);
        client
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> SmtpClient<S> {
    pub async fn command(&mut self, line: &str) -> SmtpReply {
        self.write(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// One transaction: `MAIL FROM`, `RCPT TO` each, `DATA`, the message dot-stuffed, `.`.
    /// Returns the reply to the message (or the first refusal before it).
    pub async fn send(&mut self, from: &str, to: &[&str], message: &[u8]) -> SmtpReply {
        let reply = self.command(&format!("MAIL FROM:<{from}>")).await;
        if reply.code != 250 {
            return reply;
        }
        for recipient in to {
            let reply = self.command(&format!("RCPT TO:<{recipient}>")).await;
            if reply.code != 250 {
                return reply;
            }
        }
        let reply = self.command("DATA").await;
        if reply.code != 354 {
            return reply;
        }
        let mut data = Vec::with_capacity(message.len() + 1024);
        for line in message.split_inclusive(|&b| b == b'\n') {
            if line.starts_with(b".") {
                data.push(b'.');
            }
            data.extend_from_slice(line);
        }
        if !data.ends_with(b"\r\n") {
            data.extend_from_slice(b"\r\n");
        }
        data.extend_from_slice(b".\r\n");
        self.write(&data).await;
        self.reply().await
    }

    async fn write(&mut self, bytes: &[u8]) {
        let stream = self.io.get_mut();
        stream.write_all(bytes).await.expect("the relay reads");
        stream.flush().await.expect("the relay reads");
    }

    async fn reply(&mut self) -> SmtpReply {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = self.io.read_line(&mut line).await.expect("a reply");
            assert!(read > 0, "the relay closed the connection after {lines:?}");
            let line = line.trim_end();
            let code = line
                .get(..3)
                .and_then(|code| code.parse().ok())
                .unwrap_or_else(|| panic!("a reply code in {line:?}"));
            lines.push(line.get(4..).unwrap_or_default().to_owned());
            if line.as_bytes().get(3) != Some(&b'-') {
                return SmtpReply { code, lines };
            }
        }
    }
}

/// A local address that is not loopback: the relay must treat a client there as being on
/// the network (STARTTLS required, `relay.accept_from` applies).
pub fn non_loopback_address() -> IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").expect("a UDP socket");
    // No packet is sent: connecting a UDP socket only picks the route and its source address.
    socket
        .connect("198.51.100.1:9")
        .expect("this machine has a default route (these tests need a network interface)");
    let address = socket.local_addr().expect("a local address").ip();
    assert!(!address.is_loopback(), "{address}");
    address
}

/// The message Outlook sends, as Exchange hands it on.
#[derive(Clone, Debug)]
pub struct OutboundMail {
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// An HTML alternative to `body`, as Outlook sends it.
    pub html: Option<String>,
    /// `(file name, bytes)` each.
    pub attachments: Vec<(String, Vec<u8>)>,
    pub message_id: String,
    /// The Message-ID this mail answers (`In-Reply-To` and `References`).
    pub in_reply_to: Option<String>,
    /// Each value becomes an `X-SendSecure-Token` header.
    pub tokens: Vec<String>,
}

impl OutboundMail {
    pub fn new(from: &str, to: &[&str]) -> Self {
        Self {
            from: from.to_owned(),
            to: to.iter().map(|a| (*a).to_owned()).collect(),
            cc: Vec::new(),
            subject: "Uitslag bloedonderzoek".into(),
            body: "Beste mevrouw Bakker, uw Hb is 8.1 mmol/l.".into(),
            html: None,
            attachments: lab_results(1),
            message_id: format!("{:032x}@huisartsen-oost.nl", rand::random::<u128>()),
            in_reply_to: None,
            tokens: Vec::new(),
        }
    }

    pub fn token(mut self, token: &str) -> Self {
        self.tokens.push(token.to_owned());
        self
    }

    pub fn cc(mut self, cc: &[&str]) -> Self {
        self.cc = cc.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    pub fn attachments(mut self, count: usize) -> Self {
        self.attachments = lab_results(count);
        self
    }

    pub fn message_id(mut self, id: &str) -> Self {
        self.message_id = id.to_owned();
        self
    }

    /// The MIME bytes: the same every time (a fixed date, a boundary from the Message-ID),
    /// as Exchange resends the very same message.
    pub fn mime(&self) -> Vec<u8> {
        let mailbox = |address: &str| -> Mailbox { address.parse().expect("an address") };
        let mut builder = Message::builder()
            .from(Mailbox::new(
                Some("A. Jansen".into()),
                self.from.parse().expect("an address"),
            ))
            .subject(self.subject.clone())
            .date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000))
            .message_id(Some(format!("<{}>", self.message_id)));
        for to in &self.to {
            builder = builder.to(mailbox(to));
        }
        for cc in &self.cc {
            builder = builder.cc(mailbox(cc));
        }
        if let Some(answered) = &self.in_reply_to {
            builder = builder
                .in_reply_to(format!("<{answered}>"))
                .references(format!("<{answered}>"));
        }
        let boundary = format!("boundary-{}", self.message_id.replace('@', "-"));
        let text = SinglePart::plain(self.body.clone());
        let mut body = match &self.html {
            None => MultiPart::mixed().boundary(boundary).singlepart(text),
            Some(html) => MultiPart::mixed().boundary(boundary).multipart(
                MultiPart::alternative()
                    .singlepart(text)
                    .singlepart(SinglePart::html(html.clone())),
            ),
        };
        for (name, bytes) in &self.attachments {
            body = body.singlepart(Attachment::new(name.clone()).body(
                bytes.clone(),
                ContentType::parse("application/pdf").expect("a content type"),
            ));
        }
        // Outlook set the header; Exchange keeps it (several, when someone added their own).
        let mut mime = Vec::new();
        for token in &self.tokens {
            mime.extend_from_slice(format!("X-SendSecure-Token: {token}\r\n").as_bytes());
        }
        mime.extend(builder.multipart(body).expect("a message").formatted());
        mime
    }
}

/// `count` lab result PDFs.
fn lab_results(count: usize) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|n| (format!("uitslag-{n}.pdf"), b"%PDF-1.7 lab results".to_vec()))
        .collect()
}
