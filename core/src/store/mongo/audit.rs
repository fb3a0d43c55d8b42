//! The `audit` collection: control-plane audit entries, `_id` = `<server>@<ts_ns>` (one
//! server's entries have distinct times), so a retried insert is never doubled.

use super::codec::to_document;
use super::docs::{parse_all, Collections};
use super::errors::{classify, Failure};
use super::store_err;
use crate::store::{AuditEntry, StoreError};
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};

pub const AUDIT: &str = "audit";

pub async fn append(cols: &Collections, entry: &AuditEntry) -> Result<(), StoreError> {
    let id = format!("{}@{}", entry.server, entry.ts_ns);
    let mut d = to_document(entry)
        .map_err(|e| StoreError::Corrupt(format!("audit entry does not encode: {e}")))?;
    d.insert("_id", id);
    match cols.db.collection::<Document>(AUDIT).insert_one(d).await {
        Ok(_) => Ok(()),
        Err(e) => match classify(&e) {
            // A retry of a write that did land.
            Failure::Duplicate => Ok(()),
            _ => Err(store_err(e)),
        },
    }
}

pub async fn newest(cols: &Collections, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let docs: Vec<Document> = cols
        .db
        .collection::<Document>(AUDIT)
        .find(doc! {})
        .sort(doc! {"ts_ns": -1, "_id": -1})
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
        .await
        .map_err(store_err)?
        .try_collect()
        .await
        .map_err(store_err)?;
    parse_all(docs, "audit entry")
}
