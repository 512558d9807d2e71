//! Signing in (SPEC §8, manual §2.1.3): a code by e-mail to the mailbox the panel runs for,
//! with "Verstuur nieuwe code"; or Entra ID where the organisation chose it.

use addin_core::policy::AuthMethod;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{use_app, use_i18n};
use crate::{
    flow,
    i18n::Arg,
    state::{SignInMessage, SignInStep},
};

#[function_component]
pub fn SignInScreen() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let code = use_state(String::new);
    let entra = state
        .info
        .as_ref()
        .is_some_and(|info| info.auth_method == AuthMethod::EntraId);
    let busy = state.sign_in.busy;

    let message = state.sign_in.message.as_ref().map(|message| {
        let (text, alert) = match message {
            SignInMessage::CodeSent => (
                i18n.t_with(
                    "signin-code-sent",
                    &[("mailbox", Arg::text(state.mailbox.as_str()))],
                ),
                false,
            ),
            SignInMessage::Resent => (i18n.t("signin-resent"), false),
            SignInMessage::InvalidCode => (i18n.t("signin-invalid-code"), true),
            SignInMessage::TooMany => (i18n.t("signin-too-many"), true),
            SignInMessage::Unreachable => (i18n.t("api-unreachable"), true),
            SignInMessage::Failed(error) => (
                i18n.t_with("signin-failed", &[("code", Arg::text(error.as_str()))]),
                true,
            ),
            SignInMessage::EntraUnavailable => (i18n.t("signin-entra-unavailable"), true),
            SignInMessage::EntraWrongAccount => (i18n.t("signin-entra-wrong-account"), true),
        };
        html! {
            <p class={classes!("note", if alert { "note-red" } else { "note-blue" })}
                role={if alert { "alert" } else { "status" }} data-testid="signin-message">{ text }</p>
        }
    });

    let send_code = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| spawn_local(flow::request_code(state.clone(), false)))
    };
    let resend = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| spawn_local(flow::request_code(state.clone(), true)))
    };
    let on_code = {
        let code = code.clone();
        Callback::from(move |event: InputEvent| {
            code.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let submit = {
        let state = state.clone();
        let code = code.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !code.trim().is_empty() {
                spawn_local(flow::verify_code(state.clone(), (*code).clone()));
            }
        })
    };
    let sign_in_entra = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| spawn_local(flow::sign_in_entra(state.clone())))
    };
    {
        let state = state.clone();
        use_effect_with(entra, move |entra| {
            if *entra {
                spawn_local(flow::sign_in_entra_silently(state));
            }
        });
    }

    let mailbox = html! {
        <div class="field">
            <label for="signin-mailbox">{ i18n.t("signin-mailbox-label") }</label>
            <input id="signin-mailbox" type="email" readonly=true value={state.mailbox.clone()}
                data-testid="signin-mailbox" />
        </div>
    };

    let body = if entra {
        html! {
            <>
                <p>{ i18n.t("signin-entra-intro") }</p>
                { mailbox }
                <button type="button" class="button button-primary" disabled={busy}
                    onclick={sign_in_entra} data-testid="signin-entra">
                    { if busy { i18n.t("signin-entra-busy") } else { i18n.t("signin-entra-button") } }
                </button>
            </>
        }
    } else if state.sign_in.step == SignInStep::Start {
        html! {
            <>
                <p>{ i18n.t("signin-intro") }</p>
                { mailbox }
                <button type="button" class="button button-primary" disabled={busy || state.mailbox.is_empty()}
                    onclick={send_code} data-testid="signin-send-code">{ i18n.t("signin-send-code") }</button>
            </>
        }
    } else {
        html! {
            <form onsubmit={submit} novalidate=true>
                { mailbox }
                <div class="field">
                    <label for="signin-code">{ i18n.t("signin-code-label") }</label>
                    <input id="signin-code" type="text" inputmode="numeric" autocomplete="one-time-code"
                        value={(*code).clone()} oninput={on_code} data-testid="signin-code" />
                </div>
                <button type="submit" class="button button-primary" disabled={busy || code.trim().is_empty()}
                    data-testid="signin-submit">{ i18n.t("signin-submit") }</button>
                <button type="button" class="button button-link" disabled={busy}
                    onclick={resend} data-testid="signin-resend">{ i18n.t("signin-resend") }</button>
            </form>
        }
    };

    html! {
        <section class="signin" aria-labelledby="signin-title">
            <h1 id="signin-title" class="screen-title">{ i18n.t("signin-title") }</h1>
            { body }
            { message }
            <p class="hint">{ i18n.t("signin-device-note") }</p>
            <p class="hint">{ i18n.t("signin-standard-hint") }</p>
        </section>
    }
}
