//! The add-in manifests (SPEC §10), rendered for one deployment.
//!
//! `manifest.xml` at the repository root is the source: a template whose `{{BASE_URL}}` becomes
//! the deployment's public URL and `{{ADDIN_ID}}` its add-in GUID. `manifest.json` and its
//! localisation files beside it are the unified manifest that Microsoft's converter makes from
//! the XML (`scripts/manifest-json.mjs`; `tests/manifest/` fails when they are stale), with the
//! same placeholders.
//!
//! The Microsoft 365 admin centre takes the unified manifest as an *app package*: a zip with
//! `manifest.json` at its root, the localisation files it names and its two icons, each at the
//! relative path the manifest gives it ([`render_package`]).

use std::{
    fmt,
    io::{Cursor, Write},
};

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

/// The app package's icons (`scripts/icons.py`), by the name `manifest.json` gives them: their
/// path in the package and beside `/manifest.json` on the server. Microsoft's rules: a full
/// colour 192 x 192 PNG, and a 32 x 32 PNG that is white on a transparent background.
pub const PACKAGE_ICONS: [(&str, &[u8]); 2] = [
    ("color.png", include_bytes!("../../assets/color.png")),
    ("outline.png", include_bytes!("../../assets/outline.png")),
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

/// The files of the app package, in the order they are written: `manifest.json`, then the
/// localisation files and the icons in the order the manifest names them.
pub fn package_files(base_url: &str, addin_id: &AddinId) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let manifest = render_json(base_url, addin_id);
    let parsed: serde_json::Value = serde_json::from_str(&manifest)
        .map_err(|error| package_bug(format!("manifest.json is not JSON: {error}")))?;
    let mut files = vec![("manifest.json".to_owned(), manifest.into_bytes())];
    let languages = parsed["localizationInfo"]["additionalLanguages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for language in languages {
        let name = language["file"]
            .as_str()
            .ok_or_else(|| package_bug("a language without a file".to_owned()))?;
        let locale = json_locale(name, base_url, addin_id)
            .ok_or_else(|| package_bug(format!("no localisation file {name}")))?;
        files.push((name.to_owned(), locale.into_bytes()));
    }
    for kind in ["color", "outline"] {
        let name = parsed["icons"][kind]
            .as_str()
            .ok_or_else(|| package_bug(format!("no icons.{kind}")))?;
        let (_, png) = PACKAGE_ICONS
            .iter()
            .find(|(file, _)| *file == name)
            .ok_or_else(|| package_bug(format!("no icon file {name} for icons.{kind}")))?;
        files.push((name.to_owned(), png.to_vec()));
    }
    Ok(files)
}

/// The app package for a deployment: the zip the Microsoft 365 admin centre's "Upload custom
/// apps" takes.
pub fn render_package(base_url: &str, addin_id: &AddinId) -> Result<Vec<u8>, Error> {
    zip_files(&package_files(base_url, addin_id)?)
}

/// A zip of `files`, deterministic: their order, and fixed time stamps and permissions.
pub fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, Error> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // The zip format's earliest time (1980-01-01) on every entry: the same manifest makes
        // the same bytes, so a package can be compared and its hash recorded.
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)
            .and_then(|()| zip.write_all(bytes).map_err(Into::into))
            .map_err(|error| package_bug(format!("cannot add {name}: {error}")))?;
    }
    let zip = zip
        .finish()
        .map_err(|error| package_bug(format!("cannot finish the zip: {error}")))?;
    Ok(zip.into_inner())
}

/// The package is made in memory from compiled-in files: a failure is a bug.
fn package_bug(problem: String) -> Error {
    Error::internal(format!("the app package: {problem}"))
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

    /// Width and height from a PNG's IHDR chunk.
    fn png_size(png: &[u8]) -> (u32, u32) {
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("four bytes"));
        (word(16), word(20))
    }

    #[test]
    fn the_package_icons_have_the_sizes_microsoft_validates() {
        let sizes: Vec<(&str, (u32, u32))> = PACKAGE_ICONS
            .iter()
            .map(|(name, png)| (*name, png_size(png)))
            .collect();
        assert_eq!(
            sizes,
            [("color.png", (192, 192)), ("outline.png", (32, 32))]
        );
    }

    #[test]
    fn the_package_holds_the_manifest_its_languages_and_its_icons() {
        let package = render_package(BASE, &id()).expect("a package");
        let mut zip = zip::ZipArchive::new(Cursor::new(package)).expect("a zip");
        let names: Vec<String> = zip
            .file_names()
            .map(|name| name.expect("a name").into_owned())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                "color.png",
                "manifest.de-de.json",
                "manifest.en-us.json",
                "manifest.json",
                "outline.png"
            ]
        );

        let mut read = |name: &str| {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut zip.by_name(name).expect(name), &mut bytes)
                .expect("readable");
            bytes
        };
        let manifest: serde_json::Value =
            serde_json::from_slice(&read("manifest.json")).expect("JSON");
        assert_eq!(manifest["id"], "0f8fad5b-d9cb-469f-a165-70867728950e");
        assert_eq!(
            manifest["developer"]["privacyUrl"],
            format!("{BASE}/privacy.html")
        );
        assert_eq!(
            manifest["developer"]["termsOfUseUrl"],
            format!("{BASE}/terms.html")
        );
        for kind in ["color", "outline"] {
            let name = manifest["icons"][kind].as_str().expect("an icon");
            assert!(names.iter().any(|entry| entry == name), "{name} packaged");
        }
        assert_eq!(png_size(&read("color.png")), (192, 192));
        assert_eq!(png_size(&read("outline.png")), (32, 32));
        let locale = String::from_utf8(read("manifest.en-us.json")).expect("UTF-8");
        assert!(locale.contains("Checks and sends"), "{locale}");
    }

    #[test]
    fn the_same_deployment_makes_the_same_package() {
        let once = render_package(BASE, &id()).expect("a package");
        let again = render_package(BASE, &id()).expect("a package");
        assert_eq!(once, again);
        let other = render_package("https://other.example.nl", &id()).expect("a package");
        assert_ne!(once, other);
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
