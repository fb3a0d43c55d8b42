//! The loss limits: the robot's equity marked to market per currency, the day's base and
//! the peak it is measured from, and the trading state they move to.

use super::account::PerCurrency;
use super::engine::RiskEngine;
use super::{StateChange, TradingState};
use robofleet_api::Money;

const DAY_NS: i64 = 86_400_000_000_000;

impl RiskEngine {
    /// Mark to market: a new day's base, the peak, and the loss limits.
    pub(super) fn mark(&mut self, ts: i64) -> Option<StateChange> {
        let steps = (self.limits.daily_loss, self.limits.drawdown);
        if steps.0.reduce.is_none()
            && steps.0.halt.is_none()
            && steps.1.reduce.is_none()
            && steps.1.halt.is_none()
            && !self.track_day
        {
            return None;
        }
        let mut equity = std::mem::take(&mut self.equity);
        self.equity_into(ts, &mut equity);
        let day = (ts - i64::from(self.limits.day_start_min) * 60_000_000_000).div_euclid(DAY_NS);
        if self.day != Some(day) {
            self.day = Some(day);
            self.day_base.clone_from(&equity);
        }
        let mut worst: Option<StateChange> = None;
        for (currency, now) in equity.iter() {
            let base = self.day_base.get(currency);
            let peak = self.peak.get_or_insert(currency, now);
            if now > *peak {
                *peak = now;
            }
            let peak = *peak;
            for (code, loss, steps) in [
                ("DAILY_LOSS", base - now, self.limits.daily_loss),
                ("DRAWDOWN", peak - now, self.limits.drawdown),
            ] {
                for (state, limit) in [
                    (TradingState::Halted, steps.halt),
                    (TradingState::Reducing, steps.reduce),
                ] {
                    let Some(limit) = limit else { continue };
                    if loss > limit && worst.as_ref().is_none_or(|w| state > w.state) {
                        worst = Some(StateChange {
                            state,
                            code,
                            limit: format!("{limit} {currency}").trim_end().to_string(),
                            value: format!("{loss} {currency}").trim_end().to_string(),
                        });
                    }
                }
            }
        }
        self.equity = equity;
        let change = worst.filter(|w| w.state > self.state)?;
        self.state = change.state;
        Some(change)
    }

    /// Realized less fees plus unrealized at the mid, by currency (`""`: no spec, points),
    /// into `by` (its currencies kept, at zero, until each is added to).
    pub(super) fn equity_into(&self, ts: i64, by: &mut PerCurrency) {
        by.zero();
        for (symbol, s) in &self.symbols {
            let spec = self.instruments.at(symbol, ts);
            let p = &s.position;
            let open = match s.mid {
                Some(mid) if p.qty != 0 => p.unrealized(mid, spec),
                _ => Money::ZERO,
            };
            let currency = spec.map_or("", |s| s.currency.as_str());
            by.add(currency, p.realized_pnl - p.fees + open);
        }
    }
}
