//! The gateway's answers, written a turn of its loop at a time: whatever one request, one
//! batch of market data or one answer of the venue made goes to the store in one
//! [`Store::write_answers`](crate::store::Store::write_answers) call, so a store can write a
//! gateway that fell behind in bulk. A venue that waits for its answers to be written (FIX)
//! is told only after that call.

use super::runner::Runner;
use super::stats::GatewayStats;
use crate::store::{GatewayWrite, OrderChange, Trade, Written};
use robofleet_api::OrderStatus;

impl Runner {
    pub(crate) fn push_trade(&mut self, trade: Trade) {
        GatewayStats::bump(&self.stats.fills);
        self.unwritten.push(GatewayWrite::Trade(trade));
    }

    pub(crate) fn push_change(&mut self, change: OrderChange) {
        if change.status == OrderStatus::Rejected {
            GatewayStats::bump(&self.stats.rejects);
            tracing::info!(
                client_id = %change.client_id,
                reason = change.reason.as_deref().unwrap_or(""),
                "order rejected"
            );
        }
        self.unwritten.push(GatewayWrite::Change(change));
    }

    /// Write what is waiting, in order; each failure is counted and logged.
    pub(crate) fn flush_writes(&mut self) {
        if self.unwritten.is_empty() {
            return;
        }
        let mut writes = std::mem::take(&mut self.unwritten);
        let results = self.store.write_answers(&writes);
        for (write, result) in writes.iter().zip(results) {
            match (write, result) {
                (_, Ok(Written::Change(_))) | (_, Ok(Written::Trade { new: true })) => {}
                (GatewayWrite::Trade(t), Ok(Written::Trade { new: false })) => tracing::warn!(
                    client_id = %t.client_id,
                    exec_id = %t.exec_id,
                    "trade was already stored"
                ),
                (GatewayWrite::Change(_), Ok(Written::Trade { .. })) => {}
                (GatewayWrite::Trade(t), Err(e)) => {
                    GatewayStats::bump(&self.stats.store_errors);
                    tracing::error!(
                        client_id = %t.client_id,
                        exec_id = %t.exec_id,
                        error = %e,
                        "cannot store trade"
                    );
                }
                (GatewayWrite::Change(c), Err(e)) => {
                    GatewayStats::bump(&self.stats.store_errors);
                    tracing::error!(
                        client_id = %c.client_id,
                        status = ?c.status,
                        error = %e,
                        "cannot store order change"
                    );
                }
            }
        }
        writes.clear();
        self.unwritten = writes;
    }
}
