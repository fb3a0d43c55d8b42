//! The fleet: which robots exist, from which plugin files, and their lifecycle.
//!
//! The manager is the only thread that starts and stops robots. It hears from the plugin
//! folder watcher, the control socket and robots (as they end) through one channel.

mod config;
mod manager;
mod overrides;
mod registry;
mod watcher;

pub use config::{instances_for, seed_for, InstanceSpec};
pub use manager::{FleetAction, Manager, ManagerCmd, ManagerLinks};
pub use overrides::ParamOverrides;
pub use registry::Registry;
pub use watcher::{spawn_watcher, WatcherHandle};
