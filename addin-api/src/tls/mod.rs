//! HTTPS for `serve` (SPEC §10): Office loads add-ins only over HTTPS.
//!
//! An admin gives a certificate and key (`--tls-cert`/`--tls-key`): [`rustls_config_from_files`].
//! Without them `serve` uses a development certificate ([`dev_ca`]).

mod dev_ca;

use std::{fmt, path::Path, sync::Arc};

use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer,
    pem::{self, PemObject},
};

pub use self::dev_ca::{DEV_CA_NAME, DevCertificate, dev_certificate};
use crate::Error;

/// Makes rustls' ring provider the process default, which reqwest's client (built without a
/// provider of its own) needs. Call it before any TLS client is built.
pub fn install_crypto_provider() {
    // An error means a provider is already installed (by an earlier call): that one serves.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The TLS configuration for a certificate chain (leaf first) and its private key, in PEM.
pub fn rustls_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<RustlsConfig, Error> {
    server_config(cert_pem, None, key_pem, None)
}

/// The TLS configuration for the admin's certificate and key files (`--tls-cert`, `--tls-key`).
pub async fn rustls_config_from_files(cert: &Path, key: &Path) -> Result<RustlsConfig, Error> {
    let cert_pem = tokio::fs::read(cert)
        .await
        .map_err(|error| invalid("tls_cert", Some(cert), format!("cannot be read: {error}")))?;
    let key_pem = tokio::fs::read(key)
        .await
        .map_err(|error| invalid("tls_key", Some(key), format!("cannot be read: {error}")))?;
    server_config(&cert_pem, Some(cert), &key_pem, Some(key))
}

fn server_config(
    cert_pem: &[u8],
    cert_path: Option<&Path>,
    key_pem: &[u8],
    key_path: Option<&Path>,
) -> Result<RustlsConfig, Error> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| invalid("tls_cert", cert_path, format!("is not valid PEM: {error}")))?;
    if chain.is_empty() {
        return Err(invalid(
            "tls_cert",
            cert_path,
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|error| match error {
        pem::Error::NoItemsFound => invalid(
            "tls_key",
            key_path,
            "holds no PEM private key (PKCS#8, PKCS#1 or SEC1)",
        ),
        error => invalid("tls_key", key_path, format!("is not valid PEM: {error}")),
    })?;
    // The provider is named here rather than taken from the process default, so building the
    // server's configuration cannot depend on `install_crypto_provider` having run.
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| Error::internal_from("TLS protocol versions", error))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|error| {
        invalid(
            "tls_key",
            key_path,
            format!("cannot be used with the certificate: {error}"),
        )
    })?;
    // Without ALPN a client cannot choose HTTP/2 and falls back to HTTP/1.1 for everything.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(RustlsConfig::from_config(Arc::new(config)))
}

fn invalid(key: &'static str, path: Option<&Path>, problem: impl fmt::Display) -> Error {
    let problem = match path {
        Some(path) => format!("({}) {problem}", path.display()),
        None => problem.to_string(),
    };
    Error::InvalidConfig { key, problem }
}
