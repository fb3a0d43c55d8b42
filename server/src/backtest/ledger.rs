//! Mark-to-market accounting: positions from fills (the store's own [`Position`] math, so a
//! backtest's realized PnL is what `ctl positions` would show), marks from quote mids, and
//! equity and drawdown over time, in the money of each symbol's spec (points without one).

use crate::store::{Position, Trade};
use robofleet_api::{Instruments, Money, Price};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One row of `positions.csv`: the state after a fill or a mark change in `symbol`.
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    pub ts: i64,
    /// Shared with the ledger's own copy: a point costs no allocation.
    pub symbol: std::sync::Arc<str>,
    pub position: i64,
    pub avg_price: Price,
    /// The symbol's latest quote mid (its average price until a quote is seen).
    pub mark: Price,
    /// PnL of `symbol` alone, before fees.
    pub realized: Money,
    pub unrealized: Money,
    /// Fees paid on `symbol` so far.
    pub fees: Money,
    /// Capital plus the PnL of every symbol.
    pub equity: Money,
    /// Below the highest equity so far.
    pub drawdown: Money,
}

/// The worst fall of equity from a previous high.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Drawdown {
    /// Largest `peak - equity`, in the symbols' currency (price points without specs) (0 if equity never fell).
    pub abs: Money,
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
    pub avg_price: Price,
    pub mark: Option<Price>,
    pub realized: Money,
    pub unrealized: Money,
    pub fees: Money,
    /// `realized + unrealized − fees`.
    pub total: Money,
    /// The spec's currency (`null`: no spec, amounts in price points × lots).
    pub currency: Option<String>,
    pub fills: u64,
    pub volume: i64,
    /// Times the position went back to flat or flipped through zero.
    pub round_trips: u64,
}

/// What the ledger knows of one symbol.
#[derive(Debug)]
struct Slot {
    /// Shared by the symbol's curve points.
    name: std::sync::Arc<str>,
    /// `None` until the symbol's first fill.
    position: Option<Position>,
    mark: Option<Price>,
    volume: i64,
    round_trips: u64,
}

#[derive(Debug)]
pub struct Ledger {
    robot: String,
    capital: Money,
    /// One slot per symbol seen, found through `index` (a run has a handful of symbols and
    /// marks one on every quote, so the last one found is tried first).
    slots: Vec<Slot>,
    index: HashMap<String, usize, foldhash::quality::RandomState>,
    last: usize,
    peak: Money,
    peak_ts: Option<i64>,
    dd: Drawdown,
    curve: Vec<CurvePoint>,
    instruments: Instruments,
    /// Data time of the latest fill or quote: the specs in effect are those of this time.
    now: i64,
}

impl Ledger {
    pub fn new(robot: &str, capital: Money) -> Self {
        Ledger {
            robot: robot.to_string(),
            capital,
            slots: Vec::new(),
            index: HashMap::default(),
            last: 0,
            peak: capital,
            peak_ts: None,
            dd: Drawdown::default(),
            curve: Vec::new(),
            instruments: Instruments::new(),
            now: i64::MIN,
        }
    }

    /// Count money by these specs (effective-dated) rather than in price points.
    pub fn set_instruments(&mut self, instruments: Instruments) {
        self.instruments = instruments;
    }

    /// The slot of `symbol`, made on first sight.
    fn slot_of(&mut self, symbol: &str) -> usize {
        if self
            .slots
            .get(self.last)
            .is_some_and(|s| &*s.name == symbol)
        {
            return self.last;
        }
        let i = match self.index.get(symbol) {
            Some(&i) => i,
            None => {
                self.slots.push(Slot {
                    name: symbol.into(),
                    position: None,
                    mark: None,
                    volume: 0,
                    round_trips: 0,
                });
                self.index.insert(symbol.to_string(), self.slots.len() - 1);
                self.slots.len() - 1
            }
        };
        self.last = i;
        i
    }

    fn find(&self, symbol: &str) -> Option<&Slot> {
        match self.slots.get(self.last) {
            Some(s) if &*s.name == symbol => Some(s),
            _ => self.index.get(symbol).map(|&i| &self.slots[i]),
        }
    }

    /// A fill at the venue: the position changes, and a curve point is written.
    pub fn on_fill(&mut self, trade: &Trade) {
        let i = self.slot_of(&trade.symbol);
        self.now = self.now.max(trade.ts_ns);
        let spec = self.instruments.at(&trade.symbol, trade.ts_ns);
        let slot = &mut self.slots[i];
        let pos = slot
            .position
            .get_or_insert_with(|| Position::new(&self.robot, &trade.symbol));
        let before = pos.qty;
        pos.apply(trade, spec);
        if before != 0 && (pos.qty == 0 || pos.qty.signum() != before.signum()) {
            slot.round_trips += 1;
        }
        slot.volume += trade.qty;
        self.record(trade.ts_ns, i);
    }

    /// A quote: its mid marks the symbol (a quote with an empty side marks nothing). A point
    /// is written when that moves the equity.
    pub fn on_quote(&mut self, ts: i64, symbol: &str, bid: Price, ask: Price) {
        if !bid.is_positive() || !ask.is_positive() {
            return;
        }
        self.now = self.now.max(ts);
        let mid = Price::mid(bid, ask);
        let i = self.slot_of(symbol);
        let slot = &mut self.slots[i];
        let old = slot.mark.replace(mid);
        let held = slot.position.as_ref().is_some_and(|p| p.qty != 0);
        if held && old != Some(mid) {
            self.record(ts, i);
        }
    }

    fn unrealized(&self, slot: &Slot, p: &Position) -> Money {
        match slot.mark {
            Some(mark) if p.qty != 0 => {
                p.unrealized(mark, self.instruments.at(&p.symbol, self.now))
            }
            _ => Money::ZERO,
        }
    }

    /// Capital plus realized and unrealized PnL of every symbol.
    pub fn equity(&self) -> Money {
        self.capital
            + self
                .slots
                .iter()
                .filter_map(|s| s.position.as_ref().map(|p| (s, p)))
                .map(|(s, p)| p.realized_pnl + self.unrealized(s, p) - p.fees)
                .sum::<Money>()
    }

    /// Equity and drawdown now, and a curve point for the symbol in slot `i`.
    fn record(&mut self, ts: i64, i: usize) {
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
        if self.peak > Money::ZERO {
            // A statistic for people, not money: a float is fine here.
            let pct = drawdown.to_f64() / self.peak.to_f64() * 100.0;
            if self.dd.pct.is_none_or(|worst| pct > worst) {
                self.dd.pct = Some(pct);
            }
        }
        let slot = &self.slots[i];
        let Some(p) = slot.position.as_ref() else {
            return;
        };
        let point = CurvePoint {
            ts,
            symbol: slot.name.clone(),
            position: p.qty,
            avg_price: p.avg_price,
            mark: slot.mark.unwrap_or(p.avg_price),
            realized: p.realized_pnl,
            unrealized: self.unrealized(slot, p),
            fees: p.fees,
            equity,
            drawdown,
        };
        self.curve.push(point);
    }

    pub fn position(&self, symbol: &str) -> i64 {
        self.find(symbol)
            .and_then(|s| s.position.as_ref())
            .map_or(0, |p| p.qty)
    }

    pub fn realized(&self, symbol: &str) -> Money {
        self.find(symbol)
            .and_then(|s| s.position.as_ref())
            .map_or(Money::ZERO, |p| p.realized_pnl)
    }

    pub fn drawdown(&self) -> &Drawdown {
        &self.dd
    }

    pub fn curve(&self) -> &[CurvePoint] {
        &self.curve
    }

    /// Take the curve points recorded so far (the report writes them as the run goes); the
    /// buffer is kept for the next ones.
    pub fn drain_curve(&mut self) -> std::vec::Drain<'_, CurvePoint> {
        self.curve.drain(..)
    }

    pub fn capital(&self) -> Money {
        self.capital
    }

    /// Every symbol traded, sorted.
    pub fn per_symbol(&self) -> BTreeMap<String, SymbolPnl> {
        self.slots
            .iter()
            .filter_map(|s| s.position.as_ref().map(|p| (s, p)))
            .map(|(s, p)| {
                let unrealized = self.unrealized(s, p);
                let sym = SymbolPnl {
                    position: p.qty,
                    avg_price: p.avg_price,
                    mark: s.mark,
                    realized: p.realized_pnl,
                    unrealized,
                    fees: p.fees,
                    total: p.realized_pnl + unrealized - p.fees,
                    currency: p.currency.clone(),
                    fills: p.trades,
                    volume: s.volume,
                    round_trips: s.round_trips,
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

    fn p(x: f64) -> Price {
        Price::from_f64(x).unwrap()
    }

    fn m(x: f64) -> Money {
        Money::from_raw(p(x).raw() as i128)
    }

    fn trade(ts: i64, symbol: &str, side: Side, qty: i64, price: f64) -> Trade {
        let price = p(price);
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
            fee: robofleet_api::Money::ZERO,
            currency: None,
        }
    }

    #[test]
    fn realized_and_unrealized_pnl_marked_at_the_mid() {
        let mut l = Ledger::new("r", m(0.0));
        l.on_quote(1, "Si", p(99.0), p(101.0));
        l.on_fill(&trade(2, "Si", Side::Buy, 2, 101.0));
        // Marked at the mid 100: two lots bought at 101 are 2 points down.
        assert_eq!(l.equity(), m(-2.0));
        l.on_quote(3, "Si", p(104.0), p(106.0));
        assert_eq!(l.equity(), m(8.0));
        l.on_fill(&trade(4, "Si", Side::Sell, 1, 104.0));
        let s = &l.per_symbol()["Si"];
        assert_eq!((s.position, s.realized, s.unrealized), (1, m(3.0), m(4.0)));
        assert_eq!((s.fills, s.volume, s.round_trips), (2, 3, 0));
        assert_eq!(s.total, m(7.0));
        // Flipping through zero is a round trip; so is going flat.
        l.on_fill(&trade(5, "Si", Side::Sell, 2, 104.0));
        l.on_fill(&trade(6, "Si", Side::Buy, 1, 103.0));
        let s = &l.per_symbol()["Si"];
        assert_eq!((s.position, s.round_trips), (0, 2));
        assert_eq!(s.realized, m(3.0 + 3.0 + 1.0));
        assert_eq!(l.equity(), m(7.0));
        // A short marked at its own price is 0, which prints as "0".
        l.on_fill(&trade(7, "Si", Side::Sell, 1, 105.0));
        l.on_quote(8, "Si", p(104.0), p(106.0));
        assert_eq!(l.per_symbol()["Si"].unrealized.to_string(), "0");
    }

    #[test]
    fn equity_sums_symbols_and_quotes_without_a_position_write_nothing() {
        let mut l = Ledger::new("r", m(1000.0));
        l.on_quote(1, "Si", p(10.0), p(12.0));
        l.on_quote(2, "RTS", p(100.0), p(110.0));
        assert!(l.curve().is_empty());
        l.on_fill(&trade(3, "Si", Side::Buy, 1, 12.0));
        l.on_fill(&trade(4, "RTS", Side::Sell, 2, 100.0));
        assert_eq!(l.equity(), m(1000.0 - 1.0 - 10.0));
        // A quote with an empty side does not move the mark.
        l.on_quote(5, "RTS", p(0.0), p(90.0));
        assert_eq!(l.curve().len(), 2);
        l.on_quote(6, "RTS", p(80.0), p(90.0));
        assert_eq!(l.equity(), m(1000.0 - 1.0 + 30.0));
        let last = l.curve().last().unwrap();
        assert_eq!((last.ts, &*last.symbol, last.position), (6, "RTS", -2));
        assert_eq!((last.mark, last.unrealized), (p(85.0), m(30.0)));
        // The same mid again changes nothing.
        l.on_quote(7, "RTS", p(80.0), p(90.0));
        assert_eq!(l.curve().len(), 3);
    }

    #[test]
    fn max_drawdown_absolute_and_percent() {
        let mut l = Ledger::new("r", m(100.0));
        l.on_quote(0, "X", p(10.0), p(10.0));
        l.on_fill(&trade(1, "X", Side::Buy, 1, 10.0));
        // Equity = 100 + mid - 10: 100, 120 (peak), 90.5, 140 (peak), 127, 135.
        for (ts, mid) in [(2, 30.0), (3, 0.5), (4, 50.0), (5, 37.0), (6, 45.0)] {
            l.on_quote(ts, "X", p(mid), p(mid));
        }
        // 120 -> 90.5 is the worst fall: 29.5 points, 24.58..% of the 120 peak.
        let dd = l.drawdown();
        assert_eq!(dd.abs, m(29.5));
        assert_eq!((dd.peak_ts, dd.trough_ts), (Some(2), Some(3)));
        assert!((dd.pct.unwrap() - 29.5 / 120.0 * 100.0).abs() < 1e-12);
        let dds: Vec<Money> = l.curve().iter().map(|c| c.drawdown).collect();
        let want: Vec<Money> = [0.0, 0.0, 29.5, 0.0, 13.0, 5.0]
            .into_iter()
            .map(m)
            .collect();
        assert_eq!(dds, want);
    }

    #[test]
    fn no_capital_means_no_percent_until_equity_is_positive() {
        let mut l = Ledger::new("r", m(0.0));
        l.on_quote(0, "X", p(9.0), p(11.0));
        l.on_fill(&trade(1, "X", Side::Buy, 1, 11.0));
        l.on_quote(2, "X", p(7.0), p(9.0));
        assert_eq!(l.drawdown().abs, m(3.0));
        assert_eq!(l.drawdown().peak_ts, None, "the high was the start");
        assert_eq!(l.drawdown().pct, None);
        l.on_quote(3, "X", p(13.0), p(15.0));
        l.on_quote(4, "X", p(11.0), p(13.0));
        assert_eq!(l.equity(), m(1.0));
        // Peak 3, now 1: 66.7% of the peak, while the absolute worst is still 3.
        assert!((l.drawdown().pct.unwrap() - 200.0 / 3.0).abs() < 1e-9);
        assert_eq!(l.drawdown().abs, m(3.0));
    }
}
