//! One robot: its loop on its own thread, its inbound messages, its shared status.
//!
//! Everything that reaches a robot comes through one ZeroMQ PULL socket bound at its own
//! `inproc://` endpoint, so all its inputs form one ordered stream with no locks in the
//! robot's path. The loop numbers each event, calls the plugin, and carries out the actions.

pub mod checkpoints;
pub mod core;
pub mod core_risk;
mod inbound;
mod reconcile;
pub mod recovery;
mod runner;
pub mod seen;
mod status;

pub use inbound::{ControlMsg, Inbound};
pub use recovery::JournalSpec;
pub use runner::{spawn_robot, RobotSpec};
pub use status::{RobotShared, RobotState, RobotStatus};

/// The inproc endpoint of one run of a robot's loop. `fleet` keeps two servers in one process
/// apart; `generation` keeps a restart from binding a name ZeroMQ is still releasing (a closed
/// socket's endpoint is unbound asynchronously).
pub fn endpoint(fleet: u64, name: &str, generation: u64) -> String {
    format!("inproc://robot/{fleet}/{name}/{generation}")
}
