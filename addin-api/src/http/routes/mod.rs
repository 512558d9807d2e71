//! One module per area, each with `fn router() -> Router<AppState>`. Handlers parse, call a
//! domain function and map its result; nothing else.

pub mod addin_files;
pub mod auth_email;
pub mod auth_entra;
pub mod check;
pub mod events;
pub mod info;
pub mod pairings;
pub mod playground;
pub mod send_token;
pub mod session;
pub mod settings;
