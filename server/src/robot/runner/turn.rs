//! A robot's turn on a worker: the inputs it produced itself, a due timer, a batch of its
//! inbox (conflated if it asked for that), and, with nothing left, its idle work.

use super::{Origin, RobotLoop, RobotShared};
use crate::clock;
use crate::robot::core::RobotCore;
use crate::robot::Inbound;
use robofleet_api::EventKind;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A robot's journal buffer reaches the OS at the latest this long after its first input
/// with no action (an action flushes it at once). Handing it over at every idle moment cost
/// a `write` per tick per robot: 1,000 robots on one symbol then made a million a second.
pub const JOURNAL_FLUSH_WITHIN: Duration = Duration::from_millis(50);

/// The time in the plugin of a robot's latest events, recorded into its status histogram
/// `LEN` at a time (or when its journal buffer goes to the OS): one histogram access per
/// event was a cache miss at each delivery with a thousand robots. Status lags by at most
/// `LEN - 1` events or 50 ms.
#[derive(Default)]
pub(super) struct HandleSamples {
    ns: [u32; HandleSamples::LEN],
    len: usize,
}

impl HandleSamples {
    const LEN: usize = 16;

    pub(super) fn push(&mut self, ns: u64) {
        if self.len < Self::LEN {
            self.ns[self.len] = ns.min(u32::MAX as u64) as u32;
            self.len += 1;
        }
    }

    pub(super) fn is_full(&self) -> bool {
        self.len == Self::LEN
    }

    pub(super) fn record_into(&mut self, shared: &RobotShared) {
        if self.len > 0 {
            shared.record_handle_ns(&self.ns[..self.len]);
            self.len = 0;
        }
    }
}

impl RobotLoop {
    /// One turn: the inputs the loop produced itself, a due timer, then `batch` in order.
    /// False when the robot's loop has ended (stopped or failed).
    pub(crate) fn step(&mut self, batch: &mut Vec<Inbound>) -> bool {
        if !self.started {
            self.started = true;
            if !self.start() {
                return false;
            }
        }
        if !self.deliver_pending() {
            return false;
        }
        // A due timer goes first, so a steady backlog of messages cannot starve it.
        if let (Some(every), Some(at)) = (self.timer, self.next_timer.as_mut()) {
            let now = Instant::now();
            if now >= *at {
                // After a long stall, fire once and re-anchor rather than burst.
                *at = (*at + every).max(now);
                if self.paused {
                    self.shared.skipped_paused.fetch_add(1, Ordering::Relaxed);
                } else if !self.deliver(
                    clock::wall_ns(),
                    EventKind::Timer { id: 0 },
                    Origin::default(),
                ) {
                    return false;
                }
            }
        }
        if self.spec.conflate {
            self.conflate(batch);
        }
        for inbound in batch.drain(..) {
            if !self.on_inbound(inbound) {
                return false;
            }
            if !self.deliver_pending() {
                return false;
            }
        }
        true
    }

    /// The loop's own updates (a denied or refused order), delivered before the next input.
    fn deliver_pending(&mut self) -> bool {
        while let Some((ts, kind)) = self.pending.pop_front() {
            // They count as delivered too.
            if matches!(kind, EventKind::OrderUpdate(_)) {
                self.shared
                    .order_updates_received
                    .fetch_add(1, Ordering::Relaxed);
            }
            if !self.deliver(ts, kind, Origin::default()) {
                return false;
            }
        }
        true
    }

    /// Nothing waits: take a due checkpoint (between inputs, never before an order), hand the
    /// journal's buffer to the OS if it has waited long enough. When to wake it next
    /// (`Some(None)`: only for an input); `None` when the robot's loop has ended.
    /// `now`: when this turn started.
    pub(crate) fn idle(&mut self, now: Instant) -> Option<Option<Instant>> {
        if !self.checkpoint_if_due(now) {
            return None;
        }
        let buffered = self.core.as_ref().is_some_and(RobotCore::has_buffered);
        match self.flush_due {
            _ if !buffered => {
                self.flush_due = None;
                self.handle_ns.record_into(&self.shared);
            }
            None => self.flush_due = Some(now + JOURNAL_FLUSH_WITHIN),
            Some(at) if now >= at => {
                if let Some(Err(e)) = self.core.as_mut().map(RobotCore::flush) {
                    self.fail(format!("journal write failed, robot stopped: {e}"));
                    return None;
                }
                self.flush_due = None;
                self.handle_ns.record_into(&self.shared);
            }
            Some(_) => {}
        }
        let wake = match (self.next_timer, self.flush_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Some(wake)
    }

    /// Of the quotes and books of one symbol waiting together, only the newest is delivered;
    /// the others are counted (`md_conflated`) and never reach the robot or its journal.
    fn conflate(&mut self, batch: &mut Vec<Inbound>) {
        use robofleet_api::abi::{MD_DEPTH, MD_QUOTE};
        let mut newest: Vec<(u32, u32)> = Vec::new();
        let mut keep = vec![true; batch.len()];
        for (i, msg) in batch.iter().enumerate().rev() {
            let Inbound::Market { rec, .. } = msg else {
                continue;
            };
            if rec.kind != MD_QUOTE && rec.kind != MD_DEPTH {
                continue;
            }
            let key = (rec.symbol, rec.kind);
            if newest.contains(&key) {
                keep[i] = false;
            } else {
                newest.push(key);
            }
        }
        let before = batch.len();
        let mut i = 0;
        batch.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        let dropped = (before - batch.len()) as u64;
        if dropped > 0 {
            self.shared
                .md_conflated
                .fetch_add(dropped, Ordering::Relaxed);
        }
    }
}
