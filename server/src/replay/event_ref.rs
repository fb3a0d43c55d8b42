//! A replayed event as its journal holds it: postcard bytes, or a market record.

use robofleet_api::abi::{RfLevel, RfMarket, MD_BAR, MD_DEPTH, MD_QUOTE, MD_TRADE};
use robofleet_api::Event;

/// `EventKind`'s variant indexes (postcard's enum tags) for the kinds a replay looks at.
pub const KIND_QUOTE: u64 = 2;
pub const KIND_TRADE: u64 = 3;
pub const KIND_BAR: u64 = 4;
pub const KIND_PARAMS: u64 = 5;
pub const KIND_ORDER_UPDATE: u64 = 7;
pub const KIND_FILL: u64 = 8;
pub const KIND_DEPTH: u64 = 11;

#[derive(Clone, Copy, Debug)]
pub enum EventRef<'a> {
    /// A postcard `Event` (`Event` record).
    Encoded(&'a [u8]),
    /// A market record, the name its symbol id had then, and the levels its book points
    /// into (`Market` record).
    Market(&'a RfMarket, &'a str, &'a [RfLevel]),
}

impl EventRef<'_> {
    /// The event, decoded (allocates: for reports and divergences, not every event).
    pub fn decode(&self) -> Option<Event> {
        match self {
            EventRef::Encoded(bytes) => postcard::from_bytes(bytes).ok(),
            EventRef::Market(rec, symbol, levels) => rec.to_event(symbol, levels),
        }
    }

    /// The `EventKind` variant index, without decoding.
    pub fn kind_index(&self) -> Option<u64> {
        match self {
            EventRef::Encoded(bytes) => crate::journal::format::event_kind_index(bytes),
            EventRef::Market(rec, _, _) => match rec.kind {
                MD_QUOTE => Some(KIND_QUOTE),
                MD_TRADE => Some(KIND_TRADE),
                MD_BAR => Some(KIND_BAR),
                MD_DEPTH => Some(KIND_DEPTH),
                _ => None,
            },
        }
    }
}
