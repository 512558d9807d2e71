//! Safety of data at rest (SPEC §6, §11): after every kind of write the API makes, no mail
//! address and no phone number is found anywhere in the database, in any of their forms.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{
    Backend, HOSPITAL, MOBILE_TYPED, PATIENT, SENDER, StoredValue, draft, spawn_app,
};

both_backends!(no_address_or_phone_number_is_stored_in_clear);

/// Every form the user's mailbox, the recipients and the number were seen in.
const NEEDLES: [&str; 10] = [
    SENDER,
    "a.jansen",
    PATIENT,
    "m.bakker",
    HOSPITAL,
    "b.smit",
    "+31612345678",
    "0612345678",
    "612345678",
    MOBILE_TYPED,
];

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

async fn no_address_or_phone_number_is_stored_in_clear(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    let signed_out = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    app.put_as(
        &user,
        "/api/v1/settings",
        &json!({"language": "en", "send_delay_seconds": 5}),
    )
    .await
    .ok_json();
    app.post_as(
        &user,
        "/api/v1/events",
        &json!({"kind": "standard-send", "codes": ["phone-advised"]}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    let mut typed = draft(SENDER, &[PATIENT, HOSPITAL]);
    typed["phones"] = json!({ PATIENT: MOBILE_TYPED });
    app.post_as(&user, "/api/v1/send-token", &typed)
        .await
        .ok_json();
    app.call_as(&signed_out, Method::POST, "/api/v1/auth/logout", None)
        .await
        .assert_status(StatusCode::NO_CONTENT);

    let db = app.raw_db().await;
    let stored: Vec<StoredValue> = db.every_value().await;
    db.close().await;

    let tables: BTreeSet<&str> = stored
        .iter()
        .filter_map(|value| value.place.split_once('.').map(|(table, _)| table))
        .collect();
    for table in ["sessions", "pairings", "settings", "audit_log"] {
        assert!(tables.contains(table), "{table} has rows: {tables:?}");
    }
    for value in &stored {
        for needle in NEEDLES {
            assert!(
                !contains(&value.bytes, needle),
                "{needle:?} is stored in clear in {}",
                value.place
            );
        }
    }
    app.finish().await;
}
