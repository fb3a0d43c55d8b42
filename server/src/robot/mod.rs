//! One robot: its loop, its inbound messages, its shared status, and the worker pool that
//! runs every robot's loop.
//!
//! Everything that reaches a robot comes through its own inbox ([`pool::RobotInbox`]), so
//! all its inputs form one ordered stream, handled on one worker at a time. The loop numbers
//! each event, calls the plugin, and carries out the actions.

pub mod checkpoints;
pub mod core;
pub mod core_risk;
mod inbound;
pub mod pool;
mod reconcile;
pub mod recovery;
mod runner;
pub mod seen;
mod status;

pub use inbound::{ControlMsg, Inbound};
pub use recovery::JournalSpec;
pub use runner::{spawn_robot, RobotSpec};
pub use status::{RobotShared, RobotState, RobotStatus};
