//! Market data over FIX 4.4: a client's MarketDataRequest (V), and the venue's snapshots
//! (MarketDataSnapshotFullRefresh, W), incremental refreshes (MarketDataIncrementalRefresh,
//! X) and refusals (MarketDataRequestReject, Y).
//!
//! - [`messages`]: the four messages, built and read.
//! - [`serve`]: the paper venue's subscriptions, fed by the fleet's feed.
//! - [`feed`]: `robofleet feed --fix`, a venue's market data republished on the fleet's
//!   ZeroMQ feed.
//!
//! Every entry carries its time to the ns (MDEntryDate and a nine-digit MDEntryTime) and
//! its price as exact decimal text, so what the venue's feed said reaches robots unchanged.

pub mod feed;
pub mod messages;
pub mod serve;

use robofleet_api::Price;

/// What a market data entry is about (MDEntryType).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Bid,
    Offer,
    Trade,
}

impl EntryKind {
    pub fn code(self) -> char {
        match self {
            EntryKind::Bid => '0',
            EntryKind::Offer => '1',
            EntryKind::Trade => '2',
        }
    }

    pub fn of(code: &str) -> Option<EntryKind> {
        match code {
            "0" => Some(EntryKind::Bid),
            "1" => Some(EntryKind::Offer),
            "2" => Some(EntryKind::Trade),
            _ => None,
        }
    }
}

/// What an incremental entry does (MDUpdateAction); a snapshot's entries are all `New`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    New,
    Change,
    Delete,
}

impl Action {
    pub fn code(self) -> char {
        match self {
            Action::New => '0',
            Action::Change => '1',
            Action::Delete => '2',
        }
    }

    pub fn of(code: &str) -> Option<Action> {
        match code {
            "0" => Some(Action::New),
            "1" => Some(Action::Change),
            "2" => Some(Action::Delete),
            _ => None,
        }
    }
}

/// One market data entry. Book entries are keyed by price: `New` and `Change` set the
/// level's size, `Delete` removes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub action: Action,
    pub kind: EntryKind,
    pub price: Price,
    pub size: i64,
    /// The data's own time, ns since the epoch (MDEntryDate + MDEntryTime).
    pub ts_ns: Option<i64>,
}

/// How a subscription is served (MarketDepth): the top of the book, as quotes, or `levels`
/// of it on each side (0: all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    Top,
    Levels(u32),
}

impl Depth {
    pub fn of(market_depth: u32) -> Depth {
        match market_depth {
            1 => Depth::Top,
            n => Depth::Levels(n),
        }
    }

    pub fn market_depth(self) -> u32 {
        match self {
            Depth::Top => 1,
            Depth::Levels(n) => n,
        }
    }
}
