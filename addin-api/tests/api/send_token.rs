//! `POST /api/v1/send-token` (SPEC §7): a JWS the relay verifies with the published JWKS that
//! names no one — what was checked is the sealed dispatch under its `jti`; refused with the
//! verdict when the draft may not go securely; recorded in the audit log without addresses.

use addin_api::clock::rfc3339;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, COLLEAGUE, HOSPITAL, MOBILE_E164, MOBILE_TYPED, PATIENT, PUBLIC_URL, SENDER, TestApp,
    draft, finding_codes, spawn_app, verify_send_token,
};

both_backends!(
    a_draft_that_cannot_go_securely_gets_the_verdict_instead,
    a_token_verifies_against_the_jwks_and_names_no_one,
    no_token_holds_an_address_a_phone_number_or_a_field,
    the_coverage_digest_is_keyed_with_the_device,
    each_token_is_audited_without_addresses,
);

const SEND_TOKEN: &str = "/api/v1/send-token";

/// To a hospital and a patient whose number is saved: one community and one Viewer route.
async fn hospital_and_patient(app: &TestApp) -> (crate::helpers::Session, Value) {
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    (user, draft(SENDER, &[HOSPITAL, PATIENT]))
}

async fn a_draft_that_cannot_go_securely_gets_the_verdict_instead(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    let mut unsafe_attachment = draft(SENDER, &[HOSPITAL]);
    unsafe_attachment["attachments"] = json!([{"name": "scan.pdf.exe.", "size": 734003}]);

    let reply = app.post_as(&user, SEND_TOKEN, &unsafe_attachment).await;

    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "cannot-send-secure");
    let verdict = &reply.json()["verdict"];
    assert_eq!(verdict["can_send_secure"], false, "{verdict}");
    assert_eq!(finding_codes(verdict), ["attachment-blocked-type"]);
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert!(rows.is_empty(), "no token, no audit entry: {rows:?}");
    app.finish().await;
}

async fn a_token_verifies_against_the_jwks_and_names_no_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, draft) = hospital_and_patient(&app).await;

    let issued = app.post_as(&user, SEND_TOKEN, &draft).await.ok_json();

    let token = issued["token"].as_str().expect("a token");
    assert_eq!(issued["expires_at"], rfc3339(app.now() + 900));
    let claims = verify_send_token(&app, token).await;
    let names: Vec<&str> = claims
        .as_object()
        .expect("claims")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["aud", "cov", "exp", "iat", "iss", "jti"]);
    assert_eq!(claims["iss"], PUBLIC_URL);
    assert_eq!(claims["aud"], "sendsecure-relay");
    assert_eq!(claims["iat"], app.now());
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        900,
        "15 minutes"
    );
    // What was checked is the dispatch, sealed under the jti.
    let dispatch = app
        .state()
        .dispatches
        .find(claims["jti"].as_str().expect("a jti"))
        .await
        .expect("reads")
        .expect("stored")
        .dispatch;
    assert_eq!(dispatch.sender, SENDER);
    let recipients = serde_json::to_value(&dispatch.recipients).expect("JSON");
    assert_eq!(
        recipients,
        json!([
            {"address": HOSPITAL, "field": "to", "route": "community"},
            {"address": PATIENT, "field": "to", "route": "viewer", "phone": MOBILE_E164},
        ])
    );
    assert_eq!(
        (
            dispatch.attachments.count,
            dispatch.attachments.files,
            dispatch.attachments.total_size
        ),
        (1, 1, 48213)
    );
    app.finish().await;
}

/// The leak this design closes: every recipient can read the header, so no token may tell
/// who else got the mail, in which field, or a patient's number.
async fn no_token_holds_an_address_a_phone_number_or_a_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    let mut drafts = vec![
        draft(SENDER, &[HOSPITAL]),
        draft(SENDER, &[HOSPITAL, PATIENT]),
        draft(SENDER, &[SENDER]),
    ];
    let mut with_bcc = draft(SENDER, &[SENDER]);
    with_bcc["bcc"] = json!([{"address": PATIENT}]);
    drafts.push(with_bcc);
    let mut with_cc = draft(SENDER, &[PATIENT]);
    with_cc["cc"] = json!([{"address": COLLEAGUE}, {"address": HOSPITAL}]);
    with_cc["phones"] = json!({ PATIENT: "+31 6 1234 5678" });
    drafts.push(with_cc);

    for draft in drafts {
        let issued = app.post_as(&user, SEND_TOKEN, &draft).await.ok_json();
        let token = issued["token"].as_str().expect("a token");
        let mut decoded = String::new();
        for part in token.split('.').take(2) {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .expect("base64url");
            decoded.push_str(&String::from_utf8(bytes).expect("JSON text"));
        }
        assert!(!decoded.contains('@'), "no address: {decoded}");
        for field in [
            "\"to\"",
            "\"cc\"",
            "\"bcc\"",
            "recipients",
            "phone",
            "route",
        ] {
            assert!(!decoded.contains(field), "no {field}: {decoded}");
        }
        let longest_digit_run = decoded
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        // iat and exp are 10-digit Unix times; a phone number has at least 9 digits of its
        // own, and the only other claim with digits is base64 that splits them up.
        assert!(longest_digit_run <= 10, "{decoded}");
        for needle in ["612345678", "31612345678"] {
            assert!(!decoded.contains(needle), "no phone number: {decoded}");
        }
    }
    app.finish().await;
}

/// The send handler recomputes `cov` from the draft and the device id it holds (see
/// `tests/vectors/coverage.json`): the same draft from another device gets another digest.
async fn the_coverage_digest_is_keyed_with_the_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, draft) = hospital_and_patient(&app).await;
    let other_device = app.sign_in(SENDER).await;

    let mut digests = Vec::new();
    for session in [&user, &user, &other_device] {
        let issued = app.post_as(session, SEND_TOKEN, &draft).await.ok_json();
        let claims = verify_send_token(&app, issued["token"].as_str().expect("a token")).await;
        digests.push(claims["cov"].as_str().expect("a digest").to_owned());
    }

    assert_eq!(digests[0], digests[1], "the same draft on the same device");
    assert_ne!(digests[0], digests[2], "keyed with the device id");
    assert_eq!(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&digests[0])
            .expect("base64url")
            .len(),
        32,
        "HMAC-SHA-256"
    );
    app.finish().await;
}

async fn each_token_is_audited_without_addresses(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, draft) = hospital_and_patient(&app).await;

    let issued = app.post_as(&user, SEND_TOKEN, &draft).await.ok_json();

    let claims = verify_send_token(&app, issued["token"].as_str().expect("a token")).await;
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row.kind, "send-token");
    assert_eq!(row.token_id.as_deref(), claims["jti"].as_str());
    assert_eq!(row.recipient_count, 2);
    assert_eq!(row.routes.as_deref(), Some("community=1,viewer=1"));
    assert_eq!(row.codes, None);
    assert_eq!(
        row.mailbox_hash.as_ref().map(Vec::len),
        Some(32),
        "a keyed hash, not the address"
    );
    app.finish().await;
}
