//! The rules of Send Secure (SPEC §5) and the wire types of its API.
//!
//! Pure on purpose: no I/O, no async, no clock. The server, the `check` command and the task
//! pane all use these types, so they can never disagree on a field; the rules themselves sit
//! behind the default `rules` feature so the WASM task pane can leave libphonenumber's
//! metadata and the IDNA tables out of its bundle.

pub mod api;
pub mod country;
pub mod draft;
pub mod error;
pub mod finding;
pub mod policy;
pub mod verdict;

#[cfg(feature = "rules")]
pub mod address;
#[cfg(feature = "rules")]
pub mod attachment;
pub mod canonical;
#[cfg(feature = "rules")]
pub mod check;
#[cfg(feature = "rules")]
pub mod directory;
#[cfg(feature = "rules")]
pub mod phone;
#[cfg(feature = "rules")]
pub mod route;

pub use error::Error;

#[cfg(feature = "rules")]
pub use check::check;
