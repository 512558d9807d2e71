//! Text messages for the Viewer's access codes (SPEC §14): through CM.com's messaging gateway,
//! or — with no `sms.url`, in development — as JSON files in `data/sms-outbox/`.
//!
//! Why CM.com: a Dutch gateway, widely used in Dutch healthcare (DigiD, hospitals, GP systems
//! send their codes through it), with EU data processing and one small JSON API. `sms.url` is
//! that API's address with the product token as the user part:
//! `https://<product token>@gw.cmtelecom.com/v1.0/message`. The request is the documented
//! one: `POST` JSON `{"messages": {"authentication": {"producttoken": …}, "msg": [{"from":
//! …, "to": [{"number": "00316…"}], "body": {"type": "auto", "content": …}, "reference": …}]}}`.
//!
//! Neither the number nor the text (it holds a code) is ever logged or put in an error.

use std::{path::PathBuf, time::Duration};

use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::Error;

/// One text message, before it goes.
pub struct Sms {
    /// E.164.
    pub to: String,
    pub text: String,
}

/// Shows neither the number nor the text.
impl std::fmt::Debug for Sms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sms").finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("the SMS gateway refused the message (HTTP {0})")]
    Refused(u16),
    #[error("cannot reach the SMS gateway: {0}")]
    Unreachable(String),
    #[error("cannot write to the SMS outbox {path}: {source}")]
    Outbox {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where text messages go.
#[derive(Debug)]
pub enum SmsGateway {
    CmCom {
        endpoint: Url,
        product_token: SecretString,
        sender: String,
        http: reqwest::Client,
    },
    Outbox {
        dir: PathBuf,
    },
}

const TIMEOUT: Duration = Duration::from_secs(15);

impl SmsGateway {
    /// The gateway `sms.url` names, or the outbox in `outbox_dir`. `http` is the server's
    /// outgoing HTTPS client (its extra CA included); plain `http://` is allowed only to a
    /// gateway on this machine.
    pub fn from_config(
        url: Option<&str>,
        sender: &str,
        http: reqwest::Client,
        outbox_dir: PathBuf,
    ) -> Result<Self, Error> {
        let invalid = |key, problem: &str| Error::InvalidConfig {
            key,
            problem: problem.into(),
        };
        let sender = sender.trim();
        let alphanumeric = !sender.is_empty()
            && sender.len() <= 11
            && sender
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ');
        let numeric = sender.starts_with('+')
            && sender.len() <= 16
            && sender[1..].chars().all(|c| c.is_ascii_digit());
        if !alphanumeric && !numeric {
            return Err(invalid(
                "sms.sender",
                "must be at most 11 letters and digits, or a phone number like +31612345678",
            ));
        }
        let Some(url) = url.map(str::trim).filter(|url| !url.is_empty()) else {
            tracing::warn!(
                outbox = %outbox_dir.display(),
                "sms.url is not set: Viewer access codes are written to the SMS outbox, not sent (development only)"
            );
            return Ok(Self::Outbox { dir: outbox_dir });
        };
        // The URL holds the product token: it is never quoted back.
        let usage = "must be https://<product token>@gw.cmtelecom.com/v1.0/message (CM.com)";
        let mut endpoint = Url::parse(url).map_err(|_| invalid("sms.url", usage))?;
        let loopback = endpoint.host_str().is_some_and(|host| {
            host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
        let secure = endpoint.scheme() == "https" || (endpoint.scheme() == "http" && loopback);
        let token = percent_encoding::percent_decode_str(endpoint.username())
            .decode_utf8()
            .map(|token| token.into_owned())
            .unwrap_or_default();
        if !secure || token.is_empty() || endpoint.password().is_some() {
            return Err(invalid("sms.url", usage));
        }
        // Sent in the body, as the API wants it, never in the URL.
        let _ = endpoint.set_username("");
        Ok(Self::CmCom {
            endpoint,
            product_token: SecretString::from(token),
            sender: sender.to_owned(),
            http,
        })
    }

    /// Sends one message; `reference` (no personal data) ties it to the audit log.
    pub async fn send(&self, sms: &Sms, reference: &str) -> Result<(), SmsError> {
        match self {
            Self::CmCom {
                endpoint,
                product_token,
                sender,
                http,
            } => {
                let body = json!({
                    "messages": {
                        "authentication": {"producttoken": product_token.expose_secret()},
                        "msg": [{
                            "from": sender,
                            "to": [{"number": international(&sms.to)}],
                            "body": {"type": "auto", "content": sms.text},
                            "reference": reference,
                        }],
                    }
                });
                let response = http
                    .post(endpoint.clone())
                    .timeout(TIMEOUT)
                    .json(&body)
                    .send()
                    .await
                    .map_err(|error| SmsError::Unreachable(describe(error)))?;
                let status = response.status();
                if status.is_success() {
                    Ok(())
                } else {
                    Err(SmsError::Refused(status.as_u16()))
                }
            }
            Self::Outbox { dir } => write_outbox(dir, sms).await,
        }
    }
}

/// CM.com takes numbers as `00` and the country code: `+31612345678` → `0031612345678`.
fn international(e164: &str) -> String {
    format!("00{}", e164.trim_start_matches('+'))
}

fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time".into()
    } else if error.is_connect() {
        "no connection".into()
    } else {
        error.without_url().to_string()
    }
}

/// `{"to": "+31…", "text": "…"}` in a file of its own, readable by the server's user only.
async fn write_outbox(dir: &PathBuf, sms: &Sms) -> Result<(), SmsError> {
    let failed = |path: &PathBuf| {
        let path = path.clone();
        move |source| SmsError::Outbox { path, source }
    };
    tokio::fs::create_dir_all(dir).await.map_err(failed(dir))?;
    let name = format!("sms-{:032x}", rand::rngs::OsRng.r#gen::<u128>());
    let path = dir.join(format!("{name}.json"));
    let partial = dir.join(format!("{name}.part"));
    let json = json!({"to": sms.to, "text": sms.text}).to_string();
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let written = async {
        let mut file = options.open(&partial).await?;
        file.write_all(json.as_bytes()).await?;
        file.flush().await?;
        tokio::fs::rename(&partial, &path).await
    };
    written.await.map_err(failed(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(url: Option<&str>, sender: &str) -> Result<SmsGateway, Error> {
        crate::tls::install_crypto_provider();
        SmsGateway::from_config(url, sender, reqwest::Client::new(), std::env::temp_dir())
    }

    #[test]
    fn the_url_carries_the_token_which_is_never_quoted() {
        let SmsGateway::CmCom {
            endpoint,
            product_token,
            sender,
            ..
        } = gateway(
            Some("https://f1e2d3c4-0000-1111-2222-333344445555@gw.cmtelecom.com/v1.0/message"),
            "SendSecure",
        )
        .expect("valid")
        else {
            panic!("CM.com");
        };
        assert_eq!(endpoint.as_str(), "https://gw.cmtelecom.com/v1.0/message");
        assert_eq!(
            product_token.expose_secret(),
            "f1e2d3c4-0000-1111-2222-333344445555"
        );
        assert_eq!(sender, "SendSecure");
        for bad in [
            "http://secret-token@gw.cmtelecom.com/v1.0/message",
            "https://gw.cmtelecom.com/v1.0/message",
            "https://secret-token:pw@gw.cmtelecom.com/v1.0/message",
            "not a url secret-token",
        ] {
            let text = gateway(Some(bad), "SendSecure").expect_err(bad).to_string();
            assert!(
                text.starts_with("invalid configuration: sms.url must be"),
                "{text}"
            );
            assert!(!text.contains("secret-token"), "{text}");
        }
        assert!(gateway(Some("http://t@127.0.0.1:9000/v1.0/message"), "X").is_ok());
    }

    #[test]
    fn the_sender_is_what_networks_carry() {
        for good in ["SendSecure", "Praktijk 12", "+31612345678"] {
            assert!(gateway(None, good).is_ok(), "{good}");
        }
        for bad in ["", "Huisartsenpraktijk", "Zorg & Co", "+31 6 1234"] {
            assert!(
                matches!(
                    gateway(None, bad),
                    Err(Error::InvalidConfig {
                        key: "sms.sender",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn numbers_go_out_with_00() {
        assert_eq!(international("+31612345678"), "0031612345678");
    }

    #[tokio::test]
    async fn the_outbox_gets_a_private_json_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let outbox = SmsGateway::Outbox {
            dir: dir.path().join("sms-outbox"),
        };
        outbox
            .send(
                &Sms {
                    to: "+31612345678".into(),
                    text: "Code 123456".into(),
                },
                "ref",
            )
            .await
            .expect("written");
        let files: Vec<_> = std::fs::read_dir(dir.path().join("sms-outbox"))
            .expect("the outbox")
            .map(|entry| entry.expect("an entry").path())
            .collect();
        assert_eq!(files.len(), 1);
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&files[0]).expect("readable")).expect("JSON");
        assert_eq!(
            written,
            json!({"to": "+31612345678", "text": "Code 123456"})
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files[0])
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
