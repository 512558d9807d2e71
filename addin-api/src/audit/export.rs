//! `sendsecure audit export`: the trail for a SIEM, as JSON Lines or CSV, one record per
//! line in chain order, with each record's place and links so the SIEM can keep the chain.
//! Hashes are hex; nothing in it is an address, a number or content.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::chain::PAGE;
use crate::{
    Error,
    clock::rfc3339,
    store::{ChainedAuditRecord, Digest, Store},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

/// One exported record. Field order is the CSV's column order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedRecord {
    /// The place in the chain; empty for records from before the chain.
    pub seq: Option<i64>,
    /// RFC 3339, UTC.
    pub time: String,
    /// Unix seconds, as linked.
    pub at: i64,
    pub kind: String,
    pub mailbox: Option<String>,
    pub sender: Option<String>,
    pub device: Option<String>,
    pub network: Option<String>,
    pub token_id: Option<String>,
    pub recipient_count: i64,
    pub routes: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl From<&ChainedAuditRecord> for ExportedRecord {
    fn from(chained: &ChainedAuditRecord) -> Self {
        let hex = |digest: &Option<Digest>| digest.map(hex::encode);
        let record = &chained.record;
        Self {
            seq: chained.seq,
            time: rfc3339(record.at),
            at: record.at,
            kind: record.kind.clone(),
            mailbox: hex(&record.mailbox_hash),
            sender: hex(&record.sender_hash),
            device: hex(&record.device_hash),
            network: hex(&record.network_hash),
            token_id: record.token_id.clone(),
            recipient_count: record.recipient_count,
            routes: record.routes.clone(),
            detail: record.codes.clone(),
            prev_hash: hex(&chained.prev_hash),
            hash: hex(&chained.hash),
        }
    }
}

/// Writes the records from `since` (Unix seconds) on to `out`; returns how many.
pub async fn export(
    store: &dyn Store,
    since: i64,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, Error> {
    let mut sink = match format {
        Format::Jsonl => Sink::Jsonl(out),
        Format::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
    };
    let mut written = 0;
    let mut after_id = 0;
    loop {
        let page = store.audit_page(after_id, since, PAGE).await?;
        for (id, chained) in &page {
            after_id = *id;
            sink.write(&ExportedRecord::from(chained))?;
            written += 1;
        }
        if page.len() < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    if let Sink::Csv(mut csv) = sink {
        csv.flush().map_err(failed)?;
    }
    Ok(written)
}

enum Sink<'o> {
    Jsonl(&'o mut dyn Write),
    Csv(Box<csv::Writer<&'o mut dyn Write>>),
}

impl Sink<'_> {
    fn write(&mut self, record: &ExportedRecord) -> Result<(), Error> {
        match self {
            Self::Jsonl(out) => {
                let line = serde_json::to_string(record).map_err(failed)?;
                writeln!(out, "{line}").map_err(failed)
            }
            Self::Csv(csv) => csv.serialize(record).map_err(failed),
        }
    }
}

fn failed(error: impl Into<crate::error::BoxedError>) -> Error {
    Error::internal_from("cannot write the audit export", error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        audit::chain::Linker,
        store::{AuditRecord, AuditStore, SqliteStore},
        vault::Vault,
    };

    async fn trail() -> SqliteStore {
        let store = SqliteStore::in_memory().await.expect("a store");
        let vault = Vault::new(&[7; 32]);
        let records = [
            AuditRecord {
                at: 1_800_000_000,
                kind: "sign-in-code-failed".into(),
                mailbox_hash: Some([1; 32]),
                device_hash: Some([2; 32]),
                network_hash: Some([3; 32]),
                ..AuditRecord::default()
            },
            AuditRecord {
                at: 1_800_000_060,
                kind: "send-token".into(),
                mailbox_hash: Some([1; 32]),
                sender_hash: Some([4; 32]),
                token_id: Some("jti-1".into()),
                recipient_count: 2,
                routes: Some("community=1,viewer=1".into()),
                // A comma and a quote: CSV must quote them, and read them back.
                codes: Some("a,\"b\"".into()),
                ..AuditRecord::default()
            },
        ];
        for record in &records {
            store
                .append_audit(record, &Linker::new(&vault))
                .await
                .expect("appends");
        }
        store
    }

    async fn exported(store: &SqliteStore, since: i64, format: Format) -> Vec<u8> {
        let mut out = Vec::new();
        export(store, since, format, &mut out)
            .await
            .expect("exports");
        out
    }

    #[tokio::test]
    async fn both_formats_round_trip_to_the_stored_records() {
        let store = trail().await;
        let stored: Vec<ExportedRecord> = store
            .audit_page(0, i64::MIN, 10)
            .await
            .expect("reads")
            .iter()
            .map(|(_, chained)| ExportedRecord::from(chained))
            .collect();
        assert_eq!(stored.len(), 2);

        let jsonl = exported(&store, 0, Format::Jsonl).await;
        let from_jsonl: Vec<ExportedRecord> = String::from_utf8(jsonl)
            .expect("UTF-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON record"))
            .collect();
        assert_eq!(from_jsonl, stored);

        let csv = exported(&store, 0, Format::Csv).await;
        let from_csv: Vec<ExportedRecord> = csv::Reader::from_reader(csv.as_slice())
            .deserialize()
            .collect::<Result<_, _>>()
            .expect("CSV records");
        assert_eq!(from_csv, stored);
        assert_eq!(stored[0].time, "2027-01-15T08:00:00Z");
        assert_eq!(stored[1].seq, Some(2));
        assert_eq!(stored[1].prev_hash, stored[0].hash, "the links go out too");
    }

    #[tokio::test]
    async fn since_leaves_older_records_out() {
        let store = trail().await;
        let jsonl = exported(&store, 1_800_000_001, Format::Jsonl).await;
        let text = String::from_utf8(jsonl).expect("UTF-8");
        assert_eq!(text.lines().count(), 1);
        assert!(text.contains("\"kind\":\"send-token\""), "{text}");
    }
}
