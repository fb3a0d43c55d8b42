//! Bookkeeping of the market maker's own orders: what can still fill, and the cancels.

use crate::MarketMaker;
use robofleet_api::{Actions, Price, Side};
use serde::{Deserialize, Serialize};

/// One of this robot's orders that can still fill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Order {
    pub(crate) symbol: String,
    pub(crate) side: Side,
    /// `None` for the market orders of `flatten`.
    pub(crate) price: Option<Price>,
    /// Quantity that can still fill.
    pub(crate) remaining: i64,
    /// Quantity of fills seen.
    pub(crate) filled: i64,
    /// A cancel was sent.
    pub(crate) cancelling: bool,
    /// A terminal status came; only fills it reported are still awaited.
    pub(crate) done: bool,
}

impl MarketMaker {
    /// Quantity on `side` of `symbol` that could still fill: what the position limit checks.
    pub(crate) fn exposure(&self, symbol: &str, side: Side) -> i64 {
        self.orders
            .values()
            .filter(|o| o.symbol == symbol && o.side == side)
            .fold(0i64, |acc, o| acc.saturating_add(o.remaining.max(0)))
    }

    pub(crate) fn cancel_order(&mut self, client_id: &str, out: &mut Actions) {
        if let Some(o) = self.orders.get_mut(client_id) {
            if !o.cancelling && !o.done {
                o.cancelling = true;
                out.cancel(client_id);
            }
        }
    }

    /// Cancel every working limit order (market orders are left to complete).
    pub(crate) fn cancel_all(&mut self, out: &mut Actions) {
        let live: Vec<String> = self
            .orders
            .iter()
            .filter(|(_, o)| o.price.is_some())
            .map(|(id, _)| id.clone())
            .collect();
        for id in live {
            self.cancel_order(&id, out);
        }
        for book in self.books.values_mut() {
            book.bid = None;
            book.ask = None;
            book.quoted_mid = None;
        }
    }

    pub(crate) fn place(
        &mut self,
        symbol: &str,
        side: Side,
        qty: i64,
        px: Price,
        out: &mut Actions,
    ) -> String {
        let id = match side {
            Side::Buy => out.buy_limit(symbol, qty, px),
            Side::Sell => out.sell_limit(symbol, qty, px),
        };
        self.track(&id, symbol, side, qty, Some(px));
        id
    }

    pub(crate) fn track(
        &mut self,
        id: &str,
        symbol: &str,
        side: Side,
        qty: i64,
        price: Option<Price>,
    ) {
        let order = Order {
            symbol: symbol.to_string(),
            side,
            price,
            remaining: qty,
            filled: 0,
            cancelling: false,
            done: false,
        };
        self.orders.insert(id.to_string(), order);
    }

    pub(crate) fn forget(&mut self, client_id: &str) {
        if let Some(o) = self.orders.remove(client_id) {
            self.clear_slot(&o.symbol, client_id);
        }
    }

    pub(crate) fn clear_slot(&mut self, symbol: &str, client_id: &str) {
        if let Some(book) = self.books.get_mut(symbol) {
            for slot in [&mut book.bid, &mut book.ask] {
                if slot.as_deref() == Some(client_id) {
                    *slot = None;
                }
            }
        }
    }
}
