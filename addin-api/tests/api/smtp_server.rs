//! A real SMTP server on loopback, for the sign-in code tests: the SMTP protocol is `mailin`'s
//! server state machine (the engine of the `mailin-embedded` server), driven over tokio
//! sockets here so it can speak plain SMTP, STARTTLS, or implicit TLS with rustls' ring
//! provider. The API under test talks to it with `lettre` exactly as to a production server.

use std::{
    io,
    net::{IpAddr, SocketAddr},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use mailin::{Action, Handler, Response, Session, SessionBuilder, response};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::JoinHandle,
};
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    },
};

/// How a [`SmtpServer`] secures its connections.
#[derive(Clone)]
pub enum Security {
    /// Plain SMTP, no STARTTLS offered.
    Plain,
    /// STARTTLS offered on the plain connection.
    StartTls(Arc<ServerConfig>),
    /// TLS from the first byte (`smtps://`).
    ImplicitTls(Arc<ServerConfig>),
}

/// One message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    /// Whether the message came over TLS.
    pub over_tls: bool,
}

#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<Received>>,
    /// TLS handshakes that failed, e.g. because the client did not trust the certificate.
    failed_handshakes: AtomicUsize,
    /// Something was received or failed.
    arrived: Notify,
}

/// Listens on 127.0.0.1 on a port of its own; stops when dropped, its open connections too
/// (as a server that goes down would).
pub struct SmtpServer {
    pub addr: SocketAddr,
    inbox: Arc<Inbox>,
    accepting: JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start(security: Security) -> Self {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), security).await
    }

    /// On a given address, e.g. where a stopped server listened.
    pub async fn start_on(addr: SocketAddr, security: Security) -> Self {
        let listener = TcpListener::bind(addr)
            .await
            .expect("a loopback port for SMTP");
        let addr = listener.local_addr().expect("a local address");
        let inbox = Arc::new(Inbox::default());
        let accepting = tokio::spawn(accept(listener, security, Arc::clone(&inbox)));
        Self {
            addr,
            inbox,
            accepting,
        }
    }

    /// The messages received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.messages.lock().expect("not poisoned").clone()
    }

    /// Waits until `count` messages have arrived (at most 10 s), and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        self.wait_until(|| {
            let received = self.received();
            (received.len() >= count).then_some(received)
        })
        .await
        .unwrap_or_else(|| panic!("{count} message(s) arrive over SMTP within 10 s"))
    }

    /// Waits until a client gave up on a TLS handshake (at most 10 s).
    pub async fn wait_for_failed_handshake(&self) {
        self.wait_until(|| (self.inbox.failed_handshakes.load(Ordering::SeqCst) > 0).then_some(()))
            .await
            .unwrap_or_else(|| panic!("a TLS handshake fails within 10 s"));
    }

    async fn wait_until<T>(&self, mut done: impl FnMut() -> Option<T>) -> Option<T> {
        let waiting = async {
            loop {
                // Created before the check, so a notification in between is not missed.
                let arrived = self.inbox.arrived.notified();
                if let Some(result) = done() {
                    return result;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .ok()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

async fn accept(listener: TcpListener, security: Security, inbox: Arc<Inbox>) {
    // Aborting this task (dropping the server) drops the set, which aborts every connection.
    let mut connections = tokio::task::JoinSet::new();
    while let Ok((stream, peer)) = listener.accept().await {
        let security = security.clone();
        let inbox = Arc::clone(&inbox);
        connections.spawn(async move {
            // A connection the client drops half-way is the client's business.
            let _ = converse(stream, peer.ip(), security, inbox).await;
        });
        while connections.try_join_next().is_some() {}
    }
}

/// One SMTP connection, from greeting to QUIT.
async fn converse(
    stream: TcpStream,
    peer: IpAddr,
    security: Security,
    inbox: Arc<Inbox>,
) -> io::Result<()> {
    let over_tls = Arc::new(AtomicBool::new(false));
    let mut builder = SessionBuilder::new("smtp.test.invalid");
    if matches!(security, Security::StartTls(_)) {
        builder.enable_start_tls();
    }
    let collector_inbox = Arc::clone(&inbox);
    let collector = Collector {
        inbox,
        over_tls: Arc::clone(&over_tls),
        message: None,
    };
    let mut session = builder.build(peer, collector);
    match security {
        Security::ImplicitTls(config) => {
            let tls = handshake(&config, stream, &collector_inbox).await?;
            over_tls.store(true, Ordering::SeqCst);
            session.tls_active();
            let mut tls = BufReader::new(tls);
            reply(&mut tls, &session.greeting()).await?;
            exchange(&mut session, &mut tls).await?;
        }
        Security::Plain | Security::StartTls(_) => {
            let mut plain = BufReader::new(stream);
            reply(&mut plain, &session.greeting()).await?;
            let upgrade = exchange(&mut session, &mut plain).await?;
            if let (true, Security::StartTls(config)) = (upgrade, security) {
                let tls = handshake(&config, plain.into_inner(), &collector_inbox).await?;
                over_tls.store(true, Ordering::SeqCst);
                session.tls_active();
                exchange(&mut session, &mut BufReader::new(tls)).await?;
            }
        }
    }
    Ok(())
}

async fn handshake(
    config: &Arc<ServerConfig>,
    stream: TcpStream,
    inbox: &Inbox,
) -> io::Result<tokio_rustls::server::TlsStream<TcpStream>> {
    let accepted = TlsAcceptor::from(Arc::clone(config)).accept(stream).await;
    if accepted.is_err() {
        inbox.failed_handshakes.fetch_add(1, Ordering::SeqCst);
        inbox.arrived.notify_waiters();
    }
    accepted
}

/// Reads commands and answers them until the client quits (`false`) or asks for STARTTLS
/// (`true`).
async fn exchange<S>(
    session: &mut Session<Collector>,
    stream: &mut BufReader<S>,
) -> io::Result<bool>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut line = Vec::new();
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(false);
        }
        let response = session.process(&line);
        match response.action {
            Action::NoReply => {}
            Action::Reply => reply(stream, &response).await?,
            Action::Close => {
                reply(stream, &response).await?;
                return Ok(false);
            }
            Action::UpgradeTls => {
                reply(stream, &response).await?;
                return Ok(true);
            }
        }
    }
}

async fn reply<S>(stream: &mut BufReader<S>, response: &Response) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let bytes = response.buffer()?;
    let stream = stream.get_mut();
    stream.write_all(&bytes).await?;
    stream.flush().await
}

/// Keeps each message that completes in the inbox.
struct Collector {
    inbox: Arc<Inbox>,
    over_tls: Arc<AtomicBool>,
    message: Option<Received>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.message = Some(Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
            over_tls: self.over_tls.load(Ordering::SeqCst),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(message) = &mut self.message {
            message.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(message) = self.message.take() {
            self.inbox
                .messages
                .lock()
                .expect("not poisoned")
                .push(message);
            self.inbox.arrived.notify_waiters();
        }
        response::OK
    }
}

/// A rustls server configuration for a certificate chain and key in PEM.
pub fn tls_config(cert_pem: &str, key_pem: &str) -> Arc<ServerConfig> {
    let certificates = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM certificates");
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("a PEM private key");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .expect("the certificate and key match");
    Arc::new(config)
}
