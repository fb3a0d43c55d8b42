//! The embedded store: an append-only log on local disk, replayed into memory on open.
//!
//! # File format
//! `<dir>/store.log` holds one record per line: `<crc32 of the json, 8 lowercase hex digits>
//! <json>\n`, where the json is a `Record`: `{"OrderInserted":{..order..}}`,
//! `{"CancelRequested":{"client_id":..,"ts_ns":..}}`, `{"OrderUpdated":{..change..}}` or
//! `{"TradeInserted":{..trade..}}`. Records are only ever appended, each with one `write`.
//! On open the log is replayed; a torn tail (an incomplete last line or trailing lines with a
//! bad checksum) is saved to `store.log.cut-<ns>` and cut off; a bad line anywhere before the
//! last good record is [`StoreError::Corrupt`]. The log is locked while a store has it open.
//!
//! # Concurrency
//! All state sits behind one mutex. A write checks, appends its record, updates memory and
//! notifies watchers while holding it, so every watcher sees changes in write order. Sending
//! happens under the lock: sinks should be unbounded channels (a full bounded sink blocks
//! every writer until it is drained).

mod log;
mod state;
mod sync;
#[cfg(test)]
mod tests;

pub use sync::{ParseSyncPolicyError, SyncPolicy};

mod group;

use self::group::{Deferred, GroupSyncer, Notice};
use self::log::{LogWriter, Record, RecordRef};
use self::state::{CancelAction, State};
use self::sync::Syncer;
use super::{
    page, GatewayRequest, Order, OrderChange, OrderFilter, OrderQuery, Page, Position, RobotUpdate,
    Store, StoreError, Trade, TradeQuery, WatchId,
};
use crossbeam_channel::Sender;
use robofleet_api::Instrument;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The log's file name inside the store directory.
pub const LOG_FILE: &str = "store.log";

/// The default [`Store`]: see the [module docs](self) for the format and guarantees.
pub struct EmbeddedStore {
    inner: Arc<Mutex<Inner>>,
    path: PathBuf,
    /// Log bytes known to be on disk (kept by the group commit thread).
    durable: Arc<AtomicU64>,
    /// Declared last: dropped after `inner`, then syncs a last time and stops.
    _syncer: Option<Syncer>,
    /// With [`SyncPolicy::Group`]: syncs, then delivers what each sync covered.
    _group: Option<GroupSyncer>,
}

struct Inner {
    state: State,
    log: LogWriter,
    gateways: Vec<Sender<GatewayRequest>>,
    /// robot -> its watchers.
    robots: HashMap<String, Vec<(u64, Sender<RobotUpdate>)>>,
    next_watch: u64,
    /// With [`SyncPolicy::Group`]: notifications waiting for the sync that covers them.
    deferred: Option<Deferred>,
}

impl EmbeddedStore {
    /// Open the store in `dir` (created if needed), replaying its log.
    pub fn open(dir: &Path, sync: SyncPolicy) -> Result<EmbeddedStore, StoreError> {
        let sync = match sync {
            SyncPolicy::IntervalMs(0) => SyncPolicy::EveryWrite,
            other => other,
        };
        std::fs::create_dir_all(dir)?;
        let path = dir.join(LOG_FILE);
        let created = !path.exists();
        let mut state = State::default();
        let (file, len) = log::replay(&path, |record| replay_one(&mut state, record))?;
        if created {
            // Make the new file's directory entry durable too.
            if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
                tracing::warn!("store: cannot sync {}: {e}", dir.display());
            }
        }
        let dirty = Arc::new(AtomicBool::new(false));
        let syncer = match sync {
            SyncPolicy::IntervalMs(ms) => Some(Syncer::start(
                file.try_clone()?,
                dirty.clone(),
                Duration::from_millis(ms),
            )?),
            _ => None,
        };
        let (kick_tx, kick_rx) = crossbeam_channel::bounded::<()>(1);
        let group = sync == SyncPolicy::Group;
        let group_file = if group { Some(file.try_clone()?) } else { None };
        let durable = Arc::new(AtomicU64::new(len));
        tracing::debug!(
            "store: opened {} ({} orders, {} trades, sync {sync})",
            path.display(),
            state.orders.len(),
            state.trades.len()
        );
        let mut log = LogWriter::new(file, len, sync, dirty.clone());
        if group {
            log.wake_on_write(kick_tx);
        }
        let inner = Arc::new(Mutex::new(Inner {
            state,
            log,
            gateways: Vec::new(),
            robots: HashMap::new(),
            next_watch: 1,
            deferred: group.then(Deferred::default),
        }));
        let group = match group_file {
            Some(file) => Some(GroupSyncer::start(
                group::Shared {
                    inner: inner.clone(),
                    file,
                    dirty,
                    durable: durable.clone(),
                },
                kick_rx,
            )?),
            None => None,
        };
        Ok(EmbeddedStore {
            inner,
            path,
            durable,
            _syncer: syncer,
            _group: group,
        })
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Force everything written so far to stable storage, whatever the policy (and hand
    /// on the notifications group commit was holding for it).
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.log.sync()?;
        self.durable
            .fetch_max(inner.log.len(), std::sync::atomic::Ordering::AcqRel);
        inner.deliver_all_deferred();
        Ok(())
    }

    /// Log bytes written so far (handed to the operating system).
    pub fn written_len(&self) -> u64 {
        self.lock().log.len()
    }

    /// Log bytes known to be on stable storage: kept by group commit, and by [`Self::sync`]
    /// and [`SyncPolicy::EveryWrite`]'s writes through them; under other policies it says
    /// only what was synced through `sync`.
    pub fn durable_len(&self) -> u64 {
        self.durable.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Before a new watcher is told the state: what the state holds must be durable, and
    /// the notifications waiting for that go out first, to the watchers there already.
    fn settle(&self, inner: &mut Inner) -> Result<(), StoreError> {
        if inner.deferred.as_ref().is_some_and(|d| !d.is_empty()) {
            inner.log.sync()?;
            self.durable
                .fetch_max(inner.log.len(), std::sync::atomic::Ordering::AcqRel);
            inner.deliver_all_deferred();
        }
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock with half-applied state; recover if it did.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a log's bytes hold, read as [`EmbeddedStore::open`] reads its file (for the fuzz
/// target and tools: no file, no lock, no tail cut).
#[derive(Debug, PartialEq, Eq)]
pub struct LogSummary {
    pub orders: usize,
    pub trades: usize,
    pub audit: usize,
    /// Positions from the trades, as `positions` answers.
    pub positions: usize,
    /// Bytes up to the last good record (less than the input when it has a torn tail).
    pub good_bytes: u64,
}

/// Read `bytes` as a store log: every record checked against the store's rules and applied
/// to a fresh state; an error says which line and why.
pub fn read_log_bytes(bytes: &[u8]) -> Result<LogSummary, StoreError> {
    let mut state = State::default();
    let (offset, bad) = log::read_records(bytes, Path::new("<bytes>"), &mut |record| {
        replay_one(&mut state, record)
    })?;
    let registry = state.instruments.iter().cloned().collect();
    let positions = super::positions_from_trades(&state.trades, &registry).len();
    Ok(LogSummary {
        orders: state.orders.len(),
        trades: state.trades.len(),
        audit: state.audit.len(),
        positions,
        good_bytes: bad.map_or(offset, |(_, at)| at),
    })
}

fn replay_one(state: &mut State, record: Record) -> Result<(), String> {
    match record {
        Record::OrderInserted(order) => {
            state.check_insert(&order).map_err(|e| e.to_string())?;
            state.apply_insert(order);
        }
        Record::CancelRequested { client_id, .. } => {
            state.replay_cancel(&client_id).map_err(|e| e.to_string())?;
        }
        Record::OrderUpdated(change) => {
            let i = state.check_update(&change).map_err(|e| e.to_string())?;
            state.apply_update(i, &change);
        }
        Record::TradeInserted(trade) => {
            if !state.check_trade(&trade).map_err(|e| e.to_string())? {
                return Err(format!("exec id {} stored twice", trade.exec_id));
            }
            state.apply_trade(trade);
        }
        Record::InstrumentsSet(specs) => state.instruments = specs,
        Record::Audit(entry) => state.audit.push(entry),
        Record::AmendRequested { client_id, amend } => {
            state
                .replay_amend(&client_id, amend)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Send `msg` to every sink, dropping those whose receiver is gone (that is a disconnect, not
/// a lost message). The last sink gets `msg` itself, the others clones.
fn broadcast<S, T: Clone>(sinks: &mut Vec<S>, msg: T, sender: impl Fn(&S) -> &Sender<T>) {
    let mut msg = Some(msg);
    let last = sinks.len().saturating_sub(1);
    let mut i = 0;
    sinks.retain(|sink| {
        let m = if i == last { msg.take() } else { msg.clone() };
        i += 1;
        m.is_some_and(|m| sender(sink).send(m).is_ok())
    });
}

impl Inner {
    fn notify_gateways(&mut self, request: impl FnOnce() -> GatewayRequest) {
        if self.gateways.is_empty() {
            return;
        }
        match self.deferred.as_mut() {
            Some(d) => d.push(Notice::Gateway(request())),
            None => broadcast(&mut self.gateways, request(), |s| s),
        }
    }

    fn notify_robot(&mut self, robot: &str, update: impl FnOnce() -> RobotUpdate) {
        match self.deferred.as_mut() {
            Some(d) if self.robots.contains_key(robot) => {
                d.push(Notice::Robot(robot.to_string(), update()));
            }
            Some(_) => {}
            // Without group commit: straight to the watchers, nothing allocated on the way.
            None => self.deliver_robot(robot, update),
        }
    }

    fn deliver_robot(&mut self, robot: &str, update: impl FnOnce() -> RobotUpdate) {
        let Some(watchers) = self.robots.get_mut(robot) else {
            return;
        };
        broadcast(watchers, update(), |(_, s)| s);
        if watchers.is_empty() {
            self.robots.remove(robot);
        }
    }

    /// Hand `notice` to its watchers now.
    fn deliver(&mut self, notice: Notice) {
        match notice {
            Notice::Gateway(request) => broadcast(&mut self.gateways, request, |s| s),
            Notice::Robot(robot, update) => self.deliver_robot(&robot, || update),
        }
    }

    fn deliver_all_deferred(&mut self) {
        let due = self.deferred.as_mut().map(Deferred::take_all);
        for notice in due.into_iter().flatten() {
            self.deliver(notice);
        }
    }
}

impl Store for EmbeddedStore {
    fn insert_order(&self, order: &Order) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        inner.state.check_insert(order)?;
        inner.log.append(&RecordRef::OrderInserted(order))?;
        inner.state.apply_insert(order.clone());
        // A denied order is finished as it is written: nothing for a gateway to do.
        if order.status == robofleet_api::OrderStatus::New {
            inner.notify_gateways(|| GatewayRequest::New(order.clone()));
        }
        Ok(())
    }

    /// Idempotent: a second request for an order whose cancel is already pending (or that is
    /// terminal) writes nothing and tells nobody.
    fn request_cancel(&self, client_id: &str) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let CancelAction::Request(i) = inner.state.check_cancel(client_id)? else {
            return Ok(());
        };
        inner.log.append(&RecordRef::CancelRequested {
            client_id,
            ts_ns: crate::clock::wall_ns(),
        })?;
        inner.state.apply_cancel(i);
        inner.notify_gateways(|| GatewayRequest::Cancel {
            client_id: client_id.to_string(),
        });
        Ok(())
    }

    fn request_amend(
        &self,
        client_id: &str,
        price: Option<robofleet_api::Price>,
        qty: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let Some((i, amend)) = inner.state.next_amend(client_id, price, qty)? else {
            return Ok(());
        };
        inner.log.append(&RecordRef::AmendRequested {
            client_id,
            amend: &amend,
        })?;
        inner.state.apply_amend_request(i, amend.clone());
        inner.notify_gateways(|| GatewayRequest::Amend {
            client_id: client_id.to_string(),
            amend: amend.clone(),
        });
        Ok(())
    }

    fn update_order(&self, change: &OrderChange) -> Result<Order, StoreError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let i = inner.state.check_update(change)?;
        inner.log.append(&RecordRef::OrderUpdated(change))?;
        let after = inner.state.apply_update(i, change).clone();
        inner.notify_robot(&after.robot, || RobotUpdate::Order(after.clone()));
        Ok(after)
    }

    fn insert_trade(&self, trade: &Trade) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        if !inner.state.check_trade(trade)? {
            return Ok(false);
        }
        inner.log.append(&RecordRef::TradeInserted(trade))?;
        inner.state.apply_trade(trade.clone());
        inner.notify_robot(&trade.robot, || RobotUpdate::Trade(trade.clone()));
        Ok(true)
    }

    fn put_instruments(&self, specs: &[Instrument]) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.state.instruments == specs {
            return Ok(()); // unchanged: nothing to log at every start
        }
        inner.log.append(&RecordRef::InstrumentsSet(specs))?;
        inner.state.instruments = specs.to_vec();
        Ok(())
    }

    fn instruments(&self) -> Result<Vec<Instrument>, StoreError> {
        Ok(self.lock().state.instruments.clone())
    }

    fn watch_order_requests(&self, sink: Sender<GatewayRequest>) -> Result<(), StoreError> {
        let mut inner = self.lock();
        self.settle(&mut inner)?;
        for order in inner
            .state
            .orders
            .iter()
            .filter(|o| !o.status.is_terminal())
        {
            if sink.send(GatewayRequest::New(order.clone())).is_err() {
                return Ok(()); // receiver already gone: nothing to register
            }
            if order.cancel_requested {
                let client_id = order.client_id.clone();
                if sink.send(GatewayRequest::Cancel { client_id }).is_err() {
                    return Ok(());
                }
            } else if let Some(amend) = super::pending_amend(order) {
                let client_id = order.client_id.clone();
                if sink
                    .send(GatewayRequest::Amend { client_id, amend })
                    .is_err()
                {
                    return Ok(());
                }
            }
        }
        inner.gateways.push(sink);
        Ok(())
    }

    fn watch_robot(&self, robot: &str, sink: Sender<RobotUpdate>) -> Result<WatchId, StoreError> {
        let mut inner = self.lock();
        self.settle(&mut inner)?;
        let id = inner.next_watch;
        inner.next_watch += 1;
        inner
            .robots
            .entry(robot.to_string())
            .or_default()
            .push((id, sink));
        Ok(WatchId(id))
    }

    fn unwatch_robot(&self, id: WatchId) {
        let mut inner = self.lock();
        inner.robots.retain(|_, watchers| {
            watchers.retain(|(w, _)| *w != id.0);
            !watchers.is_empty()
        });
    }

    fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .state
            .orders
            .iter()
            .filter(|o| filter.robot.as_deref().is_none_or(|r| o.robot == r))
            .filter(|o| !filter.open_only || !o.status.is_terminal())
            .cloned()
            .collect())
    }

    fn trades(&self, robot: Option<&str>) -> Result<Vec<Trade>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .state
            .trades
            .iter()
            .filter(|t| robot.is_none_or(|r| t.robot == r))
            .cloned()
            .collect())
    }

    fn orders_page(&self, q: &OrderQuery) -> Result<Page<Order>, StoreError> {
        let inner = self.lock();
        let orders = &inner.state.orders;
        Ok(page::page_in_memory(
            orders,
            |o| q.admits(o),
            &q.page,
            page::order_key,
        ))
    }

    fn trades_page(&self, q: &TradeQuery) -> Result<Page<Trade>, StoreError> {
        let inner = self.lock();
        let trades = &inner.state.trades;
        Ok(page::page_in_memory(
            trades,
            |t| q.admits(t),
            &q.page,
            page::trade_key,
        ))
    }

    fn positions(&self, robot: Option<&str>) -> Result<Vec<Position>, StoreError> {
        let inner = self.lock();
        let registry: robofleet_api::Instruments =
            inner.state.instruments.iter().cloned().collect();
        let trades = inner
            .state
            .trades
            .iter()
            .filter(|t| robot.is_none_or(|r| t.robot == r));
        Ok(super::positions_from_trades(trades, &registry))
    }

    fn next_order_seq(&self, robot: &str) -> Result<u64, StoreError> {
        Ok(self.lock().state.next_order_seq(robot))
    }

    fn append_audit(&self, entry: &crate::store::AuditEntry) -> Result<(), StoreError> {
        let mut inner = self.lock();
        // A second shipping of an entry it has (after a crash): one server's entries have
        // distinct, increasing times, so only the newest few need looking at.
        let known = inner
            .state
            .audit
            .iter()
            .rev()
            .take_while(|e| e.ts_ns >= entry.ts_ns)
            .any(|e| e.ts_ns == entry.ts_ns && e.server == entry.server);
        if known {
            return Ok(());
        }
        inner.log.append(&RecordRef::Audit(entry))?;
        inner.state.audit.push(entry.clone());
        Ok(())
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<crate::store::AuditEntry>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .state
            .audit
            .iter()
            .rev()
            .take(limit)
            .cloned()
            .collect())
    }
}
