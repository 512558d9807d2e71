//! `sendsecure entra-setup --public-url https://… [--display-name NAME] [--tenant GUID]`
//! (SPEC §8): the Azure CLI script that registers Send Secure in an organisation's Entra ID, and
//! the policy lines that point the server at it.
//!
//! Printed rather than applied, like `exchange-setup`: the administrator runs it with their own
//! rights, and Send Secure holds no Entra credentials. One app registration is both the panel
//! (a single-page application that asks for tokens) and the API (which exposes the scope the
//! panel asks for), so:
//!
//! * it is single tenant (`AzureADMyOrg`): Entra signs every tenant's tokens with the same keys,
//!   so an audience means something only when no other tenant can obtain a token for it;
//! * its Application ID URI is `api://{client id}`, the prefix of the scope the panel requests
//!   (`api://{client id}/access_as_user`, `addin_core::api::EntraClient::scope`). With
//!   `requestedAccessTokenVersion: 2` the token's `aud` is the client id itself, which is what
//!   `entra.rs` accepts (it also accepts `api://{client id}`), and only v2 tokens pass there;
//! * it exposes one delegated scope, `access_as_user` (`auth.entra.scope`'s default), and
//!   pre-authorises no other application: the server also refuses tokens whose `azp` is not
//!   this client;
//! * its SPA redirect URIs are `brk-multihub://{add-in host}` — the form nested app
//!   authentication requires, Outlook's broker hands the token over through it — and the
//!   Office-dialog fallback page `{public url}/entra-dialog.html`, for hosts without NAA;
//! * it requests its own scope and an administrator consents to it for the whole tenant, so
//!   no user sees a consent prompt (manual §2.1.3.2: a pop-up that closes by itself).
//!
//! Every command and flag in the script is one that Microsoft's Azure CLI reference documents:
//! `tests/fixtures/az-cli-parameters.txt` records the source, and the tests hold the output to it.
//! Every value from the command line is checked and single-quoted, so the shell takes it
//! literally.

use url::{Host, Url};

use crate::{Error, config};

/// The delegated scope the registration exposes (`auth.entra.scope`'s default).
pub const SCOPE: &str = "access_as_user";
/// The Office-dialog fallback page the panel opens where nested app authentication is missing
/// (`addin-ui/static/entra-dialog.html`); also its redirect URI.
pub const DIALOG_PAGE: &str = "entra-dialog.html";
/// Microsoft Graph, where the registration's `api` and `spa` properties are written.
const GRAPH: &str = "https://graph.microsoft.com/v1.0";
/// Entra's limit for an application's display name is 256; a name this long is a mistake.
const MAX_DISPLAY_NAME: usize = 120;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The https:// address Outlook loads the add-in from, the same as `serve --public-url`
    #[arg(long, value_name = "URL", env = "SENDSECURE_PUBLIC_URL")]
    pub public_url: String,
    /// The app registration's name in Entra ID, as users and administrators see it
    #[arg(long, value_name = "NAME", default_value = "Send Secure")]
    pub display_name: String,
    /// The tenant id (a GUID, Entra admin centre → Overview) to sign in to; by default the
    /// tenant `az login` chooses
    #[arg(long, value_name = "GUID")]
    pub tenant: Option<String>,
}

/// What the script is made of, each part checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setup {
    /// The public URL without a trailing slash, e.g. `https://sendsecure.example.nl`.
    base: String,
    /// `host[:port]` of the add-in, for `brk-multihub://`.
    origin: String,
    display_name: String,
    tenant: Option<String>,
}

/// The whole script, ready to paste into a shell where the Azure CLI is installed (Azure
/// Cloud Shell has it).
pub fn run(args: &Args) -> Result<String, Error> {
    let (base, origin) = public_url(&args.public_url)?;
    let setup = Setup {
        base,
        origin,
        display_name: display_name(&args.display_name)?.to_owned(),
        tenant: args.tenant.as_deref().map(tenant).transpose()?,
    };
    Ok(script(&setup, &random_uuid()))
}

/// The SPA redirect URIs: nested app authentication's broker URI, then the dialog page.
fn redirect_uris(setup: &Setup) -> [String; 2] {
    [
        format!("brk-multihub://{}", setup.origin),
        format!("{}/{DIALOG_PAGE}", setup.base),
    ]
}

fn script(setup: &Setup, scope_id: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let name = quote(&setup.display_name);
    let [broker, dialog] = redirect_uris(setup);
    let login = match &setup.tenant {
        Some(tenant) => format!(
            "az login --tenant {} --allow-no-subscriptions",
            quote(tenant)
        ),
        None => "az login --allow-no-subscriptions".to_owned(),
    };
    // The JSON is written inside double quotes so that the shell fills in $APP_ID; every value
    // in it is checked (URLs: a safe character set; the scope id: our own UUID).
    let body = format!(
        "{{\\\"api\\\":{{\\\"requestedAccessTokenVersion\\\":2,\
\\\"oauth2PermissionScopes\\\":[{{\\\"id\\\":\\\"{scope_id}\\\",\\\"value\\\":\\\"{SCOPE}\\\",\
\\\"type\\\":\\\"User\\\",\\\"isEnabled\\\":true,\
\\\"adminConsentDisplayName\\\":\\\"Send Secure as the signed-in user\\\",\
\\\"adminConsentDescription\\\":\\\"Lets the Send Secure add-in check and send mail securely for the signed-in user.\\\",\
\\\"userConsentDisplayName\\\":\\\"Send Secure as you\\\",\
\\\"userConsentDescription\\\":\\\"Lets the Send Secure add-in check and send mail securely for you.\\\"}}],\
\\\"preAuthorizedApplications\\\":[]}},\
\\\"spa\\\":{{\\\"redirectUris\\\":[\\\"{broker}\\\",\\\"{dialog}\\\"]}}}}"
    );
    let tenant_line = match &setup.tenant {
        Some(tenant) => tenant.clone(),
        None => "$TENANT_ID".to_owned(),
    };
    format!(
        "\
#!/bin/sh
# Send Secure: its app registration in Entra ID, for sign-in with the Microsoft 365 account
# (auth.method = \"entra-id\", SPEC §8). Printed by sendsecure {version} entra-setup for
# {base}. Run it in a shell with the Azure CLI (Azure Cloud Shell has it), as a Cloud
# Application Administrator or Global Administrator: step 7 grants tenant-wide consent.
set -eu

# 1. Sign in to the tenant.
{login}
TENANT_ID=$(az account show --query tenantId --output tsv)

# 2. The app registration: single tenant, so only this organisation's accounts get tokens for it.
APP_ID=$(az ad app create --display-name {name} --sign-in-audience AzureADMyOrg --query appId --output tsv)
OBJECT_ID=$(az ad app show --id \"$APP_ID\" --query id --output tsv)

# 3. Expose an API: the Application ID URI api://<client id>, the prefix of the scope the panel
#    asks for (api://<client id>/{SCOPE}).
az ad app update --id \"$APP_ID\" --identifier-uris \"api://$APP_ID\"

# 4. Through Microsoft Graph, in one change:
#    - the delegated scope {SCOPE} (type User), and no pre-authorised applications;
#    - requestedAccessTokenVersion 2: v2 access tokens, whose aud is the client id (the server
#      refuses v1 tokens);
#    - Single-page application redirect URIs: {broker} (nested app
#      authentication: Outlook's broker) and {dialog} (the
#      Office dialog, where Outlook has no nested app authentication).
az rest --method PATCH --uri \"{GRAPH}/applications/$OBJECT_ID\" --headers 'Content-Type=application/json' --body \"{body}\"

# 5. The service principal (the registration's Enterprise application in this tenant).
az ad sp create --id \"$APP_ID\"

# 6. API permissions: the app asks for its own scope.
az ad app permission add --id \"$APP_ID\" --api \"$APP_ID\" --api-permissions \"{scope_id}=Scope\"

# 7. Admin consent for the whole organisation, so no user is asked. A new service principal can
#    take a minute to be seen: if this fails, wait and run it again.
az ad app permission admin-consent --id \"$APP_ID\"

# 8. The policy (policy.toml or SENDSECURE_POLICY) that switches Send Secure to Entra ID sign-in.
#    Tokens from the tenants listed only; add others' ids only if they sign in here too.
cat <<EOF

[auth]
method = \"entra-id\"

[auth.entra]
client_id = \"$APP_ID\"
tenants = [\"{tenant_line}\"]
scope = \"{SCOPE}\"
EOF

# Check: az ad app show --id \"$APP_ID\" --query \"{{uris:identifierUris, api:api, spa:spa}}\" --output json
",
        base = setup.base,
    )
}

/// POSIX shell single quotes: `'` becomes `'\''`.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A random (version 4) UUID for the scope's id.
fn random_uuid() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The public URL as `serve` takes it (https, no query or fragment), then what the script
/// needs from it: the base without a trailing slash and the `host[:port]` origin. It goes into
/// double-quoted shell words and JSON, so only characters that mean nothing to either pass.
fn public_url(raw: &str) -> Result<(String, String), Error> {
    let invalid = |problem: &str| Error::InvalidConfig {
        key: "public_url",
        problem: problem.into(),
    };
    let url: Url = config::parse_public_url(raw.trim())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not hold a user name or password"));
    }
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain.to_owned(),
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {
            return Err(invalid(
                "names an IP address: Office loads add-ins from a DNS name with a trusted certificate",
            ));
        }
        None => return Err(invalid("has no host")),
    };
    let base = config::base_url(&url);
    let safe =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '~' | ':' | '/');
    if !base.chars().all(safe) {
        return Err(invalid(
            "may only hold letters a-z, digits and . - _ ~ : / (an internationalised name in its \
             xn-- form)",
        ));
    }
    let origin = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    Ok((base, origin))
}

fn display_name(raw: &str) -> Result<&str, Error> {
    let invalid = |problem: &str| Error::InvalidConfig {
        key: "display_name",
        problem: problem.into(),
    };
    if raw.trim().is_empty() {
        return Err(invalid("is empty"));
    }
    if raw.chars().count() > MAX_DISPLAY_NAME {
        return Err(invalid("is longer than 120 characters"));
    }
    if raw.chars().any(char::is_control) {
        return Err(invalid(
            "must not hold line breaks or other control characters",
        ));
    }
    Ok(raw)
}

/// A tenant id: a GUID, in lowercase (the form tokens carry in `tid`).
fn tenant(raw: &str) -> Result<String, Error> {
    let lower = raw.trim().to_ascii_lowercase();
    let is_guid = lower.len() == 36
        && lower.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if !is_guid {
        return Err(Error::InvalidConfig {
            key: "tenant",
            problem: "must be the tenant id, a GUID (Entra admin centre → Overview), not a domain \
                      name"
                .into(),
        });
    }
    Ok(lower)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/az-cli-parameters.txt");
    const SCOPE_ID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

    fn setup() -> Setup {
        Setup {
            base: "https://sendsecure.example.nl".into(),
            origin: "sendsecure.example.nl".into(),
            display_name: "Send Secure".into(),
            tenant: None,
        }
    }

    fn args(url: &str) -> Args {
        Args {
            public_url: url.into(),
            display_name: "Send Secure".into(),
            tenant: None,
        }
    }

    /// `command: --flag ...` lines; `global` holds the flags every command takes.
    fn documented() -> HashMap<&'static str, HashSet<&'static str>> {
        FIXTURE
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .map(|line| {
                let (command, flags) = line.split_once(": ").expect("`az group command: --f ...`");
                (command, flags.split_whitespace().collect())
            })
            .collect()
    }

    /// Splits a shell command into words: single quotes are literal, double quotes may hold
    /// `\"`, `$(` … `)` is one word of its own. Enough for what the script prints.
    fn words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut chars = line.chars().peekable();
        let mut in_word = false;
        while let Some(c) = chars.next() {
            match c {
                '\'' => {
                    in_word = true;
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                        word.push(c);
                    }
                }
                '"' => {
                    in_word = true;
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => word.extend(chars.next()),
                            '"' => break,
                            other => word.push(other),
                        }
                    }
                }
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                other => {
                    in_word = true;
                    word.push(other);
                }
            }
        }
        if in_word {
            words.push(word);
        }
        words
    }

    /// Every `az` command the script runs (also inside `$( … )`) or shows in a comment: its
    /// subcommand (`az ad app create`) and its `--flag value` pairs.
    fn invocations(script: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut found = Vec::new();
        for line in script.lines() {
            let line = line.trim_start_matches('#').trim();
            let Some(start) = line.find("az ") else {
                continue;
            };
            if !(start == 0 || line[..start].ends_with("$(") || line[..start].ends_with(": ")) {
                continue;
            }
            let mut command = &line[start..];
            if line[..start].ends_with("$(") {
                command = command.strip_suffix(')').expect("a closed $( )");
            }
            let words = words(command);
            let split = words
                .iter()
                .position(|w| w.starts_with("--"))
                .unwrap_or(words.len());
            let name = words[..split].join(" ");
            let mut flags: Vec<(String, String)> = Vec::new();
            for word in &words[split..] {
                if word.starts_with("--") {
                    flags.push((word.clone(), String::new()));
                } else if let Some((_, value)) = flags.last_mut() {
                    value.push_str(word);
                }
            }
            found.push((name, flags));
        }
        found
    }

    fn flag<'a>(flags: &'a [(String, String)], name: &str) -> Option<&'a str> {
        flags
            .iter()
            .find(|(flag, _)| flag == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn every_command_and_flag_is_documented() {
        let documented = documented();
        let global = &documented["global"];
        let script = script(&setup(), SCOPE_ID);
        let invocations = invocations(&script);
        let names: Vec<&str> = invocations.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "az login",
                "az account show",
                "az ad app create",
                "az ad app show",
                "az ad app update",
                "az rest",
                "az ad sp create",
                "az ad app permission add",
                "az ad app permission admin-consent",
                "az ad app show",
            ],
            "{script}"
        );
        for (name, flags) in &invocations {
            let known = documented
                .get(name.as_str())
                .unwrap_or_else(|| panic!("{name} is not in the fixture"));
            for (flag, _) in flags {
                assert!(
                    known.contains(flag.as_str()) || global.contains(flag.as_str()),
                    "{name} has no documented {flag}"
                );
            }
        }
    }

    #[test]
    fn the_registration_is_single_tenant_with_v2_tokens_and_our_scope() {
        let script = script(&setup(), SCOPE_ID);
        let invocations = invocations(&script);
        let find = |name: &str| {
            invocations
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, flags)| flags.as_slice())
                .unwrap_or_else(|| panic!("no {name}"))
        };
        let create = find("az ad app create");
        assert_eq!(flag(create, "--sign-in-audience"), Some("AzureADMyOrg"));
        assert_eq!(flag(create, "--display-name"), Some("Send Secure"));
        assert_eq!(
            flag(find("az ad app update"), "--identifier-uris"),
            Some("api://$APP_ID")
        );

        let rest = find("az rest");
        assert_eq!(flag(rest, "--method"), Some("PATCH"));
        assert_eq!(
            flag(rest, "--uri"),
            Some("https://graph.microsoft.com/v1.0/applications/$OBJECT_ID")
        );
        let body: serde_json::Value =
            serde_json::from_str(flag(rest, "--body").expect("a body")).expect("JSON");
        assert_eq!(body["api"]["requestedAccessTokenVersion"], 2);
        let scopes = body["api"]["oauth2PermissionScopes"]
            .as_array()
            .expect("scopes");
        assert_eq!(scopes.len(), 1);
        assert_eq!(scopes[0]["value"], SCOPE);
        assert_eq!(scopes[0]["id"], SCOPE_ID);
        assert_eq!(scopes[0]["type"], "User");
        assert_eq!(scopes[0]["isEnabled"], true);
        assert_eq!(
            body["api"]["preAuthorizedApplications"],
            serde_json::json!([])
        );
        assert_eq!(
            body["spa"]["redirectUris"],
            serde_json::json!([
                "brk-multihub://sendsecure.example.nl",
                "https://sendsecure.example.nl/entra-dialog.html"
            ])
        );

        let permission = find("az ad app permission add");
        assert_eq!(flag(permission, "--api"), Some("$APP_ID"));
        assert_eq!(
            flag(permission, "--api-permissions"),
            Some(format!("{SCOPE_ID}=Scope").as_str())
        );
        assert_eq!(
            flag(find("az ad app permission admin-consent"), "--id"),
            Some("$APP_ID")
        );
    }

    #[test]
    fn the_policy_snippet_names_the_client_and_tenant() {
        let script = script(&setup(), SCOPE_ID);
        assert!(script.contains("method = \"entra-id\""), "{script}");
        assert!(script.contains("client_id = \"$APP_ID\""), "{script}");
        assert!(script.contains("tenants = [\"$TENANT_ID\"]"), "{script}");
        let tenant = "0a1b2c3d-0000-4000-8000-123456789abc";
        let script = super::script(
            &Setup {
                tenant: Some(tenant.into()),
                ..setup()
            },
            SCOPE_ID,
        );
        assert!(script.contains(&format!("az login --tenant '{tenant}'")));
        assert!(script.contains(&format!("tenants = [\"{tenant}\"]")));
    }

    #[test]
    fn the_public_url_gives_base_and_broker_origin() {
        for (url, base, origin) in [
            (
                "https://sendsecure.example.nl",
                "https://sendsecure.example.nl",
                "sendsecure.example.nl",
            ),
            (
                "https://SendSecure.Example.NL/",
                "https://sendsecure.example.nl",
                "sendsecure.example.nl",
            ),
            (
                "https://zorg.example.nl:8443/sendsecure/",
                "https://zorg.example.nl:8443/sendsecure",
                "zorg.example.nl:8443",
            ),
            (
                "https://localhost:3000",
                "https://localhost:3000",
                "localhost:3000",
            ),
        ] {
            assert_eq!(
                public_url(url).expect(url),
                (base.to_owned(), origin.to_owned())
            );
        }
    }

    #[test]
    fn bad_input_is_refused() {
        for url in [
            "",
            "http://sendsecure.example.nl",
            "sendsecure.example.nl",
            "https://192.0.2.1",
            "https://[2001:db8::1]",
            "https://sendsecure.example.nl/?x=1",
            "https://sendsecure.example.nl/#x",
            "https://user:pw@sendsecure.example.nl",
            "https://sendsecure.example.nl/a$(reboot)",
            "https://sendsecure.example.nl/a\"b",
        ] {
            assert!(
                matches!(
                    run(&args(url)),
                    Err(Error::InvalidConfig {
                        key: "public_url",
                        ..
                    })
                ),
                "{url:?}"
            );
        }
        for name in ["", " ", "a\nb", &"x".repeat(121)] {
            assert!(display_name(name).is_err(), "{name:?}");
        }
        for id in [
            "contoso.onmicrosoft.com",
            "1234",
            "0a1b2c3d-0000-4000-8000-123456789abz",
        ] {
            assert!(tenant(id).is_err(), "{id:?}");
        }
        assert_eq!(
            tenant("0A1B2C3D-0000-4000-8000-123456789ABC").expect("a GUID"),
            "0a1b2c3d-0000-4000-8000-123456789abc"
        );
    }

    #[test]
    fn quotes_in_the_display_name_stay_literal() {
        let script = script(
            &Setup {
                display_name: "Zorg O'Brien $(x)".into(),
                ..setup()
            },
            SCOPE_ID,
        );
        assert!(
            script.contains(r"--display-name 'Zorg O'\''Brien $(x)'"),
            "{script}"
        );
    }

    #[test]
    fn scope_ids_are_version_4_uuids() {
        let id = random_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(id, random_uuid());
    }
}
