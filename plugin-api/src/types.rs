//! Plain data that flows between the server and a robot: events in, actions out.

use crate::money::Price;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Nanoseconds since the Unix epoch, as stamped by the exchange (or the server for timers).
pub type Timestamp = i64;

/// One input to a robot. `seq` is the robot's own sequence number: 1, 2, 3, ... in loop order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub ts: Timestamp,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// First event of every run.
    Start,
    /// Last event of every run; actions returned for it are still executed.
    Stop,
    Quote(Quote),
    Trade(TradePrint),
    Bar(Bar),
    /// New parameters set over the control socket (the full merged set).
    Params(Params),
    /// A custom command sent over the control socket.
    Command {
        name: String,
        args: String,
    },
    /// A state change of one of this robot's own orders.
    OrderUpdate(OrderUpdate),
    /// A fill of one of this robot's own orders.
    Fill(Fill),
    /// A periodic timer (see `RobotInfo::timer_ms`).
    Timer {
        id: u64,
    },
    /// A version of one of this robot's symbols' specs: every known version right after
    /// `Start`, and each new or changed one when the registry changes. Keep them in an
    /// [`crate::Instruments`] and ask it for the spec in effect at an event's time.
    Instrument(crate::instrument::Instrument),
    /// The order book of one of this robot's symbols after a change (robots whose
    /// [`RobotInfo::feeds`] ask for depth).
    Depth(Depth),
}

impl EventKind {
    /// The variant's name, for logs and reports (`Quote`, `Fill`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Start => "Start",
            EventKind::Stop => "Stop",
            EventKind::Quote(_) => "Quote",
            EventKind::Trade(_) => "Trade",
            EventKind::Bar(_) => "Bar",
            EventKind::Params(_) => "Params",
            EventKind::Command { .. } => "Command",
            EventKind::OrderUpdate(_) => "OrderUpdate",
            EventKind::Fill(_) => "Fill",
            EventKind::Timer { .. } => "Timer",
            EventKind::Instrument(_) => "Instrument",
            EventKind::Depth(_) => "Depth",
        }
    }

    /// The symbol this event is about, if any.
    pub fn symbol(&self) -> Option<&str> {
        match self {
            EventKind::Quote(q) => Some(&q.symbol),
            EventKind::Trade(t) => Some(&t.symbol),
            EventKind::Bar(b) => Some(&b.symbol),
            EventKind::OrderUpdate(u) => Some(&u.symbol),
            EventKind::Fill(f) => Some(&f.symbol),
            EventKind::Instrument(i) => Some(&i.symbol),
            EventKind::Depth(d) => Some(&d.symbol),
            _ => None,
        }
    }
}

/// Top of book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub symbol: String,
    pub bid: Price,
    pub bid_size: i64,
    pub ask: Price,
    pub ask_size: i64,
}

/// A trade printed on the exchange (anyone's, not only ours).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TradePrint {
    pub symbol: String,
    pub price: Price,
    pub size: i64,
}

/// One price level of an order book: the quantity resting at that price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub price: Price,
    pub qty: i64,
}

/// Most levels a [`Depth`] event carries on each side.
pub const DEPTH_LEVELS: usize = 20;

/// A symbol's order book (level 2), best first on each side: bids highest first, asks
/// lowest first, at most [`DEPTH_LEVELS`] a side, no level with a zero quantity. Always the
/// whole book as it stands after the change, however the feed sent it (snapshot or update).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Depth {
    pub symbol: String,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

impl Depth {
    /// The best bid and ask, if the sides have any.
    pub fn best(&self) -> (Option<Level>, Option<Level>) {
        (self.bids.first().copied(), self.asks.first().copied())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub symbol: String,
    pub period_secs: u32,
    pub open: Price,
    pub high: Price,
    pub low: Price,
    pub close: Price,
    pub volume: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// +1 for a buy, -1 for a sell: multiply a quantity by it to get a position change.
    pub fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderType {
    Market,
    Limit { price: Price },
}

/// How long an order works.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimeInForce {
    /// Until the end of the symbol's trading day (its last session of the day), then
    /// cancelled by the venue.
    #[default]
    Day,
    /// Good till cancelled.
    Gtc,
    /// Immediate or cancel: what fills on arrival fills, the rest is cancelled at once.
    Ioc,
    /// Fill or kill: all of it on arrival, or nothing (cancelled).
    Fok,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    /// Written to the store, not yet taken by the gateway.
    New,
    /// Accepted by the venue and working.
    Working,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    /// Stopped by the server's pre-trade risk checks before it reached the store as live or
    /// the venue; `reason` is `<CODE>: <value> (limit <limit>)` (codes in `docs/risk.md`).
    Denied,
}

impl OrderStatus {
    /// No further change can happen to an order in a terminal state.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled
                | OrderStatus::Cancelled
                | OrderStatus::Rejected
                | OrderStatus::Denied
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderUpdate {
    pub client_id: String,
    pub symbol: String,
    pub status: OrderStatus,
    pub filled_qty: i64,
    pub remaining_qty: i64,
    /// Why an order was rejected or cancelled, when it was; `amended` or
    /// `amend refused: <why>` for the answer to an amend.
    pub reason: Option<String>,
    /// Amends of this order the venue has answered (applied or refused), 0, 1, 2, ...
    pub amends: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    pub client_id: String,
    pub exec_id: String,
    pub symbol: String,
    pub side: Side,
    pub qty: i64,
    pub price: Price,
}

/// A robot's parameters: names to typed values. Ordered, so encoding is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Params(pub BTreeMap<String, ParamValue>);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builder-style insert, handy for defaults: `Params::new().with("fast", 5)`.
    pub fn with(mut self, key: &str, value: impl Into<ParamValue>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    pub fn set(&mut self, key: &str, value: impl Into<ParamValue>) {
        self.0.insert(key.to_string(), value.into());
    }

    /// Overlay `other` on `self`: keys in `other` win.
    pub fn merged(&self, other: &Params) -> Params {
        let mut out = self.clone();
        for (k, v) in &other.0 {
            out.0.insert(k.clone(), v.clone());
        }
        out
    }

    pub fn get(&self, key: &str) -> Option<&ParamValue> {
        self.0.get(key)
    }

    /// A number (int or float) as f64.
    pub fn f64(&self, key: &str) -> Option<f64> {
        match self.0.get(key)? {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// An integer (a float with no fractional part is accepted too).
    pub fn i64(&self, key: &str) -> Option<i64> {
        match self.0.get(key)? {
            ParamValue::Int(i) => Some(*i),
            ParamValue::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }

    /// A price: decimal text (`"0.5"`, exact), an integer (whole units), or a float (the
    /// nearest 10⁻⁹; exact for any decimal of up to 15 significant digits).
    pub fn price(&self, key: &str) -> Option<Price> {
        match self.0.get(key)? {
            ParamValue::Int(i) => Price::from_units(*i),
            ParamValue::Float(f) => Price::from_f64(*f),
            ParamValue::Str(s) => s.parse().ok(),
            ParamValue::Bool(_) => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            ParamValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.0.get(key)? {
            ParamValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl From<i64> for ParamValue {
    fn from(v: i64) -> Self {
        ParamValue::Int(v)
    }
}
impl From<i32> for ParamValue {
    fn from(v: i32) -> Self {
        ParamValue::Int(v as i64)
    }
}
impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        ParamValue::Float(v)
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue::Bool(v)
    }
}
impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        ParamValue::Str(v.to_string())
    }
}
impl From<String> for ParamValue {
    fn from(v: String) -> Self {
        ParamValue::Str(v)
    }
}

/// What a robot asks the server to do in answer to an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Action {
    Submit(OrderRequest),
    Cancel {
        client_id: String,
    },
    /// Cancel every open order of this robot, or only those of `symbol`.
    CancelAll {
        symbol: Option<String>,
    },
    /// Change a working order's limit price and/or total quantity, keeping its client id
    /// (MOEX's "move order"). A new price or a larger quantity loses the order's time
    /// priority; a smaller one keeps it. Answered by an `OrderUpdate` whose `amends` counts it,
    /// with reason `amended` or `amend refused: <why>`.
    Amend {
        client_id: String,
        price: Option<Price>,
        qty: Option<i64>,
    },
    Log {
        level: LogLevel,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// Deterministic: `<robot name>-<per-robot order sequence>`.
    pub client_id: String,
    /// The per-robot order sequence number inside `client_id`.
    pub order_seq: u64,
    pub symbol: String,
    pub side: Side,
    pub qty: i64,
    pub order_type: OrderType,
    pub tif: TimeInForce,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// What a plugin says about itself before any robot is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobotInfo {
    /// Default robot name (the server falls back to the file name when empty).
    pub name: String,
    pub description: String,
    pub default_params: Params,
    pub default_symbols: Vec<String>,
    /// Deliver a `Timer { id: 0 }` event this often, if set.
    pub timer_ms: Option<u64>,
    /// Which market data the robot gets for its symbols: quotes, depth or both.
    pub feeds: Feeds,
}

/// The market data a robot asks for. Trade prints and bars come to every robot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feeds {
    /// Top of book ([`EventKind::Quote`]).
    pub quotes: bool,
    /// The order book ([`EventKind::Depth`]).
    pub depth: bool,
}

impl Feeds {
    pub const QUOTES: Feeds = Feeds {
        quotes: true,
        depth: false,
    };
    pub const DEPTH: Feeds = Feeds {
        quotes: false,
        depth: true,
    };
    pub const BOTH: Feeds = Feeds {
        quotes: true,
        depth: true,
    };
}

impl Default for Feeds {
    fn default() -> Self {
        Feeds::QUOTES
    }
}

/// Everything a robot is created from. All of it is input, so a replay can give it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateArgs {
    pub name: String,
    pub params: Params,
    pub symbols: Vec<String>,
    /// The robot's only source of randomness (see [`crate::Rng`]).
    pub seed: u64,
    /// The order sequence to start from, so ids stay unique across restarts.
    pub first_order_seq: u64,
}
