//! The add-in manifest (SPEC §10): `manifest.xml` at the repository root is a template whose
//! `{{BASE_URL}}` becomes the deployment's public URL.

const TEMPLATE: &str = include_str!("../../manifest.xml");

/// The manifest for a deployment at `base_url` (`https://host[:port]`, no trailing slash).
pub fn render(base_url: &str) -> String {
    TEMPLATE.replace("{{BASE_URL}}", base_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_points_at_the_deployment() {
        let manifest = render("https://sendsecure.ziekenhuis-west.nl");
        assert!(!manifest.contains("{{"), "no placeholder left");
        assert!(manifest.contains("https://sendsecure.ziekenhuis-west.nl/taskpane.html"));
        assert!(manifest.contains("https://sendsecure.ziekenhuis-west.nl/launchevent.html"));
    }
}
