//! `GET`/`PUT /api/v1/settings` (SPEC §9, §12): language and send delay, per user.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, COLLEAGUE, SENDER, spawn_app};

both_backends!(
    defaults_follow_outlook_and_send_at_once,
    saved_settings_are_read_back,
    language_can_be_reset_to_follow_outlook,
    only_the_offered_choices_are_accepted,
    settings_are_per_user,
);

const SETTINGS: &str = "/api/v1/settings";

async fn defaults_follow_outlook_and_send_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let settings = app.get_as(&user, SETTINGS).await.ok_json();

    assert_eq!(settings, json!({"language": null, "send_delay_seconds": 0}));
    app.finish().await;
}

async fn saved_settings_are_read_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    let chosen = json!({"language": "de", "send_delay_seconds": 10});

    let saved = app.put_as(&user, SETTINGS, &chosen).await.ok_json();
    let read = app.get_as(&user, SETTINGS).await.ok_json();

    assert_eq!(saved, chosen);
    assert_eq!(read, chosen);
    app.finish().await;
}

async fn language_can_be_reset_to_follow_outlook(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.put_as(
        &user,
        SETTINGS,
        &json!({"language": "en", "send_delay_seconds": 5}),
    )
    .await
    .ok_json();

    app.put_as(
        &user,
        SETTINGS,
        &json!({"language": null, "send_delay_seconds": 5}),
    )
    .await
    .ok_json();

    let read = app.get_as(&user, SETTINGS).await.ok_json();
    assert_eq!(read, json!({"language": null, "send_delay_seconds": 5}));
    app.finish().await;
}

async fn only_the_offered_choices_are_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for bad in [
        json!({"language": "nl", "send_delay_seconds": 7}),
        json!({"language": "nl", "send_delay_seconds": -5}),
        json!({"language": "fr", "send_delay_seconds": 0}),
        json!({"language": "nl", "send_delay_seconds": 0, "theme": "dark"}),
        json!({"language": "nl"}),
    ] {
        let reply = app.put_as(&user, SETTINGS, &bad).await;

        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        reply.assert_error(StatusCode::BAD_REQUEST, "invalid-json");
    }
    let unchanged = app.get_as(&user, SETTINGS).await.ok_json();
    assert_eq!(
        unchanged,
        json!({"language": null, "send_delay_seconds": 0})
    );
    app.finish().await;
}

async fn settings_are_per_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    let colleague = app.sign_in(COLLEAGUE).await;
    app.put_as(
        &user,
        SETTINGS,
        &json!({"language": "de", "send_delay_seconds": 10}),
    )
    .await
    .ok_json();

    let theirs = app.get_as(&colleague, SETTINGS).await.ok_json();

    assert_eq!(theirs, json!({"language": null, "send_delay_seconds": 0}));
    app.finish().await;
}
