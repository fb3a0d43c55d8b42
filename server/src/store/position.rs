use super::Trade;
use robofleet_api::{Money, Price};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A robot's net position in one symbol, derived from its trades.
///
/// Realized PnL is matched first in, first out, so it is exact: each closed lot realizes
/// `(exit − entry) × qty` with no average in between. `realized_pnl` is in price points ×
/// lots (the instrument's multiplier is applied where the instrument is known).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub robot: String,
    pub symbol: String,
    /// Signed: positive long, negative short.
    pub qty: i64,
    /// Average entry price of the open lots, rounded to the nearest 10⁻⁹; 0 when flat.
    pub avg_price: Price,
    pub realized_pnl: Money,
    pub trades: u64,
    /// The open lots, oldest first: (entry price, lots), all on the side of `qty`.
    #[serde(skip)]
    open: VecDeque<(Price, i64)>,
}

impl Position {
    pub fn new(robot: &str, symbol: &str) -> Self {
        Position {
            robot: robot.to_string(),
            symbol: symbol.to_string(),
            ..Default::default()
        }
    }

    /// Fold one trade in: it closes open lots oldest first, realizing PnL, and the rest opens.
    pub fn apply(&mut self, trade: &Trade) {
        self.trades += 1;
        let sign = trade.side.sign();
        let mut left = trade.qty.max(0);
        while left > 0 && self.qty.signum() == -sign {
            let Some(front) = self.open.front_mut() else {
                break;
            };
            let n = left.min(front.1);
            let points = (trade.price.raw() as i128 - front.0.raw() as i128) * n as i128;
            // A long closes with a sell (exit − entry), a short with a buy (entry − exit).
            self.realized_pnl += Money::from_raw(points * -(sign as i128));
            front.1 -= n;
            if front.1 == 0 {
                self.open.pop_front();
            }
            self.qty += sign * n;
            left -= n;
        }
        if left > 0 {
            self.open.push_back((trade.price, left));
            self.qty += sign * left;
        }
        let lots: i64 = self.open.iter().map(|(_, n)| n).sum();
        let cost: i128 = self
            .open
            .iter()
            .map(|(p, n)| p.raw() as i128 * *n as i128)
            .sum();
        self.avg_price = super::average_price(cost, lots);
    }

    /// PnL of the open lots marked at `mark`, exact: `Σ (mark − entry) × lots`, signed.
    pub fn unrealized(&self, mark: Price) -> Money {
        let sign = self.qty.signum() as i128;
        self.open
            .iter()
            .map(|(entry, n)| {
                Money::from_raw((mark.raw() as i128 - entry.raw() as i128) * *n as i128 * sign)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::Side;

    fn trade(side: Side, qty: i64, price: &str) -> Trade {
        Trade {
            exec_id: String::new(),
            client_id: String::new(),
            robot: "r".into(),
            symbol: "Si".into(),
            side,
            qty,
            price: price.parse().unwrap(),
            ts_ns: 0,
            venue_ts_ns: None,
        }
    }

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    #[test]
    fn open_add_close_flip() {
        let mut p = Position::new("r", "Si");
        p.apply(&trade(Side::Buy, 2, "100"));
        p.apply(&trade(Side::Buy, 2, "110"));
        assert_eq!((p.qty, p.avg_price), (4, "105".parse().unwrap()));
        // FIFO: the sell closes a lot bought at 100.
        p.apply(&trade(Side::Sell, 1, "115"));
        assert_eq!((p.qty, p.realized_pnl), (3, m("15")));
        // Closes 1 @100 and 2 @110, then opens 2 short @95.
        p.apply(&trade(Side::Sell, 5, "95"));
        assert_eq!((p.qty, p.avg_price), (-2, "95".parse().unwrap()));
        assert_eq!(p.realized_pnl, m("15") + m("-5") + m("-30"));
        p.apply(&trade(Side::Buy, 2, "90"));
        assert_eq!(
            (p.qty, p.avg_price, p.realized_pnl),
            (0, Price::ZERO, m("-10"))
        );
    }

    #[test]
    fn tenths_add_up_exactly() {
        let mut p = Position::new("r", "Si");
        for _ in 0..10 {
            p.apply(&trade(Side::Buy, 1, "0.1"));
            p.apply(&trade(Side::Sell, 1, "0.2"));
        }
        // Ten round trips of 0.1 each: exactly 1, where f64 gives 0.9999999999999999.
        assert_eq!((p.qty, p.realized_pnl), (0, m("1")));
    }
}
