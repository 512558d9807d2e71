//! `POST /api/v1/events` (SPEC §7): normal sends and send-handler blocks, kept in the audit
//! log with their finding codes.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, SENDER, spawn_app};

both_backends!(
    a_standard_send_is_audited_with_its_codes,
    a_block_on_send_is_audited_with_its_codes,
    an_unknown_kind_or_code_is_refused,
);

const EVENTS: &str = "/api/v1/events";

async fn a_standard_send_is_audited_with_its_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = app
        .post_as(
            &user,
            EVENTS,
            &json!({"kind": "standard-send", "codes": ["phone-required"]}),
        )
        .await;

    reply.assert_status(StatusCode::NO_CONTENT);
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].kind, "standard-send");
    assert_eq!(rows[0].codes.as_deref(), Some("phone-required"));
    assert_eq!(rows[0].token_id, None);
    app.finish().await;
}

async fn a_block_on_send_is_audited_with_its_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = app
        .post_as(
            &user,
            EVENTS,
            &json!({
                "kind": "blocked-on-send",
                "codes": ["phone-required", "attachment-blocked-type"],
            }),
        )
        .await;

    reply.assert_status(StatusCode::NO_CONTENT);
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].kind, "blocked-on-send");
    assert_eq!(
        rows[0].codes.as_deref(),
        Some("phone-required,attachment-blocked-type")
    );
    app.finish().await;
}

async fn an_unknown_kind_or_code_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for bad in [
        json!({"kind": "sent-anyway", "codes": []}),
        json!({"kind": "standard-send", "codes": ["looks-fine"]}),
        json!({"codes": []}),
    ] {
        let reply = app.post_as(&user, EVENTS, &bad).await;

        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        reply.assert_error(StatusCode::BAD_REQUEST, "invalid-json");
    }
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert!(rows.is_empty(), "nothing recorded: {rows:?}");
    app.finish().await;
}
