//! The MongoDB store: the fleet's one source of truth when servers, gateways and analysts
//! share a database (collections, fields and indexes in `docs/store.md`).
//!
//! The store trait is synchronous and called from plain threads; this backend owns a small
//! tokio runtime and bridges to it. Robot-side writes (new orders, cancel requests) never
//! block a robot: they go through one ordered write queue and wait (visibly, counted in
//! [`StoreHealth`]) while the database is away; a new order that waited `max_wait` expires
//! and is recorded `Rejected` when the database is back, unless a gateway took it meanwhile
//! (see `writer`). Gateway-side writes are idempotent (`_id` is the client order id, the exec
//! id, or the change's identity) and retried until they land: nothing lost, nothing doubled.

mod audit;
mod bulk;
pub mod codec;
mod docs;
pub use docs::DEFAULT_DB;
mod errors;
mod lease;
mod pages;
mod router;
mod streams;
mod writer;

use super::{
    rules, GatewayRequest, GatewayWrite, Order, OrderChange, OrderFilter, OrderQuery, Page,
    Position, RobotUpdate, Store, StoreError, StoreHealth, Trade, TradeQuery, WatchId, Written,
};
use crossbeam_channel::Sender;
use docs::Collections;
use errors::{classify, Failure};
use router::Router;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use writer::WriteOp;

/// How a MongoDB store is opened.
#[derive(Clone, Debug)]
pub struct MongoOptions {
    /// `mongodb://host:port/dbname?...`; the database defaults to `robofleet`.
    pub uri: String,
    /// Names this process's change stream positions (resume tokens), e.g. `server:desk1`.
    /// Two processes of the same kind on one database need different names.
    pub consumer: String,
    /// How long a write waits for an unavailable database before it fails visibly.
    pub max_wait: Duration,
    /// A gateway's lease on the database lasts this long unless renewed (every third of it):
    /// how long a gateway that died blocks the next one.
    pub lease_ttl: Duration,
}

impl MongoOptions {
    pub fn new(uri: &str, consumer: &str) -> Self {
        MongoOptions {
            uri: uri.to_string(),
            consumer: consumer.to_string(),
            max_wait: Duration::from_secs(30),
            lease_ttl: Duration::from_secs(15),
        }
    }
}

/// State shared by the store handle and its background tasks.
pub(crate) struct Shared {
    pub(crate) router: Mutex<Router>,
    pub(crate) pending_writes: AtomicU64,
    pub(crate) failed_writes: AtomicU64,
    pub(crate) available: AtomicBool,
    pub(crate) last_error: Mutex<Option<String>>,
    pub(crate) consumer: String,
    pub(crate) max_wait: Duration,
    pub(crate) robot_stream_started: AtomicBool,
    /// This store serves a gateway that has stopped: stop renewing its lease.
    pub(crate) gateway_stopped: AtomicBool,
    /// Why this store's gateway lease was lost to another gateway, if it was.
    pub(crate) lease_lost: Mutex<Option<String>>,
    /// Robots started while their name could not be claimed (the database was away).
    pub(crate) unclaimed: Mutex<std::collections::HashSet<String>>,
    pub(crate) robot_claims_started: AtomicBool,
}

impl Shared {
    /// `Err` once this store's gateway lease went to another gateway: it must write no more.
    pub(crate) fn check_lease(&self) -> Result<(), StoreError> {
        match &*self.lease_lost.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(why) => Err(StoreError::GatewayLease(format!("lost: {why}"))),
            None => Ok(()),
        }
    }
}

impl Shared {
    pub(crate) fn ok(&self) {
        self.available.store(true, Ordering::Relaxed);
    }

    pub(crate) fn failing(&self, what: &str) {
        if self.available.swap(false, Ordering::Relaxed) {
            tracing::error!("MongoDB unavailable: {what}");
        }
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(what.to_string());
    }

    pub(crate) fn deliver(&self, update: RobotUpdate) {
        self.router
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .deliver(update);
    }
}

pub struct MongoStore {
    rt: tokio::runtime::Runtime,
    cols: Collections,
    shared: Arc<Shared>,
    writes: tokio::sync::mpsc::UnboundedSender<WriteOp>,
    lease_ttl: Duration,
    /// Set while this store serves a gateway: the name its lease is held under.
    lease_holder: Mutex<Option<String>>,
    /// The open orders as this store's gateway last wrote them: its next change to one is
    /// checked against this and written in one round trip, not read first (see
    /// [`docs::update_order`]). Finished orders leave it. The gateway's request stream puts
    /// each order in as it hands it over, so even its first change skips the read.
    known_orders: KnownOrders,
    /// Called in a bulk write between reading the orders and updating them: a test seam
    /// to change an order behind the gateway's back ([`MongoStore::between_bulk_read_and_update`]).
    bulk_seam: Mutex<Option<BulkSeam>>,
}

type BulkSeam = Box<dyn Fn() + Send>;

/// Open orders as stored when last seen by this store's gateway, by client id.
pub(crate) type KnownOrders = Arc<Mutex<HashMap<String, Order>>>;

impl MongoStore {
    /// Connect, create the indexes, and start the write queue.
    pub fn open(opts: &MongoOptions) -> Result<MongoStore, StoreError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mongodb")
            .enable_all()
            .build()?;
        let cols = rt.block_on(docs::connect(&opts.uri))?;
        let shared = Arc::new(Shared {
            router: Mutex::new(Router::default()),
            pending_writes: AtomicU64::new(0),
            failed_writes: AtomicU64::new(0),
            available: AtomicBool::new(true),
            last_error: Mutex::new(None),
            consumer: opts.consumer.clone(),
            max_wait: opts.max_wait,
            robot_stream_started: AtomicBool::new(false),
            gateway_stopped: AtomicBool::new(false),
            lease_lost: Mutex::new(None),
            unclaimed: Mutex::new(Default::default()),
            robot_claims_started: AtomicBool::new(false),
        });
        let (writes, queue) = tokio::sync::mpsc::unbounded_channel();
        rt.spawn(writer::run(cols.clone(), queue, shared.clone()));
        Ok(MongoStore {
            rt,
            cols,
            shared,
            writes,
            lease_ttl: opts.lease_ttl,
            lease_holder: Mutex::new(None),
            known_orders: KnownOrders::default(),
            bulk_seam: Mutex::new(None),
        })
    }

    /// Run a database operation from a plain thread, retrying while the database is away:
    /// up to `max_wait` for reads, for as long as it takes for gateway writes (`forever`),
    /// which are idempotent and must not be lost.
    fn call<T, F, Fut>(&self, what: &str, forever: bool, op: F) -> Result<T, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let started = Instant::now();
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.rt.block_on(op()) {
                Err(StoreError::Unavailable(e))
                    if forever || started.elapsed() < self.shared.max_wait =>
                {
                    self.shared.failing(&format!("{what}: {e}"));
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
                Err(e) => {
                    if let StoreError::Unavailable(m) = &e {
                        self.shared.failing(&format!("{what}: {m}"));
                    }
                    return Err(e);
                }
                Ok(v) => {
                    self.shared.ok();
                    return Ok(v);
                }
            }
        }
    }

    /// For tests: run `f` in each bulk write after the orders are read and before they are
    /// updated, as another writer would change one meanwhile.
    #[doc(hidden)]
    pub fn between_bulk_read_and_update(&self, f: impl Fn() + Send + 'static) {
        *self.bulk_seam.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(f));
    }

    /// The order as this store's gateway last wrote it, if it is still open.
    fn known(&self, client_id: &str) -> Option<Order> {
        self.known_orders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(client_id)
            .cloned()
    }

    fn enqueue(&self, op: WriteOp) -> Result<(), StoreError> {
        self.shared.pending_writes.fetch_add(1, Ordering::Relaxed);
        self.writes.send(op).map_err(|_| {
            self.shared.pending_writes.fetch_sub(1, Ordering::Relaxed);
            StoreError::Unavailable("the MongoDB write queue has stopped".into())
        })
    }
}

/// A database error as a store error: permanent refusals keep their reason.
pub(crate) fn store_err(e: mongodb::error::Error) -> StoreError {
    match classify(&e) {
        Failure::Duplicate => StoreError::Corrupt(format!("unexpected duplicate key: {e}")),
        Failure::Refused(m) => StoreError::Corrupt(m),
        Failure::Transient(m) => StoreError::Unavailable(m),
    }
}

impl Store for MongoStore {
    fn insert_order(&self, order: &Order) -> Result<(), StoreError> {
        rules::check_new_order(order)?;
        self.enqueue(WriteOp::Insert(Box::new(order.clone())))
    }

    fn request_cancel(&self, client_id: &str) -> Result<(), StoreError> {
        self.enqueue(WriteOp::Cancel(client_id.to_string()))
    }

    fn request_amend(
        &self,
        client_id: &str,
        price: Option<robofleet_api::Price>,
        qty: Option<i64>,
    ) -> Result<(), StoreError> {
        self.enqueue(WriteOp::Amend {
            client_id: client_id.to_string(),
            price,
            qty,
        })
    }

    fn write_answers(&self, writes: &[GatewayWrite]) -> Vec<Result<Written, StoreError>> {
        if writes.len() >= bulk::BULK_FROM {
            self.write_bulk(writes)
        } else {
            writes.iter().map(|w| self.write_answer(w)).collect()
        }
    }

    fn update_order(&self, change: &OrderChange) -> Result<Order, StoreError> {
        self.shared.check_lease()?;
        let known = self.known(&change.client_id);
        let result = self.call("update order", true, || {
            docs::update_order(&self.cols, change, known.clone())
        });
        let mut cache = self.known_orders.lock().unwrap_or_else(|e| e.into_inner());
        match &result {
            Ok(order) if !order.status.is_terminal() => {
                cache.insert(order.client_id.clone(), order.clone());
            }
            // Finished, or refused (read afresh next time).
            _ => {
                cache.remove(&change.client_id);
            }
        }
        result
    }

    fn insert_trade(&self, trade: &Trade) -> Result<bool, StoreError> {
        self.shared.check_lease()?;
        let known = self.known(&trade.client_id);
        self.call("insert trade", true, || {
            docs::insert_trade(&self.cols, trade, known.as_ref())
        })
    }

    fn put_instruments(&self, specs: &[robofleet_api::Instrument]) -> Result<(), StoreError> {
        self.call("write the instrument registry", false, || {
            docs::put_instruments(&self.cols, specs)
        })
    }

    fn instruments(&self) -> Result<Vec<robofleet_api::Instrument>, StoreError> {
        self.call("read the instrument registry", false, || {
            docs::instruments(&self.cols)
        })
    }

    fn watch_order_requests(&self, sink: Sender<GatewayRequest>) -> Result<(), StoreError> {
        // One gateway per database: take the lease first, or say who has it.
        let holder = lease::holder_name(&self.shared.consumer);
        self.call("take the gateway lease", false, || {
            lease::take(&self.cols.leases, &holder, self.lease_ttl)
        })?;
        tracing::info!("gateway lease taken as {holder}");
        self.rt.spawn(lease::keep(
            self.cols.leases.clone(),
            holder.clone(),
            self.lease_ttl,
            self.shared.clone(),
        ));
        *self.lease_holder.lock().unwrap_or_else(|e| e.into_inner()) = Some(holder);
        let consumer = format!("{}/orders", self.shared.consumer);
        self.rt.spawn(streams::gateway_requests(
            self.cols.clone(),
            consumer,
            sink,
            self.shared.clone(),
            self.known_orders.clone(),
        ));
        Ok(())
    }

    fn watch_robot(&self, robot: &str, sink: Sender<RobotUpdate>) -> Result<WatchId, StoreError> {
        // Registered first: whenever the stream is live, this robot's updates reach it.
        let id = {
            let mut router = self.shared.router.lock().unwrap_or_else(|e| e.into_inner());
            router.register(robot, sink)
        };
        if !self
            .shared
            .robot_stream_started
            .swap(true, Ordering::SeqCst)
        {
            let consumer = format!("{}/robots", self.shared.consumer);
            let (ready, is_ready) = std::sync::mpsc::channel();
            self.rt.spawn(streams::robot_updates(
                self.cols.clone(),
                consumer,
                self.shared.clone(),
                ready,
            ));
            // The first subscription returns once the stream is live, so nothing written
            // after it is missed. With the database away it waits at most `max_wait`: the
            // robot stays subscribed, and the stream, which keeps trying, delivers from its
            // stored position once it opens (store health shows the outage meanwhile).
            if is_ready.recv_timeout(self.shared.max_wait).is_err() {
                tracing::warn!(
                    robot,
                    "the robot update stream is not open yet (database unavailable?): \
                     updates will reach the robot once it opens"
                );
            }
        }
        Ok(id)
    }

    fn unwatch_robot(&self, id: WatchId) {
        let mut router = self.shared.router.lock().unwrap_or_else(|e| e.into_inner());
        router.unregister(id);
    }

    fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError> {
        self.call("read orders", false, || docs::orders(&self.cols, filter))
    }

    fn trades(&self, robot: Option<&str>) -> Result<Vec<Trade>, StoreError> {
        self.call("read trades", false, || docs::trades(&self.cols, robot))
    }

    fn orders_page(&self, q: &OrderQuery) -> Result<Page<Order>, StoreError> {
        self.call("read orders", false, || pages::orders_page(&self.cols, q))
    }

    fn trades_page(&self, q: &TradeQuery) -> Result<Page<Trade>, StoreError> {
        self.call("read trades", false, || pages::trades_page(&self.cols, q))
    }

    fn positions(&self, robot: Option<&str>) -> Result<Vec<Position>, StoreError> {
        let trades = self.trades(robot)?;
        let registry: robofleet_api::Instruments = self.instruments()?.into_iter().collect();
        Ok(super::positions_from_trades(&trades, &registry))
    }

    fn next_order_seq(&self, robot: &str) -> Result<u64, StoreError> {
        self.call("read order sequence", false, || {
            docs::next_order_seq(&self.cols, robot)
        })
    }

    fn append_audit(&self, entry: &crate::store::AuditEntry) -> Result<(), StoreError> {
        self.call("write an audit entry", false, || {
            audit::append(&self.cols, entry)
        })
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<crate::store::AuditEntry>, StoreError> {
        self.call("read the audit log", false, || {
            audit::newest(&self.cols, limit)
        })
    }

    fn gateway_stopped(&self) {
        self.shared.gateway_stopped.store(true, Ordering::Relaxed);
        let holder = self
            .lease_holder
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(holder) = holder {
            let give_back = lease::give_back(&self.cols.leases, &holder);
            // Bounded: a database that is away lets the lease expire instead.
            let _ = self
                .rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(5), give_back).await });
            tracing::info!("gateway lease given back");
        }
    }

    fn claim_robot(&self, robot: &str) -> Result<(), StoreError> {
        let holder = self.shared.consumer.clone();
        if !self
            .shared
            .robot_claims_started
            .swap(true, Ordering::SeqCst)
        {
            self.rt.spawn(lease::keep_robots(
                self.cols.leases.clone(),
                holder.clone(),
                self.lease_ttl,
                self.shared.clone(),
            ));
        }
        // While the database is known to be away, do not make every robot start wait for it.
        let outcome = if self.shared.available.load(Ordering::Relaxed) {
            let claim = lease::claim_robot(&self.cols.leases, robot, &holder, self.lease_ttl);
            self.rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(5), claim).await })
        } else {
            Ok(Err(StoreError::Unavailable("the database is away".into())))
        };
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e @ StoreError::NameTaken(_))) => Err(e),
            // The database is away: a robot must not wait on it to start. The claim is made
            // when the database is back, and a clash reported then.
            other => {
                let why = match other {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".to_string(),
                };
                tracing::warn!(
                    robot,
                    "cannot check that no other server runs this robot ({why}): starting it; \
                     the name is claimed once the database answers"
                );
                self.shared
                    .failing(&format!("claiming robot name {robot:?}: {why}"));
                self.shared
                    .unclaimed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(robot.to_string());
                Ok(())
            }
        }
    }

    fn release_robot(&self, robot: &str) {
        self.shared
            .unclaimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(robot);
        // Synchronous, so a restart of the same robot that claims next cannot be undone by a
        // late release; bounded, so a database that is away only lets the claim expire.
        if !self.shared.available.load(Ordering::Relaxed) {
            return; // the claim expires on its own; a stop must not wait on the database
        }
        let release = lease::release_robot(&self.cols.leases, robot, &self.shared.consumer);
        let done = self
            .rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(2), release).await });
        if done.is_err() {
            self.shared
                .failing(&format!("releasing robot name {robot:?}: timed out"));
        }
    }

    fn health(&self) -> StoreHealth {
        StoreHealth {
            backend: "mongodb",
            available: self.shared.available.load(Ordering::Relaxed),
            pending_writes: self.shared.pending_writes.load(Ordering::Relaxed),
            failed_writes: self.shared.failed_writes.load(Ordering::Relaxed),
            last_error: self
                .shared
                .last_error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }
}

impl Drop for MongoStore {
    fn drop(&mut self) {
        // Give queued robot writes a moment to land before the runtime goes.
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.shared.pending_writes.load(Ordering::Relaxed) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
