//! Loading plugins and calling robots across the C ABI.
//!
//! A plugin is checked field by field before anything else in it is trusted. It is always
//! loaded from a private copy, so replacing the original file while it is loaded can never
//! crash the server, and the server probes each new copy in a child process first
//! ([`probe`]), so a file that crashes the dynamic loader cannot take the fleet down. The
//! library stays mapped as long as any [`RobotInstance`] (through its `Arc<LoadedPlugin>`)
//! is alive, and robots end (their instances destroyed) before they drop it.

mod instance;
mod loader;
mod panic_backtrace;
pub mod probe;
pub mod trust;

pub use instance::{CallError, RobotInstance};
pub use loader::{load_plugin, load_plugin_probed, LoadedPlugin, PluginError};
