//! The Send Secure server and command-line tools: the HTTP API, the add-in's files, and
//! what they stand on. `main.rs` is only argument parsing and exit codes.

pub mod app;
pub mod audit;
pub mod bundled;
pub mod checking;
pub mod client_limit;
pub mod clock;
pub mod commands;
pub mod config;
pub mod coverage;
pub mod directory_sync;
pub mod dispatch;
pub mod email_code;
pub mod entra;
pub mod error;
pub mod http;
pub mod i18n;
pub mod input;
pub mod mailer;
pub mod manifest;
pub mod outgoing_mail;
pub mod pairings;
pub mod playground;
pub mod policy_file;
pub mod preferences;
pub mod relay;
pub mod retention;
pub mod send_token;
pub mod server;
pub mod sessions;
pub mod sign_in;
pub mod sms;
pub mod store;
pub mod tls;
pub mod vault;
pub mod viewer;

pub use error::Error;
