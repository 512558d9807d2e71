//! The Send Secure task pane (SPEC §9): a Yew app compiled to WASM with Trunk.
//!
//! | module | what |
//! |---|---|
//! | `office` | the only module touching Office.js (typed bindings, callbacks as futures) |
//! | `api` | the only module calling the API (`fetch`), typed with `addin-core`'s wire types |
//! | `storage` | the `localStorage` contract with the send handler (device id, sessions, language) |
//! | `item` | the compose item as read from Outlook, and the draft it becomes for the API |
//! | `capabilities` | what this Outlook can do beyond reading the item |
//! | `state` | the reducer: one `State`, changed by `Action`s |
//! | `flow` | the asynchronous work (start-up, checks, sign-in, sending), dispatching actions |
//! | `json` | JSON text through the browser's `JSON` and `serde-wasm-bindgen` (no `serde_json` in the WASM) |
//! | `i18n` | the texts, NL/EN/DE, with Fluent |
//! | `phone` | the phone input's logic: countries, composing, "looks complete" |
//! | `entra` | Entra ID sign-in through MSAL.js nested app authentication |
//! | `components` | one file per panel section |
//!
//! Everything compiles natively too (for `cargo test` and clippy); only the browser runs it.

mod api;
mod capabilities;
mod components;
mod entra;
mod flow;
mod i18n;
mod item;
mod json;
mod office;
mod phone;
mod state;
mod storage;

fn main() {
    components::start();
}

/// A `performance.mark` for the measurements in README (none where unsupported).
pub(crate) fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
