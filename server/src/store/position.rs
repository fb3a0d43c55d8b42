use super::Trade;
use serde::{Deserialize, Serialize};

/// A robot's net position in one symbol, derived from its trades.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub robot: String,
    pub symbol: String,
    /// Signed: positive long, negative short.
    pub qty: i64,
    /// Average price of the open quantity; 0 when flat.
    pub avg_price: f64,
    pub realized_pnl: f64,
    pub trades: u64,
}

impl Position {
    pub fn new(robot: &str, symbol: &str) -> Self {
        Position {
            robot: robot.to_string(),
            symbol: symbol.to_string(),
            ..Default::default()
        }
    }

    /// Fold one trade in: closing quantity realizes PnL against the average price.
    pub fn apply(&mut self, trade: &Trade) {
        let delta = trade.side.sign() * trade.qty;
        self.trades += 1;
        if self.qty == 0 || self.qty.signum() == delta.signum() {
            let new_qty = self.qty + delta;
            self.avg_price = (self.avg_price * self.qty.abs() as f64
                + trade.price * delta.abs() as f64)
                / new_qty.abs() as f64;
            self.qty = new_qty;
            return;
        }
        let closing = delta.abs().min(self.qty.abs());
        self.realized_pnl +=
            closing as f64 * (trade.price - self.avg_price) * self.qty.signum() as f64;
        self.qty += delta;
        if self.qty == 0 {
            self.avg_price = 0.0;
        } else if self.qty.signum() == delta.signum() {
            // Flipped through zero: the rest opens at the trade price.
            self.avg_price = trade.price;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::Side;

    fn trade(side: Side, qty: i64, price: f64) -> Trade {
        Trade {
            exec_id: String::new(),
            client_id: String::new(),
            robot: "r".into(),
            symbol: "Si".into(),
            side,
            qty,
            price,
            ts_ns: 0,
            venue_ts_ns: None,
        }
    }

    #[test]
    fn open_add_close_flip() {
        let mut p = Position::new("r", "Si");
        p.apply(&trade(Side::Buy, 2, 100.0));
        p.apply(&trade(Side::Buy, 2, 110.0));
        assert_eq!((p.qty, p.avg_price), (4, 105.0));
        p.apply(&trade(Side::Sell, 1, 115.0));
        assert_eq!((p.qty, p.realized_pnl), (3, 10.0));
        p.apply(&trade(Side::Sell, 5, 95.0));
        assert_eq!((p.qty, p.avg_price), (-2, 95.0));
        assert_eq!(p.realized_pnl, 10.0 - 30.0);
        p.apply(&trade(Side::Buy, 2, 90.0));
        assert_eq!((p.qty, p.avg_price, p.realized_pnl), (0, 0.0, -20.0 + 10.0));
    }
}
