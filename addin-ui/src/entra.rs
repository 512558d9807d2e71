//! Signing in with Entra ID (SPEC §8): an access token for this API's own scope, obtained with
//! MSAL.js nested app authentication (`msal.createNestablePublicClientApplication`), which
//! asks Outlook itself for the token of the account it runs under.
//!
//! MSAL.js is not bundled: an organisation that signs in with Entra ID places
//! `msal-browser.min.js` (v3.x or later, which has NAA) in the served `vendor/` folder, or any
//! page script defines `window.msal`; the CSP allows only same-origin scripts. Where NAA is not
//! supported by the host, MSAL falls back to its popup; the Office dialog API
//! (`displayDialogAsync`) would be the next fallback and is not implemented: the panel then
//! says Entra sign-in is unavailable and offers normal sending (manual §2.1.3.2).

use addin_core::api::EntraClient;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;

/// Where an organisation puts MSAL.js for the panel.
const MSAL_SCRIPT: &str = "/vendor/msal-browser.min.js";
const AUTHORITY: &str = "https://login.microsoftonline.com/organizations";

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

/// An access token for `client.scope`, for the account of `mailbox`.
pub async fn access_token(client: &EntraClient, mailbox: &str) -> Result<String, JsValue> {
    let msal = msal().await?;
    let auth = Object::new();
    set(&auth, "clientId", &client.client_id.as_str().into())?;
    set(&auth, "authority", &AUTHORITY.into())?;
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
        // Consent or a fresh sign-in is needed: MSAL shows its own prompt.
        Err(_) => call(&application, "acquireTokenPopup", &request).await?,
    };
    get(&result, "accessToken")?
        .as_string()
        .ok_or_else(|| JsValue::from_str("accessToken"))
}
