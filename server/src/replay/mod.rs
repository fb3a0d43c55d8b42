//! Replaying robots' journals: the engine shared by restart recovery, upgrade by replay and
//! `robofleet replay`, and what a replay run writes for analysts.
//!
//! # Layout
//! - [`engine`]: a journal through a plugin build, comparing actions byte for byte.

pub mod engine;

pub use engine::{
    Divergence, Outcome, ReplayError, ReplayObserver, ReplayStats, Replayed, Replayer,
};
