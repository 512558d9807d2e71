//! Table-driven tests of every route, phone status and finding code of SPEC §5.

use super::*;
use crate::{
    address::Domain, draft::DraftAttachment, policy::DirectoryVariant,
    verdict::PhoneStatus as Phone,
};

use FindingCode as C;
use InstallationType as T;
use Route as R;

const SENDER: &str = "a.jansen@huisartsen-oost.nl";
const PATIENT: &str = "patient@example.com";
const MIB: u64 = 1_048_576;

fn directory() -> Directory {
    let json = r#"{
        "variant": "zorgmail",
        "version": "test",
        "community": {
            "domains": ["zorgmail.nl", "lms.lifeline.nl", "huisartsen-oost.nl", "ziekenhuis-west.nl",
                        "apotheek-centrum.nl", "zörg.nl"],
            "addresses": ["dr.visser@gmail.com"]
        },
        "nta7516": { "domains": ["huisartsen-oost.nl", "ziekenhuis-west.nl", "ggz-noord.nl"] }
    }"#;
    Directory::from_json(json, DirectoryVariant::Zorgmail).expect("test directory loads")
}

fn policy(installation_type: InstallationType) -> Policy {
    let mut policy = Policy {
        installation_type,
        ..Policy::default()
    };
    policy.organisation.domains = vec![Domain::parse("ho-zorg.nl").expect("valid")];
    policy
}

/// A test draft: from [`SENDER`], subject "Verwijzing", nothing else unless added.
struct DraftBuilder(Draft);

fn draft() -> DraftBuilder {
    DraftBuilder(Draft {
        sender: SENDER.into(),
        subject: "Verwijzing".into(),
        ..Draft::default()
    })
}

fn user(address: &str) -> DraftRecipient {
    DraftRecipient {
        address: address.into(),
        ..DraftRecipient::default()
    }
}

impl DraftBuilder {
    fn sender(mut self, sender: &str) -> Self {
        self.0.sender = sender.into();
        self
    }
    fn to(mut self, address: &str) -> Self {
        self.0.to.push(user(address));
        self
    }
    fn cc(mut self, address: &str) -> Self {
        self.0.cc.push(user(address));
        self
    }
    fn bcc(mut self, address: &str) -> Self {
        self.0.bcc.push(user(address));
        self
    }
    fn many_to(mut self, count: usize, domain: &str) -> Self {
        self.0
            .to
            .extend((0..count).map(|i| user(&format!("r{i}@{domain}"))));
        self
    }
    fn list_to(mut self, address: &str) -> Self {
        self.0.to.push(DraftRecipient {
            kind: RecipientKind::DistributionList,
            ..user(address)
        });
        self
    }
    fn phone(mut self, address: &str, phone: &str) -> Self {
        self.0.phones.insert(address.into(), phone.into());
        self
    }
    fn subject(mut self, subject: &str) -> Self {
        self.0.subject = subject.into();
        self
    }
    fn attach(mut self, name: &str, size: u64) -> Self {
        self.0.attachments.push(DraftAttachment {
            name: name.into(),
            size,
            inline: false,
        });
        self
    }
    fn check(&self, installation_type: InstallationType) -> Verdict {
        check(&self.0, &policy(installation_type), Some(&directory()))
    }
}

fn codes(verdict: &Verdict) -> Vec<(FindingCode, Option<&str>)> {
    verdict
        .findings
        .iter()
        .map(|f| (f.code, f.subject.as_deref()))
        .collect()
}

fn has(verdict: &Verdict, code: FindingCode) -> bool {
    verdict.findings.iter().any(|f| f.code == code)
}

fn route_of(verdict: &Verdict, address: &str) -> Route {
    verdict
        .recipients
        .iter()
        .find(|r| r.address == address)
        .map(|r| r.route)
        .expect("recipient is reported")
}

#[test]
fn every_route_first_match_wins() {
    let cases: &[(&str, &str, InstallationType, Route)] = &[
        (
            "same domain as the sender",
            "collega@huisartsen-oost.nl",
            T::ViewerPhoneCheck,
            R::Internal,
        ),
        (
            "organisation domain",
            "balie@ho-zorg.nl",
            T::ViewerPhoneCheck,
            R::Internal,
        ),
        (
            "internal wins over community",
            "collega@huisartsen-oost.nl",
            T::Standard,
            R::Internal,
        ),
        (
            "community domain",
            "b.smit@ziekenhuis-west.nl",
            T::ViewerPhoneCheck,
            R::Community,
        ),
        (
            "community wins over nta7516",
            "b.smit@ziekenhuis-west.nl",
            T::ViewerPhoneRequired,
            R::Community,
        ),
        (
            "community address",
            "dr.visser@gmail.com",
            T::ViewerPhoneCheck,
            R::Community,
        ),
        (
            "community IDN domain",
            "info@xn--zrg-sna.nl",
            T::ViewerPhoneCheck,
            R::Community,
        ),
        (
            "both NTA 7516 compliant",
            "psych@ggz-noord.nl",
            T::ViewerPhoneRequired,
            R::Nta7516,
        ),
        (
            "unlisted subdomain",
            "a@poli.ziekenhuis-west.nl",
            T::ViewerPhoneCheck,
            R::Viewer,
        ),
        (
            "outside, viewer-phone-required",
            PATIENT,
            T::ViewerPhoneRequired,
            R::Viewer,
        ),
        (
            "outside, viewer-phone-check",
            PATIENT,
            T::ViewerPhoneCheck,
            R::Viewer,
        ),
        ("outside, viewer", PATIENT, T::Viewer, R::Viewer),
        ("outside, standard", PATIENT, T::Standard, R::Blocked),
        (
            "not an address",
            "patient(at)example.com",
            T::ViewerPhoneCheck,
            R::Invalid,
        ),
    ];
    for (why, recipient, installation, expected) in cases {
        let verdict = draft().to(recipient).check(*installation);
        assert_eq!(verdict.recipients[0].route, *expected, "{why}");
    }
}

#[test]
fn nta7516_route_needs_a_compliant_sender_too() {
    let verdict = draft()
        .sender("c@zorgmail.nl")
        .to("psych@ggz-noord.nl")
        .check(T::ViewerPhoneCheck);
    assert_eq!(route_of(&verdict, "psych@ggz-noord.nl"), R::Viewer);
    assert!(
        verdict.recipients[0].nta7516,
        "the recipient itself is in the register"
    );
    assert!(!verdict.sender.nta7516);
}

#[test]
fn idn_recipients_are_matched_and_reported_in_ascii() {
    let verdict = draft().to("Info@ZÖRG.nl").check(T::ViewerPhoneCheck);
    assert_eq!(verdict.recipients[0].address, "info@xn--zrg-sna.nl");
    assert_eq!(verdict.recipients[0].route, R::Community);
}

#[test]
fn every_phone_status() {
    let valid = "06 12345678";
    type Case<'a> = (
        InstallationType,
        &'a str,
        Option<&'a str>,
        Phone,
        Option<FindingCode>,
    );
    let cases: &[Case] = &[
        (
            T::ViewerPhoneRequired,
            PATIENT,
            None,
            Phone::Missing,
            Some(C::PhoneRequired),
        ),
        (
            T::ViewerPhoneRequired,
            PATIENT,
            Some("   "),
            Phone::Missing,
            Some(C::PhoneRequired),
        ),
        (
            T::ViewerPhoneRequired,
            PATIENT,
            Some(valid),
            Phone::Given,
            None,
        ),
        (
            T::ViewerPhoneRequired,
            PATIENT,
            Some("020 1234567"),
            Phone::Invalid,
            Some(C::PhoneInvalid),
        ),
        (
            T::ViewerPhoneCheck,
            PATIENT,
            None,
            Phone::Missing,
            Some(C::PhoneAdvised),
        ),
        (
            T::ViewerPhoneCheck,
            PATIENT,
            Some(valid),
            Phone::Given,
            None,
        ),
        (
            T::ViewerPhoneCheck,
            PATIENT,
            Some("12"),
            Phone::Invalid,
            Some(C::PhoneInvalid),
        ),
        (
            T::Viewer,
            PATIENT,
            Some(valid),
            Phone::NotPossible,
            Some(C::EmailCodeOnly),
        ),
        (
            T::Viewer,
            PATIENT,
            Some("nonsense"),
            Phone::NotPossible,
            Some(C::EmailCodeOnly),
        ),
        (
            T::Standard,
            PATIENT,
            Some(valid),
            Phone::None,
            Some(C::RecipientNotAllowed),
        ),
        (
            T::ViewerPhoneRequired,
            "b.smit@ziekenhuis-west.nl",
            Some(valid),
            Phone::None,
            None,
        ),
        (
            T::ViewerPhoneRequired,
            "psych@ggz-noord.nl",
            None,
            Phone::None,
            None,
        ),
    ];
    for (installation, recipient, typed, status, finding) in cases {
        let mut builder = draft().to(recipient);
        if let Some(typed) = typed {
            builder = builder.phone(recipient, typed);
        }
        let verdict = builder.check(*installation);
        let why = format!("{installation:?} {recipient} {typed:?}");
        assert_eq!(verdict.recipients[0].phone, *status, "{why}");
        let expected: Vec<_> = finding
            .iter()
            .map(|code| (*code, Some(*recipient)))
            .collect();
        assert_eq!(codes(&verdict), expected, "{why}");
        let e164 = (*status == Phone::Given).then(|| "+31612345678".to_string());
        assert_eq!(verdict.recipients[0].phone_number, e164, "{why}");
    }
}

#[test]
fn typed_phones_are_matched_on_the_normalised_address() {
    let verdict = draft()
        .to(PATIENT)
        .phone("  Patient@EXAMPLE.com ", "0612345678")
        .check(T::ViewerPhoneRequired);
    assert_eq!(verdict.recipients[0].phone, Phone::Given);
    assert!(verdict.can_send_secure);
}

#[test]
fn phone_advised_and_email_code_only_do_not_block() {
    for installation in [T::ViewerPhoneCheck, T::Viewer] {
        let verdict = draft().to(PATIENT).check(installation);
        assert!(verdict.can_send_secure, "{installation:?}");
        assert!(
            !verdict.auto_send,
            "a Viewer recipient is never sent automatically"
        );
    }
    assert!(
        !draft()
            .to(PATIENT)
            .check(T::ViewerPhoneRequired)
            .can_send_secure
    );
}

#[test]
fn directory_unavailable_is_the_only_finding_and_every_route_unknown() {
    let builder = draft()
        .sender("not an address")
        .to(PATIENT)
        .cc("bad@@x")
        .subject("");
    let verdict = check(&builder.0, &policy(T::ViewerPhoneCheck), None);
    assert_eq!(codes(&verdict), [(C::DirectoryUnavailable, None)]);
    assert!(
        verdict
            .recipients
            .iter()
            .all(|r| r.route == R::Unknown && r.phone == Phone::None)
    );
    assert_eq!(verdict.recipients.len(), 2);
    assert!(!verdict.can_send_secure && !verdict.auto_send);
    assert!(!verdict.sender.known);
}

#[test]
fn sender_findings() {
    let invalid = draft()
        .sender("  Jansen huisartsen  ")
        .to("b@zorgmail.nl")
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&invalid),
        [(C::SenderInvalid, Some("Jansen huisartsen"))]
    );
    assert_eq!(
        invalid.recipients[0].route,
        R::Community,
        "routes still work without a sender"
    );

    let unknown = draft()
        .sender("Info@Praktijk-Onbekend.nl")
        .to("b@zorgmail.nl")
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&unknown),
        [(C::SenderUnknown, Some("info@praktijk-onbekend.nl"))]
    );
    assert!(!unknown.sender.known && !unknown.can_send_secure);

    let listed_address = draft()
        .sender("dr.visser@gmail.com")
        .to("b@zorgmail.nl")
        .check(T::ViewerPhoneCheck);
    assert!(listed_address.sender.known && listed_address.can_send_secure);

    let known = draft().to("b@zorgmail.nl").check(T::ViewerPhoneCheck);
    assert!(known.sender.known && known.sender.nta7516);
}

#[test]
fn recipient_presence_findings() {
    assert_eq!(
        codes(&draft().check(T::ViewerPhoneCheck)),
        [(C::NoRecipients, None)]
    );
    assert_eq!(
        codes(&draft().to("  ").check(T::ViewerPhoneCheck)),
        [(C::NoRecipients, None)],
        "blank entries are no recipients"
    );
    assert_eq!(
        codes(&draft().cc("b@zorgmail.nl").check(T::ViewerPhoneCheck)),
        [(C::ToEmpty, None)]
    );
    assert_eq!(
        codes(&draft().bcc("b@zorgmail.nl").check(T::ViewerPhoneCheck)),
        [(C::ToEmpty, None)]
    );
}

#[test]
fn invalid_recipients_are_reported_with_their_raw_text() {
    let verdict = draft()
        .to("b@zorgmail.nl")
        .to("  Jan de Vries ")
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&verdict),
        [(C::RecipientInvalid, Some("Jan de Vries"))]
    );
    assert_eq!(verdict.recipients[1].address, "Jan de Vries");
    assert_eq!(verdict.recipients[1].route, R::Invalid);
}

#[test]
fn distribution_lists_must_be_expanded() {
    let verdict = draft()
        .list_to("Team@Huisartsen-Oost.nl")
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&verdict),
        [(
            C::RecipientDistributionList,
            Some("team@huisartsen-oost.nl")
        )]
    );
    assert!(!verdict.can_send_secure);
}

#[test]
fn standard_installation_blocks_outside_recipients() {
    let verdict = draft().to("b@zorgmail.nl").to(PATIENT).check(T::Standard);
    assert_eq!(codes(&verdict), [(C::RecipientNotAllowed, Some(PATIENT))]);
}

#[test]
fn recipient_limits_at_their_exact_boundaries() {
    let cases: &[(usize, Option<FindingCode>, bool)] = &[
        (20, None, true),
        (21, Some(C::RecipientsMany), true),
        (100, Some(C::RecipientsMany), true),
        (101, Some(C::RecipientsTooMany), false),
    ];
    for (count, finding, can_send) in cases {
        let verdict = draft()
            .many_to(*count, "zorgmail.nl")
            .check(T::ViewerPhoneCheck);
        let expected: Vec<_> = finding.iter().map(|code| (*code, None)).collect();
        assert_eq!(codes(&verdict), expected, "{count} recipients");
        assert_eq!(verdict.can_send_secure, *can_send, "{count} recipients");
        assert_eq!(verdict.auto_send, *count <= 20, "{count} recipients");
    }
}

#[test]
fn duplicates_across_fields_and_case_count_once_in_their_first_field() {
    let verdict = draft()
        .many_to(19, "zorgmail.nl")
        .to("B.Smit@ziekenhuis-west.nl")
        .cc("b.smit@ZIEKENHUIS-WEST.nl")
        .bcc(" b.smit@ziekenhuis-west.nl ")
        .cc("R0@zorgmail.nl")
        .check(T::ViewerPhoneCheck);
    assert_eq!(verdict.recipients.len(), 20);
    assert!(
        codes(&verdict).is_empty(),
        "20 unique recipients is not many: {:?}",
        codes(&verdict)
    );
    let smit: Vec<_> = verdict
        .recipients
        .iter()
        .filter(|r| r.address == "b.smit@ziekenhuis-west.nl")
        .collect();
    assert_eq!(smit.len(), 1);
    assert_eq!(smit[0].field, Field::To);

    let later_field = draft()
        .cc("x@zorgmail.nl")
        .to("y@zorgmail.nl")
        .bcc("X@zorgmail.nl")
        .check(T::ViewerPhoneCheck);
    let fields: Vec<_> = later_field
        .recipients
        .iter()
        .map(|r| (r.address.as_str(), r.field))
        .collect();
    assert_eq!(
        fields,
        [("y@zorgmail.nl", Field::To), ("x@zorgmail.nl", Field::Cc)],
        "To, then CC, then BCC"
    );
}

#[test]
fn duplicate_invalid_entries_and_attachments_give_one_finding() {
    let verdict = draft()
        .to("b@zorgmail.nl")
        .to("oops")
        .cc(" oops ")
        .attach("a.exe", 1)
        .attach("a.exe", 1)
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&verdict),
        [
            (C::RecipientInvalid, Some("oops")),
            (C::AttachmentBlockedType, Some("a.exe"))
        ]
    );
}

#[test]
fn bcc_rules() {
    let community = "b@zorgmail.nl";
    let cases: &[(&str, DraftBuilder, Vec<FindingCode>)] = &[
        (
            "viewer and community in BCC",
            draft().to(SENDER).bcc(PATIENT).bcc(community),
            vec![C::BccMixed],
        ),
        (
            "viewer and internal in BCC",
            draft().to(SENDER).bcc(PATIENT).bcc("c@ho-zorg.nl"),
            vec![C::BccMixed],
        ),
        (
            "only viewer in BCC, To is someone else",
            draft().to(community).bcc(PATIENT),
            vec![C::BccViewerTo],
        ),
        (
            "only viewer in BCC, To is sender and another",
            draft().to(SENDER).to(community).bcc(PATIENT),
            vec![C::BccViewerTo],
        ),
        (
            "only viewer in BCC, CC not empty",
            draft().to(SENDER).cc(community).bcc(PATIENT),
            vec![C::BccViewerCc],
        ),
        (
            "both",
            draft()
                .to(community)
                .cc(community)
                .cc("d@zorgmail.nl")
                .bcc(PATIENT),
            vec![C::BccViewerTo, C::BccViewerCc],
        ),
        (
            "only viewer in BCC, To is the sender alone",
            draft()
                .to(SENDER)
                .to(" A.Jansen@huisartsen-oost.nl")
                .bcc(PATIENT),
            vec![],
        ),
        (
            "only community in BCC",
            draft()
                .to(community)
                .cc("d@zorgmail.nl")
                .bcc("e@zorgmail.nl"),
            vec![],
        ),
        (
            "invalid entries in BCC are ignored",
            draft().to(SENDER).bcc(PATIENT).bcc("nonsense"),
            vec![C::RecipientInvalid],
        ),
    ];
    for (why, builder, expected) in cases {
        let verdict = builder.check(T::ViewerPhoneCheck);
        let found: Vec<_> = codes(&verdict)
            .into_iter()
            .map(|(code, _)| code)
            .filter(|code| *code != C::PhoneAdvised)
            .collect();
        assert_eq!(&found, expected, "{why}");
    }
}

#[test]
fn attachment_rules() {
    let verdict = draft()
        .to("b@zorgmail.nl")
        .attach("brief.pdf", 10)
        .attach("scan.pdf.exe. ", 10)
        .attach("Tool.PS1", 10)
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&verdict),
        [
            (C::AttachmentBlockedType, Some("scan.pdf.exe. ")),
            (C::AttachmentBlockedType, Some("Tool.PS1"))
        ]
    );

    let exactly = draft()
        .to("b@zorgmail.nl")
        .attach("a.pdf", 15 * MIB)
        .attach("b.pdf", 5 * MIB)
        .check(T::ViewerPhoneCheck);
    assert!(codes(&exactly).is_empty(), "exactly 20 MiB is allowed");
    assert!(exactly.auto_send);

    let over = draft()
        .to("b@zorgmail.nl")
        .attach("a.pdf", 15 * MIB)
        .attach("b.pdf", 5 * MIB + 1)
        .check(T::ViewerPhoneCheck);
    assert_eq!(codes(&over), [(C::AttachmentsTooLarge, None)]);
    assert!(!over.can_send_secure);
}

#[test]
fn attachments_report_sizes_and_shares() {
    let verdict = draft()
        .to("b@zorgmail.nl")
        .attach("a.pdf", 300)
        .attach("link.docx", 0)
        .attach("b.jpg", 100)
        .check(T::ViewerPhoneCheck);
    let report = &verdict.attachments;
    assert_eq!((report.count, report.total_size), (3, 400));
    let shares: Vec<_> = report
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.size, i.share))
        .collect();
    assert_eq!(
        shares,
        [
            ("a.pdf", 300, 0.75),
            ("link.docx", 0, 0.0),
            ("b.jpg", 100, 0.25)
        ]
    );

    let only_links = draft()
        .to("b@zorgmail.nl")
        .attach("link.docx", 0)
        .check(T::ViewerPhoneCheck);
    assert_eq!(only_links.attachments.items[0].share, 0.0);
}

#[test]
fn internal_only_mail_is_exempt_from_count_and_attachment_limits() {
    let internal = draft()
        .many_to(150, "huisartsen-oost.nl")
        .cc("balie@ho-zorg.nl")
        .attach("setup.exe", 1)
        .attach("big.zip", 30 * MIB)
        .check(T::ViewerPhoneCheck);
    assert!(codes(&internal).is_empty(), "{:?}", codes(&internal));
    assert!(internal.can_send_secure && internal.auto_send);

    let one_outside = draft()
        .many_to(150, "huisartsen-oost.nl")
        .to("b@zorgmail.nl")
        .attach("setup.exe", 1)
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&one_outside),
        [
            (C::RecipientsTooMany, None),
            (C::AttachmentBlockedType, Some("setup.exe"))
        ]
    );

    let invalid_beside_internal = draft()
        .to("c@ho-zorg.nl")
        .to("nonsense")
        .attach("setup.exe", 1)
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&invalid_beside_internal),
        [(C::RecipientInvalid, Some("nonsense"))],
        "only valid recipients decide"
    );

    let no_valid_recipient = draft()
        .to("nonsense")
        .attach("setup.exe", 1)
        .check(T::ViewerPhoneCheck);
    assert_eq!(
        codes(&no_valid_recipient),
        [
            (C::RecipientInvalid, Some("nonsense")),
            (C::AttachmentBlockedType, Some("setup.exe"))
        ],
        "no valid recipient is not 'all internal'"
    );
}

#[test]
fn subject_findings() {
    for subject in ["", "   ", "\t"] {
        let verdict = draft()
            .to("b@zorgmail.nl")
            .subject(subject)
            .check(T::ViewerPhoneCheck);
        assert_eq!(codes(&verdict), [(C::SubjectEmpty, None)], "{subject:?}");
    }
    let english = draft()
        .to(PATIENT)
        .phone(PATIENT, "0612345678")
        .subject("Uitslag (EN)")
        .check(T::ViewerPhoneRequired);
    assert_eq!(codes(&english), [(C::ViewerLanguageEn, None)]);
    assert!(english.can_send_secure);

    let no_viewer = draft()
        .to("b@zorgmail.nl")
        .subject("Uitslag (EN)")
        .check(T::ViewerPhoneCheck);
    assert!(!has(&no_viewer, C::ViewerLanguageEn));
    let lower = draft()
        .to(PATIENT)
        .subject("Uitslag (en)")
        .check(T::ViewerPhoneCheck);
    assert!(
        !has(&lower, C::ViewerLanguageEn),
        "the trigger is written (EN)"
    );
}

/// Patients in To and CC see each other's addresses: a warning that suggests BCC, which
/// does not block.
#[test]
fn several_visible_viewer_recipients_are_warned_about() {
    const OTHER: &str = "j.devries@example.com";
    let two_in_to = draft()
        .to(PATIENT)
        .to(OTHER)
        .phone(PATIENT, "0612345678")
        .phone(OTHER, "0687654321")
        .check(T::ViewerPhoneRequired);
    assert_eq!(codes(&two_in_to), [(C::ViewerRecipientsVisible, None)]);
    assert!(two_in_to.can_send_secure, "a warning only");

    let to_and_cc = draft().to(PATIENT).cc(OTHER).check(T::ViewerPhoneCheck);
    assert!(has(&to_and_cc, C::ViewerRecipientsVisible));

    let one_with_a_colleague = draft()
        .to(PATIENT)
        .cc("b@zorgmail.nl")
        .check(T::ViewerPhoneCheck);
    assert!(!has(&one_with_a_colleague, C::ViewerRecipientsVisible));

    let blind = draft()
        .to(SENDER)
        .bcc(PATIENT)
        .bcc(OTHER)
        .check(T::ViewerPhoneCheck);
    assert!(!has(&blind, C::ViewerRecipientsVisible), "BCC hides them");
}

#[test]
fn findings_come_in_table_order_and_draft_order_within_a_code() {
    let builder = draft()
        .sender("onbekend@praktijk-x.nl")
        .subject(" ")
        .to("z@example.org")
        .to("bad one")
        .to("a@example.org")
        .cc("also bad")
        .attach("virus.exe", 1)
        .attach("brief.pdf", 1)
        .attach("script.js", 1);
    let verdict = builder.check(T::ViewerPhoneRequired);
    assert_eq!(
        codes(&verdict),
        [
            (C::SenderUnknown, Some("onbekend@praktijk-x.nl")),
            (C::RecipientInvalid, Some("bad one")),
            (C::RecipientInvalid, Some("also bad")),
            (C::PhoneRequired, Some("z@example.org")),
            (C::PhoneRequired, Some("a@example.org")),
            (C::ViewerRecipientsVisible, None),
            (C::AttachmentBlockedType, Some("virus.exe")),
            (C::AttachmentBlockedType, Some("script.js")),
            (C::SubjectEmpty, None),
        ]
    );
    let repeated = builder.check(T::ViewerPhoneRequired);
    assert_eq!(verdict, repeated, "deterministic");
}

#[test]
fn auto_send_only_for_internal_and_community_mail() {
    let cases: &[(&str, DraftBuilder, bool)] = &[
        (
            "community",
            draft().to("b@zorgmail.nl").cc("c@huisartsen-oost.nl"),
            true,
        ),
        ("community address", draft().to("dr.visser@gmail.com"), true),
        (
            "21 community recipients",
            draft().many_to(21, "zorgmail.nl"),
            false,
        ),
        (
            "25 internal recipients",
            draft().many_to(25, "ho-zorg.nl"),
            true,
        ),
        ("NTA 7516 route", draft().to("psych@ggz-noord.nl"), false),
        (
            "viewer with phone",
            draft().to(PATIENT).phone(PATIENT, "0612345678"),
            false,
        ),
        (
            "empty subject",
            draft().to("b@zorgmail.nl").subject(""),
            false,
        ),
    ];
    for (why, builder, expected) in cases {
        assert_eq!(
            builder.check(T::ViewerPhoneRequired).auto_send,
            *expected,
            "{why}"
        );
    }
}

#[test]
fn verdict_json_is_exactly_the_documented_shape() {
    let verdict = draft()
        .to(PATIENT)
        .attach("verwijsbrief.pdf", 183_211)
        .check(T::ViewerPhoneRequired);
    let json = serde_json::to_value(&verdict).expect("serialises");
    let expected = serde_json::json!({
        "can_send_secure": false,
        "auto_send": false,
        "sender": {"address": SENDER, "known": true, "nta7516": true},
        "recipients": [
            {"address": PATIENT, "field": "to", "route": "viewer", "nta7516": false, "phone": "missing"}
        ],
        "attachments": {"count": 1, "total_size": 183_211,
                        "items": [{"name": "verwijsbrief.pdf", "size": 183_211, "share": 1.0}]},
        "findings": [{"level": "action", "code": "phone-required", "subject": PATIENT}]
    });
    assert_eq!(json, expected);
}
