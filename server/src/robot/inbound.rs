use robofleet_api::{EventKind, Params};
use std::sync::Arc;

/// An input waiting in a robot's inbox (`robot::pool`); only the server makes these.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    /// Market data as the robot will be handed it (its symbol an id from
    /// [`crate::market::symbols`]), with when it reached the server and when the feed said
    /// it sent it.
    Market {
        rec: robofleet_api::abi::RfMarket,
        /// A book's levels (bids then asks), shared by every robot it goes to; `None` for
        /// other kinds (no reference count for a thousand robots to share per quote).
        levels: Option<Arc<[robofleet_api::abi::RfLevel]>>,
        recv_mono_ns: u64,
        sent_ns: Option<i64>,
    },
    /// From the control socket or the fleet manager.
    Control(ControlMsg),
    /// One of this robot's order changes or fills, from its trade subscription.
    Update { ts: i64, kind: EventKind },
    /// The trade subscription is live: whatever the store holds from before can be read now
    /// without missing what comes after.
    Subscribed,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ControlMsg {
    /// The full, merged parameter set.
    Params(Params),
    Command {
        name: String,
        args: String,
    },
    Pause,
    Resume,
    Stop,
    /// A new or changed version of one of its symbols' specs.
    Instrument(robofleet_api::Instrument),
    /// An operator's: trading `ACTIVE` again after the pre-trade checks halted or reduced it.
    ResumeTrading,
    /// The fleet's kill switch was engaged (why): deny every order and amend, cancel every
    /// working order. The robot's own trading state is left as it is.
    FleetHalt(String),
    /// The kill switch was reset: the robot's own trading state applies again.
    FleetResume,
    /// An operator's `reload_limits`: the robot's limits from now, as JSON (`RobotLimits`);
    /// `None`: no checks.
    Limits(Option<String>),
}
