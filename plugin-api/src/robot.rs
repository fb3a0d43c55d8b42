//! The `Robot` trait and the `Actions` list a robot fills in answer to each event.

use crate::money::Price;
use crate::types::{
    Action, CreateArgs, Event, LogLevel, OrderRequest, OrderType, RobotInfo, Side, TimeInForce,
};

/// A trading robot: a deterministic state machine from events to actions.
///
/// The same `CreateArgs` and the same events in the same order must give the same actions:
/// read time only from `Event::ts`, randomness only from [`crate::Rng`] seeded by
/// `CreateArgs::seed`, and nothing from the outside world.
pub trait Robot: Sized + 'static {
    /// Name, default parameters and symbols: all a robot needs to start with no configuration.
    fn info() -> RobotInfo;

    /// Build the robot from its parameters. An `Err` is reported as the robot's failure.
    fn create(args: &CreateArgs) -> Result<Self, String>;

    /// Handle one event, pushing any orders, cancels or logs onto `out`.
    fn on_event(&mut self, event: &Event, out: &mut Actions);

    /// The robot's state as bytes: used to check that a replay rebuilt it exactly, and what
    /// [`Robot::restore`] rebuilds it from.
    fn snapshot(&self) -> Vec<u8>;

    /// Rebuild the robot from `snapshot` (what [`Robot::snapshot`] returned), so that it acts
    /// exactly as the robot that took the snapshot on every event that follows: a restart can
    /// then begin at a checkpoint rather than the first event. `args` are the arguments the
    /// original was created with. Check it with [`crate::testing::check_restore`].
    ///
    /// The default refuses: such a robot is always rebuilt by replaying its whole journal.
    fn restore(args: &CreateArgs, snapshot: &[u8]) -> Result<Self, String> {
        let _ = (args, snapshot);
        Err(
            "this robot cannot be restored from a snapshot (Robot::restore is not implemented)"
                .into(),
        )
    }
}

/// The actions a robot returns for one event. Hands out deterministic client order ids.
#[derive(Debug)]
pub struct Actions {
    robot: String,
    next_order_seq: u64,
    list: Vec<Action>,
}

impl Actions {
    /// `first_order_seq` is the sequence the next submitted order will carry.
    pub fn new(robot: &str, first_order_seq: u64) -> Self {
        Actions {
            robot: robot.to_string(),
            next_order_seq: first_order_seq,
            list: Vec::new(),
        }
    }

    pub fn buy_limit(&mut self, symbol: &str, qty: i64, price: Price) -> String {
        self.submit(symbol, Side::Buy, qty, OrderType::Limit { price })
    }

    pub fn sell_limit(&mut self, symbol: &str, qty: i64, price: Price) -> String {
        self.submit(symbol, Side::Sell, qty, OrderType::Limit { price })
    }

    pub fn buy_market(&mut self, symbol: &str, qty: i64) -> String {
        self.submit(symbol, Side::Buy, qty, OrderType::Market)
    }

    pub fn sell_market(&mut self, symbol: &str, qty: i64) -> String {
        self.submit(symbol, Side::Sell, qty, OrderType::Market)
    }

    /// Submit a day order; returns its client order id (`<robot>-<seq>`), for a later cancel.
    pub fn submit(&mut self, symbol: &str, side: Side, qty: i64, order_type: OrderType) -> String {
        self.submit_tif(symbol, side, qty, order_type, TimeInForce::Day)
    }

    /// Submit an order that works for `tif` (day, good till cancelled, immediate or cancel,
    /// fill or kill).
    pub fn submit_tif(
        &mut self,
        symbol: &str,
        side: Side,
        qty: i64,
        order_type: OrderType,
        tif: TimeInForce,
    ) -> String {
        let order_seq = self.next_order_seq;
        self.next_order_seq += 1;
        let client_id = format!("{}-{}", self.robot, order_seq);
        self.list.push(Action::Submit(OrderRequest {
            client_id: client_id.clone(),
            order_seq,
            symbol: symbol.to_string(),
            side,
            qty,
            order_type,
            tif,
        }));
        client_id
    }

    /// Change a working order's limit price and/or total quantity, keeping its id.
    pub fn amend(&mut self, client_id: &str, price: Option<Price>, qty: Option<i64>) {
        self.list.push(Action::Amend {
            client_id: client_id.to_string(),
            price,
            qty,
        });
    }

    /// Cancel every open order of this robot (`None`), or those of one symbol.
    pub fn cancel_all(&mut self, symbol: Option<&str>) {
        self.list.push(Action::CancelAll {
            symbol: symbol.map(str::to_string),
        });
    }

    pub fn cancel(&mut self, client_id: &str) {
        self.list.push(Action::Cancel {
            client_id: client_id.to_string(),
        });
    }

    pub fn log(&mut self, level: LogLevel, message: impl Into<String>) {
        self.list.push(Action::Log {
            level,
            message: message.into(),
        });
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.log(LogLevel::Info, message)
    }

    /// The actions pushed so far for the current event.
    pub fn as_slice(&self) -> &[Action] {
        &self.list
    }

    /// The list itself, for the export glue (which encodes and clears it, keeping its
    /// capacity: no allocation per event).
    pub(crate) fn list_mut(&mut self) -> &mut Vec<Action> {
        &mut self.list
    }

    /// Take this event's actions, keeping the order sequence for the next event.
    pub fn take(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.list)
    }

    /// Make the next order's sequence at least `next` (the server does this when the store
    /// already holds higher ids for this robot).
    pub fn raise_next_order_seq(&mut self, next: u64) {
        self.next_order_seq = self.next_order_seq.max(next);
    }

    /// The sequence number the next order will get (part of the robot's state).
    pub fn next_order_seq(&self) -> u64 {
        self.next_order_seq
    }
}

/// The deterministic random number generator robots must use (SplitMix64).
///
/// Seed it from `CreateArgs::seed` and keep it in the robot's state.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi). Returns `lo` when the range is empty.
    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo) as u64) as i64
    }
}
