//! The SQLite store's tables, and orders and trades to and from their rows.
//!
//! Every row keeps the whole record as JSON in `doc` (what the store reads back, exactly as
//! written) beside columns for what analysts filter and sum on. Prices, quantities and money
//! are never floating point: quantities are integers, prices and money exact decimal text
//! (`"97.125"`), as in the JSON. `docs/store.md` "SQLite" documents the tables.

use crate::store::{AuditEntry, Order, StoreError, Trade};
use rusqlite::{params, Connection, Row};

/// The schema this code writes; a file with another `user_version` is refused.
pub const VERSION: i64 = 1;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS orders (
    client_id  TEXT PRIMARY KEY,
    robot      TEXT NOT NULL,
    order_seq  INTEGER NOT NULL,
    symbol     TEXT NOT NULL,
    side       TEXT NOT NULL,
    qty        INTEGER NOT NULL,
    status     TEXT NOT NULL,
    filled_qty INTEGER NOT NULL,
    avg_price  TEXT NOT NULL,
    open       INTEGER NOT NULL,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_robot ON orders (robot, order_seq);
CREATE INDEX IF NOT EXISTS orders_by_time ON orders (created_ns, client_id);
CREATE INDEX IF NOT EXISTS orders_open ON orders (open) WHERE open = 1;
CREATE TABLE IF NOT EXISTS trades (
    exec_id     TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    robot       TEXT NOT NULL,
    symbol      TEXT NOT NULL,
    side        TEXT NOT NULL,
    qty         INTEGER NOT NULL,
    price       TEXT NOT NULL,
    fee         TEXT NOT NULL,
    currency    TEXT,
    ts_ns       INTEGER NOT NULL,
    venue_ts_ns INTEGER,
    doc         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS trades_by_robot ON trades (robot, ts_ns);
CREATE INDEX IF NOT EXISTS trades_by_time ON trades (ts_ns, exec_id);
CREATE INDEX IF NOT EXISTS trades_by_order ON trades (client_id);
CREATE TABLE IF NOT EXISTS instruments (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    ts_ns  INTEGER NOT NULL,
    server TEXT NOT NULL,
    doc    TEXT NOT NULL,
    UNIQUE (server, ts_ns)
);
";

/// Create the tables in a new file, or check an existing file's version.
pub fn create_or_check(conn: &Connection) -> Result<(), StoreError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql_err)?;
    match version {
        0 => {
            conn.execute_batch(TABLES).map_err(sql_err)?;
            conn.pragma_update(None, "user_version", VERSION)
                .map_err(sql_err)?;
            Ok(())
        }
        VERSION => Ok(()),
        other => Err(StoreError::Corrupt(format!(
            "the SQLite store has schema version {other}; this build reads version {VERSION}"
        ))),
    }
}

pub fn sql_err(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Unavailable(format!("SQLite: {e}"))
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::ReadOnly
            ) =>
        {
            StoreError::Io(std::io::Error::other(format!("SQLite: {e}")))
        }
        other => StoreError::Corrupt(format!("SQLite: {other}")),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A value's JSON text without its quotes (`"Buy"` -> `Buy`, `"97.5"` -> `97.5`).
fn text<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    match serde_json::to_value(v).map_err(|e| StoreError::Corrupt(e.to_string()))? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// Insert `o`, or rewrite the stored order of its client id as `o` (keeping its place).
pub fn upsert_order(conn: &Connection, o: &Order) -> Result<(), StoreError> {
    let (side, status, doc) = (text(&o.side)?, text(&o.status)?, json(o)?);
    conn.prepare_cached(
        "INSERT INTO orders (client_id, robot, order_seq, symbol, side, qty, status, filled_qty,
             avg_price, open, created_ns, updated_ns, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (client_id) DO UPDATE SET qty = excluded.qty, status = excluded.status,
             filled_qty = excluded.filled_qty, avg_price = excluded.avg_price,
             open = excluded.open, updated_ns = excluded.updated_ns, doc = excluded.doc",
    )
    .and_then(|mut s| {
        s.execute(params![
            o.client_id,
            o.robot,
            i64::try_from(o.order_seq).unwrap_or(i64::MAX),
            o.symbol,
            side,
            o.qty,
            status,
            o.filled_qty,
            o.avg_price.to_string(),
            !o.status.is_terminal(),
            o.created_ns,
            o.updated_ns,
            doc,
        ])
    })
    .map_err(sql_err)?;
    Ok(())
}

/// Whether an order with this client id is stored.
pub fn has_order(conn: &Connection, client_id: &str) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT 1 FROM orders WHERE client_id = ?1")
        .and_then(|mut s| s.exists(params![client_id]))
        .map_err(sql_err)
}

/// `Ok(false)` when the exec id is stored already (nothing doubled).
pub fn insert_trade(conn: &Connection, t: &Trade) -> Result<bool, StoreError> {
    let (side, doc) = (text(&t.side)?, json(t)?);
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO trades (exec_id, client_id, robot, symbol, side, qty, price,
                 fee, currency, ts_ns, venue_ts_ns, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .and_then(|mut s| {
            s.execute(params![
                t.exec_id,
                t.client_id,
                t.robot,
                t.symbol,
                side,
                t.qty,
                t.price.to_string(),
                t.fee.to_string(),
                t.currency,
                t.ts_ns,
                t.venue_ts_ns,
                doc,
            ])
        })
        .map_err(sql_err)?;
    Ok(n == 1)
}

pub fn insert_audit(conn: &Connection, e: &AuditEntry) -> Result<(), StoreError> {
    let doc = json(e)?;
    conn.prepare_cached("INSERT OR IGNORE INTO audit (ts_ns, server, doc) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![e.ts_ns, e.server, doc]))
        .map_err(sql_err)?;
    Ok(())
}

pub fn put_instruments(
    conn: &Connection,
    specs: &[robofleet_api::Instrument],
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO instruments (id, doc) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
        params![json(&specs)?],
    )
    .map_err(sql_err)?;
    Ok(())
}

/// A row's `doc` column (by name), parsed.
pub fn from_doc<T: serde::de::DeserializeOwned>(row: &Row<'_>) -> rusqlite::Result<T> {
    let doc: String = row.get("doc")?;
    serde_json::from_str(&doc).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The stored order `client_id`, if any.
pub fn order(conn: &Connection, client_id: &str) -> Result<Option<Order>, StoreError> {
    let mut s = conn
        .prepare_cached("SELECT doc FROM orders WHERE client_id = ?1")
        .map_err(sql_err)?;
    let mut rows = s.query(params![client_id]).map_err(sql_err)?;
    match rows.next().map_err(sql_err)? {
        Some(row) => Ok(Some(from_doc(row).map_err(sql_err)?)),
        None => Ok(None),
    }
}
