//! A synchronous, deterministic simulated exchange: `process(input) -> outputs`.
//!
//! No I/O and no clock: every timestamp comes from the input that caused an output, so
//! the same inputs always give the same outputs (exec ids included: `SIM-<n>`).
//!
//! Fill rules:
//! - A quote resets the liquidity of its symbol to the quoted sizes (a book of one level a
//!   side); a depth message (a whole book, as [`crate::market::book`] rebuilt it) to its
//!   levels. Working orders then take it in price-time priority (market orders first, then
//!   the best limit, then the oldest), walking the levels best first: buys fill at each ask
//!   level's price while market or `limit >= ask`, sells at each bid level's price while
//!   market or `limit <= bid`, each up to what is left at that level.
//! - A new order that is marketable on arrival walks what is left of the last quote or book
//!   at once; whatever is left over keeps working.
//! - A trade print at `p` fills buy limits `>= p` and sell limits `<= p` at their limit
//!   price, up to the print size per side. Market orders only fill at a quote.
//! - Bars cause nothing.
//!
//! With an instrument registry ([`SimExchange::set_instruments`]) a new order is also
//! refused for a symbol not in it, a quantity that is not whole lots, a limit price off the
//! tick grid, or a time outside the symbol's sessions or after its expiry. The exchange's
//! clock for that is the time of the symbol's latest market data (the venue's time), or the
//! order's arrival before any.

use std::collections::{BTreeSet, HashMap, HashSet};

/// The exchange's maps are looked up several times per market message: a fast keyed hash
/// (seeded per process, as the standard one) rather than SipHash.
type Map<K, V> = HashMap<K, V, foldhash::quality::RandomState>;
type Set<K> = HashSet<K, foldhash::quality::RandomState>;

use robofleet_api::{Instruments, OrderStatus, OrderType, Price, Side, TimeInForce};

use crate::market::{MarketData, MarketKind};
use crate::store::{Order, OrderChange, Trade};

mod amend;
mod depth;
mod order;
mod time_in_force;

use depth::Offered;
use order::{validate, Liquidity, WorkingOrder};

/// The reason stored on a day order the venue cancelled at the end of its trading day.
pub const DAY_END_REASON: &str = "day order expired at the end of the trading day";

/// The reason stored with the answer to an amend that was applied.
pub const AMENDED: &str = "amended";

/// The reason stored on an order the robot cancelled.
pub const CANCEL_REASON: &str = "cancelled by robot";

/// Prefix of every exec id this exchange makes.
pub const EXEC_PREFIX: &str = "SIM-";

#[derive(Clone, Debug, PartialEq)]
pub enum ExchangeInput {
    /// An order from the store. Status `New` is validated and accepted or rejected;
    /// `Working`/`PartiallyFilled` (a replay after a restart) is put back silently, with
    /// its fills so far, and trades from the next market data on.
    NewOrder {
        order: Order,
        ts_ns: i64,
    },
    Cancel {
        client_id: String,
        ts_ns: i64,
    },
    /// Change a working order's price and/or quantity (see [`SimExchange::process`]).
    Amend {
        client_id: String,
        amend: crate::store::AmendRequest,
        ts_ns: i64,
    },
    Market(MarketData),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExchangeOutput {
    Change(OrderChange),
    /// Always emitted before the `Change` that reports it.
    Fill(Trade),
}

/// The exec sequence to start from so that new exec ids never collide with `exec_ids`
/// already stored (a restarted exchange would otherwise reuse `SIM-1`).
pub fn next_exec_seq_after<'a>(exec_ids: impl IntoIterator<Item = &'a str>) -> u64 {
    exec_ids
        .into_iter()
        .filter_map(|id| id.strip_prefix(EXEC_PREFIX)?.parse::<u64>().ok())
        .max()
        .map_or(1, |n| n.saturating_add(1))
}

#[derive(Debug)]
pub struct SimExchange {
    /// What the last quote or book of each symbol offers, less what our orders took.
    offered: Map<String, Offered>,
    /// Working orders per symbol, a book per side (buy, sell), best first: price priority,
    /// then arrival. A quote then touches only the orders it crosses.
    books: Map<String, [Vec<WorkingOrder>; 2]>,
    /// Where each working order sits.
    where_is: Map<String, (String, Side)>,
    /// Every client id ever taken, so a repeated delivery is never traded twice.
    seen: Set<String>,
    next_exec: u64,
    /// The registry new orders are checked against, once set.
    instruments: Option<Instruments>,
    /// Time of the latest market data per symbol: the venue's clock.
    venue_ts: Map<String, i64>,
    /// Working day orders per symbol by the end of their day: expiry looks only at those
    /// due, not at every working order on every message.
    day_ends: Map<String, BTreeSet<(i64, String)>>,
}

impl Default for SimExchange {
    fn default() -> Self {
        Self::new()
    }
}

impl SimExchange {
    pub fn new() -> Self {
        Self::with_next_exec_seq(1)
    }

    /// Start exec ids at `SIM-<next>` (see [`next_exec_seq_after`]).
    pub fn with_next_exec_seq(next: u64) -> Self {
        SimExchange {
            offered: Map::default(),
            books: Map::default(),
            where_is: Map::default(),
            seen: Set::default(),
            next_exec: next,
            instruments: None,
            venue_ts: Map::default(),
            day_ends: Map::default(),
        }
    }

    /// Check every new order against `instruments` from now on.
    pub fn set_instruments(&mut self, instruments: Instruments) {
        self.instruments = Some(instruments);
    }

    /// Why the registry refuses `order` at the venue's time, if it does.
    fn instrument_refusal(&self, order: &Order, arrival_ts: i64) -> Option<String> {
        let registry = self.instruments.as_ref()?;
        let ts = self
            .venue_ts
            .get(&order.symbol)
            .copied()
            .unwrap_or(arrival_ts);
        let Some(spec) = registry.at(&order.symbol, ts) else {
            return Some(format!(
                "unknown symbol {}: not in the instrument registry",
                order.symbol
            ));
        };
        let limit = match order.order_type {
            OrderType::Limit { price } => Some(price),
            OrderType::Market => None,
        };
        spec.check_order(order.qty, limit, ts).err()
    }

    /// Forget a finished order's id, for a caller that refuses repeated ids itself (the
    /// backtest venue), so that memory does not grow with every order ever taken. The live
    /// gateway keeps them: a store may deliver an order again.
    pub fn forget_finished(&mut self, client_id: &str) {
        if !self.where_is.contains_key(client_id) {
            self.seen.remove(client_id);
        }
    }

    pub fn next_exec_seq(&self) -> u64 {
        self.next_exec
    }

    pub fn working_count(&self) -> usize {
        self.where_is.len()
    }

    pub fn is_working(&self, client_id: &str) -> bool {
        self.where_is.contains_key(client_id)
    }

    /// [`SimExchange::process`] of market data the caller keeps (no copy of it is made).
    pub fn market(&mut self, md: &MarketData) -> Vec<ExchangeOutput> {
        let mut out = Vec::new();
        self.on_market(md, &mut out);
        out
    }

    pub fn process(&mut self, input: ExchangeInput) -> Vec<ExchangeOutput> {
        let mut out = Vec::new();
        match input {
            ExchangeInput::NewOrder { order, ts_ns } => self.on_order(&order, ts_ns, &mut out),
            ExchangeInput::Cancel { client_id, ts_ns } => {
                self.on_cancel(&client_id, ts_ns, &mut out)
            }
            ExchangeInput::Amend {
                client_id,
                amend,
                ts_ns,
            } => self.on_amend(&client_id, &amend, ts_ns, &mut out),
            ExchangeInput::Market(md) => self.on_market(&md, &mut out),
        }
        out
    }

    /// A new order (or one restored), as [`ExchangeInput::NewOrder`] brings it, for a caller
    /// that keeps the order itself: the exchange copies what it needs.
    pub fn new_order(&mut self, order: &Order, ts: i64) -> Vec<ExchangeOutput> {
        let mut out = Vec::new();
        self.on_order(order, ts, &mut out);
        out
    }

    fn on_order(&mut self, order: &Order, ts: i64, out: &mut Vec<ExchangeOutput>) {
        let replay = match order.status {
            OrderStatus::New => false,
            OrderStatus::Working | OrderStatus::PartiallyFilled => true,
            // Terminal orders have nothing left to do.
            _ => return,
        };
        if !self.seen.insert(order.client_id.clone()) {
            return;
        }
        let w = WorkingOrder {
            client_id: order.client_id.clone(),
            robot: order.robot.clone(),
            symbol: order.symbol.clone(),
            side: order.side,
            order_type: order.order_type,
            tif: order.tif,
            day_end: self.day_end(order, ts, replay),
            qty: order.qty,
            filled_qty: order.filled_qty.max(0),
            avg_price: order.avg_price,
            fill_notional: order.avg_price.raw() as i128 * order.filled_qty.max(0) as i128,
        };
        let mut invalid = validate(order).err();
        if !replay && invalid.is_none() {
            invalid = self.instrument_refusal(order, ts);
        }
        if !replay
            && invalid.is_none()
            && order.order_type == OrderType::Market
            && !self.offered.contains_key(&order.symbol)
        {
            invalid = Some(format!("no market for {}", order.symbol));
        }
        if let Some(reason) = invalid {
            // A replayed order was accepted once, so it is cancelled rather than rejected.
            out.push(if replay {
                w.change(
                    OrderStatus::Cancelled,
                    Some(format!("cancelled on restore: {reason}")),
                    ts,
                )
            } else {
                w.change(OrderStatus::Rejected, Some(reason), ts)
            });
            return;
        }
        if !replay {
            out.push(w.change(OrderStatus::Working, None, ts));
        }
        if order.cancel_requested {
            out.push(w.change(OrderStatus::Cancelled, Some(CANCEL_REASON.into()), ts));
            return;
        }
        if w.remaining() == 0 {
            // Replayed with everything filled: only the status was missing.
            out.push(w.change(OrderStatus::Filled, None, ts));
            return;
        }
        if !replay && w.tif == TimeInForce::Fok {
            let available = self.available_at_arrival(&w);
            if available < w.qty {
                let why = format!(
                    "fill or kill: {available} of {} available at arrival, nothing filled",
                    w.qty
                );
                out.push(w.change(OrderStatus::Cancelled, Some(why), ts));
                return;
            }
        }
        let key = (w.symbol.clone(), w.side);
        self.where_is.insert(w.client_id.clone(), key.clone());
        if let Some(end) = w.day_end {
            let due = self.day_ends.entry(w.symbol.clone()).or_default();
            due.insert((end, w.client_id.clone()));
        }
        let book = &mut self.books.entry(key.0.clone()).or_default()[side_ix(key.1)];
        // After every order of the same or better priority: price, then time.
        let at = book.partition_point(|o| o.price_priority() >= w.price_priority());
        book.insert(at, w);
        if !replay {
            self.match_arrival(&key, at, ts, out);
            // What an IOC or FOK order did not fill on arrival never works.
            let client_id = order.client_id.as_str();
            if matches!(order.tif, TimeInForce::Ioc | TimeInForce::Fok)
                && self.is_working(client_id)
            {
                self.cancel_with(
                    client_id,
                    "immediate or cancel: the rest was not filled at arrival",
                    ts,
                    out,
                );
            }
        }
    }

    /// The working orders of `symbol` on `side`, best first.
    fn book_mut(&mut self, symbol: &str, side: Side) -> Option<&mut Vec<WorkingOrder>> {
        self.books.get_mut(symbol).map(|b| &mut b[side_ix(side)])
    }

    /// Cancel a working order at `ts` with `reason` (the venue's doing, or the robot's).
    fn cancel_with(
        &mut self,
        client_id: &str,
        reason: &str,
        ts: i64,
        out: &mut Vec<ExchangeOutput>,
    ) {
        let Some(key) = self.where_is.remove(client_id) else {
            return;
        };
        let Some(book) = self.book_mut(&key.0, key.1) else {
            return;
        };
        if let Some(i) = book.iter().position(|w| w.client_id == client_id) {
            let w = book.remove(i);
            forget_day_end(&mut self.day_ends, &w);
            out.push(w.change(OrderStatus::Cancelled, Some(reason.into()), ts));
        }
    }

    fn on_cancel(&mut self, client_id: &str, ts: i64, out: &mut Vec<ExchangeOutput>) {
        self.cancel_with(client_id, CANCEL_REASON, ts, out);
    }

    /// Drop fully filled orders from a book.
    fn remove_filled(&mut self, symbol: &str, side: Side) {
        if let Some(book) = self.books.get_mut(symbol).map(|b| &mut b[side_ix(side)]) {
            let where_is = &mut self.where_is;
            let day_ends = &mut self.day_ends;
            book.retain(|w| {
                let keep = w.remaining() > 0;
                if !keep {
                    where_is.remove(&w.client_id);
                    forget_day_end(day_ends, w);
                }
                keep
            });
        }
    }

    /// Fill a just-accepted order (at `i` in its book) against what is left of the last
    /// quote or book, level by level.
    fn match_arrival(
        &mut self,
        key: &(String, Side),
        i: usize,
        ts: i64,
        out: &mut Vec<ExchangeOutput>,
    ) {
        let Some(mut offered) = self.offered.remove(&key.0) else {
            return;
        };
        let levels = offered.taken_by(key.1);
        self.walk_levels(&key.0, key.1, levels, Some(i), ts, out);
        self.offered.insert(key.0.clone(), offered);
    }

    fn on_market(&mut self, md: &MarketData, out: &mut Vec<ExchangeOutput>) {
        match self.venue_ts.get_mut(&md.symbol) {
            Some(clock) => *clock = (*clock).max(md.ts),
            None => {
                self.venue_ts.insert(md.symbol.clone(), md.ts);
            }
        }
        // The day is over for day orders first: they do not trade on the next day's data.
        self.expire_day_orders(&md.symbol, md.ts, out);
        if let MarketKind::Trade { price, size } = &md.kind {
            for side in [Side::Buy, Side::Sell] {
                let print = Liquidity::Print(*price);
                self.sweep_with(&md.symbol, side, print, *size, md.ts, out);
            }
            return;
        }
        // The symbol's levels are refilled in place (no allocation once it has traded).
        let refilled = match self.offered.get_mut(&md.symbol) {
            Some(offered) => offered.refill(&md.kind),
            None => {
                let mut offered = Offered::default();
                let refilled = offered.refill(&md.kind);
                if refilled {
                    self.offered.insert(md.symbol.clone(), offered);
                }
                refilled
            }
        };
        // With no working order there is nothing to walk: one lookup a quote.
        if !refilled || self.where_is.is_empty() {
            return;
        }
        let Some(mut offered) = self.offered.get_mut(&md.symbol).map(std::mem::take) else {
            return;
        };
        for side in [Side::Buy, Side::Sell] {
            let levels = offered.taken_by(side);
            self.walk_levels(&md.symbol, side, levels, None, md.ts, out);
        }
        if let Some(slot) = self.offered.get_mut(&md.symbol) {
            *slot = offered;
        }
    }

    /// Let the working limit orders on `side` take a trade print of `size`.
    fn sweep_with(
        &mut self,
        symbol: &str,
        side: Side,
        liq: Liquidity,
        size: i64,
        ts: i64,
        out: &mut Vec<ExchangeOutput>,
    ) -> i64 {
        let mut left = size.max(0);
        let Some(book) = self.books.get_mut(symbol).map(|b| &mut b[side_ix(side)]) else {
            return left;
        };
        let mut filled_any = false;
        let spec = self.instruments.as_ref().and_then(|r| r.at(symbol, ts));
        for w in book.iter_mut() {
            if left <= 0 {
                break;
            }
            let Some(px) = w.fill_price(liq) else {
                // Best first: once a limit order does not cross, none after it does. Market
                // orders (at the front) do not take trade prints, but limits behind them may.
                if matches!(w.order_type, OrderType::Market) {
                    continue;
                }
                break;
            };
            let qty = w.remaining().min(left);
            fill(w, &mut self.next_exec, spec, qty, px, ts, out);
            left -= qty;
            filled_any = true;
        }
        if filled_any {
            self.remove_filled(symbol, side);
        }
        left
    }
}

/// A side's place in a symbol's pair of books.
fn side_ix(side: Side) -> usize {
    match side {
        Side::Buy => 0,
        Side::Sell => 1,
    }
}

/// A day order that stops working leaves the expiry index.
fn forget_day_end(day_ends: &mut Map<String, BTreeSet<(i64, String)>>, w: &WorkingOrder) {
    if let (Some(end), Some(due)) = (w.day_end, day_ends.get_mut(&w.symbol)) {
        due.remove(&(end, w.client_id.clone()));
    }
}

/// Fill `qty` of `w` at `px`; the fee is the symbol's spec's, in effect at `ts`.
fn fill(
    w: &mut WorkingOrder,
    next_exec: &mut u64,
    spec: Option<&robofleet_api::Instrument>,
    qty: i64,
    px: Price,
    ts: i64,
    out: &mut Vec<ExchangeOutput>,
) {
    let filled = w.filled_qty + qty;
    w.fill_notional += px.raw() as i128 * qty as i128;
    w.avg_price = crate::store::average_price(w.fill_notional, filled);
    w.filled_qty = filled;
    let exec_id = format!("{EXEC_PREFIX}{}", *next_exec);
    *next_exec += 1;
    out.push(ExchangeOutput::Fill(Trade {
        exec_id,
        client_id: w.client_id.clone(),
        robot: w.robot.clone(),
        symbol: w.symbol.clone(),
        side: w.side,
        qty,
        price: px,
        ts_ns: ts,
        venue_ts_ns: Some(ts),
        fee: spec.map_or(robofleet_api::Money::ZERO, |s| s.fee(px, qty)),
        currency: spec.map(|s| s.currency.clone()),
    }));
    out.push(w.change(w.fill_status(), None, ts));
}

#[cfg(test)]
mod tests;
