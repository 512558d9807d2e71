//! `sendsecure`: Send Secure's server and command-line tools in one binary (SPEC §2).

use std::{
    io::{self, IsTerminal, Write},
    process::ExitCode,
};

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use addin_api::{Error, commands};

/// Requests allocate many small, short-lived buffers (JSON, TLS records, headers): under load
/// glibc's malloc was the largest item in `serve`'s profile (issue 14, README *Performance*).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "sendsecure", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API, the task pane, the manifest and the playground over HTTPS
    Serve(Box<addin_api::config::ServeArgs>),
    /// Check a draft against the policy and the directory; print the verdict as JSON
    Check(commands::check::Args),
    /// Print the add-in manifest for a deployment's public URL, or write its app package
    Manifest(commands::manifest::Args),
    /// Manage users' sessions: `sessions list|revoke --mailbox ADDRESS`
    Sessions(commands::sessions::Args),
    /// Print the Exchange Online PowerShell that routes secure mail through the relay
    ExchangeSetup(commands::exchange_setup::Args),
    /// Print the Azure CLI script that registers Send Secure in Entra ID, and its policy lines
    EntraSetup(commands::entra_setup::Args),
    /// Manage Viewer messages: `viewer withdraw --reference KENMERK`
    Viewer(commands::viewer::Args),
    /// Check or export the audit trail: `audit verify`, `audit export --format jsonl|csv`
    Audit(commands::audit::Args),
    /// The data key ring and the send-token key: `keys status|rotate|rotate-send-token`
    Keys(commands::keys::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sendsecure: error: {error:#}");
            exit_code(&error)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            init_logging();
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            Ok(runtime.block_on(commands::serve::run(&args))?)
        }
        Command::Manifest(args) => match commands::manifest::run(&args)? {
            commands::manifest::Output::Xml(xml) => {
                print_text(&xml).context("cannot write the manifest to standard output")
            }
            commands::manifest::Output::Package { path, files } => {
                println!("wrote {}: {}", path.display(), files.join(", "));
                Ok(())
            }
        },
        Command::ExchangeSetup(args) => print_text(&commands::exchange_setup::run(&args)?)
            .context("cannot write the script to standard output"),
        Command::EntraSetup(args) => print_text(&commands::entra_setup::run(&args)?)
            .context("cannot write the script to standard output"),
        Command::Sessions(commands::sessions::Args {
            command: commands::sessions::Command::Revoke(args),
        }) => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let revoked = runtime.block_on(commands::sessions::revoke(&args))?;
            println!("{revoked}");
            Ok(())
        }
        Command::Sessions(commands::sessions::Args {
            command: commands::sessions::Command::List(args),
        }) => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let sessions = runtime.block_on(commands::sessions::list(&args))?;
            println!(
                "{:<8}  {:<10}  {:<20}  LAST USED",
                "DEVICE", "METHOD", "SIGNED IN"
            );
            for session in sessions {
                println!(
                    "{:<8}  {:<10}  {:<20}  {}",
                    session.device,
                    session.method,
                    addin_api::clock::rfc3339(session.created_at),
                    addin_api::clock::rfc3339(session.last_used_at)
                );
            }
            Ok(())
        }
        Command::Viewer(commands::viewer::Args {
            command: commands::viewer::Command::Withdraw(args),
        }) => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let reference = args.reference.trim().to_uppercase();
            match runtime.block_on(commands::viewer::withdraw(&args))? {
                commands::viewer::Withdrawn::Now => println!("withdrew {reference}"),
                commands::viewer::Withdrawn::Already => println!(
                    "{reference} was withdrawn before, or is past its retention: nothing left to withdraw"
                ),
            }
            Ok(())
        }
        Command::Audit(commands::audit::Args {
            command: commands::audit::Command::Verify(args),
        }) => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let verification = runtime.block_on(commands::audit::verify(&args))?;
            print_verification(&verification)
        }
        Command::Audit(commands::audit::Args {
            command: commands::audit::Command::Export(args),
        }) => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let mut out = io::BufWriter::new(io::stdout().lock());
            runtime.block_on(commands::audit::export(&args, &mut out))?;
            out.flush()
                .context("cannot write the export to standard output")
        }
        Command::Keys(commands::keys::Args {
            command: commands::keys::Command::Status(args),
        }) => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            println!("{}", runtime.block_on(commands::keys::status(&args))?);
            Ok(())
        }
        Command::Keys(commands::keys::Args {
            command: commands::keys::Command::Rotate(args),
        }) => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            for rotated in runtime.block_on(commands::keys::rotate(&args))? {
                println!("{rotated}");
            }
            Ok(())
        }
        Command::Keys(commands::keys::Args {
            command: commands::keys::Command::RotateSendToken(args),
        }) => {
            println!("{}", commands::keys::rotate_send_token(&args)?);
            Ok(())
        }
        Command::Check(args) => {
            let verdict = commands::check::run(&args, |name| std::env::var(name).ok())?;
            print_json(&verdict).context("cannot write the verdict to standard output")
        }
    }
}

/// The verification's summary, then one line per problem; a trail that is not whole fails.
fn print_verification(verification: &addin_api::audit::chain::Verification) -> anyhow::Result<()> {
    let span = match (verification.first, verification.last) {
        (Some(first), Some(last)) => format!("records {first}-{last}"),
        _ => "no records".to_owned(),
    };
    println!(
        "{} chained records ({span}), {} from before the chain; head {}",
        verification.records,
        verification.before_chain,
        hex_of(&verification.head_hash)
    );
    for problem in &verification.problems {
        println!("{problem}");
    }
    anyhow::ensure!(
        verification.intact(),
        "the audit trail is not whole: {} problem(s)",
        verification.problems.len()
    );
    println!("the audit trail is whole");
    Ok(())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Bad input is the caller's to fix: 2, as clap uses for bad arguments. Anything else: 1.
fn exit_code(error: &anyhow::Error) -> ExitCode {
    match error.downcast_ref::<Error>() {
        Some(error) if error.is_bad_input() => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}

/// Logs go to stderr; `RUST_LOG` refines them. Request logs name routes, never paths or
/// bodies (see `http::router`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr)
        .init();
}

fn print_text(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn print_json(value: &impl serde::Serialize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}
