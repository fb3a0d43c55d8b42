//! The in-memory state rebuilt from the log, and the rules every change must pass.
//!
//! Live writes and the replay go through the same `check_*` / `apply_*` pairs, so a log
//! written by the store always replays to the same state.

use crate::store::{rules, AmendRequest, Order, OrderChange, StoreError, Trade};
use std::collections::{HashMap, HashSet};

#[derive(Default)]
pub(super) struct State {
    /// In insertion order.
    pub(super) orders: Vec<Order>,
    /// client id -> index in `orders`.
    by_id: HashMap<String, usize>,
    /// In insertion order.
    pub(super) trades: Vec<Trade>,
    exec_ids: HashSet<String>,
    max_seq: HashMap<String, u64>,
    /// The instrument registry, every version.
    pub(super) instruments: Vec<robofleet_api::Instrument>,
    /// The control plane's audit log, oldest first.
    pub(super) audit: Vec<crate::store::AuditEntry>,
}

/// What a cancel request has to do.
pub(super) enum CancelAction {
    /// Unknown to the gateway's eyes: the order is terminal or a cancel is already pending.
    Nothing,
    Request(usize),
}

impl State {
    fn index(&self, client_id: &str) -> Result<usize, StoreError> {
        self.by_id
            .get(client_id)
            .copied()
            .ok_or_else(|| StoreError::UnknownOrder(client_id.to_string()))
    }

    pub(super) fn next_order_seq(&self, robot: &str) -> u64 {
        self.max_seq
            .get(robot)
            .map_or(1, |&seq| seq.saturating_add(1))
    }

    pub(super) fn check_insert(&self, order: &Order) -> Result<(), StoreError> {
        if self.by_id.contains_key(&order.client_id) {
            return Err(StoreError::DuplicateOrder(order.client_id.clone()));
        }
        rules::check_new_order(order)
    }

    pub(super) fn apply_insert(&mut self, order: Order) {
        let seq = self.max_seq.entry(order.robot.clone()).or_insert(0);
        *seq = (*seq).max(order.order_seq);
        self.by_id
            .insert(order.client_id.clone(), self.orders.len());
        self.orders.push(order);
    }

    pub(super) fn check_cancel(&self, client_id: &str) -> Result<CancelAction, StoreError> {
        let i = self.index(client_id)?;
        let order = &self.orders[i];
        Ok(if order.status.is_terminal() || order.cancel_requested {
            CancelAction::Nothing
        } else {
            CancelAction::Request(i)
        })
    }

    pub(super) fn apply_cancel(&mut self, i: usize) {
        self.orders[i].cancel_requested = true;
    }

    /// Replay of a cancel record: only the order must exist.
    pub(super) fn replay_cancel(&mut self, client_id: &str) -> Result<(), StoreError> {
        let i = self.index(client_id)?;
        self.apply_cancel(i);
        Ok(())
    }

    /// The amend request to record for `client_id`, or `None` for a finished order.
    pub(super) fn next_amend(
        &self,
        client_id: &str,
        price: Option<robofleet_api::Price>,
        qty: Option<i64>,
    ) -> Result<Option<(usize, AmendRequest)>, StoreError> {
        let i = self.index(client_id)?;
        Ok(self.orders[i]
            .next_amend(price, qty)
            .map(|amend| (i, amend)))
    }

    pub(super) fn apply_amend_request(&mut self, i: usize, amend: AmendRequest) {
        self.orders[i].amend_request = Some(amend);
    }

    /// Replay of an amend record: only the order must exist.
    pub(super) fn replay_amend(
        &mut self,
        client_id: &str,
        amend: AmendRequest,
    ) -> Result<(), StoreError> {
        let i = self.index(client_id)?;
        self.apply_amend_request(i, amend);
        Ok(())
    }

    pub(super) fn check_update(&self, change: &OrderChange) -> Result<usize, StoreError> {
        let i = self.index(&change.client_id)?;
        rules::check_change(&self.orders[i], change)?;
        Ok(i)
    }

    pub(super) fn apply_update(&mut self, i: usize, change: &OrderChange) -> &Order {
        let order = &mut self.orders[i];
        rules::apply_change(order, change);
        order
    }

    /// `Ok(false)` if the exec id is already stored.
    pub(super) fn check_trade(&self, trade: &Trade) -> Result<bool, StoreError> {
        if self.exec_ids.contains(&trade.exec_id) {
            return Ok(false);
        }
        rules::check_trade(&self.orders[self.index(&trade.client_id)?], trade)?;
        Ok(true)
    }

    pub(super) fn apply_trade(&mut self, trade: Trade) {
        self.exec_ids.insert(trade.exec_id.clone());
        self.trades.push(trade);
    }
}
