//! `POST /api/v1/send-token` (SPEC §7): a JWS the relay verifies with the published JWKS,
//! naming what was checked; refused with the verdict when the draft may not go securely;
//! recorded in the audit log without addresses.

use addin_api::clock::rfc3339;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, COLLEAGUE, HOSPITAL, MOBILE_E164, MOBILE_TYPED, PATIENT, PUBLIC_URL, SENDER, TestApp,
    draft, finding_codes, spawn_app, verify_send_token,
};

both_backends!(
    a_draft_that_cannot_go_securely_gets_the_verdict_instead,
    a_token_verifies_against_the_jwks_and_names_what_was_checked,
    each_token_is_audited_without_addresses,
    a_token_is_issued_only_for_the_signed_in_mailbox,
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

async fn a_token_verifies_against_the_jwks_and_names_what_was_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, draft) = hospital_and_patient(&app).await;

    let issued = app.post_as(&user, SEND_TOKEN, &draft).await.ok_json();

    let token = issued["token"].as_str().expect("a token");
    assert_eq!(issued["expires_at"], rfc3339(app.now() + 900));
    let claims = verify_send_token(&app, token).await;
    assert_eq!(claims["iss"], PUBLIC_URL);
    assert_eq!(claims["sub"], SENDER);
    assert_eq!(claims["iat"], app.now());
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        900,
        "15 minutes"
    );
    assert_eq!(
        claims["recipients"],
        json!([
            {"address": HOSPITAL, "field": "to", "route": "community"},
            {"address": PATIENT, "field": "to", "route": "viewer", "phone": MOBILE_E164},
        ])
    );
    assert_eq!(
        claims["attachments"],
        json!({"count": 1, "total_size": 48213})
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
    assert_eq!(row.mailbox_hash.len(), 32, "a keyed hash, not the address");
    app.finish().await;
}

/// The token's `sub` is the relay's proof of who sent it (SPEC §7): a session may only get
/// tokens for the mailbox it proved (SPEC §8), never for a colleague's.
async fn a_token_is_issued_only_for_the_signed_in_mailbox(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = app
        .post_as(&user, SEND_TOKEN, &draft(COLLEAGUE, &[HOSPITAL]))
        .await;

    reply.assert_error(StatusCode::FORBIDDEN, "sender-not-signed-in");
    app.finish().await;
}
