//! Mark-to-market accounting: positions from fills (the store's own [`Position`] math, so a
//! backtest's realized PnL is what `ctl positions` would show), marks from quote mids, and
//! equity and drawdown over time.

use crate::store::{Position, Trade};
use serde::Serialize;
use std::collections::BTreeMap;

/// One row of `positions.csv`: the state after a fill or a mark change in `symbol`.
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    pub ts: i64,
    pub symbol: String,
    pub position: i64,
    pub avg_price: f64,
    /// The symbol's latest quote mid (its average price until a quote is seen).
    pub mark: f64,
    /// PnL of `symbol` alone.
    pub realized: f64,
    pub unrealized: f64,
    /// Capital plus the PnL of every symbol.
    pub equity: f64,
    /// Below the highest equity so far.
    pub drawdown: f64,
}

/// The worst fall of equity from a previous high.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Drawdown {
    /// Largest `peak - equity`, in price points (0 if equity never fell).
    pub abs: f64,
    /// Largest `(peak - equity) / peak` in percent, over the times the peak was above zero;
    /// `None` while equity never rose above zero (give a starting capital).
    pub pct: Option<f64>,
    /// When the high before the largest absolute drawdown was set (`None`: at the start).
    pub peak_ts: Option<i64>,
    /// When that drawdown was deepest.
    pub trough_ts: Option<i64>,
}

/// One symbol at the end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymbolPnl {
    pub position: i64,
    pub avg_price: f64,
    pub mark: Option<f64>,
    pub realized: f64,
    pub unrealized: f64,
    pub total: f64,
    pub fills: u64,
    pub volume: i64,
    /// Times the position went back to flat or flipped through zero.
    pub round_trips: u64,
}

#[derive(Debug)]
pub struct Ledger {
    robot: String,
    capital: f64,
    positions: BTreeMap<String, Position>,
    marks: BTreeMap<String, f64>,
    volume: BTreeMap<String, i64>,
    round_trips: BTreeMap<String, u64>,
    peak: f64,
    peak_ts: Option<i64>,
    dd: Drawdown,
    curve: Vec<CurvePoint>,
}

impl Ledger {
    pub fn new(robot: &str, capital: f64) -> Self {
        Ledger {
            robot: robot.to_string(),
            capital,
            positions: BTreeMap::new(),
            marks: BTreeMap::new(),
            volume: BTreeMap::new(),
            round_trips: BTreeMap::new(),
            peak: capital,
            peak_ts: None,
            dd: Drawdown::default(),
            curve: Vec::new(),
        }
    }

    /// A fill at the venue: the position changes, and a curve point is written.
    pub fn on_fill(&mut self, trade: &Trade) {
        let pos = self
            .positions
            .entry(trade.symbol.clone())
            .or_insert_with(|| Position::new(&self.robot, &trade.symbol));
        let before = pos.qty;
        pos.apply(trade);
        if before != 0 && (pos.qty == 0 || pos.qty.signum() != before.signum()) {
            *self.round_trips.entry(trade.symbol.clone()).or_default() += 1;
        }
        *self.volume.entry(trade.symbol.clone()).or_default() += trade.qty;
        self.record(trade.ts_ns, &trade.symbol);
    }

    /// A quote: its mid marks the symbol (a quote with an empty side marks nothing). A point
    /// is written when that moves the equity.
    pub fn on_quote(&mut self, ts: i64, symbol: &str, bid: f64, ask: f64) {
        let live = |p: f64| p.is_finite() && p > 0.0;
        if !live(bid) || !live(ask) {
            return;
        }
        let mid = (bid + ask) / 2.0;
        let old = self.marks.insert(symbol.to_string(), mid);
        let held = self.positions.get(symbol).is_some_and(|p| p.qty != 0);
        if held && old != Some(mid) {
            self.record(ts, symbol);
        }
    }

    fn unrealized(&self, p: &Position) -> f64 {
        match self.marks.get(&p.symbol) {
            // `+ 0.0` turns a short's -0.0 into 0.0.
            Some(mark) if p.qty != 0 => p.qty as f64 * (mark - p.avg_price) + 0.0,
            _ => 0.0,
        }
    }

    /// Capital plus realized and unrealized PnL of every symbol.
    pub fn equity(&self) -> f64 {
        self.capital
            + self
                .positions
                .values()
                .map(|p| p.realized_pnl + self.unrealized(p))
                .sum::<f64>()
    }

    fn record(&mut self, ts: i64, symbol: &str) {
        let equity = self.equity();
        if equity > self.peak {
            self.peak = equity;
            self.peak_ts = Some(ts);
        }
        let drawdown = self.peak - equity;
        if drawdown > self.dd.abs {
            self.dd.abs = drawdown;
            self.dd.peak_ts = self.peak_ts;
            self.dd.trough_ts = Some(ts);
        }
        if self.peak > 0.0 {
            let pct = drawdown / self.peak * 100.0;
            if self.dd.pct.is_none_or(|worst| pct > worst) {
                self.dd.pct = Some(pct);
            }
        }
        let Some(p) = self.positions.get(symbol) else {
            return;
        };
        self.curve.push(CurvePoint {
            ts,
            symbol: symbol.to_string(),
            position: p.qty,
            avg_price: p.avg_price,
            mark: self.marks.get(symbol).copied().unwrap_or(p.avg_price),
            realized: p.realized_pnl,
            unrealized: self.unrealized(p),
            equity,
            drawdown,
        });
    }

    pub fn position(&self, symbol: &str) -> i64 {
        self.positions.get(symbol).map_or(0, |p| p.qty)
    }

    pub fn realized(&self, symbol: &str) -> f64 {
        self.positions.get(symbol).map_or(0.0, |p| p.realized_pnl)
    }

    pub fn drawdown(&self) -> &Drawdown {
        &self.dd
    }

    pub fn curve(&self) -> &[CurvePoint] {
        &self.curve
    }

    pub fn capital(&self) -> f64 {
        self.capital
    }

    /// Every symbol traded, sorted.
    pub fn per_symbol(&self) -> BTreeMap<String, SymbolPnl> {
        self.positions
            .values()
            .map(|p| {
                let unrealized = self.unrealized(p);
                let sym = SymbolPnl {
                    position: p.qty,
                    avg_price: p.avg_price,
                    mark: self.marks.get(&p.symbol).copied(),
                    realized: p.realized_pnl,
                    unrealized,
                    total: p.realized_pnl + unrealized,
                    fills: p.trades,
                    volume: self.volume.get(&p.symbol).copied().unwrap_or(0),
                    round_trips: self.round_trips.get(&p.symbol).copied().unwrap_or(0),
                };
                (p.symbol.clone(), sym)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::Side;

    fn trade(ts: i64, symbol: &str, side: Side, qty: i64, price: f64) -> Trade {
        Trade {
            exec_id: format!("SIM-{ts}"),
            client_id: "r-1".into(),
            robot: "r".into(),
            symbol: symbol.into(),
            side,
            qty,
            price,
            ts_ns: ts,
            venue_ts_ns: None,
        }
    }

    #[test]
    fn realized_and_unrealized_pnl_marked_at_the_mid() {
        let mut l = Ledger::new("r", 0.0);
        l.on_quote(1, "Si", 99.0, 101.0);
        l.on_fill(&trade(2, "Si", Side::Buy, 2, 101.0));
        // Marked at the mid 100: two lots bought at 101 are 2 points down.
        assert_eq!(l.equity(), -2.0);
        l.on_quote(3, "Si", 104.0, 106.0);
        assert_eq!(l.equity(), 8.0);
        l.on_fill(&trade(4, "Si", Side::Sell, 1, 104.0));
        let s = &l.per_symbol()["Si"];
        assert_eq!((s.position, s.realized, s.unrealized), (1, 3.0, 4.0));
        assert_eq!((s.fills, s.volume, s.round_trips), (2, 3, 0));
        assert_eq!(s.total, 7.0);
        // Flipping through zero is a round trip; so is going flat.
        l.on_fill(&trade(5, "Si", Side::Sell, 2, 104.0));
        l.on_fill(&trade(6, "Si", Side::Buy, 1, 103.0));
        let s = &l.per_symbol()["Si"];
        assert_eq!((s.position, s.round_trips), (0, 2));
        assert_eq!(s.realized, 3.0 + 3.0 + 1.0);
        assert_eq!(l.equity(), 7.0);
        // A short marked at its own price is 0, not -0 (which would print as "-0.0").
        l.on_fill(&trade(7, "Si", Side::Sell, 1, 105.0));
        l.on_quote(8, "Si", 104.0, 106.0);
        assert!(l.per_symbol()["Si"].unrealized.is_sign_positive());
    }

    #[test]
    fn equity_sums_symbols_and_quotes_without_a_position_write_nothing() {
        let mut l = Ledger::new("r", 1000.0);
        l.on_quote(1, "Si", 10.0, 12.0);
        l.on_quote(2, "RTS", 100.0, 110.0);
        assert!(l.curve().is_empty());
        l.on_fill(&trade(3, "Si", Side::Buy, 1, 12.0));
        l.on_fill(&trade(4, "RTS", Side::Sell, 2, 100.0));
        assert_eq!(l.equity(), 1000.0 - 1.0 - 10.0);
        // A quote with an empty side does not move the mark.
        l.on_quote(5, "RTS", 0.0, 90.0);
        assert_eq!(l.curve().len(), 2);
        l.on_quote(6, "RTS", 80.0, 90.0);
        assert_eq!(l.equity(), 1000.0 - 1.0 + 30.0);
        let last = l.curve().last().unwrap();
        assert_eq!(
            (last.ts, last.symbol.as_str(), last.position),
            (6, "RTS", -2)
        );
        assert_eq!((last.mark, last.unrealized), (85.0, 30.0));
        // The same mid again changes nothing.
        l.on_quote(7, "RTS", 80.0, 90.0);
        assert_eq!(l.curve().len(), 3);
    }

    #[test]
    fn max_drawdown_absolute_and_percent() {
        let mut l = Ledger::new("r", 100.0);
        l.on_quote(0, "X", 10.0, 10.0);
        l.on_fill(&trade(1, "X", Side::Buy, 1, 10.0));
        // Equity = 100 + mid - 10: 100, 120 (peak), 90.5, 140 (peak), 127, 135.
        for (ts, mid) in [(2, 30.0), (3, 0.5), (4, 50.0), (5, 37.0), (6, 45.0)] {
            l.on_quote(ts, "X", mid, mid);
        }
        // 120 -> 90.5 is the worst fall: 29.5 points, 24.58..% of the 120 peak.
        let dd = l.drawdown();
        assert_eq!(dd.abs, 29.5);
        assert_eq!((dd.peak_ts, dd.trough_ts), (Some(2), Some(3)));
        assert!((dd.pct.unwrap() - 29.5 / 120.0 * 100.0).abs() < 1e-12);
        let dds: Vec<f64> = l.curve().iter().map(|p| p.drawdown).collect();
        assert_eq!(dds, [0.0, 0.0, 29.5, 0.0, 13.0, 5.0]);
    }

    #[test]
    fn no_capital_means_no_percent_until_equity_is_positive() {
        let mut l = Ledger::new("r", 0.0);
        l.on_quote(0, "X", 9.0, 11.0);
        l.on_fill(&trade(1, "X", Side::Buy, 1, 11.0));
        l.on_quote(2, "X", 7.0, 9.0);
        assert_eq!(l.drawdown().abs, 3.0);
        assert_eq!(l.drawdown().peak_ts, None, "the high was the start");
        assert_eq!(l.drawdown().pct, None);
        l.on_quote(3, "X", 13.0, 15.0);
        l.on_quote(4, "X", 11.0, 13.0);
        assert_eq!(l.equity(), 1.0);
        // Peak 3, now 1: 66.7% of the peak, while the absolute worst is still 3.
        assert!((l.drawdown().pct.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(l.drawdown().abs, 3.0);
    }
}
