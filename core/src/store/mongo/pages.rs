//! Orders and trades a page at a time ([`crate::store::page`]), sorted and cut by the
//! database: `(created_ns, _id)` for orders and `(ts_ns, _id)` for trades, where `_id` is
//! the client order id or the exec id, both indexed.

use super::codec::to_bson;
use super::docs::{parse, Collections};
use super::store_err;
use crate::store::{Cursor, Order, OrderQuery, Page, PageQuery, StoreError, Trade, TradeQuery};
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::Collection;

/// `time` before (`$lt`) or after (`$gt`) the cursor, ties broken by `_id`.
fn bound(time: &str, cursor: &Cursor, op: &str) -> Document {
    match &cursor.id {
        None => doc! {time: {op: cursor.ns}},
        Some(id) => doc! {"$or": [
            {time: {op: cursor.ns}},
            {time: cursor.ns, "_id": {op: id}},
        ]},
    }
}

async fn page_of<T: serde::de::DeserializeOwned>(
    col: &Collection<Document>,
    mut q: Document,
    time: &str,
    page: &PageQuery,
    what: &str,
) -> Result<Page<T>, StoreError> {
    let mut bounds = Vec::new();
    if let Some(c) = &page.before {
        bounds.push(Bson::Document(bound(time, c, "$lt")));
    }
    if let Some(c) = &page.after {
        bounds.push(Bson::Document(bound(time, c, "$gt")));
    }
    if !bounds.is_empty() {
        q.insert("$and", bounds);
    }
    let dir = if page.oldest_first() { 1 } else { -1 };
    let docs: Vec<Document> = col
        .find(q)
        .sort(doc! {time: dir, "_id": dir})
        .limit(page.limit as i64 + 1)
        .await
        .map_err(store_err)?
        .try_collect()
        .await
        .map_err(store_err)?;
    let more = docs.len() > page.limit;
    let items = docs
        .into_iter()
        .take(page.limit)
        .map(|d| parse(d, what))
        .collect::<Result<_, _>>()?;
    Ok(Page { items, more })
}

pub async fn orders_page(cols: &Collections, q: &OrderQuery) -> Result<Page<Order>, StoreError> {
    let mut filter = Document::new();
    if let Some(r) = &q.robot {
        filter.insert("robot", r);
    }
    if let Some(s) = &q.symbol {
        filter.insert("symbol", s);
    }
    match q.status {
        // Open only and a terminal status: nothing can match.
        Some(s) if q.open_only && s.is_terminal() => {
            return Ok(Page {
                items: Vec::new(),
                more: false,
            })
        }
        Some(s) => {
            let status = to_bson(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            filter.insert("status", status);
        }
        None if q.open_only => {
            filter.insert(
                "status",
                doc! {"$in": ["New", "Working", "PartiallyFilled"]},
            );
        }
        None => {}
    }
    page_of(&cols.orders, filter, "created_ns", &q.page, "order").await
}

pub async fn trades_page(cols: &Collections, q: &TradeQuery) -> Result<Page<Trade>, StoreError> {
    let mut filter = Document::new();
    if let Some(r) = &q.robot {
        filter.insert("robot", r);
    }
    if let Some(s) = &q.symbol {
        filter.insert("symbol", s);
    }
    page_of(&cols.trades, filter, "ts_ns", &q.page, "trade").await
}
