//! Amends of working orders ("move order"): priority rules and refusals.

use super::order::WorkingOrder;
use super::{side_ix, ExchangeOutput, SimExchange, AMENDED};
use crate::store::AmendRequest;
use robofleet_api::OrderType;

impl SimExchange {
    /// Amend a working order: answered with its status, reason `amended` (and the new
    /// quantity and price) or `amend refused: <why>`. A new price or a larger quantity goes
    /// to the back of its price level; a smaller quantity keeps its place. A new price may
    /// make it marketable: it then fills against what is left of the last quote.
    pub(super) fn on_amend(
        &mut self,
        client_id: &str,
        amend: &AmendRequest,
        ts: i64,
        out: &mut Vec<ExchangeOutput>,
    ) {
        let Some(key) = self.where_is.get(client_id).cloned() else {
            // Finished or unknown here: its terminal update already told the robot.
            return;
        };
        let Some(book) = self.books.get(&key.0).map(|b| &b[side_ix(key.1)]) else {
            return;
        };
        let Some((i, w)) = book
            .iter()
            .enumerate()
            .find(|(_, w)| w.client_id == client_id)
        else {
            return;
        };
        if let Some(why) = self.amend_refusal(w, amend, ts) {
            let mut change = w.change(w.fill_status(), Some(format!("amend refused: {why}")), ts);
            if let ExchangeOutput::Change(c) = &mut change {
                c.amends = Some(amend.seq);
            }
            out.push(change);
            return;
        }
        let Some(book) = self.book_mut(&key.0, key.1) else {
            return;
        };
        let mut w = book.remove(i);
        let loses_place = amend
            .price
            .is_some_and(|p| w.order_type != OrderType::Limit { price: p })
            || amend.qty.is_some_and(|q| q > w.qty);
        if let Some(q) = amend.qty {
            w.qty = q;
        }
        if let Some(p) = amend.price {
            w.order_type = OrderType::Limit { price: p };
        }
        let mut change = w.change(w.fill_status(), Some(AMENDED.into()), ts);
        if let ExchangeOutput::Change(c) = &mut change {
            c.amends = Some(amend.seq);
            c.qty = amend.qty;
            c.price = amend.price;
        }
        out.push(change);
        let at = if loses_place {
            // Behind every order of the same or better price.
            book.partition_point(|o| o.price_priority() >= w.price_priority())
        } else {
            i
        };
        book.insert(at, w);
        if amend.price.is_some() {
            self.match_arrival(&key, at, ts, out);
        }
    }

    /// Why `amend` cannot apply to `w` now, if it cannot.
    fn amend_refusal(&self, w: &WorkingOrder, amend: &AmendRequest, ts: i64) -> Option<String> {
        if amend.price.is_none() && amend.qty.is_none() {
            return Some("nothing to change".into());
        }
        if let Some(q) = amend.qty {
            if q <= w.filled_qty {
                return Some(format!(
                    "quantity {q} is not above the {} already filled",
                    w.filled_qty
                ));
            }
        }
        if let Some(p) = amend.price {
            if w.order_type == OrderType::Market {
                return Some("a market order has no price to change".into());
            }
            if !p.is_positive() {
                return Some(format!("invalid limit price {p}: must be positive"));
            }
        }
        let registry = self.instruments.as_ref()?;
        let at = self.venue_ts.get(&w.symbol).copied().unwrap_or(ts);
        let spec = registry.at(&w.symbol, at)?;
        spec.check_order(amend.qty.unwrap_or(w.qty), amend.price, at)
            .err()
    }
}
