//! Loading plugins and calling robots across the C ABI.
//!
//! A plugin is checked field by field before anything else in it is trusted, and it is
//! always loaded from a private copy: replacing the original file while it is loaded can
//! then never crash the server. The library stays mapped as long as any [`RobotInstance`]
//! (through its `Arc<LoadedPlugin>`) is alive, and robot threads end before they drop it.

mod instance;
mod loader;

pub use instance::{CallError, RobotInstance};
pub use loader::{load_plugin, LoadedPlugin, PluginError};
