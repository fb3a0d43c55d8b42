//! Market data as it travels on the feed: ZeroMQ multipart `[symbol, payload]`.

pub mod book;
pub mod symbols;
pub mod wire;

pub use wire::{decode, encode, MarketData, MarketKind, WireError};
