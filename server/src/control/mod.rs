//! The control socket: ZeroMQ ROUTER, JSON request/reply (see `docs/control-protocol.md`).
//!
//! The control thread is also the stream thread that carries control messages into robots:
//! it keeps a PUSH socket per robot. Requests that change the fleet (start, stop, reload,
//! shutdown) go to the fleet manager and are answered when the manager is done, without
//! blocking the thread.

mod audit;
pub mod auth;
mod bind;
pub mod client;
mod handle;
mod instruments;
mod kill;
mod limits;
pub mod paging;
pub mod params;
pub mod protocol;
mod pushes;
mod replier;
mod server;

pub use audit::Auditor;
pub use bind::{bind_control, BoundControl, ControlSecurityError};
pub use params::{json_to_params, params_to_json};
pub use protocol::{CtlError, Request};
pub use server::{run_control_thread, ControlDeps, CtlCmd};
