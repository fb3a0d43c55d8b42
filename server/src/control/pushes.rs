//! The control thread's PUSH to each running robot's endpoint: every control message a
//! robot gets from the control socket goes through here.

use crate::robot::{ControlMsg, Inbound};
use std::collections::HashMap;

#[derive(Default)]
pub(super) struct RobotPushes(HashMap<String, zmq::Socket>);

impl RobotPushes {
    pub(super) fn insert(&mut self, robot: String, push: zmq::Socket) {
        self.0.insert(robot, push);
    }

    pub(super) fn remove(&mut self, robot: &str) {
        self.0.remove(robot);
    }

    /// Queue `msg` for `robot` (never waiting); `None` when it is not running.
    pub(super) fn send(&self, robot: &str, msg: ControlMsg) -> Option<Result<(), zmq::Error>> {
        let push = self.0.get(robot)?;
        Some(push.send(&Inbound::Control(msg).encode()[..], zmq::DONTWAIT))
    }

    /// [`Self::send`], a failure logged; true when it was queued.
    pub(super) fn send_logged(&self, robot: &str, msg: ControlMsg) -> bool {
        match self.send(robot, msg) {
            Some(Ok(())) => true,
            Some(Err(e)) => {
                tracing::error!(robot = %robot, "control message not delivered: {e}");
                false
            }
            None => false,
        }
    }

    /// Give every running robot its message; how many took it.
    pub(super) fn send_each(&self, msg: impl Fn(&str) -> ControlMsg) -> usize {
        self.0
            .keys()
            .filter(|robot| self.send_logged(robot, msg(robot)))
            .count()
    }
}
