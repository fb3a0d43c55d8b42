//! Who hears of the SQLite store's writes: gateways (new orders, cancel and amend requests)
//! and robots (their order changes and trades), in write order; with group commit, only
//! once the write is on disk ([`Deferred`]).

use crate::store::{GatewayRequest, RobotUpdate};
use crossbeam_channel::Sender;
use std::collections::{HashMap, VecDeque};

/// A notification held until the write under it is synced.
pub(super) enum Notice {
    Gateway(GatewayRequest),
    Robot(String, RobotUpdate),
}

#[derive(Default)]
pub(super) struct Watchers {
    gateways: Vec<Sender<GatewayRequest>>,
    /// robot -> its watchers.
    robots: HashMap<String, Vec<(u64, Sender<RobotUpdate>)>>,
    next_watch: u64,
    /// With group commit: notifications waiting for a sync, each numbered in write order.
    deferred: Option<VecDeque<(u64, Notice)>>,
    next_notice: u64,
}

impl Watchers {
    pub(super) fn new(group_commit: bool) -> Watchers {
        Watchers {
            next_watch: 1,
            deferred: group_commit.then(VecDeque::new),
            ..Watchers::default()
        }
    }

    pub(super) fn has_deferred(&self) -> bool {
        self.deferred.as_ref().is_some_and(|d| !d.is_empty())
    }

    pub(super) fn add_gateway(&mut self, sink: Sender<GatewayRequest>) {
        self.gateways.push(sink);
    }

    pub(super) fn add_robot(&mut self, robot: &str, sink: Sender<RobotUpdate>) -> u64 {
        let id = self.next_watch;
        self.next_watch += 1;
        self.robots
            .entry(robot.to_string())
            .or_default()
            .push((id, sink));
        id
    }

    pub(super) fn remove_robot(&mut self, id: u64) {
        self.robots.retain(|_, watchers| {
            watchers.retain(|(w, _)| *w != id);
            !watchers.is_empty()
        });
    }

    pub(super) fn gateway(&mut self, request: impl FnOnce() -> GatewayRequest) {
        if self.gateways.is_empty() {
            return;
        }
        self.notify(Notice::Gateway(request()));
    }

    pub(super) fn robot(&mut self, robot: &str, update: impl FnOnce() -> RobotUpdate) {
        if self.robots.contains_key(robot) {
            self.notify(Notice::Robot(robot.to_string(), update()));
        }
    }

    fn notify(&mut self, notice: Notice) {
        match self.deferred.as_mut() {
            Some(d) => {
                d.push_back((self.next_notice, notice));
                self.next_notice += 1;
            }
            None => self.deliver(notice),
        }
    }

    /// The number the next notification gets: those below it were made already.
    pub(super) fn mark(&self) -> u64 {
        self.next_notice
    }

    /// Hand on the notifications made before `mark` (a sync covered them), oldest first.
    pub(super) fn deliver_before(&mut self, mark: u64) {
        let due: Vec<Notice> = match self.deferred.as_mut() {
            Some(d) => {
                let n = d.iter().take_while(|(i, _)| *i < mark).count();
                d.drain(..n).map(|(_, n)| n).collect()
            }
            None => return,
        };
        for notice in due {
            self.deliver(notice);
        }
    }

    fn deliver(&mut self, notice: Notice) {
        match notice {
            Notice::Gateway(request) => broadcast(&mut self.gateways, request, |s| s),
            Notice::Robot(robot, update) => {
                let Some(watchers) = self.robots.get_mut(&robot) else {
                    return;
                };
                broadcast(watchers, update, |(_, s)| s);
                if watchers.is_empty() {
                    self.robots.remove(&robot);
                }
            }
        }
    }
}

/// Send `msg` to every sink, dropping those whose receiver is gone (a disconnect, not a lost
/// message).
fn broadcast<S, T: Clone>(sinks: &mut Vec<S>, msg: T, sender: impl Fn(&S) -> &Sender<T>) {
    sinks.retain(|sink| sender(sink).send(msg.clone()).is_ok());
}
