//! The control thread's handle on each running robot's inbox: every control message a
//! robot gets from the control socket goes through here.

use crate::robot::pool::RobotInbox;
use crate::robot::{ControlMsg, Inbound};
use std::collections::HashMap;

#[derive(Default)]
pub(super) struct RobotPushes(HashMap<String, RobotInbox>);

/// The robot's loop ended before it took the message.
#[derive(Debug, thiserror::Error)]
#[error("the robot has ended")]
pub(super) struct Ended;

impl RobotPushes {
    pub(super) fn insert(&mut self, robot: String, inbox: RobotInbox) {
        self.0.insert(robot, inbox);
    }

    pub(super) fn remove(&mut self, robot: &str) {
        self.0.remove(robot);
    }

    /// Queue `msg` for `robot` (never waiting); `None` when it is not running.
    pub(super) fn send(&self, robot: &str, msg: ControlMsg) -> Option<Result<(), Ended>> {
        let inbox = self.0.get(robot)?;
        Some(match inbox.push(Inbound::Control(msg)) {
            true => Ok(()),
            false => Err(Ended),
        })
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
