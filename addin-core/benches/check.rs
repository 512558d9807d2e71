//! The speed and size targets of SPEC §4 and §11: loading a 200,000-entry directory, the
//! memory it holds, and a check of a realistic draft against it.
//!
//! Run with `cargo bench -p addin-core --bench check`. Everything is generated here,
//! deterministically: no files, no randomness.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

use std::{
    alloc::{GlobalAlloc, Layout},
    collections::BTreeMap,
    fmt::Write as _,
    hint::black_box,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use addin_core::{
    address::Domain,
    directory::Directory,
    draft::{Draft, DraftAttachment, DraftRecipient, RecipientKind},
    finding::Level,
    policy::{DirectoryVariant, InstallationType, Policy},
    verdict::Route,
};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

/// The allocator `sendsecure` runs on (mimalloc), counting the bytes currently handed out, so
/// the bench times the check as the server runs it and can report what a loaded [`Directory`]
/// holds (SPEC §4: "fit comfortably in memory at 200,000 entries"). Counts requested sizes,
/// not the allocator's own bookkeeping.
#[derive(Debug)]
struct CountingAllocator;

static HELD_BYTES: AtomicUsize = AtomicUsize::new(0);

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

// `GlobalAlloc` is an unsafe trait: implementing it (and calling mimalloc's methods, whose
// contracts the caller upholds) cannot be done without `unsafe`. Every method only forwards
// to mimalloc with the caller's arguments unchanged and then adjusts a counter, so it keeps
// exactly mimalloc's guarantees. This is the one place in the workspace allowed `unsafe`,
// and it lives in a bench binary, never in the shipped code.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        let pointer = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !pointer.is_null() {
            HELD_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let pointer = unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) };
        if !pointer.is_null() {
            HELD_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: `pointer` came from this allocator (hence mimalloc) with this `layout`.
        unsafe { mimalloc::MiMalloc.dealloc(pointer, layout) };
        HELD_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `pointer` came from this allocator (hence mimalloc) with this `layout`; the
        // caller upholds `realloc`'s contract for `new_size`.
        let moved = unsafe { mimalloc::MiMalloc.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            // On failure the old block stays allocated and the count stays right.
            HELD_BYTES.fetch_add(new_size, Ordering::Relaxed);
            HELD_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        moved
    }
}

fn held_bytes() -> usize {
    HELD_BYTES.load(Ordering::Relaxed)
}

const COMMUNITY_DOMAINS: usize = 180_000;
const COMMUNITY_ADDRESSES: usize = 10_000;
const NTA7516_DOMAINS: usize = 10_000;
/// Practices that are in the community *and* NTA 7516 registered (every 360th: 500 of them,
/// the sender's among them); the rest of the register is outside the community.
const NTA7516_PRACTICE_STEP: usize = 360;
const MAIL_PROVIDERS: [&str; 5] = [
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "ziggo.nl",
    "kpnmail.nl",
];

fn practice_domain(index: usize) -> String {
    format!("praktijk-{index:06}.nl")
}

fn community_address(index: usize) -> String {
    let provider = MAIL_PROVIDERS[index % MAIL_PROVIDERS.len()];
    format!("zorgverlener.{index:05}@{provider}")
}

/// A register domain outside the community (index counts from the first such domain).
fn institution_domain(index: usize) -> String {
    format!("ggz-instelling-{index:05}.nl")
}

const SENDER: &str = "a.jansen@praktijk-000000.nl";

/// A directory document of 200,000 entries in the shape of SPEC §4.
fn directory_json() -> String {
    fn list(json: &mut String, entries: impl Iterator<Item = String>) {
        json.push('[');
        for (index, entry) in entries.enumerate() {
            if index > 0 {
                json.push(',');
            }
            write!(json, "\"{entry}\"").expect("writing to a String cannot fail");
        }
        json.push(']');
    }

    let practices_in_register = COMMUNITY_DOMAINS / NTA7516_PRACTICE_STEP;
    let mut json = String::with_capacity(6 << 20);
    json.push_str(r#"{"variant":"zorgmail","version":"2026-11-20","community":{"domains":"#);
    list(&mut json, (0..COMMUNITY_DOMAINS).map(practice_domain));
    json.push_str(r#","addresses":"#);
    list(&mut json, (0..COMMUNITY_ADDRESSES).map(community_address));
    json.push_str(r#"},"nta7516":{"domains":"#);
    list(
        &mut json,
        (0..practices_in_register)
            .map(|i| practice_domain(i * NTA7516_PRACTICE_STEP))
            .chain((0..NTA7516_DOMAINS - practices_in_register).map(institution_domain)),
    );
    json.push_str("}}");
    json
}

fn recipient(address: String) -> DraftRecipient {
    DraftRecipient {
        address,
        name: None,
        kind: RecipientKind::User,
    }
}

fn attachments() -> Vec<DraftAttachment> {
    [
        ("verwijsbrief.pdf", 183_211),
        ("labuitslag.pdf", 48_213),
        ("wondfoto.jpg", 2_413_904),
    ]
    .into_iter()
    .map(|(name, size)| DraftAttachment {
        name: name.into(),
        size,
        inline: false,
    })
    .collect()
}

/// A referral as a GP sends it: colleagues in the community, a personal community address,
/// an NTA 7516 institution, an internal colleague, three patients in the Viewer (two with a
/// phone number typed, one without), CC and BCC, three attachments.
fn draft_10() -> Draft {
    let phones = BTreeMap::from([
        (
            "patient.een@example.com".to_owned(),
            "0612345678".to_owned(),
        ),
        (
            "Patient.Twee@Hotmail.com".to_owned(),
            "06 23 45 67 89".to_owned(),
        ),
    ]);
    Draft {
        sender: SENDER.into(),
        to: vec![
            recipient("b.smit@praktijk-012345.nl".into()),
            recipient("patient.een@example.com".into()),
            recipient("C.de.Vries@Praktijk-150000.NL".into()),
        ],
        cc: vec![
            recipient(community_address(42)),
            recipient("j.bakker@ggz-instelling-00077.nl".into()),
            recipient("Patient.Twee@Hotmail.com".into()),
            recipient("patient.drie@example.org".into()),
            recipient("assistente@praktijk-000000.nl".into()),
        ],
        bcc: vec![
            recipient("archief@praktijk-099999.nl".into()),
            recipient(community_address(9_999)),
        ],
        subject: "Verwijzing dermatologie".into(),
        attachments: attachments(),
        phones,
    }
}

/// 100 unique recipients (the most a secure mail may have): every tenth kind repeats, BCC
/// holds only community recipients.
fn draft_100() -> Draft {
    let mut draft = Draft {
        sender: SENDER.into(),
        subject: "Uitnodiging regionale nascholing".into(),
        attachments: attachments(),
        ..Draft::default()
    };
    for i in 0..100 {
        let address = match i % 10 {
            _ if i >= 80 => format!("r{i}@{}", practice_domain(i * 1_777 % COMMUNITY_DOMAINS)),
            0..=5 => format!("r{i}@{}", practice_domain(i * 1_777 % COMMUNITY_DOMAINS)),
            6 => community_address(i * 97 % COMMUNITY_ADDRESSES),
            7 => format!("r{i}@{}", institution_domain(i * 89 % 9_000)),
            8 => {
                let address = format!("patient.{i}@example.com");
                let phone = format!("06{:08}", 12_345_678 + i);
                draft.phones.insert(address.clone(), phone);
                address
            }
            _ => format!("patient.{i}@example.org"),
        };
        let field = match i {
            0..40 => &mut draft.to,
            40..80 => &mut draft.cc,
            _ => &mut draft.bcc,
        };
        field.push(recipient(address));
    }
    draft
}

fn policy() -> Policy {
    let mut policy = Policy {
        installation_type: InstallationType::ViewerPhoneCheck,
        ..Policy::default()
    };
    policy.organisation.domains =
        vec![Domain::parse("praktijk-000000.nl").expect("a valid organisation domain")];
    policy
}

/// Makes sure the drafts exercise what they claim to, so the numbers mean something.
fn assert_realistic(directory: &Directory, policy: &Policy, draft: &Draft, unique: usize) {
    let verdict = addin_core::check(draft, policy, Some(directory));
    let count = |route| {
        verdict
            .recipients
            .iter()
            .filter(|r| r.route == route)
            .count()
    };
    assert_eq!(verdict.recipients.len(), unique, "unique recipients");
    assert!(
        verdict.sender.known && verdict.sender.nta7516,
        "sender known"
    );
    for route in [
        Route::Internal,
        Route::Community,
        Route::Nta7516,
        Route::Viewer,
    ] {
        assert!(count(route) > 0, "draft has a {route:?} recipient");
    }
    assert!(
        verdict
            .findings
            .iter()
            .all(|finding| finding.level == Level::Info),
        "only advice, nothing blocking: {:?}",
        verdict.findings
    );
    assert_eq!(verdict.attachments.count, 3);
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

fn benches(c: &mut Criterion) {
    // Memory: everything allocated while generating, parsing and validating is freed again
    // except the directory itself.
    let before = held_bytes();
    let json = directory_json();
    let json_bytes = json.len();
    let directory =
        Directory::from_json(&json, DirectoryVariant::Zorgmail).expect("the generated JSON loads");
    drop(json);
    let held = held_bytes().saturating_sub(before);
    assert_eq!(
        directory.entries(),
        200_000,
        "every generated entry is distinct"
    );
    eprintln!(
        "directory: {} entries, JSON {:.1} MB ({json_bytes} bytes), held in memory {:.1} MiB \
         ({held} bytes, {:.0} bytes/entry)",
        directory.entries(),
        json_bytes as f64 / 1e6,
        mib(held),
        held as f64 / directory.entries() as f64,
    );

    let json = directory_json();
    let mut load = c.benchmark_group("directory");
    load.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6));
    load.bench_function("load_200k", |b| {
        b.iter_with_large_drop(|| {
            Directory::from_json(black_box(&json), DirectoryVariant::Zorgmail)
                .expect("the generated JSON loads")
        });
    });
    load.finish();
    drop(json);

    let policy = policy();
    let small = draft_10();
    let large = draft_100();
    assert_realistic(&directory, &policy, &small, 10);
    assert_realistic(&directory, &policy, &large, 100);

    let mut check = c.benchmark_group("check");
    check
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    for (name, draft) in [
        ("10_recipients_200k", &small),
        ("100_recipients_200k", &large),
    ] {
        check.bench_function(name, |b| {
            b.iter(|| addin_core::check(black_box(draft), black_box(&policy), Some(&directory)));
        });
    }
    check.finish();
}

criterion_group!(check, benches);
criterion_main!(check);
