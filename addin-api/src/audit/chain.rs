//! The audit trail's hash chain. Each record's link is a keyed hash (the vault's lookup key,
//! which key rotation keeps) over its place in the chain, the link before it and its fields.
//! Editing a record breaks its link; deleting one leaves a gap in the places; deleting the
//! newest leaves the chain short of its head. Without the key, none of that can be papered
//! over by recomputing links. Retention deletes the oldest records and keeps the last one's
//! place and link as the anchor verification starts from.

use std::fmt;

use crate::{
    Error,
    store::{AuditLinker, AuditRecord, Digest, Store},
    vault::{Purpose, Vault},
};

/// Records read per query while verifying or exporting.
pub(super) const PAGE: i64 = 1_000;

/// Links records with the vault's keyed hash.
#[derive(Debug)]
pub struct Linker<'v> {
    vault: &'v Vault,
}

impl<'v> Linker<'v> {
    pub fn new(vault: &'v Vault) -> Self {
        Self { vault }
    }
}

impl AuditLinker for Linker<'_> {
    fn link(&self, seq: i64, prev_hash: &Digest, record: &AuditRecord) -> Digest {
        self.vault
            .lookup(Purpose::AuditChain, &canonical(seq, prev_hash, record))
    }
}

/// The linked fields as a JSON array: one unambiguous string for every record.
fn canonical(seq: i64, prev_hash: &Digest, record: &AuditRecord) -> String {
    let digest = |d: &Option<Digest>| d.map(hex::encode);
    serde_json::json!([
        seq,
        hex::encode(prev_hash),
        record.at,
        record.kind,
        digest(&record.mailbox_hash),
        digest(&record.sender_hash),
        digest(&record.device_hash),
        digest(&record.network_hash),
        record.token_id,
        record.recipient_count,
        record.routes,
        record.codes,
    ])
    .to_string()
}

/// What `sendsecure audit verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Chained records checked.
    pub records: u64,
    /// Records from before the chain (written by an older version): not verifiable.
    pub before_chain: u64,
    /// The places of the first and last chained record.
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// The last link: a SIEM that keeps it can later tell whether newer records were cut off.
    pub head_hash: Digest,
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The record at this place is not what was written.
    Altered { seq: i64 },
    /// The records at these places are gone.
    Missing { from: i64, to: i64 },
    /// The chain's head row does not match its last record.
    HeadMismatch,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Altered { seq } => write!(f, "record {seq} was altered"),
            Self::Missing { from, to } if from == to => {
                write!(f, "record {from} is missing (deleted)")
            }
            Self::Missing { from, to } => write!(f, "records {from}-{to} are missing (deleted)"),
            Self::HeadMismatch => f.write_str("the chain's head does not match its last record"),
        }
    }
}

/// Walks the whole chain from its anchor to its head.
pub async fn verify(store: &dyn Store, vault: &Vault) -> Result<Verification, Error> {
    let linker = Linker::new(vault);
    let ends = store.audit_chain_ends().await?;
    let mut expected = ends.anchor_seq + 1;
    let mut prev = ends.anchor_hash;
    let mut verification = Verification {
        records: 0,
        before_chain: 0,
        first: None,
        last: None,
        head_hash: ends.head_hash,
        problems: Vec::new(),
    };
    let mut after_id = 0;
    loop {
        let page = store.audit_page(after_id, i64::MIN, PAGE).await?;
        for (id, chained) in &page {
            after_id = *id;
            let Some(seq) = chained.seq else {
                verification.before_chain += 1;
                continue;
            };
            verification.records += 1;
            verification.first.get_or_insert(seq);
            verification.last = Some(seq);
            let gap = seq > expected;
            if gap {
                verification.problems.push(Problem::Missing {
                    from: expected,
                    to: seq - 1,
                });
            }
            // After a gap the link before is unknown: the record's own link still shows
            // whether it is the one written.
            let stated_prev = chained.prev_hash.unwrap_or_default();
            let linked = chained.hash == Some(linker.link(seq, &stated_prev, &chained.record));
            if !linked || seq < expected || (!gap && stated_prev != prev) {
                verification.problems.push(Problem::Altered { seq });
            }
            prev = chained.hash.unwrap_or_default();
            expected = expected.max(seq + 1);
        }
        if page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    if expected <= ends.head_seq {
        verification.problems.push(Problem::Missing {
            from: expected,
            to: ends.head_seq,
        });
    } else if expected - 1 == ends.head_seq
        && ends.head_seq > ends.anchor_seq
        && prev != ends.head_hash
    {
        verification.problems.push(Problem::HeadMismatch);
    }
    Ok(verification)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::{AuditStore, SqliteStore};

    const KEY: [u8; 32] = [7; 32];

    fn event(kind: &str, at: i64) -> AuditRecord {
        AuditRecord {
            at,
            kind: kind.into(),
            mailbox_hash: Some([1; 32]),
            device_hash: Some([2; 32]),
            ..AuditRecord::default()
        }
    }

    async fn chain_of(n: i64) -> (Arc<SqliteStore>, Vault) {
        let store = Arc::new(SqliteStore::in_memory().await.expect("a store"));
        let vault = Vault::new(&KEY);
        for at in 1..=n {
            store
                .append_audit(&event("sign-in-code-requested", at), &Linker::new(&vault))
                .await
                .expect("appends");
        }
        (store, vault)
    }

    async fn run(store: &SqliteStore, sql: &str) {
        sqlx::query(sql)
            .execute(store.pool())
            .await
            .expect("the SQL runs");
    }

    #[tokio::test]
    async fn an_untouched_chain_verifies() {
        let (store, vault) = chain_of(5).await;
        let verification = verify(store.as_ref(), &vault).await.expect("verifies");
        assert!(verification.intact(), "{:?}", verification.problems);
        assert_eq!(
            (verification.records, verification.first, verification.last),
            (5, Some(1), Some(5))
        );
    }

    #[tokio::test]
    async fn an_edited_record_is_named() {
        let (store, vault) = chain_of(5).await;
        run(
            &store,
            "UPDATE audit_log SET kind = 'sign-out' WHERE seq = 3",
        )
        .await;
        let problems = verify(store.as_ref(), &vault)
            .await
            .expect("verifies")
            .problems;
        assert_eq!(problems, [Problem::Altered { seq: 3 }]);
        assert_eq!(problems[0].to_string(), "record 3 was altered");
    }

    #[tokio::test]
    async fn a_deleted_record_is_named() {
        let (store, vault) = chain_of(5).await;
        run(&store, "DELETE FROM audit_log WHERE seq = 2").await;
        let problems = verify(store.as_ref(), &vault)
            .await
            .expect("verifies")
            .problems;
        assert_eq!(problems, [Problem::Missing { from: 2, to: 2 }]);
    }

    #[tokio::test]
    async fn deleting_the_newest_records_shows_against_the_head() {
        let (store, vault) = chain_of(5).await;
        run(&store, "DELETE FROM audit_log WHERE seq >= 4").await;
        let problems = verify(store.as_ref(), &vault)
            .await
            .expect("verifies")
            .problems;
        assert_eq!(problems, [Problem::Missing { from: 4, to: 5 }]);
    }

    #[tokio::test]
    async fn a_chain_relinked_without_the_key_does_not_verify() {
        let (store, vault) = chain_of(3).await;
        let forger = Vault::new(&[8; 32]);
        let forged = event("sign-out", 2);
        let chained = store.audit_page(0, i64::MIN, 10).await.expect("reads");
        let prev = chained[0].1.hash.expect("a link");
        let link = Linker::new(&forger).link(2, &prev, &forged);
        sqlx::query("UPDATE audit_log SET kind = 'sign-out', hash = $1 WHERE seq = 2")
            .bind(link.as_slice())
            .execute(store.pool())
            .await
            .expect("updates");
        let problems = verify(store.as_ref(), &vault)
            .await
            .expect("verifies")
            .problems;
        assert!(
            problems.contains(&Problem::Altered { seq: 2 }),
            "{problems:?}"
        );
    }

    #[tokio::test]
    async fn retention_keeps_the_rest_of_the_chain_verifiable() {
        let (store, vault) = chain_of(6).await;
        let pruned = store.prune_audit(4).await.expect("prunes");
        assert_eq!(pruned, 3);
        let verification = verify(store.as_ref(), &vault).await.expect("verifies");
        assert!(verification.intact(), "{:?}", verification.problems);
        assert_eq!((verification.first, verification.last), (Some(4), Some(6)));

        run(&store, "DELETE FROM audit_log WHERE seq = 4").await;
        let problems = verify(store.as_ref(), &vault)
            .await
            .expect("verifies")
            .problems;
        assert_eq!(problems, [Problem::Missing { from: 4, to: 4 }]);
    }
}
