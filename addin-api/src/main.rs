//! `sendsecure`: Send Secure's server and command-line tools in one binary (SPEC §2).

use std::{
    io::{self, Write},
    process::ExitCode,
};

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use addin_api::{Error, commands};

#[derive(Debug, Parser)]
#[command(name = "sendsecure", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a draft against the policy and the directory; print the verdict as JSON
    Check(commands::check::Args),
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
        Command::Check(args) => {
            let verdict = commands::check::run(&args, |name| std::env::var(name).ok())?;
            print_json(&verdict).context("cannot write the verdict to standard output")
        }
    }
}

/// Bad input is the caller's to fix: 2, as clap uses for bad arguments. Anything else: 1.
fn exit_code(error: &anyhow::Error) -> ExitCode {
    if error.is::<Error>() {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

fn print_json(value: &impl serde::Serialize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}
