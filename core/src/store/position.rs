use super::Trade;
use robofleet_api::{Instrument, Instruments, Money, Price};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A robot's net position in one symbol, derived from its trades.
///
/// Realized PnL is matched first in, first out, so it is exact: each closed lot realizes
/// `(exit − entry) × lots` with no average in between, turned into money by the symbol's
/// spec in effect at the closing trade (`points / tick_size × tick_value`). Without a spec
/// it stays in price points × lots and `currency` is `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub robot: String,
    pub symbol: String,
    /// Signed: positive long, negative short.
    pub qty: i64,
    /// Average entry price of the open lots, rounded to the nearest 10⁻⁹; 0 when flat.
    pub avg_price: Price,
    /// Realized PnL before fees, in `currency` (points × lots where there is no spec).
    pub realized_pnl: Money,
    /// The fees of its trades, in `currency`.
    pub fees: Money,
    /// The spec's currency; `None` when no trade had a spec.
    pub currency: Option<String>,
    pub trades: u64,
    /// The open lots, oldest first: (entry price, lots), all on the side of `qty`.
    #[serde(skip)]
    open: VecDeque<(Price, i64)>,
    /// `Σ lots` and `Σ entry × lots` (nano-units) of `open`, kept as lots open and close:
    /// the average and the unrealized PnL cost O(1) however many lots are open (a robot
    /// that builds a position fill by fill is marked at every quote).
    #[serde(skip)]
    open_lots: i64,
    #[serde(skip)]
    open_cost: i128,
}

impl Position {
    pub fn new(robot: &str, symbol: &str) -> Self {
        Position {
            robot: robot.to_string(),
            symbol: symbol.to_string(),
            ..Default::default()
        }
    }

    /// Fold one trade in: it closes open lots oldest first, realizing PnL in the money of
    /// `spec` (the symbol's spec at the trade's time, if any), and the rest opens.
    pub fn apply(&mut self, trade: &Trade, spec: Option<&Instrument>) {
        self.trades += 1;
        self.fees += trade.fee;
        if let Some(spec) = spec {
            self.currency.get_or_insert_with(|| spec.currency.clone());
        }
        let sign = trade.side.sign();
        let mut left = trade.qty.max(0);
        while left > 0 && self.qty.signum() == -sign {
            let Some(front) = self.open.front_mut() else {
                break;
            };
            let n = left.min(front.1);
            self.open_lots -= n;
            self.open_cost -= front.0.raw() as i128 * n as i128;
            // A long closes with a sell (exit − entry), a short with a buy (entry − exit).
            let points =
                (trade.price.raw() as i128 - front.0.raw() as i128) * n as i128 * -(sign as i128);
            self.realized_pnl += money(points, spec);
            front.1 -= n;
            if front.1 == 0 {
                self.open.pop_front();
            }
            self.qty += sign * n;
            left -= n;
        }
        if left > 0 {
            self.open.push_back((trade.price, left));
            self.open_lots += left;
            self.open_cost += trade.price.raw() as i128 * left as i128;
            self.qty += sign * left;
        }
        self.avg_price = super::average_price(self.open_cost, self.open_lots);
    }

    /// PnL of the open lots marked at `mark`, exact: `Σ (mark − entry) × lots`, signed, in
    /// the money of `spec` (points × lots without one).
    pub fn unrealized(&self, mark: Price, spec: Option<&Instrument>) -> Money {
        let sign = self.qty.signum() as i128;
        // Σ (mark − entry) × lots = mark × Σ lots − Σ entry × lots, exactly.
        let points = (mark.raw() as i128 * self.open_lots as i128 - self.open_cost) * sign;
        money(points, spec)
    }
}

fn money(points: i128, spec: Option<&Instrument>) -> Money {
    match spec {
        Some(s) => s.money_for_points(points),
        None => Money::from_raw(points),
    }
}

/// Positions per robot and symbol (sorted) from trades in time order, in the money of the
/// spec in `registry` at each trade's time.
pub fn positions_from_trades<'a>(
    trades: impl IntoIterator<Item = &'a Trade>,
    registry: &Instruments,
) -> Vec<Position> {
    let mut map: std::collections::BTreeMap<(String, String), Position> = Default::default();
    for t in trades {
        map.entry((t.robot.clone(), t.symbol.clone()))
            .or_insert_with(|| Position::new(&t.robot, &t.symbol))
            .apply(t, registry.at(&t.symbol, t.ts_ns));
    }
    map.into_values().collect()
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
            fee: Money::ZERO,
            currency: None,
        }
    }

    impl Position {
        fn apply_plain(&mut self, t: &Trade) {
            self.apply(t, None)
        }
    }

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    #[test]
    fn open_add_close_flip() {
        let mut p = Position::new("r", "Si");
        p.apply_plain(&trade(Side::Buy, 2, "100"));
        p.apply_plain(&trade(Side::Buy, 2, "110"));
        assert_eq!((p.qty, p.avg_price), (4, "105".parse().unwrap()));
        // FIFO: the sell closes a lot bought at 100.
        p.apply_plain(&trade(Side::Sell, 1, "115"));
        assert_eq!((p.qty, p.realized_pnl), (3, m("15")));
        // Closes 1 @100 and 2 @110, then opens 2 short @95.
        p.apply_plain(&trade(Side::Sell, 5, "95"));
        assert_eq!((p.qty, p.avg_price), (-2, "95".parse().unwrap()));
        assert_eq!(p.realized_pnl, m("15") + m("-5") + m("-30"));
        p.apply_plain(&trade(Side::Buy, 2, "90"));
        assert_eq!(
            (p.qty, p.avg_price, p.realized_pnl),
            (0, Price::ZERO, m("-10"))
        );
    }

    #[test]
    fn tenths_add_up_exactly() {
        let mut p = Position::new("r", "Si");
        for _ in 0..10 {
            p.apply_plain(&trade(Side::Buy, 1, "0.1"));
            p.apply_plain(&trade(Side::Sell, 1, "0.2"));
        }
        // Ten round trips of 0.1 each: exactly 1, where f64 gives 0.9999999999999999.
        assert_eq!((p.qty, p.realized_pnl), (0, m("1")));
    }

    #[test]
    fn money_comes_from_the_spec_in_effect_and_fees_add_up() {
        let mut rts = crate::instruments::always_open("RTS", "10".parse().unwrap());
        rts.tick_value = m("13.5");
        rts.currency = "RUB".into();
        let mut t = trade(Side::Buy, 2, "110000");
        t.symbol = "RTS".into();
        t.fee = m("4");
        let mut p = Position::new("r", "RTS");
        p.apply(&t, Some(&rts));
        assert_eq!(p.unrealized("110020".parse().unwrap(), Some(&rts)), m("54"));
        let mut close = trade(Side::Sell, 2, "110030");
        close.symbol = "RTS".into();
        close.fee = m("4");
        p.apply(&close, Some(&rts));
        // 3 ticks × 13.5 × 2 lots.
        assert_eq!((p.qty, p.realized_pnl, p.fees), (0, m("81"), m("8")));
        assert_eq!(p.currency.as_deref(), Some("RUB"));
    }

    #[test]
    fn running_sums_match_the_open_lots() {
        // A long walk of buys and sells (flips included) against the lot-by-lot sums.
        let mut p = Position::new("r", "Si");
        let mut x: u64 = 7;
        for i in 0..2_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let side = if (x >> 33) % 5 < 3 {
                Side::Buy
            } else {
                Side::Sell
            };
            let qty = ((x >> 40) % 7) as i64 + 1;
            let price = format!("{}.{}", 90_000 + (x >> 20) % 200, i % 10);
            p.apply(&trade(side, qty, &price), None);
            let lots: i64 = p.open.iter().map(|(_, n)| n).sum();
            let cost: i128 = p
                .open
                .iter()
                .map(|(e, n)| e.raw() as i128 * *n as i128)
                .sum();
            assert_eq!((p.open_lots, p.open_cost), (lots, cost));
            assert_eq!(p.avg_price, crate::store::average_price(cost, lots));
            let mark: Price = "90100.5".parse().unwrap();
            let sign = p.qty.signum() as i128;
            let by_lot: i128 = p
                .open
                .iter()
                .map(|(e, n)| (mark.raw() as i128 - e.raw() as i128) * *n as i128 * sign)
                .sum();
            assert_eq!(p.unrealized(mark, None), Money::from_raw(by_lot));
        }
    }
}
