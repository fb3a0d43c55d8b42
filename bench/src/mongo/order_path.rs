//! The database work one order costs the fleet, done back to back by one client with the
//! driver directly: what the fleet could reach at best if nothing of its own took any time.
//!
//! Per order, as span 1 makes it: `insert_one` of the order into an orders-shaped collection
//! (the store's indexes) -> its event on a change stream with the gateway's pipeline ->
//! `update_one` to `Working`, matching the state it was checked against (as the gateway's
//! write of a known order) -> `insert_one` of its `order_updates` document -> that event on
//! a database-wide change stream with the robots' pipeline. `1 s / p50` of the whole is the
//! order path's capacity.

use super::pace::{histogram, record};
use super::span2::order_for;
use super::{BASELINE_WARMUP, EVENT_TIMEOUT};
use anyhow::{bail, Context};
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use mongodb::bson::{doc, Bson, Document};
use mongodb::change_stream::event::ChangeStreamEvent;
use mongodb::change_stream::ChangeStream;
use mongodb::{Database, IndexModel};
use std::time::Instant;
use tokio::sync::mpsc::UnboundedReceiver;

const ORDERS: &str = "order_path_orders";
const UPDATES: &str = "order_path_updates";

/// `BASELINE_WARMUP + n` orders through the path, each timed whole.
pub(super) async fn order_path(db: &Database, n: u64) -> anyhow::Result<Histogram<u64>> {
    let orders = db.collection::<Document>(ORDERS);
    let updates = db.collection::<Document>(UPDATES);
    let index = |keys: Document| IndexModel::builder().keys(keys).build();
    orders
        .create_indexes([
            index(doc! {"robot": 1, "order_seq": -1}),
            index(doc! {"status": 1, "created_ns": 1}),
            index(doc! {"created_ns": 1, "_id": 1}),
        ])
        .await
        .context("cannot index the order path's orders")?;
    updates
        .create_indexes([
            index(doc! {"robot": 1, "updated_ns": 1}),
            index(doc! {"client_id": 1, "updated_ns": 1}),
        ])
        .await
        .context("cannot index the order path's updates")?;
    let gateway = vec![doc! {"$match": {"$or": [
        {"operationType": "insert"},
        {"operationType": "update", "updateDescription.updatedFields.cancel_requested": true},
    ]}}];
    let robots = vec![doc! {"$match": {
        "operationType": "insert",
        "ns.coll": {"$in": [UPDATES, "order_path_trades"]},
    }}];
    let (mut gateway_events, gateway_task) = watch(orders.watch().pipeline(gateway).await?);
    let (mut robot_events, robot_task) = watch(db.watch().pipeline(robots).await?);
    let mut h = histogram();
    for i in 0..BASELINE_WARMUP + n {
        let o = order_for("order_path", i + 1, true);
        let mut d = mongodb::bson::to_document(&o).context("an order does not encode")?;
        let id = o.client_id.clone();
        d.insert("_id", id.as_str());
        let t0 = Instant::now();
        orders.insert_one(d.clone()).await?;
        wait_for(&mut gateway_events, &id, t0).await?;
        let filter = doc! {"_id": id.as_str(), "status": "New", "filled_qty": 0i64, "amends": 0};
        let done = orders
            .update_one(filter, doc! {"$set": {"status": "Working"}})
            .await?;
        if done.matched_count != 1 {
            bail!("the order path's update of {id} matched nothing");
        }
        let event_id = format!("{id}@Working/0");
        d.insert("_id", event_id.as_str());
        d.insert("status", "Working");
        updates.insert_one(d).await?;
        wait_for(&mut robot_events, &event_id, t0).await?;
        if i >= BASELINE_WARMUP {
            record(&mut h, t0.elapsed());
        }
    }
    gateway_task.abort();
    robot_task.abort();
    Ok(h)
}

/// A task that polls `stream` all the time (an unpolled change stream asks the server for
/// nothing) and passes on each event's `_id`; it ends when the receiver is dropped.
fn watch(
    mut stream: ChangeStream<ChangeStreamEvent<Document>>,
) -> (UnboundedReceiver<Bson>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        while let Some(Ok(ev)) = stream.next().await {
            if let Some(id) = ev.document_key.and_then(|mut k| k.remove("_id")) {
                if tx.send(id).is_err() {
                    break;
                }
            }
        }
    });
    (rx, task)
}

async fn wait_for(
    events: &mut UnboundedReceiver<Bson>,
    id: &str,
    t0: Instant,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::from_std(t0 + EVENT_TIMEOUT);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(Bson::String(got))) if got == id => return Ok(()),
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => {
                bail!("the change event of {id} did not arrive in {EVENT_TIMEOUT:?}")
            }
        }
    }
}
