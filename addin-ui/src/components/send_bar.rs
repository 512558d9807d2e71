//! The bottom of the panel, always visible (the list scrolls above it): the verdict in one
//! line, the green **Veilig verzenden** and the blue **Standaard versturen**, the gear, and
//! whatever a send needs on the way: the confirmation, the subject, the countdown.

use addin_core::finding::FindingCode;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::{icons, use_app, use_i18n};
use crate::{
    flow,
    i18n::Arg,
    state::{Action, CheckStatus, SendFailure, SendPhase, Stage},
};

#[function_component]
pub fn SendBar() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let subject = use_state(String::new);
    let focus = use_node_ref();

    // Whatever the send asks for next gets the keyboard focus.
    {
        let focus = focus.clone();
        use_effect_with(std::mem::discriminant(&state.send), move |_| {
            if let Some(element) = focus.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        });
    }

    let panel = state.stage == Stage::Panel;
    let busy = state.send.busy();
    let summary = summary(&state, &i18n);

    let secure = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            if state.has(FindingCode::SubjectEmpty) {
                state.dispatch(Action::Send(SendPhase::AskSubject));
            } else {
                spawn_local(flow::send_secure(state.clone(), None));
            }
        })
    };
    let standard = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Send(SendPhase::ConfirmStandard))
        })
    };
    let confirm_standard = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| spawn_local(flow::send_standard(state.clone())))
    };
    let back = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Send(SendPhase::Idle)))
    };
    let on_subject = {
        let subject = subject.clone();
        Callback::from(move |event: InputEvent| {
            subject.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let submit_subject = {
        let state = state.clone();
        let subject = subject.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !subject.trim().is_empty() {
                spawn_local(flow::send_secure(state.clone(), Some((*subject).clone())));
            }
        })
    };
    let open_settings = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::OpenSettings))
    };

    let step = match &state.send {
        SendPhase::Idle => Html::default(),
        SendPhase::ConfirmStandard => html! {
            <div class="step" role="alertdialog" aria-labelledby="confirm-text">
                <p id="confirm-text">{ i18n.t("send-confirm-standard") }</p>
                <div class="step-buttons">
                    <button ref={focus.clone()} type="button" class="button button-blue"
                        onclick={confirm_standard} data-testid="send-confirm-yes">{ i18n.t("send-confirm-yes") }</button>
                    <button type="button" class="button button-plain" onclick={back.clone()}
                        data-testid="send-confirm-no">{ i18n.t("send-confirm-no") }</button>
                </div>
            </div>
        },
        SendPhase::AskSubject => html! {
            <form class="step" onsubmit={submit_subject} novalidate=true>
                <p class="red" role="alert">{ i18n.t("subject-prompt") }</p>
                <label for="send-subject">{ i18n.t("subject-label") }</label>
                <input ref={focus.clone()} id="send-subject" type="text" value={(*subject).clone()}
                    oninput={on_subject} data-testid="send-subject" />
                <div class="step-buttons">
                    <button type="submit" class="button button-green" disabled={subject.trim().is_empty()}
                        data-testid="send-subject-confirm">{ i18n.t("subject-confirm") }</button>
                    <button type="button" class="button button-plain" onclick={back.clone()}>
                        { i18n.t("send-confirm-no") }</button>
                </div>
            </form>
        },
        SendPhase::Countdown { remaining, cancel } => {
            let cancel = cancel.clone();
            let state = state.clone();
            let onclick = Callback::from(move |_: MouseEvent| {
                cancel.cancel();
                state.dispatch(Action::Send(SendPhase::Cancelled));
            });
            html! {
                <div class="step">
                    <p class="countdown" role="timer" aria-live="polite" data-testid="send-countdown"
                        data-remaining={remaining.to_string()}>
                        { i18n.t_with("send-countdown", &[("seconds", Arg::number(*remaining))]) }
                    </p>
                    <button ref={focus.clone()} type="button" class="button button-plain" onclick={onclick}
                        data-testid="send-cancel">{ i18n.t("send-cancel") }</button>
                </div>
            }
        }
        phase => status(phase, &i18n),
    };

    html! {
        <footer class="send-bar">
            <p class={classes!("summary", summary.1)} role="status" aria-live="polite" data-testid="verdict-summary">
                { summary.0 }
            </p>
            { step }
            <div class="buttons">
                <button type="button" class="button button-green" onclick={secure}
                    disabled={!state.secure_send_enabled()} data-testid="send-secure">
                    { i18n.t("send-secure") }
                </button>
                <button type="button" class="button button-blue" onclick={standard}
                    disabled={busy || state.stage == Stage::Starting} data-testid="send-standard">
                    { i18n.t("send-standard") }
                </button>
                if panel {
                    <button type="button" class="icon-button gear" onclick={open_settings}
                        aria-label={i18n.t("settings-open")} title={i18n.t("settings-open")}
                        data-testid="settings-open">{ icons::gear() }</button>
                }
            </div>
        </footer>
    }
}

/// The one-line verdict above the buttons, and its colour.
fn summary(state: &crate::state::State, i18n: &crate::i18n::I18n) -> (String, &'static str) {
    if state.stage != Stage::Panel {
        return (String::new(), "");
    }
    match (&state.verdict, &state.check) {
        (_, CheckStatus::Unreachable | CheckStatus::Failed(_)) => (String::new(), ""),
        (None, _) => (i18n.t("checking"), ""),
        (Some(verdict), _) if verdict.can_send_secure => (i18n.t("ready-to-send"), "green"),
        (Some(_), _) => {
            let count = state.actions().count();
            (
                i18n.t_with("actions-needed", &[("count", Arg::number(count as f64))]),
                "red",
            )
        }
    }
}

/// What happened to the last send.
fn status(phase: &SendPhase, i18n: &crate::i18n::I18n) -> Html {
    let (text, name, tone) = match phase {
        SendPhase::Preparing => (i18n.t("send-preparing"), "preparing", ""),
        SendPhase::Sending => (i18n.t("send-sending"), "sending", ""),
        SendPhase::Sent => (i18n.t("send-sent"), "sent", "green"),
        SendPhase::PressOutlookSend { secure: true } => {
            (i18n.t("send-press-outlook"), "press-outlook-send", "green")
        }
        SendPhase::PressOutlookSend { secure: false } => (
            i18n.t("send-press-outlook-standard"),
            "press-outlook-send",
            "blue",
        ),
        SendPhase::Cancelled => (i18n.t("send-cancelled"), "cancelled", ""),
        SendPhase::Blocked => (i18n.t("send-blocked"), "blocked", "red"),
        SendPhase::Failed(failure) => {
            let reason = match failure {
                SendFailure::Unreachable => i18n.t("api-unreachable"),
                SendFailure::Api(code) | SendFailure::Office(code) => code.clone(),
            };
            (
                i18n.t_with("send-failed", &[("reason", Arg::text(reason))]),
                "failed",
                "red",
            )
        }
        SendPhase::Idle
        | SendPhase::ConfirmStandard
        | SendPhase::AskSubject
        | SendPhase::Countdown { .. } => return Html::default(),
    };
    html! {
        <p class={classes!("step", "send-status", tone)} role="status" data-testid="send-status" data-phase={name}>
            { text }
        </p>
    }
}
