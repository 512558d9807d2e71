//! `auth.entra` from the policy, checked and normalised for the validator.

use std::path::Path;

use addin_core::policy::{AuthMethod, Policy};
use url::Url;

use crate::{Error, input::Origin};

/// `auth.entra`, checked: what the validator needs, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntraConfig {
    /// Lower-case GUID.
    pub client_id: String,
    /// Lower-case GUIDs.
    pub tenants: Vec<String>,
    pub scope: String,
    /// `https://…`, no trailing slash.
    pub authority: String,
}

impl EntraConfig {
    /// The Entra settings when the policy signs in with Entra ID, `None` otherwise. A policy
    /// that chooses Entra ID without what it needs is refused with one line naming the key.
    /// `policy_path` is where the policy came from, for that line.
    pub fn from_policy(policy: &Policy, policy_path: Option<&Path>) -> Result<Option<Self>, Error> {
        if policy.auth.method != AuthMethod::EntraId {
            return Ok(None);
        }
        let invalid = |problem: String| Error::InvalidPolicy {
            origin: policy_path.map_or(Origin::Bundled, |path| Origin::File(path.to_owned())),
            problem,
        };
        let entra = &policy.auth.entra;
        let client_id = match entra.client_id.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(invalid(
                    "auth.entra.client_id: must be set when auth.method is \"entra-id\" \
                     (the app registration's Application (client) ID)"
                        .into(),
                ));
            }
            Some(id) => guid(id).ok_or_else(|| {
                invalid(
                    "auth.entra.client_id: must be the app registration's Application (client) \
                     ID, a GUID"
                        .into(),
                )
            })?,
        };
        if entra.tenants.is_empty() {
            return Err(invalid(
                "auth.entra.tenants: must name at least one tenant id when auth.method is \
                 \"entra-id\""
                    .into(),
            ));
        }
        let tenants = entra
            .tenants
            .iter()
            .map(|tenant| {
                guid(tenant).ok_or_else(|| {
                    invalid(format!(
                        "auth.entra.tenants: {tenant:?} is not a tenant id (a GUID, shown as \
                         Tenant ID in the Entra admin centre)"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let scope = entra.scope.trim();
        if scope.is_empty() || scope.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(invalid(
                "auth.entra.scope: must be the scope's name as tokens carry it in scp, e.g. \
                 \"access_as_user\" (not the api://… form)"
                    .into(),
            ));
        }
        let authority = Url::parse(entra.authority.trim())
            .ok()
            .filter(|url| {
                url.scheme() == "https"
                    && url.host().is_some()
                    && url.query().is_none()
                    && url.fragment().is_none()
            })
            .ok_or_else(|| {
                invalid("auth.entra.authority: must be an https:// URL without query".into())
            })?;
        Ok(Some(Self {
            client_id,
            tenants,
            scope: scope.to_owned(),
            authority: authority.as_str().trim_end_matches('/').to_owned(),
        }))
    }
}

/// `8-4-4-4-12` hexadecimal digits, lower-cased.
pub(super) fn guid(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let groups: Vec<&str> = raw.split('-').collect();
    let shaped = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()));
    shaped.then(|| raw.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "6E3B5A9C-0F4D-4B8E-9A1C-2D3E4F5A6B7C";
    const TENANT: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    fn entra_policy(edit: impl FnOnce(&mut Policy)) -> Policy {
        let mut policy = Policy::default();
        policy.auth.method = AuthMethod::EntraId;
        policy.auth.entra.client_id = Some(CLIENT.into());
        policy.auth.entra.tenants = vec![TENANT.into()];
        edit(&mut policy);
        policy
    }

    fn problem(policy: &Policy) -> String {
        EntraConfig::from_policy(policy, Some(Path::new("policy.toml")))
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn an_entra_policy_is_normalised() {
        let config = EntraConfig::from_policy(
            &entra_policy(|p| p.auth.entra.authority = "https://login.microsoftonline.us/".into()),
            None,
        )
        .expect("valid")
        .expect("entra-id");
        assert_eq!(config.client_id, CLIENT.to_ascii_lowercase());
        assert_eq!(config.tenants, [TENANT]);
        assert_eq!(config.scope, "access_as_user");
        assert_eq!(config.authority, "https://login.microsoftonline.us");
    }

    #[test]
    fn the_email_code_method_needs_no_entra_settings() {
        let policy = Policy::default();
        assert_eq!(
            EntraConfig::from_policy(&policy, None).expect("valid"),
            None
        );
    }

    #[test]
    fn missing_or_bad_settings_name_their_key() {
        assert_eq!(
            problem(&entra_policy(|p| p.auth.entra.client_id = None)),
            "invalid policy in policy.toml: auth.entra.client_id: must be set when auth.method \
             is \"entra-id\" (the app registration's Application (client) ID)"
        );
        assert_eq!(
            problem(&entra_policy(|p| p.auth.entra.tenants.clear())),
            "invalid policy in policy.toml: auth.entra.tenants: must name at least one tenant \
             id when auth.method is \"entra-id\""
        );
        for (edit, key) in [
            (
                Box::new(|p: &mut Policy| p.auth.entra.client_id = Some("sendsecure".into()))
                    as Box<dyn FnOnce(&mut Policy)>,
                "auth.entra.client_id: ",
            ),
            (
                Box::new(|p: &mut Policy| p.auth.entra.tenants = vec!["contoso.nl".into()]),
                "auth.entra.tenants: \"contoso.nl\" is not a tenant id",
            ),
            (
                Box::new(|p: &mut Policy| {
                    p.auth.entra.scope = format!("api://{CLIENT}/access_as_user");
                }),
                "auth.entra.scope: ",
            ),
            (
                Box::new(|p: &mut Policy| p.auth.entra.authority = "http://login.example".into()),
                "auth.entra.authority: ",
            ),
        ] {
            let problem = problem(&entra_policy(edit));
            assert!(
                problem.starts_with(&format!("invalid policy in policy.toml: {key}")),
                "{problem}"
            );
            assert!(!problem.contains('\n'), "{problem}");
        }
    }

    #[test]
    fn guids_are_recognised() {
        assert_eq!(guid(CLIENT).as_deref(), Some(&*CLIENT.to_ascii_lowercase()));
        for bad in [
            "",
            "common",
            "organizations",
            "0b1c2d3e4f5061728394a5b6c7d8e9f0",
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9fg",
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0-0",
        ] {
            assert_eq!(guid(bad), None, "{bad}");
        }
    }
}
