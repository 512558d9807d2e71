//! The audit trail as a security officer uses it (issue 12): `sendsecure audit verify` finds
//! a record edited in the database and names it; `sendsecure audit export` gives the same
//! records as JSON Lines and as CSV. The real binary against the real server's storage, on
//! both backends.

use addin_api::audit::export::ExportedRecord;

use crate::helpers::{Backend, HOSPITAL, SENDER, TestApp, draft, spawn_app};

both_backends!(
    verify_names_the_record_edited_in_the_database,
    the_export_round_trips_in_both_formats,
);

/// Three send tokens issued: three chained records.
async fn app_with_three_records(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    for _ in 0..3 {
        app.post_as(&user, "/api/v1/send-token", &draft(SENDER, &[HOSPITAL]))
            .await
            .ok_json();
    }
    app
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

async fn verify_names_the_record_edited_in_the_database(backend: Backend) {
    let app = app_with_three_records(backend).await;

    let whole = app.cli(&["audit", "verify"]).await;
    assert!(whole.status.success(), "{whole:?}");
    let report = stdout(&whole);
    assert!(
        report.starts_with("3 chained records (records 1-3)"),
        "{report}"
    );
    assert!(report.ends_with("the audit trail is whole\n"), "{report}");

    let db = app.raw_db().await;
    db.execute("UPDATE audit_log SET recipient_count = 9 WHERE seq = 2")
        .await;
    db.close().await;
    let edited = app.cli(&["audit", "verify"]).await;

    assert_eq!(edited.status.code(), Some(1), "{edited:?}");
    assert!(
        stdout(&edited).contains("\nrecord 2 was altered\n"),
        "{edited:?}"
    );
    let stderr = String::from_utf8_lossy(&edited.stderr);
    assert!(
        stderr.contains("the audit trail is not whole: 1 problem(s)"),
        "{stderr}"
    );
    app.finish().await;
}

async fn the_export_round_trips_in_both_formats(backend: Backend) {
    let app = app_with_three_records(backend).await;

    let jsonl = app.cli(&["audit", "export", "--format", "jsonl"]).await;
    let csv = app.cli(&["audit", "export", "--format", "csv"]).await;

    assert!(
        jsonl.status.success() && csv.status.success(),
        "{jsonl:?} {csv:?}"
    );
    let from_jsonl: Vec<ExportedRecord> = stdout(&jsonl)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON record"))
        .collect();
    let from_csv: Vec<ExportedRecord> = csv::Reader::from_reader(csv.stdout.as_slice())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("CSV records");
    assert_eq!(from_jsonl, from_csv);
    assert_eq!(
        from_jsonl
            .iter()
            .map(|r| (r.seq, r.kind.as_str()))
            .collect::<Vec<_>>(),
        [
            (Some(1), "send-token"),
            (Some(2), "send-token"),
            (Some(3), "send-token")
        ]
    );
    let db = app.raw_db().await;
    let stored = db.audit_rows().await;
    db.close().await;
    for (exported, row) in from_jsonl.iter().zip(&stored) {
        assert_eq!(exported.mailbox, row.mailbox_hash.as_ref().map(hex::encode));
        assert_eq!(exported.token_id, row.token_id);
    }
    assert!(
        !stdout(&jsonl).contains(SENDER) && !stdout(&jsonl).contains(HOSPITAL),
        "no address in the export"
    );

    let future = app
        .cli(&[
            "audit",
            "export",
            "--format",
            "jsonl",
            "--since",
            "2100-01-01",
        ])
        .await;
    assert!(
        future.status.success() && future.stdout.is_empty(),
        "{future:?}"
    );
    let bad = app.cli(&["audit", "export", "--format", "xml"]).await;
    assert_eq!(bad.status.code(), Some(2));
    app.finish().await;
}
