//! `FakeVecStore`: a test-only `Store` made of Vecs behind a Mutex, standing in for the
//! embedded store (written in parallel) so the gateway can be tested on its own.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crossbeam_channel::Sender;

use crate::store::{
    page, GatewayRequest, Order, OrderChange, OrderFilter, OrderQuery, Page, Position, RobotUpdate,
    StatusChange, Store, StoreError, Trade, TradeQuery, WatchId,
};

#[derive(Default)]
struct Inner {
    orders: Vec<Order>,
    trades: Vec<Trade>,
    watchers: Vec<Sender<GatewayRequest>>,
    instruments: Vec<robofleet_api::Instrument>,
}

impl Inner {
    fn notify(&mut self, req: GatewayRequest) {
        self.watchers.retain(|w| w.send(req.clone()).is_ok());
    }
}

#[derive(Default)]
pub struct FakeVecStore {
    inner: Mutex<Inner>,
    /// While set, `update_order` and `insert_trade` fail like an unavailable store.
    pub fail_writes: AtomicBool,
    /// Each `update_order` and `insert_trade` first sleeps this long (ms): a slow store.
    pub write_delay_ms: AtomicU64,
}

impl FakeVecStore {
    /// A store whose registry trades `Si` (tick 0.5) at every hour, as the tests' prices need.
    pub fn with_si() -> Self {
        let store = FakeVecStore::default();
        let si = crate::instruments::always_open("Si", "0.5".parse().expect("tick"));
        store.lock().instruments = vec![si];
        store
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Put an order (any status) and trades in place without telling watchers: the state
    /// a restarted server finds.
    pub fn preload(&self, order: Order, trades: Vec<Trade>) {
        let mut g = self.lock();
        g.orders.push(order);
        g.trades.extend(trades);
    }

    pub fn order(&self, client_id: &str) -> Option<Order> {
        self.lock()
            .orders
            .iter()
            .find(|o| o.client_id == client_id)
            .cloned()
    }

    fn failing(&self) -> Result<(), StoreError> {
        let delay = self.write_delay_ms.load(Ordering::Relaxed);
        if delay > 0 {
            std::thread::sleep(std::time::Duration::from_millis(delay));
        }
        if self.fail_writes.load(Ordering::Relaxed) {
            Err(StoreError::Unavailable("fake store told to fail".into()))
        } else {
            Ok(())
        }
    }
}

impl Store for FakeVecStore {
    fn insert_order(&self, order: &Order) -> Result<(), StoreError> {
        let mut g = self.lock();
        if g.orders.iter().any(|o| o.client_id == order.client_id) {
            return Err(StoreError::DuplicateOrder(order.client_id.clone()));
        }
        g.orders.push(order.clone());
        g.notify(GatewayRequest::New(order.clone()));
        Ok(())
    }

    fn request_cancel(&self, client_id: &str) -> Result<(), StoreError> {
        let mut g = self.lock();
        let o = g
            .orders
            .iter_mut()
            .find(|o| o.client_id == client_id)
            .ok_or_else(|| StoreError::UnknownOrder(client_id.to_string()))?;
        if o.status.is_terminal() {
            return Ok(());
        }
        o.cancel_requested = true;
        g.notify(GatewayRequest::Cancel {
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
        let mut g = self.lock();
        let o = g
            .orders
            .iter_mut()
            .find(|o| o.client_id == client_id)
            .ok_or_else(|| StoreError::UnknownOrder(client_id.to_string()))?;
        let Some(amend) = o.next_amend(price, qty) else {
            return Ok(());
        };
        o.amend_request = Some(amend.clone());
        g.notify(GatewayRequest::Amend {
            client_id: client_id.to_string(),
            amend,
        });
        Ok(())
    }

    fn update_order(&self, change: &OrderChange) -> Result<Order, StoreError> {
        self.failing()?;
        let mut g = self.lock();
        let o = g
            .orders
            .iter_mut()
            .find(|o| o.client_id == change.client_id)
            .ok_or_else(|| StoreError::UnknownOrder(change.client_id.clone()))?;
        if o.status.is_terminal() {
            return Err(StoreError::InvalidTransition {
                client_id: o.client_id.clone(),
                status: o.status,
                what: format!("to {:?}", change.status),
            });
        }
        o.status = change.status;
        o.filled_qty = change.filled_qty;
        o.avg_price = change.avg_price;
        o.reason = change.reason.clone();
        o.updated_ns = change.ts_ns;
        o.history.push(StatusChange {
            status: change.status,
            ts_ns: change.ts_ns,
            reason: change.reason.clone(),
        });
        Ok(o.clone())
    }

    fn insert_trade(&self, trade: &Trade) -> Result<bool, StoreError> {
        self.failing()?;
        let mut g = self.lock();
        if g.trades.iter().any(|t| t.exec_id == trade.exec_id) {
            return Ok(false);
        }
        g.trades.push(trade.clone());
        Ok(true)
    }

    fn put_instruments(&self, specs: &[robofleet_api::Instrument]) -> Result<(), StoreError> {
        self.lock().instruments = specs.to_vec();
        Ok(())
    }

    fn instruments(&self) -> Result<Vec<robofleet_api::Instrument>, StoreError> {
        Ok(self.lock().instruments.clone())
    }

    fn watch_order_requests(&self, sink: Sender<GatewayRequest>) -> Result<(), StoreError> {
        let mut g = self.lock();
        for o in g.orders.iter().filter(|o| !o.status.is_terminal()) {
            let _ = sink.send(GatewayRequest::New(o.clone()));
        }
        g.watchers.push(sink);
        Ok(())
    }

    /// Not used by the gateway.
    fn watch_robot(&self, _robot: &str, _sink: Sender<RobotUpdate>) -> Result<WatchId, StoreError> {
        Ok(WatchId(0))
    }

    fn unwatch_robot(&self, _id: WatchId) {}

    fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError> {
        Ok(self
            .lock()
            .orders
            .iter()
            .filter(|o| filter.robot.as_ref().is_none_or(|r| *r == o.robot))
            .filter(|o| !filter.open_only || !o.status.is_terminal())
            .cloned()
            .collect())
    }

    fn trades(&self, robot: Option<&str>) -> Result<Vec<Trade>, StoreError> {
        Ok(self
            .lock()
            .trades
            .iter()
            .filter(|t| robot.is_none_or(|r| r == t.robot))
            .cloned()
            .collect())
    }

    fn orders_page(&self, q: &OrderQuery) -> Result<Page<Order>, StoreError> {
        let inner = self.lock();
        let orders = &inner.orders;
        Ok(page::page_in_memory(
            orders,
            |o| q.admits(o),
            &q.page,
            page::order_key,
        ))
    }

    fn trades_page(&self, q: &TradeQuery) -> Result<Page<Trade>, StoreError> {
        let inner = self.lock();
        let trades = &inner.trades;
        Ok(page::page_in_memory(
            trades,
            |t| q.admits(t),
            &q.page,
            page::trade_key,
        ))
    }

    /// Not used by the gateway.
    fn positions(&self, _robot: Option<&str>) -> Result<Vec<Position>, StoreError> {
        Ok(Vec::new())
    }

    fn next_order_seq(&self, robot: &str) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .orders
            .iter()
            .filter(|o| o.robot == robot)
            .map(|o| o.order_seq + 1)
            .max()
            .unwrap_or(1))
    }

    fn append_audit(&self, _entry: &crate::store::AuditEntry) -> Result<(), StoreError> {
        Ok(())
    }

    fn audit_log(&self, _limit: usize) -> Result<Vec<crate::store::AuditEntry>, StoreError> {
        Ok(Vec::new())
    }
}
