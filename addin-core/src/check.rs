//! The check (SPEC §5): one pure function from a draft to a verdict. The HTTP endpoint, the
//! `check` command, the side panel and the send handler all get their answer from here.

use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState;

use crate::{
    address::Address,
    attachment,
    directory::Directory,
    draft::{Draft, DraftAttachment, DraftRecipient, Field, RecipientKind},
    finding::{Finding, FindingCode, Level},
    phone::Phone,
    policy::{InstallationType, Policy},
    route::Router,
    verdict::{
        AttachmentReport, AttachmentsReport, PhoneStatus, RecipientReport, Route, SenderReport,
        Verdict,
    },
};

/// Above this many unique recipients the panel advises BCC (manual §4.1).
pub const MANY_RECIPIENTS: usize = 20;
/// Above this many unique recipients secure sending is refused (manual §4.1).
pub const MAX_RECIPIENTS: usize = 100;

/// Checks a draft against the organisation's policy and the directory (`None` when no
/// directory has ever loaded).
pub fn check(draft: &Draft, policy: &Policy, directory: Option<&Directory>) -> Verdict {
    let entries = unique_recipients(draft);
    let attachments = attachments_report(&draft.attachments);
    match directory {
        Some(directory) => Checker::new(draft, policy, directory).verdict(&entries, attachments),
        None => directory_unavailable(draft, &entries, attachments),
    }
}

// The check's own sets and maps hash with foldhash, not SipHash: their keys come from the
// draft being checked, a few hundred at most, so there is nothing to defend against there.

/// One recipient after normalising: a valid address, or the trimmed raw text of an invalid one.
struct Entry<'d> {
    field: Field,
    kind: RecipientKind,
    address: Result<Address, &'d str>,
}

impl Entry<'_> {
    fn shown(&self) -> &str {
        match &self.address {
            Ok(address) => address.as_str(),
            Err(raw) => raw,
        }
    }
}

/// To, CC, BCC in draft order; an address counts once, in the first field it appears in.
/// Blank entries are not recipients at all.
fn unique_recipients(draft: &Draft) -> Vec<Entry<'_>> {
    let entries: Vec<Entry<'_>> = draft
        .recipient_entries()
        .filter(|(_, recipient)| !recipient.address.trim().is_empty())
        .map(|(field, recipient)| {
            let raw = recipient.address.trim();
            Entry {
                field,
                kind: recipient.kind,
                address: Address::parse(raw).map_err(|_| raw),
            }
        })
        .collect();
    // Marked first, kept after: the set borrows the entries' strings instead of copying each.
    let mut seen = HashSet::with_capacity_and_hasher(entries.len(), RandomState::default());
    let first: Vec<bool> = entries.iter().map(|e| seen.insert(e.shown())).collect();
    drop(seen);
    entries
        .into_iter()
        .zip(first)
        .filter_map(|(entry, first)| first.then_some(entry))
        .collect()
}

fn attachments_report(attachments: &[DraftAttachment]) -> AttachmentsReport {
    let total_size = attachments
        .iter()
        .map(|a| a.size)
        .fold(0u64, u64::saturating_add);
    let share = |size: u64| {
        if total_size == 0 {
            0.0
        } else {
            size as f64 / total_size as f64
        }
    };
    AttachmentsReport {
        count: attachments.len(),
        total_size,
        items: attachments
            .iter()
            .map(|a| AttachmentReport {
                name: a.name.clone(),
                size: a.size,
                share: share(a.size),
            })
            .collect(),
    }
}

fn directory_unavailable(
    draft: &Draft,
    entries: &[Entry<'_>],
    attachments: AttachmentsReport,
) -> Verdict {
    let sender = Address::parse(&draft.sender).map_or_else(
        |_| draft.sender.trim().to_owned(),
        |a| a.as_str().to_owned(),
    );
    Verdict {
        can_send_secure: false,
        auto_send: false,
        sender: SenderReport {
            address: sender,
            known: false,
            nta7516: false,
        },
        recipients: entries
            .iter()
            .map(|entry| RecipientReport {
                address: entry.shown().to_owned(),
                field: entry.field,
                route: Route::Unknown,
                nta7516: false,
                phone: PhoneStatus::None,
                phone_number: None,
            })
            .collect(),
        attachments,
        findings: vec![Finding::new(FindingCode::DirectoryUnavailable, None)],
    }
}

struct Checker<'a> {
    draft: &'a Draft,
    policy: &'a Policy,
    directory: &'a Directory,
    sender: Option<Address>,
    /// Typed numbers by normalised recipient address.
    phones: HashMap<Address, &'a str, RandomState>,
}

impl<'a> Checker<'a> {
    fn new(draft: &'a Draft, policy: &'a Policy, directory: &'a Directory) -> Self {
        let phones = draft
            .phones
            .iter()
            .filter_map(|(address, phone)| Some((Address::parse(address).ok()?, phone.as_str())))
            .collect();
        Self {
            draft,
            policy,
            directory,
            sender: Address::parse(&draft.sender).ok(),
            phones,
        }
    }

    fn verdict(&self, entries: &[Entry<'_>], attachments: AttachmentsReport) -> Verdict {
        let router = Router::new(self.sender.as_ref(), self.policy, self.directory);
        let recipients: Vec<RecipientReport> = entries
            .iter()
            .map(|entry| self.report(&router, entry))
            .collect();
        let findings = self.findings(entries, &recipients);

        let can_send_secure = findings.iter().all(|f| f.level != Level::Action);
        let all_internal = only_internal(&recipients);
        let auto_send = can_send_secure
            && recipients
                .iter()
                .all(|r| matches!(r.route, Route::Internal | Route::Community))
            && (all_internal || recipients.len() <= MANY_RECIPIENTS);

        Verdict {
            can_send_secure,
            auto_send,
            sender: self.sender_report(),
            recipients,
            attachments,
            findings,
        }
    }

    fn sender_report(&self) -> SenderReport {
        match &self.sender {
            Some(sender) => SenderReport {
                address: sender.as_str().to_owned(),
                known: self.directory.is_community(sender),
                nta7516: self.directory.is_nta7516(sender.domain()),
            },
            None => SenderReport {
                address: self.draft.sender.trim().to_owned(),
                known: false,
                nta7516: false,
            },
        }
    }

    fn report(&self, router: &Router<'_>, entry: &Entry<'_>) -> RecipientReport {
        let Ok(address) = &entry.address else {
            return RecipientReport {
                address: entry.shown().to_owned(),
                field: entry.field,
                route: Route::Invalid,
                nta7516: false,
                phone: PhoneStatus::None,
                phone_number: None,
            };
        };
        let route = router.route(address);
        let (phone, phone_number) = self.phone_status(route, address);
        RecipientReport {
            address: address.as_str().to_owned(),
            field: entry.field,
            route,
            nta7516: self.directory.is_nta7516(address.domain()),
            phone,
            phone_number,
        }
    }

    fn phone_status(&self, route: Route, address: &Address) -> (PhoneStatus, Option<String>) {
        if route != Route::Viewer {
            return (PhoneStatus::None, None);
        }
        if self.policy.installation_type == InstallationType::Viewer {
            return (PhoneStatus::NotPossible, None);
        }
        match self
            .phones
            .get(address)
            .map(|typed| typed.trim())
            .filter(|typed| !typed.is_empty())
        {
            None => (PhoneStatus::Missing, None),
            Some(typed) => match Phone::parse(typed) {
                Ok(phone) => (PhoneStatus::Given, Some(phone.into_e164())),
                Err(_) => (PhoneStatus::Invalid, None),
            },
        }
    }

    fn findings(&self, entries: &[Entry<'_>], recipients: &[RecipientReport]) -> Vec<Finding> {
        let mut findings = Findings::default();
        let draft = self.draft;

        match &self.sender {
            None => findings.add(
                FindingCode::SenderInvalid,
                Some(draft.sender.trim().to_owned()),
            ),
            Some(sender) if !self.directory.is_community(sender) => {
                findings.add(FindingCode::SenderUnknown, Some(sender.as_str().to_owned()));
            }
            Some(_) => {}
        }

        if entries.is_empty() {
            findings.add(FindingCode::NoRecipients, None);
        } else if non_blank(&draft.to).next().is_none() {
            findings.add(FindingCode::ToEmpty, None);
        }

        for (entry, report) in entries.iter().zip(recipients) {
            let subject = || Some(report.address.clone());
            if entry.address.is_err() {
                findings.add(FindingCode::RecipientInvalid, subject());
            }
            if entry.kind == RecipientKind::DistributionList {
                findings.add(FindingCode::RecipientDistributionList, subject());
            }
            if report.route == Route::Blocked {
                findings.add(FindingCode::RecipientNotAllowed, subject());
            }
            if let Some(code) = phone_finding(self.policy.installation_type, report.phone) {
                findings.add(code, subject());
            }
        }

        let internal_only = only_internal(recipients);
        if !internal_only {
            if recipients.len() > MAX_RECIPIENTS {
                findings.add(FindingCode::RecipientsTooMany, None);
            } else if recipients.len() > MANY_RECIPIENTS {
                findings.add(FindingCode::RecipientsMany, None);
            }
        }

        if let Some(code) = self.bcc_finding(recipients) {
            findings.add(code, None);
        }
        if self.bcc_holds_only_viewer(recipients) && non_blank(&draft.cc).next().is_some() {
            findings.add(FindingCode::BccViewerCc, None);
        }
        let visible_viewer = recipients
            .iter()
            .filter(|r| r.route == Route::Viewer && matches!(r.field, Field::To | Field::Cc))
            .count();
        if visible_viewer >= 2 {
            findings.add(FindingCode::ViewerRecipientsVisible, None);
        }

        if !internal_only {
            for blocked in draft
                .attachments
                .iter()
                .filter(|a| attachment::is_blocked(&a.name))
            {
                findings.add(
                    FindingCode::AttachmentBlockedType,
                    Some(blocked.name.clone()),
                );
            }
            let total = draft
                .attachments
                .iter()
                .map(|a| a.size)
                .fold(0u64, u64::saturating_add);
            if total > attachment::TOTAL_SIZE_LIMIT {
                findings.add(FindingCode::AttachmentsTooLarge, None);
            }
        }

        if draft.subject.trim().is_empty() {
            findings.add(FindingCode::SubjectEmpty, None);
        }
        if draft.subject.contains("(EN)") && recipients.iter().any(|r| r.route == Route::Viewer) {
            findings.add(FindingCode::ViewerLanguageEn, None);
        }

        findings.into_sorted()
    }

    /// `bcc-mixed`, or `bcc-viewer-to` when BCC holds only Viewer recipients and To is not
    /// exactly the sender alone (manual §4.3: Viewer recipients may only be blind-copied on a
    /// mail to oneself).
    fn bcc_finding(&self, recipients: &[RecipientReport]) -> Option<FindingCode> {
        let (viewer, other): (Vec<_>, Vec<_>) =
            valid_bcc(recipients).partition(|r| r.route == Route::Viewer);
        if !viewer.is_empty() && !other.is_empty() {
            Some(FindingCode::BccMixed)
        } else if !viewer.is_empty() && !self.to_is_sender_alone() {
            Some(FindingCode::BccViewerTo)
        } else {
            None
        }
    }

    fn bcc_holds_only_viewer(&self, recipients: &[RecipientReport]) -> bool {
        let mut bcc = valid_bcc(recipients).peekable();
        bcc.peek().is_some() && bcc.all(|r| r.route == Route::Viewer)
    }

    fn to_is_sender_alone(&self) -> bool {
        let Some(sender) = &self.sender else {
            return false;
        };
        let mut to = non_blank(&self.draft.to).peekable();
        to.peek().is_some() && to.all(|r| Address::parse(&r.address).as_ref() == Ok(sender))
    }
}

fn non_blank(list: &[DraftRecipient]) -> impl Iterator<Item = &DraftRecipient> {
    list.iter().filter(|r| !r.address.trim().is_empty())
}

fn valid_bcc(recipients: &[RecipientReport]) -> impl Iterator<Item = &RecipientReport> {
    recipients
        .iter()
        .filter(|r| r.field == Field::Bcc && r.route != Route::Invalid)
}

/// Every valid recipient is internal (and there is at least one): the recipient-count and
/// attachment limits do not apply within the own organisation (manual §4.1, §4.7).
fn only_internal(recipients: &[RecipientReport]) -> bool {
    let mut valid = recipients
        .iter()
        .filter(|r| r.route != Route::Invalid)
        .peekable();
    valid.peek().is_some() && valid.all(|r| r.route == Route::Internal)
}

fn phone_finding(installation: InstallationType, phone: PhoneStatus) -> Option<FindingCode> {
    match (installation, phone) {
        (_, PhoneStatus::Invalid) => Some(FindingCode::PhoneInvalid),
        (InstallationType::ViewerPhoneRequired, PhoneStatus::Missing) => {
            Some(FindingCode::PhoneRequired)
        }
        (InstallationType::ViewerPhoneCheck, PhoneStatus::Missing) => {
            Some(FindingCode::PhoneAdvised)
        }
        (_, PhoneStatus::NotPossible) => Some(FindingCode::EmailCodeOnly),
        _ => None,
    }
}

/// Findings without duplicates, reported in the table's order and, within a code, in the
/// order they were found (draft order).
#[derive(Default)]
struct Findings {
    list: Vec<Finding>,
    seen: HashSet<(FindingCode, Option<String>), RandomState>,
}

impl Findings {
    fn add(&mut self, code: FindingCode, subject: Option<String>) {
        if self.seen.insert((code, subject.clone())) {
            self.list.push(Finding::new(code, subject));
        }
    }

    fn into_sorted(mut self) -> Vec<Finding> {
        self.list.sort_by_key(|finding| finding.code); // stable: keeps draft order within a code
        self.list
    }
}

#[cfg(test)]
mod tests;
