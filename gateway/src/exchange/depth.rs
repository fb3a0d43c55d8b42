//! What the market offers, level by level, and our orders walking it.
//!
//! A quote is a book of one level a side; a depth message is a book of many. Either way the
//! exchange keeps, per symbol, the levels the last one showed less what our orders have
//! taken since, and a marketable order takes them best level first: partial fills at each
//! price it crosses, the rest working (or cancelled, for IOC and FOK). Our own orders on a
//! side are served in price-time priority.

use crate::market::MarketKind;
use robofleet_api::{Level, Price, Side};

use super::order::{live, Liquidity, WorkingOrder};
use super::{fill, side_ix, ExchangeOutput, SimExchange};

/// One symbol's levels, best first, less what our orders took.
#[derive(Clone, Debug, Default)]
pub(super) struct Offered {
    pub(super) bids: Vec<Level>,
    pub(super) asks: Vec<Level>,
}

impl Offered {
    /// Make these levels a quote's touch: a book of one level a side (a side with no usable
    /// price offers nothing). The vectors are reused.
    pub(super) fn set_quote(&mut self, bid: Price, bid_size: i64, ask: Price, ask_size: i64) {
        let set = |side: &mut Vec<Level>, price: Price, qty: i64| {
            side.clear();
            if live(price) && qty > 0 {
                side.push(Level { price, qty });
            }
        };
        set(&mut self.bids, bid, bid_size);
        set(&mut self.asks, ask, ask_size);
    }

    /// Make these levels a book's, as given (best first, positive quantities).
    pub(super) fn set_book(&mut self, bids: &[Level], asks: &[Level]) {
        let set = |side: &mut Vec<Level>, levels: &[Level]| {
            side.clear();
            side.extend(levels.iter().filter(|l| l.qty > 0 && live(l.price)));
        };
        set(&mut self.bids, bids);
        set(&mut self.asks, asks);
    }

    /// Make these levels what a quote or a book offers; false (unchanged) for other
    /// market data.
    pub(super) fn refill(&mut self, kind: &MarketKind) -> bool {
        match kind {
            MarketKind::Quote {
                bid,
                bid_size,
                ask,
                ask_size,
            } => self.set_quote(*bid, *bid_size, *ask, *ask_size),
            MarketKind::Depth { bids, asks, .. } => self.set_book(bids, asks),
            MarketKind::Trade { .. } | MarketKind::Bar { .. } => return false,
        }
        true
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
        let spec = self.instruments.as_ref().and_then(|r| r.at(symbol, ts));
        let Some(book) = self.books.get_mut(symbol).map(|b| &mut b[side_ix(side)]) else {
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
            self.remove_filled(symbol, side);
        }
    }
}
