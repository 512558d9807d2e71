//! The development certificate, made the way mkcert makes one: a local CA that a developer or
//! tester trusts once, and a `localhost` certificate it signs. Both live in `data_dir/tls/`
//! and are reused on every start, so the trust survives restarts.
//!
//! The CA may sign only for `localhost`, `127.0.0.1` and `::1` (a name constraint), so its
//! key — which sits in the data directory — cannot be used to impersonate any other site to
//! a machine that trusts it.

use std::{
    fmt, fs, io,
    net::{Ipv4Addr, Ipv6Addr},
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use rand::RngCore;
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
    PKCS_ECDSA_P256_SHA256, SerialNumber,
};
use rustls::pki_types::{CertificateDer, pem::PemObject};
use x509_cert::der::Decode;

use crate::{Error, vault};

/// The development CA's name, as a tester finds it in their trust store.
pub const DEV_CA_NAME: &str = "Send Secure development CA";
const TLS_DIR: &str = "tls";
const CA_CERT_FILE: &str = "dev-ca.pem";
const CA_KEY_FILE: &str = "dev-ca-key.pem";
const SERVER_CERT_FILE: &str = "localhost.pem";
const SERVER_KEY_FILE: &str = "localhost-key.pem";
const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// Ten years, leap days included.
const CA_VALIDITY: Duration = DAY.saturating_mul(3_652);
/// Browsers refuse server certificates valid for longer than 398 days, even under a CA the
/// user added (Safari does).
const SERVER_VALIDITY: Duration = DAY.saturating_mul(397);
/// A certificate this close to its end is renewed at start-up, before a browser refuses it.
const RENEW_BEFORE: Duration = DAY.saturating_mul(30);
/// Certificates start an hour in the past, so a client whose clock is a little behind the
/// server's does not find them "not yet valid".
const BACKDATE: Duration = Duration::from_secs(60 * 60);

/// The development certificate `serve` uses when no certificate is configured.
pub struct DevCertificate {
    /// The CA certificate to trust in the browser or the operating system.
    pub ca_pem_path: PathBuf,
    /// The `localhost` certificate, in PEM.
    pub cert_pem: String,
    /// Its private key, in PEM.
    pub key_pem: String,
    /// The CA was made (or its certificate remade) on this call, so it needs trusting.
    pub generated: bool,
}

impl fmt::Debug for DevCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevCertificate")
            .field("ca_pem_path", &self.ca_pem_path)
            .field("generated", &self.generated)
            .finish_non_exhaustive()
    }
}

/// The development CA and `localhost` certificate in `data_dir/tls/`, made on first start
/// and reused afterwards; a certificate that nears its end is renewed under the same CA key,
/// so a CA the user already trusts stays trusted.
pub fn dev_certificate(data_dir: &Path, now: SystemTime) -> Result<DevCertificate, Error> {
    let dir = data_dir.join(TLS_DIR);
    fs::create_dir_all(&dir).map_err(|source| Error::DataDir {
        path: dir.clone(),
        source,
    })?;
    let ca = DevCa::load_or_create(&dir, now)?;
    let cert_path = dir.join(SERVER_CERT_FILE);
    let key_path = dir.join(SERVER_KEY_FILE);
    let reusable = if ca.generated {
        None
    } else {
        reusable_server_certificate(&cert_path, &key_path, now)?
    };
    let (cert_pem, key_pem) = match reusable {
        Some(pair) => pair,
        None => {
            let key = generate_key()?;
            let not_after = (now + SERVER_VALIDITY).min(ca.not_after);
            let cert_pem = server_params(now, not_after)
                .and_then(|params| params.signed_by(&key, &ca.issuer, &ca.key))
                .map_err(|error| {
                    Error::internal_from("cannot make the localhost certificate", error)
                })?
                .pem();
            let key_pem = key.serialize_pem();
            replace_private(&key_path, &key_pem)?;
            write(&cert_path, &cert_pem)?;
            (cert_pem, key_pem)
        }
    };
    Ok(DevCertificate {
        ca_pem_path: ca.cert_path,
        cert_pem,
        key_pem,
        generated: ca.generated,
    })
}

/// The development CA: its key, an rcgen certificate to sign with, and its certificate file.
struct DevCa {
    key: KeyPair,
    /// Built from the same name and key as the stored certificate, which is all a signature
    /// under it needs (the issuer name and the authority key identifier).
    issuer: rcgen::Certificate,
    not_after: SystemTime,
    cert_path: PathBuf,
    generated: bool,
}

impl DevCa {
    /// The CA in `dir`. A missing or ending CA certificate is (re)made from the kept key, so
    /// trust stores that hold the old one, keyed by name and public key, keep accepting it.
    fn load_or_create(dir: &Path, now: SystemTime) -> Result<Self, Error> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        let stored_cert = read_if_exists(&cert_path)?;
        let key = match read_if_exists(&key_path)? {
            Some(pem) => KeyPair::from_pem(&pem).map_err(|error| {
                corrupt(
                    &key_path,
                    format!(
                        "is not a private key ({error}); delete the tls directory to make a new CA"
                    ),
                )
            })?,
            None if stored_cert.is_some() => {
                // Like mkcert: a new key would silently orphan the CA the user trusts.
                return Err(corrupt(
                    &key_path,
                    format!(
                        "is missing; delete {CA_CERT_FILE} to make a new CA (and trust that one)"
                    ),
                ));
            }
            None => {
                let key = generate_key()?;
                replace_private(&key_path, &key.serialize_pem())?;
                key
            }
        };
        let stored_not_after = stored_cert.as_deref().and_then(pem_not_after);
        let (not_after, generated) = match stored_not_after {
            Some(not_after) if !ends_soon(not_after, now) => (not_after, false),
            _ => (now + CA_VALIDITY, true),
        };
        let issuer = ca_params(now, not_after)
            .self_signed(&key)
            .map_err(|error| Error::internal_from("cannot make the development CA", error))?;
        if generated {
            write(&cert_path, &issuer.pem())?;
        }
        Ok(Self {
            key,
            issuer,
            not_after,
            cert_path,
            generated,
        })
    }
}

fn ca_params(now: SystemTime, not_after: SystemTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Send Secure");
    params
        .distinguished_name
        .push(DnType::CommonName, DEV_CA_NAME);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix(Ipv4Addr::LOCALHOST.octets(), 32)),
            GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix(
                Ipv6Addr::LOCALHOST.octets(),
                128,
            )),
        ],
        excluded_subtrees: Vec::new(),
    });
    set_validity(&mut params, now, not_after);
    params
}

fn server_params(
    now: SystemTime,
    not_after: SystemTime,
) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(SERVER_NAMES.map(str::to_owned).to_vec())?;
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    set_validity(&mut params, now, not_after);
    Ok(params)
}

fn set_validity(params: &mut CertificateParams, now: SystemTime, not_after: SystemTime) {
    params.not_before = now.checked_sub(BACKDATE).unwrap_or(now).into();
    params.not_after = not_after.into();
    // rcgen otherwise derives the serial from the public key, and a CA certificate remade
    // from the same key would repeat it, which Firefox refuses.
    let mut serial = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut serial);
    serial[0] &= 0x7f;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
}

/// The stored `localhost` certificate and key, when both are there, readable and not near
/// their end; `None` means: make new ones.
fn reusable_server_certificate(
    cert_path: &Path,
    key_path: &Path,
    now: SystemTime,
) -> Result<Option<(String, String)>, Error> {
    let (Some(cert_pem), Some(key_pem)) = (read_if_exists(cert_path)?, read_if_exists(key_path)?)
    else {
        return Ok(None);
    };
    // Both are ours to remake (unlike the CA, nobody trusts them directly), so anything
    // unreadable is replaced rather than reported.
    let fresh = pem_not_after(&cert_pem).is_some_and(|not_after| !ends_soon(not_after, now));
    Ok((fresh && KeyPair::from_pem(&key_pem).is_ok()).then_some((cert_pem, key_pem)))
}

fn ends_soon(not_after: SystemTime, now: SystemTime) -> bool {
    not_after < now + RENEW_BEFORE
}

fn generate_key() -> Result<KeyPair, Error> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
        .map_err(|error| Error::internal_from("cannot generate a TLS key", error))
}

fn read_if_exists(path: &Path) -> Result<Option<String>, Error> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::DataDir {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Writes a key readable by its owner only, replacing an old one.
fn replace_private(path: &Path, pem: &str) -> Result<(), Error> {
    let data_dir_error = |source| Error::DataDir {
        path: path.to_owned(),
        source,
    };
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(data_dir_error(error)),
        _ => vault::write_private(path, pem.as_bytes()).map_err(data_dir_error),
    }
}

/// Writes a certificate: public, so readable by anyone who needs to trust or inspect it.
fn write(path: &Path, pem: &str) -> Result<(), Error> {
    fs::write(path, pem).map_err(|source| Error::DataDir {
        path: path.to_owned(),
        source,
    })
}

fn corrupt(path: &Path, problem: String) -> Error {
    Error::DataDir {
        path: path.to_owned(),
        source: io::Error::new(io::ErrorKind::InvalidData, problem),
    }
}

/// The end of the validity of the first certificate in `pem`: the one field renewal needs.
fn pem_not_after(pem: &str) -> Option<SystemTime> {
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).ok()?;
    let certificate = x509_cert::Certificate::from_der(&der).ok()?;
    Some(
        certificate
            .tbs_certificate
            .validity
            .not_after
            .to_system_time(),
    )
}

#[cfg(test)]
#[allow(
    clippy::disallowed_methods,
    reason = "rustls checks certificates against the machine's clock"
)]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::tls::{install_crypto_provider, rustls_config, rustls_config_from_files};

    /// 2026-01-01T00:00:00Z: certificates are made for a fixed time, then checked against it.
    fn start() -> SystemTime {
        humantime::parse_rfc3339("2026-01-01T00:00:00Z").expect("a valid time")
    }

    fn file(dir: &Path, name: &str) -> PathBuf {
        dir.join(TLS_DIR).join(name)
    }

    fn read(dir: &Path, name: &str) -> String {
        fs::read_to_string(file(dir, name)).expect("the file exists")
    }

    #[test]
    fn the_dev_certificate_is_made_once_and_reused() {
        let dir = tempfile::tempdir().expect("temp dir");

        let first = dev_certificate(dir.path(), start()).expect("makes");
        let second = dev_certificate(dir.path(), start() + 30 * DAY).expect("reuses");

        assert!(first.generated);
        assert!(!second.generated);
        assert_eq!(first.ca_pem_path, file(dir.path(), CA_CERT_FILE));
        assert_eq!(second.cert_pem, first.cert_pem);
        assert_eq!(second.key_pem, first.key_pem);
        assert_eq!(read(dir.path(), SERVER_CERT_FILE), first.cert_pem);
        assert_eq!(read(dir.path(), SERVER_KEY_FILE), first.key_pem);
        assert!(read(dir.path(), CA_CERT_FILE).contains("BEGIN CERTIFICATE"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for key in [CA_KEY_FILE, SERVER_KEY_FILE] {
                let mode = fs::metadata(file(dir.path(), key))
                    .expect("the key exists")
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{key}");
            }
        }
    }

    #[test]
    fn validity_is_ten_years_for_the_ca_and_397_days_for_the_server() {
        let dir = tempfile::tempdir().expect("temp dir");
        let certificate = dev_certificate(dir.path(), start()).expect("makes");

        let ca_end = pem_not_after(&read(dir.path(), CA_CERT_FILE)).expect("a CA end date");
        let server_end = pem_not_after(&certificate.cert_pem).expect("a server end date");

        assert_eq!(ca_end, start() + CA_VALIDITY);
        assert_eq!(server_end, start() + 397 * DAY);
    }

    #[test]
    fn a_server_certificate_near_its_end_is_renewed_under_the_same_ca() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = dev_certificate(dir.path(), start()).expect("makes");
        let ca = read(dir.path(), CA_CERT_FILE);
        let later = start() + 380 * DAY;

        let renewed = dev_certificate(dir.path(), later).expect("renews");

        assert!(
            !renewed.generated,
            "the CA stays, so nothing to trust again"
        );
        assert_eq!(read(dir.path(), CA_CERT_FILE), ca);
        assert_ne!(renewed.cert_pem, first.cert_pem);
        assert_ne!(renewed.key_pem, first.key_pem);
        assert_eq!(
            pem_not_after(&renewed.cert_pem),
            Some(later + SERVER_VALIDITY)
        );
    }

    #[test]
    fn a_ca_near_its_end_is_remade_from_the_same_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = dev_certificate(dir.path(), start()).expect("makes");
        let ca = read(dir.path(), CA_CERT_FILE);
        let ca_key = read(dir.path(), CA_KEY_FILE);
        let later = start() + CA_VALIDITY - 10 * DAY;

        let renewed = dev_certificate(dir.path(), later).expect("renews");

        assert!(renewed.generated, "the new CA certificate is announced");
        assert_eq!(read(dir.path(), CA_KEY_FILE), ca_key);
        assert_ne!(read(dir.path(), CA_CERT_FILE), ca);
        assert_eq!(
            pem_not_after(&read(dir.path(), CA_CERT_FILE)),
            Some(later + CA_VALIDITY)
        );
        assert_ne!(renewed.cert_pem, first.cert_pem);
    }

    #[test]
    fn a_damaged_server_certificate_is_remade() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = dev_certificate(dir.path(), start()).expect("makes");
        fs::write(file(dir.path(), SERVER_CERT_FILE), "garbage").expect("damages");

        let remade = dev_certificate(dir.path(), start()).expect("remakes");

        assert!(!remade.generated);
        assert_ne!(remade.cert_pem, first.cert_pem);
        assert!(pem_not_after(&remade.cert_pem).is_some());
    }

    #[test]
    fn a_ca_certificate_without_its_key_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        dev_certificate(dir.path(), start()).expect("makes");
        fs::remove_file(file(dir.path(), CA_KEY_FILE)).expect("removes the key");

        let error = dev_certificate(dir.path(), start()).expect_err("cannot sign");

        let message = error.to_string();
        assert!(matches!(error, Error::DataDir { .. }), "{error:?}");
        assert!(
            message.contains(CA_KEY_FILE) && message.contains("delete"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn admin_files_that_are_missing_or_wrong_name_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let certificate = dev_certificate(dir.path(), start()).expect("makes");
        let cert = file(dir.path(), SERVER_CERT_FILE);
        let key = file(dir.path(), SERVER_KEY_FILE);
        let ca_key = file(dir.path(), CA_KEY_FILE);
        let missing = dir.path().join("missing.pem");

        for (cert_path, key_path, expected_key, named) in [
            (&missing, &key, "tls_cert", &missing),
            (&cert, &missing, "tls_key", &missing),
            (&key, &key, "tls_cert", &key),
            (&cert, &cert, "tls_key", &cert),
            (&cert, &ca_key, "tls_key", &ca_key),
        ] {
            let error = rustls_config_from_files(cert_path, key_path)
                .await
                .expect_err("refused");
            let Error::InvalidConfig { key, problem } = &error else {
                panic!("unexpected error: {error:?}");
            };
            assert_eq!(*key, expected_key, "{problem}");
            assert!(problem.contains(&named.display().to_string()), "{problem}");
        }
        rustls_config_from_files(&cert, &key)
            .await
            .expect("the pair is usable");
        assert!(
            rustls_config(
                certificate.cert_pem.as_bytes(),
                certificate.key_pem.as_bytes()
            )
            .is_ok()
        );
    }

    #[test]
    fn not_after_reads_both_time_forms() {
        // UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5).
        for end in ["2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z"] {
            let end = humantime::parse_rfc3339(end).expect("a valid time");
            let key = generate_key().expect("a key");
            let certificate = ca_params(start(), end).self_signed(&key).expect("signs");
            assert_eq!(pem_not_after(&certificate.pem()), Some(end));
        }
        assert_eq!(pem_not_after("not a certificate"), None);
    }

    async fn serve(certificate: &DevCertificate) -> SocketAddr {
        let config = rustls_config(
            certificate.cert_pem.as_bytes(),
            certificate.key_pem.as_bytes(),
        )
        .expect("a TLS configuration");
        let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let handle = axum_server::Handle::new();
        let server = axum_server::bind_rustls(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config)
            .handle(handle.clone());
        tokio::spawn(server.serve(app.into_make_service()));
        handle.listening().await.expect("the server listens")
    }

    fn client(ca_pem: Option<&[u8]>, address: SocketAddr) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            // `localhost` may resolve to ::1 first; the server listens on 127.0.0.1 only.
            .resolve("localhost", address);
        if let Some(pem) = ca_pem {
            builder = builder.add_root_certificate(
                reqwest::Certificate::from_pem(pem).expect("a CA certificate"),
            );
        }
        builder.build().expect("a client")
    }

    #[tokio::test]
    async fn the_server_certificate_chains_to_the_dev_ca() {
        install_crypto_provider();
        let dir = tempfile::tempdir().expect("temp dir");
        let certificate = dev_certificate(dir.path(), SystemTime::now()).expect("makes");
        let ca_pem = fs::read(&certificate.ca_pem_path).expect("the CA file");
        let address = serve(&certificate).await;
        let trusting = client(Some(&ca_pem), address);

        for url in [
            format!("https://localhost:{}/", address.port()),
            format!("https://127.0.0.1:{}/", address.port()),
        ] {
            let response = trusting
                .get(&url)
                .send()
                .await
                .expect("a trusted handshake");
            assert_eq!(
                response.version(),
                reqwest::Version::HTTP_2,
                "ALPN offers h2"
            );
            assert_eq!(response.text().await.expect("a body"), "ok");
        }

        let error = client(None, address)
            .get(format!("https://localhost:{}/", address.port()))
            .send()
            .await
            .expect_err("the CA is not trusted");
        assert!(error.is_connect(), "{error:?}");
    }
}
