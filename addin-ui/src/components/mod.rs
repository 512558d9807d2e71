//! The panel's sections, one file each (SPEC §9, manual §2.2.2):
//!
//! | file | section |
//! |---|---|
//! | `app.rs` | the root: state, start-up, automatic re-checks, the screens |
//! | `signin.rs` | signing in: e-mail code or Entra ID |
//! | `info_box.rs` | the blue box explaining the installation type, with its "i" |
//! | `notices.rs` | the API's state and the findings about the message as a whole |
//! | `sender.rs` | the sender, validated, with its NTA 7516 badge |
//! | `recipients.rs` | recipients that need or allow an action, with route and badge |
//! | `phone_input.rs` | a Viewer recipient's number: country, undo, save |
//! | `validated.rs` | "Toon gevalideerde ontvangers (n)", collapsed by default |
//! | `attachments.rs` | count, share-of-total bars, unsafe ones with a remove icon |
//! | `send_bar.rs` | **Veilig verzenden** and **Standaard versturen**, always visible |
//! | `settings.rs` | settings (gear), information, sign-out |
//! | `icons.rs` | the inline SVG icons |
//!
//! # Stable hooks for the browser tests (`tests/browser/`)
//!
//! `data-testid` values (addresses are the normalised ones of the verdict; attachment names as
//! Outlook reports them):
//!
//! | `data-testid` | element |
//! |---|---|
//! | `signin-mailbox` | the mailbox being signed in (read-only input) |
//! | `signin-send-code` | "Stuur code" |
//! | `signin-code` | the code input (after a code was sent) |
//! | `signin-submit` | "Inloggen" |
//! | `signin-resend` | "Verstuur nieuwe code" |
//! | `signin-message` | what the sign-in screen says (code sent, wrong code …) |
//! | `signin-entra` | "Aanmelden met Microsoft 365" (`auth_method` `entra-id` only) |
//! | `info-box`, `info-more`, `info-toggle` | the blue box, its "i", its fold button |
//! | `api-unreachable`, `api-error`, `notice` | the API cannot be reached / refused / an Outlook call failed |
//! | `findings` | the list of findings about the whole message; each item `finding-<code>` |
//! | `sender` | the sender row (`data-known`, `data-nta7516`) |
//! | `recipient-<address>` | a recipient row (`data-route`, `data-phone` = the verdict's phone status) |
//! | `recipient-finding-<code>` | a finding inside a recipient row |
//! | `recipient-remove-<address>` | remove that recipient from the message |
//! | `nta-badge` | an NTA 7516 badge (inside the sender or a recipient row) |
//! | `phone-input-<address>` | the number input of a Viewer recipient |
//! | `phone-country-<address>` | its country picker (`<select>`, option values are ISO codes) |
//! | `phone-undo-<address>` | undo (shown while the number differs from the saved one) |
//! | `phone-save-<address>` | save (shown once the number looks complete) |
//! | `phone-status-<address>` | "Nummer opgeslagen" / the save error |
//! | `show-validated` | the "Toon gevalideerde ontvangers (n)" toggle (`aria-expanded`) |
//! | `validated-list` | the validated recipients (hidden while collapsed) |
//! | `attachments-toggle` | the attachments section's toggle (`aria-expanded`) |
//! | `attachment-<name>` | an attachment row (`data-blocked`) |
//! | `attachment-remove-<name>` | remove that attachment (`removeAttachmentAsync`) |
//! | `verdict-summary` | the line above the buttons: ready / n actions needed (`aria-live`) |
//! | `send-secure` | **Veilig verzenden** (`disabled` while an action remains) |
//! | `send-standard` | **Standaard versturen** |
//! | `send-confirm-yes`, `send-confirm-no` | the confirmation of a normal send |
//! | `send-subject` | the subject input when the subject is empty; `send-subject-confirm` |
//! | `send-countdown` | the countdown text (`data-remaining`) |
//! | `send-cancel` | cancel the countdown |
//! | `send-status` | what happened (`data-phase`: `sent`, `press-outlook-send`, `cancelled`, `blocked`, `failed`) |
//! | `settings-open` | the gear |
//! | `settings-language` | language `<select>`: `auto`, `nl`, `en`, `de` |
//! | `settings-delay` | send delay `<select>`: `0`, `5`, `10` |
//! | `settings-save`, `settings-cancel` | "Opslaan en sluiten", "Annuleren" |
//! | `about-version`, `about-directory`, `about-installation` | the information block |
//! | `sign-out` | "Afmelden" |
//! | `verdict-ready` | present (hidden) once the first verdict has rendered; `data-checking` is `true` while a re-check runs, `data-can-send-secure` mirrors the verdict |
//!
//! Timing: `performance.getEntriesByName("sendsecure-office-ready")` (after `Office.onReady`)
//! and `"sendsecure-first-verdict"` (the first verdict on screen).

mod app;
mod attachments;
mod icons;
mod info_box;
mod notices;
mod phone_input;
mod recipients;
mod send_bar;
mod sender;
mod settings;
mod signin;
mod validated;

use std::rc::Rc;

use yew::prelude::*;

use crate::{flow::Handle, i18n::I18n};

/// Mounts the panel on `#app` (taskpane.html) and removes the start-up spinner.
pub fn start() {
    let document = web_sys::window().and_then(|window| window.document());
    if let Some(loading) = document
        .as_ref()
        .and_then(|d| d.get_element_by_id("boot-loading"))
    {
        loading.remove();
    }
    match document.and_then(|d| d.get_element_by_id("app")) {
        Some(root) => yew::Renderer::<app::App>::with_root(root).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}

/// The panel's state and dispatcher, from the root's context.
#[hook]
#[allow(
    clippy::expect_used,
    reason = "App provides the context around every component"
)]
fn use_app() -> Handle {
    use_context::<Handle>().expect("components are rendered inside App")
}

/// The texts in the panel's language, from the root's context.
#[hook]
#[allow(
    clippy::expect_used,
    reason = "App provides the context around every component"
)]
fn use_i18n() -> Rc<I18n> {
    use_context::<Rc<I18n>>().expect("components are rendered inside App")
}
