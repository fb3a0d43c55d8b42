//! What the database itself costs, with the mongodb driver directly (the same driver as the
//! store), one operation at a time at a span's pace: `ping`, a tiny `insert_one`, `find_one`
//! by `_id`, and `insert_one` -> its change stream event for a tiny document and for an order
//! document (the store's order indexes, the gateway's pipeline). Each span's ratios are to
//! the baseline measured just before it.

use super::pace::{histogram, record, Pacer};
use super::span2::order_for;
use super::{BASELINE_WARMUP, EVENT_TIMEOUT};
use crate::MongoArgs;
use anyhow::{bail, Context};
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use mongodb::bson::{doc, Bson, Document};
use mongodb::{Collection, Database, IndexModel};
use robofleet::gateway::LatencySummary;
use serde::Serialize;
use std::time::Instant;

/// What the database itself costs, measured with the driver directly.
pub struct Baseline {
    /// `ping` command round trip.
    ping: Histogram<u64>,
    /// `insert_one` of a tiny document, round trip.
    insert: Histogram<u64>,
    /// `find_one` by `_id`, round trip.
    find: Histogram<u64>,
    /// Tiny documents into a watched collection.
    tiny: Watched,
    /// Order documents into an orders-shaped collection, watched as the gateway does.
    order: Watched,
}

/// A [`Baseline`]'s percentiles.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineSummary {
    /// `ping` command round trip, ns.
    pub ping_ns: LatencySummary,
    /// Plain `insert_one` round trip of a tiny document, ns.
    pub insert_ns: LatencySummary,
    /// `find_one` by `_id` round trip, ns.
    pub find_ns: LatencySummary,
    /// `insert_one` -> its event on a change stream watching the collection, ns.
    pub change_stream_ns: LatencySummary,
    /// The `insert_one` round trip while the collection is watched, ns.
    pub watched_insert_ns: LatencySummary,
    /// `insert_one` of an order document (the store's indexes, the gateway's pipeline), ns.
    pub order_insert_ns: LatencySummary,
    /// ... -> its change stream event, ns.
    pub order_change_stream_ns: LatencySummary,
    /// Inserts whose change event did not arrive within the timeout.
    pub change_events_lost: u64,
}

impl BaselineSummary {
    pub(super) fn of(b: &Baseline) -> BaselineSummary {
        BaselineSummary {
            ping_ns: LatencySummary::of(&b.ping),
            insert_ns: LatencySummary::of(&b.insert),
            find_ns: LatencySummary::of(&b.find),
            change_stream_ns: LatencySummary::of(&b.tiny.event),
            watched_insert_ns: LatencySummary::of(&b.tiny.ack),
            order_insert_ns: LatencySummary::of(&b.order.ack),
            order_change_stream_ns: LatencySummary::of(&b.order.event),
            change_events_lost: b.tiny.lost + b.order.lost,
        }
    }
}

/// The baselines at `rate` per second, in collections named after `tag`.
pub(super) async fn baseline(
    db: &Database,
    tag: &str,
    rate: f64,
    args: &MongoArgs,
) -> anyhow::Result<Baseline> {
    let n = args.baseline;
    if !args.json {
        eprintln!(
            "baseline {tag}: {n} insert_one, ping and find_one round trips, then {n} insert_one \
             -> change stream events, one at a time at {rate}/s"
        );
    }
    let plain = db.collection::<Document>(&format!("baseline_{tag}_insert"));
    let mut insert = histogram();
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        plain
            .insert_one(doc! {"_id": i as i64, "n": i as i64})
            .await
            .context("baseline insert_one")?;
        if i >= BASELINE_WARMUP {
            record(&mut insert, t0.elapsed());
        }
    }

    // A `ping` round trip: the protocol and the server's request loop, touching no data.
    let mut ping = histogram();
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        db.run_command(doc! {"ping": 1})
            .await
            .context("baseline ping")?;
        if i >= BASELINE_WARMUP {
            record(&mut ping, t0.elapsed());
        }
    }
    // `find_one` by `_id` of the documents just inserted (as `insert_trade` reads its order).
    let mut find = histogram();
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        let found = plain
            .find_one(doc! {"_id": i as i64})
            .await
            .context("baseline find_one")?;
        if found.is_none() {
            bail!("baseline find_one: document {i} is missing");
        }
        if i >= BASELINE_WARMUP {
            record(&mut find, t0.elapsed());
        }
    }

    let tiny = db.collection::<Document>(&format!("baseline_{tag}_stream"));
    let tiny = insert_to_event(&tiny, Vec::new(), n, rate, |i| {
        Ok(doc! {"_id": i as i64, "n": i as i64})
    })
    .await
    .context("baseline insert_one -> change stream")?;

    // The same with what span 1 writes: an order document into a collection with the store's
    // order indexes, watched with the gateway's pipeline.
    let orders = db.collection::<Document>(&format!("baseline_{tag}_orders"));
    let index = |keys: Document| IndexModel::builder().keys(keys).build();
    orders
        .create_indexes([
            index(doc! {"robot": 1, "order_seq": -1}),
            index(doc! {"status": 1, "created_ns": 1}),
        ])
        .await
        .context("cannot index the baseline orders")?;
    let pipeline = vec![doc! {"$match": {"$or": [
        {"operationType": "insert"},
        {"operationType": "update", "updateDescription.updatedFields.cancel_requested": true},
    ]}}];
    let order = insert_to_event(&orders, pipeline, n, rate, |i| {
        let o = order_for("baseline", i + 1, true);
        let mut d = mongodb::bson::to_document(&o).context("an order does not encode")?;
        d.insert("_id", o.client_id);
        Ok(d)
    })
    .await
    .context("baseline order insert_one -> change stream")?;
    Ok(Baseline {
        ping,
        insert,
        find,
        tiny,
        order,
    })
}

/// Inserts into a watched collection: each insert's round trip and its change event's arrival.
pub struct Watched {
    ack: Histogram<u64>,
    event: Histogram<u64>,
    /// Inserts whose change event did not arrive within `EVENT_TIMEOUT`.
    lost: u64,
}

/// `BASELINE_WARMUP + n` paced inserts of `make(i)` into `coll`, watched with `pipeline` by a
/// task that polls the stream all the time (as the store's streams do: an unpolled change
/// stream asks the server for nothing).
async fn insert_to_event(
    coll: &Collection<Document>,
    pipeline: Vec<Document>,
    n: u64,
    rate: f64,
    make: impl Fn(u64) -> anyhow::Result<Document>,
) -> anyhow::Result<Watched> {
    let mut stream = coll
        .watch()
        .pipeline(pipeline)
        .await
        .context("cannot open a change stream")?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Bson, Instant)>();
    let reader = tokio::spawn(async move {
        while let Some(ev) = stream.next().await {
            let at = Instant::now();
            let Ok(ev) = ev else { break };
            if let Some(id) = ev.document_key.and_then(|mut k| k.remove("_id")) {
                if tx.send((id, at)).is_err() {
                    break;
                }
            }
        }
    });
    let mut w = Watched {
        ack: histogram(),
        event: histogram(),
        lost: 0,
    };
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        let d = make(i)?;
        let id = d
            .get("_id")
            .cloned()
            .context("a baseline document has no _id")?;
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        coll.insert_one(d).await?;
        let ack = t0.elapsed();
        let deadline = tokio::time::Instant::from_std(t0 + EVENT_TIMEOUT);
        let arrived = loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((got, at))) if got == id => break Some(at),
                // A late event of an insert already counted as lost.
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => break None,
            }
        };
        if i < BASELINE_WARMUP {
            continue;
        }
        record(&mut w.ack, ack);
        match arrived {
            Some(at) => record(&mut w.event, at.saturating_duration_since(t0)),
            None => w.lost += 1,
        }
    }
    reader.abort();
    Ok(w)
}
