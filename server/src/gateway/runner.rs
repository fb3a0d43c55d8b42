//! The gateway thread: order requests and market data in, store writes out.

use std::sync::Arc;

use crossbeam_channel::{never, select, Receiver};
use robofleet_api::OrderStatus;

use super::exchange::{ExchangeInput, ExchangeOutput, SimExchange};
use super::stats::GatewayStats;
use crate::clock;
use crate::market::MarketData;
use crate::store::{GatewayRequest, OrderChange, Store, Trade};

pub struct Runner {
    pub store: Arc<dyn Store>,
    pub stats: Arc<GatewayStats>,
    pub exchange: SimExchange,
}

impl Runner {
    /// Serve until `shutdown` gets a message or its sender is dropped.
    pub fn run(
        mut self,
        requests: Receiver<GatewayRequest>,
        market: Receiver<MarketData>,
        shutdown: Receiver<()>,
    ) {
        // A disconnected channel is always ready; swapping in `never()` keeps `select!`
        // from spinning on it while the other inputs still work.
        let mut requests = requests;
        let mut market = market;
        loop {
            select! {
                recv(requests) -> msg => match msg {
                    Ok(req) => self.on_request(req),
                    Err(_) => {
                        tracing::warn!("the store stopped delivering order requests");
                        requests = never();
                    }
                },
                recv(market) -> msg => match msg {
                    Ok(md) => self.on_market(md),
                    Err(_) => {
                        tracing::warn!("the market data thread stopped");
                        market = never();
                    }
                },
                recv(shutdown) -> _ => break,
            }
        }
        tracing::debug!("gateway thread stopped");
    }

    pub fn on_request(&mut self, req: GatewayRequest) {
        match req {
            GatewayRequest::New(order) => {
                // First thing, so the latency does not include our own work.
                self.stats.record_order_latency(&order);
                GatewayStats::bump(&self.stats.orders_seen);
                let ts_ns = clock::wall_ns();
                self.apply(ExchangeInput::NewOrder { order, ts_ns });
            }
            GatewayRequest::Cancel { client_id } => {
                GatewayStats::bump(&self.stats.cancels_seen);
                let ts_ns = clock::wall_ns();
                self.apply(ExchangeInput::Cancel { client_id, ts_ns });
            }
        }
    }

    pub fn on_market(&mut self, md: MarketData) {
        GatewayStats::bump(&self.stats.md_messages);
        self.apply(ExchangeInput::Market(md));
    }

    /// The exchange emits each Fill before the Change that reports it, and the writes
    /// keep that order, so a robot never sees a fill count its trades do not explain.
    fn apply(&mut self, input: ExchangeInput) {
        for output in self.exchange.process(input) {
            match output {
                ExchangeOutput::Fill(trade) => self.write_trade(&trade),
                ExchangeOutput::Change(change) => self.write_change(&change),
            }
        }
    }

    fn write_trade(&self, trade: &Trade) {
        GatewayStats::bump(&self.stats.fills);
        match self.store.insert_trade(trade) {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                client_id = %trade.client_id,
                exec_id = %trade.exec_id,
                "trade was already stored"
            ),
            Err(e) => {
                GatewayStats::bump(&self.stats.store_errors);
                tracing::error!(
                    client_id = %trade.client_id,
                    exec_id = %trade.exec_id,
                    error = %e,
                    "cannot store trade"
                );
            }
        }
    }

    fn write_change(&self, change: &OrderChange) {
        if change.status == OrderStatus::Rejected {
            GatewayStats::bump(&self.stats.rejects);
            tracing::info!(
                client_id = %change.client_id,
                reason = change.reason.as_deref().unwrap_or(""),
                "order rejected"
            );
        }
        if let Err(e) = self.store.update_order(change) {
            GatewayStats::bump(&self.stats.store_errors);
            tracing::error!(
                client_id = %change.client_id,
                status = ?change.status,
                error = %e,
                "cannot store order change"
            );
        }
    }
}
