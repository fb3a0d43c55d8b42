//! Changes from the ahead log into the database: a batch in one transaction, the number of
//! its last change recorded in the same transaction (`meta.applied_op`), so a reopened store
//! knows where the log's unapplied part starts. Applying a change twice leaves the same rows.

use super::ahead::Change;
use super::schema::{self, sql_err};
use super::Inner;
use crate::store::StoreError;
use rusqlite::{params, Connection};
use std::sync::{Mutex, PoisonError};

const META: &str = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)";

pub fn ensure_meta(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(META).map_err(sql_err)
}

/// The number of the last change in the database (0: none).
pub fn applied_op(conn: &Connection) -> Result<u64, StoreError> {
    let v: Option<i64> = conn
        .query_row("SELECT value FROM meta WHERE key = 'applied_op'", [], |r| {
            r.get(0)
        })
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(sql_err(other)),
        })?;
    Ok(v.map_or(0, |v| v as u64))
}

/// Apply `batch` (in change order) in one transaction.
pub fn apply(conn: &mut Connection, batch: &[(u64, Change)]) -> Result<(), StoreError> {
    let Some(&(last, _)) = batch.last() else {
        return Ok(());
    };
    let tx = conn.transaction().map_err(sql_err)?;
    for (_, change) in batch {
        match change {
            Change::Order(o) => schema::upsert_order(&tx, o)?,
            Change::Trade(t) => {
                schema::insert_trade(&tx, t)?;
            }
            Change::Instruments(specs) => schema::put_instruments(&tx, specs)?,
            Change::Audit(e) => schema::insert_audit(&tx, e)?,
        }
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('applied_op', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![last as i64],
    )
    .map_err(sql_err)?;
    tx.commit().map_err(sql_err)
}

/// Apply every change written so far, on the applier's connection (whoever holds it applies,
/// so batches reach the database in order). Readers call it before they read the file.
pub fn flush(inner: &Mutex<Inner>, applier: &Mutex<Connection>) -> Result<(), StoreError> {
    let mut conn = applier.lock().unwrap_or_else(PoisonError::into_inner);
    let batch = std::mem::take(&mut lock(inner).pending);
    let Some(&(last, _)) = batch.last() else {
        return Ok(());
    };
    if let Err(e) = apply(&mut conn, &batch) {
        // Back in front, in order, for the next try; memory still answers for them.
        let mut inner = lock(inner);
        let later = std::mem::replace(&mut inner.pending, batch);
        inner.pending.extend(later);
        inner.last_apply_error = Some(e.to_string());
        return Err(e);
    }
    let mut inner = lock(inner);
    inner.unapplied.retain(|_, (op, _)| *op > last);
    inner.unapplied_fills.retain(|_, op| *op > last);
    inner.applied_op = last;
    inner.last_apply_error = None;
    Ok(())
}

fn lock(inner: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(PoisonError::into_inner)
}
