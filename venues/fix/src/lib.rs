//! # robofleet-fix
//!
//! The FIX 4.4 venue (issue 11, being built; `docs/venues.md`): the gateway's order
//! requests as FIX messages, and a venue's execution reports and cancel rejects as the
//! order changes and fills the gateway writes to the store. The session layer is
//! QuickFIX's.
//!
//! # Layout
//! - [`fields`]: reading FIX fields into our values, errors naming the tag.
//! - [`ids`]: our ClOrdIDs: an order's own, and one per amend and cancel of it.
//! - [`outbound`]: NewOrderSingle, OrderCancelReplaceRequest, OrderCancelRequest.
//! - [`inbound`]: ExecutionReport and OrderCancelReject read into [`inbound::Inbound`],
//!   and what each means for the order ([`inbound::ExecReport::answers`]).
//! - [`md`]: market data: MarketDataRequest, snapshots and incremental refreshes, both
//!   ways (the paper venue serves them, `robofleet feed --fix` republishes them).
//! - [`paper`]: the paper venue, the simulated exchange behind a FIX acceptor.
//! - [`time`]: FIX UTCTimestamps to and from ns since the epoch.

pub mod client;
pub mod engine;
pub mod fields;
pub mod ids;
pub mod inbound;
pub mod md;
pub mod outbound;
pub mod paper;
pub mod settings;
pub mod tags;
pub mod time;

/// A message that cannot be built or read.
#[derive(Debug, thiserror::Error)]
pub enum FixMapError {
    #[error("FIX message: {0}")]
    Engine(#[from] quickfix::QuickFixError),
    #[error("FIX message has no {name} ({tag})")]
    Missing { tag: i32, name: &'static str },
    #[error("FIX message: {name} ({tag}) is {value:?}: {why}")]
    Bad {
        tag: i32,
        name: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("not a message the gateway reads: MsgType {0:?}")]
    Unexpected(String),
}
