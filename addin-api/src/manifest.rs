//! The add-in manifests (SPEC §10), rendered for one deployment.
//!
//! `manifest.xml` at the repository root is the source: a template whose `{{BASE_URL}}` becomes
//! the deployment's public URL and `{{ADDIN_ID}}` its add-in GUID. `manifest.json` and its
//! localisation files beside it are the unified manifest that Microsoft's converter makes from
//! the XML (`scripts/manifest-json.mjs`; `tests/manifest/` fails when they are stale), with the
//! same placeholders.

use std::fmt;

use crate::Error;

const XML_TEMPLATE: &str = include_str!("../../manifest.xml");
const JSON_TEMPLATE: &str = include_str!("../../manifest.json");
/// The unified manifest's localisation files, by the name `manifest.json` refers to them and
/// the server serves them at (beside `/manifest.json`).
const JSON_LOCALES: [(&str, &str); 2] = [
    (
        "manifest.en-us.json",
        include_str!("../../manifest.en-us.json"),
    ),
    (
        "manifest.de-de.json",
        include_str!("../../manifest.de-de.json"),
    ),
];

/// The add-in id `serve` and `manifest` use when none is given. Every deployment needs its own
/// (Microsoft 365 tells add-ins apart by it): for development only.
pub const DEVELOPMENT_ADDIN_ID: &str = "5f0c8a3e-7d1b-4e6a-9c2f-3b8d1e4a6c70";

/// The manifest's `<Id>`: a GUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex), kept in lower
/// case. It must stay the same for a deployment, or Microsoft 365 sees a different add-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddinId(String);

impl AddinId {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        let groups: Vec<&str> = raw.split('-').collect();
        let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
        let hex = groups
            .iter()
            .all(|group| group.chars().all(|c| c.is_ascii_hexdigit()));
        if lengths != [8, 4, 4, 4, 12] || !hex {
            return Err(Error::InvalidConfig {
                key: "addin_id",
                problem: "must be a GUID such as 5f0c8a3e-7d1b-4e6a-9c2f-3b8d1e4a6c70 \
                          (generate one with `uuidgen`)"
                    .into(),
            });
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AddinId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The XML manifest for a deployment at `base_url` (`https://host[:port][/path]`, no trailing
/// slash).
pub fn render_xml(base_url: &str, addin_id: &AddinId) -> String {
    // A URL never holds `<`, `>` or `"` (they are percent-encoded), but a path may hold `&`.
    fill(XML_TEMPLATE, &base_url.replace('&', "&amp;"), addin_id)
}

/// The unified JSON manifest for a deployment. (A URL holds no `"` or `\`: JSON-safe as is.)
pub fn render_json(base_url: &str, addin_id: &AddinId) -> String {
    fill(JSON_TEMPLATE, base_url, addin_id)
}

/// One of the unified manifest's localisation files, by its file name.
pub fn json_locale(name: &str, base_url: &str, addin_id: &AddinId) -> Option<String> {
    JSON_LOCALES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, template)| fill(template, base_url, addin_id))
}

/// The file names of the localisation files, for the router.
pub fn json_locale_names() -> impl Iterator<Item = &'static str> {
    JSON_LOCALES.iter().map(|(file, _)| *file)
}

fn fill(template: &str, base_url: &str, addin_id: &AddinId) -> String {
    template
        .replace("{{BASE_URL}}", base_url)
        .replace("{{ADDIN_ID}}", addin_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://sendsecure.ziekenhuis-west.nl";

    fn id() -> AddinId {
        AddinId::parse("0F8FAD5B-D9CB-469F-A165-70867728950E").expect("a GUID")
    }

    #[test]
    fn every_url_points_at_the_deployment() {
        let manifest = render_xml(BASE, &id());
        assert!(!manifest.contains("{{"), "no placeholder left");
        assert!(manifest.contains(&format!("{BASE}/taskpane.html")));
        assert!(manifest.contains(&format!("{BASE}/launchevent.html")));
        assert!(manifest.contains(&format!("{BASE}/launchevent.js")));
        assert!(manifest.contains(&format!("<AppDomain>{BASE}</AppDomain>")));
        assert!(manifest.contains("<Id>0f8fad5b-d9cb-469f-a165-70867728950e</Id>"));
    }

    #[test]
    fn the_unified_manifest_is_json_for_the_deployment() {
        let manifest: serde_json::Value =
            serde_json::from_str(&render_json(BASE, &id())).expect("valid JSON");
        assert_eq!(manifest["id"], "0f8fad5b-d9cb-469f-a165-70867728950e");
        assert_eq!(manifest["validDomains"][0], BASE);
        let text = manifest.to_string();
        assert!(!text.contains("{{"), "no placeholder left");
        assert!(text.contains(&format!("{BASE}/launchevent.js")));
        for language in manifest["localizationInfo"]["additionalLanguages"]
            .as_array()
            .expect("languages")
        {
            let file = language["file"].as_str().expect("a file name");
            let locale = json_locale(file, BASE, &id()).expect("served beside the manifest");
            serde_json::from_str::<serde_json::Value>(&locale).expect("valid JSON");
        }
    }

    #[test]
    fn an_ampersand_in_the_url_stays_valid_xml() {
        let manifest = render_xml("https://example.nl/a&b", &id());
        assert!(manifest.contains("https://example.nl/a&amp;b/taskpane.html"));
    }

    #[test]
    fn only_guids_are_add_in_ids() {
        let development = AddinId::parse(DEVELOPMENT_ADDIN_ID).expect("a GUID");
        assert_eq!(development.to_string(), DEVELOPMENT_ADDIN_ID);
        assert!(AddinId::parse(" 0f8fad5b-d9cb-469f-a165-70867728950e\n").is_ok());
        for bad in [
            "",
            "send-secure",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0f8fad5b-d9cb-469f-a165-70867728950ef",
            "0f8fad5bd9cb469fa16570867728950e",
            "0f8fad5b-d9cb-469f-a165-7086772895zz",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
            "0f8fad5b-d9cb-469f-a165-70867728-950e",
        ] {
            match AddinId::parse(bad) {
                Err(Error::InvalidConfig { key, .. }) => assert_eq!(key, "addin_id", "{bad}"),
                other => panic!("{bad:?} must be refused, got {other:?}"),
            }
        }
    }
}
