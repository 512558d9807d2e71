//! The panel's state: one [`State`] changed only by [`Action`]s through [`Reducible::reduce`]
//! (Yew's `use_reducer`), shared with every section through a context. Pure: no browser, no
//! Office.js, no network, so the reducer is tested natively below. The types are here, how an
//! action changes the state in `reducer.rs`, what components read from it in `selectors.rs`;
//! the compose item's model is `item.rs`.
//!
//! The asynchronous work (reading the item, calling the API, sending) lives in `flow.rs`; it
//! only ever changes the state by dispatching actions.

mod reducer;
mod selectors;

use std::{cell::Cell, collections::BTreeMap, rc::Rc};

use addin_core::{
    api::{Info, Language, Settings},
    draft::Draft,
    finding::{Finding, FindingCode, Level, Section},
    verdict::{RecipientReport, Route, Verdict},
};
use yew::Reducible;

use crate::item::{ItemSnapshot, normalise};
use crate::{capabilities::Capabilities, i18n};

/// A message in Outlook's notification bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    ActionsNeeded(usize),
    Secure,
    DirectoryUnavailable,
}

/// Where the panel is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for Office.js and the item.
    #[default]
    Starting,
    /// Office.js answered but there is no compose item (the page opened outside Outlook).
    NotInOutlook,
    /// Office.js could not be loaded or the item could not be read.
    OfficeFailed,
    /// No session for this mailbox on this device (SPEC §8).
    SignIn,
    /// Signed in: the checks.
    Panel,
}

/// The state of the latest check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CheckStatus {
    #[default]
    Idle,
    Running,
    /// No answer from the API (SPEC §9 graceful degradation): retried automatically.
    Unreachable,
    /// The API answered with an error (its code).
    Failed(String),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignInStep {
    /// Ask for a code.
    #[default]
    Start,
    /// A code went out; enter it (or ask for a new one).
    CodeSent,
}

/// What the sign-in screen tells the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInMessage {
    CodeSent,
    Resent,
    InvalidCode,
    TooMany,
    Unreachable,
    Failed(String),
    EntraUnavailable,
    EntraWrongAccount,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignIn {
    pub step: SignInStep,
    pub busy: bool,
    pub message: Option<SignInMessage>,
}

/// Shared between a running countdown and the Cancel button.
#[derive(Clone, Debug, Default)]
pub struct CancelFlag(Rc<Cell<bool>>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.set(true);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.get()
    }
}

impl PartialEq for CancelFlag {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Where a send is (SPEC §7).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SendPhase {
    #[default]
    Idle,
    /// "Standaard versturen" asks for confirmation first.
    ConfirmStandard,
    /// The subject is empty: ask for one (manual §4.5 step 7).
    AskSubject,
    /// Re-check, token, header.
    Preparing,
    /// The user's send delay, cancellable.
    Countdown {
        remaining: u8,
        cancel: CancelFlag,
    },
    Sending,
    Sent,
    /// No `sendAsync` (Mailbox 1.15): the item is ready, the user presses Outlook's Send.
    PressOutlookSend {
        secure: bool,
    },
    Cancelled,
    /// The re-check found actions after all.
    Blocked,
    Failed(SendFailure),
}

/// Why a send stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendFailure {
    /// The API did not answer.
    Unreachable,
    /// The API refused (its error code).
    Api(String),
    /// Outlook refused (its message).
    Office(String),
}

impl SendPhase {
    /// A send is under way: the buttons wait.
    pub fn busy(&self) -> bool {
        matches!(
            self,
            Self::Preparing | Self::Countdown { .. } | Self::Sending | Self::Sent
        )
    }
}

/// Which parts of the panel are open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ui {
    /// The blue installation-type box (manual: the "v" folds it).
    pub info_open: bool,
    /// Its "i": more information.
    pub info_more: bool,
    /// "Toon gevalideerde ontvangers": collapsed by default.
    pub show_validated: bool,
    /// The attachments section; `None` follows the rule "open when something needs doing".
    pub attachments_open: Option<bool>,
    pub settings_open: bool,
}

impl Default for Ui {
    fn default() -> Self {
        Self {
            info_open: true,
            info_more: false,
            show_validated: false,
            attachments_open: None,
            settings_open: false,
        }
    }
}

/// A message about an action that did not work (removing an attachment, saving settings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    OfficeCall(String),
    SettingsNotSaved,
}

#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The language the panel speaks now.
    pub language: Language,
    /// The user's choice (settings, or `sendsecure.language` before the settings load).
    pub chosen_language: Option<Language>,
    /// `Office.context.displayLanguage`.
    pub display_language: String,
    pub stage: Stage,
    /// The normalised sender mailbox the session belongs to.
    pub mailbox: String,
    pub capabilities: Capabilities,
    pub info: Option<Rc<Info>>,
    pub settings: Settings,
    pub item: Option<Rc<ItemSnapshot>>,
    /// Numbers typed in the panel, by normalised recipient address, in international form.
    pub phones: BTreeMap<String, String>,
    pub verdict: Option<Rc<Verdict>>,
    pub check: CheckStatus,
    /// The latest check asked for; answers to older ones are dropped.
    pub check_seq: u64,
    /// Bumped to retry an unreachable API.
    pub retry: u32,
    pub sign_in: SignIn,
    pub ui: Ui,
    pub send: SendPhase,
    pub notice: Option<Notice>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            language: Language::Nl,
            chosen_language: None,
            display_language: String::new(),
            stage: Stage::default(),
            mailbox: String::new(),
            capabilities: Capabilities::default(),
            info: None,
            settings: Settings::default(),
            item: None,
            phones: BTreeMap::new(),
            verdict: None,
            check: CheckStatus::default(),
            check_seq: 0,
            retry: 0,
            sign_in: SignIn::default(),
            ui: Ui::default(),
            send: SendPhase::default(),
            notice: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Office.js is ready with a compose item.
    Connected {
        display_language: String,
        capabilities: Capabilities,
        stored_language: Option<Language>,
    },
    NotInOutlook,
    OfficeFailed,
    InfoLoaded(Rc<Info>),
    /// The item as read now, and whether this device has a session for its sender.
    ItemRead {
        item: ItemSnapshot,
        signed_in: bool,
    },
    SignedIn,
    SignedOut,
    SignInBusy,
    CodeSent {
        resent: bool,
    },
    SignInMessage(SignInMessage),
    SettingsLoaded(Settings),
    PhoneTyped {
        address: String,
        number: Option<String>,
    },
    CheckStarted(u64),
    Checked(u64, Rc<Verdict>),
    CheckUnreachable(u64),
    CheckFailed(u64, String),
    Retry,
    ToggleInfo,
    ToggleInfoMore,
    ToggleValidated,
    ToggleAttachments,
    OpenSettings,
    CloseSettings,
    Send(SendPhase),
    Notice(Option<Notice>),
}

#[cfg(test)]
mod tests {
    use addin_core::{
        draft::{DraftRecipient, Field, RecipientKind},
        verdict::{AttachmentsReport, PhoneStatus, SenderReport},
    };

    use super::*;

    fn user(address: &str) -> DraftRecipient {
        DraftRecipient {
            address: address.into(),
            name: None,
            kind: RecipientKind::User,
        }
    }

    fn item(to: &[&str]) -> ItemSnapshot {
        ItemSnapshot {
            sender: " A.Jansen@Huisartsen-Oost.nl ".into(),
            to: to.iter().map(|a| user(a)).collect(),
            subject: "Verwijzing".into(),
            ..ItemSnapshot::default()
        }
    }

    fn verdict(findings: &[(FindingCode, Option<&str>)]) -> Rc<Verdict> {
        Rc::new(Verdict {
            can_send_secure: findings.iter().all(|(c, _)| c.level() == Level::Info),
            auto_send: false,
            sender: SenderReport {
                address: "a.jansen@huisartsen-oost.nl".into(),
                known: true,
                nta7516: true,
            },
            recipients: vec![RecipientReport {
                address: "patient@example.com".into(),
                field: Field::To,
                route: Route::Viewer,
                nta7516: false,
                phone: PhoneStatus::Missing,
                phone_number: None,
            }],
            attachments: AttachmentsReport::default(),
            findings: findings
                .iter()
                .map(|(code, subject)| Finding::new(*code, subject.map(str::to_owned)))
                .collect(),
        })
    }

    fn reduce(state: Rc<State>, actions: impl IntoIterator<Item = Action>) -> Rc<State> {
        actions.into_iter().fold(state, Reducible::reduce)
    }

    fn signed_in_with(to: &[&str]) -> Rc<State> {
        reduce(
            Rc::default(),
            [Action::ItemRead {
                item: item(to),
                signed_in: true,
            }],
        )
    }

    #[test]
    fn reading_the_item_signs_in_per_mailbox() {
        let state = reduce(
            Rc::default(),
            [Action::ItemRead {
                item: item(&["patient@example.com"]),
                signed_in: false,
            }],
        );
        assert_eq!(state.stage, Stage::SignIn);
        assert_eq!(state.mailbox, "a.jansen@huisartsen-oost.nl");
        let state = reduce(state, [Action::SignedIn]);
        assert_eq!(state.stage, Stage::Panel);
    }

    /// The shared vectors (`tests/vectors/addresses.json`): the panel keys numbers and verdict
    /// rows exactly as the server and the send handler do.
    #[test]
    fn addresses_are_normalised_as_the_server_does() {
        let vectors: Vec<std::collections::BTreeMap<String, Option<String>>> =
            serde_json::from_str(include_str!("../../../tests/vectors/addresses.json"))
                .expect("the address vectors");
        for vector in vectors {
            let raw = vector["raw"].as_deref().expect("raw");
            let expected = vector["canonical"]
                .clone()
                .unwrap_or_else(|| raw.trim().to_ascii_lowercase());
            assert_eq!(normalise(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn the_notification_bar_follows_the_verdict() {
        let state = reduce(
            signed_in_with(&["patient@example.com"]),
            [Action::Checked(
                0,
                verdict(&[(FindingCode::PhoneRequired, Some("patient@example.com"))]),
            )],
        );
        assert_eq!(state.bar(), Some(Bar::ActionsNeeded(1)));
        let state = reduce(state, [Action::Checked(0, verdict(&[]))]);
        assert_eq!(state.bar(), Some(Bar::Secure));
        let state = reduce(
            state,
            [Action::Checked(
                0,
                verdict(&[(FindingCode::DirectoryUnavailable, None)]),
            )],
        );
        assert_eq!(state.bar(), Some(Bar::DirectoryUnavailable));
        let state = reduce(state, [Action::SignedOut]);
        assert_eq!(state.bar(), None, "no verdict, no bar");
    }

    #[test]
    fn an_emptied_number_is_an_explicit_none_in_the_draft() {
        let state = reduce(
            signed_in_with(&["patient@example.com"]),
            [
                Action::PhoneTyped {
                    address: "patient@example.com".into(),
                    number: Some("+31612345678".into()),
                },
                Action::PhoneTyped {
                    address: "Patient@Example.com".into(),
                    number: None,
                },
            ],
        );
        let draft = state.draft().expect("a draft");
        assert_eq!(
            draft.phones.get("patient@example.com").map(String::as_str),
            Some(""),
            "so the server does not fill the saved number in again"
        );
    }

    #[test]
    fn a_shared_mailbox_in_from_keeps_the_users_own_session() {
        let own = ItemSnapshot {
            user: "A.Jansen@Huisartsen-Oost.nl".into(),
            ..item(&["patient@example.com"])
        };
        let state = reduce(
            Rc::default(),
            [Action::ItemRead {
                item: own.clone(),
                signed_in: true,
            }],
        );
        let shared = ItemSnapshot {
            sender: "praktijk@huisartsen-oost.nl".into(),
            ..own
        };
        let state = reduce(
            state,
            [Action::ItemRead {
                item: shared,
                signed_in: true,
            }],
        );
        assert_eq!(state.mailbox, "a.jansen@huisartsen-oost.nl");
        assert_eq!(state.stage, Stage::Panel, "no second sign-in");
        let draft = state.draft().expect("a draft");
        assert_eq!(
            draft.sender, "praktijk@huisartsen-oost.nl",
            "sent as the shared mailbox"
        );
    }

    #[test]
    fn the_same_item_read_again_changes_nothing() {
        let state = signed_in_with(&["patient@example.com"]);
        let again = reduce(
            Rc::clone(&state),
            [Action::ItemRead {
                item: item(&["patient@example.com"]),
                signed_in: true,
            }],
        );
        assert!(Rc::ptr_eq(&state, &again), "no re-render, no re-check");
    }

    #[test]
    fn typed_numbers_go_into_the_draft_and_leave_with_their_recipient() {
        let state = reduce(
            signed_in_with(&["Patient@Example.com"]),
            [Action::PhoneTyped {
                address: "patient@example.com".into(),
                number: Some("+31612345678".into()),
            }],
        );
        let draft = state.draft().expect("a draft");
        assert_eq!(draft.sender, "A.Jansen@Huisartsen-Oost.nl");
        assert_eq!(
            draft.phones.get("patient@example.com").map(String::as_str),
            Some("+31612345678")
        );
        // Removed and added again: the typed number is gone, the saved one will come back
        // from the check.
        let state = reduce(
            state,
            [
                Action::ItemRead {
                    item: item(&[]),
                    signed_in: true,
                },
                Action::ItemRead {
                    item: item(&["patient@example.com"]),
                    signed_in: true,
                },
            ],
        );
        assert!(state.draft().expect("a draft").phones.is_empty());
    }

    #[test]
    fn answers_to_older_checks_are_dropped() {
        let state = reduce(
            signed_in_with(&["patient@example.com"]),
            [
                Action::CheckStarted(1),
                Action::CheckStarted(2),
                Action::Checked(1, verdict(&[(FindingCode::SubjectEmpty, None)])),
            ],
        );
        assert_eq!(state.verdict, None);
        assert_eq!(state.check, CheckStatus::Running);
        let state = reduce(state, [Action::Checked(2, verdict(&[]))]);
        assert!(state.verdict.is_some());
        assert_eq!(state.check, CheckStatus::Idle);
    }

    #[test]
    fn the_green_button_waits_for_every_action_but_the_subject() {
        let base = signed_in_with(&["patient@example.com"]);
        let blocked = reduce(
            Rc::clone(&base),
            [
                Action::CheckStarted(1),
                Action::Checked(
                    1,
                    verdict(&[(FindingCode::PhoneRequired, Some("patient@example.com"))]),
                ),
            ],
        );
        assert!(!blocked.secure_send_enabled());
        let subject_only = reduce(
            Rc::clone(&base),
            [
                Action::CheckStarted(1),
                Action::Checked(1, verdict(&[(FindingCode::SubjectEmpty, None)])),
            ],
        );
        assert!(subject_only.secure_send_enabled());
        let unreachable = reduce(
            subject_only,
            [Action::CheckStarted(2), Action::CheckUnreachable(2)],
        );
        assert!(!unreachable.secure_send_enabled());
        let sending = reduce(
            Rc::clone(&base),
            [
                Action::CheckStarted(1),
                Action::Checked(1, verdict(&[])),
                Action::Send(SendPhase::Sending),
            ],
        );
        assert!(!sending.secure_send_enabled());
    }

    #[test]
    fn findings_are_sorted_into_their_sections() {
        let state = reduce(
            signed_in_with(&["patient@example.com"]),
            [
                Action::CheckStarted(1),
                Action::Checked(
                    1,
                    verdict(&[
                        (FindingCode::PhoneRequired, Some("patient@example.com")),
                        (FindingCode::RecipientsMany, None),
                        (FindingCode::AttachmentBlockedType, Some("setup.exe")),
                    ]),
                ),
            ],
        );
        let general: Vec<_> = state.general_findings().map(|f| f.code).collect();
        assert_eq!(general, [FindingCode::RecipientsMany]);
        let about_patient: Vec<_> = state
            .recipient_findings("patient@example.com")
            .map(|f| f.code)
            .collect();
        assert_eq!(about_patient, [FindingCode::PhoneRequired]);
        assert!(state.attachments_open(), "open while an attachment is red");
        let state = reduce(state, [Action::ToggleAttachments]);
        assert!(!state.attachments_open());
    }

    #[test]
    fn the_language_follows_settings_then_outlook() {
        let state = reduce(
            Rc::default(),
            [Action::Connected {
                display_language: "de-DE".into(),
                capabilities: Capabilities::default(),
                stored_language: None,
            }],
        );
        assert_eq!(state.language, Language::De);
        let state = reduce(
            state,
            [Action::SettingsLoaded(Settings {
                language: Some(Language::En),
                ..Settings::default()
            })],
        );
        assert_eq!(state.language, Language::En);
        let state = reduce(state, [Action::SettingsLoaded(Settings::default())]);
        assert_eq!(state.language, Language::De);
    }

    #[test]
    fn signing_out_forgets_the_verdict() {
        let state = reduce(
            signed_in_with(&["patient@example.com"]),
            [
                Action::CheckStarted(1),
                Action::Checked(1, verdict(&[])),
                Action::OpenSettings,
                Action::SignedOut,
            ],
        );
        assert_eq!(state.stage, Stage::SignIn);
        assert_eq!(state.verdict, None);
        assert!(!state.ui.settings_open);
    }

    #[test]
    fn a_cancel_flag_is_shared_by_its_clones() {
        let flag = CancelFlag::default();
        let copy = flag.clone();
        copy.cancel();
        assert!(flag.is_cancelled());
        assert_eq!(flag, copy);
        assert_ne!(flag, CancelFlag::default());
    }
}
