//! How each [`Action`] changes the [`State`]: the only place the state changes.

use super::*;

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Connected {
                display_language,
                capabilities,
                stored_language,
            } => {
                next.display_language = display_language;
                next.capabilities = capabilities;
                next.chosen_language = stored_language;
            }
            Action::NotInOutlook => next.stage = Stage::NotInOutlook,
            Action::OfficeFailed => next.stage = Stage::OfficeFailed,
            Action::InfoLoaded(info) => next.info = Some(info),
            Action::ItemRead { item, signed_in } => {
                if self.item.as_deref() == Some(&item) && self.stage_for(signed_in) == self.stage {
                    return self;
                }
                let mailbox = item.mailbox();
                if mailbox != self.mailbox {
                    // Another From: its own session, its own verdict.
                    next.verdict = None;
                    next.sign_in = SignIn::default();
                }
                let present = item.addresses();
                // A removed recipient's typed number goes with it, so re-adding them shows
                // the saved number again (SPEC §6).
                next.phones.retain(|address, _| present.contains(address));
                next.mailbox = mailbox;
                next.item = Some(Rc::new(item));
                next.stage = next.stage_for(signed_in);
            }
            Action::SignedIn => {
                next.stage = Stage::Panel;
                next.sign_in = SignIn::default();
            }
            Action::SignedOut => {
                next.stage = Stage::SignIn;
                next.verdict = None;
                next.check = CheckStatus::Idle;
                next.sign_in = SignIn::default();
                next.ui.settings_open = false;
                next.send = SendPhase::Idle;
            }
            Action::SignInBusy => {
                next.sign_in.busy = true;
                next.sign_in.message = None;
            }
            Action::CodeSent { resent } => {
                next.sign_in.busy = false;
                next.sign_in.step = SignInStep::CodeSent;
                next.sign_in.message = Some(if resent {
                    SignInMessage::Resent
                } else {
                    SignInMessage::CodeSent
                });
            }
            Action::SignInMessage(message) => {
                next.sign_in.busy = false;
                next.sign_in.message = Some(message);
            }
            Action::SettingsLoaded(settings) => {
                next.settings = settings;
                next.chosen_language = settings.language;
            }
            Action::PhoneTyped { address, number } => {
                // An emptied field is an explicit "no number": absent, the server would fill
                // the saved one in again.
                next.phones
                    .insert(normalise(&address), number.unwrap_or_default());
            }
            Action::CheckStarted(seq) => {
                next.check_seq = seq;
                next.check = CheckStatus::Running;
            }
            Action::Checked(seq, verdict) => {
                if seq != self.check_seq {
                    return self;
                }
                next.verdict = Some(verdict);
                next.check = CheckStatus::Idle;
            }
            Action::CheckUnreachable(seq) => {
                if seq != self.check_seq {
                    return self;
                }
                next.check = CheckStatus::Unreachable;
            }
            Action::CheckFailed(seq, code) => {
                if seq != self.check_seq {
                    return self;
                }
                next.check = CheckStatus::Failed(code);
            }
            Action::Retry => next.retry = next.retry.wrapping_add(1),
            Action::ToggleInfo => next.ui.info_open = !next.ui.info_open,
            Action::ToggleInfoMore => next.ui.info_more = !next.ui.info_more,
            Action::ToggleValidated => next.ui.show_validated = !next.ui.show_validated,
            Action::ToggleAttachments => {
                next.ui.attachments_open = Some(!self.attachments_open());
            }
            Action::OpenSettings => next.ui.settings_open = true,
            Action::CloseSettings => next.ui.settings_open = false,
            Action::Send(phase) => next.send = phase,
            Action::Notice(notice) => next.notice = notice,
        }
        next.language = i18n::choose(next.chosen_language, &next.display_language);
        Rc::new(next)
    }
}
