//! Outgoing mail, whatever its content: an SMTP server given by URL (lettre, with TLS), or —
//! with no URL, in development — a folder of `.eml` files. Sign-in codes (`smtp.url`) and
//! the relay's next hop (`relay.next_hop`) both go out this way.
//!
//! Nothing here logs, or puts in an error, an address or a server's reply text: a reply may
//! quote the recipient. Of a refusal only its status code is kept.

use std::path::{Path, PathBuf};

use lettre::address::Envelope;
use rand::Rng;
use tokio::io::AsyncWriteExt;

use crate::Error;

mod smtp;

pub use smtp::SmtpClient;

/// Where mail goes.
#[derive(Debug)]
pub enum Transport {
    Smtp(SmtpClient),
    Outbox(Outbox),
}

/// Where a message went, for the log.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted by the SMTP server.
    Smtp,
    /// Written to this `.eml` file.
    Outbox(PathBuf),
}

/// Why a message did not go, in words that never quote the server.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendFailure {
    /// Worth trying again later: the server deferred it (4xx), or could not be reached.
    #[error("{0}")]
    Temporary(String),
    /// The server refused it for good (5xx), or it cannot be sent as it is.
    #[error("{0}")]
    Permanent(String),
}

impl Transport {
    /// SMTP to `url` (key names the policy key, for error messages), or the outbox when
    /// there is none. `extra_roots` (PEM) are trusted for the server's certificate beside the
    /// public roots.
    pub fn from_config(
        url: Option<&str>,
        key: &'static str,
        extra_roots: Option<&Path>,
        outbox: Outbox,
    ) -> Result<Self, Error> {
        match url.map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) => SmtpClient::from_url(url, key, extra_roots).map(Self::Smtp),
            None => Ok(Self::Outbox(outbox)),
        }
    }

    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<Delivery, SendFailure> {
        match self {
            // lettre ends DATA with CRLF "." CRLF whatever the message ends with; without
            // this, a message that ends in CRLF (they all do) would gain an empty line.
            Self::Smtp(client) => client
                .send(envelope, raw.strip_suffix(b"\r\n").unwrap_or(raw))
                .await
                .map(|_| Delivery::Smtp)
                .map_err(|failure| classify(&failure)),
            Self::Outbox(outbox) => outbox
                .write(envelope, raw)
                .await
                .map(Delivery::Outbox)
                .map_err(|error| {
                    SendFailure::Temporary(format!(
                        "cannot write to the outbox {}: {error}",
                        outbox.dir.display()
                    ))
                }),
        }
    }
}

/// A failure in words that never quote the server's reply (it may name the recipient).
fn classify(failure: &smtp::Failure) -> SendFailure {
    let error = match failure {
        smtp::Failure::Smtp(error) => error,
        smtp::Failure::Connect(error) => {
            return SendFailure::Temporary(format!("cannot reach the SMTP server: {error}"));
        }
        smtp::Failure::Tls(error) => {
            return SendFailure::Temporary(format!("TLS with the SMTP server failed: {error}"));
        }
        smtp::Failure::TimedOut => {
            return SendFailure::Temporary("the SMTP server did not answer in time".into());
        }
    };
    let cause = || {
        std::error::Error::source(error).map_or_else(String::new, |source| format!(": {source}"))
    };
    if let Some(code) = error.status() {
        if error.is_permanent() {
            SendFailure::Permanent(format!("the SMTP server refused the message ({code})"))
        } else {
            SendFailure::Temporary(format!("the SMTP server deferred the message ({code})"))
        }
    } else if error.is_timeout() {
        SendFailure::Temporary("the SMTP server did not answer in time".into())
    } else if error.is_tls() {
        SendFailure::Temporary(format!("TLS with the SMTP server failed{}", cause()))
    } else if error.is_response() || error.is_client() {
        SendFailure::Temporary("the SMTP server's answer was not understood".into())
    } else {
        SendFailure::Temporary(format!("cannot talk to the SMTP server{}", cause()))
    }
}

// ---- The outbox ----------------------------------------------------------------------------

/// A folder that takes each message as a file of its own, readable by the server's user only
/// (a message may hold a live sign-in code or a Viewer link).
#[derive(Clone, Debug)]
pub struct Outbox {
    pub dir: PathBuf,
    /// Starts each file name, so the kind of message shows in a listing.
    pub prefix: &'static str,
    /// Whether to write the envelope beside the message (`NAME.envelope.json`): the headers
    /// do not show Bcc recipients, the envelope does.
    pub with_envelope: bool,
}

impl Outbox {
    async fn write(&self, envelope: &Envelope, raw: &[u8]) -> std::io::Result<PathBuf> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let name = format!("{}-{:032x}", self.prefix, rand::rngs::OsRng.r#gen::<u128>());
        if self.with_envelope {
            let json = serde_json::json!({
                "from": envelope.from().map(ToString::to_string),
                "to": envelope.to().iter().map(ToString::to_string).collect::<Vec<_>>(),
            });
            self.write_file(
                &format!("{name}.envelope.json"),
                json.to_string().as_bytes(),
            )
            .await?;
        }
        // The message last, so whoever watches for `.eml` finds its envelope there already.
        self.write_file(&format!("{name}.eml"), raw).await
    }

    /// Written under another name and renamed when complete, so whoever watches the folder
    /// never reads half a file.
    async fn write_file(&self, name: &str, contents: &[u8]) -> std::io::Result<PathBuf> {
        let path = self.dir.join(name);
        let partial = self.dir.join(format!("{name}.part"));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&partial).await?;
        file.write_all(contents).await?;
        // tokio writes in the background: flush so the file is complete when renamed.
        file.flush().await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(dir: &Path, with_envelope: bool) -> Outbox {
        Outbox {
            dir: dir.join("outbox"),
            prefix: "test",
            with_envelope,
        }
    }

    fn envelope() -> Envelope {
        Envelope::new(
            Some("a.jansen@huisartsen-oost.nl".parse().expect("an address")),
            vec![
                "b@zorgmail.nl".parse().expect("an address"),
                "c@zorgmail.nl".parse().expect("an address"),
            ],
        )
        .expect("an envelope")
    }

    fn transport(url: &str) -> Result<Transport, Error> {
        let dir = std::env::temp_dir();
        Transport::from_config(Some(url), "relay.next_hop", None, outbox(&dir, false))
    }

    #[test]
    fn urls_are_checked_without_being_quoted() {
        for bad in [
            "http://user:hunter2@mail.example.nl",
            "smtp://user:hunter2@mail.example.nl?tls=sometimes",
            "not a url hunter2",
        ] {
            let text = transport(bad).expect_err(bad).to_string();
            assert!(
                text.starts_with("invalid configuration: relay.next_hop must be"),
                "{text}"
            );
            assert!(!text.contains("hunter2"), "{text}");
        }
        for good in [
            "smtp://127.0.0.1:2525",
            "smtp://mail.example.nl:587?tls=required",
            "smtp://127.0.0.1?tls=opportunistic",
            "smtps://user:secret@mail.example.nl",
        ] {
            assert!(transport(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn plain_smtp_to_another_machine_is_refused() {
        for refused in [
            "smtp://mail.example.nl:25",
            "smtp://mail.example.nl?tls=opportunistic",
            "smtp://10.0.0.8",
        ] {
            let text = transport(refused).expect_err(refused).to_string();
            assert!(text.contains("must require TLS"), "{text}");
        }
        for allowed in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
            "smtp://[::1]:25",
            "smtp://mail.example.nl?tls=required",
            "smtps://mail.example.nl",
        ] {
            assert!(transport(allowed).is_ok(), "{allowed}");
        }
    }

    #[tokio::test]
    async fn the_outbox_gets_private_files_and_the_envelope_when_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let transport = Transport::Outbox(outbox(dir.path(), true));

        let Delivery::Outbox(path) = transport
            .send(&envelope(), b"Subject: x\r\n\r\nbody\r\n")
            .await
            .expect("written")
        else {
            panic!("the outbox writes files");
        };

        assert_eq!(path.extension().and_then(|e| e.to_str()), Some("eml"));
        assert_eq!(
            std::fs::read(&path).expect("readable"),
            b"Subject: x\r\n\r\nbody\r\n"
        );
        let envelope_path = path.with_extension("envelope.json");
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&envelope_path).expect("an envelope"))
                .expect("JSON");
        assert_eq!(
            written,
            serde_json::json!({
                "from": "a.jansen@huisartsen-oost.nl",
                "to": ["b@zorgmail.nl", "c@zorgmail.nl"],
            })
        );
        let files = std::fs::read_dir(dir.path().join("outbox"))
            .expect("the outbox")
            .count();
        assert_eq!(files, 2, "no partial file is left behind");
        #[cfg(unix)]
        for file in [&path, &envelope_path] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
