//! "Toon gevalideerde ontvangers (n)": recipients that need nothing, collapsed by default
//! (manual §2.2.2.1).

use addin_core::verdict::RecipientReport;
use yew::prelude::*;

use super::{icons, recipients::RecipientRow, use_app, use_i18n};
use crate::{i18n::Arg, state::Action};

#[function_component]
pub fn Validated() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let Some(verdict) = state.verdict.as_ref() else {
        return Html::default();
    };
    let validated: Vec<&RecipientReport> = verdict
        .recipients
        .iter()
        .filter(|r| !state.needs_attention(r))
        .collect();
    if validated.is_empty() {
        return Html::default();
    }
    let open = state.ui.show_validated;
    let count = [("count", Arg::number(validated.len() as f64))];
    let label = if open {
        i18n.t_with("hide-validated", &count)
    } else {
        i18n.t_with("show-validated", &count)
    };
    let toggle = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::ToggleValidated))
    };
    html! {
        <section class="section">
            <button type="button" class="disclosure" onclick={toggle}
                aria-expanded={open.to_string()} aria-controls="validated-list" data-testid="show-validated">
                { icons::chevron(open) }<span>{ label }</span>
            </button>
            <ul id="validated-list" class="rows" hidden={!open} data-testid="validated-list">
                { for validated.into_iter().enumerate().map(|(index, recipient)| html! {
                    <RecipientRow key={recipient.address.clone()} recipient={recipient.clone()} index={1000 + index} />
                }) }
            </ul>
        </section>
    }
}
