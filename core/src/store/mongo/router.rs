//! Fans the server's one robot-update stream out to robots by name.
//!
//! Updates for a robot with no subscriber yet (it is still starting, or it runs on another
//! server sharing the database) are held for a while, so a robot that subscribes late still
//! gets what was written while it was away; each update is delivered once per process.

use crate::store::{RobotUpdate, WatchId};
use crossbeam_channel::Sender;
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// How long, and how many, updates are held for a robot nobody subscribed to.
const HOLD_FOR: Duration = Duration::from_secs(120);
const HOLD_MAX: usize = 10_000;

#[derive(Default)]
pub struct Router {
    next_id: u64,
    sinks: HashMap<String, Vec<(WatchId, Sender<RobotUpdate>)>>,
    held: HashMap<String, VecDeque<(Instant, RobotUpdate)>>,
    /// Identities already delivered (exec ids, order change ids): a resumed stream may
    /// repeat what it delivered just before it broke.
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
}

/// Enough to cover any replay after a broken stream; older identities are forgotten.
const SEEN_MAX: usize = 200_000;

fn identity(u: &RobotUpdate) -> String {
    match u {
        RobotUpdate::Trade(t) => format!("t:{}", t.exec_id),
        RobotUpdate::Order(o) => format!("o:{}@{:?}/{}", o.client_id, o.status, o.filled_qty),
    }
}

impl Router {
    pub fn register(&mut self, robot: &str, sink: Sender<RobotUpdate>) -> WatchId {
        self.next_id += 1;
        let id = WatchId(self.next_id);
        if let Some(held) = self.held.remove(robot) {
            for (_, u) in held {
                let _ = sink.send(u);
            }
        }
        self.sinks
            .entry(robot.to_string())
            .or_default()
            .push((id, sink));
        id
    }

    pub fn unregister(&mut self, id: WatchId) {
        for list in self.sinks.values_mut() {
            list.retain(|(i, _)| *i != id);
        }
        self.sinks.retain(|_, l| !l.is_empty());
    }

    pub fn deliver(&mut self, update: RobotUpdate) {
        let id = identity(&update);
        if !self.seen.insert(id.clone()) {
            return;
        }
        self.seen_order.push_back(id);
        if self.seen_order.len() > SEEN_MAX {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
        let robot = update.robot().to_string();
        if let Some(list) = self.sinks.get_mut(&robot) {
            list.retain(|(_, s)| s.send(update.clone()).is_ok());
            if !list.is_empty() {
                return;
            }
            self.sinks.remove(&robot);
        }
        let now = Instant::now();
        let held = self.held.entry(robot).or_default();
        held.push_back((now, update));
        while held.len() > HOLD_MAX || held.front().is_some_and(|(t, _)| now - *t > HOLD_FOR) {
            held.pop_front();
        }
    }
}
