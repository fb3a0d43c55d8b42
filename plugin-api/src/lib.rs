//! # robofleet-api
//!
//! The one crate a robofleet robot author depends on. Write a type that implements
//! [`Robot`], export it with [`export_robot!`], build the crate as a `cdylib`, and drop the
//! `.so` into the server's plugin folder: it starts trading with no configuration.
//!
//! A robot is deterministic: it sees time only through [`Event::ts`], draws randomness only
//! from [`Rng`] seeded by [`CreateArgs::seed`], and answers each event with [`Action`]s, so
//! the same events in the same order always give the same actions: the basis on which a
//! robot's day can be journaled and replayed exactly.
//!
//! # Layout
//! - [`instrument`]: instrument specs (tick, lot, money per tick, fees, sessions), effective-dated.
//! - [`money`]: exact [`Price`] and [`Money`] (fixed-point integers, never floats).
//! - [`types`]: events, actions, orders, fills, parameters: plain serde data.
//! - [`robot`]: the [`Robot`] trait, the [`Actions`] list with deterministic order ids, [`Rng`].
//! - [`abi`]: the versioned C ABI the server checks before it trusts a plugin.
//! - [`export`]: the `extern "C"` glue behind [`export_robot!`], panics caught at every entry
//!   (`export_market.rs`: market records into reused events; `export_decode.rs`: order
//!   updates and fills decoded with their strings borrowed).
//! - [`panics`]: a robot's panic reported at once (no backtrace symbolized on its thread).
//! - [`testing`]: a harness that drives a robot like the server does, for unit tests.

pub mod abi;
pub mod export;
mod export_decode;
mod export_market;
pub mod instrument;
pub mod money;
pub mod panics;
mod restore_check;
pub mod robot;
pub mod testing;
pub mod types;

pub use instrument::{Instrument, Instruments, Session};
pub use money::{Money, Price, Rounding};
pub use robot::{Actions, Rng, Robot};
pub use types::*;
