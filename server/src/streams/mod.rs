//! The shared stream threads that feed every robot's endpoint.
//!
//! - [`market`]: one SUB socket to the feed, routing each message to the robots of its symbol.
//! - [`trades`]: the store's robot subscriptions, routing order changes and fills by robot name.
//! - the control thread lives in [`crate::control`].
//!
//! Each keeps one PUSH socket per robot, connected to the robot's `inproc://` endpoint.
//! Market data is bounded (a full robot queue counts a drop on that robot); order updates,
//! fills and control are unbounded, because losing one would corrupt the robot's view.

pub mod mailbox;
pub mod market;
pub mod trades;

/// Connect a PUSH socket to a robot's endpoint. `bounded` market data gets a high-water mark;
/// everything else gets none (0 = unlimited) and a linger so a closing socket still delivers.
pub fn robot_push(
    ctx: &zmq::Context,
    endpoint: &str,
    bounded: bool,
) -> Result<zmq::Socket, zmq::Error> {
    let push = ctx.socket(zmq::PUSH)?;
    if bounded {
        push.set_sndhwm(10_000)?;
        push.set_linger(0)?;
    } else {
        push.set_sndhwm(0)?;
        push.set_linger(2_000)?;
    }
    push.connect(endpoint)?;
    Ok(push)
}
