//! # robofleet
//!
//! A server that runs a fleet of algorithmic-trading robots loaded as plugins.
//!
//! # Layout
//! - [`market`]: the feed's wire format.
//! - [`feed`]: `robofleet feed`, a ZeroMQ market data publisher (CSV replay or synthetic).
//! - [`store`]: orders and trades behind the [`store::Store`] trait; the embedded backend.
//! - [`gateway`]: takes new orders from the store to the simulated exchange, writes fills back.
//! - [`clock`]: the monotonic and wall clocks the server stamps with.

pub mod clock;
pub mod feed;
pub mod gateway;
pub mod market;
pub mod store;
