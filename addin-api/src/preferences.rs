//! The user's panel settings (SPEC §9): language and send delay, kept per mailbox.

use std::sync::Arc;

use addin_core::api::{Language, SendDelay, Settings};

use crate::{
    Error,
    clock::Clock,
    store::{Digest, SettingsRecord, Store},
};

#[derive(Debug)]
pub struct Preferences {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Preferences {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// The saved settings, or the defaults (Outlook's language, send immediately).
    pub async fn get(&self, owner: &Digest) -> Result<Settings, Error> {
        let Some(record) = self.store.get_settings(owner).await? else {
            return Ok(Settings::default());
        };
        let language = match record.language.as_deref() {
            None => None,
            Some(code) => Some(
                Language::from_code(code)
                    .ok_or_else(|| Error::internal("stored settings hold an unknown language"))?,
            ),
        };
        let send_delay_seconds = u8::try_from(record.send_delay_seconds)
            .ok()
            .and_then(|seconds| SendDelay::try_from(seconds).ok())
            .ok_or_else(|| Error::internal("stored settings hold an unknown send delay"))?;
        Ok(Settings {
            language,
            send_delay_seconds,
        })
    }

    pub async fn put(&self, owner: &Digest, settings: Settings) -> Result<(), Error> {
        let record = SettingsRecord {
            language: settings.language.map(|l| l.code().to_owned()),
            send_delay_seconds: settings.send_delay_seconds.seconds().into(),
        };
        Ok(self
            .store
            .put_settings(owner, &record, self.clock.unix_now())
            .await?)
    }
}
