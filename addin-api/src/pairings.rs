//! Saved phone numbers (SPEC §6): per signed-in user, recipient address → mobile number.
//!
//! The store sees only keyed hashes and sealed numbers. The row's two lookup keys are the
//! sealing context, so a number copied into another user's or another recipient's row does
//! not open.

use std::{collections::HashMap, sync::Arc};

use addin_core::{address::Address, phone::Phone};

use crate::{
    Error,
    clock::Clock,
    store::{Digest, Store},
    vault::{Purpose, Vault},
};

#[derive(Debug)]
pub struct Pairings {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
}

impl Pairings {
    pub fn new(store: Arc<dyn Store>, vault: Arc<Vault>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            vault,
            clock,
        }
    }

    /// The owner's saved number for a recipient, in E.164.
    pub async fn get(&self, owner: &Digest, recipient: &Address) -> Result<Option<String>, Error> {
        let key = self.recipient_key(recipient);
        match self.store.get_pairing(owner, &key).await? {
            Some(sealed) => Ok(Some(self.open(owner, &key, &sealed)?)),
            None => Ok(None),
        }
    }

    /// Saved numbers for several recipients at once, by normalised address.
    pub async fn get_many(
        &self,
        owner: &Digest,
        recipients: &[Address],
    ) -> Result<HashMap<Address, String>, Error> {
        let by_key: HashMap<Digest, &Address> = recipients
            .iter()
            .map(|a| (self.recipient_key(a), a))
            .collect();
        let keys: Vec<Digest> = by_key.keys().copied().collect();
        let mut found = HashMap::new();
        for (key, sealed) in self.store.get_pairings(owner, &keys).await? {
            if let Some(address) = by_key.get(&key) {
                found.insert((*address).clone(), self.open(owner, &key, &sealed)?);
            }
        }
        Ok(found)
    }

    /// Saves (or replaces) a number; refuses one an SMS cannot reach. Returns it in E.164.
    pub async fn put(
        &self,
        owner: &Digest,
        recipient: &Address,
        typed: &str,
    ) -> Result<String, Error> {
        let phone = Phone::parse(typed).map_err(|_| Error::Unprocessable {
            code: "phone-invalid",
            message: "not a valid mobile phone number".into(),
        })?;
        let key = self.recipient_key(recipient);
        let sealed = self
            .vault
            .seal(phone.e164().as_bytes(), &context(owner, &key));
        self.store
            .put_pairing(owner, &key, &sealed, self.clock.unix_now())
            .await?;
        Ok(phone.into_e164())
    }

    /// Returns whether there was one.
    pub async fn delete(&self, owner: &Digest, recipient: &Address) -> Result<bool, Error> {
        Ok(self
            .store
            .delete_pairing(owner, &self.recipient_key(recipient))
            .await?)
    }

    fn recipient_key(&self, recipient: &Address) -> Digest {
        self.vault.lookup(Purpose::Recipient, recipient.as_str())
    }

    fn open(&self, owner: &Digest, key: &Digest, sealed: &[u8]) -> Result<String, Error> {
        self.vault
            .open(sealed, &context(owner, key))
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| Error::internal("a saved phone number does not open with the data key"))
    }
}

/// A saved number opens only in its own row: the owner's and the recipient's lookup keys.
pub(crate) fn context(owner: &Digest, recipient: &Digest) -> [u8; 64] {
    let mut context = [0u8; 64];
    context[..32].copy_from_slice(owner);
    context[32..].copy_from_slice(recipient);
    context
}
