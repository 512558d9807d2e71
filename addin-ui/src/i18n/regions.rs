//! Country names in the panel's language for the phone picker, from the browser's
//! `Intl.DisplayNames` (ECMA-402, in every browser Outlook runs the panel in), so the panel
//! ships no table of 245 names in three languages. Where it is missing, the ISO code stands in.

use addin_core::api::Language;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsValue, prelude::wasm_bindgen};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type DisplayNames;
    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(locales: &Array, options: &Object) -> Result<DisplayNames, JsValue>;
    #[wasm_bindgen(method, catch, js_class = "Intl.DisplayNames")]
    fn of(this: &DisplayNames, code: &str) -> Result<JsValue, JsValue>;
}

/// Names countries by ISO 3166 code in one language.
pub struct RegionNames(Option<DisplayNames>);

impl std::fmt::Debug for RegionNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegionNames")
    }
}

impl RegionNames {
    pub fn new(language: Language) -> Self {
        let has_intl = Reflect::get(&js_sys::global(), &"Intl".into())
            .is_ok_and(|intl| Reflect::has(&intl, &"DisplayNames".into()).unwrap_or(false));
        if !has_intl {
            return Self(None);
        }
        let options = Object::new();
        let _ = Reflect::set(&options, &"type".into(), &"region".into());
        let locales = Array::of1(&language.code().into());
        Self(DisplayNames::new(&locales, &options).ok())
    }

    pub fn name(&self, iso: &str) -> String {
        self.0
            .as_ref()
            .and_then(|names| names.of(iso).ok())
            .and_then(|name| name.as_string())
            .unwrap_or_else(|| iso.to_owned())
    }
}
