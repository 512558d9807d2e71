//! `GET`/`PUT`/`DELETE /api/v1/pairings/{address}` (SPEC §6): one user's saved numbers,
//! in E.164, never another user's.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    Backend, COLLEAGUE, MOBILE_E164, MOBILE_TYPED, PATIENT, SENDER, pairing_path, spawn_app,
};

both_backends!(
    an_invalid_number_is_refused,
    a_landline_is_refused,
    a_valid_number_is_saved_in_e164,
    a_saved_number_can_be_overwritten,
    another_user_does_not_see_it,
    a_deleted_number_is_gone,
    an_invalid_address_is_a_bad_request,
    addresses_are_percent_decoded_and_normalised,
    an_undecodable_path_is_a_json_bad_request,
);

async fn an_invalid_number_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = app
        .put_as(&user, &pairing_path(PATIENT), &json!({"phone": "06 1234"}))
        .await;

    let message = reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "phone-invalid");
    assert!(
        !message.contains("1234"),
        "the number is not quoted: {message}"
    );
    assert!(
        !message.contains(PATIENT),
        "the address is not quoted: {message}"
    );
    app.finish().await;
}

async fn a_landline_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    // Amsterdam: valid, but an SMS cannot reach it.
    let reply = app
        .put_as(
            &user,
            &pairing_path(PATIENT),
            &json!({"phone": "020 123 4567"}),
        )
        .await;

    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "phone-invalid");
    app.finish().await;
}

async fn a_valid_number_is_saved_in_e164(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let saved = app
        .put_as(
            &user,
            &pairing_path(PATIENT),
            &json!({"phone": MOBILE_TYPED}),
        )
        .await
        .ok_json();
    let read = app.get_as(&user, &pairing_path(PATIENT)).await.ok_json();

    let expected = json!({"address": PATIENT, "phone": MOBILE_E164});
    assert_eq!(saved, expected);
    assert_eq!(read, expected);
    app.finish().await;
}

async fn a_saved_number_can_be_overwritten(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;

    app.save_phone(&user, PATIENT, "+31 6 87654321").await;

    let read = app.get_as(&user, &pairing_path(PATIENT)).await.ok_json();
    assert_eq!(read["phone"], "+31687654321");
    app.finish().await;
}

async fn another_user_does_not_see_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_in(SENDER).await;
    let colleague = app.sign_in(COLLEAGUE).await;
    app.save_phone(&owner, PATIENT, MOBILE_TYPED).await;

    let read = app.get_as(&colleague, &pairing_path(PATIENT)).await;
    let delete = app.delete_as(&colleague, &pairing_path(PATIENT)).await;

    read.assert_error(StatusCode::NOT_FOUND, "not-found");
    delete.assert_error(StatusCode::NOT_FOUND, "not-found");
    app.get_as(&owner, &pairing_path(PATIENT)).await.ok_json();
    app.finish().await;
}

async fn a_deleted_number_is_gone(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;

    let deleted = app.delete_as(&user, &pairing_path(PATIENT)).await;

    deleted.assert_status(StatusCode::NO_CONTENT);
    app.get_as(&user, &pairing_path(PATIENT))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not-found");
    app.delete_as(&user, &pairing_path(PATIENT))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not-found");
    app.finish().await;
}

async fn an_invalid_address_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    for address in ["not-an-address", "m.bakker@", "two@at@example.com"] {
        let path = pairing_path(address);
        let get = app.get_as(&user, &path).await;
        let put = app
            .put_as(&user, &path, &json!({"phone": MOBILE_TYPED}))
            .await;
        let delete = app.delete_as(&user, &path).await;

        for reply in [get, put, delete] {
            let message = reply.assert_error(StatusCode::BAD_REQUEST, "invalid-address");
            assert!(!message.contains(address), "{message}");
        }
    }
    app.finish().await;
}

async fn addresses_are_percent_decoded_and_normalised(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    let tagged = "m.bakker+lab@example.com";

    app.save_phone(&user, "M.Bakker@Example.COM", MOBILE_TYPED)
        .await;
    app.save_phone(&user, tagged, "+31 6 87654321").await;

    let plain = app
        .get_as(&user, "/api/v1/pairings/m.bakker%40example.com")
        .await
        .ok_json();
    assert_eq!(plain, json!({"address": PATIENT, "phone": MOBILE_E164}));
    let read = app
        .get_as(&user, "/api/v1/pairings/m.bakker%2Blab%40example.com")
        .await
        .ok_json();
    assert_eq!(read, json!({"address": tagged, "phone": "+31687654321"}));
    app.finish().await;
}

/// A path segment that is not UTF-8 once percent-decoded gets the SPEC §12 JSON error, not
/// axum's plain-text rejection.
async fn an_undecodable_path_is_a_json_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = app
        .get_as(&user, "/api/v1/pairings/m.bakker%FF%40example.com")
        .await;

    reply.assert_error(StatusCode::BAD_REQUEST, "invalid-path");
    app.finish().await;
}
