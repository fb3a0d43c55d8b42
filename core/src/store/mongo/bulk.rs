//! A gateway's answers written in bulk, for a gateway that fell behind: one read of the
//! orders they touch that it does not know already, one `insert_many` of the fills, one
//! `update` command with a statement per change, one `insert_many` of the change events,
//! however many answers there are.
//!
//! Robots see the batch's fills, then its changes (each fill still before the change that
//! reports it, and each order's changes in order). Every change is checked against the order
//! as just read and its statement matches only while the stored order is still in that state;
//! if any did not match, or the database failed part way, the changes are written one by one
//! as [`super::docs::update_order`] does, which recognises what already got through.

use super::docs::{self, Collections};
use super::MongoStore;
use crate::store::{rules, GatewayWrite, Order, OrderChange, Store, StoreError, Trade, Written};
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use std::collections::HashMap;

/// Fewer answers than this are written one by one: the bulk path costs three or four round
/// trips whatever its size, one by one a change costs two and a fill one.
pub const BULK_FROM: usize = 3;

/// A change checked against the stored order: its statement and the order after it.
struct Planned {
    at: usize,
    change: OrderChange,
    filter: Document,
    set: Document,
    after: Order,
}

type Results = Vec<Option<Result<Written, StoreError>>>;

impl MongoStore {
    pub(super) fn write_bulk(&self, writes: &[GatewayWrite]) -> Vec<Result<Written, StoreError>> {
        if let Err(e) = self.shared.check_lease() {
            let why = e.to_string();
            return writes
                .iter()
                .map(|_| Err(StoreError::GatewayLease(why.clone())))
                .collect();
        }
        // The orders as last seen (a statement of one that changed since does not match);
        // the rest read in one `find`.
        let mut state: HashMap<String, Order> = HashMap::new();
        let mut unknown: Vec<String> = Vec::new();
        {
            let known = self.known_orders.lock().unwrap_or_else(|e| e.into_inner());
            for w in writes {
                let id = client_id(w);
                match known.get(id) {
                    Some(o) => {
                        state.insert(id.to_string(), o.clone());
                    }
                    None => unknown.push(id.to_string()),
                }
            }
        }
        unknown.sort();
        unknown.dedup();
        if !unknown.is_empty() {
            match self.call("read orders", true, || orders_by_id(&self.cols, &unknown)) {
                Ok(orders) => state.extend(orders.into_iter().map(|o| (o.client_id.clone(), o))),
                Err(_) => return self.write_one_by_one(writes),
            }
        }
        let mut results: Results = writes.iter().map(|_| None).collect();
        let mut trades: Vec<(usize, &Trade)> = Vec::new();
        let mut changes: Vec<Planned> = Vec::new();
        for (at, w) in writes.iter().enumerate() {
            let Some(order) = state.get_mut(client_id(w)) else {
                results[at] = Some(Err(StoreError::UnknownOrder(client_id(w).to_string())));
                continue;
            };
            match w {
                GatewayWrite::Trade(t) => match rules::check_trade(order, t) {
                    Ok(()) => trades.push((at, t)),
                    Err(e) => results[at] = Some(Err(e)),
                },
                // A retry of something that got through: one by one sorts that out.
                GatewayWrite::Change(c) if docs::is_applied(order, c) => {
                    return self.write_one_by_one(writes)
                }
                GatewayWrite::Change(c) => match plan(order, c, at) {
                    Ok(p) => changes.push(p),
                    Err(e) => results[at] = Some(Err(e)),
                },
            }
        }
        if let Some(seam) = &*self.bulk_seam.lock().unwrap_or_else(|e| e.into_inner()) {
            seam();
        }
        self.write_trades(&trades, &mut results);
        self.write_changes(&changes, &mut results);
        self.remember(&changes, &results);
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(StoreError::Corrupt("answer not written".into()))))
            .collect()
    }

    /// The fills in one `insert_many`; if that fails (a fill already stored, the database
    /// away), one by one, each stored at most once.
    fn write_trades(&self, trades: &[(usize, &Trade)], results: &mut Results) {
        if trades.is_empty() {
            return;
        }
        let bulk = trades
            .iter()
            .map(|(_, t)| docs::trade_doc(t))
            .collect::<Result<Vec<_>, _>>();
        let inserted = match bulk {
            Ok(d) => self
                .rt
                .block_on(async { self.cols.trades.insert_many(d).ordered(true).await })
                .is_ok(),
            Err(_) => false,
        };
        for (at, t) in trades {
            results[*at] = Some(if inserted {
                Ok(Written::Trade { new: true })
            } else {
                self.call("insert trade", true, || {
                    docs::insert_trade(&self.cols, t, None)
                })
                .map(|new| Written::Trade { new })
            });
        }
    }

    /// The changes in one `update` command, then their events in one `insert_many`; one by
    /// one when a statement did not match or the database failed part way.
    fn write_changes(&self, changes: &[Planned], results: &mut Results) {
        if changes.is_empty() {
            return;
        }
        let matched = self
            .rt
            .block_on(update_statements(&self.cols, changes))
            .ok();
        let recorded = matched == Some(changes.len() as u64)
            && self
                .rt
                .block_on(record_changes(&self.cols, changes))
                .is_ok();
        if recorded {
            for p in changes {
                results[p.at] = Some(Ok(Written::Change(Box::new(p.after.clone()))));
            }
            return;
        }
        tracing::debug!(
            "bulk order changes: {matched:?} of {} matched; the rest one by one",
            changes.len()
        );
        // Which statements got through: an order's changes chain (each matches the state the
        // one before left), so the stored order shows how far its chain went.
        let ids: Vec<String> = changes.iter().map(|p| p.change.client_id.clone()).collect();
        let stored: HashMap<String, Order> = self
            .call("read orders", true, || orders_by_id(&self.cols, &ids))
            .unwrap_or_default()
            .into_iter()
            .map(|o| (o.client_id.clone(), o))
            .collect();
        let mut through: HashMap<&str, usize> = HashMap::new();
        for (i, p) in changes.iter().enumerate() {
            if stored
                .get(&p.change.client_id)
                .is_some_and(|o| same_state(o, &p.after))
            {
                through.insert(&p.change.client_id, i);
            }
        }
        for (i, p) in changes.iter().enumerate() {
            let applied = through
                .get(p.change.client_id.as_str())
                .is_some_and(|last| i <= *last);
            let written = if applied {
                // In `orders` already: only its event may be missing.
                self.call("record order change", true, || {
                    docs::record_change(&self.cols, p.after.clone(), &p.change)
                })
            } else {
                self.call("update order", true, || {
                    docs::update_order(&self.cols, &p.change, None)
                })
            };
            results[p.at] = Some(written.map(|o| Written::Change(Box::new(o))));
        }
    }

    /// What the gateway now knows of the orders it changed (finished ones leave).
    fn remember(&self, changes: &[Planned], results: &Results) {
        let mut known = self.known_orders.lock().unwrap_or_else(|e| e.into_inner());
        for p in changes {
            match &results[p.at] {
                Some(Ok(Written::Change(o))) if !o.status.is_terminal() => {
                    known.insert(o.client_id.clone(), (**o).clone());
                }
                _ => {
                    known.remove(&p.change.client_id);
                }
            }
        }
    }

    fn write_one_by_one(&self, writes: &[GatewayWrite]) -> Vec<Result<Written, StoreError>> {
        {
            let mut known = self.known_orders.lock().unwrap_or_else(|e| e.into_inner());
            for w in writes {
                known.remove(client_id(w));
            }
        }
        writes.iter().map(|w| self.write_answer(w)).collect()
    }
}

/// The same state as far as a gateway's changes go.
fn same_state(a: &Order, b: &Order) -> bool {
    (a.status, a.filled_qty, a.amends) == (b.status, b.filled_qty, b.amends)
}

fn client_id(w: &GatewayWrite) -> &str {
    match w {
        GatewayWrite::Trade(t) => &t.client_id,
        GatewayWrite::Change(c) => &c.client_id,
    }
}

/// Check `change` against `order` and apply it there (the next change of the same order in
/// the batch is checked against the result).
fn plan(order: &mut Order, change: &OrderChange, at: usize) -> Result<Planned, StoreError> {
    rules::check_change(order, change)?;
    let filter = docs::state_filter(order)?;
    rules::apply_change(order, change);
    Ok(Planned {
        at,
        change: change.clone(),
        filter,
        set: docs::change_set(order)?,
        after: order.clone(),
    })
}

async fn orders_by_id(cols: &Collections, ids: &[String]) -> Result<Vec<Order>, StoreError> {
    let found: Vec<Document> = cols
        .orders
        .find(doc! {"_id": {"$in": ids}})
        .await
        .map_err(super::store_err)?
        .try_collect()
        .await
        .map_err(super::store_err)?;
    docs::parse_all(found, "order")
}

/// One `update` command, a statement per change, in order: how many matched.
async fn update_statements(cols: &Collections, changes: &[Planned]) -> Result<u64, StoreError> {
    let updates: Vec<Bson> = changes
        .iter()
        .map(|p| Bson::Document(doc! {"q": p.filter.clone(), "u": p.set.clone()}))
        .collect();
    let reply = cols
        .db
        .run_command(doc! {"update": docs::ORDERS, "updates": updates, "ordered": true})
        .await
        .map_err(super::store_err)?;
    if reply.get_array("writeErrors").is_ok_and(|e| !e.is_empty()) {
        return Err(StoreError::Unavailable(format!(
            "bulk order update: {reply}"
        )));
    }
    let n = match reply.get("n") {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        _ => -1,
    };
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("bulk order update: {reply}")))
}

/// The changes' `order_updates` documents in one ordered `insert_many`.
async fn record_changes(cols: &Collections, changes: &[Planned]) -> Result<(), StoreError> {
    let events = changes
        .iter()
        .map(|p| {
            super::codec::to_document(&p.after)
                .map(|d| docs::with_id(d, &docs::event_id(&p.change)))
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    cols.order_updates
        .insert_many(events)
        .ordered(true)
        .await
        .map_err(super::store_err)?;
    Ok(())
}
