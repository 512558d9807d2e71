//! Signing in with Entra ID (SPEC §8, manual §2.1.3.2): an access token for this API's own
//! scope, for the account Outlook runs under.
//!
//! * Where Outlook offers nested app authentication (requirement set NestedAppAuth 1.1), MSAL.js
//!   `createNestablePublicClientApplication` asks Outlook itself for the token: silently, or —
//!   the first time, or when Entra wants the user again — with Outlook's own prompt.
//! * Elsewhere, the Office dialog API: the panel opens `entra-dialog.html` (served by `serve`,
//!   `addin-ui/static/`), which signs in with MSAL.js's redirect flow and hands the token back
//!   with `messageParent` (`office::dialog_message`). The message is `token:<access token>` or
//!   `error:<code>` ([`DialogAnswer`]).
//!
//! MSAL.js comes from npm (`@azure/msal-browser`): Trunk copies its browser build to
//! `vendor/msal-browser.min.js` (`addin-ui/index.html`), the same file in development and in
//! production. The panel loads it only when it needs it, same-origin, as the CSP requires.

use addin_core::api::EntraClient;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;

use crate::office;

/// Where Trunk puts MSAL.js (`addin-ui/index.html`).
const MSAL_SCRIPT: &str = "/vendor/msal-browser.min.js";
/// The Office-dialog fallback page (`addin-ui/static/entra-dialog.html`).
const DIALOG_PAGE: &str = "/entra-dialog.html";
/// For a server that does not say which authority (older than `EntraClient::authority`).
const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/organizations";

/// What the dialog page sent with `messageParent`.
#[derive(Debug, PartialEq, Eq)]
pub enum DialogAnswer {
    Token(String),
    /// MSAL's error code, or the page's own (`not-configured`, `no-token`).
    Error(String),
}

impl DialogAnswer {
    /// `token:<jwt>` or `error:<code>`; anything else is an error of its own.
    pub fn parse(message: &str) -> Self {
        match message.split_once(':') {
            Some(("token", token))
                if !token.is_empty()
                    && token
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) =>
            {
                Self::Token(token.to_owned())
            }
            Some(("error", code)) if !code.is_empty() => Self::Error(code.to_owned()),
            _ => Self::Error("unreadable-message".to_owned()),
        }
    }
}

/// The dialog page's address for `mailbox`: the account hint rides along in the fragment,
/// which the browser never sends, so no server or proxy log holds the address.
pub fn dialog_url(origin: &str, mailbox: &str) -> String {
    let hint: String = encode_query_value(mailbox);
    format!("{origin}{DIALOG_PAGE}#login_hint={hint}")
}

/// Percent-encoding for a query value (what `encodeURIComponent` does), in Rust so that it
/// can be tested natively.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            )
        {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The authority the server named, or `organizations`.
pub fn authority(client: &EntraClient) -> &str {
    if client.authority.starts_with("https://") {
        &client.authority
    } else {
        DEFAULT_AUTHORITY
    }
}

fn get(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let value = Reflect::get(target, &JsValue::from_str(name))?;
    if value.is_undefined() || value.is_null() {
        return Err(JsValue::from_str(name));
    }
    Ok(value)
}

fn set(target: &Object, name: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(name), value).map(drop)
}

/// `window.msal`, loading the vendored script once when it is not there yet.
async fn msal() -> Result<JsValue, JsValue> {
    let global = js_sys::global();
    if let Ok(msal) = get(&global, "msal") {
        return Ok(msal);
    }
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("document"))?;
    let script = document.create_element("script")?;
    script.set_attribute("src", MSAL_SCRIPT)?;
    let loaded = Promise::new(&mut |resolve, reject| {
        let on_load = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let on_error = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::UNDEFINED);
        });
        let _ = Reflect::set(&script, &"onload".into(), &on_load);
        let _ = Reflect::set(&script, &"onerror".into(), &on_error);
    });
    document
        .head()
        .ok_or_else(|| JsValue::from_str("head"))?
        .append_child(&script)?;
    JsFuture::from(loaded).await?;
    get(&global, "msal")
}

async fn call(target: &JsValue, method: &str, argument: &JsValue) -> Result<JsValue, JsValue> {
    let function: Function = get(target, method)?.dyn_into()?;
    let answer = function.call1(target, argument)?;
    match answer.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(value) => Ok(value),
    }
}

/// An access token for `client.scope`, for the account of `mailbox`: through nested app
/// authentication where Outlook has it, else through the Office dialog.
pub async fn access_token(client: &EntraClient, mailbox: &str) -> Result<String, JsValue> {
    if office::nested_app_auth() {
        nested(client, mailbox).await
    } else {
        dialog(mailbox).await
    }
}

async fn nested(client: &EntraClient, mailbox: &str) -> Result<String, JsValue> {
    let msal = msal().await?;
    let auth = Object::new();
    set(&auth, "clientId", &client.client_id.as_str().into())?;
    set(&auth, "authority", &authority(client).into())?;
    let config = Object::new();
    set(&config, "auth", &auth)?;
    let application = call(&msal, "createNestablePublicClientApplication", &config).await?;

    let request = Object::new();
    set(
        &request,
        "scopes",
        &Array::of1(&client.scope.as_str().into()),
    )?;
    set(&request, "loginHint", &mailbox.into())?;
    let result = match call(&application, "acquireTokenSilent", &request).await {
        Ok(result) => result,
        // Consent or a fresh sign-in is needed: Outlook shows its own prompt (with nested app
        // authentication the "popup" is the host's, not a browser window).
        Err(_) => call(&application, "acquireTokenPopup", &request).await?,
    };
    get(&result, "accessToken")?
        .as_string()
        .ok_or_else(|| JsValue::from_str("accessToken"))
}

async fn dialog(mailbox: &str) -> Result<String, JsValue> {
    let origin = web_sys::window()
        .and_then(|window| Reflect::get(&window, &"location".into()).ok())
        .and_then(|location| Reflect::get(&location, &"origin".into()).ok())
        .and_then(|origin| origin.as_string())
        .ok_or_else(|| JsValue::from_str("location.origin"))?;
    let message = office::dialog_message(&dialog_url(&origin, mailbox))
        .await
        .map_err(|error| JsValue::from_str(&error.to_string()))?;
    match DialogAnswer::parse(&message) {
        DialogAnswer::Token(token) => Ok(token),
        DialogAnswer::Error(code) => Err(JsValue::from_str(&code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialog_answers_are_read_strictly() {
        assert_eq!(
            DialogAnswer::parse("token:eyJ0eXAi.eyJhdWQi.c2ln-_"),
            DialogAnswer::Token("eyJ0eXAi.eyJhdWQi.c2ln-_".into())
        );
        assert_eq!(
            DialogAnswer::parse("error:user_cancelled"),
            DialogAnswer::Error("user_cancelled".into())
        );
        for odd in [
            "",
            "token:",
            "token:a b",
            "token:<script>",
            "eyJ0eXAi",
            "error:",
            "hello:x",
        ] {
            assert_eq!(
                DialogAnswer::parse(odd),
                DialogAnswer::Error("unreadable-message".into()),
                "{odd:?}"
            );
        }
    }

    #[test]
    fn the_dialog_url_carries_the_mailbox_as_hint() {
        assert_eq!(
            dialog_url(
                "https://sendsecure.example.nl",
                "j.de.vries+zorg@example.nl"
            ),
            "https://sendsecure.example.nl/entra-dialog.html#login_hint=j.de.vries%2Bzorg%40example.nl"
        );
        assert_eq!(
            dialog_url("https://a.example", "a&b=c d@x"),
            "https://a.example/entra-dialog.html#login_hint=a%26b%3Dc%20d%40x"
        );
    }

    #[test]
    fn the_authority_is_the_servers_or_organizations() {
        let client = |authority: &str| EntraClient {
            client_id: "c".into(),
            scope: "api://c/access_as_user".into(),
            authority: authority.into(),
        };
        assert_eq!(
            authority(&client(
                "https://login.microsoftonline.com/0a1b2c3d-0000-4000-8000-123456789abc"
            )),
            "https://login.microsoftonline.com/0a1b2c3d-0000-4000-8000-123456789abc"
        );
        assert_eq!(authority(&client("")), DEFAULT_AUTHORITY);
        assert_eq!(authority(&client("javascript:alert(1)")), DEFAULT_AUTHORITY);
    }
}
