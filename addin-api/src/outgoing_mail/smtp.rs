//! SMTP to the organisation's server: lettre speaks the protocol; the connections are our own,
//! so that they can have `TCP_NODELAY`.
//!
//! Why not lettre's own pooled transport: lettre writes a message and then, in a second small
//! write, the closing `CRLF . CRLF`. With Nagle's algorithm on, that small write waits for the
//! server's ACK of the message, which a server that has nothing to say yet delays by 40 ms
//! (Linux) to 200 ms (Windows). The relay hands over three messages per Viewer mail, so this
//! cost 92 ms per relayed message on loopback (see README, "Performance"). lettre builds its
//! own sockets and offers no way to set the option; it does take a connected stream
//! ([`AsyncSmtpConnection::connect_with_transport`]), so we connect, set the option, and keep
//! idle connections for reuse ourselves.

use std::{
    io,
    net::SocketAddr,
    path::Path,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use lettre::{
    address::Envelope,
    transport::smtp::{
        Error as SmtpError,
        authentication::{Credentials, Mechanism},
        client::{AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters},
        extension::ClientId,
        response::Response,
    },
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
};
use tokio_rustls::{
    TlsConnector,
    rustls::{
        ClientConfig, RootCertStore,
        pki_types::{CertificateDer, ServerName, pem::PemObject},
    },
};
use url::Url;

use crate::Error;

/// Connecting, and each message, may take this long before it counts as a temporary failure.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
/// Idle connections kept for reuse, and for how long: servers close idle connections after a
/// few minutes (Postfix: 5), and a reused dead one costs a retry.
const MAX_IDLE: usize = 16;
const MAX_IDLE_AGE: Duration = Duration::from_secs(55);

/// How the connection to the SMTP server is secured, as the URL says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Security {
    /// `smtp://host`: no TLS (a relay on the same host).
    None,
    /// `smtp://host?tls=opportunistic`: STARTTLS when offered.
    Opportunistic,
    /// `smtp://host?tls=required`: STARTTLS or fail.
    Required,
    /// `smtps://host`: TLS from the first byte.
    Implicit,
}

impl Security {
    pub(super) fn of(url: &Url) -> Option<Self> {
        let tls = url
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.into_owned());
        match (url.scheme(), tls.as_deref()) {
            ("smtps", _) => Some(Self::Implicit),
            ("smtp", Some("required")) => Some(Self::Required),
            ("smtp", Some("opportunistic")) => Some(Self::Opportunistic),
            ("smtp", None) => Some(Self::None),
            _ => None,
        }
    }

    /// The port a URL without one means: SMTP, submission, or submissions (RFC 8314).
    fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::Opportunistic | Self::Required => 587,
            Self::Implicit => 465,
        }
    }
}

/// One SMTP server and the connections kept open to it.
pub struct SmtpClient {
    host: String,
    port: u16,
    security: Security,
    /// For STARTTLS.
    starttls: TlsParameters,
    /// For TLS from the first byte.
    implicit: TlsConnector,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: Mutex<Vec<(Instant, AsyncSmtpConnection)>>,
}

impl std::fmt::Debug for SmtpClient {
    /// The URL may hold a password: only where the server is.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpClient")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

impl SmtpClient {
    /// `url`: `smtp://[user:password@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://[user:password@]host[:port]`. `key` names the setting in errors, which never
    /// quote the URL (it may hold the password).
    pub fn from_url(
        url: &str,
        key: &'static str,
        extra_roots: Option<&Path>,
    ) -> Result<Self, Error> {
        let invalid = |problem: String| Error::InvalidConfig { key, problem };
        let usage = || {
            invalid(
                "must be smtp://host[:port][?tls=required|opportunistic] or smtps://host[:port], \
                 with user:password@ before the host if the server wants it"
                    .into(),
            )
        };
        let parsed = Url::parse(url).map_err(|_| usage())?;
        let security = Security::of(&parsed).ok_or_else(usage)?;
        let host = parsed
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(usage)?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        // Patient data and sign-in codes must not cross the network in clear.
        if matches!(security, Security::None | Security::Opportunistic) && !is_loopback(&host) {
            return Err(invalid(
                "must require TLS (smtps:// or ?tls=required) unless the server is on this machine"
                    .into(),
            ));
        }
        let credentials = match parsed.password() {
            None => None,
            Some(password) => {
                let decode = |text: &str| {
                    percent_encoding::percent_decode_str(text)
                        .decode_utf8()
                        .map(|text| text.into_owned())
                        .map_err(|_| usage())
                };
                Some(Credentials::new(
                    decode(parsed.username())?,
                    decode(password)?,
                ))
            }
        };
        let extra = match extra_roots {
            None => Vec::new(),
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    invalid(format!("cannot read the CA file {}: {e}", path.display()))
                })?;
                CertificateDer::pem_slice_iter(&pem)
                    .collect::<Result<Vec<_>, _>>()
                    .ok()
                    .filter(|certificates| !certificates.is_empty())
                    .ok_or_else(|| {
                        invalid(format!("{} is not a PEM certificate", path.display()))
                    })?
            }
        };
        let mut starttls = TlsParameters::builder(host.clone());
        for certificate in &extra {
            let certificate = Certificate::from_der(certificate.to_vec())
                .map_err(|e| invalid(format!("cannot use the CA certificate: {e}")))?;
            starttls = starttls.add_root_certificate(certificate);
        }
        let starttls = starttls
            .build_rustls()
            .map_err(|e| invalid(format!("cannot set up TLS: {e}")))?;
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for certificate in extra {
            roots
                .add(certificate)
                .map_err(|e| invalid(format!("cannot use the CA certificate: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let implicit = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(format!("cannot set up TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            port: parsed.port().unwrap_or(security.default_port()),
            host,
            security,
            starttls,
            implicit: TlsConnector::from(Arc::new(implicit)),
            credentials,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Sends one message, on an idle connection when there is one.
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<Response, Failure> {
        if let Some(connection) = self.take_idle() {
            match self.send_on(connection, envelope, raw).await {
                // A connection the server closed while it was idle: once more on a new one.
                Err(Failure::Smtp(error)) if error.status().is_none() => {}
                outcome => return outcome,
            }
        }
        let connection = tokio::time::timeout(CONNECT_TIMEOUT, self.connect())
            .await
            .map_err(|_| Failure::TimedOut)??;
        self.send_on(connection, envelope, raw).await
    }

    async fn send_on(
        &self,
        mut connection: AsyncSmtpConnection,
        envelope: &Envelope,
        raw: &[u8],
    ) -> Result<Response, Failure> {
        let sent = tokio::time::timeout(SEND_TIMEOUT, connection.send(envelope, raw))
            .await
            .map_err(|_| Failure::TimedOut)?
            .map_err(Failure::Smtp);
        // After a refusal the transaction may be half-way: that connection is not reused.
        if sent.is_ok() && !connection.has_broken() {
            self.keep_idle(connection);
        }
        sent
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(Failure::Connect)?;
        stream.set_nodelay(true).map_err(Failure::Connect)?;
        let mut connection = match self.security {
            Security::Implicit => {
                let name = ServerName::try_from(self.host.clone())
                    .map_err(|error| Failure::Tls(error.to_string()))?;
                let tls = self
                    .implicit
                    .connect(name, stream)
                    .await
                    .map_err(|error| Failure::Tls(error.to_string()))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(Tls(tls)), &self.hello)
                    .await
                    .map_err(Failure::Smtp)?
            }
            Security::None | Security::Opportunistic | Security::Required => {
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                    .await
                    .map_err(Failure::Smtp)?
            }
        };
        let upgrade = match self.security {
            Security::Required => true,
            Security::Opportunistic => connection.can_starttls(),
            Security::None | Security::Implicit => false,
        };
        if upgrade {
            connection
                .starttls(self.starttls.clone(), &self.hello)
                .await
                .map_err(Failure::Smtp)?;
        }
        if let Some(credentials) = &self.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(Failure::Smtp)?;
        }
        Ok(connection)
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        while let Some((since, connection)) = idle.pop() {
            if since.elapsed() < MAX_IDLE_AGE {
                return Some(connection);
            }
        }
        None
    }

    fn keep_idle(&self, connection: AsyncSmtpConnection) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if idle.len() < MAX_IDLE {
            #[allow(
                clippy::disallowed_methods,
                reason = "a pooled connection's idle age is the socket's, not the business clock's"
            )]
            idle.push((Instant::now(), connection));
        }
    }
}

/// Why a message did not go.
#[derive(Debug)]
pub enum Failure {
    /// lettre's account of the exchange: a reply with its status, or a broken conversation.
    Smtp(SmtpError),
    /// The server cannot be reached.
    Connect(io::Error),
    Tls(String),
    TimedOut,
}

pub(super) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A TLS stream as lettre's connection takes it.
#[derive(Debug)]
struct Tls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_security_and_the_port_follow_the_url() {
        let client = |url: &str| SmtpClient::from_url(url, "smtp.url", None).expect(url);
        for (url, security, port) in [
            ("smtp://127.0.0.1", Security::None, 25),
            (
                "smtp://127.0.0.1?tls=opportunistic",
                Security::Opportunistic,
                587,
            ),
            ("smtp://h.example.nl?tls=required", Security::Required, 587),
            ("smtps://h.example.nl", Security::Implicit, 465),
            (
                "smtp://h.example.nl:2525?tls=required",
                Security::Required,
                2525,
            ),
            ("smtp://[::1]:2525", Security::None, 2525),
        ] {
            let client = client(url);
            assert_eq!((client.security, client.port), (security, port), "{url}");
        }
        assert_eq!(client("smtp://[::1]:2525").host, "::1");
    }

    #[test]
    fn credentials_are_read_percent_decoded_and_never_shown() {
        let client = SmtpClient::from_url(
            "smtps://send%40secure:p%40ss%2Fword@mail.example.nl",
            "smtp.url",
            None,
        )
        .expect("valid");
        assert!(client.credentials.is_some());
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("p%40ss") && !shown.contains("p@ss"),
            "{shown}"
        );
        assert!(shown.contains("mail.example.nl"), "{shown}");
    }
}
