//! Rotating the ring (`sendsecure keys rotate`), and counting what each key holds
//! (`sendsecure keys status`).
//!
//! Rotation opens every sealed value in the database that is not sealed with the newest key
//! and seals it again with that key, in place: in batches in row order, each written back in
//! one transaction and only where the row still holds the value read, so a row a server
//! changed meanwhile keeps what the server wrote. Running it again finds nothing to do.
//! Afterwards no value needs the older keys, and they can leave the ring.
//!
//! The index key is re-sealed like any value, but stays the same key: the keyed hashes could
//! only be made again from the addresses in clear, which the database deliberately does not
//! hold.

use std::{collections::BTreeMap, fmt};

use super::{KeyId, Ring, Vault, index_key_context};
use crate::{
    Error, dispatch, pairings,
    store::{SealedColumn, SealedRow, SealedValue, Store},
    viewer::intake,
};

/// Values read, and written back in one transaction, at a time.
const BATCH: i64 = 500;
/// Values per column that tell which key a database's first index key comes from.
const SAMPLE: i64 = 20;

/// The sealing context of the value in `row`, as the code that sealed it made it.
fn context(row: &SealedRow) -> Vec<u8> {
    match row {
        SealedRow::IndexKey { key_id } => index_key_context(key_id),
        // `Sessions::issue` and `Intake::store` seal with the row's hash itself.
        SealedRow::Session { token_hash: hash }
        | SealedRow::ViewerRecipient { link_hash: hash } => hash.to_vec(),
        SealedRow::Pairing {
            owner_hash,
            recipient_hash,
        } => pairings::context(owner_hash, recipient_hash).to_vec(),
        SealedRow::Dispatch { token_id } => dispatch::context(token_id),
        SealedRow::ViewerKey { message_id } => intake::key_context(message_id),
    }
}

/// A column's values, a batch at a time, in row order.
struct Walk<'s> {
    store: &'s dyn Store,
    column: SealedColumn,
    after: Option<SealedRow>,
    done: bool,
}

impl<'s> Walk<'s> {
    fn new(store: &'s dyn Store, column: SealedColumn) -> Self {
        Self {
            store,
            column,
            after: None,
            done: false,
        }
    }

    async fn next(&mut self) -> Result<Option<Vec<SealedValue>>, Error> {
        if self.done {
            return Ok(None);
        }
        let batch = self
            .store
            .sealed_values(self.column, self.after.as_ref(), BATCH)
            .await?;
        self.done = batch.len() < BATCH as usize;
        self.after = batch.last().map(|value| value.row.clone());
        Ok((!batch.is_empty()).then_some(batch))
    }
}

/// What rotating one column did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rotated {
    pub column: SealedColumn,
    /// The newest key, which the column's values are sealed with now.
    pub key: KeyId,
    /// Opened with an older key (or sealed before key ids) and sealed again with the newest.
    pub resealed: u64,
    /// Already sealed with the newest key.
    pub current: u64,
    /// Changed or deleted by a server while this ran: left as the server wrote them.
    pub changed: u64,
    /// Open with no key of the ring: left as they are.
    pub unopened: u64,
}

/// Seals every value not sealed with the newest key again with it.
pub async fn rotate(vault: &Vault, store: &dyn Store) -> Result<Vec<Rotated>, Error> {
    let newest = vault.ring.newest.id;
    let mut report = Vec::new();
    for column in SealedColumn::ALL {
        let mut rotated = Rotated {
            column,
            key: newest,
            resealed: 0,
            current: 0,
            changed: 0,
            unopened: 0,
        };
        let mut walk = Walk::new(store, column);
        while let Some(batch) = walk.next().await? {
            let mut resealed = Vec::new();
            for value in batch {
                let context = context(&value.row);
                match vault.ring.open(&value.sealed, &context) {
                    None => rotated.unopened += 1,
                    Some(opened) if opened.key == newest && !opened.legacy => rotated.current += 1,
                    Some(opened) => {
                        let sealed = vault.ring.seal(&opened.plaintext, &context);
                        resealed.push((value, sealed));
                    }
                }
            }
            if !resealed.is_empty() {
                let replaced = store.reseal(&resealed).await?;
                rotated.resealed += replaced;
                rotated.changed += (resealed.len() as u64).saturating_sub(replaced);
            }
        }
        report.push(rotated);
    }
    Ok(report)
}

impl fmt::Display for Rotated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<17}  {} re-sealed with {}, {} already were",
            self.column.name(),
            self.resealed,
            self.key,
            self.current
        )?;
        if self.changed > 0 {
            write!(
                f,
                "; {} changed by a server meanwhile (run it again)",
                self.changed
            )?;
        }
        if self.unopened > 0 {
            write!(
                f,
                "; {} open with no key of the ring (left as they are)",
                self.unopened
            )?;
        }
        Ok(())
    }
}

/// Which key holds how many of the database's sealed values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyStatus {
    /// The ring's keys, newest first, each with the values it opens.
    pub ring: Vec<(KeyId, u64)>,
    /// Values no key of the ring opens, by the key id they name (`None`: sealed before key
    /// ids).
    pub unopened: BTreeMap<Option<KeyId>, u64>,
    /// The key of every keyed hash.
    pub index_key: KeyId,
}

pub async fn status(vault: &Vault, store: &dyn Store) -> Result<KeyStatus, Error> {
    let mut held: BTreeMap<KeyId, u64> = BTreeMap::new();
    let mut unopened = BTreeMap::new();
    for column in SealedColumn::ALL {
        let mut walk = Walk::new(store, column);
        while let Some(batch) = walk.next().await? {
            for value in batch {
                match vault.ring.open(&value.sealed, &context(&value.row)) {
                    Some(opened) => *held.entry(opened.key).or_default() += 1,
                    None => *unopened.entry(KeyId::of_sealed(&value.sealed)).or_default() += 1,
                }
            }
        }
    }
    Ok(KeyStatus {
        ring: vault
            .key_ids()
            .into_iter()
            .map(|id| (id, held.get(&id).copied().unwrap_or(0)))
            .collect(),
        unopened,
        index_key: vault.index.id,
    })
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "KEY ID    VALUES")?;
        for (position, (id, values)) in self.ring.iter().enumerate() {
            let note = match (position, values) {
                (0, _) => "newest: seals every new value",
                (_, 0) => "no value needs it: it can leave the ring",
                _ => "still needed: run `sendsecure keys rotate` before it leaves the ring",
            };
            writeln!(f, "{id}  {values:>6}  {note}")?;
        }
        for (id, values) in &self.unopened {
            let id = id.map_or_else(|| "-".repeat(8), |id| id.to_string());
            writeln!(f, "{id}  {values:>6}  open with no key of the ring")?;
        }
        write!(
            f,
            "keyed hashes: index key {}, kept in the database sealed with the ring",
            self.index_key
        )
    }
}

/// The index key a database gets on its first start: the lookup key that its data key derived
/// before index keys were stored, so that the hashes made then stay valid. That data key is
/// the oldest of the ring that opens some of its sealed values (they were sealed with the same
/// key); with none stored yet, the oldest of the ring.
pub(super) async fn hashes_made_with(ring: &Ring, store: &dyn Store) -> Result<[u8; 32], Error> {
    let mut sample = Vec::new();
    for column in SealedColumn::ALL {
        sample.extend(store.sealed_values(column, None, SAMPLE).await?);
    }
    let mut oldest_first = ring.keys().rev();
    if sample.is_empty() {
        return Ok(oldest_first
            .next()
            .unwrap_or(&ring.newest)
            .derived_index_key);
    }
    oldest_first
        .find(|key| {
            sample
                .iter()
                .any(|value| key.open(&value.sealed, &context(&value.row)).is_some())
        })
        .map(|key| key.derived_index_key)
        .ok_or_else(|| Error::InvalidConfig {
            key: "the data key ring",
            problem: "holds no key that opens the database's sealed values: give the data key \
                      the server used until now"
                .into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        store::{SqliteStore, Store},
        vault::Purpose,
    };

    #[tokio::test]
    async fn rotation_reseals_with_the_newest_key_once() {
        let store = SqliteStore::in_memory().await.expect("a store");
        let (a, b) = ([1; 32], [2; 32]);
        let old = Vault::load(&[a], &store).await.expect("loads");
        let owner = old.lookup(Purpose::Mailbox, "a@b.nl");
        let recipient = old.lookup(Purpose::Recipient, "p@example.com");
        let sealed = old.seal(b"+31612345678", &pairings::context(&owner, &recipient));
        store
            .put_pairing(&owner, &recipient, &sealed, 1)
            .await
            .expect("stored");

        let rotated_vault = Vault::load(&[b, a], &store).await.expect("loads");
        let before = status(&rotated_vault, &store).await.expect("counts");
        assert_eq!(before.ring, [(KeyId::of(&b), 0), (KeyId::of(&a), 2)]);

        let report = rotate(&rotated_vault, &store).await.expect("rotates");
        let resealed: Vec<(&str, u64)> = report
            .iter()
            .map(|rotated| (rotated.column.name(), rotated.resealed))
            .collect();
        assert_eq!(resealed[0], ("index key", 1));
        assert_eq!(resealed[2], ("pairings", 1));
        let again = rotate(&rotated_vault, &store).await.expect("rotates");
        assert!(again.iter().all(|rotated| rotated.resealed == 0));
        assert_eq!(again[2].current, 1);

        let after = status(&rotated_vault, &store).await.expect("counts");
        assert_eq!(after.ring, [(KeyId::of(&b), 2), (KeyId::of(&a), 0)]);
        let only_b = Vault::load(&[b], &store).await.expect("A dropped");
        assert_eq!(only_b.index_key_id(), old.index_key_id());
        let sealed = store
            .get_pairing(&owner, &recipient)
            .await
            .expect("reads")
            .expect("there");
        assert_eq!(
            only_b.open(&sealed, &pairings::context(&owner, &recipient)),
            Some(b"+31612345678".to_vec())
        );
    }
}
