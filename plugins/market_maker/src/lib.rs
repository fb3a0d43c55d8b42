//! # market_maker: one bid and one ask around the mid
//!
//! On each quote of a traded symbol the robot computes the mid `(bid + ask) / 2`. When it has
//! no quotes yet, or the mid moved `requote_ticks` ticks or more since it last quoted, it
//! cancels its working bid and ask and places new ones `spread_ticks` ticks below and above
//! the mid (rounded away from the mid onto the tick grid). Cancels are always sent before the
//! new orders in the same answer.
//!
//! * Position comes only from `Fill` events. A side is not quoted when, if it and every other
//!   live order on that side filled, the position would pass `max_position`. Orders being
//!   cancelled still count until the venue confirms: they can fill until then.
//! * A filled side is re-quoted at once at the same level (if the limit allows); a side the
//!   venue rejected or cancelled on its own waits for the next requote, so a venue that
//!   refuses everything gets at most one order per side per mid move.
//! * Command `flatten`: cancel every working order, send market orders that bring each
//!   position back to zero, and stop quoting. Command `resume`: quote again from the next quote.
//! * `Stop` cancels every working order.
//!
//! ## Params
//! | name | type | default | meaning |
//! | --- | --- | --- | --- |
//! | `spread_ticks` | int | 2 | distance of each side from the mid, in ticks (>= 1) |
//! | `tick` | float | 1.0 | price step (> 0) |
//! | `tick.<SYMBOL>` | float | `tick.RTS` = 10.0 | price step of one symbol, overriding `tick` |
//! | `qty` | int | 1 | size of each quote (>= 1) |
//! | `max_position` | int | 5 | absolute position cap (>= 0) |
//! | `requote_ticks` | int | 1 | requote when the mid moved this many ticks (>= 1) |
//!
//! A `Params` event reconfigures the robot and requotes every symbol at its last mid; invalid
//! values are logged and ignored.
//!
//! Default symbols: `["Si", "RTS"]`.

use robofleet_api::{
    Actions, CreateArgs, Event, EventKind, Fill, Instruments, LogLevel, OrderStatus, OrderUpdate,
    Params, Price, Quote, Robot, RobotInfo, Rounding, Side,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod config;
mod orders;
#[cfg(test)]
mod tests;

pub use config::Config;
use orders::Order;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Book {
    position: i64,
    /// The mid the current quotes are placed around.
    quoted_mid: Option<Price>,
    last_mid: Option<Price>,
    bid: Option<String>,
    ask: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketMaker {
    config: Config,
    books: BTreeMap<String, Book>,
    orders: BTreeMap<String, Order>,
    /// Set by `flatten`, cleared by `resume`.
    paused: bool,
    /// Its symbols' specs: the tick in effect overrides the `tick` params.
    instruments: Instruments,
    /// The time of the event being handled.
    now: i64,
}

impl MarketMaker {
    pub fn position(&self, symbol: &str) -> i64 {
        self.books.get(symbol).map_or(0, |b| b.position)
    }

    /// Client ids of the working (not cancelling) bid and ask of `symbol`.
    pub fn working(&self, symbol: &str) -> (Option<&str>, Option<&str>) {
        self.books
            .get(symbol)
            .map_or((None, None), |b| (b.bid.as_deref(), b.ask.as_deref()))
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// The tick of `symbol` now: its spec's, else the `tick` params'.
    fn tick(&self, symbol: &str) -> Price {
        self.instruments
            .at(symbol, self.now)
            .map_or_else(|| self.config.tick_for(symbol), |s| s.tick_size)
    }

    fn requote(&mut self, symbol: &str, mid: Price, out: &mut Actions) {
        let Some(book) = self.books.get_mut(symbol) else {
            return;
        };
        let old = [book.bid.take(), book.ask.take()];
        book.quoted_mid = Some(mid);
        for id in old.into_iter().flatten() {
            self.cancel_order(&id, out);
        }
        self.fill_sides(symbol, out);
    }

    /// Place whichever side of `symbol` is missing, if the position limit allows it.
    fn fill_sides(&mut self, symbol: &str, out: &mut Actions) {
        if self.paused {
            return;
        }
        let Some(book) = self.books.get(symbol) else {
            return;
        };
        let Some(mid) = book.quoted_mid else {
            return;
        };
        let (tick, qty, max) = (self.tick(symbol), self.config.qty, self.config.max_position);
        let spread = Price::from_ticks(self.config.spread_ticks, tick);
        let position = book.position;
        // On the grid: the tick at or below the mid, less the spread (the ask mirrors it).
        let bid_px = mid.round_to_tick(tick, Rounding::Down) - spread;
        let ask_px = mid.round_to_tick(tick, Rounding::Up) + spread;
        let want_bid = book.bid.is_none()
            && bid_px.is_positive()
            && position
                .saturating_add(self.exposure(symbol, Side::Buy))
                .saturating_add(qty)
                <= max;
        let want_ask = book.ask.is_none()
            && position
                .saturating_sub(self.exposure(symbol, Side::Sell))
                .saturating_sub(qty)
                >= -max;
        let bid = want_bid.then(|| self.place(symbol, Side::Buy, qty, bid_px, out));
        let ask = want_ask.then(|| self.place(symbol, Side::Sell, qty, ask_px, out));
        if let Some(book) = self.books.get_mut(symbol) {
            book.bid = book.bid.take().or(bid);
            book.ask = book.ask.take().or(ask);
        }
    }

    fn on_quote(&mut self, q: &Quote, out: &mut Actions) {
        if !q.bid.is_positive() || !q.ask.is_positive() {
            return;
        }
        let threshold = Price::from_ticks(self.config.requote_ticks, self.tick(&q.symbol));
        let Some(book) = self.books.get_mut(&q.symbol) else {
            return;
        };
        let mid = Price::mid(q.bid, q.ask);
        book.last_mid = Some(mid);
        let moved = book
            .quoted_mid
            .is_none_or(|qm| mid.max(qm) - mid.min(qm) >= threshold);
        if moved && !self.paused {
            self.requote(&q.symbol, mid, out);
        }
    }

    fn on_fill(&mut self, f: &Fill, out: &mut Actions) {
        if f.qty <= 0 {
            out.log(LogLevel::Warn, format!("ignoring fill with qty {}", f.qty));
            return;
        }
        let Some(book) = self.books.get_mut(&f.symbol) else {
            out.log(LogLevel::Warn, format!("fill for untraded {}", f.symbol));
            return;
        };
        book.position = book.position.saturating_add(f.side.sign() * f.qty);
        if let Some(o) = self.orders.get_mut(&f.client_id) {
            o.filled = o.filled.saturating_add(f.qty);
            o.remaining -= f.qty;
            if o.remaining <= 0 {
                self.forget(&f.client_id);
            }
        }
        self.fill_sides(&f.symbol, out);
    }

    fn on_order_update(&mut self, u: &OrderUpdate, out: &mut Actions) {
        if !u.status.is_terminal() {
            return;
        }
        let Some(o) = self.orders.get_mut(&u.client_id) else {
            return;
        };
        let cancel_confirmed = o.cancelling && u.status == OrderStatus::Cancelled;
        // A status can overtake its fills: keep the quantity it reports as still on its way.
        let awaited = u.filled_qty.saturating_sub(o.filled);
        if awaited > 0 {
            o.remaining = awaited;
            o.done = true;
            let symbol = o.symbol.clone();
            self.clear_slot(&symbol, &u.client_id);
        } else {
            self.forget(&u.client_id);
        }
        if u.status == OrderStatus::Rejected {
            let why = u.reason.as_deref().unwrap_or("no reason");
            out.log(LogLevel::Warn, format!("{} rejected: {why}", u.client_id));
        }
        if cancel_confirmed {
            // The cancelled order no longer counts against the limit: a skipped side may fit now.
            self.fill_sides(&u.symbol, out);
        }
    }

    fn flatten(&mut self, out: &mut Actions) {
        self.paused = true;
        self.cancel_all(out);
        let symbols: Vec<String> = self.books.keys().cloned().collect();
        for symbol in symbols {
            // Market orders already on their way count, so a second flatten sends nothing.
            let pending = self
                .orders
                .values()
                .filter(|o| o.symbol == symbol && o.price.is_none())
                .fold(0i64, |acc, o| {
                    acc.saturating_add(o.side.sign() * o.remaining.max(0))
                });
            let net = self.position(&symbol).saturating_add(pending);
            let (side, qty) = if net < 0 {
                (Side::Buy, net.saturating_neg())
            } else {
                (Side::Sell, net)
            };
            if qty > 0 {
                let id = out.submit(&symbol, side, qty, robofleet_api::OrderType::Market);
                self.track(&id, &symbol, side, qty, None);
            }
        }
        out.info("flatten: quoting paused until `resume`");
    }

    fn on_params(&mut self, p: &Params, out: &mut Actions) {
        match Config::from_params(p) {
            Ok(config) => {
                out.info(format!("reconfigured: {config:?}"));
                self.config = config;
                let mids: Vec<(String, Price)> = self
                    .books
                    .iter()
                    .filter_map(|(s, b)| Some((s.clone(), b.last_mid?)))
                    .collect();
                if !self.paused {
                    for (symbol, mid) in mids {
                        self.requote(&symbol, mid, out);
                    }
                }
            }
            Err(e) => out.log(LogLevel::Warn, format!("params ignored: {e}")),
        }
    }
}

impl Robot for MarketMaker {
    fn info() -> RobotInfo {
        RobotInfo {
            name: "market_maker".into(),
            description: "Quotes one bid and one ask around the mid, within a position limit."
                .into(),
            default_params: Config::default_params(),
            default_symbols: vec!["Si".into(), "RTS".into()],
            timer_ms: None,
            feeds: robofleet_api::Feeds::QUOTES,
        }
    }

    fn create(args: &CreateArgs) -> Result<Self, String> {
        Ok(MarketMaker {
            config: Config::from_params(&args.params)?,
            books: args
                .symbols
                .iter()
                .map(|s| (s.clone(), Book::default()))
                .collect(),
            orders: BTreeMap::new(),
            paused: false,
            instruments: Instruments::new(),
            now: 0,
        })
    }

    fn on_event(&mut self, event: &Event, out: &mut Actions) {
        self.now = event.ts;
        match &event.kind {
            EventKind::Quote(q) => self.on_quote(q, out),
            EventKind::Fill(f) => self.on_fill(f, out),
            EventKind::OrderUpdate(u) => self.on_order_update(u, out),
            EventKind::Params(p) => self.on_params(p, out),
            EventKind::Command { name, .. } if name == "flatten" => self.flatten(out),
            EventKind::Command { name, .. } if name == "resume" => {
                self.paused = false;
                out.info("resume: quoting from the next quote");
            }
            EventKind::Command { name, .. } => {
                out.log(LogLevel::Warn, format!("unknown command `{name}`"))
            }
            EventKind::Stop => self.cancel_all(out),
            EventKind::Instrument(spec) => self.instruments.insert(spec.clone()),
            // It quotes off the top of book only (its feeds are quotes).
            EventKind::Start
            | EventKind::Trade(_)
            | EventKind::Bar(_)
            | EventKind::Depth(_)
            | EventKind::Timer { .. } => {}
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// The snapshot is the whole robot: restoring is decoding it.
    fn restore(_args: &CreateArgs, snapshot: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(snapshot).map_err(|e| format!("bad snapshot: {e}"))
    }
}

robofleet_api::export_robot!(MarketMaker);
