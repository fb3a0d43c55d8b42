//! Reads of the SQLite store: what it keeps in memory at open, lists, pages (by the same
//! `(time, id)` keys as every store, see [`crate::store::page`]) and the audit log.

use super::schema::{from_doc, sql_err};
use crate::store::page::PageQuery;
use crate::store::{
    AuditEntry, Order, OrderFilter, OrderQuery, Page, StoreError, Trade, TradeQuery,
};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};
use std::collections::HashMap;

/// Every row `sql` selects (a `doc` column), parsed.
fn docs<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    args: Vec<Value>,
) -> Result<Vec<T>, StoreError> {
    let mut s = conn.prepare_cached(sql).map_err(sql_err)?;
    let rows = s
        .query_map(params_from_iter(args), |r| from_doc::<T>(r))
        .map_err(sql_err)?;
    rows.collect::<Result<Vec<T>, _>>().map_err(sql_err)
}

pub fn open_orders(conn: &Connection) -> Result<HashMap<String, Order>, StoreError> {
    let open: Vec<Order> = docs(conn, "SELECT doc FROM orders WHERE open = 1", Vec::new())?;
    Ok(open.into_iter().map(|o| (o.client_id.clone(), o)).collect())
}

/// Each robot's highest `order_seq`: one index probe per robot (a skip over
/// `orders_by_robot`), so it does not grow with the orders stored.
pub fn max_seqs(conn: &Connection) -> Result<HashMap<String, u64>, StoreError> {
    let mut next = conn
        .prepare("SELECT robot FROM orders WHERE robot > ?1 ORDER BY robot LIMIT 1")
        .map_err(sql_err)?;
    let mut max = conn
        .prepare("SELECT MAX(order_seq) FROM orders WHERE robot = ?1")
        .map_err(sql_err)?;
    let mut seqs = HashMap::new();
    let mut after = String::new();
    loop {
        let robot: Option<String> = next
            .query_row(params![after], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                other => Err(other),
            })
            .map_err(sql_err)?;
        let Some(robot) = robot else {
            return Ok(seqs);
        };
        let seq: i64 = max
            .query_row(params![robot], |r| r.get(0))
            .map_err(sql_err)?;
        seqs.insert(robot.clone(), u64::try_from(seq).unwrap_or(0));
        after = robot;
    }
}

pub fn instruments(conn: &Connection) -> Result<Vec<robofleet_api::Instrument>, StoreError> {
    let found: Vec<Vec<robofleet_api::Instrument>> =
        docs(conn, "SELECT doc FROM instruments WHERE id = 1", Vec::new())?;
    Ok(found.into_iter().next().unwrap_or_default())
}

pub fn has_trade(conn: &Connection, exec_id: &str) -> Result<bool, StoreError> {
    let mut s = conn
        .prepare_cached("SELECT 1 FROM trades WHERE exec_id = ?1")
        .map_err(sql_err)?;
    s.exists(params![exec_id]).map_err(sql_err)
}

/// Orders in the order they were stored.
pub fn orders(conn: &Connection, filter: &OrderFilter) -> Result<Vec<Order>, StoreError> {
    let mut sql = String::from("SELECT doc FROM orders WHERE 1");
    let mut args = Vec::new();
    if let Some(robot) = &filter.robot {
        sql.push_str(" AND robot = ?");
        args.push(Value::Text(robot.clone()));
    }
    if filter.open_only {
        sql.push_str(" AND open = 1");
    }
    sql.push_str(" ORDER BY rowid");
    docs(conn, &sql, args)
}

/// Trades in the order they were stored.
pub fn trades(conn: &Connection, robot: Option<&str>) -> Result<Vec<Trade>, StoreError> {
    match robot {
        Some(r) => docs(
            conn,
            "SELECT doc FROM trades WHERE robot = ? ORDER BY rowid",
            vec![Value::Text(r.to_string())],
        ),
        None => docs(conn, "SELECT doc FROM trades ORDER BY rowid", Vec::new()),
    }
}

pub fn orders_page(conn: &Connection, q: &OrderQuery) -> Result<Page<Order>, StoreError> {
    let mut sql = String::from("SELECT doc FROM orders WHERE 1");
    let mut args = Vec::new();
    for (column, value) in [("robot", &q.robot), ("symbol", &q.symbol)] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            args.push(Value::Text(v.clone()));
        }
    }
    if let Some(status) = q.status {
        sql.push_str(" AND status = ?");
        let text = serde_json::to_value(status)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        args.push(Value::Text(text));
    }
    if q.open_only {
        sql.push_str(" AND open = 1");
    }
    page(conn, sql, args, &q.page, ("created_ns", "client_id"))
}

pub fn trades_page(conn: &Connection, q: &TradeQuery) -> Result<Page<Trade>, StoreError> {
    let mut sql = String::from("SELECT doc FROM trades WHERE 1");
    let mut args = Vec::new();
    for (column, value) in [("robot", &q.robot), ("symbol", &q.symbol)] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            args.push(Value::Text(v.clone()));
        }
    }
    page(conn, sql, args, &q.page, ("ts_ns", "exec_id"))
}

/// `sql` (a `SELECT ... WHERE ...`) bounded by the page's cursors on `(ns, id)`, in its
/// order, one more row than the limit to tell whether there is more.
fn page<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    mut sql: String,
    mut args: Vec<Value>,
    page: &PageQuery,
    (ns, id): (&str, &str),
) -> Result<Page<T>, StoreError> {
    for (cursor, op) in [(&page.before, "<"), (&page.after, ">")] {
        let Some(c) = cursor else { continue };
        match &c.id {
            Some(cid) => {
                sql.push_str(&format!(" AND ({ns}, {id}) {op} (?, ?)"));
                args.push(Value::Integer(c.ns));
                args.push(Value::Text(cid.clone()));
            }
            None => {
                sql.push_str(&format!(" AND {ns} {op} ?"));
                args.push(Value::Integer(c.ns));
            }
        }
    }
    let dir = if page.oldest_first() { "ASC" } else { "DESC" };
    sql.push_str(&format!(" ORDER BY {ns} {dir}, {id} {dir} LIMIT ?"));
    args.push(Value::Integer(
        i64::try_from(page.limit)
            .unwrap_or(i64::MAX)
            .saturating_add(1),
    ));
    let mut items: Vec<T> = docs(conn, &sql, args)?;
    let more = items.len() > page.limit;
    items.truncate(page.limit);
    Ok(Page { items, more })
}

/// The newest `limit` audit entries, newest first.
pub fn audit_log(conn: &Connection, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    docs(
        conn,
        "SELECT doc FROM audit ORDER BY seq DESC LIMIT ?",
        vec![Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX))],
    )
}
