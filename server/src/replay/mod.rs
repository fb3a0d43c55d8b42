//! Replaying robots' journals: the engine shared by restart recovery, upgrade by replay and
//! `robofleet replay`, and what a replay run writes for analysts.
//!
//! # Layout
//! - [`engine`]: a journal through a plugin build, comparing actions byte for byte
//!   (`batch.rs`: its market records, handed to the robot many per call).
//! - [`event_ref`]: a replayed event as journaled (postcard bytes or a market record).
//! - [`run`]: one `robofleet replay` run of one robot: range, report, output.
//! - [`sink`]: the replay collections (MongoDB, or files beside the embedded store).

pub mod engine;
pub mod event_ref;
pub mod run;
pub mod sink;

pub use engine::{
    Divergence, Outcome, ReplayError, ReplayObserver, ReplayStats, Replayed, Replayer,
};
pub use event_ref::EventRef;
