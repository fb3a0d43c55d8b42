//! The one source of truth for orders and trades, behind the [`Store`] trait.
//!
//! Every backend has the same semantics: client order ids and exec ids are unique (a second
//! insert of either is refused or ignored, never doubled); watchers see changes in the order
//! they were written; a gateway watcher first gets every open order, then new ones.

pub mod audit;
pub mod embedded;
pub mod mongo;
pub mod page;
mod position;
pub mod rules;
pub mod sqlite;

pub use audit::AuditEntry;
pub use page::{Cursor, OrderQuery, Page, PageQuery, TradeQuery};
pub use position::{positions_from_trades, Position};

use crossbeam_channel::Sender;
use robofleet_api::{
    Instrument, OrderRequest, OrderStatus, OrderType, Price, Rounding, Side, TimeInForce,
};
use serde::{Deserialize, Serialize};

/// An order as stored. Written by the robot loop, changed by the gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// `<robot>-<order_seq>`: unique across the store.
    pub client_id: String,
    pub robot: String,
    pub order_seq: u64,
    pub symbol: String,
    pub side: Side,
    pub order_type: OrderType,
    /// How long it works (`Day` for orders stored before it was kept).
    #[serde(default)]
    pub tif: TimeInForce,
    pub qty: i64,
    pub status: OrderStatus,
    pub filled_qty: i64,
    /// Average fill price (see [`average_price`]); 0 until the first fill.
    pub avg_price: Price,
    pub reason: Option<String>,
    pub cancel_requested: bool,
    /// The latest amend the robot asked for, if any (its `seq` counts the requests).
    #[serde(default)]
    pub amend_request: Option<AmendRequest>,
    /// Amends the venue has answered, applied or refused (the `seq` of the last one).
    #[serde(default)]
    pub amends: u32,
    /// The venue's id for the order (a FIX venue's OrderID), once it said; `None` for the
    /// simulated exchange and before the venue's first answer.
    #[serde(default)]
    pub venue_order_id: Option<String>,
    /// Wall clock, ns since the Unix epoch.
    pub created_ns: i64,
    pub updated_ns: i64,
    pub history: Vec<StatusChange>,
    /// Instrumentation: when the tick that caused this order reached the server
    /// (monotonic ns of the writing process, see `crate::clock`), if a tick caused it.
    #[serde(default)]
    pub tick_recv_mono_ns: Option<u64>,
    /// Instrumentation: the feed's publish time of that tick (wall clock ns), if it said.
    #[serde(default)]
    pub tick_sent_ns: Option<i64>,
}

impl Order {
    /// A new order from a robot's request, status `New`, stamped `now_ns` (wall clock).
    pub fn new_request(robot: &str, req: OrderRequest, now_ns: i64) -> Order {
        Order {
            client_id: req.client_id,
            robot: robot.to_string(),
            order_seq: req.order_seq,
            symbol: req.symbol,
            side: req.side,
            order_type: req.order_type,
            tif: req.tif,
            qty: req.qty,
            status: OrderStatus::New,
            filled_qty: 0,
            avg_price: Price::ZERO,
            reason: None,
            cancel_requested: false,
            amend_request: None,
            amends: 0,
            venue_order_id: None,
            created_ns: now_ns,
            updated_ns: now_ns,
            history: vec![StatusChange {
                status: OrderStatus::New,
                ts_ns: now_ns,
                reason: None,
            }],
            tick_recv_mono_ns: None,
            tick_sent_ns: None,
        }
    }

    /// A robot's request the pre-trade checks denied, as the store keeps it: status `Denied`
    /// with `reason` from the start (it never was `New`, and no gateway takes it).
    pub fn denied(robot: &str, req: OrderRequest, now_ns: i64, reason: String) -> Order {
        let mut order = Order::new_request(robot, req, now_ns);
        order.status = OrderStatus::Denied;
        order.reason = Some(reason.clone());
        order.history = vec![StatusChange {
            status: OrderStatus::Denied,
            ts_ns: now_ns,
            reason: Some(reason),
        }];
        order
    }

    /// The amend request a robot's new amend of this order becomes: the next `seq` after
    /// every request made and every answer given; `None` once the order is finished.
    pub fn next_amend(&self, price: Option<Price>, qty: Option<i64>) -> Option<AmendRequest> {
        if self.status.is_terminal() {
            return None;
        }
        let last = self.amend_request.as_ref().map_or(0, |a| a.seq);
        Some(AmendRequest {
            seq: last.max(self.amends) + 1,
            price,
            qty,
        })
    }

    pub fn remaining_qty(&self) -> i64 {
        (self.qty - self.filled_qty).max(0)
    }
}

/// The average price of fills worth `notional` (the sum of `price.raw() × qty`, exact) over
/// `qty` lots, rounded to the nearest 10⁻⁹ (a half away from zero); 0 for no fills.
pub fn average_price(notional: i128, qty: i64) -> Price {
    if qty <= 0 {
        return Price::ZERO;
    }
    let avg = robofleet_api::money::div_round(notional, qty as i128, Rounding::Nearest);
    Price::from_raw(avg.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: OrderStatus,
    pub ts_ns: i64,
    pub reason: Option<String>,
}

/// A robot's request to change a working order (see `robofleet_api::Action::Amend`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendRequest {
    /// 1 for the order's first amend request, then 2, 3, ...
    pub seq: u32,
    pub price: Option<Price>,
    pub qty: Option<i64>,
}

/// An amend the robot asked for and the venue has not answered yet: a restarted gateway
/// takes it up after the order itself.
pub fn pending_amend(order: &Order) -> Option<AmendRequest> {
    order
        .amend_request
        .clone()
        .filter(|a| a.seq > order.amends && !order.status.is_terminal())
}

/// A change the gateway applies to an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderChange {
    pub client_id: String,
    pub status: OrderStatus,
    pub filled_qty: i64,
    pub avg_price: Price,
    pub reason: Option<String>,
    pub ts_ns: i64,
    /// The answer to amend request `seq` (applied or refused), if this change is one.
    #[serde(default)]
    pub amends: Option<u32>,
    /// The order's new total quantity, when an amend changed it.
    #[serde(default)]
    pub qty: Option<i64>,
    /// The order's new limit price, when an amend changed it.
    #[serde(default)]
    pub price: Option<Price>,
    /// The venue's id for the order, when this answer gave it.
    #[serde(default)]
    pub venue_order_id: Option<String>,
}

/// A fill, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trade {
    /// Unique per venue fill.
    pub exec_id: String,
    pub client_id: String,
    pub robot: String,
    pub symbol: String,
    pub side: Side,
    pub qty: i64,
    pub price: Price,
    /// When the gateway recorded the fill (its wall clock, ns since the Unix epoch): never
    /// before the order's `created_ns` nor before the order's previous change.
    pub ts_ns: i64,
    /// The venue's time for the fill, where it gave one (the simulated exchange: the time of
    /// the market data that filled the order). `None` for trades stored before it was kept.
    #[serde(default)]
    pub venue_ts_ns: Option<i64>,
    /// The fee of this fill, in `currency`, by the symbol's spec at the venue's time.
    #[serde(default)]
    pub fee: robofleet_api::Money,
    /// The spec's currency; `None` when the venue had no spec (and `fee` is 0).
    #[serde(default)]
    pub currency: Option<String>,
}

/// What a gateway watches: new orders and cancel requests.
// Moved once per order through a channel; most requests are new orders, and boxing them
// would add an allocation to each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum GatewayRequest {
    New(Order),
    Cancel {
        client_id: String,
    },
    Amend {
        client_id: String,
        amend: AmendRequest,
    },
}

/// What a robot's trade subscription delivers: its order changes and its trades.
#[derive(Clone, Debug, PartialEq)]
pub enum RobotUpdate {
    Order(Order),
    Trade(Trade),
}

impl RobotUpdate {
    pub fn robot(&self) -> &str {
        match self {
            RobotUpdate::Order(o) => &o.robot,
            RobotUpdate::Trade(t) => &t.robot,
        }
    }
}

/// Which orders a query returns.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub robot: Option<String>,
    pub open_only: bool,
}

/// A subscription handle, for `unwatch_robot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WatchId(pub u64);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("order {0} already exists")]
    DuplicateOrder(String),
    #[error("no order {0}")]
    UnknownOrder(String),
    #[error("order {client_id} is {status:?}: {what}")]
    InvalidTransition {
        client_id: String,
        status: OrderStatus,
        what: String,
    },
    #[error("store I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("store data is corrupt: {0}")]
    Corrupt(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Another gateway serves this store (MongoDB: one gateway per database).
    #[error("gateway lease: {0}")]
    GatewayLease(String),
    /// Another server runs a robot of this name on this store.
    #[error("robot name taken: {0}")]
    NameTaken(String),
}

/// One answer of a gateway to write, for [`Store::write_answers`].
#[derive(Clone, Debug, PartialEq)]
pub enum GatewayWrite {
    Trade(Trade),
    Change(OrderChange),
}

/// What became of one [`GatewayWrite`].
#[derive(Clone, Debug, PartialEq)]
pub enum Written {
    /// The trade was stored (`new`), or was already (nothing doubled).
    Trade { new: bool },
    /// The order after the change.
    Change(Box<Order>),
}

/// How a store is doing, for `stats` and status.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreHealth {
    pub backend: &'static str,
    /// False while the store cannot reach its database (writes wait, reads fail).
    pub available: bool,
    /// Robot writes accepted but not yet written.
    pub pending_writes: u64,
    /// Robot writes that failed for good (their robots were told).
    pub failed_writes: u64,
    pub last_error: Option<String>,
}

/// The store every part of the fleet shares. Methods are synchronous and thread-safe.
pub trait Store: Send + Sync {
    /// Insert a new order. A second insert with the same client id is refused: at once with
    /// `DuplicateOrder`, or (a backend with a write queue) by a `Rejected` update to the robot.
    fn insert_order(&self, order: &Order) -> Result<(), StoreError>;
    /// Ask the gateway to cancel an order (ignored for orders already terminal).
    fn request_cancel(&self, client_id: &str) -> Result<(), StoreError>;
    /// Apply a gateway change; returns the order after it.
    fn update_order(&self, change: &OrderChange) -> Result<Order, StoreError>;
    /// Insert a trade; `Ok(false)` if that exec id was already stored (nothing doubled).
    fn insert_trade(&self, trade: &Trade) -> Result<bool, StoreError>;
    /// A gateway's answers, in its order: each fill before the change that reports it. One
    /// result per write, as [`Store::insert_trade`] and [`Store::update_order`] give them;
    /// a store may write them in bulk (MongoDB does, for a gateway that fell behind), but
    /// never shows a change before a fill that came before it.
    fn write_answers(&self, writes: &[GatewayWrite]) -> Vec<Result<Written, StoreError>> {
        writes.iter().map(|w| self.write_answer(w)).collect()
    }
    /// One gateway answer, as [`Store::insert_trade`] or [`Store::update_order`] writes it.
    fn write_answer(&self, w: &GatewayWrite) -> Result<Written, StoreError> {
        match w {
            GatewayWrite::Trade(t) => self.insert_trade(t).map(|new| Written::Trade { new }),
            GatewayWrite::Change(c) => self.update_order(c).map(|o| Written::Change(Box::new(o))),
        }
    }
    /// A robot asks to amend its order: recorded on the order and passed to the gateway.
    /// Nothing for an order already finished; `UnknownOrder` for one never stored.
    fn request_amend(
        &self,
        client_id: &str,
        price: Option<Price>,
        qty: Option<i64>,
    ) -> Result<(), StoreError>;
    /// Replace the instrument registry with `specs` (every version of every symbol).
    fn put_instruments(&self, specs: &[Instrument]) -> Result<(), StoreError>;
    /// The instrument registry as last put.
    fn instruments(&self) -> Result<Vec<Instrument>, StoreError>;
    /// Deliver every open order, then each new order and cancel request, to `sink`.
    fn watch_order_requests(&self, sink: Sender<GatewayRequest>) -> Result<(), StoreError>;
    /// The gateway that called `watch_order_requests` has stopped (MongoDB: give back the
    /// gateway lease so the next gateway need not wait for it to expire).
    fn gateway_stopped(&self) {}
    /// Before a robot starts: its name must not be running on another server sharing this
    /// store (its fills are routed by name). `Err(NameTaken)` says where it runs.
    fn claim_robot(&self, _robot: &str) -> Result<(), StoreError> {
        Ok(())
    }
    /// The robot has stopped: another server may run its name now.
    fn release_robot(&self, _robot: &str) {}
    /// Deliver changes of `robot`'s orders and its new trades to `sink`.
    fn watch_robot(&self, robot: &str, sink: Sender<RobotUpdate>) -> Result<WatchId, StoreError>;
    fn unwatch_robot(&self, id: WatchId);
    fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, StoreError>;
    fn trades(&self, robot: Option<&str>) -> Result<Vec<Trade>, StoreError>;
    /// One page of orders ([`page`]).
    fn orders_page(&self, q: &OrderQuery) -> Result<Page<Order>, StoreError>;
    /// One page of trades ([`page`]).
    fn trades_page(&self, q: &TradeQuery) -> Result<Page<Trade>, StoreError>;
    /// Positions per robot and symbol, from the trades.
    fn positions(&self, robot: Option<&str>) -> Result<Vec<Position>, StoreError>;
    /// The order sequence a robot should start from (one past its highest stored).
    fn next_order_seq(&self, robot: &str) -> Result<u64, StoreError>;
    /// Keep one control-plane audit entry.
    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The newest `limit` audit entries, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
    fn health(&self) -> StoreHealth {
        StoreHealth {
            backend: "embedded",
            available: true,
            pending_writes: 0,
            failed_writes: 0,
            last_error: None,
        }
    }
}
