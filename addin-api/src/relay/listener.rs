//! The relay's TCP side: only clients in `relay.accept_from` get a greeting (others a 554),
//! STARTTLS with the server's certificate, required of every client that is not on loopback,
//! idle timeouts and a cap on connections. Each connection's SMTP is a [`Session`].

use std::{
    io,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::Semaphore,
    task::JoinHandle,
};
use tokio_rustls::{TlsAcceptor, rustls::ServerConfig};

use super::{
    MAX_MESSAGE_SIZE, deliver,
    reply::Reply,
    session::{Event, Session, Settings},
};
use crate::{Error, app::App};

/// RFC 5321 §4.5.3.2 asks servers to wait at least 5 minutes for the next command or data.
const IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// A TLS handshake is a few round trips.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; more wait for Exchange's retry (421). Each may hold a
/// message of up to 40 MB in memory.
const MAX_CONNECTIONS: usize = 256;
/// A dispatch has at most 100 recipients (SPEC §5.4).
const MAX_RECIPIENTS: usize = 100;
const READ_BUFFER: usize = 64 * 1024;

/// A listening relay; stops when dropped.
#[derive(Debug)]
pub struct RelayListener {
    pub addr: SocketAddr,
    accepting: JoinHandle<()>,
}

impl Drop for RelayListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl RelayListener {
    /// Listens on `addr`. `tls` is the server's certificate, for STARTTLS.
    pub async fn start(
        addr: SocketAddr,
        app: Arc<App>,
        tls: Option<Arc<ServerConfig>>,
    ) -> Result<Self, Error> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|error| Error::InvalidConfig {
                key: "smtp_listen",
                problem: format!("cannot listen on {addr}: {error}"),
            })?;
        let addr = listener
            .local_addr()
            .map_err(|error| Error::InvalidConfig {
                key: "smtp_listen",
                problem: format!("cannot listen on {addr}: {error}"),
            })?;
        let hostname = url::Url::parse(&app.base_url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".into());
        let tls = tls.map(|config| {
            // The HTTPS configuration offers h2 and http/1.1 by ALPN; SMTP has no ALPN, and a
            // client that sent some other protocol would be refused the handshake.
            let mut config = (*config).clone();
            config.alpn_protocols.clear();
            TlsAcceptor::from(Arc::new(config))
        });
        let accepting = tokio::spawn(accept(listener, app, tls, hostname));
        Ok(Self { addr, accepting })
    }
}

async fn accept(listener: TcpListener, app: Arc<App>, tls: Option<TlsAcceptor>, hostname: String) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: wait a moment rather than spin.
                tracing::warn!(%error, "the relay cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = Arc::clone(&app);
        let tls = tls.clone();
        let settings = Settings {
            hostname: hostname.clone(),
            tls_available: tls.is_some(),
            tls_required: !is_loopback(peer.ip()),
            max_message_size: MAX_MESSAGE_SIZE,
            max_recipients: MAX_RECIPIENTS,
        };
        let slot = Arc::clone(&slots).try_acquire_owned();
        tokio::spawn(async move {
            let outcome = match slot {
                Ok(_slot) => converse(stream, peer.ip(), &app, tls, settings).await,
                Err(_) => {
                    refuse(
                        stream,
                        Reply::new(421, [4, 3, 2], "Too busy; try again later"),
                    )
                    .await
                }
            };
            if let Err(error) = outcome {
                // A client that drops the connection half-way is the client's business.
                tracing::debug!(%error, "a relay connection ended early");
            }
        });
    }
}

/// One client, from greeting to goodbye.
async fn converse(
    stream: TcpStream,
    peer: IpAddr,
    app: &App,
    tls: Option<TlsAcceptor>,
    settings: Settings,
) -> io::Result<()> {
    if !app
        .policy
        .relay
        .accept_from
        .iter()
        .any(|range| range.contains(peer))
    {
        tracing::warn!(%peer, "the relay refused a client outside relay.accept_from");
        let text = "Send Secure relay: this client may not connect here";
        return refuse(stream, Reply::new(554, [5, 7, 1], text)).await;
    }
    let mut session = Session::new(settings);
    let mut out = Vec::new();
    session.greeting(&mut out);
    let Some(stream) = exchange(&mut session, stream, &mut out, app).await? else {
        return Ok(());
    };
    let Some(acceptor) = tls else {
        return Ok(());
    };
    let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => {
            tracing::info!(%peer, %error, "a relay client's TLS handshake failed");
            return Ok(());
        }
        Err(_) => return Ok(()),
    };
    session.tls_started();
    exchange(&mut session, stream, &mut out, app).await?;
    Ok(())
}

/// Runs the conversation on `stream` until the client leaves (`None`) or asks for STARTTLS
/// (the stream comes back, to be wrapped).
async fn exchange<S>(
    session: &mut Session,
    mut stream: S,
    out: &mut Vec<u8>,
    app: &App,
) -> io::Result<Option<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        // Pipelined commands' replies go out together, before waiting for more.
        send(&mut stream, out).await?;
        let read = match tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut buffer)).await {
            Ok(read) => read?,
            Err(_) => {
                Reply::new(421, [4, 4, 2], "Idle too long; closing").write(out);
                send(&mut stream, out).await?;
                return Ok(None);
            }
        };
        if read == 0 {
            return Ok(None);
        }
        let mut input = &buffer[..read];
        while let Some(event) = session.feed(&mut input, out) {
            match event {
                Event::Message(envelope, message) => {
                    send(&mut stream, out).await?;
                    let reply = deliver(app, &envelope, &message).await;
                    session.answer(&reply, out);
                }
                Event::StartTls => {
                    send(&mut stream, out).await?;
                    // Commands sent before the handshake would be read as if protected
                    // (CVE-2011-0411): a client that pipelines past STARTTLS is dropped.
                    return Ok(input.is_empty().then_some(stream));
                }
                Event::Close => {
                    send(&mut stream, out).await?;
                    return Ok(None);
                }
            }
        }
    }
}

async fn send<S: AsyncWrite + Unpin>(stream: &mut S, out: &mut Vec<u8>) -> io::Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    stream.write_all(out).await?;
    stream.flush().await?;
    out.clear();
    Ok(())
}

async fn refuse(mut stream: TcpStream, reply: Reply) -> io::Result<()> {
    let mut out = Vec::new();
    reply.write(&mut out);
    stream.write_all(&out).await?;
    stream.shutdown().await
}

/// Loopback, also as an IPv4 address mapped into IPv6 on a dual-stack socket.
fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}
