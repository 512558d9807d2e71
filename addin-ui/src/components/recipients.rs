//! Recipients that need or allow an action, first (manual §2.2.2.1): each with its route, its
//! NTA 7516 badge, its findings and, for Viewer recipients, the phone input.

use addin_core::draft::Field;
use addin_core::{
    finding::{Finding, Level},
    verdict::{PhoneStatus, RecipientReport, Route},
};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::{
    icons, notices::finding_item, phone_input::PhoneInput, sender::nta_badge, use_app, use_i18n,
};
use crate::{flow, i18n::Arg};

pub fn route_name(route: Route) -> &'static str {
    match route {
        Route::Internal => "internal",
        Route::Community => "community",
        Route::Nta7516 => "nta7516",
        Route::Viewer => "viewer",
        Route::Blocked => "blocked",
        Route::Invalid => "invalid",
        Route::Unknown => "unknown",
    }
}

fn phone_name(phone: PhoneStatus) -> &'static str {
    match phone {
        PhoneStatus::None => "none",
        PhoneStatus::Given => "given",
        PhoneStatus::Missing => "missing",
        PhoneStatus::Invalid => "invalid",
        PhoneStatus::NotPossible => "not-possible",
    }
}

fn field_key(field: Field) -> &'static str {
    match field {
        Field::To => "field-to",
        Field::Cc => "field-cc",
        Field::Bcc => "field-bcc",
    }
}

#[function_component]
pub fn Recipients() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let Some(verdict) = state.verdict.as_ref() else {
        return Html::default();
    };
    let attention: Vec<&RecipientReport> = verdict
        .recipients
        .iter()
        .filter(|r| state.needs_attention(r))
        .collect();
    if attention.is_empty() {
        return Html::default();
    }
    html! {
        <section class="section" aria-labelledby="recipients-title">
            <h2 id="recipients-title" class="section-title">{ i18n.t("recipients-title") }</h2>
            <ul class="rows">
                { for attention.into_iter().enumerate().map(|(index, recipient)| html! {
                    <RecipientRow key={recipient.address.clone()} recipient={recipient.clone()}
                        index={index} removable=true />
                }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RowProps {
    pub recipient: RecipientReport,
    /// Position in its list, for unique element ids.
    pub index: usize,
    /// Offer to remove the recipient from the message.
    #[prop_or(false)]
    pub removable: bool,
}

#[function_component]
pub fn RecipientRow(props: &RowProps) -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let recipient = &props.recipient;
    let findings: Vec<Finding> = state
        .recipient_findings(&recipient.address)
        .cloned()
        .collect();
    let red = findings.iter().any(|f| f.level == Level::Action)
        || matches!(recipient.route, Route::Blocked | Route::Invalid);
    // Green only when verified: own organisation, the domain book, or the NTA 7516 route.
    let verified = findings.is_empty()
        && matches!(
            recipient.route,
            Route::Internal | Route::Community | Route::Nta7516
        );
    let tone = if red {
        "red"
    } else if verified {
        "green"
    } else {
        "blue"
    };
    let route = route_name(recipient.route);
    // Seed §1.11: only an organisation that meets NTA 7516 itself sees which recipients do.
    let sender_nta7516 = state.verdict.as_ref().is_some_and(|v| v.sender.nta7516);
    let remove = props.removable.then(|| {
        let state = state.clone();
        let field = recipient.field;
        let address = recipient.address.clone();
        let label = i18n.t_with(
            "recipient-remove",
            &[("address", Arg::text(recipient.address.as_str()))],
        );
        let onclick = Callback::from(move |_: MouseEvent| {
            spawn_local(flow::remove_recipient(
                state.clone(),
                field,
                address.clone(),
            ));
        });
        html! {
            <button type="button" class="icon-button" onclick={onclick} aria-label={label.clone()}
                title={label} data-testid={format!("recipient-remove-{}", recipient.address)}>
                { icons::remove() }
            </button>
        }
    });
    let phone = (recipient.route == Route::Viewer && recipient.phone != PhoneStatus::NotPossible)
        .then(|| {
            html! {
                <PhoneInput address={recipient.address.clone()} index={props.index}
                    known={recipient.phone_number.clone()} status={recipient.phone} />
            }
        });
    html! {
        <li class={classes!("row", tone)} data-testid={format!("recipient-{}", recipient.address)}
            data-route={route} data-phone={phone_name(recipient.phone)}>
            <div class="row-head">
                <span class="address" title={recipient.address.clone()}>{ recipient.address.clone() }</span>
                <span class="field-tag">{ i18n.t(field_key(recipient.field)) }</span>
                { remove }
            </div>
            <div class="tags">
                <span class={classes!("route", format!("route-{route}"))}>{ i18n.t(&format!("route-{route}")) }</span>
                if recipient.nta7516 && sender_nta7516 { { nta_badge(&i18n) } }
                if tone == "green" {
                    <span class="row-status">{ icons::check() }<span>{ i18n.t("recipient-validated") }</span></span>
                }
            </div>
            if !findings.is_empty() {
                <ul class="findings">
                    { for findings.iter().map(|f| finding_item(&i18n, f, "recipient-finding-")) }
                </ul>
            }
            { phone }
        </li>
    }
}
