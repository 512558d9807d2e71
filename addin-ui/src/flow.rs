//! The panel's asynchronous work: start-up, reading the item, checks, signing in, saving
//! numbers, and the two ways of sending (SPEC §7). Each function reads the *current* state
//! through the reducer handle, talks to Office.js (`office`) or the API (`api`), and changes
//! the state only by dispatching [`Action`]s.

use std::{cell::Cell, rc::Rc};

use addin_core::{
    api::{EmailCodeStart, EmailCodeVerify, EntraSignIn, SendEvent, SendEventKind, Settings},
    draft::Field,
    finding::FindingCode,
    verdict::Verdict,
};
use gloo::timers::future::TimeoutFuture;
use wasm_bindgen_futures::spawn_local;
use yew::UseReducerHandle;

use crate::{
    api::{self, ApiError, Session},
    entra,
    item::normalise,
    office::{self, OfficeError},
    state::{Action, CancelFlag, Notice, SendFailure, SendPhase, SignInMessage, State},
    storage,
};

pub type Handle = UseReducerHandle<State>;

thread_local! {
    static CHECKS: Cell<u64> = const { Cell::new(0) };
    static READS: Cell<u64> = const { Cell::new(0) };
    static READ_APPLIED: Cell<u64> = const { Cell::new(0) };
}

fn next(counter: &'static std::thread::LocalKey<Cell<u64>>) -> u64 {
    counter.with(|c| {
        c.set(c.get() + 1);
        c.get()
    })
}

/// Connects to Office.js, reads the item, and watches it for changes.
pub async fn start(state: Handle) {
    let host = match office::connect().await {
        Ok(Some(host)) => host,
        Ok(None) => return state.dispatch(Action::NotInOutlook),
        Err(_) => return state.dispatch(Action::OfficeFailed),
    };
    state.dispatch(Action::Connected {
        display_language: host.display_language.clone(),
        capabilities: host.capabilities,
        stored_language: storage::language(),
    });
    spawn_local(load_info(state.clone()));
    read_item(&state).await;
    let watcher = state.clone();
    host.watch(move || spawn_local(read_item_later(watcher.clone())))
        .await;
}

async fn read_item_later(state: Handle) {
    read_item(&state).await;
}

/// Reads the item and hands it to the state (which ignores an unchanged item). Reads that
/// finish out of order never overwrite a newer one.
pub async fn read_item(state: &Handle) {
    let Some(host) = office::host() else {
        return;
    };
    let read = next(&READS);
    match host.read().await {
        Ok(item) => {
            if READ_APPLIED.with(|applied| {
                let newer = read > applied.get();
                if newer {
                    applied.set(read);
                }
                !newer
            }) {
                return;
            }
            let signed_in = storage::session(&item.mailbox()).is_some();
            state.dispatch(Action::ItemRead { item, signed_in });
        }
        Err(_) if state.item.is_none() => state.dispatch(Action::OfficeFailed),
        // A passing failure (the compose form is closing): keep what we have.
        Err(_) => {}
    }
}

pub async fn load_info(state: Handle) {
    if let Ok(info) = api::info().await {
        state.dispatch(Action::InfoLoaded(Rc::new(info)));
    }
}

/// The session of the mailbox the panel works for, if this device has one.
fn session(state: &State) -> Option<Session> {
    storage::session(&state.mailbox).map(|session| Session {
        device: storage::device_id(),
        token: session.token,
    })
}

/// The API said 401: forget the session, show the sign-in screen.
fn signed_out(state: &Handle) {
    storage::clear_session(&state.mailbox);
    state.dispatch(Action::SignedOut);
}

/// Checks the current draft; the verdict when one came back.
pub async fn check(state: Handle) -> Option<Rc<Verdict>> {
    let draft = state.draft()?;
    let Some(session) = session(&state) else {
        signed_out(&state);
        return None;
    };
    let seq = next(&CHECKS);
    state.dispatch(Action::CheckStarted(seq));
    match api::check(&session, &draft).await {
        Ok(verdict) => {
            let verdict = Rc::new(verdict);
            state.dispatch(Action::Checked(seq, Rc::clone(&verdict)));
            Some(verdict)
        }
        Err(ApiError::Unauthorized) => {
            signed_out(&state);
            None
        }
        Err(ApiError::Unreachable) => {
            state.dispatch(Action::CheckUnreachable(seq));
            None
        }
        Err(error) => {
            state.dispatch(Action::CheckFailed(seq, error.code()));
            None
        }
    }
}

/// The user's settings from the server (language, send delay), once signed in.
pub async fn load_settings(state: Handle) {
    let Some(session) = session(&state) else {
        return;
    };
    match api::settings(&session).await {
        Ok(settings) => {
            storage::set_language(settings.language);
            state.dispatch(Action::SettingsLoaded(settings));
        }
        Err(ApiError::Unauthorized) => signed_out(&state),
        Err(_) => {}
    }
}

pub async fn save_settings(state: Handle, settings: Settings) {
    let saved = match session(&state) {
        Some(session) => api::save_settings(&session, &settings).await,
        None => Err(ApiError::Unauthorized),
    };
    match saved {
        Ok(settings) => {
            storage::set_language(settings.language);
            state.dispatch(Action::SettingsLoaded(settings));
            state.dispatch(Action::Notice(None));
            state.dispatch(Action::CloseSettings);
        }
        Err(ApiError::Unauthorized) => signed_out(&state),
        Err(_) => state.dispatch(Action::Notice(Some(Notice::SettingsNotSaved))),
    }
}

pub async fn sign_out(state: Handle) {
    if let Some(session) = session(&state) {
        // The server ends the session; the panel forgets it either way.
        let _ = api::logout(&session).await;
    }
    signed_out(&state);
}

/// "Stuur code" / "Verstuur nieuwe code": a sign-in code to the mailbox (SPEC §8).
pub async fn request_code(state: Handle, resent: bool) {
    state.dispatch(Action::SignInBusy);
    let request = EmailCodeStart {
        mailbox: state.mailbox.clone(),
        device_id: storage::device_id(),
    };
    match api::start_email_code(&request).await {
        Ok(()) => state.dispatch(Action::CodeSent { resent }),
        Err(error) => state.dispatch(Action::SignInMessage(sign_in_message(error))),
    }
}

/// "Inloggen": the code for a session.
pub async fn verify_code(state: Handle, code: String) {
    state.dispatch(Action::SignInBusy);
    let request = EmailCodeVerify {
        mailbox: state.mailbox.clone(),
        device_id: storage::device_id(),
        code: code.chars().filter(|c| !c.is_whitespace()).collect(),
    };
    match api::verify_email_code(&request).await {
        Ok(session) => {
            storage::save_session(&state.mailbox, &session);
            state.dispatch(Action::SignedIn);
        }
        Err(ApiError::Unauthorized) => {
            state.dispatch(Action::SignInMessage(SignInMessage::InvalidCode));
        }
        Err(error) => state.dispatch(Action::SignInMessage(sign_in_message(error))),
    }
}

/// Entra ID: an access token for this API's scope — through MSAL.js nested app
/// authentication, or the Office dialog where Outlook lacks it (`entra.rs`) — exchanged for a
/// session.
pub async fn sign_in_entra(state: Handle) {
    let Some(client) = state.info.as_ref().and_then(|info| info.entra.clone()) else {
        return state.dispatch(Action::SignInMessage(SignInMessage::EntraUnavailable));
    };
    state.dispatch(Action::SignInBusy);
    let Ok(access_token) = entra::access_token(&client, &state.mailbox).await else {
        return state.dispatch(Action::SignInMessage(SignInMessage::EntraUnavailable));
    };
    let request = EntraSignIn {
        access_token,
        mailbox: state.mailbox.clone(),
        device_id: storage::device_id(),
    };
    match api::sign_in_entra(&request).await {
        Ok(session) => {
            storage::save_session(&state.mailbox, &session);
            state.dispatch(Action::SignedIn);
        }
        // The token is fine but names another account than this mailbox (manual §2.1.3.2).
        Err(ApiError::Unauthorized) => {
            state.dispatch(Action::SignInMessage(SignInMessage::EntraWrongAccount));
        }
        Err(error) => state.dispatch(Action::SignInMessage(sign_in_message(error))),
    }
}

thread_local! {
    /// When the panel last signed in with Entra ID on its own (`Date.now()`, ms).
    static LAST_SILENT_SIGN_IN: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
}

/// Entra ID, as the sign-in screen appears (the first time, or when the server asks for a
/// fresh token every `auth.entra.revalidate_after`): the same as the button, without the
/// click — MSAL gets the token from Outlook without asking the user. At most once a minute,
/// so a session the server refuses at once cannot make it loop.
pub async fn sign_in_entra_silently(state: Handle) {
    let now = js_sys::Date::now();
    if now - LAST_SILENT_SIGN_IN.with(Cell::get) < 60_000.0 {
        return;
    }
    LAST_SILENT_SIGN_IN.with(|last| last.set(now));
    sign_in_entra(state).await;
}

fn sign_in_message(error: ApiError) -> SignInMessage {
    match error {
        ApiError::Unreachable => SignInMessage::Unreachable,
        ApiError::Refused { status: 429, .. } => SignInMessage::TooMany,
        ApiError::Unauthorized => SignInMessage::InvalidCode,
        other => SignInMessage::Failed(other.code()),
    }
}

/// Saves a recipient's number (the save icon); the number in E.164 on success.
pub async fn save_phone(state: Handle, address: String, phone: String) -> Result<String, ()> {
    let Some(session) = session(&state) else {
        signed_out(&state);
        return Err(());
    };
    match api::save_pairing(&session, &address, &phone).await {
        Ok(pairing) => Ok(pairing.phone),
        Err(ApiError::Unauthorized) => {
            signed_out(&state);
            Err(())
        }
        Err(_) => Err(()),
    }
}

/// Forgets a recipient's saved number (the bin icon, SPEC §6): the field is then empty, and the
/// draft says so, so the server does not fill the number in again.
pub async fn forget_phone(state: Handle, address: String) -> Result<(), ()> {
    let Some(session) = session(&state) else {
        signed_out(&state);
        return Err(());
    };
    match api::delete_pairing(&session, &address).await {
        Ok(()) => {
            state.dispatch(Action::PhoneTyped {
                address,
                number: None,
            });
            Ok(())
        }
        Err(ApiError::Unauthorized) => {
            signed_out(&state);
            Err(())
        }
        Err(_) => Err(()),
    }
}

/// The remove icon of an unsafe attachment (`removeAttachmentAsync`).
pub async fn remove_attachment(state: Handle, id: String) {
    let Some(host) = office::host() else {
        return;
    };
    state.dispatch(Action::Notice(None));
    if let Err(error) = host.remove_attachment(&id).await {
        state.dispatch(Action::Notice(Some(Notice::OfficeCall(error.to_string()))));
    }
    read_item(&state).await;
    // The focused remove button is gone: keep the keyboard user in the attachments.
    focus("attachments-toggle");
}

/// Removes a recipient the check cannot accept from the field it is in.
pub async fn remove_recipient(state: Handle, field: Field, address: String) {
    let (Some(host), Some(item)) = (office::host(), state.item.clone()) else {
        return;
    };
    state.dispatch(Action::Notice(None));
    let wanted = normalise(&address);
    let kept: Vec<_> = item
        .field(field)
        .iter()
        .filter(|r| normalise(&r.address) != wanted && r.address.trim() != address)
        .cloned()
        .collect();
    if let Err(error) = host.set_recipients(field, &kept).await {
        state.dispatch(Action::Notice(Some(Notice::OfficeCall(error.to_string()))));
    }
    read_item(&state).await;
    // The focused remove button is gone: Tab continues from the top of the list.
    focus("content");
}

/// **Veilig verzenden** (SPEC §7): re-check; ask for a subject when it is empty; the send
/// token on the draft as `X-SendSecure-Token`; the send delay; `sendAsync` — or, without
/// Mailbox 1.15, ask the user to press Outlook's Send.
pub async fn send_secure(state: Handle, subject: Option<String>) {
    let Some(host) = office::host() else {
        return;
    };
    state.dispatch(Action::Send(SendPhase::Preparing));
    if let Some(subject) = subject
        && let Err(error) = host.set_subject(subject.trim()).await
    {
        return fail(&state, SendFailure::Office(error.to_string()));
    }
    read_item(&state).await;
    let Some(verdict) = check(state.clone()).await else {
        // Signed out, unreachable or refused: the panel already says which.
        return state.dispatch(Action::Send(SendPhase::Idle));
    };
    let only_subject = verdict
        .findings
        .iter()
        .filter(|f| f.level == addin_core::finding::Level::Action)
        .all(|f| f.code == FindingCode::SubjectEmpty);
    if !verdict.can_send_secure {
        let phase = if only_subject {
            SendPhase::AskSubject
        } else {
            SendPhase::Blocked
        };
        return state.dispatch(Action::Send(phase));
    }
    let (Some(session), Some(draft)) = (session(&state), state.draft()) else {
        return signed_out(&state);
    };
    let token = match api::send_token(&session, &draft).await {
        Ok(token) => token,
        Err(ApiError::CannotSend(verdict)) => {
            let seq = next(&CHECKS);
            state.dispatch(Action::CheckStarted(seq));
            state.dispatch(Action::Checked(seq, Rc::new(*verdict)));
            return state.dispatch(Action::Send(SendPhase::Blocked));
        }
        Err(ApiError::Unauthorized) => return signed_out(&state),
        Err(ApiError::Unreachable) => return fail(&state, SendFailure::Unreachable),
        Err(error) => return fail(&state, SendFailure::Api(error.code())),
    };
    if let Err(error) = host.tag(&token.token).await {
        return fail(&state, SendFailure::Office(error.to_string()));
    }
    finish(&state, &host, true).await;
}

/// **Standaard versturen**, after its confirmation: reported to the audit log when secure
/// sending was possible or required (SPEC §7), then sent as ordinary mail.
pub async fn send_standard(state: Handle) {
    let Some(host) = office::host() else {
        return;
    };
    state.dispatch(Action::Send(SendPhase::Preparing));
    if state.standard_send_is_reported()
        && let Some(session) = session(&state)
    {
        let event = SendEvent {
            kind: SendEventKind::StandardSend,
            codes: state.codes(),
        };
        // The user may send normally even when the report cannot be made.
        let _ = api::report(&session, &event).await;
    }
    host.untag().await;
    finish(&state, &host, false).await;
}

/// The send delay (visible, cancellable), then `sendAsync` where the host has it.
async fn finish(state: &Handle, host: &office::Host, secure: bool) {
    let delay = state.settings.send_delay_seconds.seconds();
    if delay > 0 && !countdown(state, delay).await {
        return state.dispatch(Action::Send(SendPhase::Cancelled));
    }
    if !host.capabilities.send {
        return state.dispatch(Action::Send(SendPhase::PressOutlookSend { secure }));
    }
    state.dispatch(Action::Send(SendPhase::Sending));
    match host.send().await {
        Ok(()) => state.dispatch(Action::Send(SendPhase::Sent)),
        Err(OfficeError::Unavailable(_)) => {
            state.dispatch(Action::Send(SendPhase::PressOutlookSend { secure }));
        }
        Err(error) => fail(state, SendFailure::Office(error.to_string())),
    }
}

/// Counts down `seconds`; false when the user cancelled.
async fn countdown(state: &Handle, seconds: u8) -> bool {
    let cancel = CancelFlag::default();
    for remaining in (1..=seconds).rev() {
        state.dispatch(Action::Send(SendPhase::Countdown {
            remaining,
            cancel: cancel.clone(),
        }));
        for _ in 0..10 {
            TimeoutFuture::new(100).await;
            if cancel.is_cancelled() {
                return false;
            }
        }
    }
    true
}

fn fail(state: &Handle, failure: SendFailure) {
    state.dispatch(Action::Send(SendPhase::Failed(failure)));
}

/// Moves the keyboard focus to the element with `id`, once the next render is done.
fn focus(id: &'static str) {
    gloo::timers::callback::Timeout::new(0, move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    })
    .forget();
}
