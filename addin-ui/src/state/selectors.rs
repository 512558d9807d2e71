//! What the components read from the [`State`]: derived views, computed on demand.

use super::*;

impl State {
    pub(super) fn stage_for(&self, signed_in: bool) -> Stage {
        if signed_in {
            Stage::Panel
        } else {
            Stage::SignIn
        }
    }

    /// The draft to check now.
    pub fn draft(&self) -> Option<Draft> {
        self.item.as_ref().map(|item| item.draft(&self.phones))
    }

    fn findings(&self) -> &[Finding] {
        self.verdict
            .as_deref()
            .map(|v| v.findings.as_slice())
            .unwrap_or_default()
    }

    /// What Outlook's notification bar above the draft says (seed §2.5.1), if anything.
    pub fn bar(&self) -> Option<Bar> {
        let verdict = self
            .verdict
            .as_ref()
            .filter(|_| self.stage == Stage::Panel)?;
        let findings = &verdict.findings;
        if findings
            .iter()
            .any(|f| f.code == FindingCode::DirectoryUnavailable)
        {
            return Some(Bar::DirectoryUnavailable);
        }
        let actions = self.actions().count();
        if actions > 0 {
            Some(Bar::ActionsNeeded(actions))
        } else {
            verdict.can_send_secure.then_some(Bar::Secure)
        }
    }

    /// Red findings: what blocks secure sending.
    pub fn actions(&self) -> impl Iterator<Item = &Finding> {
        self.findings().iter().filter(|f| f.level == Level::Action)
    }

    pub fn has(&self, code: FindingCode) -> bool {
        self.findings().iter().any(|f| f.code == code)
    }

    /// The green button is enabled: a current verdict whose only remaining action, if any, is
    /// the empty subject (the button then asks for one, manual §4.5 step 7).
    pub fn secure_send_enabled(&self) -> bool {
        self.stage == Stage::Panel
            && self.verdict.is_some()
            && matches!(self.check, CheckStatus::Idle | CheckStatus::Running)
            && self.actions().all(|f| f.code == FindingCode::SubjectEmpty)
            && !self.send.busy()
    }

    /// Findings about one recipient.
    pub fn recipient_findings<'a>(&'a self, address: &'a str) -> impl Iterator<Item = &'a Finding> {
        self.findings().iter().filter(move |f| {
            f.code.section() == Section::Recipient && f.subject.as_deref() == Some(address)
        })
    }

    /// Recipients that need or allow an action come first (manual §2.2.2.1); the rest are
    /// "validated" and folded away.
    pub fn needs_attention(&self, recipient: &RecipientReport) -> bool {
        matches!(
            recipient.route,
            Route::Viewer | Route::Blocked | Route::Invalid | Route::Unknown
        ) || self.recipient_findings(&recipient.address).next().is_some()
    }

    /// Findings shown in the general list: neither about one recipient nor about attachments.
    pub fn general_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings()
            .iter()
            .filter(|f| f.code.section() == Section::General)
    }

    pub fn attachment_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings()
            .iter()
            .filter(|f| f.code.section() == Section::Attachments)
    }

    /// The attachments section is open when the user opened it, or when something there needs
    /// doing (manual §2.2.2.1: collapsed when nothing needs doing).
    pub fn attachments_open(&self) -> bool {
        self.ui
            .attachments_open
            .unwrap_or_else(|| self.attachment_findings().next().is_some())
    }

    /// "Standaard versturen" is reported to the audit log when secure sending was possible or
    /// required (SPEC §7): whenever a verdict from a working directory is known.
    pub fn standard_send_is_reported(&self) -> bool {
        self.stage == Stage::Panel
            && self.verdict.is_some()
            && !self.has(FindingCode::DirectoryUnavailable)
    }

    /// The finding codes in force, for the audit event.
    pub fn codes(&self) -> Vec<FindingCode> {
        self.findings().iter().map(|f| f.code).collect()
    }
}
