//! What the market offers, level by level, and our orders walking it.
//!
//! A quote is a book of one level a side; a depth message is a book of many. Either way the
//! exchange keeps, per symbol, the levels the last one showed less what our orders have
//! taken since, and a marketable order takes them best level first: partial fills at each
//! price it crosses, the rest working (or cancelled, for IOC and FOK). Our own orders on a
//! side are served in price-time priority.

use robofleet_api::{Level, Price, Side};

use super::order::{live, Liquidity, WorkingOrder};
use super::{fill, ExchangeOutput, SimExchange};

/// One symbol's levels, best first, less what our orders took.
#[derive(Clone, Debug, Default)]
pub(super) struct Offered {
    pub(super) bids: Vec<Level>,
    pub(super) asks: Vec<Level>,
}

impl Offered {
    /// A quote's touch as a one-level book (a side with no usable price offers nothing).
    pub(super) fn from_quote(bid: Price, bid_size: i64, ask: Price, ask_size: i64) -> Self {
        let side = |price: Price, qty: i64| {
            if live(price) && qty > 0 {
                vec![Level { price, qty }]
            } else {
                Vec::new()
            }
        };
        Offered {
            bids: side(bid, bid_size),
            asks: side(ask, ask_size),
        }
    }

    /// A book's levels, as given (best first, positive quantities).
    pub(super) fn from_book(bids: &[Level], asks: &[Level]) -> Self {
        let keep = |side: &[Level]| -> Vec<Level> {
            side.iter()
                .filter(|l| l.qty > 0 && live(l.price))
                .copied()
                .collect()
        };
        Offered {
            bids: keep(bids),
            asks: keep(asks),
        }
    }

    /// The levels an order on `side` takes: a buy takes the asks.
    pub(super) fn taken_by(&mut self, side: Side) -> &mut Vec<Level> {
        match side {
            Side::Buy => &mut self.asks,
            Side::Sell => &mut self.bids,
        }
    }

    /// How much of `w` these levels could fill now.
    pub(super) fn available_to(&self, w: &WorkingOrder) -> i64 {
        let levels = match w.side {
            Side::Buy => &self.asks,
            Side::Sell => &self.bids,
        };
        levels
            .iter()
            .take_while(|l| w.fill_price(Liquidity::Touch(l.price)).is_some())
            .map(|l| l.qty)
            .sum()
    }
}

impl SimExchange {
    /// Let the working orders on `side` of `symbol` (best first) take `levels` (best first):
    /// each order as far as the levels it crosses go, at each level's price.
    pub(super) fn walk_levels(
        &mut self,
        symbol: &str,
        side: Side,
        levels: &mut Vec<Level>,
        only: Option<usize>,
        ts: i64,
        out: &mut Vec<ExchangeOutput>,
    ) {
        let key = (symbol.to_string(), side);
        let spec = self.instruments.as_ref().and_then(|r| r.at(symbol, ts));
        let Some(book) = self.books.get_mut(&key) else {
            return;
        };
        let orders: &mut [WorkingOrder] = match only {
            Some(i) => book.get_mut(i..=i).unwrap_or_default(),
            None => book,
        };
        let mut at = 0;
        let mut filled_any = false;
        'orders: for w in orders.iter_mut() {
            while w.remaining() > 0 {
                while levels.get(at).is_some_and(|l| l.qty <= 0) {
                    at += 1;
                }
                let Some(level) = levels.get_mut(at) else {
                    break 'orders;
                };
                // Best first: an order that does not cross this level is the first of many.
                let Some(px) = w.fill_price(Liquidity::Touch(level.price)) else {
                    break 'orders;
                };
                let qty = w.remaining().min(level.qty);
                fill(w, &mut self.next_exec, spec, qty, px, ts, out);
                level.qty -= qty;
                filled_any = true;
            }
        }
        levels.retain(|l| l.qty > 0);
        if filled_any {
            self.remove_filled(&key);
        }
    }
}
