//! One robot as the pool sees it: its ordered inbox, the loop that handles it, and the flag
//! that keeps it on at most one worker at a time.

use super::{Run, TimerCmd};
use crate::robot::runner::RobotLoop;
use crate::robot::{Inbound, RobotShared};
use crossbeam_channel::Sender;
use hdrhistogram::Histogram;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// Market data a robot may have waiting; beyond it, each new message is dropped for this
/// robot and counted (`md_dropped`). About the ZeroMQ queues it replaces (10,000 + 50,000).
pub const ROBOT_MD_QUEUE: usize = 60_000;

/// Inputs a robot handles per turn on a worker before the robots queued behind it get theirs.
pub const TURN_BUDGET: usize = 256;

/// A robot's queue is reported as behind once this much market data waits (and again, in the
/// log, each time it climbs back here after draining below a quarter of it).
const BEHIND_AT: usize = ROBOT_MD_QUEUE / 2;

struct InboxState {
    queue: VecDeque<Inbound>,
    /// Market data messages in `queue`.
    market: usize,
    /// On the run queue or on a worker: whoever changes it from false sends it to the run queue.
    scheduled: bool,
    /// The robot has ended: nothing more is taken.
    closed: bool,
    /// Reported as behind, not yet drained below a quarter of `BEHIND_AT`.
    behind: bool,
}

/// What a worker runs: the robot's loop, and what to do once it ends.
pub(super) struct Body {
    pub(super) robot: RobotLoop,
    pub(super) on_exit: Option<Box<dyn FnOnce() + Send>>,
    /// The wake-up last asked of the timer thread.
    pub(super) wake_asked: Option<Instant>,
}

pub struct Task {
    inbox: Mutex<InboxState>,
    shared: Arc<RobotShared>,
    body: Mutex<Option<Body>>,
    done: (Mutex<bool>, Condvar),
    run_tx: Sender<Run>,
    timers: Sender<TimerCmd>,
}

/// The stream threads' handle on a robot's inputs. Pushing never waits on the robot.
#[derive(Clone)]
pub struct RobotInbox(pub(super) Arc<Task>);

/// A robot's status's handle on its inbox (weak: the inbox holds the status).
pub struct WeakInbox(pub(super) std::sync::Weak<Task>);

impl WeakInbox {
    /// Market data waiting in the inbox now.
    pub fn md_queued(&self) -> u64 {
        self.0.upgrade().map_or(0, |t| lock(&t.inbox).market as u64)
    }
}

/// The manager's handle on a robot's run: [`RobotHandle::join`] returns once it has ended
/// and its instance is destroyed.
pub struct RobotHandle(pub(super) Arc<Task>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Task {
    pub(super) fn new(
        body: Body,
        shared: Arc<RobotShared>,
        run_tx: Sender<Run>,
        timers: Sender<TimerCmd>,
    ) -> Arc<Task> {
        Arc::new(Task {
            inbox: Mutex::new(InboxState {
                queue: VecDeque::new(),
                market: 0,
                scheduled: false,
                closed: false,
                behind: false,
            }),
            shared,
            body: Mutex::new(Some(body)),
            done: (Mutex::new(false), Condvar::new()),
            run_tx,
            timers,
        })
    }

    pub(super) fn shared(&self) -> &RobotShared {
        &self.shared
    }

    /// Put the robot on the run queue unless it is there or running already.
    pub(super) fn wake(self: &Arc<Self>) {
        let send = {
            let mut inbox = lock(&self.inbox);
            let send = !inbox.scheduled && !inbox.closed;
            inbox.scheduled = true;
            send
        };
        if send {
            let _ = self.run_tx.send(Run::Robot(self.clone()));
        }
    }

    fn push(self: &Arc<Self>, msg: Inbound, bounded: bool) -> bool {
        let send = {
            let mut inbox = lock(&self.inbox);
            if inbox.closed {
                return false;
            }
            if bounded {
                if inbox.market >= ROBOT_MD_QUEUE {
                    drop(inbox);
                    self.shared.md_dropped.fetch_add(1, Ordering::Relaxed);
                    return false;
                }
                inbox.market += 1;
                if inbox.market >= BEHIND_AT && !inbox.behind {
                    inbox.behind = true;
                    tracing::warn!(robot = %self.shared.name, "falling behind: {} market data messages wait (at {ROBOT_MD_QUEUE} each new one is dropped)", inbox.market);
                }
            }
            inbox.queue.push_back(msg);
            let send = !inbox.scheduled;
            inbox.scheduled = true;
            send
        };
        if send {
            let _ = self.run_tx.send(Run::Robot(self.clone()));
        }
        true
    }

    /// Up to `TURN_BUDGET` inputs, in order, into `batch`.
    fn take(&self, batch: &mut Vec<Inbound>) {
        let mut inbox = lock(&self.inbox);
        let n = inbox.queue.len().min(TURN_BUDGET);
        let mut market = 0;
        for msg in inbox.queue.drain(..n) {
            market += matches!(msg, Inbound::Market { .. }) as usize;
            batch.push(msg);
        }
        inbox.market -= market;
        if inbox.behind && inbox.market < BEHIND_AT / 4 {
            inbox.behind = false;
            tracing::info!(robot = %self.shared.name, "caught up: {} market data messages wait", inbox.market);
        }
    }

    /// One turn on a worker: a batch of inputs, then (with nothing left) the robot's idle work.
    /// Each market message's wait (market data thread -> this turn) goes into `md_wait`.
    /// `now`: when the turn started.
    pub(super) fn run(
        self: &Arc<Self>,
        batch: &mut Vec<Inbound>,
        md_wait: &Mutex<Histogram<u64>>,
        now: Instant,
    ) {
        let mut body = lock(&self.body);
        let Some(b) = body.as_mut() else {
            return;
        };
        batch.clear();
        self.take(batch);
        if batch.iter().any(|m| matches!(m, Inbound::Market { .. })) {
            let taken = crate::clock::mono_ns_at(now);
            let mut h = lock(md_wait);
            for msg in batch.iter() {
                if let Inbound::Market { recv_mono_ns, .. } = msg {
                    let _ = h.record(taken.saturating_sub(*recv_mono_ns).max(1));
                }
            }
        }
        let mut alive = b.robot.step(batch);
        batch.clear();
        let mut wake = None;
        if alive && self.is_empty() {
            match b.robot.idle(now) {
                Some(at) => wake = at,
                None => alive = false,
            }
        }
        if !alive {
            self.end(&mut body);
            return;
        }
        if let Some(at) = wake {
            let asked = b.wake_asked.filter(|w| *w > now);
            if asked.is_none_or(|w| at < w) {
                b.wake_asked = Some(at);
                let _ = self.timers.send(TimerCmd::At(at, Arc::downgrade(self)));
            }
        }
        drop(body);
        let again = {
            let mut inbox = lock(&self.inbox);
            if inbox.queue.is_empty() {
                inbox.scheduled = false;
                false
            } else {
                true
            }
        };
        if again {
            // To the back of the run queue: the robots waiting get their turn first.
            let _ = self.run_tx.send(Run::Robot(self.clone()));
        }
    }

    /// A turn panicked in the server's own code: the robot is failed and ended, so it never
    /// sits scheduled with nobody to run it.
    pub(super) fn fail_internal(&self, what: &str) {
        let why = format!("internal error in the server, robot stopped: {what}");
        tracing::error!(robot = %self.shared.name, "{why}");
        self.shared.set_state(crate::robot::RobotState::Failed(why));
        let mut body = lock(&self.body);
        self.end(&mut body);
    }

    fn is_empty(&self) -> bool {
        lock(&self.inbox).queue.is_empty()
    }

    /// The robot's loop has ended: destroy it, drop what waits, tell the manager.
    fn end(&self, body: &mut Option<Body>) {
        {
            let mut inbox = lock(&self.inbox);
            inbox.closed = true;
            inbox.queue.clear();
            inbox.market = 0;
        }
        if let Some(mut b) = body.take() {
            let on_exit = b.on_exit.take();
            drop(b);
            if let Some(f) = on_exit {
                f();
            }
        }
        let (m, cv) = &self.done;
        *lock(m) = true;
        cv.notify_all();
    }
}

impl RobotInbox {
    /// Market data (bounded): false when it was dropped (queue full, counted) or the robot
    /// has ended.
    pub fn push_market(&self, msg: Inbound) -> bool {
        self.0.push(msg, true)
    }

    /// Anything else (never dropped while the robot runs): false when the robot has ended.
    pub fn push(&self, msg: Inbound) -> bool {
        self.0.push(msg, false)
    }
}

impl RobotHandle {
    /// Wait until the robot has ended and its instance is destroyed.
    pub fn join(self) {
        let (m, cv) = &self.0.done;
        let mut done = lock(m);
        while !*done {
            done = cv.wait(done).unwrap_or_else(|e| e.into_inner());
        }
    }

    pub fn is_finished(&self) -> bool {
        *lock(&self.0.done.0)
    }
}
