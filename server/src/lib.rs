//! # robofleet
//!
//! A server that runs a fleet of algorithmic-trading robots loaded as plugins. Traders drop
//! a robot (a `cdylib` built against `robofleet-api`) into a folder and it starts trading;
//! they steer it over a ZeroMQ control socket; every order and trade lands in one store.
//!
//! # Layout
//! - [`server`]: `start(config)` wires everything; returns a handle (tests run it in-process).
//! - [`fleet`]: the manager (robot lifecycle), plugin folder watcher, `<robot>.toml` configs.
//! - [`plugin`]: loading and checking plugins, calling robots across the C ABI.
//! - [`robot`]: a robot's loop, its inbox and the worker pool that runs it; its status.
//! - [`streams`]: the shared market data and trade subscription threads that feed robots.
//! - [`control`]: the control socket (JSON over ZeroMQ ROUTER) and its client.
//! - [`store`]: orders and trades behind the [`store::Store`] trait; the embedded backend
//!   (re-exported from `robofleet-core`, as are [`market`], [`feed`], [`instruments`] and
//!   [`clock`]).
//! - [`gateway`]: the `robofleet-gateway` crate: orders from the store to the simulated
//!   exchange, fills back.
//! - [`market`]: the feed's wire format. [`feed`]: the market data publisher.
//! - [`stats`], [`clock`]: fleet counters; the server's clocks. [`limits`]: open-file limit.
//! - [`backtest`]: one robot over historical data on the live code path, with a report.
//! - [`risk`]: pre-trade checks between a robot and the store (`risk.toml`).

pub mod backtest;
pub use robofleet_core::{clock, feed, instruments, market, store};
pub use robofleet_gateway as gateway;
pub mod control;
pub mod fleet;
pub mod journal;
pub mod limits;
pub mod plugin;
pub mod replay;
pub mod risk;
pub mod robot;
pub mod server;
pub mod stats;
pub mod streams;
