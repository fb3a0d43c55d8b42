//! # template: the robot to copy when you write a new one
//!
//! Copy this folder, rename the package in `Cargo.toml` and the name in [`Robot::info`], and
//! replace the body of `on_quote`. Everything a robot needs is shown once here: reading
//! params, answering every kind of event, logging, placing and cancelling a limit order,
//! drawing random numbers deterministically, and writing a snapshot.
//!
//! ## What it does
//! On every `every`-th quote of a traded symbol it places a 1-lot buy limit `offset` price
//! units under the bid (plus a random `0..=jitter` units more), rounded down onto the tick
//! grid, and cancels the order it placed the previous time, if that one is still working (with
//! `amend = true` it moves that order to the new price instead, keeping its id, and only when
//! the price changes).
//!
//! ## Params
//! | name | type | default | meaning |
//! | --- | --- | --- | --- |
//! | `every` | int | 10 | act on every N-th quote (>= 1) |
//! | `offset` | float | 5.0 | distance under the bid, in price units (>= 0) |
//! | `jitter` | int | 0 | extra random distance `0..=jitter` price units (>= 0) |
//! | `amend` | bool | false | move the working order to the new price instead of cancel and replace |
//!
//! Default symbols: `["Si"]`.
//!
//! ## Example (also a test: `cargo test -p template_robot --doc` runs it)
//! ```
//! use robofleet_api::testing::{cancels, px, submits, Harness};
//! use robofleet_api::{OrderType, Params};
//! use template_robot::Template;
//!
//! let mut h = Harness::<Template>::with_params(Params::new().with("every", 2)).unwrap();
//! assert!(submits(&h.quote("Si", px("100000"), px("100001"))).is_empty()); // quote 1: nothing
//! let actions = h.quote("Si", px("100000"), px("100001")); //                 quote 2: buy
//! let order = submits(&actions)[0];
//! assert_eq!(order.client_id, "template-1");
//! assert_eq!(order.order_type, OrderType::Limit { price: px("99995") });
//! h.quote("Si", px("100010"), px("100011"));
//! let actions = h.quote("Si", px("100010"), px("100011")); // quote 4: replace the first order
//! assert_eq!(cancels(&actions), vec!["template-1"]);
//! assert_eq!(submits(&actions)[0].client_id, "template-2");
//! ```

use robofleet_api::{
    Actions, CreateArgs, Event, EventKind, Instruments, LogLevel, Params, Price, Quote, Rng, Robot,
    RobotInfo, Rounding,
};
use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;

/// Parameters after validation. Keep them in one struct so `Params` events can swap it whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    pub every: u64,
    pub offset: Price,
    pub jitter: i64,
    /// Move the working order (amend) rather than cancel it and send a new one.
    pub amend: bool,
}

impl Config {
    /// Missing keys take their default; a key of the wrong type or range is an error, so a
    /// typo in a config file stops the robot instead of trading with a surprise value.
    pub fn from_params(p: &Params) -> Result<Self, String> {
        let every = match p.get("every") {
            None => 10,
            Some(_) => p.i64("every").ok_or("`every` must be an integer")?,
        };
        let offset = match p.get("offset") {
            None => Price::units(5),
            Some(_) => p.price("offset").ok_or("`offset` must be a price")?,
        };
        let jitter = match p.get("jitter") {
            None => 0,
            Some(_) => p.i64("jitter").ok_or("`jitter` must be an integer")?,
        };
        let amend = match p.get("amend") {
            None => false,
            Some(_) => p.bool("amend").ok_or("`amend` must be true or false")?,
        };
        if every < 1 || offset < Price::ZERO || jitter < 0 {
            return Err(format!(
                "need every >= 1, offset >= 0, jitter >= 0; got {every}, {offset}, {jitter}"
            ));
        }
        Ok(Config {
            every: every as u64,
            offset,
            jitter,
            amend,
        })
    }
}

/// The whole robot. Everything in it is state, so it derives `Serialize` and the snapshot is
/// simply its postcard encoding: a replay that rebuilt it exactly gives the same bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    config: Config,
    symbols: Vec<String>,
    /// The robot's only source of randomness. It is part of the state: a replay must draw
    /// the same numbers in the same order.
    rng: Rng,
    quotes_seen: u64,
    /// The order placed last time, until it is cancelled, filled or rejected.
    working: Option<String>,
    /// The price last asked for the working order (placed or amended to): an amend to the
    /// same price would only load the venue.
    asked: Price,
    position: i64,
    /// The specs of its symbols, every version: prices go on the tick grid in effect.
    instruments: Instruments,
}

impl Template {
    /// The id of the working order, if any (handy in tests).
    pub fn working(&self) -> Option<&str> {
        self.working.as_deref()
    }

    pub fn position(&self) -> i64 {
        self.position
    }

    fn on_quote(&mut self, q: &Quote, event_ts: i64, out: &mut Actions) {
        // The server sends only subscribed symbols, but a robot must never trust its input.
        if !self.symbols.contains(&q.symbol) {
            return;
        }
        // A zero or negative bid means no bid: never price an order from it.
        if !q.bid.is_positive() {
            return;
        }
        self.quotes_seen += 1;
        if !self.quotes_seen.is_multiple_of(self.config.every) {
            return;
        }
        let jitter = Price::units(self.rng.range_i64(0, self.config.jitter + 1));
        let mut price = q.bid - self.config.offset - jitter;
        // On the tick grid in effect now (down: a buy only gets further from the market).
        if let Some(spec) = self.instruments.at(&q.symbol, event_ts) {
            price = price.round_to_tick(spec.tick_size, Rounding::Down);
        }
        if self.config.amend && price.is_positive() {
            if let Some(working) = &self.working {
                // Same order, new price: it keeps its id; the answer comes as an update.
                if price != self.asked {
                    out.amend(working, Some(price), None);
                    self.asked = price;
                }
                return;
            }
        }
        if let Some(old) = self.working.take() {
            out.cancel(&old);
        }
        if !price.is_positive() {
            out.log(LogLevel::Warn, format!("price {price} <= 0: not buying"));
            return;
        }
        // `buy_limit` returns the client id; keep it to cancel the order later.
        self.working = Some(out.buy_limit(&q.symbol, 1, price));
        self.asked = price;
        out.log(LogLevel::Debug, format!("bid {price} on {}", q.symbol));
    }
}

impl Robot for Template {
    /// What the server needs to run this robot with no configuration at all.
    fn info() -> RobotInfo {
        RobotInfo {
            name: "template".into(),
            description: "Template robot: a 1-lot buy under the bid every N quotes.".into(),
            default_params: Params::new()
                .with("every", 10)
                .with("offset", 5.0)
                .with("jitter", 0),
            default_symbols: vec!["Si".into()],
            // Some(ms) would deliver `EventKind::Timer` events that often.
            timer_ms: None,
            feeds: robofleet_api::Feeds::QUOTES,
        }
    }

    /// Returning `Err` makes the server report the robot as failed with that message.
    fn create(args: &CreateArgs) -> Result<Self, String> {
        Ok(Template {
            config: Config::from_params(&args.params)?,
            symbols: args.symbols.clone(),
            rng: Rng::new(args.seed),
            quotes_seen: 0,
            working: None,
            asked: Price::ZERO,
            position: 0,
            instruments: Instruments::new(),
        })
    }

    /// Time is `event.ts` (never the system clock); `event.seq` counts this robot's events.
    fn on_event(&mut self, event: &Event, out: &mut Actions) {
        match &event.kind {
            EventKind::Start => out.info(format!("template started at ts {}", event.ts)),
            // Actions returned for Stop are still executed: clean up here.
            EventKind::Stop => {
                if let Some(id) = self.working.take() {
                    out.cancel(&id);
                }
            }
            EventKind::Quote(q) => self.on_quote(q, event.ts, out),
            // Other traders' prints and bars: this robot does not use them. Books come only
            // with `feeds: Feeds::DEPTH` (or `BOTH`) in `info()`: the levels best first,
            // e.g. `d.bids.first()` is the best bid.
            EventKind::Trade(_) | EventKind::Bar(_) | EventKind::Depth(_) => {}
            // The full merged parameter set: validate, and keep the old one if it is bad.
            EventKind::Params(p) => match Config::from_params(p) {
                Ok(config) => self.config = config,
                Err(e) => out.log(LogLevel::Warn, format!("params ignored: {e}")),
            },
            // `ctl command template cancel_all`: every open order of this robot, whatever
            // it remembers (the server finds them in the store).
            EventKind::Command { name, .. } if name == "cancel_all" => {
                out.cancel_all(None);
                self.working = None;
            }
            EventKind::Command { name, args } => {
                out.info(format!("command `{name}` `{args}` ignored"))
            }
            // Orders end in Filled, Cancelled or Rejected: forget ours when it does.
            EventKind::OrderUpdate(u) => {
                if u.status.is_terminal() && self.working.as_deref() == Some(u.client_id.as_str()) {
                    self.working = None;
                }
            }
            // Track position from fills, never from what was sent: orders can fail.
            // Saturating: a garbage quantity must not overflow (and panic in debug builds).
            EventKind::Fill(f) => {
                let change = f.side.sign().saturating_mul(f.qty);
                self.position = self.position.saturating_add(change);
            }
            EventKind::Timer { .. } => {}
            // Specs of its symbols: at start, and again whenever the registry changes.
            EventKind::Instrument(spec) => self.instruments.insert(spec.clone()),
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        // Encoding a plain struct cannot fail; an empty snapshot beats a panic anyway.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// The snapshot is the whole robot, so restoring is decoding it: the restored robot acts
    /// exactly as the original (the tests check it with `testing::check_restore`).
    fn restore(_args: &CreateArgs, snapshot: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(snapshot).map_err(|e| format!("bad template snapshot: {e}"))
    }
}

// Generates the `robofleet_plugin_entry` symbol the server looks for. Exactly once per crate.
robofleet_api::export_robot!(Template);
