//! # robofleet-core
//!
//! What the server, the order gateway and its venue adapters share: one way down, so each
//! of them can be a crate of its own (`robofleet` re-exports these modules under the same
//! names).
//!
//! # Layout
//! - [`store`]: orders and trades behind the [`store::Store`] trait; the embedded backend
//!   and MongoDB.
//! - [`market`]: the feed's wire format and order books. [`feed`]: the market data
//!   publisher and the CSV reader.
//! - [`instruments`]: the registry of instrument specs (`instruments.toml`).
//! - [`clock`]: the server's clocks.

pub mod clock;
pub mod feed;
pub mod instruments;
pub mod market;
pub mod store;
