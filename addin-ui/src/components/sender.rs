//! The sender: validated in the domain book (green) or not (red), with its NTA 7516 badge
//! (manual §1.11, "verzender validatie NTA 7516").

use addin_core::finding::FindingCode;
use yew::prelude::*;

use super::{icons, use_app, use_i18n};
use crate::i18n::I18n;

/// The NTA 7516 badge of a sender or recipient whose domain is in the register.
pub fn nta_badge(i18n: &I18n) -> Html {
    html! {
        <span class="badge badge-nta" title={i18n.t("badge-nta7516-label")} data-testid="nta-badge">
            <span aria-hidden="true">{ i18n.t("badge-nta7516") }</span>
            <span class="visually-hidden">{ i18n.t("badge-nta7516-label") }</span>
        </span>
    }
}

#[function_component]
pub fn SenderRow() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let Some(verdict) = state.verdict.as_ref() else {
        return Html::default();
    };
    let sender = &verdict.sender;
    // Without a domain book nothing was checked: neither verified nor wrong.
    let unchecked = state.has(FindingCode::DirectoryUnavailable);
    let tone = if unchecked {
        "blue"
    } else if sender.known {
        "green"
    } else {
        "red"
    };
    html! {
        <section class="section" aria-labelledby="sender-title">
            <h2 id="sender-title" class="section-title">{ i18n.t("sender-title") }</h2>
            <div class={classes!("row", tone)} data-testid="sender"
                data-known={sender.known.to_string()} data-nta7516={sender.nta7516.to_string()}>
                <div class="row-head">
                    <span class="address" title={sender.address.clone()}>{ sender.address.clone() }</span>
                    if sender.nta7516 { { nta_badge(&i18n) } }
                </div>
                if sender.known {
                    <p class="row-status">{ icons::check() }<span>{ i18n.t("sender-validated") }</span></p>
                }
            </div>
        </section>
    }
}
