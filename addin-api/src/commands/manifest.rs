//! `sendsecure manifest --base-url https://… [--addin-id GUID]`: the add-in manifest for a
//! deployment.

use url::Url;

use crate::{
    config,
    manifest::{self, AddinId},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The https:// address the server is reached at
    #[arg(long, env = "SENDSECURE_PUBLIC_URL", value_parser = config::parse_public_url)]
    pub base_url: Url,
    /// The add-in's GUID, the same as `serve --addin-id` [default: a fixed GUID for development
    /// only]
    #[arg(long, env = "SENDSECURE_ADDIN_ID", default_value = manifest::DEVELOPMENT_ADDIN_ID, hide_default_value = true, value_parser = AddinId::parse)]
    pub addin_id: AddinId,
}

pub fn run(args: &Args) -> String {
    manifest::render_xml(&config::base_url(&args.base_url), &args.addin_id)
}
