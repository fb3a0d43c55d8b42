//! The shared stream threads that feed every robot's inbox.
//!
//! - [`market`]: one SUB socket to the feed, routing each message to the robots of its symbol.
//! - [`trades`]: the store's robot subscriptions, routing order changes and fills by robot name.
//! - the control thread lives in [`crate::control`].
//!
//! Each keeps a handle on each robot's inbox ([`crate::robot::pool::RobotInbox`]). Market
//! data is bounded (a full inbox counts a drop on that robot); order updates, fills and
//! control are unbounded, because losing one would corrupt the robot's view.

pub mod mailbox;
pub mod market;
pub mod trades;
