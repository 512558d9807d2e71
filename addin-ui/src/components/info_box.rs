//! The blue box: what the organisation's installation type means for outside recipients
//! (manual §2.2.2.1), foldable, with an "i" for more.

use addin_core::policy::InstallationType;
use yew::prelude::*;

use super::{icons, use_app, use_i18n};
use crate::state::Action;

/// The message id of an installation type's title; `-text` and `-more` follow it.
pub fn installation_key(installation: InstallationType) -> &'static str {
    match installation {
        InstallationType::ViewerPhoneRequired => "install-viewer-phone-required",
        InstallationType::ViewerPhoneCheck => "install-viewer-phone-check",
        InstallationType::Viewer => "install-viewer",
        InstallationType::Standard => "install-standard",
    }
}

#[function_component]
pub fn InfoBox() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let Some(info) = state.info.as_ref() else {
        return Html::default();
    };
    let key = installation_key(info.installation_type);
    let open = state.ui.info_open;
    let more = state.ui.info_more;
    let toggle = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::ToggleInfo))
    };
    let toggle_more = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            if !state.ui.info_open {
                state.dispatch(Action::ToggleInfo);
            }
            state.dispatch(Action::ToggleInfoMore);
        })
    };
    let fold_label = if open {
        i18n.t("info-box-collapse")
    } else {
        i18n.t("info-box-expand")
    };
    html! {
        <section class="box box-blue" aria-labelledby="install-title" data-testid="info-box">
            <div class="box-head">
                <h2 id="install-title" class="box-title">{ i18n.t(key) }</h2>
                <button type="button" class="icon-button" onclick={toggle_more}
                    aria-expanded={more.to_string()} aria-controls="install-more"
                    aria-label={i18n.t("info-box-more")} title={i18n.t("info-box-more")}
                    data-testid="info-more">{ icons::info() }</button>
                <button type="button" class="icon-button" onclick={toggle}
                    aria-expanded={open.to_string()} aria-controls="install-body"
                    aria-label={fold_label.clone()} title={fold_label}
                    data-testid="info-toggle">{ icons::chevron(open) }</button>
            </div>
            <div id="install-body" hidden={!open}>
                <p>{ i18n.t(&format!("{key}-text")) }</p>
                <p id="install-more" class="more" hidden={!more}>{ i18n.t(&format!("{key}-more")) }</p>
            </div>
        </section>
    }
}
