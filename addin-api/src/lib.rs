//! The Send Secure server and command-line tools: the HTTP API, the add-in's files, and
//! what they stand on. `main.rs` is only argument parsing and exit codes.

pub mod bundled;
pub mod clock;
pub mod commands;
pub mod directory_sync;
pub mod error;
pub mod input;
pub mod policy_file;
pub mod store;
pub mod vault;

pub use error::Error;
