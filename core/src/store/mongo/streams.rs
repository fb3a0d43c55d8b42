//! Change streams: new orders and cancel requests for a gateway; order changes and trades
//! for the robots of a server. Each resumes from a position stored in `stream_positions`,
//! so a restart of this process or of the database loses nothing.

use super::docs::{self, Collections, ORDER_UPDATES, TRADES};
use super::errors::{classify, Failure};
use super::Shared;
use crate::store::{GatewayRequest, Order, RobotUpdate, Trade};
use crossbeam_channel::Sender;
use futures_util::StreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::change_stream::event::{ChangeStreamEvent, OperationType, ResumeToken};
use mongodb::change_stream::ChangeStream;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

const REOPEN_AFTER: Duration = Duration::from_millis(500);
/// How far apart the clocks of servers writing orders and of this gateway may be.
const CLOCK_SKEW_NS: i64 = 5_000_000_000;

/// The order as it is now, if it still waits for a gateway. If it cannot be read, it is
/// passed on: the store refuses fills of a finished order anyway.
async fn still_new(cols: &Collections, inserted: Order) -> Option<Order> {
    match docs::find_order(cols, &inserted.client_id).await {
        Ok(now) if now.status == robofleet_api::OrderStatus::New => Some(now),
        Ok(now) => {
            tracing::debug!(
                "replayed order {} is {:?}: skipped",
                now.client_id,
                now.status
            );
            None
        }
        Err(_) => Some(inserted),
    }
}

async fn stored_token(cols: &Collections, consumer: &str, shared: &Shared) -> Option<ResumeToken> {
    loop {
        match docs::load_token(cols, consumer).await {
            Ok(t) => return t.and_then(|b| mongodb::bson::from_bson(b).ok()),
            Err(e) => {
                shared.failing(&format!("reading stream position {consumer}: {e}"));
                tokio::time::sleep(REOPEN_AFTER).await;
            }
        }
    }
}

async fn save(cols: &Collections, consumer: &str, token: &ResumeToken, shared: &Shared) {
    if let Ok(b) = mongodb::bson::to_bson(token) {
        if let Err(e) = docs::save_token(cols, consumer, b).await {
            shared.failing(&format!("saving stream position {consumer}: {e}"));
        }
    }
}

/// The least time between two saves of a stream's position. A restart resumes from the last
/// one saved: what came after it is delivered again, and dropped as a duplicate (a gateway
/// takes a client id once; robots keep seen-sets), so the position only saves work and need
/// not cost a round trip per event.
pub const SAVE_POSITION_EVERY: Duration = Duration::from_millis(100);

/// A stream's position, saved at most every [`SAVE_POSITION_EVERY`], and the last one always:
/// [`PositionSaver::due`] says when a position not yet saved must be.
struct PositionSaver {
    consumer: String,
    unsaved: Option<ResumeToken>,
    last_save: Option<Instant>,
}

impl PositionSaver {
    fn new(consumer: &str) -> Self {
        PositionSaver {
            consumer: consumer.to_string(),
            unsaved: None,
            last_save: None,
        }
    }

    /// The stream got past `token`: save it now, if the last save is long enough ago.
    async fn note(&mut self, token: ResumeToken, cols: &Collections, shared: &Shared) {
        self.unsaved = Some(token);
        if self.due().is_some_and(|at| at <= Instant::now()) {
            self.flush(cols, shared).await;
        }
    }

    /// When the unsaved position is to be saved (`None`: nothing to save).
    fn due(&self) -> Option<Instant> {
        self.unsaved.as_ref()?;
        Some(
            self.last_save
                .map_or_else(Instant::now, |t| t + SAVE_POSITION_EVERY),
        )
    }

    async fn flush(&mut self, cols: &Collections, shared: &Shared) {
        if let Some(t) = self.unsaved.take() {
            save(cols, &self.consumer, &t, shared).await;
            self.last_save = Some(Instant::now());
        }
    }
}

/// The next event of `stream`; meanwhile, the saver's position when it falls due.
async fn next_event<T>(
    stream: &mut ChangeStream<ChangeStreamEvent<T>>,
    saver: &mut PositionSaver,
    cols: &Collections,
    shared: &Shared,
) -> Option<mongodb::error::Result<ChangeStreamEvent<T>>>
where
    T: serde::de::DeserializeOwned + Unpin + Send + Sync,
{
    loop {
        let Some(due) = saver.due() else {
            return stream.next().await;
        };
        tokio::select! {
            // `next` on a stream is cancel-safe: an event is never lost to the timer.
            next = stream.next() => return next,
            _ = tokio::time::sleep_until(due.into()) => saver.flush(cols, shared).await,
        }
    }
}

/// What a stream watches.
enum Target {
    /// Inserts into `orders`, and updates that set `cancel_requested`.
    GatewayRequests,
    /// Inserts into `trades` and `order_updates`, in write order.
    RobotUpdates,
}

fn watch<'a>(
    cols: &'a Collections,
    target: &Target,
    token: Option<ResumeToken>,
) -> mongodb::action::Watch<'a> {
    match target {
        Target::GatewayRequests => {
            let pipeline = vec![doc! {"$match": {"$or": [
                {"operationType": "insert"},
                {"operationType": "update", "updateDescription.updatedFields.cancel_requested": true},
                {"operationType": "update", "updateDescription.updatedFields.amend_request": {"$exists": true}},
            ]}}];
            cols.orders.watch().pipeline(pipeline).resume_after(token)
        }
        Target::RobotUpdates => {
            let pipeline = vec![doc! {"$match": {
                "operationType": "insert",
                "ns.coll": {"$in": [Bson::from(TRADES), Bson::from(ORDER_UPDATES)]},
            }}];
            cols.db.watch().pipeline(pipeline).resume_after(token)
        }
    }
}

/// Open a change stream from `token` (or from now). A stored position the database no
/// longer knows is dropped, loudly, rather than retried forever.
async fn open(
    cols: &Collections,
    consumer: &str,
    token: &mut Option<ResumeToken>,
    shared: &Shared,
    target: Target,
) -> ChangeStream<ChangeStreamEvent<Document>> {
    loop {
        match watch(cols, &target, token.clone()).await {
            Ok(stream) => {
                shared.ok();
                if token.is_none() {
                    // Remember where we started, so a restart replays what comes after.
                    if let Some(t) = stream.resume_token() {
                        save(cols, consumer, &t, shared).await;
                        *token = Some(t);
                    }
                }
                return stream;
            }
            Err(e) => {
                if token.is_some() && !matches!(classify(&e), Failure::Transient(_)) {
                    tracing::error!(
                        "stream {consumer} cannot resume from its stored position ({e}); \
                         starting from now: changes made meanwhile are not replayed"
                    );
                    *token = None;
                } else {
                    shared.failing(&format!("opening stream {consumer}: {e}"));
                    tokio::time::sleep(REOPEN_AFTER).await;
                }
            }
        }
    }
}

/// New orders and cancel requests, for a gateway: first every open order, then changes.
pub async fn gateway_requests(
    cols: Collections,
    consumer: String,
    sink: Sender<GatewayRequest>,
    shared: Arc<Shared>,
    known: super::KnownOrders,
) {
    // Each order handed over is known as stored when read: the gateway's first change to it
    // needs no read (one that changed meanwhile does not match, and is read afresh).
    // A cancel or amend request is noted on the known order, so the change the gateway then
    // writes shows it in its `order_updates` document.
    let hand_over = |request: GatewayRequest| {
        let mut known = known.lock().unwrap_or_else(|e| e.into_inner());
        match &request {
            GatewayRequest::New(o) => {
                known.insert(o.client_id.clone(), o.clone());
            }
            GatewayRequest::Cancel { client_id } => {
                if let Some(o) = known.get_mut(client_id) {
                    o.cancel_requested = true;
                }
            }
            GatewayRequest::Amend { client_id, amend } => {
                if let Some(o) = known.get_mut(client_id) {
                    o.amend_request = Some(amend.clone());
                }
            }
        }
        drop(known);
        // false: the gateway is gone.
        sink.send(request).is_ok()
    };
    let mut token = stored_token(&cols, &consumer, &shared).await;
    loop {
        // The stream is open before the snapshot is read, so nothing falls in between;
        // an order in both is taken once (the gateway ignores a repeated client id).
        let mut stream = open(
            &cols,
            &consumer,
            &mut token,
            &shared,
            Target::GatewayRequests,
        )
        .await;
        let open_orders = match docs::open_orders(&cols).await {
            Ok(o) => o,
            Err(e) => {
                shared.failing(&format!("reading open orders: {e}"));
                tokio::time::sleep(REOPEN_AFTER).await;
                continue;
            }
        };
        // Inserts written before (or around) this snapshot may be replays of orders that are
        // long finished: only their current state says whether a gateway should take them.
        let snapshot_ns = crate::clock::wall_ns();
        let in_snapshot: HashSet<String> =
            open_orders.iter().map(|o| o.client_id.clone()).collect();
        for order in open_orders {
            if shared.check_lease().is_err() {
                return;
            }
            let cancel = order.cancel_requested.then(|| order.client_id.clone());
            let amend = crate::store::pending_amend(&order).map(|a| (order.client_id.clone(), a));
            if !hand_over(GatewayRequest::New(order)) {
                return;
            }
            if let Some(client_id) = cancel {
                let _ = hand_over(GatewayRequest::Cancel { client_id });
            } else if let Some((client_id, amend)) = amend {
                let _ = hand_over(GatewayRequest::Amend { client_id, amend });
            }
        }
        let mut saver = PositionSaver::new(&consumer);
        while let Some(next) = next_event(&mut stream, &mut saver, &cols, &shared).await {
            let ev = match next {
                Ok(ev) => ev,
                Err(e) => {
                    shared.failing(&format!("order stream: {e}"));
                    break;
                }
            };
            let request = match ev.operation_type {
                OperationType::Insert => {
                    match ev
                        .full_document
                        .and_then(|d| docs::parse::<Order>(d, "order").ok())
                    {
                        Some(o) if in_snapshot.contains(&o.client_id) => None,
                        Some(o) if o.created_ns < snapshot_ns + CLOCK_SKEW_NS => {
                            still_new(&cols, o).await.map(GatewayRequest::New)
                        }
                        Some(o) => Some(GatewayRequest::New(o)),
                        None => None,
                    }
                }
                OperationType::Update => {
                    let client_id = ev
                        .document_key
                        .and_then(|k| k.get_str("_id").ok().map(String::from));
                    // The update that set `amend_request` carries it; any other is a cancel.
                    let amend = ev.update_description.and_then(|u| {
                        let d = u.updated_fields.get_document("amend_request").ok()?.clone();
                        super::codec::from_document::<crate::store::AmendRequest>(d).ok()
                    });
                    client_id.map(|client_id| match amend {
                        Some(amend) => GatewayRequest::Amend { client_id, amend },
                        None => GatewayRequest::Cancel { client_id },
                    })
                }
                _ => None,
            };
            if let Some(r) = request {
                // A gateway whose lease went to another takes no more orders.
                if shared.check_lease().is_err() || !hand_over(r) {
                    return;
                }
            }
            // The snapshot on reopen covers open orders; the position only saves work.
            token = Some(ev.id.clone());
            saver.note(ev.id, &cols, &shared).await;
        }
        saver.flush(&cols, &shared).await;
        tokio::time::sleep(REOPEN_AFTER).await;
    }
}

/// Every robot's order changes and trades, in write order, fanned out by robot name. The
/// position is saved at most every [`SAVE_POSITION_EVERY`] (and the last one always): a
/// restart replays what came after it, which the robots drop as already seen.
pub async fn robot_updates(
    cols: Collections,
    consumer: String,
    shared: Arc<Shared>,
    ready: std::sync::mpsc::Sender<()>,
) {
    let mut token = stored_token(&cols, &consumer, &shared).await;
    loop {
        let mut stream = open(&cols, &consumer, &mut token, &shared, Target::RobotUpdates).await;
        let _ = ready.send(());
        let mut saver = PositionSaver::new(&consumer);
        while let Some(next) = next_event(&mut stream, &mut saver, &cols, &shared).await {
            let ev = match next {
                Ok(ev) => ev,
                Err(e) => {
                    shared.failing(&format!("robot update stream: {e}"));
                    break;
                }
            };
            let coll = ev
                .ns
                .as_ref()
                .and_then(|n| n.coll.clone())
                .unwrap_or_default();
            let update = ev.full_document.and_then(|d| {
                if coll == TRADES {
                    docs::parse::<Trade>(d, "trade")
                        .ok()
                        .map(RobotUpdate::Trade)
                } else {
                    docs::parse::<Order>(d, "order update")
                        .ok()
                        .map(RobotUpdate::Order)
                }
            });
            match update {
                Some(u) => shared.deliver(u),
                None => tracing::warn!("undecodable {coll} change skipped"),
            }
            token = Some(ev.id.clone());
            saver.note(ev.id, &cols, &shared).await;
        }
        saver.flush(&cols, &shared).await;
        tokio::time::sleep(REOPEN_AFTER).await;
    }
}
