//! What a robot holds, for its account ([`super::account`]): open notional and the day's
//! PnL per currency, and the notional an order would add.

use super::account::Exposure;
use super::engine::RiskEngine;
use super::TradingState;
use robofleet_api::{Money, OrderRequest, OrderType, Price};

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
    fn value(&self, symbol: &str, points: i128, ts: i64) -> (&str, Money) {
        match self.instruments.at(symbol, ts) {
            Some(spec) => (spec.currency.as_str(), spec.money_for_points(points).abs()),
            None => ("", Money::from_raw(points).abs()),
        }
    }

    /// Open notional and the day's PnL, per currency, at `ts`, written into `out` (its
    /// currencies kept: nothing is allocated once they are known). The day's base is kept
    /// by the marks at each quote and fill.
    pub fn exposure_into(&self, ts: i64, out: &mut Exposure) {
        out.notional.zero();
        out.day_pnl.zero();
        for (symbol, s) in &self.symbols {
            let spec = self.instruments.at(symbol, ts);
            let currency = spec.map_or("", |s| s.currency.as_str());
            if let Some(mid) = s.mid {
                let points = i128::from(mid.raw()) * i128::from(s.position.qty);
                let m = match spec {
                    Some(spec) => spec.money_for_points(points),
                    None => Money::from_raw(points),
                };
                out.notional.add(currency, m.abs());
            }
            let p = &s.position;
            let open = match s.mid {
                Some(mid) if p.qty != 0 => p.unrealized(mid, spec),
                _ => Money::ZERO,
            };
            out.day_pnl.add(currency, p.realized_pnl - p.fees + open);
        }
        for (symbol, price, remaining) in self.working_orders() {
            let Some(px) = price.or_else(|| self.symbols.get(symbol).and_then(|s| s.mid)) else {
                continue;
            };
            let (currency, m) =
                self.value(symbol, i128::from(px.raw()) * i128::from(remaining), ts);
            out.notional.add(currency, m);
        }
        // Equity less the day's base: what the day has made or lost.
        for (currency, base) in self.day_base.iter() {
            out.day_pnl.add(currency, Money::ZERO - base);
        }
    }

    pub fn exposure(&self, ts: i64) -> Exposure {
        let mut e = Exposure::default();
        self.exposure_into(ts, &mut e);
        e
    }

    /// The notional an order adds (at its limit price, or the mid), and its currency;
    /// `None` for a market order with no mid yet.
    pub fn order_notional(&self, req: &OrderRequest, ts: i64) -> Option<(&str, Money)> {
        let px: Price = match req.order_type {
            OrderType::Limit { price } => price,
            _ => self.symbols.get(&req.symbol).and_then(|s| s.mid)?,
        };
        let points = i128::from(px.raw()) * i128::from(req.qty);
        Some(self.value(&req.symbol, points, ts))
    }
}
