//! Bad input on every JSON endpoint (SPEC §11, §12): a 4xx with the JSON error body naming
//! the problem, never a 500, and never an address or phone number from the request quoted
//! back (it would end up in the panel's logs and screenshots).

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, MOBILE_TYPED, PATIENT, Reply, SENDER, Session, TestApp, draft, pairing_path, send,
    spawn_app,
};

both_backends!(
    valid_bodies_are_accepted,
    json_with_a_charset_or_in_capitals_is_accepted,
    malformed_json_is_a_bad_request,
    a_body_without_json_content_type_is_a_bad_request,
    an_unknown_field_is_a_bad_request,
    an_unknown_value_is_a_bad_request,
    an_oversized_body_is_refused_as_too_large,
    a_post_to_an_unknown_path_is_a_json_404,
    a_wrong_method_is_a_json_405,
);

/// The JSON body limit of the API (256 KiB).
const BODY_LIMIT: usize = 256 * 1024;

/// Texts from the requests below that must never come back in an error message.
const PRIVATE: [&str; 4] = [PATIENT, "m.bakker", "612345678", "87654321"];

/// A JSON endpoint and bodies for it: one it accepts, one with an unknown field, one with a
/// value outside its type.
struct Endpoint {
    method: Method,
    path: String,
    valid: Value,
    unknown_field: Value,
    unknown_value: Value,
}

fn json_endpoints() -> Vec<Endpoint> {
    let mut typed_phone = draft(SENDER, &[PATIENT]);
    typed_phone["phones"] = json!({ PATIENT: "+31 6 87654321" });
    let mut group = typed_phone.clone();
    group["to"] = json!([{"address": PATIENT, "kind": "group"}]);
    let mut with_patient_field = typed_phone.clone();
    with_patient_field[PATIENT] = json!("06 87654321");
    vec![
        Endpoint {
            method: Method::POST,
            path: "/api/v1/check".into(),
            valid: typed_phone.clone(),
            unknown_field: with_patient_field.clone(),
            unknown_value: group.clone(),
        },
        Endpoint {
            method: Method::POST,
            path: "/api/v1/send-token".into(),
            valid: typed_phone,
            unknown_field: with_patient_field,
            unknown_value: group,
        },
        Endpoint {
            method: Method::PUT,
            path: pairing_path(PATIENT),
            valid: json!({"phone": MOBILE_TYPED}),
            unknown_field: json!({"phone": MOBILE_TYPED, "m.bakker@example.com": "x"}),
            unknown_value: json!({"phone": 612_345_678}),
        },
        Endpoint {
            method: Method::PUT,
            path: "/api/v1/settings".into(),
            valid: json!({"language": "nl", "send_delay_seconds": 5}),
            unknown_field: json!({"language": "nl", "send_delay_seconds": 5, "theme": "dark"}),
            unknown_value: json!({"language": "fr", "send_delay_seconds": 5}),
        },
        Endpoint {
            method: Method::POST,
            path: "/api/v1/events".into(),
            valid: json!({"kind": "standard-send", "codes": ["phone-advised"]}),
            unknown_field: json!({"kind": "standard-send", "codes": [], "recipient": PATIENT}),
            unknown_value: json!({"kind": "m.bakker@example.com", "codes": []}),
        },
    ]
}

/// Sends `body` as it is, with `content_type` if any.
async fn send_raw(
    app: &TestApp,
    user: &Session,
    endpoint: &Endpoint,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let mut request = user
        .authorize(app.request(endpoint.method.clone(), &endpoint.path))
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    send(request).await
}

/// The SPEC §12 error, with nothing private in its message.
#[track_caller]
fn assert_private_error(reply: &Reply, endpoint: &Endpoint, status: StatusCode, code: &str) {
    assert_eq!(
        reply.status, status,
        "{} {}: {}",
        endpoint.method, endpoint.path, reply.body
    );
    let message = reply.assert_error(status, code);
    for private in PRIVATE {
        assert!(
            !message.contains(private),
            "{} {} quotes {private:?}: {message}",
            endpoint.method,
            endpoint.path
        );
    }
}

async fn valid_bodies_are_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for endpoint in json_endpoints() {
        let reply = app
            .call_as(
                &user,
                endpoint.method.clone(),
                &endpoint.path,
                Some(&endpoint.valid),
            )
            .await;

        assert!(
            reply.status.is_success(),
            "{} {}: {} {}",
            endpoint.method,
            endpoint.path,
            reply.status,
            reply.body
        );
    }
    app.finish().await;
}

async fn json_with_a_charset_or_in_capitals_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for endpoint in json_endpoints() {
        for content_type in ["application/json; charset=utf-8", "Application/JSON"] {
            let body = endpoint.valid.to_string();

            let reply = send_raw(&app, &user, &endpoint, Some(content_type), body).await;

            assert!(
                reply.status.is_success(),
                "{} {} as {content_type}: {} {}",
                endpoint.method,
                endpoint.path,
                reply.status,
                reply.body
            );
        }
    }
    app.finish().await;
}

async fn malformed_json_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for endpoint in json_endpoints() {
        for body in [
            r#"{"sender": "m.bakker@example.com", "phone": "0612345678","#,
            "",
            "null",
            "[]",
        ] {
            let reply = send_raw(&app, &user, &endpoint, Some("application/json"), body).await;

            assert_private_error(&reply, &endpoint, StatusCode::BAD_REQUEST, "invalid-json");
        }
    }
    app.finish().await;
}

async fn a_body_without_json_content_type_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for endpoint in json_endpoints() {
        let body = endpoint.valid.to_string();
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let reply = send_raw(&app, &user, &endpoint, content_type, body.clone()).await;

            assert_private_error(
                &reply,
                &endpoint,
                StatusCode::BAD_REQUEST,
                "unsupported-media-type",
            );
        }
    }
    app.finish().await;
}

async fn an_unknown_field_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for endpoint in json_endpoints() {
        let reply = app
            .call_as(
                &user,
                endpoint.method.clone(),
                &endpoint.path,
                Some(&endpoint.unknown_field),
            )
            .await;

        assert_private_error(&reply, &endpoint, StatusCode::BAD_REQUEST, "invalid-json");
    }
    app.finish().await;
}

async fn an_unknown_value_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for endpoint in json_endpoints() {
        let reply = app
            .call_as(
                &user,
                endpoint.method.clone(),
                &endpoint.path,
                Some(&endpoint.unknown_value),
            )
            .await;

        assert_private_error(&reply, &endpoint, StatusCode::BAD_REQUEST, "invalid-json");
    }
    app.finish().await;
}

async fn an_oversized_body_is_refused_as_too_large(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    let padding = " ".repeat(BODY_LIMIT);

    for endpoint in json_endpoints() {
        let body = format!("{padding}{}", endpoint.valid);

        let reply = send_raw(&app, &user, &endpoint, Some("application/json"), body).await;

        assert_private_error(
            &reply,
            &endpoint,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
        );
    }
    app.finish().await;
}

/// `POST` to an unknown path is the JSON 404 too, not the static files' bare 405. (`GET` is
/// covered in `health`.)
async fn a_post_to_an_unknown_path_is_a_json_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = app.post_as(&user, "/api/v1/nope", &json!({})).await;

    reply.assert_error(StatusCode::NOT_FOUND, "not-found");
    app.finish().await;
}

/// A wrong method on a known path gets the SPEC §12 JSON error, not axum's empty 405.
async fn a_wrong_method_is_a_json_405(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for (method, path) in [
        (Method::GET, "/api/v1/check"),
        (Method::DELETE, "/api/v1/settings"),
        (Method::POST, "/api/v1/info"),
    ] {
        let reply = app.call_as(&user, method.clone(), path, None).await;

        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let body: Value = serde_json::from_str(&reply.body).unwrap_or_else(|_| {
            panic!(
                "{method} {path}: the 405 has no JSON error body: {:?}",
                reply.body
            )
        });
        assert!(body["error"]["code"].is_string(), "{method} {path}: {body}");
    }
    app.finish().await;
}
