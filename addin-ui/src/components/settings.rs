//! Settings (the gear, manual §2.4): language and send delay, saved on the server and
//! followed by the send handler; the information block (version, domain book, installation
//! type), the manual and release notes, and signing out.

use addin_core::api::{Language, SendDelay, Settings};
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{info_box::installation_key, use_app, use_i18n};
use crate::{
    flow,
    i18n::Arg,
    state::{Action, Notice},
};

const AUTO: &str = "auto";

#[function_component]
pub fn SettingsScreen() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let draft = use_state(|| state.settings);

    let on_language = {
        let draft = draft.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            draft.set(Settings {
                language: Language::from_code(&value),
                ..*draft
            });
        })
    };
    let on_delay = {
        let draft = draft.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(delay) = value
                .parse::<u8>()
                .ok()
                .and_then(|s| SendDelay::try_from(s).ok())
            {
                draft.set(Settings {
                    send_delay_seconds: delay,
                    ..*draft
                });
            }
        })
    };
    let save = {
        let state = state.clone();
        let draft = draft.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            spawn_local(flow::save_settings(state.clone(), *draft));
        })
    };
    let cancel = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Notice(None));
            state.dispatch(Action::CloseSettings);
        })
    };
    let sign_out = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| spawn_local(flow::sign_out(state.clone())))
    };

    let chosen = draft.language.map(Language::code).unwrap_or(AUTO);
    let languages = [
        (AUTO, i18n.t("settings-language-auto")),
        ("nl", i18n.t("language-nl")),
        ("en", i18n.t("language-en")),
        ("de", i18n.t("language-de")),
    ];
    let delay = draft.send_delay_seconds.seconds();
    let delays = SendDelay::CHOICES.map(|seconds| (seconds, i18n.t(&format!("delay-{seconds}"))));

    let not_saved = state.notice == Some(Notice::SettingsNotSaved);
    let info = state.info.as_deref();
    let directory = info
        .and_then(|info| info.directory.as_ref())
        .map(|directory| i18n.t(&format!("directory-{}", directory.variant.as_str())))
        .unwrap_or_else(|| i18n.t("about-directory-none"));
    let installation = info
        .map(|info| i18n.t(installation_key(info.installation_type)))
        .unwrap_or_default();
    let version = info
        .map(|info| info.version.clone())
        .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned());

    html! {
        <div class="pane">
            <main class="scroll">
                <form class="settings" onsubmit={save} aria-labelledby="settings-title">
                    <h1 id="settings-title" class="screen-title">{ i18n.t("settings-title") }</h1>
                    <div class="field">
                        <label for="settings-language">{ i18n.t("settings-language") }</label>
                        <select id="settings-language" onchange={on_language} data-testid="settings-language">
                            { for languages.into_iter().map(|(code, name)| html! {
                                <option value={code} selected={code == chosen}>{ name }</option>
                            }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="settings-delay">{ i18n.t("settings-delay") }</label>
                        <select id="settings-delay" onchange={on_delay} data-testid="settings-delay">
                            { for delays.into_iter().map(|(seconds, name)| html! {
                                <option value={seconds.to_string()} selected={seconds == delay}>{ name }</option>
                            }) }
                        </select>
                    </div>
                    if not_saved {
                        <p class="note note-red" role="alert" data-testid="notice">{ i18n.t("settings-save-failed") }</p>
                    }
                    <div class="step-buttons">
                        <button type="submit" class="button button-green" data-testid="settings-save">
                            { i18n.t("settings-save") }</button>
                        <button type="button" class="button button-plain" onclick={cancel}
                            data-testid="settings-cancel">{ i18n.t("settings-cancel") }</button>
                    </div>
                </form>

                <section class="section about" aria-labelledby="about-title">
                    <h2 id="about-title" class="section-title">{ i18n.t("about-title") }</h2>
                    <dl>
                        <dt>{ i18n.t("about-version") }</dt>
                        <dd data-testid="about-version">{ version }</dd>
                        <dt>{ i18n.t("about-directory") }</dt>
                        <dd data-testid="about-directory">{ directory }</dd>
                        <dt>{ i18n.t("about-installation") }</dt>
                        <dd data-testid="about-installation">{ installation }</dd>
                    </dl>
                    <p class="links">
                        <a href={format!("/manual.html#{}", state.language.code())} target="_blank" rel="noopener">
                            { i18n.t("about-manual") }</a>
                        <a href={format!("/release-notes.html#{}", state.language.code())} target="_blank" rel="noopener">
                            { i18n.t("about-release-notes") }</a>
                    </p>
                </section>

                <section class="section">
                    <p class="hint">{ i18n.t_with("signed-in-as", &[("mailbox", Arg::text(state.mailbox.as_str()))]) }</p>
                    <button type="button" class="button button-plain" onclick={sign_out} data-testid="sign-out">
                        { i18n.t("sign-out") }</button>
                </section>
            </main>
        </div>
    }
}
