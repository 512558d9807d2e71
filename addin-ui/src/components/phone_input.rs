//! A Viewer recipient's mobile number (SPEC §6, manual §1.10 and §4.6): a country picker
//! (NL, GB, DE first, the default following the panel's language), the undo icon while the
//! number differs from the saved one, the save icon once it looks complete. Every keystroke
//! goes into the draft's `phones`, so the (debounced) check validates it; saving stores the
//! pair on the server, which fills it in next time.

use addin_core::verdict::PhoneStatus;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{icons, use_app, use_i18n};
use crate::{
    flow,
    i18n::{Arg, RegionNames},
    phone::{self, Country},
    state::Action,
};

#[derive(Properties, PartialEq)]
pub struct PhoneProps {
    pub address: String,
    pub index: usize,
    /// The number the check knows (typed here or saved earlier), in E.164.
    pub known: Option<String>,
    pub status: PhoneStatus,
}

/// What the field shows: a country and the number as typed.
type Shown = (&'static str, String);

/// How the last save or forget went.
#[derive(Clone, Copy, PartialEq)]
enum Saved {
    Yes,
    Failed,
    Forgotten,
}

#[function_component]
pub fn PhoneInput(props: &PhoneProps) -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let default_country = phone::default_country(state.language);
    let initial = {
        let known = state
            .phones
            .get(&props.address)
            .cloned()
            .or_else(|| props.known.clone());
        move || -> Shown {
            known
                .as_deref()
                .and_then(phone::split)
                .map(|(country, rest)| (country.iso, rest))
                .unwrap_or((default_country, String::new()))
        }
    };
    let shown = use_state({
        let initial = initial.clone();
        move || initial()
    });
    // The number as last saved or filled in: what undo goes back to.
    let baseline = use_state(initial);
    let saving = use_state(|| false);
    let saved = use_state(|| None::<Saved>);
    let dirty = *shown != *baseline;

    // A number the server filled in (a saved pair) shows up unless the user is typing.
    {
        let shown = shown.clone();
        let baseline = baseline.clone();
        use_effect_with(props.known.clone(), move |known| {
            if *shown == *baseline
                && let Some((country, rest)) = known.as_deref().and_then(phone::split)
            {
                let filled = (country.iso, rest);
                if *shown != filled {
                    shown.set(filled.clone());
                    baseline.set(filled);
                }
            }
        });
    }
    // An empty field follows the panel's language.
    {
        let shown = shown.clone();
        let baseline = baseline.clone();
        use_effect_with(default_country, move |country| {
            if shown.1.is_empty() && *shown == *baseline {
                shown.set((country, String::new()));
                baseline.set((country, String::new()));
            }
        });
    }

    let countries = use_memo(state.language, |language| {
        let names = RegionNames::new(*language);
        phone::ordered(|country| names.name(country.iso))
    });

    let typed = {
        let state = state.clone();
        let address = props.address.clone();
        move |(iso, text): &Shown| {
            let number = phone::country(iso).and_then(|country| phone::compose(country, text));
            state.dispatch(Action::PhoneTyped {
                address: address.clone(),
                number,
            });
        }
    };
    let on_input = {
        let shown = shown.clone();
        let saved = saved.clone();
        let typed = typed.clone();
        Callback::from(move |event: InputEvent| {
            let next = (
                shown.0,
                event.target_unchecked_into::<HtmlInputElement>().value(),
            );
            typed(&next);
            shown.set(next);
            saved.set(None);
        })
    };
    let on_country = {
        let shown = shown.clone();
        let typed = typed.clone();
        Callback::from(move |event: Event| {
            let iso = event.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(country) = phone::country(&iso) {
                let next = (country.iso, shown.1.clone());
                typed(&next);
                shown.set(next);
            }
        })
    };
    let on_undo = {
        let shown = shown.clone();
        let baseline = baseline.clone();
        let saved = saved.clone();
        Callback::from(move |_: MouseEvent| {
            typed(&baseline);
            shown.set((*baseline).clone());
            saved.set(None);
        })
    };
    let country: &Country = phone::country(shown.0)
        .or_else(|| phone::country(default_country))
        .unwrap_or(&phone::COUNTRIES[0]);
    let composed = phone::compose(country, &shown.1);
    let complete = phone::looks_complete(country, &shown.1);
    let on_save = {
        let state = state.clone();
        let address = props.address.clone();
        let shown = shown.clone();
        let baseline = baseline.clone();
        let saving = saving.clone();
        let saved = saved.clone();
        let composed = composed.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(number) = composed.clone() else {
                return;
            };
            let (state, address) = (state.clone(), address.clone());
            let (shown, baseline) = (shown.clone(), baseline.clone());
            let (saving, saved) = (saving.clone(), saved.clone());
            saving.set(true);
            spawn_local(async move {
                let result = flow::save_phone(state, address, number).await;
                saving.set(false);
                match result {
                    Ok(_) => {
                        baseline.set((*shown).clone());
                        saved.set(Some(Saved::Yes));
                    }
                    Err(()) => saved.set(Some(Saved::Failed)),
                }
            });
        })
    };

    // A saved (or filled-in) number can be forgotten on the server (SPEC §6).
    let forgettable = !dirty && !baseline.1.is_empty();
    let on_forget = {
        let state = state.clone();
        let address = props.address.clone();
        let shown = shown.clone();
        let baseline = baseline.clone();
        let saving = saving.clone();
        let saved = saved.clone();
        Callback::from(move |_: MouseEvent| {
            let (state, address) = (state.clone(), address.clone());
            let (shown, baseline) = (shown.clone(), baseline.clone());
            let (saving, saved) = (saving.clone(), saved.clone());
            saving.set(true);
            spawn_local(async move {
                let result = flow::forget_phone(state, address).await;
                saving.set(false);
                match result {
                    Ok(()) => {
                        let empty = (shown.0, String::new());
                        shown.set(empty.clone());
                        baseline.set(empty);
                        saved.set(Some(Saved::Forgotten));
                    }
                    Err(()) => saved.set(Some(Saved::Failed)),
                }
            });
        })
    };

    let address = &props.address;
    let input_id = format!("phone-{}", props.index);
    let country_id = format!("phone-country-{}", props.index);
    let status_id = format!("phone-status-{}", props.index);
    let invalid = props.status == PhoneStatus::Invalid && !shown.1.is_empty();
    let status = match *saved {
        Some(Saved::Yes) => i18n.t("phone-saved"),
        Some(Saved::Failed) => i18n.t("phone-save-failed"),
        Some(Saved::Forgotten) => i18n.t("phone-forgotten"),
        None => String::new(),
    };
    let name_arg = [("address", Arg::text(address.as_str()))];
    html! {
        <div class="phone">
            <div class="phone-row">
                <label class="visually-hidden" for={country_id.clone()}>
                    { i18n.t_with("phone-country-label", &name_arg) }
                </label>
                <select id={country_id} class="phone-country" onchange={on_country}
                    data-testid={format!("phone-country-{address}")}>
                    { for countries.iter().map(|(country, name)| html! {
                        <option value={country.iso} selected={country.iso == shown.0}>
                            { format!("{} +{} {name}", country.iso, country.calling_code) }
                        </option>
                    }) }
                </select>
                <label class="visually-hidden" for={input_id.clone()}>
                    { i18n.t_with("phone-label", &name_arg) }
                </label>
                <input id={input_id} class="phone-number" type="tel" inputmode="tel" autocomplete="off"
                    value={shown.1.clone()} oninput={on_input}
                    placeholder={i18n.t("phone-placeholder")}
                    aria-invalid={invalid.to_string()} aria-describedby={status_id.clone()}
                    data-testid={format!("phone-input-{address}")} />
                if dirty {
                    <button type="button" class="icon-button" onclick={on_undo}
                        aria-label={i18n.t("phone-undo")} title={i18n.t("phone-undo")}
                        data-testid={format!("phone-undo-{address}")}>{ icons::undo() }</button>
                }
                if forgettable {
                    <button type="button" class="icon-button" onclick={on_forget}
                        disabled={*saving} aria-label={i18n.t("phone-forget")} title={i18n.t("phone-forget")}
                        data-testid={format!("phone-forget-{address}")}>{ icons::remove() }</button>
                }
                if dirty && complete {
                    <button type="button" class="icon-button icon-button-green" onclick={on_save}
                        disabled={*saving} aria-label={i18n.t("phone-save")} title={i18n.t("phone-save")}
                        data-testid={format!("phone-save-{address}")}>{ icons::save() }</button>
                }
            </div>
            <p id={status_id} class={classes!("phone-status", matches!(*saved, Some(Saved::Failed)).then_some("red"))}
                role="status" aria-live="polite" data-testid={format!("phone-status-{address}")}>
                { status }
            </p>
        </div>
    }
}
