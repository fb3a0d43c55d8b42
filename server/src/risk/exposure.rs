//! What a robot holds, for its account ([`super::account`]): open notional and the day's
//! PnL per currency, and the notional an order would add.

use super::account::Exposure;
use super::engine::RiskEngine;
use super::TradingState;
use robofleet_api::{Money, OrderRequest, OrderType, Price};
use std::collections::BTreeMap;

impl RiskEngine {
    /// The robot is in an account: keep the day's base for its loss.
    pub fn track_day(&mut self) {
        self.track_day = true;
    }

    /// The account's state, as the robot took it (journaled by the caller).
    pub fn set_account_state(&mut self, state: TradingState, reason: String) {
        self.account = (state, reason);
    }

    /// The most restrictive of the robot's own state and its account's.
    pub fn effective_state(&self) -> TradingState {
        self.state.max(self.account.0)
    }

    /// `points` (price x lots) of `symbol` as money, and its currency.
    fn value(&self, symbol: &str, points: i128, ts: i64) -> (String, Money) {
        match self.instruments.at(symbol, ts) {
            Some(spec) => (spec.currency.clone(), spec.money_for_points(points).abs()),
            None => (String::new(), Money::from_raw(points).abs()),
        }
    }

    /// Open notional and the day's PnL, per currency, at `ts`.
    /// (The day's base is kept by the marks at each quote and fill.)
    pub fn exposure(&self, ts: i64) -> Exposure {
        let mut notional: BTreeMap<String, Money> = BTreeMap::new();
        for (symbol, s) in &self.symbols {
            let Some(mid) = s.mid else { continue };
            let points = i128::from(mid.raw()) * i128::from(s.position.qty);
            let (currency, m) = self.value(symbol, points, ts);
            *notional.entry(currency).or_insert(Money::ZERO) += m;
        }
        for w in self.working_orders() {
            let Some(px) = w.1.or_else(|| self.symbols.get(w.0).and_then(|s| s.mid)) else {
                continue;
            };
            let (currency, m) = self.value(w.0, i128::from(px.raw()) * i128::from(w.2), ts);
            *notional.entry(currency).or_insert(Money::ZERO) += m;
        }
        let equity = self.equity(ts);
        let day_pnl = equity
            .into_iter()
            .map(|(c, now)| {
                let base = self.day_base.get(&c).copied().unwrap_or(now);
                (c, now - base)
            })
            .collect();
        Exposure { notional, day_pnl }
    }

    /// The notional an order adds (at its limit price, or the mid), and its currency;
    /// `None` for a market order with no mid yet.
    pub fn order_notional(&self, req: &OrderRequest, ts: i64) -> Option<(String, Money)> {
        let px: Price = match req.order_type {
            OrderType::Limit { price } => price,
            _ => self.symbols.get(&req.symbol).and_then(|s| s.mid)?,
        };
        Some(self.value(&req.symbol, i128::from(px.raw()) * i128::from(req.qty), ts))
    }
}
