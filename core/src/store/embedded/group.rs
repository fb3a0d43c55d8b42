//! Group commit ([`SyncPolicy::Group`](super::SyncPolicy::Group)): writers never wait for
//! the disk, yet nothing they wrote is acted on before it is on it.
//!
//! A write goes to the log (one `write(2)`, as always) and its notification (a new order,
//! amend or cancel for the gateways; an order change or trade for a robot) waits in
//! [`Deferred`]. The `store-group` thread wakes at the first write, `fdatasync`s once for
//! everything written so far, then delivers the notifications that sync covered, in order.
//! Writes that arrive meanwhile share the next sync: the busier the store, the more each
//! sync carries. So an order reaches the venue only once it is durable (write-ahead), and
//! the robot hears of a fill only once a power cut can no longer take it back.

use super::Inner;
use crate::store::{GatewayRequest, RobotUpdate};
use crossbeam_channel::{select, Receiver, Sender};
use std::collections::VecDeque;
use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a failed sync waits before the next try (the notifications wait with it).
const RETRY: Duration = Duration::from_millis(10);

/// A notification held until the log under it is synced.
pub(super) enum Notice {
    Gateway(GatewayRequest),
    Robot(String, RobotUpdate),
}

/// Notifications waiting for a sync, each numbered in the order it was made.
#[derive(Default)]
pub(super) struct Deferred {
    queue: VecDeque<(u64, Notice)>,
    next: u64,
}

impl Deferred {
    pub(super) fn push(&mut self, notice: Notice) {
        self.queue.push_back((self.next, notice));
        self.next += 1;
    }

    pub(super) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The number the next notification will get: those below it were made already.
    fn mark(&self) -> u64 {
        self.next
    }

    /// The notifications made before `mark`, oldest first.
    fn take_before(&mut self, mark: u64) -> Vec<Notice> {
        let n = self.queue.iter().take_while(|(i, _)| *i < mark).count();
        self.queue.drain(..n).map(|(_, n)| n).collect()
    }

    /// Every waiting notification, oldest first.
    pub(super) fn take_all(&mut self) -> Vec<Notice> {
        self.queue.drain(..).map(|(_, n)| n).collect()
    }
}

/// The `store-group` thread.
pub(super) struct GroupSyncer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What the thread shares with the writers.
pub(super) struct Shared {
    pub(super) inner: Arc<Mutex<Inner>>,
    pub(super) file: File,
    /// Set by each write; the thread syncs only when it is.
    pub(super) dirty: Arc<AtomicBool>,
    /// Log bytes known to be on disk.
    pub(super) durable: Arc<AtomicU64>,
}

impl GroupSyncer {
    /// Start the thread; `kick` is what each write sends (`try_send`) to wake it.
    pub(super) fn start(shared: Shared, kick: Receiver<()>) -> std::io::Result<GroupSyncer> {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
        let thread = std::thread::Builder::new()
            .name("store-group".into())
            .spawn(move || loop {
                let last = select! {
                    recv(kick) -> k => k.is_err(),
                    recv(stopped) -> _ => true,
                };
                // A final round at the stop, so nothing written is left undelivered.
                commit(&shared, last);
                if last {
                    break;
                }
            })?;
        Ok(GroupSyncer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// One group: sync what was written, then deliver what that sync covered.
fn commit(shared: &Shared, last: bool) {
    loop {
        let (mark, len) = {
            let inner = lock(&shared.inner);
            (inner.deferred_mark(), inner.log.len())
        };
        let synced = if shared.dirty.swap(false, Ordering::AcqRel) {
            shared.file.sync_data()
        } else {
            Ok(())
        };
        match synced {
            Ok(()) => {
                shared.durable.fetch_max(len, Ordering::AcqRel);
                lock(&shared.inner).deliver_before(mark);
                return;
            }
            Err(e) => {
                shared.dirty.store(true, Ordering::Release);
                tracing::warn!("store: group fsync failed (notifications wait; will retry): {e}");
                if last {
                    return;
                }
                std::thread::sleep(RETRY);
            }
        }
    }
}

fn lock(inner: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inner {
    fn deferred_mark(&self) -> u64 {
        self.deferred.as_ref().map_or(0, Deferred::mark)
    }

    fn deliver_before(&mut self, mark: u64) {
        let due = match self.deferred.as_mut() {
            Some(d) => d.take_before(mark),
            None => return,
        };
        for notice in due {
            self.deliver(notice);
        }
    }
}

impl Drop for GroupSyncer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
