//! Test support for robot authors: drive a robot with events and look at its actions,
//! exactly as the server would (same sequence numbers, same order ids), with no server.
//!
//! ```
//! use robofleet_api::testing::{px, Harness};
//! use robofleet_api::{Action, Actions, CreateArgs, Event, EventKind, Feeds, Params, Robot, RobotInfo};
//!
//! struct BuyFirstQuote { done: bool }
//! impl Robot for BuyFirstQuote {
//!     fn info() -> RobotInfo {
//!         RobotInfo { name: "buyer".into(), description: String::new(),
//!                     default_params: Params::new(), default_symbols: vec!["Si".into()], timer_ms: None,
//!                     feeds: Feeds::QUOTES }
//!     }
//!     fn create(_: &CreateArgs) -> Result<Self, String> { Ok(BuyFirstQuote { done: false }) }
//!     fn on_event(&mut self, event: &Event, out: &mut Actions) {
//!         if let EventKind::Quote(q) = &event.kind {
//!             if !self.done { out.buy_limit(&q.symbol, 1, q.bid); self.done = true; }
//!         }
//!     }
//!     fn snapshot(&self) -> Vec<u8> { vec![self.done as u8] }
//! }
//!
//! let mut h = Harness::<BuyFirstQuote>::new().unwrap();
//! let actions = h.quote("Si", px("100"), px("101"));
//! assert!(matches!(&actions[0], Action::Submit(o) if o.client_id == "buyer-1"));
//! assert!(h.quote("Si", px("100"), px("101")).is_empty());
//! ```

pub use crate::restore_check::check_restore;

use crate::money::Price;
use crate::robot::{Actions, Robot};
use crate::types::*;

/// A price from decimal text, for tests and examples: `px("91234.5")`. Panics on bad text.
pub fn px(text: &str) -> Price {
    match text.parse() {
        Ok(p) => p,
        Err(e) => panic!("px({text:?}): {e}"),
    }
}

/// Runs one robot in-process, numbering events like the server does.
pub struct Harness<R: Robot> {
    pub robot: R,
    actions: Actions,
    seq: u64,
    ts: Timestamp,
    /// What it was created with.
    args: CreateArgs,
    /// Every event sent after `Start`, in order.
    sent: Vec<EventKind>,
}

impl<R: Robot> Harness<R> {
    /// Create with the robot's default name, params and symbols, seed 42, and send `Start`.
    pub fn new() -> Result<Self, String> {
        let info = R::info();
        Self::with_args(CreateArgs {
            name: info.name,
            params: info.default_params,
            symbols: info.default_symbols,
            seed: 42,
            first_order_seq: 1,
        })
    }

    /// Create with default args but these params overlaid on the defaults.
    pub fn with_params(params: Params) -> Result<Self, String> {
        let info = R::info();
        Self::with_args(CreateArgs {
            name: info.name,
            params: info.default_params.merged(&params),
            symbols: info.default_symbols,
            seed: 42,
            first_order_seq: 1,
        })
    }

    pub fn with_args(args: CreateArgs) -> Result<Self, String> {
        let robot = R::create(&args)?;
        let mut h = Harness {
            robot,
            actions: Actions::new(&args.name, args.first_order_seq),
            seq: 0,
            ts: 1_700_000_000_000_000_000,
            args,
            sent: Vec::new(),
        };
        h.send(EventKind::Start);
        h.sent.clear();
        Ok(h)
    }

    /// [`check_restore`] on everything this harness has sent so far: a robot restored from
    /// its snapshot at any point must act exactly as it did on the events after that point.
    pub fn check_restore(&self) -> Result<(), String> {
        check_restore::<R>(&self.args, &self.sent)
    }

    /// Deliver one event (next sequence number, clock advanced by 1 ms) and return the actions.
    pub fn send(&mut self, kind: EventKind) -> Vec<Action> {
        self.sent.push(kind.clone());
        self.seq += 1;
        self.ts += 1_000_000;
        let event = Event {
            seq: self.seq,
            ts: self.ts,
            kind,
        };
        self.robot.on_event(&event, &mut self.actions);
        self.actions.take()
    }

    /// A quote with size 10 on both sides.
    pub fn quote(&mut self, symbol: &str, bid: Price, ask: Price) -> Vec<Action> {
        self.send(EventKind::Quote(Quote {
            symbol: symbol.to_string(),
            bid,
            bid_size: 10,
            ask,
            ask_size: 10,
        }))
    }

    pub fn trade(&mut self, symbol: &str, price: Price, size: i64) -> Vec<Action> {
        self.send(EventKind::Trade(TradePrint {
            symbol: symbol.to_string(),
            price,
            size,
        }))
    }

    /// A fill of `qty` at `price` for the order `client_id`.
    pub fn fill(
        &mut self,
        client_id: &str,
        symbol: &str,
        side: Side,
        qty: i64,
        price: Price,
    ) -> Vec<Action> {
        self.send(EventKind::Fill(Fill {
            client_id: client_id.to_string(),
            exec_id: format!("test-{}", self.seq + 1),
            symbol: symbol.to_string(),
            side,
            qty,
            price,
        }))
    }

    /// An order status change for `client_id`.
    pub fn order_update(
        &mut self,
        client_id: &str,
        symbol: &str,
        status: OrderStatus,
        filled_qty: i64,
        remaining_qty: i64,
    ) -> Vec<Action> {
        self.send(EventKind::OrderUpdate(OrderUpdate {
            client_id: client_id.to_string(),
            symbol: symbol.to_string(),
            status,
            filled_qty,
            remaining_qty,
            reason: None,
            amends: 0,
        }))
    }

    pub fn params(&mut self, params: Params) -> Vec<Action> {
        self.send(EventKind::Params(params))
    }

    pub fn command(&mut self, name: &str, args: &str) -> Vec<Action> {
        self.send(EventKind::Command {
            name: name.to_string(),
            args: args.to_string(),
        })
    }

    pub fn timer(&mut self) -> Vec<Action> {
        self.send(EventKind::Timer { id: 0 })
    }
}

/// The submitted orders among `actions`.
pub fn submits(actions: &[Action]) -> Vec<&OrderRequest> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Submit(o) => Some(o),
            _ => None,
        })
        .collect()
}

/// The client ids cancelled among `actions`.
pub fn cancels(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Cancel { client_id } => Some(client_id.as_str()),
            _ => None,
        })
        .collect()
}
