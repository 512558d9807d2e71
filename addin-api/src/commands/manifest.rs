//! `sendsecure manifest --base-url https://… [--addin-id GUID] [--package FILE.zip]`: the add-in
//! manifest for a deployment: the XML manifest on standard output, or with `--package` the app
//! package (unified manifest, localisation files, icons) the Microsoft 365 admin centre takes.
//!
//! The base URL and the add-in id are checked here rather than by clap, so that bad input is
//! one line naming the setting (exit code 2), as elsewhere on the command line.

use std::path::PathBuf;

use crate::{
    Error, config,
    manifest::{self, AddinId},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The https:// address the server is reached at
    #[arg(long, env = "SENDSECURE_PUBLIC_URL", value_name = "URL")]
    pub base_url: String,
    /// The add-in's GUID, the same as `serve --addin-id` [default: a fixed GUID for development
    /// only]
    #[arg(long, env = "SENDSECURE_ADDIN_ID", value_name = "GUID", default_value = manifest::DEVELOPMENT_ADDIN_ID, hide_default_value = true)]
    pub addin_id: String,
    /// Write the app package for the Microsoft 365 admin centre (Integrated apps → Upload
    /// custom apps) to this zip file instead of printing the XML manifest
    #[arg(long, value_name = "FILE.zip")]
    pub package: Option<PathBuf>,
}

/// What the command made.
#[derive(Debug)]
pub enum Output {
    /// The XML manifest, for standard output.
    Xml(String),
    /// The app package was written to `path`; these are its entries.
    Package { path: PathBuf, files: Vec<String> },
}

pub fn run(args: &Args) -> Result<Output, Error> {
    let base_url = config::base_url(&config::parse_public_url(&args.base_url)?);
    let addin_id = AddinId::parse(&args.addin_id)?;
    let Some(path) = &args.package else {
        return Ok(Output::Xml(manifest::render_xml(&base_url, &addin_id)));
    };
    let files = manifest::package_files(&base_url, &addin_id)?;
    let zip = manifest::zip_files(&files)?;
    std::fs::write(path, zip).map_err(|source| Error::Unwritable {
        what: "app package",
        path: path.clone(),
        source,
    })?;
    Ok(Output::Package {
        path: path.clone(),
        files: files.into_iter().map(|(name, _)| name).collect(),
    })
}
