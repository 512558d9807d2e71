//! The audit trail's speed (issue 12): every sign-in attempt and every send token appends one
//! chained record, under the chain head's lock, so appends of all requests line up. This
//! appends `--records` sign-in records from `--concurrency` tasks at once and reports the
//! rate and the latency of one append; then times `audit verify` and `audit export` over
//! the whole trail.
//!
//!     cargo run --release -p addin-api --example audit_load [-- --database-url postgres://…]
//!     (./dev bench-audit)

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

use std::{
    net::{IpAddr, Ipv4Addr},
    sync::Arc,
    time::{Duration, Instant},
};

use addin_api::{
    audit::{Attempt, Audit, SignInEvent, chain, export},
    clock::SystemClock,
    sessions::DeviceId,
    store::{PostgresStore, SqliteStore, Store},
    vault::Vault,
};
use addin_core::address::Address;
use clap::Parser;
use sqlx::{Connection as _, Executor as _, postgres::PgConnection};

#[derive(Parser)]
struct Args {
    /// Records appended
    #[arg(long, default_value_t = 20_000)]
    records: usize,
    /// Appends at once
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// A PostgreSQL server (postgres://…/postgres) to make a scratch database on
    /// [default: SQLite in a temporary directory]
    #[arg(long)]
    database_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let scratch = format!("sendsecure_audit_load_{}", std::process::id());
    let store: Arc<dyn Store> = match &args.database_url {
        None => Arc::new(SqliteStore::open(&dir.path().join("sendsecure.db")).await?),
        Some(server) => {
            let mut admin = PgConnection::connect(server).await?;
            admin
                .execute(format!("CREATE DATABASE {scratch}").as_str())
                .await?;
            let url = format!(
                "{}/{scratch}",
                server
                    .rsplit_once('/')
                    .map_or(server.as_str(), |(base, _)| base)
            );
            Arc::new(PostgresStore::connect(&url).await?)
        }
    };
    let backend = if args.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let vault = Arc::new(Vault::new(&[7; 32]));
    let audit = Arc::new(Audit::new(
        Arc::clone(&store),
        Arc::clone(&vault),
        Arc::new(SystemClock),
    ));

    let per_task = args.records / args.concurrency;
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|task| {
            let audit = Arc::clone(&audit);
            tokio::spawn(async move {
                let mailbox =
                    Address::parse(&format!("user{task}@huisartsen-oost.nl")).expect("an address");
                let device = DeviceId::parse(&format!("device-{task:032x}")).expect("a device id");
                let attempt = Attempt {
                    mailbox: Some(&mailbox),
                    device: Some(&device),
                    client: Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7))),
                };
                let mut latencies = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let one = Instant::now();
                    audit
                        .sign_in(SignInEvent::CodeRequested, attempt, None)
                        .await
                        .expect("appends");
                    latencies.push(one.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let appended = latencies.len();
    println!(
        "{backend}: {appended} appends from {} tasks in {:.2} s: {:.0} records/s; one append p50 {:.2} ms, p99 {:.2} ms",
        args.concurrency,
        elapsed.as_secs_f64(),
        appended as f64 / elapsed.as_secs_f64(),
        ms(latencies[appended / 2]),
        ms(latencies[appended * 99 / 100]),
    );

    let started = Instant::now();
    let verification = chain::verify(store.as_ref(), &vault).await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(verification.intact(), "{:?}", verification.problems);
    println!(
        "{backend}: audit verify over {} records: {:.2} s ({:.1} µs a record)",
        verification.records,
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / verification.records as f64
    );

    for format in [export::Format::Jsonl, export::Format::Csv] {
        let started = Instant::now();
        let exported =
            export::export(store.as_ref(), i64::MIN, format, &mut std::io::sink()).await?;
        println!(
            "{backend}: audit export --format {format:?} of {exported} records: {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }

    if let Some(server) = &args.database_url {
        drop(audit);
        drop(store);
        let mut admin = PgConnection::connect(server).await?;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)").as_str())
            .await?;
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
