//! Time in force: when a day order ends, and what a fill-or-kill order could take on arrival.

use super::order::WorkingOrder;
use super::{ExchangeOutput, SimExchange, DAY_END_REASON};
use crate::store::Order;
use robofleet_api::TimeInForce;

impl SimExchange {
    /// When a day order's trading day ends, by its symbol's spec (none without a registry,
    /// and none for other time in force). A restored order keeps the day it was sent on.
    pub(super) fn day_end(&self, order: &Order, ts: i64, replay: bool) -> Option<i64> {
        if order.tif != TimeInForce::Day {
            return None;
        }
        let at = if replay {
            order.created_ns
        } else {
            self.venue_ts.get(&order.symbol).copied().unwrap_or(ts)
        };
        let spec = self.instruments.as_ref()?.at(&order.symbol, at)?;
        Some(spec.trading_day_end(at))
    }

    /// How much of `w` what the last quote or book left untaken could fill right now.
    pub(super) fn available_at_arrival(&self, w: &WorkingOrder) -> i64 {
        self.offered.get(&w.symbol).map_or(0, |o| o.available_to(w))
    }

    /// Cancel the day orders of `symbol` whose trading day has ended by `ts`.
    pub(super) fn expire_day_orders(
        &mut self,
        symbol: &str,
        ts: i64,
        out: &mut Vec<ExchangeOutput>,
    ) {
        if self.day_ends.is_empty() {
            return;
        }
        let Some(due) = self.day_ends.get(symbol) else {
            return;
        };
        // Those whose day ended by `ts`, earliest first: the index's front.
        let ended: Vec<String> = due
            .iter()
            .take_while(|(end, _)| *end <= ts)
            .map(|(_, id)| id.clone())
            .collect();
        for id in ended {
            self.cancel_with(&id, DAY_END_REASON, ts, out);
        }
    }
}
