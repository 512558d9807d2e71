//! The root: holds the state, starts the panel, keeps the verdict current without a refresh
//! button (SPEC §9), and picks the screen.

use std::rc::Rc;

use gloo::timers::callback::{Interval, Timeout};
use wasm_bindgen::{JsCast, closure::Closure};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::{
    attachments::Attachments, info_box::InfoBox, notices::Notices, recipients::Recipients,
    send_bar::SendBar, sender::SenderRow, settings::SettingsScreen, signin::SignInScreen, use_app,
    use_i18n, validated::Validated,
};
use crate::{
    flow::{self, Handle},
    i18n::{Arg, I18n},
    office,
    state::{Action, Bar, CheckStatus, Stage, State},
};

/// Changes to the draft wait this long for the next one before a check (typing a number,
/// Outlook firing several events for one paste).
const DEBOUNCE_MS: u32 = 300;
/// There is no subject-changed event: the item is re-read this often while the pane is
/// visible, and whenever it gains focus or becomes visible.
const REREAD_MS: u32 = 4_000;
/// An unreachable API is tried again after this long.
const RETRY_MS: u32 = 5_000;

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(State::default);

    // Start once: Office.js, the item, the change events, the periodic re-read.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            spawn_local(flow::start(state.clone()));
            let watch = ItemWatch::new(state);
            move || drop(watch)
        });
    }

    // Re-check when the draft changes (debounced; the first check at once).
    {
        let handle = state.clone();
        let active = state.stage == Stage::Panel;
        let first = state.verdict.is_none();
        use_effect_with(
            (active, state.draft(), state.retry, state.mailbox.clone()),
            move |(active, draft, _, _)| {
                let timer = (*active && draft.is_some()).then(|| {
                    let delay = if first { 0 } else { DEBOUNCE_MS };
                    Timeout::new(delay, move || {
                        spawn_local(async move {
                            flow::check(handle).await;
                        });
                    })
                });
                move || drop(timer)
            },
        );
    }

    // The user's settings, once signed in.
    {
        let handle = state.clone();
        use_effect_with(
            (state.stage == Stage::Panel, state.mailbox.clone()),
            move |(active, _)| {
                if *active {
                    spawn_local(flow::load_settings(handle));
                }
            },
        );
    }

    // An unreachable API is retried without the user doing anything.
    {
        let handle = state.clone();
        let unreachable = state.check == CheckStatus::Unreachable || state.info.is_none();
        use_effect_with((unreachable, state.retry), move |(unreachable, _)| {
            let timer = unreachable.then(|| {
                Timeout::new(RETRY_MS, move || {
                    if handle.info.is_none() {
                        spawn_local(flow::load_info(handle.clone()));
                    }
                    if handle.check == CheckStatus::Unreachable {
                        handle.dispatch(Action::Retry);
                    }
                })
            });
            move || drop(timer)
        });
    }

    // Measurements: when the first verdict is on screen.
    {
        let marked = use_mut_ref(|| false);
        use_effect_with(state.verdict.is_some(), move |shown| {
            if *shown && !*marked.borrow() {
                *marked.borrow_mut() = true;
                crate::mark("sendsecure-first-verdict");
            }
        });
    }

    // Outlook's notification bar above the draft says what the panel says (seed §2.5.1).
    {
        let i18n = I18n::get(state.language);
        let text = state.bar().map(|bar| match bar {
            Bar::ActionsNeeded(count) => i18n.t_with(
                "bar-actions-needed",
                &[("count", Arg::number(count as f64))],
            ),
            Bar::Secure => i18n.t("bar-secure"),
            Bar::DirectoryUnavailable => i18n.t("bar-directory-unavailable"),
        });
        use_effect_with(text, |text| {
            if let Some(host) = office::host() {
                let text = text.clone();
                spawn_local(async move { host.notify(text.as_deref()).await });
            }
        });
    }

    // <html lang> follows the panel's language (screen readers pronounce by it).
    use_effect_with(state.language, |language| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("lang", language.code());
        }
    });

    let i18n = I18n::get(state.language);
    html! {
        <ContextProvider<Handle> context={state.clone()}>
            <ContextProvider<Rc<I18n>> context={i18n}>
                <Screen />
            </ContextProvider<Rc<I18n>>>
        </ContextProvider<Handle>>
    }
}

#[function_component]
fn Screen() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let message = |key: &str| {
        html! {
            <div class="pane">
                <div class="scroll"><p class="screen-message" role="status">{ i18n.t(key) }</p></div>
            </div>
        }
    };
    match state.stage {
        Stage::Starting => html! {
            <div class="pane">
                <div class="scroll">
                    <p class="screen-message" role="status"><span class="spinner"></span>{ i18n.t("app-loading") }</p>
                </div>
            </div>
        },
        Stage::NotInOutlook => message("not-in-outlook"),
        Stage::OfficeFailed => message("office-failed"),
        Stage::Panel if state.ui.settings_open => html! { <SettingsScreen /> },
        Stage::SignIn => html! {
            <div class="pane">
                <main class="scroll"><SignInScreen /></main>
                <SendBar />
            </div>
        },
        Stage::Panel => html! {
            <div class="pane">
                <main id="content" class="scroll" tabindex="-1">
                    <InfoBox />
                    <Notices />
                    <SenderRow />
                    <Recipients />
                    <Validated />
                    <Attachments />
                    <ReadyMarker />
                </main>
                <SendBar />
            </div>
        },
    }
}

/// `verdict-ready`: for the browser tests and the first-verdict measurement.
#[function_component]
fn ReadyMarker() -> Html {
    let state = use_app();
    let Some(verdict) = state.verdict.as_ref() else {
        return Html::default();
    };
    html! {
        <span hidden=true data-testid="verdict-ready"
            data-checking={(state.check == CheckStatus::Running).to_string()}
            data-can-send-secure={verdict.can_send_secure.to_string()}></span>
    }
}

/// Re-reads the item on focus, on becoming visible, and every few seconds while visible:
/// the subject (and From) have no change event.
struct ItemWatch {
    _interval: Interval,
    listeners: Vec<Listener>,
}

/// An event listener, removed again when the watch ends.
type Listener = (web_sys::EventTarget, &'static str, Closure<dyn Fn()>);

impl ItemWatch {
    fn new(state: Handle) -> Self {
        let reread = {
            let state = state.clone();
            move || {
                if visible() {
                    let state = state.clone();
                    spawn_local(async move { flow::read_item(&state).await });
                }
            }
        };
        let interval = {
            let reread = reread.clone();
            Interval::new(REREAD_MS, reread)
        };
        let mut listeners = Vec::new();
        let window = web_sys::window();
        let document = window.as_ref().and_then(|w| w.document());
        let targets: [(Option<web_sys::EventTarget>, &'static str); 2] = [
            (window.map(Into::into), "focus"),
            (document.map(Into::into), "visibilitychange"),
        ];
        for (target, event) in targets {
            let Some(target) = target else { continue };
            let callback = Closure::<dyn Fn()>::new(reread.clone());
            if target
                .add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())
                .is_ok()
            {
                listeners.push((target, event, callback));
            }
        }
        Self {
            _interval: interval,
            listeners,
        }
    }
}

impl Drop for ItemWatch {
    fn drop(&mut self) {
        for (target, event, callback) in &self.listeners {
            let _ = target
                .remove_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        }
    }
}

fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| !d.hidden())
}
