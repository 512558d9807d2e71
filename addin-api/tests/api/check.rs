//! `POST /api/v1/check` (SPEC §5, §6): the verdict, with the user's saved numbers filled in
//! for Viewer recipients the draft gives no number for.

use serde_json::json;

use crate::helpers::{
    Backend, COLLEAGUE, HOSPITAL, MOBILE_E164, MOBILE_TYPED, PATIENT, SENDER, TestApp, draft,
    finding_codes, recipient, spawn_app,
};

both_backends!(
    a_community_draft_may_go_out_automatically,
    a_patient_without_a_number_is_missing_a_phone,
    a_saved_number_is_filled_in,
    a_typed_number_wins_over_the_saved_one,
    a_saved_number_is_used_for_its_owner_only,
    a_saved_number_satisfies_phone_required,
    a_cleared_number_keeps_the_saved_one_out,
    a_forgotten_number_is_gone_from_the_server,
);

async fn a_community_draft_may_go_out_automatically(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let verdict = app.check(&user, &draft(SENDER, &[HOSPITAL])).await;

    assert_eq!(verdict["can_send_secure"], true, "{verdict}");
    assert_eq!(verdict["auto_send"], true, "{verdict}");
    assert_eq!(recipient(&verdict, HOSPITAL)["route"], "community");
    assert_eq!(finding_codes(&verdict), Vec::<String>::new());
    app.finish().await;
}

async fn a_patient_without_a_number_is_missing_a_phone(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let verdict = app.check(&user, &draft(SENDER, &[PATIENT])).await;

    let patient = recipient(&verdict, PATIENT);
    assert_eq!(patient["route"], "viewer");
    assert_eq!(patient["phone"], "missing");
    assert_eq!(finding_codes(&verdict), ["phone-advised"]);
    assert_eq!(verdict["auto_send"], false, "a Viewer recipient");
    app.finish().await;
}

async fn a_saved_number_is_filled_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;

    let verdict = app.check(&user, &draft(SENDER, &[PATIENT])).await;

    let patient = recipient(&verdict, PATIENT);
    assert_eq!(patient["phone"], "given", "{verdict}");
    assert_eq!(patient["phone_number"], MOBILE_E164);
    assert_eq!(finding_codes(&verdict), Vec::<String>::new());
    app.finish().await;
}

async fn a_typed_number_wins_over_the_saved_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    let mut typed = draft(SENDER, &[PATIENT]);
    typed["phones"] = json!({ PATIENT: "+31 6 87654321" });

    let verdict = app.check(&user, &typed).await;

    assert_eq!(recipient(&verdict, PATIENT)["phone_number"], "+31687654321");
    app.finish().await;
}

async fn a_saved_number_is_used_for_its_owner_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_in(SENDER).await;
    let colleague = app.sign_in(COLLEAGUE).await;
    app.save_phone(&owner, PATIENT, MOBILE_TYPED).await;

    let verdict = app.check(&colleague, &draft(COLLEAGUE, &[PATIENT])).await;

    let patient = recipient(&verdict, PATIENT);
    assert_eq!(patient["phone"], "missing", "{verdict}");
    assert!(patient.get("phone_number").is_none(), "{verdict}");
    app.finish().await;
}

async fn a_saved_number_satisfies_phone_required(backend: Backend) {
    let app = TestApp::builder(backend)
        .set("installation_type", "viewer-phone-required")
        .start()
        .await;
    let user = app.sign_in(SENDER).await;
    let before = app.check(&user, &draft(SENDER, &[PATIENT])).await;
    assert_eq!(finding_codes(&before), ["phone-required"]);
    assert_eq!(before["can_send_secure"], false);

    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    let after = app.check(&user, &draft(SENDER, &[PATIENT])).await;

    assert_eq!(after["can_send_secure"], true, "{after}");
    app.finish().await;
}

/// The user emptied the field: the draft names the patient with no number, and the saved one
/// must come back neither into the check nor into a send token.
async fn a_cleared_number_keeps_the_saved_one_out(backend: Backend) {
    let app = TestApp::builder(backend)
        .set("installation_type", "viewer-phone-required")
        .start()
        .await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    let mut cleared = draft(SENDER, &[PATIENT]);
    cleared["phones"] = json!({ PATIENT.to_uppercase(): "" });

    let verdict = app.check(&user, &cleared).await;

    assert_eq!(
        recipient(&verdict, PATIENT)["phone"],
        "missing",
        "{verdict}"
    );
    assert_eq!(finding_codes(&verdict), ["phone-required"]);
    let token = app.post_as(&user, "/api/v1/send-token", &cleared).await;
    token.assert_error(
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "cannot-send-secure",
    );
    app.finish().await;
}

/// The panel's bin icon: `DELETE` the pairing, and the next check finds no number.
async fn a_forgotten_number_is_gone_from_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;

    app.delete_as(&user, &crate::helpers::pairing_path(PATIENT))
        .await
        .assert_status(reqwest::StatusCode::NO_CONTENT);

    app.get_as(&user, &crate::helpers::pairing_path(PATIENT))
        .await
        .assert_error(reqwest::StatusCode::NOT_FOUND, "not-found");
    let verdict = app.check(&user, &draft(SENDER, &[PATIENT])).await;
    assert_eq!(
        recipient(&verdict, PATIENT)["phone"],
        "missing",
        "{verdict}"
    );
    app.finish().await;
}
