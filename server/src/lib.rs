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
//! - [`robot`]: a robot's loop on its own thread and `inproc://` endpoint; its status.
//! - [`streams`]: the shared market data and trade subscription threads that feed robots.
//! - [`control`]: the control socket (JSON over ZeroMQ ROUTER) and its client.
//! - [`store`]: orders and trades behind the [`store::Store`] trait; the embedded backend.
//! - [`gateway`]: takes new orders from the store to the simulated exchange, writes fills back.
//! - [`market`]: the feed's wire format. [`feed`]: the market data publisher.
//! - [`stats`], [`clock`]: fleet counters; the server's clocks. [`limits`]: open-file limit.
//! - [`backtest`]: one robot over historical data on the live code path, with a report.
//! - [`risk`]: pre-trade checks between a robot and the store (`risk.toml`).

pub mod backtest;
pub mod clock;
pub mod control;
pub mod feed;
pub mod fleet;
pub mod gateway;
pub mod instruments;
pub mod journal;
pub mod limits;
pub mod market;
pub mod plugin;
pub mod replay;
pub mod risk;
pub mod robot;
pub mod server;
pub mod stats;
pub mod store;
pub mod streams;
