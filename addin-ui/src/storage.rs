//! What the panel keeps in the browser: the storage contract with the send handler (README,
//! "Contract with the panel"; `launchevent.js` reads these keys and never writes them).
//!
//! | key | value |
//! |---|---|
//! | `sendsecure.device` | the device id: 32 hex digits from the CSPRNG, sent as `X-Device-Id` |
//! | `sendsecure.session.<mailbox>` | `{"token", "expires_at"}`, `<mailbox>` trimmed and lower-cased |
//! | `sendsecure.language` | `nl`/`en`/`de` when the user chose a language, absent otherwise |
//!
//! Where `localStorage` is refused (a locked-down browser), the values live in memory for
//! this page: the panel still works, the send handler then treats the user as signed out.

use std::{cell::RefCell, collections::HashMap};

use addin_core::api::{IssuedToken, Language};

use crate::{item::normalise, json};

const DEVICE: &str = "sendsecure.device";
const SESSION: &str = "sendsecure.session.";
const LANGUAGE: &str = "sendsecure.language";

thread_local! {
    static MEMORY: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn get(key: &str) -> Option<String> {
    match local() {
        Some(store) => store.get_item(key).ok().flatten(),
        None => MEMORY.with(|m| m.borrow().get(key).cloned()),
    }
}

fn put(key: &str, value: &str) {
    let stored = local().is_some_and(|store| store.set_item(key, value).is_ok());
    if !stored {
        MEMORY.with(|m| m.borrow_mut().insert(key.to_owned(), value.to_owned()));
    }
}

fn remove(key: &str) {
    if let Some(store) = local() {
        let _ = store.remove_item(key);
    }
    MEMORY.with(|m| m.borrow_mut().remove(key));
}

/// The device id: read, or made once from 16 random bytes.
pub fn device_id() -> String {
    if let Some(id) = get(DEVICE).filter(|id| valid_device_id(id)) {
        return id;
    }
    let mut bytes = [0u8; 16];
    let random = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !random {
        // No Web Crypto (never seen in Outlook's browsers): Math.random is still unique
        // enough for a device id, which is no secret.
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let id = hex(&bytes);
    put(DEVICE, &id);
    id
}

/// 16–128 characters of `A-Z a-z 0-9 - _` (README, the storage contract).
pub fn valid_device_id(id: &str) -> bool {
    (16..=128).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn session_key(mailbox: &str) -> String {
    format!("{SESSION}{}", normalise(mailbox))
}

/// The session this device holds for `mailbox`.
pub fn session(mailbox: &str) -> Option<IssuedToken> {
    if mailbox.trim().is_empty() {
        return None;
    }
    get(&session_key(mailbox))
        .and_then(|text| json::from_str::<IssuedToken>(&text))
        .filter(|session| !session.token.is_empty())
}

pub fn save_session(mailbox: &str, session: &IssuedToken) {
    if let Some(text) = json::to_string(session) {
        put(&session_key(mailbox), &text);
    }
}

pub fn clear_session(mailbox: &str) {
    remove(&session_key(mailbox));
}

/// The language chosen in settings, for the send handler and for the next start.
pub fn language() -> Option<Language> {
    get(LANGUAGE).and_then(|code| Language::from_code(&code))
}

pub fn set_language(language: Option<Language>) {
    match language {
        Some(language) => put(LANGUAGE, language.code()),
        None => remove(LANGUAGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_follow_the_contract() {
        assert!(valid_device_id(&hex(&[0xab; 16])));
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert!(valid_device_id("abc-DEF_0123456789"));
        assert!(!valid_device_id("short"));
        assert!(!valid_device_id("has space in it 0123"));
        assert!(!valid_device_id(&"x".repeat(129)));
    }

    #[test]
    fn sessions_are_kept_per_lower_cased_mailbox() {
        assert_eq!(
            session_key(" A.Jansen@Huisartsen-Oost.NL "),
            "sendsecure.session.a.jansen@huisartsen-oost.nl"
        );
        let json = serde_json::to_string(&IssuedToken {
            token: "t".into(),
            expires_at: "2026-12-01T00:00:00Z".into(),
        })
        .expect("serialises");
        assert_eq!(json, r#"{"token":"t","expires_at":"2026-12-01T00:00:00Z"}"#);
    }
}
