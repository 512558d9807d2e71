//! Settings that would weaken sign-in stop the server at start-up (issue 12), rather than
//! leave it running open: the admin reads which key to fix.

use addin_api::Error;

use crate::helpers::{Backend, TestApp};

/// Starts with `key` set to `value`; the key the start-up error names.
async fn refused_key(settings: &[(&str, toml::Value)]) -> &'static str {
    let mut builder = TestApp::builder(Backend::Sqlite);
    for (key, value) in settings {
        builder = builder.set(key, value.clone());
    }
    match builder.try_start().await {
        Err(Error::InvalidConfig { key, .. }) => key,
        Err(other) => panic!("expected a configuration error, got {other:?}"),
        Ok(_) => panic!("the server started with {settings:?}"),
    }
}

#[tokio::test]
async fn email_codes_need_the_organisations_domains() {
    let empty = toml::Value::Array(Vec::new());
    assert_eq!(
        refused_key(&[("organisation.domains", empty.clone())]).await,
        "organisation.domains"
    );

    // Entra ID needs no domains to sign in.
    let entra = TestApp::builder(Backend::Sqlite)
        .set("organisation.domains", empty)
        .set("auth.method", "entra-id")
        .set(
            "auth.entra.client_id",
            "00000000-0000-0000-0000-00000000c0de",
        )
        .set(
            "auth.entra.tenants",
            toml::Value::Array(vec!["11111111-1111-1111-1111-111111111111".into()]),
        )
        .start()
        .await;
    entra.finish().await;
}

#[tokio::test]
async fn sign_in_mail_without_tls_to_another_machine_is_refused() {
    for url in [
        "smtp://mail.example.nl:25",
        "smtp://mail.example.nl?tls=opportunistic",
        "smtp://10.0.0.8:587",
    ] {
        assert_eq!(
            refused_key(&[("smtp.url", url.into())]).await,
            "smtp.url",
            "{url}"
        );
    }
    for url in ["smtp://127.0.0.1:2525", "smtps://mail.example.nl"] {
        let app = TestApp::builder(Backend::Sqlite)
            .set("smtp.url", url)
            .start()
            .await;
        app.finish().await;
    }
}
