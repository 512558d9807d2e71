//! Attachments (manual §4.7): their count, each one's share of the total as a bar, unsafe
//! ones red with a remove icon (`removeAttachmentAsync`); collapsed when nothing needs doing.

use addin_core::finding::FindingCode;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::{icons, notices::finding_item, use_app, use_i18n};
use crate::{
    flow,
    i18n::{Arg, file_size},
    state::Action,
};

#[function_component]
pub fn Attachments() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let (Some(verdict), Some(item)) = (state.verdict.as_ref(), state.item.as_ref()) else {
        return Html::default();
    };
    let report = &verdict.attachments;
    if report.count == 0 {
        return Html::default();
    }
    let open = state.attachments_open();
    let red = state.attachment_findings().next().is_some();
    let blocked = |name: &str| {
        state.has(FindingCode::AttachmentBlockedType)
            && state.attachment_findings().any(|f| {
                f.code == FindingCode::AttachmentBlockedType && f.subject.as_deref() == Some(name)
            })
    };
    let count = [("count", Arg::number(report.count as f64))];
    let label = if open {
        i18n.t_with("attachments-hide", &count)
    } else {
        i18n.t_with("attachments-show", &count)
    };
    let toggle = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::ToggleAttachments))
    };
    let general: Vec<Html> = state
        .attachment_findings()
        .filter(|f| f.code != FindingCode::AttachmentBlockedType)
        .map(|f| finding_item(&i18n, f, "finding-"))
        .collect();
    // The verdict lists the attachments in draft order, as Outlook reported them; the item
    // holds their ids for removal.
    let rows = report.items.iter().enumerate().map(|(index, attachment)| {
        let is_blocked = blocked(&attachment.name);
        let office = item.attachments.get(index).filter(|a| a.name == attachment.name);
        let cloud = office.is_some_and(|a| a.cloud);
        let percent = (attachment.share * 100.0).round().clamp(0.0, 100.0);
        let remove = office.map(|office| {
            let state = state.clone();
            let id = office.id.clone();
            let label = i18n.t_with("attachment-remove", &[("name", Arg::text(attachment.name.as_str()))]);
            let onclick = Callback::from(move |_: MouseEvent| {
                spawn_local(flow::remove_attachment(state.clone(), id.clone()));
            });
            html! {
                <button type="button" class="icon-button" onclick={onclick} aria-label={label.clone()}
                    title={label} data-testid={format!("attachment-remove-{}", attachment.name)}>
                    { icons::remove() }
                </button>
            }
        });
        let size = if cloud {
            i18n.t("attachment-cloud")
        } else {
            file_size(&i18n, attachment.size)
        };
        html! {
            <li class={classes!("row", "attachment", if is_blocked { "red" } else { "green" })}
                data-testid={format!("attachment-{}", attachment.name)} data-blocked={is_blocked.to_string()}>
                <div class="row-head">
                    <span class="address" title={attachment.name.clone()}>{ attachment.name.clone() }</span>
                    <span class="size">{ size }</span>
                    { remove }
                </div>
                <div class="bar" role="img"
                    aria-label={i18n.t_with("attachment-share", &[("percent", Arg::number(percent))])}>
                    <span class="bar-fill" style={format!("width: {percent}%")}></span>
                </div>
                if is_blocked {
                    <p class="row-status red">{ icons::alert() }
                        <span>{ i18n.finding(FindingCode::AttachmentBlockedType, Some(&attachment.name)) }</span>
                    </p>
                }
            </li>
        }
    });
    html! {
        <section class="section">
            <button type="button" id="attachments-toggle" class={classes!("disclosure", red.then_some("red"))} onclick={toggle}
                aria-expanded={open.to_string()} aria-controls="attachment-list" data-testid="attachments-toggle">
                { icons::chevron(open) }<span>{ label }</span>
            </button>
            <div id="attachment-list" hidden={!open}>
                <p class="total">
                    { i18n.t_with("attachments-total", &[("size", Arg::text(file_size(&i18n, report.total_size)))]) }
                </p>
                if !general.is_empty() { <ul class="findings">{ for general }</ul> }
                <ul class="rows">{ for rows }</ul>
            </div>
        </section>
    }
}
