//! The Send Secure server and command-line tools: the HTTP API, the add-in's files, and
//! what they stand on. `main.rs` is only argument parsing and exit codes.

pub mod app;
pub mod audit;
pub mod bundled;
pub mod checking;
pub mod clock;
pub mod commands;
pub mod config;
pub mod directory_sync;
pub mod email_code;
pub mod entra;
pub mod error;
pub mod http;
pub mod input;
pub mod mailer;
pub mod manifest;
pub mod pairings;
pub mod policy_file;
pub mod preferences;
pub mod send_token;
pub mod server;
pub mod sessions;
pub mod store;
pub mod tls;
pub mod vault;

pub use error::Error;
