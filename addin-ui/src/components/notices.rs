//! The state of the check (API unreachable, refused), a failed Outlook call, and the findings
//! about the message as a whole (SPEC §5.4): red needs action, blue informs.

use addin_core::finding::{Finding, Level};
use yew::prelude::*;

use super::{icons, use_app, use_i18n};
use crate::{
    i18n::{Arg, I18n},
    state::{CheckStatus, Notice},
};

/// One finding as a list item, red or blue.
pub fn finding_item(i18n: &I18n, finding: &Finding, testid_prefix: &str) -> Html {
    let (tone, icon) = match finding.level {
        Level::Action => ("red", icons::alert()),
        Level::Info => ("blue", icons::info()),
    };
    let testid = format!("{testid_prefix}{}", finding.code.as_str());
    html! {
        <li class={classes!("finding", tone)} data-testid={testid}>
            { icon }
            <span>{ i18n.finding(finding.code, finding.subject.as_deref()) }</span>
        </li>
    }
}

#[function_component]
pub fn Notices() -> Html {
    let state = use_app();
    let i18n = use_i18n();
    let status = match &state.check {
        CheckStatus::Unreachable => html! {
            <p class="note note-red" role="alert" data-testid="api-unreachable">{ i18n.t("api-unreachable") }</p>
        },
        CheckStatus::Failed(code) => html! {
            <p class="note note-red" role="alert" data-testid="api-error">
                { i18n.t_with("api-error", &[("code", Arg::text(code.as_str()))]) }
            </p>
        },
        CheckStatus::Idle | CheckStatus::Running => Html::default(),
    };
    let notice = state.notice.as_ref().map(|notice| {
        let text = match notice {
            Notice::OfficeCall(reason) => i18n.t_with(
                "office-call-failed",
                &[("reason", Arg::text(reason.as_str()))],
            ),
            Notice::SettingsNotSaved => i18n.t("settings-save-failed"),
        };
        html! { <p class="note note-red" role="alert" data-testid="notice">{ text }</p> }
    });
    let findings: Vec<Html> = state
        .general_findings()
        .map(|finding| finding_item(&i18n, finding, "finding-"))
        .collect();
    html! {
        <>
            { status }
            { notice }
            if !findings.is_empty() {
                <ul class="findings" data-testid="findings">{ for findings }</ul>
            }
        </>
    }
}
