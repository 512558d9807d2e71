//! JSON through the browser's own `JSON.parse`/`JSON.stringify` and `serde-wasm-bindgen`,
//! instead of `serde_json`: the panel then carries no JSON parser and no float-parsing tables
//! of its own (about 30 KB less WASM). The server's types and their serde derives are the
//! same; only the text ↔ value step is JavaScript's.

use serde::{Serialize, de::DeserializeOwned};

/// `value` as JSON text: maps as objects, `None` as `null`, as `serde_json` would write it.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value.serialize(&serializer).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// JSON text as a `T`; `None` when it is not JSON or not a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}
