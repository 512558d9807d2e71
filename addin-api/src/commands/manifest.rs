//! `sendsecure manifest --base-url https://…`: the add-in manifest for a deployment.

use url::Url;

use crate::{config, manifest};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The https:// address the server is reached at
    #[arg(long, env = "SENDSECURE_PUBLIC_URL", value_parser = config::parse_public_url)]
    pub base_url: Url,
}

pub fn run(args: &Args) -> String {
    manifest::render(&config::base_url(&args.base_url))
}
