//! One suite for every backend (STYLE 6): each case below runs against the SQLite store in
//! memory, the SQLite store in a file, and the PostgreSQL store in a database of its own.
//!
//! The PostgreSQL cases need a server where they may create and drop databases:
//! `SENDSECURE_TEST_POSTGRES_URL`, by default `postgres://postgres@127.0.0.1:5432/postgres`.
//! They fail, rather than skip, when it is down, so a green run always covers both backends.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Executor};

use super::{
    AuditLinker, AuditRecord, Digest, DirectorySnapshot, DispatchClaim, DispatchRecord,
    DispatchState, PostgresStore, RateLimit, SessionRecord, SessionStore, SettingsRecord,
    SignInCodeRecord, SqliteStore, Store, ViewerMessageRecord, ViewerRecipientRecord,
    viewer::{CodeLimit, ViewerCodeRecord, ViewerMessageState, ViewerSessionRecord},
};
use super::{SealedColumn, SealedRow, SealedValue};

// ---- Test records -------------------------------------------------------------------------

/// A moment in October 2025, in Unix seconds.
const T0: i64 = 1_760_000_000;

/// A 32-byte lookup key, distinct for each `(kind, n)`.
fn key(kind: u8, n: u16) -> Digest {
    let mut key = [kind; 32];
    key[..2].copy_from_slice(&n.to_be_bytes());
    key
}

fn token(n: u16) -> Digest {
    key(b'T', n)
}

fn mailbox(n: u16) -> Digest {
    key(b'M', n)
}

fn recipient(n: u16) -> Digest {
    key(b'R', n)
}

/// Stands in for a vault-sealed blob: the store treats it as opaque bytes.
fn sealed(what: &str, n: u16) -> Vec<u8> {
    format!("sealed {what} {n}").into_bytes()
}

/// Session `n` of mailbox `m`, made at `T0`; tests vary it with struct update syntax.
fn session(n: u16, m: u16) -> SessionRecord {
    SessionRecord {
        token_hash: token(n),
        device_hash: key(b'D', n),
        mailbox_hash: mailbox(m),
        owner_hash: key(b'O', m),
        mailbox_sealed: sealed("mailbox", m),
        method: "email-code".to_owned(),
        created_at: T0,
        last_used_at: T0,
        validated_at: T0,
    }
}

/// A `standard-send` event of mailbox `m` at `at`; tests vary it with struct update syntax.
fn audit(m: u16, at: i64) -> AuditRecord {
    AuditRecord {
        at,
        kind: "standard-send".to_owned(),
        mailbox_hash: Some(mailbox(m)),
        device_hash: Some(key(b'D', m)),
        network_hash: Some(key(b'N', m)),
        recipient_count: 1,
        ..AuditRecord::default()
    }
}

/// Links audit records as the vault would, without a key: the store only carries links.
struct TestLinker;

impl AuditLinker for TestLinker {
    fn link(&self, seq: i64, prev_hash: &Digest, record: &AuditRecord) -> Digest {
        crate::vault::sha256(format!("{seq} {prev_hash:?} {record:?}").as_bytes())
    }
}

/// Code `n` for mailbox `m` on device `d`, made at `at` and live for 15 minutes, untried.
fn sign_in_code(m: u16, d: u16, n: u16, at: i64) -> SignInCodeRecord {
    SignInCodeRecord {
        mailbox_hash: mailbox(m),
        device_hash: device(d),
        code_hash: key(b'C', n),
        created_at: at,
        expires_at: at + 900,
        attempts: 0,
    }
}

fn device(n: u16) -> Digest {
    key(b'D', n)
}

/// At most `max` events in bucket `b` in any `window` seconds.
fn rate(b: u16, window: i64, max: i64) -> RateLimit {
    RateLimit {
        bucket: key(b'R', b),
        window,
        max,
    }
}

fn snapshot(version: &str, loaded_at: i64) -> DirectorySnapshot {
    DirectorySnapshot {
        json: format!(r#"{{"version":"{version}","entries":[]}}"#),
        etag: Some(format!("\"{version}\"")),
        last_modified: Some("Wed, 01 Oct 2025 08:00:00 GMT".to_owned()),
        loaded_at,
    }
}

/// Dispatch `n` of mailbox `m`, issued at `T0`.
fn dispatch(n: u16, m: u16) -> DispatchRecord {
    DispatchRecord {
        token_id: format!("jti-{n}"),
        owner_hash: mailbox(m),
        sealed: sealed("dispatch", n),
        issued_at: T0,
    }
}

/// The Viewer message `id` of dispatch `n`, kept 90 days.
fn viewer_message(id: &str, n: u16) -> ViewerMessageRecord {
    ViewerMessageRecord {
        id: id.to_owned(),
        token_id: format!("jti-{n}"),
        owner_hash: mailbox(1),
        reference: format!("SS-{id}"),
        withdraw_hash: key(b'W', n),
        sealed_key: sealed("key", n),
        content: sealed("content", n),
        summary: sealed("summary", n),
        created_at: T0,
        expires_at: T0 + 90 * 86_400,
    }
}

fn viewer_recipient(n: u16, position: i64) -> ViewerRecipientRecord {
    ViewerRecipientRecord {
        link_hash: key(b'L', n),
        position,
        sealed: sealed("recipient", n),
    }
}

fn parts(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// Dispatch `n` stored with its Viewer message `id` and recipients `links` (link `n` each).
async fn stored_viewer_message(store: &dyn Store, id: &str, n: u16, links: &[u16]) {
    store
        .insert_dispatch(&dispatch(n, 1))
        .await
        .expect("insert");
    let recipients: Vec<_> = links
        .iter()
        .zip(0..)
        .map(|(link, position)| viewer_recipient(*link, position))
        .collect();
    store
        .insert_viewer_message(&viewer_message(id, n), &recipients)
        .await
        .expect("stored");
}

/// The state of [`viewer_message`] `id` of dispatch `n` as the store reports it.
fn viewer_state(id: &str, n: u16) -> ViewerMessageState {
    let record = viewer_message(id, n);
    ViewerMessageState {
        id: record.id,
        token_id: record.token_id,
        owner_hash: record.owner_hash,
        reference: record.reference,
        created_at: record.created_at,
        expires_at: record.expires_at,
        withdrawn_at: None,
        deleted_at: None,
        forwards: 0,
    }
}

/// Code `n` for link `link` in browser `browser`, asked at `at`, live 10 minutes.
fn viewer_code(link: u16, browser: u16, n: u16, at: i64) -> ViewerCodeRecord {
    ViewerCodeRecord {
        link_hash: key(b'L', link),
        device_hash: key(b'B', browser),
        code_hash: key(b'C', n),
        created_at: at,
        expires_at: at + 600,
        attempts: 0,
    }
}

/// Three per quarter hour per browser, five per quarter hour per link.
fn viewer_code_limits(now: i64) -> [CodeLimit; 2] {
    [
        CodeLimit {
            per_browser: true,
            since: now - 900,
            max: 3,
        },
        CodeLimit {
            per_browser: false,
            since: now - 900,
            max: 5,
        },
    ]
}

// ---- The suite ----------------------------------------------------------------------------

async fn ping(store: &dyn Store) {
    store.ping().await.expect("the database answers");
}

async fn session_round_trip(store: &dyn Store) {
    assert_eq!(store.find_session(&token(1)).await.expect("find"), None);

    store.insert_session(&session(1, 1)).await.expect("insert");

    assert_eq!(
        store.find_session(&token(1)).await.expect("find"),
        Some(session(1, 1))
    );
    assert_eq!(store.find_session(&token(2)).await.expect("find"), None);
}

async fn session_token_is_unique(store: &dyn Store) {
    store.insert_session(&session(1, 1)).await.expect("insert");

    let again = SessionRecord {
        mailbox_hash: mailbox(2),
        ..session(1, 2)
    };
    assert!(
        store.insert_session(&again).await.is_err(),
        "a second session with the same token hash"
    );
    assert_eq!(
        store.find_session(&token(1)).await.expect("find"),
        Some(session(1, 1))
    );
}

async fn session_touch_moves_forward_only(store: &dyn Store) {
    store.insert_session(&session(1, 1)).await.expect("insert");
    store.insert_session(&session(2, 1)).await.expect("insert");

    store
        .touch_session(&token(1), T0 + 60)
        .await
        .expect("touch");
    let touched = store.find_session(&token(1)).await.expect("find");
    assert_eq!(
        touched,
        Some(SessionRecord {
            last_used_at: T0 + 60,
            ..session(1, 1)
        })
    );

    // A request that started earlier but finishes later must not pull the window back.
    store
        .touch_session(&token(1), T0 + 30)
        .await
        .expect("touch");
    assert_eq!(store.find_session(&token(1)).await.expect("find"), touched);

    assert_eq!(
        store.find_session(&token(2)).await.expect("find"),
        Some(session(2, 1)),
        "other session untouched"
    );
    store
        .touch_session(&token(3), T0 + 60)
        .await
        .expect("touching an unknown session is no error");
}

async fn session_delete(store: &dyn Store) {
    store.insert_session(&session(1, 1)).await.expect("insert");
    store.insert_session(&session(2, 1)).await.expect("insert");

    store.delete_session(&token(1)).await.expect("delete");

    assert_eq!(store.find_session(&token(1)).await.expect("find"), None);
    assert_eq!(
        store.find_session(&token(2)).await.expect("find"),
        Some(session(2, 1))
    );
    store
        .delete_session(&token(1))
        .await
        .expect("deleting again is no error");
}

async fn sessions_of_one_mailbox_end_together(store: &dyn Store) {
    store.insert_session(&session(1, 1)).await.expect("insert");
    store.insert_session(&session(2, 1)).await.expect("insert");
    store.insert_session(&session(3, 2)).await.expect("insert");

    assert_eq!(
        store.delete_sessions_of(&mailbox(1)).await.expect("delete"),
        2
    );

    assert_eq!(store.find_session(&token(1)).await.expect("find"), None);
    assert_eq!(store.find_session(&token(2)).await.expect("find"), None);
    assert_eq!(
        store.find_session(&token(3)).await.expect("find"),
        Some(session(3, 2)),
        "other mailbox kept"
    );
    assert_eq!(
        store.delete_sessions_of(&mailbox(1)).await.expect("delete"),
        0
    );
}

async fn pairing_put_and_overwrite(store: &dyn Store) {
    let (owner, to) = (mailbox(1), recipient(1));
    assert_eq!(store.get_pairing(&owner, &to).await.expect("get"), None);

    store
        .put_pairing(&owner, &to, &sealed("phone", 1), T0)
        .await
        .expect("put");
    assert_eq!(
        store.get_pairing(&owner, &to).await.expect("get"),
        Some(sealed("phone", 1))
    );

    store
        .put_pairing(&owner, &to, &sealed("phone", 2), T0 + 1)
        .await
        .expect("overwrite");
    assert_eq!(
        store.get_pairing(&owner, &to).await.expect("get"),
        Some(sealed("phone", 2))
    );
}

async fn pairings_listed_for_the_asked_recipients(store: &dyn Store) {
    let owner = mailbox(1);
    for n in 1..=3 {
        store
            .put_pairing(&owner, &recipient(n), &sealed("phone", n), T0)
            .await
            .expect("put");
    }
    store
        .put_pairing(&mailbox(2), &recipient(4), &sealed("phone", 4), T0)
        .await
        .expect("put");

    // Recipient 3 is not asked for, 4 is another owner's, 5 has no pairing, 1 is asked twice.
    let asked = [
        recipient(2),
        recipient(4),
        recipient(1),
        recipient(5),
        recipient(1),
    ];
    let found = store.get_pairings(&owner, &asked).await.expect("get");

    assert_eq!(
        found,
        vec![
            (recipient(1), sealed("phone", 1)),
            (recipient(2), sealed("phone", 2))
        ]
    );
    assert_eq!(store.get_pairings(&owner, &[]).await.expect("get"), vec![]);
}

async fn pairings_listed_for_many_recipients(store: &dyn Store) {
    // More recipients than one SQLite statement takes, with pairings spread over all of them,
    // and one recipient asked for so often that the repeats alone fill several statements.
    let owner = mailbox(1);
    let paired: Vec<u16> = (0..2000).step_by(97).collect();
    for &n in &paired {
        store
            .put_pairing(&owner, &recipient(n), &sealed("phone", n), T0)
            .await
            .expect("put");
    }
    let asked: Vec<Digest> = (0..2000)
        .map(recipient)
        .chain(std::iter::repeat_n(recipient(97), 2000))
        .collect();

    let found = store.get_pairings(&owner, &asked).await.expect("get");

    let expected: Vec<_> = paired
        .iter()
        .map(|&n| (recipient(n), sealed("phone", n)))
        .collect();
    assert_eq!(found, expected);
}

async fn pairing_delete(store: &dyn Store) {
    let owner = mailbox(1);
    store
        .put_pairing(&owner, &recipient(1), &sealed("phone", 1), T0)
        .await
        .expect("put");
    store
        .put_pairing(&owner, &recipient(2), &sealed("phone", 2), T0)
        .await
        .expect("put");

    assert!(
        store
            .delete_pairing(&owner, &recipient(1))
            .await
            .expect("delete")
    );
    assert!(
        !store
            .delete_pairing(&owner, &recipient(1))
            .await
            .expect("delete again")
    );

    assert_eq!(
        store.get_pairing(&owner, &recipient(1)).await.expect("get"),
        None
    );
    assert_eq!(
        store.get_pairing(&owner, &recipient(2)).await.expect("get"),
        Some(sealed("phone", 2))
    );
}

async fn owners_never_see_each_others_pairings(store: &dyn Store) {
    let (alice, bob, to) = (mailbox(1), mailbox(2), recipient(1));
    store
        .put_pairing(&alice, &to, &sealed("alice's phone", 1), T0)
        .await
        .expect("put");

    assert_eq!(store.get_pairing(&bob, &to).await.expect("get"), None);
    assert_eq!(store.get_pairings(&bob, &[to]).await.expect("get"), vec![]);
    assert!(!store.delete_pairing(&bob, &to).await.expect("delete"));

    // Bob saving his own number for the same recipient leaves Alice's as it was.
    store
        .put_pairing(&bob, &to, &sealed("bob's phone", 1), T0)
        .await
        .expect("put");
    assert_eq!(
        store.get_pairing(&alice, &to).await.expect("get"),
        Some(sealed("alice's phone", 1))
    );
    assert_eq!(
        store.get_pairing(&bob, &to).await.expect("get"),
        Some(sealed("bob's phone", 1))
    );
}

async fn settings_put_and_overwrite(store: &dyn Store) {
    let owner = mailbox(1);
    assert_eq!(store.get_settings(&owner).await.expect("get"), None);

    let dutch = SettingsRecord {
        language: Some("nl".to_owned()),
        send_delay_seconds: 5,
    };
    store.put_settings(&owner, &dutch, T0).await.expect("put");
    assert_eq!(store.get_settings(&owner).await.expect("get"), Some(dutch));

    let outlooks = SettingsRecord {
        language: None,
        send_delay_seconds: 10,
    };
    store
        .put_settings(&owner, &outlooks, T0 + 1)
        .await
        .expect("overwrite");
    assert_eq!(
        store.get_settings(&owner).await.expect("get"),
        Some(outlooks)
    );

    assert_eq!(store.get_settings(&mailbox(2)).await.expect("get"), None);
}

async fn audit_records_are_chained(store: &dyn Store) {
    let token = AuditRecord {
        kind: "send-token".to_owned(),
        sender_hash: Some(mailbox(9)),
        token_id: Some("0193a1b2-jti".to_owned()),
        recipient_count: 3,
        routes: Some("community=2,viewer=1".to_owned()),
        ..audit(1, T0)
    };
    let refused = AuditRecord {
        kind: "sign-in-entra-refused".to_owned(),
        mailbox_hash: None,
        codes: Some("guest".to_owned()),
        ..audit(2, T0 + 1)
    };
    for record in [&token, &refused, &refused] {
        store
            .append_audit(record, &TestLinker)
            .await
            .expect("the same event twice is two entries");
    }

    let page = store.audit_page(0, i64::MIN, 10).await.expect("reads");
    let chained: Vec<_> = page.iter().map(|(_, chained)| chained.clone()).collect();
    let records: Vec<_> = chained.iter().map(|c| c.record.clone()).collect();
    assert_eq!(records, vec![token, refused.clone(), refused]);
    assert_eq!(
        chained.iter().map(|c| c.seq).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
    assert_eq!(chained[0].prev_hash, Some([0; 32]));
    for (n, pair) in chained.windows(2).enumerate() {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "link {n}");
        let seq = pair[1].seq.expect("a place");
        let prev = pair[1].prev_hash.expect("a link before");
        assert_eq!(
            pair[1].hash,
            Some(TestLinker.link(seq, &prev, &pair[1].record))
        );
    }
    let ends = store.audit_chain_ends().await.expect("reads");
    assert_eq!((ends.head_seq, Some(ends.head_hash)), (3, chained[2].hash));

    let later = store
        .audit_page(page[0].0, T0 + 1, 10)
        .await
        .expect("reads");
    assert_eq!(later.len(), 2, "after the first id, from T0 + 1");
    let paged = store
        .audit_page(page[1].0, i64::MIN, 1)
        .await
        .expect("reads");
    assert_eq!(paged.len(), 1);
    assert_eq!(paged[0].1.seq, Some(3));
}

async fn concurrent_appends_keep_one_chain(store: &dyn Store) {
    let append = |n: u16| async move {
        store
            .append_audit(&audit(n, T0), &TestLinker)
            .await
            .expect("appends");
    };
    tokio::join!(
        append(1),
        append(2),
        append(3),
        append(4),
        append(5),
        append(6),
        append(7),
        append(8)
    );
    let chained: Vec<_> = store
        .audit_page(0, i64::MIN, 100)
        .await
        .expect("reads")
        .into_iter()
        .map(|(_, chained)| chained)
        .collect();
    assert_eq!(
        chained.iter().map(|c| c.seq).collect::<Vec<_>>(),
        (1..=8).map(Some).collect::<Vec<_>>()
    );
    assert!(
        chained
            .windows(2)
            .all(|pair| pair[1].prev_hash == pair[0].hash)
    );
}

async fn audit_retention_moves_the_anchor(store: &dyn Store) {
    for at in [T0, T0 + 1, T0 + 2] {
        store
            .append_audit(&audit(1, at), &TestLinker)
            .await
            .expect("appends");
    }
    let before = store.audit_page(0, i64::MIN, 10).await.expect("reads");
    assert_eq!(store.prune_audit(T0).await.expect("prunes"), 0);

    assert_eq!(store.prune_audit(T0 + 2).await.expect("prunes"), 2);

    let left = store.audit_page(0, i64::MIN, 10).await.expect("reads");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].1.seq, Some(3));
    let ends = store.audit_chain_ends().await.expect("reads");
    assert_eq!(
        (ends.anchor_seq, Some(ends.anchor_hash)),
        (2, before[1].1.hash)
    );
    assert_eq!(ends.head_seq, 3);
}

async fn directory_snapshot_save_and_overwrite(store: &dyn Store) {
    assert_eq!(store.load_directory().await.expect("load"), None);

    store
        .save_directory(&snapshot("2025-10-01", T0))
        .await
        .expect("save");
    assert_eq!(
        store.load_directory().await.expect("load"),
        Some(snapshot("2025-10-01", T0))
    );

    let unversioned = DirectorySnapshot {
        etag: None,
        last_modified: None,
        ..snapshot("2025-10-02", T0 + 86_400)
    };
    store.save_directory(&unversioned).await.expect("overwrite");
    assert_eq!(
        store.load_directory().await.expect("load"),
        Some(unversioned)
    );
}

async fn sign_in_code_is_claimed_with_each_try_counted(store: &dyn Store) {
    let claim = |m: u16, d: u16, at: i64| {
        let (owner, device) = (mailbox(m), device(d));
        async move {
            store
                .claim_sign_in_attempt(&owner, &device, at, 5)
                .await
                .expect("claim")
        }
    };
    assert_eq!(claim(1, 1, T0).await, None, "no code yet");
    store
        .put_sign_in_code(&sign_in_code(1, 1, 1, T0))
        .await
        .expect("put");

    for tries in 1..=5 {
        assert_eq!(
            claim(1, 1, T0 + 10).await,
            Some(SignInCodeRecord {
                attempts: tries,
                ..sign_in_code(1, 1, 1, T0)
            })
        );
    }
    assert_eq!(
        claim(1, 1, T0 + 10).await,
        None,
        "the sixth try finds no code"
    );
    assert_eq!(
        claim(2, 1, T0 + 10).await,
        None,
        "another mailbox has no code"
    );
    assert_eq!(
        claim(1, 2, T0 + 10).await,
        None,
        "another device has no code"
    );
}

async fn sign_in_code_lapses_at_its_expiry(store: &dyn Store) {
    let code = sign_in_code(1, 1, 1, T0);
    store.put_sign_in_code(&code).await.expect("put");
    let claim = |at| store.claim_sign_in_attempt(&code.mailbox_hash, &code.device_hash, at, 5);

    assert!(
        claim(code.expires_at - 1).await.expect("claim").is_some(),
        "live until its last second"
    );
    assert_eq!(claim(code.expires_at).await.expect("claim"), None);
}

async fn a_devices_new_code_replaces_its_old_one_and_no_other(store: &dyn Store) {
    for code in [
        sign_in_code(1, 1, 1, T0),
        sign_in_code(1, 2, 2, T0),
        sign_in_code(1, 1, 3, T0 + 60),
    ] {
        store.put_sign_in_code(&code).await.expect("put");
    }
    let (owner, first, second) = (mailbox(1), device(1), device(2));

    assert_eq!(
        store
            .claim_sign_in_attempt(&owner, &first, T0 + 61, 5)
            .await
            .expect("claim"),
        Some(SignInCodeRecord {
            attempts: 1,
            ..sign_in_code(1, 1, 3, T0 + 60)
        }),
        "the new code, with a fresh count of tries"
    );
    assert!(
        !store
            .consume_sign_in_code(&owner, &first, &key(b'C', 1))
            .await
            .expect("consume"),
        "the old code is gone"
    );
    assert!(
        store
            .consume_sign_in_code(&owner, &second, &key(b'C', 2))
            .await
            .expect("consume"),
        "the other device's code is untouched"
    );
}

async fn sign_in_code_is_consumed_once(store: &dyn Store) {
    store
        .put_sign_in_code(&sign_in_code(1, 1, 1, T0))
        .await
        .expect("put");
    store
        .put_sign_in_code(&sign_in_code(2, 1, 2, T0))
        .await
        .expect("put");
    let (owner, first) = (mailbox(1), device(1));

    assert!(
        !store
            .consume_sign_in_code(&owner, &first, &key(b'C', 2))
            .await
            .expect("consume"),
        "another mailbox's code"
    );
    let code = key(b'C', 1);
    let (one, two) = tokio::join!(
        store.consume_sign_in_code(&owner, &first, &code),
        store.consume_sign_in_code(&owner, &first, &code),
    );
    assert_eq!(
        [one.expect("consume"), two.expect("consume")]
            .iter()
            .filter(|done| **done)
            .count(),
        1,
        "one of two concurrent sign-ins with one code"
    );
    assert!(
        store
            .claim_sign_in_attempt(&mailbox(2), &first, T0 + 1, 5)
            .await
            .expect("claim")
            .is_some(),
        "the other mailbox's code is untouched"
    );
}

async fn concurrent_tries_never_exceed_the_limit(store: &dyn Store) {
    store
        .put_sign_in_code(&sign_in_code(1, 1, 1, T0))
        .await
        .expect("put");

    let (owner, first) = (mailbox(1), device(1));
    let claim = || store.claim_sign_in_attempt(&owner, &first, T0 + 1, 5);
    let tries = tokio::join!(
        claim(),
        claim(),
        claim(),
        claim(),
        claim(),
        claim(),
        claim(),
        claim()
    );
    let granted = [
        tries.0, tries.1, tries.2, tries.3, tries.4, tries.5, tries.6, tries.7,
    ]
    .into_iter()
    .map(|claimed| claimed.expect("claim"))
    .filter(Option::is_some)
    .count();
    assert_eq!(granted, 5);
}

async fn a_mailboxs_pending_codes_are_voided_together(store: &dyn Store) {
    for code in [
        sign_in_code(1, 1, 1, T0),
        sign_in_code(1, 2, 2, T0),
        sign_in_code(2, 1, 3, T0),
    ] {
        store.put_sign_in_code(&code).await.expect("put");
    }
    assert_eq!(
        store
            .delete_sign_in_codes_of(&mailbox(1))
            .await
            .expect("void"),
        2
    );
    assert!(
        store
            .claim_sign_in_attempt(&mailbox(2), &device(1), T0, 5)
            .await
            .expect("claim")
            .is_some(),
        "another mailbox's code stays"
    );
}

async fn known_devices_are_remembered_and_forgotten(store: &dyn Store) {
    let known = |m: u16, d: u16, since: i64| {
        let (owner, device) = (mailbox(m), device(d));
        async move {
            store
                .is_known_device(&owner, &device, since)
                .await
                .expect("reads")
        }
    };
    assert!(!known(1, 1, 0).await);
    store
        .note_known_device(&mailbox(1), &device(1), T0)
        .await
        .expect("note");
    store
        .note_known_device(&mailbox(1), &device(2), T0)
        .await
        .expect("note");
    store
        .note_known_device(&mailbox(1), &device(1), T0 + 100)
        .await
        .expect("again");
    assert!(known(1, 1, T0 + 99).await, "signed in after");
    assert!(!known(1, 2, T0 + 99).await, "not since");
    assert!(!known(2, 1, 0).await, "known to its own mailbox only");

    assert_eq!(
        store.forget_devices_of(&mailbox(1)).await.expect("forget"),
        2
    );
    assert!(!known(1, 1, 0).await);
}

async fn a_rate_limit_counts_its_window(store: &dyn Store) {
    // At most 1 per minute and 2 per hour, in one bucket.
    let limits = [rate(1, 60, 1), rate(1, 3600, 2)];
    let take = |at: i64| store.take_rate(&limits, at);

    assert_eq!(take(T0).await.expect("take"), None);
    assert_eq!(
        take(T0 + 59).await.expect("take"),
        Some(T0 + 60),
        "the minute's"
    );
    assert_eq!(take(T0 + 60).await.expect("take"), None);
    assert_eq!(
        take(T0 + 120).await.expect("take"),
        Some(T0 + 3600),
        "the hour's"
    );
    assert_eq!(
        take(T0 + 3600).await.expect("take"),
        None,
        "the first left the hour"
    );
    assert_eq!(
        store
            .take_rate(&[rate(2, 60, 1)], T0 + 3600)
            .await
            .expect("take"),
        None,
        "another bucket counts apart"
    );
}

async fn a_refused_take_counts_in_no_bucket(store: &dyn Store) {
    let free = rate(1, 900, 5);
    let full = rate(2, 900, 1);
    assert_eq!(store.take_rate(&[full], T0).await.expect("take"), None);
    for at in T0 + 1..T0 + 5 {
        assert_eq!(
            store.take_rate(&[free, full], at).await.expect("take"),
            Some(T0 + 900)
        );
    }
    assert_eq!(
        store.rate_exceeded(&[free], T0 + 10).await.expect("reads"),
        None,
        "the refused takes left the free bucket as it was"
    );
    for at in T0 + 11..T0 + 16 {
        assert_eq!(store.take_rate(&[free], at).await.expect("take"), None);
    }
    assert_eq!(
        store.rate_exceeded(&[free], T0 + 20).await.expect("reads"),
        Some(T0 + 11 + 900)
    );
}

async fn recorded_events_count_against_a_limit(store: &dyn Store) {
    let limit = rate(1, 900, 3);
    for at in [T0, T0 + 1, T0 + 2] {
        assert_eq!(
            store.rate_exceeded(&[limit], at).await.expect("reads"),
            None
        );
        store
            .record_rate(&[limit.bucket], at)
            .await
            .expect("record");
    }
    assert_eq!(
        store.rate_exceeded(&[limit], T0 + 3).await.expect("reads"),
        Some(T0 + 900)
    );
    assert_eq!(
        store
            .rate_exceeded(&[limit], T0 + 900)
            .await
            .expect("reads"),
        None
    );
}

async fn concurrent_takes_never_exceed_the_limit(store: &dyn Store) {
    let limits = [rate(1, 900, 3)];
    let take = || store.take_rate(&limits, T0);
    let taken = tokio::join!(
        take(),
        take(),
        take(),
        take(),
        take(),
        take(),
        take(),
        take()
    );
    let granted = [
        taken.0, taken.1, taken.2, taken.3, taken.4, taken.5, taken.6, taken.7,
    ]
    .into_iter()
    .map(|taken| taken.expect("take"))
    .filter(Option::is_none)
    .count();
    assert!(granted <= 3, "{granted} let through");
    // Refused takes did not count: the rest of the three are still there.
    let mut total = granted;
    while store.take_rate(&limits, T0).await.expect("take").is_none() {
        total += 1;
    }
    assert_eq!(total, 3);
}

async fn old_sign_in_rows_are_pruned(store: &dyn RawRows) {
    for m in 1..=3 {
        store
            .put_sign_in_code(&sign_in_code(m, 1, m, T0))
            .await
            .expect("put");
        store.take_rate(&[rate(m, 900, 3)], T0).await.expect("take");
    }
    assert_eq!(store.row_count("rate_events").await, 3);
    assert_eq!(store.row_count("sign_in_codes").await, 3);

    // Two days later the codes have expired and the events are out of every window.
    let later = T0 + 2 * 86_400;
    store
        .put_sign_in_code(&sign_in_code(4, 1, 4, later))
        .await
        .expect("put");
    store
        .take_rate(&[rate(4, 900, 3)], later)
        .await
        .expect("take");

    assert_eq!(store.row_count("rate_events").await, 1);
    assert_eq!(store.row_count("sign_in_codes").await, 1);
}

/// Counts a table's rows with plain SQL: the trait has no reader for that.
#[async_trait]
trait RawRows: Store {
    async fn row_count(&self, table: &'static str) -> i64;
}

#[async_trait]
impl RawRows for SqliteStore {
    async fn row_count(&self, table: &'static str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(self.pool())
            .await
            .expect("the table reads")
    }
}

#[async_trait]
impl RawRows for PostgresStore {
    async fn row_count(&self, table: &'static str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(self.pool())
            .await
            .expect("the table reads")
    }
}

async fn dispatch_round_trip(store: &dyn Store) {
    assert_eq!(store.find_dispatch("jti-1").await.expect("find"), None);

    store
        .insert_dispatch(&dispatch(1, 1))
        .await
        .expect("insert");

    let found = store
        .find_dispatch("jti-1")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.record, dispatch(1, 1));
    assert_eq!(found.state, DispatchState::Issued);
    assert_eq!((found.message_hash, found.state_at), (None, None));
    assert!(store.handovers("jti-1").await.expect("reads").is_empty());
    assert!(
        store.insert_dispatch(&dispatch(1, 2)).await.is_err(),
        "a token id is used once"
    );
}

async fn dispatch_is_claimed_by_one_message_at_a_time(store: &dyn Store) {
    store
        .insert_dispatch(&dispatch(1, 1))
        .await
        .expect("insert");
    let (first, second) = (key(b'H', 1), key(b'H', 2));
    let lease_start = T0 + 10;

    assert_eq!(
        store
            .claim_dispatch("jti-1", &first, lease_start, T0)
            .await
            .expect("claim"),
        DispatchClaim::Claimed
    );
    for (message, now, stale_before, expected) in [
        (first, T0 + 20, T0 + 5, DispatchClaim::InProgress),
        (second, T0 + 20, T0 + 5, DispatchClaim::OtherMessage),
        (first, T0 + 700, lease_start, DispatchClaim::Claimed),
    ] {
        assert_eq!(
            store
                .claim_dispatch("jti-1", &message, now, stale_before)
                .await
                .expect("claim"),
            expected
        );
    }
    store
        .finish_dispatch("jti-1", DispatchState::Delivered, T0 + 800)
        .await
        .expect("finish");
    let found = store
        .find_dispatch("jti-1")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.state, DispatchState::Delivered);
    assert_eq!(found.message_hash, Some(first));
    assert_eq!(found.state_at, Some(T0 + 800));
    assert_eq!(
        store
            .claim_dispatch("jti-1", &second, T0 + 900, T0)
            .await
            .expect("claim"),
        DispatchClaim::OtherMessage,
        "the first message owns the token for good"
    );
    assert_eq!(
        store
            .claim_dispatch("jti-9", &first, T0, T0)
            .await
            .expect("claim"),
        DispatchClaim::Unknown
    );
}

async fn concurrent_claims_let_one_through(store: &dyn Store) {
    store
        .insert_dispatch(&dispatch(1, 1))
        .await
        .expect("insert");
    let message = key(b'H', 1);
    let claim = || store.claim_dispatch("jti-1", &message, T0 + 10, T0);
    let claims = tokio::join!(claim(), claim(), claim(), claim(), claim(), claim());
    let claimed = [claims.0, claims.1, claims.2, claims.3, claims.4, claims.5]
        .into_iter()
        .map(|claim| claim.expect("claim"))
        .filter(|claim| *claim == DispatchClaim::Claimed)
        .count();
    assert_eq!(claimed, 1);
}

async fn handovers_are_noted_once(store: &dyn Store) {
    store
        .insert_dispatch(&dispatch(1, 1))
        .await
        .expect("insert");
    store
        .insert_dispatch(&dispatch(2, 1))
        .await
        .expect("insert");

    for noted in [
        &["next-hop:0", "next-hop:2"][..],
        &["next-hop:2", "confirmation"],
    ] {
        store
            .record_handovers("jti-1", &parts(noted), T0)
            .await
            .expect("noted");
    }

    assert_eq!(
        store.handovers("jti-1").await.expect("reads"),
        ["confirmation", "next-hop:0", "next-hop:2"]
    );
    assert!(store.handovers("jti-2").await.expect("reads").is_empty());
}

async fn viewer_message_is_stored_once_per_dispatch(store: &dyn Store) {
    store
        .insert_dispatch(&dispatch(1, 1))
        .await
        .expect("insert");
    let recipients = [viewer_recipient(1, 0), viewer_recipient(2, 1)];

    let stored = store
        .insert_viewer_message(&viewer_message("m1", 1), &recipients)
        .await
        .expect("stored");
    assert_eq!(stored, viewer_message("m1", 1));

    let again = store
        .insert_viewer_message(&viewer_message("m2", 1), &[viewer_recipient(3, 0)])
        .await
        .expect("the first comes back");
    assert_eq!(again, viewer_message("m1", 1));

    assert!(
        store
            .insert_viewer_message(&viewer_message("m3", 9), &[])
            .await
            .is_err(),
        "a Viewer message belongs to a dispatch"
    );
}

async fn viewer_recipient_is_found_with_its_message(store: &dyn Store) {
    stored_viewer_message(store, "m1", 1, &[1, 2]).await;

    let view = store
        .find_recipient(&key(b'L', 2))
        .await
        .expect("reads")
        .expect("the link is known");
    assert_eq!(view.recipient, viewer_recipient(2, 1));
    assert_eq!((view.replies, view.forward_failures), (0, 0));
    assert_eq!(view.wrong_number_reported_at, None);
    store
        .note_wrong_number_report(&key(b'L', 2), T0 + 9)
        .await
        .expect("notes");
    let view = store
        .find_recipient(&key(b'L', 2))
        .await
        .expect("reads")
        .expect("the link is known");
    assert_eq!(view.wrong_number_reported_at, Some(T0 + 9));
    assert_eq!(view.message, viewer_state("m1", 1));
    assert!(
        store
            .find_recipient(&key(b'L', 3))
            .await
            .expect("reads")
            .is_none()
    );

    assert_eq!(
        store.message_content("m1").await.expect("reads"),
        Some((sealed("key", 1), sealed("content", 1)))
    );
    assert_eq!(
        store.message_summary("m1").await.expect("reads"),
        Some((sealed("key", 1), Some(sealed("summary", 1))))
    );
    assert_eq!(
        store
            .find_message_by_reference("SS-m1")
            .await
            .expect("reads"),
        Some(viewer_state("m1", 1))
    );
    assert_eq!(
        store
            .find_message_by_withdraw_hash(&key(b'W', 1))
            .await
            .expect("reads"),
        Some(viewer_state("m1", 1))
    );
    assert!(
        store
            .find_message_by_withdraw_hash(&key(b'W', 2))
            .await
            .expect("reads")
            .is_none()
    );
}

async fn a_browsers_new_code_replaces_its_old_one(store: &dyn Store) {
    let limits = viewer_code_limits(T0);
    for (browser, n) in [(1, 1), (1, 2), (2, 3)] {
        assert!(
            store
                .issue_viewer_code(&viewer_code(1, browser, n, T0), &limits)
                .await
                .expect("issue")
        );
    }
    let link = key(b'L', 1);
    let browsers = [key(b'B', 1), key(b'B', 2)];
    let claim =
        |browser: usize| store.claim_viewer_code_attempt(&link, &browsers[browser - 1], T0 + 1, 5);
    let first = claim(1).await.expect("claims").expect("a live code");
    assert_eq!(first.code_hash, key(b'C', 2), "the newer code");
    assert_eq!(first.attempts, 1);
    let second = claim(2).await.expect("claims").expect("a live code");
    assert_eq!(second.code_hash, key(b'C', 3), "each browser has its own");
    assert!(
        store
            .claim_viewer_code_attempt(&key(b'L', 2), &key(b'B', 1), T0 + 1, 5)
            .await
            .expect("claims")
            .is_none(),
        "and only for its link"
    );
}

async fn viewer_codes_sent_are_limited_per_browser_and_per_link(store: &dyn Store) {
    let issue = |browser, n, at| {
        let code = viewer_code(1, browser, n, at);
        async move {
            store
                .issue_viewer_code(&code, &viewer_code_limits(at))
                .await
                .expect("issue")
        }
    };
    for n in 1..=3 {
        assert!(issue(1, n, T0).await);
    }
    assert!(!issue(1, 4, T0 + 1).await, "the fourth from one browser");
    assert!(
        issue(2, 5, T0 + 1).await,
        "another browser has its own three"
    );
    assert!(issue(2, 6, T0 + 2).await);
    assert!(
        !issue(3, 7, T0 + 3).await,
        "the sixth for the link, from any browser"
    );
    assert!(
        store
            .claim_viewer_code_attempt(&key(b'L', 1), &key(b'B', 3), T0 + 4, 5)
            .await
            .expect("claims")
            .is_none(),
        "a refused request stores no code"
    );
    assert!(issue(1, 8, T0 + 901).await, "the window moved on");
}

async fn concurrent_viewer_code_requests_never_exceed_the_limit(store: &dyn Store) {
    let limits = viewer_code_limits(T0);
    let codes: Vec<_> = (1..=8).map(|n| viewer_code(1, 1, n, T0)).collect();
    let issue = |n: usize| store.issue_viewer_code(&codes[n], &limits);
    let sent = tokio::join!(
        issue(0),
        issue(1),
        issue(2),
        issue(3),
        issue(4),
        issue(5),
        issue(6),
        issue(7)
    );
    let issued = [
        sent.0, sent.1, sent.2, sent.3, sent.4, sent.5, sent.6, sent.7,
    ]
    .into_iter()
    .map(|issued| issued.expect("issue"))
    .filter(|issued| *issued)
    .count();
    assert!(issued <= 3, "{issued} sent");
    // Refused requests did not count: the rest of the three are still there to be had.
    let mut n = 9;
    let mut total = issued;
    while store
        .issue_viewer_code(&viewer_code(1, 1, n, T0), &limits)
        .await
        .expect("issue")
    {
        total += 1;
        n += 1;
    }
    assert_eq!(total, 3);
}

async fn viewer_code_tries_are_counted_until_it_lapses(store: &dyn Store) {
    let code = viewer_code(1, 1, 1, T0);
    assert!(
        store
            .issue_viewer_code(&code, &viewer_code_limits(T0))
            .await
            .expect("issue")
    );
    let (link, browser) = (key(b'L', 1), key(b'B', 1));
    for attempt in 1..=3 {
        let claimed = store
            .claim_viewer_code_attempt(&link, &browser, T0 + 1, 3)
            .await
            .expect("claims")
            .expect("a try left");
        assert_eq!(claimed.attempts, attempt);
    }
    assert!(
        store
            .claim_viewer_code_attempt(&link, &browser, T0 + 1, 3)
            .await
            .expect("claims")
            .is_none(),
        "no fourth try"
    );

    assert!(
        store
            .issue_viewer_code(&viewer_code(1, 1, 2, T0 + 10), &viewer_code_limits(T0 + 10))
            .await
            .expect("issue")
    );
    assert!(
        store
            .claim_viewer_code_attempt(&link, &browser, T0 + 10 + 600, 3)
            .await
            .expect("claims")
            .is_none(),
        "lapsed at its expiry"
    );
}

async fn a_viewer_code_is_consumed_once(store: &dyn Store) {
    let code = viewer_code(1, 1, 1, T0);
    assert!(
        store
            .issue_viewer_code(&code, &viewer_code_limits(T0))
            .await
            .expect("issue")
    );
    let other = key(b'C', 9);
    let consume =
        |code_hash| store.consume_viewer_code(&code.link_hash, &code.device_hash, code_hash);
    assert!(!consume(&other).await.expect("consumes"), "another code");
    assert!(consume(&code.code_hash).await.expect("consumes"));
    assert!(
        !consume(&code.code_hash).await.expect("consumes"),
        "only once"
    );
}

async fn viewer_session_round_trip(store: &dyn Store) {
    let session = ViewerSessionRecord {
        token_hash: key(b'S', 1),
        link_hash: key(b'L', 1),
        created_at: T0,
        last_used_at: T0,
    };
    store.insert_viewer_session(&session).await.expect("insert");
    store
        .touch_viewer_session(&session.token_hash, T0 + 60)
        .await
        .expect("touch");
    assert_eq!(
        store
            .find_viewer_session(&session.token_hash)
            .await
            .expect("reads"),
        Some(ViewerSessionRecord {
            last_used_at: T0 + 60,
            ..session
        })
    );
    assert!(
        store
            .find_viewer_session(&key(b'S', 2))
            .await
            .expect("reads")
            .is_none()
    );
}

async fn replies_and_forwards_are_counted_up_to_their_limit(store: &dyn Store) {
    stored_viewer_message(store, "m1", 1, &[1, 2]).await;
    let link = key(b'L', 1);
    let replies = tokio::join!(
        store.count_reply(&link, 2),
        store.count_reply(&link, 2),
        store.count_reply(&link, 2)
    );
    let counted = [replies.0, replies.1, replies.2]
        .into_iter()
        .filter(|counted| *counted.as_ref().expect("counts"))
        .count();
    assert_eq!(counted, 2, "two replies, also when they race");
    assert!(
        store.count_reply(&key(b'L', 2), 2).await.expect("counts"),
        "per recipient"
    );

    assert!(store.count_forward("m1", 2).await.expect("counts"));
    assert!(store.count_forward("m1", 2).await.expect("counts"));
    assert!(
        !store.count_forward("m1", 2).await.expect("counts"),
        "per message"
    );

    assert_eq!(store.count_forward_failure(&link).await.expect("counts"), 1);
    assert_eq!(store.count_forward_failure(&link).await.expect("counts"), 2);
    let view = store
        .find_recipient(&link)
        .await
        .expect("reads")
        .expect("known");
    assert_eq!(
        (view.replies, view.forward_failures, view.message.forwards),
        (2, 2, 2)
    );
}

async fn withdrawal_deletes_content_once(store: &dyn Store) {
    stored_viewer_message(store, "m1", 1, &[1]).await;
    assert!(
        store
            .withdraw_message("m1", T0 + 5)
            .await
            .expect("withdraws")
    );
    assert!(
        !store
            .withdraw_message("m1", T0 + 6)
            .await
            .expect("withdraws"),
        "once"
    );

    assert_eq!(store.message_content("m1").await.expect("reads"), None);
    assert_eq!(store.message_summary("m1").await.expect("reads"), None);
    let state = store
        .find_message_by_reference("SS-m1")
        .await
        .expect("reads")
        .expect("the record stays");
    assert_eq!(state.withdrawn_at, Some(T0 + 5));
    assert!(!state.readable(T0 + 7));
}

async fn the_sweep_clears_expired_messages_in_batches(store: &dyn Store) {
    let expiry = viewer_message("m1", 1).expires_at;
    for (id, n) in [("m1", 1), ("m2", 2), ("m3", 3)] {
        stored_viewer_message(store, id, n, &[n]).await;
    }
    let fresh = ViewerMessageRecord {
        expires_at: expiry + 86_400,
        ..viewer_message("m4", 4)
    };
    store
        .insert_dispatch(&dispatch(4, 1))
        .await
        .expect("insert");
    store
        .insert_viewer_message(&fresh, &[viewer_recipient(4, 0)])
        .await
        .expect("stored");
    let idle = ViewerSessionRecord {
        token_hash: key(b'S', 1),
        link_hash: key(b'L', 1),
        created_at: T0,
        last_used_at: T0,
    };
    store.insert_viewer_session(&idle).await.expect("insert");
    let active = ViewerSessionRecord {
        token_hash: key(b'S', 2),
        last_used_at: expiry,
        ..idle.clone()
    };
    store.insert_viewer_session(&active).await.expect("insert");

    let sweep = |batch| store.sweep_viewer(expiry, expiry - 1800, batch);
    let first = sweep(2).await.expect("sweeps");
    let second = sweep(2).await.expect("sweeps");
    let third = sweep(2).await.expect("sweeps");
    let mut cleared: Vec<_> = first.iter().chain(&second).map(|m| m.id.as_str()).collect();
    cleared.sort_unstable();
    assert_eq!((first.len(), second.len(), third.len()), (2, 1, 0));
    assert_eq!(cleared, ["m1", "m2", "m3"]);
    assert!(first.iter().all(|m| m.deleted_at == Some(expiry)));

    assert_eq!(store.message_content("m1").await.expect("reads"), None);
    assert!(
        store.message_content("m4").await.expect("reads").is_some(),
        "m4 is kept"
    );
    assert!(
        store
            .find_viewer_session(&idle.token_hash)
            .await
            .expect("reads")
            .is_none()
    );
    assert!(
        store
            .find_viewer_session(&active.token_hash)
            .await
            .expect("reads")
            .is_some()
    );
}

// ---- The data key ring ---------------------------------------------------------------------

async fn the_index_key_is_stored_once(store: &dyn Store) {
    assert_eq!(store.index_key().await.expect("reads"), None);
    let first = ("0a1b2c3d".to_owned(), sealed("index key", 1));
    assert_eq!(
        store
            .init_index_key(&first.0, &first.1)
            .await
            .expect("stores"),
        first
    );
    assert_eq!(
        store
            .init_index_key("99999999", &sealed("index key", 2))
            .await
            .expect("reads"),
        first,
        "an instance starting at the same moment finds the first"
    );
    assert_eq!(store.index_key().await.expect("reads"), Some(first));
}

/// A column's values, read `limit` at a time.
async fn walk(store: &dyn Store, column: SealedColumn, limit: i64) -> Vec<SealedValue> {
    let mut all: Vec<SealedValue> = Vec::new();
    loop {
        let batch = store
            .sealed_values(column, all.last().map(|value| &value.row), limit)
            .await
            .expect("reads");
        let done = batch.len() < limit as usize;
        all.extend(batch);
        if done {
            return all;
        }
    }
}

/// Values in every sealed column, stored out of row order.
async fn store_a_value_in_every_sealed_column(store: &dyn Store) {
    store
        .init_index_key("0a1b2c3d", &sealed("index key", 1))
        .await
        .expect("stores");
    for n in [3, 1, 2] {
        store.insert_session(&session(n, 1)).await.expect("insert");
    }
    for (owner, to) in [(2, 1), (1, 2), (1, 1)] {
        store
            .put_pairing(&mailbox(owner), &recipient(to), &sealed("phone", to), T0)
            .await
            .expect("stored");
    }
    stored_viewer_message(store, "m1", 1, &[2, 1]).await;
}

async fn sealed_values_are_read_in_row_order_in_batches(store: &dyn Store) {
    store_a_value_in_every_sealed_column(store).await;
    let read = |values: Vec<SealedValue>| -> Vec<(SealedRow, Vec<u8>)> {
        values
            .into_iter()
            .map(|value| (value.row, value.sealed))
            .collect()
    };

    assert_eq!(
        read(walk(store, SealedColumn::IndexKey, 2).await),
        [(
            SealedRow::IndexKey {
                key_id: "0a1b2c3d".into()
            },
            sealed("index key", 1)
        )]
    );
    assert_eq!(
        read(walk(store, SealedColumn::Sessions, 2).await),
        [1, 2, 3].map(|n| (
            SealedRow::Session {
                token_hash: token(n)
            },
            sealed("mailbox", 1)
        ))
    );
    assert_eq!(
        read(walk(store, SealedColumn::Pairings, 2).await),
        [(1, 1), (1, 2), (2, 1)].map(|(owner, to)| (
            SealedRow::Pairing {
                owner_hash: mailbox(owner),
                recipient_hash: recipient(to)
            },
            sealed("phone", to)
        ))
    );
    assert_eq!(
        read(walk(store, SealedColumn::Dispatches, 1).await),
        [(
            SealedRow::Dispatch {
                token_id: "jti-1".into()
            },
            sealed("dispatch", 1)
        )]
    );
    assert_eq!(
        read(walk(store, SealedColumn::ViewerRecipients, 1).await),
        [1, 2].map(|n| (
            SealedRow::ViewerRecipient {
                link_hash: key(b'L', n)
            },
            sealed("recipient", n)
        ))
    );
    assert_eq!(
        read(walk(store, SealedColumn::ViewerKeys, 5).await),
        [(
            SealedRow::ViewerKey {
                message_id: "m1".into()
            },
            sealed("key", 1)
        )]
    );
}

async fn reseal_replaces_only_values_still_as_read(store: &dyn Store) {
    store_a_value_in_every_sealed_column(store).await;
    let mut read = Vec::new();
    for column in SealedColumn::ALL {
        read.extend(walk(store, column, 100).await);
    }
    let resealed: Vec<(SealedValue, Vec<u8>)> = read
        .iter()
        .map(|value| (value.clone(), [b"new ", value.sealed.as_slice()].concat()))
        .collect();
    // Meanwhile a server saves another number for one pairing, and a session ends.
    let saved_meanwhile = SealedRow::Pairing {
        owner_hash: mailbox(1),
        recipient_hash: recipient(1),
    };
    store
        .put_pairing(&mailbox(1), &recipient(1), b"saved meanwhile", T0 + 1)
        .await
        .expect("stored");
    store.delete_session(&token(2)).await.expect("deleted");

    let replaced = store.reseal(&resealed).await.expect("reseals");

    assert_eq!(replaced, read.len() as u64 - 2);
    let mut now = Vec::new();
    for column in SealedColumn::ALL {
        now.extend(walk(store, column, 100).await);
    }
    assert_eq!(now.len(), read.len() - 1, "nothing comes back");
    for value in now {
        if value.row == saved_meanwhile {
            assert_eq!(value.sealed, b"saved meanwhile", "the server's value stays");
        } else {
            assert!(value.sealed.starts_with(b"new "), "{:?}", value.row);
        }
    }
    assert_eq!(
        store.reseal(&resealed).await.expect("reseals"),
        0,
        "values already replaced are not replaced again"
    );
}

// ---- The suite, run against each backend ---------------------------------------------------

macro_rules! suite {
    ($($case:ident),+ $(,)?) => {
        mod sqlite_in_memory {
            $(
                #[tokio::test]
                async fn $case() {
                    let store = super::SqliteStore::in_memory().await.expect("in memory");
                    super::$case(&store).await;
                }
            )+
        }

        mod sqlite_file {
            $(
                #[tokio::test]
                async fn $case() {
                    let dir = tempfile::tempdir().expect("a temporary directory");
                    let path = dir.path().join("store.db");
                    let store = super::SqliteStore::open(&path).await.expect("the file opens");
                    super::$case(&store).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    super::with_database(|url| async move {
                        let store = super::PostgresStore::connect(&url).await.expect("connects");
                        super::$case(&store).await;
                    })
                    .await;
                }
            )+
        }
    };
}

suite!(
    ping,
    session_round_trip,
    session_token_is_unique,
    session_touch_moves_forward_only,
    session_delete,
    sessions_of_one_mailbox_end_together,
    pairing_put_and_overwrite,
    pairings_listed_for_the_asked_recipients,
    pairings_listed_for_many_recipients,
    pairing_delete,
    owners_never_see_each_others_pairings,
    settings_put_and_overwrite,
    audit_records_are_chained,
    concurrent_appends_keep_one_chain,
    audit_retention_moves_the_anchor,
    directory_snapshot_save_and_overwrite,
    sign_in_code_is_claimed_with_each_try_counted,
    sign_in_code_lapses_at_its_expiry,
    a_devices_new_code_replaces_its_old_one_and_no_other,
    sign_in_code_is_consumed_once,
    concurrent_tries_never_exceed_the_limit,
    a_mailboxs_pending_codes_are_voided_together,
    known_devices_are_remembered_and_forgotten,
    a_rate_limit_counts_its_window,
    a_refused_take_counts_in_no_bucket,
    recorded_events_count_against_a_limit,
    concurrent_takes_never_exceed_the_limit,
    old_sign_in_rows_are_pruned,
    dispatch_round_trip,
    dispatch_is_claimed_by_one_message_at_a_time,
    concurrent_claims_let_one_through,
    handovers_are_noted_once,
    viewer_message_is_stored_once_per_dispatch,
    viewer_recipient_is_found_with_its_message,
    a_browsers_new_code_replaces_its_old_one,
    viewer_codes_sent_are_limited_per_browser_and_per_link,
    concurrent_viewer_code_requests_never_exceed_the_limit,
    viewer_code_tries_are_counted_until_it_lapses,
    a_viewer_code_is_consumed_once,
    viewer_session_round_trip,
    replies_and_forwards_are_counted_up_to_their_limit,
    withdrawal_deletes_content_once,
    the_sweep_clears_expired_messages_in_batches,
    the_index_key_is_stored_once,
    sealed_values_are_read_in_row_order_in_batches,
    reseal_replaces_only_values_still_as_read,
);

// ---- PostgreSQL test databases ------------------------------------------------------------

/// One line that says how to get the PostgreSQL these tests need.
fn no_postgres(url: &str, error: &sqlx::Error) -> String {
    let server = url.rsplit('@').next().unwrap_or(url);
    format!(
        "no PostgreSQL at {server} ({error}): run `./dev test`, which starts it, \
         or set SENDSECURE_TEST_POSTGRES_URL"
    )
}

fn postgres_admin_url() -> String {
    std::env::var("SENDSECURE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Runs `test` with the URL of a new database of its own, then drops that database, also when
/// the test fails.
async fn with_database<F, Fut>(test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let admin_url = postgres_admin_url();
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|error| panic!("{}", no_postgres(&admin_url, &error)));
    let name = format!(
        "sendsecure_store_{:016x}",
        RandomState::new().hash_one(std::process::id())
    );
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("the test database is created");
    let url = PgConnectOptions::from_str(&admin_url)
        .expect("a valid PostgreSQL URL")
        .database(&name)
        .to_url_lossy()
        .to_string();

    // A task of its own turns a failed assertion into an error here, so the database is
    // dropped before the failure is passed on.
    let outcome = tokio::spawn(test(url)).await;

    // FORCE ends the connections the test's pool may still hold.
    admin
        .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
        .await
        .expect("the test database is dropped");
    admin.close().await.expect("the admin connection closes");
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

// ---- Migrations and configuration ---------------------------------------------------------

#[tokio::test]
async fn embedded_migrations_match_the_migration_files() {
    let backends = [
        (
            "sqlite",
            super::migrations::migrator(super::migrations::SQLITE)
                .await
                .expect("embedded"),
        ),
        (
            "postgres",
            super::migrations::migrator(super::migrations::POSTGRES)
                .await
                .expect("embedded"),
        ),
    ];
    for (backend, embedded) in backends {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let files = Migrator::new(dir).await.expect("the migration files read");
        let identity = |m: &Migrator| {
            m.iter()
                .map(|one| (one.version, one.description.clone(), one.checksum.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            identity(&embedded),
            identity(&files),
            "{backend}: a migration file is not embedded"
        );
    }
}

/// A Viewer message as migration 4 stored it, content and key in its own row: each statement
/// with the blobs it binds.
fn viewer_message_before_migration_5() -> [(&'static str, Vec<Vec<u8>>); 2] {
    [
        (
            "INSERT INTO dispatches (token_id, owner_hash, sealed, issued_at) \
             VALUES ('jti-1', $1, $2, 1760000000)",
            vec![mailbox(1).to_vec(), sealed("dispatch", 1)],
        ),
        (
            "INSERT INTO viewer_messages (id, token_id, owner_hash, reference, withdraw_hash, \
             sealed_key, content, created_at, expires_at) \
             VALUES ('m1', 'jti-1', $1, 'SS-m1', $2, $3, $4, 1760000000, 1767776000)",
            vec![
                mailbox(1).to_vec(),
                key(b'W', 1).to_vec(),
                sealed("key", 1),
                sealed("content", 1),
            ],
        ),
    ]
}

#[tokio::test]
async fn migration_5_moves_viewer_content_to_its_own_table_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("opens");
    super::migrations::migrator(&super::migrations::SQLITE[..4])
        .await
        .expect("embedded")
        .run(&pool)
        .await
        .expect("migrates to 4");
    for (sql, blobs) in viewer_message_before_migration_5() {
        let query = blobs
            .into_iter()
            .fold(sqlx::query(sql), |q, blob| q.bind(blob));
        query.execute(&pool).await.expect("a version-4 row");
    }
    pool.close().await;

    let store = SqliteStore::open(&path).await.expect("migrates to 5");
    assert_content_moved(&store).await;
}

#[tokio::test]
async fn migration_5_moves_viewer_content_to_its_own_table_on_postgres() {
    with_database(|url| async move {
        let pool = sqlx::PgPool::connect(&url).await.expect("connects");
        super::migrations::migrator(&super::migrations::POSTGRES[..4])
            .await
            .expect("embedded")
            .run(&pool)
            .await
            .expect("migrates to 4");
        for (sql, blobs) in viewer_message_before_migration_5() {
            let query = blobs
                .into_iter()
                .fold(sqlx::query(sql), |q, blob| q.bind(blob));
            query.execute(&pool).await.expect("a version-4 row");
        }
        pool.close().await;

        let store = PostgresStore::connect(&url).await.expect("migrates to 5");
        assert_content_moved(&store).await;
    })
    .await;
}

async fn assert_content_moved(store: &dyn Store) {
    assert_eq!(
        store.message_content("m1").await.expect("reads"),
        Some((sealed("key", 1), sealed("content", 1)))
    );
    assert_eq!(
        store.message_summary("m1").await.expect("reads"),
        Some((sealed("key", 1), None)),
        "no summary: its page parses the message"
    );
    let state = store
        .find_message_by_reference("SS-m1")
        .await
        .expect("reads")
        .expect("the message is there");
    assert!(state.readable(T0));
    assert!(store.withdraw_message("m1", T0).await.expect("withdraws"));
    assert_eq!(store.message_content("m1").await.expect("reads"), None);
}

#[tokio::test]
async fn sqlite_file_reopens_with_its_data() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("store.db");
    let first = SqliteStore::open(&path).await.expect("the new file opens");
    first.insert_session(&session(1, 1)).await.expect("insert");

    // Migrating again finds the schema up to date and leaves the data alone.
    let second = SqliteStore::open(&path)
        .await
        .expect("the file opens again");

    assert_eq!(
        second.find_session(&token(1)).await.expect("find"),
        Some(session(1, 1))
    );
}

#[tokio::test]
async fn sqlite_file_is_configured_for_one_writer_many_readers() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(&dir.path().join("store.db"))
        .await
        .expect("the file opens");
    let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(journal_mode, "wal");
    // Set on each connection as the pool opens it; `synchronous` 1 is NORMAL.
    for (pragma, expected) in [
        ("busy_timeout", 5000),
        ("foreign_keys", 1),
        ("synchronous", 1),
    ] {
        let value: i64 = sqlx::query_scalar(&format!("PRAGMA {pragma}"))
            .fetch_one(store.pool())
            .await
            .expect("pragma");
        assert_eq!(value, expected, "PRAGMA {pragma}");
    }
}

#[tokio::test]
async fn postgres_servers_starting_together_migrate_once() {
    with_database(|url| async move {
        let (first, second) =
            tokio::join!(PostgresStore::connect(&url), PostgresStore::connect(&url));
        let (first, second) = (first.expect("first server"), second.expect("second server"));
        first.insert_session(&session(1, 1)).await.expect("insert");

        let third = PostgresStore::connect(&url)
            .await
            .expect("a later server finds the schema up to date");

        assert_eq!(
            second.find_session(&token(1)).await.expect("find"),
            Some(session(1, 1))
        );
        assert_eq!(
            third.find_session(&token(1)).await.expect("find"),
            Some(session(1, 1))
        );
    })
    .await;
}

#[tokio::test]
async fn debug_names_the_database_and_nothing_else() {
    let store = SqliteStore::in_memory()
        .await
        .expect("an in-memory database opens");
    assert_eq!(
        format!("{store:?}"),
        r#"SqliteStore { path: ":memory:", .. }"#
    );

    with_database(|url| async move {
        let options = PgConnectOptions::from_str(&url).expect("a valid PostgreSQL URL");
        let server = format!(
            "{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options
                .get_database()
                .expect("the test URL names its database")
        );
        let store = PostgresStore::connect(&url)
            .await
            .expect("the test database connects");

        // Only host, port and database: never the user or a password from the URL.
        assert_eq!(
            format!("{store:?}"),
            format!(r#"PostgresStore {{ server: "{server}", .. }}"#)
        );
    })
    .await;
}
