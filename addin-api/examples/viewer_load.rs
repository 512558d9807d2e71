//! The Viewer's speed (issue 11, "Measure"): a message with a 20 MB attachment goes through the
//! relay into the Viewer; a patient's browser (an HTTPS client keeping the Viewer's cookies)
//! asks for its code and opens it; then the landing, code and message pages are fetched
//! `--requests` times each, one after another, and their time to first byte reported, and the
//! attachment downloaded a few times. Last, `--expired` messages past their retention are put
//! in the store and the retention sweep timed as `serve` runs it.
//!
//!     cargo run --release -p addin-api --example viewer_load
//!     (./dev bench-viewer)

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

use std::{
    net::SocketAddr,
    path::Path,
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use addin_api::{
    app::App,
    checking,
    clock::SystemClock,
    config::ServeArgs,
    server::RunningServer,
    sessions::{DeviceId, Proof},
    store::{DispatchRecord, ViewerMessageRecord, ViewerRecipientRecord},
    viewer,
};
use addin_core::{address::Address, draft::Draft};
use anyhow::{Context as _, bail};
use clap::Parser;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    address::Envelope,
    message::{Attachment, MultiPart, SinglePart, header::ContentType},
};
use reqwest::{StatusCode, header};

const SENDER: &str = "a.jansen@huisartsen-oost.nl";
const PATIENT: &str = "m.bakker@example.com";

#[derive(Parser)]
struct Args {
    /// Requests per page
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// The attachment's size in bytes
    #[arg(long, default_value_t = 20_000_000)]
    attachment: usize,
    /// Requests for the message page at once, for its throughput
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Expired messages for the retention sweep
    #[arg(long, default_value_t = 10_000)]
    expired: usize,
    /// Each expired message's stored size in bytes
    #[arg(long, default_value_t = 16 * 1024)]
    expired_size: usize,
    /// postgres://… to run on PostgreSQL [default: SQLite in a temporary directory]
    #[arg(long)]
    database_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    addin_api::tls::install_crypto_provider();
    let dir = tempfile::tempdir()?;
    let policy = dir.path().join("policy.toml");
    // No next hop: the notification lands in data/relay-outbox/, where the link is read from.
    std::fs::write(
        &policy,
        "[organisation]\ndomains = [\"huisartsen-oost.nl\"]\n",
    )?;
    let mut serve = ServeArgs::defaults();
    serve.listen = "127.0.0.1:0".parse()?;
    serve.smtp_listen = Some("127.0.0.1:0".parse()?);
    serve.data_dir = dir.path().join("data");
    serve.policy = Some(policy);
    serve.database_url = args.database_url.as_deref().map(Into::into);
    let server = RunningServer::start(&serve, Arc::new(SystemClock), |_| None).await?;
    let relay = server.relay.as_ref().context("the relay listens")?.addr;
    println!(
        "viewer load: a {:.1} MB attachment, {} requests per page, {}",
        args.attachment as f64 / 1e6,
        args.requests,
        if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );

    let started = Instant::now();
    send_to_patient(&server.app, relay, args.attachment).await?;
    println!(
        "relayed into the Viewer in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let link = notification_link(&serve.data_dir.join("relay-outbox"))?;
    let mut patient = Patient::new(&serve.data_dir, server.addr)?;
    patient
        .open(&link, &serve.data_dir.join("sms-outbox"))
        .await?;

    for (name, path) in [
        ("landing page", link.clone()),
        ("code page", format!("{link}/code")),
        ("message page", format!("{link}/message")),
    ] {
        let timings = patient.fetch_repeatedly(&path, args.requests).await?;
        timings.report(name);
    }
    let message_page = format!("{link}/message");
    let requests = args.requests * 10;
    let started = Instant::now();
    let readers: Vec<_> = (0..args.concurrency)
        .map(|reader| {
            let (patient, path) = (patient.clone(), message_page.clone());
            let share =
                requests / args.concurrency + usize::from(reader < requests % args.concurrency);
            tokio::spawn(async move { patient.fetch_repeatedly(&path, share).await })
        })
        .collect();
    let mut at_once = Timings::default();
    for reader in readers {
        let timings = reader.await??;
        at_once.first_byte.extend(timings.first_byte);
        at_once.whole.extend(timings.whole);
    }
    at_once.report(&format!(
        "message page, {} requests at once",
        args.concurrency
    ));
    println!(
        "message page, {} requests at once: {:.0} pages/s",
        args.concurrency,
        requests as f64 / started.elapsed().as_secs_f64()
    );

    let downloads = patient
        .fetch_repeatedly(&format!("{link}/attachments/0"), 10)
        .await?;
    downloads.report("attachment download");
    println!(
        "attachment download: {:.0} MB/s at the median",
        args.attachment as f64 / 1e6 / downloads.whole_at(0.5).as_secs_f64()
    );

    let stored = Instant::now();
    store_expired(&server.app, args.expired, args.expired_size).await?;
    println!(
        "stored {} expired messages of {} KB in {:.1} s",
        args.expired,
        args.expired_size / 1024,
        stored.elapsed().as_secs_f64()
    );
    let swept = Instant::now();
    let cleared = viewer::sweep::sweep(&server.app).await?;
    let elapsed = swept.elapsed();
    if cleared != args.expired {
        bail!("the sweep cleared {cleared} of {} messages", args.expired);
    }
    println!(
        "retention sweep: {cleared} messages in {:.2} s ({:.0} µs each, content, key and audit record)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / cleared as f64
    );
    server.shutdown().await?;
    Ok(())
}

/// The clinician's mail: a token for the draft, then the message through the relay.
async fn send_to_patient(app: &App, relay: SocketAddr, size: usize) -> anyhow::Result<()> {
    let mailbox = Address::parse(SENDER)?;
    let device = DeviceId::parse("viewer-load-device-0001")?;
    let (token, _) = app
        .sessions
        .issue(&mailbox, &device, Proof::EmailCode)
        .await?;
    let session = app.sessions.authenticate(&token, device.as_str()).await?;
    app.pairings
        .put(
            &session.mailbox_hash,
            &Address::parse(PATIENT)?,
            "06 12345678",
        )
        .await?;
    let draft: Draft = serde_json::from_value(serde_json::json!({
        "sender": SENDER,
        "to": [{"address": PATIENT}],
        "subject": "Uitslag MRI",
        "attachments": [{"name": "mri.pdf", "size": size}],
    }))?;
    let issued = checking::issue_send_token(app, &session, draft).await?;

    let message = Message::builder()
        .from(SENDER.parse()?)
        .to(PATIENT.parse()?)
        .subject("Uitslag MRI")
        .message_id(None)
        .date(SystemTime::now())
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(
                    "Beste mevrouw Bakker,\n\nhierbij het verslag van de MRI.".to_owned(),
                ))
                .singlepart(
                    Attachment::new("mri.pdf".into())
                        .body(scan(size), ContentType::parse("application/pdf")?),
                ),
        )?;
    let mut raw = format!("X-SendSecure-Token: {}\r\n", issued.token).into_bytes();
    raw.extend(message.formatted());
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.ip().to_string())
        .port(relay.port())
        .timeout(Some(Duration::from_secs(120)))
        .build();
    let envelope = Envelope::new(Some(SENDER.parse()?), vec![PATIENT.parse()?])?;
    transport.send_raw(&envelope, &raw).await?;
    Ok(())
}

/// A scan's bytes: incompressible, so the attachment goes base64-encoded as a real one does.
fn scan(size: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; size];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    bytes
}

/// `/viewer/<secret>` from the notification to the patient.
fn notification_link(outbox: &Path) -> anyhow::Result<String> {
    for entry in std::fs::read_dir(outbox)? {
        let path = entry?.path();
        if path.extension().is_none_or(|ext| ext != "eml") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        if !text.contains(&format!("To: {PATIENT}")) {
            continue;
        }
        let start = text.find("/viewer/").context("a Viewer link")?;
        let link: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))
            .collect();
        return Ok(link);
    }
    bail!("no notification to the patient in {}", outbox.display())
}

/// A browser: an HTTPS client trusting the server's development CA, and the cookies it got.
#[derive(Clone)]
struct Patient {
    client: reqwest::Client,
    origin: String,
    cookies: Vec<String>,
}

impl Patient {
    fn new(data_dir: &Path, addr: SocketAddr) -> anyhow::Result<Self> {
        let pem = std::fs::read(data_dir.join("tls/dev-ca.pem"))?;
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&pem)?)
            .resolve("localhost", addr)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            origin: format!("https://localhost:{}", addr.port()),
            cookies: Vec::new(),
        })
    }

    /// Asks for a code, reads it from the SMS outbox and enters it: a Viewer session.
    async fn open(&mut self, link: &str, sms_outbox: &Path) -> anyhow::Result<()> {
        self.post(&format!("{link}/code"), &[]).await?;
        let sms = std::fs::read_dir(sms_outbox)?
            .next()
            .context("an SMS")??
            .path();
        let sms: serde_json::Value = serde_json::from_slice(&std::fs::read(sms)?)?;
        let text = sms["text"].as_str().context("the SMS text")?;
        let code: String = text
            .split(|c: char| !c.is_ascii_digit())
            .find(|word| word.len() == 6)
            .context("a code in the SMS")?
            .to_owned();
        let verified = self
            .post(&format!("{link}/verify"), &[("code", &code)])
            .await?;
        let location = verified
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !location.ends_with("/message") {
            bail!("the code did not open the message: {}", verified.status());
        }
        Ok(())
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> anyhow::Result<reqwest::Response> {
        let response = self
            .client
            .post(format!("{}{path}", self.origin))
            .header(header::COOKIE, self.cookies.join("; "))
            .form(form)
            .send()
            .await?;
        for set in response.headers().get_all(header::SET_COOKIE) {
            let pair = set.to_str()?.split(';').next().unwrap_or_default();
            let name = pair.split('=').next().unwrap_or_default();
            self.cookies
                .retain(|kept| !kept.starts_with(&format!("{name}=")));
            self.cookies.push(pair.to_owned());
        }
        if response.status() != StatusCode::SEE_OTHER {
            bail!("POST {path} answered {}", response.status());
        }
        Ok(response)
    }

    /// GETs `path` `count` times, one after another; every answer must be 200.
    async fn fetch_repeatedly(&self, path: &str, count: usize) -> anyhow::Result<Timings> {
        let mut timings = Timings::default();
        for _ in 0..count {
            let asked = Instant::now();
            let response = self
                .client
                .get(format!("{}{path}", self.origin))
                .header(header::COOKIE, self.cookies.join("; "))
                .send()
                .await?;
            let first_byte = asked.elapsed();
            if response.status() != StatusCode::OK {
                bail!("GET {path} answered {}", response.status());
            }
            response.bytes().await?;
            timings.first_byte.push(first_byte);
            timings.whole.push(asked.elapsed());
        }
        Ok(timings)
    }
}

/// Time to first byte (the response's head) and to the last.
#[derive(Default)]
struct Timings {
    first_byte: Vec<Duration>,
    whole: Vec<Duration>,
}

impl Timings {
    fn report(&self, name: &str) {
        let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
        println!(
            "{name}: time to first byte p50 {:.1} ms, p95 {:.1} ms; whole response p50 {:.1} ms, p95 {:.1} ms ({} requests)",
            ms(at(&self.first_byte, 0.5)),
            ms(at(&self.first_byte, 0.95)),
            ms(at(&self.whole, 0.5)),
            ms(at(&self.whole, 0.95)),
            self.whole.len()
        );
    }

    fn whole_at(&self, p: f64) -> Duration {
        at(&self.whole, p)
    }
}

fn at(durations: &[Duration], p: f64) -> Duration {
    let mut sorted = durations.to_vec();
    sorted.sort();
    let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// `count` Viewer messages whose retention ended yesterday, `size` bytes each.
async fn store_expired(app: &App, count: usize, size: usize) -> anyhow::Result<()> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)?
        .as_secs() as i64;
    let created_at = now - 91 * 86_400;
    for n in 0..count {
        let token_id = format!("expired-{n}");
        let digest = |kind: u8| {
            let mut digest = [kind; 32];
            digest[..8].copy_from_slice(&(n as u64).to_be_bytes());
            digest
        };
        app.store
            .insert_dispatch(&DispatchRecord {
                token_id: token_id.clone(),
                owner_hash: [1; 32],
                sealed: vec![0; 256],
                issued_at: created_at,
            })
            .await?;
        let message = ViewerMessageRecord {
            id: format!("expired-message-{n}"),
            token_id,
            owner_hash: [1; 32],
            reference: format!("SS-X{n:07}"),
            withdraw_hash: digest(b'W'),
            sealed_key: vec![0; 60],
            content: vec![0; size],
            summary: vec![0; 512],
            created_at,
            expires_at: now - 86_400,
        };
        let recipient = ViewerRecipientRecord {
            link_hash: digest(b'L'),
            position: 0,
            sealed: vec![0; 128],
        };
        app.store
            .insert_viewer_message(&message, &[recipient])
            .await?;
    }
    Ok(())
}
