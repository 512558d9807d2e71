//! One module per subcommand, each with a `run` that returns what to print: `main` alone
//! writes to stdout and chooses the exit code.

pub mod audit;
pub mod check;
pub mod entra_setup;
pub mod exchange_setup;
pub mod keys;
pub mod manifest;
pub mod serve;
pub mod server_data;
pub mod sessions;
pub mod viewer;
