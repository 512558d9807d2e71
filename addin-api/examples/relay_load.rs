//! The relay's throughput and latency (issue 10, "Measure"): 100 KB messages to three
//! recipients — one in the community, one internal, one for the Viewer — handed to the relay
//! by `--connections` SMTP clients at once, as Exchange Online's connector does, measured
//! against the next-hop SMTP server's own intake rate for the same messages in the same run.
//!
//! The next hop is an SMTP server on loopback (a sink: it reads every message whole and
//! answers 250). Both rates are messages per second accepted; per relayed message the relay
//! hands over three (the community and internal recipients' copy, the Viewer notification,
//! the sender's confirmation).
//!
//!     cargo run --release -p addin-api --example relay_load -- --messages 2000
//!     (./dev bench-relay)

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use addin_api::{
    app::App,
    checking,
    clock::SystemClock,
    config::ServeArgs,
    server::RunningServer,
    sessions::{DeviceId, Proof},
};
use addin_core::{address::Address, draft::Draft};
use anyhow::Context as _;
use clap::Parser;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    address::Envelope,
    message::{Attachment, MultiPart, SinglePart, header::ContentType},
};
use smtp_proto::request::receiver::DataReceiver;
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

const SENDER: &str = "a.jansen@huisartsen-oost.nl";
const COMMUNITY: &str = "b.smit@ziekenhuis-west.nl";
const INTERNAL: &str = "b.devries@huisartsen-oost.nl";
const VIEWER: &str = "m.bakker@example.com";

#[derive(Parser)]
struct Args {
    /// Messages per phase
    #[arg(long, default_value_t = 1000)]
    messages: usize,
    /// SMTP connections sending at once
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// The message's size in bytes (about; it is one attachment and a line of text)
    #[arg(long, default_value_t = 100 * 1024)]
    size: usize,
    /// postgres://… to run on PostgreSQL [default: SQLite in a temporary directory]
    #[arg(long)]
    database_url: Option<String>,
    /// Leave the Viewer recipient out: one hand-over per relayed message instead of three,
    /// which shows the relay's own cost next to the next hop's
    #[arg(long)]
    without_viewer: bool,
    /// An SMTP server already listening on loopback to be the next hop, e.g. the Postfix of
    /// scripts/postfix-next-hop.sh [default: a sink in this process that takes every message]
    #[arg(long)]
    next_hop: Option<SocketAddr>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    addin_api::tls::install_crypto_provider();
    let sink = match args.next_hop {
        Some(addr) => Sink::External(addr),
        None => Sink::start().await?,
    };
    let dir = tempfile::tempdir()?;
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[organisation]\ndomains = [\"huisartsen-oost.nl\"]\n\
             [relay]\nnext_hop = \"smtp://{}\"\n",
            sink.addr()
        ),
    )?;
    let mut serve = ServeArgs::defaults();
    serve.listen = "127.0.0.1:0".parse()?;
    serve.smtp_listen = Some("127.0.0.1:0".parse()?);
    serve.data_dir = dir.path().join("data");
    serve.policy = Some(policy);
    serve.database_url = args.database_url.as_deref().map(Into::into);
    let server = RunningServer::start(&serve, Arc::new(SystemClock), |_| None).await?;
    let relay = server.relay.as_ref().context("the relay listens")?.addr;

    let to: &[&str] = if args.without_viewer {
        &[COMMUNITY]
    } else {
        &[COMMUNITY, VIEWER]
    };
    let mime = |token: Option<&str>| message(token, to, args.size);
    println!(
        "relay load: {} messages of {} KB per phase, {} connections, {}, next hop {}",
        args.messages,
        mime(None)?.len() / 1024,
        args.connections,
        if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        match sink {
            Sink::External(addr) => format!("at {addr}"),
            Sink::InProcess { .. } => "in process (takes every message)".into(),
        }
    );

    // The next hop alone: what it takes when nothing stands in front of it.
    let direct: Vec<Vec<u8>> = (0..args.messages)
        .map(|_| mime(None))
        .collect::<Result<_, _>>()?;
    let baseline = run(sink.addr(), to, direct, args.connections).await?;
    baseline.report("next hop's own intake");

    // Through the relay: each message with a token of its own, issued beforehand.
    let tokens = issue_tokens(&server.app, to, args.messages).await?;
    let relayed: Vec<Vec<u8>> = tokens
        .iter()
        .map(|token| mime(Some(token)))
        .collect::<Result<_, _>>()?;
    let through = run(relay, to, relayed, args.connections).await?;
    through.report("through the relay");
    let handovers = if args.without_viewer { 1.0 } else { 3.0 };
    println!(
        "ratio: {:.0} % of the next hop's own intake rate; the relay handed it {:.0} % as many \
         messages ({handovers} per relayed one{})",
        100.0 * through.rate() / baseline.rate(),
        100.0 * handovers * through.rate() / baseline.rate(),
        if args.without_viewer {
            ""
        } else {
            ": the copy, the notification, the confirmation"
        }
    );
    server.shutdown().await?;
    Ok(())
}

/// A signed-in sender with the patient's number saved, and `count` send tokens for the draft.
async fn issue_tokens(app: &App, to: &[&str], count: usize) -> anyhow::Result<Vec<String>> {
    let mailbox = Address::parse(SENDER)?;
    let device = DeviceId::parse("relay-load-device-0001")?;
    let (token, _) = app
        .sessions
        .issue(&mailbox, &device, Proof::EmailCode)
        .await?;
    let session = app.sessions.authenticate(&token, device.as_str()).await?;
    app.pairings
        .put(
            &session.mailbox_hash,
            &Address::parse(VIEWER)?,
            "06 12345678",
        )
        .await?;
    let to: Vec<serde_json::Value> = to
        .iter()
        .map(|address| serde_json::json!({ "address": address }))
        .collect();
    let draft: Draft = serde_json::from_value(serde_json::json!({
        "sender": SENDER,
        "to": to,
        "cc": [{"address": INTERNAL}],
        "subject": "Uitslag bloedonderzoek",
        "attachments": [{"name": "uitslag.pdf", "size": 75000}],
    }))?;
    let mut tokens = Vec::with_capacity(count);
    for _ in 0..count {
        let issued = checking::issue_send_token(app, &session, draft.clone()).await?;
        tokens.push(issued.token);
    }
    Ok(tokens)
}

/// A message as Outlook sends it: a line of text and one attachment, about `size` bytes.
fn message(token: Option<&str>, to: &[&str], size: usize) -> anyhow::Result<Vec<u8>> {
    let attachment = vec![b'x'; size];
    let mut builder = Message::builder().from(SENDER.parse()?);
    for address in to {
        builder = builder.to(address.parse()?);
    }
    let message = builder
        .cc(INTERNAL.parse()?)
        .subject("Uitslag bloedonderzoek")
        .message_id(None)
        .date(SystemTime::now())
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain("Beste mevrouw Bakker,".to_owned()))
                .singlepart(
                    Attachment::new("uitslag.pdf".into())
                        .body(attachment, ContentType::parse("application/pdf")?),
                ),
        )?;
    let mut raw = match token {
        Some(token) => format!("X-SendSecure-Token: {token}\r\n").into_bytes(),
        None => Vec::new(),
    };
    raw.extend(message.formatted());
    Ok(raw)
}

/// What one phase measured.
struct Phase {
    messages: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64()
    }

    fn report(&self, name: &str) {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = |p: f64| {
            let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[index].as_secs_f64() * 1000.0
        };
        println!(
            "{name}: {:.0} messages/s ({} in {:.2} s); latency per message p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
            self.rate(),
            self.messages,
            self.elapsed.as_secs_f64(),
            at(0.50),
            at(0.95),
            at(0.99)
        );
    }
}

/// Sends `messages` to `server` over `connections` pooled connections; every message must be
/// accepted.
async fn run(
    server: SocketAddr,
    to: &[&str],
    messages: Vec<Vec<u8>>,
    connections: usize,
) -> anyhow::Result<Phase> {
    let transport =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.ip().to_string())
            .port(server.port())
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(connections as u32))
            .build();
    let envelope = Envelope::new(
        Some(SENDER.parse()?),
        to.iter()
            .map(|address| address.parse())
            .collect::<Result<_, _>>()?,
    )?;
    let messages = Arc::new(messages);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (transport, envelope, messages, next) = (
                transport.clone(),
                envelope.clone(),
                Arc::clone(&messages),
                Arc::clone(&next),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(message) = messages.get(index) else {
                        return Ok::<_, anyhow::Error>(latencies);
                    };
                    let sent = Instant::now();
                    transport.send_raw(&envelope, message).await?;
                    latencies.push(sent.elapsed());
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(messages.len());
    for worker in workers {
        latencies.extend(worker.await??);
    }
    Ok(Phase {
        messages: messages.len(),
        elapsed: started.elapsed(),
        latencies,
    })
}

/// The next hop: one given, or an SMTP server in this process that reads each message whole
/// and takes it.
enum Sink {
    External(SocketAddr),
    InProcess { addr: SocketAddr },
}

impl Sink {
    async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(converse(stream));
            }
        });
        Ok(Self::InProcess { addr })
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Self::External(addr) | Self::InProcess { addr } => *addr,
        }
    }
}

async fn converse(stream: TcpStream) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    stream.get_mut().write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match command.as_str() {
            "EHLO" => b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 41943040\r\n",
            "DATA" => {
                stream.get_mut().write_all(b"354 go on\r\n").await?;
                let mut receiver = DataReceiver::new();
                let mut message = Vec::new();
                let mut chunk = vec![0u8; 64 * 1024];
                loop {
                    // What the reader already holds first, then the socket.
                    let buffered = stream.buffer().to_vec();
                    let bytes = if buffered.is_empty() {
                        let read = stream.get_mut().read(&mut chunk).await?;
                        if read == 0 {
                            return Ok(());
                        }
                        chunk[..read].to_vec()
                    } else {
                        stream.consume(buffered.len());
                        buffered
                    };
                    let mut iter = bytes.iter();
                    if receiver.ingest(&mut iter, &mut message) {
                        break;
                    }
                }
                b"250 2.0.0 taken\r\n"
            }
            "QUIT" => {
                stream.get_mut().write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 2.0.0 ok\r\n",
        };
        stream.get_mut().write_all(reply).await?;
    }
}
