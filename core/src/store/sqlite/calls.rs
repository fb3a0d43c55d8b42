//! The SQLite store's [`Store`] calls.

use super::ahead::Change;
use super::{query, SqliteStore};
use crate::store::{
    rules, AuditEntry, GatewayRequest, Order, OrderChange, OrderFilter, OrderQuery, Page, Position,
    RobotUpdate, Store, StoreError, StoreHealth, Trade, TradeQuery, WatchId,
};
use crossbeam_channel::Sender;
use robofleet_api::{Instrument, OrderStatus, Price};

impl Store for SqliteStore {
    fn insert_order(&self, order: &Order) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        rules::check_new_order(order)?;
        // An id the API made (`<robot>-<seq>`) past the robot's highest sequence cannot be
        // stored yet: no read of the file on the order path.
        let fresh = order.order_seq > inner.max_seq.get(&order.robot).copied().unwrap_or(0)
            && order.client_id == format!("{}-{}", order.robot, order.order_seq);
        if !fresh && inner.has_order(&order.client_id)? {
            return Err(StoreError::DuplicateOrder(order.client_id.clone()));
        }
        self.log(inner, Change::Order(order.clone()))?;
        let seq = inner.max_seq.entry(order.robot.clone()).or_insert(0);
        *seq = (*seq).max(order.order_seq);
        if !order.status.is_terminal() {
            inner.open.insert(order.client_id.clone(), order.clone());
        }
        // A denied order is finished as it is written: nothing for a gateway to do.
        if order.status == OrderStatus::New {
            inner
                .watchers
                .gateway(|| GatewayRequest::New(order.clone()));
        }
        Ok(())
    }

    /// Idempotent: a second request for an order whose cancel is already pending (or that is
    /// finished) writes nothing and tells nobody.
    fn request_cancel(&self, client_id: &str) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let mut order = inner.order(client_id)?;
        if order.status.is_terminal() || order.cancel_requested {
            return Ok(());
        }
        order.cancel_requested = true;
        self.log(&mut inner, Change::Order(order.clone()))?;
        inner.track(&order);
        inner.watchers.gateway(|| GatewayRequest::Cancel {
            client_id: client_id.to_string(),
        });
        Ok(())
    }

    fn request_amend(
        &self,
        client_id: &str,
        price: Option<Price>,
        qty: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let mut order = inner.order(client_id)?;
        let Some(amend) = order.next_amend(price, qty) else {
            return Ok(());
        };
        order.amend_request = Some(amend.clone());
        self.log(&mut inner, Change::Order(order.clone()))?;
        inner.track(&order);
        inner.watchers.gateway(|| GatewayRequest::Amend {
            client_id: client_id.to_string(),
            amend,
        });
        Ok(())
    }

    fn update_order(&self, change: &OrderChange) -> Result<Order, StoreError> {
        let mut inner = self.lock();
        let mut order = inner.order(&change.client_id)?;
        rules::check_change(&order, change)?;
        rules::apply_change(&mut order, change);
        self.log(&mut inner, Change::Order(order.clone()))?;
        inner.track(&order);
        let robot = order.robot.clone();
        inner
            .watchers
            .robot(&robot, || RobotUpdate::Order(order.clone()));
        Ok(order)
    }

    fn insert_trade(&self, trade: &Trade) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        if inner.unapplied_fills.contains_key(&trade.exec_id)
            || query::has_trade(&inner.conn, &trade.exec_id)?
        {
            return Ok(false);
        }
        rules::check_trade(&inner.order(&trade.client_id)?, trade)?;
        self.log(&mut inner, Change::Trade(trade.clone()))?;
        inner
            .watchers
            .robot(&trade.robot, || RobotUpdate::Trade(trade.clone()));
        Ok(true)
    }

    fn put_instruments(&self, specs: &[Instrument]) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.instruments == specs {
            return Ok(()); // unchanged: nothing to write at every start
        }
        self.log(&mut inner, Change::Instruments(specs.to_vec()))?;
        inner.instruments = specs.to_vec();
        Ok(())
    }

    fn instruments(&self) -> Result<Vec<Instrument>, StoreError> {
        Ok(self.lock().instruments.clone())
    }

    fn watch_order_requests(&self, sink: Sender<GatewayRequest>) -> Result<(), StoreError> {
        let mut inner = self.lock();
        self.settle(&mut inner)?;
        let mut open: Vec<&Order> = inner.open.values().collect();
        open.sort_by(|a, b| (a.created_ns, &a.client_id).cmp(&(b.created_ns, &b.client_id)));
        for order in open {
            if sink.send(GatewayRequest::New(order.clone())).is_err() {
                return Ok(()); // receiver already gone: nothing to register
            }
            let client_id = order.client_id.clone();
            let follow = if order.cancel_requested {
                Some(GatewayRequest::Cancel { client_id })
            } else {
                crate::store::pending_amend(order)
                    .map(|amend| GatewayRequest::Amend { client_id, amend })
            };
            if follow.is_some_and(|r| sink.send(r).is_err()) {
                return Ok(());
            }
        }
        inner.watchers.add_gateway(sink);
        Ok(())
    }

    fn watch_robot(&self, robot: &str, sink: Sender<RobotUpdate>) -> Result<WatchId, StoreError> {
        let mut inner = self.lock();
        self.settle(&mut inner)?;
        Ok(WatchId(inner.watchers.add_robot(robot, sink)))
    }

    fn unwatch_robot(&self, id: WatchId) {
        self.lock().watchers.remove_robot(id.0);
    }

    fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError> {
        self.flush()?;
        query::orders(&self.lock().conn, filter)
    }

    fn trades(&self, robot: Option<&str>) -> Result<Vec<Trade>, StoreError> {
        self.flush()?;
        query::trades(&self.lock().conn, robot)
    }

    fn orders_page(&self, q: &OrderQuery) -> Result<Page<Order>, StoreError> {
        self.flush()?;
        query::orders_page(&self.lock().conn, q)
    }

    fn trades_page(&self, q: &TradeQuery) -> Result<Page<Trade>, StoreError> {
        self.flush()?;
        query::trades_page(&self.lock().conn, q)
    }

    fn positions(&self, robot: Option<&str>) -> Result<Vec<Position>, StoreError> {
        self.flush()?;
        let inner = self.lock();
        let registry: robofleet_api::Instruments = inner.instruments.iter().cloned().collect();
        let trades = query::trades(&inner.conn, robot)?;
        Ok(crate::store::positions_from_trades(&trades, &registry))
    }

    fn next_order_seq(&self, robot: &str) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .max_seq
            .get(robot)
            .map_or(1, |&seq| seq.saturating_add(1)))
    }

    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        // A second shipping of an entry it has (after a crash) is ignored: one server's
        // entries have distinct times.
        let mut inner = self.lock();
        self.log(&mut inner, Change::Audit(entry.clone()))
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.flush()?;
        query::audit_log(&self.lock().conn, limit)
    }

    fn health(&self) -> StoreHealth {
        let inner = self.lock();
        StoreHealth {
            backend: "sqlite",
            // Writes go on while the file cannot take them: they wait in the ahead log.
            available: true,
            pending_writes: inner.pending.len() as u64,
            // Nothing is given up: a batch that could not be applied is retried.
            failed_writes: 0,
            last_error: inner.last_apply_error.clone(),
        }
    }
}
